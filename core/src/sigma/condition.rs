//! The Sigma condition language: parsing with char positions, `of` selection,
//! and semantic checks against a rule's search identifiers.
//!
//! Spec decisions (Sigma v2.1, `specification/sigma-rules-specification.md`,
//! section "Condition", lines 641-690), where the spec is silent or loose:
//!
//! * Keywords are lowercase only (`and`, `or`, `not`, `of`, `them`, `any`,
//!   `all`). The spec only ever writes them in lowercase (lines 651-686) and
//!   never says they are case-insensitive; pySigma, the reference
//!   implementation, matches them case-sensitively too. `AND`, `Not`, `ALL of`
//!   get an error with a "keywords are lowercase" hint instead of being
//!   silently accepted, so a condition the playground accepts also works
//!   downstream.
//! * `any of` is not in the spec; it is accepted as a synonym of `1 of`
//!   because pySigma and existing rules use it.
//! * `them` selects every search identifier not starting with `_` (line 655).
//!   A pattern is "Same as 1/all of them, but restricted to matching search
//!   identifiers" (line 665), so patterns exclude `_` names as well: `1 of
//!   _filter*` selects nothing. Referencing `_filter` by name is fine.
//! * Patterns only know `*` (line 665), matched against whole names.
//! * Search-identifier characters: the spec and the JSON schema
//!   (`additionalProperties` of `detection`, no `propertyNames`) put no limit
//!   on them. We accept Unicode letters and digits plus `_`, `-` and `.`
//!   (and `*` in patterns); anything else is an "unexpected character" error.
//! * The `|` aggregation syntax and `near` were removed in v2
//!   (`other/version-1.0-2.0.md` line 50, correlation spec line 85).
//! * A condition may be a list of strings (line 689); each string is parsed
//!   on its own by the caller.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::iter::Peekable;
use std::str::Chars;

/// Char offsets (Unicode scalar values, not bytes) into the condition string, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CondExpr {
    /// Flattened n-ary: `a and (b and c)` is one `And` with three children,
    /// in text order.
    And(Vec<CondExpr>),
    Or(Vec<CondExpr>),
    Not(Box<CondExpr>),
    Ident {
        name: String,
        range: Range,
    },
    /// `range` runs from the quantifier to the end of the target.
    Of {
        quantifier: Quantifier,
        target: OfTarget,
        range: Range,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quantifier {
    /// `1 of` and `any of`.
    One,
    All,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfTarget {
    Them,
    /// May contain `*` wildcards.
    Pattern(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CondError {
    pub message: String,
    pub range: Range,
}

/// Nesting (parentheses / `not` chains) beyond this is an error, not a stack overflow.
pub const MAX_DEPTH: usize = 200;

fn at(start: u32, end: u32) -> Range {
    Range { start, end }
}

fn error(message: impl Into<String>, range: Range) -> CondError {
    CondError { message: message.into(), range }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq, Eq)]
enum TokKind {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Of,
    Word(String),
    Bad(char),
}

#[derive(Debug)]
struct Token {
    kind: TokKind,
    range: Range,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '*')
}

/// Tokens are produced lazily so that a 1 MB `((((...` is rejected at the
/// first too-deep token without lexing the rest.
struct Lexer<'a> {
    chars: Peekable<Chars<'a>>,
    pos: u32,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer { chars: text.chars().peekable(), pos: 0 }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        self.pos = self.pos.saturating_add(1);
        Some(c)
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        while self.chars.peek().is_some_and(|c| c.is_whitespace()) {
            self.bump();
        }
        let start = self.pos;
        let c = self.bump()?;
        let kind = match c {
            '(' => TokKind::LParen,
            ')' => TokKind::RParen,
            c if is_word_char(c) => {
                let mut word = String::new();
                word.push(c);
                while let Some(&n) = self.chars.peek() {
                    if !is_word_char(n) {
                        break;
                    }
                    word.push(n);
                    self.bump();
                }
                match word.as_str() {
                    "and" => TokKind::And,
                    "or" => TokKind::Or,
                    "not" => TokKind::Not,
                    "of" => TokKind::Of,
                    _ => TokKind::Word(word),
                }
            }
            c => TokKind::Bad(c),
        };
        Some(Token { kind, range: at(start, self.pos) })
    }
}

/// A token as shown in messages; long words are cut so a 1 MB identifier
/// does not produce a 1 MB message.
fn describe(kind: &TokKind) -> String {
    match kind {
        TokKind::LParen => "`(`".into(),
        TokKind::RParen => "`)`".into(),
        TokKind::And => "`and`".into(),
        TokKind::Or => "`or`".into(),
        TokKind::Not => "`not`".into(),
        TokKind::Of => "`of`".into(),
        TokKind::Word(w) => format!("`{}`", shorten(w)),
        TokKind::Bad(c) => format!("`{}`", c.escape_debug()),
    }
}

