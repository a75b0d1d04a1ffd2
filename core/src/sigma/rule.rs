//! The Sigma rule model and its parser from YAML (with spans everywhere).
//!
//! One YAML document is one rule: a detection rule, a correlation rule or a
//! filter. Structural problems become diagnostics; the parser keeps going so
//! that an author sees every problem at once.

use serde::Serialize;

use crate::base::diag::{Diagnostic, Span, Spanned};
use crate::sigma::condition::{self, CondExpr};
use crate::sigma::correlation::{self, Correlation};
use crate::sigma::modifier::{self, Modifier};
use crate::sigma::yaml::{self, Node, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Detection,
    Correlation,
    Filter,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Logsource {
    pub category: Option<Spanned<String>>,
    pub product: Option<Spanned<String>>,
    pub service: Option<Spanned<String>>,
    pub definition: Option<Spanned<String>>,
    pub span: Option<Span>,
}

impl Logsource {
    pub fn category(&self) -> Option<&str> {
        self.category.as_ref().map(|s| s.value.as_str())
    }
    pub fn product(&self) -> Option<&str> {
        self.product.as_ref().map(|s| s.value.as_str())
    }
    pub fn service(&self) -> Option<&str> {
        self.service.as_ref().map(|s| s.value.as_str())
    }
}

/// A scalar value as written in the rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Scalar {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawValue {
    pub value: Scalar,
    /// Source text (numbers keep their spelling, e.g. `0x10`).
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectionItem {
    /// `None` for keywords (full-text search).
    pub field: Option<String>,
    pub key_span: Span,
    pub field_span: Span,
    pub modifiers: Vec<Spanned<Modifier>>,
    pub values: Vec<RawValue>,
    /// Span of the whole value (scalar or list).
    pub value_span: Span,
}

impl DetectionItem {
    pub fn has(&self, m: Modifier) -> bool {
        self.modifiers.iter().any(|s| s.value == m)
    }
    pub fn modifier_chain(&self) -> Vec<Modifier> {
        self.modifiers.iter().map(|m| m.value).collect()
    }
    /// `Field|mod1|mod2` as written, for messages.
    pub fn key_text(&self) -> String {
        let mut s = self.field.clone().unwrap_or_default();
        for m in &self.modifiers {
            s.push('|');
            s.push_str(m.value.name());
        }
        s
    }
}

/// A search identifier: OR over alternatives, each an AND of items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Search {
    pub name: String,
    pub name_span: Span,
    pub alternatives: Vec<Vec<DetectionItem>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub text: String,
    pub expr: Option<CondExpr>,
    pub span: Span,
    /// Offset of the condition text inside `span` (1 when quoted), to map char ranges to columns.
    pub text_offset: u32,
}

