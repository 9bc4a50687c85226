//! `GetFederationToken`.

use iam_model::Arn;
use jiff::SignedDuration;

use super::{IssuedSession, Sts};
use crate::{Caller, PrincipalKind, SessionClaims, StsError, params};

/// The parameters of `GetFederationToken`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetFederationTokenRequest {
    /// `Name`: the federated user's name, 2 to 32 characters of `[\w+=,.@-]`.
    pub name: String,
    /// `DurationSeconds`: 900 to 129,600 for a user, 900 to 3,600 for root.
    pub duration_seconds: Option<i64>,
    /// `Policy`: the inline session policy.
    pub policy: Option<String>,
    /// `PolicyArns`: managed policies passed as session policies.
    pub policy_arns: Vec<String>,
    /// `Tags`: session tags as key and value.
    pub tags: Vec<(String, String)>,
}

impl Sts {
    /// Runs `GetFederationToken` for an IAM user or root with long-term credentials.
    ///
    /// The session acts with the intersection of the caller's identity policies and the
    /// session policies passed here; with none passed it has no permissions
    /// ([`SessionClaims::has_session_policies`]). The server has already checked that the
    /// caller may call `sts:GetFederationToken`, and `sts:TagSession` when tags are passed.
    ///
    /// # Errors
    ///
    /// - [`StsError::AccessDenied`] for session credentials.
    /// - [`StsError::Validation`] for a bad name, duration, policy, ARN or tag.
    /// - [`StsError::MalformedPolicyDocument`] for a policy that is not a JSON object.
    /// - [`StsError::PackedPolicyTooLarge`] when the policies and tags exceed the allotment.
    pub async fn get_federation_token(
        &self,
        caller: &Caller,
        request: &GetFederationTokenRequest,
    ) -> Result<IssuedSession, StsError> {
        let now = self.now();
        let (source_arn, source_id) = match caller {
            Caller::Session(_) => {
                return Err(StsError::AccessDenied(
                    "cannot call GetFederationToken with session credentials".to_owned(),
                ));
            }
            Caller::Root { account, .. } => (caller.arn(), account.to_string()),
            Caller::User { user, .. } => (user.arn.clone(), user.user_id.as_str().to_owned()),
        };
        params::validate_federated_name(&request.name)?;
        let duration = params::user_session_duration(request.duration_seconds, caller.is_root())?;
        let session_policy = request
            .policy
            .as_deref()
            .map(params::compact_session_policy)
            .transpose()?;
        let session_policy_arns = params::parse_session_policy_arns(&request.policy_arns)?;
        let tags = params::session_tags(&request.tags, &[], &[])?;
        let packed_policy_size =
            params::check_packed_size(session_policy.as_deref(), &session_policy_arns, &tags)?;

        let account = caller.account();
        let principal_arn = Arn::new(
            source_arn.partition(),
            "sts",
            "",
            account.as_str(),
            format!("federated-user/{}", request.name),
        );
        let claims = SessionClaims {
            kind: PrincipalKind::FederatedUser,
            account,
            principal_arn,
            source_arn,
            source_id,
            session_name: request.name.clone(),
            issued_at: now,
            expires_at: now + SignedDuration::from_secs(duration),
            source_identity: None,
            tags,
            session_policy,
            session_policy_arns,
            mfa_authenticated_at: None,
            chained: false,
            iam_denied: true,
            federated_provider: None,
        };
        self.issue(claims, Some(packed_policy_size))
    }
}
