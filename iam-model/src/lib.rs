//! Domain types of the IAM service, with no I/O.
//!
//! This crate defines the types every other crate of the workspace uses. They are account ids
//! and partitions ([`AccountId`], [`Partition`]), Amazon Resource Names ([`Arn`], and the
//! typed [`IamArn`] for IAM and STS resources), and unique ids ([`UniqueId`]). Then come the
//! entities IAM stores ([`User`], [`Group`], [`Role`], [`ManagedPolicy`], [`AccessKey`] and
//! the rest), and the [`Clock`] and [`RandomSource`] traits through which time and randomness
//! are injected.
//! The [`validate`] module checks request fields against AWS's limits and character sets, and
//! [`Quotas`] holds the count and size quotas with AWS's defaults.
//!
//! It deliberately does no I/O, reads no clock, draws no system randomness and logs nothing:
//! callers pass time and random bytes in, so every function here is deterministic.
//!
//! Start reading at [`Arn`] and [`IamArn`], then the entities in `principal.rs`.

mod account;
mod arn;
mod clock;
mod credential;
mod error;
mod iam_arn;
mod password_policy;
mod policy;
mod principal;
mod provider;
mod quota;
mod random;
mod tag;
mod unique_id;
pub mod validate;

pub use account::{Account, AccountId, Partition};
pub use arn::Arn;
pub use clock::{Clock, FixedClock};
pub use credential::{
    AccessKey, AccessKeyLastUsed, AccessKeyStatus, LoginProfile, ROOT_USER_NAME, SealedAccessKey,
    SealedBytes, VirtualMfaDevice,
};
pub use error::{ModelError, shorten};
pub use iam_arn::{ArnAccount, IamArn, IamResource};
pub use password_policy::PasswordPolicy;
pub use policy::{InlinePolicy, ManagedPolicy, PolicyVersion, PolicyVersionId};
pub use principal::{Group, Role, RoleLastUsed, User, name_key};
pub use provider::{InstanceProfile, OidcProvider};
pub use quota::{Quota, Quotas, policy_size};
pub use random::{RandomSource, SeededRandom};
pub use tag::{Tag, merge_tags, remove_tags};
pub use unique_id::{UniqueId, UniqueIdKind};
