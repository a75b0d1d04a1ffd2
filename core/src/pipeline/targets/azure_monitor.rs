//! azure_monitor: Log Analytics' native tables as data, one [`Source`] per
//! logsource.
//!
//! - The Security log and 4688-based process creation: `SecurityEvent`
//!   (event 4688's fields: NewProcessName, ParentProcessName, MandatoryLabel,
//!   hex process ids; the Target* account is `-` unless it differs from the
//!   Subject).
//! - Every other Windows channel: `WindowsEvent`, the table the Azure
//!   Monitor agent's Windows event collection writes, whose `EventData` is
//!   the event's named values as a dynamic object (Azure Monitor table
//!   reference, WindowsEvent). The channel and event ids of each Sigma
//!   logsource are the Sigma taxonomy's (sigma-appendix-taxonomy.md, v2.1);
//!   Sysmon's fields per event are `data::sysmon`'s, so a field an event
//!   never writes is an error, not a guessed path. Sending a Sysmon rule to
//!   SecurityEvent with Sysmon field names (what pySigma does) can only fail
//!   or mislead, so Sysmon rules go to its own events in WindowsEvent.

use super::vocab::MANDATORY_LABELS;
use super::FieldMap::{Convert, Drop, Missing, To};
use super::{source, DropKind, EventDataFields, FieldList, NotMapped, RowFilter, Source, PROC_PROVIDERS, SECURITY};
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
    // Every other Windows channel: WindowsEvent.
    sysmon("file_change", &[2], &[]),
    sysmon("network_connection", &[3], &[]),
    sysmon("sysmon_status", &[4, 16], &[]),
    sysmon("process_termination", &[5], &[]),
    sysmon("driver_load", &[6], &[]),
    sysmon("image_load", &[7], &[]),
    sysmon("create_remote_thread", &[8], &[]),
    sysmon("raw_access_thread", &[9], &[]),
    sysmon("process_access", &[10], &[]),
    sysmon("file_event", &[11], &[]),
    sysmon("registry_add", &[12], &["CreateKey"]),
    sysmon("registry_delete", &[12], &["DeleteKey", "DeleteValue"]),
    sysmon("registry_set", &[13], &["SetValue"]),
    sysmon("registry_rename", &[14], &["RenameKey"]),
    sysmon("registry_event", &[12, 13, 14], &[]),
    sysmon("create_stream_hash", &[15], &[]),
    sysmon("pipe_created", &[17, 18], &[]),
    sysmon("wmi_event", &[19, 20, 21], &[]),
    sysmon("dns_query", &[22], &[]),
    sysmon("file_delete", &[23], &[]),
    sysmon("clipboard_capture", &[24], &[]),
    sysmon("process_tampering", &[25], &[]),
    sysmon("file_delete_detected", &[26], &[]),
    sysmon("file_block_executable", &[27], &[]),
    sysmon("file_block_shredding", &[28], &[]),
    sysmon("file_executable_detected", &[29], &[]),
    powershell("ps_script", &[4104], &["MessageNumber", "MessageTotal", "ScriptBlockText", "ScriptBlockId", "Path"]),
    powershell("ps_module", &[4103], &["ContextInfo", "UserData", "Payload"]),
    Source {
        condition: RowFilter::WindowsEvent { channels: SYSMON_CHANNEL, event_ids: &[], event_types: &[] },
        event_data: EventDataFields::Sysmon(ALL_SYSMON_IDS),
        ..channel("sysmon", SYSMON_CHANNEL)
    },
    channel("system", &["System"]),
    channel("application", &["Application"]),
    channel(
        "application-experience",
        &[
            "Microsoft-Windows-Application-Experience/Program-Telemetry",
            "Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant",
        ],
    ),
    channel(
        "applocker",
        &[
            "Microsoft-Windows-AppLocker/MSI and Script",
            "Microsoft-Windows-AppLocker/EXE and DLL",
            "Microsoft-Windows-AppLocker/Packaged app-Deployment",
            "Microsoft-Windows-AppLocker/Packaged app-Execution",
        ],
    ),
    channel("appmodel-runtime", &["Microsoft-Windows-AppModel-Runtime/Admin"]),
    channel("appxdeployment-server", &["Microsoft-Windows-AppXDeploymentServer/Operational"]),
    channel("appxpackaging-om", &["Microsoft-Windows-AppxPackaging/Operational"]),
    channel("bitlocker", &["Microsoft-Windows-BitLocker/BitLocker Management"]),
    channel("bits-client", &["Microsoft-Windows-Bits-Client/Operational"]),
    channel("capi2", &["Microsoft-Windows-CAPI2/Operational"]),
    channel(
        "certificateservicesclient-lifecycle-system",
        &["Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"],
    ),
    channel("codeintegrity-operational", &["Microsoft-Windows-CodeIntegrity/Operational"]),
    channel("dhcp", &["Microsoft-Windows-DHCP-Server/Operational"]),
    channel("diagnosis-scripted", &["Microsoft-Windows-Diagnosis-Scripted/Operational"]),
    channel("dns-client", &["Microsoft-Windows-DNS Client Events/Operational"]),
    channel("dns-server", &["DNS Server"]),
    channel("dns-server-analytic", &["Microsoft-Windows-DNS-Server/Analytical"]),
    channel("dns-server-audit", &["Microsoft-Windows-DNS-Server/Audit"]),
    channel("driver-framework", &["Microsoft-Windows-DriverFrameworks-UserMode/Operational"]),
    channel("firewall-as", &["Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"]),
    channel("hyper-v-worker", &["Microsoft-Windows-Hyper-V-Worker"]),
    channel("iis-configuration", &["Microsoft-IIS-Configuration/Operational"]),
    channel("kernel-event-tracing", &["Microsoft-Windows-Kernel-EventTracing"]),
    channel("kernel-shimengine", &["Microsoft-Windows-Kernel-ShimEngine/Operational"]),
    channel("ldap", &["Microsoft-Windows-LDAP-Client/Debug"]),
    channel("lsa-server", &["Microsoft-Windows-LSA/Operational"]),
    channel("msexchange-management", &["MSExchange Management"]),
    channel("ntfs", &["Microsoft-Windows-Ntfs/Operational"]),
    channel("ntlm", &["Microsoft-Windows-NTLM/Operational"]),
    channel("openssh", &["OpenSSH/Operational"]),
    channel("powershell", &["Microsoft-Windows-PowerShell/Operational"]),
    channel("printservice-admin", &["Microsoft-Windows-PrintService/Admin"]),
    channel("printservice-operational", &["Microsoft-Windows-PrintService/Operational"]),
    channel(
        "security-mitigations",
        &["Microsoft-Windows-Security-Mitigations/Kernel Mode", "Microsoft-Windows-Security-Mitigations/User Mode"],
    ),
    channel("sense", &["Microsoft-Windows-SENSE/Operational"]),
    channel("servicebus-client", &["Microsoft-ServiceBus-Client/Operational", "Microsoft-ServiceBus-Client/Admin"]),
    channel("shell-core", &["Microsoft-Windows-Shell-Core/Operational"]),
    channel("smbclient-security", &["Microsoft-Windows-SmbClient/Security"]),
    channel("taskscheduler", &["Microsoft-Windows-TaskScheduler/Operational"]),
    channel(
        "terminalservices-localsessionmanager",
        &["Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"],
    ),
    channel("vhdmp", &["Microsoft-Windows-VHDMP/Operational"]),
    channel("windefend", &["Microsoft-Windows-Windows Defender/Operational"]),
    channel("wmi", &["Microsoft-Windows-WMI-Activity/Operational"]),
];

