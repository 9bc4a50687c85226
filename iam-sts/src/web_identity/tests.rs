use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::json;

use super::*;

const ISSUER: &str = "https://token.example.com";
const CLIENT_ID: &str = "sts.amazonaws.com";

fn now() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

struct EcKey {
    pair: EcdsaKeyPair,
}

impl EcKey {
    fn generate() -> Self {
        let random = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &random)
                .unwrap();
        Self { pair }
    }

    fn jwk(&self, kid: &str) -> Value {
        let point = self.pair.public_key().as_ref();
        json!({
            "kty": "EC",
            "crv": "P-256",
            "kid": kid,
            "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        })
    }

    fn sign(&self, input: &[u8]) -> Vec<u8> {
        self.pair
            .sign(&SystemRandom::new(), input)
            .unwrap()
            .as_ref()
            .to_vec()
    }
}

/// Generating a 2048-bit RSA key takes seconds in a debug build, so the tests share one.
fn rsa_key() -> &'static rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::Generate;
        rsa::PrivateKey::generate()
    })
}

fn rsa_jwk(kid: &str) -> Value {
    let public = rsa_key().to_public_key();
    json!({
        "kty": "RSA",
        "kid": kid,
        "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(public.n().to_be_bytes_trimmed_vartime()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_be_bytes_trimmed_vartime()),
    })
}

fn rsa_sign(input: &[u8]) -> Vec<u8> {
    let signing_key = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(rsa_key().clone());
    signing_key.sign(input).to_vec()
}

fn provider(keys: Vec<Value>) -> IdentityProvider {
    IdentityProvider {
        arn: "arn:aws:iam::111122223333:oidc-provider/token.example.com"
            .parse()
            .unwrap(),
        issuer_url: ISSUER.to_owned(),
        client_ids: vec![CLIENT_ID.to_owned()],
        jwks: Jwks::parse(&json!({ "keys": keys }).to_string()).unwrap(),
        algorithms: vec![JwtAlgorithm::Rs256, JwtAlgorithm::Es256],
    }
}

fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "repo:example/app:ref:refs/heads/main",
        "aud": [CLIENT_ID, "other"],
        "amr": ["pwd", "mfa"],
        "iat": now().as_second() - 60,
        "nbf": now().as_second() - 60,
        "exp": now().as_second() + 600,
    })
}

fn token(header: &Value, payload: &Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn es256_token(key: &EcKey, kid: &str, payload: &Value) -> String {
    token(
        &json!({"alg": "ES256", "kid": kid, "typ": "JWT"}),
        payload,
        |input| key.sign(input),
    )
}

fn verify(token: &str, provider: &IdentityProvider) -> Result<IdentityTokenClaims, StsError> {
    verify_identity_token(token, provider, now(), DEFAULT_MAX_CLOCK_SKEW_SECONDS)
}

fn code(result: Result<IdentityTokenClaims, StsError>) -> &'static str {
    result.map(|_| "ok").unwrap_or_else(|error| error.code())
}

#[test]
fn es256_token_verifies() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);

    let claims = verify(&es256_token(&key, "ec-1", &claims()), &provider).unwrap();

    assert_eq!(claims.issuer, ISSUER);
    assert_eq!(claims.subject, "repo:example/app:ref:refs/heads/main");
    assert_eq!(claims.audience, CLIENT_ID);
    assert_eq!(claims.authentication_methods, ["pwd", "mfa"]);
    assert_eq!(claims.expires_at.as_second(), now().as_second() + 600);
    assert_eq!(
        claims.issued_at.map(|at| at.as_second()),
        Some(now().as_second() - 60)
    );
}

#[test]
fn rs256_token_verifies() {
    let provider = provider(vec![rsa_jwk("rsa-1")]);
    let token = token(
        &json!({"alg": "RS256", "kid": "rsa-1"}),
        &claims(),
        rsa_sign,
    );

    let claims = verify(&token, &provider).unwrap();

    assert_eq!(claims.audience, CLIENT_ID);
}

