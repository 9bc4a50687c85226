//! Regression tests for defects found in review: the credential scope service, secrets in
//! `Debug` output, duplicated presigned parameters and key id reuse in the keyring.

use std::sync::Arc;

use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_auth::sigv4::{Credentials, HttpRequest, ResolvedCredential, Signer, Verifier};
use iam_auth::{AuthError, SecretAccessKey, SecurityToken};
use iam_model::{FixedClock, SeededRandom};
use jiff::Timestamp;

const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const TEMPORARY_KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
const TOKEN: &str = "FQoGZXIvYXdzEXAMPLESESSIONTOKEN";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const HEADERS: [(&str, &str); 1] = [("Host", "iam.amazonaws.com")];
const LIST_USERS: &[u8] = b"Action=ListUsers&Version=2010-05-08";

type Resolver = fn(&str, Option<&str>) -> Result<ResolvedCredential<&'static str>, AuthError>;

fn resolve(
    access_key_id: &str,
    _token: Option<&str>,
) -> Result<ResolvedCredential<&'static str>, AuthError> {
    Ok(ResolvedCredential {
        secret: SecretAccessKey::new(SECRET),
        principal: if access_key_id == KEY_ID {
            "alice"
        } else {
            "alice-session"
        },
        expiration: None,
    })
}

fn now() -> Timestamp {
    "2026-03-01T10:00:00Z".parse().unwrap()
}

fn verifier() -> Verifier<Resolver> {
    Verifier::new(
        resolve as Resolver,
        Arc::new(FixedClock::new(now())),
        ["iam", "sts"],
    )
}

fn signer(access_key_id: &str, token: Option<&str>, service: &str) -> Signer {
    let credentials = Credentials {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: SecretAccessKey::new(SECRET),
        session_token: token.map(SecurityToken::new),
    };
    Signer::new(credentials, "us-east-1", service)
}

fn request<'a>(method: &'a str, query: &'a str, body: &'a [u8]) -> HttpRequest<'a> {
    HttpRequest {
        method,
        path: "/",
        query,
        headers: &HEADERS,
        body,
    }
}

#[test]
fn s3_scope_presigned_post_rejected() {
    let forged_body = b"Action=CreateAccessKey&UserName=admin&Version=2010-05-08";
    let presigned = signer(KEY_ID, None, "s3")
        .presign(&request("POST", "", LIST_USERS), now(), 300)
        .unwrap();

    let verified = verifier().verify(&request("POST", &presigned.query, forged_body));

    let error = verified.unwrap_err();
    assert_eq!(error.aws_code(), "SignatureDoesNotMatch");
    assert_eq!(
        error,
        AuthError::ScopeServiceNotServed {
            service: "s3".to_owned(),
            expected: "iam".to_owned(),
        }
    );
}

#[test]
fn s3_scope_with_unsigned_payload_header_rejected() {
    let headers = [
        ("Host", "iam.amazonaws.com"),
        ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
    ];
    let signed = signer(KEY_ID, None, "s3")
        .sign(
            &HttpRequest {
                headers: &headers,
                ..request("POST", "", LIST_USERS)
            },
            now(),
        )
        .unwrap();
    let signed_headers = signed.header_pairs();

    let verified = verifier().verify(&HttpRequest {
        headers: &signed_headers,
        ..request("POST", "", b"Action=CreateAccessKey&Version=2010-05-08")
    });

    assert!(
        matches!(
            verified,
            Err(AuthError::ScopeServiceNotServed { ref service, .. }) if service == "s3"
        ),
        "{verified:?}"
    );
}

#[test]
fn served_service_without_opt_in_rejects_unsigned_payload() {
    let verifier = verifier().with_service_rules("s3", iam_auth::sigv4::ServiceRules::STANDARD);
    let presigned = signer(KEY_ID, None, "s3")
        .presign(&request("POST", "", LIST_USERS), now(), 300)
        .unwrap();

    let verified = verifier.verify(&request(
        "POST",
        &presigned.query,
        b"Action=CreateAccessKey&Version=2010-05-08",
    ));

    assert_eq!(verified.unwrap_err().aws_code(), "SignatureDoesNotMatch");
}

#[test]
fn sts_scope_is_served() {
    let signed = signer(KEY_ID, None, "sts")
        .sign(&request("POST", "", LIST_USERS), now())
        .unwrap();
    let signed_headers = signed.header_pairs();

    let verified = verifier()
        .verify(&HttpRequest {
            headers: &signed_headers,
            ..request("POST", "", LIST_USERS)
        })
        .unwrap();

    assert_eq!(verified.scope.service, "sts");
    assert!(verified.payload_signed);
}

#[test]
fn signed_request_debug_hides_token() {
    let signed = signer(TEMPORARY_KEY_ID, Some(TOKEN), "iam")
        .sign(&request("POST", "", LIST_USERS), now())
        .unwrap();

    let debug = format!("{signed:?}");

    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!debug.contains(&signed.signature), "{debug}");
    assert!(debug.contains("X-Amz-Security-Token"), "{debug}");
}

#[test]
fn presigned_request_debug_hides_token() {
    let presigned = signer(TEMPORARY_KEY_ID, Some(TOKEN), "iam")
        .presign(&request("GET", "Action=ListUsers", b""), now(), 300)
        .unwrap();

    let debug = format!("{presigned:?}");

    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!debug.contains(&presigned.signature), "{debug}");
    assert!(debug.contains("Action=ListUsers"), "{debug}");
}

