//! The request context: who makes the request, for which action on which resource, and the
//! context keys that conditions test.
//!
//! A [`RequestContext`] is built once per request. Building it derives the global keys AWS
//! fills in from the principal, the resource and the request time (`aws:username`,
//! `aws:PrincipalArn`, `aws:PrincipalTag/…`, `aws:CurrentTime`, …), so evaluation itself only
//! looks values up and never allocates. The keys derived from the principal alone live in a
//! [`PrincipalContext`], which a caller can build once per principal and share between
//! requests.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use iam_model::AccountId;
use jiff::Timestamp;

use crate::glob::ByteSet;

#[cfg(test)]
mod tests;

/// The kind of principal that signed a request, as AWS distinguishes them in `Principal`
/// matching and in `aws:PrincipalType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestPrincipalKind {
    /// The account's root user, `arn:aws:iam::111122223333:root`.
    Root,
    /// An IAM user, `arn:aws:iam::111122223333:user/path/name`.
    User,
    /// An IAM role acting as itself, `arn:aws:iam::111122223333:role/path/name`; scenario
    /// files use it where a real request would carry a role session.
    Role,
    /// A role session, `arn:aws:sts::111122223333:assumed-role/name/session`.
    RoleSession,
    /// A federated user from `GetFederationToken`, `arn:aws:sts::…:federated-user/name`.
    FederatedUser,
    /// A caller of `AssumeRoleWithWebIdentity`, named by its identity provider
    /// (`cognito-identity.amazonaws.com` or an OIDC provider ARN).
    WebIdentity,
    /// A caller of `AssumeRoleWithSAML`, named by its SAML provider ARN.
    Saml,
    /// An AWS service, such as `ec2.amazonaws.com`.
    Service,
    /// A request that carries no signature.
    Anonymous,
}

/// The principal that made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPrincipal {
    kind: RequestPrincipalKind,
    arn: String,
    account: Option<AccountId>,
    role_arn: Option<String>,
    role_path_known: bool,
    user_id: Option<String>,
    tags: Vec<(String, String)>,
    service_linked: bool,
}

impl RequestPrincipal {
    /// Builds a principal from its ARN, deriving the kind and account from it.
    ///
    /// An ARN under `iam` names the root user, a user or a role, and one under `sts` a role
    /// session or a federated user. A session ARN does not carry the role's path, so the role
    /// ARN is rebuilt without one; [`RequestPrincipal::with_role_arn`] sets the real one. `*`
    /// is the anonymous principal and a name ending in `.amazonaws.com` a service.
    ///
    /// # Errors
    ///
    /// Returns [`crate::PolicyError::InvalidPrincipal`] for any other text.
    pub fn from_arn(arn: &str) -> Result<Self, crate::PolicyError> {
        let invalid = |reason: &'static str| crate::PolicyError::InvalidPrincipal {
            value: arn.to_owned(),
            reason,
        };
        if arn == "*" {
            return Ok(Self::anonymous());
        }
        if !arn.starts_with("arn:") {
            if arn.ends_with(".amazonaws.com") || arn.ends_with(".amazonaws.com.cn") {
                return Ok(Self::service(arn));
            }
            return Err(invalid("expected an ARN, a service principal or `*`"));
        }

        let parsed: iam_model::Arn = arn
            .parse()
            .map_err(|_| invalid("expected `arn:partition:service:region:account:resource`"))?;
        let account: AccountId = parsed
            .account()
            .parse()
            .map_err(|_| invalid("expected a 12-digit account id in the ARN"))?;
        let resource = parsed.resource();
        let (kind, role_arn) = match (parsed.service(), resource) {
            ("iam", "root") => (RequestPrincipalKind::Root, None),
            ("iam", resource) if resource.starts_with("user/") => {
                (RequestPrincipalKind::User, None)
            }
            ("iam", resource) if resource.starts_with("role/") => {
                (RequestPrincipalKind::Role, Some(arn.to_owned()))
            }
            ("iam", resource) if resource.starts_with("saml-provider/") => {
                (RequestPrincipalKind::Saml, None)
            }
            ("iam", resource) if resource.starts_with("oidc-provider/") => {
                (RequestPrincipalKind::WebIdentity, None)
            }
            ("sts", resource) if resource.starts_with("assumed-role/") => {
                let role_name = resource
                    .trim_start_matches("assumed-role/")
                    .split('/')
                    .next()
                    .filter(|name| !name.is_empty())
                    .ok_or_else(|| invalid("expected `assumed-role/ROLE/SESSION`"))?;
                let role_arn = format!(
                    "arn:{}:iam::{}:role/{}",
                    parsed.partition(),
                    account,
                    role_name
                );
                (RequestPrincipalKind::RoleSession, Some(role_arn))
            }
            ("sts", resource) if resource.starts_with("federated-user/") => {
                (RequestPrincipalKind::FederatedUser, None)
            }
            _ => {
                return Err(invalid(
                    "expected a root, user, role, session or federated ARN",
                ));
            }
        };

