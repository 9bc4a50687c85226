//! `AssumeRole`.

use iam_model::{AccountId, Arn, IamArn, IamResource, Role};
use iam_policy::{ContextKeys, ContextValue};
use iam_store::StoreError;
use jiff::SignedDuration;

use super::authorize::{TrustTarget, first_denied_action, insert_session_keys, trust_policy};
use super::{IssuedSession, Sts, assumed_role_arn};
use crate::{Caller, PrincipalKind, SessionClaims, SessionTag, StsError, params};

/// The parameters of `AssumeRole`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssumeRoleRequest {
    /// `RoleArn`: the role to assume, in this account or another.
    pub role_arn: String,
    /// `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]`.
    pub role_session_name: String,
    /// `DurationSeconds`: 900 to the role's maximum, and at most 3,600 when chaining.
    pub duration_seconds: Option<i64>,
    /// `Policy`: the inline session policy.
    pub policy: Option<String>,
    /// `PolicyArns`: managed policies passed as session policies.
    pub policy_arns: Vec<String>,
    /// `Tags`: session tags as key and value.
    pub tags: Vec<(String, String)>,
    /// `TransitiveTagKeys`: keys of `tags` that pass on to chained sessions.
    pub transitive_tag_keys: Vec<String>,
    /// `ExternalId`, which trust policies test with `sts:ExternalId`.
    pub external_id: Option<String>,
    /// `SerialNumber` of the caller's MFA device.
    pub serial_number: Option<String>,
    /// `TokenCode`: the six-digit code the device shows.
    pub token_code: Option<String>,
    /// `SourceIdentity`, which no chained session can change once set.
    pub source_identity: Option<String>,
}

/// The request checks of `AssumeRole` and `AssumeRoleWithWebIdentity` that need no policy.
pub(super) struct SessionRequest {
    pub(super) role: IamArn,
    pub(super) session_policy: Option<String>,
    pub(super) session_policy_arns: Vec<Arn>,
}

