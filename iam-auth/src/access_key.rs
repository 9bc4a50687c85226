//! Access key ids, secret access keys and session tokens, and their generation.

use std::fmt;
use std::str::FromStr;

use iam_model::RandomSource;

use crate::AuthError;

/// The number of characters after the `AKIA` or `ASIA` prefix of a generated access key id.
const ACCESS_KEY_ID_SUFFIX_LEN: usize = 16;

/// The length of a generated secret access key, in characters.
pub const SECRET_ACCESS_KEY_LEN: usize = 40;

/// The RFC 4648 base32 alphabet (`A`-`Z`, `2`-`7`), from which AWS draws the characters of
/// its own access key ids. Ids given from outside, such as an imported root key, may use any
/// upper-case letter or digit.
const ID_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The Base64 alphabet, the alphabet of secret access keys.
const SECRET_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Whether an access key belongs to long-term or temporary credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKeyKind {
    /// A long-term key of an IAM user or the root user, prefix `AKIA`.
    LongTerm,
    /// A key of temporary credentials issued by STS, prefix `ASIA`.
    Temporary,
}

impl AccessKeyKind {
    /// Returns the four-letter prefix of ids of this kind.
    pub fn prefix(self) -> &'static str {
        match self {
            AccessKeyKind::LongTerm => "AKIA",
            AccessKeyKind::Temporary => "ASIA",
        }
    }
}

/// An access key id that this service issued: `AKIA` or `ASIA` and 16 upper-case letters or
/// digits, such as `AKIAIOSFODNN7EXAMPLE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    /// Generates a random id of the given kind.
    pub fn generate(kind: AccessKeyKind, random: &dyn RandomSource) -> Self {
        let mut id = String::with_capacity(4 + ACCESS_KEY_ID_SUFFIX_LEN);
        id.push_str(kind.prefix());
        push_random_characters(&mut id, ID_ALPHABET, ACCESS_KEY_ID_SUFFIX_LEN, random);
        Self(id)
    }

    /// Returns the kind of key the prefix names.
    pub fn kind(&self) -> AccessKeyKind {
        if self.0.starts_with("ASIA") {
            AccessKeyKind::Temporary
        } else {
            AccessKeyKind::LongTerm
        }
    }

    /// Returns the id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for AccessKeyId {
    type Err = AuthError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if !is_valid_access_key_id(value) {
            return Err(AuthError::InvalidAccessKeyIdFormat(value.to_owned()));
        }
        Ok(Self(value.to_owned()))
    }
}

impl TryFrom<String> for AccessKeyId {
    type Error = AuthError;

    /// Checks `value` as [`FromStr`] does, and keeps it without a copy.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if !is_valid_access_key_id(&value) {
            return Err(AuthError::InvalidAccessKeyIdFormat(value));
        }
        Ok(Self(value))
    }
}

/// Returns whether `value` is `AKIA` or `ASIA` and 16 upper-case letters or digits.
fn is_valid_access_key_id(value: &str) -> bool {
    let Some(suffix) = value
        .strip_prefix("AKIA")
        .or_else(|| value.strip_prefix("ASIA"))
    else {
        return false;
    };
    suffix.len() == ACCESS_KEY_ID_SUFFIX_LEN
        && suffix
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A secret access key. Its `Debug` output is `***` so it never reaches a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretAccessKey(String);

impl SecretAccessKey {
    /// Wraps an existing secret, such as one opened from its sealed form.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// Generates a random 40-character secret from the Base64 alphabet.
    pub fn generate(random: &dyn RandomSource) -> Self {
        let mut secret = String::with_capacity(SECRET_ACCESS_KEY_LEN);
        push_random_characters(&mut secret, SECRET_ALPHABET, SECRET_ACCESS_KEY_LEN, random);
        Self(secret)
    }

    /// Returns the secret text, for signing and for sealing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretAccessKey(***)")
    }
}

/// A session token of temporary credentials (`X-Amz-Security-Token`). Its `Debug` output is
/// `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecurityToken(String);

impl SecurityToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// Returns the token text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecurityToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityToken(***)")
    }
}

/// Generates a new access key id of `kind` and its secret.
pub fn generate_access_key(
    kind: AccessKeyKind,
    random: &dyn RandomSource,
) -> (AccessKeyId, SecretAccessKey) {
    (
        AccessKeyId::generate(kind, random),
        SecretAccessKey::generate(random),
    )
}

/// Appends `count` characters drawn uniformly from `alphabet`.
///
/// Bytes at or above the largest multiple of the alphabet size are drawn again, so every
/// character is equally likely.
fn push_random_characters(
    out: &mut String,
    alphabet: &[u8],
    count: usize,
    random: &dyn RandomSource,
) {
    let alphabet_len = match u8::try_from(alphabet.len()) {
        Ok(0) | Err(_) => return,
        Ok(len) => len,
    };
    let limit = u16::from(u8::MAX) + 1 - (256 % u16::from(alphabet_len));
    let mut buffer = [0u8; 64];
    let mut written = 0;
    while written < count {
        random.fill(&mut buffer);
        for byte in buffer {
            if written == count {
                break;
            }
            if u16::from(byte) >= limit {
                continue;
            }
            if let Some(character) = alphabet.get(usize::from(byte % alphabet_len)) {
                out.push(char::from(*character));
                written += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests;
