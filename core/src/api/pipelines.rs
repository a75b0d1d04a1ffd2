//! The pipeline argument of the entry points: a chain of built-in names and
//! pySigma pipeline texts, chosen with [`crate::pipeline::choose`], its
//! problems as diagnostics.

use super::*;
use crate::pipeline::{Pipeline, PipelineSpec};

/// One link given as text: a built-in target's name (`sentinel_asim`...),
/// else a pySigma pipeline YAML when it reads as YAML (a `:` or a line break),
/// else a name [`crate::pipeline::choose`] reports as an unknown pipeline.
pub fn pipeline_spec(text: &str) -> PipelineSpec {
    let name = text.trim();
    if crate::pipeline::builtin(name).is_none() && (text.contains(':') || text.contains('\n')) {
        PipelineSpec::Yaml { text: text.to_string(), name: String::new() }
    } else {
        PipelineSpec::Builtin(name.to_string())
    }
}

/// Chain `specs` ([`crate::pipeline::choose`]) and add what was wrong or
/// doubtful in the links to `diags` (a YAML link's with source `pipeline`:
/// their positions are in its text). `None`: nothing should be converted.
pub fn choose_pipeline(specs: &[PipelineSpec], diags: &mut Vec<DiagnosticView>) -> Option<Pipeline> {
    let choice = crate::pipeline::choose(specs);
    for (i, d) in &choice.diagnostics {
        let source = match specs.get(*i) {
            Some(PipelineSpec::Yaml { .. }) => Some(Source::Pipeline),
            _ => None,
        };
        diags.push(DiagnosticView::new(d, source));
    }
    choice.pipeline
}
