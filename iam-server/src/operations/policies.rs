//! Managed policies and their versions, attachments, inline policies and permissions
//! boundaries.

use iam_model::{
    Arn, InlinePolicy, ManagedPolicy, ModelError, PolicyVersionId, Quota, UniqueIdKind, validate,
};
use iam_store::{EntityKind, Identity, ListPoliciesOptions, PolicyScope, StoreError};

use super::{
    Call, OperationResult, check_policy_document, list_options, tag_keys, tags, tags_page,
};
use crate::encode;
use crate::error::{ApiError, ErrorCode};
use crate::xml::{Fields, Node};

/// Runs a policy operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreatePolicy" => create_policy(call).await,
        "GetPolicy" => get_policy(call).await,
        "ListPolicies" => list_policies(call).await,
        "DeletePolicy" => delete_policy(call).await,
        "CreatePolicyVersion" => create_policy_version(call).await,
        "GetPolicyVersion" => get_policy_version(call).await,
        "ListPolicyVersions" => list_policy_versions(call).await,
        "DeletePolicyVersion" => delete_policy_version(call).await,
        "SetDefaultPolicyVersion" => set_default_policy_version(call).await,
        "TagPolicy" => tag_policy(call).await,
        "UntagPolicy" => untag_policy(call).await,
        "ListPolicyTags" => list_policy_tags(call).await,
        "ListEntitiesForPolicy" => list_entities_for_policy(call).await,
        "AttachUserPolicy" | "AttachGroupPolicy" | "AttachRolePolicy" => attach(call, true).await,
        "DetachUserPolicy" | "DetachGroupPolicy" | "DetachRolePolicy" => attach(call, false).await,
        "ListAttachedUserPolicies" | "ListAttachedGroupPolicies" | "ListAttachedRolePolicies" => {
            list_attached(call).await
        }
        "PutUserPolicy" | "PutGroupPolicy" | "PutRolePolicy" => put_inline(call).await,
        "GetUserPolicy" | "GetGroupPolicy" | "GetRolePolicy" => get_inline(call).await,
        "DeleteUserPolicy" | "DeleteGroupPolicy" | "DeleteRolePolicy" => delete_inline(call).await,
        "ListUserPolicies" | "ListGroupPolicies" | "ListRolePolicies" => list_inline(call).await,
        "PutUserPermissionsBoundary" | "PutRolePermissionsBoundary" => {
            set_boundary(call, true).await
        }
        "DeleteUserPermissionsBoundary" | "DeleteRolePermissionsBoundary" => {
            set_boundary(call, false).await
        }
        _ => return None,
    };
    Some(result)
}

/// Returns the user, group or role the action names: `UserName`, `GroupName` or `RoleName`,
/// whichever the request carries.
fn identity(call: &Call<'_>) -> Result<(Identity, &'static str), ApiError> {
    let parameters = call.parameters;
    if let Some(name) = parameters.optional("UserName") {
        Ok((Identity::User(name.to_owned()), "User"))
    } else if let Some(name) = parameters.optional("GroupName") {
        Ok((Identity::Group(name.to_owned()), "Group"))
    } else if let Some(name) = parameters.optional("RoleName") {
        Ok((Identity::Role(name.to_owned()), "Role"))
    } else {
        Err(ApiError::missing_parameter("UserName"))
    }
}

fn policy_arn(call: &Call<'_>) -> Result<Arn, ApiError> {
    let text = call.parameters.required("PolicyArn")?;
    text.parse::<Arn>().map_err(|_| ApiError::invalid_arn(text))
}

fn version_id(call: &Call<'_>) -> Result<PolicyVersionId, ApiError> {
    let text = call.parameters.required("VersionId")?;
    Ok(text.parse::<PolicyVersionId>()?)
}

async fn create_policy(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let policy_name = parameters.required("PolicyName")?;
    let path = parameters.optional("Path").unwrap_or("/");
    let document = parameters.required("PolicyDocument")?;
    check_policy_document(call, Quota::PolicySize, document)?;
    let description = parameters.optional("Description");
    if let Some(description) = description {
        validate::policy_description(description)?;
    }
    let mut policy = ManagedPolicy::new(
        call.partition(),
        call.account(),
        path,
        policy_name,
        call.unique_id(UniqueIdKind::Policy),
        document.to_owned(),
        call.state.clock.now(),
    )?;
    policy.description = description.map(str::to_owned);
    policy.tags = tags(parameters)?;

    let stored = call
        .state
        .store
        .create_policy(call.account(), policy)
        .await?;
    Ok(Some(
        Fields::new().structure("Policy", encode::policy(&stored, true)),
    ))
}

