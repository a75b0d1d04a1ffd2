//! Helpers shared by the test files that read `shared/` (the corpus and the
//! oracle tools next to the checkout).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// SigmaHQ's regression cases (`regression-cases.jsonl`) and each case's
/// events, parsed; `None` without `shared/`.
#[allow(dead_code)] // not every test file that shares this module reads them
pub fn regression_cases() -> Option<(Vec<serde_json::Value>, Vec<Vec<sigmaplay_core::Event>>)> {
    let root = shared().join("corpus/sigmahq");
    let index = std::fs::read_to_string(shared().join("corpus/regression-cases.jsonl")).ok()?;
    let cases: Vec<serde_json::Value> = index.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let events = cases
        .iter()
        .map(|c| {
            let path = root.join(c["event_file"].as_str().unwrap_or_default());
            std::fs::read_to_string(path).map(|t| sigmaplay_core::parse_events(&t).events).unwrap_or_default()
        })
        .collect();
    Some((cases, events))
}

/// Run kql-run on cases (JSON lines); None when the tool cannot run (said on stderr).
#[allow(dead_code)] // not every test file that shares this module runs kql-run
pub fn kql_run(tool: &Path, name: &str, lines: &[String]) -> Option<Vec<serde_json::Value>> {
    let path = std::env::temp_dir().join(format!("sigmaplay-kql-run-{name}-{}.jsonl", std::process::id()));
    let written = std::fs::File::create(&path).and_then(|mut f| lines.iter().try_for_each(|l| writeln!(f, "{l}")));
    if written.is_err() {
        eprintln!("kql_run: cannot write {}, skipped", path.display());
        return None;
    }
    let out = Command::new(tool).arg("--cases").arg(&path).arg("--quiet").output();
    let _ = std::fs::remove_file(&path);
    let Ok(out) = out else {
        eprintln!("kql_run: cannot run kql-run, skipped");
        return None;
    };
    if !matches!(out.status.code(), Some(0 | 1)) {
        eprintln!("kql_run: kql-run did not run: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
}

/// Our evaluator's answers held against kql-run's, case by case: how many
/// agree, and one line per case that does not (`label` names the run).
#[allow(dead_code)] // not every test file that shares this module runs kql-run
pub fn compare_with_kql_run(
    results: &[serde_json::Value],
    ours: impl Fn(&str) -> Option<Vec<usize>>,
    label: &str,
) -> (usize, Vec<String>) {
    let mut same = 0;
    let mut differ = Vec::new();
    for r in results {
        let id = r["id"].as_str().unwrap_or_default();
        let theirs: Option<Vec<usize>> =
            r["matches"].as_array().map(|a| a.iter().filter_map(|v| v.as_u64()).map(|v| v as usize).collect());
        let mine = ours(id);
        if theirs == mine {
            same += 1;
        } else {
            differ.push(format!(
                "kql-run [{label}] {id}: ours {mine:?}, kql-run {:?}",
                r.get("matches").or(r.get("error"))
            ));
        }
    }
    (same, differ)
}

/// Every `*.yml` / `*.yaml` file below `dir`, sorted.
#[allow(dead_code)] // not every test file that shares this module walks rule folders
pub fn yaml_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
