//! The event side of each conversion: an event's value becomes the values
//! of the target's columns, typed as the columns are, so that a query can be
//! run over the rows a target would hold for the event.

use serde_json::{Map, Number, Value};

use super::registry::{expand_hive, parse_dword};
use super::{ascii_upper, dns_code, parse_int, RegMode, ValueConversion};
use crate::kusto::schema::{column_type, ColumnType};
use crate::pipeline::insert_path;

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value as the column's type; values that do not convert are kept as they are.
pub(crate) fn typed(value: Value, ty: ColumnType) -> Value {
    match ty {
        ColumnType::String | ColumnType::Guid | ColumnType::Datetime | ColumnType::Timespan => match &value {
            Value::Number(_) | Value::Bool(_) => Value::String(text_of(&value).unwrap_or_default()),
            _ => value,
        },
        ColumnType::Int | ColumnType::Long => {
            let v = match &value {
                Value::String(s) => parse_int(s).map_or(value.clone(), |n| Value::Number(Number::from(n))),
                Value::Number(n) if n.as_i64().is_none() => n
                    .as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .map_or(value.clone(), |f| Value::Number(Number::from(f as i64))),
                _ => value,
            };
            if ty == ColumnType::Int {
                fit_int32(v)
            } else {
                v
            }
        }
        ColumnType::Real | ColumnType::Decimal => match &value {
            Value::String(s) => {
                crate::base::float::parse_f64(s.trim()).and_then(Number::from_f64).map_or(value.clone(), Value::Number)
            }
            _ => value,
        },
        ColumnType::Bool => match &value {
            Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => value,
        },
        ColumnType::Dynamic
        | ColumnType::JsonText
        | ColumnType::EventXml
        | ColumnType::AuditField
        | ColumnType::CefExtension
        | ColumnType::Unknown => value,
    }
}

/// Kusto's `int` is 32 bits. Windows writes status and error codes
/// (`0x80070020`) as unsigned text of a signed 32-bit value, which is what
/// the column holds; anything else out of range cannot be stored (null).
fn fit_int32(v: Value) -> Value {
    let Some(n) = v.as_i64() else { return v };
    if i32::try_from(n).is_ok() {
        return v;
    }
    match u32::try_from(n) {
        Ok(u) => Value::Number(Number::from(u as i32)),
        Err(_) => Value::Null,
    }
}

/// The row of a target table that an event is being mapped to: the columns
/// set so far, and everything a conversion may look at to set more (a value
/// may depend on another field of the event, e.g. the registry event type).
pub(crate) struct TargetRow<'a> {
    /// Gives each column its type.
    pub table: &'a str,
    /// The event's fields, named as the rule (and custom pipeline) name them.
    pub fields: &'a [(String, Value)],
    /// The columns set so far.
    pub out: &'a mut Map<String, Value>,
}

