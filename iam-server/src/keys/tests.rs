use iam_model::SeededRandom;

use super::*;

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn key_encryption_key_is_created_once() {
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();

    let first = data_dir.key_encryption_key(&SeededRandom::new(1)).unwrap();
    let second = data_dir.key_encryption_key(&SeededRandom::new(2)).unwrap();

    assert_eq!(first, second);
    #[cfg(unix)]
    assert_eq!(mode(&data_dir.keys().join(KEY_ENCRYPTION_KEY_FILE)), 0o600);
}

#[test]
fn session_keys_are_created_once_and_distinct() {
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();
    let random = SeededRandom::new(1);

    let key_encryption = data_dir.key_encryption_key(&random).unwrap();
    let tokens = data_dir.session_token_key(&random).unwrap();
    let messages = data_dir.authorization_message_key(&random).unwrap();
    let tokens_again = data_dir.session_token_key(&SeededRandom::new(2)).unwrap();
    let messages_again = data_dir
        .authorization_message_key(&SeededRandom::new(2))
        .unwrap();

    assert_eq!(tokens, tokens_again);
    assert_eq!(messages, messages_again);
    assert_ne!(tokens, key_encryption);
    assert_ne!(tokens, messages);
    #[cfg(unix)]
    {
        assert_eq!(mode(&data_dir.keys().join(SESSION_TOKEN_KEY_FILE)), 0o600);
        assert_eq!(
            mode(&data_dir.keys().join(AUTHORIZATION_MESSAGE_KEY_FILE)),
            0o600
        );
    }
}

#[test]
fn short_session_key_file_is_rejected() {
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();
    fs::write(data_dir.keys().join(SESSION_TOKEN_KEY_FILE), [7_u8; 5]).unwrap();

    let error = data_dir
        .session_token_key(&SeededRandom::new(1))
        .unwrap_err()
        .to_string();

    assert!(error.contains(SESSION_TOKEN_KEY_FILE), "{error}");
    assert!(error.contains("5 bytes, expected 32"), "{error}");
}

#[test]
fn audit_signing_key_survives_reload() {
    use ring::signature::KeyPair;
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();

    let first = data_dir.audit_signing_key(&SeededRandom::new(1)).unwrap();
    let second = data_dir.audit_signing_key(&SeededRandom::new(2)).unwrap();

    assert_eq!(first.public_key().as_ref(), second.public_key().as_ref());
    #[cfg(unix)]
    assert_eq!(mode(&data_dir.keys().join(AUDIT_SIGNING_KEY_FILE)), 0o600);
}

#[cfg(unix)]
#[test]
fn data_dir_is_owner_only() {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path().join("data");

    let data_dir = DataDir::prepare(&root).unwrap();

    assert_eq!(mode(data_dir.root()), 0o700);
    assert_eq!(mode(&data_dir.keys()), 0o700);
}

#[cfg(unix)]
#[test]
fn readable_key_file_is_narrowed() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();
    let path = data_dir.keys().join(KEY_ENCRYPTION_KEY_FILE);
    fs::write(&path, [7_u8; KEY_ENCRYPTION_KEY_BYTES]).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    let key = data_dir.key_encryption_key(&SeededRandom::new(1)).unwrap();

    assert_eq!(key, [7_u8; KEY_ENCRYPTION_KEY_BYTES]);
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn short_key_file_is_rejected() {
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();
    fs::write(data_dir.keys().join(KEY_ENCRYPTION_KEY_FILE), [1_u8; 5]).unwrap();

    let error = data_dir
        .key_encryption_key(&SeededRandom::new(1))
        .unwrap_err();

    assert!(error.to_string().contains("5 bytes"), "{error}");
}

#[test]
fn write_owner_only_refuses_existing_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("secret.json");
    write_owner_only(&path, b"{}").unwrap();

    assert!(write_owner_only(&path, b"{}").is_err());
}

#[test]
fn audit_public_key_is_written_as_hex() {
    use ring::signature::KeyPair;
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();

    let key_pair = data_dir.audit_signing_key(&SeededRandom::new(1)).unwrap();

    let written = std::fs::read_to_string(data_dir.keys().join(AUDIT_PUBLIC_KEY_FILE)).unwrap();
    let public_key = iam_audit::PublicKey::from_hex(&written).unwrap();
    let expected: String = key_pair
        .public_key()
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(written, format!("{expected}\n"));
    assert_eq!(public_key.to_hex(), expected);
}
