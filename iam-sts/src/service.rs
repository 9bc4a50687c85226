//! The STS operations as the server calls them: one method of [`Sts`] per operation.

mod assume_role;
mod authorize;
mod federation;
mod web_identity;

use std::sync::Arc;

use iam_model::{Arn, Clock, RandomSource};
use iam_store::IamStore;
use jiff::{SignedDuration, Timestamp};

pub use assume_role::AssumeRoleRequest;
pub use federation::GetFederationTokenRequest;
pub use web_identity::{AssumeRoleWithWebIdentityRequest, WebIdentitySession};

use crate::mfa::MfaVerifier;
use crate::params;
use crate::revocation::check_not_revoked;
use crate::web_identity::DEFAULT_MAX_CLOCK_SKEW_SECONDS;
use crate::{Caller, PrincipalKind, SessionClaims, SessionCredentials, SessionTokens, StsError};

/// The STS service: issues temporary credentials after checking the caller, the request and
/// the policies involved.
pub struct Sts {
    store: Arc<dyn IamStore>,
    tokens: SessionTokens,
    mfa: Arc<dyn MfaVerifier>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    max_clock_skew_seconds: i64,
}

/// The parameters of `GetSessionToken`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetSessionTokenRequest {
    /// `DurationSeconds`: 900 to 129,600 for a user, 900 to 3,600 for root.
    pub duration_seconds: Option<i64>,
    /// `SerialNumber` of the caller's MFA device.
    pub serial_number: Option<String>,
    /// `TokenCode`: the six-digit code the device shows.
    pub token_code: Option<String>,
}

/// Temporary credentials with the claims sealed into them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedSession {
    /// The credentials to return.
    pub credentials: SessionCredentials,
    /// The session's claims.
    pub claims: SessionClaims,
    /// `PackedPolicySize`: the share of the packed allotment the session policies and tags
    /// use, in percent, when any were passed.
    pub packed_policy_size: Option<u32>,
}

impl IssuedSession {
    /// Returns `AssumedRoleId` (`AROA…:SESSION`) or `FederatedUserId` (`ACCOUNT:NAME`).
    pub fn principal_id(&self) -> String {
        self.claims.user_id()
    }
}

impl Sts {
    /// Creates the service over `store`, sealing tokens with `tokens`, checking MFA codes
    /// with `mfa`, and reading time and randomness from `clock` and `random`.
    pub fn new(
        store: Arc<dyn IamStore>,
        tokens: SessionTokens,
        mfa: Arc<dyn MfaVerifier>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
    ) -> Self {
        Self {
            store,
            tokens,
            mfa,
            clock,
            random,
            max_clock_skew_seconds: DEFAULT_MAX_CLOCK_SKEW_SECONDS,
        }
    }

    /// Returns the token issuer and verifier, which the server uses to authenticate session
    /// credentials.
    pub fn tokens(&self) -> &SessionTokens {
        &self.tokens
    }

    /// Authenticates session credentials: opens the token, checks that it belongs to
    /// `access_key_id` and is live now, and that the revocation the store keeps for the
    /// session's role or user does not cut it off.
    ///
    /// # Errors
    ///
    /// [`StsError::InvalidClientTokenId`] for a bad token, [`StsError::RevokedToken`] for a
    /// revoked one, [`StsError::ExpiredToken`] for an expired one, and
    /// [`StsError::ServiceFailure`] when the store fails.
    pub async fn authenticate_session(
        &self,
        session_token: &str,
        access_key_id: &str,
    ) -> Result<Caller, StsError> {
        let session = self
            .tokens
            .verify(session_token, access_key_id, self.clock.now())?;
        self.check_revocation(&session.claims).await?;
        Ok(Caller::Session(Box::new(session)))
    }

    /// Reads the revocation of the session's role or user from the store and checks the
    /// session against it.
    ///
    /// # Errors
    ///
    /// [`StsError::RevokedToken`] when the session was issued before the cut-off, and
    /// [`StsError::ServiceFailure`] when the store fails.
    pub async fn check_revocation(&self, claims: &SessionClaims) -> Result<(), StsError> {
        let Some(identity) = claims.source_entity()? else {
            return Ok(());
        };
        let revocation = self
            .store
            .session_revocation(claims.account, &identity)
            .await
            .map_err(authorize::service_failure)?;
        check_not_revoked(claims, revocation.as_ref())
    }