impl TargetRow<'_> {
    pub fn set(&mut self, col: &str, value: Value) {
        let v = typed(value, column_type(self.table, col));
        insert_path(self.out, col, v);
    }
    fn set_text(&mut self, col: &str, text: &str) {
        self.set(col, Value::String(text.to_string()));
    }
    fn field(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// One event field → target columns.
pub(crate) fn forward(conv: &ValueConversion, value: &Value, row: &mut TargetRow<'_>) {
    let text = text_of(value);
    match *conv {
        ValueConversion::RegPath { pairs, mode, hives } => {
            let Some(t) = text else { return };
            let path = expand_hive(&t, hives);
            let event_type =
                crate::base::case::to_lowercase(&row.field("EventType").and_then(text_of).unwrap_or_default());
            let value_event = match event_type.as_str() {
                "setvalue" | "deletevalue" => true,
                "createkey" | "deletekey" | "renamekey" => false,
                _ => mode != RegMode::Key,
            };
            // Defender puts deleted and renamed keys in the Previous* columns: use the last pair then.
            let previous = matches!(event_type.as_str(), "deletekey" | "deletevalue" | "renamekey");
            let pair = if previous { pairs.last() } else { pairs.first() };
            let Some((k, v)) = pair else { return };
            match (value_event, path.rsplit_once('\\')) {
                (true, Some((key, name))) => {
                    row.set_text(k, key);
                    if !name.is_empty() {
                        row.set_text(v, name);
                    }
                }
                _ => row.set_text(k, &path),
            }
        }
        ValueConversion::RegKey { col, hives } => {
            if let Some(t) = text {
                row.set_text(col, &expand_hive(&t, hives));
            }
        }
        ValueConversion::Details { data, kind, asim } => {
            let Some(t) = text else { return };
            if asim {
                row.set_text(data, &t);
            } else if let Some(n) = parse_dword(&t) {
                row.set_text(data, &n.to_string());
                row.set_text(kind, "Dword");
            } else if t.eq_ignore_ascii_case("Binary Data") {
                row.set_text(kind, "Binary");
            } else {
                row.set_text(data, &t);
            }
        }
        ValueConversion::Vocab { col, words } => {
            let Some(t) = text else { return };
            let hit = words.iter().find(|(s, _)| {
                s.eq_ignore_ascii_case(&t)
                    || (crate::base::float::parse_f64(s).is_some_and(|a| crate::base::float::parse_f64(&t) == Some(a)))
            });
            match hit.and_then(|(_, targets)| targets.first()) {
                Some(target) => row.set_text(col, target),
                None => row.set(col, value.clone()),
            }
        }
        ValueConversion::UserSplit { domain, name, .. } => {
            let Some(t) = text else { return };
            match t.split_once('\\') {
                Some((d, u)) => {
                    row.set_text(domain, d);
                    row.set_text(name, u);
                }
                None => row.set_text(name, &t),
            }
        }
        ValueConversion::NamePart { col, domain_field } => {
            let Some(t) = text else { return };
            let dom = domain_field.and_then(|f| row.field(f)).and_then(text_of).filter(|d| !d.is_empty() && d != "-");
            match dom {
                Some(d) => row.set_text(col, &format!("{d}\\{t}")),
                None => row.set_text(col, &t),
            }
        }
        ValueConversion::Basename { col } => {
            if let Some(t) = text {
                let base = t.rsplit(['\\', '/']).next().unwrap_or(&t).to_string();
                row.set_text(col, &base);
            }
        }
        ValueConversion::Hashes { cols } => {
            let Some(t) = text else { return };
            for piece in t.split(',') {
                let Some((algo, v)) = piece.split_once('=') else { continue };
                let algo = ascii_upper(algo.trim());
                if let Some((_, col)) = cols.iter().find(|(a, _)| *a == algo) {
                    row.set_text(col, v.trim());
                }
            }
        }
        ValueConversion::HexToNumber { col } => match text.as_deref().and_then(parse_int) {
            Some(n) => row.set(col, Value::Number(Number::from(n))),
            None => row.set(col, value.clone()),
        },
        ValueConversion::NumberToHex { col } => match text.as_deref().and_then(parse_int) {
            Some(n) => row.set_text(col, &format!("0x{n:x}")),
            None => row.set(col, value.clone()),
        },
        ValueConversion::PipeName { col }
        | ValueConversion::ProtocolPrefix { col }
        | ValueConversion::UrlPart { col, .. } => row.set(col, value.clone()),
        ValueConversion::HostFqdn { fqdn, host } => {
            let Some(t) = text else { return };
            match t.split_once('.') {
                Some((first, _)) => {
                    row.set_text(fqdn, &t);
                    row.set_text(host, first);
                }
                None => row.set_text(host, &t),
            }
        }
        ValueConversion::DnsStatus { col } => match text.as_deref().and_then(parse_int) {
            Some(n) => row.set(col, Value::Number(Number::from(dns_code(n)))),
            None => row.set(col, value.clone()),
        },
        // A failure has no one code: the row keeps whatever code the event gives.
        ValueConversion::Outcome { col, success, details } => match text.as_deref().map(str::trim) {
            Some(t) if t.eq_ignore_ascii_case("success") => row.set_text(col, success),
            Some(t) if t.eq_ignore_ascii_case("failure") => {}
            Some(t) if !details.is_empty() => row.set(details, serde_json::json!({ "additionalDetails": t })),
            Some(_) => {}
            None => {}
        },
        // Decided once every other field is set (see `targets::map_event`).
        ValueConversion::Where { .. } => {}
        ValueConversion::ProcessPath { cols, .. } => {
            if let Some(c) = cols.first() {
                row.set(c, value.clone());
            }
        }
        ValueConversion::AsimDirection => match text.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("true") => row.set_text("NetworkDirection", "Outbound"),
            Some("false") => row.set_text("NetworkDirection", "Inbound"),
            _ => {}
        },
        ValueConversion::Account { base, .. } => forward(base, value, row),
        ValueConversion::XmlData { col } => row.set_text(col, &event_data_xml(value)),
        ValueConversion::XmlDataAt { col, index } => {
            let Some(t) = text else { return };
            row.set(&format!("{col}.{index}"), Value::String(t));
        }
        ValueConversion::AuditValue { col } => {
            let Some(t) = text else { return };
            row.set_text(col, &audit_spelling(&t));
        }
        ValueConversion::Spellings { col, .. }
        | ValueConversion::Column { col }
        | ValueConversion::RepeatedName { col, .. } => row.set(col, value.clone()),
    }
}

