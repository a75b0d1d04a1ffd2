//! Microsoft Defender for Endpoint rows: the row Defender writes for the
//! activity a Sysmon event records, Defender rows read back in Sigma's field
//! names, and which Sysmon fields survive in Defender's record.
//!
//! Value formats (docs/sources.md, "Defender for Endpoint"; advanced-hunting
//! table reference and sample records): full paths in `FolderPath` and
//! `InitiatingProcessFolderPath`, bare names in `FileName`,
//! `InitiatingProcessFileName` and `InitiatingProcessParentFileName`;
//! accounts split into lowercase domain and name (`nt authority`, `system`);
//! decimal process and logon ids; hashes lowercase, one column each (no
//! IMPHASH); `DeviceName` a lowercase FQDN; registry keys with full hive
//! names and the value name apart; `LocalIP`/`RemoteIP` are this device and
//! the peer whatever the direction; `Protocol` `Tcp`/`Udp`; pipe names with
//! the `\Device\NamedPipe` prefix; DNS queries in `AdditionalFields`.

use serde_json::{Map, Value};

use super::record::WinRecord;
use super::security::well_known;
use super::{basename, fill, set, Cols};
use crate::event::Event;

/// `DOMAIN\name` → (domain, name) as Defender writes them: lowercase.
fn account(user: &str) -> (String, String) {
    let (d, n) = user.rsplit_once('\\').unwrap_or(("", user));
    match well_known(user) {
        Some((_, _, name)) => ("nt authority".to_string(), crate::base::case::to_lowercase(name)),
        None => (crate::base::case::to_lowercase(d), crate::base::case::to_lowercase(n)),
    }
}

fn number(s: &str) -> Value {
    let t = s.trim();
    if let Some(h) = t.strip_prefix("0x") {
        return u64::from_str_radix(h, 16).map(Value::from).unwrap_or(Value::Null);
    }
    t.parse::<u64>().map(Value::from).unwrap_or(Value::Null)
}

fn integrity(level: &str) -> &'static str {
    match super::security::integrity_sid(level) {
        "S-1-16-4096" | "S-1-16-0" => "Low",
        "S-1-16-12288" => "High",
        "S-1-16-16384" | "S-1-16-20480" => "System",
        _ => "Medium",
    }
}

/// `MD5=..,SHA256=..` → the Defender hash columns (lowercase hex, no IMPHASH).
fn hashes(m: &mut Map<String, Value>, hashes: &str, prefix: &str) {
    for (alg, h) in super::hash_pairs(hashes) {
        if DEFENDER_HASHES.contains(&alg.as_str()) {
            m.insert(format!("{prefix}{alg}"), Value::from(crate::base::case::to_lowercase(h)));
        }
    }
}

const DEFENDER_HASHES: &[&str] = &["MD5", "SHA1", "SHA256"];

/// `HKLM\...` (Sysmon) → `HKEY_LOCAL_MACHINE\...`; a user hive as
/// `HKEY_CURRENT_USER\<SID>\...`; `CurrentControlSet` as `ControlSet001`.
fn registry_key(path: &str) -> String {
    let (hive, rest) = path.split_once('\\').unwrap_or((path, ""));
    let full = match hive.to_ascii_uppercase().as_str() {
        "HKLM" => "HKEY_LOCAL_MACHINE",
        "HKU" if rest.starts_with("S-1-5-21-") => "HKEY_CURRENT_USER",
        "HKU" => "HKEY_USERS",
        "HKCR" => "HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes",
        "HKCU" => "HKEY_CURRENT_USER",
        _ => hive,
    };
    let mut out = if rest.is_empty() { full.to_string() } else { format!("{full}\\{rest}") };
    let lower = out.to_ascii_lowercase();
    if let Some(at) =
        lower.find("\\currentcontrolset\\").or_else(|| lower.ends_with("\\currentcontrolset").then(|| lower.len() - 18))
    {
        out.replace_range(at + 1..at + 18, "ControlSet001");
    }
    out
}

