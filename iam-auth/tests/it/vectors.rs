//! The RFC vectors for PBKDF2 (RFC 6070 and RFC 7914), HOTP (RFC 4226) and TOTP (RFC 6238).

use std::num::NonZeroU32;

use iam_auth::password::{Pbkdf2Algorithm, pbkdf2_derive};

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