        Ok(Self {
            kind,
            arn: arn.to_owned(),
            account: Some(account),
            role_path_known: kind == RequestPrincipalKind::Role,
            role_arn,
            user_id: None,
            tags: Vec::new(),
            service_linked: false,
        })
    }

    /// Builds the anonymous principal.
    pub fn anonymous() -> Self {
        Self {
            kind: RequestPrincipalKind::Anonymous,
            arn: "*".to_owned(),
            account: None,
            role_arn: None,
            role_path_known: false,
            user_id: None,
            tags: Vec::new(),
            service_linked: false,
        }
    }

    /// Builds an AWS service principal such as `ec2.amazonaws.com`.
    pub fn service(name: &str) -> Self {
        Self {
            kind: RequestPrincipalKind::Service,
            arn: name.to_owned(),
            ..Self::anonymous()
        }
    }

    /// Builds a web identity or SAML caller named by its identity `provider`, for trust
    /// policies evaluated by `AssumeRoleWithWebIdentity` and `AssumeRoleWithSAML`.
    pub fn federated(
        kind: RequestPrincipalKind,
        provider: &str,
        account: Option<AccountId>,
    ) -> Self {
        Self {
            kind,
            arn: provider.to_owned(),
            account,
            ..Self::anonymous()
        }
    }

    /// Sets the unique id AWS reports in `aws:userid` (`AIDA…` for a user, `AROA…:session` for
    /// a role session).
    pub fn with_user_id(mut self, user_id: &str) -> Self {
        self.user_id = Some(user_id.to_owned());
        self
    }

    /// Sets the role ARN of a role session, with its path.
    pub fn with_role_arn(mut self, role_arn: &str) -> Self {
        self.role_arn = Some(role_arn.to_owned());
        self.role_path_known = true;
        self
    }

    /// Adds a principal tag, read by `aws:PrincipalTag/KEY`.
    pub fn with_tag(mut self, key: &str, value: &str) -> Self {
        self.tags.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Marks the principal as a service-linked role, which SCPs and RCPs do not restrict.
    pub fn with_service_linked(mut self, service_linked: bool) -> Self {
        self.service_linked = service_linked;
        self
    }

    /// The kind of principal.
    pub fn kind(&self) -> RequestPrincipalKind {
        self.kind
    }

    /// The principal's ARN; `*` when anonymous and the service name for a service.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The account the principal belongs to, if any.
    pub fn account(&self) -> Option<AccountId> {
        self.account
    }

    /// The role ARN behind a role session.
    pub fn role_arn(&self) -> Option<&str> {
        self.role_arn.as_deref()
    }

    /// Tells whether the role ARN carries the role's real path, rather than one rebuilt from
    /// a session ARN, which has none.
    pub fn is_role_path_known(&self) -> bool {
        self.role_path_known
    }

    /// The unique id reported in `aws:userid`.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The principal's tags.
    pub fn tags(&self) -> &[(String, String)] {
        &self.tags
    }

    /// Tells whether the principal is a service-linked role.
    pub fn is_service_linked(&self) -> bool {
        self.service_linked
    }

    /// Returns the IAM user name for a user, the last segment of its ARN.
    pub fn user_name(&self) -> Option<&str> {
        match self.kind {
            RequestPrincipalKind::User => self.arn.rsplit('/').next(),
            _ => None,
        }
    }

    /// Returns the ARN that `aws:PrincipalArn` reports: the role ARN for a role session, the
    /// principal's own ARN otherwise.
    pub fn principal_arn(&self) -> &str {
        match (self.kind, &self.role_arn) {
            (RequestPrincipalKind::RoleSession, Some(role_arn)) => role_arn,
            _ => &self.arn,
        }
    }
}

