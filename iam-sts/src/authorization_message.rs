//! Encoded authorization messages: the explanation of a denied request, sealed so only a
//! principal allowed `sts:DecodeAuthorizationMessage` can read it.
//!
//! When the server denies a call it may attach an encoded message to the error. The message is
//! the decision explanation in the JSON shape STS's `DecodeAuthorizationMessage` returns,
//! sealed under the session keyring with the context [`AUTHORIZATION_MESSAGE_CONTEXT`], so the
//! client can neither read nor forge it, and it never opens as a session token.

use iam_auth::seal::{Keyring, SealedSecret};
use iam_model::RandomSource;
use iam_policy::{Decision, Effect, Explanation, PolicyType, RequestContext};
use serde::{Deserialize, Serialize};

use crate::StsError;
use crate::token::open_failure;

/// The context that binds a sealed value to its use as an authorization message.
pub const AUTHORIZATION_MESSAGE_CONTEXT: &[u8] = b"iam-sts authorization message";

/// The longest `EncodedMessage` STS accepts, in characters.
pub const MAX_ENCODED_MESSAGE_CHARS: usize = 10_240;

/// The explanation of one authorization decision, in the JSON shape of AWS's decoded messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationExplanation {
    /// Whether the request was allowed.
    pub allowed: bool,
    /// Whether an explicit deny decided the request.
    pub explicit_deny: bool,
    /// The statements that decided it.
    pub matched_statements: Items<MatchedStatement>,
    /// Reasons the evaluation could not complete, such as an unreadable policy.
    pub failures: Items<String>,
    /// The request that was evaluated.
    pub context: RequestContextSummary,
}

/// A list wrapped in an object with an `items` member, as AWS writes lists in these messages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Items<T> {
    /// The list.
    pub items: Vec<T>,
}

/// One statement that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchedStatement {
    /// The id of the policy holding the statement: a policy ARN or an inline policy's name.
    pub source_policy_id: String,
    /// The kind of policy, such as `IAM Policy` or `Resource Policy`.
    pub source_policy_type: String,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// The statement's `Sid`, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The statement's position in its policy, from zero.
    pub index: usize,
}

/// The request a decision was made about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContextSummary {
    /// The caller.
    pub principal: PrincipalContext,
    /// The action, such as `iam:CreateUser`.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// The condition keys of the request and their values.
    pub conditions: Items<ConditionEntry>,
}

/// The caller named in a decoded message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipalContext {
    /// The caller's unique id, such as `AIDA…` or `AROA…:session`.
    pub id: String,
    /// The caller's ARN.
    pub arn: String,
}

/// One condition key of the request with its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionEntry {
    /// The key, such as `aws:SourceIp`.
    pub key: String,
    /// The values of the key.
    pub values: Items<ConditionValue>,
}

/// One value of a condition key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionValue {
    /// The value as text.
    pub value: String,
}

impl AuthorizationExplanation {
    /// Builds the explanation of a decision the policy engine made about `request`.
    pub fn from_decision(request: &RequestContext, explanation: &Explanation) -> Self {
        let principal = request.principal();
        let matched_statements = explanation
            .statements
            .iter()
            .map(|statement| MatchedStatement {
                source_policy_id: statement.policy_id.clone(),
                source_policy_type: policy_type_name(statement.policy_type).to_owned(),
                effect: match statement.effect {
                    Effect::Allow => "Allow",
                    Effect::Deny => "Deny",
                }
                .to_owned(),
                sid: statement.sid.clone(),
                index: statement.statement_index,
            })
            .collect();
        let conditions = request
            .keys()
            .iter()
            .map(|(key, value)| ConditionEntry {
                key: key.to_owned(),
                values: Items {
                    items: value
                        .values()
                        .map(|value| ConditionValue {
                            value: value.to_owned(),
                        })
                        .collect(),
                },
            })
            .collect();
        Self {
            allowed: explanation.decision == Decision::Allow,
            explicit_deny: explanation.decision == Decision::ExplicitDeny,
            matched_statements: Items {
                items: matched_statements,
            },
            failures: Items {
                items: explanation
                    .missing_keys
                    .iter()
                    .map(|key| format!("condition key `{key}` is missing from the request"))
                    .collect(),
            },
            context: RequestContextSummary {
                principal: PrincipalContext {
                    id: principal.user_id().unwrap_or_default().to_owned(),
                    arn: principal.arn().to_owned(),
                },
                action: request.action().to_owned(),
                resource: request.resource().to_owned(),
                conditions: Items { items: conditions },
            },
        }
    }
}

