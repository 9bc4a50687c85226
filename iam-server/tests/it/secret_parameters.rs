//! Error responses to requests whose credential parameters (passwords, MFA codes, tokens) are
//! invalid: the response names the parameter but never repeats its value.

use crate::harness::{Harness, encode};

/// A value that every check rejects before it is used: it contains a NUL character, which no
/// XML response can carry.
const SECRET: &str = "Hunter2-secret\u{0}value";

#[tokio::test]
async fn control_character_secrets_not_echoed() {
    let harness = Harness::new().await;
    harness.iam("Action=CreateUser&UserName=alice").await.ok();
    let secret = encode(SECRET);
    let serial = "arn:aws:iam::111122223333:mfa/alice";
    let iam_requests = [
        format!("Action=CreateLoginProfile&UserName=alice&Password={secret}"),
        format!("Action=UpdateLoginProfile&UserName=alice&Password={secret}"),
        format!("Action=ChangePassword&OldPassword={secret}&NewPassword=Correct-Horse-9"),
        format!("Action=ChangePassword&OldPassword=Correct-Horse-9&NewPassword={secret}"),
        format!(
            "Action=EnableMFADevice&UserName=alice&SerialNumber={serial}\
             &AuthenticationCode1={secret}&AuthenticationCode2=123456"
        ),
        format!(
            "Action=ResyncMFADevice&UserName=alice&SerialNumber={serial}\
             &AuthenticationCode1=123456&AuthenticationCode2={secret}"
        ),
    ];
    let sts_requests = [
        format!("Action=GetSessionToken&SerialNumber={serial}&TokenCode={secret}"),
        format!(
            "Action=AssumeRoleWithWebIdentity&RoleArn=arn:aws:iam::111122223333:role/app\
             &RoleSessionName=web&WebIdentityToken={secret}"
        ),
    ];

    let mut replies = Vec::new();
    for request in &iam_requests {
        replies.push((request, harness.iam(request).await));
    }
    for request in &sts_requests {
        replies.push((request, harness.sts(request).await));
    }

    for (request, reply) in replies {
        reply.error("ValidationError", 400);
        assert!(
            !reply.body.contains("Hunter2"),
            "{request} echoed the secret: {}",
            reply.body
        );
        assert!(
            reply.body.contains("Value &apos;***&apos;"),
            "{request} did not show the redacted value: {}",
            reply.body
        );
    }
}
