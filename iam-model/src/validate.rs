//! Validation of names, paths, tags, descriptions and other request fields against AWS's
//! limits and character sets.
//!
//! Each function checks one kind of field and returns a [`ModelError`] naming the AWS
//! parameter and the offending value. Lengths count Unicode characters, not bytes. The limits
//! are those of the IAM and STS API references (2010-05-08 and 2011-06-15 models).

use std::sync::LazyLock;

use regex::Regex;

use crate::error::shorten;
use crate::{ModelError, PasswordPolicy, Role, Tag};

/// The maximum number of tags on one resource.
pub const MAX_TAGS: usize = 50;
/// The maximum number of client ids (audiences) of one OIDC provider.
pub const MAX_OIDC_CLIENT_IDS: usize = 100;
/// The maximum number of thumbprints of one OIDC provider.
pub const MAX_OIDC_THUMBPRINTS: usize = 5;

const NAME_CHARACTERS: &str = "letters, digits and `_+=,.@-`";

/// Checks a user name: 1 to 64 of `[A-Za-z0-9_+=,.@-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn user_name(value: &str) -> Result<(), ModelError> {
    entity_name("UserName", value, 64)
}

/// Checks a group name: 1 to 128 of `[A-Za-z0-9_+=,.@-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn group_name(value: &str) -> Result<(), ModelError> {
    entity_name("GroupName", value, 128)
}

/// Checks a role name: 1 to 64 of `[A-Za-z0-9_+=,.@-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn role_name(value: &str) -> Result<(), ModelError> {
    entity_name("RoleName", value, 64)
}

/// Checks a managed or inline policy name: 1 to 128 of `[A-Za-z0-9_+=,.@-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn policy_name(value: &str) -> Result<(), ModelError> {
    entity_name("PolicyName", value, 128)
}

/// Checks an instance profile name: 1 to 128 of `[A-Za-z0-9_+=,.@-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn instance_profile_name(value: &str) -> Result<(), ModelError> {
    entity_name("InstanceProfileName", value, 128)
}

/// Checks a virtual MFA device name: 1 to 128 of `[A-Za-z0-9_+=,.@-]`.
///
/// NOTE: AWS's API model sets no maximum for this name, only one of 256 characters for the
/// serial number ARN built from it. The 128 here is the limit of the other IAM names. A long
/// path can still push the ARN past 256 characters, so check it with [`serial_number`] too.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn mfa_device_name(value: &str) -> Result<(), ModelError> {
    entity_name("VirtualMFADeviceName", value, 128)
}

/// Checks a SAML provider name: 1 to 128 of `[A-Za-z0-9_.-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn saml_provider_name(value: &str) -> Result<(), ModelError> {
    length("Name", value, 1, 128)?;
    characters("Name", value, "letters, digits and `_.-`", |c| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
    })
}

/// Checks the path of a user, group, role, instance profile or MFA device: `/` alone, or up to
/// 512 printable ASCII characters that begin and end with `/`, such as `/division/team/`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`], [`ModelError::InvalidCharacter`] or
/// [`ModelError::InvalidFormat`].
pub fn path(value: &str) -> Result<(), ModelError> {
    length("Path", value, 1, 512)?;
    characters("Path", value, "printable ASCII characters", |c| {
        matches!(c, '\u{21}'..='\u{7e}')
    })?;

    let is_root = value == "/";
    let is_enclosed = value.len() >= 3 && value.starts_with('/') && value.ends_with('/');
    if !is_root && !is_enclosed {
        return Err(invalid_format(
            "Path",
            value,
            "`/` or a path that begins and ends with `/`",
        ));
    }
    Ok(())
}

/// Checks the path of a managed policy: `/`, or `/` followed by segments of
/// `[A-Za-z0-9.,+@=_-]` each ending in `/`, up to 512 characters.
///
/// This is narrower than [`path`]: AWS's API model gives policy paths their own pattern, which
/// leaves out `*` and most other punctuation.
///
/// # Errors
///
/// [`ModelError::InvalidLength`], [`ModelError::InvalidCharacter`] or
/// [`ModelError::InvalidFormat`].
pub fn policy_path(value: &str) -> Result<(), ModelError> {
    length("Path", value, 1, 512)?;
    characters("Path", value, "letters, digits and `/.,+@=_-`", |c| {
        c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | ',' | '+' | '@' | '=' | '_' | '-')
    })?;

    let expected = "`/` or `/` followed by non-empty segments each ending in `/`";
    let Some(inner) = value.strip_suffix('/') else {
        return Err(invalid_format("Path", value, expected));
    };
    let has_empty_segment = inner.split('/').skip(1).any(str::is_empty);
    let is_valid = inner.is_empty() || (inner.starts_with('/') && !has_empty_segment);
    if !is_valid {
        return Err(invalid_format("Path", value, expected));
    }
    Ok(())
}

