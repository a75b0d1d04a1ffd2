//! `sigmaplay test PATH...`: the SigmaHQ regression tests of every rule
//! under PATH, judged as SigmaHQ's CI judges them (`api::run_rule_regression`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sigmaplay_core::api::{self, RegressionSummary};
use sigmaplay_core::base::text::decode_utf8;

use crate::inputs::{self, Entry};
use crate::{EXIT_ERRORS, EXIT_OK};

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// A SigmaHQ checkout, folders of rules or rule files. Each rule's
    /// `regression_tests_path`, and each test's `path`, are resolved as
    /// SigmaHQ does: against the rule's folder, then each folder above it,
    /// until the file is found (the repository root holds `regression_data/`).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print one JSON object: every case, and the counts.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &TestArgs, out: &mut dyn Write) -> io::Result<u8> {
    let mut reports = Vec::new();
    for entry in inputs::collect(&args.paths) {
        let path = match entry {
            Entry::File(p) => p,
            Entry::Unreadable(p, e) => {
                let _ = writeln!(io::stderr(), "sigmaplay: {}: {e}", p.display());
                continue;
            }
        };
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let Ok(text) = decode_utf8(&bytes) else { continue };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut read = |rel: &str| read_relative(&base, rel);
        if let Some(report) = api::run_rule_regression(text, &mut read) {
            reports.push((path.to_string_lossy().into_owned(), report));
        }
    }
    let summary = RegressionSummary::new(reports);
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &summary).map_err(io::Error::other)?;
        writeln!(out)?;
    } else {
        for l in &summary.cases {
            let c = &l.case;
            let status = match (c.passed, c.warning) {
                (false, _) => "FAIL",
                (true, true) => "WARN",
                (true, false) => "PASS",
            };
            writeln!(out, "{status} {} [{}]: {}", l.rule_path, c.name, c.message)?;
            if !c.passed {
                for d in &c.diagnostics {
                    let at = if d.line > 0 { format!(" (info.yml {}:{})", d.line, d.col) } else { String::new() };
                    writeln!(out, "    {} [{}]{at}: {}", d.severity.name(), d.code, d.message)?;
                }
            }
        }
        writeln!(out, "{} passed, {} failed", summary.passed, summary.failed)?;
    }
    if summary.rules == 0 {
        // SigmaHQ's runner fails when it finds nothing to test; so do we.
        let _ = writeln!(io::stderr(), "sigmaplay: no rule with a regression_tests_path found");
        return Ok(EXIT_ERRORS);
    }
    Ok(if summary.failed == 0 { EXIT_OK } else { EXIT_ERRORS })
}

/// SigmaHQ's resolution of a repository-relative path: against `base`, then
/// each folder above it, the first that has the file; absolute paths as is.
fn read_relative(base: &Path, rel: &str) -> Result<String, String> {
    let rel_path = PathBuf::from(rel.replace('\\', "/"));
    let found = if rel_path.is_absolute() {
        Some(rel_path.clone())
    } else {
        base.ancestors().map(|dir| dir.join(&rel_path)).find(|p| p.exists())
    };
    let Some(file) = found else {
        return Err(format!("not found in {} or any folder above it", display_dir(base)));
    };
    let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    decode_utf8(&bytes).map(str::to_string).map_err(|d| format!("{}: {}", file.display(), d.message))
}

fn display_dir(p: &Path) -> String {
    if p.as_os_str().is_empty() {
        ".".into()
    } else {
        p.display().to_string()
    }
}
