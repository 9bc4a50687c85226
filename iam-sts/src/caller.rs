//! The authenticated caller of an STS operation, and `GetCallerIdentity`.

use iam_model::{AccountId, Arn, IamArn, IamResource, Partition, User};

use crate::{PrincipalKind, VerifiedSession};

/// The signer of a request, as the server established it from the access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The account's root user, with a long-term access key.
    Root {
        /// The partition of the account.
        partition: Partition,
        /// The account.
        account: AccountId,
    },
    /// An IAM user, with a long-term access key.
    User {
        /// The account of the user.
        account: AccountId,
        /// The user.
        user: Box<User>,
    },
    /// Any principal using temporary credentials.
    Session(Box<VerifiedSession>),
}

/// The result of `GetCallerIdentity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The unique id of the caller: `AIDA…` for a user, `AROA…:SESSION` for a role session,
    /// `ACCOUNT:NAME` for a federated user, the account id for root.
    pub user_id: String,
    /// The account the caller belongs to.
    pub account: AccountId,
    /// The caller's ARN.
    pub arn: Arn,
}

impl Caller {
    /// Returns the account the caller belongs to.
    pub fn account(&self) -> AccountId {
        match self {
            Caller::Root { account, .. } | Caller::User { account, .. } => *account,
            Caller::Session(session) => session.claims.account,
        }
    }

    /// Returns the caller's ARN: the root or user ARN, or the session's own ARN.
    pub fn arn(&self) -> Arn {
        match self {
            Caller::Root { partition, account } => root_arn(*partition, *account),
            Caller::User { user, .. } => user.arn.clone(),
            Caller::Session(session) => session.claims.principal_arn.clone(),
        }
    }

    /// Returns whether the caller uses temporary credentials.
    pub fn is_session(&self) -> bool {
        matches!(self, Caller::Session(_))
    }

    /// Returns whether the caller is the root user, with long-term or temporary credentials.
    pub fn is_root(&self) -> bool {
        match self {
            Caller::Root { .. } => true,
            Caller::User { .. } => false,
            Caller::Session(session) => session.claims.kind == PrincipalKind::Root,
        }
    }

    /// Returns the caller's identity for `GetCallerIdentity`.
    ///
    /// Every valid credential may call it, even one whose policies deny everything, so it
    /// never consults a policy.
    pub fn identity(&self) -> CallerIdentity {
        let user_id = match self {
            Caller::Root { account, .. } => account.to_string(),
            Caller::User { user, .. } => user.user_id.as_str().to_owned(),
            Caller::Session(session) => session.claims.user_id(),
        };
        CallerIdentity {
            user_id,
            account: self.account(),
            arn: self.arn(),
        }
    }
}

/// Builds `arn:PARTITION:iam::ACCOUNT:root`.
pub fn root_arn(partition: Partition, account: AccountId) -> Arn {
    IamArn::new(partition, account, IamResource::Root).to_arn()
}
