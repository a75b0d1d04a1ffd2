//! Processing pipelines: logsource → table, Sigma field → column, value mappings.
//!
//! (Skeleton with the shared types; the built-in pipelines and custom pySigma
//! YAML pipelines are being written.)

use serde::Serialize;

use crate::compile::Item;
use crate::diag::Diagnostic;
use crate::expr::Expr;
use crate::rule::Rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    String,
    Int,
    Long,
    Real,
    Bool,
    Datetime,
    Timespan,
    Guid,
    Dynamic,
    Decimal,
    /// No schema knowledge (the `none` pipeline, custom tables).
    Unknown,
}

/// A detection item after mapping: `item.field` is the target column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedItem {
    pub item: Item,
    /// The field as the rule wrote it (None for keywords).
    pub sigma_field: Option<String>,
    pub column_type: ColumnType,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldMapping {
    pub sigma: String,
    pub targets: Vec<String>,
    /// True when the mapping changes meaning (approximation); the note says how.
    pub approximate: bool,
}

/// A rule mapped to one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapped {
    pub pipeline: String,
    pub table: Option<String>,
    pub expr: Expr<MappedItem>,
    /// What was renamed, approximated or dropped, at the rule's spans.
    pub notes: Vec<Diagnostic>,
    pub field_mappings: Vec<FieldMapping>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub name: String,
}

impl Pipeline {
    /// The identity pipeline: no table, Sigma field names kept.
    pub fn none() -> Pipeline {
        Pipeline { name: "none".to_string() }
    }
}

pub fn apply(pipeline: &Pipeline, _rule: &Rule, expr: Expr<Item>) -> Mapped {
    let expr = expr.map_leaves(&mut |item| {
        let sigma_field = item.field.clone();
        Expr::Leaf(MappedItem { item, sigma_field, column_type: ColumnType::Unknown })
    });
    Mapped { pipeline: pipeline.name.clone(), table: None, expr, notes: Vec::new(), field_mappings: Vec::new() }
}
