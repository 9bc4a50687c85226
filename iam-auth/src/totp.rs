//! Time-based one-time passwords (RFC 6238) for virtual MFA devices.
//!
//! A device has a random seed, and its code for a 30-second time step is the HOTP value
//! (RFC 4226) of the step number. [`Totp::verify`] accepts the codes of the current step and
//! one step either side, and only for steps after the last accepted one, so each code works
//! once. Enabling and resynchronizing a device take two consecutive codes
//! ([`Totp::verify_consecutive`]).

mod enrollment;
mod sealing;

use std::fmt;

use data_encoding::BASE32_NOPAD;
use iam_model::RandomSource;
use jiff::Timestamp;
use ring::hmac;

use crate::AuthError;
use crate::encoding::constant_time_eq;

pub use enrollment::{QR_MODULE_PIXELS, QR_QUIET_ZONE_MODULES, qr_code_png};
pub use sealing::{open_device_seed, seal_device_seed, seed_context};

/// The minimum seed length, in bytes (160 bits).
pub const MIN_SEED_LEN: usize = 20;

/// The maximum seed length accepted, in bytes.
pub const MAX_SEED_LEN: usize = 128;

/// The step length of every AWS virtual MFA device, in seconds.
pub const DEFAULT_STEP_SECONDS: u64 = 30;

/// How many steps either side of the current one [`Totp::verify`] accepts, for clock drift.
pub const DRIFT_STEPS: u64 = 1;

/// How many steps either side of the current one the second code of a resynchronization may
/// fall.
///
/// NOTE: AWS does not document its resynchronization window. 20 steps (10 minutes) is this
/// service's choice.
pub const RESYNC_WINDOW_STEPS: u64 = 20;

/// The HMAC hash function of a TOTP device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TotpAlgorithm {
    /// HMAC-SHA1, the algorithm of AWS virtual MFA devices.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl TotpAlgorithm {
    /// Returns the name used in `otpauth://` URIs.
    pub fn as_str(self) -> &'static str {
        match self {
            TotpAlgorithm::Sha1 => "SHA1",
            TotpAlgorithm::Sha256 => "SHA256",
            TotpAlgorithm::Sha512 => "SHA512",
        }
    }

    /// Returns the seed length generated for this algorithm: the hash output length.
    pub fn seed_len(self) -> usize {
        match self {
            TotpAlgorithm::Sha1 => 20,
            TotpAlgorithm::Sha256 => 32,
            TotpAlgorithm::Sha512 => 64,
        }
    }

    fn hmac(self) -> hmac::Algorithm {
        match self {
            TotpAlgorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            TotpAlgorithm::Sha256 => hmac::HMAC_SHA256,
            TotpAlgorithm::Sha512 => hmac::HMAC_SHA512,
        }
    }
}

/// The secret seed of a TOTP device. Its `Debug` output is `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSeed(Vec<u8>);

impl TotpSeed {
    /// Generates a random seed as long as the algorithm's hash output.
    pub fn generate(algorithm: TotpAlgorithm, random: &dyn RandomSource) -> Self {
        let mut seed = vec![0u8; algorithm.seed_len()];
        random.fill(&mut seed);
        Self(seed)
    }

    /// Wraps seed bytes, such as a seed opened from its sealed form.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidTotpSeed`] outside 20 to 128 bytes.
    pub fn from_bytes(seed: Vec<u8>) -> Result<Self, AuthError> {
        if seed.len() < MIN_SEED_LEN {
            return Err(AuthError::InvalidTotpSeed(
                "the seed is shorter than 20 bytes",
            ));
        }
        if seed.len() > MAX_SEED_LEN {
            return Err(AuthError::InvalidTotpSeed(
                "the seed is longer than 128 bytes",
            ));
        }
        Ok(Self(seed))
    }

