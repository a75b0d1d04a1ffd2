//! `sigmaplay match RULE EVENTS`, and `sigmaplay match FOLDER EVENTS` (a scan).

use std::io::{self, Write};

use sigmaplay_core::api::scan::{scan, ScanFile, ScanReport};
use sigmaplay_core::api::{self, MatchReport, Source};

use crate::inputs;
use crate::render;
use crate::{MatchArgs, MatchFormat, EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

pub fn run(args: &MatchArgs, out: &mut dyn Write) -> io::Result<u8> {
    if args.rule == "-" && args.events == "-" {
        let _ = writeln!(io::stderr(), "sigmaplay: RULE and EVENTS cannot both be read from stdin ('-')");
        return Ok(EXIT_USAGE);
    }
    if args.rule != "-" && std::path::Path::new(&args.rule).is_dir() {
        return run_scan(args, out);
    }
    let rule = match inputs::read_input(&args.rule) {
        Ok(b) => b,
        Err(e) => {
            let _ =
                writeln!(io::stderr(), "sigmaplay: cannot read rule file {}: {e}", inputs::display_name(&args.rule));
            return Ok(EXIT_USAGE);
        }
    };
    let events = match inputs::read_input(&args.events) {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(
                io::stderr(),
                "sigmaplay: cannot read events file {}: {e}",
                inputs::display_name(&args.events)
            );
            return Ok(EXIT_USAGE);
        }
    };
    let mut opts = inputs::match_options(&args.placeholders);
    opts.timestamp_field.clone_from(&args.timestamp_field);
    let report = api::match_event_bytes(&rule, &events, &opts);
    match args.format {
        MatchFormat::Json => {
            serde_json::to_writer(&mut *out, &report).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        MatchFormat::Text => write_text(args, &report, out)?,
    }
    Ok(if report.has_rule_errors() || report.has_event_errors() { EXIT_ERRORS } else { EXIT_OK })
}

fn write_text(args: &MatchArgs, report: &MatchReport, out: &mut dyn Write) -> io::Result<()> {
    let mut err = io::stderr().lock();
    for d in &report.diagnostics {
        let name = match d.source {
            Some(Source::Events) => inputs::display_name(&args.events),
            _ => inputs::display_name(&args.rule),
        };
        let _ = writeln!(err, "{}", render::diagnostic_line(&name, d));
    }
    if report.has_rule_errors() {
        let _ = writeln!(err, "sigmaplay: the rule has errors; no event was matched");
        return Ok(());
    }
    // Results are rule-major; a rule's title is set only when the file has several.
    let mut start = 0;
    while start < report.results.len() {
        let rule = &report.results[start].rule;
        // A group ends where the title changes or the event index starts over
        // (two rules may share a title).
        let rest = report.results.get(start + 1..).unwrap_or(&[]);
        let prev = report.results[start].index;
        let end = rest
            .iter()
            .scan(prev, |last, r| {
                let same = &r.rule == rule && r.index > *last;
                *last = r.index;
                Some(same)
            })
            .position(|same| !same)
            .map_or(report.results.len(), |n| start + 1 + n);
        let group = &report.results[start..end];
        if let Some(title) = rule {
            writeln!(out, "rule: {title}")?;
        }
        for r in group {
            writeln!(out, "{}", render::result_line(r))?;
        }
        let matched = group.iter().filter(|r| r.matched).count();
        let s = if group.len() == 1 { "" } else { "s" };
        writeln!(out, "{matched} of {} event{s} matched", group.len())?;
        start = end;
    }
    if report.results.is_empty() {
        writeln!(out, "no events")?;
    }
    for c in &report.correlations {
        let kind = c.kind.map(|k| format!(" ({})", k.as_str())).unwrap_or_default();
        writeln!(
            out,
            "correlation: {}{kind}: {}",
            c.title,
            if c.hits.is_empty() { "no hit".to_string() } else { format!("{} hit(s)", c.hits.len()) }
        )?;
        for h in &c.hits {
            let group: Vec<String> =
                h.group.iter().map(|g| format!("{}={}", g.field, g.value.as_deref().unwrap_or("(none)"))).collect();
            let events: Vec<String> = h.events.iter().map(usize::to_string).collect();
            writeln!(
                out,
                "  [{}] {} .. {}  value {}  events {}",
                group.join(", "),
                h.start,
                h.end,
                h.value,
                events.join(",")
            )?;
        }
    }
    Ok(())
}

/// A folder of rules over the events: one line per rule that fired, then a count.
fn run_scan(args: &MatchArgs, out: &mut dyn Write) -> io::Result<u8> {
    let events = match inputs::read_input(&args.events) {
        Ok(b) => b,
        Err(e) => {
            let name = inputs::display_name(&args.events);
            let _ = writeln!(io::stderr(), "sigmaplay: cannot read events file {name}: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let mut names = Vec::new();
    let mut contents = Vec::new();
    let mut unreadable = 0usize;
    for entry in inputs::collect(&[std::path::PathBuf::from(&args.rule)]) {
        match entry {
            inputs::Entry::File(p) => match std::fs::read(&p) {
                Ok(bytes) => {
                    names.push(p.to_string_lossy().into_owned());
                    contents.push(bytes);
                }
                Err(e) => {
                    unreadable += 1;
                    let _ = writeln!(io::stderr(), "sigmaplay: cannot read {}: {e}", p.display());
                }
            },
            inputs::Entry::Unreadable(p, e) => {
                unreadable += 1;
                let _ = writeln!(io::stderr(), "sigmaplay: cannot read {}: {e}", p.display());
            }
        }
    }
    let files: Vec<ScanFile<'_>> = names.iter().zip(&contents).map(|(name, bytes)| ScanFile { name, bytes }).collect();
    let mut opts = inputs::match_options(&args.placeholders);
    opts.timestamp_field.clone_from(&args.timestamp_field);
    let report = scan(&files, &events, &opts);
    match args.format {
        MatchFormat::Json => {
            let json = serde_json::json!({ "files": names, "report": report });
            serde_json::to_writer(&mut *out, &json).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        MatchFormat::Text => write_scan_text(args, &names, &report, out)?,
    }
    Ok(if report.errors.is_empty() && unreadable == 0 { EXIT_OK } else { EXIT_ERRORS })
}

fn write_scan_text(args: &MatchArgs, names: &[String], report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let mut err = io::stderr().lock();
    for e in &report.errors {
        let name = match e.file.and_then(|f| names.get(f)) {
            Some(n) => n.clone(),
            None => inputs::display_name(&args.events),
        };
        let _ = writeln!(err, "{}", render::diagnostic_line(&name, &e.diagnostic));
    }
    for r in report.firing() {
        let file = names.get(r.file).map_or("", String::as_str);
        let level = r.level.as_deref().map(|l| format!(" [{l}]")).unwrap_or_default();
        let shown: Vec<String> = r.matched.iter().take(10).map(|i| format!("#{i}")).collect();
        let more = r.matched.len().saturating_sub(shown.len());
        let more = if more > 0 { format!(" +{more} more") } else { String::new() };
        writeln!(out, "{file}: {}{level}: {} event(s) {}{more}", r.title, r.matched.len(), shown.join(" "))?;
    }
    for c in report.correlations.iter().filter(|c| !c.hits.is_empty()) {
        writeln!(out, "correlation: {}: {} hit(s)", c.title, c.hits.len())?;
    }
    let fired = report.firing().count();
    writeln!(out, "{fired} of {} rules fired on {} events ({} files)", report.rules.len(), report.events, report.files)
}
