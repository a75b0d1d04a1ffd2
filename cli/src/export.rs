//! `sigmaplay export RULE --pipeline NAME --format sentinel-yaml|sentinel-arm|defender-json`

use std::io::{self, Write};

use sigmaplay_core::api::{self, DiagnosticView, FileReport};
use sigmaplay_core::deploy::{ExportOptions, Format};
use sigmaplay_core::{Placeholders, Severity};

use crate::convert::resolve_pipelines;
use crate::inputs;
use crate::render;
use crate::{ExportArgs, ExportFormat, EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

impl ExportFormat {
    fn core(self) -> Format {
        match self {
            ExportFormat::SentinelYaml => Format::SentinelYaml,
            ExportFormat::SentinelArm => Format::SentinelArm,
            ExportFormat::DefenderJson => Format::DefenderJson,
        }
    }
}

pub fn run(args: &ExportArgs, out: &mut dyn Write) -> io::Result<u8> {
    let pipeline = match resolve_pipelines(&args.pipelines) {
        Ok(p) => p,
        Err(msg) => {
            let _ = writeln!(io::stderr(), "sigmaplay: {msg}");
            return Ok(EXIT_USAGE);
        }
    };
    let name = inputs::display_name(&args.rule);
    let bytes = match inputs::read_input(&args.rule) {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(io::stderr(), "sigmaplay: cannot read {name}: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let mut placeholders = Placeholders::new();
    for (key, values) in &args.placeholders {
        placeholders.entry(key.clone()).or_default().extend(values.iter().cloned());
    }
    let options = ExportOptions {
        frequency: args.frequency,
        period: args.period,
        threshold: args.threshold,
        share_url: args.share_url.clone(),
    };
    let report = api::export_bytes(&bytes, &pipeline, &placeholders, args.format.core(), &options);
    if args.json {
        // `--json`: the document and the diagnostics in one object.
        serde_json::to_writer(&mut *out, &FileReport { path: &name, report: &report })?;
        writeln!(out)?;
    } else {
        if let Some(doc) = &report.document {
            write!(out, "{doc}")?;
        }
        let mut err = io::stderr().lock();
        for d in report.diagnostics.iter().filter(|d| args.info || d.severity != Severity::Info) {
            writeln!(err, "{}", render::diagnostic_line(&name, d))?;
        }
        if !report.ok {
            let errors = report.diagnostics.iter().filter(|d: &&DiagnosticView| d.is_error()).count();
            writeln!(err, "sigmaplay: {name}: {errors} pre-flight error(s): not deployable as it is")?;
        }
    }
    Ok(if report.ok { EXIT_OK } else { EXIT_ERRORS })
}
