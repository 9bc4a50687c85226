//! Storage of all IAM state behind async traits that a team can implement for its own
//! database, with an in-memory backend, a sled backend on disk, and a conformance kit that any
//! backend runs.
//!
//! The traits in [`api`], joined as [`IamStore`], have one method per IAM operation. Each method
//! runs as one atomic transaction that checks every precondition it names, such as names unique
//! per account ignoring case, quotas, and the conflicts that block a deletion. [`KvStore`] implements them
//! once over any ordered key/value engine ([`kv::KvEngine`]) with optimistic transactions; the
//! built-in engines are [`kv::MemoryEngine`] and [`kv::SledEngine`], whose writes are durable
//! before a call returns and share fsyncs between concurrent writers. A SQL database would
//! implement the traits directly instead.
//!
//! The crate does not evaluate policies, hash passwords or seal secrets: it stores what the
//! callers computed, and secrets only as sealed bytes.
//!
//! The binary `iam-store-crash-writer` exists for the crash test only: it writes until killed
//! and prints every acknowledged change.
//!
//! Start reading at [`IamStore`], then [`KvStore`] and [`conformance::run`].

pub mod api;
mod cache;
pub mod conformance;
mod entity;
mod error;
pub mod export;
mod feed;
mod keys;
pub mod kv;
mod page;
mod store;
mod txn;

pub use api::{
    AccountStore, AccountSummary, AttachedPolicy, CredentialStore, GroupPolicies, GroupStore,
    IamStore, ListPoliciesOptions, ManagedPolicyDocument, MfaAssignment, PolicyEntities,
    PolicyScope, PolicyStore, Principal, PrincipalPolicies, ProviderStore, RoleStore,
    SessionRevocation, SessionStore, Stored, TimeStepAcceptance, UserStore,
};
pub use entity::EntityKind;
pub use error::StoreError;
pub use feed::{Change, Identity};
pub use kv::Revision;
pub use page::{DEFAULT_MAX_ITEMS, ListOptions, MAX_MAX_ITEMS, Page, page_in_key_order};
pub use store::{FORMAT_VERSION, KvStore, MemoryStore, SledStore};

/// The storage traits, to call any store method on an `Arc<dyn IamStore>`.
pub mod prelude {
    pub use crate::api::{
        AccountStore, CredentialStore, GroupStore, IamStore, PolicyStore, ProviderStore, RoleStore,
        SessionStore, UserStore,
    };
}
