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
//!
//! # Files
//!
//! - `read.rs`: [`parse_events`]: choosing JSON or YAML, the fallback from one
//!   to the other, and collecting events and diagnostics under the limits.
//! - `json_reader.rs`, `yaml_reader.rs`: reading each format, with positions.
//! - `node.rs`: the order-preserving tree both readers produce.
//! - `normalise.rs`: one parsed value to an [`Event`], through `evtx.rs` or `fields.rs`.
//! - `fields.rs`: from that tree to an [`Event`]'s fields (flat and nested).
//! - `evtx.rs`: the same for Windows events rendered as JSON.
//! - `lookup.rs`: [`Event::get`] and the other ways of reading values back.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::base::diag::{Diagnostic, Span};

mod evtx;
mod fields;
mod json_reader;
mod lookup;
mod node;
mod normalise;
mod read;
mod yaml_reader;

pub use lookup::json_path;
pub use read::parse_events;

use lookup::FieldIndex;
use node::Node;

/// How an event's fields were derived from what was pasted (module docs,
/// "Normalisation").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventShape {
    Flat,
    Nested,
    Evtx,
}

/// How the pasted text was read (module docs, "Input formats").
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

/// What [`parse_events`] read from one paste: the events, and every problem
/// met on the way.
#[derive(Debug, Clone, Serialize)]
pub struct EventBatch {
    pub events: Vec<Event>,
    pub format: EventFormat,
    pub diagnostics: Vec<Diagnostic>,
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
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct FieldsInOrder<'a>(&'a [(String, Value)]);
        impl Serialize for FieldsInOrder<'_> {
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
        st.serialize_field("fields", &FieldsInOrder(&self.fields))?;
        st.serialize_field("original", &self.original)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    //! Helpers the other files' tests share, and the tests of the whole
    //! module: serialisation, non-objects, and never panicking on any input.

    use super::*;
    use serde_json::{json, Map};

    pub(super) const REGRESSION: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/sigmahq/regression_data");

    pub(super) fn read_regression(rel: &str) -> String {
        let path = format!("{REGRESSION}/{rel}");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub(super) fn one(text: &str) -> Event {
        let b = parse_events(text);
        assert_eq!(b.events.len(), 1, "{:?}", b.diagnostics);
        b.events.into_iter().next().unwrap()
    }

    pub(super) fn names(e: &Event) -> Vec<&str> {
        e.fields().map(|(k, _)| k).collect()
    }

    pub(super) fn codes(b: &EventBatch) -> Vec<&str> {
        b.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    pub(super) fn pos(d: &Diagnostic) -> (u32, u32) {
        (d.line(), d.col())
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
    fn event_serialises_fields_in_order() {
        let e = one(r#"{"z": 1, "a": 2}"#);
        let s = serde_json::to_string(&e).unwrap();
        assert!(s.contains(r#""fields":{"z":1,"a":2}"#), "{s}");
        assert!(s.contains(r#""shape":"flat""#), "{s}");
        let b = serde_json::to_value(parse_events("a: 1")).unwrap();
        assert_eq!(b["format"], json!("yaml"));
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
