//! Policy evaluation for IAM users and sessions, with compiled policies cached per user and per
//! role.
//!
//! The store's change feed invalidates the cache. Every commit that changes what applies to a
//! user or role (its policies, its groups' policies, its boundary, its tags, its existence)
//! publishes a change naming it. Each lookup first applies the changes published so far and
//! drops their entries, so the request right after a change compiles afresh.
//! Session policies differ per session and are compiled per request on top of the cached entry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use iam_audit::{Authorization, PolicyReference, StatementReference};
use iam_model::{AccountId, IamArn, IamResource, Tag, User};
use iam_policy::{
    CompiledPrincipalPolicies, CompiledResourcePolicies, ContextKeys, Decision, Explanation, Gate,
    NamedPolicy, PolicyDocument, PrincipalContext, PrincipalPolicies, RequestContext,
    RequestPrincipal,
};
use iam_store::{Change, IamStore, Identity, StoreError};
use iam_sts::{PrincipalKind, SessionClaims, VerifiedSession};
use jiff::Timestamp;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::TryRecvError;

use crate::error::ApiError;
use crate::session::Sessions;

/// The maximum number of users and roles whose compiled policies are kept; the cache is
/// cleared when it is full.
const MAX_CACHED_PRINCIPALS: usize = 10_000;

/// A key of the cache: the account and the user or role, its name folded to lower case,
/// because IAM names are unique ignoring case.
type CacheKey = (AccountId, Identity);

/// The compiled identity policies and boundary of a user or role, with the facts a session of
/// it is checked against.
struct CompiledIdentity {
    /// The user's or role's unique id. A session of a user or role deleted and created again
    /// under the same name carries the old id and gets no permissions.
    unique_id: String,
    /// The user's or role's ARN.
    arn: String,
    /// The user's or role's tags, the `aws:PrincipalTag` values of its sessions.
    tags: Vec<Tag>,
    /// The compiled policies. A user's are bound to the user as principal, a role's to none,
    /// because each of its sessions is a different principal.
    policies: CompiledPrincipalPolicies,
    /// A user's principal with its derived context keys, built once instead of per request,
    /// because it formats and parses the ARN and allocates every key. `None` for a role.
    user_principal: Option<Arc<PrincipalContext>>,
}

/// A decision with the request it was made about, for the denial message and the encoded
/// authorization message.
pub struct Evaluation {
    /// The decision and the statements behind it.
    pub explanation: Explanation,
    /// The request context the decision was made about.
    pub request: RequestContext,
}

/// Compiled identity policies and boundaries of users and roles, shared by all requests.
#[derive(Default)]
pub struct PolicyCache {
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    entries: HashMap<CacheKey, Arc<CompiledIdentity>>,
    /// The store's change feed, or `None` for a cache that follows no store.
    changes: Option<broadcast::Receiver<Change>>,
    /// The number of times changes have been applied. A compiled entry is kept only if this
    /// did not move while its policies were loaded, so a load that raced a change is not kept.
    epoch: u64,
}

impl PolicyCache {
    /// Creates an empty cache that follows no store's changes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates an empty cache that applies every change `store` publishes before each lookup,
    /// so a policy change takes effect on the next request.
    pub fn following(store: &dyn IamStore) -> Self {
        Self {
            state: Mutex::new(CacheState {
                changes: Some(store.subscribe()),
                ..CacheState::default()
            }),
        }
    }

    /// Drops the compiled policies of one user or role. Groups are not cached: a change to a
    /// group's policies is published for each of its members.
    pub fn invalidate(&self, account: AccountId, identity: &Identity) {
        if let Some(key) = cache_key(account, identity) {
            self.lock().entries.remove(&key);
        }
    }

