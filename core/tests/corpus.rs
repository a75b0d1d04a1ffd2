//! Conformance on the shared SigmaHQ corpus (`shared/corpus`, see its README):
//!
//! - every rule file under `sigmahq/rules*` checks without an error diagnostic
//!   (parse + matcher compile, as `sigmaplay check` does), except the rules in
//!   [`INVALID`], each of which must fail for the stated reason;
//! - every case of `regression-cases.jsonl` passes SigmaHQ's CI criterion: the
//!   rule matches at least one event of its event file, and at least
//!   `match_count` events when that is given. Exact counts are reported.
//!
//! When the corpus is missing (a checkout without `shared/`), the tests say so
//! and pass.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sigmaplay_core::api::check_rule_bytes;
use sigmaplay_core::base::text::decode_utf8;
use sigmaplay_core::engine::matcher::{MatchOptions, Matcher, PreparedEvent};
use sigmaplay_core::{parse_events, parse_rules};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

/// Rule files (relative to `sigmahq/`) that are genuinely invalid per the Sigma
/// specification (v2.1.0, `shared/spec/sigma-specification`), the error code we
/// must report for each, and why.
///
/// None of the 3,780 files under `rules*/` is invalid: all of them also pass
/// the spec's JSON schema (`json-schema/sigma-detection-rule-schema.json`),
/// and their YAML has no duplicate keys. The one invalid file is in
/// `deprecated/`, which is scanned as well so that this list is exercised.
const INVALID: &[(&str, &str, &str)] = &[(
    "deprecated/other/generic_brute_force.yml",
    "condition-syntax",
    "its condition `selection | count(category) by dst_ip > 30` is a Sigma v1 aggregation; the v2 condition \
     grammar (sigma-rules-specification.md, \"Condition\") has only and/or/not, `1 of`/`all of` and brackets, \
     and counting moved to correlation rules (sigma-correlation-rules-specification.md)",
)];

fn corpus() -> Option<PathBuf> {
    let p = Path::new(CORPUS);
    if p.join("sigmahq").is_dir() {
        Some(p.to_path_buf())
    } else {
        eprintln!("SKIPPED: corpus not found at {CORPUS}");
        None
    }
}

fn collect_yml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_yml(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).to_string_lossy().replace('\\', "/")
}

