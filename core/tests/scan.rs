//! A repository scan (`api::scan`: every rule file of SigmaHQ's `rules/` over
//! every regression event at once, through the rule-set prefilter) gives the
//! same verdicts as evaluating each file on its own (`api::evaluate_batch`,
//! what `sigmaplay match RULE EVENTS` and the web app run). Without `shared/`
//! the test says so and passes.

mod common;

use common::{regression_cases, shared, yaml_files_under};
use sigmaplay_core::api::evaluate_batch;
use sigmaplay_core::api::scan::{scan, ScanFile};
use sigmaplay_core::{parse_rules, Event, MatchOptions, Matcher, PreparedEvent};

#[test]
fn a_repository_scan_agrees_with_file_by_file_matching() {
    let Some((_, case_events)) = regression_cases() else {
        eprintln!("no shared/corpus: scan test skipped");
        return;
    };
    let paths = yaml_files_under(&shared().join("corpus/sigmahq/rules"));
    assert!(paths.len() > 2000, "only {} rule files", paths.len());
    let texts: Vec<(String, Vec<u8>)> =
        paths.iter().filter_map(|p| Some((p.display().to_string(), std::fs::read(p).ok()?))).collect();
    let events: Vec<Event> = case_events.into_iter().flatten().collect();
    let events_text: String = events.iter().map(|e| format!("{}\n", e.original())).collect();
    let files: Vec<ScanFile<'_>> = texts.iter().map(|(n, b)| ScanFile { name: n, bytes: b }).collect();
    let options = MatchOptions::default();
    let report = scan(&files, events_text.as_bytes(), &options);
    assert_eq!(report.events, events.len());
    assert!(report.firing().count() > 100, "only {} rules fired", report.firing().count());

    let reparsed = sigmaplay_core::parse_events(&events_text).events;
    let prepared: Vec<PreparedEvent<'_>> = reparsed.iter().map(PreparedEvent::new).collect();
    let mut scanned = report.rules.iter();
    let mut compared = 0;
    for (fi, (_, bytes)) in texts.iter().enumerate() {
        let Ok(text) = std::str::from_utf8(bytes) else { continue };
        let parsed = parse_rules(text);
        let matchers: Vec<Matcher> = parsed.rules.iter().map(|r| Matcher::new(r, &options)).collect();
        let verdicts = evaluate_batch(&parsed.rules, &matchers, &prepared, None);
        for (ri, per_event) in verdicts.matched.iter().enumerate() {
            if parsed.rules.get(ri).is_none_or(|r| r.kind != sigmaplay_core::sigma::rule::RuleKind::Detection) {
                continue;
            }
            let Some(s) = scanned.next() else { panic!("the scan lists fewer rules than the files hold") };
            assert_eq!(s.file, fi, "{}", texts[fi].0);
            let expected: Vec<usize> = per_event.iter().enumerate().filter(|(_, m)| **m).map(|(i, _)| i).collect();
            assert_eq!(s.matched, expected, "{}: {}", texts[fi].0, s.title);
            compared += 1;
        }
    }
    assert!(scanned.next().is_none(), "the scan lists more rules than the files hold");
    eprintln!("{compared} rules, {} events: the scan and file-by-file matching agree", events.len());
}
