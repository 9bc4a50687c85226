//! The key layout: how every record of every account maps to an ordered byte key.
//!
//! A key is a scope byte, then for account records the 12 ASCII digits of the account id, then a
//! table byte, then components separated by `0x00`. IAM names never contain `0x00`, so the key
//! order is the order of the component tuples. Names are folded to lowercase in keys, which is
//! what makes them unique ignoring case; records keep the name as the client gave it.

use iam_model::AccountId;

/// Records of one account.
const SCOPE_ACCOUNT: u8 = 0x01;
/// Records shared by all accounts: AWS managed policies and global indexes.
const SCOPE_GLOBAL: u8 = 0x02;
/// The store's own records, such as its format version.
const SCOPE_META: u8 = 0x03;

/// Separates the components of a key.
pub(crate) const SEPARATOR: u8 = 0x00;

/// A table of account records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Table {
    /// The account record with its alias and password policy.
    Account = b'c',
    /// Per-account counters for the account-wide quotas: name to count.
    Counter = b'n',
    /// Users by folded name.
    User = b'u',
    /// Groups by folded name.
    Group = b'g',
    /// Roles by folded name.
    Role = b'r',
    /// Customer managed policies by folded name.
    Policy = b'p',
    /// Use of AWS managed policies in this account, by policy ARN.
    AwsPolicyUsage = b'w',
    /// Memberships by folded user name, then folded group name.
    UserGroup = b'm',
    /// Memberships by folded group name, then folded user name.
    GroupUser = b'M',
    /// Attached managed policies by identity kind, folded identity name, then policy ARN.
    Attachment = b'a',
    /// Attached managed policies by policy ARN, identity kind, then folded identity name.
    PolicyAttachment = b'A',
    /// Identities whose permissions boundary is a policy, by policy ARN, identity kind, then
    /// folded identity name.
    BoundaryUse = b'B',
    /// Inline policies by identity kind, folded identity name, then folded policy name.
    InlinePolicy = b'i',
    /// Access keys by folded user name, then access key id.
    AccessKey = b'k',
    /// Login profiles by folded user name.
    LoginProfile = b'l',
    /// Virtual MFA devices by folded serial number.
    MfaDevice = b'f',
    /// MFA devices enabled for a user, by folded user name, then folded serial number.
    UserMfaDevice = b'F',
    /// The last accepted TOTP time step of each enabled virtual MFA device, by folded serial
    /// number.
    MfaTimeStep = b't',
    /// Session revocation cut-offs by identity kind (`u` or `r`), then folded identity name.
    SessionRevocation = b'v',
    /// Instance profiles by folded name.
    InstanceProfile = b'x',
    /// Instance profiles that contain a role, by folded role name, then folded profile name.
    RoleInstanceProfile = b'X',
    /// OpenID Connect providers by folded URL.
    OidcProvider = b'o',
}

/// A table of global records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum GlobalTable {
    /// AWS managed policies by folded name.
    AwsPolicy = b'p',
    /// Owner of each access key, by access key id.
    AccessKeyOwner = b'k',
    /// Owner of each account alias, by alias.
    AccountAlias = b'l',
}

/// A key under construction.
#[derive(Debug, Clone)]
pub(crate) struct Key(Vec<u8>);

impl Key {
    /// Starts a key in `table` of `account`.
    pub(crate) fn account(account: AccountId, table: Table) -> Self {
        let mut bytes = Vec::with_capacity(48);
        bytes.push(SCOPE_ACCOUNT);
        bytes.extend_from_slice(account.as_str().as_bytes());
        bytes.push(table as u8);
        Self(bytes)
    }

    /// Starts a key in the global `table`.
    pub(crate) fn global(table: GlobalTable) -> Self {
        Self(vec![SCOPE_GLOBAL, table as u8])
    }

    /// Starts a key of the store's own records.
    pub(crate) fn meta(name: &str) -> Self {
        let mut bytes = vec![SCOPE_META];
        bytes.extend_from_slice(name.as_bytes());
        Self(bytes)
    }

    /// Appends a component as given.
    pub(crate) fn part(mut self, component: &str) -> Self {
        self.0.push(SEPARATOR);
        self.0.extend_from_slice(component.as_bytes());
        self
    }

    /// Appends a name folded to lowercase.
    pub(crate) fn name(mut self, name: &str) -> Self {
        if !name.is_ascii() {
            return self.part(&fold(name));
        }
        // IAM names are ASCII, so this path folds them without allocating a `String`.
        self.0.push(SEPARATOR);
        self.0
            .extend(name.bytes().map(|byte| byte.to_ascii_lowercase()));
        self
    }

    /// Finishes the key as the prefix of every key that continues it with more components.
    pub(crate) fn prefix(mut self) -> Vec<u8> {
        self.0.push(SEPARATOR);
        self.0
    }

    /// Finishes the key.
    pub(crate) fn build(self) -> Vec<u8> {
        self.0
    }
}

/// Folds a name to the form that decides uniqueness: lowercase.
pub(crate) fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// Returns the bounds of every account and global record, for emptiness checks.
pub(crate) fn data_bounds() -> (Vec<u8>, Vec<u8>) {
    (vec![SCOPE_ACCOUNT], vec![SCOPE_META])
}

/// Returns the bounds of every account record.
pub(crate) fn account_bounds() -> (Vec<u8>, Vec<u8>) {
    (vec![SCOPE_ACCOUNT], vec![SCOPE_GLOBAL])
}

/// Splits the components after `prefix` off `key`.
pub(crate) fn components<'key>(key: &'key [u8], prefix: &[u8]) -> Vec<&'key [u8]> {
    key.strip_prefix(prefix)
        .map(|rest| rest.split(|byte| *byte == SEPARATOR).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
