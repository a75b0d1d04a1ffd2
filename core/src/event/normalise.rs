//! One parsed value to an [`Event`]: a Windows event rendered as JSON is
//! flattened to Sigma's names (`evtx.rs`), anything else keeps its own
//! names (`fields.rs` decides which value wins and adds the aliases).

use super::evtx::{evtx_parts, flatten_evtx};
use super::fields::{FieldsBuilder, PRIO_OUTER};
use super::node::Node;
use super::{Event, EventShape};
use crate::base::diag::Span;

impl Event {
    /// Normalises one parsed value (module docs, "Normalisation").
    pub(super) fn from_node(node: Node, span: Option<Span>) -> Event {
        let original = node.to_value();
        let (builder, shape) = match node {
            Node::Obj(entries) => match evtx_parts(&entries) {
                Some(parts) => (flatten_evtx(&entries, parts), EventShape::Evtx),
                None => {
                    let mut builder = FieldsBuilder::default();
                    for (k, v) in entries {
                        builder.put(k, v.into_value(), PRIO_OUTER);
                    }
                    builder.alias_stripped_spaces();
                    let nested = builder.holds_objects();
                    (builder, if nested { EventShape::Nested } else { EventShape::Flat })
                }
            },
            Node::Leaf(_) | Node::Arr(_) => (FieldsBuilder::default(), EventShape::Flat),
        };
        builder.finish(original, shape, span)
    }
}
