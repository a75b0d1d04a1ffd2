//! The KQL panel: the generated (or hand-edited) query in an editor, copy and
//! download, and the mapping notes (field mappings, conversion diagnostics).

use sigmaplay_core::deploy::Format;
use sigmaplay_core::{Severity, Span};
use yew::prelude::*;

use crate::analysis::KqlOutput;
use crate::components::labels::{severity_class, severity_icon};
use crate::editor::{CodeEditor, EditorMark};
use crate::highlight::Lang;
use crate::Shared;

pub struct KqlPanelProps {
    pub kql: Shared<KqlOutput>,
    /// The query shown: the generated one or the user's edit.
    pub text: Shared<str>,
    /// The user edited the query.
    pub edited: bool,
    /// The query's own diagnostics (KQL syntax, unsupported parts), at their place in `text`.
    pub marks: Shared<Vec<EditorMark>>,
    /// Bumped when `text` replaces what the editor holds (restore, load, a new generated query).
    pub load_rev: u64,
    /// The rule has errors: a query may still be shown for the parts that could be read.
    pub rule_has_errors: bool,
    pub on_copy: Callback<()>,
    pub on_download: Callback<()>,
    /// A deployment format was chosen in the Export menu.
    pub on_export: Callback<Format>,
    /// A mapping note was clicked: select its span in the rule editor.
    pub on_select: Callback<Span>,
    /// The user edited the query.
    pub on_edit: Callback<String>,
    /// "Restore generated" was clicked.
    pub on_restore: Callback<()>,
    /// The query cannot be edited (a read-only embed).
    pub readonly: bool,
}

/// A plain view, not a component: a component would instantiate Yew's lifecycle
/// code once more for it (docs/size.md).
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
    // The Export menu: one item per deployment format (docs/deploy.md).
    let export_items = [Format::SentinelYaml, Format::SentinelArm, Format::DefenderJson]
    .into_iter()
    .map(|format| {
        let label = super::export_panel::format_label(format);
        let cb = p.on_export.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            // The menu closes once a format is chosen: the panel below takes over.
            let item: web_sys::Element = e.target_unchecked_into();
            if let Ok(Some(menu)) = item.closest("details") {
                let _ = menu.remove_attribute("open");
            }
            cb.emit(format)
        });
        html! {
            <li><button type="button" class="btn btn-small" {onclick} data-testid={format!("export-{}", format.name())}>{ label }</button></li>
        }
    });
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
                    <details class="export-menu" data-testid="export-menu">
                        <summary class="btn" title="Download the rule as a deployable Sentinel or Defender rule, checked before deploying">{ "Export" }</summary>
                        <ul>{ for export_items }</ul>
                    </details>
                </div>
            </div>
            if has && p.rule_has_errors {
                <p class="kql-warn" role="note">{ "The rule has errors: this query covers only the parts that could be read." }</p>
            }
            if editor {
                <CodeEditor id="kql-input" testid="kql-output" label="Query" lang={Lang::Kql} text={p.text.clone()}
                    load_rev={p.load_rev} on_change={p.on_edit.clone()} {rows} mirror={true} wrap={true} marks={p.marks.clone()} readonly={p.readonly}>
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
