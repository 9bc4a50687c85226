//! Encoders from domain entities to the XML structures of the IAM API.
//!
//! Each function builds one botocore shape, named after it: [`user`] builds `User`,
//! [`access_key_metadata`] builds `AccessKeyMetadata`, and so on. Lists such as `ListUsers`
//! return fewer members than `GetUser` (no tags, no permissions boundary), as AWS does. The STS
//! results are in [`sts`].

pub mod sts;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use iam_model::{
    AccessKey, AccessKeyLastUsed, AccountId, Arn, Group, InstanceProfile, LoginProfile,
    ManagedPolicy, OidcProvider, PasswordPolicy, PolicyVersion, ROOT_USER_NAME, Role, Tag, User,
    VirtualMfaDevice,
};
use jiff::Timestamp;

use crate::xml::{Fields, Node};

/// Builds `User` with every member, as `GetUser` and `CreateUser` return it.
pub fn user(user: &User) -> Fields {
    let fields = user_summary(user)
        .optional_timestamp("PasswordLastUsed", user.password_last_used)
        .optional_structure(
            "PermissionsBoundary",
            user.permissions_boundary.as_ref().map(permissions_boundary),
        );
    with_tags(fields, &user.tags)
}

/// Builds `User` as `ListUsers` and `GetGroup` return it: no tags and no boundary.
pub fn user_summary(user: &User) -> Fields {
    Fields::new()
        .text("Path", user.path.as_str())
        .text("UserName", user.user_name.as_str())
        .text("UserId", user.user_id.as_str())
        .text("Arn", user.arn.to_string())
        .timestamp("CreateDate", user.create_date)
}

/// Builds `User` for the account's root user, as `GetUser` returns it to the root user: the
/// account id as `UserId`, the root ARN, and no `Path` or `UserName`, as AWS leaves them out.
pub fn root_user(account: AccountId, create_date: Timestamp) -> Fields {
    Fields::new()
        .text("UserId", account.as_str())
        .text("Arn", format!("arn:aws:iam::{account}:root"))
        .timestamp("CreateDate", create_date)
}

/// Returns the `UserName` of an access key's owner, or `None` for the root user's keys, whose
/// metadata AWS returns without one.
pub fn key_owner_name(access_key: &AccessKey) -> Option<&str> {
    credential_owner_name(&access_key.user_name)
}

/// Returns the `UserName` to show for a credential's stored owner name, or `None` for the root
/// user's owner name [`ROOT_USER_NAME`], which is no user name.
pub fn credential_owner_name(owner: &str) -> Option<&str> {
    (owner != ROOT_USER_NAME).then_some(owner)
}

/// Builds `Group`.
pub fn group(group: &Group) -> Fields {
    Fields::new()
        .text("Path", group.path.as_str())
        .text("GroupName", group.group_name.as_str())
        .text("GroupId", group.group_id.as_str())
        .text("Arn", group.arn.to_string())
        .timestamp("CreateDate", group.create_date)
}

/// Builds `Role` with every member, as `GetRole` and `CreateRole` return it.
pub fn role(role: &Role) -> Fields {
    let fields = role_summary(role).optional_structure(
        "PermissionsBoundary",
        role.permissions_boundary.as_ref().map(permissions_boundary),
    );
    let fields = with_tags(fields, &role.tags);
    fields.optional_structure("RoleLastUsed", role_last_used(role))
}

/// Builds `RoleLastUsed`, or `None` for a role never used.
pub fn role_last_used(role: &Role) -> Option<Fields> {
    role.role_last_used.as_ref().map(|last_used| {
        Fields::new()
            .optional_timestamp("LastUsedDate", last_used.last_used_date)
            .optional_text("Region", last_used.region.as_deref())
    })
}

/// Builds `Role` as `ListRoles` returns it: no tags, boundary or last use.
pub fn role_summary(role: &Role) -> Fields {
    role_identity(role)
        .optional_text("Description", role.description.as_deref())
        .integer("MaxSessionDuration", i64::from(role.max_session_duration))
}

/// Builds the members that `Role` and `RoleDetail` share: the role's names, ids, creation date
/// and trust policy.
pub fn role_identity(role: &Role) -> Fields {
    Fields::new()
        .text("Path", role.path.as_str())
        .text("RoleName", role.role_name.as_str())
        .text("RoleId", role.role_id.as_str())
        .text("Arn", role.arn.to_string())
        .timestamp("CreateDate", role.create_date)
        .policy_document(
            "AssumeRolePolicyDocument",
            &role.assume_role_policy_document,
        )
}

