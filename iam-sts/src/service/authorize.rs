//! Loading a caller's policies and deciding the STS actions of a request with `iam-policy`.

use iam_model::{AccountId, Arn};
use iam_policy::{
    ContextKeys, Decision, NamedPolicy, PolicyDocument, PrincipalPolicies, RequestContext,
    RequestPrincipal, ResourcePolicies, ResourcePolicyKind,
};
use iam_store::{Identity, ManagedPolicyDocument, StoreError};
use jiff::Timestamp;

use super::Sts;
use crate::{Caller, SessionClaims, StsError};

/// The caller's side of an authorization: who it is and which policies it holds.
pub(super) struct CallerPolicies {
    pub(super) principal: RequestPrincipal,
    pub(super) policies: PrincipalPolicies,
}

impl Sts {
    /// Loads the principal and the identity-based policies, permissions boundary and session
    /// policies that apply to `caller`.
    pub(super) async fn caller_policies(
        &self,
        caller: &Caller,
    ) -> Result<CallerPolicies, StsError> {
        match caller {
            Caller::Root { .. } => Ok(CallerPolicies {
                principal: request_principal(&caller.arn())?,
                policies: PrincipalPolicies::default(),
            }),
            Caller::User { account, user } => {
                let mut principal =
                    request_principal(&user.arn)?.with_user_id(user.user_id.as_str());
                for tag in &user.tags {
                    principal = principal.with_tag(&tag.key, &tag.value);
                }
                let policies = self
                    .identity_policies(*account, Identity::User(user.user_name.clone()))
                    .await?;
                Ok(CallerPolicies {
                    principal,
                    policies,
                })
            }
            Caller::Session(session) => self.session_caller_policies(&session.claims).await,
        }
    }

    async fn session_caller_policies(
        &self,
        claims: &SessionClaims,
    ) -> Result<CallerPolicies, StsError> {
        let identity = claims.source_entity()?;
        let mut principal = request_principal(&claims.principal_arn)?;
        if let Some(Identity::Role(_)) = identity {
            principal = principal.with_role_arn(&claims.source_arn.to_string());
        }
        principal = principal.with_user_id(&claims.user_id());

        let mut policies = match identity {
            Some(identity) => self.identity_policies(claims.account, identity).await?,
            None => PrincipalPolicies::default(),
        };
        // Session tags win over the role's or user's own tags with the same key.
        for tag in &claims.tags {
            principal = principal.with_tag(&tag.key, &tag.value);
        }
        policies.session = self.session_policies(claims).await?;
        Ok(CallerPolicies {
            principal,
            policies,
        })
    }

    /// Loads and parses the session policies passed when a session was issued: its inline
    /// policy, named `session-policy`, and the default version of each managed policy, named
    /// by its ARN. The list is empty when none were passed.
    ///
    /// # Errors
    ///
    /// [`StsError::Validation`] for a managed policy deleted since, and
    /// [`StsError::ServiceFailure`] for a store failure or a document that no longer parses.
    pub async fn session_policies(
        &self,
        claims: &SessionClaims,
    ) -> Result<Vec<NamedPolicy>, StsError> {
        let mut policies = Vec::with_capacity(claims.session_policy_arns.len() + 1);
        if let Some(text) = &claims.session_policy {
            policies.push(NamedPolicy::new("session-policy", parse_stored(text)?));
        }
        for arn in &claims.session_policy_arns {
            let document = self.managed_policy_document(claims.account, arn).await?;
            policies.push(NamedPolicy::new(arn.to_string(), parse_stored(&document)?));
        }
        Ok(policies)
    }

