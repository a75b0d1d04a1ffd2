//! The built-in targets: the types a target's data is written in ([`Source`],
//! [`FieldMap`]) and the logic that applies them. Each target's data is its
//! own file, and adding a table or a logsource is adding a [`Source`] there:
//! `microsoft_xdr.rs`, `sentinel_asim.rs`, `azure_monitor.rs`, with the value
//! vocabularies they share in `vocab.rs`. The logic: `select.rs` chooses the
//! source that serves a rule, `rule.rs` maps a rule's detection items onto
//! it, `event.rs` maps an event onto its row.
//!
//! Column names are checked against schema.json by a test; where each
//! target's facts come from is said at the top of its file.
//!
//! Logsource → table (a rule without category is routed by the EventID of its
//! first `sel*` search, as pySigma does; `[..]` is the added event-kind condition):
//!
//! | logsource | microsoft_xdr | sentinel_asim | azure_monitor |
//! |---|---|---|---|
//! | process_creation | DeviceProcessEvents (Linux/macOS: no Windows-only fields) | imProcessCreate | SecurityEvent [EventID 4688] (windows); DeviceProcessEvents (macos, streamed by the Defender XDR connector) |
//! | network_connection | DeviceNetworkEvents | imNetworkSession | WindowsEvent [Sysmon channel, EventID 3] |
//! | file_event | DeviceFileEvents [FileCreated/Modified/Renamed] | imFileEvent [same] | WindowsEvent [Sysmon, 11] |
//! | file_delete / file_rename | DeviceFileEvents [FileDeleted / FileRenamed] | imFileEvent [same] | WindowsEvent [Sysmon, 23] / — |
//! | file_access | — (no file reads) | imFileEvent [FileAccessed] | — |
//! | registry_set / _add / _delete | DeviceRegistryEvents [RegistryValueSet / RegistryKeyCreated / *Deleted] | imRegistry [same] | WindowsEvent [Sysmon, 13 / 12 + EventType] |
//! | registry_event | DeviceRegistryEvents | imRegistry | WindowsEvent [Sysmon, 12–14] |
//! | image_load | DeviceImageLoadEvents | WindowsEvent (native fallback) | WindowsEvent [Sysmon, 7] |
//! | pipe_created | DeviceEvents [NamedPipeEvent] | WindowsEvent (native fallback) | WindowsEvent [Sysmon, 17/18] |
//! | create_remote_thread | DeviceEvents [CreateRemoteThreadApiCall] | WindowsEvent (native fallback) | WindowsEvent [Sysmon, 8] |
//! | process_access | DeviceEvents [OpenProcessApiCall] (warning: selective) | WindowsEvent (native fallback) | WindowsEvent [Sysmon, 10] |
//! | driver_load | DeviceEvents [DriverLoad] | WindowsEvent (native fallback) | WindowsEvent [Sysmon, 6] |
//! | dns_query | DeviceEvents [DnsQueryResponse] | imDns | WindowsEvent [Sysmon, 22] |
//! | other Sysmon categories | — | WindowsEvent (native fallback) | WindowsEvent [Sysmon channel and ids of the Sigma taxonomy] |
//! | ps_script / ps_module | — | WindowsEvent (native fallback) | WindowsEvent [PowerShell channels, 4104 / 4103] |
//! | ps_classic_*, powershell-classic | — | Event (native fallback) | Event [Windows PowerShell, 400 / 600 / 800], `Data` in EventData's XML text |
//! | windows services (system, application, windefend, ...) | — | WindowsEvent (native fallback) | WindowsEvent [the service's channels] |
//! | dns | — | imDns | DnsEvents [SubType LookupQuery] |
//! | windows/security | EventID 4688 → DeviceProcessEvents, 4624/4625 → DeviceLogonEvents | 4688 → imProcessCreate, 4624/4625 → imAuthentication [Logon] (SecurityEvent, the native fallback, for a rule that needs a field imAuthentication lacks: LogonType, NTSTATUS codes) | SecurityEvent (values without a column: `EventData`'s XML) |
//! | azure/activitylogs | CloudAppEvents [Application Microsoft Azure], fields as `RawEventData.<field>` | imAuditEvent | AzureActivity |
//! | linux Sysmon categories | — | imProcessCreate etc., else Syslog (native fallback) | Syslog [`SyslogMessage` names `Linux-Sysmon` and the event id] |
//! | linux/auditd | — | Syslog (native fallback) | Syslog [`SyslogMessage` holds `msg=audit(`; a field is the value after `name=`, quoted or hex] |
//! | rpc_firewall application | — | Event (native fallback) | Event [EventLog RPCFW; InterfaceUuid/OpNum by position in EventData] |
//! | cloud, SaaS, Linux syslog, kube-audit | — | the native table (fallback) | AWSCloudTrail, AuditLogs, SigninLogs, AADUserRiskEvents, OktaV2_CL, GCPAuditLogs, GoogleWorkspaceReports, GitHubAuditLogPolling_CL, OfficeActivity, AzureDiagnostics, Syslog |
//! | proxy / webserver | — | imWebSession | CommonSecurityLog / W3CIISLog |
//! | fortigate/event | — | CommonSecurityLog (native fallback) | CommonSecurityLog [DeviceVendor Fortinet, DeviceProduct FortiGate*, Activity event:*; FTNTFGT* values in `AdditionalExtensions`] |
//! | zeek dns / conn | — | imDns / imNetworkSession [EventProduct Zeek] | — |
//! | windows/security 4697, windows/system 7045 | DeviceEvents [ServiceInstalled] | — | — |
//! | windows/dns-client 3008 | DeviceEvents [DnsQueryResponse] | — | — |
//! | antivirus | DeviceEvents [AntivirusDetection] | — | — |
//! | azure/signinlogs | EntraIdSignInEvents | — | — |
//! | aws/cloudtrail, okta/okta, github/audit, gcp/gcp.audit | CloudAppEvents [Application], fields as `RawEventData.<field>` | — | — |
//! | m365/threat_management, m365/threat_detection | AlertInfo (`Title`) | SecurityAlert (native fallback) | SecurityAlert (`AlertName`) |

