use super::*;

#[test]
fn dates_accepted() {
    let accepted = [
        "2017-07-01T00:00:00Z",
        "2019-07-01T13:20:15Z",
        "2016-12-13T21:20:37.593194+00:00",
        "2016-12-13t2:00:00.593194+23",
        "2016-12-13",
        "2016-12",
        "01T",
        "2020-01-01T10:00-0500",
        "-292275054",
        "1700000000",
        "9223372036854775807",
    ];
    for text in accepted {
        assert!(date_parses(text), "{text}");
    }
}

#[test]
fn dates_rejected() {
    let rejected = [
        "sdfdsf",
        "234-13",
        "2016-12-13t2:00:00.593194+1",
        "2016-12-13t2:00:00.1999999999+10:59",
        "9223372036854775808",
        "2016-12-32",
        "2016-12-13T24:00:00Z",
        "2016-12-13T10:61:00Z",
        "",
        "true",
        "2016-12-13T10:00:00Zjunk",
    ];
    for text in rejected {
        assert!(!date_parses(text), "{text}");
    }
}

#[test]
fn resources_checked_only_in_known_partitions() {
    assert!(resource_parses("*"));
    assert!(resource_parses("arn:aws:s3:::bucket"));
    assert!(resource_parses("arn:aws:s3:::bucket/a:b:c"));
    assert!(resource_parses("arn:aws"));
    assert!(resource_parses("arn:aws:fdsasf"));
    assert!(resource_parses("arn:aws:cloudfront:*"));
    assert!(resource_parses("arn:*:kms:*:*:key/*"));
    assert!(resource_parses("arn:error:s3::bucket"));
    assert!(resource_parses("not an arn"));

    assert!(!resource_parses("arn:aws::fdsasf"));
    assert!(!resource_parses("arn:aws:s3::bucket"));
    assert!(!resource_parses("arn:aws::::bucket"));
}

#[test]
fn partitions_known_or_wildcard() {
    assert!(is_known_partition("aws"));
    assert!(is_known_partition("aws-us-gov"));
    assert!(is_known_partition("*"));
    assert!(is_known_partition("aws*"));
    assert!(!is_known_partition("error"));
    assert!(!is_known_partition(""));
}
