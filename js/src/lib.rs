//! `sigmaplay-js`: [`sigmaplay_core::api`] for JavaScript and TypeScript.
//!
//! Each function takes text and returns the plain object of a `core::api`
//! report, serialised by serde as the CLI serialises it for `--json` /
//! `--format json`: the same type, so the same fields. Nothing here decides
//! anything about rules or events; this crate reads the arguments and hands
//! back what core returns. `scripts/build-js.sh` builds it into `js/pkg/`
//! (wasm-bindgen's `web` target); `js/tests/` runs the built package in Node.
//!
//! Text never makes a function throw: a rule, events, pipeline or query that
//! cannot be read comes back as diagnostics. Only arguments of the wrong
//! JavaScript type throw (a number for a pipeline, a string for `options.placeholders`).

use serde::{Deserialize, Serialize};
use sigmaplay_core::api::{self, EventsSchema, KqlOptions};
use sigmaplay_core::{MatchOptions, Placeholders};
use wasm_bindgen::prelude::*;

// The functions' declarations are written here rather than generated, so
// that their results are typed field by field (`js/tests/types.test.mjs`
// holds these types to what the functions return).
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Any JSON value (an event's field, a row's cell). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type Severity = "error" | "warning" | "info";
/** Which input a diagnostic is about: its `line` and `col` are in that text. */
export type DiagnosticSource = "rule" | "events" | "pipeline" | "kql";

/** One problem or note. `line` and `col` are 1-based; 0 when it has no position. */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `yaml-syntax`, `unknown-modifier`, `invalid-level`. */
  code: string;
  message: string;
  line: number;
  col: number;
  source?: DiagnosticSource;
  /** Edits that resolve a lint finding, when it has a fix. */
  fix?: Fix;
}

/** One text edit: the text of `span` becomes `replacement` (an empty span inserts). */
export interface Edit {
  span: Span;
  replacement: string;
}

/** How to resolve a lint finding: non-overlapping edits in text order. */
export interface Fix {
  /** What the fix does ("write 'high'"). */
  title: string;
  edits: Edit[];
  /** The fixed rule matches exactly what the rule matched; an unsafe fix says in its title how it changes that. */
  safe: boolean;
}

/** What `check` and `lint` return (`sigmaplay check --format jsonl`, less `path`). */
export interface RuleCheck {
  /** No error diagnostic (warnings and infos allowed). */
  ok: boolean;
  diagnostics: Diagnostic[];
}

/** What `convert` returns (`sigmaplay convert --format json`, less `path`). */
export interface ConvertReport {
  /** At least one query and no error diagnostic. */
  ok: boolean;
  /** One KQL query per detection rule of the text. */
  queries: string[];
  /** The table of the first rule that names one. */
  table: string | null;
  diagnostics: Diagnostic[];
}

/** A region of a text: 1-based lines and columns, 0-based char (Unicode scalar value) offsets `start`..`end`. */
export interface Span {
  line: number;
  col: number;
  end_line: number;
  end_col: number;
  start: number;
  end: number;
}

/** Why one item of a search (a field and its values, or a keyword) held or failed. */
export interface ItemOutcome {
  field: string | null;
  modifiers: string[];
  /** The rule's values, as written. */
  values: string[];
  /** The value that decided a match, when one did. */
  matched_value: string | null;
  matched: boolean;
  /** The event's value of the field; null when absent or for a keyword. */
  actual: JsonValue | null;
  span: Span;
  value_span: Span;
}

export interface SearchOutcome {
  name: string;
  matched: boolean;
  span: Span;
  /** For a match, the items that held; for a miss, the first item that failed. */
  items: ItemOutcome[];
}

export interface MatchExplanation {
  matched: boolean;
  searches: SearchOutcome[];
  /** One line a person can read: which searches decided it. */
  summary: string;
  /** The filter rule that took the match back. */
  suppressed_by?: string;
}

/** One (rule, event) result. */
export interface EventResult {
  /** The event's position among the events read (0-based). */
  index: number;
  /** The rule's title, only when the text holds several rules. */
  rule?: string;
  /** The line where the event starts in the events text. */
  line?: number;
  matched: boolean;
  explanation: MatchExplanation;
}

export type CorrelationType =
  | "event_count" | "value_count" | "temporal" | "temporal_ordered"
  | "value_sum" | "value_avg" | "value_percentile";

