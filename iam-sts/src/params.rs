//! AWS's rules for STS request parameters: names, durations, session policies and tags.
//!
//! Each check returns [`StsError::Validation`] naming the parameter as AWS spells it, except the
//! packed size check, which returns [`StsError::PackedPolicyTooLarge`].

use iam_model::{Arn, validate};

use crate::{SessionTag, StsError};

/// The minimum session duration AWS issues, in seconds.
pub const MIN_DURATION_SECONDS: i64 = 900;
/// The default `DurationSeconds` of `AssumeRole`.
pub const DEFAULT_ROLE_DURATION_SECONDS: i64 = 3600;
/// The maximum duration of a role session requested with session credentials (role chaining).
pub const MAX_CHAINED_DURATION_SECONDS: i64 = 3600;
/// The maximum `MaxSessionDuration` of a role, in seconds.
pub const MAX_ROLE_SESSION_DURATION_SECONDS: i64 = 43_200;
/// The default `DurationSeconds` of `GetSessionToken` and `GetFederationToken`.
pub const DEFAULT_USER_SESSION_SECONDS: i64 = 43_200;
/// The maximum duration of an IAM user's `GetSessionToken` or `GetFederationToken` session.
pub const MAX_USER_SESSION_SECONDS: i64 = 129_600;
/// The maximum, and default, duration of the root user's `GetSessionToken` session.
pub const MAX_ROOT_SESSION_SECONDS: i64 = 3600;
/// The maximum length of an inline session policy, in characters.
pub const MAX_SESSION_POLICY_CHARS: usize = 2048;
/// The maximum number of managed policy ARNs passed as session policies.
pub const MAX_SESSION_POLICY_ARNS: usize = 10;
/// The maximum number of session tags on one request.
pub const MAX_SESSION_TAGS: usize = 50;
/// The space allotted to the packed session policies and tags, in bytes.
///
/// NOTE: AWS compresses session policies and tags into a binary format whose size limit it
/// does not publish. This service packs them without compression (the compact policy document,
/// each ARN, each tag key and value). The allotment is what remains of the 4,096 bytes the
/// sealing keyring takes once the other claims are at their maximum length, so a compact
/// 2,048-character policy fits with a few short tags, and 50 long tags do not.
pub const PACKED_POLICY_ALLOTMENT: usize = 2400;

/// Checks a `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]`.
pub fn validate_role_session_name(name: &str) -> Result<(), StsError> {
    validate::role_session_name(name).map_err(StsError::from_model)
}

/// Checks a `SourceIdentity`: 2 to 64 characters of `[\w+=,.@-]`, not starting with `aws:`.
pub fn validate_source_identity(source_identity: &str) -> Result<(), StsError> {
    validate::source_identity(source_identity).map_err(StsError::from_model)
}

/// Checks an `ExternalId`: 2 to 1,224 characters of `[\w+=,.@:/-]`.
pub fn validate_external_id(external_id: &str) -> Result<(), StsError> {
    validate::external_id(external_id).map_err(StsError::from_model)
}

/// Checks an MFA `SerialNumber`: 9 to 256 characters of `[\w+=/:,.@-]`.
pub fn validate_serial_number(serial_number: &str) -> Result<(), StsError> {
    validate::serial_number(serial_number).map_err(StsError::from_model)
}

/// Checks an MFA `TokenCode`: exactly six digits.
pub fn validate_token_code(token_code: &str) -> Result<(), StsError> {
    validate::mfa_code("TokenCode", token_code).map_err(StsError::from_model)
}

/// Checks the `Name` of a federated user: 2 to 32 characters of `[\w+=,.@-]`.
pub fn validate_federated_name(name: &str) -> Result<(), StsError> {
    validate::federated_user_name(name).map_err(StsError::from_model)
}

