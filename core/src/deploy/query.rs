//! What a query reads and returns, from our KQL parser and the embedded
//! table schemas: the pre-flight checks that need the query itself.

use crate::base::diag::Diagnostic;
use crate::kusto::ast::{Op, Query};
use crate::kusto::schema;

/// What is known of an exported query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryFacts {
    /// The columns each result row has, when the parser and the schema know them.
    pub output_columns: Option<Vec<String>>,
    /// Problems: a parse error, a column the table lacks.
    pub diagnostics: Vec<Diagnostic>,
}

/// The table's own columns (dotted paths into dynamic columns excluded).
pub fn table_columns(table: &str) -> Option<Vec<String>> {
    schema::table_columns(table).map(|cols| cols.iter().map(|(name, _)| (*name).to_string()).collect())
}

/// Parse `query` with our parser, check that every column it reads exists
/// (in its table, or made by one of its own operators), and work out the
/// columns it returns. `fallback_columns` stands in for the result when our
/// parser evaluates only a subset of KQL and declines the query (a
/// correlation's `let ... union`): the fields it groups by.
pub fn inspect(query: &str, fallback_columns: Option<Vec<String>>) -> QueryFacts {
    let parsed = match crate::kusto::parse(query) {
        Ok(q) => q,
        Err(d) if d.code == "kql-unsupported" => {
            return QueryFacts {
                output_columns: fallback_columns,
                diagnostics: vec![Diagnostic::info(
                    "export-query-unchecked",
                    format!(
                        "the query uses KQL the playground's parser does not evaluate ({}); its columns were not checked here",
                        d.message
                    ),
                    None,
                )],
            };
        }
        Err(d) => {
            return QueryFacts {
                output_columns: None,
                diagnostics: vec![Diagnostic::error(
                    "export-query-syntax",
                    format!(
                        "the query does not parse: {} (line {}, column {} of the query)",
                        d.message,
                        d.line(),
                        d.col()
                    ),
                    None,
                )],
            };
        }
    };
    let mut facts = QueryFacts::default();
    let Some(table_cols) = table_columns(&parsed.table) else {
        facts.diagnostics.push(Diagnostic::warning(
            "export-table-unknown",
            format!("table '{}' is not in the embedded schema: its columns were not checked", parsed.table),
            None,
        ));
        return facts;
    };
    let made = columns_made(&parsed);
    for column in &parsed.referenced {
        let known = schema::has_column(&parsed.table, column) || made.iter().any(|m| m == column);
        if !known {
            facts.diagnostics.push(Diagnostic::error(
                "export-unknown-column",
                format!("the query reads column '{column}', which table '{}' does not have", parsed.table),
                None,
            ));
        }
    }
    facts.output_columns = Some(output_columns(&parsed, table_cols));
    facts
}

/// Names the query's operators create (projections, extensions, aggregates).
fn columns_made(query: &Query) -> Vec<String> {
    let mut out = Vec::new();
    for op in &query.ops {
        match op {
            Op::Project(cols) | Op::Extend(cols) => out.extend(cols.iter().map(|(n, _)| n.clone())),
            Op::Summarize { aggs, by } => {
                out.extend(aggs.iter().map(|(n, _)| n.clone()));
                out.extend(by.iter().map(|(n, _)| n.clone()));
            }
            Op::Distinct(Some(cols)) => out.extend(cols.iter().map(|(n, _)| n.clone())),
            Op::Count => out.push("Count".to_string()),
            _ => {}
        }
    }
    out
}

/// The columns of the result: the table's, then each operator in turn.
fn output_columns(query: &Query, table_cols: Vec<String>) -> Vec<String> {
    let mut cols = table_cols;
    for op in &query.ops {
        match op {
            Op::Where(_) | Op::Take(_) | Op::Sort(_) | Op::Top(..) | Op::Distinct(None) => {}
            Op::Project(list) => cols = list.iter().map(|(n, _)| n.clone()).collect(),
            Op::Extend(list) => {
                for (name, _) in list {
                    if !cols.contains(name) {
                        cols.push(name.clone());
                    }
                }
            }
            Op::ProjectAway(list) => cols.retain(|c| !list.iter().any(|(n, _)| n == c)),
            Op::Summarize { aggs, by } => {
                cols = by.iter().map(|(n, _)| n.clone()).chain(aggs.iter().map(|(n, _)| n.clone())).collect();
            }
            Op::Distinct(Some(list)) => cols = list.iter().map(|(n, _)| n.clone()).collect(),
            Op::Count => cols = vec!["Count".to_string()],
        }
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_follow_the_operators() {
        let f = inspect("DeviceNetworkEvents\n| where RemoteUrl endswith \".x\"\n| project Timestamp, DeviceId", None);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.output_columns, Some(vec!["Timestamp".to_string(), "DeviceId".to_string()]));
        let f = inspect("DeviceNetworkEvents\n| where NoSuchColumn == 1", None);
        assert_eq!(f.diagnostics.first().map(|d| d.code.as_str()), Some("export-unknown-column"));
        let f = inspect("DeviceNetworkEvents\n| where (", None);
        assert_eq!(f.diagnostics.first().map(|d| d.code.as_str()), Some("export-query-syntax"));
    }
}
