use super::*;

#[test]
fn render_counts_requests_by_labels() {
    let metrics = Metrics::new();
    metrics.record_request("iam", "GetUser", "ok", Duration::from_micros(300));
    metrics.record_request("iam", "GetUser", "ok", Duration::from_millis(2));
    metrics.record_request("iam", "GetUser", "NoSuchEntity", Duration::from_secs(3));

    let text = metrics.render();

    assert!(
        text.contains("iam_requests_total{service=\"iam\",action=\"GetUser\",code=\"ok\"} 2\n")
    );
    assert!(text.contains(
        "iam_requests_total{service=\"iam\",action=\"GetUser\",code=\"NoSuchEntity\"} 1\n"
    ));
}

#[test]
fn render_writes_cumulative_histogram() {
    let metrics = Metrics::new();
    metrics.record_request("sts", "AssumeRole", "ok", Duration::from_micros(300));
    metrics.record_request("sts", "AssumeRole", "ok", Duration::from_millis(2));
    metrics.record_request("sts", "AssumeRole", "ok", Duration::from_secs(3));

    let text = metrics.render();

    assert!(
        text.contains("iam_request_duration_seconds_bucket{service=\"sts\",le=\"0.00025\"} 0\n")
    );
    assert!(
        text.contains("iam_request_duration_seconds_bucket{service=\"sts\",le=\"0.0005\"} 1\n")
    );
    assert!(
        text.contains("iam_request_duration_seconds_bucket{service=\"sts\",le=\"0.0025\"} 2\n")
    );
    assert!(text.contains("iam_request_duration_seconds_bucket{service=\"sts\",le=\"1\"} 2\n"));
    assert!(text.contains("iam_request_duration_seconds_bucket{service=\"sts\",le=\"+Inf\"} 3\n"));
    assert!(text.contains("iam_request_duration_seconds_count{service=\"sts\"} 3\n"));
}

#[test]
fn render_counts_decisions_by_outcome() {
    let metrics = Metrics::new();
    metrics.record_decision(DecisionOutcome::Allow);
    metrics.record_decision(DecisionOutcome::ImplicitDeny);
    metrics.record_decision(DecisionOutcome::ImplicitDeny);

    let text = metrics.render();

    assert!(text.contains("iam_authorization_decisions_total{outcome=\"allow\"} 1\n"));
    assert!(text.contains("iam_authorization_decisions_total{outcome=\"implicit_deny\"} 2\n"));
    assert!(!text.contains("outcome=\"explicit_deny\""));
}

#[test]
fn in_flight_gauge_follows_guards() {
    let metrics = Metrics::new();

    let first = metrics.start_request();
    let second = metrics.start_request();
    assert!(metrics.render().contains("iam_requests_in_flight 2\n"));
    drop(first);
    drop(second);

    assert!(metrics.render().contains("iam_requests_in_flight 0\n"));
}
