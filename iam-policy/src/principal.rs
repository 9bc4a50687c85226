//! Matching the `Principal` and `NotPrincipal` elements against the principal of a request.
//!
//! `Principal` names accounts (an account id or `arn:aws:iam::ACCOUNT:root`, meaning every
//! principal of that account), IAM users, roles (meaning every session of the role), role
//! sessions, federated users, services, identity providers and S3 canonical users, or `*`.
//! How a principal matched matters for evaluation, so matching returns a
//! [`PrincipalMatch`] rather than a boolean.
//!
//! `NotPrincipal` excludes a principal only when it lists the principal's own identity: the
//! user, the federated user or the root user, and for a role session its role. Listing an
//! account therefore does not exclude the users and roles in it.

use crate::context::{RequestPrincipal, RequestPrincipalKind};
use crate::document::{PrincipalBlock, PrincipalKind, PrincipalType, PrincipalValue};

#[cfg(test)]
mod tests;

/// The way a `Principal` element names the request's principal, ordered from the least to the
/// most specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalMatch {
    /// The principal's account, which delegates the decision to the account's own policies.
    Account,
    /// The role behind a role session, or the role itself.
    Role,
    /// `*`: every principal, anonymous ones included.
    Any,
    /// The principal's own ARN: the user, the role session, the federated user, the service
    /// or the identity provider.
    Direct,
}

/// A `Principal` or `NotPrincipal` element compiled for matching.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalMatcher {
    negated: bool,
    any: bool,
    aws: Vec<AwsPrincipal>,
    services: Vec<Box<str>>,
    federated: Vec<Box<str>>,
}

/// One value under the `AWS` key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AwsPrincipal {
    Account(Box<str>),
    Role {
        arn: Box<str>,
        account: Box<str>,
        name: Box<str>,
    },
    Other(Box<str>),
}

impl PrincipalMatcher {
    /// Compiles a principal block.
    pub(crate) fn compile(block: &PrincipalBlock) -> Self {
        let mut matcher = Self {
            negated: block.kind == PrincipalKind::NotPrincipal,
            any: false,
            aws: Vec::new(),
            services: Vec::new(),
            federated: Vec::new(),
        };
        let entries = match &block.value {
            PrincipalValue::Any => {
                matcher.any = true;
                return matcher;
            }
            PrincipalValue::Map(entries) => entries,
        };
        for entry in entries {
            for value in &entry.values {
                let value = value.value.trim();
                match entry.principal_type.value {
                    PrincipalType::Aws if value == "*" => matcher.any = true,
                    PrincipalType::Aws => matcher.aws.push(AwsPrincipal::parse(value)),
                    PrincipalType::Service => matcher.services.push(value.into()),
                    PrincipalType::Federated => matcher.federated.push(value.into()),
                    // NOTE: requests carry no canonical user id, so a `CanonicalUser` value
                    // never matches.
                    PrincipalType::CanonicalUser => {}
                }
            }
        }
        matcher
    }

    /// Tells whether the element is `NotPrincipal`.
    pub(crate) fn is_negated(&self) -> bool {
        self.negated
    }

    /// Returns how `Principal` names `principal`, or `None` when it does not. For
    /// `NotPrincipal` it returns [`PrincipalMatch::Any`] when the statement applies to the
    /// principal, because the principal is not excluded.
    pub(crate) fn matches(&self, principal: &RequestPrincipal) -> Option<PrincipalMatch> {
        if self.negated {
            return (!self.excludes(principal)).then_some(PrincipalMatch::Any);
        }
        let named = self.name_principal(principal);
        match (named, self.any) {
            (Some(named), true) => Some(named.max(PrincipalMatch::Any)),
            (None, true) => Some(PrincipalMatch::Any),
            (named, false) => named,
        }
    }