/// The `Event` table's `EventData` for a classic event's unnamed values (one
/// text, or a list of them): the agent's `DataItem` wrapper around one
/// `<Data>` element per value, the text escaped as Windows writes it.
fn event_data_xml(value: &Value) -> String {
    let values: Vec<String> = match value {
        Value::Array(items) => items.iter().map(|v| text_of(v).unwrap_or_else(|| v.to_string())).collect(),
        other => vec![text_of(other).unwrap_or_else(|| other.to_string())],
    };
    let mut x = String::from(crate::kusto::schema::EVENT_DATA_OPEN);
    for v in values {
        x.push_str("<Data>");
        x.push_str(&crate::kusto::schema::xml_escape(&v));
        x.push_str("</Data>");
    }
    x.push_str(crate::kusto::schema::EVENT_DATA_CLOSE);
    x
}

/// An untrusted string as an auditd record writes it: quoted, or upper-case
/// hex of its bytes when quoting could not hold it.
fn audit_spelling(text: &str) -> String {
    if super::query::audit_needs_hex(text) {
        text.bytes().map(|b| format!("{b:02X}")).collect()
    } else {
        format!("\"{text}\"")
    }
}

/// The value a target column path holds in a row as the table keeps it: the
/// inverse of writing it, for rows exported from a workspace. Values kept
/// inside a text column are read out of that text: a path into a JSON string
/// column, a `<Data Name="…">` of an XML text (entities decoded), a CEF
/// extension (`\=` and `\\` unescaped). An auditd field is not read back: a
/// bare value there may be hex or a number, and the record does not say which.
pub(crate) fn read_back(table: Option<&str>, row: &Value, path: &str) -> Option<Value> {
    if let Some(v) = crate::event::json_path(row, path) {
        return Some(v.clone());
    }
    let table = table?;
    match column_type(table, path) {
        ColumnType::JsonText => {
            let (base, rest) = path.split_once('.')?;
            let doc: Value = serde_json::from_str(row.get(base)?.as_str()?).ok()?;
            crate::event::json_path(&doc, rest).cloned()
        }
        ColumnType::EventXml => {
            let (base, name) = path.split_once('.')?;
            let text = row.get(base)?.as_str()?;
            let open = format!("<Data Name=\"{name}\">");
            let after = text.get(text.find(&open)? + open.len()..)?;
            let inner = after.split("</Data>").next().unwrap_or("");
            Some(Value::String(xml_unescape(inner)))
        }
        ColumnType::CefExtension => {
            let (base, key) = path.split_once(':')?;
            let text = row.get(base)?.as_str()?;
            let raw = text.split(';').find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))?;
            Some(Value::String(raw.replace("\\=", "=").replace("\\\\", "\\")))
        }
        _ => None,
    }
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}
