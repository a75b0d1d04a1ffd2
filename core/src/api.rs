//! Entry points for shells: the CLI and the web UI call these so that both
//! report the same diagnostics and the same match results for the same input.
//!
//! - [`check_rule_text`] / [`check_rule_bytes`]: every problem with a rule
//!   file, from parsing and from compiling its matcher, deduplicated and sorted
//!   by position. Missing placeholder values are warnings here (a pipeline or
//!   `--placeholder` supplies them later), not errors.
//! - [`match_events`] / [`match_event_bytes`]: run every rule of a rule file on
//!   every event of an events text and explain each result.
//! - [`convert_text`] / [`convert_bytes`]: every rule of a rule file to KQL
//!   with one pipeline, with the notes of parsing and converting.
//!
//! Everything returned is `Serialize`; [`DiagnosticView`] is the flat
//! `{severity, code, message, line, col}` form shells print or send as JSON.

use serde::Serialize;

use crate::compile::Placeholders;
use crate::diag::{Diagnostic, Severity, Span};
use crate::pipeline::Pipeline;
use crate::event::parse_events;
use crate::matcher::{MatchOptions, MatchResult, Matcher, PreparedEvent};
use crate::rule::{parse_rules, ParsedRules, RuleKind};
use crate::text::decode_utf8;

/// Which input a diagnostic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Rule,
    Events,
}

/// A diagnostic flattened for output: 1-based `line`/`col` (0 when it has no
/// position). `span` keeps the full range for editors; it is not serialised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiagnosticView {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub line: u32,
    pub col: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(skip)]
    pub span: Option<Span>,
}

impl DiagnosticView {
    pub fn new(d: &Diagnostic, source: Option<Source>) -> Self {
        DiagnosticView {
            severity: d.severity,
            code: d.code.clone(),
            message: d.message.clone(),
            line: d.line(),
            col: d.col(),
            source,
            span: d.span,
        }
    }

    /// An error about the input as a whole (an unreadable file, say): it has
    /// no position, so line and column are 0.
    pub fn unpositioned_error(code: &str, message: String) -> Self {
        DiagnosticView {
            severity: Severity::Error,
            code: code.to_string(),
            message,
            line: 0,
            col: 0,
            source: None,
            span: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The outcome of checking one rule file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCheck {
    /// No error diagnostic (warnings and infos allowed).
    pub ok: bool,
    pub diagnostics: Vec<DiagnosticView>,
}

/// Diagnostics of `parsed` plus those of compiling each rule's matcher,
/// deduplicated, in source order. `for_check` makes missing placeholder values
/// warnings and drops the "not a detection rule" note (both only matter when
/// matching events).
fn rule_diagnostics(parsed: &ParsedRules, matchers: &[Matcher], for_check: bool) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = parsed.diagnostics.clone();
    for m in matchers {
        for d in m.diagnostics() {
            let mut d = d.clone();
            if for_check {
                if d.code == "not-a-detection" {
                    continue;
                }
                if d.code == "unresolved-placeholder" && d.is_error() {
                    d.severity = Severity::Warning;
                }
            }
            all.push(d);
        }
    }
    let mut out: Vec<Diagnostic> = Vec::with_capacity(all.len());
    for d in all {
        if !out.contains(&d) {
            out.push(d);
        }
    }
    // Stable: keeps parse order for diagnostics at the same place; unpositioned ones last.
    crate::sort::sort_by_key(&mut out, |d| match d.span {
        Some(s) => (0u8, s.start, s.line, s.col),
        None => (1, 0, 0, 0),
    });
    out
}

fn views(diags: &[Diagnostic], source: Option<Source>) -> Vec<DiagnosticView> {
    diags.iter().map(|d| DiagnosticView::new(d, source)).collect()
}

/// Check a rule file's text: parse it and compile each rule's matcher.
pub fn check_rule_text(text: &str, options: &MatchOptions) -> RuleCheck {
    let parsed = parse_rules(text);
    let matchers: Vec<Matcher> = parsed.rules.iter().map(|r| Matcher::new(r, options)).collect();
    let diags = rule_diagnostics(&parsed, &matchers, true);
    RuleCheck { ok: !crate::diag::has_errors(&diags), diagnostics: views(&diags, None) }
}

/// As [`check_rule_text`], from raw bytes: invalid UTF-8 is an `invalid-utf8`
/// error at the first bad byte. A UTF-8 byte order mark is skipped.
pub fn check_rule_bytes(bytes: &[u8], options: &MatchOptions) -> RuleCheck {
    match decode_utf8(bytes) {
        Ok(text) => check_rule_text(strip_bom(text), options),
        Err(d) => RuleCheck { ok: false, diagnostics: vec![DiagnosticView::new(&d, None)] },
    }
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// One (rule, event) result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventResult {
    /// Position of the event among the events read from the input (0-based).
    pub index: usize,
    /// The rule's title; only set when the rule file holds several rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Line where the event starts in the events text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub matched: bool,
    pub explanation: MatchResult,
}

/// Results of [`match_events`]: rule-major (all events for the first detection
/// rule, then for the second...), plus every diagnostic about either input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchReport {
    pub results: Vec<EventResult>,
    pub diagnostics: Vec<DiagnosticView>,
}

impl MatchReport {
    /// The rule text has an error (parse or compile): no results were computed.
    pub fn has_rule_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error() && d.source == Some(Source::Rule))
    }

    /// The events text has an error (syntax, encoding...); events read before
    /// the error were still matched.
    pub fn has_event_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error() && d.source == Some(Source::Events))
    }

    pub fn matched_count(&self) -> usize {
        self.results.iter().filter(|r| r.matched).count()
    }
}

