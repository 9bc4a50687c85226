//! Measures issuing and verifying one session token in process.

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark with fixed valid inputs stops at the first failure"
)]

#[path = "support/claims.rs"]
mod claims;

use std::hint::black_box;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use claims::role_session_claims;
use criterion::{Criterion, criterion_group, criterion_main};
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_auth::{SystemRandomSource, ThreadRandomSource};
use iam_sts::SessionTokens;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

fn session_token(c: &mut Criterion) {
    // The operating system's generator, so this row includes one system call per token.
    let random = SystemRandomSource::new();
    let key = KeyEncryptionKey::generate("bench", &random).unwrap();
    let tokens = SessionTokens::new(Arc::new(Keyring::new(key)));
    let claims = role_session_claims();
    let credentials = tokens.issue(&claims, &random).unwrap();
    let now = claims.issued_at;

    c.bench_function("session_token/issue", |b| {
        b.iter(|| tokens.issue(black_box(&claims), &random).unwrap())
    });
    // The thread-local generator seeded from the operating system, which draws without a
    // system call.
    let thread_random = ThreadRandomSource::new();
    c.bench_function("session_token/issue_thread_random", |b| {
        b.iter(|| tokens.issue(black_box(&claims), &thread_random).unwrap())
    });
    // A deterministic generator in process, the token work alone.
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
    crypto_floor(c, plaintext_len(credentials.session_token.expose()));
}

/// Returns the length of the sealed plaintext of a token: its payload less nonce and tag.
fn plaintext_len(token: &str) -> usize {
    let payload = token.rsplit('.').next().unwrap();
    URL_SAFE_NO_PAD.decode(payload).unwrap().len() - NONCE_LEN - AES_256_GCM.tag_len()
}

/// Measures one AES-256-GCM seal and open of `len` bytes with a prepared key and nothing
/// else: no encoding, allocation or random draw. It is the floor under issue and verify.
fn crypto_floor(c: &mut Criterion, len: usize) {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[7_u8; 32]).unwrap());
    let associated_data = [1_u8; 48];
    let nonce = [3_u8; NONCE_LEN];
    let mut buffer = vec![5_u8; len];
    let mut sealed = buffer.clone();
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(associated_data),
            &mut sealed,
        )
        .unwrap();
    sealed.extend_from_slice(tag.as_ref());

    c.bench_function("session_token/aes_256_gcm_seal_floor", |b| {
        b.iter(|| {
            key.seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data),
                black_box(&mut buffer),
            )
            .unwrap()
        })
    });
    let mut opened = sealed.clone();
    c.bench_function("session_token/aes_256_gcm_open_floor", |b| {
        b.iter(|| {
            opened.copy_from_slice(&sealed);
            key.open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data),
                black_box(&mut opened),
            )
            .unwrap()
            .len()
        })
    });
}

criterion_group!(benches, session_token);
criterion_main!(benches);
