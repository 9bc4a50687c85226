//! Proof of identity for the IAM service: SigV4 request verification and signing, access key
//! generation, secrets sealed at rest, password hashing with the account password policy, and
//! TOTP multi-factor authentication.
//!
//! The crate does no I/O and stores nothing. Callers inject time (`iam_model::Clock`) and
//! randomness (`iam_model::RandomSource`), and hand credentials in: [`sigv4::Verifier`] looks
//! secrets up through a [`sigv4::SecretResolver`] that the server implements over its store.
//! It does not check session tokens (the STS crate does) or evaluate policies.
//!
//! Main types:
//! - [`sigv4::Verifier`] and [`sigv4::Signer`]: Signature Version 4, header and presigned.
//! - [`sigv4::ParsedSignature`]: a request's signature fields, parsed once so a server can read
//!   the access key id and scope before it verifies.
//! - [`AccessKeyId`] and [`SecretAccessKey`]: generated access keys.
//! - [`seal::Keyring`]: authenticated encryption of stored secrets under rotating keys.
//! - [`password::PasswordHasher`] and [`password_policy::PasswordPolicy`]: sign-in passwords.
//! - [`totp::Totp`]: virtual MFA devices (RFC 6238), with enrollment URI and QR code.
//!
//! Start reading at [`sigv4::Verifier::verify`].

mod access_key;
mod encoding;
mod error;
pub mod password;
pub mod password_policy;
mod random;
pub mod seal;
pub mod sigv4;
pub mod totp;

pub use access_key::{
    AccessKeyId, AccessKeyKind, SECRET_ACCESS_KEY_LEN, SecretAccessKey, SecurityToken,
    generate_access_key,
};
pub use error::AuthError;
pub use random::{SystemRandomSource, ThreadRandomSource};
