//! KQL conversion speed: every rule of the SigmaHQ `rules/` folder
//! (`shared/corpus/sigmahq/rules`, 3141 files) parsed and converted with each
//! built-in target. Files are read before timing; one iteration is the whole
//! folder (parse + convert per file, single thread).
//!
//!   cargo bench -p sigmaplay-core --bench convert
//!
//! The pySigma comparison (wall time of the CLI on the same folder) is
//! `scripts/bench_pysigma.sh`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use sigmaplay_core::kql::convert;
use sigmaplay_core::{parse_rules, pipeline, Placeholders};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/sigmahq/rules")
}

fn read_rules(dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            read_rules(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push(text);
            }
        }
    }
}

fn bench_convert(c: &mut Criterion) {
    let mut texts = Vec::new();
    read_rules(&rules_dir(), &mut texts);
    if texts.is_empty() {
        eprintln!("SKIPPED: no rules under {}", rules_dir().display());
        return;
    }
    let placeholders = Placeholders::new();
    let mut group = c.benchmark_group("kql_convert_rules_folder");
    group.sampling_mode(SamplingMode::Flat).sample_size(20).measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(texts.len() as u64));
    for name in ["sentinel_asim", "microsoft_xdr", "azure_monitor"] {
        let Some(p) = pipeline::builtin(name) else { continue };
        group.bench_with_input(BenchmarkId::from_parameter(name), &p, |b, p| {
            b.iter(|| {
                let mut queries = 0usize;
                for text in &texts {
                    for rule in &parse_rules(text).rules {
                        queries += convert(rule, p, &placeholders).queries.len();
                    }
                }
                black_box(queries)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_convert);
criterion_main!(benches);
