use iam_auth::seal::KeyEncryptionKey;
use iam_model::{Quotas, SeededRandom};
use iam_store::MemoryStore;
use iam_store::prelude::*;

use super::*;
use crate::identity::open_secret;

const NOW: &str = "2026-01-01T00:00:00Z";

fn keyring() -> Keyring {
    Keyring::new(KeyEncryptionKey::new("k1", &[9_u8; 32]).unwrap())
}

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

struct Setup {
    _directory: tempfile::TempDir,
    data_dir: DataDir,
    store: MemoryStore,
}

fn setup() -> Setup {
    let directory = tempfile::tempdir().unwrap();
    let data_dir = DataDir::prepare(directory.path()).unwrap();
    Setup {
        _directory: directory,
        data_dir,
        store: MemoryStore::in_memory(Quotas::default()),
    }
}

impl Setup {
    async fn start(
        &self,
        seed: u64,
        account_id: Option<AccountId>,
        given: Option<GivenRootKey>,
    ) -> Result<RootAccount, ServerError> {
        bootstrap_root(
            &self.data_dir,
            &keyring(),
            &self.store,
            &SeededRandom::new(seed),
            now(),
            account_id,
            given,
        )
        .await
    }

    fn credentials(&self) -> serde_json::Value {
        serde_json::from_slice(&fs::read(self.data_dir.root_credentials()).unwrap()).unwrap()
    }

    fn account_file(&self) -> serde_json::Value {
        let path = self.data_dir.keys().join(ROOT_ACCOUNT_FILE);
        serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
    }

    async fn root_keys(&self, root: RootAccount) -> Vec<AccessKey> {
        self.store
            .list_access_keys(root.account, ROOT_USER_NAME)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn first_start_creates_account_and_key() {
    let setup = setup();
    let account: AccountId = "111122223333".parse().unwrap();

    let root = setup.start(1, Some(account), None).await.unwrap();

    assert_eq!(root.account, account);
    assert_eq!(root.create_date, now());
    let credentials = setup.credentials();
    let access_key_id = credentials["AccessKeyId"].as_str().unwrap();
    assert!(access_key_id.starts_with("AKIA"));
    assert_eq!(access_key_id.len(), 20);
    assert_eq!(credentials["SecretAccessKey"].as_str().unwrap().len(), 40);
    assert_eq!(credentials["AccountId"], "111122223333");
    assert_eq!(credentials["Arn"], "arn:aws:iam::111122223333:root");
    let keys = setup.root_keys(root).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].access_key_id.as_str(), access_key_id);
    assert_eq!(keys[0].create_date, now());
}

#[tokio::test]
async fn stored_root_key_opens_to_the_given_secret() {
    let setup = setup();

    let root = setup.start(1, None, None).await.unwrap();

    let credentials = setup.credentials();
    let access_key_id = credentials["AccessKeyId"].as_str().unwrap();
    let (account, sealed) = setup.store.find_access_key(access_key_id).await.unwrap();
    assert_eq!(account, root.account);
    let secret = open_secret(&keyring(), access_key_id, &sealed.sealed_secret.0).unwrap();
    assert_eq!(
        secret.expose(),
        credentials["SecretAccessKey"].as_str().unwrap()
    );
}

#[tokio::test]
async fn account_file_keeps_no_key_after_start() {
    let setup = setup();

    setup.start(1, None, None).await.unwrap();

    let file = setup.account_file();
    assert!(file.get("accessKeyId").is_none(), "{file}");
    assert!(file.get("sealedSecret").is_none(), "{file}");
    assert_eq!(file["createDate"], NOW);
}

#[tokio::test]
async fn second_start_keeps_account_date_and_key() {
    let setup = setup();
    let first = setup.start(1, None, None).await.unwrap();

    let second = setup.start(2, None, None).await.unwrap();

    assert_eq!(first, second);
    assert_eq!(setup.root_keys(second).await.len(), 1);
}

