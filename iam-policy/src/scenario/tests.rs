use super::*;

const NATIVE: &str = r#"{
  "policies": {
    "read-reports": {"Version": "2012-10-17", "Statement": [
      {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
    ]},
    "boundary": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    ]}
  },
  "cases": [
    {
      "name": "alice reads a report",
      "principal": {"arn": "arn:aws:iam::111122223333:user/alice", "tags": {"team": "blue"}},
      "identity": ["read-reports"],
      "permissions_boundary": "boundary",
      "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::reports/q1.csv",
                  "time": "2024-05-01T10:00:00Z", "context": {"aws:SecureTransport": true}},
      "expect": "Allow"
    },
    {
      "name": "alice may not delete",
      "principal": "arn:aws:iam::111122223333:user/alice",
      "identity": ["read-reports", {"Statement": {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}}],
      "request": {"action": "s3:DeleteObject", "resource": "arn:aws:s3:::reports/q1.csv"},
      "expect": "ExplicitDeny"
    },
    {
      "name": "cross-account read needs the bucket",
      "principal": "arn:aws:iam::444455556666:user/erin",
      "identity": ["read-reports"],
      "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::reports/q1.csv",
                  "resource_account": "111122223333"},
      "expect": "ImplicitDeny",
      "expect_gate": "no-resource-allow"
    }
  ]
}"#;

