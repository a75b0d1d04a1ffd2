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
//! - [`kql_parity`]: convert a rule, run the KQL on events with the built-in
//!   evaluator ([`crate::kusto`]) and compare, event by event, with the
//!   Sigma matcher; [`run_kql`]: a hand-written query over events.
//!
//! Everything returned is `Serialize`; [`DiagnosticView`] is the flat
//! `{severity, code, message, line, col}` form shells print or send as JSON.

pub mod explain;
pub mod scan;

use serde::{Deserialize, Serialize};

use crate::base::diag::{Diagnostic, Severity, Span};
use crate::base::text::decode_utf8;
use crate::engine::correlation::{self, CorrelationInput, CorrelationOutcome};
use crate::engine::matcher::{MatchOptions, MatchResult, Matcher, PreparedEvent};
use crate::event::parse_events;
use crate::event::Event;
use crate::pipeline::Pipeline;
use crate::sigma::compiled::Placeholders;
use crate::sigma::rule::{parse_rules, ParsedRules, Rule, RuleKind};

/// Which input a diagnostic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Rule,
    Events,
    /// A custom pipeline's YAML.
    Pipeline,
    /// The KQL query (generated or edited): positions are in the query text.
    Kql,
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
fn rule_diagnostics<M: std::borrow::Borrow<Matcher>>(
    parsed: &ParsedRules,
    matchers: &[M],
    for_check: bool,
) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = parsed.diagnostics.clone();
    for m in matchers {
        for d in m.borrow().diagnostics() {
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
    crate::base::sort::sort_by_key(&mut out, |d| match d.span {
        Some(s) => (0u8, s.start, s.line, s.col),
        None => (1, 0, 0, 0),
    });
    out
}

fn views(diags: &[Diagnostic], source: Option<Source>) -> Vec<DiagnosticView> {
    diags.iter().map(|d| DiagnosticView::new(d, source)).collect()
}

/// Check a rule file's text: parse it, compile each rule's matcher, and lint
/// it ([`crate::lint`]; its codes are listed there).
pub fn check_rule_text(text: &str, options: &MatchOptions) -> RuleCheck {
    check_rule_text_with(text, options, true)
}

/// As [`check_rule_text`]; `lint: false` leaves the linter out.
pub fn check_rule_text_with(text: &str, options: &MatchOptions, lint: bool) -> RuleCheck {
    let parsed = parse_rules(text);
    let matchers: Vec<Matcher> = parsed.rules.iter().map(|r| Matcher::new(r, options)).collect();
    let mut diags = rule_diagnostics(&parsed, &matchers, true);
    if lint {
        add_lint(&parsed, &mut diags);
    }
    RuleCheck { ok: !crate::base::diag::has_errors(&diags), diagnostics: views(&diags, None) }
}

/// The linter's findings for every rule of `parsed`, merged into `diags`
/// (no repeats) and kept in source order.
fn add_lint(parsed: &ParsedRules, diags: &mut Vec<Diagnostic>) {
    for rule in &parsed.rules {
        for d in crate::lint::lint(rule) {
            if !diags.contains(&d) {
                diags.push(d);
            }
        }
    }
    crate::base::sort::sort_by_key(diags, |d| match d.span {
        Some(s) => (0u8, s.start, s.line, s.col),
        None => (1, 0, 0, 0),
    });
}

/// A rule file made ready for matching, with everything wrong or doubtful
/// in it: what the playground shows next to its match results.
pub struct AnalysedRules {
    pub parsed: ParsedRules,
    /// One per rule of `parsed`, same order.
    pub matchers: Vec<Matcher>,
    /// Parsing, compiling, correlation set-up and lint, in source order. As
    /// [`check_rule_text`] reports them, but that a missing placeholder value
    /// is an error here (nothing can be matched without it) and a note says
    /// which rules match no single event.
    pub diagnostics: Vec<Diagnostic>,
    /// A rule error: no match results are computed (a broken part could
    /// decide a match for the wrong reason), as in [`match_events`].
    pub has_errors: bool,
}

/// Parse, compile and lint a rule file for matching (see [`AnalysedRules`]).
pub fn analyse_rules(text: &str, options: &MatchOptions) -> AnalysedRules {
    let parsed = parse_rules(strip_bom(text));
    let matchers: Vec<Matcher> = parsed.rules.iter().map(|r| Matcher::new(r, options)).collect();
    let mut diagnostics = rule_diagnostics(&parsed, &matchers, false);
    let has_errors = crate::base::diag::has_errors(&diagnostics);
    if !has_errors {
        // What the correlations say before any event (as match_events reports it).
        let none: Vec<PreparedEvent<'_>> = Vec::new();
        let verdicts = evaluate_batch(&parsed.rules, &matchers, &none, options.timestamp_field.as_deref());
        for d in verdicts.diagnostics {
            if !diagnostics.contains(&d) {
                diagnostics.push(d);
            }
        }
    }
    add_lint(&parsed, &mut diagnostics);
    AnalysedRules { parsed, matchers, diagnostics, has_errors }
}

/// As [`check_rule_text`], from raw bytes: invalid UTF-8 is an `invalid-utf8`
/// error at the first bad byte. A UTF-8 byte order mark is skipped.
pub fn check_rule_bytes(bytes: &[u8], options: &MatchOptions) -> RuleCheck {
    check_rule_bytes_with(bytes, options, true)
}

/// As [`check_rule_bytes`]; `lint: false` leaves the linter out.
pub fn check_rule_bytes_with(bytes: &[u8], options: &MatchOptions, lint: bool) -> RuleCheck {
    match decode_utf8(bytes) {
        Ok(text) => check_rule_text_with(strip_bom(text), options, lint),
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
    /// One outcome per correlation rule of the file, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub correlations: Vec<CorrelationOutcome>,
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
    let mut report = MatchReport { results: Vec::new(), correlations: Vec::new(), diagnostics };
    if report.has_rule_errors() {
        return report;
    }
    let several = parsed.rules.len() > 1;
    let prepared: Vec<PreparedEvent<'_>> = batch.events.iter().map(PreparedEvent::new).collect();
    let verdicts = evaluate_batch(&parsed.rules, &matchers, &prepared, options.timestamp_field.as_deref());
    // Correlation and filter rules do not match single events (the matcher
    // added an info diagnostic saying so): they get no results of their own.
    for (ri, (rule, m)) in parsed.rules.iter().zip(&matchers).enumerate() {
        if rule.kind != RuleKind::Detection {
            continue;
        }
        for (index, ev) in prepared.iter().enumerate() {
            let mut explanation = m.explain(ev.event);
            let matched = verdicts.matched[ri][index];
            if let Some(f) = verdicts.suppressed_by[ri][index] {
                let title = matchers[f].title();
                explanation.matched = false;
                explanation.summary = format!("suppressed by filter '{title}': {}", explanation.summary);
                explanation.suppressed_by = Some(title.to_string());
            }
            report.results.push(EventResult {
                index,
                rule: several.then(|| m.title().to_string()),
                line: ev.event.span().map(|s| s.line),
                matched,
                explanation,
            });
        }
    }
    report.correlations = verdicts.correlations;
    report.diagnostics.extend(views(&verdicts.diagnostics, Some(Source::Rule)));
    report
}

/// What a rule file decides about a batch of events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchVerdicts {
    /// Per rule of the file (same order), per event: matched, after the
    /// file's filters. Empty for correlation and filter rules.
    pub matched: Vec<Vec<bool>>,
    /// Per rule, per event: the filter rule (its index) that suppressed a match.
    pub suppressed_by: Vec<Vec<Option<usize>>>,
    pub correlations: Vec<CorrelationOutcome>,
    /// Notes from evaluating correlations (missing times, unknown references...).
    pub diagnostics: Vec<Diagnostic>,
}

/// Evaluate a parsed rule file over events: each detection rule with the
/// filters that apply to it, then the correlations over what matched. The
/// caller compiles `matchers` (one per rule, [`Matcher::new`]) once and
/// prepares events once; the web app and [`match_events`] share this.
pub fn evaluate_batch(
    rules: &[Rule],
    matchers: &[Matcher],
    prepared: &[PreparedEvent<'_>],
    timestamp_field: Option<&str>,
) -> BatchVerdicts {
    let mut matched = vec![Vec::new(); rules.len()];
    let mut suppressed_by = vec![Vec::new(); rules.len()];
    let mut matched_indices: Vec<Vec<usize>> = vec![Vec::new(); rules.len()];
    for (ri, (rule, m)) in rules.iter().zip(matchers).enumerate() {
        if rule.kind != RuleKind::Detection {
            continue;
        }
        let filters = crate::sigma::rule::filters_for(rules, rule);
        for (index, ev) in prepared.iter().enumerate() {
            let mut hit = m.is_match(ev);
            let mut by = None;
            if hit {
                by = filters.iter().copied().find(|&f| matchers.get(f).is_some_and(|fm| fm.is_match(ev)));
                hit = by.is_none();
            }
            if hit {
                matched_indices[ri].push(index);
            }
            matched[ri].push(hit);
            suppressed_by[ri].push(by);
        }
    }
    let events: Vec<&Event> = prepared.iter().map(|p| p.event).collect();
    let input = CorrelationInput { rules, matched: &matched_indices, events: &events, timestamp_field };
    let (correlations, diagnostics) = correlation::evaluate(&input);
    BatchVerdicts { matched, suppressed_by, correlations, diagnostics }
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
            MatchReport { results: Vec::new(), correlations: Vec::new(), diagnostics }
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
    let parse_failed = crate::base::diag::has_errors(&parsed.diagnostics);
    let conversions = crate::kql::convert_file(&parsed.rules, pipeline, placeholders);
    let table = conversions.iter().find_map(|c| c.table.clone());
    let mut queries = Vec::new();
    for c in conversions {
        if !parse_failed {
            queries.extend(c.queries);
        }
        for d in c.diagnostics {
            if !all.contains(&d) {
                all.push(d);
            }
        }
    }
    let ok = !queries.is_empty() && !crate::base::diag::has_errors(&all);
    ConvertReport { ok, queries: if ok { queries } else { Vec::new() }, table, diagnostics: views(&all, None) }
}

/// As [`convert_text`], from raw bytes: invalid UTF-8 is an `invalid-utf8` error.
pub fn convert_bytes(bytes: &[u8], pipeline: &Pipeline, placeholders: &Placeholders) -> ConvertReport {
    match decode_utf8(bytes) {
        Ok(text) => convert_text(text, pipeline, placeholders),
        Err(d) => ConvertReport {
            ok: false,
            queries: Vec::new(),
            table: None,
            diagnostics: vec![DiagnosticView::new(&d, None)],
        },
    }
}

/// How the events given to [`kql_parity`] are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventsSchema {
    /// Decide from the events' keys (reported in [`KqlParityReport::schema`]).
    #[default]
    Auto,
    /// Sigma field names, mapped to the target's columns by the rule's own
    /// mapping (the converter's): a wrong mapping agrees with itself here.
    Sigma,
    /// An export of the target table (ASIM / XDR columns): run as is by the
    /// KQL side, mapped back to Sigma names for the matcher.
    Target,
    /// Events as their source writes them (Sysmon, Windows Security,
    /// Defender rows): each source of the target table builds the rows its
    /// Microsoft connector and parser produce ([`crate::sources`]), and the
    /// query runs on those.
    Source,
}

/// Options of [`kql_parity`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KqlOptions {
    /// A built-in pipeline name (`sentinel_asim`, `microsoft_xdr`, `azure_monitor`, `none`).
    pub pipeline: String,
    /// A pySigma pipeline YAML, applied before the built-in one.
    pub custom_pipeline: Option<String>,
    /// A whole chain instead (as `sigmaplay convert` takes it): when not
    /// empty, `pipeline` and `custom_pipeline` are not used.
    #[serde(default)]
    pub pipelines: Vec<crate::pipeline::PipelineSpec>,
    /// Values for `%NAME%` placeholders (`expand` modifier).
    pub placeholders: Placeholders,
    /// Run this query instead of the generated one (the user edited it).
    pub query_override: Option<String>,
    pub events_schema: EventsSchema,
    /// Keep each source's rows in the report (for a rows view or `--rows`).
    pub include_rows: bool,
}

