//! The work of the engines bench's `parse_corpus` group, once, for a
//! profiler: every SigmaHQ corpus rule file read into memory, then parsed and
//! compiled by one engine (`ours`, the default, or `sigma_rust`). Instruction
//! counts under callgrind are deterministic, so they compare two builds on a
//! busy machine where wall times do not:
//!
//!   cargo build --profile bench -p sigmaplay-core --example parse_corpus
//!   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.ours \
//!     target/release/examples/parse_corpus ours
//!
//! (`--profile bench` writes to `target/release`.) Subtract the `read` line's
//! count (printed first, the same for both engines) to get the parse alone:
//! run with `read` as the engine for that figure.

use std::path::{Path, PathBuf};

// The allocator of the `sigmaplay` binary and of the engines bench.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use sigmaplay_core::{parse_rules, MatchOptions, Matcher};

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for p in rd.filter_map(Result::ok).map(|e| e.path()) {
        if p.is_dir() {
            rule_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

fn main() {
    let engine = std::env::args().nth(1).unwrap_or_else(|| "ours".to_string());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/sigmahq");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).expect("corpus").filter_map(Result::ok).map(|e| e.path()) {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        if dir.is_dir() && (name.starts_with("rules") || name == "deprecated") {
            rule_files(&dir, &mut files);
        }
    }
    files.sort();
    let texts: Vec<String> = files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    let kept = match engine.as_str() {
        "read" => texts.len(),
        "ours" => texts
            .iter()
            .map(|t| {
                let matchers: Vec<Matcher> =
                    parse_rules(t).rules.iter().map(|r| Matcher::new(r, &MatchOptions::default())).collect();
                matchers.len()
            })
            .sum(),
        "sigma_rust" => texts.iter().filter(|t| sigma_rust::rule_from_yaml(t).is_ok()).count(),
        other => panic!("unknown engine {other}: ours, sigma_rust or read"),
    };
    println!("{engine}: {} files, {kept} rules kept", texts.len());
}
