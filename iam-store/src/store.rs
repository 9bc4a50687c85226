//! The generic store: every IAM rule, written once over any [`KvEngine`].

mod accounts;
mod credentials;
mod groups;
mod inline_policies;
mod policies;
mod providers;
mod roles;
mod sessions;
mod users;

use std::sync::Arc;

use iam_model::{AccountId, Quota, Quotas};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cache::RecordCache;
use crate::feed::Feed;
use crate::keys::{Key, Table};
use crate::kv::{CommitRequest, KvEngine, MemoryEngine, Revision, SledEngine, SledOptions};
use crate::txn::{self, Txn};
use crate::{EntityKind, Identity, StoreError, Stored};

/// The version of the key layout, record encoding and sled engine log this build writes.
///
/// Opening data with a higher version fails with [`StoreError::UnsupportedFormat`], so an older
/// build never misreads what a newer one wrote. Version 2 added the sled engine's write-ahead
/// log, which a version 1 build would not replay, so opening version 1 data raises it to 2.
pub const FORMAT_VERSION: u32 = 2;

/// The key of the stored format version.
const FORMAT_KEY: &str = "format";

/// An [`crate::IamStore`] over an ordered key/value engine.
///
/// Clones share the engine and the change feed.
#[derive(Debug)]
pub struct KvStore<E> {
    engine: Arc<E>,
    quotas: Quotas,
    feed: Feed,
    records: Arc<RecordCache>,
}

impl<E> Clone for KvStore<E> {
    fn clone(&self) -> Self {
        Self {
            engine: Arc::clone(&self.engine),
            quotas: self.quotas.clone(),
            feed: self.feed.clone(),
            records: Arc::clone(&self.records),
        }
    }
}

/// The store kept in memory.
pub type MemoryStore = KvStore<MemoryEngine>;

/// The store on disk in a sled database.
pub type SledStore = KvStore<SledEngine>;

impl MemoryStore {
    /// Creates an empty in-memory store with `quotas` for every account.
    pub fn in_memory(quotas: Quotas) -> Self {
        let engine = MemoryEngine::new();
        // A new engine contains nothing, so the format needs no check, and a commit without
        // reads cannot conflict.
        engine.commit_now(CommitRequest {
            reads: Vec::new(),
            writes: vec![(Key::meta(FORMAT_KEY).build(), Some(format_payload()))],
            read_epoch: None,
        });
        Self {
            engine: Arc::new(engine),
            quotas,
            feed: Feed::default(),
            records: Arc::default(),
        }
    }
}

impl SledStore {
    /// Opens or creates a store in a sled database.
    ///
    /// # Errors
    ///
    /// Fails when sled cannot open the directory, or [`StoreError::UnsupportedFormat`] when the
    /// data was written by a newer format.
    pub async fn open_sled(options: &SledOptions, quotas: Quotas) -> Result<Self, StoreError> {
        let engine = SledEngine::open(options)?;
        Self::open(engine, quotas).await
    }
}

impl<E: KvEngine> KvStore<E> {
    /// Opens a store on `engine`, writing the format version into an empty engine.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnsupportedFormat`] for data of a newer format, [`StoreError::Corrupt`]
    /// for data without a format version.
    pub async fn open(engine: E, quotas: Quotas) -> Result<Self, StoreError> {
        check_format(&engine).await?;
        Ok(Self {
            engine: Arc::new(engine),
            quotas,
            feed: Feed::default(),
            records: Arc::default(),
        })
    }

    /// Returns the engine, for benchmarks and tests that compare against it.
    pub fn engine(&self) -> &E {
        &self.engine
    }