/// A principal with the global condition keys AWS derives from it alone (`aws:username`,
/// `aws:userid`, `aws:PrincipalArn`, `aws:PrincipalTag/…`, …).
///
/// Deriving those keys allocates every key and value, so a caller that serves many requests of
/// one principal can build this once, keep it in an [`Arc`] and pass it to
/// [`RequestContext::for_principal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalContext {
    principal: RequestPrincipal,
    keys: ContextKeys,
}

impl PrincipalContext {
    /// Derives the principal's global condition keys.
    pub fn new(principal: RequestPrincipal) -> Self {
        let keys = derive_principal_keys(&principal);
        Self { principal, keys }
    }

    /// The principal.
    pub fn principal(&self) -> &RequestPrincipal {
        &self.principal
    }

    /// Returns the keys derived from the principal.
    pub fn keys(&self) -> &ContextKeys {
        &self.keys
    }
}

/// One or more values of a context key.
///
/// Values are kept as text in the canonical form AWS uses in the request context, and each
/// condition operator parses them as its type (number, date, IP address, boolean, base64). A
/// key has either one value or a list, and a list may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextValue {
    values: Vec<String>,
    multi: bool,
}

impl ContextValue {
    /// Builds a single-valued entry.
    pub fn single(value: impl Into<String>) -> Self {
        Self {
            values: vec![value.into()],
            multi: false,
        }
    }

    /// Builds a multivalued entry, such as `aws:TagKeys`.
    pub fn list<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            values: values.into_iter().map(Into::into).collect(),
            multi: true,
        }
    }

    /// Builds a boolean value, written `true` or `false`.
    pub fn boolean(value: bool) -> Self {
        Self::single(if value { "true" } else { "false" })
    }

    /// Builds a numeric value.
    pub fn number(value: i64) -> Self {
        Self::single(value.to_string())
    }

    /// Builds a date value, written in RFC 3339 form.
    pub fn date(value: Timestamp) -> Self {
        Self::single(value.to_string())
    }

    /// Builds an IP address value.
    pub fn ip(value: IpAddr) -> Self {
        let IpAddr::V4(address) = value else {
            return Self::single(value.to_string());
        };
        // Written octet by octet, because `to_string` costs several times more for the
        // `aws:SourceIp` of every request.
        let mut text = String::with_capacity(15);
        for (index, octet) in address.octets().into_iter().enumerate() {
            if index > 0 {
                text.push('.');
            }
            if octet >= 100 {
                text.push(char::from(b'0' + octet / 100));
            }
            if octet >= 10 {
                text.push(char::from(b'0' + octet / 10 % 10));
            }
            text.push(char::from(b'0' + octet % 10));
        }
        Self::single(text)
    }

    /// The values, in request order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    /// Tells whether the key was given as a list.
    pub fn is_multi(&self) -> bool {
        self.multi
    }
}

/// The context keys of a request, looked up without regard to case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextKeys {
    // INVARIANT (sorted lowercase keys): keys are lowercase and sorted, without duplicates.
    entries: Vec<(String, ContextValue)>,
}

impl ContextKeys {
    /// Builds an empty set of keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`, replacing an earlier value under any spelling of the key.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        let key = key.to_ascii_lowercase();
        // INVARIANT (sorted lowercase keys): the key is inserted at its sorted position.
        match self
            .entries
            .binary_search_by(|(existing, _)| existing.as_str().cmp(&key))
        {
            Ok(index) => {
                if let Some(entry) = self.entries.get_mut(index) {
                    entry.1 = value;
                }
            }
            Err(index) => self.entries.insert(index, (key, value)),
        }
    }

    /// Sets `key`, already in lowercase, to `value` unless the key is present.
    fn insert_lowercase_if_absent(&mut self, key: &str, value: impl FnOnce() -> ContextValue) {
        // INVARIANT (sorted lowercase keys): the key is inserted at its sorted position.
        if let Err(index) = self
            .entries
            .binary_search_by(|(existing, _)| existing.as_str().cmp(key))
        {
            self.entries.insert(index, (key.to_owned(), value()));
        }
    }

    /// Looks up `key`, which must already be in lowercase.
    pub fn get_lowercase(&self, key: &str) -> Option<&ContextValue> {
        // INVARIANT (sorted lowercase keys): binary search is valid.
        self.entries
            .binary_search_by(|(existing, _)| existing.as_str().cmp(key))
            .ok()
            .and_then(|index| self.entries.get(index))
            .map(|(_, value)| value)
    }

    /// Looks up `key` in any case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        let lowercase = key.to_ascii_lowercase();
        self.get_lowercase(&lowercase)
    }

    /// Tells whether `key` is present, in any case.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Iterates over the keys, lowercase and sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries
            .iter()
            .map(|(key, value)| (key.as_str(), value))
    }
}

