//! Evaluating rules over events, as Sigma defines it: the compiled matcher,
//! correlation rules over the matches, and many rules at once.

pub mod correlation;
pub mod matcher;
pub mod ruleset;
