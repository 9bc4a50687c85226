use std::sync::Arc;

use iam_model::FixedClock;
use jiff::Timestamp;

use super::canonical::{write_canonical_query, write_canonical_uri};
use super::*;
use crate::{AuthError, SecretAccessKey, SecurityToken};

const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const TEMPORARY_KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const NOW: &str = "2026-03-01T10:00:00Z";

fn canonical_query(query: &str) -> String {
    let mut out = String::new();
    write_canonical_query(&mut out, query, &[]);
    out
}

fn canonical_uri(path: &str, rules: ServiceRules) -> String {
    let mut out = String::new();
    write_canonical_uri(&mut out, path, rules);
    out
}

type Resolver = fn(&str, Option<&str>) -> Result<ResolvedCredential<&'static str>, AuthError>;

fn resolve(
    access_key_id: &str,
    _token: Option<&str>,
) -> Result<ResolvedCredential<&'static str>, AuthError> {
    match access_key_id {
        KEY_ID => Ok(ResolvedCredential {
            secret: SecretAccessKey::new(SECRET),
            principal: "alice",
            expiration: None,
        }),
        TEMPORARY_KEY_ID => Ok(ResolvedCredential {
            secret: SecretAccessKey::new(SECRET),
            principal: "alice-session",
            expiration: Some("2026-03-01T10:30:00Z".parse().unwrap()),
        }),
        _ => Err(AuthError::InvalidClientTokenId {
            access_key_id: access_key_id.to_owned(),
            reason: "unknown access key",
        }),
    }
}

fn verifier(now: &str) -> Verifier<Resolver> {
    Verifier::new(
        resolve as Resolver,
        Arc::new(FixedClock::new(now.parse().unwrap())),
        ["iam", "sts"],
    )
}

fn signer(key_id: &str, service: &str, token: Option<&str>) -> Signer {
    Signer::new(
        Credentials {
            access_key_id: key_id.to_owned(),
            secret_access_key: SecretAccessKey::new(SECRET),
            session_token: token.map(SecurityToken::new),
        },
        "eu-west-1",
        service,
    )
}

const BODY: &[u8] = b"Action=ListUsers&Version=2010-05-08";
const HEADERS: [(&str, &str); 2] = [
    ("Host", "iam.amazonaws.com"),
    (
        "Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8",
    ),
];

fn iam_request() -> HttpRequest<'static> {
    HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &HEADERS,
        body: BODY,
    }
}

fn sign_at(signer: &Signer, time: &str) -> SignedRequest {
    signer.sign(&iam_request(), time.parse().unwrap()).unwrap()
}

fn verify_signed(
    verifier: &Verifier<Resolver>,
    signed: &SignedRequest,
) -> Result<VerifiedRequest<&'static str>, AuthError> {
    let pairs = signed.header_pairs();
    verifier.verify(&HttpRequest {
        headers: &pairs,
        ..iam_request()
    })
}

#[test]
fn canonical_query_encodes_plus_space_and_tilde() {
    let query = "Version=2010-05-08&Action=UpdateRole&RoleName=app&Description=a%2Bb%20c~d%2Fe";

    let canonical = canonical_query(query);

    assert_eq!(
        canonical,
        "Action=UpdateRole&Description=a%2Bb%20c~d%2Fe&RoleName=app&Version=2010-05-08"
    );
}

#[test]
fn canonical_query_upper_cases_hex() {
    let lower = "Version=2010-05-08&Action=UpdateRole&RoleName=app&Description=a%2bb%20c~d%2fe";

    assert_eq!(
        canonical_query(lower),
        "Action=UpdateRole&Description=a%2Bb%20c~d%2Fe&RoleName=app&Version=2010-05-08"
    );
}

#[test]
fn canonical_query_keeps_empty_values() {
    let query = "Action=UpdateRole&Description=&RoleName=app&Version=2010-05-08";

    assert_eq!(canonical_query(query), query);
    assert_eq!(canonical_query("lifecycle"), "lifecycle=");
}

#[test]
fn canonical_query_reads_wire_plus_as_space() {
    assert_eq!(canonical_query("Description=a+b"), "Description=a%20b");
    assert_eq!(canonical_query("Description=a%2Bb"), "Description=a%2Bb");
    assert_eq!(canonical_query("a+b=c"), "a%20b=c");
}

