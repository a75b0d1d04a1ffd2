//! The examples gallery: one card per built-in example, which loads its rule
//! and events.

use yew::prelude::*;

use crate::components::labels::{plural, target_label};
use crate::examples::EXAMPLES;

/// A plain view, not a component: a component would instantiate Yew's lifecycle
/// code once more for it (docs/size.md).
pub fn examples_gallery(on_load: &Callback<usize>, current: Option<usize>) -> Html {
    let cards = EXAMPLES.iter().enumerate().map(|(i, ex)| {
        let onclick = {
            let cb = on_load.clone();
            Callback::from(move |_: MouseEvent| cb.emit(i))
        };
        let n = ex.expected.len();
        html! {
            <li>
                <button type="button" class={classes!("example", (current == Some(i)).then_some("current"))} {onclick} data-example={ex.id}>
                    <span class="ex-name">{ ex.name }</span>
                    <span class="ex-shows">{ ex.shows }</span>
                    <span class="ex-meta">{ format!("{} · {}", plural(n, "event", "events"), target_label(ex.target)) }</span>
                </button>
            </li>
        }
    });
    html! {
        <section class="panel examples-panel" aria-labelledby="examples-heading" id="examples">
            <div class="panel-head"><h2 id="examples-heading">{ "Examples" }</h2>
                <span class="count">{ "Each loads a rule with events that match and events that do not." }</span></div>
            <ul class="examples" data-testid="examples">{ for cards }</ul>
        </section>
    }
}
