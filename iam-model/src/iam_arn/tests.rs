use proptest::prelude::*;

use super::*;

fn account() -> AccountId {
    "123456789012".parse().unwrap()
}

fn pathed(path: &str, name: &str) -> (String, String) {
    (path.to_owned(), name.to_owned())
}

#[test]
fn documented_arns_parse_to_resources() {
    let (path, name) = pathed("/division_abc/subdivision_xyz/", "Bob");
    let cases = [
        ("arn:aws:iam::123456789012:root", IamResource::Root),
        (
            "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob",
            IamResource::User { path, name },
        ),
        (
            "arn:aws:iam::123456789012:user/Alice",
            IamResource::User {
                path: "/".to_owned(),
                name: "Alice".to_owned(),
            },
        ),
        (
            "arn:aws:iam::123456789012:group/Developers",
            IamResource::Group {
                path: "/".to_owned(),
                name: "Developers".to_owned(),
            },
        ),
        (
            "arn:aws:iam::123456789012:role/aws-service-role/access-analyzer.amazonaws.com/AWSServiceRoleForAccessAnalyzer",
            IamResource::Role {
                path: "/aws-service-role/access-analyzer.amazonaws.com/".to_owned(),
                name: "AWSServiceRoleForAccessAnalyzer".to_owned(),
            },
        ),
        (
            "arn:aws:iam::123456789012:policy/UsersManageOwnCredentials",
            IamResource::Policy {
                path: "/".to_owned(),
                name: "UsersManageOwnCredentials".to_owned(),
            },
        ),
        (
            "arn:aws:iam::123456789012:instance-profile/Webserver",
            IamResource::InstanceProfile {
                path: "/".to_owned(),
                name: "Webserver".to_owned(),
            },
        ),
        (
            "arn:aws:iam::123456789012:mfa/JaneMFA",
            IamResource::MfaDevice {
                path: "/".to_owned(),
                name: "JaneMFA".to_owned(),
            },
        ),
        (
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/C4D3",
            IamResource::OidcProvider {
                url: "oidc.eks.us-west-2.amazonaws.com/id/C4D3".to_owned(),
            },
        ),
        (
            "arn:aws:iam::123456789012:saml-provider/ADFSProvider",
            IamResource::SamlProvider {
                name: "ADFSProvider".to_owned(),
            },
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/Accounting-Role/Mary",
            IamResource::AssumedRole {
                role_name: "Accounting-Role".to_owned(),
                session_name: "Mary".to_owned(),
            },
        ),
        (
            "arn:aws:sts::123456789012:federated-user/Bob",
            IamResource::FederatedUser {
                name: "Bob".to_owned(),
            },
        ),
    ];

    for (text, resource) in cases {
        let arn: IamArn = text.parse().unwrap();

        assert_eq!(arn.resource(), &resource, "{text}");
        assert_eq!(arn.account_id(), Some(account()), "{text}");
        assert_eq!(arn.to_string(), text);
    }
}

#[test]
fn aws_managed_policy_has_aws_account() {
    let text = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess";

    let arn: IamArn = text.parse().unwrap();

    assert_eq!(arn.account(), ArnAccount::Aws);
    assert_eq!(arn.account_id(), None);
    assert_eq!(
        arn,
        IamArn::aws_managed_policy(Partition::Aws, "/job-function/", "ViewOnlyAccess")
    );
    assert_eq!(arn.to_string(), text);
}

#[test]
fn other_partitions_are_kept() {
    let text = "arn:aws-cn:iam::123456789012:role/Admin";

    let arn: IamArn = text.parse().unwrap();

    assert_eq!(arn.partition(), Partition::AwsCn);
    assert_eq!(arn.to_string(), text);
}

#[test]
fn path_accessor_and_resource_type() {
    let arn: IamArn = "arn:aws:iam::123456789012:role/service-role/Deploy"
        .parse()
        .unwrap();

    assert_eq!(arn.resource().path(), Some("/service-role/"));
    assert_eq!(arn.resource().resource_type(), "role");
    assert_eq!(arn.resource().service(), "iam");
    assert_eq!(IamResource::Root.path(), None);
}

#[test]
fn oidc_provider_resource_drops_scheme() {
    let resource = IamResource::oidc_provider("https://token.actions.example.com/org");
    let arn = IamArn::new(Partition::Aws, account(), resource);

    assert_eq!(
        arn.to_string(),
        "arn:aws:iam::123456789012:oidc-provider/token.actions.example.com/org"
    );
}

