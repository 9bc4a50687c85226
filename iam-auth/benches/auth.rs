//! Benchmarks of the request path and the credential checks: SigV4 verification of a typical
//! IAM `POST /` with and without a cached signing key and through the borrowing entry point,
//! the bare cryptography of that verification, PBKDF2 at the default iteration count beside
//! ring's own PBKDF2, and TOTP verification.
//!
//! On Linux every benchmark reports on-CPU time of the benchmark thread, read from
//! `/proc/thread-self/schedstat`, because wall time on a machine shared with other builds
//! counts the time the thread waits for a core. Where that counter is missing or does not
//! advance, the benchmark prints a note and reports wall time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use criterion::{Bencher, Criterion, criterion_group, criterion_main};
use iam_auth::password::{DEFAULT_ITERATIONS, HASH_LEN, PasswordHasher, SALT_LEN};
use iam_auth::sigv4::{Credentials, HttpRequest, ResolvedCredential, Signer, Verifier};
use iam_auth::totp::{Totp, TotpAlgorithm, TotpParameters, TotpSeed};
use iam_auth::{AuthError, SecretAccessKey};
use iam_model::{FixedClock, SeededRandom};
use jiff::Timestamp;
use ring::{digest, hmac, pbkdf2};

const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const NOW: &str = "2026-03-01T10:00:00Z";
const BODY: &[u8] = b"Action=ListUsers&Version=2010-05-08";

/// The shortest CPU-time sample trusted, in nanoseconds: several scheduler ticks.
const MIN_CPU_SAMPLE_NANOS: u64 = 20_000_000;

/// Returns the nanoseconds the current thread has spent on a CPU, or `None` off Linux.
fn thread_cpu_nanos() -> Option<u64> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    schedstat.split_whitespace().next()?.parse().ok()
}

/// Returns whether the thread CPU-time counter advances, checking it once by spinning for
/// 50 ms of wall time.
fn cpu_time_works() -> bool {
    static WORKS: OnceLock<bool> = OnceLock::new();
    *WORKS.get_or_init(|| {
        let start = thread_cpu_nanos();
        let spin_start = Instant::now();
        while spin_start.elapsed() < Duration::from_millis(50) {
            black_box(0u64);
        }
        let works = matches!((start, thread_cpu_nanos()), (Some(start), Some(end)) if end > start);
        if !works {
            eprintln!(
                "note: /proc/thread-self/schedstat is missing or does not advance; \
                 reporting wall time"
            );
        }
        works
    })
}

/// Runs `routine` for criterion, timing it by thread CPU time where available.
fn iter_cpu<T>(bencher: &mut Bencher<'_>, mut routine: impl FnMut() -> T) {
    let use_cpu_time = cpu_time_works();
    bencher.iter_custom(|iterations| {
        let cpu_start = thread_cpu_nanos().filter(|_| use_cpu_time);
        let wall_start = Instant::now();
        for _ in 0..iterations {
            black_box(routine());
        }
        let wall = wall_start.elapsed();
        // The kernel updates the counter at scheduler ticks, so short samples fall back to wall
        // time. Criterion's estimate comes from the longer samples, which are on-CPU time.
        match (cpu_start, thread_cpu_nanos()) {
            (Some(start), Some(end)) if end.saturating_sub(start) >= MIN_CPU_SAMPLE_NANOS => {
                Duration::from_nanos(end - start)
            }
            _ => wall,
        }
    });
}

fn resolve(
    access_key_id: &str,
    _token: Option<&str>,
) -> Result<ResolvedCredential<u32>, AuthError> {
    if access_key_id != KEY_ID {
        return Err(AuthError::InvalidClientTokenId {
            access_key_id: access_key_id.to_owned(),
            reason: "unknown access key",
        });
    }
    Ok(ResolvedCredential {
        secret: SecretAccessKey::new(SECRET),
        principal: 7,
        expiration: None,
    })
}

type Resolver = fn(&str, Option<&str>) -> Result<ResolvedCredential<u32>, AuthError>;

