//! The page: state (rule, events, target, custom pipeline), derived results
//! cached per input, persistence (localStorage), share links, embed mode,
//! theme, keyboard shortcuts.

use std::cell::Cell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use sigmaplay_core::api::{EventsSchema, KqlParityReport, Source};
use sigmaplay_core::Span;
use wasm_bindgen::JsCast;
use web_sys::{HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

use crate::analysis::{self, Origin, UiDiagnostic};
use crate::compress;
use crate::dom;
use crate::editor::{CodeEditor, EditorMark};
use crate::examples::{self, EXAMPLES};
use crate::highlight::{mark, Lang};
use crate::panels::{
    target_label, DiagnosticsPanel, ExamplesGallery, KqlPanel, ParityPanel, ResultsPanel, RuleCard, EVENTS_LANG,
    TARGETS,
};
use crate::share::{self, Snapshot};
use crate::{kql_filename, Shared};

pub const STORAGE_KEY: &str = "sigmaplay:v1:state";
pub const THEME_KEY: &str = "sigmaplay:theme";
const SAVE_DEBOUNCE_MS: u32 = 400;
/// The Sigma-vs-KQL comparison reruns the rule and the query on every event:
/// it waits for a pause in typing, so keystrokes only pay for KQL and matches.
const PARITY_DEBOUNCE_MS: u32 = 150;

/// One editable text and its revision (bumped on every change).
#[derive(Clone, PartialEq)]
pub struct Doc {
    pub text: Shared<str>,
    pub rev: u64,
}

impl Doc {
    fn new(text: String) -> Self {
        Doc { text: text.into(), rev: 0 }
    }
    fn set(&self, text: String) -> Doc {
        Doc { text: text.into(), rev: self.rev + 1 }
    }
}

#[derive(Clone, PartialEq)]
pub struct State {
    pub rule: Doc,
    pub events: Doc,
    pub pipeline: Doc,
    pub target: String,
    /// The KQL query as edited by the user; `None` shows the generated one.
    pub kql: Option<Shared<str>>,
    /// Bumped when the KQL editor's text is replaced from outside (restore, load).
    pub kql_rev: u64,
    /// Bumped when texts come from outside (example, share link): editors rewrite their textareas.
    pub load_rev: u64,
    pub example: Option<usize>,
}

impl State {
    fn from_snapshot(s: Snapshot, example: Option<usize>) -> State {
        let target = if TARGETS.iter().any(|(n, _)| *n == s.target) { s.target } else { "sentinel_asim".into() };
        State {
            rule: Doc::new(s.rule),
            events: Doc::new(s.events),
            pipeline: Doc::new(s.pipeline),
            target,
            kql: s.kql.map(Shared::from),
            kql_rev: 0,
            load_rev: 0,
            example,
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            rule: self.rule.text.to_string(),
            events: self.events.text.to_string(),
            target: self.target.clone(),
            pipeline: self.pipeline.text.to_string(),
            kql: self.kql.as_ref().map(|k| k.to_string()),
        }
    }
}

pub enum Action {
    Rule(String),
    Events(String),
    Pipeline(String),
    Target(String),
    /// The user edited the KQL query.
    Kql(String),
    /// Back to the generated query.
    RestoreKql,
    Load(Snapshot, Option<usize>),
}

impl Reducible for State {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Rule(t) => s.rule = s.rule.set(t),
            Action::Events(t) => s.events = s.events.set(t),
            Action::Pipeline(t) => s.pipeline = s.pipeline.set(t),
            Action::Target(t) => s.target = t,
            Action::Kql(t) => s.kql = Some(t.into()),
            Action::RestoreKql => {
                s.kql = None;
                s.kql_rev += 1;
            }
            Action::Load(snap, example) => {
                let load_rev = s.load_rev + 1;
                let next = State::from_snapshot(snap, example);
                s = State {
                    rule: s.rule.set(next.rule.text.to_string()),
                    events: s.events.set(next.events.text.to_string()),
                    pipeline: s.pipeline.set(next.pipeline.text.to_string()),
                    target: next.target,
                    kql: next.kql,
                    kql_rev: s.kql_rev + 1,
                    load_rev,
                    example,
                };
            }
        }
        Rc::new(s)
    }
}

