//! The "Sigma vs KQL" panel: the rule's and the query's verdicts on each
//! event side by side, the events-schema choice, and the likely cause of each
//! disagreement. Events read as their source writes them are shown per
//! source by [`SourceParity`].

use sigmaplay_core::api::{EventsSchema, KqlParityReport, ParityResult, Source};
use sigmaplay_core::Severity;
use yew::prelude::*;

use crate::components::labels::verdict;
use crate::components::source_parity::{self, SourceParity};
use crate::Shared;

/// The events-schema choices of the parity panel: (value, `<option>` value, label).
pub const SCHEMAS: [(EventsSchema, &str, &str); 4] = [
    (EventsSchema::Auto, "auto", "Auto"),
    (EventsSchema::Source, "source", "As their source writes them"),
    (EventsSchema::Sigma, "sigma", "Sigma fields, by the rule's own mapping"),
    (EventsSchema::Target, "target", "Target table rows"),
];

/// Rows listed before only disagreements are.
const PARITY_ROWS: usize = 200;

fn schema_label(s: EventsSchema) -> &'static str {
    SCHEMAS.iter().find(|(x, _, _)| *x == s).map_or("Auto", |(_, _, l)| *l)
}

/// "5/5 agree", "1 disagreement", "KQL could not run", ...
pub fn parity_summary(r: &KqlParityReport) -> String {
    if let Some(s) = &r.sources {
        return source_parity::summary(s);
    }
    let n = r.results.len();
    let disagree = r.results.iter().filter(|x| matches!((x.sigma, x.kql), (Some(a), Some(b)) if a != b)).count();
    let kql_missing = r.results.iter().any(|x| x.kql.is_none());
    let sigma_missing = r.results.iter().any(|x| x.sigma.is_none());
    if n == 0 {
        "no events to compare".into()
    } else if disagree > 0 {
        format!("{disagree} disagreement{}", if disagree == 1 { "" } else { "s" })
    } else if kql_missing {
        "the KQL could not run".into()
    } else if sigma_missing {
        "the rule could not run".into()
    } else {
        format!("{n}/{n} agree")
    }
}

pub struct ParityProps {
    /// The last comparison; `None` until the first one ran.
    pub report: Option<Shared<KqlParityReport>>,
    pub schema: EventsSchema,
    pub on_schema: Callback<EventsSchema>,
}

/// A plain view, not a component: a component would instantiate Yew's lifecycle
/// code once more for it (docs/size.md).
pub fn parity_panel(p: &ParityProps) -> Html {
    let onchange = {
        let cb = p.on_schema.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let v = sel.value();
            if let Some((s, _, _)) = SCHEMAS.iter().find(|(_, name, _)| *name == v) {
                cb.emit(*s);
            }
        })
    };
    let options = SCHEMAS.iter().map(|(s, name, label)| {
        html! { <option value={*name} selected={*s == p.schema}>{ *label }</option> }
    });
    let Some(r) = p.report.as_ref() else {
        return html! {
            <section class="panel parity-panel" data-testid="parity" aria-labelledby="parity-heading" aria-busy="true">
                <div class="panel-head"><h2 id="parity-heading">{ "Sigma vs KQL" }</h2></div>
            </section>
        };
    };
    let summary = parity_summary(r);
    let all_agree = r.agree && !r.results.is_empty();
    let read_as = r
        .sources
        .as_ref()
        .and_then(|s| s.kinds.first())
        .map(|k| format!(", read as {}", k.label()))
        .unwrap_or_default();
    let detected = (p.schema == EventsSchema::Auto).then(|| format!("detected: {}{read_as}", schema_label(r.schema)));
    let kql_error =
        r.diagnostics.iter().find(|d| d.source == Some(Source::Kql) && d.severity == Severity::Error).map(|d| {
            if d.line > 0 {
                format!("KQL {}:{}: {}", d.line, d.col, d.message)
            } else {
                format!("KQL: {}", d.message)
            }
        });
    // Long lists: the first rows and every disagreement, in event order.
    let shown = |x: &&ParityResult| x.index < PARITY_ROWS || x.sigma != x.kql;
    let hidden = r.results.iter().filter(|x| !shown(x)).count();
    let rows = r.results.iter().filter(shown).map(|x| {
        let (s_attr, s_text, s_class) = verdict(x.sigma);
        let (k_attr, k_text, k_class) = verdict(x.kql);
        let agree = x.sigma.is_some() && x.sigma == x.kql;
        let disagree = matches!((x.sigma, x.kql), (Some(a), Some(b)) if a != b);
        html! {
            <>
                <tr data-testid="parity-row" data-sigma={s_attr} data-kql={k_attr} data-agree={if agree { "true" } else { "false" }}
                    class={classes!(disagree.then_some("disagree"))}>
                    <th scope="row">{ format!("Event {}", x.index + 1) }</th>
                    <td><span class={s_class}>{ s_text }</span></td>
                    <td><span class={k_class}>{ k_text }</span></td>
                </tr>
                if disagree {
                    <tr class="disagree cause-row">
                        <td colspan="3" class="cause" data-testid="parity-cause">
                            { x.cause.clone().unwrap_or_else(|| "no likely cause found".into()) }
                        </td>
                    </tr>
                }
            </>
        }
    });
    html! {
        <section class="panel parity-panel" data-testid="parity" aria-labelledby="parity-heading">
            <div class="panel-head">
                <h2 id="parity-heading">{ "Sigma vs KQL" }</h2>
                <span class={classes!("count", if all_agree { "ok" } else { "bad" })} data-testid="parity-summary" aria-live="polite">{ summary }</span>
            </div>
            <div class="parity-opts">
                <label for="schema-select">{ "Events are" }</label>
                <select id="schema-select" data-testid="schema-select" {onchange}>{ for options }</select>
                if let Some(d) = detected { <span class="muted small" data-testid="schema-detected">{ d }</span> }
                if r.edited { <span class="badge badge-edited">{ "edited query" }</span> }
            </div>
            if let Some(e) = kql_error {
                <p class="kql-warn" role="note" data-testid="parity-error">{ e }</p>
            }
            if r.sources.is_some() {
                <SourceParity report={r.clone()} limit={PARITY_ROWS} />
            } else if !r.results.is_empty() {
                <table class="parity-table">
                    <thead><tr><th scope="col">{ "Event" }</th><th scope="col">{ "Sigma" }</th><th scope="col">{ "KQL" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                if hidden > 0 {
                    <p class="muted small">{ format!("{hidden} more events, where both agree, are not listed.") }</p>
                }
            }
        </section>
    }
}
