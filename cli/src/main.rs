//! `sigmaplay`: check Sigma rules, convert them to KQL and match them against
//! events from the command line. All Sigma logic lives in `sigmaplay-core` (mostly
//! [`sigmaplay_core::api`]); this crate reads files, parses arguments and prints.

mod check;
mod convert;
mod export;
mod inputs;
mod kql;
mod matching;
mod regression;
mod render;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

// Parsing a rule allocates many small nodes and strings; glibc's malloc was
// about a third of `convert`'s CPU time. The CLI only: core and the web build
// keep the platform allocator. `no_thp` (Cargo.toml): with transparent huge
// pages mimalloc's first touch of its arena zeroes 2 MB pages, which cost
// more than the allocator saved on a 0.1 s run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status when the command ran and found no error.
pub const EXIT_OK: u8 = 0;
/// Exit status when a rule (or, for `match`, the events) has an error.
pub const EXIT_ERRORS: u8 = 1;
/// Exit status for usage errors (bad arguments, unreadable input files).
pub const EXIT_USAGE: u8 = 2;
/// Exit status of `kql` when it ran without error but the Sigma matcher and
/// the KQL query disagree on at least one event.
pub const EXIT_DISAGREE: u8 = 3;

#[derive(Parser, Debug)]
#[command(name = "sigmaplay", version, about = "Check Sigma rules, convert them to KQL and match them against events")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check rule files: YAML syntax, Sigma structure, modifiers, conditions,
    /// regular expressions. Exit status 1 when any file has an error.
    Check(CheckArgs),
    /// Match the rule(s) of RULE against every event of EVENTS and explain each
    /// result; when RULE is a folder, scan all its rules together and list the
    /// rules that fire. Exit status 0 when it ran (matches or not), 1 when a rule
    /// or the events have errors, 2 on usage errors.
    Match(MatchArgs),
    /// Convert rules to KQL (Microsoft Sentinel / Defender XDR / Azure Monitor)
    /// with a processing pipeline. Exit status 1 when any rule file did not
    /// convert, 2 on usage errors (unknown pipeline, invalid pipeline file).
    Convert(ConvertArgs),
    /// Run a rule's KQL over events with the built-in KQL evaluator and compare,
    /// event by event, with the Sigma matcher (`kql RULE EVENTS --pipeline NAME`);
    /// or run a hand-written query (`kql --query FILE.kql EVENTS`). Exit status
    /// 0 when both agree on every event (or the query ran), 1 on errors in the
    /// rule, pipeline, events or query, 2 on usage errors, 3 when they disagree.
    Kql(KqlArgs),
    /// Export a rule as a deployable Microsoft Sentinel scheduled analytics
    /// rule (Azure-Sentinel YAML or an ARM template) or a Defender XDR custom
    /// detection (Graph detectionRule JSON), with pre-flight checks. The
    /// document goes to stdout, the diagnostics to stderr (`--json`: one object
    /// with both). Exit status 1 when a pre-flight check fails, 2 on usage errors.
    Export(ExportArgs),
    /// Run the SigmaHQ regression tests (`regression_tests_path`) of every
    /// rule under PATH, as SigmaHQ's CI does: a test passes when at least
    /// `match_count` events match (at least one without it). One line per
    /// test, then `N passed, M failed`. Exit status 1 when any test fails or
    /// none is found.
    Test(regression::TestArgs),
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The rule file (`-` for stdin). With several rules, its correlation rule
    /// is exported, else its first detection rule.
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// Built-in pipeline names and pySigma pipeline YAML files, chained (as `convert` takes them).
    #[arg(long = "pipeline", short = 'p', value_name = "NAME|FILE.yml", required = true)]
    pub pipelines: Vec<String>,
    /// The document to write.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Time between runs: 5m..14d for Sentinel (default 1h); 0 (continuous), 1h, 3h, 12h or 24h for Defender.
    #[arg(long, value_name = "DURATION", value_parser = sigmaplay_core::api::parse_duration)]
    pub frequency: Option<u64>,
    /// Data each Sentinel run reads, 5m..14d (default: the frequency; for a correlation its timespan plus the frequency).
    #[arg(long, value_name = "DURATION", value_parser = sigmaplay_core::api::parse_duration)]
    pub period: Option<u64>,
    /// Sentinel: alert when the query returns more than this many rows (0..10000, default 0).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub threshold: Option<i64>,
    /// A playground link to the rule, added to the description.
    #[arg(long = "share-url", value_name = "URL")]
    pub share_url: Option<String>,
    /// Print one JSON object (document and diagnostics) instead of the document.
    #[arg(long)]
    pub json: bool,
    /// Also print info-level notes (JSON always has them).
    #[arg(long)]
    pub info: bool,
    /// Values for a %NAME% placeholder used with the `expand` modifier (repeatable).
    #[arg(long = "placeholder", value_name = "NAME=V1,V2", value_parser = inputs::parse_placeholder)]
    pub placeholders: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    SentinelYaml,
    SentinelArm,
    DefenderJson,
}