#[test]
fn canonical_uri_keeps_plus_literal() {
    assert_eq!(canonical_uri("/a+b", ServiceRules::STANDARD), "/a%2Bb");
    assert_eq!(canonical_uri("/a+b", ServiceRules::S3), "/a%2Bb");
}

#[test]
fn canonical_query_sorts_by_name_then_value() {
    assert_eq!(
        canonical_query("b=2&a=2&a=1&A=3&%E1%88%B4=x"),
        "%E1%88%B4=x&A=3&a=1&a=2&b=2"
    );
    assert_eq!(canonical_query("a=1&&b=2"), "a=1&b=2");
}

#[test]
fn canonical_query_encodes_reserved_and_utf8() {
    assert_eq!(canonical_query("k=a b*c!"), "k=a%20b%2Ac%21");
    assert_eq!(canonical_query("k=%E1%88%B4"), "k=%E1%88%B4");
    assert_eq!(canonical_query("k=%zz"), "k=%25zz");
}

#[test]
fn canonical_uri_normalizes_and_double_encodes() {
    let rules = ServiceRules::STANDARD;

    assert_eq!(canonical_uri("", rules), "/");
    assert_eq!(canonical_uri("/a/./b/../c", rules), "/a/c");
    assert_eq!(canonical_uri("//a//b//", rules), "/a/b/");
    assert_eq!(canonical_uri("/a/..", rules), "/");
    assert_eq!(canonical_uri("/../..", rules), "/");
    assert_eq!(canonical_uri("/a%20b", rules), "/a%2520b");
    assert_eq!(canonical_uri("/$x", rules), "/%24x");
}

#[test]
fn canonical_uri_for_s3_encodes_once() {
    let rules = ServiceRules::S3;

    assert_eq!(canonical_uri("/a%20b", rules), "/a%20b");
    assert_eq!(canonical_uri("/a b", rules), "/a%20b");
    assert_eq!(canonical_uri("//a/./b", rules), "//a/./b");
    assert_eq!(canonical_uri("/test$file.text", rules), "/test%24file.text");
}

#[test]
fn verifier_accepts_signed_iam_request() {
    let signed = sign_at(&signer(KEY_ID, "iam", None), NOW);

    let verified = verify_signed(&verifier(NOW), &signed).unwrap();

    assert_eq!(verified.principal, "alice");
    assert_eq!(verified.access_key_id, KEY_ID);
    assert_eq!(verified.scope.service, "iam");
    assert_eq!(verified.scope.region, "eu-west-1");
    assert_eq!(verified.method, AuthenticationMethod::Header);
    assert!(verified.payload_signed);
    assert!(verified.security_token.is_none());
}

#[test]
fn verifier_reports_sts_service_from_scope() {
    let signed = sign_at(&signer(KEY_ID, "sts", None), NOW);

    let verified = verify_signed(&verifier(NOW), &signed).unwrap();

    assert_eq!(verified.scope.service, "sts");
}

#[test]
fn verifier_rejects_unsigned_request() {
    let error = verifier(NOW).verify(&iam_request()).unwrap_err();

    assert_eq!(error, AuthError::MissingAuthentication);
    assert_eq!(error.aws_code(), "MissingAuthenticationToken");
}

#[test]
fn verifier_rejects_malformed_authorization() {
    let cases = [
        "AWS4-HMAC-SHA1 Credential=x",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/iam/aws4_request",
        "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/iam/aws4_request, SignedHeaders=x-amz-date;host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/iam/aws4_request, SignedHeaders=Host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/iam/aws4_request, Credential=x, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 garbage",
    ];
    for authorization in cases {
        let headers = [
            ("Host", "iam.amazonaws.com"),
            ("X-Amz-Date", "20260301T100000Z"),
            ("Authorization", authorization),
        ];
        let request = HttpRequest {
            headers: &headers,
            ..iam_request()
        };

        let error = verifier(NOW).verify(&request).unwrap_err();

        assert_eq!(
            error.aws_code(),
            "IncompleteSignature",
            "{authorization}: {error}"
        );
    }
}

