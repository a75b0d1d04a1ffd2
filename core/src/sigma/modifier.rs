//! Value modifiers (`Field|contains|all`) and the rules for chaining them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modifier {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Exists,
    Cased,
    Neq,
    Windash,
    Re,
    /// `re` sub-modifiers.
    I,
    M,
    S,
    Base64,
    Base64Offset,
    Utf16le,
    Utf16be,
    Utf16,
    Wide,
    Cidr,
    Lt,
    Lte,
    Gt,
    Gte,
    FieldRef,
    Expand,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Modifier {
    pub fn parse(name: &str) -> Option<Modifier> {
        use Modifier::*;
        Some(match name {
            "contains" => Contains,
            "startswith" => StartsWith,
            "endswith" => EndsWith,
            "all" => All,
            "exists" => Exists,
            "cased" => Cased,
            "neq" => Neq,
            "windash" => Windash,
            "re" => Re,
            "i" => I,
            "m" => M,
            "s" => S,
            "base64" => Base64,
            "base64offset" => Base64Offset,
            "utf16le" => Utf16le,
            "utf16be" => Utf16be,
            "utf16" => Utf16,
            "wide" => Wide,
            "cidr" => Cidr,
            "lt" => Lt,
            "lte" => Lte,
            "gt" => Gt,
            "gte" => Gte,
            "fieldref" => FieldRef,
            "expand" => Expand,
            "minute" => Minute,
            "hour" => Hour,
            "day" => Day,
            "week" => Week,
            "month" => Month,
            "year" => Year,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use Modifier::*;
        match self {
            Contains => "contains",
            StartsWith => "startswith",
            EndsWith => "endswith",
            All => "all",
            Exists => "exists",
            Cased => "cased",
            Neq => "neq",
            Windash => "windash",
            Re => "re",
            I => "i",
            M => "m",
            S => "s",
            Base64 => "base64",
            Base64Offset => "base64offset",
            Utf16le => "utf16le",
            Utf16be => "utf16be",
            Utf16 => "utf16",
            Wide => "wide",
            Cidr => "cidr",
            Lt => "lt",
            Lte => "lte",
            Gt => "gt",
            Gte => "gte",
            FieldRef => "fieldref",
            Expand => "expand",
            Minute => "minute",
            Hour => "hour",
            Day => "day",
            Week => "week",
            Month => "month",
            Year => "year",
        }
    }

    pub fn is_position(self) -> bool {
        matches!(self, Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith)
    }

    /// Modifiers that re-encode the value text before it is matched.
    pub fn is_encoding(self) -> bool {
        use Modifier::*;
        matches!(self, Windash | Base64 | Base64Offset | Utf16le | Utf16be | Utf16 | Wide)
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, Modifier::Lt | Modifier::Lte | Modifier::Gt | Modifier::Gte)
    }

    pub fn is_time_part(self) -> bool {
        use Modifier::*;
        matches!(self, Minute | Hour | Day | Week | Month | Year)
    }

    pub fn is_regex_flag(self) -> bool {
        matches!(self, Modifier::I | Modifier::M | Modifier::S)
    }
}

pub const ALL_NAMES: &[&str] = &[
    "contains",
    "startswith",
    "endswith",
    "all",
    "exists",
    "cased",
    "neq",
    "windash",
    "re",
    "i",
    "m",
    "s",
    "base64",
    "base64offset",
    "utf16le",
    "utf16be",
    "utf16",
    "wide",
    "cidr",
    "lt",
    "lte",
    "gt",
    "gte",
    "fieldref",
    "expand",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
];

/// A problem with a modifier chain: the index of the offending modifier and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainProblem {
    pub index: usize,
    pub message: String,
    pub is_error: bool,
}

