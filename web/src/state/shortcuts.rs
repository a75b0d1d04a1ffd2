//! Document-wide keyboard shortcuts: Ctrl/Cmd+Enter runs, Ctrl/Cmd+Shift+C
//! copies the KQL, Ctrl/Cmd+Shift+S shares, Escape closes the boxes.

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use crate::dom;

/// What each shortcut does.
#[derive(Clone)]
pub struct ShortcutActions {
    pub run: Callback<()>,
    pub copy_kql: Callback<()>,
    pub share: Callback<()>,
    pub escape: Callback<()>,
}

#[derive(Clone, Copy, PartialEq)]
enum Shortcut {
    Run,
    CopyKql,
    Share,
    Escape,
}

/// Listens from the first render on; the listener reads the latest `actions`
/// (they change with the state) from a cell rather than being re-added.
#[hook]
pub fn use_shortcuts(actions: ShortcutActions) {
    let latest = use_mut_ref(|| actions.clone());
    *latest.borrow_mut() = actions;
    use_effect_with((), move |_| {
        let listener = dom::document().map(|doc| {
            EventListener::new(&doc, "keydown", move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                let cmd = e.ctrl_key() || e.meta_key();
                let key = e.key().to_ascii_lowercase();
                let shortcut = match (cmd, e.shift_key(), key.as_str()) {
                    (true, false, "enter") => Shortcut::Run,
                    (true, true, "c") => Shortcut::CopyKql,
                    (true, true, "s") => Shortcut::Share,
                    (_, _, "escape") => Shortcut::Escape,
                    _ => return,
                };
                if shortcut != Shortcut::Escape {
                    e.prevent_default();
                }
                // Out of the cell before it runs: the action may re-render the page, which refills the cell.
                let action = {
                    let a = latest.borrow();
                    match shortcut {
                        Shortcut::Run => a.run.clone(),
                        Shortcut::CopyKql => a.copy_kql.clone(),
                        Shortcut::Share => a.share.clone(),
                        Shortcut::Escape => a.escape.clone(),
                    }
                };
                action.emit(());
            })
        });
        move || drop(listener)
    });
}
