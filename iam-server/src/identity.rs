//! Authentication: who signed a request.
//!
//! `iam-auth`'s verifier looks secrets up synchronously, while the store is async, so the
//! handler looks the access key up first and hands the result to the verifier through
//! [`PrefetchedResolver`]. The verifier then checks the signature, the time window and the
//! credential scope. For session credentials the lookup opens the session token instead
//! ([`crate::session`]).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::http::request::Parts;
use iam_audit::{IdentityType, UserIdentity};
use iam_auth::seal::{Keyring, SealedSecret};
use iam_auth::sigv4::{HttpRequest, ParsedSignature, ResolvedCredential, SecretResolver, Verifier};
use iam_auth::{AuthError, SecretAccessKey};
use iam_model::{AccessKeyLastUsed, AccountId, Clock, Partition, User};
use iam_store::{IamStore, Stored};
use iam_sts::{StsError, VerifiedSession};
use jiff::{SignedDuration, Timestamp};

use crate::error::{ApiError, ErrorCode};
use crate::service::Service;
use crate::session::{self, Sessions};
use crate::store_cache::StoreCache;

/// How often the last use of one access key is written to the store. AWS also updates
/// `AccessKeyLastUsed` with a delay; writing on every request would make reads cost a write.
const LAST_USED_INTERVAL: SignedDuration = SignedDuration::from_mins(5);

/// The maximum number of access keys whose last recorded use is remembered before the memory
/// is cleared.
const LAST_USED_MEMORY: usize = 10_000;

/// The principal behind a verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The account's root user.
    Root {
        /// The account.
        account: AccountId,
    },
    /// An IAM user signing with one of its access keys.
    User {
        /// The account.
        account: AccountId,
        /// The user as stored, shared with the store cache so a request copies no record.
        user: Arc<Stored<User>>,
    },
    /// Temporary credentials from STS: a role session, a federated user, or a user's or the
    /// root user's `GetSessionToken` session.
    Session(Box<VerifiedSession>),
}

impl Caller {
    /// Returns the caller's account.
    pub fn account(&self) -> AccountId {
        match self {
            Caller::Root { account } | Caller::User { account, .. } => *account,
            Caller::Session(session) => session.claims.account,
        }
    }

    /// Returns the caller's ARN, as `GetCallerIdentity` reports it: for a session the
    /// `assumed-role` or `federated-user` ARN, or the user's or root's own.
    pub fn arn(&self) -> String {
        match self {
            Caller::Root { account } => format!("arn:aws:iam::{account}:root"),
            Caller::User { user, .. } => user.arn.to_string(),
            Caller::Session(session) => session.claims.principal_arn.to_string(),
        }
    }

    /// Returns the caller's unique id, as `aws:userid` and `GetCallerIdentity` report it: the
    /// account id for the root user, `AROA…:SESSION` for a role session and `ACCOUNT:NAME` for
    /// a federated user.
    pub fn user_id(&self) -> String {
        match self {
            Caller::Root { account } => account.to_string(),
            Caller::User { user, .. } => user.user_id.as_str().to_owned(),
            Caller::Session(session) => session.claims.user_id(),
        }
    }

    /// Returns the IAM user's name: the user's own, or the user's behind a `GetSessionToken`
    /// session. `None` for the root user, role sessions and federated users.
    pub fn user_name(&self) -> Option<&str> {
        match self {
            Caller::Root { .. } => None,
            Caller::User { user, .. } => Some(&user.user_name),
            Caller::Session(session) => session::user_name(&session.claims),
        }
    }

    /// Returns whether the caller is the account's root user, with long-term or session
    /// credentials.
    pub fn is_root(&self) -> bool {
        match self {
            Caller::Root { .. } => true,
            Caller::User { .. } => false,
            Caller::Session(session) => session.claims.kind == iam_sts::PrincipalKind::Root,
        }
    }

    /// Returns the session behind temporary credentials, `None` for long-term ones.
    pub fn session(&self) -> Option<&VerifiedSession> {
        match self {
            Caller::Session(session) => Some(session),
            Caller::Root { .. } | Caller::User { .. } => None,
        }
    }

    /// Converts the caller to the form the STS operations take.
    pub fn to_sts(&self) -> iam_sts::Caller {
        match self {
            Caller::Root { account } => iam_sts::Caller::Root {
                partition: Partition::Aws,
                account: *account,
            },
            Caller::User { account, user } => iam_sts::Caller::User {
                account: *account,
                user: Box::new(user.record.clone()),
            },
            Caller::Session(session) => iam_sts::Caller::Session(session.clone()),
        }
    }

