//! The Export panel's state: the deployment format chosen in the KQL panel's
//! Export menu, the schedule the user typed, and the deployable rule that
//! `core::api::export_text` builds from them, rebuilt as the rule, the
//! target or the schedule change. Its description links back to the state
//! it was exported from (a share link).

use sigmaplay_core::api::{self, ExportReport};
use sigmaplay_core::deploy::{ExportOptions, Format, MAX_SHARE_URL};
use sigmaplay_core::Placeholders;
use yew::prelude::*;

use crate::analysis::PipelineAnalysis;
use crate::share::Snapshot;
use crate::state::playground::State;
use crate::state::share_link;
use crate::{dom, export_filename, Shared};

/// What the panel shows. `format` is `None` while it is closed.
pub struct ExportView {
    pub format: Option<Format>,
    pub frequency: String,
    pub period: String,
    pub threshold: String,
    pub report: Option<Shared<ExportReport>>,
    /// Schedule fields that do not read (the export uses the default for them).
    pub input_errors: Vec<String>,
}

pub struct ExportActions {
    pub open: Callback<Format>,
    pub close: Callback<()>,
    pub frequency: Callback<String>,
    pub period: Callback<String>,
    pub threshold: Callback<String>,
    pub copy: Callback<()>,
    pub download: Callback<()>,
}

/// One duration field: empty is the default, else core's reading of it.
fn duration(text: &str, label: &str, errors: &mut Vec<String>) -> Option<u64> {
    if text.trim().is_empty() {
        return None;
    }
    api::parse_duration(text).map_err(|e| errors.push(format!("{label}: {e}"))).ok()
}

/// The share link of `state` while `open`, made anew as the state changes (the
/// link is made asynchronously: only the newest one is kept). A link too long
/// for the description is made again without the events.
#[hook]
fn use_share_url(state: &State, open: bool) -> Option<String> {
    let url = use_state(|| None::<String>);
    let newest = use_mut_ref(|| 0u32);
    let deps = (open, state.rule.rev, state.events.rev, state.pipeline.rev, state.target.clone(), state.kql.clone());
    let (handle, state) = (url.clone(), state.clone());
    use_effect_with(deps, move |_| {
        let run = {
            let mut n = newest.borrow_mut();
            *n += 1;
            *n
        };
        if open {
            wasm_bindgen_futures::spawn_local(async move {
                let snap = state.snapshot();
                let mut link = share_link::link(&snap).await;
                if link.as_ref().is_ok_and(|l| l.len() > MAX_SHARE_URL) {
                    link = share_link::link(&Snapshot { events: String::new(), ..snap }).await;
                }
                if *newest.borrow() == run {
                    handle.set(link.ok());
                }
            });
        }
    });
    (*url).clone()
}

#[hook]
pub fn use_export(
    state: &State,
    pipeline: &Shared<PipelineAnalysis>,
    toast: &Callback<String>,
) -> (ExportView, ExportActions) {
    let format = use_state(|| None::<Format>);
    let frequency = use_state(String::new);
    let period = use_state(String::new);
    let threshold = use_state(String::new);
    let share_url = use_share_url(state, format.is_some());
    let deps = (
        *format,
        state.rule.text.clone(),
        pipeline.clone(),
        (*frequency).clone(),
        (*period).clone(),
        (*threshold).clone(),
        share_url,
    );
    let built = use_memo(deps, |(format, text, pipeline, f, p, t, share_url)| {
        let format = (*format)?;
        let mut errors = Vec::new();
        let threshold = match t.trim() {
            "" => None,
            n => {
                n.parse::<i64>().map_err(|_| errors.push(format!("Threshold: expected a whole number, got '{n}'"))).ok()
            }
        };
        let options = ExportOptions {
            frequency: duration(f, "Run every", &mut errors),
            period: duration(p, "Look back", &mut errors),
            threshold,
            share_url: share_url.clone(),
        };
        let Some(pipeline) = &pipeline.pipeline else {
            errors.push("The custom pipeline has errors: fix them to export".into());
            return Some((None, errors));
        };
        let report = api::export_text(text, pipeline, &Placeholders::new(), format, &options);
        Some((Some(Shared::new(report)), errors))
    });
    let (report, input_errors) = match &*built {
        Some((r, e)) => (r.clone(), e.clone()),
        None => (None, Vec::new()),
    };
    let setter = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |v: String| h.set(v))
    };
    let copy = {
        let (report, toast) = (report.clone(), toast.clone());
        Callback::from(move |_: ()| {
            let Some(doc) = report.as_ref().and_then(|r| r.document.clone()) else {
                toast.emit("Nothing to copy: the rule does not export".into());
                return;
            };
            let t = toast.clone();
            dom::copy_text(&doc, move |r| match r {
                Ok(()) => t.emit("Exported rule copied".into()),
                Err(e) => t.emit(e),
            });
        })
    };
    let download = {
        let (report, toast) = (report.clone(), toast.clone());
        Callback::from(move |_: ()| {
            let Some(r) = report.as_ref() else { return };
            let Some(doc) = &r.document else {
                toast.emit("Nothing to download: the rule does not export".into());
                return;
            };
            let name = export_filename(r.title.as_deref().unwrap_or_default(), r.format);
            let mime = if r.format == Format::SentinelYaml { "text/yaml;charset=utf-8" } else { "application/json" };
            if let Err(e) = dom::download(&name, doc, mime) {
                toast.emit(e);
            }
        })
    };
    let view = ExportView {
        format: *format,
        frequency: (*frequency).clone(),
        period: (*period).clone(),
        threshold: (*threshold).clone(),
        report,
        input_errors,
    };
    let actions = ExportActions {
        open: {
            let f = format.clone();
            Callback::from(move |v: Format| f.set(Some(v)))
        },
        close: {
            let f = format.clone();
            Callback::from(move |_: ()| f.set(None))
        },
        frequency: setter(&frequency),
        period: setter(&period),
        threshold: setter(&threshold),
        copy,
        download,
    };
    (view, actions)
}
