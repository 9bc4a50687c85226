use iam_model::SeededRandom;
use jiff::SignedDuration;

use super::*;
use crate::testing::{full_claims, issue_time, minimal_claims};
use iam_auth::seal::KeyEncryptionKey;

fn key(key_id: &str, fill: u8) -> KeyEncryptionKey {
    KeyEncryptionKey::new(key_id, &[fill; 32]).unwrap()
}

fn tokens(key_id: &str, fill: u8) -> SessionTokens {
    SessionTokens::new(Arc::new(Keyring::new(key(key_id, fill))))
}

#[test]
fn issued_token_verifies_with_same_claims() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(1);
    let claims = full_claims();

    let credentials = tokens.issue(&claims, &random).unwrap();
    let session = tokens
        .verify(
            credentials.session_token.expose(),
            credentials.access_key_id.as_str(),
            issue_time(),
        )
        .unwrap();

    assert_eq!(session.claims, claims);
    assert_eq!(session.access_key_id, credentials.access_key_id.as_str());
    assert_eq!(session.secret_access_key, credentials.secret_access_key);
    assert_eq!(credentials.expiration, claims.expires_at);
}

#[test]
fn access_key_id_and_secret_have_aws_shape() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(2);

    let credentials = tokens.issue(&minimal_claims(), &random).unwrap();

    let id = credentials.access_key_id.as_str();
    assert_eq!(id.len(), 20);
    assert!(id.starts_with("ASIA"));
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    assert_eq!(credentials.secret_access_key.expose().len(), 40);
}

#[test]
fn each_issue_draws_new_keys() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(3);

    let first = tokens.issue(&minimal_claims(), &random).unwrap();
    let second = tokens.issue(&minimal_claims(), &random).unwrap();

    assert_ne!(first.access_key_id, second.access_key_id);
    assert_ne!(first.secret_access_key, second.secret_access_key);
    assert_ne!(first.session_token, second.session_token);
}

#[test]
fn expiry_is_exclusive() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(4);
    let claims = minimal_claims();
    let credentials = tokens.issue(&claims, &random).unwrap();
    let token = credentials.session_token.expose();
    let id = credentials.access_key_id.as_str();

    let last_second = tokens.verify(token, id, claims.expires_at - SignedDuration::from_secs(1));
    let at_expiry = tokens.verify(token, id, claims.expires_at);

    assert!(last_second.is_ok());
    assert_eq!(
        at_expiry,
        Err(StsError::ExpiredToken {
            expired_at: claims.expires_at
        })
    );
    assert_eq!(at_expiry.unwrap_err().code(), "ExpiredToken");
}

#[test]
fn other_access_key_id_is_rejected() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(5);
    let first = tokens.issue(&minimal_claims(), &random).unwrap();
    let second = tokens.issue(&minimal_claims(), &random).unwrap();

    let result = tokens.verify(
        first.session_token.expose(),
        second.access_key_id.as_str(),
        issue_time(),
    );

    assert_eq!(result.unwrap_err().code(), "InvalidClientTokenId");
}

#[test]
fn token_from_foreign_keyring_is_rejected() {
    let ours = tokens("k1", 1);
    let theirs = tokens("k1", 2);
    let random = SeededRandom::new(6);
    let credentials = theirs.issue(&minimal_claims(), &random).unwrap();

    let result = ours.verify(
        credentials.session_token.expose(),
        credentials.access_key_id.as_str(),
        issue_time(),
    );

    assert_eq!(result.unwrap_err().code(), "InvalidClientTokenId");
}

#[test]
fn every_changed_character_is_rejected() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(7);
    let credentials = tokens.issue(&full_claims(), &random).unwrap();
    let token = credentials.session_token.expose();

    for index in 0..token.len() {
        let mut bytes = token.as_bytes().to_vec();
        bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        let result = tokens.verify(&tampered, credentials.access_key_id.as_str(), issue_time());
        assert!(
            matches!(result, Err(StsError::InvalidClientTokenId(_))),
            "character {index} changed was accepted"
        );
    }
}

#[test]
fn every_truncation_is_rejected() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(8);
    let credentials = tokens.issue(&minimal_claims(), &random).unwrap();
    let token = credentials.session_token.expose();

    for len in 0..token.len() {
        let result = tokens.verify(
            &token[..len],
            credentials.access_key_id.as_str(),
            issue_time(),
        );
        assert!(
            matches!(result, Err(StsError::InvalidClientTokenId(_))),
            "length {len} was accepted"
        );
    }
}

#[test]
fn malformed_token_text_is_rejected() {
    let tokens = tokens("k1", 1);
    let too_long = "A".repeat(MAX_SESSION_TOKEN_LEN + 1);

    for text in [
        "",
        "not base64!",
        "v1.k1.====",
        "v2.k1.AAAA",
        "v1.k9.AAAA",
        too_long.as_str(),
    ] {
        let result = tokens.verify(text, "ASIAEXAMPLE", issue_time());
        assert!(
            matches!(result, Err(StsError::InvalidClientTokenId(_))),
            "`{}` was accepted",
            &text[..text.len().min(20)]
        );
    }
}

#[test]
fn rotated_keyring_verifies_old_tokens() {
    let random = SeededRandom::new(9);
    let old = tokens("k1", 1);
    let credentials = old.issue(&minimal_claims(), &random).unwrap();
    let keyring = Keyring::new(key("k2", 2))
        .with_retired_key(key("k1", 1))
        .unwrap();
    let rotated = SessionTokens::new(Arc::new(keyring));

    let session = rotated.verify(
        credentials.session_token.expose(),
        credentials.access_key_id.as_str(),
        issue_time(),
    );
    let fresh = rotated.issue(&minimal_claims(), &random).unwrap();

    assert!(session.is_ok());
    assert!(
        old.verify(
            fresh.session_token.expose(),
            fresh.access_key_id.as_str(),
            issue_time()
        )
        .is_err()
    );
}

#[test]
fn credentials_debug_hides_secrets() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(10);
    let credentials = tokens.issue(&minimal_claims(), &random).unwrap();

    let text = format!("{credentials:?}");

    assert!(!text.contains(credentials.secret_access_key.expose()));
    assert!(!text.contains(credentials.session_token.expose()));
    assert!(text.contains(credentials.access_key_id.as_str()));
}

#[test]
fn constant_time_eq_compares_bytes() {
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"ab"));
}

#[test]
fn sealed_secret_of_other_context_is_rejected() {
    let keyring = Keyring::new(key("k1", 1));
    let random = SeededRandom::new(11);
    let claims = minimal_claims().encode("ASIAAAAAAAAAAAAAAAAA", &SecretAccessKey::new("s"));
    let stored_secret = keyring
        .seal(&claims, b"access key AKIAEXAMPLE", &random)
        .unwrap();
    let tokens = SessionTokens::new(Arc::new(keyring));

    let result = tokens.open(stored_secret.as_str());

    assert_eq!(
        result,
        Err(StsError::InvalidClientTokenId("authentication failed"))
    );
}

#[test]
fn largest_claims_fit_the_keyring() {
    let tokens = tokens("k1", 1);
    let random = SeededRandom::new(12);
    let claims = crate::testing::largest_claims();

    let credentials = tokens.issue(&claims, &random);

    assert!(credentials.is_ok(), "{credentials:?}");
    assert!(credentials.unwrap().session_token.expose().len() <= MAX_SESSION_TOKEN_LEN);
}
