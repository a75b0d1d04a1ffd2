//! Evaluation: a table of typed rows, each remembering the event it came from,
//! through the query's operators.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::Value as Json;

use super::arith::{arith, negate};
use super::ast::*;
use super::functions;
use super::strings;
use super::value::{Type, Value};

#[derive(Debug, Clone)]
pub struct Row {
    /// Index of the input event this row comes from; None after `summarize`, `distinct`, `count`.
    pub origin: Option<usize>,
    pub values: Vec<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

/// A problem found while evaluating (not fatal): message and where in the query.
pub type Note = (&'static str, String, Pos);

struct Ctx<'t> {
    index: HashMap<&'t str, usize>,
    notes: &'t std::cell::RefCell<Vec<Note>>,
}

impl Ctx<'_> {
    fn note(&self, code: &'static str, msg: String, pos: Pos) {
        let mut n = self.notes.borrow_mut();
        if n.len() < 50 && !n.iter().any(|(c, _, p)| *c == code && *p == pos) {
            n.push((code, msg, pos));
        }
    }
}

fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) | Value::Dynamic(Json::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn flatten(values: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        match v {
            Value::Dynamic(Json::Array(items)) => {
                out.extend(items.into_iter().map(|j| Value::Dynamic(j).unwrap_dynamic()))
            }
            v => out.push(v.unwrap_dynamic()),
        }
    }
    out
}

/// Kusto's `==`: null against a value is false, null against null is null.
/// A string against a number compares numerically when the string is one
/// (Kusto rejects the query; we say so in a note and still answer).
fn equal(a: &Value, b: &Value, ci: bool) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Null, Null) => None,
        (Null, _) | (_, Null) => Some(false),
        (Str(x), Str(y)) => Some(if ci { strings::fold(x, false) == strings::fold(y, false) } else { x == y }),
        (Long(x), Long(y)) => Some(x == y),
        (DateTime(x), DateTime(y)) | (Timespan(x), Timespan(y)) => Some(x == y),
        (Bool(x), Bool(y)) => Some(x == y),
        (Dynamic(x), Dynamic(y)) => Some(x == y),
        (Long(_) | Real(_), Long(_) | Real(_)) => Some(a.as_real() == b.as_real()),
        (DateTime(d), Str(s)) | (Str(s), DateTime(d)) => Some(super::value::parse_datetime(s) == Some(*d)),
        (Str(_), Long(_) | Real(_)) | (Long(_) | Real(_), Str(_)) => {
            let (x, y) = (a.as_real(), b.as_real());
            Some(x.is_some() && x == y)
        }
        _ => Some(if ci {
            strings::fold(&a.to_text(), false) == strings::fold(&b.to_text(), false)
        } else {
            a.to_text() == b.to_text()
        }),
    }
}

fn order(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Long(x), Long(y)) => Some(x.cmp(y)),
        (DateTime(x), DateTime(y)) | (Timespan(x), Timespan(y)) => Some(x.cmp(y)),
        (DateTime(d), Str(s)) => super::value::parse_datetime(s).map(|y| d.cmp(&y)),
        (Str(s), DateTime(d)) => super::value::parse_datetime(s).map(|x| x.cmp(d)),
        (Str(x), Str(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        _ => a.as_real()?.partial_cmp(&b.as_real()?),
    }
}

/// Total order for `sort`: nulls placed by the caller, then by value, then as text.
fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    order(a, b).unwrap_or_else(|| a.to_text().cmp(&b.to_text()))
}

fn is_kleene_null(v: &Value) -> bool {
    v.is_null()
}

fn mixes_string_and_number(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (Value::Str(_), Value::Long(_) | Value::Real(_)) | (Value::Long(_) | Value::Real(_), Value::Str(_))
    )
}

