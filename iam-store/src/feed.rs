//! The change feed: which identities changed at which revision, for cache invalidation.

use iam_model::AccountId;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::kv::Revision;

/// How many changes the feed buffers for a slow subscriber before it reports a lag.
const FEED_CAPACITY: usize = 4096;

/// A user, group or role: an IAM identity, which policies attach to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Identity {
    /// The user with this name.
    User(String),
    /// The group with this name.
    Group(String),
    /// The role with this name.
    Role(String),
}

impl Identity {
    /// Returns the name of the user, group or role.
    pub fn name(&self) -> &str {
        match self {
            Identity::User(name) | Identity::Group(name) | Identity::Role(name) => name,
        }
    }

    /// Returns the identity kind as one letter, as keys store it.
    pub(crate) fn tag(&self) -> &'static str {
        match self {
            Identity::User(_) => "u",
            Identity::Group(_) => "g",
            Identity::Role(_) => "r",
        }
    }
}

/// One change to what applies to an identity, published after the commit is durable.
///
/// A change is published for every identity whose policies, groups, boundary or existence
/// changed: for a group's own policies also for each member, and for a new default version of a
/// managed policy also for every identity it is attached to or bounds. Concurrent commits may
/// publish in a different order than their revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The revision of the commit.
    pub revision: Revision,
    /// The account of the identity.
    pub account: AccountId,
    /// The identity that changed, with its name as stored (before a rename, the old name).
    pub identity: Identity,
}

/// The sending half of the feed, shared by a store's clones.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    sender: broadcast::Sender<Change>,
}

impl Default for Feed {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(FEED_CAPACITY);
        Self { sender }
    }
}

impl Feed {
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    pub(crate) fn publish(&self, revision: Revision, changes: Vec<(AccountId, Identity)>) {
        for (account, identity) in changes {
            // A send without subscribers fails, which is fine: no cache exists to invalidate.
            let _ = self.sender.send(Change {
                revision,
                account,
                identity,
            });
        }
    }
}
