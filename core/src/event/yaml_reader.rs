//! The YAML side of the reader: documents read with saphyr-parser (the
//! parser rules and pipelines use too, so the WebAssembly carries one YAML
//! parser, not two), placed in the text by a line scan, made into events.
//!
//! Values resolve as serde_yaml_ng resolved them when it read events (YAML
//! 1.2 core schema; the first version of this reader used it):
//! - plain `~`, `null`, `Null`, `NULL` and the empty scalar are null;
//!   `true`/`True`/`TRUE`/`false`/... are booleans;
//! - integers: decimal with an optional sign, `0x`/`0o`/`0b` (also after `-`);
//!   a leading zero followed by digits (`0123`) is text; beyond 64 bits an
//!   integer is kept as its decimal text;
//! - floats as Rust reads them, plus `.inf`/`-.inf`/`.nan`, which become the
//!   texts `inf`/`-inf`/`NaN` (JSON has no such numbers);
//! - quoted and block scalars are text; `!!str`, `!!int`, `!!float`,
//!   `!!bool`, `!!null` force a type; any other tag (`!custom 5`) is ignored
//!   and the value read as if untagged.
//!
//! Aliases are expanded under a budget shared by the whole stream (about
//! twice the text length, as a document without aliases costs at most that),
//! and nesting is limited, since pasted text is hostile input.

use std::collections::HashMap;

use saphyr_parser::{Event as ParserEvent, Parser, ScalarStyle, StrInput, Tag};
use serde_json::{Number, Value};

use crate::base::diag::Diagnostic;

use super::node::Node;
use super::read::{Reader, MAX_DEPTH};
use super::{EventBatch, EventFormat};

/// Collections nested deeper than this are refused.
const MAX_NESTING: usize = 128;
/// Alias expansion over budget.
const BUDGET_MESSAGE: &str = "alias expansion too large";

/// Why a YAML stream stopped; each kind has its own diagnostic code.
pub(super) enum ErrorKind {
    Syntax,
    /// Alias expansion over budget.
    TooLarge,
    TooDeep,
}

/// The error that ends a YAML stream.
pub(super) struct YamlError {
    pub kind: ErrorKind,
    pub message: String,
    /// Byte offset in the text read.
    pub at: Option<usize>,
}

/// A collection still being read, with the anchor it will be stored under
/// (0 for none).
enum Frame {
    Seq { items: Vec<Node>, anchor: usize },
    Map { entries: Vec<(String, Node)>, key: Option<Node>, anchor: usize },
}

/// The documents of a YAML text, one `Node` each (null for an empty one).
pub(super) struct Documents<'t> {
    text: &'t str,
    parser: Parser<'t, StrInput<'t>>,
    /// Anchored nodes and what expanding them costs.
    anchors: HashMap<usize, (Node, u64)>,
    budget: u64,
    done: bool,
}

impl<'t> Documents<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        let budget = u64::try_from(text.len()).unwrap_or(u64::MAX).saturating_mul(2).saturating_add(100_000);
        Documents { text, parser: Parser::new_from_str(text), anchors: HashMap::new(), budget, done: false }
    }

    /// Ends the stream with an error at a char index (saphyr counts chars).
    fn fail(&mut self, kind: ErrorKind, message: String, char_index: Option<usize>) -> Option<Result<Node, YamlError>> {
        self.done = true;
        let at = char_index.map(|i| self.text.char_indices().nth(i).map_or(self.text.len(), |(b, _)| b));
        Some(Err(YamlError { kind, message, at }))
    }

    /// Takes `cost` from the alias budget; false when it does not cover it.
    fn charge_budget(&mut self, cost: u64) -> bool {
        match self.budget.checked_sub(cost) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => false,
        }
    }
}

