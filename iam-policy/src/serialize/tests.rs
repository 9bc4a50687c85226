use proptest::prelude::*;

use super::*;
use crate::document::{
    ActionBlock, BaseOperator, ConditionOperator, Effect, OperatorFamily, PrincipalBlock,
    PrincipalEntry, PrincipalType, ResourceBlock, SetQualifier, Span, Version,
};

fn text() -> impl Strategy<Value = String> {
    // Quotes, backslashes, control characters and non-ASCII text exercise the escaping.
    proptest::string::string_regex("[a-zA-Z0-9:/*?$ {}\"\\\\\u{1}\t\né😀-]{0,12}")
        .expect("valid regex")
}

fn spanned_texts(max: usize) -> impl Strategy<Value = Vec<Spanned<String>>> {
    proptest::collection::vec(text().prop_map(Spanned::new), 0..max)
}

fn resources() -> impl Strategy<Value = Vec<Spanned<String>>> {
    // Resources stay well-formed ARNs, because malformed ones fail legacy parsing on purpose.
    let resource = prop_oneof![
        Just("*".to_owned()),
        text().prop_map(|t| format!("arn:aws:s3:::{t}"))
    ];
    proptest::collection::vec(resource.prop_map(Spanned::new), 0..4)
}

fn operator() -> impl Strategy<Value = ConditionOperator> {
    let qualifier = prop_oneof![
        Just(None),
        Just(Some(SetQualifier::ForAllValues)),
        Just(Some(SetQualifier::ForAnyValue))
    ];
    (
        qualifier,
        proptest::sample::select(BaseOperator::ALL),
        any::<bool>(),
    )
        .prop_map(|(qualifier, base, if_exists)| ConditionOperator {
            qualifier,
            base,
            if_exists: if_exists && base != BaseOperator::Null,
        })
}

fn condition_value(operator: ConditionOperator) -> BoxedStrategy<ConditionValue> {
    if operator.base.family() == OperatorFamily::Date {
        // Date values must pass legacy parsing to survive the round trip.
        return proptest::sample::select(vec!["2020-01-01T00:00:00Z", "1700000000", "2016-12"])
            .prop_map(|date| ConditionValue::String(date.to_owned()))
            .boxed();
    }
    prop_oneof![
        text().prop_map(ConditionValue::String),
        any::<i64>().prop_map(|number| ConditionValue::Number(number.to_string())),
        Just(ConditionValue::Number("-1.5e3".to_owned())),
        any::<bool>().prop_map(ConditionValue::Bool),
    ]
    .boxed()
}

/// Builds conditions grouped by operator with distinct keys, the shape that JSON can express.
fn conditions() -> impl Strategy<Value = Vec<Condition>> {
    proptest::collection::vec(operator(), 0..3).prop_flat_map(|operators| {
        let mut unique = Vec::new();
        for operator in operators {
            if !unique.contains(&operator) {
                unique.push(operator);
            }
        }
        let groups: Vec<_> = unique
            .into_iter()
            .map(|operator| {
                proptest::collection::btree_map(
                    text(),
                    proptest::collection::vec(condition_value(operator), 0..3),
                    1..3,
                )
                .prop_map(move |keys| {
                    keys.into_iter()
                        .map(|(key, values)| Condition {
                            operator: Spanned::new(operator),
                            key: Spanned::new(key),
                            values: values.into_iter().map(Spanned::new).collect(),
                            span: Span::default(),
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        groups.prop_map(|groups| groups.into_iter().flatten().collect())
    })
}

fn principal() -> impl Strategy<Value = Option<PrincipalBlock>> {
    let kind = prop_oneof![
        Just(PrincipalKind::Principal),
        Just(PrincipalKind::NotPrincipal)
    ];
    let map = proptest::sample::subsequence(
        vec![
            PrincipalType::Aws,
            PrincipalType::Service,
            PrincipalType::Federated,
            PrincipalType::CanonicalUser,
        ],
        0..4,
    )
    .prop_flat_map(|types| {
        let entries: Vec<_> = types
            .into_iter()
            .map(|principal_type| {
                spanned_texts(3).prop_map(move |values| PrincipalEntry {
                    principal_type: Spanned::new(principal_type),
                    values,
                })
            })
            .collect();
        entries.prop_map(PrincipalValue::Map)
    });
    let value = prop_oneof![Just(PrincipalValue::Any), map];
    proptest::option::of((kind, value).prop_map(|(kind, value)| PrincipalBlock {
        kind,
        value,
        span: Span::default(),
    }))
}

fn statement() -> impl Strategy<Value = Statement> {
    let action_kind = prop_oneof![Just(ActionKind::Action), Just(ActionKind::NotAction)];
    let resource_kind = prop_oneof![
        Just(ResourceKind::Resource),
        Just(ResourceKind::NotResource)
    ];
    (
        proptest::option::of(text().prop_map(Spanned::new)),
        prop_oneof![Just(Effect::Allow), Just(Effect::Deny)],
        (action_kind, spanned_texts(4)),
        proptest::option::of((resource_kind, resources())),
        principal(),
        conditions(),
    )
        .prop_map(
            |(sid, effect, (action_kind, actions), resource, principal, conditions)| Statement {
                sid,
                effect: Spanned::new(effect),
                action: ActionBlock {
                    kind: action_kind,
                    values: actions,
                    span: Span::default(),
                },
                resource: resource.map(|(kind, values)| ResourceBlock {
                    kind,
                    values,
                    span: Span::default(),
                }),
                principal,
                conditions,
                span: Span::default(),
            },
        )
}

fn document() -> impl Strategy<Value = PolicyDocument> {
    let version = prop_oneof![
        Just(None),
        Just(Some(Version::V2012_10_17)),
        Just(Some(Version::V2008_10_17))
    ];
    (
        version,
        proptest::option::of(text()),
        proptest::collection::vec(statement(), 1..4),
    )
        .prop_map(|(version, id, statements)| PolicyDocument {
            version: version.map(Spanned::new),
            id: id.map(Spanned::new),
            statements,
            span: Span::default(),
        })
}

proptest! {
    #[test]
    fn serialized_document_parses_back(document in document()) {
        let json = document.to_json();

        let parsed = PolicyDocument::parse(&json);

        let parsed = parsed.map_err(|error| TestCaseError::fail(format!("{error}\n{json}")))?;
        prop_assert_eq!(parsed.without_spans(), document);
    }
}

#[test]
fn output_is_canonical_json() {
    let document = PolicyDocument::parse(
        r#"{"Statement":{"Condition":{"StringEquals":{"k":"v"}},"Resource":"*","Action":"a:b",
            "Effect":"Allow","Sid":"S","Principal":"*"},"Id":"I","Version":"2012-10-17"}"#,
    )
    .expect("parses");

    assert_eq!(
        document.to_json(),
        r#"{"Version":"2012-10-17","Id":"I","Statement":[{"Sid":"S","Effect":"Allow","Principal":"*","Action":["a:b"],"Resource":["*"],"Condition":{"StringEquals":{"k":["v"]}}}]}"#
    );
}

#[test]
fn control_characters_escaped() {
    let mut out = String::new();

    write_string(&mut out, "a\"b\\c\n\u{1}é");

    assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001é\"");
}
