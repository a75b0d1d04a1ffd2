//! YAML text to a tree of nodes that remember where they came from.
//!
//! Rules, pipelines and YAML events all go through here so that every later
//! diagnostic can point at a line and column. The tree is built iteratively
//! from saphyr-parser's events, with hard limits on nesting depth and on alias
//! expansion, because pasted text is hostile input (deep nesting, billion-laughs).
//!
//! Plain scalars are resolved with the YAML 1.2 core schema (`true`, `null`,
//! `12`, `1.5`); quoted and block scalars are always strings.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YSpan};

use crate::base::diag::{Diagnostic, Span};

/// Nesting deeper than this is refused; no Sigma rule comes close.
pub const MAX_DEPTH: usize = 128;
/// Upper bound on nodes produced by alias expansion in one stream.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// Upper bound on scalar text produced by alias expansion in one stream: few
/// nodes can still be large (one 100 KB scalar aliased 10,000 times is 1 GB).
pub const MAX_ALIAS_BYTES: usize = 16 << 20;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// Source text of a scalar (before type resolution), e.g. `0x10` or `'true'`'s `true`.
    pub text: String,
    /// True when the scalar was quoted or a block scalar: `'1'` is a string, `1` a number.
    pub quoted: bool,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_scalar(&self) -> bool {
        !matches!(self.value, Value::Seq(_) | Value::Map(_))
    }

    /// Scalar rendered as text; `None` for collections and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => Some(self.text.clone()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// Value of `key` in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Plain JSON view (for pipelines, YAML events and display).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(pairs) => {
                let mut m = serde_json::Map::new();
                for (k, v) in pairs {
                    let key = k.scalar_text().unwrap_or_default();
                    m.insert(key, v.to_json());
                }
                J::Object(m)
            }
        }
    }
}

/// One YAML document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
}

/// Result of parsing a YAML stream: documents parsed before the first fatal
/// error are kept, so the caller can still report on them.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

fn convert_span(s: &YSpan) -> Span {
    let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Span {
        line: clamp(s.start.line()),
        col: clamp(s.start.col()).saturating_add(1),
        end_line: clamp(s.end.line()),
        end_col: clamp(s.end.col()).saturating_add(1),
        start: clamp(s.start.index()),
        end: clamp(s.end.index()),
    }
}

/// What a plain (unquoted) scalar means in the YAML 1.2 core schema.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits_only(unsigned) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
        return Value::Str(text.to_string());
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    }
    // YAML 1.2 core float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let looks_float = !bytes.is_empty()
        && unsigned.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && unsigned.bytes().any(|b| b.is_ascii_digit())
        && unsigned.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if looks_float {
        if let Some(f) = crate::base::float::parse_f64(text) {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_string())
}

/// A collection under construction.
enum Frame {
    Seq { items: Vec<Node>, span: Span, anchor: usize },
    Map { pairs: Vec<(Node, Node)>, pending_key: Option<Node>, keys: KeyIndex, span: Span, anchor: usize },
}

/// Duplicate-key bookkeeping of one mapping. Small maps (nearly every map of
/// a rule) are scanned, which costs less than hashing and cloning each key;
/// past `SCAN_LIMIT` keys a hash index takes over so that hostile maps stay
/// linear. A replaced pair is only marked, and the marked pairs are removed
/// once at the end: removing each at once shifts the rest (quadratic).
#[derive(Default)]
struct KeyIndex {
    /// Scalar key text → index of its live pair in `pairs`.
    index: Option<HashMap<String, usize>>,
    /// Per pair: replaced by a later duplicate.
    dead: Vec<bool>,
    any_dead: bool,
}

const SCAN_LIMIT: usize = 16;

impl KeyIndex {
    /// The live pair whose key equals `key`, if any.
    fn find(&self, pairs: &[(Node, Node)], key: &Node) -> Option<usize> {
        let same = |k: &Node| k.is_scalar() && k.text == key.text && k.value == key.value;
        let live = |i: &usize| !self.dead.get(*i).copied().unwrap_or(false);
        let scan = || (0..pairs.len()).rev().find(|i| pairs.get(*i).is_some_and(|(k, _)| same(k)) && live(i));
        match &self.index {
            None => scan(),
            Some(index) => match index.get(&key.text) {
                None => None,
                Some(&i) if pairs.get(i).is_some_and(|(k, _)| same(k)) => Some(i),
                // Same text, other type (`1` and `'1'`): rare enough to scan.
                Some(_) => scan(),
            },
        }
    }