async fn get_policy(call: &Call<'_>) -> OperationResult {
    let arn = policy_arn(call)?;
    let policy = call.state.store.policy(call.account(), &arn).await?;
    Ok(Some(
        Fields::new().structure("Policy", encode::policy(&policy, true)),
    ))
}

async fn list_policies(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let scope = match parameters.optional("Scope").unwrap_or("All") {
        "All" => PolicyScope::All,
        "AWS" => PolicyScope::Aws,
        "Local" => PolicyScope::Local,
        other => {
            return Err(ApiError::invalid_value(
                "Scope",
                other,
                "Member must satisfy enum value set: [All, AWS, Local]",
            ));
        }
    };
    // NOTE: ListPolicies takes a policy path (`/` or `/a/b/`, ending in a slash) as its prefix,
    // unlike ListUsers, whose prefix may end anywhere.
    if let Some(prefix) = parameters.optional("PathPrefix") {
        validate::policy_path(prefix).map_err(|error| with_field(error, "PathPrefix"))?;
    }
    let options = ListPoliciesOptions {
        scope,
        only_attached: parameters.boolean("OnlyAttached")?.unwrap_or(false),
        list: list_options(parameters, true)?,
    };
    let page = call
        .state
        .store
        .list_policies(call.account(), &options)
        .await?;
    let policies = page
        .items
        .iter()
        .map(|policy| Node::Structure(encode::policy(policy, false)));
    Ok(Some(
        Fields::new()
            .list("Policies", policies)
            .pagination(page.marker),
    ))
}

async fn delete_policy(call: &Call<'_>) -> OperationResult {
    let arn = policy_arn(call)?;
    call.state.store.delete_policy(call.account(), &arn).await?;
    Ok(None)
}

async fn create_policy_version(call: &Call<'_>) -> OperationResult {
    let arn = policy_arn(call)?;
    let document = call.parameters.required("PolicyDocument")?;
    check_policy_document(call, Quota::PolicySize, document)?;
    let set_as_default = call.parameters.boolean("SetAsDefault")?.unwrap_or(false);

    let version = call
        .state
        .store
        .create_policy_version(
            call.account(),
            &arn,
            document.to_owned(),
            call.state.clock.now(),
            set_as_default,
        )
        .await?;
    Ok(Some(Fields::new().structure(
        "PolicyVersion",
        encode::policy_version(&version, false),
    )))
}

async fn get_policy_version(call: &Call<'_>) -> OperationResult {
    let arn = policy_arn(call)?;
    let version_id = version_id(call)?;
    let policy = call.state.store.policy(call.account(), &arn).await?;
    let version = policy.version(version_id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoSuchEntity,
            format!("Policy {arn} version {version_id} does not exist or is not attachable."),
        )
    })?;
    Ok(Some(Fields::new().structure(
        "PolicyVersion",
        encode::policy_version(version, true),
    )))
}

async fn list_policy_versions(call: &Call<'_>) -> OperationResult {
    let arn = policy_arn(call)?;
    let options = list_options(call.parameters, false)?;
    let policy = call.state.store.policy(call.account(), &arn).await?;

    // Versions are listed newest first, so the key counts down from `u32::MAX`, zero-padded to
    // sort as text.
    let versions: Vec<_> = policy.versions.iter().collect();
    let page = iam_store::page_in_key_order(
        "ListPolicyVersions",
        versions,
        |version| format!("{:010}", u32::MAX - version.version_id.number()),
        &options,
    )?;
    let members = page
        .items
        .into_iter()
        .map(|version| Node::Structure(encode::policy_version(version, false)));
    Ok(Some(
        Fields::new()
            .list("Versions", members)
            .pagination(page.marker),
    ))
}

async fn delete_policy_version(call: &Call<'_>) -> OperationResult {
    let arn = policy_arn(call)?;
    let version_id = version_id(call)?;
    call.state
        .store
        .delete_policy_version(call.account(), &arn, version_id)
        .await?;
    Ok(None)
}

async fn set_default_policy_version(call: &Call<'_>) -> OperationResult {
    let arn = policy_arn(call)?;
    let version_id = version_id(call)?;
    call.state
        .store
        .set_default_policy_version(call.account(), &arn, version_id, call.state.clock.now())
        .await?;
    Ok(None)
}

async fn tag_policy(call: &Call<'_>) -> OperationResult {
    tags(call.parameters)?;
    // TODO: The store has no call that rewrites a managed policy's tags yet. Until it does,
    // tagging a policy after creation returns this error. Tags given to CreatePolicy are kept.
    Err(ApiError::new(
        ErrorCode::InvalidAction,
        "The action TagPolicy of IAM is not implemented by this server yet.",
    ))
}

