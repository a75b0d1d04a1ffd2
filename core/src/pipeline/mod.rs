//! Processing pipelines: logsource → table, Sigma field → column, value mappings.
//!
//! A [`Pipeline`] is data: optional custom transformations (pySigma's
//! processing-pipeline YAML, see [`parse_custom`]) followed by an optional
//! built-in target ([`builtin`]: `sentinel_asim`, `microsoft_xdr`,
//! `azure_monitor`; `none` has neither). [`apply`] maps a rule's detection
//! tree to one target; [`map_event`] maps an event the same way, so that the
//! generated KQL can be run over the regression events.
//!
//! The rule of the module: a mapping that is not exact says so. Every
//! approximation is a `lossy-mapping` warning at the item, every dropped item
//! is a note (info when it only restated the table, warning when dropping it
//! widens the query), and a field or logsource with no target is an error
//! (`unmapped-field`, `unmapped-value`, `no-table`), so a rule is never
//! reported as converted while meaning something else. The one exception
//! narrows instead of widening: an item with no target at a positive position
//! (not under a `not`) is replaced by `false` with a `lossy-mapping` warning,
//! as long as something is left to match (`targets/rule.rs`, `drop_failed`).
//!
//! Column names and types come from the Kusto schema ([`crate::kusto::schema`]).
//!
//! Files: `targets/` holds each built-in target's tables and fields as data
//! (one file per target) and the logic that applies them; `convert/` the
//! value conversions a field list can name; `custom.rs` pySigma's pipeline
//! YAML; `choose.rs` choosing and chaining pipelines.

mod choose;
mod convert;
mod custom;
mod targets;

#[cfg(test)]
mod tests;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::base::diag::{Diagnostic, Span};
use crate::event::Event;
use crate::kusto::schema::{column_type, table_columns, ColumnType};
use crate::sigma::compiled::{Item, Test};
use crate::sigma::expr::Expr;
use crate::sigma::rule::Rule;

pub use choose::{choose, PipelineChoice, PipelineSpec};
pub(crate) use convert::read_back;
pub use custom::{parse_custom, CondOp, FieldCondition, ItemCondition, RuleCondition, TransformKind, Transformation};

/// A detection item after mapping: `item.field` is the target column.
///
/// `item.field` is `None` only for keywords. `sigma_field` is the field as the
/// rule wrote it; it is `None` for keywords and for conditions the pipeline
/// adds on its own (e.g. `ActionType in~ ("NamedPipeEvent")` that selects the
/// event kind in `DeviceEvents`). A target such as `AdditionalFields.PipeName`
/// is a path into a `dynamic` column (`column_type` is `Dynamic`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedItem {
    pub item: Item,
    /// The field as the rule wrote it (None for keywords).
    pub sigma_field: Option<String>,
    pub column_type: ColumnType,
}

/// How one Sigma field of a rule was mapped: the columns it became, for the
/// shells to show and for [`unmap_event`] to map an event back.
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

/// The built-in targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetId {
    SentinelAsim,
    MicrosoftXdr,
    AzureMonitor,
}

impl TargetId {
    pub fn name(self) -> &'static str {
        match self {
            TargetId::SentinelAsim => "sentinel_asim",
            TargetId::MicrosoftXdr => "microsoft_xdr",
            TargetId::AzureMonitor => "azure_monitor",
        }
    }
}

/// A processing pipeline: what [`apply`] and [`map_event`] run a rule or an
/// event through.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pipeline {
    pub name: String,
    /// pySigma's ordering key; [`chain`] keeps the order it is given instead.
    pub priority: i64,
    /// Custom transformations, applied first, in order.
    pub transformations: Vec<Transformation>,
    /// The built-in target applied after them; `None` keeps field names and sets no table
    /// (unless a transformation names one).
    pub target: Option<TargetId>,
    /// Warnings from parsing a custom pipeline (ignored keys, unused transformations).
    pub warnings: Vec<Diagnostic>,
}

impl Pipeline {
    /// The identity pipeline: no table, Sigma field names kept.
    pub fn none() -> Pipeline {
        Pipeline { name: "none".to_string(), ..Pipeline::default() }
    }
}

/// Names accepted by [`builtin`] (`microsoft_365_defender` is pySigma's deprecated
/// alias of `microsoft_xdr`).
pub const BUILTIN_NAMES: &[&str] =
    &["sentinel_asim", "microsoft_xdr", "microsoft_365_defender", "azure_monitor", "none"];

/// The built-in pipeline of that name (one of [`BUILTIN_NAMES`]).
pub fn builtin(name: &str) -> Option<Pipeline> {
    let target = match name {
        "sentinel_asim" => TargetId::SentinelAsim,
        "microsoft_xdr" | "microsoft_365_defender" => TargetId::MicrosoftXdr,
        "azure_monitor" => TargetId::AzureMonitor,
        "none" => return Some(Pipeline::none()),
        _ => return None,
    };
    Some(Pipeline { name: name.to_string(), priority: 10, target: Some(target), ..Pipeline::default() })
}