/// Builds `Policy`, with tags when `include_tags` (as `GetPolicy` and `CreatePolicy` return
/// them, but not `ListPolicies`).
pub fn policy(policy: &ManagedPolicy, include_tags: bool) -> Fields {
    let fields = Fields::new()
        .text("PolicyName", policy.policy_name.as_str())
        .text("PolicyId", policy.policy_id.as_str())
        .text("Arn", policy.arn.to_string())
        .text("Path", policy.path.as_str())
        .text("DefaultVersionId", policy.default_version_id.to_string())
        .integer("AttachmentCount", i64::from(policy.attachment_count))
        .integer(
            "PermissionsBoundaryUsageCount",
            i64::from(policy.permissions_boundary_usage_count),
        )
        .boolean("IsAttachable", policy.is_attachable)
        .optional_text("Description", policy.description.as_deref())
        .timestamp("CreateDate", policy.create_date)
        .timestamp("UpdateDate", policy.update_date);
    if include_tags {
        with_tags(fields, &policy.tags)
    } else {
        fields
    }
}

/// Builds `PolicyVersion`, with the URL-encoded document when `include_document`
/// (`ListPolicyVersions` leaves it out).
pub fn policy_version(version: &PolicyVersion, include_document: bool) -> Fields {
    let fields = if include_document {
        Fields::new().policy_document("Document", &version.document)
    } else {
        Fields::new()
    };
    fields
        .text("VersionId", version.version_id.to_string())
        .boolean("IsDefaultVersion", version.is_default_version)
        .timestamp("CreateDate", version.create_date)
}

/// Builds `AttachedPolicy`: a managed policy's name and ARN.
pub fn attached_policy(policy_name: &str, policy_arn: &Arn) -> Fields {
    Fields::new()
        .text("PolicyName", policy_name)
        .text("PolicyArn", policy_arn.to_string())
}

/// Builds `AccessKeyMetadata`, as `ListAccessKeys` returns it.
pub fn access_key_metadata(access_key: &AccessKey) -> Fields {
    Fields::new()
        .optional_text("UserName", key_owner_name(access_key))
        .text("AccessKeyId", access_key.access_key_id.as_str())
        .text("Status", access_key.status.as_str())
        .timestamp("CreateDate", access_key.create_date)
}

/// Builds `AccessKey` with its secret, which only `CreateAccessKey` returns, once.
pub fn access_key_with_secret(access_key: &AccessKey, secret_access_key: &str) -> Fields {
    Fields::new()
        .optional_text("UserName", key_owner_name(access_key))
        .text("AccessKeyId", access_key.access_key_id.as_str())
        .text("Status", access_key.status.as_str())
        .text("SecretAccessKey", secret_access_key)
        .timestamp("CreateDate", access_key.create_date)
}

/// Builds `AccessKeyLastUsed`. A key never used reports `N/A` for service and region and no
/// date, as AWS does.
pub fn access_key_last_used(last_used: Option<&AccessKeyLastUsed>) -> Fields {
    match last_used {
        Some(last_used) => Fields::new()
            .timestamp("LastUsedDate", last_used.last_used_date)
            .text("ServiceName", last_used.service_name.as_str())
            .text("Region", last_used.region.as_str()),
        None => Fields::new()
            .text("ServiceName", AccessKeyLastUsed::NOT_APPLICABLE)
            .text("Region", AccessKeyLastUsed::NOT_APPLICABLE),
    }
}

/// Builds `LoginProfile`. The password hash is never returned.
pub fn login_profile(profile: &LoginProfile) -> Fields {
    Fields::new()
        .text("UserName", profile.user_name.as_str())
        .timestamp("CreateDate", profile.create_date)
        .boolean("PasswordResetRequired", profile.password_reset_required)
}

/// Builds `VirtualMFADevice`. Only `CreateVirtualMFADevice` passes `seed`: the seed as Base32
/// text and the enrollment QR code as PNG bytes. Both members are blobs, so the XML carries
/// them in Base64 and SDKs return the Base32 text and the PNG bytes. `user` is the owner's
/// `User`, built by [`user_summary`] or, for the root user, by [`root_user`].
pub fn virtual_mfa_device(
    device: &VirtualMfaDevice,
    user: Option<Fields>,
    seed: Option<(&str, &[u8])>,
) -> Fields {
    let fields = Fields::new().text("SerialNumber", device.serial_number.to_string());
    let fields = match seed {
        Some((base32_seed, qr_code_png)) => fields
            .text("Base32StringSeed", STANDARD.encode(base32_seed))
            .text("QRCodePNG", STANDARD.encode(qr_code_png)),
        None => fields,
    };
    let fields = fields
        .optional_structure("User", user)
        .optional_timestamp("EnableDate", device.enable_date);
    with_tags(fields, &device.tags)
}