async fn untag_policy(call: &Call<'_>) -> OperationResult {
    tag_keys(call.parameters)?;
    // TODO: As for TagPolicy.
    Err(ApiError::new(
        ErrorCode::InvalidAction,
        "The action UntagPolicy of IAM is not implemented by this server yet.",
    ))
}

async fn list_policy_tags(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, false)?;
    let arn = policy_arn(call)?;
    let policy = call.state.store.policy(call.account(), &arn).await?;
    tags_page("ListPolicyTags", policy.tags.clone(), &options)
}

/// Names `field` as the parameter of a validation error, for checks that the model names
/// after another parameter with the same rules.
fn with_field(mut error: ModelError, name: &'static str) -> ModelError {
    match &mut error {
        ModelError::InvalidLength { field, .. }
        | ModelError::InvalidCharacter { field, .. }
        | ModelError::InvalidFormat { field, .. } => *field = name,
        _ => {}
    }
    error
}

async fn list_entities_for_policy(call: &Call<'_>) -> OperationResult {
    let arn = policy_arn(call)?;
    let options = list_options(call.parameters, true)?;
    let filter = call.parameters.optional("EntityFilter");
    // NOTE: `LocalManagedPolicy` and `AWSManagedPolicy` belong to the `EntityType` enum that
    // botocore shares with GetAccountAuthorizationDetails. No user, group or role is of
    // either type, so they select no entity here.
    let (groups, users, roles) = match filter {
        None => (true, true, true),
        Some("Group") => (true, false, false),
        Some("User") => (false, true, false),
        Some("Role") => (false, false, true),
        Some("LocalManagedPolicy" | "AWSManagedPolicy") => (false, false, false),
        Some(other) => {
            return Err(ApiError::invalid_value(
                "EntityFilter",
                other,
                "Member must satisfy enum value set: \
                 [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
            ));
        }
    };

    let store = &call.state.store;
    let account = call.account();
    let names = store.list_entities_for_policy(account, &arn).await?;
    let mut entities = Vec::new();
    for name in names.groups.iter().filter(|_| groups) {
        let stored = present(store.group(account, name).await)?;
        entities.extend(stored.map(|group| PolicyEntity {
            kind: Attached::Group,
            name: group.record.group_name,
            id: group.record.group_id.to_string(),
            path: group.record.path,
        }));
    }
    for name in names.users.iter().filter(|_| users) {
        let stored = present(store.user(account, name).await)?;
        entities.extend(stored.map(|user| PolicyEntity {
            kind: Attached::User,
            name: user.record.user_name,
            id: user.record.user_id.to_string(),
            path: user.record.path,
        }));
    }
    for name in names.roles.iter().filter(|_| roles) {
        let stored = present(store.role(account, name).await)?;
        entities.extend(stored.map(|role| PolicyEntity {
            kind: Attached::Role,
            name: role.record.role_name,
            id: role.record.role_id.to_string(),
            path: role.record.path,
        }));
    }
    if let Some(prefix) = &options.path_prefix {
        entities.retain(|entity| entity.path.starts_with(prefix.as_str()));
    }

    // One page walks groups, then users, then roles, each by name ignoring case, as the store
    // orders them.
    let page = iam_store::page_in_key_order(
        "ListEntitiesForPolicy",
        entities,
        PolicyEntity::page_key,
        &options,
    )?;
    let members = |kind: Attached| -> Vec<Node> {
        let (name_element, id_element) = kind.elements();
        page.items
            .iter()
            .filter(|entity| entity.kind == kind)
            .map(|entity| {
                Node::Structure(
                    Fields::new()
                        .text(name_element, entity.name.as_str())
                        .text(id_element, entity.id.as_str()),
                )
            })
            .collect()
    };
    Ok(Some(
        Fields::new()
            .list("PolicyGroups", members(Attached::Group))
            .list("PolicyUsers", members(Attached::User))
            .list("PolicyRoles", members(Attached::Role))
            .pagination(page.marker),
    ))
}

/// A user, group or role that a managed policy is attached to, as `ListEntitiesForPolicy`
/// returns it.
struct PolicyEntity {
    kind: Attached,
    name: String,
    id: String,
    path: String,
}

impl PolicyEntity {
    /// Returns the entity's place in the listing: groups, then users, then roles, each by name
    /// ignoring case. Names are unique per kind ignoring case, so the key is unique.
    fn page_key(&self) -> String {
        let rank = match self.kind {
            Attached::Group => '0',
            Attached::User => '1',
            Attached::Role => '2',
        };
        format!("{rank}{}", self.name.to_lowercase())
    }
}

/// The kind of identity a managed policy is attached to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Attached {
    Group,
    User,
    Role,
}

