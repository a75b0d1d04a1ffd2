//! `sigmaplay check PATH...` (`--fix`: apply the safe lint fixes in place).

use std::io::{self, Write};

use sigmaplay_core::api::{self, DiagnosticView, FileReport, RuleCheck};
use sigmaplay_core::Severity;

use crate::inputs::{self, Entry};
use crate::render;
use crate::{CheckArgs, CheckFormat, EXIT_ERRORS, EXIT_OK};

pub fn run(args: &CheckArgs, out: &mut dyn Write) -> io::Result<u8> {
    let opts = inputs::match_options(&args.placeholders);
    let entries = inputs::collect(&args.paths);
    let (mut files, mut with_errors) = (0usize, 0usize);
    let (mut fixes, mut fixed_files) = (0usize, 0usize);
    for entry in &entries {
        let (path, check) = match entry {
            Entry::File(p) => {
                let check = match std::fs::read(p) {
                    Ok(bytes) if args.fix => match api::fix_all_safe_bytes(&bytes, &opts) {
                        Ok(outcome) if outcome.applied > 0 => match std::fs::write(p, outcome.text.as_bytes()) {
                            Ok(()) => {
                                fixes += outcome.applied;
                                fixed_files += 1;
                                outcome.check
                            }
                            Err(e) => io_error(&format!("cannot write the fixed file: {e}")),
                        },
                        Ok(outcome) => outcome.check,
                        Err(check) => check,
                    },
                    Ok(bytes) => api::check_rule_bytes_with(&bytes, &opts, !args.no_lint),
                    Err(e) => io_error(&e.to_string()),
                };
                (p.to_string_lossy().into_owned(), check)
            }
            Entry::Unreadable(p, e) => (p.to_string_lossy().into_owned(), io_error(e)),
        };
        files += 1;
        if !check.ok {
            with_errors += 1;
        }
        match args.format {
            CheckFormat::Jsonl => {
                // `{"path", "ok", "diagnostics": [{severity, code, message, line, col}]}`.
                let line = FileReport { path: &path, report: &check };
                serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
                writeln!(out)?;
            }
            CheckFormat::Text => {
                for d in check.diagnostics.iter().filter(|d| args.info || d.severity != Severity::Info) {
                    writeln!(out, "{}", render::diagnostic_line(&path, d))?;
                }
            }
        }
    }
    if args.format == CheckFormat::Text {
        let s = if files == 1 { "" } else { "s" };
        writeln!(out, "{files} file{s}, {with_errors} with errors")?;
        if args.fix {
            let s = if fixes == 1 { "" } else { "es" };
            let f = if fixed_files == 1 { "" } else { "s" };
            writeln!(out, "{fixes} fix{s} applied in {fixed_files} file{f}")?;
        }
    }
    if files == 0 {
        // Not an error (an empty folder is a valid repository), but say it.
        let _ = writeln!(io::stderr(), "sigmaplay: no *.yml or *.yaml files found");
    }
    Ok(if with_errors > 0 { EXIT_ERRORS } else { EXIT_OK })
}

fn io_error(message: &str) -> RuleCheck {
    RuleCheck {
        ok: false,
        diagnostics: vec![DiagnosticView::unpositioned_error("io-error", format!("cannot read: {message}"))],
    }
}
