//! What the playground shows, computed from its texts with `sigmaplay_core`
//! only (no Sigma or KQL logic here): each stage is cached by the app and
//! recomputed only when its inputs change.
//!
//! - [`analyse_rule`]: parsed rules, their matchers, diagnostics (parse,
//!   compile, lint) — on every rule edit;
//! - [`analyse_events`]: parsed events — only when the events text changes;
//! - [`choose_pipeline`] and [`convert`]: the KQL and its mapping notes;
//! - [`match_all`]: which event matches which rule (fast path, no
//!   explanations); [`explain`] builds one explanation on demand.

use sigmaplay_core::api;
use sigmaplay_core::engine::correlation::CorrelationOutcome;
use sigmaplay_core::pipeline::{FieldMapping, Pipeline};
use sigmaplay_core::sigma::rule::RuleKind;
use sigmaplay_core::{
    parse_events, Diagnostic, EventBatch, Fix, MatchOptions, MatchResult, Matcher, ParsedRules, Placeholders,
    PreparedEvent, Severity, Span,
};

/// Which editor a diagnostic points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    Rule,
    Events,
    Pipeline,
    /// The KQL conversion; its spans point into the rule.
    Kql,
}

impl Origin {
    pub fn label(self) -> &'static str {
        match self {
            Origin::Rule => "rule",
            Origin::Events => "events",
            Origin::Pipeline => "pipeline",
            Origin::Kql => "KQL",
        }
    }
    /// The editor whose text the spans index.
    pub fn editor(self) -> Origin {
        match self {
            Origin::Kql => Origin::Rule,
            o => o,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UiDiagnostic {
    pub origin: Origin,
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub span: Option<Span>,
    /// A lint finding's fix (edits of the rule text).
    pub fix: Option<Fix>,
}

impl UiDiagnostic {
    fn new(origin: Origin, d: &Diagnostic) -> Self {
        UiDiagnostic {
            origin,
            severity: d.severity,
            code: d.code.clone(),
            message: d.message.clone(),
            span: d.span,
            fix: d.fix.as_deref().cloned(),
        }
    }
}

pub struct RuleAnalysis {
    pub parsed: ParsedRules,
    /// One per rule of `parsed`, same order.
    pub matchers: Vec<Matcher>,
    /// Parse, compile and lint diagnostics, in source order.
    pub diagnostics: Vec<UiDiagnostic>,
    /// A rule error: no match results are computed (a broken part could
    /// decide a match for the wrong reason), as in `api::match_events`.
    pub has_errors: bool,
}

impl RuleAnalysis {
    /// Indexes (into `parsed.rules`) of the detection rules, which match events.
    pub fn detections(&self) -> Vec<usize> {
        self.parsed.rules.iter().enumerate().filter(|(_, r)| r.kind == RuleKind::Detection).map(|(i, _)| i).collect()
    }
}

pub fn options() -> MatchOptions {
    MatchOptions::default()
}

pub fn analyse_rule(text: &str) -> RuleAnalysis {
    // Parsing, compiling and lint as core reports them (the CLI's `check`
    // too), already in source order.
    let a = api::analyse_rules(text, &options());
    let diagnostics: Vec<UiDiagnostic> = a.diagnostics.iter().map(|d| UiDiagnostic::new(Origin::Rule, d)).collect();
    RuleAnalysis { parsed: a.parsed, matchers: a.matchers, diagnostics, has_errors: a.has_errors }
}

/// The rule's verdicts next to the KQL query's on the same events
/// (`query`: the user's edit of the query, if any).
pub fn parity(
    rule: &str,
    events: &str,
    target: &str,
    custom_pipeline: &str,
    query: Option<&str>,
    schema: api::EventsSchema,
) -> api::KqlParityReport {
    let opts = api::KqlOptions {
        pipeline: target.to_string(),
        custom_pipeline: (!custom_pipeline.trim().is_empty()).then(|| custom_pipeline.to_string()),
        placeholders: Placeholders::default(),
        query_override: query.map(str::to_string),
        events_schema: schema,
        include_rows: true,
        pipelines: Vec::new(),
    };
    api::kql_parity(rule, events, &opts)
}

pub struct EventsAnalysis {
    pub batch: EventBatch,
    pub diagnostics: Vec<UiDiagnostic>,
}

pub fn analyse_events(text: &str) -> EventsAnalysis {
    let batch = parse_events(text);
    let diagnostics = batch.diagnostics.iter().map(|d| UiDiagnostic::new(Origin::Events, d)).collect();
    EventsAnalysis { batch, diagnostics }
}

pub struct PipelineAnalysis {
    pub pipeline: Option<Pipeline>,
    pub diagnostics: Vec<UiDiagnostic>,
}

/// The custom pipeline text (if not blank) chained before the target.
pub fn choose_pipeline(target: &str, custom: &str) -> PipelineAnalysis {
    use sigmaplay_core::pipeline::{choose, PipelineSpec};
    let choice = choose(&[
        PipelineSpec::Yaml { text: custom.to_string(), name: String::new() },
        PipelineSpec::Builtin(target.to_string()),
    ]);
    PipelineAnalysis {
        pipeline: choice.pipeline,
        diagnostics: choice.diagnostics.iter().map(|(_, d)| UiDiagnostic::new(Origin::Pipeline, d)).collect(),
    }
}

/// The KQL of every detection rule, and what the mapping changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KqlOutput {
    /// The query text ("" when there is none).
    pub text: String,
    /// Tables of the queries, in rule order.
    pub tables: Vec<String>,
    /// Conversion diagnostics (spans into the rule).
    pub diagnostics: Vec<UiDiagnostic>,
    pub field_mappings: Vec<FieldMapping>,
    /// Why there is no query, when there is none and no diagnostic says it.
    pub empty_reason: Option<String>,
}

pub fn convert(rule: &RuleAnalysis, pipeline: &PipelineAnalysis) -> KqlOutput {
    let Some(p) = &pipeline.pipeline else {
        return KqlOutput {
            empty_reason: Some("the custom pipeline has errors: fix them to see the KQL".into()),
            ..KqlOutput::default()
        };
    };
    let c = api::convert_parsed(&rule.parsed, p, &Placeholders::default());
    KqlOutput {
        text: c.text(rule.parsed.rules.len()),
        tables: c.tables.clone(),
        diagnostics: c.diagnostics.iter().map(|d| UiDiagnostic::new(Origin::Kql, d)).collect(),
        empty_reason: c.empty_reason(&rule.parsed).map(str::to_string),
        field_mappings: c.field_mappings,
    }
}

/// Results of one detection rule over all events.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResults {
    /// Index into `parsed.rules`.
    pub rule: usize,
    pub title: String,
    /// One per event, in event order, after the file's filter rules.
    pub matched: Vec<bool>,
    /// One per event: the title of the filter rule that suppressed a match.
    pub suppressed_by: Vec<Option<String>>,
}

