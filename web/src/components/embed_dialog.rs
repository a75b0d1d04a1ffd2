//! The Embed dialog of the Share menu: the `<iframe>` snippet of the current
//! state for a documentation page, with its options (read-only, height, fit).
//! A plain view over the share hook's state ([`ShareLink`]), not a component:
//! a component's machinery costs the wasm more than this markup.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::dom;
use crate::embed::{self, EmbedOptions};
use crate::state::share_link::ShareLink;

/// The id of the dialog's first control, focused when it opens.
pub const FIRST_CONTROL_ID: &str = "embed-readonly";

/// The dialog while the share hook holds a payload to embed; `toast` says whether the snippet was copied.
pub fn embed_dialog(share: &ShareLink, toast: &Callback<String>) -> Html {
    let Some(payload) = &share.embed_payload else { return Html::default() };
    let options = &share.embed_options;
    let page = dom::base_url();
    let snippet = embed::iframe_snippet(&page, payload, **options);
    let preview = embed::embed_url(&page, payload, options.readonly);
    let set = |change: fn(&mut EmbedOptions, &HtmlInputElement)| {
        let options = options.clone();
        Callback::from(move |e: Event| {
            let mut next = *options;
            change(&mut next, &e.target_unchecked_into());
            options.set(next);
        })
    };
    // The height follows each keystroke, not only the change on leaving the field:
    // a re-render while it is being typed would otherwise put the old value back.
    let on_height_input = {
        let options = options.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(height) = embed::typed_height(&e.target_unchecked_into::<HtmlInputElement>().value()) {
                options.set(EmbedOptions { height, ..*options });
            }
        })
    };
    let copy = {
        let (snippet, toast) = (snippet.clone(), toast.clone());
        Callback::from(move |_: MouseEvent| {
            let toast = toast.clone();
            dom::copy_text(&snippet, move |r| {
                toast.emit(if r.is_ok() {
                    "Embed snippet copied".into()
                } else {
                    "Select the snippet and copy it".into()
                })
            });
        })
    };
    let select_all = Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlTextAreaElement>().select());
    html! {
        <div class="popover embed-dialog" role="dialog" aria-label="Embed in a web page" data-testid="embed-dialog">
            <h2>{ "Embed in a web page" }</h2>
            <div class="embed-options">
                <label><input type="checkbox" id={FIRST_CONTROL_ID} checked={options.readonly} data-testid="embed-readonly"
                    onchange={set(|o, i| o.readonly = i.checked())} />{ "Read-only" }</label>
                <label>{ "Height" }<input type="number" min="120" max="4000" step="10" value={options.height.to_string()} data-testid="embed-height"
                    oninput={on_height_input}
                    onchange={set(|o, i| o.height = embed::parse_height(&i.value()))} />{ "px" }</label>
                <label><input type="checkbox" checked={options.fit} data-testid="embed-fit"
                    onchange={set(|o, i| o.fit = i.checked())} />{ "Fit the height to the content (adds embed.js)" }</label>
            </div>
            <label for="embed-snippet">{ "HTML for your page (it holds the rule, events, target and pipeline)" }</label>
            <textarea id="embed-snippet" data-testid="embed-snippet" readonly={true} rows="6" value={snippet} onfocus={select_all} />
            <div class="actions">
                <button type="button" class="btn" onclick={copy} data-testid="embed-copy">{ "Copy" }</button>
                <a class="btn" href={preview} target="_blank" rel="noopener" data-testid="embed-preview">{ "Preview" }</a>
                <button type="button" class="btn" onclick={share.close_embed.reform(|_: MouseEvent| ())}>{ "Close" }</button>
            </div>
        </div>
    }
}
