//! Mapping an event onto the row the source that serves the rule would hold:
//! fields renamed and converted as the rule's items are, and the condition
//! that selects the source's rows set, so that the query can be run over it.

use serde_json::{Map, Value};

use super::select::{for_the_fields, no_table, resolve, source_for_table};
use super::{lookup, EventDataFields, FieldMap, RowFilter, Source};
use crate::base::diag::Diagnostic;
use crate::kusto::schema::{column_type, has_column, ColumnType};
use crate::pipeline::convert::{forward, typed, TargetRow, ValueConversion};
use crate::pipeline::TargetId;
use crate::sigma::rule::Rule;

/// An event's fields (Sigma names) into `out` as the target's columns; a note
/// lists the fields that have no column.
pub(crate) fn map_event_fields(
    target: TargetId,
    rule: &Rule,
    table: Option<String>,
    fields: &[(String, Value)],
    out: &mut Map<String, Value>,
    notes: &mut Vec<Diagnostic>,
) {
    let src = match &table {
        Some(t) => source_for_table(target, t, rule),
        None => resolve(target, rule).map(|(s, _)| for_the_fields(s, rule).0),
    };
    let Some(src) = src else {
        if table.is_none() {
            notes.push(no_table(target, rule));
        }
        for (name, value) in fields {
            let v = match &table {
                Some(t) => typed(value.clone(), column_type(t, name)),
                None => value.clone(),
            };
            out.entry(name.clone()).or_insert(v);
        }
        return;
    };
    let mut dropped: Vec<String> = Vec::new();
    let expanded = nested_fields(src, fields);
    let fields: &[(String, Value)] = &expanded;
    let mut row = TargetRow { table: src.table, fields, out };
    let mut deferred = Vec::new();
    for (name, value) in fields {
        match lookup(src, name) {
            Some(FieldMap::Convert(ValueConversion::Where { cond, values, then, otherwise, .. })) => {
                deferred.push((cond, values, then, otherwise, value.clone()));
            }
            Some(FieldMap::To(cols) | FieldMap::Approx(cols, _)) => {
                if let Some(c) = cols.first() {
                    row.set(c, value.clone());
                }
            }
            Some(FieldMap::Convert(conv)) => forward(&conv, value, &mut row),
            Some(FieldMap::Drop(_)) => {}
            Some(FieldMap::Missing(_)) => dropped.push(name.clone()),
            None if has_column(src.table, name) => row.set(name, value.clone()),
            None => match super::event_data_path(src, name) {
                Some(path) => row.set(&path, value.clone()),
                None => dropped.push(name.clone()),
            },
        }
    }
    match src.condition {
        RowFilter::None => {}
        RowFilter::OneOf(col, values) => {
            if let Some(v) = values.first() {
                row.set(col, Value::String((*v).to_string()));
            }
        }
        RowFilter::Equals(col, n) => row.set(col, Value::from(n)),
        RowFilter::WindowsEvent { channels, event_ids, event_types } => {
            if let Some(p) = channels.first() {
                row.set("Channel", Value::String((*p).to_string()));
            }
            if !row.out.contains_key("EventID") {
                if let Some(id) = event_ids.first() {
                    row.set("EventID", Value::from(*id));
                }
            }
            let has_type = row.out.get("EventData").and_then(|d| d.get("EventType")).is_some();
            if let (false, Some(t)) = (has_type, event_types.first()) {
                row.set("EventData.EventType", Value::String((*t).to_string()));
            }
        }
        RowFilter::EventLog { logs, event_ids } => {
            if let Some(xml) = row.out.get("EventData").and_then(classic_event_data_xml) {
                row.out.insert("EventData".to_string(), Value::String(xml));
            }
            if let Some(l) = logs.first() {
                row.set("EventLog", Value::String((*l).to_string()));
            }
            if !row.out.contains_key("EventID") {
                if let Some(id) = event_ids.first() {
                    row.set("EventID", Value::from(*id));
                }
            }
        }
        RowFilter::AuditdSyslog => {
            let record = auditd_record(row.out);
            row.out.insert("SyslogMessage".to_string(), Value::String(record));
        }
        RowFilter::CefDevice { vendor, product, name } => {
            // A row given as the table holds it keeps its own text.
            if let Some(extensions) = cef_extensions(row.out) {
                row.out.insert("AdditionalExtensions".to_string(), Value::String(extensions));
            }
            for (col, value) in [("DeviceVendor", vendor), ("DeviceProduct", product), ("Activity", name)] {
                if !row.out.contains_key(col) {
                    row.set(col, Value::String(value.to_string()));
                }
            }
        }
        RowFilter::SysmonSyslog { event_ids } => {
            let data = row.out.remove("SyslogMessage");
            let xml = sysmon_linux_xml(event_ids.first().copied().unwrap_or(1), data.as_ref());
            row.out.insert("SyslogMessage".to_string(), Value::String(xml));
        }
    }
    // SecurityEvent keeps the values without a column in its `EventData` XML text.
    if column_type(src.table, "EventData.Name") == ColumnType::EventXml {
        if let Some(Value::Object(data)) = row.out.get("EventData") {
            let xml = security_event_data_xml(data);
            row.out.insert("EventData".to_string(), Value::String(xml));
        }
    }
    // A field whose column depends on another column of the row: decided
    // once that column is set.
    for (cond, values, then, otherwise, value) in deferred {
        let holds =
            row.out.get(cond).and_then(Value::as_str).is_some_and(|v| values.iter().any(|x| x.eq_ignore_ascii_case(v)));
        row.set(if holds { then } else { otherwise }, value);
    }
    // A string column that holds JSON text keeps the nested values as text, as the table does.
    for (col, v) in row.out.iter_mut() {
        if v.is_object() && column_type(src.table, col) == ColumnType::String {
            *v = Value::String(v.to_string());
        }
    }
    if !dropped.is_empty() {
        notes.push(Diagnostic::info(
            "dropped-fields",
            format!("fields with no column in {}: {}", src.table, dropped.join(", ")),
            None,
        ));
    }
}

