//! Measures issuing and verifying one session token in process.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::RandomSource;
use iam_sts::{Keyring, PrincipalKind, SessionClaims, SessionTag, SessionTokens};
use jiff::{SignedDuration, Timestamp};
use ring::rand::SecureRandom;

/// The operating system's generator, as the server uses, so the measurement includes the cost
/// of drawing the nonce, access key id and secret.
struct SystemRandom(ring::rand::SystemRandom);

impl RandomSource for SystemRandom {
    fn fill(&self, buffer: &mut [u8]) {
        self.0.fill(buffer).unwrap();
    }
}

fn role_session_claims() -> SessionClaims {
    let issued_at: Timestamp = "2026-01-02T03:04:05Z".parse().unwrap();
    SessionClaims {
        kind: PrincipalKind::AssumedRole,
        account: "111122223333".parse().unwrap(),
        principal_arn: "arn:aws:sts::111122223333:assumed-role/ops-admin/deploy"
            .parse()
            .unwrap(),
        source_arn: "arn:aws:iam::111122223333:role/ops/ops-admin"
            .parse()
            .unwrap(),
        source_id: "AROAEXAMPLEROLEID0001".to_owned(),
        session_name: "deploy".to_owned(),
        issued_at,
        expires_at: issued_at + SignedDuration::from_secs(3600),
        source_identity: Some("alice".to_owned()),
        tags: vec![SessionTag {
            key: "team".to_owned(),
            value: "blue".to_owned(),
            transitive: true,
        }],
        session_policy: None,
        session_policy_arns: Vec::new(),
        mfa_authenticated_at: Some(issued_at),
        chained: false,
        iam_denied: false,
        federated_provider: None,
    }
}

fn session_token(c: &mut Criterion) {
    let random = SystemRandom(ring::rand::SystemRandom::new());
    let tokens = SessionTokens::new(Keyring::generate(1, &random).unwrap());
    let claims = role_session_claims();
    let credentials = tokens.issue(&claims, &random).unwrap();
    let now = claims.issued_at;

    c.bench_function("session_token/issue", |b| {
        b.iter(|| tokens.issue(black_box(&claims), &random).unwrap())
    });
    c.bench_function("session_token/verify", |b| {
        b.iter(|| {
            tokens
                .verify(
                    black_box(credentials.session_token.expose()),
                    black_box(&credentials.access_key_id),
                    now,
                )
                .unwrap()
        })
    });
}

criterion_group!(benches, session_token);
criterion_main!(benches);
