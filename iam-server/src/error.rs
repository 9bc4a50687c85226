//! Errors of the server, and the mapping of every error to an AWS error code and HTTP status.

use std::fmt;

use axum::http::StatusCode;

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
    /// The session token has expired.
    ExpiredToken,
    /// The `Authorization` header or presigned query lacks a part.
    IncompleteSignature,
    /// The `Action` names no operation of the service.
    InvalidAction,
    /// The MFA code is wrong or was used before.
    InvalidAuthenticationCode,
    /// The access key id or session token is not known.
    InvalidClientTokenId,
    /// A parameter value breaks a rule of the operation.
    InvalidInput,
    /// Parameters that may not be used together.
    InvalidParameterCombination,
    /// A parameter value that is not valid.
    InvalidParameterValue,
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
    pub const ALL: [ErrorCode; 27] = [
        ErrorCode::AccessDenied,
        ErrorCode::ConcurrentModification,
        ErrorCode::DeleteConflict,
        ErrorCode::EntityAlreadyExists,
        ErrorCode::ExpiredToken,
        ErrorCode::IncompleteSignature,
        ErrorCode::InvalidAction,
        ErrorCode::InvalidAuthenticationCode,
        ErrorCode::InvalidClientTokenId,
        ErrorCode::InvalidInput,
        ErrorCode::InvalidParameterCombination,
        ErrorCode::InvalidParameterValue,
        ErrorCode::LimitExceeded,
        ErrorCode::MalformedPolicyDocument,
        ErrorCode::MalformedQueryString,
        ErrorCode::MissingAction,
        ErrorCode::MissingAuthenticationToken,
        ErrorCode::MissingParameter,
        ErrorCode::NoSuchEntity,
        ErrorCode::PackedPolicyTooLarge,
        ErrorCode::PasswordPolicyViolation,
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
            ErrorCode::ExpiredToken => "ExpiredToken",
            ErrorCode::IncompleteSignature => "IncompleteSignature",
            ErrorCode::InvalidAction => "InvalidAction",
            ErrorCode::InvalidAuthenticationCode => "InvalidAuthenticationCode",
            ErrorCode::InvalidClientTokenId => "InvalidClientTokenId",
            ErrorCode::InvalidInput => "InvalidInput",
            ErrorCode::InvalidParameterCombination => "InvalidParameterCombination",
            ErrorCode::InvalidParameterValue => "InvalidParameterValue",
            ErrorCode::LimitExceeded => "LimitExceeded",
            ErrorCode::MalformedPolicyDocument => "MalformedPolicyDocument",
            ErrorCode::MalformedQueryString => "MalformedQueryString",
            ErrorCode::MissingAction => "MissingAction",
            ErrorCode::MissingAuthenticationToken => "MissingAuthenticationToken",
            ErrorCode::MissingParameter => "MissingParameter",
            ErrorCode::NoSuchEntity => "NoSuchEntity",
            ErrorCode::PackedPolicyTooLarge => "PackedPolicyTooLarge",
            ErrorCode::PasswordPolicyViolation => "PasswordPolicyViolation",
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
            ErrorCode::NoSuchEntity | ErrorCode::MalformedQueryString => StatusCode::NOT_FOUND,
            ErrorCode::ConcurrentModification
            | ErrorCode::DeleteConflict
            | ErrorCode::EntityAlreadyExists
            | ErrorCode::LimitExceeded => StatusCode::CONFLICT,
            ErrorCode::ServiceFailure => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::IncompleteSignature
            | ErrorCode::InvalidAction
            | ErrorCode::InvalidInput
            | ErrorCode::InvalidParameterCombination
            | ErrorCode::InvalidParameterValue
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

    /// Creates the `ValidationError` for a parameter whose text is not of its type.
    pub fn invalid_value(name: &str, value: &str, expected: &str) -> Self {
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

/// Lower-cases the first letter, as AWS names members in validation messages (`userName`).
pub(crate) fn lower_first(name: &str) -> String {
    let mut characters = name.chars();
    match characters.next() {
        Some(first) => first.to_lowercase().chain(characters).collect(),
        None => String::new(),
    }
}
