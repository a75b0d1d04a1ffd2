//! imProcessCreate: the Sysmon (Event, WindowsEvent), Security 4688
//! (SecurityEvent, WindowsEvent) and Defender parsers.
//!
//! Facts (docs/sources.md): the Sysmon parent is the *acting* process, not
//! `ParentProcess*`; Sysmon's `OriginalFileName` lands in
//! `TargetProcessFilename` while 4688 and Defender put the image's bare file
//! name there, and no parser fills `TargetProcessFileOriginalName`; session
//! ids are hex from Sysmon and SecurityEvent, decimal from Defender and
//! WindowsEvent-4688; 4688 leaves the integrity level unset; GUIDs keep their
//! braces only through the WindowsEvent Sysmon parser.

use serde_json::{Map, Value};

use super::{basename, Reader, Row, Src};
use crate::sources::Feed;

fn hashes(row: &mut Row, hashes: &str, prefix: &str) {
    const KEPT: [&str; 4] = ["SHA256", "SHA1", "IMPHASH", "MD5"];
    let found: Vec<(String, &str)> = crate::sources::hash_pairs(hashes).filter(|(a, _)| KEPT.contains(&a.as_str())).collect();
    for (alg, h) in &found {
        row.s(&format!("{prefix}{alg}"), *h);
    }
    // Hash: the first of SHA256, SHA1, IMPHASH, MD5 that is there.
    if let Some((a, h)) = KEPT.iter().find_map(|k| found.iter().find(|(a, h)| a == k && !h.is_empty())) {
        row.s("Hash", *h).s("HashType", a.clone());
    }
}

/// Sysmon event 1 (vimProcessCreateMicrosoftSysmon 0.4.0 for `Event`,
/// vimProcessCreateMicrosoftSysmonWidowsEvent 0.5.1 for `WindowsEvent`).
pub(crate) fn sysmon(src: &Src, feed: Feed) -> Map<String, Value> {
    let mut r = Row::default();
    // The dynamic reader keeps GUID braces; the Event-table regex drops them.
    let guid = |k: &str| if src.how == Reader::Dynamic { src.get(k) } else { src.guid(k) };
    r.s("TargetProcessName", src.get("Image"))
        .s("Process", src.get("Image"))
        .s("TargetProcessFilename", src.get("OriginalFileName"))
        .s("TargetProcessCommandLine", src.get("CommandLine"))
        .s("CommandLine", src.get("CommandLine"))
        .s("TargetProcessCurrentDirectory", src.get("CurrentDirectory"))
        .s("TargetProcessFileDescription", src.get("Description"))
        .s("TargetProcessFileProduct", src.get("Product"))
        .s("TargetProcessFileCompany", src.get("Company"))
        .s("TargetProcessFileVersion", src.get("FileVersion"))
        .s("TargetProcessIntegrityLevel", src.get("IntegrityLevel"))
        .s("TargetProcessId", src.get("ProcessId"))
        .s("TargetProcessGuid", guid("ProcessGuid"))
        .s("TargetUsername", src.get("User"))
        .s("User", src.get("User"))
        .s("TargetUsernameType", "Windows")
        .s("TargetUserSessionId", src.get("LogonId"))
        .s("TargetUserSessionGuid", guid("LogonGuid"))
        .s("ActingProcessName", src.get("ParentImage"))
        .s("ActingProcessCommandLine", src.get("ParentCommandLine"))
        .s("ActingProcessId", src.get("ParentProcessId"))
        .s("ActingProcessGuid", guid("ParentProcessGuid"))
        .s("ActorUsername", src.get("ParentUser"))
        .s("DvcHostname", src.computer.clone())
        .s("Dvc", src.computer.clone())
        .s("EventType", "ProcessCreated")
        .s("EventOriginalType", "1")
        .s("EventVendor", "Microsoft")
        // The WindowsEvent parser labels its Sysmon rows "Security Events" (a parser fault).
        .s("EventProduct", if feed == Feed::SysmonWindowsEvent { "Security Events" } else { "Sysmon" })
        .s("TimeGenerated", src.time.clone());
    hashes(&mut r, &src.get("Hashes"), "TargetProcess");
    r.0
}

/// Hex (`0x1a2c`) to a decimal string, as `tostring(tolong(x))` gives it.
fn hex_decimal(s: &str) -> String {
    u64::from_str_radix(s.trim().trim_start_matches("0x"), 16).map(|n| n.to_string()).unwrap_or_default()
}

