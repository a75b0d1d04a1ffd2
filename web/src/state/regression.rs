//! The SigmaHQ regression test panel's state: the test imported from a
//! `regression_data` folder (or an example that has one), its verdict on the
//! current rule and events, and the export of the current events as a test.
//! What the files mean and whether the test holds is `core::api`'s.

use sigmaplay_core::api::{self, RegressionExpectation, RegressionFile, RegressionStatus};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::prelude::*;

use crate::state::derived::Derived;
use crate::state::playground::{load_example, Action, State};
use crate::{dom, Shared};

pub struct RegressionView {
    pub expectation: Option<Shared<RegressionExpectation>>,
    pub status: Option<RegressionStatus>,
    pub rule_path: String,
    /// Where SigmaHQ would put the rule; the export's default path.
    pub suggested_path: String,
    /// Problems with the last import or export, and what to do after an export.
    pub messages: Vec<(bool, String)>,
}

pub struct RegressionActions {
    pub files: Callback<Vec<RegressionFile>>,
    pub load_example: Callback<usize>,
    pub rule_path: Callback<String>,
    pub export: Callback<()>,
}

/// Events the current rule matches (any of its rules), and events read.
fn current_count(derived: &Derived) -> (usize, usize) {
    let events = derived.events.batch.events.len();
    let matched =
        (0..events).filter(|&i| derived.results.rules.iter().any(|r| r.matched.get(i) == Some(&true))).count();
    (matched, events)
}

#[hook]
pub fn use_regression(
    state: &UseReducerHandle<State>,
    derived: &Derived,
    toast: &Callback<String>,
) -> (RegressionView, RegressionActions) {
    let expectation = use_state(|| None::<Shared<RegressionExpectation>>);
    let rule_path = use_state(String::new);
    let messages = use_state(Vec::<(bool, String)>::new);
    let (matched, events) = current_count(derived);
    let status = use_memo(((*expectation).clone(), state.rule.clone(), matched, events), |(exp, rule, m, n)| {
        exp.as_ref().map(|e| api::regression_status(&rule.text, *m, *n, e))
    });
    let suggested_path = use_memo(state.rule.clone(), |rule| api::suggested_rule_path(&rule.text));

    let files = {
        let (state, expectation, messages, toast) =
            (state.clone(), expectation.clone(), messages.clone(), toast.clone());
        Callback::from(move |files: Vec<RegressionFile>| {
            let imported = api::import_regression_files(&files);
            if imported.rule.is_some() || imported.events.is_some() {
                let mut snap = state.snapshot();
                snap.rule = imported.rule.unwrap_or(snap.rule);
                snap.events = imported.events.unwrap_or(snap.events);
                snap.kql = None;
                state.dispatch(Action::Load(snap, None));
            }
            if let Some(e) = imported.expectation {
                toast.emit(format!("Regression test imported: {}", e.test_name));
                expectation.set(Some(Shared::new(e)));
            }
            messages.set(imported.diagnostics.into_iter().map(|d| (true, d.message)).collect());
        })
    };
    let load_example = {
        let (state, files, toast) = (state.clone(), files.clone(), toast.clone());
        Callback::from(move |i: usize| {
            let (state, files, toast) = (state.clone(), files.clone(), toast.clone());
            load_example(
                i,
                true,
                Box::new(move |loaded| match loaded {
                    Ok((snap, Some(info))) => {
                        state.dispatch(Action::Load(snap, Some(i)));
                        files.emit(vec![RegressionFile { name: "info.yml".into(), text: info }]);
                    }
                    Ok((_, None)) => {}
                    Err(message) => toast.emit(message),
                }),
            );
        })
    };
    let export = {
        let (state, rule_path, suggested, messages, toast) =
            (state.clone(), rule_path.clone(), suggested_path.clone(), messages.clone(), toast.clone());
        Callback::from(move |_: ()| {
            let path = if rule_path.trim().is_empty() { (*suggested).clone() } else { rule_path.trim().to_string() };
            let today: String = String::from(js_sys::Date::new_0().to_iso_string()).chars().take(10).collect();
            let out = api::export_regression(&state.rule.text, &state.events.text, &path, &today);
            let errors: Vec<(bool, String)> =
                out.diagnostics.iter().filter(|d| d.is_error()).map(|d| (true, d.message.clone())).collect();
            if !errors.is_empty() {
                toast.emit("Not exported: see the regression panel".into());
                messages.set(errors);
                return;
            }
            let saved = dom::download("info.yml", &out.info_yml, "text/yaml;charset=utf-8")
                .and_then(|()| dom::download(&out.events_file, &out.events_json, "application/json"));
            match saved {
                Ok(()) => messages.set(vec![(
                    false,
                    format!(
                        "Exported match_count {}: put info.yml and {} in {}/, and add to the rule: regression_tests_path: {}",
                        out.match_count, out.events_file, out.folder, out.regression_tests_path
                    ),
                )]),
                Err(e) => toast.emit(e),
            }
        })
    };
    let view = RegressionView {
        expectation: (*expectation).clone(),
        status: (*status).clone(),
        rule_path: (*rule_path).clone(),
        suggested_path: (*suggested_path).clone(),
        messages: (*messages).clone(),
    };
    let actions = RegressionActions {
        files,
        load_example,
        rule_path: {
            let r = rule_path.clone();
            Callback::from(move |v: String| r.set(v))
        },
        export,
    };
    (view, actions)
}

/// Reads the files of a file input, a drop or a paste as text, then hands
/// them over together.
pub fn read_files(list: Option<web_sys::FileList>, done: Callback<Vec<RegressionFile>>) {
    let Some(list) = list else { return };
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    if files.is_empty() {
        return;
    }
    spawn_local(async move {
        let mut out = Vec::new();
        for f in files {
            let text = JsFuture::from(f.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
            out.push(RegressionFile { name: f.name(), text });
        }
        done.emit(out);
    });
}

/// The files of a drop, or of a paste (files, else the pasted text).
pub fn dropped(data: Option<web_sys::DataTransfer>, done: Callback<Vec<RegressionFile>>) {
    let Some(data) = data else { return };
    match data.files().filter(|f| f.length() > 0) {
        Some(list) => read_files(Some(list), done),
        None => {
            let text = data.get_data("text").unwrap_or_default();
            if !text.trim().is_empty() {
                done.emit(vec![RegressionFile { name: "pasted".into(), text }]);
            }
        }
    }
}

/// The `FileList` of the `<input type=file>` an event came from.
pub fn input_files(e: &Event) -> Option<web_sys::FileList> {
    e.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?.files()
}
