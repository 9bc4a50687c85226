//! Virtual MFA devices: create, enable with two consecutive codes, resynchronize, deactivate,
//! delete, list and tags.
//!
//! The root user manages its own devices by omitting `UserName`, and the store keeps them under
//! the owner name [`ROOT_USER_NAME`]. AWS enables root devices only in its console (IAM User
//! Guide, "Assign MFA devices in the AWS CLI or AWS API"), which names the device
//! `root-account-mfa-device`. This server has no console, so the root user calls the API
//! instead, and a device keeps the name `CreateVirtualMFADevice` gave it. SDKs that check
//! required members client-side, such as boto3, need that check off to omit `UserName` from
//! `EnableMFADevice` and `ResyncMFADevice`.
//!
//! A device's TOTP seed is returned once, by `CreateVirtualMFADevice`, and kept sealed under
//! [`iam_auth::totp::seed_context`], the context the STS crate opens it with to check
//! `TokenCode`. Codes are checked by `iam-auth`'s [`Totp`], the one implementation of RFC 6238
//! in the workspace.

use iam_auth::totp::{
    ConsecutiveCodes, Totp, TotpAlgorithm, TotpSeed, open_device_seed, seal_device_seed,
};
use iam_model::{Arn, ROOT_USER_NAME, SealedBytes, VirtualMfaDevice, validate};
use iam_store::{MfaAssignment, StoreError, TimeStepAcceptance};

use super::{Call, OperationResult, add_tags, list_options, tag_keys, tags, tags_page};
use crate::encode;
use crate::error::{ApiError, ErrorCode};
use crate::xml::{Fields, Node};

/// Runs an MFA device operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreateVirtualMFADevice" => create_virtual_mfa_device(call).await,
        "EnableMFADevice" => enable_mfa_device(call).await,
        "ResyncMFADevice" => resync_mfa_device(call).await,
        "DeactivateMFADevice" => deactivate_mfa_device(call).await,
        "DeleteVirtualMFADevice" => delete_virtual_mfa_device(call).await,
        "GetMFADevice" => get_mfa_device(call).await,
        "ListMFADevices" => list_mfa_devices(call).await,
        "ListVirtualMFADevices" => list_virtual_mfa_devices(call).await,
        "TagMFADevice" => tag_mfa_device(call).await,
        "UntagMFADevice" => untag_mfa_device(call).await,
        "ListMFADeviceTags" => list_mfa_device_tags(call).await,
        _ => return None,
    };
    Some(result)
}

async fn create_virtual_mfa_device(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let device_name = parameters.required("VirtualMFADeviceName")?;
    let path = parameters.optional("Path").unwrap_or("/");
    let device_tags = tags(parameters)?;
    let state = call.state;
    let random = state.random.as_ref();
    let mut device = VirtualMfaDevice::new(
        call.partition(),
        call.account(),
        path,
        device_name,
        SealedBytes(Vec::new()),
    )?;
    let seed = TotpSeed::generate(TotpAlgorithm::Sha1, random);
    device.sealed_seed = seal_device_seed(&state.keyring, &device.serial_number, &seed, random)?;
    device.tags = device_tags;

    // The enrollment URI names the account while the device has no user, as AWS's does.
    let account = state.store.account(call.account()).await?;
    let account_name = account.alias.unwrap_or_else(|| call.account().to_string());
    let totp = Totp::new(seed, Default::default())?;
    let qr_code_png = totp.enrollment_qr_png(device_name, &account_name, None)?;
    let base32_seed = totp.seed().to_base32();
    state
        .store
        .create_virtual_mfa_device(call.account(), device.clone())
        .await?;
    Ok(Some(Fields::new().structure(
        "VirtualMFADevice",
        encode::virtual_mfa_device(&device, None, Some((&base32_seed, &qr_code_png))),
    )))
}

async fn enable_mfa_device(call: &Call<'_>) -> OperationResult {
    let owner_parameter = owner_from_parameter_or_root(call)?;
    let serial_number = serial_number(call)?;
    let (first, second) = authentication_codes(call)?;
    let store = &call.state.store;
    let owner = stored_owner(call, &owner_parameter).await?;
    let device = device(call, &serial_number).await?;
    if device.user_name.is_some() {
        return Err(StoreError::EntityAlreadyExists {
            kind: iam_store::EntityKind::MfaDevice,
            name: serial_number.to_string(),
        }
        .into());
    }

    // The step of the second code becomes the device's last accepted step, so neither code
    // is accepted again by STS.
    let step = check_consecutive_codes(call, &device, first, second, ConsecutiveCodes::Enable)?;
    store
        .enable_mfa_device(
            call.account(),
            &owner,
            &serial_number,
            call.state.clock.now(),
            step,
        )
        .await?;
    Ok(None)
}

