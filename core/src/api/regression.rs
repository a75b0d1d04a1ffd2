//! SigmaHQ regression tests, in and out: run a rule's `regression_tests_path`
//! cases as SigmaHQ's CI does ([`run_rule_regression`]), judge a match count
//! against `match_count` ([`regression_verdict`]), take a dropped
//! `regression_data` folder apart ([`import_regression_files`]) and write the
//! current events as one ([`export_regression`]). The file format is
//! [`crate::regression`].
//!
//! The CI criterion (SigmaHQ `tests/regression_tests_runner.py`): with
//! `match_count`, at least that many events must match (more passes with a
//! warning); without it, at least one. Before running anything the runner
//! also requires the rule's `id` to equal `rule_metadata`'s and to be the
//! name of each `.evtx`/`.json` test file; those are errors here too.

use serde::Serialize;
use serde_json::{Map, Value};

use super::*;
use crate::base::diag::Diagnostic;
use crate::deploy::guid::regression_test_guid;
use crate::engine::matcher::{MatchOptions, Matcher, PreparedEvent};
use crate::event::{parse_events, Event, EventFormat, EventShape};
use crate::regression::{
    events_file, file_name, file_stem, looks_like_info, parse_info, regression_folder, render_info, NewInfo, NewTest,
    RegressionInfo, RegressionTest,
};
use crate::sigma::rule::{parse_rules, Rule, RuleKind};
use crate::sigma::yaml::parse_stream;

/// Whether a match count satisfies a test, in SigmaHQ CI's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegressionVerdict {
    pub passed: bool,
    /// More matches than `match_count`: CI passes and asks to update it.
    pub warning: bool,
    pub message: String,
}

pub fn regression_verdict(matched: usize, events: usize, match_count: Option<u64>) -> RegressionVerdict {
    let of = format!("{matched} of {events} event{} match", if events == 1 { "" } else { "s" });
    match match_count {
        Some(expected) if (matched as u64) < expected => RegressionVerdict {
            passed: false,
            warning: false,
            message: format!("{of}; match_count is {expected}: too few"),
        },
        Some(expected) if matched as u64 > expected => RegressionVerdict {
            passed: true,
            warning: true,
            message: format!("{of}; match_count is {expected}: SigmaHQ's CI passes and asks to update match_count"),
        },
        Some(expected) => {
            RegressionVerdict { passed: true, warning: false, message: format!("{of}; match_count is {expected}") }
        }
        None if matched == 0 => RegressionVerdict {
            passed: false,
            warning: false,
            message: format!("{of}; without match_count at least one must"),
        },
        None => RegressionVerdict {
            passed: true,
            warning: false,
            message: format!("{of}; no match_count, at least one needed"),
        },
    }
}

/// One test of one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionCaseReport {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub provider: String,
    /// The test's `path` as written in `info.yml`.
    pub path: String,
    /// The file whose events were read (the `.json` next to an `.evtx`).
    pub events_file: String,
    pub match_count: Option<u64>,
    pub matched: usize,
    pub events: usize,
    pub passed: bool,
    pub warning: bool,
    pub message: String,
    pub diagnostics: Vec<DiagnosticView>,
}

/// The tests of one rule file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRegressionReport {
    pub rule_id: Option<String>,
    pub title: Option<String>,
    /// The rule's `regression_tests_path`.
    pub info_path: String,
    pub cases: Vec<RegressionCaseReport>,
}

/// One case of `sigmaplay test --json`: a test with the rule file it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionCaseLine {
    pub rule_path: String,
    pub rule_id: Option<String>,
    pub title: Option<String>,
    #[serde(flatten)]
    pub case: RegressionCaseReport,
}

/// Every test of a run over rule files, and the counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionSummary {
    pub cases: Vec<RegressionCaseLine>,
    pub rules: usize,
    pub passed: usize,
    pub failed: usize,
}

impl RegressionSummary {
    /// From each rule file's path and report, in the order given.
    pub fn new(reports: Vec<(String, RuleRegressionReport)>) -> Self {
        let rules = reports.len();
        let mut cases = Vec::new();
        for (rule_path, report) in reports {
            for case in report.cases {
                let (rule_id, title) = (report.rule_id.clone(), report.title.clone());
                cases.push(RegressionCaseLine { rule_path: rule_path.clone(), rule_id, title, case });
            }
        }
        let passed = cases.iter().filter(|c| c.case.passed).count();
        RegressionSummary { failed: cases.len() - passed, cases, rules, passed }
    }
}

