//! Authorization of an authenticated call: which resource it acts on, and whether the caller
//! may act on it.

use std::net::IpAddr;

use iam_audit::{Authorization, Decision};
use iam_policy::{ContextKeys, ContextValue, Explanation, Gate, PolicyType};
use iam_store::IamStore;
use iam_sts::authorization_message::{AuthorizationExplanation, encode_authorization_message};

use crate::app::AppState;
use crate::config::Enforcement;
use crate::error::{ApiError, ErrorCode};
use crate::evaluation::{Evaluation, RequestFacts, audit_authorization};
use crate::identity::Caller;
use crate::metrics::DecisionOutcome;
use crate::query::QueryParameters;
use crate::resource::{CallerScope, ResourceKind, Target, target};
use crate::service::Service;
use crate::store_cache::StoreCache;

/// The outcome of authorizing one call.
#[derive(Debug)]
pub struct Verdict {
    /// Whether the call may go ahead; in log-only mode a denied call still goes ahead.
    pub allowed: bool,
    /// The error for the client when the call may not go ahead.
    pub denial: Option<ApiError>,
    /// The decision block for the audit trail, or `None` when auditing is off or the operation
    /// decides itself.
    pub authorization: Option<Authorization>,
}

/// The network facts of a request, which policies test through global condition keys.
#[derive(Debug, Clone, Copy)]
pub struct RequestOrigin<'a> {
    /// The client's address, `aws:SourceIp`, or `None` when unknown.
    pub source_ip: Option<IpAddr>,
    /// Whether the request came over TLS, `aws:SecureTransport`.
    pub secure_transport: bool,
    /// The region of the signature's credential scope, `aws:RequestedRegion`.
    pub requested_region: &'a str,
}

