//! sigmaplay-web: the Yew front end of the Sigmaplay playground.
//!
//! Structure:
//! - [`App`] owns the state (rule text, events text) and wires the parts together.
//! - [`Editor`] is a labelled, controlled `<textarea>`; it reports every edit upward.
//! - [`OutputPanel`] shows the text produced by [`output_text`].
//! - [`output_text`] is pure (no DOM) so it is unit-tested on the host; this is the
//!   one place to call the real `sigmaplay_core` API once it exists.
//!
//! Everything the user types is rendered as text nodes or `value`s: never as HTML.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Text shown in the output area for the current editor contents.
///
/// Placeholder until the core API (KQL generation, matching) is wired in:
/// the core version and the rule length in characters (Unicode scalar values).
pub fn output_text(rule: &str, _events: &str) -> String {
    let n = rule.chars().count();
    let unit = if n == 1 { "character" } else { "characters" };
    format!(
        "sigmaplay-core {}\nrule: {n} {unit}",
        sigmaplay_core::version()
    )
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// Element id (also used by the label). Keep it prefixed: never `output`.
    pub id: AttrValue,
    /// `data-testid`, used by the browser tests.
    pub testid: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    #[prop_or_default]
    pub placeholder: AttrValue,
    #[prop_or(12)]
    pub rows: u32,
    pub on_change: Callback<String>,
}

/// A labelled, controlled textarea that emits its full text on every input event.
#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let oninput = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_change.emit(area.value());
        })
    };
    html! {
        <div class="editor">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <textarea
                id={props.id.clone()}
                data-testid={props.testid.clone()}
                rows={props.rows.to_string()}
                spellcheck="false"
                autocomplete="off"
                placeholder={props.placeholder.clone()}
                value={props.value.clone()}
                {oninput}
            />
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct OutputPanelProps {
    pub text: AttrValue,
}

/// The output area (KQL, later also diagnostics and match results).
#[function_component(OutputPanel)]
pub fn output_panel(props: &OutputPanelProps) -> Html {
    html! {
        <section class="output" aria-labelledby="kql-output-heading">
            <h2 id="kql-output-heading">{ "Output" }</h2>
            <pre id="kql-output" data-testid="kql-output" aria-live="polite">{ props.text.clone() }</pre>
        </section>
    }
}

/// The whole playground page.
#[function_component]
pub fn App() -> Html {
    let rule = use_state(String::new);
    let events = use_state(String::new);

    let on_rule = {
        let rule = rule.clone();
        Callback::from(move |text: String| rule.set(text))
    };
    let on_events = {
        let events = events.clone();
        Callback::from(move |text: String| events.set(text))
    };
    let output = output_text(&rule, &events);

    html! {
        <main class="app">
            <header class="app-header">
                <h1>{ "Sigmaplay" }</h1>
                <p class="tagline">{ "A Sigma rule playground: rules to KQL, in your browser." }</p>
            </header>
            <div class="editors">
                <Editor
                    id="rule-editor"
                    testid="rule-editor"
                    label="Sigma rule (YAML)"
                    placeholder="title: ...\nlogsource: ...\ndetection: ..."
                    value={AttrValue::from((*rule).clone())}
                    on_change={on_rule}
                />
                <Editor
                    id="events-editor"
                    testid="events-editor"
                    label="Events (JSON, one per line)"
                    placeholder="{\"EventID\": 4688}"
                    value={AttrValue::from((*events).clone())}
                    on_change={on_events}
                />
            </div>
            <OutputPanel text={AttrValue::from(output)} />
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::output_text;

    #[test]
    fn output_shows_core_version() {
        let out = output_text("", "");
        assert!(out.contains(sigmaplay_core::version()), "{out}");
        assert!(out.contains("rule: 0 characters"), "{out}");
    }

    #[test]
    fn output_counts_characters_not_bytes() {
        assert!(output_text("a", "").ends_with("rule: 1 character"));
        assert!(output_text("é€😀", "").ends_with("rule: 3 characters"));
        assert!(output_text("title: x\n", "{}").ends_with("rule: 9 characters"));
    }
}