/// A record's nested objects (CloudTrail's `userIdentity`) as the dotted
/// fields the rules name (`userIdentity.type`), where the source maps fields
/// under that name and not the object itself; other fields stay as they are.
fn nested_fields(src: &Source, fields: &[(String, Value)]) -> Vec<(String, Value)> {
    // Deep enough for the records' paths (`userIdentity.sessionContext.sessionIssuer.type`).
    const MAX_DEPTH: usize = 6;
    let maps_under = |name: &str| {
        let prefix = format!("{name}.");
        let in_lists = src.fields.iter().flat_map(|f| f.iter()).any(|(n, _)| n.starts_with(&prefix));
        let nested = match src.event_data {
            EventDataFields::Nested(ps) => ps.iter().any(|(p, _)| *p == name || p.starts_with(&prefix)),
            _ => false,
        };
        in_lists || nested
    };
    fn flatten(name: String, value: &Value, depth: usize, out: &mut Vec<(String, Value)>) {
        match value {
            Value::Object(map) if depth > 0 => {
                for (k, v) in map {
                    flatten(format!("{name}.{k}"), v, depth - 1, out);
                }
            }
            other => out.push((name, other.clone())),
        }
    }
    let mut out = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        if value.is_object() && lookup(src, name).is_none() && !has_column(src.table, name) && maps_under(name) {
            flatten(name.clone(), value, MAX_DEPTH, &mut out);
        } else {
            out.push((name.clone(), value.clone()));
        }
    }
    out
}

