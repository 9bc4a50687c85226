//! STS operations and session credentials through the router: issuing sessions, signing with
//! them, and the authorization of what they sign.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_auth::sigv4::{Credentials, HttpRequest, Signer};
use iam_auth::totp::{Totp, TotpAlgorithm, TotpParameters, TotpSeed};
use iam_auth::{SecretAccessKey, SecurityToken};
use iam_model::{
    AccountId, Arn, Clock, FixedClock, OidcProvider, Partition, Quotas, SealedBytes, SeededRandom,
    VirtualMfaDevice,
};
use iam_store::{IamStore, MemoryStore};
use tower::ServiceExt;

use crate::app::{AppState, router};
use crate::bootstrap::RootAccount;
use crate::config::{Options, Settings};
use crate::session::SessionKeys;

const ACCOUNT: &str = "111122223333";
const ROOT_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const ROOT_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const START: &str = "2026-01-01T00:00:00Z";
const TOKEN_INVALID: &str = "The security token included in the request is invalid.";

const READ_IAM: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}"#;

fn allow(actions: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#
    )
}

fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}}]}}"#
    )
}

fn alice_arn() -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/alice")
}

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// Encodes Query API parameters as a form body.
fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Returns the text of the first `<element>` of a response body.
fn text<'a>(body: &'a str, element: &str) -> &'a str {
    let open = format!("<{element}>");
    let close = format!("</{element}>");
    let start = body
        .find(&open)
        .unwrap_or_else(|| panic!("no <{element}> in {body}"))
        + open.len();
    let end = body[start..].find(&close).unwrap() + start;
    &body[start..end]
}

fn code(body: &str) -> &str {
    text(body, "Code")
}

fn message(body: &str) -> String {
    text(body, "Message").replace("&quot;", "\"")
}

/// Reads the `Credentials` of an STS response.
fn session_credentials(body: &str) -> Credentials {
    Credentials {
        access_key_id: text(body, "AccessKeyId").to_owned(),
        secret_access_key: SecretAccessKey::new(text(body, "SecretAccessKey")),
        session_token: Some(SecurityToken::new(text(body, "SessionToken"))),
    }
}

fn root() -> Credentials {
    Credentials {
        access_key_id: ROOT_KEY_ID.to_owned(),
        secret_access_key: SecretAccessKey::new(ROOT_SECRET),
        session_token: None,
    }
}

/// One server state on an in-memory store with a clock the test moves.
struct World {
    app: Router,
    state: Arc<AppState>,
    clock: Arc<FixedClock>,
    secrets: Arc<Keyring>,
}

impl World {
    async fn new() -> World {
        World::build(None).await
    }

    /// Builds the world, recording every call in `audit` when given.
    async fn build(audit: Option<Arc<iam_audit::MemorySink>>) -> World {
        let clock = Arc::new(FixedClock::new(START.parse().unwrap()));
        let secrets = Arc::new(Keyring::new(
            KeyEncryptionKey::new("secrets", &[1_u8; 32]).unwrap(),
        ));

        let root = RootAccount {
            account: ACCOUNT.parse().unwrap(),
            create_date: START.parse().unwrap(),
        };
        let store: Arc<dyn IamStore> = Arc::new(MemoryStore::in_memory(Quotas::default()));
        let random = Arc::new(SeededRandom::new(11));
        crate::bootstrap::store_root_key(
            store.as_ref(),
            &secrets,
            random.as_ref(),
            root,
            ROOT_KEY_ID,
            &SecretAccessKey::new(ROOT_SECRET),
        )
        .await
        .unwrap();

        let mut state = AppState::new(
            Settings::resolve(Options::default()).unwrap(),
            clock.clone(),
            random,
            store,
            Arc::clone(&secrets),
            SessionKeys::new(
                KeyEncryptionKey::new("tokens", &[2_u8; 32]).unwrap(),
                KeyEncryptionKey::new("messages", &[3_u8; 32]).unwrap(),
            ),
            root,
        );

        if let Some(sink) = audit {
            state = state.with_audit(sink).unwrap();
        }
        let state = Arc::new(state);

        World {
            app: router(Arc::clone(&state)),
            state,
            clock,
            secrets,
        }
    }

    fn account(&self) -> AccountId {
        ACCOUNT.parse().unwrap()
    }