impl<'t> Ctx<'t> {
    fn eval<'a>(&self, e: &'a Expr, row: &'a Row) -> Cow<'a, Value> {
        use Cow::{Borrowed, Owned};
        match &e.kind {
            Kind::Lit(v) => Borrowed(v),
            Kind::Col(name) => match self.index.get(name.as_str()).and_then(|i| row.values.get(*i)) {
                Some(v) => Borrowed(v),
                None => {
                    self.note(
                        "kql-unknown-column",
                        format!("column '{name}' is not in the events or the table's schema; read as an empty string (Kusto rejects the query)"),
                        e.pos,
                    );
                    Owned(Value::Str(String::new()))
                }
            },
            Kind::Star => {
                self.note("kql-syntax", "'*' stands for any column only left of a string operator".into(), e.pos);
                Owned(Value::Null)
            }
            Kind::Member(base, key) => Owned(match self.eval(base, row).as_ref() {
                Value::Dynamic(Json::Object(m)) => Value::Dynamic(m.get(key).cloned().unwrap_or(Json::Null)),
                Value::Dynamic(Json::String(s)) | Value::Str(s) if s.starts_with('{') => {
                    // Kusto reads JSON text in a string column through a path only after parse_json;
                    // a dynamic column holding a JSON string is common in exports, so accept it.
                    let j: Json = serde_json::from_str(s).unwrap_or(Json::Null);
                    Value::Dynamic(j.get(key).cloned().unwrap_or(Json::Null))
                }
                _ => Value::Dynamic(Json::Null),
            }),
            Kind::Index(base, idx) => {
                let b = self.eval(base, row);
                let i = self.eval(idx, row);
                Owned(match (b.as_ref(), i.as_ref().clone().unwrap_dynamic()) {
                    (Value::Dynamic(Json::Array(a)), Value::Long(n)) => {
                        let k = if n < 0 { a.len() as i64 + n } else { n };
                        Value::Dynamic(usize::try_from(k).ok().and_then(|k| a.get(k)).cloned().unwrap_or(Json::Null))
                    }
                    (Value::Dynamic(Json::Object(m)), Value::Str(k)) => {
                        Value::Dynamic(m.get(&k).cloned().unwrap_or(Json::Null))
                    }
                    _ => Value::Dynamic(Json::Null),
                })
            }
            Kind::Neg(x) => Owned(negate(self.eval(x, row).into_owned()).unwrap_or(Value::Null)),
            Kind::Not(x) => Owned(truth(&self.eval(x, row)).map_or(Value::Null, |b| Value::Bool(!b))),
            Kind::And(items) | Kind::Or(items) => {
                let is_and = matches!(e.kind, Kind::And(_));
                let mut unknown = false;
                for it in items {
                    match truth(&self.eval(it, row)) {
                        Some(b) if b != is_and => return Owned(Value::Bool(b)),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                Owned(if unknown { Value::Null } else { Value::Bool(is_and) })
            }
            Kind::Cmp(op, l, r) => {
                let a = self.eval(l, row).into_owned().unwrap_dynamic();
                let b = self.eval(r, row).into_owned().unwrap_dynamic();
                if mixes_string_and_number(&a, &b) {
                    self.note("kql-type-mismatch", "a string compared with a number: Kusto rejects this query; the string is read as a number here".into(), e.pos);
                }
                let res = match op {
                    CmpOp::Eq => equal(&a, &b, false),
                    CmpOp::Ne => match (is_kleene_null(&a), is_kleene_null(&b)) {
                        (true, true) => None,
                        _ => equal(&a, &b, false).map(|x| !x),
                    },
                    _ => order(&a, &b).map(|o| match op {
                        CmpOp::Lt => o == Ordering::Less,
                        CmpOp::Le => o != Ordering::Greater,
                        CmpOp::Gt => o == Ordering::Greater,
                        _ => o != Ordering::Less,
                    }),
                };
                Owned(res.map_or(Value::Null, Value::Bool))
            }
            Kind::Arith(op, l, r) => Owned(arith(*op, self.eval(l, row).into_owned(), self.eval(r, row).into_owned())),
            Kind::Str { op, cs, neg, lhs, rhs } => {
                let needle = self.eval(rhs, row).to_text();
                let needle = strings::fold(&needle, *cs);
                let hit = self.any_text(lhs, row, |s| strings::str_op(*op, s, &needle, *cs));
                Owned(Value::Bool(hit != *neg))
            }
            Kind::Regex { lhs, re } => Owned(Value::Bool(self.any_text(lhs, row, |s| re.is_match(s)))),
            Kind::HasAny { all, lhs, list } => {
                let needles: Vec<String> = flatten(list.iter().map(|x| self.eval(x, row).into_owned()).collect())
                    .iter()
                    .map(|v| crate::base::case::to_lowercase(&v.to_text()))
                    .collect();
                let hit = self.any_text(lhs, row, |s| {
                    let s = strings::fold(s, false);
                    if *all {
                        needles.iter().all(|n| strings::term_match(&s, n, true, true))
                    } else {
                        needles.iter().any(|n| strings::term_match(&s, n, true, true))
                    }
                });
                Owned(Value::Bool(hit))
            }
            Kind::In { ci, neg, lhs, list } => {
                let a = self.eval(lhs, row).into_owned().unwrap_dynamic();
                let items = flatten(list.iter().map(|x| self.eval(x, row).into_owned()).collect());
                if items.iter().any(|b| mixes_string_and_number(&a, b)) {
                    self.note(
                        "kql-type-mismatch",
                        "'in' compares a string with numbers: Kusto rejects this query; compared as numbers here"
                            .into(),
                        e.pos,
                    );
                }
                let found = items.iter().any(|b| equal(&a, b, *ci) == Some(true));
                Owned(Value::Bool(found != *neg))
            }
            Kind::Between { neg, lhs, lo, hi } => {
                let a = self.eval(lhs, row).into_owned().unwrap_dynamic();
                let lo = self.eval(lo, row).into_owned().unwrap_dynamic();
                let mut hi = self.eval(hi, row).into_owned().unwrap_dynamic();
                if let (Value::DateTime(d), Value::Timespan(t)) = (&lo, &hi) {
                    hi = d.checked_add(*t).map_or(Value::Null, Value::DateTime);
                }
                let inside = match (order(&a, &lo), order(&a, &hi)) {
                    (Some(x), Some(y)) => Some(x != Ordering::Less && y != Ordering::Greater),
                    _ => None,
                };
                Owned(inside.map_or(Value::Null, |b| Value::Bool(b != *neg)))
            }
            Kind::Call("column_ifexists", args) => {
                let name = args.first().and_then(functions::constant).map(|v| v.to_text()).unwrap_or_default();
                match self.index.get(name.as_str()).and_then(|i| row.values.get(*i)) {
                    Some(v) => Borrowed(v),
                    None => args.get(1).map_or(Owned(Value::Null), |d| self.eval(d, row)),
                }
            }
            Kind::Call(name, args) => {
                let vals: Vec<Value> = args.iter().map(|a| self.eval(a, row).into_owned()).collect();
                Owned(functions::call(name, vals))
            }
        }
    }

    /// A string predicate over the text of `lhs`, or over every column for `*`.
    fn any_text(&self, lhs: &Expr, row: &Row, mut pred: impl FnMut(&str) -> bool) -> bool {
        if matches!(lhs.kind, Kind::Star) {
            return row.values.iter().any(|v| match v {
                Value::Str(s) => pred(s),
                v => pred(&v.to_text()),
            });
        }
        match self.eval(lhs, row).as_ref() {
            Value::Str(s) => pred(s),
            v => pred(&v.to_text()),
        }
    }
}

/// Run the operators over `table`. Notes are warnings about Kusto behaviour
/// the playground only approximates.
pub fn run(ops: &[Op], mut table: Table) -> (Table, Vec<Note>) {
    let notes = std::cell::RefCell::new(Vec::new());
    for op in ops {
        table = step(op, table, &notes);
    }
    (table, notes.into_inner())
}

fn ctx<'t>(columns: &'t [String], notes: &'t std::cell::RefCell<Vec<Note>>) -> Ctx<'t> {
    Ctx { index: columns.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect(), notes }
}

fn group_key(vals: &[Value]) -> String {
    // Typed text: `1` (long) and `"1"` (string) are different groups.
    let mut k = String::new();
    for v in vals {
        k.push_str(&format!("{:?}\u{1}", std::mem::discriminant(v)));
        k.push_str(&v.to_text());
        k.push('\u{0}');
    }
    k
}

fn step(op: &Op, table: Table, notes: &std::cell::RefCell<Vec<Note>>) -> Table {
    let Table { columns, rows } = table;
    match op {
        Op::Where(pred) => {
            let c = ctx(&columns, notes);
            let rows = rows.into_iter().filter(|r| truth(&c.eval(pred, r)) == Some(true)).collect();
            drop(c);
            Table { columns, rows }
        }
        Op::Extend(items) => {
            let c = ctx(&columns, notes);
            let computed: Vec<Vec<Value>> =
                rows.iter().map(|r| items.iter().map(|(_, e)| c.eval(e, r).into_owned()).collect()).collect();
            drop(c);
            let mut columns = columns;
            let mut rows = rows;
            for (k, (name, _)) in items.iter().enumerate() {
                let slot = columns.iter().position(|c| c == name);
                if slot.is_none() {
                    columns.push(name.clone());
                }
                for (r, vals) in rows.iter_mut().zip(&computed) {
                    let v = vals.get(k).cloned().unwrap_or(Value::Null);
                    match slot {
                        Some(i) => {
                            if let Some(x) = r.values.get_mut(i) {
                                *x = v;
                            }
                        }
                        None => r.values.push(v),
                    }
                }
            }
            Table { columns, rows }
        }
        Op::Project(items) => {
            let c = ctx(&columns, notes);
            let rows = rows
                .iter()
                .map(|r| Row {
                    origin: r.origin,
                    values: items.iter().map(|(_, e)| c.eval(e, r).into_owned()).collect(),
                })
                .collect();
            Table { columns: items.iter().map(|(n, _)| n.clone()).collect(), rows }
        }
        Op::ProjectAway(cols) => {
            let mut drop_idx = Vec::new();
            for (name, pos) in cols {
                match columns.iter().position(|c| c == name) {
                    Some(i) => drop_idx.push(i),
                    None => notes.borrow_mut().push((
                        "kql-unknown-column",
                        format!("project-away: no column '{name}'"),
                        *pos,
                    )),
                }
            }
            let keep = |i: usize| !drop_idx.contains(&i);
            let new_cols = columns.iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, c)| c.clone()).collect();
            let rows = rows
                .into_iter()
                .map(|r| Row {
                    origin: r.origin,
                    values: r.values.into_iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, v)| v).collect(),
                })
                .collect();
            Table { columns: new_cols, rows }
        }
        Op::Take(n) => {
            let mut rows = rows;
            rows.truncate(*n);
            Table { columns, rows }
        }
        Op::Sort(keys) => sort(keys, Table { columns, rows }, notes),
        Op::Top(n, keys) => {
            let mut t = sort(keys, Table { columns, rows }, notes);
            t.rows.truncate(*n);
            t
        }
        Op::Distinct(items) => {
            let (cols, projected): (Vec<String>, Vec<Vec<Value>>) = match items {
                None => (columns.clone(), rows.into_iter().map(|r| r.values).collect()),
                Some(items) => {
                    let c = ctx(&columns, notes);
                    let p =
                        rows.iter().map(|r| items.iter().map(|(_, e)| c.eval(e, r).into_owned()).collect()).collect();
                    (items.iter().map(|(n, _)| n.clone()).collect(), p)
                }
            };
            let mut seen = std::collections::HashSet::new();
            let rows = projected
                .into_iter()
                .filter(|v| seen.insert(group_key(v)))
                .map(|values| Row { origin: None, values })
                .collect();
            Table { columns: cols, rows }
        }
        Op::Count => Table {
            columns: vec!["Count".into()],
            rows: vec![Row { origin: None, values: vec![Value::Long(rows.len() as i64)] }],
        },
        Op::Summarize { aggs, by } => {
            let c = ctx(&columns, notes);
            // Groups in the order first seen: (key values, member rows), found by key through
            // `HashMap<String, usize>` (a map type the crate has anyway).
            let mut groups: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
            let mut index: HashMap<String, usize> = HashMap::new();
            for (ri, r) in rows.iter().enumerate() {
                let key_vals: Vec<Value> = by.iter().map(|(_, e)| c.eval(e, r).into_owned()).collect();
                let k = group_key(&key_vals);
                let i = *index.entry(k).or_insert_with(|| {
                    groups.push((key_vals, Vec::new()));
                    groups.len() - 1
                });
                if let Some(g) = groups.get_mut(i) {
                    g.1.push(ri);
                }
            }
            if by.is_empty() && groups.is_empty() {
                groups.push((Vec::new(), Vec::new()));
            }
            let mut out = Vec::new();
            for (key_vals, members) in &groups {
                let mut values = key_vals.clone();
                for (_, agg) in aggs {
                    values.push(match agg {
                        Agg::Count => Value::Long(members.len() as i64),
                        Agg::CountIf(p) => Value::Long(
                            members
                                .iter()
                                .filter(|&&i| rows.get(i).is_some_and(|r| truth(&c.eval(p, r)) == Some(true)))
                                .count() as i64,
                        ),
                        Agg::DCount(x) => {
                            let mut set = std::collections::HashSet::new();
                            for &i in members {
                                if let Some(r) = rows.get(i) {
                                    let v = c.eval(x, r);
                                    if !v.is_null() {
                                        set.insert(group_key(std::slice::from_ref(v.as_ref())));
                                    }
                                }
                            }
                            Value::Long(set.len() as i64)
                        }
                    });
                }
                out.push(Row { origin: None, values });
            }
            let cols = by.iter().map(|(n, _)| n.clone()).chain(aggs.iter().map(|(n, _)| n.clone())).collect();
            Table { columns: cols, rows: out }
        }
    }
}

