//! Session revocations.

use async_trait::async_trait;
use iam_model::AccountId;
use jiff::Timestamp;

use super::{KvStore, put, require_identity};
use crate::keys::{Key, Table};
use crate::kv::KvEngine;
use crate::txn;
use crate::{EntityKind, Identity, SessionRevocation, SessionStore, StoreError};

/// Returns the key of the revocation of a role or user.
///
/// Fails with [`StoreError::InvalidInput`] for a group, which has no sessions.
pub(super) fn revocation_key(
    account: AccountId,
    identity: &Identity,
) -> Result<Vec<u8>, StoreError> {
    if let Identity::Group(name) = identity {
        return Err(StoreError::InvalidInput(format!(
            "group `{name}` has no sessions to revoke, expected a role or user"
        )));
    }
    Ok(Key::account(account, Table::SessionRevocation)
        .part(identity.tag())
        .name(identity.name())
        .build())
}

#[async_trait]
impl<E: KvEngine> SessionStore for KvStore<E> {
    async fn set_session_revocation(
        &self,
        account: AccountId,
        identity: &Identity,
        revoked_before: Timestamp,
    ) -> Result<SessionRevocation, StoreError> {
        let key = revocation_key(account, identity)?;
        self.write(|txn| {
            let identity = require_identity(txn, account, identity)?;
            let existing = txn.get_json::<SessionRevocation>(&key)?;
            let revoked_before = existing.map_or(revoked_before, |existing| {
                existing.revoked_before.max(revoked_before)
            });
            let record = SessionRevocation {
                identity: identity.clone(),
                revoked_before,
            };
            put(txn, key.clone(), &record)?;
            txn.changed(account, identity);
            Ok(record)
        })
        .await
    }

    async fn session_revocation(
        &self,
        account: AccountId,
        identity: &Identity,
    ) -> Result<Option<SessionRevocation>, StoreError> {
        let key = revocation_key(account, identity)?;
        let mut decoded = None;
        self.engine().read_with(&key, &mut |_, payload| {
            decoded = Some(txn::decode(payload));
        })?;
        decoded.transpose()
    }

    async fn clear_session_revocation(
        &self,
        account: AccountId,
        identity: &Identity,
    ) -> Result<(), StoreError> {
        let key = revocation_key(account, identity)?;
        self.write(|txn| {
            let identity = require_identity(txn, account, identity)?;
            if txn.get(&key)?.is_none() {
                return Err(StoreError::NoSuchEntity {
                    kind: EntityKind::SessionRevocation,
                    name: identity.name().to_owned(),
                });
            }
            txn.delete(key.clone());
            txn.changed(account, identity);
            Ok(())
        })
        .await
    }
}
