//! Matching a rule file against events, rule by rule, with filters and
//! correlations, and an explanation per (rule, event).

use serde::Serialize;

use super::*;
use crate::base::diag::Diagnostic;
use crate::base::text::decode_utf8;
use crate::engine::correlation::{self, CorrelationInput, CorrelationOutcome};
use crate::engine::matcher::{MatchOptions, MatchResult, Matcher, PreparedEvent};
use crate::event::parse_events;
use crate::event::Event;
use crate::sigma::rule::{parse_rules, Rule, RuleKind};

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
    /// One outcome per correlation rule of the file, in file order (always
    /// written, `[]` when there is none: the JavaScript package types it so).
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
            let matched = verdicts.matched[ri][index];
            let filter = verdicts.suppressed_by[ri][index].and_then(|f| matchers.get(f)).map(Matcher::title);
            let explanation = explain_verdict(m, ev.event, filter);
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

/// One (rule, event) explanation as both shells show it: the matcher's, and
/// when a filter rule took the match back, that filter's title and a summary
/// that says so.
pub fn explain_verdict(matcher: &Matcher, event: &Event, suppressed_by: Option<&str>) -> MatchResult {
    let mut explanation = matcher.explain(event);
    if let Some(title) = suppressed_by {
        explanation.matched = false;
        explanation.summary = format!("suppressed by filter '{title}': {}", explanation.summary);
        explanation.suppressed_by = Some(title.to_string());
    }
    explanation
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
