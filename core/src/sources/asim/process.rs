//! imProcessCreate: the Sysmon (Event, WindowsEvent), Security 4688
//! (SecurityEvent, WindowsEvent) and Defender parsers.
//!
//! Facts (docs/sources.md): the Sysmon parent is the *acting* process, not
//! `ParentProcess*`; Sysmon's `OriginalFileName` lands in
//! `TargetProcessFilename` while 4688 and Defender put the image's bare file
//! name there, and no parser fills `TargetProcessFileOriginalName`; session
//! ids are hex from Sysmon and SecurityEvent, decimal from Defender and
//! WindowsEvent-4688; 4688 leaves the integrity level unset; GUIDs keep their
//! braces only through the WindowsEvent Sysmon parser (the Event parser's
//! reader has dropped them already).

use serde_json::{Map, Value};

use super::{set, Src};
use crate::sources::{fill, Cols, Feed};

const SYSMON: Cols = "\
TargetProcessName=Image
Process=Image
TargetProcessFilename=OriginalFileName
TargetProcessCommandLine=CommandLine
CommandLine=CommandLine
TargetProcessCurrentDirectory=CurrentDirectory
TargetProcessFileDescription=Description
TargetProcessFileProduct=Product
TargetProcessFileCompany=Company
TargetProcessFileVersion=FileVersion
TargetProcessIntegrityLevel=IntegrityLevel
TargetProcessId=ProcessId
TargetProcessGuid=ProcessGuid
TargetUsername=User
User=User
TargetUsernameType:Windows
TargetUserSessionId=LogonId
TargetUserSessionGuid=LogonGuid
ActingProcessName=ParentImage
ActingProcessCommandLine=ParentCommandLine
ActingProcessId=ParentProcessId
ActingProcessGuid=ParentProcessGuid
ActorUsername=ParentUser
DvcHostname@
Dvc@
EventType:ProcessCreated
EventOriginalType:1
EventVendor:Microsoft
TimeGenerated^";

/// The hash columns from Sysmon's `Hashes`, and `Hash`: the first of SHA256,
/// SHA1, IMPHASH, MD5 that is there.
fn hashes(row: &mut Map<String, Value>, hashes: &str, prefix: &str) {
    const KEPT: [&str; 4] = ["SHA256", "SHA1", "IMPHASH", "MD5"];
    let found: Vec<(String, &str)> =
        crate::sources::hash_pairs(hashes).filter(|(a, _)| KEPT.contains(&a.as_str())).collect();
    for (alg, h) in &found {
        set(row, &format!("{prefix}{alg}"), *h);
    }
    if let Some((a, h)) = KEPT.iter().find_map(|k| found.iter().find(|(a, h)| a == k && !h.is_empty())) {
        set(row, "Hash", *h);
        set(row, "HashType", a.as_str());
    }
}

/// Sysmon event 1 (vimProcessCreateMicrosoftSysmon 0.4.0 for `Event`,
/// vimProcessCreateMicrosoftSysmonWidowsEvent 0.5.1 for `WindowsEvent`).
pub(crate) fn sysmon(src: &Src, feed: Feed) -> Map<String, Value> {
    let mut r = Map::new();
    fill(&mut r, src, "", SYSMON);
    // The WindowsEvent parser labels its Sysmon rows "Security Events" (a parser fault).
    set(&mut r, "EventProduct", if feed == Feed::SysmonWindowsEvent { "Security Events" } else { "Sysmon" });
    hashes(&mut r, &src.get("Hashes"), "TargetProcess");
    r
}

const SECURITY: Cols = "\
TargetProcessName=NewProcessName
Process=NewProcessName
TargetProcessFilename/NewProcessName
TargetProcessCommandLine=CommandLine
CommandLine=CommandLine
TargetProcessTokenElevation=TokenElevationType
TargetProcessId$NewProcessId
ActingProcessName=ParentProcessName
ActingProcessFilename/ParentProcessName
ActingProcessId$ProcessId
DvcHostname@
Dvc@
EventType:ProcessCreated
EventOriginalType:4688
EventVendor:Microsoft
EventProduct:Security Events
TimeGenerated^";

/// SecurityEvent: Actor is its SubjectAccount; Target its TargetAccount.
const SECURITY_EVENT_USERS: Cols = "\
ActorUsername=SubjectAccount
ActorUserId=SubjectUserSid
ActorSessionId=SubjectLogonId
TargetUserId=TargetUserSid
TargetUserSessionId=TargetLogonId";

/// WindowsEvent: ids in decimal; the label SID blanked.
const WINDOWS_EVENT_USERS: Cols = "\
ActorSessionId$SubjectLogonId
TargetUserSessionId$TargetLogonId
MandatoryLabel=MandatoryLabel";

