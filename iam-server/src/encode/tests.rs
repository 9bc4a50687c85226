use iam_model::{
    AccessKeyStatus, PolicyVersionId, RoleLastUsed, SealedBytes, UniqueId, UniqueIdKind,
};
use jiff::Timestamp;

use super::*;
use crate::service::Service;
use crate::xml::render_response;

const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

fn render(service: Service, action: &str, result: &Fields) -> String {
    String::from_utf8(render_response(
        service.namespace(),
        action,
        Some(result),
        REQUEST_ID,
    ))
    .unwrap()
}

fn created() -> Timestamp {
    "2026-01-02T03:04:05Z".parse().unwrap()
}

fn id(text: &str) -> UniqueId {
    text.parse().unwrap()
}

fn arn(text: &str) -> Arn {
    text.parse().unwrap()
}

fn alice() -> User {
    User {
        path: "/eng/".to_owned(),
        user_name: "alice".to_owned(),
        user_id: id("AIDAEXAMPLEEXAMPLE123"),
        arn: arn("arn:aws:iam::111122223333:user/eng/alice"),
        create_date: created(),
        password_last_used: Some("2026-02-03T04:05:06Z".parse().unwrap()),
        permissions_boundary: Some(arn("arn:aws:iam::111122223333:policy/boundary")),
        tags: vec![Tag::new("team", "identity")],
    }
}

fn app_role() -> Role {
    Role {
        path: "/".to_owned(),
        role_name: "app".to_owned(),
        role_id: id("AROAEXAMPLEEXAMPLE123"),
        arn: arn("arn:aws:iam::111122223333:role/app"),
        create_date: created(),
        assume_role_policy_document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.to_owned(),
        description: Some("application role".to_owned()),
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: vec![Tag::new("env", "test")],
        role_last_used: Some(RoleLastUsed {
            last_used_date: Some("2026-03-04T05:06:07Z".parse().unwrap()),
            region: Some("us-east-1".to_owned()),
        }),
    }
}

fn policy_version_v1() -> PolicyVersion {
    PolicyVersion {
        version_id: PolicyVersionId::FIRST,
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#.to_owned(),
        is_default_version: true,
        create_date: created(),
    }
}

fn managed_policy() -> ManagedPolicy {
    ManagedPolicy {
        policy_name: "read-users".to_owned(),
        policy_id: id("ANPAEXAMPLEEXAMPLE123"),
        arn: arn("arn:aws:iam::111122223333:policy/read-users"),
        path: "/".to_owned(),
        default_version_id: PolicyVersionId::FIRST,
        attachment_count: 2,
        permissions_boundary_usage_count: 0,
        is_attachable: true,
        description: Some("reads users".to_owned()),
        create_date: created(),
        update_date: created(),
        tags: vec![Tag::new("owner", "security")],
        versions: vec![policy_version_v1()],
        latest_version_id: PolicyVersionId::FIRST,
    }
}

fn access_key() -> AccessKey {
    AccessKey {
        user_name: "alice".to_owned(),
        access_key_id: UniqueId::generate(
            UniqueIdKind::AccessKey,
            &iam_model::SeededRandom::new(1),
        ),
        status: AccessKeyStatus::Active,
        create_date: created(),
        last_used: None,
    }
}

#[test]
fn get_user_response() {
    let result = Fields::new().structure("User", user(&alice()));

    insta::assert_snapshot!(render(Service::Iam, "GetUser", &result));
}

#[test]
fn list_users_response() {
    let result = Fields::new()
        .list("Users", [Node::Structure(user_summary(&alice()))])
        .pagination(Some("bWFya2Vy".to_owned()));

    insta::assert_snapshot!(render(Service::Iam, "ListUsers", &result));
}

#[test]
fn get_group_response() {
    let devs = Group {
        path: "/".to_owned(),
        group_name: "devs".to_owned(),
        group_id: id("AGPAEXAMPLEEXAMPLE123"),
        arn: arn("arn:aws:iam::111122223333:group/devs"),
        create_date: created(),
    };
    let result = Fields::new()
        .structure("Group", group(&devs))
        .list("Users", [Node::Structure(user_summary(&alice()))])
        .pagination(None);

    insta::assert_snapshot!(render(Service::Iam, "GetGroup", &result));
}

#[test]
fn get_role_response() {
    let result = Fields::new().structure("Role", role(&app_role()));

    insta::assert_snapshot!(render(Service::Iam, "GetRole", &result));
}

#[test]
fn get_policy_response() {
    let result = Fields::new().structure("Policy", policy(&managed_policy(), true));

    insta::assert_snapshot!(render(Service::Iam, "GetPolicy", &result));
}

#[test]
fn get_policy_version_response() {
    let result =
        Fields::new().structure("PolicyVersion", policy_version(&policy_version_v1(), true));

    insta::assert_snapshot!(render(Service::Iam, "GetPolicyVersion", &result));
}

#[test]
fn list_attached_user_policies_response() {
    let policy = managed_policy();
    let result = Fields::new()
        .list(
            "AttachedPolicies",
            [Node::Structure(attached_policy(
                &policy.policy_name,
                &policy.arn,
            ))],
        )
        .pagination(None);

    insta::assert_snapshot!(render(Service::Iam, "ListAttachedUserPolicies", &result));
}

