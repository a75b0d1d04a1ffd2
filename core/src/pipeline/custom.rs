//! User pipelines in pySigma's processing-pipeline YAML (the subset that maps
//! logsources, fields and values), parsed with positions so that every
//! problem points at a line and column.
//!
//! ```yaml
//! name: My pipeline
//! priority: 20
//! transformations:
//!   - id: image
//!     type: field_name_mapping
//!     mapping:
//!       Image: [SrcProcessName, DstProcessName]
//!     rule_conditions:
//!       - type: logsource
//!         category: network_connection
//!   - type: set_state
//!     key: query_table
//!     val: imNetworkSession
//! ```
//!
//! `replace_string` works on the literal text between wildcards (a match
//! cannot span a wildcard), so wildcards are never lost or invented.

use serde_json::Value;

use super::{MappingState, Pipeline, WorkItem};
use crate::base::diag::{Diagnostic, Span};
use crate::event::Event;
use crate::re::Regex;
use crate::sigma::compiled::{Item, Test};
use crate::sigma::expr::Expr;
use crate::sigma::rule::Rule;
use crate::sigma::string::{Part, SigmaString};
use crate::sigma::yaml::{self, Node};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CondOp {
    #[default]
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleCondition {
    Logsource { category: Option<String>, product: Option<String>, service: Option<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemCondition {
    IncludeFields(Vec<String>),
    ExcludeFields(Vec<String>),
    /// A string value matches the regex (any value, or all with `cond: all`).
    MatchString {
        regex: Regex,
        all: bool,
        negate: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldCondition {
    IncludeFields(Vec<String>),
    ExcludeFields(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TransformKind {
    /// field → one name, or several (ORed).
    FieldNameMapping(Vec<(String, Vec<String>)>),
    FieldNamePrefixMapping(Vec<(String, String)>),
    FieldNameSuffix(String),
    FieldNamePrefix(String),
    DropDetectionItem,
    /// `replacement` is in Rust regex syntax (`${1}`), converted from Python's `\1`.
    ReplaceString {
        regex: Regex,
        replacement: String,
    },
    AddCondition {
        conditions: Vec<(String, Vec<Test>)>,
        negated: bool,
    },
    /// `set_state` with key `query_table`, or `query_table`.
    SetQueryTable(String),
    /// Other `set_state` keys: kept, not used by the built-in targets.
    SetState {
        key: String,
        value: String,
    },
    RuleFailure(String),
    DetectionItemFailure(String),
    /// Accepted and ignored: placeholders are expanded when the rule is compiled.
    ValuePlaceholders,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transformation {
    pub id: Option<String>,
    pub kind: TransformKind,
    pub rule_conditions: Vec<RuleCondition>,
    pub rule_cond_op: CondOp,
    pub rule_cond_not: bool,
    pub item_conditions: Vec<ItemCondition>,
    pub item_cond_op: CondOp,
    pub item_cond_not: bool,
    pub field_conditions: Vec<FieldCondition>,
    pub field_cond_op: CondOp,
    pub field_cond_not: bool,
    /// Where the transformation is in the pipeline text.
    pub span: Span,
}

const SUPPORTED: &[&str] = &[
    "field_name_mapping",
    "field_name_prefix_mapping",
    "field_name_suffix",
    "field_name_prefix",
    "drop_detection_item",
    "replace_string",
    "add_condition",
    "set_state",
    "query_table",
    "rule_failure",
    "detection_item_failure",
    "value_placeholders",
];

const TRANSFORM_KEYS: &[&str] = &[
    "id",
    "type",
    "rule_conditions",
    "rule_cond_op",
    "rule_cond_not",
    "detection_item_conditions",
    "detection_item_cond_op",
    "detection_item_cond_not",
    "field_name_conditions",
    "field_name_cond_op",
    "field_name_cond_not",
];

/// Reads a pipeline's YAML nodes and collects what is wrong with them, so
/// that one parse reports every problem rather than the first.
struct PipelineParser {
    diags: Vec<Diagnostic>,
}

impl PipelineParser {
    fn error(&mut self, code: &str, msg: impl Into<String>, span: Span) {
        self.diags.push(Diagnostic::error(code, msg, Some(span)));
    }
    fn warning(&mut self, code: &str, msg: impl Into<String>, span: Span) {
        self.diags.push(Diagnostic::warning(code, msg, Some(span)));
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.scalar_text() {
            Some(s) if node.is_scalar() => Some(s),
            _ => {
                self.error("pipeline-type", format!("{what} must be a string, not a {}", node.kind_name()), node.span);
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, what: &str) -> Option<Vec<String>> {
        match node.as_seq() {
            Some(items) => items.iter().map(|n| self.string(n, what)).collect(),
            None => self.string(node, what).map(|s| vec![s]),
        }
    }

    fn op(&mut self, node: Option<&Node>) -> CondOp {
        let Some(n) = node else { return CondOp::And };
        match n.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("and") => CondOp::And,
            Some("or") => CondOp::Or,
            _ => {
                self.error("pipeline-value", "condition operator must be 'and' or 'or'", n.span);
                CondOp::And
            }
        }
    }

    fn flag(&mut self, node: Option<&Node>) -> bool {
        match node.map(|n| (&n.value, n.span)) {
            None => false,
            Some((yaml::Value::Bool(b), _)) => *b,
            Some((_, span)) => {
                self.error("pipeline-value", "expected true or false", span);
                false
            }
        }
    }

    fn regex(&mut self, node: &Node) -> Option<Regex> {
        let text = self.string(node, "regex")?;
        match Regex::new(&text) {
            Ok(re) => Some(re),
            Err(e) => {
                self.error("pipeline-regex", format!("invalid regular expression: {e}"), node.span);
                None
            }
        }
    }
}

/// Parse a pySigma processing pipeline. Errors fail the parse; warnings (ignored
/// keys, transformations accepted but not applied) are kept in `Pipeline::warnings`.
pub fn parse_custom(text: &str) -> Result<Pipeline, Vec<Diagnostic>> {
    let stream = yaml::parse_stream(text);
    let mut p = PipelineParser { diags: stream.diagnostics };
    if crate::base::diag::has_errors(&p.diags) {
        return Err(p.diags);
    }
    let docs: Vec<&Node> = stream.documents.iter().map(|d| &d.root).filter(|r| r.value != yaml::Value::Null).collect();
    let Some(root) = docs.first() else {
        p.error("pipeline-empty", "the pipeline is empty", Span::point(1, 1, 0));
        return Err(p.diags);
    };
    if let Some(extra) = docs.get(1) {
        p.warning("pipeline-documents", "only the first YAML document is read as the pipeline", extra.span);
    }
    let Some(pairs) = root.as_map() else {
        p.error(
            "pipeline-type",
            format!("a pipeline is a mapping with 'transformations', not a {}", root.kind_name()),
            root.span,
        );
        return Err(p.diags);
    };
    let mut pipeline = Pipeline::default();
    let mut saw_transformations = false;
    for (k, v) in pairs {
        match k.as_str() {
            Some("name") => pipeline.name = p.string(v, "name").unwrap_or_default(),
            Some("priority") => match v.value {
                yaml::Value::Int(i) => pipeline.priority = i,
                _ => p.error("pipeline-type", "priority must be a whole number", v.span),
            },
            Some("transformations") => {
                saw_transformations = true;
                match v.as_seq() {
                    Some(items) => {
                        for item in items {
                            if let Some(t) = transformation(&mut p, item) {
                                pipeline.transformations.push(t);
                            }
                        }
                    }
                    None if v.value == yaml::Value::Null => {}
                    None => p.error("pipeline-type", "transformations must be a list", v.span),
                }
            }
            Some("vars") | Some("allowed_backends") => {}
            Some(key @ ("postprocessing" | "finalizers")) => {
                p.warning("pipeline-ignored", format!("'{key}' is about query text, not mapping; ignored"), k.span)
            }
            Some(other) => p.warning(
                "pipeline-unknown-key",
                format!("unknown key '{other}' ignored (known: name, priority, transformations, vars)"),
                k.span,
            ),
            None => p.error("pipeline-type", "keys must be strings", k.span),
        }
    }
    if !saw_transformations {
        p.error("pipeline-missing", "the pipeline has no 'transformations' list", root.span);
    }
    if crate::base::diag::has_errors(&p.diags) {
        return Err(p.diags);
    }
    pipeline.warnings = p.diags;
    Ok(pipeline)
}

fn transformation(p: &mut PipelineParser, node: &Node) -> Option<Transformation> {
    let Some(pairs) = node.as_map() else {
        p.error(
            "pipeline-type",
            format!("a transformation is a mapping with 'type', not a {}", node.kind_name()),
            node.span,
        );
        return None;
    };
    let get = |key: &str| node.get(key);
    let Some(type_node) = get("type") else {
        p.error(
            "pipeline-missing",
            format!("transformation without 'type' (supported: {})", SUPPORTED.join(", ")),
            node.span,
        );
        return None;
    };
    let ty = p.string(type_node, "type")?;
    let id = get("id").and_then(|n| p.string(n, "id"));
    let required = |p: &mut PipelineParser, key: &str| -> Option<&Node> {
        let n = node.get(key);
        if n.is_none() {
            p.error("pipeline-missing", format!("{ty} needs '{key}'"), type_node.span);
        }
        n
    };
    let mut extra_keys: &[&str] = &[];
    let kind = match ty.as_str() {
        "field_name_mapping" => {
            extra_keys = &["mapping"];
            let m = required(p, "mapping")?;
            let Some(entries) = m.as_map() else {
                p.error("pipeline-type", "mapping must be a mapping of field: name or list of names", m.span);
                return None;
            };
            let mut out = Vec::new();
            for (k, v) in entries {
                let from = p.string(k, "field name")?;
                let to = p.strings(v, "field name")?;
                if to.is_empty() {
                    p.error("pipeline-value", format!("'{from}' maps to an empty list"), v.span);
                    return None;
                }
                out.push((from, to));
            }
            TransformKind::FieldNameMapping(out)
        }
        "field_name_prefix_mapping" => {
            extra_keys = &["mapping"];
            let m = required(p, "mapping")?;
            let Some(entries) = m.as_map() else {
                p.error("pipeline-type", "mapping must be a mapping of prefix: replacement", m.span);
                return None;
            };
            let mut out = Vec::new();
            for (k, v) in entries {
                out.push((p.string(k, "prefix")?, p.string(v, "replacement")?));
            }
            TransformKind::FieldNamePrefixMapping(out)
        }
        "field_name_suffix" => {
            extra_keys = &["suffix"];
            TransformKind::FieldNameSuffix({
                let n = required(p, "suffix")?;
                p.string(n, "suffix")?
            })
        }
        "field_name_prefix" => {
            extra_keys = &["prefix"];
            TransformKind::FieldNamePrefix({
                let n = required(p, "prefix")?;
                p.string(n, "prefix")?
            })
        }
        "drop_detection_item" => TransformKind::DropDetectionItem,
        "replace_string" => {
            extra_keys = &["regex", "replacement", "skip_special"];
            let regex = {
                let n = required(p, "regex")?;
                p.regex(n)?
            };
            let replacement = python_replacement(&{
                let n = required(p, "replacement")?;
                p.string(n, "replacement")?
            });
            TransformKind::ReplaceString { regex, replacement }
        }
        "add_condition" => {
            extra_keys = &["conditions", "negated", "template"];
            let c = required(p, "conditions")?;
            let Some(entries) = c.as_map() else {
                p.error("pipeline-type", "conditions must be a mapping of field: value", c.span);
                return None;
            };
            let mut out = Vec::new();
            for (k, v) in entries {
                let field = p.string(k, "field name")?;
                let values: Vec<&Node> = match v.as_seq() {
                    Some(items) => items.iter().collect(),
                    None => vec![v],
                };
                let mut tests = Vec::new();
                for n in values {
                    tests.push(match &n.value {
                        yaml::Value::Str(s) => Test::Glob { pattern: SigmaString::parse(s), cased: false },
                        yaml::Value::Int(i) => Test::Number { value: *i as f64, text: n.text.clone() },
                        yaml::Value::Float(f) => Test::Number { value: *f, text: n.text.clone() },
                        yaml::Value::Bool(b) => Test::Bool(*b),
                        yaml::Value::Null => Test::Null,
                        _ => {
                            p.error("pipeline-type", "a condition value must be a scalar or a list of scalars", n.span);
                            return None;
                        }
                    });
                }
                out.push((field, tests));
            }
            if get("template").is_some_and(|t| matches!(t.value, yaml::Value::Bool(true))) {
                p.warning(
                    "pipeline-ignored",
                    "'template' is not supported; values are used as written",
                    type_node.span,
                );
            }
            TransformKind::AddCondition { conditions: out, negated: p.flag(get("negated")) }
        }
        "set_state" => {
            extra_keys = &["key", "val"];
            let key = {
                let n = required(p, "key")?;
                p.string(n, "key")?
            };
            let value = {
                let n = required(p, "val")?;
                p.string(n, "val")?
            };
            if key == "query_table" {
                TransformKind::SetQueryTable(value)
            } else {
                p.warning(
                    "pipeline-ignored",
                    format!("state '{key}' is kept but not used by the built-in targets"),
                    type_node.span,
                );
                TransformKind::SetState { key, value }
            }
        }
        "query_table" => {
            extra_keys = &["val", "table", "query_table"];
            let n = get("val").or_else(|| get("table")).or_else(|| get("query_table"));
            let Some(n) = n else {
                p.error("pipeline-missing", "query_table needs 'val' (the table name)", type_node.span);
                return None;
            };
            TransformKind::SetQueryTable(p.string(n, "table")?)
        }
        "rule_failure" => {
            extra_keys = &["message"];
            TransformKind::RuleFailure({
                let n = required(p, "message")?;
                p.string(n, "message")?
            })
        }
        "detection_item_failure" => {
            extra_keys = &["message"];
            TransformKind::DetectionItemFailure({
                let n = required(p, "message")?;
                p.string(n, "message")?
            })
        }
        "value_placeholders" => {
            extra_keys = &["include", "exclude"];
            p.warning(
                "pipeline-ignored",
                "value_placeholders is not applied by the pipeline: placeholder values are given when the rule is compiled (expand modifier)",
                type_node.span,
            );
            TransformKind::ValuePlaceholders
        }
        other => {
            p.error(
                "pipeline-unknown-transformation",
                format!("unknown or unsupported transformation type '{other}'; supported: {}", SUPPORTED.join(", ")),
                type_node.span,
            );
            return None;
        }
    };
    for (k, _) in pairs {
        if let Some(key) = k.as_str() {
            if !TRANSFORM_KEYS.contains(&key) && !extra_keys.contains(&key) {
                p.warning("pipeline-unknown-key", format!("unknown key '{key}' for {ty}; ignored"), k.span);
            }
        }
    }
    let rule_conditions = conditions(p, get("rule_conditions"), rule_condition);
    let item_conditions = conditions(p, get("detection_item_conditions"), item_condition);
    let field_conditions = conditions(p, get("field_name_conditions"), field_condition);
    if let Some(n) = get("rule_cond_expr").or_else(|| get("detection_item_cond_expr")) {
        p.error(
            "pipeline-unsupported",
            "condition expressions are not supported; use *_cond_op and *_cond_not",
            n.span,
        );
    }
    Some(Transformation {
        id,
        kind,
        rule_conditions,
        rule_cond_op: p.op(get("rule_cond_op")),
        rule_cond_not: p.flag(get("rule_cond_not")),
        item_conditions,
        item_cond_op: p.op(get("detection_item_cond_op")),
        item_cond_not: p.flag(get("detection_item_cond_not")),
        field_conditions,
        field_cond_op: p.op(get("field_name_cond_op")),
        field_cond_not: p.flag(get("field_name_cond_not")),
        span: node.span,
    })
}

fn conditions<T>(
    p: &mut PipelineParser,
    node: Option<&Node>,
    one: fn(&mut PipelineParser, &Node) -> Option<T>,
) -> Vec<T> {
    let Some(node) = node else { return Vec::new() };
    let items: Vec<&Node> = match node.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    items.into_iter().filter_map(|n| one(p, n)).collect()
}

fn condition_type(p: &mut PipelineParser, node: &Node, supported: &str) -> Option<String> {
    if node.as_map().is_none() {
        p.error("pipeline-type", format!("a condition is a mapping with 'type' ({supported})"), node.span);
        return None;
    }
    match node.get("type") {
        Some(t) => p.string(t, "type"),
        None => {
            p.error("pipeline-missing", format!("condition without 'type' (supported: {supported})"), node.span);
            None
        }
    }
}

fn rule_condition(p: &mut PipelineParser, node: &Node) -> Option<RuleCondition> {
    let ty = condition_type(p, node, "logsource")?;
    if ty != "logsource" {
        let span = node.get("type").map_or(node.span, |t| t.span);
        p.error("pipeline-unknown-condition", format!("unsupported rule condition '{ty}'; supported: logsource"), span);
        return None;
    }
    let mut get = |k: &str| node.get(k).and_then(|n| p.string(n, k));
    Some(RuleCondition::Logsource { category: get("category"), product: get("product"), service: get("service") })
}

fn fields_of(p: &mut PipelineParser, node: &Node) -> Option<Vec<String>> {
    match node.get("fields") {
        Some(f) => p.strings(f, "field name"),
        None => {
            p.error("pipeline-missing", "this condition needs 'fields'", node.span);
            None
        }
    }
}

fn item_condition(p: &mut PipelineParser, node: &Node) -> Option<ItemCondition> {
    const OK: &str = "include_fields, exclude_fields, match_string";
    let ty = condition_type(p, node, OK)?;
    match ty.as_str() {
        "include_fields" => fields_of(p, node).map(ItemCondition::IncludeFields),
        "exclude_fields" => fields_of(p, node).map(ItemCondition::ExcludeFields),
        "match_string" => {
            let Some(re) = node.get("pattern").or_else(|| node.get("regex")) else {
                p.error("pipeline-missing", "match_string needs 'pattern'", node.span);
                return None;
            };
            let regex = p.regex(re)?;
            let all = node.get("cond").and_then(Node::as_str).is_some_and(|c| c.eq_ignore_ascii_case("all"));
            let negate = p.flag(node.get("negate"));
            Some(ItemCondition::MatchString { regex, all, negate })
        }
        other => {
            let span = node.get("type").map_or(node.span, |t| t.span);
            p.error(
                "pipeline-unknown-condition",
                format!("unsupported detection item condition '{other}'; supported: {OK}"),
                span,
            );
            None
        }
    }
}

fn field_condition(p: &mut PipelineParser, node: &Node) -> Option<FieldCondition> {
    const OK: &str = "include_fields, exclude_fields";
    let ty = condition_type(p, node, OK)?;
    match ty.as_str() {
        "include_fields" => fields_of(p, node).map(FieldCondition::IncludeFields),
        "exclude_fields" => fields_of(p, node).map(FieldCondition::ExcludeFields),
        other => {
            let span = node.get("type").map_or(node.span, |t| t.span);
            p.error(
                "pipeline-unknown-condition",
                format!("unsupported field name condition '{other}'; supported: {OK}"),
                span,
            );
            None
        }
    }
}

/// Python `re.sub` replacement (`\1`, `\g<name>`) → Rust regex (`${1}`, `${name}`).
fn python_replacement(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' => match chars.peek().copied() {
                Some(d) if d.is_ascii_digit() => {
                    let mut num = String::new();
                    while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                        num.push(d);
                        chars.next();
                    }
                    out.push_str(&format!("${{{num}}}"));
                }
                Some('g') => {
                    chars.next();
                    if chars.peek() == Some(&'<') {
                        chars.next();
                        let name: String = chars.by_ref().take_while(|c| *c != '>').collect();
                        out.push_str(&format!("${{{name}}}"));
                    } else {
                        out.push_str("\\g");
                    }
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                Some('n') => {
                    chars.next();
                    out.push('\n');
                }
                Some('t') => {
                    chars.next();
                    out.push('\t');
                }
                _ => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Applying

fn combine(op: CondOp, not: bool, results: impl Iterator<Item = bool>) -> bool {
    let mut any = false;
    let mut all = true;
    let mut n = 0;
    for r in results {
        n += 1;
        any |= r;
        all &= r;
    }
    if n == 0 {
        return true;
    }
    let v = match op {
        CondOp::And => all,
        CondOp::Or => any,
    };
    v != not
}

fn rule_applies(t: &Transformation, rule: &Rule) -> bool {
    let ls = &rule.logsource;
    let eq = |want: &Option<String>, have: Option<&str>| match want {
        None => true,
        Some(w) => have.is_some_and(|h| h.eq_ignore_ascii_case(w)),
    };
    combine(
        t.rule_cond_op,
        t.rule_cond_not,
        t.rule_conditions.iter().map(|c| match c {
            RuleCondition::Logsource { category, product, service } => {
                eq(category, ls.category()) && eq(product, ls.product()) && eq(service, ls.service())
            }
        }),
    )
}

fn field_applies(t: &Transformation, field: Option<&str>) -> bool {
    combine(
        t.field_cond_op,
        t.field_cond_not,
        t.field_conditions.iter().map(|c| match c {
            FieldCondition::IncludeFields(fs) => field.is_some_and(|f| fs.iter().any(|x| x == f)),
            FieldCondition::ExcludeFields(fs) => field.is_none_or(|f| !fs.iter().any(|x| x == f)),
        }),
    )
}

fn item_applies(t: &Transformation, item: &Item) -> bool {
    let field = item.field.as_deref();
    combine(
        t.item_cond_op,
        t.item_cond_not,
        t.item_conditions.iter().map(|c| match c {
            ItemCondition::IncludeFields(fs) => field.is_some_and(|f| fs.iter().any(|x| x == f)),
            ItemCondition::ExcludeFields(fs) => field.is_none_or(|f| !fs.iter().any(|x| x == f)),
            ItemCondition::MatchString { regex, all, negate } => {
                let mut hits = item.tests.iter().filter_map(|t| match t {
                    Test::Glob { pattern, .. } => Some(regex.is_match(&pattern.to_sigma())),
                    _ => None,
                });
                let r = if *all { hits.all(|h| h) } else { hits.any(|h| h) };
                r != *negate
            }
        }),
    ) && field_applies(t, field)
}

/// The new names of a field under a renaming transformation (None: unchanged).
fn renamed(kind: &TransformKind, field: &str) -> Option<Vec<String>> {
    match kind {
        TransformKind::FieldNameMapping(map) => map.iter().find(|(f, _)| f == field).map(|(_, to)| to.clone()),
        TransformKind::FieldNamePrefixMapping(map) => map
            .iter()
            .find(|(prefix, _)| field.starts_with(prefix.as_str()))
            .map(|(prefix, to)| vec![format!("{to}{}", field.get(prefix.len()..).unwrap_or(""))]),
        TransformKind::FieldNameSuffix(s) => Some(vec![format!("{field}{s}")]),
        TransformKind::FieldNamePrefix(s) => Some(vec![format!("{s}{field}")]),
        _ => None,
    }
}

fn replace_in(pattern: &SigmaString, re: &Regex, replacement: &str) -> SigmaString {
    let mut out = SigmaString::default();
    for part in &pattern.parts {
        match part {
            Part::Lit(t) => out.push_str(&re.replace_all(t, replacement)),
            other => out.parts.push(other.clone()),
        }
    }
    out
}

fn label(t: &Transformation) -> String {
    t.id.as_ref().map_or_else(|| "a pipeline transformation".to_string(), |id| format!("transformation '{id}'"))
}

pub(crate) fn apply_all(
    ts: &[Transformation],
    rule: &Rule,
    mut work: Expr<WorkItem>,
    state: &mut MappingState,
) -> Expr<WorkItem> {
    for t in ts {
        if !rule_applies(t, rule) {
            continue;
        }
        work = match &t.kind {
            TransformKind::FieldNameMapping(_)
            | TransformKind::FieldNamePrefixMapping(_)
            | TransformKind::FieldNameSuffix(_)
            | TransformKind::FieldNamePrefix(_) => work.map_leaves(&mut |w| {
                let names = match &w.item.field {
                    Some(f) if item_applies(t, &w.item) => renamed(&t.kind, f),
                    _ => None,
                };
                // A field reference names a field too: rename it the same way (single names only).
                let mut w = w;
                if item_applies(t, &w.item) {
                    for test in &mut w.item.tests {
                        if let Test::FieldRef { field, .. } = test {
                            if let Some(new) = renamed(&t.kind, field).filter(|n| n.len() == 1) {
                                *field = new.into_iter().next().unwrap_or_default();
                            }
                        }
                    }
                }
                match names {
                    None => Expr::Leaf(w),
                    Some(names) if names.len() == 1 => {
                        w.item.field = names.into_iter().next();
                        Expr::Leaf(w)
                    }
                    Some(names) => {
                        let negate = w.item.negate;
                        let copies = names
                            .into_iter()
                            .map(|n| {
                                let mut c = w.clone();
                                c.item.field = Some(n);
                                c.item.negate = false;
                                Expr::Leaf(c)
                            })
                            .collect();
                        if negate {
                            Expr::Not(Box::new(Expr::Or(copies)))
                        } else {
                            Expr::Or(copies)
                        }
                    }
                }
            }),
            TransformKind::DropDetectionItem => work.map_leaves(&mut |w| {
                if item_applies(t, &w.item) {
                    state.notes.push(Diagnostic::info(
                        "dropped-item",
                        format!("{} dropped by {}", w.item.field.as_deref().unwrap_or("keyword"), label(t)),
                        Some(w.item.key_span),
                    ));
                    Expr::Const(true)
                } else {
                    Expr::Leaf(w)
                }
            }),
            TransformKind::ReplaceString { regex, replacement } => work.map_leaves(&mut |mut w| {
                if item_applies(t, &w.item) {
                    for test in &mut w.item.tests {
                        if let Test::Glob { pattern, .. } = test {
                            *pattern = replace_in(pattern, regex, replacement);
                        }
                    }
                }
                Expr::Leaf(w)
            }),
            TransformKind::AddCondition { conditions, negated } => {
                let added: Vec<Expr<WorkItem>> = conditions
                    .iter()
                    .map(|(field, tests)| {
                        Expr::Leaf(WorkItem {
                            item: super::synthetic_item(field, tests.clone(), t.span),
                            sigma_field: Some(field.clone()),
                        })
                    })
                    .collect();
                let cond = if *negated { Expr::Not(Box::new(Expr::And(added))) } else { Expr::And(added) };
                // Added conditions join the top-level AND rather than nesting one level per transformation.
                match work {
                    Expr::And(mut xs) => {
                        xs.insert(0, cond);
                        Expr::And(xs)
                    }
                    other => Expr::And(vec![cond, other]),
                }
            }
            TransformKind::SetQueryTable(table) => {
                state.table = Some(table.clone());
                work
            }
            TransformKind::SetState { .. } | TransformKind::ValuePlaceholders => work,
            TransformKind::RuleFailure(msg) => {
                state.notes.push(Diagnostic::error("rule-failure", format!("{msg} ({})", label(t)), Some(rule.span)));
                work
            }
            TransformKind::DetectionItemFailure(msg) => work.map_leaves(&mut |w| {
                if item_applies(t, &w.item) {
                    state.notes.push(Diagnostic::error(
                        "detection-item-failure",
                        format!("{msg} ({})", label(t)),
                        Some(w.item.key_span),
                    ));
                }
                Expr::Leaf(w)
            }),
        };
    }
    work
}

/// An event's fields under the renaming transformations, and the table a
/// transformation named (for [`super::map_event`]).
pub(crate) fn forward_fields(
    ts: &[Transformation],
    rule: &Rule,
    event: &Event,
) -> (Vec<(String, Value)>, Option<String>) {
    let mut fields: Vec<(String, Value)> = event.fields().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let mut table = None;
    for t in ts {
        if !rule_applies(t, rule) {
            continue;
        }
        match &t.kind {
            TransformKind::SetQueryTable(name) => table = Some(name.clone()),
            kind => {
                let mut next = Vec::with_capacity(fields.len());
                for (name, value) in fields {
                    let names = if field_applies(t, Some(&name)) && item_conditions_on_name(t, &name) {
                        renamed(kind, &name)
                    } else {
                        None
                    };
                    match names {
                        Some(names) => next.extend(names.into_iter().map(|n| (n, value.clone()))),
                        None => next.push((name, value)),
                    }
                }
                fields = next;
            }
        }
    }
    (fields, table)
}

/// Field-based detection item conditions, evaluated on an event field name.
fn item_conditions_on_name(t: &Transformation, name: &str) -> bool {
    combine(
        t.item_cond_op,
        t.item_cond_not,
        t.item_conditions.iter().filter_map(|c| match c {
            ItemCondition::IncludeFields(fs) => Some(fs.iter().any(|x| x == name)),
            ItemCondition::ExcludeFields(fs) => Some(!fs.iter().any(|x| x == name)),
            ItemCondition::MatchString { .. } => None,
        }),
    )
}
