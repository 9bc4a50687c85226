//! Checking the MFA code an STS request carries (`SerialNumber` and `TokenCode`).

use std::sync::Arc;

use async_trait::async_trait;
use iam_auth::AuthError;
use iam_auth::seal::{Keyring, SealedSecret};
use iam_auth::totp::{Totp, TotpParameters, TotpSeed};
use iam_model::{AccountId, Arn, VirtualMfaDevice};
use iam_store::{IamStore, StoreError};
use jiff::Timestamp;

use crate::StsError;

/// Verifies MFA codes and makes each code usable once.
#[async_trait]
pub trait MfaVerifier: Send + Sync {
    /// Checks `token_code` against the MFA device `serial_number`, which must be enabled for
    /// the user `user_name` of `account`, and records the code's time step so the same code is
    /// rejected from then on.
    ///
    /// # Errors
    ///
    /// [`StsError::AccessDenied`] when the device is missing, belongs to someone else, or the
    /// code is wrong or already used.
    async fn verify(
        &self,
        account: AccountId,
        user_name: &str,
        serial_number: &str,
        token_code: &str,
        now: Timestamp,
    ) -> Result<(), StsError>;
}

/// Builds the context the server sealed a device's TOTP seed with, from its serial number.
pub type SeedContext = fn(&Arn) -> Vec<u8>;

/// The context a virtual MFA device's TOTP seed is sealed with, shared with the server that
/// seals seeds so STS checks codes of the devices it created.
pub use iam_auth::totp::seed_context;

/// An [`MfaVerifier`] over the store's virtual MFA devices and `iam-auth`'s TOTP.
///
/// The last accepted time step of each device lives in the store, which advances it with a
/// compare-and-set, so a code is accepted once across concurrent requests, server processes
/// and restarts.
pub struct StoredTotpVerifier {
    store: Arc<dyn IamStore>,
    keyring: Arc<Keyring>,
    seed_context: SeedContext,
}

impl StoredTotpVerifier {
    /// Creates a verifier that reads devices from `store` and opens their seeds with
    /// `keyring` under the context `seed_context` returns.
    pub fn new(store: Arc<dyn IamStore>, keyring: Arc<Keyring>, seed_context: SeedContext) -> Self {
        Self {
            store,
            keyring,
            seed_context,
        }
    }

    /// Opens the sealed TOTP seed of `device`.
    fn device_totp(&self, device: &VirtualMfaDevice) -> Result<Totp, StsError> {
        let sealed_text = std::str::from_utf8(&device.sealed_seed.0)
            .map_err(|_| StsError::ServiceFailure("a sealed MFA seed is not text".to_owned()))?;
        let seed = self
            .keyring
            .open(
                &SealedSecret::from_stored(sealed_text),
                &(self.seed_context)(&device.serial_number),
            )
            .map_err(|error| {
                StsError::ServiceFailure(format!("opening an MFA seed failed: {error}"))
            })?;
        let seed = TotpSeed::from_bytes(seed.expose().to_vec())
            .map_err(|error| StsError::ServiceFailure(error.to_string()))?;
        Totp::new(seed, TotpParameters::default())
            .map_err(|error| StsError::ServiceFailure(error.to_string()))
    }
}

#[async_trait]
impl MfaVerifier for StoredTotpVerifier {
    async fn verify(
        &self,
        account: AccountId,
        user_name: &str,
        serial_number: &str,
        token_code: &str,
        now: Timestamp,
    ) -> Result<(), StsError> {
        let denied = || {
            StsError::AccessDenied(
                "MultiFactorAuthentication failed with invalid MFA one time pass code".to_owned(),
            )
        };
        let store_failure = |error: StoreError| match error {
            StoreError::NoSuchEntity { .. } => denied(),
            error => StsError::ServiceFailure(error.to_string()),
        };
        let serial: Arn = serial_number.parse().map_err(|_| denied())?;
        let device = self
            .store
            .virtual_mfa_device(account, &serial)
            .await
            .map_err(store_failure)?;
        let enabled_for_caller = device
            .user_name
            .as_deref()
            .is_some_and(|owner| owner.eq_ignore_ascii_case(user_name));
        if !enabled_for_caller {
            return Err(denied());
        }
        let totp = self.device_totp(&device)?;

        let last_accepted = self
            .store
            .mfa_time_step(account, &serial)
            .await
            .map_err(store_failure)?;
        let step = match totp.verify(token_code, now, last_accepted) {
            Ok(step) => step,
            Err(AuthError::InvalidMfaCodeFormat { .. }) => {
                return Err(StsError::validation(
                    "TokenCode",
                    "expected exactly 6 digits",
                ));
            }
            Err(_) => return Err(denied()),
        };
        // Another request may have spent this code since the read above. The store's
        // compare-and-set lets exactly one of them through.
        let acceptance = self
            .store
            .accept_mfa_time_step(account, user_name, &serial, step)
            .await
            .map_err(store_failure)?;
        if acceptance.is_accepted() {
            Ok(())
        } else {
            Err(denied())
        }
    }
}
