//! Tokens → [`Query`]. Recursive descent with an explicit nesting budget, so
//! hostile input (10,000 parentheses, a 1 MB `or` chain) ends in a diagnostic
//! instead of a stack overflow: `and`/`or` chains are flat vectors, and every
//! construct that deepens the tree spends from the budget.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::ast::*;
use super::functions::{self, FUNCTIONS};
use super::lexer::{Tok, Token};
use super::value::{self, Value};

const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_PRED: u8 = 3;
const PREC_ADD: u8 = 4;
const PREC_MUL: u8 = 5;

fn is_predicate_word(w: &str) -> bool {
    let base = w.strip_suffix("_cs").unwrap_or(w);
    matches!(
        base,
        "contains"
            | "startswith"
            | "endswith"
            | "has"
            | "hasprefix"
            | "hassuffix"
            | "in"
            | "has_any"
            | "has_all"
            | "between"
            | "matches"
            | "like"
            | "notlike"
            | "contains_any"
            | "has_any_cs"
            | "in_cs"
    )
}

/// Deepest expression tree accepted (parentheses, calls, unary and binary operators).
pub const MAX_DEPTH: u32 = 160;

#[derive(Debug, Clone)]
pub struct ParseError {
    pub code: &'static str,
    pub message: String,
    pub pos: Pos,
}

/// What every parsing step returns.
type ParseResult<T> = Result<T, ParseError>;

fn err<T>(code: &'static str, message: impl Into<String>, pos: Pos) -> ParseResult<T> {
    Err(ParseError { code, message: message.into(), pos })
}

fn syntax<T>(message: impl Into<String>, pos: Pos) -> ParseResult<T> {
    err("kql-syntax", message, pos)
}

fn unsupported<T>(what: &str, pos: Pos) -> ParseResult<T> {
    err("kql-unsupported", format!("{what} is not supported here (the playground evaluates a subset of KQL)"), pos)
}

/// Operators the playground knows by name but does not evaluate.
const TABULAR_UNSUPPORTED: &[&str] = &[
    "join",
    "union",
    "lookup",
    "mv-expand",
    "mv-apply",
    "parse",
    "parse-where",
    "parse-kv",
    "make-series",
    "evaluate",
    "render",
    "top-nested",
    "top-hitters",
    "as",
    "invoke",
    "serialize",
    "sample",
    "sample-distinct",
    "search",
    "fork",
    "facet",
    "find",
    "getschema",
    "partition",
    "scan",
    "project-keep",
    "project-rename",
    "project-reorder",
    "reduce",
    "range",
    "print",
    "datatable",
    "externaldata",
    "materialize",
    "externaltable",
];

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    i: usize,
    /// `let` names, each with its position in `let_values`.
    lets: HashMap<String, usize>,
    let_values: Vec<Value>,
    referenced: Vec<String>,
    referenced_set: std::collections::HashSet<String>,
    reads_any_column: bool,
    auto_names: usize,
}

pub fn parse(src: &str, toks: Vec<Token>) -> ParseResult<Query> {
    let mut p = Parser {
        src,
        toks,
        i: 0,
        lets: HashMap::new(),
        let_values: Vec::new(),
        referenced: Vec::new(),
        referenced_set: Default::default(),
        reads_any_column: false,
        auto_names: 0,
    };
    p.query()
}