mod azure_monitor;
mod event;
mod microsoft_xdr;
mod rule;
mod select;
mod sentinel_asim;
mod vocab;

use super::convert::ValueConversion;
use super::TargetId;

pub(crate) use event::map_event_fields;
pub(crate) use rule::map_rule;
pub(crate) use select::may_read_native_table;

/// What a Sigma field becomes on a source's table, one entry of its field list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldMap {
    /// Renamed; several columns are ORed.
    To(&'static [&'static str]),
    /// Renamed, but the column does not hold quite the same thing (the note says what).
    Approx(&'static [&'static str], &'static str),
    /// The values are converted as well as the name (the conversion says how).
    Convert(ValueConversion),
    /// Dropped from the query: the field only restates the log source, or
    /// widens the query with a note when it does not.
    Drop(DropKind),
    /// Known Sigma field with no equivalent in the table (the reason is shown).
    Missing(&'static str),
}

/// Which restating field a [`FieldMap::Drop`] is, so that dropping it can be
/// told apart from widening the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DropKind {
    /// EventID/EventCode: only selects the log source, which the table already is.
    EventId,
    /// Provider_Name/Channel.
    Provider,
    /// A condition the table has no way to express, dropped with a
    /// `lossy-mapping` warning that says why: the query is wider than the rule.
    Widening(&'static str),
}

