//! The page: the editors on one side, the output panels on the other, the
//! toolbar, help, share box and toast; wired to the state and behaviour in
//! [`crate::state`].

use sigmaplay_core::Severity;
use yew::prelude::*;

use crate::components::diagnostics_panel::{diagnostics_panel, DiagnosticsProps};
use crate::components::export_panel::{export_panel, ExportPanelProps};
use crate::components::kql_panel::{kql_panel, KqlPanelProps};
use crate::components::labels::{target_label, TARGETS};
use crate::components::parity_panel::{parity_panel, ParityProps};
use crate::components::rule_card::{rule_card, RuleCardProps};
use crate::components::ResultsPanel;
use crate::components::{embed_dialog::embed_dialog, examples_gallery::examples_gallery};
use crate::components::{regression_panel::regression_panel, share_menu::share_menu};
use crate::editor::CodeEditor;
use crate::embed::fitted_rows;
use crate::highlight::Lang;
use crate::state::derived::use_derived;
use crate::state::embed_frame::{use_open_in_app_link, use_report_height};
use crate::state::export::use_export;
use crate::state::fixes::use_fixes;
use crate::state::kql_actions::kql_actions;
use crate::state::marks::use_editor_marks;
use crate::state::parity::use_parity;
use crate::state::perf::use_perf_marks;
use crate::state::persistence::use_saved_state;
use crate::state::playground::{load_example, use_playground, use_run, Action};
use crate::state::regression::use_regression;
use crate::state::selection::use_selection;
use crate::state::share_link::{use_forget_link, use_share_link};
use crate::state::shortcuts::{use_shortcuts, ShortcutActions};
use crate::state::start::{use_start, Start};
use crate::state::theme::use_theme;
use crate::state::toast::use_toast;
use crate::{dom, Shared};