#[test]
fn create_access_key_response() {
    let result = Fields::new().structure(
        "AccessKey",
        access_key_with_secret(&access_key(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    );

    insta::assert_snapshot!(render(Service::Iam, "CreateAccessKey", &result));
}

#[test]
fn list_access_keys_response() {
    let result = Fields::new()
        .list(
            "AccessKeyMetadata",
            [Node::Structure(access_key_metadata(&access_key()))],
        )
        .pagination(None);

    insta::assert_snapshot!(render(Service::Iam, "ListAccessKeys", &result));
}

#[test]
fn get_access_key_last_used_never_used() {
    let result = Fields::new()
        .text("UserName", "alice")
        .structure("AccessKeyLastUsed", access_key_last_used(None));

    insta::assert_snapshot!(render(Service::Iam, "GetAccessKeyLastUsed", &result));
}

#[test]
fn get_access_key_last_used_after_use() {
    let last_used = AccessKeyLastUsed {
        last_used_date: created(),
        service_name: "iam".to_owned(),
        region: "us-east-1".to_owned(),
    };
    let result = Fields::new()
        .text("UserName", "alice")
        .structure("AccessKeyLastUsed", access_key_last_used(Some(&last_used)));

    let body = render(Service::Iam, "GetAccessKeyLastUsed", &result);

    assert!(
        body.contains("<LastUsedDate>2026-01-02T03:04:05Z</LastUsedDate>"),
        "{body}"
    );
    assert!(body.contains("<ServiceName>iam</ServiceName>"), "{body}");
}

#[test]
fn get_login_profile_response() {
    let profile = LoginProfile {
        user_name: "alice".to_owned(),
        create_date: created(),
        password_reset_required: true,
        password_hash: "pbkdf2-sha256$600000$c2FsdA$aGFzaA".to_owned(),
        previous_password_hashes: Vec::new(),
    };
    let result = Fields::new().structure("LoginProfile", login_profile(&profile));

    let body = render(Service::Iam, "GetLoginProfile", &result);

    assert!(
        !body.contains("pbkdf2"),
        "the hash must never be returned: {body}"
    );
    insta::assert_snapshot!(body);
}

#[test]
fn create_virtual_mfa_device_response() {
    let device = VirtualMfaDevice {
        serial_number: arn("arn:aws:iam::111122223333:mfa/phone"),
        user_name: None,
        enable_date: None,
        sealed_seed: SealedBytes(vec![1, 2, 3]),
        tags: Vec::new(),
    };
    let result = Fields::new().structure(
        "VirtualMFADevice",
        virtual_mfa_device(
            &device,
            None,
            Some(("JBSWY3DPEHPK3PXP", b"\x89PNG\r\n\x1a\n".as_slice())),
        ),
    );

    insta::assert_snapshot!(render(Service::Iam, "CreateVirtualMFADevice", &result));
}

#[test]
fn list_mfa_devices_response() {
    let device = VirtualMfaDevice {
        serial_number: arn("arn:aws:iam::111122223333:mfa/phone"),
        user_name: Some("alice".to_owned()),
        enable_date: Some(created()),
        sealed_seed: SealedBytes(vec![1, 2, 3]),
        tags: Vec::new(),
    };
    let result = Fields::new()
        .list(
            "MFADevices",
            [Node::Structure(mfa_device(&device, "alice"))],
        )
        .pagination(None);

    insta::assert_snapshot!(render(Service::Iam, "ListMFADevices", &result));
}

#[test]
fn get_instance_profile_response() {
    let profile = InstanceProfile {
        path: "/".to_owned(),
        instance_profile_name: "web".to_owned(),
        instance_profile_id: id("AIPAEXAMPLEEXAMPLE123"),
        arn: arn("arn:aws:iam::111122223333:instance-profile/web"),
        create_date: created(),
        role_names: vec!["app".to_owned()],
        tags: Vec::new(),
    };
    let result =
        Fields::new().structure("InstanceProfile", instance_profile(&profile, &[app_role()]));

    insta::assert_snapshot!(render(Service::Iam, "GetInstanceProfile", &result));
}

#[test]
fn get_open_id_connect_provider_response() {
    let provider = OidcProvider {
        arn: arn("arn:aws:iam::111122223333:oidc-provider/id.example.com"),
        url: "id.example.com".to_owned(),
        client_id_list: vec!["sts.amazonaws.com".to_owned()],
        thumbprint_list: vec!["0123456789abcdef0123456789abcdef01234567".to_owned()],
        jwks: None,
        create_date: created(),
        tags: Vec::new(),
    };

    insta::assert_snapshot!(render(
        Service::Iam,
        "GetOpenIDConnectProvider",
        &oidc_provider(&provider)
    ));
}

#[test]
fn get_account_password_policy_response() {
    let policy = PasswordPolicy {
        minimum_password_length: 12,
        require_numbers: true,
        max_password_age: Some(90),
        password_reuse_prevention: Some(5),
        ..PasswordPolicy::default()
    };
    let result = Fields::new().structure("PasswordPolicy", password_policy(&policy));

    insta::assert_snapshot!(render(Service::Iam, "GetAccountPasswordPolicy", &result));
}

#[test]
fn password_policy_without_age_does_not_expire() {
    let body = render(
        Service::Iam,
        "GetAccountPasswordPolicy",
        &Fields::new().structure(
            "PasswordPolicy",
            password_policy(&PasswordPolicy::default()),
        ),
    );

    assert!(
        body.contains("<ExpirePasswords>false</ExpirePasswords>"),
        "{body}"
    );
    assert!(!body.contains("MaxPasswordAge"), "{body}");
}

#[test]
fn untagged_user_has_no_tags_member() {
    let user = User {
        tags: Vec::new(),
        ..alice()
    };

    let fields = super::user(&user);

    assert!(fields.members().iter().all(|(name, _)| *name != "Tags"));
}

#[test]
fn get_caller_identity_response() {
    let result = Fields::new()
        .text("UserId", "AIDAEXAMPLEEXAMPLE123")
        .text("Account", "111122223333")
        .text("Arn", "arn:aws:iam::111122223333:user/eng/alice");

    insta::assert_snapshot!(render(Service::Sts, "GetCallerIdentity", &result));
}
