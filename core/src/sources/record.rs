//! What a pasted event is: a Windows event log record (Sysmon, Security), a
//! Defender row, or a row of the target table.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{set, Schema, TableKind};
use crate::event::{Event, EventShape};

/// What a pasted event was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Sysmon,
    Security,
    Defender,
    /// A row of the target table.
    Rows,
    /// None of the above: only the rule's own mapping can place it.
    Unknown,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Sysmon => "Sysmon",
            Kind::Security => "Windows Security",
            Kind::Defender => "Defender rows",
            Kind::Rows => "target table rows",
            Kind::Unknown => "unrecognised",
        }
    }
}

/// A Windows event log record: provider, event id, computer and the named
/// `EventData` values as text (Windows renders every value as text).
#[derive(Debug, Clone, PartialEq)]
pub struct WinRecord {
    /// `Microsoft-Windows-Sysmon`, `Linux-Sysmon` or the Security log's provider.
    pub provider: &'static str,
    pub channel: &'static str,
    pub event_id: i64,
    pub computer: String,
    pub time: String,
    /// `EventData` in record order.
    pub data: Vec<(String, String)>,
}

impl WinRecord {
    /// Sysmon for Linux (written to syslog rather than a Windows event log).
    pub fn linux(&self) -> bool {
        self.provider == LINUX_SYSMON
    }

    pub fn get(&self, name: &str) -> &str {
        self.data.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
    pub fn has(&self, name: &str) -> bool {
        self.data.iter().any(|(k, _)| k == name)
    }
}

impl super::Lookup for WinRecord {
    fn field(&self, name: &str) -> String {
        self.get(name).to_string()
    }
    fn computer(&self) -> String {
        self.computer.clone()
    }
    fn time(&self) -> String {
        self.time.clone()
    }
}

pub const SYSMON: &str = "Microsoft-Windows-Sysmon";
pub const SYSMON_CHANNEL: &str = "Microsoft-Windows-Sysmon/Operational";
pub const SECURITY: &str = "Microsoft-Windows-Security-Auditing";
pub const LINUX_SYSMON: &str = "Linux-Sysmon";

#[derive(Debug, Clone)]
pub(crate) enum Record {
    Sysmon(WinRecord),
    Security(WinRecord),
    Defender(&'static str, Map<String, Value>),
    Rows(Map<String, Value>),
    Unknown,
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Sysmon(_) => Kind::Sysmon,
            Record::Security(_) => Kind::Security,
            Record::Defender(..) => Kind::Defender,
            Record::Rows(_) => Kind::Rows,
            Record::Unknown => Kind::Unknown,
        }
    }
}

/// The Sysmon event a logsource category is written for.
pub fn sysmon_event_id(category: &str) -> Option<i64> {
    Some(match category.to_ascii_lowercase().as_str() {
        "process_creation" => 1,
        "file_change" => 2,
        "network_connection" => 3,
        "process_termination" => 5,
        "driver_load" => 6,
        "image_load" => 7,
        "create_remote_thread" => 8,
        "raw_access_thread" => 9,
        "process_access" => 10,
        "file_event" => 11,
        "registry_add" | "registry_delete" => 12,
        "registry_set" | "registry_event" => 13,
        "registry_rename" => 14,
        "create_stream_hash" => 15,
        "pipe_created" => 17,
        "wmi_event" => 20,
        "dns_query" => 22,
        "file_delete" => 23,
        "clipboard_capture" => 24,
        "process_tampering" => 25,
        "file_delete_detected" => 26,
        "file_block_executable" => 27,
        _ => return None,
    })
}

