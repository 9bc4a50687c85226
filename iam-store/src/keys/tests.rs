use proptest::prelude::*;

use super::*;

fn account() -> AccountId {
    "111122223333".parse().unwrap()
}

proptest! {
    /// INVARIANT (key sorted): keys sort like the tuples of their folded components, which is
    /// what listings and prefix scans rely on.
    #[test]
    fn keys_sort_like_folded_components(
        first in proptest::collection::vec("[A-Za-z0-9+=,.@_-]{1,12}", 1..4),
        second in proptest::collection::vec("[A-Za-z0-9+=,.@_-]{1,12}", 1..4),
    ) {
        let key = |parts: &[String]| {
            parts
                .iter()
                .fold(Key::account(account(), Table::Attachment), |key, part| key.name(part))
                .build()
        };
        let folded = |parts: &[String]| parts.iter().map(|part| fold(part)).collect::<Vec<_>>();

        prop_assert_eq!(key(&first).cmp(&key(&second)), folded(&first).cmp(&folded(&second)));
    }
}

#[test]
fn names_differing_in_case_share_a_key() {
    let upper = Key::account(account(), Table::User).name("ALICE").build();
    let lower = Key::account(account(), Table::User).name("alice").build();

    assert_eq!(upper, lower);
}

#[test]
fn prefix_covers_only_longer_keys() {
    let prefix = Key::account(account(), Table::UserGroup)
        .name("bob")
        .prefix();
    let member = Key::account(account(), Table::UserGroup)
        .name("bob")
        .name("team")
        .build();
    let other = Key::account(account(), Table::UserGroup)
        .name("bobby")
        .name("team")
        .build();

    assert!(member.starts_with(&prefix));
    assert!(!other.starts_with(&prefix));
    assert_eq!(components(&member, &prefix), vec![&b"team"[..]]);
}

#[test]
fn scopes_do_not_overlap() {
    let (account_start, account_end) = account_bounds();
    let (data_start, data_end) = data_bounds();
    let record = Key::account(account(), Table::User).name("alice").build();
    let global = Key::global(GlobalTable::AwsPolicy).name("readonly").build();
    let meta = Key::meta("format").build();

    assert!(account_start <= record);
    assert!(record < account_end);
    assert!(global >= account_end);
    assert!(global < data_end);
    assert!(meta >= data_end);
    assert_eq!(data_start, account_start);
}