/// A rule's `regression_tests_path`, if it has one (read without parsing
/// the whole rule).
pub fn regression_tests_path(rule_text: &str) -> Option<String> {
    if !rule_text.contains("regression_tests_path") {
        return None;
    }
    let stream = parse_stream(strip_bom(rule_text));
    let node = stream.documents.first()?.root.get("regression_tests_path")?;
    node.scalar_text().filter(|p| !p.trim().is_empty())
}

/// Run every test of the rule's `info.yml`. `read` gets a path as written in
/// the rule or in `info.yml` (relative to the repository root; resolving it
/// is the caller's I/O) and returns the file's text or why it cannot.
/// `None` when the rule has no `regression_tests_path`.
pub fn run_rule_regression(
    rule_text: &str,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Option<RuleRegressionReport> {
    let info_path = regression_tests_path(rule_text)?;
    let parsed = parse_rules(strip_bom(rule_text));
    let rule = parsed.rules.iter().find(|r| r.kind == RuleKind::Detection).or(parsed.rules.first());
    let rule_id = rule.and_then(|r| r.id.as_ref()).map(|i| i.value.clone());
    let title = rule.and_then(|r| r.title.as_ref()).map(|t| t.value.clone());
    let mut report =
        RuleRegressionReport { rule_id: rule_id.clone(), title, info_path: info_path.clone(), cases: Vec::new() };
    let whole_file_failure = |message: String, diagnostics: Vec<DiagnosticView>| RegressionCaseReport {
        name: "info.yml".into(),
        kind: String::new(),
        provider: String::new(),
        path: info_path.clone(),
        events_file: String::new(),
        match_count: None,
        matched: 0,
        events: 0,
        passed: false,
        warning: false,
        message,
        diagnostics,
    };
    let info_text = match read(&info_path) {
        Ok(t) => t,
        Err(why) => {
            report.cases.push(whole_file_failure(format!("cannot read {info_path}: {why}"), Vec::new()));
            return Some(report);
        }
    };
    let info = parse_info(&info_text);
    let mut shared: Vec<Diagnostic> = Vec::new();
    let mut per_test: Vec<Vec<Diagnostic>> = vec![Vec::new(); info.info.tests.len()];
    for d in info.diagnostics {
        let owner =
            d.span.and_then(|s| info.info.tests.iter().position(|t| t.span.start <= s.start && s.end <= t.span.end));
        match owner.and_then(|i| per_test.get_mut(i)) {
            Some(list) => list.push(d),
            None => shared.push(d),
        }
    }
    shared.extend(rule_id_checks(rule_id.as_deref(), &info.info));
    if info.info.tests.is_empty() {
        let views = views(&shared, None);
        report.cases.push(whole_file_failure(format!("{info_path} has no test to run"), views));
        return Some(report);
    }
    for (test, own) in info.info.tests.iter().zip(per_test) {
        let mut diagnostics = shared.clone();
        diagnostics.extend(own);
        diagnostics.extend(test_file_checks(rule_id.as_deref(), test));
        let path = test.path.as_ref().map(|p| p.value.clone()).unwrap_or_default();
        let file = events_file(&path, &test.kind);
        let (events_text, read_error) = match path.is_empty() {
            true => (String::new(), None),
            false => match read(&file) {
                Ok(t) => (t, None),
                Err(why) => (String::new(), Some(format!("cannot read {file}: {why}"))),
            },
        };
        let mut case = run_test_on_events(rule_text, test, &events_text, diagnostics);
        case.events_file = file;
        if let Some(why) = read_error {
            case.passed = false;
            case.warning = false;
            case.message = why;
        }
        report.cases.push(case);
    }
    Some(report)
}

/// One test on the events read for it; `diagnostics` are what is already
/// known against it (any error fails it).
fn run_test_on_events(
    rule_text: &str,
    test: &RegressionTest,
    events_text: &str,
    diagnostics: Vec<Diagnostic>,
) -> RegressionCaseReport {
    let Count { matched, events, errors } = count_matches(rule_text, events_text);
    let verdict = regression_verdict(matched, events, test.match_count);
    let mut views = views(&diagnostics, None);
    views.extend(errors);
    let errors: Vec<&DiagnosticView> = views.iter().filter(|d| d.is_error()).collect();
    let (passed, message) = match errors.first() {
        Some(first) if verdict.passed => {
            (false, format!("{} ({} error{})", first.message, errors.len(), if errors.len() == 1 { "" } else { "s" }))
        }
        _ => (verdict.passed, verdict.message),
    };
    RegressionCaseReport {
        name: test.name.clone(),
        kind: test.kind.clone(),
        provider: test.provider.clone(),
        path: test.path.as_ref().map(|p| p.value.clone()).unwrap_or_default(),
        events_file: String::new(),
        match_count: test.match_count,
        matched,
        events,
        passed,
        warning: passed && verdict.warning,
        message,
        diagnostics: views,
    }
}

/// What a rule file decides about an events text, counted: events that at
/// least one of its detection rules matches (after filters), events read,
/// and the errors of either input (a rule with errors matches nothing). No
/// explanations: a verdict needs only the count.
struct Count {
    matched: usize,
    events: usize,
    errors: Vec<DiagnosticView>,
}

fn count_matches(rule_text: &str, events_text: &str) -> Count {
    let parsed = parse_rules(strip_bom(rule_text));
    let matchers: Vec<Matcher> = parsed.rules.iter().map(|r| Matcher::new(r, &MatchOptions::default())).collect();
    let batch = parse_events(strip_bom(events_text));
    let mut errors = views(&rule_diagnostics(&parsed, &matchers, false), Some(Source::Rule));
    errors.extend(views(&batch.diagnostics, Some(Source::Events)));
    errors.retain(DiagnosticView::is_error);
    if errors.iter().any(|d| d.source == Some(Source::Rule)) {
        return Count { matched: 0, events: 0, errors };
    }
    let prepared: Vec<PreparedEvent<'_>> = batch.events.iter().map(PreparedEvent::new).collect();
    let verdicts = evaluate_batch(&parsed.rules, &matchers, &prepared, None);
    let matched = (0..prepared.len()).filter(|&i| verdicts.matched.iter().any(|m| m.get(i) == Some(&true))).count();
    Count { matched, events: prepared.len(), errors }
}

/// SigmaHQ's runner: the rule's `id` must be `rule_metadata`'s.
fn rule_id_checks(rule_id: Option<&str>, info: &RegressionInfo) -> Vec<Diagnostic> {
    let Some(info_id) = info.rule_id() else { return Vec::new() }; // parse_info reported it
    match rule_id {
        None => vec![Diagnostic::error(
            "regression-rule-id",
            "the rule has no `id` to compare with info.yml's",
            Some(info_id.span),
        )],
        Some(id) if id.trim() != info_id.value.trim() => vec![Diagnostic::error(
            "regression-rule-id",
            format!("info.yml is for rule {}, this rule is {id}", info_id.value),
            Some(info_id.span),
        )],
        Some(_) => Vec::new(),
    }
}

/// SigmaHQ's runner: `.evtx` and `.json` test files are named after the rule's `id`.
fn test_file_checks(rule_id: Option<&str>, test: &RegressionTest) -> Vec<Diagnostic> {
    let (Some(id), Some(path)) = (rule_id, test.path.as_ref()) else { return Vec::new() };
    let name = file_name(&path.value);
    let ext = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    let stem = file_stem(name);
    if matches!(ext.as_str(), "evtx" | "json") && stem != id.trim() {
        return vec![Diagnostic::error(
            "regression-file-name",
            format!("the test file is {name}; SigmaHQ names it after the rule: {}.{ext}", id.trim()),
            Some(path.span),
        )];
    }
    Vec::new()
}

/// A file dropped or pasted into the page.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionFile {
    pub name: String,
    pub text: String,
}

