//! A hand-written KQL query run over pasted events.

use serde::Serialize;

use super::*;
use crate::event::parse_events;

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
