//! The parsed query: one tabular source and a list of operators.

use crate::re::Regex;

use super::value::Value;

/// Byte range in the query text, end exclusive.
pub type Pos = (usize, usize);

#[derive(Debug, Clone)]
pub struct Query {
    pub table: String,
    pub table_pos: Pos,
    pub ops: Vec<Op>,
    /// Every column name the query reads, for typing columns that no event has.
    pub referenced: Vec<String>,
    /// The query reads columns it does not name (`* contains`, `column_ifexists`).
    pub reads_any_column: bool,
}

#[derive(Debug, Clone)]
pub enum Op {
    Where(Expr),
    /// `project` (replace the columns) or `extend` (add or replace columns).
    Project(Vec<(String, Expr)>),
    Extend(Vec<(String, Expr)>),
    ProjectAway(Vec<(String, Pos)>),
    Take(usize),
    /// Keys with `desc` and `nulls first` flags.
    Sort(Vec<SortKey>),
    Summarize {
        aggs: Vec<(String, Agg)>,
        by: Vec<(String, Expr)>,
    },
    Distinct(Option<Vec<(String, Expr)>>),
    Count,
    /// `top N by k`: sort, then take N.
    Top(usize, Vec<SortKey>),
}

#[derive(Debug, Clone)]
pub struct SortKey {
    pub expr: Expr,
    pub desc: bool,
    pub nulls_first: bool,
}

#[derive(Debug, Clone)]
pub enum Agg {
    Count,
    CountIf(Expr),
    DCount(Expr),
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: Kind,
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// String operators; `Eq` is `=~` (`==` on strings is [`Kind::Cmp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrOp {
    Eq,
    Contains,
    StartsWith,
    EndsWith,
    Has,
    HasPrefix,
    HasSuffix,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Lit(Value),
    Col(String),
    /// `*` as the left side of a string predicate: any column.
    Star,
    Member(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    Arith(Arith, Box<Expr>, Box<Expr>),
    Str {
        op: StrOp,
        cs: bool,
        neg: bool,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    In {
        ci: bool,
        neg: bool,
        lhs: Box<Expr>,
        list: Vec<Expr>,
    },
    HasAny {
        all: bool,
        lhs: Box<Expr>,
        list: Vec<Expr>,
    },
    Between {
        neg: bool,
        lhs: Box<Expr>,
        lo: Box<Expr>,
        hi: Box<Expr>,
    },
    Regex {
        lhs: Box<Expr>,
        re: Regex,
    },
    /// A function of [`super::functions::FUNCTIONS`], by name.
    Call(&'static str, Vec<Expr>),
}