fn example_snapshot(i: usize) -> Snapshot {
    let ex = EXAMPLES.get(i).unwrap_or(examples::default_example());
    Snapshot {
        rule: ex.rule.into(),
        events: ex.events.into(),
        target: ex.target.into(),
        pipeline: String::new(),
        kql: None,
    }
}

/// What the page starts with: a share link, else the saved state, else the first example.
pub struct Start {
    pub state: State,
    pub embed: bool,
    /// A message for the banner (a broken link).
    pub notice: Option<String>,
    pub from_link: bool,
}

impl Start {
    /// The saved state, else the first example (a share link in the URL is not read).
    pub fn local() -> Start {
        let embed =
            share::parse_params(&dom::location_hash()).embed || share::parse_params(&dom::location_search()).embed;
        if !embed {
            if let Some(saved) = dom::storage_get(STORAGE_KEY) {
                if let Ok(s) = Snapshot::from_json(&saved) {
                    return Start { state: State::from_snapshot(s, None), embed, notice: None, from_link: false };
                }
            }
        }
        Start { state: State::from_snapshot(example_snapshot(0), Some(0)), embed, notice: None, from_link: false }
    }

    /// The share link in the URL (fragment or query), if there is one, else [`Start::local`].
    pub async fn resolve() -> Start {
        let hash = share::parse_params(&dom::location_hash());
        let query = share::parse_params(&dom::location_search());
        let Some(payload) = hash.state.or(query.state) else { return Start::local() };
        match compress::decode(&payload).await {
            Ok(s) => Start {
                state: State::from_snapshot(s, None),
                embed: hash.embed || query.embed,
                notice: None,
                from_link: true,
            },
            Err(e) => Start {
                notice: Some(format!("This share link could not be opened: {e}.")),
                from_link: true,
                ..Start::local()
            },
        }
    }
}

/// `start`: what to show first ([`Start::resolve`]); without it, [`Start::local`].
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub start: Option<Shared<Start>>,
}

thread_local! {
    static FIRST_KQL_MARKED: Cell<bool> = const { Cell::new(false) };
}

#[derive(Clone, Copy, PartialEq)]
enum Shortcut {
    Run,
    CopyKql,
    Share,
    Escape,
}

#[derive(Clone, PartialEq)]
struct Toast {
    text: String,
    id: u64,
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    let start = use_memo((), |_| {
        let local;
        let s = match &props.start {
            Some(s) => &**s,
            None => {
                local = Start::local();
                &local
            }
        };
        (Rc::new(s.state.clone()), s.embed, s.notice.clone(), s.from_link)
    });
    let embed = start.1;
    let state = {
        let init = start.0.clone();
        use_reducer(move || (*init).clone())
    };
    let notice = use_state(|| start.2.clone());
    let toast = use_state(|| None::<Toast>);
    let toast_timer = use_mut_ref(|| None::<Timeout>);
    let share_url = use_state(|| None::<String>);
    let help_open = use_state(|| false);
    let pipeline_open = use_state(|| !state.pipeline.text.trim().is_empty());
    let theme = use_state(|| dom::storage_get(THEME_KEY).filter(|t| t == "light" || t == "dark").unwrap_or_default());
    let flush = use_state(|| 0u64);
    let highlight = use_state(|| None::<Shared<Vec<EditorMark>>>);
    let select_nonce = use_mut_ref(|| 0u64);
    let rule_select = use_state(|| None::<(Span, u64)>);
    let events_select = use_state(|| None::<(Span, u64)>);
    let pipeline_select = use_state(|| None::<(Span, u64)>);

