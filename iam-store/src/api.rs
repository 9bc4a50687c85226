//! The storage traits, one per family of IAM operations, and the types they exchange.
//!
//! [`IamStore`] joins them; the server keeps an `Arc<dyn IamStore>`. Import [`crate::prelude`]
//! to call the methods of every family. Each method runs as one atomic transaction, and every
//! precondition it names (existence, uniqueness ignoring case, quotas, delete conflicts) is
//! checked inside that transaction.

mod accounts;
mod credentials;
mod identities;
mod policies;
mod sessions;
mod types;

pub use accounts::{AccountStore, ProviderStore};
pub use credentials::CredentialStore;
pub use identities::{GroupStore, RoleStore, UserStore};
pub use policies::PolicyStore;
pub use sessions::SessionStore;
pub use types::{
    AccountSummary, AttachedPolicy, GroupPolicies, ListPoliciesOptions, ManagedPolicyDocument,
    MfaAssignment, PolicyEntities, PolicyScope, Principal, PrincipalPolicies, SessionRevocation,
    Stored, TimeStepAcceptance,
};

/// Every storage trait together: what the server and the other crates keep.
pub trait IamStore:
    UserStore
    + GroupStore
    + RoleStore
    + PolicyStore
    + CredentialStore
    + ProviderStore
    + AccountStore
    + SessionStore
{
}

impl<T> IamStore for T where
    T: UserStore
        + GroupStore
        + RoleStore
        + PolicyStore
        + CredentialStore
        + ProviderStore
        + AccountStore
        + SessionStore
{
}
