use super::*;
use crate::document::{BaseOperator, SetQualifier};
use crate::finding::FindingKind;

fn parse_ok(text: &str) -> PolicyDocument {
    PolicyDocument::parse(text).unwrap_or_else(|error| panic!("`{text}` should parse: {error}"))
}

fn parse_err(text: &str) -> Finding {
    match PolicyDocument::parse(text) {
        Err(PolicyError::Malformed(finding)) => *finding,
        other => panic!("`{text}` should be rejected, got {other:?}"),
    }
}

fn strings(values: &[Spanned<String>]) -> Vec<&str> {
    values.iter().map(|value| value.value.as_str()).collect()
}

#[test]
fn single_statement_object_parses() {
    let document = parse_ok(
        r#"{"Version":"2012-10-17","Id":"p1","Statement":{"Sid":"S","Effect":"Allow",
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
    );

    assert_eq!(
        document.version.as_ref().map(|v| v.value),
        Some(Version::V2012_10_17)
    );
    assert_eq!(document.id.as_ref().map(|id| id.value.as_str()), Some("p1"));
    assert_eq!(document.statements.len(), 1);
    let statement = &document.statements[0];
    assert_eq!(statement.span.path, "$.Statement");
    assert_eq!(
        statement.sid.as_ref().map(|sid| sid.value.as_str()),
        Some("S")
    );
    assert_eq!(statement.effect.value, Effect::Allow);
    assert_eq!(statement.action.kind, ActionKind::Action);
    assert_eq!(strings(&statement.action.values), ["s3:GetObject"]);
    let resource = statement.resource.as_ref().expect("resource");
    assert_eq!(resource.kind, ResourceKind::Resource);
    assert_eq!(strings(&resource.values), ["arn:aws:s3:::b/*"]);
    assert_eq!(resource.values[0].span.path, "$.Statement.Resource");
}

#[test]
fn statement_list_and_negated_blocks_parse() {
    let document = parse_ok(
        r#"{"Version":"2008-10-17","Statement":[
            {"Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":["arn:aws:iam::1:role/a"],
             "NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root"]}},
            {"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}]}"#,
    );

    assert_eq!(document.effective_version(), Version::V2008_10_17);
    let first = &document.statements[0];
    assert_eq!(first.span.path, "$.Statement[0]");
    assert_eq!(first.action.kind, ActionKind::NotAction);
    assert_eq!(strings(&first.action.values), ["iam:*", "sts:*"]);
    assert_eq!(
        first.action.values[1].span.path,
        "$.Statement[0].NotAction[1]"
    );
    let not_resource = first.resource.as_ref().expect("resource");
    assert_eq!(not_resource.kind, ResourceKind::NotResource);
    let principal = first.principal.as_ref().expect("principal");
    assert_eq!(principal.kind, PrincipalKind::NotPrincipal);
    let PrincipalValue::Map(entries) = &principal.value else {
        panic!("expected a principal map");
    };
    assert_eq!(entries[0].principal_type.value, PrincipalType::Aws);
    assert_eq!(
        strings(&entries[0].values),
        ["arn:aws:iam::111122223333:root"]
    );

    let second = &document.statements[1];
    let principal = second.principal.as_ref().expect("principal");
    assert_eq!(principal.value, PrincipalValue::Any);
}

#[test]
fn absent_version_means_2008() {
    let document = parse_ok(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#);
    assert!(document.version.is_none());
    assert_eq!(document.effective_version(), Version::V2008_10_17);
}

#[test]
fn principal_map_keeps_every_type() {
    let document = parse_ok(
        r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{
            "AWS":"123456789012","Service":["ec2.amazonaws.com"],
            "Federated":"cognito-identity.amazonaws.com","CanonicalUser":"abc"}}}"#,
    );
    let principal = document.statements[0]
        .principal
        .as_ref()
        .expect("principal");
    let PrincipalValue::Map(entries) = &principal.value else {
        panic!("expected a principal map");
    };
    let types: Vec<PrincipalType> = entries.iter().map(|e| e.principal_type.value).collect();
    assert_eq!(
        types,
        [
            PrincipalType::Aws,
            PrincipalType::Service,
            PrincipalType::Federated,
            PrincipalType::CanonicalUser
        ]
    );
}

