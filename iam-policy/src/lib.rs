//! The IAM policy language: parsing documents with source positions, validating them per
//! policy kind, and evaluating requests against every policy type with an explanation of each
//! decision.
//!
//! It is pure: no I/O, no clock reads, no logging. The request time arrives as data.
//!
//! Start reading at [`PolicyDocument`], the typed model every other part works on.

mod document;
mod error;
mod finding;
mod glob;
mod json;
mod legacy;
mod parse;
mod serialize;
mod validate;

pub use error::PolicyError;
pub use finding::{Finding, FindingKind};
pub use glob::{Case, Glob, GlobPart};
pub use json::MAX_DOCUMENT_BYTES;
pub use validate::{
    SizeQuota, Validation, ValidationOptions, check_policy, policy_size, validate_policy,
};

pub use document::{
    ActionBlock, ActionKind, BaseOperator, Condition, ConditionOperator, ConditionValue, Effect,
    OperatorFamily, PolicyDocument, PolicyKind, PrincipalBlock, PrincipalEntry, PrincipalKind,
    PrincipalType, PrincipalValue, ResourceBlock, ResourceKind, SetQualifier, Span, Spanned,
    Statement, Version,
};
