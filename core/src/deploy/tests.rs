//! Exports of real rules, held against the facts of Azure-Sentinel's template
//! validator, ARM's resource shape and Graph's `detectionRule` (docs/deploy.md),
//! written here again as independent checks of the produced documents.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::*;
use crate::api::{export_text, ExportReport};
use crate::pipeline;
use crate::sigma::compiled::Placeholders;

const TARGETS: [&str; 3] = ["sentinel_asim", "microsoft_xdr", "azure_monitor"];

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn localtonet() -> Option<String> {
    let path = shared()
        .join("corpus/sigmahq/rules/windows/network_connection/net_connection_win_domain_localtonet_tunnel.yml");
    match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(_) => {
            eprintln!("deploy tests: {} not found, skipped", path.display());
            None
        }
    }
}

/// Whether the embedded schema has the table LocaltoNet converts to on
/// `target`: azure_monitor's WindowsEvent comes only with the feature
/// `all-tables` (on by default, off in the web build); without its columns
/// no entity can be mapped, and the export says so (`sentinel-no-entities`).
fn schema_known(target: &str) -> bool {
    target != "azure_monitor" || crate::kusto::schema::table_columns("WindowsEvent").is_some()
}

fn export(text: &str, target: &str, format: Format, options: &ExportOptions) -> ExportReport {
    let pipeline = pipeline::builtin(target).expect("builtin pipeline");
    export_text(text, &pipeline, &Placeholders::new(), format, options)
}

/// Azure-Sentinel's `ScheduledTemplateTimeSpanConverter`: `<number><m|h|d>` (or a .NET TimeSpan, not written here).
fn template_duration(text: &str) -> Option<u64> {
    let unit = text.chars().last()?;
    let number: u64 = text.get(..text.len() - 1)?.parse().ok()?;
    Some(
        number
            * match unit {
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                _ => return None,
            },
    )
}

/// The facts of Azure-Sentinel's scheduled template validation, over the YAML read back as JSON.
fn template_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut fail = |m: String| problems.push(m);
    for key in [
        "id",
        "name",
        "description",
        "severity",
        "requiredDataConnectors",
        "queryFrequency",
        "queryPeriod",
        "triggerOperator",
        "triggerThreshold",
        "query",
        "kind",
    ] {
        if doc.get(key).is_none() {
            fail(format!("missing {key}"));
        }
    }
    let s = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    if !guid::is_guid(&s("id")) {
        fail(format!("id {} is not a GUID", s("id")));
    }
    if s("kind") != "Scheduled" {
        fail("kind".into());
    }
    if s("name").chars().count() > 256 || s("name").is_empty() {
        fail("name length".into());
    }
    if s("description").chars().count() > 5000 {
        fail("description length".into());
    }
    if !["Informational", "Low", "Medium", "High"].contains(&s("severity").as_str()) {
        fail(format!("severity {}", s("severity")));
    }
    let q = s("query").chars().count();
    if !(1..=10_000).contains(&q) {
        fail(format!("query length {q}"));
    }
    if !["GreaterThan", "LessThan", "Equal", "NotEqual", "gt", "lt", "eq", "ne"]
        .contains(&s("triggerOperator").as_str())
    {
        fail("triggerOperator".into());
    }
    match doc.get("triggerThreshold").and_then(Value::as_i64) {
        Some(t) if (0..=10_000).contains(&t) => {}
        other => fail(format!("triggerThreshold {other:?}")),
    }
    let frequency = template_duration(&s("queryFrequency"));
    let period = template_duration(&s("queryPeriod"));
    for (k, v) in [("queryFrequency", frequency), ("queryPeriod", period)] {
        if !v.is_some_and(|v| (300..=14 * 86_400).contains(&v)) {
            fail(format!("{k} {v:?}"));
        }
    }
    if let (Some(f), Some(p)) = (frequency, period) {
        if p < f {
            fail("queryPeriod < queryFrequency".into());
        }
        if p >= 2 * 86_400 && f < 3600 {
            fail("long period with frequency under 1h".into());
        }
    }
    let tactics: Vec<&str> =
        doc.get("tactics").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    for t in &tactics {
        if !mitre::SENTINEL_TACTICS.contains(t) {
            fail(format!("tactic {t}"));
        }
    }
    for t in doc.get("relevantTechniques").and_then(Value::as_array).into_iter().flatten() {
        let t = t.as_str().unwrap_or_default();
        let needed = mitre::validator_tactics(t);
        if needed.is_empty() || !needed.iter().all(|n| tactics.contains(n)) {
            fail(format!("technique {t} without its tactics {needed:?}"));
        }
    }
    if let Some(mappings) = doc.get("entityMappings") {
        let mappings = mappings.as_array().cloned().unwrap_or_default();
        if !(1..=5).contains(&mappings.len()) {
            fail(format!("{} entity mappings", mappings.len()));
        }
        for m in &mappings {
            let entity_type = m.get("entityType").and_then(Value::as_str).unwrap_or_default();
            let fields = m.get("fieldMappings").and_then(Value::as_array).cloned().unwrap_or_default();
            if !(1..=3).contains(&fields.len()) {
                fail(format!("{entity_type}: {} field mappings", fields.len()));
            }
            let Some((allowed, required)) = entities::identifier_rules(entity_type) else {
                fail(format!("entity type {entity_type}"));
                continue;
            };
            let used: Vec<&str> = fields.iter().filter_map(|f| f.get("identifier").and_then(Value::as_str)).collect();
            for f in &fields {
                let id = f.get("identifier").and_then(Value::as_str).unwrap_or_default();
                let col = f.get("columnName").and_then(Value::as_str).unwrap_or_default();
                if !allowed.contains(&id) {
                    fail(format!("{entity_type} identifier {id}"));
                }
                if !entities::valid_column_name(col) {
                    fail(format!("column {col}"));
                }
            }
            if !required.iter().any(|set| set.iter().all(|r| used.contains(r))) {
                fail(format!("{entity_type} lacks a required identifier"));
            }
        }
    }
    let version = s("version");
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        fail(format!("version {version}"));
    }
    problems
}

