//! Events in, normalised records out.
//!
//! [`parse_events`] reads pasted text (JSON, NDJSON, concatenated JSON, YAML)
//! into [`Event`]s; [`Event::get`] is the field lookup the matcher uses. Every
//! failure is a [`Diagnostic`] with a position; nothing here panics, whatever
//! the input (deep nesting, alias bombs, 5 MB pastes).
//!
//! # Input formats
//!
//! The first non-whitespace char decides (a UTF-8 BOM is skipped):
//! - `{` or `[`: JSON. The text is read as a sequence of top-level values
//!   separated by whitespace, which covers one object ([`EventFormat::JsonObject`]),
//!   one array of objects (`JsonArray`), one object per line (`JsonLines`,
//!   NDJSON) and objects one after another in any layout (`JsonStream`, e.g.
//!   pretty-printed evtx dumps). Elements of a top-level array are events.
//!   If the very first value is not JSON but the whole text reads as YAML
//!   (`{EventID: 1}` is YAML flow syntax), it is read as YAML with a warning.
//! - anything else: YAML, one or more documents. A document that is a mapping
//!   is an event; a document that is a sequence contributes each mapping in it;
//!   empty documents are ignored. Custom tags (`!foo x`) are dropped, the value kept.
//! - only whitespace: [`EventFormat::Empty`], no events.
//!
//! Items that are not objects (`[1, {"a": 2}]`) are skipped with a warning
//! (`event-not-object`). Syntax errors are reported (`event-syntax`) at their
//! line/column and the events read before them are kept; in JSON, reading
//! resumes at the next line that starts with `{` (so one bad NDJSON line does
//! not hide the rest), up to 20 errors. Nesting past serde's limit (128
//! levels, kept on purpose) is refused (`event-too-deep`). YAML alias
//! expansion is capped at about twice the input size (`event-too-large`), which
//! stops billion-laughs and its slower quadratic cousins.
//!
//! # Normalisation (the field names rules see)
//!
//! Three shapes ([`EventShape`]):
//! - **Flat**: top-level keys are the field names, unchanged, in input order.
//!   Duplicate keys: the last value wins, at the position of the first.
//! - **Nested**: as Flat, and a dotted rule field `a.b.c` also finds
//!   `{"a":{"b":{"c":…}}}`. A literal key wins over the path at every level
//!   (`"a.b.c"` first, then `"a.b"`→`c`, then `a`→`"b.c"`, then `a`→`b`→`c`).
//!   A numeric segment indexes an array (`a.0.b`); otherwise [`Event::get`]
//!   returns the first array element that has the path, and
//!   [`Event::get_all`] returns all of them. Arrays of scalars stay arrays;
//!   the matcher treats them as "any element matches".
//! - **Evtx**: Windows events rendered as JSON (`{"Event": {"System": …,
//!   "EventData"/"UserData": …}}`, or the same without the `Event` wrapper when
//!   both `System` and `EventData`/`UserData` are there), flattened to the
//!   names Sigma rules use (Sigma spec, sigma-rules-specification.md lines
//!   476-488, "Clarification on Windows events from the EventViewer"):
//!   - `EventData` children are fields: `Image`, `CommandLine`, …; the list
//!     form `{"Data": [{"#attributes": {"Name": "Image"}, "#text": "…"}]}`
//!     (also `@Name`) gives the same names. Data without a name is collected
//!     into a field `Data` (a scalar for one, an array for several).
//!     Attributes of `<EventData>` itself become `EventData_<attr>` (our
//!     extension of the spec's `Tag_Attribute` rule, which names only System;
//!     seen once in SigmaHQ's regression data: `Name="TaskDisabled"`).
//!   - `UserData` has one wrapper element (e.g. `LogFileCleared`) that is
//!     skipped, as Windows tooling does: its children are fields (deeper
//!     elements stay objects, reachable with dotted names); the wrapper's
//!     non-xmlns attributes become `<Wrapper>_<attr>`.
//!   - `System` elements are fields (`EventID`, `Channel`, `Computer`, `Level`,
//!     `Task`, `Opcode`, `Keywords`, `EventRecordID`, `Version`); attributes
//!     are `<Element>_<Attribute>` (`Provider_Name`, `Provider_Guid`,
//!     `TimeCreated_SystemTime`, `Execution_ProcessID`, `Security_UserID`,
//!     `EventID_Qualifiers`); an element with text and attributes
//!     (`{"#attributes": …, "#text": 4688}`) gives its text under its own name.
//!     Decimal strings in System become numbers (`"4688"` → `4688`), since
//!     some converters render every value as a string.
//!   - `xmlns` attributes are dropped everywhere.
//!   - Field names from EventData/UserData have their spaces removed
//!     (`Source Name` → `SourceName`): spec line 469, "use them as they appear
//!     in the log source and strip all spaces". The spaced name still finds
//!     the field through [`Event::get`].
//!   - On a name clash EventData/UserData win over System, which wins over
//!     other children of `Event` (kept as-is, e.g. `RenderingInfo`), which win
//!     over other top-level keys next to `Event`.
//!   - A dotted path that is not a field is also tried on the original
//!     document (`Event.System.Provider.#attributes.Name`).
//!
//! Duplicate names inside one priority level: the last wins, at the position
//! of the first. [`Event::fields`] lists System fields first, then EventData,
//! as in the XML.
//!
//! # Field name matching
//!
//! Exact and case-sensitive. The spec makes *values* case-insensitive (line
//! 361, "All values are treated as case-insensitive strings") but says nothing
//! of the kind for field names, and tells authors to use names "as they
//! appear in the log source" (line 469); so there is no case-insensitive
//! fallback. The one fallback is spaces, from the same line 469: a rule field
//! `SourceName` finds an event key `Source Name` in every shape.
//!
//! # Non-object values
//!
//! [`Event::from_json`] on a non-object (a string log line, a number, an
//! array) gives an event with no fields, shape Flat, whose value is still
//! visited by [`Event::for_each_string_value`], so keyword rules can match a
//! bare log line. [`parse_events`] instead skips such items with a warning.
//!
//! # Serialised form
//!
//! `EventShape`/`EventFormat` serialise in snake_case (`"evtx"`,
//! `"json_lines"`); an [`Event`] as `{shape, span, fields, original}` with
//! `fields` an object in input order.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::base::diag::{Diagnostic, Span};
use crate::base::text::LineIndex;

mod yaml_reader;

/// Nesting serde_json accepts (its limit of 128 counts the level that fails);
/// repeated here for messages.
const MAX_DEPTH: usize = 127;
/// Stop reporting after this many syntax errors in one paste.
const MAX_SYNTAX_ERRORS: usize = 20;
/// Stop listing skipped non-object items after this many warnings.
const MAX_SKIP_WARNINGS: usize = 20;
/// Probes allowed when resolving one dotted field name; bounds adversarial
/// combinations of dotted keys and long rule field names.
const MAX_PATH_PROBES: u32 = 1024;
/// Beyond this, `from_json` keeps subtrees as they are instead of converting
/// them recursively (only the top few levels are ever normalised).
const MAX_CONVERT_DEPTH: usize = 256;
/// Falling back from broken JSON to YAML re-reads the text; not worth it for
/// large pastes, which are machine-made JSON anyway.
const MAX_YAML_FALLBACK_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventShape {
    Flat,
    Nested,
    Evtx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventFormat {
    JsonObject,
    JsonArray,
    /// NDJSON: one object per line.
    JsonLines,
    /// Concatenated values, e.g. pretty-printed objects one after another.
    JsonStream,
    /// One or more YAML documents.
    Yaml,
    Empty,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventBatch {
    pub events: Vec<Event>,
    pub format: EventFormat,
    pub diagnostics: Vec<Diagnostic>,
}

/// An open-addressing hash table from field name to position in `fields`:
/// field lookup dominates matching one rule, and a probe or two beats a
/// binary search over strings. Load stays at most one half, so a probe
/// sequence always reaches an empty slot.
#[derive(Debug, Clone, PartialEq, Default)]
struct FieldIndex {
    /// (name hash, position + 1); position 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
}

impl FieldIndex {
    fn build<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> FieldIndex {
        let size = (names.len() * 2).max(4).next_power_of_two();
        let mut slots = vec![(0u32, 0u32); size];
        let mask = size - 1;
        for (i, name) in names.enumerate() {
            let Ok(position) = u32::try_from(i + 1) else { break };
            let h = name_hash(name);
            let mut at = h as usize & mask;
            while slots.get(at).is_some_and(|s| s.1 != 0) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = (h, position);
            }
        }
        FieldIndex { slots }
    }

    /// The position of `name`, confirmed by `name_at`.
    fn find<'a>(&self, name: &str, name_at: impl Fn(usize) -> Option<&'a str>) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let h = name_hash(name);
        let mut at = h as usize & mask;
        loop {
            let &(slot_hash, position) = self.slots.get(at)?;
            if position == 0 {
                return None;
            }
            let i = position as usize - 1;
            if slot_hash == h && name_at(i) == Some(name) {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }
}

/// A fast, non-cryptographic hash of a field name (names come from the
/// event, so a collision costs a probe, never a wrong answer).
fn name_hash(name: &str) -> u32 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = name.len() as u64;
    let mut chunks = name.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let mut w = [0u8; 8];
    let rest = chunks.remainder();
    w[..rest.len()].copy_from_slice(rest);
    h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    (h >> 32) as u32
}

