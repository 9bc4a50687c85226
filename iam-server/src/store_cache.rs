//! A read-through cache of the store records every request needs: active access keys with
//! their opened secrets, and users.
//!
//! Without it, a request signed by an IAM user reads the access key and the user from the
//! store and opens the sealed secret with AES-GCM, and authorization reads the target user
//! again to build its ARN.
//!
//! The store's change feed keeps the cache current. Every commit that changes a user or one
//! of its access keys (status, creation, deletion) publishes a change naming the user, before
//! the write returns to its caller. Each lookup first applies every change published so far,
//! so a key deactivated or deleted by a completed call is rejected on the next request. A
//! feed that overflowed clears the whole cache. A record loaded from the store is kept only
//! when no change arrived while it was loaded, so a load that raced a write never stores the
//! old record.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use iam_auth::seal::Keyring;
use iam_auth::{AuthError, SecretAccessKey};
use iam_model::{AccessKeyStatus, AccountId, ROOT_USER_NAME, User};
use iam_store::{Change, IamStore, Identity, StoreError, Stored};
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::TryRecvError;
use zeroize::Zeroizing;

use crate::identity::open_secret;

/// The default maximum number of entries of each kind. A full map is cleared.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The account and the name folded to lower case, because IAM names are unique ignoring case.
type UserKey = (AccountId, String);

/// Active access keys and users, invalidated from the store's change feed.
pub struct StoreCache {
    store: Arc<dyn IamStore>,
    keyring: Arc<Keyring>,
    capacity: usize,
    state: Mutex<State>,
}

/// An active access key found through the cache.
pub struct ActiveAccessKey {
    /// The account that owns the key.
    pub account: AccountId,
    /// The user that owns the key, as stored, or `None` for a key of the root user.
    pub user: Option<Arc<Stored<User>>>,
    /// The opened secret access key.
    pub secret: SecretAccessKey,
}

struct State {
    changes: Receiver<Change>,
    /// The number of times changes have been applied; a load keeps its record only if this
    /// did not move while it read the store.
    epoch: u64,
    access_keys: HashMap<String, CachedAccessKey>,
    /// The cached access key ids of each user, to drop them when the user changes.
    keys_by_user: HashMap<UserKey, Vec<String>>,
    users: HashMap<UserKey, Arc<Stored<User>>>,
}

struct CachedAccessKey {
    account: AccountId,
    /// The owner's name as the store keeps it: a user name or [`ROOT_USER_NAME`].
    owner_name: String,
    user: Option<Arc<Stored<User>>>,
    /// The opened secret, wiped from memory when the entry is dropped.
    secret: Zeroizing<String>,
}

impl StoreCache {
    /// Creates an empty cache over `store`, subscribed to its change feed, holding at most
    /// [`DEFAULT_CAPACITY`] entries of each kind.
    pub fn new(store: Arc<dyn IamStore>, keyring: Arc<Keyring>) -> Self {
        Self::with_capacity(store, keyring, DEFAULT_CAPACITY)
    }

    /// Creates an empty cache holding at most `capacity` entries of each kind.
    pub fn with_capacity(store: Arc<dyn IamStore>, keyring: Arc<Keyring>, capacity: usize) -> Self {
        let changes = store.subscribe();
        Self {
            store,
            keyring,
            capacity,
            state: Mutex::new(State {
                changes,
                epoch: 0,
                access_keys: HashMap::new(),
                keys_by_user: HashMap::new(),
                users: HashMap::new(),
            }),
        }
    }

