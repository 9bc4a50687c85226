//! The resource each IAM and STS action is authorized against.
//!
//! AWS's service authorization reference lists, for every action, the resource type a policy's
//! `Resource` element is matched with: `iam:CreateUser` and `iam:GetUser` act on
//! `arn:aws:iam::ACCOUNT:user/PATH/NAME`, and so on. This module maps an action and its
//! parameters to that resource. An entity's path is not in the request, so [`Target::Named`]
//! leaves it to the caller to look the entity up.
//!
//! The reference gives the listings of one resource type, such as `iam:ListUsers`, no resource
//! type, so a policy cannot narrow them to one entity. AWS still names a resource when it denies
//! them: the type's ARN with the path prefix and no name (`arn:aws:iam::ACCOUNT:user/` for
//! `ListUsers`, `.../user/eng/` with `PathPrefix=/eng/`). [`target`] returns that ARN, which `*`
//! and `arn:aws:iam::ACCOUNT:user/*` both match. Actions on the account as a whole, such as
//! `GetAccountSummary`, are checked against `*`.

use crate::error::ApiError;
use crate::operations::non_user_credentials;
use crate::query::QueryParameters;
use crate::service::Service;

/// A resource type of IAM and STS as the service authorization reference names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// `user`: `arn:aws:iam::ACCOUNT:user/PATH/NAME`.
    User,
    /// `group`: `arn:aws:iam::ACCOUNT:group/PATH/NAME`.
    Group,
    /// `role`: `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
    Role,
    /// `policy`: `arn:aws:iam::ACCOUNT:policy/PATH/NAME`.
    Policy,
    /// `instance-profile`: `arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME`.
    InstanceProfile,
    /// `mfa`: `arn:aws:iam::ACCOUNT:mfa/PATH/NAME`.
    Mfa,
    /// `oidc-provider`: `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`.
    OidcProvider,
    /// `saml-provider`: `arn:aws:iam::ACCOUNT:saml-provider/NAME`.
    SamlProvider,
    /// `server-certificate`: `arn:aws:iam::ACCOUNT:server-certificate/PATH/NAME`.
    ServerCertificate,
    /// `delegation-request`: `arn:aws:iam::ACCOUNT:delegation-request/ID`.
    DelegationRequest,
    /// `federated-user`: `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    FederatedUser,
    /// `access-report`: `arn:aws:iam::ACCOUNT:access-report/ENTITY_PATH`.
    AccessReport,
    /// `root-user`: `arn:aws:iam::ACCOUNT:root`.
    RootUser,
}

impl ResourceKind {
    /// Returns the name the service authorization reference uses, such as `instance-profile`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "user",
            ResourceKind::Group => "group",
            ResourceKind::Role => "role",
            ResourceKind::Policy => "policy",
            ResourceKind::InstanceProfile => "instance-profile",
            ResourceKind::Mfa => "mfa",
            ResourceKind::OidcProvider => "oidc-provider",
            ResourceKind::SamlProvider => "saml-provider",
            ResourceKind::ServerCertificate => "server-certificate",
            ResourceKind::DelegationRequest => "delegation-request",
            ResourceKind::FederatedUser => "federated-user",
            ResourceKind::AccessReport => "access-report",
            ResourceKind::RootUser => "root-user",
        }
    }

    /// Returns the service namespace of the resource's ARN.
    pub fn arn_service(self) -> &'static str {
        match self {
            ResourceKind::FederatedUser => "sts",
            _ => "iam",
        }
    }
}

/// The resource a call is authorized against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The action takes no resource, so policies must allow it on `*`.
    Any,
    /// An existing entity named in the request (or the calling user when the name is
    /// optional). Its ARN carries the entity's path, which only the store has.
    Named {
        /// The resource type.
        kind: ResourceKind,
        /// The entity's name.
        name: String,
    },
    /// A resource whose ARN the request gives or fixes completely, such as `PolicyArn` or the
    /// path and name of an entity being created.
    Arn(String),
}

/// The caller facts needed to find a target: the account and, for an IAM user, its name.
#[derive(Debug, Clone, Copy)]
pub struct CallerScope<'a> {
    /// The partition of the caller's account, such as `aws`.
    pub partition: &'a str,
    /// The caller's account id.
    pub account: &'a str,
    /// The calling IAM user's name. It is `None` for the root user, role sessions and
    /// federated users.
    pub user_name: Option<&'a str>,
    /// Whether the caller is the account's root user.
    pub is_root: bool,
}

/// Returns the resource type AWS authorizes `action` against, or `None` for actions on `*`.
pub fn resource_kind(service: Service, action: &str) -> Option<ResourceKind> {
    match service {
        Service::Sts => match action {
            "AssumeRole" | "AssumeRoleWithSAML" | "AssumeRoleWithWebIdentity" => {
                Some(ResourceKind::Role)
            }
            "GetFederationToken" => Some(ResourceKind::FederatedUser),
            "AssumeRoot" => Some(ResourceKind::RootUser),
            _ => None,
        },
        Service::Iam => iam_resource_kind(action),
    }
}

