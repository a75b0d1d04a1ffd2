//! Share links: making one from the state (compressed into the URL fragment,
//! copied, shown in a box) or the payload of the Embed dialog, and clearing
//! the one the page was opened with.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::embed_dialog::FIRST_CONTROL_ID;
use crate::embed::{EmbedOptions, DEFAULT_HEIGHT};
use crate::share;
use crate::state::playground::State;
use crate::{compress, dom};

pub struct ShareLink {
    /// The link shown in the share box, while it is open.
    pub url: Option<String>,
    /// Makes a link, copies it and opens the box.
    pub share: Callback<()>,
    /// Copies the link of the box again.
    pub copy: Callback<()>,
    pub close: Callback<()>,
    /// The share payload the Embed dialog shows snippets of, while it is open.
    pub embed_payload: Option<String>,
    /// The Embed dialog's choices, kept while the page is open.
    pub embed_options: UseStateHandle<EmbedOptions>,
    /// Opens the Embed dialog (closing the share box).
    pub embed: Callback<()>,
    pub close_embed: Callback<()>,
}

/// Encodes the state into a share payload in the background: `then` gets it, the toast an error.
fn encode_state(state: &State, toast: &Callback<String>, then: Callback<String>) {
    let toast = toast.clone();
    compress::encode_then(
        state.snapshot(),
        Callback::from(move |payload| match payload {
            Ok(p) => then.emit(p),
            Err(e) => toast.emit(e),
        }),
    );
}

/// `toast` says whether the link was copied.
#[hook]
pub fn use_share_link(state: &UseReducerHandle<State>, toast: &Callback<String>) -> ShareLink {
    let url = use_state(|| None::<String>);
    let embed_payload = use_state(|| None::<String>);
    let embed_options = use_state(|| EmbedOptions { readonly: false, height: DEFAULT_HEIGHT, fit: true });
    // The dialog takes the focus when it opens, so the keyboard continues in it.
    use_effect_with(embed_payload.is_some(), |open| {
        let first = dom::document().and_then(|d| d.get_element_by_id(FIRST_CONTROL_ID));
        if let (true, Some(el)) = (*open, first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())) {
            let _ = el.focus();
        }
    });
    let share = {
        let state = state.clone();
        let share_url = url.clone();
        let show_toast = toast.clone();
        let embed_payload = embed_payload.clone();
        Callback::from(move |_: ()| {
            embed_payload.set(None);
            let (share_url, t) = (share_url.clone(), show_toast.clone());
            encode_state(
                &state,
                &show_toast,
                Callback::from(move |payload: String| {
                    let url = format!("{}#{}", dom::base_url(), share::fragment(&payload, false));
                    let (kb, t) = (url.len() / 1024, t.clone());
                    dom::copy_text(&url, move |r| match r {
                        Ok(()) if kb > 64 => {
                            t.emit(format!("Link copied ({kb} KB: long links may be cut by some apps)"))
                        }
                        Ok(()) => t.emit("Share link copied".into()),
                        Err(_) => t.emit("Copy the link from the box".into()),
                    });
                    share_url.set(Some(url));
                }),
            );
        })
    };
    let embed = {
        let (state, toast) = (state.clone(), toast.clone());
        let (share_url, embed_payload) = (url.clone(), embed_payload.clone());
        Callback::from(move |_: ()| {
            share_url.set(None);
            let embed_payload = embed_payload.clone();
            encode_state(&state, &toast, Callback::from(move |payload| embed_payload.set(Some(payload))));
        })
    };
    let close_embed = {
        let s = embed_payload.clone();
        Callback::from(move |_: ()| s.set(None))
    };
    let copy = {
        let s = url.clone();
        let t = toast.clone();
        Callback::from(move |_: ()| {
            if let Some(url) = (*s).clone() {
                let t = t.clone();
                dom::copy_text(&url, move |r| {
                    t.emit(if r.is_ok() { "Share link copied".into() } else { "Select the link and copy it".into() })
                });
            }
        })
    };
    let close = {
        let s = url.clone();
        Callback::from(move |_: ()| s.set(None))
    };
    ShareLink {
        url: (*url).clone(),
        share,
        copy,
        close,
        embed_payload: (*embed_payload).clone(),
        embed_options,
        embed,
        close_embed,
    }
}

/// After opening a share link, clears it from the address bar: the state is
/// saved locally, so a reload keeps later edits instead of reopening the link.
/// An embed keeps its link: it saves nothing, and its host page reloads it as given.
#[hook]
pub fn use_forget_link(from_link: bool, embed: bool) {
    use_effect_with((), move |_| {
        if !embed && (from_link || share::parse_params(&dom::location_hash()).state.is_some()) {
            dom::replace_hash("");
        }
    });
}
