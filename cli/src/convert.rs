//! `sigmaplay convert RULE... --pipeline NAME|FILE.yml`

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use sigmaplay_core::api::{self, ConvertReport, DiagnosticView, FileReport};
use sigmaplay_core::pipeline::{self, Pipeline, PipelineSpec};
use sigmaplay_core::{Placeholders, Severity};

use crate::inputs::{self, Entry};
use crate::render;
use crate::{ConvertArgs, ConvertFormat, EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

/// Files from which a progress bar is drawn (when stderr is a terminal).
const PROGRESS_MIN_FILES: usize = 50;

/// The `--pipeline` arguments as the links of a chain, in order: a built-in
/// name, or else a pySigma pipeline YAML file (read here). `Err` holds the message.
pub fn pipeline_specs(args: &[String]) -> Result<Vec<PipelineSpec>, String> {
    let mut specs = Vec::new();
    for arg in args {
        if pipeline::builtin(arg).is_some() {
            specs.push(PipelineSpec::Builtin(arg.clone()));
        } else if Path::new(arg).is_file() {
            let bytes = std::fs::read(arg).map_err(|e| format!("cannot read pipeline file {arg}: {e}"))?;
            let text = String::from_utf8(bytes).map_err(|_| format!("pipeline file {arg} is not UTF-8"))?;
            let name = Path::new(arg).file_stem().map_or_else(|| arg.clone(), |s| s.to_string_lossy().into_owned());
            specs.push(PipelineSpec::Yaml { text, name });
        } else {
            let hint = if arg.ends_with(".yml") || arg.ends_with(".yaml") {
                format!("pipeline file '{arg}' not found")
            } else {
                format!("unknown pipeline '{arg}'")
            };
            return Err(format!(
                "{hint}: use a built-in pipeline ({}) or a pySigma pipeline YAML file",
                pipeline::BUILTIN_NAMES.join(", ")
            ));
        }
    }
    if specs.is_empty() {
        return Err(format!(
            "--pipeline is required: one of {} or a pipeline YAML file",
            pipeline::BUILTIN_NAMES.join(", ")
        ));
    }
    Ok(specs)
}

/// Build the pipeline from the `--pipeline` arguments (see [`pipeline_specs`])
/// with core's chooser. Warnings are printed here, once, naming their file;
/// errors make the `Err` message.
pub fn resolve_pipelines(args: &[String]) -> Result<Pipeline, String> {
    let specs = pipeline_specs(args)?;
    let choice = pipeline::choose(&specs);
    let file = |i: usize| match specs.get(i) {
        Some(PipelineSpec::Yaml { .. }) => args.get(i).cloned().unwrap_or_default(),
        _ => "pipeline".to_string(),
    };
    let lines: Vec<String> = choice
        .diagnostics
        .iter()
        .map(|(i, d)| render::diagnostic_line(&file(*i), &DiagnosticView::new(d, None)))
        .collect();
    match choice.pipeline {
        Some(p) => {
            for l in &lines {
                let _ = writeln!(io::stderr(), "sigmaplay: {l}");
            }
            Ok(p)
        }
        None => Err(format!("invalid pipeline:\n{}", lines.join("\n"))),
    }
}

pub fn run(args: &ConvertArgs, out: &mut dyn Write) -> io::Result<u8> {
    let pipeline = match resolve_pipelines(&args.pipelines) {
        Ok(p) => p,
        Err(msg) => {
            let _ = writeln!(io::stderr(), "sigmaplay: {msg}");
            return Ok(EXIT_USAGE);
        }
    };
    let mut placeholders = Placeholders::new();
    for (name, values) in &args.placeholders {
        placeholders.entry(name.clone()).or_default().extend(values.iter().cloned());
    }

    let entries = inputs::collect(&args.paths);
    let single_file = args.paths.len() == 1 && entries.len() == 1 && !args.paths[0].is_dir();
    let mut progress = Progress::new(entries.len());
    let (mut failed, mut converted) = (0usize, 0usize);
    let several = entries.len() > 1;
    if args.format == ConvertFormat::Json && !single_file {
        write!(out, "[")?;
    }
    // Files are converted on worker threads and printed in input order.
    // Files are handed out and sent back in small batches: one channel
    // message (and thread wake-up) per file was a visible share of the run.
    const BATCH: usize = 8;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Vec<ConvertReport>)>();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(entries.len().max(1));
    let mut result = Ok(());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, entries, pipeline, placeholders) = (&next, &entries, &pipeline, &placeholders);
            scope.spawn(move || loop {
                let start = next.fetch_add(BATCH, std::sync::atomic::Ordering::Relaxed);
                let Some(batch) = entries.get(start..(start + BATCH).min(entries.len())) else { break };
                if batch.is_empty() {
                    break;
                }
                let reports = batch.iter().map(|entry| convert_entry(entry, pipeline, placeholders)).collect();
                if tx.send((start, reports)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending: Vec<Option<ConvertReport>> = vec![None; entries.len()];
        let mut n = 0;
        for (start, reports) in rx {
            for (k, report) in reports.into_iter().enumerate() {
                if let Some(slot) = pending.get_mut(start + k) {
                    *slot = Some(report);
                }
            }
            while let Some(report) = pending.get_mut(n).and_then(Option::take) {
                let path = entry_path(&entries[n]);
                if report.ok {
                    converted += 1;
                } else {
                    failed += 1;
                }
                if let Err(e) = emit(args, &path, &report, n, single_file, several, out) {
                    // Stop the workers: nothing more can be written.
                    next.store(entries.len(), std::sync::atomic::Ordering::Relaxed);
                    result = Err(e);
                    return;
                }
                n += 1;
                progress.tick(n);
            }
        }
    });
    result?;
    progress.finish();
    match args.format {
        ConvertFormat::Json if single_file => writeln!(out)?,
        ConvertFormat::Json => writeln!(out, "{}]", if entries.is_empty() { "" } else { "\n" })?,
        _ => {}
    }
    if entries.is_empty() {
        let _ = writeln!(io::stderr(), "sigmaplay: no *.yml or *.yaml files found");
    } else if several || args.format == ConvertFormat::Text && failed > 0 {
        let s = if entries.len() == 1 { "" } else { "s" };
        let _ = writeln!(
            io::stderr(),
            "sigmaplay: {} file{s}, {converted} converted, {failed} not converted (pipeline {})",
            entries.len(),
            pipeline.name
        );
    }
    Ok(if failed > 0 { EXIT_ERRORS } else { EXIT_OK })
}

