//! The evaluator against kql-run's self-test cases (`shared/tools/kql-run/tests`):
//! 70 queries whose expected rows were derived by hand from the Kusto
//! documentation. Every case must agree unless it is in [`DEVIATIONS`], where
//! the oracle's expectation differs from documented Kusto behaviour.
//! Without `shared/` the test says so and passes.

use std::path::{Path, PathBuf};

use sigmaplay_core::kusto;

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/tools/kql-run/tests")
}

/// Case id → why our answer differs from the case's `expected` (cite Kusto docs).
const DEVIATIONS: &[(&str, &str)] = &[];

fn load_events(dir: &Path, case: &serde_json::Value) -> Vec<serde_json::Value> {
    if let Some(evs) = case["events"].as_array() {
        return evs.clone();
    }
    let Some(file) = case["events_file"].as_str() else { return Vec::new() };
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

#[test]
fn kql_run_self_test_cases() {
    let dir = tests_dir();
    let mut total = 0;
    let mut agree = 0;
    let mut failures = Vec::new();
    for file in ["semantics.jsonl", "typed.jsonl"] {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            eprintln!("kql_eval_oracle: {} missing, skipped", dir.join(file).display());
            return;
        };
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(case) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            total += 1;
            let id = case["id"].as_str().unwrap_or("?").to_string();
            let mut query = case["query"].as_str().unwrap_or_default().to_string();
            if case["wrap_where"].as_bool() == Some(true) {
                query = format!("{} | where ({query})", case["table"].as_str().unwrap_or("Events"));
            }
            let events = load_events(&dir, &case);
            let expected: Vec<usize> = case["expected"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_u64()).map(|v| v as usize).collect())
                .unwrap_or_default();
            let ev = kusto::evaluate(&query, &events);
            let got: Vec<usize> =
                ev.matched(events.len()).iter().enumerate().filter(|(_, m)| **m).map(|(i, _)| i).collect();
            if ev.ok() && got == expected {
                agree += 1;
            } else if let Some((_, why)) = DEVIATIONS.iter().find(|(d, _)| *d == id) {
                eprintln!("  deviation {id}: {why}");
            } else {
                failures.push(format!(
                    "{file}:{id}: {query}\n    expected {expected:?}, got {got:?}, diagnostics {:?}",
                    ev.diagnostics
                ));
            }
        }
    }
    eprintln!("kql_eval_oracle: {agree} of {total} cases agree, {} documented deviations", DEVIATIONS.len());
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(failures.is_empty(), "{} cases disagree (see above)", failures.len());
}
