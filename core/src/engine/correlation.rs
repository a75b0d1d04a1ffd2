//! Evaluating correlation rules (sigma-correlation-rules-specification.md)
//! over the events the referenced rules matched.
//!
//! Windows: a correlation fires for a group when some window
//! `[t, t + timespan]` that starts at one of the group's occurrences
//! satisfies the condition. After a hit, the next window starts after the
//! hit's last occurrence, so hits do not overlap and a burst is reported once.
//! This is the sliding reading the spec asks for ("the time frame should not be
//! restricted to boundaries"), not the fixed `bin()` buckets many SIEM
//! backends approximate it with. For `lt`/`lte`/`eq` conditions it means
//! literally "some window of that length held fewer events".
//!
//! Counting: `event_count` and the `value_*` types count events, so an event
//! matched by two referenced rules counts once. `temporal` counts distinct
//! referenced rules in the window (all of them unless a condition is given);
//! `temporal_ordered` needs one occurrence of each rule, in the listed order.
//!
//! Chains: a correlation may reference another; each hit of the referenced one
//! is an occurrence at the hit's last time, carrying its group values.
//!
//! Time: each event's timestamp comes from the caller's field or the first of
//! [`TIMESTAMP_FIELDS`] that parses (ISO 8601 with an optional offset, or Unix
//! seconds/milliseconds). When no event has one, all events are treated as
//! simultaneous and a note says so; events without one are otherwise left out.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::base::datetime::civil_from_days;
use crate::base::diag::Diagnostic;
use crate::event::Event;
use crate::sigma::correlation::{Correlation, CorrelationType, CountOp};
use crate::sigma::rule::{Rule, RuleKind};

/// Field names tried, in order, for an event's time.
pub const TIMESTAMP_FIELDS: &[&str] = &[
    "@timestamp",
    "timestamp",
    "Timestamp",
    "TimeGenerated",
    "TimeCreated_SystemTime",
    "TimeCreated",
    "UtcTime",
    "EventTime",
    "eventTime",
    "event_time",
    "time",
    "_time",
    "datetime",
    "date",
];

/// One group key part: the `group-by` field and the value it had.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupValue {
    pub field: String,
    pub value: Option<String>,
}

/// One firing of a correlation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationHit {
    pub group: Vec<GroupValue>,
    /// First and last occurrence time in the window (RFC 3339, UTC).
    pub start: String,
    pub end: String,
    /// What the condition was tested on: the count, distinct count, sum,
    /// average, or (temporal) the number of distinct rules.
    pub value: f64,
    /// Indices of the events behind the hit, ascending.
    pub events: Vec<usize>,
    /// Titles (or ids) of the referenced rules that contributed.
    pub rules: Vec<String>,
}

/// The outcome of one correlation rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationOutcome {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<CorrelationType>,
    pub matched: bool,
    pub hits: Vec<CorrelationHit>,
}

/// An occurrence of a referenced rule: a matched event or a hit of a
/// referenced correlation.
#[derive(Debug, Clone)]
struct Occurrence {
    time: i64,
    /// Position of the referenced rule in the correlation's `rules` list.
    rule: usize,
    events: Vec<usize>,
    /// For chained correlations: the referenced hit's group values.
    group: Option<Vec<GroupValue>>,
    /// For an event: its value of the correlation's `field`, if the correlation has one.
    value: Option<String>,
}

/// The input for evaluating a file's correlations.
pub struct CorrelationInput<'a> {
    pub rules: &'a [Rule],
    /// For each rule of `rules` (same order), the indices of the events it
    /// matched; empty for correlations and filters.
    pub matched: &'a [Vec<usize>],
    pub events: &'a [&'a Event],
    /// Overrides [`TIMESTAMP_FIELDS`].
    pub timestamp_field: Option<&'a str>,
}

