//! The account password policy: its parameters and ranges, and the check of a new password.

use jiff::{SignedDuration, Timestamp};

pub use iam_model::PasswordPolicy;

use crate::AuthError;
use crate::password::PasswordHash;

/// The symbols that count for `RequireSymbols`, as the IAM API reference lists them.
pub const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

/// The range of `MinimumPasswordLength`.
pub const MINIMUM_PASSWORD_LENGTH_RANGE: std::ops::RangeInclusive<i64> = 6..=128;

/// The range of `MaxPasswordAge`, in days.
pub const MAX_PASSWORD_AGE_RANGE: std::ops::RangeInclusive<i64> = 1..=1095;

/// The range of `PasswordReusePrevention`, in previous passwords.
pub const PASSWORD_REUSE_PREVENTION_RANGE: std::ops::RangeInclusive<i64> = 1..=24;

/// The `MinimumPasswordLength` that `UpdateAccountPasswordPolicy` sets when the parameter is
/// omitted.
pub const DEFAULT_MINIMUM_PASSWORD_LENGTH: u8 = PasswordPolicy::MINIMUM_PASSWORD_LENGTH_MIN;

/// The maximum length of an IAM password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The minimum length under AWS's default rules, which apply while an account has no policy.
const AWS_DEFAULT_MINIMUM_LENGTH: usize = 8;

/// The number of character classes a password needs under AWS's default rules.
const AWS_DEFAULT_CLASSES: usize = 3;

/// The parameters of an `UpdateAccountPasswordPolicy` call; `None` means omitted.
///
/// Numbers are wide so out-of-range input reaches [`policy_from_update`] intact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordPolicyUpdate {
    /// `MinimumPasswordLength`, 6 to 128, 6 when omitted.
    pub minimum_password_length: Option<i64>,
    /// `RequireSymbols`, false when omitted.
    pub require_symbols: Option<bool>,
    /// `RequireNumbers`, false when omitted.
    pub require_numbers: Option<bool>,
    /// `RequireUppercaseCharacters`, false when omitted.
    pub require_uppercase_characters: Option<bool>,
    /// `RequireLowercaseCharacters`, false when omitted.
    pub require_lowercase_characters: Option<bool>,
    /// `AllowUsersToChangePassword`, false when omitted.
    pub allow_users_to_change_password: Option<bool>,
    /// `MaxPasswordAge` in days, 1 to 1095; omitted means passwords never expire.
    pub max_password_age: Option<i64>,
    /// `PasswordReusePrevention`, 1 to 24; omitted means no reuse check.
    pub password_reuse_prevention: Option<i64>,
    /// `HardExpiry`, false when omitted.
    pub hard_expiry: Option<bool>,
}

/// Builds the policy an `UpdateAccountPasswordPolicy` call sets: every omitted parameter
/// takes its default, because the call replaces the whole policy.
///
/// # Errors
///
/// [`AuthError::InvalidPasswordPolicy`] for the first parameter outside its range.
pub fn policy_from_update(update: &PasswordPolicyUpdate) -> Result<PasswordPolicy, AuthError> {
    let minimum_password_length = match update.minimum_password_length {
        Some(value) => checked(
            "MinimumPasswordLength",
            value,
            &MINIMUM_PASSWORD_LENGTH_RANGE,
            "6 to 128",
        )?,
        None => DEFAULT_MINIMUM_PASSWORD_LENGTH,
    };
    let max_password_age = update
        .max_password_age
        .map(|value| {
            checked(
                "MaxPasswordAge",
                value,
                &MAX_PASSWORD_AGE_RANGE,
                "1 to 1095",
            )
        })
        .transpose()?;
    let password_reuse_prevention = update
        .password_reuse_prevention
        .map(|value| {
            checked(
                "PasswordReusePrevention",
                value,
                &PASSWORD_REUSE_PREVENTION_RANGE,
                "1 to 24",
            )
        })
        .transpose()?;
    Ok(PasswordPolicy {
        minimum_password_length,
        require_symbols: update.require_symbols.unwrap_or(false),
        require_numbers: update.require_numbers.unwrap_or(false),
        require_uppercase_characters: update.require_uppercase_characters.unwrap_or(false),
        require_lowercase_characters: update.require_lowercase_characters.unwrap_or(false),
        allow_users_to_change_password: update.allow_users_to_change_password.unwrap_or(false),
        max_password_age,
        password_reuse_prevention,
        hard_expiry: update.hard_expiry.unwrap_or(false),
    })
}

/// Returns when a password set at `changed_at` expires, or `None` if passwords do not
/// expire.
pub fn password_expiration(policy: &PasswordPolicy, changed_at: Timestamp) -> Option<Timestamp> {
    let days = policy.max_password_age?;
    changed_at
        .checked_add(SignedDuration::from_hours(i64::from(days) * 24))
        .ok()
}

