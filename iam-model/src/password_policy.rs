//! The account password policy.

use serde::{Deserialize, Serialize};

/// The rules an account sets for IAM user console passwords, with AWS's field names.
///
/// [`PasswordPolicy::default`] has the values `UpdateAccountPasswordPolicy` uses for every
/// parameter the request leaves out.
///
/// NOTE: An account with no policy set is not the same as one with the default values. AWS
/// then applies its own default rule: at least 8 characters, a mix of three character classes,
/// and not the account name or email. These fields cannot express that rule, so [`Account`]
/// keeps the policy as an `Option`.
///
/// [`Account`]: crate::Account
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    /// The minimum password length, 6 to 128 characters.
    pub minimum_password_length: u8,
    /// Whether a password needs one of `! @ # $ % ^ & * ( ) _ + - = [ ] { } | '`.
    pub require_symbols: bool,
    /// Whether a password needs a digit (0 to 9).
    pub require_numbers: bool,
    /// Whether a password needs an upper-case letter (A to Z).
    pub require_uppercase_characters: bool,
    /// Whether a password needs a lower-case letter (a to z).
    pub require_lowercase_characters: bool,
    /// Whether users may change their own passwords.
    pub allow_users_to_change_password: bool,
    /// The number of days a password stays valid, 1 to 1095, or `None` when passwords never
    /// expire.
    pub max_password_age: Option<u16>,
    /// The number of previous passwords a user may not reuse, 1 to 24, or `None` when reuse
    /// is allowed.
    pub password_reuse_prevention: Option<u8>,
    /// Whether a user whose password expired is locked out until an administrator resets it.
    pub hard_expiry: bool,
}

impl PasswordPolicy {
    /// The smallest `MinimumPasswordLength` AWS accepts.
    pub const MINIMUM_PASSWORD_LENGTH_MIN: u8 = 6;
    /// The largest `MinimumPasswordLength` AWS accepts.
    pub const MINIMUM_PASSWORD_LENGTH_MAX: u8 = 128;
    /// The largest `MaxPasswordAge` AWS accepts, in days.
    pub const MAX_PASSWORD_AGE_MAX: u16 = 1095;
    /// The largest `PasswordReusePrevention` AWS accepts.
    pub const PASSWORD_REUSE_PREVENTION_MAX: u8 = 24;

    /// Returns AWS's `ExpirePasswords` field: whether passwords expire at all.
    pub fn expire_passwords(&self) -> bool {
        self.max_password_age.is_some()
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_password_length: Self::MINIMUM_PASSWORD_LENGTH_MIN,
            require_symbols: false,
            require_numbers: false,
            require_uppercase_characters: false,
            require_lowercase_characters: false,
            allow_users_to_change_password: false,
            max_password_age: None,
            password_reuse_prevention: None,
            hard_expiry: false,
        }
    }
}

#[cfg(test)]
mod tests;
