//! OpenID Connect providers through the router, with signing keys from the JWKS folder.

use iam_sts::web_identity::IdentityProvider;

use crate::harness::{ACCOUNT, Harness, encode};

const URL: &str = "https://token.example.com";
const ARN: &str = "arn:aws:iam::111122223333:oidc-provider/token.example.com";
const THUMBPRINT: &str = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
const JWKS: &str = r#"{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","n":"sXch","e":"AQAB"}]}"#;

async fn create(harness: &Harness, extra: &str) -> crate::harness::Reply {
    harness
        .iam(&format!(
            "Action=CreateOpenIDConnectProvider&Url={}&ClientIDList.member.1=app{extra}",
            encode(URL)
        ))
        .await
}

fn arn_parameter() -> String {
    format!("OpenIDConnectProviderArn={}", encode(ARN))
}

async fn stored_keys(harness: &Harness) -> Option<String> {
    harness
        .state
        .store
        .oidc_provider(ACCOUNT.parse().unwrap(), &ARN.parse().unwrap())
        .await
        .unwrap()
        .jwks
}

fn write_jwks(harness: &Harness, text: &str) {
    std::fs::write(harness.jwks_dir().join("token.example.com.json"), text).unwrap();
}

#[tokio::test]
async fn provider_lifecycle() {
    let harness = Harness::new().await;
    let arn = arn_parameter();

    let created = create(
        &harness,
        &format!(
            "&ThumbprintList.member.1={THUMBPRINT}&Tags.member.1.Key=team&Tags.member.1.Value=id"
        ),
    )
    .await
    .ok();
    harness
        .iam(&format!(
            "Action=AddClientIDToOpenIDConnectProvider&{arn}&ClientID=cli"
        ))
        .await
        .ok();
    harness
        .iam(&format!(
            "Action=AddClientIDToOpenIDConnectProvider&{arn}&ClientID=cli"
        ))
        .await
        .ok();
    harness
        .iam(&format!(
            "Action=RemoveClientIDFromOpenIDConnectProvider&{arn}&ClientID=absent"
        ))
        .await
        .ok();
    let fetched = harness
        .iam(&format!("Action=GetOpenIDConnectProvider&{arn}"))
        .await
        .ok();
    let listed = harness.iam("Action=ListOpenIDConnectProviders").await.ok();
    harness
        .iam(&format!(
            "Action=RemoveClientIDFromOpenIDConnectProvider&{arn}&ClientID=app"
        ))
        .await
        .ok();
    harness
        .iam(&format!(
            "Action=UpdateOpenIDConnectProviderThumbprint&{arn}&ThumbprintList.member.1={}",
            "a".repeat(40)
        ))
        .await
        .ok();
    let changed = harness
        .iam(&format!("Action=GetOpenIDConnectProvider&{arn}"))
        .await
        .ok();
    harness
        .iam(&format!("Action=DeleteOpenIDConnectProvider&{arn}"))
        .await
        .ok();
    let deleted = harness
        .iam(&format!("Action=GetOpenIDConnectProvider&{arn}"))
        .await;

    insta::assert_snapshot!("create_open_id_connect_provider", created.body);
    insta::assert_snapshot!("get_open_id_connect_provider", fetched.body);
    insta::assert_snapshot!("list_open_id_connect_providers", listed.body);
    assert_eq!(fetched.body.matches("<member>cli</member>").count(), 1);
    assert!(
        !changed.body.contains("<member>app</member>"),
        "{}",
        changed.body
    );
    assert!(changed.body.contains(&"a".repeat(40)), "{}", changed.body);
    deleted.error("NoSuchEntity", 404);
}

#[tokio::test]
async fn provider_tags_round_trip() {
    let harness = Harness::new().await;
    create(&harness, "").await.ok();
    let arn = arn_parameter();

    harness
        .iam(&format!(
            "Action=TagOpenIDConnectProvider&{arn}&Tags.member.1.Key=env&Tags.member.1.Value=prod"
        ))
        .await
        .ok();
    let tagged = harness
        .iam(&format!("Action=ListOpenIDConnectProviderTags&{arn}"))
        .await
        .ok();
    harness
        .iam(&format!(
            "Action=UntagOpenIDConnectProvider&{arn}&TagKeys.member.1=env"
        ))
        .await
        .ok();
    let untagged = harness
        .iam(&format!("Action=ListOpenIDConnectProviderTags&{arn}"))
        .await
        .ok();

    insta::assert_snapshot!("list_open_id_connect_provider_tags", tagged.body);
    assert!(!untagged.body.contains("env"), "{}", untagged.body);
}