    /// Builds CloudTrail's `userIdentity` for the audit trail.
    pub fn audit_identity(&self, access_key_id: &str) -> UserIdentity {
        let (identity_type, user_name) = match self {
            Caller::Root { .. } => (IdentityType::Root, None),
            Caller::User { user, .. } => (IdentityType::IamUser, Some(user.user_name.clone())),
            Caller::Session(session) => {
                return session::audit_identity(session, access_key_id);
            }
        };
        UserIdentity {
            identity_type,
            principal_id: Some(self.user_id()),
            arn: self.arn().parse().ok(),
            account_id: Some(self.account()),
            access_key_id: Some(access_key_id.to_owned()),
            user_name,
            session_context: None,
            identity_provider: None,
        }
    }
}

/// A request whose signature verified.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The principal that signed it.
    pub caller: Caller,
    /// The access key id that signed it.
    pub access_key_id: String,
    /// The region of the credential scope.
    pub region: String,
}

/// Verifies signatures against the access keys in the store, the root user's included, and
/// session tokens.
pub struct Authenticator {
    verifier: Verifier<PrefetchedResolver>,
    store: Arc<dyn IamStore>,
    store_cache: Arc<StoreCache>,
    sessions: Arc<Sessions>,
    clock: Arc<dyn Clock>,
    last_used: Mutex<HashMap<String, Timestamp>>,
    allowed_regions: Vec<String>,
}

impl Authenticator {
    /// Creates an authenticator; an empty `allowed_regions` accepts any signing region.
    pub fn new(
        store: Arc<dyn IamStore>,
        keyring: Arc<Keyring>,
        sessions: Arc<Sessions>,
        clock: Arc<dyn Clock>,
        allowed_regions: &[String],
    ) -> Self {
        let verifier = Verifier::new(PrefetchedResolver, Arc::clone(&clock), ["iam", "sts"]);
        let verifier = if allowed_regions.is_empty() {
            verifier
        } else {
            verifier.with_allowed_regions(allowed_regions.iter().cloned())
        };
        Self {
            verifier,
            store_cache: Arc::new(StoreCache::new(Arc::clone(&store), keyring)),
            store,
            sessions,
            clock,
            last_used: Mutex::new(HashMap::new()),
            allowed_regions: allowed_regions.to_vec(),
        }
    }

    /// Returns the cache of access keys and users that authentication reads through.
    pub fn store_cache(&self) -> &Arc<StoreCache> {
        &self.store_cache
    }

    /// Verifies the signature of a request to `service` and returns its caller. `signature` is
    /// what [`parse_signature`] returned for the same `parts`, so the request is parsed once.
    ///
    /// # Errors
    ///
    /// The AWS authentication errors: `MissingAuthenticationToken`, `IncompleteSignature`,
    /// `InvalidClientTokenId` (unknown, inactive or deleted keys, and session tokens that are
    /// malformed, tampered with, revoked or sent with another key), `SignatureDoesNotMatch`
    /// (also for a credential scope that names a service other than `service`),
    /// `RequestExpired`, `ExpiredToken`.
    pub async fn authenticate(
        &self,
        parts: &Parts,
        body: &[u8],
        service: Service,
        signature: Result<ParsedSignature<'_>, AuthError>,
    ) -> Result<Authenticated, ApiError> {
        let signature = signature?;
        check_scope_service(signature.service(), service)?;
        self.check_scope_region(signature.region())?;
        let access_key_id = signature.access_key_id();
        let resolved = match signature.security_token() {
            Some(token) => self.resolve_session(access_key_id, token).await,
            None => self.resolve(access_key_id).await,
        };
        let prefetched = (access_key_id.to_owned(), resolved);

        let mut inline_headers = [("", ""); INLINE_HEADERS];
        let spilled_headers: Vec<(&str, &str)>;
        let headers = if parts.headers.len() <= INLINE_HEADERS {
            let mut count = 0;
            for (slot, header) in inline_headers.iter_mut().zip(text_headers(&parts.headers)) {
                *slot = header;
                count += 1;
            }
            inline_headers.get(..count).unwrap_or_default()
        } else {
            spilled_headers = text_headers(&parts.headers).collect();
            &spilled_headers
        };
        let request = HttpRequest {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or(""),
            headers,
            body,
        };
        // The verified request borrows from `request`, so only what `Authenticated` owns is
        // copied out of it here.
        let authenticated = PREFETCHED.with(|slot| {
            *slot.borrow_mut() = Some(prefetched);
            let verified = self.verifier.verify_parsed(&request, signature);
            *slot.borrow_mut() = None;
            let verified = verified?;
            self.note_use(
                verified.access_key_id(),
                verified.service(),
                verified.region(),
            );
            Ok::<_, AuthError>(Authenticated {
                access_key_id: verified.access_key_id().to_owned(),
                region: verified.region().to_owned(),
                caller: verified.principal,
            })
        })?;
        Ok(authenticated)
    }

