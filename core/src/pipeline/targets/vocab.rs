//! Value vocabularies: the words a rule or an event uses for a value, with
//! the words each target writes for it ([`ValueConversion::Vocab`] translates
//! through them, value by value).
//!
//! [`ValueConversion::Vocab`]: crate::pipeline::convert::ValueConversion::Vocab

use crate::pipeline::convert::Vocabulary;

/// Sysmon registry EventType → Defender ActionType / ASIM EventType (same words).
pub(super) const REG_EVENT_TYPES: Vocabulary = &[
    ("CreateKey", &["RegistryKeyCreated"]),
    ("DeleteKey", &["RegistryKeyDeleted"]),
    ("DeleteValue", &["RegistryValueDeleted"]),
    ("SetValue", &["RegistryValueSet"]),
    ("RenameKey", &["RegistryKeyRenamed"]),
];

/// Sysmon registry EventIDs → the same ActionType/EventType words.
pub(super) const REG_EVENT_IDS: Vocabulary = &[
    ("12", &["RegistryKeyCreated", "RegistryKeyDeleted", "RegistryValueDeleted"]),
    ("13", &["RegistryValueSet"]),
    ("14", &["RegistryKeyRenamed"]),
];

/// Sysmon's `Initiated` → Defender's network ActionType words: the outbound kinds, the inbound one.
pub(super) const XDR_DIRECTION: Vocabulary = &[
    ("true", &["ConnectionSuccess", "ConnectionFailed", "ConnectionRequest"]),
    ("false", &["InboundConnectionAccepted"]),
];

/// Windows logon type numbers → Defender's LogonType words.
pub(super) const LOGON_TYPES: Vocabulary = &[
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

/// Logon EventIDs → Defender's ActionType of DeviceLogonEvents.
pub(super) const XDR_LOGON_IDS: Vocabulary = &[("4624", &["LogonSuccess"]), ("4625", &["LogonFailed"])];
/// Logon EventIDs → imAuthentication's EventResult.
pub(super) const ASIM_LOGON_IDS: Vocabulary = &[("4624", &["Success"]), ("4625", &["Failure"])];

/// Sysmon writes the integrity level as a word or (newer versions, and rules
/// list both) as the mandatory label SID.
pub(super) const MANDATORY_LABELS: Vocabulary = &[
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
pub(super) const XDR_INTEGRITY: Vocabulary = &[
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
pub(super) const ASIM_INTEGRITY: Vocabulary = &[
    ("Low", &["Low", "S-1-16-4096"]),
    ("Medium", &["Medium", "S-1-16-8192"]),
    ("High", &["High", "S-1-16-12288"]),
    ("System", &["System", "S-1-16-16384"]),
    ("S-1-16-4096", &["S-1-16-4096", "Low"]),
    ("S-1-16-8192", &["S-1-16-8192", "Medium"]),
    ("S-1-16-12288", &["S-1-16-12288", "High"]),
    ("S-1-16-16384", &["S-1-16-16384", "System"]),
];

/// DNS record type names → DnsEvents' QueryType, which holds the type's
/// number (RFC 1035 and successors; Microsoft's parser ASimDnsMicrosoftOMS
/// looks the number up) or, from some servers, its name.
pub(super) const DNS_QUERY_TYPES: Vocabulary = &[
    ("A", &["1", "A"]),
    ("NS", &["2", "NS"]),
    ("CNAME", &["5", "CNAME"]),
    ("SOA", &["6", "SOA"]),
    ("NULL", &["10", "NULL"]),
    ("PTR", &["12", "PTR"]),
    ("MX", &["15", "MX"]),
    ("TXT", &["16", "TXT"]),
    ("AAAA", &["28", "AAAA"]),
    ("SRV", &["33", "SRV"]),
    ("AXFR", &["252", "AXFR"]),
    ("ANY", &["255", "All", "ANY"]),
];

/// SigninLogs' `RiskState` words (Graph's riskState) → EntraIdSignInEvents'
/// number, as its table reference lists them: 0 none, 1 confirmed safe, 2
/// remediated, 3 dismissed, 4 at risk, 5 confirmed compromised.
pub(super) const ENTRA_RISK_STATES: Vocabulary = &[
    ("none", &["0"]),
    ("confirmedSafe", &["1"]),
    ("remediated", &["2"]),
    ("dismissed", &["3"]),
    ("atRisk", &["4"]),
    ("confirmedCompromised", &["5"]),
];

/// SigninLogs' `conditionalAccessStatus` (success, failure, notApplied) →
/// EntraIdSignInEvents' number: 0 policies applied, 1 attempt to apply
/// policies failed, 2 policies not applied.
pub(super) const ENTRA_CA_STATUS: Vocabulary = &[("success", &["0"]), ("failure", &["1"]), ("notApplied", &["2"])];

/// SigninLogs' `DeviceDetail.isCompliant` (true/false) → EntraIdSignInEvents'
/// `IsCompliant`: compliant (1) or non-compliant (0).
pub(super) const ENTRA_COMPLIANT: Vocabulary = &[("true", &["1"]), ("false", &["0"])];
