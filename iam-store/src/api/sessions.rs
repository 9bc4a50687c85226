//! The storage trait of session revocations.

use async_trait::async_trait;
use iam_model::AccountId;
use jiff::Timestamp;

use crate::{Identity, SessionRevocation, StoreError};

/// Session revocations: "every session of this role or user issued before T is invalid".
///
/// A record belongs to its role or user: deleting the identity deletes it, and renaming a user
/// moves it to the new name. Groups have no sessions, so they have no records.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Revokes the sessions of a role or user issued before `revoked_before`, and returns the
    /// record now stored.
    ///
    /// When a record exists, the later of its cut-off and `revoked_before` is kept, so revoking
    /// again never makes a revoked session valid. [`SessionStore::clear_session_revocation`]
    /// is the only way to do that.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] for a missing role or user, [`StoreError::InvalidInput`]
    /// for a group.
    async fn set_session_revocation(
        &self,
        account: AccountId,
        identity: &Identity,
        revoked_before: Timestamp,
    ) -> Result<SessionRevocation, StoreError>;

    /// Returns the revocation of a role or user, or `None` when it has none. A missing role or
    /// user has none either, because this runs for every request made with session credentials
    /// and reads one key only.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] for a group, and engine failures.
    async fn session_revocation(
        &self,
        account: AccountId,
        identity: &Identity,
    ) -> Result<Option<SessionRevocation>, StoreError>;

    /// Removes the revocation of a role or user, so its sessions issued before the cut-off are
    /// valid again until they expire.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchEntity`] when the role or user or its record is missing,
    /// [`StoreError::InvalidInput`] for a group.
    async fn clear_session_revocation(
        &self,
        account: AccountId,
        identity: &Identity,
    ) -> Result<(), StoreError>;
}
