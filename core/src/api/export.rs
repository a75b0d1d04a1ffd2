//! Exporting a rule file as a deployable Sentinel or Defender rule
//! ([`crate::deploy`]): convert it with one pipeline, pick the rule to
//! deploy, write the document and run the pre-flight checks.

use serde::Serialize;

use super::*;
use crate::base::diag::Diagnostic;
use crate::base::text::decode_utf8;
use crate::deploy::{self, ExportOptions, Format};
use crate::pipeline::Pipeline;
use crate::sigma::compiled::Placeholders;
use crate::sigma::rule::{parse_rules, RuleKind};

/// The outcome of exporting one rule file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportReport {
    /// A document was written and no check failed: it can be deployed as it is.
    pub ok: bool,
    pub format: Format,
    /// The Sentinel YAML, ARM template or Graph JSON (also when a check failed, to show what is wrong).
    pub document: Option<String>,
    /// The exported rule's GUID (Sentinel rule id, ARM resource name).
    pub guid: Option<String>,
    /// Title of the rule exported (a file may hold several).
    pub title: Option<String>,
    /// Parse, conversion and pre-flight notes, each once.
    pub diagnostics: Vec<DiagnosticView>,
}

/// A schedule duration as a user types it: `0` (Defender's continuous run)
/// or a number and a unit s, m, h or d (`5m`, `1H`, `14d`), in seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let t = text.trim().to_ascii_lowercase();
    if t == "0" {
        return Ok(0);
    }
    crate::sigma::correlation::parse_timespan(&t)
        .ok_or_else(|| format!("expected a duration such as 5m, 1h or 1d (or 0), got '{}'", text.trim()))
}

/// Parse, convert with `pipeline` and export as `format`. The rule exported
/// is the file's last correlation rule that converted (it queries the
/// others), else its first detection rule that converted.
pub fn export_text(
    text: &str,
    pipeline: &Pipeline,
    placeholders: &Placeholders,
    format: Format,
    options: &ExportOptions,
) -> ExportReport {
    let parsed = parse_rules(strip_bom(text));
    let mut all: Vec<Diagnostic> = parsed.diagnostics.clone();
    let failed = |all: Vec<Diagnostic>| ExportReport {
        ok: false,
        format,
        document: None,
        guid: None,
        title: None,
        diagnostics: views(&all, Some(Source::Rule)),
    };
    if crate::base::diag::has_errors(&parsed.diagnostics) {
        return failed(all);
    }
    let conversions = crate::kql::convert_file(&parsed.rules, pipeline, placeholders);
    let with_query = |kind: RuleKind| {
        parsed.rules.iter().zip(&conversions).filter(move |(r, c)| r.kind == kind && !c.queries.is_empty())
    };
    let chosen = with_query(RuleKind::Correlation).next_back().or_else(|| with_query(RuleKind::Detection).next());
    let Some((rule, conversion)) = chosen else {
        for c in &conversions {
            push_new(&mut all, &c.diagnostics);
        }
        all.push(Diagnostic::error(
            "export-no-query",
            format!("no rule of the file converted with the {} pipeline, so there is nothing to export", pipeline.name),
            None,
        ));
        return failed(all);
    };
    push_new(&mut all, &conversion.diagnostics);
    let query = conversion.queries.first().map(String::as_str).unwrap_or_default();
    // A correlation's query names no table of its own: it reads the tables of the rules it counts.
    let table = conversion.table.clone().or_else(|| conversions.iter().find_map(|c| c.table.clone()));
    let export = deploy::export(rule, query, table.as_deref(), &pipeline.name, format, options);
    push_new(&mut all, &export.diagnostics);
    let ok = export.ok && !crate::base::diag::has_errors(&all);
    ExportReport {
        ok,
        format,
        document: export.document,
        guid: export.rule.as_ref().map(|r| r.guid.clone()),
        title: Some(rule.title_text().to_string()),
        diagnostics: views(&all, Some(Source::Rule)),
    }
}

/// As [`export_text`], from raw bytes: invalid UTF-8 is an `invalid-utf8` error.
pub fn export_bytes(
    bytes: &[u8],
    pipeline: &Pipeline,
    placeholders: &Placeholders,
    format: Format,
    options: &ExportOptions,
) -> ExportReport {
    match decode_utf8(bytes) {
        Ok(text) => export_text(text, pipeline, placeholders, format, options),
        Err(d) => ExportReport {
            ok: false,
            format,
            document: None,
            guid: None,
            title: None,
            diagnostics: vec![DiagnosticView::new(&d, None)],
        },
    }
}

fn push_new(all: &mut Vec<Diagnostic>, found: &[Diagnostic]) {
    for d in found {
        if !all.contains(d) {
            all.push(d.clone());
        }
    }
}