impl Condition {
    pub fn span_of(&self, range: condition::Range) -> Span {
        self.span.slice(range.start + self.text_offset, range.end + self.text_offset)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Detection {
    pub searches: Vec<Search>,
    pub conditions: Vec<Condition>,
    pub timeframe: Option<Spanned<String>>,
    pub span: Option<Span>,
}

impl Detection {
    pub fn search(&self, name: &str) -> Option<&Search> {
        self.searches.iter().find(|s| s.name == name)
    }
    pub fn names(&self) -> Vec<String> {
        self.searches.iter().map(|s| s.name.clone()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filter {
    pub rules: Vec<Spanned<String>>,
    pub detection: Detection,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub kind: RuleKind,
    pub title: Option<Spanned<String>>,
    pub id: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub status: Option<Spanned<String>>,
    pub level: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub author: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub modified: Option<Spanned<String>>,
    pub license: Option<Spanned<String>>,
    pub tags: Vec<Spanned<String>>,
    pub references: Vec<Spanned<String>>,
    pub falsepositives: Vec<Spanned<String>>,
    pub fields: Vec<Spanned<String>>,
    pub logsource: Logsource,
    pub detection: Detection,
    pub correlation: Option<Correlation>,
    pub filter: Option<Filter>,
    /// Where the document starts.
    pub span: Span,
    /// Index of the YAML document in the file.
    pub document: usize,
}

impl Rule {
    pub fn title_text(&self) -> &str {
        self.title.as_ref().map_or("", |t| t.value.as_str())
    }
    pub fn id_text(&self) -> &str {
        self.id.as_ref().map_or("", |t| t.value.as_str())
    }
}

/// Everything parsed from one text: rules and the diagnostics about them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ParsedRules {
    pub rules: Vec<Rule>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse a text with one or more YAML documents, each a Sigma rule.
pub fn parse_rules(text: &str) -> ParsedRules {
    let stream = yaml::parse_stream(text);
    let mut out = ParsedRules { rules: Vec::new(), diagnostics: stream.diagnostics };
    for (index, doc) in stream.documents.iter().enumerate() {
        if doc.root.value == Value::Null {
            continue; // an empty document (e.g. a trailing `---`)
        }
        let mut p = RuleParser { diags: Vec::new() };
        if let Some(rule) = p.rule(&doc.root, index) {
            out.rules.push(rule);
        }
        out.diagnostics.append(&mut p.diags);
    }
    if out.rules.is_empty() && !crate::base::diag::has_errors(&out.diagnostics) {
        out.diagnostics.push(Diagnostic::error(
            "empty-rule",
            "no Sigma rule found: the text is empty",
            Some(Span::point(1, 1, 0)),
        ));
    }
    crate::base::sort::sort_by_key(&mut out.diagnostics, |d| (d.span.map_or(0, |s| s.start), d.severity));
    out
}

/// Parse a text expected to hold exactly one rule. Errors (not warnings) fail it.
pub fn parse_rule(text: &str) -> Result<Rule, Vec<Diagnostic>> {
    let parsed = parse_rules(text);
    if crate::base::diag::has_errors(&parsed.diagnostics) {
        return Err(parsed.diagnostics);
    }
    parsed.rules.into_iter().next().ok_or(parsed.diagnostics)
}

/// Modifiers read per field key (a valid chain has a handful).
const MAX_MODIFIERS: usize = 32;

struct RuleParser {
    diags: Vec<Diagnostic>,
}

const KNOWN_TOP_KEYS: &[&str] = &[
    "title",
    "id",
    "name",
    "related",
    "taxonomy",
    "status",
    "description",
    "license",
    "author",
    "references",
    "date",
    "modified",
    "logsource",
    "detection",
    "fields",
    "falsepositives",
    "level",
    "tags",
    "scope",
    "correlation",
    "filter",
    "generate",
    "regression_tests_path",
    "simulation",
];

impl RuleParser {
    fn error(&mut self, code: &str, msg: impl Into<String>, span: Span) {
        self.diags.push(Diagnostic::error(code, msg, Some(span)));
    }
    fn warning(&mut self, code: &str, msg: impl Into<String>, span: Span) {
        self.diags.push(Diagnostic::warning(code, msg, Some(span)));
    }

    fn string(&mut self, node: Option<&Node>, key: &str) -> Option<Spanned<String>> {
        let node = node?;
        match node.scalar_text() {
            Some(s) => Some(Spanned { value: s, span: node.span }),
            None if node.value == Value::Null => None,
            None => {
                self.error("bad-type", format!("'{key}' must be a string, not a {}", node.kind_name()), node.span);
                None
            }
        }
    }

    fn string_list(&mut self, node: Option<&Node>, key: &str) -> Vec<Spanned<String>> {
        let Some(node) = node else { return Vec::new() };
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| match n.scalar_text() {
                    Some(s) => Some(Spanned { value: s, span: n.span }),
                    None => {
                        self.error(
                            "bad-type",
                            format!("items of '{key}' must be strings, not a {}", n.kind_name()),
                            n.span,
                        );
                        None
                    }
                })
                .collect(),
            Value::Null => Vec::new(),
            _ => match node.scalar_text() {
                Some(s) => {
                    self.warning("bad-type", format!("'{key}' should be a list"), node.span);
                    vec![Spanned { value: s, span: node.span }]
                }
                None => {
                    self.error("bad-type", format!("'{key}' must be a list of strings"), node.span);
                    Vec::new()
                }
            },
        }
    }

    fn rule(&mut self, root: &Node, document: usize) -> Option<Rule> {
        let Some(pairs) = root.as_map() else {
            self.error(
                "not-a-rule",
                format!("a Sigma rule is a YAML map, this document is a {}", root.kind_name()),
                root.span,
            );
            return None;
        };
        for (k, _) in pairs {
            match k.as_str() {
                Some(key) if KNOWN_TOP_KEYS.contains(&key) => {}
                Some(key) => self.diags.push(Diagnostic::info(
                    "custom-attribute",
                    format!("'{key}' is not a standard Sigma attribute (allowed as a custom attribute)"),
                    Some(k.span),
                )),
                None => self.error("bad-key", "top-level keys must be strings", k.span),
            }
        }
        let kind = if root.get("correlation").is_some() {
            RuleKind::Correlation
        } else if root.get("filter").is_some() {
            RuleKind::Filter
        } else {
            RuleKind::Detection
        };
        let mut rule = Rule {
            kind,
            title: self.string(root.get("title"), "title"),
            id: self.string(root.get("id"), "id"),
            name: self.string(root.get("name"), "name"),
            status: self.string(root.get("status"), "status"),
            level: self.string(root.get("level"), "level"),
            description: self.string(root.get("description"), "description"),
            author: self.string(root.get("author"), "author"),
            date: self.string(root.get("date"), "date"),
            modified: self.string(root.get("modified"), "modified"),
            license: self.string(root.get("license"), "license"),
            tags: self.string_list(root.get("tags"), "tags"),
            references: self.string_list(root.get("references"), "references"),
            falsepositives: self.string_list(root.get("falsepositives"), "falsepositives"),
            fields: self.string_list(root.get("fields"), "fields"),
            logsource: Logsource::default(),
            detection: Detection::default(),
            correlation: None,
            filter: None,
            span: root.span,
            document,
        };
        let first_key_span = pairs.first().map_or(root.span, |(k, _)| k.span);
        if rule.title.is_none() {
            self.error("missing-title", "a rule needs a 'title'", first_key_span);
        }
        match kind {
            RuleKind::Detection => {
                match root.get("logsource") {
                    Some(ls) => rule.logsource = self.logsource(ls),
                    None => self.error("missing-logsource", "a detection rule needs a 'logsource'", first_key_span),
                }
                match root.get("detection") {
                    Some(det) => rule.detection = self.detection(det, &[]),
                    None => self.error("missing-detection", "a detection rule needs a 'detection'", first_key_span),
                }
            }
            RuleKind::Correlation => {
                if let Some(c) = root.get("correlation") {
                    rule.correlation = correlation::parse(c, &mut self.diags);
                }
            }
            RuleKind::Filter => {
                if let Some(ls) = root.get("logsource") {
                    rule.logsource = self.logsource(ls);
                }
                if let Some(f) = root.get("filter") {
                    rule.filter = self.filter(f);
                }
            }
        }
        Some(rule)
    }

    fn logsource(&mut self, node: &Node) -> Logsource {
        let mut ls = Logsource { span: Some(node.span), ..Logsource::default() };
        if node.as_map().is_none() {
            self.error("bad-type", "'logsource' must be a map with category, product and/or service", node.span);
            return ls;
        }
        ls.category = self.string(node.get("category"), "category");
        ls.product = self.string(node.get("product"), "product");
        ls.service = self.string(node.get("service"), "service");
        ls.definition = self.string(node.get("definition"), "definition");
        if ls.category.is_none() && ls.product.is_none() && ls.service.is_none() {
            self.error("empty-logsource", "'logsource' needs at least one of category, product, service", node.span);
        }
        ls
    }

    fn filter(&mut self, node: &Node) -> Option<Filter> {
        if node.as_map().is_none() {
            self.error("bad-type", "'filter' must be a map with rules, search identifiers and a condition", node.span);
            return None;
        }
        let rules = self.string_list(node.get("rules"), "rules");
        if node.get("rules").is_none() {
            self.error(
                "missing-filter-rules",
                "a filter needs 'rules': the ids or names of the rules it applies to",
                node.span,
            );
        }
        let detection = self.detection(node, &["rules"]);
        Some(Filter { rules, detection })
    }

    /// Parse a detection map; `skip` lists keys that belong to the enclosing construct.
    fn detection(&mut self, node: &Node, skip: &[&str]) -> Detection {
        let mut det = Detection { span: Some(node.span), ..Detection::default() };
        let Some(pairs) = node.as_map() else {
            self.error("bad-type", format!("'detection' must be a map, not a {}", node.kind_name()), node.span);
            return det;
        };
        for (k, v) in pairs {
            let Some(key) = k.scalar_text() else {
                self.error("bad-key", "search identifiers must be strings", k.span);
                continue;
            };
            if skip.contains(&key.as_str()) {
                continue;
            }
            match key.as_str() {
                "condition" => det.conditions = self.conditions(v),
                "timeframe" => det.timeframe = self.string(Some(v), "timeframe"),
                _ => {
                    if let Some(search) = self.search(&key, k, v) {
                        det.searches.push(search);
                    }
                }
            }
        }
        if det.conditions.is_empty() && node.get("condition").is_none() {
            self.error("missing-condition", "'detection' needs a 'condition'", node.span);
        }
        if det.searches.is_empty() {
            self.error("no-search", "'detection' has no search identifier (e.g. 'selection')", node.span);
        }
        let names = det.names();
        let conditions = std::mem::take(&mut det.conditions);
        for cond in &conditions {
            if let Some(expr) = &cond.expr {
                for problem in condition::check(expr, &names) {
                    self.error("condition-reference", problem.message, cond.span_of(problem.range));
                }
            }
        }
        // Collected once: per search it would be quadratic in the number of searches.
        let referenced: std::collections::HashSet<String> = conditions
            .iter()
            .filter_map(|c| c.expr.as_ref())
            .flat_map(|e| condition::referenced_names(e, &names))
            .collect();
        for search in &det.searches {
            let used = referenced.contains(&search.name);
            if !used && !conditions.is_empty() {
                self.warning(
                    "unused-search",
                    format!("search identifier '{}' is not used by the condition", search.name),
                    search.name_span,
                );
            }
        }
        det.conditions = conditions;
        det
    }

    fn conditions(&mut self, node: &Node) -> Vec<Condition> {
        let nodes: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut out = Vec::new();
        for n in nodes {
            let Some(text) = n.as_str() else {
                self.error("bad-type", format!("a condition must be a string, not a {}", n.kind_name()), n.span);
                continue;
            };
            let text_offset = u32::from(n.quoted && n.span.line == n.span.end_line);
            let mut cond = Condition { text: text.to_string(), expr: None, span: n.span, text_offset };
            match condition::parse_condition(text) {
                Ok(expr) => cond.expr = Some(expr),
                Err(e) => {
                    let span = cond.span_of(e.range);
                    self.error("condition-syntax", e.message, span);
                }
            }
            out.push(cond);
        }
        out
    }

    fn search(&mut self, name: &str, key: &Node, value: &Node) -> Option<Search> {
        let mut search =
            Search { name: name.to_string(), name_span: key.span, alternatives: Vec::new(), span: value.span };
        match &value.value {
            Value::Map(pairs) => {
                let items = self.map_items(pairs);
                if items.is_empty() {
                    self.error("empty-search", format!("search '{name}' is empty"), value.span);
                }
                search.alternatives.push(items);
            }
            Value::Seq(elems) => {
                if elems.is_empty() {
                    self.error("empty-search", format!("search '{name}' is an empty list"), value.span);
                }
                let maps = elems.iter().filter(|e| e.as_map().is_some()).count();
                if maps > 0 && maps < elems.len() {
                    self.error(
                        "mixed-search",
                        format!("search '{name}' mixes maps and plain values; use two search identifiers"),
                        value.span,
                    );
                }
                if maps == elems.len() {
                    for e in elems {
                        if let Some(pairs) = e.as_map() {
                            let items = self.map_items(pairs);
                            if items.is_empty() {
                                self.error("empty-search", "empty map in a list of maps", e.span);
                            }
                            search.alternatives.push(items);
                        }
                    }
                } else if let Some(item) = self.keyword_item(value, &[]) {
                    search.alternatives.push(vec![item]);
                }
            }
            Value::Null => {
                self.error("empty-search", format!("search '{name}' has no value"), value.span);
                return None;
            }
            _ => {
                // A single keyword.
                if let Some(item) = self.keyword_item(value, &[]) {
                    search.alternatives.push(vec![item]);
                }
            }
        }
        Some(search)
    }

    fn keyword_item(&mut self, value: &Node, modifiers: &[Spanned<Modifier>]) -> Option<DetectionItem> {
        let values = self.values(value)?;
        Some(DetectionItem {
            field: None,
            key_span: value.span,
            field_span: value.span,
            modifiers: modifiers.to_vec(),
            values,
            value_span: value.span,
        })
    }

    fn map_items(&mut self, pairs: &[(Node, Node)]) -> Vec<DetectionItem> {
        let mut items = Vec::new();
        for (k, v) in pairs {
            let Some(key) = k.scalar_text() else {
                self.error("bad-key", "field names must be strings", k.span);
                continue;
            };
            let (field, modifiers) = self.field_key(&key, k);
            let Some(values) = self.values(v) else { continue };
            let item = DetectionItem {
                field: if field.is_empty() { None } else { Some(field) },
                key_span: k.span,
                field_span: self.key_slice(k, 0, key.split('|').next().map_or(0, |f| f.chars().count())),
                modifiers,
                values,
                value_span: v.span,
            };
            self.check_item(&item);
            items.push(item);
        }
        items
    }

    fn key_slice(&self, k: &Node, from: usize, to: usize) -> Span {
        let q = u32::from(k.quoted);
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        k.span.slice(clamp(from) + q, clamp(to) + q)
    }

    fn field_key(&mut self, key: &str, k: &Node) -> (String, Vec<Spanned<Modifier>>) {
        let mut parts = key.split('|');
        let field = parts.next().unwrap_or_default().to_string();
        let mut offset = field.chars().count() + 1;
        let mut modifiers = Vec::new();
        for (count, name) in parts.enumerate() {
            let len = name.chars().count();
            let span = self.key_slice(k, offset, offset + len);
            // Chain checks are quadratic in the chain length; no valid chain comes close.
            if count == MAX_MODIFIERS {
                self.error(
                    "invalid-modifier-chain",
                    format!("more than {MAX_MODIFIERS} modifiers; the rest are ignored"),
                    span,
                );
                break;
            }
            match Modifier::parse(name) {
                Some(m) => modifiers.push(Spanned { value: m, span }),
                None => {
                    let hint = crate::base::similar::closest(name, modifier::ALL_NAMES)
                        .map(|c| format!(" (did you mean '{c}'?)"))
                        .unwrap_or_default();
                    let msg = if name.is_empty() {
                        "empty modifier (two '|' in a row)".to_string()
                    } else {
                        format!("unknown modifier '{name}'{hint}")
                    };
                    self.error("unknown-modifier", msg, span);
                }
            }
            offset += len + 1;
        }
        (field, modifiers)
    }

    fn values(&mut self, node: &Node) -> Option<Vec<RawValue>> {
        match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::new();
                for n in items {
                    match self.scalar(n) {
                        Some(v) => out.push(v),
                        None => self.error(
                            "bad-value",
                            format!("a value list can hold only plain values, not a {}", n.kind_name()),
                            n.span,
                        ),
                    }
                }
                if items.is_empty() {
                    self.error("empty-list", "empty value list: it can never match", node.span);
                }
                Some(out)
            }
            Value::Map(_) => {
                self.error("bad-value", "a field value cannot be a map", node.span);
                None
            }
            _ => self.scalar(node).map(|v| vec![v]),
        }
    }

    fn scalar(&mut self, n: &Node) -> Option<RawValue> {
        let value = match &n.value {
            Value::Str(s) => Scalar::Str(s.clone()),
            Value::Int(i) => Scalar::Int(*i),
            Value::Float(f) => Scalar::Float(*f),
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Null => Scalar::Null,
            Value::Seq(_) | Value::Map(_) => return None,
        };
        Some(RawValue { value, text: n.text.clone(), span: n.span })
    }

    fn check_item(&mut self, item: &DetectionItem) {
        let chain = item.modifier_chain();
        for p in modifier::check_chain(&chain) {
            let span = item.modifiers.get(p.index).map_or(item.key_span, |m| m.span);
            if p.is_error {
                self.error("invalid-modifier-chain", p.message, span);
            } else {
                self.warning("odd-modifier-chain", p.message, span);
            }
        }
        if item.has(Modifier::All) && item.values.len() == 1 {
            let span = item.modifiers.iter().find(|m| m.value == Modifier::All).map_or(item.key_span, |m| m.span);
            self.warning("all-single-value", "'all' with a single value has no effect (the spec disallows it)", span);
        }
        if item.has(Modifier::Exists) {
            for v in &item.values {
                if !matches!(v.value, Scalar::Bool(_)) {
                    self.error("bad-value", "'exists' takes true or false", v.span);
                }
            }
        }
    }
}

/// The filter rules of the file (their indices) that apply to `rule`: they
/// name its id or name and their logsource does not contradict its own.
pub fn filters_for(rules: &[Rule], rule: &Rule) -> Vec<usize> {
    let names = [rule.id.as_ref(), rule.name.as_ref()];
    (0..rules.len())
        .filter(|&i| {
            let f = &rules[i];
            f.kind == RuleKind::Filter
                && f.filter
                    .as_ref()
                    .is_some_and(|flt| flt.rules.iter().any(|r| names.iter().flatten().any(|n| n.value == r.value)))
                && logsource_compatible(&f.logsource, &rule.logsource)
        })
        .collect()
}

/// Each part the filter's logsource sets must equal the rule's.
pub fn logsource_compatible(filter: &Logsource, rule: &Logsource) -> bool {
    let same = |f: Option<&str>, r: Option<&str>| f.is_none_or(|f| r.is_some_and(|r| r.eq_ignore_ascii_case(f)));
    same(filter.category(), rule.category())
        && same(filter.product(), rule.product())
        && same(filter.service(), rule.service())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCALTONET: &str = "title: Network Connection Initiated To LocaltoNet Domain\n\
id: 3ab65069-d82a-4d44-a759-466661a082d1\n\
status: test\n\
logsource:\n    category: network_connection\n    product: windows\n\
detection:\n    selection:\n        Initiated: 'true'\n        DestinationHostname|endswith:\n            - '.localto.net'\n            - '.localtonet.com'\n    condition: selection\n\
level: high\n";

    #[test]
    fn parses_a_rule_with_spans() {
        let rule = parse_rule(LOCALTONET).unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(rule.title_text(), "Network Connection Initiated To LocaltoNet Domain");
        assert_eq!(rule.logsource.category(), Some("network_connection"));
        let sel = &rule.detection.searches[0];
        assert_eq!(sel.name, "selection");
        let item = &sel.alternatives[0][1];
        assert_eq!(item.field.as_deref(), Some("DestinationHostname"));
        assert_eq!(item.modifiers[0].value, Modifier::EndsWith);
        assert_eq!((item.modifiers[0].span.line, item.modifiers[0].span.col), (10, 29));
        assert_eq!(item.values.len(), 2);
        assert_eq!(item.values[1].span.line, 12);
    }

    #[test]
    fn unknown_modifier_points_at_it() {
        let text = LOCALTONET.replace("|endswith", "|endswit");
        let d = parse_rule(&text).err().unwrap_or_default();
        let m = d.iter().find(|d| d.code == "unknown-modifier").cloned();
        let m = m.unwrap_or_else(|| panic!("{d:?}"));
        assert_eq!((m.line(), m.col()), (10, 29));
        assert!(m.message.contains("endswith"));
    }

    #[test]
    fn undefined_identifier_in_condition() {
        let text = LOCALTONET.replace("condition: selection", "condition: selection and not filter");
        let d = parse_rule(&text).err().unwrap_or_default();
        let m = d.iter().find(|d| d.code == "condition-reference").cloned();
        let m = m.unwrap_or_else(|| panic!("{d:?}"));
        assert_eq!((m.line(), m.col()), (13, 34));
    }

    #[test]
    fn keywords_and_all_keyword_form() {
        let text = "title: k\nlogsource:\n  product: linux\ndetection:\n  keywords:\n    - evil\n    - bad\n  kw_all:\n    '|all':\n      - a\n      - b\n  condition: keywords or kw_all\n";
        let rule = parse_rule(text).unwrap_or_else(|d| panic!("{d:?}"));
        let kw = &rule.detection.searches[0].alternatives[0][0];
        assert!(kw.field.is_none());
        assert_eq!(kw.values.len(), 2);
        let all = &rule.detection.searches[1].alternatives[0][0];
        assert!(all.field.is_none() && all.has(Modifier::All));
    }

    #[test]
    fn missing_parts_are_reported_together() {
        let d = parse_rules("description: x\n").diagnostics;
        let codes: Vec<_> = d.iter().map(|d| d.code.as_str()).collect();
        assert!(
            codes.contains(&"missing-title")
                && codes.contains(&"missing-logsource")
                && codes.contains(&"missing-detection"),
            "{codes:?}"
        );
    }
}
