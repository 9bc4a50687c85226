use iam_model::SeededRandom;
use proptest::prelude::*;

use super::*;

/// A time in the middle of a 30-second step.
const NOW: &str = "2026-03-01T10:00:15Z";

fn device(seed: u64) -> Totp {
    let seed = TotpSeed::generate(TotpAlgorithm::Sha1, &SeededRandom::new(seed));
    Totp::new(seed, TotpParameters::default()).unwrap()
}

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

fn at_step(device: &Totp, step: u64) -> Timestamp {
    let seconds = i64::try_from(step * device.parameters().step_seconds).unwrap();
    Timestamp::from_second(seconds + 10).unwrap()
}

#[test]
fn code_is_accepted_once() {
    let alice = device(1);
    let step = alice.step_at(now());
    let code = alice.code_at(now());

    let first = alice.verify(&code, now(), None);
    let again = alice.verify(&code, now(), Some(step));

    assert_eq!(first, Ok(step));
    assert_eq!(
        again,
        Err(AuthError::MfaCodeReused {
            step,
            last_accepted_step: step
        })
    );
}

#[test]
fn next_step_code_is_accepted_after_use() {
    let alice = device(1);
    let step = alice.step_at(now());
    let later = at_step(&alice, step + 1);

    let accepted = alice.verify(&alice.code_at(later), later, Some(step));

    assert_eq!(accepted, Ok(step + 1));
}

#[test]
fn drift_of_one_step_is_accepted() {
    let alice = device(2);
    let step = alice.step_at(now());

    for drift in [step - 1, step, step + 1] {
        let code = alice.code_at_step(drift);
        assert_eq!(alice.verify(&code, now(), None), Ok(drift), "step {drift}");
    }
}

#[test]
fn old_code_is_rejected() {
    let alice = device(3);
    let step = alice.step_at(now());

    for old in [step - 10, step - 2, step + 2] {
        let code = alice.code_at_step(old);
        let outcome = alice.verify(&code, now(), None);
        // A code of another step can equal a window code by chance (one in a million).
        if alice.code_at_step(step - 1) != code
            && alice.code_at_step(step) != code
            && alice.code_at_step(step + 1) != code
        {
            assert_eq!(outcome, Err(AuthError::MfaCodeMismatch), "step {old}");
        }
    }
}

#[test]
fn older_step_than_last_accepted_is_reused() {
    let alice = device(4);
    let step = alice.step_at(now());

    let outcome = alice.verify(&alice.code_at_step(step - 1), now(), Some(step));

    assert_eq!(
        outcome,
        Err(AuthError::MfaCodeReused {
            step: step - 1,
            last_accepted_step: step
        })
    );
}

#[test]
fn malformed_codes_are_rejected() {
    let alice = device(5);

    for code in ["12345", "1234567", "12a456", "", " 123456", "١٢٣٤٥٦"] {
        let error = alice.verify(code, now(), None).unwrap_err();
        assert_eq!(
            error,
            AuthError::InvalidMfaCodeFormat { digits: 6 },
            "{code:?}"
        );
        assert_eq!(error.aws_code(), "ValidationError");
    }
}

#[test]
fn enable_needs_two_different_consecutive_codes() {
    let bob = device(6);
    let step = bob.step_at(now());
    let current = bob.code_at_step(step);
    let previous = bob.code_at_step(step - 1);

    let same_twice =
        bob.verify_consecutive(&current, &current, now(), ConsecutiveCodes::Enable, None);
    let consecutive =
        bob.verify_consecutive(&previous, &current, now(), ConsecutiveCodes::Enable, None);
    let wrong = bob.verify_consecutive("000000", "111111", now(), ConsecutiveCodes::Enable, None);
    let reversed =
        bob.verify_consecutive(&current, &previous, now(), ConsecutiveCodes::Enable, None);

    assert_eq!(same_twice, Err(AuthError::MfaCodesNotConsecutive));
    assert_eq!(consecutive, Ok(step));
    assert_eq!(wrong, Err(AuthError::MfaCodeMismatch));
    assert!(reversed.is_err());
    assert_eq!(
        same_twice.unwrap_err().aws_code(),
        "InvalidAuthenticationCode"
    );
}

