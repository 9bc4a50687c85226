//! Secrets never reach the stored trail: one case per IAM and STS operation that handles one,
//! and a sweep over every sensitive member in the AWS API models.

use std::collections::BTreeSet;

use iam_audit::{AuditEvent, AuditSink, EventSource, MemorySink, REDACTED};
use serde_json::{Map, Value, json};

use crate::support::{self, TestTrail, segments};

/// Stores an event with `request` and `response` in a real trail and in a memory sink, and
/// checks that none of `secrets` and every one of `preserved` survive in either.
fn check(
    source: EventSource,
    name: &str,
    request: Value,
    response: Value,
    secrets: &[&str],
    preserved: &[&str],
) {
    let mut event = AuditEvent::new(support::start_time(), source, name);
    event.request_parameters = Some(request);
    event.response_elements = Some(response);
    let test = TestTrail::new(|_| {});
    let memory = MemorySink::new();

    test.trail().record(event.clone()).unwrap();
    memory.record(event).unwrap();

    let stored = std::fs::read_to_string(&segments(test.path())[0]).unwrap();
    let remembered = serde_json::to_string(&memory.events()).unwrap();
    for text in [&stored, &remembered] {
        for secret in secrets {
            assert!(!text.contains(secret), "{name}: `{secret}` was stored");
        }
        for value in preserved {
            assert!(text.contains(value), "{name}: `{value}` was lost");
        }
        assert!(text.contains(REDACTED), "{name}: nothing was redacted");
    }
}

const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEXAMPLETOKEN";

fn credentials() -> Value {
    json!({
        "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",
        "SecretAccessKey": SECRET_KEY,
        "SessionToken": SESSION_TOKEN,
        "Expiration": "2026-03-01T13:00:00Z"
    })
}

#[test]
fn create_access_key() {
    check(
        EventSource::Iam,
        "CreateAccessKey",
        json!({"userName": "alice"}),
        json!({"accessKey": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": SECRET_KEY, "status": "Active", "userName": "alice"}}),
        &[SECRET_KEY],
        &["AKIAIOSFODNN7EXAMPLE", "alice"],
    );
}

#[test]
fn create_login_profile() {
    check(
        EventSource::Iam,
        "CreateLoginProfile",
        json!({"UserName": "alice", "Password": "correct horse battery", "PasswordResetRequired": true}),
        json!({"LoginProfile": {"UserName": "alice", "PasswordResetRequired": true}}),
        &["correct horse battery"],
        &["alice", "PasswordResetRequired"],
    );
}

#[test]
fn update_login_profile() {
    check(
        EventSource::Iam,
        "UpdateLoginProfile",
        json!({"UserName": "alice", "Password": "new secret phrase"}),
        json!(null),
        &["new secret phrase"],
        &["alice"],
    );
}

#[test]
fn change_password() {
    check(
        EventSource::Iam,
        "ChangePassword",
        json!({"OldPassword": "old secret phrase", "NewPassword": "new secret phrase"}),
        json!(null),
        &["old secret phrase", "new secret phrase"],
        &[],
    );
}

#[test]
fn create_virtual_mfa_device() {
    check(
        EventSource::Iam,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "alice-phone", "Path": "/"}),
        json!({"VirtualMFADevice": {
            "SerialNumber": "arn:aws:iam::111122223333:mfa/alice-phone",
            "Base32StringSeed": "JBSWY3DPEHPK3PXPJBSWY3DP",
            "QRCodePNG": "iVBORw0KGgoAAAANSUhEUgAAEXAMPLE"
        }}),
        &[
            "JBSWY3DPEHPK3PXPJBSWY3DP",
            "iVBORw0KGgoAAAANSUhEUgAAEXAMPLE",
        ],
        &["arn:aws:iam::111122223333:mfa/alice-phone", "alice-phone"],
    );
}

#[test]
fn list_virtual_mfa_devices() {
    check(
        EventSource::Iam,
        "ListVirtualMFADevices",
        json!({"AssignmentStatus": "Any"}),
        json!({"VirtualMFADevices": [
            {"SerialNumber": "arn:aws:iam::111122223333:mfa/one", "Base32StringSeed": "SEEDONESEEDONE"},
            {"SerialNumber": "arn:aws:iam::111122223333:mfa/two", "QRCodePNG": "PNGTWOPNGTWO"}
        ]}),
        &["SEEDONESEEDONE", "PNGTWOPNGTWO"],
        &[
            "arn:aws:iam::111122223333:mfa/one",
            "arn:aws:iam::111122223333:mfa/two",
        ],
    );
}

