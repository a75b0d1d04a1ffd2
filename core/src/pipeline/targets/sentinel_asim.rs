//! sentinel_asim: Microsoft Sentinel's ASIM parser functions (imProcessCreate,
//! imNetworkSession, imFileEvent, ...) as data, one [`Source`] per logsource.
//!
//! Sources of the facts: the ASIM schema (schema.json) and the
//! Sysmon/Security-event parsers of Azure-Sentinel (e.g. Sysmon `ParentImage`
//! is `ActingProcessName`, the parent of the acting process is
//! `ParentProcessName`; `DstHostname` is the first label only, the full name
//! is `DstFQDN`; registry values are split into `RegistryKey` and
//! `RegistryValue` at the last backslash).

use super::vocab::{ASIM_INTEGRITY, ASIM_LOGON_IDS, REG_EVENT_IDS, REG_EVENT_TYPES};
use super::FieldMap::{Approx, Convert, Drop, Missing, To};
use super::{source, DropKind, FieldList, NotMapped, RowFilter, Source, ANY_OS, PROC_PROVIDERS, SECURITY};
use crate::pipeline::convert::{Hives, RegMode, SidColumns, Spelling, ValueConversion};

const COMMON: FieldList = &[
    ("EventID", Drop(DropKind::EventId)),
    ("EventCode", Drop(DropKind::EventId)),
    ("Provider_Name", Drop(DropKind::Provider)),
    ("Channel", Drop(DropKind::Provider)),
    ("Computer", To(&["DvcHostname"])),
];

