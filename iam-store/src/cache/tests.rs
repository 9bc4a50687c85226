use std::cell::Cell;

use super::*;

/// Decodes a payload as its length, counting the calls in `calls`.
fn counting(calls: &Cell<u32>) -> impl FnOnce(&[u8]) -> Result<usize, StoreError> + '_ {
    |payload| {
        calls.set(calls.get() + 1);
        Ok(payload.len())
    }
}

#[test]
fn same_revision_skips_decoding() {
    let cache = RecordCache::default();
    let calls = Cell::new(0);

    let first = cache
        .get_or_decode(b"k", 7, b"abc", counting(&calls))
        .unwrap();
    let second = cache
        .get_or_decode(b"k", 7, b"abc", counting(&calls))
        .unwrap();

    assert_eq!(first, 3);
    assert_eq!(second, 3);
    assert_eq!(calls.get(), 1);
}

#[test]
fn new_revision_decodes_again() {
    let cache = RecordCache::default();
    let calls = Cell::new(0);
    cache
        .get_or_decode(b"k", 7, b"abc", counting(&calls))
        .unwrap();

    let changed = cache
        .get_or_decode(b"k", 8, b"abcd", counting(&calls))
        .unwrap();
    let older = cache
        .get_or_decode(b"k", 7, b"abc", counting(&calls))
        .unwrap();

    assert_eq!(changed, 4);
    assert_eq!(older, 3);
    assert_eq!(calls.get(), 3);
}

#[test]
fn other_type_decodes_again() {
    let cache = RecordCache::default();
    cache
        .get_or_decode(b"k", 7, b"abc", |payload| Ok(payload.len()))
        .unwrap();

    let text = cache
        .get_or_decode(b"k", 7, b"abc", |payload| {
            Ok(String::from_utf8_lossy(payload).into_owned())
        })
        .unwrap();

    assert_eq!(text, "abc");
}

#[test]
fn decode_error_is_returned() {
    let cache = RecordCache::default();

    let outcome: Result<usize, StoreError> =
        cache.get_or_decode(b"k", 7, b"abc", |_| Err(StoreError::corrupt("bad record")));

    assert!(matches!(outcome, Err(StoreError::Corrupt(_))));
    assert_eq!(cache.lock().entries.len(), 0);
}

#[test]
fn full_cache_empties_itself() {
    let cache = RecordCache::default();
    let half = vec![0_u8; MAX_BYTES / 2 + 1];
    cache.get_or_decode(b"a", 1, &half, |_| Ok(1_u8)).unwrap();
    cache.get_or_decode(b"b", 1, b"x", |_| Ok(2_u8)).unwrap();

    cache.get_or_decode(b"c", 1, &half, |_| Ok(3_u8)).unwrap();

    let state = cache.lock();
    assert_eq!(state.entries.len(), 1);
    assert!(state.entries.contains_key(&b"c"[..]));
    assert_eq!(state.bytes, half.len());
}

#[test]
fn oversized_record_is_not_cached() {
    let cache = RecordCache::default();
    let oversized = vec![0_u8; MAX_BYTES + 1];

    let record = cache
        .get_or_decode(b"a", 1, &oversized, |_| Ok(1_u8))
        .unwrap();

    assert_eq!(record, 1);
    assert_eq!(cache.lock().entries.len(), 0);
}
