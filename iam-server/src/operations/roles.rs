//! Roles: create, get, list, update, trust policy, delete and tags.

use iam_model::{Arn, Quota, Role, UniqueIdKind, validate};
use iam_policy::{PolicyDocument, PrincipalType, PrincipalValue};
use iam_store::StoreError;

use super::{
    Call, OperationResult, add_tags, check_policy_document, list_options, optional_arn, tag_keys,
    tags, tags_page,
};
use crate::encode;
use crate::error::{ApiError, ErrorCode};
use crate::xml::{Fields, Node};

/// Runs a role operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreateRole" => create_role(call).await,
        "GetRole" => get_role(call).await,
        "ListRoles" => list_roles(call).await,
        "UpdateRole" => update_role(call).await,
        "UpdateRoleDescription" => update_role_description(call).await,
        "UpdateAssumeRolePolicy" => update_assume_role_policy(call).await,
        "DeleteRole" => delete_role(call).await,
        "TagRole" => tag_role(call).await,
        "UntagRole" => untag_role(call).await,
        "ListRoleTags" => list_role_tags(call).await,
        _ => return None,
    };
    Some(result)
}

/// Reads `MaxSessionDuration`, checking AWS's range of 3600 to 43200 seconds.
fn max_session_duration(call: &Call<'_>) -> Result<Option<u32>, ApiError> {
    match call.parameters.integer("MaxSessionDuration")? {
        None => Ok(None),
        Some(seconds) => {
            let seconds = u32::try_from(seconds).unwrap_or(0);
            validate::max_session_duration(seconds)?;
            Ok(Some(seconds))
        }
    }
}

async fn create_role(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let role_name = parameters.required("RoleName")?;
    let path = parameters.optional("Path").unwrap_or("/");
    let document = parameters.required("AssumeRolePolicyDocument")?;
    check_policy_document(call, Quota::AssumeRolePolicySize, document)?;
    check_trusted_principals(call, document).await?;
    let description = parameters.optional("Description");
    if let Some(description) = description {
        validate::role_description(description)?;
    }
    let mut role = Role::new(
        call.partition(),
        call.account(),
        path,
        role_name,
        call.unique_id(UniqueIdKind::Role),
        document.to_owned(),
        call.state.clock.now(),
    )?;
    role.description = description.map(str::to_owned);
    if let Some(seconds) = max_session_duration(call)? {
        role.max_session_duration = seconds;
    }
    role.permissions_boundary = optional_arn(parameters, "PermissionsBoundary")?;
    role.tags = tags(parameters)?;

    let stored = call.state.store.create_role(call.account(), role).await?;
    Ok(Some(Fields::new().structure("Role", encode::role(&stored))))
}

async fn get_role(call: &Call<'_>) -> OperationResult {
    let role_name = call.parameters.required("RoleName")?;
    let role = call.state.store.role(call.account(), role_name).await?;
    Ok(Some(Fields::new().structure("Role", encode::role(&role))))
}

async fn list_roles(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, true)?;
    let page = call
        .state
        .store
        .list_roles(call.account(), &options)
        .await?;
    let roles = page
        .items
        .iter()
        .map(|role| Node::Structure(encode::role_summary(role)));
    Ok(Some(
        Fields::new().list("Roles", roles).pagination(page.marker),
    ))
}

/// Reads a role, lets `change` edit it, and writes it back if nothing changed in between.
async fn change_role(
    call: &Call<'_>,
    change: impl FnOnce(&mut Role) -> Result<(), ApiError>,
) -> Result<Role, ApiError> {
    let role_name = call.parameters.required("RoleName")?;
    let store = &call.state.store;
    let stored = store.role(call.account(), role_name).await?;
    let mut role = stored.record;
    change(&mut role)?;
    let updated = store
        .update_role(call.account(), role_name, role, Some(stored.revision))
        .await?;
    Ok(updated.record)
}