/// Security event 4688 (vimProcessCreateMicrosoftSecurityEvents 0.2.1 for
/// `SecurityEvent`, vimProcessCreateMicrosoftWindowsEvents 0.3 for `WindowsEvent`).
pub(crate) fn security(src: &Src, feed: Feed) -> Map<String, Value> {
    let mut r = Row::default();
    let new_name = src.get("NewProcessName");
    let parent = src.get("ParentProcessName");
    r.s("TargetProcessName", new_name.clone())
        .s("Process", new_name.clone())
        .s("TargetProcessFilename", basename(&new_name))
        .s("TargetProcessCommandLine", src.get("CommandLine"))
        .s("CommandLine", src.get("CommandLine"))
        .s("TargetProcessTokenElevation", src.get("TokenElevationType"))
        .s("TargetProcessId", hex_decimal(&src.get("NewProcessId")))
        .s("ActingProcessName", parent.clone())
        .s("ActingProcessFilename", basename(&parent))
        .s("ActingProcessId", hex_decimal(&src.get("ProcessId")))
        .s("DvcHostname", src.computer.clone())
        .s("Dvc", src.computer.clone())
        .s("EventType", "ProcessCreated")
        .s("EventOriginalType", "4688")
        .s("EventVendor", "Microsoft")
        .s("EventProduct", "Security Events")
        .s("TimeGenerated", src.time.clone());
    let subject = format!("{}\\{}", src.get("SubjectDomainName"), src.get("SubjectUserName"));
    let subject_sid = src.get("SubjectUserSid");
    let no_target = src.get("TargetUserName") == "-";
    match feed {
        Feed::SecurityEvent => {
            // Actor: SecurityEvent's SubjectAccount. Target: its TargetAccount, or
            // when there is no separate target, the known-SID label the parser's
            // second lookup resolves to, which (the lookup's columns renamed on
            // the clash) is the Subject's: "Local System" for SYSTEM, else empty.
            let target = if no_target {
                if subject_sid == "S-1-5-18" { "Local System".to_string() } else { String::new() }
            } else {
                src.get("TargetAccount")
            };
            r.s("ActorUsername", src.get("SubjectAccount"))
                .s("ActorUserId", subject_sid.clone())
                .s("ActorSessionId", src.get("SubjectLogonId"))
                .s("TargetUsername", target.clone())
                .s("User", target)
                .s("TargetUserId", src.get("TargetUserSid"))
                .s("TargetUserSessionId", src.get("TargetLogonId"));
        }
        _ => {
            // Target: the Actor when there is no separate target; otherwise the
            // target name in the *Subject's* domain (a parser fault).
            let target = if no_target { subject.clone() } else { format!("{}\\{}", src.get("SubjectDomainName"), src.get("TargetUserName")) };
            let blank = |sid: String| if sid == "S-1-0-0" { String::new() } else { sid };
            let target_sid = if no_target { subject_sid.clone() } else { src.get("TargetUserSid") };
            r.s("ActorUsername", subject)
                .s("ActorUserId", blank(subject_sid))
                .s("ActorSessionId", hex_decimal(&src.get("SubjectLogonId")))
                .s("TargetUsername", target.clone())
                .s("User", target)
                .s("TargetUserId", blank(target_sid))
                .s("TargetUserSessionId", hex_decimal(&src.get("TargetLogonId")))
                .s("MandatoryLabel", src.get("MandatoryLabel"));
        }
    }
    r.0
}

fn joined(domain: &str, name: &str) -> String {
    if domain.is_empty() {
        name.to_string()
    } else {
        format!("{domain}\\{name}")
    }
}

/// A `DeviceProcessEvents` row (vimProcessEventMicrosoft365D 0.2.0).
pub(crate) fn defender(d: &Map<String, Value>) -> Map<String, Value> {
    let t = |k: &str| crate::sources::text(d, k);
    let mut r = Row::default();
    let target_user = joined(&t("AccountDomain"), &t("AccountName"));
    let actor = joined(&t("InitiatingProcessAccountDomain"), &t("InitiatingProcessAccountName"));
    let device = t("DeviceName");
    let (host, domain, _, fqdn) = super::resolve_fqdn(&device);
    r.s("TargetProcessName", t("FolderPath"))
        .s("Process", t("FolderPath"))
        .s("TargetProcessFilename", t("FileName"))
        .s("TargetProcessCommandLine", t("ProcessCommandLine"))
        .s("CommandLine", t("ProcessCommandLine"))
        .s("TargetProcessIntegrityLevel", t("ProcessIntegrityLevel"))
        .s("TargetProcessTokenElevation", t("ProcessTokenElevation"))
        .s("TargetProcessId", t("ProcessId"))
        .s("TargetUsername", target_user.clone())
        .s("User", if target_user.is_empty() { actor.clone() } else { target_user })
        .s("TargetUserId", t("AccountSid"))
        .s("TargetUserSessionId", t("LogonId"))
        .s("ActorUsername", actor)
        .s("ActorUserId", t("InitiatingProcessAccountSid"))
        .s("ActingProcessName", t("InitiatingProcessFolderPath"))
        .s("ActingProcessFilename", t("InitiatingProcessFileName"))
        .s("ActingProcessCommandLine", t("InitiatingProcessCommandLine"))
        .s("ActingProcessId", t("InitiatingProcessId"))
        .s("ParentProcessName", t("InitiatingProcessParentFileName"))
        .s("ParentProcessId", t("InitiatingProcessParentId"))
        .s("TargetProcessMD5", t("MD5"))
        .s("TargetProcessSHA1", t("SHA1"))
        .s("TargetProcessSHA256", t("SHA256"))
        .s("DvcHostname", host.clone())
        .s("Dvc", host)
        .s("DvcDomain", domain)
        .s("DvcFQDN", fqdn)
        .s("EventType", t("ActionType"))
        .s("EventVendor", "Microsoft")
        .s("EventProduct", "M365 Defender for Endpoint")
        .s("TimeGenerated", t("Timestamp"));
    for alg in ["SHA256", "SHA1", "MD5"] {
        let h = t(alg);
        if !h.is_empty() {
            r.s("Hash", h).s("HashType", alg);
            break;
        }
    }
    r.0
}