impl Sts {
    /// Runs `AssumeRole`.
    ///
    /// The role's trust policy and the caller's policies decide `sts:AssumeRole`, plus
    /// `sts:TagSession` when tags are passed and `sts:SetSourceIdentity` when a source identity
    /// is set. AWS's rules apply. In one account, a trust policy that names the caller or the
    /// caller's role is enough, and one that names the account also needs an allow in the
    /// caller's policies. Across accounts, both sides must allow.
    ///
    /// # Errors
    ///
    /// - [`StsError::AccessDenied`] for root credentials, a missing role, a role whose trust
    ///   or the caller's policies do not allow the request, an MFA code that fails, or a source
    ///   identity that differs from the caller's session.
    /// - [`StsError::Validation`] for a bad parameter or a duration outside the role's range.
    /// - [`StsError::MalformedPolicyDocument`] for a session policy that does not parse.
    /// - [`StsError::PackedPolicyTooLarge`] when the policies and tags exceed the allotment.
    pub async fn assume_role(
        &self,
        caller: &Caller,
        request: &AssumeRoleRequest,
    ) -> Result<IssuedSession, StsError> {
        let now = self.now();
        if caller.is_root() {
            return Err(StsError::AccessDenied(
                "roles may not be assumed by root accounts".to_owned(),
            ));
        }
        if let Caller::Session(session) = caller {
            session.claims.check_action("sts:AssumeRole")?;
        }
        let checked = check_session_request(
            &request.role_arn,
            &request.role_session_name,
            request.policy.as_deref(),
            &request.policy_arns,
        )?;
        if let Some(external_id) = &request.external_id {
            params::validate_external_id(external_id)?;
        }
        if let Some(source_identity) = &request.source_identity {
            params::validate_source_identity(source_identity)?;
        }
        let inherited: Vec<SessionTag> = match caller {
            Caller::Session(session) => session.claims.transitive_tags().cloned().collect(),
            _ => Vec::new(),
        };
        let tags = params::session_tags(&request.tags, &request.transitive_tag_keys, &inherited)?;
        let source_identity =
            inherited_source_identity(caller, request.source_identity.as_deref())?;

        // The limit that needs no role comes before the role is read, so a chained request
        // over one hour fails validation even where it would also be denied.
        if caller.is_session() {
            params::role_session_duration(request.duration_seconds, i64::MAX, true)?;
        }

        let role = self
            .load_role(&checked.role, &caller.arn(), "sts:AssumeRole")
            .await?;
        let duration = params::role_session_duration(
            request.duration_seconds,
            i64::from(role.max_session_duration),
            caller.is_session(),
        )?;
        let mfa_authenticated_at = match caller {
            Caller::User { user, .. } => {
                self.check_mfa(
                    caller,
                    &user.user_name,
                    request.serial_number.as_deref(),
                    request.token_code.as_deref(),
                    now,
                )
                .await?
            }
            Caller::Session(session) => session.claims.mfa_authenticated_at,
            Caller::Root { .. } => None,
        };

        let mut keys = ContextKeys::new();
        insert_session_keys(&mut keys, caller, now);
        if let (Caller::User { .. }, Some(at)) = (caller, mfa_authenticated_at) {
            keys.insert("aws:MultiFactorAuthPresent", ContextValue::boolean(true));
            keys.insert(
                "aws:MultiFactorAuthAge",
                ContextValue::number(now.duration_since(at).as_secs()),
            );
        }
        keys.insert(
            "sts:RoleSessionName",
            ContextValue::single(request.role_session_name.as_str()),
        );
        if let Some(external_id) = &request.external_id {
            keys.insert("sts:ExternalId", ContextValue::single(external_id.as_str()));
        }
        // A chained request carries the source identity of its session even when it does not
        // repeat it.
        if let Some(source_identity) = &source_identity {
            keys.insert(
                "sts:SourceIdentity",
                ContextValue::single(source_identity.as_str()),
            );
        }
        insert_request_tags(&mut keys, &request.tags);
        let mut actions = vec!["sts:AssumeRole"];
        if !request.tags.is_empty() {
            actions.push("sts:TagSession");
        }
        let sets_source_identity = request.source_identity.is_some()
            && !matches!(caller, Caller::Session(session) if session.claims.source_identity.is_some());
        if sets_source_identity {
            actions.push("sts:SetSourceIdentity");
        }
        let caller_policies = self.caller_policies(caller).await?;
        let target = TrustTarget {
            account: checked.account()?,
            trust_policy: trust_policy(&role.arn, &role.assume_role_policy_document)?,
            role_arn: role.arn.clone(),
        };
        if let Some((action, _)) =
            first_denied_action(&caller_policies, &target, &actions, &keys, now)
        {
            return Err(not_authorized(&caller.arn(), action, &role.arn));
        }

        let packed_policy_size = params::check_packed_size(
            checked.session_policy.as_deref(),
            &checked.session_policy_arns,
            &tags,
        )?;
        let claims = SessionClaims {
            kind: PrincipalKind::AssumedRole,
            account: target.account,
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
            source_identity,
            tags,
            session_policy: checked.session_policy,
            session_policy_arns: checked.session_policy_arns,
            mfa_authenticated_at,
            chained: caller.is_session(),
            iam_denied: false,
            federated_provider: None,
        };
        self.issue(claims, Some(packed_policy_size))
    }

