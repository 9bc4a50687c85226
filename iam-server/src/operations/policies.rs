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
    text.parse::<Arn>()
        .map_err(|_| ApiError::new(ErrorCode::InvalidInput, format!("ARN {text} is not valid.")))
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
    let policy = call.state.store.policy(call.account(), &arn).await?;
    let mut versions: Vec<_> = policy.versions.iter().collect();
    versions.sort_by_key(|version| std::cmp::Reverse(version.version_id));
    let members = versions
        .into_iter()
        .map(|version| Node::Structure(encode::policy_version(version, false)));
    Ok(Some(
        Fields::new().list("Versions", members).pagination(None),
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

    let entities = call
        .state
        .store
        .list_entities_for_policy(call.account(), &arn)
        .await?;
    let named = |included: bool, element: &'static str, names: &[String]| -> Vec<Node> {
        names
            .iter()
            .filter(|_| included)
            .map(|name| Node::Structure(Fields::new().text(element, name.as_str())))
            .collect()
    };
    Ok(Some(
        Fields::new()
            .list("PolicyGroups", named(groups, "GroupName", &entities.groups))
            .list("PolicyUsers", named(users, "UserName", &entities.users))
            .list("PolicyRoles", named(roles, "RoleName", &entities.roles))
            .pagination(None),
    ))
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
        Some(text.parse::<Arn>().map_err(|_| {
            ApiError::new(ErrorCode::InvalidInput, format!("ARN {text} is not valid."))
        })?)
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
