use crate::error::ErrorCode;

use super::*;

fn render(fields: &Fields) -> String {
    String::from_utf8(render_response(
        "https://iam.amazonaws.com/doc/2010-05-08/",
        "GetUser",
        Some(fields),
        "00000000-0000-4000-8000-000000000000",
    ))
    .unwrap()
}

#[test]
fn response_wraps_result_and_metadata() {
    let timestamp: Timestamp = "2026-01-02T03:04:05.678Z".parse().unwrap();
    let user = Fields::new()
        .text("Path", "/")
        .text("UserName", "alice")
        .text("UserId", "AIDAEXAMPLEEXAMPLE123")
        .text("Arn", "arn:aws:iam::111122223333:user/alice")
        .timestamp("CreateDate", timestamp)
        .list(
            "Tags",
            [Node::Structure(
                Fields::new().text("Key", "team").text("Value", "a<b&c"),
            )],
        );

    let body = render(&Fields::new().structure("User", user));

    insta::assert_snapshot!(body);
}

#[test]
fn response_without_result_has_only_metadata() {
    let body = String::from_utf8(render_response(
        "https://iam.amazonaws.com/doc/2010-05-08/",
        "DeleteUser",
        None,
        "00000000-0000-4000-8000-000000000000",
    ))
    .unwrap();

    insta::assert_snapshot!(body);
}

#[test]
fn map_writes_entries() {
    let body = render(&Fields::new().map(
        "SummaryMap",
        vec![
            ("Users".to_owned(), Node::Text("3".to_owned())),
            ("Groups".to_owned(), Node::Text("1".to_owned())),
        ],
    ));

    assert!(body.contains(
        "<SummaryMap><entry><key>Users</key><value>3</value></entry>\
         <entry><key>Groups</key><value>1</value></entry></SummaryMap>"
    ));
}

#[test]
fn error_response_has_type_code_message() {
    let error = ApiError::new(
        ErrorCode::NoSuchEntity,
        "The user with name bob cannot be found.",
    );

    let body = String::from_utf8(render_error(
        "https://iam.amazonaws.com/doc/2010-05-08/",
        &error,
        "00000000-0000-4000-8000-000000000000",
    ))
    .unwrap();

    insta::assert_snapshot!(body);
}

#[test]
fn service_failure_is_receiver_fault() {
    let error = ApiError::new(ErrorCode::ServiceFailure, "failure");

    let body = String::from_utf8(render_error("ns", &error, "id")).unwrap();

    assert!(body.contains("<Type>Receiver</Type>"));
}

#[test]
fn policy_document_is_percent_encoded() {
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#;

    let encoded = encode_policy_document(document);

    assert_eq!(
        encoded,
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow\
         %22%2C%22Action%22%3A%22iam%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
    );
    let decoded = percent_encoding::percent_decode_str(&encoded)
        .decode_utf8()
        .unwrap();
    assert_eq!(decoded, document);
}

#[test]
fn policy_document_encodes_spaces_and_unicode() {
    assert_eq!(encode_policy_document("a b\né"), "a%20b%0A%C3%A9");
}

#[test]
fn timestamp_drops_fractional_seconds() {
    let timestamp: Timestamp = "2026-01-02T03:04:05.999Z".parse().unwrap();

    assert_eq!(format_timestamp(timestamp), "2026-01-02T03:04:05Z");
}

#[test]
fn pagination_adds_marker_only_when_truncated() {
    let truncated = render(&Fields::new().pagination(Some("next".to_owned())));
    let complete = render(&Fields::new().pagination(None));

    assert!(truncated.contains("<IsTruncated>true</IsTruncated><Marker>next</Marker>"));
    assert!(complete.contains("<IsTruncated>false</IsTruncated>"));
    assert!(!complete.contains("<Marker>"));
}

#[test]
fn error_message_escapes_forbidden_characters() {
    let error = ApiError::new(
        ErrorCode::ValidationError,
        "invalid UserName `a\u{1}b\u{0}\u{ffff}`\twith tab",
    );

    let body = String::from_utf8(render_error(
        "https://iam.amazonaws.com/doc/2010-05-08/",
        &error,
        "00000000-0000-4000-8000-000000000000",
    ))
    .unwrap();

    assert!(!body.contains('\u{1}'), "{body:?}");
    assert!(!body.contains('\u{0}'), "{body:?}");
    assert!(!body.contains('\u{ffff}'), "{body:?}");
    assert!(
        body.contains("<Message>invalid UserName `a\\u{1}b\\u{0}\\u{ffff}`\twith tab</Message>"),
        "{body:?}"
    );
}

#[test]
fn text_without_forbidden_characters_is_borrowed() {
    let text = "tab\tline\nreturn\r \u{fffd} é";

    let safe = xml_safe_text(text);

    assert!(matches!(safe, Cow::Borrowed(_)));
    assert_eq!(safe, text);
}

#[test]
fn timestamp_matches_strftime() {
    let timestamps = [
        "1970-01-01T00:00:00Z",
        "0005-03-04T05:06:07Z",
        "1999-12-31T23:59:59.999999999Z",
        "2026-12-05T02:17:29Z",
        "9999-12-30T21:59:59Z",
        "-000001-06-15T12:30:45Z",
    ];
    for text in timestamps {
        let timestamp: Timestamp = text.parse().unwrap();
        let expected = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        assert_eq!(format_timestamp(timestamp), expected, "{text}");
    }
}

#[test]
fn text_escapes_markup_beside_multibyte() {
    let fields = Fields::new().text("UserName", "é<ü>&'\"\r\u{fffd}end");

    let body = render(&fields);

    assert!(
        body.contains("<UserName>é&lt;ü&gt;&amp;&apos;&quot;&#13;\u{fffd}end</UserName>"),
        "{body:?}"
    );
}

#[test]
fn forbidden_check_passes_allowed_bytes() {
    assert!(!contains_forbidden_in_xml(
        "tab\tline\nreturn\r \u{fffd} \u{efff} é"
    ));
    assert!(contains_forbidden_in_xml("a\u{1}"));
    assert!(contains_forbidden_in_xml("a\u{fffe}"));
    assert!(contains_forbidden_in_xml("\u{ffff}"));
}
