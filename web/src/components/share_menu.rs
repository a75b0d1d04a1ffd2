//! The Share menu of the toolbar: copy a link, or get an embed for a page.
//! A `<details>` disclosure, so it opens and is walked with the keyboard as
//! any button; Escape or leaving it (click or focus elsewhere) closes it.
//! A plain view, not a component: a component's machinery costs the wasm
//! more than this markup.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlDetailsElement, HtmlElement, Node};
use yew::prelude::*;

/// The menu around an event's target (yew delegates events: the current target is the root).
fn menu_of(target: Option<web_sys::EventTarget>) -> Option<HtmlDetailsElement> {
    target?.dyn_into::<Element>().ok()?.closest("details").ok()??.dyn_into().ok()
}

pub fn share_menu(on_copy_link: &Callback<()>, on_embed: &Callback<()>) -> Html {
    let item = |label: &'static str, testid: &'static str, action: &Callback<()>| {
        let action = action.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            if let Some(menu) = menu_of(e.target()) {
                menu.set_open(false);
            }
            action.emit(())
        });
        html! { <li><button type="button" class="btn btn-small" {onclick} data-testid={testid}>{ label }</button></li> }
    };
    let onkeydown = Callback::from(|e: KeyboardEvent| {
        let Some(menu) = menu_of(e.target()) else { return };
        if e.key() == "Escape" && menu.open() {
            menu.set_open(false);
            if let Some(summary) = menu.first_element_child().and_then(|s| s.dyn_into::<HtmlElement>().ok()) {
                let _ = summary.focus();
            }
        }
    });
    let onfocusout = Callback::from(|e: FocusEvent| {
        let Some(menu) = menu_of(e.target()) else { return };
        let to = e.related_target().and_then(|t| t.dyn_into::<Node>().ok());
        if !menu.contains(to.as_ref()) {
            menu.set_open(false);
        }
    });
    html! {
        <details class="share-menu" {onkeydown} {onfocusout}>
            <summary class="btn btn-primary" data-testid="share-button" title="Share this state: a link (Ctrl/Cmd+Shift+S), or an embed for a web page">{ "Share" }</summary>
            <ul>
                { item("Copy link", "share-copy-link", on_copy_link) }
                { item("Embed…", "share-embed", on_embed) }
            </ul>
        </details>
    }
}