/// Check that a chain of modifiers means something. Order matters: encodings
/// apply to the literal value first, then the position modifier adds wildcards.
pub fn check_chain(chain: &[Modifier]) -> Vec<ChainProblem> {
    use Modifier::*;
    let mut problems = Vec::new();
    let err = |i: usize, m: String| ChainProblem { index: i, message: m, is_error: true };
    let pos_of = |m: Modifier| chain.iter().position(|x| *x == m);
    let has = |m: Modifier| chain.contains(&m);

    for (i, m) in chain.iter().enumerate() {
        if chain[..i].contains(m) {
            problems.push(err(i, format!("modifier '{}' is repeated", m.name())));
        }
    }
    let positions: Vec<usize> = chain.iter().enumerate().filter(|(_, m)| m.is_position()).map(|(i, _)| i).collect();
    if let Some(&second) = positions.get(1) {
        problems.push(err(second, "only one of contains, startswith, endswith can be used".to_string()));
    }
    let kinds = [Re, Cidr, Exists, FieldRef];
    let kind_idx: Vec<usize> = chain.iter().enumerate().filter(|(_, m)| kinds.contains(m)).map(|(i, _)| i).collect();
    if let Some(&second) = kind_idx.get(1) {
        problems.push(err(
            second,
            format!("'{}' cannot be combined with '{}'", chain[second].name(), chain[kind_idx[0]].name()),
        ));
    }
    let comparisons: Vec<usize> = chain.iter().enumerate().filter(|(_, m)| m.is_comparison()).map(|(i, _)| i).collect();
    if let Some(&second) = comparisons.get(1) {
        problems.push(err(second, "only one of lt, lte, gt, gte can be used".to_string()));
    }
    let time_parts: Vec<usize> = chain.iter().enumerate().filter(|(_, m)| m.is_time_part()).map(|(i, _)| i).collect();
    if let Some(&second) = time_parts.get(1) {
        problems.push(err(
            second,
            "only one time-part modifier (minute, hour, day, week, month, year) can be used".to_string(),
        ));
    }

    for (i, m) in chain.iter().enumerate() {
        match m {
            I | M | S if !chain[..i].contains(&Re) => {
                problems.push(err(i, format!("'{}' is a sub-modifier of 're' and must follow it", m.name())))
            }
            Re | Cidr => {
                for (j, other) in chain.iter().enumerate() {
                    if other.is_position()
                        || other.is_encoding()
                        || other.is_comparison()
                        || other.is_time_part()
                        || *other == Expand
                    {
                        problems.push(err(j, format!("'{}' cannot be combined with '{}'", other.name(), m.name())));
                    }
                }
            }
            Exists => {
                for (j, other) in chain.iter().enumerate() {
                    if j != i {
                        problems.push(err(
                            j,
                            format!("'exists' stands alone; '{}' cannot be combined with it", other.name()),
                        ));
                    }
                }
            }
            _ if m.is_encoding() && *m != Windash => {
                // windash commutes with the position wildcards (SigmaHQ writes contains|windash)
                if let Some(p) = positions.first().copied().filter(|p| *p < i) {
                    problems.push(err(
                        i,
                        format!("'{}' must come before '{}': encodings apply to the plain value, then the wildcards are added", m.name(), chain[p].name()),
                    ));
                }
            }
            _ if m.is_comparison() => {
                for (j, other) in chain.iter().enumerate() {
                    if other.is_position() || other.is_encoding() || *other == Cased || *other == FieldRef {
                        problems.push(err(
                            j,
                            format!("'{}' cannot be combined with the numeric comparison '{}'", other.name(), m.name()),
                        ));
                    }
                }
                if let Some(t) = time_parts.first().copied().filter(|t| *t > i) {
                    problems.push(err(t, format!("time part '{}' must come before '{}'", chain[t].name(), m.name())));
                }
            }
            _ if m.is_time_part() => {
                for (j, other) in chain.iter().enumerate() {
                    if other.is_position() || other.is_encoding() || *other == Cased {
                        problems.push(err(
                            j,
                            format!("'{}' cannot be combined with the time part '{}'", other.name(), m.name()),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(b) = pos_of(Base64Offset) {
        if !has(Contains) {
            problems.push(err(
                b,
                "'base64offset' finds a value inside a longer base64 text: use it with 'contains'".to_string(),
            ));
        }
    }
    for (i, m) in chain.iter().enumerate() {
        if matches!(m, Utf16le | Utf16be | Utf16 | Wide)
            && !chain[i + 1..].iter().any(|x| matches!(x, Base64 | Base64Offset))
        {
            problems.push(ChainProblem {
                index: i,
                message: format!(
                    "'{}' produces binary text; it is normally followed by 'base64' or 'base64offset'",
                    m.name()
                ),
                is_error: false,
            });
        }
    }
    crate::base::sort::sort_by_key(&mut problems, |p| p.index);
    problems.dedup();
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use Modifier::*;

    #[test]
    fn names_round_trip() {
        for n in ALL_NAMES {
            assert_eq!(Modifier::parse(n).map(Modifier::name), Some(*n));
        }
    }

    #[test]
    fn good_chains() {
        for chain in [
            vec![Contains, All],
            vec![Wide, Base64Offset, Contains],
            vec![Re, I, M],
            vec![Windash, Contains],
            vec![Hour, Gte],
            vec![EndsWith, FieldRef],
            vec![Cidr],
            vec![Expand, Contains],
            vec![Contains, Cased, All],
        ] {
            let errors: Vec<_> = check_chain(&chain).into_iter().filter(|p| p.is_error).collect();
            assert!(errors.is_empty(), "{chain:?}: {errors:?}");
        }
    }

    #[test]
    fn bad_chains() {
        for chain in [
            vec![Contains, StartsWith],
            vec![Re, Contains],
            vec![I],
            vec![Contains, Base64],
            vec![Base64Offset],
            vec![Exists, All],
            vec![Lt, Contains],
            vec![Gte, Hour],
            vec![Cidr, Re],
            vec![Contains, Contains],
        ] {
            assert!(check_chain(&chain).iter().any(|p| p.is_error), "{chain:?}");
        }
    }
}
