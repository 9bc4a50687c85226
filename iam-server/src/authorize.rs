//! Authorization of an authenticated call: which resource it acts on, and whether the caller
//! may act on it.

use iam_audit::{Authorization, Decision};
use iam_store::IamStore;

use crate::config::Enforcement;
use crate::error::{ApiError, ErrorCode};
use crate::identity::Caller;
use crate::metrics::{DecisionOutcome, Metrics};
use crate::query::QueryParameters;
use crate::resource::{CallerScope, ResourceKind, Target, target};
use crate::service::Service;

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
/// permission, as in AWS. Every other caller is denied for now.
///
/// # Errors
///
/// The `ValidationError` of a missing parameter that names the resource.
pub async fn authorize(
    store: &dyn IamStore,
    metrics: &Metrics,
    enforcement: Enforcement,
    caller: &Caller,
    service: Service,
    action: &str,
    parameters: &QueryParameters,
) -> Result<Verdict, ApiError> {
    let qualified_action = format!("{}:{action}", service.name());
    let account = caller.account().to_string();
    let scope = CallerScope {
        partition: "aws",
        account: &account,
        user_name: caller.user_name(),
    };
    let resource = resource_arn(store, caller, target(service, action, parameters, scope)?).await;

    let (decision, outcome) = if caller.is_root() {
        (Decision::Allow, DecisionOutcome::Root)
    } else if service == Service::Sts && action == "GetCallerIdentity" {
        (Decision::Allow, DecisionOutcome::Allow)
    } else {
        // TODO: Evaluate the caller's identity policies, boundary and session policies with
        // iam-policy once it lands. Until then every call by a non-root caller is an implicit
        // deny. In log-only mode such a call goes ahead and the would-be denial is audited.
        (Decision::ImplicitDeny, DecisionOutcome::ImplicitDeny)
    };
    metrics.record_decision(outcome);

    let authorization = Authorization {
        decision,
        action: qualified_action.clone(),
        resource: Some(resource.clone()),
        policies: Vec::new(),
        statements: Vec::new(),
    };
    if decision == Decision::Allow {
        return Ok(Verdict {
            allowed: true,
            denial: None,
            authorization,
        });
    }
    let denial = ApiError::new(
        ErrorCode::AccessDenied,
        format!(
            "User: {} is not authorized to perform: {qualified_action} on resource: {resource} \
             because no identity-based policy allows the {qualified_action} action",
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
async fn resource_arn(store: &dyn IamStore, caller: &Caller, target: Target) -> String {
    let account = caller.account();
    match target {
        Target::Any => "*".to_owned(),
        Target::Arn(arn) => arn,
        Target::Named { kind, name } => {
            let found = match kind {
                ResourceKind::User => store
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
