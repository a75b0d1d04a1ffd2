//! KQL for correlation rules: the referenced rules' queries become `let`
//! statements that project a common shape (time, rule name, group-by
//! columns, the aggregated value), and one `summarize` over their union
//! tests the condition per group and time bin.
//!
//! Kusto has no sliding window in `summarize`, so the query counts in fixed
//! bins of the timespan (`bin(sigma_time, 5m)`); the playground's evaluator
//! slides. A burst across a bin boundary is found by one and missed by the
//! other, and every converted correlation carries a warning saying so.

use serde_json::{Map, Value};

use crate::base::diag::Diagnostic;
use crate::event::Event;
use crate::pipeline::{self, Pipeline, TargetId};
use crate::sigma::correlation::{Correlation, CorrelationType, CountOp};
use crate::sigma::rule::{Rule, RuleKind};

use crate::kusto::literal::{identifier, number_literal, string_literal};

/// A rule a correlation refers to, already converted.
pub struct Converted<'a> {
    pub rule: &'a Rule,
    pub query: Query,
}

/// A query as `let` statements and the tabular expression after them, so
/// that a chained correlation can hoist the statements of the one it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `let name = ...;` statements, each ending in `;`.
    pub lets: Vec<String>,
    pub body: String,
}

impl Query {
    pub fn plain(body: String) -> Query {
        Query { lets: Vec::new(), body }
    }

    pub fn text(&self) -> String {
        if self.lets.is_empty() {
            return self.body.clone();
        }
        format!("{}\n{}", self.lets.join("\n"), self.body)
    }

    fn defines(&self, name: &str) -> bool {
        let prefix = format!("let {name} =");
        self.lets.iter().any(|l| l.starts_with(&prefix))
    }
}

