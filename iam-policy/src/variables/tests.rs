use super::*;
use crate::context::ContextValue;

fn keys(entries: &[(&str, &str)]) -> ContextKeys {
    let mut keys = ContextKeys::new();
    for (key, value) in entries {
        keys.insert(key, ContextValue::single(*value));
    }
    keys
}

#[test]
fn parse_splits_text_and_variables() {
    let template = Template::parse("arn:aws:s3:::home/${aws:username}/*", true);

    assert_eq!(
        template.segments(),
        [
            Segment::Text("arn:aws:s3:::home/".to_owned()),
            Segment::Variable {
                key: "aws:username".to_owned(),
                default: None
            },
            Segment::Text("/*".to_owned()),
        ]
    );
}

#[test]
fn parse_reads_default_with_escaped_quote() {
    let template = Template::parse("${ aws:username , 'it''s' }", true);

    assert_eq!(
        template.segments(),
        [Segment::Variable {
            key: "aws:username".to_owned(),
            default: Some("it's".to_owned())
        }]
    );
}

#[test]
fn parse_keeps_malformed_variables_as_text() {
    for text in [
        "${aws:username",
        "${}",
        "${key, unquoted}",
        "${a b}",
        "${key, 'a'b'}",
    ] {
        let template = Template::parse(text, true);
        assert!(!template.has_variables(), "{text}");
        assert_eq!(template.to_text(&ContextKeys::new()).unwrap(), text);
    }
}

#[test]
fn version_2008_has_no_variables() {
    let template = Template::parse("home/${aws:username}", false);

    assert!(!template.has_variables());
    assert_eq!(
        template
            .to_text(&keys(&[("aws:username", "alice")]))
            .unwrap(),
        "home/${aws:username}"
    );
}

#[test]
fn substitution_uses_value_then_default() {
    let template = Template::parse("${aws:username, 'nobody'}", true);

    assert_eq!(
        template
            .to_text(&keys(&[("aws:UserName", "alice")]))
            .unwrap(),
        "alice"
    );
    assert_eq!(template.to_text(&ContextKeys::new()).unwrap(), "nobody");
}

#[test]
fn missing_key_without_default_is_unbound() {
    let template = Template::parse("home/${aws:username}", true);

    assert_eq!(
        template.to_text(&ContextKeys::new()),
        Err(Unresolved::Unbound)
    );
}

#[test]
fn multivalued_key_is_unbound() {
    let mut context = ContextKeys::new();
    context.insert("aws:TagKeys", ContextValue::list(["a"]));
    let template = Template::parse("${aws:TagKeys}", true);

    assert_eq!(template.to_text(&context), Err(Unresolved::Unbound));
}

#[test]
fn escapes_stand_for_literal_characters() {
    let template = Template::parse("a${*}b${?}c${$}", true);
    let glob = template
        .to_glob(&ContextKeys::new(), Case::Sensitive)
        .unwrap();

    assert_eq!(template.to_text(&ContextKeys::new()).unwrap(), "a*b?c$");
    assert!(glob.matches("a*b?c$"));
    assert!(!glob.matches("axxbyc$"));
}

#[test]
fn substituted_values_are_not_wildcards() {
    let template = Template::parse("team/${aws:PrincipalTag/team}/*", true);
    let glob = template
        .to_glob(&keys(&[("aws:PrincipalTag/team", "a*")]), Case::Sensitive)
        .unwrap();

    assert!(glob.matches("team/a*/file"));
    assert!(!glob.matches("team/abc/file"));
}
