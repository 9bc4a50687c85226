//! Typed ARNs of IAM and STS resources.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::shorten;
use crate::{AccountId, Arn, ModelError, Partition, validate};

/// The account field of an IAM ARN: an account id, or `aws` for AWS managed policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArnAccount {
    /// A customer account.
    Id(AccountId),
    /// The literal `aws`, which only AWS managed policies carry
    /// (`arn:aws:iam::aws:policy/ReadOnlyAccess`).
    Aws,
}

impl fmt::Display for ArnAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArnAccount::Id(id) => id.fmt(f),
            ArnAccount::Aws => f.write_str("aws"),
        }
    }
}

/// The resource an IAM or STS ARN names.
///
/// Paths are stored as IAM returns them, beginning and ending with `/`, or `/` alone. The
/// resource part of the ARN joins the resource type, the path and the name, so
/// `user/division/team/Alice` has the path `/division/team/` and the name `Alice`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IamResource {
    /// The account's root user, `arn:aws:iam::123456789012:root`.
    Root,
    /// An IAM user, `user/path/Name`.
    User {
        /// The path, such as `/` or `/division/`.
        path: String,
        /// The user name.
        name: String,
    },
    /// An IAM group, `group/path/Name`.
    Group {
        /// The path, such as `/` or `/division/`.
        path: String,
        /// The group name.
        name: String,
    },
    /// An IAM role, `role/path/Name`.
    Role {
        /// The path, such as `/` or `/service-role/`.
        path: String,
        /// The role name.
        name: String,
    },
    /// A managed policy, `policy/path/Name`.
    Policy {
        /// The path, such as `/` or `/job-function/`.
        path: String,
        /// The policy name.
        name: String,
    },
    /// An instance profile, `instance-profile/path/Name`.
    InstanceProfile {
        /// The path, such as `/` or `/division/`.
        path: String,
        /// The instance profile name.
        name: String,
    },
    /// A virtual MFA device, `mfa/path/Name`; its ARN is also its serial number.
    MfaDevice {
        /// The path, such as `/` or `/division/`.
        path: String,
        /// The device name.
        name: String,
    },
    /// A server certificate, `server-certificate/path/Name`.
    ServerCertificate {
        /// The path, such as `/` or `/cloudfront/`.
        path: String,
        /// The certificate name.
        name: String,
    },
    /// An OpenID Connect provider, `oidc-provider/host/path`.
    OidcProvider {
        /// The issuer URL without its `https://` scheme, such as `accounts.example.com/tenant`.
        url: String,
    },
    /// A SAML provider, `saml-provider/Name`.
    SamlProvider {
        /// The provider name.
        name: String,
    },
    /// An STS session of an assumed role, `arn:aws:sts::123456789012:assumed-role/Role/Session`.
    ///
    /// The ARN carries the role name but not the role's path.
    AssumedRole {
        /// The name of the assumed role.
        role_name: String,
        /// The role session name the caller chose.
        session_name: String,
    },
    /// An STS federated user session, `arn:aws:sts::123456789012:federated-user/Name`.
    FederatedUser {
        /// The name passed to `GetFederationToken`.
        name: String,
    },
}

impl IamResource {
    /// Builds the resource of the OIDC provider registered for the issuer `url`: the URL
    /// without its `https://` scheme, as AWS writes it in the provider's ARN.
    pub fn oidc_provider(url: &str) -> Self {
        let url = url.strip_prefix("https://").unwrap_or(url);
        IamResource::OidcProvider {
            url: url.to_owned(),
        }
    }

