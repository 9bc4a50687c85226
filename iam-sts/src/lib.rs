//! Temporary credentials: self-contained session tokens sealed with authenticated encryption,
//! and the STS operations that issue them.
//!
//! A session token carries its own claims (who, until when, with which session policies, tags
//! and MFA state) and its secret, sealed with AES-256-GCM under `iam-auth`'s
//! [`iam_auth::seal::Keyring`]. Any node with the keyring verifies any token, so there is no
//! session database. Keys rotate: new tokens are sealed under the current key and older keys
//! keep opening tokens until they are removed.
//!
//! This crate does no I/O and reads no clock: the caller passes the time and a
//! [`iam_model::RandomSource`]. It does not verify request signatures (that is `iam-auth`'s
//! job); it returns the session's secret so the caller can.
//!
//! Start reading at [`SessionTokens`] and [`SessionClaims`].

pub mod authorization_message;
mod caller;
mod claims;
mod codec;
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
pub use error::StsError;
pub use service::{
    AssumeRoleRequest, AssumeRoleWithWebIdentityRequest, GetFederationTokenRequest,
    GetSessionTokenRequest, IssuedSession, ROOT_MFA_OWNER, Sts, WebIdentitySession,
};
pub use token::{
    MAX_SESSION_TOKEN_LEN, SESSION_TOKEN_CONTEXT, SessionCredentials, SessionTokens,
    VerifiedSession,
};
