//! The toast: a short status message ("KQL copied") that goes away by itself.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

const TOAST_MS: u32 = 2500;

#[derive(Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    /// Tells a new toast from an equal text shown again.
    id: u64,
}

/// The toast shown, if any, and the callback that shows one (replacing the last).
#[hook]
pub fn use_toast() -> (Option<Toast>, Callback<String>) {
    let toast = use_state(|| None::<Toast>);
    let timer = use_mut_ref(|| None::<Timeout>);
    let show = {
        let toast = toast.clone();
        Callback::from(move |text: String| {
            let id = toast.as_ref().map_or(1, |t| t.id + 1);
            toast.set(Some(Toast { text, id }));
            let toast = toast.clone();
            *timer.borrow_mut() = Some(Timeout::new(TOAST_MS, move || toast.set(None)));
        })
    };
    ((*toast).clone(), show)
}
