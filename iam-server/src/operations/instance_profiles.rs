//! Instance profiles, the roles in them, and their tags.

use iam_model::{InstanceProfile, Role, UniqueIdKind};

use super::{Call, OperationResult, add_tags, list_options, tag_keys, tags, tags_page};
use crate::encode;
use crate::error::ApiError;
use crate::xml::{Fields, Node};

/// Runs an instance profile operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreateInstanceProfile" => create_instance_profile(call).await,
        "GetInstanceProfile" => get_instance_profile(call).await,
        "ListInstanceProfiles" => list_instance_profiles(call, false).await,
        "ListInstanceProfilesForRole" => list_instance_profiles(call, true).await,
        "DeleteInstanceProfile" => delete_instance_profile(call).await,
        "AddRoleToInstanceProfile" => change_roles(call, true).await,
        "RemoveRoleFromInstanceProfile" => change_roles(call, false).await,
        "TagInstanceProfile" => tag_instance_profile(call).await,
        "UntagInstanceProfile" => untag_instance_profile(call).await,
        "ListInstanceProfileTags" => list_instance_profile_tags(call).await,
        _ => return None,
    };
    Some(result)
}

/// Loads the roles of a profile, for the `Roles` member every instance profile carries.
async fn roles_of(call: &Call<'_>, profile: &InstanceProfile) -> Result<Vec<Role>, ApiError> {
    let mut roles = Vec::with_capacity(profile.role_names.len());
    for role_name in &profile.role_names {
        roles.push(
            call.state
                .store
                .role(call.account(), role_name)
                .await?
                .record,
        );
    }
    Ok(roles)
}

async fn create_instance_profile(call: &Call<'_>) -> OperationResult {
    let name = call.parameters.required("InstanceProfileName")?;
    let path = call.parameters.optional("Path").unwrap_or("/");
    let mut profile = InstanceProfile::new(
        call.partition(),
        call.account(),
        path,
        name,
        call.unique_id(UniqueIdKind::InstanceProfile),
        call.state.clock.now(),
    )?;
    profile.tags = tags(call.parameters)?;

    call.state
        .store
        .create_instance_profile(call.account(), profile.clone())
        .await?;
    Ok(Some(Fields::new().structure(
        "InstanceProfile",
        encode::instance_profile(&profile, &[]),
    )))
}

async fn get_instance_profile(call: &Call<'_>) -> OperationResult {
    let name = call.parameters.required("InstanceProfileName")?;
    let profile = call
        .state
        .store
        .instance_profile(call.account(), name)
        .await?;
    let roles = roles_of(call, &profile).await?;
    Ok(Some(Fields::new().structure(
        "InstanceProfile",
        encode::instance_profile(&profile, &roles),
    )))
}

async fn list_instance_profiles(call: &Call<'_>, for_role: bool) -> OperationResult {
    let options = list_options(call.parameters, !for_role)?;
    let store = &call.state.store;
    let page = if for_role {
        let role_name = call.parameters.required("RoleName")?;
        store
            .list_instance_profiles_for_role(call.account(), role_name, &options)
            .await?
    } else {
        store
            .list_instance_profiles(call.account(), &options)
            .await?
    };
    let mut profiles = Vec::with_capacity(page.items.len());
    for profile in &page.items {
        let roles = roles_of(call, profile).await?;
        profiles.push(Node::Structure(encode::instance_profile(profile, &roles)));
    }
    Ok(Some(
        Fields::new()
            .list("InstanceProfiles", profiles)
            .pagination(page.marker),
    ))
}

async fn delete_instance_profile(call: &Call<'_>) -> OperationResult {
    let name = call.parameters.required("InstanceProfileName")?;
    call.state
        .store
        .delete_instance_profile(call.account(), name)
        .await?;
    Ok(None)
}

async fn change_roles(call: &Call<'_>, add: bool) -> OperationResult {
    let name = call.parameters.required("InstanceProfileName")?;
    let role_name = call.parameters.required("RoleName")?;
    let store = &call.state.store;
    if add {
        store
            .add_role_to_instance_profile(call.account(), name, role_name)
            .await?;
    } else {
        store
            .remove_role_from_instance_profile(call.account(), name, role_name)
            .await?;
    }
    Ok(None)
}

async fn tag_instance_profile(call: &Call<'_>) -> OperationResult {
    let name = call.parameters.required("InstanceProfileName")?;
    let added = tags(call.parameters)?;
    if added.is_empty() {
        return Err(ApiError::missing_parameter("Tags"));
    }
    let store = &call.state.store;
    let mut profile = store.instance_profile(call.account(), name).await?;
    add_tags(&mut profile.tags, &added)?;
    store
        .set_instance_profile_tags(call.account(), name, profile.tags)
        .await?;
    Ok(None)
}

async fn untag_instance_profile(call: &Call<'_>) -> OperationResult {
    let name = call.parameters.required("InstanceProfileName")?;
    let keys = tag_keys(call.parameters)?;
    let store = &call.state.store;
    let mut profile = store.instance_profile(call.account(), name).await?;
    iam_model::remove_tags(&mut profile.tags, &keys);
    store
        .set_instance_profile_tags(call.account(), name, profile.tags)
        .await?;
    Ok(None)
}

async fn list_instance_profile_tags(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, false)?;
    let name = call.parameters.required("InstanceProfileName")?;
    let profile = call
        .state
        .store
        .instance_profile(call.account(), name)
        .await?;
    tags_page("ListInstanceProfileTags", profile.tags.clone(), &options)
}
