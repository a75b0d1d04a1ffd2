//! The state saved in this browser (localStorage), after a pause in typing.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::dom;
use crate::share::Snapshot;
use crate::state::playground::State;

pub const STORAGE_KEY: &str = "sigmaplay:v1:state";
const SAVE_DEBOUNCE_MS: u32 = 400;

/// Saves the state a moment after each change. Not in embed mode: an embedded
/// copy must not overwrite the user's own. When the events are too large for
/// the storage, the rest is saved and `notice` says so.
#[hook]
pub fn use_saved_state(state: &State, embed: bool, notice: UseStateHandle<Option<String>>) {
    let timer = use_mut_ref(|| None::<Timeout>);
    let s = state.clone();
    use_effect_with(
        (state.rule.rev, state.events.rev, state.pipeline.rev, state.target.clone(), state.kql.clone()),
        move |_| {
            if !embed {
                *timer.borrow_mut() = Some(Timeout::new(SAVE_DEBOUNCE_MS, move || {
                    dom::mark("sp:save-start");
                    let snap = s.snapshot();
                    if dom::storage_set(STORAGE_KEY, &snap.to_json()).is_err() {
                        // Too large (a big events paste): keep at least the rule, target and pipeline.
                        let mb = snap.events.len() as f64 / 1e6;
                        let small = Snapshot { events: String::new(), ..snap };
                        notice.set(Some(match dom::storage_set(STORAGE_KEY, &small.to_json()) {
                            Ok(()) => format!(
                                "The events ({mb:.1} MB) are too large for this browser's storage: they will not survive a reload. The rule, target and pipeline are saved."
                            ),
                            Err(e) => e,
                        }));
                    }
                    dom::measure_from("sp:save", "sp:save-start");
                }));
            }
        },
    );
}
