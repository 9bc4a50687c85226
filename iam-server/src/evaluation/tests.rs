use std::sync::Arc;

use iam_auth::SecretAccessKey;
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_model::{FixedClock, InlinePolicy, Partition, Quotas, Role, SeededRandom, UniqueId};
use iam_model::{UniqueIdKind, User as StoredUser};
use iam_policy::Gate;
use iam_store::MemoryStore;
use jiff::SignedDuration;

use super::*;
use crate::session::SessionKeys;

const ACCOUNT: &str = "111122223333";
const NOW: &str = "2026-01-01T00:00:00Z";

fn allow(actions: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#
    )
}

struct Fixture {
    store: Arc<dyn IamStore>,
    sessions: Sessions,
    cache: PolicyCache,
    random: SeededRandom,
}

impl Fixture {
    fn new() -> Fixture {
        let store: Arc<dyn IamStore> = Arc::new(MemoryStore::in_memory(Quotas::default()));
        let secrets = Arc::new(Keyring::new(
            KeyEncryptionKey::new("secrets", &[1_u8; 32]).unwrap(),
        ));
        let sessions = Sessions::new(
            Arc::clone(&store),
            secrets,
            SessionKeys::new(
                KeyEncryptionKey::new("tokens", &[2_u8; 32]).unwrap(),
                KeyEncryptionKey::new("messages", &[3_u8; 32]).unwrap(),
            ),
            Arc::new(FixedClock::new(NOW.parse().unwrap())),
            Arc::new(SeededRandom::new(9)),
        );
        Fixture {
            cache: PolicyCache::following(store.as_ref()),
            store,
            sessions,
            random: SeededRandom::new(4),
        }
    }

    fn account(&self) -> AccountId {
        ACCOUNT.parse().unwrap()
    }

    async fn user(&self, name: &str, policy: &str) -> StoredUser {
        let id = UniqueId::generate(UniqueIdKind::User, &self.random);
        let user = StoredUser::new(
            Partition::Aws,
            self.account(),
            "/",
            name,
            id,
            NOW.parse().unwrap(),
        )
        .unwrap();
        let user = self
            .store
            .create_user(self.account(), user)
            .await
            .unwrap()
            .record;
        self.put_policy(Identity::User(name.to_owned()), policy)
            .await;
        user
    }

    async fn role(&self, name: &str, policy: &str) -> Role {
        let id = UniqueId::generate(UniqueIdKind::Role, &self.random);
        let role = Role::new(
            Partition::Aws,
            self.account(),
            "/",
            name,
            id,
            r#"{"Version":"2012-10-17","Statement":[]}"#.to_owned(),
            NOW.parse().unwrap(),
        )
        .unwrap();
        let role = self
            .store
            .create_role(self.account(), role)
            .await
            .unwrap()
            .record;
        self.put_policy(Identity::Role(name.to_owned()), policy)
            .await;
        role
    }

    async fn put_policy(&self, identity: Identity, policy: &str) {
        let inline = InlinePolicy {
            policy_name: "inline".to_owned(),
            policy_document: policy.to_owned(),
        };
        self.store
            .put_inline_policy(self.account(), &identity, inline)
            .await
            .unwrap();
    }

    async fn decide(&self, claims: &SessionClaims, action: &str, resource: &str) -> Explanation {
        let session = VerifiedSession {
            claims: claims.clone(),
            access_key_id: "ASIAEXAMPLEEXAMPLE12".to_owned(),
            secret_access_key: SecretAccessKey::new("secret"),
        };
        let keys = ContextKeys::new();
        let facts = RequestFacts {
            action,
            resource,
            now: NOW.parse().unwrap(),
            keys: &keys,
        };
        self.cache
            .evaluate_session(self.store.as_ref(), &self.sessions, &session, facts)
            .await
            .unwrap()
            .explanation
    }
}