/// Match every rule in `rule_text` against every event in `events_text`.
///
/// When the rule text has any error (parse or compile, e.g. an invalid regex
/// or a placeholder without values), no results are computed: a rule with a
/// broken part could match for the wrong reason (`not filter` with a broken
/// `filter`). The diagnostics say what to fix. Event errors do not stop
/// matching: the events that could be read are matched.
pub fn match_events(rule_text: &str, events_text: &str, options: &MatchOptions) -> MatchReport {
    let parsed = parse_rules(strip_bom(rule_text));
    let matchers: Vec<Matcher> = parsed.rules.iter().map(|r| Matcher::new(r, options)).collect();
    let rule_diags = rule_diagnostics(&parsed, &matchers, false);
    let batch = parse_events(events_text);
    let mut diagnostics = views(&rule_diags, Some(Source::Rule));
    diagnostics.extend(views(&batch.diagnostics, Some(Source::Events)));
    let mut report = MatchReport { results: Vec::new(), diagnostics };
    if report.has_rule_errors() {
        return report;
    }
    let several = matchers.len() > 1;
    let prepared: Vec<PreparedEvent<'_>> = batch.events.iter().map(PreparedEvent::new).collect();
    // Correlation and filter rules do not match single events (the matcher
    // added an info diagnostic saying so): they get no results.
    let detections = parsed.rules.iter().zip(&matchers).filter(|(r, _)| r.kind == RuleKind::Detection);
    for (_, m) in detections {
        for (index, ev) in prepared.iter().enumerate() {
            let matched = m.is_match(ev);
            let explanation = m.explain(ev.event);
            report.results.push(EventResult {
                index,
                rule: several.then(|| m.title().to_string()),
                line: ev.event.span().map(|s| s.line),
                matched,
                explanation,
            });
        }
    }
    report
}

/// As [`match_events`], from raw bytes: invalid UTF-8 in either input is an
/// `invalid-utf8` diagnostic (with its source) instead of a failure.
pub fn match_event_bytes(rule: &[u8], events: &[u8], options: &MatchOptions) -> MatchReport {
    let rule_text = decode_utf8(rule);
    let events_text = decode_utf8(events);
    match (rule_text, events_text) {
        (Ok(r), Ok(e)) => match_events(r, e, options),
        (Ok(r), Err(ed)) => {
            let mut report = match_events(r, "", options);
            report.diagnostics.push(DiagnosticView::new(&ed, Some(Source::Events)));
            report.results.clear();
            report
        }
        (Err(rd), events) => {
            let mut diagnostics = vec![DiagnosticView::new(&rd, Some(Source::Rule))];
            match events {
                Ok(e) => diagnostics.extend(views(&parse_events(e).diagnostics, Some(Source::Events))),
                Err(ed) => diagnostics.push(DiagnosticView::new(&ed, Some(Source::Events))),
            }
            MatchReport { results: Vec::new(), diagnostics }
        }
    }
}

