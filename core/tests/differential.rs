//! Differential test: our matcher against the peer engines RSigma
//! (`rsigma-eval` 0.23.0) and sigma-rust (0.7.0), used as dev-dependencies
//! only (for comparison; no code of theirs is copied).
//!
//! Two tests:
//! 1. `corpus_x_regression_events`: every SigmaHQ corpus rule (`rules*/` and
//!    `deprecated/`, 3,952 files) × every regression event (the 202 event
//!    files of `shared/corpus/regression-cases.jsonl`, 238 events), plus two
//!    mutated copies of every event, for RSigma only: `upper:` (every string
//!    value upper-cased, which exercises case folding on every rule) and
//!    `typed:` (decimal strings become numbers, `"true"`/`"false"` booleans,
//!    numbers become strings: number/string comparison on every rule). Events
//!    are read with our [`parse_events`] (evtx flattening, concatenated JSON);
//!    the peers get the very same flat JSON object (our normalised fields), so
//!    only the matching semantics are compared, not the event readers.
//! 2. `probes`: small rule × event pairs, one per semantic corner (null,
//!    keywords, numbers, case folding, windash, base64offset, regex flags,
//!    field names, wildcards, ...), each with the verdict the Sigma
//!    specification v2.1 implies where it implies one; ours must give it.
//!
//! Every pair where a peer's verdict differs from ours fails the test unless
//! it is in [`ALLOWED`], an explicit list of known differences, each
//! justified by the spec (`shared/spec/sigma-specification/specification/`;
//! the reasoning is in `docs/differential.md`). Allow-list entries that no
//! longer occur fail too (so the list cannot rot), as do rules a peer
//! compiles and we reject (except [`OURS_REJECT_ALLOWED`]). Summary tables are
//! printed (use `--nocapture` to see them on success); every disagreement is
//! written as JSON lines to `$CARGO_TARGET_TMPDIR/differential-*.jsonl`.
//!
//! sigma-rust is about 300× slower than RSigma and only gets the unmutated
//! events: `DIFF_SIGMA_RUST=all` (the default in release builds) runs it on
//! all those pairs, `regression` (the default in debug builds) only on each
//! regression rule's own events, `off` skips it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sigmaplay_core::base::diag::has_errors;
use sigmaplay_core::{parse_events, parse_rules, Event, MatchOptions, Matcher, PreparedEvent};

// ---------------------------------------------------------------------------
// Allow-lists

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Peer {
    RSigma,
    SigmaRust,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::RSigma => "RSigma 0.23.0",
            Peer::SigmaRust => "sigma-rust 0.7.0",
        }
    }
}

/// Why a verdict differs. Each cause is explained, with the spec text that
/// decides it, in docs/differential.md.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Cause {
    /// `field: null` on an absent field.
    NullSemantics,
    /// Keyword (field-less) values: where in the event they are searched.
    Keywords,
    /// A rule number against an event string or vice versa.
    NumericString,
    /// Case-insensitive comparison of non-ASCII text.
    CaseFolding,
    /// `windash` dash variants.
    Windash,
    /// `base64offset` / `base64` encodings.
    Base64Offset,
    /// `re` flags and regex dialect.
    RegexFlags,
    /// Field names: spaces, dots, case.
    FieldNames,
    /// Wildcards and escapes in plain values.
    Wildcards,
    /// Conditions and the other modifiers (`neq`, `fieldref`, `cidr`, time).
    Other,
}

impl Cause {
    fn name(self) -> &'static str {
        match self {
            Cause::NullSemantics => "null semantics",
            Cause::Keywords => "keywords",
            Cause::NumericString => "numeric vs string",
            Cause::CaseFolding => "case folding",
            Cause::Windash => "windash",
            Cause::Base64Offset => "base64offset",
            Cause::RegexFlags => "regex flags",
            Cause::FieldNames => "field names",
            Cause::Wildcards => "wildcards/escapes",
            Cause::Other => "other modifiers",
        }
    }
}

/// Which events of a rule an allow-list entry covers.
enum Events {
    /// Exactly these event labels (`<event file name>#<index>`, with an
    /// `upper:`/`typed:` prefix for mutated events, `probe` for probes).
    List(&'static [&'static str]),
    /// Exactly this many events (checked exactly only when the peer ran on
    /// all pairs): for a rule that disagrees on many events for one reason.
    Count(usize),
}

/// A known, spec-justified difference on one rule.
struct Allowed {
    peer: Peer,
    /// Rule id (corpus) or `probe:<name>`.
    rule_id: &'static str,
    events: Events,
    /// Our verdict (the peer's is the opposite).
    ours: bool,
    cause: Cause,
    reason: &'static str,
}

const SR_NULL: &str = "sigma-rust: `Field: null` is false on an absent field; the spec's `not null` idiom \
(`filter: {Field: null}`, `condition: selection and not filter`) needs it true when the event lacks the field";
const SR_KEYWORDS: &str = "sigma-rust compares a keyword with whole values; the spec applies keyword lists \
\"to the full log message\" / \"across an entire event\": a substring search, as ours and RSigma do";

const fn sr(rule_id: &'static str, events: Events, ours: bool, cause: Cause, reason: &'static str) -> Allowed {
    Allowed { peer: Peer::SigmaRust, rule_id, events, ours, cause, reason }
}
const fn rs(rule_id: &'static str, events: Events, ours: bool, cause: Cause, reason: &'static str) -> Allowed {
    Allowed { peer: Peer::RSigma, rule_id, events, ours, cause, reason }
}
const PROBE: Events = Events::List(&["probe"]);

const ALLOWED: &[Allowed] = &[
    // ---- corpus × regression events, sigma-rust: `Field: null` filters on absent fields (41 pairs) ----
    sr("bbfd974c-248e-4435-8de6-1e938c79c5c1", Events::Count(3), false, Cause::NullSemantics, SR_NULL), // file_rename_win_non_dll_to_dll_ext
    sr("b5de0c9a-6f19-43e0-af4e-55ad01f550af", Events::Count(2), false, Cause::NullSemantics, SR_NULL), // image_load_susp_unsigned_dll
    sr("50919691-7302-437f-8e10-1fe088afa145", Events::Count(1), false, Cause::NullSemantics, SR_NULL), // proc_creation_win_regsvr32_uncommon_extension
    sr("71158e3f-df67-472b-930e-7d287acaa3e1", Events::Count(8), false, Cause::NullSemantics, SR_NULL), // proc_creation_win_susp_image_missing
    sr("d4ca7c59-e9e4-42d8-bf57-91a776efcb87", Events::Count(3), false, Cause::NullSemantics, SR_NULL), // proc_creation_win_susp_lolbin_exec_from_non_c_drive
    sr("c09dad97-1c78-4f71-b127-7edb2b8e491a", Events::Count(8), false, Cause::NullSemantics, SR_NULL), // proc_creation_win_susp_non_exe_image
    sr("96036718-71cc-4027-a538-d1587e0006a7", Events::Count(2), false, Cause::NullSemantics, SR_NULL), // proc_creation_win_susp_proc_wrong_parent
    sr("f17211f1-1f24-4d0c-829f-31e28dc93cdd", Events::Count(1), false, Cause::NullSemantics, SR_NULL), // proc_creation_win_svchost_uncommon_command_line_flags
    sr("01d2e2a1-5f09-44f7-9fc1-24faa7479b6d", Events::Count(1), false, Cause::NullSemantics, SR_NULL), // proc_creation_win_svchost_uncommon_parent_process
    sr("7cce6fc8-a07f-4d84-a53e-96e1879843c9", Events::Count(2), false, Cause::NullSemantics, SR_NULL), // proc_creation_win_sysinternals_tools_masquerading
    sr("db809f10-56ce-4420-8c86-d6a7d793c79c", Events::Count(8), false, Cause::NullSemantics, SR_NULL), // raw_access_thread_susp_disk_access_using_uncommon_tools
    sr("4720b7df-40c3-48fd-bbdf-fd4b3c464f0d", Events::Count(2), false, Cause::NullSemantics, SR_NULL), // registry_set_taskcache_entry
    // ---- corpus × regression events, sigma-rust: keyword lists (75 pairs) ----
    sr("d84c0ded-edd7-4123-80ed-348bb3ccc4d5", Events::Count(15), true, Cause::Keywords, SR_KEYWORDS), // db_anomalous_query
    sr("7a14080d-a048-4de8-ae58-604ce58a795b", Events::Count(1), true, Cause::Keywords, SR_KEYWORDS),  // lnx_file_copy
    sr("9705a6a1-6db6-4a16-a987-15b7151e299b", Events::Count(6), true, Cause::Keywords, SR_KEYWORDS), // cisco_cli_discovery
    sr("71d65515-c436-43c0-841b-236b1f32c21e", Events::Count(14), true, Cause::Keywords, SR_KEYWORDS), // cisco_cli_file_deletion
    sr("6d844f0f-1c18-41af-8f19-33e7654edfc3", Events::Count(38), true, Cause::Keywords, SR_KEYWORDS), // cisco_cli_local_accounts
    sr("5e51acb2-bcbe-435b-99c6-0e3cd5e2aa59", Events::Count(1), true, Cause::Keywords, SR_KEYWORDS), // cisco_cli_moving_data
];

