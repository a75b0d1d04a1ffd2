//! Converting a rule file to KQL with one pipeline.

use serde::Serialize;

use super::*;
use crate::base::diag::Diagnostic;
use crate::base::text::decode_utf8;
use crate::pipeline::{FieldMapping, Pipeline, PipelineSpec};
use crate::sigma::compiled::Placeholders;
use crate::sigma::rule::{parse_rules, ParsedRules};

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

/// One query of a converted rule file, with the rule it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleQuery {
    /// Index of the rule in the file.
    pub rule: usize,
    pub title: String,
    pub query: String,
}

/// Every rule of a parsed file converted with one pipeline, as the file
/// (filters change the rules they name, correlations query over them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileConversion {
    pub queries: Vec<RuleQuery>,
    /// Tables of the queries, in rule order, each once.
    pub tables: Vec<String>,
    /// Each field the rules use and the columns it became, each once.
    pub field_mappings: Vec<FieldMapping>,
    /// The conversion's notes (pipeline, backend), each once, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileConversion {
    /// The queries as one text: under a `// title` line each when the file
    /// has several rules.
    pub fn text(&self, rules_in_file: usize) -> String {
        let parts: Vec<String> = self
            .queries
            .iter()
            .map(|q| {
                if rules_in_file > 1 {
                    format!("// {}\n{}", q.title.replace(['\n', '\r'], " "), q.query)
                } else {
                    q.query.clone()
                }
            })
            .collect();
        parts.join("\n\n")
    }

    /// Why there is no query when no error diagnostic says it.
    pub fn empty_reason(&self, parsed: &ParsedRules) -> Option<&'static str> {
        if !self.queries.is_empty() || crate::base::diag::has_errors(&self.diagnostics) {
            return None;
        }
        Some(if parsed.rules.is_empty() && crate::base::diag::has_errors(&parsed.diagnostics) {
            "the rule cannot be read: see Diagnostics"
        } else if parsed.rules.is_empty() {
            "no rule to convert"
        } else {
            "this rule produces no query"
        })
    }
}

/// Convert every rule of an already parsed file ([`crate::kql::convert_file`]).
/// Queries of rules read despite parse errors are kept: the playground shows
/// them while the author types; [`convert_text`] refuses them.
pub fn convert_parsed(parsed: &ParsedRules, pipeline: &Pipeline, placeholders: &Placeholders) -> FileConversion {
    let mut out = FileConversion::default();
    let conversions = crate::kql::convert_file(&parsed.rules, pipeline, placeholders);
    for ((index, rule), c) in parsed.rules.iter().enumerate().zip(conversions) {
        for d in c.diagnostics {
            if !out.diagnostics.contains(&d) {
                out.diagnostics.push(d);
            }
        }
        if let Some(t) = c.table {
            if !out.tables.contains(&t) {
                out.tables.push(t);
            }
        }
        for m in c.field_mappings {
            if !out.field_mappings.contains(&m) {
                out.field_mappings.push(m);
            }
        }
        let title = rule.title_text().to_string();
        out.queries.extend(c.queries.into_iter().map(|query| RuleQuery { rule: index, title: title.clone(), query }));
    }
    crate::base::sort::sort_by_key(&mut out.diagnostics, |d| match d.span {
        Some(s) => (0u8, s.start, s.line, s.col),
        None => (1, 0, 0, 0),
    });
    out
}

/// Parse a rule file's text and convert each of its rules with `pipeline`
/// ([`convert_parsed`]). A parse error fails the file even when a rule
/// was recovered, so that a query is never produced from a half-read rule.
pub fn convert_text(text: &str, pipeline: &Pipeline, placeholders: &Placeholders) -> ConvertReport {
    let parsed = parse_rules(strip_bom(text));
    let parse_failed = crate::base::diag::has_errors(&parsed.diagnostics);
    let conversion = convert_parsed(&parsed, pipeline, placeholders);
    let mut all: Vec<Diagnostic> = parsed.diagnostics.clone();
    for d in conversion.diagnostics {
        if !all.contains(&d) {
            all.push(d);
        }
    }
    let table = conversion.tables.first().cloned();
    let queries: Vec<String> =
        if parse_failed { Vec::new() } else { conversion.queries.into_iter().map(|q| q.query).collect() };
    let ok = !queries.is_empty() && !crate::base::diag::has_errors(&all);
    ConvertReport { ok, queries: if ok { queries } else { Vec::new() }, table, diagnostics: views(&all, None) }
}

/// As [`convert_text`], with the pipeline chained from `specs` here
/// ([`choose_pipeline`]): the links' problems are among the diagnostics, and
/// a link with an error (an unknown name, broken YAML) converts nothing.
pub fn convert_with_pipelines(text: &str, specs: &[PipelineSpec], placeholders: &Placeholders) -> ConvertReport {
    let mut pipeline_diags = Vec::new();
    let mut report = match choose_pipeline(specs, &mut pipeline_diags) {
        Some(pipeline) => convert_text(text, &pipeline, placeholders),
        None => ConvertReport { ok: false, queries: Vec::new(), table: None, diagnostics: Vec::new() },
    };
    pipeline_diags.append(&mut report.diagnostics);
    report.diagnostics = pipeline_diags;
    report
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