/// One event's verdicts. `None`: that side could not run (rule or query error).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParityResult {
    pub index: usize,
    pub sigma: Option<bool>,
    pub kql: Option<bool>,
    /// For a disagreement: the likely cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KqlParityReport {
    /// The KQL that was run (the bare condition of the `none` pipeline is run as `Events | where (...)`).
    pub query: String,
    /// The query is `query_override`, not the generated one.
    pub edited: bool,
    pub table: Option<String>,
    /// The schema used (the detected one when `Auto` was asked).
    pub schema: EventsSchema,
    pub results: Vec<ParityResult>,
    /// Every event has both verdicts and they are equal.
    pub agree: bool,
    /// With [`EventsSchema::Source`]: what the events were read as, and each
    /// source's rows and verdicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<SourcesReport>,
    /// Rule, pipeline, events and KQL diagnostics; KQL ones have source `kql`.
    pub diagnostics: Vec<DiagnosticView>,
}

/// Source-faithful parity: per source of the target table, the rows it gives
/// and whether the query returns exactly the rows whose event (as that source
/// records it) the rule matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourcesReport {
    /// Per event: what it was read as (`sysmon`, `security`, `defender`, `rows`, `unknown`).
    pub kinds: Vec<crate::sources::Kind>,
    pub feeds: Vec<FeedParity>,
}

