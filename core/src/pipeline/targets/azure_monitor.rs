//! azure_monitor: Log Analytics' native tables as data, one [`Source`] per
//! logsource.
//!
//! - The Security log and 4688-based process creation: `SecurityEvent`
//!   (event 4688's fields: NewProcessName, ParentProcessName, MandatoryLabel,
//!   hex process ids; the Target* account is `-` unless it differs from the
//!   Subject). The values of other events that have no column are read
//!   from the event's XML in `EventData` (`SECURITY_EVENT_DATA`).
//! - auditd's records in `Syslog` and RPC Firewall's classic events in
//!   `Event`: values read from the record's text (docs/kql.md, "Tables").
//! - Every other Windows channel: `WindowsEvent`, the table the Azure
//!   Monitor agent's Windows event collection writes, whose `EventData` is
//!   the event's named values as a dynamic object (Azure Monitor table
//!   reference, WindowsEvent). The channel and event ids of each Sigma
//!   logsource are the Sigma taxonomy's (sigma-appendix-taxonomy.md, v2.1);
//!   Sysmon's fields per event are `data::sysmon`'s, so a field an event
//!   never writes is an error, not a guessed path. Sending a Sysmon rule to
//!   SecurityEvent with Sysmon field names (what pySigma does) can only fail
//!   or mislead, so Sysmon rules go to its own events in WindowsEvent.

use super::microsoft_xdr as xdr;
use super::vocab::{DNS_QUERY_TYPES, MANDATORY_LABELS};
use super::FieldMap::{Approx, Convert, Drop, Missing, To};
use super::{source, DropKind, EventDataFields, FieldList, NotMapped, RowFilter, Source, PROC_PROVIDERS, SECURITY};
use crate::pipeline::convert::{SidColumns, ValueConversion};

const WINDOWS_SECURITY: FieldList = &[("Provider_Name", To(&["EventSourceName"]))];

/// Named values of Security events that SecurityEvent has no column for, read
/// from its `EventData` XML (`<Data Name="...">`), each as the events' XML in
/// Microsoft's security auditing reference writes it (event-NNNN pages):
/// 4624 ImpersonationLevel; 4673 Service; 4697 ClientProcessId,
/// ParentProcessId; 4698/4699/4702 TaskName, TaskContent, TaskContentNew;
/// 4656/4663/5145 AccessList, AccessReason; 4742 ServicePrincipalNames,
/// DnsHostName; 4768/4769 TicketOptions, TicketEncryptionType, PreAuthType,
/// CertIssuerName, CertSerialNumber, CertThumbprint; 4904/4905
/// AuditSourceName, EventSourceId; 5038/6281 param1, param2; 5136 ObjectDN,
/// ObjectGUID, ObjectClass, AttributeLDAPDisplayName, AttributeSyntaxOID,
/// AttributeValue; 5156/5157 Application, Direction, SourceAddress,
/// SourcePort, DestAddress, DestPort, Protocol, FilterRTID, LayerName,
/// LayerRTID, RemoteUserID, RemoteMachineID; 5379 TargetName, ReadOperation,
/// CountOfCredentialsReturned, ReturnCode; 5441/5447 FilterKey, FilterName,
/// FilterType, FilterId, LayerKey, LayerId, ProviderKey, ProviderName,
/// CalloutKey, CalloutName; 5449 ProviderContextKey, ProviderContextName.
const SECURITY_EVENT_DATA: &[&str] = &[
    "ImpersonationLevel",
    "Service",
    "ClientProcessId",
    "ParentProcessId",
    "TaskName",
    "TaskContent",
    "TaskContentNew",
    "AccessList",
    "AccessReason",
    "ServicePrincipalNames",
    "DnsHostName",
    "TicketOptions",
    "TicketEncryptionType",
    "PreAuthType",
    "CertIssuerName",
    "CertSerialNumber",
    "CertThumbprint",
    "AuditSourceName",
    "EventSourceId",
    "param1",
    "param2",
    "ObjectDN",
    "ObjectGUID",
    "ObjectClass",
    "AttributeLDAPDisplayName",
    "AttributeSyntaxOID",
    "AttributeValue",
    "Application",
    "Direction",
    "SourceAddress",
    "SourcePort",
    "DestAddress",
    "DestPort",
    "Protocol",
    "FilterRTID",
    "LayerName",
    "LayerRTID",
    "RemoteUserID",
    "RemoteMachineID",
    "TargetName",
    "ReadOperation",
    "CountOfCredentialsReturned",
    "ReturnCode",
    "FilterKey",
    "FilterName",
    "FilterType",
    "FilterId",
    "LayerKey",
    "LayerId",
    "ProviderKey",
    "ProviderName",
    "CalloutKey",
    "CalloutName",
    "ProviderContextKey",
    "ProviderContextName",
];

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

/// Where the macOS rows come from: Log Analytics has no macOS collection of its own.
const DEFENDER_STREAMED: &str = "macOS events are read from Defender for Endpoint's table, which reaches a Log Analytics workspace only through Microsoft Sentinel's Microsoft Defender XDR connector (Log Analytics has no macOS collection of its own)";

