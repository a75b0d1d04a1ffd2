//! Sigma matcher versus the KQL evaluator on the SigmaHQ regression events,
//! for every built-in pipeline: each rule's own events plus the events of six
//! other rules (mostly non-matching), as `kql_check.rs` builds them for
//! kql-run. The events are mapped to each target with `pipeline::map_event`
//! (the `none` pipeline runs on the matcher's normalised fields as
//! `Events | where (...)`). Prints a table per target; every disagreement is
//! listed with the rule. Without `shared/` the test says so and passes.

use std::path::{Path, PathBuf};

use sigmaplay_core::kql::convert;
use sigmaplay_core::pipeline;
use sigmaplay_core::{kusto, parse_events, parse_rule, Event, MatchOptions, Matcher, Placeholders};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// Rules whose disagreement is understood and not a bug of either side: path → reason.
const KNOWN: &[(&str, &str)] = &[];

#[test]
fn regression_events_parity() {
    let root = shared().join("corpus/sigmahq");
    let Ok(index) = std::fs::read_to_string(shared().join("corpus/regression-cases.jsonl")) else {
        eprintln!("kql_eval_parity: no regression cases, skipped");
        return;
    };
    let cases: Vec<serde_json::Value> = index.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let events: Vec<Vec<Event>> = cases
        .iter()
        .map(|c| {
            let path = root.join(c["event_file"].as_str().unwrap_or_default());
            std::fs::read_to_string(path).map(|t| parse_events(&t).events).unwrap_or_default()
        })
        .collect();
    let rules: Vec<Option<sigmaplay_core::Rule>> = cases
        .iter()
        .map(|c| {
            let text = std::fs::read_to_string(root.join(c["rule_path"].as_str().unwrap_or_default())).ok()?;
            parse_rule(&text).ok()
        })
        .collect();
    let mut unexplained = 0;
    eprintln!("kql_eval_parity: target | rules run | events | agree | narrower as warned | disagree | query errors");
    for name in ["sentinel_asim", "microsoft_xdr", "azure_monitor", "none"] {
        let Some(p) = pipeline::builtin(name) else { continue };
        let (mut run, mut n_events, mut agree, mut disagree, mut errors, mut narrowed) = (0, 0, 0, 0, 0, 0);
        let mut lines = Vec::new();
        for (i, c) in cases.iter().enumerate() {
            let Some(Some(rule)) = rules.get(i) else { continue };
            let conv = convert(rule, &p, &Placeholders::new());
            let Some(q) = conv.queries.first() else { continue };
            // Items with no column left out at positive positions (with a warning):
            // the query may match fewer events than the rule, never more.
            let warned_narrower =
                conv.diagnostics.iter().any(|d| d.code == "lossy-mapping" && d.message.contains("replaced by `false`"));
            let matcher = Matcher::new(rule, &MatchOptions::default());
            let mut evs: Vec<&Event> = events.get(i).map(|v| v.iter().collect()).unwrap_or_default();
            for k in 1..=6 {
                if let Some(other) = events.get((i + k * 31) % cases.len()) {
                    evs.extend(other.iter());
                }
            }
            let (query, rows): (String, Vec<serde_json::Value>) = if p.target.is_none() {
                let flat = |e: &Event| {
                    serde_json::Value::Object(e.fields().map(|(k, v)| (k.to_string(), v.clone())).collect())
                };
                (format!("Events | where {q}"), evs.iter().map(|e| flat(e)).collect())
            } else {
                (q.clone(), evs.iter().map(|e| pipeline::map_event(&p, rule, e).0).collect())
            };
            run += 1;
            let ev = kusto::evaluate(&query, &rows);
            // The verdict-only path must return the same events.
            assert_eq!(kusto::evaluate_matches(&query, &rows).matched(rows.len()), ev.matched(rows.len()), "{query}");
            let path = c["rule_path"].as_str().unwrap_or("?");
            if !ev.ok() {
                errors += 1;
                lines.push(format!("  [{name}] {path}: query error {:?}", ev.diagnostics));
                unexplained += 1;
                continue;
            }
            let got = ev.matched(rows.len());
            for (j, e) in evs.iter().enumerate() {
                n_events += 1;
                let sigma = matcher.matches(e);
                if got.get(j).copied() == Some(sigma) {
                    agree += 1;
                } else if sigma && warned_narrower {
                    narrowed += 1;
                } else {
                    disagree += 1;
                    let known = KNOWN.iter().find(|(k, _)| *k == path);
                    if known.is_none() {
                        unexplained += 1;
                    }
                    if lines.len() < 40 {
                        lines.push(format!(
                            "  [{name}] {path} event {j}: sigma {sigma}, kql {}{}\n    {}",
                            !sigma,
                            known.map_or(String::new(), |(_, why)| format!(" (known: {why})")),
                            query.replace('\n', " ")
                        ));
                    }
                }
            }
        }
        eprintln!("kql_eval_parity: {name} | {run} | {n_events} | {agree} | {narrowed} | {disagree} | {errors}");
        for l in &lines {
            eprintln!("{l}");
        }
    }
    assert_eq!(unexplained, 0, "disagreements or query errors (see above)");
}
