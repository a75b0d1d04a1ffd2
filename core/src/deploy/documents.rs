//! The three documents, written from a checked [`DeployableRule`].
//!
//! Both are written directly. JSON: pretty-printed, strings escaped by
//! `serde_json`, the name and the query first. YAML (the core has a YAML reader,
//! not a writer): every scalar that is not a plain word is a double-quoted
//! string with JSON's escapes, which YAML 1.2 reads the same, and the query is
//! a literal block as in Azure-Sentinel's own files.

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

/// `key: value` on a line of its own (`value` already YAML).
fn yaml_field(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(": ");
    out.push_str(value);
    out.push('\n');
}

/// Text (a query, a description) as a literal block under `key:` (`|-`: no
/// newline is added at its end, so lengths stay as checked) when YAML can hold it verbatim
/// (no carriage return or other control character, no line starting with a
/// space, which would need an indentation indicator); else a quoted string.
fn yaml_block(out: &mut String, key: &str, text: &str) {
    let block_safe = !text.is_empty()
        && !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        && !text.lines().any(|l| l.starts_with(' ') || l.starts_with('\t'))
        && !text.ends_with('\n');
    if !block_safe {
        return yaml_field(out, key, &yaml_string(text));
    }
    yaml_field(out, key, "|-");
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// A list of strings under `key:`, each item indented by `indent`.
fn yaml_list<S: AsRef<str>>(out: &mut String, key: &str, items: &[S], indent: &str) {
    out.push_str(key);
    out.push_str(if items.is_empty() { ": []\n" } else { ":\n" });
    for item in items {
        out.push_str(indent);
        out.push_str("- ");
        out.push_str(&yaml_string(item.as_ref()));
        out.push('\n');
    }
}

/// Azure-Sentinel repository YAML (keys in the order of its own rules).
pub fn sentinel_yaml(rule: &DeployableRule) -> String {
    let mut out = String::new();
    yaml_field(&mut out, "id", &rule.guid);
    yaml_field(&mut out, "name", &yaml_string(&rule.name));
    yaml_block(&mut out, "description", &rule.description);
    yaml_field(&mut out, "severity", rule.severity.name());
    if rule.connectors.is_empty() {
        yaml_field(&mut out, "requiredDataConnectors", "[]");
    } else {
        out.push_str("requiredDataConnectors:\n");
        for (connector, types) in &rule.connectors {
            yaml_field(&mut out, "  - connectorId", connector);
            yaml_list(&mut out, "    dataTypes", types, "      ");
        }
    }
    yaml_field(&mut out, "queryFrequency", &duration_text(rule.frequency));
    yaml_field(&mut out, "queryPeriod", &duration_text(rule.period));
    yaml_field(&mut out, "triggerOperator", "gt");
    yaml_field(&mut out, "triggerThreshold", &rule.threshold.to_string());
    yaml_list(&mut out, "tactics", &rule.tactics, "  ");
    yaml_list(&mut out, "relevantTechniques", &rule.techniques, "  ");
    yaml_block(&mut out, "query", &rule.query);
    if !rule.entities.is_empty() {
        out.push_str("entityMappings:\n");
        for e in &rule.entities {
            yaml_field(&mut out, "  - entityType", e.entity_type);
            out.push_str("    fieldMappings:\n");
            yaml_field(&mut out, "      - identifier", e.identifier);
            yaml_field(&mut out, "        columnName", &e.column);
        }
    }
    yaml_field(&mut out, "version", VERSION);
    yaml_field(&mut out, "kind", "Scheduled");
    out
}

/// Pretty-printed JSON (two-space indent, as `serde_json`'s pretty printer),
/// written member by member: no `serde_json::Value` is built for it, which
/// kept the export's code large in the web build.
struct JsonWriter {
    out: String,
    depth: usize,
    /// No member yet in the array or object being written.
    empty: bool,
}

impl JsonWriter {
    fn new() -> Self {
        JsonWriter { out: String::new(), depth: 0, empty: true }
    }

    /// The next member of the array or object open: separator, new line, indentation.
    fn item(&mut self) -> &mut Self {
        if self.depth > 0 {
            if !self.empty {
                self.out.push(',');
            }
            self.newline();
        }
        self.empty = false;
        self
    }

    /// The next member of the object open, with its key (a known ASCII name).
    fn key(&mut self, key: &str) -> &mut Self {
        self.item();
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\": ");
        self
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn str(&mut self, text: &str) {
        self.out.push_str(&yaml_string(text));
    }

    /// A number, `true`, `false` or `null`.
    fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if !self.empty {
            self.newline();
        }
        self.out.push(bracket);
        self.empty = false;
    }

    /// An object of string members.
    fn object(&mut self, members: &[(&str, &str)]) {
        self.open('{');
        for (key, value) in members {
            self.key(key).str(value);
        }
        self.close('}');
    }

    fn strings<S: AsRef<str>>(&mut self, items: &[S]) {
        self.open('[');
        for item in items {
            self.item().str(item.as_ref());
        }
        self.close(']');
    }

    fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}