/// The `Event` table's `EventData` for a classic event whose values a rule
/// names by position (`EventData.7`): one `<Data>` element per position up
/// to the last given, empty where the event gave none. `None` unless every
/// key is a position a classic event can have (so that an event's own
/// object, or a huge number, is left as it is).
fn classic_event_data_xml(data: &Value) -> Option<String> {
    const MAX_VALUES: usize = 64;
    let values = data.as_object()?;
    let positions: Option<Vec<usize>> =
        values.keys().map(|k| k.parse::<usize>().ok().filter(|n| (1..=MAX_VALUES).contains(n))).collect();
    let last = positions?.into_iter().max()?;
    let at = |k: usize| values.get(&k.to_string()).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    let mut x = String::from(crate::kusto::schema::EVENT_DATA_OPEN);
    for k in 1..=last {
        x.push_str("<Data>");
        x.push_str(&crate::kusto::schema::xml_escape(&at(k).unwrap_or_default()));
        x.push_str("</Data>");
    }
    x.push_str(crate::kusto::schema::EVENT_DATA_CLOSE);
    Some(x)
}

/// SecurityEvent's `EventData`: the event's `<EventData>` element, one
/// `<Data Name="...">` per value, its text escaped as XML (the shape
/// Microsoft's analytics read with `parse_xml(EventData).EventData.Data`).
fn security_event_data_xml(data: &Map<String, Value>) -> String {
    let mut out = String::from("<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">");
    for (name, v) in data {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        out.push_str(&format!("<Data Name=\"{name}\">{}</Data>", crate::kusto::schema::xml_escape(&text)));
    }
    out.push_str("</EventData>");
    out
}

/// An auditd record's text, as the audisp syslog plugin passes it on, from
/// the `SyslogMessage:<name>` values of the row (each already spelled as
/// the record writes it): `type=` first, then the timestamp, then the rest.
fn auditd_record(out: &mut Map<String, Value>) -> String {
    let keys: Vec<String> = out.keys().filter(|k| k.starts_with("SyslogMessage:")).cloned().collect();
    let mut kind = String::from("UNKNOWN");
    let mut rest = String::new();
    for k in keys {
        let Some(v) = out.remove(&k) else { continue };
        let text = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let name = k.trim_start_matches("SyslogMessage:");
        if name == "type" {
            kind = text;
        } else {
            rest.push_str(&format!(" {name}={text}"));
        }
    }
    format!("type={kind} {}1700000000.000:1):{rest}", super::AUDIT_RECORD_MARK)
}

/// CommonSecurityLog's `AdditionalExtensions` as the Azure Monitor agent
/// writes it, from the `AdditionalExtensions:<key>` values of the row:
/// `key=value` pairs joined by `;`; `None` when the row has none.
fn cef_extensions(out: &mut Map<String, Value>) -> Option<String> {
    let keys: Vec<String> = out.keys().filter(|k| k.starts_with("AdditionalExtensions:")).cloned().collect();
    let mut pairs = Vec::with_capacity(keys.len());
    for k in keys {
        let Some(v) = out.remove(&k) else { continue };
        let text = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        pairs.push(format!("{}={text}", k.trim_start_matches("AdditionalExtensions:")));
    }
    (!pairs.is_empty()).then(|| pairs.join(";"))
}

/// The XML text Sysmon for Linux writes to syslog for one event: its
/// provider and event id, and each named value as `<Data Name="...">`, with
/// the text escaped as XML requires.
fn sysmon_linux_xml(event_id: i64, data: Option<&Value>) -> String {
    let escape = crate::kusto::schema::xml_escape;
    let mut out = format!(
        "<Event><System><Provider Name=\"{}\"/><EventID>{event_id}</EventID></System><EventData>",
        super::SYSMON_LINUX_PROVIDER
    );
    if let Some(Value::Object(fields)) = data {
        for (name, v) in fields {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            out.push_str(&format!("<Data Name=\"{name}\">{}</Data>", escape(&text)));
        }
    }
    out.push_str("</EventData></Event>");
    out
}
