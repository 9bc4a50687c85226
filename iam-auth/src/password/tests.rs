use iam_model::SeededRandom;

use super::*;

/// A low iteration count that keeps unoptimized test builds fast.
const TEST_ITERATIONS: u32 = 1_000;

fn hasher() -> PasswordHasher {
    PasswordHasher::new(TEST_ITERATIONS).unwrap()
}

#[test]
fn hash_verifies_only_its_password() {
    let hash = hasher()
        .hash("correct horse", &SeededRandom::new(1))
        .unwrap();

    assert!(hash.verify("correct horse"));
    assert!(!hash.verify("correct horsf"));
    assert!(!hash.verify(""));
}

#[test]
fn hash_encoding_round_trips() {
    let hash = hasher().hash("p@ss", &SeededRandom::new(2)).unwrap();

    let encoded = hash.to_string();
    let parsed: PasswordHash = encoded.parse().unwrap();

    assert!(encoded.starts_with("pbkdf2-sha256$1000$"));
    assert_eq!(encoded.split('$').count(), 4);
    assert_eq!(parsed, hash);
    assert!(parsed.verify("p@ss"));
}

#[test]
fn default_hasher_uses_600000_iterations() {
    let hasher = PasswordHasher::default();

    assert_eq!(hasher.iterations(), 600_000);
    assert_eq!(DEFAULT_ITERATIONS, 600_000);
}

#[test]
fn salts_differ_between_hashes() {
    let random = SeededRandom::new(3);

    let first = hasher().hash("same", &random).unwrap();
    let second = hasher().hash("same", &random).unwrap();

    assert_ne!(first.to_string(), second.to_string());
    assert_eq!(first.to_string().split('$').nth(2).unwrap().len(), 22);
}

#[test]
fn weaker_hash_needs_rehash() {
    let old = hasher().hash("pw", &SeededRandom::new(4)).unwrap();
    let stronger = PasswordHasher::new(TEST_ITERATIONS * 2).unwrap();

    assert!(old.needs_rehash(&stronger));
    assert!(!old.needs_rehash(&hasher()));
    let short_salt = hasher().hash_with_salt("pw", b"8-bytes!").unwrap();
    assert!(short_salt.needs_rehash(&hasher()));
}

#[test]
fn malformed_hashes_are_rejected() {
    let good = hasher()
        .hash("pw", &SeededRandom::new(5))
        .unwrap()
        .to_string();
    let parts: Vec<&str> = good.split('$').collect();
    let cases = [
        String::new(),
        "pbkdf2-sha256$1000$abc".to_owned(),
        format!("bcrypt$1000${}${}", parts[2], parts[3]),
        format!("pbkdf2-sha256$0${}${}", parts[2], parts[3]),
        format!("pbkdf2-sha256$10000001${}${}", parts[2], parts[3]),
        format!("pbkdf2-sha256$-1${}${}", parts[2], parts[3]),
        format!("pbkdf2-sha256$1000$!!${}", parts[3]),
        format!("pbkdf2-sha256$1000$AAAA${}", parts[3]),
        format!("pbkdf2-sha256$1000${}$AAAA", parts[2]),
        format!("{good}$extra"),
    ];
    for case in cases {
        let error = case.parse::<PasswordHash>().unwrap_err();
        assert!(
            matches!(error, AuthError::MalformedPasswordHash(_)),
            "{case}: {error}"
        );
    }
}

#[test]
fn overlong_password_is_rejected() {
    let long = "a".repeat(MAX_PASSWORD_BYTES + 1);

    let error = hasher().hash(&long, &SeededRandom::new(6)).unwrap_err();
    let hash = hasher().hash("short", &SeededRandom::new(6)).unwrap();

    assert!(matches!(error, AuthError::PasswordTooLong { .. }));
    assert!(!hash.verify(&long));
}

#[test]
fn iteration_bounds_are_checked() {
    assert!(PasswordHasher::new(0).is_err());
    assert!(PasswordHasher::new(MAX_ITERATIONS + 1).is_err());
    assert!(PasswordHasher::new(MAX_ITERATIONS).is_ok());
}

#[test]
fn debug_output_hides_salt_and_hash() {
    let hash = hasher().hash("pw", &SeededRandom::new(7)).unwrap();
    let encoded = hash.to_string();
    let salt = encoded.split('$').nth(2).unwrap();

    let printed = format!("{hash:?}");

    assert!(!printed.contains(salt));
    assert!(printed.contains("1000"));
}
