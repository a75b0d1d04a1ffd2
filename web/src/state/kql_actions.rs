//! Copying the query shown and downloading it as a `.kql` file.

use yew::prelude::*;

use crate::analysis::RuleAnalysis;
use crate::{dom, kql_filename, Shared};

pub struct KqlActions {
    pub copy: Callback<()>,
    pub download: Callback<()>,
}

/// `text`: the query shown; `rule`: names the downloaded file; `toast`: says
/// what happened.
pub fn kql_actions(text: &Shared<str>, rule: &Shared<RuleAnalysis>, toast: &Callback<String>) -> KqlActions {
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
    KqlActions { copy, download }
}