/// Finds the resource `action` is authorized against from the request's parameters.
///
/// # Errors
///
/// The `ValidationError` of a missing required parameter that names the resource, and AWS's
/// `ValidationError` for a role session or federated user that omits `UserName` in an action
/// that defaults to the calling user. AWS does not document whether that check comes before
/// authorization. The server checks it first, so a caller learns of the missing name whatever
/// its policies allow.
pub fn target(
    service: Service,
    action: &str,
    parameters: &QueryParameters,
    caller: CallerScope<'_>,
) -> Result<Target, ApiError> {
    let Some(kind) = resource_kind(service, action) else {
        return Ok(listing_target(service, action, parameters, caller));
    };
    let arn = |resource: String| {
        Target::Arn(format!(
            "arn:{}:{}::{}:{}/{resource}",
            caller.partition,
            kind.arn_service(),
            caller.account,
            kind.name()
        ))
    };
    let named = |name: &str| Target::Named {
        kind,
        name: name.to_owned(),
    };

    let target = match (kind, action) {
        (ResourceKind::User, "CreateUser") => arn(with_path(parameters, "UserName")?),
        (ResourceKind::Group, "CreateGroup") => arn(with_path(parameters, "GroupName")?),
        (ResourceKind::Role, "CreateRole") => arn(with_path(parameters, "RoleName")?),
        (ResourceKind::Policy, "CreatePolicy") => arn(with_path(parameters, "PolicyName")?),
        (ResourceKind::InstanceProfile, "CreateInstanceProfile") => {
            arn(with_path(parameters, "InstanceProfileName")?)
        }
        (ResourceKind::Mfa, "CreateVirtualMFADevice") => {
            arn(with_path(parameters, "VirtualMFADeviceName")?)
        }
        (ResourceKind::ServerCertificate, "UploadServerCertificate") => {
            arn(with_path(parameters, "ServerCertificateName")?)
        }
        (ResourceKind::OidcProvider, "CreateOpenIDConnectProvider") => {
            let url = parameters.required("Url")?;
            let host_and_path = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .unwrap_or(url);
            arn(host_and_path.trim_end_matches('/').to_owned())
        }
        (ResourceKind::SamlProvider, "CreateSAMLProvider") => {
            arn(parameters.required("Name")?.to_owned())
        }
        (ResourceKind::FederatedUser, _) => arn(parameters.required("Name")?.to_owned()),
        (ResourceKind::Role, "CreateServiceLinkedRole") => {
            let service_name = parameters.required("AWSServiceName")?;
            Target::Arn(format!(
                "arn:{}:iam::{}:role/aws-service-role/{service_name}/*",
                caller.partition, caller.account
            ))
        }
        (ResourceKind::Role, _) if service == Service::Sts => {
            Target::Arn(parameters.required("RoleArn")?.to_owned())
        }
        (ResourceKind::Policy, _) => Target::Arn(parameters.required("PolicyArn")?.to_owned()),
        (ResourceKind::OidcProvider, _) => {
            Target::Arn(parameters.required("OpenIDConnectProviderArn")?.to_owned())
        }
        (ResourceKind::SamlProvider, _) => {
            Target::Arn(parameters.required("SAMLProviderArn")?.to_owned())
        }
        (ResourceKind::Mfa, _) => Target::Arn(parameters.required("SerialNumber")?.to_owned()),
        (ResourceKind::User, _) => match parameters.optional("UserName") {
            Some(name) => named(name),
            None if user_name_is_required(action, caller.is_root) => {
                return Err(ApiError::missing_parameter("UserName"));
            }
            None => match caller.user_name {
                Some(name) => named(name),
                None if caller.is_root || !takes_user_name(action) => Target::Any,
                None => return Err(non_user_credentials()),
            },
        },
        (ResourceKind::Group, _) => named(parameters.required("GroupName")?),
        (ResourceKind::Role, _) => named(parameters.required("RoleName")?),
        (ResourceKind::InstanceProfile, _) => named(parameters.required("InstanceProfileName")?),
        (ResourceKind::ServerCertificate, _) => {
            named(parameters.required("ServerCertificateName")?)
        }
        (ResourceKind::DelegationRequest, _) => {
            arn(parameters.required("DelegationRequestId")?.to_owned())
        }
        (ResourceKind::AccessReport, _) => arn(parameters.required("EntityPath")?.to_owned()),
        (ResourceKind::RootUser, _) => Target::Arn(format!(
            "arn:{}:iam::{}:root",
            caller.partition,
            parameters.required("TargetPrincipal")?
        )),
    };
    Ok(target)
}

