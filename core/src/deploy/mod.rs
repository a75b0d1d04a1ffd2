//! From a converted rule to a rule a SIEM can run: a Microsoft Sentinel
//! scheduled analytics rule (Azure-Sentinel repository YAML, or an ARM
//! template) or a Microsoft Defender XDR custom detection (the Graph
//! `detectionRule` JSON), with pre-flight checks that say, before deploying,
//! what the service or Azure-Sentinel's template validator would refuse.
//!
//! Nothing here reads or writes anything: the shells hand in the rule and its
//! conversion (`api::export_text` does both) and print the document.
//! `docs/deploy.md` lists the mappings, the limits and their sources.

pub mod entities;
pub mod guid;
pub mod mitre;
pub mod query;

mod documents;
mod preflight;

use serde::Serialize;

use crate::base::diag::{has_errors, Diagnostic, Span};
use crate::sigma::rule::Rule;

pub use documents::yaml_string;
pub use entities::{EntityMapping, ImpactedAsset};

/// The document to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Azure-Sentinel repository YAML (`Detections/` and `Solutions/*/Analytic Rules`).
    SentinelYaml,
    /// An ARM template with one `Microsoft.SecurityInsights/alertRules` resource.
    SentinelArm,
    /// Microsoft Graph `detectionRule` (Defender XDR custom detection), as the create request body.
    DefenderJson,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::SentinelYaml, Format::SentinelArm, Format::DefenderJson];

    /// The name the CLI and the web app use.
    pub fn name(self) -> &'static str {
        match self {
            Format::SentinelYaml => "sentinel-yaml",
            Format::SentinelArm => "sentinel-arm",
            Format::DefenderJson => "defender-json",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    fn is_sentinel(self) -> bool {
        self != Format::DefenderJson
    }
}

/// What the caller may choose; `None` takes the default described on each field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportOptions {
    /// Seconds between runs. Default: one hour; for a correlation its
    /// timespan, within 5 minutes..1 hour (Sentinel); Defender `1H`, or the
    /// shortest period that holds the correlation's timespan.
    /// `Some(0)` is Defender's continuous (near-real-time) run.
    pub frequency: Option<u64>,
    /// Seconds of data each run reads (Sentinel). Default: the frequency; for
    /// a correlation its timespan plus the frequency (whole bins, see `sentinel_schedule`).
    pub period: Option<u64>,
    /// Sentinel's trigger threshold: an alert when more than this many rows. Default 0.
    pub threshold: Option<i64>,
    /// A link back to the rule in the playground, put in the description.
    pub share_url: Option<String>,
}

/// The longest share link worth putting in a description: half of Sentinel's
/// 5000 characters, so that the rule's own text keeps the other half. A
/// shell whose link is longer makes a shorter one (the web app leaves the
/// events out of it).
pub const MAX_SHARE_URL: usize = preflight::MAX_DESCRIPTION / 2;

/// Sentinel and Defender severities (neither has Sigma's `critical`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
}

impl Severity {
    /// Sentinel's spelling; Defender's is the same in lower case.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Informational => "Informational",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
        }
    }
}

/// Everything a document is written from, checked before it is written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeployableRule {
    pub guid: String,
    pub name: String,
    pub description: String,
    pub severity: Severity,
    pub tactics: Vec<&'static str>,
    /// Technique ids as tagged, sub-techniques kept (`T1059.001`).
    pub techniques: Vec<String>,
    pub query: String,
    pub table: Option<String>,
    /// Sentinel: seconds between runs and seconds each run reads.
    pub frequency: u64,
    pub period: u64,
    pub threshold: i64,
    pub entities: Vec<EntityMapping>,
    /// Defender: the `schedule.period` value (`0`, `1H`, `3H`, `12H`, `24H`).
    pub defender_period: String,
    pub assets: Vec<ImpactedAsset>,
    /// Defender's alert category: the first tactic, else `SuspiciousActivity`.
    pub category: String,
    /// Sentinel `requiredDataConnectors`: (connector id, data types).
    pub connectors: Vec<(&'static str, Vec<String>)>,
}

/// An exported rule: the document (when a query was produced) and every note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Export {
    pub format: Format,
    /// No error diagnostic: the document can be deployed as it is.
    pub ok: bool,
    pub document: Option<String>,
    pub rule: Option<DeployableRule>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One hour, the default run interval.
const DEFAULT_FREQUENCY: u64 = 3600;

