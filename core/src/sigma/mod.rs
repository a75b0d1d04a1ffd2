//! The Sigma language: YAML with spans, the rule and correlation model, the
//! condition language, modifiers, Sigma string values, tags, and the compiled
//! form of a detection (modifiers applied) that every backend starts from.

pub mod compiled;
pub mod condition;
pub mod correlation;
pub mod expr;
pub mod modifier;
pub mod rule;
pub mod string;
pub mod tags;
pub mod yaml;
