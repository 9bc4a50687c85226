//! The operation handlers: each decodes its parameters, calls one store or library function,
//! and encodes the result.

mod access_keys;
mod account;
mod authorization_details;
mod aws_policies;
mod credential_report;
mod groups;
mod instance_profiles;
mod login_profiles;
mod mfa_devices;
mod oidc_providers;
mod policies;
mod roles;
pub mod sts;
mod users;

use iam_model::{
    AccountId, Arn, Partition, Quota, ROOT_USER_NAME, Tag, UniqueId, UniqueIdKind, validate,
};
use iam_policy::{PolicyKind, ValidationOptions, validate_policy};
use iam_store::ListOptions;

use crate::app::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::identity::Caller;
use crate::query::QueryParameters;
use crate::service::Service;
use crate::xml::Fields;

pub use credential_report::CredentialReports;
pub use login_profiles::{MAX_FAILED_PASSWORD_ATTEMPTS, PASSWORD_LOCK_DURATION, PasswordAttempts};

/// The result of an operation: the `<ActionResult>` members, or none for actions that return
/// only response metadata.
pub type OperationResult = Result<Option<Fields>, ApiError>;

/// One authenticated, authorized call.
pub struct Call<'a> {
    /// The shared server state.
    pub state: &'a AppState,
    /// The caller.
    pub caller: &'a Caller,
    /// The request parameters.
    pub parameters: &'a QueryParameters,
}

impl Call<'_> {
    /// Returns the account the call acts on: the caller's.
    pub fn account(&self) -> AccountId {
        self.caller.account()
    }

    /// Returns the partition of the caller's account.
    pub fn partition(&self) -> Partition {
        Partition::Aws
    }

    /// Returns `UserName`, or the calling IAM user's name when the parameter is absent, or
    /// `None` for the root user calling without it.
    pub fn user_name_from_parameter_or_caller(&self) -> Option<&str> {
        self.parameters
            .optional("UserName")
            .or_else(|| self.caller.user_name())
    }

    /// Returns `UserName`, or the calling user's name when the parameter is absent, as AWS
    /// does for actions that default to the caller.
    ///
    /// # Errors
    ///
    /// `ValidationError` when neither is available: for role sessions and federated users
    /// calling without a name, and for the root user calling an action that applies to IAM
    /// users only, such as `GetLoginProfile`.
    pub fn user_name_or_caller(&self) -> Result<String, ApiError> {
        match self.user_name_from_parameter_or_caller() {
            Some(name) => Ok(name.to_owned()),
            None if self.caller.session().is_some() && !self.caller.is_root() => {
                Err(non_user_credentials())
            }
            None => Err(ApiError::new(
                ErrorCode::ValidationError,
                "1 validation error detected: Value null at 'userName' failed to satisfy \
                 constraint: Member must not be null. The root user has no IAM user record for \
                 this action, so pass UserName.",
            )),
        }
    }

    /// Returns the owner of the access keys or MFA devices an action manages: `UserName`, else
    /// the calling IAM user, else for the root user its owner name [`ROOT_USER_NAME`].
    ///
    /// # Errors
    ///
    /// `ValidationError` for a role session or federated user without `UserName`, and for a
    /// `UserName` that is not a valid user name. The check also keeps
    /// callers from naming the root user's keys through `UserName`.
    pub fn access_key_owner(&self) -> Result<String, ApiError> {
        if let Some(name) = self.parameters.optional("UserName") {
            validate::user_name(name)?;
        }
        match self.user_name_from_parameter_or_caller() {
            Some(name) => Ok(name.to_owned()),
            None if self.caller.is_root() => Ok(ROOT_USER_NAME.to_owned()),
            None => Err(non_user_credentials()),
        }
    }

    /// Draws a unique id of `kind`.
    pub fn unique_id(&self, kind: UniqueIdKind) -> UniqueId {
        UniqueId::generate(kind, self.state.random.as_ref())
    }
}

/// The error AWS returns when a role session or federated user omits `UserName` in an action
/// that defaults to the calling user.
pub(crate) fn non_user_credentials() -> ApiError {
    ApiError::new(
        ErrorCode::ValidationError,
        "Must specify userName when calling with non-User credentials",
    )
}

