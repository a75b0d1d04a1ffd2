//! The page's state and behaviour as custom Yew hooks: [`crate::app`] calls
//! them and lays out what they return.
//!
//! - [`start`]: what the page opens with (share link, saved state, first example);
//! - [`playground`]: the texts, target and edited query, and the actions that change them;
//! - [`derived`]: the analyses of the texts, each cached on its inputs;
//! - [`parity`]: the Sigma-versus-KQL comparison, after a pause in typing;
//! - [`selection`]: spans the output panels ask the editors to select or highlight;
//! - [`marks`]: the diagnostics and highlights each editor shows;
//! - [`persistence`]: the state saved in this browser;
//! - [`share_link`]: making a share link, and clearing the one the page was opened with;
//! - [`embed_frame`]: what an embed does for its host page (its height) and its readers (a link to the app);
//! - [`kql_actions`]: copying and downloading the query;
//! - [`fixes`]: applying lint fixes to the rule text;
//! - [`export`]: the Export panel (a deployable Sentinel or Defender rule and its checks);
//! - [`regression`]: the SigmaHQ regression test imported, its verdict, and its export;
//! - [`theme`], [`toast`], [`shortcuts`], [`perf`]: the rest of the page's behaviour.

pub mod derived;
pub mod embed_frame;
pub mod export;
pub mod fixes;
pub mod kql_actions;
pub mod marks;
pub mod parity;
pub mod perf;
pub mod persistence;
pub mod playground;
pub mod regression;
pub mod selection;
pub mod share_link;
pub mod shortcuts;
pub mod start;
pub mod theme;
pub mod toast;