#[test]
fn enable_accepts_codes_one_step_ahead() {
    let bob = device(7);
    let step = bob.step_at(now());

    let ahead = bob.verify_consecutive(
        &bob.code_at_step(step),
        &bob.code_at_step(step + 1),
        now(),
        ConsecutiveCodes::Enable,
        None,
    );

    assert_eq!(ahead, Ok(step + 1));
}

#[test]
fn resync_accepts_drifted_codes() {
    let bob = device(8);
    let step = bob.step_at(now());
    let first = bob.code_at_step(step - 15);
    let second = bob.code_at_step(step - 14);

    let enable = bob.verify_consecutive(&first, &second, now(), ConsecutiveCodes::Enable, None);
    let resync = bob.verify_consecutive(&first, &second, now(), ConsecutiveCodes::Resync, None);
    let replayed = bob.verify_consecutive(
        &first,
        &second,
        now(),
        ConsecutiveCodes::Resync,
        Some(step - 14),
    );

    assert!(enable.is_err());
    assert_eq!(resync, Ok(step - 14));
    assert!(replayed.is_err());
}

#[test]
fn parameters_are_checked() {
    let seed = TotpSeed::generate(TotpAlgorithm::Sha1, &SeededRandom::new(9));
    for parameters in [
        TotpParameters {
            digits: 7,
            ..TotpParameters::default()
        },
        TotpParameters {
            step_seconds: 0,
            ..TotpParameters::default()
        },
        TotpParameters {
            step_seconds: 301,
            ..TotpParameters::default()
        },
    ] {
        let error = Totp::new(seed.clone(), parameters).unwrap_err();
        assert!(
            matches!(error, AuthError::InvalidTotpParameters(_)),
            "{parameters:?}"
        );
    }
}

#[test]
fn eight_digit_codes_work() {
    let seed = TotpSeed::generate(TotpAlgorithm::Sha256, &SeededRandom::new(10));
    let parameters = TotpParameters {
        algorithm: TotpAlgorithm::Sha256,
        digits: 8,
        step_seconds: 30,
    };
    let device = Totp::new(seed, parameters).unwrap();

    let code = device.code_at(now());

    assert_eq!(code.len(), 8);
    assert!(device.verify(&code, now(), None).is_ok());
    assert!(device.verify(&code[..6], now(), None).is_err());
}

