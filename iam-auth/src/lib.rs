//! Proof of identity: SigV4 request verification and signing, access key generation, secrets sealed at rest, password hashing with the account password policy, and TOTP MFA.
//!
//! This crate is still being built; its public items arrive with its first feature.
