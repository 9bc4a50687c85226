//! A property test: random operation sequences applied to the sled and the in-memory backend
//! give the same results and leave the same observable state.

use std::sync::Arc;

use iam_model::{AccessKeyStatus, PolicyVersionId, Quota, Quotas};
use iam_store::conformance::{Fixture, document};
use iam_store::export::ExportRecord;
use iam_store::kv::SledOptions;
use iam_store::{IamStore, Identity, ListOptions, MemoryStore, SledStore, StoreError};
use proptest::prelude::*;

/// Names with case variants, so that uniqueness ignoring case is exercised.
const NAMES: [&str; 6] = ["alice", "Alice", "BOB", "bob", "carol", "Dave"];

#[derive(Debug, Clone)]
enum Operation {
    CreateUser(usize),
    DeleteUser(usize),
    RenameUser(usize, usize),
    CreateGroup(usize),
    DeleteGroup(usize),
    AddToGroup(usize, usize),
    RemoveFromGroup(usize, usize),
    CreatePolicy(usize),
    DeletePolicy(usize),
    AttachToUser(usize, usize),
    DetachFromUser(usize, usize),
    AttachToGroup(usize, usize),
    CreateVersion(usize, bool),
    DeleteVersion(usize, u32),
    PutInline(usize, usize),
    DeleteInline(usize, usize),
    CreateAccessKey(usize),
    DeactivateAccessKey(usize),
    DeleteAccessKey(usize),
    SetBoundary(usize, Option<usize>),
    RevokeSessions(usize, i64),
    ClearRevocation(usize),
}

fn operation() -> impl Strategy<Value = Operation> {
    let name = || 0..NAMES.len();
    prop_oneof![
        name().prop_map(Operation::CreateUser),
        name().prop_map(Operation::DeleteUser),
        (name(), name()).prop_map(|(from, to)| Operation::RenameUser(from, to)),
        name().prop_map(Operation::CreateGroup),
        name().prop_map(Operation::DeleteGroup),
        (name(), name()).prop_map(|(group, user)| Operation::AddToGroup(group, user)),
        (name(), name()).prop_map(|(group, user)| Operation::RemoveFromGroup(group, user)),
        name().prop_map(Operation::CreatePolicy),
        name().prop_map(Operation::DeletePolicy),
        (name(), name()).prop_map(|(user, policy)| Operation::AttachToUser(user, policy)),
        (name(), name()).prop_map(|(user, policy)| Operation::DetachFromUser(user, policy)),
        (name(), name()).prop_map(|(group, policy)| Operation::AttachToGroup(group, policy)),
        (name(), any::<bool>())
            .prop_map(|(policy, default)| Operation::CreateVersion(policy, default)),
        (name(), 1..7_u32).prop_map(|(policy, version)| Operation::DeleteVersion(policy, version)),
        (name(), name()).prop_map(|(user, policy)| Operation::PutInline(user, policy)),
        (name(), name()).prop_map(|(user, policy)| Operation::DeleteInline(user, policy)),
        name().prop_map(Operation::CreateAccessKey),
        name().prop_map(Operation::DeactivateAccessKey),
        name().prop_map(Operation::DeleteAccessKey),
        (name(), proptest::option::of(name()))
            .prop_map(|(user, policy)| Operation::SetBoundary(user, policy)),
        (name(), 0..3_i64).prop_map(|(user, minutes)| Operation::RevokeSessions(user, minutes)),
        name().prop_map(Operation::ClearRevocation),
    ]
}

fn quotas() -> Quotas {
    let mut quotas = Quotas::default();
    for (quota, value) in [
        (Quota::Users, 4),
        (Quota::GroupsPerUser, 2),
        (Quota::AttachedPoliciesPerUser, 2),
        (Quota::AccessKeysPerUser, 2),
        (Quota::UserPolicySize, 200),
    ] {
        quotas.set(quota, value).unwrap();
    }
    quotas
}

/// The outcome of one operation as both backends must agree on it: success, or the error
/// variant.
fn outcome<T>(result: Result<T, StoreError>) -> Result<(), String> {
    result.map(drop).map_err(|error| match error {
        StoreError::NoSuchEntity { kind, .. } => format!("NoSuchEntity {kind}"),
        StoreError::EntityAlreadyExists { kind, .. } => format!("EntityAlreadyExists {kind}"),
        StoreError::DeleteConflict { kind, .. } => format!("DeleteConflict {kind}"),
        StoreError::LimitExceeded { quota, .. } => format!("LimitExceeded {quota}"),
        other => format!("{other}"),
    })
}

