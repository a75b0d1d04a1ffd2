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

use super::{Row, Src};
use crate::sources::Feed;

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

fn event_type(sysmon: &str) -> &'static str {
    match sysmon {
        "CreateKey" => "RegistryKeyCreated",
        "DeleteKey" => "RegistryKeyDeleted",
        "DeleteValue" => "RegistryValueDeleted",
        "SetValue" => "RegistryValueSet",
        "RenameKey" => "RegistryKeyRenamed",
        _ => "",
    }
}

/// The Event parser's positional read: the named values in exactly this order.
const LEAD: [&str; 7] = ["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject"];

pub(crate) fn sysmon(src: &Src, feed: Feed, id: i64) -> Option<super::Parsed> {
    let mut r = Row::default();
    let (lead_ok, details, user) = if feed == Feed::SysmonEvent {
        let ok = lead_ok(src);
        let tail = src.order.get(LEAD.len()..LEAD.len() + 2).is_some_and(|t| t[0] == "Details" && t[1] == "User");
        let tail_ok = ok && tail;
        (ok, if tail_ok { src.get("Details") } else { String::new() }, if tail_ok { src.get("User") } else { String::new() })
    } else {
        (true, String::new(), src.get("User"))
    };
    let (et_raw, target, image, pid, guid) = if lead_ok {
        (src.get("EventType"), src.get("TargetObject"), src.get("Image"), src.get("ProcessId"), src.guid("ProcessGuid"))
    } else {
        Default::default()
    };
    let et = event_type(&et_raw);
    let path = if id == 14 {
        // The new name: never read by either parser (see the module docs).
        String::new()
    } else {
        rewrite_hive(&target)
    };
    let (key, value) = if matches!(et, "RegistryValueSet" | "RegistryValueDeleted") {
        match path.rsplit_once('\\') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (path.clone(), String::new()),
        }
    } else if id == 14 {
        (String::new(), String::new())
    } else {
        (path.clone(), String::new())
    };
    r.s("EventType", et)
        .s("EventOriginalSubType", et_raw)
        .s("EventOriginalType", id.to_string())
        .s("RegistryKey", key)
        .s("RegistryValue", value)
        .s("RegistryValueData", if et == "RegistryValueSet" { details.clone() } else { String::new() })
        .s("ActingProcessName", image.clone())
        .s("Process", image)
        .s("ActingProcessId", pid)
        .s("ActingProcessGuid", guid)
        .s("ActorUsername", user.clone())
        .s("User", user)
        .s("Dvc", src.computer.clone())
        .s("EventProduct", "Sysmon")
        .s("EventVendor", "Microsoft")
        .s("TimeGenerated", src.time.clone());
    let mut lost = vec!["NewName"];
    if feed == Feed::SysmonWindowsEvent || src.get("Details") != details {
        lost.push("Details");
    }
    if src.get("User") != r.0.get("ActorUsername").and_then(Value::as_str).unwrap_or("") {
        lost.push("User");
    }
    if !lead_ok {
        lost.extend(["EventType", "TargetObject", "Image", "ProcessId", "ProcessGuid"]);
    }
    Some((r.0, lost))
}

/// Whether the record's named values start with [`LEAD`] in that order (the
/// Event parser's first `parse` pattern).
fn lead_ok(src: &Src) -> bool {
    let order = &src.order;
    order.len() >= LEAD.len() && order.iter().take(LEAD.len()).zip(LEAD).all(|(a, b)| a == b)
}

pub(crate) fn defender(d: &Map<String, Value>) -> Option<Map<String, Value>> {
    let t = |k: &str| crate::sources::text(d, k);
    let action = t("ActionType");
    let deleted_key = action == "RegistryKeyDeleted" || action == "RegistryValueDeleted";
    let key = if deleted_key { t("PreviousRegistryKey") } else { t("RegistryKey") };
    let value = if action == "RegistryValueDeleted" { t("PreviousRegistryValueName") } else { t("RegistryValueName") };
    let kind = match t("RegistryValueType").as_str() {
        "None" => "Reg_None",
        "String" => "Reg_Sz",
        "ExpandString" => "Reg_Expand_Sz",
        "Binary" => "Reg_Binary",
        "Dword" => "Reg_DWord",
        "MultiString" => "Reg_Multi_Sz",
        "QWord" => "Reg_QWord",
        _ => "",
    };
    let actor = if t("InitiatingProcessAccountDomain").is_empty() {
        t("InitiatingProcessAccountName")
    } else {
        format!("{}\\{}", t("InitiatingProcessAccountDomain"), t("InitiatingProcessAccountName"))
    };
    let mut r = Row::default();
    r.s("EventType", action)
        .s("RegistryKey", key)
        .s("RegistryValue", value)
        .s("RegistryValueData", t("RegistryValueData"))
        .s("RegistryValueType", kind)
        .s("ActingProcessName", t("InitiatingProcessFolderPath"))
        .s("Process", t("InitiatingProcessFolderPath"))
        .s("ActingProcessId", t("InitiatingProcessId"))
        .s("ActingProcessCommandLine", t("InitiatingProcessCommandLine"))
        .s("ParentProcessName", t("InitiatingProcessParentFileName"))
        .s("ActorUsername", actor.clone())
        .s("User", actor)
        .s("DvcHostname", t("DeviceName"))
        .s("Dvc", t("DeviceName"))
        .s("EventProduct", "M365 Defender for Endpoint")
        .s("EventVendor", "Microsoft")
        .s("TimeGenerated", t("Timestamp"));
    Some(r.0)
}