/// Sysmon `Details` → (value type, value data) as Defender writes them.
fn registry_value(details: &str) -> (&'static str, String) {
    let d = details.trim();
    for (prefix, kind) in [("DWORD (", "Dword"), ("QWORD (", "Qword")] {
        if let Some(inner) = d.strip_prefix(prefix).and_then(|x| x.strip_suffix(')')) {
            // `0x00000001` or `0x00000000-0x00000001` (a QWORD's halves).
            let hex: String = inner.split('-').map(|h| h.trim().trim_start_matches("0x")).collect();
            return (kind, u64::from_str_radix(&hex, 16).map(|n| n.to_string()).unwrap_or_else(|_| inner.to_string()));
        }
    }
    if d == "Binary Data" {
        return ("Binary", String::new());
    }
    ("String", d.to_string())
}

fn common(m: &mut Map<String, Value>, r: &WinRecord, action: &str) {
    fill(m, r, "", COMMON);
    set(m, "DeviceName", crate::base::case::to_lowercase(&r.computer));
    set(m, "ActionType", action);
    set(m, "ReportId", 1);
}

const COMMON: Cols = "\
Timestamp^
TimeGenerated^
DeviceId:4b8a1c0f9e2d7a6b5c4d3e2f1a0b9c8d7e6f5a4b";

/// The acting process of most events: `InitiatingProcess*` from Sysmon's
/// `Image` side (Defender usually writes this path in lowercase).
const INITIATING: Cols = "\
InitiatingProcessFolderPath~Image
InitiatingProcessFileName/Image
InitiatingProcessId#ProcessId";

/// The acting process of a process creation: Sysmon's parent.
const PARENT: Cols = "\
InitiatingProcessFolderPath~ParentImage
InitiatingProcessFileName/ParentImage
InitiatingProcessId#ParentProcessId
InitiatingProcessCommandLine=ParentCommandLine";

/// The source process of an API call event (Sysmon 8, 10).
const SOURCE_PROCESS: Cols = "\
InitiatingProcessFolderPath~SourceImage
InitiatingProcessFileName/SourceImage
InitiatingProcessId#SourceProcessId
FolderPath=TargetImage
FileName/TargetImage
ProcessId#TargetProcessId";

const PROCESS: Cols = "\
FileName/Image
FolderPath=Image
ProcessId#ProcessId
ProcessCommandLine=CommandLine
ProcessVersionInfoOriginalFileName=OriginalFileName
ProcessVersionInfoFileDescription=Description
ProcessVersionInfoProductName=Product
ProcessVersionInfoCompanyName=Company
LogonId#LogonId";

/// A file-like object of the event: path and name.
fn object(m: &mut Map<String, Value>, path: &str) {
    set(m, "FolderPath", path);
    set(m, "FileName", basename(path));
}

/// `DOMAIN\user` of `field` into the `<prefix>AccountDomain`/`Name` columns.
fn account_columns(m: &mut Map<String, Value>, r: &WinRecord, field: &str, prefix: &str) {
    if r.has(field) {
        let (d, n) = account(r.get(field));
        m.insert(format!("{prefix}AccountDomain"), Value::from(d));
        m.insert(format!("{prefix}AccountName"), Value::from(n));
    }
}