async fn resync_mfa_device(call: &Call<'_>) -> OperationResult {
    let owner_parameter = owner_from_parameter_or_root(call)?;
    let serial_number = serial_number(call)?;
    let (first, second) = authentication_codes(call)?;
    let owner = stored_owner(call, &owner_parameter).await?;
    let device = device(call, &serial_number).await?;
    if device.user_name.as_deref() != Some(owner.as_str()) {
        return Err(device_not_found(&serial_number));
    }

    let step = check_consecutive_codes(call, &device, first, second, ConsecutiveCodes::Resync)?;
    let acceptance = call
        .state
        .store
        .accept_mfa_time_step(call.account(), &owner, &serial_number, step)
        .await?;
    if let TimeStepAcceptance::NotAfterLast { .. } = acceptance {
        return Err(ApiError::new(
            ErrorCode::InvalidAuthenticationCode,
            "Authentication code for the MFA device was already used. Wait for the device to \
             show two new codes and try again.",
        ));
    }
    Ok(None)
}

async fn deactivate_mfa_device(call: &Call<'_>) -> OperationResult {
    let user_name = call.access_key_owner()?;
    let serial_number = serial_number(call)?;
    call.state
        .store
        .deactivate_mfa_device(call.account(), &user_name, &serial_number)
        .await?;
    Ok(None)
}

async fn delete_virtual_mfa_device(call: &Call<'_>) -> OperationResult {
    let serial_number = serial_number(call)?;
    call.state
        .store
        .delete_virtual_mfa_device(call.account(), &serial_number)
        .await
        .map_err(|error| match error {
            StoreError::DeleteConflict { .. } => ApiError::new(
                ErrorCode::DeleteConflict,
                format!(
                    "MFA device {serial_number} is still enabled for a user or the root user. \
                     Deactivate it with DeactivateMFADevice first."
                ),
            ),
            error => error.into(),
        })?;
    Ok(None)
}

async fn get_mfa_device(call: &Call<'_>) -> OperationResult {
    let serial_number = serial_number(call)?;
    let requested_user = call.parameters.optional("UserName");
    if let Some(requested) = requested_user {
        validate::user_name(requested)?;
    }
    let device = device(call, &serial_number).await?;
    let owner = device
        .user_name
        .as_deref()
        .and_then(encode::credential_owner_name);
    let belongs = match (requested_user, owner) {
        (Some(requested), Some(owner)) => requested.eq_ignore_ascii_case(owner),
        (Some(_), None) => false,
        (None, _) => true,
    };
    if !belongs {
        return Err(device_not_found(&serial_number));
    }
    Ok(Some(
        Fields::new()
            .optional_text("UserName", owner)
            .text("SerialNumber", serial_number.to_string())
            .optional_timestamp("EnableDate", device.enable_date),
    ))
}

async fn list_mfa_devices(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, false)?;
    let store = &call.state.store;
    let owner = call.access_key_owner()?;
    let devices = store.list_mfa_devices(call.account(), &owner).await?;
    let page = iam_store::page_in_key_order(
        "ListMFADevices",
        devices,
        |device| device.serial_number.to_string(),
        &options,
    )?;
    let members = page.items.iter().filter_map(|device| {
        let owner = device.user_name.as_deref()?;
        Some(Node::Structure(encode::mfa_device(device, owner)))
    });
    Ok(Some(
        Fields::new()
            .list("MFADevices", members)
            .pagination(page.marker),
    ))
}

async fn list_virtual_mfa_devices(call: &Call<'_>) -> OperationResult {
    let assignment = match call.parameters.optional("AssignmentStatus") {
        None | Some("Any") => MfaAssignment::Any,
        Some("Assigned") => MfaAssignment::Assigned,
        Some("Unassigned") => MfaAssignment::Unassigned,
        Some(other) => {
            return Err(ApiError::invalid_value(
                "AssignmentStatus",
                other,
                "Member must satisfy enum value set: [Unassigned, Any, Assigned]",
            ));
        }
    };
    let options = list_options(call.parameters, false)?;
    let store = &call.state.store;
    let page = store
        .list_virtual_mfa_devices(call.account(), assignment, &options)
        .await?;
    let mut members = Vec::with_capacity(page.items.len());
    for device in &page.items {
        let user = match device.user_name.as_deref() {
            Some(ROOT_USER_NAME) => Some(encode::root_user(
                call.account(),
                call.state.root.create_date,
            )),
            Some(user_name) => {
                let user = store.user(call.account(), user_name).await?.record;
                Some(encode::user_summary(&user))
            }
            None => None,
        };
        members.push(Node::Structure(encode::virtual_mfa_device(
            device, user, None,
        )));
    }
    Ok(Some(
        Fields::new()
            .list("VirtualMFADevices", members)
            .pagination(page.marker),
    ))
}

