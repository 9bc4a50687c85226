//! Console passwords: login profiles and `ChangePassword`.
//!
//! Passwords are checked against the account password policy (or AWS's default rules when the
//! account has none) and kept only as PBKDF2 hashes. Hashing and verifying cost hundreds of
//! milliseconds each at the default iteration count, so they run on the blocking thread pool.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use iam_auth::AuthError;
use iam_auth::password::{PasswordHash, PasswordHasher};
use iam_auth::password_policy::{check_password, check_policy, check_reuse};
use iam_model::{AccountId, LoginProfile, PasswordPolicy, RandomSource};
use jiff::{SignedDuration, Timestamp};

use super::{Call, OperationResult};
use crate::encode;
use crate::error::{ApiError, ErrorCode, service_failure};
use crate::xml::Fields;

/// How many wrong `OldPassword` values lock a user's `ChangePassword`.
pub const MAX_FAILED_PASSWORD_ATTEMPTS: u32 = 5;

/// How long failed attempts count, and how long a locked password stays locked.
pub const PASSWORD_LOCK_DURATION: SignedDuration = SignedDuration::from_mins(15);

/// The maximum number of previous password hashes kept per user: the largest
/// `PasswordReusePrevention` AWS allows.
const MAX_PREVIOUS_PASSWORDS: usize = 24;

/// The maximum number of users whose failed attempts are remembered before the memory is
/// cleared.
const ATTEMPTS_MEMORY: usize = 10_000;

/// Runs a login profile operation, or returns `None` for other actions.
pub(super) async fn execute(action: &str, call: &Call<'_>) -> Option<OperationResult> {
    let result = match action {
        "CreateLoginProfile" => create_login_profile(call).await,
        "GetLoginProfile" => get_login_profile(call).await,
        "UpdateLoginProfile" => update_login_profile(call).await,
        "DeleteLoginProfile" => delete_login_profile(call).await,
        "ChangePassword" => change_password(call).await,
        _ => return None,
    };
    Some(result)
}

/// Failed `ChangePassword` attempts per user, kept in memory.
///
/// Checking `OldPassword` lets a holder of the user's access key guess the console password, so
/// after [`MAX_FAILED_PASSWORD_ATTEMPTS`] wrong values within [`PASSWORD_LOCK_DURATION`] the
/// call fails with `EntityTemporarilyUnmodifiable` until that time has passed since the first
/// failure.
///
/// NOTE: the counts live in this process only, so a restart or a second server starts from
/// zero.
#[derive(Debug, Default)]
pub struct PasswordAttempts {
    failures: Mutex<HashMap<(AccountId, String), FailedAttempts>>,
}

#[derive(Debug, Clone, Copy)]
struct FailedAttempts {
    count: u32,
    first: Timestamp,
}

impl PasswordAttempts {
    /// Returns when the user's password unlocks, or `None` when it is not locked at `now`.
    fn locked_until(
        &self,
        account: AccountId,
        user_name: &str,
        now: Timestamp,
    ) -> Option<Timestamp> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let attempts = failures.get(&(account, user_name.to_owned()))?;
        let until = attempts.first + PASSWORD_LOCK_DURATION;
        let locked = attempts.count >= MAX_FAILED_PASSWORD_ATTEMPTS && now < until;
        locked.then_some(until)
    }

    fn record_failure(&self, account: AccountId, user_name: &str, now: Timestamp) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= ATTEMPTS_MEMORY {
            failures.clear();
        }
        let attempts = failures
            .entry((account, user_name.to_owned()))
            .or_insert(FailedAttempts {
                count: 0,
                first: now,
            });
        if now >= attempts.first + PASSWORD_LOCK_DURATION {
            *attempts = FailedAttempts {
                count: 0,
                first: now,
            };
        }
        attempts.count += 1;
    }

    fn clear(&self, account: AccountId, user_name: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.remove(&(account, user_name.to_owned()));
    }
}

async fn create_login_profile(call: &Call<'_>) -> OperationResult {
    let user_name = call.user_name_or_caller()?;
    let password = call.parameters.required("Password")?;
    let password_reset_required = call
        .parameters
        .boolean("PasswordResetRequired")?
        .unwrap_or(false);
    let store = &call.state.store;
    store.user(call.account(), &user_name).await?;
    // Checked before the costly hash. The store checks again when it creates the profile.
    if store
        .login_profile(call.account(), &user_name)
        .await
        .is_ok()
    {
        return Err(iam_store::StoreError::EntityAlreadyExists {
            kind: iam_store::EntityKind::LoginProfile,
            name: user_name,
        }
        .into());
    }
    check_new_password(call, password).await?;

    let hash = hash_password(call, password).await?;
    let profile = LoginProfile {
        user_name: user_name.clone(),
        create_date: call.state.clock.now(),
        password_reset_required,
        password_hash: hash.to_string(),
        previous_password_hashes: Vec::new(),
    };
    store.create_login_profile(call.account(), profile).await?;
    let stored = store.login_profile(call.account(), &user_name).await?;
    Ok(Some(
        Fields::new().structure("LoginProfile", encode::login_profile(&stored)),
    ))
}

async fn get_login_profile(call: &Call<'_>) -> OperationResult {
    let user_name = call.user_name_or_caller()?;
    let profile = call
        .state
        .store
        .login_profile(call.account(), &user_name)
        .await?;
    Ok(Some(Fields::new().structure(
        "LoginProfile",
        encode::login_profile(&profile),
    )))
}