/// Everything an evaluation needs to know about one request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    principal: Arc<PrincipalContext>,
    action: String,
    action_key: String,
    service_len: usize,
    resource: String,
    resource_bytes: ByteSet,
    resource_account: Option<AccountId>,
    /// The keys of this request: the caller's and those derived from the resource and the
    /// time. A key here hides the same key of the principal.
    request_keys: ContextKeys,
    /// Every key in one set, built on the first call of [`RequestContext::keys`].
    merged_keys: OnceLock<ContextKeys>,
    overrides_principal_keys: bool,
}

impl RequestContext {
    /// Builds a request context and derives the global keys AWS sets from its parts.
    ///
    /// `resource` is the ARN the action is authorized against, or `*` for actions without
    /// resource-level permissions. `resource_account` is the account that owns the resource;
    /// when it is `None` the resource is taken to belong to the principal's account. Keys in
    /// `keys` win over derived ones, so a caller can set `aws:PrincipalArn` itself.
    pub fn new(
        principal: RequestPrincipal,
        action: &str,
        resource: &str,
        resource_account: Option<AccountId>,
        time: Option<Timestamp>,
        keys: ContextKeys,
    ) -> Self {
        Self::for_principal(
            Arc::new(PrincipalContext::new(principal)),
            action,
            resource,
            resource_account,
            time,
            keys,
        )
    }

    /// Builds a request context as [`RequestContext::new`] does, with the principal's keys
    /// already derived. Only the keys of the resource and the time are derived here.
    pub fn for_principal(
        principal: Arc<PrincipalContext>,
        action: &str,
        resource: &str,
        resource_account: Option<AccountId>,
        time: Option<Timestamp>,
        keys: ContextKeys,
    ) -> Self {
        let resource_account = resource_account.or(principal.principal.account());
        let overrides_principal_keys = keys.iter().any(|(key, _)| is_principal_key(key));
        let mut request_keys = keys;
        if let Some(account) = resource_account {
            request_keys.insert_lowercase_if_absent("aws:resourceaccount", || {
                ContextValue::single(account.as_str())
            });
        }
        if let Some(time) = time {
            request_keys.insert_lowercase_if_absent("aws:currenttime", || ContextValue::date(time));
            request_keys.insert_lowercase_if_absent("aws:epochtime", || {
                ContextValue::number(time.as_second())
            });
        }
        Self {
            principal,
            action: action.to_owned(),
            action_key: action.to_ascii_lowercase(),
            service_len: action.find(':').unwrap_or(action.len()),
            resource: resource.to_owned(),
            resource_bytes: ByteSet::of(resource),
            resource_account,
            request_keys,
            merged_keys: OnceLock::new(),
            overrides_principal_keys,
        }
    }

    /// The action in lowercase, the form the compiled index looks up.
    pub fn action_key(&self) -> &str {
        &self.action_key
    }

    /// The service prefix of the action in lowercase, the part before `:`.
    pub fn service_key(&self) -> &str {
        self.action_key.get(..self.service_len).unwrap_or_default()
    }

    /// Tells whether the caller set a key that is normally derived from the principal, such
    /// as `aws:PrincipalTag/team`, so values bound to the principal at compile time may not
    /// hold.
    pub fn overrides_principal_keys(&self) -> bool {
        self.overrides_principal_keys
    }

    /// The principal.
    pub fn principal(&self) -> &RequestPrincipal {
        &self.principal.principal
    }

    /// Returns the principal with the keys derived from it.
    pub fn principal_context(&self) -> &Arc<PrincipalContext> {
        &self.principal
    }

    /// The action, `service:Name`, in the case the caller wrote it.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The service prefix of the action, the part before `:`.
    pub fn service(&self) -> &str {
        self.action.split(':').next().unwrap_or_default()
    }

