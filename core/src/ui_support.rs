//! Small helpers for interactive shells (the web playground): assembling the
//! pipeline a user picked from a built-in target plus an optional custom
//! pySigma pipeline text. Pure; no I/O.

use crate::diag::Diagnostic;
use crate::pipeline::{self, Pipeline};

/// The pipeline to convert with, and what was wrong or doubtful in the custom text.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineChoice {
    /// `None` when the custom pipeline has errors or the target name is unknown:
    /// no conversion should be attempted.
    pub pipeline: Option<Pipeline>,
    /// Diagnostics about the custom pipeline text (its spans point into it).
    pub diagnostics: Vec<Diagnostic>,
}

/// `target` is one of [`pipeline::BUILTIN_NAMES`]; `custom` is pySigma pipeline
/// YAML, applied before the target (blank text means no custom pipeline).
pub fn pipeline_for(target: &str, custom: &str) -> PipelineChoice {
    let Some(base) = pipeline::builtin(target) else {
        let d = Diagnostic::error("unknown-target", format!("unknown target '{target}'"), None);
        return PipelineChoice { pipeline: None, diagnostics: vec![d] };
    };
    if custom.trim().is_empty() {
        return PipelineChoice { pipeline: Some(base), diagnostics: Vec::new() };
    }
    match pipeline::parse_custom(custom) {
        Ok(mut user) => {
            let diagnostics = std::mem::take(&mut user.warnings);
            PipelineChoice { pipeline: Some(pipeline::chain(user, base)), diagnostics }
        }
        Err(diagnostics) => PipelineChoice { pipeline: None, diagnostics },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_custom_is_the_builtin() {
        let c = pipeline_for("sentinel_asim", "  \n");
        assert!(c.diagnostics.is_empty());
        assert_eq!(c.pipeline.map(|p| p.name), Some("sentinel_asim".to_string()));
    }

    #[test]
    fn unknown_target_is_an_error() {
        let c = pipeline_for("splunk", "");
        assert!(c.pipeline.is_none());
        assert!(c.diagnostics[0].is_error());
    }

    #[test]
    fn custom_runs_before_the_target() {
        let custom = "name: mine\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      Foo: Image\n";
        let c = pipeline_for("none", custom);
        let p = c.pipeline.expect("pipeline");
        assert_eq!(p.transformations.len(), 1);
        assert!(p.target.is_none());
        let bad = pipeline_for("none", "transformations: [\n");
        assert!(bad.pipeline.is_none());
        assert!(bad.diagnostics.iter().any(|d| d.is_error() && d.span.is_some()));
    }
}
