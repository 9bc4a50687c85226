//! Groups and membership.

use iam_model::{Group, UniqueIdKind, validate};

use super::{Call, OperationResult, list_options};
use crate::encode;
use crate::xml::{Fields, Node};

/// Runs a group operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreateGroup" => create_group(call).await,
        "GetGroup" => get_group(call).await,
        "ListGroups" => list_groups(call).await,
        "UpdateGroup" => update_group(call).await,
        "DeleteGroup" => delete_group(call).await,
        "AddUserToGroup" => add_user_to_group(call).await,
        "RemoveUserFromGroup" => remove_user_from_group(call).await,
        "ListGroupsForUser" => list_groups_for_user(call).await,
        _ => return None,
    };
    Some(result)
}

async fn create_group(call: &Call<'_>) -> OperationResult {
    let group_name = call.parameters.required("GroupName")?;
    let path = call.parameters.optional("Path").unwrap_or("/");
    let group = Group::new(
        call.partition(),
        call.account(),
        path,
        group_name,
        call.unique_id(UniqueIdKind::Group),
        call.state.clock.now(),
    )?;

    let stored = call.state.store.create_group(call.account(), group).await?;
    Ok(Some(
        Fields::new().structure("Group", encode::group(&stored)),
    ))
}

async fn get_group(call: &Call<'_>) -> OperationResult {
    let group_name = call.parameters.required("GroupName")?;
    let options = list_options(call.parameters, false)?;
    let store = &call.state.store;
    let group = store.group(call.account(), group_name).await?;
    let members = store
        .list_group_members(call.account(), group_name, &options)
        .await?;
    let users = members
        .items
        .iter()
        .map(|user| Node::Structure(encode::user_summary(user)));
    Ok(Some(
        Fields::new()
            .structure("Group", encode::group(&group))
            .list("Users", users)
            .pagination(members.marker),
    ))
}

async fn list_groups(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, true)?;
    let page = call
        .state
        .store
        .list_groups(call.account(), &options)
        .await?;
    let groups = page
        .items
        .iter()
        .map(|group| Node::Structure(encode::group(group)));
    Ok(Some(
        Fields::new().list("Groups", groups).pagination(page.marker),
    ))
}

async fn update_group(call: &Call<'_>) -> OperationResult {
    let group_name = call.parameters.required("GroupName")?;
    let new_name = call.parameters.optional("NewGroupName");
    let new_path = call.parameters.optional("NewPath");
    if let Some(name) = new_name {
        validate::group_name(name)?;
    }
    let store = &call.state.store;
    let stored = store.group(call.account(), group_name).await?;
    let current = stored.record;
    let updated = Group::new(
        call.partition(),
        call.account(),
        new_path.unwrap_or(&current.path),
        new_name.unwrap_or(&current.group_name),
        current.group_id.clone(),
        current.create_date,
    )?;

    store
        .update_group(call.account(), group_name, updated, Some(stored.revision))
        .await?;
    Ok(None)
}

async fn delete_group(call: &Call<'_>) -> OperationResult {
    let group_name = call.parameters.required("GroupName")?;
    call.state
        .store
        .delete_group(call.account(), group_name)
        .await?;
    Ok(None)
}

async fn add_user_to_group(call: &Call<'_>) -> OperationResult {
    let group_name = call.parameters.required("GroupName")?;
    let user_name = call.parameters.required("UserName")?;
    call.state
        .store
        .add_user_to_group(call.account(), group_name, user_name)
        .await?;
    Ok(None)
}

async fn remove_user_from_group(call: &Call<'_>) -> OperationResult {
    let group_name = call.parameters.required("GroupName")?;
    let user_name = call.parameters.required("UserName")?;
    call.state
        .store
        .remove_user_from_group(call.account(), group_name, user_name)
        .await?;
    Ok(None)
}

async fn list_groups_for_user(call: &Call<'_>) -> OperationResult {
    let user_name = call.parameters.required("UserName")?;
    let options = list_options(call.parameters, false)?;
    let page = call
        .state
        .store
        .list_groups_for_user(call.account(), user_name, &options)
        .await?;
    let groups = page
        .items
        .iter()
        .map(|group| Node::Structure(encode::group(group)));
    Ok(Some(
        Fields::new().list("Groups", groups).pagination(page.marker),
    ))
}
