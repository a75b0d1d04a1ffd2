//! ASIM parsers, emulated: each source's native record read the way
//! Microsoft's parser for that source reads it, into the columns it sets.
//! One file per schema; the parser file, version and commit of every fact,
//! and the parser faults kept here on purpose, are in `docs/sources.md`.

mod dns;
mod file;
mod linux;
mod network;
mod process;
mod registry;

use serde_json::{Map, Value};

use super::windows::{read_event_data, windows_event_data, XmlRead};
use super::{Feed, Schema};

/// A row and the Sigma fields of the source record that the parser loses
/// (reads from a place the source does not write, or projects away).
pub(crate) type Parsed = (Map<String, Value>, Vec<&'static str>);

/// A Windows record (Sysmon or Security) of `feed` through the schema's parser.
pub(crate) fn parse(schema: Schema, feed: Feed, native: &Map<String, Value>) -> Option<Parsed> {
    let id = native.get("EventID").and_then(Value::as_i64)?;
    let provider = super::text(native, if feed == Feed::SysmonEvent { "Source" } else { "Provider" });
    // How each parser reads its record: the Event table's XML text as
    // `parse-kv` with a regex (entities kept, braces dropped) or positionally
    // (registry: as written); the others by name.
    let (data, order) = match feed {
        Feed::SysmonEvent => {
            let how = if schema == Schema::Registry { XmlRead::Raw } else { XmlRead::ParseKvRegex };
            read_event_data(&super::text(native, "EventData"), how)
        }
        Feed::SecurityEvent => (native.clone(), Vec::new()),
        Feed::SysmonWindowsEvent | Feed::SecurityWindowsEvent => (windows_event_data(native), Vec::new()),
        Feed::Defender | Feed::LinuxSysmon | Feed::Rows => return None,
    };
    let src =
        Src { data, order, computer: super::text(native, "Computer"), time: super::text(native, "TimeGenerated") };
    match (schema, feed) {
        (Schema::ProcessCreate, Feed::SysmonEvent | Feed::SysmonWindowsEvent)
            if id == 1 && provider.contains("Sysmon") =>
        {
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
        (Schema::Dns, Feed::SysmonEvent | Feed::SysmonWindowsEvent) if id == 22 => {
            Some((dns::sysmon(&src), Vec::new()))
        }
        (Schema::FileEvent, Feed::SysmonEvent | Feed::SysmonWindowsEvent) if matches!(id, 11 | 23 | 26) => {
            Some((file::sysmon(&src, id), Vec::new()))
        }
        (Schema::Registry, Feed::SysmonEvent | Feed::SysmonWindowsEvent) if matches!(id, 12..=14) => {
            Some(registry::sysmon(&src, feed, id))
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
        (Schema::ProcessCreate, Feed::LinuxSysmon, "OriginalFileName" | "Company") => {
            "vimProcessCreateLinuxSysmon 0.3.0 leaves OriginalFileName outside the schema and writes Company to TargetProcessCompany"
        }
        (Schema::Registry, Feed::SysmonEvent, "User" | "Details" | "NewName") => {
            "vimRegistryEventMicrosoftSysmon 0.3.1 reads the Event XML positionally: the user and Details only when User follows Details, a renamed key's new name never"
        }
        _ => return None,
    })
}

/// A Sysmon for Linux `Syslog` row through the schema's Linux parser. The
/// parsers read the XML with fixed-order `parse` patterns; Sysmon writes its
/// fields in that order, so the read succeeds and is done here by name,
/// values as written (entities kept).
pub(crate) fn parse_linux(schema: Schema, id: i64, native: &Map<String, Value>) -> Option<Parsed> {
    let xml = super::text(native, "SyslogMessage");
    let (data, order) = read_event_data(&xml, XmlRead::Raw);
    let computer = xml.split("<Computer>").nth(1).and_then(|x| x.split('<').next()).unwrap_or("").to_string();
    let src = Src { data, order, computer, time: super::text(native, "TimeGenerated") };
    let host_ip = super::text(native, "HostIP");
    match (schema, id) {
        (Schema::ProcessCreate, 1) => Some((linux::process(&src, &host_ip), vec!["OriginalFileName", "Company"])),
        (Schema::NetworkSession, 3) => Some((linux::network(&src, &host_ip), Vec::new())),
        (Schema::FileEvent, 11 | 23 | 26) => Some((linux::file(&src, id), Vec::new())),
        _ => None,
    }
}

/// A Defender row through the schema's Defender parser.
pub(crate) fn parse_defender(schema: Schema, table: &str, row: &Map<String, Value>) -> Option<Parsed> {
    match (schema, table) {
        // Version information stays in Defender's own columns, outside the schema.
        (Schema::ProcessCreate, "DeviceProcessEvents") => {
            Some((process::defender(row), vec!["OriginalFileName", "Description", "Product", "Company"]))
        }
        (Schema::NetworkSession, "DeviceNetworkEvents") => network::defender(row).map(|r| (r, Vec::new())),
        (Schema::FileEvent, "DeviceFileEvents") => Some((file::defender(row), Vec::new())),
        (Schema::Registry, "DeviceRegistryEvents") => Some((registry::defender(row), Vec::new())),
        _ => None,
    }
}

/// A source record as a parser sees it.
pub(crate) struct Src {
    pub data: Map<String, Value>,
    /// The names of the values in record order (for positional parsers).
    pub order: Vec<String>,
    pub computer: String,
    pub time: String,
}

impl Src {
    /// A named value as text; absent is "".
    pub fn get(&self, k: &str) -> String {
        super::text(&self.data, k)
    }

    /// A Defender row, read by name.
    pub fn row(d: &Map<String, Value>) -> Src {
        Src {
            data: d.clone(),
            order: Vec::new(),
            computer: super::text(d, "DeviceName"),
            time: super::text(d, "Timestamp"),
        }
    }
}

impl super::Lookup for Src {
    fn field(&self, name: &str) -> String {
        self.get(name)
    }
    fn computer(&self) -> String {
        self.computer.clone()
    }
    fn time(&self) -> String {
        self.time.clone()
    }
}

/// `_ASIM_ResolveFQDN`: (Hostname, Domain, DomainType, FQDN) of a name.
pub(crate) fn resolve_fqdn(x: &str) -> [String; 4] {
    if let Some((d, rest)) = x.split_once('\\') {
        let host = rest.split('\\').next().unwrap_or("");
        return [host.to_string(), d.to_string(), "Windows".into(), x.to_string()];
    }
    if let Some((h, d)) = x.split_once('.') {
        return [h.to_string(), d.to_string(), "FQDN".into(), x.to_string()];
    }
    [x.to_string(), String::new(), String::new(), String::new()]
}

/// Sets `<side>Hostname`, `<side>Domain`, `<side>DomainType`, `<side>FQDN`.
pub(crate) fn put_fqdn(row: &mut Map<String, Value>, side: &str, parts: [String; 4]) {
    for (suffix, v) in ["Hostname", "Domain", "DomainType", "FQDN"].iter().zip(parts) {
        row.insert(format!("{side}{suffix}"), Value::String(v));
    }
}

pub(crate) use super::set;