/// Rules a peer compiles but we reject: (diagnostic code, exact count, why).
const OURS_REJECT_ALLOWED: &[(&str, usize, &str)] = &[(
    "unresolved-placeholder",
    28,
    "`|expand` placeholders without values: \"If the tool isn't able to handle placeholders, it must reject \
     the rule\" (sigma-rules-specification.md, Placeholders)",
)];

// ---------------------------------------------------------------------------
// Loading

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn rule_files(root: &Path) -> Vec<PathBuf> {
    let mut stack: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("rules") || n == "deprecated")
                })
                .collect()
        })
        .unwrap_or_default();
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.filter_map(Result::ok) {
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

struct RuleEntry {
    path: String,
    id: String,
    ours: Option<Matcher>,
    /// (diagnostic code, message) when we reject the rule.
    ours_error: Option<(String, String)>,
    rsigma: Option<rsigma_eval::CompiledRule>,
    rsigma_error: Option<String>,
    sigma_rust: Option<sigma_rust::Rule>,
    sigma_rust_error: Option<String>,
}

fn compile_entry(path: String, text: &str) -> RuleEntry {
    let parsed = parse_rules(text);
    let (ours, ours_error, our_id) = if has_errors(&parsed.diagnostics) || parsed.rules.len() != 1 {
        let first = parsed.diagnostics.iter().find(|d| d.is_error()).map(|d| (d.code.clone(), d.message.clone()));
        (None, Some(first.unwrap_or_else(|| ("rule-count".into(), format!("{} rules", parsed.rules.len())))), None)
    } else {
        let rule = &parsed.rules[0];
        let m = Matcher::new(rule, &MatchOptions::default());
        let id = Some(rule.id_text().to_string()).filter(|s| !s.is_empty());
        match m.diagnostics().iter().find(|d| d.is_error()) {
            Some(d) => (None, Some((d.code.clone(), d.message.clone())), id),
            None => (Some(m), None, id),
        }
    };
    let (rsigma, rsigma_error, rs_id) = match rsigma_parser::parse_sigma_yaml(text) {
        Ok(c) if c.rules.len() == 1 && !c.has_errors() => {
            let id = c.rules[0].id.clone();
            match rsigma_eval::compile_rule(&c.rules[0]) {
                Ok(r) => (Some(r), None, id),
                Err(e) => (None, Some(format!("compile: {e}")), id),
            }
        }
        Ok(c) => (None, Some(format!("{} rules, errors {:?}", c.rules.len(), c.errors)), None),
        Err(e) => (None, Some(format!("parse: {e}")), None),
    };
    let (sigma_rust, sigma_rust_error) = match sigma_rust::rule_from_yaml(text) {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let id = our_id.or(rs_id).unwrap_or_else(|| path.clone());
    RuleEntry { path, id, ours, ours_error, rsigma, rsigma_error, sigma_rust, sigma_rust_error }
}

struct EventEntry {
    /// `<file name>#<index>`, prefixed by the mutation (`upper:`, `typed:`).
    label: String,
    event: Event,
    /// Our normalised fields as one flat object: what the peers see.
    flat: Value,
    /// Only for unmutated events.
    sigma_rust: Option<sigma_rust::Event>,
    /// Ids of the rules whose regression case this event belongs to.
    owners: Vec<String>,
}

fn flat_of(event: &Event) -> Value {
    Value::Object(event.fields().map(|(k, v)| (k.to_string(), v.clone())).collect::<Map<_, _>>())
}

fn load_events(root: &Path, cases: &str) -> Vec<EventEntry> {
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("regression-cases.jsonl: bad line");
        let file = v["event_file"].as_str().expect("event_file").to_string();
        let id = v["rule_id"].as_str().unwrap_or_default().to_string();
        match files.iter_mut().find(|(f, _)| *f == file) {
            Some((_, ids)) => ids.push(id),
            None => files.push((file, vec![id])),
        }
    }
    let mut out = Vec::new();
    for (file, owners) in files {
        let text = std::fs::read_to_string(root.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let batch = parse_events(&text);
        assert!(!batch.events.is_empty(), "{file}: no events read: {:?}", batch.diagnostics);
        let name = file.rsplit('/').next().unwrap_or(&file).to_string();
        for (i, event) in batch.events.into_iter().enumerate() {
            let flat = flat_of(&event);
            let sigma_rust = Some(sigma_rust::Event::try_from(flat.clone()).expect("sigma-rust takes the event"));
            out.push(EventEntry { label: format!("{name}#{i}"), event, flat, sigma_rust, owners: owners.clone() });
        }
    }
    out
}

/// A mutated copy of a flat event; ours reads it with `Event::from_json`.
fn mutated(base: &EventEntry, prefix: &str, f: fn(&Value) -> Value) -> EventEntry {
    let flat = f(&base.flat);
    EventEntry {
        label: format!("{prefix}:{}", base.label),
        event: Event::from_json(flat.clone()),
        flat,
        sigma_rust: None,
        owners: Vec::new(),
    }
}

fn map_leaves(v: &Value, f: &dyn Fn(&Value) -> Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), map_leaves(v, f))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(|v| map_leaves(v, f)).collect()),
        leaf => f(leaf),
    }
}

fn upper(v: &Value) -> Value {
    map_leaves(v, &|l| match l {
        Value::String(s) => Value::String(s.to_uppercase()),
        other => other.clone(),
    })
}

fn typed(v: &Value) -> Value {
    map_leaves(v, &|l| match l {
        Value::String(s) if s == "true" || s == "false" => Value::Bool(s == "true"),
        Value::String(s)
            if !s.is_empty()
                && s.len() < 16
                && s.bytes().all(|b| b.is_ascii_digit())
                && (s == "0" || !s.starts_with('0')) =>
        {
            s.parse::<u64>().map(Value::from).unwrap_or_else(|_| l.clone())
        }
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    })
}

