//! The built-in targets as data: logsource → table (plus the condition that
//! selects the event kind inside a shared table), Sigma field → column(s) or
//! value conversion, and what dropping an item means.
//!
//! Sources of the facts (column names are checked against schema.json by a test):
//! - Defender XDR: the advanced-hunting table reference; `ActionType` values
//!   and the Previous* registry columns for deletions as Microsoft's own ASIM
//!   parsers for Defender read them (`ASimNetworkSessionMicrosoft365Defender`:
//!   ConnectionSuccess/ConnectionFailed/ConnectionRequest are outbound,
//!   InboundConnectionAccepted inbound; `vimRegistryEventMicrosoft365D`).
//! - ASIM: the schema (schema.json) and the Sysmon/Security-event parsers of
//!   Azure-Sentinel (e.g. Sysmon `ParentImage` is `ActingProcessName`, the
//!   parent of the acting process is `ParentProcessName`; `DstHostname` is the
//!   first label only, the full name is `DstFQDN`; registry values are split
//!   into `RegistryKey` and `RegistryValue` at the last backslash).
//! - SecurityEvent: event 4688's fields (NewProcessName, ParentProcessName,
//!   MandatoryLabel, hex process ids; the Target* account is `-` unless it
//!   differs from the Subject).
//!
//! Logsource → table (a rule without category is routed by the EventID of its
//! first `sel*` search, as pySigma does; `[..]` is the added event-kind condition):
//!
//! | logsource | microsoft_xdr | sentinel_asim | azure_monitor |
//! |---|---|---|---|
//! | process_creation | DeviceProcessEvents | imProcessCreate | SecurityEvent [EventID 4688] (windows) |
//! | network_connection | DeviceNetworkEvents | imNetworkSession | — |
//! | file_event | DeviceFileEvents [FileCreated/Modified/Renamed] | imFileEvent [same] | — |
//! | file_delete / file_rename | DeviceFileEvents [FileDeleted / FileRenamed] | imFileEvent [same] | — |
//! | file_access | — (no file reads) | imFileEvent [FileAccessed] | — |
//! | registry_set / _add / _delete | DeviceRegistryEvents [RegistryValueSet / RegistryKeyCreated / *Deleted] | imRegistry [same] | — |
//! | registry_event | DeviceRegistryEvents | imRegistry | — |
//! | image_load | DeviceImageLoadEvents | — | — |
//! | pipe_created | DeviceEvents [NamedPipeEvent] | — | — |
//! | create_remote_thread | DeviceEvents [CreateRemoteThreadApiCall] | — | — |
//! | process_access | DeviceEvents [OpenProcessApiCall] (warning: selective) | — | — |
//! | driver_load | DeviceEvents [DriverLoad] | — | — |
//! | dns_query | DeviceEvents [DnsQueryResponse] | imDns | — |
//! | dns / proxy / webserver | — | imDns / imWebSession / imWebSession | — |
//! | windows/security | EventID 4688 → DeviceProcessEvents, 4624/4625 → DeviceLogonEvents | 4688 → imProcessCreate, 4624/4625 → imAuthentication [Logon] | SecurityEvent |
//! | azure/activitylogs | — | imAuditEvent | — |
//!
//! Not mapped on purpose: PowerShell script text (Defender's PowerShellCommand
//! holds cmdlet names only), and on azure_monitor everything but Windows
//! Security events and 4688-based process creation: schema.json describes no
//! other Azure Monitor table, and sending a Sysmon rule to SecurityEvent with
//! Sysmon field names (what pySigma does) can only fail or mislead.

use serde_json::{Map, Value};

use super::convert::{self, convert_test, forward, lit, Conv, Cx, Fwd, Hives, LExpr, RegMode, SidColumns, Spelling};
use super::{synthetic_item, MappedItem, State, TargetId, Work};
use crate::base::diag::{Diagnostic, Span};
use crate::kusto::schema::{column_type, has_column, ColumnType};
use crate::sigma::compiled::Test;
use crate::sigma::expr::Expr;
use crate::sigma::rule::{Rule, Scalar};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldMap {
    /// Renamed; several columns are ORed.
    To(&'static [&'static str]),
    /// Renamed, but the column does not hold quite the same thing (the note says what).
    Approx(&'static [&'static str], &'static str),
    Conv(Conv),
    Drop(DropKind),
    /// Known Sigma field with no equivalent in the table (the reason is shown).
    Missing(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DropKind {
    /// EventID/EventCode: only selects the log source, which the table already is.
    EventId,
    /// Provider_Name/Channel.
    Provider,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cond {
    None,
    /// `column in~ (values)`
    Str(&'static str, &'static [&'static str]),
    /// `column == n`
    Num(&'static str, i64),
}

type Fields = &'static [(&'static str, FieldMap)];

#[derive(Debug)]
pub(crate) struct Source {
    /// For messages: the logsource as Sigma names it.
    pub label: &'static str,
    pub category: Option<&'static str>,
    /// Accepted products; empty = any. A rule without product matches too.
    pub products: &'static [&'static str],
    pub service: Option<&'static str>,
    pub table: &'static str,
    /// Selects this logsource's events inside a shared table.
    pub condition: Cond,
    /// EventIDs that, alone, only restate what the table (and condition) hold.
    pub restating: &'static [i64],
    /// Provider_Name/Channel values that restate the log source.
    pub providers: &'static [&'static str],
    /// Looked up in order.
    pub fields: &'static [Fields],
    /// EventIDs that choose this source for a rule without category (pySigma's fallback).
    pub fallback: &'static [i64],
    /// Services the fallback accepts ("" = none).
    pub fallback_services: &'static [&'static str],
    /// Only reachable through the EventID fallback.
    pub fallback_only: bool,
    /// A warning about how well the table covers the logsource.
    pub warning: Option<&'static str>,
    /// Information about the mapping (no loss).
    pub info: Option<&'static str>,
    /// Added to unmapped-field errors.
    pub unmapped_hint: Option<&'static str>,
}

const fn source(label: &'static str, category: &'static str, table: &'static str, fields: &'static [Fields]) -> Source {
    Source {
        label,
        category: Some(category),
        products: &["windows"],
        service: None,
        table,
        condition: Cond::None,
        restating: &[],
        providers: SYSMON,
        fields,
        fallback: &[],
        fallback_services: &["", "sysmon"],
        fallback_only: false,
        warning: None,
        info: None,
        unmapped_hint: None,
    }
}

const SYSMON: &[&str] = &["Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational"];
const SECURITY: &[&str] = &["Microsoft-Windows-Security-Auditing", "Security"];
const PROC_PROVIDERS: &[&str] = &[
    "Microsoft-Windows-Sysmon",
    "Microsoft-Windows-Sysmon/Operational",
    "Microsoft-Windows-Security-Auditing",
    "Security",
];
const ANY_OS: &[&str] = &["windows", "linux", "macos"];

use FieldMap::{Approx, Drop, Missing, To};

// ---------------------------------------------------------------------------
// Vocabularies

/// Sysmon registry EventType → Defender ActionType / ASIM EventType (same words).
const REG_EVENT_TYPES: &[(&str, &[&str])] = &[
    ("CreateKey", &["RegistryKeyCreated"]),
    ("DeleteKey", &["RegistryKeyDeleted"]),
    ("DeleteValue", &["RegistryValueDeleted"]),
    ("SetValue", &["RegistryValueSet"]),
    ("RenameKey", &["RegistryKeyRenamed"]),
];

/// Sysmon registry EventIDs → the same ActionType/EventType words.
const REG_EVENT_IDS: &[(&str, &[&str])] = &[
    ("12", &["RegistryKeyCreated", "RegistryKeyDeleted", "RegistryValueDeleted"]),
    ("13", &["RegistryValueSet"]),
    ("14", &["RegistryKeyRenamed"]),
];

const XDR_DIRECTION: &[(&str, &[&str])] = &[
    ("true", &["ConnectionSuccess", "ConnectionFailed", "ConnectionRequest"]),
    ("false", &["InboundConnectionAccepted"]),
];

const LOGON_TYPES: &[(&str, &[&str])] = &[
    ("2", &["Interactive"]),
    ("3", &["Network"]),
    ("4", &["Batch"]),
    ("5", &["Service"]),
    ("7", &["Unlock"]),
    ("8", &["NetworkCleartext"]),
    ("9", &["NewCredentials"]),
    ("10", &["RemoteInteractive"]),
    ("11", &["CachedInteractive"]),
    ("12", &["CachedRemoteInteractive"]),
    ("13", &["CachedUnlock"]),
];

const XDR_LOGON_IDS: &[(&str, &[&str])] = &[("4624", &["LogonSuccess"]), ("4625", &["LogonFailed"])];
const ASIM_LOGON_IDS: &[(&str, &[&str])] = &[("4624", &["Success"]), ("4625", &["Failure"])];

/// Sysmon writes the integrity level as a word or (newer versions, and rules
/// list both) as the mandatory label SID.
const MANDATORY_LABELS: &[(&str, &[&str])] = &[
    ("Untrusted", &["S-1-16-0"]),
    ("Low", &["S-1-16-4096"]),
    ("Medium", &["S-1-16-8192"]),
    ("Medium Plus", &["S-1-16-8448"]),
    ("High", &["S-1-16-12288"]),
    ("System", &["S-1-16-16384"]),
    ("Protected", &["S-1-16-20480"]),
    ("S-1-16-0", &["S-1-16-0"]),
    ("S-1-16-4096", &["S-1-16-4096"]),
    ("S-1-16-8192", &["S-1-16-8192"]),
    ("S-1-16-8448", &["S-1-16-8448"]),
    ("S-1-16-12288", &["S-1-16-12288"]),
    ("S-1-16-16384", &["S-1-16-16384"]),
    ("S-1-16-20480", &["S-1-16-20480"]),
];

