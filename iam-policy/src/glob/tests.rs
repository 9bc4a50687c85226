use proptest::prelude::*;

use super::*;

/// Matches by plain recursion over characters: slow, but obviously right.
fn naive_match(pattern: &[char], text: &[char], case: Case) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| naive_match(rest, &text[skip..], case)),
        Some(('?', rest)) => !text.is_empty() && naive_match(rest, &text[1..], case),
        Some((expected, rest)) => match text.split_first() {
            Some((actual, text_rest)) => {
                let equal = match case {
                    Case::Sensitive => expected == actual,
                    Case::Insensitive => expected.eq_ignore_ascii_case(actual),
                };
                equal && naive_match(rest, text_rest, case)
            }
            None => false,
        },
    }
}

fn naive(pattern: &str, text: &str, case: Case) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    naive_match(&pattern, &text, case)
}

#[test]
fn star_spans_colon_and_slash() {
    let glob = Glob::new("arn:aws:s3:::logs/2024:*", Case::Sensitive);

    assert!(glob.matches("arn:aws:s3:::logs/2024:01/app.log"));
    assert!(glob.matches("arn:aws:s3:::logs/2024:"));
    assert!(!glob.matches("arn:aws:s3:::logs/2023:01"));
}

#[test]
fn question_matches_exactly_one_character() {
    let glob = Glob::new("arn:aws:iam::111122223333:user/dev?/*", Case::Sensitive);

    assert!(glob.matches("arn:aws:iam::111122223333:user/dev1/alice"));
    assert!(!glob.matches("arn:aws:iam::111122223333:user/dev/alice"));
    assert!(!glob.matches("arn:aws:iam::111122223333:user/dev12/alice"));
}

#[test]
fn question_matches_multibyte_character() {
    assert!(Glob::new("a?c", Case::Sensitive).matches("aéc"));
    assert!(Glob::new("a?c", Case::Sensitive).matches("a😀c"));
    assert!(!Glob::new("a?c", Case::Sensitive).matches("aéxc"));
}

#[test]
fn dot_is_literal() {
    let glob = Glob::new("arn:aws:iam::111122223333:user/svc.a", Case::Sensitive);

    assert!(glob.matches("arn:aws:iam::111122223333:user/svc.a"));
    assert!(!glob.matches("arn:aws:iam::111122223333:user/svcxa"));
}

#[test]
fn insensitive_case_ignores_ascii_case() {
    let glob = Glob::new("IAM:deleteuser", Case::Insensitive);

    assert!(glob.matches("iam:DeleteUser"));
    assert!(!glob.matches("iam:DeleteUserPolicy"));
    assert!(Glob::new("iam:*LoginProfile", Case::Insensitive).matches("IAM:getloginprofile"));
}

#[test]
fn sensitive_case_keeps_ascii_case() {
    assert!(!Glob::new("arn:aws:s3:::Bucket", Case::Sensitive).matches("arn:aws:s3:::bucket"));
    assert!(!Glob::new("Bucket*", Case::Sensitive).matches("bucket1"));
}

#[test]
fn star_matches_empty_run() {
    assert!(Glob::new("iam:CreateAccessKey*", Case::Insensitive).matches("iam:CreateAccessKey"));
    assert!(Glob::new("*", Case::Sensitive).matches(""));
    assert!(Glob::new("a*b*c", Case::Sensitive).matches("abc"));
}

#[test]
fn literal_star_in_text_needs_pattern_wildcard() {
    assert!(!Glob::new("arn:aws:s3:::my-bucket", Case::Sensitive).matches("*"));
    assert!(Glob::new("*", Case::Sensitive).matches("*"));
}

#[test]
fn shapes_are_chosen_by_wildcards() {
    assert!(Glob::new("*", Case::Sensitive).is_any());
    assert_eq!(Glob::new("abc", Case::Sensitive).as_exact(), Some("abc"));
    assert_eq!(Glob::new("ABC", Case::Insensitive).as_exact(), Some("abc"));
    assert_eq!(Glob::new("ab*", Case::Sensitive).as_exact(), None);
}

#[test]
fn literal_parts_keep_wildcards_plain() {
    let parts = [
        GlobPart::Pattern("home/"),
        GlobPart::Literal("a*b"),
        GlobPart::Pattern("/*"),
    ];
    let glob = Glob::from_parts(&parts, Case::Sensitive);

    assert!(glob.matches("home/a*b/notes.txt"));
    assert!(!glob.matches("home/axxb/notes.txt"));
}

#[test]
fn segments_search_middle_runs_in_order() {
    let glob = Glob::new("arn:aws:s3:::*SageMaker*/*.csv", Case::Sensitive);

    assert!(glob.matches("arn:aws:s3:::my-SageMaker-data/2026/q1.csv"));
    assert!(glob.matches("arn:aws:s3:::SageMaker/.csv"));
    assert!(!glob.matches("arn:aws:s3:::my-sagemaker-data/q1.csv"));
    assert!(!glob.matches("arn:aws:s3:::SageMaker.csv"));
    assert_eq!(glob.to_pattern(), "arn:aws:s3:::*SageMaker*/*.csv");
}

#[test]
fn segments_keep_prefix_and_suffix_apart() {
    let glob = Glob::new("ab*b*ba", Case::Sensitive);

    assert!(glob.matches("abbba"));
    assert!(!glob.matches("aba"));
    assert!(!glob.matches("abba"));
}

#[test]
fn byte_set_rejects_missing_literals() {
    let glob = Glob::new("arn:aws:s3:::*SageMaker*", Case::Sensitive);
    let with = "arn:aws:s3:::my-SageMaker-bucket";
    let without = "arn:aws:s3:::reports/q1.csv";

    assert!(glob.matches_with(with, ByteSet::of(with)));
    assert!(!glob.matches_with(without, ByteSet::of(without)));
    assert!(!glob.matches_with(with, ByteSet::of("")));
}

#[test]
fn empty_pattern_matches_only_empty_text() {
    assert!(Glob::new("", Case::Sensitive).matches(""));
    assert!(!Glob::new("", Case::Sensitive).matches("a"));
}

fn pattern_strategy() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ab*?:/Aé]{0,8}").expect("valid regex")
}

fn text_strategy() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ab:/ABé*?]{0,10}").expect("valid regex")
}

proptest! {
    #[test]
    fn glob_agrees_with_naive_reference(pattern in pattern_strategy(), text in text_strategy()) {
        for case in [Case::Sensitive, Case::Insensitive] {
            let expected = naive(&pattern, &text, case);
            let glob = Glob::new(&pattern, case);
            prop_assert_eq!(glob.matches(&text), expected);
            prop_assert_eq!(glob.matches_with(&text, ByteSet::of(&text)), expected);
        }
    }
}
