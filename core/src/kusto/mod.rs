//! The Kusto language, with no Sigma types: table schemas ([`schema`]),
//! string literals ([`literal`]), and a KQL evaluator for the subset the backend emits and people hand-edit, so
//! a converted query can be run over events in the browser and compared with
//! the Sigma matcher.
//!
//! Pipeline: [`lexer`] (tokens, decoded strings) → [`parser`] (AST with byte
//! positions, depth-limited) → [`eval`] (rows typed like a Kusto table, each
//! remembering its event). Everything outside the subset is a
//! `kql-unsupported` diagnostic at its position, never a guessed answer.
//!
//! Semantics follow Kusto's documentation: strings are never null (a missing
//! string column is `""`), `==`/`in`/`_cs` are case-sensitive and `=~`,
//! `in~`, `contains`, `has`, ... are not; `has` matches whole terms
//! ([`strings`]); `matches regex` is RE2 (the `regex` crate); null compares
//! false with `==`, true with `!=`, and null with `<`/`>`, and `and`/`or`/
//! `not` use three-valued logic, so `where` keeps only rows that are true.

mod arith;
pub mod ast;
mod eval;
mod functions;
pub mod lexer;
pub mod literal;
pub mod parser;
pub mod schema;
mod strings;
pub mod value;

#[cfg(test)]
mod tests;

use serde_json::Value as Json;

use crate::base::diag::{Diagnostic, Span};
use schema::ColumnType;

pub use eval::{Row, Table};
pub use value::{Type, Value};

/// Queries longer than this are refused before lexing.
pub const MAX_QUERY_BYTES: usize = 4 << 20;

/// The result of running one query over a list of events.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The table or function the query reads (`T`, `imNetworkSession`), when it parsed.
    pub table: Option<String>,
    pub columns: Vec<String>,
    /// Output rows in order; `origin` is the event index when the row is an event.
    pub rows: Vec<Row>,
    /// Errors (nothing was evaluated) and warnings (approximations) with positions in the query.
    pub diagnostics: Vec<Diagnostic>,
}

impl Evaluation {
    /// The query parsed and ran.
    pub fn ok(&self) -> bool {
        !crate::base::diag::has_errors(&self.diagnostics)
    }

    /// Whether each of `n` events is among the output rows (by origin).
    pub fn matched(&self, n: usize) -> Vec<bool> {
        let mut out = vec![false; n];
        for r in &self.rows {
            if let Some(slot) = r.origin.and_then(|i| out.get_mut(i)) {
                *slot = true;
            }
        }
        out
    }
}

/// 1-based line and column (in chars) of byte range `pos` in `src`.
pub fn span_of(src: &str, pos: (usize, usize)) -> Span {
    let clamp = |b: usize| {
        let mut b = b.min(src.len());
        while !src.is_char_boundary(b) {
            b -= 1;
        }
        b
    };
    let (s, e) = (clamp(pos.0), clamp(pos.1.max(pos.0)));
    let locate = |b: usize| {
        let before = &src[..b];
        let line = before.matches('\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() as u32 + 1;
        (line, col, before.chars().count() as u32)
    };
    let (l1, c1, o1) = locate(s);
    let (l2, c2, o2) = locate(e);
    Span::new(l1, c1, l2, c2, o1, o2)
}

fn column_type(table: &str, column: &str) -> Option<Type> {
    Some(match schema::column_type(table, column) {
        ColumnType::String
        | ColumnType::Guid
        | ColumnType::EventXml
        | ColumnType::AuditField
        | ColumnType::CefExtension => Type::String,
        ColumnType::Int | ColumnType::Long => Type::Long,
        ColumnType::Real | ColumnType::Decimal => Type::Real,
        ColumnType::Bool => Type::Bool,
        ColumnType::Datetime => Type::DateTime,
        ColumnType::Timespan => Type::Timespan,
        ColumnType::Dynamic | ColumnType::JsonText => Type::Dynamic,
        ColumnType::Unknown => return None,
    })
}

/// Parse `query`; errors carry positions.
pub fn parse(query: &str) -> Result<ast::Query, Diagnostic> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(Diagnostic::error(
            "kql-too-large",
            format!("the query is longer than {MAX_QUERY_BYTES} bytes"),
            Some(span_of(query, (0, 0))),
        ));
    }
    let toks =
        lexer::lex(query).map_err(|(m, s, e)| Diagnostic::error("kql-syntax", m, Some(span_of(query, (s, e)))))?;
    parser::parse(query, toks).map_err(|e| Diagnostic::error(e.code, e.message, Some(span_of(query, e.pos))))
}

/// Run `query` over `events` (JSON objects; columns by name). A table the
/// embedded schema knows (ASIM functions, Defender XDR tables, SecurityEvent)
/// types its columns as declared; any other table infers types from the events.
pub fn evaluate(query: &str, events: &[Json]) -> Evaluation {
    run(query, events, false)
}

/// As [`evaluate`], for the verdicts only (which events the query returns):
/// columns the query does not name are not loaded, so output rows lack them.
pub fn evaluate_matches(query: &str, events: &[Json]) -> Evaluation {
    run(query, events, true)
}

fn run(query: &str, events: &[Json], prune: bool) -> Evaluation {
    let q = match parse(query) {
        Ok(q) => q,
        Err(d) => return Evaluation { table: None, columns: Vec::new(), rows: Vec::new(), diagnostics: vec![d] },
    };
    let mut diagnostics = Vec::new();
    let table_name = q.table.clone();
    let has_schema = schema::table_columns(&table_name).is_some();
    if has_schema && query.get(q.table_pos.1..).is_some_and(|r| r.trim_start().starts_with('(')) {
        diagnostic_info(
            &mut diagnostics,
            query,
            q.table_pos,
            "the events are taken as the output of this parser; its parameters are not applied",
        );
    }
    let schema = |c: &str| if has_schema { column_type(&table_name, c) } else { None };
    let source = eval::source_table(events, &schema, &q.referenced, prune && !q.reads_any_column);
    let (out, notes) = eval::run(&q.ops, source);
    for (code, msg, pos) in notes {
        diagnostics.push(Diagnostic::warning(code, msg, Some(span_of(query, pos))));
    }
    if out.rows.iter().any(|r| r.origin.is_none()) {
        diagnostics.push(Diagnostic::info(
            "kql-rows-not-events",
            "summarize, distinct or count make rows that are not events: no event is reported as matched",
            None,
        ));
    }
    Evaluation { table: Some(table_name), columns: out.columns, rows: out.rows, diagnostics }
}

fn diagnostic_info(out: &mut Vec<Diagnostic>, query: &str, pos: (usize, usize), msg: &str) {
    out.push(Diagnostic::info("kql-parser-arguments", msg, Some(span_of(query, pos))));
}