/// The correlation's query, or the diagnostics that say why there is none.
pub fn convert<'r>(
    corr: &Correlation,
    pipeline: &Pipeline,
    find: &dyn Fn(&str) -> Option<Converted<'r>>,
) -> Result<(Query, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut notes = Vec::new();
    let fail = |code: &str, message: String| vec![Diagnostic::error(code, message, Some(corr.span))];
    let Some(kind) = corr.kind else { return Err(fail("kql-correlation", "the correlation has no valid type".into())) };
    if kind == CorrelationType::ValuePercentile {
        return Err(fail(
            "kql-correlation",
            "value_percentile is not converted: the specification does not define what the percentile is taken over"
                .into(),
        ));
    }
    let Some(span) = corr.timespan.as_ref().map(|t| t.value) else {
        return Err(fail("kql-correlation", "the correlation has no valid timespan".into()));
    };
    if pipeline.target.is_none() {
        // Not the rule's fault: the bare-condition output has nothing to count in.
        return Err(vec![Diagnostic::warning(
            "kql-correlation",
            "correlations are converted for a target with tables (sentinel_asim, microsoft_xdr, azure_monitor), not for bare conditions",
            Some(corr.span),
        )]);
    }
    let time_column = if pipeline.target == Some(TargetId::MicrosoftXdr) { "Timestamp" } else { "TimeGenerated" };
    let mut out = Query::plain(String::new());
    let mut names = Vec::new();
    for (ri, reference) in corr.rules.iter().enumerate() {
        let Some(member) = find(&reference.value) else {
            return Err(vec![Diagnostic::error(
                "kql-correlation",
                format!(
                    "'{}' is not a converted rule of this file: the correlation needs every rule it names",
                    reference.value
                ),
                Some(reference.span),
            )]);
        };
        for l in &member.query.lets {
            if !out.lets.contains(l) {
                out.lets.push(l.clone());
            }
        }
        let mut name = let_name(&reference.value, ri);
        while out.defines(&name) {
            name.push('_');
        }
        let mut columns = vec![format!(
            "sigma_time = {}",
            if member.rule.kind == RuleKind::Correlation { "sigma_last" } else { time_column }
        )];
        columns.push(format!("sigma_rule = {}", string_literal(&reference.value)));
        for g in &corr.group_by {
            let field = alias_field(corr, &g.value, member.rule);
            let Some(column) = column_of(pipeline, member.rule, field) else {
                return Err(vec![Diagnostic::error(
                    "kql-correlation",
                    format!("group-by field '{field}' has no column in the table of '{}'", reference.value),
                    Some(g.span),
                )]);
            };
            columns.push(format!("{} = tostring({})", identifier(&g.value), identifier(&column)));
        }
        if let Some(f) = &corr.field {
            let field = alias_field(corr, &f.value, member.rule);
            let Some(column) = column_of(pipeline, member.rule, field) else {
                return Err(vec![Diagnostic::error(
                    "kql-correlation",
                    format!("field '{field}' has no column in the table of '{}'", reference.value),
                    Some(f.span),
                )]);
            };
            let cast = if kind == CorrelationType::ValueCount { "tostring" } else { "todouble" };
            columns.push(format!("sigma_value = {cast}({})", identifier(&column)));
        }
        out.lets.push(format!("let {name} = {}\n| project {};", member.query.body.trim_end(), columns.join(", ")));
        names.push(name);
    }
    let source = if names.len() == 1 { names[0].clone() } else { format!("union {}", names.join(", ")) };
    let mut by = vec![format!("bin(sigma_time, {})", timespan_literal(span))];
    by.extend(corr.group_by.iter().map(|g| identifier(&g.value)));
    let (aggregate, measured) = match kind {
        CorrelationType::EventCount => ("sigma_events = count()".to_string(), "sigma_events"),
        CorrelationType::ValueCount => ("sigma_values = dcount(sigma_value)".to_string(), "sigma_values"),
        CorrelationType::ValueSum => ("sigma_sum = sum(sigma_value)".to_string(), "sigma_sum"),
        CorrelationType::ValueAvg => ("sigma_avg = avg(sigma_value)".to_string(), "sigma_avg"),
        _ => ("sigma_rules = dcount(sigma_rule)".to_string(), "sigma_rules"),
    };
    let mut aggregates = vec![aggregate, "sigma_first = min(sigma_time)".into(), "sigma_last = max(sigma_time)".into()];
    let mut tests: Vec<String> = corr
        .condition
        .iter()
        .map(|(op, bound)| format!("{measured} {} {}", op_text(*op), number_literal(*bound)))
        .collect();
    if matches!(kind, CorrelationType::Temporal | CorrelationType::TemporalOrdered) && tests.is_empty() {
        tests.push(format!("sigma_rules == {}", corr.rules.len()));
    }
    if kind == CorrelationType::TemporalOrdered {
        if corr.rules.len() == 2 {
            // Some a before some b in the bin exactly when the first a is not after the last b.
            let (a, b) = (string_literal(&corr.rules[0].value), string_literal(&corr.rules[1].value));
            aggregates.push(format!("sigma_first_0 = minif(sigma_time, sigma_rule == {a})"));
            aggregates.push(format!("sigma_last_1 = maxif(sigma_time, sigma_rule == {b})"));
            tests.push("sigma_first_0 <= sigma_last_1".into());
        } else {
            notes.push(Diagnostic::warning(
                "lossy-mapping",
                format!(
                    "temporal_ordered over {} rules: the query checks that all occur in the bin, not their order",
                    corr.rules.len()
                ),
                Some(corr.span),
            ));
        }
    }
    notes.push(Diagnostic::warning(
        "lossy-mapping",
        format!(
            "the query counts in fixed bins of {} (bin(sigma_time, ...)); the correlation's window slides, so a burst across a bin boundary is missed",
            timespan_literal(span)
        ),
        corr.timespan.as_ref().map(|t| t.span),
    ));
    if kind != CorrelationType::Temporal && kind != CorrelationType::TemporalOrdered && corr.rules.len() > 1 {
        notes.push(Diagnostic::info(
            "kql-correlation",
            "an event matched by several of the rules counts once per rule in the query (Sigma counts it once)",
            Some(corr.span),
        ));
    }
    out.body = format!(
        "{source}\n| summarize {} by {}\n| where {}",
        aggregates.join(", "),
        by.join(", "),
        tests.join(" and ")
    );
    Ok((out, notes))
}

fn op_text(op: CountOp) -> &'static str {
    match op {
        CountOp::Gt => ">",
        CountOp::Gte => ">=",
        CountOp::Lt => "<",
        CountOp::Lte => "<=",
        CountOp::Eq => "==",
        CountOp::Neq => "!=",
    }
}