fn shorten(w: &str) -> String {
    const MAX: usize = 40;
    if w.chars().count() <= MAX {
        w.to_string()
    } else {
        let mut s: String = w.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

/// The keyword a differently-cased word was probably meant to be.
fn miscased_keyword(w: &str) -> Option<&'static str> {
    let lower = crate::base::case::to_lowercase(w);
    ["and", "or", "not", "of", "them", "any", "all"].into_iter().find(|k| *k == lower && *k != w)
}

fn bad_char(c: char, range: Range) -> CondError {
    error(
        format!(
            "unexpected character `{}`: search identifiers may contain letters, digits, `_`, `-` and `.`",
            c.escape_debug()
        ),
        range,
    )
}

// ---------------------------------------------------------------------------
// Parser
//
// Shunting-yard with explicit stacks rather than recursive descent: nesting
// depth then costs heap, not native stack, and MAX_DEPTH is a plain counter.

enum Op {
    Not,
    And,
    Or,
    LParen(Range),
}

/// What came right before the operand we are waiting for; decides which
/// error explains a missing operand best.
#[derive(Clone, Copy)]
enum Prev {
    Start,
    LParen(Range),
    Op(&'static str, Range),
}

struct Parser<'a> {
    lexer: Peekable<Lexer<'a>>,
    operands: Vec<CondExpr>,
    ops: Vec<Op>,
    /// Open `(` and pending `not` on `ops`.
    depth: usize,
    text_len: u32,
}

/// Parses one condition string. Never panics; nesting beyond [`MAX_DEPTH`]
/// and v1 aggregation syntax are errors. Linear in the length of `text`.
pub fn parse_condition(text: &str) -> Result<CondExpr, CondError> {
    // Checked before anything else: whatever follows a `|` is v1 aggregation
    // syntax, and "this was removed" is more useful than a syntax error in it.
    if let Some(i) = text.chars().position(|c| c == '|') {
        let i = to_u32(i);
        return Err(error(
            "aggregation expressions (`| count() ...`, `| near ...`) were removed in Sigma v2; \
             express this as a correlation rule referring to this rule instead",
            at(i, i.saturating_add(1)),
        ));
    }
    Parser {
        lexer: Lexer::new(text).peekable(),
        operands: Vec::new(),
        ops: Vec::new(),
        depth: 0,
        text_len: to_u32(text.chars().count()),
    }
    .parse()
}

impl Parser<'_> {
    fn parse(mut self) -> Result<CondExpr, CondError> {
        let mut prev = Prev::Start;
        loop {
            // Expecting an operand.
            let Some(tok) = self.lexer.next() else {
                return Err(self.missing_operand(prev));
            };
            match tok.kind {
                TokKind::Not => {
                    self.open(Op::Not, tok.range)?;
                    prev = Prev::Op("not", tok.range);
                    continue;
                }
                TokKind::LParen => {
                    self.open(Op::LParen(tok.range), tok.range)?;
                    prev = Prev::LParen(tok.range);
                    continue;
                }
                TokKind::Word(w) => {
                    let operand = self.word_operand(w, tok.range)?;
                    self.operands.push(operand);
                }
                TokKind::RParen => {
                    return Err(match prev {
                        Prev::LParen(open) => {
                            error("empty parentheses: expected an expression inside", at(open.start, tok.range.end))
                        }
                        Prev::Op(name, r) => dangling(name, r),
                        Prev::Start => error("unmatched `)`", tok.range),
                    })
                }
                TokKind::And | TokKind::Or => {
                    let name = if tok.kind == TokKind::And { "and" } else { "or" };
                    return Err(match prev {
                        Prev::Op(p, _) => error(format!("expected an operand after `{p}`, found `{name}`"), tok.range),
                        Prev::Start | Prev::LParen(_) => error(format!("`{name}` has no left operand"), tok.range),
                    });
                }
                TokKind::Of => return Err(of_without_quantifier(tok.range)),
                TokKind::Bad(c) => return Err(bad_char(c, tok.range)),
            }
            self.apply_nots()?;

            // Expecting an operator, `)` or the end.
            loop {
                let Some(tok) = self.lexer.next() else {
                    return self.finish();
                };
                match tok.kind {
                    TokKind::And => {
                        self.reduce_while(|op| matches!(op, Op::And))?;
                        self.ops.push(Op::And);
                        prev = Prev::Op("and", tok.range);
                        break;
                    }
                    TokKind::Or => {
                        self.reduce_while(|op| matches!(op, Op::And | Op::Or))?;
                        self.ops.push(Op::Or);
                        prev = Prev::Op("or", tok.range);
                        break;
                    }
                    TokKind::RParen => {
                        self.reduce_while(|op| matches!(op, Op::And | Op::Or))?;
                        match self.ops.pop() {
                            Some(Op::LParen(_)) => {
                                self.depth = self.depth.saturating_sub(1);
                                // `not (a)`: the `not` waited for the group.
                                self.apply_nots()?;
                            }
                            None => return Err(error("unmatched `)`", tok.range)),
                            Some(_) => return Err(self.internal()),
                        }
                    }
                    kind => return Err(unexpected_after_operand(&kind, tok.range)),
                }
            }
        }
    }

    fn open(&mut self, op: Op, range: Range) -> Result<(), CondError> {
        if self.depth >= MAX_DEPTH {
            return Err(error(
                format!("condition is nested too deeply (more than {MAX_DEPTH} levels of parentheses and `not`)"),
                range,
            ));
        }
        self.depth += 1;
        self.ops.push(op);
        Ok(())
    }

    /// A word in operand position: an identifier, or the quantifier of an
    /// `of` expression when `of` follows.
    fn word_operand(&mut self, w: String, range: Range) -> Result<CondExpr, CondError> {
        let next_is_of = matches!(self.lexer.peek(), Some(Token { kind: TokKind::Of, .. }));
        if !next_is_of {
            if w.contains('*') {
                return Err(error(
                    format!(
                        "wildcard `*` is only allowed in `1 of`/`all of` patterns; write `1 of {}` or `all of {}`",
                        shorten(&w),
                        shorten(&w)
                    ),
                    range,
                ));
            }
            // `NOT filter` would otherwise fail at `filter`, far from the cause.
            if miscased_keyword(&w) == Some("not")
                && matches!(self.lexer.peek().map(|t| &t.kind), Some(TokKind::Word(_) | TokKind::LParen | TokKind::Not))
            {
                return Err(error(format!("Sigma keywords are lowercase: write `not` instead of `{w}`"), range));
            }
            return Ok(CondExpr::Ident { name: w, range });
        }

        let of_range = self.lexer.next().map_or(range, |t| t.range);
        let quantifier = match w.as_str() {
            "1" | "any" => Quantifier::One,
            "all" => Quantifier::All,
            _ => {
                let message = match miscased_keyword(&w) {
                    Some(k @ ("any" | "all")) => {
                        format!("Sigma keywords are lowercase: write `{k} of` instead of `{w} of`")
                    }
                    _ => {
                        format!("unknown quantifier `{}`: only `1 of`, `any of` and `all of` are allowed", shorten(&w))
                    }
                };
                return Err(error(message, range));
            }
        };
        match self.lexer.next() {
            Some(Token { kind: TokKind::Word(t), range: target_range }) => {
                let target = if t == "them" { OfTarget::Them } else { OfTarget::Pattern(t) };
                Ok(CondExpr::Of { quantifier, target, range: at(range.start, target_range.end) })
            }
            Some(Token { kind: TokKind::Bad(c), range }) => Err(bad_char(c, range)),
            Some(tok) => Err(error(
                format!("expected `them` or a search-identifier pattern after `of`, found {}", describe(&tok.kind)),
                tok.range,
            )),
            None => Err(error(
                format!("`{w} of` needs a target: `them` or a search-identifier pattern"),
                at(range.start, of_range.end),
            )),
        }
    }

    fn apply_nots(&mut self) -> Result<(), CondError> {
        while matches!(self.ops.last(), Some(Op::Not)) {
            self.ops.pop();
            self.depth = self.depth.saturating_sub(1);
            let Some(operand) = self.operands.pop() else {
                return Err(self.internal());
            };
            self.operands.push(CondExpr::Not(Box::new(operand)));
        }
        Ok(())
    }

    fn reduce_while(&mut self, pred: impl Fn(&Op) -> bool) -> Result<(), CondError> {
        while self.ops.last().is_some_and(&pred) {
            let is_and = matches!(self.ops.pop(), Some(Op::And));
            let (Some(rhs), Some(lhs)) = (self.operands.pop(), self.operands.pop()) else {
                return Err(self.internal());
            };
            // Growing the left operand in place keeps long chains flat and
            // linear; nested same-operator groups from parentheses are merged
            // by `flatten` at the end.
            let combined = match (is_and, lhs) {
                (true, CondExpr::And(mut v)) | (false, CondExpr::Or(mut v)) => {
                    v.push(rhs);
                    if is_and {
                        CondExpr::And(v)
                    } else {
                        CondExpr::Or(v)
                    }
                }
                (true, lhs) => CondExpr::And(vec![lhs, rhs]),
                (false, lhs) => CondExpr::Or(vec![lhs, rhs]),
            };
            self.operands.push(combined);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<CondExpr, CondError> {
        self.reduce_while(|op| matches!(op, Op::And | Op::Or))?;
        match self.ops.pop() {
            None => {}
            Some(Op::LParen(open)) => return Err(error("missing `)`: this `(` is never closed", open)),
            Some(_) => return Err(self.internal()),
        }
        match (self.operands.pop(), self.operands.is_empty()) {
            (Some(expr), true) => Ok(flatten(expr)),
            _ => Err(self.internal()),
        }
    }

    fn missing_operand(&self, prev: Prev) -> CondError {
        match prev {
            Prev::Start => error("empty condition", at(0, self.text_len)),
            Prev::LParen(open) => error("missing expression and `)` after this `(`", open),
            Prev::Op(name, r) => dangling(name, r),
        }
    }

    /// Unreachable by construction; reported rather than panicking.
    fn internal(&self) -> CondError {
        error("internal error in the condition parser", at(0, self.text_len))
    }
}

fn dangling(name: &str, range: Range) -> CondError {
    error(format!("dangling `{name}`: expected an operand after it"), range)
}

fn of_without_quantifier(range: Range) -> CondError {
    error("`of` must follow a quantifier: `1 of`, `any of` or `all of`", range)
}

fn unexpected_after_operand(kind: &TokKind, range: Range) -> CondError {
    match kind {
        TokKind::Word(w) => match miscased_keyword(w) {
            Some(k) => error(format!("Sigma keywords are lowercase: write `{k}` instead of `{}`", shorten(w)), range),
            None => error(
                format!("unexpected `{}`: expected `and`, `or`, `)` or the end of the condition", shorten(w)),
                range,
            ),
        },
        TokKind::LParen => error("unexpected `(`: expected `and` or `or` before it", range),
        TokKind::Not => error("`not` cannot follow an operand; did you mean `and not`?", range),
        TokKind::Of => of_without_quantifier(range),
        TokKind::Bad(c) => bad_char(*c, range),
        TokKind::And | TokKind::Or | TokKind::RParen => error(format!("unexpected {}", describe(kind)), range),
    }
}

/// Merges same-operator children (`a and (b and c)`) into their parent.
/// Each node is moved once, so this is linear; recursion depth is bounded by
/// MAX_DEPTH because only parentheses and `not` nest the parser's output.
fn flatten(expr: CondExpr) -> CondExpr {
    match expr {
        CondExpr::And(children) => {
            let mut out = Vec::with_capacity(children.len());
            flatten_into(children, true, &mut out);
            CondExpr::And(out)
        }
        CondExpr::Or(children) => {
            let mut out = Vec::with_capacity(children.len());
            flatten_into(children, false, &mut out);
            CondExpr::Or(out)
        }
        CondExpr::Not(inner) => CondExpr::Not(Box::new(flatten(*inner))),
        leaf => leaf,
    }
}

fn flatten_into(children: Vec<CondExpr>, is_and: bool, out: &mut Vec<CondExpr>) {
    for child in children {
        match child {
            CondExpr::And(grand) if is_and => flatten_into(grand, true, out),
            CondExpr::Or(grand) if !is_and => flatten_into(grand, false, out),
            other => out.push(flatten(other)),
        }
    }
}

// ---------------------------------------------------------------------------
// Tree helpers

/// Pre-order walk over leaves in text order, with an explicit stack so that
/// hand-built trees of any depth are safe.
fn for_each_leaf<'a>(expr: &'a CondExpr, from_left: bool, mut f: impl FnMut(&'a CondExpr) -> bool) {
    let mut stack: Vec<std::slice::Iter<'a, CondExpr>> = vec![std::slice::from_ref(expr).iter()];
    while let Some(iter) = stack.last_mut() {
        let next = if from_left { iter.next() } else { iter.next_back() };
        match next {
            None => {
                stack.pop();
            }
            Some(CondExpr::Not(inner)) => stack.push(std::slice::from_ref(&**inner).iter()),
            Some(CondExpr::And(v) | CondExpr::Or(v)) => stack.push(v.iter()),
            Some(leaf) => {
                if !f(leaf) {
                    return;
                }
            }
        }
    }
}

fn leaf_range(expr: &CondExpr) -> Option<Range> {
    match expr {
        CondExpr::Ident { range, .. } | CondExpr::Of { range, .. } => Some(*range),
        _ => None,
    }
}

impl CondExpr {
    /// For `Ident`/`Of` their own range; for `And`/`Or`/`Not` the union of the
    /// children's (without the operator keywords or parentheses). Relies on
    /// children being in text order, as the parser produces them; `None` for
    /// an operator without leaves.
    pub fn range(&self) -> Option<Range> {
        let mut first = None;
        for_each_leaf(self, true, |leaf| {
            first = leaf_range(leaf);
            false
        });
        let mut last = None;
        for_each_leaf(self, false, |leaf| {
            last = leaf_range(leaf);
            false
        });
        Some(at(first?.start, last?.end))
    }
}

/// Prints in the condition language; parsing the output gives the same tree
/// (up to ranges) for any tree `parse_condition` can produce. Same-operator
/// children get parentheses so hand-built nested trees keep their shape.
impl fmt::Display for CondExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn binding(e: &CondExpr) -> u8 {
            match e {
                CondExpr::Or(_) => 1,
                CondExpr::And(_) => 2,
                CondExpr::Not(_) => 3,
                CondExpr::Ident { .. } | CondExpr::Of { .. } => 4,
            }
        }
        fn child(f: &mut fmt::Formatter<'_>, e: &CondExpr, min: u8) -> fmt::Result {
            if binding(e) < min {
                write!(f, "({e})")
            } else {
                write!(f, "{e}")
            }
        }
        match self {
            CondExpr::And(v) | CondExpr::Or(v) => {
                if v.is_empty() {
                    // Not valid syntax on purpose: an empty operator has no
                    // condition-language spelling.
                    return f.write_str("()");
                }
                let (sep, min) = if matches!(self, CondExpr::And(_)) { (" and ", 3) } else { (" or ", 2) };
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    child(f, c, min)?;
                }
                Ok(())
            }
            CondExpr::Not(inner) => {
                f.write_str("not ")?;
                child(f, inner, 3)
            }
            CondExpr::Ident { name, .. } => f.write_str(name),
            CondExpr::Of { quantifier, target, .. } => {
                let q = match quantifier {
                    Quantifier::One => "1",
                    Quantifier::All => "all",
                };
                match target {
                    OfTarget::Them => write!(f, "{q} of them"),
                    OfTarget::Pattern(p) => write!(f, "{q} of {p}"),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Selection and semantic checks

/// `*` matches any run of characters; the whole name must match.
/// Greedy with backtracking to the last `*`: O(len(pattern) * len(name)) worst case.
fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(pc) if Some(pc) == n.get(ni) => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// Search identifiers an `of` target selects, in the order of `names` (the
/// rule's detection keys, condition excluded). Names starting with `_` are
/// never selected, for `them` (spec line 655) and for patterns alike (line
/// 665: "Same as 1/all of them, but restricted to matching search
/// identifiers"). Matching is case-sensitive, like detection keys.
pub fn select_names<'a>(target: &OfTarget, names: &'a [String]) -> Vec<&'a str> {
    names
        .iter()
        .map(String::as_str)
        .filter(|n| !n.starts_with('_'))
        .filter(|n| match target {
            OfTarget::Them => true,
            OfTarget::Pattern(p) => glob_match(p, n),
        })
        .collect()
}

/// Semantic checks against the rule's search identifiers: undefined
/// identifier (at its range) and `of` targets that select nothing. All
/// problems, in text order.
pub fn check(expr: &CondExpr, names: &[String]) -> Vec<CondError> {
    let defined: HashSet<&str> = names.iter().map(String::as_str).collect();
    let mut errors = Vec::new();
    for_each_leaf(expr, true, |leaf| {
        match leaf {
            CondExpr::Ident { name, range } if !defined.contains(name.as_str()) => {
                let mut message = format!("undefined search identifier `{}`", shorten(name));
                if let Some(k) = miscased_keyword(name) {
                    message.push_str(&format!(" (Sigma keywords are lowercase: did you mean `{k}`?)"));
                }
                errors.push(error(message, *range));
            }
            CondExpr::Of { target, range, .. } if select_names(target, names).is_empty() => {
                let message = match target {
                    OfTarget::Them => {
                        "`of them` selects no search identifier (names starting with `_` are excluded)".to_string()
                    }
                    OfTarget::Pattern(p) => {
                        let mut m = format!("pattern `{}` matches no search identifier", shorten(p));
                        if p.starts_with('_') {
                            m.push_str(" (`of` never selects names starting with `_`; reference them by name)");
                        } else if crate::base::case::to_lowercase(p) == "them" {
                            m.push_str(" (Sigma keywords are lowercase: did you mean `them`?)");
                        }
                        m
                    }
                };
                errors.push(error(message, *range));
            }
            _ => {}
        }
        true
    });
    errors
}

/// Every identifier name the condition references directly or through `of`,
/// deduplicated, in order of first reference. Direct references are included
/// even when undefined.
pub fn referenced_names(expr: &CondExpr, names: &[String]) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for_each_leaf(expr, true, |leaf| {
        let selected = match leaf {
            CondExpr::Ident { name, .. } => vec![name.as_str()],
            CondExpr::Of { target, .. } => select_names(target, names),
            _ => Vec::new(),
        };
        for n in selected {
            if seen.insert(n) {
                out.push(n.to_string());
            }
        }
        true
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(name: &str) -> CondExpr {
        CondExpr::Ident { name: name.into(), range: at(0, 0) }
    }
    fn of(q: Quantifier, t: OfTarget) -> CondExpr {
        CondExpr::Of { quantifier: q, target: t, range: at(0, 0) }
    }
    fn pat(p: &str) -> OfTarget {
        OfTarget::Pattern(p.into())
    }
    fn not(e: CondExpr) -> CondExpr {
        CondExpr::Not(Box::new(e))
    }

    /// Zeroes ranges so trees can be compared by shape.
    fn shape(e: &CondExpr) -> CondExpr {
        match e {
            CondExpr::And(v) => CondExpr::And(v.iter().map(shape).collect()),
            CondExpr::Or(v) => CondExpr::Or(v.iter().map(shape).collect()),
            CondExpr::Not(i) => not(shape(i)),
            CondExpr::Ident { name, .. } => id(name),
            CondExpr::Of { quantifier, target, .. } => of(*quantifier, target.clone()),
        }
    }

    fn p(text: &str) -> CondExpr {
        match parse_condition(text) {
            Ok(e) => shape(&e),
            Err(e) => panic!("{text:?} failed: {e:?}"),
        }
    }

    fn perr(text: &str) -> CondError {
        match parse_condition(text) {
            Ok(e) => panic!("{text:?} parsed as {e:?}"),
            Err(e) => e,
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Char-offset slice, the way a UI would highlight a range.
    fn slice(text: &str, r: Range) -> String {
        text.chars().skip(r.start as usize).take((r.end - r.start) as usize).collect()
    }

    #[test]
    fn precedence() {
        use CondExpr::{And, Or};
        assert_eq!(p("a or b and not c"), Or(vec![id("a"), And(vec![id("b"), not(id("c"))])]));
        assert_eq!(p("not a and b"), And(vec![not(id("a")), id("b")]));
        assert_eq!(p("a and b or c and d"), Or(vec![And(vec![id("a"), id("b")]), And(vec![id("c"), id("d")])]));
        assert_eq!(p("a or b or c"), Or(vec![id("a"), id("b"), id("c")]));
        assert_eq!(p("a and b and c and d"), And(vec![id("a"), id("b"), id("c"), id("d")]));
        assert_eq!(p("not not a"), not(not(id("a"))));
        assert_eq!(p("a or b and c or d"), Or(vec![id("a"), And(vec![id("b"), id("c")]), id("d")]));
    }

    #[test]
    fn parentheses() {
        use CondExpr::{And, Or};
        assert_eq!(p("(a or b) and c"), And(vec![Or(vec![id("a"), id("b")]), id("c")]));
        assert_eq!(p("((a))"), id("a"));
        assert_eq!(p("a and (b and c)"), And(vec![id("a"), id("b"), id("c")]));
        assert_eq!(p("(a and b) and (c and (d and e))"), And(["a", "b", "c", "d", "e"].map(id).to_vec()));
        assert_eq!(p("not (a or b)"), not(Or(vec![id("a"), id("b")])));
        assert_eq!(p("not (not a)"), not(not(id("a"))));
        assert_eq!(p("a or (b or (c and d))"), Or(vec![id("a"), id("b"), And(vec![id("c"), id("d")])]));
        assert_eq!(p("(a)and(b)"), And(vec![id("a"), id("b")]));
    }

    #[test]
    fn of_forms() {
        use Quantifier::{All, One};
        assert_eq!(p("1 of sel*"), of(One, pat("sel*")));
        assert_eq!(p("any of sel*"), of(One, pat("sel*")));
        assert_eq!(p("all of them"), of(All, OfTarget::Them));
        assert_eq!(p("1 of them"), of(One, OfTarget::Them));
        assert_eq!(p("all of selection"), of(All, pat("selection")));
        assert_eq!(
            p("1 of selection* and not 1 of filter*"),
            CondExpr::And(vec![of(One, pat("selection*")), not(of(One, pat("filter*")))])
        );
        // Without `of` these words are ordinary identifiers.
        assert_eq!(p("any and all and 1 and them"), CondExpr::And(["any", "all", "1", "them"].map(id).to_vec()));

        let text = "x and all of sel_*";
        let Ok(CondExpr::And(v)) = parse_condition(text) else { panic!() };
        assert_eq!(v[1].range().map(|r| slice(text, r)).as_deref(), Some("all of sel_*"));
    }

    #[test]
    fn quantifier_and_of_errors() {
        let e = perr("2 of them");
        assert_eq!(e.range, at(0, 1));
        assert!(e.message.contains("only `1 of`, `any of` and `all of`"), "{}", e.message);
        let e = perr("sel and none of them");
        assert_eq!(e.range, at(8, 12));
        let e = perr("ALL of them");
        assert_eq!(e.range, at(0, 3));
        assert!(e.message.contains("lowercase"));
        let e = perr("a and 1 of");
        assert_eq!(e.range, at(6, 10));
        assert!(e.message.contains("needs a target"));
        let e = perr("1 of (a)");
        assert_eq!(e.range, at(5, 6));
        let e = perr("of them");
        assert_eq!(e.range, at(0, 2));
        let e = perr("a of them");
        assert_eq!(e.range, at(0, 1));
    }

    #[test]
    fn them_excludes_underscore_names() {
        let n = names(&["selection", "_filter", "keywords", "sel_2"]);
        assert_eq!(select_names(&OfTarget::Them, &n), vec!["selection", "keywords", "sel_2"]);
        // Spec line 665: patterns are "Same as 1/all of them", so `_` names stay out.
        assert!(select_names(&pat("_f*"), &n).is_empty());
        assert!(select_names(&pat("*filter"), &n).is_empty());
        let expr = match parse_condition("selection and not 1 of _f*") {
            Ok(e) => e,
            Err(e) => panic!("{e:?}"),
        };
        let errs = check(&expr, &n);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].range, at(18, 26));
        assert!(errs[0].message.contains("`_`"));
        // A direct reference to an underscore name is fine.
        let expr = parse_condition("selection and not _filter").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(check(&expr, &n).is_empty());
        assert!(select_names(&OfTarget::Them, &names(&["_a", "_b"])).is_empty());
    }

    #[test]
    fn wildcard_patterns() {
        let n = names(&["sel", "selection", "xsel", "sel_main", "filter_sel", "s", "Selection"]);
        assert_eq!(select_names(&pat("sel*"), &n), vec!["sel", "selection", "sel_main"]);
        assert_eq!(select_names(&pat("*sel"), &n), vec!["sel", "xsel", "filter_sel"]);
        assert_eq!(select_names(&pat("*sel*"), &n), vec!["sel", "selection", "xsel", "sel_main", "filter_sel"]);
        assert_eq!(select_names(&pat("s*l*n"), &n), vec!["selection", "sel_main"]);
        assert_eq!(select_names(&pat("sel"), &n), vec!["sel"]);
        assert_eq!(select_names(&pat("*"), &n).len(), n.len());
        assert_eq!(select_names(&pat("**s**"), &n), vec!["sel", "selection", "xsel", "sel_main", "filter_sel", "s"]);
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
        assert!(glob_match("é*", "éa"));
    }

    #[test]
    fn ranges_are_char_offsets() {
        // Three 2-byte chars and one 4-byte char before the first identifier.
        let text = "(élan and 𝔣oo) or not bär";
        let e = parse_condition(text).unwrap_or_else(|e| panic!("{e:?}"));
        let mut leaves = Vec::new();
        for_each_leaf(&e, true, |l| {
            leaves.push(l.clone());
            true
        });
        let got: Vec<(String, Range)> = leaves
            .iter()
            .map(|l| match l {
                CondExpr::Ident { name, range } => (name.clone(), *range),
                _ => panic!(),
            })
            .collect();
        assert_eq!(got, vec![("élan".into(), at(1, 5)), ("𝔣oo".into(), at(10, 13)), ("bär".into(), at(22, 25))]);
        for (name, r) in &got {
            assert_eq!(&slice(text, *r), name);
        }
        assert_eq!(e.range(), Some(at(1, 25)));
        let CondExpr::Or(v) = &e else { panic!() };
        assert_eq!(v[1].range(), Some(at(22, 25)));

        let e = perr("ünïcödé and )");
        assert_eq!(e.range, at(8, 11));
        let e = perr("ä & b");
        assert_eq!(e.range, at(2, 3));
        assert!(e.message.contains("unexpected character"));
    }

    #[test]
    fn syntax_errors() {
        let e = perr("");
        assert_eq!((e.message.as_str(), e.range), ("empty condition", at(0, 0)));
        assert_eq!(perr("  \t ").range, at(0, 4));
        // Dangling operators point at the operator.
        let e = perr("a and");
        assert_eq!(e.range, at(2, 5));
        assert!(e.message.contains("dangling `and`"));
        assert_eq!(perr("a or not").range, at(5, 8));
        assert_eq!(perr("(a or )").range, at(3, 5));
        assert_eq!(perr("and a").range, at(0, 3));
        assert_eq!(perr("a and or b").range, at(6, 8));
        // Missing `)` points at the unclosed `(`.
        let e = perr("x and (a or b");
        assert_eq!(e.range, at(6, 7));
        assert!(e.message.contains("missing `)`"));
        assert_eq!(perr("(").range, at(0, 1));
        let e = perr("a)");
        assert_eq!((e.message.as_str(), e.range), ("unmatched `)`", at(1, 2)));
        assert_eq!(perr(")").range, at(0, 1));
        assert_eq!(perr("a and ()").range, at(6, 8));
        assert_eq!(perr("a b").range, at(2, 3));
        assert_eq!(perr("a (b)").range, at(2, 3));
        assert!(perr("a not b").message.contains("and not"));
        assert!(perr("sel*").message.contains("1 of sel*"));
        assert_eq!(perr("\"sel\"").range, at(0, 1));
    }

    #[test]
    fn keywords_are_lowercase() {
        let e = perr("a AND b");
        assert_eq!(e.range, at(2, 5));
        assert!(e.message.contains("write `and`"), "{}", e.message);
        let e = perr("NOT a");
        assert_eq!(e.range, at(0, 3));
        assert!(e.message.contains("write `not`"));
        assert!(perr("a Or b").message.contains("`or`"));
        assert!(perr("1 OF them").message.contains("`of`"));
        // Alone, a miscased keyword is just an identifier; `check` hints.
        let e = parse_condition("a and NOT").unwrap_or_else(|e| panic!("{e:?}"));
        let errs = check(&e, &names(&["a"]));
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("lowercase"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let start = std::time::Instant::now();
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        let e = perr(&deep);
        assert_eq!(e.range, at(MAX_DEPTH as u32, MAX_DEPTH as u32 + 1));
        assert!(e.message.contains("nested too deeply"));
        let e = perr(&format!("{}a", "not ".repeat(10_000)));
        assert_eq!(e.range.start, 4 * MAX_DEPTH as u32);
        // A 1 MB run of `(` is rejected without lexing it all.
        let e = perr(&"(".repeat(1 << 20));
        assert_eq!(e.range.start, MAX_DEPTH as u32);
        assert!(start.elapsed().as_secs() < 5);

        // Exactly MAX_DEPTH is fine, mixed parentheses and `not` included.
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(p(&ok), id("a"));
        let ok = format!("{}a{}", "not (".repeat(MAX_DEPTH / 2), ")".repeat(MAX_DEPTH / 2));
        assert!(parse_condition(&ok).is_ok());
        let too = format!("{}a{}", "not (".repeat(MAX_DEPTH / 2 + 1), ")".repeat(MAX_DEPTH / 2 + 1));
        assert!(parse_condition(&too).is_err());
        // Nesting that closes again does not accumulate.
        let wide = "(not a) and ".repeat(1000) + "b";
        assert!(parse_condition(&wide).is_ok());
        // Deep but legal trees go through every helper.
        let mixed = format!("{}a{}", "(b or not (c and ".repeat(60), "))".repeat(60));
        let e = parse_condition(&mixed).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p(&e.to_string()), shape(&e));
        assert_eq!(check(&e, &names(&["a", "b", "c"])), vec![]);
    }

    #[test]
    fn huge_input_is_linear() {
        let start = std::time::Instant::now();
        let text = "sel and ".repeat(1 << 17) + "sel";
        assert!(text.len() >= 1 << 20);
        let Ok(CondExpr::And(v)) = parse_condition(&text) else { panic!() };
        assert_eq!(v.len(), (1 << 17) + 1);
        let text = "(a and b) or ".repeat(80_000) + "c";
        let Ok(CondExpr::Or(v)) = parse_condition(&text) else { panic!() };
        assert_eq!(v.len(), 80_001);
        let long_word = "x".repeat(1 << 20);
        let e = perr(&format!("a {long_word}"));
        assert!(e.message.len() < 200);
        assert!(start.elapsed().as_secs() < 10);
    }

    #[test]
    fn aggregation_is_rejected() {
        let text = "sélection | count() by SourceIp > 5";
        let e = perr(text);
        assert_eq!(e.range, at(10, 11));
        assert!(e.message.contains("removed in Sigma v2"));
        assert!(e.message.contains("correlation"));
        assert_eq!(perr("a | near b").range, at(2, 3));
        // Reported before syntax errors elsewhere.
        assert_eq!(perr("a and and | count() > 5").range, at(10, 11));
    }

    #[test]
    fn check_reports_in_text_order() {
        let n = names(&["selection", "filter_a", "_hidden"]);
        let text = "undefined1 or (1 of sel* and not 1 of nomatch*) or all of them or nope";
        let e = parse_condition(text).unwrap_or_else(|e| panic!("{e:?}"));
        let errs = check(&e, &n);
        let got: Vec<String> = errs.iter().map(|e| slice(text, e.range)).collect();
        assert_eq!(got, vec!["undefined1", "1 of nomatch*", "nope"]);
        assert!(errs[0].message.contains("undefined search identifier"));
        let e = parse_condition("1 of them").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(check(&e, &names(&["_only"])).len(), 1);
        let e = parse_condition("1 of THEM").unwrap_or_else(|e| panic!("{e:?}"));
        assert!(check(&e, &n)[0].message.contains("`them`"));
    }

    #[test]
    fn referenced_names_deduplicates() {
        let n = names(&["sel_a", "sel_b", "filter", "_x", "unused"]);
        let e =
            parse_condition("1 of sel* and not (filter or sel_b or _x or ghost)").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(referenced_names(&e, &n), names(&["sel_a", "sel_b", "filter", "_x", "ghost"]));
        let e = parse_condition("all of them").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(referenced_names(&e, &n), names(&["sel_a", "sel_b", "filter", "unused"]));
    }

    #[test]
    fn range_of_operators_and_serde() {
        assert_eq!(CondExpr::And(vec![]).range(), None);
        let text = "not (a or b) and c";
        let e = parse_condition(text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(e.range(), Some(at(5, 18)));
        let CondExpr::And(v) = &e else { panic!() };
        assert_eq!(v[0].range(), Some(at(5, 11)));
        let json = serde_json::to_string(&e).unwrap_or_default();
        let back: CondExpr = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, e);
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "a or b and not c",
            "(a or b) and c",
            "not (a and b)",
            "not not a",
            "1 of sel* and not all of them",
            "a and (b or (c and not (d or e)))",
        ] {
            let e = parse_condition(text).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(p(&e.to_string()), shape(&e), "{text}");
        }
        assert_eq!(p("any of x").to_string(), "1 of x");
        assert_eq!(p("a and (b or c)").to_string(), "a and (b or c)");
        assert_eq!(p("not (not a)").to_string(), "not not a");
    }

    // -- property tests --

    /// Independent of `flatten`, so the round trip really checks it.
    fn normalize(e: CondExpr) -> CondExpr {
        fn merge(v: Vec<CondExpr>, is_and: bool) -> Vec<CondExpr> {
            let mut out = Vec::new();
            for c in v.into_iter().map(normalize) {
                match c {
                    CondExpr::And(g) if is_and => out.extend(g),
                    CondExpr::Or(g) if !is_and => out.extend(g),
                    other => out.push(other),
                }
            }
            out
        }
        match e {
            CondExpr::And(v) => CondExpr::And(merge(v, true)),
            CondExpr::Or(v) => CondExpr::Or(merge(v, false)),
            CondExpr::Not(i) => not(normalize(*i)),
            leaf => leaf,
        }
    }

    fn arb_expr() -> impl Strategy<Value = CondExpr> {
        let ident = "[a-zA-Zé_1][a-zA-Z0-9é_.-]{0,6}"
            .prop_filter("keyword", |s| !matches!(s.as_str(), "and" | "or" | "not" | "of"))
            .prop_map(|n| id(&n));
        let target = prop_oneof![
            Just(OfTarget::Them),
            "[a-z_*][a-z0-9_*é-]{0,6}"
                .prop_filter("keyword", |s| !matches!(s.as_str(), "them" | "and" | "or" | "not" | "of"))
                .prop_map(OfTarget::Pattern),
        ];
        let quant = prop_oneof![Just(Quantifier::One), Just(Quantifier::All)];
        let leaf = prop_oneof![3 => ident, 1 => (quant, target).prop_map(|(q, t)| of(q, t))];
        leaf.prop_recursive(6, 48, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(CondExpr::And),
                prop::collection::vec(inner.clone(), 2..4).prop_map(CondExpr::Or),
                inner.prop_map(not),
            ]
        })
    }

    fn token_soup() -> impl Strategy<Value = String> {
        let tok = prop_oneof![
            Just("and"),
            Just("or"),
            Just("not"),
            Just("("),
            Just(")"),
            Just("of"),
            Just("1"),
            Just("any"),
            Just("all"),
            Just("them"),
            Just("2"),
            Just("sel*"),
            Just("a"),
            Just("é"),
            Just("AND"),
            Just("NOT"),
            Just("|"),
            Just("&"),
            Just("_x"),
            Just("\u{0}"),
            Just(""),
        ];
        prop::collection::vec(tok, 0..30).prop_map(|v| v.join(" "))
    }

    fn check_invariants(text: &str) {
        let len = text.chars().count() as u32;
        match parse_condition(text) {
            Ok(e) => {
                for_each_leaf(&e, true, |leaf| {
                    if let CondExpr::Ident { name, range } = leaf {
                        assert_eq!(&slice(text, *range), name);
                    }
                    if let Some(r) = leaf_range(leaf) {
                        assert!(r.start < r.end && r.end <= len);
                    }
                    true
                });
                let again = parse_condition(&e.to_string()).map(|e| shape(&e));
                assert_eq!(again, Ok(shape(&e)));
                let ns = names(&["a", "sel1", "_x"]);
                let _ = check(&e, &ns);
                let _ = referenced_names(&e, &ns);
            }
            Err(err) => {
                assert!(err.range.start <= err.range.end && err.range.end <= len, "{err:?} for {text:?}");
                assert!(!err.message.is_empty());
            }
        }
    }

    proptest! {
        #[test]
        fn random_strings_never_panic(text in any::<String>()) {
            check_invariants(&text);
        }

        #[test]
        fn token_soup_never_panics(text in token_soup()) {
            check_invariants(&text);
        }

        #[test]
        fn print_then_parse_is_identity(e in arb_expr()) {
            let expected = normalize(e);
            let printed = expected.to_string();
            let parsed = parse_condition(&printed);
            prop_assert!(parsed.is_ok(), "{printed:?}: {parsed:?}");
            let parsed = parsed.unwrap_or_else(|_| id(""));
            prop_assert_eq!(shape(&parsed), expected);
            // Ranges of the reparsed tree slice back to the printed leaves.
            let mut ok = true;
            for_each_leaf(&parsed, true, |leaf| {
                if let Some(r) = leaf_range(leaf) {
                    ok &= slice(&printed, r) == leaf.to_string();
                }
                true
            });
            prop_assert!(ok);
        }
    }
}
