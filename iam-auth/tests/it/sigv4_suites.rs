//! The aws-c-auth and botocore SigV4 suites, the IAM `ListUsers` example and the Amazon S3
//! examples: the signer reproduces every canonical request, string to sign and signature, the
//! verifier accepts every signed request, and a one-bit change to a signed part fails.

use std::path::Path;
use std::sync::Arc;

use iam_auth::sigv4::{
    Credentials, HttpRequest, PresignedPayload, ResolvedCredential, ServiceRules, Signer, Verifier,
};
use iam_auth::{AuthError, SecretAccessKey, SecurityToken};
use iam_model::FixedClock;
use jiff::Timestamp;

use crate::corpus::{RawRequest, read_json, read_text, shared_path};

const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_TIME: &str = "2015-08-30T12:36:00Z";

type Resolver = fn(&str, Option<&str>) -> Result<ResolvedCredential<String>, AuthError>;

fn resolve_suite_key(
    access_key_id: &str,
    _token: Option<&str>,
) -> Result<ResolvedCredential<String>, AuthError> {
    let secret = match access_key_id {
        ACCESS_KEY_ID => SECRET,
        "AKIAIOSFODNN7EXAMPLE" => "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        _ => {
            return Err(AuthError::InvalidClientTokenId {
                access_key_id: access_key_id.to_owned(),
                reason: "unknown access key",
            });
        }
    };
    Ok(ResolvedCredential {
        secret: SecretAccessKey::new(secret),
        principal: format!("principal-of-{access_key_id}"),
        expiration: None,
    })
}

fn verifier_at(time: &str, service: &str, rules: ServiceRules) -> Verifier<Resolver> {
    let clock = Arc::new(FixedClock::new(time.parse().unwrap()));
    Verifier::new(resolve_suite_key as Resolver, clock, [service])
        .with_service_rules(service, rules)
}

fn suite_rules(normalize: bool) -> ServiceRules {
    ServiceRules {
        normalize_path: normalize,
        ..ServiceRules::STANDARD
    }
}

fn case_folders(relative: &str) -> Vec<std::path::PathBuf> {
    let mut folders: Vec<_> = std::fs::read_dir(shared_path(relative))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    folders
}

/// Which parts of a request a mutation may touch: only parts the signature covers.
struct SignedParts<'a> {
    signed_headers: &'a [String],
    body_signed: bool,
    /// Whether `X-Amz-Security-Token` in the query was added after presigning.
    query_token_unsigned: bool,
}

/// Flips each of the low seven bits of every byte of every signed part, one at a time, and
/// checks that the verifier rejects the result. The one exception is a change that re-signing
/// shows to be invisible after canonicalization, such as `%2f` for `%2F`.
///
/// Returns the number of changes tried and the number found equivalent.
fn assert_mutations_fail(
    signed: &RawRequest,
    parts: &SignedParts<'_>,
    verifier: &Verifier<Resolver>,
    resign: &dyn Fn(&RawRequest) -> Option<String>,
    original_signature: &str,
    case: &str,
) -> (usize, usize) {
    let mut tried = 0;
    let mut equivalent = 0;
    let mut check = |mutated: RawRequest, what: &str| {
        tried += 1;
        let pairs = mutated.header_pairs();
        let outcome = verifier.verify(&mutated.http(&pairs));
        if outcome.is_ok() {
            let same_signature = resign(&mutated).as_deref() == Some(original_signature);
            assert!(
                same_signature,
                "{case}: a change to {what} still verified: {mutated:?}"
            );
            equivalent += 1;
        }
    };
    let flips = |text: &str| -> Vec<String> {
        let mut results = Vec::new();
        for index in 0..text.len() {
            for bit in 0..7 {
                let mut bytes = text.as_bytes().to_vec();
                bytes[index] ^= 1 << bit;
                if let Ok(flipped) = String::from_utf8(bytes) {
                    results.push(flipped);
                }
            }
        }
        results
    };

    for method in flips(&signed.method) {
        check(
            RawRequest {
                method,
                ..signed.clone()
            },
            "the method",
        );
    }
    for path in flips(&signed.path) {
        check(
            RawRequest {
                path,
                ..signed.clone()
            },
            "the path",
        );
    }
    let parameters: Vec<&str> = signed.query.split('&').collect();
    for (index, parameter) in parameters.iter().enumerate() {
        if parts.query_token_unsigned && parameter.starts_with("X-Amz-Security-Token=") {
            continue;
        }
        for flipped in flips(parameter) {
            let mut mutated = parameters.clone();
            mutated[index] = &flipped;
            let query = mutated.join("&");
            check(
                RawRequest {
                    query,
                    ..signed.clone()
                },
                "the query",
            );
        }
    }
    for (index, (name, value)) in signed.headers.iter().enumerate() {
        let lower = name.to_ascii_lowercase();
        let is_authorization = lower == "authorization";
        if !is_authorization && !parts.signed_headers.contains(&lower) {
            continue;
        }
        for flipped in flips(value) {
            let mut mutated = signed.clone();
            mutated.headers[index].1 = flipped;
            check(mutated, &format!("header `{name}`"));
        }
    }
    if parts.body_signed {
        for index in 0..signed.body.len() {
            for bit in 0..8 {
                let mut mutated = signed.clone();
                mutated.body[index] ^= 1 << bit;
                check(mutated, "the body");
            }
        }
    }
    (tried, equivalent)
}

