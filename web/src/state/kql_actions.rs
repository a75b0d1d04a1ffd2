//! Copying the query shown, downloading it as a `.kql` file, and exporting
//! the rule as a deployable Sentinel or Defender rule (`core::api::export_text`).

use sigmaplay_core::deploy::{ExportOptions, Format};
use sigmaplay_core::Placeholders;
use yew::prelude::*;

use crate::analysis::{PipelineAnalysis, RuleAnalysis};
use crate::{dom, export_filename, kql_filename, Shared};

pub struct KqlActions {
    pub copy: Callback<()>,
    pub download: Callback<()>,
    /// Download the rule in a deployment format, and say whether it passes the pre-flight checks.
    pub export: Callback<Format>,
}

/// `text`: the query shown; `rule`: names the downloaded file; `rule_text`
/// and `pipeline`: what an export converts; `toast`: says what happened.
pub fn kql_actions(
    text: &Shared<str>,
    rule: &Shared<RuleAnalysis>,
    rule_text: &Shared<str>,
    pipeline: &Shared<PipelineAnalysis>,
    toast: &Callback<String>,
) -> KqlActions {
    let copy = {
        let kql = text.clone();
        let show_toast = toast.clone();
        Callback::from(move |_: ()| {
            if kql.is_empty() {
                show_toast.emit("No KQL to copy".into());
                return;
            }
            let t = show_toast.clone();
            dom::copy_text(&kql, move |r| match r {
                Ok(()) => t.emit("KQL copied".into()),
                Err(e) => t.emit(e),
            });
        })
    };
    let download = {
        let kql = text.clone();
        let rule = rule.clone();
        let show_toast = toast.clone();
        Callback::from(move |_: ()| {
            let title = rule.parsed.rules.first().map(|r| r.title_text().to_string()).unwrap_or_default();
            if let Err(e) = dom::download(&kql_filename(&title), &kql, "text/plain;charset=utf-8") {
                show_toast.emit(e);
            }
        })
    };
    let export = {
        let (rule_text, pipeline, show_toast) = (rule_text.clone(), pipeline.clone(), toast.clone());
        Callback::from(move |format: Format| {
            let Some(p) = &pipeline.pipeline else {
                show_toast.emit("The custom pipeline has errors: fix them to export".into());
                return;
            };
            let report = sigmaplay_core::api::export_text(
                &rule_text,
                p,
                &Placeholders::new(),
                format,
                &ExportOptions::default(),
            );
            let first_error = report.diagnostics.iter().find(|d| d.is_error()).map(|d| d.message.clone());
            let Some(document) = &report.document else {
                show_toast.emit(first_error.unwrap_or_else(|| "Nothing to export".into()));
                return;
            };
            let name = export_filename(report.title.as_deref().unwrap_or_default(), format);
            let mime = if format == Format::SentinelYaml { "text/yaml;charset=utf-8" } else { "application/json" };
            if let Err(e) = dom::download(&name, document, mime) {
                show_toast.emit(e);
                return;
            }
            let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
            show_toast.emit(match first_error {
                None => format!("Exported {name}: passes the pre-flight checks"),
                Some(m) => format!("Exported {name} with {errors} pre-flight error(s): {m}"),
            });
        })
    };
    KqlActions { copy, download, export }
}
