//! ASIM parsers, emulated: each source's native record read the way
//! Microsoft's parser for that source reads it, into the columns it sets.
//! One file per schema; the parser file, version and commit of every fact,
//! and the parser faults kept here on purpose, are in `docs/sources.md`.

mod dns;
mod file;
mod network;
mod process;
mod registry;

use serde_json::{Map, Value};

use super::windows::{read_event_data, windows_event_data, XmlRead};
use super::{Feed, Schema};

/// The parser function a schema is queried through.
pub(crate) fn function_of(schema: Schema) -> &'static str {
    match schema {
        Schema::ProcessCreate => "imProcessCreate",
        Schema::NetworkSession => "imNetworkSession",
        Schema::FileEvent => "imFileEvent",
        Schema::Registry => "imRegistry",
        Schema::Dns => "imDns",
        Schema::Authentication => "imAuthentication",
    }
}

/// A row and the Sigma fields of the source record that the parser loses
/// (reads from a place the source does not write, or projects away).
pub(crate) type Parsed = (Map<String, Value>, Vec<&'static str>);

/// A Windows record (Sysmon or Security) of `feed` through the schema's parser.
pub(crate) fn parse(schema: Schema, feed: Feed, native: &Map<String, Value>) -> Option<Parsed> {
    let id = native.get("EventID").and_then(Value::as_i64)?;
    let provider = super::text(native, if feed == Feed::SysmonEvent { "Source" } else { "Provider" });
    let (data, how) = match feed {
        Feed::SysmonEvent => {
            let how = match schema {
                Schema::Dns => Reader::KvUntilLt,
                Schema::Registry => Reader::Positional,
                _ => Reader::Kv,
            };
            let xml = super::text(native, "EventData");
            (read(&xml, how), how)
        }
        Feed::SecurityEvent => ((native.clone(), Vec::new()), Reader::Columns),
        Feed::SysmonWindowsEvent | Feed::SecurityWindowsEvent => ((windows_event_data(native), Vec::new()), Reader::Dynamic),
        Feed::Defender | Feed::Rows => return None,
    };
    let ((data, order), how) = (data, how);
    let src = Src { data, order, how, computer: super::text(native, "Computer"), time: super::text(native, "TimeGenerated") };
    match (schema, feed) {
        (Schema::ProcessCreate, Feed::SysmonEvent | Feed::SysmonWindowsEvent) if id == 1 && provider.contains("Sysmon") => {
            Some((process::sysmon(&src, feed), Vec::new()))
        }
        // The 4688 parsers set no integrity level (docs/sources.md).
        (Schema::ProcessCreate, Feed::SecurityEvent | Feed::SecurityWindowsEvent) if id == 4688 => {
            Some((process::security(&src, feed), vec!["IntegrityLevel", "MandatoryLabel"]))
        }
        (Schema::NetworkSession, Feed::SysmonEvent | Feed::SysmonWindowsEvent) if id == 3 => {
            // The WindowsEvent parser reads `SrcHostname`, which Sysmon does not write.
            let lost = if feed == Feed::SysmonWindowsEvent { vec!["SourceHostname"] } else { Vec::new() };
            Some((network::sysmon(&src, feed), lost))
        }
        (Schema::Dns, Feed::SysmonEvent | Feed::SysmonWindowsEvent) if id == 22 => Some((dns::sysmon(&src, feed), Vec::new())),
        (Schema::FileEvent, Feed::SysmonEvent | Feed::SysmonWindowsEvent) if matches!(id, 11 | 23 | 26) => {
            file::sysmon(&src, feed, id).map(|r| (r, Vec::new()))
        }
        (Schema::Registry, Feed::SysmonEvent | Feed::SysmonWindowsEvent) if matches!(id, 12 | 13 | 14) => {
            registry::sysmon(&src, feed, id)
        }
        _ => None,
    }
}

/// Why a parser loses a Sigma field its source records (the parser file and
/// version are named; docs/sources.md has the detail).
pub(crate) fn lost_reason(schema: Schema, feed: Feed, field: &str) -> Option<&'static str> {
    Some(match (schema, feed, field) {
        (Schema::ProcessCreate, Feed::Defender, "OriginalFileName" | "Description" | "Product" | "Company") => {
            "vimProcessEventMicrosoft365D 0.2.0 leaves Defender's version-information columns outside the schema"
        }
        (Schema::ProcessCreate, Feed::SecurityEvent | Feed::SecurityWindowsEvent, "IntegrityLevel" | "MandatoryLabel") => {
            "neither 4688 parser sets TargetProcessIntegrityLevel (vimProcessCreateMicrosoftSecurityEvents 0.2.1 drops its lookup, vimProcessCreateMicrosoftWindowsEvents 0.3 keeps the SID outside the schema)"
        }
        (Schema::NetworkSession, Feed::SysmonWindowsEvent, "SourceHostname") => {
            "vimNetworkSessionMicrosoftSysmonWindowsEvent 0.1.1 reads EventData.SrcHostname, which Sysmon does not write"
        }
        (Schema::Registry, Feed::SysmonWindowsEvent, "Details" | "NewName") => {
            "vimRegistryEventMicrosoftSysmonWindowsEvent 0.3.1 reads EventData.Parameter, which Sysmon does not write"
        }
        (Schema::Registry, Feed::SysmonEvent, _) => {
            "vimRegistryEventMicrosoftSysmon 0.3.1 reads the Event XML positionally: the user and Details only when User follows Details, a renamed key's new name never"
        }
        _ => return None,
    })
}

