//! Mapped expression → KQL condition text.
//!
//! Two layers:
//! - the rule tree (`Expr<MappedItem>`, depth up to `expr::MAX_DEPTH` or more
//!   if a caller built it by hand) is folded and printed with explicit stacks,
//!   never by recursion, in time linear in its size;
//! - each detection item becomes a small KQL tree (`KqlPredicate`, depth ≤ 3) of atoms
//!   (`col =~ "x"`, `ipv4_is_in_range(...)`), printed recursively.
//!
//! Null handling. Kusto strings are never null (an absent value is `""`),
//! but other types are, and some functions return null for bad input
//! (`ipv4_is_in_range` on a non-IPv4 text, `toreal("abc") < 4`,
//! `datetime_part` of a non-date). `where` drops rows whose predicate is null,
//! and `not(null)` is null, so under a negation such an atom would drop the
//! row where Sigma says "not matched, so the negation holds". An item with
//! such atoms is therefore wrapped in `coalesce(..., false)` when it sits
//! under an odd number of negations (a `not` in the condition or `neq`);
//! `and`/`or` are three-valued in Kusto (`null or true` is true), so one
//! coalesce around the item is enough.
//! Equality with a literal is never null in Kusto (`null == 1` is false), so
//! plain comparisons need no wrapping.

use std::collections::{HashMap, HashSet};

use crate::base::diag::{Diagnostic, Span};
use crate::kusto::schema::ColumnType;
use crate::pipeline::MappedItem;
use crate::sigma::compiled::{CmpOp, Position, Test, TimePart};
use crate::sigma::expr::Expr;
use crate::sigma::string::{Part, SigmaString};

use crate::kusto::literal::{
    identifier, is_plain_identifier, number_literal, regex_escape, string_literal, DASH_CLASS,
};

/// Binding strength, loosest first. A child is parenthesised when it binds
/// more loosely than its context needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Prec {
    Top,
    Or,
    And,
    Atom,
}

// ---------------------------------------------------------------------------
// Columns

/// What a column holds, as far as operator choice is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Num,
    Bool,
    Date,
    Dyn,
    /// timespan, guid: compared through their text.
    Other,
    /// No schema (the `none` pipeline): written as if it were a string
    /// column for string tests and a number column for number tests.
    Unknown,
}

struct Column {
    /// The column (or dynamic path) as KQL text.
    text: String,
    kind: Kind,
}

impl Column {
    fn new(field: &str, column_type: ColumnType) -> (Column, bool) {
        let kind = match column_type {
            ColumnType::String => Kind::Str,
            ColumnType::Int | ColumnType::Long | ColumnType::Real | ColumnType::Decimal => Kind::Num,
            ColumnType::Bool => Kind::Bool,
            ColumnType::Datetime => Kind::Date,
            ColumnType::Timespan | ColumnType::Guid => Kind::Other,
            ColumnType::Dynamic => Kind::Dyn,
            ColumnType::Unknown => Kind::Unknown,
            // The value of `<Data Name="X">` in the event's XML text; the name is
            // a plain identifier (event_data_path makes sure), so it needs no escaping.
            ColumnType::EventXml => {
                if let Some((base, name)) = field.split_once('.') {
                    let text = format!("extract(@'<Data Name=\"{name}\">([^<]*)</Data>', 1, {})", identifier(base));
                    return (Column { text, kind: Kind::Str }, false);
                }
                Kind::Unknown
            }
            // The raw value of `name=` in an audit record's text: `"..."`
            // quoted, hex, or bare up to the next space, `'` (the end of a
            // user-space record's msg) or 0x1D (where enriched fields start);
            // the name is a plain identifier (column_type makes sure).
            ColumnType::AuditField => {
                if let Some((base, name)) = field.split_once(':') {
                    let text = format!(
                        "extract(@'(?:^|[\\s\\x27\\x1d]){name}=(\"[^\"]*\"|[^\\s\\x27\\x1d]*)', 1, {})",
                        identifier(base)
                    );
                    return (Column { text, kind: Kind::Str }, false);
                }
                Kind::Unknown
            }
            // The value of `name=` among a CEF record's `;`-separated
            // extensions, up to the next `;`; the name is a plain identifier
            // (column_type makes sure).
            ColumnType::CefExtension => {
                if let Some((base, name)) = field.split_once(':') {
                    let text = format!("extract(@'(?:^|;){name}=([^;]*)', 1, {})", identifier(base));
                    return (Column { text, kind: Kind::Str }, false);
                }
                Kind::Unknown
            }
            // The column is text: the path is read from its parsed JSON.
            ColumnType::JsonText => {
                if let (Some((base, _)), Some(path)) = (field.split_once('.'), dynamic_path(field)) {
                    let head = identifier(base);
                    let rest = path.get(head.len()..).unwrap_or("");
                    return (Column { text: format!("parse_json({head}){rest}"), kind: Kind::Dyn }, true);
                }
                Kind::Unknown
            }
        };
        // Sigma writes nested fields with dots (`properties.message`). When
        // the pipeline does not say the column is a plain scalar column,
        // read the name as a path into a dynamic column.
        if matches!(kind, Kind::Unknown | Kind::Dyn) && !is_plain_identifier(field) {
            if let Some(path) = dynamic_path(field) {
                return (Column { text: path, kind: Kind::Dyn }, true);
            }
        }
        (Column { text: identifier(field), kind }, false)
    }