/// One source's side of [`SourcesReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedParity {
    pub feed: crate::sources::Feed,
    /// e.g. "Sysmon via Event".
    pub label: String,
    /// Events this source gives a row for, and how many of them agree.
    pub compared: usize,
    pub agreed: usize,
    /// Events the rule matches as pasted but not as this source records them
    /// (fields the source does not record, or its parser loses): its blind
    /// spots, not a query fault.
    pub blind: usize,
    /// The rule's fields behind those blind spots.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blind_fields: Vec<String>,
    /// Per event, in order; `None` where the source gives no row.
    pub results: Vec<Option<ParityResult>>,
    /// Per event: the target-table row (only with [`KqlOptions::include_rows`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Option<serde_json::Value>>,
    /// Per event: the record the source writes before its parser reads it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub native: Vec<Option<serde_json::Value>>,
}

/// One event of [`run_kql`]: whether the query returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KqlEventResult {
    pub index: usize,
    pub matched: bool,
}

/// The query's output table for display, at most [`KQL_MAX_ROWS`] rows.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct KqlRows {
    pub columns: Vec<String>,
    pub values: Vec<Vec<serde_json::Value>>,
    /// For each row, the event it is (None after summarize/distinct/count).
    pub origins: Vec<Option<usize>>,
    /// Rows before the cap.
    pub total: usize,
}

pub const KQL_MAX_ROWS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KqlRunReport {
    pub table: Option<String>,
    pub results: Vec<KqlEventResult>,
    pub rows: KqlRows,
    pub diagnostics: Vec<DiagnosticView>,
}

impl KqlRunReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(DiagnosticView::is_error)
    }
}

fn kql_rows(ev: &crate::kusto::Evaluation) -> KqlRows {
    let rows = ev.rows.iter().take(KQL_MAX_ROWS);
    KqlRows {
        columns: ev.columns.clone(),
        values: rows.clone().map(|r| r.values.iter().map(crate::kusto::Value::to_json).collect()).collect(),
        origins: rows.map(|r| r.origin).collect(),
        total: ev.rows.len(),
    }
}

/// Run a hand-written query over the events as given (JSON objects; columns by name).
pub fn run_kql(query: &str, events_text: &str) -> KqlRunReport {
    let batch = parse_events(events_text);
    let rows: Vec<serde_json::Value> = batch.events.iter().map(|e| e.original().clone()).collect();
    let ev = crate::kusto::evaluate(query, &rows);
    let mut diagnostics = views(&ev.diagnostics, Some(Source::Kql));
    diagnostics.extend(views(&batch.diagnostics, Some(Source::Events)));
    let results = if ev.ok() {
        ev.matched(rows.len())
            .into_iter()
            .enumerate()
            .map(|(index, matched)| KqlEventResult { index, matched })
            .collect()
    } else {
        Vec::new()
    };
    KqlRunReport { table: ev.table.clone(), results, rows: kql_rows(&ev), diagnostics }
}

/// The pipeline of `opts`: its `pipelines` chain, or else the custom YAML
/// (if any) chained before the built-in one ([`crate::pipeline::choose`]).
fn kql_pipeline(opts: &KqlOptions, diags: &mut Vec<DiagnosticView>) -> Option<Pipeline> {
    use crate::pipeline::PipelineSpec;
    let specs = if opts.pipelines.is_empty() {
        let name = if opts.pipeline.is_empty() { "none" } else { opts.pipeline.as_str() };
        let mut specs = Vec::new();
        if let Some(yaml) = &opts.custom_pipeline {
            specs.push(PipelineSpec::Yaml { text: yaml.clone(), name: String::new() });
        }
        specs.push(PipelineSpec::Builtin(name.to_string()));
        specs
    } else {
        opts.pipelines.clone()
    };
    let choice = crate::pipeline::choose(&specs);
    for (i, d) in &choice.diagnostics {
        let source = match specs.get(*i) {
            Some(PipelineSpec::Yaml { .. }) => Some(Source::Pipeline),
            _ => None,
        };
        diags.push(DiagnosticView::new(d, source));
    }
    choice.pipeline
}