/// `5m` style Kusto timespan from seconds, in the largest exact unit.
fn timespan_literal(seconds: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if seconds >= size && seconds.is_multiple_of(size) {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

/// A `let` name for a referenced rule: its name's identifier characters.
fn let_name(reference: &str, index: usize) -> String {
    let cleaned: String = reference.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).take(40).collect();
    format!("sigma_{index}_{}", cleaned.trim_matches('_'))
}

/// The field a group-by name means in one referenced rule's events.
fn alias_field<'c>(corr: &'c Correlation, name: &'c str, rule: &Rule) -> &'c str {
    let refs = [rule.name.as_ref(), rule.id.as_ref()];
    corr.aliases
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| {
            a.fields.iter().find(|(r, _)| refs.iter().flatten().any(|n| &n.value == r)).map(|(_, f)| f.as_str())
        })
        .unwrap_or(name)
}

/// The column a Sigma field becomes for `rule` under `pipeline`: the same
/// forward mapping events get ([`pipeline::map_event`]). A correlation's
/// own group-by names are its columns.
fn column_of(pipeline: &Pipeline, rule: &Rule, field: &str) -> Option<String> {
    if rule.kind == RuleKind::Correlation {
        let c = rule.correlation.as_ref()?;
        return c.group_by.iter().any(|g| g.value == field).then(|| field.to_string());
    }
    let probe = |with: bool| {
        let mut m = Map::new();
        if with {
            m.insert(field.to_string(), Value::String("sigmaplay-probe".into()));
        }
        let (mapped, _) = pipeline::map_event(pipeline, rule, &Event::from_json(Value::Object(m)));
        match mapped {
            Value::Object(o) => o,
            _ => Map::new(),
        }
    };
    let (base, with) = (probe(false), probe(true));
    let added: Vec<&String> = with.keys().filter(|k| !base.contains_key(*k)).collect();
    match added.as_slice() {
        [one] => Some((*one).clone()),
        // Mapped to several columns (e.g. FQDN or hostname): the first holds the value as given.
        [first, ..] => Some((*first).clone()),
        [] => None,
    }
}

/// Convert every correlation of a file over `per_rule` (the queries of the
/// rules converted so far, by rule index), filling in the correlations'
/// queries; chains resolve in as many rounds as needed, a cycle is an error.
pub(crate) fn convert_all(
    rules: &[Rule],
    pipeline: &Pipeline,
    per_rule: &mut [Option<Query>],
    notes: &mut [Vec<Diagnostic>],
) {
    let resolve = |reference: &str| {
        rules.iter().position(|r| {
            r.id.as_ref().is_some_and(|i| i.value == reference) || r.name.as_ref().is_some_and(|n| n.value == reference)
        })
    };
    let mut pending: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].kind == RuleKind::Correlation).collect();
    let mut failed = vec![false; rules.len()];
    while !pending.is_empty() {
        let before = pending.len();
        let mut still = Vec::new();
        for ci in pending {
            let Some(corr) = &rules[ci].correlation else { continue };
            let waiting = corr.rules.iter().filter_map(|r| resolve(&r.value)).any(|t| {
                rules[t].kind == RuleKind::Correlation && per_rule.get(t).is_some_and(Option::is_none) && !failed[t]
            });
            if waiting {
                still.push(ci);
                continue;
            }
            let find = |reference: &str| {
                let t = resolve(reference)?;
                Some(Converted { rule: &rules[t], query: per_rule.get(t)?.clone()? })
            };
            match convert(corr, pipeline, &find) {
                Ok((query, found)) => {
                    per_rule[ci] = Some(query);
                    notes[ci].extend(found);
                }
                Err(errors) => {
                    failed[ci] = true;
                    notes[ci].extend(errors);
                }
            }
        }
        if still.len() == before {
            for ci in still {
                let span = rules[ci].correlation.as_ref().map(|c| c.span);
                notes[ci].push(Diagnostic::error(
                    "kql-correlation",
                    "correlation rules reference each other in a cycle",
                    span,
                ));
            }
            break;
        }
        pending = still;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_and_names() {
        assert_eq!(timespan_literal(300), "5m");
        assert_eq!(timespan_literal(90), "90s");
        assert_eq!(timespan_literal(7200), "2h");
        assert_eq!(timespan_literal(86_400), "1d");
        assert_eq!(let_name("failed_logon", 0), "sigma_0_failed_logon");
        assert_eq!(let_name("5638f7c0-ac70", 1), "sigma_1_5638f7c0_ac70");
    }
}
