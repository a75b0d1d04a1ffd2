//! Parity: the rule's KQL run over the same events as the Sigma matcher,
//! event by event, on the events as pasted or on the rows each real source
//! of the table produces.

use serde::{Deserialize, Serialize};

use super::*;
use crate::base::diag::Severity;
use crate::engine::matcher::{MatchOptions, MatchResult, Matcher};
use crate::event::parse_events;
use crate::event::Event;
use crate::pipeline::Pipeline;
use crate::sigma::compiled::Placeholders;
use crate::sigma::rule::{parse_rules, Rule, RuleKind};

/// How the events given to [`kql_parity`] are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventsSchema {
    /// Decide from the events' keys (reported in [`KqlParityReport::schema`]).
    #[default]
    Auto,
    /// Sigma field names, mapped to the target's columns by the rule's own
    /// mapping (the converter's): a wrong mapping agrees with itself here.
    Sigma,
    /// An export of the target table (ASIM / XDR columns): run as is by the
    /// KQL side, mapped back to Sigma names for the matcher.
    Target,
    /// Events as their source writes them (Sysmon, Windows Security,
    /// Defender rows): each source of the target table builds the rows its
    /// Microsoft connector and parser produce ([`crate::sources`]), and the
    /// query runs on those.
    Source,
}

/// Options of [`kql_parity`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KqlOptions {
    /// A built-in pipeline name (`sentinel_asim`, `microsoft_xdr`, `azure_monitor`, `none`).
    pub pipeline: String,
    /// A pySigma pipeline YAML, applied before the built-in one.
    pub custom_pipeline: Option<String>,
    /// A whole chain instead (as `sigmaplay convert` takes it): when not
    /// empty, `pipeline` and `custom_pipeline` are not used.
    #[serde(default)]
    pub pipelines: Vec<crate::pipeline::PipelineSpec>,
    /// Values for `%NAME%` placeholders (`expand` modifier).
    pub placeholders: Placeholders,
    /// Run this query instead of the generated one (the user edited it).
    pub query_override: Option<String>,
    pub events_schema: EventsSchema,
    /// Keep each source's rows in the report (for a rows view or `--rows`).
    pub include_rows: bool,
}

/// One event's verdicts. `None`: that side could not run (rule or query error).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParityResult {
    pub index: usize,
    pub sigma: Option<bool>,
    pub kql: Option<bool>,
    /// For a disagreement: the likely cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KqlParityReport {
    /// The KQL that was run (the bare condition of the `none` pipeline is run as `Events | where (...)`).
    pub query: String,
    /// The query is `query_override`, not the generated one.
    pub edited: bool,
    pub table: Option<String>,
    /// The schema used (the detected one when `Auto` was asked).
    pub schema: EventsSchema,
    pub results: Vec<ParityResult>,
    /// Every event has both verdicts and they are equal.
    pub agree: bool,
    /// With [`EventsSchema::Source`]: what the events were read as, and each
    /// source's rows and verdicts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<SourcesReport>,
    /// Rule, pipeline, events and KQL diagnostics; KQL ones have source `kql`.
    pub diagnostics: Vec<DiagnosticView>,
}

/// Source-faithful parity: per source of the target table, the rows it gives
/// and whether the query returns exactly the rows whose event (as that source
/// records it) the rule matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourcesReport {
    /// Per event: what it was read as (`sysmon`, `security`, `defender`, `rows`, `unknown`).
    pub kinds: Vec<crate::sources::Kind>,
    pub feeds: Vec<FeedParity>,
}