    // --- derived, each cached on its inputs -----------------------------------------------
    let rule_a = use_memo(state.rule.clone(), |d| Shared::new(analysis::analyse_rule(&d.text)));
    let events_a = use_memo(state.events.clone(), |d| Shared::new(analysis::analyse_events(&d.text)));
    let pipe_a = use_memo((state.target.clone(), state.pipeline.clone()), |(t, p)| {
        Shared::new(analysis::choose_pipeline(t, &p.text))
    });
    let kql = use_memo(((*rule_a).clone(), (*pipe_a).clone()), |(r, p)| Shared::new(analysis::convert(r, p)));
    let results =
        use_memo(((*rule_a).clone(), (*events_a).clone()), |(r, e)| Shared::new(analysis::match_all(r, &e.batch)));
    // The query shown: the user's edit, else the generated one.
    let kql_generated = use_memo((*kql).clone(), |k| Shared::<str>::from(k.text.as_str()));
    let kql_text: Shared<str> = state.kql.clone().unwrap_or_else(|| (*kql_generated).clone());
    // The KQL editor takes a new generated query only while the user has not edited it;
    // counted during render (no extra render per rule keystroke).
    let kql_gen_rev = {
        let seen = use_mut_ref(|| (None::<Shared<str>>, 0u64));
        let mut seen = seen.borrow_mut();
        if state.kql.is_none() && seen.0.as_ref() != Some(&*kql_generated) {
            seen.0 = Some((*kql_generated).clone());
            seen.1 += 1;
        }
        seen.1
    };
    let kql_load_rev = (state.kql_rev << 32) + kql_gen_rev;

    // Sigma and KQL verdicts side by side, computed after a pause (see PARITY_DEBOUNCE_MS).
    let schema = use_state_eq(|| EventsSchema::Auto);
    let parity = use_state(|| None::<Shared<KqlParityReport>>);
    let parity_timer = use_mut_ref(|| None::<Timeout>);
    {
        let parity = parity.clone();
        let timer = parity_timer.clone();
        let s = (*state).clone();
        let schema = *schema;
        let first = parity.is_none();
        use_effect_with(
            (state.rule.rev, state.events.rev, state.pipeline.rev, state.target.clone(), state.kql.clone(), schema),
            move |_| {
                let run = move || {
                    dom::mark("sp:parity-start");
                    // core skips a byte order mark itself.
                    let rule = &s.rule.text;
                    let r =
                        analysis::parity(rule, &s.events.text, &s.target, &s.pipeline.text, s.kql.as_deref(), schema);
                    parity.set(Some(Shared::new(r)));
                    dom::measure_from("sp:parity", "sp:parity-start");
                };
                *timer.borrow_mut() = Some(Timeout::new(if first { 0 } else { PARITY_DEBOUNCE_MS }, run));
            },
        );
    }
    // The query's own diagnostics, marked in the KQL editor (when they are about the text shown).
    let kql_marks = use_memo(((*parity).clone(), kql_text.clone()), |(p, text)| {
        let marks: Vec<EditorMark> = p
            .iter()
            .filter(|r| *r.query == **text)
            .flat_map(|r| r.diagnostics.iter())
            .filter(|d| d.source == Some(Source::Kql))
            .filter_map(|d| {
                Some(EditorMark {
                    span: d.span?,
                    bits: match d.severity {
                        sigmaplay_core::Severity::Error => mark::ERROR,
                        sigmaplay_core::Severity::Warning => mark::WARNING,
                        sigmaplay_core::Severity::Info => mark::INFO,
                    },
                    message: Some(d.message.clone()),
                })
            })
            .collect();
        Shared::new(marks)
    });
    let on_schema = {
        let schema = schema.clone();
        use_callback((), move |s: EventsSchema, _| schema.set(s))
    };

