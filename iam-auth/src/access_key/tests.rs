use iam_model::SeededRandom;

use super::*;

#[test]
fn generated_ids_use_the_base32_alphabet() {
    let random = SeededRandom::new(7);
    for kind in [AccessKeyKind::LongTerm, AccessKeyKind::Temporary] {
        for _ in 0..200 {
            let id = AccessKeyId::generate(kind, &random);
            let text = id.as_str();
            assert_eq!(text.len(), 20, "{text}");
            assert!(text.starts_with(kind.prefix()), "{text}");
            let suffix = &text[4..];
            assert!(
                suffix
                    .bytes()
                    .all(|byte| byte.is_ascii_uppercase() || (b'2'..=b'7').contains(&byte)),
                "{text} has a character outside A-Z and 2-7"
            );
            assert_eq!(text.parse::<AccessKeyId>(), Ok(id.clone()));
        }
    }
}

#[test]
fn ids_from_outside_may_use_every_digit() {
    let id: AccessKeyId = "AKIAIOSFODNN7EXAMPL9".parse().expect("a valid id");
    assert_eq!(id.kind(), AccessKeyKind::LongTerm);
}
