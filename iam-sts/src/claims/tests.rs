use iam_auth::SecretAccessKey;

use super::*;
use crate::testing::{full_claims, issue_time, minimal_claims};

fn secret() -> SecretAccessKey {
    SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_owned())
}

#[test]
fn full_claims_round_trip() {
    let claims = full_claims();

    let bytes = claims.encode("ASIAEXAMPLE", &secret());
    let (decoded, access_key_id, decoded_secret) = SessionClaims::decode(&bytes).unwrap();

    assert_eq!(decoded, claims);
    assert_eq!(access_key_id, "ASIAEXAMPLE");
    assert_eq!(decoded_secret, secret());
}

#[test]
fn minimal_claims_round_trip() {
    let claims = minimal_claims();

    let bytes = claims.encode("ASIAEXAMPLE", &secret());
    let (decoded, _, _) = SessionClaims::decode(&bytes).unwrap();

    assert_eq!(decoded, claims);
}

#[test]
fn every_truncation_is_malformed() {
    let bytes = full_claims().encode("ASIAEXAMPLE", &secret());

    for len in 0..bytes.len() {
        let result = SessionClaims::decode(&bytes[..len]);
        assert_eq!(
            result.map(|_| ()),
            Err(StsError::InvalidClientTokenId("malformed claims")),
            "length {len} decoded"
        );
    }
}

#[test]
fn trailing_bytes_are_malformed() {
    let mut bytes = minimal_claims().encode("ASIAEXAMPLE", &secret());
    bytes.push(0);

    let result = SessionClaims::decode(&bytes);

    assert!(result.is_err());
}

#[test]
fn unknown_version_and_kind_are_malformed() {
    let bytes = minimal_claims().encode("ASIAEXAMPLE", &secret());
    // The fields start after their two-byte length, with the version, then the kind.
    let mut wrong_version = bytes.clone();
    wrong_version[2] = 9;
    let mut wrong_kind = bytes;
    wrong_kind[3] = 9;

    assert!(SessionClaims::decode(&wrong_version).is_err());
    assert!(SessionClaims::decode(&wrong_kind).is_err());
}

#[test]
fn user_id_per_kind() {
    let role = full_claims();
    let mut federated = full_claims();
    federated.kind = PrincipalKind::FederatedUser;
    federated.session_name = "bob".to_owned();
    let user = minimal_claims();

    assert_eq!(role.user_id(), "AROAEXAMPLEROLEID0001:s1");
    assert_eq!(federated.user_id(), "111122223333:bob");
    assert_eq!(user.user_id(), "AIDAEXAMPLEUSERID0001");
}

#[test]
fn mfa_age_counts_seconds_since_authentication() {
    let claims = full_claims();
    let now = issue_time() + jiff::SignedDuration::from_secs(100);

    assert_eq!(claims.mfa_age_seconds(now), Some(160));
    assert_eq!(minimal_claims().mfa_age_seconds(now), None);
}

#[test]
fn transitive_tags_filter_flagged_tags() {
    let claims = full_claims();

    let keys: Vec<&str> = claims
        .transitive_tags()
        .map(|tag| tag.key.as_str())
        .collect();

    assert_eq!(keys, ["team"]);
}

#[test]
fn check_action_per_session_kind() {
    let role = full_claims();
    let mut federated = full_claims();
    federated.kind = PrincipalKind::FederatedUser;
    let user_without_mfa = minimal_claims();
    let mut user_with_mfa = minimal_claims();
    user_with_mfa.iam_denied = false;
    user_with_mfa.mfa_authenticated_at = Some(issue_time());
    let code =
        |claims: &SessionClaims, action: &str| claims.check_action(action).err().map(|e| e.code());

    assert_eq!(code(&role, "iam:ListUsers"), None);
    assert_eq!(code(&role, "sts:AssumeRole"), None);
    assert_eq!(code(&role, "sts:GetSessionToken"), Some("AccessDenied"));
    assert_eq!(code(&role, "sts:GetFederationToken"), Some("AccessDenied"));
    assert_eq!(code(&federated, "s3:GetObject"), None);
    assert_eq!(code(&federated, "sts:GetCallerIdentity"), None);
    assert_eq!(code(&federated, "iam:GetUser"), Some("AccessDenied"));
    assert_eq!(code(&federated, "sts:AssumeRole"), Some("AccessDenied"));
    assert_eq!(
        code(&user_without_mfa, "iam:ListUsers"),
        Some("InvalidClientTokenId")
    );
    assert_eq!(
        code(&user_without_mfa, "IAM:listusers"),
        Some("InvalidClientTokenId")
    );
    assert_eq!(code(&user_without_mfa, "s3:ListBucket"), None);
    assert_eq!(code(&user_without_mfa, "sts:AssumeRole"), None);
    assert_eq!(code(&user_without_mfa, "sts:GetCallerIdentity"), None);
    assert_eq!(
        code(&user_without_mfa, "sts:GetSessionToken"),
        Some("AccessDenied")
    );
    assert_eq!(
        code(&user_without_mfa, "sts:DecodeAuthorizationMessage"),
        Some("AccessDenied")
    );
    assert_eq!(code(&user_with_mfa, "iam:ListUsers"), None);
}