    /// Finds an active access key, its owner and its opened secret.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidClientTokenId`] for an unknown or inactive key,
    /// [`AuthError::CredentialLookup`] when the store fails, and the keyring's errors when the
    /// sealed secret does not open.
    pub async fn access_key(&self, access_key_id: &str) -> Result<ActiveAccessKey, AuthError> {
        let epoch = {
            let state = self.lock();
            if let Some(cached) = state.access_keys.get(access_key_id) {
                return Ok(ActiveAccessKey {
                    account: cached.account,
                    user: cached.user.clone(),
                    secret: SecretAccessKey::new(cached.secret.as_str()),
                });
            }
            state.epoch
        };

        let unknown = |reason| AuthError::InvalidClientTokenId {
            access_key_id: access_key_id.to_owned(),
            reason,
        };
        let (account, sealed) = match self.store.find_access_key(access_key_id).await {
            Ok(found) => found,
            Err(StoreError::NoSuchEntity { .. }) => return Err(unknown("no such access key")),
            Err(error) => return Err(AuthError::CredentialLookup(error.to_string())),
        };
        if sealed.access_key.status != AccessKeyStatus::Active {
            return Err(unknown("the access key is inactive"));
        }
        let secret = open_secret(&self.keyring, access_key_id, &sealed.sealed_secret.0)?;
        let owner_name = sealed.access_key.user_name;
        let user = if owner_name == ROOT_USER_NAME {
            None
        } else {
            let user = self
                .user(account, &owner_name)
                .await
                .map_err(|error| AuthError::CredentialLookup(error.to_string()))?;
            Some(user)
        };

        let cached = CachedAccessKey {
            account,
            owner_name,
            user: user.clone(),
            secret: Zeroizing::new(secret.expose().to_owned()),
        };
        self.keep_access_key(epoch, access_key_id, cached);
        Ok(ActiveAccessKey {
            account,
            user,
            secret,
        })
    }

    /// Reads a user, from the cache when it contains the user.
    ///
    /// # Errors
    ///
    /// The store's errors, [`StoreError::NoSuchEntity`] for a user that does not exist.
    pub async fn user(
        &self,
        account: AccountId,
        user_name: &str,
    ) -> Result<Arc<Stored<User>>, StoreError> {
        let key = user_key(account, user_name);
        let epoch = {
            let state = self.lock();
            if let Some(user) = state.users.get(&key) {
                return Ok(Arc::clone(user));
            }
            state.epoch
        };

        let user = Arc::new(self.store.user(account, user_name).await?);
        self.keep_user(epoch, account, &user);
        Ok(user)
    }

    /// Returns the number of cached access keys and users.
    pub fn len(&self) -> usize {
        let state = self.lock();
        state.access_keys.len() + state.users.len()
    }

    /// Returns whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores an access key loaded since `epoch`, unless a change arrived meanwhile.
    fn keep_access_key(&self, epoch: u64, access_key_id: &str, cached: CachedAccessKey) {
        let mut state = self.lock();
        if state.epoch != epoch {
            return;
        }
        if state.access_keys.len() >= self.capacity {
            state.access_keys.clear();
            state.keys_by_user.clear();
        }
        let user_keys = state
            .keys_by_user
            .entry(user_key(cached.account, &cached.owner_name))
            .or_default();
        if !user_keys.iter().any(|id| id == access_key_id) {
            user_keys.push(access_key_id.to_owned());
        }
        state.access_keys.insert(access_key_id.to_owned(), cached);
    }

    /// Stores a user loaded since `epoch`, unless a change arrived meanwhile.
    fn keep_user(&self, epoch: u64, account: AccountId, user: &Arc<Stored<User>>) {
        let mut state = self.lock();
        if state.epoch != epoch {
            return;
        }
        if state.users.len() >= self.capacity {
            state.users.clear();
        }
        state
            .users
            .insert(user_key(account, &user.user_name), Arc::clone(user));
    }

    /// Locks the state after applying every change the feed has published since the last
    /// lock.
    fn lock(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.apply_changes();
        state
    }
}

impl State {
    fn apply_changes(&mut self) {
        loop {
            match self.changes.try_recv() {
                Ok(change) => {
                    self.epoch += 1;
                    if let Identity::User(name) = &change.identity {
                        self.invalidate_user(&user_key(change.account, name));
                    }
                }
                Err(TryRecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "store cache missed changes, clearing it");
                    self.epoch += 1;
                    self.access_keys.clear();
                    self.keys_by_user.clear();
                    self.users.clear();
                }
                // A closed feed means the store is gone, and with it every change to come.
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            }
        }
    }

    fn invalidate_user(&mut self, key: &UserKey) {
        self.users.remove(key);
        for access_key_id in self.keys_by_user.remove(key).unwrap_or_default() {
            self.access_keys.remove(&access_key_id);
        }
    }
}

fn user_key(account: AccountId, user_name: &str) -> UserKey {
    (account, user_name.to_lowercase())
}

#[cfg(test)]
mod tests;