#[test]
fn key_found_without_kid() {
    let key = EcKey::generate();
    let provider = provider(vec![rsa_jwk("rsa-1"), key.jwk("ec-1")]);
    let token = token(&json!({"alg": "ES256"}), &claims(), |input| key.sign(input));

    assert_eq!(code(verify(&token, &provider)), "ok");
}

#[test]
fn unpinned_algorithms_are_rejected() {
    let key = EcKey::generate();
    let mut es_only = provider(vec![rsa_jwk("rsa-1"), key.jwk("ec-1")]);
    es_only.algorithms = vec![JwtAlgorithm::Es256];
    let rs256 = token(
        &json!({"alg": "RS256", "kid": "rsa-1"}),
        &claims(),
        rsa_sign,
    );
    let none = token(&json!({"alg": "none"}), &claims(), |_| Vec::new());
    let hs256 = token(&json!({"alg": "HS256"}), &claims(), |_| vec![0; 32]);
    let no_alg = token(&json!({"kid": "ec-1"}), &claims(), |input| key.sign(input));

    for token in [rs256, none, hs256, no_alg] {
        assert_eq!(code(verify(&token, &es_only)), "InvalidIdentityToken");
    }
}

#[test]
fn key_type_must_match_algorithm() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("shared")]);
    let token = token(
        &json!({"alg": "RS256", "kid": "shared"}),
        &claims(),
        rsa_sign,
    );

    assert_eq!(code(verify(&token, &provider)), "InvalidIdentityToken");
}

#[test]
fn unknown_kid_is_rejected() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);

    let result = verify(&es256_token(&key, "ec-2", &claims()), &provider);

    assert_eq!(code(result), "InvalidIdentityToken");
}

#[test]
fn signature_by_other_key_is_rejected() {
    let trusted = EcKey::generate();
    let attacker = EcKey::generate();
    let provider = provider(vec![trusted.jwk("ec-1")]);

    let result = verify(&es256_token(&attacker, "ec-1", &claims()), &provider);

    assert_eq!(code(result), "InvalidIdentityToken");
}

#[test]
fn altered_payload_is_rejected() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);
    let original = es256_token(&key, "ec-1", &claims());
    let mut forged_claims = claims();
    forged_claims["sub"] = json!("repo:attacker/app");
    let forged_payload = URL_SAFE_NO_PAD.encode(forged_claims.to_string());
    let parts: Vec<&str> = original.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);

    assert_eq!(code(verify(&forged, &provider)), "InvalidIdentityToken");
}

#[test]
fn issuer_must_match_provider() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);
    let mut other_issuer = claims();
    other_issuer["iss"] = json!("https://evil.example.com");
    let mut trailing_slash = claims();
    trailing_slash["iss"] = json!("https://token.example.com/");

    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &other_issuer), &provider)),
        "InvalidIdentityToken"
    );
    assert_eq!(
        code(verify(
            &es256_token(&key, "ec-1", &trailing_slash),
            &provider
        )),
        "ok"
    );
}

#[test]
fn audience_must_be_a_client_id() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);
    let mut wrong = claims();
    wrong["aud"] = json!("someone-else");
    let mut single = claims();
    single["aud"] = json!(CLIENT_ID);
    let mut missing = claims();
    missing.as_object_mut().unwrap().remove("aud");

    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &wrong), &provider)),
        "InvalidIdentityToken"
    );
    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &single), &provider)),
        "ok"
    );
    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &missing), &provider)),
        "InvalidIdentityToken"
    );
}

#[test]
fn subject_is_required() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);
    let mut missing = claims();
    missing.as_object_mut().unwrap().remove("sub");

    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &missing), &provider)),
        "InvalidIdentityToken"
    );
}

