//! Authorization of an authenticated call: which resource it acts on, and whether the caller
//! may act on it.

use iam_audit::{Authorization, Decision};
use iam_policy::Gate;
use iam_store::IamStore;

use crate::app::AppState;
use crate::config::Enforcement;
use crate::error::{ApiError, ErrorCode};
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
    /// The decision block for the audit trail.
    pub authorization: Authorization,
}

/// Decides whether `caller` may run `action`.
///
/// The root user may do everything in its account. `sts:GetCallerIdentity` needs no
/// permission, as in AWS. An IAM user's identity policies (its own and its groups') and
/// permissions boundary are evaluated against the action and its resource.
///
/// # Errors
///
/// The `ValidationError` of a missing parameter that names the resource, and store errors
/// while loading the caller's policies.
pub async fn authorize(
    state: &AppState,
    caller: &Caller,
    service: Service,
    action: &str,
    parameters: &QueryParameters,
) -> Result<Verdict, ApiError> {
    let store = state.store.as_ref();
    let metrics = &state.metrics;
    let enforcement = state.settings.enforcement;
    let qualified_action = format!("{}:{action}", service.name());
    let account = caller.account().to_string();
    let scope = CallerScope {
        partition: "aws",
        account: &account,
        user_name: caller.user_name(),
    };
    let target = target(service, action, parameters, scope)?;
    let resource = resource_arn(store, &state.store_cache, caller, target).await;

    let no_policies = |decision| Authorization {
        decision,
        action: qualified_action.clone(),
        resource: Some(resource.clone()),
        policies: Vec::new(),
        statements: Vec::new(),
    };
    let (authorization, outcome, gate) = match caller {
        Caller::Root { .. } => (no_policies(Decision::Allow), DecisionOutcome::Root, None),
        _ if service == Service::Sts && action == "GetCallerIdentity" => {
            (no_policies(Decision::Allow), DecisionOutcome::Allow, None)
        }
        Caller::User { account, user } => {
            let (explanation, authorization) = state
                .policies
                .evaluate_user(
                    store,
                    state.clock.as_ref(),
                    *account,
                    user,
                    &qualified_action,
                    &resource,
                )
                .await?;
            let outcome = match explanation.decision {
                iam_policy::Decision::Allow => DecisionOutcome::Allow,
                iam_policy::Decision::ExplicitDeny => DecisionOutcome::ExplicitDeny,
                iam_policy::Decision::ImplicitDeny => DecisionOutcome::ImplicitDeny,
            };
            (authorization, outcome, explanation.gate)
        }
    };
    metrics.record_decision(outcome);
    let decision = authorization.decision;
    if decision == Decision::Allow {
        return Ok(Verdict {
            allowed: true,
            denial: None,
            authorization,
        });
    }
    let reason = match (decision, gate) {
        (Decision::ExplicitDeny, _) => {
            "with an explicit deny in an identity-based policy".to_owned()
        }
        (_, Some(Gate::PermissionsBoundary)) => {
            format!("because no permissions boundary allows the {qualified_action} action")
        }
        _ => format!("because no identity-based policy allows the {qualified_action} action"),
    };
    let denial = ApiError::new(
        ErrorCode::AccessDenied,
        format!(
            "User: {} is not authorized to perform: {qualified_action} on resource: {resource} \
             {reason}",
            caller.arn()
        ),
    );
    tracing::debug!(arn = %caller.arn(), action = %qualified_action, %resource, ?decision, "denied");
    Ok(Verdict {
        allowed: enforcement == Enforcement::LogOnly,
        denial: Some(denial),
        authorization,
    })
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
