use super::*;

fn timestamp() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

fn version(number: u32, is_default_version: bool) -> PolicyVersion {
    PolicyVersion {
        version_id: PolicyVersionId::new(number).unwrap(),
        document: format!("{{\"Version\":\"2012-10-17\",\"Statement\":[] , \"n\": {number}}}"),
        is_default_version,
        create_date: timestamp(),
    }
}

fn managed_policy(versions: Vec<PolicyVersion>, default: u32, latest: u32) -> ManagedPolicy {
    ManagedPolicy {
        policy_name: "ReadBuckets".to_owned(),
        policy_id: "ANPAJ2UCCR6DPCEXAMPLE".parse().unwrap(),
        arn: "arn:aws:iam::123456789012:policy/ReadBuckets"
            .parse()
            .unwrap(),
        path: "/".to_owned(),
        default_version_id: PolicyVersionId::new(default).unwrap(),
        attachment_count: 0,
        permissions_boundary_usage_count: 0,
        is_attachable: true,
        description: None,
        create_date: timestamp(),
        update_date: timestamp(),
        tags: Vec::new(),
        versions,
        latest_version_id: PolicyVersionId::new(latest).unwrap(),
    }
}

#[test]
fn version_id_formats_and_parses() {
    for number in [1, 2, 9, 10, 123, u32::MAX] {
        let id = PolicyVersionId::new(number).unwrap();
        let text = id.to_string();

        assert_eq!(text, format!("v{number}"));
        assert_eq!(text.parse::<PolicyVersionId>(), Ok(id));
    }
}

#[test]
fn malformed_version_ids_are_rejected() {
    for text in [
        "",
        "v",
        "v0",
        "v01",
        "1",
        "V1",
        "v-1",
        "v1.0",
        "v 1",
        "v4294967296",
    ] {
        assert_eq!(
            text.parse::<PolicyVersionId>(),
            Err(ModelError::InvalidPolicyVersionId(text.to_owned())),
            "expected `{text}` rejected"
        );
    }
    assert_eq!(PolicyVersionId::new(0), None);
}

#[test]
fn version_ids_order_numerically() {
    let v2: PolicyVersionId = "v2".parse().unwrap();
    let v10: PolicyVersionId = "v10".parse().unwrap();

    assert!(v2 < v10);
}

#[test]
fn default_version_is_found() {
    let policy = managed_policy(vec![version(1, false), version(2, true)], 2, 2);

    let default = policy.default_version().unwrap();

    assert_eq!(default.version_id.number(), 2);
    assert!(default.is_default_version);
    assert!(policy.version(PolicyVersionId::FIRST).is_some());
    assert!(policy.version(PolicyVersionId::new(3).unwrap()).is_none());
}

#[test]
fn next_version_id_skips_deleted_ids() {
    let policy = managed_policy(vec![version(1, true), version(4, false)], 1, 5);

    assert_eq!(policy.next_version_id().to_string(), "v6");
}

#[test]
fn managed_policy_serde_round_trip() {
    let policy = managed_policy(vec![version(1, true)], 1, 1);

    let json = serde_json::to_value(&policy).unwrap();

    assert_eq!(json["DefaultVersionId"], "v1");
    assert_eq!(json["Versions"][0]["VersionId"], "v1");
    assert_eq!(json["Versions"][0]["IsDefaultVersion"], true);
    assert_eq!(
        serde_json::from_value::<ManagedPolicy>(json).unwrap(),
        policy
    );
}

#[test]
fn create_version_appends_and_sets_default() {
    let mut policy = managed_policy(vec![version(1, true)], 1, 1);
    let later: Timestamp = "2024-07-01T00:00:00Z".parse().unwrap();

    let not_default = policy
        .create_version("{}".to_owned(), false, later, &Quotas::default())
        .unwrap();
    let made_default = policy
        .create_version("{ }".to_owned(), true, later, &Quotas::default())
        .unwrap();

    assert_eq!(not_default.to_string(), "v2");
    assert_eq!(made_default.to_string(), "v3");
    assert_eq!(policy.default_version_id, made_default);
    assert_eq!(policy.latest_version_id, made_default);
    assert_eq!(policy.update_date, later);
    let defaults: Vec<bool> = policy
        .versions
        .iter()
        .map(|v| v.is_default_version)
        .collect();
    assert_eq!(defaults, [false, false, true]);
}

