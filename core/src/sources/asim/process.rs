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

use super::{set, Src, V};
use crate::sources::{fill, Feed};

const SYSMON: &[(&str, V)] = &[
    ("TargetProcessName", V::F("Image")),
    ("Process", V::F("Image")),
    ("TargetProcessFilename", V::F("OriginalFileName")),
    ("TargetProcessCommandLine", V::F("CommandLine")),
    ("CommandLine", V::F("CommandLine")),
    ("TargetProcessCurrentDirectory", V::F("CurrentDirectory")),
    ("TargetProcessFileDescription", V::F("Description")),
    ("TargetProcessFileProduct", V::F("Product")),
    ("TargetProcessFileCompany", V::F("Company")),
    ("TargetProcessFileVersion", V::F("FileVersion")),
    ("TargetProcessIntegrityLevel", V::F("IntegrityLevel")),
    ("TargetProcessId", V::F("ProcessId")),
    ("TargetProcessGuid", V::F("ProcessGuid")),
    ("TargetUsername", V::F("User")),
    ("User", V::F("User")),
    ("TargetUsernameType", V::C("Windows")),
    ("TargetUserSessionId", V::F("LogonId")),
    ("TargetUserSessionGuid", V::F("LogonGuid")),
    ("ActingProcessName", V::F("ParentImage")),
    ("ActingProcessCommandLine", V::F("ParentCommandLine")),
    ("ActingProcessId", V::F("ParentProcessId")),
    ("ActingProcessGuid", V::F("ParentProcessGuid")),
    ("ActorUsername", V::F("ParentUser")),
    ("DvcHostname", V::Computer),
    ("Dvc", V::Computer),
    ("EventType", V::C("ProcessCreated")),
    ("EventOriginalType", V::C("1")),
    ("EventVendor", V::C("Microsoft")),
    ("TimeGenerated", V::Time),
];

/// The hash columns from Sysmon's `Hashes`, and `Hash`: the first of SHA256,
/// SHA1, IMPHASH, MD5 that is there.
fn hashes(row: &mut Map<String, Value>, hashes: &str, prefix: &str) {
    const KEPT: [&str; 4] = ["SHA256", "SHA1", "IMPHASH", "MD5"];
    let found: Vec<(String, &str)> = crate::sources::hash_pairs(hashes).filter(|(a, _)| KEPT.contains(&a.as_str())).collect();
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

const SECURITY: &[(&str, V)] = &[
    ("TargetProcessName", V::F("NewProcessName")),
    ("Process", V::F("NewProcessName")),
    ("TargetProcessFilename", V::Base("NewProcessName")),
    ("TargetProcessCommandLine", V::F("CommandLine")),
    ("CommandLine", V::F("CommandLine")),
    ("TargetProcessTokenElevation", V::F("TokenElevationType")),
    ("TargetProcessId", V::HexDec("NewProcessId")),
    ("ActingProcessName", V::F("ParentProcessName")),
    ("ActingProcessFilename", V::Base("ParentProcessName")),
    ("ActingProcessId", V::HexDec("ProcessId")),
    ("DvcHostname", V::Computer),
    ("Dvc", V::Computer),
    ("EventType", V::C("ProcessCreated")),
    ("EventOriginalType", V::C("4688")),
    ("EventVendor", V::C("Microsoft")),
    ("EventProduct", V::C("Security Events")),
    ("TimeGenerated", V::Time),
];

/// SecurityEvent: Actor is its SubjectAccount; Target its TargetAccount.
const SECURITY_EVENT_USERS: &[(&str, V)] = &[
    ("ActorUsername", V::F("SubjectAccount")),
    ("ActorUserId", V::F("SubjectUserSid")),
    ("ActorSessionId", V::F("SubjectLogonId")),
    ("TargetUserId", V::F("TargetUserSid")),
    ("TargetUserSessionId", V::F("TargetLogonId")),
];

/// WindowsEvent: ids in decimal; the label SID blanked.
const WINDOWS_EVENT_USERS: &[(&str, V)] = &[
    ("ActorSessionId", V::HexDec("SubjectLogonId")),
    ("TargetUserSessionId", V::HexDec("TargetLogonId")),
    ("MandatoryLabel", V::F("MandatoryLabel")),
];

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
            if subject_sid == "S-1-5-18" { "Local System".to_string() } else { String::new() }
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
        if no_target { subject } else { format!("{}\\{}", src.get("SubjectDomainName"), src.get("TargetUserName")) }
    };
    set(&mut r, "TargetUsername", target.clone());
    set(&mut r, "User", target);
    r
}

const DEFENDER: &[(&str, V)] = &[
    ("TargetProcessName", V::F("FolderPath")),
    ("Process", V::F("FolderPath")),
    ("TargetProcessFilename", V::F("FileName")),
    ("TargetProcessCommandLine", V::F("ProcessCommandLine")),
    ("CommandLine", V::F("ProcessCommandLine")),
    ("TargetProcessIntegrityLevel", V::F("ProcessIntegrityLevel")),
    ("TargetProcessTokenElevation", V::F("ProcessTokenElevation")),
    ("TargetProcessId", V::F("ProcessId")),
    ("TargetUserId", V::F("AccountSid")),
    ("TargetUserSessionId", V::F("LogonId")),
    ("ActorUserId", V::F("InitiatingProcessAccountSid")),
    ("ActingProcessName", V::F("InitiatingProcessFolderPath")),
    ("ActingProcessFilename", V::F("InitiatingProcessFileName")),
    ("ActingProcessCommandLine", V::F("InitiatingProcessCommandLine")),
    ("ActingProcessId", V::F("InitiatingProcessId")),
    ("ParentProcessName", V::F("InitiatingProcessParentFileName")),
    ("ParentProcessId", V::F("InitiatingProcessParentId")),
    ("TargetProcessMD5", V::F("MD5")),
    ("TargetProcessSHA1", V::F("SHA1")),
    ("TargetProcessSHA256", V::F("SHA256")),
    ("EventType", V::F("ActionType")),
    ("EventVendor", V::C("Microsoft")),
    ("EventProduct", V::C("M365 Defender for Endpoint")),
    ("TimeGenerated", V::Time),
];

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