async fn update_role(call: &Call<'_>) -> OperationResult {
    let description = call.parameters.optional("Description");
    if let Some(description) = description {
        validate::role_description(description)?;
    }
    let duration = max_session_duration(call)?;
    change_role(call, |role| {
        if let Some(description) = description {
            role.description = Some(description.to_owned());
        }
        if let Some(seconds) = duration {
            role.max_session_duration = seconds;
        }
        Ok(())
    })
    .await?;
    Ok(Some(Fields::new()))
}

async fn update_role_description(call: &Call<'_>) -> OperationResult {
    let description = call.parameters.required("Description")?;
    validate::role_description(description)?;
    let role = change_role(call, |role| {
        role.description = Some(description.to_owned());
        Ok(())
    })
    .await?;
    Ok(Some(Fields::new().structure("Role", encode::role(&role))))
}

async fn update_assume_role_policy(call: &Call<'_>) -> OperationResult {
    let document = call.parameters.required("PolicyDocument")?;
    check_policy_document(call, Quota::AssumeRolePolicySize, document)?;
    check_trusted_principals(call, document).await?;
    change_role(call, |role| {
        role.assume_role_policy_document = document.to_owned();
        Ok(())
    })
    .await?;
    Ok(None)
}

async fn delete_role(call: &Call<'_>) -> OperationResult {
    let role_name = call.parameters.required("RoleName")?;
    call.state
        .store
        .delete_role(call.account(), role_name)
        .await?;
    Ok(None)
}

async fn tag_role(call: &Call<'_>) -> OperationResult {
    let added = tags(call.parameters)?;
    change_role(call, |role| add_tags(&mut role.tags, &added)).await?;
    Ok(None)
}

async fn untag_role(call: &Call<'_>) -> OperationResult {
    let keys = tag_keys(call.parameters)?;
    change_role(call, |role| {
        iam_model::remove_tags(&mut role.tags, &keys);
        Ok(())
    })
    .await?;
    Ok(None)
}

async fn list_role_tags(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, false)?;
    let role_name = call.parameters.required("RoleName")?;
    let role = call.state.store.role(call.account(), role_name).await?;
    tags_page("ListRoleTags", role.tags.clone(), &options)
}

/// Checks that every IAM user and role of the caller's account that a trust policy names
/// under `AWS` exists.
///
/// IAM stores such a principal by its unique id, so it rejects a trust policy that names a
/// user or role it cannot find with `MalformedPolicyDocument`.
///
/// NOTE: Principals of other accounts are not checked, because this server holds only the
/// accounts it serves, and the path inside the ARN is not compared with the stored path.
async fn check_trusted_principals(call: &Call<'_>, document: &str) -> Result<(), ApiError> {
    let parsed = PolicyDocument::parse(document)?;
    let named = parsed
        .statements
        .iter()
        .filter_map(|statement| statement.principal.as_ref())
        .filter_map(|block| match &block.value {
            PrincipalValue::Map(entries) => Some(entries),
            PrincipalValue::Any => None,
        })
        .flatten()
        .filter(|entry| entry.principal_type.value == PrincipalType::Aws)
        .flat_map(|entry| entry.values.iter().map(|value| value.value.clone()))
        .collect::<Vec<String>>();

    for principal in &named {
        let Ok(arn) = principal.parse::<Arn>() else {
            continue;
        };
        let own_account = arn.account() == call.account().to_string();
        if arn.service() != "iam" || !own_account || arn.resource().contains('*') {
            continue;
        }
        let Some((kind, rest)) = arn.resource().split_once('/') else {
            continue;
        };
        let name = rest.rsplit('/').next().unwrap_or(rest);
        let found = match kind {
            "user" => call.state.store.user(call.account(), name).await.map(drop),
            "role" => call.state.store.role(call.account(), name).await.map(drop),
            _ => continue,
        };
        match found {
            Ok(()) => {}
            Err(StoreError::NoSuchEntity { .. }) => {
                return Err(ApiError::new(
                    ErrorCode::MalformedPolicyDocument,
                    format!("Invalid principal in policy: \"AWS\":\"{principal}\""),
                ));
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}
