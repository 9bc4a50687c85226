//! The IAM policy language: parsing documents with source positions, validating them per
//! policy kind, and evaluating requests against every policy type with an explanation of each
//! decision.
//!
//! It is pure: no I/O, no clock reads, no logging. The request time arrives as data.
//!
//! Start reading at [`PolicyDocument`], the typed model every other part works on.
//! Evaluation starts at [`CompiledPrincipalPolicies`], which decides requests and explains
//! each [`Decision`].

mod compile;
mod condition;
mod context;
mod document;
mod error;
mod evaluate;
mod finding;
mod glob;
mod json;
mod legacy;
mod parse;
mod principal;
mod scenario;
mod serialize;
mod validate;
mod variables;

pub use context::{
    ContextKeys, ContextValue, PrincipalContext, RequestContext, RequestPrincipal,
    RequestPrincipalKind,
};
pub use error::PolicyError;
pub use evaluate::{
    CompiledPrincipalPolicies, CompiledResourcePolicies, Decision, Explanation, Gate,
    MatchedStatement, NamedPolicy, OrganizationLevel, OrganizationPolicies, PolicyType,
    PrincipalPolicies, ResourcePolicies, ResourcePolicyKind, explain,
};
pub use finding::{Finding, FindingKind};
pub use glob::{ByteSet, Case, Glob, GlobPart};
pub use json::MAX_DOCUMENT_BYTES;
pub use principal::PrincipalMatch;
pub use scenario::{
    Scenario, ScenarioOutcome, ScenarioReport, parse_copilot_file, parse_scenario_file,
};
pub use validate::{
    SizeQuota, Validation, ValidationOptions, check_policy, policy_size, validate_policy,
};
pub use variables::{Segment, Template, Unresolved, VariableSource};

pub use document::{
    ActionBlock, ActionKind, BaseOperator, Condition, ConditionOperator, ConditionValue, Effect,
    OperatorFamily, PolicyDocument, PolicyKind, PrincipalBlock, PrincipalEntry, PrincipalKind,
    PrincipalType, PrincipalValue, ResourceBlock, ResourceKind, SetQualifier, Span, Spanned,
    Statement, Version,
};
