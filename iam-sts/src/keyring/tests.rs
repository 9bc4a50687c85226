use iam_model::SeededRandom;

use super::*;

fn keyring(key_id: u32, fill: u8) -> Keyring {
    Keyring::new(key_id, &[fill; KEY_LEN]).unwrap()
}

#[test]
fn seal_then_open_returns_plaintext() {
    let random = SeededRandom::new(1);
    let keyring = keyring(7, 1);

    let sealed = keyring
        .seal(SealPurpose::SessionToken, b"claims", &random)
        .unwrap();
    let opened = keyring.open(SealPurpose::SessionToken, &sealed).unwrap();

    assert_eq!(opened, b"claims");
    assert_eq!(sealed.len(), MIN_SEALED_LEN + 6);
    assert_eq!(sealed.get(1..5), Some(&7_u32.to_be_bytes()[..]));
}

#[test]
fn seal_draws_fresh_nonce_each_time() {
    let random = SeededRandom::new(1);
    let keyring = keyring(7, 1);

    let first = keyring
        .seal(SealPurpose::SessionToken, b"same", &random)
        .unwrap();
    let second = keyring
        .seal(SealPurpose::SessionToken, b"same", &random)
        .unwrap();

    assert_ne!(first, second);
}

#[test]
fn rotation_keeps_old_key_opening() {
    let random = SeededRandom::new(2);
    let mut keyring = keyring(1, 1);
    let old = keyring
        .seal(SealPurpose::SessionToken, b"old", &random)
        .unwrap();

    keyring.add(2, &[2; KEY_LEN]).unwrap();
    keyring.make_current(2).unwrap();
    let new = keyring
        .seal(SealPurpose::SessionToken, b"new", &random)
        .unwrap();

    assert_eq!(keyring.current_key_id(), 2);
    assert_eq!(
        keyring.open(SealPurpose::SessionToken, &old).unwrap(),
        b"old"
    );
    assert_eq!(
        keyring.open(SealPurpose::SessionToken, &new).unwrap(),
        b"new"
    );
    assert_eq!(new.get(1..5), Some(&2_u32.to_be_bytes()[..]));
}

#[test]
fn removed_key_no_longer_opens() {
    let random = SeededRandom::new(3);
    let mut keyring = keyring(1, 1);
    let old = keyring
        .seal(SealPurpose::SessionToken, b"old", &random)
        .unwrap();
    keyring.add(2, &[2; KEY_LEN]).unwrap();
    keyring.make_current(2).unwrap();

    keyring.remove(1).unwrap();

    assert_eq!(
        keyring.open(SealPurpose::SessionToken, &old),
        Err(StsError::InvalidClientTokenId("unknown sealing key"))
    );
}

#[test]
fn current_key_cannot_be_removed() {
    let mut keyring = keyring(1, 1);

    let result = keyring.remove(1);

    assert!(matches!(result, Err(StsError::ServiceFailure(_))));
    assert!(keyring.key(1).is_some());
}

#[test]
fn duplicate_key_id_is_rejected() {
    let mut keyring = keyring(1, 1);

    let result = keyring.add(1, &[9; KEY_LEN]);

    assert!(matches!(result, Err(StsError::ServiceFailure(_))));
}

#[test]
fn make_current_rejects_unknown_id() {
    let mut keyring = keyring(1, 1);

    let result = keyring.make_current(5);

    assert!(matches!(result, Err(StsError::ServiceFailure(_))));
    assert_eq!(keyring.current_key_id(), 1);
}

#[test]
fn every_flipped_bit_is_rejected() {
    let random = SeededRandom::new(4);
    let keyring = keyring(1, 1);
    let sealed = keyring
        .seal(SealPurpose::SessionToken, b"claims", &random)
        .unwrap();

    for index in 0..sealed.len() {
        for bit in 0..8 {
            let mut tampered = sealed.clone();
            tampered[index] ^= 1 << bit;
            let result = keyring.open(SealPurpose::SessionToken, &tampered);
            assert!(
                matches!(result, Err(StsError::InvalidClientTokenId(_))),
                "byte {index} bit {bit} was accepted"
            );
        }
    }
}

#[test]
fn every_truncation_is_rejected() {
    let random = SeededRandom::new(5);
    let keyring = keyring(1, 1);
    let sealed = keyring
        .seal(SealPurpose::SessionToken, b"claims", &random)
        .unwrap();

    for len in 0..sealed.len() {
        let result = keyring.open(SealPurpose::SessionToken, &sealed[..len]);
        assert!(
            matches!(result, Err(StsError::InvalidClientTokenId(_))),
            "length {len} was accepted"
        );
    }
}

#[test]
fn foreign_keyring_with_same_id_is_rejected() {
    let random = SeededRandom::new(6);
    let ours = keyring(1, 1);
    let theirs = keyring(1, 2);
    let sealed = theirs
        .seal(SealPurpose::SessionToken, b"claims", &random)
        .unwrap();

    let result = ours.open(SealPurpose::SessionToken, &sealed);

    assert_eq!(
        result,
        Err(StsError::InvalidClientTokenId("authentication failed"))
    );
}

#[test]
fn purpose_mismatch_is_rejected() {
    let random = SeededRandom::new(7);
    let keyring = keyring(1, 1);
    let token = keyring
        .seal(SealPurpose::SessionToken, b"claims", &random)
        .unwrap();
    let message = keyring
        .seal(SealPurpose::AuthorizationMessage, b"why", &random)
        .unwrap();

    let token_as_message = keyring.open(SealPurpose::AuthorizationMessage, &token);
    let message_as_token = keyring.open(SealPurpose::SessionToken, &message);

    assert_eq!(
        token_as_message,
        Err(StsError::InvalidAuthorizationMessage(
            "authentication failed"
        ))
    );
    assert_eq!(
        message_as_token,
        Err(StsError::InvalidClientTokenId("authentication failed"))
    );
}

#[test]
fn unknown_version_is_rejected() {
    let random = SeededRandom::new(8);
    let keyring = keyring(1, 1);
    let mut sealed = keyring
        .seal(SealPurpose::SessionToken, b"claims", &random)
        .unwrap();
    sealed[0] = 2;

    let result = keyring.open(SealPurpose::SessionToken, &sealed);

    assert_eq!(
        result,
        Err(StsError::InvalidClientTokenId("unknown format version"))
    );
}

#[test]
fn debug_hides_key_material() {
    let keyring = keyring(3, 0xAB);

    let text = format!("{keyring:?}");

    assert_eq!(text, "Keyring { current: 3, key_ids: [3], .. }");
}
