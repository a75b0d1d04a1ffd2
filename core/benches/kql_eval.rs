//! KQL evaluation speed against the Sigma matcher, in one run (criterion):
//! one typical rule (`proc_creation_win_certutil_download.yml`) converted with
//! `sentinel_asim`, over 10,000 events (the SigmaHQ regression events, cycled).
//!
//! - `kql_eval`: `kql_eval::evaluate(query, rows)` on the events mapped to
//!   `imProcessCreate` columns (`pipeline::map_event`, before timing). Each
//!   iteration parses the query, types the rows into a table and filters it:
//!   what the browser does per run.
//! - `kql_eval_matches`: the same through `evaluate_matches` (verdicts only:
//!   columns the query does not name are not loaded), as `api::kql_parity` runs it.
//! - `sigma_matcher`: the compiled rule's `is_match` on the same events
//!   (Sigma names; `PreparedEvent` built inside the loop, as in `engines`).
//!
//! Throughput: events. Run: `cargo bench -p sigmaplay-core --bench kql_eval`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use sigmaplay_core::kql::convert;
use sigmaplay_core::{
    kusto, parse_events, parse_rule, pipeline, Event, MatchOptions, Matcher, Placeholders, PreparedEvent,
};

const RULE: &str = "rules/windows/process_creation/proc_creation_win_certutil_download.yml";
const EVENTS: usize = 10_000;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn events() -> Vec<Event> {
    let root = corpus().join("sigmahq");
    let index = std::fs::read_to_string(corpus().join("regression-cases.jsonl")).unwrap_or_default();
    let mut all = Vec::new();
    for line in index.lines() {
        let Ok(c) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let path = root.join(c["event_file"].as_str().unwrap_or_default());
        if let Ok(text) = std::fs::read_to_string(path) {
            all.extend(parse_events(&text).events);
        }
    }
    all
}

fn bench(c: &mut Criterion) {
    let Ok(text) = std::fs::read_to_string(corpus().join("sigmahq").join(RULE)) else {
        eprintln!("SKIPPED: no corpus under {}", corpus().display());
        return;
    };
    let Ok(rule) = parse_rule(&text) else { return };
    let Some(p) = pipeline::builtin("sentinel_asim") else { return };
    let Some(query) = convert(&rule, &p, &Placeholders::new()).queries.first().cloned() else { return };
    let pool = events();
    if pool.is_empty() {
        return;
    }
    let evs: Vec<&Event> = pool.iter().cycle().take(EVENTS).collect();
    let rows: Vec<serde_json::Value> = evs.iter().map(|e| pipeline::map_event(&p, &rule, e).0).collect();
    let matcher = Matcher::new(&rule, &MatchOptions::default());
    // Both sides must return the same events, or the comparison means nothing.
    let kql = kusto::evaluate(&query, &rows).matched(rows.len());
    let sigma: Vec<bool> = evs.iter().map(|e| matcher.matches(e)).collect();
    assert_eq!(kql, sigma, "the KQL and the matcher disagree on the bench events");
    eprintln!(
        "kql_eval bench: {} events, {} matched; query:\n{query}",
        rows.len(),
        sigma.iter().filter(|m| **m).count()
    );

    let mut group = c.benchmark_group("kql_vs_sigma_10k");
    group.sampling_mode(SamplingMode::Flat).sample_size(20).measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("kql_eval", |b| b.iter(|| black_box(kusto::evaluate(&query, &rows).rows.len())));
    group.bench_function("kql_eval_matches", |b| {
        b.iter(|| black_box(kusto::evaluate_matches(&query, &rows).rows.len()))
    });
    group.bench_function("sigma_matcher", |b| {
        b.iter(|| black_box(evs.iter().filter(|e| matcher.is_match(&PreparedEvent::new(e))).count()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
