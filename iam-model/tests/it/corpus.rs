//! ARNs, names and paths from real AWS data in the shared test corpus.

use iam_model::{Arn, ArnAccount, IamArn, IamResource, PolicyVersionId, validate};

use crate::read_corpus_json;

/// Every AWS managed policy's ARN, name, path and version id must parse and validate, since
/// the service loads these policies as they are.
#[test]
fn aws_managed_policy_index_validates() {
    let index = read_corpus_json("aws-managed-policies/_index.json");
    let policies = index["policies"].as_array().unwrap();
    assert!(policies.len() > 1000, "only {} policies", policies.len());

    let mut with_arn = 0;

    for policy in policies {
        let name = policy["PolicyName"].as_str().unwrap();
        let version_id = policy["VersionId"].as_str().unwrap();
        assert_eq!(validate::policy_name(name), Ok(()), "{name}");
        assert!(
            version_id.parse::<PolicyVersionId>().is_ok(),
            "{version_id}"
        );

        // The index leaves the ARN and path out for policies AWS no longer lists.
        let Some(text) = policy["Arn"].as_str() else {
            continue;
        };
        let path = policy["Path"].as_str().unwrap();

        let arn: IamArn = text
            .parse()
            .unwrap_or_else(|error| panic!("{text}: {error}"));

        assert_eq!(arn.account(), ArnAccount::Aws, "{text}");
        assert_eq!(
            arn.resource(),
            &IamResource::Policy {
                path: path.to_owned(),
                name: name.to_owned(),
            },
            "{text}"
        );
        assert_eq!(arn.to_string(), text);
        assert_eq!(validate::policy_path(path), Ok(()), "{text}");
        assert_eq!(validate::path(path), Ok(()), "{text}");
        with_arn += 1;
    }

    assert!(with_arn > 1400, "only {with_arn} policies with an ARN");
}

/// AWS managed policy documents must pass the character check (their sizes are exempt from
/// the customer quotas, so only documents within the API's length limit are checked).
#[test]
fn aws_managed_policy_documents_pass_character_check() {
    let index = read_corpus_json("aws-managed-policies/_index.json");
    let mut checked = 0;

    for policy in index["policies"].as_array().unwrap() {
        let file = policy["File"].as_str().unwrap();
        let document = read_corpus_json(&format!("aws-managed-policies/{file}")).to_string();
        if document.chars().count() > 131_072 {
            continue;
        }

        assert_eq!(
            validate::policy_document("PolicyDocument", &document),
            Ok(()),
            "{file}"
        );
        checked += 1;
    }

    assert!(checked > 1000, "checked only {checked} documents");
}

/// Every ARN of another policy engine's test data parses as a generic ARN and formats back to
/// the same text. The IAM and STS ones also parse as typed ARNs.
#[test]
fn peer_arns_round_trip() {
    let arns = read_corpus_json("peer-cases/foorack-iam-rs/arns.json");
    let mut typed = 0;

    for value in arns.as_array().unwrap() {
        let text = value.as_str().unwrap();

        let arn: Arn = text
            .parse()
            .unwrap_or_else(|error| panic!("{text}: {error}"));

        assert_eq!(arn.to_string(), text);
        if matches!(arn.service(), "iam" | "sts") {
            let iam_arn = IamArn::try_from(&arn).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(iam_arn.to_string(), text);
            typed += 1;
        }
    }

    assert!(typed >= 19, "only {typed} IAM and STS ARNs");
}

/// Fills the `${...}` placeholders of an ARN format from AWS's service authorization
/// reference with sample values.
fn fill_arn_format(format: &str) -> String {
    format
        .replace("${Partition}", "aws")
        .replace("${Account}", "123456789012")
        .replace("${RoleSessionName}", "session@example.com")
        .replace("${RoleName}", "Deploy")
        .replace("${OidcProviderName}", "token.actions.example.com/org")
        .split("${")
        .enumerate()
        .map(|(index, part)| match (index, part.split_once('}')) {
            (0, _) | (_, None) => part.to_owned(),
            (_, Some((placeholder, rest))) if placeholder.ends_with("WithPath") => {
                format!("division/team/Name{rest}")
            }
            (_, Some((_, rest))) => format!("Name{rest}"),
        })
        .collect()
}

/// The IAM and STS resource types of AWS's service authorization reference that [`IamArn`]
/// supports parse and format back; the rest are rejected rather than misread.
#[test]
fn service_authorization_formats_parse() {
    let supported = [
        ("iam", "group"),
        ("iam", "instance-profile"),
        ("iam", "mfa"),
        ("iam", "oidc-provider"),
        ("iam", "policy"),
        ("iam", "role"),
        ("iam", "saml-provider"),
        ("iam", "server-certificate"),
        ("iam", "user"),
        ("sts", "federated-user"),
        ("sts", "role"),
        ("sts", "root-user"),
    ];
    // NOTE: The reference writes the `assumed-role` and `federated-user` resource types of
    // the `iam` namespace with the service `iam`, but STS returns session ARNs with the
    // service `sts`, which is the only form `IamArn` accepts.
    let unsupported = [
        ("iam", "access-report"),
        ("iam", "assumed-role"),
        ("iam", "delegation-request"),
        ("iam", "federated-user"),
        ("iam", "role-template"),
        ("iam", "sms-mfa"),
        ("sts", "context-provider"),
        ("sts", "self-session"),
    ];

    for &(service, key) in supported.iter().chain(&unsupported) {
        let resource_types = read_corpus_json(&format!(
            "service-authorization/resourceTypes/{service}.json"
        ));
        let format = resource_types[key]["arn"]
            .as_str()
            .unwrap_or_else(|| panic!("no ARN format for {service} {key}"));
        let text = fill_arn_format(format);

        let parsed = text.parse::<IamArn>();

        if supported.contains(&(service, key)) {
            let arn = parsed.unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(arn.to_string(), text);
        } else {
            assert!(parsed.is_err(), "`{text}` parsed but is not supported");
        }
    }
}
