use iam_auth::seal::KeyEncryptionKey;
use iam_model::SeededRandom;

use super::*;

fn keyring() -> Keyring {
    Keyring::new(KeyEncryptionKey::new("test", &[4_u8; 32]).unwrap())
}

#[test]
fn sealed_secret_opens_only_for_its_key_id() {
    let keyring = keyring();
    let sealed = keyring
        .seal(
            b"secret",
            &access_key_context("AKIAAAAAAAAAAAAAAAAA"),
            &SeededRandom::new(1),
        )
        .unwrap();
    let bytes = sealed.as_str().as_bytes();

    let opened = open_secret(&keyring, "AKIAAAAAAAAAAAAAAAAA", bytes).unwrap();
    let moved = open_secret(&keyring, "AKIABBBBBBBBBBBBBBBB", bytes);

    assert_eq!(opened.expose(), "secret");
    assert!(moved.is_err());
}

fn request_parts(authorization: Option<&str>, uri: &str) -> Parts {
    let mut request = axum::http::Request::builder()
        .uri(uri)
        .header("x-amz-date", "20260101T000000Z");
    if let Some(authorization) = authorization {
        request = request.header(axum::http::header::AUTHORIZATION, authorization);
    }
    request.body(()).unwrap().into_parts().0
}

#[test]
fn parse_signature_reads_header_then_query() {
    let signature = format!("Signature={}", "0".repeat(64));
    let header_signed = request_parts(
        Some(&format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, \
             SignedHeaders=host, {signature}"
        )),
        "/",
    );
    let presigned = request_parts(
        None,
        &format!(
            "/?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKID2%2F20260101%2Fus-east-1%2Fsts%2Faws4_request\
             &X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host\
             &X-Amz-{signature}"
        ),
    );

    let from_header = parse_signature(&header_signed).unwrap();
    let from_query = parse_signature(&presigned).unwrap();

    assert_eq!(from_header.access_key_id(), "AKIDEXAMPLE");
    assert_eq!(from_header.service(), "iam");
    assert_eq!(from_query.access_key_id(), "AKID2");
    assert_eq!(from_query.service(), "sts");
}

#[test]
fn parse_signature_rejects_unsigned_request() {
    let unsigned = request_parts(None, "/?Action=ListUsers");

    let error = parse_signature(&unsigned).unwrap_err();

    assert!(matches!(error, AuthError::MissingAuthentication));
}

#[test]
fn credential_reads_header_then_query() {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::AUTHORIZATION,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, \
         SignedHeaders=host, Signature=00"
            .parse()
            .unwrap(),
    );

    let no_headers = axum::http::HeaderMap::new();

    let from_header = credential(&headers, "");
    let from_query = credential(
        &no_headers,
        "X-Amz-Credential=AKID2%2F20260101%2Fus-east-1%2Fsts%2Faws4_request",
    );

    assert_eq!(
        from_header.as_deref(),
        Some("AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request")
    );
    assert_eq!(
        from_query.as_deref(),
        Some("AKID2/20260101/us-east-1/sts/aws4_request")
    );
}

#[test]
fn prefetched_resolver_rejects_other_key() {
    PREFETCHED.with(|slot| {
        *slot.borrow_mut() = Some((
            "AKIAFIRST".to_owned(),
            Err(AuthError::MissingAuthentication),
        ));
    });

    let result = PrefetchedResolver.resolve("AKIASECOND", None);

    assert!(matches!(
        result,
        Err(AuthError::InvalidClientTokenId { .. })
    ));
}

#[test]
fn root_caller_identity_uses_account() {
    let caller = Caller::Root {
        account: "111122223333".parse().unwrap(),
    };

    assert_eq!(caller.arn(), "arn:aws:iam::111122223333:root");
    assert_eq!(caller.user_id(), "111122223333");
    assert_eq!(caller.user_name(), None);
    assert!(caller.is_root());
    assert_eq!(
        caller.audit_identity("AKIAEXAMPLE").identity_type,
        IdentityType::Root
    );
}