/// Checks a `PathPrefix` filter of a list operation: `/` followed by up to 511 ASCII
/// characters from `!` to DEL.
///
/// # Errors
///
/// [`ModelError::InvalidLength`], [`ModelError::InvalidCharacter`] or
/// [`ModelError::InvalidFormat`].
pub fn path_prefix(value: &str) -> Result<(), ModelError> {
    length("PathPrefix", value, 1, 512)?;
    characters(
        "PathPrefix",
        value,
        "ASCII characters from `!` to DEL",
        |c| matches!(c, '\u{21}'..='\u{7f}'),
    )?;
    if !value.starts_with('/') {
        return Err(invalid_format(
            "PathPrefix",
            value,
            "a prefix beginning with `/`",
        ));
    }
    Ok(())
}

/// Checks an account alias: 3 to 63 lower-case letters, digits and hyphens, neither beginning
/// nor ending with a hyphen and with no two hyphens in a row.
///
/// # Errors
///
/// [`ModelError::InvalidLength`], [`ModelError::InvalidCharacter`] or
/// [`ModelError::InvalidFormat`].
pub fn account_alias(value: &str) -> Result<(), ModelError> {
    length("AccountAlias", value, 3, 63)?;
    characters(
        "AccountAlias",
        value,
        "lower-case letters, digits and `-`",
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    )?;

    let has_hyphen_at_edge = value.starts_with('-') || value.ends_with('-');
    if has_hyphen_at_edge || value.contains("--") {
        return Err(invalid_format(
            "AccountAlias",
            value,
            "no `-` at either end and no `--`",
        ));
    }
    Ok(())
}

/// Checks a role description: up to 1000 characters from tab, line feed, carriage return,
/// printable ASCII and U+00A1 to U+00FF.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn role_description(value: &str) -> Result<(), ModelError> {
    length("Description", value, 0, 1000)?;
    characters(
        "Description",
        value,
        "tab, line feed, carriage return, printable ASCII and U+00A1 to U+00FF",
        |c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a1}'..='\u{ff}'),
    )
}

/// Checks a managed policy description: up to 1000 characters of any kind.
///
/// # Errors
///
/// [`ModelError::InvalidLength`].
pub fn policy_description(value: &str) -> Result<(), ModelError> {
    length("Description", value, 0, 1000)
}

/// Checks a policy document's text, before parsing: 1 to 131,072 characters from tab, line
/// feed, carriage return and U+0020 to U+00FF.
///
/// The per-kind size quotas, which ignore white space, are checked by [`crate::Quotas`].
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn policy_document(field: &'static str, value: &str) -> Result<(), ModelError> {
    length(field, value, 1, 131_072)?;
    characters(
        field,
        value,
        "tab, line feed, carriage return and U+0020 to U+00FF",
        is_policy_character,
    )
}

/// Checks a role session name for `AssumeRole`: 2 to 64 of `[A-Za-z0-9_+=,.@-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn role_session_name(value: &str) -> Result<(), ModelError> {
    length("RoleSessionName", value, 2, 64)?;
    characters("RoleSessionName", value, NAME_CHARACTERS, is_name_character)
}

/// Checks the name of a federated user for `GetFederationToken`: 2 to 32 of
/// `[A-Za-z0-9_+=,.@-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn federated_user_name(value: &str) -> Result<(), ModelError> {
    length("Name", value, 2, 32)?;
    characters("Name", value, NAME_CHARACTERS, is_name_character)
}