#[test]
fn conditions_flatten_per_operator_and_key() {
    let document = parse_ok(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*",
            "Condition":{
              "StringEquals":{"aws:username":"alice","s3:prefix":["a","b"]},
              "ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"team*"},
              "NumericLessThan":{"s3:max-keys":10},
              "Bool":{"aws:SecureTransport":false},
              "Null":{"aws:TokenIssueTime":"true"},
              "DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}}"#,
    );
    let conditions = &document.statements[0].conditions;
    assert_eq!(conditions.len(), 7);

    assert_eq!(
        conditions[0].operator.value.base,
        BaseOperator::StringEquals
    );
    assert_eq!(conditions[0].key.value, "aws:username");
    assert_eq!(
        conditions[0].key.span.path,
        "$.Statement.Condition.StringEquals['aws:username']"
    );
    assert_eq!(conditions[1].values.len(), 2);
    assert_eq!(
        conditions[1].values[1].span.path,
        "$.Statement.Condition.StringEquals['s3:prefix'][1]"
    );

    let qualified = conditions[2].operator.value;
    assert_eq!(qualified.qualifier, Some(SetQualifier::ForAnyValue));
    assert_eq!(qualified.base, BaseOperator::StringLike);
    assert!(qualified.if_exists);

    assert_eq!(
        conditions[3].values[0].value,
        ConditionValue::Number("10".to_owned())
    );
    assert_eq!(conditions[4].values[0].value, ConditionValue::Bool(false));
    assert_eq!(
        conditions[5].values[0].value,
        ConditionValue::String("true".to_owned())
    );
}

#[test]
fn empty_operator_block_ignored_even_unknown() {
    let document = parse_ok(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*",
            "Condition":{"NoSuchOperator":{},"DateGreaterThan":{"a":[]}}}}"#,
    );
    let conditions = &document.statements[0].conditions;
    assert_eq!(conditions.len(), 1);
    assert!(conditions[0].values.is_empty());
}

#[test]
fn repeated_keys_keep_last_value() {
    let document = parse_ok(
        r#"{"Statement":{"Effect":"Deny","Effect":"Allow","Action":"a:b","Action":"c:d",
            "Resource":"*","Condition":{"StringEquals":{"k:x":"1","k:x":"2"}}}}"#,
    );
    let statement = &document.statements[0];
    assert_eq!(statement.effect.value, Effect::Allow);
    assert_eq!(strings(&statement.action.values), ["c:d"]);
    assert_eq!(statement.conditions.len(), 1);
    assert_eq!(
        statement.conditions[0].values[0].value,
        ConditionValue::String("2".to_owned())
    );
}