async fn update_login_profile(call: &Call<'_>) -> OperationResult {
    let user_name = call.parameters.required("UserName")?;
    let password = call.parameters.optional("Password");
    let password_reset_required = call.parameters.boolean("PasswordResetRequired")?;
    let store = &call.state.store;
    let mut profile = store.login_profile(call.account(), user_name).await?;

    if let Some(password) = password {
        // NOTE: `PasswordReusePrevention` binds users who change their own password. An
        // administrator setting a password here is not checked against earlier ones, but the
        // old hash still joins the history.
        check_new_password(call, password).await?;
        let hash = hash_password(call, password).await?;
        replace_password(&mut profile, hash.to_string());
    }
    if let Some(required) = password_reset_required {
        profile.password_reset_required = required;
    }
    store.update_login_profile(call.account(), profile).await?;
    Ok(None)
}

async fn delete_login_profile(call: &Call<'_>) -> OperationResult {
    let user_name = call.user_name_or_caller()?;
    call.state
        .store
        .delete_login_profile(call.account(), &user_name)
        .await?;
    Ok(None)
}

async fn change_password(call: &Call<'_>) -> OperationResult {
    let Some(user_name) = call.caller.user_name() else {
        return Err(ApiError::new(
            ErrorCode::InvalidUserType,
            "ChangePassword changes the password of the calling IAM user. The root user has no \
             IAM login profile; use UpdateLoginProfile to set a user's password.",
        ));
    };
    let old_password = call.parameters.required("OldPassword")?;
    let new_password = call.parameters.required("NewPassword")?;
    let account = call.account();
    let now = call.state.clock.now();
    let attempts = &call.state.password_attempts;
    if let Some(until) = attempts.locked_until(account, user_name, now) {
        return Err(locked(user_name, until));
    }
    let store = &call.state.store;
    let mut profile = store.login_profile(account, user_name).await?;
    let policy = store.account(account).await?.password_policy;

    let current = parse_hash(&profile.password_hash)?;
    let old_password_owned = old_password.to_owned();
    let old_matches = run_blocking(move || current.verify(&old_password_owned)).await?;
    if !old_matches {
        attempts.record_failure(account, user_name, now);
        if let Some(until) = attempts.locked_until(account, user_name, now) {
            return Err(locked(user_name, until));
        }
        // NOTE: AWS documents no error for a wrong old password. The API reference lists none
        // that fits, because InvalidUserType is for callers that are not IAM users. AWS's
        // console reports a failed change as "not authorized to perform iam:ChangePassword",
        // so the server returns AccessDenied, which every action may return.
        return Err(ApiError::new(
            ErrorCode::AccessDenied,
            "The old password is incorrect.",
        ));
    }
    attempts.clear(account, user_name);

    check_new_password(call, new_password).await?;
    if let Some(policy) = policy {
        check_not_reused(&policy, &profile, new_password).await?;
    }
    let hash = hash_password(call, new_password).await?;
    replace_password(&mut profile, hash.to_string());
    profile.password_reset_required = false;
    store.update_login_profile(account, profile).await?;
    Ok(None)
}

/// Makes `hash` the current password and moves the previous one into the history.
fn replace_password(profile: &mut LoginProfile, hash: String) {
    let previous = std::mem::replace(&mut profile.password_hash, hash);
    profile.previous_password_hashes.insert(0, previous);
    profile
        .previous_password_hashes
        .truncate(MAX_PREVIOUS_PASSWORDS);
}

/// Checks a new password against the account's password policy, or AWS's default rules when
/// there is none. The default rules also reject the account alias as a password.
async fn check_new_password(call: &Call<'_>, password: &str) -> Result<(), ApiError> {
    let account = call.state.store.account(call.account()).await?;
    let alias = account.alias.unwrap_or_default();
    let account_id = call.account().to_string();
    match &account.password_policy {
        Some(policy) => check_policy(policy, password)?,
        None => check_password(None, password, &[alias.as_str(), account_id.as_str()])?,
    }
    Ok(())
}

/// Rejects a password that matches the current one or one of the most recent earlier ones
/// that `PasswordReusePrevention` covers.
async fn check_not_reused(
    policy: &PasswordPolicy,
    profile: &LoginProfile,
    password: &str,
) -> Result<(), ApiError> {
    let Some(count) = policy.password_reuse_prevention else {
        return Ok(());
    };
    let hashes = std::iter::once(&profile.password_hash)
        .chain(&profile.previous_password_hashes)
        .take(usize::from(count))
        .map(|text| parse_hash(text))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = policy.clone();
    let password = password.to_owned();
    run_blocking(move || check_reuse(&policy, &password, &hashes)).await??;
    Ok(())
}

async fn hash_password(call: &Call<'_>, password: &str) -> Result<PasswordHash, ApiError> {
    let hasher: PasswordHasher = call.state.password_hasher;
    let random: Arc<dyn RandomSource> = Arc::clone(&call.state.random);
    let password = password.to_owned();
    let hash = run_blocking(move || hasher.hash(&password, random.as_ref())).await??;
    Ok(hash)
}

fn parse_hash(text: &str) -> Result<PasswordHash, ApiError> {
    text.parse::<PasswordHash>().map_err(|error: AuthError| {
        tracing::error!(%error, "a stored password hash does not parse");
        service_failure()
    })
}

/// Runs a CPU-heavy password computation on the blocking thread pool.
async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(%error, "a password computation failed to finish");
        service_failure()
    })
}

fn locked(user_name: &str, until: Timestamp) -> ApiError {
    ApiError::new(
        ErrorCode::EntityTemporarilyUnmodifiable,
        format!(
            "The login profile of user {user_name} is locked after {MAX_FAILED_PASSWORD_ATTEMPTS} \
             wrong old passwords. Try again after {}.",
            crate::xml::format_timestamp(until)
        ),
    )
}
