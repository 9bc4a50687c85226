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
