//! The output side of the page, one component per file: rule card, KQL
//! output, Sigma-versus-KQL verdicts (per source in [`source_parity`]), match
//! results with their explanations, diagnostics, the examples gallery, the
//! export of a deployable rule, the Share menu and its Embed dialog, the SigmaHQ regression test; and
//! the words they share ([`labels`]).
//!
//! All user text is rendered as text nodes; links only for http(s) URLs.

pub mod diagnostics_panel;
pub mod embed_dialog;
pub mod examples_gallery;
pub mod explanation;
pub mod export_panel;
pub mod kql_panel;
pub mod labels;
pub mod parity_panel;
pub mod regression_panel;
pub mod results_panel;
pub mod rule_card;
pub mod share_menu;
pub mod source_parity;

pub use results_panel::ResultsPanel;
