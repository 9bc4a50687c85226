use super::*;

fn findings(text: &str, kind: PolicyKind) -> Vec<Finding> {
    check_policy(text, &ValidationOptions::new(kind, None))
        .unwrap_or_else(|error| panic!("`{text}` should reach validation: {error}"))
        .findings
}

fn first_message(text: &str, kind: PolicyKind) -> String {
    findings(text, kind)
        .first()
        .map(|finding| finding.message.clone())
        .unwrap_or_else(|| panic!("`{text}` should be rejected as {kind:?}"))
}

fn accepted(text: &str, kind: PolicyKind) -> bool {
    findings(text, kind).is_empty()
}

const IDENTITY: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
    "Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;

#[test]
fn identity_policy_rules() {
    assert!(accepted(IDENTITY, PolicyKind::Identity));
    assert!(accepted(IDENTITY, PolicyKind::PermissionsBoundary));
    assert!(accepted(IDENTITY, PolicyKind::Session));

    let with_principal = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*",
        "Action":"s3:GetObject","Resource":"*"}}"#;
    assert_eq!(
        first_message(with_principal, PolicyKind::Identity),
        "Policy document should not specify a principal."
    );
    let finding = &findings(with_principal, PolicyKind::Identity)[0];
    assert_eq!(finding.kind, FindingKind::ForbiddenElement);
    assert_eq!(finding.span.path, "$.Statement.Principal");
    assert_eq!(finding.span.line, 1);

    let no_resource =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject"}}"#;
    assert_eq!(
        first_message(no_resource, PolicyKind::Session),
        "Policy statement must contain resources."
    );
}

#[test]
fn version_required_only_outside_resource_policies() {
    let old = r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":"*",
        "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
    assert!(accepted(old, PolicyKind::Resource));
    let old_identity = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Session,
    ] {
        let first = &findings(old_identity, kind)[0];
        assert_eq!(first.kind, FindingKind::Version, "{kind:?}");
    }
    assert_eq!(
        first_message(old_identity, PolicyKind::Identity),
        "Policy document must be version 2012-10-17 or greater."
    );
}

#[test]
fn trust_policy_rules() {
    assert!(accepted(TRUST, PolicyKind::Trust));

    let without_principal =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}"#;
    assert_eq!(
        first_message(without_principal, PolicyKind::Trust),
        "Missing required field Principal"
    );

    let with_resource = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*",
        "Action":"sts:AssumeRole","Resource":"*"}}"#;
    assert_eq!(
        first_message(with_resource, PolicyKind::Trust),
        "Has prohibited field Resource."
    );

    let not_principal = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny",
        "NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}"#;
    assert_eq!(
        first_message(not_principal, PolicyKind::Trust),
        "Has prohibited field NotPrincipal."
    );
}

#[test]
fn resource_policy_rules() {
    let not_principal_allow = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
        "NotPrincipal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"arn:aws:s3:::b"}}"#;
    let finding = &findings(not_principal_allow, PolicyKind::Resource)[0];
    assert_eq!(finding.kind, FindingKind::UnsupportedValue);
    assert_eq!(finding.span.path, "$.Statement.NotPrincipal");

    let not_principal_deny = not_principal_allow.replace("\"Allow\"", "\"Deny\"");
    assert!(accepted(&not_principal_deny, PolicyKind::Resource));

    let without_principal = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
        "Action":"s3:*","Resource":"arn:aws:s3:::b"}}"#;
    assert_eq!(
        findings(without_principal, PolicyKind::Resource)[0].kind,
        FindingKind::MissingElement
    );
}

#[test]
fn principal_values_checked_in_resource_and_trust_policies() {
    let valid = [
        r#"{"AWS":"*"}"#,
        r#"{"AWS":"123456789012"}"#,
        r#"{"AWS":["arn:aws:iam::123456789012:root","arn:aws:sts::123456789012:assumed-role/r/s"]}"#,
        r#"{"AWS":"arn:aws-cn:iam::123456789012:user/path/alice"}"#,
        r#"{"Service":["ec2.amazonaws.com","states.eu-west-1.amazonaws.com"]}"#,
        r#"{"Federated":"arn:aws:iam::123456789012:saml-provider/idp"}"#,
        r#"{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#,
    ];
    let invalid = [
        (
            r#"{"AWS":"ACCOUNT-ID"}"#,
            "Invalid principal in policy: \"AWS\":\"ACCOUNT-ID\"",
        ),
        (
            r#"{"AWS":"12345678901"}"#,
            "Invalid principal in policy: \"AWS\":\"12345678901\"",
        ),
        (
            r#"{"AWS":" arn:aws:iam::123456789012:root"}"#,
            "Invalid principal in policy: \"AWS\":\" arn:aws:iam::123456789012:root\"",
        ),
        (
            r#"{"Service":"EC2 service"}"#,
            "Invalid principal in policy: \"Service\":\"EC2 service\"",
        ),
        (
            r#"{"Federated":""}"#,
            "Invalid principal in policy: \"Federated\":\"\"",
        ),
    ];
    for principal in valid {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}}}"#
        );
        assert!(accepted(&text, PolicyKind::Trust), "{principal}");
        assert!(accepted(&text, PolicyKind::Resource), "{principal}");
    }
    for (principal, message) in invalid {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}}}"#
        );
        let finding = &findings(&text, PolicyKind::Trust)[0];
        assert_eq!(finding.kind, FindingKind::InvalidPrincipal, "{principal}");
        assert_eq!(finding.message, message);
        assert_eq!(first_message(&text, PolicyKind::Resource), message);
    }
}

