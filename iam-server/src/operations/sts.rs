//! STS: temporary credentials and encoded authorization messages.
//!
//! The operations themselves live in `iam-sts`. These handlers read the Query API parameters,
//! call it, and encode the result. `GetCallerIdentity` sits with the other operations because
//! it needs no STS state.

use iam_audit::{IdentityType, UserIdentity};
use iam_sts::authorization_message::decode_authorization_message;
use iam_sts::{
    AssumeRoleRequest, AssumeRoleWithWebIdentityRequest, GetFederationTokenRequest,
    GetSessionTokenRequest, WebIdentitySession,
};

use super::{Call, OperationResult, tag_pairs};
use crate::app::AppState;
use crate::encode::sts as encode;
use crate::error::{ApiError, ErrorCode};
use crate::query::QueryParameters;
use crate::service::Service;

/// Runs a signed STS operation, or returns `None` for actions this server does not implement.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "AssumeRole" => assume_role(call).await,
        "GetSessionToken" => get_session_token(call).await,
        "GetFederationToken" => get_federation_token(call).await,
        "DecodeAuthorizationMessage" => decode_message(call),
        _ => return None,
    };
    Some(result)
}

/// Returns whether an action is called without a signature: `AssumeRoleWithWebIdentity`,
/// whose web identity token proves who calls.
pub fn is_unsigned(service: Service, action: &str) -> bool {
    service == Service::Sts && action == "AssumeRoleWithWebIdentity"
}

/// Runs an unsigned STS operation. It is neither authenticated nor authorized by policy: the
/// operation verifies the caller's token and the role's trust policy itself.
///
/// Returns the operation's result, with its errors as [`ApiError`]s, and the caller as the
/// audit trail records it. A caller whose token did not verify is a `WebIdentityUser` without
/// a principal, because the token's claims cannot be trusted.
pub async fn execute_unsigned(
    state: &AppState,
    action: &str,
    parameters: &QueryParameters,
) -> (OperationResult, UserIdentity) {
    match action {
        "AssumeRoleWithWebIdentity" => {
            let mut identity = UserIdentity {
                identity_type: IdentityType::WebIdentityUser,
                ..UserIdentity::default()
            };
            let result = assume_role_with_web_identity(state, parameters, &mut identity).await;
            (result, identity)
        }
        other => (
            Err(ApiError::new(
                ErrorCode::InvalidAction,
                format!("The action {other} of STS must be signed."),
            )),
            UserIdentity::default(),
        ),
    }
}

/// Builds CloudTrail's `userIdentity` of a verified web identity caller as CloudTrail writes it
/// for a registered OpenID Connect provider: `principalId` is `PROVIDER_ARN:AUDIENCE:SUBJECT`,
/// `userName` the subject, and `identityProvider` the provider's ARN. The token is not kept.
fn web_identity_user(session: &WebIdentitySession) -> UserIdentity {
    UserIdentity {
        identity_type: IdentityType::WebIdentityUser,
        principal_id: Some(format!(
            "{}:{}:{}",
            session.provider_arn, session.audience, session.subject
        )),
        user_name: Some(session.subject.clone()),
        identity_provider: Some(session.provider_arn.to_string()),
        ..UserIdentity::default()
    }
}

async fn assume_role(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    reject_provided_contexts(parameters)?;
    let request = AssumeRoleRequest {
        role_arn: parameters.required("RoleArn")?.to_owned(),
        role_session_name: parameters.required("RoleSessionName")?.to_owned(),
        duration_seconds: parameters.integer("DurationSeconds")?,
        policy: optional(parameters, "Policy"),
        policy_arns: policy_arns(parameters)?,
        tags: tag_pairs(parameters)?,
        transitive_tag_keys: parameters.list("TransitiveTagKeys")?.unwrap_or_default(),
        external_id: optional(parameters, "ExternalId"),
        serial_number: optional(parameters, "SerialNumber"),
        token_code: optional(parameters, "TokenCode"),
        source_identity: optional(parameters, "SourceIdentity"),
    };
    let passed = passes_policies(&request.policy, &request.policy_arns) || !request.tags.is_empty();

    let session = call
        .state
        .sessions
        .sts()
        .assume_role(&call.caller.to_sts(), &request)
        .await?;
    Ok(Some(encode::assume_role_result(&session, passed)))
}

