//! `AssumeRoleWithWebIdentity`.

use iam_model::{Arn, IamArn, IamResource};
use iam_policy::{
    ContextKeys, ContextValue, PrincipalPolicies, RequestPrincipal, RequestPrincipalKind,
};
use iam_store::StoreError;
use jiff::SignedDuration;

use super::assume_role::{check_session_request, not_authorized};
use super::authorize::{CallerPolicies, TrustTarget, first_denied_action, trust_policy};
use super::{IssuedSession, Sts, assumed_role_arn};
use crate::web_identity::{
    IdentityProvider, WEB_IDENTITY_TOKEN_CHARS, normalize_issuer, unverified_issuer,
    verify_identity_token,
};
use crate::{PrincipalKind, SessionClaims, StsError, params};

/// The parameters of `AssumeRoleWithWebIdentity`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssumeRoleWithWebIdentityRequest {
    /// `RoleArn`: the role to assume.
    pub role_arn: String,
    /// `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]`.
    pub role_session_name: String,
    /// `WebIdentityToken`: the OpenID Connect ID token.
    pub web_identity_token: String,
    /// `DurationSeconds`: 900 to the role's maximum.
    pub duration_seconds: Option<i64>,
    /// `Policy`: the inline session policy.
    pub policy: Option<String>,
    /// `PolicyArns`: managed policies passed as session policies.
    pub policy_arns: Vec<String>,
}

/// The result of `AssumeRoleWithWebIdentity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentitySession {
    /// The session.
    pub session: IssuedSession,
    /// `SubjectFromWebIdentityToken`: the token's `sub`.
    pub subject: String,
    /// `Audience`: the client id the token was issued to.
    pub audience: String,
    /// `Provider`: the issuer of the token.
    pub provider: String,
    /// The ARN of the registered OpenID Connect provider that verified the token.
    pub provider_arn: Arn,
}

impl Sts {
    /// Runs `AssumeRoleWithWebIdentity`, an unsigned request whose proof of identity is an
    /// OpenID Connect token from a provider registered in the role's account.
    ///
    /// The token's signature, issuer, audience and times are verified against the provider's
    /// stored keys. Then the role's trust policy must allow `sts:AssumeRoleWithWebIdentity`
    /// for the provider, with conditions on `PROVIDER:aud`, `PROVIDER:sub` and `PROVIDER:amr`.
    ///
    /// # Errors
    ///
    /// - [`StsError::Validation`] for a bad parameter or duration.
    /// - [`StsError::InvalidIdentityToken`] for a token that fails verification or names a
    ///   provider that is not registered.
    /// - [`StsError::ExpiredWebIdentityToken`] for an expired token.
    /// - [`StsError::AccessDenied`] for a missing role or a trust policy that does not allow
    ///   the request.
    pub async fn assume_role_with_web_identity(
        &self,
        request: &AssumeRoleWithWebIdentityRequest,
    ) -> Result<WebIdentitySession, StsError> {
        let now = self.now();
        let checked = check_session_request(
            &request.role_arn,
            &request.role_session_name,
            request.policy.as_deref(),
            &request.policy_arns,
        )?;
        if !WEB_IDENTITY_TOKEN_CHARS.contains(&request.web_identity_token.len()) {
            return Err(StsError::validation(
                "WebIdentityToken",
                "expected 4 to 20000 characters",
            ));
        }
        let account = checked.account()?;

        let issuer = unverified_issuer(&request.web_identity_token).ok_or_else(|| {
            StsError::InvalidIdentityToken("the token has no readable `iss` claim".to_owned())
        })?;
        let provider_arn = IamArn::new(
            checked.role.partition(),
            account,
            IamResource::oidc_provider(&issuer),
        )
        .to_arn();
        let registered = match self.store.oidc_provider(account, &provider_arn).await {
            Ok(provider) => provider,
            Err(StoreError::NoSuchEntity { .. }) => {
                return Err(StsError::InvalidIdentityToken(format!(
                    "no OpenID Connect provider found in the account for `{issuer}`"
                )));
            }
            Err(error) => return Err(StsError::ServiceFailure(error.to_string())),
        };
        let provider = IdentityProvider::from_registered(&registered)?;
        let token = verify_identity_token(
            &request.web_identity_token,
            &provider,
            now,
            self.max_clock_skew_seconds,
        )?;

        let action = "sts:AssumeRoleWithWebIdentity";
        let role = self.load_role(&checked.role, &provider.arn, action).await?;
        let duration = params::role_session_duration(
            request.duration_seconds,
            i64::from(role.max_session_duration),
            false,
        )?;
        let prefix = provider.condition_key_prefix();
        let mut keys = ContextKeys::new();
        keys.insert(
            &format!("{prefix}:aud"),
            ContextValue::single(token.audience.as_str()),
        );
        keys.insert(
            &format!("{prefix}:sub"),
            ContextValue::single(token.subject.as_str()),
        );
        keys.insert(
            &format!("{prefix}:amr"),
            ContextValue::list(token.authentication_methods.iter().map(String::as_str)),
        );
        keys.insert(
            "sts:RoleSessionName",
            ContextValue::single(request.role_session_name.as_str()),
        );
        let caller = CallerPolicies {
            principal: RequestPrincipal::federated(
                RequestPrincipalKind::WebIdentity,
                &provider.arn.to_string(),
                Some(account),
            ),
            policies: PrincipalPolicies::default(),
        };
        let target = TrustTarget {
            account,
            trust_policy: trust_policy(&role.arn, &role.assume_role_policy_document)?,
            role_arn: role.arn.clone(),
        };
        if let Some((action, _)) = first_denied_action(&caller, &target, &[action], &keys, now) {
            return Err(not_authorized(&provider.arn, action, &role.arn));
        }

        let packed_policy_size = params::check_packed_size(
            checked.session_policy.as_deref(),
            &checked.session_policy_arns,
            &[],
        )?;
        let claims = SessionClaims {
            kind: PrincipalKind::AssumedRole,
            account,
            principal_arn: assumed_role_arn(
                &role.arn,
                &role.role_name,
                &request.role_session_name,
            )?,
            source_arn: role.arn.clone(),
            source_id: role.role_id.as_str().to_owned(),
            session_name: request.role_session_name.clone(),
            issued_at: now,
            expires_at: now + SignedDuration::from_secs(duration),
            // TODO: session tags and a source identity passed as the token claims
            // `https://aws.amazon.com/tags` and `https://aws.amazon.com/source_identity` are
            // ignored, so such sessions carry neither.
            source_identity: None,
            tags: Vec::new(),
            session_policy: checked.session_policy,
            session_policy_arns: checked.session_policy_arns,
            mfa_authenticated_at: None,
            chained: false,
            iam_denied: false,
            federated_provider: Some(provider.arn.to_string()),
        };
        let session = self.issue(claims, Some(packed_policy_size))?;
        Ok(WebIdentitySession {
            session,
            subject: token.subject,
            audience: token.audience,
            provider: normalize_issuer(&token.issuer).to_owned(),
            provider_arn: provider.arn,
        })
    }
}
