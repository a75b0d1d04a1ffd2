//! microsoft_xdr: Defender XDR's advanced-hunting tables (Device*) as data,
//! one [`Source`] per logsource.
//!
//! Sources of the facts: the advanced-hunting table reference; `ActionType`
//! values and the Previous* registry columns for deletions as Microsoft's own
//! ASIM parsers for Defender read them (`ASimNetworkSessionMicrosoft365Defender`:
//! ConnectionSuccess/ConnectionFailed/ConnectionRequest are outbound,
//! InboundConnectionAccepted inbound; `vimRegistryEventMicrosoft365D`).
//!
//! Beyond the Device tables: CloudAppEvents for AWS, Okta, GitHub, Azure
//! activity and GCP audit records (RawEventData holds the app's record; its
//! shape per app is not documented, which every query says),
//! EntraIdSignInEvents (the successor of AADSignInEventsBeta), and the
//! DeviceEvents action types ServiceInstalled and AntivirusDetection; the
//! facts and doubts of each are in docs/kql.md ("Tables").
//!
//! Not mapped on purpose: PowerShell script text (Defender's PowerShellCommand
//! holds one command name per row, not the script block: parameters, strings
//! and the commands a script holds together are lost, so the rules could
//! convert without ever matching).

use super::vocab::{
    ENTRA_CA_STATUS, ENTRA_COMPLIANT, ENTRA_RISK_STATES, LOGON_TYPES, REG_EVENT_IDS, REG_EVENT_TYPES, XDR_DIRECTION,
    XDR_INTEGRITY, XDR_LOGON_IDS,
};
use super::FieldMap::{self, Approx, Convert, Drop, Missing, To};
use super::{
    source, DropKind, EventDataFields, FieldList, NotMapped, RowFilter, Source, ANY_OS, PROC_PROVIDERS, SECURITY,
};
use crate::pipeline::convert::{Hives, RegMode, ValueConversion};

/// Hash algorithm → column.
const HASHES: &[(&str, &str)] = &[("MD5", "MD5"), ("SHA1", "SHA1"), ("SHA256", "SHA256")];

pub(super) const COMMON: FieldList = &[
    ("EventID", Drop(DropKind::EventId)),
    ("EventCode", Drop(DropKind::EventId)),
    ("Provider_Name", Drop(DropKind::Provider)),
    ("Channel", Drop(DropKind::Provider)),
    ("Computer", To(&["DeviceName"])),
];

/// The process behind a file, network, registry, image-load or DeviceEvents row.
pub(super) const INITIATING: FieldList = &[
    ("Image", To(&["InitiatingProcessFolderPath"])),
    ("ProcessId", To(&["InitiatingProcessId"])),
    ("CommandLine", To(&["InitiatingProcessCommandLine"])),
    ("ParentImage", Convert(ValueConversion::Basename { col: "InitiatingProcessParentFileName" })),
    ("ParentProcessId", To(&["InitiatingProcessParentId"])),
    (
        "User",
        Convert(ValueConversion::UserSplit {
            domain: "InitiatingProcessAccountDomain",
            name: "InitiatingProcessAccountName",
            fallback: None,
        }),
    ),
    ("ProcessGuid", Missing("Defender has no process GUID")),
];

pub(super) const INITIATING_IL: FieldList = &[(
    "IntegrityLevel",
    Convert(ValueConversion::Vocab { col: "InitiatingProcessIntegrityLevel", words: XDR_INTEGRITY }),
)];

pub(super) const PROCESS: FieldList = &[
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
    ("User", Convert(ValueConversion::UserSplit { domain: "AccountDomain", name: "AccountName", fallback: None })),
    (
        "ParentUser",
        Convert(ValueConversion::UserSplit {
            domain: "InitiatingProcessAccountDomain",
            name: "InitiatingProcessAccountName",
            fallback: None,
        }),
    ),
    ("IntegrityLevel", Convert(ValueConversion::Vocab { col: "ProcessIntegrityLevel", words: XDR_INTEGRITY })),
    ("LogonId", Convert(ValueConversion::HexToNumber { col: "LogonId" })),
    ("Hashes", Convert(ValueConversion::Hashes { cols: HASHES })),
    ("md5", To(&["MD5"])),
    ("sha1", To(&["SHA1"])),
    ("sha256", To(&["SHA256"])),
    ("GrandParentImage", Convert(ValueConversion::Basename { col: "InitiatingProcessParentFileName" })),
    ("CurrentDirectory", Missing("Defender does not record the working directory")),
    ("ProcessGuid", Missing("Defender has no process GUID")),
    ("ParentProcessGuid", Missing("Defender has no process GUID")),
    ("LogonGuid", Missing("Defender has no logon GUID")),
    ("TerminalSessionId", Missing("Defender has no terminal session id")),
];

