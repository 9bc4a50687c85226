//! Builders of valid entities for the checks.

use iam_model::{
    AccessKey, AccessKeyStatus, AccountId, Arn, Group, IamArn, IamResource, InlinePolicy,
    InstanceProfile, LoginProfile, ManagedPolicy, OidcProvider, Partition, PolicyVersion,
    PolicyVersionId, Quota, Quotas, Role, SealedAccessKey, SealedBytes, SeededRandom, UniqueId,
    UniqueIdKind, User, VirtualMfaDevice,
};
use jiff::Timestamp;

/// Builds entities with deterministic ids and a fixed creation time.
#[derive(Debug)]
pub struct Fixture {
    random: SeededRandom,
    /// The creation time of every entity built.
    pub now: Timestamp,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

/// Quotas low enough that a check reaches each with a few calls.
pub(super) fn small_quotas() -> Quotas {
    let mut quotas = Quotas::default();
    let lowered = [
        (Quota::Users, 3),
        (Quota::Groups, 3),
        (Quota::Roles, 3),
        (Quota::Policies, 3),
        (Quota::InstanceProfiles, 2),
        (Quota::OpenIdConnectProviders, 2),
        (Quota::GroupsPerUser, 2),
        (Quota::AttachedPoliciesPerUser, 2),
        (Quota::AttachedPoliciesPerGroup, 2),
        (Quota::AttachedPoliciesPerRole, 2),
        (Quota::AccessKeysPerUser, 2),
        (Quota::MfaDevicesPerUser, 1),
        (Quota::UserPolicySize, 120),
    ];
    for (quota, value) in lowered {
        // INVARIANT (within bounds): every value above is between 1 and the quota's maximum.
        let _ = quotas.set(quota, value);
    }
    quotas
}

impl Fixture {
    /// Creates a fixture with a fixed seed and time.
    pub fn new() -> Self {
        Self {
            random: SeededRandom::new(0x5EED),
            now: Timestamp::constant(1_700_000_000, 0),
        }
    }

    /// Returns the 30-second TOTP time step that contains [`Fixture::now`], as the step a
    /// device is enabled with.
    pub fn time_step(&self) -> u64 {
        u64::try_from(self.now.as_second()).unwrap_or(0) / 30
    }

    /// Returns the `index`th test account, `111122220000` and up.
    pub fn account(&self, index: u32) -> AccountId {
        let id = format!("{:012}", 111_122_220_000_u64 + u64::from(index));
        // INVARIANT (twelve digits): the id above always has twelve ASCII digits.
        id.parse()
            .unwrap_or_else(|_| unreachable!("`{id}` is twelve digits"))
    }

    fn arn(account: AccountId, resource: IamResource) -> Arn {
        IamArn::new(Partition::Aws, account, resource).to_arn()
    }

    /// Builds a user at path `/`.
    pub fn user(&self, account: AccountId, name: &str) -> User {
        self.user_at(account, "/", name)
    }

    /// Builds a user at `path`.
    pub fn user_at(&self, account: AccountId, path: &str, name: &str) -> User {
        let resource = IamResource::User {
            path: path.to_owned(),
            name: name.to_owned(),
        };
        User {
            path: path.to_owned(),
            user_name: name.to_owned(),
            user_id: UniqueId::generate(UniqueIdKind::User, &self.random),
            arn: Self::arn(account, resource),
            create_date: self.now,
            password_last_used: None,
            permissions_boundary: None,
            tags: Vec::new(),
        }
    }

    /// Builds a group at path `/`.
    pub fn group(&self, account: AccountId, name: &str) -> Group {
        let resource = IamResource::Group {
            path: "/".to_owned(),
            name: name.to_owned(),
        };
        Group {
            path: "/".to_owned(),
            group_name: name.to_owned(),
            group_id: UniqueId::generate(UniqueIdKind::Group, &self.random),
            arn: Self::arn(account, resource),
            create_date: self.now,
        }
    }

    /// Builds a role at path `/` that EC2 may assume.
    pub fn role(&self, account: AccountId, name: &str) -> Role {
        let resource = IamResource::Role {
            path: "/".to_owned(),
            name: name.to_owned(),
        };
        Role {
            path: "/".to_owned(),
            role_name: name.to_owned(),
            role_id: UniqueId::generate(UniqueIdKind::Role, &self.random),
            arn: Self::arn(account, resource),
            create_date: self.now,
            assume_role_policy_document: document("sts:AssumeRole"),
            description: None,
            max_session_duration: Role::DEFAULT_MAX_SESSION_DURATION,
            permissions_boundary: None,
            tags: Vec::new(),
            role_last_used: None,
        }
    }

