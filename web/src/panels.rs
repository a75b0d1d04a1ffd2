//! The output side of the page: rule card, KQL output with mapping notes,
//! match results with explanations, the diagnostics list, the examples gallery.
//! All user text is rendered as text nodes; links only for http(s) URLs.

use std::collections::HashSet;
use std::rc::Rc;

use sigmaplay_core::api::{EventsSchema, KqlParityReport, Source};
use sigmaplay_core::engine::matcher::{ItemOutcome, MatchResult};
use sigmaplay_core::sigma::tags;
use sigmaplay_core::{Severity, Span};
use yew::prelude::*;

use crate::analysis::{self, EventsAnalysis, KqlOutput, Matches, Origin, RuleAnalysis, UiDiagnostic};
use crate::editor::{CodeEditor, EditorMark};
use crate::examples::EXAMPLES;
use crate::highlight::{mark, Lang};
use crate::{is_web_link, Shared};

/// Results explained without asking (the rest have a "Why?" button).
pub const EXPLAIN_FIRST: usize = 20;
/// Diagnostics listed at most.
pub const MAX_LISTED: usize = 200;

pub fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✖",
        Severity::Warning => "▲",
        Severity::Info => "ℹ",
    }
}

/// The spoken name of a severity (core's: a static string, no `Debug` formatting in the wasm).
pub fn severity_name(s: Severity) -> &'static str {
    s.name()
}

pub fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-err",
        Severity::Warning => "sev-warn",
        Severity::Info => "sev-info",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

// ---------------------------------------------------------------------------
// Rule card
// ---------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct RuleCardProps {
    pub rule: Shared<RuleAnalysis>,
    pub kql: Shared<KqlOutput>,
}

fn level_class(level: &str) -> &'static str {
    match level.to_ascii_lowercase().as_str() {
        "informational" => "lv-informational",
        "low" => "lv-low",
        "medium" => "lv-medium",
        "high" => "lv-high",
        "critical" => "lv-critical",
        _ => "lv-other",
    }
}

#[function_component(RuleCard)]
pub fn rule_card(p: &RuleCardProps) -> Html {
    let Some(rule) = p.rule.parsed.rules.first() else {
        return html! {
            <section class="panel rule-card" aria-label="Rule">
                <p class="muted">{ if p.rule.has_errors { "The rule cannot be read yet: see Diagnostics." } else { "No rule yet: write one, or pick an example." } }</p>
            </section>
        };
    };
    let title = rule.title.as_ref().map(|t| t.value.clone()).unwrap_or_else(|| "(untitled rule)".into());
    let level = rule.level.as_ref().map(|l| l.value.clone());
    let status = rule.status.as_ref().map(|s| s.value.clone());
    let ls = &rule.logsource;
    let logsource: Vec<String> = [("product", ls.product()), ("category", ls.category()), ("service", ls.service())]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
        .collect();
    let tables = p.kql.tables.join(", ");
    let tags = rule.tags.iter().map(|t| {
        let tag = t.value.clone();
        match tags::describe_tag(&tag) {
            Some(info) if info.url.as_deref().is_some_and(|u| u.starts_with("https://")) => {
                let label = match &info.name {
                    Some(n) => format!("{} {n}", info.id),
                    None => info.id.clone(),
                };
                html! {
                    <li><a class="tag" href={info.url.clone().unwrap_or_default()} target="_blank" rel="noopener noreferrer" title={tag}>{ label }</a></li>
                }
            }
            Some(info) => html! { <li><span class="tag" title={tag}>{ info.name.clone().unwrap_or(info.id) }</span></li> },
            None => html! { <li><span class="tag tag-plain">{ tag }</span></li> },
        }
    });
    let fps = rule.falsepositives.iter().map(|f| html! { <li>{ f.value.clone() }</li> });
    let refs = rule.references.iter().map(|r| {
        let v = r.value.clone();
        if is_web_link(&v) {
            html! { <li><a href={v.trim().to_string()} target="_blank" rel="noopener noreferrer nofollow">{ v.clone() }</a></li> }
        } else {
            html! { <li>{ v }</li> }
        }
    });
    let more_rules = p.rule.parsed.rules.len().saturating_sub(1);
    html! {
        <section class="panel rule-card" aria-labelledby="rule-card-title">
            <div class="rc-head">
                <h2 id="rule-card-title" class="rc-title" data-testid="rule-title">{ title }</h2>
                if let Some(l) = level {
                    <span class={classes!("badge", level_class(&l))} title="level">{ l }</span>
                }
                if let Some(s) = status {
                    <span class="badge badge-status" title="status">{ s }</span>
                }
            </div>
            if more_rules > 0 {
                <p class="muted small">{ format!("+ {} in this file", plural(more_rules, "more rule", "more rules")) }</p>
            }
            <dl class="rc-facts">
                <dt>{ "Log source" }</dt>
                <dd>{ if logsource.is_empty() { "—".to_string() } else { logsource.join(" · ") } }</dd>
                <dt>{ "Target table" }</dt>
                <dd><code data-testid="target-table">{ if tables.is_empty() { "—".to_string() } else { tables } }</code></dd>
                if !rule.falsepositives.is_empty() {
                    <dt>{ "False positives" }</dt>
                    <dd><ul class="inline-list">{ for fps }</ul></dd>
                }
            </dl>
            if !rule.tags.is_empty() {
                <ul class="tags" aria-label="ATT&CK and other tags">{ for tags }</ul>
            }
            if rule.description.is_some() || !rule.references.is_empty() || rule.author.is_some() {
                <details class="rc-more">
                    <summary>{ "Description, author and references" }</summary>
                    if let Some(d) = &rule.description {
                        <p class="rc-desc">{ d.value.clone() }</p>
                    }
                    if let Some(a) = &rule.author {
                        <p class="rc-desc"><span class="muted">{ "Author: " }</span>{ a.value.clone() }</p>
                    }
                    if !rule.references.is_empty() {
                        <h3 class="rc-sub">{ "References" }</h3>
                        <ul class="plain-list refs">{ for refs }</ul>
                    }
                </details>
            }
        </section>
    }
}

