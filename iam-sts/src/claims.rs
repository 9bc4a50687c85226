//! The claims a session token carries, and their binary encoding.

use iam_auth::SecretAccessKey;
use iam_model::{Arn, IamArn, IamResource};
use iam_store::Identity;
use jiff::Timestamp;

use crate::StsError;
use crate::codec::{Malformed, Reader, Writer};

/// The version of the claims encoding. Version 2 writes ARNs by their fields, and tokens of
/// version 1 fail to open as malformed.
const ENCODING_VERSION: u8 = 2;

const FLAG_MFA: u8 = 1;
const FLAG_CHAINED: u8 = 1 << 1;
const FLAG_IAM_DENIED: u8 = 1 << 2;

/// The kind of principal a session acts as, fixed by the operation that issued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// A role session from `AssumeRole` or `AssumeRoleWithWebIdentity`.
    AssumedRole,
    /// A federated user session from `GetFederationToken`.
    FederatedUser,
    /// An IAM user's session from `GetSessionToken`.
    User,
    /// The account root user's session from `GetSessionToken`.
    Root,
}

impl PrincipalKind {
    /// Returns the value of the `aws:PrincipalType` condition key for this kind.
    pub fn principal_type(self) -> &'static str {
        match self {
            PrincipalKind::AssumedRole => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::User => "User",
            PrincipalKind::Root => "Account",
        }
    }

    fn tag(self) -> u8 {
        match self {
            PrincipalKind::AssumedRole => 1,
            PrincipalKind::FederatedUser => 2,
            PrincipalKind::User => 3,
            PrincipalKind::Root => 4,
        }
    }

    fn from_tag(tag: u8) -> Result<Self, Malformed> {
        match tag {
            1 => Ok(PrincipalKind::AssumedRole),
            2 => Ok(PrincipalKind::FederatedUser),
            3 => Ok(PrincipalKind::User),
            4 => Ok(PrincipalKind::Root),
            _ => Err(Malformed),
        }
    }
}

/// A session tag: a key and value that become `aws:PrincipalTag/KEY` for the session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionTag {
    /// The tag key, 1 to 128 characters.
    pub key: String,
    /// The tag value, 0 to 256 characters.
    pub value: String,
    /// Whether the tag passes on to sessions chained from this one.
    pub transitive: bool,
}