    /// The resource ARN, or `*`.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The set of bytes in the resource ARN, which lets a resource pattern fail fast.
    pub fn resource_bytes(&self) -> ByteSet {
        self.resource_bytes
    }

    /// The account that owns the resource.
    pub fn resource_account(&self) -> Option<AccountId> {
        self.resource_account
    }

    /// Tells whether the principal and the resource belong to different accounts.
    pub fn is_cross_account(&self) -> bool {
        match (self.principal().account(), self.resource_account) {
            (Some(principal), Some(resource)) => principal != resource,
            _ => true,
        }
    }

    /// The context keys, derived and given, in one set.
    ///
    /// The first call merges the principal's keys with the request's, which allocates.
    /// Evaluation looks keys up with [`RequestContext::key_lowercase`] instead.
    pub fn keys(&self) -> &ContextKeys {
        self.merged_keys.get_or_init(|| {
            let mut merged = self.principal.keys.clone();
            for (key, value) in self.request_keys.iter() {
                merged.insert(key, value.clone());
            }
            merged
        })
    }

    /// Looks up `key`, which must already be in lowercase, among the derived and given keys.
    pub fn key_lowercase(&self, key: &str) -> Option<&ContextValue> {
        self.request_keys
            .get_lowercase(key)
            .or_else(|| self.principal.keys.get_lowercase(key))
    }
}

/// Compares the principal, the action, the resource and the merged keys.
impl PartialEq for RequestContext {
    fn eq(&self, other: &Self) -> bool {
        self.principal() == other.principal()
            && self.action == other.action
            && self.resource == other.resource
            && self.resource_account == other.resource_account
            && self.overrides_principal_keys == other.overrides_principal_keys
            && self.keys() == other.keys()
    }
}

impl Eq for RequestContext {}

/// Tells whether a lowercase key is one AWS derives from the principal alone.
pub(crate) fn is_principal_key(key: &str) -> bool {
    matches!(
        key,
        "aws:username"
            | "aws:userid"
            | "aws:principalarn"
            | "aws:principalaccount"
            | "aws:principaltype"
            | "aws:principalservicename"
    ) || key.starts_with("aws:principaltag/")
}

/// Derives the global condition keys AWS sets from the principal alone.
pub(crate) fn derive_principal_keys(principal: &RequestPrincipal) -> ContextKeys {
    let mut keys = ContextKeys::new();
    let principal_type = match principal.kind() {
        RequestPrincipalKind::Root => Some("Account"),
        RequestPrincipalKind::User => Some("User"),
        RequestPrincipalKind::Role | RequestPrincipalKind::RoleSession => Some("AssumedRole"),
        RequestPrincipalKind::FederatedUser => Some("FederatedUser"),
        RequestPrincipalKind::Anonymous => Some("Anonymous"),
        RequestPrincipalKind::WebIdentity
        | RequestPrincipalKind::Saml
        | RequestPrincipalKind::Service => None,
    };
    if let Some(principal_type) = principal_type {
        keys.insert("aws:PrincipalType", ContextValue::single(principal_type));
    }

    let signed = !matches!(
        principal.kind(),
        RequestPrincipalKind::Anonymous | RequestPrincipalKind::Service
    );
    if signed {
        keys.insert(
            "aws:PrincipalArn",
            ContextValue::single(principal.principal_arn()),
        );
    }
    if let Some(account) = principal.account() {
        keys.insert(
            "aws:PrincipalAccount",
            ContextValue::single(account.as_str()),
        );
    }
    if let Some(user_name) = principal.user_name() {
        keys.insert("aws:username", ContextValue::single(user_name));
    }
    let user_id = match (principal.user_id(), principal.kind(), principal.account()) {
        (Some(user_id), _, _) => Some(user_id.to_owned()),
        (None, RequestPrincipalKind::Root, Some(account)) => Some(account.as_str().to_owned()),
        _ => None,
    };
    if let Some(user_id) = user_id {
        keys.insert("aws:userid", ContextValue::single(user_id));
    }
    if principal.kind() == RequestPrincipalKind::Service {
        keys.insert(
            "aws:PrincipalServiceName",
            ContextValue::single(principal.arn()),
        );
    }
    for (tag_key, tag_value) in principal.tags() {
        keys.insert(
            &format!("aws:PrincipalTag/{tag_key}"),
            ContextValue::single(tag_value.as_str()),
        );
    }

    keys
}