#[test]
fn every_corpus_rule_checks_clean() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("sigmahq");
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    dirs.retain(|p| p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("rules")));
    dirs.sort();
    let mut files = Vec::new();
    for d in &dirs {
        collect_yml(d, &mut files);
    }
    let in_rules = files.len();
    assert!(in_rules > 3000, "expected the SigmaHQ rule set, found {in_rules} files");
    collect_yml(&root.join("deprecated"), &mut files);

    let opts = MatchOptions::default();
    let mut clean = 0usize;
    let mut failures = Vec::new();
    let mut expected_invalid_seen = Vec::new();
    for f in &files {
        let name = rel(&root, f);
        let bytes = std::fs::read(f).unwrap_or_default();
        let check = check_rule_bytes(&bytes, &opts);
        let errors: Vec<String> = check
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}:{}: [{}] {}", d.line, d.col, d.code, d.message))
            .collect();
        match INVALID.iter().find(|(p, _, _)| *p == name) {
            Some((_, code, reason)) => {
                if check.diagnostics.iter().any(|d| d.is_error() && d.code == *code) {
                    expected_invalid_seen.push(format!("{name}: [{code}] {reason}"));
                } else {
                    failures.push(format!("{name}: listed as invalid ({code}: {reason}) but got {errors:?}"));
                }
            }
            None if errors.is_empty() => clean += 1,
            None => failures.push(format!("{name}:\n    {}", errors.join("\n    "))),
        }
    }
    println!(
        "corpus rules: {} files ({in_rules} under rules*/, {} under deprecated/), {clean} clean, {} invalid as expected",
        files.len(),
        files.len() - in_rules,
        expected_invalid_seen.len()
    );
    for (p, _, _) in INVALID {
        if !expected_invalid_seen.iter().any(|s| s.starts_with(p)) && !failures.iter().any(|f| f.starts_with(p)) {
            failures.push(format!("{p}: listed as invalid but not found in the corpus"));
        }
    }
    for s in &expected_invalid_seen {
        println!("  invalid: {s}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} rule files have unexpected errors:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

struct Case {
    rule_path: String,
    event_file: String,
    match_count: Option<u64>,
    event_count: Option<u64>,
}

fn cases(corpus: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(corpus.join("regression-cases.jsonl")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| Case {
            rule_path: v["rule_path"].as_str().unwrap_or_default().to_string(),
            event_file: v["event_file"].as_str().unwrap_or_default().to_string(),
            match_count: v["match_count"].as_u64(),
            event_count: v["event_count"].as_u64(),
        })
        .collect()
}

#[test]
fn regression_cases_match() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("sigmahq");
    let cases = cases(&corpus);
    assert_eq!(cases.len(), 202, "regression-cases.jsonl should hold 202 cases");

    let opts = MatchOptions::default();
    let mut failures = Vec::new();
    let mut passed = 0usize;
    let (mut with_count, mut exact, mut more) = (0usize, 0usize, Vec::new());
    let mut total_events = 0usize;
    // Cases without match_count: (cases, matching events, events).
    let mut without_count = (0usize, 0usize, 0usize);
    for case in &cases {
        let rule_bytes = std::fs::read(root.join(&case.rule_path)).unwrap_or_default();
        let event_bytes = std::fs::read(root.join(&case.event_file)).unwrap_or_default();
        let (Ok(rule_text), Ok(event_text)) = (decode_utf8(&rule_bytes), decode_utf8(&event_bytes)) else {
            failures.push(format!("{}: rule or event file unreadable or not UTF-8", case.rule_path));
            continue;
        };
        let parsed = parse_rules(rule_text);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.is_error()).collect();
        let Some(rule) = parsed.rules.first().filter(|_| errors.is_empty()) else {
            failures.push(format!("{}: rule does not parse: {errors:?}", case.rule_path));
            continue;
        };
        let matcher = Matcher::new(rule, &opts);
        let compile_errors: Vec<_> = matcher.diagnostics().iter().filter(|d| d.is_error()).collect();
        if !compile_errors.is_empty() {
            failures.push(format!("{}: rule does not compile: {compile_errors:?}", case.rule_path));
            continue;
        }
        let batch = parse_events(event_text);
        let event_errors: Vec<_> = batch.diagnostics.iter().filter(|d| d.is_error()).collect();
        if !event_errors.is_empty() || batch.events.is_empty() {
            failures.push(format!("{}: events of {} do not parse: {event_errors:?}", case.rule_path, case.event_file));
            continue;
        }
        total_events += batch.events.len();
        if let Some(n) = case.event_count {
            if n as usize != batch.events.len() {
                failures.push(format!("{}: {} events read, the case says {n}", case.event_file, batch.events.len()));
                continue;
            }
        }
        let count = batch.events.iter().filter(|e| matcher.is_match(&PreparedEvent::new(e))).count();
        let needed = case.match_count.unwrap_or(1).max(1) as usize;
        if count < needed {
            let first = batch.events.first().map(|e| matcher.explain(e));
            let why = first.map(|m| serde_json::to_string_pretty(&m).unwrap_or_default()).unwrap_or_default();
            failures.push(format!(
                "{} ({}): {count} of {} events match, need {needed}; first event:\n{why}",
                case.rule_path,
                case.event_file,
                batch.events.len()
            ));
            continue;
        }
        passed += 1;
        if case.match_count.is_none() {
            without_count.0 += 1;
            without_count.1 += count;
            without_count.2 += batch.events.len();
        }
        if let Some(mc) = case.match_count {
            with_count += 1;
            if count as u64 == mc {
                exact += 1;
            } else {
                more.push(format!("{}: {count} matches, match_count {mc}", case.rule_path));
            }
        }
    }
    println!("regression cases: {passed} / {} pass ({total_events} events)", cases.len());
    println!("match_count given: {with_count} cases passing, {exact} with exactly match_count matches");
    println!(
        "no match_count: {} cases passing, {} of their {} events match",
        without_count.0, without_count.1, without_count.2
    );
    for m in &more {
        println!("  more than match_count (SigmaHQ CI only warns): {m}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} regression cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
