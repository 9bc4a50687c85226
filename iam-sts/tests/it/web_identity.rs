//! `AssumeRoleWithWebIdentity` with a provider registered in the store and keys generated here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use iam_model::{OidcProvider, Partition};
use iam_sts::{AssumeRoleWithWebIdentityRequest, PrincipalKind};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};

use crate::fixture::{MAIN_ACCOUNT, World, account, code};

const ISSUER: &str = "https://token.example.com";
const CLIENT_ID: &str = "sts.amazonaws.com";
const SUBJECT: &str = "repo:example/app:ref:refs/heads/main";

struct Signer {
    pair: EcdsaKeyPair,
}

impl Signer {
    fn generate() -> Self {
        let random = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &random)
                .unwrap();
        Self { pair }
    }

    fn jwks(&self) -> String {
        let point = self.pair.public_key().as_ref();
        json!({"keys": [{
            "kty": "EC",
            "crv": "P-256",
            "kid": "key-1",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        }]})
        .to_string()
    }

    fn token(&self, claims: &Value) -> String {
        let header = json!({"alg": "ES256", "kid": "key-1", "typ": "JWT"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }
}

fn claims(world: &World) -> Value {
    let now = world.now().as_second();
    json!({
        "iss": ISSUER,
        "sub": SUBJECT,
        "aud": CLIENT_ID,
        "amr": ["pwd"],
        "iat": now - 10,
        "exp": now + 600,
    })
}

fn trust_policy(subject: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.example.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"token.example.com:aud": CLIENT_ID},
                "StringLike": {"token.example.com:sub": subject}
            }
        }]
    })
    .to_string()
}

async fn register_provider(world: &World, jwks: Option<String>) {
    let provider = OidcProvider::new(
        Partition::Aws,
        account(MAIN_ACCOUNT),
        ISSUER,
        vec![CLIENT_ID.to_owned()],
        Vec::new(),
        world.now(),
    )
    .unwrap();
    let provider = OidcProvider { jwks, ..provider };
    world
        .store
        .create_oidc_provider(account(MAIN_ACCOUNT), provider)
        .await
        .unwrap();
}

fn request(token: String) -> AssumeRoleWithWebIdentityRequest {
    AssumeRoleWithWebIdentityRequest {
        role_arn: "arn:aws:iam::111122223333:role/deploy".to_owned(),
        role_session_name: "ci-run".to_owned(),
        web_identity_token: token,
        ..AssumeRoleWithWebIdentityRequest::default()
    }
}

#[tokio::test]
async fn valid_token_assumes_role() {
    let world = World::new();
    let signer = Signer::generate();
    register_provider(&world, Some(signer.jwks())).await;
    world
        .role(MAIN_ACCOUNT, "deploy", &trust_policy("repo:example/*"))
        .await;

    let result = world
        .sts
        .assume_role_with_web_identity(&request(signer.token(&claims(&world))))
        .await
        .unwrap();

    let claims = &result.session.claims;
    assert_eq!(claims.kind, PrincipalKind::AssumedRole);
    assert_eq!(
        claims.principal_arn.to_string(),
        "arn:aws:sts::111122223333:assumed-role/deploy/ci-run"
    );
    assert_eq!(
        claims.federated_provider.as_deref(),
        Some("arn:aws:iam::111122223333:oidc-provider/token.example.com")
    );
    assert_eq!(result.subject, SUBJECT);
    assert_eq!(result.audience, CLIENT_ID);
    assert_eq!(result.provider, "token.example.com");
    assert_eq!(
        claims.expires_at.duration_since(world.now()).as_secs(),
        3600
    );
}

#[tokio::test]
async fn trust_condition_on_subject_applies() {
    let world = World::new();
    let signer = Signer::generate();
    register_provider(&world, Some(signer.jwks())).await;
    world
        .role(MAIN_ACCOUNT, "deploy", &trust_policy("repo:other/*"))
        .await;

    let result = world
        .sts
        .assume_role_with_web_identity(&request(signer.token(&claims(&world))))
        .await;

    assert_eq!(code(result), "AccessDenied");
}

#[tokio::test]
async fn token_failures_map_to_sts_codes() {
    let world = World::new();
    let signer = Signer::generate();
    let other_signer = Signer::generate();
    register_provider(&world, Some(signer.jwks())).await;
    world
        .role(MAIN_ACCOUNT, "deploy", &trust_policy("repo:example/*"))
        .await;
    let mut expired = claims(&world);
    expired["exp"] = json!(world.now().as_second() - 3600);
    let mut unknown_issuer = claims(&world);
    unknown_issuer["iss"] = json!("https://unknown.example.com");
    let sts = &world.sts;

    let forged = sts
        .assume_role_with_web_identity(&request(other_signer.token(&claims(&world))))
        .await;
    let late = sts
        .assume_role_with_web_identity(&request(signer.token(&expired)))
        .await;
    let unregistered = sts
        .assume_role_with_web_identity(&request(signer.token(&unknown_issuer)))
        .await;
    let garbage = sts
        .assume_role_with_web_identity(&request("not-a-token".to_owned()))
        .await;

    assert_eq!(code(forged), "InvalidIdentityToken");
    assert_eq!(code(late), "ExpiredTokenException");
    assert_eq!(code(unregistered), "InvalidIdentityToken");
    assert_eq!(code(garbage), "InvalidIdentityToken");
}

#[tokio::test]
async fn provider_without_keys_rejects_tokens() {
    let world = World::new();
    let signer = Signer::generate();
    register_provider(&world, None).await;
    world
        .role(MAIN_ACCOUNT, "deploy", &trust_policy("repo:example/*"))
        .await;

    let result = world
        .sts
        .assume_role_with_web_identity(&request(signer.token(&claims(&world))))
        .await;

    assert_eq!(code(result), "InvalidIdentityToken");
}

#[tokio::test]
async fn missing_role_is_access_denied() {
    let world = World::new();
    let signer = Signer::generate();
    register_provider(&world, Some(signer.jwks())).await;

    let result = world
        .sts
        .assume_role_with_web_identity(&request(signer.token(&claims(&world))))
        .await;

    assert_eq!(code(result), "AccessDenied");
}
