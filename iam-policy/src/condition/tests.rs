use super::*;
use crate::compile::Binder;
use crate::context::{ContextKeys, ContextValue, RequestContext, RequestPrincipal};
use crate::document::PolicyDocument;

fn compile(condition_block: &str, version: &str) -> Vec<CompiledCondition> {
    let text = format!(
        r#"{{"Version":"{version}","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition_block}}}]}}"#
    );
    let document = PolicyDocument::parse(&text).unwrap();
    let variables = version == "2012-10-17";
    document.statements[0]
        .conditions
        .iter()
        .map(|condition| CompiledCondition::compile(condition, variables, &Binder::new(None)))
        .collect()
}

fn request(context: &[(&str, ContextValue)]) -> RequestContext {
    let mut keys = ContextKeys::new();
    for (key, value) in context {
        keys.insert(key, value.clone());
    }
    let alice = RequestPrincipal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
    RequestContext::new(alice, "s3:GetObject", "*", None, None, keys)
}

/// Evaluates a condition block in a `2012-10-17` document against a context.
fn holds(condition_block: &str, context: &[(&str, ContextValue)]) -> bool {
    holds_in(condition_block, "2012-10-17", context)
}

fn holds_in(condition_block: &str, version: &str, context: &[(&str, ContextValue)]) -> bool {
    let request = request(context);
    let env = Env {
        request: &request,
        bound: false,
        has_boundary: false,
    };
    compile(condition_block, version)
        .iter()
        .all(|condition| condition.evaluate(&env, &mut |_| {}))
}

fn one(value: &str) -> ContextValue {
    ContextValue::single(value)
}

#[test]
fn string_equals_is_case_sensitive() {
    let block = r#"{"StringEquals":{"aws:PrincipalTag/team":["blue","red"]}}"#;

    assert!(holds(block, &[("aws:PrincipalTag/team", one("red"))]));
    assert!(!holds(block, &[("aws:PrincipalTag/team", one("Red"))]));
    assert!(!holds(block, &[]));
}

#[test]
fn condition_key_names_ignore_case() {
    let block = r#"{"StringEquals":{"AWS:PRINCIPALTAG/Team":"blue"}}"#;

    assert!(holds(block, &[("aws:principaltag/team", one("blue"))]));
}

#[test]
fn string_equals_ignore_case_folds_unicode() {
    let block = r#"{"StringEqualsIgnoreCase":{"s3:prefix":"ÉTÉ"}}"#;

    assert!(holds(block, &[("s3:prefix", one("été"))]));
    assert!(!holds(block, &[("s3:prefix", one("ete"))]));
}

#[test]
fn string_not_equals_nors_policy_values() {
    let block = r#"{"StringNotEquals":{"aws:PrincipalTag/role":["audit","security"]}}"#;

    assert!(holds(block, &[("aws:PrincipalTag/role", one("dev"))]));
    assert!(!holds(block, &[("aws:PrincipalTag/role", one("audit"))]));
    assert!(!holds(block, &[("aws:PrincipalTag/role", one("security"))]));
}

#[test]
fn negated_operator_holds_for_absent_key() {
    assert!(holds(
        r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}"#,
        &[]
    ));
    assert!(holds(
        r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
        &[]
    ));
    assert!(holds(r#"{"ArnNotLike":{"aws:SourceArn":"arn:*"}}"#, &[]));
}

#[test]
fn if_exists_holds_for_absent_key() {
    let block = r#"{"StringEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}"#;

    assert!(holds(block, &[]));
    assert!(holds(block, &[("aws:RequestedRegion", one("eu-west-1"))]));
    assert!(!holds(block, &[("aws:RequestedRegion", one("us-east-1"))]));
}

#[test]
fn string_like_matches_wildcards() {
    let block = r#"{"StringLike":{"s3:prefix":["home/*","shared/??"]}}"#;

    assert!(holds(block, &[("s3:prefix", one("home/alice/notes"))]));
    assert!(holds(block, &[("s3:prefix", one("shared/ab"))]));
    assert!(!holds(block, &[("s3:prefix", one("shared/abc"))]));
    assert!(!holds(
        r#"{"StringNotLike":{"s3:prefix":"home/*"}}"#,
        &[("s3:prefix", one("home/x"))]
    ));
}

#[test]
fn string_equals_treats_star_literally() {
    let block = r#"{"StringEquals":{"s3:prefix":"home/*"}}"#;

    assert!(holds(block, &[("s3:prefix", one("home/*"))]));
    assert!(!holds(block, &[("s3:prefix", one("home/alice"))]));
}

#[test]
fn numeric_operators_compare_numbers() {
    let context = [("aws:MultiFactorAuthAge", one("3600"))];

    assert!(holds(
        r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"3601"}}"#,
        &context
    ));
    assert!(!holds(
        r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#,
        &context
    ));
    assert!(holds(
        r#"{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":3600}}"#,
        &context
    ));
    assert!(holds(
        r#"{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"100.5"}}"#,
        &context
    ));
    assert!(holds(
        r#"{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"3600"}}"#,
        &context
    ));
    assert!(holds(
        r#"{"NumericEquals":{"aws:MultiFactorAuthAge":"3600.0"}}"#,
        &context
    ));
    assert!(holds(
        r#"{"NumericNotEquals":{"aws:MultiFactorAuthAge":"1"}}"#,
        &context
    ));
}