/// The outcome of converting one rule file to KQL with one pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvertReport {
    /// At least one query and no error diagnostic.
    pub ok: bool,
    /// One query per detection rule of the file that converted.
    pub queries: Vec<String>,
    /// The table of the first rule that names one.
    pub table: Option<String>,
    /// Parse notes, then each rule's conversion notes (pipeline, backend), deduplicated.
    pub diagnostics: Vec<DiagnosticView>,
}

/// Parse a rule file's text and convert each of its rules with `pipeline`
/// ([`crate::kql::convert`]). A parse error fails the file even when a rule
/// was recovered, so that a query is never produced from a half-read rule.
pub fn convert_text(text: &str, pipeline: &Pipeline, placeholders: &Placeholders) -> ConvertReport {
    let parsed = parse_rules(strip_bom(text));
    let mut all: Vec<Diagnostic> = parsed.diagnostics.clone();
    let mut queries = Vec::new();
    let mut table = None;
    let parse_failed = crate::diag::has_errors(&parsed.diagnostics);
    for rule in &parsed.rules {
        let c = crate::kql::convert(rule, pipeline, placeholders);
        if table.is_none() {
            table = c.table.clone();
        }
        if !parse_failed {
            queries.extend(c.queries);
        }
        for d in c.diagnostics {
            if !all.contains(&d) {
                all.push(d);
            }
        }
    }
    let ok = !queries.is_empty() && !crate::diag::has_errors(&all);
    if !ok {
        queries.clear();
    }
    ConvertReport { ok, queries, table, diagnostics: views(&all, None) }
}

