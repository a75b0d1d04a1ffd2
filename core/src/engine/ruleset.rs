//! Many compiled rules evaluated together, with a prefilter.
//!
//! For every rule the matcher derives a necessary condition ("the rule can
//! only match if one of these holds": a field's case-folded value equals a
//! text, reads as a number, contains a literal, or the field is present);
//! rules with none (a `not` or `null` at the top, keywords) are always
//! evaluated. Per event, the conditions are checked through per-field
//! indexes (hash maps of values and numbers, one Aho-Corasick automaton over
//! the literals) and only the candidate rules are evaluated. The verdicts are
//! exactly those of calling [`Matcher::is_match`] on every rule.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::Value;

use crate::engine::matcher::{num_key, value_number, Atom, FastMap, MatchOptions, Matcher, PreparedEvent};
use crate::event::Event;
use crate::sigma::rule::Rule;

/// The prefilter of one rule field.
#[derive(Default)]
struct FieldIndex {
    /// Rules that need the field present.
    present: Vec<usize>,
    /// Case-folded text → rules.
    text: FastMap<Box<str>, Vec<usize>>,
    /// Number key → rules.
    num: FastMap<u64, Vec<usize>>,
    /// Literal needles (folded) and the rules of each, while building.
    needles: Vec<(String, Vec<usize>)>,
    needle_ids: FastMap<String, usize>,
    /// The needles as one automaton, once built.
    ac: Option<AhoCorasick>,
}

impl FieldIndex {
    fn add(&mut self, atom: &Atom, rule: usize) {
        match atom {
            Atom::Present(_) => self.present.push(rule),
            Atom::Text(_, t) => self.text.entry(t.as_str().into()).or_default().push(rule),
            Atom::Num(_, k) => self.num.entry(*k).or_default().push(rule),
            Atom::Sub(_, s) | Atom::Keyword(s) => {
                let next = self.needles.len();
                let id = *self.needle_ids.entry(s.clone()).or_insert(next);
                if id == next {
                    self.needles.push((s.clone(), Vec::new()));
                }
                if let Some((_, rules)) = self.needles.get_mut(id) {
                    rules.push(rule);
                }
            }
        }
    }

    /// Build the automaton; false when it cannot be built (the caller then
    /// evaluates the needles' rules always).
    fn finish(&mut self) -> bool {
        self.needle_ids = FastMap::default();
        if self.needles.is_empty() {
            return true;
        }
        let built = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(self.needles.iter().map(|(s, _)| s.as_bytes()))
            .ok()
            .filter(|ac| ac.try_find_overlapping_iter("").is_ok());
        self.ac = built;
        self.ac.is_some()
    }

    /// Push the rules whose atoms on this field hold for `values` (the
    /// field's values; empty when absent).
    fn collect(&self, values: &[&Value], ev: &PreparedEvent<'_>, out: &mut Vec<usize>) {
        if values.is_empty() {
            return;
        }
        out.extend_from_slice(&self.present);
        if self.text.is_empty() && self.num.is_empty() && self.ac.is_none() {
            return;
        }
        for v in values {
            match v {
                Value::Array(items) => items.iter().for_each(|x| self.scalar(x, ev, out)),
                x => self.scalar(x, ev, out),
            }
        }
    }

    fn scalar(&self, v: &Value, ev: &PreparedEvent<'_>, out: &mut Vec<usize>) {
        if !self.num.is_empty() {
            if let Some(rules) = value_number(v).and_then(|n| self.num.get(&num_key(n))) {
                out.extend_from_slice(rules);
            }
        }
        if self.text.is_empty() && self.ac.is_none() {
            return;
        }
        ev.with_text(v, false, |text| {
            if let Some(rules) = self.text.get(text) {
                out.extend_from_slice(rules);
            }
            if let Some(ac) = &self.ac {
                if let Ok(it) = ac.try_find_overlapping_iter(text) {
                    for m in it {
                        if let Some((_, rules)) = self.needles.get(m.pattern().as_usize()) {
                            out.extend_from_slice(rules);
                        }
                    }
                }
            }
        });
    }
}