    /// Loads the role `caller` asks to assume for `action`. A missing role is reported as
    /// [`StsError::NotAuthorized`], as AWS does, so a caller cannot probe which roles exist.
    pub(super) async fn load_role(
        &self,
        role: &IamArn,
        caller: &Arn,
        action: &'static str,
    ) -> Result<Role, StsError> {
        let account = role_account(role)?;
        let IamResource::Role { name, .. } = role.resource() else {
            return Err(StsError::validation(
                "RoleArn",
                "the ARN does not name a role",
            ));
        };
        let not_authorized = || not_authorized(caller, action, &role.to_arn());
        let stored = match self.store.role(account, name).await {
            Ok(stored) => stored.record,
            Err(StoreError::NoSuchEntity { .. }) => return Err(not_authorized()),
            Err(error) => return Err(StsError::ServiceFailure(error.to_string())),
        };
        // The ARN in the request must match the role's path too.
        if stored.arn != role.to_arn() {
            return Err(not_authorized());
        }
        Ok(stored)
    }
}

impl SessionRequest {
    pub(super) fn account(&self) -> Result<AccountId, StsError> {
        role_account(&self.role)
    }
}

/// Checks what `AssumeRole` and `AssumeRoleWithWebIdentity` share: the role ARN, the session
/// name and the session policies.
pub(super) fn check_session_request(
    role_arn: &str,
    role_session_name: &str,
    policy: Option<&str>,
    policy_arns: &[String],
) -> Result<SessionRequest, StsError> {
    if !(20..=2048).contains(&role_arn.len()) {
        return Err(StsError::validation(
            "RoleArn",
            format!("`{role_arn}` is outside 20 to 2048 characters"),
        ));
    }
    let role: IamArn = role_arn.parse().map_err(|error: iam_model::ModelError| {
        StsError::validation("RoleArn", error.to_string())
    })?;
    if !matches!(role.resource(), IamResource::Role { .. }) {
        return Err(StsError::validation(
            "RoleArn",
            format!("`{role_arn}` does not name a role"),
        ));
    }
    params::validate_role_session_name(role_session_name)?;
    let session_policy = policy.map(params::compact_session_policy).transpose()?;
    if let Some(text) = &session_policy {
        iam_policy::PolicyDocument::parse(text)
            .map_err(|error| StsError::MalformedPolicyDocument(error.to_string()))?;
    }
    let session_policy_arns = params::parse_session_policy_arns(policy_arns)?;
    Ok(SessionRequest {
        role,
        session_policy,
        session_policy_arns,
    })
}

/// Returns the source identity of the new session: the caller session's, which cannot change,
/// or the one requested.
fn inherited_source_identity(
    caller: &Caller,
    requested: Option<&str>,
) -> Result<Option<String>, StsError> {
    let existing = match caller {
        Caller::Session(session) => session.claims.source_identity.as_deref(),
        _ => None,
    };
    match (existing, requested) {
        (Some(existing), Some(requested)) if existing != requested => {
            // NOTE: AWS documents that a source identity cannot change along a chain; the
            // error code for trying is an assumption.
            Err(StsError::AccessDenied(format!(
                "the source identity `{existing}` of the calling session cannot change to `{requested}`"
            )))
        }
        (Some(existing), _) => Ok(Some(existing.to_owned())),
        (None, requested) => Ok(requested.map(str::to_owned)),
    }
}

fn insert_request_tags(keys: &mut ContextKeys, tags: &[(String, String)]) {
    if tags.is_empty() {
        return;
    }
    for (key, value) in tags {
        keys.insert(
            &format!("aws:RequestTag/{key}"),
            ContextValue::single(value.as_str()),
        );
    }
    keys.insert(
        "aws:TagKeys",
        ContextValue::list(tags.iter().map(|(key, _)| key.as_str())),
    );
}

fn role_account(role: &IamArn) -> Result<AccountId, StsError> {
    role.account_id()
        .ok_or_else(|| StsError::validation("RoleArn", "the ARN has no account id"))
}

/// Builds AWS's refusal: the caller is not authorized to perform the action on the role.
pub(super) fn not_authorized(caller: &Arn, action: &'static str, role: &Arn) -> StsError {
    StsError::NotAuthorized {
        caller: caller.to_string(),
        action,
        resource: role.to_string(),
    }
}
