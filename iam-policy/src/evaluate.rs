//! Evaluation across policy types, as AWS's policy evaluation logic describes it.
//!
//! The inputs are split by who owns them. [`PrincipalPolicies`] belong to the caller: identity
//! policies, the permissions boundary, session policies and the SCPs of the caller's account.
//! [`ResourcePolicies`] belong to the resource: its resource-based or trust policy, the RCPs
//! of the resource's account and a VPC endpoint policy. Both compile once
//! ([`CompiledPrincipalPolicies`], [`CompiledResourcePolicies`]) and then decide any number of
//! requests.
//!
//! The order of the checks follows AWS's flow chart:
//!
//! 1. An explicit `Deny` in any applicable policy decides [`Decision::ExplicitDeny`].
//! 2. Every level of the caller's organization path needs an SCP that allows the request,
//!    unless the caller's account is the management account or the caller is a
//!    service-linked role. RCPs do the same for the resource's account and do not restrict
//!    AWS service principals.
//! 3. A VPC endpoint policy, when the request goes through an endpoint, must allow it.
//! 4. Within one account, an allow in the resource-based policy that names the principal's
//!    own ARN (a user, a role session, a federated user) or `*` suffices. An allow in an
//!    identity policy, or a resource-based allow naming the session's role, also needs the
//!    permissions boundary and the session policy, when present, to allow. A resource-based
//!    allow naming only the account delegates to identity policies.
//! 5. Across accounts, the resource-based policy and the identity side (identity policies,
//!    boundary and session policy) must both allow.
//! 6. Anonymous callers, AWS services and identity providers have no identity policies, so
//!    for them the resource-based or trust policy alone decides.
//! 7. A role trust policy must always allow. In the same account a trust grant naming the
//!    caller or its role suffices, but it stays subject to the caller's boundary and session
//!    policy. A trust grant naming the account also needs an identity allow.
//!
//! Two rules come from services rather than policies: `sts:GetCallerIdentity` needs no
//! permission and is always allowed, and IAM refuses changes to AWS managed policies and to
//! the roles IAM Identity Center reserves under `/aws-reserved/sso.amazonaws.com/`.

use std::sync::Arc;

use iam_model::AccountId;

use crate::compile::{Binder, Env, StatementGroup};
use crate::context::{
    RequestContext, RequestPrincipal, RequestPrincipalKind, derive_principal_keys,
};
use crate::document::{Effect, PolicyDocument, Span};
use crate::principal::PrincipalMatch;

#[cfg(test)]
mod tests;

/// The outcome of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// A `Deny` statement applies.
    ExplicitDeny,
    /// No allow reached the request, or a gate withheld it.
    ImplicitDeny,
}

/// A policy type, as AWS's evaluation logic names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// An identity-based policy of the principal, managed or inline, its groups' included.
    Identity,
    /// The resource-based policy of the requested resource.
    Resource,
    /// The trust policy of the role being assumed.
    Trust,
    /// The principal's permissions boundary.
    PermissionsBoundary,
    /// A session policy passed when the session was created.
    Session,
    /// A service control policy on the principal's organization path.
    Scp,
    /// A resource control policy on the resource's organization path.
    Rcp,
    /// The policy of the VPC endpoint the request went through.
    VpcEndpoint,
}

/// The check that kept a request from being allowed when no `Deny` applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Gate {
    /// No SCP at this level of the principal's organization path allows the request.
    Scp {
        /// The organization root, OU or account id of the level.
        level: String,
    },
    /// No RCP at this level of the resource's organization path allows the request.
    Rcp {
        /// The organization root, OU or account id of the level.
        level: String,
    },
    /// The VPC endpoint policy does not allow the request.
    VpcEndpoint,
    /// The permissions boundary does not allow the request.
    PermissionsBoundary,
    /// The session policies do not allow the request.
    SessionPolicy,
    /// No identity policy allows the request, and no resource-based policy allows it on its
    /// own.
    NoIdentityAllow,
    /// The resource-based or trust policy does not allow the request, and it must: the
    /// request crosses accounts or assumes a role.
    NoResourceAllow,
    /// IAM does not let anyone change this resource: an AWS managed policy or a role
    /// reserved by IAM Identity Center.
    ProtectedResource,
}

