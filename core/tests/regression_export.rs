//! Regression tests out and back in, over SigmaHQ's own cases: exporting a
//! case's rule and events gives SigmaHQ's file names and paths, an `info.yml`
//! that reads back to the same test, and events that match as before, also
//! when the events were flat (their fields split into `System` and
//! `EventData` by the export). Needs `shared/`, else says so and passes.

mod common;

use sigmaplay_core::api::{
    export_regression, import_regression_files, match_events, regression_status, RegressionFile,
};
use sigmaplay_core::regression::parse_info;
use sigmaplay_core::MatchOptions;

/// Rules whose regression folder has the name of an earlier rule file.
const RENAMED: &[&str] = &[
    "rules/windows/process_creation/proc_creation_win_sftp_proxy_command_execution.yml",
    "rules/windows/process_creation/proc_creation_win_systemsettingsadminflows_defender_disable.yml",
];

fn count(rule: &str, events: &str) -> (usize, usize) {
    let r = match_events(rule, events, &MatchOptions::default());
    let matched = r.results.iter().filter(|x| x.matched).count();
    (matched, r.results.len())
}

#[test]
fn every_case_exports_and_imports_back() {
    let Some((cases, batches)) = common::regression_cases() else {
        eprintln!("SKIPPED: no shared corpus");
        return;
    };
    let root = common::shared().join("corpus/sigmahq");
    let mut failures = Vec::new();
    let mut flat_checked = 0;
    let mut provider_differs = Vec::new();
    for (case, batch) in cases.iter().zip(&batches) {
        let rule_path = case["rule_path"].as_str().unwrap_or_default();
        let event_file = case["event_file"].as_str().unwrap_or_default();
        let rule = std::fs::read_to_string(root.join(rule_path)).unwrap_or_default();
        let events = std::fs::read_to_string(root.join(event_file)).unwrap_or_default();
        let (matched, total) = count(&rule, &events);
        let out = export_regression(&rule, &events, rule_path, "2026-12-05");
        if !out.diagnostics.is_empty() || out.match_count != matched || out.events != total {
            failures.push(format!("{rule_path}: export {:?}, {} of {}", out.diagnostics, out.match_count, out.events));
            continue;
        }
        // SigmaHQ's layout: the folder is named after the rule's path, the
        // file after its id. Two rules were renamed after their tests were
        // written, and their folders kept the old names (RENAMED).
        let folder = event_file.rsplit_once('/').map(|(f, _)| f).unwrap_or_default();
        let renamed = RENAMED.contains(&rule_path);
        if (out.folder == folder) == renamed || !event_file.ends_with(&out.events_file) {
            failures.push(format!("{rule_path}: {}/{} for {event_file}", out.folder, out.events_file));
        }
        let theirs = std::fs::read_to_string(root.join(folder).join("info.yml")).unwrap_or_default();
        let (ours, theirs) = (parse_info(&out.info_yml).info, parse_info(&theirs).info);
        let their_path = theirs.tests[0].path.as_ref().map(|p| p.value.replace(folder, &out.folder));
        let same = ours.rule_id().map(|i| &i.value) == theirs.rule_id().map(|i| &i.value)
            && ours.tests.len() == 1
            && ours.tests[0].path.as_ref().map(|p| &p.value) == their_path.as_ref()
            && ours.tests[0].match_count.unwrap_or(0) >= theirs.tests[0].match_count.unwrap_or(1);
        if !same {
            failures.push(format!("{rule_path}: info.yml differs from SigmaHQ's:\n{}", out.info_yml));
        }
        // The provider is the events' own; SigmaHQ's info.yml sometimes says
        // Sysmon for other logs (reported, not an error of ours).
        let events_provider = batch.first().and_then(|e| {
            e.fields().find(|(k, _)| *k == "Provider_Name").and_then(|(_, v)| v.as_str().map(str::to_string))
        });
        if events_provider.as_deref() != Some(ours.tests[0].provider.as_str()) {
            failures.push(format!(
                "{rule_path}: provider {} but the events say {events_provider:?}",
                ours.tests[0].provider
            ));
        }
        if ours.tests[0].provider != theirs.tests[0].provider {
            provider_differs
                .push(format!("{rule_path}: info.yml {}, events {}", theirs.tests[0].provider, ours.tests[0].provider));
        }
        let files = [
            RegressionFile { name: "info.yml".into(), text: out.info_yml.clone() },
            RegressionFile { name: out.events_file.clone(), text: out.events_json.clone() },
        ];
        let back = import_regression_files(&files);
        let Some(expectation) = back.expectation.filter(|_| back.diagnostics.is_empty()) else {
            failures.push(format!("{rule_path}: import {:?}", back.diagnostics));
            continue;
        };
        let (m, n) = count(&rule, back.events.as_deref().unwrap_or_default());
        let status = regression_status(&rule, m, n, &expectation);
        if !status.verdict.passed || status.verdict.warning || !status.notes.is_empty() {
            failures.push(format!("{rule_path}: re-imported {status:?}"));
        }
        // The same events pasted flat (the fields the reader gives) export to
        // evtx JSON that matches the same events.
        let flat: Vec<String> = batch
            .iter()
            .map(|e| {
                let map: serde_json::Map<String, serde_json::Value> =
                    e.fields().map(|(k, v)| (k.to_string(), v.clone())).collect();
                serde_json::Value::Object(map).to_string()
            })
            .collect();
        let flat = flat.join("\n");
        let wrapped = export_regression(&rule, &flat, rule_path, "2026-12-05");
        if !wrapped.diagnostics.is_empty() || wrapped.match_count != matched {
            failures
                .push(format!("{rule_path}: flat export {:?}, {} matches", wrapped.diagnostics, wrapped.match_count));
        }
        flat_checked += 1;
    }
    println!("SigmaHQ's provider differs from the events' own in {} cases:", provider_differs.len());
    for p in &provider_differs {
        println!("  {p}");
    }
    println!("{} cases exported and imported back, {flat_checked} also from flat events", cases.len());
    assert!(failures.is_empty(), "{} of {}:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