/// Checks a source identity for `AssumeRole`: 2 to 64 of `[A-Za-z0-9_+=,.@-]`, not beginning
/// with `aws:` in any case.
///
/// # Errors
///
/// [`ModelError::InvalidLength`], [`ModelError::InvalidCharacter`] or
/// [`ModelError::InvalidFormat`].
pub fn source_identity(value: &str) -> Result<(), ModelError> {
    length("SourceIdentity", value, 2, 64)?;
    characters("SourceIdentity", value, NAME_CHARACTERS, is_name_character)?;
    if has_aws_prefix(value) {
        return Err(invalid_format(
            "SourceIdentity",
            value,
            "a value not beginning with `aws:`",
        ));
    }
    Ok(())
}

/// Checks an external id for `AssumeRole`: 2 to 1224 of `[A-Za-z0-9_+=,.@:/-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn external_id(value: &str) -> Result<(), ModelError> {
    length("ExternalId", value, 2, 1224)?;
    characters(
        "ExternalId",
        value,
        "letters, digits and `_+=,.@:/-`",
        |c| is_name_character(c) || matches!(c, ':' | '/'),
    )
}

/// Checks an MFA device serial number, a virtual device's ARN or a hardware device's serial:
/// 9 to 256 of `[A-Za-z0-9_+=/:,.@-]`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn serial_number(value: &str) -> Result<(), ModelError> {
    length("SerialNumber", value, 9, 256)?;
    characters(
        "SerialNumber",
        value,
        "letters, digits and `_+=/:,.@-`",
        |c| is_name_character(c) || matches!(c, ':' | '/'),
    )
}

/// Checks an MFA code, such as `TokenCode` or `AuthenticationCode1`: exactly 6 digits.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`], with `***` in place of
/// the value.
pub fn mfa_code(field: &'static str, value: &str) -> Result<(), ModelError> {
    // A one-time code is a credential, and these messages reach logs and the audit trail, so
    // they show `***` in place of the value.
    length(field, value, 6, 6)
        .and_then(|()| characters(field, value, "digits", |c| c.is_ascii_digit()))
        .map_err(redact_value)
}

/// Checks the text of an access key id in a request: 16 to 128 of `[A-Za-z0-9_]`.
///
/// Whether the id has a known prefix is a separate question, answered by parsing it as a
/// [`crate::UniqueId`].
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn access_key_id(value: &str) -> Result<(), ModelError> {
    length("AccessKeyId", value, 16, 128)?;
    characters("AccessKeyId", value, "letters, digits and `_`", |c| {
        c.is_ascii_alphanumeric() || c == '_'
    })
}

/// Checks an inline session policy passed to STS: 1 to 2048 characters from tab, line feed,
/// carriage return and U+0020 to U+00FF.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn session_policy(value: &str) -> Result<(), ModelError> {
    length("Policy", value, 1, 2048)?;
    characters(
        "Policy",
        value,
        "tab, line feed, carriage return and U+0020 to U+00FF",
        is_policy_character,
    )
}

/// Checks a console password against AWS's outer limits: 1 to 128 characters from tab, line
/// feed, carriage return and U+0020 to U+00FF. The account's [`PasswordPolicy`] is a separate
/// check.
///
/// The error names neither the password nor any of its characters, so a password never reaches
/// a message or a log.
///
/// # Errors
///
/// [`ModelError::InvalidPassword`].
pub fn password(value: &str) -> Result<(), ModelError> {
    let length = value.chars().count();
    if !(1..=128).contains(&length) {
        return Err(ModelError::InvalidPassword("expected 1 to 128 characters"));
    }
    if !value.chars().all(is_policy_character) {
        return Err(ModelError::InvalidPassword(
            "expected only tab, line feed, carriage return and U+0020 to U+00FF",
        ));
    }
    Ok(())
}

/// Checks a role's `MaxSessionDuration`: 3600 to 43200 seconds.
///
/// # Errors
///
/// [`ModelError::OutOfRange`].
pub fn max_session_duration(seconds: u32) -> Result<(), ModelError> {
    range(
        "MaxSessionDuration",
        seconds.into(),
        Role::MAX_SESSION_DURATION_MIN.into(),
        Role::MAX_SESSION_DURATION_MAX.into(),
    )
}