    /// The column as a string operand.
    fn string(&self) -> String {
        match self.kind {
            Kind::Str | Kind::Unknown => self.text.clone(),
            _ => format!("tostring({})", self.text),
        }
    }

    /// The column as a number operand.
    fn number(&self) -> String {
        match self.kind {
            Kind::Num | Kind::Unknown => self.text.clone(),
            _ => format!("toreal({})", self.text),
        }
    }

    /// The column as a datetime operand.
    fn datetime(&self) -> String {
        match self.kind {
            Kind::Date => self.text.clone(),
            _ => format!("todatetime({})", self.text),
        }
    }

    /// Can an absent value be told apart only by emptiness (strings, no schema, dynamic)?
    fn empty_means_absent(&self) -> bool {
        matches!(self.kind, Kind::Str | Kind::Unknown | Kind::Dyn)
    }
}

/// `a.b.c` → `a.b.c`, `a.0.b` → `a[0].b`, `a.b-c` → `a['b-c']`. None when a
/// segment is empty (`a..b`, `.a`), which is not a path.
fn dynamic_path(field: &str) -> Option<String> {
    if !field.contains('.') {
        return None;
    }
    let mut segments = field.split('.');
    let first = segments.next()?;
    if first.is_empty() {
        return None;
    }
    let mut out = identifier(first);
    for seg in segments {
        if seg.is_empty() {
            return None;
        }
        if seg.chars().all(|c| c.is_ascii_digit()) && seg.len() < 10 {
            out.push('[');
            out.push_str(seg);
            out.push(']');
        } else if is_plain_identifier(seg) {
            out.push('.');
            out.push_str(seg);
        } else {
            // Not a plain name: identifier() brackets it, `a['b-c']`.
            out.push_str(&identifier(seg));
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Item-level KQL tree

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    EqCi,
    Eq,
    Contains,
    ContainsCs,
    StartsWith,
    StartsWithCs,
    EndsWith,
    EndsWithCs,
    InCi,
    In,
    Regex,
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Op {
    fn text(self, negated: bool) -> Option<&'static str> {
        Some(match (self, negated) {
            (Op::EqCi, false) => "=~",
            (Op::EqCi, true) => "!~",
            (Op::Eq, false) => "==",
            (Op::Eq, true) => "!=",
            (Op::Contains, false) => "contains",
            (Op::Contains, true) => "!contains",
            (Op::ContainsCs, false) => "contains_cs",
            (Op::ContainsCs, true) => "!contains_cs",
            (Op::StartsWith, false) => "startswith",
            (Op::StartsWith, true) => "!startswith",
            (Op::StartsWithCs, false) => "startswith_cs",
            (Op::StartsWithCs, true) => "!startswith_cs",
            (Op::EndsWith, false) => "endswith",
            (Op::EndsWith, true) => "!endswith",
            (Op::EndsWithCs, false) => "endswith_cs",
            (Op::EndsWithCs, true) => "!endswith_cs",
            (Op::InCi, false) => "in~",
            (Op::InCi, true) => "!in~",
            (Op::In, false) => "in",
            (Op::In, true) => "!in",
            (Op::Regex, false) => "matches regex",
            (Op::Lt, false) => "<",
            (Op::Lte, false) => "<=",
            (Op::Gt, false) => ">",
            (Op::Gte, false) => ">=",
            // No negated form: `not(a < b)` differs from `a >= b` when a is null.
            (Op::Regex | Op::Lt | Op::Lte | Op::Gt | Op::Gte, true) => return None,
        })
    }
}

/// A KQL condition before it is printed: kept as a tree so that negation
/// and `and`/`or` flattening can be applied without reparsing text.
#[derive(Debug, Clone)]
enum KqlPredicate {
    Bin {
        lhs: String,
        op: Op,
        rhs: String,
        negated: bool,
    },
    /// `isempty(x)` / `isnotempty(x)` / `isnull(x)` / `isnotnull(x)`.
    Func {
        name: &'static str,
        arg: String,
    },
    /// Any other predicate (function calls, `* contains ...`).
    Raw(String),
    Const(bool),
    And(Vec<KqlPredicate>),
    Or(Vec<KqlPredicate>),
    Not(Box<KqlPredicate>),
}

impl KqlPredicate {
    fn bin(lhs: impl Into<String>, op: Op, rhs: impl Into<String>) -> KqlPredicate {
        KqlPredicate::Bin { lhs: lhs.into(), op, rhs: rhs.into(), negated: false }
    }

    fn negate(self) -> KqlPredicate {
        match self {
            KqlPredicate::Bin { lhs, op, rhs, negated } if op.text(!negated).is_some() => {
                KqlPredicate::Bin { lhs, op, rhs, negated: !negated }
            }
            KqlPredicate::Func { name, arg } => {
                let name = match name {
                    "isempty" => "isnotempty",
                    "isnotempty" => "isempty",
                    "isnull" => "isnotnull",
                    _ => "isnull",
                };
                KqlPredicate::Func { name, arg }
            }
            KqlPredicate::Const(b) => KqlPredicate::Const(!b),
            KqlPredicate::Not(inner) => *inner,
            other => KqlPredicate::Not(Box::new(other)),
        }
    }

    fn join(and: bool, mut parts: Vec<KqlPredicate>) -> KqlPredicate {
        // Fold constants: they come from tests that cannot match (warned about).
        let (unit, absorbing) = (and, !and);
        parts.retain(|p| !matches!(p, KqlPredicate::Const(b) if *b == unit));
        if parts.iter().any(|p| matches!(p, KqlPredicate::Const(b) if *b == absorbing)) {
            return KqlPredicate::Const(absorbing);
        }
        match parts.len() {
            0 => KqlPredicate::Const(unit),
            1 => parts.pop().unwrap_or(KqlPredicate::Const(unit)),
            _ if and => KqlPredicate::And(parts),
            _ => KqlPredicate::Or(parts),
        }
    }

    fn prec(&self) -> Prec {
        match self {
            KqlPredicate::And(_) => Prec::And,
            KqlPredicate::Or(_) => Prec::Or,
            _ => Prec::Atom,
        }
    }

    /// Print; the tree is at most a few levels deep (item → OR/AND → atom).
    fn print(&self, parent: Prec, out: &mut String) {
        let paren = self.prec() < parent;
        if paren {
            out.push('(');
        }
        match self {
            KqlPredicate::Bin { lhs, op, rhs, negated } => match op.text(*negated) {
                Some(t) => {
                    out.push_str(lhs);
                    out.push(' ');
                    out.push_str(t);
                    out.push(' ');
                    out.push_str(rhs);
                }
                None => {
                    out.push_str("not(");
                    out.push_str(lhs);
                    out.push(' ');
                    out.push_str(op.text(false).unwrap_or("=="));
                    out.push(' ');
                    out.push_str(rhs);
                    out.push(')');
                }
            },
            KqlPredicate::Func { name, arg } => {
                out.push_str(name);
                out.push('(');
                out.push_str(arg);
                out.push(')');
            }
            KqlPredicate::Raw(t) => out.push_str(t),
            KqlPredicate::Const(b) => out.push_str(if *b { "true" } else { "false" }),
            KqlPredicate::And(xs) | KqlPredicate::Or(xs) => {
                let (sep, p) =
                    if matches!(self, KqlPredicate::And(_)) { (" and ", Prec::And) } else { (" or ", Prec::Or) };
                print_chain(xs, sep, p, out);
            }
            KqlPredicate::Not(x) => {
                out.push_str("not(");
                x.print(Prec::Top, out);
                out.push(')');
            }
        }
        if paren {
            out.push(')');
        }
    }
}

/// Kusto.Language gives up on a flat chain of more than about 400 `and`/`or`
/// terms (KS245, "query syntax depth exceeds maximum safe limit": the binary
/// operators nest). Longer chains are printed as parenthesised groups of
/// [`CHUNK`] terms, which means the same.
const LONG_CHAIN: usize = 128;
const CHUNK: usize = 64;

/// `xs` joined by `sep`, grouped when long. Recursion depth is log64(len).
fn print_chain(xs: &[KqlPredicate], sep: &str, p: Prec, out: &mut String) {
    if xs.len() <= LONG_CHAIN {
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            x.print(p, out);
        }
        return;
    }
    let mut size = CHUNK;
    while xs.len().div_ceil(size) > LONG_CHAIN {
        size = size.saturating_mul(CHUNK);
    }
    for (i, chunk) in xs.chunks(size).enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push('(');
        print_chain(chunk, sep, p, out);
        out.push(')');
    }
}

