use super::*;

#[test]
fn marker_round_trips_any_suffix() {
    for suffix in [&b""[..], b"alice", b"a\x00b", &[0xFF, 0x00, 0x01]] {
        let marker = encode_marker("users", suffix);

        let decoded = decode_marker("users", &marker).unwrap();

        assert_eq!(decoded, suffix);
        assert_eq!(marker_listing(&marker).as_deref(), Some("users"));
    }
}

#[test]
fn marker_of_other_listing_is_rejected() {
    let marker = encode_marker("groups", b"admins");

    let decoded = decode_marker("users", &marker);

    assert!(matches!(decoded, Err(StoreError::InvalidInput(_))));
}

#[test]
fn malformed_markers_are_rejected() {
    let too_long = "A".repeat(MAX_MARKER_LEN + 1);
    for marker in ["", "!!!", "dXNlcnM", too_long.as_str()] {
        let decoded = decode_marker("users", marker);

        assert!(
            matches!(decoded, Err(StoreError::InvalidInput(_))),
            "marker `{marker}` gave {decoded:?}"
        );
    }
}

#[test]
fn page_size_accepts_one_to_thousand() {
    let size = |max_items| page_size(&ListOptions::first(max_items));

    assert_eq!(page_size(&ListOptions::default()).unwrap(), 100);
    assert_eq!(size(1).unwrap(), 1);
    assert_eq!(size(1000).unwrap(), 1000);
    assert!(matches!(size(0), Err(StoreError::InvalidInput(_))));
    assert!(matches!(size(1001), Err(StoreError::InvalidInput(_))));
}

#[test]
fn path_prefix_filters_paths() {
    let options = ListOptions {
        path_prefix: Some("/ops/".to_owned()),
        ..ListOptions::default()
    };

    assert!(path_matches(&options, "/ops/"));
    assert!(path_matches(&options, "/ops/east/"));
    assert!(!path_matches(&options, "/"));
    assert!(!path_matches(&options, "/dev/ops/"));
    assert!(path_matches(&ListOptions::default(), "/anything/"));
}

fn letters_page(items: &[&str], options: &ListOptions) -> Page<String> {
    let owned = items.iter().map(|item| (*item).to_owned()).collect();
    page_in_key_order("letters", owned, String::clone, options).unwrap()
}

#[test]
fn page_in_key_order_walks_sorted_pages() {
    let items = ["d", "a", "c", "b", "e"];

    let first = letters_page(&items, &ListOptions::first(2));
    let second = letters_page(
        &items,
        &ListOptions::first(2).after(first.marker.clone().unwrap()),
    );
    let third = letters_page(
        &items,
        &ListOptions::first(2).after(second.marker.clone().unwrap()),
    );

    assert_eq!(first.items, ["a", "b"]);
    assert_eq!(second.items, ["c", "d"]);
    assert_eq!(third.items, ["e"]);
    assert!(third.marker.is_none());
}

#[test]
fn page_in_key_order_exact_fit_is_last() {
    let page = letters_page(&["a", "b"], &ListOptions::first(2));

    assert_eq!(page.items, ["a", "b"]);
    assert!(!page.is_truncated());
}

#[test]
fn page_in_key_order_survives_removal() {
    let first = letters_page(&["a", "b", "c", "d"], &ListOptions::first(2));

    let second = letters_page(
        &["a", "c", "d"],
        &ListOptions::first(2).after(first.marker.unwrap()),
    );

    assert_eq!(second.items, ["c", "d"]);
}

#[test]
fn page_in_key_order_rejects_foreign_marker() {
    let foreign = encode_marker("users", b"a");
    let options = ListOptions::first(2).after(foreign);

    let page = page_in_key_order("letters", vec!["a".to_owned()], String::clone, &options);

    assert!(matches!(page, Err(StoreError::InvalidInput(_))));
}

#[test]
fn page_in_key_order_checks_max_items() {
    let page = page_in_key_order(
        "letters",
        vec!["a".to_owned()],
        String::clone,
        &ListOptions::first(0),
    );

    assert!(matches!(page, Err(StoreError::InvalidInput(_))));
}