/// Decides whether `caller` may run `action`.
///
/// The root user may do everything in its account. `sts:GetCallerIdentity` and
/// `sts:GetSessionToken` need no permission, as in AWS, and `sts:AssumeRole` is decided by the
/// operation itself, because a role's trust policy can allow it without any identity policy. An
/// IAM user's identity policies (its own and its groups') and permissions boundary are
/// evaluated against the action and its resource, and sessions as
/// [`crate::evaluation::PolicyCache::evaluate_session`] describes. An IAM user may call
/// `ChangePassword` without a policy when the password policy sets
/// `AllowUsersToChangePassword`.
///
/// # Errors
///
/// The `ValidationError` of a missing parameter that names the resource, and store errors while
/// loading the caller's policies. Some kinds of session are rejected whatever their policies
/// allow: `AccessDenied` for actions a session may never call, and `InvalidClientTokenId` for
/// IAM calls of a `GetSessionToken` session without MFA.
pub async fn authorize(
    state: &AppState,
    caller: &Caller,
    service: Service,
    action: &str,
    parameters: &QueryParameters,
    origin: RequestOrigin<'_>,
) -> Result<Verdict, ApiError> {
    let qualified_action = [service.name(), ":", action].concat();
    if let Some(session) = caller.session() {
        session.claims.check_action(&qualified_action)?;
    }
    let store = state.store.as_ref();
    let account = caller.account();
    let scope = CallerScope {
        partition: "aws",
        account: account.as_str(),
        user_name: caller.user_name(),
        is_root: caller.is_root(),
    };
    let target = target(service, action, parameters, scope)?;
    let resource = resource_arn(store, &state.store_cache, caller, target).await;

    // The decision block only goes into the audit trail, so it is not built without one.
    let audited = state.audit.is_some();
    let no_policies = |decision| {
        audited.then(|| Authorization {
            decision,
            action: qualified_action.clone(),
            resource: Some(resource.clone()),
            policies: Vec::new(),
            statements: Vec::new(),
        })
    };
    if caller.is_root() {
        state.metrics.record_decision(DecisionOutcome::Root);
        return Ok(allowed(no_policies(Decision::Allow)));
    }
    if let Caller::User { account, .. } = caller
        && service == Service::Iam
        && action == "ChangePassword"
        && users_may_change_password(store, *account).await?
    {
        state.metrics.record_decision(DecisionOutcome::Allow);
        return Ok(allowed(no_policies(Decision::Allow)));
    }
    match permission(service, action) {
        Permission::NotNeeded => {
            state.metrics.record_decision(DecisionOutcome::Allow);
            return Ok(allowed(no_policies(Decision::Allow)));
        }
        Permission::DecidedByOperation => return Ok(allowed(None)),
        Permission::Policies => {}
    }

    let now = state.clock.now();
    let keys = context_keys(caller, origin, now);
    let facts = RequestFacts {
        action: &qualified_action,
        resource: &resource,
        now,
        keys: &keys,
    };
    let mut evaluation = evaluate(state, caller, facts).await?;
    let allowed_so_far = evaluation.explanation.decision == iam_policy::Decision::Allow;
    if allowed_so_far && tags_session(service, action, parameters) {
        let tag_session = RequestFacts {
            action: "sts:TagSession",
            ..facts
        };
        let tagging = evaluate(state, caller, tag_session).await?;
        if tagging.explanation.decision != iam_policy::Decision::Allow {
            evaluation = tagging;
        }
    }
    let Evaluation {
        explanation,
        request,
    } = evaluation;

    let outcome = match explanation.decision {
        iam_policy::Decision::Allow => DecisionOutcome::Allow,
        iam_policy::Decision::ExplicitDeny => DecisionOutcome::ExplicitDeny,
        iam_policy::Decision::ImplicitDeny => DecisionOutcome::ImplicitDeny,
    };
    state.metrics.record_decision(outcome);
    if explanation.decision == iam_policy::Decision::Allow {
        let authorization =
            audited.then(|| audit_authorization(&explanation, request.action(), &resource));
        return Ok(allowed(authorization));
    }
    let denied_action = request.action().to_owned();
    let authorization =
        audited.then(|| audit_authorization(&explanation, &denied_action, &resource));

    let mut message = format!(
        "User: {} is not authorized to perform: {denied_action} on resource: {resource} {}",
        caller.arn(),
        denial_reason(&explanation, &denied_action)
    );
    let encoded = encode_authorization_message(
        state.sessions.authorization_messages(),
        &AuthorizationExplanation::from_decision(&request, &explanation),
        state.random.as_ref(),
    );
    match encoded {
        Ok(encoded) => {
            message.push_str(". Encoded authorization failure message: ");
            message.push_str(&encoded);
        }
        Err(error) => tracing::warn!(%error, "denial sent without an encoded message"),
    }
    tracing::debug!(
        arn = %caller.arn(),
        action = %denied_action,
        %resource,
        decision = ?explanation.decision,
        "denied"
    );
    Ok(Verdict {
        allowed: state.settings.enforcement == Enforcement::LogOnly,
        denial: Some(ApiError::new(ErrorCode::AccessDenied, message)),
        authorization,
    })
}

/// Returns whether the account password policy sets `AllowUsersToChangePassword`, which lets
/// every IAM user call `ChangePassword` for itself without a policy that allows it, as in AWS.
async fn users_may_change_password(
    store: &dyn IamStore,
    account: iam_model::AccountId,
) -> Result<bool, ApiError> {
    let settings = store.account(account).await?;
    Ok(settings
        .password_policy
        .is_some_and(|policy| policy.allow_users_to_change_password))
}

/// The source of an action's permission decision.
enum Permission {
    /// By the caller's policies.
    Policies,
    /// Not at all: any valid credential may call it.
    NotNeeded,
    /// By the operation, which evaluates the policies itself.
    DecidedByOperation,
}

fn permission(service: Service, action: &str) -> Permission {
    match (service, action) {
        (Service::Sts, "GetCallerIdentity" | "GetSessionToken") => Permission::NotNeeded,
        (Service::Sts, "AssumeRole") => Permission::DecidedByOperation,
        _ => Permission::Policies,
    }
}

/// Returns whether the call passes session tags, which `GetFederationToken` must also be
/// allowed `sts:TagSession` for.
fn tags_session(service: Service, action: &str, parameters: &QueryParameters) -> bool {
    service == Service::Sts
        && action == "GetFederationToken"
        && parameters.optional("Tags.member.1.Key").is_some()
}

fn allowed(authorization: Option<Authorization>) -> Verdict {
    Verdict {
        allowed: true,
        denial: None,
        authorization,
    }
}