#[test]
fn numeric_operator_rejects_unparsable_request_value() {
    let context = [("aws:MultiFactorAuthAge", one("soon"))];

    assert!(!holds(
        r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"10"}}"#,
        &context
    ));
}

#[test]
fn date_operators_accept_iso_and_epoch() {
    let context = [("aws:CurrentTime", one("2024-06-01T12:00:00Z"))];

    assert!(holds(
        r#"{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}"#,
        &context
    ));
    assert!(holds(
        r#"{"DateLessThan":{"aws:CurrentTime":"2025-01-01"}}"#,
        &context
    ));
    assert!(holds(
        r#"{"DateGreaterThanEquals":{"aws:CurrentTime":"1717243200"}}"#,
        &context
    ));
    assert!(holds(
        r#"{"DateEquals":{"aws:CurrentTime":"2024-06-01T14:00:00+02:00"}}"#,
        &context
    ));
    assert!(!holds(
        r#"{"DateNotEquals":{"aws:CurrentTime":"2024-06-01T12:00:00"}}"#,
        &context
    ));
    assert!(holds(
        r#"{"DateLessThanEquals":{"aws:EpochTime":"2024-06-01T12:00:00Z"}}"#,
        &[("aws:EpochTime", one("1717243200"))]
    ));
}

#[test]
fn bool_ignores_case_and_not_absence() {
    let block = r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#;

    assert!(holds(
        block,
        &[("aws:MultiFactorAuthPresent", one("FALSE"))]
    ));
    assert!(!holds(
        block,
        &[("aws:MultiFactorAuthPresent", one("true"))]
    ));
    assert!(!holds(block, &[]));
    assert!(holds(
        r#"{"Bool":{"aws:SecureTransport":true}}"#,
        &[("aws:SecureTransport", one("true"))]
    ));
}

#[test]
fn binary_equals_compares_decoded_bytes() {
    let block = r#"{"BinaryEquals":{"s3:x-amz-key":"QmluYXJ5"}}"#;

    assert!(holds(block, &[("s3:x-amz-key", one("QmluYXJ5"))]));
    assert!(!holds(block, &[("s3:x-amz-key", one("QmluYXJz"))]));
    assert!(!holds(block, &[("s3:x-amz-key", one("not base64!"))]));
}

#[test]
fn ip_address_checks_ipv4_and_ipv6_ranges() {
    let block =
        r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32","198.51.100.7"]}}"#;

    assert!(holds(block, &[("aws:SourceIp", one("203.0.113.9"))]));
    assert!(holds(block, &[("aws:SourceIp", one("2001:db8:1::5"))]));
    assert!(holds(block, &[("aws:SourceIp", one("198.51.100.7"))]));
    assert!(!holds(block, &[("aws:SourceIp", one("198.51.100.8"))]));
    assert!(!holds(block, &[("aws:SourceIp", one("not an address"))]));
    assert!(holds(
        r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
        &[("aws:SourceIp", one("192.0.2.1"))]
    ));
}

#[test]
fn arn_like_matches_field_by_field() {
    let block = r#"{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111122223333:topic-*"}}"#;

    assert!(holds(
        block,
        &[(
            "aws:SourceArn",
            one("arn:aws:sns:eu-west-1:111122223333:topic-a")
        )]
    ));
    assert!(!holds(
        block,
        &[(
            "aws:SourceArn",
            one("arn:aws:sns:eu-west-1:444455556666:topic-a")
        )]
    ));
    assert!(!holds(block, &[("aws:SourceArn", one("not-an-arn"))]));
    // A wildcard stays inside its field, so it cannot swallow a colon.
    let per_field = r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:*:topic"}}"#;
    assert!(holds(
        per_field,
        &[(
            "aws:SourceArn",
            one("arn:aws:sns:eu-west-1:111122223333:topic")
        )]
    ));
    assert!(!holds(
        per_field,
        &[(
            "aws:SourceArn",
            one("arn:aws:sns:eu-west-1:x:111122223333:topic")
        )]
    ));
    assert!(holds(
        r#"{"ArnLike":{"aws:SourceArn":"*"}}"#,
        &[("aws:SourceArn", one("arn:aws:s3:::b"))]
    ));
}

