use proptest::prelude::*;

use super::push_trimmed_value;

/// Trims a header value by the definition: whitespace runs, line breaks included, become one
/// space, and the ends lose theirs.
fn reference_trim(value: &str) -> String {
    value
        .split([' ', '\t', '\r', '\n'])
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn trimmed_value_cases() {
    let cases = [
        ("", ""),
        ("a", "a"),
        (" a", "a"),
        ("a ", "a"),
        ("a  b", "a b"),
        ("a\tb", "a b"),
        ("a\r\n b", "a b"),
        ("abcdefg  h", "abcdefg h"),
        ("abcdefgh  ", "abcdefgh"),
        ("abcdefgh\tijklmnop", "abcdefgh ijklmnop"),
        ("abcdefgh ijklmnop q", "abcdefgh ijklmnop q"),
        (" ", ""),
        (
            "application/x-www-form-urlencoded; charset=utf-8",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
    ];
    for (value, expected) in cases {
        let mut out = String::new();
        push_trimmed_value(&mut out, value);
        assert_eq!(out, expected, "{value:?}");
    }
}

proptest! {
    #[test]
    fn trimmed_value_matches_reference(value in "[ab \t\r\n\x01]{0,40}") {
        let mut out = String::new();
        push_trimmed_value(&mut out, &value);
        prop_assert_eq!(out, reference_trim(&value));
    }
}
