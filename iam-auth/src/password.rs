//! Password hashing with PBKDF2-HMAC-SHA256 in a self-describing encoded form.
//!
//! A hash is stored as `pbkdf2-sha256$<iterations>$<salt>$<hash>`, with salt and hash in
//! unpadded standard Base64. The iteration count travels with each hash, so the default can
//! rise while old hashes still verify. After a successful sign-in, the caller stores a fresh
//! hash when [`PasswordHash::needs_rehash`] returns true.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use iam_model::RandomSource;
use ring::pbkdf2;

use crate::AuthError;

/// The iteration count of new hashes.
pub const DEFAULT_ITERATIONS: u32 = 600_000;

/// The length of a generated salt, in bytes.
pub const SALT_LEN: usize = 16;

/// The length of the derived hash, in bytes: one SHA-256 output.
pub const HASH_LEN: usize = 32;

/// The maximum length of a password to hash, in bytes. AWS accepts at most 128 characters of
/// U+0009 to U+00FF, which is at most 256 bytes of UTF-8.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The maximum iteration count accepted from a stored hash, so a corrupted record cannot make
/// one sign-in run for minutes.
pub const MAX_ITERATIONS: u32 = 10_000_000;

/// The algorithm name in the encoded form.
const SCHEME: &str = "pbkdf2-sha256";

/// The salt lengths accepted when parsing, in bytes.
const SALT_LEN_RANGE: std::ops::RangeInclusive<usize> = 8..=64;

/// The HMAC hash function of a PBKDF2 computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pbkdf2Algorithm {
    /// PBKDF2-HMAC-SHA1, for checking RFC 6070 vectors only.
    Sha1,
    /// PBKDF2-HMAC-SHA256, the algorithm of stored passwords.
    Sha256,
}

/// Derives `out.len()` bytes with PBKDF2 (RFC 8018) through ring.
pub fn pbkdf2_derive(
    algorithm: Pbkdf2Algorithm,
    iterations: NonZeroU32,
    salt: &[u8],
    password: &[u8],
    out: &mut [u8],
) {
    let algorithm = match algorithm {
        Pbkdf2Algorithm::Sha1 => pbkdf2::PBKDF2_HMAC_SHA1,
        Pbkdf2Algorithm::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
    };
    pbkdf2::derive(algorithm, iterations, salt, password, out);
}

/// Hashes new passwords with a fixed iteration count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHasher {
    iterations: NonZeroU32,
}

impl PasswordHasher {
    /// Creates a hasher with `iterations` rounds.
    ///
    /// # Errors
    ///
    /// [`AuthError::MalformedPasswordHash`] when `iterations` is 0 or above
    /// [`MAX_ITERATIONS`].
    pub fn new(iterations: u32) -> Result<Self, AuthError> {
        Ok(Self {
            iterations: checked_iterations(iterations)?,
        })
    }

    /// Returns the iteration count of new hashes.
    pub fn iterations(&self) -> u32 {
        self.iterations.get()
    }

    /// Hashes `password` with a fresh random salt.
    ///
    /// # Errors
    ///
    /// [`AuthError::PasswordTooLong`] above [`MAX_PASSWORD_BYTES`].
    pub fn hash(
        &self,
        password: &str,
        random: &dyn RandomSource,
    ) -> Result<PasswordHash, AuthError> {
        let mut salt = [0u8; SALT_LEN];
        random.fill(&mut salt);
        self.hash_with_salt(password, &salt)
    }

    /// Hashes `password` with the given salt; [`PasswordHasher::hash`] is the usual entry.
    ///
    /// # Errors
    ///
    /// [`AuthError::PasswordTooLong`] above [`MAX_PASSWORD_BYTES`], and
    /// [`AuthError::MalformedPasswordHash`] for a salt outside 8 to 64 bytes.
    pub fn hash_with_salt(&self, password: &str, salt: &[u8]) -> Result<PasswordHash, AuthError> {
        check_password_length(password)?;
        if !SALT_LEN_RANGE.contains(&salt.len()) {
            return Err(AuthError::MalformedPasswordHash(
                "the salt must be 8 to 64 bytes",
            ));
        }
        let mut hash = [0u8; HASH_LEN];
        pbkdf2_derive(
            Pbkdf2Algorithm::Sha256,
            self.iterations,
            salt,
            password.as_bytes(),
            &mut hash,
        );
        Ok(PasswordHash {
            iterations: self.iterations,
            salt: salt.to_vec(),
            hash,
        })
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self {
            iterations: NonZeroU32::new(DEFAULT_ITERATIONS).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// A stored password hash. `Debug` shows only the iteration count.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash {
    iterations: NonZeroU32,
    salt: Vec<u8>,
    hash: [u8; HASH_LEN],
}

impl PasswordHash {
    /// Returns whether `password` matches, comparing in constant time.
    ///
    /// A password longer than [`MAX_PASSWORD_BYTES`] never matches.
    pub fn verify(&self, password: &str) -> bool {
        if check_password_length(password).is_err() {
            return false;
        }
        pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            self.iterations,
            &self.salt,
            password.as_bytes(),
            &self.hash,
        )
        .is_ok()
    }

    /// Returns whether this hash is weaker than what `hasher` writes now, so it should be
    /// replaced after the next successful verification.
    pub fn needs_rehash(&self, hasher: &PasswordHasher) -> bool {
        self.iterations < hasher.iterations || self.salt.len() < SALT_LEN
    }

    /// Returns the iteration count.
    pub fn iterations(&self) -> u32 {
        self.iterations.get()
    }
}

impl fmt::Display for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{SCHEME}${}${}${}",
            self.iterations,
            STANDARD_NO_PAD.encode(&self.salt),
            STANDARD_NO_PAD.encode(self.hash)
        )
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHash")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl FromStr for PasswordHash {
    type Err = AuthError;

    fn from_str(encoded: &str) -> Result<Self, Self::Err> {
        let mut parts = encoded.split('$');
        let (Some(scheme), Some(iterations), Some(salt), Some(hash), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(AuthError::MalformedPasswordHash(
                "expected `pbkdf2-sha256$<iterations>$<salt>$<hash>`",
            ));
        };
        if scheme != SCHEME {
            return Err(AuthError::MalformedPasswordHash("unsupported scheme"));
        }
        let iterations = iterations
            .parse::<u32>()
            .map_err(|_| AuthError::MalformedPasswordHash("the iteration count is not a number"))
            .and_then(checked_iterations)?;
        let salt = STANDARD_NO_PAD
            .decode(salt)
            .map_err(|_| AuthError::MalformedPasswordHash("the salt is not Base64"))?;
        if !SALT_LEN_RANGE.contains(&salt.len()) {
            return Err(AuthError::MalformedPasswordHash(
                "the salt must be 8 to 64 bytes",
            ));
        }
        let hash: [u8; HASH_LEN] = STANDARD_NO_PAD
            .decode(hash)
            .ok()
            .and_then(|hash| hash.try_into().ok())
            .ok_or(AuthError::MalformedPasswordHash(
                "the hash is not 32 bytes of Base64",
            ))?;
        Ok(Self {
            iterations,
            salt,
            hash,
        })
    }
}

fn checked_iterations(iterations: u32) -> Result<NonZeroU32, AuthError> {
    NonZeroU32::new(iterations)
        .filter(|iterations| iterations.get() <= MAX_ITERATIONS)
        .ok_or(AuthError::MalformedPasswordHash(
            "the iteration count must be 1 to 10,000,000",
        ))
}

fn check_password_length(password: &str) -> Result<(), AuthError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::PasswordTooLong {
            length: password.len(),
            max: MAX_PASSWORD_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
