//! The diagnostics panel: every diagnostic of the rule, the conversion, the
//! pipeline and the events, each a button that selects its place.

use sigmaplay_core::{Fix, Severity, Span};
use yew::prelude::*;

use crate::analysis::{Origin, UiDiagnostic};
use crate::components::labels::{plural, severity_class, severity_icon};
use crate::Shared;

/// Diagnostics listed at most.
pub const MAX_LISTED: usize = 200;

pub struct DiagnosticsProps {
    pub list: Shared<Vec<UiDiagnostic>>,
    pub on_select: Callback<(Origin, Span)>,
    /// Apply a fix (`None`: every safe fix).
    pub on_fix: Callback<Option<Fix>>,
}

/// A plain view, not a component: a component would instantiate Yew's lifecycle
/// code once more for it (docs/size.md).
pub fn diagnostics_panel(p: &DiagnosticsProps) -> Html {
    let errors = p.list.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = p.list.iter().filter(|d| d.severity == Severity::Warning).count();
    let infos = p.list.len() - errors - warnings;
    let items = p.list.iter().take(MAX_LISTED).map(|d| {
        let onclick = {
            let cb = p.on_select.clone();
            let (origin, span) = (d.origin, d.span);
            Callback::from(move |_: MouseEvent| {
                if let Some(s) = span {
                    cb.emit((origin.editor(), s))
                }
            })
        };
        let pos = d.span.map(|s| format!("{}:{}", s.line, s.col)).unwrap_or_default();
        let title = format!("{} ({})", d.message, d.code);
        let fix = d.fix.clone().filter(|_| d.origin == Origin::Rule).map(|f| {
            let label = if f.safe { f.title.clone() } else { format!("{} — changes what the rule matches", f.title) };
            let cb = p.on_fix.clone();
            let onclick = Callback::from(move |_: MouseEvent| cb.emit(Some(f.clone())));
            html! { <button type="button" class="btn btn-small fix-btn" {onclick} title={label.clone()} aria-label={format!("Fix: {label}")}>{ "Fix" }</button> }
        });
        html! {
            <li class={severity_class(d.severity)} data-line={d.span.map(|s| s.line.to_string()).unwrap_or_default()}>
                <button type="button" class="diag-btn" {onclick} disabled={d.span.is_none()} title={title}>
                    <span class="sev" aria-label={d.severity.name()}>{ severity_icon(d.severity) }</span>
                    <span class="origin">{ d.origin.label() }</span>
                    if !pos.is_empty() { <span class="pos">{ pos }</span> }
                    <span class="msg">{ d.message.clone() }</span>
                </button>
                { for fix }
            </li>
        }
    });
    let more = p.list.len().saturating_sub(MAX_LISTED);
    let safe = p.list.iter().filter(|d| d.origin == Origin::Rule && d.fix.as_ref().is_some_and(|f| f.safe)).count();
    let fix_all = {
        let cb = p.on_fix.clone();
        Callback::from(move |_: MouseEvent| cb.emit(None))
    };
    html! {
        <section class="panel diag-panel" aria-labelledby="diag-heading">
            <div class="panel-head">
                <h2 id="diag-heading">{ "Diagnostics" }</h2>
                <span class="count">
                    { format!("{} · {} · {}", plural(errors, "error", "errors"), plural(warnings, "warning", "warnings"), plural(infos, "note", "notes")) }
                </span>
                if safe > 1 {
                    <button type="button" class="btn btn-small fix-all-btn" onclick={fix_all} title="Apply every fix that keeps what the rule matches">
                        { format!("Fix all ({safe})") }
                    </button>
                }
            </div>
            <div data-testid="diagnostics" class="diagnostics">
                if p.list.is_empty() {
                    <p class="empty">{ "No problems found." }</p>
                } else {
                    <ul class="diag-list">{ for items }</ul>
                    if more > 0 { <p class="muted small">{ format!("… and {more} more") }</p> }
                }
            </div>
        </section>
    }
}
