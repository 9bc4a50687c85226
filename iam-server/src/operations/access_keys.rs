//! Access keys: create, list, update, delete and last use.

use iam_auth::{AccessKeyKind, generate_access_key};
use iam_model::{AccessKey, AccessKeyStatus, SealedAccessKey, SealedBytes, UniqueId};

use super::{Call, OperationResult, list_options};
use crate::encode;
use crate::error::{ApiError, ErrorCode};
use crate::identity::access_key_context;
use crate::xml::{Fields, Node};

/// Runs an access key operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreateAccessKey" => create_access_key(call).await,
        "ListAccessKeys" => list_access_keys(call).await,
        "UpdateAccessKey" => update_access_key(call).await,
        "DeleteAccessKey" => delete_access_key(call).await,
        "GetAccessKeyLastUsed" => get_access_key_last_used(call).await,
        _ => return None,
    };
    Some(result)
}

async fn create_access_key(call: &Call<'_>) -> OperationResult {
    let user_name = call.access_key_owner()?;
    let random = call.state.random.as_ref();
    let (access_key_id, secret) = generate_access_key(AccessKeyKind::LongTerm, random);
    let sealed = call
        .state
        .keyring
        .seal(
            secret.expose().as_bytes(),
            &access_key_context(access_key_id.as_str()),
            random,
        )
        .map_err(ApiError::from)?;
    let access_key = AccessKey {
        user_name,
        access_key_id: access_key_id.as_str().parse::<UniqueId>()?,
        status: AccessKeyStatus::Active,
        create_date: call.state.clock.now(),
        last_used: None,
    };
    let record = SealedAccessKey {
        access_key: access_key.clone(),
        sealed_secret: SealedBytes(sealed.as_str().as_bytes().to_vec()),
    };

    call.state
        .store
        .create_access_key(call.account(), record)
        .await?;
    Ok(Some(Fields::new().structure(
        "AccessKey",
        encode::access_key_with_secret(&access_key, secret.expose()),
    )))
}

async fn list_access_keys(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, false)?;
    let user_name = call.access_key_owner()?;
    let keys = call
        .state
        .store
        .list_access_keys(call.account(), &user_name)
        .await?;
    let page = iam_store::page_in_key_order(
        "ListAccessKeys",
        keys,
        |key| key.access_key_id.as_str().to_owned(),
        &options,
    )?;
    let members = page
        .items
        .iter()
        .map(|key| Node::Structure(encode::access_key_metadata(key)));
    Ok(Some(
        Fields::new()
            .list("AccessKeyMetadata", members)
            .pagination(page.marker),
    ))
}

async fn update_access_key(call: &Call<'_>) -> OperationResult {
    let user_name = call.access_key_owner()?;
    let access_key_id = call.parameters.required("AccessKeyId")?;
    let status_text = call.parameters.required("Status")?;
    let status = status_text.parse::<AccessKeyStatus>().map_err(|_| {
        ApiError::invalid_value(
            "Status",
            status_text,
            "Member must satisfy enum value set: [Active, Inactive]",
        )
    })?;

    call.state
        .store
        .update_access_key(call.account(), &user_name, access_key_id, status)
        .await?;
    Ok(None)
}

async fn delete_access_key(call: &Call<'_>) -> OperationResult {
    let user_name = call.access_key_owner()?;
    let access_key_id = call.parameters.required("AccessKeyId")?;
    call.state
        .store
        .delete_access_key(call.account(), &user_name, access_key_id)
        .await?;
    Ok(None)
}

async fn get_access_key_last_used(call: &Call<'_>) -> OperationResult {
    let access_key_id = call.parameters.required("AccessKeyId")?;
    let not_found = || {
        ApiError::new(
            ErrorCode::AccessDenied,
            format!("The access key {access_key_id} does not belong to this account."),
        )
    };
    let (account, sealed) = match call.state.store.find_access_key(access_key_id).await {
        Ok(found) => found,
        Err(iam_store::StoreError::NoSuchEntity { .. }) => return Err(not_found()),
        Err(error) => return Err(error.into()),
    };
    if account != call.account() {
        return Err(not_found());
    }
    let access_key = sealed.access_key;
    Ok(Some(
        Fields::new()
            .optional_text("UserName", encode::key_owner_name(&access_key))
            .structure(
                "AccessKeyLastUsed",
                encode::access_key_last_used(access_key.last_used.as_ref()),
            ),
    ))
}