    /// Record the pair about to be pushed at `at`.
    fn push(&mut self, pairs: &[(Node, Node)], key: &Node, at: usize) {
        if self.index.is_none() && at >= SCAN_LIMIT {
            let mut index = HashMap::with_capacity(at * 2);
            for (i, (k, _)) in pairs.iter().enumerate() {
                if k.is_scalar() && !self.dead.get(i).copied().unwrap_or(false) {
                    index.insert(k.text.clone(), i);
                }
            }
            self.index = Some(index);
        }
        if let Some(index) = &mut self.index {
            if key.is_scalar() {
                index.insert(key.text.clone(), at);
            }
        }
        self.dead.push(false);
    }

    fn kill(&mut self, i: usize) {
        if let Some(d) = self.dead.get_mut(i) {
            *d = true;
            self.any_dead = true;
        }
    }

    fn finish(self, pairs: &mut Vec<(Node, Node)>) {
        if !self.any_dead {
            return;
        }
        let mut i = 0;
        pairs.retain(|_| {
            let keep = !self.dead.get(i).copied().unwrap_or(false);
            i += 1;
            keep
        });
    }
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_budget: usize,
    alias_bytes: usize,
    diagnostics: Vec<Diagnostic>,
}

/// Nodes and scalar text bytes in a tree.
fn node_count(node: &Node) -> (usize, usize) {
    // Iterative so that counting cannot itself recurse deeply.
    let mut count = 0usize;
    let mut bytes = 0usize;
    let mut todo: Vec<&Node> = vec![node];
    while let Some(n) = todo.pop() {
        count = count.saturating_add(1);
        bytes = bytes.saturating_add(n.text.len());
        match &n.value {
            Value::Seq(items) => todo.extend(items.iter()),
            Value::Map(pairs) => {
                for (k, v) in pairs {
                    todo.push(k);
                    todo.push(v);
                }
            }
            _ => {}
        }
    }
    (count, bytes)
}

impl Builder {
    /// Attach a finished node to its parent; returns the node when it is a document root.
    fn attach(&mut self, node: Node) -> Option<Node> {
        match self.stack.last_mut() {
            None => Some(node),
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                None
            }
            Some(Frame::Map { pairs, pending_key, keys, .. }) => {
                match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(key) => {
                        let dup = if key.is_scalar() { keys.find(pairs, &key) } else { None };
                        if let Some(i) = dup {
                            self.diagnostics.push(Diagnostic::warning(
                                "yaml-duplicate-key",
                                format!("duplicate key '{}': the later value replaces the earlier one", key.text),
                                Some(key.span),
                            ));
                            keys.kill(i);
                        }
                        keys.push(pairs, &key, pairs.len());
                        pairs.push((key, node));
                    }
                }
                None
            }
        }
    }
}

#[cfg(feature = "fast-yaml")]
mod block;

/// Parse a YAML stream (one or more documents).
pub fn parse_stream(text: &str) -> Stream {
    // Plain block YAML (nearly every rule) is read without saphyr-parser's
    // char-by-char scanner; the events are the same (see `block`).
    #[cfg(feature = "fast-yaml")]
    if let Some(events) = block::events(text) {
        return build(events.into_iter().map(Ok));
    }
    build(Parser::new_from_str(text))
}

