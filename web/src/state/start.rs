//! What the page opens with: a share link in the URL, else the state saved in
//! this browser, else the first example; and whether it is embedded.

use std::rc::Rc;

use yew::prelude::*;

use crate::share::{self, Snapshot};
use crate::state::persistence::STORAGE_KEY;
use crate::state::playground::{default_snapshot, State};
use crate::{compress, dom, Shared};

/// What the page starts with: a share link, else the saved state, else the first example.
#[derive(Clone)]
pub struct Start {
    pub state: State,
    pub embed: bool,
    /// An embed whose texts cannot be edited.
    pub readonly: bool,
    /// A message for the banner (a broken link).
    pub notice: Option<String>,
    pub from_link: bool,
}

impl Start {
    /// The saved state, else the first example (a share link in the URL is not read).
    pub fn local() -> Start {
        let (embed, readonly) = embed_flags();
        let start = |state| Start { state, embed, readonly, notice: None, from_link: false };
        if !embed {
            if let Some(saved) = dom::storage_get(STORAGE_KEY) {
                if let Ok(s) = Snapshot::from_json(&saved) {
                    return start(State::from_snapshot(s, None));
                }
            }
        }
        start(State::from_snapshot(default_snapshot(), Some(0)))
    }

    /// The share link in the URL (fragment or query), if there is one, else [`Start::local`].
    pub async fn resolve() -> Start {
        let hash = share::parse_params(&dom::location_hash());
        let query = share::parse_params(&dom::location_search());
        let Some(payload) = hash.state.or(query.state) else { return Start::local() };
        match compress::decode(&payload).await {
            Ok(s) => {
                let (embed, readonly) = embed_flags();
                Start { state: State::from_snapshot(s, None), embed, readonly, notice: None, from_link: true }
            }
            Err(e) => Start {
                notice: Some(format!("This share link could not be opened: {e}.")),
                from_link: true,
                ..Start::local()
            },
        }
    }
}

/// Whether the page is an embed, and a read-only one (flags in the fragment or the query).
fn embed_flags() -> (bool, bool) {
    let (hash, query) = (share::parse_params(&dom::location_hash()), share::parse_params(&dom::location_search()));
    let embed = hash.embed || query.embed;
    (embed, embed && (hash.readonly || query.readonly))
}

/// The start the page was given, else [`Start::local`]: decided at the first
/// render and kept (a later change of props does not reload the page's texts).
#[hook]
pub fn use_start(given: Option<Shared<Start>>) -> Rc<Start> {
    use_memo((), move |_| given.map_or_else(Start::local, |s| (*s).clone()))
}
