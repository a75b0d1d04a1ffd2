//! Windows Security events: event 4688 built from a Sysmon process creation
//! (the same process start as the Security log records it), `SecurityEvent`
//! rows, and a Security record as Sigma sees it.
//!
//! Facts (docs/sources.md, "Windows Security 4688"): process ids are hex
//! (`0x1a2c`); `ProcessId` is the creator's id; `MandatoryLabel` is the
//! integrity SID; the Subject is the account that created the process, the
//! Target the account it runs as when that differs (else `-` and the null
//! SID); a process started by LocalSystem has the computer account as its
//! Subject (`HOST$` in the machine's domain, SID S-1-5-18), never
//! `NT AUTHORITY\SYSTEM`.

use serde_json::{Map, Value};

use super::set;

use super::record::{Record, WinRecord, SECURITY};
use crate::event::Event;

/// Well-known service accounts: SID, logon id, the English name, and the
/// domain words Windows writes for them in other languages.
pub(crate) const WELL_KNOWN: &[(&str, &str, &str)] = &[
    ("S-1-5-18", "0x3e7", "SYSTEM"),
    ("S-1-5-19", "0x3e5", "LOCAL SERVICE"),
    ("S-1-5-20", "0x3e4", "NETWORK SERVICE"),
];

/// Spellings of the `NT AUTHORITY` domain (English, German, French, Spanish,
/// Italian, Portuguese), as Sysmon writes it in the system's language.
const NT_AUTHORITY: &[&str] =
    &["NT AUTHORITY", "NT-AUTORITÄT", "AUTORITE NT", "AUTORIDAD NT", "AUTORITÀ NT", "AUTORIDADE NT"];

/// The well-known account a `DOMAIN\name` is, if any: (SID, logon id, English name).
pub(crate) fn well_known(user: &str) -> Option<(&'static str, &'static str, &'static str)> {
    let (domain, name) = user.rsplit_once('\\')?;
    if !NT_AUTHORITY.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
        return None;
    }
    // Lowercase, as the case tables for it are in the build anyway.
    let lower = crate::base::case::to_lowercase(name);
    let name = match lower.as_str() {
        "system" | "système" | "sistema" => "SYSTEM",
        "local service" | "lokaler dienst" | "service local" | "servicio local" => "LOCAL SERVICE",
        "network service" | "netzwerkdienst" | "service réseau" | "servicio de red" => "NETWORK SERVICE",
        _ => return None,
    };
    WELL_KNOWN.iter().find(|w| w.2 == name).copied()
}

/// The machine's NetBIOS name and domain from a computer name (`host.corp.example`).
fn machine(computer: &str) -> (String, String) {
    let mut parts = computer.split('.');
    let host = parts.next().unwrap_or("").to_ascii_uppercase();
    let domain = parts.next().map(str::to_ascii_uppercase).unwrap_or_else(|| "WORKGROUP".to_string());
    (host, domain)
}

fn hex_id(decimal: &str) -> String {
    match decimal.trim().parse::<u64>() {
        Ok(n) => format!("0x{n:x}"),
        Err(_) if decimal.trim().starts_with("0x") => decimal.trim().to_string(),
        Err(_) => "0x0".to_string(),
    }
}

/// Integrity level word (Sysmon) → mandatory label SID (Security log).
pub(crate) fn integrity_sid(level: &str) -> &'static str {
    match level.to_ascii_lowercase().as_str() {
        "untrusted" | "s-1-16-0" => "S-1-16-0",
        "low" | "s-1-16-4096" => "S-1-16-4096",
        "medium plus" | "s-1-16-8448" => "S-1-16-8448",
        "high" | "s-1-16-12288" => "S-1-16-12288",
        "system" | "s-1-16-16384" => "S-1-16-16384",
        "protected" | "s-1-16-20480" => "S-1-16-20480",
        _ => "S-1-16-8192",
    }
}

/// (name, domain, SID, logon id) of an account as the Security log writes it as Subject.
fn subject_of(user: &str, logon_id: &str, computer: &str) -> (String, String, String, String) {
    let (host, domain) = machine(computer);
    match well_known(user) {
        Some(("S-1-5-18", id, _)) => (format!("{host}$"), domain, "S-1-5-18".into(), id.into()),
        Some((sid, id, name)) => (name.to_string(), "NT AUTHORITY".into(), sid.into(), id.into()),
        None => {
            // A local account's domain is the computer's name.
            let (d, n) = user.rsplit_once('\\').unwrap_or((host.as_str(), user));
            (n.to_string(), d.to_string(), ordinary_sid(n), logon_id.to_string())
        }
    }
}

/// Sysmon does not record SIDs: ordinary accounts get a stable made-up
/// domain SID (documented in docs/sources.md; rules seldom test it).
fn ordinary_sid(name: &str) -> String {
    let rid = 1000 + name.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 9000;
    format!("S-1-5-21-1004336348-1177238915-682003330-{rid}")
}