    /// Decodes a Base32 seed (RFC 4648, upper-case, padding optional).
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidTotpSeed`] for invalid Base32 or a seed outside 20 to 128 bytes.
    pub fn from_base32(text: &str) -> Result<Self, AuthError> {
        if text.len() > MAX_SEED_LEN * 2 {
            return Err(AuthError::InvalidTotpSeed(
                "the seed is longer than 128 bytes",
            ));
        }
        let decoded = BASE32_NOPAD
            .decode(text.trim_end_matches('=').as_bytes())
            .map_err(|_| AuthError::InvalidTotpSeed("the seed is not valid Base32"))?;
        Self::from_bytes(decoded)
    }

    /// Returns the seed in unpadded Base32, as `Base32StringSeed` carries it.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// Returns the seed bytes, for sealing only.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for TotpSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSeed(***)")
    }
}

/// The code parameters of a TOTP device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpParameters {
    /// The HMAC hash function.
    pub algorithm: TotpAlgorithm,
    /// The number of digits per code: 6 or 8.
    pub digits: u32,
    /// The step length, in seconds, from 1 to 300.
    pub step_seconds: u64,
}

impl Default for TotpParameters {
    /// Returns the parameters of AWS virtual MFA devices: SHA-1, 6 digits, 30 seconds.
    fn default() -> Self {
        Self {
            algorithm: TotpAlgorithm::Sha1,
            digits: 6,
            step_seconds: DEFAULT_STEP_SECONDS,
        }
    }
}

/// The search window of [`Totp::verify_consecutive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsecutiveCodes {
    /// `EnableMFADevice`: the second code is within [`DRIFT_STEPS`] of the current step.
    Enable,
    /// `ResyncMFADevice`: the second code is within [`RESYNC_WINDOW_STEPS`] of the current
    /// step.
    Resync,
}

/// A TOTP device: its seed and code parameters.
#[derive(Debug, Clone)]
pub struct Totp {
    seed: TotpSeed,
    parameters: TotpParameters,
    key: hmac::Key,
}

impl Totp {
    /// Creates a device.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidTotpParameters`] for digits other than 6 or 8 or a step outside 1
    /// to 300 seconds.
    pub fn new(seed: TotpSeed, parameters: TotpParameters) -> Result<Self, AuthError> {
        if !matches!(parameters.digits, 6 | 8) {
            return Err(AuthError::InvalidTotpParameters(format!(
                "`{}` digits, expected 6 or 8",
                parameters.digits
            )));
        }
        if !(1..=300).contains(&parameters.step_seconds) {
            return Err(AuthError::InvalidTotpParameters(format!(
                "step of `{}` seconds, expected 1 to 300",
                parameters.step_seconds
            )));
        }
        let key = hmac::Key::new(parameters.algorithm.hmac(), &seed.0);
        Ok(Self {
            seed,
            parameters,
            key,
        })
    }

    /// Returns the seed.
    pub fn seed(&self) -> &TotpSeed {
        &self.seed
    }

    /// Returns the code parameters.
    pub fn parameters(&self) -> TotpParameters {
        self.parameters
    }

    /// Returns the time step that contains `time`; times before 1970 fall in step 0.
    pub fn step_at(&self, time: Timestamp) -> u64 {
        let seconds = u64::try_from(time.as_second()).unwrap_or(0);
        seconds / self.parameters.step_seconds
    }

    /// Returns the code of time step `step`.
    pub fn code_at_step(&self, step: u64) -> String {
        hotp_with_key(&self.key, step, self.parameters.digits)
    }

    /// Returns the code for `time`.
    pub fn code_at(&self, time: Timestamp) -> String {
        self.code_at_step(self.step_at(time))
    }

    /// Checks `code` against the steps within [`DRIFT_STEPS`] of `now` and returns the step it
    /// matched, which the caller stores as the new last accepted step.
    ///
    /// # Errors
    ///
    /// - [`AuthError::InvalidMfaCodeFormat`] when `code` is not exactly the device's number of
    ///   digits.
    /// - [`AuthError::MfaCodeReused`] when it matches only steps at or before
    ///   `last_accepted_step`.
    /// - [`AuthError::MfaCodeMismatch`] when it matches no step in the window.
    pub fn verify(
        &self,
        code: &str,
        now: Timestamp,
        last_accepted_step: Option<u64>,
    ) -> Result<u64, AuthError> {
        self.check_format(code)?;
        let current = self.step_at(now);
        let mut accepted = None;
        let mut reused = None;
        for step in current.saturating_sub(DRIFT_STEPS)..=current.saturating_add(DRIFT_STEPS) {
            // Every step in the window is computed and compared, so the time taken does not
            // depend on which step matched.
            let matches = constant_time_eq(self.code_at_step(step).as_bytes(), code.as_bytes());
            let is_new = last_accepted_step.is_none_or(|last| step > last);
            if matches && is_new && accepted.is_none() {
                accepted = Some(step);
            } else if matches && !is_new {
                reused = Some(step);
            }
        }
        match (accepted, reused, last_accepted_step) {
            (Some(step), _, _) => Ok(step),
            (None, Some(step), Some(last_accepted_step)) => Err(AuthError::MfaCodeReused {
                step,
                last_accepted_step,
            }),
            _ => Err(AuthError::MfaCodeMismatch),
        }
    }