/// Checks `password` against every rule of the policy.
///
/// # Errors
///
/// [`AuthError::PasswordPolicyViolation`] listing every broken rule, or
/// [`AuthError::InvalidPassword`] when the password is empty, longer than 128 characters
/// or has a character outside tab, line feed, carriage return and U+0020 to U+00FF.
pub fn check_policy(policy: &PasswordPolicy, password: &str) -> Result<(), AuthError> {
    check_password_characters(password)?;
    let classes = CharacterClasses::of(password);
    let mut broken = Vec::new();
    if password.chars().count() < usize::from(policy.minimum_password_length) {
        broken.push(format!(
            "at least {} characters",
            policy.minimum_password_length
        ));
    }
    if policy.require_uppercase_characters && !classes.uppercase {
        broken.push("at least one upper-case letter (A to Z)".to_owned());
    }
    if policy.require_lowercase_characters && !classes.lowercase {
        broken.push("at least one lower-case letter (a to z)".to_owned());
    }
    if policy.require_numbers && !classes.number {
        broken.push("at least one number (0 to 9)".to_owned());
    }
    if policy.require_symbols && !classes.symbol {
        broken.push(format!("at least one symbol ({SYMBOLS})"));
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(AuthError::PasswordPolicyViolation(broken))
    }
}

/// Checks that `password` matches none of the most recent previous passwords that
/// `PasswordReusePrevention` covers. `previous` lists the stored hashes, newest first.
///
/// Each comparison costs one full PBKDF2 computation, so up to 24 of them run here.
///
/// # Errors
///
/// [`AuthError::PasswordReused`] when the password matches one of them.
pub fn check_reuse(
    policy: &PasswordPolicy,
    password: &str,
    previous: &[PasswordHash],
) -> Result<(), AuthError> {
    let Some(count) = policy.password_reuse_prevention else {
        return Ok(());
    };
    let reused = previous
        .iter()
        .take(usize::from(count))
        .any(|hash| hash.verify(password));
    if reused {
        return Err(AuthError::PasswordReused(count));
    }
    Ok(())
}

/// Checks `password` against AWS's default rules, which apply while the account has no
/// password policy. The password needs at least 8 characters and three of the four classes
/// (upper-case letters, lower-case letters, numbers, symbols), and must not equal any of
/// `account_names`, the account name or email address.
///
/// # Errors
///
/// [`AuthError::PasswordPolicyViolation`] listing every broken rule, or
/// [`AuthError::InvalidPassword`] as for [`check_policy`].
pub fn check_default_rules(password: &str, account_names: &[&str]) -> Result<(), AuthError> {
    check_password_characters(password)?;
    let classes = CharacterClasses::of(password);
    let mut broken = Vec::new();
    if password.chars().count() < AWS_DEFAULT_MINIMUM_LENGTH {
        broken.push(format!("at least {AWS_DEFAULT_MINIMUM_LENGTH} characters"));
    }
    if classes.count() < AWS_DEFAULT_CLASSES {
        broken.push(format!(
            "at least {AWS_DEFAULT_CLASSES} of: upper-case letters, lower-case letters, numbers, \
             symbols ({SYMBOLS})"
        ));
    }
    if account_names
        .iter()
        .any(|name| !name.is_empty() && name.eq_ignore_ascii_case(password))
    {
        broken.push("not the account name or email address".to_owned());
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(AuthError::PasswordPolicyViolation(broken))
    }
}

/// Checks a password under the account's policy, or under AWS's default rules when the
/// account has none.
///
/// # Errors
///
/// As [`check_policy`] and [`check_default_rules`].
pub fn check_password(
    policy: Option<&PasswordPolicy>,
    password: &str,
    account_names: &[&str],
) -> Result<(), AuthError> {
    match policy {
        Some(policy) => check_policy(policy, password),
        None => check_default_rules(password, account_names),
    }
}

struct CharacterClasses {
    uppercase: bool,
    lowercase: bool,
    number: bool,
    symbol: bool,
}

impl CharacterClasses {
    fn of(password: &str) -> Self {
        Self {
            uppercase: password.chars().any(|c| c.is_ascii_uppercase()),
            lowercase: password.chars().any(|c| c.is_ascii_lowercase()),
            number: password.chars().any(|c| c.is_ascii_digit()),
            symbol: password.chars().any(|c| SYMBOLS.contains(c)),
        }
    }

    fn count(&self) -> usize {
        [self.uppercase, self.lowercase, self.number, self.symbol]
            .into_iter()
            .filter(|present| *present)
            .count()
    }
}

fn check_password_characters(password: &str) -> Result<(), AuthError> {
    if password.is_empty() {
        return Err(AuthError::InvalidPassword("the password is empty"));
    }
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(AuthError::InvalidPassword(
            "the password is longer than 128 characters",
        ));
    }
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}');
    if !password.chars().all(allowed) {
        return Err(AuthError::InvalidPassword(
            "the password has a character outside tab, line feed, carriage return and U+0020 to \
             U+00FF",
        ));
    }
    Ok(())
}

fn checked<T: TryFrom<i64>>(
    parameter: &'static str,
    value: i64,
    range: &std::ops::RangeInclusive<i64>,
    expected: &'static str,
) -> Result<T, AuthError> {
    let invalid = || AuthError::InvalidPasswordPolicy {
        parameter,
        value,
        expected,
    };
    if !range.contains(&value) {
        return Err(invalid());
    }
    T::try_from(value).map_err(|_| invalid())
}

#[cfg(test)]
mod tests;