// ---------------------------------------------------------------------------
// Items

/// Diagnostics collected while rendering one rule.
#[derive(Default)]
pub(crate) struct Notes {
    pub diagnostics: Vec<Diagnostic>,
    exists_noted: bool,
    paths_noted: HashSet<String>,
}

impl Notes {
    fn warn(&mut self, code: &str, msg: String, span: Span) {
        self.diagnostics.push(Diagnostic::warning(code, msg, Some(span)));
    }
}

/// Group key for equality tests that can share one `in`/`in~` list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum EqKey {
    /// Case-insensitive string equality on this operand.
    Ci(String),
    /// Case-sensitive string equality.
    Cs(String),
    /// Numeric equality.
    Num(String),
}

enum Piece {
    Eq(EqKey, String),
    Atom(KqlPredicate),
}

/// Render one detection item. `outer_negated` is the polarity of the place
/// where the item sits in the condition (odd number of `not` around it).
fn item(m: &MappedItem, outer_negated: bool, notes: &mut Notes) -> KqlPredicate {
    let item = &m.item;
    // Atoms inside a `neq` item sit under one more negation.
    let negated_ctx = outer_negated != item.negate;
    let span = item.key_span;
    let mut any_nullable = false;
    let pieces: Vec<Piece> = match &item.field {
        None => item.tests.iter().map(|t| Piece::Atom(keyword(t, notes, span))).collect(),
        Some(field) => {
            let (col, is_path) = Column::new(field, m.column_type);
            // A path the pipeline declared (a `Dynamic` target) needs no note; a guess does.
            if is_path && m.column_type == ColumnType::Unknown && notes.paths_noted.insert(field.clone()) {
                notes.diagnostics.push(Diagnostic::info(
                    "kql-dynamic-path",
                    format!(
                        "'{field}' is read as the path {} inside a dynamic column (Sigma's notation for nested fields); \
                         if the table has a column literally named '{field}', write {} instead",
                        col.text,
                        identifier(field)
                    ),
                    Some(span),
                ));
            }
            item.tests.iter().map(|t| field_test(&col, t, &mut any_nullable, notes, span)).collect()
        }
    };
    let atoms = if item.all { pieces.into_iter().map(piece_alone).collect() } else { group_equalities(pieces) };
    // An item without values never matches (the matcher agrees: `all` of nothing is false too).
    let mut body = if atoms.is_empty() { KqlPredicate::Const(false) } else { KqlPredicate::join(item.all, atoms) };
    if any_nullable && negated_ctx && !matches!(body, KqlPredicate::Const(_)) {
        // Kusto's `or`/`and` are three-valued (`null or true` is true), so one
        // coalesce around the whole item makes it definite.
        let mut text = String::from("coalesce(");
        body.print(Prec::Top, &mut text);
        text.push_str(", false)");
        body = KqlPredicate::Raw(text);
    }
    if item.negate {
        body.negate()
    } else {
        body
    }
}