/// The claims of one session: who it acts as, for how long, and what limits it.
///
/// The access key id and secret live beside the claims in [`crate::VerifiedSession`] and in
/// the sealed token, not here, so the claims can be built before the keys are drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClaims {
    /// The kind of principal.
    pub kind: PrincipalKind,
    /// The account the session belongs to.
    pub account: iam_model::AccountId,
    /// The session's own ARN: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`,
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`, or the user's or root's IAM ARN.
    pub principal_arn: Arn,
    /// The identity whose policies apply: the role's ARN with its path for a role session, the
    /// calling IAM user's ARN for a federated user or user session, the root ARN for root.
    pub source_arn: Arn,
    /// The unique id of the role or user behind the session, such as `AROA…` or `AIDA…`.
    pub source_id: String,
    /// The role session name or the federated user's name; empty for `GetSessionToken`.
    pub session_name: String,
    /// When the session was issued, whole seconds.
    pub issued_at: Timestamp,
    /// When the session ends, whole seconds.
    pub expires_at: Timestamp,
    /// The source identity, which no chained session can change once set.
    pub source_identity: Option<String>,
    /// The session tags, including transitive tags inherited through role chaining.
    pub tags: Vec<SessionTag>,
    /// The inline session policy, as passed by the caller.
    pub session_policy: Option<String>,
    /// The managed policies passed as session policies.
    pub session_policy_arns: Vec<Arn>,
    /// When the caller authenticated with MFA, if it did.
    pub mfa_authenticated_at: Option<Timestamp>,
    /// Whether the session was issued to a caller that itself used session credentials.
    pub chained: bool,
    /// Whether the session may not call IAM: set for `GetSessionToken` without MFA.
    pub iam_denied: bool,
    /// For a web identity session, the identity provider, the `aws:FederatedProvider` value.
    pub federated_provider: Option<String>,
}

impl SessionClaims {
    /// Returns the `AssumedRoleId` or `FederatedUserId`-style caller id: `ID:SESSION` for a
    /// role session, `ACCOUNT:NAME` for a federated user, and the unique id otherwise.
    pub fn user_id(&self) -> String {
        match self.kind {
            PrincipalKind::AssumedRole => format!("{}:{}", self.source_id, self.session_name),
            PrincipalKind::FederatedUser => format!("{}:{}", self.account, self.session_name),
            PrincipalKind::User | PrincipalKind::Root => self.source_id.clone(),
        }
    }

    /// Returns the role or user behind the session, as the store names it: the role of a role
    /// session, the calling user of a user or federated user session, and `None` for root.
    /// Root sessions have no policies or revocation record of their own in the store.
    ///
    /// # Errors
    ///
    /// [`StsError::ServiceFailure`] when `source_arn` is not an IAM ARN, which no token this
    /// service sealed carries.
    pub fn source_entity(&self) -> Result<Option<Identity>, StsError> {
        let source = IamArn::try_from(&self.source_arn)
            .map_err(|error| StsError::ServiceFailure(error.to_string()))?;
        Ok(match source.resource() {
            IamResource::Role { name, .. } => Some(Identity::Role(name.clone())),
            IamResource::User { name, .. } => Some(Identity::User(name.clone())),
            _ => None,
        })
    }

    /// Returns the age of the MFA authentication at `now`, in whole seconds.
    pub fn mfa_age_seconds(&self, now: Timestamp) -> Option<i64> {
        self.mfa_authenticated_at
            .map(|at| now.duration_since(at).as_secs().max(0))
    }

    /// Returns whether session policies were passed. A federated user session without any has
    /// no permissions at all, because its permissions are the intersection of the calling
    /// user's policies and its session policies.
    pub fn has_session_policies(&self) -> bool {
        self.session_policy.is_some() || !self.session_policy_arns.is_empty()
    }

    /// Returns the session tags that pass on to a session chained from this one.
    pub fn transitive_tags(&self) -> impl Iterator<Item = &SessionTag> {
        self.tags.iter().filter(|tag| tag.transitive)
    }

    /// Checks the limits that hold for a kind of session whatever its policies allow.
    ///
    /// `action` is `service:Operation`, such as `iam:ListUsers`.
    ///
    /// # Errors
    ///
    /// - [`StsError::InvalidClientTokenId`] for an IAM action from a `GetSessionToken` session
    ///   without MFA (the code AWS is observed to return).
    /// - [`StsError::AccessDenied`] for `sts:GetSessionToken` or `sts:GetFederationToken` with
    ///   any session, for an IAM action or an STS action other than `GetCallerIdentity` from a
    ///   federated user, and for an STS action other than `AssumeRole` or `GetCallerIdentity`
    ///   from a `GetSessionToken` session.
    pub fn check_action(&self, action: &str) -> Result<(), StsError> {
        let (service, operation) = action.split_once(':').unwrap_or((action, ""));
        let is_iam = service.eq_ignore_ascii_case("iam");
        let is_sts = service.eq_ignore_ascii_case("sts");
        let operation_is = |name: &str| is_sts && operation.eq_ignore_ascii_case(name);

        if operation_is("GetSessionToken") || operation_is("GetFederationToken") {
            return Err(StsError::AccessDenied(format!(
                "`{action}` cannot be called with session credentials"
            )));
        }
        match self.kind {
            PrincipalKind::FederatedUser
                if is_iam || (is_sts && !operation_is("GetCallerIdentity")) =>
            {
                Err(StsError::AccessDenied(format!(
                    "a federated user session cannot call `{action}`"
                )))
            }
            PrincipalKind::User | PrincipalKind::Root if is_iam && self.iam_denied => Err(
                StsError::InvalidClientTokenId("session credentials without MFA cannot call IAM"),
            ),
            PrincipalKind::User | PrincipalKind::Root
                if is_sts && !operation_is("AssumeRole") && !operation_is("GetCallerIdentity") =>
            {
                Err(StsError::AccessDenied(format!(
                    "`GetSessionToken` credentials cannot call `{action}`"
                )))
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn encode(&self, access_key_id: &str, secret: &SecretAccessKey) -> Vec<u8> {
        let text_capacity = 320 + self.session_policy.as_ref().map_or(0, String::len);
        let fields_capacity = 128 + 5 * self.tags.len() + 9 * self.session_policy_arns.len();
        let mut writer = Writer::with_capacity(fields_capacity + text_capacity, text_capacity);
        writer.u8(ENCODING_VERSION);
        writer.u8(self.kind.tag());
        writer.str(self.account.as_str());
        writer.arn(&self.principal_arn);
        writer.arn(&self.source_arn);
        writer.str(&self.source_id);
        writer.str(&self.session_name);
        writer.timestamp(self.issued_at);
        writer.timestamp(self.expires_at);
        writer.optional_str(self.source_identity.as_deref());

        writer.count(self.tags.len());
        for tag in &self.tags {
            writer.str(&tag.key);
            writer.str(&tag.value);
            writer.u8(u8::from(tag.transitive));
        }

        writer.optional_str(self.session_policy.as_deref());
        writer.count(self.session_policy_arns.len());
        for arn in &self.session_policy_arns {
            writer.arn(arn);
        }

        match self.mfa_authenticated_at {
            Some(at) => {
                writer.u8(1);
                writer.timestamp(at);
            }
            None => writer.u8(0),
        }
        writer.u8(self.flags());
        writer.optional_str(self.federated_provider.as_deref());
        writer.str(access_key_id);
        writer.str(secret.expose());
        writer.into_bytes()
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<(Self, String, SecretAccessKey), StsError> {
        Reader::new(bytes)
            .and_then(|mut reader| Self::read(&mut reader))
            .map_err(|Malformed| StsError::InvalidClientTokenId("malformed claims"))
    }

    fn read(reader: &mut Reader<'_>) -> Result<(Self, String, SecretAccessKey), Malformed> {
        if reader.u8()? != ENCODING_VERSION {
            return Err(Malformed);
        }
        let kind = PrincipalKind::from_tag(reader.u8()?)?;
        let account = reader.str()?.parse().map_err(|_| Malformed)?;
        let principal_arn = reader.arn()?;
        let source_arn = reader.arn()?;
        let source_id = reader.str()?.to_owned();
        let session_name = reader.str()?.to_owned();
        let issued_at = reader.timestamp()?;
        let expires_at = reader.timestamp()?;
        let source_identity = reader.optional_str()?.map(str::to_owned);
        let tag_count = reader.count()?;
        let mut tags = Vec::with_capacity(tag_count);
        for _ in 0..tag_count {
            let key = reader.str()?.to_owned();
            let value = reader.str()?.to_owned();
            let transitive = match reader.u8()? {
                0 => false,
                1 => true,
                _ => return Err(Malformed),
            };
            tags.push(SessionTag {
                key,
                value,
                transitive,
            });
        }
        let session_policy = reader.optional_str()?.map(str::to_owned);
        let arn_count = reader.count()?;
        let mut session_policy_arns = Vec::with_capacity(arn_count);
        for _ in 0..arn_count {
            session_policy_arns.push(reader.arn()?);
        }
        let mfa_authenticated_at = match reader.u8()? {
            0 => None,
            1 => Some(reader.timestamp()?),
            _ => return Err(Malformed),
        };
        let flags = reader.u8()?;
        if flags & !(FLAG_MFA | FLAG_CHAINED | FLAG_IAM_DENIED) != 0 {
            return Err(Malformed);
        }
        let federated_provider = reader.optional_str()?.map(str::to_owned);
        let access_key_id = reader.str()?.to_owned();
        let secret = SecretAccessKey::new(reader.str()?.to_owned());
        if !reader.is_empty() || (flags & FLAG_MFA != 0) != mfa_authenticated_at.is_some() {
            return Err(Malformed);
        }

        let claims = SessionClaims {
            kind,
            account,
            principal_arn,
            source_arn,
            source_id,
            session_name,
            issued_at,
            expires_at,
            source_identity,
            tags,
            session_policy,
            session_policy_arns,
            mfa_authenticated_at,
            chained: flags & FLAG_CHAINED != 0,
            iam_denied: flags & FLAG_IAM_DENIED != 0,
            federated_provider,
        };
        Ok((claims, access_key_id, secret))
    }

    fn flags(&self) -> u8 {
        let mut flags = 0;
        if self.mfa_authenticated_at.is_some() {
            flags |= FLAG_MFA;
        }
        if self.chained {
            flags |= FLAG_CHAINED;
        }
        if self.iam_denied {
            flags |= FLAG_IAM_DENIED;
        }
        flags
    }
}

#[cfg(test)]
mod tests;
