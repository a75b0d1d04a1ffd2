//! Applying the fixes lint findings carry: one fix (the web app's "Fix"
//! button), or every safe fix of a file (`sigmaplay check --fix`, "Fix all").

use serde::Serialize;

use super::*;
use crate::base::diag::{Edit, Fix};
use crate::engine::matcher::MatchOptions;

/// Passes of [`fix_all_safe`]: a fix can make another finding's fix possible
/// (two edits that overlapped), so fixing runs again on the fixed text.
const MAX_PASSES: usize = 4;

/// A text after fixes, and how it checks now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixOutcome {
    pub text: String,
    /// Fixes applied (a fix skipped for overlapping an earlier one, or for
    /// breaking the rule, does not count).
    pub applied: usize,
    /// The fixed text checked again.
    pub check: RuleCheck,
}

/// Apply `fixes` to `text` in order: a fix whose edits overlap an earlier
/// applied fix's is skipped, and so is one after which the rule no longer
/// parses. The edits' offsets are those of the diagnostics [`check_rule_text`]
/// or [`analyse_rules`] gave for this same text.
pub fn apply_fixes(text: &str, fixes: &[Fix], options: &MatchOptions) -> FixOutcome {
    let (fixed, applied) = apply_fixes_to_text(text, fixes);
    let check = check_rule_text(fixed.strip_prefix('\u{feff}').unwrap_or(&fixed), options);
    FixOutcome { text: fixed, applied, check }
}

/// As [`apply_fixes`] without checking the result: the fixed text and the
/// number of fixes applied (the web app analyses the new text anyway).
pub fn apply_fixes_to_text(text: &str, fixes: &[Fix]) -> (String, usize) {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let (fixed, applied) = apply_without_breaking(body, fixes);
    (format!("{bom}{fixed}"), applied)
}

/// Apply every safe fix of every finding, again on the fixed text while new
/// safe fixes appear (at most a few passes). Unsafe fixes are never applied.
pub fn fix_all_safe(text: &str, options: &MatchOptions) -> FixOutcome {
    let (bom, mut body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest.to_string()),
        None => ("", text.to_string()),
    };
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        let fixes = safe_fixes(&check_rule_text(&body, options));
        let (fixed, n) = apply_without_breaking(&body, &fixes);
        if n == 0 {
            break;
        }
        applied += n;
        body = fixed;
    }
    let check = check_rule_text(&body, options);
    FixOutcome { text: format!("{bom}{body}"), applied, check }
}

/// As [`fix_all_safe`], from raw bytes; invalid UTF-8 is the check that says so.
pub fn fix_all_safe_bytes(bytes: &[u8], options: &MatchOptions) -> Result<FixOutcome, RuleCheck> {
    match crate::base::text::decode_utf8(bytes) {
        Ok(text) => Ok(fix_all_safe(text, options)),
        Err(_) => Err(check_rule_bytes(bytes, options)),
    }
}

/// The safe fixes of a check, in text order.
pub fn safe_fixes(check: &RuleCheck) -> Vec<Fix> {
    safe_fixes_of(&check.diagnostics)
}

/// The safe fixes among `diagnostics`, in their order.
pub fn safe_fixes_of(diagnostics: &[DiagnosticView]) -> Vec<Fix> {
    diagnostics.iter().filter_map(|d| d.fix.clone()).filter(|f| f.safe).collect()
}

/// `fixes` applied in order, skipping one that overlaps an applied one or
/// that turns a rule that parses into one that does not; the count applied.
fn apply_without_breaking(text: &str, fixes: &[Fix]) -> (String, usize) {
    let broken_before = crate::base::diag::has_errors(&crate::sigma::rule::parse_rules(text).diagnostics);
    let mut chosen: Vec<&Fix> = Vec::new();
    for f in fixes {
        let overlaps = chosen.iter().flat_map(|c| &c.edits).any(|a| f.edits.iter().any(|b| touches(a, b)));
        if !overlaps {
            chosen.push(f);
        }
    }
    let parses =
        |t: &str| broken_before || !crate::base::diag::has_errors(&crate::sigma::rule::parse_rules(t).diagnostics);
    let all: Vec<&Edit> = chosen.iter().flat_map(|f| &f.edits).collect();
    if let Some(fixed) = crate::lint::apply_edits(text, &all).filter(|t| parses(t)) {
        return (fixed, chosen.len());
    }
    // Some fix breaks the rule (or the edits do not fit the text): keep the others.
    let mut kept: Vec<&Fix> = Vec::new();
    for f in chosen {
        kept.push(f);
        let edits: Vec<&Edit> = kept.iter().flat_map(|f| &f.edits).collect();
        if !crate::lint::apply_edits(text, &edits).is_some_and(|t| parses(&t)) {
            kept.pop();
        }
    }
    let edits: Vec<&Edit> = kept.iter().flat_map(|f| &f.edits).collect();
    match crate::lint::apply_edits(text, &edits) {
        Some(fixed) => (fixed, kept.len()),
        None => (text.to_string(), 0),
    }
}

/// Two edits overlap, or both insert at the same place (their order would be a guess).
fn touches(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    (a.start < b.end && b.start < a.end) || a.start == b.start
}
