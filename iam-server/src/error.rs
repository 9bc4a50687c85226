//! Errors of the server, and the mapping of every error to an AWS error code and HTTP status.

use std::fmt;

use axum::http::StatusCode;
use iam_auth::AuthError;
use iam_store::{EntityKind, StoreError};

/// A failure that stops the server from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// An invalid option, environment variable or config file.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A file or socket operation failed.
    #[error("failed to {action} `{path}`: {source}")]
    Io {
        /// The operation that failed, such as `serve on` or `read`.
        action: &'static str,
        /// The file or address involved.
        path: String,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be loaded.
    #[error("invalid TLS setup: {0}")]
    Tls(String),
    /// The audit trail could not be opened.
    #[error("failed to open the audit trail: {0}")]
    Audit(#[from] iam_audit::AuditError),
    /// The store failed while the server prepared it at start.
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}

/// The error codes the server returns, each with its HTTP status.
///
/// The codes and statuses are those of the botocore IAM and STS models and of AWS's list of
/// errors common to all Query API actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The caller's policies do not allow the call.
    AccessDenied,
    /// Two requests changed the same entity at once.
    ConcurrentModification,
    /// The entity still has dependents that must go first.
    DeleteConflict,
    /// An entity with that name already exists.
    EntityAlreadyExists,
    /// The entity cannot change for now; the same request is expected to work after a wait.
    EntityTemporarilyUnmodifiable,
    /// The session token has expired.
    ExpiredToken,
    /// The web identity token has expired or is not valid yet.
    ExpiredTokenException,
    /// The `Authorization` header or presigned query lacks a part.
    IncompleteSignature,
    /// The `Action` names no operation of the service.
    InvalidAction,
    /// The MFA code is wrong or was used before.
    InvalidAuthenticationCode,
    /// The encoded authorization message is malformed or was changed.
    InvalidAuthorizationMessageException,
    /// The access key id or session token is not known.
    InvalidClientTokenId,
    /// The web identity token failed verification.
    InvalidIdentityToken,
    /// A parameter value breaks a rule of the operation.
    InvalidInput,
    /// Parameters that may not be used together.
    InvalidParameterCombination,
    /// A parameter value that is not valid.
    InvalidParameterValue,
    /// The caller is not the kind of user the action is for, such as the root user calling
    /// `ChangePassword`.
    InvalidUserType,
    /// A quota would be exceeded.
    LimitExceeded,
    /// The policy document is not valid.
    MalformedPolicyDocument,
    /// The query string or form body cannot be decoded.
    MalformedQueryString,
    /// The request has no `Action`.
    MissingAction,
    /// The request is not signed.
    MissingAuthenticationToken,
    /// A required parameter is absent.
    MissingParameter,
    /// The entity does not exist.
    NoSuchEntity,
    /// Session policies and tags do not fit in the session token.
    PackedPolicyTooLarge,
    /// The new password breaks the account password policy.
    PasswordPolicyViolation,
    /// The credential report is older than four hours.
    ReportExpired,
    /// The credential report is still being generated.
    ReportInProgress,
    /// No credential report was generated.
    ReportNotPresent,
    /// The request is older than the signing window allows.
    RequestExpired,
    /// An unexpected failure inside the server.
    ServiceFailure,
    /// The signature does not match the request.
    SignatureDoesNotMatch,
    /// Too many requests or failed attempts from one caller.
    Throttling,
    /// The entity is managed by AWS or a service and cannot change.
    UnmodifiableEntity,
    /// A parameter breaks a constraint of its type, such as a length or pattern.
    ValidationError,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 35] = [
        ErrorCode::AccessDenied,
        ErrorCode::ConcurrentModification,
        ErrorCode::DeleteConflict,
        ErrorCode::EntityAlreadyExists,
        ErrorCode::EntityTemporarilyUnmodifiable,
        ErrorCode::ExpiredToken,
        ErrorCode::ExpiredTokenException,
        ErrorCode::IncompleteSignature,
        ErrorCode::InvalidAction,
        ErrorCode::InvalidAuthenticationCode,
        ErrorCode::InvalidAuthorizationMessageException,
        ErrorCode::InvalidClientTokenId,
        ErrorCode::InvalidIdentityToken,
        ErrorCode::InvalidInput,
        ErrorCode::InvalidParameterCombination,
        ErrorCode::InvalidParameterValue,
        ErrorCode::InvalidUserType,
        ErrorCode::LimitExceeded,
        ErrorCode::MalformedPolicyDocument,
        ErrorCode::MalformedQueryString,
        ErrorCode::MissingAction,
        ErrorCode::MissingAuthenticationToken,
        ErrorCode::MissingParameter,
        ErrorCode::NoSuchEntity,
        ErrorCode::PackedPolicyTooLarge,
        ErrorCode::PasswordPolicyViolation,
        ErrorCode::ReportExpired,
        ErrorCode::ReportInProgress,
        ErrorCode::ReportNotPresent,
        ErrorCode::RequestExpired,
        ErrorCode::ServiceFailure,
        ErrorCode::SignatureDoesNotMatch,
        ErrorCode::Throttling,
        ErrorCode::UnmodifiableEntity,
        ErrorCode::ValidationError,
    ];

    /// Returns the code as it appears in `<Code>`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AccessDenied => "AccessDenied",
            ErrorCode::ConcurrentModification => "ConcurrentModification",
            ErrorCode::DeleteConflict => "DeleteConflict",
            ErrorCode::EntityAlreadyExists => "EntityAlreadyExists",
            ErrorCode::EntityTemporarilyUnmodifiable => "EntityTemporarilyUnmodifiable",
            ErrorCode::ExpiredToken => "ExpiredToken",
            ErrorCode::ExpiredTokenException => "ExpiredTokenException",
            ErrorCode::IncompleteSignature => "IncompleteSignature",
            ErrorCode::InvalidAction => "InvalidAction",
            ErrorCode::InvalidAuthenticationCode => "InvalidAuthenticationCode",
            ErrorCode::InvalidAuthorizationMessageException => {
                "InvalidAuthorizationMessageException"
            }
            ErrorCode::InvalidClientTokenId => "InvalidClientTokenId",
            ErrorCode::InvalidIdentityToken => "InvalidIdentityToken",
            ErrorCode::InvalidInput => "InvalidInput",
            ErrorCode::InvalidParameterCombination => "InvalidParameterCombination",
            ErrorCode::InvalidParameterValue => "InvalidParameterValue",
            ErrorCode::InvalidUserType => "InvalidUserType",
            ErrorCode::LimitExceeded => "LimitExceeded",
            ErrorCode::MalformedPolicyDocument => "MalformedPolicyDocument",
            ErrorCode::MalformedQueryString => "MalformedQueryString",
            ErrorCode::MissingAction => "MissingAction",
            ErrorCode::MissingAuthenticationToken => "MissingAuthenticationToken",
            ErrorCode::MissingParameter => "MissingParameter",
            ErrorCode::NoSuchEntity => "NoSuchEntity",
            ErrorCode::PackedPolicyTooLarge => "PackedPolicyTooLarge",
            ErrorCode::PasswordPolicyViolation => "PasswordPolicyViolation",
            ErrorCode::ReportExpired => "ReportExpired",
            ErrorCode::ReportInProgress => "ReportInProgress",
            ErrorCode::ReportNotPresent => "ReportNotPresent",
            ErrorCode::RequestExpired => "RequestExpired",
            ErrorCode::ServiceFailure => "ServiceFailure",
            ErrorCode::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            ErrorCode::Throttling => "Throttling",
            ErrorCode::UnmodifiableEntity => "UnmodifiableEntity",
            ErrorCode::ValidationError => "ValidationError",
        }
    }

    /// Returns the HTTP status AWS sends with this code.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::AccessDenied
            | ErrorCode::ExpiredToken
            | ErrorCode::InvalidAuthenticationCode
            | ErrorCode::InvalidClientTokenId
            | ErrorCode::MissingAuthenticationToken
            | ErrorCode::SignatureDoesNotMatch => StatusCode::FORBIDDEN,
            ErrorCode::NoSuchEntity
            | ErrorCode::MalformedQueryString
            | ErrorCode::ReportInProgress => StatusCode::NOT_FOUND,
            ErrorCode::ReportExpired | ErrorCode::ReportNotPresent => StatusCode::GONE,
            ErrorCode::ConcurrentModification
            | ErrorCode::DeleteConflict
            | ErrorCode::EntityAlreadyExists
            | ErrorCode::EntityTemporarilyUnmodifiable
            | ErrorCode::LimitExceeded => StatusCode::CONFLICT,
            ErrorCode::ServiceFailure => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::IncompleteSignature
            | ErrorCode::ExpiredTokenException
            | ErrorCode::InvalidAction
            | ErrorCode::InvalidAuthorizationMessageException
            | ErrorCode::InvalidIdentityToken
            | ErrorCode::InvalidInput
            | ErrorCode::InvalidParameterCombination
            | ErrorCode::InvalidParameterValue
            | ErrorCode::InvalidUserType
            | ErrorCode::MalformedPolicyDocument
            | ErrorCode::MissingAction
            | ErrorCode::MissingParameter
            | ErrorCode::PackedPolicyTooLarge
            | ErrorCode::PasswordPolicyViolation
            | ErrorCode::RequestExpired
            | ErrorCode::Throttling
            | ErrorCode::UnmodifiableEntity
            | ErrorCode::ValidationError => StatusCode::BAD_REQUEST,
        }
    }

    /// Returns whether the caller caused the error (`Sender`) rather than the server
    /// (`Receiver`).
    pub fn is_sender_fault(self) -> bool {
        !matches!(self, ErrorCode::ServiceFailure)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error sent to the client as an `<ErrorResponse>`: a code and a message in AWS's
/// wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error code, which fixes the HTTP status.
    pub code: ErrorCode,
    /// The message for the client.
    pub message: String,
}