/// A statement that applied to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedStatement {
    /// The type of the statement's policy.
    pub policy_type: PolicyType,
    /// The id the caller gave the policy.
    pub policy_id: String,
    /// The statement's index in its document, from 0.
    pub statement_index: usize,
    /// The statement's `Sid`.
    pub sid: Option<String>,
    /// The statement's effect.
    pub effect: Effect,
    /// The statement's position in its document.
    pub span: Span,
}

/// A decision with the reasons for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The decision.
    pub decision: Decision,
    /// The statements that applied. For [`Decision::ExplicitDeny`] these are every `Deny`
    /// statement that applied, and otherwise the `Allow` statements found before the
    /// decision was made.
    pub statements: Vec<MatchedStatement>,
    /// The gate that withheld the allow, for [`Decision::ImplicitDeny`].
    pub gate: Option<Gate>,
    /// Condition keys that a condition of a matching statement tested but the request lacked,
    /// lowercase, sorted and without duplicates.
    pub missing_keys: Vec<String>,
}

/// A policy document with the id an explanation names it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPolicy {
    /// The id, such as the policy ARN or `user/alice/inline/ReadOnly`.
    pub id: String,
    /// The document.
    pub document: PolicyDocument,
}

impl NamedPolicy {
    /// Names a document.
    pub fn new(id: impl Into<String>, document: PolicyDocument) -> Self {
        Self {
            id: id.into(),
            document,
        }
    }
}

/// One level of an organization path: the root, an OU or an account, with its policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationLevel {
    /// The id of the root, OU or account.
    pub id: String,
    /// The policies attached at this level.
    pub policies: Vec<NamedPolicy>,
}

/// The SCPs or RCPs along an account's organization path, from the root down.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrganizationPolicies {
    /// The organization's management account, which the policies never restrict.
    pub management_account: Option<AccountId>,
    /// The levels, root first.
    pub levels: Vec<OrganizationLevel>,
}

/// The policies that belong to a principal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrincipalPolicies {
    /// Identity-based policies: the principal's own and its groups'.
    pub identity: Vec<NamedPolicy>,
    /// The permissions boundary, if one is set.
    pub permissions_boundary: Option<NamedPolicy>,
    /// The session policies of a session, inline and managed; empty when none were passed.
    pub session: Vec<NamedPolicy>,
    /// The SCPs of the principal's account, when it belongs to an organization.
    pub scps: Option<OrganizationPolicies>,
}

/// Whether a resource's policy is an ordinary resource-based policy or a role trust policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ResourcePolicyKind {
    /// A resource-based policy, such as an S3 bucket policy.
    #[default]
    Resource,
    /// The trust policy of a role being assumed.
    Trust,
}

/// The policies that belong to the requested resource and the path the request took.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourcePolicies {
    /// The resource-based policy or trust policy.
    pub resource: Option<NamedPolicy>,
    /// The kind of policy `resource` is.
    pub kind: ResourcePolicyKind,
    /// The RCPs of the resource's account, when it belongs to an organization.
    pub rcps: Option<OrganizationPolicies>,
    /// The policy of the VPC endpoint the request went through.
    pub vpc_endpoint: Option<NamedPolicy>,
}

/// Organization policies compiled level by level.
#[derive(Debug, Clone)]
struct CompiledOrganization {
    management_account: Option<AccountId>,
    levels: Vec<(String, StatementGroup)>,
}

impl CompiledOrganization {
    fn compile(policies: &OrganizationPolicies, binder: &Binder<'_>) -> Self {
        let levels = policies
            .levels
            .iter()
            .map(|level| {
                let documents = level
                    .policies
                    .iter()
                    .map(|policy| (policy.id.as_str(), &policy.document));
                (level.id.clone(), StatementGroup::compile(documents, binder))
            })
            .collect();
        Self {
            management_account: policies.management_account,
            levels,
        }
    }