/// Fields only Sysmon writes (one is enough to say "Sysmon" for a flat event).
const SYSMON_FIELDS: &[&str] = &[
    "Image",
    "ProcessGuid",
    "ParentImage",
    "ImageLoaded",
    "TargetFilename",
    "TargetObject",
    "QueryName",
    "DestinationHostname",
    "DestinationIp",
    "PipeName",
    "SourceImage",
    "TargetImage",
    "OriginalFileName",
    "IntegrityLevel",
    "Hashes",
];
/// Fields of Windows Security events that Sysmon does not have.
const SECURITY_FIELDS: &[&str] = &[
    "NewProcessName",
    "SubjectUserName",
    "SubjectUserSid",
    "TargetUserName",
    "NewProcessId",
    "MandatoryLabel",
    "TokenElevationType",
    "LogonType",
    "IpAddress",
    "WorkstationName",
    "ObjectName",
];

pub(crate) const DEFENDER_TABLES: &[&str] = &[
    "DeviceProcessEvents",
    "DeviceNetworkEvents",
    "DeviceFileEvents",
    "DeviceRegistryEvents",
    "DeviceImageLoadEvents",
    "DeviceEvents",
    "DeviceLogonEvents",
];

/// Columns only Defender rows have: a pasted row with them is a Defender row.
const MARKERS: &[&str] = &["InitiatingProcessFileName", "InitiatingProcessFolderPath", "ReportId", "DeviceId"];

