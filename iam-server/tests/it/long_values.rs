//! Error responses to parameter values far longer than any field allows: the message repeats
//! at most a bounded prefix of the value.

use crate::harness::{ACCOUNT, Harness};

/// The maximum size of an error response body that the checks accept, in bytes. A repeated value is cut to 256
/// characters, each of which XML escapes can write as up to 6 bytes.
const MAX_BODY_BYTES: usize = 2_500;

#[tokio::test]
async fn long_values_are_shortened_in_errors() {
    let harness = Harness::new().await;
    let long = "a".repeat(30_000);
    let control = "%01".repeat(30_000);
    let requests = [
        format!("Action=GetUser&UserName={long}"),
        format!("Action=ListUsers&Marker={long}"),
        format!("Action=ListUsers&MaxItems={}", "9".repeat(30_000)),
        format!("Action=GetPolicy&PolicyArn=arn:aws:iam::{ACCOUNT}:policy/{long}"),
        format!("Action=GetPolicy&PolicyArn={long}"),
        format!("Action=AttachUserPolicy&UserName=alice&PolicyArn={long}"),
        format!("Action=PutUserPermissionsBoundary&UserName=alice&PermissionsBoundary={long}"),
        format!("Action=UpdateAccessKey&AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status={long}"),
        format!("Action=GetUser&UserName={control}"),
    ];

    for request in &requests {
        let reply = harness.iam(request).await;

        assert!(reply.code().is_some(), "{}", reply.body);
        assert!(
            reply.body.len() <= MAX_BODY_BYTES,
            "{}: {} bytes: {}",
            &request[..40],
            reply.body.len(),
            &reply.body[..300]
        );
    }
}