    /// Tells whether the policies restrict an account: every account but the management one.
    fn restricts(&self, account: Option<AccountId>) -> bool {
        account.is_some() && account != self.management_account
    }
}

/// A principal's policies, compiled and indexed for fast evaluation.
///
/// The compiled groups sit behind `Arc`s, so [`CompiledPrincipalPolicies::with_session_policies`]
/// adds a session's policies without copying the principal's.
#[derive(Debug, Clone)]
pub struct CompiledPrincipalPolicies {
    bound: Option<RequestPrincipal>,
    identity: Arc<StatementGroup>,
    boundary: Option<Arc<StatementGroup>>,
    session: Option<Arc<StatementGroup>>,
    scps: Option<Arc<CompiledOrganization>>,
}

impl CompiledPrincipalPolicies {
    /// Compiles a principal's policies. With `principal` set, the policy variables that
    /// depend only on the principal (`${aws:username}`, `${aws:PrincipalTag/…}`, …) are
    /// substituted now. Requests from another principal still evaluate correctly, but more
    /// slowly.
    pub fn compile(policies: &PrincipalPolicies, principal: Option<&RequestPrincipal>) -> Self {
        let principal_keys = principal.map(derive_principal_keys);
        let binder = Binder::new(principal_keys.as_ref());
        Self {
            bound: principal.cloned(),
            identity: Arc::new(compile_group(&policies.identity, &binder)),
            boundary: policies
                .permissions_boundary
                .as_ref()
                .map(|boundary| Arc::new(compile_group(std::slice::from_ref(boundary), &binder))),
            session: (!policies.session.is_empty())
                .then(|| Arc::new(compile_group(&policies.session, &binder))),
            scps: policies
                .scps
                .as_ref()
                .map(|scps| Arc::new(CompiledOrganization::compile(scps, &binder))),
        }
    }

    /// Returns these policies with `session` as the session policies, replacing any compiled
    /// before. Only `session` is compiled, against the same principal, and the identity
    /// policies, boundary and SCPs are shared.
    ///
    /// Unlike in [`CompiledPrincipalPolicies::compile`], an empty `session` is a session policy
    /// that allows nothing. That is the case of a federated user who passed no session policy.
    pub fn with_session_policies(&self, session: &[NamedPolicy]) -> Self {
        let principal_keys = self.bound.as_ref().map(derive_principal_keys);
        let binder = Binder::new(principal_keys.as_ref());
        Self {
            session: Some(Arc::new(compile_group(session, &binder))),
            ..self.clone()
        }
    }

    /// Decides `request` without building an explanation. This path allocates nothing unless
    /// a policy variable depends on the request or a `BinaryEquals` condition applies.
    pub fn evaluate(
        &self,
        resource: &CompiledResourcePolicies,
        request: &RequestContext,
    ) -> Decision {
        let mut recorder = Silent;
        decide(self, resource, request, &mut recorder).0
    }

    /// Decides `request` and explains the decision.
    pub fn explain(
        &self,
        resource: &CompiledResourcePolicies,
        request: &RequestContext,
    ) -> Explanation {
        let mut recorder = Collector::default();
        let (decision, gate) = decide(self, resource, request, &mut recorder);
        recorder.missing_keys.sort();
        recorder.missing_keys.dedup();
        if decision == Decision::ExplicitDeny {
            recorder
                .statements
                .retain(|statement| statement.effect == Effect::Deny);
        }
        Explanation {
            decision,
            statements: recorder.statements,
            gate,
            missing_keys: recorder.missing_keys,
        }
    }
}

/// Compiles the documents of one policy type into one group.
fn compile_group(policies: &[NamedPolicy], binder: &Binder<'_>) -> StatementGroup {
    StatementGroup::compile(
        policies
            .iter()
            .map(|policy| (policy.id.as_str(), &policy.document)),
        binder,
    )
}

/// A resource's policies, compiled for evaluation.
#[derive(Debug, Clone)]
pub struct CompiledResourcePolicies {
    resource: Option<StatementGroup>,
    kind: ResourcePolicyKind,
    rcps: Option<CompiledOrganization>,
    vpc_endpoint: Option<StatementGroup>,
}

