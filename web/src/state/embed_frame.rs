//! What the embed page does for the page that hosts it: it reports its
//! content height (so the iframe can fit, `static/embed.js`), and links to
//! the full app with the state it shows.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::state::playground::State;
use crate::{compress, dom, share};

// The message is `{type: "sigmaplay:height", height}`; its target origin is any: a
// height is not a secret, and the host page's origin is not known here.
#[wasm_bindgen(inline_js = r#"
export function sp_report_height() {
  if (window.parent === window) return;
  const root = document.documentElement;
  new ResizeObserver(() => window.parent.postMessage(
    { type: 'sigmaplay:height', height: Math.ceil(root.getBoundingClientRect().height) }, '*')).observe(root);
}
"#)]
extern "C" {
    fn sp_report_height();
}

/// In an embed, reports the content height to the host page now and whenever it changes.
#[hook]
pub fn use_report_height(embed: bool) {
    use_effect_with((), move |_| {
        if embed {
            sp_report_height();
        }
    });
}

/// The "Open in Sigmaplay" link of an embed: the app (without the embed flags)
/// with a share link of what the embed shows now, edits included.
#[hook]
pub fn use_open_in_app_link(state: &State, embed: bool) -> String {
    let page = dom::base_url().replace("?embed=1", "").replace("&embed=1", "");
    let href = use_state(|| page.clone());
    let s = state.clone();
    let link = href.clone();
    use_effect_with(
        (state.rule.rev, state.events.rev, state.pipeline.rev, state.target.clone(), state.kql.clone()),
        move |_| {
            if embed {
                compress::encode_then(
                    s.snapshot(),
                    Callback::from(move |payload: Result<String, String>| {
                        if let Ok(p) = payload {
                            link.set(format!("{page}#{}", share::fragment(&p, false)));
                        }
                    }),
                );
            }
        },
    );
    (*href).clone()
}
