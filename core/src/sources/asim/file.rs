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

use super::{set, Src};
use crate::sources::{fill, Cols};

const SYSMON: Cols = "\
TargetFilePath=TargetFilename
TargetFilePathType:Windows
ActingProcessName=Image
Process=Image
ActingProcessId=ProcessId
ActingProcessGuid{ProcessGuid
ActorUsername=User
User=User
DvcHostname@
Dvc@
EventProduct:Sysmon
EventVendor:Microsoft
TimeGenerated^";

pub(crate) fn sysmon(src: &Src, id: i64) -> Map<String, Value> {
    let mut r = Map::new();
    fill(&mut r, src, "", SYSMON);
    // Only a backslash splits the name (a `/` path keeps it whole).
    let path = src.get("TargetFilename");
    set(&mut r, "TargetFileName", path.rsplit('\\').next().unwrap_or(""));
    set(&mut r, "EventType", if id == 11 { "FileCreated" } else { "FileDeleted" });
    set(&mut r, "EventOriginalType", id.to_string());
    for (alg, h) in crate::sources::hash_pairs(&src.get("Hashes")) {
        if matches!(alg.as_str(), "MD5" | "SHA1" | "SHA256") {
            set(&mut r, &format!("TargetFile{alg}"), h);
        }
    }
    r
}

const DEFENDER: Cols = "\
EventType=ActionType
TargetFileName=FileName
SrcFileName=PreviousFileName
TargetFileMD5=MD5
TargetFileSHA1=SHA1
TargetFileSHA256=SHA256
ActingProcessName=InitiatingProcessFolderPath
Process=InitiatingProcessFolderPath
ActingProcessId=InitiatingProcessId
ActingProcessCommandLine=InitiatingProcessCommandLine
CommandLine=InitiatingProcessCommandLine
EventProduct:M365 Defender for Endpoint
EventVendor:Microsoft
TimeGenerated^";

pub(crate) fn defender(d: &Map<String, Value>) -> Map<String, Value> {
    let src = Src::row(d);
    let mut r = Map::new();
    fill(&mut r, &src, "", DEFENDER);
    let folder = src.get("FolderPath");
    let sep = if folder.starts_with('/') { "/" } else { "\\" };
    set(&mut r, "TargetFilePath", format!("{folder}{sep}{}", src.get("FileName")));
    set(&mut r, "SrcFilePath", format!("{}{sep}{}", src.get("PreviousFolderPath"), src.get("PreviousFileName")));
    // The UPN wins over domain\name.
    let upn = src.get("InitiatingProcessAccountUpn");
    let actor = if upn.is_empty() {
        format!("{}\\{}", src.get("InitiatingProcessAccountDomain"), src.get("InitiatingProcessAccountName"))
    } else {
        upn
    };
    set(&mut r, "ActorUsername", actor.clone());
    set(&mut r, "User", actor);
    let [host, domain, _, fqdn] = super::resolve_fqdn(&src.get("DeviceName"));
    set(&mut r, "Dvc", if fqdn.is_empty() { host.clone() } else { fqdn.clone() });
    set(&mut r, "DvcHostname", host);
    set(&mut r, "DvcDomain", domain);
    set(&mut r, "DvcFQDN", fqdn);
    r
}