/// One source's side of [`SourcesReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedParity {
    pub feed: crate::sources::Feed,
    /// e.g. "Sysmon via Event".
    pub label: String,
    /// Events this source gives a row for, and how many of them agree.
    pub compared: usize,
    pub agreed: usize,
    /// Events the rule matches as pasted but not as this source records them
    /// (fields the source does not record, or its parser loses): its blind
    /// spots, not a query fault.
    pub blind: usize,
    /// The rule's fields behind those blind spots.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blind_fields: Vec<String>,
    /// Per event, in order; `None` where the source gives no row.
    pub results: Vec<Option<ParityResult>>,
    /// Per event: the target-table row (only with [`KqlOptions::include_rows`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Option<serde_json::Value>>,
    /// Per event: the record the source writes before its parser reads it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub native: Vec<Option<serde_json::Value>>,
}

/// The pipeline of `opts`: its `pipelines` chain, or else the custom YAML
/// (if any) chained before the built-in one ([`crate::pipeline::choose`]).
fn kql_pipeline(opts: &KqlOptions, diags: &mut Vec<DiagnosticView>) -> Option<Pipeline> {
    use crate::pipeline::PipelineSpec;
    let specs = if opts.pipelines.is_empty() {
        let name = if opts.pipeline.is_empty() { "none" } else { opts.pipeline.as_str() };
        let mut specs = Vec::new();
        if let Some(yaml) = &opts.custom_pipeline {
            specs.push(PipelineSpec::Yaml { text: yaml.clone(), name: String::new() });
        }
        specs.push(PipelineSpec::Builtin(name.to_string()));
        specs
    } else {
        opts.pipelines.clone()
    };
    choose_pipeline(&specs, diags)
}

/// Which naming the events use. Only the keys the rule reads count: a key
/// that is one of the rule's Sigma fields (and not also its column) says
/// Sigma, a key that is a column the rule is mapped to says target; generic
/// table columns are the tie-breaker, since ASIM also keeps alias columns
/// such as `CommandLine` or `User`. Ties go to Sigma.
fn detect_schema(
    events: &[crate::event::Event],
    table: Option<&str>,
    mappings: &[crate::pipeline::FieldMapping],
) -> EventsSchema {
    let Some(table) = table else { return EventsSchema::Sigma };
    let (mut target, mut sigma, mut columns, mut others) = (0usize, 0usize, 0usize, 0usize);
    for e in events {
        let serde_json::Value::Object(m) = e.original() else { continue };
        for k in m.keys() {
            let mapped_to =
                mappings.iter().any(|f| f.targets.iter().any(|t| t == k || t.split('.').next() == Some(k.as_str())));
            let is_sigma = mappings.iter().any(|f| f.sigma == *k) && !mapped_to;
            // A field the pipeline keeps under its own name says nothing either way.
            let same_name = mappings.iter().any(|f| f.sigma == *k && f.targets.iter().any(|t| t == k));
            if same_name {
                continue;
            }
            if mapped_to {
                target += 1;
            } else if is_sigma {
                sigma += 1;
            } else if crate::kusto::schema::has_column(table, k) {
                columns += 1;
            } else {
                others += 1;
            }
        }
    }
    if target > sigma || (target == sigma && sigma == 0 && columns > others) {
        EventsSchema::Target
    } else {
        EventsSchema::Sigma
    }
}

fn short(v: Option<&serde_json::Value>) -> String {
    match v {
        None => "absent".to_string(),
        Some(serde_json::Value::String(s)) => {
            let t: String = s.chars().take(80).collect();
            format!("{t:?}")
        }
        Some(v) => {
            let t: String = v.to_string().chars().take(80).collect();
            t
        }
    }
}

