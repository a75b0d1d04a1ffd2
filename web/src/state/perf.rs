//! Performance marks for the perf tests: when the first KQL is on screen, and
//! how long a keystroke takes to update the page (style and layout included).

use std::cell::Cell;

use yew::prelude::*;

use crate::dom;

thread_local! {
    static FIRST_KQL_MARKED: Cell<bool> = const { Cell::new(false) };
}

/// Runs after every render. The editors mark `sp:input-<name>` on a keystroke.
#[hook]
pub fn use_perf_marks(has_kql: bool) {
    use_effect(move || {
        if has_kql && !FIRST_KQL_MARKED.with(Cell::get) {
            FIRST_KQL_MARKED.with(|c| c.set(true));
            dom::mark("sp:first-kql");
        }
        for name in ["rule", "events", "pipeline"] {
            let start = format!("sp:input-{name}");
            if dom::has_mark(&start) {
                // Include style and layout in the measured work.
                if let Some(b) = dom::document().and_then(|d| d.body()) {
                    let _ = b.offset_height();
                }
                dom::measure_from(&format!("sp:update-{name}"), &start);
            }
        }
    });
}
