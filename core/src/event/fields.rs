//! From the parsed tree to an [`Event`]'s fields: which shape an event has,
//! which value wins when names clash, and the spaced/unspaced aliases.

use std::collections::HashMap;

use serde_json::Value;

use super::lookup::FieldIndex;
use super::{Event, EventShape};
use crate::base::diag::Span;

/// An event's fields while they are collected: names in first-seen order,
/// each with the priority of the source that set it.
#[derive(Default)]
pub(super) struct FieldsBuilder {
    fields: Vec<(String, Value)>,
    /// Priority of each field, by position.
    priority: Vec<u8>,
    /// Name → position in `fields`.
    position: HashMap<String, usize>,
    /// (alias, field name) pairs.
    aliases: Vec<(String, String)>,
}

// Which source of a name wins a clash in an evtx event (higher wins): the
// event's own data over its System header over the rest (module docs).
/// Top-level keys next to the `Event` wrapper; also every key of a flat event.
pub(super) const PRIO_OUTER: u8 = 0;
/// Children of `Event` other than System, EventData and UserData.
pub(super) const PRIO_EVENT_OTHER: u8 = 1;
/// Elements and attributes of `System`.
pub(super) const PRIO_SYSTEM: u8 = 2;
/// Fields of `EventData` and `UserData`.
pub(super) const PRIO_DATA: u8 = 3;

impl FieldsBuilder {
    /// Higher priority replaces, equal priority replaces (last duplicate
    /// wins), lower is ignored; a replaced field keeps its first position.
    pub(super) fn put(&mut self, name: String, value: Value, prio: u8) {
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
    pub(super) fn put_data(&mut self, raw: &str, value: Value, prio: u8) {
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
    pub(super) fn alias_stripped_spaces(&mut self) {
        for (k, _) in &self.fields {
            if k.contains(' ') {
                self.aliases.push((k.chars().filter(|&c| c != ' ').collect(), k.clone()));
            }
        }
    }

    /// The event: its fields, the index over them and the aliases that do not
    /// shadow a field.
    /// Whether a value is an object or holds objects (a nested event).
    pub(super) fn holds_objects(&self) -> bool {
        self.fields.iter().any(|(_, v)| match v {
            Value::Object(_) => true,
            Value::Array(items) => items.iter().any(Value::is_object),
            _ => false,
        })
    }

    pub(super) fn finish(self, original: Value, shape: EventShape, span: Option<Span>) -> Event {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{names, one};
    use serde_json::json;

    #[test]
    fn duplicate_keys_last_wins_first_position() {
        let e = one(r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(names(&e), ["a", "b"]);
        assert_eq!(e.get("a"), Some(&json!(3)));
    }
}
