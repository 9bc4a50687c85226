//! Benchmarks of one Query API request through the router, in process and without a socket,
//! signed with a long-term IAM user key and with role session credentials.
//!
//! Each request is signed once and replayed: the clock is fixed, so the signature stays valid,
//! and the figures cover only the server's work (decoding, authentication, authorization, the
//! operation and the XML response). The store is in memory and the audit trail is off.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use criterion::{Criterion, criterion_group, criterion_main};
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_auth::sigv4::{Credentials, HttpRequest, Signer};
use iam_auth::{SecretAccessKey, SecurityToken};
use iam_model::{FixedClock, Quotas, SeededRandom};
use iam_server::app::{AppState, router};
use iam_server::bootstrap::{RootAccount, store_root_key};
use iam_server::config::{Options, Settings};
use iam_server::session::SessionKeys;
use iam_store::{IamStore, MemoryStore};
use jiff::Timestamp;
use tower::ServiceExt;

const NOW: &str = "2026-03-01T10:00:00Z";
const ROOT_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const ROOT_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// A signed request, kept as parts so that it can be sent again.
struct Signed {
    headers: Vec<(String, String)>,
    body: String,
}

impl Signed {
    fn new(credentials: &Credentials, service: &str, pairs: &[(&str, &str)]) -> Signed {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let headers = [
            ("host", "127.0.0.1:9500"),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        let request = HttpRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: body.as_bytes(),
        };
        let signed = Signer::new(credentials.clone(), "us-east-1", service)
            .sign(&request, NOW.parse::<Timestamp>().unwrap())
            .unwrap();
        Signed {
            headers: signed.headers,
            body,
        }
    }

    fn request(&self) -> Request<Body> {
        let mut builder = Request::post("/");
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder.body(Body::from(self.body.clone())).unwrap()
    }
}

async fn send(app: &Router, request: Request<Body>) -> String {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn text<'a>(body: &'a str, element: &str) -> &'a str {
    let start = body.find(&format!("<{element}>")).unwrap() + element.len() + 2;
    let end = body[start..].find(&format!("</{element}>")).unwrap() + start;
    &body[start..end]
}

/// Builds the server state, the user `bench` with a key and a policy allowing `iam:ListUsers`
/// and `sts:AssumeRole`, the role `reader` trusting her, and a session of it. Returns the router
/// with the user's key and the session's credentials.
async fn setup() -> (Router, Credentials, Credentials) {
    let root_account = RootAccount {
        account: "111122223333".parse().unwrap(),
        create_date: NOW.parse().unwrap(),
    };
    let store: Arc<dyn IamStore> = Arc::new(MemoryStore::in_memory(Quotas::default()));
    let keyring = Arc::new(Keyring::new(KeyEncryptionKey::new("k", &[1; 32]).unwrap()));
    let random = Arc::new(SeededRandom::new(1));
    store_root_key(
        store.as_ref(),
        &keyring,
        random.as_ref(),
        root_account,
        ROOT_KEY_ID,
        &SecretAccessKey::new(ROOT_SECRET),
    )
    .await
    .unwrap();
    let state = Arc::new(AppState::new(
        Settings::resolve(Options {
            audit: Some(false),
            ..Options::default()
        })
        .unwrap(),
        Arc::new(FixedClock::new(NOW.parse().unwrap())),
        random,
        store,
        keyring,
        SessionKeys::new(
            KeyEncryptionKey::new("t", &[2; 32]).unwrap(),
            KeyEncryptionKey::new("m", &[3; 32]).unwrap(),
        ),
        root_account,
    ));
    let app = router(state);

    let root = Credentials {
        access_key_id: ROOT_KEY_ID.to_owned(),
        secret_access_key: SecretAccessKey::new(ROOT_SECRET),
        session_token: None,
    };
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","sts:AssumeRole"],"Resource":"*"}]}"#;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bench"},"Action":"sts:AssumeRole"}]}"#;
    let steps: [&[(&str, &str)]; 4] = [
        &[("Action", "CreateUser"), ("UserName", "bench")],
        &[
            ("Action", "PutUserPolicy"),
            ("UserName", "bench"),
            ("PolicyName", "p"),
            ("PolicyDocument", policy),
        ],
        &[
            ("Action", "CreateRole"),
            ("RoleName", "reader"),
            ("AssumeRolePolicyDocument", trust),
        ],
        &[
            ("Action", "PutRolePolicy"),
            ("RoleName", "reader"),
            ("PolicyName", "p"),
            ("PolicyDocument", policy),
        ],
    ];

    for pairs in steps {
        let mut all = vec![("Version", "2010-05-08")];
        all.extend_from_slice(pairs);
        send(&app, Signed::new(&root, "iam", &all).request()).await;
    }

    let key = send(
        &app,
        Signed::new(
            &root,
            "iam",
            &[
                ("Version", "2010-05-08"),
                ("Action", "CreateAccessKey"),
                ("UserName", "bench"),
            ],
        )
        .request(),
    )
    .await;
    let user = Credentials {
        access_key_id: text(&key, "AccessKeyId").to_owned(),
        secret_access_key: SecretAccessKey::new(text(&key, "SecretAccessKey")),
        session_token: None,
    };

    let assumed = send(
        &app,
        Signed::new(
            &user,
            "sts",
            &[
                ("Version", "2011-06-15"),
                ("Action", "AssumeRole"),
                ("RoleArn", "arn:aws:iam::111122223333:role/reader"),
                ("RoleSessionName", "bench"),
            ],
        )
        .request(),
    )
    .await;
    let session = Credentials {
        access_key_id: text(&assumed, "AccessKeyId").to_owned(),
        secret_access_key: SecretAccessKey::new(text(&assumed, "SecretAccessKey")),
        session_token: Some(SecurityToken::new(text(&assumed, "SessionToken"))),
    };
    (app, user, session)
}

fn requests(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (app, user, session) = runtime.block_on(setup());
    let identity = [("Version", "2011-06-15"), ("Action", "GetCallerIdentity")];
    let list_users = [("Version", "2010-05-08"), ("Action", "ListUsers")];
    let cases = [
        (
            "user key, GetCallerIdentity",
            Signed::new(&user, "sts", &identity),
        ),
        (
            "session, GetCallerIdentity",
            Signed::new(&session, "sts", &identity),
        ),
        (
            "user key, ListUsers",
            Signed::new(&user, "iam", &list_users),
        ),
        (
            "session, ListUsers",
            Signed::new(&session, "iam", &list_users),
        ),
    ];

    let mut group = c.benchmark_group("request");
    for (name, signed) in &cases {
        group.bench_function(*name, |bencher| {
            bencher.iter(|| runtime.block_on(send(&app, signed.request())));
        });
    }
    group.finish();
}

criterion_group!(benches, requests);
criterion_main!(benches);