/// `first`'s transformations, then `then`'s (as pySigma runs a user pipeline
/// placed before a built-in one). The target is `then`'s, else `first`'s.
pub fn chain(first: Pipeline, then: Pipeline) -> Pipeline {
    let name = if first.name.is_empty() {
        then.name.clone()
    } else if then.name.is_empty() {
        first.name.clone()
    } else {
        format!("{}+{}", first.name, then.name)
    };
    let mut transformations = first.transformations;
    transformations.extend(then.transformations);
    Pipeline {
        name,
        priority: first.priority.min(then.priority),
        transformations,
        target: then.target.or(first.target),
        warnings: first.warnings.into_iter().chain(then.warnings).collect(),
    }
}

/// A detection item while the transformations work on it, with the field
/// name the rule gave it (notes and field mappings name that one).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WorkItem {
    /// `item.field` is the current name.
    pub item: Item,
    pub sigma_field: Option<String>,
}

/// What the mapping of one rule gathers on the way: the table, the notes and
/// the field mappings, shared by the custom transformations and the target.
#[derive(Debug, Default, Clone)]
pub(crate) struct MappingState {
    pub table: Option<String>,
    pub notes: Vec<Diagnostic>,
    /// (Sigma field, (targets, approximate)), sorted by field: a sorted Vec rather than a
    /// BTreeMap, whose code for this one type cost the web build 1.2 KB of gzip.
    pub mappings: Vec<(String, (Vec<String>, bool))>,
}

impl MappingState {
    pub fn record(&mut self, sigma: &str, targets: &[String], approximate: bool) {
        let i = match self.mappings.binary_search_by(|(s, _)| s.as_str().cmp(sigma)) {
            Ok(i) => i,
            Err(i) => {
                self.mappings.insert(i, (sigma.to_string(), (Vec::new(), false)));
                i
            }
        };
        let Some((_, entry)) = self.mappings.get_mut(i) else { return };
        for t in targets {
            if !entry.0.contains(t) {
                entry.0.push(t.clone());
            }
        }
        entry.1 |= approximate;
    }
}

/// Map a rule's detection tree to the pipeline's target.
pub fn apply(pipeline: &Pipeline, rule: &Rule, expr: Expr<Item>) -> Mapped {
    let mut state = MappingState::default();
    let work = expr.map_leaves(&mut |item| {
        let sigma_field = item.field.clone();
        Expr::Leaf(WorkItem { item, sigma_field })
    });
    let work = custom::apply_all(&pipeline.transformations, rule, work, &mut state);
    let expr = match pipeline.target {
        Some(target) => targets::map_rule(target, rule, work, &mut state),
        None => keep_names(work, &mut state),
    };
    let field_mappings = state
        .mappings
        .iter()
        .map(|(sigma, (targets, approximate))| FieldMapping {
            sigma: sigma.clone(),
            targets: targets.clone(),
            approximate: *approximate,
        })
        .collect();
    Mapped {
        pipeline: pipeline.name.clone(),
        table: state.table,
        expr: expr.simplify(),
        notes: state.notes,
        field_mappings,
    }
}

/// No built-in target: names stay as the rule (and the custom transformations) left them.
/// When a custom pipeline named a table we know, columns get their types and a
/// name that is not a column is flagged, since kql-check would reject it.
fn keep_names(work: Expr<WorkItem>, state: &mut MappingState) -> Expr<MappedItem> {
    let table = state.table.clone();
    let known = table.as_deref().is_some_and(|t| table_columns(t).is_some());
    work.map_leaves(&mut |w| {
        let column_type = match (&table, &w.item.field) {
            (Some(t), Some(f)) => column_type(t, f),
            _ => ColumnType::Unknown,
        };
        if let (Some(t), Some(f)) = (&table, &w.item.field) {
            if known && column_type == ColumnType::Unknown {
                state.notes.push(Diagnostic::warning(
                    "unknown-column",
                    format!("'{f}' is not a column of {t} in the documented schema"),
                    Some(w.item.key_span),
                ));
            }
        }
        if let (Some(s), Some(f)) = (&w.sigma_field, &w.item.field) {
            state.record(s, std::slice::from_ref(f), false);
        }
        Expr::Leaf(MappedItem { item: w.item, sigma_field: w.sigma_field, column_type })
    })
}

