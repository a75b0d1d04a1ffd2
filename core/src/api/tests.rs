use super::*;
use crate::engine::matcher::MatchOptions;
use crate::pipeline::Pipeline;
use crate::sigma::compiled::Placeholders;

const RULE: &str = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\cmd.exe'\n  condition: selection\n";

#[test]
fn check_reports_compile_errors_once() {
    let text = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    CommandLine|re: 'a(b'\n  condition: selection\n";
    let c = check_rule_text(text, &MatchOptions::default());
    assert!(!c.ok);
    let re: Vec<_> =
        c.diagnostics.iter().filter(|d| d.code == "invalid-regex" || d.code == "invalid-pattern").collect();
    assert_eq!(re.len(), 1, "{:?}", c.diagnostics);
    assert_eq!((re[0].line, re[0].col), (6, 21));
}

#[test]
fn check_placeholder_is_a_warning() {
    let text = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    User|expand: '%admins%'\n  condition: selection\n";
    let c = check_rule_text(text, &MatchOptions::default());
    assert!(c.ok, "{:?}", c.diagnostics);
    assert!(c.diagnostics.iter().any(|d| d.code == "unresolved-placeholder" && d.severity == Severity::Warning));
    let r = match_events(text, "{\"User\": \"bob\"}", &MatchOptions::default());
    assert!(r.has_rule_errors() && r.results.is_empty());
    let mut opts = MatchOptions::default();
    opts.placeholders.insert("admins".into(), vec!["alice".into(), "bob".into()]);
    let r = match_events(text, "{\"User\": \"bob\"}", &opts);
    assert!(!r.has_rule_errors());
    assert_eq!(r.matched_count(), 1);
}

#[test]
fn match_report_indexes_and_sources() {
    let events = "{\"Image\": \"C:\\\\Windows\\\\cmd.exe\"}\n{\"Image\": \"x.exe\"}\n{\"Image\": \n";
    let r = match_events(RULE, events, &MatchOptions::default());
    assert_eq!(r.results.len(), 2);
    assert!(r.results[0].matched && !r.results[1].matched);
    assert_eq!(r.results[1].index, 1);
    assert_eq!(r.results[1].line, Some(2));
    assert!(r.results[0].rule.is_none());
    assert!(r.has_event_errors() && !r.has_rule_errors());
    let json = serde_json::to_value(&r).unwrap_or_default();
    assert_eq!(json["diagnostics"][0]["source"], "events");
    assert_eq!(json["results"][0]["explanation"]["matched"], true);
}

#[test]
fn several_rules_are_named() {
    let text = format!("{RULE}---\n{}", RULE.replace("title: t", "title: u").replace("cmd.exe", "x.exe"));
    let r = match_events(&text, "{\"Image\": \"C:\\\\x.exe\"}", &MatchOptions::default());
    let got: Vec<_> = r.results.iter().map(|x| (x.rule.clone().unwrap_or_default(), x.matched)).collect();
    assert_eq!(got, vec![("t".to_string(), false), ("u".to_string(), true)]);
}

#[test]
fn windash_after_contains_as_sigmahq_writes_it() {
    let text = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    CommandLine|contains|windash: ' -decode '\n  condition: selection\n";
    let c = check_rule_text(text, &MatchOptions::default());
    assert!(c.ok, "{:?}", c.diagnostics);
    let r = match_events(
        text,
        "{\"CommandLine\": \"certutil /decode a b\"}\n{\"CommandLine\": \"certutil decode\"}",
        &MatchOptions::default(),
    );
    let got: Vec<bool> = r.results.iter().map(|x| x.matched).collect();
    assert_eq!(got, vec![true, false]);
}

#[test]
fn filters_become_and_not_in_kql() {
    let rule = RULE
        .replace("title: t\n", "title: t\nname: t\n")
        .replace("  product: windows\n", "  category: process_creation\n  product: windows\n");
    let filter = "title: f\nlogsource:\n  product: windows\nfilter:\n  rules:\n    - t\n  selection:\n    User|startswith: adm_\n  condition: selection\n";
    let xdr = crate::pipeline::builtin("microsoft_xdr").unwrap();
    let r = convert_text(&format!("{rule}---\n{filter}"), &xdr, &Placeholders::new());
    assert!(r.ok, "{:?}", r.diagnostics);
    assert_eq!(r.queries.len(), 1);
    assert!(
        r.queries[0].contains(
            "and not(AccountDomain startswith \"adm_\" or AccountName startswith \"adm_\" and isempty(AccountDomain))"
        ),
        "{}",
        r.queries[0]
    );
    // A filter for another logsource changes nothing.
    let other = filter.replace("product: windows", "product: linux");
    let r = convert_text(&format!("{rule}---\n{other}"), &xdr, &Placeholders::new());
    assert!(!r.queries[0].contains("adm_"), "{}", r.queries[0]);
}