    /// Rejects a credential scope whose region is outside `--allowed-regions` with the message
    /// AWS gives for it.
    ///
    /// The verifier rejects such a scope too, but its error reaches the client as the generic
    /// signature mismatch, which sends the user to check a secret that is correct.
    fn check_scope_region(&self, region: &str) -> Result<(), ApiError> {
        let allowed = self.allowed_regions.is_empty()
            || self.allowed_regions.iter().any(|allowed| allowed == region);
        if allowed {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorCode::SignatureDoesNotMatch,
            "Credential should be scoped to a valid region. ",
        ))
    }

    /// Finds the secret and owner of an access key in the store: an IAM user or the root user.
    async fn resolve(&self, access_key_id: &str) -> Result<ResolvedCredential<Caller>, AuthError> {
        // The verifier rejects a temporary key without a token before it requests the
        // credential, so the store is not searched for a key it never contains.
        if is_temporary_key(access_key_id) {
            return Err(AuthError::InvalidClientTokenId {
                access_key_id: access_key_id.to_owned(),
                reason: "temporary credentials need `X-Amz-Security-Token`",
            });
        }

        let found = self.store_cache.access_key(access_key_id).await?;
        let Some(user) = found.user else {
            return Ok(ResolvedCredential {
                secret: found.secret,
                principal: Caller::Root {
                    account: found.account,
                },
                expiration: None,
            });
        };
        Ok(ResolvedCredential {
            secret: found.secret,
            principal: Caller::User {
                account: found.account,
                user,
            },
            expiration: None,
        })
    }

    /// Finds the secret and session behind temporary credentials by opening their session
    /// token. A token sent with a long-term key is rejected without looking at it.
    async fn resolve_session(
        &self,
        access_key_id: &str,
        session_token: &str,
    ) -> Result<ResolvedCredential<Caller>, AuthError> {
        let invalid = |reason| AuthError::InvalidClientTokenId {
            access_key_id: access_key_id.to_owned(),
            reason,
        };
        if !is_temporary_key(access_key_id) {
            return Err(invalid(
                "a session token was sent with a long-term access key",
            ));
        }
        let session = match self
            .sessions
            .authenticate(access_key_id, session_token)
            .await
        {
            Ok(session) => session,
            Err(StsError::ExpiredToken { expired_at }) => {
                return Err(AuthError::ExpiredToken {
                    expiration: expired_at,
                });
            }
            Err(StsError::InvalidClientTokenId(reason)) => return Err(invalid(reason)),
            Err(StsError::RevokedToken { .. }) => return Err(invalid("the session was revoked")),
            Err(error) => return Err(AuthError::CredentialLookup(error.to_string())),
        };
        Ok(ResolvedCredential {
            secret: session.secret_access_key.clone(),
            expiration: Some(session.claims.expires_at),
            principal: Caller::Session(Box::new(session)),
        })
    }

    /// Records the use of a long-term access key in the background, about once per
    /// [`LAST_USED_INTERVAL`]: clearing the full memory of recorded uses lets a key be written
    /// again sooner. Temporary keys have no stored record to update.
    fn note_use(&self, access_key_id: &str, service: &str, region: &str) {
        if is_temporary_key(access_key_id) {
            return;
        }
        let now = self.clock.now();
        {
            let mut last_used = self
                .last_used
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let recent = last_used
                .get(access_key_id)
                .is_some_and(|last| now.duration_since(*last) < LAST_USED_INTERVAL);
            if recent {
                return;
            }
            if last_used.len() >= LAST_USED_MEMORY {
                last_used.clear();
            }
            last_used.insert(access_key_id.to_owned(), now);
        }
        let store = Arc::clone(&self.store);
        let access_key_id = access_key_id.to_owned();
        let last_used = AccessKeyLastUsed {
            last_used_date: now,
            service_name: service.to_owned(),
            region: region.to_owned(),
        };
        tokio::spawn(async move {
            if let Err(error) = store.record_access_key_use(&access_key_id, last_used).await {
                tracing::warn!(%error, access_key_id, "failed to record access key use");
            }
        });
    }
}

