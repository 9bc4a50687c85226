//! Signing-key derivation and a bounded, sharded cache of derived keys.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::BorrowedScope;
use super::sha256::HmacKey;
use crate::access_key::SecretAccessKey;
use crate::encoding::constant_time_eq;

/// The text SigV4 puts before the secret to form the first HMAC key.
const SECRET_PREFIX: &[u8] = b"AWS4";

/// The longest `AWS4` plus secret that is built on the stack, in bytes. AWS secrets have 40
/// characters; a longer secret is copied to the heap.
const STACK_INITIAL_KEY_LEN: usize = 128;

/// The maximum number of shards of a [`SigningKeyCache`].
const MAX_SHARDS: usize = 16;

/// The minimum capacity of a shard. A shard evicts on its own once full, so small caches keep
/// few shards and fill up to their whole capacity first.
const MIN_SHARD_CAPACITY: usize = 64;

/// Derives the SigV4 signing key: HMAC-SHA256 over the date, region, service and
/// `aws4_request`, starting from `AWS4` followed by the secret.
pub(crate) fn derive_signing_key(secret: &SecretAccessKey, scope: BorrowedScope<'_>) -> HmacKey {
    let secret = secret.expose().as_bytes();
    let mut stack_buffer = [0u8; STACK_INITIAL_KEY_LEN];
    let mut key = match stack_buffer.get_mut(..SECRET_PREFIX.len() + secret.len()) {
        Some(initial) => {
            let (prefix, rest) = initial.split_at_mut(SECRET_PREFIX.len());
            prefix.copy_from_slice(SECRET_PREFIX);
            rest.copy_from_slice(secret);
            HmacKey::new(initial)
        }
        None => HmacKey::new(&[SECRET_PREFIX, secret].concat()),
    };
    for part in [
        scope.date.as_bytes(),
        scope.region.as_bytes(),
        scope.service.as_bytes(),
        b"aws4_request",
    ] {
        key = HmacKey::new(&key.sign(part));
    }
    key
}

/// A bounded cache of derived signing keys, keyed by access key id, date, region and service.
///
/// A key derivation costs four HMAC computations. A client signs every request of a day with
/// the same key, so the cache saves them on all but the first request. Each entry also keeps
/// the secret it was derived from, and a lookup with a different secret misses, so a changed
/// secret never verifies with a stale key.
///
/// The entries are split into shards by a keyed hash of the access key id and scope: one
/// shard per 64 entries of capacity, at least 1 and at most 16. Each shard has its own
/// read-write lock, share of the capacity and eviction order, oldest entry first. Lookups of
/// different keys mostly take different locks, and lookups of the same key share a read lock,
/// so only a miss waits for other threads. A full shard evicts even while others have room,
/// so a cache of 128 entries or more may evict before it reaches its capacity.
pub struct SigningKeyCache {
    capacity: usize,
    fingerprint_key: FingerprintKey,
    shards: Box<[RwLock<Shard>]>,
}

/// One shard: the entries whose fingerprint falls to it.
struct Shard {
    capacity: usize,
    /// Entries by fingerprint. Two entries with the same fingerprint replace each other, and a
    /// lookup checks every part of the entry, so a collision only costs a derivation.
    entries: HashMap<u64, CacheEntry, BuildHasherDefault<FingerprintHasher>>,
    /// The fingerprints of `entries`, oldest first.
    insertion_order: VecDeque<u64>,
}

struct CacheEntry {
    cache_key: Box<str>,
    secret: SecretAccessKey,
    key: HmacKey,
}

impl SigningKeyCache {
    /// The default maximum number of entries.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// Creates a cache of at most `capacity` keys. A capacity of 0 disables caching.
    pub fn new(capacity: usize) -> Self {
        let shard_count = if capacity == 0 {
            0
        } else {
            (capacity / MIN_SHARD_CAPACITY).clamp(1, MAX_SHARDS)
        };
        let shards = (0..shard_count)
            .map(|index| {
                // The capacity is spread so that the shards' capacities add up to `capacity`.
                let extra = usize::from(index < capacity % shard_count);
                RwLock::new(Shard {
                    capacity: capacity / shard_count + extra,
                    entries: HashMap::default(),
                    insertion_order: VecDeque::new(),
                })
            })
            .collect();
        Self {
            capacity,
            fingerprint_key: FingerprintKey::random(),
            shards,
        }
    }

