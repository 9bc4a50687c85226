//! Checks of session revocations.

use std::sync::Arc;

use jiff::SignedDuration;

use super::{CheckResult, Fixture, ensure, ensure_eq, expect_error, step};
use crate::prelude::*;
use crate::{EntityKind, Identity, StoreError};

pub(super) async fn session_revocations(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    let other = fixture.account(1);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    step!(
        store
            .create_role(account, fixture.role(account, "App"))
            .await
    );
    step!(
        store
            .create_group(account, fixture.group(account, "Team"))
            .await
    );
    let alice = Identity::User("alice".to_owned());
    let app = Identity::Role("APP".to_owned());
    let early = fixture.now;
    let late = fixture.now + SignedDuration::from_secs(600);

    ensure_eq!(step!(store.session_revocation(account, &alice).await), None);
    let set = step!(store.set_session_revocation(account, &alice, late).await);
    ensure_eq!(set.identity, Identity::User("Alice".to_owned()));
    ensure_eq!(set.revoked_before, late);
    let after_earlier = step!(store.set_session_revocation(account, &alice, early).await);
    ensure_eq!(after_earlier.revoked_before, late);
    let read = step!(store.session_revocation(account, &alice).await);
    ensure_eq!(read, Some(set));
    step!(store.set_session_revocation(account, &app, early).await);
    let role_record = step!(store.session_revocation(account, &app).await);
    ensure_eq!(
        role_record.map(|record| record.identity),
        Some(Identity::Role("App".to_owned()))
    );
    ensure_eq!(step!(store.session_revocation(other, &alice).await), None);

    let team = Identity::Group("Team".to_owned());
    expect_error!(
        store.set_session_revocation(account, &team, late).await,
        StoreError::InvalidInput(_)
    );
    expect_error!(
        store.session_revocation(account, &team).await,
        StoreError::InvalidInput(_)
    );
    let nobody = Identity::Role("Nobody".to_owned());
    expect_error!(
        store.set_session_revocation(account, &nobody, late).await,
        StoreError::NoSuchEntity {
            kind: EntityKind::Role,
            ..
        }
    );
    ensure_eq!(
        step!(store.session_revocation(account, &nobody).await),
        None
    );

    step!(store.clear_session_revocation(account, &alice).await);
    ensure_eq!(step!(store.session_revocation(account, &alice).await), None);
    expect_error!(
        store.clear_session_revocation(account, &alice).await,
        StoreError::NoSuchEntity {
            kind: EntityKind::SessionRevocation,
            ..
        }
    );
    let cleared_then_set = step!(store.set_session_revocation(account, &alice, early).await);
    ensure_eq!(cleared_then_set.revoked_before, early);
    Ok(())
}

/// Checks that a revocation follows its user through a rename and is deleted with its role or
/// user, so a new identity with the old name starts without one.
pub(super) async fn revocations_follow_identity(
    store: &Arc<dyn IamStore>,
    fixture: &Fixture,
) -> CheckResult {
    let account = fixture.account(0);
    step!(
        store
            .create_user(account, fixture.user(account, "Alice"))
            .await
    );
    step!(
        store
            .create_role(account, fixture.role(account, "App"))
            .await
    );
    let alice = Identity::User("Alice".to_owned());
    let carol = Identity::User("Carol".to_owned());
    let app = Identity::Role("App".to_owned());
    step!(
        store
            .set_session_revocation(account, &alice, fixture.now)
            .await
    );
    step!(
        store
            .set_session_revocation(account, &app, fixture.now)
            .await
    );

    let mut renamed = step!(store.user(account, "Alice").await).record;
    renamed.user_name = "Carol".to_owned();
    step!(store.update_user(account, "Alice", renamed, None).await);
    ensure_eq!(step!(store.session_revocation(account, &alice).await), None);
    let moved = step!(store.session_revocation(account, &carol).await);
    ensure_eq!(moved.map(|record| record.identity), Some(carol.clone()));

    step!(store.delete_user(account, "Carol").await);
    step!(store.delete_role(account, "App").await);
    step!(
        store
            .create_user(account, fixture.user(account, "Carol"))
            .await
    );
    step!(
        store
            .create_role(account, fixture.role(account, "App"))
            .await
    );
    ensure_eq!(step!(store.session_revocation(account, &carol).await), None);
    ensure_eq!(step!(store.session_revocation(account, &app).await), None);
    let records = step!(store.export().await);
    let any_revocation = records.iter().any(|record| {
        matches!(
            record,
            crate::export::ExportRecord::SessionRevocation { .. }
        )
    });
    ensure!(
        !any_revocation,
        "a deleted identity's revocation was exported"
    );
    Ok(())
}