fn convert_entry(entry: &Entry, pipeline: &Pipeline, placeholders: &Placeholders) -> ConvertReport {
    match entry {
        Entry::File(p) => match std::fs::read(p) {
            Ok(bytes) => api::convert_bytes(&bytes, pipeline, placeholders),
            Err(e) => io_error(&e.to_string()),
        },
        Entry::Unreadable(_, e) => io_error(e),
    }
}

fn entry_path(entry: &Entry) -> String {
    match entry {
        Entry::File(p) | Entry::Unreadable(p, _) => p.to_string_lossy().into_owned(),
    }
}

/// Print one file's result in the chosen format (`n`: its position).
fn emit(
    args: &ConvertArgs,
    path: &str,
    report: &ConvertReport,
    n: usize,
    single_file: bool,
    several: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    // `{"path", "ok", "queries", "table", "diagnostics"}`.
    let line = FileReport { path, report };
    match args.format {
        ConvertFormat::Jsonl => {
            serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        ConvertFormat::Json => {
            if n > 0 {
                write!(out, ",")?;
            }
            if !single_file {
                writeln!(out)?;
            }
            serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
        }
        ConvertFormat::Text => write_text(path, report, several, args.info, out)?,
    }
    Ok(())
}

/// The queries (each followed by a blank line), then the notes as
/// `path:line:col: severity[code]: message`. With several files each starts
/// with a `// path` comment line (valid KQL).
fn write_text(path: &str, report: &ConvertReport, several: bool, info: bool, out: &mut dyn Write) -> io::Result<()> {
    if several {
        writeln!(out, "// {path}")?;
    }
    for q in &report.queries {
        writeln!(out, "{q}")?;
        writeln!(out)?;
    }
    let mut notes = 0;
    for d in report.diagnostics.iter().filter(|d| info || d.severity != Severity::Info) {
        writeln!(out, "{}", render::diagnostic_line(path, d))?;
        notes += 1;
    }
    if !report.ok && notes == 0 {
        // Only infos explain the failure (e.g. a correlation rule): show them.
        for d in &report.diagnostics {
            writeln!(out, "{}", render::diagnostic_line(path, d))?;
        }
    }
    if several && (notes > 0 || !report.ok) {
        writeln!(out)?;
    }
    Ok(())
}

fn io_error(message: &str) -> ConvertReport {
    ConvertReport {
        ok: false,
        queries: Vec::new(),
        table: None,
        diagnostics: vec![DiagnosticView::unpositioned_error("io-error", format!("cannot read: {message}"))],
    }
}

/// `[=====>      ]  1234/3141` on stderr, redrawn in place, only when stderr
/// is a terminal and there are many files.
struct Progress {
    total: usize,
    enabled: bool,
    last_drawn: usize,
}

impl Progress {
    const WIDTH: usize = 40;

    fn new(total: usize) -> Self {
        Progress { total, enabled: total >= PROGRESS_MIN_FILES && io::stderr().is_terminal(), last_drawn: 0 }
    }

    fn tick(&mut self, done: usize) {
        // Redraw about 200 times at most.
        if !self.enabled || (done < self.total && done - self.last_drawn < self.total.div_ceil(200)) {
            return;
        }
        self.last_drawn = done;
        let filled = Self::WIDTH * done / self.total.max(1);
        let bar: String = (0..Self::WIDTH)
            .map(|i| match i.cmp(&filled) {
                std::cmp::Ordering::Less => '=',
                std::cmp::Ordering::Equal => '>',
                std::cmp::Ordering::Greater => ' ',
            })
            .collect();
        let _ = write!(io::stderr().lock(), "\r[{bar}] {done:>w$}/{}", self.total, w = self.total.to_string().len());
    }

    fn finish(&mut self) {
        if self.enabled {
            // Clear the line so that the summary starts clean.
            let _ =
                write!(io::stderr().lock(), "\r{}\r", " ".repeat(Self::WIDTH + 4 + 2 * self.total.to_string().len()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelines_resolve_and_chain() {
        let p = resolve_pipelines(&["sentinel_asim".to_string()]).unwrap_or_default();
        assert_eq!(p.name, "sentinel_asim");
        let err = resolve_pipelines(&["sentinel".to_string()]).err().unwrap_or_default();
        for name in pipeline::BUILTIN_NAMES {
            assert!(err.contains(name), "{err}");
        }
        assert!(resolve_pipelines(&[]).is_err());
        let p = resolve_pipelines(&["none".to_string(), "microsoft_xdr".to_string()]).unwrap_or_default();
        assert_eq!(p.name, "none+microsoft_xdr");
    }
}
