//! Checks of pagination: stable order, path filters, page sizes and markers that continue
//! correctly while other clients insert and delete.

use std::sync::Arc;

use super::{CheckResult, Fixture, ensure, ensure_eq, expect_error, step};
use crate::prelude::*;
use crate::{ListOptions, ListPoliciesOptions, PolicyScope, StoreError};

fn names(users: &[iam_model::User]) -> Vec<String> {
    users.iter().map(|user| user.user_name.clone()).collect()
}

pub(super) async fn pages_cover_every_item(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let mut expected = Vec::new();
    for index in 0..25 {
        // Mixed case: the order is by name ignoring case.
        let name = if index % 2 == 0 {
            format!("user{index:02}")
        } else {
            format!("USER{index:02}")
        };
        let path = if index % 3 == 0 { "/ops/" } else { "/dev/" };
        step!(
            store
                .create_user(account, fixture.user_at(account, path, &name))
                .await
        );
        expected.push(name);
    }

    let mut seen = Vec::new();
    let mut options = ListOptions::first(10);
    let mut pages = 0;
    loop {
        let page = step!(store.list_users(account, &options).await);
        pages += 1;
        ensure!(page.items.len() <= 10, "page of {} items", page.items.len());
        seen.extend(names(&page.items));
        match page.marker {
            Some(marker) => options = options.after(marker),
            None => break,
        }
    }
    ensure_eq!(pages, 3);
    ensure_eq!(seen, expected);

    let ops = ListOptions {
        path_prefix: Some("/ops/".to_owned()),
        max_items: Some(4),
        marker: None,
    };
    let first = step!(store.list_users(account, &ops).await);
    ensure_eq!(first.items.len(), 4);
    ensure!(
        first.is_truncated(),
        "the first /ops/ page is not truncated"
    );
    let marker = first.marker.clone().unwrap_or_default();
    let rest_options = ListOptions {
        max_items: Some(10),
        ..ops.after(marker)
    };
    let rest = step!(store.list_users(account, &rest_options).await);
    ensure_eq!(rest.items.len(), 5);
    ensure!(!rest.is_truncated(), "the last /ops/ page is truncated");
    ensure!(
        first
            .items
            .iter()
            .chain(&rest.items)
            .all(|user| user.path == "/ops/"),
        "a user outside /ops/ was listed"
    );

    // A page exactly as long as what is left ends the listing.
    let exact = step!(store.list_users(account, &ListOptions::first(25)).await);
    ensure_eq!(exact.items.len(), 25);
    ensure!(!exact.is_truncated(), "a complete page is truncated");
    let default_size = step!(store.list_users(account, &ListOptions::default()).await);
    ensure_eq!(default_size.items.len(), 25);
    Ok(())
}

pub(super) async fn marker_survives_changes(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    for name in ["b", "d", "f", "h", "j"] {
        step!(
            store
                .create_user(account, fixture.user(account, name))
                .await
        );
    }
    let first = step!(store.list_users(account, &ListOptions::first(2)).await);
    ensure_eq!(names(&first.items), vec!["b".to_owned(), "d".to_owned()]);
    let marker = first
        .marker
        .clone()
        .ok_or("the first page is not truncated")?;

    // Another client inserts before and after the marker and deletes the next item.
    step!(store.create_user(account, fixture.user(account, "a")).await);
    step!(store.create_user(account, fixture.user(account, "c")).await);
    step!(store.create_user(account, fixture.user(account, "g")).await);
    step!(store.delete_user(account, "f").await);
    // Deleting the item the marker points at does not break the marker either.
    step!(store.delete_user(account, "d").await);

    let rest = step!(
        store
            .list_users(account, &ListOptions::first(10).after(marker))
            .await
    );
    ensure_eq!(
        names(&rest.items),
        vec!["g".to_owned(), "h".to_owned(), "j".to_owned()]
    );
    Ok(())
}