impl Iterator for Documents<'_> {
    type Item = Result<Node, YamlError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Node> = None;
        let mut in_document = false;
        loop {
            let (event, span) = match self.parser.next_event() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Err(e)) => {
                    let (info, at) = (e.info().to_string(), e.marker().index());
                    return self.fail(ErrorKind::Syntax, info, Some(at));
                }
                Some(Ok(ev)) => ev,
            };
            let at = span.start.index();
            let node = match event {
                ParserEvent::StreamEnd => {
                    self.done = true;
                    return None;
                }
                ParserEvent::StreamStart | ParserEvent::Nothing => continue,
                ParserEvent::DocumentStart(_) => {
                    in_document = true;
                    self.anchors.clear();
                    continue;
                }
                ParserEvent::DocumentEnd => {
                    if in_document {
                        return Some(Ok(root.unwrap_or(Node::Leaf(Value::Null))));
                    }
                    continue;
                }
                ParserEvent::Scalar(value, style, anchor, tag) => {
                    let v = match scalar(&value, style, tag.as_deref()) {
                        Ok(v) => v,
                        Err(message) => return self.fail(ErrorKind::Syntax, message, Some(at)),
                    };
                    let cost = match &v {
                        Value::String(s) => s.len() as u64 + 1,
                        _ => 1,
                    };
                    if !self.charge_budget(cost) {
                        return self.fail(ErrorKind::TooLarge, BUDGET_MESSAGE.into(), Some(at));
                    }
                    let node = Node::Leaf(v);
                    if anchor > 0 {
                        self.anchors.insert(anchor, (node.clone(), cost));
                    }
                    node
                }
                ParserEvent::Alias(id) => {
                    let Some((node, cost)) = self.anchors.get(&id) else {
                        return self.fail(ErrorKind::Syntax, "unknown anchor".into(), Some(at));
                    };
                    let (node, cost) = (node.clone_if(*cost <= self.budget), *cost);
                    if !self.charge_budget(cost) {
                        return self.fail(ErrorKind::TooLarge, BUDGET_MESSAGE.into(), Some(at));
                    }
                    match node {
                        Some(n) => n,
                        None => return self.fail(ErrorKind::TooLarge, BUDGET_MESSAGE.into(), Some(at)),
                    }
                }
                ParserEvent::SequenceStart(anchor, _) | ParserEvent::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_NESTING {
                        return self.fail(ErrorKind::TooDeep, "recursion limit exceeded".into(), Some(at));
                    }
                    if !self.charge_budget(1) {
                        return self.fail(ErrorKind::TooLarge, BUDGET_MESSAGE.into(), Some(at));
                    }
                    stack.push(if matches!(event, ParserEvent::SequenceStart(..)) {
                        Frame::Seq { items: Vec::new(), anchor }
                    } else {
                        Frame::Map { entries: Vec::new(), key: None, anchor }
                    });
                    continue;
                }
                ParserEvent::SequenceEnd | ParserEvent::MappingEnd => {
                    let (node, anchor) = match stack.pop() {
                        Some(Frame::Seq { items, anchor }) => (Node::Arr(items), anchor),
                        Some(Frame::Map { entries, anchor, .. }) => (Node::Obj(entries), anchor),
                        None => continue,
                    };
                    if anchor > 0 {
                        let cost = node.cost();
                        self.anchors.insert(anchor, (node.clone(), cost));
                    }
                    node
                }
            };
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Seq { items, .. }) => items.push(node),
                Some(Frame::Map { entries, key, .. }) => match key.take() {
                    None => *key = Some(node),
                    Some(k) => {
                        let name = match k {
                            Node::Leaf(Value::String(s)) => s,
                            // YAML allows any key; field names are text.
                            other => other.into_value().to_string(),
                        };
                        entries.push((name, node));
                    }
                },
            }
        }
    }
}

impl Node {
    /// What expanding this node costs the alias budget: one per node, plus
    /// the length of each text.
    fn cost(&self) -> u64 {
        match self {
            Node::Leaf(Value::String(s)) => s.len() as u64 + 1,
            Node::Leaf(_) => 1,
            Node::Arr(items) => items.iter().fold(1u64, |a, n| a.saturating_add(n.cost())),
            Node::Obj(entries) => entries.iter().fold(1u64, |a, (_, n)| a.saturating_add(n.cost())),
        }
    }

    /// A copy, only when `ok`: an alias over budget is refused before it is
    /// copied.
    fn clone_if(&self, ok: bool) -> Option<Node> {
        ok.then(|| self.clone())
    }
}

