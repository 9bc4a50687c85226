//! Authorization headers that are not complete SigV4 signatures.

use crate::harness::{Harness, NOW};

const BODY: &str = "Action=ListUsers&Version=2010-05-08";

/// Returns `NOW` in the `X-Amz-Date` form.
fn amz_date() -> String {
    NOW.replace(['-', ':'], "")
}

#[tokio::test]
async fn short_credential_is_incomplete_signature() {
    let harness = Harness::new().await;
    let date = amz_date();
    let signature = "0".repeat(64);
    let headers = [
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/x".to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101, \
             SignedHeaders=host;x-amz-date, Signature={signature}"
        ),
    ];

    for authorization in &headers {
        let reply = harness
            .post_unsigned(
                &[("authorization", authorization), ("x-amz-date", &date)],
                BODY,
            )
            .await;

        reply.error("IncompleteSignature", 400);
    }
}

#[tokio::test]
async fn long_credential_is_incomplete_signature() {
    let harness = Harness::new().await;
    let date = amz_date();
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request/x, \
         SignedHeaders=host;x-amz-date, Signature={}",
        "0".repeat(64)
    );

    let reply = harness
        .post_unsigned(
            &[("authorization", &authorization), ("x-amz-date", &date)],
            BODY,
        )
        .await;

    reply.error("IncompleteSignature", 400);
}