/// The row Defender writes for the activity of a Sysmon event, with its table.
pub(crate) fn from_sysmon(r: &WinRecord) -> Option<(&'static str, Map<String, Value>)> {
    let mut m = Map::new();
    let (table, action, acting): (&'static str, String, Cols) = match r.event_id {
        1 => ("DeviceProcessEvents", "ProcessCreated".into(), PARENT),
        3 => {
            let outbound = !r.get("Initiated").eq_ignore_ascii_case("false");
            // This device in Local*, the peer in Remote*, whatever the direction.
            let (local, remote) = if outbound { ("Source", "Destination") } else { ("Destination", "Source") };
            for (col, side, what) in [
                ("LocalIP", local, "Ip"),
                ("LocalPort", local, "Port"),
                ("RemoteIP", remote, "Ip"),
                ("RemotePort", remote, "Port"),
            ] {
                let v = r.get(&format!("{side}{what}"));
                m.insert(col.into(), if what == "Port" { number(v) } else { Value::from(v) });
            }
            let host = r.get(&format!("{remote}Hostname"));
            if !host.is_empty() && host != "-" {
                set(&mut m, "RemoteUrl", host);
            }
            let p = r.get("Protocol").to_ascii_lowercase();
            let proto = match p.get(..1) {
                Some(first) => format!("{}{}", first.to_ascii_uppercase(), p.get(1..).unwrap_or("")),
                None => p,
            };
            set(&mut m, "Protocol", proto);
            (
                "DeviceNetworkEvents",
                if outbound { "ConnectionSuccess" } else { "InboundConnectionAccepted" }.into(),
                INITIATING,
            )
        }
        2 | 11 | 23 | 26 => {
            object(&mut m, r.get("TargetFilename"));
            let action = match r.event_id {
                11 => "FileCreated",
                2 => "FileModified",
                _ => "FileDeleted",
            };
            ("DeviceFileEvents", action.into(), INITIATING)
        }
        12..=14 => {
            let action = match (r.event_id, r.get("EventType")) {
                (12, "DeleteKey") => "RegistryKeyDeleted",
                (12, "DeleteValue") => "RegistryValueDeleted",
                (12, _) => "RegistryKeyCreated",
                (13, _) => "RegistryValueSet",
                _ => "RegistryKeyRenamed",
            };
            registry(&mut m, r, action);
            ("DeviceRegistryEvents", action.into(), INITIATING)
        }
        7 => {
            object(&mut m, r.get("ImageLoaded"));
            ("DeviceImageLoadEvents", "ImageLoaded".into(), INITIATING)
        }
        22 | 17 | 18 => {
            let mut add = Map::new();
            let action = if r.event_id == 22 {
                set(&mut add, "DnsQueryString", r.get("QueryName"));
                set(&mut add, "DnsQueryResult", r.get("QueryResults"));
                "DnsQueryResponse"
            } else {
                set(&mut add, "PipeName", format!("\\Device\\NamedPipe{}", r.get("PipeName")));
                "NamedPipeEvent"
            };
            set(&mut m, "AdditionalFields", Value::Object(add));
            ("DeviceEvents", action.into(), INITIATING)
        }
        8 | 10 => {
            let action = if r.event_id == 8 { "CreateRemoteThreadApiCall" } else { "OpenProcessApiCall" };
            account_columns(&mut m, r, "SourceUser", "InitiatingProcess");
            ("DeviceEvents", action.into(), SOURCE_PROCESS)
        }
        6 => {
            object(&mut m, r.get("ImageLoaded"));
            ("DeviceEvents", "DriverLoad".into(), "")
        }
        _ => return None,
    };
    common(&mut m, r, &action);
    fill(&mut m, r, "", acting);
    if r.event_id == 1 {
        fill(&mut m, r, "", PROCESS);
        set(&mut m, "ProcessIntegrityLevel", integrity(r.get("IntegrityLevel")));
        account_columns(&mut m, r, "User", "");
        account_columns(&mut m, r, "ParentUser", "InitiatingProcess");
    } else if !matches!(r.event_id, 6 | 8 | 10) {
        account_columns(&mut m, r, "User", "InitiatingProcess");
    }
    hashes(&mut m, r.get("Hashes"), "");
    Some((table, m))
}