    /// Returns the most specific way one of the listed values names `principal`.
    fn name_principal(&self, principal: &RequestPrincipal) -> Option<PrincipalMatch> {
        match principal.kind() {
            RequestPrincipalKind::Service => self
                .services
                .iter()
                .any(|service| service.eq_ignore_ascii_case(principal.arn()))
                .then_some(PrincipalMatch::Direct),
            RequestPrincipalKind::WebIdentity | RequestPrincipalKind::Saml => self
                .federated
                .iter()
                .any(|provider| **provider == *principal.arn())
                .then_some(PrincipalMatch::Direct),
            RequestPrincipalKind::Anonymous => None,
            _ => self
                .aws
                .iter()
                .filter_map(|value| value.names(principal))
                .max(),
        }
    }

    /// Tells whether `NotPrincipal` lists `principal`, so a deny does not apply to it.
    ///
    /// AWS checks a role session as its role, so the role's ARN must be listed; the session's
    /// ARN alone does not exclude it.
    ///
    /// NOTE: AWS documents that, depending on the service, it may also check the account
    /// first, so that a `NotPrincipal` without the principal's account denies the whole
    /// account. This evaluator does not make that check; listing the account alone still
    /// excludes only the root user.
    fn excludes(&self, principal: &RequestPrincipal) -> bool {
        if self.any {
            return true;
        }
        let listed = |layer: PrincipalMatch| {
            self.aws
                .iter()
                .any(|value| value.names(principal) == Some(layer))
        };
        match principal.kind() {
            RequestPrincipalKind::Root
            | RequestPrincipalKind::User
            | RequestPrincipalKind::FederatedUser => listed(PrincipalMatch::Direct),
            RequestPrincipalKind::Role | RequestPrincipalKind::RoleSession => {
                listed(PrincipalMatch::Role)
            }
            RequestPrincipalKind::Service
            | RequestPrincipalKind::WebIdentity
            | RequestPrincipalKind::Saml => self.name_principal(principal).is_some(),
            RequestPrincipalKind::Anonymous => false,
        }
    }
}

impl AwsPrincipal {
    fn parse(value: &str) -> Self {
        let is_account_id = value.len() == 12 && value.bytes().all(|byte| byte.is_ascii_digit());
        if is_account_id {
            return AwsPrincipal::Account(value.into());
        }
        let fields: Vec<&str> = value.splitn(6, ':').collect();
        match fields.as_slice() {
            ["arn", _, "iam", _, account, "root"] => AwsPrincipal::Account((*account).into()),
            ["arn", _, "iam", _, account, resource] if resource.starts_with("role/") => {
                AwsPrincipal::Role {
                    arn: value.into(),
                    account: (*account).into(),
                    name: resource.rsplit('/').next().unwrap_or_default().into(),
                }
            }
            _ => AwsPrincipal::Other(value.into()),
        }
    }

    /// Returns how this value names `principal`, if it does.
    fn names(&self, principal: &RequestPrincipal) -> Option<PrincipalMatch> {
        let is_iam_principal = matches!(
            principal.kind(),
            RequestPrincipalKind::Root
                | RequestPrincipalKind::User
                | RequestPrincipalKind::Role
                | RequestPrincipalKind::RoleSession
                | RequestPrincipalKind::FederatedUser
        );
        if !is_iam_principal {
            return None;
        }
        match self {
            AwsPrincipal::Account(account) => {
                let same_account = principal
                    .account()
                    .is_some_and(|id| id.as_str() == &**account);
                match (same_account, principal.kind()) {
                    (true, RequestPrincipalKind::Root) => Some(PrincipalMatch::Direct),
                    (true, _) => Some(PrincipalMatch::Account),
                    (false, _) => None,
                }
            }
            AwsPrincipal::Role { arn, account, name } => {
                let role_arn = principal.role_arn()?;
                let same_role = if principal.is_role_path_known() {
                    role_arn == &**arn
                } else {
                    // A session ARN does not carry the role's path, so compare what it does
                    // carry: the account and the role name.
                    let same_account = principal
                        .account()
                        .is_some_and(|id| id.as_str() == &**account);
                    same_account && role_arn.rsplit('/').next() == Some(&**name)
                };
                same_role.then_some(PrincipalMatch::Role)
            }
            AwsPrincipal::Other(arn) => {
                (**arn == *principal.arn()).then_some(PrincipalMatch::Direct)
            }
        }
    }
}
