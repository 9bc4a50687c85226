//! Account settings: the password policy and the account alias.

use iam_model::{PasswordPolicy, validate};

use super::{Call, OperationResult, list_options};
use crate::encode;
use crate::error::{ApiError, ErrorCode};
use crate::xml::{Fields, Node};

/// Runs an account operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "GetAccountPasswordPolicy" => get_password_policy(call).await,
        "UpdateAccountPasswordPolicy" => update_password_policy(call).await,
        "DeleteAccountPasswordPolicy" => delete_password_policy(call).await,
        "CreateAccountAlias" => create_account_alias(call).await,
        "DeleteAccountAlias" => delete_account_alias(call).await,
        "ListAccountAliases" => list_account_aliases(call).await,
        _ => return None,
    };
    Some(result)
}

async fn get_password_policy(call: &Call<'_>) -> OperationResult {
    let account = call.state.store.account(call.account()).await?;
    let policy = account.password_policy.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoSuchEntity,
            format!(
                "The Password Policy with domain name {} cannot be found.",
                call.account()
            ),
        )
    })?;
    Ok(Some(Fields::new().structure(
        "PasswordPolicy",
        encode::password_policy(&policy),
    )))
}

/// Reads an optional integer parameter that must fit `T`, reporting AWS's range on failure.
fn bounded<T: TryFrom<i64>>(
    call: &Call<'_>,
    name: &str,
    minimum: i64,
    maximum: i64,
) -> Result<Option<T>, ApiError> {
    let Some(value) = call.parameters.integer(name)? else {
        return Ok(None);
    };
    let in_range = (minimum..=maximum).contains(&value);
    let converted = T::try_from(value).ok().filter(|_| in_range);
    converted.map(Some).ok_or_else(|| {
        ApiError::invalid_value(
            name,
            &value.to_string(),
            &format!("Member must have value between {minimum} and {maximum}"),
        )
    })
}

async fn update_password_policy(call: &Call<'_>) -> OperationResult {
    let parameters = call.parameters;
    let defaults = PasswordPolicy::default();
    // Every parameter the request leaves out goes back to its default, as in AWS.
    let policy = PasswordPolicy {
        minimum_password_length: bounded(call, "MinimumPasswordLength", 6, 128)?
            .unwrap_or(defaults.minimum_password_length),
        require_symbols: parameters.boolean("RequireSymbols")?.unwrap_or(false),
        require_numbers: parameters.boolean("RequireNumbers")?.unwrap_or(false),
        require_uppercase_characters: parameters
            .boolean("RequireUppercaseCharacters")?
            .unwrap_or(false),
        require_lowercase_characters: parameters
            .boolean("RequireLowercaseCharacters")?
            .unwrap_or(false),
        allow_users_to_change_password: parameters
            .boolean("AllowUsersToChangePassword")?
            .unwrap_or(false),
        max_password_age: bounded(call, "MaxPasswordAge", 1, 1095)?,
        password_reuse_prevention: bounded(call, "PasswordReusePrevention", 1, 24)?,
        hard_expiry: parameters.boolean("HardExpiry")?.unwrap_or(false),
    };
    validate::password_policy(&policy)?;

    call.state
        .store
        .set_password_policy(call.account(), policy)
        .await?;
    Ok(None)
}

async fn delete_password_policy(call: &Call<'_>) -> OperationResult {
    call.state
        .store
        .delete_password_policy(call.account())
        .await?;
    Ok(None)
}

async fn create_account_alias(call: &Call<'_>) -> OperationResult {
    let alias = call.parameters.required("AccountAlias")?;
    validate::account_alias(alias)?;
    call.state
        .store
        .create_account_alias(call.account(), alias)
        .await?;
    Ok(None)
}

async fn delete_account_alias(call: &Call<'_>) -> OperationResult {
    let alias = call.parameters.required("AccountAlias")?;
    call.state
        .store
        .delete_account_alias(call.account(), alias)
        .await?;
    Ok(None)
}

async fn list_account_aliases(call: &Call<'_>) -> OperationResult {
    // An account has at most one alias, so one page contains them all. `MaxItems` is still
    // checked against the range 1 to 1000 that the API model gives it.
    list_options(call.parameters, false)?;
    let account = call.state.store.account(call.account()).await?;
    let aliases = account.alias.into_iter().map(Node::Text);
    Ok(Some(
        Fields::new()
            .list("AccountAliases", aliases)
            .pagination(None),
    ))
}