/// Checks every bounded field of a password policy.
///
/// # Errors
///
/// [`ModelError::OutOfRange`] naming the first field out of bounds.
pub fn password_policy(policy: &PasswordPolicy) -> Result<(), ModelError> {
    range(
        "MinimumPasswordLength",
        policy.minimum_password_length.into(),
        PasswordPolicy::MINIMUM_PASSWORD_LENGTH_MIN.into(),
        PasswordPolicy::MINIMUM_PASSWORD_LENGTH_MAX.into(),
    )?;
    if let Some(days) = policy.max_password_age {
        range(
            "MaxPasswordAge",
            days.into(),
            1,
            PasswordPolicy::MAX_PASSWORD_AGE_MAX.into(),
        )?;
    }
    if let Some(count) = policy.password_reuse_prevention {
        range(
            "PasswordReusePrevention",
            count.into(),
            1,
            PasswordPolicy::PASSWORD_REUSE_PREVENTION_MAX.into(),
        )?;
    }
    Ok(())
}

/// Checks one tag key: 1 to 128 Unicode letters, numbers, spaces and `_.:/=+-@`, not
/// beginning with `aws:` in any case.
///
/// # Errors
///
/// [`ModelError::InvalidLength`], [`ModelError::InvalidCharacter`] or
/// [`ModelError::ReservedTagKey`].
pub fn tag_key(value: &str) -> Result<(), ModelError> {
    length("TagKey", value, 1, 128)?;
    characters("TagKey", value, TAG_CHARACTERS, is_tag_character)?;
    if has_aws_prefix(value) {
        return Err(ModelError::ReservedTagKey(value.to_owned()));
    }
    Ok(())
}

/// Checks one tag value: up to 256 Unicode letters, numbers, spaces and `_.:/=+-@`.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidCharacter`].
pub fn tag_value(value: &str) -> Result<(), ModelError> {
    length("TagValue", value, 0, 256)?;
    characters("TagValue", value, TAG_CHARACTERS, is_tag_character)
}

/// Checks a list of tags: at most 50, each key and value valid, and keys unique ignoring case.
///
/// A resource's stored tags and the tags a `Tag*` request adds are checked together by
/// passing the merged list.
///
/// # Errors
///
/// [`ModelError::TooManyItems`], [`ModelError::DuplicateTagKey`], or the error of the first
/// invalid key or value.
pub fn tags(tags: &[Tag]) -> Result<(), ModelError> {
    if tags.len() > MAX_TAGS {
        return Err(ModelError::TooManyItems {
            field: "Tags",
            count: tags.len(),
            max: MAX_TAGS,
        });
    }

    let mut seen_keys = std::collections::HashSet::with_capacity(tags.len());
    for tag in tags {
        tag_key(&tag.key)?;
        tag_value(&tag.value)?;
        if !seen_keys.insert(tag.key.to_lowercase()) {
            return Err(ModelError::DuplicateTagKey(tag.key.clone()));
        }
    }
    Ok(())
}

/// Checks the key list of an `Untag*` request: at most 50 keys, each valid.
///
/// # Errors
///
/// [`ModelError::TooManyItems`] or the error of the first invalid key.
pub fn tag_keys(keys: &[String]) -> Result<(), ModelError> {
    if keys.len() > MAX_TAGS {
        return Err(ModelError::TooManyItems {
            field: "TagKeys",
            count: keys.len(),
            max: MAX_TAGS,
        });
    }
    keys.iter().try_for_each(|key| tag_key(key))
}

/// Checks an OIDC provider's issuer URL: 1 to 255 characters beginning with `https://` and
/// followed by a host.
///
/// # Errors
///
/// [`ModelError::InvalidLength`] or [`ModelError::InvalidFormat`].
pub fn oidc_url(value: &str) -> Result<(), ModelError> {
    length("Url", value, 1, 255)?;

    let host = value
        .strip_prefix("https://")
        .map(|rest| rest.split('/').next().unwrap_or_default());
    let has_host = host.is_some_and(|host| !host.is_empty());
    let has_query_or_fragment = value.contains(['?', '#']);
    if !has_host || has_query_or_fragment || value.contains(char::is_whitespace) {
        return Err(invalid_format(
            "Url",
            value,
            "`https://` followed by a host and an optional path",
        ));
    }
    Ok(())
}

/// Checks an OIDC provider's client id list: at most 100 ids of 1 to 255 characters each.
///
/// # Errors
///
/// [`ModelError::TooManyItems`] or [`ModelError::InvalidLength`].
pub fn oidc_client_ids(client_ids: &[String]) -> Result<(), ModelError> {
    if client_ids.len() > MAX_OIDC_CLIENT_IDS {
        return Err(ModelError::TooManyItems {
            field: "ClientIDList",
            count: client_ids.len(),
            max: MAX_OIDC_CLIENT_IDS,
        });
    }
    client_ids
        .iter()
        .try_for_each(|client_id| length("ClientID", client_id, 1, 255))
}