/// What a test expects, as the page keeps it after an import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionExpectation {
    pub test_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub provider: String,
    pub match_count: Option<u64>,
    pub path: String,
    pub rule_id: Option<String>,
    pub rule_title: Option<String>,
}

/// The pieces of an imported `regression_data` folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionImport {
    /// A rule file among the files, if one was given.
    pub rule: Option<String>,
    /// The events of the chosen test (or the only events file).
    pub events: Option<String>,
    pub events_file: Option<String>,
    pub expectation: Option<RegressionExpectation>,
    /// Problems with the files; `line`/`col` are in the file the message names.
    pub diagnostics: Vec<DiagnosticView>,
}

/// Sort dropped files into `info.yml`, rule and events by their content (a
/// pasted text has no useful name), and pick the test whose events file was
/// given: the first test whose file name is among the files, else the only
/// events file for the first test.
pub fn import_regression_files(files: &[RegressionFile]) -> RegressionImport {
    let mut out =
        RegressionImport { rule: None, events: None, events_file: None, expectation: None, diagnostics: Vec::new() };
    let mut infos: Vec<&RegressionFile> = Vec::new();
    let mut events: Vec<&RegressionFile> = Vec::new();
    for f in files {
        let text = strip_bom(&f.text);
        if file_name(&f.name).to_ascii_lowercase().ends_with(".evtx") {
            out.diagnostics.push(DiagnosticView::unpositioned_error(
                "regression-evtx",
                format!("{}: a binary .evtx log; give the .json rendering next to it in regression_data", f.name),
            ));
        } else if file_name(&f.name).eq_ignore_ascii_case("info.yml") || looks_like_info(text) {
            infos.push(f);
        } else if is_rule(text) {
            if out.rule.is_none() {
                out.rule = Some(text.to_string());
            }
        } else if !text.trim().is_empty() {
            events.push(f);
        }
    }
    let Some(info_file) = infos.first() else {
        if let Some(e) = events.first() {
            out.events = Some(strip_bom(&e.text).to_string());
            out.events_file = Some(e.name.clone());
        }
        if out.events.is_none() && out.rule.is_none() && out.diagnostics.is_empty() {
            out.diagnostics.push(DiagnosticView::unpositioned_error(
                "regression-nothing",
                "none of the files is an info.yml, a rule or events".into(),
            ));
        }
        return out;
    };
    let parsed = parse_info(strip_bom(&info_file.text));
    for d in parsed.diagnostics.iter().filter(|d| d.is_error()) {
        let mut v = DiagnosticView::new(d, None);
        v.message = format!("{}: {}", info_file.name, v.message);
        out.diagnostics.push(v);
    }
    let tests = &parsed.info.tests;
    let by_name = tests.iter().find_map(|t| {
        let wanted = file_name(&events_file(&t.path.as_ref()?.value, &t.kind)).to_string();
        events.iter().find(|e| file_name(&e.name) == wanted).map(|e| (t, *e))
    });
    let chosen = by_name.or_else(|| match (tests.first(), events.as_slice()) {
        (Some(t), [only]) => Some((t, *only)),
        _ => None,
    });
    let test = chosen.map(|(t, _)| t).or(tests.first());
    if let Some((_, e)) = chosen {
        out.events = Some(strip_bom(&e.text).to_string());
        out.events_file = Some(e.name.clone());
    } else if events.len() > 1 {
        out.diagnostics.push(DiagnosticView::unpositioned_error(
            "regression-which-events",
            format!("{} event files and none named as info.yml's tests: give the one its test names", events.len()),
        ));
    }
    out.expectation = test.map(|t| RegressionExpectation {
        test_name: t.name.clone(),
        kind: t.kind.clone(),
        provider: t.provider.clone(),
        match_count: t.match_count,
        path: t.path.as_ref().map(|p| p.value.clone()).unwrap_or_default(),
        rule_id: parsed.info.rule_id().map(|i| i.value.clone()),
        rule_title: parsed.info.rule_title().map(str::to_string),
    });
    out
}

