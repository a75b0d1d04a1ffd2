//! The three documents, written from a checked [`DeployableRule`].
//!
//! JSON goes through `serde_json`. YAML is written by hand (the core has a
//! YAML reader, not a writer): every scalar that is not a plain word is a
//! double-quoted string with JSON's escapes, which YAML 1.2 reads the same,
//! and the query is a literal block as in Azure-Sentinel's own files.

use serde_json::{json, Value};

use super::preflight::{duration_text, iso_duration};
use super::DeployableRule;

/// Version of the exported rule (Azure-Sentinel: `X.Y.Z`).
const VERSION: &str = "1.0.0";

/// ARM API version of `Microsoft.SecurityInsights/alertRules` used (GA, has `techniques`).
const ARM_API_VERSION: &str = "2023-02-01";

/// A YAML double-quoted scalar (JSON's escapes are YAML's).
pub fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// Text (a query, a description) as a literal block under `key:` (`|-`: no
/// newline is added at its end, so lengths stay as checked) when YAML can hold it verbatim
/// (no carriage return or other control character, no line starting with a
/// space, which would need an indentation indicator); else a quoted string.
fn yaml_block(key: &str, query: &str) -> String {
    let block_safe = !query.is_empty()
        && !query.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        && !query.lines().any(|l| l.starts_with(' ') || l.starts_with('\t'))
        && !query.ends_with('\n');
    if !block_safe {
        return format!("{key}: {}\n", yaml_string(query));
    }
    let mut out = format!("{key}: |-\n");
    for line in query.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn yaml_list(key: &str, items: &[String]) -> String {
    if items.is_empty() {
        return format!("{key}: []\n");
    }
    let mut out = format!("{key}:\n");
    for item in items {
        out.push_str(&format!("  - {}\n", yaml_string(item)));
    }
    out
}

/// Azure-Sentinel repository YAML (keys in the order of its own rules).
pub fn sentinel_yaml(rule: &DeployableRule) -> String {
    let mut out = String::new();
    out.push_str(&format!("id: {}\n", rule.guid));
    out.push_str(&format!("name: {}\n", yaml_string(&rule.name)));
    out.push_str(&yaml_block("description", &rule.description));
    out.push_str(&format!("severity: {}\n", rule.severity.name()));
    if rule.connectors.is_empty() {
        out.push_str("requiredDataConnectors: []\n");
    } else {
        out.push_str("requiredDataConnectors:\n");
        for (connector, types) in &rule.connectors {
            out.push_str(&format!("  - connectorId: {connector}\n    dataTypes:\n"));
            for t in types {
                out.push_str(&format!("      - {}\n", yaml_string(t)));
            }
        }
    }
    out.push_str(&format!("queryFrequency: {}\n", duration_text(rule.frequency)));
    out.push_str(&format!("queryPeriod: {}\n", duration_text(rule.period)));
    out.push_str("triggerOperator: gt\n");
    out.push_str(&format!("triggerThreshold: {}\n", rule.threshold));
    let tactics: Vec<String> = rule.tactics.iter().map(|t| t.to_string()).collect();
    out.push_str(&yaml_list("tactics", &tactics));
    out.push_str(&yaml_list("relevantTechniques", &rule.techniques));
    out.push_str(&yaml_block("query", &rule.query));
    if !rule.entities.is_empty() {
        out.push_str("entityMappings:\n");
        for e in &rule.entities {
            out.push_str(&format!(
                "  - entityType: {}\n    fieldMappings:\n      - identifier: {}\n        columnName: {}\n",
                e.entity_type, e.identifier, e.column
            ));
        }
    }
    out.push_str(&format!("version: {VERSION}\n"));
    out.push_str("kind: Scheduled\n");
    out
}

fn entity_mappings_json(rule: &DeployableRule) -> Value {
    Value::Array(
        rule.entities
            .iter()
            .map(|e| {
                json!({
                    "entityType": e.entity_type,
                    "fieldMappings": [{ "identifier": e.identifier, "columnName": e.column }],
                })
            })
            .collect(),
    )
}

/// ARM's `techniques` take `T####` only: sub-techniques give their technique.
fn main_techniques(rule: &DeployableRule) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in &rule.techniques {
        let main = t.split('.').next().unwrap_or(t).to_string();
        if !out.contains(&main) {
            out.push(main);
        }
    }
    out
}

/// An ARM template deploying the rule into the workspace named by its
/// `workspace` parameter (an extension resource scoped to the workspace).
pub fn sentinel_arm(rule: &DeployableRule) -> String {
    let mut properties = json!({
        "displayName": rule.name,
        "description": rule.description,
        "severity": rule.severity.name(),
        "enabled": true,
        "query": rule.query,
        "queryFrequency": iso_duration(rule.frequency),
        "queryPeriod": iso_duration(rule.period),
        "triggerOperator": "GreaterThan",
        "triggerThreshold": rule.threshold,
        "suppressionDuration": "PT5H",
        "suppressionEnabled": false,
        "tactics": rule.tactics,
        "techniques": main_techniques(rule),
        "eventGroupingSettings": { "aggregationKind": "SingleAlert" },
    });
    if !rule.entities.is_empty() {
        if let Some(map) = properties.as_object_mut() {
            map.insert("entityMappings".to_string(), entity_mappings_json(rule));
        }
    }
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "workspace": {
                "type": "string",
                "metadata": { "description": "The Log Analytics workspace where Microsoft Sentinel runs" }
            }
        },
        "resources": [{
            "type": "Microsoft.SecurityInsights/alertRules",
            "apiVersion": ARM_API_VERSION,
            "name": rule.guid,
            "scope": "[concat('Microsoft.OperationalInsights/workspaces/', parameters('workspace'))]",
            "kind": "Scheduled",
            "properties": properties,
        }],
    });
    serde_json::to_string_pretty(&template).unwrap_or_default() + "\n"
}

/// The Graph `detectionRule` create body (POST /beta/security/rules/detectionRules).
pub fn defender_json(rule: &DeployableRule) -> String {
    let assets: Vec<Value> =
        rule.assets.iter().map(|a| json!({ "@odata.type": a.odata_type, "identifier": a.identifier })).collect();
    let body = json!({
        "displayName": rule.name,
        "isEnabled": true,
        "queryCondition": { "queryText": rule.query },
        "schedule": { "period": rule.defender_period },
        "detectionAction": {
            "alertTemplate": {
                "title": rule.name,
                "description": rule.description,
                "severity": rule.severity.name().to_ascii_lowercase(),
                "category": rule.category,
                "recommendedActions": null,
                "mitreTechniques": rule.techniques,
                "impactedAssets": assets,
            },
            "organizationalScope": null,
            "responseActions": [],
        },
    });
    serde_json::to_string_pretty(&body).unwrap_or_default() + "\n"
}