/// As [`convert_text`], from raw bytes: invalid UTF-8 is an `invalid-utf8` error.
pub fn convert_bytes(bytes: &[u8], pipeline: &Pipeline, placeholders: &Placeholders) -> ConvertReport {
    match decode_utf8(bytes) {
        Ok(text) => convert_text(text, pipeline, placeholders),
        Err(d) => ConvertReport { ok: false, queries: Vec::new(), table: None, diagnostics: vec![DiagnosticView::new(&d, None)] },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\cmd.exe'\n  condition: selection\n";

    #[test]
    fn check_reports_compile_errors_once() {
        let text = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    CommandLine|re: 'a(b'\n  condition: selection\n";
        let c = check_rule_text(text, &MatchOptions::default());
        assert!(!c.ok);
        let re: Vec<_> = c.diagnostics.iter().filter(|d| d.code == "invalid-regex" || d.code == "invalid-pattern").collect();
        assert_eq!(re.len(), 1, "{:?}", c.diagnostics);
        assert_eq!((re[0].line, re[0].col), (6, 21));
    }

    #[test]
    fn check_placeholder_is_a_warning() {
        let text = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    User|expand: '%admins%'\n  condition: selection\n";
        let c = check_rule_text(text, &MatchOptions::default());
        assert!(c.ok, "{:?}", c.diagnostics);
        assert!(c.diagnostics.iter().any(|d| d.code == "unresolved-placeholder" && d.severity == Severity::Warning));
        let r = match_events(text, "{\"User\": \"bob\"}", &MatchOptions::default());
        assert!(r.has_rule_errors() && r.results.is_empty());
        let mut opts = MatchOptions::default();
        opts.placeholders.insert("admins".into(), vec!["alice".into(), "bob".into()]);
        let r = match_events(text, "{\"User\": \"bob\"}", &opts);
        assert!(!r.has_rule_errors());
        assert_eq!(r.matched_count(), 1);
    }

    #[test]
    fn match_report_indexes_and_sources() {
        let events = "{\"Image\": \"C:\\\\Windows\\\\cmd.exe\"}\n{\"Image\": \"x.exe\"}\n{\"Image\": \n";
        let r = match_events(RULE, events, &MatchOptions::default());
        assert_eq!(r.results.len(), 2);
        assert!(r.results[0].matched && !r.results[1].matched);
        assert_eq!(r.results[1].index, 1);
        assert_eq!(r.results[1].line, Some(2));
        assert!(r.results[0].rule.is_none());
        assert!(r.has_event_errors() && !r.has_rule_errors());
        let json = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(json["diagnostics"][0]["source"], "events");
        assert_eq!(json["results"][0]["explanation"]["matched"], true);
    }

    #[test]
    fn several_rules_are_named() {
        let text = format!("{RULE}---\n{}", RULE.replace("title: t", "title: u").replace("cmd.exe", "x.exe"));
        let r = match_events(&text, "{\"Image\": \"C:\\\\x.exe\"}", &MatchOptions::default());
        let got: Vec<_> = r.results.iter().map(|x| (x.rule.clone().unwrap_or_default(), x.matched)).collect();
        assert_eq!(got, vec![("t".to_string(), false), ("u".to_string(), true)]);
    }

    #[test]
    fn windash_after_contains_as_sigmahq_writes_it() {
        let text = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    CommandLine|contains|windash: ' -decode '\n  condition: selection\n";
        let c = check_rule_text(text, &MatchOptions::default());
        assert!(c.ok, "{:?}", c.diagnostics);
        let r = match_events(text, "{\"CommandLine\": \"certutil /decode a b\"}\n{\"CommandLine\": \"certutil decode\"}", &MatchOptions::default());
        let got: Vec<bool> = r.results.iter().map(|x| x.matched).collect();
        assert_eq!(got, vec![true, false]);
    }

    #[test]
    fn correlation_rules_get_no_results() {
        let corr = "title: c\ncorrelation:\n  type: event_count\n  rules:\n    - t\n  group-by:\n    - User\n  timespan: 1h\n  condition:\n    gte: 2\n";
        let text = format!("{RULE}---\n{corr}");
        let r = match_events(&text, "{\"Image\": \"C:\\\\cmd.exe\"}", &MatchOptions::default());
        assert!(!r.has_rule_errors(), "{:?}", r.diagnostics);
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].rule.as_deref(), Some("t"));
        assert!(r.results[0].matched);
        assert!(check_rule_text(&text, &MatchOptions::default()).diagnostics.iter().all(|d| d.code != "not-a-detection"));
    }

    #[test]
    fn invalid_utf8_is_a_diagnostic() {
        let c = check_rule_bytes(b"title: \xff\n", &MatchOptions::default());
        assert!(!c.ok);
        assert_eq!((c.diagnostics[0].code.as_str(), c.diagnostics[0].line, c.diagnostics[0].col), ("invalid-utf8", 1, 8));
        let r = match_event_bytes(RULE.as_bytes(), b"{\"a\": \"\xc3\"}", &MatchOptions::default());
        assert!(r.has_event_errors() && r.results.is_empty());
        let r = match_event_bytes(b"\xfe", b"{}", &MatchOptions::default());
        assert!(r.has_rule_errors());
    }

    #[test]
    fn convert_reports_queries_and_failures() {
        let Some(p) = crate::pipeline::builtin("sentinel_asim") else { panic!("builtin") };
        let proc_rule = RULE.replace("product: windows", "product: windows\n  category: process_creation");
        let r = convert_text(&proc_rule, &p, &Placeholders::new());
        assert!(r.ok, "{:?}", r.diagnostics);
        assert_eq!(r.queries.len(), 1);
        assert!(r.table.is_some());
        let r = convert_text(RULE.replace("product: windows", "product: nothing_known").as_str(), &p, &Placeholders::new());
        assert!(!r.ok && r.queries.is_empty());
        assert!(r.diagnostics.iter().any(|d| d.is_error()), "{:?}", r.diagnostics);
        let r = convert_bytes(b"\xff", &p, &Placeholders::new());
        assert!(!r.ok && r.diagnostics[0].code == "invalid-utf8");
    }
}