    /// Returns the service namespace of the ARN: `sts` for sessions, `iam` for the rest.
    pub fn service(&self) -> &'static str {
        match self {
            IamResource::AssumedRole { .. } | IamResource::FederatedUser { .. } => "sts",
            _ => "iam",
        }
    }

    /// Returns the resource type as the ARN spells it, such as `user` or `assumed-role`.
    pub fn resource_type(&self) -> &'static str {
        match self {
            IamResource::Root => "root",
            IamResource::User { .. } => "user",
            IamResource::Group { .. } => "group",
            IamResource::Role { .. } => "role",
            IamResource::Policy { .. } => "policy",
            IamResource::InstanceProfile { .. } => "instance-profile",
            IamResource::MfaDevice { .. } => "mfa",
            IamResource::ServerCertificate { .. } => "server-certificate",
            IamResource::OidcProvider { .. } => "oidc-provider",
            IamResource::SamlProvider { .. } => "saml-provider",
            IamResource::AssumedRole { .. } => "assumed-role",
            IamResource::FederatedUser { .. } => "federated-user",
        }
    }

    /// Returns the path of a resource that has one.
    pub fn path(&self) -> Option<&str> {
        match self {
            IamResource::User { path, .. }
            | IamResource::Group { path, .. }
            | IamResource::Role { path, .. }
            | IamResource::Policy { path, .. }
            | IamResource::InstanceProfile { path, .. }
            | IamResource::MfaDevice { path, .. }
            | IamResource::ServerCertificate { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Returns the resource part of the ARN, everything after the fifth colon.
    pub fn to_resource_string(&self) -> String {
        let resource_type = self.resource_type();
        match self {
            IamResource::Root => resource_type.to_owned(),
            IamResource::User { path, name }
            | IamResource::Group { path, name }
            | IamResource::Role { path, name }
            | IamResource::Policy { path, name }
            | IamResource::InstanceProfile { path, name }
            | IamResource::MfaDevice { path, name }
            | IamResource::ServerCertificate { path, name } => {
                format!("{resource_type}{path}{name}")
            }
            IamResource::OidcProvider { url: name }
            | IamResource::SamlProvider { name }
            | IamResource::FederatedUser { name } => format!("{resource_type}/{name}"),
            IamResource::AssumedRole {
                role_name,
                session_name,
            } => format!("{resource_type}/{role_name}/{session_name}"),
        }
    }
}

/// An ARN of an IAM or STS resource, split into its typed parts.
///
/// Convert to and from the generic [`Arn`] with `From` and `TryFrom`, or parse text directly.
/// Parsing checks paths against IAM's path rule ([`validate::path`]) but not names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IamArn {
    partition: Partition,
    account: ArnAccount,
    resource: IamResource,
}

impl IamArn {
    /// Builds the ARN of `resource` in a customer account.
    pub fn new(partition: Partition, account: AccountId, resource: IamResource) -> Self {
        Self {
            partition,
            account: ArnAccount::Id(account),
            resource,
        }
    }

    /// Builds the ARN of an AWS managed policy, such as
    /// `arn:aws:iam::aws:policy/job-function/ViewOnlyAccess`.
    pub fn aws_managed_policy(
        partition: Partition,
        path: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            partition,
            account: ArnAccount::Aws,
            resource: IamResource::Policy {
                path: path.into(),
                name: name.into(),
            },
        }
    }

    /// Returns the partition, such as `aws`.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// Returns the account field.
    pub fn account(&self) -> ArnAccount {
        self.account
    }

    /// Returns the account id, or `None` for an AWS managed policy.
    pub fn account_id(&self) -> Option<AccountId> {
        match self.account {
            ArnAccount::Id(id) => Some(id),
            ArnAccount::Aws => None,
        }
    }

    /// Returns the resource the ARN names.
    pub fn resource(&self) -> &IamResource {
        &self.resource
    }

    /// Returns the generic form of the ARN.
    pub fn to_arn(&self) -> Arn {
        // INVARIANT (generic parts): the service is `iam` or `sts`, the region is empty, the
        // account is 12 digits or `aws`, and the resource begins with its resource type.
        Arn::from_parts(
            self.partition,
            self.resource.service().to_owned(),
            String::new(),
            self.account.to_string(),
            self.resource.to_resource_string(),
        )
    }
}

impl TryFrom<&Arn> for IamArn {
    type Error = ModelError;

    fn try_from(arn: &Arn) -> Result<Self, Self::Error> {
        let invalid = |reason| ModelError::InvalidArn {
            value: shorten(&arn.to_string()),
            reason,
        };
        if !arn.region().is_empty() {
            return Err(invalid("IAM and STS ARNs have an empty region"));
        }
        let resource = parse_resource(arn.service(), arn.resource()).map_err(invalid)?;
        let account = match arn.account() {
            "aws" if matches!(resource, IamResource::Policy { .. }) => ArnAccount::Aws,
            "aws" => return Err(invalid("only managed policies may have the account `aws`")),
            id => ArnAccount::Id(
                id.parse()
                    .map_err(|_| invalid("the account is not a 12-digit account id"))?,
            ),
        };
        Ok(Self {
            partition: arn.partition(),
            account,
            resource,
        })
    }
}