fn yaml_as_json(text: &str) -> Value {
    let stream = crate::sigma::yaml::parse_stream(text);
    assert!(stream.diagnostics.is_empty(), "YAML does not read back: {:?}\n{text}", stream.diagnostics);
    stream.documents.first().map(|d| d.root.to_json()).unwrap_or(Value::Null)
}

fn entity_types(doc: &Value, key: &str) -> Vec<String> {
    doc.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("entityType").and_then(Value::as_str).map(str::to_string))
        .collect()
}

#[test]
fn deploy_localtonet_sentinel_yaml_passes_the_template_facts() {
    let Some(rule) = localtonet() else { return };
    for target in TARGETS {
        let report = export(&rule, target, Format::SentinelYaml, &ExportOptions::default());
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(report.ok, "{target}: {errors:?}");
        let text = report.document.expect("document");
        let doc = yaml_as_json(&text);
        assert_eq!(template_problems(&doc), Vec::<String>::new(), "{target}:\n{text}");
        assert_eq!(doc["tactics"], serde_json::json!(["CommandAndControl"]));
        assert_eq!(doc["relevantTechniques"], serde_json::json!(["T1572", "T1090", "T1102"]));
        assert_eq!(doc["severity"], "High");
        let description = doc["description"].as_str().unwrap_or_default();
        assert!(description.contains("3ab65069-d82a-4d44-a759-466661a082d1"));
        assert!(description.contains("Legitimate use of the LocaltoNet service."));
        assert!(description.contains("https://localtonet.com/documents/supported-tunnels"));
        // The same rule gets the same id.
        let again = export(&rule, target, Format::SentinelYaml, &ExportOptions::default());
        assert_eq!(again.guid, report.guid);
        let types = entity_types(&doc, "entityMappings");
        if schema_known(target) {
            assert!(types.contains(&"Host".to_string()), "{target}: {types:?}");
        }
        // The sentinel_asim table (imNetworkSession) has an IP; Defender's has both; WindowsEvent neither.
        if target != "azure_monitor" {
            assert!(types.iter().any(|t| t == "Process" || t == "IP"), "{target}: {types:?}");
        }
    }
}