proptest::proptest! {
    // Each case encodes up to 50 tags and a 2,048-character policy, so fewer cases than the
    // default 256 keep the unoptimized test build quick.
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    #[test]
    fn any_claims_round_trip(
        session_name in "[A-Za-z0-9_+=,.@-]{2,64}",
        source_identity in proptest::option::of("[A-Za-z0-9_+=,.@-]{2,64}"),
        tags in proptest::collection::vec(("\\PC{1,128}", "\\PC{0,256}", proptest::bool::ANY), 0..50),
        policy in proptest::option::of("\\PC{1,2048}"),
        issued in 0_i64..4_000_000_000,
        duration in 900_i64..129_600,
        mfa_age in proptest::option::of(0_i64..100_000),
        flags in (proptest::bool::ANY, proptest::bool::ANY),
    ) {
        let issued_at = jiff::Timestamp::from_second(issued).unwrap();
        let mut claims = full_claims();
        claims.session_name = session_name;
        claims.source_identity = source_identity;
        claims.tags = tags
            .into_iter()
            .map(|(key, value, transitive)| SessionTag { key, value, transitive })
            .collect();
        claims.session_policy = policy;
        claims.issued_at = issued_at;
        claims.expires_at = issued_at + jiff::SignedDuration::from_secs(duration);
        claims.mfa_authenticated_at =
            mfa_age.map(|age| issued_at - jiff::SignedDuration::from_secs(age));
        (claims.chained, claims.iam_denied) = flags;

        let bytes = claims.encode("ASIAEXAMPLE", &secret());
        let (decoded, access_key_id, _) = SessionClaims::decode(&bytes).unwrap();

        proptest::prop_assert_eq!(decoded, claims);
        proptest::prop_assert_eq!(access_key_id, "ASIAEXAMPLE");
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
        let _ = SessionClaims::decode(&bytes);
    }
}

#[test]
fn error_codes_and_statuses() {
    let expired_at = issue_time();
    let cases = [
        (
            StsError::validation("RoleSessionName", "x"),
            "ValidationError",
            400,
        ),
        (StsError::AccessDenied("x".to_owned()), "AccessDenied", 403),
        (
            StsError::NotAuthorized {
                caller: "arn:aws:iam::111122223333:user/alice".to_owned(),
                action: "sts:AssumeRole",
                resource: "arn:aws:iam::111122223333:role/ops".to_owned(),
            },
            "AccessDenied",
            403,
        ),
        (
            StsError::InvalidClientTokenId("x"),
            "InvalidClientTokenId",
            403,
        ),
        (StsError::ExpiredToken { expired_at }, "ExpiredToken", 403),
        (
            StsError::RevokedToken {
                issued_at: expired_at,
                revoked_before: expired_at,
            },
            "InvalidClientTokenId",
            403,
        ),
        (
            StsError::PackedPolicyTooLarge { percent: 120 },
            "PackedPolicyTooLarge",
            400,
        ),
        (
            StsError::MalformedPolicyDocument("x".to_owned()),
            "MalformedPolicyDocument",
            400,
        ),
        (
            StsError::InvalidIdentityToken("x".to_owned()),
            "InvalidIdentityToken",
            400,
        ),
        (
            StsError::ExpiredWebIdentityToken("x".to_owned()),
            "ExpiredTokenException",
            400,
        ),
        (
            StsError::InvalidAuthorizationMessage("x"),
            "InvalidAuthorizationMessageException",
            400,
        ),
        (
            StsError::ServiceFailure("x".to_owned()),
            "ServiceFailure",
            500,
        ),
    ];

    for (error, code, status) in cases {
        assert_eq!(error.code(), code, "{error:?}");
        assert_eq!(error.http_status(), status, "{error:?}");
    }
}

#[test]
fn packed_policy_message_has_percentage() {
    let error = StsError::PackedPolicyTooLarge { percent: 120 };

    assert_eq!(
        error.to_string(),
        "packed session policies and tags consume 120% of the allotted space"
    );
}

#[test]
fn source_entity_is_role_or_user() {
    assert_eq!(
        full_claims().source_entity().unwrap(),
        Some(Identity::Role("ops-admin".to_owned()))
    );
    assert_eq!(
        minimal_claims().source_entity().unwrap(),
        Some(Identity::User("alice".to_owned()))
    );
}

#[test]
fn root_session_has_no_source_entity() {
    let mut claims = minimal_claims();
    claims.kind = crate::PrincipalKind::Root;
    claims.source_arn = "arn:aws:iam::111122223333:root".parse().unwrap();
    claims.principal_arn = claims.source_arn.clone();

    assert_eq!(claims.source_entity().unwrap(), None);
}