impl TryFrom<Arn> for IamArn {
    type Error = ModelError;

    fn try_from(arn: Arn) -> Result<Self, Self::Error> {
        Self::try_from(&arn)
    }
}

impl From<&IamArn> for Arn {
    fn from(arn: &IamArn) -> Self {
        arn.to_arn()
    }
}

impl From<IamArn> for Arn {
    fn from(arn: IamArn) -> Self {
        arn.to_arn()
    }
}

impl FromStr for IamArn {
    type Err = ModelError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let arn: Arn = value.parse()?;
        Self::try_from(&arn)
    }
}

impl TryFrom<String> for IamArn {
    type Error = ModelError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<IamArn> for String {
    fn from(arn: IamArn) -> Self {
        arn.to_string()
    }
}

impl fmt::Display for IamArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_arn().fmt(f)
    }
}

/// Parses the resource part of an ARN whose service is `service`.
fn parse_resource(service: &str, resource: &str) -> Result<IamResource, &'static str> {
    if service == "iam" && resource == "root" {
        return Ok(IamResource::Root);
    }
    let (resource_type, rest) = resource
        .split_once('/')
        .ok_or("expected `root` or `type/name` in the resource")?;
    if rest.is_empty() {
        return Err("the resource name is empty");
    }

    let resource = match (service, resource_type) {
        ("iam", "user") => split_path(rest, |path, name| IamResource::User { path, name })?,
        ("iam", "group") => split_path(rest, |path, name| IamResource::Group { path, name })?,
        ("iam", "role") => split_path(rest, |path, name| IamResource::Role { path, name })?,
        ("iam", "policy") => split_path(rest, |path, name| IamResource::Policy { path, name })?,
        ("iam", "instance-profile") => split_path(rest, |path, name| {
            IamResource::InstanceProfile { path, name }
        })?,
        ("iam", "mfa") => split_path(rest, |path, name| IamResource::MfaDevice { path, name })?,
        ("iam", "server-certificate") => split_path(rest, |path, name| {
            IamResource::ServerCertificate { path, name }
        })?,
        ("iam", "oidc-provider") => IamResource::OidcProvider {
            url: rest.to_owned(),
        },
        ("iam", "saml-provider") => IamResource::SamlProvider {
            name: single_segment(rest)?,
        },
        ("sts", "assumed-role") => {
            let (role_name, session_name) = rest
                .split_once('/')
                .ok_or("expected `assumed-role/RoleName/SessionName`")?;
            if role_name.is_empty() {
                return Err("the role name is empty");
            }
            IamResource::AssumedRole {
                role_name: role_name.to_owned(),
                session_name: single_segment(session_name)?,
            }
        }
        ("sts", "federated-user") => IamResource::FederatedUser {
            name: single_segment(rest)?,
        },
        ("iam" | "sts", _) => return Err("unknown IAM or STS resource type"),
        _ => return Err("expected the service `iam` or `sts`"),
    };
    Ok(resource)
}

/// Splits `a/b/Name` into the path `/a/b/` and the name `Name`, and builds a resource of them.
fn split_path(
    rest: &str,
    build: impl FnOnce(String, String) -> IamResource,
) -> Result<IamResource, &'static str> {
    let (path, name) = match rest.rsplit_once('/') {
        Some((inner, name)) => (format!("/{inner}/"), name),
        None => ("/".to_owned(), rest),
    };
    if name.is_empty() {
        return Err("the resource name is empty");
    }
    if validate::path(&path).is_err() {
        return Err(
            "invalid path, expected `/` or up to 512 printable ASCII characters that begin and \
             end with `/`",
        );
    }
    Ok(build(path, name.to_owned()))
}

/// Returns `value` owned if it is non-empty and has no `/`.
fn single_segment(value: &str) -> Result<String, &'static str> {
    if value.is_empty() {
        return Err("the resource name is empty");
    }
    if value.contains('/') {
        return Err("the resource name contains `/`");
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests;