#[test]
fn missing_action_becomes_empty_action_list() {
    let document = parse_ok(r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#);
    let action = &document.statements[0].action;
    assert_eq!(action.kind, ActionKind::Action);
    assert!(action.values.is_empty());
    assert_eq!(action.span.path, "$.Statement");
}

#[test]
fn null_dropped_from_resource_list() {
    let document =
        parse_ok(r#"{"Statement":{"Effect":"Allow","Action":"a:b","Resource":["*",null]}}"#);
    let resource = document.statements[0].resource.as_ref().expect("resource");
    assert_eq!(strings(&resource.values), ["*"]);
}

#[test]
fn malformed_shapes_rejected_as_syntax_errors() {
    let cases = [
        (r#"[]"#, "$"),
        (r#"{"Version":"2012-10-17"}"#, "$"),
        (r#"{"Statement":[]}"#, "$.Statement"),
        (r#"{"Statement":["x"]}"#, "$.Statement[0]"),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"a:b"},"Extra":1}"#,
            "$.Extra",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","Extra":1}}"#,
            "$.Statement.Extra",
        ),
        (
            r#"{"Version":"2013-10-17","Statement":{"Effect":"Allow"}}"#,
            "$.Version",
        ),
        (
            r#"{"Version":20121017,"Statement":{"Effect":"Allow"}}"#,
            "$.Version",
        ),
        (r#"{"Id":[],"Statement":{"Effect":"Allow"}}"#, "$.Id"),
        (
            r#"{"Statement":{"Sid":{},"Effect":"Allow"}}"#,
            "$.Statement.Sid",
        ),
        (r#"{"Statement":{"Action":"a:b"}}"#, "$.Statement"),
        (r#"{"Statement":{"Effect":"Permit"}}"#, "$.Statement.Effect"),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","NotAction":"c:d"}}"#,
            "$.Statement.NotAction",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Resource":"*","NotResource":"*"}}"#,
            "$.Statement.NotResource",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":"*"}}"#,
            "$.Statement.NotPrincipal",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":[[]]}}"#,
            "$.Statement.Action[0]",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":{}}}"#,
            "$.Statement.Action",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":[null]}}"#,
            "$.Statement.Action[0]",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Resource":{"a":"b"}}}"#,
            "$.Statement.Resource",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Resource":null}}"#,
            "$.Statement.Resource",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::1:root"}}"#,
            "$.Statement.Principal",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Principal":{"User":"x"}}}"#,
            "$.Statement.Principal.User",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":1}}}"#,
            "$.Statement.Principal.AWS",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Condition":[]}}"#,
            "$.Statement.Condition",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Condition":{"StringEquals":"b"}}}"#,
            "$.Statement.Condition.StringEquals",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Condition":{"x":{"a":"1"}}}}"#,
            "$.Statement.Condition.x",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Condition":{"NullIfExists":{"a":"1"}}}}"#,
            "$.Statement.Condition.NullIfExists",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Condition":{"ForAnyValue::StringEquals":{"a":"1"}}}}"#,
            "$.Statement.Condition['ForAnyValue::StringEquals']",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Condition":{"StringEquals":{"a":{}}}}}"#,
            "$.Statement.Condition.StringEquals.a",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Condition":{"StringEquals":{"a":[null]}}}}"#,
            "$.Statement.Condition.StringEquals.a[0]",
        ),
    ];
    for (text, path) in cases {
        let finding = parse_err(text);
        assert_eq!(finding.kind, FindingKind::Syntax, "{text}: {finding}");
        assert_eq!(finding.message, "Syntax errors in policy.", "{text}");
        assert_eq!(finding.span.path, path, "{text}: {finding}");
    }
}

#[test]
fn legacy_problems_fail_parse() {
    let cases = [
        (
            r#"{"Statement":{"Effect":"aLLow","Action":"a:b","Resource":"*"}}"#,
            "$.Statement.Effect",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","Resource":"arn:aws:s3::b"}}"#,
            "$.Statement.Resource",
        ),
        (
            r#"{"Statement":{"Effect":"Allow","Condition":{"DateLessThan":{"a":["2020-01-01","x"]}}}}"#,
            "$.Statement.Condition.DateLessThan.a[1]",
        ),
    ];
    for (text, path) in cases {
        let finding = parse_err(text);
        assert_eq!(
            finding.kind,
            FindingKind::LegacyParsing,
            "{text}: {finding}"
        );
        assert_eq!(
            finding.message, "The policy failed legacy parsing",
            "{text}"
        );
        assert_eq!(finding.span.path, path, "{text}");
    }
}

#[test]
fn error_position_points_into_text() {
    let text = "{\n  \"Statement\": {\n    \"Effect\": \"Maybe\"\n  }\n}";
    let finding = parse_err(text);
    assert_eq!(finding.span.line, 3);
    assert_eq!(finding.span.column, 15);
    assert_eq!(
        &text[finding.span.offset..finding.span.offset + finding.span.len],
        "\"Maybe\""
    );
    assert_eq!(
        finding.to_string(),
        "invalid effect `Maybe`, expected `Allow` or `Deny` at $.Statement.Effect (line 3, column 15)"
    );
}

#[test]
fn miscased_operator_parses_and_is_recorded() {
    let text =
        r#"{"Statement":{"Effect":"Allow","Condition":{"ForAnyValue:Stringlike":{"a":"1"}}}}"#;

    let parsed = parse_document(text).expect("parses");

    let operator = parsed.document.statements[0].conditions[0].operator.value;
    assert_eq!(operator.qualifier, Some(SetQualifier::ForAnyValue));
    assert_eq!(operator.base, BaseOperator::StringLike);
    assert_eq!(parsed.miscased_operators.len(), 1);
    assert_eq!(parsed.miscased_operators[0].kind, FindingKind::Syntax);
    assert_eq!(
        parsed.miscased_operators[0].span.path,
        "$.Statement.Condition['ForAnyValue:Stringlike']"
    );
}