/// Returns the resource a listing of one resource type is checked against: the type's ARN with
/// the path prefix and no name, or `*` for actions on the account as a whole.
fn listing_target(
    service: Service,
    action: &str,
    parameters: &QueryParameters,
    caller: CallerScope<'_>,
) -> Target {
    let Some(kind) = listed_kind(service, action) else {
        return Target::Any;
    };
    let path_prefix = if takes_path_prefix(action) {
        parameters.optional("PathPrefix").unwrap_or("/")
    } else {
        "/"
    };
    Target::Arn(format!(
        "arn:{}:{}::{}:{}/{}",
        caller.partition,
        kind.arn_service(),
        caller.account,
        kind.name(),
        path_prefix.trim_start_matches('/')
    ))
}

/// Returns the resource type an action lists when the action takes no resource of its own.
pub fn listed_kind(service: Service, action: &str) -> Option<ResourceKind> {
    if service != Service::Iam {
        return None;
    }
    let kind = match action {
        "ListUsers" => ResourceKind::User,
        "ListGroups" => ResourceKind::Group,
        "ListRoles" => ResourceKind::Role,
        "ListPolicies" => ResourceKind::Policy,
        "ListInstanceProfiles" => ResourceKind::InstanceProfile,
        "ListVirtualMFADevices" => ResourceKind::Mfa,
        "ListOpenIDConnectProviders" => ResourceKind::OidcProvider,
        "ListSAMLProviders" => ResourceKind::SamlProvider,
        "ListServerCertificates" => ResourceKind::ServerCertificate,
        _ => return None,
    };
    Some(kind)
}

/// Returns whether a user action that defaults to the caller has a `UserName` parameter at all.
/// `ChangePassword` rejects other callers with `InvalidUserType` itself, and
/// `GetAccessKeyLastUsed` finds the user from the key.
fn takes_user_name(action: &str) -> bool {
    !matches!(action, "ChangePassword" | "GetAccessKeyLastUsed")
}

/// Returns whether a listing filters by `PathPrefix`. For the others the ARN ends at the type.
fn takes_path_prefix(action: &str) -> bool {
    !matches!(
        action,
        "ListVirtualMFADevices" | "ListOpenIDConnectProviders" | "ListSAMLProviders"
    )
}

/// Returns `PATH/NAME` without the leading slash, as it follows `user/` in an ARN. The path
/// defaults to `/`.
fn with_path(parameters: &QueryParameters, name_parameter: &str) -> Result<String, ApiError> {
    let name = parameters.required(name_parameter)?;
    let path = parameters.optional("Path").unwrap_or("/");
    Ok(format!("{}{name}", path.trim_start_matches('/')))
}

/// Returns whether a user action needs `UserName`; the others act on the calling user when it
/// is absent. The root user omits it from `EnableMFADevice` and `ResyncMFADevice` to manage its
/// own devices.
fn user_name_is_required(action: &str, caller_is_root: bool) -> bool {
    let root_own_device = matches!(action, "EnableMFADevice" | "ResyncMFADevice");
    if caller_is_root && root_own_device {
        return false;
    }
    !matches!(
        action,
        "GetUser"
            | "ChangePassword"
            | "CreateAccessKey"
            | "DeleteAccessKey"
            | "ListAccessKeys"
            | "UpdateAccessKey"
            | "GetAccessKeyLastUsed"
            | "ListSigningCertificates"
            | "DeleteSigningCertificate"
            | "UpdateSigningCertificate"
            | "UploadSigningCertificate"
            | "ListSSHPublicKeys"
            | "ListServiceSpecificCredentials"
            | "DeleteServiceSpecificCredential"
            | "ResetServiceSpecificCredential"
            | "UpdateServiceSpecificCredential"
            | "ListMFADevices"
            | "GetLoginProfile"
            | "CreateLoginProfile"
            | "DeleteLoginProfile"
            | "DeactivateMFADevice"
            | "GetMFADevice"
    )
}