/// Evaluate every correlation rule of the file, in dependency order.
pub fn evaluate(input: &CorrelationInput<'_>) -> (Vec<CorrelationOutcome>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let correlations: Vec<usize> =
        (0..input.rules.len()).filter(|&i| input.rules[i].kind == RuleKind::Correlation).collect();
    if correlations.is_empty() {
        return (Vec::new(), diags);
    }
    let times = event_times(input, &mut diags);
    let order = dependency_order(input.rules, &correlations, &mut diags);
    // Each rule's hits, by rule index (a correlation's referenced correlations come first in `order`).
    let mut hits: Vec<Vec<CorrelationHit>> = vec![Vec::new(); input.rules.len()];
    // (rule index, outcome), sorted by rule index at the end (a Vec and the shared sort: no BTreeMap instance).
    let mut outcomes: Vec<(usize, CorrelationOutcome)> = Vec::new();
    for ci in order {
        let rule = &input.rules[ci];
        let Some(corr) = &rule.correlation else { continue };
        let found = evaluate_one(input, &times, &hits, ci, corr, &mut diags);
        let outcome = CorrelationOutcome {
            title: display_name(rule),
            id: rule.id.as_ref().map(|s| s.value.clone()),
            kind: corr.kind,
            matched: !found.is_empty(),
            hits: found.clone(),
        };
        match outcomes.iter_mut().find(|(c, _)| *c == ci) {
            Some(slot) => slot.1 = outcome,
            None => outcomes.push((ci, outcome)),
        }
        if let Some(slot) = hits.get_mut(ci) {
            *slot = found;
        }
    }
    crate::base::sort::sort_by(&mut outcomes, &|a, b| a.0.cmp(&b.0));
    (outcomes.into_iter().map(|(_, o)| o).collect(), diags)
}

fn display_name(rule: &Rule) -> String {
    let t = rule.title_text();
    if !t.is_empty() {
        return t.to_string();
    }
    rule.id.as_ref().or(rule.name.as_ref()).map_or_else(String::new, |s| s.value.clone())
}

/// The rule a reference (`id` or `name`) points to, within the file.
fn resolve(rules: &[Rule], reference: &str) -> Option<usize> {
    rules.iter().position(|r| {
        r.id.as_ref().is_some_and(|i| i.value == reference) || r.name.as_ref().is_some_and(|n| n.value == reference)
    })
}

/// Correlations ordered so that each comes after those it references; a
/// cycle is reported and its members are left out.
fn dependency_order(rules: &[Rule], correlations: &[usize], diags: &mut Vec<Diagnostic>) -> Vec<usize> {
    // 0 unvisited, 1 in progress, 2 done
    let mut state = vec![0u8; rules.len()];
    let mut order = Vec::new();
    for &start in correlations {
        if state[start] != 0 {
            continue;
        }
        // Iterative depth-first search: (rule, next reference to visit).
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let refs = rules[node].correlation.as_ref().map_or(&[][..], |c| &c.rules[..]);
            if *next < refs.len() {
                let r = &refs[*next];
                *next += 1;
                if let Some(target) = resolve(rules, &r.value) {
                    if rules[target].kind != RuleKind::Correlation {
                        continue;
                    }
                    match state[target] {
                        0 => {
                            state[target] = 1;
                            stack.push((target, 0));
                        }
                        1 => diags.push(Diagnostic::error(
                            "correlation-cycle",
                            format!("correlation rules reference each other in a cycle through '{}'", r.value),
                            Some(r.span),
                        )),
                        _ => {}
                    }
                }
            } else {
                state[node] = 2;
                order.push(node);
                stack.pop();
            }
        }
    }
    order
}

/// Each event's time in milliseconds, or `None` when it has none.
fn event_times(input: &CorrelationInput<'_>, diags: &mut Vec<Diagnostic>) -> Vec<Option<i64>> {
    let times: Vec<Option<i64>> = input.events.iter().map(|e| event_time(e, input.timestamp_field)).collect();
    let missing = times.iter().filter(|t| t.is_none()).count();
    let fields = input.timestamp_field.map_or_else(|| TIMESTAMP_FIELDS.join(", "), str::to_string);
    if missing == times.len() && !times.is_empty() {
        diags.push(Diagnostic::info(
            "no-timestamps",
            format!("no event has a time ({fields}): correlations treat all events as happening at once"),
            None,
        ));
        return vec![Some(0); times.len()];
    }
    if missing > 0 {
        diags.push(Diagnostic::warning(
            "missing-timestamp",
            format!(
                "{missing} of {} events have no readable time ({fields}); correlations leave them out",
                times.len()
            ),
            None,
        ));
    }
    times
}