struct AwsCContext {
    token: Option<String>,
    normalize: bool,
    sign_body: bool,
    omit_session_token: bool,
    region: String,
    service: String,
    time: String,
}

fn aws_c_context(folder: &Path) -> AwsCContext {
    let context = read_json(&folder.join("context.json"));
    assert_eq!(context["credentials"]["access_key_id"], ACCESS_KEY_ID);
    assert_eq!(context["credentials"]["secret_access_key"], SECRET);
    AwsCContext {
        token: context["credentials"]["token"].as_str().map(str::to_owned),
        normalize: context["normalize"].as_bool().unwrap(),
        sign_body: context["sign_body"].as_bool().unwrap(),
        omit_session_token: context["omit_session_token"].as_bool().unwrap_or(false),
        region: context["region"].as_str().unwrap().to_owned(),
        service: context["service"].as_str().unwrap().to_owned(),
        time: context["timestamp"].as_str().unwrap().to_owned(),
    }
}

fn signer_for(context: &AwsCContext) -> Signer {
    let credentials = Credentials {
        access_key_id: ACCESS_KEY_ID.to_owned(),
        secret_access_key: SecretAccessKey::new(SECRET),
        session_token: context.token.clone().map(SecurityToken::new),
    };
    Signer::new(credentials, &context.region, &context.service)
        .with_rules(suite_rules(context.normalize))
        .with_content_sha256_header(context.sign_body)
        .with_signed_security_token(!context.omit_session_token)
}

fn signed_header_names(canonical_request: &str) -> Vec<String> {
    let lines: Vec<&str> = canonical_request.lines().collect();
    lines[lines.len() - 2]
        .split(';')
        .map(str::to_owned)
        .collect()
}