export interface GroupValue {
  field: string;
  value: string | null;
}

export interface CorrelationHit {
  group: GroupValue[];
  /** First and last time in the window (RFC 3339, UTC). */
  start: string;
  end: string;
  /** What the condition was tested on (a count, sum, average...). */
  value: number;
  /** The events behind the hit, ascending. */
  events: number[];
  rules: string[];
}

export interface CorrelationOutcome {
  title: string;
  id?: string;
  type: CorrelationType | null;
  matched: boolean;
  hits: CorrelationHit[];
}

/** What `match` returns (`sigmaplay match --format json`). Results are rule-major. */
export interface MatchReport {
  results: EventResult[];
  /** One per correlation rule of the text, in order. */
  correlations: CorrelationOutcome[];
  diagnostics: Diagnostic[];
}

/** How the events given to `kqlParity` are named. */
export type EventsSchema = "auto" | "sigma" | "target" | "source";

/** One event's verdicts; null where that side could not run. */
export interface ParityResult {
  index: number;
  sigma: boolean | null;
  kql: boolean | null;
  /** For a disagreement: the likely cause. */
  cause?: string;
}

export type SourceKind = "sysmon" | "security" | "defender" | "rows" | "unknown";
export type Feed =
  | "sysmon-event" | "sysmon-windows-event" | "security-event" | "security-windows-event"
  | "defender" | "linux-sysmon" | "rows";

/** One real source of the target table, and whether the query agrees with the rule on its rows. */
export interface FeedParity {
  feed: Feed;
  label: string;
  compared: number;
  agreed: number;
  /** Events the rule matches as given but not as this source records them. */
  blind: number;
  blind_fields?: string[];
  results: (ParityResult | null)[];
  /** The table's row per event (with `includeRows`). */
  rows?: (JsonValue | null)[];
  /** The record the source writes per event, before its parser (with `includeRows`). */
  native?: (JsonValue | null)[];
}

export interface SourcesReport {
  kinds: SourceKind[];
  feeds: FeedParity[];
}

/** What `kqlParity` returns (`sigmaplay kql RULE EVENTS --format json`). */
export interface KqlParityReport {
  /** The KQL that was run. */
  query: string;
  /** The query is `options.query`, not the generated one. */
  edited: boolean;
  table: string | null;
  /** The schema used (the detected one for "auto"). */
  schema: EventsSchema;
  results: ParityResult[];
  /** Every event has both verdicts and they are equal. */
  agree: boolean;
  sources?: SourcesReport;
  diagnostics: Diagnostic[];
}

export interface KqlEventResult {
  index: number;
  matched: boolean;
}

/** The query's output table, at most 1000 rows. */
export interface KqlRows {
  columns: string[];
  values: JsonValue[][];
  /** Per row, the event it is (null after summarize, distinct, count...). */
  origins: (number | null)[];
  /** Rows before the cap. */
  total: number;
}

/** What `runKql` returns (`sigmaplay kql --query FILE EVENTS --format json`). */
export interface KqlRunReport {
  table: string | null;
  results: KqlEventResult[];
  rows: KqlRows;
  diagnostics: Diagnostic[];
}

/**
 * A pipeline: a built-in target (`"sentinel_asim"`, `"microsoft_xdr"`,
 * `"azure_monitor"`, `"none"`) or a pySigma pipeline YAML text; a list chains
 * them in order (put a YAML before the target it feeds).
 */
export type PipelineArg = string | string[];

export interface RuleOptions {
  /** Values for `%NAME%` placeholders (the `expand` modifier). */
  placeholders?: Record<string, string[]>;
}

export interface MatchOptions extends RuleOptions {
  /** The event field correlations read time from (default: the first of @timestamp, TimeGenerated, UtcTime... that parses). */
  timestampField?: string;
}

export interface KqlParityOptions extends RuleOptions {
  /** What the events are (default "auto"). */
  schema?: EventsSchema;
  /** Run this KQL instead of the generated query. */
  query?: string;
  /** Keep each source's rows in `sources.feeds[].rows` and `.native`. */
  includeRows?: boolean;
}