/// Why the two sides may disagree on one event: the rule's fields whose
/// column is missing, approximate, or holds a different value than the event.
/// The fields of the items that decided the matcher's verdict come first, and
/// the matcher's own summary ends the message.
fn parity_cause(
    sigma: bool,
    sigma_event: &crate::event::Event,
    row: &serde_json::Value,
    mappings: &[crate::pipeline::FieldMapping],
    table: Option<&str>,
    explanation: &MatchResult,
) -> String {
    let mut why = Vec::new();
    let table = table.unwrap_or("the table");
    let decisive: Vec<&str> =
        explanation.searches.iter().flat_map(|s| s.items.iter().filter_map(|i| i.field.as_deref())).collect();
    let mut ordered: Vec<&crate::pipeline::FieldMapping> = mappings.iter().collect();
    crate::base::sort::sort_by_key(&mut ordered, |m| !decisive.contains(&m.sigma.as_str()));
    for m in ordered {
        let sv = sigma_event.get(&m.sigma);
        if m.targets.is_empty() {
            why.push(format!("field {} has no column in {table} (dropped by the pipeline)", m.sigma));
            continue;
        }
        let col = &m.targets[0];
        let kv = crate::pipeline::read_back(Some(table), row, col);
        match (sv, kv) {
            (Some(_), None) => {
                why.push(format!("field {} is in the event but column {col} is missing from the KQL row", m.sigma))
            }
            (Some(a), Some(b))
                if *a != b
                    && crate::kusto::Value::Dynamic(a.clone()).to_text()
                        != crate::kusto::Value::Dynamic(b.clone()).to_text() =>
            {
                why.push(format!("{} = {} but {col} = {}", m.sigma, short(Some(a)), short(Some(&b))))
            }
            _ if m.approximate => {
                why.push(format!("field {} maps to {} only approximately", m.sigma, m.targets.join(", ")))
            }
            _ => {}
        }
    }
    let side = if sigma { "Sigma matches, KQL does not" } else { "KQL matches, Sigma does not" };
    if why.is_empty() {
        format!(
            "{side}: the mapped fields carry the same values, so the operators differ; matcher: {}",
            explanation.summary
        )
    } else {
        why.truncate(4);
        format!("{side}: {}; matcher: {}", why.join("; "), explanation.summary)
    }
}