/// Runs an operation, or returns `None` when the server does not implement it.
pub async fn execute(service: Service, action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match (service, action) {
        (Service::Sts, "GetCallerIdentity") => get_caller_identity(call),
        (Service::Iam, "GetAccountSummary") => get_account_summary(call).await,
        (Service::Iam, _) => {
            if let Some(result) = aws_policies::reject_change(action, call) {
                result
            } else if let Some(result) = execute_account_wide(action, call).await {
                result
            } else if let Some(result) = execute_credentials(action, call).await {
                result
            } else if let Some(result) = users::execute(action, call).await {
                result
            } else if let Some(result) = access_keys::execute(action, call).await {
                result
            } else if let Some(result) = roles::execute(action, call).await {
                result
            } else if let Some(result) = policies::execute(action, call).await {
                result
            } else if let Some(result) = account::execute(action, call).await {
                result
            } else if let Some(result) = instance_profiles::execute(action, call).await {
                result
            } else {
                groups::execute(action, call).await?
            }
        }
        (Service::Sts, _) => sts::execute(action, call).await?,
    };
    Some(result)
}

fn get_caller_identity(call: &Call<'_>) -> OperationResult {
    Ok(Some(
        Fields::new()
            .text("UserId", call.caller.user_id())
            .text("Account", call.account().to_string())
            .text("Arn", call.caller.arn()),
    ))
}

/// Runs a login profile, MFA device or OpenID Connect provider operation, or returns `None`
/// for other actions.
async fn execute_credentials(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    if let Some(result) = login_profiles::execute(action, call).await {
        Some(result)
    } else if let Some(result) = mfa_devices::execute(action, call).await {
        Some(result)
    } else {
        oidc_providers::execute(action, call).await
    }
}

/// Runs an operation on the account as a whole (`GetAccountAuthorizationDetails`, the
/// credential report), or returns `None` for other actions.
async fn execute_account_wide(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    if let Some(result) = authorization_details::execute(action, call).await {
        Some(result)
    } else {
        credential_report::execute(action, call).await
    }
}

async fn get_account_summary(call: &Call<'_>) -> OperationResult {
    let store = &call.state.store;
    let mut summary = store.account_summary(call.account()).await?;
    let root_keys = store
        .list_access_keys(call.account(), ROOT_USER_NAME)
        .await?;
    let root_devices = store
        .list_mfa_devices(call.account(), ROOT_USER_NAME)
        .await?;
    // NOTE: no action of this server gives the root user a console password (AWS sets it in
    // its console), so that entry is 0.
    let root_entries = [
        ("AccountAccessKeysPresent", u32::from(!root_keys.is_empty())),
        ("AccountMFAEnabled", u32::from(!root_devices.is_empty())),
        ("AccountPasswordPresent", 0),
    ];
    for (key, value) in root_entries {
        summary.entries.insert(key.to_owned(), value);
    }

    let entries = summary
        .entries
        .into_iter()
        .map(|(key, value)| (key, crate::xml::Node::Text(value.to_string())))
        .collect();
    Ok(Some(Fields::new().map("SummaryMap", entries)))
}

/// The maximum length of a `Marker` that the store decodes, in bytes. Markers of long keys
/// pass the 320 characters of AWS's model, so the store's bound applies.
const MAX_MARKER_BYTES: usize = 2048;

/// Reads `PathPrefix`, `Marker` and `MaxItems` of a list operation.
///
/// # Errors
///
/// `ValidationError` for a malformed path prefix or a `MaxItems` outside 1 to 1000.
pub fn list_options(
    parameters: &QueryParameters,
    with_path_prefix: bool,
) -> Result<ListOptions, ApiError> {
    let path_prefix = if with_path_prefix {
        parameters.optional("PathPrefix").map(str::to_owned)
    } else {
        None
    };
    if let Some(prefix) = &path_prefix {
        validate::path_prefix(prefix)?;
    }
    let max_items = match parameters.integer("MaxItems")? {
        None => None,
        Some(value) => Some(
            u32::try_from(value)
                .ok()
                .filter(|value| (1..=iam_store::MAX_MAX_ITEMS).contains(value))
                .ok_or_else(|| {
                    ApiError::invalid_value(
                        "MaxItems",
                        &value.to_string(),
                        "Member must have value between 1 and 1000",
                    )
                })?,
        ),
    };
    let marker = parameters.optional("Marker");
    // The store rejects a longer marker too, but its message would repeat the whole value.
    if let Some(marker) = marker.filter(|marker| marker.len() > MAX_MARKER_BYTES) {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("invalid Marker `{}`", iam_model::shorten(marker)),
        ));
    }
    Ok(ListOptions {
        path_prefix,
        marker: marker.map(str::to_owned),
        max_items,
    })
}

