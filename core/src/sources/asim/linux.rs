//! Sysmon for Linux through `Syslog`: the process (vimProcessCreateLinuxSysmon
//! 0.3.0), network (vimNetworkSessionLinuxSysmon 0.4) and file
//! (ASimFileEventLinuxSysmonFileCreated / FileDeleted 0.2.1) parsers.
//!
//! Facts (docs/sources.md): the process parser writes the device to
//! `DvcHostName` (capital N, so `DvcHostname` stays empty), the company to
//! `TargetProcessCompany`, and aliases `User` to the parent's user; the
//! network parser decides the direction by comparing `SourceIp` with the
//! host's address (not `Initiated`), puts the process on the initiating side,
//! and keeps host names whole; file events are `FileCreated` (11) or
//! `FileDeleted` (23, 26) with no file name column.

use serde_json::{Map, Value};

use super::{set, Src};
use crate::sources::{fill, Cols};

const PROCESS: Cols = "\
TargetProcessName=Image
Process=Image
TargetProcessCommandLine=CommandLine
CommandLine=CommandLine
TargetProcessCurrentDirectory=CurrentDirectory
TargetProcessFileDescription=Description
TargetProcessFileProduct=Product
TargetProcessFileVersion=FileVersion
TargetProcessCompany=Company
OriginalFileName=OriginalFileName
TargetProcessIntegrityLevel=IntegrityLevel
TargetProcessId=ProcessId
TargetProcessGuid{ProcessGuid
TargetUsername=User
TargetUsernameType:Simple
TargetUserSessionId=LogonId
TargetUserSessionGuid{LogonGuid
ActingProcessName=ParentImage
ActingProcessCommandLine=ParentCommandLine
ActingProcessId=ParentProcessId
ActingProcessGuid{ParentProcessGuid
ActorUsername=ParentUser
ActorUsernameType:Simple
User=ParentUser
DvcHostName@
Dvc@
DvcOs:Linux
EventType:ProcessCreated
EventOriginalType:1
EventProduct:Sysmon for Linux
EventVendor:Microsoft
TimeGenerated^";

pub(crate) fn process(src: &Src, host_ip: &str) -> Map<String, Value> {
    let mut r = Map::new();
    fill(&mut r, src, "", PROCESS);
    set(&mut r, "DvcIpAddr", host_ip);
    for (alg, h) in crate::sources::hash_pairs(&src.get("Hashes")) {
        if matches!(alg.as_str(), "MD5" | "SHA1" | "SHA256" | "IMPHASH") {
            set(&mut r, &format!("TargetProcess{alg}"), h);
        }
    }
    r
}

/// The process side (after `Src` or `Dst`).
const PROCESS_SIDE: Cols = "\
ProcessName=Image
AppName=Image
ProcessId=ProcessId
ProcessGuid{ProcessGuid
Username=User
UsernameType:Simple";

const NETWORK: Cols = "\
SrcIpAddr=SourceIp
DstIpAddr=DestinationIp
SrcPortNumber#SourcePort
DstPortNumber#DestinationPort
SrcHostname=SourceHostname
DstHostname=DestinationHostname
Hostname=DestinationHostname
DvcHostname@
Dvc@
EventResult:Success
EventType:NetworkSession
EventProduct:Sysmon for Linux
EventVendor:Microsoft
TimeGenerated^";

pub(crate) fn network(src: &Src, host_ip: &str) -> Map<String, Value> {
    let mut r = Map::new();
    let source = src.get("SourceIp");
    let outbound = source == host_ip || source == "127.0.0.1" || source == "0.0.0.0";
    fill(&mut r, src, if outbound { "Src" } else { "Dst" }, PROCESS_SIDE);
    fill(&mut r, src, "", NETWORK);
    let other = if outbound { "Dst" } else { "Src" };
    set(&mut r, &format!("{other}ProcessName"), "");
    set(&mut r, &format!("{other}Username"), "");
    set(&mut r, "NetworkDirection", if outbound { "Outbound" } else { "Inbound" });
    set(&mut r, "NetworkProtocol", src.get("Protocol").to_ascii_uppercase());
    set(&mut r, "DvcIpAddr", host_ip);
    r
}

const FILE: Cols = "\
TargetFilePath=TargetFilename
TargetFilePathType:Unix
ActingProcessName=Image
Process=Image
ActingProcessId=ProcessId
ActorUsername=User
ActorUsernameType:Simple
DvcHostname@
Dvc@
EventProduct:Sysmon for Linux
EventVendor:Microsoft
TimeGenerated^";

pub(crate) fn file(src: &Src, id: i64) -> Map<String, Value> {
    let mut r = Map::new();
    fill(&mut r, src, "", FILE);
    set(&mut r, "EventType", if id == 11 { "FileCreated" } else { "FileDeleted" });
    set(&mut r, "EventOriginalType", id.to_string());
    // The created-file parser keeps the GUID's braces, the deleted-file one drops them.
    let guid = src.get("ProcessGuid");
    set(
        &mut r,
        "ActingProcessGuid",
        if id == 11 { guid } else { guid.trim_start_matches('{').trim_end_matches('}').to_string() },
    );
    r
}
