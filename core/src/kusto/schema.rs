//! The tables a workspace has: column names and Kusto types, for the
//! targets' tables and ASIM functions. The data is `crate::data::schema_tables`,
//! generated from `shared/tools/kql-check/schema.json` by
//! `scripts/gen_pipeline_schema.py` (the core does no I/O).

use serde::Serialize;

use crate::data::schema_tables;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    String,
    Int,
    Long,
    Real,
    Bool,
    Datetime,
    Timespan,
    Guid,
    Dynamic,
    Decimal,
    /// A path into a string column whose text is JSON (`RequestParameters.userName`
    /// in AWSCloudTrail): read as `parse_json(Column).path`, a dynamic value.
    JsonText,
    /// A named value of an XML event kept as text (Sysmon for Linux in
    /// Syslog's `SyslogMessage`): `SyslogMessage.Image` is the text of
    /// `<Data Name="Image">`, read with `extract`, a string.
    EventXml,
    /// A `key=value` field of an audit record kept as text (auditd's records
    /// in Syslog's `SyslogMessage`): `SyslogMessage:a0` is the value as the
    /// record spells it (`"curl"` quoted, hex, or bare), read with `extract`.
    AuditField,
    /// A `key=value` pair of a CEF record's extensions that have no column of
    /// their own, kept as `;`-separated text (CommonSecurityLog's
    /// `AdditionalExtensions`): `AdditionalExtensions:FTNTFGTcfgpath` is the
    /// value up to the next `;`, read with `extract`.
    CefExtension,
    /// No schema knowledge (the `none` pipeline, custom tables).
    Unknown,
}

impl ColumnType {
    /// The type of a one-letter code of `schema_tables::TABLES`.
    fn from_code(code: u8) -> ColumnType {
        match code {
            b's' => ColumnType::String,
            b'i' => ColumnType::Int,
            b'l' => ColumnType::Long,
            b'r' => ColumnType::Real,
            b'b' => ColumnType::Bool,
            b'd' => ColumnType::Datetime,
            b't' => ColumnType::Timespan,
            b'g' => ColumnType::Guid,
            b'y' => ColumnType::Dynamic,
            b'm' => ColumnType::Decimal,
            _ => ColumnType::Unknown,
        }
    }
}

/// Type of a column in the embedded schema; `Unknown` when the table or column is not there.
/// A path into a dynamic column (`AdditionalFields.PipeName`) is `Dynamic`.
pub fn column_type(table: &str, column: &str) -> ColumnType {
    let Some(cols) = table_columns(table) else { return ColumnType::Unknown };
    if let Ok(i) = cols.binary_search_by(|(c, _)| (*c).cmp(column)) {
        return cols.get(i).map_or(ColumnType::Unknown, |(_, t)| *t);
    }
    if let Some((base, name)) = column.split_once(':') {
        let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain && KEY_VALUE_TEXT.contains(&(table, base)) {
            return ColumnType::AuditField;
        }
        if plain && CEF_EXTENSION_TEXT.contains(&(table, base)) {
            return ColumnType::CefExtension;
        }
    }
    if let Some((base, _)) = column.split_once('.') {
        if let Ok(i) = cols.binary_search_by(|(c, _)| (*c).cmp(base)) {
            if cols.get(i).is_some_and(|(_, t)| *t == ColumnType::Dynamic) {
                return ColumnType::Dynamic;
            }
            if JSON_TEXT.contains(&(table, base)) {
                return ColumnType::JsonText;
            }
            if XML_TEXT.contains(&(table, base)) {
                return ColumnType::EventXml;
            }
        }
    }
    ColumnType::Unknown
}