fn is_rule(text: &str) -> bool {
    text.contains("detection") && parse_stream(text).documents.iter().any(|d| d.root.get("detection").is_some())
}

/// An imported test held against the current rule and its current match count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionStatus {
    pub verdict: RegressionVerdict,
    /// SigmaHQ's consistency checks (rule id, file name): errors fail the test in CI.
    pub notes: Vec<DiagnosticView>,
}

pub fn regression_status(
    rule_text: &str,
    matched: usize,
    events: usize,
    expectation: &RegressionExpectation,
) -> RegressionStatus {
    let parsed = parse_rules(strip_bom(rule_text));
    let rule_id = first_detection(&parsed.rules).and_then(|r| r.id.as_ref()).map(|i| i.value.trim().to_string());
    let mut notes = Vec::new();
    match (&rule_id, &expectation.rule_id) {
        (Some(id), Some(theirs)) if id != theirs.trim() => notes.push(DiagnosticView::unpositioned_error(
            "regression-rule-id",
            format!("info.yml is for rule {theirs}, this rule is {id}"),
        )),
        (None, Some(_)) => notes.push(DiagnosticView::unpositioned_error(
            "regression-rule-id",
            "the rule has no `id` to compare with info.yml's".into(),
        )),
        _ => {}
    }
    let mut verdict = regression_verdict(matched, events, expectation.match_count);
    if !notes.is_empty() && verdict.passed {
        verdict.passed = false;
        verdict.warning = false;
        verdict.message = format!("{}; {}", verdict.message, "but the rule is not the one info.yml names");
    }
    RegressionStatus { verdict, notes }
}

