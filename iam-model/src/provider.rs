//! Instance profiles and OpenID Connect identity providers.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{
    AccountId, Arn, IamArn, IamResource, ModelError, Partition, Tag, UniqueId, UniqueIdKind,
    validate,
};

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

impl InstanceProfile {
    /// Creates an empty instance profile as `CreateInstanceProfile` does, with its ARN built
    /// from `path` and `instance_profile_name`.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the path or name is invalid or `instance_profile_id` is not an
    /// instance profile id.
    pub fn new(
        partition: Partition,
        account: AccountId,
        path: &str,
        instance_profile_name: &str,
        instance_profile_id: UniqueId,
        create_date: Timestamp,
    ) -> Result<Self, ModelError> {
        validate::path(path)?;
        validate::instance_profile_name(instance_profile_name)?;
        instance_profile_id.check_kind(UniqueIdKind::InstanceProfile)?;

        let resource = IamResource::InstanceProfile {
            path: path.to_owned(),
            name: instance_profile_name.to_owned(),
        };
        Ok(Self {
            path: path.to_owned(),
            instance_profile_name: instance_profile_name.to_owned(),
            instance_profile_id,
            arn: IamArn::new(partition, account, resource).to_arn(),
            create_date,
            role_names: Vec::new(),
            tags: Vec::new(),
        })
    }
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

impl OidcProvider {
    /// Registers a provider as `CreateOpenIDConnectProvider` does, with its ARN built from the
    /// issuer `url` without the `https://` scheme, no JWKS and no tags.
    ///
    /// # Errors
    ///
    /// A [`ModelError`] if the URL, a client id or a thumbprint is invalid, or a list is too
    /// long.
    pub fn new(
        partition: Partition,
        account: AccountId,
        url: &str,
        client_id_list: Vec<String>,
        thumbprint_list: Vec<String>,
        create_date: Timestamp,
    ) -> Result<Self, ModelError> {
        validate::oidc_url(url)?;
        validate::oidc_client_ids(&client_id_list)?;
        validate::oidc_thumbprints(&thumbprint_list)?;

        let resource = IamResource::oidc_provider(url);
        Ok(Self {
            arn: IamArn::new(partition, account, resource).to_arn(),
            url: url.to_owned(),
            client_id_list,
            thumbprint_list,
            jwks: None,
            create_date,
            tags: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests;
