//! Pre-flight checks: what Sentinel, Azure-Sentinel's template validator or
//! Defender would refuse, said before deploying. Each limit names its source
//! in docs/deploy.md.

use super::{entities, mitre, DeployableRule, Format, DEFENDER_REQUIRED};
use crate::base::diag::{Diagnostic, Span};
use crate::sigma::rule::Rule;

/// `name`: at most 256 characters (AnalyticsTemplateInternalModelBase).
pub const MAX_NAME: usize = 256;
/// `description`: at most 5000 characters (AnalyticsTemplateInternalModelBase).
pub const MAX_DESCRIPTION: usize = 5000;
/// `query`: 1 to 10000 characters (ScheduledTemplateInternalModel).
pub const MAX_QUERY: usize = 10_000;
/// `queryFrequency`, `queryPeriod`: 5 minutes to 14 days (RangeTimeSpanIsoFormat).
pub const MIN_SCHEDULE: u64 = 5 * 60;
pub const MAX_SCHEDULE: u64 = 14 * 86_400;
/// `triggerThreshold`: 0 to 10000.
pub const MAX_THRESHOLD: i64 = 10_000;
/// `entityMappings`: 1 to 5 (ValidEntityMappings; each with 1 to 3 field
/// mappings, and the export writes one per entity).
pub const MAX_ENTITY_MAPPINGS: usize = 5;
/// Graph `ruleSchedule.period` values.
pub const DEFENDER_PERIODS: &[&str] = &["0", "1H", "3H", "12H", "24H"];

/// A duration as Azure-Sentinel YAML writes it (`5m`, `1h`, `14d`): the
/// largest unit that divides it. Seconds that are not whole minutes have no
/// such form; they are written in minutes, rounded up, and checked apart.
pub fn duration_text(seconds: u64) -> String {
    if seconds > 0 && seconds.is_multiple_of(86_400) {
        format!("{}d", seconds / 86_400)
    } else if seconds > 0 && seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else {
        format!("{}m", seconds.div_ceil(60))
    }
}

/// An ISO 8601 duration for ARM (`PT5M`, `PT1H`, `P1D`).
pub fn iso_duration(seconds: u64) -> String {
    if seconds > 0 && seconds.is_multiple_of(86_400) {
        format!("P{}D", seconds / 86_400)
    } else if seconds > 0 && seconds.is_multiple_of(3600) {
        format!("PT{}H", seconds / 3600)
    } else {
        format!("PT{}M", seconds.div_ceil(60))
    }
}

/// Every check of `format` on the rule about to be written; `columns` are the
/// query's result columns when known.
pub fn check(rule: &DeployableRule, format: Format, columns: Option<&[String]>, source: &Rule) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let title_span = source.title.as_ref().map(|t| t.span).or(Some(source.span));
    if rule.name.is_empty() {
        out.push(Diagnostic::error(
            "export-name",
            "the rule has no title, and the exported rule needs a name",
            title_span,
        ));
    }
    if !super::guid::is_guid(&rule.guid) {
        out.push(Diagnostic::error("export-guid", format!("'{}' is not a GUID", rule.guid), None));
    }
    match format {
        Format::SentinelYaml | Format::SentinelArm => sentinel(rule, format, columns, source, &mut out),
        Format::DefenderJson => defender(rule, columns, source, &mut out),
    }
    out
}

fn sentinel(
    rule: &DeployableRule,
    format: Format,
    columns: Option<&[String]>,
    source: &Rule,
    out: &mut Vec<Diagnostic>,
) {
    let title_span = source.title.as_ref().map(|t| t.span);
    let timespan_span = source.correlation.as_ref().and_then(|c| c.timespan.as_ref()).map(|t| t.span);
    if rule.name.chars().count() > MAX_NAME {
        out.push(Diagnostic::error(
            "sentinel-name",
            format!("the name has {} characters, more than Sentinel's {MAX_NAME}", rule.name.chars().count()),
            title_span,
        ));
    }
    if rule.description.chars().count() > MAX_DESCRIPTION {
        out.push(Diagnostic::error(
            "sentinel-description",
            format!("the description is longer than Sentinel's {MAX_DESCRIPTION} characters"),
            None,
        ));
    }
    let query_chars = rule.query.chars().count();
    if query_chars == 0 || query_chars > MAX_QUERY {
        out.push(Diagnostic::error(
            "sentinel-query-length",
            format!("the query has {query_chars} characters; Sentinel takes 1 to {MAX_QUERY}"),
            None,
        ));
    }
    for (what, seconds) in [("queryFrequency", rule.frequency), ("queryPeriod", rule.period)] {
        if !(MIN_SCHEDULE..=MAX_SCHEDULE).contains(&seconds) {
            out.push(Diagnostic::error(
                "sentinel-schedule",
                format!("{what} is {}; Sentinel takes 5 minutes to 14 days", duration_text(seconds)),
                timespan_span,
            ));
        } else if !seconds.is_multiple_of(60) {
            out.push(Diagnostic::error(
                "sentinel-schedule",
                format!("{what} of {seconds} seconds is not a whole number of minutes"),
                timespan_span,
            ));
        }
    }
    if rule.period < rule.frequency {
        out.push(Diagnostic::error(
            "sentinel-schedule",
            format!(
                "queryPeriod ({}) must be at least queryFrequency ({}): runs would skip events",
                duration_text(rule.period),
                duration_text(rule.frequency)
            ),
            timespan_span,
        ));
    }
    if rule.period >= 2 * 86_400 && rule.frequency < 3600 {
        out.push(Diagnostic::error(
            "sentinel-schedule",
            "with a queryPeriod of 2 days or more, queryFrequency must be at least 1 hour",
            timespan_span,
        ));
    }
    if !(0..=MAX_THRESHOLD).contains(&rule.threshold) {
        out.push(Diagnostic::error(
            "sentinel-threshold",
            format!("triggerThreshold {} is outside 0..{MAX_THRESHOLD}", rule.threshold),
            None,
        ));
    }
    entity_checks(rule, columns, out);
    technique_checks(rule, format, source, out);
}