#[test]
fn enable_mfa_device() {
    check(
        EventSource::Iam,
        "EnableMFADevice",
        json!({
            "UserName": "alice",
            "SerialNumber": "arn:aws:iam::111122223333:mfa/alice-phone",
            "AuthenticationCode1": "123456",
            "AuthenticationCode2": "654321"
        }),
        json!(null),
        &["123456", "654321"],
        &["arn:aws:iam::111122223333:mfa/alice-phone"],
    );
}

#[test]
fn resync_mfa_device() {
    check(
        EventSource::Iam,
        "ResyncMFADevice",
        json!({
            "UserName": "alice",
            "SerialNumber": "GAHT12345678",
            "AuthenticationCode1": "111222",
            "AuthenticationCode2": "333444"
        }),
        json!(null),
        &["111222", "333444"],
        &["GAHT12345678"],
    );
}

#[test]
fn create_service_specific_credential() {
    check(
        EventSource::Iam,
        "CreateServiceSpecificCredential",
        json!({"UserName": "alice", "ServiceName": "codecommit.amazonaws.com"}),
        json!({"ServiceSpecificCredential": {
            "ServiceUserName": "alice-at-111122223333",
            "ServicePassword": "service password value",
            "ServiceCredentialSecret": "service credential secret",
            "ServiceSpecificCredentialId": "ACCAEXAMPLE123"
        }}),
        &["service password value", "service credential secret"],
        &["alice-at-111122223333", "ACCAEXAMPLE123"],
    );
}

#[test]
fn reset_service_specific_credential() {
    check(
        EventSource::Iam,
        "ResetServiceSpecificCredential",
        json!({"ServiceSpecificCredentialId": "ACCAEXAMPLE123"}),
        json!({"ServiceSpecificCredential": {"ServicePassword": "reset password value"}}),
        &["reset password value"],
        &["ACCAEXAMPLE123"],
    );
}

#[test]
fn upload_server_certificate() {
    check(
        EventSource::Iam,
        "UploadServerCertificate",
        json!({
            "ServerCertificateName": "web",
            "CertificateBody": "-----BEGIN CERTIFICATE-----PUBLIC",
            "PrivateKey": "-----BEGIN RSA PRIVATE KEY-----SECRET"
        }),
        json!({"ServerCertificateMetadata": {"ServerCertificateName": "web"}}),
        &["PRIVATE KEY-----SECRET"],
        &["-----BEGIN CERTIFICATE-----PUBLIC"],
    );
}

#[test]
fn create_saml_provider() {
    check(
        EventSource::Iam,
        "CreateSAMLProvider",
        json!({"Name": "corp", "SAMLMetadataDocument": "<EntityDescriptor/>", "AddPrivateKey": "PRIVATE-DECRYPTION-KEY"}),
        json!({"SAMLProviderArn": "arn:aws:iam::111122223333:saml-provider/corp"}),
        &["PRIVATE-DECRYPTION-KEY"],
        &[
            "<EntityDescriptor/>",
            "arn:aws:iam::111122223333:saml-provider/corp",
        ],
    );
}

#[test]
fn assume_role() {
    check(
        EventSource::Sts,
        "AssumeRole",
        json!({
            "RoleArn": "arn:aws:iam::111122223333:role/Admin",
            "RoleSessionName": "alice",
            "SerialNumber": "arn:aws:iam::111122223333:mfa/alice",
            "TokenCode": "987654"
        }),
        json!({"Credentials": credentials(), "AssumedRoleUser": {"Arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice"}}),
        &[SECRET_KEY, SESSION_TOKEN, "987654"],
        &[
            "ASIAIOSFODNN7EXAMPLE",
            "arn:aws:iam::111122223333:mfa/alice",
        ],
    );
}

#[test]
fn assume_role_with_saml() {
    check(
        EventSource::Sts,
        "AssumeRoleWithSAML",
        json!({"RoleArn": "arn:aws:iam::111122223333:role/Saml", "PrincipalArn": "arn:aws:iam::111122223333:saml-provider/corp", "SAMLAssertion": "PHNhbWxwOlJlc3BvbnNlIFNBTUw="}),
        json!({"Credentials": credentials()}),
        &["PHNhbWxwOlJlc3BvbnNlIFNBTUw=", SECRET_KEY, SESSION_TOKEN],
        &["arn:aws:iam::111122223333:saml-provider/corp"],
    );
}

#[test]
fn assume_role_with_web_identity() {
    check(
        EventSource::Sts,
        "AssumeRoleWithWebIdentity",
        json!({"RoleArn": "arn:aws:iam::111122223333:role/Web", "RoleSessionName": "app", "WebIdentityToken": "eyJhbGciOiJSUzI1NiJ9.PAYLOAD.SIG"}),
        json!({"Credentials": credentials(), "SubjectFromWebIdentityToken": "amzn1.account.EXAMPLE"}),
        &[
            "eyJhbGciOiJSUzI1NiJ9.PAYLOAD.SIG",
            SECRET_KEY,
            SESSION_TOKEN,
        ],
        &["amzn1.account.EXAMPLE", "ASIAIOSFODNN7EXAMPLE"],
    );
}