/// Returns one page of a resource's tags for a `List*Tags` action, in the order of their keys
/// ignoring case, which are unique per resource.
///
/// # Errors
///
/// `InvalidInput` for a malformed marker or one of another listing.
pub fn tags_page(action: &str, tags: Vec<Tag>, options: &ListOptions) -> OperationResult {
    let page = iam_store::page_in_key_order(action, tags, |tag| tag.key.to_lowercase(), options)?;
    Ok(Some(
        Fields::new()
            .list("Tags", crate::encode::tags(&page.items))
            .pagination(page.marker),
    ))
}

/// Reads a `Tags.member.N.Key/Value` list; an absent list is empty.
///
/// # Errors
///
/// `ValidationError` for a member without `Key` or `Value`, or tags that break AWS's rules.
pub fn tags(parameters: &QueryParameters) -> Result<Vec<Tag>, ApiError> {
    let tags: Vec<Tag> = tag_pairs(parameters)?
        .into_iter()
        .map(|(key, value)| Tag::new(key, value))
        .collect();
    validate::tags(&tags)?;
    Ok(tags)
}

/// Reads a `Tags.member.N.Key/Value` list as key and value pairs without checking them; an
/// absent list is empty.
///
/// # Errors
///
/// `ValidationError` for a member without `Key` or `Value`.
pub fn tag_pairs(parameters: &QueryParameters) -> Result<Vec<(String, String)>, ApiError> {
    let members = parameters.structures("Tags")?.unwrap_or_default();
    members
        .into_iter()
        .map(|mut member| {
            let key = member
                .remove("Key")
                .ok_or_else(|| ApiError::missing_parameter("Key"))?;
            let value = member
                .remove("Value")
                .ok_or_else(|| ApiError::missing_parameter("Value"))?;
            Ok((key, value))
        })
        .collect()
}

/// Adds tags to a resource's tags. A new value replaces the value of a key that is equal
/// ignoring case, the same rule that rejects two such keys within one request.
///
/// # Errors
///
/// `LimitExceeded` when the resource would end up with more than 50 tags. A single request
/// with more than 50 tags is a `ValidationError` instead, raised when its tags are read.
pub fn add_tags(existing: &mut Vec<Tag>, added: &[Tag]) -> Result<(), ApiError> {
    let mut merged = existing.clone();
    iam_model::merge_tags(&mut merged, added);
    if merged.len() > validate::MAX_TAGS {
        return Err(ApiError::new(
            ErrorCode::LimitExceeded,
            format!(
                "The request would give the resource {} tags, more than the maximum of {}.",
                merged.len(),
                validate::MAX_TAGS
            ),
        ));
    }
    validate::tags(&merged)?;

    *existing = merged;
    Ok(())
}

/// Reads the `TagKeys.member.N` list of an `Untag*` call.
///
/// # Errors
///
/// `ValidationError` when the list is absent or a key breaks AWS's rules.
pub fn tag_keys(parameters: &QueryParameters) -> Result<Vec<String>, ApiError> {
    let keys = parameters
        .list("TagKeys")?
        .ok_or_else(|| ApiError::missing_parameter("TagKeys"))?;
    validate::tag_keys(&keys)?;
    Ok(keys)
}

/// Reads an optional ARN parameter.
///
/// # Errors
///
/// `InvalidInput` when the text is not an ARN.
pub fn optional_arn(parameters: &QueryParameters, name: &str) -> Result<Option<Arn>, ApiError> {
    parameters
        .optional(name)
        .map(|text| text.parse::<Arn>().map_err(|_| ApiError::invalid_arn(text)))
        .transpose()
}

/// Checks a policy document before it is stored: its characters and length, its size against
/// `quota`, and the policy grammar for its kind (a trust policy for `AssumeRolePolicySize`, an
/// identity policy otherwise).
///
/// # Errors
///
/// `ValidationError` for characters AWS does not accept, `LimitExceeded` over the size quota,
/// `MalformedPolicyDocument` with AWS's message for a grammar or rule violation.
pub fn check_policy_document(
    call: &Call<'_>,
    quota: Quota,
    document: &str,
) -> Result<(), ApiError> {
    validate::policy_document("PolicyDocument", document)?;
    call.state.quotas.check_policy_size(quota, [document])?;
    let kind = if quota == Quota::AssumeRolePolicySize {
        PolicyKind::Trust
    } else {
        PolicyKind::Identity
    };
    validate_policy(document, &ValidationOptions::new(kind, None))?;
    Ok(())
}