/// Returns the duration of a role session: `requested`, or 3,600 seconds by default.
///
/// # Errors
///
/// [`StsError::Validation`] when the duration is below 900 seconds, above the role's
/// `MaxSessionDuration`, or above 3,600 seconds for a chained session.
pub fn role_session_duration(
    requested: Option<i64>,
    role_max_seconds: i64,
    chained: bool,
) -> Result<i64, StsError> {
    let duration = requested.unwrap_or(DEFAULT_ROLE_DURATION_SECONDS);
    if duration < MIN_DURATION_SECONDS {
        return Err(StsError::validation(
            "DurationSeconds",
            format!("`{duration}` is below the minimum of {MIN_DURATION_SECONDS} seconds"),
        ));
    }
    if chained && duration > MAX_CHAINED_DURATION_SECONDS {
        return Err(StsError::validation(
            "DurationSeconds",
            format!(
                "`{duration}` exceeds the {MAX_CHAINED_DURATION_SECONDS}-second limit for role chaining"
            ),
        ));
    }
    if duration > role_max_seconds {
        return Err(StsError::validation(
            "DurationSeconds",
            format!(
                "`{duration}` exceeds the role's MaxSessionDuration of {role_max_seconds} seconds"
            ),
        ));
    }
    Ok(duration)
}

/// Returns the duration of a `GetSessionToken` or `GetFederationToken` session: `requested`,
/// or by default 43,200 seconds for an IAM user and 3,600 for root.
///
/// # Errors
///
/// [`StsError::Validation`] when the duration is below 900 seconds, above 129,600, or above
/// 3,600 for root.
pub fn user_session_duration(requested: Option<i64>, is_root: bool) -> Result<i64, StsError> {
    let (default, max) = if is_root {
        (MAX_ROOT_SESSION_SECONDS, MAX_ROOT_SESSION_SECONDS)
    } else {
        (DEFAULT_USER_SESSION_SECONDS, MAX_USER_SESSION_SECONDS)
    };
    let duration = requested.unwrap_or(default);
    if !(MIN_DURATION_SECONDS..=max).contains(&duration) {
        return Err(StsError::validation(
            "DurationSeconds",
            format!("`{duration}` is outside {MIN_DURATION_SECONDS} to {max} seconds"),
        ));
    }
    Ok(duration)
}

/// Checks an inline session policy's length and characters and returns it in compact form
/// (the same text without whitespace between tokens), the form that is packed and sealed.
///
/// # Errors
///
/// [`StsError::Validation`] for an empty policy, one longer than 2,048 characters, or one with
/// characters outside tab, line feed, carriage return and `U+0020..=U+00FF`;
/// [`StsError::MalformedPolicyDocument`] for text that is not a JSON object.
pub fn compact_session_policy(policy: &str) -> Result<String, StsError> {
    validate::session_policy(policy).map_err(StsError::from_model)?;
    let document: serde_json::Value = serde_json::from_str(policy)
        .map_err(|error| StsError::MalformedPolicyDocument(format!("invalid JSON: {error}")))?;
    if !document.is_object() {
        return Err(StsError::MalformedPolicyDocument(
            "the policy is not a JSON object".to_owned(),
        ));
    }
    Ok(strip_json_whitespace(policy))
}

/// Parses the managed policy ARNs passed as session policies: at most 10, each a valid ARN.
pub fn parse_session_policy_arns(arns: &[String]) -> Result<Vec<Arn>, StsError> {
    if arns.len() > MAX_SESSION_POLICY_ARNS {
        return Err(StsError::validation(
            "PolicyArns",
            format!(
                "{} ARNs exceed the maximum of {MAX_SESSION_POLICY_ARNS}",
                arns.len()
            ),
        ));
    }
    arns.iter()
        .map(|text| {
            if !(20..=2048).contains(&text.len()) {
                return Err(StsError::validation(
                    "PolicyArns",
                    format!("`{text}` is outside 20 to 2048 characters"),
                ));
            }
            text.parse::<Arn>()
                .map_err(|error| StsError::validation("PolicyArns", error.to_string()))
        })
        .collect()
}

