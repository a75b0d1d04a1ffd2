//! KQL backend: a mapped rule → one Kusto query.
//!
//! `convert` runs the whole chain (compile → lower → pipeline → render);
//! `render` turns an already mapped rule into text.
//!
//! # Output
//! `Table\n| where <condition>` when the pipeline names a table, else the bare
//! condition (the `none` pipeline). A condition that would inline more than
//! `expr::MAX_LOWERED_TESTS` value tests gives no query (`kql-too-large`).
//!
//! # Operators (chosen by Sigma semantics, never by speed)
//! | Sigma | KQL |
//! |---|---|
//! | `f: v` | `f =~ "v"` (`cased`: `f == "v"`) |
//! | `f: [a, b]` (plain values) | `f in~ ("a", "b")` (`cased`: `in`); other values of the list stay OR-ed beside it |
//! | `contains` / `startswith` / `endswith` | `contains` / `startswith` / `endswith` (`cased`: `_cs`); a list stays an OR |
//! | inner `*`/`?`, `windash` | `f matches regex "(?is)^foo.*bar$"`: anchored (no anchor on a side ending in `*`), `(?i)` unless `cased`, `(?s)` when `*`/`?` occur |
//! | `all` | AND of the same operators (never `has_all`) |
//! | `re` (`i`, `m`, `s`) | `f matches regex "(?ims)..."`, unanchored |
//! | `cidr` | `ipv4_is_in_range(f, "10.0.0.0/8")` / `ipv6_is_in_range(f, "fe80::/10")` |
//! | number | `f == 4688` / `in (...)` (numeric or unknown column), `f =~ "4688"` (string column) |
//! | `lt` ... `gte` | `f < 4` (`toreal(f) < 4` on a non-numeric column) |
//! | `null` | `isempty(f)` (string, dynamic, unknown: Kusto strings are never null), `isnull(f)` (typed) |
//! | `exists` | `isnotempty`/`isempty` (`isnotnull`/`isnull` typed), with an info note |
//! | boolean | `f == true` (bool or unknown column), `f =~ "true"` (string) |
//! | `fieldref` | `A =~ B`, `A endswith B`, ... (`==`/`_cs` with `cased`) |
//! | time parts | `datetime_part("hour", todatetime(f)) >= 22` (`week_of_year` for `week`) |
//! | `neq`, `not` | negated operator (`!~`, `!contains`, `!in~`, `isnotempty`) or `not(...)` |
//! | keyword | `* contains "x"` (whole-row search); `* matches regex` with wildcards |
//!
//! `has` is never used: it matches whole terms, Sigma matches substrings.
//! Non-string columns (typed by the pipeline) are compared through
//! `tostring(...)`/`toreal(...)`; a dotted field with no schema
//! (`properties.message`) is a path into a dynamic column. Predicates that can
//! be null (`ipv4_is_in_range`, `<`, `datetime_part`) get `coalesce(..., false)`
//! under a negation, so that `not` keeps the rows Sigma keeps. Chains of more
//! than 128 `and`/`or` terms are printed in parenthesised groups of 64
//! (Kusto.Language refuses to analyse flat chains of ~500 terms).
//!
//! # Escaping
//! See `literal.rs`: verbatim `@"..."` for values with backslashes and no
//! quote or control character; regular `"..."` with `\\ \" \n \t \r \uXXXX`
//! otherwise. Regex text is RE2-escaped first, then quoted the same way.
//! Column names that are not plain identifiers (or are keywords) are `['...']`.

pub mod correlation;

mod render;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::base::diag::{has_errors, Diagnostic};
use crate::pipeline::{self, FieldMapping, Mapped, Pipeline};
use crate::sigma::compiled::{self, Placeholders};
use crate::sigma::expr;
use crate::sigma::rule::{Rule, RuleKind};

pub use crate::kusto::literal::{identifier, string_literal};

/// The result of converting one rule with one pipeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    /// The queries (one per rule today; empty when the rule cannot be converted).
    pub queries: Vec<String>,
    pub table: Option<String>,
    /// Why there is no query (errors), and what is approximate (warnings, infos).
    pub diagnostics: Vec<Diagnostic>,
    pub field_mappings: Vec<FieldMapping>,
}

