use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use iam_model::SeededRandom;
use proptest::prelude::*;

use super::*;

fn key(id: &str, fill: u8) -> KeyEncryptionKey {
    KeyEncryptionKey::new(id, &[fill; KEY_LEN]).unwrap()
}

#[test]
fn sealed_secret_opens_with_same_context() {
    let keyring = Keyring::new(key("kek-1", 7));
    let random = SeededRandom::new(1);

    let sealed = keyring
        .seal(b"secret-value", b"AKIAEXAMPLE", &random)
        .unwrap();
    let opened = keyring.open(&sealed, b"AKIAEXAMPLE").unwrap();

    assert_eq!(opened.expose(), b"secret-value");
    assert_eq!(sealed.key_id(), Some("kek-1"));
    assert!(sealed.as_str().starts_with("v1.kek-1."));
    assert!(!sealed.as_str().contains("secret-value"));
}

#[test]
fn sealing_twice_gives_different_text() {
    let keyring = Keyring::new(key("kek-1", 7));
    let random = SeededRandom::new(1);

    let first = keyring.seal(b"same", b"ctx", &random).unwrap();
    let second = keyring.seal(b"same", b"ctx", &random).unwrap();

    assert_ne!(first, second);
}

#[test]
fn sealed_secret_rejects_other_context() {
    let keyring = Keyring::new(key("kek-1", 7));
    let sealed = keyring
        .seal(b"secret-value", b"AKIAONE", &SeededRandom::new(2))
        .unwrap();

    let error = keyring.open(&sealed, b"AKIATWO").unwrap_err();

    assert_eq!(error, AuthError::SealedSecretTampered("kek-1".to_owned()));
}

#[test]
fn sealed_secret_rejects_every_changed_byte() {
    let keyring = Keyring::new(key("kek-1", 7));
    let sealed = keyring
        .seal(b"secret", b"ctx", &SeededRandom::new(3))
        .unwrap();
    let payload = sealed.as_str().rsplit('.').next().unwrap();
    let decoded = URL_SAFE_NO_PAD.decode(payload).unwrap();

    for index in 0..decoded.len() {
        for bit in 0..8 {
            let mut changed = decoded.clone();
            changed[index] ^= 1 << bit;
            let text = format!("v1.kek-1.{}", URL_SAFE_NO_PAD.encode(&changed));

            let outcome = keyring.open(&SealedSecret::from_stored(text), b"ctx");

            assert!(outcome.is_err(), "byte {index} bit {bit}");
        }
    }
}

#[test]
fn relabelled_key_id_fails() {
    let keyring = Keyring::new(key("kek-2", 7))
        .with_retired_key(key("kek-1", 7))
        .unwrap();
    let sealed = keyring
        .seal(b"secret", b"ctx", &SeededRandom::new(4))
        .unwrap();
    let relabelled = sealed.as_str().replacen("kek-2", "kek-1", 1);

    let error = keyring
        .open(&SealedSecret::from_stored(relabelled), b"ctx")
        .unwrap_err();

    assert_eq!(error, AuthError::SealedSecretTampered("kek-1".to_owned()));
}

#[test]
fn rotated_keyring_opens_old_secrets() {
    let random = SeededRandom::new(5);
    let mut keyring = Keyring::new(key("kek-1", 1));
    let old = keyring.seal(b"old-secret", b"ctx", &random).unwrap();

    keyring.rotate(key("kek-2", 2)).unwrap();
    let new = keyring.seal(b"new-secret", b"ctx", &random).unwrap();

    assert_eq!(keyring.current_key_id(), "kek-2");
    assert_eq!(keyring.open(&old, b"ctx").unwrap().expose(), b"old-secret");
    assert_eq!(keyring.open(&new, b"ctx").unwrap().expose(), b"new-secret");
    assert!(keyring.needs_reseal(&old));
    assert!(!keyring.needs_reseal(&new));
    assert_eq!(new.key_id(), Some("kek-2"));
}

#[test]
fn unknown_key_id_fails() {
    let old = Keyring::new(key("kek-1", 1))
        .seal(b"secret", b"ctx", &SeededRandom::new(6))
        .unwrap();
    let keyring = Keyring::new(key("kek-2", 2));

    let error = keyring.open(&old, b"ctx").unwrap_err();

    assert_eq!(error, AuthError::UnknownKeyId("kek-1".to_owned()));
}

#[test]
fn wrong_key_material_fails() {
    let sealed = Keyring::new(key("kek-1", 1))
        .seal(b"secret", b"ctx", &SeededRandom::new(7))
        .unwrap();
    let impostor = Keyring::new(key("kek-1", 9));

    assert!(impostor.open(&sealed, b"ctx").is_err());
}

#[test]
fn malformed_sealed_text_fails() {
    let keyring = Keyring::new(key("kek-1", 1));
    let cases = [
        "",
        "v1",
        "v1.kek-1",
        "v2.kek-1.AAAA",
        "v1.kek-1.not base64!",
        "v1.kek-1.AAAA",
    ];
    for text in cases {
        let error = keyring
            .open(&SealedSecret::from_stored(text), b"ctx")
            .unwrap_err();
        assert!(
            matches!(error, AuthError::MalformedSealedSecret(_)),
            "{text}: {error}"
        );
    }
    let huge = format!("v1.kek-1.{}", "A".repeat(10_000));
    assert!(
        keyring
            .open(&SealedSecret::from_stored(huge), b"ctx")
            .is_err()
    );
}