impl CompiledResourcePolicies {
    /// Compiles a resource's policies. Their variables are substituted at each evaluation,
    /// because the principal varies from request to request.
    pub fn compile(policies: &ResourcePolicies) -> Self {
        let binder = Binder::new(None);
        let single = |policy: &NamedPolicy| {
            StatementGroup::compile([(policy.id.as_str(), &policy.document)], &binder)
        };
        Self {
            resource: policies.resource.as_ref().map(single),
            kind: policies.kind,
            rcps: policies
                .rcps
                .as_ref()
                .map(|rcps| CompiledOrganization::compile(rcps, &binder)),
            vpc_endpoint: policies.vpc_endpoint.as_ref().map(single),
        }
    }

    /// Returns the compiled form of a resource without policies.
    pub fn none() -> Self {
        Self::compile(&ResourcePolicies::default())
    }
}

/// Compiles both sides and explains the decision for one request.
pub fn explain(
    principal_policies: &PrincipalPolicies,
    resource_policies: &ResourcePolicies,
    request: &RequestContext,
) -> Explanation {
    let principal =
        CompiledPrincipalPolicies::compile(principal_policies, Some(request.principal()));
    let resource = CompiledResourcePolicies::compile(resource_policies);
    principal.explain(&resource, request)
}

/// Hears what evaluation finds, for explanations.
trait Recorder {
    /// Whether to evaluate every candidate statement and condition rather than stop at the
    /// first that decides.
    const FULL: bool;

    fn statement(&mut self, policy_type: PolicyType, group: &StatementGroup, position: usize);

    fn missing_key(&mut self, key: &str);
}

/// The recorder of the fast path: hears nothing.
struct Silent;

impl Recorder for Silent {
    const FULL: bool = false;

    fn statement(&mut self, _: PolicyType, _: &StatementGroup, _: usize) {}

    fn missing_key(&mut self, _: &str) {}
}

/// The recorder behind [`Explanation`].
#[derive(Default)]
struct Collector {
    statements: Vec<MatchedStatement>,
    missing_keys: Vec<String>,
}

impl Recorder for Collector {
    const FULL: bool = true;

    fn statement(&mut self, policy_type: PolicyType, group: &StatementGroup, position: usize) {
        let Some(statement) = group.statements.get(position) else {
            return;
        };
        let Some(policy) = group.policies.get(statement.policy) else {
            return;
        };
        let info = policy.statements.get(statement.statement);
        let matched = MatchedStatement {
            policy_type,
            policy_id: policy.id.clone(),
            statement_index: statement.statement,
            sid: info.and_then(|info| info.sid.clone()),
            effect: statement.effect,
            span: info.map(|info| info.span.clone()).unwrap_or_default(),
        };
        if !self.statements.contains(&matched) {
            self.statements.push(matched);
        }
    }

    fn missing_key(&mut self, key: &str) {
        self.missing_keys.push(key.to_owned());
    }
}

/// Tells whether any `Deny` statement of `group` applies.
fn any_deny<R: Recorder>(
    group: &StatementGroup,
    policy_type: PolicyType,
    env: &Env<'_>,
    recorder: &mut R,
) -> bool {
    let principal_required = needs_principal(policy_type);
    let mut denied = false;
    for (position, statement, candidate) in group.candidates(Effect::Deny, env.request) {
        let mut missing = |key: &str| recorder.missing_key(key);
        let applies = statement.applies(env, candidate, principal_required, R::FULL, &mut missing);
        if applies.is_some() {
            denied = true;
            recorder.statement(policy_type, group, position);
            if !R::FULL {
                break;
            }
        }
    }
    denied
}