/// Returns the policy type as the decoded message names it.
fn policy_type_name(policy_type: PolicyType) -> &'static str {
    match policy_type {
        PolicyType::Identity => "IAM Policy",
        PolicyType::Resource => "Resource Policy",
        PolicyType::Trust => "Trust Policy",
        PolicyType::PermissionsBoundary => "Permissions Boundary",
        PolicyType::Session => "Session Policy",
        PolicyType::Scp => "Service Control Policy",
        PolicyType::Rcp => "Resource Control Policy",
        PolicyType::VpcEndpoint => "VPC Endpoint Policy",
    }
}

/// Seals `explanation` into an encoded message for an `AccessDenied` error.
///
/// # Errors
///
/// [`StsError::ServiceFailure`] when the explanation's JSON is over the 4,096 bytes the keyring
/// seals; the caller then sends the error without a message.
pub fn encode_authorization_message(
    keyring: &Keyring,
    explanation: &AuthorizationExplanation,
    random: &dyn RandomSource,
) -> Result<String, StsError> {
    let json = serde_json::to_vec(explanation).map_err(|error| {
        StsError::ServiceFailure(format!("explanation encoding failed: {error}"))
    })?;
    let sealed = keyring
        .seal(&json, AUTHORIZATION_MESSAGE_CONTEXT, random)
        .map_err(|error| {
            StsError::ServiceFailure(format!("sealing the explanation failed: {error}"))
        })?;
    Ok(sealed.as_str().to_owned())
}

/// Opens an encoded message and returns the explanation as the JSON text that
/// `DecodeAuthorizationMessage` returns in `DecodedMessage`.
///
/// The caller must already have been allowed `sts:DecodeAuthorizationMessage` by the policy
/// engine; `caller_allowed` carries that decision so the check cannot be forgotten.
///
/// # Errors
///
/// - [`StsError::AccessDenied`] when `caller_allowed` is false.
/// - [`StsError::Validation`] for an empty message or one over 10,240 characters.
/// - [`StsError::InvalidAuthorizationMessage`] for a message that is malformed, was changed,
///   or was sealed under a key the keyring lacks.
pub fn decode_authorization_message(
    keyring: &Keyring,
    encoded_message: &str,
    caller_allowed: bool,
) -> Result<String, StsError> {
    if !caller_allowed {
        return Err(StsError::AccessDenied(
            "the caller is not allowed `sts:DecodeAuthorizationMessage`".to_owned(),
        ));
    }
    if encoded_message.is_empty() || encoded_message.len() > MAX_ENCODED_MESSAGE_CHARS {
        return Err(StsError::validation(
            "EncodedMessage",
            format!(
                "length {} is outside 1 to {MAX_ENCODED_MESSAGE_CHARS} characters",
                encoded_message.len()
            ),
        ));
    }
    let sealed = SealedSecret::from_stored(encoded_message);
    let json = keyring
        .open(&sealed, AUTHORIZATION_MESSAGE_CONTEXT)
        .map_err(|error| StsError::InvalidAuthorizationMessage(open_failure(&error)))?;
    String::from_utf8(json.expose().to_vec())
        .map_err(|_| StsError::InvalidAuthorizationMessage("the message is not UTF-8"))
}

#[cfg(test)]
mod tests;
