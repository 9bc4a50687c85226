use std::sync::Arc;

use ring::hmac;

use super::{SigningKeyCache, derive_signing_key};
use crate::access_key::SecretAccessKey;
use crate::sigv4::BorrowedScope;
use crate::sigv4::sha256::HmacKey;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn scope(region: &str) -> BorrowedScope<'_> {
    BorrowedScope {
        date: "20260301",
        region,
        service: "iam",
    }
}

fn cache_key(region: &str) -> String {
    format!("AKIDEXAMPLE/20260301/{region}/iam")
}

fn tag(key: &HmacKey) -> Vec<u8> {
    key.sign(b"string to sign").to_vec()
}

fn reference_tag(key: &hmac::Key) -> Vec<u8> {
    hmac::sign(key, b"string to sign").as_ref().to_vec()
}

/// Derives the key by the definition, with every step spelled out.
fn reference_key(secret: &str, scope: BorrowedScope<'_>) -> hmac::Key {
    let mut key_bytes = format!("AWS4{secret}").into_bytes();
    for part in [scope.date, scope.region, scope.service, "aws4_request"] {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &key_bytes);
        key_bytes = hmac::sign(&key, part.as_bytes()).as_ref().to_vec();
    }
    hmac::Key::new(hmac::HMAC_SHA256, &key_bytes)
}

#[test]
fn derivation_matches_definition() {
    // 40 characters fit the stack buffer; 200 do not.
    for secret in [SECRET.to_owned(), "x".repeat(200), String::new()] {
        let derived =
            derive_signing_key(&SecretAccessKey::new(secret.as_str()), scope("us-east-1"));
        let expected = reference_key(&secret, scope("us-east-1"));
        assert_eq!(
            tag(&derived),
            reference_tag(&expected),
            "secret of {} bytes",
            secret.len()
        );
    }
}

#[test]
fn shard_capacities_add_up() {
    for capacity in [0, 1, 2, 15, 16, 17, 100, 4096] {
        let cache = SigningKeyCache::new(capacity);
        let total: usize = cache
            .shards
            .iter()
            .map(|shard| super::read(shard).capacity)
            .sum();
        assert_eq!(total, capacity, "capacity {capacity}");
        assert!(
            cache.shards.len() <= super::MAX_SHARDS,
            "capacity {capacity}"
        );
    }
}

#[test]
fn cache_stays_within_capacity() {
    let secret = SecretAccessKey::new(SECRET);
    for capacity in [1, 3, 17, 300] {
        let cache = SigningKeyCache::new(capacity);
        for index in 0..3 * capacity + 5 {
            let region = format!("region-{index}");
            let key = cache.signing_key(&cache_key(&region), &secret, scope(&region));
            assert_eq!(
                tag(&key),
                reference_tag(&reference_key(SECRET, scope(&region)))
            );
            assert!(cache.len() <= capacity, "capacity {capacity}");
        }
        assert!(!cache.is_empty());
    }
}

#[test]
fn cache_hit_returns_same_key() {
    let cache = SigningKeyCache::new(8);
    let secret = SecretAccessKey::new(SECRET);
    let first = cache.signing_key(&cache_key("eu-west-1"), &secret, scope("eu-west-1"));
    let second = cache.signing_key(&cache_key("eu-west-1"), &secret, scope("eu-west-1"));

    assert_eq!(tag(&first), tag(&second));
    assert_eq!(cache.len(), 1);
}

#[test]
fn zero_capacity_caches_nothing() {
    let cache = SigningKeyCache::new(0);
    let secret = SecretAccessKey::new(SECRET);
    let key = cache.signing_key(&cache_key("eu-west-1"), &secret, scope("eu-west-1"));

    assert_eq!(
        tag(&key),
        reference_tag(&reference_key(SECRET, scope("eu-west-1")))
    );
    assert!(cache.is_empty());
}

#[test]
fn concurrent_lookups_return_right_keys() {
    let cache = Arc::new(SigningKeyCache::new(16));
    let regions: Vec<String> = (0..40).map(|index| format!("region-{index}")).collect();
    let expected: Vec<Vec<u8>> = regions
        .iter()
        .map(|region| reference_tag(&reference_key(SECRET, scope(region))))
        .collect();
    let regions = Arc::new(regions);
    let expected = Arc::new(expected);

    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let (cache, regions, expected) = (
                Arc::clone(&cache),
                Arc::clone(&regions),
                Arc::clone(&expected),
            );
            std::thread::spawn(move || {
                let secret = SecretAccessKey::new(SECRET);
                for step in 0..400 {
                    let index = (step * 7 + thread * 11) % regions.len();
                    let region = &regions[index];
                    let key = cache.signing_key(&cache_key(region), &secret, scope(region));
                    assert_eq!(tag(&key), expected[index], "{region}");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }

    assert!(cache.len() <= 16);
}
