//! `sigmaplay kql RULE EVENTS --pipeline NAME` (Sigma versus KQL, event by
//! event) and `sigmaplay kql --query FILE.kql EVENTS` (a hand-written query).

use std::io::{self, Write};

use sigmaplay_core::api::{
    self, DiagnosticView, EventsSchema, KqlOptions, KqlParityReport, KqlRunReport, Source, SourcesReport,
};

use crate::inputs;
use crate::render;
use crate::{KqlArgs, MatchFormat, SchemaArg, EXIT_DISAGREE, EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

fn usage(msg: &str) -> io::Result<u8> {
    let _ = writeln!(io::stderr(), "sigmaplay kql: {msg}");
    Ok(EXIT_USAGE)
}

fn read_text(arg: &str, what: &str) -> Result<String, String> {
    let bytes =
        inputs::read_input(arg).map_err(|e| format!("cannot read {what} {}: {e}", inputs::display_name(arg)))?;
    String::from_utf8(bytes).map_err(|_| format!("{what} {} is not UTF-8", inputs::display_name(arg)))
}

/// The options of `kql`: the `--pipeline` chain as `convert` takes it.
fn options(args: &KqlArgs) -> Result<KqlOptions, String> {
    let events_schema = match args.schema {
        SchemaArg::Auto => EventsSchema::Auto,
        SchemaArg::Source => EventsSchema::Source,
        SchemaArg::Sigma => EventsSchema::Sigma,
        SchemaArg::Target => EventsSchema::Target,
    };
    let pipelines = crate::convert::pipeline_specs(&args.pipelines)?;
    let placeholders = inputs::match_options(&args.placeholders).placeholders;
    Ok(KqlOptions { events_schema, include_rows: args.rows, pipelines, placeholders, ..KqlOptions::default() })
}

pub fn run(args: &KqlArgs, out: &mut dyn Write) -> io::Result<u8> {
    let query = match &args.query {
        Some(q) => match read_text(q, "query file") {
            Ok(t) => Some(t),
            Err(e) => return usage(&e),
        },
        None => None,
    };
    match (args.inputs.as_slice(), query) {
        ([events], Some(q)) => {
            let events_text = match read_text(events, "events file") {
                Ok(t) => t,
                Err(e) => return usage(&e),
            };
            let report = api::run_kql(&q, &events_text);
            write_run(args, events, &report, out)?;
            Ok(if report.has_errors() { EXIT_ERRORS } else { EXIT_OK })
        }
        ([rule, events], q) => {
            if args.pipelines.is_empty() {
                return usage("--pipeline is required to compare a rule with its KQL");
            }
            if rule == "-" && events == "-" {
                return usage("RULE and EVENTS cannot both be read from stdin ('-')");
            }
            let mut opts = match options(args) {
                Ok(o) => o,
                Err(e) => return usage(&e),
            };
            opts.query_override = q;
            let (rule_text, events_text) = match (read_text(rule, "rule file"), read_text(events, "events file")) {
                (Ok(r), Ok(e)) => (r, e),
                (Err(e), _) | (_, Err(e)) => return usage(&e),
            };
            let report = api::kql_parity(&rule_text, &events_text, &opts);
            write_parity(args, rule, events, &report, out)?;
            let errors = report.diagnostics.iter().any(DiagnosticView::is_error);
            Ok(if errors {
                EXIT_ERRORS
            } else if report.agree {
                EXIT_OK
            } else {
                EXIT_DISAGREE
            })
        }
        _ => usage("expected RULE EVENTS (with --pipeline), or --query FILE.kql EVENTS"),
    }
}

fn print_diagnostics(args: &KqlArgs, rule: &str, events: &str, diags: &[DiagnosticView]) {
    let mut err = io::stderr().lock();
    for d in diags {
        let name = match d.source {
            Some(Source::Events) => inputs::display_name(events),
            Some(Source::Kql) => args.query.as_deref().map_or_else(|| "<kql>".to_string(), inputs::display_name),
            Some(Source::Pipeline) => "<pipeline>".to_string(),
            _ => inputs::display_name(rule),
        };
        let _ = writeln!(err, "{}", render::diagnostic_line(&name, d));
    }
}

fn verdict(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "match",
        Some(false) => "no match",
        None => "n/a",
    }
}