#[test]
fn malformed_iam_arns_are_rejected() {
    let rejected = [
        "",
        "arn:aws:iam::123456789012",
        "arn:aws:iam::123456789012:",
        "arn:aws:iam:us-east-1:123456789012:user/Alice",
        "arn:aws:iam::12345678901:user/Alice",
        "arn:aws:iam::aws:user/Alice",
        "arn:aws:iam::123456789012:user/",
        "arn:aws:iam::123456789012:user/division/",
        "arn:aws:iam::123456789012:user",
        "arn:aws:iam::123456789012:widget/Alice",
        "arn:aws:s3:::bucket/key",
        "arn:aws:sts::123456789012:root",
        "arn:aws:sts::123456789012:user/Alice",
        "arn:aws:iam::123456789012:assumed-role/Role/Session",
        "arn:aws:sts::123456789012:assumed-role/Role",
        "arn:aws:sts::123456789012:assumed-role//Session",
        "arn:aws:sts::123456789012:assumed-role/Role/",
        "arn:aws:sts::123456789012:assumed-role/Role/a/b",
        "arn:aws:sts::123456789012:federated-user/a/b",
        "arn:aws:iam::123456789012:saml-provider/a/b",
        "arn:aws:iam::123456789012:oidc-provider/",
        "arn:aws:iam::123456789012:rootx",
        "arn:unknown:iam::123456789012:user/Alice",
        "arn:aws:iam::123456789012:user//Alice",
        "arn:aws:iam::123456789012:role/a b/Alice",
        "arn:aws:iam::123456789012:group/\u{e9}quipe/Devs",
        "arn:aws:iam::aws:policy//ReadOnlyAccess",
    ];

    for text in rejected {
        assert!(
            text.parse::<IamArn>().is_err(),
            "expected `{text}` rejected"
        );
    }
}

#[test]
fn path_longer_than_512_is_rejected() {
    let longest_path = format!("/{}/", "a".repeat(510));
    let accepted = format!("arn:aws:iam::123456789012:user{longest_path}Alice");
    let rejected = format!("arn:aws:iam::123456789012:user/{}/Alice", "a".repeat(511));

    assert_eq!(
        accepted.parse::<IamArn>().unwrap().resource().path(),
        Some(longest_path.as_str())
    );
    assert!(rejected.parse::<IamArn>().is_err());
}

#[test]
fn parsed_path_passes_path_validation() {
    for text in [
        "arn:aws:iam::123456789012:user/Alice",
        "arn:aws:iam::123456789012:user/a//b/Alice",
        "arn:aws:iam::123456789012:role/aws-service-role/sso.amazonaws.com/Sso",
    ] {
        let arn: IamArn = text.parse().unwrap();

        let path = arn.resource().path().unwrap();

        assert_eq!(crate::validate::path(path), Ok(()), "{text}");
    }
}

#[test]
fn iam_arn_serializes_as_string() {
    let text = "arn:aws:sts::123456789012:assumed-role/Admin/ci";
    let arn: IamArn = text.parse().unwrap();

    let json = serde_json::to_string(&arn).unwrap();

    assert_eq!(json, format!("\"{text}\""));
    assert_eq!(serde_json::from_str::<IamArn>(&json).unwrap(), arn);
}

fn name_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_+=,.@-]{1,64}"
}

fn path_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z0-9_+=,.@-]{1,12}", 0..4).prop_map(|segments| {
        segments
            .iter()
            .fold("/".to_owned(), |path, segment| format!("{path}{segment}/"))
    })
}

fn resource_strategy() -> impl Strategy<Value = IamResource> {
    let pathed =
        (0..7_u8, path_strategy(), name_strategy()).prop_map(|(kind, path, name)| match kind {
            0 => IamResource::User { path, name },
            1 => IamResource::Group { path, name },
            2 => IamResource::Role { path, name },
            3 => IamResource::Policy { path, name },
            4 => IamResource::InstanceProfile { path, name },
            5 => IamResource::ServerCertificate { path, name },
            _ => IamResource::MfaDevice { path, name },
        });
    prop_oneof![
        Just(IamResource::Root),
        pathed,
        "[a-z0-9.-]{1,20}(/[A-Za-z0-9_-]{1,10}){0,2}"
            .prop_map(|url| IamResource::OidcProvider { url }),
        "[A-Za-z0-9_.-]{1,32}".prop_map(|name| IamResource::SamlProvider { name }),
        (name_strategy(), "[A-Za-z0-9_+=,.@-]{2,64}").prop_map(|(role_name, session_name)| {
            IamResource::AssumedRole {
                role_name,
                session_name,
            }
        }),
        "[A-Za-z0-9_+=,.@-]{2,32}".prop_map(|name| IamResource::FederatedUser { name }),
    ]
}

fn iam_arn_strategy() -> impl Strategy<Value = IamArn> {
    let partition = prop::sample::select(Partition::ALL.to_vec());
    let account = "[0-9]{12}".prop_map(|id| id.parse::<AccountId>().unwrap());
    let customer = (partition.clone(), account, resource_strategy())
        .prop_map(|(partition, account, resource)| IamArn::new(partition, account, resource));
    let aws_managed = (partition, path_strategy(), name_strategy())
        .prop_map(|(partition, path, name)| IamArn::aws_managed_policy(partition, path, name));
    prop_oneof![4 => customer, 1 => aws_managed]
}

proptest! {
    #[test]
    fn parse_inverts_format(arn in iam_arn_strategy()) {
        let text = arn.to_string();

        let parsed: IamArn = text.parse().unwrap();

        prop_assert_eq!(&parsed, &arn);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn generic_arn_converts_both_ways(arn in iam_arn_strategy()) {
        let generic = Arn::from(&arn);

        prop_assert_eq!(IamArn::try_from(&generic).unwrap(), arn.clone());
        prop_assert_eq!(generic.to_string(), arn.to_string());
        prop_assert_eq!(generic.service(), arn.resource().service());
    }
}