#[test]
fn correlations_convert_next_to_their_rules() {
    let corr = "title: c\ncorrelation:\n  type: event_count\n  rules:\n    - t\n  group-by:\n    - User\n  timespan: 1h\n  condition:\n    gte: 2\n";
    let text = format!(
        "{}---\n{corr}",
        RULE.replace("title: t\n", "title: t\nname: t\n")
            .replace("  product: windows\n", "  category: process_creation\n  product: windows\n")
    );
    let asim = convert_text(&text, &crate::pipeline::builtin("sentinel_asim").unwrap(), &Placeholders::new());
    assert!(asim.ok, "{:?}", asim.diagnostics);
    assert_eq!(asim.queries.len(), 2);
    assert!(asim.queries[1].starts_with("let sigma_0_t = imProcessCreate"), "{}", asim.queries[1]);
    assert!(asim.queries[1].ends_with("| where sigma_events >= 2"), "{}", asim.queries[1]);
    assert!(asim.diagnostics.iter().any(|d| d.code == "lossy-mapping" && d.message.contains("fixed bins")));
    // Bare conditions have nothing to count in: the rule converts, the correlation is a warning.
    let none = convert_text(&text, &Pipeline::none(), &Placeholders::new());
    assert!(none.ok, "{:?}", none.diagnostics);
    assert_eq!(none.queries.len(), 1);
    assert!(none.diagnostics.iter().any(|d| d.code == "kql-correlation" && d.severity == Severity::Warning));
    // A reference to a rule that is not in the file is an error.
    let lone = convert_text(corr, &crate::pipeline::builtin("microsoft_xdr").unwrap(), &Placeholders::new());
    assert!(!lone.ok);
    assert!(lone.diagnostics.iter().any(|d| d.code == "kql-correlation" && d.line == 5));
}

#[test]
fn correlation_rules_get_no_per_event_results() {
    let corr = "title: c\ncorrelation:\n  type: event_count\n  rules:\n    - t\n  group-by:\n    - User\n  timespan: 1h\n  condition:\n    gte: 2\n";
    let text = format!("{RULE}---\n{corr}");
    let r = match_events(&text, "{\"Image\": \"C:\\\\cmd.exe\"}", &MatchOptions::default());
    assert!(!r.has_rule_errors(), "{:?}", r.diagnostics);
    assert_eq!(r.results.len(), 1);
    assert_eq!(r.results[0].rule.as_deref(), Some("t"));
    assert!(r.results[0].matched);
    // The correlation is evaluated on its own: one event, fewer than 2.
    assert_eq!(r.correlations.len(), 1);
    assert!(!r.correlations[0].matched);
    assert!(check_rule_text(&text, &MatchOptions::default()).diagnostics.iter().all(|d| d.code != "not-a-detection"));
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    let c = check_rule_bytes(b"title: \xff\n", &MatchOptions::default());
    assert!(!c.ok);
    assert_eq!((c.diagnostics[0].code.as_str(), c.diagnostics[0].line, c.diagnostics[0].col), ("invalid-utf8", 1, 8));
    let r = match_event_bytes(RULE.as_bytes(), b"{\"a\": \"\xc3\"}", &MatchOptions::default());
    assert!(r.has_event_errors() && r.results.is_empty());
    let r = match_event_bytes(b"\xfe", b"{}", &MatchOptions::default());
    assert!(r.has_rule_errors());
}

