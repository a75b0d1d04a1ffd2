//! Checking a rule file: parse, compile each matcher, lint; one list of
//! diagnostics in source order, the same for `sigmaplay check` and the web app.

use serde::Serialize;

use super::*;
use crate::base::diag::{Diagnostic, Severity};
use crate::base::text::decode_utf8;
use crate::engine::matcher::{MatchOptions, Matcher, PreparedEvent};
use crate::sigma::rule::{parse_rules, ParsedRules};

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
pub(super) fn rule_diagnostics<M: std::borrow::Borrow<Matcher>>(
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
        add_lint(&parsed, text, &mut diags);
    }
    RuleCheck { ok: !crate::base::diag::has_errors(&diags), diagnostics: views(&diags, None) }
}

/// Only the linter's findings ([`crate::lint`]) for every rule of a rule
/// file, in source order, as a [`RuleCheck`]. The parse errors come with them,
/// since a rule that cannot be read cannot be linted whole; compile errors
/// and warnings (a bad regex, say) are [`check_rule_text`]'s.
pub fn lint_rule_text(text: &str) -> RuleCheck {
    let text = strip_bom(text);
    let parsed = parse_rules(text);
    let mut diags: Vec<Diagnostic> = parsed.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    add_lint(&parsed, text, &mut diags);
    RuleCheck { ok: !crate::base::diag::has_errors(&diags), diagnostics: views(&diags, None) }
}

/// The linter's findings for every rule of `parsed`, merged into `diags`
/// (no repeats) and kept in source order.
fn add_lint(parsed: &ParsedRules, text: &str, diags: &mut Vec<Diagnostic>) {
    for rule in &parsed.rules {
        for d in crate::lint::lint_with_fixes(rule, text) {
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
    let text = strip_bom(text);
    let parsed = parse_rules(text);
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
    add_lint(&parsed, text, &mut diagnostics);
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