/// Defender writes the integrity level as a word.
const XDR_INTEGRITY: &[(&str, &[&str])] = &[
    ("Low", &["Low"]),
    ("Medium", &["Medium"]),
    ("High", &["High"]),
    ("System", &["System"]),
    ("S-1-16-4096", &["Low"]),
    ("S-1-16-8192", &["Medium"]),
    ("S-1-16-12288", &["High"]),
    ("S-1-16-16384", &["System"]),
];

/// ASIM keeps the source's spelling: either form may be there.
const ASIM_INTEGRITY: &[(&str, &[&str])] = &[
    ("Low", &["Low", "S-1-16-4096"]),
    ("Medium", &["Medium", "S-1-16-8192"]),
    ("High", &["High", "S-1-16-12288"]),
    ("System", &["System", "S-1-16-16384"]),
    ("S-1-16-4096", &["S-1-16-4096", "Low"]),
    ("S-1-16-8192", &["S-1-16-8192", "Medium"]),
    ("S-1-16-12288", &["S-1-16-12288", "High"]),
    ("S-1-16-16384", &["S-1-16-16384", "System"]),
];

const XDR_HASHES: &[(&str, &str)] = &[("MD5", "MD5"), ("SHA1", "SHA1"), ("SHA256", "SHA256")];

// ---------------------------------------------------------------------------
// microsoft_xdr

const XDR_COMMON: Fields = &[
    ("EventID", Drop(DropKind::EventId)),
    ("EventCode", Drop(DropKind::EventId)),
    ("Provider_Name", Drop(DropKind::Provider)),
    ("Channel", Drop(DropKind::Provider)),
    ("Computer", To(&["DeviceName"])),
];

/// The process behind a file, network, registry, image-load or DeviceEvents row.
const XDR_INITIATING: Fields = &[
    ("Image", To(&["InitiatingProcessFolderPath"])),
    ("ProcessId", To(&["InitiatingProcessId"])),
    ("CommandLine", To(&["InitiatingProcessCommandLine"])),
    ("ParentImage", FieldMap::Conv(Conv::Basename { col: "InitiatingProcessParentFileName" })),
    ("ParentProcessId", To(&["InitiatingProcessParentId"])),
    (
        "User",
        FieldMap::Conv(Conv::UserSplit {
            domain: "InitiatingProcessAccountDomain",
            name: "InitiatingProcessAccountName",
            fallback: None,
        }),
    ),
    ("ProcessGuid", Missing("Defender has no process GUID")),
];

const XDR_INITIATING_IL: Fields =
    &[("IntegrityLevel", FieldMap::Conv(Conv::Vocab { col: "InitiatingProcessIntegrityLevel", table: XDR_INTEGRITY }))];

const XDR_PROCESS: Fields = &[
    ("Image", To(&["FolderPath"])),
    ("OriginalFileName", To(&["ProcessVersionInfoOriginalFileName"])),
    ("Description", To(&["ProcessVersionInfoFileDescription"])),
    ("Product", To(&["ProcessVersionInfoProductName"])),
    ("Company", To(&["ProcessVersionInfoCompanyName"])),
    (
        "FileVersion",
        Approx(&["ProcessVersionInfoProductVersion"], "Defender records the product version, not the file version"),
    ),
    ("CommandLine", To(&["ProcessCommandLine"])),
    ("ProcessId", To(&["ProcessId"])),
    ("ParentImage", To(&["InitiatingProcessFolderPath"])),
    ("ParentCommandLine", To(&["InitiatingProcessCommandLine"])),
    ("ParentProcessId", To(&["InitiatingProcessId"])),
    ("User", FieldMap::Conv(Conv::UserSplit { domain: "AccountDomain", name: "AccountName", fallback: None })),
    (
        "ParentUser",
        FieldMap::Conv(Conv::UserSplit {
            domain: "InitiatingProcessAccountDomain",
            name: "InitiatingProcessAccountName",
            fallback: None,
        }),
    ),
    ("IntegrityLevel", FieldMap::Conv(Conv::Vocab { col: "ProcessIntegrityLevel", table: XDR_INTEGRITY })),
    ("LogonId", FieldMap::Conv(Conv::HexToNumber { col: "LogonId" })),
    ("Hashes", FieldMap::Conv(Conv::Hashes { cols: XDR_HASHES })),
    ("md5", To(&["MD5"])),
    ("sha1", To(&["SHA1"])),
    ("sha256", To(&["SHA256"])),
    ("GrandParentImage", FieldMap::Conv(Conv::Basename { col: "InitiatingProcessParentFileName" })),
    ("CurrentDirectory", Missing("Defender does not record the working directory")),
    ("ProcessGuid", Missing("Defender has no process GUID")),
    ("ParentProcessGuid", Missing("Defender has no process GUID")),
    ("LogonGuid", Missing("Defender has no logon GUID")),
    ("TerminalSessionId", Missing("Defender has no terminal session id")),
];

/// Windows Security 4688 names, for rules routed here by EventID 4688.
const XDR_4688: Fields = &[
    ("NewProcessName", To(&["FolderPath"])),
    ("ParentProcessName", To(&["InitiatingProcessFolderPath"])),
    ("CommandLine", To(&["ProcessCommandLine"])),
    ("SubjectUserName", To(&["InitiatingProcessAccountName"])),
    ("SubjectDomainName", To(&["InitiatingProcessAccountDomain"])),
    ("TargetUserName", To(&["AccountName"])),
    ("TargetDomainName", To(&["AccountDomain"])),
    ("NewProcessId", Missing("4688 writes process ids in hex; Defender's ProcessId is decimal")),
];

/// Sysmon's Source is the side that opened the connection; Defender's Local*
/// is this device and Remote* the peer, whatever the direction.
const XDR_INBOUND: &[&str] = &["InboundConnectionAccepted"];
const XDR_SIDES: &str = "Defender writes this device in Local* and the peer in Remote* whatever the direction, while Sysmon's Source is the side that opened the connection: on accepted connections the two are swapped";

const fn xdr_side(then: &'static str, otherwise: &'static str) -> FieldMap {
    FieldMap::Conv(Conv::Where { cond: "ActionType", values: XDR_INBOUND, then, otherwise, why: XDR_SIDES })
}

const XDR_NETWORK: Fields = &[
    ("DestinationHostname", xdr_side("DeviceName", "RemoteUrl")),
    ("DestinationIp", xdr_side("LocalIP", "RemoteIP")),
    ("DestinationPort", xdr_side("LocalPort", "RemotePort")),
    ("SourceIp", xdr_side("RemoteIP", "LocalIP")),
    ("SourcePort", xdr_side("RemotePort", "LocalPort")),
    ("SourceHostname", xdr_side("RemoteUrl", "DeviceName")),
    ("Initiated", FieldMap::Conv(Conv::Vocab { col: "ActionType", table: XDR_DIRECTION })),
    ("Protocol", FieldMap::Conv(Conv::ProtocolPrefix { col: "Protocol" })),
    ("DestinationIsIpv6", Missing("Defender has no IPv6 flag")),
    ("SourceIsIpv6", Missing("Defender has no IPv6 flag")),
    ("DestinationPortName", Missing("Defender has no port names")),
    ("SourcePortName", Missing("Defender has no port names")),
];

const XDR_FILE: Fields = &[
    ("TargetFilename", To(&["FolderPath"])),
    ("Hashes", FieldMap::Conv(Conv::Hashes { cols: XDR_HASHES })),
    ("CreationUtcTime", Missing("Defender does not record the file creation time set by the process")),
    ("SourceFilename", Missing("Defender's PreviousFolderPath/PreviousFileName split differs from a full source path")),
];

const XDR_REGISTRY: Fields = &[
    ("Details", FieldMap::Conv(Conv::Details { data: "RegistryValueData", kind: "RegistryValueType", asim: false })),
    ("EventType", FieldMap::Conv(Conv::Vocab { col: "ActionType", table: REG_EVENT_TYPES })),
    ("NewName", FieldMap::Conv(Conv::RegKey { col: "RegistryKey", hives: Hives::Xdr })),
];

const XDR_REG_CURRENT: &[(&str, &str)] = &[("RegistryKey", "RegistryValueName")];
const XDR_REG_BOTH: &[(&str, &str)] =
    &[("RegistryKey", "RegistryValueName"), ("PreviousRegistryKey", "PreviousRegistryValueName")];

const XDR_REG_SET: Fields = &[(
    "TargetObject",
    FieldMap::Conv(Conv::RegPath { pairs: XDR_REG_CURRENT, mode: RegMode::Value, hives: Hives::Xdr }),
)];
const XDR_REG_ADD: Fields = &[(
    "TargetObject",
    FieldMap::Conv(Conv::RegPath { pairs: XDR_REG_CURRENT, mode: RegMode::Key, hives: Hives::Xdr }),
)];
const XDR_REG_DELETE: Fields =
    &[("TargetObject", FieldMap::Conv(Conv::RegPath { pairs: XDR_REG_BOTH, mode: RegMode::Mixed, hives: Hives::Xdr }))];
const XDR_REG_EVENT: Fields = &[
    ("TargetObject", FieldMap::Conv(Conv::RegPath { pairs: XDR_REG_BOTH, mode: RegMode::Mixed, hives: Hives::Xdr })),
    ("EventID", FieldMap::Conv(Conv::Vocab { col: "ActionType", table: REG_EVENT_IDS })),
];

