//! Which of a target's sources serves a rule: by logsource, else (pySigma's
//! fallback) by the EventID of its first `sel*` search; and the `no-table`
//! error, which lists what the target supports, when none does.

use super::{not_mapped, sources, Source};
use crate::base::diag::{Diagnostic, Span};
use crate::kusto::schema::has_column;
use crate::pipeline::TargetId;
use crate::sigma::rule::{Rule, Scalar};

fn eq_opt(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.eq_ignore_ascii_case(b))
}

fn product_ok(src: &Source, rule: &Rule) -> bool {
    match rule.logsource.product() {
        None => true,
        Some(p) => src.products.is_empty() || src.products.iter().any(|x| x.eq_ignore_ascii_case(p)),
    }
}

/// How a source was chosen: by logsource, or by EventID (value, where), which
/// the rule's notes say. An ASIM schema chosen so may still give way to the
/// native table ([`native_alternative`]) when it lacks a field the rule needs.
pub(super) enum ChosenBy {
    Logsource,
    EventId(i64, Span),
    /// No ASIM schema fits: the native table a Sentinel workspace also has.
    NativeTable,
}

/// Native tables a Sentinel workspace holds that the ASIM target may fall
/// back to: the Windows event tables of the Azure Monitor agent, and the
/// tables of the cloud, Linux and web logs that no ASIM schema of ours serves,
/// and CommonSecurityLog for the CEF records no ASIM schema holds (FortiGate's
/// event logs) or a proxy's records where imWebSession lacks a field.
const ASIM_NATIVE_TABLES: &[&str] = &[
    "WindowsEvent",
    "Event",
    "SecurityEvent",
    "AWSCloudTrail",
    "AuditLogs",
    "AzureActivity",
    "SigninLogs",
    "AADUserRiskEvents",
    "OktaV2_CL",
    "GCPAuditLogs",
    "GoogleWorkspaceReports",
    "GitHubAuditLogPolling_CL",
    "OfficeActivity",
    "SecurityAlert",
    "AzureDiagnostics",
    "Syslog",
    "CommonSecurityLog",
];

/// Whether `table` is a native table the ASIM target falls back to (read as
/// the table holds it, not through an ASIM parser).
pub(super) fn is_asim_native_table(table: &str) -> bool {
    ASIM_NATIVE_TABLES.contains(&table)
}

/// The source that serves a rule on a target, and how it was chosen. On
/// `sentinel_asim`, a logsource no ASIM schema fits falls back to a native
/// table of the workspace (`azure_monitor`'s), which the caller says.
pub(super) fn resolve(target: TargetId, rule: &Rule) -> Option<(&'static Source, ChosenBy)> {
    let found = resolve_in(target, rule);
    if found.is_some() || target != TargetId::SentinelAsim {
        return found;
    }
    native_source(rule).map(|s| (s, ChosenBy::NativeTable))
}

/// The native table of the workspace that holds a rule's events: the one
/// `azure_monitor` reads, if the ASIM target may fall back to it.
fn native_source(rule: &Rule) -> Option<&'static Source> {
    resolve_in(TargetId::AzureMonitor, rule).map(|(s, _)| s).filter(|s| ASIM_NATIVE_TABLES.contains(&s.table))
}

/// Why `src` cannot hold `field`, if it cannot: a known field with no
/// equivalent column, or a name that is no column of its table.
pub(super) fn lacks(src: &Source, field: &str) -> Option<&'static str> {
    match super::lookup(src, field) {
        Some(super::FieldMap::Missing(reason)) => Some(reason),
        None if !has_column(src.table, field) && super::event_data_path(src, field).is_none() => {
            Some(src.unmapped_hint.unwrap_or("no column of that name"))
        }
        _ => None,
    }
}

/// For a rule given an ASIM schema on `sentinel_asim`: that schema (as the
/// rule's fields settle it) and the native table of the workspace the rule
/// may read instead, where the schema lacks a field the rule tests. The
/// caller keeps the schema unless the rule fails there and maps onto the
/// native table without errors.
pub(super) fn native_alternative(
    target: TargetId,
    src: &'static Source,
    how: &ChosenBy,
    rule: &Rule,
) -> Option<(&'static Source, &'static Source)> {
    if target != TargetId::SentinelAsim || matches!(how, ChosenBy::NativeTable) || is_asim_native_table(src.table) {
        return None;
    }
    Some((for_the_fields(src, rule).0, native_source(rule)?))
}