/// Compiled rules evaluated together; see the module docs.
pub struct RuleSet {
    matchers: Vec<Matcher>,
    /// Rules without a derived condition: evaluated on every event.
    always: Vec<usize>,
    /// Indexes of non-dotted rule fields, found through the event's names.
    fields: FastMap<String, FieldIndex>,
    /// Indexes of dotted rule fields, looked up on every event.
    dotted: Vec<(String, FieldIndex)>,
    /// Keyword literals, searched in every leaf text of the event.
    keywords: FieldIndex,
}

impl RuleSet {
    /// Index compiled rules. Rule `i` of the set is `matchers[i]`.
    pub fn new(matchers: Vec<Matcher>) -> RuleSet {
        let mut always = Vec::new();
        let mut fields: FastMap<String, FieldIndex> = FastMap::default();
        let mut dotted: FastMap<String, FieldIndex> = FastMap::default();
        let mut keywords = FieldIndex::default();
        for (id, m) in matchers.iter().enumerate() {
            let Some(atoms) = m.necessary() else {
                always.push(id);
                continue;
            };
            for atom in &atoms {
                match atom.field() {
                    None => keywords.add(atom, id),
                    Some(f) => {
                        let map = if f.contains('.') { &mut dotted } else { &mut fields };
                        map.entry(f.to_string()).or_default().add(atom, id);
                    }
                }
            }
        }
        for fi in fields.values_mut().chain(dotted.values_mut()).chain(std::iter::once(&mut keywords)) {
            if !fi.finish() {
                for (_, rules) in fi.needles.drain(..) {
                    always.extend(rules);
                }
            }
        }
        crate::base::sort::sort_dedup_usize(&mut always);
        let mut dotted: Vec<(String, FieldIndex)> = dotted.into_iter().collect();
        crate::base::sort::sort_by(&mut dotted, &|a, b| a.0.cmp(&b.0));
        RuleSet { matchers, always, fields, dotted, keywords }
    }

    /// Compile and index rules (diagnostics stay on each matcher).
    pub fn from_rules<'r>(rules: impl IntoIterator<Item = &'r Rule>, options: &MatchOptions) -> RuleSet {
        RuleSet::new(rules.into_iter().map(|r| Matcher::new(r, options)).collect())
    }

    pub fn len(&self) -> usize {
        self.matchers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    pub fn matchers(&self) -> &[Matcher] {
        &self.matchers
    }

    /// Indices (ascending) of the rules that match the event.
    pub fn matching(&self, event: &Event) -> Vec<usize> {
        self.matching_prepared(&PreparedEvent::new(event))
    }

    /// As [`RuleSet::matching`], on an event already prepared.
    pub fn matching_prepared(&self, ev: &PreparedEvent<'_>) -> Vec<usize> {
        self.candidates(ev).into_iter().filter(|&i| self.matchers.get(i).is_some_and(|m| m.is_match(ev))).collect()
    }

    /// The rules worth evaluating on the event (ascending, unique).
    fn candidates(&self, ev: &PreparedEvent<'_>) -> Vec<usize> {
        let mut out = self.always.clone();
        ev.event.for_each_direct(|name, v| {
            if let Some(fi) = self.fields.get(name) {
                fi.collect(&[v], ev, &mut out);
            }
        });
        for (name, fi) in &self.dotted {
            let values = ev.event.get_all(name);
            fi.collect(&values, ev, &mut out);
        }
        if let Some(ac) = &self.keywords.ac {
            ev.with_keyword_texts(|_, lower| {
                for text in lower {
                    let Ok(it) = ac.try_find_overlapping_iter(text.as_ref()) else { continue };
                    for m in it {
                        if let Some((_, rules)) = self.keywords.needles.get(m.pattern().as_usize()) {
                            out.extend_from_slice(rules);
                        }
                    }
                }
            });
        }
        crate::base::sort::sort_dedup_usize(&mut out);
        out
    }
}

#[cfg(test)]
mod tests;
