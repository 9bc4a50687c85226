use super::*;

/// Draws two buffers of `len` bytes from `source`.
fn two_draws(source: &dyn RandomSource, len: usize) -> (Vec<u8>, Vec<u8>) {
    let mut first = vec![0_u8; len];
    let mut second = vec![0_u8; len];
    source.fill(&mut first);
    source.fill(&mut second);
    (first, second)
}

#[test]
fn system_source_draws_differ() {
    let (first, second) = two_draws(&SystemRandomSource::new(), 32);

    assert_ne!(first, second);
    assert_ne!(first, [0_u8; 32]);
}

#[test]
fn thread_source_draws_differ() {
    let (first, second) = two_draws(&ThreadRandomSource::new(), 32);

    assert_ne!(first, second);
    assert_ne!(first, [0_u8; 32]);
}

#[test]
fn thread_source_differs_across_threads() {
    let this_thread = two_draws(&ThreadRandomSource::new(), 32).0;
    let other_thread = std::thread::spawn(|| two_draws(&ThreadRandomSource::new(), 32).0)
        .join()
        .unwrap();

    assert_ne!(this_thread, other_thread);
}

#[test]
fn thread_source_fills_past_reseed() {
    // 200 KiB passes the generator's 64 KiB reseed threshold three times.
    let (first, second) = two_draws(&ThreadRandomSource::new(), 200 * 1024);

    assert_ne!(first, second);
    assert!(first.iter().any(|byte| *byte != 0));
    assert!(second.iter().any(|byte| *byte != 0));
}