#[derive(clap::Args, Debug)]
pub struct KqlArgs {
    /// RULE EVENTS, or only EVENTS with --query. `-` reads stdin.
    #[arg(required = true, num_args = 1..=2, value_name = "RULE EVENTS")]
    pub inputs: Vec<String>,
    /// Built-in pipeline names and pySigma pipeline YAML files, chained in the
    /// order given (as `convert` takes them; put a custom file before the target).
    #[arg(long = "pipeline", short = 'p', value_name = "NAME|FILE.yml")]
    pub pipelines: Vec<String>,
    /// What the events are: `source` (Sysmon, Windows Security or Defender
    /// records: run on the rows each source of the table really gives),
    /// `sigma` (Sigma fields mapped by the rule's own mapping), `target`
    /// (rows of the target table), or `auto` (detect).
    #[arg(long, value_enum, default_value_t = SchemaArg::Auto)]
    pub schema: SchemaArg,
    /// Also print each source's rows (and, with --format json, the native records).
    #[arg(long)]
    pub rows: bool,
    /// A KQL file: with EVENTS alone, run it; with RULE EVENTS, run it instead of the generated query.
    #[arg(long, value_name = "FILE.kql")]
    pub query: Option<String>,
    /// Values for a %NAME% placeholder used with the `expand` modifier (repeatable).
    #[arg(long = "placeholder", value_name = "NAME=V1,V2", value_parser = inputs::parse_placeholder)]
    pub placeholders: Vec<(String, Vec<String>)>,
    /// Output: readable text or one JSON object.
    #[arg(long, value_enum, default_value_t = MatchFormat::Text)]
    pub format: MatchFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaArg {
    Auto,
    Source,
    Sigma,
    Target,
}

#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// Rule files, or folders searched recursively for *.yml and *.yaml.
    #[arg(required = true, value_name = "RULE")]
    pub paths: Vec<PathBuf>,
    /// A built-in pipeline (sentinel_asim, microsoft_xdr, microsoft_365_defender,
    /// azure_monitor, none) or a pySigma pipeline YAML file. Repeat to chain:
    /// `--pipeline custom.yml --pipeline sentinel_asim` runs custom.yml first.
    #[arg(long = "pipeline", short = 'p', value_name = "NAME|FILE.yml", required = true)]
    pub pipelines: Vec<String>,
    /// Output: queries and notes as text, one JSON object per file per line
    /// (jsonl), or one JSON document (an object for one file, else an array).
    #[arg(long, value_enum, default_value_t = ConvertFormat::Text)]
    pub format: ConvertFormat,
    /// Also print info-level notes in text output (JSON always has them).
    #[arg(long)]
    pub info: bool,
    /// Values for a %NAME% placeholder used with the `expand` modifier (repeatable).
    #[arg(long = "placeholder", value_name = "NAME=V1,V2", value_parser = inputs::parse_placeholder)]
    pub placeholders: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConvertFormat {
    Text,
    Json,
    Jsonl,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Rule files, or folders searched recursively for *.yml and *.yaml.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output: readable text, or one JSON object per file per line.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Also print info-level diagnostics in text output (JSON always has them).
    #[arg(long)]
    pub info: bool,
    /// Leave out the linter's findings (what is doubtful in a valid rule).
    #[arg(long, conflicts_with = "fix")]
    pub no_lint: bool,
    /// Apply the linter's safe fixes to the files in place (those that keep
    /// what the rule matches), then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Values for a %NAME% placeholder used with the `expand` modifier (repeatable).
    #[arg(long = "placeholder", value_name = "NAME=V1,V2", value_parser = inputs::parse_placeholder)]
    pub placeholders: Vec<(String, Vec<String>)>,
}

#[derive(clap::Args, Debug)]
pub struct MatchArgs {
    /// The rule file (one or more YAML documents), `-` for stdin, or a folder
    /// of rule files: all scanned together (filters and correlations across
    /// files apply), each event evaluated only against the rules it can match.
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// The events: JSON, NDJSON, concatenated JSON, evtx-JSON or YAML; `-` for stdin.
    #[arg(value_name = "EVENTS")]
    pub events: String,
    /// Values for a %NAME% placeholder used with the `expand` modifier (repeatable).
    #[arg(long = "placeholder", value_name = "NAME=V1,V2", value_parser = inputs::parse_placeholder)]
    pub placeholders: Vec<(String, Vec<String>)>,
    /// The event field correlation rules read time from (default: the first
    /// of @timestamp, timestamp, TimeGenerated, TimeCreated_SystemTime, UtcTime, ... that parses).
    #[arg(long = "timestamp-field", value_name = "FIELD")]
    pub timestamp_field: Option<String>,
    /// Output: one line per event, or one JSON object.
    #[arg(long, value_enum, default_value_t = MatchFormat::Text)]
    pub format: MatchFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Jsonl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MatchFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = match cli.command {
        Command::Check(args) => check::run(&args, &mut out),
        Command::Match(args) => matching::run(&args, &mut out),
        Command::Convert(args) => convert::run(&args, &mut out),
        Command::Kql(args) => kql::run(&args, &mut out),
        Command::Export(args) => export::run(&args, &mut out),
        Command::Test(args) => regression::run(&args, &mut out),
    };
    let result = result.and_then(|code| out.flush().map(|()| code));
    match result {
        Ok(code) => ExitCode::from(code),
        // `sigmaplay check rules/ | head`: the reader went away; stop quietly.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_ERRORS),
        Err(e) => {
            let _ = writeln!(io::stderr(), "sigmaplay: cannot write output: {e}");
            ExitCode::from(EXIT_ERRORS)
        }
    }
}