/// Returns the most specific principal match among the `Allow` statements of `group` that
/// apply, or `None` when none does.
fn best_allow<R: Recorder>(
    group: &StatementGroup,
    policy_type: PolicyType,
    env: &Env<'_>,
    recorder: &mut R,
) -> Option<PrincipalMatch> {
    let principal_required = needs_principal(policy_type);
    let mut best: Option<PrincipalMatch> = None;
    for (position, statement, candidate) in group.candidates(Effect::Allow, env.request) {
        let mut missing = |key: &str| recorder.missing_key(key);
        let applies = statement.applies(env, candidate, principal_required, R::FULL, &mut missing);
        if let Some(found) = applies {
            best = best.max(Some(found));
            recorder.statement(policy_type, group, position);
            // Without a principal element every match is as good as the best.
            let settled = !principal_required || found == PrincipalMatch::Direct;
            if settled && !R::FULL {
                break;
            }
        }
    }
    best
}

/// Tells whether statements of a policy type need a `Principal` element to apply.
///
/// NOTE: AWS requires `Principal` in VPC endpoint policies and rejects a policy without it.
/// Such a statement cannot reach evaluation there, so it is read as applying to everyone.
fn needs_principal(policy_type: PolicyType) -> bool {
    matches!(policy_type, PolicyType::Resource | PolicyType::Trust)
}

