use iam_model::{FixedClock, Quotas};
use iam_store::MemoryStore;
use iam_store::prelude::*;

use super::*;

/// A key set with one RSA key; the modulus need not be a real one for parsing.
const JWKS: &str = r#"{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","n":"sXch","e":"AQAB"}]}"#;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn path_follows_host_and_path() {
    let directory = Path::new("/data/oidc-jwks");

    assert_eq!(
        jwks_path(directory, "https://token.example.com"),
        Some(directory.join("token.example.com.json"))
    );
    assert_eq!(
        jwks_path(directory, "https://example.com/tenant/v2/"),
        Some(directory.join("example.com/tenant/v2.json"))
    );
}

#[test]
fn path_rejects_traversal() {
    let directory = Path::new("/data/oidc-jwks");

    for url in [
        "https://example.com/../secrets",
        "https://example.com/./a",
        "https://example.com//a",
        "https://example.com/a\\b",
    ] {
        assert_eq!(jwks_path(directory, url), None, "{url}");
    }
}

#[test]
fn missing_file_reads_as_none() {
    let directory = tempfile::tempdir().unwrap();

    let keys = read_jwks(directory.path(), "https://token.example.com").unwrap();

    assert_eq!(keys, None);
}

#[test]
fn valid_file_is_read() {
    let directory = tempfile::tempdir().unwrap();
    write(&directory.path().join("example.com/tenant.json"), JWKS);

    let keys = read_jwks(directory.path(), "https://example.com/tenant").unwrap();

    assert_eq!(keys.as_deref(), Some(JWKS));
}

#[test]
fn invalid_file_is_an_error() {
    let directory = tempfile::tempdir().unwrap();
    let cases = [
        ("not json", "invalid JSON"),
        (r#"{"key":[]}"#, "keys"),
        (
            &*format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(70_000)),
            "exceeds",
        ),
    ];

    for (text, expected) in cases {
        write(&directory.path().join("token.example.com.json"), text);

        let error = read_jwks(directory.path(), "https://token.example.com").unwrap_err();

        assert!(matches!(error, JwksFileError::Invalid { .. }), "{error}");
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[tokio::test]
async fn start_stores_keys_of_registered_providers() {
    let directory = tempfile::tempdir().unwrap();
    write(&directory.path().join("token.example.com.json"), JWKS);
    write(&directory.path().join("broken.example.com.json"), "{");
    let store = MemoryStore::in_memory(Quotas::default());
    let account = "111122223333".parse().unwrap();
    let now = FixedClock::new("2026-01-01T00:00:00Z".parse().unwrap());
    for url in [
        "https://token.example.com",
        "https://broken.example.com",
        "https://nofile.example.com",
    ] {
        let provider = OidcProvider::new(
            iam_model::Partition::Aws,
            account,
            url,
            vec!["app".to_owned()],
            Vec::new(),
            iam_model::Clock::now(&now),
        )
        .unwrap();
        store.create_oidc_provider(account, provider).await.unwrap();
    }

    let loaded = load_all(&store, directory.path()).await.unwrap();

    assert_eq!(loaded, 1);
    let providers = store.list_oidc_providers(account).await.unwrap();
    let keys: Vec<(&str, Option<&str>)> = providers
        .iter()
        .map(|provider| (provider.url.as_str(), provider.jwks.as_deref()))
        .collect();
    assert!(
        keys.contains(&("https://token.example.com", Some(JWKS))),
        "{keys:?}"
    );
    assert!(
        keys.contains(&("https://broken.example.com", None)),
        "{keys:?}"
    );
    assert!(
        keys.contains(&("https://nofile.example.com", None)),
        "{keys:?}"
    );
}
