//! One match explained: each search of the condition, whether it held, and
//! each of its items in the words core gives the CLI too
//! ([`sigmaplay_core::api::explain`]); and the marks the explanation lays over
//! the rule while its result is hovered.

use sigmaplay_core::api::explain::item_words;
use sigmaplay_core::engine::matcher::{ItemOutcome, MatchResult};
use sigmaplay_core::Span;
use yew::prelude::*;

use crate::editor::EditorMark;
use crate::highlight::mark;

/// The span from an item's key to the end of its value.
pub fn item_span(it: &ItemOutcome) -> Span {
    let (a, b) = (it.span, it.value_span);
    if b.end > a.start && b.start >= a.start {
        Span { line: a.line, col: a.col, end_line: b.end_line, end_col: b.end_col, start: a.start, end: b.end }
    } else {
        a
    }
}

/// Rule marks for one explanation: what held (highlight) and what failed (miss).
pub fn explanation_marks(r: &MatchResult) -> Vec<EditorMark> {
    let mut out = Vec::new();
    for s in &r.searches {
        out.push(EditorMark {
            span: s.span,
            bits: if s.matched { mark::HIGHLIGHT } else { mark::MISS },
            message: None,
        });
        for it in &s.items {
            out.push(EditorMark {
                span: item_span(it),
                bits: if it.matched { mark::HIGHLIGHT } else { mark::MISS },
                message: None,
            });
        }
    }
    out
}

/// The explanation of one result; clicking a search or an item selects it in the rule.
pub fn explanation(r: &MatchResult, select: &Callback<Span>) -> Html {
    let searches = r.searches.iter().map(|s| {
        let items = s.items.iter().map(|it| {
            let onclick = {
                let select = select.clone();
                let span = item_span(it);
                Callback::from(move |e: MouseEvent| {
                    e.stop_propagation();
                    select.emit(span)
                })
            };
            let words = item_words(it);
            html! {
                <li class={classes!("item", if it.matched { "held" } else { "failed" })}>
                    <button type="button" class="item-btn" {onclick} title="Show in the rule">
                        <code class="ik">{ words.key() }</code>
                        if it.matched {
                            if let Some(v) = &words.decided_by {
                                <span class="iv">{ format!(" matched {v}") }</span>
                            }
                        } else {
                            <span class="iv">{ format!(" expects {}", words.expects) }</span>
                        }
                        if let Some(actual) = words.actual {
                            <span class="ia">{ " · actual: " }<code>{ actual }</code></span>
                        }
                    </button>
                </li>
            }
        });
        let onclick = {
            let select = select.clone();
            let span = s.span;
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                select.emit(span)
            })
        };
        html! {
            <li class={classes!("search", if s.matched { "held" } else { "failed" })}>
                <button type="button" class="search-btn" {onclick} title="Show in the rule">
                    <span aria-hidden="true">{ if s.matched { "✓ " } else { "✗ " } }</span>
                    <code>{ s.name.clone() }</code>
                    <span class="sr">{ if s.matched { " held" } else { " did not hold" } }</span>
                </button>
                if !s.items.is_empty() {
                    <ul class="items">{ for items }</ul>
                }
            </li>
        }
    });
    html! {
        <div class="why">
            <p class="summary">{ r.summary.clone() }</p>
            <ul class="searches">{ for searches }</ul>
        </div>
    }
}