/// Registry columns: the key (hive spelled out) and value name apart; for
/// deletions the affected key in the Previous* columns; `Details` as type and data.
fn registry(m: &mut Map<String, Value>, r: &WinRecord, action: &str) {
    let target = registry_key(r.get("TargetObject"));
    let key_only = matches!(action, "RegistryKeyCreated" | "RegistryKeyDeleted" | "RegistryKeyRenamed");
    let (key, value) = match target.rsplit_once('\\') {
        Some((k, v)) if !key_only => (k.to_string(), v.to_string()),
        _ => (target.clone(), String::new()),
    };
    if action.ends_with("Deleted") {
        set(m, "PreviousRegistryKey", key.clone());
        set(m, "PreviousRegistryValueName", value.clone());
    }
    if r.event_id == 14 {
        set(m, "PreviousRegistryKey", key);
        set(m, "RegistryKey", registry_key(r.get("NewName")));
    } else {
        set(m, "RegistryKey", key);
    }
    set(m, "RegistryValueName", value);
    if r.event_id == 13 {
        let (kind, data) = registry_value(r.get("Details"));
        set(m, "RegistryValueType", kind);
        set(m, "RegistryValueData", data);
    }
}

/// A 4688 process start as Defender records it (`DeviceProcessEvents`).
const FROM_4688: Cols = "\
FolderPath=NewProcessName
FileName/NewProcessName
ProcessCommandLine=CommandLine
ProcessId#NewProcessId
InitiatingProcessFolderPath~ParentProcessName
InitiatingProcessFileName/ParentProcessName
InitiatingProcessId#ProcessId";

/// Security events as Defender rows: process creations (4688) and logons
/// (4624/4625, `DeviceLogonEvents`).
pub(crate) fn from_security(s: &WinRecord) -> Option<(&'static str, Map<String, Value>)> {
    if s.event_id == 4688 {
        let mut m = Map::new();
        common(&mut m, s, "ProcessCreated");
        fill(&mut m, s, "", FROM_4688);
        // The account the process runs as, and its creator: the service
        // accounts by SID (4688 names SYSTEM by the computer account).
        let no_target = s.get("TargetUserName") == "-";
        let (sid, d, n) = if no_target {
            (s.get("SubjectUserSid"), s.get("SubjectDomainName"), s.get("SubjectUserName"))
        } else {
            (s.get("TargetUserSid"), s.get("TargetDomainName"), s.get("TargetUserName"))
        };
        let named = |sid: &str, d: &str, n: &str| match super::security::WELL_KNOWN.iter().find(|w| w.0 == sid) {
            Some((_, _, name)) => ("nt authority".to_string(), name.to_ascii_lowercase()),
            None => (crate::base::case::to_lowercase(d), crate::base::case::to_lowercase(n)),
        };
        let (ad, an) = named(sid, d, n);
        set(&mut m, "AccountDomain", ad);
        set(&mut m, "AccountName", an);
        set(&mut m, "AccountSid", sid);
        let (id, iname) = named(s.get("SubjectUserSid"), s.get("SubjectDomainName"), s.get("SubjectUserName"));
        set(&mut m, "InitiatingProcessAccountDomain", id);
        set(&mut m, "InitiatingProcessAccountName", iname);
        let level = match s.get("MandatoryLabel") {
            "S-1-16-4096" => "Low",
            "S-1-16-12288" => "High",
            "S-1-16-16384" => "System",
            _ => "Medium",
        };
        set(&mut m, "ProcessIntegrityLevel", level);
        return Some(("DeviceProcessEvents", m));
    }
    let action = match s.event_id {
        4624 => "LogonSuccess",
        4625 => "LogonFailed",
        _ => return None,
    };
    let mut m = Map::new();
    common(&mut m, s, action);
    set(&mut m, "AccountDomain", crate::base::case::to_lowercase(s.get("TargetDomainName")));
    set(&mut m, "AccountName", crate::base::case::to_lowercase(s.get("TargetUserName")));
    set(&mut m, "AccountSid", s.get("TargetUserSid"));
    set(&mut m, "RemoteIP", s.get("IpAddress"));
    set(&mut m, "RemotePort", number(s.get("IpPort")));
    set(&mut m, "RemoteDeviceName", s.get("WorkstationName"));
    set(&mut m, "Protocol", s.get("AuthenticationPackageName"));
    let logon_type = match s.get("LogonType") {
        "2" => "Interactive",
        "3" => "Network",
        "4" => "Batch",
        "5" => "Service",
        "7" => "Unlock",
        "8" => "NetworkCleartext",
        "9" => "NewCredentials",
        "10" => "RemoteInteractive",
        "11" => "CachedInteractive",
        other => other,
    };
    set(&mut m, "LogonType", logon_type);
    Some(("DeviceLogonEvents", m))
}

