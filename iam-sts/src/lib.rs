//! Temporary credentials: self-contained session tokens sealed with authenticated encryption,
//! and the STS operations that issue them.
//!
//! A session token carries its own claims (who, until when, with which session policies, tags
//! and MFA state) and its secret, sealed with AES-256-GCM under `iam-auth`'s
//! [`iam_auth::seal::Keyring`]. Any node with the keyring verifies any token, so there is no
//! session database. Keys rotate: new tokens are sealed under the current key and older keys
//! keep opening tokens until they are removed. Revocation is a cut-off time per role or user
//! ([`revocation`]), checked when a session authenticates.
//!
//! [`Sts`] runs the operations: `AssumeRole`, `AssumeRoleWithWebIdentity`, `GetSessionToken`,
//! `GetFederationToken` and `GetCallerIdentity` ([`Caller::identity`]), with
//! `DecodeAuthorizationMessage` in [`authorization_message`]. It reads roles, policies, MFA
//! devices and identity providers through `iam-store`'s traits and decides trust with
//! `iam-policy`'s evaluator. [`params`] contains AWS's parameter rules and [`web_identity`] the
//! JWT checks. Errors are [`StsError`] variants, each with its AWS error code.
//!
//! The crate reads time only through [`iam_model::Clock`] and randomness only through
//! [`iam_model::RandomSource`]. It does not verify request signatures (that is `iam-auth`'s
//! job); it returns the session's secret so the caller can. It logs nothing: callers log the
//! errors they return.
//!
//! Start reading at [`Sts`], then [`SessionTokens`] and [`SessionClaims`].

pub mod authorization_message;
mod caller;
mod claims;
mod codec;
mod context;
mod error;
pub mod mfa;
pub mod params;
pub mod revocation;
mod service;
mod token;
pub mod web_identity;

#[cfg(test)]
mod testing;

pub use caller::{Caller, CallerIdentity, root_arn};
pub use claims::{PrincipalKind, SessionClaims, SessionTag};
pub use context::insert_session_keys;
pub use error::StsError;
pub use service::{
    AssumeRoleRequest, AssumeRoleWithWebIdentityRequest, GetFederationTokenRequest,
    GetSessionTokenRequest, IssuedSession, ROOT_MFA_OWNER, Sts, WebIdentitySession,
};
pub use token::{
    MAX_SESSION_TOKEN_LEN, SESSION_TOKEN_CONTEXT, SessionCredentials, SessionTokens,
    VerifiedSession,
};