/// The condition that selects a logsource's rows inside a table that holds
/// other kinds of event too (added to every query on the source, and set on
/// every event mapped to it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RowFilter {
    /// The table holds this logsource's events only.
    None,
    /// `column in~ (values)`
    OneOf(&'static str, &'static [&'static str]),
    /// `column == n`
    Equals(&'static str, i64),
    /// Events of a Windows channel in `WindowsEvent`: `Channel in~ (channels)`,
    /// `and EventID in (event_ids)` and `and EventData.EventType in~
    /// (event_types)` when there are any (Sysmon's registry events share ids).
    WindowsEvent { channels: &'static [&'static str], event_ids: &'static [i64], event_types: &'static [&'static str] },
    /// Events of a Windows log in the `Event` table: `EventLog in~ (logs)`,
    /// and `EventID in (event_ids)` when there are any.
    EventLog { logs: &'static [&'static str], event_ids: &'static [i64] },
    /// Sysmon for Linux's events in `Syslog`: the XML text in `SyslogMessage`
    /// names the provider `Linux-Sysmon` and one of `event_ids`.
    SysmonSyslog { event_ids: &'static [i64] },
    /// auditd's records in `Syslog`, as the audisp syslog plugin writes them:
    /// `SyslogMessage` holds `msg=audit(`.
    AuditdSyslog,
    /// A device's CEF records in CommonSecurityLog: `DeviceVendor` is
    /// `vendor`, `DeviceProduct` starts with `product`, and `Activity` (the
    /// CEF header's Name) starts with `name`.
    CefDevice { vendor: &'static str, product: &'static str, name: &'static str },
}

/// Where a table keeps the named values of a Windows event (`<Data
/// Name="...">`), for the fields a source's field list does not name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum EventDataFields {
    /// The table has no such column.
    None,
    /// `EventData.<name>` in the dynamic column, for the values these Sysmon
    /// events write (`data::sysmon`); any other field is not there.
    Sysmon(&'static [i64]),
    /// `EventData.<name>` for these names only (the provider's event schema).
    Named(&'static [&'static str]),
    /// `EventData.<field>` for any field: the channel's providers each write
    /// their own values (System, Application), so none can be ruled out.
    Any,
    /// `<column>.<field>` for any field, its dots read as steps into the
    /// dynamic column: the column holds the original record as the app wrote
    /// it (CloudAppEvents' RawEventData), so Sigma's nested names are its paths.
    Raw(&'static str),
    /// Nested fields of a record kept as an object: a Sigma field under one
    /// of these prefixes (`requestParameters.userName`) is the same path under
    /// the column the table keeps that object in (`RequestParameters`, a
    /// dynamic column or JSON text: `kusto::schema::column_type` says which).
    Nested(&'static [(&'static str, &'static str)]),
    /// `SyslogMessage.<name>`, the `<Data Name="...">` values Sysmon writes
    /// for these events (`data::sysmon`), in Syslog's message text.
    SysmonXml(&'static [i64]),
    /// `SyslogMessage:<name>`, the `name=` value of an auditd record, for
    /// these names (fields auditd writes bare or quoted as they are; the
    /// field list converts the ones it may write in hex).
    AuditFields(&'static [&'static str]),
}

/// Sigma field → [`FieldMap`]; a source's field list is made of these,
/// so that groups shared by several sources are written once.
pub(super) type FieldList = &'static [(&'static str, FieldMap)];

/// One logsource on one target: which rules it serves, the table it reads,
/// the condition that selects its rows, and what each Sigma field becomes.
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
    pub condition: RowFilter,
    /// EventIDs that, alone, only restate what the table (and condition) hold.
    pub restating: &'static [i64],
    /// Provider_Name/Channel values that restate the log source.
    pub providers: &'static [&'static str],
    /// Looked up in order.
    pub fields: &'static [FieldList],
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
    /// Fields read from the event's named values.
    pub event_data: EventDataFields,
    /// The source that serves the rule instead when it needs a field this
    /// one lacks (`Missing`) and that one records: Sysmon's process events
    /// for a rule that reads `OriginalFileName`, which event 4688 never has.
    pub instead_for_missing: Option<&'static Source>,
}

/// A source for a Sysmon category on Windows; a target's list overrides the
/// fields that differ (`Source { restating: &[1], ..source(...) }`).
pub(super) const fn source(
    label: &'static str,
    category: &'static str,
    table: &'static str,
    fields: &'static [FieldList],
) -> Source {
    Source {
        label,
        category: Some(category),
        products: &["windows"],
        service: None,
        table,
        condition: RowFilter::None,
        restating: &[],
        providers: SYSMON,
        fields,
        fallback: &[],
        fallback_services: &["", "sysmon"],
        fallback_only: false,
        warning: None,
        info: None,
        unmapped_hint: None,
        event_data: EventDataFields::None,
        instead_for_missing: None,
    }
}

/// A category a target leaves unmapped on purpose, and why: the reason goes
/// into the `no-table` error, so that the rule's author is not left to guess.
pub(super) struct NotMapped {
    /// Sigma categories, lower case; empty stands for every category. An
    /// entry `product/category` or `product/service` names one product's.
    pub categories: &'static [&'static str],
    pub reason: &'static str,
}

/// Provider_Name/Channel values of Sysmon events.
pub(super) const SYSMON: &[&str] = &["Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational"];
/// Provider_Name/Channel values of Windows Security events.
pub(super) const SECURITY: &[&str] = &["Microsoft-Windows-Security-Auditing", "Security"];
/// Process creation comes from Sysmon (event 1) or the Security log (event 4688).
pub(super) const PROC_PROVIDERS: &[&str] = &[
    "Microsoft-Windows-Sysmon",
    "Microsoft-Windows-Sysmon/Operational",
    "Microsoft-Windows-Security-Auditing",
    "Security",
];
pub(super) const ANY_OS: &[&str] = &["windows", "linux", "macos"];
/// What every auditd record's text holds: its timestamp and serial, `msg=audit(1700000000.123:42):`.
pub(super) const AUDIT_RECORD_MARK: &str = "msg=audit(";
/// The provider Sysmon for Linux names in its events' XML.
pub(super) const SYSMON_LINUX_PROVIDER: &str = "Linux-Sysmon";

/// A target's sources, in the order a rule's logsource is matched against them.
pub(super) fn sources(target: TargetId) -> &'static [Source] {
    match target {
        TargetId::MicrosoftXdr => microsoft_xdr::SOURCES,
        TargetId::SentinelAsim => sentinel_asim::SOURCES,
        TargetId::AzureMonitor => azure_monitor::SOURCES,
    }
}

