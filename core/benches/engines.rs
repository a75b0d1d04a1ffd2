//! Ours against the peer engines, in one run (criterion; `harness = false`):
//!
//! - `parse_corpus`: every SigmaHQ corpus rule file, text → ready-to-match
//!   rule (ours: `parse_rules` + `Matcher::new`; RSigma: `parse_sigma_yaml` +
//!   `compile_rule`; sigma-rust: `rule_from_yaml`, which is its compiled form).
//!   Throughput: rule files. What each does there: sigma-rust deserialises
//!   the YAML (serde, libyaml) without positions, compiles `|re` regexes,
//!   parses CIDRs, applies base64/windash, and turns every other value into
//!   a list of chars and wildcards that matching walks char by char (no
//!   automaton, no regex); it rejects 31 corpus files (`expand`, `re|i`),
//!   which stop early. Ours keeps spans and diagnostics (duplicate keys,
//!   unused searches, condition checks), reads plain block YAML (99% of the
//!   rule files) line by line and the rest with saphyr-parser, with the same
//!   events and spans (`sigma/yaml/block.rs`), compiles `|re` regexes, case-folds
//!   literals, builds hash sets and SIMD or automaton searchers for items
//!   with many literals and memmem searchers for the rest; a wildcard value
//!   of another shape scans ASCII text itself and compiles its regex only
//!   when a non-ASCII (or very long) text reaches it, outside this timing.
//! - `one_rule/<rule>`: one typical rule over the regression events.
//!   Throughput: events.
//! - `rule_set`: every event against every rule. Ours and `rsigma_rules`
//!   loop over all compiled rules; `rsigma_engine` is RSigma's `Engine`
//!   (inverted index over the same rules, its production path);
//!   `ours_engine` is our `RuleSet` (prefilter per event, then the candidate
//!   rules), the counterpart of `rsigma_engine`. sigma-rust is
//!   ~300× slower, so it runs on the first `SIGMA_RUST_EVENTS` events only
//!   (the throughput is per event, so the figure stays comparable).
//!   Throughput: events.
//!
//! Equivalent work: rules are compiled and events parsed and flattened
//! before timing; every side gets the same flat JSON object per event (our
//! normalised evtx fields); no I/O in the timed loops. Ours builds its
//! per-event `PreparedEvent` inside the loop (it is part of evaluating).
//!
//! Run: `cargo bench -p sigmaplay-core --bench engines` (scripts/bench.sh
//! prints the ratios). Set `BENCH_QUICK=1` for a short smoke run.
//!
//! `parse_corpus` in instructions (callgrind counts are deterministic, so
//! they hold on a busy machine): `examples/parse_corpus.rs` does the same work
//! once per engine, on the same allocator (see its header for the commands;
//! the 77.5M of reading the files are subtracted). 2026-12-05: sigma-rust
//! 1,717M; ours 1,604M before the block YAML reader, 1,034M now (0.60×
//! sigma-rust). Wall, same day, under load 10–18 from other builds (not a
//! fair figure, re-measure on a quiet machine): ours 336 / 280 ms, sigma-rust
//! 584 / 247 ms, RSigma 1,565 / 603 ms; before, on a quiet machine, ours
//! was 107.8–113.9 ms and sigma-rust 104.6–107.4 ms.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};

// Every engine in this process runs on the allocator the `sigmaplay` binary
// ships with (cli/src/main.rs), so the figures are those of the product.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use serde_json::{Map, Value};
use sigmaplay_core::engine::ruleset::RuleSet;
use sigmaplay_core::{parse_events, parse_rules, Event, MatchOptions, Matcher, PreparedEvent};

const SIGMA_RUST_EVENTS: usize = 24;
const ONE_RULES: &[&str] = &[
    "rules/windows/network_connection/net_connection_win_domain_localtonet_tunnel.yml",
    "rules/windows/process_creation/proc_creation_win_certutil_download.yml",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn rule_files(root: &Path) -> Vec<PathBuf> {
    let mut stack: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("rules") || n == "deprecated")
        })
        .collect();
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir").filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

struct Data {
    texts: Vec<String>,
    events: Vec<Event>,
    flat: Vec<Value>,
    sigma_rust_events: Vec<sigma_rust::Event>,
}

