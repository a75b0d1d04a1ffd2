//! The Export panel: the rule as a deployable Sentinel or Defender rule, its
//! pre-flight checks, the schedule fields, and copy/download of the document.

use sigmaplay_core::api::ExportReport;
use sigmaplay_core::deploy::Format;
use sigmaplay_core::Severity;
use yew::prelude::*;

use crate::components::labels::{severity_class, severity_icon};
use crate::Shared;

pub struct ExportPanelProps {
    pub format: Format,
    pub frequency: String,
    pub period: String,
    pub threshold: String,
    pub report: Option<Shared<ExportReport>>,
    pub input_errors: Vec<String>,
    pub on_frequency: Callback<String>,
    pub on_period: Callback<String>,
    pub on_threshold: Callback<String>,
    pub on_copy: Callback<()>,
    pub on_download: Callback<()>,
    pub on_close: Callback<()>,
}

/// What each format is called in the panel.
pub fn format_label(format: Format) -> &'static str {
    match format {
        Format::SentinelYaml => "Sentinel analytics rule (YAML)",
        Format::SentinelArm => "Sentinel ARM template",
        Format::DefenderJson => "Defender custom detection (JSON)",
    }
}

fn text_input(value: &str, placeholder: &str, testid: &str, cb: &Callback<String>) -> Html {
    let cb = cb.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        cb.emit(input.value());
    });
    html! { <input type="text" class="export-input" value={value.to_string()} placeholder={placeholder.to_string()} {oninput} data-testid={testid.to_string()} spellcheck="false" /> }
}

/// A plain view, not a component: a component would instantiate Yew's lifecycle
/// code once more for it (docs/size.md).
pub fn export_panel(p: &ExportPanelProps) -> Html {
    let sentinel = p.format != Format::DefenderJson;
    let click = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let report = p.report.as_deref();
    let document = report.and_then(|r| r.document.clone());
    let checks = report.map(|r| r.diagnostics.clone()).unwrap_or_default();
    let errors = checks.iter().filter(|d| d.severity == Severity::Error).count();
    let verdict = match (report, errors) {
        (None, _) => html! {},
        (Some(_), 0) => {
            html! { <p class="export-verdict ok" data-testid="export-verdict">{ "Pre-flight checks pass" }</p> }
        }
        (Some(_), n) => {
            html! { <p class="export-verdict fail" data-testid="export-verdict">{ format!("{n} pre-flight check(s) fail") }</p> }
        }
    };
    let rows = p
        .input_errors
        .iter()
        .map(|e| html! { <li class="sev-err"><span class="sev">{ severity_icon(Severity::Error) }</span>{" "}{ e }</li> })
        .chain(checks.iter().map(|d| {
            html! {
                <li class={severity_class(d.severity)}><span class="sev">{ severity_icon(d.severity) }</span>{" "}<code>{ &d.code }</code>{": "}{ &d.message }</li>
            }
        }));
    html! {
        <section class="export-panel" data-testid="export-panel" aria-label="Export">
            <div class="export-head">
                <h3>{ format!("Export: {}", format_label(p.format)) }</h3>
                <button type="button" class="btn btn-small" onclick={click(&p.on_close)} title="Close the export panel" data-testid="export-close">{ "Close" }</button>
            </div>
            <div class="export-fields">
                <label>{ "Run every " }{ text_input(&p.frequency, if sentinel { "1h" } else { "1h (0: continuous)" }, "export-frequency", &p.on_frequency) }</label>
                if sentinel {
                    <label>{ "Look back " }{ text_input(&p.period, "= run every", "export-period", &p.on_period) }</label>
                    <label>{ "Alert above " }{ text_input(&p.threshold, "0", "export-threshold", &p.on_threshold) }{ " rows" }</label>
                }
            </div>
            { verdict }
            <ul class="export-checks" data-testid="export-checks">{ for rows }</ul>
            if let Some(doc) = document {
                <pre class="export-document" data-testid="export-document">{ doc }</pre>
            }
            <div class="actions">
                <button type="button" class="btn" onclick={click(&p.on_copy)} disabled={report.and_then(|r| r.document.as_ref()).is_none()} data-testid="export-copy">{ "Copy" }</button>
                <button type="button" class="btn" onclick={click(&p.on_download)} disabled={report.and_then(|r| r.document.as_ref()).is_none()} data-testid="export-download">{ "Download" }</button>
            </div>
        </section>
    }
}