    /// Returns the number of cached users and roles.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Returns whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.lock().entries.is_empty()
    }

    /// Decides whether `user`, signing with a long-term key, may perform `action` on
    /// `resource`, loading and compiling the user's policies on a cache miss. `keys` are the
    /// request's context keys beside those derived from the user.
    ///
    /// # Errors
    ///
    /// The store's errors while loading the policies.
    pub async fn evaluate_user(
        &self,
        store: &dyn IamStore,
        account: AccountId,
        user: &User,
        request: RequestFacts<'_>,
    ) -> Result<Evaluation, ApiError> {
        let identity = Identity::User(user.user_name.clone());
        let compiled = self
            .compiled(store, account, &identity)
            .await?
            .ok_or_else(|| {
                ApiError::from(StoreError::NoSuchEntity {
                    kind: iam_store::EntityKind::User,
                    name: user.user_name.clone(),
                })
            })?;
        // The entry was loaded from the store, which may hold a newer record than the caller's
        // copy. Its principal serves only while it describes the same user.
        let principal = match &compiled.user_principal {
            Some(principal) if compiled.unique_id == user.user_id.as_str() => Arc::clone(principal),
            _ => Arc::new(PrincipalContext::new(request_principal(user))),
        };
        Ok(request.evaluate(&compiled.policies, principal))
    }

    /// Decides whether a session may perform an action, as AWS evaluates sessions:
    ///
    /// - A role session gets the role's identity policies and boundary, capped by its session
    ///   policies. Its principal tags are the role's tags, overridden by its session tags.
    /// - A federated user gets the calling user's policies capped by its session policies, and
    ///   nothing when it passed none. A federated user of the root user gets its session
    ///   policies.
    /// - A `GetSessionToken` session gets its user's or root's permissions.
    ///
    /// A session whose role or user no longer exists, or was created again, is allowed
    /// nothing.
    ///
    /// # Errors
    ///
    /// The store's errors while loading policies, and `ValidationError` for a managed session
    /// policy deleted since the session was issued.
    pub async fn evaluate_session(
        &self,
        store: &dyn IamStore,
        sessions: &Sessions,
        session: &VerifiedSession,
        request: RequestFacts<'_>,
    ) -> Result<Evaluation, ApiError> {
        let claims = &session.claims;
        let principal = RequestPrincipal::from_arn(&claims.principal_arn.to_string())
            .map_err(ApiError::from)?
            .with_user_id(&claims.user_id());
        let source = source_identity(claims);
        let compiled = match &source {
            Some(identity) => {
                let found = self.compiled(store, claims.account, identity).await?;
                match found.filter(|compiled| compiled.unique_id == claims.source_id) {
                    Some(compiled) => Some(compiled),
                    None => {
                        return Ok(request.source_gone(Arc::new(PrincipalContext::new(principal))));
                    }
                }
            }
            None => None,
        };

        let session_policies = if needs_session_policies(claims) {
            sessions.sts().session_policies(claims).await?
        } else {
            Vec::new()
        };
        let (principal, policies) = match (claims.kind, compiled) {
            (PrincipalKind::AssumedRole, Some(role)) => {
                let principal = with_tags(principal.with_role_arn(&role.arn), &role.tags, claims);
                let policies = if session_policies.is_empty() {
                    role.policies.clone()
                } else {
                    role.policies.with_session_policies(&session_policies)
                };
                (principal, policies)
            }
            (PrincipalKind::FederatedUser, Some(user)) => (
                with_tags(principal, &[], claims),
                user.policies.with_session_policies(&session_policies),
            ),
            (PrincipalKind::FederatedUser, None) => {
                let root_policies = PrincipalPolicies {
                    identity: session_policies.clone(),
                    ..PrincipalPolicies::default()
                };
                (
                    with_tags(principal, &[], claims),
                    CompiledPrincipalPolicies::compile(&root_policies, None)
                        .with_session_policies(&session_policies),
                )
            }
            (PrincipalKind::User, Some(user)) => {
                let principal = match &user.user_principal {
                    Some(principal) => Arc::clone(principal),
                    None => Arc::new(PrincipalContext::new(
                        RequestPrincipal::from_arn(&user.arn)
                            .map_err(ApiError::from)?
                            .with_user_id(&user.unique_id),
                    )),
                };
                return Ok(request.evaluate(&user.policies, principal));
            }
            // The root user's sessions hold the root user's permissions, which the policy
            // engine grants the root principal without any policy.
            _ => (
                principal,
                CompiledPrincipalPolicies::compile(&PrincipalPolicies::default(), None),
            ),
        };
        Ok(request.evaluate(&policies, Arc::new(PrincipalContext::new(principal))))
    }

    /// Returns the compiled policies of a user or role, loading and compiling them on a cache
    /// miss, or `None` when it does not exist.
    async fn compiled(
        &self,
        store: &dyn IamStore,
        account: AccountId,
        identity: &Identity,
    ) -> Result<Option<Arc<CompiledIdentity>>, ApiError> {
        let Some(key) = cache_key(account, identity) else {
            return Ok(None);
        };
        let epoch = {
            let state = self.lock();
            if let Some(cached) = state.entries.get(&key) {
                return Ok(Some(Arc::clone(cached)));
            }
            state.epoch
        };

        let loaded = match store.principal_policies(account, identity).await {
            Ok(loaded) => loaded,
            Err(StoreError::NoSuchEntity { .. }) => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let policies = principal_policies(&loaded);
        let compiled = Arc::new(match &loaded.principal {
            iam_store::Principal::User(user) => {
                let principal = PrincipalContext::new(request_principal(user));
                CompiledIdentity {
                    unique_id: user.user_id.as_str().to_owned(),
                    arn: user.arn.to_string(),
                    tags: user.tags.clone(),
                    policies: CompiledPrincipalPolicies::compile(
                        &policies,
                        Some(principal.principal()),
                    ),
                    user_principal: Some(Arc::new(principal)),
                }
            }
            iam_store::Principal::Role(role) => CompiledIdentity {
                unique_id: role.role_id.as_str().to_owned(),
                arn: role.arn.to_string(),
                tags: role.tags.clone(),
                policies: CompiledPrincipalPolicies::compile(&policies, None),
                user_principal: None,
            },
        });
        let mut state = self.lock();
        if state.epoch == epoch {
            if state.entries.len() >= MAX_CACHED_PRINCIPALS {
                state.entries.clear();
            }
            state.entries.insert(key, Arc::clone(&compiled));
        }
        Ok(Some(compiled))
    }

    /// Locks the state after applying every change the feed has published since the last
    /// lock.
    fn lock(&self) -> MutexGuard<'_, CacheState> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.apply_changes();
        state
    }
}