fn load() -> Data {
    let root = corpus().join("sigmahq");
    let texts: Vec<String> = rule_files(&root).iter().map(|p| std::fs::read_to_string(p).expect("rule")).collect();
    let cases = std::fs::read_to_string(corpus().join("regression-cases.jsonl")).expect("regression-cases.jsonl");
    let mut events = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("case");
        let file = v["event_file"].as_str().expect("event_file").to_string();
        if seen.insert(file.clone()) {
            let text = std::fs::read_to_string(root.join(&file)).expect("event file");
            events.extend(parse_events(&text).events);
        }
    }
    let flat: Vec<Value> = events
        .iter()
        .map(|e| Value::Object(e.fields().map(|(k, v)| (k.to_string(), v.clone())).collect::<Map<_, _>>()))
        .collect();
    let sigma_rust_events =
        flat.iter().map(|v| sigma_rust::Event::try_from(v.clone()).expect("sigma-rust event")).collect();
    Data { texts, events, flat, sigma_rust_events }
}

fn ours_compile(text: &str) -> Vec<Matcher> {
    parse_rules(text).rules.iter().map(|r| Matcher::new(r, &MatchOptions::default())).collect()
}

fn rsigma_compile(text: &str) -> Vec<rsigma_eval::CompiledRule> {
    match rsigma_parser::parse_sigma_yaml(text) {
        Ok(c) => c.rules.iter().filter_map(|r| rsigma_eval::compile_rule(r).ok()).collect(),
        Err(_) => Vec::new(),
    }
}

fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