    let all_diags =
        use_memo(((*rule_a).clone(), (*kql).clone(), (*events_a).clone(), (*pipe_a).clone()), |(r, k, e, p)| {
            let mut v: Vec<UiDiagnostic> = r.diagnostics.clone();
            for d in &k.diagnostics {
                if !v.iter().any(|x| x.code == d.code && x.span == d.span && x.message == d.message) {
                    v.push(d.clone());
                }
            }
            v.extend(p.diagnostics.iter().cloned());
            v.extend(e.diagnostics.iter().cloned());
            Shared::new(v)
        });
    let to_marks = |list: &[UiDiagnostic], editor: Origin| -> Vec<EditorMark> {
        list.iter()
            .filter(|d| d.origin.editor() == editor)
            .filter_map(|d| {
                Some(EditorMark {
                    span: d.span?,
                    bits: match d.severity {
                        sigmaplay_core::Severity::Error => mark::ERROR,
                        sigmaplay_core::Severity::Warning => mark::WARNING,
                        sigmaplay_core::Severity::Info => mark::INFO,
                    },
                    message: Some(d.message.clone()),
                })
            })
            .collect()
    };
    let rule_marks = use_memo(((*all_diags).clone(), (*highlight).clone()), |(d, h)| {
        let mut m = to_marks(d, Origin::Rule);
        if let Some(h) = h {
            m.extend(h.iter().cloned());
        }
        Shared::new(m)
    });
    let events_marks = use_memo((*all_diags).clone(), |d| Shared::new(to_marks(d, Origin::Events)));
    let pipeline_marks = use_memo((*all_diags).clone(), |d| Shared::new(to_marks(d, Origin::Pipeline)));

    // --- effects ------------------------------------------------------------------------------
    // Performance marks: first KQL on screen; keystroke → updated page.
    {
        let has_kql = !kql.text.is_empty();
        use_effect(move || {
            if has_kql && !FIRST_KQL_MARKED.with(Cell::get) {
                FIRST_KQL_MARKED.with(|c| c.set(true));
                dom::mark("sp:first-kql");
            }
            for name in ["rule", "events", "pipeline"] {
                let start = format!("sp:input-{name}");
                if dom::has_mark(&start) {
                    // Include style and layout in the measured work.
                    if let Some(b) = dom::document().and_then(|d| d.body()) {
                        let _ = b.offset_height();
                    }
                    dom::measure_from(&format!("sp:update-{name}"), &start);
                }
            }
        });
    }
    // Leave only `embed` in the address bar after opening a share link (the state is saved
    // locally, so a reload keeps later edits instead of reopening the link).
    {
        let from_link = start.3;
        use_effect_with((), move |_| {
            if from_link || share::parse_params(&dom::location_hash()).state.is_some() {
                dom::replace_hash(if embed { "embed" } else { "" });
            }
        });
    }
    // Save the state (not in embed mode: an embedded copy must not overwrite the user's own).
    {
        let timer = use_mut_ref(|| None::<Timeout>);
        let notice = notice.clone();
        let s = (*state).clone();
        use_effect_with(
            (state.rule.rev, state.events.rev, state.pipeline.rev, state.target.clone(), state.kql.clone()),
            move |_| {
                if !embed {
                    *timer.borrow_mut() = Some(Timeout::new(SAVE_DEBOUNCE_MS, move || {
                        dom::mark("sp:save-start");
                        let snap = s.snapshot();
                        if dom::storage_set(STORAGE_KEY, &snap.to_json()).is_err() {
                            // Too large (a big events paste): keep at least the rule, target and pipeline.
                            let mb = snap.events.len() as f64 / 1e6;
                            let small = Snapshot { events: String::new(), ..snap };
                            notice.set(Some(match dom::storage_set(STORAGE_KEY, &small.to_json()) {
                            Ok(()) => format!(
                                "The events ({mb:.1} MB) are too large for this browser's storage: they will not survive a reload. The rule, target and pipeline are saved."
                            ),
                            Err(e) => e,
                        }));
                        }
                        dom::measure_from("sp:save", "sp:save-start");
                    }));
                }
            },
        );
    }
    // Theme.
    {
        use_effect_with((*theme).clone(), move |t| {
            dom::set_theme_attr(t);
            let _ = dom::storage_set(THEME_KEY, t);
        });
    }

