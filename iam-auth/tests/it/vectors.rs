//! The RFC vectors for PBKDF2 (RFC 6070 and RFC 7914), HOTP (RFC 4226) and TOTP (RFC 6238).

use std::num::NonZeroU32;

use iam_auth::password::{Pbkdf2Algorithm, pbkdf2_derive};
use iam_auth::totp::{Totp, TotpAlgorithm, TotpParameters, TotpSeed, hotp};
use jiff::Timestamp;

use crate::corpus::{read_json, shared_path};

fn vectors() -> serde_json::Value {
    read_json(&shared_path("corpus/vectors/totp-hotp-pbkdf2.json"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn check_pbkdf2(section: &str, algorithm: Pbkdf2Algorithm, expected_count: usize) {
    let vectors = vectors();
    let cases = vectors[section].as_array().unwrap();
    assert_eq!(cases.len(), expected_count, "{section}");
    for case in cases {
        let password = case["password"].as_str().unwrap();
        let salt = case["salt"].as_str().unwrap();
        let iterations = u32::try_from(case["iterations"].as_u64().unwrap()).unwrap();
        let length = usize::try_from(case["dk_len"].as_u64().unwrap()).unwrap();
        let mut derived = vec![0u8; length];

        pbkdf2_derive(
            algorithm,
            NonZeroU32::new(iterations).unwrap(),
            salt.as_bytes(),
            password.as_bytes(),
            &mut derived,
        );

        assert_eq!(
            hex(&derived),
            case["dk_hex"].as_str().unwrap(),
            "{section}: {case}"
        );
    }
}

#[test]
fn pbkdf2_sha256_vectors() {
    check_pbkdf2("pbkdf2_hmac_sha256", Pbkdf2Algorithm::Sha256, 7);
}

#[test]
fn pbkdf2_sha1_vectors() {
    check_pbkdf2("pbkdf2_hmac_sha1", Pbkdf2Algorithm::Sha1, 5);
}

#[test]
fn hotp_vectors() {
    let vectors = vectors();
    let section = &vectors["hotp"];
    let seed = TotpSeed::from_base32(section["secret_base32"].as_str().unwrap()).unwrap();
    assert_eq!(
        seed.expose(),
        section["secret_ascii"].as_str().unwrap().as_bytes()
    );
    let cases = section["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 10);
    for case in cases {
        let counter = case["counter"].as_u64().unwrap();

        let code = hotp(seed.expose(), counter, TotpAlgorithm::Sha1, 6);

        assert_eq!(code, case["hotp"].as_str().unwrap(), "counter {counter}");
        let truncated = case["truncated_decimal"].as_u64().unwrap();
        assert_eq!(
            format!("{:06}", truncated % 1_000_000),
            code,
            "counter {counter}"
        );
    }
}

#[test]
fn totp_vectors() {
    let vectors = vectors();
    let section = &vectors["totp"];
    assert_eq!(section["step_seconds"], 30);
    assert_eq!(section["T0"], 0);
    let digits = u32::try_from(section["digits"].as_u64().unwrap()).unwrap();
    let cases = section["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 18);
    for case in cases {
        let (algorithm, name) = match case["algorithm"].as_str().unwrap() {
            "SHA1" => (TotpAlgorithm::Sha1, "SHA1"),
            "SHA256" => (TotpAlgorithm::Sha256, "SHA256"),
            "SHA512" => (TotpAlgorithm::Sha512, "SHA512"),
            other => panic!("unknown algorithm {other}"),
        };
        let secret = section["secrets"][name]["base32"].as_str().unwrap();
        let seed = TotpSeed::from_base32(secret).unwrap();
        assert_eq!(
            hex(seed.expose()),
            section["secrets"][name]["hex"].as_str().unwrap()
        );
        let parameters = TotpParameters {
            algorithm,
            digits,
            step_seconds: 30,
        };
        let device = Totp::new(seed, parameters).unwrap();
        let time = Timestamp::from_second(case["unix_time"].as_i64().unwrap()).unwrap();
        let expected = case["totp"].as_str().unwrap();

        let code = device.code_at(time);
        let verified = device.verify(expected, time, None);

        assert_eq!(code, expected, "{name} at {time}");
        assert_eq!(verified, Ok(device.step_at(time)), "{name} at {time}");
        assert_eq!(
            format!("{:016X}", device.step_at(time)),
            case["T_hex"].as_str().unwrap(),
            "{name} at {time}"
        );
    }
}