    /// Builds a customer managed policy at path `/` with one version allowing `action`.
    pub fn policy(&self, account: AccountId, name: &str, action: &str) -> ManagedPolicy {
        let resource = IamResource::Policy {
            path: "/".to_owned(),
            name: name.to_owned(),
        };
        self.managed_policy(Self::arn(account, resource), name, action)
    }

    /// Builds an AWS managed policy at path `/` with one version allowing `action`.
    pub fn aws_policy(&self, name: &str, action: &str) -> ManagedPolicy {
        let arn = IamArn::aws_managed_policy(Partition::Aws, "/", name).to_arn();
        self.managed_policy(arn, name, action)
    }

    fn managed_policy(&self, arn: Arn, name: &str, action: &str) -> ManagedPolicy {
        ManagedPolicy {
            policy_name: name.to_owned(),
            policy_id: UniqueId::generate(UniqueIdKind::Policy, &self.random),
            arn,
            path: "/".to_owned(),
            default_version_id: PolicyVersionId::FIRST,
            attachment_count: 0,
            permissions_boundary_usage_count: 0,
            is_attachable: true,
            description: None,
            create_date: self.now,
            update_date: self.now,
            tags: Vec::new(),
            versions: vec![PolicyVersion {
                version_id: PolicyVersionId::FIRST,
                document: document(action),
                is_default_version: true,
                create_date: self.now,
            }],
            latest_version_id: PolicyVersionId::FIRST,
        }
    }

    /// Builds an inline policy allowing `action`.
    pub fn inline(&self, name: &str, action: &str) -> InlinePolicy {
        InlinePolicy {
            policy_name: name.to_owned(),
            policy_document: document(action),
        }
    }

    /// Builds an active access key of `user_name` with a fake sealed secret.
    pub fn access_key(&self, user_name: &str) -> SealedAccessKey {
        SealedAccessKey {
            access_key: AccessKey {
                user_name: user_name.to_owned(),
                access_key_id: UniqueId::generate(UniqueIdKind::AccessKey, &self.random),
                status: AccessKeyStatus::Active,
                create_date: self.now,
                last_used: None,
            },
            sealed_secret: SealedBytes(vec![7; 56]),
        }
    }

    /// Builds a login profile of `user_name` with a fake hash.
    pub fn login_profile(&self, user_name: &str) -> LoginProfile {
        LoginProfile {
            user_name: user_name.to_owned(),
            create_date: self.now,
            password_reset_required: false,
            password_hash: "$fake$hash".to_owned(),
            previous_password_hashes: Vec::new(),
        }
    }

    /// Builds an unassigned virtual MFA device at path `/`.
    pub fn mfa_device(&self, account: AccountId, name: &str) -> VirtualMfaDevice {
        let resource = IamResource::MfaDevice {
            path: "/".to_owned(),
            name: name.to_owned(),
        };
        VirtualMfaDevice {
            serial_number: Self::arn(account, resource),
            user_name: None,
            enable_date: None,
            sealed_seed: SealedBytes(vec![9; 48]),
            tags: Vec::new(),
        }
    }

    /// Builds an instance profile at path `/` with no roles.
    pub fn instance_profile(&self, account: AccountId, name: &str) -> InstanceProfile {
        let resource = IamResource::InstanceProfile {
            path: "/".to_owned(),
            name: name.to_owned(),
        };
        InstanceProfile {
            path: "/".to_owned(),
            instance_profile_name: name.to_owned(),
            instance_profile_id: UniqueId::generate(UniqueIdKind::InstanceProfile, &self.random),
            arn: Self::arn(account, resource),
            create_date: self.now,
            role_names: Vec::new(),
            tags: Vec::new(),
        }
    }

    /// Builds an OpenID Connect provider for `url` (without `https://`).
    pub fn oidc_provider(&self, account: AccountId, url: &str) -> OidcProvider {
        let resource = IamResource::OidcProvider {
            url: url.to_owned(),
        };
        OidcProvider {
            arn: Self::arn(account, resource),
            url: format!("https://{url}"),
            client_id_list: vec!["client".to_owned()],
            thumbprint_list: vec!["0".repeat(40)],
            jwks: None,
            create_date: self.now,
            tags: Vec::new(),
        }
    }
}

/// Returns a policy document allowing `action` on everything.
pub fn document(action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
    )
}
