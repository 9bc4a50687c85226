//! The error type of the authentication crate.

/// A failure to authenticate a request or to handle a credential.
///
/// Variants carry the offending value where it is not secret. [`AuthError::aws_code`] gives the
/// AWS error code each variant maps to, so the server can build the client-facing response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The request carries neither an `Authorization` header nor `X-Amz-*` query parameters.
    #[error(
        "missing authentication: no `Authorization` header and no `X-Amz-Algorithm` query parameter"
    )]
    MissingAuthentication,
    /// The signature information is malformed or incomplete.
    #[error("incomplete signature: {0}")]
    IncompleteSignature(String),
    /// The access key id is unknown, inactive or deleted, or a temporary key came without its
    /// security token.
    #[error("invalid access key id `{access_key_id}`: {reason}")]
    InvalidClientTokenId {
        /// The access key id from the credential scope.
        access_key_id: String,
        /// The reason for the rejection.
        reason: &'static str,
    },
    /// The signature does not match, or the credential scope is not acceptable.
    #[error("signature does not match: {0}")]
    SignatureDoesNotMatch(String),
    /// The credential scope names a service the verifier does not serve. AWS reports this as
    /// `SignatureDoesNotMatch`.
    #[error("credential scope service `{service}` is not served here, expected `{expected}`")]
    ScopeServiceNotServed {
        /// The service named in the credential scope.
        service: String,
        /// The first service the verifier serves, which AWS names in its message.
        expected: String,
    },
    /// The request was signed outside the accepted time window.
    #[error("request expired: signed at `{signed_at}`, server time `{now}`, {reason}")]
    RequestExpired {
        /// The time of the signature.
        signed_at: jiff::Timestamp,
        /// The server time when the request was checked.
        now: jiff::Timestamp,
        /// The time window the request missed.
        reason: &'static str,
    },
    /// The temporary credentials have expired.
    #[error("the security token expired at `{expiration}`")]
    ExpiredToken {
        /// When the credentials expired.
        expiration: jiff::Timestamp,
    },
    /// The credential store failed while looking up an access key.
    #[error("credential lookup failed: {0}")]
    CredentialLookup(String),
    /// An access key id that is not `AKIA` or `ASIA` followed by 16 upper-case letters or digits.
    #[error(
        "invalid access key id `{0}`, expected `AKIA` or `ASIA` and 16 upper-case letters or digits"
    )]
    InvalidAccessKeyIdFormat(String),
    /// A key-encryption key id that is empty, too long or has characters other than ASCII
    /// letters, digits, `-` and `_`.
    #[error("invalid key id `{0}`, expected 1 to 64 ASCII letters, digits, `-` or `_`")]
    InvalidKeyId(String),
    /// A key-encryption key of the wrong length.
    #[error("invalid key-encryption key for `{key_id}`: {reason}")]
    InvalidKeyEncryptionKey {
        /// The id of the key.
        key_id: String,
        /// The defect of the key material.
        reason: &'static str,
    },
    /// A sealed secret that is not in the sealed format.
    #[error("malformed sealed secret: {0}")]
    MalformedSealedSecret(&'static str),
    /// A sealed secret names a key id that the keyring does not hold.
    #[error("no key-encryption key with id `{0}` in the keyring")]
    UnknownKeyId(String),
    /// A sealed secret failed authentication: it was altered, or sealed under another key or
    /// context.
    #[error("sealed secret failed authentication under key `{0}`")]
    SealedSecretTampered(String),
    /// A stored password hash that is not in the encoded form this crate writes.
    #[error("malformed password hash: {0}")]
    MalformedPasswordHash(&'static str),
    /// A password longer than any the service accepts.
    #[error("password of {length} bytes is longer than the maximum of {max} bytes")]
    PasswordTooLong {
        /// The length of the rejected password, in bytes.
        length: usize,
        /// The maximum length, in bytes.
        max: usize,
    },
    /// A password that IAM rejects before any policy applies: empty, longer than 128
    /// characters, or with a character it does not accept.
    #[error("invalid password: {0}")]
    InvalidPassword(&'static str),
    /// A password-policy parameter outside the range AWS allows.
    #[error("invalid password policy: `{parameter}` is `{value}`, expected {expected}")]
    InvalidPasswordPolicy {
        /// The parameter name as AWS spells it.
        parameter: &'static str,
        /// The rejected value.
        value: i64,
        /// The accepted range.
        expected: &'static str,
    },
    /// A password that breaks the account password policy; the message lists every broken rule.
    #[error("password does not meet the account password policy: {}", .0.join("; "))]
    PasswordPolicyViolation(Vec<String>),
    /// A password that matches one of the user's previous passwords.
    #[error("password was used before; the policy prevents reuse of the last {0} passwords")]
    PasswordReused(u8),
    /// An MFA code that is not exactly the expected number of ASCII digits.
    #[error("invalid MFA code format, expected exactly {digits} digits")]
    InvalidMfaCodeFormat {
        /// The number of digits the device produces.
        digits: u32,
    },
    /// An MFA code that matches no time step in the accepted window.
    #[error("MFA code does not match")]
    MfaCodeMismatch,
    /// An MFA code for a time step at or before the last accepted one.
    #[error(
        "MFA code for time step `{step}` was already used or is older than the last accepted step `{last_accepted_step}`"
    )]
    MfaCodeReused {
        /// The time step the code belongs to.
        step: u64,
        /// The last time step accepted for the device.
        last_accepted_step: u64,
    },
    /// Two MFA codes that are not for consecutive time steps.
    #[error("MFA codes are not two consecutive codes from the device")]
    MfaCodesNotConsecutive,
    /// A TOTP seed that is too short or not valid Base32.
    #[error("invalid TOTP seed: {0}")]
    InvalidTotpSeed(&'static str),
    /// TOTP parameters that RFC 6238 or this service does not support.
    #[error("invalid TOTP parameters: {0}")]
    InvalidTotpParameters(String),
    /// The enrollment QR code could not be built.
    #[error("failed to render the QR code: {0}")]
    QrCode(String),
}

impl AuthError {
    /// Returns the AWS error code that this error maps to on the wire.
    ///
    /// MFA code failures map to `InvalidAuthenticationCode`, the code IAM's `EnableMFADevice`
    /// and `ResyncMFADevice` return; STS returns `AccessDenied` for the same failures, so its
    /// handlers map them themselves.
    pub fn aws_code(&self) -> &'static str {
        match self {
            AuthError::MissingAuthentication => "MissingAuthenticationToken",
            AuthError::IncompleteSignature(_) => "IncompleteSignature",
            AuthError::InvalidClientTokenId { .. } => "InvalidClientTokenId",
            AuthError::SignatureDoesNotMatch(_) | AuthError::ScopeServiceNotServed { .. } => {
                "SignatureDoesNotMatch"
            }
            AuthError::RequestExpired { .. } => "RequestExpired",
            AuthError::ExpiredToken { .. } => "ExpiredToken",
            AuthError::CredentialLookup(_)
            | AuthError::InvalidKeyId(_)
            | AuthError::InvalidKeyEncryptionKey { .. }
            | AuthError::MalformedSealedSecret(_)
            | AuthError::UnknownKeyId(_)
            | AuthError::SealedSecretTampered(_)
            | AuthError::MalformedPasswordHash(_)
            | AuthError::QrCode(_) => "ServiceFailure",
            AuthError::InvalidAccessKeyIdFormat(_)
            | AuthError::InvalidPasswordPolicy { .. }
            | AuthError::PasswordTooLong { .. }
            | AuthError::InvalidPassword(_)
            | AuthError::InvalidMfaCodeFormat { .. }
            | AuthError::InvalidTotpSeed(_)
            | AuthError::InvalidTotpParameters(_) => "ValidationError",
            AuthError::PasswordPolicyViolation(_) | AuthError::PasswordReused(_) => {
                "PasswordPolicyViolation"
            }
            AuthError::MfaCodeMismatch
            | AuthError::MfaCodeReused { .. }
            | AuthError::MfaCodesNotConsecutive => "InvalidAuthenticationCode",
        }
    }
}