const XDR_IMAGE_LOAD: Fields = &[
    ("ImageLoaded", To(&["FolderPath"])),
    ("Hashes", FieldMap::Conv(Conv::Hashes { cols: XDR_HASHES })),
    (
        "OriginalFileName",
        Missing("Defender records version information of the loading process, not of the loaded image"),
    ),
    ("Description", Missing("Defender records version information of the loading process, not of the loaded image")),
    ("Product", Missing("Defender records version information of the loading process, not of the loaded image")),
    ("Company", Missing("Defender records version information of the loading process, not of the loaded image")),
    ("FileVersion", Missing("Defender records version information of the loading process, not of the loaded image")),
    ("Signed", Missing("Defender has no signature columns for loaded images")),
    ("Signature", Missing("Defender has no signature columns for loaded images")),
    ("SignatureStatus", Missing("Defender has no signature columns for loaded images")),
];

const XDR_PIPE: Fields = &[("PipeName", FieldMap::Conv(Conv::PipeName { col: "AdditionalFields.PipeName" }))];

/// CreateRemoteThreadApiCall / OpenProcessApiCall: the target process is the row's file and process.
const XDR_SOURCE_TARGET: Fields = &[
    ("SourceImage", To(&["InitiatingProcessFolderPath"])),
    ("SourceProcessId", To(&["InitiatingProcessId"])),
    ("SourceCommandLine", To(&["InitiatingProcessCommandLine"])),
    ("SourceParentImage", FieldMap::Conv(Conv::Basename { col: "InitiatingProcessParentFileName" })),
    (
        "SourceUser",
        FieldMap::Conv(Conv::UserSplit {
            domain: "InitiatingProcessAccountDomain",
            name: "InitiatingProcessAccountName",
            fallback: None,
        }),
    ),
    ("TargetImage", To(&["FolderPath"])),
    ("TargetProcessId", To(&["ProcessId"])),
    ("StartAddress", Missing("Defender does not record the thread start address")),
    ("StartModule", Missing("Defender does not record the thread start module")),
    ("StartFunction", Missing("Defender does not record the thread start function")),
    (
        "GrantedAccess",
        Missing("Defender records the desired access in AdditionalFields as a decimal number; no exact translation"),
    ),
    ("CallTrace", Missing("Defender does not record the call trace")),
    ("SourceProcessGUID", Missing("Defender has no process GUID")),
    ("TargetProcessGUID", Missing("Defender has no process GUID")),
];

const XDR_DRIVER: Fields = &[
    ("ImageLoaded", To(&["FolderPath"])),
    ("Hashes", FieldMap::Conv(Conv::Hashes { cols: XDR_HASHES })),
    ("Signed", Missing("Defender has no signature columns for drivers")),
    ("Signature", Missing("Defender has no signature columns for drivers")),
    ("SignatureStatus", Missing("Defender has no signature columns for drivers")),
];

const XDR_DNS: Fields = &[
    ("QueryName", To(&["AdditionalFields.DnsQueryString"])),
    ("QueryResults", Missing("Defender's DNS answers are a JSON list; no exact translation")),
    ("QueryStatus", Missing("Defender does not record the DNS status of DnsQueryResponse events")),
];

const XDR_LOGON: Fields = &[
    ("EventID", FieldMap::Conv(Conv::Vocab { col: "ActionType", table: XDR_LOGON_IDS })),
    ("TargetUserName", To(&["AccountName"])),
    ("TargetDomainName", To(&["AccountDomain"])),
    ("TargetUserSid", To(&["AccountSid"])),
    ("LogonType", FieldMap::Conv(Conv::Vocab { col: "LogonType", table: LOGON_TYPES })),
    ("IpAddress", To(&["RemoteIP"])),
    ("IpPort", To(&["RemotePort"])),
    ("WorkstationName", To(&["RemoteDeviceName"])),
    ("AuthenticationPackageName", To(&["Protocol"])),
    ("LogonProcessName", Missing("Defender does not record the logon process")),
    ("SubjectUserName", Missing("Defender does not record the account that requested the logon")),
    ("Status", Missing("Defender's FailureReason uses its own words, not NTSTATUS codes")),
    ("SubStatus", Missing("Defender's FailureReason uses its own words, not NTSTATUS codes")),
];