/// `start`: what to show first ([`Start::resolve`]); without it, [`Start::local`].
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub start: Option<Shared<Start>>,
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    let start = use_start(props.start.clone());
    let (embed, readonly) = (start.embed, start.readonly);
    let (state, edits) = use_playground(start.clone());
    let notice = use_state(|| start.notice.clone());
    let (toast, show_toast) = use_toast();
    let help_open = use_state(|| false);
    let pipeline_open = use_state(|| !state.pipeline.text.trim().is_empty());
    let theme = use_theme();
    let (flush, run) = use_run();
    let selection = use_selection(pipeline_open.clone());
    let derived = use_derived(&state);
    let parity = use_parity(&state);
    let fixes = use_fixes(&state.rule.text);
    let marks = use_editor_marks(&derived.diagnostics, &selection.highlight, &parity.report, &derived.kql_text);
    use_perf_marks(!derived.kql.text.is_empty());
    use_forget_link(start.from_link, embed);
    use_saved_state(&state, embed, notice.clone());
    use_report_height(embed);
    let open_full = use_open_in_app_link(&state, embed);
    let kql = kql_actions(&derived.kql_text, &derived.rule, &show_toast);
    let (export, export_actions) = use_export(&state, &derived.pipeline, &show_toast);
    let share = use_share_link(&state, &show_toast);
    let (regression, regression_actions) = use_regression(&state, &derived, &show_toast);
    use_shortcuts(ShortcutActions {
        run: run.clone(),
        copy_kql: kql.copy.clone(),
        share: share.share.clone(),
        escape: {
            let (help_open, close_share, close_embed) =
                (help_open.clone(), share.close.clone(), share.close_embed.clone());
            Callback::from(move |_: ()| {
                help_open.set(false);
                close_share.emit(());
                close_embed.emit(());
            })
        },
    });

    let on_target = {
        let s = state.dispatcher();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            s.dispatch(Action::Target(sel.value()))
        })
    };
    let on_example = {
        let (s, toast) = (state.dispatcher(), show_toast.clone());
        let highlight = selection.on_highlight.clone();
        Callback::from(move |i: usize| {
            let (s, toast, highlight) = (s.clone(), toast.clone(), highlight.clone());
            load_example(
                i,
                false,
                Box::new(move |loaded| match loaded {
                    Ok((snap, _)) => {
                        highlight.emit(None);
                        s.dispatch(Action::Load(snap, Some(i)));
                        if let Some(w) = dom::window() {
                            w.scroll_to_with_x_and_y(0.0, 0.0);
                        }
                    }
                    Err(message) => toast.emit(message),
                }),
            );
        })
    };
    let toggle_help = {
        let h = help_open.clone();
        Callback::from(move |_: MouseEvent| h.set(!*h))
    };
    let dismiss_notice = {
        let n = notice.clone();
        Callback::from(move |_: MouseEvent| n.set(None))
    };
    let on_pipeline_toggle = {
        let po = pipeline_open.clone();
        Callback::from(move |e: Event| {
            let d: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            po.set(d.open());
        })
    };

    let target_options = TARGETS.iter().map(|(name, label)| {
        html! { <option value={*name} selected={state.target == *name}>{ *label }</option> }
    });
    let pipeline_errs = derived.pipeline.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();

    html! {
        <div class={classes!("app", embed.then_some("embed"), readonly.then_some("embed-ro"))}>
            <header class="app-header">
                <div class="brand">
                    <h1>{ "Sigmaplay" }</h1>
                    if !embed { <p class="tagline">{ "Sigma rules → KQL and live matching, in your browser." }</p> }
                </div>
                <div class="toolbar" role="toolbar" aria-label="Playground controls">
                    <label class="target">
                        <span class="target-label">{ "Target" }</span>
                        <select data-testid="pipeline-select" aria-label="KQL target" onchange={on_target}>{ for target_options }</select>
                    </label>
                    <button type="button" class="btn" onclick={run.reform(|_: MouseEvent| ())} title="Apply pending edits now (Ctrl/Cmd+Enter)">{ "Run" }</button>
                    { share_menu(&share.share, &share.embed) }
                    if embed {
                        <a class="btn open-full" href={open_full} target="_blank" rel="noopener" data-testid="open-in-sigmaplay">{ "Open in Sigmaplay" }</a>
                    }
                    <button type="button" class="btn btn-icon" onclick={theme.toggle} aria-label={theme.label} title={theme.label} data-testid="theme-toggle">{ "◐" }</button>
                    <button type="button" class="btn btn-icon" onclick={toggle_help.clone()} aria-label="Help and keyboard shortcuts" aria-expanded={if *help_open { "true" } else { "false" }} data-testid="help-button">{ "?" }</button>
                </div>
            </header>
            if let Some(n) = (*notice).clone() {
                <div class="notice" role="alert">
                    <span>{ n }</span>
                    <button type="button" class="btn btn-small" onclick={dismiss_notice} aria-label="Dismiss">{ "×" }</button>
                </div>
            }
            if *help_open {
                <div class="popover help" role="dialog" aria-label="Help and keyboard shortcuts" data-testid="help">
                    <h2>{ "Keyboard shortcuts" }</h2>
                    <dl class="keys">
                        <dt><kbd>{ "Ctrl/⌘" }</kbd>{ " + " }<kbd>{ "Enter" }</kbd></dt><dd>{ "Run (apply pending edits now)" }</dd>
                        <dt><kbd>{ "Ctrl/⌘" }</kbd>{ " + " }<kbd>{ "Shift" }</kbd>{ " + " }<kbd>{ "C" }</kbd></dt><dd>{ "Copy the KQL" }</dd>
                        <dt><kbd>{ "Ctrl/⌘" }</kbd>{ " + " }<kbd>{ "Shift" }</kbd>{ " + " }<kbd>{ "S" }</kbd></dt><dd>{ "Copy a share link" }</dd>
                        <dt><kbd>{ "Esc" }</kbd></dt><dd>{ "Close this box" }</dd>
                    </dl>
                    <p>{ "Everything runs in this page: nothing you type is sent anywhere. Share links carry the state in the part after #, which browsers do not send to servers." }</p>
                    <p>{ "Hover a match result to see the parts of the rule that decided it; click a diagnostic or an item to jump to it." }</p>
                    <button type="button" class="btn" onclick={toggle_help.clone()}>{ "Close" }</button>
                </div>
            }
            if let Some(url) = share.url.clone() {
                <div class="popover share" role="dialog" aria-label="Share link">
                    <label for="share-url">{ format!("Share link ({} KB) — it holds the rule, events, target and pipeline", url.len().div_ceil(1024)) }</label>
                    <input id="share-url" data-testid="share-url" type="text" readonly={true} value={url} onfocus={Callback::from(|e: FocusEvent| { let i: web_sys::HtmlInputElement = e.target_unchecked_into(); i.select(); })} />
                    <div class="actions">
                        <button type="button" class="btn" onclick={share.copy.reform(|_: MouseEvent| ())}>{ "Copy" }</button>
                        <button type="button" class="btn" onclick={share.close.reform(|_: MouseEvent| ())}>{ "Close" }</button>
                    </div>
                </div>
            }
            { embed_dialog(&share, &show_toast) }
            <main class="workspace">
                <div class="col col-input">
                    <div class="area area-rule"><CodeEditor
                        id="rule-input" testid="rule-editor" label="Sigma rule (YAML)" lang={Lang::Yaml}
                        text={state.rule.text.clone()} load_rev={state.load_rev} marks={marks.rule}
                        select={selection.rule} replace={fixes.replace.clone()} {flush} on_change={edits.rule} rows={if embed { fitted_rows(&state.rule.text, 6, 30) } else { 24 }} {readonly}
                        placeholder={"title: ...\nlogsource: ...\ndetection: ..."} perf_name={Some("rule")}
                    /></div>
                    <div class="area area-events"><CodeEditor
                        id="events-input" testid="events-editor" label="Events (JSON, JSON lines or YAML)" lang={Lang::Events}
                        text={state.events.text.clone()} load_rev={state.load_rev} marks={marks.events}
                        select={selection.events} {flush} perf_name={Some("events")} on_change={edits.events} rows={if embed { fitted_rows(&state.events.text, 3, 12) } else { 14 }} {readonly}
                        placeholder="{\"EventID\": 1, \"Image\": \"C:\\\\Windows\\\\System32\\\\cmd.exe\"}"
                    /></div>
                    <details class="area area-pipeline pipeline" open={*pipeline_open} ontoggle={on_pipeline_toggle}>
                        <summary>
                            { "Custom pipeline (pySigma YAML)" }
                            if !state.pipeline.text.trim().is_empty() {
                                <span class="badge badge-status">{ if pipeline_errs > 0 { "has errors" } else { "active" } }</span>
                            }
                        </summary>
                        <p class="muted small">{ format!("Applied before the {} target. Leave empty for none.", target_label(&state.target)) }</p>
                        <CodeEditor
                            id="pipeline-input" testid="pipeline-editor" label="Pipeline" lang={Lang::Yaml}
                            text={state.pipeline.text.clone()} load_rev={state.load_rev} marks={marks.pipeline}
                            select={selection.pipeline} {flush} perf_name={Some("pipeline")} on_change={edits.pipeline} rows={10} {readonly}
                            placeholder={"name: my pipeline\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      Image: ProcessPath"}
                        />
                    </details>
                </div>
                <div class="col col-output">
                    if !embed { <div class="area area-card">{ rule_card(&RuleCardProps { rule: derived.rule.clone(), kql: derived.kql.clone() }) }</div> }
                    <div class="area area-kql">{ kql_panel(&KqlPanelProps { kql: derived.kql.clone(), text: derived.kql_text.clone(), edited: state.kql.is_some(), marks: marks.kql,
                        load_rev: derived.kql_load_rev, rule_has_errors: derived.rule.has_errors, on_copy: kql.copy, on_download: kql.download,
                        on_export: export_actions.open.clone(), on_select: selection.select_rule.clone(), on_edit: edits.kql.clone(),
                        on_restore: edits.restore_kql.clone(), readonly }) }
                        if let Some(format) = export.format {
                            { export_panel(&ExportPanelProps { format, frequency: export.frequency, period: export.period, threshold: export.threshold,
                                report: export.report, input_errors: export.input_errors, on_frequency: export_actions.frequency,
                                on_period: export_actions.period, on_threshold: export_actions.threshold, on_copy: export_actions.copy,
                                on_download: export_actions.download, on_close: export_actions.close }) }
                        }
                    </div>
                    <div class="area area-results"><ResultsPanel rule={derived.rule.clone()} events={derived.events.clone()} results={derived.results.clone()}
                        on_highlight={selection.on_highlight} on_select_rule={selection.select_rule} on_select_event={selection.select_event} /></div>
                    if !embed {
                        <div class="area area-regression">{ regression_panel(&regression, &regression_actions) }</div>
                    }
                    <div class="area area-parity">{ parity_panel(&ParityProps { report: parity.report, schema: parity.schema, on_schema: parity.on_schema }) }</div>
                    <div class="area area-diags">{ diagnostics_panel(&DiagnosticsProps { list: derived.diagnostics.clone(), on_select: selection.select_in.clone(), on_fix: fixes.on_fix.clone() }) }</div>
                </div>
            </main>
            if !embed {
                { examples_gallery(&on_example, state.example) }
                <footer class="app-footer">
                    <p>{ format!("sigmaplay-core {} · runs entirely in your browser · ", sigmaplay_core::version()) }
                       { "LocaltoNet and Findstr examples: SigmaHQ, Detection Rule License 1.1" }</p>
                </footer>
            }
            if let Some(t) = toast {
                <div class="toast" role="status" aria-live="polite" data-testid="toast">{ t.text }</div>
            }
        </div>
    }
}