#[test]
fn verifier_rejects_bad_amz_date() {
    for date in [
        "2026-03-01T10:00:00Z",
        "20260301T250000Z",
        "20260230T100000Z",
        "",
    ] {
        let mut signed = sign_at(&signer(KEY_ID, "iam", None), NOW);
        for header in &mut signed.headers {
            if header.0 == "X-Amz-Date" {
                header.1 = date.to_owned();
            }
        }

        let error = verify_signed(&verifier(NOW), &signed).unwrap_err();

        assert_eq!(error.aws_code(), "IncompleteSignature", "{date}");
    }
}

#[test]
fn verifier_rejects_wrong_signature() {
    let mut signed = sign_at(&signer(KEY_ID, "iam", None), NOW);
    let authorization = signed.headers.last_mut().unwrap();
    let flipped = if authorization.1.ends_with('0') {
        '1'
    } else {
        '0'
    };
    authorization.1.pop();
    authorization.1.push(flipped);

    let error = verify_signed(&verifier(NOW), &signed).unwrap_err();

    assert_eq!(error.aws_code(), "SignatureDoesNotMatch");
}

#[test]
fn verifier_rejects_changed_body() {
    let signed = sign_at(&signer(KEY_ID, "iam", None), NOW);
    let pairs = signed.header_pairs();

    let error = verifier(NOW)
        .verify(&HttpRequest {
            headers: &pairs,
            body: b"Action=DeleteUser&Version=2010-05-08",
            ..iam_request()
        })
        .unwrap_err();

    assert_eq!(error.aws_code(), "SignatureDoesNotMatch");
}

#[test]
fn verifier_rejects_unknown_access_key() {
    let signed = sign_at(&signer("AKIAAAAAAAAAAAAAAAAA", "iam", None), NOW);

    let error = verify_signed(&verifier(NOW), &signed).unwrap_err();

    assert_eq!(error.aws_code(), "InvalidClientTokenId");
}

#[test]
fn verifier_accepts_fifteen_minutes_of_skew() {
    let signer = signer(KEY_ID, "iam", None);

    for time in ["2026-03-01T09:45:00Z", "2026-03-01T10:15:00Z"] {
        let signed = sign_at(&signer, time);
        assert!(verify_signed(&verifier(NOW), &signed).is_ok(), "{time}");
    }
    for time in ["2026-03-01T09:44:59Z", "2026-03-01T10:15:01Z"] {
        let signed = sign_at(&signer, time);
        let error = verify_signed(&verifier(NOW), &signed).unwrap_err();
        assert_eq!(error.aws_code(), "RequestExpired", "{time}");
    }
}

#[test]
fn verifier_honours_presigned_expiry_exactly() {
    let signer = signer(KEY_ID, "iam", None);
    let presigned = signer
        .presign(&iam_request(), NOW.parse().unwrap(), 60)
        .unwrap();
    let request = HttpRequest {
        query: &presigned.query,
        ..iam_request()
    };

    let at_expiry = verifier("2026-03-01T10:01:00Z").verify(&request).unwrap();
    let after_expiry = verifier("2026-03-01T10:01:01Z")
        .verify(&request)
        .unwrap_err();
    let early = verifier("2026-03-01T09:44:59Z")
        .verify(&request)
        .unwrap_err();

    assert_eq!(at_expiry.method, AuthenticationMethod::Presigned);
    assert_eq!(after_expiry.aws_code(), "RequestExpired");
    assert_eq!(early.aws_code(), "RequestExpired");
}

#[test]
fn verifier_rejects_out_of_range_expires() {
    let signer = signer(KEY_ID, "iam", None);
    let presigned = signer
        .presign(&iam_request(), NOW.parse().unwrap(), 60)
        .unwrap();

    for expires in ["0", "604801", "-1", "abc"] {
        let query = presigned
            .query
            .replace("X-Amz-Expires=60", &format!("X-Amz-Expires={expires}"));
        let request = HttpRequest {
            query: &query,
            ..iam_request()
        };
        let error = verifier(NOW).verify(&request).unwrap_err();
        assert_eq!(error.aws_code(), "IncompleteSignature", "{expires}");
    }
    assert!(
        signer
            .presign(&iam_request(), NOW.parse().unwrap(), 0)
            .is_err()
    );
    assert!(
        signer
            .presign(&iam_request(), NOW.parse().unwrap(), 604_801)
            .is_err()
    );
}

