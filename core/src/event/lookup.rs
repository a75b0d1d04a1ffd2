//! Reading values back out of an [`Event`]: by name (an index, then the
//! aliases), by dotted path, every value for keyword search, and every
//! direct name for the matcher's per-event tables.

use std::fmt;

use serde_json::Value;

use super::{Event, EventShape};

/// Probes allowed when resolving one dotted field name; bounds adversarial
/// combinations of dotted keys and long rule field names.
const MAX_PATH_PROBES: u32 = 1024;

/// A value of a plain JSON object (a mapped target row, not an [`Event`]):
/// the key as a whole first (`AdditionalFields.PipeName` may be one column),
/// else the dotted path through nested objects.
pub fn json_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    value.get(path).or_else(|| path.split('.').try_fold(value, |cur, seg| cur.get(seg)))
}

impl Event {
    /// Field lookup: exact name, then a spaces-stripped/restored alias, then a
    /// dotted path (see the module docs). Case-sensitive.
    pub fn get(&self, field: &str) -> Option<&Value> {
        if let Some(v) = self.get_exact(field) {
            return Some(v);
        }
        if let Some(v) = self.get_by_alias(field) {
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
        if let Some(v) = self.get_exact(field).or_else(|| self.get_by_alias(field)) {
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

    /// The field of exactly this name.
    fn get_exact(&self, name: &str) -> Option<&Value> {
        let i = self.by_name.find(name, |i| self.fields.get(i).map(|(k, _)| k.as_str()))?;
        self.fields.get(i).map(|(_, v)| v)
    }

    /// The field this name is an alias of.
    fn get_by_alias(&self, name: &str) -> Option<&Value> {
        let (_, i) = self.aliases.iter().find(|(a, _)| a == name)?;
        self.fields.get(*i as usize).map(|(_, v)| v)
    }

    /// A dotted name as a path: the longest top-level name first, then the
    /// original document of an evtx event. With `all`, every match.
    fn resolve_dotted<'a>(&'a self, path: &str, out: &mut Vec<&'a Value>, all: bool) {
        let mut probes = MAX_PATH_PROBES;
        // A longer literal key is the more specific reading of the name.
        for (dot, _) in path.rmatch_indices('.') {
            let (Some(head), Some(rest)) = (path.get(..dot), path.get(dot + 1..)) else { continue };
            if let Some(v) = self.get_exact(head).or_else(|| self.get_by_alias(head)) {
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

/// An open-addressing hash table from field name to position in `fields`:
/// field lookup dominates matching one rule, and a probe or two beats a
/// binary search over strings. Load stays at most one half, so a probe
/// sequence always reaches an empty slot.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct FieldIndex {
    /// (name hash, position + 1); position 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
}

impl FieldIndex {
    /// The index of `names`, a name's position being its place in the iterator.
    pub(super) fn build<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> FieldIndex {
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
    // FxHash's multiplier: cheap, and mixes well enough for short names.
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
    if let Some(head) = w.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    (h >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::super::tests::{names, one};
    use super::*;
    use serde_json::json;

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
}