#[test]
fn trust_policy_principal_arns_checked_strictly() {
    let loose_arns = [
        "arn:aws:s3:::bucket",
        "arn:aws:iam::*:root",
        "arn:aws:iam::cloudfront:user/x",
    ];
    for arn in loose_arns {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{{"AWS":"{arn}"}},"Action":"sts:AssumeRole"}}}}"#
        );
        assert_eq!(
            findings(&text, PolicyKind::Trust)[0].kind,
            FindingKind::InvalidPrincipal,
            "{arn}"
        );
        assert!(accepted(&text, PolicyKind::Resource), "{arn}");
    }
}

#[test]
fn scp_rules() {
    let deny = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*",
        "Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}}"#;
    assert!(accepted(deny, PolicyKind::Scp));

    let with_principal = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*",
        "Action":"*","Resource":"*"}}"#;
    let finding = &findings(with_principal, PolicyKind::Scp)[0];
    assert_eq!(finding.kind, FindingKind::ForbiddenElement);
    assert_eq!(finding.message, ORGANIZATIONS_MESSAGE);
}

#[test]
fn rcp_rules() {
    let deny = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*",
        "Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}}"#;
    assert!(accepted(deny, PolicyKind::Rcp));

    let allow = deny.replace("\"Deny\"", "\"Allow\"");
    let finding = &findings(&allow, PolicyKind::Rcp)[0];
    assert_eq!(finding.kind, FindingKind::UnsupportedValue);
    assert_eq!(finding.span.path, "$.Statement.Effect");
    let managed = ValidationOptions {
        aws_managed: true,
        ..ValidationOptions::new(PolicyKind::Rcp, None)
    };
    assert!(validate_policy(&allow, &managed).is_ok());

    let named_principal = deny.replace("\"Principal\":\"*\"", "\"Principal\":{\"AWS\":\"*\"}");
    assert_eq!(
        findings(&named_principal, PolicyKind::Rcp)[0].kind,
        FindingKind::UnsupportedValue
    );

    let not_action = deny.replace("\"Action\"", "\"NotAction\"");
    assert_eq!(
        findings(&not_action, PolicyKind::Rcp)[0].kind,
        FindingKind::ForbiddenElement
    );

    let without_principal = deny.replace("\"Principal\":\"*\",", "");
    assert_eq!(
        findings(&without_principal, PolicyKind::Rcp)[0].kind,
        FindingKind::MissingElement
    );
}

#[test]
fn miscased_operator_rejected_by_iam_only() {
    let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*",
        "Action":"s3:*","Resource":"*","Condition":{"stringEquals":{"aws:username":"a"}}}}"#;
    let finding = &findings(text, PolicyKind::Resource)[0];
    assert_eq!(finding.kind, FindingKind::Syntax);
    assert_eq!(finding.span.path, "$.Statement.Condition.stringEquals");
    assert!(accepted(text, PolicyKind::Rcp));
}

#[test]
fn findings_keep_aws_order() {
    // Legacy parsing outranks the duplicate Sid, which outranks the missing action.
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"a","Effect":"aLLow","Action":"s3:GetObject","Resource":"*"},
        {"Sid":"a","Effect":"Allow"}]}"#;
    let kinds: Vec<FindingKind> = findings(text, PolicyKind::Identity)
        .iter()
        .map(|finding| finding.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            FindingKind::LegacyParsing,
            FindingKind::DuplicateSid,
            FindingKind::MissingActions,
            FindingKind::MissingResources
        ]
    );
}

#[test]
fn sid_must_be_alphanumeric_outside_resource_policies() {
    let text = r#"{"Version":"2012-10-17","Statement":{"Sid":"Allow reads","Effect":"Allow",
        "Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
    assert!(accepted(text, PolicyKind::Resource));

    let identity = text.replace("\"Principal\":\"*\",", "");
    let finding = &findings(&identity, PolicyKind::Identity)[0];
    assert_eq!(finding.kind, FindingKind::InvalidSid);
    assert_eq!(finding.span.path, "$.Statement.Sid");
    assert_eq!(
        finding.message,
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular \
         expression [0-9A-Za-z]*"
    );
}