#[test]
fn verifier_rejects_presigned_missing_parameter() {
    let presigned = signer(KEY_ID, "iam", None)
        .presign(&iam_request(), NOW.parse().unwrap(), 60)
        .unwrap();
    let without_date: Vec<&str> = presigned
        .query
        .split('&')
        .filter(|parameter| !parameter.starts_with("X-Amz-Date="))
        .collect();
    let query = without_date.join("&");

    let error = verifier(NOW)
        .verify(&HttpRequest {
            query: &query,
            ..iam_request()
        })
        .unwrap_err();

    assert_eq!(error.aws_code(), "IncompleteSignature");
}

#[test]
fn verifier_rejects_both_header_and_query_signatures() {
    let signer = signer(KEY_ID, "iam", None);
    let presigned = signer
        .presign(&iam_request(), NOW.parse().unwrap(), 60)
        .unwrap();
    let signed = sign_at(&signer, NOW);
    let pairs = signed.header_pairs();

    let error = verifier(NOW)
        .verify(&HttpRequest {
            query: &presigned.query,
            headers: &pairs,
            ..iam_request()
        })
        .unwrap_err();

    assert_eq!(error.aws_code(), "IncompleteSignature");
}

#[test]
fn temporary_key_requires_security_token() {
    let without_token = sign_at(&signer(TEMPORARY_KEY_ID, "sts", None), NOW);
    let with_token = sign_at(&signer(TEMPORARY_KEY_ID, "sts", Some("token-1")), NOW);

    let error = verify_signed(&verifier(NOW), &without_token).unwrap_err();
    let verified = verify_signed(&verifier(NOW), &with_token).unwrap();

    assert_eq!(error.aws_code(), "InvalidClientTokenId");
    assert_eq!(verified.security_token, Some(SecurityToken::new("token-1")));
    assert_eq!(verified.principal, "alice-session");
}

#[test]
fn expired_temporary_credentials_fail() {
    let signed = sign_at(
        &signer(TEMPORARY_KEY_ID, "sts", Some("token-1")),
        "2026-03-01T10:30:00Z",
    );

    let error = verify_signed(&verifier("2026-03-01T10:30:00Z"), &signed).unwrap_err();

    assert_eq!(error.aws_code(), "ExpiredToken");
}

#[test]
fn region_allow_list_limits_scope() {
    let signed = sign_at(&signer(KEY_ID, "iam", None), NOW);
    let allowing = verifier(NOW).with_allowed_regions(["us-east-1", "eu-west-1"]);
    let denying = verifier(NOW).with_allowed_regions(["us-east-1"]);

    assert!(verify_signed(&allowing, &signed).is_ok());
    let error = verify_signed(&denying, &signed).unwrap_err();
    assert_eq!(error.aws_code(), "SignatureDoesNotMatch");
}

#[test]
fn scope_date_must_match_request_date() {
    let mut signed = sign_at(&signer(KEY_ID, "iam", None), NOW);
    for header in &mut signed.headers {
        if header.0 == "Authorization" {
            header.1 = header.1.replace("/20260301/", "/20260302/");
        }
    }

    let error = verify_signed(&verifier(NOW), &signed).unwrap_err();

    assert_eq!(error.aws_code(), "SignatureDoesNotMatch");
}

#[test]
fn content_sha256_header_must_match_body() {
    let signer = signer(KEY_ID, "iam", None).with_content_sha256_header(true);
    let signed = sign_at(&signer, NOW);
    let pairs = signed.header_pairs();

    let good = verifier(NOW).verify(&HttpRequest {
        headers: &pairs,
        ..iam_request()
    });
    let tampered = verifier(NOW).verify(&HttpRequest {
        headers: &pairs,
        body: b"Action=DeleteUser",
        ..iam_request()
    });

    assert!(good.is_ok());
    assert_eq!(tampered.unwrap_err().aws_code(), "SignatureDoesNotMatch");
}