fn piece_alone(p: Piece) -> KqlPredicate {
    match p {
        Piece::Eq(EqKey::Ci(lhs), lit) => KqlPredicate::bin(lhs, Op::EqCi, lit),
        Piece::Eq(EqKey::Cs(lhs) | EqKey::Num(lhs), lit) => KqlPredicate::bin(lhs, Op::Eq, lit),
        Piece::Atom(k) => k,
    }
}

/// OR of pieces: equalities on the same operand become one `in~`/`in` list,
/// at the place of the first of them.
/// Values for one `in` list: operand, literals in order, literals seen.
type Group = (EqKey, Vec<String>, HashSet<String>);

fn group_equalities(pieces: Vec<Piece>) -> Vec<KqlPredicate> {
    enum Slot {
        Group(usize),
        Atom(KqlPredicate),
    }
    // Hash lookups keep this linear in the number of values (rules can list thousands). Keyed by
    // the operand's text behind a letter for its kind: `HashMap<String, usize>`, a map type the
    // crate has anyway.
    let key_text = |k: &EqKey| {
        let (kind, lhs) = match k {
            EqKey::Ci(s) => ('i', s),
            EqKey::Cs(s) => ('s', s),
            EqKey::Num(s) => ('n', s),
        };
        let mut text = String::with_capacity(lhs.len() + 1);
        text.push(kind);
        text.push_str(lhs);
        text
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Option<Group>> = Vec::new();
    let mut slots = Vec::with_capacity(pieces.len());
    for p in pieces {
        match p {
            Piece::Eq(key, lit) => {
                let text = key_text(&key);
                match index.get(&text) {
                    Some(&i) => {
                        if let Some(Some((_, lits, seen))) = groups.get_mut(i) {
                            if seen.insert(lit.clone()) {
                                lits.push(lit);
                            }
                        }
                    }
                    None => {
                        index.insert(text, groups.len());
                        slots.push(Slot::Group(groups.len()));
                        groups.push(Some((key, vec![lit.clone()], HashSet::from([lit]))));
                    }
                }
            }
            Piece::Atom(k) => slots.push(Slot::Atom(k)),
        }
    }
    slots
        .into_iter()
        .filter_map(|s| match s {
            Slot::Atom(k) => Some(k),
            Slot::Group(i) => {
                let (key, mut lits, _) = groups.get_mut(i)?.take()?;
                if lits.len() == 1 {
                    let lit = lits.pop()?;
                    return Some(piece_alone(Piece::Eq(key, lit)));
                }
                let list = format!("({})", lits.join(", "));
                Some(match key {
                    EqKey::Ci(lhs) => KqlPredicate::bin(lhs, Op::InCi, list),
                    EqKey::Cs(lhs) | EqKey::Num(lhs) => KqlPredicate::bin(lhs, Op::In, list),
                })
            }
        })
        .collect()
}

/// A predicate that may be null (see the module docs); the item wraps itself
/// in `coalesce(..., false)` when it sits under a negation.
fn nullable(text: String, any_nullable: &mut bool) -> KqlPredicate {
    *any_nullable = true;
    KqlPredicate::Raw(text)
}

fn cmp_op(op: CmpOp) -> Op {
    match op {
        CmpOp::Lt => Op::Lt,
        CmpOp::Lte => Op::Lte,
        CmpOp::Gt => Op::Gt,
        CmpOp::Gte => Op::Gte,
    }
}

fn field_test(col: &Column, t: &Test, any_nullable: &mut bool, notes: &mut Notes, span: Span) -> Piece {
    match t {
        Test::Glob { pattern, cased } => glob_test(col, pattern, *cased),
        Test::Regex { pattern, i, m, s } => {
            Piece::Atom(KqlPredicate::bin(col.string(), Op::Regex, string_literal(&with_flags(pattern, *i, *m, *s))))
        }
        Test::Cidr(c) => {
            let func = if c.addr.is_ipv4() { "ipv4_is_in_range" } else { "ipv6_is_in_range" };
            let range = string_literal(&format!("{}/{}", c.addr, c.prefix));
            Piece::Atom(nullable(format!("{func}({}, {range})", col.string()), any_nullable))
        }
        Test::Number { value, text } => match col.kind {
            Kind::Num | Kind::Unknown => Piece::Eq(EqKey::Num(col.text.clone()), number_literal(*value)),
            Kind::Dyn => Piece::Eq(EqKey::Num(col.number()), number_literal(*value)),
            // A number against a string column compares the text, as the matcher does
            // when the event value is a string that is not a number.
            Kind::Str | Kind::Bool | Kind::Date | Kind::Other => {
                let text = if text.trim().is_empty() { number_literal(*value) } else { text.trim().to_string() };
                Piece::Eq(EqKey::Ci(col.string()), string_literal(&text))
            }
        },
        Test::Compare { op, value } => {
            let text =
                format!("{} {} {}", col.number(), cmp_op(*op).text(false).unwrap_or("<"), number_literal(*value));
            Piece::Atom(nullable(text, any_nullable))
        }
        Test::Bool(b) => match col.kind {
            Kind::Bool | Kind::Unknown => Piece::Atom(KqlPredicate::bin(col.text.clone(), Op::Eq, b.to_string())),
            _ => Piece::Eq(EqKey::Ci(col.string()), string_literal(&b.to_string())),
        },
        // Sigma `null` means the field is absent. Kusto strings are never null:
        // an absent string value reads as "", so for strings (and columns whose
        // type we do not know, and dynamic values) emptiness is the test;
        // isempty() is also true for null, so it is right for every type.
        // Typed columns (numbers, dates, bools) are null when absent.
        Test::Null => Piece::Atom(KqlPredicate::Func {
            name: if col.empty_means_absent() { "isempty" } else { "isnull" },
            arg: col.text.clone(),
        }),
        Test::Exists(b) => {
            if !notes.exists_noted {
                notes.exists_noted = true;
                notes.diagnostics.push(Diagnostic::info(
                    "kql-exists-approximated",
                    "a Kusto table has every column on every row, so 'exists' is approximated: \
                     a field exists when its value is not empty (not null for typed columns)",
                    Some(span),
                ));
            }
            let name = match (col.empty_means_absent(), *b) {
                (true, true) => "isnotempty",
                (true, false) => "isempty",
                (false, true) => "isnotnull",
                (false, false) => "isnull",
            };
            Piece::Atom(KqlPredicate::Func { name, arg: col.text.clone() })
        }
        Test::FieldRef { field, position, cased } => {
            let (other, _) = Column::new(field, ColumnType::Unknown);
            let op = match (position, cased) {
                (None, false) => Op::EqCi,
                (None, true) => Op::Eq,
                (Some(Position::Contains), false) => Op::Contains,
                (Some(Position::Contains), true) => Op::ContainsCs,
                (Some(Position::StartsWith), false) => Op::StartsWith,
                (Some(Position::StartsWith), true) => Op::StartsWithCs,
                (Some(Position::EndsWith), false) => Op::EndsWith,
                (Some(Position::EndsWith), true) => Op::EndsWithCs,
            };
            Piece::Atom(KqlPredicate::bin(col.string(), op, other.string()))
        }
        Test::TimePart { part, test } => {
            let part_name = match part {
                TimePart::Minute => "minute",
                TimePart::Hour => "hour",
                TimePart::Day => "day",
                // ISO 8601 week, as the matcher computes it.
                TimePart::Week => "week_of_year",
                TimePart::Month => "month",
                TimePart::Year => "year",
            };
            let lhs = format!("datetime_part(\"{part_name}\", {})", col.datetime());
            let text = match test.as_ref() {
                Test::Number { value, .. } => format!("{lhs} == {}", number_literal(*value)),
                Test::Compare { op, value } => {
                    format!("{lhs} {} {}", cmp_op(*op).text(false).unwrap_or("<"), number_literal(*value))
                }
                other => {
                    notes.warn(
                        "kql-unsupported-test",
                        format!(
                            "a time-part modifier with {} cannot be expressed in KQL; this value never matches",
                            test_kind(other)
                        ),
                        span,
                    );
                    return Piece::Atom(KqlPredicate::Const(false));
                }
            };
            Piece::Atom(nullable(text, any_nullable))
        }
    }
}

fn test_kind(t: &Test) -> &'static str {
    match t {
        Test::Glob { .. } => "a string",
        Test::Regex { .. } => "a regular expression",
        Test::Cidr(_) => "a CIDR range",
        Test::Number { .. } => "a number",
        Test::Compare { .. } => "a comparison",
        Test::Bool(_) => "a boolean",
        Test::Null => "null",
        Test::Exists(_) => "'exists'",
        Test::FieldRef { .. } => "'fieldref'",
        Test::TimePart { .. } => "a time part",
    }
}