/// String columns whose text is a JSON document, so that a path into them is
/// read through `parse_json` (the connectors write the nested part of the
/// record as text: schema.json types them `string`; docs/kql.md, "Cloud tables").
const JSON_TEXT: &[(&str, &str)] = &[
    ("AWSCloudTrail", "RequestParameters"),
    ("AWSCloudTrail", "ResponseElements"),
    ("AWSCloudTrail", "AdditionalEventData"),
    ("AWSCloudTrail", "Resources"),
    ("AWSCloudTrail", "ServiceEventDetails"),
    ("AzureDiagnostics", "log_s"),
];

/// String columns that hold an event's XML (`<Data Name="...">` values):
/// Syslog's message text, where Sysmon for Linux writes each event, and
/// SecurityEvent's `EventData`, the event's `<EventData>` element (docs/kql.md,
/// "Security event values without a column").
const XML_TEXT: &[(&str, &str)] = &[("Syslog", "SyslogMessage"), ("SecurityEvent", "EventData")];

/// String columns that hold an audit record's `key=value` text: Syslog's
/// message text, where the audisp syslog plugin writes auditd's records.
const KEY_VALUE_TEXT: &[(&str, &str)] = &[("Syslog", "SyslogMessage")];

/// String columns that hold a CEF record's other extensions as `key=value`
/// pairs separated by `;` (the Azure Monitor agent's CEF collection; the
/// shape Microsoft's ASIM parsers read with `parse-kv ... pair_delimiter=';'`).
const CEF_EXTENSION_TEXT: &[(&str, &str)] = &[("CommonSecurityLog", "AdditionalExtensions")];

/// Whether the embedded schema has `column` (or a path into a dynamic column) in `table`.
pub fn has_column(table: &str, column: &str) -> bool {
    column_type(table, column) != ColumnType::Unknown
}

/// Columns of a table or ASIM function of the embedded schema, sorted by name.
pub fn table_columns(table: &str) -> Option<&'static [(&'static str, ColumnType)]> {
    let name = schema_tables::ALIASES.iter().find(|(a, _)| *a == table).map_or(table, |(_, t)| *t);
    schema().iter().find(|(t, _)| *t == name).map(|(_, cols)| *cols)
}

/// A table's name and its columns.
type TableSchema = (&'static str, &'static [(&'static str, ColumnType)]);

/// The embedded schema, decoded on first use from the compact text of
/// `schema_tables::TABLES` (which costs far less WebAssembly than the slices).
fn schema() -> &'static [TableSchema] {
    static SCHEMA: std::sync::OnceLock<Vec<TableSchema>> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut tables: Vec<TableSchema> = Vec::new();
        let mut name: Option<&'static str> = None;
        let mut cols: Vec<(&'static str, ColumnType)> = Vec::new();
        #[cfg(feature = "all-tables")]
        let text = [schema_tables::TABLES, schema_tables::OTHER_TABLES];
        #[cfg(not(feature = "all-tables"))]
        let text = [schema_tables::TABLES];
        for line in text.iter().flat_map(|t| t.split('\n')) {
            if let Some(t) = line.strip_prefix('#') {
                if let Some(n) = name.replace(t) {
                    tables.push((n, Vec::leak(std::mem::take(&mut cols))));
                }
            } else if let (Some(&code), Some(col)) = (line.as_bytes().first(), line.get(1..)) {
                cols.push((col, ColumnType::from_code(code)));
            }
        }
        if let Some(n) = name {
            tables.push((n, Vec::leak(cols)));
        }
        tables
    })
}

/// How many tables (and ASIM functions with their own columns) the embedded schema has.
pub fn schema_table_count() -> usize {
    schema().len()
}

/// The `Event` table's `EventData`: the event's `<EventData>` XML inside the
/// agent's `DataItem` wrapper (Azure Monitor table reference, event), opened
/// and closed by these.
pub(crate) const EVENT_DATA_OPEN: &str = "<DataItem type=\"System.XmlData\" time=\"\" sourceHealthServiceId=\"\"><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">";
pub(crate) const EVENT_DATA_CLOSE: &str = "</EventData></DataItem>";

/// Text escaped as Windows writes event data in XML: `&`, `<`, `>` (quotes stay).
pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