    /// Runs `GetSessionToken` for an IAM user or the root user with long-term credentials.
    ///
    /// Without MFA the credentials cannot call IAM ([`SessionClaims::iam_denied`]).
    ///
    /// # Errors
    ///
    /// - [`StsError::AccessDenied`] for session credentials, or an MFA code that is wrong,
    ///   reused, or from a device the caller does not own.
    /// - [`StsError::Validation`] for a duration out of range, a malformed serial number or
    ///   code, or only one of the two.
    pub async fn get_session_token(
        &self,
        caller: &Caller,
        request: &GetSessionTokenRequest,
    ) -> Result<IssuedSession, StsError> {
        let now = self.now();
        let (kind, user_name, source_arn, source_id) = match caller {
            Caller::Session(_) => {
                return Err(StsError::AccessDenied(
                    "cannot call GetSessionToken with session credentials".to_owned(),
                ));
            }
            Caller::Root { account, .. } => (
                PrincipalKind::Root,
                ROOT_MFA_OWNER.to_owned(),
                caller.arn(),
                account.to_string(),
            ),
            Caller::User { user, .. } => (
                PrincipalKind::User,
                user.user_name.clone(),
                user.arn.clone(),
                user.user_id.as_str().to_owned(),
            ),
        };
        let duration =
            params::user_session_duration(request.duration_seconds, kind == PrincipalKind::Root)?;
        let mfa_authenticated_at = self
            .check_mfa(
                caller,
                &user_name,
                request.serial_number.as_deref(),
                request.token_code.as_deref(),
                now,
            )
            .await?;

        let claims = SessionClaims {
            kind,
            account: caller.account(),
            principal_arn: source_arn.clone(),
            source_arn,
            source_id,
            session_name: String::new(),
            issued_at: now,
            expires_at: now + SignedDuration::from_secs(duration),
            source_identity: None,
            tags: Vec::new(),
            session_policy: None,
            session_policy_arns: Vec::new(),
            mfa_authenticated_at,
            chained: false,
            iam_denied: mfa_authenticated_at.is_none(),
            federated_provider: None,
        };
        self.issue(claims, None)
    }

    /// Checks the optional `SerialNumber` and `TokenCode` of a request and returns when MFA
    /// authenticated the caller, if it did.
    async fn check_mfa(
        &self,
        caller: &Caller,
        owner: &str,
        serial_number: Option<&str>,
        token_code: Option<&str>,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StsError> {
        match (serial_number, token_code) {
            (None, None) => Ok(None),
            (Some(serial_number), Some(token_code)) => {
                params::validate_serial_number(serial_number)?;
                params::validate_token_code(token_code)?;
                self.mfa
                    .verify(caller.account(), owner, serial_number, token_code, now)
                    .await?;
                Ok(Some(now))
            }
            (Some(_), None) => Err(StsError::validation(
                "TokenCode",
                "`SerialNumber` was given without `TokenCode`",
            )),
            (None, Some(_)) => Err(StsError::validation(
                "SerialNumber",
                "`TokenCode` was given without `SerialNumber`",
            )),
        }
    }

    fn issue(
        &self,
        claims: SessionClaims,
        packed_policy_size: Option<u32>,
    ) -> Result<IssuedSession, StsError> {
        let credentials = self.tokens.issue(&claims, self.random.as_ref())?;
        Ok(IssuedSession {
            credentials,
            claims,
            packed_policy_size,
        })
    }

    /// Reads the clock, truncated to whole seconds as session times are.
    fn now(&self) -> Timestamp {
        let now = self.clock.now();
        Timestamp::from_second(now.as_second()).unwrap_or(now)
    }
}

/// The owner name the MFA verifier receives for the root user's devices: the store's owner name
/// for the root user's access keys and MFA devices. No IAM user can have it, because user names
/// cannot contain `<`.
pub const ROOT_MFA_OWNER: &str = iam_model::ROOT_USER_NAME;

/// Builds the `assumed-role` ARN of a session: the role's name without its path.
fn assumed_role_arn(role_arn: &Arn, role_name: &str, session_name: &str) -> Result<Arn, StsError> {
    Arn::new(
        role_arn.partition(),
        "sts",
        "",
        role_arn.account(),
        format!("assumed-role/{role_name}/{session_name}"),
    )
    .map_err(StsError::from_model)
}