/// Map an event from Sigma field names to the target's columns, with the same
/// field and value mappings as [`apply`] (e.g. `Initiated: "true"` becomes
/// `NetworkDirection: "Outbound"` on ASIM, `Hashes` is split per algorithm,
/// registry hives are expanded), values typed per column. Columns the table
/// selects its events by (e.g. `ActionType` of `DeviceEvents`) are filled in
/// when the event does not set them. Fields with no column are left out and
/// listed in one info note.
pub fn map_event(pipeline: &Pipeline, rule: &Rule, event: &Event) -> (Value, Vec<Diagnostic>) {
    map_event_on(pipeline, rule, events_table(pipeline, rule).as_deref(), event)
}

/// [`map_event`] for one event of a batch, with [`events_table`] worked out
/// once for the batch rather than per event.
pub fn map_event_on(
    pipeline: &Pipeline,
    rule: &Rule,
    events_table: Option<&str>,
    event: &Event,
) -> (Value, Vec<Diagnostic>) {
    let mut notes = Vec::new();
    let (fields, table) = custom::forward_fields(&pipeline.transformations, rule, event);
    let table = table.or_else(|| events_table.map(str::to_string));
    let mut out = Map::new();
    match pipeline.target {
        Some(target) => targets::map_event_fields(target, rule, table, &fields, &mut out, &mut notes),
        None => {
            for (name, value) in fields {
                let typed = match &table {
                    Some(t) => convert::typed(value, column_type(t, &name)),
                    None => value,
                };
                out.entry(name).or_insert(typed);
            }
        }
    }
    (Value::Object(out), notes)
}

/// The table a rule's events land on where the rule's fields decide it, as
/// they decide the query's (an ASIM schema that lacks one gives way to a
/// native table); `None` where the logsource alone decides it. It maps the
/// whole rule, so callers with many events ask once ([`map_event_on`]).
pub fn events_table(pipeline: &Pipeline, rule: &Rule) -> Option<String> {
    let renamed = !pipeline.transformations.is_empty();
    if !pipeline.target.is_some_and(|t| targets::may_read_native_table(t, rule, renamed)) {
        return None;
    }
    let (compiled, _) = crate::sigma::compiled::compile_detection(&rule.detection, &Default::default());
    let lowered = crate::sigma::expr::lower_bounded(&compiled).ok()?;
    apply(pipeline, rule, lowered).table
}

/// Set `a.b.c` as nested objects (paths into dynamic columns); a plain name is a plain key.
/// The first value set wins, so an explicit field is not overwritten by a derived one.
/// Paths with empty or very many segments stay flat keys (no deep nesting from hostile names).
pub(crate) fn insert_path(out: &mut Map<String, Value>, path: &str, value: Value) {
    const MAX_SEGMENTS: usize = 8;
    let mut segs: Vec<&str> = path.split('.').collect();
    if segs.len() == 1 || segs.len() > MAX_SEGMENTS || segs.iter().any(|s| s.is_empty()) {
        out.entry(path.to_string()).or_insert(value);
        return;
    }
    let Some(last) = segs.pop() else { return };
    let mut cur = out;
    for seg in segs {
        let Value::Object(next) = cur.entry(seg.to_string()).or_insert_with(|| Value::Object(Map::new())) else {
            return;
        };
        cur = next;
    }
    cur.entry(last.to_string()).or_insert(value);
}

/// An item for a condition the pipeline adds itself (not written in the rule).
pub(crate) fn synthetic_item(field: &str, tests: Vec<Test>, span: Span) -> Item {
    Item {
        field: Some(field.to_string()),
        shown_values: tests.iter().map(Test::describe).collect(),
        test_sources: (0..tests.len()).collect(),
        tests,
        all: false,
        negate: false,
        modifiers: Vec::new(),
        key_span: span,
        value_span: span,
    }
}

/// The inverse of [`map_event`] where it can be inverted: an event exported
/// from the target table (columns) back to the rule's Sigma field names, using
/// the rule's field mappings (`Conversion::field_mappings`). A Sigma field
/// mapped to several columns takes the first column the event has. Keys that
/// no mapping names are kept as they are (the pipeline passes them through).
/// Values kept inside a text column of `table` (JSON, XML, CEF extensions)
/// are read out of that text ([`read_back`]).
/// Returns the Sigma-named event and the Sigma fields that could not be mapped
/// back (no column, or none of their columns in the event), for a note.
pub fn unmap_event(mappings: &[FieldMapping], table: Option<&str>, target_event: &Value) -> (Value, Vec<String>) {
    let mut out = Map::new();
    let mut missing = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    for m in mappings {
        let found = m.targets.iter().find_map(|t| read_back(table, target_event, t).map(|v| (t, v)));
        match found {
            Some((t, v)) => {
                used.push(t.as_str());
                out.entry(m.sigma.clone()).or_insert(v);
            }
            None => missing.push(m.sigma.clone()),
        }
    }
    if let Value::Object(obj) = target_event {
        for (k, v) in obj {
            if !used.contains(&k.as_str()) && !out.contains_key(k) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    (Value::Object(out), missing)
}
