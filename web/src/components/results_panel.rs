//! The match results: a row per event and detection rule, explained (which
//! searches and items held, with the event's values) for the first rows and
//! on request for the others; correlation hits above them.

use std::collections::HashSet;
use std::rc::Rc;

use sigmaplay_core::engine::matcher::MatchResult;
use sigmaplay_core::Span;
use yew::prelude::*;

use crate::analysis::{self, EventsAnalysis, Matches, RuleAnalysis};
use crate::components::explanation::{explanation, explanation_marks};
use crate::components::labels::plural;
use crate::editor::EditorMark;
use crate::Shared;

/// Results explained without asking (the rest have a "Why?" button).
pub const EXPLAIN_FIRST: usize = 20;

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub rule: Shared<RuleAnalysis>,
    pub events: Shared<EventsAnalysis>,
    pub results: Shared<Matches>,
    /// Marks to show on the rule (hovering a result), `None` to clear.
    pub on_highlight: Callback<Option<Vec<EditorMark>>>,
    pub on_select_rule: Callback<Span>,
    pub on_select_event: Callback<Span>,
}

/// One event's result. Props compare by value, so rows whose outcome did not
/// change are not re-rendered on a keystroke.
#[derive(Properties, PartialEq)]
pub struct ResultRowProps {
    pub rule: usize,
    pub index: usize,
    pub matched: bool,
    /// Line where the event starts in the events text.
    pub line: Option<u32>,
    pub start: Option<Span>,
    /// `None`: not explained yet (a "Why?" button asks for it).
    pub explanation: Option<Rc<MatchResult>>,
    /// (rule, event) hovered, or `None` when the pointer leaves.
    pub on_hover: Callback<Option<(usize, usize)>>,
    pub on_why: Callback<(usize, usize)>,
    pub on_select_rule: Callback<Span>,
    pub on_select_event: Callback<Span>,
}

#[function_component(ResultRow)]
pub fn result_row(p: &ResultRowProps) -> Html {
    let key = (p.rule, p.index);
    let onmouseenter = {
        let cb = p.on_hover.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Some(key)))
    };
    let onmouseleave = {
        let cb = p.on_hover.clone();
        Callback::from(move |_: MouseEvent| cb.emit(None))
    };
    // Keyboard users get the same highlight when focus enters the row.
    let onfocusin = {
        let cb = p.on_hover.clone();
        Callback::from(move |_: FocusEvent| cb.emit(Some(key)))
    };
    let onfocusout = {
        let cb = p.on_hover.clone();
        Callback::from(move |_: FocusEvent| cb.emit(None))
    };
    let select_event = {
        let cb = p.on_select_event.clone();
        let start = p.start;
        Callback::from(move |_: MouseEvent| {
            if let Some(s) = start {
                cb.emit(s)
            }
        })
    };
    let why = {
        let cb = p.on_why.clone();
        Callback::from(move |_: MouseEvent| cb.emit(key))
    };
    let label = match p.line {
        Some(l) => format!("Event {} · line {l}", p.index + 1),
        None => format!("Event {}", p.index + 1),
    };
    let m = p.matched;
    html! {
        <li class={classes!("result", if m { "hit" } else { "miss" })}
            data-testid="event-result" data-matched={if m { "true" } else { "false" }} data-index={p.index.to_string()}
            {onmouseenter} {onmouseleave} {onfocusin} {onfocusout}>
            <div class="rh">
                <span class={classes!("badge", if m { "badge-hit" } else { "badge-miss" })}>{ if m { "✓ match" } else { "✗ no match" } }</span>
                <button type="button" class="ev-link" onclick={select_event} disabled={p.start.is_none()} title="Show the event">{ label }</button>
                if p.explanation.is_none() {
                    <button type="button" class="btn btn-small" onclick={why}>{ "Why?" }</button>
                }
            </div>
            if let Some(r) = &p.explanation { { explanation(r, &p.on_select_rule) } }
        </li>
    }
}