// ---------------------------------------------------------------------------
// Comparing

#[derive(Clone, Copy, PartialEq, Eq)]
enum SigmaRustScope {
    All,
    Regression,
    Off,
}

fn sigma_rust_scope() -> SigmaRustScope {
    match std::env::var("DIFF_SIGMA_RUST").as_deref() {
        Ok("all") => SigmaRustScope::All,
        Ok("regression") => SigmaRustScope::Regression,
        Ok("off") => SigmaRustScope::Off,
        _ if cfg!(debug_assertions) => SigmaRustScope::Regression,
        _ => SigmaRustScope::All,
    }
}

#[derive(Debug, Clone)]
struct Disagreement {
    peer: Peer,
    rule: usize,
    event: usize,
    ours: bool,
}

#[derive(Default)]
struct Counts {
    compared: u64,
    agree: u64,
    both_true: u64,
}

/// The peers' verdicts next to ours for one rule on one event.
fn compare(
    rule: &RuleEntry,
    ev: &EventEntry,
    prepared: &PreparedEvent<'_>,
    json: &rsigma_eval::JsonEvent<'_>,
    sigma_rust_on: bool,
    mut record: impl FnMut(Peer, bool, bool),
) {
    let Some(m) = &rule.ours else { return };
    let ours = m.is_match(prepared);
    if let Some(r) = &rule.rsigma {
        record(Peer::RSigma, ours, rsigma_eval::evaluate_rule(r, json).is_some());
    }
    if let (true, Some(r), Some(e)) = (sigma_rust_on, &rule.sigma_rust, &ev.sigma_rust) {
        record(Peer::SigmaRust, ours, r.is_match(e));
    }
}

/// Every rule against `events[range]`.
fn evaluate_range(
    rules: &[RuleEntry],
    events: &[EventEntry],
    range: std::ops::Range<usize>,
    scope: SigmaRustScope,
) -> (BTreeMap<Peer, Counts>, Vec<Disagreement>) {
    let mut counts: BTreeMap<Peer, Counts> = BTreeMap::new();
    let mut out = Vec::new();
    for ei in range {
        let ev = &events[ei];
        let prepared = PreparedEvent::new(&ev.event);
        let json = rsigma_eval::JsonEvent::borrow(&ev.flat);
        for (ri, rule) in rules.iter().enumerate() {
            let sr_on = match scope {
                SigmaRustScope::All => true,
                SigmaRustScope::Regression => ev.owners.contains(&rule.id),
                SigmaRustScope::Off => false,
            };
            compare(rule, ev, &prepared, &json, sr_on, |peer, ours, theirs| {
                let c = counts.entry(peer).or_default();
                c.compared += 1;
                if theirs == ours {
                    c.agree += 1;
                    c.both_true += u64::from(ours);
                } else {
                    out.push(Disagreement { peer, rule: ri, event: ei, ours });
                }
            });
        }
    }
    (counts, out)
}

/// Checks disagreements against [`ALLOWED`]; returns the report lines and
/// whether everything is accounted for.
struct Verdict {
    report: String,
    failures: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
fn judge(
    title: &str,
    rules: &[RuleEntry],
    events: &[EventEntry],
    counts: &BTreeMap<Peer, Counts>,
    disagreements: &[Disagreement],
    exact_counts: &dyn Fn(Peer) -> bool,
    entries: &[&Allowed],
    dump_name: &str,
) -> Verdict {
    let mut report = String::new();
    let mut failures = Vec::new();
    // Group by (peer, rule, ours).
    let mut groups: BTreeMap<(Peer, usize, bool), Vec<usize>> = BTreeMap::new();
    for d in disagreements {
        groups.entry((d.peer, d.rule, d.ours)).or_default().push(d.event);
    }
    let mut used = vec![false; entries.len()];
    let mut cause_of: BTreeMap<(Peer, usize, bool), Option<Cause>> = BTreeMap::new();
    let mut reason_of: BTreeMap<(Peer, usize, bool), &str> = BTreeMap::new();
    for ((peer, ri, ours), evs) in &groups {
        let id = &rules[*ri].id;
        let entry = entries.iter().position(|a| a.peer == *peer && a.rule_id == id && a.ours == *ours);
        let mut cause = None;
        match entry {
            None => {
                for &ei in evs.iter().take(5) {
                    failures.push(format!(
                        "UNLISTED {}: {} ({}) on {}: ours {}, peer {}",
                        peer.name(),
                        id,
                        rules[*ri].path,
                        events[ei].label,
                        ours,
                        !ours
                    ));
                }
                if evs.len() > 5 {
                    failures.push(format!("UNLISTED {}: {} ... and {} more events", peer.name(), id, evs.len() - 5));
                }
            }
            Some(i) => {
                used[i] = true;
                let a = entries[i];
                reason_of.insert((*peer, *ri, *ours), a.reason);
                match &a.events {
                    Events::List(list) => {
                        let got: BTreeSet<&str> = evs.iter().map(|&e| events[e].label.as_str()).collect();
                        let want: BTreeSet<&str> = list.iter().copied().collect();
                        for extra in got.difference(&want) {
                            failures.push(format!("UNLISTED {}: {} on {extra}: ours {ours}", peer.name(), id));
                        }
                        if exact_counts(*peer) {
                            for gone in want.difference(&got) {
                                failures.push(format!("STALE allow-list event {}: {} on {gone}", peer.name(), id));
                            }
                        }
                        if got.is_subset(&want) {
                            cause = Some(a.cause);
                        }
                    }
                    Events::Count(n) => {
                        let ok = if exact_counts(*peer) { evs.len() == *n } else { evs.len() <= *n };
                        if ok {
                            cause = Some(a.cause);
                        } else {
                            failures.push(format!(
                                "COUNT {}: {} ({}) disagrees on {} events, allow-list says {}",
                                peer.name(),
                                id,
                                rules[*ri].path,
                                evs.len(),
                                n
                            ));
                        }
                    }
                }
            }
        }
        cause_of.insert((*peer, *ri, *ours), cause);
    }
    for (a, u) in entries.iter().zip(&used) {
        if !u && exact_counts(a.peer) {
            failures.push(format!("STALE allow-list entry {}: {} ({})", a.peer.name(), a.rule_id, a.cause.name()));
        }
    }

    let _ = writeln!(report, "\n### {title}\n");
    let _ = writeln!(report, "| peer | pairs compared | agree | both match | disagree | allowed | unlisted |");
    let _ = writeln!(report, "|---|---:|---:|---:|---:|---:|---:|");
    for (peer, c) in counts {
        let dis: usize = groups.iter().filter(|((p, ..), _)| p == peer).map(|(_, v)| v.len()).sum();
        let allowed: usize = groups
            .iter()
            .filter(|(k, _)| k.0 == *peer && cause_of.get(*k).copied().flatten().is_some())
            .map(|(_, v)| v.len())
            .sum();
        let _ = writeln!(
            report,
            "| {} | {} | {} | {} | {} | {} | {} |",
            peer.name(),
            c.compared,
            c.agree,
            c.both_true,
            dis,
            allowed,
            dis - allowed
        );
    }
    if !groups.is_empty() {
        let mut by_cause: BTreeMap<(Peer, Option<Cause>, bool), (usize, usize)> = BTreeMap::new();
        for (k, evs) in &groups {
            let e = by_cause.entry((k.0, cause_of.get(k).copied().flatten(), k.2)).or_default();
            e.0 += evs.len();
            e.1 += 1;
        }
        let _ = writeln!(report, "\n| peer | cause | ours | pairs | rules |");
        let _ = writeln!(report, "|---|---|---|---:|---:|");
        for ((peer, cause, ours), (n, r)) in &by_cause {
            let _ = writeln!(
                report,
                "| {} | {} | {} | {} | {} |",
                peer.name(),
                cause.map_or("UNLISTED", Cause::name),
                if *ours { "match" } else { "no match" },
                n,
                r
            );
        }
    }

    let dump = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dump_name);
    let mut lines = String::new();
    for d in disagreements {
        let r = &rules[d.rule];
        let cause = cause_of.get(&(d.peer, d.rule, d.ours)).copied().flatten();
        let _ = writeln!(
            lines,
            "{}",
            serde_json::json!({
                "peer": d.peer.name(), "rule_id": r.id, "rule_path": r.path, "event": events[d.event].label,
                "ours": d.ours, "cause": cause.map(Cause::name),
                "reason": reason_of.get(&(d.peer, d.rule, d.ours)),
            })
        );
    }
    let _ = std::fs::write(&dump, lines);
    let _ = writeln!(report, "\nall disagreements: {}", dump.display());
    Verdict { report, failures }
}