/// Builds the claims of a session of `kind` whose policies come from `source_arn`.
fn claims(
    kind: PrincipalKind,
    principal_arn: &str,
    source_arn: &str,
    source_id: &str,
) -> SessionClaims {
    let issued_at: Timestamp = NOW.parse().unwrap();
    SessionClaims {
        kind,
        account: ACCOUNT.parse().unwrap(),
        principal_arn: principal_arn.parse().unwrap(),
        source_arn: source_arn.parse().unwrap(),
        source_id: source_id.to_owned(),
        session_name: "partner".to_owned(),
        issued_at,
        expires_at: issued_at + SignedDuration::from_secs(3600),
        source_identity: None,
        tags: Vec::new(),
        session_policy: None,
        session_policy_arns: Vec::new(),
        mfa_authenticated_at: None,
        chained: false,
        iam_denied: false,
        federated_provider: None,
    }
}

fn federated(user: &StoredUser, session_policy: Option<String>) -> SessionClaims {
    let mut claims = claims(
        PrincipalKind::FederatedUser,
        "arn:aws:sts::111122223333:federated-user/partner",
        &user.arn.to_string(),
        user.user_id.as_str(),
    );
    claims.session_policy = session_policy;
    claims
}

#[tokio::test]
async fn federated_user_gets_intersection() {
    let fixture = Fixture::new();
    let alice = fixture
        .user("alice", &allow(r#"["s3:GetObject","s3:PutObject"]"#))
        .await;
    let claims = federated(&alice, Some(allow(r#"["s3:GetObject","s3:DeleteObject"]"#)));

    let get = fixture.decide(&claims, "s3:GetObject", "*").await;
    let put = fixture.decide(&claims, "s3:PutObject", "*").await;
    let delete = fixture.decide(&claims, "s3:DeleteObject", "*").await;

    assert_eq!(get.decision, Decision::Allow);
    assert_eq!(put.decision, Decision::ImplicitDeny);
    assert_eq!(put.gate, Some(Gate::SessionPolicy));
    assert_eq!(delete.decision, Decision::ImplicitDeny);
    assert_eq!(delete.gate, Some(Gate::NoIdentityAllow));
}

#[tokio::test]
async fn federated_user_without_session_policy_gets_nothing() {
    let fixture = Fixture::new();
    let alice = fixture.user("alice", &allow(r#""*""#)).await;

    let explanation = fixture
        .decide(&federated(&alice, None), "s3:GetObject", "*")
        .await;

    assert_eq!(explanation.decision, Decision::ImplicitDeny);
    assert_eq!(explanation.gate, Some(Gate::SessionPolicy));
}

#[tokio::test]
async fn root_federated_user_gets_session_policies() {
    let fixture = Fixture::new();
    let mut claims = claims(
        PrincipalKind::FederatedUser,
        "arn:aws:sts::111122223333:federated-user/partner",
        "arn:aws:iam::111122223333:root",
        ACCOUNT,
    );
    claims.session_policy = Some(allow(r#""s3:GetObject""#));

    let get = fixture.decide(&claims, "s3:GetObject", "*").await;
    let put = fixture.decide(&claims, "s3:PutObject", "*").await;

    assert_eq!(get.decision, Decision::Allow);
    assert_eq!(put.decision, Decision::ImplicitDeny);
}

#[tokio::test]
async fn user_session_resolves_user_name_variable() {
    let fixture = Fixture::new();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#;
    let alice = fixture.user("alice", policy).await;
    let claims = claims(
        PrincipalKind::User,
        &alice.arn.to_string(),
        &alice.arn.to_string(),
        alice.user_id.as_str(),
    );

    let own = fixture
        .decide(&claims, "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt")
        .await;
    let other = fixture
        .decide(&claims, "s3:GetObject", "arn:aws:s3:::home/bob/notes.txt")
        .await;

    assert_eq!(own.decision, Decision::Allow);
    assert_eq!(other.decision, Decision::ImplicitDeny);
}

#[tokio::test]
async fn session_of_deleted_user_gets_nothing() {
    let fixture = Fixture::new();
    let alice = fixture.user("alice", &allow(r#""*""#)).await;
    let claims = federated(&alice, Some(allow(r#""*""#)));
    fixture
        .store
        .delete_inline_policy(
            fixture.account(),
            &Identity::User("alice".to_owned()),
            "inline",
        )
        .await
        .unwrap();
    fixture
        .store
        .delete_user(fixture.account(), "alice")
        .await
        .unwrap();
    fixture
        .cache
        .invalidate(fixture.account(), &Identity::User("alice".to_owned()));

    let explanation = fixture.decide(&claims, "s3:GetObject", "*").await;

    assert_eq!(explanation.decision, Decision::ImplicitDeny);
    assert_eq!(explanation.gate, Some(Gate::NoIdentityAllow));
    assert!(explanation.statements.is_empty());
}

#[tokio::test]
async fn role_entries_are_cached_and_invalidated() {
    let fixture = Fixture::new();
    let role = fixture.role("Reader", &allow(r#""s3:GetObject""#)).await;
    let claims = claims(
        PrincipalKind::AssumedRole,
        "arn:aws:sts::111122223333:assumed-role/Reader/s1",
        &role.arn.to_string(),
        role.role_id.as_str(),
    );

    let first = fixture.decide(&claims, "s3:GetObject", "*").await;
    let cached = fixture.cache.len();
    fixture
        .cache
        .invalidate(fixture.account(), &Identity::Role("READER".to_owned()));
    let after_invalidation = fixture.cache.len();

    assert_eq!(first.decision, Decision::Allow);
    assert_eq!(cached, 1);
    assert_eq!(after_invalidation, 0);
}

#[tokio::test]
async fn role_session_policy_arn_is_loaded() {
    let fixture = Fixture::new();
    let role = fixture.role("reader", &allow(r#""s3:*""#)).await;
    let policy = iam_model::ManagedPolicy::new(
        Partition::Aws,
        fixture.account(),
        "/",
        "get-only",
        UniqueId::generate(UniqueIdKind::Policy, &fixture.random),
        allow(r#""s3:GetObject""#),
        NOW.parse().unwrap(),
    )
    .unwrap();
    let policy_arn = policy.arn.clone();
    fixture
        .store
        .create_policy(fixture.account(), policy)
        .await
        .unwrap();
    let mut claims = claims(
        PrincipalKind::AssumedRole,
        "arn:aws:sts::111122223333:assumed-role/reader/s1",
        &role.arn.to_string(),
        role.role_id.as_str(),
    );
    claims.session_policy_arns.push(policy_arn.clone());

    let get = fixture.decide(&claims, "s3:GetObject", "*").await;
    let put = fixture.decide(&claims, "s3:PutObject", "*").await;

    assert_eq!(get.decision, Decision::Allow);
    assert_eq!(get.statements.len(), 2);
    assert_eq!(put.decision, Decision::ImplicitDeny);
    assert_eq!(put.gate, Some(Gate::SessionPolicy));
}

#[tokio::test]
async fn policy_change_applies_to_next_request() {
    let fixture = Fixture::new();
    let role = fixture.role("Reader", &allow(r#""s3:GetObject""#)).await;
    let claims = claims(
        PrincipalKind::AssumedRole,
        "arn:aws:sts::111122223333:assumed-role/Reader/s1",
        &role.arn.to_string(),
        role.role_id.as_str(),
    );

    let before = fixture.decide(&claims, "s3:PutObject", "*").await;
    fixture
        .put_policy(
            Identity::Role("Reader".to_owned()),
            &allow(r#""s3:PutObject""#),
        )
        .await;
    let after = fixture.decide(&claims, "s3:PutObject", "*").await;

    assert_eq!(before.decision, Decision::ImplicitDeny);
    assert_eq!(after.decision, Decision::Allow);
}