/// Correlation outcomes: each rule with its hits (group, time range, events).
fn correlations(m: &Matches) -> Html {
    if m.correlations.is_empty() {
        return html! {};
    }
    let items = m.correlations.iter().map(|c| {
        let kind = c.kind.map(|k| k.as_str()).unwrap_or("correlation");
        let hits = c.hits.iter().map(|h| {
            let group: Vec<String> =
                h.group.iter().map(|g| format!("{} = {}", g.field, g.value.as_deref().unwrap_or("(none)"))).collect();
            let events: Vec<String> = h.events.iter().take(20).map(|e| (e + 1).to_string()).collect();
            let more = h.events.len().saturating_sub(20);
            html! {
                <li class="corr-hit">
                    if !group.is_empty() { <code>{ group.join(", ") }</code>{ " · " } }
                    { format!("{} … {} · value {} · events {}", h.start, h.end, h.value, events.join(", ")) }
                    if more > 0 { { format!(" +{more} more") } }
                </li>
            }
        });
        html! {
            <li class={classes!("result", if c.matched { "hit" } else { "miss" })}
                data-testid="correlation-result" data-matched={if c.matched { "true" } else { "false" }}>
                <div class="rh">
                    <span class={classes!("badge", if c.matched { "badge-hit" } else { "badge-miss" })}>
                        { if c.matched { format!("✓ {}", plural(c.hits.len(), "hit", "hits")) } else { "✗ no hit".to_string() } }
                    </span>
                    <strong>{ c.title.clone() }</strong>
                    <code class="corr-kind">{ kind }</code>
                </div>
                if !c.hits.is_empty() { <ul class="corr-hits">{ for hits }</ul> }
            </li>
        }
    });
    html! {
        <>
            <h3 class="rr-title">{ "Correlations" }</h3>
            <ol class="result-list" data-testid="correlations">{ for items }</ol>
            { for m.notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
        </>
    }
}

/// Result rows rendered at first (more on request), so a 50,000-event paste stays usable.
pub const ROWS_SHOWN: usize = 1000;

#[function_component(ResultsPanel)]
pub fn results_panel(p: &ResultsProps) -> Html {
    let expanded = use_state(HashSet::<(usize, usize)>::new);
    let shown = use_state(|| ROWS_SHOWN);
    // The latest analyses, for callbacks that stay the same across renders.
    let latest = use_mut_ref(|| (p.rule.clone(), p.events.clone()));
    *latest.borrow_mut() = (p.rule.clone(), p.events.clone());
    let on_hover = {
        let latest = latest.clone();
        let cb = p.on_highlight.clone();
        use_callback(cb, move |key: Option<(usize, usize)>, cb| {
            let marks = key.and_then(|(ri, ei)| {
                let (rule, events) = &*latest.borrow();
                analysis::explain(rule, ri, &events.batch, ei, None).map(|r| explanation_marks(&r))
            });
            cb.emit(marks)
        })
    };
    let on_why = {
        let expanded = expanded.clone();
        use_callback((), move |key: (usize, usize), _| {
            let mut s = (*expanded).clone();
            s.insert(key);
            expanded.set(s);
        })
    };
    let n_events = p.events.batch.events.len();
    let first = p.results.rules.first();
    let count = first.map(|r| r.matched.iter().filter(|m| **m).count()).unwrap_or(0);
    let headline = if p.rule.has_errors {
        "rule has errors".to_string()
    } else if n_events == 0 {
        "no events".to_string()
    } else if p.results.rules.is_empty() {
        "no detection rule".to_string()
    } else {
        let hits: usize = p.results.correlations.iter().map(|c| c.hits.len()).sum();
        let correlated = if p.results.correlations.is_empty() {
            String::new()
        } else {
            format!(" · {}", plural(hits, "correlation hit", "correlation hits"))
        };
        format!("{count} of {} match{correlated}", plural(n_events, "event", "events"))
    };
    let body = if p.rule.has_errors {
        html! { <p class="empty">{ "The rule has errors (see Diagnostics): events are matched once they are fixed." }</p> }
    } else if n_events == 0 {
        html! { <p class="empty">{ "Paste events (JSON, JSON lines or YAML) to see which ones match." }</p> }
    } else {
        let several = p.results.rules.len() > 1;
        let limit = *shown;
        let groups = p.results.rules.iter().map(|rr| {
            let rows = rr.matched.iter().take(limit).enumerate().map(|(i, &m)| {
                let key = (rr.rule, i);
                let show = i < EXPLAIN_FIRST || expanded.contains(&key);
                let explanation = if show {
                    let filter = rr.suppressed_by.get(i).and_then(|f| f.as_deref());
                    analysis::explain(&p.rule, rr.rule, &p.events.batch, i, filter).map(Rc::new)
                } else {
                    None
                };
                let start = p.events.batch.events.get(i).and_then(|e| e.span());
                html! {
                    <ResultRow key={format!("{}-{i}", rr.rule)} rule={rr.rule} index={i} matched={m}
                        line={start.map(|s| s.line)} {start} {explanation}
                        on_hover={on_hover.clone()} on_why={on_why.clone()}
                        on_select_rule={p.on_select_rule.clone()} on_select_event={p.on_select_event.clone()} />
                }
            });
            let hidden = rr.matched.len().saturating_sub(limit);
            let more = {
                let shown = shown.clone();
                Callback::from(move |_: MouseEvent| shown.set(*shown + ROWS_SHOWN))
            };
            html! {
                <>
                    if several { <h3 class="rr-title">{ rr.title.clone() }</h3> }
                    else if !p.results.correlations.is_empty() { <h3 class="rr-title">{ "Events" }</h3> }
                    <ol class="result-list">{ for rows }</ol>
                    if hidden > 0 {
                        <p class="more">
                            { format!("{hidden} more results not shown ({} of them match). ", rr.matched.iter().skip(limit).filter(|m| **m).count()) }
                            <button type="button" class="btn btn-small" onclick={more}>{ format!("Show {} more", hidden.min(ROWS_SHOWN)) }</button>
                        </p>
                    }
                </>
            }
        });
        html! { <>{ correlations(&p.results) }{ for groups }</> }
    };
    html! {
        <section class="panel results-panel" aria-labelledby="results-heading">
            <div class="panel-head">
                <h2 id="results-heading">{ "Matches" }</h2>
                <span class="count" data-testid="match-count" aria-live="polite">{ headline }</span>
            </div>
            <div class="results" data-testid="match-results">{ body }</div>
        </section>
    }
}