fn glob_test(col: &Column, pattern: &SigmaString, cased: bool) -> Piece {
    let parts = collapse_stars(&pattern.parts);
    if let [Part::Star] = parts.as_slice() {
        // Any value: typed columns are null when absent, the others empty.
        let name = if col.empty_means_absent() { "isnotempty" } else { "isnotnull" };
        return Piece::Atom(KqlPredicate::Func { name, arg: col.text.clone() });
    }
    match col.kind {
        Kind::Num => {
            if let Some(v) =
                plain(&parts).and_then(|s| crate::base::float::parse_f64(s.trim())).filter(|v| v.is_finite())
            {
                return Piece::Eq(EqKey::Num(col.text.clone()), number_literal(v));
            }
        }
        Kind::Bool => {
            if let Some(s) = plain(&parts) {
                let s = s.trim();
                for b in [true, false] {
                    if s.eq_ignore_ascii_case(&b.to_string()) {
                        return Piece::Atom(KqlPredicate::bin(col.text.clone(), Op::Eq, b.to_string()));
                    }
                }
            }
        }
        _ => {}
    }
    string_glob(&col.string(), &parts, cased)
}

fn plain(parts: &[Part]) -> Option<&str> {
    match parts {
        [] => Some(""),
        [Part::Lit(s)] => Some(s),
        _ => None,
    }
}

