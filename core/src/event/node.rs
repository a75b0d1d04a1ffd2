//! The tree both readers produce: a parsed value that keeps object keys in
//! input order, and how serde reads JSON into it.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

/// Beyond this, `from_json` keeps subtrees as they are instead of converting
/// them recursively (only the top few levels are ever normalised).
const MAX_CONVERT_DEPTH: usize = 256;

/// Parsed value that keeps object keys in input order; serde_json's `Map`
/// sorts them unless a feature is enabled that this crate does not control.
#[derive(Debug, Clone)]
pub(super) enum Node {
    /// A scalar, or (from `from_json`, past `MAX_CONVERT_DEPTH`) any value.
    Leaf(Value),
    Arr(Vec<Node>),
    /// Duplicate keys are kept here; later stages let the last one win.
    Obj(Vec<(String, Node)>),
}

impl Node {
    pub(super) fn from_value(v: Value, depth: usize) -> Node {
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

    pub(super) fn to_value(&self) -> Value {
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

    pub(super) fn into_value(self) -> Value {
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

    pub(super) fn entries(&self) -> Option<&[(String, Node)]> {
        match self {
            Node::Obj(e) => Some(e),
            _ => None,
        }
    }

    pub(super) fn is_null(&self) -> bool {
        matches!(self, Node::Leaf(Value::Null))
    }

    /// The JSON name of the value's type, for messages.
    pub(super) fn type_name(&self) -> &'static str {
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

/// The value of `key` in an object's entries: the last occurrence, matching
/// how duplicate keys resolve elsewhere.
pub(super) fn last_entry<'a>(entries: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

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
