//! Virtual MFA device seeds at rest: sealed under the keyring and bound to the device's serial
//! number.
//!
//! The IAM server seals a seed when it creates a device, and every component that checks codes
//! (the server for `EnableMFADevice` and `ResyncMFADevice`, the STS crate for `TokenCode`) opens
//! it with [`open_device_seed`] under the same [`seed_context`].

use iam_model::{Arn, RandomSource, SealedBytes};

use super::{Totp, TotpParameters, TotpSeed};
use crate::AuthError;
use crate::seal::{Keyring, SealedSecret};

/// Returns the sealing context of a device's seed: `mfa-seed/` followed by its serial number.
/// A sealed seed copied onto another device's record fails to open.
pub fn seed_context(serial_number: &Arn) -> Vec<u8> {
    format!("mfa-seed/{serial_number}").into_bytes()
}

/// Seals a new device's seed for storage.
///
/// # Errors
///
/// The keyring's errors, such as [`AuthError::UnknownKeyId`].
pub fn seal_device_seed(
    keyring: &Keyring,
    serial_number: &Arn,
    seed: &TotpSeed,
    random: &dyn RandomSource,
) -> Result<SealedBytes, AuthError> {
    let sealed = keyring.seal(seed.expose(), &seed_context(serial_number), random)?;
    Ok(SealedBytes(sealed.as_str().as_bytes().to_vec()))
}

/// Opens a device's sealed seed and returns the device with AWS's code parameters (SHA-1, six
/// digits, 30 seconds).
///
/// # Errors
///
/// [`AuthError::MalformedSealedSecret`] for bytes that are not a sealed secret, the keyring's
/// errors when it does not open under this serial number, and [`AuthError::InvalidTotpSeed`]
/// for a seed of the wrong length.
pub fn open_device_seed(
    keyring: &Keyring,
    serial_number: &Arn,
    sealed_seed: &SealedBytes,
) -> Result<Totp, AuthError> {
    let text = std::str::from_utf8(&sealed_seed.0)
        .map_err(|_| AuthError::MalformedSealedSecret("the sealed seed is not UTF-8"))?;
    let seed = keyring.open(
        &SealedSecret::from_stored(text),
        &seed_context(serial_number),
    )?;
    let seed = TotpSeed::from_bytes(seed.expose().to_vec())?;
    Totp::new(seed, TotpParameters::default())
}
