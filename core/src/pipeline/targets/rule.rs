//! Mapping a rule onto the source that serves it: each detection item by the
//! source's field list (renamed, converted, dropped or failed), items with no
//! translation replaced where that only narrows the query, and the condition
//! that selects the source's rows added.

use super::select::{
    for_the_fields, is_asim_native_table, lacks, logsource_span, native_alternative, no_table, resolve,
    source_for_table, ChosenBy,
};
use super::{lookup, DropKind, EventDataFields, FieldMap, RowFilter, Source, AUDIT_RECORD_MARK, SYSMON_LINUX_PROVIDER};
use crate::base::diag::{Diagnostic, Span};
use crate::kusto::schema::{column_type, has_column, ColumnType};
use crate::pipeline::convert::{audit_needs_hex, convert_test, lit, ColumnExpr, ItemNotes, ValueConversion};
use crate::pipeline::{keep_names, synthetic_item, MappedItem, MappingState, TargetId, WorkItem};
use crate::sigma::compiled::{Item, Test};
use crate::sigma::expr::Expr;
use crate::sigma::rule::Rule;
use crate::sigma::string::{Part, SigmaString};

/// A rule's detection tree on a target: the source is the one a custom
/// pipeline's table names, else the one that serves the rule's logsource.
///
/// An ASIM schema that cannot hold a field the rule tests does not fit the
/// rule: when the rule fails there and maps onto the native table the
/// workspace also has without errors, the query reads that table and a
/// `native-table` note names the fields the schema lacks. Otherwise the ASIM
/// mapping stands, errors and all (a rule converting on ASIM keeps its
/// query, also when a lacking field only left out an alternative).
pub(crate) fn map_rule(
    target: TargetId,
    rule: &Rule,
    work: Expr<WorkItem>,
    state: &mut MappingState,
) -> Expr<MappedItem> {
    let (mut src, how) = match state.table.clone() {
        Some(table) => match source_for_table(target, &table, rule) {
            Some(s) => (s, None),
            // A table the target does not describe: names as the custom pipeline left them.
            None => return keep_names(work, state),
        },
        None => match resolve(target, rule) {
            Some((s, how)) => (s, Some(how)),
            None => {
                state.notes.push(no_table(target, rule));
                return keep_names(work, state);
            }
        },
    };
    // Where the ASIM schema lacks a field: the native table, with the state and items to map onto it.
    let mut fallback =
        how.as_ref().and_then(|how| native_alternative(target, src, how, rule)).and_then(|(asim, native)| {
            let lacking = lacking_fields(asim, &work);
            (!lacking.is_empty()).then(|| (asim, native, lacking, state.clone(), work.clone()))
        });
    match how {
        Some(ChosenBy::EventId(id, span)) => state.notes.push(Diagnostic::info(
            "table-from-eventid",
            format!("no category: {} chosen for EventID {id} ({})", src.table, src.label),
            Some(span),
        )),
        Some(ChosenBy::NativeTable) => state.notes.push(Diagnostic::info(
            "native-table",
            format!(
                "no ASIM schema fits {}: the query reads the native table {} instead, which a Sentinel workspace collecting these events also has",
                src.label, src.table
            ),
            logsource_span(rule),
        )),
        Some(ChosenBy::Logsource) | None => {}
    }
    let start = state.notes.len();
    let failed = |state: &MappingState| state.notes.get(start..).unwrap_or_default().iter().any(Diagnostic::is_error);
    let mut work = work;
    // The ASIM schema's mapping, kept while the native table is tried.
    let mut on_asim: Option<(Expr<MappedItem>, MappingState)> = None;
    // A loop rather than a second call: `map_on` inlined twice cost the web build ~300 B of gzip.
    loop {
        let mapped = map_on(target, src, rule, work, state);
        if let Some((asim_expr, asim_state)) = on_asim.take() {
            if failed(state) {
                *state = asim_state;
                return asim_expr;
            }
            return mapped;
        }
        let Some((asim, native, lacking, on_native, native_work)) = fallback.take() else { return mapped };
        if !failed(state) {
            return mapped;
        }
        on_asim = Some((mapped, std::mem::replace(state, on_native)));
        let fields: Vec<String> = lacking.iter().map(|(f, why)| format!("{f} ({why})")).collect();
        state.notes.push(Diagnostic::info(
            "native-table",
            format!(
                "{} has no column for {}: the query reads the native table {} instead, which a Sentinel workspace collecting these events also has",
                asim.table,
                fields.join(", nor for "),
                for_the_fields(native, rule).0.table
            ),
            logsource_span(rule),
        ));
        (src, work) = (native, native_work);
    }
}

