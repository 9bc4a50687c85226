//! Measures issuing and verifying one session token in process.

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark with fixed valid inputs stops at the first failure"
)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use iam_auth::SystemRandomSource;
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_sts::{PrincipalKind, SessionClaims, SessionTag, SessionTokens};
use jiff::{SignedDuration, Timestamp};

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
    // The server's random source, so the measurement includes drawing the nonce, the access
    // key id and the secret from the operating system.
    let random = SystemRandomSource::new();
    let key = KeyEncryptionKey::generate("bench", &random).unwrap();
    let tokens = SessionTokens::new(Arc::new(Keyring::new(key)));
    let claims = role_session_claims();
    let credentials = tokens.issue(&claims, &random).unwrap();
    let now = claims.issued_at;

    c.bench_function("session_token/issue", |b| {
        b.iter(|| tokens.issue(black_box(&claims), &random).unwrap())
    });
    // The same work with a generator in process, which separates the cost of the two system
    // calls to the operating system's generator from the token work itself.
    let in_process = iam_model::SeededRandom::new(1);
    c.bench_function("session_token/issue_in_process_random", |b| {
        b.iter(|| tokens.issue(black_box(&claims), &in_process).unwrap())
    });
    c.bench_function("session_token/verify", |b| {
        b.iter(|| {
            tokens
                .verify(
                    black_box(credentials.session_token.expose()),
                    black_box(credentials.access_key_id.as_str()),
                    now,
                )
                .unwrap()
        })
    });
}

criterion_group!(benches, session_token);
criterion_main!(benches);