/// Whether a rule's query may read a native table on `target` although an
/// ASIM schema serves its logsource ([`native_alternative`]): an event mapped
/// for such a rule must land on the table its query reads. `renamed`: a
/// custom pipeline renames the rule's fields first, so any of them may lack.
pub(crate) fn may_read_native_table(target: TargetId, rule: &Rule, renamed: bool) -> bool {
    let Some((src, how)) = resolve(target, rule) else { return false };
    let Some((asim, _)) = native_alternative(target, src, &how, rule) else { return false };
    let mut items = rule.detection.searches.iter().flat_map(|s| s.alternatives.iter().flatten());
    renamed || items.any(|i| i.field.as_deref().is_some_and(|f| lacks(asim, f).is_some()))
}

fn resolve_in(target: TargetId, rule: &Rule) -> Option<(&'static Source, ChosenBy)> {
    let all = sources(target);
    let ls = &rule.logsource;
    if let Some(cat) = ls.category() {
        return all
            .iter()
            .find(|s| {
                !s.fallback_only && s.category.is_some_and(|c| c.eq_ignore_ascii_case(cat)) && product_ok(s, rule)
            })
            .map(|s| (s, ChosenBy::Logsource));
    }
    if let Some(s) = all.iter().find(|s| {
        !s.fallback_only
            && s.category.is_none()
            && s.service.is_some_and(|sv| eq_opt(ls.service(), sv))
            && s.products.first().is_none_or(|p| eq_opt(ls.product(), p))
    }) {
        return Some((s, ChosenBy::Logsource));
    }
    // A product alone (`product: linux`): the source that serves the whole product.
    if ls.service().is_none() {
        if let Some(s) = all.iter().find(|s| {
            !s.fallback_only
                && s.category.is_none()
                && s.service.is_none()
                && s.products.first().is_some_and(|p| eq_opt(ls.product(), p))
        }) {
            return Some((s, ChosenBy::Logsource));
        }
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
                    return Some((s, ChosenBy::EventId(id, v.span)));
                }
            }
        }
    }
    None
}

/// The source for a rule that needs a field `src` lacks and its
/// [`Source::instead_for_missing`] records, with that field; else `src`.
pub(super) fn for_the_fields(src: &'static Source, rule: &Rule) -> (&'static Source, Option<String>) {
    let Some(other) = src.instead_for_missing else { return (src, None) };
    for item in rule.detection.searches.iter().flat_map(|s| s.alternatives.iter().flatten()) {
        let Some(field) = item.field.as_deref() else { continue };
        if matches!(super::lookup(src, field), Some(super::FieldMap::Missing(_))) && super::records(other, field) {
            return (other, Some(field.to_string()));
        }
    }
    (src, None)
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

pub(super) fn logsource_span(rule: &Rule) -> Option<Span> {
    let ls = &rule.logsource;
    ls.category.as_ref().map(|c| c.span).or(ls.service.as_ref().map(|s| s.span)).or(ls.span)
}

/// Why a logsource that looks close to a supported one is not mapped. The
/// ASIM target falls back to azure_monitor's tables, so their reasons hold for it too.
fn unsupported_reason(target: TargetId, rule: &Rule) -> Option<&'static str> {
    let ls = &rule.logsource;
    let lower = |s: Option<&str>| s.map(str::to_ascii_lowercase);
    let (cat, product, service) = (lower(ls.category()), lower(ls.product()), lower(ls.service()));
    let mut keys: Vec<String> = cat.iter().cloned().collect();
    if let Some(p) = &product {
        keys.extend(cat.iter().chain(service.iter()).map(|x| format!("{p}/{x}")));
    }
    let lists: &[TargetId] = match target {
        TargetId::SentinelAsim => &[TargetId::SentinelAsim, TargetId::AzureMonitor],
        _ => std::slice::from_ref(&target),
    };
    lists.iter().flat_map(|t| not_mapped(*t)).find_map(|n| {
        let any_category = n.categories.is_empty() && cat.is_some();
        (any_category || n.categories.iter().any(|c| keys.iter().any(|k| k == c))).then_some(n.reason)
    })
}

/// The error for a rule no source of the target serves.
pub(super) fn no_table(target: TargetId, rule: &Rule) -> Diagnostic {
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
pub(super) fn source_for_table(target: TargetId, table: &str, rule: &Rule) -> Option<&'static Source> {
    if let Some((s, _)) = resolve(target, rule) {
        if s.table == table {
            return Some(s);
        }
        // The source a rule is sent to when it needs a field the first lacks.
        if let Some(other) = s.instead_for_missing.filter(|o| o.table == table) {
            return Some(other);
        }
        // On sentinel_asim, the native table read when the ASIM schema lacks a field.
        if target == TargetId::SentinelAsim {
            if let Some(native) = native_source(rule) {
                let native = [Some(native), native.instead_for_missing];
                if let Some(s) = native.into_iter().flatten().find(|s| s.table == table) {
                    return Some(s);
                }
            }
        }
    }
    sources(target).iter().find(|s| s.table == table)
}