    /// Returns the number of cached keys.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| read(shard).entries.len())
            .sum()
    }

    /// Returns whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the signing key for `scope` and `secret`, deriving and caching it on a miss.
    ///
    /// `cache_key` must tell the access key and scope apart from every other, as
    /// `access-key-id/date/region/service` does when no part contains `/`.
    pub(crate) fn signing_key(
        &self,
        cache_key: &str,
        secret: &SecretAccessKey,
        scope: BorrowedScope<'_>,
    ) -> HmacKey {
        let fingerprint = self.fingerprint_key.fingerprint(cache_key);
        let shard_count = self.shards.len() as u64;
        let Some(shard) = fingerprint
            .checked_rem(shard_count)
            .and_then(|index| self.shards.get(usize::try_from(index).ok()?))
        else {
            // No shards: the capacity is 0.
            return derive_signing_key(secret, scope);
        };

        if let Some(entry) = read(shard).entries.get(&fingerprint)
            && entry.matches(cache_key, secret)
        {
            return entry.key.clone();
        }

        let key = derive_signing_key(secret, scope);
        write(shard).insert(
            fingerprint,
            CacheEntry {
                cache_key: cache_key.into(),
                secret: secret.clone(),
                key: key.clone(),
            },
        );
        key
    }
}

impl Shard {
    /// Inserts or replaces the entry of `fingerprint`, then evicts the oldest entries beyond
    /// the capacity.
    fn insert(&mut self, fingerprint: u64, entry: CacheEntry) {
        if self.entries.insert(fingerprint, entry).is_none() {
            self.insertion_order.push_back(fingerprint);
        }
        while self.entries.len() > self.capacity {
            let Some(oldest) = self.insertion_order.pop_front() else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }
}

impl CacheEntry {
    fn matches(&self, cache_key: &str, secret: &SecretAccessKey) -> bool {
        *self.cache_key == *cache_key
            && constant_time_eq(self.secret.expose().as_bytes(), secret.expose().as_bytes())
    }
}

fn read(shard: &RwLock<Shard>) -> RwLockReadGuard<'_, Shard> {
    shard.read().unwrap_or_else(PoisonError::into_inner)
}

fn write(shard: &RwLock<Shard>) -> RwLockWriteGuard<'_, Shard> {
    shard.write().unwrap_or_else(PoisonError::into_inner)
}

/// The secret seed of a cache's fingerprints, drawn once per cache.
///
/// A fingerprint folds the cache key eight bytes at a time with a widening multiply, which
/// costs a few instructions per word instead of SipHash's rounds. It is not a cryptographic
/// hash, and it need not be one: the key only picks a shard and a map slot, and every hit is
/// checked against the whole cache key and secret. A client who found a collision could only
/// evict an entry and cost its owner one derivation, which any holder of a valid key can
/// already cause by signing for many regions. The seed keeps such collisions from being
/// computed in advance.
struct FingerprintKey(u64);

impl FingerprintKey {
    /// The odd constant each word is multiplied by: the 64-bit golden ratio.
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

    fn random() -> Self {
        // `RandomState` draws its keys from the operating system once per process and varies
        // them per instance, so hashing a constant yields a fresh random seed.
        Self(RandomState::new().hash_one(0_u64))
    }

    fn fingerprint(&self, cache_key: &str) -> u64 {
        let (words, rest) = cache_key.as_bytes().as_chunks::<8>();
        let mut hash = self.0 ^ cache_key.len() as u64;
        for word in words {
            hash = fold_multiply(hash ^ u64::from_le_bytes(*word), Self::MULTIPLIER);
        }
        let mut last = [0_u8; 8];
        if let Some(start) = last.get_mut(..rest.len()) {
            start.copy_from_slice(rest);
        }
        hash = fold_multiply(hash ^ u64::from_le_bytes(last), Self::MULTIPLIER);
        // A last multiply with the seed spreads the final word into the high bits too.
        fold_multiply(hash, self.0 | 1)
    }
}

/// Multiplies to 128 bits and folds the halves together with XOR, so every input bit reaches
/// most output bits.
fn fold_multiply(value: u64, multiplier: u64) -> u64 {
    let product = u128::from(value) * u128::from(multiplier);
    (product as u64) ^ ((product >> 64) as u64)
}

/// The hasher of a shard's map. Its keys are fingerprints, already the output of a keyed hash,
/// so a key hashes to itself.
#[derive(Default)]
struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` runs for the map's `u64` keys; other input is folded in byte by byte.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("capacity", &self.capacity)
            .field("shards", &self.shards.len())
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;
