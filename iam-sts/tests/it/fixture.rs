//! A test world: one in-memory store, a fixed clock, seeded randomness and the STS service.

use std::sync::Arc;

use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_auth::totp::{Totp, TotpAlgorithm, TotpParameters, TotpSeed};
use iam_model::{
    AccountId, Arn, FixedClock, Partition, Quotas, Role, SealedBytes, SeededRandom, UniqueId,
    UniqueIdKind, User, VirtualMfaDevice,
};
use iam_store::{IamStore, MemoryStore};
use iam_sts::mfa::StoredTotpVerifier;
use iam_sts::{Caller, SessionTokens, Sts, VerifiedSession};
use jiff::Timestamp;

pub(crate) const MAIN_ACCOUNT: &str = "111122223333";
pub(crate) const OTHER_ACCOUNT: &str = "444455556666";

/// The context the fixture seals MFA seeds with.
pub(crate) fn seed_context(serial_number: &Arn) -> Vec<u8> {
    format!("mfa seed {serial_number}").into_bytes()
}

pub(crate) fn account(id: &str) -> AccountId {
    id.parse().unwrap()
}

pub(crate) struct World {
    pub(crate) store: Arc<dyn IamStore>,
    pub(crate) sts: Sts,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) random: Arc<SeededRandom>,
    pub(crate) secrets: Arc<Keyring>,
}

impl World {
    pub(crate) fn new() -> Self {
        let store: Arc<dyn IamStore> = Arc::new(MemoryStore::in_memory(Quotas::default()));
        let clock = Arc::new(FixedClock::new(start_time()));
        let random = Arc::new(SeededRandom::new(42));
        let secrets = Arc::new(Keyring::new(
            KeyEncryptionKey::new("secrets-1", &[7; 32]).unwrap(),
        ));
        let token_keyring = Arc::new(Keyring::new(
            KeyEncryptionKey::new("tokens-1", &[9; 32]).unwrap(),
        ));
        let mfa = Arc::new(StoredTotpVerifier::new(
            store.clone(),
            secrets.clone(),
            seed_context,
        ));
        let sts = Sts::new(
            store.clone(),
            SessionTokens::new(token_keyring),
            mfa,
            clock.clone(),
            random.clone(),
        );
        Self {
            store,
            sts,
            clock,
            random,
            secrets,
        }
    }

    pub(crate) fn now(&self) -> Timestamp {
        iam_model::Clock::now(self.clock.as_ref())
    }

    pub(crate) async fn user(&self, account_id: &str, name: &str) -> User {
        let id = UniqueId::generate(UniqueIdKind::User, self.random.as_ref());
        let user = User::new(
            Partition::Aws,
            account(account_id),
            "/",
            name,
            id,
            self.now(),
        )
        .unwrap();
        self.store
            .create_user(account(account_id), user)
            .await
            .unwrap()
            .record
    }

    pub(crate) async fn role(&self, account_id: &str, name: &str, trust_policy: &str) -> Role {
        self.role_with_path(account_id, "/", name, trust_policy)
            .await
    }

    pub(crate) async fn role_with_path(
        &self,
        account_id: &str,
        path: &str,
        name: &str,
        trust_policy: &str,
    ) -> Role {
        self.role_with_max(account_id, path, name, trust_policy, 3600)
            .await
    }

    pub(crate) async fn role_with_max(
        &self,
        account_id: &str,
        path: &str,
        name: &str,
        trust_policy: &str,
        max_session_duration: u32,
    ) -> Role {
        let id = UniqueId::generate(UniqueIdKind::Role, self.random.as_ref());
        let role = Role::new(
            Partition::Aws,
            account(account_id),
            path,
            name,
            id,
            trust_policy.to_owned(),
            self.now(),
        )
        .unwrap();
        let role = Role {
            max_session_duration,
            ..role
        };
        self.store
            .create_role(account(account_id), role)
            .await
            .unwrap()
            .record
    }

    /// Creates a virtual MFA device with a fresh seed and enables it for `owner`.
    pub(crate) async fn mfa_device(&self, account_id: &str, owner: &str) -> (Arn, Totp) {
        let seed = TotpSeed::generate(TotpAlgorithm::Sha1, self.random.as_ref());
        let totp = Totp::new(seed.clone(), TotpParameters::default()).unwrap();
        let device_name = format!("{owner}-device").replace(['<', '>'], "");
        let serial: Arn = format!("arn:aws:iam::{account_id}:mfa/{device_name}")
            .parse()
            .unwrap();
        let sealed = self
            .secrets
            .seal(seed.expose(), &seed_context(&serial), self.random.as_ref())
            .unwrap();
        let device = VirtualMfaDevice::new(
            Partition::Aws,
            account(account_id),
            "/",
            &device_name,
            SealedBytes(sealed.as_str().as_bytes().to_vec()),
        )
        .unwrap();
        assert_eq!(device.serial_number, serial);
        let store = self.store.as_ref();
        store
            .create_virtual_mfa_device(account(account_id), device)
            .await
            .unwrap();
        // Enabled as if with the codes of the two steps before now, so the current code is new.
        let enabled_step = totp.step_at(self.now()) - 1;
        store
            .enable_mfa_device(
                account(account_id),
                owner,
                &serial,
                self.now(),
                enabled_step,
            )
            .await
            .unwrap();
        (serial, totp)
    }