/// Returns the headers of a typical IAM request as the AWS CLI signs it.
fn signed_headers() -> Vec<(String, String)> {
    let headers = [
        ("Host", "iam.amazonaws.com"),
        (
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        ("Content-Length", "35"),
        (
            "User-Agent",
            "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64",
        ),
    ];
    let signer = Signer::new(
        Credentials {
            access_key_id: KEY_ID.to_owned(),
            secret_access_key: SecretAccessKey::new(SECRET),
            session_token: None,
        },
        "us-east-1",
        "iam",
    );
    let request = HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: BODY,
    };
    signer.sign(&request, NOW.parse().unwrap()).unwrap().headers
}

fn sigv4(c: &mut Criterion) {
    let headers = signed_headers();
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let request = HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &pairs,
        body: BODY,
    };
    let clock = Arc::new(FixedClock::new(NOW.parse().unwrap()));
    let cached = Verifier::new(resolve as Resolver, clock.clone(), ["iam", "sts"]);
    let uncached = Verifier::new(resolve as Resolver, clock, ["iam", "sts"]).with_cache_capacity(0);
    cached.verify(&request).unwrap();

    c.bench_function("sigv4_verify_iam_post_cached_key", |b| {
        iter_cpu(b, || cached.verify(black_box(&request)).unwrap())
    });
    // The entry point that borrows the access key id, scope and token instead of copying them.
    c.bench_function("sigv4_verify_borrowed_iam_post_cached_key", |b| {
        iter_cpu(b, || {
            cached
                .verify_borrowed(black_box(&request))
                .unwrap()
                .principal
        })
    });
    c.bench_function("sigv4_verify_iam_post_uncached_key", |b| {
        iter_cpu(b, || uncached.verify(black_box(&request)).unwrap())
    });

    // The cryptography alone: hash the body, hash a canonical request of the same size,
    // and check the HMAC of a string to sign with a derived key.
    let key = hmac::Key::new(hmac::HMAC_SHA256, &[7u8; 32]);
    let canonical = vec![b'a'; 260];
    let string_to_sign = vec![b'b'; 130];
    let tag = hmac::sign(&key, &string_to_sign);
    c.bench_function("sigv4_crypto_floor", |b| {
        iter_cpu(b, || {
            let body_hash = digest::digest(&digest::SHA256, black_box(BODY));
            let request_hash = digest::digest(&digest::SHA256, black_box(&canonical));
            black_box((body_hash, request_hash));
            hmac::verify(&key, black_box(&string_to_sign), tag.as_ref()).unwrap();
        })
    });
}

fn passwords(c: &mut Criterion) {
    let hasher = PasswordHasher::default();
    let hash = hasher
        .hash("correct horse battery staple", &SeededRandom::new(1))
        .unwrap();
    let mut group = c.benchmark_group("password");
    group.sample_size(10);
    group.bench_function("pbkdf2_sha256_600000_verify", |b| {
        iter_cpu(b, || {
            assert!(hash.verify(black_box("correct horse battery staple")))
        })
    });

    // The floor: ring's PBKDF2 check alone, with the same iterations, salt and output lengths.
    let iterations = NonZeroU32::new(DEFAULT_ITERATIONS).unwrap();
    let salt = [5u8; SALT_LEN];
    let mut derived = [0u8; HASH_LEN];
    let password = b"correct horse battery staple";
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        &salt,
        password,
        &mut derived,
    );
    group.bench_function("pbkdf2_sha256_600000_floor", |b| {
        iter_cpu(b, || {
            pbkdf2::verify(
                pbkdf2::PBKDF2_HMAC_SHA256,
                iterations,
                &salt,
                black_box(password),
                &derived,
            )
            .unwrap()
        })
    });
    group.finish();
}

fn totp(c: &mut Criterion) {
    let device = Totp::new(
        TotpSeed::generate(TotpAlgorithm::Sha1, &SeededRandom::new(2)),
        TotpParameters::default(),
    )
    .unwrap();
    let now: Timestamp = NOW.parse().unwrap();
    let code = device.code_at(now);
    c.bench_function("totp_verify_sha1", |b| {
        iter_cpu(b, || device.verify(black_box(&code), now, None).unwrap())
    });
}

criterion_group!(benches, sigv4, passwords, totp);
criterion_main!(benches);
