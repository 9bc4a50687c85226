//! A server in the test process: the router over an in-memory store, a fixed clock and seeded
//! randomness, called with requests signed by real SigV4 keys.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::Request;
use iam_auth::SecretAccessKey;
use iam_auth::password::PasswordHasher;
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_auth::sigv4::{Credentials, Signer};
use iam_model::{Clock, FixedClock, Quotas, SeededRandom};
use iam_server::app::{AppState, router};
use iam_server::bootstrap::{RootAccount, store_root_key};
use iam_server::config::{Options, Settings};
use iam_server::session::SessionKeys;
use iam_store::{IamStore, MemoryStore};
use tower::ServiceExt;

pub(crate) const ACCOUNT: &str = "111122223333";
pub(crate) const ROOT_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub(crate) const ROOT_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub(crate) const NOW: &str = "2026-01-01T00:00:15Z";

/// An access key to sign requests with.
#[derive(Clone)]
pub(crate) struct Key {
    pub(crate) access_key_id: String,
    pub(crate) secret: String,
}

impl Key {
    pub(crate) fn root() -> Key {
        Key {
            access_key_id: ROOT_KEY_ID.to_owned(),
            secret: ROOT_SECRET.to_owned(),
        }
    }
}

/// A response: its status and body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Reply {
    /// Returns the text of the first element named `name`.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = self.body.find(&open)? + open.len();
        let end = self.body[start..].find(&close)? + start;
        Some(self.body[start..end].to_owned())
    }

    /// Returns the text of every element named `name`, in document order.
    pub(crate) fn texts(&self, name: &str) -> Vec<String> {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        self.body
            .split(&open)
            .skip(1)
            .filter_map(|rest| rest.split(&close).next())
            .map(str::to_owned)
            .collect()
    }

    /// Returns the error code, or `None` for a success.
    pub(crate) fn code(&self) -> Option<String> {
        self.body
            .contains("<ErrorResponse")
            .then(|| self.text("Code"))
            .flatten()
    }

    /// Asserts a success and returns the reply.
    #[track_caller]
    pub(crate) fn ok(self) -> Reply {
        assert_eq!(self.status, 200, "{}", self.body);
        self
    }

    /// Asserts an error with `code` and `status`.
    #[track_caller]
    pub(crate) fn error(&self, code: &str, status: u16) {
        assert_eq!(self.code().as_deref(), Some(code), "{}", self.body);
        assert_eq!(self.status, status, "{}", self.body);
    }
}

/// The server under test.
pub(crate) struct Harness {
    pub(crate) state: Arc<AppState>,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) jwks_dir: tempfile::TempDir,
    app: Router,
}

impl Harness {
    pub(crate) async fn new() -> Harness {
        let clock = Arc::new(FixedClock::new(NOW.parse().unwrap()));
        let random = Arc::new(SeededRandom::new(11));
        let store: Arc<dyn IamStore> = Arc::new(MemoryStore::in_memory(Quotas::default()));
        let keyring = Arc::new(Keyring::new(
            KeyEncryptionKey::new("test", &[3_u8; 32]).unwrap(),
        ));
        let root = RootAccount {
            account: ACCOUNT.parse().unwrap(),
            create_date: "2025-06-01T08:00:00Z".parse().unwrap(),
        };
        store_root_key(
            store.as_ref(),
            &keyring,
            random.as_ref(),
            root,
            ROOT_KEY_ID,
            &SecretAccessKey::new(ROOT_SECRET),
        )
        .await
        .unwrap();
        let jwks_dir = tempfile::tempdir().unwrap();
        // Few iterations keep the password tests fast; the hashes are as real as any.
        let hasher = PasswordHasher::new(1_000).unwrap();
        let state = AppState::new(
            Settings::resolve(Options::default()).unwrap(),
            Arc::clone(&clock) as Arc<dyn Clock>,
            random,
            store,
            keyring,
            SessionKeys::new(
                KeyEncryptionKey::new("tokens", &[4_u8; 32]).unwrap(),
                KeyEncryptionKey::new("messages", &[5_u8; 32]).unwrap(),
            ),
            root,
        )
        .with_password_hasher(hasher)
        .with_oidc_jwks_dir(jwks_dir.path().to_path_buf());
        let state = Arc::new(state);
        Harness {
            app: router(Arc::clone(&state)),
            state,
            clock,
            jwks_dir,
        }
    }