/// ARM's `techniques` take `T####` only: sub-techniques give their technique.
fn main_techniques(rule: &DeployableRule) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for t in &rule.techniques {
        let main = t.split('.').next().unwrap_or(t);
        if !out.contains(&main) {
            out.push(main);
        }
    }
    out
}

/// An ARM template deploying the rule into the workspace named by its
/// `workspace` parameter (an extension resource scoped to the workspace).
pub fn sentinel_arm(rule: &DeployableRule) -> String {
    let mut j = JsonWriter::new();
    j.open('{');
    j.key("$schema").str("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#");
    j.key("contentVersion").str("1.0.0.0");
    j.key("parameters").open('{');
    j.key("workspace").open('{');
    j.key("type").str("string");
    j.key("metadata").object(&[("description", "The Log Analytics workspace where Microsoft Sentinel runs")]);
    j.close('}');
    j.close('}');
    j.key("resources").open('[');
    j.item().open('{');
    j.key("type").str("Microsoft.SecurityInsights/alertRules");
    j.key("apiVersion").str(ARM_API_VERSION);
    j.key("name").str(&rule.guid);
    j.key("scope").str("[concat('Microsoft.OperationalInsights/workspaces/', parameters('workspace'))]");
    j.key("kind").str("Scheduled");
    j.key("properties").open('{');
    j.key("displayName").str(&rule.name);
    j.key("description").str(&rule.description);
    j.key("severity").str(rule.severity.name());
    j.key("enabled").raw("true");
    j.key("query").str(&rule.query);
    j.key("queryFrequency").str(&iso_duration(rule.frequency));
    j.key("queryPeriod").str(&iso_duration(rule.period));
    j.key("triggerOperator").str("GreaterThan");
    j.key("triggerThreshold").raw(&rule.threshold.to_string());
    j.key("suppressionDuration").str("PT5H");
    j.key("suppressionEnabled").raw("false");
    j.key("tactics").strings(&rule.tactics);
    j.key("techniques").strings(&main_techniques(rule));
    if !rule.entities.is_empty() {
        j.key("entityMappings").open('[');
        for e in &rule.entities {
            j.item().open('{');
            j.key("entityType").str(e.entity_type);
            j.key("fieldMappings").open('[');
            j.item().object(&[("identifier", e.identifier), ("columnName", &e.column)]);
            j.close(']');
            j.close('}');
        }
        j.close(']');
    }
    j.key("eventGroupingSettings").object(&[("aggregationKind", "SingleAlert")]);
    j.close('}');
    j.close('}');
    j.close(']');
    j.close('}');
    j.finish()
}

/// The Graph `detectionRule` create body (POST /beta/security/rules/detectionRules).
pub fn defender_json(rule: &DeployableRule) -> String {
    let mut j = JsonWriter::new();
    j.open('{');
    j.key("displayName").str(&rule.name);
    j.key("isEnabled").raw("true");
    j.key("queryCondition").object(&[("queryText", &rule.query)]);
    j.key("schedule").object(&[("period", &rule.defender_period)]);
    j.key("detectionAction").open('{');
    j.key("alertTemplate").open('{');
    j.key("title").str(&rule.name);
    j.key("description").str(&rule.description);
    j.key("severity").str(&rule.severity.name().to_ascii_lowercase());
    j.key("category").str(&rule.category);
    j.key("recommendedActions").raw("null");
    j.key("mitreTechniques").strings(&rule.techniques);
    j.key("impactedAssets").open('[');
    for a in &rule.assets {
        j.item().object(&[("@odata.type", a.odata_type), ("identifier", a.identifier)]);
    }
    j.close(']');
    j.close('}');
    j.key("organizationalScope").raw("null");
    j.key("responseActions").open('[');
    j.close(']');
    j.close('}');
    j.close('}');
    j.finish()
}
