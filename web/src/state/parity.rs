//! The Sigma-versus-KQL comparison: it reruns the rule and the query on every
//! event, so it waits for a pause in typing and keystrokes only pay for the
//! KQL and the matches.

use gloo::timers::callback::Timeout;
use sigmaplay_core::api::{EventsSchema, KqlParityReport};
use yew::prelude::*;

use crate::state::playground::State;
use crate::{analysis, dom, Shared};

const PARITY_DEBOUNCE_MS: u32 = 150;

pub struct Parity {
    /// How the events are read (the panel's choice).
    pub schema: EventsSchema,
    /// The last comparison; `None` until the first one ran.
    pub report: Option<Shared<KqlParityReport>>,
    pub on_schema: Callback<EventsSchema>,
}

/// The comparison, rerun when the texts, the target, the edited query or the
/// schema change; the first one runs at once.
#[hook]
pub fn use_parity(state: &State) -> Parity {
    let schema = use_state_eq(|| EventsSchema::Auto);
    let report = use_state(|| None::<Shared<KqlParityReport>>);
    let timer = use_mut_ref(|| None::<Timeout>);
    {
        let report = report.clone();
        let s = state.clone();
        let schema = *schema;
        let first = report.is_none();
        use_effect_with(
            (state.rule.rev, state.events.rev, state.pipeline.rev, state.target.clone(), state.kql.clone(), schema),
            move |_| {
                let run = move || {
                    dom::mark("sp:parity-start");
                    // core skips a byte order mark itself.
                    let r = analysis::parity(
                        &s.rule.text,
                        &s.events.text,
                        &s.target,
                        &s.pipeline.text,
                        s.kql.as_deref(),
                        schema,
                    );
                    report.set(Some(Shared::new(r)));
                    dom::measure_from("sp:parity", "sp:parity-start");
                };
                *timer.borrow_mut() = Some(Timeout::new(if first { 0 } else { PARITY_DEBOUNCE_MS }, run));
            },
        );
    }
    let on_schema = {
        let schema = schema.clone();
        use_callback((), move |s: EventsSchema, _| schema.set(s))
    };
    Parity { schema: *schema, report: (*report).clone(), on_schema }
}
