//! Request counters and latency histograms in the Prometheus text exposition format.
//!
//! Labels come only from closed sets (services, known action names, error codes, decision
//! outcomes), so every series has a fixed slot in an array of atomic counters. Counting a
//! request takes no lock, and the number of series stays bounded whatever clients send.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::ErrorCode;
use crate::service::Service;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
];

/// The services in label order; a request whose service is unknown counts after them.
const SERVICES: [Service; 2] = [Service::Iam, Service::Sts];

/// The label of a service or action that was not determined.
const UNKNOWN: &str = "unknown";

/// The label of the `code` of a successful request.
const OK: &str = "ok";

/// The number of `code` labels: `ok` and every error code.
const CODE_LABELS: usize = ErrorCode::ALL.len() + 1;

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
    /// Every outcome, in label order.
    const ALL: [DecisionOutcome; 4] = [
        DecisionOutcome::Allow,
        DecisionOutcome::ExplicitDeny,
        DecisionOutcome::ImplicitDeny,
        DecisionOutcome::Root,
    ];

    fn label(self) -> &'static str {
        match self {
            DecisionOutcome::Allow => "allow",
            DecisionOutcome::ExplicitDeny => "explicit_deny",
            DecisionOutcome::ImplicitDeny => "implicit_deny",
            DecisionOutcome::Root => "root",
        }
    }

    fn index(self) -> usize {
        match self {
            DecisionOutcome::Allow => 0,
            DecisionOutcome::ExplicitDeny => 1,
            DecisionOutcome::ImplicitDeny => 2,
            DecisionOutcome::Root => 3,
        }
    }
}

/// The server's metrics registry.
#[derive(Debug)]
pub struct Metrics {
    /// Request counts: `CODE_LABELS` counters per action slot (see [`action_slot`]), `ok`
    /// first and then the error codes in [`ErrorCode::ALL`] order.
    requests: Box<[AtomicU64]>,
    /// One histogram per service in [`SERVICES`] order, then one for an unknown service.
    latency: [Histogram; SERVICES.len() + 1],
    decisions: [AtomicU64; DecisionOutcome::ALL.len()],
    in_flight: AtomicU64,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Counts per bucket, not cumulative; the last slot counts values above every bound.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates an empty registry.
    pub fn new() -> Self {
        let slots = action_slot_count() * CODE_LABELS;
        Self {
            requests: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            latency: Default::default(),
            decisions: Default::default(),
            in_flight: AtomicU64::new(0),
        }
    }

    /// Counts one handled request and its latency. `code` is `None` for a success, and
    /// `service` and `action` are `None` when the request did not get far enough to name them.
    /// An action the service does not define counts as `unknown`.
    pub fn record_request(
        &self,
        service: Option<Service>,
        action: Option<&str>,
        code: Option<ErrorCode>,
        latency: Duration,
    ) {
        let code_index = code.map_or(0, |code| {
            ErrorCode::ALL
                .iter()
                .position(|known| *known == code)
                .map_or(0, |position| position + 1)
        });
        let counter = action_slot(service, action) * CODE_LABELS + code_index;
        if let Some(counter) = self.requests.get(counter) {
            counter.fetch_add(1, Ordering::Relaxed);
        }

        let service_index = service
            .and_then(|service| SERVICES.iter().position(|known| *known == service))
            .unwrap_or(SERVICES.len());
        let Some(histogram) = self.latency.get(service_index) else {
            return;
        };
        let seconds = latency.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        if let Some(bucket) = histogram.buckets.get(bucket) {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        histogram.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        histogram.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one authorization decision.
    pub fn record_decision(&self, outcome: DecisionOutcome) {
        if let Some(counter) = self.decisions.get(outcome.index()) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Marks the start of a request; the returned guard marks its end when dropped.
    pub fn start_request(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight { metrics: self }
    }

    /// Renders every metric in the Prometheus text exposition format, version 0.0.4.
    ///
    /// The counters are read one by one while requests go on, so a scrape may count a request
    /// in `iam_requests_total` and not yet in the latency histogram.
    pub fn render(&self) -> String {
        let mut output = String::new();

        output.push_str("# HELP iam_requests_total Requests handled, by service, action and error code (`ok` for success).\n");
        output.push_str("# TYPE iam_requests_total counter\n");
        let counters = self.requests.chunks(CODE_LABELS);
        for ((service, action), counters) in action_labels().zip(counters) {
            let codes = std::iter::once(OK).chain(ErrorCode::ALL.iter().map(|code| code.as_str()));
            for (code, counter) in codes.zip(counters) {
                let count = counter.load(Ordering::Relaxed);
                if count == 0 {
                    continue;
                }
                let _ = writeln!(
                    output,
                    "iam_requests_total{{service=\"{service}\",action=\"{action}\",code=\"{code}\"}} {count}",
                );
            }
        }

        output.push_str(
            "# HELP iam_request_duration_seconds Time from request to response, by service.\n",
        );
        output.push_str("# TYPE iam_request_duration_seconds histogram\n");
        let services = SERVICES
            .iter()
            .map(|service| service.name())
            .chain([UNKNOWN]);
        for (service, histogram) in services.zip(&self.latency) {
            histogram.render(&mut output, service);
        }

        output.push_str(
            "# HELP iam_authorization_decisions_total Authorization decisions, by outcome.\n",
        );
        output.push_str("# TYPE iam_authorization_decisions_total counter\n");
        for (outcome, counter) in DecisionOutcome::ALL.iter().zip(&self.decisions) {
            let count = counter.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
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

impl Histogram {
    /// Writes the histogram's series for `service`, unless it counted no request.
    fn render(&self, output: &mut String, service: &str) {
        let count = self.count.load(Ordering::Relaxed);
        if count == 0 {
            return;
        }
        let mut cumulative = 0;
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(
                output,
                "iam_request_duration_seconds_bucket{{service=\"{service}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            output,
            "iam_request_duration_seconds_bucket{{service=\"{service}\",le=\"+Inf\"}} {count}"
        );
        let sum_seconds = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(
            output,
            "iam_request_duration_seconds_sum{{service=\"{service}\"}} {sum_seconds}"
        );
        let _ = writeln!(
            output,
            "iam_request_duration_seconds_count{{service=\"{service}\"}} {count}"
        );
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

/// Returns the number of action slots: each service's actions and an `unknown` action per
/// service, then one slot for requests whose service is unknown.
fn action_slot_count() -> usize {
    SERVICES
        .iter()
        .map(|service| service.actions().len() + 1)
        .sum::<usize>()
        + 1
}

/// Returns the slot of a service and action, in the order of [`action_labels`].
fn action_slot(service: Option<Service>, action: Option<&str>) -> usize {
    let mut offset = 0;
    for known in SERVICES {
        let actions = known.actions();
        if service == Some(known) {
            // INVARIANT (sorted): `Service::actions` is sorted, so it can be searched.
            let position = action.and_then(|action| actions.binary_search(&action).ok());
            return offset + position.unwrap_or(actions.len());
        }
        offset += actions.len() + 1;
    }
    offset
}

/// Returns the service and action labels of every slot, in slot order.
fn action_labels() -> impl Iterator<Item = (&'static str, &'static str)> {
    SERVICES
        .iter()
        .flat_map(|service| {
            service
                .actions()
                .iter()
                .copied()
                .chain([UNKNOWN])
                .map(|action| (service.name(), action))
        })
        .chain([(UNKNOWN, UNKNOWN)])
}

#[cfg(test)]
mod tests;
