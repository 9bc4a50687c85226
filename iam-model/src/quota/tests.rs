use super::*;

#[test]
fn defaults_match_aws() {
    let quotas = Quotas::default();
    let expected = [
        (Quota::Users, 5000),
        (Quota::Groups, 300),
        (Quota::Roles, 1000),
        (Quota::Policies, 1500),
        (Quota::InstanceProfiles, 1000),
        (Quota::GroupsPerUser, 10),
        (Quota::AttachedPoliciesPerUser, 10),
        (Quota::AttachedPoliciesPerGroup, 10),
        (Quota::AttachedPoliciesPerRole, 10),
        (Quota::AccessKeysPerUser, 2),
        (Quota::MfaDevicesPerUser, 8),
        (Quota::VersionsPerPolicy, 5),
        (Quota::UserPolicySize, 2048),
        (Quota::GroupPolicySize, 5120),
        (Quota::RolePolicySize, 10_240),
        (Quota::PolicySize, 6144),
        (Quota::AssumeRolePolicySize, 2048),
        (Quota::RolesPerInstanceProfile, 1),
    ];

    for (quota, value) in expected {
        assert_eq!(quotas.value(quota), value, "{quota}");
    }
}

#[test]
fn every_default_is_within_its_max() {
    for quota in Quota::ALL {
        assert!(quota.default_value() >= 1, "{quota}");
        assert!(quota.default_value() <= quota.max_value(), "{quota}");
    }
}

#[test]
fn attached_policies_settable_up_to_20() {
    let mut quotas = Quotas::default();

    assert_eq!(quotas.set(Quota::AttachedPoliciesPerRole, 20), Ok(()));
    assert_eq!(quotas.value(Quota::AttachedPoliciesPerRole), 20);
    assert_eq!(
        quotas.set(Quota::AttachedPoliciesPerRole, 21),
        Err(ModelError::InvalidQuota {
            quota: Quota::AttachedPoliciesPerRole,
            value: 21,
            max: 20,
        })
    );
    assert_eq!(quotas.value(Quota::AttachedPoliciesPerRole), 20);
}

#[test]
fn zero_and_fixed_quota_raises_rejected() {
    let mut quotas = Quotas::default();

    assert!(quotas.set(Quota::Roles, 0).is_err());
    assert!(quotas.set(Quota::AccessKeysPerUser, 3).is_err());
    assert_eq!(quotas.set(Quota::AccessKeysPerUser, 1), Ok(()));
    assert_eq!(quotas.value(Quota::AccessKeysPerUser), 1);
}

#[test]
fn overrides_deserialize_from_map() {
    let quotas: Quotas = serde_json::from_str(r#"{"Roles": 2000, "GroupsPerUser": 5}"#).unwrap();

    assert_eq!(quotas.value(Quota::Roles), 2000);
    assert_eq!(quotas.value(Quota::GroupsPerUser), 5);
    assert_eq!(quotas.value(Quota::Users), 5000);
}

#[test]
fn bad_overrides_fail_to_deserialize() {
    assert!(serde_json::from_str::<Quotas>(r#"{"Roles": 5001}"#).is_err());
    assert!(serde_json::from_str::<Quotas>(r#"{"Roles": 0}"#).is_err());
    assert!(serde_json::from_str::<Quotas>(r#"{"Unicorns": 1}"#).is_err());
    assert!(serde_json::from_str::<Quotas>(r#"{"Roles": -1}"#).is_err());
}

#[test]
fn quotas_serialize_every_value() {
    let mut quotas = Quotas::default();
    quotas.set(Quota::Groups, 400).unwrap();

    let json = serde_json::to_value(&quotas).unwrap();

    assert_eq!(json.as_object().unwrap().len(), Quota::ALL.len());
    assert_eq!(json["Groups"], 400);
    assert_eq!(json["AccessKeysPerUser"], 2);
    assert_eq!(
        serde_json::from_value::<Quotas>(json)
            .unwrap()
            .value(Quota::Groups),
        400
    );
}

#[test]
fn check_count_allows_up_to_limit() {
    let quotas = Quotas::default();

    assert_eq!(quotas.check_count(Quota::AccessKeysPerUser, 2), Ok(()));
    assert_eq!(
        quotas.check_count(Quota::AccessKeysPerUser, 3),
        Err(ModelError::QuotaExceeded {
            quota: Quota::AccessKeysPerUser,
            requested: 3,
            limit: 2,
        })
    );
}

#[test]
fn policy_size_ignores_white_space() {
    assert_eq!(policy_size(""), 0);
    assert_eq!(policy_size("{ \"a\" :\t1,\r\n}"), 8);
    assert_eq!(policy_size("é ÿ"), 2);
}

#[test]
fn check_policy_size_sums_documents() {
    let quotas = Quotas::default();
    let half = "x".repeat(1024);
    let padded = format!("{}{}", "x".repeat(2048), " \n".repeat(500));

    assert_eq!(
        quotas.check_policy_size(Quota::UserPolicySize, [half.as_str(), half.as_str()]),
        Ok(())
    );
    assert_eq!(
        quotas.check_policy_size(Quota::UserPolicySize, [padded.as_str()]),
        Ok(())
    );
    assert_eq!(
        quotas.check_policy_size(Quota::UserPolicySize, [half.as_str(), half.as_str(), "x"]),
        Err(ModelError::QuotaExceeded {
            quota: Quota::UserPolicySize,
            requested: 2049,
            limit: 2048,
        })
    );
    assert!(
        quotas
            .check_policy_size(Quota::PolicySize, ["x".repeat(6145).as_str()])
            .is_err()
    );
}

#[test]
fn summary_keys_follow_aws_names() {
    assert_eq!(Quota::Users.summary_key(), Some("UsersQuota"));
    assert_eq!(
        Quota::AssumeRolePolicySize.summary_key(),
        Some("AssumeRolePolicySizeQuota")
    );
    assert_eq!(Quota::MfaDevicesPerUser.summary_key(), None);
}