/// The Sysmon fields Defender records, per Sysmon event id.
fn kept(event_id: i64) -> &'static [&'static str] {
    match event_id {
        1 => &[
            "Image",
            "CommandLine",
            "OriginalFileName",
            "Description",
            "Product",
            "Company",
            "ProcessId",
            "ParentImage",
            "ParentCommandLine",
            "ParentProcessId",
            "User",
            "ParentUser",
            "IntegrityLevel",
            "LogonId",
            "Hashes",
        ],
        3 => &[
            "Image",
            "ProcessId",
            "User",
            "Protocol",
            "Initiated",
            "SourceIp",
            "SourcePort",
            "DestinationIp",
            "DestinationPort",
            "DestinationHostname",
        ],
        2 | 11 | 23 | 26 => &["Image", "ProcessId", "User", "TargetFilename", "Hashes"],
        12..=14 => &["Image", "ProcessId", "User", "TargetObject", "EventType", "Details", "NewName"],
        7 => &["Image", "ProcessId", "User", "ImageLoaded", "Hashes"],
        22 => &["Image", "ProcessId", "User", "QueryName", "QueryResults"],
        17 | 18 => &["Image", "ProcessId", "User", "PipeName", "EventType"],
        8 | 10 => &["SourceImage", "SourceProcessId", "SourceUser", "TargetImage", "TargetProcessId"],
        6 => &["ImageLoaded", "Hashes"],
        _ => &[],
    }
}

/// A Sysmon event as Defender records it, in Sigma's names: only the fields
/// Defender keeps (no GUIDs, no IMPHASH, no working directory, ...).
pub(crate) fn sysmon_view(r: &WinRecord) -> Event {
    let keep = kept(r.event_id);
    let mut m = Map::new();
    set(&mut m, "EventID", r.event_id);
    set(&mut m, "Computer", r.computer.clone());
    for (k, v) in &r.data {
        if !keep.contains(&k.as_str()) {
            continue;
        }
        let v = if k == "Hashes" {
            super::hash_pairs(v)
                .filter(|(a, _)| DEFENDER_HASHES.contains(&a.as_str()))
                .map(|(a, h)| format!("{a}={h}"))
                .collect::<Vec<_>>()
                .join(",")
        } else if k == "DestinationHostname" && r.get("Initiated").eq_ignore_ascii_case("false") {
            continue;
        } else {
            v.clone()
        };
        m.insert(k.clone(), Value::from(v));
    }
    Event::from_json(Value::Object(m))
}

fn s(m: &Map<String, Value>, k: &str) -> String {
    super::text(m, k)
}

fn user(domain: &str, name: &str) -> String {
    if domain.eq_ignore_ascii_case("nt authority") {
        format!("NT AUTHORITY\\{}", name.to_ascii_uppercase())
    } else if domain.is_empty() {
        name.to_string()
    } else {
        format!("{domain}\\{name}")
    }
}

