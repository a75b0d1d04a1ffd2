use super::*;
use crate::api::{match_events, MatchReport};
use crate::engine::matcher::MatchOptions;

const FAILED: &str = "title: failed logon
id: 11111111-1111-4111-8111-111111111111
name: failed_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4625
    condition: selection
";

const SUCCESS: &str = "title: successful logon
name: successful_logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
    condition: selection
";

fn corr(body: &str) -> String {
    format!("title: the correlation\nname: corr\ncorrelation:\n{body}")
}

fn run(docs: &[&str], events: &[String]) -> MatchReport {
    run_with(docs, events, &MatchOptions::default())
}

fn run_with(docs: &[&str], events: &[String], options: &MatchOptions) -> MatchReport {
    let rule = docs.join("---\n");
    let report = match_events(&rule, &events.join("\n"), options);
    assert!(!report.has_rule_errors(), "{:#?}", report.diagnostics);
    report
}

fn ev(id: u32, user: &str, at: &str) -> String {
    format!(r#"{{"EventID":{id},"TargetUserName":"{user}","Computer":"ws1","@timestamp":"2024-05-01T{at}Z"}}"#)
}

fn hits(report: &MatchReport, title: &str) -> Vec<Vec<usize>> {
    report
        .correlations
        .iter()
        .find(|c| c.title == title)
        .map(|c| c.hits.iter().map(|h| h.events.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn times_parse_and_print() {
    assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_rfc3339("1970-01-02"), Some(86_400_000));
    assert_eq!(parse_rfc3339("2024-05-01T10:00:00+02:00"), parse_rfc3339("2024-05-01T08:00:00Z"));
    assert_eq!(parse_rfc3339("2024-05-01 08:00:00.250"), parse_rfc3339("2024-05-01T08:00:00Z").map(|t| t + 250));
    assert_eq!(parse_rfc3339("2024-05-01T08:00:00.1234567Z"), parse_rfc3339("2024-05-01T08:00:00Z").map(|t| t + 123));
    assert_eq!(parse_rfc3339("2024-13-01"), None);
    assert_eq!(parse_rfc3339("2024-05-01T08:00:00Q"), None);
    assert_eq!(parse_rfc3339("yesterday"), None);
    for t in ["2024-02-29T23:59:59Z", "1999-12-31T00:00:00.5Z", "2100-03-01T12:00:00Z"] {
        let ms = parse_rfc3339(t).expect(t);
        assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Some(ms), "{t}");
    }
    assert_eq!(format_rfc3339(1_714_550_400_000), "2024-05-01T08:00:00Z");
    assert_eq!(instant(&serde_json::json!(1_714_550_400)), Some(1_714_550_400_000));
    assert_eq!(instant(&serde_json::json!(1_714_550_400_123i64)), Some(1_714_550_400_123));
    assert_eq!(instant(&serde_json::json!(-5)), None);
}

#[test]
fn event_count_per_group_within_the_span() {
    let c = corr("    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - TargetUserName\n    timespan: 1m\n    condition:\n        gte: 3\n");
    let events = [
        ev(4625, "alice", "08:00:00"),
        ev(4625, "bob", "08:00:05"),
        ev(4625, "alice", "08:00:20"),
        ev(4625, "bob", "08:00:30"),
        ev(4625, "alice", "08:00:50"),
        ev(4624, "alice", "08:00:55"),
    ];
    let report = run(&[FAILED, &c], &events);
    let outcome = &report.correlations[0];
    assert!(outcome.matched);
    assert_eq!(outcome.hits.len(), 1);
    let hit = &outcome.hits[0];
    assert_eq!(hit.events, vec![0, 2, 4]);
    assert_eq!(hit.group, vec![GroupValue { field: "TargetUserName".into(), value: Some("alice".into()) }]);
    assert_eq!(hit.value, 3.0);
    assert_eq!((hit.start.as_str(), hit.end.as_str()), ("2024-05-01T08:00:00Z", "2024-05-01T08:00:50Z"));
    assert_eq!(hit.rules, vec!["failed logon".to_string()]);
}

#[test]
fn the_window_is_the_timespan_long() {
    let c = corr("    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 1m\n    condition:\n        gte: 3\n");
    let spread = [ev(4625, "a", "08:00:00"), ev(4625, "b", "08:00:40"), ev(4625, "c", "08:01:20")];
    assert!(!run(&[FAILED, &c], &spread).correlations[0].matched, "0s..80s is longer than 1m");
    let close = [ev(4625, "a", "08:00:00"), ev(4625, "b", "08:00:40"), ev(4625, "c", "08:01:00")];
    assert_eq!(hits(&run(&[FAILED, &c], &close), "the correlation"), vec![vec![0, 1, 2]]);
}

#[test]
fn bursts_are_reported_once_and_later_bursts_again() {
    let c = corr("    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 1m\n    condition:\n        gte: 2\n");
    let events = [
        ev(4625, "a", "08:00:00"),
        ev(4625, "a", "08:00:10"),
        ev(4625, "a", "08:00:20"),
        ev(4625, "a", "09:00:00"),
        ev(4625, "a", "09:00:01"),
    ];
    assert_eq!(hits(&run(&[FAILED, &c], &events), "the correlation"), vec![vec![0, 1, 2], vec![3, 4]]);
}

#[test]
fn value_count_counts_distinct_values() {
    let c = corr("    type: value_count\n    rules:\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 10m\n    condition:\n        field: TargetUserName\n        gte: 3\n");
    let same =
        [ev(4625, "a", "08:00:00"), ev(4625, "a", "08:01:00"), ev(4625, "b", "08:02:00"), ev(4625, "b", "08:03:00")];
    assert!(!run(&[FAILED, &c], &same).correlations[0].matched);
    let varied = [ev(4625, "a", "08:00:00"), ev(4625, "b", "08:01:00"), ev(4625, "c", "08:02:00")];
    let report = run(&[FAILED, &c], &varied);
    assert_eq!(report.correlations[0].hits[0].value, 3.0);
}

#[test]
fn temporal_needs_every_rule_in_the_window_in_any_order() {
    let c = corr("    type: temporal\n    rules:\n        - failed_logon\n        - successful_logon\n    group-by:\n        - TargetUserName\n    timespan: 5m\n");
    let events = [ev(4624, "alice", "08:00:00"), ev(4625, "alice", "08:01:00"), ev(4625, "bob", "08:01:00")];
    assert_eq!(hits(&run(&[FAILED, SUCCESS, &c], &events), "the correlation"), vec![vec![0, 1]]);
    let apart = [ev(4624, "alice", "08:00:00"), ev(4625, "alice", "08:10:00")];
    assert!(!run(&[FAILED, SUCCESS, &c], &apart).correlations[0].matched);
}

#[test]
fn temporal_ordered_needs_the_listed_order() {
    let c = corr("    type: temporal_ordered\n    rules:\n        - failed_logon\n        - successful_logon\n    group-by:\n        - TargetUserName\n    timespan: 5m\n");
    let wrong = [ev(4624, "alice", "08:00:00"), ev(4625, "alice", "08:01:00")];
    assert!(!run(&[FAILED, SUCCESS, &c], &wrong).correlations[0].matched);
    let right = [ev(4625, "alice", "08:00:00"), ev(4624, "alice", "08:01:00")];
    assert_eq!(hits(&run(&[FAILED, SUCCESS, &c], &right), "the correlation"), vec![vec![0, 1]]);
}

#[test]
fn chained_correlations_follow_the_spec_example() {
    // Many failed logons, then a successful one for the same user.
    let many = "title: many failed\nname: many_failed\ncorrelation:\n    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - TargetUserName\n    timespan: 10m\n    condition:\n        gte: 3\n";
    let chain = corr("    type: temporal_ordered\n    rules:\n        - many_failed\n        - successful_logon\n    group-by:\n        - TargetUserName\n    timespan: 1h\n");
    let events = [
        ev(4625, "alice", "08:00:00"),
        ev(4625, "alice", "08:01:00"),
        ev(4625, "alice", "08:02:00"),
        ev(4624, "alice", "08:30:00"),
        ev(4624, "bob", "08:30:00"),
    ];
    let report = run(&[FAILED, SUCCESS, many, &chain], &events);
    assert_eq!(hits(&report, "many failed"), vec![vec![0, 1, 2]]);
    assert_eq!(hits(&report, "the correlation"), vec![vec![0, 1, 2, 3]]);
    // Dependency order does not depend on file order.
    let reordered = run(&[&chain, many, FAILED, SUCCESS], &events);
    assert_eq!(hits(&reordered, "the correlation"), vec![vec![0, 1, 2, 3]]);
}

#[test]
fn aliases_group_different_fields() {
    let c = corr("    type: temporal\n    rules:\n        - failed_logon\n        - successful_logon\n    group-by:\n        - user\n    timespan: 5m\n    aliases:\n        user:\n            failed_logon: TargetUserName\n            successful_logon: SubjectUserName\n");
    let events = [
        ev(4625, "alice", "08:00:00"),
        r#"{"EventID":4624,"SubjectUserName":"alice","@timestamp":"2024-05-01T08:01:00Z"}"#.to_string(),
    ];
    let report = run(&[FAILED, SUCCESS, &c], &events);
    assert_eq!(
        report.correlations[0].hits[0].group,
        vec![GroupValue { field: "user".into(), value: Some("alice".into()) }]
    );
}

#[test]
fn value_sum_and_avg() {
    let web = "title: upload\nname: upload\nlogsource:\n    category: proxy\ndetection:\n    selection:\n        method: POST\n    condition: selection\n";
    let sum = corr("    type: value_sum\n    rules:\n        - upload\n    group-by:\n        - src\n    timespan: 1h\n    condition:\n        field: bytes\n        gt: 1000\n");
    let avg = "title: avg\ncorrelation:\n    type: value_avg\n    rules:\n        - upload\n    group-by:\n        - src\n    timespan: 1h\n    condition:\n        field: bytes\n        gte: 600\n";
    let events = [
        r#"{"method":"POST","src":"10.0.0.1","bytes":700,"@timestamp":"2024-05-01T08:00:00Z"}"#.to_string(),
        r#"{"method":"POST","src":"10.0.0.1","bytes":"500","@timestamp":"2024-05-01T08:10:00Z"}"#.to_string(),
        r#"{"method":"POST","src":"10.0.0.1","bytes":"n/a","@timestamp":"2024-05-01T08:20:00Z"}"#.to_string(),
    ];
    let report = run(&[web, &sum, avg], &events);
    assert_eq!(report.correlations[0].hits[0].value, 1200.0);
    // The average is over the numeric values only: (700 + 500) / 2.
    assert_eq!(report.correlations[1].hits[0].value, 600.0);
    let strict = avg.replace("gte: 600", "gt: 600");
    assert!(!run(&[web, &sum, &strict], &events).correlations[1].matched);
}

#[test]
fn without_timestamps_events_are_simultaneous() {
    let c = corr("    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 1m\n    condition:\n        gte: 2\n");
    let events = [r#"{"EventID":4625,"Computer":"x"}"#.to_string(), r#"{"EventID":4625,"Computer":"x"}"#.to_string()];
    let report = run(&[FAILED, &c], &events);
    assert!(report.correlations[0].matched);
    assert!(report.diagnostics.iter().any(|d| d.code == "no-timestamps"));
    let mixed = [ev(4625, "a", "08:00:00"), r#"{"EventID":4625,"Computer":"ws1"}"#.to_string()];
    let report = run(&[FAILED, &c], &mixed);
    assert!(!report.correlations[0].matched);
    assert!(report.diagnostics.iter().any(|d| d.code == "missing-timestamp"));
}

#[test]
fn a_chosen_timestamp_field() {
    let c = corr("    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 1m\n    condition:\n        gte: 2\n");
    let events = [
        r#"{"EventID":4625,"Computer":"x","when":"2024-05-01T08:00:00Z","@timestamp":"2024-05-01T08:00:00Z"}"#
            .to_string(),
        r#"{"EventID":4625,"Computer":"x","when":"2024-05-01T09:00:00Z","@timestamp":"2024-05-01T08:00:01Z"}"#
            .to_string(),
    ];
    assert!(run(&[FAILED, &c], &events).correlations[0].matched);
    let options = MatchOptions { timestamp_field: Some("when".into()), ..MatchOptions::default() };
    assert!(!run_with(&[FAILED, &c], &events, &options).correlations[0].matched);
}

#[test]
fn cycles_unknown_rules_and_percentiles_are_reported() {
    let a = "title: a\nname: a\ncorrelation:\n    type: temporal\n    rules:\n        - b\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 1m\n";
    let b = "title: b\nname: b\ncorrelation:\n    type: temporal\n    rules:\n        - a\n        - nowhere\n    group-by:\n        - Computer\n    timespan: 1m\n";
    let report = match_events(&[FAILED, a, b].join("---\n"), &ev(4625, "x", "08:00:00"), &MatchOptions::default());
    assert!(report.diagnostics.iter().any(|d| d.code == "correlation-cycle"), "{:#?}", report.diagnostics);
    let p = corr("    type: value_percentile\n    rules:\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 1m\n    condition:\n        field: TargetUserName\n        lte: 1\n");
    let report = run(&[FAILED, &p], &[ev(4625, "x", "08:00:00")]);
    assert!(report.diagnostics.iter().any(|d| d.code == "correlation-not-evaluated"));
    let u = corr("    type: event_count\n    rules:\n        - elsewhere\n    group-by:\n        - Computer\n    timespan: 1m\n    condition:\n        gte: 1\n");
    let report = run(&[FAILED, &u], &[ev(4625, "x", "08:00:00")]);
    assert!(report.diagnostics.iter().any(|d| d.code == "correlation-unknown-rule" && d.line > 0));
}

#[test]
fn filters_suppress_matches_of_the_rules_they_name() {
    let filter = "title: admins are fine\nlogsource:\n    product: windows\nfilter:\n    rules:\n        - failed_logon\n    selection:\n        TargetUserName|startswith: adm_\n    condition: selection\n";
    let events = [ev(4625, "adm_joe", "08:00:00"), ev(4625, "joe", "08:00:01")];
    let report = run(&[FAILED, filter], &events);
    let matched: Vec<bool> = report.results.iter().map(|r| r.matched).collect();
    assert_eq!(matched, vec![false, true]);
    assert_eq!(report.results[0].explanation.suppressed_by.as_deref(), Some("admins are fine"));
    // A filter whose logsource differs does not apply.
    let linux = filter.replace("product: windows", "product: linux");
    let report = run(&[FAILED, &linux], &events);
    assert!(report.results.iter().all(|r| r.matched));
    // Suppressed events do not feed correlations.
    let c = corr("    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 1m\n    condition:\n        gte: 2\n");
    assert!(!run(&[FAILED, filter, &c], &events).correlations[0].matched);
}

#[test]
fn large_batches_stay_linear() {
    let c = corr("    type: temporal_ordered\n    rules:\n        - failed_logon\n        - successful_logon\n    group-by:\n        - Computer\n    timespan: 1d\n");
    // 20,000 failed logons in one day and a success two days later: a naive
    // search rescans the whole day from every failed logon.
    let mut events: Vec<String> =
        (0..20_000).map(|i| ev(4625, "a", &format!("08:{:02}:{:02}", i / 60 % 60, i % 60))).collect();
    events.push(r#"{"EventID":4624,"Computer":"ws1","@timestamp":"2024-05-03T08:00:00Z"}"#.to_string());
    let started = std::time::Instant::now();
    let report = run(&[FAILED, SUCCESS, &c], &events);
    assert!(!report.correlations[0].matched);
    // Generous: catches a quadratic search (minutes), not a slow machine.
    assert!(started.elapsed().as_secs() < 20);
    events.push(r#"{"EventID":4624,"Computer":"ws1","@timestamp":"2024-05-01T09:00:00Z"}"#.to_string());
    assert_eq!(run(&[FAILED, SUCCESS, &c], &events).correlations[0].hits.len(), 1);
}

#[test]
fn timestamps_are_real_calendar_dates() {
    // As the KQL evaluator and the time-part modifiers read them (one calendar check).
    assert!(super::parse_rfc3339("2024-02-29T10:00:00Z").is_some());
    assert_eq!(super::parse_rfc3339("2024-02-31T10:00:00Z"), None);
    assert_eq!(super::parse_rfc3339("2023-02-29"), None);
    assert_eq!(super::parse_rfc3339("2024-04-31"), None);
    assert_eq!(crate::kusto::value::parse_datetime("2024-02-31"), None);
    assert_eq!(crate::base::datetime::parse("2024-02-31"), None);
}