static XDR_SOURCES: &[Source] = &[
    Source {
        products: ANY_OS,
        restating: &[1, 4688],
        providers: PROC_PROVIDERS,
        fallback: &[1],
        ..source("process_creation", "process_creation", "DeviceProcessEvents", &[XDR_PROCESS, XDR_COMMON])
    },
    Source {
        category: None,
        service: Some("security"),
        restating: &[4688],
        providers: SECURITY,
        fallback: &[4688],
        fallback_services: &["security"],
        fallback_only: true,
        ..source("security 4688", "", "DeviceProcessEvents", &[XDR_4688, XDR_COMMON])
    },
    Source {
        products: ANY_OS,
        restating: &[3],
        fallback: &[3],
        ..source("network_connection", "network_connection", "DeviceNetworkEvents", &[XDR_NETWORK, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        products: ANY_OS,
        condition: Cond::Str("ActionType", &["FileCreated", "FileModified", "FileRenamed"]),
        restating: &[11],
        fallback: &[11],
        ..source("file_event", "file_event", "DeviceFileEvents", &[XDR_FILE, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["FileDeleted"]),
        restating: &[23, 26],
        fallback: &[23, 26],
        ..source("file_delete", "file_delete", "DeviceFileEvents", &[XDR_FILE, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["FileRenamed"]),
        ..source("file_rename", "file_rename", "DeviceFileEvents", &[XDR_FILE, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["RegistryValueSet"]),
        restating: &[13],
        ..source("registry_set", "registry_set", "DeviceRegistryEvents", &[XDR_REG_SET, XDR_REGISTRY, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["RegistryKeyCreated"]),
        restating: &[12],
        ..source("registry_add", "registry_add", "DeviceRegistryEvents", &[XDR_REG_ADD, XDR_REGISTRY, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["RegistryKeyDeleted", "RegistryValueDeleted"]),
        restating: &[12],
        ..source("registry_delete", "registry_delete", "DeviceRegistryEvents", &[XDR_REG_DELETE, XDR_REGISTRY, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        fallback: &[12, 13, 14],
        ..source("registry_event", "registry_event", "DeviceRegistryEvents", &[XDR_REG_EVENT, XDR_REGISTRY, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        restating: &[7],
        fallback: &[7],
        ..source("image_load", "image_load", "DeviceImageLoadEvents", &[XDR_IMAGE_LOAD, XDR_INITIATING, XDR_INITIATING_IL, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["NamedPipeEvent"]),
        restating: &[17, 18],
        fallback: &[17, 18],
        ..source("pipe_created", "pipe_created", "DeviceEvents", &[XDR_PIPE, XDR_INITIATING, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["CreateRemoteThreadApiCall"]),
        restating: &[8],
        fallback: &[8],
        ..source("create_remote_thread", "create_remote_thread", "DeviceEvents", &[XDR_SOURCE_TARGET, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["OpenProcessApiCall"]),
        restating: &[10],
        fallback: &[10],
        warning: Some("Defender records OpenProcessApiCall selectively (mainly handles to sensitive processes such as lsass.exe), not every process access that Sysmon event 10 logs"),
        ..source("process_access", "process_access", "DeviceEvents", &[XDR_SOURCE_TARGET, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["DriverLoad"]),
        restating: &[6],
        fallback: &[6],
        ..source("driver_load", "driver_load", "DeviceEvents", &[XDR_DRIVER, XDR_COMMON])
    },
    Source {
        condition: Cond::Str("ActionType", &["DnsQueryResponse"]),
        restating: &[22],
        fallback: &[22],
        ..source("dns_query", "dns_query", "DeviceEvents", &[XDR_DNS, XDR_INITIATING, XDR_COMMON])
    },
    Source {
        category: None,
        service: Some("security"),
        providers: SECURITY,
        fallback: &[4624, 4625],
        fallback_services: &["security"],
        fallback_only: true,
        ..source("security logon (4624, 4625)", "", "DeviceLogonEvents", &[XDR_LOGON, XDR_COMMON])
    },
];

// ---------------------------------------------------------------------------
// sentinel_asim

const ASIM_COMMON: Fields = &[
    ("EventID", Drop(DropKind::EventId)),
    ("EventCode", Drop(DropKind::EventId)),
    ("Provider_Name", Drop(DropKind::Provider)),
    ("Channel", Drop(DropKind::Provider)),
    ("Computer", To(&["DvcHostname"])),
];

const ASIM_PROCESS: Fields = &[
    ("Image", To(&["TargetProcessName"])),
    ("CommandLine", To(&["TargetProcessCommandLine"])),
    ("CurrentDirectory", To(&["TargetProcessCurrentDirectory"])),
    (
        "OriginalFileName",
        FieldMap::Conv(Conv::Where {
            cond: "EventOriginalType",
            values: &["1"],
            then: "TargetProcessFilename",
            otherwise: "TargetProcessFileOriginalName",
            why: "Sysmon's parsers write OriginalFileName to TargetProcessFilename (vimProcessCreateMicrosoftSysmon 0.4.0), no parser fills TargetProcessFileOriginalName, and Defender's (vimProcessEventMicrosoft365D 0.2.0) leaves it outside the schema: only Sysmon rows can match it, by EventOriginalType 1",
        }),
    ),
    ("Description", To(&["TargetProcessFileDescription"])),
    ("Product", To(&["TargetProcessFileProduct"])),
    ("Company", To(&["TargetProcessFileCompany"])),
    ("FileVersion", To(&["TargetProcessFileVersion"])),
    ("IntegrityLevel", FieldMap::Conv(Conv::Vocab { col: "TargetProcessIntegrityLevel", table: ASIM_INTEGRITY })),
    ("ProcessId", To(&["TargetProcessId"])),
    ("ProcessGuid", FieldMap::Conv(Conv::Spellings { col: "TargetProcessGuid", kind: Spelling::Braces })),
    (
        "User",
        FieldMap::Conv(Conv::Account { base: &Conv::Column { col: "TargetUsername" }, sid: SidColumns::AsimTarget }),
    ),
    ("LogonId", FieldMap::Conv(Conv::Spellings { col: "TargetUserSessionId", kind: Spelling::HexOrDecimal })),
    ("LogonGuid", FieldMap::Conv(Conv::Spellings { col: "TargetUserSessionGuid", kind: Spelling::Braces })),
    ("ParentImage", To(&["ActingProcessName"])),
    ("ParentCommandLine", To(&["ActingProcessCommandLine"])),
    ("ParentProcessId", To(&["ActingProcessId"])),
    ("ParentProcessGuid", FieldMap::Conv(Conv::Spellings { col: "ActingProcessGuid", kind: Spelling::Braces })),
    (
        "ParentUser",
        FieldMap::Conv(Conv::Account { base: &Conv::Column { col: "ActorUsername" }, sid: SidColumns::AsimActor }),
    ),
    (
        "GrandParentImage",
        FieldMap::Conv(Conv::ProcessPath {
            cols: &["ParentProcessName"],
            why: Some("only Defender's parser fills ParentProcessName, with the grandparent's file name alone: a test on its folder cannot match"),
        }),
    ),
    (
        "Hashes",
        FieldMap::Conv(Conv::Hashes {
            cols: &[
                ("MD5", "TargetProcessMD5"),
                ("SHA1", "TargetProcessSHA1"),
                ("SHA256", "TargetProcessSHA256"),
                ("SHA512", "TargetProcessSHA512"),
                ("IMPHASH", "TargetProcessIMPHASH"),
            ],
        }),
    ),
    ("md5", To(&["TargetProcessMD5"])),
    ("sha1", To(&["TargetProcessSHA1"])),
    ("sha256", To(&["TargetProcessSHA256"])),
    ("Imphash", To(&["TargetProcessIMPHASH"])),
];

const ASIM_4688: Fields = &[
    ("NewProcessName", To(&["TargetProcessName"])),
    ("ParentProcessName", To(&["ActingProcessName"])),
    ("CommandLine", To(&["TargetProcessCommandLine"])),
    (
        "SubjectUserName",
        FieldMap::Conv(Conv::NamePart { col: "ActorUsername", domain_field: Some("SubjectDomainName") }),
    ),
    (
        "TargetUserName",
        FieldMap::Conv(Conv::NamePart { col: "TargetUsername", domain_field: Some("TargetDomainName") }),
    ),
    ("NewProcessId", Missing("4688 writes process ids in hex; ASIM keeps them as decimal text")),
];

const ASIM_NETWORK: Fields = &[
    (
        "Image",
        FieldMap::Conv(Conv::ProcessPath {
            cols: &["SrcProcessName", "DstProcessName"],
            why: Some("Defender rows hold only the process's file name (vimNetworkSessionMicrosoft365Defender 0.4 uses InitiatingProcessFileName): a test on the folder cannot match them"),
        }),
    ),
    ("ProcessId", To(&["SrcProcessId", "DstProcessId"])),
    ("ProcessGuid", To(&["SrcProcessGuid", "DstProcessGuid"])),
    ("User", To(&["SrcUsername", "DstUsername"])),
    ("DestinationHostname", FieldMap::Conv(Conv::HostFqdn { fqdn: "DstFQDN", host: "DstHostname" })),
    ("SourceHostname", FieldMap::Conv(Conv::HostFqdn { fqdn: "SrcFQDN", host: "SrcHostname" })),
    ("DestinationIp", To(&["DstIpAddr"])),
    ("SourceIp", To(&["SrcIpAddr"])),
    ("DestinationPort", To(&["DstPortNumber"])),
    ("SourcePort", To(&["SrcPortNumber"])),
    ("Protocol", To(&["NetworkProtocol"])),
    ("Initiated", FieldMap::Conv(Conv::AsimDirection)),
    ("CommandLine", Missing("imNetworkSession has no command line")),
    ("ParentImage", Missing("imNetworkSession has no parent process")),
    ("DestinationIsIpv6", Missing("NetworkProtocolVersion is set for the session, not per address")),
    ("SourceIsIpv6", Missing("NetworkProtocolVersion is set for the session, not per address")),
    ("DestinationPortName", Missing("the Sysmon parser does not keep port names")),
    ("SourcePortName", Missing("the Sysmon parser does not keep port names")),
];

const ASIM_DEFENDER_PATH: &str = "Defender's parser (vimFileEventM365D 0.2.1) writes FolderPath\\FileName, and Defender's FolderPath already ends with the file name: a path ending in a file name is also matched with the name repeated";

const ASIM_FILE: Fields = &[
    ("TargetFilename", FieldMap::Conv(Conv::RepeatedName { col: "TargetFilePath", why: ASIM_DEFENDER_PATH })),
    ("FileName", FieldMap::Conv(Conv::RepeatedName { col: "TargetFilePath", why: ASIM_DEFENDER_PATH })),
    ("SourceFilename", FieldMap::Conv(Conv::RepeatedName { col: "SrcFilePath", why: ASIM_DEFENDER_PATH })),
    ("Image", To(&["ActingProcessName"])),
    ("CommandLine", To(&["ActingProcessCommandLine"])),
    ("ProcessId", To(&["ActingProcessId"])),
    ("ProcessGuid", To(&["ActingProcessGuid"])),
    ("User", To(&["ActorUsername"])),
    (
        "Hashes",
        FieldMap::Conv(Conv::Hashes {
            cols: &[
                ("MD5", "TargetFileMD5"),
                ("SHA1", "TargetFileSHA1"),
                ("SHA256", "TargetFileSHA256"),
                ("SHA512", "TargetFileSHA512"),
            ],
        }),
    ),
    ("ParentImage", Missing("imFileEvent has no parent process")),
    ("CreationUtcTime", Missing("imFileEvent's TargetFileCreationTime is a datetime, not Sysmon's text")),
];

const ASIM_REGISTRY: Fields = &[
    ("Details", FieldMap::Conv(Conv::Details { data: "RegistryValueData", kind: "RegistryValueType", asim: true })),
    ("EventType", FieldMap::Conv(Conv::Vocab { col: "EventType", table: REG_EVENT_TYPES })),
    ("NewName", FieldMap::Conv(Conv::RegKey { col: "RegistryKey", hives: Hives::Asim })),
    ("Image", To(&["ActingProcessName"])),
    ("ProcessId", To(&["ActingProcessId"])),
    ("ProcessGuid", To(&["ActingProcessGuid"])),
    ("User", To(&["ActorUsername"])),
];

const ASIM_REG_PAIR: &[(&str, &str)] = &[("RegistryKey", "RegistryValue")];
const ASIM_REG_SET: Fields = &[(
    "TargetObject",
    FieldMap::Conv(Conv::RegPath { pairs: ASIM_REG_PAIR, mode: RegMode::Value, hives: Hives::Asim }),
)];
const ASIM_REG_ADD: Fields =
    &[("TargetObject", FieldMap::Conv(Conv::RegPath { pairs: ASIM_REG_PAIR, mode: RegMode::Key, hives: Hives::Asim }))];
const ASIM_REG_MIXED: Fields = &[(
    "TargetObject",
    FieldMap::Conv(Conv::RegPath { pairs: ASIM_REG_PAIR, mode: RegMode::Mixed, hives: Hives::Asim }),
)];
const ASIM_REG_EVENT: Fields = &[
    ("TargetObject", FieldMap::Conv(Conv::RegPath { pairs: ASIM_REG_PAIR, mode: RegMode::Mixed, hives: Hives::Asim })),
    ("EventID", FieldMap::Conv(Conv::Vocab { col: "EventType", table: REG_EVENT_IDS })),
];

const ASIM_DNS_QUERY: Fields = &[
    ("QueryName", To(&["DnsQuery"])),
    ("QueryResults", To(&["DnsResponseName"])),
    ("QueryStatus", FieldMap::Conv(Conv::DnsStatus { col: "DnsResponseCode" })),
    ("Image", To(&["SrcProcessName"])),
    ("ProcessId", To(&["SrcProcessId"])),
    ("ProcessGuid", To(&["SrcProcessGuid"])),
    ("User", To(&["SrcUsername"])),
];

const ASIM_DNS: Fields = &[
    ("query", To(&["DnsQuery"])),
    ("answer", To(&["DnsResponseName"])),
    ("record_type", To(&["DnsQueryTypeName"])),
    ("src_ip", To(&["SrcIpAddr"])),
    ("dst_ip", To(&["DstIpAddr"])),
];

const ASIM_PROXY: Fields = &[
    ("c-uri", To(&["Url"])),
    ("cs-uri", To(&["Url"])),
    ("c-uri-query", FieldMap::Conv(Conv::UrlPart { col: "Url", part: "query string" })),
    ("c-uri-stem", FieldMap::Conv(Conv::UrlPart { col: "Url", part: "path" })),
    ("cs-uri-stem", FieldMap::Conv(Conv::UrlPart { col: "Url", part: "path" })),
    ("c-uri-extension", FieldMap::Conv(Conv::UrlPart { col: "Url", part: "file extension" })),
    ("c-useragent", To(&["HttpUserAgent"])),
    ("cs-method", To(&["HttpRequestMethod"])),
    ("cs-host", To(&["HttpHost"])),
    ("cs-cookie", To(&["HttpCookie"])),
    ("cs-referrer", To(&["HttpReferrer"])),
    ("cs-referer", To(&["HttpReferrer"])),
    ("cs-version", To(&["HttpVersion"])),
    ("sc-status", To(&["HttpStatusCode"])),
    ("r-dns", FieldMap::Conv(Conv::HostFqdn { fqdn: "DstFQDN", host: "DstHostname" })),
    ("dst_ip", To(&["DstIpAddr"])),
    ("src_ip", To(&["SrcIpAddr"])),
    ("c-ip", To(&["SrcIpAddr"])),
];

const ASIM_WEBSERVER: Fields = &[
    ("cs-uri-query", FieldMap::Conv(Conv::UrlPart { col: "Url", part: "query string" })),
    ("cs-uri-stem", FieldMap::Conv(Conv::UrlPart { col: "Url", part: "path" })),
    ("cs-uri", To(&["Url"])),
    ("cs-method", To(&["HttpRequestMethod"])),
    ("sc-status", To(&["HttpStatusCode"])),
    ("cs-user-agent", To(&["HttpUserAgent"])),
    ("cs-referer", To(&["HttpReferrer"])),
    ("cs-username", To(&["SrcUsername"])),
    ("cs-host", To(&["HttpHost"])),
    ("cs-cookie", To(&["HttpCookie"])),
    ("c-ip", To(&["SrcIpAddr"])),
    ("s-ip", To(&["DstIpAddr"])),
];

const ASIM_LOGON: Fields = &[
    ("EventID", FieldMap::Conv(Conv::Vocab { col: "EventResult", table: ASIM_LOGON_IDS })),
    (
        "TargetUserName",
        FieldMap::Conv(Conv::NamePart { col: "TargetUsername", domain_field: Some("TargetDomainName") }),
    ),
    ("TargetDomainName", To(&["TargetDomain"])),
    ("TargetUserSid", To(&["TargetUserId"])),
    (
        "SubjectUserName",
        FieldMap::Conv(Conv::NamePart { col: "ActorUsername", domain_field: Some("SubjectDomainName") }),
    ),
    ("SubjectUserSid", To(&["ActorUserId"])),
    ("IpAddress", To(&["SrcIpAddr"])),
    ("IpPort", To(&["SrcPortNumber"])),
    ("WorkstationName", To(&["SrcHostname"])),
    ("AuthenticationPackageName", To(&["LogonProtocol"])),
    ("LogonType", Missing("imAuthentication has no Windows logon type column")),
    ("LogonProcessName", Missing("imAuthentication has no logon process column")),
    (
        "Status",
        Missing("imAuthentication normalises failure reasons (EventResultDetails); NTSTATUS codes are not kept"),
    ),
    (
        "SubStatus",
        Missing("imAuthentication normalises failure reasons (EventResultDetails); NTSTATUS codes are not kept"),
    ),
];

const ASIM_AZURE_ACTIVITY: Fields = &[
    ("operationName", To(&["Operation"])),
    ("OperationNameValue", To(&["Operation"])),
    ("CategoryValue", To(&["EventOriginalType"])),
];

static ASIM_SOURCES: &[Source] = &[
    Source {
        products: ANY_OS,
        restating: &[1, 4688],
        providers: PROC_PROVIDERS,
        fallback: &[1],
        ..source("process_creation", "process_creation", "imProcessCreate", &[ASIM_PROCESS, ASIM_COMMON])
    },
    Source {
        category: None,
        service: Some("security"),
        restating: &[4688],
        providers: SECURITY,
        fallback: &[4688],
        fallback_services: &["security"],
        fallback_only: true,
        ..source("security 4688", "", "imProcessCreate", &[ASIM_4688, ASIM_COMMON])
    },
    Source {
        products: ANY_OS,
        restating: &[3],
        fallback: &[3],
        ..source("network_connection", "network_connection", "imNetworkSession", &[ASIM_NETWORK, ASIM_COMMON])
    },
    Source {
        products: ANY_OS,
        condition: Cond::Str("EventType", &["FileCreated", "FileModified", "FileRenamed"]),
        restating: &[11],
        fallback: &[11],
        ..source("file_event", "file_event", "imFileEvent", &[ASIM_FILE, ASIM_COMMON])
    },
    Source {
        condition: Cond::Str("EventType", &["FileDeleted"]),
        restating: &[23, 26],
        fallback: &[23, 26],
        ..source("file_delete", "file_delete", "imFileEvent", &[ASIM_FILE, ASIM_COMMON])
    },
    Source {
        condition: Cond::Str("EventType", &["FileRenamed"]),
        ..source("file_rename", "file_rename", "imFileEvent", &[ASIM_FILE, ASIM_COMMON])
    },
    Source {
        condition: Cond::Str("EventType", &["FileAccessed"]),
        ..source("file_access", "file_access", "imFileEvent", &[ASIM_FILE, ASIM_COMMON])
    },
    Source {
        condition: Cond::Str("EventType", &["RegistryValueSet"]),
        restating: &[13],
        ..source("registry_set", "registry_set", "imRegistry", &[ASIM_REG_SET, ASIM_REGISTRY, ASIM_COMMON])
    },
    Source {
        condition: Cond::Str("EventType", &["RegistryKeyCreated"]),
        restating: &[12],
        ..source("registry_add", "registry_add", "imRegistry", &[ASIM_REG_ADD, ASIM_REGISTRY, ASIM_COMMON])
    },
    Source {
        condition: Cond::Str("EventType", &["RegistryKeyDeleted", "RegistryValueDeleted"]),
        restating: &[12],
        ..source("registry_delete", "registry_delete", "imRegistry", &[ASIM_REG_MIXED, ASIM_REGISTRY, ASIM_COMMON])
    },
    Source {
        fallback: &[12, 13, 14],
        ..source("registry_event", "registry_event", "imRegistry", &[ASIM_REG_EVENT, ASIM_REGISTRY, ASIM_COMMON])
    },
    Source {
        restating: &[22],
        fallback: &[22],
        ..source("dns_query", "dns_query", "imDns", &[ASIM_DNS_QUERY, ASIM_COMMON])
    },
    Source { products: &[], providers: &[], ..source("dns", "dns", "imDns", &[ASIM_DNS, ASIM_COMMON]) },
    Source { products: &[], providers: &[], ..source("proxy", "proxy", "imWebSession", &[ASIM_PROXY, ASIM_COMMON]) },
    Source {
        products: &[],
        providers: &[],
        ..source("webserver", "webserver", "imWebSession", &[ASIM_WEBSERVER, ASIM_COMMON])
    },
    Source {
        category: None,
        service: Some("security"),
        condition: Cond::Str("EventType", &["Logon"]),
        providers: SECURITY,
        fallback: &[4624, 4625],
        fallback_services: &["security"],
        fallback_only: true,
        ..source("security logon (4624, 4625)", "", "imAuthentication", &[ASIM_LOGON, ASIM_COMMON])
    },
    Source {
        category: None,
        products: &["azure"],
        service: Some("activitylogs"),
        providers: &[],
        info: Some("imAuditEvent holds the Administrative category of AzureActivity (Operation is OperationNameValue)"),
        ..source("azure activitylogs", "", "imAuditEvent", &[ASIM_AZURE_ACTIVITY, ASIM_COMMON])
    },
];

// ---------------------------------------------------------------------------
// azure_monitor (SecurityEvent only: the one Azure Monitor table in schema.json)

const AM_SECURITY: Fields = &[("Provider_Name", To(&["EventSourceName"]))];

const AM_4688: Fields = &[
    ("EventID", Drop(DropKind::EventId)),
    ("EventCode", Drop(DropKind::EventId)),
    ("Provider_Name", Drop(DropKind::Provider)),
    ("Channel", Drop(DropKind::Provider)),
    ("Image", To(&["NewProcessName"])),
    ("ParentImage", To(&["ParentProcessName"])),
    ("CommandLine", To(&["CommandLine"])),
    (
        "User",
        FieldMap::Conv(Conv::Account {
            base: &Conv::UserSplit {
                domain: "TargetDomainName",
                name: "TargetUserName",
                fallback: Some(("SubjectDomainName", "SubjectUserName")),
            },
            sid: SidColumns::SecurityEvent,
        }),
    ),
    ("IntegrityLevel", FieldMap::Conv(Conv::Vocab { col: "MandatoryLabel", table: MANDATORY_LABELS })),
    ("ProcessId", FieldMap::Conv(Conv::NumberToHex { col: "NewProcessId" })),
    ("ParentProcessId", FieldMap::Conv(Conv::NumberToHex { col: "ProcessId" })),
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

static AM_SOURCES: &[Source] = &[
    Source {
        category: None,
        service: Some("security"),
        providers: SECURITY,
        fallback_services: &[],
        unmapped_hint: Some("SecurityEvent keeps event fields that have no column of their own only inside the EventData XML"),
        ..source("windows security", "", "SecurityEvent", &[AM_SECURITY])
    },
    Source {
        condition: Cond::Num("EventID", 4688),
        restating: &[1, 4688],
        providers: PROC_PROVIDERS,
        info: Some("process creation is read from Security event 4688 (CommandLine only when command-line auditing is enabled)"),
        ..source("process_creation", "process_creation", "SecurityEvent", &[AM_4688])
    },
];

pub(crate) fn sources(target: TargetId) -> &'static [Source] {
    match target {
        TargetId::MicrosoftXdr => XDR_SOURCES,
        TargetId::SentinelAsim => ASIM_SOURCES,
        TargetId::AzureMonitor => AM_SOURCES,
    }
}

// ---------------------------------------------------------------------------
// Choosing the source

fn eq_opt(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(b))
}

fn product_ok(src: &Source, rule: &Rule) -> bool {
    match rule.logsource.product() {
        None => true,
        Some(p) => src.products.is_empty() || src.products.iter().any(|x| x.eq_ignore_ascii_case(p)),
    }
}

/// How a source was chosen: by logsource, or by EventID (value, where).
pub(crate) enum Chosen {
    Logsource,
    Fallback(i64, Span),
}

pub(crate) fn resolve(target: TargetId, rule: &Rule) -> Option<(&'static Source, Chosen)> {
    let all = sources(target);
    let ls = &rule.logsource;
    if let Some(cat) = ls.category() {
        return all
            .iter()
            .find(|s| {
                !s.fallback_only && s.category.is_some_and(|c| c.eq_ignore_ascii_case(cat)) && product_ok(s, rule)
            })
            .map(|s| (s, Chosen::Logsource));
    }
    if let Some(s) = all.iter().find(|s| {
        !s.fallback_only
            && s.category.is_none()
            && s.service.is_some_and(|sv| eq_opt(ls.service(), sv))
            && s.products.first().is_none_or(|p| eq_opt(ls.product(), p))
    }) {
        return Some((s, Chosen::Logsource));
    }
    // pySigma's fallback: the first `sel*` search with an EventID that names an event kind.
    if ls.product().is_some_and(|p| !p.eq_ignore_ascii_case("windows")) {
        return None;
    }
    let service = ls.service().unwrap_or("").to_ascii_lowercase();
    for search in &rule.detection.searches {
        if !search.name.starts_with("sel") {
            continue;
        }
        for item in search.alternatives.iter().flatten() {
            if !matches!(item.field.as_deref(), Some("EventID" | "EventCode")) {
                continue;
            }
            for v in &item.values {
                let id = match &v.value {
                    Scalar::Int(i) => Some(*i),
                    Scalar::Str(s) => s.trim().parse::<i64>().ok(),
                    _ => None,
                };
                let Some(id) = id else { continue };
                if let Some(s) =
                    all.iter().find(|s| s.fallback.contains(&id) && s.fallback_services.iter().any(|x| *x == service))
                {
                    return Some((s, Chosen::Fallback(id, v.span)));
                }
            }
        }
    }
    None
}

fn supported_list(target: TargetId) -> String {
    let mut parts: Vec<String> = Vec::new();
    for s in sources(target) {
        let what = if s.fallback_only {
            let ids: Vec<String> = s.fallback.iter().map(i64::to_string).collect();
            format!("windows/{} with EventID {}", s.service.unwrap_or(""), ids.join("/"))
        } else if s.category.is_some() {
            let products = if s.products.is_empty() { String::new() } else { format!(" ({})", s.products.join(", ")) };
            format!("{}{products}", s.label)
        } else {
            format!("{}/{}", s.products.first().copied().unwrap_or("windows"), s.service.unwrap_or(""))
        };
        parts.push(format!("{what} → {}", s.table));
    }
    parts.join("; ")
}

fn describe_logsource(rule: &Rule) -> String {
    let ls = &rule.logsource;
    let mut parts = Vec::new();
    if let Some(c) = ls.category() {
        parts.push(format!("category {c}"));
    }
    if let Some(p) = ls.product() {
        parts.push(format!("product {p}"));
    }
    if let Some(s) = ls.service() {
        parts.push(format!("service {s}"));
    }
    if parts.is_empty() {
        "an empty logsource".to_string()
    } else {
        parts.join(", ")
    }
}

fn logsource_span(rule: &Rule) -> Option<Span> {
    let ls = &rule.logsource;
    ls.category.as_ref().map(|c| c.span).or(ls.service.as_ref().map(|s| s.span)).or(ls.span)
}

/// Why a logsource that looks close to a supported one is not mapped.
fn unsupported_reason(target: TargetId, rule: &Rule) -> Option<&'static str> {
    let cat = rule.logsource.category()?.to_ascii_lowercase();
    let reason = match (target, cat.as_str()) {
        (TargetId::MicrosoftXdr, "ps_script" | "ps_module" | "ps_classic_start" | "ps_classic_provider_start") => {
            "Defender's PowerShellCommand events hold cmdlet names (AdditionalFields.Command), not script block or pipeline text"
        }
        (TargetId::MicrosoftXdr, "file_access") => "Defender does not record file reads",
        (TargetId::MicrosoftXdr, "file_change") => "Defender does not record file creation-time changes",
        (TargetId::MicrosoftXdr, "create_stream_hash") => "Defender does not record alternate data stream creation",
        (TargetId::MicrosoftXdr, "proxy" | "webserver" | "dns") => "Defender XDR has no web or DNS server log table",
        (TargetId::SentinelAsim, "image_load" | "driver_load") => "ASIM has no image or driver load schema",
        (TargetId::SentinelAsim, "pipe_created") => "ASIM has no named pipe schema",
        (TargetId::SentinelAsim, "process_access" | "create_remote_thread") => "ASIM has no process access schema",
        (TargetId::SentinelAsim, "ps_script" | "ps_module" | "ps_classic_start") => "ASIM has no PowerShell schema",
        (TargetId::AzureMonitor, _) => {
            "of the Azure Monitor tables only SecurityEvent is described (schema.json); Sysmon events live in Event/WindowsEvent, which are not"
        }
        _ => return None,
    };
    Some(reason)
}

pub(crate) fn no_table(target: TargetId, rule: &Rule) -> Diagnostic {
    let why = unsupported_reason(target, rule).map(|r| format!(" ({r})")).unwrap_or_default();
    Diagnostic::error(
        "no-table",
        format!(
            "{} has no table for {}{why}; supported: {}",
            target.name(),
            describe_logsource(rule),
            supported_list(target)
        ),
        logsource_span(rule),
    )
}

/// The source a custom pipeline's `query_table` selects: the one matching the
/// rule's logsource if it uses that table, else the first with that table.
fn source_for_table(target: TargetId, table: &str, rule: &Rule) -> Option<&'static Source> {
    if let Some((s, _)) = resolve(target, rule) {
        if s.table == table {
            return Some(s);
        }
    }
    sources(target).iter().find(|s| s.table == table)
}

// ---------------------------------------------------------------------------
// Mapping a rule

pub(crate) fn map_rule(target: TargetId, rule: &Rule, work: Expr<Work>, state: &mut State) -> Expr<MappedItem> {
    let src = match state.table.clone() {
        Some(table) => match source_for_table(target, &table, rule) {
            Some(s) => s,
            // A table the target does not describe: names as the custom pipeline left them.
            None => return super::keep_names(work, state),
        },
        None => match resolve(target, rule) {
            Some((s, how)) => {
                if let Chosen::Fallback(id, span) = how {
                    state.notes.push(Diagnostic::info(
                        "table-from-eventid",
                        format!("no category: {} chosen for EventID {id} ({})", s.table, s.label),
                        Some(span),
                    ));
                }
                s
            }
            None => {
                state.notes.push(no_table(target, rule));
                return super::keep_names(work, state);
            }
        },
    };
    state.table = Some(src.table.to_string());
    let span = logsource_span(rule);
    if let Some(w) = src.warning {
        state.notes.push(Diagnostic::warning("lossy-mapping", format!("{} on {}: {w}", src.label, src.table), span));
    }
    if let Some(i) = src.info {
        state.notes.push(Diagnostic::info("table-mapping", format!("{} on {}: {i}", src.label, src.table), span));
    }
    let mut failed_any = false;
    let slots = work.map_leaves(&mut |w| {
        let (e, failed) = map_leaf(src, w, state);
        failed_any |= failed;
        e.map_leaves(&mut |m| Expr::Leaf(if failed { Slot::Failed(m) } else { Slot::Mapped(m) }))
    });
    let mapped = if failed_any {
        drop_failed(slots, src.table, state)
    } else {
        slots.map_leaves(&mut |s| Expr::Leaf(s.into_item()))
    };
    let mapped =
        if target == TargetId::SentinelAsim { xml_entity_alternatives(mapped, src.table, state) } else { mapped };
    match condition_expr(src, span.unwrap_or_default()) {
        Some(cond) => Expr::And(vec![cond, mapped]),
        None => mapped,
    }
}

/// Sysmon through the `Event` table: the ASIM parsers read the XML text of
/// `EventData` without decoding it (parse-kv with a regex, or `parse`), so
/// `&`, `<` and `>` reach the row as `&amp;`, `&lt;`, `&gt;`. A value test
/// holding one of them also tests that spelling (regexes: `&` only).
fn xml_entity_alternatives(e: Expr<MappedItem>, table: &str, state: &mut State) -> Expr<MappedItem> {
    let mut changed = false;
    let out = e.map_leaves(&mut |m: MappedItem| {
        let tests: Vec<Test> = m.item.tests.iter().map(escaped_test).collect();
        if tests == m.item.tests {
            return Expr::Leaf(m);
        }
        changed = true;
        let mut alt = m.clone();
        alt.item.tests = tests;
        // Both spellings for a test, neither for a negated one.
        if m.item.negate {
            Expr::And(vec![Expr::Leaf(m), Expr::Leaf(alt)])
        } else {
            Expr::Or(vec![Expr::Leaf(m), Expr::Leaf(alt)])
        }
    });
    if changed {
        state.notes.push(Diagnostic::info(
            "source-mapping",
            format!("Sysmon through the Event table reaches {table} with `&`, `<` and `>` still written as `&amp;`, `&lt;`, `&gt;` (its ASIM parser reads the XML without decoding it): values holding them are also tested in that spelling"),
            None,
        ));
    }
    out
}

fn escaped_test(t: &Test) -> Test {
    match t {
        Test::Glob { pattern, cased } => {
            let parts = pattern
                .parts
                .iter()
                .map(|p| match p {
                    crate::sigma::string::Part::Lit(x) if x.contains(['&', '<', '>']) => {
                        crate::sigma::string::Part::Lit(
                            x.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"),
                        )
                    }
                    other => other.clone(),
                })
                .collect();
            Test::Glob { pattern: crate::sigma::string::SigmaString { parts }, cased: *cased }
        }
        Test::Regex { pattern, i, m, s } if pattern.contains('&') => {
            Test::Regex { pattern: pattern.replace('&', "&amp;"), i: *i, m: *m, s: *s }
        }
        other => other.clone(),
    }
}

/// A leaf while a rule is mapped: `Failed` is an item with no translation.
#[derive(Clone)]
enum Slot {
    Mapped(MappedItem),
    Failed(MappedItem),
}

impl Slot {
    fn into_item(self) -> MappedItem {
        match self {
            Slot::Mapped(m) | Slot::Failed(m) => m,
        }
    }
}

/// Items with no translation, by polarity. At a positive position (under an
/// even number of `not`s) such an item becomes `false`: the query then
/// matches a subset of what the rule matches (the alternatives that need the
/// item are left out), and its error becomes a `lossy-mapping` warning that
/// names the field. Under a `not` no constant is honest: `false` would widen
/// the query (false positives), `true` would turn a filter into one that
/// excludes more than the rule says (an evasion hole), so the error stays.
/// When nothing is left, or the rule fails anyway, every error stays (and the
/// whole tree is returned, to show the mapping): a query that never matches
/// is no conversion.
fn drop_failed(slots: Expr<Slot>, table: &str, state: &mut State) -> Expr<MappedItem> {
    let mut dropped: Vec<(Span, String)> = Vec::new();
    let mut kept: Vec<Span> = Vec::new();
    // Kept to show the whole mapping when the rule does not convert.
    let whole = slots.clone();
    let expr = slots
        .map_leaves_polar(&mut |s, positive| match s {
            Slot::Mapped(m) => Expr::Leaf(m),
            Slot::Failed(m) if positive => {
                let field = m.sigma_field.clone().or_else(|| m.item.field.clone()).unwrap_or_default();
                dropped.push((m.item.key_span, field));
                Expr::Const(false)
            }
            Slot::Failed(m) => {
                kept.push(m.item.key_span);
                Expr::Leaf(m)
            }
        })
        .simplify();
    let vanished = matches!(expr, Expr::Const(false)) || !kept.is_empty();
    for note in state.notes.iter_mut().filter(|n| n.is_error()) {
        let Some(span) = note.span else { continue };
        if kept.contains(&span) {
            if !note.message.contains("under a `not`") {
                note.message.push_str(
                    " (under a `not`: no constant can stand in for it without widening the query or the exclusion)",
                );
            }
            continue;
        }
        if vanished {
            continue;
        }
        if !dropped.iter().any(|(s, f)| *s == span && note.message.starts_with(&format!("{f} on {table}: "))) {
            continue;
        }
        note.severity = crate::base::diag::Severity::Warning;
        note.code = "lossy-mapping".to_string();
        note.message.push_str(
            "; replaced by `false`, which leaves out the alternatives that need it: the query matches a subset of what the rule matches",
        );
    }
    if vanished {
        whole.map_leaves(&mut |s| Expr::Leaf(s.into_item()))
    } else {
        expr
    }
}

fn condition_expr(src: &Source, span: Span) -> Option<Expr<MappedItem>> {
    let (col, tests) = match src.condition {
        Cond::None => return None,
        Cond::Str(col, values) => (col, values.iter().map(|v| lit(v)).collect::<Vec<_>>()),
        Cond::Num(col, n) => (col, vec![Test::Number { value: n as f64, text: n.to_string() }]),
    };
    Some(Expr::Leaf(MappedItem {
        item: synthetic_item(col, tests, span),
        sigma_field: None,
        column_type: column_type(src.table, col),
    }))
}

pub(crate) fn lookup(src: &Source, field: &str) -> Option<FieldMap> {
    src.fields.iter().flat_map(|f| f.iter()).find(|(name, _)| *name == field).map(|(_, m)| *m)
}

fn mapped(w: &Work, col: &str, tests: Vec<Test>, all: bool, table: &str) -> MappedItem {
    let mut item = w.item.clone();
    item.field = Some(col.to_string());
    if tests != item.tests {
        item.shown_values = tests.iter().map(Test::describe).collect();
        item.test_sources = (0..tests.len()).collect();
    }
    item.tests = tests;
    item.all = all;
    item.negate = false;
    MappedItem { item, sigma_field: w.sigma_field.clone(), column_type: column_type(table, col) }
}

fn unchanged(w: Work) -> Expr<MappedItem> {
    Expr::Leaf(MappedItem { item: w.item, sigma_field: w.sigma_field, column_type: ColumnType::Unknown })
}

fn negated(e: Expr<MappedItem>, negate: bool) -> Expr<MappedItem> {
    if !negate {
        return e;
    }
    match e {
        Expr::Leaf(mut m) => {
            m.item.negate = !m.item.negate;
            Expr::Leaf(m)
        }
        other => Expr::Not(Box::new(other)),
    }
}

/// Several columns are alternatives that each row fills one of (a source
/// writes the field to one, another source to another): a value test holds
/// when it holds in some column, an emptiness test when all are empty.
fn rename(w: &Work, cols: &[&str], table: &str) -> Expr<MappedItem> {
    let leaves = |tests: Vec<Test>, all: bool| -> Vec<Expr<MappedItem>> {
        cols.iter().map(|c| Expr::Leaf(mapped(w, c, tests.clone(), all, table))).collect()
    };
    if cols.len() == 1 {
        let e = leaves(w.item.tests.clone(), w.item.all).into_iter().next().unwrap_or(Expr::Const(false));
        return negated(e, w.item.negate);
    }
    let (empty, values): (Vec<Test>, Vec<Test>) = w.item.tests.iter().cloned().partition(is_emptiness);
    let mut parts = Vec::new();
    if !values.is_empty() {
        parts.push(Expr::Or(leaves(values, w.item.all)));
    }
    for t in empty {
        parts.push(Expr::And(leaves(vec![t], false)));
    }
    let e = match parts.len() {
        1 => parts.into_iter().next().unwrap_or(Expr::Const(false)),
        _ if w.item.all => Expr::And(parts),
        _ => Expr::Or(parts),
    };
    negated(e, w.item.negate)
}

fn is_emptiness(t: &Test) -> bool {
    match t {
        Test::Null | Test::Exists(false) => true,
        Test::Glob { pattern, .. } => pattern.parts.is_empty(),
        _ => false,
    }
}

fn mergeable(t: &Test) -> bool {
    matches!(t, Test::Glob { .. } | Test::Number { .. })
}

/// Leaves (column, test) back into items: tests on one column under the same
/// OR (AND) node become one item (one `in~` list in KQL).
fn assemble(e: LExpr, w: &Work, table: &str) -> Expr<MappedItem> {
    match e {
        Expr::Leaf(l) => Expr::Leaf(mapped(w, &l.col, vec![l.test], false, table)),
        Expr::Const(b) => Expr::Const(b),
        Expr::Not(x) => Expr::Not(Box::new(assemble(*x, w, table))),
        Expr::Or(xs) => Expr::Or(merge(xs, false, w, table)),
        Expr::And(xs) => Expr::And(merge(xs, true, w, table)),
    }
}

fn merge(xs: Vec<LExpr>, all: bool, w: &Work, table: &str) -> Vec<Expr<MappedItem>> {
    let mut flat = Vec::new();
    for x in xs {
        match x {
            Expr::Or(inner) if !all => flat.extend(inner),
            Expr::And(inner) if all => flat.extend(inner),
            other => flat.push(other),
        }
    }
    let mut groups: Vec<(String, Vec<Test>)> = Vec::new();
    let mut others = Vec::new();
    for x in flat {
        match x {
            Expr::Leaf(l) if mergeable(&l.test) => match groups.iter_mut().find(|(c, _)| *c == l.col) {
                Some((_, tests)) => {
                    if !tests.contains(&l.test) {
                        tests.push(l.test);
                    }
                }
                None => groups.push((l.col, vec![l.test])),
            },
            other => others.push(other),
        }
    }
    let mut out: Vec<Expr<MappedItem>> =
        groups.into_iter().map(|(col, tests)| Expr::Leaf(mapped(w, &col, tests, all, table))).collect();
    for o in others {
        out.push(assemble(o, w, table));
    }
    out
}

fn leaf_columns(e: &Expr<MappedItem>) -> Vec<String> {
    let mut cols = Vec::new();
    e.for_each_leaf(&mut |m| {
        if let Some(f) = &m.item.field {
            if !cols.contains(f) {
                cols.push(f.clone());
            }
        }
    });
    cols
}

fn event_ids(w: &Work) -> Option<Vec<i64>> {
    let mut out = Vec::new();
    for t in &w.item.tests {
        match t {
            Test::Number { value, .. } if value.fract() == 0.0 => out.push(*value as i64),
            Test::Glob { pattern, .. } => out.push(pattern.as_plain()?.trim().parse::<i64>().ok()?),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn plain_values(w: &Work) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for t in &w.item.tests {
        match t {
            Test::Glob { pattern, .. } => out.push(pattern.as_plain()?),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// One item mapped; the flag is set when the item has no translation (an
/// error note says why) and the leaf is the item unchanged.
fn map_leaf(src: &Source, w: Work, state: &mut State) -> (Expr<MappedItem>, bool) {
    let Some(field) = w.item.field.clone() else {
        return (
            Expr::Leaf(MappedItem { item: w.item, sigma_field: w.sigma_field, column_type: ColumnType::Unknown }),
            false,
        );
    };
    let shown = w.sigma_field.clone().unwrap_or_else(|| field.clone());
    let table = src.table;
    let mut cx =
        Cx { notes: &mut state.notes, span: w.item.key_span, field: &shown, table, lossy: false, failed: false };
    let fieldref = !w.item.tests.is_empty() && w.item.tests.iter().all(|t| matches!(t, Test::FieldRef { .. }));
    let result = match lookup(src, &field) {
        _ if fieldref => map_fieldref(src, &w, &mut cx),
        Some(FieldMap::To(cols)) => rename(&w, cols, table),
        Some(FieldMap::Approx(cols, note)) => {
            cx.lossy(note);
            rename(&w, cols, table)
        }
        Some(FieldMap::Conv(conv)) => convert_item(&conv, &w, &mut cx),
        Some(FieldMap::Drop(kind)) => drop_item(kind, &w, src, &mut cx),
        Some(FieldMap::Missing(reason)) => {
            cx.error("unmapped-field", &format!("no equivalent column: {reason}"));
            unchanged(w.clone())
        }
        None if has_column(table, &field) => rename(&w, &[field.as_str()], table),
        None => {
            let hint = src.unmapped_hint.map(|h| format!(" ({h})")).unwrap_or_default();
            cx.error(
                "unmapped-field",
                &format!("no mapping for this field on {}, and {table} has no column of that name{hint}", src.label),
            );
            unchanged(w.clone())
        }
    };
    let (lossy, failed) = (cx.lossy, cx.failed);
    if let Some(s) = &w.sigma_field {
        // A failed item's leaf still carries the Sigma name, which is no column.
        let cols = if failed { Vec::new() } else { leaf_columns(&result) };
        state.record(s, &cols, lossy || failed);
    }
    (result, failed)
}

/// Columns a field compares as, position by position: one column, or the
/// (domain, name) pair of a split `DOMAIN\user`.
fn comparable_columns(src: &Source, field: &str) -> Option<Vec<&'static str>> {
    match lookup(src, field) {
        Some(FieldMap::To(cols) | FieldMap::Approx(cols, _)) if cols.len() == 1 => Some(cols.to_vec()),
        Some(FieldMap::Conv(conv)) => conv_columns(&conv),
        Some(_) => None,
        None => schema_name(src.table, field).map(|c| vec![c]),
    }
}

/// The columns a converted field compares as, where the conversion keeps
/// the value as it is (or splits `DOMAIN\\user`).
fn conv_columns(conv: &Conv) -> Option<Vec<&'static str>> {
    match *conv {
        Conv::UserSplit { domain, name, fallback: None } => Some(vec![domain, name]),
        Conv::Column { col } | Conv::Spellings { col, .. } | Conv::RepeatedName { col, .. } => Some(vec![col]),
        Conv::ProcessPath { cols: [col], .. } => Some(vec![*col]),
        Conv::Account { base, .. } => conv_columns(base),
        _ => None,
    }
}

/// The schema's own `&'static` spelling of a column.
fn schema_name(table: &str, col: &str) -> Option<&'static str> {
    crate::kusto::schema::table_columns(table)?.iter().find(|(c, _)| *c == col).map(|(c, _)| *c)
}

/// `fieldref`: both fields must land on comparable columns.
fn map_fieldref(src: &Source, w: &Work, cx: &mut Cx<'_>) -> Expr<MappedItem> {
    let field = w.item.field.as_deref().unwrap_or("");
    let mut alternatives = Vec::new();
    for t in &w.item.tests {
        let Test::FieldRef { field: other, position, cased } = t else { continue };
        let (Some(mine), Some(theirs)) = (comparable_columns(src, field), comparable_columns(src, other)) else {
            cx.error("unmapped-value", &format!("the field reference to {other} cannot be expressed on {}", src.table));
            return unchanged(w.clone());
        };
        if mine.len() != theirs.len() || (mine.len() > 1 && position.is_some()) {
            cx.error(
                "unmapped-value",
                &format!("{field} and {other} are stored differently in {}; they cannot be compared", src.table),
            );
            return unchanged(w.clone());
        }
        let pairs: Vec<Expr<MappedItem>> = mine
            .iter()
            .zip(theirs.iter())
            .map(|(a, b)| {
                let test = Test::FieldRef { field: (*b).to_string(), position: *position, cased: *cased };
                Expr::Leaf(mapped(w, a, vec![test], false, src.table))
            })
            .collect();
        alternatives.push(if pairs.len() == 1 {
            pairs.into_iter().next().unwrap_or(Expr::Const(false))
        } else {
            Expr::And(pairs)
        });
    }
    let combined = match alternatives.len() {
        1 => alternatives.into_iter().next().unwrap_or(Expr::Const(false)),
        _ if w.item.all => Expr::And(alternatives),
        _ => Expr::Or(alternatives),
    };
    negated(combined, w.item.negate)
}

fn convert_item(conv: &Conv, w: &Work, cx: &mut Cx<'_>) -> Expr<MappedItem> {
    let mut parts = Vec::new();
    let mut missing = 0usize;
    for t in &w.item.tests {
        match convert_test(conv, t, cx) {
            Some(e) => parts.push(e),
            None => missing += 1,
        }
    }
    if parts.is_empty() {
        cx.error("unmapped-value", "no value of this item can be expressed on the target");
        return unchanged(w.clone());
    }
    if missing > 0 && w.item.all {
        // A conjunct that cannot be checked is dropped, not made false.
        parts.push(Expr::Const(true));
    }
    let combined = if w.item.all { Expr::And(parts) } else { Expr::Or(parts) };
    negated(assemble(combined, w, cx.table), w.item.negate)
}

fn drop_item(kind: DropKind, w: &Work, src: &Source, cx: &mut Cx<'_>) -> Expr<MappedItem> {
    match kind {
        DropKind::EventId => match event_ids(w) {
            Some(ids) if ids.iter().all(|id| src.restating.contains(id)) => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                cx.info(
                    "dropped-item",
                    &format!("EventID {} only restates the log source ({}), which the table holds; dropped", ids.join(", "), src.label),
                );
            }
            _ => cx.lossy("the table has no EventID; the condition is dropped, so the query is wider than the rule"),
        },
        DropKind::Provider => match plain_values(w) {
            Some(vals) if vals.iter().all(|v| src.providers.iter().any(|p| p.eq_ignore_ascii_case(v))) => {
                cx.info("dropped-item", &format!("'{}' only restates the log source; dropped", vals.join(", ")));
            }
            _ => cx.lossy("the table has no provider/channel column; the condition is dropped, so the query is wider than the rule"),
        },
    }
    Expr::Const(true)
}

// ---------------------------------------------------------------------------
// Mapping an event

pub(crate) fn map_event_fields(
    target: TargetId,
    rule: &Rule,
    table: Option<String>,
    fields: &[(String, Value)],
    out: &mut Map<String, Value>,
    notes: &mut Vec<Diagnostic>,
) {
    let src = match &table {
        Some(t) => source_for_table(target, t, rule),
        None => resolve(target, rule).map(|(s, _)| s),
    };
    let Some(src) = src else {
        if table.is_none() {
            notes.push(no_table(target, rule));
        }
        for (name, value) in fields {
            let v = match &table {
                Some(t) => convert::typed(value.clone(), column_type(t, name)),
                None => value.clone(),
            };
            out.entry(name.clone()).or_insert(v);
        }
        return;
    };
    let mut dropped: Vec<String> = Vec::new();
    let mut fwd = Fwd { table: src.table, fields, out };
    let mut deferred = Vec::new();
    for (name, value) in fields {
        match lookup(src, name) {
            Some(FieldMap::Conv(Conv::Where { cond, values, then, otherwise, .. })) => {
                deferred.push((cond, values, then, otherwise, value.clone()));
            }
            Some(FieldMap::To(cols) | FieldMap::Approx(cols, _)) => {
                if let Some(c) = cols.first() {
                    fwd.set(c, value.clone());
                }
            }
            Some(FieldMap::Conv(conv)) => forward(&conv, value, &mut fwd),
            Some(FieldMap::Drop(_)) => {}
            Some(FieldMap::Missing(_)) => dropped.push(name.clone()),
            None if has_column(src.table, name) => fwd.set(name, value.clone()),
            None => dropped.push(name.clone()),
        }
    }
    match src.condition {
        Cond::None => {}
        Cond::Str(col, values) => {
            if let Some(v) = values.first() {
                fwd.set(col, Value::String((*v).to_string()));
            }
        }
        Cond::Num(col, n) => fwd.set(col, Value::from(n)),
    }
    // A field whose column depends on another column of the row: decided
    // once that column is set.
    for (cond, values, then, otherwise, value) in deferred {
        let holds =
            fwd.out.get(cond).and_then(Value::as_str).is_some_and(|v| values.iter().any(|x| x.eq_ignore_ascii_case(v)));
        fwd.set(if holds { then } else { otherwise }, value);
    }
    if !dropped.is_empty() {
        notes.push(Diagnostic::info(
            "dropped-fields",
            format!("fields with no column in {}: {}", src.table, dropped.join(", ")),
            None,
        ));
    }
}

/// Every (table, column) the built-in mappings can produce, for the schema test.
#[cfg(test)]
pub(crate) fn all_targets() -> Vec<(TargetId, &'static str, &'static str, String)> {
    let mut out = Vec::new();
    for target in [TargetId::MicrosoftXdr, TargetId::SentinelAsim, TargetId::AzureMonitor] {
        for s in sources(target) {
            match s.condition {
                Cond::None => {}
                Cond::Str(c, _) | Cond::Num(c, _) => out.push((target, s.table, s.label, c.to_string())),
            }
            for fields in s.fields {
                for (name, m) in *fields {
                    let cols: Vec<&str> = match m {
                        FieldMap::To(cols) | FieldMap::Approx(cols, _) => cols.to_vec(),
                        FieldMap::Conv(c) => c.columns(),
                        _ => Vec::new(),
                    };
                    for c in cols {
                        out.push((target, s.table, name, c.to_string()));
                    }
                }
            }
        }
    }
    out
}