#[test]
fn empty_sids_may_repeat() {
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
        {"Sid":"","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#;
    assert!(accepted(text, PolicyKind::Identity));
}

#[test]
fn resource_format_messages() {
    let cases = [
        ("*", None),
        ("arn:aws:s3:::b/*", None),
        ("arn:*:kms:*:*:key/*", None),
        ("arn:aws:iam::*:root", None),
        ("arn:aws:iam::123456789012:assumed-role/r/s", None),
        ("arn:aws:s3:us-west-2:123456789012:accesspoint/ap", None),
        (
            "bucket",
            Some("Resource bucket must be in ARN format or \"*\"."),
        ),
        (
            "aws:s3:::b",
            Some("Partition \"s3\" is not valid for resource \"arn:s3:::b:*\"."),
        ),
        (
            "x:aws:s3:::b",
            Some("Resource x:aws:s3:::b must be in ARN format or \"*\"."),
        ),
        (
            "arn:nope:s3:::b",
            Some("Partition \"nope\" is not valid for resource \"arn:nope:s3:::b\"."),
        ),
        (
            "arn:aws",
            Some("Resource vendor must be fully qualified and cannot contain regexes."),
        ),
        (
            "arn:aws:s*:::b",
            Some("Resource vendor must be fully qualified and cannot contain regexes."),
        ),
        (
            "arn:aws:iam:us-east-1::user/a",
            Some("IAM resource arn:aws:iam:us-east-1::user/a cannot contain region information."),
        ),
        (
            "arn:aws:s3:us-east-1::b",
            Some("Resource arn:aws:s3:us-east-1::b can not contain region information."),
        ),
    ];
    for (resource, expected) in cases {
        let message = resource_format_problem(resource).map(|(message, _)| message);
        assert_eq!(message.as_deref(), expected, "{resource}");
    }
    let (message, _) = resource_format_problem("arn:aws:iam::1:bucket").expect("rejected");
    assert!(message.starts_with("IAM resource path must either be \"*\" or start with user/"));
}

#[test]
fn action_format_messages() {
    let cases = [
        ("*", None),
        ("s3:GetObject", None),
        ("s3-s.x_y:Get*", None),
        ("iam: odd spacing ", None),
        (
            "GetObject",
            Some("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
        ),
        (
            "",
            Some("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
        ),
        (
            "s3:Get:Object",
            Some("Actions/Condition can contain only one colon."),
        ),
        ("a a:Get", Some("Vendor a a is not valid")),
        (":Get", Some("Vendor  is not valid")),
    ];
    for (action, expected) in cases {
        let message = action_format_problem(action).map(|(message, _)| message);
        assert_eq!(message.as_deref(), expected, "{action:?}");
    }
}

#[test]
fn size_counts_like_aws() {
    let pretty = "{\n  \"Sid\": \"a b\",\n\t\"x\": \"\\\" \"\n}";
    assert_eq!(
        policy_size(pretty, false),
        "{\"Sid\":\"a b\",\"x\":\"\\\" \"}".len()
    );
    assert_eq!(policy_size(pretty, true), pretty.chars().count());
    assert_eq!(policy_size("\"é\"", false), 3);
}

#[test]
fn size_quota_enforced_unless_aws_managed() {
    let padding = "a".repeat(2_100);
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Sid":"{padding}","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}}}"#
    );
    let inline =
        ValidationOptions::new(PolicyKind::Identity, Some(SizeQuota::USER_INLINE_POLICIES));
    assert!(matches!(
        validate_policy(&text, &inline),
        Err(PolicyError::SizeQuotaExceeded { quota: 2_048, .. })
    ));

    let managed = ValidationOptions::new(PolicyKind::Identity, Some(SizeQuota::MANAGED_POLICY));
    assert!(validate_policy(&text, &managed).is_ok());

    let aws_managed = ValidationOptions {
        aws_managed: true,
        ..inline
    };
    assert!(validate_policy(&text, &aws_managed).is_ok());
}

#[test]
fn syntax_error_has_no_document() {
    let validation = check_policy("{", &ValidationOptions::new(PolicyKind::Identity, None))
        .expect("a syntax error is a finding");
    assert!(validation.document.is_none());
    assert_eq!(validation.findings.len(), 1);
    assert_eq!(validation.findings[0].message, "Syntax errors in policy.");
}

#[test]
fn findings_for_many_problems_snapshot() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read-Only", "Effect": "Allow", "Action": "s3:Get:Object", "Resource": "bucket"},
    {"Sid": "Read-Only", "Effect": "Deny", "Principal": "*", "Action": "GetObject"},
    {"Effect": "Allow", "Resource": "arn:aws:iam:us-east-1::user/alice",
     "Condition": {"stringEquals": {"aws:username": "alice"}}}
  ]
}"#;

    let rendered: Vec<String> = findings(text, PolicyKind::Identity)
        .iter()
        .map(|finding| {
            format!(
                "{:?} at {} line {} column {}\n  message: {}\n  detail: {}",
                finding.kind,
                finding.span.path,
                finding.span.line,
                finding.span.column,
                finding.message,
                finding.detail
            )
        })
        .collect();

    insta::assert_snapshot!(rendered.join("\n"));
}