    async fn identity_policies(
        &self,
        account: AccountId,
        identity: Identity,
    ) -> Result<PrincipalPolicies, StsError> {
        let loaded = self
            .store
            .principal_policies(account, &identity)
            .await
            .map_err(service_failure)?;
        let owner = match &identity {
            Identity::User(name) => format!("user/{name}"),
            Identity::Role(name) => format!("role/{name}"),
            Identity::Group(name) => format!("group/{name}"),
        };

        let mut policies = PrincipalPolicies::default();
        for inline in &loaded.inline_policies {
            let id = format!("{owner}/inline/{}", inline.policy_name);
            policies
                .identity
                .push(NamedPolicy::new(id, parse_stored(&inline.policy_document)?));
        }
        for managed in &loaded.managed_policies {
            policies.identity.push(named_managed(managed)?);
        }
        for group in &loaded.groups {
            for inline in &group.inline_policies {
                let id = format!(
                    "group/{}/inline/{}",
                    group.group.group_name, inline.policy_name
                );
                policies
                    .identity
                    .push(NamedPolicy::new(id, parse_stored(&inline.policy_document)?));
            }
            for managed in &group.managed_policies {
                policies.identity.push(named_managed(managed)?);
            }
        }
        policies.permissions_boundary = loaded
            .permissions_boundary
            .as_ref()
            .map(named_managed)
            .transpose()?;
        Ok(policies)
    }

    /// Returns the default version's document of a managed policy passed as a session policy.
    pub(super) async fn managed_policy_document(
        &self,
        account: AccountId,
        arn: &Arn,
    ) -> Result<String, StsError> {
        let policy = match self.store.policy(account, arn).await {
            Ok(policy) => policy.record,
            Err(StoreError::NoSuchEntity { .. }) => {
                return Err(StsError::validation(
                    "PolicyArns",
                    format!("managed policy `{arn}` not found"),
                ));
            }
            Err(error) => return Err(service_failure(error)),
        };
        policy
            .default_version()
            .map(|version| version.document.clone())
            .ok_or_else(|| {
                StsError::ServiceFailure(format!("policy `{arn}` has no default version"))
            })
    }
}

/// The role being assumed, with its trust policy parsed.
pub(super) struct TrustTarget {
    pub(super) role_arn: Arn,
    pub(super) account: AccountId,
    pub(super) trust_policy: NamedPolicy,
}

/// Decides each of `actions` for `caller` against the role's trust policy and the caller's
/// policies, with AWS's same-account and cross-account rules, and returns the first action
/// that is not allowed.
pub(super) fn first_denied_action<'a>(
    caller: &CallerPolicies,
    target: &TrustTarget,
    actions: &[&'a str],
    keys: &ContextKeys,
    now: Timestamp,
) -> Option<(&'a str, Decision)> {
    let resource = ResourcePolicies {
        resource: Some(target.trust_policy.clone()),
        kind: ResourcePolicyKind::Trust,
        ..ResourcePolicies::default()
    };
    let role_arn = target.role_arn.to_string();
    actions.iter().find_map(|action| {
        let request = RequestContext::new(
            caller.principal.clone(),
            action,
            &role_arn,
            Some(target.account),
            Some(now),
            keys.clone(),
        );
        let decision = iam_policy::explain(&caller.policies, &resource, &request).decision;
        (decision != Decision::Allow).then_some((*action, decision))
    })
}

/// Adds the keys a session carries into every request it signs, when the caller is a session.
pub(super) fn insert_session_keys(keys: &mut ContextKeys, caller: &Caller, now: Timestamp) {
    if let Caller::Session(session) = caller {
        crate::insert_session_keys(keys, &session.claims, now);
    }
}

/// Parses a trust policy as the role stores it.
pub(super) fn trust_policy(role_arn: &Arn, text: &str) -> Result<NamedPolicy, StsError> {
    Ok(NamedPolicy::new(
        format!("{role_arn}/trust-policy"),
        parse_stored(text)?,
    ))
}

fn named_managed(managed: &ManagedPolicyDocument) -> Result<NamedPolicy, StsError> {
    Ok(NamedPolicy::new(
        managed.policy_arn.to_string(),
        parse_stored(&managed.document)?,
    ))
}

/// Parses a policy that was validated when it was stored.
fn parse_stored(text: &str) -> Result<PolicyDocument, StsError> {
    PolicyDocument::parse(text).map_err(|error| {
        StsError::ServiceFailure(format!("a stored policy does not parse: {error}"))
    })
}

fn request_principal(arn: &Arn) -> Result<RequestPrincipal, StsError> {
    RequestPrincipal::from_arn(&arn.to_string())
        .map_err(|error| StsError::ServiceFailure(error.to_string()))
}

pub(super) fn service_failure(error: StoreError) -> StsError {
    StsError::ServiceFailure(error.to_string())
}
