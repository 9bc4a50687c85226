use iam_auth::seal::KeyEncryptionKey;
use iam_auth::{AccessKeyKind, generate_access_key};
use iam_model::{
    AccessKey, Partition, Quotas, SealedAccessKey, SealedBytes, SeededRandom, Tag, UniqueId,
    UniqueIdKind,
};
use iam_store::MemoryStore;

use super::*;
use crate::identity::access_key_context;

const ACCOUNT: &str = "111122223333";

struct Fixture {
    store: Arc<dyn IamStore>,
    keyring: Arc<Keyring>,
    random: SeededRandom,
}

impl Fixture {
    fn new() -> Self {
        Self {
            store: Arc::new(MemoryStore::in_memory(Quotas::default())),
            keyring: Arc::new(Keyring::new(
                KeyEncryptionKey::new("test", &[9_u8; 32]).unwrap(),
            )),
            random: SeededRandom::new(11),
        }
    }

    fn cache(&self) -> StoreCache {
        StoreCache::new(Arc::clone(&self.store), Arc::clone(&self.keyring))
    }

    fn account(&self) -> AccountId {
        ACCOUNT.parse().unwrap()
    }

    async fn create_user(&self, name: &str) -> User {
        let user = User::new(
            Partition::Aws,
            self.account(),
            "/",
            name,
            UniqueId::generate(UniqueIdKind::User, &self.random),
            "2026-01-01T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
        self.store
            .create_user(self.account(), user)
            .await
            .unwrap()
            .record
    }

    /// Creates an active access key for `user_name` and returns its id and secret.
    async fn create_access_key(&self, user_name: &str) -> (String, String) {
        let (access_key_id, secret) = generate_access_key(AccessKeyKind::LongTerm, &self.random);
        let sealed = self
            .keyring
            .seal(
                secret.expose().as_bytes(),
                &access_key_context(access_key_id.as_str()),
                &self.random,
            )
            .unwrap();
        let record = SealedAccessKey {
            access_key: AccessKey {
                user_name: user_name.to_owned(),
                access_key_id: access_key_id.as_str().parse().unwrap(),
                status: AccessKeyStatus::Active,
                create_date: "2026-01-01T00:00:00Z".parse().unwrap(),
                last_used: None,
            },
            sealed_secret: SealedBytes(sealed.as_str().as_bytes().to_vec()),
        };
        self.store
            .create_access_key(self.account(), record)
            .await
            .unwrap();
        (
            access_key_id.as_str().to_owned(),
            secret.expose().to_owned(),
        )
    }
}

/// Creates the user alice with an access key, and a cache that has looked the key up once.
async fn cached_alice() -> (Fixture, StoreCache, String) {
    let fixture = Fixture::new();
    fixture.create_user("alice").await;
    let (access_key_id, _) = fixture.create_access_key("alice").await;
    let cache = fixture.cache();
    cache.access_key(&access_key_id).await.unwrap();
    (fixture, cache, access_key_id)
}

#[tokio::test]
async fn access_key_opens_secret_and_reads_owner() {
    let fixture = Fixture::new();
    fixture.create_user("alice").await;
    let (access_key_id, secret) = fixture.create_access_key("alice").await;
    let cache = fixture.cache();

    let found = cache.access_key(&access_key_id).await.unwrap();

    assert_eq!(found.account, fixture.account());
    assert_eq!(found.user.unwrap().user_name, "alice");
    assert_eq!(found.secret.expose(), secret);
}

#[tokio::test]
async fn second_lookup_is_served_from_cache() {
    let fixture = Fixture::new();
    fixture.create_user("alice").await;
    let (access_key_id, _) = fixture.create_access_key("alice").await;
    let cache = fixture.cache();

    let first = cache.access_key(&access_key_id).await.unwrap();
    let second = cache.access_key(&access_key_id).await.unwrap();
    let user = cache.user(fixture.account(), "ALICE").await.unwrap();

    let first_user = first.user.unwrap();
    assert!(Arc::ptr_eq(&first_user, &second.user.unwrap()));
    assert!(Arc::ptr_eq(&first_user, &user));
    assert_eq!(cache.len(), 2);
}

#[tokio::test]
async fn deactivated_key_is_rejected_on_next_lookup() {
    let (fixture, cache, access_key_id) = cached_alice().await;

    fixture
        .store
        .update_access_key(
            fixture.account(),
            "alice",
            &access_key_id,
            AccessKeyStatus::Inactive,
        )
        .await
        .unwrap();
    let result = cache.access_key(&access_key_id).await;

    assert!(
        matches!(
            result,
            Err(AuthError::InvalidClientTokenId {
                reason: "the access key is inactive",
                ..
            })
        ),
        "{:?}",
        result.err()
    );
}

#[tokio::test]
async fn deleted_key_is_rejected_on_next_lookup() {
    let (fixture, cache, access_key_id) = cached_alice().await;

    fixture
        .store
        .delete_access_key(fixture.account(), "alice", &access_key_id)
        .await
        .unwrap();
    let result = cache.access_key(&access_key_id).await;

    assert!(
        matches!(
            result,
            Err(AuthError::InvalidClientTokenId {
                reason: "no such access key",
                ..
            })
        ),
        "{:?}",
        result.err()
    );
}

#[tokio::test]
async fn unknown_key_is_rejected() {
    let fixture = Fixture::new();
    let cache = fixture.cache();

    let result = cache.access_key("AKIAIOSFODNN7EXAMPLE").await;

    assert!(matches!(
        result,
        Err(AuthError::InvalidClientTokenId { .. })
    ));
    assert!(cache.is_empty());
}

#[tokio::test]
async fn changed_user_is_read_again() {
    let fixture = Fixture::new();
    let mut user = fixture.create_user("alice").await;
    let (access_key_id, _) = fixture.create_access_key("alice").await;
    let cache = fixture.cache();
    cache.access_key(&access_key_id).await.unwrap();

    user.tags.push(Tag::new("team", "blue"));
    fixture
        .store
        .update_user(fixture.account(), "alice", user, None)
        .await
        .unwrap();
    let found = cache.access_key(&access_key_id).await.unwrap();
    let read = cache.user(fixture.account(), "alice").await.unwrap();

    assert_eq!(found.user.unwrap().tags, vec![Tag::new("team", "blue")]);
    assert_eq!(read.tags, vec![Tag::new("team", "blue")]);
}

#[tokio::test]
async fn deleted_user_is_not_found() {
    let fixture = Fixture::new();
    fixture.create_user("alice").await;
    let cache = fixture.cache();
    cache.user(fixture.account(), "alice").await.unwrap();

    fixture
        .store
        .delete_user(fixture.account(), "alice")
        .await
        .unwrap();
    let result = cache.user(fixture.account(), "alice").await;

    assert!(matches!(result, Err(StoreError::NoSuchEntity { .. })));
}

#[tokio::test]
async fn load_racing_a_change_is_not_kept() {
    let fixture = Fixture::new();
    let mut user = fixture.create_user("alice").await;
    let cache = fixture.cache();

    // A request reads the user, then a write commits before the request stores what it read.
    let epoch = cache.lock().epoch;
    let stale = Arc::new(
        fixture
            .store
            .user(fixture.account(), "alice")
            .await
            .unwrap(),
    );
    user.tags.push(Tag::new("team", "blue"));
    fixture
        .store
        .update_user(fixture.account(), "alice", user, None)
        .await
        .unwrap();
    cache.keep_user(epoch, fixture.account(), &stale);

    assert!(cache.is_empty());
    let read = cache.user(fixture.account(), "alice").await.unwrap();
    assert_eq!(read.tags, vec![Tag::new("team", "blue")]);
}

#[tokio::test]
async fn full_cache_is_cleared() {
    let fixture = Fixture::new();
    for name in ["alice", "bob", "carol"] {
        fixture.create_user(name).await;
    }
    let cache =
        StoreCache::with_capacity(Arc::clone(&fixture.store), Arc::clone(&fixture.keyring), 2);

    cache.user(fixture.account(), "alice").await.unwrap();
    cache.user(fixture.account(), "bob").await.unwrap();
    assert_eq!(cache.len(), 2);
    cache.user(fixture.account(), "carol").await.unwrap();

    assert_eq!(cache.len(), 1);
}

#[tokio::test]
async fn lagged_feed_clears_cache() {
    let (fixture, cache, access_key_id) = cached_alice().await;
    assert_eq!(cache.len(), 2);

    // More changes than the feed buffers (4,096), none of them about alice, and within the
    // quota of 5,000 users.
    for index in 0..4_500 {
        fixture.create_user(&format!("user{index}")).await;
    }

    assert!(cache.is_empty());
    assert!(cache.access_key(&access_key_id).await.is_ok());
}

#[tokio::test]
async fn root_key_dropped_on_delete() {
    let fixture = Fixture::new();
    let (access_key_id, secret) = fixture.create_access_key(ROOT_USER_NAME).await;
    let cache = fixture.cache();

    let found = cache.access_key(&access_key_id).await.unwrap();
    assert!(found.user.is_none());
    assert_eq!(found.account, fixture.account());
    assert_eq!(found.secret.expose(), secret);

    fixture
        .store
        .delete_access_key(fixture.account(), ROOT_USER_NAME, &access_key_id)
        .await
        .unwrap();
    let error = cache.access_key(&access_key_id).await.err().unwrap();
    assert!(matches!(error, AuthError::InvalidClientTokenId { .. }));
}