impl ApiError {
    /// Creates an error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Creates the `ValidationError` AWS returns when a required member is absent.
    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            ErrorCode::ValidationError,
            format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: \
                 Member must not be null",
                lower_first(name)
            ),
        )
    }

    /// Creates the `InvalidInput` error AWS returns for a parameter that is not an ARN.
    pub fn invalid_arn(text: &str) -> Self {
        Self::new(
            ErrorCode::InvalidInput,
            format!("ARN {} is not valid.", iam_model::shorten(text)),
        )
    }

    /// Creates the `ValidationError` for a parameter whose text is not of its type.
    ///
    /// The message shows `***` in place of the value of a credential parameter (see
    /// [`is_credential_parameter`]) and at most the first 256 characters of any other value,
    /// because messages reach clients and the debug log.
    pub fn invalid_value(name: &str, value: &str, expected: &str) -> Self {
        let value = if is_credential_parameter(name) {
            "***".to_owned()
        } else {
            iam_model::shorten(value)
        };
        Self::new(
            ErrorCode::ValidationError,
            format!(
                "1 validation error detected: Value '{value}' at '{}' failed to satisfy \
                 constraint: {expected}",
                lower_first(name)
            ),
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<AuthError> for ApiError {
    /// Maps an authentication failure to the code and message AWS returns for it. Failures of
    /// the server itself (a broken sealed secret, a store error) are logged here and returned as
    /// `ServiceFailure` without detail.
    fn from(error: AuthError) -> Self {
        let (code, message) = match &error {
            AuthError::MissingAuthentication => (
                ErrorCode::MissingAuthenticationToken,
                "Request is missing Authentication Token".to_owned(),
            ),
            AuthError::IncompleteSignature(reason) => (
                ErrorCode::IncompleteSignature,
                format!("Incomplete signature: {reason}"),
            ),
            AuthError::InvalidClientTokenId { .. } | AuthError::InvalidAccessKeyIdFormat(_) => (
                ErrorCode::InvalidClientTokenId,
                "The security token included in the request is invalid.".to_owned(),
            ),
            AuthError::SignatureDoesNotMatch(_) => (
                ErrorCode::SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service \
                 documentation for details."
                    .to_owned(),
            ),
            AuthError::ScopeServiceNotServed { expected, .. } => (
                ErrorCode::SignatureDoesNotMatch,
                format!("Credential should be scoped to correct service: '{expected}'. "),
            ),
            AuthError::RequestExpired { signed_at, now, .. } => (
                ErrorCode::RequestExpired,
                format!("Request has expired. Signed at {signed_at}, server time {now}."),
            ),
            AuthError::ExpiredToken { .. } => (
                ErrorCode::ExpiredToken,
                "The security token included in the request is expired".to_owned(),
            ),
            AuthError::PasswordPolicyViolation(_) | AuthError::PasswordReused(_) => {
                (ErrorCode::PasswordPolicyViolation, error.to_string())
            }
            AuthError::MfaCodeMismatch
            | AuthError::MfaCodeReused { .. }
            | AuthError::MfaCodesNotConsecutive => (
                ErrorCode::InvalidAuthenticationCode,
                "Authentication code for the MFA device is not valid.".to_owned(),
            ),
            AuthError::InvalidPasswordPolicy { .. }
            | AuthError::PasswordTooLong { .. }
            | AuthError::InvalidPassword(_)
            | AuthError::InvalidMfaCodeFormat { .. }
            | AuthError::InvalidTotpSeed(_)
            | AuthError::InvalidTotpParameters(_) => {
                (ErrorCode::ValidationError, error.to_string())
            }
            AuthError::CredentialLookup(_)
            | AuthError::InvalidKeyId(_)
            | AuthError::InvalidKeyEncryptionKey { .. }
            | AuthError::MalformedSealedSecret(_)
            | AuthError::UnknownKeyId(_)
            | AuthError::SealedSecretTampered(_)
            | AuthError::MalformedPasswordHash(_)
            | AuthError::QrCode(_) => {
                tracing::error!(%error, "authentication failed inside the server");
                return service_failure();
            }
        };
        ApiError::new(code, message)
    }
}

impl From<StoreError> for ApiError {
    /// Maps a store failure to the code and message AWS returns for it. Engine and data
    /// failures are logged here and returned as `ServiceFailure` without detail.
    fn from(error: StoreError) -> Self {
        match error {
            // AWS names a missing managed policy by its ARN, in its own wording.
            StoreError::NoSuchEntity {
                kind: EntityKind::ManagedPolicy,
                name,
            } => ApiError::new(
                ErrorCode::NoSuchEntity,
                format!("Policy {} was not found.", iam_model::shorten(&name)),
            ),
            StoreError::NoSuchEntity { kind, name } => ApiError::new(
                ErrorCode::NoSuchEntity,
                format!(
                    "The {kind} with name {} cannot be found.",
                    iam_model::shorten(&name)
                ),
            ),
            StoreError::EntityAlreadyExists { kind, name } => ApiError::new(
                ErrorCode::EntityAlreadyExists,
                format!(
                    "{} with name {name} already exists.",
                    upper_first(kind.as_str())
                ),
            ),
            StoreError::DeleteConflict { reason, .. } => ApiError::new(
                ErrorCode::DeleteConflict,
                format!("Cannot delete entity, {reason}."),
            ),
            StoreError::LimitExceeded { quota, limit } => quota_exceeded(quota, limit),
            StoreError::InvalidInput(message) => ApiError::new(ErrorCode::InvalidInput, message),
            StoreError::RevisionMismatch { .. } | StoreError::Contention { .. } => ApiError::new(
                ErrorCode::ConcurrentModification,
                "The request was rejected because multiple requests to change this object were \
                 submitted simultaneously. Wait a few minutes and submit your request again.",
            ),
            error => {
                tracing::error!(%error, "store failed");
                service_failure()
            }
        }
    }
}

impl From<iam_sts::StsError> for ApiError {
    /// Maps an STS failure to the code, status and message AWS returns for it. Failures of the
    /// server itself are logged here and returned as `ServiceFailure` without detail.
    fn from(error: iam_sts::StsError) -> Self {
        use iam_sts::StsError;
        let (code, message) = match &error {
            StsError::Validation { .. } => (ErrorCode::ValidationError, error.to_string()),
            StsError::AccessDenied(reason) => (
                ErrorCode::AccessDenied,
                upper_first(&reason.replace('`', "")),
            ),
            StsError::NotAuthorized { action, .. }
                if *action == "sts:AssumeRoleWithWebIdentity" =>
            {
                (
                    ErrorCode::AccessDenied,
                    format!("Not authorized to perform {action}"),
                )
            }
            StsError::NotAuthorized {
                caller,
                action,
                resource,
            } => (
                ErrorCode::AccessDenied,
                format!(
                    "User: {caller} is not authorized to perform: {action} on resource: {resource}"
                ),
            ),
            StsError::InvalidClientTokenId(_) | StsError::RevokedToken { .. } => (
                ErrorCode::InvalidClientTokenId,
                "The security token included in the request is invalid.".to_owned(),
            ),
            StsError::ExpiredToken { .. } => (
                ErrorCode::ExpiredToken,
                "The security token included in the request is expired".to_owned(),
            ),
            StsError::PackedPolicyTooLarge { percent } => (
                ErrorCode::PackedPolicyTooLarge,
                format!(
                    "Packed policy consumes {percent}% of allotted space, please use smaller \
                     session policies or fewer session tags."
                ),
            ),
            StsError::MalformedPolicyDocument(reason) => (
                ErrorCode::MalformedPolicyDocument,
                format!("The session policy is malformed: {reason}"),
            ),
            StsError::InvalidIdentityToken(reason) => (
                ErrorCode::InvalidIdentityToken,
                format!("The web identity token is invalid: {reason}"),
            ),
            StsError::ExpiredWebIdentityToken(reason) => (
                ErrorCode::ExpiredTokenException,
                format!("Token expired: {reason}"),
            ),
            StsError::InvalidAuthorizationMessage(reason) => (
                ErrorCode::InvalidAuthorizationMessageException,
                format!("The encoded authorization message is invalid: {reason}"),
            ),
            StsError::ServiceFailure(_) => {
                tracing::error!(%error, "STS operation failed inside the server");
                return service_failure();
            }
        };
        ApiError::new(code, message)
    }
}

impl From<iam_policy::PolicyError> for ApiError {
    /// Maps a rejected policy document: grammar and rule violations to
    /// `MalformedPolicyDocument` with AWS's message, sizes to `LimitExceeded`.
    fn from(error: iam_policy::PolicyError) -> Self {
        use iam_policy::PolicyError;
        match error {
            PolicyError::Malformed(finding) => {
                ApiError::new(ErrorCode::MalformedPolicyDocument, finding.message)
            }
            PolicyError::SizeQuotaExceeded { quota, .. } => ApiError::new(
                ErrorCode::LimitExceeded,
                format!("Cannot exceed quota for PolicySize: {quota}"),
            ),
            PolicyError::DocumentTooLarge { max, .. } => ApiError::new(
                ErrorCode::LimitExceeded,
                format!("Cannot exceed quota for PolicySize: {max}"),
            ),
            PolicyError::InvalidPrincipal { value, reason } => ApiError::new(
                ErrorCode::InvalidInput,
                format!("Invalid principal {value}: {reason}"),
            ),
            // Scenario files are read only by the conformance runner, never by the server.
            PolicyError::InvalidScenario { .. } => {
                tracing::error!(%error, "policy engine failed");
                service_failure()
            }
        }
    }
}

impl From<iam_model::ModelError> for ApiError {
    /// Maps a domain rule failure: a quota to `LimitExceeded`, a missing or default policy
    /// version to `NoSuchEntity` or `DeleteConflict`, a repeated tag key to `InvalidInput` as
    /// IAM returns it, and every other failure to `ValidationError` with the model's message,
    /// which names the field and value.
    fn from(error: iam_model::ModelError) -> Self {
        use iam_model::ModelError;
        match error {
            ModelError::QuotaExceeded { quota, limit, .. } => quota_exceeded(quota, limit),
            ModelError::PolicyVersionNotFound(version) => ApiError::new(
                ErrorCode::NoSuchEntity,
                format!("Policy version {version} does not exist."),
            ),
            ModelError::DefaultPolicyVersionDeletion(_) => ApiError::new(
                ErrorCode::DeleteConflict,
                "Cannot delete the default version of a policy.",
            ),
            ModelError::DuplicateTagKey(_) => ApiError::new(
                ErrorCode::InvalidInput,
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ),
            error => ApiError::new(ErrorCode::ValidationError, error.to_string()),
        }
    }
}

/// Returns the `ServiceFailure` error, in AWS's wording.
pub fn service_failure() -> ApiError {
    ApiError::new(
        ErrorCode::ServiceFailure,
        "The request processing has failed because of an unknown error, exception or failure.",
    )
}

/// Upper-cases the first letter, for messages that start with an entity kind.
fn upper_first(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// Reports whether a request parameter carries a credential: the members that the botocore
/// models of IAM and STS mark `sensitive`, and the one-time MFA codes.
pub fn is_credential_parameter(name: &str) -> bool {
    matches!(
        name,
        "Password"
            | "OldPassword"
            | "NewPassword"
            | "PrivateKey"
            | "AddPrivateKey"
            | "AuthenticationCode1"
            | "AuthenticationCode2"
            | "TokenCode"
            | "WebIdentityToken"
            | "SAMLAssertion"
            | "TradeInToken"
    )
}

/// Lower-cases the first letter, as AWS names members in validation messages (`userName`).
pub(crate) fn lower_first(name: &str) -> String {
    let mut characters = name.chars();
    match characters.next() {
        Some(first) => first.to_lowercase().chain(characters).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;

/// Builds the `LimitExceeded` error for a quota, in AWS's wording for that quota.
fn quota_exceeded(quota: iam_model::Quota, limit: u32) -> ApiError {
    let message = match quota {
        iam_model::Quota::VersionsPerPolicy => format!(
            "A managed policy can have up to {limit} versions. Before you create a new \
             version, you must delete an existing version."
        ),
        _ => format!("Cannot exceed quota for {}: {limit}", quota.error_name()),
    };
    ApiError::new(ErrorCode::LimitExceeded, message)
}
