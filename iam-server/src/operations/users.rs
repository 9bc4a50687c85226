//! Users: create, get, list, update, delete and tags.

use iam_model::{Arn, UniqueIdKind, User, validate};

use super::{Call, OperationResult, add_tags, list_options, tag_keys, tags, tags_page};
use crate::encode;
use crate::error::ApiError;
use crate::xml::{Fields, Node};

/// Runs a user operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreateUser" => create_user(call).await,
        "GetUser" => get_user(call).await,
        "ListUsers" => list_users(call).await,
        "UpdateUser" => update_user(call).await,
        "DeleteUser" => delete_user(call).await,
        "TagUser" => tag_user(call).await,
        "UntagUser" => untag_user(call).await,
        "ListUserTags" => list_user_tags(call).await,
        _ => return None,
    };
    Some(result)
}

async fn create_user(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let user_name = parameters.required("UserName")?;
    let path = parameters.optional("Path").unwrap_or("/");
    let tags = tags(parameters)?;
    let boundary = parameters
        .optional("PermissionsBoundary")
        .map(|text| {
            text.parse::<Arn>().map_err(|_| {
                ApiError::invalid_value("PermissionsBoundary", text, "Member must be a policy ARN")
            })
        })
        .transpose()?;
    let mut user = User::new(
        call.partition(),
        call.account(),
        path,
        user_name,
        call.unique_id(UniqueIdKind::User),
        call.state.clock.now(),
    )?;
    user.tags = tags;
    user.permissions_boundary = boundary;

    let stored = call.state.store.create_user(call.account(), user).await?;
    Ok(Some(Fields::new().structure("User", encode::user(&stored))))
}

async fn get_user(call: &Call<'_>) -> OperationResult {
    let Some(user_name) = call.user_name_from_parameter_or_caller() else {
        if !call.caller.is_root() {
            return Err(super::non_user_credentials());
        }
        let root = encode::root_user(call.account(), call.state.root.create_date);
        return Ok(Some(Fields::new().structure("User", root)));
    };
    let user = call
        .state
        .store_cache
        .user(call.account(), user_name)
        .await?;
    Ok(Some(Fields::new().structure("User", encode::user(&user))))
}

async fn list_users(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, true)?;
    let page = call
        .state
        .store
        .list_users(call.account(), &options)
        .await?;
    let users = page
        .items
        .iter()
        .map(|user| Node::Structure(encode::user_summary(user)));
    Ok(Some(
        Fields::new().list("Users", users).pagination(page.marker),
    ))
}

async fn update_user(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let user_name = parameters.required("UserName")?;
    let new_name = parameters.optional("NewUserName");
    let new_path = parameters.optional("NewPath");
    if let Some(name) = new_name {
        validate::user_name(name)?;
    }
    if let Some(path) = new_path {
        validate::path(path)?;
    }
    let store = &call.state.store;
    let stored = store.user(call.account(), user_name).await?;
    let current = stored.record;
    let updated = User::new(
        call.partition(),
        call.account(),
        new_path.unwrap_or(&current.path),
        new_name.unwrap_or(&current.user_name),
        current.user_id.clone(),
        current.create_date,
    )?;
    let updated = User {
        password_last_used: current.password_last_used,
        permissions_boundary: current.permissions_boundary.clone(),
        tags: current.tags.clone(),
        ..updated
    };

    store
        .update_user(call.account(), user_name, updated, Some(stored.revision))
        .await?;
    Ok(None)
}

async fn delete_user(call: &Call<'_>) -> OperationResult {
    let user_name = call.parameters.required("UserName")?;
    call.state
        .store
        .delete_user(call.account(), user_name)
        .await?;
    Ok(None)
}

async fn tag_user(call: &Call<'_>) -> OperationResult {
    let user_name = call.parameters.required("UserName")?;
    let added = tags(call.parameters)?;
    let store = &call.state.store;
    let stored = store.user(call.account(), user_name).await?;
    let mut user = stored.record;
    add_tags(&mut user.tags, &added)?;

    store
        .update_user(call.account(), user_name, user, Some(stored.revision))
        .await?;
    Ok(None)
}

async fn untag_user(call: &Call<'_>) -> OperationResult {
    let user_name = call.parameters.required("UserName")?;
    let keys = tag_keys(call.parameters)?;
    let store = &call.state.store;
    let stored = store.user(call.account(), user_name).await?;
    let mut user = stored.record;
    iam_model::remove_tags(&mut user.tags, &keys);

    store
        .update_user(call.account(), user_name, user, Some(stored.revision))
        .await?;
    Ok(None)
}

async fn list_user_tags(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, false)?;
    let user_name = call.parameters.required("UserName")?;
    let user = call.state.store.user(call.account(), user_name).await?;
    tags_page("ListUserTags", user.tags.clone(), &options)
}
