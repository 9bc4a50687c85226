use super::*;

fn principal(arn: &str) -> RequestPrincipal {
    RequestPrincipal::from_arn(arn).unwrap()
}

fn request(principal: RequestPrincipal, keys: ContextKeys) -> RequestContext {
    RequestContext::new(
        principal,
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        None,
        None,
        keys,
    )
}

#[test]
fn from_arn_tells_principal_kinds_apart() {
    let cases = [
        ("arn:aws:iam::111122223333:root", RequestPrincipalKind::Root),
        (
            "arn:aws:iam::111122223333:user/eng/alice",
            RequestPrincipalKind::User,
        ),
        (
            "arn:aws:iam::111122223333:role/app",
            RequestPrincipalKind::Role,
        ),
        (
            "arn:aws:sts::111122223333:assumed-role/app/s1",
            RequestPrincipalKind::RoleSession,
        ),
        (
            "arn:aws:sts::111122223333:federated-user/bob",
            RequestPrincipalKind::FederatedUser,
        ),
        (
            "arn:aws:iam::111122223333:saml-provider/corp",
            RequestPrincipalKind::Saml,
        ),
        ("ec2.amazonaws.com", RequestPrincipalKind::Service),
        ("*", RequestPrincipalKind::Anonymous),
    ];

    for (arn, kind) in cases {
        assert_eq!(principal(arn).kind(), kind, "{arn}");
    }
}

#[test]
fn from_arn_rebuilds_role_arn_of_session() {
    let session = principal("arn:aws:sts::111122223333:assumed-role/app/s1");

    assert_eq!(
        session.role_arn(),
        Some("arn:aws:iam::111122223333:role/app")
    );
    assert!(!session.is_role_path_known());
    assert_eq!(
        session.principal_arn(),
        "arn:aws:iam::111122223333:role/app"
    );
}

#[test]
fn with_role_arn_marks_path_known() {
    let session = principal("arn:aws:sts::111122223333:assumed-role/app/s1")
        .with_role_arn("arn:aws:iam::111122223333:role/team/app");

    assert!(session.is_role_path_known());
    assert_eq!(
        session.role_arn(),
        Some("arn:aws:iam::111122223333:role/team/app")
    );
}

#[test]
fn from_arn_rejects_bad_principals() {
    for bad in [
        "alice",
        "arn:aws:iam::1111:user/alice",
        "arn:aws:s3:::bucket",
        "arn:aws:sts::111122223333:assumed-role/",
        "arn:aws:iam::111122223333:group/admins",
    ] {
        let error = RequestPrincipal::from_arn(bad).unwrap_err();
        assert!(
            matches!(error, crate::PolicyError::InvalidPrincipal { ref value, .. } if value == bad),
            "{bad}: {error}"
        );
    }
}

#[test]
fn keys_are_found_in_any_case() {
    let mut keys = ContextKeys::new();
    keys.insert("aws:SourceIp", ContextValue::single("10.0.0.1"));
    keys.insert("AWS:SOURCEIP", ContextValue::single("10.0.0.2"));

    let value = keys.get("aws:sourceip").unwrap();
    assert_eq!(value.values().collect::<Vec<_>>(), ["10.0.0.2"]);
    assert_eq!(keys.iter().count(), 1);
    assert!(keys.contains("Aws:SourceIP"));
}

#[test]
fn typed_values_are_written_canonically() {
    assert_eq!(ContextValue::boolean(true).values().next(), Some("true"));
    assert_eq!(ContextValue::number(-4).values().next(), Some("-4"));
    let time: Timestamp = "2024-05-01T10:00:00Z".parse().unwrap();
    assert_eq!(
        ContextValue::date(time).values().next(),
        Some("2024-05-01T10:00:00Z")
    );
    let address: IpAddr = "2001:db8::1".parse().unwrap();
    assert_eq!(
        ContextValue::ip(address).values().next(),
        Some("2001:db8::1")
    );
    assert!(ContextValue::list(["a", "b"]).is_multi());
    assert!(!ContextValue::single("a").is_multi());
}