/// Checks an OIDC provider's thumbprint list: at most 5 thumbprints of exactly 40 hex digits
/// (a SHA-1 digest).
///
/// # Errors
///
/// [`ModelError::TooManyItems`], [`ModelError::InvalidLength`] or
/// [`ModelError::InvalidCharacter`].
pub fn oidc_thumbprints(thumbprints: &[String]) -> Result<(), ModelError> {
    if thumbprints.len() > MAX_OIDC_THUMBPRINTS {
        return Err(ModelError::TooManyItems {
            field: "ThumbprintList",
            count: thumbprints.len(),
            max: MAX_OIDC_THUMBPRINTS,
        });
    }
    thumbprints.iter().try_for_each(|thumbprint| {
        length("Thumbprint", thumbprint, 40, 40)?;
        characters("Thumbprint", thumbprint, "hex digits", |c| {
            c.is_ascii_hexdigit()
        })
    })
}

const TAG_CHARACTERS: &str = "Unicode letters, numbers, spaces and `_.:/=+-@`";

/// The character class of tag keys and values, with the Unicode general categories `L`
/// (letters), `Z` (separators) and `N` (numbers), which the standard library does not expose.
static TAG_CHARACTER: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "the pattern is a constant that tests compile"
    )]
    Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]$").expect("the tag character class compiles")
});

/// Checks a name of the common IAM form: 1 to `max` of `[A-Za-z0-9_+=,.@-]`.
fn entity_name(field: &'static str, value: &str, max: usize) -> Result<(), ModelError> {
    length(field, value, 1, max)?;
    characters(field, value, NAME_CHARACTERS, is_name_character)
}

/// Returns whether `c` is in Java's `[\w+=,.@-]`, the character class of IAM names.
fn is_name_character(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-')
}

/// Returns whether `c` may appear in a policy document or a password: tab, line feed, carriage
/// return, or U+0020 to U+00FF.
fn is_policy_character(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}')
}

/// Returns whether `c` is in `[\p{L}\p{Z}\p{N}_.:/=+\-@]`, the character class of tags.
fn is_tag_character(c: char) -> bool {
    let mut buffer = [0; 4];
    TAG_CHARACTER.is_match(c.encode_utf8(&mut buffer))
}

/// Returns whether `value` begins with `aws:`, ignoring case.
fn has_aws_prefix(value: &str) -> bool {
    value
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:"))
}

fn length(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), ModelError> {
    let length = value.chars().count();
    if length < min || length > max {
        return Err(ModelError::InvalidLength {
            field,
            value: shorten(value),
            length,
            min,
            max,
        });
    }
    Ok(())
}

fn characters(
    field: &'static str,
    value: &str,
    expected: &'static str,
    is_allowed: impl Fn(char) -> bool,
) -> Result<(), ModelError> {
    match value.chars().find(|&c| !is_allowed(c)) {
        Some(character) => Err(ModelError::InvalidCharacter {
            field,
            value: shorten(value),
            character,
            expected,
        }),
        None => Ok(()),
    }
}

/// Replaces the value that a length or character error repeats with `***`.
fn redact_value(error: ModelError) -> ModelError {
    const REDACTED: &str = "***";
    match error {
        ModelError::InvalidLength {
            field,
            length,
            min,
            max,
            ..
        } => ModelError::InvalidLength {
            field,
            value: REDACTED.to_owned(),
            length,
            min,
            max,
        },
        ModelError::InvalidCharacter {
            field,
            character,
            expected,
            ..
        } => ModelError::InvalidCharacter {
            field,
            value: REDACTED.to_owned(),
            character,
            expected,
        },
        other => other,
    }
}

fn range(field: &'static str, value: u64, min: u64, max: u64) -> Result<(), ModelError> {
    if value < min || value > max {
        return Err(ModelError::OutOfRange {
            field,
            value,
            min,
            max,
        });
    }
    Ok(())
}

fn invalid_format(field: &'static str, value: &str, expected: &'static str) -> ModelError {
    ModelError::InvalidFormat {
        field,
        value: shorten(value),
        expected,
    }
}

#[cfg(test)]
mod tests;