/// Build the deployable rule of `rule`, whose KQL (from
/// [`crate::kql::convert_file`]) is `query` on `table`, and write it as `format`.
/// `pipeline` names the target (it goes into the GUID: another target is another query).
pub fn export(
    rule: &Rule,
    query: &str,
    table: Option<&str>,
    pipeline: &str,
    format: Format,
    options: &ExportOptions,
) -> Export {
    let mut diagnostics = Vec::new();
    let (tactics, techniques) = attack_tags(rule, &mut diagnostics);
    let severity = severity(rule, &mut diagnostics);
    let timespan = rule.correlation.as_ref().and_then(|c| c.timespan.as_ref());
    let (frequency, period) = sentinel_schedule(options, timespan.map(|t| t.value), &mut diagnostics);

    let group_by: Option<Vec<String>> =
        rule.correlation.as_ref().map(|c| c.group_by.iter().map(|g| g.value.clone()).collect());
    let (query, facts) = match format {
        Format::DefenderJson => defender_query(query, table, group_by),
        _ => (query.to_string(), query::inspect(query, group_by)),
    };
    diagnostics.extend(facts.diagnostics.iter().cloned());
    let columns = facts.output_columns.clone();

    let mut entities = columns.as_deref().map(entities::sentinel_entities).unwrap_or_default();
    if entities.len() > preflight::MAX_ENTITY_MAPPINGS {
        let left: Vec<&str> = entities.iter().skip(preflight::MAX_ENTITY_MAPPINGS).map(|e| e.entity_type).collect();
        if format.is_sentinel() {
            diagnostics.push(Diagnostic::info(
                "export-entities-left-out",
                format!(
                    "Sentinel takes at most {} entity mappings: {} left out",
                    preflight::MAX_ENTITY_MAPPINGS,
                    left.join(", ")
                ),
                None,
            ));
        }
        entities.truncate(preflight::MAX_ENTITY_MAPPINGS);
    }
    let column_refs: Vec<&str> = columns.iter().flatten().map(String::as_str).collect();
    let assets = entities::defender_assets(&column_refs);

    // Defender's period is worked out for every format (it is part of the
    // deployable rule) but only a Defender export reports on it.
    let mut period_notes = Vec::new();
    let defender_period = defender_period(options.frequency, timespan.map(|t| (t.value, t.span)), &mut period_notes);
    if format == Format::DefenderJson {
        diagnostics.append(&mut period_notes);
    }
    let category = tactics.first().map_or("SuspiciousActivity", |t| *t).to_string();
    let deployable = DeployableRule {
        guid: guid::rule_guid(rule.id_text(), rule.title_text(), pipeline),
        name: rule.title_text().trim().to_string(),
        description: description(rule, pipeline, options.share_url.as_deref(), &mut diagnostics),
        severity,
        tactics,
        techniques,
        query,
        table: table.map(str::to_string),
        frequency,
        period,
        threshold: options.threshold.unwrap_or(0),
        entities,
        defender_period,
        assets,
        category,
        connectors: table.map(connectors).unwrap_or_default(),
    };
    diagnostics.extend(preflight::check(&deployable, format, columns.as_deref(), rule));
    let document = Some(match format {
        Format::SentinelYaml => documents::sentinel_yaml(&deployable),
        Format::SentinelArm => documents::sentinel_arm(&deployable),
        Format::DefenderJson => documents::defender_json(&deployable),
    });
    Export { format, ok: !has_errors(&diagnostics), document, rule: Some(deployable), diagnostics }
}

/// Sentinel's (queryFrequency, queryPeriod), in seconds. Without a
/// correlation both default to an hour. A correlation's query counts in bins
/// of its timespan T aligned to the clock (`docs/kql.md`), so a run must read
/// a whole bin: with runs every F ≤ T and a period of T + F, every bin lies
/// whole inside some run's window. F defaults to T, at most an hour and at
/// least Sentinel's 5 minutes; the period is held to Sentinel's 14 days (a
/// note says what a shorter one loses). Values the caller gives are kept as
/// given and checked by the pre-flight.
fn sentinel_schedule(options: &ExportOptions, timespan: Option<u64>, diagnostics: &mut Vec<Diagnostic>) -> (u64, u64) {
    let Some(window) = timespan else {
        let frequency = options.frequency.unwrap_or(DEFAULT_FREQUENCY);
        return (frequency, options.period.unwrap_or(frequency));
    };
    let frequency = options
        .frequency
        .unwrap_or_else(|| window.clamp(preflight::MIN_SCHEDULE, DEFAULT_FREQUENCY.max(preflight::MIN_SCHEDULE)));
    if let Some(period) = options.period {
        return (frequency, period);
    }
    let whole_bins = window.saturating_add(frequency);
    let period = whole_bins.clamp(preflight::MIN_SCHEDULE, preflight::MAX_SCHEDULE);
    if period < whole_bins {
        diagnostics.push(Diagnostic::info(
            "export-window",
            format!(
                "queryPeriod is Sentinel's longest, 14 days, less than the timespan plus the run interval ({}): a bin that straddles a run's window is seen only in part",
                preflight::duration_text(whole_bins)
            ),
            None,
        ));
    }
    (frequency, period)
}