fn event_time(event: &Event, field: Option<&str>) -> Option<i64> {
    match field {
        Some(f) => event.get(f).and_then(instant),
        None => TIMESTAMP_FIELDS.iter().find_map(|f| event.get(f).and_then(instant)),
    }
}

/// A timestamp value in milliseconds since the Unix epoch.
fn instant(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => parse_rfc3339(s).or_else(|| crate::base::float::parse_f64(s.trim()).and_then(epoch)),
        Value::Number(n) => n.as_f64().and_then(epoch),
        _ => None,
    }
}

/// Unix seconds, or milliseconds when the number is too large to be seconds
/// of this era (after the year 5000).
fn epoch(n: f64) -> Option<i64> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let ms = if n > 95_617_584_000.0 { n } else { n * 1000.0 };
    (ms < 1e16).then_some(ms as i64)
}

/// Milliseconds since the epoch of a timestamp ([`crate::base::datetime::parse_timestamp`]);
/// without an offset the time is taken as UTC.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    crate::base::datetime::parse_timestamp(text).map(|t| t.unix_micros().div_euclid(1000))
}

/// Milliseconds since the epoch as RFC 3339 UTC text.
pub fn format_rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    if milli == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    }
}

/// A value as group-by / value_count text (`None`: absent or null).
fn value_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The field a group-by name stands for in the events of one referenced
/// rule: an alias resolves per rule (by the rule's name or id).
fn field_for<'c>(corr: &'c Correlation, name: &'c str, reference: &str) -> &'c str {
    corr.aliases
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.fields.iter().find(|(r, _)| r == reference).map(|(_, f)| f.as_str()))
        .unwrap_or(name)
}