#[test]
fn null_tests_presence() {
    assert!(holds(r#"{"Null":{"aws:TokenIssueTime":"true"}}"#, &[]));
    assert!(!holds(
        r#"{"Null":{"aws:TokenIssueTime":"true"}}"#,
        &[("aws:TokenIssueTime", one("x"))]
    ));
    assert!(holds(
        r#"{"Null":{"aws:TokenIssueTime":"false"}}"#,
        &[("aws:TokenIssueTime", one("x"))]
    ));
    assert!(holds(
        r#"{"Null":{"aws:TagKeys":"true"}}"#,
        &[("aws:TagKeys", ContextValue::list(Vec::<String>::new()))]
    ));
}

#[test]
fn for_all_values_accepts_absent_key() {
    let block = r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["team","cost-center"]}}"#;

    assert!(holds(block, &[]));
    assert!(holds(
        block,
        &[("aws:TagKeys", ContextValue::list(Vec::<String>::new()))]
    ));
    assert!(holds(
        block,
        &[("aws:TagKeys", ContextValue::list(["team"]))]
    ));
    assert!(!holds(
        block,
        &[("aws:TagKeys", ContextValue::list(["team", "owner"]))]
    ));
}

#[test]
fn for_any_value_fails_for_absent_key() {
    let block = r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}"#;

    assert!(!holds(block, &[]));
    assert!(holds(
        block,
        &[("aws:TagKeys", ContextValue::list(["owner", "team"]))]
    ));
    assert!(!holds(
        block,
        &[("aws:TagKeys", ContextValue::list(["owner"]))]
    ));
    assert!(holds(
        r#"{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"team"}}"#,
        &[]
    ));
}

#[test]
fn negated_set_operators_apply_per_value() {
    let all = r#"{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}"#;
    let any = r#"{"ForAnyValue:StringNotLike":{"aws:TagKeys":["team*"]}}"#;

    assert!(holds(
        all,
        &[("aws:TagKeys", ContextValue::list(["a", "b"]))]
    ));
    assert!(!holds(
        all,
        &[("aws:TagKeys", ContextValue::list(["a", "secret"]))]
    ));
    assert!(holds(
        any,
        &[("aws:TagKeys", ContextValue::list(["team-a", "owner"]))]
    ));
    assert!(!holds(
        any,
        &[("aws:TagKeys", ContextValue::list(["team-a"]))]
    ));
}

#[test]
fn multivalued_key_without_qualifier_matches_any_value() {
    let positive = r#"{"StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}"#;
    let negated = r#"{"StringNotEquals":{"aws:CalledVia":"athena.amazonaws.com"}}"#;
    let called_via = ContextValue::list(["glue.amazonaws.com", "athena.amazonaws.com"]);

    assert!(holds(positive, &[("aws:CalledVia", called_via.clone())]));
    assert!(!holds(negated, &[("aws:CalledVia", called_via)]));
}

#[test]
fn several_keys_and_operators_are_anded() {
    let block = r#"{"StringEquals":{"aws:PrincipalTag/team":"blue","aws:RequestedRegion":"eu-west-1"},"Bool":{"aws:SecureTransport":"true"}}"#;
    let all = [
        ("aws:PrincipalTag/team", one("blue")),
        ("aws:RequestedRegion", one("eu-west-1")),
        ("aws:SecureTransport", one("true")),
    ];

    assert!(holds(block, &all));
    assert!(!holds(block, &all[..2]));
}

#[test]
fn variables_in_values_are_substituted() {
    let block = r#"{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}"#;

    assert!(holds(block, &[("s3:prefix", one("home/alice/x"))]));
    assert!(!holds(block, &[("s3:prefix", one("home/bob/x"))]));
    assert!(holds_in(
        block,
        "2008-10-17",
        &[("s3:prefix", one("home/${aws:username}/x"))]
    ));
    assert!(!holds_in(
        block,
        "2008-10-17",
        &[("s3:prefix", one("home/alice/x"))]
    ));
}

#[test]
fn unresolved_variable_matches_nothing() {
    let block = r#"{"StringEquals":{"s3:prefix":"${aws:PrincipalTag/none}"}}"#;

    assert!(!holds(block, &[("s3:prefix", one(""))]));
    assert!(!holds(
        block,
        &[("s3:prefix", one("${aws:PrincipalTag/none}"))]
    ));
}

#[test]
fn missing_keys_are_reported() {
    let request = request(&[]);
    let env = Env {
        request: &request,
        bound: false,
        has_boundary: false,
    };
    let conditions = compile(
        r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
        "2012-10-17",
    );
    let mut missing = Vec::new();

    let result = conditions[0].evaluate(&env, &mut |key: &str| missing.push(key.to_owned()));

    assert!(!result);
    assert_eq!(missing, ["aws:sourcevpc"]);
}

#[test]
fn parse_date_accepts_documented_forms() {
    let expected: Timestamp = "2024-06-01T00:00:00Z".parse().unwrap();

    assert_eq!(parse_date("2024-06-01"), Some(expected));
    assert_eq!(parse_date("2024-06-01T00:00:00"), Some(expected));
    assert_eq!(parse_date("1717200000"), Some(expected));
    assert_eq!(parse_date("2024-06-01T02:00:00+02:00"), Some(expected));
    assert_eq!(parse_date("June 1st"), None);
}