/// Which naming the events use. Only the keys the rule reads count: a key
/// that is one of the rule's Sigma fields (and not also its column) says
/// Sigma, a key that is a column the rule is mapped to says target; generic
/// table columns are the tie-breaker, since ASIM also keeps alias columns
/// such as `CommandLine` or `User`. Ties go to Sigma.
fn detect_schema(
    events: &[crate::event::Event],
    table: Option<&str>,
    mappings: &[crate::pipeline::FieldMapping],
) -> EventsSchema {
    let Some(table) = table else { return EventsSchema::Sigma };
    let (mut target, mut sigma, mut columns, mut others) = (0usize, 0usize, 0usize, 0usize);
    for e in events {
        let serde_json::Value::Object(m) = e.original() else { continue };
        for k in m.keys() {
            let mapped_to =
                mappings.iter().any(|f| f.targets.iter().any(|t| t == k || t.split('.').next() == Some(k.as_str())));
            let is_sigma = mappings.iter().any(|f| f.sigma == *k) && !mapped_to;
            // A field the pipeline keeps under its own name says nothing either way.
            let same_name = mappings.iter().any(|f| f.sigma == *k && f.targets.iter().any(|t| t == k));
            if same_name {
                continue;
            }
            if mapped_to {
                target += 1;
            } else if is_sigma {
                sigma += 1;
            } else if crate::kusto::schema::has_column(table, k) {
                columns += 1;
            } else {
                others += 1;
            }
        }
    }
    if target > sigma || (target == sigma && sigma == 0 && columns > others) {
        EventsSchema::Target
    } else {
        EventsSchema::Sigma
    }
}

fn short(v: Option<&serde_json::Value>) -> String {
    match v {
        None => "absent".to_string(),
        Some(serde_json::Value::String(s)) => {
            let t: String = s.chars().take(80).collect();
            format!("{t:?}")
        }
        Some(v) => {
            let t: String = v.to_string().chars().take(80).collect();
            t
        }
    }
}

fn path<'v>(v: &'v serde_json::Value, p: &str) -> Option<&'v serde_json::Value> {
    v.get(p).or_else(|| p.split('.').try_fold(v, |cur, seg| cur.get(seg)))
}

/// Why the two sides may disagree on one event: the rule's fields whose
/// column is missing, approximate, or holds a different value than the event.
/// The fields of the items that decided the matcher's verdict come first, and
/// the matcher's own summary ends the message.
fn parity_cause(
    sigma: bool,
    sigma_event: &crate::event::Event,
    row: &serde_json::Value,
    mappings: &[crate::pipeline::FieldMapping],
    table: Option<&str>,
    explanation: &MatchResult,
) -> String {
    let mut why = Vec::new();
    let table = table.unwrap_or("the table");
    let decisive: Vec<&str> =
        explanation.searches.iter().flat_map(|s| s.items.iter().filter_map(|i| i.field.as_deref())).collect();
    let mut ordered: Vec<&crate::pipeline::FieldMapping> = mappings.iter().collect();
    crate::base::sort::sort_by_key(&mut ordered, |m| !decisive.contains(&m.sigma.as_str()));
    for m in ordered {
        let sv = sigma_event.get(&m.sigma);
        if m.targets.is_empty() {
            why.push(format!("field {} has no column in {table} (dropped by the pipeline)", m.sigma));
            continue;
        }
        let col = &m.targets[0];
        let kv = path(row, col);
        match (sv, kv) {
            (Some(_), None) => {
                why.push(format!("field {} is in the event but column {col} is missing from the KQL row", m.sigma))
            }
            (Some(a), Some(b))
                if a != b
                    && crate::kusto::Value::Dynamic(a.clone()).to_text()
                        != crate::kusto::Value::Dynamic(b.clone()).to_text() =>
            {
                why.push(format!("{} = {} but {col} = {}", m.sigma, short(Some(a)), short(Some(b))))
            }
            _ if m.approximate => {
                why.push(format!("field {} maps to {} only approximately", m.sigma, m.targets.join(", ")))
            }
            _ => {}
        }
    }
    let side = if sigma { "Sigma matches, KQL does not" } else { "KQL matches, Sigma does not" };
    if why.is_empty() {
        format!(
            "{side}: the mapped fields carry the same values, so the operators differ; matcher: {}",
            explanation.summary
        )
    } else {
        why.truncate(4);
        format!("{side}: {}; matcher: {}", why.join("; "), explanation.summary)
    }
}