/// The logsources this target serves, in the order a rule is matched against them.
pub(super) static SOURCES: &[Source] = &[
    Source {
        category: None,
        service: Some("security"),
        providers: SECURITY,
        fallback_services: &[],
        unmapped_hint: Some("SecurityEvent keeps event fields that have no column of their own only inside the EventData XML, which is read for the values the Security events listed in SECURITY_EVENT_DATA write"),
        event_data: EventDataFields::Named(SECURITY_EVENT_DATA),
        ..source("windows security", "", "SecurityEvent", &[WINDOWS_SECURITY])
    },
    Source {
        condition: RowFilter::Equals("EventID", 4688),
        restating: &[1, 4688],
        providers: PROC_PROVIDERS,
        info: Some("process creation is read from Security event 4688 (CommandLine only when command-line auditing is enabled)"),
        instead_for_missing: Some(&SYSMON_PROCESS_CREATION),
        ..source("process_creation", "process_creation", "SecurityEvent", &[EVENT_4688])
    },
    // macOS: Defender for Endpoint's own tables, as Microsoft Sentinel's
    // Microsoft Defender XDR connector streams them into the workspace.
    Source {
        products: &["macos"],
        providers: &[],
        fallback_services: &[],
        info: Some(DEFENDER_STREAMED),
        ..source("macos process_creation", "process_creation", "DeviceProcessEvents", &[xdr::UNIX_PROCESS, xdr::PROCESS, xdr::COMMON])
    },
    Source {
        products: &["macos"],
        providers: &[],
        fallback_services: &[],
        condition: RowFilter::OneOf("ActionType", &["FileCreated", "FileModified", "FileRenamed"]),
        info: Some(DEFENDER_STREAMED),
        ..source("macos file_event", "file_event", "DeviceFileEvents", &[xdr::FILE, xdr::INITIATING, xdr::INITIATING_IL, xdr::COMMON])
    },
    // The Windows DNS server's lookups, as its Log Analytics connector writes them.
    Source {
        products: &[],
        providers: &[],
        fallback_services: &[],
        condition: RowFilter::OneOf("SubType", &["LookupQuery"]),
        info: Some("read from DnsEvents, the Windows DNS server's query log (its Log Analytics connector): lookups only, as SubType LookupQuery"),
        ..source("dns", "dns", "DnsEvents", &[DNS_SERVER])
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
    // Windows PowerShell's classic events: unnamed values, kept in the Event table's XML.
    classic("ps_classic_start", &[400]),
    classic("ps_classic_provider_start", &[600]),
    classic("ps_classic_script", &[800]),
    Source { category: None, service: Some("powershell-classic"), ..classic("powershell-classic", &[]) },
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
    // Sysmon for Linux: its events' XML in Syslog's message text.
    sysmon_linux("process_creation", &[1]),
    sysmon_linux("network_connection", &[3]),
    sysmon_linux("process_termination", &[5]),
    sysmon_linux("raw_access_thread", &[9]),
    sysmon_linux("file_event", &[11]),
    sysmon_linux("file_delete", &[23]),
    // RPC Firewall's classic events in its own log, collected into Event.
    Source {
        products: &["rpc_firewall"],
        condition: RowFilter::EventLog { logs: &["RPCFW"], event_ids: &[] },
        providers: &["RPCFW"],
        fallback_services: &[],
        info: Some("read from the Event table: RPC Firewall writes classic events to its own RPCFW log (collected with a data collection rule's XPath, RPCFW!*), whose values are unnamed; event 3 (an RPC server call) gives InterfaceUuid as its 7th value and OpNum as its 8th"),
        unmapped_hint: Some("RPC Firewall's event 3 has no such value"),
        ..source("rpc_firewall application", "application", "Event", &[RPC_FIREWALL])
    },
    // auditd's records, passed to syslog by the audisp syslog plugin and
    // collected by the Azure Monitor agent's Syslog collection.
    Source {
        condition: RowFilter::AuditdSyslog,
        event_data: EventDataFields::AuditFields(AUDITD_BARE),
        info: Some("read from auditd's records in Syslog (the audisp syslog plugin, format string, collected by the Azure Monitor agent): SyslogMessage is the record's key=value text, each field the value after its name= (SYSCALL and the other upper-case names only with auditd's log_format ENRICHED)"),
        unmapped_hint: Some("the field is not one of the auditd record fields this target reads"),
        ..cloud("linux/auditd", &["linux"], "auditd", "Syslog", &[AUDITD])
    },
    // FortiGate's event logs, sent as CEF and collected by the Fortinet
    // connector (CEF via the Azure Monitor agent) into CommonSecurityLog.
    Source {
        condition: RowFilter::CefDevice { vendor: "Fortinet", product: "FortiGate", name: "event:" },
        info: Some("FortiGate's CEF in CommonSecurityLog: an event log's Activity starts with event:, action is DeviceAction, other fields the FTNTFGT<field> (or FortinetFortiGate<field>) pairs of AdditionalExtensions"),
        unmapped_hint: Some("not a FortiGate event log field this target reads"),
        ..cloud("fortigate/event", &["fortigate"], "event", "CommonSecurityLog", &[FORTIGATE_EVENT])
    },
    // Cloud and other non-Windows logs: the tables Microsoft's connectors write.
    Source {
        event_data: EventDataFields::Nested(CLOUDTRAIL_NESTED),
        unmapped_hint: Some("AWSCloudTrail flattens userIdentity into UserIdentity*/SessionIssuer* columns and keeps requestParameters, responseElements, additionalEventData, resources and serviceEventDetails as JSON text"),
        ..cloud("aws/cloudtrail", &["aws"], "cloudtrail", "AWSCloudTrail", &[CLOUDTRAIL])
    },
    Source {
        event_data: EventDataFields::Nested(&[("InitiatedBy", "InitiatedBy"), ("initiatedBy", "InitiatedBy")]),
        ..cloud("azure/auditlogs", &["azure"], "auditlogs", "AuditLogs", &[AUDIT_LOGS])
    },
    Source {
        event_data: EventDataFields::Nested(&[("properties", "Properties_d")]),
        ..cloud("azure/activitylogs", &["azure"], "activitylogs", "AzureActivity", &[ACTIVITY_LOGS])
    },
    Source {
        info: Some("interactive sign-ins only: non-interactive ones are in AADNonInteractiveUserSignInLogs and service principals' in AADServicePrincipalSignInLogs, which this query does not read"),
        event_data: EventDataFields::Nested(&[("DeviceDetail", "DeviceDetail"), ("LocationDetails", "LocationDetails"), ("Status", "Status")]),
        providers: &["Sign-ins"],
        ..cloud("azure/signinlogs", &["azure"], "signinlogs", "SigninLogs", &[SIGNIN_LOGS])
    },
    cloud("azure/riskdetection", &["azure"], "riskdetection", "AADUserRiskEvents", &[RISK_DETECTION]),
    Source {
        info: Some("read from OktaV2_CL, the table of Microsoft's current Okta Single Sign-On connector (codeless); the legacy Azure Function connector wrote Okta_CL"),
        event_data: EventDataFields::Nested(&[("debugContext.debugData", "DebugData")]),
        ..cloud("okta/okta", &["okta"], "okta", "OktaV2_CL", &[OKTA])
    },
    cloud("gcp/gcp.audit", &["gcp"], "gcp.audit", "GCPAuditLogs", &[GCP_AUDIT]),
    Source {
        condition: RowFilter::OneOf("IdApplicationName", &["admin"]),
        providers: &["admin.googleapis.com"],
        ..cloud("gcp/google_workspace.admin", &["gcp"], "google_workspace.admin", "GoogleWorkspaceReports", &[GOOGLE_WORKSPACE_ADMIN])
    },
    cloud("github/audit", &["github"], "audit", "GitHubAuditLogPolling_CL", &[GITHUB_AUDIT]),
    cloud("m365/audit", &["m365"], "audit", "OfficeActivity", &[M365_AUDIT]),
    Source { info: Some(M365_ALERTS_INFO), ..cloud("m365/threat_management", &["m365"], "threat_management", "SecurityAlert", &[M365_ALERTS]) },
    Source { info: Some(M365_ALERTS_INFO), ..cloud("m365/threat_detection", &["m365"], "threat_detection", "SecurityAlert", &[M365_ALERTS]) },
    Source {
        condition: RowFilter::OneOf("Category", &["kube-audit", "kube-audit-admin"]),
        event_data: EventDataFields::Nested(KUBE_AUDIT_NESTED),
        info: Some("AKS audit logs in AzureDiagnostics (diagnostic setting in Azure diagnostics mode, categories kube-audit and kube-audit-admin): log_s is the Kubernetes audit event as JSON text"),
        ..cloud("kubernetes/audit", &["kubernetes"], "audit", "AzureDiagnostics", &[KUBE_AUDIT])
    },
    Source {
        category: Some("application"),
        condition: RowFilter::OneOf("Category", &["kube-audit", "kube-audit-admin"]),
        event_data: EventDataFields::Nested(KUBE_AUDIT_NESTED),
        info: Some("AKS audit logs in AzureDiagnostics (diagnostic setting in Azure diagnostics mode, categories kube-audit and kube-audit-admin): log_s is the Kubernetes audit event as JSON text"),
        ..cloud("kubernetes/application/audit", &["kubernetes"], "audit", "AzureDiagnostics", &[KUBE_AUDIT])
    },
    Source {
        category: Some("proxy"),
        warning: Some("CommonSecurityLog holds every CEF source, not only proxies, and which CEF key a proxy writes each value to is the vendor's choice: the query reads the common CEF keys (request, requestMethod, requestClientApplication, dhost) of all CEF rows"),
        ..cloud("proxy", &[], "", "CommonSecurityLog", &[PROXY_CEF])
    },
    Source {
        category: Some("webserver"),
        info: Some("read from W3CIISLog, the IIS logs the Azure Monitor agent collects; other web servers' logs reach no native table with these columns"),
        ..cloud("webserver", &[], "", "W3CIISLog", &[IIS])
    },
    Source {
        info: Some("read from Syslog: the message text is SyslogMessage, the program ProcessName"),
        ..cloud("linux", &["linux"], "", "Syslog", &[SYSLOG])
    },
    cloud("linux/syslog", &["linux"], "syslog", "Syslog", &[SYSLOG]),
    cloud("linux/sshd", &["linux"], "sshd", "Syslog", &[SYSLOG]),
    cloud("linux/cron", &["linux"], "cron", "Syslog", &[SYSLOG]),
    cloud("linux/vsftpd", &["linux"], "vsftpd", "Syslog", &[SYSLOG]),
    cloud("linux/clamav", &["linux"], "clamav", "Syslog", &[SYSLOG]),
    cloud("linux/guacamole", &["linux"], "guacamole", "Syslog", &[SYSLOG]),
];

/// A Sysmon for Linux category: its events in Syslog, each field a
/// `<Data Name>` value of the XML text (what Microsoft's ASIM parser
/// vimProcessCreateLinuxSysmon reads too).
const fn sysmon_linux(category: &'static str, ids: &'static [i64]) -> Source {
    Source {
        category: Some(category),
        products: &["linux"],
        condition: RowFilter::SysmonSyslog { event_ids: ids },
        restating: ids,
        event_data: EventDataFields::SysmonXml(ids),
        info: Some("read from Sysmon for Linux's events in Syslog: SyslogMessage is the event's XML, each field the text of its <Data Name=\"...\"> element"),
        unmapped_hint: Some("Sysmon writes no such value for this event"),
        ..cloud(category, &["linux"], "", "Syslog", &[SYSMON_LINUX])
    }
}

/// Fields of a Sysmon for Linux event that are Syslog's own columns.
const SYSMON_LINUX: FieldList = &[("EventID", Drop(DropKind::EventId)), ("Computer", To(&["Computer"]))];

/// RPC Firewall's event 3 (RPC_SERVER_CALL, message id 0x60020003 of
/// zeronetworks/rpcfirewall rpcMessages/Messages.h): insertion strings
/// %1 function, %2 process id, %3 image, %4 protocol, %5 endpoint, %6 client
/// address, %7 InterfaceUuid, %8 OpNum, %9 client SID, %10/%11 authentication.
const RPC_FIREWALL: FieldList = &[
    ("EventLog", Drop(DropKind::Provider)),
    ("Channel", Drop(DropKind::Provider)),
    ("EventID", To(&["EventID"])),
    ("Provider_Name", To(&["Source"])),
    ("Computer", To(&["Computer"])),
    ("InterfaceUuid", Convert(ValueConversion::XmlDataAt { col: "EventData", index: 7 })),
    ("OpNum", Convert(ValueConversion::XmlDataAt { col: "EventData", index: 8 })),
];

/// auditd's untrusted strings, which a record writes quoted or in hex.
const AUDITD: FieldList = &[
    ("a0", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a0" })),
    ("a1", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a1" })),
    ("a2", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a2" })),
    ("a3", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a3" })),
    ("a4", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a4" })),
    ("a5", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a5" })),
    ("a6", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a6" })),
    ("a7", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a7" })),
    ("a8", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a8" })),
    ("a9", Convert(ValueConversion::AuditValue { col: "SyslogMessage:a9" })),
    ("exe", Convert(ValueConversion::AuditValue { col: "SyslogMessage:exe" })),
    ("comm", Convert(ValueConversion::AuditValue { col: "SyslogMessage:comm" })),
    ("name", Convert(ValueConversion::AuditValue { col: "SyslogMessage:name" })),
    ("cwd", Convert(ValueConversion::AuditValue { col: "SyslogMessage:cwd" })),
    ("key", Convert(ValueConversion::AuditValue { col: "SyslogMessage:key" })),
    ("proctitle", Convert(ValueConversion::AuditValue { col: "SyslogMessage:proctitle" })),
    ("Computer", To(&["Computer"])),
];

/// auditd record fields written bare (numbers, words): the record type,
/// SYSCALL's and PATH's fields, and the user-space records' `unit` and `res`
/// (the Linux audit documentation's field dictionary).
const AUDITD_BARE: &[&str] = &[
    "type", "syscall", "SYSCALL", "arch", "success", "exit", "argc", "pid", "ppid", "uid", "euid", "auid", "gid",
    "egid", "suid", "fsuid", "sgid", "fsgid", "ses", "tty", "item", "nametype", "mode", "ouid", "ogid", "unit", "res",
];

/// A log that is not Windows': one product's service (or category) in one table.
const fn cloud(
    label: &'static str,
    products: &'static [&'static str],
    service: &'static str,
    table: &'static str,
    fields: &'static [FieldList],
) -> Source {
    Source {
        category: None,
        products,
        service: if service.is_empty() { None } else { Some(service) },
        providers: &[],
        fallback_services: &[],
        ..source(label, "", table, fields)
    }
}

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

/// Sysmon's process creation, for the rules that need what event 4688 does not record.
static SYSMON_PROCESS_CREATION: Source = sysmon("process_creation", &[1], &[]);

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

/// The columns of an `Event` row a Sigma rule names for a classic event;
/// its values are unnamed, and the rules read them as `Data`.
const CLASSIC: FieldList = &[
    ("Data", Convert(ValueConversion::XmlData { col: "EventData" })),
    ("EventID", To(&["EventID"])),
    ("EventCode", To(&["EventID"])),
    ("Provider_Name", To(&["Source"])),
    ("Channel", To(&["EventLog"])),
    ("Computer", To(&["Computer"])),
];

/// A Windows PowerShell classic event (400 engine start, 600 provider
/// start, 800 pipeline execution; Sigma taxonomy) in the `Event` table,
/// which the Azure Monitor agent writes for a data collection rule's Windows
/// event logs: its values are unnamed `<Data>` elements of the XML text in
/// `EventData`, which `WindowsEvent`'s named object has no place for.
const fn classic(category: &'static str, ids: &'static [i64]) -> Source {
    Source {
        condition: RowFilter::EventLog { logs: &["Windows PowerShell"], event_ids: ids },
        restating: ids,
        providers: &["PowerShell", "Windows PowerShell"],
        fallback_services: &[],
        info: Some("read from the Event table (the Azure Monitor agent's Windows event logs): the event's unnamed values are <Data> elements of the XML text in EventData"),
        unmapped_hint: Some("a classic PowerShell event writes its values unnamed; rules read them as Data"),
        ..source(category, category, "Event", &[CLASSIC])
    }
}

/// Categories left unmapped on purpose, and why.
pub(super) const NOT_MAPPED: &[NotMapped] = &[
    NotMapped {
        categories: &["azure/pim"],
        reason: "the rules test Entra Privileged Identity Management alert types (staleSignInAlertIncident, ...), which no Log Analytics table holds (AADUserRiskEvents has risk detections only)",
    },
    NotMapped {
        categories: &["m365/exchange"],
        reason: "the rules name Exchange's audit records by eventSource and eventName, which this target does not map",
    },
];

// ---------------------------------------------------------------------------
// Logs that are not Windows'. Column names are the tables' (schema.json, with
// the Microsoft source of each table); docs/kql.md, "Cloud and Linux tables",
// says where each mapping comes from.

/// CloudTrail's record fields (camelCase, as Sigma writes them) → AWSCloudTrail.
const CLOUDTRAIL: FieldList = &[
    ("eventName", To(&["EventName"])),
    ("eventSource", To(&["EventSource"])),
    ("eventType", To(&["EventTypeName"])),
    ("eventVersion", To(&["EventVersion"])),
    ("eventID", To(&["AwsEventId"])),
    ("requestID", To(&["AwsRequestId"])),
    ("errorCode", To(&["ErrorCode"])),
    ("errorMessage", To(&["ErrorMessage"])),
    ("userAgent", To(&["UserAgent"])),
    ("sourceIPAddress", To(&["SourceIpAddress"])),
    ("awsRegion", To(&["AWSRegion"])),
    ("recipientAccountId", To(&["RecipientAccountId"])),
    ("readOnly", To(&["ReadOnly"])),
    ("managementEvent", To(&["ManagementEvent"])),
    ("vpcEndpointId", To(&["VpcEndpointId"])),
    ("sharedEventID", To(&["SharedEventId"])),
    ("userIdentity.type", To(&["UserIdentityType"])),
    ("userIdentity.arn", To(&["UserIdentityArn"])),
    ("userIdentity.accountId", To(&["UserIdentityAccountId"])),
    ("userIdentity.principalId", To(&["UserIdentityPrincipalid"])),
    ("userIdentity.userName", To(&["UserIdentityUserName"])),
    ("userIdentity.accessKeyId", To(&["UserIdentityAccessKeyId"])),
    ("userIdentity.invokedBy", To(&["UserIdentityInvokedBy"])),
    ("userIdentity.sessionContext.sessionIssuer.type", To(&["SessionIssuerType"])),
    ("userIdentity.sessionContext.sessionIssuer.arn", To(&["SessionIssuerArn"])),
    ("userIdentity.sessionContext.sessionIssuer.userName", To(&["SessionIssuerUserName"])),
    ("userIdentity.sessionContext.sessionIssuer.principalId", To(&["SessionIssuerPrincipalId"])),
    ("userIdentity.sessionContext.sessionIssuer.accountId", To(&["SessionIssuerAccountId"])),
    ("userIdentity.sessionContext.attributes.mfaAuthenticated", To(&["SessionMfaAuthenticated"])),
    ("tlsDetails.tlsVersion", To(&["TlsVersion"])),
    ("tlsDetails.cipherSuite", To(&["CipherSuite"])),
    ("tlsDetails.clientProvidedHostHeader", To(&["ClientProvidedHostHeader"])),
    ("requestParameters", To(&["RequestParameters"])),
    ("responseElements", To(&["ResponseElements"])),
    ("additionalEventData", To(&["AdditionalEventData"])),
    ("serviceEventDetails", To(&["ServiceEventDetails"])),
    ("resources", To(&["Resources"])),
    ("status", Missing("a CloudTrail record has no status field, and AWSCloudTrail no such column")),
];

/// CloudTrail's nested objects that AWSCloudTrail keeps whole, as JSON text.
const CLOUDTRAIL_NESTED: &[(&str, &str)] = &[
    ("requestParameters", "RequestParameters"),
    ("responseElements", "ResponseElements"),
    ("additionalEventData", "AdditionalEventData"),
    ("serviceEventDetails", "ServiceEventDetails"),
];

const TARGETS_ARRAY: &str =
    "TargetResources is an array of objects (each with its modifiedProperties array): a path cannot name a property of any one element";

/// Entra ID audit events: the rules name the export's fields (properties.*,
/// the portal's column names) → AuditLogs.
const AUDIT_LOGS: FieldList = &[
    (
        "properties.message",
        Approx(&["OperationName"], "the rules' properties.message is the activity's name, which AuditLogs keeps in OperationName (the activity display name)"),
    ),
    ("Category", To(&["Category"])),
    ("category", To(&["Category"])),
    ("OperationName", To(&["OperationName"])),
    ("operationName", To(&["OperationName"])),
    ("ActivityDisplayName", To(&["ActivityDisplayName"])),
    (
        "ActivityType",
        Approx(&["OperationName"], "the portal's Activity Type is the activity's name, which AuditLogs keeps in OperationName"),
    ),
    (
        "activityType",
        Approx(&["OperationName"], "the portal's Activity Type is the activity's name, which AuditLogs keeps in OperationName"),
    ),
    ("Status", To(&["Result"])),
    ("status", To(&["Result"])),
    ("properties.result", To(&["Result"])),
    ("LoggedByService", To(&["LoggedByService"])),
    ("loggedByService", To(&["LoggedByService"])),
    (
        "failure_status_reason",
        Approx(&["ResultReason"], "the export's failure reason is AuditLogs' ResultReason, which is empty for many activities"),
    ),
    ("TargetResources", To(&["TargetResources"])),
    ("properties.targetResources", To(&["TargetResources"])),
    ("targetResources", To(&["TargetResources"])),
    (
        "Target",
        Approx(&["TargetResources"], "the portal's Target column is read from TargetResources, an array of objects searched as its JSON text"),
    ),
    (
        "Initiatedby",
        Approx(&["InitiatedBy"], "the portal's Initiated by column is read from InitiatedBy, an object searched as its JSON text"),
    ),
    ("TargetResources.ModifiedProperties.DisplayName", Missing(TARGETS_ARRAY)),
    ("TargetResources.ModifiedProperties.NewValue", Missing(TARGETS_ARRAY)),
    ("TargetResources.modifiedProperties", Missing(TARGETS_ARRAY)),
    ("TargetResources.modifiedProperties.newValue", Missing(TARGETS_ARRAY)),
    ("targetResources.type", Missing(TARGETS_ARRAY)),
    ("ConsentContext.IsAdminConsent", Missing("ConsentContext.IsAdminConsent is a modified property inside TargetResources, an array of objects")),
    (
        "additionalDetails.additionalInfo",
        Missing("AdditionalDetails is an array of key/value pairs: a path cannot name one key's value"),
    ),
];

/// Azure Activity log records (operationName is the operation's id) → AzureActivity.
const ACTIVITY_LOGS: FieldList = &[
    ("operationName", To(&["OperationNameValue"])),
    ("OperationName", To(&["OperationNameValue"])),
    ("category", To(&["CategoryValue"])),
    ("resourceProvider", To(&["ResourceProviderValue"])),
    ("resourceId", To(&["ResourceId"])),
    ("caller", To(&["Caller"])),
    ("callerIpAddress", To(&["CallerIpAddress"])),
    ("status", To(&["ActivityStatusValue"])),
    ("subStatus", To(&["ActivitySubstatusValue"])),
];

/// Entra ID sign-ins: the export's fields (properties.*, the portal's columns) → SigninLogs.
const SIGNIN_LOGS: FieldList = &[
    ("ResultType", To(&["ResultType"])),
    ("ResultDescription", To(&["ResultDescription"])),
    ("Resultdescription", To(&["ResultDescription"])),
    ("AuthenticationRequirement", To(&["AuthenticationRequirement"])),
    ("userAgent", To(&["UserAgent"])),
    ("UserAgent", To(&["UserAgent"])),
    ("RiskState", To(&["RiskState"])),
    ("ResourceDisplayName", To(&["ResourceDisplayName"])),
    ("conditionalAccessStatus", To(&["ConditionalAccessStatus"])),
    ("NetworkLocationDetails", To(&["NetworkLocationDetails"])),
    ("ClientApp", To(&["ClientAppUsed"])),
    ("Username", To(&["UserPrincipalName"])),
    ("DeviceDetail.trusttype", To(&["DeviceDetail.trustType"])),
    ("DeviceDetail.deviceId", To(&["DeviceDetail.deviceId"])),
    ("DeviceDetail.isCompliant", To(&["DeviceDetail.isCompliant"])),
    ("Status", Convert(ValueConversion::Outcome { col: "ResultType", success: "0", details: "Status" })),
    // The portal's activity of every sign-in: it restates the table.
    ("ActivityDetails", Drop(DropKind::Provider)),
    (
        "properties.message",
        Missing("a sign-in record has no message: SigninLogs has no such column (the activity is always a sign-in)"),
    ),
];

const RISK_DETECTION: FieldList = &[
    ("riskEventType", To(&["RiskEventType"])),
    ("riskLevel", To(&["RiskLevel"])),
    ("riskState", To(&["RiskState"])),
    ("riskDetail", To(&["RiskDetail"])),
    ("detectionTimingType", To(&["DetectionTimingType"])),
    ("ipAddress", To(&["IpAddress"])),
    ("userPrincipalName", To(&["UserPrincipalName"])),
];

/// Okta's System Log event → OktaV2_CL, as the connector's DCR transform
/// (OktaSSOv2_DCR.json) writes each column.
const OKTA: FieldList = &[
    ("eventType", To(&["EventOriginalType"])),
    ("legacyEventType", To(&["LegacyEventType"])),
    ("displayMessage", To(&["EventMessage"])),
    ("severity", To(&["OriginalSeverity"])),
    ("uuid", To(&["EventOriginalUid"])),
    ("outcome.result", To(&["OriginalOutcomeResult"])),
    ("outcome.reason", To(&["EventOriginalResultDetails"])),
    ("securityContext.isProxy", To(&["SecurityContextIsProxy"])),
    ("securityContext.asOrg", To(&["SecurityContextAsOrg"])),
    ("securityContext.domain", To(&["SecurityContextDomain"])),
    ("securityContext.isp", To(&["SrcIsp"])),
    ("actor.alternateId", To(&["OriginalActorAlternateId"])),
    ("actor.displayName", To(&["ActorDisplayName"])),
    ("actor.id", To(&["OriginalUserId"])),
    ("actor.type", To(&["OriginalUserType"])),
    ("client.ipAddress", To(&["SrcIpAddr"])),
    ("client.userAgent.rawUserAgent", To(&["HttpUserAgent"])),
    ("client.device", To(&["OriginalClientDevice"])),
    ("client.zone", To(&["SrcZone"])),
    ("transaction.type", To(&["TransactionType"])),
    ("transaction.id", To(&["TransactionId"])),
    (
        "target.displayName",
        Missing("target is an array of objects (OriginalTarget): a path cannot name one target's property"),
    ),
];

/// A Cloud Audit Log entry (the rules name it as Elastic's gcp.audit or as
/// the raw LogEntry under data.) → GCPAuditLogs.
const GCP_AUDIT: FieldList = &[
    ("gcp.audit.method_name", To(&["MethodName"])),
    ("data.protoPayload.methodName", To(&["MethodName"])),
    ("gcp.audit.service_name", To(&["ServiceName"])),
    ("data.protoPayload.serviceName", To(&["ServiceName"])),
    ("gcp.audit.resource_name", To(&["GCPResourceName"])),
    ("data.protoPayload.resourceName", To(&["GCPResourceName"])),
    ("data.protoPayload.resource.type", To(&["GCPResourceType"])),
    ("data.protoPayload.logName", To(&["LogName"])),
    ("data.logName", To(&["LogName"])),
    ("data.protoPayload.authenticationInfo.principalEmail", To(&["PrincipalEmail"])),
    (
        "data.protoPayload.authorizationInfo.permission",
        Missing("AuthorizationInfo is an array of objects: a path cannot name one element's permission"),
    ),
    (
        "data.protoPayload.authorizationInfo.granted",
        Missing("AuthorizationInfo is an array of objects: a path cannot name one element's grant"),
    ),
];

/// Google Workspace admin activity (Reports API) → GoogleWorkspaceReports.
const GOOGLE_WORKSPACE_ADMIN: FieldList = &[
    ("eventService", Drop(DropKind::Provider)),
    ("eventName", To(&["EventName"])),
    (
        "setting_name",
        Missing("the event's parameters are in EventParameters, whose shape the table reference does not document"),
    ),
    (
        "new_value",
        Missing("the event's parameters are in EventParameters, whose shape the table reference does not document"),
    ),
];

/// GitHub's audit log entry → the polling connector's classic custom log
/// (type-suffixed columns).
const GITHUB_AUDIT: FieldList = &[
    ("action", To(&["action_s"])),
    ("actor", To(&["actor_s"])),
    ("org", To(&["org_s"])),
    ("repo", To(&["repo_s"])),
    ("user", To(&["user_s"])),
    ("business", To(&["business_s"])),
    ("visibility", To(&["visibility_s"])),
    ("permission", To(&["permission_s"])),
];

/// Kubernetes audit event fields, inside log_s (JSON text).
const KUBE_AUDIT: FieldList = &[
    ("verb", To(&["log_s.verb"])),
    ("requestURI", To(&["log_s.requestURI"])),
    ("userAgent", To(&["log_s.userAgent"])),
    ("stage", To(&["log_s.stage"])),
    ("level", To(&["log_s.level"])),
    ("apiGroup", Missing("an audit event has no top-level apiGroup (it is objectRef.apiGroup)")),
    (
        "hostPath",
        Missing("the pod's volumes are inside requestObject, in an array: a path cannot name one volume's hostPath"),
    ),
    (
        "capabilities",
        Missing("the containers' capabilities are inside requestObject, in an array: a path cannot name them"),
    ),
];

const KUBE_AUDIT_NESTED: &[(&str, &str)] = &[
    ("objectRef", "log_s.objectRef"),
    ("responseStatus", "log_s.responseStatus"),
    ("user", "log_s.user"),
    ("impersonatedUser", "log_s.impersonatedUser"),
    ("annotations", "log_s.annotations"),
];

/// Sigma's DNS fields → DnsEvents (Azure Monitor table reference, dnsevents;
/// Microsoft's parser ASimDnsMicrosoftOMS reads Name as the query, ClientIP
/// as the source, IPAddresses as the response and QueryType as a type
/// number or name).
const DNS_SERVER: FieldList = &[
    ("query", To(&["Name"])),
    ("src_ip", To(&["ClientIP"])),
    ("record_type", Convert(ValueConversion::Vocab { col: "QueryType", words: DNS_QUERY_TYPES })),
    (
        "answer",
        Missing("DnsEvents keeps the addresses of an answer (IPAddresses), not its TXT, CNAME or other record data"),
    ),
    ("dst_ip", Missing("DnsEvents names the DNS server by Computer, not by address")),
];

/// FortiGate event log fields → CommonSecurityLog, as FortiOS writes them in
/// CEF (FortiOS log message reference, "Event log support for CEF" and
/// "FortiOS to CEF log field mapping guidelines"): `action` is `act`
/// (DeviceAction, Microsoft's CEF and CommonSecurityLog field mapping), `msg`
/// is `msg` (Message), and the fields with no CEF key are custom extensions
/// that the agent keeps in AdditionalExtensions, prefixed FTNTFGT, or
/// FortinetFortiGate in the CEF some FortiOS builds write (Microsoft's sample
/// rows, Azure-Sentinel `Sample Data/CEF/Fortigate.json`), where `action` is
/// such an extension too. Both spellings are read.
const FORTIGATE_EVENT: FieldList = &[
    ("action", To(&["DeviceAction", "AdditionalExtensions:FortinetFortiGateaction"])),
    ("cfgpath", To(&["AdditionalExtensions:FTNTFGTcfgpath", "AdditionalExtensions:FortinetFortiGatecfgpath"])),
    (
        "cfgobj",
        Approx(&["AdditionalExtensions:FTNTFGTcfgobj", "AdditionalExtensions:FortinetFortiGatecfgobj"], FORTIGATE_TEXT),
    ),
    (
        "cfgattr",
        Approx(
            &["AdditionalExtensions:FTNTFGTcfgattr", "AdditionalExtensions:FortinetFortiGatecfgattr"],
            FORTIGATE_TEXT,
        ),
    ),
    (
        "logdesc",
        Approx(
            &["AdditionalExtensions:FTNTFGTlogdesc", "AdditionalExtensions:FortinetFortiGatelogdesc"],
            FORTIGATE_TEXT,
        ),
    ),
    ("msg", To(&["Message"])),
];

/// What is lost reading free text from AdditionalExtensions.
const FORTIGATE_TEXT: &str = "CEF escapes = and \\ in values, and a value ends at the next ;";

/// A proxy's W3C-style fields → the CEF keys of CommonSecurityLog.
const PROXY_CEF: FieldList = &[
    ("c-uri", To(&["RequestURL"])),
    ("cs-uri", To(&["RequestURL"])),
    ("c-uri-query", Convert(ValueConversion::UrlPart { col: "RequestURL", part: "query" })),
    ("c-uri-stem", Convert(ValueConversion::UrlPart { col: "RequestURL", part: "path" })),
    ("c-uri-extension", Missing("CEF has no key for the URL's file extension")),
    ("c-useragent", To(&["RequestClientApplication"])),
    ("cs-host", To(&["DestinationHostName"])),
    ("r-dns", To(&["DestinationHostName"])),
    ("cs-method", To(&["RequestMethod"])),
    ("cs-cookie", To(&["RequestCookies"])),
    (
        "cs-referrer",
        Approx(
            &["RequestContext"],
            "CEF's requestContext is where the request came from, which proxies fill with the referrer",
        ),
    ),
    ("dst_ip", To(&["DestinationIP"])),
    ("src_ip", To(&["SourceIP"])),
    ("c-ip", To(&["SourceIP"])),
    ("sc-status", Missing("CEF has no key for the HTTP status; each vendor puts it in a custom field of its own")),
];

const IIS_PLUS: &str = "IIS's W3C log writes the user agent with `+` for each space";

/// W3C extended log fields → W3CIISLog.
const IIS: FieldList = &[
    ("cs-method", To(&["csMethod"])),
    ("cs-uri-query", To(&["csUriQuery"])),
    ("cs-uri-stem", To(&["csUriStem"])),
    ("sc-status", To(&["scStatus"])),
    ("sc-substatus", To(&["scSubStatus"])),
    ("sc-win32-status", To(&["scWin32Status"])),
    ("cs-user-agent", Approx(&["csUserAgent"], IIS_PLUS)),
    ("cs-referer", To(&["csReferer"])),
    ("cs-host", To(&["csHost"])),
    ("cs-username", To(&["csUserName"])),
    ("cs-cookie", To(&["csCookie"])),
    ("c-ip", To(&["cIP"])),
    ("s-ip", To(&["sIP"])),
    ("s-port", To(&["sPort"])),
    ("cs-version", To(&["csVersion"])),
];

/// Syslog messages: the rules' keywords search the message text.
const SYSLOG: FieldList =
    &[("host", To(&["HostName"])), ("hostname", To(&["HostName"])), ("program", To(&["ProcessName"]))];

/// Where the alerts come from and what AlertName holds (docs/kql.md, "Tables").
const M365_ALERTS_INFO: &str = "the alerts of Microsoft 365's alert policies and Defender for Cloud Apps, as Microsoft Sentinel's Defender XDR connector (or the older per-product ones) writes them; AlertName is the alert's name, for an alert policy the policy's name";

/// The alerts of Microsoft 365's alert policies and Defender for Cloud Apps,
/// as the unified audit log's alert records name them (Workload, Name,
/// ResultStatus of the Management Activity API) → SecurityAlert.
const M365_ALERTS: FieldList = &[
    ("eventName", To(&["AlertName"])),
    (
        "eventSource",
        Drop(DropKind::Widening("an alert row has no column for the audit log's workload, and Microsoft documents ProductName per connector only, so another product's alert of the same name also matches")),
    ),
    (
        "status",
        Drop(DropKind::Widening("an alert row has no column for the audit record's outcome (Status is New, InProgress, Resolved, Dismissed or Unknown; a row exists once the alert was raised)")),
    ),
    ("Payload", Missing(xdr::ALERT_NOT_RECORD)),
];

/// Microsoft 365's unified audit log → OfficeActivity.
const M365_AUDIT: FieldList = &[
    ("Operation", To(&["Operation"])),
    ("Workload", To(&["OfficeWorkload"])),
    ("ResultStatus", To(&["ResultStatus"])),
    ("ApplicationId", To(&["ApplicationId"])),
    ("ObjectId", To(&["OfficeObjectId"])),
    ("UserId", To(&["UserId"])),
    ("ClientIP", To(&["ClientIP"])),
    ("Directionality", Missing("an Exchange message trace field; OfficeActivity has no such column")),
    ("DeliveryAction", Missing("a Defender for Office email field; OfficeActivity has no such column")),
    ("RequestType", Missing("OfficeActivity has no such column")),
];
