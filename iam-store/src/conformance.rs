//! The conformance kit: one call that checks a backend against every rule of the traits.
//!
//! A backend's test calls [`run`] with a factory that builds an empty store for given quotas,
//! then [`Report::assert_passed`]. Each check gets its own fresh store, so a failure in one does
//! not cascade into the next. The kit covers uniqueness ignoring case, every quota, every delete
//! conflict, renames, optimistic concurrency, pagination under concurrent change, the change
//! feed, multi-account isolation, loading a principal's policies, concurrent writers racing for
//! a quota, and export and import.

mod accounts;
mod credentials;
mod fixture;
mod identities;
mod listing;
mod policies;
mod sessions;

use std::future::Future;
use std::sync::Arc;

use iam_model::Quotas;

pub use fixture::{Fixture, document};

use crate::IamStore;

/// The outcome of one check: `Err` carries what went wrong.
pub type CheckResult = Result<(), String>;

/// The outcome of every check of a [`run`].
#[derive(Debug, Default)]
pub struct Report {
    /// Names of the checks that passed.
    pub passed: Vec<&'static str>,
    /// Names of the checks that failed, with what went wrong.
    pub failed: Vec<(&'static str, String)>,
}

impl Report {
    /// Panics with every failure when any check failed.
    ///
    /// # Panics
    ///
    /// When [`Report::failed`] is not empty; the message lists each failed check.
    pub fn assert_passed(&self) {
        if self.failed.is_empty() {
            return;
        }
        let failures: Vec<String> = self
            .failed
            .iter()
            .map(|(name, message)| format!("{name}: {message}"))
            .collect();
        panic!(
            "{} of {} conformance checks failed:\n{}",
            self.failed.len(),
            self.failed.len() + self.passed.len(),
            failures.join("\n")
        );
    }

    fn record(&mut self, name: &'static str, result: CheckResult) {
        match result {
            Ok(()) => self.passed.push(name),
            Err(message) => self.failed.push((name, message)),
        }
    }
}

/// Fails the check with a message unless the condition holds.
macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(format!($($message)+));
        }
    };
}

/// Fails the check unless both values are equal, printing both.
macro_rules! ensure_eq {
    ($left:expr, $right:expr $(,)?) => {
        match (&$left, &$right) {
            (left, right) => {
                if left != right {
                    return Err(format!(
                        "`{}` is {:?}, expected {:?}",
                        stringify!($left),
                        left,
                        right
                    ));
                }
            }
        }
    };
}

/// Unwraps a successful store call or fails the check with the call and its error.
macro_rules! step {
    ($call:expr) => {
        match $call {
            Ok(value) => value,
            Err(error) => {
                return Err(format!("`{}` failed: {error}", stringify!($call)));
            }
        }
    };
}

/// Fails the check unless the store call failed with an error matching the pattern.
macro_rules! expect_error {
    ($call:expr, $pattern:pat) => {
        match $call {
            Err($pattern) => {}
            other => {
                return Err(format!(
                    "`{}` returned {:?}, expected {}",
                    stringify!($call),
                    other,
                    stringify!($pattern)
                ));
            }
        }
    };
}

pub(crate) use {ensure, ensure_eq, expect_error, step};

/// Runs one check on a fresh store and records it under the check's function name.
macro_rules! check {
    ($report:expr, $factory:expr, $fixture:expr, $quotas:expr, $check:path) => {{
        let store = $factory($quotas).await;
        let result = $check(&store, &$fixture).await;
        $report.record(stringify!($check), result);
    }};
}

/// Runs every conformance check against stores built by `factory`.
///
/// `factory` builds an empty store that enforces the quotas it is given. Checks that test a
/// quota lower it, so that reaching it takes a few calls. Call it inside a multi-threaded tokio
/// runtime: the concurrency checks spawn tasks that race for a quota.
pub async fn run<F, Fut>(factory: F) -> Report
where
    F: Fn(Quotas) -> Fut,
    Fut: Future<Output = Arc<dyn IamStore>>,
{
    let fixture = Fixture::new();
    let defaults = Quotas::default;
    let small = fixture::small_quotas;
    let mut report = Report::default();

    check!(
        report,
        factory,
        fixture,
        defaults(),
        identities::names_unique_ignoring_case
    );
    check!(report, factory, fixture, small(), identities::user_quota);
    check!(
        report,
        factory,
        fixture,
        defaults(),
        identities::user_delete_conflicts
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        identities::user_rename_moves_everything
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        identities::update_checks_revision
    );
    check!(
        report,
        factory,
        fixture,
        small(),
        identities::group_membership
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        identities::group_delete_conflicts
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        identities::group_rename
    );
    check!(report, factory, fixture, small(), identities::role_rules);
    check!(
        report,
        factory,
        fixture,
        small(),
        identities::concurrent_creates_respect_quota
    );
    check!(report, factory, fixture, small(), policies::policy_versions);
    check!(report, factory, fixture, small(), policies::attachments);
    check!(
        report,
        factory,
        fixture,
        defaults(),
        policies::policy_delete_conflicts
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        policies::aws_managed_policies
    );
    check!(report, factory, fixture, small(), policies::inline_policies);
    check!(
        report,
        factory,
        fixture,
        defaults(),
        policies::permissions_boundaries
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        policies::principal_policies
    );
    check!(
        report,
        factory,
        fixture,
        small(),
        policies::concurrent_attachments_respect_quota
    );
    check!(report, factory, fixture, small(), credentials::access_keys);
    check!(
        report,
        factory,
        fixture,
        small(),
        credentials::root_access_keys
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        credentials::login_profiles
    );
    check!(report, factory, fixture, small(), credentials::mfa_devices);
    check!(
        report,
        factory,
        fixture,
        small(),
        credentials::root_mfa_devices
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        credentials::mfa_time_steps
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        credentials::concurrent_time_steps_accept_once
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        sessions::session_revocations
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        sessions::revocations_follow_identity
    );
    check!(
        report,
        factory,
        fixture,
        small(),
        accounts::instance_profiles
    );
    check!(report, factory, fixture, small(), accounts::oidc_providers);
    check!(report, factory, fixture, defaults(), accounts::tags_replace);
    check!(
        report,
        factory,
        fixture,
        defaults(),
        accounts::account_settings
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        accounts::account_summary
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        accounts::accounts_are_isolated
    );
    check!(report, factory, fixture, defaults(), accounts::change_feed);
    check!(
        report,
        factory,
        fixture,
        defaults(),
        listing::pages_cover_every_item
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        listing::marker_survives_changes
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        listing::invalid_parameters
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        listing::policy_listing
    );
    check!(
        report,
        factory,
        fixture,
        defaults(),
        accounts::export_import_round_trip
    );
    {
        let source = factory(Quotas::default()).await;
        let target = factory(Quotas::default()).await;
        let result = accounts::export_into(&source, &target, &fixture).await;
        report.record("accounts::export_into_another_store", result);
    }
    report
}