/// A scalar's value from its text, style and tag.
fn scalar(v: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    if let Some(t) = tag.filter(|t| t.is_yaml_core_schema()) {
        let bad = |what: &str| format!("invalid value: string {v:?}, expected {what}");
        return match t.suffix.as_str() {
            "bool" => bool_value(v).map(Value::Bool).ok_or_else(|| bad("a boolean")),
            "int" => int_value(v).ok_or_else(|| bad("an integer")),
            "float" => float_value(v).map(from_f64).ok_or_else(|| bad("a float")),
            "null" => matches!(v, "null" | "Null" | "NULL" | "~").then_some(Value::Null).ok_or_else(|| bad("null")),
            _ => Ok(Value::String(v.to_owned())),
        };
    }
    // Other tags (`!custom`) are dropped: the value reads as if untagged.
    if !matches!(style, ScalarStyle::Plain) {
        return Ok(Value::String(v.to_owned()));
    }
    if v.is_empty() || matches!(v, "null" | "Null" | "NULL" | "~") {
        return Ok(Value::Null);
    }
    if let Some(b) = bool_value(v) {
        return Ok(Value::Bool(b));
    }
    if let Some(i) = int_value(v) {
        return Ok(i);
    }
    if !leading_zero_digits(v) {
        if let Some(f) = float_value(v) {
            return Ok(from_f64(f));
        }
    }
    Ok(Value::String(v.to_owned()))
}

fn bool_value(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// JSON has no infinities or NaN: those are kept as Rust prints them.
fn from_f64(f: f64) -> Value {
    Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number)
}

/// `0123`, `-007`: digits after a leading zero are text in YAML 1.2.
fn leading_zero_digits(v: &str) -> bool {
    let d = v.strip_prefix(['-', '+']).unwrap_or(v);
    d.len() > 1 && d.starts_with('0') && d.bytes().skip(1).all(|b| b.is_ascii_digit())
}

/// An integer scalar: up to 64 bits a number, beyond that its decimal text.
fn int_value(v: &str) -> Option<Value> {
    if let Some(u) = unsigned(v) {
        return Some(match u64::try_from(u) {
            Ok(small) => Value::Number(small.into()),
            Err(_) => Value::String(u.to_string()),
        });
    }
    negative(v).map(|i| match i64::try_from(i) {
        Ok(small) => Value::Number(small.into()),
        Err(_) => Value::String(i.to_string()),
    })
}

const RADIXES: [(&str, u32); 3] = [("0x", 16), ("0o", 8), ("0b", 2)];

/// `+`? then a decimal, `0x`, `0o` or `0b` number.
fn unsigned(v: &str) -> Option<u128> {
    let body = v.strip_prefix('+').unwrap_or(v);
    for (prefix, radix) in RADIXES {
        if let Some(rest) = body.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = u128::from_str_radix(rest, radix) {
                return Some(n);
            }
        }
    }
    if body.starts_with(['+', '-']) || leading_zero_digits(v) {
        return None;
    }
    body.parse::<u128>().ok()
}

/// A negative number: `-` then decimal, `0x`, `0o` or `0b` digits.
fn negative(v: &str) -> Option<i128> {
    let rest = v.strip_prefix('-')?;
    for (prefix, radix) in RADIXES {
        if let Some(digits) = rest.strip_prefix(prefix) {
            if let Some(n) =
                digits.strip_prefix(['+', '-']).map_or_else(|| u128::from_str_radix(digits, radix).ok(), |_| None)
            {
                return 0i128.checked_sub_unsigned(n);
            }
        }
    }
    if leading_zero_digits(v) || rest.starts_with(['+', '-']) {
        return None;
    }
    rest.parse::<u128>().ok().and_then(|n| 0i128.checked_sub_unsigned(n))
}

fn float_value(v: &str) -> Option<f64> {
    let body = match v.strip_prefix('+') {
        Some(b) if b.starts_with(['+', '-']) => return None,
        Some(b) => b,
        None => v,
    };
    match (body, v) {
        (".inf" | ".Inf" | ".INF", _) => return Some(f64::INFINITY),
        (_, "-.inf" | "-.Inf" | "-.INF") => return Some(f64::NEG_INFINITY),
        (_, ".nan" | ".NaN" | ".NAN") => return Some(f64::NAN),
        _ => {}
    }
    crate::base::float::parse_f64(body).filter(|f| f.is_finite())
}

/// A YAML document's place in the text, found by scanning for `---`/`...`
/// markers ([`Documents`] yields values, not where they are).
#[derive(Debug, Clone, Default)]
struct YamlDoc {
    start: usize,
    end: usize,
    has_content: bool,
    /// Top-level `- ` items at column 0: (start, end) of each.
    items: Vec<(usize, usize)>,
}