    /// Sends a POST signed in the `Authorization` header by `credentials`.
    async fn call(
        &self,
        credentials: &Credentials,
        service: &str,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let body = form(pairs);
        let signer = Signer::new(credentials.clone(), "us-east-1", service);
        let signed = signer
            .sign_form_post("127.0.0.1:9500", &body, self.clock.now())
            .unwrap();
        let mut builder = Request::post("/");
        for (name, value) in &signed.headers {
            builder = builder.header(name, value);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// Sends a presigned GET of `pairs` signed by `credentials`.
    async fn presigned(
        &self,
        credentials: &Credentials,
        service: &str,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let query = form(pairs);
        let signer = Signer::new(credentials.clone(), "us-east-1", service);
        let headers = [("host", "127.0.0.1:9500")];
        let request = HttpRequest {
            method: "GET",
            path: "/",
            query: &query,
            headers: &headers,
            body: b"",
        };
        let presigned = signer.presign(&request, self.clock.now(), 300).unwrap();
        let request = Request::get(format!("/?{}", presigned.query))
            .header("host", "127.0.0.1:9500")
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// Sends an unsigned POST.
    async fn unsigned(&self, pairs: &[(&str, &str)]) -> (StatusCode, String) {
        let request = Request::post("/")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form(pairs)))
            .unwrap();
        self.send(request).await
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, String) {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    /// Runs an IAM call as root and checks that it succeeded.
    async fn root_iam(&self, pairs: &[(&str, &str)]) -> String {
        let mut all = vec![("Version", "2010-05-08")];
        all.extend_from_slice(pairs);
        let (status, body) = self.call(&root(), "iam", &all).await;
        assert_eq!(status, StatusCode::OK, "{pairs:?}: {body}");
        body
    }

    async fn iam(&self, credentials: &Credentials, pairs: &[(&str, &str)]) -> (StatusCode, String) {
        let mut all = vec![("Version", "2010-05-08")];
        all.extend_from_slice(pairs);
        self.call(credentials, "iam", &all).await
    }

    async fn sts(&self, credentials: &Credentials, pairs: &[(&str, &str)]) -> (StatusCode, String) {
        let mut all = vec![("Version", "2011-06-15")];
        all.extend_from_slice(pairs);
        self.call(credentials, "sts", &all).await
    }

    /// Creates a user with an inline policy and an access key, and returns the key.
    async fn user(&self, name: &str, policy: Option<&str>) -> Credentials {
        self.root_iam(&[("Action", "CreateUser"), ("UserName", name)])
            .await;
        if let Some(policy) = policy {
            self.root_iam(&[
                ("Action", "PutUserPolicy"),
                ("UserName", name),
                ("PolicyName", "inline"),
                ("PolicyDocument", policy),
            ])
            .await;
        }
        let body = self
            .root_iam(&[("Action", "CreateAccessKey"), ("UserName", name)])
            .await;
        Credentials {
            access_key_id: text(&body, "AccessKeyId").to_owned(),
            secret_access_key: SecretAccessKey::new(text(&body, "SecretAccessKey")),
            session_token: None,
        }
    }

    /// Creates a role trusting `principal` with an inline policy.
    async fn role(&self, name: &str, principal: &str, policy: &str) {
        self.root_iam(&[
            ("Action", "CreateRole"),
            ("RoleName", name),
            ("AssumeRolePolicyDocument", &trust(principal)),
        ])
        .await;
        self.root_iam(&[
            ("Action", "PutRolePolicy"),
            ("RoleName", name),
            ("PolicyName", "inline"),
            ("PolicyDocument", policy),
        ])
        .await;
    }

    /// Assumes `role` as `caller` with extra parameters, which may replace the session name
    /// `s1`, and returns the session credentials.
    async fn assume(
        &self,
        caller: &Credentials,
        role: &str,
        extra: &[(&str, &str)],
    ) -> Credentials {
        let (status, body) = self.assume_raw(caller, role, extra).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        session_credentials(&body)
    }

    async fn assume_raw(
        &self,
        caller: &Credentials,
        role: &str,
        extra: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let role = role_arn(role);
        let mut pairs = vec![("Action", "AssumeRole"), ("RoleArn", role.as_str())];
        if !extra.iter().any(|(name, _)| *name == "RoleSessionName") {
            pairs.push(("RoleSessionName", "s1"));
        }
        pairs.extend_from_slice(extra);
        self.sts(caller, &pairs).await
    }

    /// Registers and enables a virtual MFA device for `user_name`, sealed as the server seals
    /// seeds, and returns its serial number and generator.
    async fn mfa_device(&self, user_name: &str) -> (String, Totp) {
        let random = SeededRandom::new(5);
        let seed = TotpSeed::generate(TotpAlgorithm::Sha1, &random);
        let totp = Totp::new(seed.clone(), TotpParameters::default()).unwrap();
        let serial: Arn = format!("arn:aws:iam::{ACCOUNT}:mfa/{user_name}")
            .parse()
            .unwrap();
        let sealed = self
            .secrets
            .seal(seed.expose(), &iam_sts::mfa::seed_context(&serial), &random)
            .unwrap();
        let device = VirtualMfaDevice::new(
            Partition::Aws,
            self.account(),
            "/",
            user_name,
            SealedBytes(sealed.as_str().as_bytes().to_vec()),
        )
        .unwrap();
        let store = self.state.store.as_ref();
        store
            .create_virtual_mfa_device(self.account(), device)
            .await
            .unwrap();
        store
            .enable_mfa_device(
                self.account(),
                user_name,
                &serial,
                self.clock.now(),
                totp.step_at(self.clock.now()) - 1,
            )
            .await
            .unwrap();
        (serial.to_string(), totp)
    }
}

/// Sets up alice (allowed to assume roles) and the role `reader`, which trusts her and may read
/// IAM.
async fn reader_world() -> (World, Credentials) {
    let world = World::new().await;
    let alice = world
        .user("alice", Some(&allow(r#""sts:AssumeRole""#)))
        .await;
    world.role("reader", &alice_arn(), READ_IAM).await;
    (world, alice)
}

#[tokio::test]
async fn role_session_reports_assumed_role_identity() {
    let (world, alice) = reader_world().await;
    let session = world.assume(&alice, "reader", &[]).await;

    let (status, body) = world
        .sts(&session, &[("Action", "GetCallerIdentity")])
        .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        text(&body, "Arn"),
        "arn:aws:sts::111122223333:assumed-role/reader/s1"
    );
    assert!(text(&body, "UserId").starts_with("AROA"), "{body}");
    assert!(text(&body, "UserId").ends_with(":s1"), "{body}");
    assert_eq!(text(&body, "Account"), ACCOUNT);
}

#[tokio::test]
async fn assume_role_response_has_botocore_members() {
    let (world, alice) = reader_world().await;

    let (status, body) = world
        .assume_raw(&alice, "reader", &[("DurationSeconds", "900")])
        .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(text(&body, "AccessKeyId").starts_with("ASIA"), "{body}");
    assert_eq!(text(&body, "Expiration"), "2026-01-01T00:15:00Z");
    assert_eq!(
        text(&body, "Arn"),
        "arn:aws:sts::111122223333:assumed-role/reader/s1"
    );
    assert!(!body.contains("PackedPolicySize"), "{body}");
}

#[tokio::test]
async fn role_session_follows_role_policies() {
    let (world, alice) = reader_world().await;
    let session = world.assume(&alice, "reader", &[]).await;

    let (list_status, list_body) = world.iam(&session, &[("Action", "ListUsers")]).await;
    let (create_status, create_body) = world
        .iam(
            &session,
            &[("Action", "CreateUser"), ("UserName", "mallory")],
        )
        .await;

    assert_eq!(list_status, StatusCode::OK, "{list_body}");
    assert_eq!(create_status, StatusCode::FORBIDDEN);
    assert_eq!(code(&create_body), "AccessDenied");
    let message = message(&create_body);
    assert!(
        message.starts_with(
            "User: arn:aws:sts::111122223333:assumed-role/reader/s1 is not authorized to \
             perform: iam:CreateUser on resource: arn:aws:iam::111122223333:user/mallory \
             because no identity-based policy allows the iam:CreateUser action. Encoded \
             authorization failure message: "
        ),
        "{message}"
    );
}

#[tokio::test]
async fn presigned_caller_identity_with_session() {
    let (world, alice) = reader_world().await;
    let session = world.assume(&alice, "reader", &[]).await;
    let pairs = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];

    let (session_status, session_body) = world.presigned(&session, "sts", &pairs).await;
    let (user_status, user_body) = world.presigned(&alice, "sts", &pairs).await;

    assert_eq!(session_status, StatusCode::OK, "{session_body}");
    assert_eq!(
        text(&session_body, "Arn"),
        "arn:aws:sts::111122223333:assumed-role/reader/s1"
    );
    assert_eq!(user_status, StatusCode::OK, "{user_body}");
    assert_eq!(text(&user_body, "Arn"), alice_arn());
}

#[tokio::test]
async fn expired_session_is_expired_token() {
    let (world, alice) = reader_world().await;
    let session = world
        .assume(&alice, "reader", &[("DurationSeconds", "900")])
        .await;
    world.clock.advance(900);

    let (status, body) = world
        .sts(&session, &[("Action", "GetCallerIdentity")])
        .await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "ExpiredToken");
    assert_eq!(
        message(&body),
        "The security token included in the request is expired"
    );
}

#[tokio::test]
async fn bad_session_tokens_are_invalid_client_token_id() {
    let (world, alice) = reader_world().await;
    let first = world.assume(&alice, "reader", &[]).await;
    let second = world.assume(&alice, "reader", &[]).await;
    let first_token = first.session_token.clone().unwrap();
    let mut tampered = first_token.expose().to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let cases = [
        (
            "long-term key with a token",
            Credentials {
                session_token: Some(first_token.clone()),
                ..alice.clone()
            },
        ),
        (
            "token of another session",
            Credentials {
                session_token: second.session_token.clone(),
                ..first.clone()
            },
        ),
        (
            "tampered token",
            Credentials {
                session_token: Some(SecurityToken::new(tampered)),
                ..first.clone()
            },
        ),
        (
            "temporary key without a token",
            Credentials {
                session_token: None,
                ..first.clone()
            },
        ),
        (
            "garbage token",
            Credentials {
                session_token: Some(SecurityToken::new("bm90LWEtdG9rZW4=")),
                ..first.clone()
            },
        ),
    ];

    for (case, credentials) in cases {
        let (status, body) = world
            .sts(&credentials, &[("Action", "GetCallerIdentity")])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{case}: {body}");
        assert_eq!(code(&body), "InvalidClientTokenId", "{case}: {body}");
        assert_eq!(message(&body), TOKEN_INVALID, "{case}");
    }
}

#[tokio::test]
async fn inline_session_policy_caps_role() {
    let (world, alice) = reader_world().await;
    let policy = allow(r#"["iam:ListUsers","iam:CreateUser"]"#);
    let session = world.assume(&alice, "reader", &[("Policy", &policy)]).await;

    let (list_status, _) = world.iam(&session, &[("Action", "ListUsers")]).await;
    let (get_status, get_body) = world
        .iam(&session, &[("Action", "GetUser"), ("UserName", "alice")])
        .await;
    let (create_status, create_body) = world
        .iam(&session, &[("Action", "CreateUser"), ("UserName", "new1")])
        .await;

    assert_eq!(list_status, StatusCode::OK);
    assert_eq!(get_status, StatusCode::FORBIDDEN);
    assert!(
        message(&get_body).contains("because no session policy allows the iam:GetUser action"),
        "{get_body}"
    );
    assert_eq!(create_status, StatusCode::FORBIDDEN);
    assert!(
        message(&create_body)
            .contains("because no identity-based policy allows the iam:CreateUser action"),
        "{create_body}"
    );
}

#[tokio::test]
async fn managed_session_policy_caps_role() {
    let (world, alice) = reader_world().await;
    let created = world
        .root_iam(&[
            ("Action", "CreatePolicy"),
            ("PolicyName", "list-only"),
            ("PolicyDocument", &allow(r#""iam:ListUsers""#)),
        ])
        .await;
    let policy_arn = text(&created, "Arn").to_owned();
    let session = world
        .assume(
            &alice,
            "reader",
            &[("PolicyArns.member.1.arn", &policy_arn)],
        )
        .await;

    let (list_status, _) = world.iam(&session, &[("Action", "ListUsers")]).await;
    let (roles_status, roles_body) = world.iam(&session, &[("Action", "ListRoles")]).await;

    assert_eq!(list_status, StatusCode::OK);
    assert_eq!(roles_status, StatusCode::FORBIDDEN);
    assert!(
        message(&roles_body).contains("because no session policy allows"),
        "{roles_body}"
    );
}

#[tokio::test]
async fn role_session_must_name_user_before_authorization() {
    let world = World::new().await;
    let alice = world
        .user("alice", Some(&allow(r#""sts:AssumeRole""#)))
        .await;
    world
        .role("bare", &alice_arn(), &allow(r#""sts:GetCallerIdentity""#))
        .await;
    let session = world.assume(&alice, "bare", &[]).await;

    let (named_status, named_body) = world
        .iam(&session, &[("Action", "GetUser"), ("UserName", "alice")])
        .await;

    // The role may call none of these, and still the missing name is reported first.
    for action in [
        "GetUser",
        "ListAccessKeys",
        "ListMFADevices",
        "GetLoginProfile",
    ] {
        let (status, body) = world.iam(&session, &[("Action", action)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{action}: {body}");
        assert_eq!(code(&body), "ValidationError", "{action}");
        assert_eq!(
            message(&body),
            "Must specify userName when calling with non-User credentials",
            "{action}"
        );
    }
    assert_eq!(named_status, StatusCode::FORBIDDEN, "{named_body}");
    assert_eq!(code(&named_body), "AccessDenied");
}

#[tokio::test]
async fn session_policy_deny_is_named() {
    let (world, alice) = reader_world().await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*"}]}"#;
    let session = world.assume(&alice, "reader", &[("Policy", policy)]).await;

    let (status, body) = world.iam(&session, &[("Action", "ListRoles")]).await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        message(&body)
            .contains("iam:ListRoles on resource: arn:aws:iam::111122223333:role/ with an explicit deny in a session policy"),
        "{body}"
    );
}

#[tokio::test]
async fn role_boundary_caps_session() {
    let (world, alice) = reader_world().await;
    let created = world
        .root_iam(&[
            ("Action", "CreatePolicy"),
            ("PolicyName", "boundary"),
            ("PolicyDocument", &allow(r#""iam:ListUsers""#)),
        ])
        .await;
    world
        .root_iam(&[
            ("Action", "PutRolePermissionsBoundary"),
            ("RoleName", "reader"),
            ("PermissionsBoundary", text(&created, "Arn")),
        ])
        .await;
    let session = world.assume(&alice, "reader", &[]).await;

    let (list_status, _) = world.iam(&session, &[("Action", "ListUsers")]).await;
    let (roles_status, roles_body) = world.iam(&session, &[("Action", "ListRoles")]).await;

    assert_eq!(list_status, StatusCode::OK);
    assert_eq!(roles_status, StatusCode::FORBIDDEN);
    assert!(
        message(&roles_body).contains("because no permissions boundary allows"),
        "{roles_body}"
    );
}

#[tokio::test]
async fn role_policy_change_reaches_live_session() {
    let (world, alice) = reader_world().await;
    let session = world.assume(&alice, "reader", &[]).await;
    let (before, _) = world.iam(&session, &[("Action", "ListUsers")]).await;

    world
        .root_iam(&[
            ("Action", "DeleteRolePolicy"),
            ("RoleName", "reader"),
            ("PolicyName", "inline"),
        ])
        .await;
    let mut after = StatusCode::OK;
    for _ in 0..100 {
        tokio::task::yield_now().await;
        after = world.iam(&session, &[("Action", "ListUsers")]).await.0;
        if after == StatusCode::FORBIDDEN {
            break;
        }
    }

    assert_eq!(before, StatusCode::OK);
    assert_eq!(after, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn session_of_recreated_role_gets_nothing() {
    let (world, alice) = reader_world().await;
    let session = world.assume(&alice, "reader", &[]).await;
    world
        .root_iam(&[
            ("Action", "DeleteRolePolicy"),
            ("RoleName", "reader"),
            ("PolicyName", "inline"),
        ])
        .await;
    world
        .root_iam(&[("Action", "DeleteRole"), ("RoleName", "reader")])
        .await;
    world.role("reader", &alice_arn(), READ_IAM).await;

    let mut status = StatusCode::OK;
    for _ in 0..100 {
        tokio::task::yield_now().await;
        status = world.iam(&session, &[("Action", "ListUsers")]).await.0;
        if status == StatusCode::FORBIDDEN {
            break;
        }
    }
    let fresh = world.assume(&alice, "reader", &[]).await;
    let (fresh_status, _) = world.iam(&fresh, &[("Action", "ListUsers")]).await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(fresh_status, StatusCode::OK);
}

#[tokio::test]
async fn session_tags_override_role_tags() {
    let world = World::new().await;
    let alice = world
        .user(
            "alice",
            Some(&allow(r#"["sts:AssumeRole","sts:TagSession"]"#)),
        )
        .await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue","aws:PrincipalArn":"arn:aws:iam::111122223333:role/tagged"}}}]}"#;
    world.role("tagged", &alice_arn(), policy).await;
    world
        .root_iam(&[
            ("Action", "TagRole"),
            ("RoleName", "tagged"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "red"),
        ])
        .await;

    let plain = world.assume(&alice, "tagged", &[]).await;
    let tagged = world
        .assume(
            &alice,
            "tagged",
            &[
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "blue"),
            ],
        )
        .await;
    let (plain_status, _) = world.iam(&plain, &[("Action", "ListUsers")]).await;
    let (tagged_status, tagged_body) = world.iam(&tagged, &[("Action", "ListUsers")]).await;

    assert_eq!(plain_status, StatusCode::FORBIDDEN);
    assert_eq!(tagged_status, StatusCode::OK, "{tagged_body}");
}

#[tokio::test]
async fn source_identity_reaches_later_requests() {
    let world = World::new().await;
    let alice = world
        .user(
            "alice",
            Some(&allow(r#"["sts:AssumeRole","sts:SetSourceIdentity"]"#)),
        )
        .await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice@example.com"}}}]}"#;
    world.role("audited", &alice_arn(), policy).await;

    let (status, body) = world
        .assume_raw(
            &alice,
            "audited",
            &[("SourceIdentity", "alice@example.com")],
        )
        .await;
    let session = session_credentials(&body);
    let (list_status, _) = world.iam(&session, &[("Action", "ListUsers")]).await;
    let plain = world.assume(&alice, "audited", &[]).await;
    let (plain_status, _) = world.iam(&plain, &[("Action", "ListUsers")]).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(text(&body, "SourceIdentity"), "alice@example.com");
    assert_eq!(list_status, StatusCode::OK);
    assert_eq!(plain_status, StatusCode::FORBIDDEN);
}

/// A refused `AssumeRole`: who calls which role with which extra parameters, and the expected
/// status and error code.
struct Refusal {
    case: &'static str,
    caller: Credentials,
    role: &'static str,
    extra: Vec<(&'static str, &'static str)>,
    status: u16,
    code: &'static str,
}

#[tokio::test]
async fn assume_role_refusals() {
    let (world, alice) = reader_world().await;
    world
        .root_iam(&[
            ("Action", "CreateRole"),
            ("RoleName", "external"),
            (
                "AssumeRolePolicyDocument",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"secret-42"}}}]}"#,
            ),
        ])
        .await;
    // Eleven tags of 256-character values pack to more than the 2,400-byte allotment.
    let huge_value = "v".repeat(256);
    let tag_fields: Vec<(String, String, String)> = (1..=11)
        .map(|index| {
            (
                format!("Tags.member.{index}.Key"),
                format!("Tags.member.{index}.Value"),
                format!("key{index}"),
            )
        })
        .collect();
    let mut tag_pairs = Vec::new();
    for (key_field, value_field, key) in &tag_fields {
        tag_pairs.push((key_field.as_str(), key.as_str()));
        tag_pairs.push((value_field.as_str(), huge_value.as_str()));
    }
    let refusal = |case,
                   caller: &Credentials,
                   role,
                   extra: Vec<(&'static str, &'static str)>,
                   status,
                   code| Refusal {
        case,
        caller: caller.clone(),
        role,
        extra,
        status,
        code,
    };
    let cases = vec![
        refusal(
            "missing role",
            &alice,
            "missing",
            vec![],
            403,
            "AccessDenied",
        ),
        refusal(
            "root caller",
            &root(),
            "reader",
            vec![],
            403,
            "AccessDenied",
        ),
        refusal(
            "short session name",
            &alice,
            "reader",
            vec![("RoleSessionName", "x")],
            400,
            "ValidationError",
        ),
        refusal(
            "duration below minimum",
            &alice,
            "reader",
            vec![("DurationSeconds", "899")],
            400,
            "ValidationError",
        ),
        refusal(
            "duration above role maximum",
            &alice,
            "reader",
            vec![("DurationSeconds", "7200")],
            400,
            "ValidationError",
        ),
        refusal(
            "malformed session policy",
            &alice,
            "reader",
            vec![("Policy", "{not json")],
            400,
            "MalformedPolicyDocument",
        ),
        refusal(
            "missing external id",
            &alice,
            "external",
            vec![],
            403,
            "AccessDenied",
        ),
        refusal(
            "wrong external id",
            &alice,
            "external",
            vec![("ExternalId", "guess-1")],
            403,
            "AccessDenied",
        ),
        refusal(
            "provided contexts",
            &alice,
            "reader",
            vec![
                (
                    "ProvidedContexts.member.1.ProviderArn",
                    "arn:aws:iam::aws:contextProvider/IdentityCenter",
                ),
                ("ProvidedContexts.member.1.ContextAssertion", "assertion"),
            ],
            400,
            "InvalidParameterValue",
        ),
    ];

    for refusal in &cases {
        let (actual, body) = world
            .assume_raw(&refusal.caller, refusal.role, &refusal.extra)
            .await;
        assert_eq!(actual.as_u16(), refusal.status, "{}: {body}", refusal.case);
        assert_eq!(code(&body), refusal.code, "{}: {body}", refusal.case);
    }
    let (packed_status, packed_body) = world.assume_raw(&alice, "reader", &tag_pairs).await;
    assert_eq!(packed_status, StatusCode::BAD_REQUEST, "{packed_body}");
    assert_eq!(code(&packed_body), "PackedPolicyTooLarge");

    let (status, body) = world
        .assume_raw(&alice, "external", &[("ExternalId", "secret-42")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn assume_role_denial_names_caller_and_role() {
    let (world, alice) = reader_world().await;

    let (_, missing) = world.assume_raw(&alice, "missing", &[]).await;
    let (_, as_root) = world.assume_raw(&root(), "reader", &[]).await;

    assert_eq!(
        message(&missing),
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: \
         sts:AssumeRole on resource: arn:aws:iam::111122223333:role/missing"
    );
    assert_eq!(
        message(&as_root),
        "Roles may not be assumed by root accounts"
    );
}

#[tokio::test]
async fn role_chaining_limits_duration() {
    let world = World::new().await;
    let alice = world
        .user("alice", Some(&allow(r#""sts:AssumeRole""#)))
        .await;
    world
        .role("first", &alice_arn(), &allow(r#""sts:AssumeRole""#))
        .await;
    world.role("second", &role_arn("first"), READ_IAM).await;
    world
        .root_iam(&[
            ("Action", "UpdateRole"),
            ("RoleName", "second"),
            ("MaxSessionDuration", "43200"),
        ])
        .await;
    let first = world.assume(&alice, "first", &[]).await;

    let (over_status, over_body) = world
        .assume_raw(&first, "second", &[("DurationSeconds", "3601")])
        .await;
    let (status, body) = world.assume_raw(&first, "second", &[]).await;
    let chained = session_credentials(&body);
    let (identity_status, identity) = world
        .sts(&chained, &[("Action", "GetCallerIdentity")])
        .await;

    assert_eq!(over_status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&over_body), "ValidationError");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(text(&body, "Expiration"), "2026-01-01T01:00:00Z");
    assert_eq!(identity_status, StatusCode::OK);
    assert_eq!(
        text(&identity, "Arn"),
        "arn:aws:sts::111122223333:assumed-role/second/s1"
    );
}

#[tokio::test]
async fn session_token_without_mfa_cannot_call_iam() {
    let world = World::new().await;
    let alice = world.user("alice", Some(&allow(r#""*""#))).await;
    world.role("open", &alice_arn(), READ_IAM).await;
    let (status, body) = world.sts(&alice, &[("Action", "GetSessionToken")]).await;
    let session = session_credentials(&body);

    let (iam_status, iam_body) = world.iam(&session, &[("Action", "ListUsers")]).await;
    let (identity_status, identity) = world
        .sts(&session, &[("Action", "GetCallerIdentity")])
        .await;
    let (again_status, again_body) = world.sts(&session, &[("Action", "GetSessionToken")]).await;
    let (assume_status, assume_body) = world.assume_raw(&session, "open", &[]).await;
    let (long_status, long_body) = world
        .assume_raw(&session, "open", &[("DurationSeconds", "3601")])
        .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(text(&body, "Expiration"), "2026-01-01T12:00:00Z");
    assert_eq!(iam_status, StatusCode::FORBIDDEN);
    assert_eq!(code(&iam_body), "InvalidClientTokenId");
    assert_eq!(identity_status, StatusCode::OK);
    assert_eq!(text(&identity, "Arn"), alice_arn());
    assert_eq!(again_status, StatusCode::FORBIDDEN);
    assert_eq!(code(&again_body), "AccessDenied");
    assert_eq!(assume_status, StatusCode::OK, "{assume_body}");
    assert_eq!(long_status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&long_body), "ValidationError");
}

#[tokio::test]
async fn session_token_with_mfa_carries_mfa_keys() {
    let world = World::new().await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"600"}}}]}"#;
    let alice = world.user("alice", Some(policy)).await;
    let (serial, totp) = world.mfa_device("alice").await;
    let code_now = totp.code_at(world.clock.now());

    let (status, body) = world
        .sts(
            &alice,
            &[
                ("Action", "GetSessionToken"),
                ("SerialNumber", &serial),
                ("TokenCode", &code_now),
            ],
        )
        .await;
    let session = session_credentials(&body);
    let (reused_status, reused_body) = world
        .sts(
            &alice,
            &[
                ("Action", "GetSessionToken"),
                ("SerialNumber", &serial),
                ("TokenCode", &code_now),
            ],
        )
        .await;
    let (long_term_status, _) = world.iam(&alice, &[("Action", "ListUsers")]).await;
    let (fresh_status, fresh_body) = world.iam(&session, &[("Action", "ListUsers")]).await;
    world.clock.advance(900);
    let (old_status, old_body) = world.iam(&session, &[("Action", "ListUsers")]).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(reused_status, StatusCode::FORBIDDEN);
    assert_eq!(code(&reused_body), "AccessDenied");
    assert_eq!(long_term_status, StatusCode::FORBIDDEN);
    assert_eq!(fresh_status, StatusCode::OK, "{fresh_body}");
    assert_eq!(old_status, StatusCode::FORBIDDEN, "{old_body}");
}

#[tokio::test]
async fn short_token_code_is_validation_error() {
    let world = World::new().await;
    let alice = world.user("alice", None).await;
    let (serial, _) = world.mfa_device("alice").await;

    let (status, body) = world
        .sts(
            &alice,
            &[
                ("Action", "GetSessionToken"),
                ("SerialNumber", &serial),
                ("TokenCode", "12345"),
            ],
        )
        .await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "ValidationError");
}

#[tokio::test]
async fn federation_token_needs_permission() {
    let world = World::new().await;
    let policy = allow(r#"["sts:GetFederationToken","iam:ListUsers"]"#);
    let alice = world.user("alice", Some(&policy)).await;
    let bob = world.user("bob", None).await;
    let session_policy = allow(r#""iam:ListUsers""#);

    let (status, body) = world
        .sts(
            &alice,
            &[
                ("Action", "GetFederationToken"),
                ("Name", "partner"),
                ("Policy", &session_policy),
            ],
        )
        .await;
    let (bob_status, bob_body) = world
        .sts(
            &bob,
            &[("Action", "GetFederationToken"), ("Name", "partner")],
        )
        .await;
    let (tags_status, tags_body) = world
        .sts(
            &alice,
            &[
                ("Action", "GetFederationToken"),
                ("Name", "partner"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "blue"),
            ],
        )
        .await;
    let federated = session_credentials(&body);
    let (identity_status, identity) = world
        .sts(&federated, &[("Action", "GetCallerIdentity")])
        .await;
    let (iam_status, iam_body) = world.iam(&federated, &[("Action", "ListUsers")]).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(text(&body, "FederatedUserId"), "111122223333:partner");
    assert_eq!(
        text(&body, "Arn"),
        "arn:aws:sts::111122223333:federated-user/partner"
    );
    assert!(body.contains("<PackedPolicySize>"), "{body}");
    assert_eq!(bob_status, StatusCode::FORBIDDEN);
    assert!(
        message(&bob_body).contains(
            "sts:GetFederationToken on resource: \
             arn:aws:sts::111122223333:federated-user/partner"
        ),
        "{bob_body}"
    );
    assert_eq!(tags_status, StatusCode::FORBIDDEN);
    assert!(
        message(&tags_body).contains("sts:TagSession"),
        "{tags_body}"
    );
    assert_eq!(identity_status, StatusCode::OK);
    assert_eq!(text(&identity, "UserId"), "111122223333:partner");
    assert_eq!(iam_status, StatusCode::FORBIDDEN);
    assert_eq!(code(&iam_body), "AccessDenied");
}

#[tokio::test]
async fn decode_authorization_message_round_trip() {
    let (world, alice) = reader_world().await;
    let decoder = world
        .user(
            "decoder",
            Some(&allow(r#""sts:DecodeAuthorizationMessage""#)),
        )
        .await;
    let session = world.assume(&alice, "reader", &[]).await;
    let (_, denied) = world
        .iam(
            &session,
            &[("Action", "CreateUser"), ("UserName", "mallory")],
        )
        .await;
    let denial = message(&denied);
    let encoded = denial
        .split("Encoded authorization failure message: ")
        .nth(1)
        .unwrap()
        .to_owned();

    let (status, body) = world
        .sts(
            &decoder,
            &[
                ("Action", "DecodeAuthorizationMessage"),
                ("EncodedMessage", &encoded),
            ],
        )
        .await;
    let (alice_status, alice_body) = world
        .sts(
            &alice,
            &[
                ("Action", "DecodeAuthorizationMessage"),
                ("EncodedMessage", &encoded),
            ],
        )
        .await;
    let mut tampered = encoded.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let (tampered_status, tampered_body) = world
        .sts(
            &decoder,
            &[
                ("Action", "DecodeAuthorizationMessage"),
                ("EncodedMessage", &tampered),
            ],
        )
        .await;

    assert_eq!(status, StatusCode::OK, "{body}");
    let decoded: serde_json::Value =
        serde_json::from_str(&text(&body, "DecodedMessage").replace("&quot;", "\"")).unwrap();
    assert_eq!(decoded["allowed"], false);
    assert_eq!(decoded["explicitDeny"], false);
    assert_eq!(decoded["context"]["action"], "iam:CreateUser");
    assert_eq!(
        decoded["context"]["principal"]["arn"],
        "arn:aws:sts::111122223333:assumed-role/reader/s1"
    );
    assert_eq!(
        decoded["context"]["resource"],
        "arn:aws:iam::111122223333:user/mallory"
    );
    assert_eq!(alice_status, StatusCode::FORBIDDEN);
    assert_eq!(code(&alice_body), "AccessDenied");
    assert_eq!(tampered_status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&tampered_body), "InvalidAuthorizationMessageException");
}

#[tokio::test]
async fn oversized_encoded_message_is_validation_error() {
    let world = World::new().await;
    let long = "a".repeat(10_241);

    let (status, body) = world
        .sts(
            &root(),
            &[
                ("Action", "DecodeAuthorizationMessage"),
                ("EncodedMessage", &long),
            ],
        )
        .await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "ValidationError");
}

#[tokio::test]
async fn role_session_get_user_needs_name() {
    let (world, alice) = reader_world().await;
    let session = world.assume(&alice, "reader", &[]).await;

    let (status, body) = world.iam(&session, &[("Action", "GetUser")]).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        message(&body),
        "Must specify userName when calling with non-User credentials"
    );
}

/// Registers an OIDC provider whose signing key is a fresh P-256 key, and returns a function
/// that signs tokens with it.
async fn oidc_provider(world: &World) -> impl Fn(&serde_json::Value) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = key.public_key().as_ref().to_vec();
    let jwks = serde_json::json!({"keys": [{
        "kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "alg": "ES256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    }]});
    let mut provider = OidcProvider::new(
        Partition::Aws,
        world.account(),
        "https://token.example.com",
        vec!["client-app".to_owned()],
        Vec::new(),
        world.clock.now(),
    )
    .unwrap();
    provider.jwks = Some(jwks.to_string());
    world
        .state
        .store
        .create_oidc_provider(world.account(), provider)
        .await
        .unwrap();

    move |claims: &serde_json::Value| {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256","typ":"JWT","kid":"k1"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let signature = key.sign(&rng, signing_input.as_bytes()).unwrap();
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }
}

/// Sends an unsigned `AssumeRoleWithWebIdentity` of the role `web` with `token`.
async fn web_identity(world: &World, token: &str) -> (StatusCode, String) {
    let role = role_arn("web");
    world
        .unsigned(&[
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", &role),
            ("RoleSessionName", "web-1"),
            ("WebIdentityToken", token),
        ])
        .await
}

/// Creates the role `web`, which the provider's user `user-1234` of `client-app` may assume
/// and which may read IAM.
async fn create_web_role(world: &World) {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.example.com:aud":"client-app","token.example.com:sub":"user-1234"}}}]}"#;
    world
        .root_iam(&[
            ("Action", "CreateRole"),
            ("RoleName", "web"),
            ("AssumeRolePolicyDocument", trust),
        ])
        .await;
    world
        .root_iam(&[
            ("Action", "PutRolePolicy"),
            ("RoleName", "web"),
            ("PolicyName", "inline"),
            ("PolicyDocument", READ_IAM),
        ])
        .await;
}

/// Returns the claims of a token from the test provider that expires at `exp`.
fn web_claims(world: &World, sub: &str, aud: &str, exp: i64) -> serde_json::Value {
    let now = world.clock.now().as_second();
    serde_json::json!({"iss": "https://token.example.com", "sub": sub, "aud": aud,
                       "iat": now, "exp": exp})
}

#[tokio::test]
async fn web_identity_session_from_unsigned_request() {
    let world = World::new().await;
    let sign = oidc_provider(&world).await;
    create_web_role(&world).await;
    let now = world.clock.now().as_second();
    let claims = |sub: &str, aud: &str, exp: i64| web_claims(&world, sub, aud, exp);

    let (status, body) =
        web_identity(&world, &sign(&claims("user-1234", "client-app", now + 600))).await;
    let session = session_credentials(&body);
    let (list_status, _) = world.iam(&session, &[("Action", "ListUsers")]).await;
    let (expired_status, expired_body) = web_identity(
        &world,
        &sign(&claims("user-1234", "client-app", now - 3600)),
    )
    .await;
    let (audience_status, audience_body) =
        web_identity(&world, &sign(&claims("user-1234", "other-app", now + 600))).await;
    let (subject_status, subject_body) =
        web_identity(&world, &sign(&claims("user-9999", "client-app", now + 600))).await;
    let (garbage_status, garbage_body) = web_identity(&world, "not.a.jwt").await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(text(&body, "SubjectFromWebIdentityToken"), "user-1234");
    assert_eq!(text(&body, "Audience"), "client-app");
    assert_eq!(text(&body, "Provider"), "token.example.com");
    assert_eq!(
        text(&body, "Arn"),
        "arn:aws:sts::111122223333:assumed-role/web/web-1"
    );
    assert_eq!(list_status, StatusCode::OK);
    assert_eq!(expired_status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&expired_body), "ExpiredTokenException");
    assert_eq!(audience_status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&audience_body), "InvalidIdentityToken");
    assert_eq!(subject_status, StatusCode::FORBIDDEN);
    assert_eq!(code(&subject_body), "AccessDenied");
    assert_eq!(
        message(&subject_body),
        "Not authorized to perform sts:AssumeRoleWithWebIdentity"
    );
    assert_eq!(garbage_status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&garbage_body), "InvalidIdentityToken");
}

#[tokio::test]
async fn web_identity_caller_is_audited() {
    let sink = Arc::new(iam_audit::MemorySink::new());
    let world = World::build(Some(sink.clone())).await;
    let sign = oidc_provider(&world).await;
    create_web_role(&world).await;
    let now = world.clock.now().as_second();
    let token = sign(&web_claims(&world, "user-1234", "client-app", now + 600));

    let (status, body) = web_identity(&world, &token).await;
    let (garbage_status, _) = web_identity(&world, "not.a.jwt").await;
    // STS calls are recorded in the background.
    let is_web_identity =
        |event: &&iam_audit::AuditEvent| event.event_name == "AssumeRoleWithWebIdentity";
    let mut events = sink.events();
    for _ in 0..1000 {
        if events.iter().filter(is_web_identity).count() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        events = sink.events();
    }

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(garbage_status, StatusCode::BAD_REQUEST);
    let mut assumed: Vec<_> = events.iter().filter(is_web_identity).collect();
    assert_eq!(assumed.len(), 2);
    assumed.sort_by_key(|event| event.user_identity.user_name.is_none());
    let provider = "arn:aws:iam::111122223333:oidc-provider/token.example.com";
    let verified = &assumed[0].user_identity;
    assert_eq!(
        verified.identity_type,
        iam_audit::IdentityType::WebIdentityUser
    );
    assert_eq!(
        verified.principal_id.as_deref(),
        Some(format!("{provider}:client-app:user-1234").as_str())
    );
    assert_eq!(verified.user_name.as_deref(), Some("user-1234"));
    assert_eq!(verified.identity_provider.as_deref(), Some(provider));
    let json = serde_json::to_string(assumed[0]).unwrap();
    assert!(json.contains(r#""type":"WebIdentityUser""#), "{json}");
    assert!(json.contains(r#""identityProvider":"#), "{json}");
    assert!(!json.contains(&token), "{json}");
    let unverified = &assumed[1].user_identity;
    assert_eq!(
        unverified.identity_type,
        iam_audit::IdentityType::WebIdentityUser
    );
    assert_eq!(unverified.principal_id, None);
    assert_eq!(unverified.identity_provider, None);
}

#[tokio::test]
async fn web_identity_rejects_provider_id() {
    let world = World::new().await;

    let (status, body) = world
        .unsigned(&[
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", &role_arn("web")),
            ("RoleSessionName", "web-1"),
            ("WebIdentityToken", "token-text"),
            ("ProviderId", "graph.facebook.com"),
        ])
        .await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "InvalidParameterValue");
}

#[tokio::test]
async fn unsigned_assume_role_is_rejected() {
    let world = World::new().await;

    let (status, body) = world
        .unsigned(&[("Action", "AssumeRole"), ("Version", "2011-06-15")])
        .await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "MissingAuthenticationToken");
}

#[tokio::test]
async fn session_calls_are_audited_with_session_context() {
    let sink = Arc::new(iam_audit::MemorySink::new());
    let world = World::build(Some(sink.clone())).await;
    let alice = world
        .user("alice", Some(&allow(r#""sts:AssumeRole""#)))
        .await;
    world.role("reader", &alice_arn(), READ_IAM).await;

    let (_, issued) = world.assume_raw(&alice, "reader", &[]).await;
    let session = session_credentials(&issued);
    world.iam(&session, &[("Action", "ListUsers")]).await;
    // Calls that change nothing are recorded in the background.
    let mut events = sink.events();
    for _ in 0..1000 {
        let recorded = ["AssumeRole", "ListUsers"]
            .iter()
            .all(|name| events.iter().any(|event| event.event_name == *name));
        if recorded {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        events = sink.events();
    }

    let assume = events
        .iter()
        .find(|event| event.event_name == "AssumeRole")
        .unwrap();
    let listed = events
        .iter()
        .find(|event| event.event_name == "ListUsers")
        .unwrap();
    let assume_json = serde_json::to_string(assume).unwrap();
    assert!(
        !assume_json.contains(session.secret_access_key.expose()),
        "{assume_json}"
    );
    assert!(
        !assume_json.contains(session.session_token.as_ref().unwrap().expose()),
        "{assume_json}"
    );
    assert_eq!(
        listed.user_identity.identity_type,
        iam_audit::IdentityType::AssumedRole
    );
    let context = listed.user_identity.session_context.as_ref().unwrap();
    let issuer = context.session_issuer.as_ref().unwrap();
    assert_eq!(issuer.issuer_type, "Role");
    assert_eq!(issuer.user_name, "reader");
    assert_eq!(
        listed.user_identity.access_key_id.as_deref(),
        Some(session.access_key_id.as_str())
    );
}