#[test]
fn unsigned_payload_rejected_outside_s3() {
    let headers = [
        ("Host", "iam.amazonaws.com"),
        ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
    ];
    let request = HttpRequest {
        headers: &headers,
        ..iam_request()
    };
    let signed = signer(KEY_ID, "iam", None).sign(&request, NOW.parse().unwrap());
    // The signer replaces the header with the body hash, so build the unsigned request by hand.
    assert!(signed.is_ok());
    let mut pairs: Vec<(String, String)> = signed.unwrap().headers;
    pairs.retain(|(name, _)| name != "Authorization" && name != "X-Amz-Content-Sha256");
    pairs.push((
        "x-amz-content-sha256".to_owned(),
        UNSIGNED_PAYLOAD.to_owned(),
    ));
    pairs.push((
        "Authorization".to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential={KEY_ID}/20260301/eu-west-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature={}",
            "0".repeat(64)
        ),
    ));
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();

    let error = verifier(NOW)
        .verify(&HttpRequest {
            headers: &borrowed,
            ..iam_request()
        })
        .unwrap_err();

    assert_eq!(error.aws_code(), "SignatureDoesNotMatch");
    assert!(error.to_string().contains("UNSIGNED-PAYLOAD"), "{error}");
}

#[test]
fn date_header_replaces_missing_amz_date() {
    let time: Timestamp = NOW.parse().unwrap();
    let headers = [
        ("Host", "iam.amazonaws.com"),
        ("Date", "Sun, 01 Mar 2026 10:00:00 GMT"),
    ];
    let request = HttpRequest {
        headers: &headers,
        ..iam_request()
    };
    let signed = signer(KEY_ID, "iam", None).sign(&request, time).unwrap();
    // Drop the signer's X-Amz-Date and sign again over the Date header alone.
    let authorization = signed.headers.last().unwrap().1.clone();
    assert!(authorization.contains("SignedHeaders=date;host;x-amz-date"));

    let mut pairs: Vec<(&str, &str)> = signed.header_pairs();
    pairs.retain(|(name, _)| *name != "X-Amz-Date");
    let error = verifier(NOW)
        .verify(&HttpRequest {
            headers: &pairs,
            ..iam_request()
        })
        .unwrap_err();

    // x-amz-date is signed but gone, so the signature cannot match; the date itself parsed.
    assert_eq!(error.aws_code(), "SignatureDoesNotMatch");
}

#[test]
fn signing_key_cache_is_bounded_and_reused() {
    let verifier = verifier(NOW)
        .with_service_rules("s3x", ServiceRules::STANDARD)
        .with_cache_capacity(2);
    let signer = signer(KEY_ID, "iam", None);

    for service in ["iam", "sts", "iam", "s3x"] {
        let signer = Signer::new(
            Credentials {
                access_key_id: KEY_ID.to_owned(),
                secret_access_key: SecretAccessKey::new(SECRET),
                session_token: None,
            },
            "eu-west-1",
            service,
        );
        let signed = sign_at(&signer, NOW);
        assert!(verify_signed(&verifier, &signed).is_ok(), "{service}");
    }
    let signed = sign_at(&signer, NOW);
    assert!(verify_signed(&verifier, &signed).is_ok());

    assert_eq!(verifier.cache().len(), 2);
}

#[test]
fn signing_key_cache_misses_on_changed_secret() {
    let cache = SigningKeyCache::new(8);
    let scope = CredentialScope {
        date: "20260301".to_owned(),
        region: "eu-west-1".to_owned(),
        service: "iam".to_owned(),
    };
    let cache_key = format!("{KEY_ID}/20260301/eu-west-1/iam");
    let first = cache.signing_key(&cache_key, &SecretAccessKey::new(SECRET), scope.borrowed());
    let second = cache.signing_key(&cache_key, &SecretAccessKey::new("other"), scope.borrowed());

    let first_tag = first.sign(b"x");
    let second_tag = second.sign(b"x");

    assert_ne!(first_tag, second_tag);
    assert_eq!(cache.len(), 1);
}