/// The tree of a stream's parse events.
fn build<'a>(events: impl Iterator<Item = Result<(Event<'a>, YSpan), ScanError>>) -> Stream {
    let mut out = Stream::default();
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: MAX_ALIAS_NODES,
        alias_bytes: MAX_ALIAS_BYTES,
        diagnostics: Vec::new(),
    };
    let mut doc_root: Option<Node> = None;

    for next in events {
        let (event, yspan) = match next {
            Ok(ev) => ev,
            Err(e) => {
                let m = e.marker();
                let line = u32::try_from(m.line()).unwrap_or(u32::MAX);
                let col = u32::try_from(m.col()).unwrap_or(u32::MAX).saturating_add(1);
                let off = u32::try_from(m.index()).unwrap_or(u32::MAX);
                b.diagnostics.push(Diagnostic::error(
                    "yaml-syntax",
                    format!("YAML syntax error: {}", e.info()),
                    Some(Span::point(line, col, off)),
                ));
                break;
            }
        };
        let span = convert_span(&yspan);
        let finished: Option<Node> = match event {
            Event::StreamStart | Event::Nothing => None,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                b.anchors.clear();
                None
            }
            Event::DocumentEnd => {
                if let Some(root) = doc_root.take() {
                    out.documents.push(Document { root });
                }
                None
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let quoted = !matches!(style, ScalarStyle::Plain);
                // The scanner hands over an owned string: keep it as the text, copy it once at most.
                let text = value.into_owned();
                let resolved = if quoted { Value::Str(text.clone()) } else { resolve_plain(&text) };
                let node = Node { value: resolved, span, text, quoted };
                if anchor > 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                b.attach(node)
            }
            Event::Alias(id) => match b.anchors.get(&id).cloned() {
                Some(mut node) => {
                    let (cost, bytes) = node_count(&node);
                    if cost > b.alias_budget || bytes > b.alias_bytes {
                        b.diagnostics.push(Diagnostic::error(
                            "yaml-alias-bomb",
                            format!(
                                "YAML aliases expand to more than {MAX_ALIAS_NODES} nodes or {} MB of text; refusing (possible alias bomb)",
                                MAX_ALIAS_BYTES >> 20
                            ),
                            Some(span),
                        ));
                        break;
                    }
                    b.alias_budget -= cost;
                    b.alias_bytes -= bytes;
                    node.span = span;
                    b.attach(node)
                }
                None => {
                    b.diagnostics.push(Diagnostic::error(
                        "yaml-alias",
                        "alias refers to an unknown anchor",
                        Some(span),
                    ));
                    break;
                }
            },
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if b.stack.len() >= MAX_DEPTH {
                    b.diagnostics.push(Diagnostic::error(
                        "yaml-too-deep",
                        format!("YAML nesting deeper than {MAX_DEPTH} levels"),
                        Some(span),
                    ));
                    break;
                }
                if matches!(event, Event::SequenceStart(..)) {
                    b.stack.push(Frame::Seq { items: Vec::new(), span, anchor });
                } else {
                    b.stack.push(Frame::Map {
                        pairs: Vec::new(),
                        pending_key: None,
                        keys: KeyIndex::default(),
                        span,
                        anchor,
                    });
                }
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, start, anchor) = match b.stack.pop() {
                    Some(Frame::Seq { items, span, anchor }) => (Value::Seq(items), span, anchor),
                    Some(Frame::Map { mut pairs, keys, span, anchor, .. }) => {
                        keys.finish(&mut pairs);
                        (Value::Map(pairs), span, anchor)
                    }
                    None => break,
                };
                // A block collection's end event sits at the next key; end at
                // the last child instead so highlights do not spill over.
                let last_child = match &value {
                    Value::Seq(items) => items.last().map(|n| n.span),
                    Value::Map(pairs) => pairs.last().map(|(_, v)| v.span),
                    _ => None,
                };
                let end = match last_child {
                    Some(c) if c.end <= span.end => c,
                    _ => span,
                };
                let end = if end.end < start.start { start } else { end };
                let full = Span { end_line: end.end_line, end_col: end.end_col, end: end.end, ..start };
                let node = Node { value, span: full, text: String::new(), quoted: false };
                if anchor > 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                b.attach(node)
            }
        };
        if let Some(root) = finished {
            doc_root = Some(root);
        }
    }
    if let Some(root) = doc_root.take() {
        if b.stack.is_empty() {
            out.documents.push(Document { root });
        }
    }
    // Unwind any half-built collections without deep recursion in Drop: the
    // depth limit above keeps them shallow.
    b.stack.clear();
    out.diagnostics = b.diagnostics;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_resolve_by_core_schema() {
        let s = parse_stream("a: 1\nb: '1'\nc: true\nd: null\ne: 1.5\nf: text\ng:\n");
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        let root = &s.documents[0].root;
        assert_eq!(root.get("a").map(|n| &n.value), Some(&Value::Int(1)));
        assert_eq!(root.get("b").map(|n| &n.value), Some(&Value::Str("1".into())));
        assert_eq!(root.get("c").map(|n| &n.value), Some(&Value::Bool(true)));
        assert_eq!(root.get("d").map(|n| &n.value), Some(&Value::Null));
        assert_eq!(root.get("e").map(|n| &n.value), Some(&Value::Float(1.5)));
        assert_eq!(root.get("g").map(|n| &n.value), Some(&Value::Null));
    }

    #[test]
    fn spans_are_one_based() {
        let s = parse_stream("title: x\ndetection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n");
        let root = &s.documents[0].root;
        let det = root.get("detection").and_then(|d| d.get("sel")).and_then(|s| s.as_map()).map(|m| &m[0]);
        let (k, v) = det.map(|(k, v)| (k.span, v.span)).unwrap_or_default();
        assert_eq!((k.line, k.col), (4, 5));
        assert_eq!((v.line, v.col), (4, 21));
    }

    #[test]
    fn block_list_span_ends_at_its_last_item() {
        let s = parse_stream("a:\n  - x\n  - yy\nb: z\n");
        let a = s.documents[0].root.get("a").map(|n| n.span).unwrap_or_default();
        assert_eq!((a.line, a.end_line, a.end_col), (2, 3, 7));
    }

    #[test]
    fn multi_document() {
        let s = parse_stream("a: 1\n---\nb: 2\n");
        assert_eq!(s.documents.len(), 2);
    }

    #[test]
    fn syntax_error_has_position() {
        let s = parse_stream("a: [1, 2\nb: 3\n");
        assert!(s.diagnostics.iter().any(|d| d.code == "yaml-syntax" && d.line() >= 1));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let s = parse_stream(&text);
        assert!(s.diagnostics.iter().any(|d| d.is_error()));
        let text = (0..10_000).map(|i| format!("{}- ", " ".repeat(i * 2))).collect::<Vec<_>>().join("\n");
        let s = parse_stream(&text);
        assert!(s.diagnostics.iter().any(|d| d.is_error()));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            text.push_str(&format!("{n}: &{n} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = n;
        }
        let s = parse_stream(&text);
        assert!(s.diagnostics.iter().any(|d| d.code == "yaml-alias-bomb"));
    }

    #[test]
    fn duplicate_key_warns_and_last_wins() {
        let s = parse_stream("a: 1\na: 2\n");
        assert!(s.diagnostics.iter().any(|d| d.code == "yaml-duplicate-key"));
        assert_eq!(s.documents[0].root.get("a").map(|n| &n.value), Some(&Value::Int(2)));
    }

    /// Small maps are scanned, large ones indexed: both keep the same order
    /// (the replaced pair goes, the new one is last) and tell `1` from `'1'`.
    #[test]
    fn duplicate_keys_small_and_large_maps_agree() {
        for n in [3usize, 40] {
            let mut text: String = (0..n).map(|i| format!("k{i}: {i}\n")).collect();
            text.push_str("'1': s\n1: a\nk0: again\n'1': t\n");
            let s = parse_stream(&text);
            let dups = s.diagnostics.iter().filter(|d| d.code == "yaml-duplicate-key").count();
            assert_eq!(dups, 2, "n={n}: {:?}", s.diagnostics);
            let Some(pairs) = s.documents[0].root.as_map() else { panic!("not a map") };
            let keys: Vec<String> = pairs.iter().map(|(k, _)| k.text.clone()).collect();
            assert_eq!(keys.len(), n + 2, "n={n}: {keys:?}");
            assert_eq!(keys[keys.len() - 3..], ["1".to_string(), "k0".to_string(), "1".to_string()], "n={n}");
            assert_eq!(pairs[keys.len() - 3].0.value, Value::Int(1));
            assert_eq!(pairs[keys.len() - 1].1.value, Value::Str("t".into()));
            assert_eq!(s.documents[0].root.get("k0").map(|n| n.text.as_str()), Some("again"));
        }
    }
}