/// Builds the session tags of a new session from the request's `Tags` and
/// `TransitiveTagKeys` and the transitive tags inherited from the caller's session.
///
/// Inherited tags come first and stay transitive. Tag keys compare case-insensitively.
///
/// # Errors
///
/// [`StsError::Validation`] for more than 50 tags or transitive keys, an invalid key or value,
/// or a key that starts with `aws:`. The same error covers two tags whose keys differ only in
/// case, a transitive key that names no passed tag, and a passed tag whose key an inherited
/// transitive tag already holds.
pub fn session_tags(
    tags: &[(String, String)],
    transitive_tag_keys: &[String],
    inherited: &[SessionTag],
) -> Result<Vec<SessionTag>, StsError> {
    if tags.len() > MAX_SESSION_TAGS {
        return Err(StsError::validation(
            "Tags",
            format!(
                "{} tags exceed the maximum of {MAX_SESSION_TAGS}",
                tags.len()
            ),
        ));
    }
    if transitive_tag_keys.len() > MAX_SESSION_TAGS {
        return Err(StsError::validation(
            "TransitiveTagKeys",
            format!(
                "{} keys exceed the maximum of {MAX_SESSION_TAGS}",
                transitive_tag_keys.len()
            ),
        ));
    }

    let mut result: Vec<SessionTag> = inherited
        .iter()
        .map(|tag| SessionTag {
            transitive: true,
            ..tag.clone()
        })
        .collect();
    for (key, value) in tags {
        validate_tag(key, value)?;
        let inherited_key = inherited
            .iter()
            .any(|tag| tag.key.eq_ignore_ascii_case(key));
        if inherited_key {
            // NOTE: AWS documents that an inherited transitive tag cannot be overridden in
            // the chain; the error code for trying is an assumption.
            return Err(StsError::validation(
                "Tags",
                format!("`{key}` is an inherited transitive tag and cannot be overridden"),
            ));
        }
        let repeated = result
            .iter()
            .skip(inherited.len())
            .any(|tag| tag.key.to_lowercase() == key.to_lowercase());
        if repeated {
            return Err(StsError::validation(
                "Tags",
                format!("duplicate tag key `{key}`, keys are case-insensitive"),
            ));
        }
        result.push(SessionTag {
            key: key.clone(),
            value: value.clone(),
            transitive: false,
        });
    }
    for transitive_key in transitive_tag_keys {
        let tag = result
            .iter_mut()
            .skip(inherited.len())
            .find(|tag| tag.key.to_lowercase() == transitive_key.to_lowercase())
            .ok_or_else(|| {
                StsError::validation(
                    "TransitiveTagKeys",
                    format!("`{transitive_key}` is not the key of a passed session tag"),
                )
            })?;
        tag.transitive = true;
    }
    Ok(result)
}

/// Checks that the packed session policies and tags fit the allotted space, and returns the
/// share they use, in percent rounded up.
///
/// # Errors
///
/// [`StsError::PackedPolicyTooLarge`] with that percentage when it is above 100.
pub fn check_packed_size(
    compact_policy: Option<&str>,
    policy_arns: &[Arn],
    tags: &[SessionTag],
) -> Result<u32, StsError> {
    let policy_bytes = compact_policy.map_or(0, str::len);
    let arn_bytes: usize = policy_arns.iter().map(|arn| arn.to_string().len()).sum();
    let tag_bytes: usize = tags.iter().map(|tag| tag.key.len() + tag.value.len()).sum();
    let packed = policy_bytes + arn_bytes + tag_bytes;

    let percent = packed.saturating_mul(100).div_ceil(PACKED_POLICY_ALLOTMENT);
    let percent = u32::try_from(percent).unwrap_or(u32::MAX);
    if packed > PACKED_POLICY_ALLOTMENT {
        return Err(StsError::PackedPolicyTooLarge { percent });
    }
    Ok(percent)
}

/// Checks one session tag: a key of 1 to 128 and a value of 0 to 256 characters, both of
/// letters, spaces, digits and `_.:/=+-@`, and a key not starting with `aws:`.
pub fn validate_tag(key: &str, value: &str) -> Result<(), StsError> {
    validate::tag_key(key).map_err(StsError::from_model)?;
    validate::tag_value(value).map_err(StsError::from_model)
}

/// Removes the whitespace between the tokens of a valid JSON text, keeping member order and
/// every string as written.
fn strip_json_whitespace(json: &str) -> String {
    let mut compact = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            compact.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            compact.push(c);
        } else if !c.is_ascii_whitespace() {
            compact.push(c);
        }
    }
    compact
}

#[cfg(test)]
mod tests;
