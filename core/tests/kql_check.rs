//! Every SigmaHQ corpus rule converted to KQL and checked with Microsoft's
//! own parser (`shared/tools/kql-check`, Kusto.Language):
//! - `none` pipeline: syntax only, each condition wrapped as `Events | where (...)`;
//! - each built-in pipeline: full semantic check against the tables' schemas.
//!
//! One kql-check run per pipeline (JSON lines in, JSON lines out). Needs
//! Node.js (kql-check installs its npm dependencies on first use); when the
//! corpus or the tool is missing the test says so and passes, so that a
//! checkout without `shared/` still builds.
//!
//! A second test runs the queries over the SigmaHQ regression events with
//! `shared/tools/kql-run` (an independent KQL executor) and checks that the
//! rows it returns are the events the matcher matches. Needs Python 3.11+.

use std::io::Write as _;
mod common;

use common::{compare_with_kql_run, kql_run, shared};
use std::path::PathBuf;
use std::process::Command;

use sigmaplay_core::kql::convert;
use sigmaplay_core::pipeline::{self, Pipeline};
use sigmaplay_core::{parse_rule, parse_rules, Event, MatchOptions, Matcher, Placeholders};

fn rule_files() -> Vec<PathBuf> {
    let root = shared().join("corpus/sigmahq");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("rules"))
                })
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

struct Batch {
    lines: Vec<String>,
    rules: usize,
    converted: usize,
}

fn convert_all(files: &[PathBuf], pipeline: &Pipeline) -> Batch {
    let root = shared().join("corpus/sigmahq");
    let mut batch = Batch { lines: Vec::new(), rules: 0, converted: 0 };
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let rel = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        for (i, rule) in parse_rules(&text).rules.iter().enumerate() {
            batch.rules += 1;
            let c = convert(rule, pipeline, &Placeholders::new());
            if !c.queries.is_empty() {
                batch.converted += 1;
            }
            for (j, q) in c.queries.iter().enumerate() {
                let id = format!("{rel}#{i}.{j}");
                batch.lines.push(serde_json::json!({ "id": id, "query": q }).to_string());
            }
        }
    }
    batch
}

/// Run kql-check on the batch; returns the failing results (id, diagnostics), or None when the tool cannot run.
fn kql_check(name: &str, batch: &Batch, extra_args: &[&str]) -> Option<Vec<serde_json::Value>> {
    let tool = shared().join("tools/kql-check/kql-check");
    if !tool.exists() {
        eprintln!("kql_check: {} not found, skipped", tool.display());
        return None;
    }
    let path = std::env::temp_dir().join(format!("sigmaplay-kql-check-{name}-{}.jsonl", std::process::id()));
    {
        let mut f = std::fs::File::create(&path).ok()?;
        for l in &batch.lines {
            writeln!(f, "{l}").ok()?;
        }
    }
    let out = Command::new(&tool).args(extra_args).args(["--format", "json", "--quiet"]).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kql_check: cannot run kql-check ({e}), skipped");
            return None;
        }
    };
    // 0 = no error, 1 = errors found; anything else is a tool problem (no node, bad input).
    match out.status.code() {
        Some(0 | 1) => {}
        _ => {
            eprintln!("kql_check: kql-check did not run: {}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
    }
    let failures: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("errors").and_then(serde_json::Value::as_u64).unwrap_or(0) > 0)
        .collect();
    Some(failures)
}

fn report(name: &str, batch: &Batch, failures: &[serde_json::Value]) {
    eprintln!(
        "kql_check[{name}]: {} rules, {} converted, {} queries checked, {} with errors",
        batch.rules,
        batch.converted,
        batch.lines.len(),
        failures.len()
    );
    for f in failures.iter().take(20) {
        eprintln!("  {f}");
    }
}