/// Security event 4688 (vimProcessCreateMicrosoftSecurityEvents 0.2.1 for
/// `SecurityEvent`, vimProcessCreateMicrosoftWindowsEvents 0.3 for `WindowsEvent`).
pub(crate) fn security(src: &Src, feed: Feed) -> Map<String, Value> {
    let mut r = Map::new();
    fill(&mut r, src, "", SECURITY);
    let subject = format!("{}\\{}", src.get("SubjectDomainName"), src.get("SubjectUserName"));
    let subject_sid = src.get("SubjectUserSid");
    let no_target = src.get("TargetUserName") == "-";
    let target = if feed == Feed::SecurityEvent {
        fill(&mut r, src, "", SECURITY_EVENT_USERS);
        // With no separate target, the known-SID label the parser's second
        // lookup resolves to, which (its columns renamed on the clash) is the
        // Subject's: "Local System" for SYSTEM, else empty.
        if no_target {
            if subject_sid == "S-1-5-18" {
                "Local System".to_string()
            } else {
                String::new()
            }
        } else {
            src.get("TargetAccount")
        }
    } else {
        fill(&mut r, src, "", WINDOWS_EVENT_USERS);
        let blank = |sid: String| if sid == "S-1-0-0" { String::new() } else { sid };
        let target_sid = if no_target { subject_sid.clone() } else { src.get("TargetUserSid") };
        set(&mut r, "ActorUsername", subject.clone());
        set(&mut r, "ActorUserId", blank(subject_sid));
        set(&mut r, "TargetUserId", blank(target_sid));
        // The Actor when there is no separate target; otherwise the target
        // name in the *Subject's* domain (a parser fault).
        if no_target {
            subject
        } else {
            format!("{}\\{}", src.get("SubjectDomainName"), src.get("TargetUserName"))
        }
    };
    set(&mut r, "TargetUsername", target.clone());
    set(&mut r, "User", target);
    r
}

const DEFENDER: Cols = "\
TargetProcessName=FolderPath
Process=FolderPath
TargetProcessFilename=FileName
TargetProcessCommandLine=ProcessCommandLine
CommandLine=ProcessCommandLine
TargetProcessIntegrityLevel=ProcessIntegrityLevel
TargetProcessTokenElevation=ProcessTokenElevation
TargetProcessId=ProcessId
TargetUserId=AccountSid
TargetUserSessionId=LogonId
ActorUserId=InitiatingProcessAccountSid
ActingProcessName=InitiatingProcessFolderPath
ActingProcessFilename=InitiatingProcessFileName
ActingProcessCommandLine=InitiatingProcessCommandLine
ActingProcessId=InitiatingProcessId
ParentProcessName=InitiatingProcessParentFileName
ParentProcessId=InitiatingProcessParentId
TargetProcessMD5=MD5
TargetProcessSHA1=SHA1
TargetProcessSHA256=SHA256
EventType=ActionType
EventVendor:Microsoft
EventProduct:M365 Defender for Endpoint
TimeGenerated^";

/// `domain\name`, or the name alone when the domain is empty.
pub(crate) fn joined(domain: &str, name: &str) -> String {
    if domain.is_empty() {
        name.to_string()
    } else {
        format!("{domain}\\{name}")
    }
}

/// A `DeviceProcessEvents` row (vimProcessEventMicrosoft365D 0.2.0).
pub(crate) fn defender(d: &Map<String, Value>) -> Map<String, Value> {
    let src = Src::row(d);
    let mut r = Map::new();
    fill(&mut r, &src, "", DEFENDER);
    let target_user = joined(&src.get("AccountDomain"), &src.get("AccountName"));
    let actor = joined(&src.get("InitiatingProcessAccountDomain"), &src.get("InitiatingProcessAccountName"));
    set(&mut r, "User", if target_user.is_empty() { actor.clone() } else { target_user.clone() });
    set(&mut r, "TargetUsername", target_user);
    set(&mut r, "ActorUsername", actor);
    // The device name split at its first dot; Dvc is the short name.
    let [host, domain, _, fqdn] = super::resolve_fqdn(&src.get("DeviceName"));
    set(&mut r, "Dvc", host.clone());
    set(&mut r, "DvcHostname", host);
    set(&mut r, "DvcDomain", domain);
    set(&mut r, "DvcFQDN", fqdn);
    if let Some(alg) = ["SHA256", "SHA1", "MD5"].into_iter().find(|a| !src.get(a).is_empty()) {
        set(&mut r, "Hash", src.get(alg));
        set(&mut r, "HashType", alg);
    }
    r
}
