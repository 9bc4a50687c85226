//! The audit event: one CloudTrail-shaped record per call, with the authorization decision.

use iam_model::{AccountId, Arn, RandomSource};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::redact;

/// The CloudTrail record format version whose fields [`AuditEvent`] carries.
pub const EVENT_VERSION: &str = "1.08";

/// One call to the service, allowed or denied, as CloudTrail would record it, plus the
/// authorization decision that CloudTrail does not record.
///
/// Field names on the wire are CloudTrail's (`eventTime`, `sourceIPAddress`, `requestID`, ...),
/// so tools written for CloudTrail logs read these events unchanged. Absent optional fields are
/// written as `null`, as CloudTrail does for `requestParameters` and `responseElements`.
///
/// `E` is the type of the request parameters and response elements. Events read back from a
/// trail, and events built by hand, hold JSON values ([`Value`]) that a sink redacts before
/// storing them. The server builds its events with [`Elements`](crate::Elements), which it encodes straight from
/// its typed request and response and redacts as it writes them, so no JSON tree is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent<E = Value> {
    /// The record format version, [`EVENT_VERSION`] for events made by this crate.
    #[serde(rename = "eventVersion")]
    pub event_version: String,
    /// When the request was received.
    #[serde(rename = "eventTime")]
    pub event_time: Timestamp,
    /// The service that handled the request.
    #[serde(rename = "eventSource")]
    pub event_source: EventSource,
    /// The API action, such as `CreateUser` or `AssumeRole`.
    #[serde(rename = "eventName")]
    pub event_name: String,
    /// The region the request was sent to, `us-east-1` for IAM.
    #[serde(rename = "awsRegion")]
    pub aws_region: String,
    /// The address the request came from.
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    /// The client's `User-Agent` header.
    #[serde(rename = "userAgent")]
    pub user_agent: String,
    /// The caller, as far as authentication established it.
    #[serde(rename = "userIdentity")]
    pub user_identity: UserIdentity,
    /// The request's parameters, with secrets redacted before the event is stored.
    #[serde(rename = "requestParameters")]
    pub request_parameters: Option<E>,
    /// The response's elements, with secrets redacted before the event is stored.
    #[serde(rename = "responseElements")]
    pub response_elements: Option<E>,
    /// The request id returned to the client.
    #[serde(rename = "requestID")]
    pub request_id: String,
    /// The id of this event, unique across the trail.
    #[serde(rename = "eventID")]
    pub event_id: String,
    /// Whether the action only reads state.
    #[serde(rename = "readOnly")]
    pub read_only: bool,
    /// The AWS error code returned to the client, absent on success.
    #[serde(rename = "errorCode")]
    pub error_code: Option<String>,
    /// The error message returned to the client, absent on success.
    #[serde(rename = "errorMessage")]
    pub error_message: Option<String>,
    /// The account that owns the resources the request acted on.
    #[serde(rename = "recipientAccountId", serialize_with = "display::optional")]
    pub recipient_account_id: Option<AccountId>,
    /// The authorization decision and the policies and statements that decided it, absent for
    /// calls that were rejected before authorization (for example a bad signature).
    pub authorization: Option<Authorization>,
}

impl AuditEvent {
    /// Creates an event of JSON values for `event_name` on `event_source` at `event_time`
    /// with every other field empty, for the caller to fill in. [`AuditEvent::empty`] creates
    /// one with other elements.
    pub fn new(
        event_time: Timestamp,
        event_source: EventSource,
        event_name: impl Into<String>,
    ) -> Self {
        Self::empty(event_time, event_source, event_name)
    }
}

impl<E> AuditEvent<E> {
    /// Creates an event for `event_name` on `event_source` at `event_time` with every other
    /// field empty, for the caller to fill in.
    pub fn empty(
        event_time: Timestamp,
        event_source: EventSource,
        event_name: impl Into<String>,
    ) -> Self {
        Self {
            event_version: EVENT_VERSION.to_owned(),
            event_time,
            event_source,
            event_name: event_name.into(),
            aws_region: "us-east-1".to_owned(),
            source_ip_address: String::new(),
            user_agent: String::new(),
            user_identity: UserIdentity::default(),
            request_parameters: None,
            response_elements: None,
            request_id: String::new(),
            event_id: String::new(),
            read_only: false,
            error_code: None,
            error_message: None,
            recipient_account_id: None,
            authorization: None,
        }
    }
}

