//! Policy evaluation for IAM users, with compiled policies cached per user.
//!
//! The store's change feed invalidates the cache. Every commit that changes what applies to a
//! user (its policies, its groups' policies, its boundary, its existence) publishes a change
//! naming the user. The user's entry is then dropped, so the next request compiles afresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use iam_audit::{Authorization, PolicyReference, StatementReference};
use iam_model::{AccountId, Clock, User};
use iam_policy::{
    CompiledPrincipalPolicies, CompiledResourcePolicies, ContextKeys, Decision, Explanation,
    NamedPolicy, PolicyDocument, PrincipalPolicies, RequestContext, RequestPrincipal,
};
use iam_store::{IamStore, Identity};
use tokio::sync::broadcast::error::RecvError;

use crate::error::ApiError;

/// The maximum number of users whose compiled policies are kept; the cache is cleared when
/// it is full.
const MAX_CACHED_PRINCIPALS: usize = 10_000;

/// A key of the cache: the account and the user name folded to lower case, because IAM names
/// are unique ignoring case.
type CacheKey = (AccountId, String);

/// Compiled identity policies and boundaries of users, shared by all requests.
#[derive(Default)]
pub struct PolicyCache {
    entries: Mutex<HashMap<CacheKey, Arc<CompiledPrincipalPolicies>>>,
}

