//! azure_monitor: Log Analytics' native tables as data, one [`Source`] per
//! logsource. SecurityEvent only, the one Azure Monitor table schema.json
//! describes.
//!
//! Sources of the facts: event 4688's fields (NewProcessName,
//! ParentProcessName, MandatoryLabel, hex process ids; the Target* account is
//! `-` unless it differs from the Subject).
//!
//! Not mapped on purpose: everything but Windows Security events and
//! 4688-based process creation. Sending a Sysmon rule to SecurityEvent with
//! Sysmon field names (what pySigma does) can only fail or mislead.

use super::vocab::MANDATORY_LABELS;
use super::FieldMap::{Convert, Drop, Missing, To};
use super::{source, DropKind, FieldList, NotMapped, RowFilter, Source, PROC_PROVIDERS, SECURITY};
use crate::pipeline::convert::{SidColumns, ValueConversion};

const WINDOWS_SECURITY: FieldList = &[("Provider_Name", To(&["EventSourceName"]))];

const EVENT_4688: FieldList = &[
    ("EventID", Drop(DropKind::EventId)),
    ("EventCode", Drop(DropKind::EventId)),
    ("Provider_Name", Drop(DropKind::Provider)),
    ("Channel", Drop(DropKind::Provider)),
    ("Image", To(&["NewProcessName"])),
    ("ParentImage", To(&["ParentProcessName"])),
    ("CommandLine", To(&["CommandLine"])),
    (
        "User",
        Convert(ValueConversion::Account {
            base: &ValueConversion::UserSplit {
                domain: "TargetDomainName",
                name: "TargetUserName",
                fallback: Some(("SubjectDomainName", "SubjectUserName")),
            },
            sid: SidColumns::SecurityEvent,
        }),
    ),
    ("IntegrityLevel", Convert(ValueConversion::Vocab { col: "MandatoryLabel", words: MANDATORY_LABELS })),
    ("ProcessId", Convert(ValueConversion::NumberToHex { col: "NewProcessId" })),
    ("ParentProcessId", Convert(ValueConversion::NumberToHex { col: "ProcessId" })),
    ("Computer", To(&["Computer"])),
    ("OriginalFileName", Missing("event 4688 does not record the PE original file name")),
    ("Description", Missing("event 4688 does not record file version information")),
    ("Product", Missing("event 4688 does not record file version information")),
    ("Company", Missing("event 4688 does not record file version information")),
    ("FileVersion", Missing("event 4688 does not record file version information")),
    ("Hashes", Missing("event 4688 does not record hashes")),
    ("CurrentDirectory", Missing("event 4688 does not record the working directory")),
    ("ParentCommandLine", Missing("event 4688 does not record the parent's command line")),
    ("ParentUser", Missing("event 4688 does not record the parent's account")),
    ("GrandParentImage", Missing("event 4688 does not record the grandparent process")),
    ("LogonId", Missing("event 4688's logon ids belong to the subject/target accounts, not to Sysmon's process logon")),
    ("ProcessGuid", Missing("event 4688 has no process GUID")),
    ("ParentProcessGuid", Missing("event 4688 has no process GUID")),
    ("LogonGuid", Missing("event 4688 has no logon GUID")),
];

/// The logsources this target serves, in the order a rule is matched against them.
pub(super) static SOURCES: &[Source] = &[
    Source {
        category: None,
        service: Some("security"),
        providers: SECURITY,
        fallback_services: &[],
        unmapped_hint: Some("SecurityEvent keeps event fields that have no column of their own only inside the EventData XML"),
        ..source("windows security", "", "SecurityEvent", &[WINDOWS_SECURITY])
    },
    Source {
        condition: RowFilter::Equals("EventID", 4688),
        restating: &[1, 4688],
        providers: PROC_PROVIDERS,
        info: Some("process creation is read from Security event 4688 (CommandLine only when command-line auditing is enabled)"),
        ..source("process_creation", "process_creation", "SecurityEvent", &[EVENT_4688])
    },
];

/// Categories left unmapped on purpose, and why.
pub(super) const NOT_MAPPED: &[NotMapped] = &[NotMapped {
    categories: &[],
    reason: "of the Azure Monitor tables only SecurityEvent is described (schema.json); Sysmon events live in Event/WindowsEvent, which are not",
}];