const PROCESS: FieldList = &[
    ("Image", To(&["TargetProcessName"])),
    ("CommandLine", To(&["TargetProcessCommandLine"])),
    ("CurrentDirectory", To(&["TargetProcessCurrentDirectory"])),
    (
        "OriginalFileName",
        Convert(ValueConversion::Where {
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
    ("IntegrityLevel", Convert(ValueConversion::Vocab { col: "TargetProcessIntegrityLevel", words: ASIM_INTEGRITY })),
    ("ProcessId", To(&["TargetProcessId"])),
    ("ProcessGuid", Convert(ValueConversion::Spellings { col: "TargetProcessGuid", kind: Spelling::Braces })),
    (
        "User",
        Convert(ValueConversion::Account { base: &ValueConversion::Column { col: "TargetUsername" }, sid: SidColumns::AsimTarget }),
    ),
    ("LogonId", Convert(ValueConversion::Spellings { col: "TargetUserSessionId", kind: Spelling::HexOrDecimal })),
    ("LogonGuid", Convert(ValueConversion::Spellings { col: "TargetUserSessionGuid", kind: Spelling::Braces })),
    ("ParentImage", To(&["ActingProcessName"])),
    ("ParentCommandLine", To(&["ActingProcessCommandLine"])),
    ("ParentProcessId", To(&["ActingProcessId"])),
    ("ParentProcessGuid", Convert(ValueConversion::Spellings { col: "ActingProcessGuid", kind: Spelling::Braces })),
    (
        "ParentUser",
        Convert(ValueConversion::Account { base: &ValueConversion::Column { col: "ActorUsername" }, sid: SidColumns::AsimActor }),
    ),
    (
        "GrandParentImage",
        Convert(ValueConversion::ProcessPath {
            cols: &["ParentProcessName"],
            why: Some("only Defender's parser fills ParentProcessName, with the grandparent's file name alone: a test on its folder cannot match"),
        }),
    ),
    (
        "Hashes",
        Convert(ValueConversion::Hashes {
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

const EVENT_4688: FieldList = &[
    ("NewProcessName", To(&["TargetProcessName"])),
    ("ParentProcessName", To(&["ActingProcessName"])),
    ("CommandLine", To(&["TargetProcessCommandLine"])),
    (
        "SubjectUserName",
        Convert(ValueConversion::NamePart { col: "ActorUsername", domain_field: Some("SubjectDomainName") }),
    ),
    (
        "TargetUserName",
        Convert(ValueConversion::NamePart { col: "TargetUsername", domain_field: Some("TargetDomainName") }),
    ),
    ("NewProcessId", Missing("4688 writes process ids in hex; ASIM keeps them as decimal text")),
];

const NETWORK: FieldList = &[
    (
        "Image",
        Convert(ValueConversion::ProcessPath {
            cols: &["SrcProcessName", "DstProcessName"],
            why: Some("Defender rows hold only the process's file name (vimNetworkSessionMicrosoft365Defender 0.4 uses InitiatingProcessFileName): a test on the folder cannot match them"),
        }),
    ),
    ("ProcessId", To(&["SrcProcessId", "DstProcessId"])),
    ("ProcessGuid", To(&["SrcProcessGuid", "DstProcessGuid"])),
    ("User", To(&["SrcUsername", "DstUsername"])),
    ("DestinationHostname", Convert(ValueConversion::HostFqdn { fqdn: "DstFQDN", host: "DstHostname" })),
    ("SourceHostname", Convert(ValueConversion::HostFqdn { fqdn: "SrcFQDN", host: "SrcHostname" })),
    ("DestinationIp", To(&["DstIpAddr"])),
    ("SourceIp", To(&["SrcIpAddr"])),
    ("DestinationPort", To(&["DstPortNumber"])),
    ("SourcePort", To(&["SrcPortNumber"])),
    ("Protocol", To(&["NetworkProtocol"])),
    ("Initiated", Convert(ValueConversion::AsimDirection)),
    ("CommandLine", Missing("imNetworkSession has no command line")),
    ("ParentImage", Missing("imNetworkSession has no parent process")),
    ("DestinationIsIpv6", Missing("NetworkProtocolVersion is set for the session, not per address")),
    ("SourceIsIpv6", Missing("NetworkProtocolVersion is set for the session, not per address")),
    ("DestinationPortName", Missing("the Sysmon parser does not keep port names")),
    ("SourcePortName", Missing("the Sysmon parser does not keep port names")),
];

const DEFENDER_PATH: &str = "Defender's parser (vimFileEventM365D 0.2.1) writes FolderPath\\FileName, and Defender's FolderPath already ends with the file name: a path ending in a file name is also matched with the name repeated";

const FILE: FieldList = &[
    ("TargetFilename", Convert(ValueConversion::RepeatedName { col: "TargetFilePath", why: DEFENDER_PATH })),
    ("FileName", Convert(ValueConversion::RepeatedName { col: "TargetFilePath", why: DEFENDER_PATH })),
    ("SourceFilename", Convert(ValueConversion::RepeatedName { col: "SrcFilePath", why: DEFENDER_PATH })),
    ("Image", To(&["ActingProcessName"])),
    ("CommandLine", To(&["ActingProcessCommandLine"])),
    ("ProcessId", To(&["ActingProcessId"])),
    ("ProcessGuid", To(&["ActingProcessGuid"])),
    ("User", To(&["ActorUsername"])),
    (
        "Hashes",
        Convert(ValueConversion::Hashes {
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

const REGISTRY: FieldList = &[
    ("Details", Convert(ValueConversion::Details { data: "RegistryValueData", kind: "RegistryValueType", asim: true })),
    ("EventType", Convert(ValueConversion::Vocab { col: "EventType", words: REG_EVENT_TYPES })),
    ("NewName", Convert(ValueConversion::RegKey { col: "RegistryKey", hives: Hives::Asim })),
    ("Image", To(&["ActingProcessName"])),
    ("ProcessId", To(&["ActingProcessId"])),
    ("ProcessGuid", To(&["ActingProcessGuid"])),
    ("User", To(&["ActorUsername"])),
];

const REG_PAIR: &[(&str, &str)] = &[("RegistryKey", "RegistryValue")];
const REG_SET: FieldList = &[(
    "TargetObject",
    Convert(ValueConversion::RegPath { pairs: REG_PAIR, mode: RegMode::Value, hives: Hives::Asim }),
)];
const REG_ADD: FieldList =
    &[("TargetObject", Convert(ValueConversion::RegPath { pairs: REG_PAIR, mode: RegMode::Key, hives: Hives::Asim }))];
const REG_MIXED: FieldList = &[(
    "TargetObject",
    Convert(ValueConversion::RegPath { pairs: REG_PAIR, mode: RegMode::Mixed, hives: Hives::Asim }),
)];
const REG_EVENT: FieldList = &[
    ("TargetObject", Convert(ValueConversion::RegPath { pairs: REG_PAIR, mode: RegMode::Mixed, hives: Hives::Asim })),
    ("EventID", Convert(ValueConversion::Vocab { col: "EventType", words: REG_EVENT_IDS })),
];

const DNS_QUERY: FieldList = &[
    ("QueryName", To(&["DnsQuery"])),
    ("QueryResults", To(&["DnsResponseName"])),
    ("QueryStatus", Convert(ValueConversion::DnsStatus { col: "DnsResponseCode" })),
    ("Image", To(&["SrcProcessName"])),
    ("ProcessId", To(&["SrcProcessId"])),
    ("ProcessGuid", To(&["SrcProcessGuid"])),
    ("User", To(&["SrcUsername"])),
];

const DNS: FieldList = &[
    ("query", To(&["DnsQuery"])),
    ("answer", To(&["DnsResponseName"])),
    ("record_type", To(&["DnsQueryTypeName"])),
    ("src_ip", To(&["SrcIpAddr"])),
    ("dst_ip", To(&["DstIpAddr"])),
];

/// The fields every Zeek log has, as Microsoft's Corelight Zeek parsers name them.
const ZEEK_IDS: FieldList = &[
    ("uid", To(&["EventOriginalUid"])),
    ("id.orig_h", To(&["SrcIpAddr"])),
    ("id.orig_p", To(&["SrcPortNumber"])),
    ("id.resp_h", To(&["DstIpAddr"])),
    ("id.resp_p", To(&["DstPortNumber"])),
];

/// Zeek's dns.log fields → imDns, as Microsoft's parser for Corelight's
/// Zeek records reads them (Azure-Sentinel `Parsers/ASimDns/Parsers/
/// vimDnsCorelightZeek.yaml` 0.5, in imDns's union): it parses the JSON
/// record of `Corelight_CL` and renames each field it keeps. It keeps no
/// comparable value for the others, which are therefore unmapped: `answers`
/// and `TTLs` are packed together into DnsResponseName's JSON text,
/// `rejected` is only folded into EventResult, `Z` only as `Z != 0`
/// (DnsFlagsZ), `trans_id` only in hex (TransactionIdHex).
const ZEEK_DNS: FieldList = &[
    ("query", To(&["DnsQuery"])),
    ("qtype", To(&["DnsQueryType"])),
    (
        "qtype_name",
        Approx(&["DnsQueryTypeName"], "named from qtype by the parser's table (TYPE<n> where Zeek writes query-<n>)"),
    ),
    ("qclass", To(&["DnsQueryClass"])),
    ("qclass_name", Approx(&["DnsQueryClassName"], "named from qclass by the parser's table (CLASS<n> if unknown)")),
    ("rcode", To(&["DnsResponseCode"])),
    ("rcode_name", To(&["DnsResponseCodeName"])),
    ("proto", To(&["NetworkProtocol"])),
    ("AA", To(&["DnsFlagsAuthoritative"])),
    ("TC", To(&["DnsFlagsTruncated"])),
    ("RD", To(&["DnsFlagsRecursionDesired"])),
    ("RA", To(&["DnsFlagsRecursionAvailable"])),
    ("CD", To(&["DnsFlagsCheckingDisabled"])),
];

/// Zeek's conn.log fields → imNetworkSession, as Microsoft's parser for
/// Corelight's Zeek records reads them (Azure-Sentinel `Parsers/
/// ASimNetworkSession/Parsers/vimNetworkSessionCorelightZeek.yaml` 0.2, in
/// imNetworkSession's union). Unmapped, as the parser keeps no comparable
/// value: `duration` (its seconds read as an integer, where the schema
/// counts milliseconds), `conn_state` (only its description),
/// `local_orig`/`local_resp` (only the derived NetworkDirection), `history`
/// and `missed_bytes` (written to columns outside the schema), and
/// `community_id` (the parser's key for it lacks its closing quote).
const ZEEK_CONN: FieldList = &[
    ("proto", Approx(&["NetworkProtocol"], "upper-cased by the parser")),
    ("service", To(&["NetworkApplicationProtocol"])),
    ("orig_bytes", To(&["SrcBytes"])),
    ("resp_bytes", To(&["DstBytes"])),
    ("orig_pkts", To(&["SrcPackets"])),
    ("resp_pkts", To(&["DstPackets"])),
    ("orig_l2_addr", To(&["SrcMacAddr"])),
    ("resp_l2_addr", To(&["DstMacAddr"])),
    ("vlan", To(&["DstVlanId"])),
    ("inner_vlan", To(&["SrcVlanId"])),
];

const PROXY: FieldList = &[
    ("c-uri", To(&["Url"])),
    ("cs-uri", To(&["Url"])),
    ("c-uri-query", Convert(ValueConversion::UrlPart { col: "Url", part: "query string" })),
    ("c-uri-stem", Convert(ValueConversion::UrlPart { col: "Url", part: "path" })),
    ("cs-uri-stem", Convert(ValueConversion::UrlPart { col: "Url", part: "path" })),
    ("c-uri-extension", Convert(ValueConversion::UrlPart { col: "Url", part: "file extension" })),
    ("c-useragent", To(&["HttpUserAgent"])),
    ("cs-method", To(&["HttpRequestMethod"])),
    ("cs-host", To(&["HttpHost"])),
    ("cs-cookie", To(&["HttpCookie"])),
    ("cs-referrer", To(&["HttpReferrer"])),
    ("cs-referer", To(&["HttpReferrer"])),
    ("cs-version", To(&["HttpVersion"])),
    ("sc-status", To(&["HttpStatusCode"])),
    ("r-dns", Convert(ValueConversion::HostFqdn { fqdn: "DstFQDN", host: "DstHostname" })),
    ("dst_ip", To(&["DstIpAddr"])),
    ("src_ip", To(&["SrcIpAddr"])),
    ("c-ip", To(&["SrcIpAddr"])),
];

const WEBSERVER: FieldList = &[
    ("cs-uri-query", Convert(ValueConversion::UrlPart { col: "Url", part: "query string" })),
    ("cs-uri-stem", Convert(ValueConversion::UrlPart { col: "Url", part: "path" })),
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

const LOGON: FieldList = &[
    ("EventID", Convert(ValueConversion::Vocab { col: "EventResult", words: ASIM_LOGON_IDS })),
    (
        "TargetUserName",
        Convert(ValueConversion::NamePart { col: "TargetUsername", domain_field: Some("TargetDomainName") }),
    ),
    ("TargetDomainName", To(&["TargetDomain"])),
    ("TargetUserSid", To(&["TargetUserId"])),
    (
        "SubjectUserName",
        Convert(ValueConversion::NamePart { col: "ActorUsername", domain_field: Some("SubjectDomainName") }),
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

const AZURE_ACTIVITY: FieldList = &[
    ("operationName", To(&["Operation"])),
    ("OperationNameValue", To(&["Operation"])),
    ("CategoryValue", To(&["EventOriginalType"])),
];

/// The logsources this target serves, in the order a rule is matched against them.
pub(super) static SOURCES: &[Source] = &[
    Source {
        products: ANY_OS,
        restating: &[1, 4688],
        providers: PROC_PROVIDERS,
        fallback: &[1],
        ..source("process_creation", "process_creation", "imProcessCreate", &[PROCESS, COMMON])
    },
    Source {
        category: None,
        service: Some("security"),
        restating: &[4688],
        providers: SECURITY,
        fallback: &[4688],
        fallback_services: &["security"],
        fallback_only: true,
        ..source("security 4688", "", "imProcessCreate", &[EVENT_4688, COMMON])
    },
    Source {
        products: ANY_OS,
        restating: &[3],
        fallback: &[3],
        ..source("network_connection", "network_connection", "imNetworkSession", &[NETWORK, COMMON])
    },
    Source {
        products: ANY_OS,
        condition: RowFilter::OneOf("EventType", &["FileCreated", "FileModified", "FileRenamed"]),
        restating: &[11],
        fallback: &[11],
        ..source("file_event", "file_event", "imFileEvent", &[FILE, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("EventType", &["FileDeleted"]),
        restating: &[23, 26],
        fallback: &[23, 26],
        ..source("file_delete", "file_delete", "imFileEvent", &[FILE, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("EventType", &["FileRenamed"]),
        ..source("file_rename", "file_rename", "imFileEvent", &[FILE, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("EventType", &["FileAccessed"]),
        ..source("file_access", "file_access", "imFileEvent", &[FILE, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("EventType", &["RegistryValueSet"]),
        restating: &[13],
        ..source("registry_set", "registry_set", "imRegistry", &[REG_SET, REGISTRY, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("EventType", &["RegistryKeyCreated"]),
        restating: &[12],
        ..source("registry_add", "registry_add", "imRegistry", &[REG_ADD, REGISTRY, COMMON])
    },
    Source {
        condition: RowFilter::OneOf("EventType", &["RegistryKeyDeleted", "RegistryValueDeleted"]),
        restating: &[12],
        ..source("registry_delete", "registry_delete", "imRegistry", &[REG_MIXED, REGISTRY, COMMON])
    },
    Source {
        fallback: &[12, 13, 14],
        ..source("registry_event", "registry_event", "imRegistry", &[REG_EVENT, REGISTRY, COMMON])
    },
    Source { restating: &[22], fallback: &[22], ..source("dns_query", "dns_query", "imDns", &[DNS_QUERY, COMMON]) },
    Source { products: &[], providers: &[], ..source("dns", "dns", "imDns", &[DNS, COMMON]) },
    zeek("zeek dns", "dns", "imDns", &[ZEEK_DNS, ZEEK_IDS]),
    zeek("zeek conn", "conn", "imNetworkSession", &[ZEEK_CONN, ZEEK_IDS]),
    Source { products: &[], providers: &[], ..source("proxy", "proxy", "imWebSession", &[PROXY, COMMON]) },
    Source { products: &[], providers: &[], ..source("webserver", "webserver", "imWebSession", &[WEBSERVER, COMMON]) },
    Source {
        category: None,
        service: Some("security"),
        condition: RowFilter::OneOf("EventType", &["Logon"]),
        providers: SECURITY,
        fallback: &[4624, 4625],
        fallback_services: &["security"],
        fallback_only: true,
        ..source("security logon (4624, 4625)", "", "imAuthentication", &[LOGON, COMMON])
    },
    Source {
        category: None,
        products: &["azure"],
        service: Some("activitylogs"),
        providers: &[],
        info: Some("imAuditEvent holds the Administrative category of AzureActivity (Operation is OperationNameValue)"),
        ..source("azure activitylogs", "", "imAuditEvent", &[AZURE_ACTIVITY, COMMON])
    },
];

/// A Zeek log in the ASIM schema Microsoft's Corelight Zeek parser fills:
/// its rows are the ones that parser writes (EventProduct Zeek).
const fn zeek(label: &'static str, service: &'static str, table: &'static str, fields: &'static [FieldList]) -> Source {
    Source {
        category: None,
        products: &["zeek"],
        service: Some(service),
        condition: RowFilter::OneOf("EventProduct", &["Zeek"]),
        providers: &[],
        fallback_services: &[],
        info: Some("Zeek's records as Microsoft's Corelight Zeek parser writes them (EventProduct Zeek)"),
        unmapped_hint: Some("Microsoft's Corelight Zeek parser keeps no comparable value for it"),
        ..source(label, "", table, fields)
    }
}

/// Categories left unmapped on purpose, and why.
pub(super) const NOT_MAPPED: &[NotMapped] = &[
    NotMapped { categories: &["image_load", "driver_load"], reason: "ASIM has no image or driver load schema" },
    NotMapped { categories: &["pipe_created"], reason: "ASIM has no named pipe schema" },
    NotMapped { categories: &["process_access", "create_remote_thread"], reason: "ASIM has no process access schema" },
    NotMapped { categories: &["ps_script", "ps_module", "ps_classic_start"], reason: "ASIM has no PowerShell schema" },
];