impl Attached {
    /// Returns the names of the name and id elements of the kind's `Policy*` structure.
    fn elements(self) -> (&'static str, &'static str) {
        match self {
            Attached::Group => ("GroupName", "GroupId"),
            Attached::User => ("UserName", "UserId"),
            Attached::Role => ("RoleName", "RoleId"),
        }
    }
}

/// Converts `NoSuchEntity` into `None`, for an entity deleted between two reads.
fn present<T>(result: Result<T, StoreError>) -> Result<Option<T>, ApiError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::NoSuchEntity { .. }) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

async fn attach(call: &Call<'_>, attach: bool) -> OperationResult {
    let (identity, _) = identity(call)?;
    let arn = policy_arn(call)?;
    let store = &call.state.store;
    if attach {
        store
            .attach_policy(call.account(), &identity, &arn)
            .await
            .map_err(not_attachable)?;
    } else {
        store.detach_policy(call.account(), &identity, &arn).await?;
    }
    Ok(None)
}

async fn list_attached(call: &Call<'_>) -> OperationResult {
    let (identity, _) = identity(call)?;
    let options = list_options(call.parameters, true)?;
    let page = call
        .state
        .store
        .list_attached_policies(call.account(), &identity, &options)
        .await?;
    let policies = page.items.iter().map(|attached| {
        Node::Structure(encode::attached_policy(
            &attached.policy_name,
            &attached.policy_arn,
        ))
    });
    Ok(Some(
        Fields::new()
            .list("AttachedPolicies", policies)
            .pagination(page.marker),
    ))
}

async fn put_inline(call: &Call<'_>) -> OperationResult {
    let (identity, _) = identity(call)?;
    let policy_name = call.parameters.required("PolicyName")?;
    validate::policy_name(policy_name)?;
    let document = call.parameters.required("PolicyDocument")?;
    let quota = match identity {
        Identity::User(_) => Quota::UserPolicySize,
        Identity::Group(_) => Quota::GroupPolicySize,
        Identity::Role(_) => Quota::RolePolicySize,
    };
    check_policy_document(call, quota, document)?;
    let policy = InlinePolicy {
        policy_name: policy_name.to_owned(),
        policy_document: document.to_owned(),
    };
    call.state
        .store
        .put_inline_policy(call.account(), &identity, policy)
        .await?;
    Ok(None)
}

async fn get_inline(call: &Call<'_>) -> OperationResult {
    let (identity, kind) = identity(call)?;
    let policy_name = call.parameters.required("PolicyName")?;
    let policy = call
        .state
        .store
        .inline_policy(call.account(), &identity, policy_name)
        .await?;
    let name_member = match kind {
        "User" => "UserName",
        "Group" => "GroupName",
        _ => "RoleName",
    };
    Ok(Some(
        Fields::new()
            .text(name_member, identity.name())
            .text("PolicyName", policy.policy_name.as_str())
            .policy_document("PolicyDocument", &policy.policy_document),
    ))
}

async fn delete_inline(call: &Call<'_>) -> OperationResult {
    let (identity, _) = identity(call)?;
    let policy_name = call.parameters.required("PolicyName")?;
    call.state
        .store
        .delete_inline_policy(call.account(), &identity, policy_name)
        .await?;
    Ok(None)
}

async fn list_inline(call: &Call<'_>) -> OperationResult {
    let (identity, _) = identity(call)?;
    let options = list_options(call.parameters, false)?;
    let page = call
        .state
        .store
        .list_inline_policies(call.account(), &identity, &options)
        .await?;
    let names = page.items.iter().map(|name| Node::Text(name.clone()));
    Ok(Some(
        Fields::new()
            .list("PolicyNames", names)
            .pagination(page.marker),
    ))
}

async fn set_boundary(call: &Call<'_>, put: bool) -> OperationResult {
    let (identity, _) = identity(call)?;
    let arn = if put {
        let text = call.parameters.required("PermissionsBoundary")?;
        Some(
            text.parse::<Arn>()
                .map_err(|_| ApiError::invalid_arn(text))?,
        )
    } else {
        None
    };
    call.state
        .store
        .set_permissions_boundary(call.account(), &identity, arn.as_ref())
        .await
        .map_err(not_attachable)?;
    Ok(None)
}

/// Maps a missing managed policy to the message AWS gives when a call attaches one, or sets
/// one as a permissions boundary. Other store errors keep their usual mapping.
fn not_attachable(error: StoreError) -> ApiError {
    match error {
        StoreError::NoSuchEntity {
            kind: EntityKind::ManagedPolicy,
            name,
        } => ApiError::new(
            ErrorCode::NoSuchEntity,
            format!("Policy {name} does not exist or is not attachable."),
        ),
        other => other.into(),
    }
}