/// The Defender table a pasted row belongs to: the target's own table when
/// it is one, else the one whose columns fit (ASIM targets read Defender
/// rows through their Defender parser).
pub(crate) fn table_of_row(e: &Event, kind: TableKind) -> Option<&'static str> {
    let keys: Vec<&str> = e.fields().map(|(k, _)| k).collect();
    if !keys.iter().any(|k| MARKERS.contains(k) || k.starts_with("InitiatingProcess")) {
        return None;
    }
    if let TableKind::Defender(t) = kind {
        return Some(t);
    }
    let guess = match kind {
        TableKind::Asim(s) => match s {
            Schema::ProcessCreate => "DeviceProcessEvents",
            Schema::NetworkSession => "DeviceNetworkEvents",
            Schema::FileEvent => "DeviceFileEvents",
            Schema::Registry => "DeviceRegistryEvents",
            Schema::Authentication => "DeviceLogonEvents",
            Schema::Dns => "DeviceEvents",
        },
        // A Defender row pasted for SecurityEvent: recognised, though no
        // source of that table reads it.
        TableKind::SecurityEvent => "DeviceProcessEvents",
        TableKind::Defender(t) => t,
        // No source of WindowsEvent writes Defender rows.
        TableKind::WindowsEvent => return None,
    };
    Some(guess)
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn event_id(e: &Event) -> Option<i64> {
    match e.get("EventID").or_else(|| e.get("EventCode"))? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Read a pasted event for a target table of `kind`.
pub(crate) fn lift(e: &Event, kind: TableKind, category: Option<&str>) -> Record {
    let Value::Object(_) = e.original() else { return Record::Unknown };
    let provider = e.get("Provider_Name").or_else(|| e.get("Provider")).and_then(as_text).unwrap_or_default();
    let keys: Vec<&str> = e.fields().map(|(k, _)| k).collect();
    let has = |names: &[&str]| keys.iter().any(|k| names.contains(k));
    // Rows of the target table: most keys are its columns, and none is a
    // field only the raw sources have.
    if e.shape() != EventShape::Evtx && !provider.contains("Sysmon") && !has(SYSMON_FIELDS) && !has(SECURITY_FIELDS) {
        if let Some(table) = table_of_row(e, kind) {
            let Value::Object(m) = e.original() else { return Record::Unknown };
            return Record::Defender(table, m.clone());
        }
        let table = match kind {
            TableKind::Asim(s) => s.function(),
            TableKind::Defender(t) => t,
            TableKind::SecurityEvent => "SecurityEvent",
            TableKind::WindowsEvent => "WindowsEvent",
        };
        let columns = keys.iter().filter(|k| crate::kusto::schema::has_column(table, k)).count();
        if columns * 2 > keys.len() && columns > 0 {
            let Value::Object(m) = e.original() else { return Record::Unknown };
            return Record::Rows(m.clone());
        }
    }
    let id = event_id(e);
    let security = provider.contains("Security-Auditing")
        || (provider.is_empty() && has(SECURITY_FIELDS) && !has(&["Image", "ProcessGuid"]));
    let sysmon = provider.contains("Sysmon") || (provider.is_empty() && !security && has(SYSMON_FIELDS));
    let provider = provider.as_str();
    if !sysmon && !security {
        return Record::Unknown;
    }
    let id = match (id, security) {
        (Some(id), _) => id,
        (None, true) if has(&["NewProcessName"]) => 4688,
        (None, true) => return Record::Unknown,
        (None, false) => match category.and_then(sysmon_event_id) {
            Some(id) => id,
            None => return Record::Unknown,
        },
    };
    let mut data = Vec::new();
    let system = [
        "EventID",
        "EventCode",
        "Provider_Name",
        "Provider_Guid",
        "Channel",
        "Computer",
        "Level",
        "Task",
        "Opcode",
        "Keywords",
        "EventRecordID",
        "Version",
        "TimeCreated_SystemTime",
        "Execution_ProcessID",
        "Execution_ThreadID",
        "Security_UserID",
        "EventID_Qualifiers",
        "Correlation",
        "Provider",
        "Security",
        "Execution",
        "TimeCreated",
    ];
    for (k, v) in e.fields() {
        if e.shape() == EventShape::Evtx && system.contains(&k) {
            continue;
        }
        if e.shape() != EventShape::Evtx
            && matches!(k, "EventID" | "EventCode" | "Provider_Name" | "Channel" | "Computer")
        {
            continue;
        }
        if let Some(t) = as_text(v) {
            data.push((k.to_string(), t));
        }
    }
    let computer = e.get("Computer").and_then(as_text).unwrap_or_else(|| "WIN-HOST.corp.example".to_string());
    let time = e
        .get("TimeCreated_SystemTime")
        .or_else(|| e.get("UtcTime"))
        .and_then(as_text)
        .unwrap_or_else(|| "2025-01-01 00:00:00.000".to_string());
    // Sysmon for Linux: its provider, or Unix paths in a flat event.
    let unix = |k: &str| e.get(k).and_then(Value::as_str).is_some_and(|p| p.starts_with('/'));
    let linux = !security
        && (provider.contains("Linux-Sysmon") || (provider.is_empty() && (unix("Image") || unix("TargetFilename"))));
    // Sysmon writes every value of its event: a registry event always names
    // its kind, which a pasted event may leave out (13 and 14 have one kind
    // each; 12 is a key created unless the rule is about deletions).
    if !security && !data.iter().any(|(k, _)| k == "EventType") {
        let kind = match (id, category.map(str::to_ascii_lowercase).as_deref()) {
            (12, Some("registry_delete")) => Some("DeleteKey"),
            (12, _) => Some("CreateKey"),
            (13, _) => Some("SetValue"),
            (14, _) => Some("RenameKey"),
            _ => None,
        };
        if let Some(kind) = kind {
            data.insert(0, ("EventType".to_string(), kind.to_string()));
        }
    }
    let rec = WinRecord {
        provider: if security {
            SECURITY
        } else if linux {
            LINUX_SYSMON
        } else {
            SYSMON
        },
        channel: if security {
            "Security"
        } else if linux {
            "Linux-Sysmon/Operational"
        } else {
            SYSMON_CHANNEL
        },
        event_id: id,
        computer,
        time,
        data,
    };
    if security {
        Record::Security(rec)
    } else {
        Record::Sysmon(rec)
    }
}

/// A Sysmon record as Sigma sees it: every field, with the System ones.
pub(crate) fn sysmon_view(r: &WinRecord) -> Event {
    let mut m = Map::new();
    set(&mut m, "EventID", r.event_id);
    set(&mut m, "Provider_Name", r.provider);
    set(&mut m, "Channel", r.channel);
    set(&mut m, "Computer", r.computer.clone());
    for (k, v) in &r.data {
        m.insert(k.clone(), Value::from(v.clone()));
    }
    Event::from_json(Value::Object(m))
}