fn entity_checks(rule: &DeployableRule, columns: Option<&[String]>, out: &mut Vec<Diagnostic>) {
    if rule.entities.is_empty() {
        out.push(Diagnostic::warning(
            "sentinel-no-entities",
            match columns {
                Some(_) => "the query returns no column that maps to a host, account, process, IP, file, URL or registry key: the alert has no entities",
                None => "the query's columns are not known here, so no entity is mapped",
            },
            None,
        ));
        return;
    }
    if rule.entities.len() > MAX_ENTITY_MAPPINGS {
        out.push(Diagnostic::error(
            "sentinel-entities",
            format!("{} entity mappings; Sentinel takes 1 to {MAX_ENTITY_MAPPINGS}", rule.entities.len()),
            None,
        ));
    }
    for e in &rule.entities {
        let valid = entities::identifier_rules(e.entity_type).is_some_and(|(allowed, required)| {
            allowed.contains(&e.identifier) && required.contains(&&[e.identifier][..])
        });
        if !valid {
            out.push(Diagnostic::error(
                "sentinel-entities",
                format!("{} cannot be identified by {} alone", e.entity_type, e.identifier),
                None,
            ));
        }
        if !entities::valid_column_name(&e.column) {
            out.push(Diagnostic::error(
                "sentinel-entities",
                format!("column name '{}' is not a plain identifier", e.column),
                None,
            ));
        }
        if columns.is_some_and(|cols| !cols.contains(&e.column)) {
            out.push(Diagnostic::error(
                "sentinel-entities",
                format!("the {} entity reads column '{}', which the query does not return", e.entity_type, e.column),
                None,
            ));
        }
    }
}

/// Azure-Sentinel's validator: every tactic it lists for a technique must be
/// among the rule's tactics. Its table is older than ATT&CK; a technique it
/// does not know is refused by it too.
fn technique_checks(rule: &DeployableRule, format: Format, source: &Rule, out: &mut Vec<Diagnostic>) {
    // The repository's validator refuses the YAML; the API takes the ARM template.
    let refused: fn(&str, String, Option<Span>) -> Diagnostic =
        if format == Format::SentinelYaml { Diagnostic::error } else { Diagnostic::warning };
    for technique in &rule.techniques {
        let span = source
            .tags
            .iter()
            .find(|t| t.value.trim().eq_ignore_ascii_case(&format!("attack.{technique}")))
            .map(|t| t.span);
        let needed = mitre::validator_tactics(technique);
        if needed.is_empty() {
            out.push(refused(
                "sentinel-technique-unknown",
                format!(
                    "{technique} is not in Azure-Sentinel's technique table (an older ATT&CK): its template validator would refuse it; Sentinel itself accepts it"
                ),
                span,
            ));
            continue;
        }
        let missing: Vec<&str> = needed.iter().filter(|t| !rule.tactics.contains(t)).copied().collect();
        if missing.is_empty() {
            continue;
        }
        let message = format!("{technique} needs the tactic(s) {} among the rule's tags", missing.join(", "));
        out.push(refused("sentinel-technique-tactic", message, span));
    }
}

fn defender(rule: &DeployableRule, columns: Option<&[String]>, source: &Rule, out: &mut Vec<Diagnostic>) {
    let timespan_span = source.correlation.as_ref().and_then(|c| c.timespan.as_ref()).map(|t| t.span);
    if !DEFENDER_PERIODS.contains(&rule.defender_period.as_str()) {
        out.push(Diagnostic::error(
            "defender-period",
            format!(
                "Defender runs custom detections every 0 (continuous), 1H, 3H, 12H or 24H, not {}",
                rule.defender_period
            ),
            timespan_span,
        ));
    }
    if rule.defender_period == "0" && source.correlation.is_some() {
        out.push(Diagnostic::error(
            "defender-period",
            "a continuous (near-real-time) rule sees each event once, so it cannot count or correlate events",
            timespan_span,
        ));
    }
    match columns {
        Some(cols) => {
            let missing: Vec<&str> =
                DEFENDER_REQUIRED.iter().filter(|c| !cols.iter().any(|h| h == *c)).copied().collect();
            if !missing.is_empty() {
                out.push(Diagnostic::error(
                    "defender-required-column",
                    format!(
                        "a custom detection's query must return {}; this one does not return {} ({})",
                        DEFENDER_REQUIRED.join(" and "),
                        missing.join(", "),
                        match &rule.table {
                            Some(t) if source.correlation.is_some() =>
                                format!("a correlation over {t} returns its group-by fields"),
                            Some(t) => format!("table {t} is not an advanced hunting table with these columns"),
                            None => "no table".to_string(),
                        }
                    ),
                    None,
                ));
            }
        }
        None => out.push(Diagnostic::error(
            "defender-required-column",
            format!(
                "the query's columns are not known here, so it cannot be shown to return {}",
                DEFENDER_REQUIRED.join(" and ")
            ),
            None,
        )),
    }
    if rule.assets.is_empty() {
        out.push(Diagnostic::error(
            "defender-no-impacted-asset",
            "the query returns no device (DeviceId, DeviceName) or user column, and a custom detection needs an impacted asset",
            None,
        ));
    }
}
