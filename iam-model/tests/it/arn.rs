//! Round trips of generic ARNs, and the bounds on parsed text.

use iam_model::{AccessKeyStatus, AccountId, Arn, IamArn, Partition, PolicyVersionId, UniqueId};
use proptest::prelude::*;

fn arn_strategy() -> impl Strategy<Value = Arn> {
    (
        prop::sample::select(Partition::ALL.to_vec()),
        "[a-z0-9-]{1,20}",
        "([a-z]{2}-[a-z]+-[0-9])?",
        "([0-9]{12}|aws)?",
        "[!-~ ]{1,80}",
    )
        .prop_map(|(partition, service, region, account, resource)| {
            Arn::new(partition, service, region, account, resource).unwrap()
        })
}

proptest! {
    #[test]
    fn parse_inverts_format(arn in arn_strategy()) {
        let text = arn.to_string();

        let parsed: Arn = text.parse().unwrap();

        prop_assert_eq!(&parsed, &arn);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn serde_round_trip(arn in arn_strategy()) {
        let json = serde_json::to_string(&arn).unwrap();

        prop_assert_eq!(serde_json::from_str::<Arn>(&json).unwrap(), arn);
    }

    #[test]
    fn new_rejects_or_round_trips(
        service in "[a-z:]{0,6}",
        region in "[a-z0-9:-]{0,6}",
        account in "[0-9:]{0,6}",
        resource in "[a-z:/]{0,6}",
    ) {
        let built = Arn::new(Partition::Aws, service, region, account, resource);

        if let Ok(arn) = built {
            let parsed: Arn = arn.to_string().parse().unwrap();
            prop_assert_eq!(parsed, arn);
        }
    }
}

#[test]
fn new_rejects_parts_that_print_as_another_arn() {
    let cases = [
        ("iam", "", "123:456", "user/Alice"),
        ("iam", "us:east", "123456789012", "user/Alice"),
        ("i:am", "", "123456789012", "user/Alice"),
        ("", "", "123456789012", "user/Alice"),
        ("iam", "", "123456789012", ""),
    ];

    for (service, region, account, resource) in cases {
        let built = Arn::new(Partition::Aws, service, region, account, resource);

        assert!(
            built.is_err(),
            "expected {service:?} {region:?} {account:?} {resource:?} rejected"
        );
    }
}

#[test]
fn arn_length_is_bounded() {
    let prefix = "arn:aws:s3:::";
    let longest = format!("{prefix}{}", "b".repeat(Arn::MAX_LEN - prefix.len()));
    let too_long = format!("{longest}b");

    let parsed: Arn = longest.parse().unwrap();

    assert_eq!(parsed.to_string(), longest);
    assert!(too_long.parse::<Arn>().is_err());
    assert!(Arn::new(Partition::Aws, "s3", "", "", "b".repeat(Arn::MAX_LEN)).is_err());
}

#[test]
fn arn_length_counts_characters() {
    let prefix = "arn:aws:s3:::";
    let resource_len = Arn::MAX_LEN - prefix.len();
    let longest = format!("{prefix}{}", "é".repeat(resource_len));
    let too_long = format!("{longest}é");

    let parsed = longest.parse::<Arn>();
    let built = Arn::new(Partition::Aws, "s3", "", "", "é".repeat(resource_len));
    let built_too_long = Arn::new(Partition::Aws, "s3", "", "", "é".repeat(resource_len + 1));

    assert!(longest.len() > Arn::MAX_LEN);
    assert_eq!(parsed.unwrap().to_string(), longest);
    assert_eq!(built.unwrap().to_string(), longest);
    assert!(too_long.parse::<Arn>().is_err());
    assert!(built_too_long.is_err());
}

#[test]
fn parse_errors_repeat_at_most_256_characters() {
    let huge = "A".repeat(1_000_000);
    let errors = [
        format!("arn:bogus:{huge}").parse::<Arn>().unwrap_err(),
        format!("arn:aws:iam::{huge}")
            .parse::<IamArn>()
            .unwrap_err(),
        huge.parse::<AccountId>().unwrap_err(),
        huge.parse::<Partition>().unwrap_err(),
        format!("AIDA{huge}").parse::<UniqueId>().unwrap_err(),
        format!("v{huge}").parse::<PolicyVersionId>().unwrap_err(),
        huge.parse::<AccessKeyStatus>().unwrap_err(),
    ];

    for error in errors {
        let message = error.to_string();

        assert!(message.len() < 512, "message of {} bytes", message.len());
    }
}

#[test]
fn account_id_debug_prints_digits() {
    let id: AccountId = "111122223333".parse().unwrap();

    assert_eq!(format!("{id:?}"), "AccountId(\"111122223333\")");
}

#[test]
fn resource_keeps_colons_and_slashes() {
    let text = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*";

    let arn: Arn = text.parse().unwrap();

    assert_eq!(arn.service(), "logs");
    assert_eq!(arn.region(), "us-east-1");
    assert_eq!(arn.resource(), "log-group:/aws/lambda/fn:*");
    assert_eq!(arn.to_string(), text);
}

#[test]
fn malformed_arns_are_rejected() {
    for text in [
        "",
        "arn",
        "arn:aws",
        "arn:aws:s3",
        "arn:aws:s3:::",
        "arn:aws::us-east-1:123456789012:thing",
        "urn:aws:s3:::bucket",
        "arn:amazon:s3:::bucket",
    ] {
        assert!(text.parse::<Arn>().is_err(), "expected `{text}` rejected");
    }
}
