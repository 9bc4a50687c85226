use super::*;
use crate::SeededRandom;

#[test]
fn generated_ids_have_aws_shape() {
    let random = SeededRandom::new(7);

    for kind in UniqueIdKind::ALL {
        for _ in 0..100 {
            let id = UniqueId::generate(kind, &random);
            let text = id.as_str();

            assert!(
                text.starts_with(kind.prefix()),
                "{text} lacks {}",
                kind.prefix()
            );
            assert_eq!(text.len(), kind.length(), "{text}");
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)),
                "{text} has a character outside base32"
            );
            assert_eq!(id.kind(), kind);
        }
    }
}

#[test]
fn id_lengths_match_aws() {
    assert_eq!(UniqueIdKind::User.length(), 21);
    assert_eq!(UniqueIdKind::Group.length(), 21);
    assert_eq!(UniqueIdKind::Role.length(), 21);
    assert_eq!(UniqueIdKind::Policy.length(), 21);
    assert_eq!(UniqueIdKind::InstanceProfile.length(), 21);
    assert_eq!(UniqueIdKind::AccessKey.length(), 20);
    assert_eq!(UniqueIdKind::TemporaryAccessKey.length(), 20);
}

#[test]
fn generated_ids_parse_back() {
    let random = SeededRandom::new(11);

    for kind in UniqueIdKind::ALL {
        let id = UniqueId::generate(kind, &random);

        assert_eq!(id.as_str().parse::<UniqueId>(), Ok(id.clone()));
    }
}

#[test]
fn same_seed_gives_same_ids() {
    let first = SeededRandom::new(42);
    let second = SeededRandom::new(42);

    for kind in UniqueIdKind::ALL {
        assert_eq!(
            UniqueId::generate(kind, &first),
            UniqueId::generate(kind, &second)
        );
    }
}

#[test]
fn generated_ids_do_not_repeat() {
    let random = SeededRandom::new(3);
    let ids: std::collections::HashSet<UniqueId> = (0..10_000)
        .map(|_| UniqueId::generate(UniqueIdKind::User, &random))
        .collect();

    assert_eq!(ids.len(), 10_000);
}

#[test]
fn every_base32_character_appears() {
    let random = SeededRandom::new(5);
    let mut seen = std::collections::BTreeSet::new();

    for _ in 0..200 {
        let id = UniqueId::generate(UniqueIdKind::Role, &random);
        seen.extend(id.as_str().chars().skip(4));
    }

    assert_eq!(seen.len(), 32, "saw only {seen:?}");
}

#[test]
fn documented_examples_parse() {
    let cases = [
        ("AIDAJQABLZS4A3QDU576Q", UniqueIdKind::User),
        ("AIDACKCEVSQ6C2EXAMPLE", UniqueIdKind::User),
        ("AGPACKCEVSQ6C2EXAMPLE", UniqueIdKind::Group),
        ("AROADBQP57FF2AEXAMPLE", UniqueIdKind::Role),
        ("ANPAJ2UCCR6DPCEXAMPLE", UniqueIdKind::Policy),
        ("AIPAD5ARO2C5EXAMPLE3G", UniqueIdKind::InstanceProfile),
        ("AKIAIOSFODNN7EXAMPLE", UniqueIdKind::AccessKey),
        ("ASIAIOSFODNN7EXAMPLE", UniqueIdKind::TemporaryAccessKey),
    ];

    for (text, kind) in cases {
        let id: UniqueId = text.parse().unwrap();

        assert_eq!(id.kind(), kind, "{text}");
        assert_eq!(id.to_string(), text);
    }
}

#[test]
fn malformed_ids_are_rejected() {
    let rejected = [
        "",
        "AIDA",
        "XXXAJQABLZS4A3QDU576Q",
        "AIDAJQABLZS4A3QDU576",
        "AIDAJQABLZS4A3QDU576QQ",
        "AIDAjqablzs4a3qdu576q",
        "AIDAJQABLZS4A3QDU57-Q",
        "AKIAIOSFODNN7EXAMPLEX",
        "aidajqablzs4a3qdu576q",
    ];

    for text in rejected {
        assert!(
            text.parse::<UniqueId>().is_err(),
            "expected `{text}` rejected"
        );
    }
}

#[test]
fn unique_id_serializes_as_string() {
    let id: UniqueId = "AIDAJQABLZS4A3QDU576Q".parse().unwrap();

    let json = serde_json::to_string(&id).unwrap();

    assert_eq!(json, "\"AIDAJQABLZS4A3QDU576Q\"");
    assert_eq!(serde_json::from_str::<UniqueId>(&json).unwrap(), id);
    assert!(serde_json::from_str::<UniqueId>("\"AIDA\"").is_err());
}