#[test]
fn create_version_stops_at_quota() {
    let versions = (1..=5).map(|number| version(number, number == 1)).collect();
    let mut policy = managed_policy(versions, 1, 5);

    let result = policy.create_version("{}".to_owned(), true, timestamp(), &Quotas::default());

    assert_eq!(
        result,
        Err(ModelError::QuotaExceeded {
            quota: Quota::VersionsPerPolicy,
            requested: 6,
            limit: 5,
        })
    );
    assert_eq!(policy.versions.len(), 5);
    assert_eq!(policy.latest_version_id.to_string(), "v5");
}

#[test]
fn set_default_version_moves_flag() {
    let mut policy = managed_policy(vec![version(1, true), version(2, false)], 1, 2);
    let v2 = PolicyVersionId::new(2).unwrap();
    let v9 = PolicyVersionId::new(9).unwrap();

    assert_eq!(policy.set_default_version(v2), Ok(()));
    assert_eq!(policy.default_version().unwrap().version_id, v2);
    assert!(!policy.versions[0].is_default_version);
    assert_eq!(
        policy.set_default_version(v9),
        Err(ModelError::PolicyVersionNotFound(v9))
    );
    assert_eq!(policy.default_version_id, v2);
}

#[test]
fn delete_version_keeps_default() {
    let mut policy = managed_policy(vec![version(1, true), version(2, false)], 1, 2);
    let v2 = PolicyVersionId::new(2).unwrap();

    assert_eq!(
        policy.delete_version(PolicyVersionId::FIRST),
        Err(ModelError::DefaultPolicyVersionDeletion(
            PolicyVersionId::FIRST
        ))
    );
    assert_eq!(policy.delete_version(v2).unwrap().version_id, v2);
    assert_eq!(policy.versions.len(), 1);
    assert_eq!(
        policy.delete_version(v2),
        Err(ModelError::PolicyVersionNotFound(v2))
    );
    assert_eq!(policy.next_version_id().to_string(), "v3");
}

#[test]
fn delete_version_moves_update_date_back() {
    let created = timestamp();
    let second: Timestamp = "2024-06-01T00:00:00Z".parse().unwrap();
    let third: Timestamp = "2024-07-01T00:00:00Z".parse().unwrap();
    let mut policy = managed_policy(vec![version(1, true)], 1, 1);
    let quotas = Quotas::default();
    let v2 = policy
        .create_version("{}".to_owned(), false, second, &quotas)
        .unwrap();
    let v3 = policy
        .create_version("{ }".to_owned(), false, third, &quotas)
        .unwrap();

    policy.delete_version(v3).unwrap();
    let after_newest_deleted = policy.update_date;
    policy.delete_version(v2).unwrap();
    let after_one_left = policy.update_date;

    assert_eq!(after_newest_deleted, second);
    assert_eq!(after_one_left, created);
}

#[test]
fn new_policy_stores_default_v1() {
    let random = crate::SeededRandom::new(1);
    let policy_id = UniqueId::generate(UniqueIdKind::Policy, &random);

    let policy = ManagedPolicy::new(
        crate::Partition::Aws,
        "123456789012".parse().unwrap(),
        "/job-function/",
        "ReadBuckets",
        policy_id.clone(),
        "{}".to_owned(),
        timestamp(),
    )
    .unwrap();

    assert_eq!(
        policy.arn.to_string(),
        "arn:aws:iam::123456789012:policy/job-function/ReadBuckets"
    );
    assert_eq!(policy.policy_id, policy_id);
    assert_eq!(policy.default_version().unwrap().document, "{}");
    assert!(policy.versions[0].is_default_version);
    assert_eq!(policy.next_version_id().to_string(), "v2");
    assert_eq!(policy.update_date, policy.create_date);
    assert!(policy.is_attachable);
}

#[test]
fn new_policy_rejects_bad_input() {
    let random = crate::SeededRandom::new(2);
    let new_policy = |path: &str, name: &str, kind| {
        ManagedPolicy::new(
            crate::Partition::Aws,
            "123456789012".parse().unwrap(),
            path,
            name,
            UniqueId::generate(kind, &random),
            "{}".to_owned(),
            timestamp(),
        )
    };

    assert!(new_policy("/a*b/", "Read", UniqueIdKind::Policy).is_err());
    assert!(new_policy("/", "Read/Write", UniqueIdKind::Policy).is_err());
    assert!(new_policy("/", "Read", UniqueIdKind::Role).is_err());
}