#[test]
fn aws_c_auth_header_cases() {
    let folders = case_folders("corpus/sigv4-test-suite/aws-c-auth/v4");
    assert_eq!(folders.len(), 38, "expected the 38 aws-c-auth v4 cases");
    let mut totals = (0, 0);
    for folder in &folders {
        let case = folder.file_name().unwrap().to_string_lossy().into_owned();
        let context = aws_c_context(folder);
        let request = RawRequest::parse(&read_text(&folder.join("request.txt")));
        let time: Timestamp = context.time.parse().unwrap();
        let signer = signer_for(&context);

        let pairs = request.header_pairs();
        let signed = signer.sign(&request.http(&pairs), time).unwrap();

        let expected_canonical = read_text(&folder.join("header-canonical-request.txt"));
        assert_eq!(
            signed.canonical_request, expected_canonical,
            "{case}: canonical request"
        );
        let expected_string_to_sign = read_text(&folder.join("header-string-to-sign.txt"));
        assert_eq!(
            signed.string_to_sign, expected_string_to_sign,
            "{case}: string to sign"
        );
        let expected_signature = read_text(&folder.join("header-signature.txt"));
        assert_eq!(
            signed.signature,
            expected_signature.trim(),
            "{case}: signature"
        );

        let wire = RawRequest::parse(&read_text(&folder.join("header-signed-request.txt")));
        let verifier = verifier_at(
            &context.time,
            &context.service,
            suite_rules(context.normalize),
        );
        let wire_pairs = wire.header_pairs();
        let verified = verifier
            .verify(&wire.http(&wire_pairs))
            .unwrap_or_else(|error| panic!("{case}: {error}"));
        assert_eq!(verified.access_key_id, ACCESS_KEY_ID, "{case}");
        assert_eq!(verified.principal, "principal-of-AKIDEXAMPLE", "{case}");
        assert_eq!(verified.scope.region, context.region, "{case}");
        assert_eq!(verified.scope.service, context.service, "{case}");
        assert_eq!(
            verified
                .security_token
                .as_ref()
                .map(|token| token.expose().to_owned()),
            context.token,
            "{case}: security token"
        );

        let signed_headers = signed_header_names(&expected_canonical);
        let resign = |mutated: &RawRequest| {
            let unsigned = ["authorization", "x-amz-security-token"];
            let headers_to_sign: Vec<(&str, &str)> = mutated
                .headers
                .iter()
                .filter(|(name, _)| !unsigned.contains(&name.to_ascii_lowercase().as_str()))
                .filter(|(name, _)| !name.eq_ignore_ascii_case("x-amz-content-sha256"))
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            signer
                .sign(&mutated.http(&headers_to_sign), time)
                .ok()
                .map(|signed| signed.signature)
        };
        let (tried, equivalent) = assert_mutations_fail(
            &wire,
            &SignedParts {
                signed_headers: &signed_headers,
                body_signed: true,
                query_token_unsigned: false,
            },
            &verifier,
            &resign,
            expected_signature.trim(),
            &case,
        );
        totals.0 += tried;
        totals.1 += equivalent;
    }
    println!(
        "header mutations: {} tried, {} equivalent",
        totals.0, totals.1
    );
    assert!(
        totals.1 * 100 < totals.0,
        "too many equivalent mutations: {totals:?}"
    );
}

#[test]
fn aws_c_auth_query_cases() {
    let folders = case_folders("corpus/sigv4-test-suite/aws-c-auth/v4");
    let mut totals = (0, 0);
    for folder in &folders {
        let case = folder.file_name().unwrap().to_string_lossy().into_owned();
        let context = aws_c_context(folder);
        let request = RawRequest::parse(&read_text(&folder.join("request.txt")));
        let time: Timestamp = context.time.parse().unwrap();
        let signer = signer_for(&context);

        let pairs = request.header_pairs();
        let presigned = signer.presign(&request.http(&pairs), time, 3600).unwrap();

        let expected_canonical = read_text(&folder.join("query-canonical-request.txt"));
        assert_eq!(
            presigned.canonical_request, expected_canonical,
            "{case}: canonical request"
        );
        let expected_string_to_sign = read_text(&folder.join("query-string-to-sign.txt"));
        assert_eq!(
            presigned.string_to_sign, expected_string_to_sign,
            "{case}: string to sign"
        );
        let expected_signature = read_text(&folder.join("query-signature.txt"));
        assert_eq!(
            presigned.signature,
            expected_signature.trim(),
            "{case}: signature"
        );

        let rules = ServiceRules {
            allow_unsigned_presigned_token: context.omit_session_token,
            ..suite_rules(context.normalize)
        };
        let verifier = verifier_at(&context.time, &context.service, rules);
        let ours = RawRequest {
            query: presigned.query.clone(),
            ..request.clone()
        };
        let our_pairs = ours.header_pairs();
        verifier
            .verify(&ours.http(&our_pairs))
            .unwrap_or_else(|error| panic!("{case}: our presigned request: {error}"));

        let wire = RawRequest::parse(&read_text(&folder.join("query-signed-request.txt")));
        let wire_pairs = wire.header_pairs();
        let verified = verifier
            .verify(&wire.http(&wire_pairs))
            .unwrap_or_else(|error| panic!("{case}: {error}"));
        assert_eq!(verified.scope.service, context.service, "{case}");
        assert_eq!(
            verified
                .security_token
                .as_ref()
                .map(|token| token.expose().to_owned()),
            context.token,
            "{case}: security token"
        );

        let signed_headers = signed_header_names(&expected_canonical);
        let resign = |mutated: &RawRequest| {
            let base: String = mutated
                .query
                .split('&')
                .filter(|parameter| !parameter.starts_with("X-Amz-"))
                .collect::<Vec<_>>()
                .join("&");
            let stripped = RawRequest {
                query: base,
                ..mutated.clone()
            };
            let stripped_pairs = stripped.header_pairs();
            signer
                .presign(&stripped.http(&stripped_pairs), time, 3600)
                .ok()
                .map(|presigned| presigned.signature)
        };
        let (tried, equivalent) = assert_mutations_fail(
            &wire,
            &SignedParts {
                signed_headers: &signed_headers,
                body_signed: true,
                query_token_unsigned: context.omit_session_token,
            },
            &verifier,
            &resign,
            expected_signature.trim(),
            &case,
        );
        totals.0 += tried;
        totals.1 += equivalent;
    }
    println!(
        "query mutations: {} tried, {} equivalent",
        totals.0, totals.1
    );
    assert!(
        totals.1 * 100 < totals.0,
        "too many equivalent mutations: {totals:?}"
    );
}