impl CacheState {
    fn apply_changes(&mut self) {
        let Some(changes) = self.changes.as_mut() else {
            return;
        };
        loop {
            match changes.try_recv() {
                Ok(change) => {
                    self.epoch += 1;
                    if let Some(key) = cache_key(change.account, &change.identity) {
                        self.entries.remove(&key);
                    }
                }
                Err(TryRecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "policy cache missed changes, clearing it");
                    self.epoch += 1;
                    self.entries.clear();
                }
                // A closed feed means the store is gone, and with it every change to come.
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            }
        }
    }
}

/// The subject of one evaluation: the action, the resource, the time and the context keys
/// beside those derived from the principal.
#[derive(Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The action, such as `iam:GetUser`.
    pub action: &'a str,
    /// The resource ARN, or `*`.
    pub resource: &'a str,
    /// The request time, `aws:CurrentTime`.
    pub now: Timestamp,
    /// The other context keys, such as `aws:SourceIp`.
    pub keys: &'a ContextKeys,
}

impl RequestFacts<'_> {
    fn context(&self, principal: Arc<PrincipalContext>) -> RequestContext {
        RequestContext::for_principal(
            principal,
            self.action,
            self.resource,
            None,
            Some(self.now),
            self.keys.clone(),
        )
    }

    fn evaluate(
        &self,
        policies: &CompiledPrincipalPolicies,
        principal: Arc<PrincipalContext>,
    ) -> Evaluation {
        let request = self.context(principal);
        let explanation = policies.explain(&CompiledResourcePolicies::none(), &request);
        Evaluation {
            explanation,
            request,
        }
    }

    /// Decides the request for the root user of `account`, who has every permission of
    /// its account without any policy.
    pub fn evaluate_root(&self, account: AccountId) -> Evaluation {
        let arn = format!("arn:aws:iam::{account}:root");
        let principal = RequestPrincipal::from_arn(&arn).unwrap_or_else(|error| {
            tracing::error!(%error, %arn, "root ARN does not parse");
            RequestPrincipal::anonymous()
        });
        let policies = CompiledPrincipalPolicies::compile(&PrincipalPolicies::default(), None);
        self.evaluate(&policies, Arc::new(PrincipalContext::new(principal)))
    }

    /// Denies a session whose role or user is gone: no policy applies to it any more.
    fn source_gone(&self, principal: Arc<PrincipalContext>) -> Evaluation {
        Evaluation {
            explanation: Explanation {
                decision: Decision::ImplicitDeny,
                statements: Vec::new(),
                gate: Some(Gate::NoIdentityAllow),
                missing_keys: Vec::new(),
            },
            request: self.context(principal),
        }
    }
}

/// Returns the cache key of a user or role, `None` for a group.
fn cache_key(account: AccountId, identity: &Identity) -> Option<CacheKey> {
    match identity {
        Identity::User(name) => Some((account, Identity::User(name.to_lowercase()))),
        Identity::Role(name) => Some((account, Identity::Role(name.to_lowercase()))),
        Identity::Group(_) => None,
    }
}

/// Returns the user or role whose policies a session uses, `None` for the root user.
fn source_identity(claims: &SessionClaims) -> Option<Identity> {
    let source = IamArn::try_from(&claims.source_arn).ok()?;
    match source.resource() {
        IamResource::Role { name, .. } => Some(Identity::Role(name.clone())),
        IamResource::User { name, .. } => Some(Identity::User(name.clone())),
        _ => None,
    }
}

/// Returns whether a session's session policies take part in its evaluation: those of role
/// sessions and federated users, when they passed any.
fn needs_session_policies(claims: &SessionClaims) -> bool {
    matches!(
        claims.kind,
        PrincipalKind::AssumedRole | PrincipalKind::FederatedUser
    ) && claims.has_session_policies()
}

/// Adds the principal tags of a session: `base` (the role's tags), then its session tags, which
/// win over a base tag with the same key.
fn with_tags(
    principal: RequestPrincipal,
    base: &[Tag],
    claims: &SessionClaims,
) -> RequestPrincipal {
    let principal = base.iter().fold(principal, |principal, tag| {
        principal.with_tag(&tag.key, &tag.value)
    });
    claims.tags.iter().fold(principal, |principal, tag| {
        principal.with_tag(&tag.key, &tag.value)
    })
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
pub fn audit_authorization(
    explanation: &Explanation,
    action: &str,
    resource: &str,
) -> Authorization {
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

#[cfg(test)]
mod tests;