/// Decides a request by AWS's policy evaluation logic, for both the fast path and the
/// explaining one.
fn decide<R: Recorder>(
    principal_side: &CompiledPrincipalPolicies,
    resource_side: &CompiledResourcePolicies,
    request: &RequestContext,
    recorder: &mut R,
) -> (Decision, Option<Gate>) {
    if request.action_key() == "sts:getcalleridentity" {
        // AWS documents that no permission is needed, and that even an explicit deny does not
        // stop this action.
        return (Decision::Allow, None);
    }

    let principal = request.principal();
    let env = Env {
        request,
        bound: principal_side.bound.as_ref() == Some(principal)
            && !request.overrides_principal_keys(),
        has_boundary: principal_side.boundary.is_some(),
    };
    let resource_type = match resource_side.kind {
        ResourcePolicyKind::Resource => PolicyType::Resource,
        ResourcePolicyKind::Trust => PolicyType::Trust,
    };
    let organizations_apply = !principal.is_service_linked();
    let scps = principal_side
        .scps
        .as_ref()
        .filter(|scps| organizations_apply && scps.restricts(principal.account()));
    let rcps = resource_side.rcps.as_ref().filter(|rcps| {
        organizations_apply
            && principal.kind() != RequestPrincipalKind::Service
            && rcps.restricts(request.resource_account())
    });

    // 1. Explicit deny anywhere.
    let mut denied = false;
    {
        let mut check = |group: &StatementGroup, policy_type: PolicyType| {
            if !denied || R::FULL {
                denied |= any_deny(group, policy_type, &env, recorder);
            }
        };
        check(&principal_side.identity, PolicyType::Identity);
        if let Some(boundary) = &principal_side.boundary {
            check(boundary, PolicyType::PermissionsBoundary);
        }
        if let Some(session) = &principal_side.session {
            check(session, PolicyType::Session);
        }
        for (_, group) in scps.iter().flat_map(|scps| &scps.levels) {
            check(group, PolicyType::Scp);
        }
        for (_, group) in rcps.iter().flat_map(|rcps| &rcps.levels) {
            check(group, PolicyType::Rcp);
        }
        if let Some(resource) = &resource_side.resource {
            check(resource, resource_type);
        }
        if let Some(endpoint) = &resource_side.vpc_endpoint {
            check(endpoint, PolicyType::VpcEndpoint);
        }
    }
    if denied {
        return (Decision::ExplicitDeny, None);
    }

    if is_protected_resource(request) {
        return (Decision::ImplicitDeny, Some(Gate::ProtectedResource));
    }

    // 2. Organization gates.
    for (level, group) in scps.iter().flat_map(|scps| &scps.levels) {
        if best_allow(group, PolicyType::Scp, &env, recorder).is_none() {
            return (
                Decision::ImplicitDeny,
                Some(Gate::Scp {
                    level: level.clone(),
                }),
            );
        }
    }
    for (level, group) in rcps.iter().flat_map(|rcps| &rcps.levels) {
        if best_allow(group, PolicyType::Rcp, &env, recorder).is_none() {
            return (
                Decision::ImplicitDeny,
                Some(Gate::Rcp {
                    level: level.clone(),
                }),
            );
        }
    }

    // 3. The VPC endpoint.
    if let Some(endpoint) = &resource_side.vpc_endpoint
        && best_allow(endpoint, PolicyType::VpcEndpoint, &env, recorder).is_none()
    {
        return (Decision::ImplicitDeny, Some(Gate::VpcEndpoint));
    }

    // 4. Resource-based and identity-based policies.
    let resource_allow = resource_side
        .resource
        .as_ref()
        .and_then(|resource| best_allow(resource, resource_type, &env, recorder));
    let cross_account = request.is_cross_account();
    let trust = resource_side.kind == ResourcePolicyKind::Trust;

    // Anonymous callers, AWS services and identity providers have no identity policies, so
    // the resource-based or trust policy decides alone.
    let without_identity = matches!(
        principal.kind(),
        RequestPrincipalKind::Anonymous
            | RequestPrincipalKind::Service
            | RequestPrincipalKind::WebIdentity
            | RequestPrincipalKind::Saml
    );
    if without_identity {
        return match resource_allow {
            Some(_) => (Decision::Allow, None),
            None => (Decision::ImplicitDeny, Some(Gate::NoResourceAllow)),
        };
    }

    // Within one account, a grant naming the principal itself or everyone is enough on its
    // own. In a trust policy, a grant naming the caller's role is too.
    let standalone_grant = match resource_allow {
        Some(PrincipalMatch::Direct | PrincipalMatch::Any) => true,
        Some(PrincipalMatch::Role) => trust,
        Some(PrincipalMatch::Account) | None => false,
    };
    if !cross_account && standalone_grant && !trust {
        return (Decision::Allow, None);
    }
    if (cross_account || trust) && resource_allow.is_none() {
        return (Decision::ImplicitDeny, Some(Gate::NoResourceAllow));
    }

    // The identity side allows through identity policies, or in one account through a
    // resource grant to the session's role. The root user has every permission of its
    // account without any policy.
    let root = principal.kind() == RequestPrincipalKind::Root;
    let role_grant = !cross_account && resource_allow == Some(PrincipalMatch::Role);
    let identity_allows = root
        || (trust && !cross_account && standalone_grant)
        || role_grant
        || best_allow(
            &principal_side.identity,
            PolicyType::Identity,
            &env,
            recorder,
        )
        .is_some();
    if !identity_allows {
        return (Decision::ImplicitDeny, Some(Gate::NoIdentityAllow));
    }
    if let Some(boundary) = &principal_side.boundary
        && best_allow(boundary, PolicyType::PermissionsBoundary, &env, recorder).is_none()
    {
        return (Decision::ImplicitDeny, Some(Gate::PermissionsBoundary));
    }
    if let Some(session) = &principal_side.session
        && best_allow(session, PolicyType::Session, &env, recorder).is_none()
    {
        return (Decision::ImplicitDeny, Some(Gate::SessionPolicy));
    }
    (Decision::Allow, None)
}

/// Tells whether IAM protects the requested resource from every change: an AWS managed
/// policy (`arn:aws:iam::aws:policy/…`), or a role under `/aws-reserved/sso.amazonaws.com/`,
/// which only IAM Identity Center manages. Reading them stays allowed.
fn is_protected_resource(request: &RequestContext) -> bool {
    let Some(name) = request.action_key().strip_prefix("iam:") else {
        return false;
    };
    let read_only = ["get", "list", "generate", "simulate"]
        .iter()
        .any(|prefix| name.starts_with(prefix));
    if read_only {
        return false;
    }
    let mut fields = request.resource().splitn(6, ':');
    let (Some("arn"), Some(_), Some("iam"), Some(_), Some(account), Some(resource)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return false;
    };
    let aws_managed_policy = account == "aws" && resource.starts_with("policy/");
    let reserved_role = resource.starts_with("role/aws-reserved/sso.amazonaws.com/");
    aws_managed_policy || reserved_role
}