impl AuditEvent {
    /// Replaces every secret in the request parameters and response elements with
    /// [`REDACTED`](crate::REDACTED) and returns how many values it replaced.
    ///
    /// Every sink in this crate calls it before storing an event, so callers need not.
    pub fn redact(&mut self) -> usize {
        let mut count = 0;
        if let Some(parameters) = &mut self.request_parameters {
            count += redact::redact_value(parameters);
        }
        if let Some(elements) = &mut self.response_elements {
            count += redact::redact_value(elements);
        }
        count
    }
}

/// Generates an event id: a random UUID, version 4, in its hyphenated lowercase form.
pub fn generate_event_id(random: &dyn RandomSource) -> String {
    let mut bytes = [0_u8; 16];
    random.fill(&mut bytes);
    // RFC 9562 section 5.4: version 4 in the high nibble of byte 6, variant `10` in byte 8.
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = data_encoding::HEXLOWER.encode(&bytes);
    let mut id = String::with_capacity(36);
    for (index, character) in hex.chars().enumerate() {
        if matches!(index, 8 | 12 | 16 | 20) {
            id.push('-');
        }
        id.push(character);
    }
    id
}

/// The service that handled a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventSource {
    /// IAM, `iam.amazonaws.com`.
    #[serde(rename = "iam.amazonaws.com")]
    Iam,
    /// STS, `sts.amazonaws.com`.
    #[serde(rename = "sts.amazonaws.com")]
    Sts,
}

/// The caller of a request, as CloudTrail's `userIdentity` element describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserIdentity {
    /// The kind of principal.
    #[serde(rename = "type")]
    pub identity_type: IdentityType,
    /// The principal's unique id, such as `AIDA...` for a user or `AROA...:session` for a role
    /// session.
    #[serde(rename = "principalId")]
    pub principal_id: Option<String>,
    /// The principal's ARN.
    #[serde(serialize_with = "display::optional")]
    pub arn: Option<Arn>,
    /// The account that owns the principal.
    #[serde(rename = "accountId", serialize_with = "display::optional")]
    pub account_id: Option<AccountId>,
    /// The access key id that signed the request.
    #[serde(rename = "accessKeyId")]
    pub access_key_id: Option<String>,
    /// The friendly name of the user, for IAM users and the root user.
    #[serde(rename = "userName")]
    pub user_name: Option<String>,
    /// The session, present when temporary credentials signed the request.
    #[serde(rename = "sessionContext")]
    pub session_context: Option<SessionContext>,
    /// The identity provider of a web identity caller: the ARN of the OpenID Connect provider
    /// that verified its token. Left out of the JSON for other callers, so events written
    /// before the field existed keep their bytes.
    #[serde(
        rename = "identityProvider",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub identity_provider: Option<String>,
}

/// The kind of principal behind a request, with CloudTrail's names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IdentityType {
    /// The account's root user.
    Root,
    /// An IAM user.
    #[serde(rename = "IAMUser")]
    IamUser,
    /// A role session from `AssumeRole` and its variants.
    AssumedRole,
    /// A federated user session from `GetFederationToken`.
    FederatedUser,
    /// Another AWS account.
    #[serde(rename = "AWSAccount")]
    AwsAccount,
    /// An AWS service.
    #[serde(rename = "AWSService")]
    AwsService,
    /// A caller of `AssumeRoleWithWebIdentity`, identified by an OpenID Connect token.
    WebIdentityUser,
    /// A caller that authentication did not identify, such as a request with a bad signature.
    #[default]
    Unknown,
}

/// The temporary-credential session behind a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionContext {
    /// When and how the session was authenticated.
    pub attributes: SessionAttributes,
    /// The role or user whose credentials created the session.
    #[serde(rename = "sessionIssuer")]
    pub session_issuer: Option<SessionIssuer>,
}