impl<'s> Parser<'s> {
    fn peek(&self) -> &Tok {
        self.toks.get(self.i).map_or(&Tok::Eof, |t| &t.tok)
    }
    fn peek_at(&self, k: usize) -> &Tok {
        self.toks.get(self.i + k).map_or(&Tok::Eof, |t| &t.tok)
    }
    fn pos(&self) -> Pos {
        self.toks.get(self.i).or_else(|| self.toks.last()).map_or((0, 0), |t| (t.start, t.end))
    }
    fn bump(&mut self) -> Pos {
        let p = self.pos();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        p
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s, false) if s == w)
    }
    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.i += 1;
        }
        yes
    }
    fn eat_word(&mut self, w: &str) -> bool {
        let yes = self.is_word(w);
        if yes {
            self.i += 1;
        }
        yes
    }
    fn expect_op(&mut self, op: &str, what: &str) -> ParseResult<Pos> {
        if self.is_op(op) {
            Ok(self.bump())
        } else {
            syntax(format!("expected '{op}' {what}, found {}", self.describe()), self.pos())
        }
    }
    fn describe(&self) -> String {
        let t = self.toks.get(self.i);
        match t.map(|t| &t.tok) {
            None | Some(Tok::Eof) => "the end of the query".into(),
            Some(_) => {
                let (s, e) = self.pos();
                let text: String = self.src.get(s..e).unwrap_or("").chars().take(40).collect();
                format!("'{text}'")
            }
        }
    }
    fn ident(&mut self, what: &str) -> ParseResult<(String, Pos)> {
        match self.peek().clone() {
            Tok::Ident(s, _) => Ok((s, self.bump())),
            _ => syntax(format!("expected {what}, found {}", self.describe()), self.pos()),
        }
    }

    fn query(&mut self) -> ParseResult<Query> {
        // `let` statements bind scalar constants; the last statement is the tabular expression.
        while self.is_word("let") {
            let let_pos = self.bump();
            let (name, _) = self.ident("a name after 'let'")?;
            self.expect_op("=", "after the let name")?;
            let (e, _) = self.expr(0)?;
            match functions::constant(&e) {
                Some(v) => match self.lets.get(&name).and_then(|&i| self.let_values.get_mut(i)) {
                    Some(slot) => *slot = v,
                    None => {
                        self.lets.insert(name, self.let_values.len());
                        self.let_values.push(v);
                    }
                },
                None => {
                    return unsupported(
                        "a 'let' that is not a scalar constant (tabular or column expression)",
                        (let_pos.0, e.pos.1),
                    )
                }
            }
            if !self.eat_op(";") {
                return syntax(format!("expected ';' after the let statement, found {}", self.describe()), self.pos());
            }
        }
        let (table, table_pos) = match self.peek().clone() {
            Tok::Ident(s, _) => {
                if TABULAR_UNSUPPORTED.contains(&s.as_str()) {
                    return unsupported(&format!("'{s}' as a query source"), self.pos());
                }
                (s, self.bump())
            }
            _ => {
                return syntax(
                    format!("expected a table name (e.g. 'SecurityEvent | where ...'), found {}", self.describe()),
                    self.pos(),
                )
            }
        };
        if self.is_op("(") {
            // ASIM parser functions take filtering parameters; the events are the parser's output, so they are ignored.
            self.skip_balanced()?;
        }
        let mut ops = Vec::new();
        while self.eat_op("|") {
            ops.push(self.operator()?);
        }
        while self.eat_op(";") {}
        if !matches!(self.peek(), Tok::Eof) {
            return syntax(format!("expected '|' or the end of the query, found {}", self.describe()), self.pos());
        }
        Ok(Query {
            table,
            table_pos,
            ops,
            referenced: std::mem::take(&mut self.referenced),
            reads_any_column: self.reads_any_column,
        })
    }

    fn skip_balanced(&mut self) -> ParseResult<()> {
        let open = self.pos();
        let mut depth = 0usize;
        loop {
            match self.peek() {
                Tok::Op("(") => depth += 1,
                Tok::Op(")") => depth -= 1,
                Tok::Eof => return syntax("unclosed '('", open),
                _ => {}
            }
            self.i += 1;
            if depth == 0 {
                return Ok(());
            }
        }
    }

    fn operator(&mut self) -> ParseResult<Op> {
        let (name, pos) = self.ident("a query operator after '|'")?;
        match name.as_str() {
            "where" | "filter" => Ok(Op::Where(self.expr(0)?.0)),
            "project" => Ok(Op::Project(self.named_list()?)),
            "extend" => Ok(Op::Extend(self.named_list()?)),
            "project-away" => {
                let mut cols = vec![self.ident("a column name")?];
                while self.eat_op(",") {
                    cols.push(self.ident("a column name")?);
                }
                Ok(Op::ProjectAway(cols))
            }
            "take" | "limit" => {
                let (e, _) = self.expr(0)?;
                match functions::constant(&e).and_then(|v| v.as_long()) {
                    Some(n) if n >= 0 => Ok(Op::Take(usize::try_from(n).unwrap_or(usize::MAX))),
                    _ => syntax(format!("'{name}' needs a non-negative whole number"), e.pos),
                }
            }
            "sort" | "order" => {
                if !self.eat_word("by") {
                    return syntax(format!("expected 'by' after '{name}'"), self.pos());
                }
                Ok(Op::Sort(self.sort_keys()?))
            }
            "top" => {
                let (e, _) = self.expr(0)?;
                let n = match functions::constant(&e).and_then(|v| v.as_long()) {
                    Some(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
                    _ => return syntax("'top' needs a non-negative whole number", e.pos),
                };
                if !self.eat_word("by") {
                    return syntax("expected 'by' after 'top N'", self.pos());
                }
                let keys = self.sort_keys()?;
                Ok(Op::Top(n, keys))
            }
            "summarize" => self.summarize(),
            "distinct" => {
                if self.eat_op("*") {
                    return Ok(Op::Distinct(None));
                }
                Ok(Op::Distinct(Some(self.named_list()?)))
            }
            "count" => Ok(Op::Count),
            other if TABULAR_UNSUPPORTED.contains(&other) => unsupported(&format!("the '{other}' operator"), pos),
            other => syntax(format!("unknown query operator '{other}'"), pos),
        }
    }

    fn sort_keys(&mut self) -> ParseResult<Vec<SortKey>> {
        let mut keys = Vec::new();
        loop {
            let (expr, _) = self.expr(0)?;
            // Kusto sorts descending unless told otherwise.
            let desc = !self.eat_word("asc");
            if desc {
                self.eat_word("desc");
            }
            let mut nulls_first = !desc;
            if self.eat_word("nulls") {
                if self.eat_word("first") {
                    nulls_first = true;
                } else if self.eat_word("last") {
                    nulls_first = false;
                } else {
                    return syntax("expected 'first' or 'last' after 'nulls'", self.pos());
                }
            }
            keys.push(SortKey { expr, desc, nulls_first });
            if !self.eat_op(",") {
                return Ok(keys);
            }
        }
    }

    fn summarize(&mut self) -> ParseResult<Op> {
        let mut aggs = Vec::new();
        if !self.is_word("by") {
            loop {
                let explicit = matches!((self.peek(), self.peek_at(1)), (Tok::Ident(..), Tok::Op("=")));
                let name = if explicit {
                    let (n, _) = self.ident("a column name")?;
                    self.i += 1;
                    Some(n)
                } else {
                    None
                };
                let (f, pos) = self.ident("an aggregation such as count()")?;
                self.expect_op("(", "after the aggregation name")?;
                let agg = match f.as_str() {
                    "count" => Agg::Count,
                    "countif" => Agg::CountIf(self.expr(1)?.0),
                    "dcount" => Agg::DCount(self.expr(1)?.0),
                    _ => return unsupported(&format!("the aggregation '{f}'"), pos),
                };
                self.expect_op(")", "to close the aggregation")?;
                aggs.push((name.unwrap_or_else(|| format!("{f}_")), agg));
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        let by = if self.eat_word("by") { self.named_list()? } else { Vec::new() };
        if aggs.is_empty() && by.is_empty() {
            return syntax("'summarize' needs an aggregation or 'by' columns", self.pos());
        }
        Ok(Op::Summarize { aggs, by })
    }

    /// `a, b = expr, tostring(c)`: output names as Kusto derives them.
    fn named_list(&mut self) -> ParseResult<Vec<(String, Expr)>> {
        let mut out = Vec::new();
        loop {
            let explicit = matches!((self.peek(), self.peek_at(1)), (Tok::Ident(..), Tok::Op("=")));
            if explicit {
                let (n, _) = self.ident("a column name")?;
                self.i += 1;
                out.push((n, self.expr(0)?.0));
            } else {
                let (e, _) = self.expr(0)?;
                let name = self.auto_name(&e);
                out.push((name, e));
            }
            if !self.eat_op(",") {
                return Ok(out);
            }
        }
    }

    fn auto_name(&mut self, e: &Expr) -> String {
        fn path(e: &Expr) -> Option<String> {
            match &e.kind {
                Kind::Col(c) => Some(c.clone()),
                Kind::Member(b, k) => Some(format!("{}_{k}", path(b)?)),
                Kind::Call(_, args) if args.len() == 1 => path(&args[0]),
                _ => None,
            }
        }
        path(e).unwrap_or_else(|| {
            self.auto_names += 1;
            format!("Column{}", self.auto_names)
        })
    }

    // ---- expressions ----

    fn check_depth(&self, depth: u32, pos: Pos) -> ParseResult<()> {
        if depth > MAX_DEPTH {
            return err("kql-too-deep", format!("the expression is nested more than {MAX_DEPTH} levels deep"), pos);
        }
        Ok(())
    }

    /// Returns the expression and the depth of its tree.
    fn expr(&mut self, depth: u32) -> ParseResult<(Expr, u32)> {
        self.check_depth(depth, self.pos())?;
        self.climb(depth, PREC_OR)
    }

    /// A string predicate follows (what `*` may stand left of).
    fn star_operator(&self) -> bool {
        match self.peek() {
            Tok::Op("=~" | "!~") => true,
            Tok::WordOp(w) => !w.contains("in") || w.contains("contains"),
            Tok::Ident(w, false) => is_predicate_word(w) && !matches!(w.as_str(), "in" | "between"),
            _ => false,
        }
    }

    /// The binary operator at the cursor and its precedence.
    fn binary_prec(&self) -> Option<u8> {
        Some(match self.peek() {
            Tok::Ident(w, false) if w == "or" => PREC_OR,
            Tok::Ident(w, false) if w == "and" => PREC_AND,
            Tok::Op("+" | "-") => PREC_ADD,
            Tok::Op("*" | "/" | "%") => PREC_MUL,
            Tok::Op("==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "=~" | "!~") | Tok::WordOp(_) => PREC_PRED,
            Tok::Ident(w, false) if is_predicate_word(w) => PREC_PRED,
            _ => return None,
        })
    }

    /// Precedence climbing over `or` < `and` < predicates < `+ -` < `* / %`.
    /// One function for every level keeps the stack per parenthesis small;
    /// `and`/`or` chains become flat lists; arithmetic deepens the tree and
    /// spends the depth budget.
    fn climb(&mut self, depth: u32, min: u8) -> ParseResult<(Expr, u32)> {
        let (mut lhs, mut d) = self.operand(depth)?;
        if matches!(lhs.kind, Kind::Star) && !self.star_operator() {
            return syntax(
                "'*' (any column) is only allowed left of a string operator, as in '* contains \"x\"'",
                lhs.pos,
            );
        }
        while let Some(prec) = self.binary_prec().filter(|p| *p >= min) {
            match prec {
                PREC_OR | PREC_AND => {
                    let word = if prec == PREC_OR { "or" } else { "and" };
                    let start = lhs.pos.0;
                    let mut items = vec![lhs];
                    while self.eat_word(word) {
                        let (e, ed) = self.climb(depth, prec + 1)?;
                        d = d.max(ed);
                        items.push(e);
                    }
                    let end = items.last().map_or(start, |e| e.pos.1);
                    let kind = if prec == PREC_OR { Kind::Or(items) } else { Kind::And(items) };
                    lhs = Expr { kind, pos: (start, end) };
                    d += 1;
                }
                PREC_PRED => {
                    let (e, nd) = self.predicate_op(lhs, d, depth)?;
                    lhs = e;
                    d = nd;
                }
                _ => {
                    let op = match self.peek() {
                        Tok::Op("+") => Arith::Add,
                        Tok::Op("-") => Arith::Sub,
                        Tok::Op("*") => Arith::Mul,
                        Tok::Op("/") => Arith::Div,
                        _ => Arith::Mod,
                    };
                    self.i += 1;
                    let (rhs, rd) = self.climb(depth, prec + 1)?;
                    d = d.max(rd) + 1;
                    let pos = (lhs.pos.0, rhs.pos.1);
                    lhs = Expr { kind: Kind::Arith(op, Box::new(lhs), Box::new(rhs)), pos };
                }
            }
            self.check_depth(d, lhs.pos)?;
        }
        Ok((lhs, d))
    }

    /// The right side of a predicate: an arithmetic expression.
    fn additive(&mut self, depth: u32) -> ParseResult<(Expr, u32)> {
        self.climb(depth, PREC_ADD)
    }

    #[inline(never)]
    fn predicate_op(&mut self, lhs: Expr, ld: u32, depth: u32) -> ParseResult<(Expr, u32)> {
        let op_pos = self.pos();
        let word = match self.peek().clone() {
            Tok::Op(o @ ("==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "=~" | "!~")) => o.to_string(),
            Tok::WordOp(w) => w,
            Tok::Ident(w, false) => w,
            _ => return Ok((lhs, ld)),
        };
        let str_op = |w: &str| -> Option<(StrOp, bool, bool)> {
            let (neg, w) = match w.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, w),
            };
            let (cs, base) = match w.strip_suffix("_cs") {
                Some(b) => (true, b),
                None => (false, w),
            };
            let op = match base {
                "contains" => StrOp::Contains,
                "startswith" => StrOp::StartsWith,
                "endswith" => StrOp::EndsWith,
                "has" => StrOp::Has,
                "hasprefix" => StrOp::HasPrefix,
                "hassuffix" => StrOp::HasSuffix,
                _ => return None,
            };
            Some((op, cs, neg))
        };
        let start = lhs.pos.0;
        let node = |kind: Kind, end: usize| Expr { kind, pos: (start, end) };
        let (kind, rd) = match word.as_str() {
            "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" => {
                self.i += 1;
                let (rhs, rd) = self.additive(depth)?;
                let op = match word.as_str() {
                    "==" => CmpOp::Eq,
                    "!=" | "<>" => CmpOp::Ne,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                (Kind::Cmp(op, Box::new(lhs), Box::new(rhs)), rd)
            }
            "=~" | "!~" => {
                self.i += 1;
                let (rhs, rd) = self.additive(depth)?;
                (Kind::Str { op: StrOp::Eq, cs: false, neg: word == "!~", lhs: Box::new(lhs), rhs: Box::new(rhs) }, rd)
            }
            "in" | "in~" | "!in" | "!in~" => {
                self.i += 1;
                let (list, rd) = self.paren_list(depth, "after 'in'")?;
                (Kind::In { ci: word.ends_with('~'), neg: word.starts_with('!'), lhs: Box::new(lhs), list }, rd)
            }
            "has_any" | "has_all" => {
                self.i += 1;
                let (list, rd) = self.paren_list(depth, &format!("after '{word}'"))?;
                (Kind::HasAny { all: word == "has_all", lhs: Box::new(lhs), list }, rd)
            }
            "between" | "!between" => {
                self.i += 1;
                self.expect_op("(", "after 'between'")?;
                let (lo, d1) = self.additive(depth + 1)?;
                self.expect_op("..", "between the bounds of 'between'")?;
                let (hi, d2) = self.additive(depth + 1)?;
                self.expect_op(")", "to close 'between'")?;
                (
                    Kind::Between {
                        neg: word.starts_with('!'),
                        lhs: Box::new(lhs),
                        lo: Box::new(lo),
                        hi: Box::new(hi),
                    },
                    d1.max(d2),
                )
            }
            "matches" => {
                self.i += 1;
                if !self.eat_word("regex") {
                    return syntax("expected 'regex' after 'matches'", self.pos());
                }
                let (rhs, _) = self.additive(depth)?;
                let Some(Value::Str(pattern)) = functions::constant(&rhs) else {
                    return unsupported("a 'matches regex' pattern that is not a constant string", rhs.pos);
                };
                let re = functions::compile_regex(&pattern).or_else(|m| err("kql-invalid-regex", m, rhs.pos))?;
                let end = rhs.pos.1;
                return Ok((node(Kind::Regex { lhs: Box::new(lhs), re }, end), ld + 1));
            }
            w => match str_op(w) {
                Some((op, cs, neg)) => {
                    self.i += 1;
                    let (rhs, rd) = self.additive(depth)?;
                    (Kind::Str { op, cs, neg, lhs: Box::new(lhs), rhs: Box::new(rhs) }, rd)
                }
                None if w.starts_with('!')
                    || matches!(w, "like" | "notlike" | "contains_any" | "has_any_cs" | "in_cs") =>
                {
                    return unsupported(&format!("the operator '{w}'"), op_pos);
                }
                None => return Ok((lhs, ld)),
            },
        };
        let end = self.toks.get(self.i.saturating_sub(1)).map_or(start, |t| t.end);
        let d = ld.max(rd) + 1;
        self.check_depth(d, (start, end))?;
        Ok((node(kind, end), d))
    }

    fn paren_list(&mut self, depth: u32, what: &str) -> ParseResult<(Vec<Expr>, u32)> {
        self.expect_op("(", what)?;
        let mut items = Vec::new();
        let mut d = 0;
        if !self.is_op(")") {
            loop {
                let (e, ed) = self.expr(depth + 1)?;
                d = d.max(ed);
                items.push(e);
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        self.expect_op(")", "to close the list")?;
        Ok((items, d))
    }

    /// Unary minus (counted, not recursed), a primary, then `.name` and `[index]`.
    fn operand(&mut self, depth: u32) -> ParseResult<(Expr, u32)> {
        let mut signs: Vec<(bool, usize)> = Vec::new();
        while self.is_op("-") || self.is_op("+") {
            let neg = self.is_op("-");
            let start = self.bump().0;
            signs.push((neg, start));
            self.check_depth(depth + signs.len() as u32, (start, start + 1))?;
        }
        let (mut e, mut d) = self.primary(depth + signs.len() as u32)?;
        loop {
            if self.is_op(".") {
                self.i += 1;
                let (key, kp) = self.ident("a property name after '.'")?;
                d += 1;
                let pos = (e.pos.0, kp.1);
                self.check_depth(d, pos)?;
                e = Expr { kind: Kind::Member(Box::new(e), key), pos };
            } else if let Tok::Ident(key, true) = self.peek().clone() {
                // `Obj['key']`, lexed as a bracketed name: a property access.
                let kp = self.bump();
                d += 1;
                let pos = (e.pos.0, kp.1);
                self.check_depth(d, pos)?;
                e = Expr { kind: Kind::Member(Box::new(e), key), pos };
            } else if self.is_op("[") {
                self.i += 1;
                let (idx, id) = self.expr(depth + 1)?;
                let close = self.expect_op("]", "to close the index")?;
                d = d.max(id) + 1;
                let pos = (e.pos.0, close.1);
                self.check_depth(d, pos)?;
                e = Expr { kind: Kind::Index(Box::new(e), Box::new(idx)), pos };
            } else {
                break;
            }
        }
        for (neg, start) in signs.into_iter().rev() {
            if neg {
                let pos = (start, e.pos.1);
                e = Expr { kind: Kind::Neg(Box::new(e)), pos };
                d += 1;
            }
        }
        self.check_depth(d, e.pos)?;
        Ok((e, d))
    }

    /// Parentheses and calls recurse; everything else is in [`Self::atom`],
    /// kept out of line so that the recursive frames stay small.
    fn primary(&mut self, depth: u32) -> ParseResult<(Expr, u32)> {
        if self.is_op("(") {
            let pos = self.bump();
            self.check_depth(depth + 1, pos)?;
            let (e, d) = self.expr(depth + 1)?;
            self.expect_op(")", "to close '('")?;
            return Ok((e, d));
        }
        if matches!((self.peek(), self.peek_at(1)), (Tok::Ident(_, false), Tok::Op("("))) {
            let pos = self.pos();
            let Tok::Ident(name, _) = self.peek().clone() else { return syntax("expected a name", pos) };
            self.i += 1;
            return self.call(name, pos, depth);
        }
        self.atom()
    }

    #[inline(never)]
    fn atom(&mut self) -> ParseResult<(Expr, u32)> {
        let pos = self.pos();
        let lit = |v: Value| Ok((Expr { kind: Kind::Lit(v), pos }, 1));
        match self.peek().clone() {
            Tok::Str(s) => {
                self.i += 1;
                // Adjacent string literals concatenate, as in Kusto.
                let mut s = s;
                let mut end = pos.1;
                while let Tok::Str(more) = self.peek().clone() {
                    s.push_str(&more);
                    end = self.bump().1;
                }
                Ok((Expr { kind: Kind::Lit(Value::Str(s)), pos: (pos.0, end) }, 1))
            }
            Tok::Long(n) => {
                self.i += 1;
                lit(Value::Long(n))
            }
            Tok::Real(f) => {
                self.i += 1;
                lit(Value::Real(f))
            }
            Tok::Timespan(us) => {
                self.i += 1;
                lit(Value::Timespan(us))
            }
            Tok::Op("*") => {
                self.i += 1;
                self.reads_any_column = true;
                Ok((Expr { kind: Kind::Star, pos }, 1))
            }
            Tok::Ident(name, quoted) => {
                self.i += 1;
                if !quoted {
                    match name.as_str() {
                        "true" => return lit(Value::Bool(true)),
                        "false" => return lit(Value::Bool(false)),
                        _ => {}
                    }
                    if let Some(v) = self.lets.get(&name).and_then(|&i| self.let_values.get(i)) {
                        return lit(v.clone());
                    }
                }
                if self.referenced_set.insert(name.clone()) {
                    self.referenced.push(name.clone());
                }
                Ok((Expr { kind: Kind::Col(name), pos }, 1))
            }
            _ => syntax(format!("expected an expression, found {}", self.describe()), pos),
        }
    }

    /// The raw text between the parentheses of `datetime(...)`, `dynamic(...)`, ...
    fn raw_parens(&mut self) -> ParseResult<(String, Pos)> {
        let open = self.pos();
        self.skip_balanced()?;
        let close = self.toks.get(self.i - 1).map_or(open, |t| (t.start, t.end));
        Ok((self.src.get(open.1..close.0).unwrap_or("").trim().to_string(), (open.0, close.1)))
    }

    fn call(&mut self, name: String, pos: Pos, depth: u32) -> ParseResult<(Expr, u32)> {
        self.check_depth(depth + 1, pos)?;
        if name == "not" {
            self.i += 1;
            let (e, d) = self.expr(depth + 1)?;
            let close = self.expect_op(")", "to close 'not('")?;
            return Ok((Expr { kind: Kind::Not(Box::new(e)), pos: (pos.0, close.1) }, d + 1));
        }
        if let Some(lit) = self.literal_call(&name, pos, depth)? {
            return Ok(lit);
        }
        let Some(&(fname, min, max)) = FUNCTIONS.iter().find(|(f, _, _)| *f == name) else {
            return unsupported(&format!("the function '{name}()'"), pos);
        };
        let (args, d) = self.paren_list(depth, "after the function name")?;
        self.reads_any_column |= fname == "column_ifexists";
        self.check_args(&name, fname, min, max, args, d, pos)
    }

    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn check_args(
        &self,
        name: &str,
        fname: &'static str,
        min: usize,
        max: usize,
        args: Vec<Expr>,
        d: u32,
        pos: Pos,
    ) -> ParseResult<(Expr, u32)> {
        let end = self.toks.get(self.i - 1).map_or(pos.1, |t| t.end);
        if args.len() < min || args.len() > max {
            let want = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return syntax(format!("'{name}()' takes {want} argument(s), got {}", args.len()), (pos.0, end));
        }
        Ok((Expr { kind: Kind::Call(fname, args), pos: (pos.0, end) }, d + 1))
    }

    /// `datetime(...)`, `dynamic(...)`, typed literals and clock functions; None for ordinary calls.
    #[inline(never)]
    fn literal_call(&mut self, name: &str, pos: Pos, depth: u32) -> ParseResult<Option<(Expr, u32)>> {
        let name = name.to_string();
        let typed_literal = |v: Option<Value>, what: &str, inner: &str, p: Pos| -> ParseResult<(Expr, u32)> {
            match v {
                Some(v) => Ok((Expr { kind: Kind::Lit(v), pos: p }, 1)),
                None => syntax(format!("'{inner}' is not a valid {what} literal"), p),
            }
        };
        match name.as_str() {
            "datetime" => {
                let (inner, p) = self.raw_parens()?;
                let v = if inner == "null" {
                    Some(Value::Null)
                } else {
                    value::parse_datetime(inner.trim_matches(['"', '\''])).map(Value::DateTime)
                };
                return typed_literal(v, "datetime", &inner, (pos.0, p.1)).map(Some);
            }
            "long" | "int" | "real" | "double" | "bool" | "boolean" | "timespan" | "time" | "decimal" | "guid"
            | "string" => {
                let (inner, p) = self.raw_parens()?;
                let p = (pos.0, p.1);
                let v = if inner == "null" && name != "string" {
                    Some(Value::Null)
                } else {
                    match name.as_str() {
                        "long" | "int" => value::parse_number(&inner).and_then(|v| v.as_long()).map(Value::Long),
                        "real" | "double" | "decimal" => {
                            value::parse_number(&inner).and_then(|v| v.as_real()).map(Value::Real)
                        }
                        "bool" | "boolean" => Value::Str(inner.clone()).as_bool().map(Value::Bool),
                        "guid" | "string" => Some(Value::Str(inner.clone())),
                        _ => match super::lexer::lex(&inner).ok().as_deref() {
                            Some([t, _eof]) => match t.tok {
                                Tok::Timespan(us) => Some(Value::Timespan(us)),
                                Tok::Long(n) => Some(Value::Timespan(n.saturating_mul(super::value::MICROS_PER_DAY))),
                                _ => None,
                            },
                            _ => None,
                        },
                    }
                };
                return typed_literal(v, &name, &inner, p).map(Some);
            }
            "dynamic" => {
                self.i += 1;
                let v = self.dynamic(depth + 1)?;
                let close = self.expect_op(")", "to close 'dynamic('")?;
                return Ok(Some((Expr { kind: Kind::Lit(Value::Dynamic(v)), pos: (pos.0, close.1) }, 1)));
            }
            "now" | "ago" => {
                return unsupported(&format!("'{name}()' (the playground has no clock; use datetime(...))"), pos)
            }
            _ => {}
        }
        Ok(None)
    }

    /// The inside of `dynamic(...)`: JSON-like arrays, objects and scalars.
    fn dynamic(&mut self, depth: u32) -> ParseResult<Json> {
        self.check_depth(depth, self.pos())?;
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Op("[") => {
                self.i += 1;
                let mut items = Vec::new();
                if !self.is_op("]") {
                    loop {
                        items.push(self.dynamic(depth + 1)?);
                        if !self.eat_op(",") {
                            break;
                        }
                    }
                }
                self.expect_op("]", "to close the array")?;
                Ok(Json::Array(items))
            }
            Tok::Op("{") => {
                self.i += 1;
                let mut map = serde_json::Map::new();
                if !self.is_op("}") {
                    loop {
                        let key = match self.peek().clone() {
                            Tok::Str(s) | Tok::Ident(s, _) => {
                                self.i += 1;
                                s
                            }
                            _ => return syntax("expected a property name", self.pos()),
                        };
                        self.expect_op(":", "after the property name")?;
                        let v = self.dynamic(depth + 1)?;
                        map.insert(key, v);
                        if !self.eat_op(",") {
                            break;
                        }
                    }
                }
                self.expect_op("}", "to close the object")?;
                Ok(Json::Object(map))
            }
            Tok::Ident(w, false) if w == "null" => {
                self.i += 1;
                Ok(Json::Null)
            }
            // The lexer reads `["x"]` as a bracketed column name; here it is a one-string array.
            Tok::Ident(s, true) => {
                self.i += 1;
                Ok(Json::Array(vec![Json::String(s)]))
            }
            _ => {
                let (e, _) = self.additive(depth)?;
                match functions::constant(&e) {
                    Some(v) => Ok(v.to_json()),
                    None => syntax("expected a constant inside dynamic(...)", pos),
                }
            }
        }
    }
}