/// Convert the (first detection) rule of `rule_text` with the pipeline of
/// `opts`, run the query (or `opts.query_override`) over the events with the
/// KQL evaluator, and compare each event's verdict with the Sigma matcher's.
pub fn kql_parity(rule_text: &str, events_text: &str, opts: &KqlOptions) -> KqlParityReport {
    let mut diagnostics = Vec::new();
    let pipeline = kql_pipeline(opts, &mut diagnostics);
    let parsed = parse_rules(strip_bom(rule_text));
    let match_opts = MatchOptions { placeholders: opts.placeholders.clone(), ..MatchOptions::default() };
    let rule = parsed.rules.iter().find(|r| r.kind == RuleKind::Detection);
    let matcher = rule.map(|r| Matcher::new(r, &match_opts));
    // The file's filter rules for that rule apply on both sides: in the
    // matcher's verdict and, as `and not`, in the generated query.
    let filters: Vec<&Rule> = rule
        .map(|r| {
            crate::sigma::rule::filters_for(&parsed.rules, r).into_iter().filter_map(|f| parsed.rules.get(f)).collect()
        })
        .unwrap_or_default();
    let filter_matchers: Vec<Matcher> = filters.iter().map(|f| Matcher::new(f, &match_opts)).collect();
    let compiled: Vec<&Matcher> = matcher.iter().chain(&filter_matchers).collect();
    let rule_diags = rule_diagnostics(&parsed, &compiled, false);
    let rule_ok = rule.is_some() && !crate::base::diag::has_errors(&rule_diags);
    diagnostics.extend(views(&rule_diags, Some(Source::Rule)));
    if rule.is_none() && !crate::base::diag::has_errors(&rule_diags) {
        diagnostics.push(DiagnosticView::unpositioned_error(
            "no-detection-rule",
            "the rule text has no detection rule to compare".into(),
        ));
    }
    let conversion = match (rule, &pipeline) {
        (Some(r), Some(p)) => Some(crate::kql::convert_with_filters(r, &filters, p, &opts.placeholders)),
        _ => None,
    };
    let mut table = None;
    let mut mappings = Vec::new();
    let mut generated = None;
    if let Some(c) = &conversion {
        for d in &c.diagnostics {
            let v = DiagnosticView::new(d, Some(Source::Rule));
            if !diagnostics.contains(&v) {
                diagnostics.push(v);
            }
        }
        table = c.table.clone();
        mappings = c.field_mappings.clone();
        generated = c.queries.first().cloned();
    }
    let wrap = |q: String| {
        if table.is_none() && !q.trim_start().starts_with("Events") {
            format!("Events\n| where {q}")
        } else {
            q
        }
    };
    let edited = opts.query_override.is_some();
    let query = match &opts.query_override {
        Some(q) => q.clone(),
        None => generated.map(wrap).unwrap_or_default(),
    };
    let batch = parse_events(events_text);
    diagnostics.extend(views(&batch.diagnostics, Some(Source::Events)));
    let category = rule.and_then(|r| r.logsource.category());
    // Source-faithful rows, when the table has sources and the events are
    // records of one of them (or the user asked for them).
    let source_rows = match (opts.events_schema, table.as_deref()) {
        (EventsSchema::Auto | EventsSchema::Source, Some(t)) => {
            Some(crate::sources::rows_for(t, &batch.events, category))
        }
        _ => None,
    };
    let recognised = |k: &crate::sources::Kind| {
        matches!(k, crate::sources::Kind::Sysmon | crate::sources::Kind::Security | crate::sources::Kind::Defender)
    };
    let schema = match opts.events_schema {
        EventsSchema::Auto
            if source_rows.as_ref().is_some_and(|s| s.kinds.iter().any(recognised) && !s.feeds.is_empty()) =>
        {
            EventsSchema::Source
        }
        EventsSchema::Auto => detect_schema(&batch.events, table.as_deref(), &mappings),
        s => s,
    };
    if schema == EventsSchema::Source {
        let sr = source_rows.unwrap_or_else(|| crate::sources::SourceRows { kinds: Vec::new(), feeds: Vec::new() });
        let sigma_ok = rule_ok.then_some(()).and(matcher.as_ref());
        let verdict = |e: &Event| sigma_ok.map(|m| m.matches(e) && !filter_matchers.iter().any(|f| f.matches(e)));
        let (results, sources, agree) = source_parity(
            &query,
            &batch.events,
            sr,
            &verdict,
            matcher.as_ref(),
            &mappings,
            table.as_deref(),
            opts.include_rows,
            &mut diagnostics,
        );
        return KqlParityReport { query, edited, table, schema, results, agree, sources: Some(sources), diagnostics };
    }
    // Both sides' events: Sigma-named for the matcher, target-named for KQL.
    let mut sigma_events = Vec::new();
    let mut rows = Vec::new();
    let mut unmapped: Vec<String> = Vec::new();
    let events_table = match (&pipeline, rule) {
        (Some(p), Some(r)) if schema != EventsSchema::Target => crate::pipeline::events_table(p, r),
        _ => None,
    };
    for e in &batch.events {
        match schema {
            EventsSchema::Target => {
                let (back, missing) = crate::pipeline::unmap_event(&mappings, table.as_deref(), e.original());
                for m in missing {
                    if !unmapped.contains(&m) {
                        unmapped.push(m);
                    }
                }
                sigma_events.push(crate::event::Event::from_json(back));
                rows.push(e.original().clone());
            }
            _ => {
                sigma_events.push(e.clone());
                rows.push(match (&pipeline, rule) {
                    (Some(p), Some(r)) if p.target.is_some() || table.is_some() => {
                        crate::pipeline::map_event_on(p, r, events_table.as_deref(), e).0
                    }
                    _ => {
                        // Inserted one by one rather than collected: `collect` into the
                        // map sorts a buffer first, a whole stable-sort instance in the
                        // WebAssembly for one call site; same map either way.
                        let mut m = serde_json::Map::new();
                        for (k, v) in e.fields() {
                            m.insert(k.to_string(), v.clone());
                        }
                        serde_json::Value::Object(m)
                    }
                });
            }
        }
    }
    if !unmapped.is_empty() && schema == EventsSchema::Target {
        diagnostics.push(DiagnosticView {
            severity: Severity::Info,
            code: "unmapped-back".into(),
            message: format!(
                "no column of these Sigma fields is in the events, so the matcher sees them absent: {}",
                unmapped.join(", ")
            ),
            line: 0,
            col: 0,
            source: Some(Source::Events),
            span: None,
            fix: None,
        });
    }
    let kql_verdicts = if query.trim().is_empty() {
        None
    } else {
        let ev = crate::kusto::evaluate_matches(&query, &rows);
        diagnostics.extend(views(&ev.diagnostics, Some(Source::Kql)));
        ev.ok().then(|| ev.matched(rows.len()))
    };
    let sigma_verdicts: Option<Vec<bool>> = match (&matcher, rule_ok) {
        (Some(m), true) => {
            Some(sigma_events.iter().map(|e| m.matches(e) && !filter_matchers.iter().any(|f| f.matches(e))).collect())
        }
        _ => None,
    };
    let mut results = Vec::with_capacity(rows.len());
    let mut agree = true;
    for (index, row) in rows.iter().enumerate() {
        let sigma = sigma_verdicts.as_ref().and_then(|v| v.get(index).copied());
        let kql = kql_verdicts.as_ref().and_then(|v| v.get(index).copied());
        let cause = match (sigma, kql, sigma_events.get(index), &matcher) {
            (Some(s), Some(k), Some(se), Some(m)) if s != k => {
                Some(parity_cause(s, se, row, &mappings, table.as_deref(), &m.explain(se)))
            }
            _ => None,
        };
        agree &= sigma.is_some() && sigma == kql;
        results.push(ParityResult { index, sigma, kql, cause });
    }
    KqlParityReport { query, edited, table, schema, results, agree, sources: None, diagnostics }
}

