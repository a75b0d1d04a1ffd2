//! Choosing the pipeline a rule is converted with: built-in targets and
//! pySigma pipeline texts, chained in the order given. Both shells choose
//! through here (the CLI's `convert` and `kql`, the web app's target picker
//! and pipeline editor, `api::kql_parity`), so they follow the same rules.

use serde::{Deserialize, Serialize};

use super::{builtin, chain, parse_custom, Pipeline, BUILTIN_NAMES};
use crate::base::diag::Diagnostic;

/// One link of a pipeline chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PipelineSpec {
    /// A built-in target (`sentinel_asim`, `microsoft_xdr`, `azure_monitor`, `none`).
    Builtin(String),
    /// pySigma pipeline YAML; `name` names it where the YAML does not (a file's stem).
    Yaml { text: String, name: String },
}

/// The chained pipeline, and what was wrong or doubtful in its links.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineChoice {
    /// `None` when a link has errors or names no built-in target: no
    /// conversion should be attempted.
    pub pipeline: Option<Pipeline>,
    /// (index of the link, diagnostic): the spans of a YAML link's
    /// diagnostics point into its text.
    pub diagnostics: Vec<(usize, Diagnostic)>,
}

/// Chain `specs` in order (each runs before the next). A blank YAML text is
/// no link; a byte order mark is skipped; no link at all is an error.
pub fn choose(specs: &[PipelineSpec]) -> PipelineChoice {
    let mut chained: Option<Pipeline> = None;
    let mut diagnostics = Vec::new();
    let mut failed = false;
    for (i, spec) in specs.iter().enumerate() {
        let link = match spec {
            PipelineSpec::Builtin(name) => match builtin(name) {
                Some(p) => p,
                None => {
                    let msg = format!("unknown pipeline '{name}': use one of {}", BUILTIN_NAMES.join(", "));
                    diagnostics.push((i, Diagnostic::error("unknown-pipeline", msg, None)));
                    failed = true;
                    continue;
                }
            },
            PipelineSpec::Yaml { text, .. } if text.trim().is_empty() => continue,
            PipelineSpec::Yaml { text, name } => match parse_custom(text.strip_prefix('\u{feff}').unwrap_or(text)) {
                Ok(mut p) => {
                    diagnostics.extend(std::mem::take(&mut p.warnings).into_iter().map(|d| (i, d)));
                    if p.name.is_empty() {
                        p.name = name.clone();
                    }
                    p
                }
                Err(ds) => {
                    diagnostics.extend(ds.into_iter().map(|d| (i, d)));
                    failed = true;
                    continue;
                }
            },
        };
        chained = Some(match chained {
            None => link,
            Some(first) => chain(first, link),
        });
    }
    if chained.is_none() && !failed {
        let msg = format!("no pipeline: give one of {} or a pipeline YAML", BUILTIN_NAMES.join(", "));
        diagnostics.push((0, Diagnostic::error("no-pipeline", msg, None)));
    }
    PipelineChoice { pipeline: if failed { None } else { chained }, diagnostics }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> PipelineSpec {
        PipelineSpec::Yaml { text: text.into(), name: "mine".into() }
    }

    #[test]
    fn blank_yaml_is_no_link() {
        let c = choose(&[yaml("  \n"), PipelineSpec::Builtin("sentinel_asim".into())]);
        assert!(c.diagnostics.is_empty());
        assert_eq!(c.pipeline.map(|p| p.name), Some("sentinel_asim".to_string()));
    }

    #[test]
    fn unknown_target_is_an_error() {
        let c = choose(&[PipelineSpec::Builtin("splunk".into())]);
        assert!(c.pipeline.is_none());
        assert_eq!(c.diagnostics[0].1.code, "unknown-pipeline");
        assert!(choose(&[]).diagnostics[0].1.is_error());
    }

    #[test]
    fn links_run_in_order_and_name_the_chain() {
        let custom = "transformations:\n  - type: field_name_mapping\n    mapping:\n      Foo: Image\n";
        let c = choose(&[yaml(custom), PipelineSpec::Builtin("none".into())]);
        let p = c.pipeline.expect("pipeline");
        assert_eq!(p.transformations.len(), 1);
        assert_eq!(p.name, "mine+none");
        let bad = choose(&[yaml("transformations: [\n"), PipelineSpec::Builtin("none".into())]);
        assert!(bad.pipeline.is_none());
        assert!(bad.diagnostics.iter().all(|(i, d)| *i == 0 && d.span.is_some()), "{:?}", bad.diagnostics);
    }
}
