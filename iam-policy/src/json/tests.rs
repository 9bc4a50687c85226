use proptest::prelude::*;

use super::*;
use crate::error::PolicyError;

fn parse_ok(text: &str) -> JsonValue {
    parse_json(text).unwrap_or_else(|error| panic!("`{text}` should parse: {error}"))
}

fn parse_err(text: &str) -> Finding {
    match parse_json(text) {
        Err(PolicyError::Malformed(finding)) => *finding,
        other => panic!("`{text}` should be rejected, got {other:?}"),
    }
}

#[test]
fn scalars_parse() {
    assert_eq!(parse_ok("null").kind, JsonKind::Null);
    assert_eq!(parse_ok("true").kind, JsonKind::Bool(true));
    assert_eq!(parse_ok(" false ").kind, JsonKind::Bool(false));
    assert_eq!(
        parse_ok("-0.5e+10").kind,
        JsonKind::Number("-0.5e+10".to_owned())
    );
    assert_eq!(
        parse_ok("\"a\\u00e9\\n\"").kind,
        JsonKind::String("a\u{e9}\n".to_owned())
    );
}

#[test]
fn surrogate_pair_decodes() {
    assert_eq!(
        parse_ok("\"\\ud83d\\ude00\"").kind,
        JsonKind::String("\u{1F600}".to_owned())
    );
}