/** Parse, compile and lint a rule text (one or more YAML documents). */
export function check(ruleText: string, options?: RuleOptions): RuleCheck;
/** Only the linter's findings (and the parse errors, if the rule cannot be read). */
export function lint(ruleText: string): RuleCheck;
/** Convert every rule of the text to KQL with a pipeline. */
export function convert(ruleText: string, pipeline: PipelineArg, options?: RuleOptions): ConvertReport;
/** Match every rule of the text against every event (JSON, NDJSON, YAML, evtx-JSON), with explanations. */
export function match(ruleText: string, eventsText: string, options?: MatchOptions): MatchReport;
/** Run the rule's KQL over the events with the built-in KQL evaluator and compare with the Sigma matcher, event by event. */
export function kqlParity(ruleText: string, eventsText: string, pipeline: PipelineArg, options?: KqlParityOptions): KqlParityReport;
/** Run a KQL query over the events (their fields are the columns). */
export function runKql(query: string, eventsText: string): KqlRunReport;
/** The engine's version (equal to the package's). */
export function version(): string;
"#;

/// The options object of every function (each declares the fields it reads;
/// serde-wasm-bindgen reads only these, so other keys are ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Options {
    placeholders: Placeholders,
    timestamp_field: Option<String>,
    schema: Option<EventsSchema>,
    query: Option<String>,
    include_rows: bool,
}

impl Options {
    fn read(value: JsValue) -> Result<Options, JsError> {
        if value.is_undefined() || value.is_null() {
            return Ok(Options::default());
        }
        serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("invalid options: {e}")))
    }

    fn match_options(&self) -> MatchOptions {
        MatchOptions { placeholders: self.placeholders.clone(), timestamp_field: self.timestamp_field.clone() }
    }
}

/// A pipeline argument (a string or a list of strings) as a chain of links.
/// An empty list is refused here: `kqlParity` would read it as `none`.
fn pipeline_specs(value: JsValue) -> Result<Vec<sigmaplay_core::pipeline::PipelineSpec>, JsError> {
    let texts: Vec<String> = match value.as_string() {
        Some(text) => vec![text],
        None => serde_wasm_bindgen::from_value(value).unwrap_or_default(),
    };
    if texts.is_empty() {
        return Err(JsError::new("pipeline must be a string or a non-empty array of strings"));
    }
    Ok(texts.iter().map(|t| api::pipeline_spec(t)).collect())
}

/// A report as a plain object, as `serde_json` writes it for the CLI: maps
/// as objects, `None` as `null`, integers as numbers.
fn to_js<T: Serialize>(report: &T) -> Result<JsValue, JsError> {
    report
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot return the report: {e}")))
}

#[wasm_bindgen(skip_typescript)]
pub fn check(rule_text: &str, options: JsValue) -> Result<JsValue, JsError> {
    let options = Options::read(options)?;
    to_js(&api::check_rule_text(rule_text, &options.match_options()))
}

#[wasm_bindgen(skip_typescript)]
pub fn lint(rule_text: &str) -> Result<JsValue, JsError> {
    to_js(&api::lint_rule_text(rule_text))
}

#[wasm_bindgen(skip_typescript)]
pub fn convert(rule_text: &str, pipeline: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let specs = pipeline_specs(pipeline)?;
    let options = Options::read(options)?;
    to_js(&api::convert_with_pipelines(rule_text, &specs, &options.placeholders))
}

#[wasm_bindgen(js_name = "match", skip_typescript)]
pub fn match_events(rule_text: &str, events_text: &str, options: JsValue) -> Result<JsValue, JsError> {
    let options = Options::read(options)?;
    to_js(&api::match_events(rule_text, events_text, &options.match_options()))
}

#[wasm_bindgen(js_name = "kqlParity", skip_typescript)]
pub fn kql_parity(rule_text: &str, events_text: &str, pipeline: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let pipelines = pipeline_specs(pipeline)?;
    let options = Options::read(options)?;
    let kql_options = KqlOptions {
        pipelines,
        placeholders: options.placeholders,
        query_override: options.query,
        events_schema: options.schema.unwrap_or_default(),
        include_rows: options.include_rows,
        ..KqlOptions::default()
    };
    to_js(&api::kql_parity(rule_text, events_text, &kql_options))
}

#[wasm_bindgen(js_name = "runKql", skip_typescript)]
pub fn run_kql(query: &str, events_text: &str) -> Result<JsValue, JsError> {
    to_js(&api::run_kql(query, events_text))
}

#[wasm_bindgen(skip_typescript)]
pub fn version() -> String {
    sigmaplay_core::version().to_string()
}
