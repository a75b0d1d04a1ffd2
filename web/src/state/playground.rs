//! The playground's own state: the texts the user edits (rule, events,
//! pipeline), the target, a hand-edited query and the example shown; the
//! actions that change it, and the callbacks the editors send them with.

use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use yew::prelude::*;

use crate::components::labels::TARGETS;
use crate::examples::{self, Example, EXAMPLES};
use crate::share::Snapshot;
use crate::state::start::Start;
use crate::{dom, Shared};

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
    pub fn from_snapshot(s: Snapshot, example: Option<usize>) -> State {
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

/// The texts of the first example, which are compiled in.
pub fn default_snapshot() -> Snapshot {
    let (rule, events) = examples::DEFAULT_TEXTS;
    snapshot(examples::default_example(), rule.into(), events.into())
}

fn snapshot(ex: &Example, rule: String, events: String) -> Snapshot {
    Snapshot { rule, events, target: ex.target.into(), pipeline: String::new(), kql: None }
}

/// An example's texts and, when asked for and it has one, its regression test's `info.yml`.
pub type LoadedExample = Result<(Snapshot, Option<String>), String>;

/// Counts example requests, so that a slow answer never replaces a later choice.
static LAST_EXAMPLE_REQUEST: AtomicUsize = AtomicUsize::new(0);

/// Loads the `i`th example, the first from the wasm, the others from the page's
/// `examples/` folder, and hands it to `done` unless another example was asked
/// for meanwhile. A failed request gives a message naming the file.
pub fn load_example(i: usize, with_regression_test: bool, done: Box<dyn FnOnce(LoadedExample)>) {
    let request = LAST_EXAMPLE_REQUEST.fetch_add(1, Ordering::Relaxed) + 1;
    let Some(ex) = EXAMPLES.get(i) else { return };
    if i == 0 {
        return done(Ok((default_snapshot(), None)));
    }
    wasm_bindgen_futures::spawn_local(async move {
        let fetch = |suffix| dom::fetch_text(examples::file_url(ex.id, suffix));
        let loaded = async {
            let rule = fetch(".yml").await?;
            let events = fetch(".events.json").await?;
            let info = if with_regression_test && examples::has_regression_test(ex.id) {
                Some(fetch(".info.yml").await?)
            } else {
                None
            };
            Ok((snapshot(ex, rule, events), info))
        }
        .await
        .map_err(|e: String| format!("The example \u{201c}{}\u{201d} did not load: {e}", ex.name));
        if LAST_EXAMPLE_REQUEST.load(Ordering::Relaxed) == request {
            done(loaded);
        }
    });
}

/// The callbacks the editors send their edits with. Created once: editors
/// that receive them are not re-rendered just because the page was.
pub struct Edits {
    pub rule: Callback<String>,
    pub events: Callback<String>,
    pub pipeline: Callback<String>,
    pub kql: Callback<String>,
    /// "Restore generated" in the KQL panel.
    pub restore_kql: Callback<()>,
}

/// The state, starting from `start`, and the editors' callbacks that change it.
#[hook]
pub fn use_playground(start: Rc<Start>) -> (UseReducerHandle<State>, Edits) {
    let state = use_reducer(move || start.state.clone());
    let on = |action: fn(String) -> Action| {
        let s = state.dispatcher();
        move |t: String, _: &()| s.dispatch(action(t))
    };
    let rule = use_callback((), on(Action::Rule));
    let events = use_callback((), on(Action::Events));
    let pipeline = use_callback((), on(Action::Pipeline));
    let kql = use_callback((), on(Action::Kql));
    let restore_kql = {
        let s = state.dispatcher();
        use_callback((), move |_: (), _| s.dispatch(Action::RestoreKql))
    };
    (state, Edits { rule, events, pipeline, kql, restore_kql })
}

/// "Run": a counter the editors watch to apply their pending (debounced) edits now.
#[hook]
pub fn use_run() -> (u64, Callback<()>) {
    let flush = use_state(|| 0u64);
    let run = {
        let flush = flush.clone();
        Callback::from(move |_: ()| flush.set(*flush + 1))
    };
    (*flush, run)
}