#[test]
fn verified_request_debug_hides_signature() {
    let signed = signer(TEMPORARY_KEY_ID, Some(TOKEN), "iam")
        .sign(&request("POST", "", LIST_USERS), now())
        .unwrap();
    let headers = signed.header_pairs();
    let verified = verifier()
        .verify(&HttpRequest {
            headers: &headers,
            ..request("POST", "", LIST_USERS)
        })
        .unwrap();

    let debug = format!("{verified:?}");

    assert!(!debug.contains(&signed.signature), "{debug}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert_eq!(verified.signature.expose(), signed.signature);
}

#[test]
fn duplicate_presigned_signature_is_rejected() {
    let presigned = signer(KEY_ID, None, "iam")
        .presign(&request("GET", "Action=ListUsers", b""), now(), 300)
        .unwrap();
    let query = format!("{}&X-Amz-Signature=0000", presigned.query);

    let verified = verifier().verify(&request("GET", &query, b""));

    let error = verified.unwrap_err();
    assert_eq!(error.aws_code(), "IncompleteSignature");
    assert!(error.to_string().contains("X-Amz-Signature"), "{error}");
}

#[test]
fn duplicate_presigned_auth_parameters_rejected() {
    let presigned = signer(TEMPORARY_KEY_ID, Some(TOKEN), "iam")
        .presign(&request("GET", "Action=ListUsers", b""), now(), 300)
        .unwrap();
    let extras = [
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260301%2Fus-east-1%2Fiam%2Faws4_request",
        "X-Amz-Date=20260301T100000Z",
        "X-Amz-Expires=300",
        "X-Amz-SignedHeaders=host",
        "X-Amz-Security-Token=other",
        // An encoded name decodes to `X-Amz-Signature`, as the canonical query reads it.
        "X-Amz-Signatur%65=0000",
        "%58-Amz-Signature=0000",
    ];

    for extra in extras {
        let query = format!("{}&{extra}", presigned.query);

        let verified = verifier().verify(&request("GET", &query, b""));

        assert_eq!(
            verified.unwrap_err().aws_code(),
            "IncompleteSignature",
            "{extra}"
        );
    }
}

#[test]
fn presigned_query_without_duplicates_verifies() {
    let presigned = signer(TEMPORARY_KEY_ID, Some(TOKEN), "iam")
        .presign(&request("GET", "Action=ListUsers", b""), now(), 300)
        .unwrap();

    let verified = verifier()
        .verify(&request("GET", &presigned.query, b""))
        .unwrap();

    assert_eq!(verified.principal, "alice-session");
    assert_eq!(verified.security_token.unwrap().expose(), TOKEN);
}

#[test]
fn rotate_to_reused_key_id_rejected() {
    let random = SeededRandom::new(7);
    let mut keyring = Keyring::new(KeyEncryptionKey::new("kek-1", &[1; 32]).unwrap());
    let sealed = keyring
        .seal(b"secret", b"AKIAIOSFODNN7EXAMPLE", &random)
        .unwrap();

    let rotated = keyring.rotate(KeyEncryptionKey::new("kek-1", &[2; 32]).unwrap());

    assert!(
        matches!(
            rotated,
            Err(AuthError::InvalidKeyEncryptionKey { ref key_id, .. }) if key_id == "kek-1"
        ),
        "{rotated:?}"
    );
    assert_eq!(keyring.current_key_id(), "kek-1");
    let opened = keyring.open(&sealed, b"AKIAIOSFODNN7EXAMPLE").unwrap();
    assert_eq!(opened.expose(), b"secret");
}

#[test]
fn rotate_to_retired_key_id_rejected() {
    let mut keyring = Keyring::new(KeyEncryptionKey::new("kek-2", &[2; 32]).unwrap())
        .with_retired_key(KeyEncryptionKey::new("kek-1", &[1; 32]).unwrap())
        .unwrap();

    let rotated = keyring.rotate(KeyEncryptionKey::new("kek-1", &[3; 32]).unwrap());

    assert!(rotated.is_err());
    assert_eq!(keyring.current_key_id(), "kek-2");
}

#[test]
fn retired_key_with_current_id_rejected() {
    let keyring = Keyring::new(KeyEncryptionKey::new("kek-1", &[2; 32]).unwrap())
        .with_retired_key(KeyEncryptionKey::new("kek-1", &[1; 32]).unwrap());

    let error = keyring.unwrap_err();
    assert_eq!(error.aws_code(), "ServiceFailure");
    assert!(error.to_string().contains("`kek-1`"), "{error}");
}

#[test]
fn retired_key_with_retired_id_rejected() {
    let keyring = Keyring::new(KeyEncryptionKey::new("kek-3", &[3; 32]).unwrap())
        .with_retired_key(KeyEncryptionKey::new("kek-1", &[1; 32]).unwrap())
        .unwrap()
        .with_retired_key(KeyEncryptionKey::new("kek-1", &[2; 32]).unwrap());

    assert!(keyring.is_err());
}

#[test]
fn rotate_keeps_old_secrets_open() {
    let random = SeededRandom::new(7);
    let mut keyring = Keyring::new(KeyEncryptionKey::new("kek-1", &[1; 32]).unwrap());
    let sealed = keyring.seal(b"secret", b"context", &random).unwrap();

    keyring
        .rotate(KeyEncryptionKey::new("kek-2", &[2; 32]).unwrap())
        .unwrap();

    assert_eq!(keyring.current_key_id(), "kek-2");
    assert!(keyring.needs_reseal(&sealed));
    assert_eq!(
        keyring.open(&sealed, b"context").unwrap().expose(),
        b"secret"
    );
}