#[test]
fn non_canonical_base64_is_rejected() {
    let keyring = Keyring::new(key("kek-1", 1));
    // A payload whose length leaves spare bits in its last character: 29 bytes is 39 characters
    // and 2 spare bits.
    let sealed = keyring
        .seal(b"x", b"ctx", &SeededRandom::new(11))
        .unwrap()
        .into_string();
    let last = sealed.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(last).unwrap();
    // Setting a spare bit changes the text but not the bytes a lenient decoder returns.
    let spare_bit_set = alphabet.chars().nth(index | 1).unwrap();
    let changed = format!("{}{spare_bit_set}", &sealed[..sealed.len() - 1]);

    let error = keyring.open_text(&changed, b"ctx").unwrap_err();

    assert_eq!(index & 3, 0);
    assert_ne!(changed, sealed);
    assert!(
        matches!(error, AuthError::MalformedSealedSecret(_)),
        "{error}"
    );
}

#[test]
fn seal_with_nonce_uses_given_nonce() {
    let keyring = Keyring::new(key("kek-1", 1));
    let first = keyring
        .seal_with_nonce(b"same", b"ctx", [1; NONCE_LEN])
        .unwrap();
    let again = keyring
        .seal_with_nonce(b"same", b"ctx", [1; NONCE_LEN])
        .unwrap();
    let other = keyring
        .seal_with_nonce(b"same", b"ctx", [2; NONCE_LEN])
        .unwrap();
    let payload = first.as_str().rsplit('.').next().unwrap();

    let decoded = URL_SAFE_NO_PAD.decode(payload).unwrap();

    assert_eq!(first, again);
    assert_ne!(first, other);
    assert_eq!(&decoded[..NONCE_LEN], &[1; NONCE_LEN]);
    assert_eq!(
        keyring.open_text(other.as_str(), b"ctx").unwrap().expose(),
        b"same"
    );
}

#[test]
fn secrets_open_on_stack_and_heap() {
    let keyring = Keyring::new(key("kek-1", 1));
    let random = SeededRandom::new(12);
    // 996 bytes is the longest secret opened on the stack, 997 the shortest on the heap.
    for len in [0, 995, 996, 997, 3000, MAX_PLAINTEXT_LEN] {
        let secret: Vec<u8> = (0..len).map(|index| (index % 251) as u8).collect();
        let sealed = keyring.seal(&secret, b"ctx", &random).unwrap();

        let opened = keyring.open(&sealed, b"ctx").unwrap();
        let read_len = keyring
            .open_text_with(sealed.as_str(), b"ctx", <[u8]>::len)
            .unwrap();

        assert_eq!(opened.expose(), secret.as_slice(), "length {len}");
        assert_eq!(read_len, len);
    }
}

#[test]
fn oversized_secret_is_rejected() {
    let keyring = Keyring::new(key("kek-1", 1));

    let error = keyring
        .seal(&[0u8; MAX_PLAINTEXT_LEN + 1], b"ctx", &SeededRandom::new(8))
        .unwrap_err();

    assert!(matches!(error, AuthError::MalformedSealedSecret(_)));
}

#[test]
fn key_ids_and_lengths_are_checked() {
    for id in ["", "has space", "dot.id", &"k".repeat(65)] {
        assert_eq!(
            KeyEncryptionKey::new(id, &[0; KEY_LEN]).unwrap_err(),
            AuthError::InvalidKeyId(id.to_owned())
        );
    }
    assert!(matches!(
        KeyEncryptionKey::new("kek", &[0; 16]).unwrap_err(),
        AuthError::InvalidKeyEncryptionKey { .. }
    ));
    assert!(KeyEncryptionKey::generate("kek_2026-01", &SeededRandom::new(9)).is_ok());
}

#[test]
fn debug_output_hides_key_and_secret() {
    let kek = KeyEncryptionKey::new("kek-1", &[0x41; KEY_LEN]).unwrap();
    let keyring = Keyring::new(kek);
    let sealed = keyring
        .seal(b"hunter2", b"ctx", &SeededRandom::new(10))
        .unwrap();
    let opened = keyring.open(&sealed, b"ctx").unwrap();

    assert_eq!(format!("{opened:?}"), "SecretBytes(***)");
    assert!(!format!("{keyring:?}").contains("AAAA"));
}

proptest! {
    #[test]
    fn seal_open_round_trips(secret in proptest::collection::vec(any::<u8>(), 0..512),
                             context in proptest::collection::vec(any::<u8>(), 0..64),
                             seed in any::<u64>()) {
        let keyring = Keyring::new(key("kek-1", 5));
        let sealed = keyring.seal(&secret, &context, &SeededRandom::new(seed)).unwrap();
        let opened = keyring.open(&sealed, &context).unwrap();
        prop_assert_eq!(opened.expose(), &secret[..]);
    }
}
