//! Lint fixes: a diagnostic's "Fix" button and "Fix all" apply core's edits
//! to the rule text, which the rule editor then takes in as an edit of its own
//! (so that the browser's undo takes it back).

use sigmaplay_core::api::apply_fixes_to_text;
use sigmaplay_core::Fix;
use yew::prelude::*;

use crate::analysis::{Origin, UiDiagnostic};
use crate::Shared;

pub struct Fixes {
    /// The fixed rule text for the editor to put in, numbered so that each request is new.
    pub replace: Option<(Shared<str>, u64)>,
    /// `Some(fix)`: that fix; `None`: every safe fix of the rule's diagnostics.
    pub on_fix: Callback<Option<Fix>>,
}

#[hook]
pub fn use_fixes(rule_text: &Shared<str>, diagnostics: &Shared<Vec<UiDiagnostic>>) -> Fixes {
    let replace = use_state(|| None::<(Shared<str>, u64)>);
    let on_fix = {
        let replace = replace.clone();
        use_callback((rule_text.clone(), diagnostics.clone()), move |fix: Option<Fix>, (text, diags)| {
            let fixes: Vec<Fix> = match fix {
                Some(f) => vec![f],
                None => diags
                    .iter()
                    .filter(|d| d.origin == Origin::Rule)
                    .filter_map(|d| d.fix.clone())
                    .filter(|f| f.safe)
                    .collect(),
            };
            let (fixed, applied) = apply_fixes_to_text(text, &fixes);
            if applied > 0 {
                let n = replace.as_ref().map_or(1, |(_, n)| n + 1);
                replace.set(Some((Shared::from(fixed), n)));
            }
        })
    };
    Fixes { replace: (*replace).clone(), on_fix }
}