/// Columns a Defender custom detection must return (Microsoft's custom
/// detection docs: `Timestamp`, and `ReportId` to tell events apart).
pub const DEFENDER_REQUIRED: &[&str] = &["Timestamp", "ReportId"];

/// Defender's query: the rule's query projected onto the required columns,
/// the asset columns and the entity columns the table has, so that alerts
/// carry what an analyst needs and nothing is guessed. A query our parser
/// cannot read (a correlation) is left as it is.
fn defender_query(query: &str, table: Option<&str>, group_by: Option<Vec<String>>) -> (String, query::QueryFacts) {
    let facts = query::inspect(query, group_by.clone());
    let Some(table_cols) = table.and_then(query::table_columns) else { return (query.to_string(), facts) };
    // A correlation's result is its group-by fields, not the table's columns.
    if group_by.is_some() || facts.output_columns.is_none() || crate::base::diag::has_errors(&facts.diagnostics) {
        return (query.to_string(), facts);
    }
    let mut keep: Vec<&str> = Vec::new();
    let wanted = DEFENDER_REQUIRED
        .iter()
        .copied()
        .chain(["DeviceId", "DeviceName"])
        .chain(["AccountObjectId", "AccountSid", "AccountUpn", "InitiatingProcessAccountUpn"])
        .chain(entities::entity_columns());
    for column in wanted {
        if table_cols.iter().any(|c| c == column) && !keep.contains(&column) {
            keep.push(column);
        }
    }
    if keep.is_empty() {
        return (query.to_string(), facts);
    }
    let projected = format!("{query}\n| project {}", keep.join(", "));
    let facts = query::inspect(&projected, group_by);
    (projected, facts)
}

/// Sigma `level` → severity. Five levels onto four: `critical` joins `high`.
fn severity(rule: &Rule, diagnostics: &mut Vec<Diagnostic>) -> Severity {
    let level = rule.level.as_ref();
    match level.map(|l| l.value.trim().to_ascii_lowercase()).as_deref() {
        Some("informational") => Severity::Informational,
        Some("low") => Severity::Low,
        Some("medium") => Severity::Medium,
        Some("high") => Severity::High,
        Some("critical") => {
            diagnostics.push(Diagnostic::info(
                "export-severity",
                "level critical becomes High: Sentinel and Defender have no higher severity",
                level.map(|l| l.span),
            ));
            Severity::High
        }
        _ => {
            diagnostics.push(Diagnostic::warning(
                "export-severity",
                "the rule has no known level (informational, low, medium, high, critical): severity Medium",
                level.map(|l| l.span).or(Some(rule.span)),
            ));
            Severity::Medium
        }
    }
}

/// `attack.*` tags → (Sentinel tactics, technique ids), each once, in tag order.
/// Tags that become neither are named in one note.
fn attack_tags(rule: &Rule, diagnostics: &mut Vec<Diagnostic>) -> (Vec<&'static str>, Vec<String>) {
    let mut tactics: Vec<&'static str> = Vec::new();
    let mut techniques: Vec<String> = Vec::new();
    let mut unmapped: Vec<(&str, Span)> = Vec::new();
    for tag in &rule.tags {
        let text = tag.value.trim();
        let value = text.to_ascii_lowercase();
        let Some(value) = value.strip_prefix("attack.") else {
            unmapped.push((text, tag.span));
            continue;
        };
        if let Some(tactic) = mitre::sentinel_tactic(value) {
            if !tactics.contains(&tactic) {
                tactics.push(tactic);
            }
        } else if let Some(id) = mitre::technique_id(value) {
            if !techniques.contains(&id) {
                techniques.push(id);
            }
        } else {
            unmapped.push((text, tag.span));
        }
    }
    if let Some((_, first_span)) = unmapped.first() {
        let names: Vec<&str> = unmapped.iter().map(|(t, _)| *t).collect();
        diagnostics.push(Diagnostic::info(
            "export-unmapped-tags",
            format!("tags with no tactic or technique to export: {}", names.join(", ")),
            Some(*first_span),
        ));
    }
    (tactics, techniques)
}