/// Event 4688 for a Sysmon process creation (event 1); `None` for other events.
pub(crate) fn from_sysmon(r: &WinRecord) -> Option<WinRecord> {
    if r.event_id != 1 || r.linux() {
        return None;
    }
    let user = r.get("User");
    let creator = if r.has("ParentUser") && !r.get("ParentUser").is_empty() { r.get("ParentUser") } else { user };
    let logon = r.get("LogonId");
    let (s_name, s_domain, s_sid, s_logon) = subject_of(creator, logon, &r.computer);
    let (t_name, t_domain, t_sid, t_logon) = if creator.eq_ignore_ascii_case(user) {
        ("-".to_string(), "-".to_string(), "S-1-0-0".to_string(), "0x0".to_string())
    } else {
        match well_known(user) {
            Some((sid, id, name)) => (name.to_string(), "NT AUTHORITY".to_string(), sid.to_string(), id.to_string()),
            None => {
                let host = machine(&r.computer).0;
                let (d, n) = user.rsplit_once('\\').unwrap_or((host.as_str(), user));
                (n.to_string(), d.to_string(), ordinary_sid(n), logon.to_string())
            }
        }
    };
    let level = r.get("IntegrityLevel");
    let elevation = match level.to_ascii_lowercase().as_str() {
        "system" => "%%1936",
        "high" => "%%1937",
        _ => "%%1938",
    };
    let data: Vec<(String, String)> = [
        ("SubjectUserSid", s_sid),
        ("SubjectUserName", s_name),
        ("SubjectDomainName", s_domain),
        ("SubjectLogonId", s_logon),
        ("NewProcessId", hex_id(r.get("ProcessId"))),
        ("NewProcessName", r.get("Image").to_string()),
        ("TokenElevationType", elevation.to_string()),
        ("ProcessId", hex_id(r.get("ParentProcessId"))),
        ("CommandLine", r.get("CommandLine").to_string()),
        ("TargetUserSid", t_sid),
        ("TargetUserName", t_name),
        ("TargetDomainName", t_domain),
        ("TargetLogonId", t_logon),
        ("ParentProcessName", r.get("ParentImage").to_string()),
        ("MandatoryLabel", integrity_sid(level).to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Some(WinRecord {
        provider: SECURITY,
        channel: "Security",
        event_id: 4688,
        computer: r.computer.clone(),
        time: r.time.clone(),
        data,
    })
}

/// A `SecurityEvent` row: every named value is a column of its own (the
/// table has columns for the Security log's fields), plus the summary columns.
pub(crate) fn security_event_row(r: &WinRecord) -> Map<String, Value> {
    let mut m = Map::new();
    set(&mut m, "TimeGenerated", r.time.clone());
    set(&mut m, "Computer", r.computer.clone());
    set(&mut m, "EventSourceName", r.provider);
    set(&mut m, "Channel", "Security");
    set(&mut m, "EventID", r.event_id);
    set(&mut m, "Type", "SecurityEvent");
    set(&mut m, "EventData", super::windows::event_data_xml(r));
    for (k, v) in &r.data {
        if crate::kusto::schema::has_column("SecurityEvent", k) {
            m.insert(k.clone(), Value::from(v.clone()));
        }
    }
    let subject = format!("{}\\{}", r.get("SubjectDomainName"), r.get("SubjectUserName"));
    set(&mut m, "SubjectAccount", subject.clone());
    let target_name = r.get("TargetUserName");
    let account = if target_name.is_empty() || target_name == "-" {
        subject
    } else {
        format!("{}\\{}", r.get("TargetDomainName"), target_name)
    };
    set(&mut m, "TargetAccount", if target_name == "-" { "-\\-".to_string() } else { account.clone() });
    set(&mut m, "AccountType", if account.ends_with('$') { "Machine" } else { "User" });
    set(&mut m, "Account", account);
    if r.event_id == 4688 {
        set(&mut m, "Process", super::basename(r.get("NewProcessName")));
        set(&mut m, "Activity", "4688 - A new process has been created.");
    }
    m
}

/// The account a 4688 process runs as, as `DOMAIN\name` (well-known accounts
/// by their SID, as Sysmon names them).
fn process_user(r: &WinRecord) -> String {
    let (sid, domain, name) = if r.get("TargetUserName").is_empty() || r.get("TargetUserName") == "-" {
        (r.get("SubjectUserSid"), r.get("SubjectDomainName"), r.get("SubjectUserName"))
    } else {
        (r.get("TargetUserSid"), r.get("TargetDomainName"), r.get("TargetUserName"))
    };
    match WELL_KNOWN.iter().find(|w| w.0 == sid) {
        Some((_, _, n)) => format!("NT AUTHORITY\\{n}"),
        None => format!("{domain}\\{name}"),
    }
}

fn integrity_word(sid: &str) -> &'static str {
    match sid {
        "S-1-16-0" => "Untrusted",
        "S-1-16-4096" => "Low",
        "S-1-16-12288" => "High",
        "S-1-16-16384" => "System",
        "S-1-16-20480" => "Protected",
        _ => "Medium",
    }
}

fn hex_to_decimal(s: &str) -> String {
    u64::from_str_radix(s.trim().trim_start_matches("0x"), 16).map(|n| n.to_string()).unwrap_or_default()
}

/// The Sysmon fields a Security 4688 record carries (what the rule can be
/// matched on for this source).
const SYSMON_1_IN_4688: &[&str] =
    &["Image", "CommandLine", "ParentImage", "ProcessId", "ParentProcessId", "User", "IntegrityLevel", "LogonId"];

/// A Security record as Sigma sees it: its own fields and, for 4688, the
/// Sysmon names of what it records. Built from a Sysmon event, only the
/// fields 4688 records are kept.
pub(crate) fn sigma_view(sec: &WinRecord, origin: &Record) -> Event {
    let mut m = Map::new();
    set(&mut m, "EventID", sec.event_id);
    set(&mut m, "Provider_Name", sec.provider);
    set(&mut m, "Channel", "Security");
    set(&mut m, "Computer", sec.computer.clone());
    for (k, v) in &sec.data {
        m.insert(k.clone(), Value::from(v.clone()));
    }
    if sec.event_id == 4688 {
        match origin {
            Record::Sysmon(s) => {
                for f in SYSMON_1_IN_4688 {
                    if s.has(f) {
                        m.insert((*f).to_string(), Value::from(s.get(f)));
                    }
                }
                // 4688 always records the creator (the one `from_sysmon` chose),
                // and a local account in the computer's domain; Sysmon's own
                // spelling of the service accounts is kept.
                let creator = if s.get("ParentUser").is_empty() { s.get("User") } else { s.get("ParentUser") };
                let qualify = |u: &str| {
                    if u.contains('\\') || u.is_empty() {
                        u.to_string()
                    } else {
                        format!("{}\\{u}", machine(&s.computer).0)
                    }
                };
                set(&mut m, "ParentUser", qualify(creator));
                if s.has("User") {
                    set(&mut m, "User", qualify(s.get("User")));
                }
            }
            _ => {
                set(&mut m, "Image", sec.get("NewProcessName"));
                set(&mut m, "ParentImage", sec.get("ParentProcessName"));
                set(&mut m, "ProcessId", hex_to_decimal(sec.get("NewProcessId")));
                set(&mut m, "ParentProcessId", hex_to_decimal(sec.get("ProcessId")));
                set(&mut m, "User", process_user(sec));
                let creator = match WELL_KNOWN.iter().find(|w| w.0 == sec.get("SubjectUserSid")) {
                    Some((_, _, n)) => format!("NT AUTHORITY\\{n}"),
                    None => format!("{}\\{}", sec.get("SubjectDomainName"), sec.get("SubjectUserName")),
                };
                set(&mut m, "ParentUser", creator);
                set(&mut m, "IntegrityLevel", integrity_word(sec.get("MandatoryLabel")));
            }
        }
    }
    Event::from_json(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sysmon(user: &str, parent_user: Option<&str>) -> WinRecord {
        let mut data = vec![
            ("Image".to_string(), "C:\\Windows\\System32\\cmd.exe".to_string()),
            ("ProcessId".to_string(), "6700".to_string()),
            ("ParentProcessId".to_string(), "4".to_string()),
            ("User".to_string(), user.to_string()),
            ("IntegrityLevel".to_string(), "System".to_string()),
            ("LogonId".to_string(), "0x3e7".to_string()),
        ];
        if let Some(p) = parent_user {
            data.push(("ParentUser".into(), p.into()));
        }
        WinRecord {
            provider: "Microsoft-Windows-Sysmon",
            channel: "",
            event_id: 1,
            computer: "win-a.corp.example".into(),
            time: String::new(),
            data,
        }
    }

    #[test]
    fn system_is_the_computer_account() {
        let Some(s) = from_sysmon(&sysmon("NT AUTHORITY\\SYSTEM", None)) else { panic!("4688") };
        assert_eq!(s.get("SubjectUserName"), "WIN-A$");
        assert_eq!(s.get("SubjectDomainName"), "CORP");
        assert_eq!(s.get("SubjectUserSid"), "S-1-5-18");
        assert_eq!(s.get("TargetUserName"), "-");
        assert_eq!(s.get("NewProcessId"), "0x1a2c");
        assert_eq!(s.get("ProcessId"), "0x4");
        assert_eq!(s.get("MandatoryLabel"), "S-1-16-16384");
        assert_eq!(process_user(&s), "NT AUTHORITY\\SYSTEM");
        let row = security_event_row(&s);
        assert_eq!(row["Account"], "CORP\\WIN-A$");
        assert_eq!(row["AccountType"], "Machine");
    }

    #[test]
    fn another_account_is_the_target() {
        let Some(s) = from_sysmon(&sysmon("NT-AUTORITÄT\\LOKALER DIENST", Some("NT AUTHORITY\\SYSTEM"))) else {
            panic!("4688")
        };
        assert_eq!(s.get("TargetUserName"), "LOCAL SERVICE");
        assert_eq!(s.get("TargetUserSid"), "S-1-5-19");
        assert_eq!(process_user(&s), "NT AUTHORITY\\LOCAL SERVICE");
    }
}
