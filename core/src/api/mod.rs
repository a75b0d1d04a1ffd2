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
//! - [`export_text`] / [`export_bytes`]: a rule as a deployable Sentinel
//!   analytics rule (YAML, ARM) or Defender custom detection, with pre-flight checks.
//!
//! - [`apply_fixes`] / [`fix_all_safe`]: apply the fixes that lint findings
//!   carry to a rule file's text, and check it again.
//!
//! - [`scan::scan`]: a folder of rule files over events at once.
//! - [`run_rule_regression`], [`import_regression_files`], [`export_regression`]:
//!   SigmaHQ regression tests (`info.yml` and event JSON), run, read and written.
//! - [`explain`]: the words of an explanation, for both shells.
//!
//! Everything returned is `Serialize`, and is what the shells print as JSON
//! and the JavaScript package (`js/`) returns, field for field;
//! [`DiagnosticView`] is the flat `{severity, code, message, line, col}` form
//! of a diagnostic, and [`FileReport`] a report about one file of a CLI run.
//! One file per entry point (`check.rs`, `matching.rs`, `convert.rs`,
//! `parity.rs`, `run_kql.rs`); `pipelines.rs` reads the pipeline argument;
//! this file holds what they share.

pub mod explain;
pub mod scan;

mod check;
mod convert;
mod export;
mod fix;
mod matching;
mod parity;
mod pipelines;
mod regression;
mod run_kql;

pub use check::*;
pub use convert::*;
pub use export::*;
pub use fix::*;
pub use matching::*;
pub use parity::*;
pub use pipelines::*;
pub use regression::*;
pub use run_kql::*;

use serde::Serialize;

use crate::base::diag::{Diagnostic, Fix, Severity, Span};

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
    /// Edits that resolve it ([`apply_fixes`]); lint findings only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
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
            fix: d.fix.as_deref().cloned(),
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
            fix: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A report about one file (`sigmaplay check`, `convert`, `export --json`):
/// `{"path": ..., <the report's own fields>}`, so that a file's line of JSON
/// is the report the JavaScript package returns for the same text, plus its path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport<'a, R: Serialize> {
    pub path: &'a str,
    #[serde(flatten)]
    pub report: &'a R,
}

fn views(diags: &[Diagnostic], source: Option<Source>) -> Vec<DiagnosticView> {
    diags.iter().map(|d| DiagnosticView::new(d, source)).collect()
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests;