/// What the rule file decides about the events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matches {
    pub rules: Vec<RuleResults>,
    pub correlations: Vec<CorrelationOutcome>,
    /// Notes from evaluating correlations (missing event times...).
    pub notes: Vec<String>,
}

/// Match every detection rule on every event, then the correlations (no
/// explanations: see [`explain`]). Empty when the rule has errors.
pub fn match_all(rule: &RuleAnalysis, events: &EventBatch) -> Matches {
    if rule.has_errors {
        return Matches::default();
    }
    let prepared: Vec<PreparedEvent<'_>> = events.events.iter().map(PreparedEvent::new).collect();
    let verdicts = api::evaluate_batch(&rule.parsed.rules, &rule.matchers, &prepared, None);
    let rules = rule
        .detections()
        .into_iter()
        .filter_map(|i| {
            Some(RuleResults {
                rule: i,
                title: rule.parsed.rules.get(i)?.title_text().to_string(),
                matched: verdicts.matched.get(i)?.clone(),
                suppressed_by: verdicts
                    .suppressed_by
                    .get(i)?
                    .iter()
                    .map(|f| f.and_then(|f| rule.parsed.rules.get(f)).map(|r| r.title_text().to_string()))
                    .collect(),
            })
        })
        .collect();
    let notes = verdicts.diagnostics.iter().map(|d| d.message.clone()).collect();
    Matches { rules, correlations: verdicts.correlations, notes }
}

/// One event's explanation for one rule, with the filter that suppressed its
/// match (`suppressed_by`, a title from [`RuleResults`]) when there is one.
pub fn explain(
    rule: &RuleAnalysis,
    rule_index: usize,
    events: &EventBatch,
    event_index: usize,
    suppressed_by: Option<&str>,
) -> Option<MatchResult> {
    let m = rule.matchers.get(rule_index)?;
    let ev = events.events.get(event_index)?;
    Some(api::explain_verdict(m, ev, suppressed_by))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "title: t\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\cmd.exe'\n  condition: selection\nlevel: high\n";

    #[test]
    fn rule_events_kql_results() {
        let r = analyse_rule(RULE);
        assert!(!r.has_errors, "{:?}", r.diagnostics);
        let e = analyse_events("{\"Image\": \"C:\\\\Windows\\\\cmd.exe\"}\n{\"Image\": \"x.exe\"}\n");
        let res = match_all(&r, &e.batch).rules;
        assert_eq!(res.len(), 1);
        assert_eq!(res[0].matched, vec![true, false]);
        let ex = explain(&r, 0, &e.batch, 1, None).unwrap();
        assert!(!ex.matched);
        let p = choose_pipeline("sentinel_asim", "");
        let k = convert(&r, &p);
        assert!(!k.text.is_empty(), "{k:?}");
        let none = convert(&r, &choose_pipeline("none", ""));
        assert!(none.text.contains("endswith"), "{none:?}");
    }

    #[test]
    fn invalid_yaml_has_a_positioned_error() {
        let r = analyse_rule("title: t\ndetection:\n  sel: [a\n");
        assert!(r.has_errors);
        assert!(r.diagnostics.iter().any(|d| d.severity == Severity::Error && d.span.is_some()), "{:?}", r.diagnostics);
        assert!(match_all(&r, &analyse_events("{}").batch).rules.is_empty());
    }

    #[test]
    fn broken_pipeline_means_no_kql() {
        let r = analyse_rule(RULE);
        let p = choose_pipeline("none", "transformations: [\n");
        assert!(p.pipeline.is_none() && !p.diagnostics.is_empty());
        let k = convert(&r, &p);
        assert!(k.text.is_empty() && k.empty_reason.is_some());
    }
}