fn botocore_cases() -> Vec<(String, std::path::PathBuf)> {
    let mut cases = Vec::new();
    for folder in case_folders("corpus/sigv4-test-suite/botocore-aws4_testsuite") {
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        if folder.join(format!("{name}.req")).exists() {
            cases.push((name, folder));
        } else {
            for nested in std::fs::read_dir(&folder).unwrap() {
                let nested = nested.unwrap().path();
                if nested.is_dir() {
                    let nested_name = nested.file_name().unwrap().to_string_lossy().into_owned();
                    cases.push((format!("{name}/{nested_name}"), nested));
                }
            }
        }
    }
    cases.sort();
    cases
}

#[test]
fn botocore_suite_cases() {
    let cases = botocore_cases();
    assert_eq!(cases.len(), 34, "expected the 34 botocore cases");
    let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
    let time: Timestamp = SUITE_TIME.parse().unwrap();
    let mut totals = (0, 0);
    for (case, folder) in &cases {
        let leaf = folder.file_name().unwrap().to_string_lossy().into_owned();
        let file = |extension: &str| folder.join(format!("{leaf}.{extension}"));
        let request = RawRequest::parse(&read_text(&file("req")));
        let wire = RawRequest::parse(&read_text(&file("sreq")));
        let readme = read_text(&shared_path(
            "corpus/sigv4-test-suite/botocore-aws4_testsuite/post-sts-token/readme.txt",
        ));
        assert!(
            readme.contains(token),
            "the botocore readme names the session token"
        );
        let token_header = wire
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("x-amz-security-token"))
            .map(|(_, value)| value.clone());
        let has_token_header = token_header.is_some();
        let token_after = leaf == "post-sts-header-after";
        let credentials = Credentials {
            access_key_id: ACCESS_KEY_ID.to_owned(),
            secret_access_key: SecretAccessKey::new(SECRET),
            session_token: token_header
                .or_else(|| token_after.then(|| token.to_owned()))
                .map(SecurityToken::new),
        };
        let signer = Signer::new(credentials, "us-east-1", "service")
            .with_signed_security_token(!token_after);

        let pairs = request.header_pairs();
        let signed = signer.sign(&request.http(&pairs), time).unwrap();
        assert_eq!(
            signed.canonical_request,
            read_text(&file("creq")),
            "{case}: canonical"
        );
        assert_eq!(
            signed.string_to_sign,
            read_text(&file("sts")),
            "{case}: string to sign"
        );
        let authorization = signed
            .headers
            .iter()
            .find(|(name, _)| name == "Authorization")
            .map(|(_, value)| value.clone())
            .unwrap();
        assert_eq!(
            authorization,
            read_text(&file("authz")),
            "{case}: authorization"
        );

        let verifier = verifier_at(SUITE_TIME, "service", ServiceRules::STANDARD);
        // The `.sreq` file of get-vanilla-with-session-token carries a signature that differs
        // from its `.authz`. That request must fail, and the one with the `.authz` value must
        // verify.
        let mut wire = wire;
        let authorization_index = wire
            .headers
            .iter()
            .position(|(name, _)| name.eq_ignore_ascii_case("authorization"))
            .unwrap();
        if wire.headers[authorization_index].1.trim() != authorization {
            let wire_pairs = wire.header_pairs();
            let error = verifier.verify(&wire.http(&wire_pairs)).unwrap_err();
            assert_eq!(error.aws_code(), "SignatureDoesNotMatch", "{case}");
            wire.headers[authorization_index].1 = authorization.clone();
        }
        let wire_pairs = wire.header_pairs();
        let verified = verifier
            .verify(&wire.http(&wire_pairs))
            .unwrap_or_else(|error| panic!("{case}: {error}"));
        assert_eq!(verified.scope.service, "service");
        assert_eq!(
            verified.security_token.is_some(),
            has_token_header || token_after,
            "{case}: token surfaced"
        );

        let signed_headers = signed_header_names(&signed.canonical_request);
        let resign = |mutated: &RawRequest| {
            let headers_to_sign: Vec<(&str, &str)> = mutated
                .headers
                .iter()
                .filter(|(name, _)| {
                    let lower = name.to_ascii_lowercase();
                    lower != "authorization" && !(token_after && lower == "x-amz-security-token")
                })
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            signer
                .sign(&mutated.http(&headers_to_sign), time)
                .ok()
                .map(|signed| signed.signature)
        };
        let (tried, equivalent) = assert_mutations_fail(
            &wire,
            &SignedParts {
                signed_headers: &signed_headers,
                body_signed: true,
                query_token_unsigned: false,
            },
            &verifier,
            &resign,
            &signed.signature,
            case,
        );
        totals.0 += tried;
        totals.1 += equivalent;
    }
    println!(
        "botocore mutations: {} tried, {} equivalent",
        totals.0, totals.1
    );
    assert!(
        totals.1 * 100 < totals.0,
        "too many equivalent mutations: {totals:?}"
    );
}