#[test]
fn http_request_debug_hides_header_values() {
    let headers = [(
        "Authorization",
        "AWS4-HMAC-SHA256 Signature=secret-signature",
    )];
    let request = HttpRequest {
        headers: &headers,
        ..iam_request()
    };

    let printed = format!("{request:?}");

    assert!(printed.contains("Authorization"));
    assert!(!printed.contains("secret-signature"));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn arbitrary_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{0,200}",
            "AWS4-HMAC-SHA256 Credential=[A-Za-z0-9/_%-]{0,80}, SignedHeaders=[a-z;-]{0,40}, Signature=[0-9a-f]{0,70}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn verifier_never_panics_on_header_input(
            authorization in arbitrary_text(),
            amz_date in "[0-9TZ]{0,20}",
            path in arbitrary_text(),
            query in arbitrary_text(),
        ) {
            let headers = [
                ("Host", "iam.amazonaws.com"),
                ("X-Amz-Date", amz_date.as_str()),
                ("Authorization", authorization.as_str()),
            ];
            let request = HttpRequest {
                method: "POST",
                path: &path,
                query: &query,
                headers: &headers,
                body: b"",
            };

            let outcome = verifier(NOW).verify(&request);

            prop_assert!(outcome.is_err());
        }

        #[test]
        fn verifier_never_panics_on_presigned_input(query in arbitrary_text(), extra in arbitrary_text()) {
            let query = format!("X-Amz-Algorithm=AWS4-HMAC-SHA256&{query}&X-Amz-Signature={extra}");
            let headers = [("Host", "iam.amazonaws.com")];
            let request = HttpRequest {
                method: "GET",
                path: "/",
                query: &query,
                headers: &headers,
                body: b"",
            };

            prop_assert!(verifier(NOW).verify(&request).is_err());
        }

        #[test]
        fn canonical_query_is_idempotent(query in arbitrary_text()) {
            let once = canonical_query(&query);
            let twice = canonical_query(&once);

            prop_assert_eq!(once, twice);
        }

        #[test]
        fn canonical_uri_output_is_encoded(path in arbitrary_text()) {
            for rules in [ServiceRules::STANDARD, ServiceRules::S3] {
                let canonical = canonical_uri(&path, rules);
                prop_assert!(canonical.starts_with('/'));
                prop_assert!(canonical.bytes().all(|byte| byte.is_ascii_alphanumeric()
                    || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/' | b'%')));
            }
        }

        #[test]
        fn signed_requests_always_verify(
            path in "/[a-zA-Z0-9 ._~%/-]{0,40}",
            query in "[a-zA-Z0-9=&%+._~-]{0,60}",
            body in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let headers = [("Host", "iam.amazonaws.com")];
            let request = HttpRequest {
                method: "POST",
                path: &path,
                query: &query,
                headers: &headers,
                body: &body,
            };
            let signed = signer(KEY_ID, "iam", None)
                .sign(&request, NOW.parse().unwrap())
                .unwrap();
            let pairs = signed.header_pairs();

            let verified = verifier(NOW).verify(&HttpRequest { headers: &pairs, ..request });

            prop_assert!(verified.is_ok(), "{:?}", verified);
        }
    }
}