#[test]
fn convert_reports_queries_and_failures() {
    let Some(p) = crate::pipeline::builtin("sentinel_asim") else { panic!("builtin") };
    let proc_rule = RULE.replace("product: windows", "product: windows\n  category: process_creation");
    let r = convert_text(&proc_rule, &p, &Placeholders::new());
    assert!(r.ok, "{:?}", r.diagnostics);
    assert_eq!(r.queries.len(), 1);
    assert!(r.table.is_some());
    let r = convert_text(RULE.replace("product: windows", "product: nothing_known").as_str(), &p, &Placeholders::new());
    assert!(!r.ok && r.queries.is_empty());
    assert!(r.diagnostics.iter().any(|d| d.is_error()), "{:?}", r.diagnostics);
    let r = convert_bytes(b"\xff", &p, &Placeholders::new());
    assert!(!r.ok && r.diagnostics[0].code == "invalid-utf8");
}

#[test]
fn kql_parity_applies_filters_on_both_sides() {
    let proc_rule = RULE
        .replace("title: t\n", "title: t\nname: t\n")
        .replace("product: windows", "product: windows\n  category: process_creation");
    let filter = "title: f\nlogsource:\n  product: windows\nfilter:\n  rules:\n    - t\n  selection:\n    User|startswith: adm_\n  condition: selection\n";
    let events = "{\"Image\": \"C:\\\\Windows\\\\cmd.exe\", \"User\": \"bob\"}\n{\"Image\": \"C:\\\\Windows\\\\cmd.exe\", \"User\": \"adm_x\"}";
    for pipeline in ["sentinel_asim", "microsoft_xdr", "azure_monitor", "none"] {
        // Domain-less users: the rule's own mapping (a source would qualify them).
        let opts =
            KqlOptions { pipeline: pipeline.into(), events_schema: EventsSchema::Sigma, ..KqlOptions::default() };
        let r = kql_parity(&format!("{proc_rule}---\n{filter}"), events, &opts);
        assert!(r.agree, "{pipeline}: {r:?}");
        let sigma: Vec<Option<bool>> = r.results.iter().map(|x| x.sigma).collect();
        assert_eq!(sigma, vec![Some(true), Some(false)], "{pipeline}");
        assert!(r.query.contains("adm_"), "{pipeline}: {}", r.query);
    }
}

#[test]
fn kql_parity_both_schemas() {
    let proc_rule = RULE.replace("product: windows", "product: windows\n  category: process_creation");
    let opts = KqlOptions { pipeline: "sentinel_asim".into(), ..KqlOptions::default() };
    let sigma_events = "{\"Image\": \"C:\\\\Windows\\\\cmd.exe\"}\n{\"Image\": \"x.exe\"}";
    // Flat Sysmon fields are recognised: the rows of every source of the table.
    let r = kql_parity(&proc_rule, sigma_events, &opts);
    assert!(r.agree, "{r:?}");
    assert_eq!(r.schema, EventsSchema::Source);
    let feeds: Vec<&str> = r.sources.iter().flat_map(|s| s.feeds.iter().map(|f| f.label.as_str())).collect();
    assert_eq!(feeds.len(), 5, "{feeds:?}");
    // The rule's own mapping, as asked.
    let mapped = KqlOptions { events_schema: EventsSchema::Sigma, ..opts.clone() };
    let r = kql_parity(&proc_rule, sigma_events, &mapped);
    assert!(r.agree, "{r:?}");
    assert_eq!(r.schema, EventsSchema::Sigma);
    assert_eq!(r.table.as_deref(), Some("imProcessCreate"));
    assert!(!r.edited && r.query.starts_with("imProcessCreate"));
    let target_events = "{\"TargetProcessName\": \"C:\\\\Windows\\\\cmd.exe\"}\n{\"TargetProcessName\": \"x.exe\"}";
    let r = kql_parity(&proc_rule, target_events, &opts);
    assert_eq!(r.schema, EventsSchema::Target);
    assert!(r.agree, "{r:?}");
    let forced = KqlOptions { events_schema: EventsSchema::Sigma, ..opts.clone() };
    let r = kql_parity(&proc_rule, target_events, &forced);
    assert!(!r.agree);
    let edited = KqlOptions {
        query_override: Some("imProcessCreate | where TargetProcessName has \"x\"".into()),
        ..mapped.clone()
    };
    let r = kql_parity(&proc_rule, sigma_events, &edited);
    assert!(r.edited && !r.agree);
    assert!(r.results[0].cause.as_deref().is_some_and(|c| c.starts_with("Sigma matches")), "{r:?}");
    assert!(r.results[1].cause.as_deref().is_some_and(|c| c.starts_with("KQL matches")), "{r:?}");
    let broken = KqlOptions { query_override: Some("imProcessCreate | where (".into()), ..mapped.clone() };
    let r = kql_parity(&proc_rule, sigma_events, &broken);
    assert!(r.results.iter().all(|x| x.kql.is_none()) && !r.agree);
    assert!(r.diagnostics.iter().any(|d| d.source == Some(Source::Kql) && d.is_error()));
    let json = serde_json::to_value(&r).unwrap_or_default();
    assert_eq!(json["schema"], "sigma");
    let bad = KqlOptions { pipeline: "nope".into(), ..KqlOptions::default() };
    assert!(kql_parity(&proc_rule, sigma_events, &bad).diagnostics.iter().any(|d| d.code == "unknown-pipeline"));
}