#[tokio::test]
async fn provider_errors_have_aws_codes() {
    let harness = Harness::new().await;
    create(&harness, "").await.ok();
    let arn = arn_parameter();
    let many_ids: String = (1..=100)
        .map(|index| format!("&ClientIDList.member.{index}=id{index}"))
        .collect();

    create(&harness, "").await.error("EntityAlreadyExists", 409);
    harness
        .iam("Action=CreateOpenIDConnectProvider&Url=http%3A%2F%2Finsecure.example.com")
        .await
        .error("ValidationError", 400);
    harness
        .iam(&format!(
            "Action=CreateOpenIDConnectProvider&Url={}&ThumbprintList.member.1=xyz",
            encode("https://other.example.com")
        ))
        .await
        .error("ValidationError", 400);
    harness
        .iam("Action=GetOpenIDConnectProvider&OpenIDConnectProviderArn=not-an-arn")
        .await
        .error("InvalidInput", 400);
    harness
        .iam("Action=GetOpenIDConnectProvider")
        .await
        .error("ValidationError", 400);
    harness
        .iam(&format!(
            "Action=UpdateOpenIDConnectProviderThumbprint&{arn}"
        ))
        .await
        .error("ValidationError", 400);
    harness
        .iam(&format!(
            "Action=CreateOpenIDConnectProvider&Url={}{many_ids}",
            encode("https://many.example.com")
        ))
        .await
        .ok();
    harness
        .iam(&format!(
            "Action=AddClientIDToOpenIDConnectProvider&OpenIDConnectProviderArn={}&ClientID=one-more",
            encode("arn:aws:iam::111122223333:oidc-provider/many.example.com")
        ))
        .await
        .error("LimitExceeded", 409);
    harness
        .iam(&format!(
            "Action=DeleteOpenIDConnectProvider&OpenIDConnectProviderArn={}",
            encode("arn:aws:iam::111122223333:oidc-provider/none.example.com")
        ))
        .await
        .error("NoSuchEntity", 404);
}

#[tokio::test]
async fn jwks_file_is_stored_at_create() {
    let harness = Harness::new().await;
    write_jwks(&harness, JWKS);

    create(&harness, "").await.ok();

    assert_eq!(stored_keys(&harness).await.as_deref(), Some(JWKS));
    let provider = harness
        .state
        .store
        .oidc_provider(ACCOUNT.parse().unwrap(), &ARN.parse().unwrap())
        .await
        .unwrap();
    let verification = IdentityProvider::from_registered(&provider).unwrap();
    assert_eq!(verification.jwks.keys.len(), 1);
}

#[tokio::test]
async fn thumbprint_update_reloads_jwks_file() {
    let harness = Harness::new().await;
    create(&harness, "").await.ok();
    let before = stored_keys(&harness).await;
    write_jwks(&harness, JWKS);

    harness
        .iam(&format!(
            "Action=UpdateOpenIDConnectProviderThumbprint&{}&ThumbprintList.member.1={THUMBPRINT}",
            arn_parameter()
        ))
        .await
        .ok();

    assert_eq!(before, None);
    assert_eq!(stored_keys(&harness).await.as_deref(), Some(JWKS));
}

#[tokio::test]
async fn invalid_jwks_file_fails_create() {
    let harness = Harness::new().await;
    write_jwks(&harness, "{\"keys\": 5}");

    let reply = create(&harness, "").await;

    reply.error("InvalidInput", 400);
    assert!(
        !reply
            .body
            .contains(&harness.jwks_dir().display().to_string())
    );
    harness
        .iam(&format!(
            "Action=GetOpenIDConnectProvider&{}",
            arn_parameter()
        ))
        .await
        .error("NoSuchEntity", 404);
}
