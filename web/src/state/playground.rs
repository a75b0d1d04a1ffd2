//! The playground's own state: the texts the user edits (rule, events,
//! pipeline), the target, a hand-edited query and the example shown; the
//! actions that change it, and the callbacks the editors send them with.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::labels::TARGETS;
use crate::examples::{self, EXAMPLES};
use crate::share::Snapshot;
use crate::state::start::Start;
use crate::Shared;

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

/// The texts of the `i`th example (the default one when there is no such example).
pub fn example_snapshot(i: usize) -> Snapshot {
    let ex = EXAMPLES.get(i).unwrap_or(examples::default_example());
    Snapshot {
        rule: ex.rule.into(),
        events: ex.events.into(),
        target: ex.target.into(),
        pipeline: String::new(),
        kql: None,
    }
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