/// When and how a session was authenticated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionAttributes {
    /// Whether the session's creator authenticated with MFA, written as the string `"true"` or
    /// `"false"` as CloudTrail writes it.
    #[serde(rename = "mfaAuthenticated", with = "bool_as_string")]
    pub mfa_authenticated: bool,
    /// When the session's credentials were issued.
    #[serde(rename = "creationDate")]
    pub creation_date: Timestamp,
}

/// The principal that issued a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionIssuer {
    /// `Role` for role sessions, `IAMUser` or `Root` for federation tokens.
    #[serde(rename = "type")]
    pub issuer_type: String,
    /// The issuer's unique id.
    #[serde(rename = "principalId")]
    pub principal_id: String,
    /// The issuer's ARN.
    #[serde(serialize_with = "display::required")]
    pub arn: Arn,
    /// The account that owns the issuer.
    #[serde(rename = "accountId", serialize_with = "display::required")]
    pub account_id: AccountId,
    /// The issuer's friendly name.
    #[serde(rename = "userName")]
    pub user_name: String,
}

/// The authorization decision of a call and what decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authorization {
    /// The outcome of policy evaluation.
    pub decision: Decision,
    /// The action that was authorized, such as `iam:CreateUser`.
    pub action: String,
    /// The resource ARN the action was authorized against.
    pub resource: Option<String>,
    /// Every policy that took part in the evaluation.
    pub policies: Vec<PolicyReference>,
    /// The statements that decided the outcome: the matching `Deny` statements for an explicit
    /// deny, the matching `Allow` statements for an allow, and none for an implicit deny.
    pub statements: Vec<StatementReference>,
}

/// The outcome of policy evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Decision {
    /// Some statement allowed the request and none denied it.
    Allow,
    /// A statement denied the request.
    ExplicitDeny,
    /// No statement allowed the request.
    ImplicitDeny,
}

/// A policy that took part in an authorization decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyReference {
    /// The policy's kind.
    #[serde(rename = "type")]
    pub policy_type: PolicyType,
    /// The managed policy's ARN, absent for inline and session policies.
    #[serde(serialize_with = "display::optional")]
    pub arn: Option<Arn>,
    /// The inline policy's name, or the entity that a resource policy is attached to.
    pub name: Option<String>,
    /// The managed policy version that was evaluated, such as `v3`.
    #[serde(rename = "versionId")]
    pub version_id: Option<String>,
}

/// The kind of a policy in an authorization decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyType {
    /// A managed policy attached to the principal or one of its groups.
    Managed,
    /// An inline policy embedded in the principal or one of its groups.
    Inline,
    /// A resource-based policy, such as a role's trust policy.
    Resource,
    /// A permissions boundary.
    PermissionsBoundary,
    /// A session policy passed when the session was created.
    Session,
    /// A service control policy.
    ServiceControl,
    /// A resource control policy.
    ResourceControl,
}

/// A statement that decided an authorization outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementReference {
    /// The position of the statement's policy in [`Authorization::policies`].
    #[serde(rename = "policyIndex")]
    pub policy_index: usize,
    /// The statement's position in its policy's `Statement` list, from 0.
    #[serde(rename = "statementIndex")]
    pub statement_index: usize,
    /// The statement's `Sid`, if it has one.
    pub sid: Option<String>,
    /// The statement's `Effect`.
    pub effect: Effect,
}

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// Serializers that write a value through its `Display` form, which is the form its own
/// `Serialize` produces, without the copy that form costs for [`Arn`] and [`AccountId`].
mod display {
    use std::fmt::Display;

    use serde::Serializer;

    pub(super) fn required<T: Display, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub(super) fn optional<T: Display, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.collect_str(value),
            None => serializer.serialize_none(),
        }
    }
}

mod bool_as_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if *value { "true" } else { "false" })
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<bool, D::Error> {
        match String::deserialize(deserializer)?.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(other),
                &"`true` or `false`",
            )),
        }
    }
}

#[cfg(test)]
mod tests;