    /// Runs a transaction, waits until its commit is durable, then publishes its changes.
    async fn write<T>(
        &self,
        body: impl FnMut(&mut Txn<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        Ok(self.write_revision(body).await?.0)
    }

    /// Runs a transaction like [`Self::write`] and also returns the revision of its commit (the
    /// current revision when it wrote nothing).
    async fn write_revision<T>(
        &self,
        body: impl FnMut(&mut Txn<'_>) -> Result<T, StoreError>,
    ) -> Result<(T, Revision), StoreError> {
        let committed = txn::run(&*self.engine, body).await?;
        let Some(revision) = committed.revision else {
            return Ok((committed.value, self.engine.revision()));
        };
        self.feed.publish(revision, committed.changes);
        Ok((committed.value, revision))
    }

    /// Runs a transaction that only reads, on one consistent view.
    fn read<T>(
        &self,
        body: impl FnMut(&mut Txn<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        txn::run_read(&*self.engine, body)
    }

    /// Reads one record without a transaction, because a single read is consistent by itself.
    ///
    /// Decoded records are cached, so a record read again at the same revision is copied
    /// instead of decoded.
    fn read_record<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        key: &[u8],
        kind: EntityKind,
        name: &str,
    ) -> Result<Stored<T>, StoreError> {
        let mut decoded = None;
        let found = self.engine.read_with(key, &mut |revision, payload| {
            let record = self
                .records
                .get_or_decode(key, revision, payload, txn::decode);
            decoded = Some(record.map(|record| Stored { revision, record }));
        })?;
        match decoded {
            Some(stored) if found => stored,
            _ => Err(StoreError::NoSuchEntity {
                kind,
                name: name.to_owned(),
            }),
        }
    }

    /// Adds one to `counter` with a single read of it, or fails with
    /// [`StoreError::LimitExceeded`] when the new count is above `quota`.
    fn add_one_within_quota(
        &self,
        txn: &mut Txn<'_>,
        account: AccountId,
        counter: Counter,
        quota: Quota,
    ) -> Result<(), StoreError> {
        let next = count(txn, account, counter)?.saturating_add(1);
        self.check_quota(quota, next as usize)?;
        set_count(txn, account, counter, next)
    }

    /// Fails with [`StoreError::LimitExceeded`] when `count` is above `quota`.
    fn check_quota(&self, quota: Quota, count: usize) -> Result<(), StoreError> {
        let limit = self.quotas.value(quota);
        let within = u32::try_from(count).is_ok_and(|count| count <= limit);
        if within {
            Ok(())
        } else {
            Err(StoreError::LimitExceeded { quota, limit })
        }
    }
}

/// Checks the stored format version, writing the current one into an empty engine.
async fn check_format(engine: &dyn KvEngine) -> Result<(), StoreError> {
    let format_key = Key::meta(FORMAT_KEY).build();
    txn::run(engine, |txn| match txn.get_json::<u32>(&format_key)? {
        Some(found) if found > FORMAT_VERSION => Err(StoreError::UnsupportedFormat {
            found,
            supported: FORMAT_VERSION,
        }),
        Some(FORMAT_VERSION) => Ok(()),
        Some(_) => {
            txn.put(format_key.clone(), format_payload());
            Ok(())
        }
        None => {
            let (start, end) = crate::keys::data_bounds();
            if !txn.range(&start, &end, Some(1))?.is_empty() {
                return Err(StoreError::corrupt(
                    "the engine contains records but no format version",
                ));
            }
            txn.put(format_key.clone(), format_payload());
            Ok(())
        }
    })
    .await?;
    Ok(())
}

/// Returns the stored form of [`FORMAT_VERSION`]: the number in JSON.
fn format_payload() -> Vec<u8> {
    FORMAT_VERSION.to_string().into_bytes()
}

/// Names of the per-account counters behind the account-wide quotas and the account summary.
#[derive(Debug, Clone, Copy)]
enum Counter {
    Users,
    Groups,
    Roles,
    Policies,
    PolicyVersions,
    InstanceProfiles,
    OidcProviders,
    MfaDevices,
    MfaDevicesInUse,
}

impl Counter {
    fn name(self) -> &'static str {
        match self {
            Counter::Users => "users",
            Counter::Groups => "groups",
            Counter::Roles => "roles",
            Counter::Policies => "policies",
            Counter::PolicyVersions => "policy-versions",
            Counter::InstanceProfiles => "instance-profiles",
            Counter::OidcProviders => "oidc-providers",
            Counter::MfaDevices => "mfa-devices",
            Counter::MfaDevicesInUse => "mfa-devices-in-use",
        }
    }
}

/// Returns the key of an account's counter.
fn counter_key(account: AccountId, counter: Counter) -> Vec<u8> {
    Key::account(account, Table::Counter)
        .part(counter.name())
        .build()
}

/// Reads a counter.
fn count(txn: &mut Txn<'_>, account: AccountId, counter: Counter) -> Result<u32, StoreError> {
    Ok(txn
        .get_json::<u32>(&counter_key(account, counter))?
        .unwrap_or(0))
}

/// Adds `delta` to a counter and returns the new value; a counter at zero is removed.
fn add_count(
    txn: &mut Txn<'_>,
    account: AccountId,
    counter: Counter,
    delta: i64,
) -> Result<u32, StoreError> {
    let current = i64::from(count(txn, account, counter)?);
    let next = u32::try_from(current.saturating_add(delta).max(0)).unwrap_or(u32::MAX);
    set_count(txn, account, counter, next)?;
    Ok(next)
}

/// Writes a counter's value; a counter at zero is removed.
fn set_count(
    txn: &mut Txn<'_>,
    account: AccountId,
    counter: Counter,
    value: u32,
) -> Result<(), StoreError> {
    let key = counter_key(account, counter);
    if value == 0 {
        txn.delete(key);
        Ok(())
    } else {
        txn.put_json(key, &value)
    }
}

/// Reads a record with its revision, or fails with [`StoreError::NoSuchEntity`].
fn require<T: DeserializeOwned>(
    txn: &mut Txn<'_>,
    key: &[u8],
    kind: EntityKind,
    name: &str,
) -> Result<Stored<T>, StoreError> {
    match txn.get_stamped(key)? {
        Some(stamped) => Ok(Stored {
            revision: stamped.revision,
            record: txn::decode(&stamped.payload)?,
        }),
        None => Err(StoreError::NoSuchEntity {
            kind,
            name: name.to_owned(),
        }),
    }
}

/// Fails with [`StoreError::EntityAlreadyExists`] when a record exists at `key`.
fn require_absent(
    txn: &mut Txn<'_>,
    key: &[u8],
    kind: EntityKind,
    name: &str,
) -> Result<(), StoreError> {
    if txn.get(key)?.is_some() {
        return Err(StoreError::EntityAlreadyExists {
            kind,
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// Fails with [`StoreError::RevisionMismatch`] unless `expected` is `None` or `actual`.
fn check_revision(
    expected: Option<Revision>,
    actual: Revision,
    kind: EntityKind,
    name: &str,
) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != actual => Err(StoreError::RevisionMismatch {
            kind,
            name: name.to_owned(),
            expected,
            actual,
        }),
        _ => Ok(()),
    }
}

/// Decodes every record under `prefix`.
fn records<T: DeserializeOwned>(txn: &mut Txn<'_>, prefix: &[u8]) -> Result<Vec<T>, StoreError> {
    txn.prefix(prefix)?
        .iter()
        .map(|(_, payload)| txn::decode(payload))
        .collect()
}

/// Writes `record` at `key` as JSON.
fn put<T: Serialize>(txn: &mut Txn<'_>, key: Vec<u8>, record: &T) -> Result<(), StoreError> {
    txn.put_json(key, record)
}

/// Returns the key of a user, group or role record.
fn identity_key(account: AccountId, identity: &Identity) -> Vec<u8> {
    let table = match identity {
        Identity::User(_) => Table::User,
        Identity::Group(_) => Table::Group,
        Identity::Role(_) => Table::Role,
    };
    Key::account(account, table).name(identity.name()).build()
}

/// Returns the entity kind of an identity.
fn identity_kind(identity: &Identity) -> EntityKind {
    match identity {
        Identity::User(_) => EntityKind::User,
        Identity::Group(_) => EntityKind::Group,
        Identity::Role(_) => EntityKind::Role,
    }
}

/// Fails with [`StoreError::NoSuchEntity`] unless the identity exists, and returns its name as
/// stored.
fn require_identity(
    txn: &mut Txn<'_>,
    account: AccountId,
    identity: &Identity,
) -> Result<Identity, StoreError> {
    let key = identity_key(account, identity);
    let missing = || StoreError::NoSuchEntity {
        kind: identity_kind(identity),
        name: identity.name().to_owned(),
    };
    let payload = txn.get(&key)?.ok_or_else(missing)?;
    let stored_name = match identity {
        Identity::User(_) => Identity::User(txn::decode::<iam_model::User>(&payload)?.user_name),
        Identity::Group(_) => {
            Identity::Group(txn::decode::<iam_model::Group>(&payload)?.group_name)
        }
        Identity::Role(_) => Identity::Role(txn::decode::<iam_model::Role>(&payload)?.role_name),
    };
    Ok(stored_name)
}

/// Records a change of `identity`, and for a group of each of its members.
fn touch(txn: &mut Txn<'_>, account: AccountId, identity: &Identity) -> Result<(), StoreError> {
    if let Identity::Group(group_name) = identity {
        let prefix = Key::account(account, Table::GroupUser)
            .name(group_name)
            .prefix();
        for member in records::<String>(txn, &prefix)? {
            txn.changed(account, Identity::User(member));
        }
    }
    txn.changed(account, identity.clone());
    Ok(())
}

/// Returns whether any key starts with `prefix`.
fn has_any(txn: &mut Txn<'_>, prefix: &[u8]) -> Result<bool, StoreError> {
    let end = txn::prefix_end(prefix);
    Ok(!txn.range(prefix, &end, Some(1))?.is_empty())
}

/// Moves every record under `old_prefix` to the same suffix under `new_prefix`, passing each
/// payload through `rewrite`.
fn move_prefix(
    txn: &mut Txn<'_>,
    old_prefix: &[u8],
    new_prefix: &[u8],
    mut rewrite: impl FnMut(&[u8], Vec<u8>) -> Result<Vec<u8>, StoreError>,
) -> Result<(), StoreError> {
    let entries = txn.prefix(old_prefix)?;
    for (key, _) in &entries {
        txn.delete(key.clone());
    }
    for (key, payload) in entries {
        let suffix = key.get(old_prefix.len()..).unwrap_or_default();
        let payload = rewrite(suffix, payload)?;
        let mut new_key = new_prefix.to_vec();
        new_key.extend_from_slice(suffix);
        txn.put(new_key, payload);
    }
    Ok(())
}

/// Fails with [`StoreError::DeleteConflict`] when any key starts with `prefix`.
fn conflict_if_any(
    txn: &mut Txn<'_>,
    prefix: &[u8],
    kind: EntityKind,
    name: &str,
    reason: &str,
) -> Result<(), StoreError> {
    if has_any(txn, prefix)? {
        return Err(StoreError::DeleteConflict {
            kind,
            name: name.to_owned(),
            reason: reason.to_owned(),
        });
    }
    Ok(())
}

/// Moves the policies, attachments and boundary use of an identity to its new name.
fn rename_identity(
    txn: &mut Txn<'_>,
    account: AccountId,
    old: &Identity,
    new: &Identity,
) -> Result<(), StoreError> {
    let tag = old.tag();
    let old_attachments = Key::account(account, Table::Attachment)
        .part(tag)
        .name(old.name())
        .prefix();
    let new_attachments = Key::account(account, Table::Attachment)
        .part(tag)
        .name(new.name())
        .prefix();
    let attached: Vec<crate::AttachedPolicy> = records(txn, &old_attachments)?;
    for policy in &attached {
        let arn = policy.policy_arn.to_string();
        let by_policy = Key::account(account, Table::PolicyAttachment)
            .part(&arn)
            .part(tag);
        txn.delete(by_policy.clone().name(old.name()).build());
        put(txn, by_policy.name(new.name()).build(), &new.name())?;
    }
    move_prefix(txn, &old_attachments, &new_attachments, |_, payload| {
        Ok(payload)
    })?;

    let old_inline = Key::account(account, Table::InlinePolicy)
        .part(tag)
        .name(old.name())
        .prefix();
    let new_inline = Key::account(account, Table::InlinePolicy)
        .part(tag)
        .name(new.name())
        .prefix();
    move_prefix(txn, &old_inline, &new_inline, |_, payload| Ok(payload))?;
    Ok(())
}
