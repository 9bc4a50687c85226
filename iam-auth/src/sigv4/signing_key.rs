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
        let parts = [
            access_key_id,
            scope.date.as_str(),
            scope.region.as_str(),
            scope.service.as_str(),
        ];
        // A hit, the common case, builds the cache key on the stack and allocates nothing.
        let mut stack_buffer = [0u8; STACK_CACHE_KEY_LEN];
        let heap_buffer;
        let cache_key = match join_on_stack(&mut stack_buffer, &parts) {
            Some(cache_key) => cache_key,
            None => {
                heap_buffer = parts.join("/");
                heap_buffer.as_str()
            }
        };
        if let Some(entry) = self.lock().entries.get(cache_key)
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
        if state.entries.insert(cache_key.to_owned(), entry).is_none() {
            state.insertion_order.push_back(cache_key.to_owned());
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

/// The longest cache key built on the stack, in bytes. It fits the longest key the verifier
/// accepts: a 128-character access key id, the date, a region and service of up to 64
/// characters each, and three separators.
const STACK_CACHE_KEY_LEN: usize = 272;

/// Joins `parts` with `/` in `buffer`, or returns `None` when they do not fit.
fn join_on_stack<'a>(buffer: &'a mut [u8; STACK_CACHE_KEY_LEN], parts: &[&str]) -> Option<&'a str> {
    let mut len = 0;
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            *buffer.get_mut(len)? = b'/';
            len += 1;
        }
        buffer
            .get_mut(len..len + part.len())?
            .copy_from_slice(part.as_bytes());
        len += part.len();
    }
    std::str::from_utf8(buffer.get(..len)?).ok()
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