/// The fields of a rule's items that `asim` cannot hold, as the rule names
/// them, with the reason.
fn lacking_fields(asim: &Source, work: &Expr<WorkItem>) -> Vec<(String, &'static str)> {
    let mut lacking: Vec<(String, &'static str)> = Vec::new();
    work.for_each_leaf(&mut |w| {
        let (Some(field), Some(shown)) = (&w.item.field, w.sigma_field.as_ref().or(w.item.field.as_ref())) else {
            return;
        };
        if let Some(reason) = lacks(asim, field) {
            if !lacking.iter().any(|(f, _)| f == shown) {
                lacking.push((shown.clone(), reason));
            }
        }
    });
    lacking
}

/// A rule's detection tree on the source that serves it.
fn map_on(
    target: TargetId,
    src: &'static Source,
    rule: &Rule,
    work: Expr<WorkItem>,
    state: &mut MappingState,
) -> Expr<MappedItem> {
    let first = src;
    let (src, needed) = for_the_fields(src, rule);
    if let Some(field) = needed {
        state.notes.push(Diagnostic::info(
            "table-for-field",
            format!(
                "{field} is not recorded in {} ({}): the query reads {} ({}), which records it",
                first.table, first.label, src.table, src.label
            ),
            logsource_span(rule),
        ));
    }
    state.table = Some(src.table.to_string());
    let span = logsource_span(rule);
    if let Some(w) = src.warning {
        state.notes.push(Diagnostic::warning("lossy-mapping", format!("{} on {}: {w}", src.label, src.table), span));
    }
    if let Some(i) = src.info {
        state.notes.push(Diagnostic::info("table-mapping", format!("{} on {}: {i}", src.label, src.table), span));
    }
    let mut failed_any = false;
    let outcomes = work.map_leaves(&mut |w| {
        let (e, failed) = map_leaf(src, w, state);
        failed_any |= failed;
        e.map_leaves(&mut |m| Expr::Leaf(if failed { LeafOutcome::Failed(m) } else { LeafOutcome::Mapped(m) }))
    });
    let mapped = if failed_any {
        drop_failed(outcomes, src.table, state)
    } else {
        outcomes.map_leaves(&mut |s| Expr::Leaf(s.into_item()))
    };
    // Only the ASIM parsers read Event's XML undecoded; a native table fallback is read as it is.
    let through_asim_parser = target == TargetId::SentinelAsim && !is_asim_native_table(src.table);
    let mapped = if through_asim_parser {
        xml_entity_alternatives(mapped, src.table, state, "Sysmon through the Event table reaches {table} with `&`, `<` and `>` still written as `&amp;`, `&lt;`, `&gt;` (its ASIM parser reads the XML without decoding it)")
    } else if matches!(src.event_data, EventDataFields::SysmonXml(_)) {
        xml_entity_alternatives(mapped, src.table, state, "Sysmon for Linux writes its events to {table} as XML text, where `&`, `<` and `>` are `&amp;`, `&lt;`, `&gt;`, and the query reads the text without decoding it")
    } else {
        xml_escaped_values(mapped)
    };
    match condition_expr(src, span.unwrap_or_default()) {
        Some(cond) => Expr::And(vec![cond, mapped]),
        None => mapped,
    }
}

/// Tests on a value read from a table's XML text (SecurityEvent's
/// `EventData`), which is well-formed XML: `&`, `<` and `>` are always
/// written as `&amp;`, `&lt;`, `&gt;` there, so the test is on that spelling.
fn xml_escaped_values(e: Expr<MappedItem>) -> Expr<MappedItem> {
    e.map_leaves(&mut |mut m: MappedItem| {
        if m.column_type == ColumnType::EventXml {
            m.item.tests = m.item.tests.iter().map(escaped_test).collect();
        }
        Expr::Leaf(m)
    })
}

/// Sysmon through the `Event` table: the ASIM parsers read the XML text of
/// `EventData` without decoding it (parse-kv with a regex, or `parse`), so
/// `&`, `<` and `>` reach the row as `&amp;`, `&lt;`, `&gt;`. A value test
/// holding one of them also tests that spelling (regexes: `&` only).
fn xml_entity_alternatives(e: Expr<MappedItem>, table: &str, state: &mut MappingState, why: &str) -> Expr<MappedItem> {
    let mut changed = false;
    let out = e.map_leaves(&mut |m: MappedItem| {
        let tests: Vec<Test> = m.item.tests.iter().map(escaped_test).collect();
        if tests == m.item.tests {
            return Expr::Leaf(m);
        }
        changed = true;
        let mut alt = m.clone();
        alt.item.tests = tests;
        // Both spellings for a test, neither for a negated one.
        if m.item.negate {
            Expr::And(vec![Expr::Leaf(m), Expr::Leaf(alt)])
        } else {
            Expr::Or(vec![Expr::Leaf(m), Expr::Leaf(alt)])
        }
    });
    if changed {
        state.notes.push(Diagnostic::info(
            "source-mapping",
            format!("{}: values holding them are also tested in that spelling", why.replace("{table}", table)),
            None,
        ));
    }
    out
}

fn escaped_test(t: &Test) -> Test {
    match t {
        Test::Glob { pattern, cased } => {
            let parts = pattern
                .parts
                .iter()
                .map(|p| match p {
                    crate::sigma::string::Part::Lit(x) if x.contains(['&', '<', '>']) => {
                        crate::sigma::string::Part::Lit(
                            x.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"),
                        )
                    }
                    other => other.clone(),
                })
                .collect();
            Test::Glob { pattern: crate::sigma::string::SigmaString { parts }, cased: *cased }
        }
        Test::Regex { pattern, i, m, s } if pattern.contains('&') => {
            Test::Regex { pattern: pattern.replace('&', "&amp;"), i: *i, m: *m, s: *s }
        }
        other => other.clone(),
    }
}

/// A leaf while a rule is mapped, and whether its item found a translation:
/// the failed ones are dropped or kept by [`drop_failed`], by polarity.
#[derive(Clone)]
enum LeafOutcome {
    Mapped(MappedItem),
    Failed(MappedItem),
}

impl LeafOutcome {
    fn into_item(self) -> MappedItem {
        match self {
            LeafOutcome::Mapped(m) | LeafOutcome::Failed(m) => m,
        }
    }
}

/// Items with no translation, by polarity. At a positive position (under an
/// even number of `not`s) such an item becomes `false`: the query then
/// matches a subset of what the rule matches (the alternatives that need the
/// item are left out), and its error becomes a `lossy-mapping` warning that
/// names the field. Under a `not` no constant is honest: `false` would widen
/// the query (false positives), `true` would turn a filter into one that
/// excludes more than the rule says (an evasion hole), so the error stays.
/// When nothing is left, or the rule fails anyway, every error stays (and the
/// whole tree is returned, to show the mapping): a query that never matches
/// is no conversion.
fn drop_failed(outcomes: Expr<LeafOutcome>, table: &str, state: &mut MappingState) -> Expr<MappedItem> {
    let mut dropped: Vec<(Span, String)> = Vec::new();
    let mut kept: Vec<Span> = Vec::new();
    // Kept to show the whole mapping when the rule does not convert.
    let whole = outcomes.clone();
    let expr = outcomes
        .map_leaves_polar(&mut |s, positive| match s {
            LeafOutcome::Mapped(m) => Expr::Leaf(m),
            LeafOutcome::Failed(m) if positive => {
                let field = m.sigma_field.clone().or_else(|| m.item.field.clone()).unwrap_or_default();
                dropped.push((m.item.key_span, field));
                Expr::Const(false)
            }
            LeafOutcome::Failed(m) => {
                kept.push(m.item.key_span);
                Expr::Leaf(m)
            }
        })
        .simplify();
    let vanished = matches!(expr, Expr::Const(false)) || !kept.is_empty();
    for note in state.notes.iter_mut().filter(|n| n.is_error()) {
        let Some(span) = note.span else { continue };
        if kept.contains(&span) {
            if !note.message.contains("under a `not`") {
                note.message.push_str(
                    " (under a `not`: no constant can stand in for it without widening the query or the exclusion)",
                );
            }
            continue;
        }
        if vanished {
            continue;
        }
        if !dropped.iter().any(|(s, f)| *s == span && note.message.starts_with(&format!("{f} on {table}: "))) {
            continue;
        }
        note.severity = crate::base::diag::Severity::Warning;
        note.code = "lossy-mapping".to_string();
        note.message.push_str(
            "; replaced by `false`, which leaves out the alternatives that need it: the query matches a subset of what the rule matches",
        );
    }
    if vanished {
        whole.map_leaves(&mut |s| Expr::Leaf(s.into_item()))
    } else {
        expr
    }
}

fn condition_expr(src: &Source, span: Span) -> Option<Expr<MappedItem>> {
    let leaf = |col: &str, tests: Vec<Test>| {
        Expr::Leaf(MappedItem {
            item: synthetic_item(col, tests, span),
            sigma_field: None,
            column_type: column_type(src.table, col),
        })
    };
    let number = |n: i64| Test::Number { value: n as f64, text: n.to_string() };
    Some(match src.condition {
        RowFilter::None => return None,
        RowFilter::OneOf(col, values) => leaf(col, values.iter().map(|v| lit(v)).collect()),
        RowFilter::Equals(col, n) => leaf(col, vec![number(n)]),
        RowFilter::WindowsEvent { channels, event_ids, event_types } => {
            let mut parts = vec![leaf("Channel", channels.iter().map(|v| lit(v)).collect())];
            if !event_ids.is_empty() {
                parts.push(leaf("EventID", event_ids.iter().map(|n| number(*n)).collect()));
            }
            if !event_types.is_empty() {
                parts.push(leaf("EventData.EventType", event_types.iter().map(|v| lit(v)).collect()));
            }
            Expr::And(parts)
        }
        RowFilter::EventLog { logs, event_ids } => {
            let log = leaf("EventLog", logs.iter().map(|v| lit(v)).collect());
            if event_ids.is_empty() {
                log
            } else {
                Expr::And(vec![log, leaf("EventID", event_ids.iter().map(|n| number(*n)).collect())])
            }
        }
        RowFilter::AuditdSyslog => leaf(
            "SyslogMessage",
            vec![Test::Glob {
                pattern: SigmaString { parts: vec![Part::Star, Part::Lit(AUDIT_RECORD_MARK.to_string()), Part::Star] },
                cased: true,
            }],
        ),
        RowFilter::CefDevice { vendor, product, name } => {
            let starts = |text: &str| Test::Glob {
                pattern: SigmaString { parts: vec![Part::Lit(text.to_string()), Part::Star] },
                cased: false,
            };
            Expr::And(vec![
                leaf("DeviceVendor", vec![lit(vendor)]),
                leaf("DeviceProduct", vec![starts(product)]),
                leaf("Activity", vec![starts(name)]),
            ])
        }
        RowFilter::SysmonSyslog { event_ids } => {
            let has = |text: String| Test::Glob {
                pattern: SigmaString { parts: vec![Part::Star, Part::Lit(text), Part::Star] },
                cased: false,
            };
            Expr::And(vec![
                leaf("SyslogMessage", vec![has(format!("<Provider Name=\"{SYSMON_LINUX_PROVIDER}\""))]),
                leaf("SyslogMessage", event_ids.iter().map(|n| has(format!("<EventID>{n}</EventID>"))).collect()),
            ])
        }
    })
}

fn mapped(w: &WorkItem, col: &str, tests: Vec<Test>, all: bool, table: &str) -> MappedItem {
    // Built field by field: cloning the whole item would copy its tests only to drop them.
    let src = &w.item;
    let (shown_values, test_sources) = if tests == src.tests {
        (src.shown_values.clone(), src.test_sources.clone())
    } else {
        (tests.iter().map(Test::describe).collect(), (0..tests.len()).collect())
    };
    let item = Item {
        field: Some(col.to_string()),
        tests,
        all,
        negate: false,
        modifiers: src.modifiers.clone(),
        shown_values,
        test_sources,
        key_span: src.key_span,
        value_span: src.value_span,
    };
    MappedItem { item, sigma_field: w.sigma_field.clone(), column_type: column_type(table, col) }
}

fn unchanged(w: WorkItem) -> Expr<MappedItem> {
    Expr::Leaf(MappedItem { item: w.item, sigma_field: w.sigma_field, column_type: ColumnType::Unknown })
}

fn negated(e: Expr<MappedItem>, negate: bool) -> Expr<MappedItem> {
    if !negate {
        return e;
    }
    match e {
        Expr::Leaf(mut m) => {
            m.item.negate = !m.item.negate;
            Expr::Leaf(m)
        }
        other => Expr::Not(Box::new(other)),
    }
}

/// Several columns are alternatives that each row fills one of (a source
/// writes the field to one, another source to another): a value test holds
/// when it holds in some column, an emptiness test when all are empty.
fn rename(w: &WorkItem, cols: &[&str], table: &str) -> Expr<MappedItem> {
    let leaves = |tests: Vec<Test>, all: bool| -> Vec<Expr<MappedItem>> {
        let mut out = Vec::with_capacity(cols.len());
        let Some((last, rest)) = cols.split_last() else { return out };
        out.extend(rest.iter().map(|c| Expr::Leaf(mapped(w, c, tests.clone(), all, table))));
        out.push(Expr::Leaf(mapped(w, last, tests, all, table)));
        out
    };
    if cols.len() == 1 {
        let e = leaves(w.item.tests.clone(), w.item.all).into_iter().next().unwrap_or(Expr::Const(false));
        return negated(e, w.item.negate);
    }
    let (empty, values): (Vec<Test>, Vec<Test>) = w.item.tests.iter().cloned().partition(is_emptiness);
    let mut parts = Vec::new();
    if !values.is_empty() {
        parts.push(Expr::Or(leaves(values, w.item.all)));
    }
    for t in empty {
        parts.push(Expr::And(leaves(vec![t], false)));
    }
    let e = match parts.len() {
        1 => parts.into_iter().next().unwrap_or(Expr::Const(false)),
        _ if w.item.all => Expr::And(parts),
        _ => Expr::Or(parts),
    };
    negated(e, w.item.negate)
}

fn is_emptiness(t: &Test) -> bool {
    match t {
        Test::Null | Test::Exists(false) => true,
        Test::Glob { pattern, .. } => pattern.parts.is_empty(),
        _ => false,
    }
}

fn mergeable(t: &Test) -> bool {
    matches!(t, Test::Glob { .. } | Test::Number { .. })
}

/// Leaves (column, test) back into items: tests on one column under the same
/// OR (AND) node become one item (one `in~` list in KQL).
fn assemble(e: ColumnExpr, w: &WorkItem, table: &str) -> Expr<MappedItem> {
    match e {
        Expr::Leaf(l) => Expr::Leaf(mapped(w, &l.col, vec![l.test], false, table)),
        Expr::Const(b) => Expr::Const(b),
        Expr::Not(x) => Expr::Not(Box::new(assemble(*x, w, table))),
        Expr::Or(xs) => Expr::Or(merge(xs, false, w, table)),
        Expr::And(xs) => Expr::And(merge(xs, true, w, table)),
    }
}

fn merge(xs: Vec<ColumnExpr>, all: bool, w: &WorkItem, table: &str) -> Vec<Expr<MappedItem>> {
    let mut flat = Vec::new();
    for x in xs {
        match x {
            Expr::Or(inner) if !all => flat.extend(inner),
            Expr::And(inner) if all => flat.extend(inner),
            other => flat.push(other),
        }
    }
    let mut groups: Vec<(String, Vec<Test>)> = Vec::new();
    let mut others = Vec::new();
    for x in flat {
        match x {
            Expr::Leaf(l) if mergeable(&l.test) => match groups.iter_mut().find(|(c, _)| *c == l.col) {
                Some((_, tests)) => {
                    if !tests.contains(&l.test) {
                        tests.push(l.test);
                    }
                }
                None => groups.push((l.col, vec![l.test])),
            },
            other => others.push(other),
        }
    }
    let mut out: Vec<Expr<MappedItem>> =
        groups.into_iter().map(|(col, tests)| Expr::Leaf(mapped(w, &col, tests, all, table))).collect();
    for o in others {
        out.push(assemble(o, w, table));
    }
    out
}

fn leaf_columns(e: &Expr<MappedItem>) -> Vec<String> {
    let mut cols = Vec::new();
    e.for_each_leaf(&mut |m| {
        if let Some(f) = &m.item.field {
            if !cols.contains(f) {
                cols.push(f.clone());
            }
        }
    });
    cols
}

fn event_ids(w: &WorkItem) -> Option<Vec<i64>> {
    let mut out = Vec::new();
    for t in &w.item.tests {
        match t {
            Test::Number { value, .. } if value.fract() == 0.0 => out.push(*value as i64),
            Test::Glob { pattern, .. } => out.push(pattern.as_plain()?.trim().parse::<i64>().ok()?),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn plain_values(w: &WorkItem) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for t in &w.item.tests {
        match t {
            Test::Glob { pattern, .. } => out.push(pattern.as_plain()?),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// One item mapped; the flag is set when the item has no translation (an
/// error note says why) and the leaf is the item unchanged.
fn map_leaf(src: &Source, w: WorkItem, state: &mut MappingState) -> (Expr<MappedItem>, bool) {
    let Some(field) = w.item.field.clone() else {
        if src.condition == RowFilter::AuditdSyslog {
            return audit_keywords(w, src.table, state);
        }
        return (
            Expr::Leaf(MappedItem { item: w.item, sigma_field: w.sigma_field, column_type: ColumnType::Unknown }),
            false,
        );
    };
    let shown = w.sigma_field.clone().unwrap_or_else(|| field.clone());
    let table = src.table;
    let mut notes =
        ItemNotes { out: &mut state.notes, span: w.item.key_span, field: &shown, table, lossy: false, failed: false };
    let fieldref = !w.item.tests.is_empty() && w.item.tests.iter().all(|t| matches!(t, Test::FieldRef { .. }));
    let result = match lookup(src, &field) {
        _ if fieldref => map_fieldref(src, &w, &mut notes),
        Some(FieldMap::To(cols)) => rename(&w, cols, table),
        Some(FieldMap::Approx(cols, note)) => {
            notes.lossy(note);
            rename(&w, cols, table)
        }
        Some(FieldMap::Convert(conv)) => convert_item(&conv, &w, &mut notes),
        Some(FieldMap::Drop(kind)) => drop_item(kind, &w, src, &mut notes),
        Some(FieldMap::Missing(reason)) => {
            notes.error("unmapped-field", &format!("no equivalent column: {reason}"));
            unchanged(w.clone())
        }
        None if has_column(table, &field) => rename(&w, &[field.as_str()], table),
        None if super::event_data_path(src, &field).is_some() => {
            let path = super::event_data_path(src, &field).unwrap_or_default();
            rename(&w, &[path.as_str()], table)
        }
        None => {
            let hint = src.unmapped_hint.map(|h| format!(" ({h})")).unwrap_or_default();
            notes.error(
                "unmapped-field",
                &format!("no mapping for this field on {}, and {table} has no column of that name{hint}", src.label),
            );
            unchanged(w.clone())
        }
    };
    let (lossy, failed) = (notes.lossy, notes.failed);
    if let Some(s) = &w.sigma_field {
        // A failed item's leaf still carries the Sigma name, which is no column.
        let cols = if failed { Vec::new() } else { leaf_columns(&result) };
        state.record(s, &cols, lossy || failed);
    }
    (result, failed)
}

/// Keywords on auditd's records: searched in the record's text, where
/// auditd writes a value holding a space, a double quote, a control or a
/// non-ASCII byte in hex, and each argument of a command as a field of its
/// own; a keyword holding such a character is never in the text.
fn audit_keywords(w: WorkItem, table: &str, state: &mut MappingState) -> (Expr<MappedItem>, bool) {
    let mut notes = ItemNotes {
        out: &mut state.notes,
        span: w.item.key_span,
        field: "keywords",
        table,
        lossy: false,
        failed: false,
    };
    // A number keyword is its digits in the text.
    let tests: Vec<Test> = w
        .item
        .tests
        .iter()
        .map(|t| match t {
            Test::Number { text, .. } => Test::Glob { pattern: SigmaString::literal(text), cased: false },
            other => other.clone(),
        })
        .collect();
    let spelled_in_hex = tests.iter().any(|t| match t {
        Test::Glob { pattern, .. } => {
            pattern.parts.iter().any(|p| matches!(p, Part::Lit(text) if audit_needs_hex(text)))
        }
        _ => true,
    });
    if spelled_in_hex {
        notes.error("unmapped-value", "auditd writes a value holding a space, a double quote, a control or a non-ASCII byte in hex, and each argument of a command as a field of its own: a keyword holding such a character (or a non-text keyword) is never in SyslogMessage");
    } else {
        notes.lossy("a keyword is searched in SyslogMessage, the record's text, where auditd writes a value holding a space, a double quote, a control or a non-ASCII byte in hex (the keyword is not found inside such a value), and where it is also found in the record's other fields and its timestamp");
    }
    let failed = notes.failed;
    // A keyword is found anywhere in the text.
    let tests = tests
        .iter()
        .map(|t| match t {
            Test::Glob { pattern, cased } => {
                let mut parts = vec![Part::Star];
                parts.extend(pattern.parts.iter().cloned());
                parts.push(Part::Star);
                Test::Glob { pattern: SigmaString { parts }, cased: *cased }
            }
            other => other.clone(),
        })
        .collect();
    (negated(Expr::Leaf(mapped(&w, "SyslogMessage", tests, w.item.all, table)), w.item.negate), failed)
}

/// Columns a field compares as, position by position: one column, or the
/// (domain, name) pair of a split `DOMAIN\user`.
fn comparable_columns(src: &Source, field: &str) -> Option<Vec<&'static str>> {
    match lookup(src, field) {
        Some(FieldMap::To(cols) | FieldMap::Approx(cols, _)) if cols.len() == 1 => Some(cols.to_vec()),
        Some(FieldMap::Convert(conv)) => conv_columns(&conv),
        Some(_) => None,
        None => schema_name(src.table, field).map(|c| vec![c]),
    }
}

/// The columns a converted field compares as, where the conversion keeps
/// the value as it is (or splits `DOMAIN\\user`).
fn conv_columns(conv: &ValueConversion) -> Option<Vec<&'static str>> {
    match *conv {
        ValueConversion::UserSplit { domain, name, fallback: None } => Some(vec![domain, name]),
        ValueConversion::Column { col }
        | ValueConversion::Spellings { col, .. }
        | ValueConversion::RepeatedName { col, .. } => Some(vec![col]),
        ValueConversion::ProcessPath { cols: [col], .. } => Some(vec![*col]),
        ValueConversion::Account { base, .. } => conv_columns(base),
        _ => None,
    }
}

/// The schema's own `&'static` spelling of a column.
fn schema_name(table: &str, col: &str) -> Option<&'static str> {
    crate::kusto::schema::table_columns(table)?.iter().find(|(c, _)| *c == col).map(|(c, _)| *c)
}

/// `fieldref`: both fields must land on comparable columns.
fn map_fieldref(src: &Source, w: &WorkItem, notes: &mut ItemNotes<'_>) -> Expr<MappedItem> {
    let field = w.item.field.as_deref().unwrap_or("");
    let mut alternatives = Vec::new();
    for t in &w.item.tests {
        let Test::FieldRef { field: other, position, cased } = t else { continue };
        let (Some(mine), Some(theirs)) = (comparable_columns(src, field), comparable_columns(src, other)) else {
            notes.error(
                "unmapped-value",
                &format!("the field reference to {other} cannot be expressed on {}", src.table),
            );
            return unchanged(w.clone());
        };
        if mine.len() != theirs.len() || (mine.len() > 1 && position.is_some()) {
            notes.error(
                "unmapped-value",
                &format!("{field} and {other} are stored differently in {}; they cannot be compared", src.table),
            );
            return unchanged(w.clone());
        }
        let pairs: Vec<Expr<MappedItem>> = mine
            .iter()
            .zip(theirs.iter())
            .map(|(a, b)| {
                let test = Test::FieldRef { field: (*b).to_string(), position: *position, cased: *cased };
                Expr::Leaf(mapped(w, a, vec![test], false, src.table))
            })
            .collect();
        alternatives.push(if pairs.len() == 1 {
            pairs.into_iter().next().unwrap_or(Expr::Const(false))
        } else {
            Expr::And(pairs)
        });
    }
    let combined = match alternatives.len() {
        1 => alternatives.into_iter().next().unwrap_or(Expr::Const(false)),
        _ if w.item.all => Expr::And(alternatives),
        _ => Expr::Or(alternatives),
    };
    negated(combined, w.item.negate)
}

fn convert_item(conv: &ValueConversion, w: &WorkItem, notes: &mut ItemNotes<'_>) -> Expr<MappedItem> {
    let mut parts = Vec::new();
    let mut missing = 0usize;
    for t in &w.item.tests {
        match convert_test(conv, t, notes) {
            Some(e) => parts.push(e),
            None => missing += 1,
        }
    }
    if parts.is_empty() {
        notes.error("unmapped-value", "no value of this item can be expressed on the target");
        return unchanged(w.clone());
    }
    if missing > 0 && w.item.all {
        // A conjunct that cannot be checked is dropped, not made false.
        parts.push(Expr::Const(true));
    }
    let combined = if w.item.all { Expr::And(parts) } else { Expr::Or(parts) };
    negated(assemble(combined, w, notes.table), w.item.negate)
}

fn drop_item(kind: DropKind, w: &WorkItem, src: &Source, notes: &mut ItemNotes<'_>) -> Expr<MappedItem> {
    match kind {
        DropKind::EventId => match event_ids(w) {
            Some(ids) if ids.iter().all(|id| src.restating.contains(id)) => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                notes.info(
                    "dropped-item",
                    &format!("EventID {} only restates the log source ({}), which the table holds; dropped", ids.join(", "), src.label),
                );
            }
            _ => notes.lossy("the table has no EventID; the condition is dropped, so the query is wider than the rule"),
        },
        DropKind::Provider => match plain_values(w) {
            Some(vals) if vals.iter().all(|v| src.providers.iter().any(|p| p.eq_ignore_ascii_case(v))) => {
                notes.info("dropped-item", &format!("'{}' only restates the log source; dropped", vals.join(", ")));
            }
            _ => notes.lossy("the table has no provider/channel column; the condition is dropped, so the query is wider than the rule"),
        },
        DropKind::Widening(why) => notes.lossy(&format!("{why}; the condition is dropped, so the query is wider than the rule")),
    }
    Expr::Const(true)
}