impl PolicyCache {
    /// Creates an empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a task that drops the entry of every user the store reports changed, and the
    /// whole cache when the feed lagged and changes may have been missed.
    pub fn spawn_invalidation(self: &Arc<Self>, store: &dyn IamStore) {
        let mut changes = store.subscribe();
        let cache = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let received = changes.recv().await;
                let Some(cache) = cache.upgrade() else {
                    return;
                };
                match received {
                    Ok(change) => cache.invalidate(change.account, &change.identity),
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "policy cache missed changes, clearing it");
                        cache.lock().clear();
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Drops the compiled policies of one identity; groups and roles are not cached.
    pub fn invalidate(&self, account: AccountId, identity: &Identity) {
        if let Identity::User(name) = identity {
            self.lock().remove(&(account, name.to_lowercase()));
        }
    }

    /// Returns the number of cached users.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Returns whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Decides whether `user` may perform `action` on `resource`, loading and compiling the
    /// user's policies on a cache miss.
    ///
    /// # Errors
    ///
    /// The store's errors while loading the policies.
    pub async fn evaluate_user(
        &self,
        store: &dyn IamStore,
        clock: &dyn Clock,
        account: AccountId,
        user: &User,
        action: &str,
        resource: &str,
    ) -> Result<(Explanation, Authorization), ApiError> {
        let key = (account, user.user_name.to_lowercase());
        let principal = request_principal(user);
        let cached = self.lock().get(&key).cloned();
        let compiled = match cached {
            Some(compiled) => compiled,
            None => {
                let loaded = store
                    .principal_policies(account, &Identity::User(user.user_name.clone()))
                    .await?;
                let compiled = Arc::new(CompiledPrincipalPolicies::compile(
                    &principal_policies(&loaded),
                    Some(&principal),
                ));
                let mut entries = self.lock();
                if entries.len() >= MAX_CACHED_PRINCIPALS {
                    entries.clear();
                }
                entries.insert(key, Arc::clone(&compiled));
                compiled
            }
        };

        let request = RequestContext::new(
            principal,
            action,
            resource,
            None,
            Some(clock.now()),
            ContextKeys::new(),
        );
        let explanation = compiled.explain(&CompiledResourcePolicies::none(), &request);
        let authorization = audit_authorization(&explanation, action, resource);
        Ok((explanation, authorization))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, Arc<CompiledPrincipalPolicies>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Builds the evaluation's view of a user: its ARN, unique id and tags.
fn request_principal(user: &User) -> RequestPrincipal {
    let arn = user.arn.to_string();
    let principal = match RequestPrincipal::from_arn(&arn) {
        Ok(principal) => principal,
        Err(error) => {
            tracing::error!(%error, %arn, "stored user ARN does not parse");
            RequestPrincipal::anonymous()
        }
    };
    let principal = principal.with_user_id(user.user_id.as_str());
    user.tags.iter().fold(principal, |principal, tag| {
        principal.with_tag(&tag.key, &tag.value)
    })
}

/// Parses the stored documents into the evaluator's input. A stored document that no longer
/// parses is left out and logged, which can only deny more.
fn principal_policies(loaded: &iam_store::PrincipalPolicies) -> PrincipalPolicies {
    let name = match &loaded.principal {
        iam_store::Principal::User(user) => format!("user/{}", user.user_name),
        iam_store::Principal::Role(role) => format!("role/{}", role.role_name),
    };
    let mut identity = Vec::new();
    for inline in &loaded.inline_policies {
        push_parsed(
            &mut identity,
            format!("{name}/inline/{}", inline.policy_name),
            &inline.policy_document,
        );
    }
    for managed in &loaded.managed_policies {
        push_parsed(
            &mut identity,
            managed.policy_arn.to_string(),
            &managed.document,
        );
    }
    for group in &loaded.groups {
        for inline in &group.inline_policies {
            push_parsed(
                &mut identity,
                format!(
                    "group/{}/inline/{}",
                    group.group.group_name, inline.policy_name
                ),
                &inline.policy_document,
            );
        }
        for managed in &group.managed_policies {
            push_parsed(
                &mut identity,
                managed.policy_arn.to_string(),
                &managed.document,
            );
        }
    }
    let mut boundary = Vec::new();
    if let Some(managed) = &loaded.permissions_boundary {
        push_parsed(
            &mut boundary,
            managed.policy_arn.to_string(),
            &managed.document,
        );
    }
    PrincipalPolicies {
        identity,
        permissions_boundary: boundary.pop(),
        session: Vec::new(),
        scps: None,
    }
}

fn push_parsed(policies: &mut Vec<NamedPolicy>, id: String, text: &str) {
    match PolicyDocument::parse(text) {
        Ok(document) => policies.push(NamedPolicy::new(id, document)),
        Err(error) => tracing::error!(%error, policy = %id, "stored policy does not parse"),
    }
}

/// Converts an explanation into the audit trail's decision block.
fn audit_authorization(explanation: &Explanation, action: &str, resource: &str) -> Authorization {
    let mut policies: Vec<PolicyReference> = Vec::new();
    let mut statements = Vec::new();
    for matched in &explanation.statements {
        let is_boundary = matched.policy_type == iam_policy::PolicyType::PermissionsBoundary;
        let arn = matched.policy_id.parse().ok();
        let policy_type = match (is_boundary, &arn) {
            (true, _) => iam_audit::PolicyType::PermissionsBoundary,
            (false, Some(_)) => iam_audit::PolicyType::Managed,
            (false, None) => iam_audit::PolicyType::Inline,
        };
        let name = arn.is_none().then(|| matched.policy_id.clone());
        let position = policies.iter().position(|policy| {
            policy.policy_type == policy_type && policy.arn == arn && policy.name == name
        });
        let policy_index = position.unwrap_or_else(|| {
            policies.push(PolicyReference {
                policy_type,
                arn,
                name,
                version_id: None,
            });
            policies.len() - 1
        });
        statements.push(StatementReference {
            policy_index,
            statement_index: matched.statement_index,
            sid: matched.sid.clone(),
            effect: match matched.effect {
                iam_policy::Effect::Allow => iam_audit::Effect::Allow,
                iam_policy::Effect::Deny => iam_audit::Effect::Deny,
            },
        });
    }
    Authorization {
        decision: match explanation.decision {
            Decision::Allow => iam_audit::Decision::Allow,
            Decision::ExplicitDeny => iam_audit::Decision::ExplicitDeny,
            Decision::ImplicitDeny => iam_audit::Decision::ImplicitDeny,
        },
        action: action.to_owned(),
        resource: Some(resource.to_owned()),
        policies,
        statements,
    }
}