/// The shape of an ARM template with one `Microsoft.SecurityInsights/alertRules`
/// resource (kind `Scheduled`), as ARM's template schema and the resource's API reference give it.
fn arm_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_string());
        }
    };
    need(doc["$schema"].as_str().is_some_and(|s| s.ends_with("/deploymentTemplate.json#")), "$schema");
    need(doc["contentVersion"] == "1.0.0.0", "contentVersion");
    need(doc["parameters"]["workspace"]["type"] == "string", "parameters.workspace");
    let resources = doc["resources"].as_array().map_or(&[][..], Vec::as_slice);
    need(resources.len() == 1, "one resource");
    let r = resources.first().unwrap_or(&Value::Null);
    need(r["type"] == "Microsoft.SecurityInsights/alertRules", "type");
    need(r["kind"] == "Scheduled", "kind");
    need(guid::is_guid(r["name"].as_str().unwrap_or_default()), "name is a GUID");
    need(r["apiVersion"].as_str().is_some_and(|v| v.len() == 10 && v.as_bytes()[4] == b'-'), "apiVersion");
    need(r["scope"].as_str().is_some_and(|s| s.contains("parameters('workspace')")), "scope");
    let p = &r["properties"];
    for key in ["displayName", "query", "queryFrequency", "queryPeriod", "suppressionDuration", "severity"] {
        need(p[key].as_str().is_some_and(|v| !v.is_empty()), key);
    }
    for key in ["enabled", "suppressionEnabled"] {
        need(p[key].is_boolean(), key);
    }
    need(p["triggerThreshold"].as_i64().is_some_and(|t| (0..=10_000).contains(&t)), "triggerThreshold");
    need(
        ["GreaterThan", "LessThan", "Equal", "NotEqual"].contains(&p["triggerOperator"].as_str().unwrap_or_default()),
        "triggerOperator",
    );
    for key in ["queryFrequency", "queryPeriod", "suppressionDuration"] {
        need(p[key].as_str().is_some_and(|d| d.starts_with('P')), key);
    }
    need(["Informational", "Low", "Medium", "High"].contains(&p["severity"].as_str().unwrap_or_default()), "severity");
    let strings = |key: &str| p[key].as_array().map(|a| a.iter().all(Value::is_string));
    need(strings("tactics") == Some(true), "tactics");
    for t in p["tactics"].as_array().into_iter().flatten() {
        need(mitre::SENTINEL_TACTICS.contains(&t.as_str().unwrap_or_default()), "tactic name");
    }
    need(strings("techniques") == Some(true), "techniques");
    for t in p["techniques"].as_array().into_iter().flatten() {
        let t = t.as_str().unwrap_or_default();
        need(t.len() == 5 && t.starts_with('T') && t[1..].bytes().all(|b| b.is_ascii_digit()), "technique T####");
    }
    problems
}

/// The Graph `detectionRule` create body: the properties and types of the
/// resource (`detectionRule`, `queryCondition`, `ruleSchedule`, `detectionAction`,
/// `alertTemplate`, `impactedDeviceAsset`/`impactedUserAsset`).
fn detection_rule_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_string());
        }
    };
    need(doc["displayName"].as_str().is_some_and(|s| !s.is_empty()), "displayName");
    need(doc["isEnabled"].is_boolean(), "isEnabled");
    need(doc["queryCondition"]["queryText"].as_str().is_some_and(|s| !s.is_empty()), "queryCondition.queryText");
    need(
        ["0", "1H", "3H", "12H", "24H"].contains(&doc["schedule"]["period"].as_str().unwrap_or_default()),
        "schedule.period",
    );
    let action = &doc["detectionAction"];
    need(action["responseActions"].is_array(), "detectionAction.responseActions");
    let alert = &action["alertTemplate"];
    need(alert["title"].as_str().is_some_and(|s| !s.is_empty()), "alertTemplate.title");
    need(alert["description"].is_string(), "alertTemplate.description");
    need(
        ["informational", "low", "medium", "high"].contains(&alert["severity"].as_str().unwrap_or_default()),
        "severity",
    );
    need(alert["category"].as_str().is_some_and(|s| !s.is_empty()), "category");
    need(alert["mitreTechniques"].as_array().is_some_and(|a| a.iter().all(Value::is_string)), "mitreTechniques");
    let assets = alert["impactedAssets"].as_array().map_or(&[][..], Vec::as_slice);
    need(!assets.is_empty(), "impactedAssets");
    for a in assets {
        let known = match a["@odata.type"].as_str().unwrap_or_default() {
            "#microsoft.graph.security.impactedDeviceAsset" => {
                ["deviceId", "deviceName", "remoteDeviceName", "targetDeviceName", "destinationDeviceName"].as_slice()
            }
            "#microsoft.graph.security.impactedUserAsset" => [
                "accountObjectId",
                "accountSid",
                "accountUpn",
                "accountName",
                "accountDomain",
                "accountId",
                "initiatingProcessAccountUpn",
            ]
            .as_slice(),
            _ => &[],
        };
        need(known.contains(&a["identifier"].as_str().unwrap_or_default()), "impacted asset type and identifier");
    }
    problems
}