fn first_detection(rules: &[Rule]) -> Option<&Rule> {
    rules.iter().find(|r| r.kind == RuleKind::Detection)
}

/// A rule's tests written out: `info.yml` and the events file, with where
/// they go in the repository.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionExport {
    /// `regression_data/<rule path without .yml>`.
    pub folder: String,
    pub info_yml: String,
    /// The events file's name (`<id>.json`) and text.
    pub events_file: String,
    pub events_json: String,
    /// The line to add to the rule.
    pub regression_tests_path: String,
    pub match_count: usize,
    pub events: usize,
    pub diagnostics: Vec<DiagnosticView>,
}

/// Where SigmaHQ would put a rule without a known path:
/// `rules/<product>/<category or service>/<title in snake case>.yml`.
pub fn suggested_rule_path(rule_text: &str) -> String {
    let parsed = parse_rules(strip_bom(rule_text));
    let Some(rule) = first_detection(&parsed.rules) else { return "rules/rule.yml".into() };
    let mut parts = vec!["rules".to_string()];
    for p in [rule.logsource.product(), rule.logsource.category().or(rule.logsource.service())].into_iter().flatten() {
        parts.push(snake_case(p));
    }
    let title = rule.title.as_ref().map(|t| snake_case(&t.value)).filter(|t| !t.is_empty());
    parts.push(format!("{}.yml", title.unwrap_or_else(|| "rule".into())));
    parts.join("/")
}

fn snake_case(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// The current events and match count as a SigmaHQ regression test of the
/// rule at `rule_path` (repository-relative), dated `date` (`YYYY-MM-DD`,
/// the shell's clock). Windows events are written as SigmaHQ's evtx JSON
/// (a flat event's fields split into `System` and `EventData`), others as
/// NDJSON. The written events are read back and matched again: an export
/// that would change the count is an error.
pub fn export_regression(rule_text: &str, events_text: &str, rule_path: &str, date: &str) -> RegressionExport {
    let parsed = parse_rules(strip_bom(rule_text));
    let rule = first_detection(&parsed.rules);
    let mut diagnostics = Vec::new();
    let rule_id = rule.and_then(|r| r.id.as_ref()).map(|i| i.value.trim().to_string()).unwrap_or_default();
    if rule_id.is_empty() {
        diagnostics.push(DiagnosticView::unpositioned_error(
            "regression-rule-id",
            "the rule has no `id`: SigmaHQ names the test files after it".into(),
        ));
    }
    let now = count_matches(rule_text, events_text);
    diagnostics.extend(now.errors);
    let matched = now.matched;
    let batch = parse_events(strip_bom(events_text));
    let windows = rule.and_then(|r| r.logsource.product()).is_some_and(|p| p.eq_ignore_ascii_case("windows"))
        || batch.events.iter().any(|e| e.shape() == EventShape::Evtx);
    let (kind, extension, events_json) = if windows {
        ("evtx", "evtx", evtx_json(events_text, &batch.events, batch.format))
    } else {
        ("ndjson", "ndjson", batch.events.iter().map(|e| format!("{}\n", e.original())).collect())
    };
    let folder = regression_folder(rule_path);
    let id_or_rule = if rule_id.is_empty() { "rule".to_string() } else { rule_id.clone() };
    let test_path = format!("{folder}/{id_or_rule}.{extension}");
    let events_file = file_name(&events_file(&test_path, kind)).to_string();
    if matched == 0 {
        diagnostics.push(DiagnosticView::unpositioned_error(
            "regression-no-match",
            "no event matches: SigmaHQ's CI fails a test that matches nothing".into(),
        ));
    }
    let again = count_matches(rule_text, &events_json);
    if again.matched != matched || again.events != batch.events.len() {
        diagnostics.push(DiagnosticView::unpositioned_error(
            "regression-export-differs",
            format!(
                "the written events give {} matches of {}, the current ones {matched} of {}",
                again.matched,
                again.events,
                batch.events.len()
            ),
        ));
    }
    let provider = batch
        .events
        .iter()
        .find_map(|e| e.fields().find(|(k, _)| *k == "Provider_Name").and_then(|(_, v)| v.as_str().map(str::to_string)))
        .or_else(|| rule.and_then(provider_of_logsource).map(str::to_string))
        .unwrap_or_default();
    let info = NewInfo {
        id: regression_test_guid(&id_or_rule),
        description: "N/A".into(),
        date: date.to_string(),
        author: rule.and_then(|r| r.author.as_ref()).map(|a| a.value.trim().to_string()).unwrap_or_default(),
        rule_id,
        rule_title: rule.and_then(|r| r.title.as_ref()).map(|t| t.value.trim().to_string()).unwrap_or_default(),
        tests: vec![NewTest {
            name: "Positive Detection Test".into(),
            kind: kind.into(),
            provider,
            match_count: Some(matched as u64),
            path: test_path,
        }],
    };
    RegressionExport {
        regression_tests_path: format!("{folder}/info.yml"),
        folder,
        info_yml: render_info(&info),
        events_file,
        events_json,
        match_count: matched,
        events: batch.events.len(),
        diagnostics,
    }
}

/// The provider SigmaHQ's evtx tests name for a logsource: Sysmon for the
/// generic Windows categories (thor.yml maps them to Sysmon event ids).
fn provider_of_logsource(rule: &Rule) -> Option<&'static str> {
    match (rule.logsource.service(), rule.logsource.category()) {
        (Some("security"), _) => Some("Microsoft-Windows-Security-Auditing"),
        (Some("sysmon"), _) | (None, Some(_)) => Some("Microsoft-Windows-Sysmon"),
        _ => None,
    }
}