fn first_line(s: &str) -> &str {
    let l = s.lines().next().unwrap_or_default();
    &l[..l.char_indices().nth(160).map_or(l.len(), |(i, _)| i)]
}

// ---------------------------------------------------------------------------
// Test 1: corpus × regression events

#[test]
fn corpus_x_regression_events() {
    let root = shared().join("corpus/sigmahq");
    let cases_path = shared().join("corpus/regression-cases.jsonl");
    let Ok(cases) = std::fs::read_to_string(&cases_path) else {
        assert!(std::env::var_os("CI").is_none(), "corpus missing at {}", cases_path.display());
        eprintln!("differential: corpus not found at {}, skipped", cases_path.display());
        return;
    };

    let t0 = std::time::Instant::now();
    let rules: Vec<RuleEntry> = rule_files(&root)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            compile_entry(rel, &std::fs::read_to_string(&p).unwrap_or_default())
        })
        .collect();
    let base = load_events(&root, &cases);
    let n_base = base.len();
    let mut events = Vec::with_capacity(3 * n_base);
    let upper_copies: Vec<_> = base.iter().map(|e| mutated(e, "upper", upper)).collect();
    let typed_copies: Vec<_> = base.iter().map(|e| mutated(e, "typed", typed)).collect();
    events.extend(base);
    events.extend(upper_copies);
    events.extend(typed_copies);
    let load_time = t0.elapsed();
    assert!(rules.len() > 3900, "expected the whole corpus, found {} rule files", rules.len());
    assert!(n_base > 200, "expected the regression events, found {n_base}");

    let scope = sigma_rust_scope();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(events.len());
    let t1 = std::time::Instant::now();
    // Events interleaved over threads (sigma-rust only runs on the first third).
    type PartResults = BTreeMap<&'static str, (BTreeMap<Peer, Counts>, Vec<Disagreement>)>;
    let results: Vec<PartResults> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (rules, events) = (&rules, &events);
                s.spawn(move || {
                    let mut parts = PartResults::new();
                    for ei in (t..events.len()).step_by(threads) {
                        let (c, d) = evaluate_range(rules, events, ei..ei + 1, scope);
                        let (counts, dis) = parts.entry(part_of_label(&events[ei].label)).or_default();
                        for (p, c) in c {
                            let e = counts.entry(p).or_default();
                            e.compared += c.compared;
                            e.agree += c.agree;
                            e.both_true += c.both_true;
                        }
                        dis.extend(d);
                    }
                    parts
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("evaluation thread panicked")).collect()
    });
    let eval_time = t1.elapsed();
    let mut parts = PartResults::new();
    for r in results {
        for (part, (c, d)) in r {
            let (counts, dis) = parts.entry(part).or_default();
            for (p, c) in c {
                let e = counts.entry(p).or_default();
                e.compared += c.compared;
                e.agree += c.agree;
                e.both_true += c.both_true;
            }
            dis.extend(d);
        }
    }
    for (_, dis) in parts.values_mut() {
        dis.sort_by(|a, b| (a.peer, &rules[a.rule].path, a.event).cmp(&(b.peer, &rules[b.rule].path, b.event)));
    }

    let mut report = String::new();
    let n_ours = rules.iter().filter(|r| r.ours.is_some()).count();
    let n_rs = rules.iter().filter(|r| r.rsigma.is_some()).count();
    let n_sr = rules.iter().filter(|r| r.sigma_rust.is_some()).count();
    let _ = writeln!(
        report,
        "\n## differential: {} rule files × {} regression events ({} files) + 2 × {} mutated copies; loaded in {:.1?}, \
         evaluated in {:.1?}; sigma-rust: {}",
        rules.len(),
        n_base,
        events[..n_base].iter().map(|e| e.label.split('#').next().unwrap_or_default()).collect::<BTreeSet<_>>().len(),
        n_base,
        load_time,
        eval_time,
        match scope {
            SigmaRustScope::All => "all unmutated pairs",
            SigmaRustScope::Regression => "regression pairs only (DIFF_SIGMA_RUST=all for all)",
            SigmaRustScope::Off => "off",
        }
    );
    let _ = writeln!(report, "rules compiled: ours {n_ours}, RSigma {n_rs}, sigma-rust {n_sr} (of {})", rules.len());

    let corpus_entries: Vec<&Allowed> = ALLOWED.iter().filter(|a| !a.rule_id.starts_with("probe:")).collect();
    let mut failures = Vec::new();
    for (part, (counts, dis)) in &parts {
        let exact = |p: Peer| p == Peer::RSigma || (scope == SigmaRustScope::All && part.starts_with('1'));
        // Allow-list entries for sigma-rust apply to unmutated events only;
        // RSigma entries name their events (with the mutation prefix).
        let entries: Vec<&Allowed> = corpus_entries
            .iter()
            .copied()
            .filter(|a| match (&a.events, part.starts_with('1')) {
                (Events::List(l), _) => l.iter().any(|e| part_of_label(e) == *part),
                (Events::Count(_), first) => first,
            })
            .collect();
        let v = judge(
            part,
            &rules,
            &events,
            counts,
            dis,
            &exact,
            &entries,
            &format!("differential-{}.jsonl", &part[3..].replace(' ', "-")),
        );
        report.push_str(&v.report);
        failures.extend(v.failures);
    }

    // Rule-level differences: what each engine refuses to compile.
    let _ = writeln!(report, "\n### rules an engine rejects\n");
    for r in rules.iter().filter(|r| r.rsigma.is_none()) {
        let _ = writeln!(
            report,
            "- RSigma rejects {}: {}",
            r.path,
            first_line(r.rsigma_error.as_deref().unwrap_or_default())
        );
    }
    let sr_rejects: Vec<_> = rules.iter().filter(|r| r.sigma_rust.is_none()).collect();
    let _ = writeln!(report, "- sigma-rust rejects {} rules, e.g.:", sr_rejects.len());
    for r in sr_rejects.iter().filter(|r| r.ours.is_some()).take(3) {
        let _ = writeln!(report, "  - {}: {}", r.path, first_line(r.sigma_rust_error.as_deref().unwrap_or_default()));
    }
    let mut reject_counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in rules.iter().filter(|r| r.ours.is_none()) {
        let (code, msg) = r.ours_error.clone().unwrap_or_default();
        let peer_ok = r.rsigma.is_some() || r.sigma_rust.is_some();
        let _ = writeln!(
            report,
            "- ours rejects {} ({}): {code}: {}",
            r.path,
            if peer_ok { "a peer compiles it" } else { "the peers reject it too" },
            first_line(&msg)
        );
        if peer_ok {
            *reject_counts.entry(code).or_default() += 1;
        }
    }
    for (code, n) in &reject_counts {
        match OURS_REJECT_ALLOWED.iter().find(|(c, ..)| c == code) {
            Some((_, want, _)) if want == n => {}
            Some((_, want, _)) => {
                failures.push(format!("we reject {n} rules with `{code}` that a peer compiles, allow-list says {want}"))
            }
            None => failures.push(format!("we reject {n} rules with `{code}` that a peer compiles")),
        }
    }
    for (code, want, _) in OURS_REJECT_ALLOWED {
        if !reject_counts.contains_key(*code) {
            failures.push(format!("STALE reject allow-list entry `{code}` ({want} rules)"));
        }
    }

    println!("{report}");
    for f in &failures {
        println!("{f}");
    }
    assert!(failures.is_empty(), "{} problems (unlisted or stale differences); see the report above", failures.len());
}