#[test]
fn get_session_token() {
    check(
        EventSource::Sts,
        "GetSessionToken",
        json!({"DurationSeconds": 3600, "SerialNumber": "arn:aws:iam::111122223333:mfa/alice", "TokenCode": "246810"}),
        json!({"Credentials": credentials()}),
        &[SECRET_KEY, SESSION_TOKEN, "246810"],
        &[
            "arn:aws:iam::111122223333:mfa/alice",
            "ASIAIOSFODNN7EXAMPLE",
        ],
    );
}

#[test]
fn get_federation_token() {
    check(
        EventSource::Sts,
        "GetFederationToken",
        json!({"Name": "bob", "DurationSeconds": 3600}),
        json!({"Credentials": credentials(), "FederatedUser": {"Arn": "arn:aws:sts::111122223333:federated-user/bob"}}),
        &[SECRET_KEY, SESSION_TOKEN],
        &["arn:aws:sts::111122223333:federated-user/bob"],
    );
}

#[test]
fn assume_root() {
    check(
        EventSource::Sts,
        "AssumeRoot",
        json!({"TargetPrincipal": "444455556666", "TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}}),
        json!({"Credentials": credentials()}),
        &[SECRET_KEY, SESSION_TOKEN],
        &["444455556666"],
    );
}

#[test]
fn decode_authorization_message() {
    check(
        EventSource::Sts,
        "DecodeAuthorizationMessage",
        json!({"EncodedMessage": "ENCODED-OPAQUE-BLOB"}),
        json!({"DecodedMessage": "{\"allowed\":false,\"matchedStatements\":[\"deny-all\"]}"}),
        &["matchedStatements"],
        &["ENCODED-OPAQUE-BLOB"],
    );
}

#[test]
fn update_saml_provider() {
    check(
        EventSource::Iam,
        "UpdateSAMLProvider",
        json!({"SAMLProviderArn": "arn:aws:iam::111122223333:saml-provider/corp", "AddPrivateKey": "ROTATED-PRIVATE-KEY", "RemovePrivateKey": "KEYID-OLD"}),
        json!({"SAMLProviderArn": "arn:aws:iam::111122223333:saml-provider/corp"}),
        &["ROTATED-PRIVATE-KEY"],
        &["KEYID-OLD"],
    );
}

#[test]
fn get_delegated_access_token() {
    check(
        EventSource::Sts,
        "GetDelegatedAccessToken",
        json!({"TradeInToken": "TRADE-IN-TOKEN-VALUE"}),
        json!({"Credentials": credentials(), "AssumedPrincipal": "arn:aws:sts::111122223333:assumed-role/Delegated/x"}),
        &["TRADE-IN-TOKEN-VALUE", SECRET_KEY, SESSION_TOKEN],
        &["arn:aws:sts::111122223333:assumed-role/Delegated/x"],
    );
}

#[test]
fn get_web_identity_token() {
    check(
        EventSource::Sts,
        "GetWebIdentityToken",
        json!({"Audience": ["https://example.com"]}),
        json!({"WebIdentityToken": "eyJraWQiOiJ.ISSUED.TOKEN", "Expiration": "2026-03-01T13:00:00Z"}),
        &["eyJraWQiOiJ.ISSUED.TOKEN"],
        &["https://example.com"],
    );
}

#[test]
fn signed_query_parameters() {
    check(
        EventSource::Iam,
        "ListUsers",
        json!({"X-Amz-Signature": "abcdef0123456789", "X-Amz-Security-Token": SESSION_TOKEN, "X-Amz-Credential": "AKIDEXAMPLE/20260301/us-east-1/iam/aws4_request"}),
        json!(null),
        &["abcdef0123456789", SESSION_TOKEN],
        &["AKIDEXAMPLE/20260301/us-east-1/iam/aws4_request"],
    );
}

/// Members that the AWS API models do not mark sensitive but that hold secrets all the same.
const UNMARKED_SECRETS: &[&str] = &[
    "SessionToken",
    "AuthenticationCode1",
    "AuthenticationCode2",
    "TokenCode",
    "DecodedMessage",
];

/// A sample document for one operation's input or output shape: every leaf contains a unique
/// text, and the texts under secret members are collected apart from the others.
struct Sample {
    secrets: BTreeSet<String>,
    public: BTreeSet<String>,
    counter: usize,
}

impl Sample {
    fn build(
        &mut self,
        shapes: &Map<String, Value>,
        shape_name: &str,
        path: &str,
        secret: bool,
        depth: usize,
    ) -> Value {
        let shape = &shapes[shape_name];
        let secret = secret || shape["sensitive"] == json!(true);
        match shape["type"].as_str().unwrap() {
            "structure" if depth < 6 => {
                let mut object = Map::new();
                for (member, definition) in shape["members"].as_object().unwrap() {
                    let member_secret = secret || UNMARKED_SECRETS.contains(&member.as_str());
                    let value = self.build(
                        shapes,
                        definition["shape"].as_str().unwrap(),
                        &format!("{path}.{member}"),
                        member_secret,
                        depth + 1,
                    );
                    object.insert(member.clone(), value);
                }
                Value::Object(object)
            }
            "list" if depth < 6 => {
                let member = shape["member"]["shape"].as_str().unwrap();
                Value::Array(vec![self.build(
                    shapes,
                    member,
                    &format!("{path}[]"),
                    secret,
                    depth + 1,
                )])
            }
            "map" if depth < 6 => {
                let value = shape["value"]["shape"].as_str().unwrap();
                let mut object = Map::new();
                object.insert(
                    "entryKey".to_owned(),
                    self.build(shapes, value, &format!("{path}{{}}"), secret, depth + 1),
                );
                Value::Object(object)
            }
            _ => {
                self.counter += 1;
                let text = format!("value-{}-{path}", self.counter);
                if secret {
                    self.secrets.insert(text.clone());
                } else {
                    self.public.insert(text.clone());
                }
                Value::String(text)
            }
        }
    }
}

/// Rewrites every object key with a lowercase first letter, as CloudTrail writes members.
fn camel_case(value: &Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, field)| {
                    let mut characters = key.chars();
                    let first = characters.next().map(|first| first.to_ascii_lowercase());
                    (
                        first.into_iter().chain(characters).collect(),
                        camel_case(field),
                    )
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel_case).collect()),
        other => other.clone(),
    }
}

