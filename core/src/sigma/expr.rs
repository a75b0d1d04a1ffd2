//! A rule's detection as one boolean tree over items, for backends that emit
//! a single expression (KQL). Search identifiers and `of` quantifiers are
//! inlined; the leaves are compiled items, later mapped by a pipeline.

use std::collections::HashMap;

use serde::Serialize;

use crate::sigma::compiled::{CompiledDetection, CompiledSearch, Item};
use crate::sigma::condition::{self, CondExpr, Quantifier};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr<T> {
    And(Vec<Expr<T>>),
    Or(Vec<Expr<T>>),
    Not(Box<Expr<T>>),
    Leaf(T),
    /// `true` for an item a pipeline dropped; `false` for something that can never match.
    Const(bool),
}

/// Deeper trees are cut (as never-matching) rather than recursed into.
pub const MAX_DEPTH: usize = 256;

impl<T> Expr<T> {
    /// Map every leaf, keeping the shape. Leaves may become whole expressions.
    pub fn map_leaves<U>(self, f: &mut dyn FnMut(T) -> Expr<U>) -> Expr<U> {
        self.map_depth(f, 0)
    }

    fn map_depth<U>(self, f: &mut dyn FnMut(T) -> Expr<U>, depth: usize) -> Expr<U> {
        if depth > MAX_DEPTH {
            return Expr::Const(false);
        }
        match self {
            Expr::And(xs) => Expr::And(xs.into_iter().map(|x| x.map_depth(f, depth + 1)).collect()),
            Expr::Or(xs) => Expr::Or(xs.into_iter().map(|x| x.map_depth(f, depth + 1)).collect()),
            Expr::Not(x) => Expr::Not(Box::new(x.map_depth(f, depth + 1))),
            Expr::Leaf(t) => f(t),
            Expr::Const(b) => Expr::Const(b),
        }
    }

    /// Like [`map_leaves`](Self::map_leaves), but the callback also learns the
    /// leaf's polarity: `true` under an even number of `not`s. A backend that
    /// must replace a leaf by a constant needs it to know which constant
    /// narrows the whole expression (`false` at a positive leaf, `true` at a
    /// negative one) and which one would widen it.
    pub fn map_leaves_polar<U>(self, f: &mut dyn FnMut(T, bool) -> Expr<U>) -> Expr<U> {
        self.map_polar_depth(f, true, 0)
    }

    fn map_polar_depth<U>(self, f: &mut dyn FnMut(T, bool) -> Expr<U>, positive: bool, depth: usize) -> Expr<U> {
        if depth > MAX_DEPTH {
            return Expr::Const(false);
        }
        match self {
            Expr::And(xs) => Expr::And(xs.into_iter().map(|x| x.map_polar_depth(f, positive, depth + 1)).collect()),
            Expr::Or(xs) => Expr::Or(xs.into_iter().map(|x| x.map_polar_depth(f, positive, depth + 1)).collect()),
            Expr::Not(x) => Expr::Not(Box::new(x.map_polar_depth(f, !positive, depth + 1))),
            Expr::Leaf(t) => f(t, positive),
            Expr::Const(b) => Expr::Const(b),
        }
    }

    /// Fold constants away: `x and true` is `x`, `x or true` is `true`, `not true` is `false`.
    pub fn simplify(self) -> Expr<T> {
        self.simplify_depth(0)
    }