    /// Checks two codes that the device showed one after the other, as `EnableMFADevice` and
    /// `ResyncMFADevice` take them, and returns the step of the second code.
    ///
    /// Both steps must come after `last_accepted_step`.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidMfaCodeFormat`] for a malformed code,
    /// [`AuthError::MfaCodesNotConsecutive`] when the two codes are equal or match steps that
    /// are not consecutive, and [`AuthError::MfaCodeMismatch`] otherwise.
    pub fn verify_consecutive(
        &self,
        first: &str,
        second: &str,
        now: Timestamp,
        window: ConsecutiveCodes,
        last_accepted_step: Option<u64>,
    ) -> Result<u64, AuthError> {
        self.check_format(first)?;
        self.check_format(second)?;
        if first == second {
            return Err(AuthError::MfaCodesNotConsecutive);
        }
        let radius = match window {
            ConsecutiveCodes::Enable => DRIFT_STEPS,
            ConsecutiveCodes::Resync => RESYNC_WINDOW_STEPS,
        };
        let current = self.step_at(now);
        let earliest_second = current.saturating_sub(radius).max(1);
        let mut accepted = None;
        let mut second_matched = false;
        for second_step in earliest_second..=current.saturating_add(radius) {
            let first_step = second_step - 1;
            let is_new = last_accepted_step.is_none_or(|last| first_step > last);
            let second_matches =
                constant_time_eq(self.code_at_step(second_step).as_bytes(), second.as_bytes());
            let first_matches =
                constant_time_eq(self.code_at_step(first_step).as_bytes(), first.as_bytes());
            second_matched |= second_matches;
            if first_matches && second_matches && is_new && accepted.is_none() {
                accepted = Some(second_step);
            }
        }
        match accepted {
            Some(step) => Ok(step),
            None if second_matched => Err(AuthError::MfaCodesNotConsecutive),
            None => Err(AuthError::MfaCodeMismatch),
        }
    }

    fn check_format(&self, code: &str) -> Result<(), AuthError> {
        let digits = self.parameters.digits;
        let is_valid = code.len() == digits as usize && code.bytes().all(|b| b.is_ascii_digit());
        if is_valid {
            Ok(())
        } else {
            Err(AuthError::InvalidMfaCodeFormat { digits })
        }
    }
}

/// Computes the HOTP value (RFC 4226) of `counter` with `digits` digits.
pub fn hotp(seed: &[u8], counter: u64, algorithm: TotpAlgorithm, digits: u32) -> String {
    hotp_with_key(&hmac::Key::new(algorithm.hmac(), seed), counter, digits)
}

fn hotp_with_key(key: &hmac::Key, counter: u64, digits: u32) -> String {
    let tag = hmac::sign(key, &counter.to_be_bytes());
    let tag = tag.as_ref();
    // Dynamic truncation (RFC 4226 section 5.3): the low four bits of the last byte pick the
    // offset of four bytes, read big-endian with the top bit cleared.
    let offset = usize::from(tag.last().copied().unwrap_or(0) & 0x0f);
    let mut word = [0u8; 4];
    if let Some(bytes) = tag.get(offset..offset + 4) {
        word.copy_from_slice(bytes);
    }
    let truncated = u32::from_be_bytes(word) & 0x7fff_ffff;
    let modulus = 10u32.pow(digits.min(9));
    format!(
        "{:0width$}",
        truncated % modulus,
        width = digits.min(9) as usize
    )
}

#[cfg(test)]
mod tests;