#[test]
fn deploy_localtonet_arm_template_has_the_resource_shape() {
    let Some(rule) = localtonet() else { return };
    for target in TARGETS {
        let report = export(&rule, target, Format::SentinelArm, &ExportOptions::default());
        assert!(report.ok, "{target}: {:?}", report.diagnostics);
        let doc: Value = serde_json::from_str(&report.document.expect("document")).expect("valid JSON");
        assert_eq!(arm_problems(&doc), Vec::<String>::new(), "{target}");
        let p = &doc["resources"][0]["properties"];
        assert_eq!(p["queryFrequency"], "PT1H");
        assert_eq!(p["triggerOperator"], "GreaterThan");
        assert_eq!(p["tactics"], serde_json::json!(["CommandAndControl"]));
        assert_eq!(p["techniques"], serde_json::json!(["T1572", "T1090", "T1102"]));
        let types = entity_types(p, "entityMappings");
        if schema_known(target) {
            assert!(types.contains(&"Host".to_string()), "{target}");
        }
        if target != "azure_monitor" {
            assert!(types.iter().any(|t| t == "Process" || t == "IP"), "{target}: {types:?}");
        }
    }
}

#[test]
fn deploy_localtonet_defender_json_is_a_detection_rule() {
    let Some(rule) = localtonet() else { return };
    let report = export(&rule, "microsoft_xdr", Format::DefenderJson, &ExportOptions::default());
    assert!(report.ok, "{:?}", report.diagnostics);
    let doc: Value = serde_json::from_str(&report.document.expect("document")).expect("valid JSON");
    assert_eq!(detection_rule_problems(&doc), Vec::<String>::new());
    assert_eq!(doc["displayName"], "Communication To LocaltoNet Tunneling Service Initiated");
    assert_eq!(doc["isEnabled"], true);
    assert_eq!(doc["schedule"]["period"], "1H");
    let alert = &doc["detectionAction"]["alertTemplate"];
    assert_eq!(alert["severity"], "high");
    assert_eq!(alert["category"], "CommandAndControl");
    assert_eq!(alert["mitreTechniques"], serde_json::json!(["T1572", "T1090", "T1102"]));
    let assets = alert["impactedAssets"].as_array().expect("impactedAssets");
    assert!(assets
        .iter()
        .any(|a| a["@odata.type"] == "#microsoft.graph.security.impactedDeviceAsset" && a["identifier"] == "deviceId"));
    let query = doc["queryCondition"]["queryText"].as_str().expect("queryText");
    let facts = query::inspect(query, None);
    assert!(facts.diagnostics.is_empty(), "{:?}", facts.diagnostics);
    let columns = facts.output_columns.expect("columns");
    for c in ["Timestamp", "DeviceId", "ReportId"] {
        assert!(columns.iter().any(|have| have == c), "{c} not in {columns:?}");
    }
    // Every asset's column is returned (its identifier in Pascal case).
    for a in assets {
        let id = a["identifier"].as_str().unwrap_or_default();
        let column: String = id.chars().take(1).flat_map(char::to_uppercase).chain(id.chars().skip(1)).collect();
        assert!(columns.contains(&column), "{column}");
    }
    // A table without Defender's columns is refused with a reason.
    let asim = export(&rule, "sentinel_asim", Format::DefenderJson, &ExportOptions::default());
    assert!(!asim.ok);
    assert!(asim.diagnostics.iter().any(|d| d.code == "defender-required-column"));
}