/// Events as SigmaHQ's `.json` renderings of `.evtx`: pretty objects one
/// after another. An evtx-shaped JSON event is kept as written.
fn evtx_json(text: &str, events: &[Event], format: EventFormat) -> String {
    let mut out = String::new();
    for e in events {
        let verbatim = match (e.shape(), format, e.span()) {
            (EventShape::Evtx, f, Some(span)) if f != EventFormat::Yaml => char_slice(text, span.start, span.end),
            _ => None,
        };
        match verbatim {
            Some(t) => out.push_str(t.trim()),
            None => {
                let value = if e.shape() == EventShape::Evtx { e.original().clone() } else { wrap_as_evtx(e) };
                out.push_str(&serde_json::to_string_pretty(&value).unwrap_or_default());
            }
        }
        out.push('\n');
    }
    out
}

/// Elements of `System` that are plain values.
const SYSTEM_VALUES: &[&str] =
    &["EventID", "Version", "Level", "Task", "Opcode", "Keywords", "EventRecordID", "Channel", "Computer"];
/// Elements of `System` whose attributes the reader names `<Element>_<Attribute>`.
const SYSTEM_ATTRIBUTES: &[&str] = &["Provider", "TimeCreated", "Execution", "Security", "Correlation"];

/// A flat Windows event in evtx JSON: the `System` names back in `System`,
/// the rest in `EventData`. The reader flattens this to the same fields.
fn wrap_as_evtx(event: &Event) -> Value {
    let mut system = Map::new();
    let mut data = Map::new();
    for (name, value) in event.fields() {
        if SYSTEM_VALUES.contains(&name) {
            system.insert(name.to_string(), value.clone());
            continue;
        }
        let attribute =
            name.split_once('_').filter(|(element, a)| SYSTEM_ATTRIBUTES.contains(element) && !a.is_empty());
        match attribute {
            Some((element, attr)) => {
                let slot = system.entry(element.to_string()).or_insert_with(|| Value::Object(Map::new()));
                if let Some(obj) = slot.as_object_mut() {
                    let attrs = obj.entry("#attributes").or_insert_with(|| Value::Object(Map::new()));
                    if let Some(a) = attrs.as_object_mut() {
                        a.insert(attr.to_string(), value.clone());
                    }
                }
            }
            None => {
                data.insert(name.to_string(), value.clone());
            }
        }
    }
    let mut inner = Map::new();
    inner.insert("System".into(), Value::Object(system));
    inner.insert("EventData".into(), Value::Object(data));
    let mut outer = Map::new();
    outer.insert("Event".into(), Value::Object(inner));
    Value::Object(outer)
}

