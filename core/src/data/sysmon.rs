//! Sysmon's event schema: the named values each event writes, in the order it
//! writes them (Sysmon 15, `sysmon -s`; the event list of
//! learn.microsoft.com/sysinternals/downloads/sysmon). Sysmon writes every
//! value of its event, so a parser may read them by position, and a value not
//! in its event's list is never there.

const PROCESS_CREATE: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "FileVersion",
    "Description",
    "Product",
    "Company",
    "OriginalFileName",
    "CommandLine",
    "CurrentDirectory",
    "User",
    "LogonGuid",
    "LogonId",
    "TerminalSessionId",
    "IntegrityLevel",
    "Hashes",
    "ParentProcessGuid",
    "ParentProcessId",
    "ParentImage",
    "ParentCommandLine",
    "ParentUser",
];
const FILE_CREATE_TIME: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "TargetFilename",
    "CreationUtcTime",
    "PreviousCreationUtcTime",
    "User",
];
const NETWORK_CONNECT: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "User",
    "Protocol",
    "Initiated",
    "SourceIsIpv6",
    "SourceIp",
    "SourceHostname",
    "SourcePort",
    "SourcePortName",
    "DestinationIsIpv6",
    "DestinationIp",
    "DestinationHostname",
    "DestinationPort",
    "DestinationPortName",
];
const SERVICE_STATE: &[&str] = &["UtcTime", "State", "Version", "SchemaVersion"];
const PROCESS_TERMINATE: &[&str] = &["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User"];
const DRIVER_LOAD: &[&str] =
    &["RuleName", "UtcTime", "ImageLoaded", "Hashes", "Signed", "Signature", "SignatureStatus"];
const IMAGE_LOAD: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "ImageLoaded",
    "FileVersion",
    "Description",
    "Product",
    "Company",
    "OriginalFileName",
    "Hashes",
    "Signed",
    "Signature",
    "SignatureStatus",
    "User",
];
const CREATE_REMOTE_THREAD: &[&str] = &[
    "RuleName",
    "UtcTime",
    "SourceProcessGuid",
    "SourceProcessId",
    "SourceImage",
    "TargetProcessGuid",
    "TargetProcessId",
    "TargetImage",
    "NewThreadId",
    "StartAddress",
    "StartModule",
    "StartFunction",
    "SourceUser",
    "TargetUser",
];
const RAW_ACCESS_READ: &[&str] = &["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "Device", "User"];
const PROCESS_ACCESS: &[&str] = &[
    "RuleName",
    "UtcTime",
    "SourceProcessGUID",
    "SourceProcessId",
    "SourceThreadId",
    "SourceImage",
    "TargetProcessGUID",
    "TargetProcessId",
    "TargetImage",
    "GrantedAccess",
    "CallTrace",
    "SourceUser",
    "TargetUser",
];
const FILE_CREATE: &[&str] =
    &["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename", "CreationUtcTime", "User"];
const REGISTRY_KEY: &[&str] =
    &["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject", "User"];
const REGISTRY_VALUE_SET: &[&str] =
    &["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject", "Details", "User"];
const REGISTRY_RENAME: &[&str] =
    &["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject", "NewName", "User"];
const FILE_STREAM_HASH: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "TargetFilename",
    "CreationUtcTime",
    "Hash",
    "Contents",
    "User",
];
const CONFIG_CHANGE: &[&str] = &["UtcTime", "Configuration", "ConfigurationFileHash"];
const PIPE: &[&str] = &["RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "PipeName", "Image", "User"];
const WMI_FILTER: &[&str] =
    &["RuleName", "EventType", "UtcTime", "Operation", "User", "EventNamespace", "Name", "Query"];
const WMI_CONSUMER: &[&str] = &["RuleName", "EventType", "UtcTime", "Operation", "User", "Name", "Type", "Destination"];
const WMI_BINDING: &[&str] = &["RuleName", "EventType", "UtcTime", "Operation", "User", "Consumer", "Filter"];
const DNS_QUERY: &[&str] =
    &["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "QueryName", "QueryStatus", "QueryResults", "Image", "User"];
const FILE_DELETE: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "User",
    "Image",
    "TargetFilename",
    "Hashes",
    "IsExecutable",
    "Archived",
];
const CLIPBOARD: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "Session",
    "ClientInfo",
    "Hashes",
    "Archived",
    "User",
];
const PROCESS_TAMPERING: &[&str] = &["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "Type", "User"];
const FILE_DELETE_DETECTED: &[&str] =
    &["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename", "Hashes", "IsExecutable"];
const FILE_BLOCK: &[&str] =
    &["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename", "Hashes"];
const FILE_BLOCK_SHREDDING: &[&str] =
    &["RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename", "Hashes", "IsExecutable"];

/// The named values of Sysmon event `event_id`, in Sysmon's order; empty for
/// an id Sysmon does not write.
pub fn fields(event_id: i64) -> &'static [&'static str] {
    match event_id {
        1 => PROCESS_CREATE,
        2 => FILE_CREATE_TIME,
        3 => NETWORK_CONNECT,
        4 => SERVICE_STATE,
        5 => PROCESS_TERMINATE,
        6 => DRIVER_LOAD,
        7 => IMAGE_LOAD,
        8 => CREATE_REMOTE_THREAD,
        9 => RAW_ACCESS_READ,
        10 => PROCESS_ACCESS,
        11 => FILE_CREATE,
        12 => REGISTRY_KEY,
        13 => REGISTRY_VALUE_SET,
        14 => REGISTRY_RENAME,
        15 => FILE_STREAM_HASH,
        16 => CONFIG_CHANGE,
        17 | 18 => PIPE,
        19 => WMI_FILTER,
        20 => WMI_CONSUMER,
        21 => WMI_BINDING,
        22 => DNS_QUERY,
        23 => FILE_DELETE,
        24 => CLIPBOARD,
        25 => PROCESS_TAMPERING,
        26 => FILE_DELETE_DETECTED,
        27 | 29 => FILE_BLOCK,
        28 => FILE_BLOCK_SHREDDING,
        _ => &[],
    }
}
