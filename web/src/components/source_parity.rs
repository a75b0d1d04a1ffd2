//! The Sigma-versus-KQL view for events read as their source writes them:
//! one verdict column per source of the target table, each source's blind
//! spots, and the rows each source gives (what the query really runs on).

use sigmaplay_core::api::{FeedParity, KqlParityReport, ParityResult, SourcesReport};
use yew::prelude::*;

use crate::components::labels::verdict;
use crate::Shared;

/// Rows of the rows view shown per source.
const SHOWN_ROWS: usize = 50;

#[derive(Properties, PartialEq)]
pub struct SourcesProps {
    /// A comparison with `sources` (shared, not copied: it holds every row of every source).
    pub report: Shared<KqlParityReport>,
    /// Rows listed before only disagreements are.
    pub limit: usize,
}

/// "2/2 agree on 3 sources", "1 disagreement (Defender for Endpoint)", ...
pub fn summary(s: &SourcesReport) -> String {
    let n = s.kinds.len();
    let off: Vec<&str> = s.feeds.iter().filter(|f| f.agreed < f.compared).map(|f| f.label.as_str()).collect();
    let events_off =
        (0..n).filter(|i| s.feeds.iter().any(|f| feed_result(f, *i).is_some_and(|r| r.sigma != r.kql))).count();
    if s.feeds.is_empty() {
        "no source gives a row".into()
    } else if events_off > 0 {
        format!("{events_off} disagreement{} ({})", if events_off == 1 { "" } else { "s" }, off.join(", "))
    } else {
        format!("{n}/{n} agree on {} source{}", s.feeds.len(), if s.feeds.len() == 1 { "" } else { "s" })
    }
}

/// One part per source: "Sysmon via Event 3/3".
fn per_source(s: &SourcesReport) -> String {
    let parts: Vec<String> = s.feeds.iter().map(|f| format!("{} {}/{}", f.label, f.agreed, f.compared)).collect();
    parts.join(" · ")
}

fn cell(p: Option<&ParityResult>) -> Html {
    let Some(p) = p else { return html! { <td class="muted">{ "—" }</td> } };
    let (attr, text, class) = verdict(p.kql);
    let off = p.sigma != p.kql;
    html! {
        <td class={classes!(off.then_some("disagree"))} data-kql={attr} data-agree={if off { "false" } else { "true" }}>
            <span class={class}>{ text }</span>
        </td>
    }
}

fn feed_result(f: &FeedParity, i: usize) -> Option<&ParityResult> {
    f.results.get(i).and_then(Option::as_ref)
}

#[function_component(SourceParity)]
pub fn source_parity(p: &SourcesProps) -> Html {
    let Some(s) = &p.report.sources else { return html! {} };
    let n = s.kinds.len();
    let off = |i: usize| s.feeds.iter().any(|f| feed_result(f, i).is_some_and(|r| r.sigma != r.kql));
    let shown: Vec<usize> = (0..n).filter(|i| *i < p.limit || off(*i)).collect();
    let hidden = n - shown.len();
    let head = s.feeds.iter().map(|f| html! { <th scope="col">{ f.label.clone() }</th> });
    let rows = shown.iter().map(|&i| {
        let first = s.feeds.iter().find_map(|f| feed_result(f, i));
        let (s_attr, s_text, s_class) = verdict(first.and_then(|r| r.sigma));
        let k_attr = verdict(first.and_then(|r| r.kql)).0;
        let causes: Vec<String> = s.feeds.iter().filter_map(|f| feed_result(f, i)?.cause.clone()).collect();
        let bad = off(i);
        let kind = s.kinds.get(i).map_or("", |k| k.label());
        html! {
            <>
                <tr data-testid="parity-row" data-sigma={s_attr} data-kql={k_attr} data-agree={if bad || first.is_none() { "false" } else { "true" }}
                    class={classes!(bad.then_some("disagree"))}>
                    <th scope="row" title={kind}>{ format!("Event {}", i + 1) }</th>
                    <td><span class={s_class}>{ s_text }</span></td>
                    { for s.feeds.iter().map(|f| cell(feed_result(f, i))) }
                </tr>
                if !causes.is_empty() {
                    <tr class="disagree cause-row">
                        <td colspan={(s.feeds.len() + 2).to_string()} class="cause" data-testid="parity-cause">{ causes.join(" · ") }</td>
                    </tr>
                }
            </>
        }
    });
    let blind = s.feeds.iter().filter(|f| f.blind > 0).map(|f| {
        html! {
            <li data-testid="blind-spot">{ format!(
                "{}: {} event{} the rule matches cannot match as this source records {} (missing {})",
                f.label, f.blind, if f.blind == 1 { "" } else { "s" }, if f.blind == 1 { "it" } else { "them" },
                if f.blind_fields.is_empty() { "fields the rule reads".to_string() } else { f.blind_fields.join(", ") }
            ) }</li>
        }
    });
    html! {
        <>
            <p class="muted small" data-testid="source-summary">{ per_source(s) }</p>
            <table class="parity-table" data-testid="source-parity">
                <thead><tr><th scope="col">{ "Event" }</th><th scope="col">{ "Sigma" }</th>{ for head }</tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if hidden > 0 {
                <p class="muted small">{ format!("{hidden} more events, where every source agrees, are not listed.") }</p>
            }
            <ul class="blind-spots small">{ for blind }</ul>
            { for s.feeds.iter().map(rows_view) }
        </>
    }
}

/// The rows a source gives (the first [`SHOWN_ROWS`]), a `column: value`
/// line each, as the query sees them.
fn rows_view(f: &FeedParity) -> Html {
    let mut text = String::new();
    for (i, r) in f.rows.iter().enumerate().filter_map(|(i, r)| Some((i, r.as_ref()?.as_object()?))).take(SHOWN_ROWS) {
        text.push_str(&format!("// event {}\n", i + 1));
        for (k, v) in r {
            match v {
                serde_json::Value::String(s) => text.push_str(&format!("{k}: {s}\n")),
                other => text.push_str(&format!("{k}: {other}\n")),
            }
        }
    }
    html! {
        <details class="rows-view" data-testid="rows-view">
            <summary>{ format!("Rows from {}", f.label) }</summary>
            <pre class="rows" data-testid="rows">{ text }</pre>
        </details>
    }
}