/// The categories a target leaves unmapped on purpose.
pub(super) fn not_mapped(target: TargetId) -> &'static [NotMapped] {
    match target {
        TargetId::MicrosoftXdr => microsoft_xdr::NOT_MAPPED,
        TargetId::SentinelAsim => sentinel_asim::NOT_MAPPED,
        TargetId::AzureMonitor => azure_monitor::NOT_MAPPED,
    }
}

/// The `EventData` path a field not in the field list is read from, in the
/// spelling the event writes (Sysmon's names are matched without case); `None`
/// when the source keeps no such values or its events never write the field.
pub(super) fn event_data_path(src: &Source, field: &str) -> Option<String> {
    let name = match src.event_data {
        EventDataFields::None => return None,
        EventDataFields::SysmonXml(ids) => {
            let name =
                ids.iter().flat_map(|id| crate::data::sysmon::fields(*id)).find(|n| n.eq_ignore_ascii_case(field))?;
            let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            return plain.then(|| format!("SyslogMessage.{name}"));
        }
        EventDataFields::AuditFields(names) => {
            return names.iter().find(|n| **n == field).map(|n| format!("SyslogMessage:{n}"));
        }
        EventDataFields::Sysmon(ids) => ids
            .iter()
            .flat_map(|id| crate::data::sysmon::fields(*id))
            .find(|n| n.eq_ignore_ascii_case(field))
            .copied()?,
        EventDataFields::Named(names) => names.iter().find(|n| n.eq_ignore_ascii_case(field)).copied()?,
        EventDataFields::Any => field,
        EventDataFields::Raw(column) => {
            // Each step must be a plain name: anything else would be read as
            // another path (or not parse), and the record has no such key.
            let plain = |seg: &str| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            return field.split('.').all(plain).then(|| format!("{column}.{field}"));
        }
        EventDataFields::Nested(prefixes) => {
            let (col, rest) = prefixes
                .iter()
                .find_map(|(p, col)| field.strip_prefix(p)?.strip_prefix('.').map(|rest| (col, rest)))?;
            // Plain names only: anything else would be read as another path.
            let plain =
                rest.split('.').all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            return plain.then(|| format!("{col}.{rest}"));
        }
    };
    // A name that is no plain identifier would be read as a path of its own.
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_').then(|| format!("EventData.{name}"))
}

/// Whether `src` records `field`: a field list entry that is not `Missing`,
/// a column of its table, or a named value of its events.
pub(super) fn records(src: &Source, field: &str) -> bool {
    match lookup(src, field) {
        Some(FieldMap::Missing(_)) => false,
        Some(_) => true,
        None => crate::kusto::schema::has_column(src.table, field) || event_data_path(src, field).is_some(),
    }
}

/// What a field becomes on a source: the first of its field lists that names it.
pub(super) fn lookup(src: &Source, field: &str) -> Option<FieldMap> {
    src.fields.iter().flat_map(|f| f.iter()).find(|(name, _)| *name == field).map(|(_, m)| *m)
}

/// Every (table, column) the built-in mappings can produce, for the schema test.
#[cfg(test)]
pub(crate) fn all_targets() -> Vec<(TargetId, &'static str, &'static str, String)> {
    let mut out = Vec::new();
    for target in [TargetId::MicrosoftXdr, TargetId::SentinelAsim, TargetId::AzureMonitor] {
        for s in sources(target) {
            match s.condition {
                RowFilter::None => {}
                RowFilter::OneOf(c, _) | RowFilter::Equals(c, _) => out.push((target, s.table, s.label, c.to_string())),
                RowFilter::SysmonSyslog { .. } | RowFilter::AuditdSyslog => {
                    out.push((target, s.table, s.label, "SyslogMessage".to_string()))
                }
                RowFilter::CefDevice { .. } => {
                    for c in ["DeviceVendor", "DeviceProduct", "Activity"] {
                        out.push((target, s.table, s.label, c.to_string()));
                    }
                }
                RowFilter::EventLog { event_ids, .. } => {
                    out.push((target, s.table, s.label, "EventLog".to_string()));
                    if !event_ids.is_empty() {
                        out.push((target, s.table, s.label, "EventID".to_string()));
                    }
                }
                RowFilter::WindowsEvent { event_types, .. } => {
                    out.push((target, s.table, s.label, "Channel".to_string()));
                    if !s.restating.is_empty() || matches!(s.event_data, EventDataFields::Sysmon(_)) {
                        out.push((target, s.table, s.label, "EventID".to_string()));
                    }
                    if !event_types.is_empty() {
                        out.push((target, s.table, s.label, "EventData.EventType".to_string()));
                    }
                }
            }
            for fields in s.fields {
                for (name, m) in *fields {
                    let cols: Vec<&str> = match m {
                        FieldMap::To(cols) | FieldMap::Approx(cols, _) => cols.to_vec(),
                        FieldMap::Convert(c) => c.columns(),
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