/// Builds `MFADevice`, as `ListMFADevices` returns an enabled device. A device of the root user
/// has no `UserName`, as the root user's access keys have none.
///
/// NOTE: the AWS documentation shows no `MFADevice` of the root user, so leaving out `UserName`
/// follows AWS's root access key metadata rather than an observed response.
pub fn mfa_device(device: &VirtualMfaDevice, owner: &str) -> Fields {
    Fields::new()
        .optional_text("UserName", credential_owner_name(owner))
        .text("SerialNumber", device.serial_number.to_string())
        .optional_timestamp("EnableDate", device.enable_date)
}

/// Builds `InstanceProfile` with its roles in full.
pub fn instance_profile(profile: &InstanceProfile, roles: &[Role]) -> Fields {
    let fields = Fields::new()
        .text("Path", profile.path.as_str())
        .text(
            "InstanceProfileName",
            profile.instance_profile_name.as_str(),
        )
        .text("InstanceProfileId", profile.instance_profile_id.as_str())
        .text("Arn", profile.arn.to_string())
        .timestamp("CreateDate", profile.create_date)
        .list(
            "Roles",
            roles.iter().map(|role| Node::Structure(role_summary(role))),
        );
    with_tags(fields, &profile.tags)
}

/// Builds the result of `GetOpenIDConnectProvider`.
pub fn oidc_provider(provider: &OidcProvider) -> Fields {
    let fields = Fields::new()
        .text("Url", provider.url.as_str())
        .list("ClientIDList", text_nodes(&provider.client_id_list))
        .list("ThumbprintList", text_nodes(&provider.thumbprint_list))
        .timestamp("CreateDate", provider.create_date);
    with_tags(fields, &provider.tags)
}

/// Builds `PasswordPolicy`. `ExpirePasswords` follows from whether a maximum age is set.
pub fn password_policy(policy: &PasswordPolicy) -> Fields {
    let fields = Fields::new()
        .integer(
            "MinimumPasswordLength",
            i64::from(policy.minimum_password_length),
        )
        .boolean("RequireSymbols", policy.require_symbols)
        .boolean("RequireNumbers", policy.require_numbers)
        .boolean(
            "RequireUppercaseCharacters",
            policy.require_uppercase_characters,
        )
        .boolean(
            "RequireLowercaseCharacters",
            policy.require_lowercase_characters,
        )
        .boolean(
            "AllowUsersToChangePassword",
            policy.allow_users_to_change_password,
        )
        .boolean("ExpirePasswords", policy.expire_passwords());
    let fields = match policy.max_password_age {
        Some(age) => fields.integer("MaxPasswordAge", i64::from(age)),
        None => fields,
    };
    let fields = match policy.password_reuse_prevention {
        Some(count) => fields.integer("PasswordReusePrevention", i64::from(count)),
        None => fields,
    };
    fields.boolean("HardExpiry", policy.hard_expiry)
}

/// Builds a `tagListType` list.
pub fn tags(tags: &[Tag]) -> Vec<Node> {
    tags.iter()
        .map(|tag| {
            Node::Structure(
                Fields::new()
                    .text("Key", tag.key.as_str())
                    .text("Value", tag.value.as_str()),
            )
        })
        .collect()
}

/// Builds a list of text members.
pub fn text_nodes(values: &[String]) -> Vec<Node> {
    values
        .iter()
        .map(|value| Node::Text(value.clone()))
        .collect()
}

/// Builds `AttachedPermissionsBoundary`.
pub fn permissions_boundary(policy_arn: &Arn) -> Fields {
    Fields::new()
        .text("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
        .text("PermissionsBoundaryArn", policy_arn.to_string())
}

/// Adds `Tags` when there is at least one tag, because AWS leaves the member out otherwise.
pub fn with_tags(fields: Fields, entity_tags: &[Tag]) -> Fields {
    if entity_tags.is_empty() {
        fields
    } else {
        fields.list("Tags", tags(entity_tags))
    }
}

#[cfg(test)]
mod tests;