fn iam_resource_kind(action: &str) -> Option<ResourceKind> {
    let kind = match action {
        "AttachUserPolicy"
        | "ChangePassword"
        | "CreateAccessKey"
        | "CreateLoginProfile"
        | "CreateServiceSpecificCredential"
        | "CreateUser"
        | "DeactivateMFADevice"
        | "DeleteAccessKey"
        | "DeleteLoginProfile"
        | "DeleteSSHPublicKey"
        | "DeleteServiceSpecificCredential"
        | "DeleteSigningCertificate"
        | "DeleteUser"
        | "DeleteUserPermissionsBoundary"
        | "DeleteUserPolicy"
        | "DetachUserPolicy"
        | "EnableMFADevice"
        | "GetAccessKeyLastUsed"
        | "GetLoginProfile"
        | "GetMFADevice"
        | "GetSSHPublicKey"
        | "GetUser"
        | "GetUserPolicy"
        | "ListAccessKeys"
        | "ListAttachedUserPolicies"
        | "ListGroupsForUser"
        | "ListMFADevices"
        | "ListSSHPublicKeys"
        | "ListServiceSpecificCredentials"
        | "ListSigningCertificates"
        | "ListUserPolicies"
        | "ListUserTags"
        | "PutUserPermissionsBoundary"
        | "PutUserPolicy"
        | "ResetServiceSpecificCredential"
        | "ResyncMFADevice"
        | "TagUser"
        | "UntagUser"
        | "UpdateAccessKey"
        | "UpdateLoginProfile"
        | "UpdateSSHPublicKey"
        | "UpdateServiceSpecificCredential"
        | "UpdateSigningCertificate"
        | "UpdateUser"
        | "UploadSSHPublicKey"
        | "UploadSigningCertificate" => ResourceKind::User,
        "AttachRolePolicy"
        | "CreateRole"
        | "CreateServiceLinkedRole"
        | "DeleteRole"
        | "DeleteRolePermissionsBoundary"
        | "DeleteRolePolicy"
        | "DeleteServiceLinkedRole"
        | "DetachRolePolicy"
        | "GetRole"
        | "GetRolePolicy"
        | "GetServiceLinkedRoleDeletionStatus"
        | "ListAttachedRolePolicies"
        | "ListInstanceProfilesForRole"
        | "ListRolePolicies"
        | "ListRoleTags"
        | "PassRole"
        | "PutRolePermissionsBoundary"
        | "PutRolePolicy"
        | "TagRole"
        | "UntagRole"
        | "UpdateAssumeRolePolicy"
        | "UpdateRole"
        | "UpdateRoleDescription" => ResourceKind::Role,
        "AddUserToGroup"
        | "AttachGroupPolicy"
        | "CreateGroup"
        | "DeleteGroup"
        | "DeleteGroupPolicy"
        | "DetachGroupPolicy"
        | "GetGroup"
        | "GetGroupPolicy"
        | "ListAttachedGroupPolicies"
        | "ListGroupPolicies"
        | "PutGroupPolicy"
        | "RemoveUserFromGroup"
        | "UpdateGroup" => ResourceKind::Group,
        "CreatePolicy"
        | "CreatePolicyVersion"
        | "DeletePolicy"
        | "DeletePolicyVersion"
        | "GetPolicy"
        | "GetPolicyVersion"
        | "ListEntitiesForPolicy"
        | "ListPolicyTags"
        | "ListPolicyVersions"
        | "SetDefaultPolicyVersion"
        | "TagPolicy"
        | "UntagPolicy" => ResourceKind::Policy,
        "AddClientIDToOpenIDConnectProvider"
        | "CreateOpenIDConnectProvider"
        | "DeleteOpenIDConnectProvider"
        | "GetOpenIDConnectProvider"
        | "ListOpenIDConnectProviderTags"
        | "RemoveClientIDFromOpenIDConnectProvider"
        | "TagOpenIDConnectProvider"
        | "UntagOpenIDConnectProvider"
        | "UpdateOpenIDConnectProviderThumbprint" => ResourceKind::OidcProvider,
        "AddRoleToInstanceProfile"
        | "CreateInstanceProfile"
        | "DeleteInstanceProfile"
        | "GetInstanceProfile"
        | "ListInstanceProfileTags"
        | "RemoveRoleFromInstanceProfile"
        | "TagInstanceProfile"
        | "UntagInstanceProfile" => ResourceKind::InstanceProfile,
        "CreateSAMLProvider"
        | "DeleteSAMLProvider"
        | "GetSAMLProvider"
        | "ListSAMLProviderTags"
        | "TagSAMLProvider"
        | "UntagSAMLProvider"
        | "UpdateSAMLProvider" => ResourceKind::SamlProvider,
        "DeleteServerCertificate"
        | "GetServerCertificate"
        | "ListServerCertificateTags"
        | "TagServerCertificate"
        | "UntagServerCertificate"
        | "UpdateServerCertificate"
        | "UploadServerCertificate" => ResourceKind::ServerCertificate,
        "CreateVirtualMFADevice"
        | "DeleteVirtualMFADevice"
        | "ListMFADeviceTags"
        | "TagMFADevice"
        | "UntagMFADevice" => ResourceKind::Mfa,
        "AcceptDelegationRequest"
        | "AssociateDelegationRequest"
        | "CreateDelegationRequest"
        | "GetDelegationRequest"
        | "GetHumanReadableSummary"
        | "RejectDelegationRequest"
        | "SendDelegationToken" => ResourceKind::DelegationRequest,
        "GenerateOrganizationsAccessReport" => ResourceKind::AccessReport,
        _ => return None,
    };
    Some(kind)
}

#[cfg(test)]
mod tests;