fn part_of_label(label: &str) -> &'static str {
    if label.starts_with("upper:") {
        "2. upper-cased copies"
    } else if label.starts_with("typed:") {
        "3. typed copies"
    } else {
        "1. regression events"
    }
}

// ---------------------------------------------------------------------------
// Test 2: probes

/// One semantic corner: a detection (the lines under `detection:`), an
/// event, and the verdict the spec implies (`None` where it is silent).
struct Probe {
    name: &'static str,
    cause: Cause,
    detection: &'static str,
    event: &'static str,
    spec: Option<bool>,
}

const fn p(
    name: &'static str,
    cause: Cause,
    detection: &'static str,
    event: &'static str,
    spec: Option<bool>,
) -> Probe {
    Probe { name, cause, detection, event, spec }
}

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const U: Option<bool> = None;

use Cause::*;

const PROBES: &[Probe] = &[
    // null / empty / exists
    p("null-absent", NullSemantics, "sel:\n  A: null\ncondition: sel", r#"{"B":"x"}"#, T),
    p("null-json-null", NullSemantics, "sel:\n  A: null\ncondition: sel", r#"{"A":null}"#, T),
    p("null-empty-string", NullSemantics, "sel:\n  A: null\ncondition: sel", r#"{"A":""}"#, F),
    p(
        "null-not-filter",
        NullSemantics,
        "sel:\n  A: x\nfilter:\n  B: null\ncondition: sel and not filter",
        r#"{"A":"x"}"#,
        F,
    ),
    p("empty-absent", NullSemantics, "sel:\n  A: ''\ncondition: sel", r#"{"B":"x"}"#, F),
    p("empty-empty", NullSemantics, "sel:\n  A: ''\ncondition: sel", r#"{"A":""}"#, T),
    p("exists-json-null", NullSemantics, "sel:\n  A|exists: true\ncondition: sel", r#"{"A":null}"#, T),
    p("exists-false-absent", NullSemantics, "sel:\n  A|exists: false\ncondition: sel", r#"{"B":1}"#, T),
    p("exists-false-present", NullSemantics, "sel:\n  A|exists: false\ncondition: sel", r#"{"A":""}"#, F),
    // keywords
    p("kw-substring", Keywords, "keywords:\n  - evil\ncondition: keywords", r#"{"CommandLine":"run evil.exe now"}"#, T),
    p("kw-case", Keywords, "keywords:\n  - EVIL\ncondition: keywords", r#"{"A":"an evil one"}"#, T),
    p("kw-number-value", Keywords, "keywords:\n  - '4688'\ncondition: keywords", r#"{"EventID":4688}"#, T),
    p("kw-field-name", Keywords, "keywords:\n  - CommandLine\ncondition: keywords", r#"{"CommandLine":"x"}"#, U),
    p("kw-wildcard", Keywords, "keywords:\n  - 'ev*il'\ncondition: keywords", r#"{"A":"xx evXXil yy"}"#, T),
    p("kw-question", Keywords, "keywords:\n  - 'ev?l'\ncondition: keywords", r#"{"A":"an evXl one"}"#, T),
    p(
        "kw-all-across-fields",
        Keywords,
        "keywords:\n  '|all':\n    - a1\n    - b2\ncondition: keywords",
        r#"{"A":"a1","B":"b2"}"#,
        T,
    ),
    p("kw-spanning-fields", Keywords, "keywords:\n  - 'a1 b2'\ncondition: keywords", r#"{"A":"a1","B":"b2"}"#, U),
    p("kw-nested-value", Keywords, "keywords:\n  - evil\ncondition: keywords", r#"{"A":{"B":"so evil"}}"#, T),
    p("kw-array-value", Keywords, "keywords:\n  - evil\ncondition: keywords", r#"{"A":["ok","so evil"]}"#, T),
    p(
        "kw-bare-string-event",
        Keywords,
        "keywords:\n  - evil\ncondition: keywords",
        r#"{"message":"an evil log line"}"#,
        T,
    ),
    // numbers and strings
    p("num-int-vs-str", NumericString, "sel:\n  EventID: 4688\ncondition: sel", r#"{"EventID":"4688"}"#, T),
    p("num-str-vs-int", NumericString, "sel:\n  EventID: '4688'\ncondition: sel", r#"{"EventID":4688}"#, T),
    p("num-leading-zero", NumericString, "sel:\n  EventID: 4688\ncondition: sel", r#"{"EventID":"04688"}"#, U),
    p("num-float-text", NumericString, "sel:\n  A: 1.5\ncondition: sel", r#"{"A":"1.50"}"#, U),
    p("num-hex-string", NumericString, "sel:\n  A: '0x17'\ncondition: sel", r#"{"A":23}"#, F),
    p("num-int-vs-float", NumericString, "sel:\n  A: 10\ncondition: sel", r#"{"A":10.0}"#, U),
    p("num-gt-string-event", NumericString, "sel:\n  A|gt: 10\ncondition: sel", r#"{"A":"12"}"#, T),
    p("num-gt-non-numeric", NumericString, "sel:\n  A|gt: 10\ncondition: sel", r#"{"A":"abc"}"#, F),
    p("num-lte-boundary", NumericString, "sel:\n  A|lte: 10\ncondition: sel", r#"{"A":10}"#, T),
    p("num-gt-float", NumericString, "sel:\n  A|gt: 1.5\ncondition: sel", r#"{"A":2}"#, T),
    p("num-startswith-number", NumericString, "sel:\n  A|startswith: '46'\ncondition: sel", r#"{"A":4688}"#, T),
    p("num-contains-number", NumericString, "sel:\n  A|contains: '68'\ncondition: sel", r#"{"A":4688}"#, T),
    p("bool-rule-true-vs-str", NumericString, "sel:\n  A: true\ncondition: sel", r#"{"A":"true"}"#, T),
    p("bool-rule-str-vs-bool", NumericString, "sel:\n  A: 'true'\ncondition: sel", r#"{"A":true}"#, T),
    p("bool-case", NumericString, "sel:\n  A: 'True'\ncondition: sel", r#"{"A":true}"#, T),
    p("bool-vs-number", NumericString, "sel:\n  A: true\ncondition: sel", r#"{"A":1}"#, F),
    // case folding
    p("case-ascii", CaseFolding, "sel:\n  A: 'CMD.EXE'\ncondition: sel", r#"{"A":"cmd.exe"}"#, T),
    p("case-latin1", CaseFolding, "sel:\n  A: 'ÉCOLE'\ncondition: sel", r#"{"A":"école"}"#, T),
    p(
        "case-cyrillic-contains",
        CaseFolding,
        "sel:\n  A|contains: 'ПРИВЕТ'\ncondition: sel",
        r#"{"A":"привет мир"}"#,
        T,
    ),
    p("case-greek-final-sigma", CaseFolding, "sel:\n  A: 'ΟΔΟΣ'\ncondition: sel", r#"{"A":"οδος"}"#, T),
    p("case-greek-medial-sigma", CaseFolding, "sel:\n  A: 'ΟΔΟΣ'\ncondition: sel", r#"{"A":"οδοσ"}"#, T),
    p("case-sharp-s", CaseFolding, "sel:\n  A: 'STRASSE'\ncondition: sel", r#"{"A":"straße"}"#, U),
    p("case-kelvin-sign", CaseFolding, "sel:\n  A: 'K'\ncondition: sel", r#"{"A":"\u212a"}"#, U),
    p("case-turkish-dotted-i", CaseFolding, "sel:\n  A: 'İ'\ncondition: sel", r#"{"A":"i"}"#, U),
    p("case-nonascii-wildcard", CaseFolding, "sel:\n  A: 'É*E'\ncondition: sel", r#"{"A":"école"}"#, T),
    p("case-cased", CaseFolding, "sel:\n  A|cased: 'Abc'\ncondition: sel", r#"{"A":"abc"}"#, F),
    p("case-cased-contains", CaseFolding, "sel:\n  A|cased|contains: 'Bc'\ncondition: sel", r#"{"A":"aBcd"}"#, T),
    // windash
    p(
        "windash-hyphen",
        Windash,
        "sel:\n  A|windash|contains: ' -enc '\ncondition: sel",
        r#"{"A":"powershell -enc AAA"}"#,
        T,
    ),
    p(
        "windash-slash",
        Windash,
        "sel:\n  A|windash|contains: ' -enc '\ncondition: sel",
        r#"{"A":"powershell /enc AAA"}"#,
        T,
    ),
    p(
        "windash-en-dash",
        Windash,
        "sel:\n  A|windash|contains: ' -enc '\ncondition: sel",
        r#"{"A":"powershell \u2013enc AAA"}"#,
        T,
    ),
    p(
        "windash-em-dash",
        Windash,
        "sel:\n  A|windash|contains: ' -enc '\ncondition: sel",
        r#"{"A":"powershell \u2014enc AAA"}"#,
        T,
    ),
    p(
        "windash-horizontal-bar",
        Windash,
        "sel:\n  A|windash|contains: ' -enc '\ncondition: sel",
        r#"{"A":"powershell \u2015enc AAA"}"#,
        T,
    ),
    p(
        "windash-rule-slash",
        Windash,
        "sel:\n  A|windash|contains: ' /enc '\ncondition: sel",
        r#"{"A":"powershell -enc AAA"}"#,
        U,
    ),
    p("windash-two-dashes", Windash, "sel:\n  A|windash|contains: '-a -b'\ncondition: sel", r#"{"A":"x /a -b"}"#, T),
    p("windash-exact", Windash, "sel:\n  A|windash: '-x'\ncondition: sel", r#"{"A":"/x"}"#, T),
    // base64
    p(
        "b64offset-0",
        Base64Offset,
        "sel:\n  A|base64offset|contains: 'http://'\ncondition: sel",
        r#"{"A":"aHR0cDovL3g="}"#,
        T,
    ),
    p(
        "b64offset-1",
        Base64Offset,
        "sel:\n  A|base64offset|contains: 'http://'\ncondition: sel",
        r#"{"A":"eGh0dHA6Ly94"}"#,
        T,
    ),
    p(
        "b64offset-2",
        Base64Offset,
        "sel:\n  A|base64offset|contains: 'http://'\ncondition: sel",
        r#"{"A":"eHhodHRwOi8veA=="}"#,
        T,
    ),
    p(
        "b64offset-wide-0",
        Base64Offset,
        "sel:\n  A|wide|base64offset|contains: 'cmd /c'\ncondition: sel",
        r#"{"A":"YwBtAGQAIAAvAGMA"}"#,
        T,
    ),
    p(
        "b64offset-wide-1",
        Base64Offset,
        "sel:\n  A|wide|base64offset|contains: 'cmd /c'\ncondition: sel",
        r#"{"A":"eABjAG0AZAAgAC8AYwA="}"#,
        T,
    ),
    p(
        "b64offset-wide-2",
        Base64Offset,
        "sel:\n  A|wide|base64offset|contains: 'cmd /c'\ncondition: sel",
        r#"{"A":"eAB4AGMAbQBkACAALwBjAA=="}"#,
        T,
    ),
    p(
        "b64offset-other-case",
        Base64Offset,
        "sel:\n  A|base64offset|contains: 'http://'\ncondition: sel",
        r#"{"A":"AHR0CDOVL3G="}"#,
        U,
    ),
    p("b64-plain", Base64Offset, "sel:\n  A|base64: 'abc'\ncondition: sel", r#"{"A":"YWJj"}"#, T),
    p("b64-not-contained", Base64Offset, "sel:\n  A|base64: 'abc'\ncondition: sel", r#"{"A":"xYWJj"}"#, F),
    p(
        "utf16le-contains",
        Base64Offset,
        "sel:\n  A|utf16le|base64|contains: 'cmd /c'\ncondition: sel",
        r#"{"A":"..YwBtAGQAIAAvAGMA.."}"#,
        T,
    ),
    // regex
    p("re-case-default", RegexFlags, "sel:\n  A|re: 'abc'\ncondition: sel", r#"{"A":"ABC"}"#, F),
    p("re-i", RegexFlags, "sel:\n  A|re|i: 'abc'\ncondition: sel", r#"{"A":"ABC"}"#, T),
    p("re-unanchored", RegexFlags, "sel:\n  A|re: 'b.d'\ncondition: sel", r#"{"A":"abcde"}"#, T),
    p("re-m", RegexFlags, "sel:\n  A|re|m: '^foo$'\ncondition: sel", r#"{"A":"x\nfoo\ny"}"#, T),
    p("re-no-m", RegexFlags, "sel:\n  A|re: '^foo$'\ncondition: sel", r#"{"A":"x\nfoo\ny"}"#, F),
    p("re-s", RegexFlags, "sel:\n  A|re|s: 'a.b'\ncondition: sel", r#"{"A":"a\nb"}"#, T),
    p("re-no-s", RegexFlags, "sel:\n  A|re: 'a.b'\ncondition: sel", r#"{"A":"a\nb"}"#, F),
    p("re-inline-i", RegexFlags, "sel:\n  A|re: '(?i)abc'\ncondition: sel", r#"{"A":"ABC"}"#, U),
    p("re-number-event", RegexFlags, "sel:\n  A|re: '^46[0-9]+$'\ncondition: sel", r#"{"A":4688}"#, U),
    p("re-i-nonascii", RegexFlags, "sel:\n  A|re|i: 'école'\ncondition: sel", r#"{"A":"ÉCOLE"}"#, T),
    // field names
    p("field-spaces", FieldNames, "sel:\n  SourceName: x\ncondition: sel", r#"{"Source Name":"x"}"#, T),
    p("field-case", FieldNames, "sel:\n  image: x\ncondition: sel", r#"{"Image":"x"}"#, U),
    p("field-dotted-nested", FieldNames, "sel:\n  a.b: x\ncondition: sel", r#"{"a":{"b":"x"}}"#, U),
    p("field-dotted-literal", FieldNames, "sel:\n  a.b: x\ncondition: sel", r#"{"a.b":"x"}"#, T),
    p("field-array-any", FieldNames, "sel:\n  A: x\ncondition: sel", r#"{"A":["y","x"]}"#, U),
    p("field-array-nested-any", FieldNames, "sel:\n  a.b: x\ncondition: sel", r#"{"a":[{"b":"y"},{"b":"x"}]}"#, U),
    // wildcards and escapes
    p("wc-question", Wildcards, "sel:\n  A: 'a?c'\ncondition: sel", r#"{"A":"abc"}"#, T),
    p("wc-question-empty", Wildcards, "sel:\n  A: 'a?c'\ncondition: sel", r#"{"A":"ac"}"#, F),
    p("wc-escaped-star", Wildcards, "sel:\n  A: 'a\\*c'\ncondition: sel", r#"{"A":"a*c"}"#, T),
    p("wc-escaped-star-no-wild", Wildcards, "sel:\n  A: 'a\\*c'\ncondition: sel", r#"{"A":"abc"}"#, F),
    p("wc-backslash-then-star", Wildcards, "sel:\n  A: 'a\\\\*'\ncondition: sel", r#"{"A":"a\\xyz"}"#, T),
    p("wc-trailing-backslash", Wildcards, "sel:\n  A|endswith: '\\'\ncondition: sel", r#"{"A":"C:\\dir\\"}"#, T),
    p(
        "wc-double-backslash-plain",
        Wildcards,
        "sel:\n  A: 'C:\\\\Windows'\ncondition: sel",
        r#"{"A":"C:\\Windows"}"#,
        T,
    ),
    p("wc-four-backslashes", Wildcards, "sel:\n  A: 'a\\\\\\\\b'\ncondition: sel", r#"{"A":"a\\\\b"}"#, T),
    p("wc-three-backslashes-star", Wildcards, "sel:\n  A: 'a\\\\\\*'\ncondition: sel", r#"{"A":"a\\*"}"#, T),
    p("wc-star-newline", Wildcards, "sel:\n  A: 'a*b'\ncondition: sel", r#"{"A":"a\nb"}"#, U),
    p("wc-contains-star-inside", Wildcards, "sel:\n  A|contains: 'a*c'\ncondition: sel", r#"{"A":"xxabbcxx"}"#, T),
    p("wc-contains-empty", Wildcards, "sel:\n  A|contains: ''\ncondition: sel", r#"{"A":"x"}"#, U),
    // other modifiers and conditions
    p("cidr-v4", Other, "sel:\n  A|cidr: 10.0.0.0/8\ncondition: sel", r#"{"A":"10.1.2.3"}"#, T),
    p("cidr-v4-outside", Other, "sel:\n  A|cidr: 10.0.0.0/8\ncondition: sel", r#"{"A":"11.1.2.3"}"#, F),
    p("cidr-v6", Other, "sel:\n  A|cidr: 'fe80::/10'\ncondition: sel", r#"{"A":"fe80::1"}"#, T),
    p("cidr-not-ip", Other, "sel:\n  A|cidr: 10.0.0.0/8\ncondition: sel", r#"{"A":"10.x"}"#, F),
    p("all-contains", Other, "sel:\n  A|contains|all:\n    - a1\n    - b2\ncondition: sel", r#"{"A":"b2 a1"}"#, T),
    p("all-contains-partial", Other, "sel:\n  A|contains|all:\n    - a1\n    - b2\ncondition: sel", r#"{"A":"a1"}"#, F),
    p("neq-different", Other, "sel:\n  A|neq: x\ncondition: sel", r#"{"A":"y"}"#, T),
    p("neq-same", Other, "sel:\n  A|neq: x\ncondition: sel", r#"{"A":"X"}"#, F),
    p("neq-absent", Other, "sel:\n  A|neq: x\ncondition: sel", r#"{"B":"y"}"#, U),
    p("fieldref-equal", Other, "sel:\n  A|fieldref: B\ncondition: sel", r#"{"A":"x","B":"x"}"#, T),
    p("fieldref-case", Other, "sel:\n  A|fieldref: B\ncondition: sel", r#"{"A":"x","B":"X"}"#, T),
    p("fieldref-different", Other, "sel:\n  A|fieldref: B\ncondition: sel", r#"{"A":"x","B":"y"}"#, F),
    p("time-hour", Other, "sel:\n  A|hour: 13\ncondition: sel", r#"{"A":"2024-01-02T13:45:00Z"}"#, T),
    p("time-month", Other, "sel:\n  A|month: 1\ncondition: sel", r#"{"A":"2024-01-02T13:45:00Z"}"#, T),
    p("cond-underscore-them", Other, "_x:\n  A: x\nsel:\n  B: y\ncondition: 1 of them", r#"{"A":"x"}"#, F),
    p(
        "cond-and-binds-tighter",
        Other,
        "a:\n  A: x\nb:\n  B: y\nc:\n  C: z\ncondition: a or b and c",
        r#"{"A":"x"}"#,
        T,
    ),
    p("cond-not-binds-tighter", Other, "a:\n  A: x\nb:\n  B: y\ncondition: not a and b", r#"{"A":"x","B":"y"}"#, F),
    p("cond-list-is-or", Other, "a:\n  A: x\nb:\n  B: y\ncondition:\n  - a\n  - b", r#"{"B":"y"}"#, T),
    p("cond-all-of-pattern", Other, "sel_a:\n  A: x\nsel_b:\n  B: y\ncondition: all of sel_*", r#"{"A":"x"}"#, F),
    p("list-of-maps-or", Other, "sel:\n  - A: x\n  - B: y\ncondition: sel", r#"{"B":"y"}"#, T),
    p("map-and", Other, "sel:\n  A: x\n  B: y\ncondition: sel", r#"{"B":"y"}"#, F),
];

/// Probe differences the spec decides against the peer (or leaves open, and
/// then our documented choice stands). Each is one rule on one event.
const PROBES_ALLOWED: &[Allowed] = &[
    // RSigma
    rs("probe:exists-json-null", PROBE, true, NullSemantics,
        "`exists` \"only verifies the presence of a field, not its value, be it empty or null\" (modifiers appendix)"),
    rs("probe:kw-number-value", PROBE, true, Keywords,
        "keywords apply \"to the full log message\"; a number is part of it (\"all values are treated as strings\"); RSigma searches string values only"),
    rs("probe:kw-all-across-fields", PROBE, true, Keywords,
        "`'|all'` keywords: each keyword searched \"across an entire event\"; RSigma wants them all in one value"),
    rs("probe:windash-rule-slash", PROBE, true, Windash,
        "windash \"converts the aforementioned characters interchangeably\": a `/` in the rule value permutes too; RSigma permutes `-` only"),
    rs("probe:b64offset-0", PROBE, true, Base64Offset,
        "base64offset: \"three variants for shifts by zero to two bytes\"; `http://x` encoded at shift 0 must match; RSigma finds shift 2 only"),
    rs("probe:b64offset-1", PROBE, true, Base64Offset,
        "as b64offset-0, for the 1-byte shift"),
    rs("probe:b64offset-other-case", PROBE, true, Base64Offset,
        "\"All values are treated as case-insensitive strings\", including modifier outputs (open: base64 text itself is case-sensitive)"),
    rs("probe:field-spaces", PROBE, true, FieldNames,
        "field names: \"use them as they appear in the log source and strip all spaces\" (`SAM User Account` -> `SAMUserAccount`)"),
    rs("probe:wc-star-newline", PROBE, true, Wildcards,
        "`*` is \"an unbounded length wildcard\" with no exception for line breaks; RSigma's `*` stops at a newline"),
    rs("probe:neq-absent", PROBE, true, Other,
        "open: neq \"the field is different from the specified values\"; ours: an absent field is different (documented in matcher.rs)"),
    rs("probe:case-greek-medial-sigma", PROBE, true, CaseFolding,
        "case-insensitive: `ΟΔΟΣ` vs `οδοσ`; Rust's `to_lowercase` turns a word-final Σ into ς, so RSigma misses the medial form σ; both are lowercase Σ"),
    // sigma-rust
    sr("probe:null-absent", PROBE, true, NullSemantics, SR_NULL),
    sr("probe:null-not-filter", PROBE, false, NullSemantics, SR_NULL),
    sr("probe:kw-substring", PROBE, true, Keywords, SR_KEYWORDS),
    sr("probe:kw-case", PROBE, true, Keywords, SR_KEYWORDS),
    sr("probe:kw-wildcard", PROBE, true, Keywords, SR_KEYWORDS),
    sr("probe:kw-question", PROBE, true, Keywords, SR_KEYWORDS),
    sr("probe:kw-all-across-fields", PROBE, true, Keywords, SR_KEYWORDS),
    sr("probe:kw-nested-value", PROBE, true, Keywords, SR_KEYWORDS),
    sr("probe:kw-array-value", PROBE, true, Keywords, SR_KEYWORDS),
    sr("probe:kw-bare-string-event", PROBE, true, Keywords, SR_KEYWORDS),
    sr("probe:num-int-vs-str", PROBE, true, NumericString, SR_TYPES),
    sr("probe:num-leading-zero", PROBE, true, NumericString, SR_TYPES),
    sr("probe:num-float-text", PROBE, true, NumericString, SR_TYPES),
    sr("probe:num-int-vs-float", PROBE, true, NumericString, SR_TYPES),
    sr("probe:num-gt-string-event", PROBE, true, NumericString, SR_TYPES),
    sr("probe:num-gt-float", PROBE, true, NumericString, SR_TYPES),
    sr("probe:bool-rule-true-vs-str", PROBE, true, NumericString, SR_TYPES),
    sr("probe:case-greek-final-sigma", PROBE, true, CaseFolding,
        "case-insensitive: `ΟΔΟΣ` vs `οδος`; sigma-rust lowercases Σ to σ only, never to the final form ς"),
    sr("probe:field-spaces", PROBE, true, FieldNames,
        "field names: \"use them as they appear in the log source and strip all spaces\""),
    sr("probe:field-array-any", PROBE, true, FieldNames,
        "open: ours documents \"an event value that is an array matches when any element matches\"; sigma-rust never matches arrays"),
    sr("probe:field-array-nested-any", PROBE, true, FieldNames,
        "open: the same array contract through a dotted path (`a.b` over `a: [{b: y}, {b: x}]`); sigma-rust does not descend into arrays"),
    sr("probe:fieldref-case", PROBE, true, Other,
        "\"All values are treated as case-insensitive strings\"; a field reference compares values"),
    sr("probe:cond-underscore-them", PROBE, false, Other,
        "`1 of them`: \"across all defined search identifiers not starting with an underscore\""),
];

const SR_TYPES: &str = "sigma-rust compares a rule number only with event numbers of the same type; \
\"All values are treated as case-insensitive strings\", and numeric modifiers compare numbers";

#[test]
fn probes() {
    let mut rules = Vec::new();
    let mut events = Vec::new();
    for (i, pr) in PROBES.iter().enumerate() {
        let indented: String = pr.detection.lines().map(|l| format!("    {l}\n")).collect();
        let text = format!(
            "title: probe {}\nid: 00000000-0000-4000-8000-{:012}\nstatus: test\nlogsource:\n    product: test\ndetection:\n{indented}level: low\n",
            pr.name, i
        );
        let mut entry = compile_entry(format!("probe:{}", pr.name), &text);
        entry.id = format!("probe:{}", pr.name);
        assert!(entry.ours.is_some(), "probe {}: ours rejects it: {:?}\n{text}", pr.name, entry.ours_error);
        rules.push(entry);
        let value: Value = serde_json::from_str(pr.event).unwrap_or_else(|e| panic!("probe {}: event: {e}", pr.name));
        let event = Event::from_json(value.clone());
        let sigma_rust = sigma_rust::Event::try_from(value.clone()).ok();
        events.push(EventEntry { label: "probe".into(), event, flat: value, sigma_rust, owners: Vec::new() });
    }

    let mut counts: BTreeMap<Peer, Counts> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut table =
        String::from("\n| probe | cause | spec | ours | RSigma | sigma-rust |\n|---|---|---|---|---|---|\n");
    let mut spec_failures = Vec::new();
    let show = |b: Option<bool>| match b {
        Some(true) => "match",
        Some(false) => "no match",
        None => "—",
    };
    for (i, (rule, ev)) in rules.iter().zip(&events).enumerate() {
        let prepared = PreparedEvent::new(&ev.event);
        let json = rsigma_eval::JsonEvent::borrow(&ev.flat);
        let ours = rule.ours.as_ref().map(|m| m.is_match(&prepared));
        let rs = rule.rsigma.as_ref().map(|r| rsigma_eval::evaluate_rule(r, &json).is_some());
        let srv = match (&rule.sigma_rust, &ev.sigma_rust) {
            (Some(r), Some(e)) => Some(r.is_match(e)),
            _ => None,
        };
        compare(rule, ev, &prepared, &json, true, |peer, ours, theirs| {
            let c = counts.entry(peer).or_default();
            c.compared += 1;
            if ours == theirs {
                c.agree += 1;
                c.both_true += u64::from(ours);
            } else {
                disagreements.push(Disagreement { peer, rule: i, event: i, ours });
            }
        });
        let pr = &PROBES[i];
        let mark = |v: Option<bool>, compiled: bool| {
            if !compiled {
                "rejects".to_string()
            } else {
                let s = show(v).to_string();
                if v.is_some() && v != ours {
                    format!("**{s}**")
                } else {
                    s
                }
            }
        };
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {} | {} |",
            pr.name,
            pr.cause.name(),
            match pr.spec {
                Some(b) => show(Some(b)),
                None => "open",
            },
            show(ours),
            mark(rs, rule.rsigma.is_some()),
            mark(srv, rule.sigma_rust.is_some() && ev.sigma_rust.is_some()),
        );
        if pr.spec.is_some() && ours != pr.spec {
            spec_failures.push(format!("SPEC probe {}: ours {:?}, the spec implies {:?}", pr.name, ours, pr.spec));
        }
    }
    let entries: Vec<&Allowed> =
        PROBES_ALLOWED.iter().chain(ALLOWED.iter().filter(|a| a.rule_id.starts_with("probe:"))).collect();
    let v = judge("probes", &rules, &events, &counts, &disagreements, &|_| true, &entries, "differential-probes.jsonl");
    println!("{}{table}", v.report);
    let mut failures = v.failures;
    failures.extend(spec_failures);
    for f in &failures {
        println!("{f}");
    }
    assert!(failures.is_empty(), "{} probe problems; see the report above", failures.len());
}