// ---------------------------------------------------------------------------
// KQL output
// ---------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct KqlPanelProps {
    pub kql: Shared<KqlOutput>,
    /// The query shown: the generated one or the user's edit.
    pub text: Shared<str>,
    /// The user edited the query.
    #[prop_or_default]
    pub edited: bool,
    /// The query's own diagnostics (KQL syntax, unsupported parts), at their place in `text`.
    #[prop_or_default]
    pub marks: Shared<Vec<EditorMark>>,
    /// Bumped when `text` replaces what the editor holds (restore, load, a new generated query).
    pub load_rev: u64,
    /// The rule has errors: a query may still be shown for the parts that could be read.
    #[prop_or_default]
    pub rule_has_errors: bool,
    pub on_copy: Callback<()>,
    pub on_download: Callback<()>,
    /// A mapping note was clicked: select its span in the rule editor.
    pub on_select: Callback<Span>,
    /// The user edited the query.
    pub on_edit: Callback<String>,
    /// "Restore generated" was clicked.
    pub on_restore: Callback<()>,
}

#[function_component(KqlPanel)]
pub fn kql_panel(p: &KqlPanelProps) -> Html {
    let k = &p.kql;
    let has = !p.text.is_empty();
    // The editor shows the query; with no query (and no edit) the reason is shown instead.
    let editor = has || p.edited;
    let why = (!editor).then(|| {
        let why = k
            .empty_reason
            .clone()
            .or_else(|| k.diagnostics.iter().find(|d| d.severity == Severity::Error).map(|d| d.message.clone()))
            .unwrap_or_else(|| "no query".into());
        html! { <span class="t-com">{ format!("// No KQL: {why}") }</span> }
    });
    let restore = {
        let cb = p.on_restore.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    // Wrapped lines: about 64 characters per row in the narrowest panel.
    let rows = (p.text.lines().map(|l| 1 + l.chars().count() / 64).sum::<usize>() + 1).clamp(4, 16) as u32;
    let copy = {
        let cb = p.on_copy.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let download = {
        let cb = p.on_download.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let mappings = k.field_mappings.iter().map(|m| {
        let targets = if m.targets.is_empty() { "(dropped)".to_string() } else { m.targets.join(" or ") };
        html! {
            <li class={classes!(m.approximate.then_some("approx"))}>
                <code>{ m.sigma.clone() }</code>{ " → " }<code>{ targets }</code>
                if m.approximate { <span class="badge badge-approx">{ "approximate" }</span> }
            </li>
        }
    });
    let notes = k.diagnostics.iter().map(|d| {
        let onclick = {
            let cb = p.on_select.clone();
            let span = d.span;
            Callback::from(move |_: MouseEvent| {
                if let Some(s) = span {
                    cb.emit(s)
                }
            })
        };
        let pos = d.span.map(|s| format!("{}:{}", s.line, s.col)).unwrap_or_default();
        html! {
            <li class={severity_class(d.severity)}>
                <button type="button" class="diag-btn" {onclick} disabled={d.span.is_none()}>
                    <span class="sev" aria-hidden="true">{ severity_icon(d.severity) }</span>
                    if !pos.is_empty() { <span class="pos">{ pos }</span> }
                    <span class="msg">{ d.message.clone() }</span>
                </button>
            </li>
        }
    });
    html! {
        <section class="panel kql-panel" aria-labelledby="kql-heading">
            <div class="panel-head">
                <h2 id="kql-heading">{ "KQL" }</h2>
                <div class="actions">
                    <button type="button" class="btn" onclick={copy} disabled={!has} title="Copy KQL (Ctrl/Cmd+Shift+C)" data-testid="copy-kql">{ "Copy" }</button>
                    <button type="button" class="btn" onclick={download} disabled={!has} title="Download as a .kql file" data-testid="download-kql">{ "Download .kql" }</button>
                </div>
            </div>
            if has && p.rule_has_errors {
                <p class="kql-warn" role="note">{ "The rule has errors: this query covers only the parts that could be read." }</p>
            }
            if editor {
                <CodeEditor id="kql-input" testid="kql-output" label="Query" lang={Lang::Kql} text={p.text.clone()}
                    load_rev={p.load_rev} on_change={p.on_edit.clone()} {rows} mirror={true} wrap={true} marks={p.marks.clone()}>
                    <span class="kql-state">
                        if p.edited {
                            <span class="badge badge-edited" data-testid="kql-edited" title="This query was edited by hand: it no longer follows the rule">{ "edited" }</span>
                            <button type="button" class="btn btn-small" onclick={restore} data-testid="restore-kql" title="Replace the edited query with the one generated from the rule">{ "Restore generated" }</button>
                        } else {
                            <span class="kql-hint">{ "generated; edit to try changes" }</span>
                        }
                    </span>
                </CodeEditor>
            } else {
                <pre id="kql-output" class="kql-output" data-testid="kql-output" aria-live="polite" tabindex="0">{ why }</pre>
            }
            if !k.field_mappings.is_empty() || !k.diagnostics.is_empty() {
                <details class="notes" open={true}>
                    <summary>{ format!("Mapping notes ({})", k.field_mappings.len() + k.diagnostics.len()) }</summary>
                    if !k.field_mappings.is_empty() {
                        <ul class="mappings" data-testid="field-mappings">{ for mappings }</ul>
                    }
                    if !k.diagnostics.is_empty() {
                        <ul class="diag-list" data-testid="kql-notes">{ for notes }</ul>
                    }
                </details>
            }
        </section>
    }
}

// ---------------------------------------------------------------------------
// Sigma and KQL verdicts side by side
// ---------------------------------------------------------------------------

/// The events-schema choices of the parity panel: (value, label).
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
        return crate::source_parity::summary(s);
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

pub fn verdict(v: Option<bool>) -> (&'static str, &'static str, &'static str) {
    match v {
        Some(true) => ("true", "✓ match", "badge badge-hit"),
        Some(false) => ("false", "✗ no match", "badge badge-miss"),
        None => ("none", "— not run", "badge"),
    }
}

#[derive(Properties, PartialEq)]
pub struct ParityProps {
    /// The last comparison; `None` until the first one ran.
    pub report: Option<Shared<KqlParityReport>>,
    pub schema: EventsSchema,
    pub on_schema: Callback<EventsSchema>,
}

#[function_component(ParityPanel)]
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
    let shown = |x: &&sigmaplay_core::api::ParityResult| x.index < PARITY_ROWS || x.sigma != x.kql;
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
            if let Some(sources) = r.sources.clone() {
                <crate::source_parity::SourceParity {sources} limit={PARITY_ROWS} />
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

// ---------------------------------------------------------------------------
// Match results
// ---------------------------------------------------------------------------

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

fn item_key(it: &ItemOutcome) -> String {
    let mut s = it.field.clone().unwrap_or_else(|| "keyword".into());
    for m in &it.modifiers {
        s.push('|');
        s.push_str(m);
    }
    s
}

fn values_text(values: &[String]) -> String {
    const SHOWN: usize = 4;
    let mut parts: Vec<String> = values.iter().take(SHOWN).map(|v| format!("'{v}'")).collect();
    if values.len() > SHOWN {
        parts.push(format!("+{} more", values.len() - SHOWN));
    }
    parts.join(", ")
}

fn explanation(r: &MatchResult, select: &Callback<Span>) -> Html {
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
            let actual = match &it.actual {
                Some(v) => analysis::value_text(v, 160),
                None if it.field.is_none() => "—".into(),
                None => "absent".into(),
            };
            html! {
                <li class={classes!("item", if it.matched { "held" } else { "failed" })}>
                    <button type="button" class="item-btn" {onclick} title="Show in the rule">
                        <code class="ik">{ item_key(it) }</code>
                        if it.matched {
                            if let Some(v) = &it.matched_value {
                                <span class="iv">{ format!(" matched '{v}'") }</span>
                            }
                        } else {
                            <span class="iv">{ format!(" expects {}", values_text(&it.values)) }</span>
                        }
                        if it.field.is_some() {
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
                analysis::explain(rule, ri, &events.batch, ei).map(|r| explanation_marks(&r))
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
                    analysis::explain(&p.rule, rr.rule, &p.events.batch, i).map(|mut r| {
                        if let Some(Some(filter)) = rr.suppressed_by.get(i) {
                            r.matched = false;
                            r.summary = format!("suppressed by filter '{filter}': {}", r.summary);
                            r.suppressed_by = Some(filter.clone());
                        }
                        Rc::new(r)
                    })
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

// ---------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct DiagnosticsProps {
    pub list: Shared<Vec<UiDiagnostic>>,
    pub on_select: Callback<(Origin, Span)>,
}

#[function_component(DiagnosticsPanel)]
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
        html! {
            <li class={severity_class(d.severity)} data-line={d.span.map(|s| s.line.to_string()).unwrap_or_default()}>
                <button type="button" class="diag-btn" {onclick} disabled={d.span.is_none()} title={title}>
                    <span class="sev" aria-label={severity_name(d.severity)}>{ severity_icon(d.severity) }</span>
                    <span class="origin">{ d.origin.label() }</span>
                    if !pos.is_empty() { <span class="pos">{ pos }</span> }
                    <span class="msg">{ d.message.clone() }</span>
                </button>
            </li>
        }
    });
    let more = p.list.len().saturating_sub(MAX_LISTED);
    html! {
        <section class="panel diag-panel" aria-labelledby="diag-heading">
            <div class="panel-head">
                <h2 id="diag-heading">{ "Diagnostics" }</h2>
                <span class="count">
                    { format!("{} · {} · {}", plural(errors, "error", "errors"), plural(warnings, "warning", "warnings"), plural(infos, "note", "notes")) }
                </span>
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

// ---------------------------------------------------------------------------
// Examples gallery
// ---------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct ExamplesProps {
    pub on_load: Callback<usize>,
    #[prop_or_default]
    pub current: Option<usize>,
}

#[function_component(ExamplesGallery)]
pub fn examples_gallery(p: &ExamplesProps) -> Html {
    let cards = EXAMPLES.iter().enumerate().map(|(i, ex)| {
        let onclick = {
            let cb = p.on_load.clone();
            Callback::from(move |_: MouseEvent| cb.emit(i))
        };
        let n = ex.expected.len();
        html! {
            <li>
                <button type="button" class={classes!("example", (p.current == Some(i)).then_some("current"))} {onclick} data-example={ex.id}>
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

/// The built-in targets, in the order of the selector.
pub const TARGETS: &[(&str, &str)] = &[
    ("sentinel_asim", "Sentinel (ASIM)"),
    ("microsoft_xdr", "Defender XDR"),
    ("azure_monitor", "Azure Monitor"),
    ("none", "None (Sigma fields)"),
];

pub fn target_label(name: &str) -> &'static str {
    TARGETS.iter().find(|(n, _)| *n == name).map_or("Sentinel (ASIM)", |(_, l)| l)
}

/// Which language the events editor highlights.
pub const EVENTS_LANG: Lang = Lang::Events;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_core_builtins() {
        for (name, _) in TARGETS {
            assert!(sigmaplay_core::pipeline::BUILTIN_NAMES.contains(name), "{name}");
        }
    }

    #[test]
    fn severity_names_are_the_lowercase_variants() {
        for s in [Severity::Error, Severity::Warning, Severity::Info] {
            assert_eq!(severity_name(s), format!("{s:?}").to_lowercase());
        }
    }

    #[test]
    fn values_are_bounded() {
        let v: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        assert_eq!(values_text(&v), "'0', '1', '2', '3', +6 more");
    }
}