#[test]
fn user_request_derives_global_keys() {
    let alice = principal("arn:aws:iam::111122223333:user/eng/alice")
        .with_user_id("AIDAEXAMPLE")
        .with_tag("team", "blue");
    let time: Timestamp = "2024-05-01T10:00:00Z".parse().unwrap();
    let request = RequestContext::new(
        alice,
        "s3:GetObject",
        "*",
        None,
        Some(time),
        ContextKeys::new(),
    );

    let key = |name: &str| {
        request
            .keys()
            .get(name)
            .map(|value| value.values().next().unwrap().to_owned())
    };
    assert_eq!(key("aws:username").as_deref(), Some("alice"));
    assert_eq!(key("aws:userid").as_deref(), Some("AIDAEXAMPLE"));
    assert_eq!(key("aws:PrincipalType").as_deref(), Some("User"));
    assert_eq!(key("aws:PrincipalAccount").as_deref(), Some("111122223333"));
    assert_eq!(key("aws:ResourceAccount").as_deref(), Some("111122223333"));
    assert_eq!(key("aws:PrincipalTag/team").as_deref(), Some("blue"));
    assert_eq!(
        key("aws:CurrentTime").as_deref(),
        Some("2024-05-01T10:00:00Z")
    );
    assert_eq!(key("aws:EpochTime").as_deref(), Some("1714557600"));
    assert!(!request.overrides_principal_keys());
}

#[test]
fn role_session_has_no_username() {
    let session = principal("arn:aws:sts::111122223333:assumed-role/app/s1");
    let request = request(session, ContextKeys::new());

    assert!(request.keys().get("aws:username").is_none());
    let principal_arn = request.keys().get("aws:PrincipalArn").unwrap();
    assert_eq!(
        principal_arn.values().next(),
        Some("arn:aws:iam::111122223333:role/app")
    );
}

#[test]
fn anonymous_request_has_no_principal_arn() {
    let request = request(RequestPrincipal::anonymous(), ContextKeys::new());

    assert!(request.keys().get("aws:PrincipalArn").is_none());
    assert!(request.keys().get("aws:PrincipalAccount").is_none());
    assert!(request.is_cross_account());
}

#[test]
fn given_keys_override_derived_ones() {
    let mut keys = ContextKeys::new();
    keys.insert("aws:PrincipalTag/team", ContextValue::single("red"));
    let alice = principal("arn:aws:iam::111122223333:user/alice").with_tag("team", "blue");

    let request = request(alice, keys);

    let team = request.keys().get("aws:principaltag/TEAM").unwrap();
    assert_eq!(team.values().next(), Some("red"));
    assert!(request.overrides_principal_keys());
}

#[test]
fn cross_account_compares_resource_owner() {
    let alice = principal("arn:aws:iam::111122223333:user/alice");
    let other: AccountId = "444455556666".parse().unwrap();

    let same = RequestContext::new(
        alice.clone(),
        "s3:GetObject",
        "*",
        None,
        None,
        ContextKeys::new(),
    );
    let cross = RequestContext::new(
        alice,
        "s3:GetObject",
        "*",
        Some(other),
        None,
        ContextKeys::new(),
    );

    assert!(!same.is_cross_account());
    assert!(cross.is_cross_account());
    assert_eq!(cross.action_key(), "s3:getobject");
    assert_eq!(cross.service(), "s3");
}

#[test]
fn ipv4_values_match_display() {
    for text in [
        "0.0.0.0",
        "127.0.0.1",
        "10.20.30.40",
        "100.9.255.199",
        "255.255.255.255",
    ] {
        let address: IpAddr = text.parse().unwrap();
        assert_eq!(ContextValue::ip(address).values().next(), Some(text));
    }
}

#[test]
fn shared_principal_context_matches_new() {
    let user = principal("arn:aws:iam::111122223333:user/eng/alice")
        .with_user_id("AIDAEXAMPLE")
        .with_tag("team", "storage");
    let time: Timestamp = "2024-05-01T10:00:00Z".parse().unwrap();
    let mut keys = ContextKeys::new();
    keys.insert("aws:SourceIp", ContextValue::single("192.0.2.1"));
    keys.insert("aws:username", ContextValue::single("mallory"));
    let shared = Arc::new(PrincipalContext::new(user.clone()));

    let built = |keys: ContextKeys| {
        RequestContext::for_principal(
            Arc::clone(&shared),
            "s3:GetObject",
            "arn:aws:s3:::bucket/key",
            None,
            Some(time),
            keys,
        )
    };
    let expected = RequestContext::new(
        user,
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        None,
        Some(time),
        keys.clone(),
    );
    let request = built(keys);

    assert_eq!(request, expected);
    for (key, value) in expected.keys().iter() {
        assert_eq!(request.key_lowercase(key), Some(value), "{key}");
    }
    assert_eq!(
        request
            .key_lowercase("aws:username")
            .and_then(|value| value.values().next()),
        Some("mallory")
    );
    assert_eq!(
        request
            .key_lowercase("aws:principaltag/team")
            .and_then(|value| value.values().next()),
        Some("storage")
    );
    assert!(request.overrides_principal_keys());
    assert!(Arc::ptr_eq(request.principal_context(), &shared));
}
