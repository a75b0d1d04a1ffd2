//! imFileEvent: the Sysmon file parsers (ASimFileEventMicrosoftSysmon 0.4.1
//! for `Event`, vimFileEventMicrosoftSysmonWindowsEvent 0.5.1 for
//! `WindowsEvent`) and the Defender parser (vimFileEventM365D 0.2.1).
//!
//! Facts (docs/sources.md): Sysmon event 11 is `FileCreated`, 23 and 26 are
//! `FileDeleted` (no FileModified or FileRenamed from Sysmon); Defender's
//! ActionType is kept as it is; the Defender parser builds `TargetFilePath`
//! as `FolderPath\FileName`, though `FolderPath` already ends with the file
//! name, so the name is repeated (a parser fault).

use serde_json::{Map, Value};

use super::{Row, Src};
use crate::sources::Feed;

pub(crate) fn sysmon(src: &Src, _feed: Feed, id: i64) -> Option<Map<String, Value>> {
    let mut r = Row::default();
    let path = src.get("TargetFilename");
    // Only a backslash splits the name (a `/` path keeps it whole).
    let name = path.rsplit('\\').next().unwrap_or("").to_string();
    r.s("EventType", if id == 11 { "FileCreated" } else { "FileDeleted" })
        .s("EventOriginalType", id.to_string())
        .s("TargetFilePath", path)
        .s("TargetFileName", name)
        .s("TargetFilePathType", "Windows")
        .s("ActingProcessName", src.get("Image"))
        .s("Process", src.get("Image"))
        .s("ActingProcessId", src.get("ProcessId"))
        .s("ActingProcessGuid", src.guid("ProcessGuid"))
        .s("ActorUsername", src.get("User"))
        .s("User", src.get("User"))
        .s("DvcHostname", src.computer.clone())
        .s("Dvc", src.computer.clone())
        .s("EventProduct", "Sysmon")
        .s("EventVendor", "Microsoft")
        .s("TimeGenerated", src.time.clone());
    let hashes = src.get("Hashes");
    for (alg, h) in crate::sources::hash_pairs(&hashes) {
        if matches!(alg.as_str(), "MD5" | "SHA1" | "SHA256") {
            r.s(&format!("TargetFile{alg}"), h);
        }
    }
    Some(r.0)
}

pub(crate) fn defender(d: &Map<String, Value>) -> Option<Map<String, Value>> {
    let t = |k: &str| crate::sources::text(d, k);
    let mut r = Row::default();
    let folder = t("FolderPath");
    let sep = if folder.starts_with('/') { "/" } else { "\\" };
    let upn = t("InitiatingProcessAccountUpn");
    let actor = if upn.is_empty() {
        format!("{}\\{}", t("InitiatingProcessAccountDomain"), t("InitiatingProcessAccountName"))
    } else {
        upn
    };
    let (host, domain, _, fqdn) = super::resolve_fqdn(&t("DeviceName"));
    r.s("EventType", t("ActionType"))
        .s("TargetFileName", t("FileName"))
        .s("TargetFilePath", format!("{folder}{sep}{}", t("FileName")))
        .s("SrcFileName", t("PreviousFileName"))
        .s("SrcFilePath", format!("{}{sep}{}", t("PreviousFolderPath"), t("PreviousFileName")))
        .s("TargetFileMD5", t("MD5"))
        .s("TargetFileSHA1", t("SHA1"))
        .s("TargetFileSHA256", t("SHA256"))
        .s("ActingProcessName", t("InitiatingProcessFolderPath"))
        .s("Process", t("InitiatingProcessFolderPath"))
        .s("ActingProcessId", t("InitiatingProcessId"))
        .s("ActingProcessCommandLine", t("InitiatingProcessCommandLine"))
        .s("CommandLine", t("InitiatingProcessCommandLine"))
        .s("ActorUsername", actor.clone())
        .s("User", actor)
        .s("DvcHostname", host.clone())
        .s("DvcDomain", domain)
        .s("DvcFQDN", fqdn.clone())
        .s("Dvc", if fqdn.is_empty() { host } else { fqdn })
        .s("EventProduct", "M365 Defender for Endpoint")
        .s("EventVendor", "Microsoft")
        .s("TimeGenerated", t("Timestamp"));
    Some(r.0)
}
