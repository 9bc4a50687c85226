//! Request counters and latency histograms in the Prometheus text exposition format.
//!
//! Labels come only from closed sets (services, known action names, error codes, decision
//! outcomes), so the number of series stays bounded whatever clients send.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

/// The outcome of an authorization decision, as counted by the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DecisionOutcome {
    /// A policy allowed the call.
    Allow,
    /// A policy statement denied the call.
    ExplicitDeny,
    /// No policy allowed the call.
    ImplicitDeny,
    /// The root user of the account made the call, which needs no policy.
    Root,
}

impl DecisionOutcome {
    fn label(self) -> &'static str {
        match self {
            DecisionOutcome::Allow => "allow",
            DecisionOutcome::ExplicitDeny => "explicit_deny",
            DecisionOutcome::ImplicitDeny => "implicit_deny",
            DecisionOutcome::Root => "root",
        }
    }
}

/// The server's metrics registry.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RequestLabels, u64>>,
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
    decisions: Mutex<BTreeMap<DecisionOutcome, u64>>,
    in_flight: AtomicU64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RequestLabels {
    service: &'static str,
    action: &'static str,
    code: &'static str,
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Counts per bucket, not cumulative; the last slot counts values above every bound.
    buckets: [u64; LATENCY_BUCKETS.len() + 1],
    sum_seconds: f64,
    count: u64,
}

impl Metrics {
    /// Creates an empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one handled request and its latency. `code` is `ok` for a success.
    pub fn record_request(
        &self,
        service: &'static str,
        action: &'static str,
        code: &'static str,
        latency: Duration,
    ) {
        let labels = RequestLabels {
            service,
            action,
            code,
        };
        *lock(&self.requests).entry(labels).or_default() += 1;

        let seconds = latency.as_secs_f64();
        let mut histograms = lock(&self.latency);
        let histogram = histograms.entry(service).or_default();
        let slot = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        if let Some(bucket) = histogram.buckets.get_mut(slot) {
            *bucket += 1;
        }
        histogram.sum_seconds += seconds;
        histogram.count += 1;
    }

    /// Counts one authorization decision.
    pub fn record_decision(&self, outcome: DecisionOutcome) {
        *lock(&self.decisions).entry(outcome).or_default() += 1;
    }

    /// Marks the start of a request; the returned guard marks its end when dropped.
    pub fn start_request(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight { metrics: self }
    }

    /// Renders every metric in the Prometheus text exposition format, version 0.0.4.
    pub fn render(&self) -> String {
        let mut output = String::new();

        output.push_str("# HELP iam_requests_total Requests handled, by service, action and error code (`ok` for success).\n");
        output.push_str("# TYPE iam_requests_total counter\n");
        for (labels, count) in lock(&self.requests).iter() {
            let _ = writeln!(
                output,
                "iam_requests_total{{service=\"{}\",action=\"{}\",code=\"{}\"}} {count}",
                labels.service, labels.action, labels.code
            );
        }

        output.push_str(
            "# HELP iam_request_duration_seconds Time from request to response, by service.\n",
        );
        output.push_str("# TYPE iam_request_duration_seconds histogram\n");
        for (service, histogram) in lock(&self.latency).iter() {
            let mut cumulative = 0;
            for (bound, count) in LATENCY_BUCKETS.iter().zip(histogram.buckets) {
                cumulative += count;
                let _ = writeln!(
                    output,
                    "iam_request_duration_seconds_bucket{{service=\"{service}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                output,
                "iam_request_duration_seconds_bucket{{service=\"{service}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                output,
                "iam_request_duration_seconds_sum{{service=\"{service}\"}} {}",
                histogram.sum_seconds
            );
            let _ = writeln!(
                output,
                "iam_request_duration_seconds_count{{service=\"{service}\"}} {}",
                histogram.count
            );
        }

        output.push_str(
            "# HELP iam_authorization_decisions_total Authorization decisions, by outcome.\n",
        );
        output.push_str("# TYPE iam_authorization_decisions_total counter\n");
        for (outcome, count) in lock(&self.decisions).iter() {
            let _ = writeln!(
                output,
                "iam_authorization_decisions_total{{outcome=\"{}\"}} {count}",
                outcome.label()
            );
        }

        output.push_str("# HELP iam_requests_in_flight Requests being handled now.\n");
        output.push_str("# TYPE iam_requests_in_flight gauge\n");
        let _ = writeln!(
            output,
            "iam_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        output
    }
}

/// A request being handled; dropping it lowers the in-flight gauge.
#[derive(Debug)]
pub struct InFlight<'a> {
    metrics: &'a Metrics,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Locks a mutex, taking the data even if a panicking thread poisoned it, because counters
/// stay meaningful after a panic elsewhere.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