/// Render a mapped rule as a query. Errors: the pipeline's error notes, or a
/// condition that is always true after mapping. Info and warning notes are
/// dropped here; use [`render_with_diagnostics`] to keep them.
pub fn render(mapped: &Mapped) -> Result<String, Vec<Diagnostic>> {
    let (query, diagnostics) = render_with_diagnostics(mapped);
    match query {
        Some(q) => Ok(q),
        None => Err(diagnostics),
    }
}

/// Render a mapped rule: the query (None on errors) and every diagnostic
/// (the pipeline's notes first, then the backend's).
pub fn render_with_diagnostics(mapped: &Mapped) -> (Option<String>, Vec<Diagnostic>) {
    let mut diagnostics = mapped.notes.clone();
    let query = render_query(mapped, &mut diagnostics);
    if has_errors(&diagnostics) {
        return (None, diagnostics);
    }
    (query, diagnostics)
}

/// The backend part: `diagnostics` receives only the backend's notes.
fn render_query(mapped: &Mapped, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let mut notes = render::Notes::default();
    let cond = render::condition(&mapped.expr, &mut notes);
    diagnostics.append(&mut notes.diagnostics);
    let cond = match cond {
        render::Condition::Text(t) => t,
        render::Condition::Const(true) => {
            diagnostics.push(Diagnostic::error(
                "kql-always-true",
                format!(
                    "after mapping with '{}' nothing is left to test (every detection item was dropped): \
                     the query would return every row, so none is produced",
                    mapped.pipeline
                ),
                None,
            ));
            return None;
        }
        render::Condition::Const(false) => {
            diagnostics.push(Diagnostic::warning(
                "kql-never-matches",
                "the condition can never be true (nothing is left that can match), so the query returns no rows",
                None,
            ));
            "false".to_string()
        }
    };
    Some(match &mapped.table {
        Some(table) => format!("{}\n| where {cond}", crate::kusto::literal::table_reference(table)),
        None => cond,
    })
}

/// Convert a rule: compile the detection, lower it to one tree, map it with
/// the pipeline and render it. Any error (compile, pipeline, backend) means
/// no query; the diagnostics say why.
/// Convert every rule of a file, one [`Conversion`] per rule in file order:
/// detection rules with the filter rules of the file that apply to them
/// ([`crate::sigma::rule::filters_for`]), then correlation rules over the queries of
/// the rules they name ([`correlation`]). Filter rules get no query of their own.
pub fn convert_file(rules: &[Rule], pipeline: &Pipeline, placeholders: &Placeholders) -> Vec<Conversion> {
    let mut out: Vec<Conversion> = rules
        .iter()
        .map(|rule| {
            if rule.kind == RuleKind::Correlation {
                return Conversion {
                    queries: Vec::new(),
                    table: None,
                    diagnostics: Vec::new(),
                    field_mappings: Vec::new(),
                };
            }
            let filters: Vec<&Rule> =
                crate::sigma::rule::filters_for(rules, rule).into_iter().filter_map(|f| rules.get(f)).collect();
            convert_with_filters(rule, &filters, pipeline, placeholders)
        })
        .collect();
    let mut queries: Vec<Option<correlation::Query>> =
        out.iter().map(|c| c.queries.first().cloned().map(correlation::Query::plain)).collect();
    let mut notes: Vec<Vec<Diagnostic>> = vec![Vec::new(); rules.len()];
    correlation::convert_all(rules, pipeline, &mut queries, &mut notes);
    for ((c, found), (rule, query)) in out.iter_mut().zip(notes).zip(rules.iter().zip(&queries)) {
        if rule.kind == RuleKind::Correlation {
            c.queries = query.as_ref().map(correlation::Query::text).into_iter().collect();
        }
        c.diagnostics.extend(found);
    }
    out
}

/// A field the rule tests that some source of the table records but whose
/// ASIM parser loses: those rows can never match on it. Said once per field
/// and source, at the field's first item.
fn source_gaps(rule: &Rule, table: &str, mappings: &[pipeline::FieldMapping], out: &mut Vec<Diagnostic>) {
    for m in mappings {
        for &feed in crate::sources::feeds(table) {
            let Some(why) = crate::sources::lost_reason(table, feed, &m.sigma) else { continue };
            let span = rule
                .detection
                .searches
                .iter()
                .flat_map(|s| s.alternatives.iter().flatten())
                .find(|i| i.field.as_deref() == Some(m.sigma.as_str()))
                .map(|i| i.key_span);
            out.push(Diagnostic::info(
                "source-blind-spot",
                format!("{} on {table}: rows from {} lose it ({why})", m.sigma, feed.label()),
                span,
            ));
        }
    }
}