    // --- actions --------------------------------------------------------------------------
    let show_toast = {
        let toast = toast.clone();
        let timer = toast_timer.clone();
        Callback::from(move |text: String| {
            let id = toast.as_ref().map_or(1, |t| t.id + 1);
            toast.set(Some(Toast { text, id }));
            let toast = toast.clone();
            *timer.borrow_mut() = Some(Timeout::new(2500, move || toast.set(None)));
        })
    };
    let copy_kql = {
        let kql = kql_text.clone();
        let show_toast = show_toast.clone();
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
    let download_kql = {
        let kql = kql_text.clone();
        let rule_a = rule_a.clone();
        let show_toast = show_toast.clone();
        Callback::from(move |_: ()| {
            let title = rule_a.parsed.rules.first().map(|r| r.title_text().to_string()).unwrap_or_default();
            if let Err(e) = dom::download(&kql_filename(&title), &kql, "text/plain;charset=utf-8") {
                show_toast.emit(e);
            }
        })
    };
    let do_share = {
        let state = state.clone();
        let share_url = share_url.clone();
        let show_toast = show_toast.clone();
        Callback::from(move |_: ()| {
            let snap = state.snapshot();
            let (share_url, t) = (share_url.clone(), show_toast.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let payload = match compress::encode(&snap).await {
                    Ok(p) => p,
                    Err(e) => return t.emit(e),
                };
                let url = format!("{}#{}", dom::base_url(), share::fragment(&payload, false));
                let kb = url.len() / 1024;
                dom::copy_text(&url, move |r| match r {
                    Ok(()) if kb > 64 => t.emit(format!("Link copied ({kb} KB: long links may be cut by some apps)")),
                    Ok(()) => t.emit("Share link copied".into()),
                    Err(_) => t.emit("Copy the link from the box".into()),
                });
                share_url.set(Some(url));
            });
        })
    };
    let run = {
        let flush = flush.clone();
        Callback::from(move |_: ()| flush.set(*flush + 1))
    };

    // Keyboard shortcuts (document-wide). The listener reads the latest callbacks from a cell.
    let shortcut_cb = use_mut_ref(Callback::<Shortcut>::noop);
    {
        let (copy_kql, do_share, run) = (copy_kql.clone(), do_share.clone(), run.clone());
        let (help_open, share_url) = (help_open.clone(), share_url.clone());
        *shortcut_cb.borrow_mut() = Callback::from(move |s: Shortcut| match s {
            Shortcut::Run => run.emit(()),
            Shortcut::CopyKql => copy_kql.emit(()),
            Shortcut::Share => do_share.emit(()),
            Shortcut::Escape => {
                help_open.set(false);
                share_url.set(None);
            }
        });
    }
    {
        let cell = shortcut_cb.clone();
        use_effect_with((), move |_| {
            let listener = dom::document().map(|doc| {
                EventListener::new(&doc, "keydown", move |e| {
                    let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                    let cmd = e.ctrl_key() || e.meta_key();
                    let key = e.key().to_ascii_lowercase();
                    let s = match (cmd, e.shift_key(), key.as_str()) {
                        (true, false, "enter") => Shortcut::Run,
                        (true, true, "c") => Shortcut::CopyKql,
                        (true, true, "s") => Shortcut::Share,
                        (_, _, "escape") => Shortcut::Escape,
                        _ => return,
                    };
                    if s != Shortcut::Escape {
                        e.prevent_default();
                    }
                    let cb = cell.borrow().clone();
                    cb.emit(s);
                })
            });
            move || drop(listener)
        });
    }