#[test]
fn deploy_options_and_limits_are_checked() {
    let Some(rule) = localtonet() else { return };
    let options = ExportOptions { frequency: Some(7200), period: Some(3600), threshold: Some(20_000), share_url: None };
    let report = export(&rule, "microsoft_xdr", Format::SentinelYaml, &options);
    assert!(!report.ok);
    let codes: Vec<&str> = report.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"sentinel-schedule"), "{codes:?}");
    assert!(codes.contains(&"sentinel-threshold"), "{codes:?}");
    let short = ExportOptions { frequency: Some(60), ..ExportOptions::default() };
    let report = export(&rule, "microsoft_xdr", Format::SentinelArm, &short);
    assert!(report.diagnostics.iter().any(|d| d.code == "sentinel-schedule" && d.is_error()));
    let odd = ExportOptions { frequency: Some(2 * 3600), ..ExportOptions::default() };
    let report = export(&rule, "microsoft_xdr", Format::DefenderJson, &odd);
    assert!(report.diagnostics.iter().any(|d| d.code == "defender-period" && d.is_error()));
    let url = ExportOptions { share_url: Some("https://example.org/#r=abc".into()), ..ExportOptions::default() };
    let report = export(&rule, "microsoft_xdr", Format::SentinelYaml, &url);
    assert!(report.document.unwrap_or_default().contains("https://example.org/#r=abc"));
}

#[test]
fn deploy_technique_without_its_tactic_is_named() {
    let rule = "title: t\nid: 11111111-2222-3333-4444-555555555555\nlevel: critical\ntags:\n    - attack.execution\n    - attack.t1078\n    - attack.g0016\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        Image|endswith: '\\whoami.exe'\n    condition: selection\n";
    let report = export(rule, "microsoft_xdr", Format::SentinelYaml, &ExportOptions::default());
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"sentinel-technique-tactic"), "{codes:?}");
    assert!(codes.contains(&"export-unmapped-tags"), "{codes:?}");
    assert!(codes.contains(&"export-severity"), "{codes:?}");
    assert!(!report.ok);
    let tag = report.diagnostics.iter().find(|d| d.code == "sentinel-technique-tactic").expect("diagnostic");
    assert_eq!(tag.line, 6, "points at the tag");
    // ARM: the API accepts it, so only a warning.
    let arm = export(rule, "microsoft_xdr", Format::SentinelArm, &ExportOptions::default());
    assert!(arm.ok, "{:?}", arm.diagnostics);
}

#[test]
fn deploy_long_descriptions_are_shortened_to_fit() {
    let long = "x".repeat(6000);
    let rule = format!("title: t\ndescription: {long}\nreferences:\n    - https://example.org/a\nfalsepositives:\n    - admins\nlevel: low\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        Image|endswith: '\\whoami.exe'\n    condition: selection\n");
    let report = export(&rule, "microsoft_xdr", Format::SentinelYaml, &ExportOptions::default());
    assert!(report.ok, "{:?}", report.diagnostics);
    let shortened = report.diagnostics.iter().find(|d| d.code == "export-description-shortened").expect("note");
    assert!(shortened.message.contains("References") && shortened.message.contains("False positives"));
    let doc = yaml_as_json(&report.document.expect("document"));
    let description = doc["description"].as_str().unwrap_or_default();
    assert!(description.chars().count() <= 5000);
    assert!(description.contains("converted with the microsoft_xdr pipeline"));
}

#[test]
fn deploy_never_panics_on_odd_input() {
    for text in [
        "",
        "title: [",
        "\u{feff}title: x",
        "title: t\ncorrelation:\n    type: event_count\n    rules: []\n    timespan: 99999d\n",
    ] {
        for target in TARGETS {
            for format in Format::ALL {
                let report = export(
                    text,
                    target,
                    format,
                    &ExportOptions {
                        frequency: Some(u64::MAX),
                        period: Some(0),
                        threshold: Some(i64::MIN),
                        share_url: Some(String::new()),
                    },
                );
                assert!(!report.ok);
            }
        }
    }
}