/// A Defender row through the schema's Defender parser.
pub(crate) fn parse_defender(schema: Schema, table: &str, row: &Map<String, Value>) -> Option<Parsed> {
    match (schema, table) {
        // Version information stays in Defender's own columns, outside the schema.
        (Schema::ProcessCreate, "DeviceProcessEvents") => {
            Some((process::defender(row), vec!["OriginalFileName", "Description", "Product", "Company"]))
        }
        (Schema::NetworkSession, "DeviceNetworkEvents") => network::defender(row).map(|r| (r, Vec::new())),
        (Schema::FileEvent, "DeviceFileEvents") => file::defender(row).map(|r| (r, Vec::new())),
        (Schema::Registry, "DeviceRegistryEvents") => registry::defender(row).map(|r| (r, Vec::new())),
        _ => None,
    }
}

/// How a parser reads the named values of its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    /// `parse-kv` over the `Event` XML, values up to the next `>`.
    Kv,
    /// `parse-kv` over the `Event` XML, values up to the next `<`.
    KvUntilLt,
    /// Positional `parse` over the `Event` XML: values as written, entities
    /// kept, braces kept.
    Positional,
    /// The dynamic `EventData` of `WindowsEvent`.
    Dynamic,
    /// The table's own columns (`SecurityEvent`).
    Columns,
}

fn read(xml: &str, how: Reader) -> (Map<String, Value>, Vec<String>) {
    match how {
        Reader::Kv | Reader::KvUntilLt => read_event_data(xml, XmlRead::ParseKvRegex),
        Reader::Positional => read_event_data(xml, XmlRead::Raw),
        _ => read_event_data(xml, XmlRead::ParseXml),
    }
}

/// A source record as a parser sees it.
pub(crate) struct Src {
    pub data: Map<String, Value>,
    /// The names of the values in record order (for positional parsers).
    pub order: Vec<String>,
    pub how: Reader,
    pub computer: String,
    pub time: String,
}

impl Src {
    /// A named value as text; absent is "".
    pub fn get(&self, k: &str) -> String {
        super::text(&self.data, k)
    }
    /// A GUID as the parser keeps it: without braces.
    pub fn guid(&self, k: &str) -> String {
        let v = self.get(k);
        match self.how {
            // The Kv reader already dropped the braces; the dynamic readers take
            // the text between them (a GUID written without braces comes out empty).
            Reader::Dynamic => v.split('{').nth(1).and_then(|x| x.split('}').next()).unwrap_or("").to_string(),
            _ => v.trim_start_matches('{').trim_end_matches('}').to_string(),
        }
    }
}

/// A row under construction.
#[derive(Default)]
pub(crate) struct Row(pub Map<String, Value>);

impl Row {
    pub fn s(&mut self, k: &str, v: impl Into<String>) -> &mut Self {
        self.0.insert(k.to_string(), Value::from(v.into()));
        self
    }
    pub fn v(&mut self, k: &str, v: Value) -> &mut Self {
        self.0.insert(k.to_string(), v);
        self
    }
}

/// `_ASIM_ResolveFQDN`: (Hostname, Domain, DomainType, FQDN) of a name.
pub(crate) fn resolve_fqdn(x: &str) -> (String, String, String, String) {
    if let Some((d, rest)) = x.split_once('\\') {
        let host = rest.split('\\').next().unwrap_or("");
        return (host.to_string(), d.to_string(), "Windows".into(), x.to_string());
    }
    if let Some((h, d)) = x.split_once('.') {
        return (h.to_string(), d.to_string(), "FQDN".into(), x.to_string());
    }
    (x.to_string(), String::new(), String::new(), String::new())
}

/// Sets `<side>Hostname`, `<side>Domain`, `<side>DomainType`, `<side>FQDN`.
pub(crate) fn put_fqdn(row: &mut Row, side: &str, name: &str) {
    let (h, d, t, f) = resolve_fqdn(name);
    row.s(&format!("{side}Hostname"), h).s(&format!("{side}Domain"), d).s(&format!("{side}DomainType"), t).s(&format!("{side}FQDN"), f);
}

/// Kusto `toint`/`tolong` of a text: a number or null.
pub(crate) fn int(s: &str) -> Value {
    s.trim().parse::<i64>().map(Value::from).unwrap_or(Value::Null)
}

pub(crate) fn basename(p: &str) -> String {
    super::basename(p).to_string()
}