/// The columns every `WindowsEvent` row has that a Sigma rule names; its
/// other fields are the event's named values (`EventData`).
const WINDOWS_EVENT: FieldList = &[
    ("EventID", To(&["EventID"])),
    ("EventCode", To(&["EventID"])),
    ("Provider_Name", To(&["Provider"])),
    ("Channel", To(&["Channel"])),
    ("Computer", To(&["Computer"])),
];

const SYSMON_CHANNEL: &[&str] = &["Microsoft-Windows-Sysmon/Operational"];
const SYSMON_INFO: &str = "read from Sysmon's events in WindowsEvent (the Azure Monitor agent's Windows event collection): each field is a named value of EventData";

/// A Sysmon category: its event ids in the Sysmon channel of `WindowsEvent`
/// (and, for registry events that share an id, the `EventType`).
const fn sysmon(category: &'static str, ids: &'static [i64], event_types: &'static [&'static str]) -> Source {
    Source {
        condition: RowFilter::WindowsEvent { channels: SYSMON_CHANNEL, event_ids: ids, event_types },
        event_data: EventDataFields::Sysmon(ids),
        info: Some(SYSMON_INFO),
        unmapped_hint: Some("Sysmon writes no such value for this event"),
        ..source(category, category, "WindowsEvent", &[WINDOWS_EVENT])
    }
}

const ALL_SYSMON_IDS: &[i64] =
    &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29];

/// A Windows event channel (a Sigma `service`): its events in `WindowsEvent`;
/// any field is a named value, since the channel's providers each write their own.
const fn channel(service: &'static str, channels: &'static [&'static str]) -> Source {
    Source {
        category: None,
        service: Some(service),
        condition: RowFilter::WindowsEvent { channels, event_ids: &[], event_types: &[] },
        event_data: EventDataFields::Any,
        providers: &[],
        fallback_services: &[],
        ..source(service, "", "WindowsEvent", &[WINDOWS_EVENT])
    }
}

/// PowerShell's script-block (4104) and module (4103) logging, in both
/// PowerShell channels, with the values each event writes.
const fn powershell(category: &'static str, id: &'static [i64], names: &'static [&'static str]) -> Source {
    Source {
        condition: RowFilter::WindowsEvent {
            channels: &["Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"],
            event_ids: id,
            event_types: &[],
        },
        event_data: EventDataFields::Named(names),
        restating: id,
        providers: &[],
        unmapped_hint: Some("the PowerShell event writes no such value"),
        ..source(category, category, "WindowsEvent", &[WINDOWS_EVENT])
    }
}

/// Categories left unmapped on purpose, and why.
pub(super) const NOT_MAPPED: &[NotMapped] = &[NotMapped {
    categories: &["ps_classic_start", "ps_classic_provider_start", "ps_classic_script"],
    reason: "Windows PowerShell's classic events (400/600/800) write their values as one unnamed text, and how WindowsEvent keeps unnamed values is not documented",
}];