fn write_parity(args: &KqlArgs, rule: &str, events: &str, r: &KqlParityReport, out: &mut dyn Write) -> io::Result<()> {
    if args.format == MatchFormat::Json {
        serde_json::to_writer(&mut *out, r).map_err(io::Error::other)?;
        return writeln!(out);
    }
    print_diagnostics(args, rule, events, &r.diagnostics);
    let schema = match r.schema {
        EventsSchema::Auto => "auto",
        EventsSchema::Source => "as each source gives them",
        EventsSchema::Sigma => "Sigma fields, mapped by the rule's own mapping",
        EventsSchema::Target => "target table rows",
    };
    writeln!(out, "query{}:", if r.edited { " (edited)" } else { "" })?;
    for l in r.query.lines() {
        writeln!(out, "  {l}")?;
    }
    if let Some(s) = &r.sources {
        write_sources(args, s, out)?;
    } else {
        for p in &r.results {
            let mark = if p.sigma.is_some() && p.sigma == p.kql { "  " } else { "! " };
            writeln!(out, "{mark}event {}: sigma {}, kql {}", p.index, verdict(p.sigma), verdict(p.kql))?;
            if let Some(c) = &p.cause {
                writeln!(out, "    {c}")?;
            }
        }
    }
    let differ = r.results.iter().filter(|p| p.sigma.is_none() || p.sigma != p.kql || p.cause.is_some()).count();
    writeln!(
        out,
        "{} event{}, {differ} disagree{} (events: {schema})",
        r.results.len(),
        if r.results.len() == 1 { "" } else { "s" },
        if r.agree { "" } else { " or could not be compared" }
    )
}

/// Source-faithful parity: a line per source, then each event's verdicts per
/// source (a `!` marks a source whose query verdict differs from the rule's).
fn write_sources(args: &KqlArgs, s: &SourcesReport, out: &mut dyn Write) -> io::Result<()> {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for k in &s.kinds {
        match kinds.iter_mut().find(|(l, _)| *l == k.label()) {
            Some((_, n)) => *n += 1,
            None => kinds.push((k.label(), 1)),
        }
    }
    let read: Vec<String> = kinds.iter().map(|(l, n)| format!("{l} ({n})")).collect();
    writeln!(out, "events read as: {}", read.join(", "))?;
    let width = s.feeds.iter().map(|f| f.label.len()).max().unwrap_or(0);
    for f in &s.feeds {
        let blind = if f.blind > 0 {
            format!("; {} blind spot{} ({})", f.blind, if f.blind == 1 { "" } else { "s" }, f.blind_fields.join(", "))
        } else {
            String::new()
        };
        writeln!(out, "  {:width$}  {}/{} agree{blind}", f.label, f.agreed, f.compared)?;
    }
    for (i, _) in s.kinds.iter().enumerate() {
        let mut cells = Vec::new();
        let mut causes = Vec::new();
        let mut bad = false;
        for f in &s.feeds {
            let Some(Some(p)) = f.results.get(i) else { continue };
            let off = p.sigma != p.kql;
            bad |= off;
            cells.push(format!("{}{} {}", if off { "!" } else { "" }, f.label, verdict(p.kql)));
            if let Some(c) = &p.cause {
                causes.push(c.clone());
            }
        }
        let sigma = s.feeds.iter().find_map(|f| f.results.get(i).cloned().flatten()).and_then(|p| p.sigma);
        let mark = if bad || cells.is_empty() { "! " } else { "  " };
        let kql = if cells.is_empty() { "no source gives a row".to_string() } else { cells.join(", ") };
        writeln!(out, "{mark}event {i}: sigma {}; kql: {kql}", verdict(sigma))?;
        for c in causes {
            writeln!(out, "    {c}")?;
        }
        if args.rows {
            for f in &s.feeds {
                if let Some(Some(row)) = f.rows.get(i) {
                    writeln!(out, "    {} row: {row}", f.label)?;
                }
            }
        }
    }
    Ok(())
}

fn write_run(args: &KqlArgs, events: &str, r: &KqlRunReport, out: &mut dyn Write) -> io::Result<()> {
    if args.format == MatchFormat::Json {
        serde_json::to_writer(&mut *out, r).map_err(io::Error::other)?;
        return writeln!(out);
    }
    print_diagnostics(args, "", events, &r.diagnostics);
    if r.has_errors() {
        let _ = writeln!(io::stderr(), "sigmaplay: the query has errors; it was not run");
        return Ok(());
    }
    writeln!(out, "{}", r.rows.columns.join("\t"))?;
    for row in &r.rows.values {
        let cells: Vec<String> = row
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            })
            .collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    let matched = r.results.iter().filter(|x| x.matched).count();
    writeln!(
        out,
        "{} row{}; {matched} of {} events returned",
        r.rows.total,
        if r.rows.total == 1 { "" } else { "s" },
        r.results.len()
    )
}