/// A pasted Defender row read in Sigma's field names (and its own columns).
pub(crate) fn sigma_view(table: &str, row: &Map<String, Value>) -> Event {
    let mut m = row.clone();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            m.insert(k.to_string(), Value::from(v));
        }
    };
    let ip_dom = s(row, "InitiatingProcessAccountDomain");
    let ip_name = s(row, "InitiatingProcessAccountName");
    match table {
        "DeviceProcessEvents" => {
            put("Image", s(row, "FolderPath"));
            put("CommandLine", s(row, "ProcessCommandLine"));
            put("OriginalFileName", s(row, "ProcessVersionInfoOriginalFileName"));
            put("Description", s(row, "ProcessVersionInfoFileDescription"));
            put("Product", s(row, "ProcessVersionInfoProductName"));
            put("Company", s(row, "ProcessVersionInfoCompanyName"));
            put("ProcessId", s(row, "ProcessId"));
            put("ParentImage", s(row, "InitiatingProcessFolderPath"));
            put("ParentCommandLine", s(row, "InitiatingProcessCommandLine"));
            put("ParentProcessId", s(row, "InitiatingProcessId"));
            put("User", user(&s(row, "AccountDomain"), &s(row, "AccountName")));
            put("ParentUser", if ip_name.is_empty() { String::new() } else { user(&ip_dom, &ip_name) });
            put("IntegrityLevel", s(row, "ProcessIntegrityLevel"));
        }
        _ => {
            put("Image", s(row, "InitiatingProcessFolderPath"));
            put("ProcessId", s(row, "InitiatingProcessId"));
            put("User", if ip_name.is_empty() { String::new() } else { user(&ip_dom, &ip_name) });
            match table {
                "DeviceNetworkEvents" => {
                    let inbound = s(row, "ActionType") == "InboundConnectionAccepted";
                    put("Initiated", (!inbound).to_string());
                    let (local, remote) = if inbound { ("Destination", "Source") } else { ("Source", "Destination") };
                    put(&format!("{local}Ip"), s(row, "LocalIP"));
                    put(&format!("{local}Port"), s(row, "LocalPort"));
                    put(&format!("{remote}Ip"), s(row, "RemoteIP"));
                    put(&format!("{remote}Port"), s(row, "RemotePort"));
                    put(&format!("{remote}Hostname"), s(row, "RemoteUrl"));
                    put("Protocol", crate::base::case::to_lowercase(&s(row, "Protocol")));
                }
                "DeviceFileEvents" | "DeviceImageLoadEvents" => {
                    let name = if table == "DeviceFileEvents" { "TargetFilename" } else { "ImageLoaded" };
                    put(name, s(row, "FolderPath"));
                }
                "DeviceRegistryEvents" => {
                    let key = s(row, "RegistryKey");
                    let value = s(row, "RegistryValueName");
                    put("TargetObject", if value.is_empty() { key } else { format!("{key}\\{value}") });
                    put("Details", s(row, "RegistryValueData"));
                }
                _ => {}
            }
        }
    }
    Event::from_json(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_formats() {
        assert_eq!(
            registry_key("HKLM\\System\\CurrentControlSet\\Services\\x"),
            "HKEY_LOCAL_MACHINE\\System\\ControlSet001\\Services\\x"
        );
        assert_eq!(
            registry_key("HKU\\S-1-5-21-1-2-3-1001\\Software\\Run"),
            "HKEY_CURRENT_USER\\S-1-5-21-1-2-3-1001\\Software\\Run"
        );
        assert_eq!(registry_value("DWORD (0x00000010)"), ("Dword", "16".to_string()));
        assert_eq!(registry_value("C:\\x.exe"), ("String", "C:\\x.exe".to_string()));
    }

    #[test]
    fn accounts_are_lowercase_and_split() {
        assert_eq!(account("NT AUTHORITY\\SYSTEM"), ("nt authority".to_string(), "system".to_string()));
        assert_eq!(account("CORP\\Alice"), ("corp".to_string(), "alice".to_string()));
        assert_eq!(user("nt authority", "system"), "NT AUTHORITY\\SYSTEM");
    }
}