#[test]
fn kql_parity_reads_security_and_defender_records() {
    let rule = "title: t\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\certutil.exe'\n    User|contains: AUTHORI\n  condition: selection\n";
    // SYSTEM as 4688 writes it (the computer account), and a Defender row.
    let events = concat!(
        r#"{"EventID": 4688, "Provider_Name": "Microsoft-Windows-Security-Auditing", "Computer": "ws1.corp.example", "#,
        r#""SubjectUserSid": "S-1-5-18", "SubjectUserName": "WS1$", "SubjectDomainName": "CORP", "NewProcessId": "0x1a2c", "#,
        r#""NewProcessName": "C:\\Windows\\System32\\certutil.exe", "ProcessId": "0x4", "TargetUserSid": "S-1-0-0", "#,
        r#""TargetUserName": "-", "TargetDomainName": "-", "ParentProcessName": "C:\\Windows\\System32\\cmd.exe"}"#,
        "\n",
        r#"{"DeviceName": "ws1", "ActionType": "ProcessCreated", "FileName": "certutil.exe", "#,
        r#""FolderPath": "C:\\Windows\\System32\\certutil.exe", "AccountDomain": "nt authority", "AccountName": "system", "#,
        r#""InitiatingProcessFileName": "cmd.exe", "ReportId": 5}"#,
    );
    for (pipeline, feeds) in [("sentinel_asim", 3), ("microsoft_xdr", 1), ("azure_monitor", 1)] {
        let opts = KqlOptions { pipeline: pipeline.into(), ..KqlOptions::default() };
        let r = kql_parity(rule, events, &opts);
        assert_eq!(r.schema, EventsSchema::Source, "{pipeline}: {r:?}");
        let Some(s) = &r.sources else { panic!("{pipeline}: no sources") };
        assert_eq!(s.kinds, vec![crate::sources::Kind::Security, crate::sources::Kind::Defender], "{pipeline}");
        assert_eq!(s.feeds.len(), feeds, "{pipeline}: {:?}", s.feeds.iter().map(|f| &f.label).collect::<Vec<_>>());
        for f in &s.feeds {
            assert_eq!(f.agreed, f.compared, "{pipeline} {}: {r:?}", f.label);
            // Every row the source gives is returned: SYSTEM is found by its SID.
            assert!(f.results.iter().flatten().all(|x| x.kql == Some(true)), "{pipeline} {}: {r:?}", f.label);
        }
    }
}

#[test]
fn run_kql_reports_rows_and_matches() {
    let r = run_kql("T | where A > 1 | project A", "{\"A\": 1}\n{\"A\": 2}");
    assert!(!r.has_errors(), "{r:?}");
    assert_eq!(r.results.iter().map(|x| x.matched).collect::<Vec<_>>(), vec![false, true]);
    assert_eq!(r.rows.columns, vec!["A"]);
    assert_eq!(r.rows.values, vec![vec![serde_json::json!(2)]]);
    assert_eq!(r.rows.origins, vec![Some(1)]);
    let r = run_kql("T | where", "{}");
    assert!(r.has_errors() && r.results.is_empty());
}

