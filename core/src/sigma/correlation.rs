//! Correlation rules (sigma-correlation-rules-specification.md): the model and its parser.

use serde::Serialize;

use crate::base::diag::{Diagnostic, Span, Spanned};
use crate::sigma::yaml::{Node, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrelationType {
    EventCount,
    ValueCount,
    Temporal,
    TemporalOrdered,
    ValueSum,
    ValueAvg,
    ValuePercentile,
}

impl CorrelationType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EventCount => "event_count",
            Self::ValueCount => "value_count",
            Self::Temporal => "temporal",
            Self::TemporalOrdered => "temporal_ordered",
            Self::ValueSum => "value_sum",
            Self::ValueAvg => "value_avg",
            Self::ValuePercentile => "value_percentile",
        }
    }

    /// The types that aggregate `condition.field`.
    pub fn needs_field(self) -> bool {
        matches!(self, Self::ValueCount | Self::ValueSum | Self::ValueAvg | Self::ValuePercentile)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CountOp {
    Gt,
    Gte,
    Lt,
    Lte,
    Eq,
    Neq,
}

impl CountOp {
    pub fn holds(self, count: f64, bound: f64) -> bool {
        match self {
            CountOp::Gt => count > bound,
            CountOp::Gte => count >= bound,
            CountOp::Lt => count < bound,
            CountOp::Lte => count <= bound,
            CountOp::Eq => count == bound,
            CountOp::Neq => count != bound,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alias {
    pub name: String,
    /// Rule id or name → field in that rule's events.
    pub fields: Vec<(String, String)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    pub kind: Option<CorrelationType>,
    pub rules: Vec<Spanned<String>>,
    pub group_by: Vec<Spanned<String>>,
    /// Seconds.
    pub timespan: Option<Spanned<u64>>,
    /// All bounds must hold (a range is two bounds).
    pub condition: Vec<(CountOp, f64)>,
    /// The field whose distinct values `value_count` counts.
    pub field: Option<Spanned<String>>,
    pub aliases: Vec<Alias>,
    pub generate: bool,
    pub span: Span,
}

/// Parse `30s`, `5m`, `2h`, `1d` (the spec's format) into seconds.
pub fn parse_timespan(text: &str) -> Option<u64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let number: u64 = text.get(..text.len().saturating_sub(unit.len_utf8()))?.parse().ok()?;
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    number.checked_mul(factor)
}

fn strings(node: Option<&Node>) -> Vec<Spanned<String>> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => {
            items.iter().filter_map(|n| n.scalar_text().map(|s| Spanned { value: s, span: n.span })).collect()
        }
        Some(_) => {
            node.and_then(|n| n.scalar_text().map(|s| vec![Spanned { value: s, span: n.span }])).unwrap_or_default()
        }
        None => Vec::new(),
    }
}

pub fn parse(node: &Node, diags: &mut Vec<Diagnostic>) -> Option<Correlation> {
    let err = |diags: &mut Vec<Diagnostic>, code: &str, msg: String, span: Span| {
        diags.push(Diagnostic::error(code, msg, Some(span)))
    };
    if node.as_map().is_none() {
        err(diags, "bad-type", "'correlation' must be a map".into(), node.span);
        return None;
    }
    let kind = match node.get("type") {
        Some(t) => match t.as_str() {
            Some("event_count") => Some(CorrelationType::EventCount),
            Some("value_count") => Some(CorrelationType::ValueCount),
            Some("temporal") => Some(CorrelationType::Temporal),
            Some("temporal_ordered") => Some(CorrelationType::TemporalOrdered),
            Some("value_sum") => Some(CorrelationType::ValueSum),
            Some("value_avg") => Some(CorrelationType::ValueAvg),
            Some("value_percentile") => Some(CorrelationType::ValuePercentile),
            _ => {
                err(
                    diags,
                    "correlation-type",
                    "correlation 'type' must be event_count, value_count, temporal, temporal_ordered, value_sum, value_avg or value_percentile".into(),
                    t.span,
                );
                None
            }
        },
        None => {
            err(diags, "correlation-type", "a correlation needs a 'type'".into(), node.span);
            None
        }
    };
    let rules = strings(node.get("rules"));
    if rules.is_empty() {
        err(
            diags,
            "correlation-rules",
            "a correlation needs 'rules': the ids or names of the rules it correlates".into(),
            node.span,
        );
    }
    let group_by = strings(node.get("group-by"));
    let timespan = match node.get("timespan") {
        Some(t) => match t.scalar_text().as_deref().and_then(parse_timespan) {
            Some(secs) => Some(Spanned { value: secs, span: t.span }),
            None => {
                err(
                    diags,
                    "correlation-timespan",
                    "'timespan' must be a number and a unit s, m, h or d (e.g. 90m)".into(),
                    t.span,
                );
                None
            }
        },
        None => {
            err(diags, "correlation-timespan", "a correlation needs a 'timespan'".into(), node.span);
            None
        }
    };
    let mut condition = Vec::new();
    let mut field = None;
    match node.get("condition") {
        Some(c) => match c.as_map() {
            Some(pairs) => {
                for (k, v) in pairs {
                    let op = match k.as_str() {
                        Some("gt") => CountOp::Gt,
                        Some("gte") => CountOp::Gte,
                        Some("lt") => CountOp::Lt,
                        Some("lte") => CountOp::Lte,
                        Some("eq") => CountOp::Eq,
                        Some("neq") => CountOp::Neq,
                        Some("field") => {
                            field = v.scalar_text().map(|s| Spanned { value: s, span: v.span });
                            continue;
                        }
                        _ => {
                            err(
                                diags,
                                "correlation-condition",
                                "condition keys are gt, gte, lt, lte, eq, neq (and field)".into(),
                                k.span,
                            );
                            continue;
                        }
                    };
                    let bound = match v.value {
                        Value::Int(i) => Some(i as f64),
                        Value::Float(f) => Some(f),
                        _ => None,
                    };
                    match bound {
                        Some(b) => condition.push((op, b)),
                        None => {
                            err(diags, "correlation-condition", "a condition bound must be a number".into(), v.span)
                        }
                    }
                }
            }
            None => err(
                diags,
                "correlation-condition",
                "the correlation 'condition' must be a map such as {gte: 10}".into(),
                c.span,
            ),
        },
        None if kind.is_some_and(|k| k == CorrelationType::EventCount || k.needs_field()) => {
            err(diags, "correlation-condition", "this correlation type needs a 'condition'".into(), node.span)
        }
        None => {}
    }
    if kind.is_some_and(CorrelationType::needs_field) && field.is_none() {
        err(
            diags,
            "correlation-field",
            "this correlation type needs 'condition.field': the field it aggregates".into(),
            node.span,
        );
    }
    let mut aliases = Vec::new();
    if let Some(pairs) = node.get("aliases").and_then(Node::as_map) {
        for (k, v) in pairs {
            let Some(name) = k.scalar_text() else { continue };
            let fields = v
                .as_map()
                .map(|m| m.iter().filter_map(|(r, f)| Some((r.scalar_text()?, f.scalar_text()?))).collect())
                .unwrap_or_default();
            aliases.push(Alias { name, fields, span: k.span });
        }
    }
    let generate = matches!(node.get("generate").map(|g| &g.value), Some(Value::Bool(true)));
    Some(Correlation { kind, rules, group_by, timespan, condition, field, aliases, generate, span: node.span })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("90m"), Some(5400));
        assert_eq!(parse_timespan("1d"), Some(86_400));
        assert_eq!(parse_timespan("5x"), None);
        assert_eq!(parse_timespan(""), None);
        assert_eq!(parse_timespan("m"), None);
    }
}
