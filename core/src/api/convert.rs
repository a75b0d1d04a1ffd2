//! Converting a rule file to KQL with one pipeline.

use serde::Serialize;

use super::*;
use crate::base::diag::Diagnostic;
use crate::base::text::decode_utf8;
use crate::pipeline::Pipeline;
use crate::sigma::compiled::Placeholders;
use crate::sigma::rule::parse_rules;

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