/// Redacts a sample of every operation of one API model in both key styles, checks that every
/// secret and nothing else went, and returns the operations that handle a secret.
fn sweep_model(relative: &str, source: EventSource) -> Vec<String> {
    let path = format!(
        "{}/../../shared/corpus/api-models/botocore/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("the API model `{path}` is required: {error}"));
    let model: Value = serde_json::from_str(&text).unwrap();
    let shapes = model["shapes"].as_object().unwrap();
    let mut operations_with_secrets = Vec::new();

    for (name, operation) in model["operations"].as_object().unwrap() {
        let mut sample = Sample {
            secrets: BTreeSet::new(),
            public: BTreeSet::new(),
            counter: 0,
        };
        let mut document = |key: &str| {
            operation[key]["shape"]
                .as_str()
                .map(|shape| sample.build(shapes, shape, name, false, 0))
        };
        let request = document("input");
        let response = document("output");
        if sample.secrets.is_empty() {
            continue;
        }
        operations_with_secrets.push(name.clone());

        for style in [|value: &Value| value.clone(), camel_case] {
            let mut event = AuditEvent::new(support::start_time(), source, name.as_str());
            event.request_parameters = request.as_ref().map(style);
            event.response_elements = response.as_ref().map(style);
            event.redact();
            let stored = serde_json::to_string(&event).unwrap();
            for secret in &sample.secrets {
                assert!(
                    !stored.contains(&format!("\"{secret}\"")),
                    "{name}: `{secret}` was stored"
                );
            }
            for public in &sample.public {
                assert!(
                    stored.contains(&format!("\"{public}\"")),
                    "{name}: `{public}` was redacted"
                );
            }
        }
    }
    operations_with_secrets
}

#[test]
fn every_sensitive_iam_member_is_redacted() {
    let operations = sweep_model("iam/2010-05-08/service-2.json", EventSource::Iam);

    let expected = [
        "ChangePassword",
        "CreateAccessKey",
        "CreateLoginProfile",
        "CreateSAMLProvider",
        "CreateServiceSpecificCredential",
        "CreateVirtualMFADevice",
        "EnableMFADevice",
        "ListVirtualMFADevices",
        "ResetServiceSpecificCredential",
        "ResyncMFADevice",
        "UpdateLoginProfile",
        "UpdateSAMLProvider",
        "UploadServerCertificate",
    ];
    assert_eq!(operations, expected);
}

#[test]
fn every_sensitive_sts_member_is_redacted() {
    let operations = sweep_model("sts/2011-06-15/service-2.json", EventSource::Sts);

    let expected = [
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
        "AssumeRoot",
        "DecodeAuthorizationMessage",
        "GetDelegatedAccessToken",
        "GetFederationToken",
        "GetSessionToken",
        "GetWebIdentityToken",
    ];
    assert_eq!(operations, expected);
}