/// Defender's Linux and macOS sensors write the same DeviceProcessEvents
/// columns; these fields have no value there (or mean something else in
/// Sysmon for Linux), so they are refused rather than compared with empty
/// columns. Looked up before [`PROCESS`].
const NO_PE_INFO: &str = "Linux and macOS executables carry no Windows version resource, which Defender's ProcessVersionInfo* columns are read from";
pub(super) const UNIX_PROCESS: FieldList = &[
    ("OriginalFileName", Missing(NO_PE_INFO)),
    ("Description", Missing(NO_PE_INFO)),
    ("Product", Missing(NO_PE_INFO)),
    ("Company", Missing(NO_PE_INFO)),
    ("FileVersion", Missing(NO_PE_INFO)),
    ("IntegrityLevel", Missing("integrity levels are a Windows concept; Defender's column is empty on Linux and macOS")),
    (
        "LogonId",
        Missing("Sysmon for Linux writes the audit login user id as LogonId; Defender's LogonId is a Windows logon session id"),
    ),
];

/// Windows Security 4688 names, for rules routed here by EventID 4688.
const EVENT_4688: FieldList = &[
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
const INBOUND: &[&str] = &["InboundConnectionAccepted"];
const SIDES: &str = "Defender writes this device in Local* and the peer in Remote* whatever the direction, while Sysmon's Source is the side that opened the connection: on accepted connections the two are swapped";

const fn side(then: &'static str, otherwise: &'static str) -> FieldMap {
    Convert(ValueConversion::Where { cond: "ActionType", values: INBOUND, then, otherwise, why: SIDES })
}

const NETWORK: FieldList = &[
    ("DestinationHostname", side("DeviceName", "RemoteUrl")),
    ("DestinationIp", side("LocalIP", "RemoteIP")),
    ("DestinationPort", side("LocalPort", "RemotePort")),
    ("SourceIp", side("RemoteIP", "LocalIP")),
    ("SourcePort", side("RemotePort", "LocalPort")),
    ("SourceHostname", side("RemoteUrl", "DeviceName")),
    ("Initiated", Convert(ValueConversion::Vocab { col: "ActionType", words: XDR_DIRECTION })),
    ("Protocol", Convert(ValueConversion::ProtocolPrefix { col: "Protocol" })),
    ("DestinationIsIpv6", Missing("Defender has no IPv6 flag")),
    ("SourceIsIpv6", Missing("Defender has no IPv6 flag")),
    ("DestinationPortName", Missing("Defender has no port names")),
    ("SourcePortName", Missing("Defender has no port names")),
];

pub(super) const FILE: FieldList = &[
    ("TargetFilename", To(&["FolderPath"])),
    ("Hashes", Convert(ValueConversion::Hashes { cols: HASHES })),
    ("CreationUtcTime", Missing("Defender does not record the file creation time set by the process")),
    ("SourceFilename", Missing("Defender's PreviousFolderPath/PreviousFileName split differs from a full source path")),
];

const REGISTRY: FieldList = &[
    (
        "Details",
        Convert(ValueConversion::Details { data: "RegistryValueData", kind: "RegistryValueType", asim: false }),
    ),
    ("EventType", Convert(ValueConversion::Vocab { col: "ActionType", words: REG_EVENT_TYPES })),
    ("NewName", Convert(ValueConversion::RegKey { col: "RegistryKey", hives: Hives::Xdr })),
];

const REG_CURRENT: &[(&str, &str)] = &[("RegistryKey", "RegistryValueName")];
const REG_BOTH: &[(&str, &str)] =
    &[("RegistryKey", "RegistryValueName"), ("PreviousRegistryKey", "PreviousRegistryValueName")];

const REG_SET: FieldList = &[(
    "TargetObject",
    Convert(ValueConversion::RegPath { pairs: REG_CURRENT, mode: RegMode::Value, hives: Hives::Xdr }),
)];
const REG_ADD: FieldList = &[(
    "TargetObject",
    Convert(ValueConversion::RegPath { pairs: REG_CURRENT, mode: RegMode::Key, hives: Hives::Xdr }),
)];
const REG_DELETE: FieldList =
    &[("TargetObject", Convert(ValueConversion::RegPath { pairs: REG_BOTH, mode: RegMode::Mixed, hives: Hives::Xdr }))];
const REG_EVENT: FieldList = &[
    ("TargetObject", Convert(ValueConversion::RegPath { pairs: REG_BOTH, mode: RegMode::Mixed, hives: Hives::Xdr })),
    ("EventID", Convert(ValueConversion::Vocab { col: "ActionType", words: REG_EVENT_IDS })),
];

const IMAGE_LOAD: FieldList = &[
    ("ImageLoaded", To(&["FolderPath"])),
    ("Hashes", Convert(ValueConversion::Hashes { cols: HASHES })),
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

const PIPE: FieldList = &[("PipeName", Convert(ValueConversion::PipeName { col: "AdditionalFields.PipeName" }))];

/// CreateRemoteThreadApiCall / OpenProcessApiCall: the target process is the row's file and process.
const SOURCE_TARGET: FieldList = &[
    ("SourceImage", To(&["InitiatingProcessFolderPath"])),
    ("SourceProcessId", To(&["InitiatingProcessId"])),
    ("SourceCommandLine", To(&["InitiatingProcessCommandLine"])),
    ("SourceParentImage", Convert(ValueConversion::Basename { col: "InitiatingProcessParentFileName" })),
    (
        "SourceUser",
        Convert(ValueConversion::UserSplit {
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
    ("TargetParentProcessId", Missing("Defender does not record the target process's parent")),
    ("SourceProcessGUID", Missing("Defender has no process GUID")),
    ("TargetProcessGUID", Missing("Defender has no process GUID")),
];

const DRIVER: FieldList = &[
    ("ImageLoaded", To(&["FolderPath"])),
    ("Hashes", Convert(ValueConversion::Hashes { cols: HASHES })),
    ("Signed", Missing("Defender has no signature columns for drivers")),
    ("Signature", Missing("Defender has no signature columns for drivers")),
    ("SignatureStatus", Missing("Defender has no signature columns for drivers")),
];

const DNS: FieldList = &[
    ("QueryName", To(&["AdditionalFields.DnsQueryString"])),
    ("QueryResults", Missing("Defender's DNS answers are a JSON list; no exact translation")),
    ("QueryStatus", Missing("Defender does not record the DNS status of DnsQueryResponse events")),
];

const LOGON: FieldList = &[
    ("EventID", Convert(ValueConversion::Vocab { col: "ActionType", words: XDR_LOGON_IDS })),
    ("TargetUserName", To(&["AccountName"])),
    ("TargetDomainName", To(&["AccountDomain"])),
    ("TargetUserSid", To(&["AccountSid"])),
    ("LogonType", Convert(ValueConversion::Vocab { col: "LogonType", words: LOGON_TYPES })),
    ("IpAddress", To(&["RemoteIP"])),
    ("IpPort", To(&["RemotePort"])),
    ("WorkstationName", To(&["RemoteDeviceName"])),
    ("AuthenticationPackageName", To(&["Protocol"])),
    ("LogonProcessName", Missing("Defender does not record the logon process")),
    ("SubjectUserName", Missing("Defender does not record the account that requested the logon")),
    ("Status", Missing("Defender's FailureReason uses its own words, not NTSTATUS codes")),
    ("SubStatus", Missing("Defender's FailureReason uses its own words, not NTSTATUS codes")),
];

/// Defender's ServiceInstalled rows (DeviceEvents): the service's binary is
/// the row's file (FolderPath), its name and account are in AdditionalFields.
/// Microsoft does not document AdditionalFields per action type; the key names
/// are the ones hunting queries read (`AdditionalFields.ServiceName`), so the
/// sources carry [`SERVICE_KEYS`] as a warning.
const SERVICE_BINARY: &str = "Defender writes the service's binary in FolderPath; the event's value is the service's whole command line, and Microsoft does not document that FolderPath keeps its arguments: a value that tests the arguments may never match";
const SERVICE_KEYS: &str = "Defender records service installs as DeviceEvents ServiceInstalled; the AdditionalFields keys read here (ServiceName, ServiceAccount) are the ones public hunting queries use, not documented by Microsoft per action type";
const SERVICE_WORDS: &str =
    "Defender's AdditionalFields write the service type and start type in words of their own, not as the event does";
const SERVICE: FieldList = &[
    ("ServiceName", To(&["AdditionalFields.ServiceName"])),
    ("ServiceType", Missing(SERVICE_WORDS)),
    ("ServiceStartType", Missing(SERVICE_WORDS)),
    ("StartType", Missing(SERVICE_WORDS)),
];
/// Security 4697 names.
const SERVICE_4697: FieldList = &[
    ("ServiceFileName", Approx(&["FolderPath"], SERVICE_BINARY)),
    ("ServiceAccount", To(&["AdditionalFields.ServiceAccount"])),
    ("SubjectUserName", To(&["InitiatingProcessAccountName"])),
    ("SubjectDomainName", To(&["InitiatingProcessAccountDomain"])),
    (
        "ClientProcessId",
        Missing("Defender records the installing process (InitiatingProcess*), not the RPC client's process id"),
    ),
    (
        "ParentProcessId",
        Missing("Defender records the installing process (InitiatingProcess*), not the RPC client's parent"),
    ),
];
/// System 7045 (Service Control Manager) names.
const SERVICE_7045: FieldList = &[
    ("ImagePath", Approx(&["FolderPath"], SERVICE_BINARY)),
    ("AccountName", To(&["AdditionalFields.ServiceAccount"])),
    (
        "ProcessId",
        Missing("7045's process id is the Service Control Manager's; Defender records the installing process"),
    ),
];

/// Sigma's vendor-neutral antivirus category on Defender Antivirus' own
/// detections: DeviceEvents AntivirusDetection rows, the threat's name in
/// `AdditionalFields.ThreatName` and the detected file as the row's file
/// (Microsoft's PUA page queries these rows this way).
const ANTIVIRUS: FieldList = &[
    ("Signature", To(&["AdditionalFields.ThreatName"])),
    ("Filename", To(&["FolderPath"])),
    ("Hashes", Convert(ValueConversion::Hashes { cols: HASHES })),
    ("User", Missing("Defender's AntivirusDetection rows record the initiating process's account, not the user the detection names")),
];

/// What Microsoft documents of RawEventData is "raw event information from the
/// source application or service in JSON format", with no shape per app; the
/// paths below assume the record as the app's own audit API writes it.
const RAW_UNCERTAIN: &str = "CloudAppEvents keeps the app's record in RawEventData, read here with Sigma's field names as paths; Microsoft does not document that record's shape per app (the paths assume the app's own audit log format, as Defender for Cloud Apps' connector fetches it), and only activities of a connected app reach the table";

/// Defender for Cloud Apps' GCP connector imports Admin Activity logs only.
const GCP_ADMIN_ONLY: &str = "CloudAppEvents keeps the GCP LogEntry in RawEventData, read here at its own paths (protoPayload.methodName, ...); Microsoft does not document that record's shape per app, and Defender for Cloud Apps' GCP connector imports Admin Activity audit logs only: methods logged as Data Access (reads and lists of data, ADMIN_READ) never reach the table";

/// Paths Sigma flattens through a list of the raw record: in KQL a property
/// of a list is null, so the path would never match; refused instead.
const LIST_STEP: &str = "the raw record holds a list at this step (a property of a list is null in KQL), so Sigma's flattened path names no value there";
/// CloudTrail: ECS' `containerDefinitions` is a list of container definitions.
const AWS_LISTS: FieldList = &[("requestParameters.containerDefinitions.command", Missing(LIST_STEP))];
/// Okta System Log: `target` is a list of targets.
const OKTA_LISTS: FieldList = &[
    ("target.displayName", Missing(LIST_STEP)),
    ("target.alternateId", Missing(LIST_STEP)),
    ("target.type", Missing(LIST_STEP)),
    ("target.id", Missing(LIST_STEP)),
];

/// Azure activity log (Defender for Cloud Apps' Azure connector, "only ARM
/// activities"): the record as Azure Monitor exports it, whose `operationName`,
/// `category` and `resourceId` are the AzureActivity columns OperationNameValue,
/// CategoryValue and ResourceId (Azure Monitor's activity log page, "Data
/// structure changes"). Those Log Analytics names are read at the record's.
const AZURE_ACTIVITY: FieldList = &[
    ("OperationNameValue", To(&["RawEventData.operationName"])),
    ("CategoryValue", To(&["RawEventData.category"])),
    ("ResourceId", To(&["RawEventData.resourceId"])),
    (
        "ResourceProviderValue",
        Missing("the exported activity record has no resource provider field (the provider is the first segment of operationName)"),
    ),
];

/// GCP Cloud Audit Logs as Defender for Cloud Apps reads them from its Pub/Sub
/// sink: a LogEntry, the audit record in `protoPayload`. Sigma's rules name it
/// either flattened (`gcp.audit.method_name`) or under the Pub/Sub message's
/// `data`; both become the LogEntry's own path.
const GCP_AUDIT: FieldList = &[
    ("gcp.audit.method_name", To(&["RawEventData.protoPayload.methodName"])),
    ("gcp.audit.service_name", To(&["RawEventData.protoPayload.serviceName"])),
    ("data.protoPayload.methodName", To(&["RawEventData.protoPayload.methodName"])),
    ("data.protoPayload.serviceName", To(&["RawEventData.protoPayload.serviceName"])),
    (
        "data.protoPayload.resource.type",
        Approx(&["RawEventData.resource.type"], "a LogEntry keeps the monitored resource beside protoPayload, not inside it"),
    ),
    (
        "data.protoPayload.logName",
        Missing("a LogEntry's logName is the log's full resource name (projects/<id>/logs/cloudaudit.googleapis.com%2Factivity), kept beside protoPayload; and the connector reads the activity log only"),
    ),
    ("data.protoPayload.authorizationInfo.permission", Missing(LIST_STEP)),
    ("data.protoPayload.authorizationInfo.granted", Missing(LIST_STEP)),
];

/// An app's audit log in CloudAppEvents, by the `Application` name Defender
/// for Cloud Apps gives it; every Sigma field is a path into RawEventData.
const fn cloud_app(
    label: &'static str,
    products: &'static [&'static str],
    service: &'static str,
    apps: &'static [&'static str],
    fields: &'static [FieldList],
) -> Source {
    Source {
        category: None,
        products,
        service: Some(service),
        condition: RowFilter::OneOf("Application", apps),
        providers: &[],
        fallback_services: &[],
        warning: Some(RAW_UNCERTAIN),
        event_data: EventDataFields::Raw("RawEventData"),
        ..source(label, "", "CloudAppEvents", fields)
    }
}

/// SigninLogs' names (Sigma's azure/signinlogs) on EntraIdSignInEvents, the
/// advanced-hunting table that replaces AADSignInEventsBeta. Where Defender
/// codes a value as a number or in other words than SigninLogs, the field is
/// Missing rather than compared against words the column never holds.
const SIGNIN: FieldList = &[
    ("ResultType", To(&["ErrorCode"])),
    ("ResultDescription", Missing("EntraIdSignInEvents keeps the error code only, not its description")),
    // The portal's Success is error code 0, Failure any other; the table
    // keeps no status text, so another word is refused.
    ("Status", Convert(ValueConversion::Outcome { col: "ErrorCode", success: "0", details: "" })),
    ("AuthenticationRequirement", To(&["AuthenticationRequirement"])),
    ("userAgent", To(&["UserAgent"])),
    ("UserAgent", To(&["UserAgent"])),
    ("ResourceDisplayName", To(&["ResourceDisplayName"])),
    ("AppDisplayName", To(&["Application"])),
    ("AppId", To(&["ApplicationId"])),
    ("UserPrincipalName", To(&["AccountUpn"])),
    ("Username", To(&["AccountUpn"])),
    ("UserDisplayName", To(&["AccountDisplayName"])),
    ("UserId", To(&["AccountObjectId"])),
    ("IPAddress", To(&["IPAddress"])),
    ("ClientApp", To(&["ClientAppUsed"])),
    ("ClientAppUsed", To(&["ClientAppUsed"])),
    ("DeviceDetail.deviceId", To(&["EntraIdDeviceId"])),
    ("DeviceDetail.operatingSystem", To(&["OSPlatform"])),
    (
        "DeviceDetail.trusttype",
        Missing("EntraIdSignInEvents' DeviceTrustType uses its own words, not SigninLogs' trustType ('Azure AD joined', ...)"),
    ),
    ("DeviceDetail.isCompliant", Convert(ValueConversion::Vocab { col: "IsCompliant", words: ENTRA_COMPLIANT })),
    ("RiskState", Convert(ValueConversion::Vocab { col: "RiskState", words: ENTRA_RISK_STATES })),
    ("riskState", Convert(ValueConversion::Vocab { col: "RiskState", words: ENTRA_RISK_STATES })),
    ("conditionalAccessStatus", Convert(ValueConversion::Vocab { col: "ConditionalAccessStatus", words: ENTRA_CA_STATUS })),
    ("ConditionalAccessStatus", Convert(ValueConversion::Vocab { col: "ConditionalAccessStatus", words: ENTRA_CA_STATUS })),
    ("NetworkLocationDetails", Approx(&["NetworkLocationDetails"], "EntraIdSignInEvents keeps the network locations as JSON text")),
    ("properties.message", Missing("EntraIdSignInEvents has no message")),
    // The portal's "Sign-ins" category restates the table.
    ("ActivityDetails", Drop(DropKind::Provider)),
];

/// The alerts of Microsoft 365's alert policies and Defender for Cloud Apps,
/// as the unified audit log's alert records name them → AlertInfo.
const M365_ALERTS: FieldList = &[
    ("eventName", To(&["Title"])),
    (
        "eventSource",
        Drop(DropKind::Widening("an alert row has no column for the audit log's workload, and ServiceSource's values are not documented, so another service's alert of the same title also matches")),
    ),
    (
        "status",
        Drop(DropKind::Widening("an alert row has no column for the audit record's outcome (AlertInfo has no status; a row exists once the alert was raised)")),
    ),
    ("Payload", Missing(ALERT_NOT_RECORD)),
];

/// Why an alert table has none of the audited record's fields.
pub(super) const ALERT_NOT_RECORD: &str = "an alert row keeps the alert, not the audit record that raised it";

/// Where the alerts come from and what Title holds (docs/kql.md, "Tables").
const M365_ALERTS_INFO: &str = "the alerts of Defender for Office 365 (whose alert policies include Microsoft 365's default ones) and Defender for Cloud Apps, among others; Title is the alert's name, for an alert policy the policy's name";

/// A Microsoft 365 alert service on AlertInfo.
const fn m365_alerts(service: &'static str) -> Source {
    Source {
        category: None,
        products: &["m365"],
        service: Some(service),
        providers: &[],
        fallback_services: &[],
        info: Some(M365_ALERTS_INFO),
        ..source(service, "", "AlertInfo", &[M365_ALERTS])
    }
}

/// The logsources this target serves, in the order a rule is matched against them.
pub(super) static SOURCES: &[Source] = &[
    // Windows first: a rule that names no product is read as Windows.
    Source {
        restating: &[1, 4688],
        providers: PROC_PROVIDERS,
        fallback: &[1],
        ..source("process_creation", "process_creation", "DeviceProcessEvents", &[PROCESS, COMMON])
    },
    Source {
        products: &["linux", "macos"],
        providers: &["Linux-Sysmon"],
        restating: &[1],
        fallback_services: &[],
        ..source("process_creation", "process_creation", "DeviceProcessEvents", &[UNIX_PROCESS, PROCESS, COMMON])
    },
    Source {
        category: None,
        service: Some("security"),
        restating: &[4688],
        providers: SECURITY,
        fallback: &[4688],
        fallback_services: &["security"],
        fallback_only: true,
        ..source("security 4688", "", "DeviceProcessEvents", &[EVENT_4688, COMMON])
    },
    Source {
        products: ANY_OS,
        restating: &[3],
        fallback: &[3],
        ..source("network_connection", "network_connection", "DeviceNetworkEvents", &[NETWORK, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        products: ANY_OS,
        condition: RowFilter::OneOf("ActionType", &["FileCreated", "FileModified", "FileRenamed"]),
        restating: &[11],
        fallback: &[11],
        ..source("file_event", "file_event", "DeviceFileEvents", &[FILE, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["FileDeleted"]),
        restating: &[23, 26],
        fallback: &[23, 26],
        ..source("file_delete", "file_delete", "DeviceFileEvents", &[FILE, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["FileRenamed"]),
        ..source("file_rename", "file_rename", "DeviceFileEvents", &[FILE, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["RegistryValueSet"]),
        restating: &[13],
        ..source("registry_set", "registry_set", "DeviceRegistryEvents", &[REG_SET, REGISTRY, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["RegistryKeyCreated"]),
        restating: &[12],
        ..source("registry_add", "registry_add", "DeviceRegistryEvents", &[REG_ADD, REGISTRY, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["RegistryKeyDeleted", "RegistryValueDeleted"]),
        restating: &[12],
        ..source("registry_delete", "registry_delete", "DeviceRegistryEvents", &[REG_DELETE, REGISTRY, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        fallback: &[12, 13, 14],
        ..source("registry_event", "registry_event", "DeviceRegistryEvents", &[REG_EVENT, REGISTRY, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        restating: &[7],
        fallback: &[7],
        ..source("image_load", "image_load", "DeviceImageLoadEvents", &[IMAGE_LOAD, INITIATING, INITIATING_IL, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["NamedPipeEvent"]),
        restating: &[17, 18],
        fallback: &[17, 18],
        ..source("pipe_created", "pipe_created", "DeviceEvents", &[PIPE, INITIATING, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["CreateRemoteThreadApiCall"]),
        restating: &[8],
        fallback: &[8],
        ..source("create_remote_thread", "create_remote_thread", "DeviceEvents", &[SOURCE_TARGET, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["OpenProcessApiCall"]),
        restating: &[10],
        fallback: &[10],
        warning: Some("Defender records OpenProcessApiCall selectively (mainly handles to sensitive processes such as lsass.exe), not every process access that Sysmon event 10 logs"),
        ..source("process_access", "process_access", "DeviceEvents", &[SOURCE_TARGET, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["DriverLoad"]),
        restating: &[6],
        fallback: &[6],
        ..source("driver_load", "driver_load", "DeviceEvents", &[DRIVER, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("ActionType", &["DnsQueryResponse"]),
        restating: &[22],
        fallback: &[22],
        ..source("dns_query", "dns_query", "DeviceEvents", &[DNS, INITIATING, COMMON])
    },
    // The DNS client's own log (3008: a query completed) records the same
    // queries as Sysmon 22, which Defender keeps as DnsQueryResponse.
    Source {
        category: None,
        service: Some("dns-client"),
        condition: RowFilter::OneOf("ActionType", &["DnsQueryResponse"]),
        restating: &[3008],
        providers: &["Microsoft-Windows-DNS-Client", "Microsoft-Windows-DNS-Client/Operational"],
        fallback: &[3008],
        fallback_services: &["dns-client"],
        fallback_only: true,
        ..source("dns-client query (3008)", "", "DeviceEvents", &[DNS, INITIATING, COMMON])
    },
    Source {
        category: None,
        service: Some("security"),
        providers: SECURITY,
        fallback: &[4624, 4625],
        fallback_services: &["security"],
        fallback_only: true,
        ..source("security logon (4624, 4625)", "", "DeviceLogonEvents", &[LOGON, COMMON])
    },
    Source {
        products: &[],
        providers: &[],
        fallback_services: &[],
        condition: RowFilter::OneOf("ActionType", &["AntivirusDetection"]),
        info: Some("Defender Antivirus' detections only: signature names of other vendors never appear in ThreatName"),
        ..source("antivirus", "antivirus", "DeviceEvents", &[ANTIVIRUS, COMMON])
    },
    Source {
        category: None,
        service: Some("security"),
        condition: RowFilter::OneOf("ActionType", &["ServiceInstalled"]),
        restating: &[4697],
        providers: SECURITY,
        fallback: &[4697],
        fallback_services: &["security"],
        fallback_only: true,
        warning: Some(SERVICE_KEYS),
        ..source("security service installed (4697)", "", "DeviceEvents", &[SERVICE, SERVICE_4697, COMMON])
    },
    Source {
        category: None,
        service: Some("system"),
        condition: RowFilter::OneOf("ActionType", &["ServiceInstalled"]),
        restating: &[7045],
        providers: &["Service Control Manager", "System"],
        fallback: &[7045],
        fallback_services: &["system"],
        fallback_only: true,
        warning: Some(SERVICE_KEYS),
        ..source("system service installed (7045)", "", "DeviceEvents", &[SERVICE, SERVICE_7045, COMMON])
    },
    Source {
        category: None,
        products: &["azure"],
        service: Some("signinlogs"),
        providers: &["Sign-ins"],
        fallback_services: &[],
        warning: Some("EntraIdSignInEvents holds interactive and non-interactive sign-ins (LogonType), SigninLogs interactive ones only: the query also matches non-interactive sign-ins"),
        ..source("azure signinlogs", "", "EntraIdSignInEvents", &[SIGNIN])
    },
    // CloudTrail records (eventName, eventSource, userIdentity.*, requestParameters.*).
    cloud_app("aws cloudtrail", &["aws"], "cloudtrail", &["Amazon Web Services"], &[AWS_LISTS]),
    // Okta System Log events (eventType, displayMessage, actor.*, outcome.*).
    cloud_app("okta", &["okta"], "okta", &["Okta"], &[OKTA_LISTS]),
    // GitHub Enterprise audit log entries (action, actor, repo).
    cloud_app("github audit", &["github"], "audit", &["GitHub"], &[]),
    // Azure activity log records (operationName, category, resourceId, properties.*).
    Source {
        info: Some("Defender for Cloud Apps' Azure connector brings Azure Resource Manager activities only"),
        ..cloud_app("azure activitylogs", &["azure"], "activitylogs", &["Microsoft Azure"], &[AZURE_ACTIVITY])
    },
    // GCP LogEntry records of Cloud Audit Logs (protoPayload.methodName, resource.type).
    Source {
        warning: Some(GCP_ADMIN_ONLY),
        ..cloud_app("gcp audit", &["gcp"], "gcp.audit", &["Google Cloud Platform"], &[GCP_AUDIT])
    },
    m365_alerts("threat_management"),
    m365_alerts("threat_detection"),
];

/// Categories left unmapped on purpose, and why.
pub(super) const NOT_MAPPED: &[NotMapped] = &[
    NotMapped {
        categories: &["ps_script", "ps_module", "ps_classic_start", "ps_classic_provider_start"],
        reason: "Defender's PowerShellCommand events hold cmdlet names (AdditionalFields.Command), not script block or pipeline text",
    },
    NotMapped { categories: &["file_access"], reason: "Defender does not record file reads" },
    NotMapped { categories: &["file_change"], reason: "Defender does not record file creation-time changes" },
    NotMapped { categories: &["create_stream_hash"], reason: "Defender does not record alternate data stream creation" },
    NotMapped { categories: &["proxy", "webserver", "dns"], reason: "Defender XDR has no web or DNS server log table" },
    NotMapped {
        categories: &["azure/riskdetection"],
        reason: "Defender XDR has no table of Entra ID risk detections: EntraIdSignInEvents keeps a sign-in's risk level and state, not its risk event types",
    },
    NotMapped {
        categories: &["azure/auditlogs"],
        reason: "Entra ID audit events reach CloudAppEvents through the Microsoft 365 connector as unified audit log records (Operation 'Add user.', ModifiedProperties, Target), whose names and values differ from the Entra audit log's that Sigma's rules use (Category, LoggedByService, TargetResources, properties.message)",
    },
    NotMapped {
        categories: &["azure/pim"],
        reason: "Defender XDR has no table of Privileged Identity Management alerts",
    },
];