fn scenarios(text: &str) -> Vec<Scenario> {
    parse_scenario_file(text)
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn native_file_runs_every_case() {
    let scenarios = scenarios(NATIVE);

    assert_eq!(scenarios.len(), 3);
    for scenario in &scenarios {
        let outcome = scenario.run();
        assert!(outcome.passed, "{}: {}", scenario.name, outcome.explanation);
    }
    assert_eq!(
        scenarios[1].principal_policies.identity[1].id,
        "identity[1]"
    );
}

#[test]
fn native_case_fails_on_wrong_expectation() {
    let text = NATIVE.replace(r#""expect": "Allow""#, r#""expect": "ImplicitDeny""#);

    let scenarios = scenarios(&text);

    assert!(!scenarios[0].run().passed);
}

#[test]
fn native_case_fails_on_wrong_gate() {
    let text = NATIVE.replace("no-resource-allow", "scp");

    let scenarios = scenarios(&text);

    assert!(!scenarios[2].run().passed);
}

#[test]
fn native_file_rejects_bad_shapes() {
    for text in ["[]", "{}", r#"{"cases": {}}"#, "not json"] {
        assert!(
            matches!(
                parse_scenario_file(text),
                Err(PolicyError::InvalidScenario { .. })
            ),
            "{text}"
        );
    }
}

#[test]
fn native_case_errors_name_the_problem() {
    let cases = [
        (
            r#"{"name":"a","principal":"arn:aws:iam::111122223333:user/a","request":{"action":"s3:X"},"expect":"Allow","extra":1}"#,
            "unknown field `extra`",
        ),
        (
            r#"{"name":"a","principal":"arn:aws:iam::111122223333:user/a","identity":["nope"],"request":{"action":"s3:X"},"expect":"Allow"}"#,
            "unknown policy `nope`",
        ),
        (
            r#"{"name":"a","principal":"arn:aws:iam::111122223333:user/a","request":{"action":"s3:X"},"expect":"Maybe"}"#,
            "unknown decision `Maybe`",
        ),
        (
            r#"{"name":"a","principal":"bob","request":{"action":"s3:X"},"expect":"Allow"}"#,
            "invalid principal `bob`",
        ),
        (
            r#"{"name":"a","principal":"arn:aws:iam::111122223333:user/a","expect":"Allow"}"#,
            "missing `request`",
        ),
        (
            r#"{"name":"a","principal":"arn:aws:iam::111122223333:user/a","request":{"action":"s3:X","time":"noon"},"expect":"Allow"}"#,
            "invalid `request.time` `noon`",
        ),
        (
            r#"{"name":"a","principal":"arn:aws:iam::111122223333:user/a","resource_policy":"p","trust_policy":"p","request":{"action":"s3:X"},"expect":"Allow"}"#,
            "not both",
        ),
        (
            r#"{"name":"a","principal":{"arn":"arn:aws:iam::111122223333:user/a","tags":{"team":1}},"request":{"action":"s3:X"},"expect":"Allow"}"#,
            "expected tag `team` to be a string",
        ),
        (
            r#"{"name":"a","principal":"arn:aws:iam::111122223333:user/a","request":{"action":"s3:X","resource_account":"12"},"expect":"Allow"}"#,
            "invalid account id `12`",
        ),
        (
            r#"{"name":"a","principal":"arn:aws:iam::111122223333:user/a","identity":[{"Statement":[]}],"request":{"action":"s3:X"},"expect":"Allow"}"#,
            "does not parse",
        ),
    ];

    for (case, expected) in cases {
        let policies = r#"{"p":{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}}"#;
        let text = format!(r#"{{"policies":{policies},"cases":[{case}]}}"#);
        let results = parse_scenario_file(&text).unwrap();
        let error = results.into_iter().next().unwrap().unwrap_err().to_string();
        assert!(
            error.contains(expected),
            "{error} should contain {expected}"
        );
    }
}

#[test]
fn copilot_reader_skips_discovery_cases() {
    let text = r#"[
      {"name": "strict", "request": {"action": "s3:GetObject", "resource": {"resource": "*", "accountId": "123456789012"},
        "principal": "arn:aws:iam::123456789012:user/u"}, "identityPolicies": [], "expected": {"response": "ImplicitlyDenied"}},
      {"name": "discovery", "simulation": {"mode": "Discovery"}, "request": {"action": "s3:GetObject",
        "resource": {"resource": "*", "accountId": "123456789012"}, "principal": "arn:aws:iam::123456789012:user/u"},
        "identityPolicies": [], "expected": {"response": "Allowed"}}
    ]"#;

    let cases = parse_copilot_file(text).unwrap();

    assert_eq!(cases.len(), 1);
    let scenario = cases.into_iter().next().unwrap().unwrap();
    assert_eq!(scenario.name, "strict");
    assert!(scenario.run().passed);
}

#[test]
fn copilot_reader_reads_shorthand_principal() {
    let text = r#"[{"name": "bare principal", "request": {"action": "s3:GetObject",
        "resource": {"resource": "arn:aws:s3:::b/k", "accountId": "123456789012"},
        "principal": "arn:aws:iam::123456789012:user/u"},
      "identityPolicies": [],
      "resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": "arn:aws:iam::123456789012:user/u", "Action": "s3:GetObject", "Resource": "*"}]},
      "expected": {"response": "Allowed"}}]"#;

    let scenario = parse_copilot_file(text)
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
        .unwrap();

    assert!(scenario.run().passed);
}

#[test]
fn copilot_reader_reads_empty_statement_list() {
    let text = r#"[{"name": "empty scp", "request": {"action": "s3:GetObject",
        "resource": {"resource": "*", "accountId": "123456789012"}, "principal": "arn:aws:iam::123456789012:user/u"},
      "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}],
      "serviceControlPolicies": [{"orgIdentifier": "r-root", "policies": [{"Version": "2012-10-17", "Statement": []}]}],
      "expected": {"response": "ImplicitlyDenied"}}]"#;

    let scenario = parse_copilot_file(text)
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    let outcome = scenario.run();

    assert!(outcome.passed);
    assert_eq!(
        outcome.explanation.gate,
        Some(Gate::Scp {
            level: "r-root".to_owned()
        })
    );
}

#[test]
fn copilot_reader_rejects_non_list() {
    assert!(parse_copilot_file("{}").is_err());
}

#[test]
fn explanation_display_names_gate_and_statements() {
    let scenario = scenarios(NATIVE).remove(0);

    let text = scenario.run().explanation.to_string();

    assert!(text.starts_with("Allow"), "{text}");
    assert!(
        text.contains("Identity policy `read-reports`, statement 0 (Sid `Read`)"),
        "{text}"
    );
}