#[test]
fn structured_values_agree_between_the_matcher_and_kql() {
    // Matched as their JSON text on both sides (README, "Structured values").
    let rule = "title: t\nlogsource:\n  product: azure\n  service: auditlogs\ndetection:\n  sel:\n    TargetResources|contains: 62e90394-69f5-4237-9190-012177145e10\n  condition: sel\n";
    let events = r#"{"TargetResources": [{"id": "u1", "modifiedProperties": [{"newValue": "62e90394-69f5-4237-9190-012177145e10"}]}]}
{"TargetResources": [{"id": "u2", "modifiedProperties": [{"newValue": "00000000-0000-0000-0000-000000000000"}]}]}"#;
    let opts = KqlOptions { pipeline: "none".into(), events_schema: EventsSchema::Sigma, ..KqlOptions::default() };
    let r = kql_parity(rule, events, &opts);
    assert!(r.agree, "{r:?}");
    let sigma: Vec<Option<bool>> = r.results.iter().map(|x| x.sigma).collect();
    assert_eq!(sigma, vec![Some(true), Some(false)], "{}", r.query);
}

#[test]
fn kql_parity_classic_powershell_in_the_event_tables_xml() {
    // Anchored tests become element boundaries in the XML text, `>` and `&` its entities.
    let rule = "title: t\nlogsource:\n  product: windows\n  category: ps_classic_start\ndetection:\n  exact:\n    Data: Available\n  head:\n    Data|startswith: \"\\tNewEngineState\"\n  tail:\n    Data|endswith: '> out.txt'\n  amp:\n    Data|contains: 'a & b'\n  condition: exact and (head or tail or amp)\n";
    let events = [
        r#"{"Data": ["Available", "None", "\tNewEngineState=Available\n\tHostName=ConsoleHost"]}"#,
        r#"{"Data": ["Available", "None", "HostApplication=ps.exe -c dir > out.txt"]}"#,
        r#"{"Data": ["Available", "None", "HostApplication=ps.exe -c echo a & b"]}"#,
        r#"{"Data": ["Available", "None", "HostApplication=ps.exe -c dir > out.txt2"]}"#,
        r#"{"Data": ["Available2", "None", "\tNewEngineState=Available"]}"#,
        r#"{"Data": ["Available", "None", "x\tNewEngineState=Available"]}"#,
    ]
    .join("\n");
    let opts =
        KqlOptions { pipeline: "azure_monitor".into(), events_schema: EventsSchema::Sigma, ..KqlOptions::default() };
    let r = kql_parity(rule, &events, &opts);
    assert_eq!(r.table.as_deref(), Some("Event"), "{r:?}");
    let sigma: Vec<Option<bool>> = r.results.iter().map(|x| x.sigma).collect();
    assert_eq!(sigma, vec![Some(true), Some(true), Some(true), Some(false), Some(false), Some(false)], "{r:?}");
    assert!(r.agree, "{r:?}");
    assert!(r.query.contains("&gt; out.txt</Data>") && r.query.contains("a &amp; b"), "{}", r.query);
}

#[test]
fn schedule_durations() {
    assert_eq!(parse_duration("5m"), Ok(300));
    assert_eq!(parse_duration(" 1H "), Ok(3600));
    assert_eq!(parse_duration("0"), Ok(0));
    assert!(parse_duration("soon").is_err());
    assert!(parse_duration("").is_err());
}

#[test]
fn lint_alone_leaves_compile_errors_to_check() {
    let text = "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    CommandLine|re: 'a(b'\n  condition: selection\nlevel: hgh\n";
    let lint = lint_rule_text(text);
    assert!(lint.ok, "{:?}", lint.diagnostics);
    let level = lint.diagnostics.iter().find(|d| d.code == "invalid-level").map(|d| (d.line, d.col));
    assert_eq!(level, Some((8, 8)));
    assert!(lint.diagnostics.iter().all(|d| d.code != "invalid-regex" && d.code != "invalid-pattern"));
    let check = check_rule_text(text, &MatchOptions::default());
    assert!(lint.diagnostics.iter().all(|d| check.diagnostics.contains(d)));
    let unreadable = lint_rule_text("title: [\n");
    assert!(!unreadable.ok && unreadable.diagnostics.iter().any(|d| d.code == "yaml-syntax"));
}

#[test]
fn pipeline_texts_are_names_or_yaml() {
    use crate::pipeline::PipelineSpec;
    assert_eq!(pipeline_spec(" sentinel_asim "), PipelineSpec::Builtin("sentinel_asim".into()));
    assert_eq!(pipeline_spec("splunk"), PipelineSpec::Builtin("splunk".into()));
    let yaml = "name: mine\ntransformations: []\n";
    assert_eq!(pipeline_spec(yaml), PipelineSpec::Yaml { text: yaml.into(), name: String::new() });
}

