//! Lint fixes: a diagnostic's "Fix" button and "Fix all" apply core's edits
//! to the rule text, which the rule editor then takes in as an edit of its own
//! (so that the browser's undo takes it back).

use sigmaplay_core::api::{apply_fixes_to_text, fix_all_safe};
use sigmaplay_core::Fix;
use yew::prelude::*;

use crate::Shared;

pub struct Fixes {
    /// The fixed rule text for the editor to put in, numbered so that each request is new.
    pub replace: Option<(Shared<str>, u64)>,
    /// `Some(fix)`: that fix; `None`: every safe fix, as `sigmaplay check --fix`
    /// applies them (core's `fix_all_safe`, which checks again after each pass).
    pub on_fix: Callback<Option<Fix>>,
}

#[hook]
pub fn use_fixes(rule_text: &Shared<str>) -> Fixes {
    let replace = use_state(|| None::<(Shared<str>, u64)>);
    let on_fix = {
        let replace = replace.clone();
        use_callback(rule_text.clone(), move |fix: Option<Fix>, text| {
            let (fixed, applied) = match fix {
                Some(f) => apply_fixes_to_text(text, &[f]),
                None => {
                    let all = fix_all_safe(text, &crate::analysis::options());
                    (all.text, all.applied)
                }
            };
            if applied > 0 {
                let n = replace.as_ref().map_or(1, |(_, n)| n + 1);
                replace.set(Some((Shared::from(fixed), n)));
            }
        })
    };
    Fixes { replace: (*replace).clone(), on_fix }
}
