use iam_model::{RandomSource, SeededRandom};
use jiff::Timestamp;
use ring::signature::Ed25519KeyPair;
use serde::de::IgnoredAny;

use super::*;
use crate::EventSource;

fn key_pair(seed: u64) -> Ed25519KeyPair {
    let mut bytes = [0_u8; 32];
    SeededRandom::new(seed).fill(&mut bytes);
    Ed25519KeyPair::from_seed_unchecked(&bytes).unwrap()
}

fn time() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

#[test]
fn chain_links_each_record_to_the_previous_line() {
    let mut chain = Chain::new();
    let mut buffer = Vec::new();
    let event = AuditEvent::new(time(), EventSource::Iam, "ListUsers");

    let first = chain.append_event(&event, &mut buffer).unwrap();
    let second = chain.append_event(&event, &mut buffer).unwrap();

    assert_eq!((first, second), (0, 1));
    let lines: Vec<&[u8]> = buffer
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .collect();
    let first_record = decode::<IgnoredAny>(lines[0]).unwrap();
    let second_record = decode::<IgnoredAny>(lines[1]).unwrap();
    assert_eq!(first_record.prev_hash, RecordHash::ZERO);
    assert_eq!(second_record.prev_hash, RecordHash::of(lines[0]));
    assert_eq!(chain.last_hash(), RecordHash::of(lines[1]));
    assert_eq!(chain.next_sequence(), 2);
}

#[test]
fn record_line_decodes_back_to_its_event() {
    let mut chain = Chain::resume(41, RecordHash([7; 32]));
    let mut buffer = Vec::new();
    let event = AuditEvent::new(time(), EventSource::Sts, "AssumeRole");

    chain.append_event(&event, &mut buffer).unwrap();

    let line = buffer.strip_suffix(b"\n").unwrap();
    let record = decode::<AuditEvent>(line).unwrap();
    assert_eq!(record.sequence, 41);
    assert_eq!(record.prev_hash, RecordHash([7; 32]));
    assert!(matches!(record.body, Body::Event(decoded) if decoded == event));
}

#[test]
fn digest_commits_to_count_and_last_hash() {
    let key_pair = key_pair(1);
    let mut chain = Chain::resume(10, RecordHash([3; 32]));
    let mut buffer = Vec::new();

    let (sequence, digest) = chain.append_digest(time(), &key_pair, &mut buffer);

    assert_eq!(sequence, 10);
    assert_eq!(digest.count, 10);
    assert_eq!(digest.last_hash, RecordHash([3; 32]));
    assert!(digest.verify(&[PublicKey::of(&key_pair)]));
}

#[test]
fn digest_rejects_changed_fields() {
    let key_pair = key_pair(1);
    let keys = [PublicKey::of(&key_pair)];
    let digest = Digest::sign(5, RecordHash([1; 32]), time(), &key_pair);

    let mut count = digest.clone();
    count.count = 6;
    let mut hash = digest.clone();
    hash.last_hash = RecordHash([2; 32]);
    let mut moment = digest.clone();
    moment.time = "2026-03-01T12:00:01Z".parse().unwrap();
    let mut signature = digest.clone();
    signature.signature = "00".repeat(64);

    assert!(digest.verify(&keys));
    assert!(!count.verify(&keys));
    assert!(!hash.verify(&keys));
    assert!(!moment.verify(&keys));
    assert!(!signature.verify(&keys));
}

#[test]
fn digest_needs_the_signing_key() {
    let digest = Digest::sign(0, RecordHash::ZERO, time(), &key_pair(1));

    assert!(!digest.verify(&[PublicKey::of(&key_pair(2))]));
    assert!(!digest.verify(&[]));
    assert!(digest.verify(&[PublicKey::of(&key_pair(2)), PublicKey::of(&key_pair(1))]));
}

#[test]
fn public_key_round_trips_through_hex() {
    let key = PublicKey::of(&key_pair(3));

    let parsed = PublicKey::from_hex(&format!("  {}\n", key.to_hex())).unwrap();

    assert_eq!(parsed, key);
    assert_eq!(key.key_id().len(), 16);
}

#[test]
fn public_key_rejects_bad_text() {
    for text in ["", "zz", &"ab".repeat(31), &"ab".repeat(33)] {
        assert!(
            matches!(
                PublicKey::from_hex(text),
                Err(AuditError::InvalidPublicKey(_))
            ),
            "{text}"
        );
    }
}

#[test]
fn record_hash_parses_only_sixty_four_digits() {
    let hash = RecordHash([0xab; 32]);

    assert_eq!(RecordHash::from_hex(&hash.to_hex()), Some(hash));
    assert_eq!(RecordHash::from_hex("abc"), None);
    assert_eq!(RecordHash::from_hex(&hash.to_hex().to_uppercase()), None);
    assert_eq!(RecordHash::from_hex(&"g".repeat(64)), None);
}

#[test]
fn decode_rejects_malformed_records() {
    let zero = RecordHash::ZERO.to_hex();
    let cases = [
        "not json".to_owned(),
        format!(r#"{{"seq":1,"prevHash":"{zero}"}}"#),
        format!(r#"{{"seq":1,"prevHash":"{zero}","event":{{}},"digest":null,"extra":1}}"#),
        format!(r#"{{"seq":-1,"prevHash":"{zero}","event":{{}}}}"#),
        r#"{"seq":1,"prevHash":"short","event":{}}"#.to_owned(),
    ];

    for case in cases {
        assert!(decode::<IgnoredAny>(case.as_bytes()).is_err(), "{case}");
    }
}

#[test]
fn oversized_event_leaves_chain_unchanged() {
    let mut chain = Chain::new();
    let mut buffer = Vec::new();
    let mut event = AuditEvent::new(time(), EventSource::Iam, "PutUserPolicy");
    event.request_parameters = Some(serde_json::Value::String("x".repeat(MAX_EVENT_BYTES)));

    let result = chain.append_event(&event, &mut buffer);

    assert!(matches!(result, Err(AuditError::EventTooLarge { .. })));
    assert!(buffer.is_empty());
    assert_eq!(chain.next_sequence(), 0);
}

#[test]
fn record_lines_match_snapshot() {
    let key_pair = key_pair(1);
    let mut chain = Chain::new();
    let mut buffer = Vec::new();
    let mut event = AuditEvent::new(time(), EventSource::Iam, "ListUsers");
    event.read_only = true;
    event.request_id = "request-1".to_owned();
    event.event_id = "event-1".to_owned();

    chain.append_digest(time(), &key_pair, &mut buffer);
    chain.append_event(&event, &mut buffer).unwrap();
    chain.append_digest(time(), &key_pair, &mut buffer);

    insta::assert_snapshot!(String::from_utf8(buffer).unwrap());
}