/// Convert the (first detection) rule of `rule_text` with the pipeline of
/// `opts`, run the query (or `opts.query_override`) over the events with the
/// KQL evaluator, and compare each event's verdict with the Sigma matcher's.
pub fn kql_parity(rule_text: &str, events_text: &str, opts: &KqlOptions) -> KqlParityReport {
    let mut diagnostics = Vec::new();
    let pipeline = kql_pipeline(opts, &mut diagnostics);
    let parsed = parse_rules(strip_bom(rule_text));
    let match_opts = MatchOptions { placeholders: opts.placeholders.clone(), ..MatchOptions::default() };
    let rule = parsed.rules.iter().find(|r| r.kind == RuleKind::Detection);
    let matcher = rule.map(|r| Matcher::new(r, &match_opts));
    // The file's filter rules for that rule apply on both sides: in the
    // matcher's verdict and, as `and not`, in the generated query.
    let filters: Vec<&Rule> = rule
        .map(|r| {
            crate::sigma::rule::filters_for(&parsed.rules, r).into_iter().filter_map(|f| parsed.rules.get(f)).collect()
        })
        .unwrap_or_default();
    let filter_matchers: Vec<Matcher> = filters.iter().map(|f| Matcher::new(f, &match_opts)).collect();
    let compiled: Vec<&Matcher> = matcher.iter().chain(&filter_matchers).collect();
    let rule_diags = rule_diagnostics(&parsed, &compiled, false);
    let rule_ok = rule.is_some() && !crate::base::diag::has_errors(&rule_diags);
    diagnostics.extend(views(&rule_diags, Some(Source::Rule)));
    if rule.is_none() && !crate::base::diag::has_errors(&rule_diags) {
        diagnostics.push(DiagnosticView::unpositioned_error(
            "no-detection-rule",
            "the rule text has no detection rule to compare".into(),
        ));
    }
    let conversion = match (rule, &pipeline) {
        (Some(r), Some(p)) => Some(crate::kql::convert_with_filters(r, &filters, p, &opts.placeholders)),
        _ => None,
    };
    let mut table = None;
    let mut mappings = Vec::new();
    let mut generated = None;
    if let Some(c) = &conversion {
        for d in &c.diagnostics {
            let v = DiagnosticView::new(d, Some(Source::Rule));
            if !diagnostics.contains(&v) {
                diagnostics.push(v);
            }
        }
        table = c.table.clone();
        mappings = c.field_mappings.clone();
        generated = c.queries.first().cloned();
    }
    let wrap = |q: String| {
        if table.is_none() && !q.trim_start().starts_with("Events") {
            format!("Events\n| where {q}")
        } else {
            q
        }
    };
    let edited = opts.query_override.is_some();
    let query = match &opts.query_override {
        Some(q) => q.clone(),
        None => generated.map(wrap).unwrap_or_default(),
    };
    let batch = parse_events(events_text);
    diagnostics.extend(views(&batch.diagnostics, Some(Source::Events)));
    let category = rule.and_then(|r| r.logsource.category());
    // Source-faithful rows, when the table has sources and the events are
    // records of one of them (or the user asked for them).
    let source_rows = match (opts.events_schema, table.as_deref()) {
        (EventsSchema::Auto | EventsSchema::Source, Some(t)) => {
            Some(crate::sources::rows_for(t, &batch.events, category))
        }
        _ => None,
    };
    let recognised = |k: &crate::sources::Kind| {
        matches!(k, crate::sources::Kind::Sysmon | crate::sources::Kind::Security | crate::sources::Kind::Defender)
    };
    let schema = match opts.events_schema {
        EventsSchema::Auto
            if source_rows.as_ref().is_some_and(|s| s.kinds.iter().any(recognised) && !s.feeds.is_empty()) =>
        {
            EventsSchema::Source
        }
        EventsSchema::Auto => detect_schema(&batch.events, table.as_deref(), &mappings),
        s => s,
    };
    if schema == EventsSchema::Source {
        let sr = source_rows.unwrap_or_else(|| crate::sources::SourceRows { kinds: Vec::new(), feeds: Vec::new() });
        let sigma_ok = rule_ok.then_some(()).and(matcher.as_ref());
        let verdict = |e: &Event| sigma_ok.map(|m| m.matches(e) && !filter_matchers.iter().any(|f| f.matches(e)));
        let (results, sources, agree) = source_parity(
            &query,
            &batch.events,
            sr,
            &verdict,
            matcher.as_ref(),
            &mappings,
            table.as_deref(),
            opts.include_rows,
            &mut diagnostics,
        );
        return KqlParityReport { query, edited, table, schema, results, agree, sources: Some(sources), diagnostics };
    }
    // Both sides' events: Sigma-named for the matcher, target-named for KQL.
    let mut sigma_events = Vec::new();
    let mut rows = Vec::new();
    let mut unmapped: Vec<String> = Vec::new();
    for e in &batch.events {
        match schema {
            EventsSchema::Target => {
                let (back, missing) = crate::pipeline::unmap_event(&mappings, e.original());
                for m in missing {
                    if !unmapped.contains(&m) {
                        unmapped.push(m);
                    }
                }
                sigma_events.push(crate::event::Event::from_json(back));
                rows.push(e.original().clone());
            }
            _ => {
                sigma_events.push(e.clone());
                rows.push(match (&pipeline, rule) {
                    (Some(p), Some(r)) if p.target.is_some() || table.is_some() => {
                        crate::pipeline::map_event(p, r, e).0
                    }
                    _ => {
                        // Inserted one by one rather than collected: `collect` into the
                        // map sorts a buffer first, a whole stable-sort instance in the
                        // WebAssembly for one call site; same map either way.
                        let mut m = serde_json::Map::new();
                        for (k, v) in e.fields() {
                            m.insert(k.to_string(), v.clone());
                        }
                        serde_json::Value::Object(m)
                    }
                });
            }
        }
    }
    if !unmapped.is_empty() && schema == EventsSchema::Target {
        diagnostics.push(DiagnosticView {
            severity: Severity::Info,
            code: "unmapped-back".into(),
            message: format!(
                "no column of these Sigma fields is in the events, so the matcher sees them absent: {}",
                unmapped.join(", ")
            ),
            line: 0,
            col: 0,
            source: Some(Source::Events),
            span: None,
        });
    }
    let kql_verdicts = if query.trim().is_empty() {
        None
    } else {
        let ev = crate::kusto::evaluate_matches(&query, &rows);
        diagnostics.extend(views(&ev.diagnostics, Some(Source::Kql)));
        ev.ok().then(|| ev.matched(rows.len()))
    };
    let sigma_verdicts: Option<Vec<bool>> = match (&matcher, rule_ok) {
        (Some(m), true) => {
            Some(sigma_events.iter().map(|e| m.matches(e) && !filter_matchers.iter().any(|f| f.matches(e))).collect())
        }
        _ => None,
    };
    let mut results = Vec::with_capacity(rows.len());
    let mut agree = true;
    for (index, row) in rows.iter().enumerate() {
        let sigma = sigma_verdicts.as_ref().and_then(|v| v.get(index).copied());
        let kql = kql_verdicts.as_ref().and_then(|v| v.get(index).copied());
        let cause = match (sigma, kql, sigma_events.get(index), &matcher) {
            (Some(s), Some(k), Some(se), Some(m)) if s != k => {
                Some(parity_cause(s, se, row, &mappings, table.as_deref(), &m.explain(se)))
            }
            _ => None,
        };
        agree &= sigma.is_some() && sigma == kql;
        results.push(ParityResult { index, sigma, kql, cause });
    }
    KqlParityReport { query, edited, table, schema, results, agree, sources: None, diagnostics }
}

