use super::*;

#[test]
fn render_counts_requests_by_labels() {
    let metrics = Metrics::new();
    metrics.record_request(
        Some(Service::Iam),
        Some("GetUser"),
        None,
        Duration::from_micros(300),
    );
    metrics.record_request(
        Some(Service::Iam),
        Some("GetUser"),
        None,
        Duration::from_millis(2),
    );
    metrics.record_request(
        Some(Service::Iam),
        Some("GetUser"),
        Some(ErrorCode::NoSuchEntity),
        Duration::from_secs(3),
    );

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
    metrics.record_request(
        Some(Service::Sts),
        Some("AssumeRole"),
        None,
        Duration::from_micros(300),
    );
    metrics.record_request(
        Some(Service::Sts),
        Some("AssumeRole"),
        None,
        Duration::from_millis(2),
    );
    metrics.record_request(
        Some(Service::Sts),
        Some("AssumeRole"),
        None,
        Duration::from_secs(3),
    );

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

#[test]
fn unknown_labels_are_counted() {
    let metrics = Metrics::new();
    metrics.record_request(
        Some(Service::Iam),
        Some("NoSuchAction"),
        Some(ErrorCode::InvalidAction),
        Duration::from_micros(50),
    );
    metrics.record_request(
        None,
        None,
        Some(ErrorCode::MalformedQueryString),
        Duration::from_micros(50),
    );

    let text = metrics.render();

    assert!(text.contains(
        "iam_requests_total{service=\"iam\",action=\"unknown\",code=\"InvalidAction\"} 1\n"
    ));
    assert!(text.contains(
        "iam_requests_total{service=\"unknown\",action=\"unknown\",code=\"MalformedQueryString\"} 1\n"
    ));
    assert!(text.contains("iam_request_duration_seconds_count{service=\"unknown\"} 1\n"));
}

#[test]
fn every_slot_has_its_own_labels() {
    let metrics = Metrics::new();
    let mut expected = Vec::new();
    for service in [Service::Iam, Service::Sts] {
        for action in service.actions() {
            metrics.record_request(Some(service), Some(action), None, Duration::ZERO);
            expected.push(format!(
                "iam_requests_total{{service=\"{service}\",action=\"{action}\",code=\"ok\"}} 1\n"
            ));
        }
    }

    let text = metrics.render();

    for line in expected {
        assert!(text.contains(&line), "missing {line}");
    }
}

#[test]
fn concurrent_requests_are_all_counted() {
    let metrics = Metrics::new();

    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..1000 {
                    metrics.record_request(
                        Some(Service::Iam),
                        Some("GetUser"),
                        None,
                        Duration::from_micros(10),
                    );
                }
            });
        }
    });

    let text = metrics.render();
    assert!(
        text.contains("iam_requests_total{service=\"iam\",action=\"GetUser\",code=\"ok\"} 4000\n")
    );
    assert!(text.contains("iam_request_duration_seconds_count{service=\"iam\"} 4000\n"));
}
