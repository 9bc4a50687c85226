//! Removal of secrets from request parameters and response elements.

use serde_json::Value;

/// The text that replaces a secret value in a stored event.
///
/// CloudTrail writes the same marker where it hides a value, so tools that already skip it keep
/// working.
pub const REDACTED: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// Field names whose values are secrets, in ASCII lowercase.
///
/// It covers every member that the IAM and STS API models mark sensitive, and the secrets
/// those models leave unmarked: session tokens, MFA codes, and the decoded text of an
/// authorization message, which reveals the policies the encoding hides. `SerialNumber`
/// identifies an MFA device and is not secret.
const SECRET_FIELDS: &[&str] = &[
    // Long-term and temporary credentials.
    "secretaccesskey",
    "sessiontoken",
    "securitytoken",
    "x-amz-security-token",
    // Request signatures.
    "authorization",
    "signature",
    "x-amz-signature",
    // Console passwords.
    "password",
    "oldpassword",
    "newpassword",
    // Service-specific credentials.
    "servicepassword",
    "servicecredentialsecret",
    // MFA: the TOTP seed, its QR code, and one-time codes.
    "base32stringseed",
    "qrcodepng",
    "authenticationcode1",
    "authenticationcode2",
    "tokencode",
    // Private keys of server certificates and SAML providers.
    "privatekey",
    "addprivatekey",
    // Bearer assertions and tokens from identity providers.
    "samlassertion",
    "webidentitytoken",
    "tradeintoken",
    // The decoded form of an encoded authorization failure message.
    "decodedmessage",
];

/// Reports whether a field called `name` contains a secret.
///
/// The comparison ignores ASCII case, so the Query API's `SecretAccessKey` and CloudTrail's
/// `secretAccessKey` both match. A flattened Query API name such as
/// `Credentials.SecretAccessKey` matches when any of its dot-separated parts does.
pub fn is_secret_field(name: &str) -> bool {
    name.split('.').any(|part| {
        SECRET_FIELDS
            .iter()
            .any(|secret| part.eq_ignore_ascii_case(secret))
    })
}

/// Replaces the value of every secret field in `value`, at any depth, with [`REDACTED`] and
/// returns how many values it replaced.
///
/// A secret field's whole value is replaced, whatever its type, so a secret nested in an object
/// or list under a secret name is gone too.
pub fn redact_value(value: &mut Value) -> usize {
    match value {
        Value::Object(object) => object
            .iter_mut()
            .map(|(name, field)| {
                if is_secret_field(name) {
                    let already_redacted = field.as_str() == Some(REDACTED);
                    *field = Value::String(REDACTED.to_owned());
                    usize::from(!already_redacted)
                } else {
                    redact_value(field)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(redact_value).sum(),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => 0,
    }
}

#[cfg(test)]
mod tests;
