//! The SigmaHQ regression test panel: import a `regression_data` folder's
//! files (file input, drop or paste) or an example's test, see whether its
//! `match_count` holds, export the current events as a test.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::examples::{self, EXAMPLES};
use crate::state::regression::{dropped, input_files, read_files, RegressionActions, RegressionView};

/// A plain view, not a component: a component would instantiate Yew's lifecycle
/// code once more for it (docs/size.md).
pub fn regression_panel(p: &RegressionView, a: &RegressionActions) -> Html {
    let on_change = {
        let cb = a.files.clone();
        Callback::from(move |e: Event| read_files(input_files(&e), cb.clone()))
    };
    let on_drop = {
        let cb = a.files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dropped(e.data_transfer(), cb.clone());
        })
    };
    // Without this the browser opens a dropped file instead of handing it over.
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_paste = {
        let cb = a.files.clone();
        Callback::from(move |e: Event| {
            let Ok(e) = e.dyn_into::<web_sys::ClipboardEvent>() else { return };
            e.prevent_default();
            dropped(e.clipboard_data(), cb.clone());
        })
    };
    let on_path = {
        let cb = a.rule_path.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            cb.emit(input.value());
        })
    };
    let example_buttons = EXAMPLES.iter().enumerate().filter(|(_, ex)| examples::has_regression_test(ex.id)).map(|(i, ex)| {
        let cb = a.load_example.clone();
        html! { <button type="button" class="btn btn-small" onclick={Callback::from(move |_: MouseEvent| cb.emit(i))} data-testid="regression-example">{ ex.name }</button> }
    });
    let verdict = match (&p.expectation, &p.status) {
        (Some(exp), Some(s)) => {
            let (class, label) = match (s.verdict.passed, s.verdict.warning) {
                (false, _) => ("fail", "FAIL"),
                (true, true) => ("warn", "PASS, with a warning"),
                (true, false) => ("ok", "PASS"),
            };
            let notes = s.notes.iter().map(|n| html! { <li class="sev-err">{ &n.message }</li> });
            html! {
                <div class="regression-result">
                    <p><span class={classes!("badge", "regression-badge", class)} data-testid="regression-verdict">{ label }</span>
                       {" "}<strong>{ &exp.test_name }</strong>{ format!(" ({}", exp.kind) }
                       { exp.rule_title.as_deref().map(|t| format!(", {t}")).unwrap_or_default() }{ ")" }</p>
                    <p class="small" data-testid="regression-message">{ &s.verdict.message }</p>
                    <ul class="export-checks">{ for notes }</ul>
                </div>
            }
        }
        _ => html! {},
    };
    let messages = p
        .messages
        .iter()
        .map(|(error, m)| html! { <li class={if *error { "sev-err" } else { "sev-info" }}>{ m }</li> });
    html! {
        <section class="panel regression-panel" data-testid="regression-panel" aria-labelledby="regression-heading">
            <div class="panel-head"><h2 id="regression-heading">{ "SigmaHQ regression test" }</h2></div>
            <div class="regression-drop" tabindex="0" data-testid="regression-drop"
                ondrop={on_drop} ondragover={on_drag_over} onpaste={on_paste}
                aria-label="Drop or paste a regression_data folder's info.yml and event JSON">
                <span>{ "Drop or paste info.yml and the event JSON (and the rule, if you like), or " }</span>
                <label class="btn btn-small">{ "choose files" }
                    <input type="file" multiple={true} onchange={on_change} data-testid="regression-files" /></label>
            </div>
            <p class="small">{ "Or an example that has one: " }{ for example_buttons }</p>
            { verdict }
            <div class="regression-export">
                <label>{ "Rule path " }<input type="text" class="export-input" value={p.rule_path.clone()} placeholder={p.suggested_path.clone()}
                    oninput={on_path} spellcheck="false" data-testid="regression-rule-path" /></label>
                <button type="button" class="btn btn-small" onclick={a.export.reform(|_: MouseEvent| ())} data-testid="regression-export"
                    title="Download info.yml and the event JSON with the current match count">{ "Export test" }</button>
            </div>
            <ul class="export-checks" data-testid="regression-messages">{ for messages }</ul>
        </section>
    }
}