/// The description: the rule's, then its false positives, references, id and
/// the share link, each part as long as it fits Sentinel's 5000 characters.
fn description(rule: &Rule, pipeline: &str, share_url: Option<&str>, diagnostics: &mut Vec<Diagnostic>) -> String {
    // A rule without a description is described by its title.
    let mut text =
        rule.description.as_ref().map_or_else(|| rule.title_text(), |d| d.value.as_str()).trim_end().to_string();
    let mut parts: Vec<String> = Vec::new();
    if !rule.falsepositives.is_empty() {
        let items: Vec<String> = rule.falsepositives.iter().map(|f| format!("- {}", f.value.trim())).collect();
        parts.push(format!("False positives:\n{}", items.join("\n")));
    }
    if !rule.references.is_empty() {
        let items: Vec<String> = rule.references.iter().map(|r| format!("- {}", r.value.trim())).collect();
        parts.push(format!("References:\n{}", items.join("\n")));
    }
    let mut origin = String::from("Sigma rule");
    if !rule.id_text().trim().is_empty() {
        origin.push_str(&format!(" {}", rule.id_text().trim()));
    }
    if let Some(author) = &rule.author {
        origin.push_str(&format!(" by {}", author.value.trim()));
    }
    origin.push_str(&format!(", converted with the {pipeline} pipeline"));
    if let Some(url) = share_url.filter(|u| !u.trim().is_empty()) {
        origin.push_str(&format!("\nPlayground: {}", url.trim()));
    }
    parts.push(origin);
    let mut dropped = Vec::new();
    // The origin (id, pipeline, link) is always kept; references go first, then false positives.
    let fits = |text: &str, parts: &[String]| {
        text.chars().count() + parts.iter().map(|p| p.chars().count() + 2).sum::<usize>() <= preflight::MAX_DESCRIPTION
    };
    while !fits(&text, &parts) && parts.len() > 1 {
        let removed = parts.remove(parts.len().saturating_sub(2));
        dropped.push(removed.lines().next().unwrap_or_default().trim_end_matches(':').to_string());
    }
    if !fits(&text, &parts) {
        let room = preflight::MAX_DESCRIPTION
            .saturating_sub(parts.iter().map(|p| p.chars().count() + 2).sum::<usize>())
            .saturating_sub(1);
        text = text.chars().take(room).collect::<String>() + "…";
        dropped.push("the end of the description".to_string());
    }
    if !dropped.is_empty() {
        diagnostics.push(Diagnostic::warning(
            "export-description-shortened",
            format!(
                "the description is limited to {} characters: left out {}",
                preflight::MAX_DESCRIPTION,
                dropped.join(", ")
            ),
            rule.description.as_ref().map(|d| d.span),
        ));
    }
    std::iter::once(text).chain(parts).collect::<Vec<_>>().join("\n\n")
}

/// Defender's run period: the `--frequency` when it is one of Graph's
/// values, else the shortest value that holds the correlation's window, else `1H`.
fn defender_period(frequency: Option<u64>, timespan: Option<(u64, Span)>, diagnostics: &mut Vec<Diagnostic>) -> String {
    const PERIODS: &[(u64, &str)] = &[(3600, "1H"), (3 * 3600, "3H"), (12 * 3600, "12H"), (24 * 3600, "24H")];
    if let Some(f) = frequency {
        if f == 0 {
            return "0".to_string();
        }
        return match PERIODS.iter().find(|(s, _)| *s == f) {
            Some((_, p)) => (*p).to_string(),
            None => preflight::duration_text(f),
        };
    }
    match timespan {
        Some((seconds, span)) => match PERIODS.iter().find(|(s, _)| *s >= seconds) {
            Some((_, p)) => (*p).to_string(),
            None => {
                diagnostics.push(Diagnostic::error(
                    "defender-period",
                    "the correlation's timespan is longer than Defender's longest run period (24H)",
                    Some(span),
                ));
                "24H".to_string()
            }
        },
        None => "1H".to_string(),
    }
}

/// Sentinel `requiredDataConnectors` for a table: the connector that fills it,
/// when its id is in Azure-Sentinel's `ValidConnectorIds.json`. ASIM parsers
/// read many connectors, so they list none (as Azure-Sentinel's own ASIM rules
/// do); WindowsEvent's connector id is not in the versions of that list read
/// (docs/deploy.md), so it lists none either.
fn connectors(table: &str) -> Vec<(&'static str, Vec<String>)> {
    let connector = if table.starts_with("Device") {
        Some("MicrosoftThreatProtection")
    } else {
        match table {
            "SecurityEvent" => Some("SecurityEvents"),
            "Syslog" => Some("Syslog"),
            _ => None,
        }
    };
    connector.map(|c| vec![(c, vec![table.to_string()])]).unwrap_or_default()
}

#[cfg(test)]
mod tests;
