//! Round trips of generic ARNs.

use iam_model::{Arn, Partition};
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
            Arn::new(partition, service, region, account, resource)
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