async fn assume_role_with_web_identity(
    state: &AppState,
    parameters: &QueryParameters,
    identity: &mut UserIdentity,
) -> OperationResult {
    if parameters.optional("ProviderId").is_some() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameterValue,
            "ProviderId is only for OAuth 2.0 access tokens, which this server does not accept. \
             Send an OpenID Connect ID token without ProviderId.",
        ));
    }
    let request = AssumeRoleWithWebIdentityRequest {
        role_arn: parameters.required("RoleArn")?.to_owned(),
        role_session_name: parameters.required("RoleSessionName")?.to_owned(),
        web_identity_token: parameters.required("WebIdentityToken")?.to_owned(),
        duration_seconds: parameters.integer("DurationSeconds")?,
        policy: optional(parameters, "Policy"),
        policy_arns: policy_arns(parameters)?,
    };
    let passed = passes_policies(&request.policy, &request.policy_arns);

    let result = state
        .sessions
        .sts()
        .assume_role_with_web_identity(&request)
        .await?;
    *identity = web_identity_user(&result);
    Ok(Some(encode::assume_role_with_web_identity_result(
        &result, passed,
    )))
}

async fn get_session_token(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let request = GetSessionTokenRequest {
        duration_seconds: parameters.integer("DurationSeconds")?,
        serial_number: optional(parameters, "SerialNumber"),
        token_code: optional(parameters, "TokenCode"),
    };

    let session = call
        .state
        .sessions
        .sts()
        .get_session_token(&call.caller.to_sts(), &request)
        .await?;
    Ok(Some(encode::get_session_token_result(&session)))
}

async fn get_federation_token(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let request = GetFederationTokenRequest {
        name: parameters.required("Name")?.to_owned(),
        duration_seconds: parameters.integer("DurationSeconds")?,
        policy: optional(parameters, "Policy"),
        policy_arns: policy_arns(parameters)?,
        tags: tag_pairs(parameters)?,
    };
    let passed = passes_policies(&request.policy, &request.policy_arns) || !request.tags.is_empty();

    let session = call
        .state
        .sessions
        .sts()
        .get_federation_token(&call.caller.to_sts(), &request)
        .await?;
    Ok(Some(encode::get_federation_token_result(&session, passed)))
}

fn decode_message(call: &Call<'_>) -> OperationResult {
    let encoded = call.parameters.required("EncodedMessage")?;
    // The pipeline runs an operation only once `authorize` allowed the caller
    // `sts:DecodeAuthorizationMessage`, or in log-only mode, which allows denied calls too.
    let decoded =
        decode_authorization_message(call.state.sessions.authorization_messages(), encoded, true)?;
    Ok(Some(encode::decode_authorization_message_result(&decoded)))
}

fn optional(parameters: &QueryParameters, name: &str) -> Option<String> {
    parameters.optional(name).map(str::to_owned)
}

fn passes_policies(policy: &Option<String>, policy_arns: &[String]) -> bool {
    policy.is_some() || !policy_arns.is_empty()
}

/// Reads `PolicyArns.member.N.arn`, the managed policies passed as session policies.
fn policy_arns(parameters: &QueryParameters) -> Result<Vec<String>, ApiError> {
    let members = parameters.structures("PolicyArns")?.unwrap_or_default();
    members
        .into_iter()
        .map(|mut member| {
            member
                .remove("arn")
                .ok_or_else(|| ApiError::missing_parameter("arn"))
        })
        .collect()
}

/// Rejects `ProvidedContexts`, the trusted context assertions of IAM Identity Center, which
/// this server cannot verify.
fn reject_provided_contexts(parameters: &QueryParameters) -> Result<(), ApiError> {
    if parameters.structures("ProvidedContexts")?.is_some() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameterValue,
            "ProvidedContexts is not supported by this server. Call AssumeRole without it.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
