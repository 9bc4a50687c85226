use iam_auth::seal::KeyEncryptionKey;
use iam_model::SeededRandom;

use super::*;

fn keyring() -> Keyring {
    Keyring::new(KeyEncryptionKey::new("k1", &[9_u8; 32]).unwrap())
}

fn setup() -> (tempfile::TempDir, DataDir) {
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();
    (directory, data_dir)
}

#[test]
fn first_start_creates_account_and_key() {
    let (_directory, data_dir) = setup();
    let account: AccountId = "111122223333".parse().unwrap();

    let root = load_or_create_root(
        &data_dir,
        &keyring(),
        &SeededRandom::new(1),
        Some(account),
        None,
    )
    .unwrap();

    assert_eq!(root.account, account);
    assert!(root.access_key_id.starts_with("AKIA"));
    assert_eq!(root.access_key_id.len(), 20);
    assert_eq!(root.secret.expose().len(), 40);
    let credentials: serde_json::Value =
        serde_json::from_slice(&fs::read(data_dir.root_credentials()).unwrap()).unwrap();
    assert_eq!(credentials["AccountId"], "111122223333");
    assert_eq!(credentials["AccessKeyId"], root.access_key_id.as_str());
    assert_eq!(credentials["SecretAccessKey"], root.secret.expose());
    assert_eq!(credentials["Arn"], "arn:aws:iam::111122223333:root");
}

#[test]
fn second_start_loads_same_key() {
    let (_directory, data_dir) = setup();
    let first =
        load_or_create_root(&data_dir, &keyring(), &SeededRandom::new(1), None, None).unwrap();

    let second =
        load_or_create_root(&data_dir, &keyring(), &SeededRandom::new(2), None, None).unwrap();

    assert_eq!(first.account, second.account);
    assert_eq!(first.access_key_id, second.access_key_id);
    assert_eq!(first.secret.expose(), second.secret.expose());
}

#[test]
fn stored_secret_is_sealed() {
    let (_directory, data_dir) = setup();
    let root =
        load_or_create_root(&data_dir, &keyring(), &SeededRandom::new(1), None, None).unwrap();

    let stored = fs::read_to_string(data_dir.keys().join(ROOT_ACCOUNT_FILE)).unwrap();

    assert!(!stored.contains(root.secret.expose()));
}

#[test]
fn wrong_key_encryption_key_fails_to_open() {
    let (_directory, data_dir) = setup();
    load_or_create_root(&data_dir, &keyring(), &SeededRandom::new(1), None, None).unwrap();
    let other = Keyring::new(KeyEncryptionKey::new("k1", &[8_u8; 32]).unwrap());

    let error =
        load_or_create_root(&data_dir, &other, &SeededRandom::new(1), None, None).unwrap_err();

    assert!(
        error.to_string().contains("cannot open the root key"),
        "{error}"
    );
}

#[test]
fn given_key_is_used() {
    let (_directory, data_dir) = setup();
    let given = GivenRootKey {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        secret: SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    };

    let root = load_or_create_root(
        &data_dir,
        &keyring(),
        &SeededRandom::new(1),
        None,
        Some(given),
    )
    .unwrap();

    assert_eq!(root.access_key_id, "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(
        root.secret.expose(),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
}

#[test]
fn malformed_given_key_is_rejected() {
    let (_directory, data_dir) = setup();
    let given = GivenRootKey {
        access_key_id: "not-a-key".to_owned(),
        secret: SecretAccessKey::new("secret"),
    };

    let result = load_or_create_root(
        &data_dir,
        &keyring(),
        &SeededRandom::new(1),
        None,
        Some(given),
    );

    assert!(result.is_err());
}

#[test]
fn different_account_id_on_restart_is_rejected() {
    let (_directory, data_dir) = setup();
    let first: AccountId = "111122223333".parse().unwrap();
    let second: AccountId = "444455556666".parse().unwrap();
    load_or_create_root(
        &data_dir,
        &keyring(),
        &SeededRandom::new(1),
        Some(first),
        None,
    )
    .unwrap();

    let error = load_or_create_root(
        &data_dir,
        &keyring(),
        &SeededRandom::new(1),
        Some(second),
        None,
    )
    .unwrap_err();

    assert!(error.to_string().contains("444455556666"), "{error}");
}

#[cfg(unix)]
#[test]
fn credential_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (_directory, data_dir) = setup();

    load_or_create_root(&data_dir, &keyring(), &SeededRandom::new(1), None, None).unwrap();

    for path in [
        data_dir.root_credentials(),
        data_dir.keys().join(ROOT_ACCOUNT_FILE),
    ] {
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
}

#[test]
fn random_account_id_has_twelve_digits() {
    let account = random_account_id(&SeededRandom::new(5)).unwrap();

    assert_eq!(account.as_str().len(), 12);
    assert!(!account.as_str().starts_with('0'));
}