#[test]
fn convert_with_pipelines_reports_the_links() {
    let none = Placeholders::new();
    let unknown = convert_with_pipelines(RULE, &[pipeline_spec("splunk")], &none);
    assert!(!unknown.ok && unknown.queries.is_empty());
    assert_eq!(unknown.diagnostics.first().map(|d| d.code.as_str()), Some("unknown-pipeline"));
    let broken = convert_with_pipelines(RULE, &[pipeline_spec("transformations: [\n"), pipeline_spec("none")], &none);
    assert!(!broken.ok);
    assert!(broken.diagnostics.iter().any(|d| d.is_error() && d.source == Some(Source::Pipeline) && d.line > 0));
    let chained = convert_with_pipelines(RULE, &[pipeline_spec("sentinel_asim")], &none);
    let direct = convert_text(RULE, &crate::pipeline::builtin("sentinel_asim").unwrap_or_default(), &none);
    assert_eq!(chained, direct);
}

#[test]
fn a_file_report_is_the_report_and_its_path() {
    let check = check_rule_text(RULE, &MatchOptions::default());
    let line = serde_json::to_value(FileReport { path: "r.yml", report: &check }).unwrap_or_default();
    let mut alone = serde_json::to_value(&check).unwrap_or_default();
    if let Some(m) = alone.as_object_mut() {
        m.insert("path".into(), "r.yml".into());
    }
    assert_eq!(line, alone);
    let text = serde_json::to_string(&FileReport { path: "r.yml", report: &check }).unwrap_or_default();
    assert!(text.starts_with("{\"path\":\"r.yml\",\"ok\":true,"), "{text}");
}

/// Rows exported from a workspace keep some values inside a text column
/// (CEF extensions, JSON text): the Sigma side reads them back out of it, so
/// both sides judge the same row.
#[test]
fn kql_parity_reads_values_back_out_of_text_columns() {
    let opts = KqlOptions { pipeline: "azure_monitor".into(), ..KqlOptions::default() };
    let fortigate = "title: t\nlogsource:\n  product: fortigate\n  service: event\ndetection:\n  sel:\n    action: Add\n    cfgpath: firewall.policy\n  condition: sel\n";
    let rows = concat!(
        r#"{"DeviceVendor":"Fortinet","DeviceProduct":"Fortigate","Activity":"event:system","DeviceAction":"Add","AdditionalExtensions":"FTNTFGTlogid=0100044547;FTNTFGTcfgpath=firewall.policy;FTNTFGTcfgobj=12"}"#,
        "\n",
        r#"{"DeviceVendor":"Fortinet","DeviceProduct":"Fortigate","Activity":"event:system","DeviceAction":"Add","AdditionalExtensions":"FTNTFGTcfgpath=system.admin"}"#,
        "\n",
    );
    let r = kql_parity(fortigate, rows, &opts);
    assert_eq!(r.schema, EventsSchema::Target, "{r:?}");
    let sigma: Vec<Option<bool>> = r.results.iter().map(|x| x.sigma).collect();
    let kql: Vec<Option<bool>> = r.results.iter().map(|x| x.kql).collect();
    assert_eq!(sigma, vec![Some(true), Some(false)], "{r:?}");
    assert_eq!(kql, sigma, "{r:?}");
    assert!(r.agree);

    let cloudtrail = "title: t\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName: CreateUser\n    requestParameters.userName|contains: admin\n  condition: sel\n";
    let rows = concat!(
        r#"{"EventName":"CreateUser","EventSource":"iam.amazonaws.com","RequestParameters":"{\"userName\":\"backup-admin\"}"}"#,
        "\n",
        r#"{"EventName":"CreateUser","EventSource":"iam.amazonaws.com","RequestParameters":"{\"userName\":\"alice\"}"}"#,
        "\n",
    );
    let r = kql_parity(cloudtrail, rows, &opts);
    assert_eq!(r.schema, EventsSchema::Target, "{r:?}");
    let sigma: Vec<Option<bool>> = r.results.iter().map(|x| x.sigma).collect();
    assert_eq!(sigma, vec![Some(true), Some(false)], "{r:?}");
    assert!(r.agree, "{r:?}");
}