const CORRELATION: &str = "title: failed logon\nname: failed_logon\nlogsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID: 4625\n    condition: selection\n---\ntitle: many failed\nid: 0e95725d-7320-415d-80f7-004da920fc11\nlevel: medium\ntags:\n    - attack.credential-access\n    - attack.t1110\ncorrelation:\n    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - Computer\n    timespan: 2d\n    condition:\n        gte: 10\n";

#[test]
fn deploy_correlation_exports_with_its_window() {
    let report = export(CORRELATION, "azure_monitor", Format::SentinelYaml, &ExportOptions::default());
    assert!(report.ok, "{:?}", report.diagnostics);
    assert_eq!(report.title.as_deref(), Some("many failed"));
    let doc = yaml_as_json(&report.document.expect("document"));
    // Runs every hour read the 2-day bin and the hour since the last run.
    assert_eq!(doc["queryPeriod"], "49h");
    assert_eq!(doc["queryFrequency"], "1h");
    let short = export(
        &CORRELATION.replace("timespan: 2d", "timespan: 30m"),
        "azure_monitor",
        Format::SentinelYaml,
        &ExportOptions::default(),
    );
    let doc = yaml_as_json(&short.document.expect("document"));
    assert_eq!((doc["queryFrequency"].as_str(), doc["queryPeriod"].as_str()), (Some("30m"), Some("1h")));
    assert_eq!(doc["requiredDataConnectors"][0]["connectorId"], "SecurityEvents", "the table of the rule it counts");
    assert_eq!(template_problems(&doc), Vec::<String>::new());
    assert!(doc["query"].as_str().is_some_and(|q| q.contains("summarize")));
    assert_eq!(entity_types(&doc, "entityMappings"), vec!["Host".to_string()]);
    let defender = export(CORRELATION, "microsoft_xdr", Format::DefenderJson, &ExportOptions::default());
    let doc: Value = serde_json::from_str(&defender.document.expect("document")).expect("JSON");
    assert_eq!(doc["schedule"]["period"], "24H");
    let codes: Vec<&str> = defender.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"defender-period"), "2d is longer than Defender's longest period: {codes:?}");
    // Its query is left as it is: no projection of table columns the correlation's result does not have.
    let query = doc["queryCondition"]["queryText"].as_str().unwrap_or_default();
    assert!(query.ends_with("| where sigma_events >= 10"), "{query}");
    assert!(codes.contains(&"defender-required-column"), "{codes:?}");
}

/// The query a document carries, read back from the document.
fn document_query(format: Format, doc: &str) -> Option<String> {
    let value = match format {
        Format::SentinelYaml => yaml_as_json(doc),
        _ => serde_json::from_str::<Value>(doc).ok()?,
    };
    let query = match format {
        Format::SentinelYaml => &value["query"],
        Format::SentinelArm => &value["resources"][0]["properties"]["query"],
        Format::DefenderJson => &value["queryCondition"]["queryText"],
    };
    query.as_str().map(str::to_string)
}

/// One export of a corpus rule (a file whose rules convert with the target).
struct CorpusExport {
    file: String,
    target: &'static str,
    format: Format,
    ok: bool,
    error_codes: Vec<String>,
    document: String,
}

