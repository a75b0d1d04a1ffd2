//! What the output panels ask of the editors: select a span (a diagnostic or
//! an explanation item was clicked) or highlight the rule parts that decided
//! a hovered result.

use sigmaplay_core::Span;
use yew::prelude::*;

use crate::analysis::Origin;
use crate::editor::EditorMark;
use crate::Shared;

/// A span to select in an editor; the number makes a repeated request for the
/// same span a new one.
pub type SelectRequest = Option<(Span, u64)>;

pub struct Selection {
    pub rule: SelectRequest,
    pub events: SelectRequest,
    pub pipeline: SelectRequest,
    /// Selects a span in the editor whose text it indexes.
    pub select_in: Callback<(Origin, Span)>,
    pub select_rule: Callback<Span>,
    pub select_event: Callback<Span>,
    /// The rule parts of the hovered result.
    pub highlight: Option<Shared<Vec<EditorMark>>>,
    /// Sets (`Some`) or clears (`None`) the highlighted rule parts.
    pub on_highlight: Callback<Option<Vec<EditorMark>>>,
}

/// Selection requests and the rule highlight. A selection in the pipeline
/// opens its (collapsible) editor through `pipeline_open`. The callbacks are
/// created once: rows and panels that receive them are not re-rendered just
/// because the page was.
#[hook]
pub fn use_selection(pipeline_open: UseStateHandle<bool>) -> Selection {
    let nonce = use_mut_ref(|| 0u64);
    let rule = use_state(|| None::<(Span, u64)>);
    let events = use_state(|| None::<(Span, u64)>);
    let pipeline = use_state(|| None::<(Span, u64)>);
    let highlight = use_state(|| None::<Shared<Vec<EditorMark>>>);
    let select_in = {
        let (rs, es, ps, po) = (rule.clone(), events.clone(), pipeline.clone(), pipeline_open);
        use_callback((), move |(origin, span): (Origin, Span), _| {
            let n = {
                let mut b = nonce.borrow_mut();
                *b += 1;
                *b
            };
            match origin {
                Origin::Rule | Origin::Kql => rs.set(Some((span, n))),
                Origin::Events => es.set(Some((span, n))),
                Origin::Pipeline => {
                    po.set(true);
                    ps.set(Some((span, n)));
                }
            }
        })
    };
    let select_rule = {
        let s = select_in.clone();
        use_callback((), move |span: Span, _| s.emit((Origin::Rule, span)))
    };
    let select_event = {
        let s = select_in.clone();
        use_callback((), move |span: Span, _| s.emit((Origin::Events, span)))
    };
    let on_highlight = {
        let h = highlight.clone();
        use_callback((), move |m: Option<Vec<EditorMark>>, _| h.set(m.map(Shared::new)))
    };
    Selection {
        rule: *rule,
        events: *events,
        pipeline: *pipeline,
        select_in,
        select_rule,
        select_event,
        highlight: (*highlight).clone(),
        on_highlight,
    }
}
