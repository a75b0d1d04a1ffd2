//! sigmaplay-core: Sigma rules to KQL and to a compiled matcher, with positions
//! on everything. No I/O, no clock, no panics on user input.
//!
//! Data flows one way: text → [`yaml`] (spans) → [`rule`] (model) →
//! [`compile`] (modifiers applied) → backends ([`matcher`], KQL).

pub mod api;
pub mod attack;
pub mod b64;
pub mod compile;
pub mod condition;
pub mod correlate;
pub mod correlation;
pub mod datetime;
pub mod diag;
pub mod event;
pub mod expr;
pub mod kql;
pub mod kql_eval;
pub mod lint;
pub mod matcher;
pub mod modifier;
pub mod pipeline;
pub mod re;
pub mod rule;
pub mod ruleset;
pub mod sigma_string;
pub mod similar;
pub mod sort;
pub mod sources;
pub mod text;
pub mod yaml;

pub use compile::Placeholders;
pub use diag::{Diagnostic, Severity, Span};
pub use event::{parse_events, Event, EventBatch};
pub use matcher::{MatchOptions, MatchResult, Matcher, PreparedEvent};
pub use rule::{parse_rule, parse_rules, ParsedRules, Rule};

pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