/// Correlation rules (the corpus has none): the spec's examples over two
/// Windows logon rules and two process rules, every type the backend
/// converts, chains and aliases, for each target; every query must pass
/// kql-check.
#[test]
fn correlation_queries_check() {
    const BASE: &str = "title: failed logon\nname: failed_logon\nlogsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID: 4625\n    condition: selection\n---\ntitle: successful logon\nname: successful_logon\nlogsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID: 4624\n    condition: selection\n---\ntitle: whoami\nname: recon_whoami\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        Image|endswith: '\\\\whoami.exe'\n    condition: selection\n---\ntitle: net\nname: recon_net\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        Image|endswith: '\\\\net.exe'\n    condition: selection\n---\n";
    let correlations = [
        "title: many failed\nname: many_failed\ncorrelation:\n    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - TargetUserName\n    timespan: 1h\n    condition:\n        gte: 10\n",
        "title: sprayed\ncorrelation:\n    type: value_count\n    rules:\n        - failed_logon\n    group-by:\n        - IpAddress\n    timespan: 1d\n    condition:\n        field: TargetUserName\n        gt: 20\n        lte: 500\n",
        "title: recon\ncorrelation:\n    type: temporal\n    rules:\n        - recon_whoami\n        - recon_net\n    group-by:\n        - User\n    timespan: 5m\n",
        "title: recon in order\ncorrelation:\n    type: temporal_ordered\n    rules:\n        - recon_whoami\n        - recon_net\n    group-by:\n        - User\n    timespan: 5m\n",
        "title: many failed\nname: many_failed\ncorrelation:\n    type: event_count\n    rules:\n        - failed_logon\n    group-by:\n        - TargetUserName\n    timespan: 1h\n    condition:\n        gte: 10\n---\ntitle: then success\ncorrelation:\n    type: temporal_ordered\n    rules:\n        - many_failed\n        - successful_logon\n    group-by:\n        - TargetUserName\n    timespan: 2h\n",
        "title: by user alias\ncorrelation:\n    type: temporal\n    rules:\n        - failed_logon\n        - recon_whoami\n    group-by:\n        - who\n    timespan: 10m\n    aliases:\n        who:\n            failed_logon: TargetUserName\n            recon_whoami: User\n",
        "title: busy\ncorrelation:\n    type: value_avg\n    rules:\n        - recon_net\n    group-by:\n        - Computer\n    timespan: 1h\n    condition:\n        field: ProcessId\n        gt: 100\n",
        "title: busy sum\ncorrelation:\n    type: value_sum\n    rules:\n        - recon_net\n    group-by:\n        - Computer\n    timespan: 1h\n    condition:\n        field: ProcessId\n        gt: 100\n",
    ];
    for name in ["sentinel_asim", "microsoft_xdr", "azure_monitor"] {
        let pipeline = pipeline::builtin(name).expect("builtin pipeline");
        let mut batch = Batch { lines: Vec::new(), rules: 0, converted: 0 };
        for (i, c) in correlations.iter().enumerate() {
            let report = sigmaplay_core::api::convert_text(&format!("{BASE}{c}"), &pipeline, &Placeholders::new());
            batch.rules += 1;
            let corr_queries: Vec<&String> = report.queries.iter().filter(|q| q.contains("| summarize")).collect();
            if corr_queries.is_empty() {
                eprintln!("correlation {i} on {name}: not converted: {:?}", report.diagnostics);
                continue;
            }
            batch.converted += 1;
            for (j, q) in corr_queries.iter().enumerate() {
                batch.lines.push(serde_json::json!({ "id": format!("correlation-{i}.{j}"), "query": q }).to_string());
            }
        }
        let Some(failures) = kql_check(&format!("correlation-{name}"), &batch, &[]) else { continue };
        report(&format!("correlation {name}"), &batch, &failures);
        assert!(failures.is_empty(), "correlation queries with kql-check errors on {name}");
        // Every correlation converts where the base rules do (azure_monitor has no process table).
        let expected = if name == "azure_monitor" { 3 } else { correlations.len() };
        assert!(
            batch.converted >= expected,
            "{name}: {} of {} correlations converted",
            batch.converted,
            correlations.len()
        );
    }
}

#[test]
fn corpus_none_pipeline_parses() {
    let files = rule_files();
    if files.is_empty() {
        eprintln!("kql_check: no corpus under {}, skipped", shared().display());
        return;
    }
    let batch = convert_all(&files, &Pipeline::none());
    // The `none` pipeline keeps Sigma field names: nearly every rule converts.
    assert!(batch.converted * 10 >= batch.rules * 9, "only {} of {} rules converted", batch.converted, batch.rules);
    let Some(failures) = kql_check("none", &batch, &["--syntax-only", "--wrap-where", "Events"]) else { return };
    report("none", &batch, &failures);
    assert!(failures.is_empty(), "{} queries do not parse (see above)", failures.len());
}

/// Built-in pipelines: full semantic check against the documented schemas
/// (columns exist, operators fit their types, regexes are RE2).
#[test]
fn corpus_builtin_pipelines_check() {
    let files = rule_files();
    if files.is_empty() {
        eprintln!("kql_check: no corpus under {}, skipped", shared().display());
        return;
    }
    let mut failed = 0;
    for name in ["sentinel_asim", "microsoft_xdr", "azure_monitor"] {
        let Some(p) = pipeline::builtin(name) else {
            eprintln!("kql_check[{name}]: not a built-in pipeline yet, skipped");
            continue;
        };
        let batch = convert_all(&files, &p);
        let Some(failures) = kql_check(name, &batch, &[]) else { return };
        report(name, &batch, &failures);
        failed += failures.len();
    }
    assert_eq!(failed, 0, "queries with kql-check errors (see above)");
}