/// Every rule file of the SigmaHQ corpus's `rules/`, exported per target and
/// format, once for all the tests that read them (empty without the corpus).
fn corpus_exports() -> &'static [CorpusExport] {
    static EXPORTS: std::sync::OnceLock<Vec<CorpusExport>> = std::sync::OnceLock::new();
    EXPORTS.get_or_init(|| {
        let root = shared().join("corpus/sigmahq/rules");
        let mut files = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            let Ok(rd) = std::fs::read_dir(&dir) else { continue };
            for e in rd.filter_map(Result::ok) {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "yml") {
                    files.push(p);
                }
            }
        }
        files.sort();
        eprintln!("deploy corpus: {} files under {}", files.len(), root.display());
        let texts: Vec<(String, String)> = files
            .iter()
            .filter_map(|f| {
                let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
                std::fs::read_to_string(f).ok().map(|t| (name, t))
            })
            .collect();
        let mut exports = Vec::new();
        for target in TARGETS {
            let pipeline = pipeline::builtin(target).expect("builtin");
            for format in Format::ALL {
                for (file, text) in &texts {
                    let report = export_text(text, &pipeline, &Placeholders::new(), format, &ExportOptions::default());
                    let Some(document) = report.document else { continue }; // does not convert with this target
                    exports.push(CorpusExport {
                        file: file.clone(),
                        target,
                        format,
                        ok: report.ok,
                        error_codes: report
                            .diagnostics
                            .iter()
                            .filter(|d| d.is_error())
                            .map(|d| d.code.clone())
                            .collect(),
                        document,
                    });
                }
            }
        }
        exports
    })
}

