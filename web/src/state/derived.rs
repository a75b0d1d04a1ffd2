//! What the page shows computed from the texts with [`crate::analysis`], each
//! stage cached on its own inputs: a rule keystroke does not re-read the
//! events, an events keystroke does not reconvert the rule.

use yew::prelude::*;

use crate::analysis::{self, EventsAnalysis, KqlOutput, Matches, PipelineAnalysis, RuleAnalysis, UiDiagnostic};
use crate::state::playground::State;
use crate::Shared;

pub struct Derived {
    pub rule: Shared<RuleAnalysis>,
    pub events: Shared<EventsAnalysis>,
    pub pipeline: Shared<PipelineAnalysis>,
    pub kql: Shared<KqlOutput>,
    pub results: Shared<Matches>,
    /// The query shown: the user's edit, else the generated one.
    pub kql_text: Shared<str>,
    /// Bumped when the KQL editor must take `kql_text` (a restore, a load, a
    /// new generated query while the user has not edited it).
    pub kql_load_rev: u64,
    /// Every diagnostic: rule, conversion (those the rule did not already
    /// give), pipeline, events.
    pub diagnostics: Shared<Vec<UiDiagnostic>>,
}

#[hook]
pub fn use_derived(state: &State) -> Derived {
    let rule = use_memo(state.rule.clone(), |d| Shared::new(analysis::analyse_rule(&d.text)));
    let events = use_memo(state.events.clone(), |d| Shared::new(analysis::analyse_events(&d.text)));
    let pipeline = use_memo((state.target.clone(), state.pipeline.clone()), |(t, p)| {
        Shared::new(analysis::choose_pipeline(t, &p.text))
    });
    let kql = use_memo(((*rule).clone(), (*pipeline).clone()), |(r, p)| Shared::new(analysis::convert(r, p)));
    let results =
        use_memo(((*rule).clone(), (*events).clone()), |(r, e)| Shared::new(analysis::match_all(r, &e.batch)));
    let kql_generated = use_memo((*kql).clone(), |k| Shared::<str>::from(k.text.as_str()));
    let kql_text: Shared<str> = state.kql.clone().unwrap_or_else(|| (*kql_generated).clone());
    // Counted during render rather than in an effect: no extra render per rule keystroke.
    let kql_gen_rev = {
        let seen = use_mut_ref(|| (None::<Shared<str>>, 0u64));
        let mut seen = seen.borrow_mut();
        if state.kql.is_none() && seen.0.as_ref() != Some(&*kql_generated) {
            seen.0 = Some((*kql_generated).clone());
            seen.1 += 1;
        }
        seen.1
    };
    let diagnostics =
        use_memo(((*rule).clone(), (*kql).clone(), (*events).clone(), (*pipeline).clone()), |(r, k, e, p)| {
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
    Derived {
        rule: (*rule).clone(),
        events: (*events).clone(),
        pipeline: (*pipeline).clone(),
        kql: (*kql).clone(),
        results: (*results).clone(),
        kql_text,
        kql_load_rev: (state.kql_rev << 32) + kql_gen_rev,
        diagnostics: (*diagnostics).clone(),
    }
}