#[test]
fn form_post_signs_like_sign() {
    let signer = signer(KEY_ID, "iam", None);
    let body = std::str::from_utf8(BODY).unwrap();

    let form = signer
        .sign_form_post("iam.amazonaws.com", body, NOW.parse().unwrap())
        .unwrap();
    let direct = sign_at(&signer, NOW);

    assert_eq!(form.signature, direct.signature);
    assert!(
        form.headers
            .contains(&("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned()))
    );
    assert!(verify_signed(&verifier(NOW), &form).is_ok());
}

#[test]
fn parsed_signature_reads_credential_scope() {
    let signed = sign_at(&signer(TEMPORARY_KEY_ID, "sts", Some("token-1")), NOW);
    let pairs = signed.header_pairs();
    let request = HttpRequest {
        headers: &pairs,
        ..iam_request()
    };

    let parsed = ParsedSignature::parse(&request).unwrap();

    assert_eq!(parsed.access_key_id(), TEMPORARY_KEY_ID);
    assert_eq!(parsed.scope_date(), "20260301");
    assert_eq!(parsed.region(), "eu-west-1");
    assert_eq!(parsed.service(), "sts");
    assert_eq!(parsed.security_token(), Some("token-1"));
    assert_eq!(parsed.method(), AuthenticationMethod::Header);
    assert_eq!(parsed.signed_at(), NOW.parse::<Timestamp>().unwrap());
}

#[test]
fn parsed_signature_reads_presigned_query() {
    let presigned = signer(KEY_ID, "iam", None)
        .presign(&iam_request(), NOW.parse().unwrap(), 60)
        .unwrap();
    let request = HttpRequest {
        query: &presigned.query,
        ..iam_request()
    };

    let parsed =
        ParsedSignature::from_parts(request.headers.iter().copied(), request.query).unwrap();

    assert_eq!(parsed.access_key_id(), KEY_ID);
    assert_eq!(parsed.service(), "iam");
    assert_eq!(parsed.method(), AuthenticationMethod::Presigned);
}

#[test]
fn parsed_signature_verifies_like_verify() {
    let signed = sign_at(&signer(KEY_ID, "iam", None), NOW);
    let pairs = signed.header_pairs();
    let request = HttpRequest {
        headers: &pairs,
        ..iam_request()
    };
    let verifier = verifier(NOW);

    let parsed = ParsedSignature::from_parts(pairs.iter().copied(), "").unwrap();
    let verified = verifier
        .verify_parsed(&request, parsed)
        .unwrap()
        .into_owned();
    let expected = verifier.verify(&request).unwrap();

    assert_eq!(verified.principal, expected.principal);
    assert_eq!(verified.access_key_id, expected.access_key_id);
    assert_eq!(verified.scope, expected.scope);
    assert_eq!(verified.signature, expected.signature);
}

#[test]
fn parsed_signature_of_other_request_fails() {
    let signed = sign_at(&signer(KEY_ID, "iam", None), NOW);
    let pairs = signed.header_pairs();
    let request = HttpRequest {
        headers: &pairs,
        ..iam_request()
    };
    let other = HttpRequest {
        body: b"Action=DeleteUser&UserName=bob&Version=2010-05-08",
        ..request
    };

    let parsed = ParsedSignature::parse(&request).unwrap();
    let error = verifier(NOW).verify_parsed(&other, parsed).unwrap_err();

    assert_eq!(error.aws_code(), "SignatureDoesNotMatch");
}

#[test]
fn parsed_signature_errors_match_verify() {
    let unsigned = iam_request();
    let malformed_headers = [
        ("Host", "iam.amazonaws.com"),
        ("X-Amz-Date", "20260301T100000Z"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIA/2026/eu-west-1/iam/aws4_request, \
             SignedHeaders=host, Signature=00",
        ),
    ];
    let malformed = HttpRequest {
        headers: &malformed_headers,
        ..iam_request()
    };

    let unsigned_error = ParsedSignature::parse(&unsigned).unwrap_err();
    let malformed_error = ParsedSignature::parse(&malformed).unwrap_err();

    assert_eq!(unsigned_error.aws_code(), "MissingAuthenticationToken");
    assert_eq!(malformed_error.aws_code(), "IncompleteSignature");
    assert_eq!(
        verifier(NOW).verify(&malformed).unwrap_err().to_string(),
        malformed_error.to_string()
    );
}

#[test]
fn parsed_signature_debug_hides_secrets() {
    let signed = sign_at(&signer(TEMPORARY_KEY_ID, "sts", Some("token-secret")), NOW);
    let pairs = signed.header_pairs();
    let request = HttpRequest {
        headers: &pairs,
        ..iam_request()
    };
    let signature = request
        .header("Authorization")
        .and_then(|value| value.rsplit("Signature=").next())
        .unwrap()
        .to_owned();

    let debug = format!("{:?}", ParsedSignature::parse(&request).unwrap());

    assert!(debug.contains(TEMPORARY_KEY_ID));
    assert!(!debug.contains("token-secret"));
    assert!(!debug.contains(&signature));
}

#[test]
fn signed_headers_check_cases() {
    let cases = [
        ("host", true),
        ("content-type;host;x-amz-date", true),
        ("hos;host", true),
        ("host;host", false),
        ("host;hos", false),
        ("x-amz-date;host", false),
        ("Host", false),
        ("content-type", false),
        ("a;;host", false),
        (";host", false),
        ("host;", false),
        ("host;x y", false),
    ];
    for (signed_headers, valid) in cases {
        let result = signature_fields::check_signed_headers(signed_headers);

        assert_eq!(result.is_ok(), valid, "{signed_headers}");
    }
}

#[test]
fn amz_date_parses_leap_days() {
    let cases = [
        ("20240229T000000Z", true),
        ("20000229T235959Z", true),
        ("21000229T000000Z", false),
        ("20250229T000000Z", false),
        ("19691231T235959Z", true),
        ("00000101T000000Z", true),
    ];
    for (text, valid) in cases {
        let parsed = signature_fields::parse_amz_date(text);

        assert_eq!(parsed.is_ok(), valid, "{text}");
    }
    assert_eq!(
        signature_fields::parse_amz_date("19691231T235959Z").unwrap(),
        Timestamp::from_second(-1).unwrap()
    );
}
