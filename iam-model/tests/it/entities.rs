//! The serialized form of every entity: AWS's field names, and a lossless round trip.

use iam_model::{
    AccessKey, AccessKeyLastUsed, AccessKeyStatus, Account, Group, InlinePolicy, InstanceProfile,
    LoginProfile, ManagedPolicy, OidcProvider, PasswordPolicy, PolicyVersion, PolicyVersionId,
    Role, RoleLastUsed, SealedAccessKey, SealedBytes, SeededRandom, Tag, UniqueId, UniqueIdKind,
    User, VirtualMfaDevice,
};
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn created() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

fn used() -> Timestamp {
    "2024-06-15T08:30:00Z".parse().unwrap()
}

/// Serializes `entity` to JSON, checks it deserializes to an equal value, and returns the JSON.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    entity: &T,
) -> serde_json::Value {
    let json = serde_json::to_value(entity).unwrap();
    let back: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&back, entity);
    json
}

#[test]
fn account_serializes() {
    let account = Account {
        id: "123456789012".parse().unwrap(),
        alias: Some("example-corp".to_owned()),
        password_policy: Some(PasswordPolicy {
            minimum_password_length: 14,
            require_symbols: true,
            max_password_age: Some(90),
            password_reuse_prevention: Some(24),
            ..PasswordPolicy::default()
        }),
    };

    insta::assert_json_snapshot!("account", round_trip(&account));
}

#[test]
fn user_group_role_serialize() {
    let random = SeededRandom::new(1);
    let user = User {
        path: "/division/".to_owned(),
        user_name: "alice".to_owned(),
        user_id: UniqueId::generate(UniqueIdKind::User, &random),
        arn: "arn:aws:iam::123456789012:user/division/alice"
            .parse()
            .unwrap(),
        create_date: created(),
        password_last_used: Some(used()),
        permissions_boundary: Some("arn:aws:iam::123456789012:policy/Boundary".parse().unwrap()),
        tags: vec![Tag::new("Team", "Payments")],
    };
    let group = Group {
        path: "/".to_owned(),
        group_name: "Admins".to_owned(),
        group_id: UniqueId::generate(UniqueIdKind::Group, &random),
        arn: "arn:aws:iam::123456789012:group/Admins".parse().unwrap(),
        create_date: created(),
    };
    let role = Role {
        path: "/service-role/".to_owned(),
        role_name: "Deploy".to_owned(),
        role_id: UniqueId::generate(UniqueIdKind::Role, &random),
        arn: "arn:aws:iam::123456789012:role/service-role/Deploy".parse().unwrap(),
        create_date: created(),
        assume_role_policy_document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.to_owned(),
        description: Some("Deploys the web tier".to_owned()),
        max_session_duration: Role::DEFAULT_MAX_SESSION_DURATION,
        permissions_boundary: None,
        tags: Vec::new(),
        role_last_used: Some(RoleLastUsed {
            last_used_date: Some(used()),
            region: Some("us-east-1".to_owned()),
        }),
    };

    insta::assert_json_snapshot!("user", round_trip(&user));
    insta::assert_json_snapshot!("group", round_trip(&group));
    insta::assert_json_snapshot!("role", round_trip(&role));
}

#[test]
fn policies_serialize() {
    let random = SeededRandom::new(2);
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let policy = ManagedPolicy {
        policy_name: "ReadObjects".to_owned(),
        policy_id: UniqueId::generate(UniqueIdKind::Policy, &random),
        arn: "arn:aws:iam::123456789012:policy/ReadObjects"
            .parse()
            .unwrap(),
        path: "/".to_owned(),
        default_version_id: "v2".parse().unwrap(),
        attachment_count: 3,
        permissions_boundary_usage_count: 1,
        is_attachable: true,
        description: Some("Reads objects".to_owned()),
        create_date: created(),
        update_date: used(),
        tags: Vec::new(),
        versions: vec![
            PolicyVersion {
                version_id: PolicyVersionId::FIRST,
                document: document.to_owned(),
                is_default_version: false,
                create_date: created(),
            },
            PolicyVersion {
                version_id: "v2".parse().unwrap(),
                document: document.to_owned(),
                is_default_version: true,
                create_date: used(),
            },
        ],
        latest_version_id: "v2".parse().unwrap(),
    };
    let inline = InlinePolicy {
        policy_name: "AllowLogs".to_owned(),
        policy_document: document.to_owned(),
    };

    insta::assert_json_snapshot!("managed_policy", round_trip(&policy));
    insta::assert_json_snapshot!("inline_policy", round_trip(&inline));
}

#[test]
fn credentials_serialize() {
    let random = SeededRandom::new(3);
    let access_key = SealedAccessKey {
        access_key: AccessKey {
            user_name: "alice".to_owned(),
            access_key_id: UniqueId::generate(UniqueIdKind::AccessKey, &random),
            status: AccessKeyStatus::Inactive,
            create_date: created(),
            last_used: Some(AccessKeyLastUsed {
                last_used_date: used(),
                service_name: "iam".to_owned(),
                region: "us-east-1".to_owned(),
            }),
        },
        sealed_secret: SealedBytes(vec![7; 8]),
    };
    let login_profile = LoginProfile {
        user_name: "alice".to_owned(),
        create_date: created(),
        password_reset_required: true,
        password_hash: "opaque-hash".to_owned(),
        previous_password_hashes: Vec::new(),
    };
    let mfa_device = VirtualMfaDevice {
        serial_number: "arn:aws:iam::123456789012:mfa/alice-phone".parse().unwrap(),
        user_name: Some("alice".to_owned()),
        enable_date: Some(used()),
        sealed_seed: SealedBytes(vec![9; 4]),
        tags: Vec::new(),
    };

    insta::assert_json_snapshot!("access_key", round_trip(&access_key));
    insta::assert_json_snapshot!("login_profile", round_trip(&login_profile));
    insta::assert_json_snapshot!("virtual_mfa_device", round_trip(&mfa_device));
}

#[test]
fn providers_serialize() {
    let random = SeededRandom::new(4);
    let instance_profile = InstanceProfile {
        path: "/".to_owned(),
        instance_profile_name: "Webserver".to_owned(),
        instance_profile_id: UniqueId::generate(UniqueIdKind::InstanceProfile, &random),
        arn: "arn:aws:iam::123456789012:instance-profile/Webserver"
            .parse()
            .unwrap(),
        create_date: created(),
        role_names: vec!["Deploy".to_owned()],
        tags: Vec::new(),
    };
    let oidc_provider = OidcProvider {
        arn: "arn:aws:iam::123456789012:oidc-provider/token.actions.example.com"
            .parse()
            .unwrap(),
        url: "https://token.actions.example.com".to_owned(),
        client_id_list: vec!["sts.amazonaws.com".to_owned()],
        thumbprint_list: vec!["9e99a48a9960b14926bb7f3b02e22da2b0ab7280".to_owned()],
        jwks: Some(r#"{"keys":[]}"#.to_owned()),
        create_date: created(),
        tags: vec![Tag::new("Owner", "ci")],
    };

    insta::assert_json_snapshot!("instance_profile", round_trip(&instance_profile));
    insta::assert_json_snapshot!("oidc_provider", round_trip(&oidc_provider));
}
