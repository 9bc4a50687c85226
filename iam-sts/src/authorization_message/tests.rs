use std::sync::Arc;

use iam_auth::seal::KeyEncryptionKey;
use iam_model::SeededRandom;

use super::*;

fn keyring_with(fill: u8) -> Keyring {
    Keyring::new(KeyEncryptionKey::new("k1", &[fill; 32]).unwrap())
}

fn keyring() -> Keyring {
    keyring_with(1)
}

fn explanation() -> AuthorizationExplanation {
    AuthorizationExplanation {
        allowed: false,
        explicit_deny: true,
        matched_statements: Items {
            items: vec![MatchedStatement {
                source_policy_id: "deny-all".to_owned(),
                source_policy_type: "IAM Policy".to_owned(),
                effect: "Deny".to_owned(),
                sid: Some("DenyEverything".to_owned()),
                index: 0,
            }],
        },
        failures: Items::default(),
        context: RequestContextSummary {
            principal: PrincipalContext {
                id: "AIDAEXAMPLEUSERID0001".to_owned(),
                arn: "arn:aws:iam::111122223333:user/bob".to_owned(),
            },
            action: "iam:ListUsers".to_owned(),
            resource: "arn:aws:iam::111122223333:user/".to_owned(),
            conditions: Items {
                items: vec![ConditionEntry {
                    key: "aws:SourceIp".to_owned(),
                    values: Items {
                        items: vec![ConditionValue {
                            value: "192.0.2.10".to_owned(),
                        }],
                    },
                }],
            },
        },
    }
}

#[test]
fn encoded_message_decodes_to_aws_shape() {
    let keyring = keyring();
    let random = SeededRandom::new(1);

    let encoded = encode_authorization_message(&keyring, &explanation(), &random).unwrap();
    let decoded = decode_authorization_message(&keyring, &encoded, true).unwrap();

    let value: serde_json::Value = serde_json::from_str(&decoded).unwrap();
    insta::assert_json_snapshot!(value);
}

#[test]
fn decoded_message_parses_back() {
    let keyring = keyring();
    let random = SeededRandom::new(2);

    let encoded = encode_authorization_message(&keyring, &explanation(), &random).unwrap();
    let decoded = decode_authorization_message(&keyring, &encoded, true).unwrap();

    let parsed: AuthorizationExplanation = serde_json::from_str(&decoded).unwrap();
    assert_eq!(parsed, explanation());
}

#[test]
fn caller_without_permission_is_denied() {
    let keyring = keyring();
    let random = SeededRandom::new(3);
    let encoded = encode_authorization_message(&keyring, &explanation(), &random).unwrap();

    let result = decode_authorization_message(&keyring, &encoded, false);

    assert_eq!(result.unwrap_err().code(), "AccessDenied");
}

#[test]
fn bad_messages_are_rejected() {
    let keyring = keyring();
    let random = SeededRandom::new(4);
    let encoded = encode_authorization_message(&keyring, &explanation(), &random).unwrap();
    let mut tampered = encoded.clone().into_bytes();
    let last = tampered.len() - 5;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let other_keyring = keyring_with(2);

    let code = |message: &str, keyring: &Keyring| {
        decode_authorization_message(keyring, message, true)
            .unwrap_err()
            .code()
    };

    assert_eq!(code("", &keyring), "ValidationError");
    assert_eq!(code(&"A".repeat(10_241), &keyring), "ValidationError");
    assert_eq!(
        code("not base64!", &keyring),
        "InvalidAuthorizationMessageException"
    );
    assert_eq!(
        code(&tampered, &keyring),
        "InvalidAuthorizationMessageException"
    );
    assert_eq!(
        code(&encoded, &other_keyring),
        "InvalidAuthorizationMessageException"
    );
}

#[test]
fn session_token_is_not_a_message() {
    let random = SeededRandom::new(5);
    let tokens = crate::SessionTokens::new(Arc::new(keyring()));
    let keyring = keyring();
    let credentials = tokens
        .issue(&crate::testing::minimal_claims(), &random)
        .unwrap();

    let result = decode_authorization_message(&keyring, credentials.session_token.expose(), true);

    assert_eq!(
        result.unwrap_err().code(),
        "InvalidAuthorizationMessageException"
    );
}

#[test]
fn explanation_from_policy_decision() {
    let deny_all = iam_policy::PolicyDocument::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoIam","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
    )
    .unwrap();
    let policies = iam_policy::PrincipalPolicies {
        identity: vec![iam_policy::NamedPolicy::new(
            "user/bob/inline/deny",
            deny_all,
        )],
        ..iam_policy::PrincipalPolicies::default()
    };
    let principal = iam_policy::RequestPrincipal::from_arn("arn:aws:iam::111122223333:user/bob")
        .unwrap()
        .with_user_id("AIDAEXAMPLEUSERID0001");
    let request = RequestContext::new(
        principal,
        "iam:ListUsers",
        "*",
        None,
        None,
        iam_policy::ContextKeys::new(),
    );
    let decision = iam_policy::explain(
        &policies,
        &iam_policy::ResourcePolicies::default(),
        &request,
    );

    let explanation = AuthorizationExplanation::from_decision(&request, &decision);

    assert!(!explanation.allowed);
    assert!(explanation.explicit_deny);
    assert_eq!(explanation.matched_statements.items.len(), 1);
    let statement = &explanation.matched_statements.items[0];
    assert_eq!(statement.source_policy_id, "user/bob/inline/deny");
    assert_eq!(statement.source_policy_type, "IAM Policy");
    assert_eq!(statement.effect, "Deny");
    assert_eq!(statement.sid.as_deref(), Some("NoIam"));
    assert_eq!(explanation.context.principal.id, "AIDAEXAMPLEUSERID0001");
    assert_eq!(explanation.context.action, "iam:ListUsers");
    assert!(
        explanation
            .context
            .conditions
            .items
            .iter()
            .any(|entry| entry.key == "aws:username")
    );
}
