//! Instance profiles and OpenID Connect identity providers.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Arn, Tag, UniqueId};

/// An instance profile: a container that passes one role to an EC2 instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    /// The path, `/` or `/division/team/`.
    pub path: String,
    /// The instance profile name, unique in the account ignoring case.
    pub instance_profile_name: String,
    /// The unique id, prefix `AIPA`.
    pub instance_profile_id: UniqueId,
    /// The ARN, `arn:aws:iam::123456789012:instance-profile/path/Name`.
    pub arn: Arn,
    /// When the instance profile was created.
    pub create_date: Timestamp,
    /// The names of the roles in the profile; AWS allows at most one.
    pub role_names: Vec<String>,
    /// The tags, at most 50.
    pub tags: Vec<Tag>,
}

/// An OpenID Connect identity provider whose tokens `AssumeRoleWithWebIdentity` accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OidcProvider {
    /// The ARN, `arn:aws:iam::123456789012:oidc-provider/host/path`.
    pub arn: Arn,
    /// The issuer URL, `https://host/path`, as the caller registered it.
    pub url: String,
    /// The audiences (`aud` claim values) the provider's tokens may carry, at most 100.
    #[serde(rename = "ClientIDList")]
    pub client_id_list: Vec<String>,
    /// SHA-1 fingerprints of the provider's TLS certificates, 40 hex digits each, at most 5.
    pub thumbprint_list: Vec<String>,
    /// The provider's JSON Web Key Set as JSON text, used to verify token signatures without
    /// fetching the keys over the network.
    pub jwks: Option<String>,
    /// When the provider was registered.
    pub create_date: Timestamp,
    /// The tags, at most 50.
    pub tags: Vec<Tag>,
}