#[test]
fn iam_list_users_example() {
    let example = read_json(&shared_path(
        "corpus/sigv4-test-suite/iam-listusers-example.json",
    ));
    let raw = example["request"]
        .as_str()
        .unwrap()
        .replace("https://iam.amazonaws.com", "");
    let request = RawRequest::parse(&raw);
    let time: Timestamp = SUITE_TIME.parse().unwrap();
    let signer = Signer::new(
        Credentials {
            access_key_id: ACCESS_KEY_ID.to_owned(),
            secret_access_key: SecretAccessKey::new(SECRET),
            session_token: None,
        },
        "us-east-1",
        "iam",
    );

    let pairs = request.header_pairs();
    let signed = signer.sign(&request.http(&pairs), time).unwrap();

    assert_eq!(
        signed.canonical_request,
        example["canonical_request"].as_str().unwrap()
    );
    assert_eq!(
        signed.string_to_sign,
        example["string_to_sign"].as_str().unwrap()
    );
    assert_eq!(signed.signature, example["signature"].as_str().unwrap());
    let authorization = signed.headers.last().unwrap();
    assert_eq!(authorization.1, example["authorization"].as_str().unwrap());

    let clock = Arc::new(FixedClock::new(time));
    let verifier = Verifier::new(resolve_suite_key as Resolver, clock, ["iam"]);
    let signed_pairs = signed.header_pairs();
    let verified = verifier
        .verify(&HttpRequest {
            headers: &signed_pairs,
            ..request.http(&pairs)
        })
        .unwrap();
    assert_eq!(verified.scope.service, "iam");
    assert_eq!(verified.scope.region, "us-east-1");
}

