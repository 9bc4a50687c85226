//! End-to-end tests of STS: the real server binary on 127.0.0.1, driven by boto3 and the aws
//! CLI with long-term and session credentials, across a restart.
//!
//! The test writes its fixtures into the store before the server's first start, so every STS
//! case begins from a known state. The fixtures are an OIDC provider with the signing key the
//! Python script generated, and an enabled MFA device with a known seed for alice, bob and
//! carol. The IAM operations that create both through the API have end-to-end tests of their own.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use iam_auth::SystemRandomSource;
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_auth::totp::{TotpAlgorithm, TotpSeed};
use iam_model::{
    AccountId, Arn, Clock, OidcProvider, Partition, Quotas, SealedBytes, UniqueId, UniqueIdKind,
    User, VirtualMfaDevice,
};
use iam_server::keys::{DataDir, KEY_ENCRYPTION_KEY_ID};
use iam_server::system::SystemClock;
use iam_store::kv::SledOptions;
use iam_store::{IamStore, SledStore};

use crate::e2e::{Server, clients_available, run_script, scripts};

/// The account the server is started in, which the behaviour cases name in their ARNs.
const ACCOUNT: &str = "111122223333";

/// The users who get an enabled virtual MFA device.
const MFA_USERS: [&str; 3] = ["alice", "bob", "carol"];

/// The issuer of the test's OpenID Connect provider, and the client id tokens are issued to.
const OIDC_ISSUER: &str = "https://token.e2e.example";
const OIDC_CLIENT_ID: &str = "e2e-client";

#[test]
fn sts_with_boto3_and_cli() {
    if !clients_available() {
        return;
    }
    let directory = tempfile::tempdir().unwrap();
    let data_dir = directory.path().join("data");
    generate_oidc_key(directory.path());
    let jwks = std::fs::read_to_string(directory.path().join("oidc-jwks.json")).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seeds = runtime.block_on(seed_store(&data_dir, &jwks));
    drop(runtime);
    std::fs::write(
        directory.path().join("mfa-seeds.json"),
        serde_json::to_string(&seeds).unwrap(),
    )
    .unwrap();

    let server = Server::start_with(&data_dir, &["--account-id", ACCOUNT]);
    run_script("sts.py", &server, &data_dir);
    run_script("sts_behaviour_cases.py", &server, &data_dir);
    run_script("web_identity.py", &server, &data_dir);
    server.stop();

    let restarted = Server::start_with(&data_dir, &["--account-id", ACCOUNT]);
    run_script("sts_after_restart.py", &restarted, &data_dir);
    restarted.stop();
}

/// Runs the Python script that generates the OIDC provider's RSA signing key, writing
/// `oidc-key.json` (private) and `oidc-jwks.json` (public) into `directory`.
fn generate_oidc_key(directory: &Path) {
    let output = Command::new("python3")
        .arg(scripts().join("oidc_key.py"))
        .arg(directory)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("failed to run python3");
    assert!(
        output.status.success(),
        "key generation failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Writes the OIDC provider and the MFA users into the store of `data_dir`, and returns each
/// user's MFA seed in base32.
async fn seed_store(data_dir: &Path, jwks: &str) -> BTreeMap<String, String> {
    let random = SystemRandomSource::new();
    let now = SystemClock.now();
    let account: AccountId = ACCOUNT.parse().unwrap();
    let data_dir = DataDir::prepare(data_dir).unwrap();
    let key = data_dir.key_encryption_key(&random).unwrap();
    let keyring = Keyring::new(KeyEncryptionKey::new(KEY_ENCRYPTION_KEY_ID, &key).unwrap());
    let sled = SledStore::open_sled(&SledOptions::new(data_dir.store()), Quotas::default())
        .await
        .unwrap();
    let store: &dyn IamStore = &sled;

    let mut seeds = BTreeMap::new();
    for name in MFA_USERS {
        let id = UniqueId::generate(UniqueIdKind::User, &random);
        let user = User::new(Partition::Aws, account, "/", name, id, now).unwrap();
        store.create_user(account, user).await.unwrap();
        let seed = TotpSeed::generate(TotpAlgorithm::Sha1, &random);
        let serial: Arn = format!("arn:aws:iam::{ACCOUNT}:mfa/{name}")
            .parse()
            .unwrap();
        let sealed = keyring
            .seal(seed.expose(), &iam_sts::mfa::seed_context(&serial), &random)
            .unwrap();
        let device = VirtualMfaDevice::new(
            Partition::Aws,
            account,
            "/",
            name,
            SealedBytes(sealed.as_str().as_bytes().to_vec()),
        )
        .unwrap();
        store
            .create_virtual_mfa_device(account, device)
            .await
            .unwrap();
        store
            // Step 0 as the last accepted step: no code of the device has been used yet.
            .enable_mfa_device(account, name, &serial, now, 0)
            .await
            .unwrap();
        seeds.insert(name.to_owned(), seed.to_base32());
    }

    let mut provider = OidcProvider::new(
        Partition::Aws,
        account,
        OIDC_ISSUER,
        vec![OIDC_CLIENT_ID.to_owned()],
        Vec::new(),
        now,
    )
    .unwrap();
    provider.jwks = Some(jwks.to_owned());
    store.create_oidc_provider(account, provider).await.unwrap();
    seeds
}