async fn apply(
    store: &dyn IamStore,
    fixture: &Fixture,
    keys: &mut Vec<(String, String)>,
    operation: &Operation,
) -> Result<(), String> {
    let account = fixture.account(0);
    let name = |index: usize| NAMES.get(index).copied().unwrap_or("alice");
    let policy_arn = |index: usize| fixture.policy(account, name(index), "s3:*").arn;
    let user = |index: usize| Identity::User(name(index).to_owned());
    match operation {
        Operation::CreateUser(index) => outcome(
            store
                .create_user(account, fixture.user(account, name(*index)))
                .await,
        ),
        Operation::DeleteUser(index) => outcome(store.delete_user(account, name(*index)).await),
        Operation::RenameUser(from, to) => {
            let Ok(stored) = store.user(account, name(*from)).await else {
                return outcome(store.user(account, name(*from)).await);
            };
            let mut renamed = stored.record;
            renamed.user_name = name(*to).to_owned();
            outcome(store.update_user(account, name(*from), renamed, None).await)
        }
        Operation::CreateGroup(index) => outcome(
            store
                .create_group(account, fixture.group(account, name(*index)))
                .await,
        ),
        Operation::DeleteGroup(index) => outcome(store.delete_group(account, name(*index)).await),
        Operation::AddToGroup(group, member) => outcome(
            store
                .add_user_to_group(account, name(*group), name(*member))
                .await,
        ),
        Operation::RemoveFromGroup(group, member) => outcome(
            store
                .remove_user_from_group(account, name(*group), name(*member))
                .await,
        ),
        Operation::CreatePolicy(index) => {
            let policy = fixture.policy(account, name(*index), "s3:*");
            outcome(store.create_policy(account, policy).await)
        }
        Operation::DeletePolicy(index) => {
            outcome(store.delete_policy(account, &policy_arn(*index)).await)
        }
        Operation::AttachToUser(member, policy) => outcome(
            store
                .attach_policy(account, &user(*member), &policy_arn(*policy))
                .await,
        ),
        Operation::DetachFromUser(member, policy) => outcome(
            store
                .detach_policy(account, &user(*member), &policy_arn(*policy))
                .await,
        ),
        Operation::AttachToGroup(group, policy) => {
            let group = Identity::Group(name(*group).to_owned());
            outcome(
                store
                    .attach_policy(account, &group, &policy_arn(*policy))
                    .await,
            )
        }
        Operation::CreateVersion(policy, default) => outcome(
            store
                .create_policy_version(
                    account,
                    &policy_arn(*policy),
                    document("ec2:*"),
                    fixture.now,
                    *default,
                )
                .await,
        ),
        Operation::DeleteVersion(policy, version) => {
            let version = PolicyVersionId::new(*version).unwrap();
            outcome(
                store
                    .delete_policy_version(account, &policy_arn(*policy), version)
                    .await,
            )
        }
        Operation::PutInline(member, policy) => {
            let inline = fixture.inline(name(*policy), "sqs:*");
            outcome(
                store
                    .put_inline_policy(account, &user(*member), inline)
                    .await,
            )
        }
        Operation::DeleteInline(member, policy) => outcome(
            store
                .delete_inline_policy(account, &user(*member), name(*policy))
                .await,
        ),
        Operation::CreateAccessKey(member) => {
            let key = fixture.access_key(name(*member));
            let id = key.access_key.access_key_id.as_str().to_owned();
            let result = outcome(store.create_access_key(account, key).await);
            if result.is_ok() {
                keys.push((name(*member).to_owned(), id));
            }
            result
        }
        Operation::DeactivateAccessKey(index) => {
            let Some((owner, id)) = keys.get(*index % keys.len().max(1)).cloned() else {
                return Ok(());
            };
            let status = AccessKeyStatus::Inactive;
            outcome(store.update_access_key(account, &owner, &id, status).await)
        }
        Operation::DeleteAccessKey(index) => {
            if keys.is_empty() {
                return Ok(());
            }
            let (owner, id) = keys.remove(*index % keys.len());
            outcome(store.delete_access_key(account, &owner, &id).await)
        }
        Operation::SetBoundary(member, policy) => {
            let arn = policy.map(policy_arn);
            outcome(
                store
                    .set_permissions_boundary(account, &user(*member), arn.as_ref())
                    .await,
            )
        }
        Operation::RevokeSessions(member, minutes) => {
            let revoked_before = fixture.now + jiff::SignedDuration::from_mins(*minutes);
            outcome(
                store
                    .set_session_revocation(account, &user(*member), revoked_before)
                    .await,
            )
        }
        Operation::ClearRevocation(member) => outcome(
            store
                .clear_session_revocation(account, &user(*member))
                .await,
        ),
    }
}

/// Everything a client can observe, in a form that compares across backends.
async fn observe(store: &dyn IamStore, fixture: &Fixture) -> Vec<String> {
    let account = fixture.account(0);
    let mut observed: Vec<String> = store
        .export()
        .await
        .unwrap()
        .iter()
        .map(|record: &ExportRecord| serde_json::to_string(record).unwrap())
        .collect();
    observed.push(format!(
        "{:?}",
        store.account_summary(account).await.unwrap()
    ));
    let users = store
        .list_users(account, &ListOptions::first(2))
        .await
        .unwrap();
    observed.push(format!("{users:?}"));
    for user in store
        .list_users(account, &ListOptions::default())
        .await
        .unwrap()
        .items
    {
        let identity = Identity::User(user.user_name.clone());
        let policies = store.principal_policies(account, &identity).await.unwrap();
        observed.push(format!("{:?} {:?}", policies.principal, policies.groups));
        observed.push(format!("{:?}", policies.managed_policies));
        observed.push(format!("{:?}", policies.permissions_boundary));
    }
    observed
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn sled_and_memory_agree(operations in proptest::collection::vec(operation(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let directory = tempfile::tempdir().unwrap();
            let options = SledOptions::new(directory.path());
            let sled: Arc<dyn IamStore> =
                Arc::new(SledStore::open_sled(&options, quotas()).await.unwrap());
            let memory: Arc<dyn IamStore> = Arc::new(MemoryStore::in_memory(quotas()));
            let sled_fixture = Fixture::new();
            let memory_fixture = Fixture::new();
            let (mut sled_keys, mut memory_keys) = (Vec::new(), Vec::new());

            for operation in &operations {
                let from_sled = apply(&*sled, &sled_fixture, &mut sled_keys, operation).await;
                let from_memory = apply(&*memory, &memory_fixture, &mut memory_keys, operation).await;
                prop_assert_eq!(from_sled, from_memory, "after {:?}", operation);
            }

            prop_assert_eq!(observe(&*sled, &sled_fixture).await, observe(&*memory, &memory_fixture).await);
            Ok(())
        })?;
    }
}