/// `**` is `*`.
fn collapse_stars(parts: &[Part]) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for p in parts {
        if matches!(p, Part::Star) && matches!(out.last(), Some(Part::Star)) {
            continue;
        }
        out.push(p.clone());
    }
    out
}

fn string_glob(lhs: &str, parts: &[Part], cased: bool) -> Piece {
    let (contains, starts, ends) = if cased {
        (Op::ContainsCs, Op::StartsWithCs, Op::EndsWithCs)
    } else {
        (Op::Contains, Op::StartsWith, Op::EndsWith)
    };
    let key = |lhs: &str| if cased { EqKey::Cs(lhs.to_string()) } else { EqKey::Ci(lhs.to_string()) };
    match parts {
        [] => Piece::Eq(key(lhs), string_literal("")),
        // Any value: the field is there and not empty.
        [Part::Star] => Piece::Atom(KqlPredicate::Func { name: "isnotempty", arg: lhs.to_string() }),
        [Part::Lit(a)] => Piece::Eq(key(lhs), string_literal(a)),
        [Part::Lit(a), Part::Star] => Piece::Atom(KqlPredicate::bin(lhs, starts, string_literal(a))),
        [Part::Star, Part::Lit(a)] => Piece::Atom(KqlPredicate::bin(lhs, ends, string_literal(a))),
        [Part::Star, Part::Lit(a), Part::Star] => Piece::Atom(KqlPredicate::bin(lhs, contains, string_literal(a))),
        _ => Piece::Atom(KqlPredicate::bin(lhs, Op::Regex, string_literal(&glob_regex(parts, cased)))),
    }
}

