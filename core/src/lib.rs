//! sigmaplay-core: Sigma rules to KQL and to a compiled matcher, with positions
//! on everything. No I/O, no clock, no panics on user input.
//!
//! Data flows one way, and so do the imports: a folder uses only the folders
//! listed before it (`docs/architecture.md` draws the map; the test
//! `core/tests/layers.rs` holds the code to it).
//!
//! text → [`sigma::yaml`] (spans) → [`sigma::rule`] (model) →
//! [`sigma::compiled`] (modifiers applied) → [`engine`] (matching) or
//! [`pipeline`] (mapping to a target) → [`kql`] (query text), and
//! [`kusto`] runs that text over events.

pub mod base;
pub mod data;
pub mod re;

pub mod event;
pub mod kusto;
pub mod sigma;

pub mod engine;
pub mod lint;
pub mod pipeline;
pub mod regression;

pub mod sources;

pub mod kql;

pub mod deploy;

pub mod api;

pub use base::diag::{Diagnostic, Edit, Fix, Severity, Span};
pub use engine::matcher::{MatchOptions, MatchResult, Matcher, PreparedEvent};
pub use event::{parse_events, Event, EventBatch};
pub use sigma::compiled::Placeholders;
pub use sigma::rule::{parse_rule, parse_rules, ParsedRules, Rule};

pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
