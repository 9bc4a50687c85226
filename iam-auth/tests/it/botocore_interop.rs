//! Requests signed by botocore, the signer of boto3 and the AWS CLI, verify here, and requests
//! signed here verify in botocore's own canonicalization. The tests run `python3` with botocore
//! installed and fail when it is missing.

use std::process::Command;
use std::sync::Arc;

use iam_auth::sigv4::{AuthenticationMethod, HttpRequest, ResolvedCredential, Verifier};
use iam_auth::{AuthError, SecretAccessKey};
use iam_model::FixedClock;
use jiff::Timestamp;
use serde_json::Value;

const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const TEMPORARY_KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Signs a set of requests with botocore and prints them as JSON: method, URL, headers, body,
/// and the `X-Amz-Date` botocore used.
const SIGN_SCRIPT: &str = r#"
import json
from urllib.parse import urlsplit
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

long_term = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
temporary = Credentials("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        "FwoGZXIvYXdzEJr//////////wEaDExampleToken+/=")

cases = []

def emit(name, request, service):
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    headers = [[k, v] for k, v in prepared.headers.items()]
    headers.append(["Host", parts.netloc])
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    cases.append({"name": name, "service": service, "method": prepared.method,
                  "path": parts.path or "/", "query": parts.query, "headers": headers,
                  "body": body.decode("latin-1")})

r = AWSRequest(method="POST", url="https://iam.amazonaws.com/",
               data={"Action": "CreateUser", "Version": "2010-05-08", "UserName": "alice",
                     "Path": "/division/"},
               headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(long_term, "iam", "us-east-1").add_auth(r)
emit("iam-post-form", r, "iam")

r = AWSRequest(method="GET", url="https://sts.amazonaws.com/",
               params={"Action": "GetCallerIdentity", "Version": "2011-06-15",
                       "Note": "a+b c~d/e*f"})
SigV4Auth(long_term, "sts", "eu-central-1").add_auth(r)
emit("sts-get-params", r, "sts")

r = AWSRequest(method="POST", url="https://sts.amazonaws.com/",
               data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
               headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(temporary, "sts", "us-west-2").add_auth(r)
emit("sts-post-session-token", r, "sts")

r = AWSRequest(method="GET", url="https://sts.amazonaws.com/",
               params={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
SigV4QueryAuth(temporary, "sts", "us-east-1", expires=900).add_auth(r)
emit("sts-presigned", r, "sts")

r = AWSRequest(method="GET", url="https://abc.execute-api.us-east-1.amazonaws.com/prod/a%20b/./c//d")
SigV4Auth(long_term, "execute-api", "us-east-1").add_auth(r)
emit("path-double-encoded", r, "execute-api")

print(json.dumps(cases))
"#;

fn resolve(
    access_key_id: &str,
    token: Option<&str>,
) -> Result<ResolvedCredential<String>, AuthError> {
    let known = access_key_id == KEY_ID || access_key_id == TEMPORARY_KEY_ID;
    if !known {
        return Err(AuthError::InvalidClientTokenId {
            access_key_id: access_key_id.to_owned(),
            reason: "unknown access key",
        });
    }
    Ok(ResolvedCredential {
        secret: SecretAccessKey::new(SECRET),
        principal: format!("{access_key_id} {}", token.unwrap_or("-")),
        expiration: None,
    })
}

type Resolver = fn(&str, Option<&str>) -> Result<ResolvedCredential<String>, AuthError>;

fn botocore_requests() -> Vec<Value> {
    let output = Command::new("python3")
        .args(["-c", SIGN_SCRIPT])
        .output()
        .expect("python3 must be installed to run the botocore interoperability tests");
    assert!(
        output.status.success(),
        "botocore failed to sign (is botocore installed? `pip install boto3`): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cases: Value = serde_json::from_slice(&output.stdout).unwrap();
    cases.as_array().unwrap().clone()
}

fn amz_date(case: &Value) -> Timestamp {
    let headers = case["headers"].as_array().unwrap();
    let from_header = headers
        .iter()
        .find(|pair| pair[0].as_str().unwrap().eq_ignore_ascii_case("x-amz-date"))
        .map(|pair| pair[1].as_str().unwrap().to_owned());
    let query = case["query"].as_str().unwrap();
    let from_query = query
        .split('&')
        .find_map(|parameter| parameter.strip_prefix("X-Amz-Date="))
        .map(str::to_owned);
    let text = from_header.or(from_query).unwrap();
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &text[0..4],
        &text[4..6],
        &text[6..8],
        &text[9..11],
        &text[11..13],
        &text[13..15]
    );
    iso.parse().unwrap()
}

#[test]
fn botocore_signed_requests_verify() {
    let cases = botocore_requests();
    assert_eq!(cases.len(), 5);
    for case in &cases {
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
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let body: Vec<u8> = case["body"]
            .as_str()
            .unwrap()
            .chars()
            .map(|c| c as u8)
            .collect();
        let request = HttpRequest {
            method: case["method"].as_str().unwrap(),
            path: case["path"].as_str().unwrap(),
            query: case["query"].as_str().unwrap(),
            headers: &pairs,
            body: &body,
        };
        let verifier = Verifier::new(
            resolve as Resolver,
            Arc::new(FixedClock::new(amz_date(case))),
            [case["service"].as_str().unwrap()],
        );

        let verified = verifier
            .verify(&request)
            .unwrap_or_else(|error| panic!("{name}: {error}"));

        assert_eq!(verified.scope.service, case["service"], "{name}");
        let tampered_body = [body.as_slice(), b"&UserName=mallory"].concat();
        let tampered = HttpRequest {
            body: &tampered_body,
            ..request
        };
        let tampered_outcome = verifier.verify(&tampered);
        if verified.method == AuthenticationMethod::Header {
            assert!(
                tampered_outcome.is_err(),
                "{name}: a changed body must fail"
            );
        }
        if name.contains("session-token") || name.contains("presigned") {
            let token = verified.security_token.as_ref().unwrap();
            assert_eq!(
                token.expose(),
                "FwoGZXIvYXdzEJr//////////wEaDExampleToken+/=",
                "{name}"
            );
        }
    }
}

/// Computes botocore's canonical request and signature for a request given as JSON on stdin.
const CHECK_SCRIPT: &str = r#"
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

case = json.load(sys.stdin)
credentials = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
url = "https://" + case["host"] + case["path"] + ("?" + case["query"] if case["query"] else "")
request = AWSRequest(method=case["method"], url=url, data=case["body"].encode(),
                     headers=dict(case["headers"]))
request.context["timestamp"] = case["amz_date"]
auth = SigV4Auth(credentials, case["service"], case["region"])
canonical = auth.canonical_request(request)
string_to_sign = auth.string_to_sign(request, canonical)
print(json.dumps({"canonical_request": canonical,
                  "signature": auth.signature(string_to_sign, request)}))
"#;

#[test]
fn our_signatures_match_botocore() {
    use iam_auth::sigv4::{Credentials, Signer};
    use std::io::Write;

    let cases = [
        (
            "iam",
            "POST",
            "/",
            "",
            "Action=ListUsers&Version=2010-05-08",
        ),
        (
            "sts",
            "GET",
            "/",
            "Action=GetCallerIdentity&Version=2011-06-15&X=a%20b~c",
            "",
        ),
        ("execute-api", "GET", "/prod/a%20b/c", "q=%E1%88%B4", ""),
    ];
    for (service, method, path, query, body) in cases {
        let host = format!("{service}.amazonaws.com");
        let headers = [
            ("Host", host.as_str()),
            (
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
        ];
        let request = HttpRequest {
            method,
            path,
            query,
            headers: &headers,
            body: body.as_bytes(),
        };
        let signer = Signer::new(
            Credentials {
                access_key_id: KEY_ID.to_owned(),
                secret_access_key: SecretAccessKey::new(SECRET),
                session_token: None,
            },
            "us-east-1",
            service,
        );
        let signed = signer
            .sign(&request, "2026-03-01T10:00:00Z".parse().unwrap())
            .unwrap();
        let unsigned_headers: Vec<(&str, &str)> = signed
            .header_pairs()
            .into_iter()
            .filter(|(name, _)| *name != "Authorization" && *name != "Host")
            .collect();
        let input = serde_json::json!({
            "host": host, "method": method, "path": path, "query": query, "body": body,
            "headers": unsigned_headers, "amz_date": "20260301T100000Z",
            "service": service, "region": "us-east-1",
        });

        let mut child = Command::new("python3")
            .args(["-c", CHECK_SCRIPT])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 must be installed to run the botocore interoperability tests");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.to_string().as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "botocore failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let expected: Value = serde_json::from_slice(&output.stdout).unwrap();

        assert_eq!(
            signed.canonical_request, expected["canonical_request"],
            "{service}: canonical request"
        );
        assert_eq!(
            signed.signature, expected["signature"],
            "{service}: signature"
        );
    }
}