/// Returns the sealing context of a stored secret access key, binding the sealed bytes to
/// the key id.
pub fn access_key_context(access_key_id: &str) -> Vec<u8> {
    format!("access-key/{access_key_id}").into_bytes()
}

/// Opens a sealed secret access key.
///
/// # Errors
///
/// The keyring's errors, which map to `ServiceFailure`.
pub fn open_secret(
    keyring: &Keyring,
    access_key_id: &str,
    sealed: &[u8],
) -> Result<SecretAccessKey, AuthError> {
    let text = String::from_utf8(sealed.to_vec())
        .map_err(|_| AuthError::MalformedSealedSecret("the sealed secret is not UTF-8"))?;
    let secret = keyring
        .open(
            &SealedSecret::from_stored(text),
            &access_key_context(access_key_id),
        )?
        .into_string()?;
    Ok(SecretAccessKey::new(secret))
}

/// Rejects a credential scope that names another service than the one the request calls,
/// before the signature is verified.
///
/// A scope for a service such as `s3` would allow `UNSIGNED-PAYLOAD`. The verifier rejects
/// scopes outside `iam` and `sts` as well, but it cannot know which of the two was called, so
/// this check gives AWS's `SignatureDoesNotMatch` message with the right service name.
fn check_scope_service(scope_service: &str, service: Service) -> Result<(), ApiError> {
    if scope_service == service.name() {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::SignatureDoesNotMatch,
        format!(
            "Credential should be scoped to correct service: '{}'. ",
            service.name()
        ),
    ))
}

/// Parses the SigV4 signature fields of a request, from the `Authorization` header or a
/// presigned query, without verifying them. The result borrows from `parts`. The server parses
/// each request once, reads the credential scope to route it, and hands the result to
/// [`Authenticator::authenticate`].
///
/// # Errors
///
/// The verifier's parsing errors, such as `MissingAuthentication` for an unsigned request.
pub fn parse_signature(parts: &Parts) -> Result<ParsedSignature<'_>, AuthError> {
    ParsedSignature::from_parts(
        text_headers(&parts.headers),
        parts.uri.query().unwrap_or(""),
    )
}

/// Returns the SigV4 `Credential` value (`AKID/DATE/REGION/SERVICE/aws4_request`) of the
/// `Authorization` header or the `X-Amz-Credential` query parameter, unverified, even where
/// the other signature fields are malformed. The value of the header is borrowed.
///
/// Only requests that [`parse_signature`] rejects need it, so that their error response uses
/// the XML namespace of the service they were signed for.
pub fn credential<'a>(headers: &'a axum::http::HeaderMap, query: &'a str) -> Option<Cow<'a, str>> {
    let from_header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .split([' ', ','])
                .find_map(|part| part.trim().strip_prefix("Credential="))
        });
    if let Some(credential) = from_header {
        return Some(Cow::Borrowed(credential));
    }
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "X-Amz-Credential")
        .map(|(_, value)| value)
}

/// The maximum number of header fields whose list for the verifier stays on the stack. A
/// request with more allocates the list.
const INLINE_HEADERS: usize = 32;

/// Returns a request's header fields whose values are text, the form the verifier reads. A
/// value that is not text is left out, so a signature that covers it does not verify.
fn text_headers(headers: &axum::http::HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
}

/// Returns whether an access key id is one of temporary credentials (`ASIA…`).
fn is_temporary_key(access_key_id: &str) -> bool {
    access_key_id.starts_with(iam_auth::AccessKeyKind::Temporary.prefix())
}

thread_local! {
    /// The credential looked up for the request being verified on this thread.
    static PREFETCHED: RefCell<Option<Prefetched>> = const { RefCell::new(None) };
}

/// An access key id and the result of looking it up.
type Prefetched = (String, Result<ResolvedCredential<Caller>, AuthError>);

/// A resolver that returns the credential the handler looked up just before calling the
/// verifier on the same thread.
pub struct PrefetchedResolver;

impl SecretResolver for PrefetchedResolver {
    type Principal = Caller;

    fn resolve(
        &self,
        access_key_id: &str,
        _security_token: Option<&str>,
    ) -> Result<ResolvedCredential<Caller>, AuthError> {
        let prefetched = PREFETCHED.with(|slot| slot.borrow_mut().take());
        match prefetched {
            Some((looked_up, resolved)) if looked_up == access_key_id => resolved,
            _ => Err(AuthError::InvalidClientTokenId {
                access_key_id: access_key_id.to_owned(),
                reason: "no credential was looked up for this access key",
            }),
        }
    }
}

#[cfg(test)]
mod tests;