pub fn convert(rule: &Rule, pipeline: &Pipeline, placeholders: &Placeholders) -> Conversion {
    convert_with_filters(rule, &[], pipeline, placeholders)
}

/// As [`convert`], with filter rules (sigma-filters-specification) that
/// apply to `rule`: each becomes `and not (<filter condition>)`, mapped with
/// the rule's logsource.
pub fn convert_with_filters(
    rule: &Rule,
    filters: &[&Rule],
    pipeline: &Pipeline,
    placeholders: &Placeholders,
) -> Conversion {
    let mut diagnostics = Vec::new();
    let empty = |diagnostics| Conversion { queries: Vec::new(), table: None, diagnostics, field_mappings: Vec::new() };
    match rule.kind {
        RuleKind::Detection => {}
        RuleKind::Correlation => {
            diagnostics.push(Diagnostic::info(
                "kql-not-a-detection",
                "correlation rules are not converted to KQL: convert the rules they refer to",
                Some(rule.span),
            ));
            return empty(diagnostics);
        }
        RuleKind::Filter => {
            diagnostics.push(Diagnostic::info(
                "kql-not-a-detection",
                "filter rules are not converted on their own: they change the rules they name",
                Some(rule.span),
            ));
            return empty(diagnostics);
        }
    }
    if rule.detection.conditions.iter().all(|c| c.expr.is_none()) {
        diagnostics.push(Diagnostic::error(
            "kql-no-condition",
            "the rule has no valid condition, so there is nothing to convert",
            rule.detection.span.or(Some(rule.span)),
        ));
        return empty(diagnostics);
    }
    let (compiled, compile_diags) = compiled::compile_detection(&rule.detection, placeholders);
    diagnostics.extend(compile_diags);
    let mut lowered = match expr::lower_bounded(&compiled) {
        Ok(e) => e,
        Err(too_large) => {
            let span =
                rule.detection.conditions.iter().filter(|c| c.expr.is_some()).nth(too_large.condition).map(|c| c.span);
            diagnostics.push(Diagnostic::error(
                "kql-too-large",
                format!(
                    "the condition expands to {} value tests, more than the {} a query may hold: each reference to a \
                     search copies it into the query (here a large search is referenced many times); no query is produced",
                    too_large.tests,
                    expr::MAX_LOWERED_TESTS
                ),
                span.or(rule.detection.span),
            ));
            return empty(diagnostics);
        }
    };
    for f in filters {
        let Some(filter) = &f.filter else { continue };
        let (compiled, compile_diags) = compiled::compile_detection(&filter.detection, placeholders);
        diagnostics.extend(compile_diags);
        match expr::lower_bounded(&compiled) {
            Ok(not_this) => lowered = expr::Expr::And(vec![lowered, expr::Expr::Not(Box::new(not_this))]),
            Err(too_large) => {
                diagnostics.push(Diagnostic::error(
                    "kql-too-large",
                    format!(
                        "filter '{}' expands to {} value tests, more than a query may hold",
                        f.title_text(),
                        too_large.tests
                    ),
                    Some(f.span),
                ));
                return empty(diagnostics);
            }
        }
        diagnostics.push(Diagnostic::info(
            "kql-filter",
            format!("filter '{}' applied: and not (its condition)", f.title_text()),
            Some(f.span),
        ));
    }
    let mapped = pipeline::apply(pipeline, rule, lowered);
    diagnostics.extend(mapped.notes.iter().cloned());
    if let Some(table) = &mapped.table {
        source_gaps(rule, table, &mapped.field_mappings, &mut diagnostics);
    }
    let query = if has_errors(&diagnostics) { None } else { render_query(&mapped, &mut diagnostics) };
    let queries = if has_errors(&diagnostics) { Vec::new() } else { query.into_iter().collect() };
    Conversion { queries, table: mapped.table.clone(), diagnostics, field_mappings: mapped.field_mappings.clone() }
}