#[test]
fn expiry_allows_bounded_skew() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);
    let with_exp = |exp: i64| {
        let mut payload = claims();
        payload["exp"] = json!(exp);
        es256_token(&key, "ec-1", &payload)
    };
    let skew = DEFAULT_MAX_CLOCK_SKEW_SECONDS;
    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");

    assert_eq!(
        code(verify(&with_exp(now().as_second() - skew), &provider)),
        "ok"
    );
    assert_eq!(
        code(verify(&with_exp(now().as_second() - skew - 1), &provider)),
        "ExpiredTokenException"
    );
    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &no_exp), &provider)),
        "ExpiredTokenException"
    );
}

#[test]
fn future_nbf_and_iat_are_rejected() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);
    let skew = DEFAULT_MAX_CLOCK_SKEW_SECONDS;
    let mut early_nbf = claims();
    early_nbf["nbf"] = json!(now().as_second() + skew + 1);
    let mut near_nbf = claims();
    near_nbf["nbf"] = json!(now().as_second() + skew);
    let mut future_iat = claims();
    future_iat["iat"] = json!(now().as_second() + skew + 1);
    let mut text_exp = claims();
    text_exp["exp"] = json!("soon");

    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &early_nbf), &provider)),
        "InvalidIdentityToken"
    );
    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &near_nbf), &provider)),
        "ok"
    );
    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &future_iat), &provider)),
        "InvalidIdentityToken"
    );
    assert_eq!(
        code(verify(&es256_token(&key, "ec-1", &text_exp), &provider)),
        "InvalidIdentityToken"
    );
}

#[test]
fn malformed_tokens_are_rejected() {
    let key = EcKey::generate();
    let provider = provider(vec![key.jwk("ec-1")]);
    let valid = es256_token(&key, "ec-1", &claims());
    let crit = token(
        &json!({"alg": "ES256", "kid": "ec-1", "crit": ["exp"]}),
        &claims(),
        |input| key.sign(input),
    );

    assert_eq!(code(verify("abc", &provider)), "ValidationError");
    assert_eq!(
        code(verify(&"a".repeat(20_001), &provider)),
        "ValidationError"
    );
    assert_eq!(code(verify("ab.cd", &provider)), "InvalidIdentityToken");
    assert_eq!(
        code(verify(&format!("{valid}.extra"), &provider)),
        "InvalidIdentityToken"
    );
    assert_eq!(code(verify("!!!.b.c", &provider)), "InvalidIdentityToken");
    assert_eq!(code(verify(&crit, &provider)), "InvalidIdentityToken");
}

#[test]
fn jwks_skips_unusable_keys() {
    let key = EcKey::generate();
    let document = json!({"keys": [
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
        {"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"},
        key.jwk("ec-1"),
    ]});

    let jwks = Jwks::parse(&document.to_string()).unwrap();

    assert_eq!(jwks.keys.len(), 1);
    assert_eq!(jwks.keys[0].key_id.as_deref(), Some("ec-1"));
}

#[test]
fn jwks_rejects_bad_documents() {
    let too_many = json!({"keys": vec![json!({"kty": "oct"}); MAX_JWKS_KEYS + 1]}).to_string();
    let cases = [
        "not json".to_owned(),
        "{}".to_owned(),
        json!({"keys": [{"kty": "RSA", "n": "AQAB"}]}).to_string(),
        json!({"keys": [{"kty": "RSA", "n": "+/+/", "e": "AQAB"}]}).to_string(),
        json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "AQAB", "y": "AQAB"}]}).to_string(),
        too_many,
        " ".repeat(MAX_JWKS_BYTES + 1),
    ];

    for document in &cases {
        let result = Jwks::parse(document);
        assert!(
            matches!(
                result,
                Err(StsError::Validation {
                    parameter: "JWKS",
                    ..
                })
            ),
            "`{}` accepted",
            &document[..document.len().min(40)]
        );
    }
}

#[test]
fn condition_key_prefix_drops_scheme() {
    let provider = provider(Vec::new());

    assert_eq!(provider.condition_key_prefix(), "token.example.com");
}
