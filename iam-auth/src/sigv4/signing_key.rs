//! Signing-key derivation and a bounded cache of derived keys.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use ring::hmac;

use super::CredentialScope;
use crate::access_key::SecretAccessKey;
use crate::encoding::constant_time_eq;

/// Derives the SigV4 signing key: HMAC-SHA256 over the date, region, service and
/// `aws4_request`, starting from `AWS4` followed by the secret.
pub(crate) fn derive_signing_key(secret: &SecretAccessKey, scope: &CredentialScope) -> hmac::Key {
    let mut initial = Vec::with_capacity(4 + secret.expose().len());
    initial.extend_from_slice(b"AWS4");
    initial.extend_from_slice(secret.expose().as_bytes());
    let mut key = hmac::Key::new(hmac::HMAC_SHA256, &initial);
    for part in [
        scope.date.as_bytes(),
        scope.region.as_bytes(),
        scope.service.as_bytes(),
        b"aws4_request",
    ] {
        let tag = hmac::sign(&key, part);
        key = hmac::Key::new(hmac::HMAC_SHA256, tag.as_ref());
    }
    key
}

/// A bounded cache of derived signing keys, keyed by access key id, date, region and service.
///
/// A key derivation costs four HMAC computations. A client signs every request of a day with
/// the same key, so the cache saves them on all but the first request. Each entry also keeps
/// the secret it was derived from, and a lookup with a different secret misses, so a changed
/// secret never verifies with a stale key. When full, the oldest entry is evicted first.
pub struct SigningKeyCache {
    capacity: usize,
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    /// Entries by `access key id/date/region/service`. Every part is free of `/` (the verifier
    /// checks this), so distinct tuples give distinct keys.
    entries: HashMap<String, CacheEntry>,
    insertion_order: VecDeque<String>,
}

struct CacheEntry {
    secret: SecretAccessKey,
    key: Arc<hmac::Key>,
}

impl SigningKeyCache {
    /// The default maximum number of entries.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// Creates a cache of at most `capacity` keys. A capacity of 0 disables caching.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            state: Mutex::new(CacheState::default()),
        }
    }

    /// Returns the number of cached keys.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Returns whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the signing key for the access key and scope, deriving and caching it on a
    /// miss.
    pub(crate) fn signing_key(
        &self,
        access_key_id: &str,
        secret: &SecretAccessKey,
        scope: &CredentialScope,
    ) -> Arc<hmac::Key> {
        if self.capacity == 0 {
            return Arc::new(derive_signing_key(secret, scope));
        }
        let mut cache_key = String::with_capacity(
            access_key_id.len() + scope.date.len() + scope.region.len() + scope.service.len() + 3,
        );
        for (index, part) in [access_key_id, &scope.date, &scope.region, &scope.service]
            .into_iter()
            .enumerate()
        {
            if index > 0 {
                cache_key.push('/');
            }
            cache_key.push_str(part);
        }
        if let Some(entry) = self.lock().entries.get(&cache_key)
            && constant_time_eq(entry.secret.expose().as_bytes(), secret.expose().as_bytes())
        {
            return Arc::clone(&entry.key);
        }

        let key = Arc::new(derive_signing_key(secret, scope));

        let mut state = self.lock();
        let entry = CacheEntry {
            secret: secret.clone(),
            key: Arc::clone(&key),
        };
        if state.entries.insert(cache_key.clone(), entry).is_none() {
            state.insertion_order.push_back(cache_key);
        }
        while state.entries.len() > self.capacity {
            let Some(oldest) = state.insertion_order.pop_front() else {
                break;
            };
            state.entries.remove(&oldest);
        }
        key
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
            .field("len", &self.len())
            .finish()
    }
}