fn sort(keys: &[SortKey], table: Table, notes: &std::cell::RefCell<Vec<Note>>) -> Table {
    let Table { columns, rows } = table;
    let c = ctx(&columns, notes);
    let mut keyed: Vec<(Vec<Value>, Row)> = rows
        .into_iter()
        .map(|r| (keys.iter().map(|k| c.eval(&k.expr, &r).into_owned().unwrap_dynamic()).collect(), r))
        .collect();
    drop(c);
    crate::base::sort::sort_by(&mut keyed, &|(a, _), (b, _)| {
        for (k, (x, y)) in keys.iter().zip(a.iter().zip(b)) {
            let o = match (x.is_null(), y.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    if k.nulls_first {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (false, true) => {
                    if k.nulls_first {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (false, false) => {
                    let o = sort_cmp(x, y);
                    if k.desc {
                        o.reverse()
                    } else {
                        o
                    }
                }
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    Table { columns, rows: keyed.into_iter().map(|(_, r)| r).collect() }
}

/// The source table: one row per event, columns typed by the schema (when the
/// table has one) or by the values (all strings → string, integers → long,
/// mixed → string). Columns the query reads that no event has get the
/// schema's type, so a missing string column reads `""` and others null.
/// With `only_referenced`, columns the query does not name are left out (for
/// verdicts only: the output rows then lack them).
pub fn source_table(
    events: &[Json],
    schema: &dyn Fn(&str) -> Option<Type>,
    referenced: &[String],
    only_referenced: bool,
) -> Table {
    let mut columns: Vec<String> = Vec::new();
    // Each column's type so far, and the position of a seen column in `columns` and `found`
    // (a `HashMap<String, usize>`, a map type the crate has anyway, rather than one more instance).
    let mut found: Vec<Option<Type>> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let wanted: std::collections::HashSet<&str> = referenced.iter().map(String::as_str).collect();
    for ev in events {
        let Json::Object(m) = ev else { continue };
        for (k, v) in m {
            if only_referenced && !wanted.contains(k.as_str()) {
                continue;
            }
            let t = Value::json_type(v);
            match seen.get(k.as_str()).and_then(|&i| found.get_mut(i)) {
                None => {
                    seen.insert(k.clone(), columns.len());
                    columns.push(k.clone());
                    found.push(t);
                }
                Some(prev) => {
                    *prev = match (*prev, t) {
                        (None, t) | (t, None) => t,
                        (Some(a), Some(b)) if a == b => Some(a),
                        (Some(Type::Long | Type::Real), Some(Type::Long | Type::Real)) => Some(Type::Real),
                        _ => Some(Type::String),
                    }
                }
            }
        }
    }
    for r in referenced {
        if !seen.contains_key(r.as_str()) {
            if let Some(t) = schema(r) {
                seen.insert(r.clone(), columns.len());
                columns.push(r.clone());
                found.push(Some(t));
            }
        }
    }
    let types: Vec<Type> = columns.iter().zip(&found).map(|(c, t)| schema(c).or(*t).unwrap_or(Type::String)).collect();
    let rows = events
        .iter()
        .enumerate()
        .map(|(i, ev)| Row {
            origin: Some(i),
            values: columns
                .iter()
                .zip(&types)
                .map(|(c, t)| ev.get(c).map_or_else(|| Value::null_of(*t), |j| Value::from_json(j, *t)))
                .collect(),
        })
        .collect();
    Table { columns, rows }
}