/// `text[start..end]` by char offsets (spans count chars).
fn char_slice(text: &str, start: u32, end: u32) -> Option<&str> {
    let mut offsets = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len()));
    let from = offsets.nth(start as usize)?;
    let to = if end > start { offsets.nth((end - start - 1) as usize)? } else { from };
    text.get(from..to)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "title: 'Whoami: Recon'
id: 11111111-2222-4333-8444-555555555555
author: Someone
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
";

    const FLAT: &str = r#"[{"EventID": 1, "Provider_Name": "Microsoft-Windows-Sysmon", "Computer": "pc", "TimeCreated_SystemTime": "2026-01-01T00:00:00Z", "Image": "C:\\Windows\\System32\\whoami.exe", "CommandLine": "whoami /all"},
{"EventID": 1, "Image": "C:\\Windows\\System32\\cmd.exe"},
{"EventID": 1, "Image": "C:\\Tools\\WHOAMI.EXE"}]"#;

    #[test]
    fn verdicts_follow_sigmahq_ci() {
        let v = |m, n, c| {
            let r = regression_verdict(m, n, c);
            (r.passed, r.warning)
        };
        assert_eq!(v(1, 1, Some(1)), (true, false));
        assert_eq!(v(2, 3, Some(1)), (true, true));
        assert_eq!(v(1, 3, Some(2)), (false, false));
        assert_eq!(v(0, 3, Some(0)), (true, false));
        assert_eq!(v(0, 3, None), (false, false));
        assert_eq!(v(3, 3, None), (true, false));
        assert!(regression_verdict(1, 3, Some(2)).message.contains("1 of 3 events match"));
    }

    #[test]
    fn export_then_import_gives_the_same_verdict() {
        let rule_path = suggested_rule_path(RULE);
        assert_eq!(rule_path, "rules/windows/process_creation/whoami_recon.yml");
        let out = export_regression(RULE, FLAT, &rule_path, "2026-12-05");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!((out.match_count, out.events), (2, 3));
        assert_eq!(out.folder, "regression_data/rules/windows/process_creation/whoami_recon");
        assert_eq!(out.events_file, "11111111-2222-4333-8444-555555555555.json");
        assert_eq!(out.regression_tests_path, format!("{}/info.yml", out.folder));
        let info = parse_info(&out.info_yml);
        assert!(info.diagnostics.is_empty(), "{:?}\n{}", info.diagnostics, out.info_yml);
        let t = &info.info.tests[0];
        assert_eq!(
            (t.kind.as_str(), t.match_count, t.provider.as_str()),
            ("evtx", Some(2), "Microsoft-Windows-Sysmon")
        );
        assert_eq!(t.path.as_ref().unwrap().value, format!("{}/11111111-2222-4333-8444-555555555555.evtx", out.folder));
        assert_eq!(info.info.rule_title(), Some("Whoami: Recon"));
        assert_eq!(info.info.author.as_ref().unwrap().value, "Someone");
        assert_eq!(info.info.date.as_ref().unwrap().value, "2026-12-05");
        // The events are evtx JSON now, and read back to the same fields.
        let again = parse_events(&out.events_json);
        assert!(again.events.iter().all(|e| e.shape() == EventShape::Evtx));
        let first: Vec<_> = again.events[0].fields().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let orig: Vec<_> = parse_events(FLAT).events[0].fields().map(|(k, v)| (k.to_string(), v.clone())).collect();
        for field in &orig {
            assert!(first.contains(field), "{field:?} lost: {first:?}");
        }

        let files = [
            RegressionFile { name: "info.yml".into(), text: out.info_yml.clone() },
            RegressionFile { name: out.events_file.clone(), text: out.events_json.clone() },
        ];
        let imported = import_regression_files(&files);
        assert!(imported.diagnostics.is_empty(), "{:?}", imported.diagnostics);
        assert_eq!(imported.events.as_deref(), Some(out.events_json.as_str()));
        let exp = imported.expectation.unwrap();
        assert_eq!(exp.match_count, Some(2));
        let count = count_matches(RULE, imported.events.as_deref().unwrap());
        let status = regression_status(RULE, count.matched, count.events, &exp);
        assert!(status.verdict.passed && status.notes.is_empty(), "{status:?}");
        // A second export of the imported events is the same files.
        let second = export_regression(RULE, &out.events_json, &rule_path, "2026-12-05");
        assert_eq!((second.info_yml, second.events_json), (out.info_yml.clone(), out.events_json.clone()));

        let other = RULE.replace("11111111-2222", "99999999-2222");
        let status = regression_status(&other, 2, 3, &exp);
        assert!(!status.verdict.passed && status.notes[0].code == "regression-rule-id", "{status:?}");
    }

    #[test]
    fn import_sorts_files_by_content() {
        let exported = export_regression(RULE, FLAT, "rules/x.yml", "2026-01-01");
        let with_rule = [
            RegressionFile { name: "pasted".into(), text: exported.events_json.clone() },
            RegressionFile { name: "whoami.yml".into(), text: RULE.into() },
            RegressionFile { name: "pasted".into(), text: exported.info_yml.clone() },
        ];
        let i = import_regression_files(&with_rule);
        assert_eq!(i.rule.as_deref(), Some(RULE));
        assert_eq!(i.events.as_deref(), Some(exported.events_json.as_str()), "the only events file goes with the test");
        assert_eq!(i.expectation.map(|e| e.match_count), Some(Some(2)));

        let only_info =
            import_regression_files(&[RegressionFile { name: "info.yml".into(), text: exported.info_yml.clone() }]);
        assert!(only_info.events.is_none() && only_info.expectation.is_some());

        let evtx = import_regression_files(&[RegressionFile { name: "x.evtx".into(), text: "ElfFile\0".into() }]);
        assert_eq!(evtx.diagnostics[0].code, "regression-evtx");
        let two = import_regression_files(&[
            RegressionFile { name: "info.yml".into(), text: exported.info_yml.clone() },
            RegressionFile { name: "a.json".into(), text: "{}".into() },
            RegressionFile { name: "b.json".into(), text: "{}".into() },
        ]);
        assert_eq!(two.diagnostics[0].code, "regression-which-events");
        let broken =
            import_regression_files(&[RegressionFile { name: "info.yml".into(), text: "rule_metadata: [\n".into() }]);
        assert!(broken.diagnostics.iter().any(|d| d.is_error()), "{broken:?}");
        assert!(import_regression_files(&[]).diagnostics[0].code == "regression-nothing");
    }

    #[test]
    fn export_says_what_ci_would_refuse() {
        let no_id = RULE.replace("id: 11111111-2222-4333-8444-555555555555\n", "");
        let out = export_regression(&no_id, FLAT, "rules/x.yml", "2026-01-01");
        assert!(out.diagnostics.iter().any(|d| d.code == "regression-rule-id"));
        let none = export_regression(RULE, r#"{"Image": "x"}"#, "rules/x.yml", "2026-01-01");
        assert!(none.diagnostics.iter().any(|d| d.code == "regression-no-match"));
        assert_eq!(none.match_count, 0);
        let linux = RULE.replace("product: windows", "product: linux").replace("\\whoami.exe", "/whoami");
        let out = export_regression(
            &linux,
            "{\"Image\": \"/usr/bin/whoami\"}\n{\"Image\": \"/bin/sh\"}",
            "rules/linux/x.yml",
            "2026-01-01",
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.events_json, "{\"Image\":\"/usr/bin/whoami\"}\n{\"Image\":\"/bin/sh\"}\n");
        assert!(out.info_yml.contains("type: ndjson") && out.events_file.ends_with(".ndjson"), "{}", out.info_yml);
    }

    #[test]
    fn hostile_inputs_are_values() {
        for text in ["", "\u{feff}", "[", "- a\n- b", "{\"Event\": 3}", "\0", "regression_tests_path: [1]"] {
            let _ = export_regression(text, text, text, text);
            let _ = import_regression_files(&[RegressionFile { name: text.into(), text: text.into() }]);
            let _ = run_rule_regression(text, &mut |_| Err("no".into()));
            let _ = suggested_rule_path(text);
        }
        assert_eq!(char_slice("aé€b", 1, 3), Some("é€"));
        assert_eq!(char_slice("ab", 2, 2), Some(""));
        assert_eq!(char_slice("ab", 1, 5), None);
    }
}