#[test]
fn seeds_are_long_enough_and_base32() {
    let random = SeededRandom::new(11);

    let sha1 = TotpSeed::generate(TotpAlgorithm::Sha1, &random);
    let sha512 = TotpSeed::generate(TotpAlgorithm::Sha512, &random);
    let parsed = TotpSeed::from_base32(&sha1.to_base32()).unwrap();

    assert_eq!(sha1.expose().len(), 20);
    assert_eq!(sha512.expose().len(), 64);
    assert_eq!(sha1.to_base32().len(), 32);
    assert_eq!(parsed, sha1);
    assert!(TotpSeed::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").is_ok());
    assert!(TotpSeed::from_bytes(vec![0; 19]).is_err());
    assert!(TotpSeed::from_bytes(vec![0; 129]).is_err());
    assert!(TotpSeed::from_base32("not base32!").is_err());
    assert!(TotpSeed::from_base32("GEZDGNBV").is_err());
    assert_eq!(format!("{sha1:?}"), "TotpSeed(***)");
}

#[test]
fn enrollment_uri_follows_aws_format() {
    let seed = TotpSeed::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
    let device = Totp::new(seed, TotpParameters::default()).unwrap();

    let uri = device.enrollment_uri("alice-phone", "alice", None);
    let with_issuer = device.enrollment_uri("my device", "alice@example.com", Some("IAM Local"));

    assert_eq!(
        uri,
        "otpauth://totp/alice-phone@alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    );
    assert_eq!(
        with_issuer,
        "otpauth://totp/my%20device@alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
         &issuer=IAM%20Local"
    );
}

#[test]
fn enrollment_uri_names_non_default_parameters() {
    let seed = TotpSeed::generate(TotpAlgorithm::Sha512, &SeededRandom::new(12));
    let parameters = TotpParameters {
        algorithm: TotpAlgorithm::Sha512,
        digits: 8,
        step_seconds: 60,
    };
    let device = Totp::new(seed, parameters).unwrap();

    let uri = device.enrollment_uri("d", "a", None);

    assert!(
        uri.ends_with("&algorithm=SHA512&digits=8&period=60"),
        "{uri}"
    );
}

#[test]
fn qr_png_encodes_the_code_modules() {
    let device = device(13);
    let uri = device.enrollment_uri("alice-phone", "alice", None);

    let png_bytes = device
        .enrollment_qr_png("alice-phone", "alice", None)
        .unwrap();

    let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let code =
        qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M).unwrap();
    let modules = code.width();
    let side = (modules + 2 * QR_QUIET_ZONE_MODULES) * QR_MODULE_PIXELS;
    assert_eq!(info.width as usize, side);
    assert_eq!(info.height as usize, side);
    assert_eq!(info.bit_depth, png::BitDepth::One);
    let pixel_is_dark = |x: usize, y: usize| {
        let byte = buffer[y * info.line_size + x / 8];
        byte & (0x80 >> (x % 8)) == 0
    };
    for (index, color) in code.to_colors().iter().enumerate() {
        let x = (index % modules + QR_QUIET_ZONE_MODULES) * QR_MODULE_PIXELS + 1;
        let y = (index / modules + QR_QUIET_ZONE_MODULES) * QR_MODULE_PIXELS + 1;
        assert_eq!(
            pixel_is_dark(x, y),
            *color == qrcode::Color::Dark,
            "module {index}"
        );
    }
    assert!(!pixel_is_dark(0, 0), "the quiet zone is white");
}

#[test]
fn oversized_qr_payload_fails() {
    let error = qr_code_png(&[b'a'; 5000]).unwrap_err();

    assert!(matches!(error, AuthError::QrCode(_)));
}

#[test]
fn sealed_seed_opens_for_its_device_only() {
    let random = SeededRandom::new(3);
    let keyring =
        crate::seal::Keyring::new(crate::seal::KeyEncryptionKey::new("test", &[5_u8; 32]).unwrap());
    let serial: iam_model::Arn = "arn:aws:iam::111122223333:mfa/alice".parse().unwrap();
    let other: iam_model::Arn = "arn:aws:iam::111122223333:mfa/bob".parse().unwrap();
    let seed = TotpSeed::generate(TotpAlgorithm::Sha1, &random);

    let sealed = seal_device_seed(&keyring, &serial, &seed, &random).unwrap();
    let opened = open_device_seed(&keyring, &serial, &sealed).unwrap();
    let moved = open_device_seed(&keyring, &other, &sealed);

    assert_eq!(opened.seed(), &seed);
    assert!(
        !String::from_utf8_lossy(&sealed.0).contains(&seed.to_base32()),
        "the sealed form shows the seed"
    );
    assert!(
        matches!(moved, Err(AuthError::SealedSecretTampered(_))),
        "{moved:?}"
    );
}

proptest! {
    #[test]
    fn current_code_always_verifies(seed in any::<u64>(), seconds in 0i64..4_000_000_000) {
        let device = device(seed);
        let time = Timestamp::from_second(seconds).unwrap();
        let code = device.code_at(time);
        prop_assert_eq!(code.len(), 6);
        // Another step of the window may share the code by chance, so check the step's code.
        let step = device.verify(&code, time, None).unwrap();
        prop_assert!(step.abs_diff(device.step_at(time)) <= DRIFT_STEPS);
        prop_assert_eq!(device.code_at_step(step), code);
    }
}