/// kql-run over the regression events: each rule's own events plus the events
/// of six other rules (mostly non-matching), expected = what the matcher says
/// on the original events. `none` runs on the events as the matcher sees them
/// (normalised field names); a built-in pipeline runs on the events mapped to
/// its table by `pipeline::map_event`, typed by the tables' schemas.
#[test]
fn regression_events_agree_with_matcher() {
    let root = shared().join("corpus/sigmahq");
    let Some((cases, events)) = common::regression_cases() else {
        eprintln!("kql_run: no regression cases, skipped");
        return;
    };
    let tool = shared().join("tools/kql-run/kql-run");
    if !tool.exists() {
        eprintln!("kql_run: {} not found, skipped", tool.display());
        return;
    }
    let rules: Vec<Option<sigmaplay_core::Rule>> = cases
        .iter()
        .map(|c| {
            let text = std::fs::read_to_string(root.join(c["rule_path"].as_str().unwrap_or_default())).ok()?;
            parse_rule(&text).ok()
        })
        .collect();
    let mut disagree = 0;
    let mut ours_vs_oracle = 0;
    for name in ["none", "sentinel_asim", "microsoft_xdr", "azure_monitor"] {
        // Our evaluator's answer per case id, compared with kql-run's below.
        let mut ours: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        let Some(p) = pipeline::builtin(name) else {
            eprintln!("kql_run[{name}]: not a built-in pipeline yet, skipped");
            continue;
        };
        let mut lines = Vec::new();
        // Rules whose query leaves out items with no column (positive
        // positions only): there the query may match fewer events, never more.
        let mut narrowed: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (i, c) in cases.iter().enumerate() {
            let Some(Some(rule)) = rules.get(i) else { continue };
            let conv = convert(rule, &p, &Placeholders::new());
            let Some(q) = conv.queries.first() else { continue };
            if conv.diagnostics.iter().any(|d| d.code == "lossy-mapping" && d.message.contains("replaced by `false`")) {
                narrowed.insert(c["rule_path"].as_str().unwrap_or_default().to_string());
            }
            let matcher = Matcher::new(rule, &MatchOptions::default());
            let mut evs: Vec<&Event> = events.get(i).map(|v| v.iter().collect()).unwrap_or_default();
            for k in 1..=6 {
                if let Some(other) = events.get((i + k * 31) % cases.len()) {
                    evs.extend(other.iter());
                }
            }
            let expected: Vec<usize> =
                evs.iter().enumerate().filter(|(_, e)| matcher.matches(e)).map(|(j, _)| j).collect();
            let (query, rows): (String, Vec<serde_json::Value>) = if p.target.is_none() {
                let flat = |e: &Event| {
                    let mut o = serde_json::Map::new();
                    for (k, v) in e.fields() {
                        o.insert(k.to_string(), v.clone());
                    }
                    serde_json::Value::Object(o)
                };
                (format!("Events | where {q}"), evs.iter().map(|e| flat(e)).collect())
            } else {
                (q.clone(), evs.iter().map(|e| pipeline::map_event(&p, rule, e).0).collect())
            };
            let ev = sigmaplay_core::kusto::evaluate(&query, &rows);
            let got: Vec<usize> =
                ev.matched(rows.len()).iter().enumerate().filter(|(_, m)| **m).map(|(j, _)| j).collect();
            ours.insert(c["rule_path"].as_str().unwrap_or_default().to_string(), got);
            lines.push(
                serde_json::json!({ "id": c["rule_path"], "query": query, "events": rows, "expected": expected })
                    .to_string(),
            );
        }
        let Some(results) = kql_run(&tool, name, &lines) else { return };
        let ids = |r: &serde_json::Value, k: &str| -> Option<Vec<u64>> {
            r.get(k)?.as_array()?.iter().map(serde_json::Value::as_u64).collect()
        };
        let subset = |r: &serde_json::Value| {
            let id = r.get("id").and_then(serde_json::Value::as_str).unwrap_or_default();
            match (ids(r, "matches"), ids(r, "expected")) {
                (Some(m), Some(e)) => narrowed.contains(id) && m.iter().all(|x| e.contains(x)),
                _ => false,
            }
        };
        let failures: Vec<&serde_json::Value> =
            results.iter().filter(|r| r.get("pass") != Some(&serde_json::Value::Bool(true)) && !subset(r)).collect();
        let fewer =
            results.iter().filter(|r| r.get("pass") != Some(&serde_json::Value::Bool(true)) && subset(r)).count();
        eprintln!(
            "kql_run[{name}]: {} cases run, {} disagree with the matcher, {fewer} match fewer events as their lossy-mapping warning says",
            results.len(),
            failures.len()
        );
        for f in failures.iter().take(20) {
            eprintln!("  {f}");
        }
        assert_eq!(results.len(), lines.len(), "kql-run did not answer every case");
        disagree += failures.len();
        let (same, differ) = compare_with_kql_run(&results, |id| ours.get(id).cloned(), name);
        for d in &differ {
            eprintln!("  {d}");
        }
        ours_vs_oracle += differ.len();
        eprintln!("kql_run[{name}]: kql_eval agrees with kql-run on {same} of {} cases", results.len());
    }
    assert_eq!(disagree, 0, "cases where KQL and the matcher disagree (see above)");
    assert_eq!(ours_vs_oracle, 0, "cases where kql_eval and kql-run disagree (see above)");
}