fn evaluate_one(
    input: &CorrelationInput<'_>,
    times: &[Option<i64>],
    prior: &[Vec<CorrelationHit>],
    ci: usize,
    corr: &Correlation,
    diags: &mut Vec<Diagnostic>,
) -> Vec<CorrelationHit> {
    let Some(kind) = corr.kind else { return Vec::new() };
    let Some(span) =
        corr.timespan.as_ref().map(|t| i64::try_from(t.value).unwrap_or(i64::MAX / 2).saturating_mul(1000))
    else {
        return Vec::new();
    };
    if kind == CorrelationType::ValuePercentile {
        diags.push(Diagnostic::warning(
            "correlation-not-evaluated",
            "value_percentile is not evaluated: the specification does not define what the percentile is taken over",
            Some(corr.span),
        ));
        return Vec::new();
    }
    let names: Vec<String> = corr.rules.iter().map(|r| r.value.clone()).collect();
    // (group key, occurrence) in the order found; sorted stably by key and grouped below.
    let mut found: Vec<(Vec<Option<String>>, Occurrence)> = Vec::new();
    for (ri, reference) in corr.rules.iter().enumerate() {
        let Some(target) = resolve(input.rules, &reference.value) else {
            diags.push(Diagnostic::warning(
                "correlation-unknown-rule",
                format!("'{}' is not the id or name of a rule in this file: it contributes no events", reference.value),
                Some(reference.span),
            ));
            continue;
        };
        if target == ci {
            continue;
        }
        let key_of = |lookup: &dyn Fn(&str) -> Option<String>| -> Vec<Option<String>> {
            corr.group_by.iter().map(|g| lookup(field_for(corr, &g.value, &reference.value))).collect()
        };
        match input.rules[target].kind {
            RuleKind::Correlation => {
                for hit in prior.get(target).into_iter().flatten() {
                    let lookup = |f: &str| hit.group.iter().find(|g| g.field == f).and_then(|g| g.value.clone());
                    let Some(time) = parse_rfc3339(&hit.end) else { continue };
                    found.push((
                        key_of(&lookup),
                        Occurrence {
                            time,
                            rule: ri,
                            events: hit.events.clone(),
                            group: Some(hit.group.clone()),
                            value: None,
                        },
                    ));
                }
            }
            _ => {
                for &ei in input.matched.get(target).into_iter().flatten() {
                    let (Some(event), Some(Some(time))) = (input.events.get(ei), times.get(ei)) else { continue };
                    let lookup = |f: &str| value_text(event.get(f));
                    let value = corr
                        .field
                        .as_ref()
                        .and_then(|field| value_text(event.get(field_for(corr, &field.value, &reference.value))));
                    found.push((
                        key_of(&lookup),
                        Occurrence { time: *time, rule: ri, events: vec![ei], group: None, value },
                    ));
                }
            }
        }
    }
    // Occurrences per group key, keys in order (as a BTreeMap would give them), each group in the order found.
    crate::base::sort::sort_by(&mut found, &|a, b| a.0.cmp(&b.0));
    let mut groups: Vec<(Vec<Option<String>>, Vec<Occurrence>)> = Vec::new();
    for (key, o) in found {
        match groups.last_mut() {
            Some((k, occ)) if *k == key => occ.push(o),
            _ => groups.push((key, vec![o])),
        }
    }
    let mut hits = Vec::new();
    for (key, mut occ) in groups {
        crate::base::sort::sort_by_key(&mut occ, |o| (o.time, o.events.first().copied().unwrap_or(0), o.rule));
        if !matches!(kind, CorrelationType::Temporal | CorrelationType::TemporalOrdered) {
            // Count events, not (event, rule) pairs.
            occ.dedup_by(|b, a| a.group.is_none() && b.group.is_none() && a.events == b.events);
        }
        let group: Vec<GroupValue> = corr
            .group_by
            .iter()
            .zip(&key)
            .map(|(g, v)| GroupValue { field: g.value.clone(), value: v.clone() })
            .collect();
        let value = |o: &Occurrence| -> Option<String> {
            match &o.group {
                Some(g) => {
                    let field = corr.field.as_ref()?;
                    g.iter().find(|gv| gv.field == field.value).and_then(|gv| gv.value.clone())
                }
                None => o.value.clone(),
            }
        };
        let windows = match kind {
            CorrelationType::TemporalOrdered => ordered_windows(&occ, names.len(), span),
            _ => sliding_windows(&occ, span, kind, &corr.condition, names.len(), &value),
        };
        for (members, measured) in windows {
            let picked: Vec<&Occurrence> = members.iter().map(|&i| &occ[i]).collect();
            let mut events: Vec<usize> = picked.iter().flat_map(|o| o.events.iter().copied()).collect();
            crate::base::sort::sort_dedup_usize(&mut events);
            let mut contributing: Vec<usize> = picked.iter().map(|o| o.rule).collect();
            crate::base::sort::sort_dedup_usize(&mut contributing);
            let rules = contributing
                .iter()
                .map(|&ri| {
                    resolve(input.rules, &names[ri])
                        .map_or_else(|| names[ri].clone(), |t| display_name(&input.rules[t]))
                })
                .collect();
            let (start, end) =
                (picked.iter().map(|o| o.time).min().unwrap_or(0), picked.iter().map(|o| o.time).max().unwrap_or(0));
            hits.push(CorrelationHit {
                group: group.clone(),
                start: format_rfc3339(start),
                end: format_rfc3339(end),
                value: measured,
                events,
                rules,
            });
        }
    }
    hits
}

