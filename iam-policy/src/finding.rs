//! Problems found in a policy document, each tied to the element it concerns.

use std::fmt;

use crate::document::Span;

/// One problem in a policy document.
///
/// `message` is the sentence AWS returns for this problem in a `MalformedPolicyDocument`
/// error, such as `Syntax errors in policy.`. `detail` describes the problem precisely and
/// quotes the offending value, and `span` points at the element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that was broken.
    pub kind: FindingKind,
    /// AWS's error message for the rule, to send to clients unchanged.
    pub message: String,
    /// A precise description with the offending value, for logs and linters.
    pub detail: String,
    /// The element concerned.
    pub span: Span,
}

impl Finding {
    pub(crate) fn new(
        kind: FindingKind,
        message: impl Into<String>,
        detail: impl Into<String>,
        span: &Span,
    ) -> Finding {
        Finding {
            kind,
            message: message.into(),
            detail: detail.into(),
            span: span.clone(),
        }
    }

    /// Builds a finding for broken JSON or a policy element of the wrong shape, both of which
    /// AWS reports as `Syntax errors in policy.`.
    pub(crate) fn syntax(detail: impl Into<String>, span: &Span) -> Finding {
        Finding::new(FindingKind::Syntax, SYNTAX_MESSAGE, detail, span)
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} at {}", self.detail, self.span)
    }
}

/// AWS's message for JSON errors and elements of the wrong shape.
pub(crate) const SYNTAX_MESSAGE: &str = "Syntax errors in policy.";

/// The rules a policy document can break, in the order AWS checks them.
///
/// New checks add variants, so matches outside this crate need a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FindingKind {
    /// Invalid JSON, an unknown element, an element of the wrong type, an unknown `Version`,
    /// `Effect` or condition operator, or both of `Action` and `NotAction`.
    Syntax,
    /// A missing or `2008-10-17` version where the policy kind requires `2012-10-17`.
    Version,
    /// A value AWS's older parser rejects: an `Effect` in the wrong case, a date condition
    /// value that is not a date, or a malformed ARN in `Resource`.
    LegacyParsing,
    /// A `Sid` with characters other than ASCII letters and digits, where the policy kind
    /// allows only those.
    InvalidSid,
    /// Two statements with the same non-empty `Sid`.
    DuplicateSid,
    /// A statement with no actions.
    MissingActions,
    /// A `Resource` or `NotResource` value that is not an ARN or `*`.
    InvalidResource,
    /// An `Action` or `NotAction` value without a valid service prefix.
    InvalidAction,
    /// A statement with no resources where the policy kind requires them.
    MissingResources,
    /// An element the policy kind does not allow, such as `Principal` in an identity policy.
    ForbiddenElement,
    /// An element the policy kind requires, such as `Principal` in a trust policy.
    MissingElement,
    /// A principal identifier of the wrong form, such as an `AWS` principal that is neither an
    /// account id, an IAM or STS ARN, nor `*`.
    InvalidPrincipal,
    /// An element with a value the policy kind does not allow, such as `NotPrincipal` with
    /// `Allow`, or a principal other than `*` in a resource control policy.
    UnsupportedValue,
}