fn benches(c: &mut Criterion) {
    let data = load();
    let n_events = data.events.len() as u64;
    eprintln!("engines bench: {} rule files, {} events", data.texts.len(), n_events);

    // (a) parsing + compiling the corpus
    {
        let mut g = c.benchmark_group("parse_corpus");
        g.throughput(Throughput::Elements(data.texts.len() as u64));
        g.sampling_mode(SamplingMode::Flat);
        g.sample_size(10);
        g.warm_up_time(Duration::from_secs(if quick() { 1 } else { 3 }));
        g.measurement_time(Duration::from_secs(if quick() { 3 } else { 15 }));
        g.bench_function("ours", |b| {
            b.iter(|| data.texts.iter().map(|t| ours_compile(black_box(t)).len()).sum::<usize>())
        });
        g.bench_function("rsigma", |b| {
            b.iter(|| data.texts.iter().map(|t| rsigma_compile(black_box(t)).len()).sum::<usize>())
        });
        g.bench_function("sigma_rust", |b| {
            b.iter(|| data.texts.iter().filter(|t| sigma_rust::rule_from_yaml(black_box(t)).is_ok()).count())
        });
        g.finish();
    }

    // (b) one typical rule over all events
    for path in ONE_RULES {
        let text = std::fs::read_to_string(corpus().join("sigmahq").join(path)).expect("rule");
        let name = Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or("rule").to_string();
        let ours = ours_compile(&text).pop().expect("ours compiles the rule");
        let rs = rsigma_compile(&text).pop().expect("RSigma compiles the rule");
        let sr = sigma_rust::rule_from_yaml(&text).ok();
        // Both must agree on the events here, or the timing compares different work.
        let a: usize = data.events.iter().filter(|e| ours.matches(e)).count();
        let b = data
            .flat
            .iter()
            .filter(|v| rsigma_eval::evaluate_rule(&rs, &rsigma_eval::JsonEvent::borrow(v)).is_some())
            .count();
        assert_eq!(a, b, "{name}: ours and RSigma disagree on the match count");

        let mut g = c.benchmark_group(format!("one_rule/{name}"));
        g.throughput(Throughput::Elements(n_events));
        if quick() {
            g.warm_up_time(Duration::from_millis(500));
            g.measurement_time(Duration::from_secs(2));
        }
        g.bench_function("ours", |b| {
            b.iter(|| data.events.iter().filter(|e| ours.is_match(&PreparedEvent::new(black_box(e)))).count())
        });
        g.bench_function("rsigma", |b| {
            b.iter(|| {
                data.flat
                    .iter()
                    .filter(|v| {
                        rsigma_eval::evaluate_rule(&rs, &rsigma_eval::JsonEvent::borrow(black_box(v))).is_some()
                    })
                    .count()
            })
        });
        if let Some(sr) = &sr {
            g.bench_function("sigma_rust", |b| {
                b.iter(|| data.sigma_rust_events.iter().filter(|e| sr.is_match(black_box(e))).count())
            });
        }
        g.finish();
    }

    // (c) the whole rule set over all events
    {
        let ours: Vec<Matcher> = data.texts.iter().flat_map(|t| ours_compile(t)).collect();
        let rs: Vec<rsigma_eval::CompiledRule> = data.texts.iter().flat_map(|t| rsigma_compile(t)).collect();
        let ours_set = RuleSet::new(data.texts.iter().flat_map(|t| ours_compile(t)).collect());
        let loop_hits: usize = data
            .events
            .iter()
            .map(|e| {
                let p = PreparedEvent::new(e);
                ours.iter().filter(|m| m.is_match(&p)).count()
            })
            .sum();
        let set_hits: usize = data.events.iter().map(|e| ours_set.matching(e).len()).sum();
        assert_eq!(loop_hits, set_hits, "RuleSet and the rule loop disagree");
        let mut engine = rsigma_eval::Engine::new();
        engine.extend_compiled_rules(data.texts.iter().flat_map(|t| rsigma_compile(t)));
        let sr: Vec<sigma_rust::Rule> = data.texts.iter().filter_map(|t| sigma_rust::rule_from_yaml(t).ok()).collect();
        eprintln!(
            "rule_set: ours {} rules, RSigma {} rules (engine {}), sigma-rust {} rules",
            ours.len(),
            rs.len(),
            engine.rule_count(),
            sr.len()
        );

        let mut g = c.benchmark_group("rule_set");
        g.throughput(Throughput::Elements(n_events));
        g.sampling_mode(SamplingMode::Flat);
        g.sample_size(10);
        g.warm_up_time(Duration::from_secs(if quick() { 1 } else { 3 }));
        g.measurement_time(Duration::from_secs(if quick() { 3 } else { 15 }));
        g.bench_function("ours", |b| {
            b.iter(|| {
                let mut hits = 0usize;
                for e in &data.events {
                    let p = PreparedEvent::new(black_box(e));
                    hits += ours.iter().filter(|m| m.is_match(&p)).count();
                }
                hits
            })
        });
        g.bench_function("ours_engine", |b| {
            b.iter(|| data.events.iter().map(|e| ours_set.matching(black_box(e)).len()).sum::<usize>())
        });
        g.bench_function("rsigma_rules", |b| {
            b.iter(|| {
                let mut hits = 0usize;
                for v in &data.flat {
                    let e = rsigma_eval::JsonEvent::borrow(black_box(v));
                    hits += rs.iter().filter(|r| rsigma_eval::evaluate_rule(r, &e).is_some()).count();
                }
                hits
            })
        });
        g.bench_function("rsigma_engine", |b| {
            b.iter(|| {
                data.flat
                    .iter()
                    .map(|v| engine.evaluate(&rsigma_eval::JsonEvent::borrow(black_box(v))).len())
                    .sum::<usize>()
            })
        });
        g.finish();

        let n = SIGMA_RUST_EVENTS.min(data.sigma_rust_events.len());
        let mut g = c.benchmark_group("rule_set_sigma_rust");
        g.throughput(Throughput::Elements(n as u64));
        g.sampling_mode(SamplingMode::Flat);
        g.sample_size(10);
        g.warm_up_time(Duration::from_secs(1));
        g.measurement_time(Duration::from_secs(if quick() { 3 } else { 10 }));
        let subset = &data.events[..n];
        g.bench_with_input(BenchmarkId::new("ours", n), &subset, |b, evs| {
            b.iter(|| {
                let mut hits = 0usize;
                for e in evs.iter() {
                    let p = PreparedEvent::new(black_box(e));
                    hits += ours.iter().filter(|m| m.is_match(&p)).count();
                }
                hits
            })
        });
        g.bench_with_input(BenchmarkId::new("sigma_rust", n), &&data.sigma_rust_events[..n], |b, evs| {
            b.iter(|| evs.iter().map(|e| sr.iter().filter(|r| r.is_match(black_box(e))).count()).sum::<usize>())
        });
        g.finish();
    }
}

criterion_group!(engines, benches);
criterion_main!(engines);
