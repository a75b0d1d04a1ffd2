//! imRegistry: the Sysmon registry parsers (vimRegistryEventMicrosoftSysmon
//! 0.3.1 for `Event`, vimRegistryEventMicrosoftSysmonWindowsEvent 0.3.1 for
//! `WindowsEvent`) and the Defender parser (vimRegistryEventMicrosoft365D 0.1.3).
//!
//! Facts (docs/sources.md): Sysmon hives are rewritten `HKLM` →
//! `HKEY_LOCAL_MACHINE`, `HKU` → `HKEY_USERS`, `HKCR` →
//! `HKEY_LOCAL_MACHINE\Classes`, any other prefix lost; the key and value are
//! split at the last backslash for value events only; the Event parser reads
//! the data positionally, so `Details` and the user need `User` right after
//! `Details` (events 12 and 14 lose the user); the WindowsEvent parser reads a
//! `Parameter` field Sysmon never writes, so `RegistryValueData` is empty;
//! neither sets `RegistryValueType` nor `DvcHostname` (only `Dvc`); Defender's
//! keys pass through as Defender writes them.

use serde_json::{Map, Value};

use super::{set, Src};
use crate::sources::{fill, Cols, Feed};

fn rewrite_hive(path: &str) -> String {
    let (prefix, rest) = path.split_once('\\').unwrap_or((path, ""));
    let hive = match prefix {
        "HKLM" => "HKEY_LOCAL_MACHINE",
        "HKU" => "HKEY_USERS",
        "HKCR" => "HKEY_LOCAL_MACHINE\\Classes",
        _ => "",
    };
    format!("{hive}\\{rest}")
}

const EVENT_TYPES: &[(&str, &str)] = &[
    ("CreateKey", "RegistryKeyCreated"),
    ("DeleteKey", "RegistryKeyDeleted"),
    ("DeleteValue", "RegistryValueDeleted"),
    ("SetValue", "RegistryValueSet"),
    ("RenameKey", "RegistryKeyRenamed"),
];

/// The Event parser's positional read: the named values in exactly this order.
const LEAD: [&str; 7] = ["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject"];

const SYSMON: Cols = "\
ActingProcessName=Image
Process=Image
ActingProcessId=ProcessId
ActingProcessGuid{ProcessGuid
Dvc@
EventProduct:Sysmon
EventVendor:Microsoft
TimeGenerated^";

pub(crate) fn sysmon(src: &Src, feed: Feed, id: i64) -> super::Parsed {
    let mut r = Map::new();
    // Event: two positional patterns, the lead values in order, then `Details`
    // directly followed by `User`. WindowsEvent: by name, `User` but never
    // `Details` (it reads `Parameter`).
    let (lead_ok, tail_ok) = if feed == Feed::SysmonEvent {
        let lead = src.order.len() >= LEAD.len() && src.order.iter().zip(LEAD).all(|(a, b)| a == b);
        let tail = src.order.get(LEAD.len()..LEAD.len() + 2).is_some_and(|t| t[0] == "Details" && t[1] == "User");
        (lead, lead && tail)
    } else {
        (true, false)
    };
    let got = |k: &str| if lead_ok { src.get(k) } else { String::new() };
    let user = if feed == Feed::SysmonEvent && !tail_ok { String::new() } else { src.get("User") };
    let details = if tail_ok { src.get("Details") } else { String::new() };
    if lead_ok {
        fill(&mut r, src, "", SYSMON);
    }
    let et_raw = got("EventType");
    let et = EVENT_TYPES.iter().find(|(s, _)| *s == et_raw).map_or("", |(_, a)| *a);
    // A renamed key's new name: read by neither parser.
    let path = if id == 14 { String::new() } else { rewrite_hive(&got("TargetObject")) };
    let (key, value) = match path.rsplit_once('\\') {
        Some((k, v)) if matches!(et, "RegistryValueSet" | "RegistryValueDeleted") => (k.to_string(), v.to_string()),
        _ => (path.clone(), String::new()),
    };
    set(&mut r, "EventType", et);
    set(&mut r, "EventOriginalSubType", et_raw);
    set(&mut r, "EventOriginalType", id.to_string());
    set(&mut r, "RegistryKey", key);
    set(&mut r, "RegistryValue", value);
    set(&mut r, "RegistryValueData", if et == "RegistryValueSet" { details.clone() } else { String::new() });
    set(&mut r, "ActorUsername", user.clone());
    set(&mut r, "User", user.clone());
    let mut lost = vec!["NewName"];
    if src.get("Details") != details {
        lost.push("Details");
    }
    if src.get("User") != user {
        lost.push("User");
    }
    if !lead_ok {
        lost.extend(["EventType", "TargetObject", "Image", "ProcessId", "ProcessGuid"]);
    }
    (r, lost)
}

const DEFENDER: Cols = "\
EventType=ActionType
RegistryValueData=RegistryValueData
ActingProcessName=InitiatingProcessFolderPath
Process=InitiatingProcessFolderPath
ActingProcessId=InitiatingProcessId
ActingProcessCommandLine=InitiatingProcessCommandLine
ParentProcessName=InitiatingProcessParentFileName
DvcHostname=DeviceName
Dvc=DeviceName
EventProduct:M365 Defender for Endpoint
EventVendor:Microsoft
TimeGenerated^";

const VALUE_TYPES: &[(&str, &str)] = &[
    ("None", "Reg_None"),
    ("String", "Reg_Sz"),
    ("ExpandString", "Reg_Expand_Sz"),
    ("Binary", "Reg_Binary"),
    ("Dword", "Reg_DWord"),
    ("MultiString", "Reg_Multi_Sz"),
    ("QWord", "Reg_QWord"),
];

pub(crate) fn defender(d: &Map<String, Value>) -> Map<String, Value> {
    let src = Src::row(d);
    let mut r = Map::new();
    fill(&mut r, &src, "", DEFENDER);
    let action = src.get("ActionType");
    let key = src.get(if action.ends_with("Deleted") { "PreviousRegistryKey" } else { "RegistryKey" });
    let value =
        src.get(if action == "RegistryValueDeleted" { "PreviousRegistryValueName" } else { "RegistryValueName" });
    let kind = src.get("RegistryValueType");
    set(&mut r, "RegistryKey", key);
    set(&mut r, "RegistryValue", value);
    set(&mut r, "RegistryValueType", VALUE_TYPES.iter().find(|(k, _)| *k == kind).map_or("", |(_, v)| *v));
    let actor =
        super::process::joined(&src.get("InitiatingProcessAccountDomain"), &src.get("InitiatingProcessAccountName"));
    set(&mut r, "ActorUsername", actor.clone());
    set(&mut r, "User", actor);
    r
}