/// A glob as an RE2 regex over the whole value: `^...$`, with the anchor
/// (and the `.*`) left out on a side that starts or ends with `*`, which
/// means the same. `(?i)` unless cased; `(?s)` so that `*`/`?` also match
/// line breaks, as Sigma wildcards (and the matcher) do.
pub(crate) fn glob_regex(parts: &[Part], cased: bool) -> String {
    let leading = matches!(parts.first(), Some(Part::Star));
    let trailing = parts.len() > 1 && matches!(parts.last(), Some(Part::Star));
    let start = usize::from(leading);
    let end = parts.len() - usize::from(trailing);
    let inner = parts.get(start..end).unwrap_or(&[]);
    let dots = inner.iter().any(|p| matches!(p, Part::Star | Part::Quest));
    let mut out = String::new();
    match (!cased, dots) {
        (true, true) => out.push_str("(?is)"),
        (true, false) => out.push_str("(?i)"),
        (false, true) => out.push_str("(?s)"),
        (false, false) => {}
    }
    if !leading {
        out.push('^');
    }
    for p in inner {
        match p {
            Part::Lit(t) => regex_escape(t, &mut out),
            Part::Star => out.push_str(".*"),
            Part::Quest => out.push('.'),
            Part::Dash => out.push_str(DASH_CLASS),
        }
    }
    if !trailing {
        out.push('$');
    }
    out
}

fn with_flags(pattern: &str, i: bool, m: bool, s: bool) -> String {
    let mut flags = String::new();
    for (on, f) in [(i, 'i'), (m, 'm'), (s, 's')] {
        if on {
            flags.push(f);
        }
    }
    if flags.is_empty() {
        pattern.to_string()
    } else {
        format!("(?{flags}){pattern}")
    }
}

/// A keyword (value without a field) is a search over the whole event: the
/// value may occur anywhere in any column. KQL's `* <op> <value>` predicate
/// does exactly that (`where * contains "x"`; the `search` operator is the
/// same with term semantics, which Sigma does not have).
fn keyword(t: &Test, notes: &mut Notes, span: Span) -> KqlPredicate {
    match t {
        Test::Glob { pattern, cased } => {
            let parts = collapse_stars(&pattern.clone().contains().parts);
            match parts.as_slice() {
                [Part::Star] => KqlPredicate::Const(true),
                [Part::Star, Part::Lit(a), Part::Star] => KqlPredicate::Raw(format!(
                    "* {} {}",
                    if *cased { "contains_cs" } else { "contains" },
                    string_literal(a)
                )),
                _ => KqlPredicate::Raw(format!("* matches regex {}", string_literal(&glob_regex(&parts, *cased)))),
            }
        }
        Test::Regex { pattern, i, m, s } => {
            KqlPredicate::Raw(format!("* matches regex {}", string_literal(&with_flags(pattern, *i, *m, *s))))
        }
        Test::Number { text, .. } => KqlPredicate::Raw(format!("* contains {}", string_literal(text.trim()))),
        Test::Bool(b) => KqlPredicate::Raw(format!("* contains {}", string_literal(&b.to_string()))),
        other => {
            notes.warn(
                "kql-unsupported-test",
                format!(
                    "a keyword (a value without a field) with {} cannot be searched for in KQL; it never matches",
                    test_kind(other)
                ),
                span,
            );
            KqlPredicate::Const(false)
        }
    }
}

// ---------------------------------------------------------------------------
// The rule tree

/// The rule tree with constants folded, flattened into an arena.
enum Node<'a> {
    And(Vec<usize>),
    Or(Vec<usize>),
    /// A parenthesised part of a long chain (see [`LONG_CHAIN`]): true = and.
    Chunk(bool, Vec<usize>),
    Not(usize),
    Leaf(&'a MappedItem),
    Const(bool),
}

/// Fold constants (`x and true` → `x`, items a pipeline dropped), flatten
/// nested AND/OR and double negations. Iterative post-order. Returns the
/// arena and the root index.
fn fold(root: &Expr<MappedItem>) -> (Vec<Node<'_>>, usize) {
    let mut arena: Vec<Node<'_>> = Vec::new();
    // (node, children done?) ; results stack holds arena indices.
    let mut work: Vec<(&Expr<MappedItem>, bool)> = vec![(root, false)];
    let mut results: Vec<usize> = Vec::new();
    while let Some((e, done)) = work.pop() {
        match e {
            Expr::And(xs) | Expr::Or(xs) if !done => {
                work.push((e, true));
                for x in xs.iter().rev() {
                    work.push((x, false));
                }
            }
            Expr::Not(x) if !done => {
                work.push((e, true));
                work.push((x, false));
            }
            Expr::And(xs) | Expr::Or(xs) => {
                let is_and = matches!(e, Expr::And(_));
                let children = results.split_off(results.len().saturating_sub(xs.len()));
                let mut kept = Vec::with_capacity(children.len());
                let mut absorbed = false;
                for c in children {
                    match arena.get(c) {
                        Some(Node::Const(b)) if *b == is_and => {}
                        Some(Node::Const(_)) => absorbed = true,
                        Some(Node::And(inner)) if is_and => kept.extend(inner.iter().copied()),
                        Some(Node::Or(inner)) if !is_and => kept.extend(inner.iter().copied()),
                        _ => kept.push(c),
                    }
                }
                let node = if absorbed {
                    Node::Const(!is_and)
                } else {
                    match kept.len() {
                        0 => Node::Const(is_and),
                        1 => {
                            results.push(kept[0]);
                            continue;
                        }
                        _ if is_and => Node::And(kept),
                        _ => Node::Or(kept),
                    }
                };
                arena.push(node);
                results.push(arena.len() - 1);
            }
            Expr::Not(_) => {
                let c = results.pop().unwrap_or(0);
                match arena.get(c) {
                    Some(Node::Const(b)) => {
                        let b = !*b;
                        arena.push(Node::Const(b));
                        results.push(arena.len() - 1);
                    }
                    Some(Node::Not(inner)) => {
                        let inner = *inner;
                        results.push(inner);
                    }
                    _ => {
                        arena.push(Node::Not(c));
                        results.push(arena.len() - 1);
                    }
                }
            }
            Expr::Leaf(m) => {
                arena.push(Node::Leaf(m));
                results.push(arena.len() - 1);
            }
            Expr::Const(b) => {
                arena.push(Node::Const(*b));
                results.push(arena.len() - 1);
            }
        }
    }
    let root = results.pop().unwrap_or_else(|| {
        arena.push(Node::Const(false));
        arena.len() - 1
    });
    split_long_chains(&mut arena);
    (arena, root)
}