    /// Opens issued credentials as the server would when they sign a request.
    pub(crate) fn session_caller(&self, credentials: &iam_sts::SessionCredentials) -> Caller {
        let session: VerifiedSession = self
            .sts
            .tokens()
            .verify(
                credentials.session_token.expose(),
                credentials.access_key_id.as_str(),
                self.now(),
            )
            .unwrap();
        Caller::Session(Box::new(session))
    }
}

pub(crate) fn start_time() -> Timestamp {
    "2026-03-01T12:00:10Z".parse().unwrap()
}

pub(crate) fn user_caller(user: &User) -> Caller {
    let account = user.arn.account().parse().unwrap();
    Caller::User {
        account,
        user: Box::new(user.clone()),
    }
}

pub(crate) fn root_caller(account_id: &str) -> Caller {
    Caller::Root {
        partition: Partition::Aws,
        account: account(account_id),
    }
}

/// Stores `document` as the inline policy `name` of a user or role.
pub(crate) async fn put_inline_policy(
    world: &World,
    account_id: &str,
    identity: iam_store::Identity,
    name: &str,
    document: &str,
) {
    let policy = iam_model::InlinePolicy {
        policy_name: name.to_owned(),
        policy_document: document.to_owned(),
    };
    world
        .store
        .put_inline_policy(account(account_id), &identity, policy)
        .await
        .unwrap();
}

/// Stores `document` as the inline policy `name` of the user `user_name`.
pub(crate) async fn put_user_policy(
    world: &World,
    account_id: &str,
    user_name: &str,
    name: &str,
    document: &str,
) {
    let identity = iam_store::Identity::User(user_name.to_owned());
    put_inline_policy(world, account_id, identity, name, document).await;
}

/// Stores `document` as the inline policy `name` of the role `role_name`.
pub(crate) async fn put_role_policy(
    world: &World,
    account_id: &str,
    role_name: &str,
    name: &str,
    document: &str,
) {
    let identity = iam_store::Identity::Role(role_name.to_owned());
    put_inline_policy(world, account_id, identity, name, document).await;
}

/// Creates a customer managed policy and makes it the permissions boundary of a user.
pub(crate) async fn set_user_boundary(
    world: &World,
    account_id: &str,
    user_name: &str,
    document: &str,
) {
    let id = UniqueId::generate(UniqueIdKind::Policy, world.random.as_ref());
    let policy = iam_model::ManagedPolicy::new(
        Partition::Aws,
        account(account_id),
        "/",
        "boundary",
        id,
        document.to_owned(),
        world.now(),
    )
    .unwrap();
    let arn = policy.arn.clone();
    world
        .store
        .create_policy(account(account_id), policy)
        .await
        .unwrap();
    world
        .store
        .set_permissions_boundary(
            account(account_id),
            &iam_store::Identity::User(user_name.to_owned()),
            Some(&arn),
        )
        .await
        .unwrap();
}

/// Issues a session of `role` directly, standing for a session obtained earlier.
pub(crate) fn role_session(world: &World, role: &Role, session_name: &str) -> Caller {
    let now = world.now();
    let claims = iam_sts::SessionClaims {
        kind: iam_sts::PrincipalKind::AssumedRole,
        account: role.arn.account().parse().unwrap(),
        principal_arn: format!(
            "arn:aws:sts::{}:assumed-role/{}/{session_name}",
            role.arn.account(),
            role.role_name
        )
        .parse()
        .unwrap(),
        source_arn: role.arn.clone(),
        source_id: role.role_id.as_str().to_owned(),
        session_name: session_name.to_owned(),
        issued_at: now,
        expires_at: now + jiff::SignedDuration::from_secs(3600),
        source_identity: None,
        tags: Vec::new(),
        session_policy: None,
        session_policy_arns: Vec::new(),
        mfa_authenticated_at: None,
        chained: false,
        iam_denied: false,
        federated_provider: None,
    };
    let credentials = world
        .sts
        .tokens()
        .issue(&claims, world.random.as_ref())
        .unwrap();
    world.session_caller(&credentials)
}

/// Returns `ok` for a success and the AWS error code for a failure.
pub(crate) fn code(result: Result<impl Sized, iam_sts::StsError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(error) => error.code(),
    }
}