    pub(crate) fn jwks_dir(&self) -> &Path {
        self.jwks_dir.path()
    }

    /// Calls IAM as the root user with `parameters` (without `Version`).
    pub(crate) async fn iam(&self, parameters: &str) -> Reply {
        self.iam_as(&Key::root(), parameters).await
    }

    /// Calls IAM signed by `key`.
    pub(crate) async fn iam_as(&self, key: &Key, parameters: &str) -> Reply {
        let body = format!("{parameters}&Version=2010-05-08");
        self.send(key, "iam", &body).await
    }

    /// Calls STS as the root user with `parameters` (without `Version`).
    pub(crate) async fn sts(&self, parameters: &str) -> Reply {
        self.sts_as(&Key::root(), parameters).await
    }

    /// Calls STS signed by `key` with `parameters` (without `Version`).
    pub(crate) async fn sts_as(&self, key: &Key, parameters: &str) -> Reply {
        let body = format!("{parameters}&Version=2011-06-15");
        self.send(key, "sts", &body).await
    }

    /// Posts `body` with the given headers and no signature of the harness's own.
    pub(crate) async fn post_unsigned(&self, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut builder = Request::post("/")
            .header("host", "127.0.0.1:9500")
            .header("content-type", "application/x-www-form-urlencoded");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(Body::from(body.to_owned())).unwrap();
        self.reply(request).await
    }

    async fn send(&self, key: &Key, service: &str, body: &str) -> Reply {
        // The policy cache drops changed users in a task fed by the store. On the test's
        // single-threaded runtime that task runs only when the test yields.
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        let signer = Signer::new(
            Credentials {
                access_key_id: key.access_key_id.clone(),
                secret_access_key: SecretAccessKey::new(key.secret.clone()),
                session_token: None,
            },
            "us-east-1",
            service,
        );
        let signed = signer
            .sign_form_post("127.0.0.1:9500", body, self.clock.now())
            .unwrap();
        let mut builder = Request::post("/");
        for (name, value) in &signed.headers {
            builder = builder.header(name, value);
        }
        let request = builder.body(Body::from(body.to_owned())).unwrap();
        self.reply(request).await
    }

    async fn reply(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Reply {
            status,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// Calls the IAM listing `list` as the root user, expecting a truncated first page, and
    /// calls it again with that page's marker. Returns both pages.
    pub(crate) async fn two_pages(&self, list: &str) -> (Reply, Reply) {
        let first = self.iam(list).await.ok();
        assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
        let marker = first.text("Marker").expect("a marker on a truncated page");
        let second = self
            .iam(&format!("{list}&Marker={}", encode(&marker)))
            .await
            .ok();
        (first, second)
    }

    /// Creates a user with an access key and returns the key.
    pub(crate) async fn user_with_key(&self, user_name: &str) -> Key {
        self.iam(&format!("Action=CreateUser&UserName={user_name}"))
            .await
            .ok();
        let reply = self
            .iam(&format!("Action=CreateAccessKey&UserName={user_name}"))
            .await
            .ok();
        Key {
            access_key_id: reply.text("AccessKeyId").unwrap(),
            secret: reply.text("SecretAccessKey").unwrap(),
        }
    }

    /// Gives `user_name` an inline policy that allows `action` on every resource.
    pub(crate) async fn allow(&self, user_name: &str, action: &str) {
        let document = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
        );
        self.iam(&format!(
            "Action=PutUserPolicy&UserName={user_name}&PolicyName=allow&PolicyDocument={}",
            encode(&document)
        ))
        .await
        .ok();
    }
}

/// Percent-encodes a form value.
pub(crate) fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