/// Parity on the rows each source of the table gives (see [`SourcesReport`]).
/// The overall result of an event is that of its first source, and it agrees
/// when every source that gives it a row agrees.
#[allow(clippy::too_many_arguments)]
fn source_parity(
    query: &str,
    events: &[Event],
    sr: crate::sources::SourceRows,
    verdict: &dyn Fn(&Event) -> Option<bool>,
    matcher: Option<&Matcher>,
    mappings: &[crate::pipeline::FieldMapping],
    table: Option<&str>,
    include_rows: bool,
    diagnostics: &mut Vec<DiagnosticView>,
) -> (Vec<ParityResult>, SourcesReport, bool) {
    let n = events.len();
    let mut overall: Vec<ParityResult> =
        (0..n).map(|index| ParityResult { index, sigma: None, kql: None, cause: None }).collect();
    let mut seen = vec![false; n];
    let mut all_agree = vec![true; n];
    let mut feeds = Vec::new();
    let mut kql_failed = false;
    for fr in sr.feeds {
        let idx: Vec<usize> = (0..n).filter(|i| fr.rows.get(*i).is_some_and(Option::is_some)).collect();
        let rows: Vec<serde_json::Value> = idx.iter().filter_map(|i| fr.rows.get(*i).cloned().flatten()).collect();
        let kql: Option<Vec<bool>> = if query.trim().is_empty() || kql_failed {
            None
        } else {
            let ev = crate::kusto::evaluate_matches(query, &rows);
            if !ev.ok() {
                kql_failed = true;
            }
            for d in views(&ev.diagnostics, Some(Source::Kql)) {
                if !diagnostics.contains(&d) {
                    diagnostics.push(d);
                }
            }
            ev.ok().then(|| ev.matched(rows.len()))
        };
        let mut results: Vec<Option<ParityResult>> = vec![None; n];
        let (mut compared, mut agreed, mut blind) = (0, 0, 0);
        let mut blind_fields: Vec<String> = Vec::new();
        for (k, &i) in idx.iter().enumerate() {
            let (Some(view), Some(row)) = (fr.views.get(i).and_then(Option::as_ref), rows.get(k)) else { continue };
            let sigma = verdict(view);
            let kql_v = kql.as_ref().and_then(|v| v.get(k).copied());
            // The pasted Sysmon event matches, the source's record of it does not.
            if sigma == Some(false) && sr.kinds.get(i) == Some(&crate::sources::Kind::Sysmon) {
                if let Some(Some(true)) = events.get(i).map(verdict) {
                    blind += 1;
                    for m in mappings {
                        let pasted = events.get(i).and_then(|e| e.get(&m.sigma)).is_some();
                        if pasted && view.get(&m.sigma).is_none() && !blind_fields.contains(&m.sigma) {
                            blind_fields.push(m.sigma.clone());
                        }
                    }
                }
            }
            let cause = match (sigma, kql_v, matcher) {
                (Some(s), Some(q), Some(m)) if s != q => {
                    let why = parity_cause(s, view, row, mappings, table, &m.explain(view));
                    Some(format!("{}: {why}", fr.feed.label()))
                }
                _ => None,
            };
            compared += 1;
            let ok = sigma.is_some() && sigma == kql_v;
            if ok {
                agreed += 1;
            }
            if let Some(o) = overall.get_mut(i) {
                if !seen[i] {
                    o.sigma = sigma;
                    o.kql = kql_v;
                }
                if o.cause.is_none() {
                    o.cause = cause.clone();
                }
            }
            seen[i] = true;
            all_agree[i] &= ok;
            results[i] = Some(ParityResult { index: i, sigma, kql: kql_v, cause });
        }
        if blind > 0 {
            let label = fr.feed.label();
            let t = table.unwrap_or("the table");
            let why: Vec<String> = blind_fields
                .iter()
                .map(|f| match crate::sources::lost_reason(t, fr.feed, f) {
                    Some(r) => format!("{f} ({r})"),
                    None => format!("{f} (not recorded by this source)"),
                })
                .collect();
            diagnostics.push(DiagnosticView {
                severity: Severity::Info,
                code: "source-blind-spot".into(),
                message: format!(
                    "{label}: {blind} event{} the rule matches as pasted cannot match as this source reaches {t}, for want of {}",
                    if blind == 1 { "" } else { "s" },
                    if why.is_empty() { "fields the rule reads".to_string() } else { why.join("; ") }
                ),
                line: 0,
                col: 0,
                source: Some(Source::Events),
                span: None,
                fix: None,
            });
        }
        feeds.push(FeedParity {
            feed: fr.feed,
            label: fr.feed.label().to_string(),
            compared,
            agreed,
            blind,
            blind_fields,
            results,
            rows: if include_rows { fr.rows } else { Vec::new() },
            native: if include_rows { fr.native } else { Vec::new() },
        });
    }
    let unrecognised: Vec<String> = (0..n).filter(|i| !seen[*i]).map(|i| (i + 1).to_string()).take(20).collect();
    if !unrecognised.is_empty() {
        diagnostics.push(DiagnosticView {
            severity: Severity::Warning,
            code: "no-source".into(),
            message: format!(
                "no source of {} gives a row for event {}: it is not a Sysmon, Windows Security or Defender record of a kind this table holds (choose \"Sigma fields\" to map it with the rule's own mapping)",
                table.unwrap_or("the table"),
                unrecognised.join(", ")
            ),
            line: 0,
            col: 0,
            source: Some(Source::Events),
            span: None,
            fix: None,
        });
    }
    let agree = n > 0 && (0..n).all(|i| seen[i] && all_agree[i]);
    (overall, SourcesReport { kinds: sr.kinds, feeds }, agree)
}
