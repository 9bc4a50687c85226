//! Temporary credentials in the server: the STS service with its keys, and the authentication
//! of requests signed with session credentials (`ASIA…` access keys with
//! `X-Amz-Security-Token`).
//!
//! A session token carries its own claims and secret, sealed under the session-token key, so
//! authenticating one reads no session record. The only store read is the revocation lookup.

use std::sync::Arc;

use iam_audit::{IdentityType, SessionAttributes, SessionContext, SessionIssuer, UserIdentity};
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_model::{Clock, RandomSource};
use iam_store::IamStore;
use iam_sts::mfa::{StoredTotpVerifier, seed_context};
use iam_sts::{PrincipalKind, SessionClaims, SessionTokens, StsError, VerifiedSession};

use crate::error::ServerError;
use crate::keys::DataDir;

/// The key id recorded in every session token sealed under the data directory's key, so that a
/// later key can be added without invalidating issued sessions.
const SESSION_TOKEN_KEY_ID: &str = "session-token-1";

/// The key id recorded in every encoded authorization message sealed under the data
/// directory's key.
const AUTHORIZATION_MESSAGE_KEY_ID: &str = "authorization-message-1";

/// The keyrings that seal session tokens and encoded authorization messages.
pub struct SessionKeys {
    /// Seals session tokens.
    pub tokens: Arc<Keyring>,
    /// Seals encoded authorization messages.
    pub authorization_messages: Arc<Keyring>,
}

impl SessionKeys {
    /// Loads both keys from the data directory, creating them on first start.
    ///
    /// # Errors
    ///
    /// Fails when a key file cannot be read or written or has the wrong length.
    pub fn load(data_dir: &DataDir, random: &dyn RandomSource) -> Result<Self, ServerError> {
        let invalid = |error: iam_auth::AuthError| {
            ServerError::Config(format!("invalid session key: {error}"))
        };
        let tokens =
            KeyEncryptionKey::new(SESSION_TOKEN_KEY_ID, &data_dir.session_token_key(random)?)
                .map_err(invalid)?;
        let messages = KeyEncryptionKey::new(
            AUTHORIZATION_MESSAGE_KEY_ID,
            &data_dir.authorization_message_key(random)?,
        )
        .map_err(invalid)?;
        Ok(Self::new(tokens, messages))
    }

    /// Builds the keyrings from one key each.
    pub fn new(tokens: KeyEncryptionKey, authorization_messages: KeyEncryptionKey) -> Self {
        Self {
            tokens: Arc::new(Keyring::new(tokens)),
            authorization_messages: Arc::new(Keyring::new(authorization_messages)),
        }
    }
}

/// The STS service and what the server needs beside it to accept session credentials.
pub struct Sessions {
    sts: iam_sts::Sts,
    authorization_messages: Arc<Keyring>,
    clock: Arc<dyn Clock>,
}

impl Sessions {
    /// Creates the STS service over `store`. `secrets` is the keyring that seals stored
    /// secrets, which opens the MFA seeds of virtual devices.
    pub fn new(
        store: Arc<dyn IamStore>,
        secrets: Arc<Keyring>,
        keys: SessionKeys,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
    ) -> Self {
        let mfa = Arc::new(StoredTotpVerifier::new(
            Arc::clone(&store),
            secrets,
            seed_context,
        ));
        let sts = iam_sts::Sts::new(
            Arc::clone(&store),
            SessionTokens::new(keys.tokens),
            mfa,
            Arc::clone(&clock),
            random,
        );
        Self {
            sts,
            authorization_messages: keys.authorization_messages,
            clock,
        }
    }

    /// Returns the STS operations.
    pub fn sts(&self) -> &iam_sts::Sts {
        &self.sts
    }

    /// Returns the keyring of encoded authorization messages.
    pub fn authorization_messages(&self) -> &Keyring {
        &self.authorization_messages
    }

    /// Authenticates session credentials: opens `session_token`, checks that it was issued
    /// with `access_key_id` and has not expired, and that its role or user has no revocation
    /// that cuts it off. The request signature is checked afterwards with the session's
    /// secret.
    ///
    /// # Errors
    ///
    /// [`StsError::InvalidClientTokenId`] for a malformed, tampered or mismatched token,
    /// [`StsError::ExpiredToken`] for an expired one, [`StsError::RevokedToken`] for a revoked
    /// one, and [`StsError::ServiceFailure`] when the revocation lookup fails.
    pub async fn authenticate(
        &self,
        access_key_id: &str,
        session_token: &str,
    ) -> Result<VerifiedSession, StsError> {
        let session = self
            .sts
            .tokens()
            .verify(session_token, access_key_id, self.clock.now())?;
        self.sts.check_revocation(&session.claims).await?;
        Ok(session)
    }
}

/// Returns the IAM user's name behind a `GetSessionToken` session, `None` for other sessions.
pub fn user_name(claims: &SessionClaims) -> Option<&str> {
    if claims.kind != PrincipalKind::User {
        return None;
    }
    source_name(claims)
}

/// Builds CloudTrail's `userIdentity` of a request signed with session credentials, with the
/// session's own ARN and id. Its `sessionContext` records when the session was issued and
/// whether MFA authenticated it, and names the issuing role or user of role sessions and
/// federated users.
pub fn audit_identity(session: &VerifiedSession, access_key_id: &str) -> UserIdentity {
    let claims = &session.claims;
    let identity_type = match claims.kind {
        PrincipalKind::AssumedRole => IdentityType::AssumedRole,
        PrincipalKind::FederatedUser => IdentityType::FederatedUser,
        PrincipalKind::User => IdentityType::IamUser,
        PrincipalKind::Root => IdentityType::Root,
    };
    let issuer_type = match (claims.kind, source_name(claims)) {
        (PrincipalKind::AssumedRole, _) => Some("Role"),
        (PrincipalKind::FederatedUser, Some(_)) => Some("IAMUser"),
        (PrincipalKind::FederatedUser, None) => Some("Root"),
        (PrincipalKind::User | PrincipalKind::Root, _) => None,
    };
    let session_issuer = issuer_type.map(|issuer_type| SessionIssuer {
        issuer_type: issuer_type.to_owned(),
        principal_id: claims.source_id.clone(),
        arn: claims.source_arn.clone(),
        account_id: claims.account,
        user_name: source_name(claims).unwrap_or_default().to_owned(),
    });
    UserIdentity {
        identity_type,
        principal_id: Some(claims.user_id()),
        arn: Some(claims.principal_arn.clone()),
        account_id: Some(claims.account),
        access_key_id: Some(access_key_id.to_owned()),
        user_name: user_name(claims).map(str::to_owned),
        session_context: Some(SessionContext {
            attributes: SessionAttributes {
                mfa_authenticated: claims.mfa_authenticated_at.is_some(),
                creation_date: claims.issued_at,
            },
            session_issuer,
        }),
        identity_provider: None,
    }
}

/// Returns the name of the role or user whose policies a session uses, `None` for the root
/// user.
fn source_name(claims: &SessionClaims) -> Option<&str> {
    let path_and_name = claims
        .source_arn
        .resource()
        .strip_prefix("user/")
        .or_else(|| claims.source_arn.resource().strip_prefix("role/"))?;
    path_and_name.rsplit('/').next()
}