#[test]
fn object_keeps_order_and_duplicates() {
    let value = parse_ok(r#"{"b": 1, "a": 2, "b": 3}"#);
    let JsonKind::Object(members) = value.kind else {
        panic!("expected an object");
    };
    let keys: Vec<&str> = members.iter().map(|member| member.key.as_str()).collect();
    assert_eq!(keys, ["b", "a", "b"]);
}

#[test]
fn spans_record_line_column_and_path() {
    let text = "{\n  \"Statement\": [\n    {\"Sid\": \"é\", \"Effect\": \"Allow\"}\n  ]\n}";
    let value = parse_ok(text);
    let JsonKind::Object(members) = &value.kind else {
        panic!("expected an object");
    };
    let statement_list = &members[0].value;
    assert_eq!(statement_list.span.path, "$.Statement");
    assert_eq!(statement_list.span.line, 2);
    assert_eq!(statement_list.span.column, 16);

    let JsonKind::Array(statements) = &statement_list.kind else {
        panic!("expected an array");
    };
    let JsonKind::Object(statement) = &statements[0].kind else {
        panic!("expected an object");
    };
    let effect = &statement[1].value;
    assert_eq!(effect.span.path, "$.Statement[0].Effect");
    assert_eq!(effect.span.line, 3);
    // Columns count characters: the two-byte `é` moves the column by one.
    assert_eq!(effect.span.column, 28);
    assert_eq!(
        &text[effect.span.offset..effect.span.offset + effect.span.len],
        "\"Allow\""
    );
}

#[test]
fn path_quotes_keys_with_punctuation() {
    assert_eq!(path_with_key("$", "Statement"), "$.Statement");
    assert_eq!(path_with_key("$.C", "aws:username"), "$.C['aws:username']");
    assert_eq!(path_with_key("$", "it's"), "$['it\\'s']");
    assert_eq!(path_with_index("$.Statement", 3), "$.Statement[3]");
    assert_eq!(path_with_index("$", 0), "$[0]");
    assert_eq!(path_with_index("$", 1_234_567), "$[1234567]");
    assert_eq!(
        path_with_index("$", usize::MAX),
        format!("$[{}]", usize::MAX)
    );
}

#[test]
fn invalid_json_rejected() {
    let cases = [
        "",
        "{",
        "{\"a\":1,}",
        "[1,]",
        "{'a': 1}",
        "{\"a\" 1}",
        "{\"a\": 1} x",
        "// comment\n{}",
        "01",
        "1.",
        "-",
        "1e",
        "tru",
        "nul",
        "\"tab\there\"",
        "\"unterminated",
        "\"bad \\x escape\"",
        "\"\\ud83d alone\"",
        "\"\\ude00\"",
        "\"\\u12\"",
        "NaN",
        "{1: 2}",
        "\u{feff}{}",
    ];
    for text in cases {
        let finding = parse_err(text);
        assert_eq!(finding.message, "Syntax errors in policy.", "{text:?}");
        assert!(
            finding.detail.starts_with("invalid JSON: "),
            "{text:?}: {}",
            finding.detail
        );
    }
}

#[test]
fn error_points_at_offending_character() {
    let finding = parse_err("{\n  \"a\": 1,\n}");
    assert_eq!(finding.span.line, 3);
    assert_eq!(finding.span.column, 1);
    assert_eq!(finding.span.path, "$");
    assert!(finding.detail.contains("found `}`"), "{}", finding.detail);
}

#[test]
fn deep_nesting_rejected() {
    let text = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    let finding = parse_err(&text);
    assert!(
        finding.detail.contains("nesting deeper than"),
        "{}",
        finding.detail
    );

    let shallow = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    parse_ok(&shallow);
}

#[test]
fn oversized_document_rejected() {
    let text = format!("\"{}\"", "a".repeat(MAX_DOCUMENT_BYTES));
    assert!(matches!(
        parse_json(&text),
        Err(PolicyError::DocumentTooLarge {
            max: MAX_DOCUMENT_BYTES,
            ..
        })
    ));
}

/// Converts a parsed value to serde_json's model, for comparing with serde_json as a reference.
fn to_serde(value: &JsonValue) -> serde_json::Value {
    match &value.kind {
        JsonKind::Null => serde_json::Value::Null,
        JsonKind::Bool(flag) => serde_json::Value::Bool(*flag),
        JsonKind::Number(literal) => {
            serde_json::from_str(literal).expect("a number literal parses with serde_json")
        }
        JsonKind::String(text) => serde_json::Value::String(text.clone()),
        JsonKind::Array(elements) => {
            serde_json::Value::Array(elements.iter().map(to_serde).collect())
        }
        JsonKind::Object(members) => serde_json::Value::Object(
            members
                .iter()
                .map(|member| (member.key.clone(), to_serde(&member.value)))
                .collect(),
        ),
    }
}

fn serde_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        (-1.0e12..1.0e12f64).prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn parser_agrees_with_serde_json(value in serde_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value)
        } else {
            serde_json::to_string(&value)
        }
        .expect("serde_json serializes");

        let parsed = parse_json(&text);

        let parsed = parsed.map_err(|error| TestCaseError::fail(format!("{error}\n{text}")))?;
        // The reference is serde_json's reading of the same text, because serde_json's own
        // float printing and parsing do not round-trip every `f64` exactly.
        let reference: serde_json::Value = serde_json::from_str(&text).expect("serde_json parses");
        prop_assert_eq!(to_serde(&parsed), reference);
    }

    #[test]
    fn parser_accepts_what_serde_json_accepts(
        value in serde_value(),
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(vec![
            "", ",", "]", "}", "\"", "\\", "0", "-", ".", "e", ":", " ", "\u{1}", "[", "{", "tru",
        ]),
    ) {
        let text = serde_json::to_string(&value).expect("serde_json serializes");
        let boundaries: Vec<usize> = text.char_indices().map(|(index, _)| index).collect();
        let start = boundaries.get(position.index(boundaries.len().max(1))).copied().unwrap_or(0);
        let end = text[start..].chars().next().map_or(start, |c| start + c.len_utf8());
        let mutated = format!("{}{replacement}{}", &text[..start], &text[end..]);

        let ours = parse_json(&mutated).is_ok();
        let reference = serde_json::from_str::<serde_json::Value>(&mutated);
        // serde_json rejects numbers beyond `f64`; this parser keeps the literal text instead.
        prop_assume!(!matches!(&reference, Err(error) if error.to_string().contains("out of range")));
        let reference = reference.is_ok();

        prop_assert_eq!(ours, reference, "{}", mutated);
    }
}
