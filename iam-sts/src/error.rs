//! The error type of the STS operations and session tokens.

/// A reason why an STS operation or a session token was rejected.
///
/// Each variant maps to one AWS error code through [`StsError::code`]; the client-facing
/// sentence and the HTTP status belong to the server's wire mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsError {
    /// A request parameter breaks one of AWS's rules for it.
    #[error("{message}")]
    Validation {
        /// The parameter name as AWS spells it, such as `RoleSessionName`.
        parameter: &'static str,
        /// The whole message, naming the parameter and quoting the value in backticks where it
        /// is safe to show.
        message: String,
    },
    /// The caller may not perform the operation.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// The policies do not allow `caller` to perform `action` on the role `resource`, or the
    /// role does not exist. Both read the same, so a caller cannot probe which roles exist.
    #[error("`{caller}` is not authorized to perform `{action}` on `{resource}`")]
    NotAuthorized {
        /// The caller's ARN, or the identity provider's for `AssumeRoleWithWebIdentity`.
        caller: String,
        /// The action denied, such as `sts:AssumeRole`.
        action: &'static str,
        /// The role's ARN as the request named it.
        resource: String,
    },
    /// A session token that failed to open: truncated, tampered with, sealed under an unknown
    /// key, or paired with another access key id.
    #[error("invalid session token: {0}")]
    InvalidClientTokenId(&'static str),
    /// A session token whose session expired at `expired_at`.
    #[error("session token expired at `{expired_at}`")]
    ExpiredToken {
        /// When the session ended.
        expired_at: jiff::Timestamp,
    },
    /// A session token issued before its principal's sessions were revoked.
    #[error(
        "session token issued at `{issued_at}` was revoked for sessions issued before `{revoked_before}`"
    )]
    RevokedToken {
        /// When the session was issued.
        issued_at: jiff::Timestamp,
        /// The revocation cut-off recorded for the principal.
        revoked_before: jiff::Timestamp,
    },
    /// The session policies and session tags, packed, exceed the allotted space.
    #[error("packed session policies and tags consume {percent}% of the allotted space")]
    PackedPolicyTooLarge {
        /// The packed size as a percentage of the allotment, rounded up.
        percent: u32,
    },
    /// A session policy that is not a valid policy document.
    #[error("malformed session policy: {0}")]
    MalformedPolicyDocument(String),
    /// A web identity token whose signature, issuer, audience or structure is invalid.
    #[error("invalid web identity token: {0}")]
    InvalidIdentityToken(String),
    /// A web identity token that is past its expiry time, or not yet valid.
    #[error("web identity token expired or not yet valid: {0}")]
    ExpiredWebIdentityToken(String),
    /// An encoded authorization message that could not be opened.
    #[error("invalid authorization message: {0}")]
    InvalidAuthorizationMessage(&'static str),
    /// A failure of the service itself, such as a storage error.
    #[error("service failure: {0}")]
    ServiceFailure(String),
}

impl StsError {
    /// Returns the AWS error code of this error, as the STS API reports it.
    pub fn code(&self) -> &'static str {
        match self {
            StsError::Validation { .. } => "ValidationError",
            StsError::AccessDenied(_) | StsError::NotAuthorized { .. } => "AccessDenied",
            // NOTE: AWS reports a revoked or mismatched session token on a signed request as
            // `InvalidClientTokenId`; only a session past its expiry gets `ExpiredToken`.
            StsError::InvalidClientTokenId(_) | StsError::RevokedToken { .. } => {
                "InvalidClientTokenId"
            }
            StsError::ExpiredToken { .. } => "ExpiredToken",
            StsError::PackedPolicyTooLarge { .. } => "PackedPolicyTooLarge",
            StsError::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            StsError::InvalidIdentityToken(_) => "InvalidIdentityToken",
            StsError::ExpiredWebIdentityToken(_) => "ExpiredTokenException",
            StsError::InvalidAuthorizationMessage(_) => "InvalidAuthorizationMessageException",
            StsError::ServiceFailure(_) => "ServiceFailure",
        }
    }

    /// Returns the HTTP status AWS sends with this error.
    pub fn http_status(&self) -> u16 {
        match self {
            StsError::AccessDenied(_)
            | StsError::NotAuthorized { .. }
            | StsError::InvalidClientTokenId(_)
            | StsError::RevokedToken { .. }
            | StsError::ExpiredToken { .. } => 403,
            StsError::ServiceFailure(_) => 500,
            StsError::Validation { .. }
            | StsError::PackedPolicyTooLarge { .. }
            | StsError::MalformedPolicyDocument(_)
            | StsError::InvalidIdentityToken(_)
            | StsError::ExpiredWebIdentityToken(_)
            | StsError::InvalidAuthorizationMessage(_) => 400,
        }
    }

    /// Converts a field check of the domain model into a validation error of that field.
    pub(crate) fn from_model(error: iam_model::ModelError) -> Self {
        use iam_model::ModelError;
        let parameter = match &error {
            ModelError::InvalidLength { field, .. }
            | ModelError::InvalidCharacter { field, .. }
            | ModelError::InvalidFormat { field, .. }
            | ModelError::OutOfRange { field, .. }
            | ModelError::TooManyItems { field, .. } => field,
            ModelError::DuplicateTagKey(_) | ModelError::ReservedTagKey(_) => "Tags",
            ModelError::InvalidArn { .. } => "Arn",
            _ => "request",
        };
        // The model's message already names the field and quotes the value.
        StsError::Validation {
            parameter,
            message: error.to_string(),
        }
    }

    pub(crate) fn validation(parameter: &'static str, reason: impl Into<String>) -> Self {
        StsError::Validation {
            parameter,
            message: format!("invalid `{parameter}`: {}", reason.into()),
        }
    }
}