pub(super) async fn invalid_parameters(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    step!(store.create_user(account, fixture.user(account, "a")).await);
    step!(store.create_user(account, fixture.user(account, "b")).await);
    step!(
        store
            .create_group(account, fixture.group(account, "a"))
            .await
    );
    step!(
        store
            .create_group(account, fixture.group(account, "b"))
            .await
    );

    for max_items in [0, 1001] {
        expect_error!(
            store
                .list_users(account, &ListOptions::first(max_items))
                .await,
            StoreError::InvalidInput(_)
        );
    }
    step!(store.list_users(account, &ListOptions::first(1000)).await);
    for marker in ["not a marker", "", "AAAA", &"x".repeat(5000)] {
        let options = ListOptions::default().after(marker);
        expect_error!(
            store.list_users(account, &options).await,
            StoreError::InvalidInput(_)
        );
    }
    // A marker of one listing is rejected by another.
    let groups = step!(store.list_groups(account, &ListOptions::first(1)).await);
    let marker = groups.marker.ok_or("the group page is not truncated")?;
    expect_error!(
        store
            .list_users(account, &ListOptions::default().after(marker.clone()))
            .await,
        StoreError::InvalidInput(_)
    );
    let next = step!(
        store
            .list_groups(account, &ListOptions::default().after(marker))
            .await
    );
    ensure_eq!(next.items.len(), 1);
    Ok(())
}

pub(super) async fn policy_listing(store: &Arc<dyn IamStore>, fixture: &Fixture) -> CheckResult {
    let account = fixture.account(0);
    for name in ["AwsA", "AwsB", "AwsC"] {
        step!(
            store
                .put_aws_managed_policy(fixture.aws_policy(name, "s3:*"))
                .await
        );
    }
    for name in ["LocalA", "LocalB"] {
        step!(
            store
                .create_policy(account, fixture.policy(account, name, "s3:*"))
                .await
        );
    }
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    let attached = fixture.aws_policy("AwsB", "s3:*").arn;
    step!(
        store
            .attach_policy(
                account,
                &crate::Identity::User("Alice".to_owned()),
                &attached
            )
            .await
    );

    let mut options = ListPoliciesOptions {
        list: ListOptions::first(2),
        ..ListPoliciesOptions::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = step!(store.list_policies(account, &options).await);
        ensure!(
            page.items.len() <= 2,
            "page of {} policies",
            page.items.len()
        );
        seen.extend(page.items.iter().map(|policy| policy.policy_name.clone()));
        match page.marker {
            Some(marker) => options.list = options.list.after(marker),
            None => break,
        }
    }
    ensure_eq!(seen, vec!["AwsA", "AwsB", "AwsC", "LocalA", "LocalB"]);

    // A marker continues only the scope that produced it.
    let all_four = ListPoliciesOptions {
        list: ListOptions::first(4),
        ..ListPoliciesOptions::default()
    };
    let page = step!(store.list_policies(account, &all_four).await);
    let local_marker = page.marker.ok_or("four of five policies fit one page")?;
    let aws_after_local = ListPoliciesOptions {
        scope: PolicyScope::Aws,
        list: ListOptions::default().after(local_marker),
        ..ListPoliciesOptions::default()
    };
    expect_error!(
        store.list_policies(account, &aws_after_local).await,
        StoreError::InvalidInput(_)
    );
    let all_two = ListPoliciesOptions {
        list: ListOptions::first(2),
        ..ListPoliciesOptions::default()
    };
    let page = step!(store.list_policies(account, &all_two).await);
    let aws_marker = page.marker.ok_or("two of five policies fit one page")?;
    let local_after_aws = ListPoliciesOptions {
        scope: PolicyScope::Local,
        list: ListOptions::default().after(aws_marker),
        ..ListPoliciesOptions::default()
    };
    expect_error!(
        store.list_policies(account, &local_after_aws).await,
        StoreError::InvalidInput(_)
    );

    let local = ListPoliciesOptions {
        scope: PolicyScope::Local,
        ..ListPoliciesOptions::default()
    };
    let page = step!(store.list_policies(account, &local).await);
    ensure_eq!(page.items.len(), 2);
    let aws = ListPoliciesOptions {
        scope: PolicyScope::Aws,
        only_attached: true,
        ..ListPoliciesOptions::default()
    };
    let page = step!(store.list_policies(account, &aws).await);
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|policy| policy.policy_name.as_str())
        .collect();
    ensure_eq!(names, vec!["AwsB"]);
    ensure_eq!(
        page.items.first().map(|policy| policy.attachment_count),
        Some(1)
    );
    Ok(())
}