/// One normalised event. See the module docs for how fields are derived.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Normalised top-level fields, in input order, unique names.
    fields: Vec<(String, Value)>,
    /// Name → position in `fields`.
    by_name: FieldIndex,
    /// Other names that find a field (spaces stripped or restored).
    aliases: Vec<(String, u32)>,
    original: Value,
    shape: EventShape,
    span: Option<Span>,
}

impl Event {
    /// See the module docs, "Non-object values", for what non-objects become.
    pub fn from_json(value: Value) -> Event {
        Event::from_node(Node::from_value(value, 0), None)
    }

    pub fn shape(&self) -> EventShape {
        self.shape
    }

    /// Where the event is in the pasted text: for JSON from its first to past
    /// its last char; for YAML the document (or sequence item) content. `None`
    /// when built with [`Event::from_json`].
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// The event as pasted, for display. Object keys are in serde_json's map
    /// order (sorted unless its `preserve_order` feature is on); use
    /// [`Event::fields`] for input order.
    pub fn original(&self) -> &Value {
        &self.original
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Field lookup: exact name, then a spaces-stripped/restored alias, then a
    /// dotted path (see the module docs). Case-sensitive.
    pub fn get(&self, field: &str) -> Option<&Value> {
        if let Some(v) = self.exact(field) {
            return Some(v);
        }
        if let Some(v) = self.alias(field) {
            return Some(v);
        }
        if field.contains('.') {
            let mut out = Vec::new();
            self.resolve_dotted(field, &mut out, false);
            return out.into_iter().next();
        }
        None
    }

    /// Like [`Event::get`], but a dotted path that crosses arrays of objects
    /// returns the value from every element (for "any element matches").
    pub fn get_all(&self, field: &str) -> Vec<&Value> {
        if let Some(v) = self.exact(field).or_else(|| self.alias(field)) {
            return vec![v];
        }
        let mut out = Vec::new();
        if field.contains('.') {
            self.resolve_dotted(field, &mut out, true);
        }
        out
    }

    /// Calls `f` with every leaf value of the normalised fields as text
    /// (numbers and booleans rendered, nulls skipped; object keys are not
    /// visited), in field order; returns true as soon as `f` does. An event
    /// without fields visits its original value instead (a bare log line).
    pub fn for_each_string_value(&self, f: &mut dyn FnMut(&str) -> bool) -> bool {
        let mut stack: Vec<&Value> = Vec::new();
        if self.fields.is_empty() {
            stack.push(&self.original);
        } else {
            stack.extend(self.fields.iter().rev().map(|(_, v)| v));
        }
        let mut buf = String::new();
        // An explicit stack: values built by callers may nest deeper than ours.
        while let Some(v) = stack.pop() {
            let hit = match v {
                Value::Null => false,
                Value::Bool(b) => f(if *b { "true" } else { "false" }),
                Value::Number(n) => {
                    buf.clear();
                    let _ = fmt::Write::write_fmt(&mut buf, format_args!("{n}"));
                    f(&buf)
                }
                Value::String(s) => f(s),
                Value::Array(items) => {
                    stack.extend(items.iter().rev());
                    false
                }
                Value::Object(map) => {
                    let start = stack.len();
                    stack.extend(map.values());
                    if let Some(tail) = stack.get_mut(start..) {
                        tail.reverse();
                    }
                    false
                }
            };
            if hit {
                return true;
            }
        }
        false
    }

    /// Every name [`Event::get`] answers without a dotted path, with its
    /// value: the fields, then the aliases (which never shadow a field).
    /// For per-event lookup tables built by the matcher.
    pub(crate) fn for_each_direct<'a>(&'a self, mut f: impl FnMut(&'a str, &'a Value)) {
        for (k, v) in &self.fields {
            f(k.as_str(), v);
        }
        for (a, i) in &self.aliases {
            if let Some((_, v)) = self.fields.get(*i as usize) {
                f(a.as_str(), v);
            }
        }
    }

    /// Number of names [`Event::for_each_direct`] visits.
    pub(crate) fn direct_len(&self) -> usize {
        self.fields.len() + self.aliases.len()
    }

    fn exact(&self, name: &str) -> Option<&Value> {
        let i = self.by_name.find(name, |i| self.fields.get(i).map(|(k, _)| k.as_str()))?;
        self.fields.get(i).map(|(_, v)| v)
    }

    fn alias(&self, name: &str) -> Option<&Value> {
        let (_, i) = self.aliases.iter().find(|(a, _)| a == name)?;
        self.fields.get(*i as usize).map(|(_, v)| v)
    }

    fn resolve_dotted<'a>(&'a self, path: &str, out: &mut Vec<&'a Value>, all: bool) {
        let mut probes = MAX_PATH_PROBES;
        // A longer literal key is the more specific reading of the name.
        for (dot, _) in path.rmatch_indices('.') {
            let (Some(head), Some(rest)) = (path.get(..dot), path.get(dot + 1..)) else { continue };
            if let Some(v) = self.exact(head).or_else(|| self.alias(head)) {
                let before = out.len();
                resolve_in(v, rest, out, all, &mut probes);
                if out.len() > before {
                    return;
                }
            }
        }
        if self.shape == EventShape::Evtx {
            resolve_in(&self.original, path, out, all, &mut probes);
        }
    }

    fn from_node(node: Node, span: Option<Span>) -> Event {
        let original = node.to_value();
        let (b, shape) = match node {
            Node::Obj(entries) => match evtx_parts(&entries) {
                Some(parts) => (flatten_evtx(&entries, parts), EventShape::Evtx),
                None => {
                    let mut b = FieldsBuilder::default();
                    for (k, v) in entries {
                        b.put(k, v.into_value(), 0);
                    }
                    b.alias_stripped_spaces();
                    let nested = b.fields.iter().any(|(_, v)| match v {
                        Value::Object(_) => true,
                        Value::Array(items) => items.iter().any(Value::is_object),
                        _ => false,
                    });
                    (b, if nested { EventShape::Nested } else { EventShape::Flat })
                }
            },
            Node::Leaf(_) | Node::Arr(_) => (FieldsBuilder::default(), EventShape::Flat),
        };
        b.finish(original, shape, span)
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Fields<'a>(&'a [(String, Value)]);
        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
        let mut st = s.serialize_struct("Event", 4)?;
        st.serialize_field("shape", &self.shape)?;
        st.serialize_field("span", &self.span)?;
        st.serialize_field("fields", &Fields(&self.fields))?;
        st.serialize_field("original", &self.original)?;
        st.end()
    }
}