/// Runs kql-check once over JSON lines `{id, query}`; `None` (said on stderr)
/// when the tool is missing or cannot run.
fn kql_check(lines: &[String]) -> Option<Vec<Value>> {
    let tool = shared().join("tools/kql-check/kql-check");
    if !tool.exists() {
        eprintln!("deploy: {} not found, skipped", tool.display());
        return None;
    }
    let path = std::env::temp_dir().join(format!("sigmaplay-deploy-{}-{}.jsonl", std::process::id(), lines.len()));
    std::fs::write(&path, lines.join("\n") + "\n").expect("temp file");
    let out = std::process::Command::new(&tool).args(["--format", "json"]).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let Ok(out) = out else {
        eprintln!("deploy: cannot run kql-check, skipped");
        return None;
    };
    if !matches!(out.status.code(), Some(0 | 1)) {
        eprintln!("deploy: kql-check did not run: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let results: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(results.len(), lines.len(), "one kql-check result per query");
    Some(results)
}

fn kql_line(id: &str, query: &str) -> String {
    serde_json::json!({ "id": id, "query": query }).to_string()
}

/// The columns a Defender custom detection's results must have: Timestamp and
/// ReportId, and DeviceId where the table has it (the three on
/// Defender's `Device*` tables; an identity or cloud-app table has none).
fn defender_probe_columns(query: &str) -> Vec<&'static str> {
    let table = query.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or_default();
    let has_device_id =
        crate::kusto::schema::table_columns(table).is_some_and(|cols| cols.iter().any(|(c, _)| *c == "DeviceId"));
    let mut columns = DEFENDER_REQUIRED.to_vec();
    if has_device_id {
        columns.insert(1, "DeviceId");
    }
    columns
}

/// Every query a corpus export carries (Defender's where it passes
/// pre-flight), read back from its document, through Microsoft's parser
/// (kql-check, Kusto.Language) in one run: 0 errors. A
/// Defender detection's query goes with `| project` of the columns it must
/// return appended: Kusto.Language resolves the query's result columns and
/// names any that is missing (KS142), which is how the result columns are
/// checked (kql-check does not list them). A control line projecting a column
/// no query returns must fail, proving the probe can. The LocaltoNet exports and
/// a correlation (the corpus has none) go in the same run.
#[test]
fn deploy_queries_pass_kql_check() {
    let exports = corpus_exports();
    // Defender documents of tables that are not Defender's fail pre-flight by design: not deployed, not checked.
    let deployable = |format: Format, ok: bool| format != Format::DefenderJson || ok;
    let mut documents: Vec<(String, Format, String, bool)> = exports
        .iter()
        .filter(|e| deployable(e.format, e.ok))
        .map(|e| (format!("{}/{}/{}", e.target, e.format.name(), e.file), e.format, e.document.clone(), e.ok))
        .collect();
    let mut samples = Vec::new();
    if let Some(rule) = localtonet() {
        samples.push(("localtonet", rule));
    }
    samples.push(("correlation", CORRELATION.to_string()));
    for (name, text) in &samples {
        for target in TARGETS {
            for format in Format::ALL {
                let report = export(text, target, format, &ExportOptions::default());
                if let Some(doc) = report.document.filter(|_| deployable(format, report.ok)) {
                    documents.push((format!("{target}/{}/{name}", format.name()), format, doc, report.ok));
                }
            }
        }
    }
    // Documents of one target and format share most queries with the others (YAML and ARM carry
    // the same one): each distinct query is checked once.
    let mut seen = std::collections::HashSet::new();
    let mut lines = Vec::new();
    let (mut defender_probes, mut with_device_id) = (0, 0);
    let mut control = None;
    for (id, format, doc, ok) in &documents {
        let query = document_query(*format, doc).unwrap_or_else(|| panic!("{id}: no query in the document"));
        let checked = if *format == Format::DefenderJson && *ok {
            let columns = defender_probe_columns(&query);
            defender_probes += 1;
            with_device_id += usize::from(columns.contains(&"DeviceId"));
            if control.is_none() {
                control = Some(kql_line("control", &format!("{query}\n| project NoSuchColumnInAnyTable")));
            }
            format!("{query}\n| project {}", columns.join(", "))
        } else {
            query
        };
        if seen.insert(checked.clone()) {
            lines.push(kql_line(id, &checked));
        }
    }
    let control = control.expect("a Defender export passes (LocaltoNet on microsoft_xdr)");
    lines.push(control);
    let started = std::time::Instant::now();
    let Some(results) = kql_check(&lines) else { return };
    eprintln!("deploy: kql-check took {:.0} s", started.elapsed().as_secs_f64());
    let (control, results) = results.split_last().expect("results");
    assert!(
        control["diagnostics"].as_array().into_iter().flatten().any(|d| d["code"] == "KS142"),
        "the column probe cannot fail: {control}"
    );
    let failing: Vec<&Value> = results.iter().filter(|r| r["errors"].as_u64().unwrap_or(0) > 0).collect();
    eprintln!(
        "deploy: {} exported documents, {} distinct queries through kql-check ({} Defender detections probed for their result columns, {} with DeviceId): {} with errors",
        documents.len(),
        results.len(),
        defender_probes,
        with_device_id,
        failing.len()
    );
    assert!(failing.is_empty(), "{:#?}", &failing[..failing.len().min(10)]);
}

/// The SigmaHQ corpus, per target and format: how many rules export, and
/// the pre-flight errors by code. Every failed export must say why, and every
/// export that passes holds to the facts of its format (the template
/// validator's, ARM's resource shape, Graph's detectionRule).
#[test]
fn deploy_corpus_export_counts() {
    let exports = corpus_exports();
    if exports.is_empty() {
        eprintln!("deploy: no corpus, skipped");
        return;
    }
    for target in TARGETS {
        for format in Format::ALL {
            let (mut converted, mut ok) = (0usize, 0usize);
            let mut by_code: std::collections::BTreeMap<&str, usize> = Default::default();
            for e in exports.iter().filter(|e| e.target == target && e.format == format) {
                converted += 1;
                if e.ok {
                    ok += 1;
                    let problems = match format {
                        Format::SentinelYaml => template_problems(&yaml_as_json(&e.document)),
                        Format::SentinelArm => arm_problems(&serde_json::from_str(&e.document).unwrap_or(Value::Null)),
                        Format::DefenderJson => {
                            detection_rule_problems(&serde_json::from_str(&e.document).unwrap_or(Value::Null))
                        }
                    };
                    assert_eq!(problems, Vec::<String>::new(), "{target} {} {}", format.name(), e.file);
                    continue;
                }
                assert!(!e.error_codes.is_empty(), "{}: an export failed without an error diagnostic", e.file);
                for code in &e.error_codes {
                    *by_code.entry(code).or_default() += 1;
                }
            }
            eprintln!(
                "deploy corpus [{target} {}]: {converted} converted, {ok} pass pre-flight, {} fail: {by_code:?}",
                format.name(),
                converted - ok,
            );
            // Defender's format needs its own tables (Timestamp, ReportId, DeviceId):
            // the other targets' exports fail, each with its reason.
            if format != Format::DefenderJson || target == "microsoft_xdr" {
                assert!(converted == 0 || ok > 0, "{target} {}: nothing exports", format.name());
            }
        }
    }
}