/// Parity on the rows each source of the table gives (see [`SourcesReport`]).
/// The overall result of an event is that of its first source, and it agrees
/// when every source that gives it a row agrees.
#[allow(clippy::too_many_arguments)]
fn source_parity(
    query: &str,
    events: &[Event],
    sr: crate::sources::SourceRows,
    verdict: &dyn Fn(&Event) -> Option<bool>,
    matcher: Option<&Matcher>,
    mappings: &[crate::pipeline::FieldMapping],
    table: Option<&str>,
    include_rows: bool,
    diagnostics: &mut Vec<DiagnosticView>,
) -> (Vec<ParityResult>, SourcesReport, bool) {
    let n = events.len();
    let mut overall: Vec<ParityResult> =
        (0..n).map(|index| ParityResult { index, sigma: None, kql: None, cause: None }).collect();
    let mut seen = vec![false; n];
    let mut all_agree = vec![true; n];
    let mut feeds = Vec::new();
    let mut kql_failed = false;
    for fr in sr.feeds {
        let idx: Vec<usize> = (0..n).filter(|i| fr.rows.get(*i).is_some_and(Option::is_some)).collect();
        let rows: Vec<serde_json::Value> = idx.iter().filter_map(|i| fr.rows.get(*i).cloned().flatten()).collect();
        let kql: Option<Vec<bool>> = if query.trim().is_empty() || kql_failed {
            None
        } else {
            let ev = crate::kusto::evaluate_matches(query, &rows);
            if !ev.ok() {
                kql_failed = true;
            }
            for d in views(&ev.diagnostics, Some(Source::Kql)) {
                if !diagnostics.contains(&d) {
                    diagnostics.push(d);
                }
            }
            ev.ok().then(|| ev.matched(rows.len()))
        };
        let mut results: Vec<Option<ParityResult>> = vec![None; n];
        let (mut compared, mut agreed, mut blind) = (0, 0, 0);
        let mut blind_fields: Vec<String> = Vec::new();
        for (k, &i) in idx.iter().enumerate() {
            let (Some(view), Some(row)) = (fr.views.get(i).and_then(Option::as_ref), rows.get(k)) else { continue };
            let sigma = verdict(view);
            let kql_v = kql.as_ref().and_then(|v| v.get(k).copied());
            // The pasted Sysmon event matches, the source's record of it does not.
            if sigma == Some(false) && sr.kinds.get(i) == Some(&crate::sources::Kind::Sysmon) {
                if let Some(Some(true)) = events.get(i).map(verdict) {
                    blind += 1;
                    for m in mappings {
                        let pasted = events.get(i).and_then(|e| e.get(&m.sigma)).is_some();
                        if pasted && view.get(&m.sigma).is_none() && !blind_fields.contains(&m.sigma) {
                            blind_fields.push(m.sigma.clone());
                        }
                    }
                }
            }
            let cause = match (sigma, kql_v, matcher) {
                (Some(s), Some(q), Some(m)) if s != q => {
                    let why = parity_cause(s, view, row, mappings, table, &m.explain(view));
                    Some(format!("{}: {why}", fr.feed.label()))
                }
                _ => None,
            };
            compared += 1;
            let ok = sigma.is_some() && sigma == kql_v;
            if ok {
                agreed += 1;
            }
            if let Some(o) = overall.get_mut(i) {
                if !seen[i] {
                    o.sigma = sigma;
                    o.kql = kql_v;
                }
                if o.cause.is_none() {
                    o.cause = cause.clone();
                }
            }
            seen[i] = true;
            all_agree[i] &= ok;
            results[i] = Some(ParityResult { index: i, sigma, kql: kql_v, cause });
        }
        if blind > 0 {
            let label = fr.feed.label();
            let t = table.unwrap_or("the table");
            let why: Vec<String> = blind_fields
                .iter()
                .map(|f| match crate::sources::lost_reason(t, fr.feed, f) {
                    Some(r) => format!("{f} ({r})"),
                    None => format!("{f} (not recorded by this source)"),
                })
                .collect();
            diagnostics.push(DiagnosticView {
                severity: Severity::Info,
                code: "source-blind-spot".into(),
                message: format!(
                    "{label}: {blind} event{} the rule matches as pasted cannot match as this source reaches {t}, for want of {}",
                    if blind == 1 { "" } else { "s" },
                    if why.is_empty() { "fields the rule reads".to_string() } else { why.join("; ") }
                ),
                line: 0,
                col: 0,
                source: Some(Source::Events),
                span: None,
            });
        }
        feeds.push(FeedParity {
            feed: fr.feed,
            label: fr.feed.label().to_string(),
            compared,
            agreed,
            blind,
            blind_fields,
            results,
            rows: if include_rows { fr.rows } else { Vec::new() },
            native: if include_rows { fr.native } else { Vec::new() },
        });
    }
    let unrecognised: Vec<String> = (0..n).filter(|i| !seen[*i]).map(|i| (i + 1).to_string()).take(20).collect();
    if !unrecognised.is_empty() {
        diagnostics.push(DiagnosticView {
            severity: Severity::Warning,
            code: "no-source".into(),
            message: format!(
                "no source of {} gives a row for event {}: it is not a Sysmon, Windows Security or Defender record of a kind this table holds (choose \"Sigma fields\" to map it with the rule's own mapping)",
                table.unwrap_or("the table"),
                unrecognised.join(", ")
            ),
            line: 0,
            col: 0,
            source: Some(Source::Events),
            span: None,
        });
    }
    let agree = n > 0 && (0..n).all(|i| seen[i] && all_agree[i]);
    (overall, SourcesReport { kinds: sr.kinds, feeds }, agree)
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
        let re: Vec<_> =
            c.diagnostics.iter().filter(|d| d.code == "invalid-regex" || d.code == "invalid-pattern").collect();
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
        let r = match_events(
            text,
            "{\"CommandLine\": \"certutil /decode a b\"}\n{\"CommandLine\": \"certutil decode\"}",
            &MatchOptions::default(),
        );
        let got: Vec<bool> = r.results.iter().map(|x| x.matched).collect();
        assert_eq!(got, vec![true, false]);
    }

    #[test]
    fn filters_become_and_not_in_kql() {
        let rule = RULE
            .replace("title: t\n", "title: t\nname: t\n")
            .replace("  product: windows\n", "  category: process_creation\n  product: windows\n");
        let filter = "title: f\nlogsource:\n  product: windows\nfilter:\n  rules:\n    - t\n  selection:\n    User|startswith: adm_\n  condition: selection\n";
        let xdr = crate::pipeline::builtin("microsoft_xdr").unwrap();
        let r = convert_text(&format!("{rule}---\n{filter}"), &xdr, &Placeholders::new());
        assert!(r.ok, "{:?}", r.diagnostics);
        assert_eq!(r.queries.len(), 1);
        assert!(r.queries[0].contains("and not(AccountDomain startswith \"adm_\" or AccountName startswith \"adm_\" and isempty(AccountDomain))"), "{}", r.queries[0]);
        // A filter for another logsource changes nothing.
        let other = filter.replace("product: windows", "product: linux");
        let r = convert_text(&format!("{rule}---\n{other}"), &xdr, &Placeholders::new());
        assert!(!r.queries[0].contains("adm_"), "{}", r.queries[0]);
    }

    #[test]
    fn correlations_convert_next_to_their_rules() {
        let corr = "title: c\ncorrelation:\n  type: event_count\n  rules:\n    - t\n  group-by:\n    - User\n  timespan: 1h\n  condition:\n    gte: 2\n";
        let text = format!(
            "{}---\n{corr}",
            RULE.replace("title: t\n", "title: t\nname: t\n")
                .replace("  product: windows\n", "  category: process_creation\n  product: windows\n")
        );
        let asim = convert_text(&text, &crate::pipeline::builtin("sentinel_asim").unwrap(), &Placeholders::new());
        assert!(asim.ok, "{:?}", asim.diagnostics);
        assert_eq!(asim.queries.len(), 2);
        assert!(asim.queries[1].starts_with("let sigma_0_t = imProcessCreate"), "{}", asim.queries[1]);
        assert!(asim.queries[1].ends_with("| where sigma_events >= 2"), "{}", asim.queries[1]);
        assert!(asim.diagnostics.iter().any(|d| d.code == "lossy-mapping" && d.message.contains("fixed bins")));
        // Bare conditions have nothing to count in: the rule converts, the correlation is a warning.
        let none = convert_text(&text, &Pipeline::none(), &Placeholders::new());
        assert!(none.ok, "{:?}", none.diagnostics);
        assert_eq!(none.queries.len(), 1);
        assert!(none.diagnostics.iter().any(|d| d.code == "kql-correlation" && d.severity == Severity::Warning));
        // A reference to a rule that is not in the file is an error.
        let lone = convert_text(corr, &crate::pipeline::builtin("microsoft_xdr").unwrap(), &Placeholders::new());
        assert!(!lone.ok);
        assert!(lone.diagnostics.iter().any(|d| d.code == "kql-correlation" && d.line == 5));
    }

    #[test]
    fn correlation_rules_get_no_per_event_results() {
        let corr = "title: c\ncorrelation:\n  type: event_count\n  rules:\n    - t\n  group-by:\n    - User\n  timespan: 1h\n  condition:\n    gte: 2\n";
        let text = format!("{RULE}---\n{corr}");
        let r = match_events(&text, "{\"Image\": \"C:\\\\cmd.exe\"}", &MatchOptions::default());
        assert!(!r.has_rule_errors(), "{:?}", r.diagnostics);
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.results[0].rule.as_deref(), Some("t"));
        assert!(r.results[0].matched);
        // The correlation is evaluated on its own: one event, fewer than 2.
        assert_eq!(r.correlations.len(), 1);
        assert!(!r.correlations[0].matched);
        assert!(check_rule_text(&text, &MatchOptions::default())
            .diagnostics
            .iter()
            .all(|d| d.code != "not-a-detection"));
    }

    #[test]
    fn invalid_utf8_is_a_diagnostic() {
        let c = check_rule_bytes(b"title: \xff\n", &MatchOptions::default());
        assert!(!c.ok);
        assert_eq!(
            (c.diagnostics[0].code.as_str(), c.diagnostics[0].line, c.diagnostics[0].col),
            ("invalid-utf8", 1, 8)
        );
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
        let r =
            convert_text(RULE.replace("product: windows", "product: nothing_known").as_str(), &p, &Placeholders::new());
        assert!(!r.ok && r.queries.is_empty());
        assert!(r.diagnostics.iter().any(|d| d.is_error()), "{:?}", r.diagnostics);
        let r = convert_bytes(b"\xff", &p, &Placeholders::new());
        assert!(!r.ok && r.diagnostics[0].code == "invalid-utf8");
    }

    #[test]
    fn kql_parity_applies_filters_on_both_sides() {
        let proc_rule = RULE
            .replace("title: t\n", "title: t\nname: t\n")
            .replace("product: windows", "product: windows\n  category: process_creation");
        let filter = "title: f\nlogsource:\n  product: windows\nfilter:\n  rules:\n    - t\n  selection:\n    User|startswith: adm_\n  condition: selection\n";
        let events = "{\"Image\": \"C:\\\\Windows\\\\cmd.exe\", \"User\": \"bob\"}\n{\"Image\": \"C:\\\\Windows\\\\cmd.exe\", \"User\": \"adm_x\"}";
        for pipeline in ["sentinel_asim", "microsoft_xdr", "azure_monitor", "none"] {
            // Domain-less users: the rule's own mapping (a source would qualify them).
            let opts =
                KqlOptions { pipeline: pipeline.into(), events_schema: EventsSchema::Sigma, ..KqlOptions::default() };
            let r = kql_parity(&format!("{proc_rule}---\n{filter}"), events, &opts);
            assert!(r.agree, "{pipeline}: {r:?}");
            let sigma: Vec<Option<bool>> = r.results.iter().map(|x| x.sigma).collect();
            assert_eq!(sigma, vec![Some(true), Some(false)], "{pipeline}");
            assert!(r.query.contains("adm_"), "{pipeline}: {}", r.query);
        }
    }

    #[test]
    fn kql_parity_both_schemas() {
        let proc_rule = RULE.replace("product: windows", "product: windows\n  category: process_creation");
        let opts = KqlOptions { pipeline: "sentinel_asim".into(), ..KqlOptions::default() };
        let sigma_events = "{\"Image\": \"C:\\\\Windows\\\\cmd.exe\"}\n{\"Image\": \"x.exe\"}";
        // Flat Sysmon fields are recognised: the rows of every source of the table.
        let r = kql_parity(&proc_rule, sigma_events, &opts);
        assert!(r.agree, "{r:?}");
        assert_eq!(r.schema, EventsSchema::Source);
        let feeds: Vec<&str> = r.sources.iter().flat_map(|s| s.feeds.iter().map(|f| f.label.as_str())).collect();
        assert_eq!(feeds.len(), 5, "{feeds:?}");
        // The rule's own mapping, as asked.
        let mapped = KqlOptions { events_schema: EventsSchema::Sigma, ..opts.clone() };
        let r = kql_parity(&proc_rule, sigma_events, &mapped);
        assert!(r.agree, "{r:?}");
        assert_eq!(r.schema, EventsSchema::Sigma);
        assert_eq!(r.table.as_deref(), Some("imProcessCreate"));
        assert!(!r.edited && r.query.starts_with("imProcessCreate"));
        let target_events = "{\"TargetProcessName\": \"C:\\\\Windows\\\\cmd.exe\"}\n{\"TargetProcessName\": \"x.exe\"}";
        let r = kql_parity(&proc_rule, target_events, &opts);
        assert_eq!(r.schema, EventsSchema::Target);
        assert!(r.agree, "{r:?}");
        let forced = KqlOptions { events_schema: EventsSchema::Sigma, ..opts.clone() };
        let r = kql_parity(&proc_rule, target_events, &forced);
        assert!(!r.agree);
        let edited = KqlOptions {
            query_override: Some("imProcessCreate | where TargetProcessName has \"x\"".into()),
            ..mapped.clone()
        };
        let r = kql_parity(&proc_rule, sigma_events, &edited);
        assert!(r.edited && !r.agree);
        assert!(r.results[0].cause.as_deref().is_some_and(|c| c.starts_with("Sigma matches")), "{r:?}");
        assert!(r.results[1].cause.as_deref().is_some_and(|c| c.starts_with("KQL matches")), "{r:?}");
        let broken = KqlOptions { query_override: Some("imProcessCreate | where (".into()), ..mapped.clone() };
        let r = kql_parity(&proc_rule, sigma_events, &broken);
        assert!(r.results.iter().all(|x| x.kql.is_none()) && !r.agree);
        assert!(r.diagnostics.iter().any(|d| d.source == Some(Source::Kql) && d.is_error()));
        let json = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(json["schema"], "sigma");
        let bad = KqlOptions { pipeline: "nope".into(), ..KqlOptions::default() };
        assert!(kql_parity(&proc_rule, sigma_events, &bad).diagnostics.iter().any(|d| d.code == "unknown-pipeline"));
    }

    #[test]
    fn kql_parity_reads_security_and_defender_records() {
        let rule = "title: t\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\certutil.exe'\n    User|contains: AUTHORI\n  condition: selection\n";
        // SYSTEM as 4688 writes it (the computer account), and a Defender row.
        let events = concat!(
            r#"{"EventID": 4688, "Provider_Name": "Microsoft-Windows-Security-Auditing", "Computer": "ws1.corp.example", "#,
            r#""SubjectUserSid": "S-1-5-18", "SubjectUserName": "WS1$", "SubjectDomainName": "CORP", "NewProcessId": "0x1a2c", "#,
            r#""NewProcessName": "C:\\Windows\\System32\\certutil.exe", "ProcessId": "0x4", "TargetUserSid": "S-1-0-0", "#,
            r#""TargetUserName": "-", "TargetDomainName": "-", "ParentProcessName": "C:\\Windows\\System32\\cmd.exe"}"#,
            "\n",
            r#"{"DeviceName": "ws1", "ActionType": "ProcessCreated", "FileName": "certutil.exe", "#,
            r#""FolderPath": "C:\\Windows\\System32\\certutil.exe", "AccountDomain": "nt authority", "AccountName": "system", "#,
            r#""InitiatingProcessFileName": "cmd.exe", "ReportId": 5}"#,
        );
        for (pipeline, feeds) in [("sentinel_asim", 3), ("microsoft_xdr", 1), ("azure_monitor", 1)] {
            let opts = KqlOptions { pipeline: pipeline.into(), ..KqlOptions::default() };
            let r = kql_parity(rule, events, &opts);
            assert_eq!(r.schema, EventsSchema::Source, "{pipeline}: {r:?}");
            let Some(s) = &r.sources else { panic!("{pipeline}: no sources") };
            assert_eq!(s.kinds, vec![crate::sources::Kind::Security, crate::sources::Kind::Defender], "{pipeline}");
            assert_eq!(s.feeds.len(), feeds, "{pipeline}: {:?}", s.feeds.iter().map(|f| &f.label).collect::<Vec<_>>());
            for f in &s.feeds {
                assert_eq!(f.agreed, f.compared, "{pipeline} {}: {r:?}", f.label);
                // Every row the source gives is returned: SYSTEM is found by its SID.
                assert!(f.results.iter().flatten().all(|x| x.kql == Some(true)), "{pipeline} {}: {r:?}", f.label);
            }
        }
    }

    #[test]
    fn run_kql_reports_rows_and_matches() {
        let r = run_kql("T | where A > 1 | project A", "{\"A\": 1}\n{\"A\": 2}");
        assert!(!r.has_errors(), "{r:?}");
        assert_eq!(r.results.iter().map(|x| x.matched).collect::<Vec<_>>(), vec![false, true]);
        assert_eq!(r.rows.columns, vec!["A"]);
        assert_eq!(r.rows.values, vec![vec![serde_json::json!(2)]]);
        assert_eq!(r.rows.origins, vec![Some(1)]);
        let r = run_kql("T | where", "{}");
        assert!(r.has_errors() && r.results.is_empty());
    }
}
