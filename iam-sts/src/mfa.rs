//! Checking the MFA code an STS request carries (`SerialNumber` and `TokenCode`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use iam_auth::AuthError;
use iam_auth::seal::{Keyring, SealedSecret};
use iam_auth::totp::{Totp, TotpParameters, TotpSeed};
use iam_model::{AccountId, Arn};
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

/// Builds the context a virtual MFA device's TOTP seed is sealed with, which binds the sealed
/// seed to the device's serial number. The server seals seeds with it and gives it to
/// [`StoredTotpVerifier::new`], so STS checks codes of the devices the server created.
pub fn seed_context(serial_number: &Arn) -> Vec<u8> {
    format!("mfa-seed/{serial_number}").into_bytes()
}

/// An [`MfaVerifier`] over the store's virtual MFA devices and `iam-auth`'s TOTP.
///
/// TODO: the last accepted time step of each device lives in this value's memory, so a code
/// stays single-use only within one server process and is usable again after a restart
/// within its 90-second window. The store has no field for it yet.
pub struct StoredTotpVerifier {
    store: Arc<dyn IamStore>,
    keyring: Arc<Keyring>,
    seed_context: SeedContext,
    last_accepted_steps: Mutex<HashMap<Arn, u64>>,
}

impl StoredTotpVerifier {
    /// Creates a verifier that reads devices from `store` and opens their seeds with
    /// `keyring` under the context `seed_context` returns.
    pub fn new(store: Arc<dyn IamStore>, keyring: Arc<Keyring>, seed_context: SeedContext) -> Self {
        Self {
            store,
            keyring,
            seed_context,
            last_accepted_steps: Mutex::new(HashMap::new()),
        }
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
        let serial: Arn = serial_number.parse().map_err(|_| denied())?;
        let device = match self.store.virtual_mfa_device(account, &serial).await {
            Ok(device) => device,
            Err(StoreError::NoSuchEntity { .. }) => return Err(denied()),
            Err(error) => return Err(StsError::ServiceFailure(error.to_string())),
        };
        let enabled_for_caller = device
            .user_name
            .as_deref()
            .is_some_and(|owner| owner.eq_ignore_ascii_case(user_name));
        if !enabled_for_caller {
            return Err(denied());
        }

        let sealed_text = String::from_utf8(device.sealed_seed.0.clone())
            .map_err(|_| StsError::ServiceFailure("a sealed MFA seed is not text".to_owned()))?;
        let seed = self
            .keyring
            .open(
                &SealedSecret::from_stored(sealed_text),
                &(self.seed_context)(&serial),
            )
            .map_err(|error| {
                StsError::ServiceFailure(format!("opening an MFA seed failed: {error}"))
            })?;
        let seed = TotpSeed::from_bytes(seed.expose().to_vec())
            .map_err(|error| StsError::ServiceFailure(error.to_string()))?;
        let totp = Totp::new(seed, TotpParameters::default())
            .map_err(|error| StsError::ServiceFailure(error.to_string()))?;

        // INVARIANT (one check per device at a time): the lock is held from reading the last
        // step to recording the new one, so two requests cannot both spend the same code.
        let mut steps = self
            .last_accepted_steps
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let last = steps.get(&serial).copied();
        match totp.verify(token_code, now, last) {
            Ok(step) => {
                steps.insert(serial, step);
                Ok(())
            }
            Err(AuthError::InvalidMfaCodeFormat { .. }) => Err(StsError::validation(
                "TokenCode",
                "expected exactly 6 digits",
            )),
            Err(_) => Err(denied()),
        }
    }
}
