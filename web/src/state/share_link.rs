//! Share links: making one from the state (compressed into the URL fragment,
//! copied, shown in a box), and clearing the one the page was opened with.

use yew::prelude::*;

use crate::share::{self, Snapshot};
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
}

/// The share link of a snapshot: this page's address with the state in its fragment.
pub async fn link(snap: &Snapshot) -> Result<String, String> {
    Ok(format!("{}#{}", dom::base_url(), share::fragment(&compress::encode(snap).await?, false)))
}

/// `toast` says whether the link was copied.
#[hook]
pub fn use_share_link(state: &UseReducerHandle<State>, toast: &Callback<String>) -> ShareLink {
    let url = use_state(|| None::<String>);
    let share = {
        let state = state.clone();
        let share_url = url.clone();
        let show_toast = toast.clone();
        Callback::from(move |_: ()| {
            let snap = state.snapshot();
            let (share_url, t) = (share_url.clone(), show_toast.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let url = match link(&snap).await {
                    Ok(url) => url,
                    Err(e) => return t.emit(e),
                };
                let kb = url.len() / 1024;
                dom::copy_text(&url, move |r| match r {
                    Ok(()) if kb > 64 => t.emit(format!("Link copied ({kb} KB: long links may be cut by some apps)")),
                    Ok(()) => t.emit("Share link copied".into()),
                    Err(_) => t.emit("Copy the link from the box".into()),
                });
                share_url.set(Some(url));
            });
        })
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
    ShareLink { url: (*url).clone(), share, copy, close }
}

/// After opening a share link, leaves only `embed` in the address bar: the
/// state is saved locally, so a reload keeps later edits instead of
/// reopening the link.
#[hook]
pub fn use_forget_link(from_link: bool, embed: bool) {
    use_effect_with((), move |_| {
        if from_link || share::parse_params(&dom::location_hash()).state.is_some() {
            dom::replace_hash(if embed { "embed" } else { "" });
        }
    });
}