#[test]
fn s3_worked_examples() {
    let examples = read_json(&shared_path("corpus/sigv4-test-suite/s3-examples.json"));
    let time = examples["timestamp"].as_str().unwrap();
    let verifier = verifier_at(time, "s3", ServiceRules::S3);
    let mut verified_cases = 0;
    for case in examples["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let headers: Vec<(String, String)> = case["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_owned(),
                    pair[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let body = case["body"].as_str().unwrap_or("").as_bytes().to_vec();
        let (path, query) = if let Some(url) = case["presigned_url"].as_str() {
            let target = url.trim_start_matches("https://examplebucket.s3.amazonaws.com");
            let (path, query) = target.split_once('?').unwrap();
            (path.to_owned(), query.to_owned())
        } else {
            let sent = case["path_as_sent"]
                .as_str()
                .or(case["canonical_uri"].as_str())
                .unwrap();
            let (path, query) = sent.split_once('?').unwrap_or((sent, ""));
            (path.to_owned(), query.to_owned())
        };
        let mut request = RawRequest {
            method: case["method"].as_str().unwrap().to_owned(),
            path,
            query,
            headers,
            body,
        };
        if let Some(authorization) = case["authorization"].as_str() {
            request
                .headers
                .push(("Authorization".to_owned(), authorization.to_owned()));
        }
        let pairs = request.header_pairs();
        let verified = verifier
            .verify(&request.http(&pairs))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(
            verified.signature.expose(),
            case["signature"].as_str().unwrap(),
            "{name}"
        );
        let streaming = name.starts_with("chunked");
        let presigned = case["presigned_url"].is_string();
        assert_eq!(
            verified.payload_signed,
            !streaming && !presigned,
            "{name}: payload signed"
        );
        verified_cases += 1;

        let mut tampered = request.clone();
        tampered.method = "DELETE".to_owned();
        let tampered_pairs = tampered.header_pairs();
        assert!(
            verifier.verify(&tampered.http(&tampered_pairs)).is_err(),
            "{name}: a changed method must fail"
        );
    }
    assert_eq!(verified_cases, 6);

    // The presigned example again, from the signer.
    let presigned_case = &examples["cases"][4];
    let signer = Signer::new(
        Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
            secret_access_key: SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            session_token: None,
        },
        "us-east-1",
        "s3",
    );
    assert_eq!(
        ServiceRules::for_service("s3").presigned_payload,
        PresignedPayload::Unsigned
    );
    let headers = [("Host", "examplebucket.s3.amazonaws.com")];
    let presigned = signer
        .presign(
            &HttpRequest {
                method: "GET",
                path: "/test.txt",
                query: "",
                headers: &headers,
                body: b"",
            },
            time.parse().unwrap(),
            86_400,
        )
        .unwrap();
    assert_eq!(
        presigned.canonical_request,
        presigned_case["canonical_request"].as_str().unwrap()
    );
    assert_eq!(
        presigned.signature,
        presigned_case["signature"].as_str().unwrap()
    );
}

#[test]
fn s3_chunk_signatures_chain() {
    let examples = read_json(&shared_path("corpus/sigv4-test-suite/s3-examples.json"));
    let case = &examples["cases"][5];
    assert_eq!(case["name"], "chunked-put-object-seed");
    let scope = iam_auth::sigv4::CredentialScope {
        date: "20130524".to_owned(),
        region: "us-east-1".to_owned(),
        service: "s3".to_owned(),
    };
    let secret = SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let time: Timestamp = examples["timestamp"].as_str().unwrap().parse().unwrap();
    let seed = case["signature"].as_str().unwrap();
    let mut signer = iam_auth::sigv4::ChunkSignatures::new(&secret, &scope, time, seed).unwrap();
    let mut verifier = iam_auth::sigv4::ChunkSignatures::new(&secret, &scope, time, seed).unwrap();
    let chunks = case["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 3);

    for chunk in chunks {
        let size = usize::try_from(chunk["chunk_size"].as_u64().unwrap()).unwrap();
        let data = vec![b'a'; size];
        let expected = chunk["signature"].as_str().unwrap();

        let mut tampered = data.clone();
        tampered.push(b'b');
        assert!(
            verifier.verify_next(&tampered, expected).is_err(),
            "size {size}"
        );
        assert_eq!(signer.sign_next(&data), expected, "size {size}");
        verifier.verify_next(&data, expected).unwrap();
    }
}