/// One step of a dotted lookup below the top level: the literal remainder
/// first, then splits with the longest literal key first.
fn resolve_in<'a>(v: &'a Value, path: &str, out: &mut Vec<&'a Value>, all: bool, probes: &mut u32) {
    if *probes == 0 || (!all && !out.is_empty()) {
        return;
    }
    *probes -= 1;
    match v {
        Value::Object(map) => {
            if let Some(x) = map.get(path) {
                out.push(x);
                return;
            }
            for (dot, _) in path.rmatch_indices('.') {
                let (Some(head), Some(rest)) = (path.get(..dot), path.get(dot + 1..)) else { continue };
                if let Some(x) = map.get(head) {
                    let before = out.len();
                    resolve_in(x, rest, out, all, probes);
                    if out.len() > before {
                        return;
                    }
                }
            }
        }
        Value::Array(items) => {
            let (head, rest) = match path.split_once('.') {
                Some((h, r)) => (h, Some(r)),
                None => (path, None),
            };
            if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) {
                let Some(x) = head.parse::<usize>().ok().and_then(|i| items.get(i)) else { return };
                match rest {
                    None => out.push(x),
                    Some(r) => resolve_in(x, r, out, all, probes),
                }
                return;
            }
            for item in items {
                resolve_in(item, path, out, all, probes);
                if !all && !out.is_empty() {
                    return;
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Order-preserving parse tree
// ---------------------------------------------------------------------------

/// Parsed value that keeps object keys in input order; serde_json's `Map`
/// sorts them unless a feature is enabled that this crate does not control.
#[derive(Debug, Clone)]
enum Node {
    /// A scalar, or (from `from_json`, past `MAX_CONVERT_DEPTH`) any value.
    Leaf(Value),
    Arr(Vec<Node>),
    /// Duplicate keys are kept here; later stages let the last one win.
    Obj(Vec<(String, Node)>),
}

impl Node {
    fn from_value(v: Value, depth: usize) -> Node {
        if depth >= MAX_CONVERT_DEPTH {
            return Node::Leaf(v);
        }
        match v {
            Value::Array(items) => Node::Arr(items.into_iter().map(|x| Node::from_value(x, depth + 1)).collect()),
            Value::Object(map) => {
                Node::Obj(map.into_iter().map(|(k, x)| (k, Node::from_value(x, depth + 1))).collect())
            }
            other => Node::Leaf(other),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Node::Leaf(v) => v.clone(),
            Node::Arr(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Obj(entries) => {
                let mut m = Map::new();
                for (k, v) in entries {
                    m.insert(k.clone(), v.to_value());
                }
                Value::Object(m)
            }
        }
    }

    fn into_value(self) -> Value {
        match self {
            Node::Leaf(v) => v,
            Node::Arr(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Obj(entries) => {
                let mut m = Map::new();
                for (k, v) in entries {
                    m.insert(k, v.into_value());
                }
                Value::Object(m)
            }
        }
    }

    fn entries(&self) -> Option<&[(String, Node)]> {
        match self {
            Node::Obj(e) => Some(e),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Node::Leaf(Value::Null))
    }

    fn kind(&self) -> &'static str {
        match self {
            Node::Leaf(Value::Null) => "null",
            Node::Leaf(Value::Bool(_)) => "boolean",
            Node::Leaf(Value::Number(_)) => "number",
            Node::Leaf(Value::String(_)) => "string",
            Node::Leaf(Value::Array(_)) | Node::Arr(_) => "array",
            Node::Leaf(Value::Object(_)) | Node::Obj(_) => "object",
        }
    }
}

/// Last occurrence, matching how duplicate keys resolve elsewhere.
fn lookup<'a>(entries: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Alias expansion over budget (YAML events).
const BUDGET_MESSAGE: &str = "alias expansion too large";

/// Reads any JSON value as a [`Node`].
#[derive(Clone, Copy)]
struct NodeSeed;

impl NodeSeed {
    fn leaf<E: de::Error>(&self, v: Value) -> Result<Node, E> {
        Ok(Node::Leaf(v))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        NodeSeed.deserialize(d)
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        self.leaf(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        self.leaf(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        self.leaf(Value::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => self.leaf(Value::String(v.to_string())),
        }
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => self.leaf(Value::String(v.to_string())),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        // JSON numbers cannot be NaN/inf; YAML's `.nan`/`.inf` are kept as text.
        match Number::from_f64(v) {
            Some(n) => self.leaf(Value::Number(n)),
            None => self.leaf(Value::String(v.to_string())),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Leaf(Value::String(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Leaf(Value::String(v)))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Leaf(Value::String(String::from_utf8_lossy(v).into_owned())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        self.leaf(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        self.leaf(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(n) = seq.next_element_seed(self)? {
            items.push(n);
        }
        Ok(Node::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(k) = map.next_key_seed(self)? {
            let key = match k {
                Node::Leaf(Value::String(s)) => s,
                // YAML allows any key; JSON objects need text.
                other => other.into_value().to_string(),
            };
            let v = map.next_value_seed(self)?;
            entries.push((key, v));
        }
        Ok(Node::Obj(entries))
    }
}

// ---------------------------------------------------------------------------
// Field building and evtx flattening
// ---------------------------------------------------------------------------

#[derive(Default)]
struct FieldsBuilder {
    fields: Vec<(String, Value)>,
    priority: Vec<u8>,
    position: HashMap<String, usize>,
    /// (alias, field name) pairs.
    aliases: Vec<(String, String)>,
}

const PRIO_OUTER: u8 = 0;
const PRIO_EVENT_OTHER: u8 = 1;
const PRIO_SYSTEM: u8 = 2;
const PRIO_DATA: u8 = 3;

impl FieldsBuilder {
    /// Higher priority replaces, equal priority replaces (last duplicate
    /// wins), lower is ignored; a replaced field keeps its first position.
    fn put(&mut self, name: String, value: Value, prio: u8) {
        if let Some(&i) = self.position.get(&name) {
            let current = self.priority.get(i).copied().unwrap_or(0);
            if prio >= current {
                if let (Some(slot), Some(p)) = (self.fields.get_mut(i), self.priority.get_mut(i)) {
                    slot.1 = value;
                    *p = prio;
                }
            }
            return;
        }
        self.position.insert(name.clone(), self.fields.len());
        self.fields.push((name, value));
        self.priority.push(prio);
    }

    /// EventData-style name: spaces removed (spec line 469), the original
    /// spelling kept as an alias.
    fn put_data(&mut self, raw: &str, value: Value, prio: u8) {
        if raw.contains(' ') {
            let name: String = raw.chars().filter(|&c| c != ' ').collect();
            self.aliases.push((raw.to_owned(), name.clone()));
            self.put(name, value, prio);
        } else {
            self.put(raw.to_owned(), value, prio);
        }
    }

    /// Flat/nested events keep keys as they are but still answer to the
    /// spaces-stripped name (spec line 469).
    fn alias_stripped_spaces(&mut self) {
        for (k, _) in &self.fields {
            if k.contains(' ') {
                self.aliases.push((k.chars().filter(|&c| c != ' ').collect(), k.clone()));
            }
        }
    }

    fn finish(self, original: Value, shape: EventShape, span: Option<Span>) -> Event {
        let FieldsBuilder { fields, position, aliases, .. } = self;
        let by_name = FieldIndex::build(fields.iter().map(|(k, _)| k.as_str()));
        let mut resolved: Vec<(String, u32)> = Vec::new();
        for (alias, target) in aliases {
            if position.contains_key(&alias) || resolved.iter().any(|(a, _)| *a == alias) {
                continue;
            }
            if let Some(i) = position.get(&target).and_then(|&i| u32::try_from(i).ok()) {
                resolved.push((alias, i));
            }
        }
        Event { fields, by_name, aliases: resolved, original, shape, span }
    }
}

/// Where the evtx parts of a top-level object are.
struct EvtxParts {
    /// Key of the `Event` wrapper in the top-level object, if wrapped.
    wrapper: Option<usize>,
}

fn evtx_parts(top: &[(String, Node)]) -> Option<EvtxParts> {
    // Wrapped: the `Event` key (last occurrence) holding an object with System.
    if let Some(i) = top.iter().rposition(|(k, _)| k == "Event") {
        let inner = top.get(i).and_then(|(_, v)| v.entries())?;
        return lookup(inner, "System").and_then(Node::entries).map(|_| EvtxParts { wrapper: Some(i) });
    }
    // Unwrapped: only when it clearly is one, so a flat event that happens to
    // have a `System` field is left alone.
    let system = lookup(top, "System")?.entries()?;
    let has_system_keys = lookup(system, "EventID").is_some() || lookup(system, "Provider").is_some();
    let has_data = lookup(top, "EventData").is_some() || lookup(top, "UserData").is_some();
    (has_system_keys && has_data).then_some(EvtxParts { wrapper: None })
}

fn flatten_evtx(top: &[(String, Node)], parts: EvtxParts) -> FieldsBuilder {
    let mut b = FieldsBuilder::default();
    match parts.wrapper {
        Some(w) => {
            for (i, (k, v)) in top.iter().enumerate() {
                if i == w {
                    if let Some(inner) = v.entries() {
                        flatten_event_element(inner, &mut b);
                    }
                } else if k != "Event" {
                    b.put(k.clone(), v.to_value(), PRIO_OUTER);
                }
            }
        }
        None => flatten_event_element(top, &mut b),
    }
    b
}

/// Children of `<Event>`: System, EventData, UserData, others kept as-is.
fn flatten_event_element(entries: &[(String, Node)], b: &mut FieldsBuilder) {
    for (k, v) in entries {
        match k.as_str() {
            "System" => {
                if let Some(sys) = v.entries() {
                    for (name, el) in sys {
                        if attribute_name(name).is_none() && name != "#text" {
                            flatten_system_element(name, el, b, 0);
                        }
                    }
                }
            }
            "EventData" => flatten_event_data(v, b),
            "UserData" => flatten_user_data(v, b),
            _ if attribute_name(k).is_some() => {}
            _ => b.put(k.clone(), v.to_value(), PRIO_EVENT_OTHER),
        }
    }
}

/// `#attributes` holds attributes in evtx_dump output; xmltodict-style
/// converters write `@Name` instead. Returns `Some("")` for the former.
fn attribute_name(key: &str) -> Option<&str> {
    if key == "#attributes" {
        return Some("");
    }
    key.strip_prefix('@')
}

fn is_xmlns(attr: &str) -> bool {
    attr == "xmlns" || attr.starts_with("xmlns:")
}

/// Attributes of an element, from either convention, xmlns dropped.
fn attributes(entries: &[(String, Node)]) -> Vec<(&str, &Node)> {
    let mut out = Vec::new();
    for (k, v) in entries {
        match attribute_name(k) {
            Some("") => {
                if let Some(attrs) = v.entries() {
                    out.extend(attrs.iter().filter(|(a, _)| !is_xmlns(a)).map(|(a, x)| (a.as_str(), x)));
                }
            }
            Some(a) if !is_xmlns(a) => out.push((a, v)),
            _ => {}
        }
    }
    out
}

/// System values are numbers in evtx_dump output but strings in some other
/// converters; rules compare them either way, the UI shows them as numbers.
fn system_scalar(v: &Node) -> Value {
    match v {
        Node::Leaf(Value::String(s)) => {
            let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
            match s.parse::<u64>() {
                Ok(n) if plain => Value::Number(n.into()),
                _ => Value::String(s.clone()),
            }
        }
        other => other.to_value(),
    }
}

fn flatten_system_element(name: &str, el: &Node, b: &mut FieldsBuilder, depth: usize) {
    match el {
        // `<Correlation />`: no attributes, no text, nothing to match.
        Node::Leaf(Value::Null) => {}
        Node::Obj(entries) => {
            for (attr, v) in attributes(entries) {
                if !v.is_null() {
                    b.put(format!("{name}_{attr}"), system_scalar(v), PRIO_SYSTEM);
                }
            }
            if let Some(text) = lookup(entries, "#text") {
                b.put(name.to_owned(), system_scalar(text), PRIO_SYSTEM);
            }
            for (child, v) in entries {
                if attribute_name(child).is_some() || child == "#text" {
                    continue;
                }
                // Unknown nested elements: `Parent_Child`, a few levels at most.
                if depth < 4 {
                    flatten_system_element(&format!("{name}_{child}"), v, b, depth + 1);
                }
            }
        }
        other => b.put(name.to_owned(), system_scalar(other), PRIO_SYSTEM),
    }
}

/// The value of a named data element: its text when it is an element with
/// attributes (`{"#attributes": …, "#text": "x"}`), otherwise as-is.
fn element_value(v: &Node) -> Value {
    if let Some(entries) = v.entries() {
        let only_text_and_attrs = entries.iter().all(|(k, _)| k == "#text" || attribute_name(k).is_some());
        if only_text_and_attrs {
            return lookup(entries, "#text").map_or(Value::Null, Node::to_value);
        }
    }
    v.to_value()
}

fn flatten_event_data(v: &Node, b: &mut FieldsBuilder) {
    let mut unnamed: Vec<Value> = Vec::new();
    match v {
        Node::Leaf(Value::Null) => {}
        Node::Obj(entries) => {
            for (attr, x) in attributes(entries) {
                b.put(format!("EventData_{attr}"), x.to_value(), PRIO_DATA);
            }
            for (k, x) in entries {
                if attribute_name(k).is_some() {
                    continue;
                }
                match k.as_str() {
                    "#text" => push_unnamed(x, &mut unnamed),
                    "Data" => match x {
                        Node::Arr(items) => {
                            for item in items {
                                data_item(item, b, &mut unnamed);
                            }
                        }
                        other => data_item(other, b, &mut unnamed),
                    },
                    _ => b.put_data(k, element_value(x), PRIO_DATA),
                }
            }
        }
        // Some converters emit EventData as the bare list of Data elements.
        Node::Arr(items) => {
            for item in items {
                data_item(item, b, &mut unnamed);
            }
        }
        Node::Leaf(other) => unnamed.push(other.clone()),
    }
    put_unnamed(unnamed, b);
}

/// One `<Data>` element: `{"#attributes": {"Name": n}, "#text": t}`,
/// `{"@Name": n, "#text": t}` or `{"Name": n, "#text": t}` is a named field;
/// text without a name is collected as `Data`; an object of plain keys is a
/// set of named fields (another converter's way of writing EventData).
fn data_item(item: &Node, b: &mut FieldsBuilder, unnamed: &mut Vec<Value>) {
    match item {
        Node::Obj(entries) => {
            let attrs = attributes(entries);
            let text = lookup(entries, "#text");
            let name =
                attrs.iter().find(|(a, _)| *a == "Name").map(|(_, n)| *n).or_else(|| text.and(lookup(entries, "Name")));
            match name {
                Some(Node::Leaf(Value::String(n))) => {
                    b.put_data(n, text.map_or(Value::Null, Node::to_value), PRIO_DATA);
                }
                _ => match text {
                    Some(t) => push_unnamed(t, unnamed),
                    None => {
                        for (k, x) in entries {
                            if attribute_name(k).is_none() {
                                b.put_data(k, element_value(x), PRIO_DATA);
                            }
                        }
                    }
                },
            }
        }
        other => push_unnamed(other, unnamed),
    }
}

fn push_unnamed(v: &Node, unnamed: &mut Vec<Value>) {
    match v {
        Node::Leaf(Value::Null) => {}
        Node::Arr(items) => unnamed.extend(items.iter().filter(|x| !x.is_null()).map(Node::to_value)),
        other => unnamed.push(other.to_value()),
    }
}

fn put_unnamed(mut unnamed: Vec<Value>, b: &mut FieldsBuilder) {
    match unnamed.len() {
        0 => {}
        1 => {
            if let Some(v) = unnamed.pop() {
                b.put("Data".to_owned(), v, PRIO_DATA);
            }
        }
        _ => b.put("Data".to_owned(), Value::Array(unnamed), PRIO_DATA),
    }
}

fn flatten_user_data(v: &Node, b: &mut FieldsBuilder) {
    let Some(entries) = v.entries() else {
        if !v.is_null() {
            b.put("UserData".to_owned(), v.to_value(), PRIO_DATA);
        }
        return;
    };
    for (wrapper, inner) in entries {
        if attribute_name(wrapper).is_some() {
            continue;
        }
        match inner {
            Node::Obj(children) => {
                for (attr, x) in attributes(children) {
                    b.put(format!("{wrapper}_{attr}"), x.to_value(), PRIO_DATA);
                }
                for (k, x) in children {
                    if attribute_name(k).is_some() {
                        continue;
                    }
                    if k == "#text" {
                        b.put_data(wrapper, x.to_value(), PRIO_DATA);
                    } else {
                        b.put_data(k, element_value(x), PRIO_DATA);
                    }
                }
            }
            Node::Leaf(Value::Null) => {}
            other => b.put_data(wrapper, other.to_value(), PRIO_DATA),
        }
    }
}

// ---------------------------------------------------------------------------
// Parsing pasted text
// ---------------------------------------------------------------------------

/// Reads pasted text into events; see the module docs for formats and limits.
pub fn parse_events(text: &str) -> EventBatch {
    let body_start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let body = text.get(body_start..).unwrap_or("");
    let Some(first) = body.char_indices().find(|(_, c)| !c.is_whitespace()) else {
        return EventBatch { events: Vec::new(), format: EventFormat::Empty, diagnostics: Vec::new() };
    };
    let index = LineIndex::new(text);
    let is_json = matches!(first.1, '{' | '[') && body.get(..first.0).is_some_and(|ws| ws.bytes().all(is_json_ws));
    if !is_json {
        return Reader::new(text, &index).read_yaml(body_start);
    }
    let mut json = Reader::new(text, &index);
    let format = json.read_json(body_start + first.0);
    let json_batch = json.finish(format);
    if json_batch.events.is_empty() && json.first_value_failed && body.len() <= MAX_YAML_FALLBACK_BYTES {
        let yaml = Reader::new(text, &index).read_yaml(body_start);
        if !yaml.events.is_empty() && !crate::base::diag::has_errors(&yaml.diagnostics) {
            let mut diagnostics: Vec<Diagnostic> = json_batch
                .diagnostics
                .into_iter()
                .filter(|d| d.code == "event-syntax")
                .take(1)
                .map(|d| {
                    Diagnostic::warning(
                        "event-syntax",
                        format!("{}; read as YAML instead (YAML flow syntax allows unquoted keys)", d.message),
                        d.span,
                    )
                })
                .collect();
            diagnostics.extend(yaml.diagnostics);
            return EventBatch { events: yaml.events, format: EventFormat::Yaml, diagnostics };
        }
    }
    json_batch
}

fn is_json_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_json_ws(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while bytes.get(pos).is_some_and(|&b| is_json_ws(b)) {
        pos += 1;
    }
    pos
}

struct JsonFailure {
    at: usize,
    message: String,
    too_deep: bool,
}

/// serde puts " at line X column Y" (libyaml also " at position N") into
/// messages; the diagnostic's span says it better: in chars, and relative to
/// the whole text rather than the slice serde was given.
fn strip_position(message: &str) -> String {
    fn after_number(s: &str) -> Option<&str> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        s.get(n..)
    }
    fn after_position(s: &str) -> Option<&str> {
        if let Some(r) = s.strip_prefix(" at line ").and_then(after_number) {
            return r.strip_prefix(" column ").and_then(after_number).or(Some(r));
        }
        s.strip_prefix(" at position ").and_then(after_number)
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at ") {
        let (head, tail) = (rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or(""));
        out.push_str(head);
        match after_position(tail) {
            Some(r) => rest = r,
            None => {
                out.push_str(" at ");
                rest = tail.get(4..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses one JSON value starting at `pos` (after whitespace); returns the
/// node and the byte offset just past it.
fn parse_json_value(text: &str, pos: usize) -> Result<(Node, usize), JsonFailure> {
    let sub = text.get(pos..).unwrap_or("");
    let mut stream = serde_json::Deserializer::from_str(sub).into_iter::<Node>();
    match stream.next() {
        Some(Ok(node)) => Ok((node, pos + stream.byte_offset())),
        Some(Err(e)) => {
            // serde_json counts lines by `\n` and columns in bytes, 1-based at
            // the offending byte (0 at EOF after a newline).
            let line_start = match e.line() {
                0 | 1 => 0,
                n => sub.match_indices('\n').nth(n - 2).map_or(sub.len(), |(i, _)| i + 1),
            };
            let col = if e.is_eof() { e.column() } else { e.column().saturating_sub(1) };
            let at = pos + (line_start + col).min(sub.len());
            let message = strip_position(&e.to_string());
            let too_deep = message.starts_with("recursion limit exceeded");
            Err(JsonFailure { at, message, too_deep })
        }
        None => Err(JsonFailure { at: text.len(), message: "EOF while parsing a value".into(), too_deep: false }),
    }
}

/// A YAML document's place in the text, found by scanning for `---`/`...`
/// markers (libyaml does not expose node positions through serde).
#[derive(Debug, Clone, Default)]
struct YamlDoc {
    start: usize,
    end: usize,
    has_content: bool,
    /// Top-level `- ` items at column 0: (start, end) of each.
    items: Vec<(usize, usize)>,
}

fn is_marker(line: &str, marker: &str) -> bool {
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
        if is_marker(line, "---") {
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
        if is_marker(line, "...") {
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
        if is_marker(line, "-") {
            doc.items.push((s, content_end));
        } else if let Some(item) = doc.items.last_mut() {
            item.1 = content_end;
        }
    }
    docs
}

/// Accumulates events and diagnostics for one parse.
struct Reader<'t> {
    text: &'t str,
    index: &'t LineIndex,
    events: Vec<Event>,
    diagnostics: Vec<Diagnostic>,
    skipped: usize,
    first_value_failed: bool,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str, index: &'t LineIndex) -> Self {
        Reader { text, index, events: Vec::new(), diagnostics: Vec::new(), skipped: 0, first_value_failed: false }
    }

    fn finish(&mut self, format: EventFormat) -> EventBatch {
        if self.skipped > MAX_SKIP_WARNINGS {
            self.diagnostics.push(Diagnostic::warning(
                "event-not-object",
                format!("{} more items that are not objects were skipped", self.skipped - MAX_SKIP_WARNINGS),
                None,
            ));
        }
        EventBatch {
            events: std::mem::take(&mut self.events),
            format,
            diagnostics: std::mem::take(&mut self.diagnostics),
        }
    }

    fn push(&mut self, node: Node, span: Span, what: &str) {
        if let Node::Obj(_) = node {
            self.events.push(Event::from_node(node, Some(span)));
            return;
        }
        self.skipped += 1;
        if self.skipped <= MAX_SKIP_WARNINGS {
            self.diagnostics.push(Diagnostic::warning(
                "event-not-object",
                format!("skipped a {} ({}): an event must be an object of fields", what, node.kind()),
                Some(span),
            ));
        }
    }

    fn json_error(&mut self, f: &JsonFailure) {
        let span = Some(self.index.point(f.at));
        self.diagnostics.push(if f.too_deep {
            Diagnostic::error(
                "event-too-deep",
                format!("values nested more than {MAX_DEPTH} levels deep are not supported ({})", f.message),
                span,
            )
        } else {
            Diagnostic::error("event-syntax", format!("JSON syntax error: {}", f.message), span)
        });
    }

    fn at_line_start(&self, pos: usize) -> bool {
        pos == 0
            || matches!(self.text.as_bytes().get(pos - 1), Some(b'\n' | b'\r') | None)
            || self.text.get(..pos) == Some("\u{feff}")
    }

    /// Returns the format; events and diagnostics accumulate in `self`.
    fn read_json(&mut self, start: usize) -> EventFormat {
        let text = self.text;
        let mut pos = start;
        let (mut tops, mut arrays, mut errors) = (0usize, 0usize, 0usize);
        let mut line_oriented = true;
        loop {
            pos = skip_json_ws(text, pos);
            if pos >= text.len() {
                break;
            }
            tops += 1;
            if text.as_bytes().get(pos) == Some(&b'[') {
                arrays += 1;
                line_oriented = false;
                match self.read_json_array(pos, tops == 1) {
                    Some(end) => {
                        pos = end;
                        continue;
                    }
                    None => break,
                }
            }
            match parse_json_value(text, pos) {
                Ok((node, end)) => {
                    let one_line = !text.get(pos..end).unwrap_or("").contains('\n');
                    if !(one_line && self.at_line_start(pos) && matches!(node, Node::Obj(_))) {
                        line_oriented = false;
                    }
                    self.push(node, self.index.span(pos, end), "top-level JSON value");
                    pos = end;
                }
                Err(f) => {
                    if tops == 1 {
                        self.first_value_failed = !f.too_deep;
                    }
                    self.json_error(&f);
                    errors += 1;
                    if errors >= MAX_SYNTAX_ERRORS {
                        self.diagnostics.push(Diagnostic::info(
                            "event-syntax",
                            format!("stopped reading after {MAX_SYNTAX_ERRORS} errors"),
                            Some(self.index.point(f.at)),
                        ));
                        break;
                    }
                    // Resume at the next line that starts an object: the
                    // failed value's own lines are indented or are its `}`.
                    match next_object_line(text, pos) {
                        Some(next) => pos = next,
                        None => break,
                    }
                }
            }
        }
        match (tops, arrays) {
            (1, 1) => EventFormat::JsonArray,
            (1, _) => EventFormat::JsonObject,
            _ if line_oriented => EventFormat::JsonLines,
            _ => EventFormat::JsonStream,
        }
    }

    /// A top-level array, element by element so each event gets its own span
    /// and elements before an error are kept. Returns the offset past `]`,
    /// `None` after an error (resyncing inside an array is guesswork).
    fn read_json_array(&mut self, open: usize, first_top: bool) -> Option<usize> {
        let text = self.text;
        let mut pos = skip_json_ws(text, open + 1);
        let mut first_element = true;
        if text.as_bytes().get(pos) == Some(&b']') {
            return Some(pos + 1);
        }
        loop {
            if pos >= text.len() {
                self.fail_array(pos, "EOF while parsing a list", first_top && first_element);
                return None;
            }
            match parse_json_value(text, pos) {
                Ok((node, end)) => {
                    self.push(node, self.index.span(pos, end), "JSON array element");
                    pos = skip_json_ws(text, end);
                }
                Err(f) => {
                    if first_top && first_element {
                        self.first_value_failed = !f.too_deep;
                    }
                    self.json_error(&f);
                    return None;
                }
            }
            first_element = false;
            match text.as_bytes().get(pos) {
                Some(b',') => {
                    pos = skip_json_ws(text, pos + 1);
                    if text.as_bytes().get(pos) == Some(&b']') {
                        self.fail_array(pos, "trailing comma", false);
                        return None;
                    }
                }
                Some(b']') => return Some(pos + 1),
                None => {
                    self.fail_array(pos, "EOF while parsing a list", false);
                    return None;
                }
                Some(_) => {
                    self.fail_array(pos, "expected `,` or `]`", false);
                    return None;
                }
            }
        }
    }

    fn fail_array(&mut self, at: usize, message: &str, first: bool) {
        if first {
            self.first_value_failed = true;
        }
        self.json_error(&JsonFailure { at, message: message.to_owned(), too_deep: false });
    }

    fn read_yaml(mut self, body_start: usize) -> EventBatch {
        let text = self.text;
        let body = text.get(body_start..).unwrap_or("");
        let docs = scan_yaml_docs(body);
        for (i, doc) in yaml_reader::Documents::new(body).enumerate() {
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
                        yaml_reader::ErrorKind::TooLarge => Diagnostic::error(
                            "event-too-large",
                            format!(
                                "YAML aliases expand to far more data than the text holds ({message}); \
                                 refusing to expand them"
                            ),
                            span,
                        ),
                        yaml_reader::ErrorKind::TooDeep => Diagnostic::error(
                            "event-too-deep",
                            format!("values nested more than {MAX_DEPTH} levels deep are not supported ({message})"),
                            span,
                        ),
                        yaml_reader::ErrorKind::Syntax => {
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

/// Start of the next line after `pos`'s line whose first byte is `{`.
fn next_object_line(text: &str, pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = pos;
    loop {
        let nl = bytes.get(i..)?.iter().position(|&b| b == b'\n')?;
        i += nl + 1;
        if bytes.get(i) == Some(&b'{') {
            return Some(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::{Duration, Instant};

    const REGRESSION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/sigmahq/regression_data");

    fn read_regression(rel: &str) -> String {
        let path = format!("{REGRESSION}/{rel}");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn one(text: &str) -> Event {
        let b = parse_events(text);
        assert_eq!(b.events.len(), 1, "{:?}", b.diagnostics);
        b.events.into_iter().next().unwrap()
    }

    fn names(e: &Event) -> Vec<&str> {
        e.fields().map(|(k, _)| k).collect()
    }

    fn codes(b: &EventBatch) -> Vec<&str> {
        b.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    fn pos(d: &Diagnostic) -> (u32, u32) {
        (d.line(), d.col())
    }

    // ---- formats ---------------------------------------------------------

    #[test]
    fn flat_object_keeps_input_order_and_span() {
        let b = parse_events("\n  {\"Image\": \"C:\\\\a.exe\", \"CommandLine\": \"a -x\", \"EventID\": 1}\n");
        assert_eq!(b.format, EventFormat::JsonObject);
        assert!(b.diagnostics.is_empty());
        let e = &b.events[0];
        assert_eq!(e.shape(), EventShape::Flat);
        assert_eq!(names(e), ["Image", "CommandLine", "EventID"]);
        assert_eq!(e.get("Image"), Some(&json!("C:\\a.exe")));
        assert_eq!(e.get("EventID"), Some(&json!(1)));
        assert_eq!(e.get("image"), None, "field names are case-sensitive");
        let s = e.span().unwrap();
        assert_eq!((s.line, s.col, s.end_line), (2, 3, 2));
        assert_eq!(e.original()["CommandLine"], json!("a -x"));
    }

    #[test]
    fn duplicate_keys_last_wins_first_position() {
        let e = one(r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(names(&e), ["a", "b"]);
        assert_eq!(e.get("a"), Some(&json!(3)));
    }

    #[test]
    fn json_array_elements_with_spans_and_skipped_scalars() {
        let b = parse_events("[\n  {\"a\": 1},\n  2,\n  {\"b\": \"x\"}\n]");
        assert_eq!(b.format, EventFormat::JsonArray);
        assert_eq!(b.events.len(), 2);
        assert_eq!(b.events[1].span().map(|s| (s.line, s.col, s.end_col)), Some((4, 3, 13)));
        assert_eq!(codes(&b), ["event-not-object"]);
        assert_eq!(pos(&b.diagnostics[0]), (3, 3));
        assert!(!b.diagnostics[0].is_error());
        assert_eq!(parse_events("[]").events.len(), 0);
        assert_eq!(parse_events("[ ]").format, EventFormat::JsonArray);
    }

    #[test]
    fn ndjson() {
        let text = "{\"a\": 1}\n{\"a\": 2}\r\n\n{\"a\": 3}\n";
        let b = parse_events(text);
        assert_eq!(b.format, EventFormat::JsonLines);
        assert_eq!(b.events.len(), 3);
        let lines: Vec<u32> = b.events.iter().map(|e| e.span().unwrap().line).collect();
        assert_eq!(lines, [1, 2, 4]);
        assert!(b.diagnostics.is_empty());
    }

    #[test]
    fn ndjson_bad_line_is_reported_and_the_rest_is_read() {
        let text = "{\"a\": 1}\n{\"a\": 2, oops}\n{\"a\": 3}\n{\"a\": 4\n{\"a\": 5}\n";
        let b = parse_events(text);
        let got: Vec<&Value> = b.events.iter().filter_map(|e| e.get("a")).collect();
        assert_eq!(got, [&json!(1), &json!(3), &json!(5)]);
        assert_eq!(codes(&b), ["event-syntax", "event-syntax"]);
        assert_eq!(pos(&b.diagnostics[0]), (2, 10));
        // The unterminated object runs into the next line; the error is there.
        assert_eq!(pos(&b.diagnostics[1]), (5, 1));
        assert_eq!(b.format, EventFormat::JsonLines);
    }

    #[test]
    fn json_stream_of_pretty_objects() {
        let text = "{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}{\"a\": 3}";
        let b = parse_events(text);
        assert_eq!(b.format, EventFormat::JsonStream);
        let spans: Vec<(u32, u32, u32, u32)> =
            b.events.iter().map(|e| e.span().unwrap()).map(|s| (s.line, s.col, s.end_line, s.end_col)).collect();
        assert_eq!(spans, [(1, 1, 3, 2), (4, 1, 6, 2), (6, 2, 6, 10)]);
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
    fn yaml_flow_that_is_not_json_falls_back_with_a_warning() {
        let b = parse_events("{EventID: 4688, Image: 'C:\\x.exe'}");
        assert_eq!(b.format, EventFormat::Yaml);
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.events[0].get("EventID"), Some(&json!(4688)));
        assert_eq!(codes(&b), ["event-syntax"]);
        assert!(!b.diagnostics[0].is_error());
        // Broken JSON that is not YAML either keeps the JSON error.
        let b = parse_events("{\"a\": 1 \"b\": 2}");
        assert!(b.events.is_empty());
        assert_eq!(codes(&b), ["event-syntax"]);
        assert!(b.diagnostics[0].is_error());
        assert_eq!(pos(&b.diagnostics[0]), (1, 9));
    }

    #[test]
    fn empty_inputs() {
        for t in ["", "   \n\t\r\n", "\u{feff}", "\u{feff}  \n"] {
            let b = parse_events(t);
            assert_eq!(b.format, EventFormat::Empty, "{t:?}");
            assert!(b.events.is_empty() && b.diagnostics.is_empty());
        }
    }

    #[test]
    fn bom_is_skipped_and_positions_count_it_as_a_char() {
        let b = parse_events("\u{feff}{\"a\": 1}\n{\"a\": x}");
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.events[0].span().map(|s| (s.line, s.col)), Some((1, 2)));
        assert_eq!(pos(&b.diagnostics[0]), (2, 7));
        let b = parse_events("\u{feff}a: 1\nb: [\n");
        assert_eq!(b.format, EventFormat::Yaml);
        assert_eq!(codes(&b), ["event-syntax"]);
        assert_eq!(b.diagnostics[0].line(), 3);
    }

    // ---- errors ----------------------------------------------------------

    #[test]
    fn json_syntax_error_positions() {
        let b = parse_events("{\"a\": 1,\n  \"b\": x}");
        assert_eq!(codes(&b), ["event-syntax"]);
        assert_eq!(pos(&b.diagnostics[0]), (2, 8));
        assert!(!b.diagnostics[0].message.contains("at line"), "{}", b.diagnostics[0].message);
        // Columns count chars, not bytes.
        let b = parse_events("{\"é日\": \"🎉\", x}");
        assert_eq!(pos(&b.diagnostics[0]), (1, 13));
        // EOF points at the end.
        let b = parse_events("{\"a\": [1,\n2");
        assert_eq!(pos(&b.diagnostics[0]), (2, 2));
        // Array driver errors, and the elements before them are kept.
        let b = parse_events("[{\"a\": 1}, {\"a\": 2},]");
        assert_eq!(b.events.len(), 2);
        assert_eq!(pos(&b.diagnostics[0]), (1, 21));
        assert!(b.diagnostics[0].message.contains("trailing comma"));
        let b = parse_events("[{\"a\": 1} {\"a\": 2}]");
        assert_eq!(b.events.len(), 1);
        assert_eq!(pos(&b.diagnostics[0]), (1, 11));
        let b = parse_events("[{\"a\": 1},\n {\"a\": ");
        assert_eq!(b.events.len(), 1);
        assert_eq!(pos(&b.diagnostics[0]), (2, 8));
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
    fn positions_are_stripped_from_messages() {
        assert_eq!(strip_position("expected value at line 1 column 7"), "expected value");
        assert_eq!(
            strip_position(
                "did not find expected ',' at line 6 column 1, while parsing a flow sequence at line 5 column 4"
            ),
            "did not find expected ',', while parsing a flow sequence"
        );
        assert_eq!(strip_position("bad at position 12"), "bad");
        assert_eq!(strip_position("look at line x"), "look at line x");
        assert_eq!(strip_position("a at "), "a at ");
    }

    #[test]
    fn many_errors_stop_early() {
        let text = "{x}\n".repeat(1000);
        let b = parse_events(&text);
        assert_eq!(b.diagnostics.iter().filter(|d| d.is_error()).count(), MAX_SYNTAX_ERRORS);
        let text = format!("[{}]", vec!["1"; 500].join(","));
        let b = parse_events(&text);
        assert_eq!(b.diagnostics.len(), MAX_SKIP_WARNINGS + 1);
        assert!(b.diagnostics.last().unwrap().message.contains("480 more"));
    }

    #[test]
    fn deep_nesting_is_a_diagnostic() {
        let n = 10_000;
        let cases = [
            ("[".repeat(n) + &"]".repeat(n), "event-too-deep"),
            ("{\"a\":".repeat(n) + "1" + &"}".repeat(n), "event-too-deep"),
            (format!("{{\"ok\": 1}}\n{}", "[".repeat(n)), "event-too-deep"),
            (format!("x: {}{}", "[".repeat(n), "]".repeat(n)), ""),
            (format!("x: {}1{}", "{a: ".repeat(n), "}".repeat(n)), ""),
        ];
        for (text, code) in cases {
            let t = Instant::now();
            let b = parse_events(&text);
            assert!(t.elapsed() < Duration::from_secs(5));
            let d = b.diagnostics.iter().find(|d| d.is_error()).expect("an error");
            if !code.is_empty() {
                assert_eq!(d.code, code, "{}", d.message);
            }
            assert!(d.span.is_some());
        }
        let b = parse_events(&("[".repeat(200) + &"]".repeat(200)));
        assert_eq!(b.diagnostics[0].code, "event-too-deep");
        // The top-level array is ours; serde refuses the element's 128th level.
        assert_eq!(pos(&b.diagnostics[0]), (1, 129));
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

    // ---- lookup ----------------------------------------------------------

    #[test]
    fn nested_lookup_rules() {
        let e = Event::from_json(json!({
            "a": {"b": {"c": "path"}, "b.c": "inner literal"},
            "a.b.c": "literal",
            "x": {"y": {"z": 1}},
            "x.y": {"z": 2},
            "arr": [{"k": 1}, {"k": 2}, {"other": 3}],
            "tags": ["t1", "t2"],
            "deep": {"list": [{"m": {"n": "found"}}]}
        }));
        assert_eq!(e.shape(), EventShape::Nested);
        assert_eq!(e.span(), None);
        assert_eq!(e.get("a.b.c"), Some(&json!("literal")));
        assert_eq!(e.get("x.y.z"), Some(&json!(2)), "longest literal prefix first");
        assert_eq!(e.get("arr.1.k"), Some(&json!(2)));
        assert_eq!(e.get("arr.k"), Some(&json!(1)));
        assert_eq!(e.get_all("arr.k"), vec![&json!(1), &json!(2)]);
        assert_eq!(e.get("arr.9.k"), None);
        assert_eq!(e.get("tags"), Some(&json!(["t1", "t2"])));
        assert_eq!(e.get("deep.list.m.n"), Some(&json!("found")));
        assert_eq!(e.get("a.nope"), None);
        assert_eq!(e.get("a."), None);
        assert_eq!(e.get("."), None);
        let e = Event::from_json(json!({"a": {"b.c": "inner literal", "b": {"c": 0}}}));
        assert_eq!(e.get("a.b.c"), Some(&json!("inner literal")));
        let flat = Event::from_json(json!({"tags": ["a", "b"], "n": 1}));
        assert_eq!(flat.shape(), EventShape::Flat);
    }

    #[test]
    fn spaces_in_names_follow_spec_line_469() {
        let e = Event::from_json(json!({"Source Name": "x", "Other": 1}));
        assert_eq!(e.get("SourceName"), Some(&json!("x")));
        assert_eq!(e.get("Source Name"), Some(&json!("x")));
        assert_eq!(names(&e), ["Other", "Source Name"]);
        // A real key of that name wins over the alias.
        let e = one(r#"{"Source Name": "spaced", "SourceName": "exact"}"#);
        assert_eq!(e.get("SourceName"), Some(&json!("exact")));
        assert_eq!(e.get("sourcename"), None);
    }

    #[test]
    fn from_json_non_objects() {
        for v in [json!("a bare log line with mimikatz"), json!(42), json!([1, "mimikatz"]), Value::Null] {
            let e = Event::from_json(v.clone());
            assert_eq!(e.fields().count(), 0);
            assert_eq!(e.shape(), EventShape::Flat);
            assert_eq!(e.original(), &v);
            let mut seen = Vec::new();
            e.for_each_string_value(&mut |s| {
                seen.push(s.to_owned());
                false
            });
            assert_eq!(seen.iter().any(|s| s.contains("mimikatz")), v.to_string().contains("mimikatz"), "{v}");
        }
    }

    #[test]
    fn keyword_visit_renders_and_stops_early() {
        let e = one(
            r#"{"s": "text", "n": 4688, "f": 1.5, "b": false, "z": null, "arr": ["x", {"k": "y"}], "o": {"p": "q"}}"#,
        );
        let mut seen = Vec::new();
        let stopped = e.for_each_string_value(&mut |s| {
            seen.push(s.to_owned());
            false
        });
        assert!(!stopped);
        assert_eq!(seen, ["text", "4688", "1.5", "false", "x", "y", "q"]);
        let mut count = 0;
        assert!(e.for_each_string_value(&mut |s| {
            count += 1;
            s == "4688"
        }));
        assert_eq!(count, 2);
    }

    // ---- evtx ------------------------------------------------------------

    #[test]
    fn evtx_real_single_event() {
        let text = read_regression(
            "rules-threat-hunting/windows/image_load/image_load_win_werfaultsecure_dbgcore_dbghelp_load/8a2f4b1c-3d5e-4f7a-9b2c-1e4f6d8a9c2b.json",
        );
        let b = parse_events(&text);
        assert_eq!(b.format, EventFormat::JsonObject);
        let e = &b.events[0];
        assert_eq!(e.shape(), EventShape::Evtx);
        assert_eq!(e.get("EventID"), Some(&json!(7)));
        assert_eq!(e.get("Channel"), Some(&json!("Microsoft-Windows-Sysmon/Operational")));
        assert_eq!(e.get("Provider_Name"), Some(&json!("Microsoft-Windows-Sysmon")));
        assert_eq!(e.get("Provider_Guid"), Some(&json!("5770385F-C22A-43E0-BF4C-06F5698FFBD9")));
        assert_eq!(e.get("TimeCreated_SystemTime"), Some(&json!("2025-11-27T07:40:10.165324Z")));
        assert_eq!(e.get("Execution_ProcessID"), Some(&json!(3544)));
        assert_eq!(e.get("Execution_ThreadID"), Some(&json!(4272)));
        assert_eq!(e.get("Security_UserID"), Some(&json!("S-1-5-18")));
        assert_eq!(e.get("Keywords"), Some(&json!("0x8000000000000000")));
        assert_eq!(e.get("ImageLoaded"), Some(&json!("C:\\Windows\\System32\\dbgcore.dll")));
        assert_eq!(e.get("Image"), Some(&json!("C:\\Windows\\System32\\WerFaultSecure.exe")));
        assert_eq!(e.get("Correlation"), None);
        assert_eq!(e.get("xmlns"), None);
        assert_eq!(e.get("Event.System.Provider.#attributes.Name"), Some(&json!("Microsoft-Windows-Sysmon")));
        // System first, then EventData, each in input order.
        let n = names(e);
        assert_eq!(n.first(), Some(&"Provider_Name"));
        assert_eq!(
            n.iter().position(|k| *k == "RuleName"),
            n.iter().position(|k| *k == "Security_UserID").map(|i| i + 1)
        );
        assert_eq!(n.last(), Some(&"User"));
        // Keyword search sees values, not the XML namespace.
        assert!(!e.for_each_string_value(&mut |s| s.contains("schemas.microsoft.com")));
        assert!(e.for_each_string_value(&mut |s| s.contains("dbgcore")));
    }

    #[test]
    fn evtx_real_concatenated_events() {
        let text = read_regression(
            "rules/windows/process_creation/proc_creation_win_dtrace_kernel_dump/7124aebe-4cd7-4ccb-8df0-6d6b93c96795.json",
        );
        let b = parse_events(&text);
        assert_eq!(b.format, EventFormat::JsonStream);
        assert_eq!(b.events.len(), 2);
        let lines: Vec<(u32, u32)> = b.events.iter().map(|e| e.span().unwrap()).map(|s| (s.line, s.end_line)).collect();
        assert_eq!(lines, [(1, 66), (67, 132)]);
        assert!(b.events.iter().all(|e| e.shape() == EventShape::Evtx && e.get("EventID") == Some(&json!(1))));
        assert_eq!(
            b.events[1].get("CommandLine"),
            Some(&json!("dtrace.exe  -w -n \"syscall:::return {lkd(0); exit(0);}\""))
        );
        let text = read_regression(
            "rules/windows/file/file_event/file_event_win_hktl_netexec_file_indicators/efc21479-9e83-41da-8cf1-122e06ba8db3.json",
        );
        let b = parse_events(&text);
        assert_eq!(b.events.len(), 7);
        assert!(b.diagnostics.is_empty());
    }

    #[test]
    fn evtx_real_event_data_attributes() {
        // `<EventData Name="TaskDisabled">`: an attribute on EventData itself.
        let text = read_regression(
            "rules/windows/builtin/taskscheduler/win_taskscheduler_susp_schtasks_delete_or_disable/9e3cb244-bdb8-4632-8c90-6079c8f4f16d.json",
        );
        let e = one(&text);
        assert_eq!(e.get("EventID"), Some(&json!(142)));
        assert_eq!(e.get("TaskName"), Some(&json!("\\Microsoft\\Windows\\SystemRestore\\SR")));
        assert_eq!(e.get("UserName"), Some(&json!("System")));
        assert_eq!(e.get("EventData_Name"), Some(&json!("TaskDisabled")));
        assert_eq!(e.get("Name"), None);
        assert_eq!(e.get("#attributes"), None);
    }

    #[test]
    fn evtx_real_user_data() {
        let text = read_regression(
            "rules/windows/builtin/wmi/win_wmi_activity_nteventlogfile_cleareventlog/d4f1a2b3-7c8e-4d5f-b6a9-1e0c2d3f4e5b.json",
        );
        let e = one(&text);
        assert_eq!(e.shape(), EventShape::Evtx);
        assert_eq!(e.get("EventID"), Some(&json!(5858)));
        let op = e.get("Operation").and_then(Value::as_str).unwrap_or("");
        assert!(op.contains("Win32_NTEventlogFile") && op.contains("cleareventlog"), "{op}");
        assert_eq!(e.get("ClientProcessId"), Some(&json!(25920)));
        assert_eq!(e.get("Operation_ClientFailure"), None);
        assert_eq!(e.get("Operation_ClientFailure_xmlns"), None);
    }

    #[test]
    fn evtx_real_spaced_defender_names() {
        let text = read_regression(
            "rules-emerging-threats/2026/Exploits/RedSun/win_defender_exploit_redsun_tiering_engine_detected_as_eicar/a7c3e5f2-8b1d-4e9a-b6c2-3d7f5e8a9b4c.json",
        );
        let e = one(&text);
        assert_eq!(e.get("SourceName"), Some(&json!("Real-Time Protection")));
        assert_eq!(e.get("Source Name"), Some(&json!("Real-Time Protection")));
        assert_eq!(e.get("ProcessName"), Some(&json!("C:\\Users\\xodih\\Downloads\\RedSun.exe")));
        assert_eq!(e.get("ThreatName"), Some(&json!("Tool:Win32/EICAR_Test_File")));
        assert!(names(&e).iter().all(|n| !n.contains(' ')));
    }

    #[test]
    fn evtx_every_regression_file_parses() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "json") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(std::path::Path::new(REGRESSION), &mut files);
        assert!(files.len() >= 200, "found {}", files.len());
        let mut total = 0;
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let text = crate::base::text::decode_utf8(&bytes).unwrap();
            let b = parse_events(text);
            assert!(b.diagnostics.is_empty(), "{}: {:?}", f.display(), b.diagnostics);
            assert!(!b.events.is_empty(), "{}", f.display());
            for e in &b.events {
                assert_eq!(e.shape(), EventShape::Evtx, "{}", f.display());
                assert!(e.get("EventID").is_some_and(Value::is_number), "{}", f.display());
                assert!(e.get("Channel").is_some() && e.get("Computer").is_some(), "{}", f.display());
                assert!(e.fields().all(|(k, _)| !k.starts_with('#') && !k.contains(' ')), "{}", f.display());
            }
            total += b.events.len();
        }
        println!("{} regression files, {total} events", files.len());
    }

    #[test]
    fn evtx_data_list_shapes() {
        let e = Event::from_json(json!({"Event": {
            "System": {
                "Provider": {"@Name": "Service Control Manager", "@Guid": "{555908d1}", "@EventSourceName": "SCM"},
                "EventID": {"#attributes": {"Qualifiers": 16384}, "#text": "7045"},
                "Level": "4",
                "Version": "00",
                "Computer": "host",
                "Image": "from-system"
            },
            "EventData": {"Data": [
                {"#attributes": {"Name": "ServiceName"}, "#text": "evil"},
                {"@Name": "ImagePath", "#text": "C:\\evil.exe"},
                {"Name": "StartType", "#text": "auto start"},
                {"#attributes": {"Name": "Empty"}},
                {"#attributes": {"Name": "Image"}, "#text": "from-data"},
                "unnamed one",
                {"#text": "unnamed two"}
            ], "Binary": "00AA"},
            "RenderingInfo": {"Message": "A service was installed"}
        }, "Timestamp": "2024-01-01", "Image": "outer"}));
        assert_eq!(e.shape(), EventShape::Evtx);
        assert_eq!(e.get("Provider_Name"), Some(&json!("Service Control Manager")));
        assert_eq!(e.get("Provider_EventSourceName"), Some(&json!("SCM")));
        assert_eq!(e.get("EventID"), Some(&json!(7045)));
        assert_eq!(e.get("EventID_Qualifiers"), Some(&json!(16384)));
        assert_eq!(e.get("Level"), Some(&json!(4)));
        assert_eq!(e.get("Version"), Some(&json!("00")), "not a plain decimal, left as text");
        assert_eq!(e.get("ServiceName"), Some(&json!("evil")));
        assert_eq!(e.get("ImagePath"), Some(&json!("C:\\evil.exe")));
        assert_eq!(e.get("StartType"), Some(&json!("auto start")));
        assert_eq!(e.get("Empty"), Some(&Value::Null));
        assert_eq!(e.get("Image"), Some(&json!("from-data")), "EventData wins over System and outer keys");
        assert_eq!(e.get("Data"), Some(&json!(["unnamed one", "unnamed two"])));
        assert_eq!(e.get("Binary"), Some(&json!("00AA")));
        assert_eq!(e.get("RenderingInfo.Message"), Some(&json!("A service was installed")));
        assert_eq!(e.get("Timestamp"), Some(&json!("2024-01-01")));
    }

    #[test]
    fn evtx_without_wrapper_only_when_clear() {
        let e = one(r#"{"System": {"EventID": 4624, "Channel": "Security"}, "EventData": {"LogonType": 3}}"#);
        assert_eq!(e.shape(), EventShape::Evtx);
        assert_eq!(e.get("LogonType"), Some(&json!(3)));
        assert_eq!(e.get("Channel"), Some(&json!("Security")));
        // A flat event that merely has a "System" field stays as it is.
        let e = one(r#"{"System": {"name": "linux"}, "EventData": "x"}"#);
        assert_eq!(e.shape(), EventShape::Nested);
        let e = one(r#"{"System": "Windows", "Image": "a"}"#);
        assert_eq!(e.shape(), EventShape::Flat);
        // "Event" that is not an evtx event.
        let e = one(r#"{"Event": "login", "user": "bob"}"#);
        assert_eq!(e.shape(), EventShape::Flat);
        assert_eq!(e.get("Event"), Some(&json!("login")));
    }

    #[test]
    fn evtx_single_and_unnamed_data_and_user_data_variants() {
        let e = Event::from_json(json!({"Event": {
            "System": {"EventID": 104},
            "EventData": {"Data": {"#text": ["a", "b"]}}
        }}));
        assert_eq!(e.get("Data"), Some(&json!(["a", "b"])));
        let e = Event::from_json(json!({"Event": {
            "System": {"EventID": 1},
            "EventData": {"Data": {"@Name": "Only", "#text": "one"}}
        }}));
        assert_eq!(e.get("Only"), Some(&json!("one")));
        let e = Event::from_json(json!({"Event": {
            "System": {"EventID": 1102},
            "UserData": {"LogFileCleared": {
                "@xmlns": "http://manifests.microsoft.com/win/2004/08/windows/eventlog",
                "SubjectUserName": "admin",
                "Subject Domain": {"#text": "CORP"}
            }}
        }}));
        assert_eq!(e.get("SubjectUserName"), Some(&json!("admin")));
        assert_eq!(e.get("SubjectDomain"), Some(&json!("CORP")));
        assert_eq!(e.get("LogFileCleared_xmlns"), None);
    }

    #[test]
    fn event_serialises_fields_in_order() {
        let e = one(r#"{"z": 1, "a": 2}"#);
        let s = serde_json::to_string(&e).unwrap();
        assert!(s.contains(r#""fields":{"z":1,"a":2}"#), "{s}");
        assert!(s.contains(r#""shape":"flat""#), "{s}");
        let b = serde_json::to_value(parse_events("a: 1")).unwrap();
        assert_eq!(b["format"], json!("yaml"));
    }

    // ---- size and robustness ---------------------------------------------

    #[test]
    fn five_megabytes_of_ndjson() {
        let line = r#"{"EventID": 4688, "Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd.exe /c whoami /all", "User": "CORP\\alice", "ProcessId": 4242, "Tags": ["a", "b"]}"#;
        let mut text = String::with_capacity(5 << 20);
        while text.len() < 5 << 20 {
            text.push_str(line);
            text.push('\n');
        }
        let t = Instant::now();
        let b = parse_events(&text);
        let took = t.elapsed();
        println!("5 MB NDJSON: {} events in {:?}", b.events.len(), took);
        assert_eq!(b.format, EventFormat::JsonLines);
        assert_eq!(b.events.len(), (5 << 20) / (line.len() + 1) + 1);
        assert!(b.diagnostics.is_empty());
        if !cfg!(debug_assertions) {
            assert!(took < Duration::from_millis(1000), "{took:?}");
        }
    }

    #[test]
    fn five_megabytes_of_evtx_stream_and_yaml() {
        let one_evtx = read_regression(
            "rules/windows/process_creation/proc_creation_win_dtrace_kernel_dump/7124aebe-4cd7-4ccb-8df0-6d6b93c96795.json",
        );
        let text = one_evtx.repeat((5 << 20) / one_evtx.len() + 1);
        let t = Instant::now();
        let b = parse_events(&text);
        let took = t.elapsed();
        println!("5 MB evtx stream: {} events in {took:?}", b.events.len());
        assert_eq!(b.format, EventFormat::JsonStream);
        assert!(b.diagnostics.is_empty());
        let doc =
            "EventID: 4688\nImage: C:\\Windows\\System32\\cmd.exe\nCommandLine: cmd.exe /c whoami\nTags: [a, b]\n---\n";
        let yaml = doc.repeat((5 << 20) / doc.len() + 1);
        let t = Instant::now();
        let y = parse_events(&yaml);
        let took_yaml = t.elapsed();
        println!("5 MB YAML: {} events in {took_yaml:?}", y.events.len());
        assert_eq!(y.events.len(), (5 << 20) / doc.len() + 1);
        assert!(y.diagnostics.is_empty());
        if !cfg!(debug_assertions) {
            assert!(took < Duration::from_millis(1000), "{took:?}");
        }
    }

    #[test]
    fn invalid_utf8_then_parse() {
        let bytes = b"{\"Product\": \"Microsoft\xAE Windows\"}";
        let d = crate::base::text::decode_utf8(bytes).err().unwrap();
        assert_eq!((d.line(), d.col()), (1, 23));
        let lossy = String::from_utf8_lossy(bytes);
        assert_eq!(parse_events(&lossy).events.len(), 1);
    }

    fn exercise(text: &str) {
        let b = parse_events(text);
        for e in &b.events {
            let _ = e.get("a.b.0.c");
            let _ = e.get_all("a.b");
            let _ = e.fields().count();
            e.for_each_string_value(&mut |_| false);
            let _ = serde_json::to_string(e);
        }
        for d in &b.diagnostics {
            let s = d.span.unwrap_or_default();
            assert!(s.line >= 1 || d.span.is_none(), "{d:?}");
            assert!(s.start as usize <= text.chars().count(), "{d:?} in {text:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            match crate::base::text::decode_utf8(&bytes) {
                Ok(s) => exercise(s),
                Err(d) => proptest::prop_assert_eq!(d.code.as_str(), "invalid-utf8"),
            }
        }

        #[test]
        fn random_strings_never_panic(s in "\\PC{0,200}") {
            exercise(&s);
        }

        #[test]
        fn json_and_yaml_like_strings_never_panic(
            s in "[\\[\\]{}:,\"'\\-\\.&*!|>#%@ \t\r\na-c0-9\u{e9}\u{feff}]{0,160}"
        ) {
            exercise(&s);
            exercise(&format!("{{{s}"));
            exercise(&format!("[{{\"a\": 1}}, {s}"));
        }

        #[test]
        fn arbitrary_json_values_never_panic(v in arb_json()) {
            let e = Event::from_json(v.clone());
            let _ = e.get("Event.System");
            e.for_each_string_value(&mut |_| false);
            exercise(&v.to_string());
            exercise(&serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[a-zA-Z#@ .]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            let keys = prop_oneof![
                Just("Event".to_owned()),
                Just("System".to_owned()),
                Just("EventData".to_owned()),
                Just("UserData".to_owned()),
                Just("Data".to_owned()),
                Just("#attributes".to_owned()),
                Just("#text".to_owned()),
                Just("@Name".to_owned()),
                Just("Name".to_owned()),
                Just("EventID".to_owned()),
                "[a-c.]{1,4}",
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec((keys, inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
            ]
        })
    }
}