/// Windows of the count, value and temporal types that satisfy the
/// condition: (positions in `occ`, the measured value).
fn sliding_windows(
    occ: &[Occurrence],
    span: i64,
    kind: CorrelationType,
    condition: &[(CountOp, f64)],
    n_rules: usize,
    value: &dyn Fn(&Occurrence) -> Option<String>,
) -> Vec<(Vec<usize>, f64)> {
    let mut out = Vec::new();
    let mut window = Window::default();
    let (mut start, mut end) = (0usize, 0usize);
    while start < occ.len() {
        let limit = occ[start].time.saturating_add(span);
        while end < occ.len() && occ[end].time <= limit {
            window.add(&occ[end], value);
            end += 1;
        }
        let measured = match kind {
            CorrelationType::EventCount => window.count as f64,
            CorrelationType::ValueCount => window.distinct.len() as f64,
            CorrelationType::ValueSum => window.sum,
            CorrelationType::ValueAvg if window.numbers > 0 => window.sum / window.numbers as f64,
            CorrelationType::ValueAvg => f64::NAN,
            _ => window.rules_seen as f64,
        };
        let holds = if condition.is_empty() {
            // temporal without a condition: every referenced rule occurred.
            kind == CorrelationType::Temporal && window.rules_seen == n_rules
        } else {
            !measured.is_nan() && condition.iter().all(|(op, bound)| op.holds(measured, *bound))
        };
        if holds {
            out.push(((start..end).collect(), measured));
            window = Window::default();
            start = end;
        } else {
            window.remove(&occ[start], value);
            start += 1;
        }
        if end < start {
            end = start;
        }
    }
    out
}

/// Running aggregates of the occurrences in a window.
#[derive(Default)]
struct Window {
    count: usize,
    distinct: HashMap<String, usize>,
    /// Occurrences per rule (its index in the correlation's `rules`), and how many rules have any.
    rules: Vec<usize>,
    rules_seen: usize,
    sum: f64,
    numbers: usize,
}

impl Window {
    fn add(&mut self, o: &Occurrence, value: &dyn Fn(&Occurrence) -> Option<String>) {
        self.count += 1;
        if self.rules.len() <= o.rule {
            self.rules.resize(o.rule + 1, 0);
        }
        if let Some(c) = self.rules.get_mut(o.rule) {
            if *c == 0 {
                self.rules_seen += 1;
            }
            *c += 1;
        }
        if let Some(v) = value(o) {
            if let Some(n) = crate::base::float::parse_f64(v.trim()) {
                if n.is_finite() {
                    self.sum += n;
                    self.numbers += 1;
                }
            }
            *self.distinct.entry(v).or_default() += 1;
        }
    }

    fn remove(&mut self, o: &Occurrence, value: &dyn Fn(&Occurrence) -> Option<String>) {
        self.count = self.count.saturating_sub(1);
        if let Some(c) = self.rules.get_mut(o.rule).filter(|c| **c > 0) {
            *c -= 1;
            if *c == 0 {
                self.rules_seen = self.rules_seen.saturating_sub(1);
            }
        }
        if let Some(v) = value(o) {
            if let Some(n) = crate::base::float::parse_f64(v.trim()) {
                if n.is_finite() {
                    self.sum -= n;
                    self.numbers = self.numbers.saturating_sub(1);
                }
            }
            if let Some(c) = self.distinct.get_mut(&v) {
                *c -= 1;
                if *c == 0 {
                    self.distinct.remove(&v);
                }
            }
        }
    }
}

/// `temporal_ordered`: from each occurrence of the first rule, the earliest
/// occurrence of each next rule after the previous one, all within the span.
/// A table of "next occurrence of rule k at or after position i" keeps this
/// linear in the number of occurrences times the number of rules.
fn ordered_windows(occ: &[Occurrence], n_rules: usize, span: i64) -> Vec<(Vec<usize>, f64)> {
    let n = occ.len();
    let mut next = vec![vec![n; n + 1]; n_rules];
    for i in (0..n).rev() {
        for (k, row) in next.iter_mut().enumerate() {
            row[i] = if occ[i].rule == k { i } else { row[i + 1] };
        }
    }
    let mut out = Vec::new();
    let mut anchor = next.first().map_or(n, |row| row[0]);
    while anchor < n {
        let limit = occ[anchor].time.saturating_add(span);
        let mut picked = vec![anchor];
        let mut pos = anchor + 1;
        let complete = (1..n_rules).all(|k| {
            let j = next[k][pos];
            if j < n && occ[j].time <= limit {
                picked.push(j);
                pos = j + 1;
                true
            } else {
                false
            }
        });
        let resume = if complete {
            out.push((picked, n_rules as f64));
            pos
        } else {
            anchor + 1
        };
        anchor = next[0][resume.min(n)];
    }
    out
}

#[cfg(test)]
mod tests;