async fn evaluate(
    state: &AppState,
    caller: &Caller,
    facts: RequestFacts<'_>,
) -> Result<Evaluation, ApiError> {
    let store = state.store.as_ref();
    match caller {
        Caller::User { account, user } => {
            state
                .policies
                .evaluate_user(store, *account, user, facts)
                .await
        }
        Caller::Session(session) => {
            state
                .policies
                .evaluate_session(store, &state.sessions, session, facts)
                .await
        }
        Caller::Root { account } => Ok(facts.evaluate_root(*account)),
    }
}

/// Builds the context keys of a request beside those derived from the principal: where it came
/// from, and for a session the keys the session carries.
fn context_keys(caller: &Caller, origin: RequestOrigin<'_>, now: jiff::Timestamp) -> ContextKeys {
    let mut keys = ContextKeys::new();
    if let Some(source_ip) = origin.source_ip {
        keys.insert("aws:SourceIp", ContextValue::ip(source_ip));
    }
    keys.insert(
        "aws:SecureTransport",
        ContextValue::boolean(origin.secure_transport),
    );
    if !origin.requested_region.is_empty() {
        keys.insert(
            "aws:RequestedRegion",
            ContextValue::single(origin.requested_region),
        );
    }
    if let Some(session) = caller.session() {
        iam_sts::insert_session_keys(&mut keys, &session.claims, now);
    }
    keys
}

/// Returns the end of AWS's denial sentence: which kind of policy denied the action, or which
/// kind allowed nothing.
fn denial_reason(explanation: &Explanation, action: &str) -> String {
    if explanation.decision == iam_policy::Decision::ExplicitDeny {
        let policy_type = explanation
            .statements
            .first()
            .map_or(PolicyType::Identity, |statement| statement.policy_type);
        return format!("with an explicit deny in {}", policy_kind(policy_type));
    }
    let kind = match explanation.gate {
        Some(Gate::PermissionsBoundary) => "permissions boundary",
        Some(Gate::SessionPolicy) => "session policy",
        Some(Gate::Scp { .. }) => "service control policy",
        Some(Gate::Rcp { .. }) => "resource control policy",
        Some(Gate::VpcEndpoint) => "VPC endpoint policy",
        Some(Gate::NoResourceAllow) => "resource-based policy",
        Some(Gate::NoIdentityAllow | Gate::ProtectedResource) | None => "identity-based policy",
    };
    format!("because no {kind} allows the {action} action")
}

/// Names a kind of policy with its article, as AWS's denial messages do.
fn policy_kind(policy_type: PolicyType) -> &'static str {
    match policy_type {
        PolicyType::Identity => "an identity-based policy",
        PolicyType::Resource | PolicyType::Trust => "a resource-based policy",
        PolicyType::PermissionsBoundary => "a permissions boundary",
        PolicyType::Session => "a session policy",
        PolicyType::Scp => "a service control policy",
        PolicyType::Rcp => "a resource control policy",
        PolicyType::VpcEndpoint => "a VPC endpoint policy",
    }
}

/// Turns a target into the resource ARN policies are matched against, looking up the path of
/// a named entity. An entity that does not exist is named with the root path, so that the
/// operation itself reports `NoSuchEntity` to a caller who may call it.
async fn resource_arn(
    store: &dyn IamStore,
    store_cache: &StoreCache,
    caller: &Caller,
    target: Target,
) -> String {
    let account = caller.account();
    match target {
        Target::Any => "*".to_owned(),
        Target::Arn(arn) => arn,
        Target::Named { kind, name } => {
            let found = match kind {
                ResourceKind::User => store_cache
                    .user(account, &name)
                    .await
                    .ok()
                    .map(|user| user.arn.to_string()),
                ResourceKind::Group => store
                    .group(account, &name)
                    .await
                    .ok()
                    .map(|group| group.arn.to_string()),
                ResourceKind::Role => store
                    .role(account, &name)
                    .await
                    .ok()
                    .map(|role| role.arn.to_string()),
                _ => None,
            };
            found.unwrap_or_else(|| {
                format!(
                    "arn:aws:{}::{account}:{}/{name}",
                    kind.arn_service(),
                    kind.name()
                )
            })
        }
    }
}

#[cfg(test)]
mod tests;