    fn simplify_depth(self, depth: usize) -> Expr<T> {
        if depth > MAX_DEPTH {
            return Expr::Const(false);
        }
        match self {
            Expr::And(xs) => {
                let mut out = Vec::new();
                for x in xs {
                    match x.simplify_depth(depth + 1) {
                        Expr::Const(true) => {}
                        Expr::Const(false) => return Expr::Const(false),
                        Expr::And(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                match out.len() {
                    0 => Expr::Const(true),
                    1 => out.pop().unwrap_or(Expr::Const(true)),
                    _ => Expr::And(out),
                }
            }
            Expr::Or(xs) => {
                let mut out = Vec::new();
                for x in xs {
                    match x.simplify_depth(depth + 1) {
                        Expr::Const(false) => {}
                        Expr::Const(true) => return Expr::Const(true),
                        Expr::Or(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                match out.len() {
                    0 => Expr::Const(false),
                    1 => out.pop().unwrap_or(Expr::Const(false)),
                    _ => Expr::Or(out),
                }
            }
            Expr::Not(x) => match x.simplify_depth(depth + 1) {
                Expr::Const(b) => Expr::Const(!b),
                Expr::Not(inner) => *inner,
                other => Expr::Not(Box::new(other)),
            },
            other => other,
        }
    }

    /// Visit leaves in order.
    pub fn for_each_leaf<'a>(&'a self, f: &mut dyn FnMut(&'a T)) {
        let mut stack = vec![self];
        let mut ordered = Vec::new();
        while let Some(e) = stack.pop() {
            match e {
                Expr::And(xs) | Expr::Or(xs) => stack.extend(xs.iter().rev()),
                Expr::Not(x) => stack.push(x),
                Expr::Leaf(t) => ordered.push(t),
                Expr::Const(_) => {}
            }
        }
        for t in ordered {
            f(t);
        }
    }
}

/// Upper bound on the value tests of a lowered detection. Inlining copies a
/// search at every reference, so `sel or sel or ...` grows with the product of
/// the references and the search's size (a 230 KB rule can ask for 30 million
/// tests, gigabytes of KQL). The largest SigmaHQ rule needs a few thousand.
pub const MAX_LOWERED_TESTS: usize = 200_000;

/// The detection's tree would exceed [`MAX_LOWERED_TESTS`]; `condition` is
/// the index (in `CompiledDetection::conditions`) of the condition that crossed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    pub condition: usize,
    pub tests: usize,
}

/// The detection as one tree: `condition` (several conditions are ORed, per
/// the spec) with every search identifier inlined as OR-of-ANDs. A tree over
/// the size bound comes back as `Const(false)`; use [`lower_bounded`] to be told.
pub fn lower(det: &CompiledDetection) -> Expr<Item> {
    lower_bounded(det).unwrap_or(Expr::Const(false))
}

/// [`lower`], refusing trees of more than [`MAX_LOWERED_TESTS`] tests before
/// building them.
pub fn lower_bounded(det: &CompiledDetection) -> Result<Expr<Item>, TooLarge> {
    let names = det.names();
    // First search of each name, as `find` would give; a map keeps 100,000 searches linear.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(det.searches.len());
    for (i, s) in det.searches.iter().enumerate() {
        first.entry(s.name.as_str()).or_insert(i);
    }
    let index = Index { first, searches: &det.searches };
    let mut budget = Budget { left: MAX_LOWERED_TESTS, used: 0 };
    let mut conds: Vec<Expr<Item>> = Vec::with_capacity(det.conditions.len());
    for (i, c) in det.conditions.iter().enumerate() {
        let e = lower_cond(c, &index, &names, 0, &mut budget);
        if budget.used > MAX_LOWERED_TESTS {
            return Err(TooLarge { condition: i, tests: budget.used });
        }
        conds.push(e);
    }
    let e = if conds.len() == 1 { conds.pop().unwrap_or(Expr::Const(false)) } else { Expr::Or(conds) };
    Ok(e.simplify())
}

/// Tests a search adds each time it is inlined (an item without tests counts one).
fn search_size(s: &CompiledSearch) -> usize {
    s.alternatives.iter().flatten().map(|item| item.tests.len().max(1)).fold(0usize, usize::saturating_add)
}

struct Budget {
    left: usize,
    /// Counted even past the bound (saturating), for the message.
    used: usize,
}

/// The first search of each name, by its position in `searches` (a `HashMap<&str, usize>`,
/// the map type the matcher has too, rather than one more instance).
struct Index<'a> {
    first: HashMap<&'a str, usize>,
    searches: &'a [CompiledSearch],
}

fn search_expr(index: &Index<'_>, name: &str, budget: &mut Budget) -> Expr<Item> {
    let Some(s) = index.first.get(name).and_then(|&i| index.searches.get(i)) else { return Expr::Const(false) };
    let size = search_size(s);
    budget.used = budget.used.saturating_add(size);
    if size > budget.left {
        budget.left = 0;
        return Expr::Const(false);
    }
    budget.left -= size;
    Expr::Or(s.alternatives.iter().map(|alt| Expr::And(alt.iter().cloned().map(Expr::Leaf).collect())).collect())
}

fn lower_cond(c: &CondExpr, det: &Index<'_>, names: &[String], depth: usize, budget: &mut Budget) -> Expr<Item> {
    if depth > MAX_DEPTH {
        return Expr::Const(false);
    }
    match c {
        CondExpr::And(xs) => Expr::And(xs.iter().map(|x| lower_cond(x, det, names, depth + 1, budget)).collect()),
        CondExpr::Or(xs) => Expr::Or(xs.iter().map(|x| lower_cond(x, det, names, depth + 1, budget)).collect()),
        CondExpr::Not(x) => Expr::Not(Box::new(lower_cond(x, det, names, depth + 1, budget))),
        CondExpr::Ident { name, .. } => search_expr(det, name, budget),
        CondExpr::Of { quantifier, target, .. } => {
            let selected: Vec<Expr<Item>> =
                condition::select_names(target, names).into_iter().map(|n| search_expr(det, n, budget)).collect();
            if selected.is_empty() {
                return Expr::Const(false);
            }
            match quantifier {
                Quantifier::One => Expr::Or(selected),
                Quantifier::All => Expr::And(selected),
            }
        }
    }
}