/// Replace the children of every AND/OR with more than [`LONG_CHAIN`] terms
/// by chunks of [`CHUNK`], printed in parentheses.
fn split_long_chains(arena: &mut Vec<Node<'_>>) {
    let mut i = 0;
    while i < arena.len() {
        let long = match arena.get(i) {
            Some(Node::And(xs) | Node::Or(xs)) => xs.len() > LONG_CHAIN,
            _ => false,
        };
        if !long {
            i += 1;
            continue;
        }
        let Some(slot) = arena.get_mut(i) else { break };
        let (is_and, xs) = match std::mem::replace(slot, Node::Const(false)) {
            Node::And(xs) => (true, xs),
            Node::Or(xs) => (false, xs),
            other => {
                *slot = other;
                i += 1;
                continue;
            }
        };
        let mut groups = Vec::with_capacity(xs.len().div_ceil(CHUNK));
        for chunk in xs.chunks(CHUNK) {
            groups.push(arena.len());
            arena.push(Node::Chunk(is_and, chunk.to_vec()));
        }
        if let Some(slot) = arena.get_mut(i) {
            *slot = if is_and { Node::And(groups) } else { Node::Or(groups) };
        }
        // Look at node i again: with more than LONG_CHAIN * CHUNK terms it is still long.
    }
}

/// The condition as KQL text, or the constant it folded to.
pub(crate) enum Condition {
    Text(String),
    Const(bool),
}

/// Print the rule tree. Iterative: an explicit stack of pending nodes and
/// closing texts, writing into one buffer.
pub(crate) fn condition(expr: &Expr<MappedItem>, notes: &mut Notes) -> Condition {
    let (arena, root) = fold(expr);
    if let Some(Node::Const(b)) = arena.get(root) {
        return Condition::Const(*b);
    }
    enum Task {
        Node { id: usize, parent: Prec, negated: bool },
        Text(&'static str),
    }
    let mut out = String::new();
    let mut stack = vec![Task::Node { id: root, parent: Prec::Top, negated: false }];
    while let Some(task) = stack.pop() {
        let (id, parent, negated) = match task {
            Task::Text(t) => {
                out.push_str(t);
                continue;
            }
            Task::Node { id, parent, negated } => (id, parent, negated),
        };
        match arena.get(id) {
            Some(Node::And(xs) | Node::Or(xs) | Node::Chunk(_, xs)) => {
                let (is_and, chunk) = match arena.get(id) {
                    Some(Node::And(_)) => (true, false),
                    Some(Node::Chunk(and, _)) => (*and, true),
                    _ => (false, false),
                };
                let (prec, sep) = if is_and { (Prec::And, " and ") } else { (Prec::Or, " or ") };
                let paren = chunk || prec < parent;
                if paren {
                    out.push('(');
                    stack.push(Task::Text(")"));
                }
                for (i, x) in xs.iter().enumerate().rev() {
                    stack.push(Task::Node { id: *x, parent: prec, negated });
                    if i > 0 {
                        stack.push(Task::Text(sep));
                    }
                }
            }
            Some(Node::Not(x)) => match arena.get(*x) {
                // `not` of one item: negate the operator where KQL has one (`!~`, `!contains`, `!in~`).
                Some(Node::Leaf(m)) => item(m, !negated, notes).negate().print(parent, &mut out),
                _ => {
                    out.push_str("not(");
                    stack.push(Task::Text(")"));
                    stack.push(Task::Node { id: *x, parent: Prec::Top, negated: !negated });
                }
            },
            Some(Node::Leaf(m)) => item(m, negated, notes).print(parent, &mut out),
            Some(Node::Const(b)) => out.push_str(if *b { "true" } else { "false" }),
            None => out.push_str("false"),
        }
    }
    Condition::Text(out)
}