#[tokio::test]
async fn deleted_root_key_stays_deleted() {
    let setup = setup();
    let root = setup.start(1, None, None).await.unwrap();
    let access_key_id = setup.credentials()["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    setup
        .store
        .delete_access_key(root.account, ROOT_USER_NAME, &access_key_id)
        .await
        .unwrap();

    setup.start(2, None, None).await.unwrap();

    assert!(setup.root_keys(root).await.is_empty());
}

/// Writes `root-account.json` as servers wrote it before root keys were store records.
fn write_legacy_file(setup: &Setup, keyring: &Keyring, access_key_id: &str, secret: &str) {
    let sealed = keyring
        .seal(
            secret.as_bytes(),
            &root_context(access_key_id),
            &SeededRandom::new(4),
        )
        .unwrap();
    let legacy = serde_json::json!({
        "accountId": "111122223333",
        "accessKeyId": access_key_id,
        "sealedSecret": sealed.as_str(),
    });
    fs::write(
        setup.data_dir.keys().join(ROOT_ACCOUNT_FILE),
        serde_json::to_vec(&legacy).unwrap(),
    )
    .unwrap();
}

#[tokio::test]
async fn legacy_file_moves_key_into_store() {
    let setup = setup();
    write_legacy_file(&setup, &keyring(), "AKIAIOSFODNN7EXAMPLE", "legacy-secret");

    let root = setup.start(1, None, None).await.unwrap();

    assert_eq!(root.account.as_str(), "111122223333");
    let (_, sealed) = setup
        .store
        .find_access_key("AKIAIOSFODNN7EXAMPLE")
        .await
        .unwrap();
    assert_eq!(sealed.access_key.user_name, ROOT_USER_NAME);
    let secret = open_secret(&keyring(), "AKIAIOSFODNN7EXAMPLE", &sealed.sealed_secret.0).unwrap();
    assert_eq!(secret.expose(), "legacy-secret");
    let file = setup.account_file();
    assert!(file.get("sealedSecret").is_none(), "{file}");
    let create_date: Timestamp = file["createDate"].as_str().unwrap().parse().unwrap();
    assert_eq!(create_date, root.create_date);
}

#[tokio::test]
async fn key_already_in_store_is_not_added_twice() {
    let setup = setup();
    write_legacy_file(&setup, &keyring(), "AKIAIOSFODNN7EXAMPLE", "legacy-secret");
    let root = setup.start(1, None, None).await.unwrap();
    write_legacy_file(&setup, &keyring(), "AKIAIOSFODNN7EXAMPLE", "legacy-secret");

    setup.start(2, None, None).await.unwrap();

    assert_eq!(setup.root_keys(root).await.len(), 1);
}

#[tokio::test]
async fn wrong_key_encryption_key_fails_to_open() {
    let setup = setup();
    let other = Keyring::new(KeyEncryptionKey::new("k1", &[8_u8; 32]).unwrap());
    write_legacy_file(&setup, &other, "AKIAIOSFODNN7EXAMPLE", "legacy-secret");

    let error = setup.start(1, None, None).await.unwrap_err();

    assert!(
        error.to_string().contains("cannot open the root key"),
        "{error}"
    );
}

#[tokio::test]
async fn given_key_is_used() {
    let setup = setup();
    let given = GivenRootKey {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        secret: SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    };

    let root = setup.start(1, None, Some(given)).await.unwrap();

    let (_, sealed) = setup
        .store
        .find_access_key("AKIAIOSFODNN7EXAMPLE")
        .await
        .unwrap();
    let secret = open_secret(&keyring(), "AKIAIOSFODNN7EXAMPLE", &sealed.sealed_secret.0).unwrap();
    assert_eq!(secret.expose(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    assert_eq!(setup.root_keys(root).await.len(), 1);
}

#[tokio::test]
async fn malformed_given_key_is_rejected() {
    for access_key_id in ["not-a-key", "ASIAIOSFODNN7EXAMPLE"] {
        let setup = setup();
        let given = GivenRootKey {
            access_key_id: access_key_id.to_owned(),
            secret: SecretAccessKey::new("secret"),
        };

        let error = setup.start(1, None, Some(given)).await.unwrap_err();

        assert!(
            error.to_string().contains(ROOT_ACCESS_KEY_ID_VARIABLE),
            "{access_key_id}: {error}"
        );
    }
}

#[tokio::test]
async fn different_account_id_on_restart_is_rejected() {
    let setup = setup();
    let first: AccountId = "111122223333".parse().unwrap();
    let second: AccountId = "444455556666".parse().unwrap();
    setup.start(1, Some(first), None).await.unwrap();

    let error = setup.start(1, Some(second), None).await.unwrap_err();

    assert!(error.to_string().contains("444455556666"), "{error}");
}

#[cfg(unix)]
#[tokio::test]
async fn credential_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let setup = setup();

    setup.start(1, None, None).await.unwrap();

    for path in [
        setup.data_dir.root_credentials(),
        setup.data_dir.keys().join(ROOT_ACCOUNT_FILE),
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