async fn tag_mfa_device(call: &Call<'_>) -> OperationResult {
    let serial_number = serial_number(call)?;
    let added = tags(call.parameters)?;
    if added.is_empty() {
        return Err(ApiError::missing_parameter("Tags"));
    }
    let mut device = device(call, &serial_number).await?;
    add_tags(&mut device.tags, &added)?;
    call.state
        .store
        .set_mfa_device_tags(call.account(), &serial_number, device.tags)
        .await?;
    Ok(None)
}

async fn untag_mfa_device(call: &Call<'_>) -> OperationResult {
    let serial_number = serial_number(call)?;
    let keys = tag_keys(call.parameters)?;
    let mut device = device(call, &serial_number).await?;
    iam_model::remove_tags(&mut device.tags, &keys);
    call.state
        .store
        .set_mfa_device_tags(call.account(), &serial_number, device.tags)
        .await?;
    Ok(None)
}

async fn list_mfa_device_tags(call: &Call<'_>) -> OperationResult {
    let options = list_options(call.parameters, false)?;
    let serial_number = serial_number(call)?;
    let device = device(call, &serial_number).await?;
    tags_page("ListMFADeviceTags", device.tags.clone(), &options)
}

/// Reads `SerialNumber`, which for a virtual device is its ARN.
///
/// # Errors
///
/// `ValidationError` for text outside AWS's pattern, `NoSuchEntity` for a serial number that
/// is not an ARN, because only virtual devices exist here.
fn serial_number(call: &Call<'_>) -> Result<Arn, ApiError> {
    let text = call.parameters.required("SerialNumber")?;
    validate::serial_number(text)?;
    text.parse::<Arn>().map_err(|_| {
        ApiError::new(
            ErrorCode::NoSuchEntity,
            format!("MFA device with serial number {text} cannot be found."),
        )
    })
}

/// Reads `AuthenticationCode1` and `AuthenticationCode2`, six digits each.
fn authentication_codes<'a>(call: &'a Call<'_>) -> Result<(&'a str, &'a str), ApiError> {
    let first = call.parameters.required("AuthenticationCode1")?;
    let second = call.parameters.required("AuthenticationCode2")?;
    validate::mfa_code("AuthenticationCode1", first)?;
    validate::mfa_code("AuthenticationCode2", second)?;
    Ok((first, second))
}

async fn device(call: &Call<'_>, serial_number: &Arn) -> Result<VirtualMfaDevice, ApiError> {
    match call
        .state
        .store
        .virtual_mfa_device(call.account(), serial_number)
        .await
    {
        Ok(device) => Ok(device),
        Err(StoreError::NoSuchEntity { .. }) => Err(device_not_found(serial_number)),
        Err(error) => Err(error.into()),
    }
}

/// Reads the owner `EnableMFADevice` and `ResyncMFADevice` act on: `UserName`, or the root
/// user's owner name [`ROOT_USER_NAME`] when the root user omits it.
///
/// # Errors
///
/// `ValidationError` for an invalid `UserName`, which also keeps callers from naming the root
/// user's devices through it. A missing `UserName` from any other caller was rejected before
/// authorization.
fn owner_from_parameter_or_root(call: &Call<'_>) -> Result<String, ApiError> {
    match call.parameters.optional("UserName") {
        Some(name) => {
            validate::user_name(name)?;
            Ok(name.to_owned())
        }
        None if call.caller.is_root() => Ok(ROOT_USER_NAME.to_owned()),
        None => Err(ApiError::missing_parameter("UserName")),
    }
}

/// Returns the owner name as the store keeps it: the user's stored name, or
/// [`ROOT_USER_NAME`] unchanged.
///
/// # Errors
///
/// `NoSuchEntity` for a user that does not exist.
async fn stored_owner(call: &Call<'_>, owner: &str) -> Result<String, ApiError> {
    if owner == ROOT_USER_NAME {
        return Ok(ROOT_USER_NAME.to_owned());
    }
    let user = call.state.store.user(call.account(), owner).await?;
    Ok(user.record.user_name)
}

/// Checks two consecutive codes of a device against the current time.
fn check_consecutive_codes(
    call: &Call<'_>,
    device: &VirtualMfaDevice,
    first: &str,
    second: &str,
    window: ConsecutiveCodes,
) -> Result<u64, ApiError> {
    let totp = open_device_seed(
        &call.state.keyring,
        &device.serial_number,
        &device.sealed_seed,
    )?;
    let step = totp.verify_consecutive(first, second, call.state.clock.now(), window, None)?;
    Ok(step)
}

fn device_not_found(serial_number: &Arn) -> ApiError {
    ApiError::new(
        ErrorCode::NoSuchEntity,
        format!("MFA device with serial number {serial_number} cannot be found."),
    )
}
