use serde_json::{Value, json};

use super::*;
use crate::redact_value;

fn parse(elements: &Elements) -> Value {
    serde_json::from_str(elements.as_json()).unwrap()
}

#[test]
fn elements_keep_member_order_and_nesting() {
    let elements = Elements::build(|object| {
        object.string("userName", "bob");
        object.object("tags", |tags| {
            tags.string("team", "ops");
        });
        object.list("groups", |groups| {
            groups.string("admins");
            groups.object(|group| group.string("path", "/"));
            groups.list(|_| {});
        });
    })
    .unwrap();

    assert_eq!(
        elements.as_json(),
        r#"{"userName":"bob","tags":{"team":"ops"},"groups":["admins",{"path":"/"},[]]}"#
    );
}

#[test]
fn elements_escape_names_and_values() {
    let elements = Elements::build(|object| {
        object.string("quote\"name", "line\nbreak \\ \u{1}");
    })
    .unwrap();

    assert_eq!(
        parse(&elements),
        json!({"quote\"name": "line\nbreak \\ \u{1}"})
    );
}

#[test]
fn elements_redact_secret_members() {
    let elements = Elements::build(|object| {
        object.string("userName", "bob");
        object.string("password", "hunter2hunter2");
        object.object("accessKey", |key| {
            key.string("accessKeyId", "AKIAIOSFODNN7EXAMPLE");
            key.string("secretAccessKey", "wJalrXUtnFEMI");
        });
        object.object("credentials", |credentials| {
            credentials.object("SessionToken", |token| token.string("value", "FwoGZX"));
        });
        object.list("Signature", |items| items.string("abc123"));
        object.string("Credentials.SecretAccessKey", "flattened");
    })
    .unwrap();

    assert_eq!(
        parse(&elements),
        json!({
            "userName": "bob",
            "password": REDACTED,
            "accessKey": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": REDACTED},
            "credentials": {"SessionToken": REDACTED},
            "Signature": REDACTED,
            "Credentials.SecretAccessKey": REDACTED,
        })
    );
    for secret in ["hunter2", "wJalrXUtnFEMI", "FwoGZX", "abc123", "flattened"] {
        assert!(!elements.as_json().contains(secret), "{secret} was stored");
    }
}

#[test]
fn elements_redact_like_json_values() {
    let mut value = json!({
        "serverCertificateName": "web",
        "privateKey": {"pem": "-----BEGIN"},
        "mfa": [{"authenticationCode1": "123456", "serialNumber": "arn:mfa"}],
    });
    let elements = Elements::build(|object| {
        object.string("serverCertificateName", "web");
        object.object("privateKey", |key| key.string("pem", "-----BEGIN"));
        object.list("mfa", |items| {
            items.object(|device| {
                device.string("authenticationCode1", "123456");
                device.string("serialNumber", "arn:mfa");
            });
        });
    })
    .unwrap();

    redact_value(&mut value);

    assert_eq!(parse(&elements), value);
}

#[test]
fn elements_serialize_as_their_json() {
    let elements = Elements::build(|object| object.string("userName", "bob")).unwrap();

    let wrapped = serde_json::to_string(&[&elements]).unwrap();

    assert_eq!(wrapped, r#"[{"userName":"bob"}]"#);
}