/// Whether `line` starts with `marker` (`---`, `...`, or `-` for a sequence
/// item) followed by a blank or nothing.
fn starts_with_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Document boundaries in YAML text. A line starting with `---` or `...` is
/// always a marker (YAML forbids such lines inside scalars), so a line scan
/// agrees with the parser.
fn scan_yaml_docs(text: &str) -> Vec<YamlDoc> {
    let mut docs: Vec<YamlDoc> = Vec::new();
    let mut open = false;
    let mut offset = 0usize;
    for raw in text.split_inclusive('\n') {
        let s = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let content_end = s + line.trim_end().len();
        if starts_with_marker(line, "---") {
            let rest = line.get(3..).unwrap_or("").trim_start();
            let mut doc = YamlDoc { start: s, end: content_end, ..YamlDoc::default() };
            if !rest.is_empty() && !rest.starts_with('#') {
                doc.start = s + (line.len() - rest.len());
                doc.has_content = true;
            }
            docs.push(doc);
            open = true;
            continue;
        }
        if starts_with_marker(line, "...") {
            open = false;
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || (!open && line.starts_with('%')) {
            continue;
        }
        if !open {
            docs.push(YamlDoc { start: s + indent, end: content_end, ..YamlDoc::default() });
            open = true;
        }
        let Some(doc) = docs.last_mut() else { continue };
        if !doc.has_content {
            doc.start = s + indent;
            doc.has_content = true;
        }
        doc.end = content_end;
        if starts_with_marker(line, "-") {
            doc.items.push((s, content_end));
        } else if let Some(item) = doc.items.last_mut() {
            item.1 = content_end;
        }
    }
    docs
}

impl Reader<'_> {
    /// Every mapping document, or mapping item of a sequence document, is an
    /// event; reading stops at the first error.
    pub(super) fn read_yaml(mut self, body_start: usize) -> EventBatch {
        let text = self.text;
        let body = text.get(body_start..).unwrap_or("");
        let docs = scan_yaml_docs(body);
        for (i, doc) in Documents::new(body).enumerate() {
            let place = docs.get(i);
            let doc_span = place.map(|d| self.index.span(body_start + d.start, body_start + d.end));
            match doc {
                Ok(Node::Arr(items)) => {
                    let item_places = place.map(|d| d.items.as_slice()).filter(|p| p.len() == items.len());
                    for (j, item) in items.into_iter().enumerate() {
                        let span = item_places
                            .and_then(|p| p.get(j))
                            .map(|&(s, e)| self.index.span(body_start + s, body_start + e))
                            .or(doc_span)
                            .unwrap_or_else(|| self.index.point(body_start));
                        self.push(item, span, "YAML sequence item");
                    }
                }
                // An empty document (a trailing `---`, a comment-only paste) is not a mistake.
                Ok(node) if node.is_null() => {}
                Ok(node) => {
                    let span = doc_span.unwrap_or_else(|| self.index.point(body_start));
                    self.push(node, span, "YAML document");
                }
                Err(e) => {
                    let span = e.at.map(|a| self.index.point(body_start + a)).or(doc_span);
                    let message = e.message;
                    let d = match e.kind {
                        ErrorKind::TooLarge => Diagnostic::error(
                            "event-too-large",
                            format!(
                                "YAML aliases expand to far more data than the text holds ({message}); \
                                 refusing to expand them"
                            ),
                            span,
                        ),
                        ErrorKind::TooDeep => Diagnostic::error(
                            "event-too-deep",
                            format!("values nested more than {MAX_DEPTH} levels deep are not supported ({message})"),
                            span,
                        ),
                        ErrorKind::Syntax => {
                            Diagnostic::error("event-syntax", format!("YAML syntax error: {message}"), span)
                        }
                    };
                    self.diagnostics.push(d);
                    break;
                }
            }
        }
        self.finish(EventFormat::Yaml)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_events;
    use super::super::tests::{codes, names, one, pos};
    use super::*;
    use serde_json::json;
    use std::time::{Duration, Instant};

    fn plain(v: &str) -> Value {
        scalar(v, ScalarStyle::Plain, None).unwrap_or(Value::Null)
    }

    #[test]
    fn plain_scalars_resolve_like_before() {
        use serde_json::json;
        assert_eq!(plain("12"), json!(12));
        assert_eq!(plain("+12"), json!(12));
        assert_eq!(plain("-12"), json!(-12));
        assert_eq!(plain("0x1F"), json!(31));
        assert_eq!(plain("-0x10"), json!(-16));
        assert_eq!(plain("0o17"), json!(15));
        assert_eq!(plain("0b101"), json!(5));
        assert_eq!(plain("0123"), json!("0123"));
        assert_eq!(plain("-007"), json!("-007"));
        assert_eq!(plain("18446744073709551615"), json!(18_446_744_073_709_551_615u64));
        assert_eq!(plain("18446744073709551616"), json!("18446744073709551616"));
        assert_eq!(plain("-9223372036854775809"), json!("-9223372036854775809"));
        assert_eq!(plain("1.5"), json!(1.5));
        assert_eq!(plain("1e3"), json!(1000.0));
        assert_eq!(plain(".inf"), json!("inf"));
        assert_eq!(plain("-.inf"), json!("-inf"));
        assert_eq!(plain(".nan"), json!("NaN"));
        assert_eq!(plain("inf"), json!("inf"));
        assert_eq!(plain("0x+5"), json!("0x+5"));
        assert_eq!(plain("++1"), json!("++1"));
        assert_eq!(plain("yes"), json!("yes"));
        assert_eq!(plain("~"), Value::Null);
        assert_eq!(plain(""), Value::Null);
        assert_eq!(plain("True"), json!(true));
        assert_eq!(scalar("12", ScalarStyle::SingleQuoted, None).ok(), Some(json!("12")));
    }

    #[test]
    fn yaml_documents_and_sequences() {
        let text = "# events\nEventID: 1\nImage: 'C:\\x.exe'\n---\n\n- a: 1\n- b: 2\n  c: 3\n--- {z: 9}\n---\n";
        let b = parse_events(text);
        assert_eq!(b.format, EventFormat::Yaml);
        assert!(b.diagnostics.is_empty(), "{:?}", b.diagnostics);
        assert_eq!(b.events.len(), 4);
        assert_eq!(names(&b.events[0]), ["EventID", "Image"]);
        assert_eq!(b.events[0].get("Image"), Some(&json!("C:\\x.exe")));
        let spans: Vec<(u32, u32, u32)> =
            b.events.iter().map(|e| e.span().unwrap()).map(|s| (s.line, s.col, s.end_line)).collect();
        assert_eq!(spans, [(2, 1, 3), (6, 1, 6), (7, 1, 8), (9, 5, 9)]);
        assert_eq!(b.events[2].get("c"), Some(&json!(3)));
    }

    #[test]
    fn yaml_odd_values() {
        let e = one("1: one\ntrue: yes\nnull: ~\nt: !custom 5\nn: .nan\nbig: 123456789012345678901234567890\n");
        assert_eq!(e.get("1"), Some(&json!("one")));
        assert_eq!(e.get("true"), Some(&json!("yes")));
        assert_eq!(e.get("null"), Some(&Value::Null));
        assert_eq!(e.get("t"), Some(&json!(5)));
        assert_eq!(e.get("n"), Some(&json!("NaN")));
        assert!(e.get("big").is_some());
        let b = parse_events("just a line of text");
        assert_eq!(codes(&b), ["event-not-object"]);
        assert!(parse_events("# only a comment\n").events.is_empty());
    }

    #[test]
    fn yaml_syntax_error_position_and_earlier_documents_kept() {
        let b = parse_events("a: 1\n---\nb: 2\n---\nc: [1, 2\nd: 3\n");
        assert_eq!(b.events.len(), 2);
        assert_eq!(codes(&b), ["event-syntax"]);
        assert_eq!(b.diagnostics[0].line(), 6);
        let b = parse_events("a: 1\n  b: 2\n");
        assert_eq!(codes(&b), ["event-syntax"]);
        assert_eq!(pos(&b.diagnostics[0]), (2, 4));
    }

    #[test]
    fn yaml_billion_laughs_is_refused_quickly() {
        let mut text =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let r = format!("*{}", w[0]);
            text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], [r.as_str(); 9].join(",")));
        }
        let t = Instant::now();
        let b = parse_events(&text);
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        assert!(b.events.is_empty());
        assert_eq!(codes(&b), ["event-too-large"]);
    }

    #[test]
    fn yaml_quadratic_alias_expansion_is_refused() {
        // Few aliases (each within any per-alias limit),
        // yet 20,000 × 5,000 = 100 M nodes: our budget has to stop it.
        let mut text = format!("a: &a [{}]\nb: [", vec!["x"; 5_000].join(","));
        text.push_str(&vec!["*a"; 20_000].join(","));
        text.push_str("]\n");
        let t = Instant::now();
        let b = parse_events(&text);
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        assert_eq!(codes(&b), ["event-too-large"]);
        // Honest use of aliases still works.
        let e = one("base: &b {x: 1}\nfirst: *b\nsecond: *b\n");
        assert_eq!(e.get("second.x"), Some(&json!(1)));
    }
}