    let next_nonce = {
        let n = select_nonce.clone();
        move || {
            let mut b = n.borrow_mut();
            *b += 1;
            *b
        }
    };
    // Stable callbacks (created once): rows and panels that receive them are not
    // re-rendered just because the page re-rendered.
    let select_in = {
        let (rs, es, ps, po) =
            (rule_select.clone(), events_select.clone(), pipeline_select.clone(), pipeline_open.clone());
        let next = next_nonce.clone();
        use_callback((), move |(origin, span): (Origin, Span), _| {
            let n = next();
            match origin {
                Origin::Rule | Origin::Kql => rs.set(Some((span, n))),
                Origin::Events => es.set(Some((span, n))),
                Origin::Pipeline => {
                    po.set(true);
                    ps.set(Some((span, n)));
                }
            }
        })
    };
    let select_rule = {
        let s = select_in.clone();
        use_callback((), move |span: Span, _| s.emit((Origin::Rule, span)))
    };
    let select_event = {
        let s = select_in.clone();
        use_callback((), move |span: Span, _| s.emit((Origin::Events, span)))
    };
    let on_highlight = {
        let h = highlight.clone();
        use_callback((), move |m: Option<Vec<EditorMark>>, _| h.set(m.map(Shared::new)))
    };

    let on_rule = {
        let s = state.dispatcher();
        use_callback((), move |t: String, _| s.dispatch(Action::Rule(t)))
    };
    let on_events = {
        let s = state.dispatcher();
        use_callback((), move |t: String, _| s.dispatch(Action::Events(t)))
    };
    let on_pipeline = {
        let s = state.dispatcher();
        use_callback((), move |t: String, _| s.dispatch(Action::Pipeline(t)))
    };
    let on_kql_edit = {
        let s = state.dispatcher();
        use_callback((), move |t: String, _| s.dispatch(Action::Kql(t)))
    };
    let on_kql_restore = {
        let s = state.dispatcher();
        use_callback((), move |_: (), _| s.dispatch(Action::RestoreKql))
    };
    let on_target = {
        let s = state.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            s.dispatch(Action::Target(sel.value()))
        })
    };
    let on_example = {
        let s = state.clone();
        let h = highlight.clone();
        Callback::from(move |i: usize| {
            h.set(None);
            s.dispatch(Action::Load(example_snapshot(i), Some(i)));
            if let Some(w) = dom::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        })
    };
    let toggle_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let dark_now = match theme.as_str() {
                "dark" => true,
                "light" => false,
                _ => dom::prefers_dark(),
            };
            let next = if dark_now { "light" } else { "dark" };
            // Back to following the system when the choice equals it.
            let follows = dom::prefers_dark() == (next == "dark");
            theme.set(if follows { String::new() } else { next.to_string() });
        })
    };
    let theme_label = match theme.as_str() {
        "dark" => "Dark theme (click for light)",
        "light" => "Light theme (click for dark)",
        _ => "Theme follows the system (click to switch)",
    };
    let toggle_help = {
        let h = help_open.clone();
        Callback::from(move |_: MouseEvent| h.set(!*h))
    };
    let share_click = {
        let d = do_share.clone();
        Callback::from(move |_: MouseEvent| d.emit(()))
    };
    let run_click = {
        let r = run.clone();
        Callback::from(move |_: MouseEvent| r.emit(()))
    };
    let close_share = {
        let s = share_url.clone();
        Callback::from(move |_: MouseEvent| s.set(None))
    };
    let copy_share = {
        let s = share_url.clone();
        let t = show_toast.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(url) = (*s).clone() {
                let t = t.clone();
                dom::copy_text(&url, move |r| {
                    t.emit(if r.is_ok() { "Share link copied".into() } else { "Select the link and copy it".into() })
                });
            }
        })
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
    let pipeline_errs = pipe_a.diagnostics.iter().filter(|d| d.severity == sigmaplay_core::Severity::Error).count();
    let open_full = dom::base_url().replace("?embed=1", "").replace("&embed=1", "");

    html! {
        <div class={classes!("app", embed.then_some("embed"))}>
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
                    <button type="button" class="btn" onclick={run_click} title="Apply pending edits now (Ctrl/Cmd+Enter)">{ "Run" }</button>
                    <button type="button" class="btn btn-primary" data-testid="share-button" onclick={share_click} title="Copy a link with the whole state (Ctrl/Cmd+Shift+S)">{ "Share" }</button>
                    if embed {
                        <a class="btn" href={open_full} target="_blank" rel="noopener">{ "Open in Sigmaplay" }</a>
                    }
                    <button type="button" class="btn btn-icon" onclick={toggle_theme} aria-label={theme_label} title={theme_label} data-testid="theme-toggle">{ "◐" }</button>
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
            if let Some(url) = (*share_url).clone() {
                <div class="popover share" role="dialog" aria-label="Share link">
                    <label for="share-url">{ format!("Share link ({} KB) — it holds the rule, events, target and pipeline", url.len().div_ceil(1024)) }</label>
                    <input id="share-url" data-testid="share-url" type="text" readonly={true} value={url} onfocus={Callback::from(|e: FocusEvent| { let i: web_sys::HtmlInputElement = e.target_unchecked_into(); i.select(); })} />
                    <div class="actions">
                        <button type="button" class="btn" onclick={copy_share}>{ "Copy" }</button>
                        <button type="button" class="btn" onclick={close_share}>{ "Close" }</button>
                    </div>
                </div>
            }
            <main class="workspace">
                <div class="col col-input">
                    <div class="area area-rule"><CodeEditor
                        id="rule-input" testid="rule-editor" label="Sigma rule (YAML)" lang={Lang::Yaml}
                        text={state.rule.text.clone()} load_rev={state.load_rev} marks={(*rule_marks).clone()}
                        select={*rule_select} flush={*flush} on_change={on_rule} rows={if embed { 14 } else { 24 }}
                        placeholder={"title: ...\nlogsource: ...\ndetection: ..."} perf_name={Some("rule")}
                    /></div>
                    <div class="area area-events"><CodeEditor
                        id="events-input" testid="events-editor" label="Events (JSON, JSON lines or YAML)" lang={EVENTS_LANG}
                        text={state.events.text.clone()} load_rev={state.load_rev} marks={(*events_marks).clone()}
                        select={*events_select} flush={*flush} perf_name={Some("events")} on_change={on_events} rows={if embed { 8 } else { 14 }}
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
                            text={state.pipeline.text.clone()} load_rev={state.load_rev} marks={(*pipeline_marks).clone()}
                            select={*pipeline_select} flush={*flush} perf_name={Some("pipeline")} on_change={on_pipeline} rows={10}
                            placeholder={"name: my pipeline\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      Image: ProcessPath"}
                        />
                    </details>
                </div>
                <div class="col col-output">
                    if !embed { <div class="area area-card"><RuleCard rule={(*rule_a).clone()} kql={(*kql).clone()} /></div> }
                    <div class="area area-kql"><KqlPanel kql={(*kql).clone()} text={kql_text.clone()} edited={state.kql.is_some()} marks={(*kql_marks).clone()} load_rev={kql_load_rev} rule_has_errors={rule_a.has_errors} on_copy={copy_kql} on_download={download_kql} on_select={select_rule.clone()} on_edit={on_kql_edit} on_restore={on_kql_restore} /></div>
                    <div class="area area-results"><ResultsPanel rule={(*rule_a).clone()} events={(*events_a).clone()} results={(*results).clone()}
                        on_highlight={on_highlight} on_select_rule={select_rule} on_select_event={select_event} /></div>
                    <div class="area area-parity"><ParityPanel report={(*parity).clone()} schema={*schema} {on_schema} /></div>
                    <div class="area area-diags"><DiagnosticsPanel list={(*all_diags).clone()} on_select={select_in} /></div>
                </div>
            </main>
            if !embed {
                <ExamplesGallery on_load={on_example} current={state.example} />
                <footer class="app-footer">
                    <p>{ format!("sigmaplay-core {} · runs entirely in your browser · ", sigmaplay_core::version()) }
                       { "LocaltoNet example: SigmaHQ, Detection Rule License 1.1" }</p>
                </footer>
            }
            if let Some(t) = (*toast).clone() {
                <div class="toast" role="status" aria-live="polite" data-testid="toast">{ t.text }</div>
            }
        </div>
    }
}
