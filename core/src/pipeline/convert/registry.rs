//! Sysmon's registry values on a target, both directions: hive names as each
//! target spells them, `CurrentControlSet` as the numbered set, `key\value
//! name` split into key and value-name columns, and `Details` text as typed
//! value data.

use super::pattern::{concat, from_parts, no_wild, shape, split_last, Shape};
use super::{and, ascii_upper, glob, leaf, lit, or, ColumnExpr, Hives, ItemNotes, RegMode};
use crate::sigma::compiled::Test;
use crate::sigma::string::{Part, SigmaString};

/// Hive prefix alternatives, as Sigma parts. Sysmon never writes `HKCU\` or
/// `HKCR\`, but rules do; those get a note.
fn hive_rules(hives: Hives) -> &'static [(&'static str, &'static [&'static str], Option<&'static str>)] {
    const LOSSY_HKCR: &str =
        "HKCR\\ is matched as the machine-wide classes key; per-user classes (HKU\\<SID>_Classes) are not covered";
    const LOSSY_HKCU: &str = "HKCU\\ is matched as HKEY_CURRENT_USER\\*\\ (any user SID)";
    match hives {
        Hives::Xdr => &[
            ("hklm\\", &["HKEY_LOCAL_MACHINE\\"], None),
            ("hku\\", &["HKEY_CURRENT_USER\\", "HKEY_USERS\\"], None),
            ("hkcr\\", &["HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\", "HKEY_CLASSES_ROOT\\"], Some(LOSSY_HKCR)),
            ("hkcu\\", &["HKEY_CURRENT_USER\\*\\"], Some(LOSSY_HKCU)),
        ],
        Hives::Asim => &[
            ("hklm\\", &["HKEY_LOCAL_MACHINE\\"], None),
            ("hku\\", &["HKEY_USERS\\", "HKEY_CURRENT_USER\\"], None),
            (
                "hkcr\\",
                &["HKEY_LOCAL_MACHINE\\Classes\\", "HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\", "HKEY_CLASSES_ROOT\\"],
                Some(LOSSY_HKCR),
            ),
            ("hkcu\\", &["HKEY_CURRENT_USER\\*\\", "HKEY_USERS\\*\\"], Some(LOSSY_HKCU)),
        ],
    }
}

/// `*` in a replacement is a wildcard; hive names hold no literal star.
fn replacement_parts(text: &str) -> Vec<Part> {
    let mut out = Vec::new();
    for (i, piece) in text.split('*').enumerate() {
        if i > 0 {
            out.push(Part::Star);
        }
        if !piece.is_empty() {
            out.push(Part::Lit(piece.to_string()));
        }
    }
    out
}

/// The pattern with the hive prefix spelled as the target spells it, plus a
/// variant for `CurrentControlSet` (Defender records the numbered set).
pub(super) fn hive_alternatives(p: &SigmaString, hives: Hives, notes: &mut ItemNotes<'_>) -> Vec<SigmaString> {
    let mut alts = vec![p.clone()];
    // The hive is the start of the value, or (in `contains` forms such as `*HKU\*`) the
    // start of the first literal after a leading wildcard; the wildcard is kept.
    let lead = usize::from(p.starts_with_star());
    if let Some(Part::Lit(first)) = p.parts.get(lead) {
        let lower = crate::base::case::to_lowercase(first);
        for (prefix, replacements, note) in hive_rules(hives) {
            if lower.starts_with(prefix) && lower.len() == first.len() {
                let rest = first.get(prefix.len()..).unwrap_or("");
                alts = replacements
                    .iter()
                    .map(|r| {
                        let mut parts: Vec<Part> = p.parts.iter().take(lead).cloned().collect();
                        parts.extend(replacement_parts(r));
                        if !rest.is_empty() {
                            parts.push(Part::Lit(rest.to_string()));
                        }
                        parts.extend(p.parts.iter().skip(lead + 1).cloned());
                        from_parts(parts)
                    })
                    .collect();
                if let Some(note) = note {
                    notes.lossy(note);
                }
                break;
            }
        }
    }
    let mut with_sets = Vec::new();
    for a in &alts {
        if let Some(numbered) = replace_control_set(a) {
            with_sets.push(numbered);
        }
    }
    if !with_sets.is_empty() {
        notes.info(
            "value-mapping",
            "CurrentControlSet is also matched as ControlSet00? (the numbered control set that Defender records)",
        );
        alts.extend(with_sets);
    }
    alts
}

fn replace_control_set(p: &SigmaString) -> Option<SigmaString> {
    const NEEDLE: &str = "currentcontrolset";
    let mut changed = false;
    let mut parts = Vec::new();
    for part in &p.parts {
        match part {
            Part::Lit(t) => {
                let lower = crate::base::case::to_lowercase(t);
                // Lowercasing can change byte lengths outside ASCII; only rewrite when it does not.
                if lower.len() != t.len() || !lower.contains(NEEDLE) {
                    parts.push(part.clone());
                    continue;
                }
                let mut start = 0;
                while let Some(off) = lower.get(start..).and_then(|s| s.find(NEEDLE)) {
                    let at = start + off;
                    if let Some(before) = t.get(start..at) {
                        if !before.is_empty() {
                            parts.push(Part::Lit(before.to_string()));
                        }
                    }
                    parts.push(Part::Lit("ControlSet00".to_string()));
                    parts.push(Part::Quest);
                    start = at + NEEDLE.len();
                    changed = true;
                }
                if let Some(rest) = t.get(start..) {
                    if !rest.is_empty() {
                        parts.push(Part::Lit(rest.to_string()));
                    }
                }
            }
            other => parts.push(other.clone()),
        }
    }
    changed.then(|| from_parts(parts))
}

pub(super) fn reg_path(
    test: &Test,
    pairs: &[(&str, &str)],
    mode: RegMode,
    hives: Hives,
    notes: &mut ItemNotes<'_>,
) -> ColumnExpr {
    let Test::Glob { pattern, cased } = test else {
        return match test {
            Test::Regex { .. } => {
                notes.lossy("a regular expression is applied to the key column only; the value name is not part of it");
                or(pairs.iter().map(|(k, _)| leaf(k, test.clone())).collect())
            }
            other => or(pairs.iter().map(|(k, _)| leaf(k, other.clone())).collect()),
        };
    };
    let mut per_pair = Vec::new();
    for (k, v) in pairs {
        let mut alts = Vec::new();
        for p in hive_alternatives(pattern, hives, notes) {
            alts.push(match mode {
                RegMode::Key => leaf(k, glob(p, *cased)),
                RegMode::Value => value_path(&p, *cased, k, v, notes),
                RegMode::Mixed => or(vec![
                    and(vec![leaf(v, Test::Exists(false)), leaf(k, glob(p.clone(), *cased))]),
                    and(vec![leaf(v, Test::Exists(true)), value_path(&p, *cased, k, v, notes)]),
                ]),
            });
        }
        per_pair.push(or(alts));
    }
    or(per_pair)
}

/// Conditions on (key column `k`, value-name column `v`) equivalent to the
/// pattern on Sysmon's `key\value name`, assuming (as Windows does for almost
/// every value) that value names hold no backslash. Shapes that cannot be
/// split exactly are approximated with a note.
fn value_path(p: &SigmaString, cased: bool, k: &str, v: &str, notes: &mut ItemNotes<'_>) -> ColumnExpr {
    let g = |s: &SigmaString| glob(s.clone(), cased);
    let Some((l, r)) = split_last(p, '\\') else {
        // No literal backslash: the separator can only be inside a wildcard.
        return match shape(&p.parts) {
            Shape::Plain | Shape::Prefix | Shape::Any => leaf(k, g(p)),
            Shape::Suffix => leaf(v, g(p)),
            Shape::Contains => or(vec![leaf(k, g(p)), leaf(v, g(p))]),
            Shape::Other => {
                notes.lossy(
                    "the pattern is matched against the key and the value name separately, not against key\\value name",
                );
                or(vec![leaf(k, g(p)), leaf(v, g(p))])
            }
        };
    };
    let key_then_any = concat(&l, &[Part::Lit("\\".to_string()), Part::Star]);
    match shape(&r.parts) {
        Shape::Plain if r.parts.is_empty() => leaf(k, g(p)),
        // The last backslash is the separator. Sysmon names the default value `(Default)`;
        // a source may leave the value name empty for it instead.
        Shape::Plain if r.as_plain().is_some_and(|t| t.eq_ignore_ascii_case("(Default)")) => {
            and(vec![leaf(k, g(&l)), or(vec![leaf(v, g(&r)), leaf(v, Test::Exists(false))])])
        }
        Shape::Plain => and(vec![leaf(k, g(&l)), leaf(v, g(&r))]),
        Shape::Any => or(vec![leaf(k, g(p)), leaf(k, g(&l))]),
        Shape::Prefix => or(vec![leaf(k, g(p)), and(vec![leaf(k, g(&l)), leaf(v, g(&r))])]),
        Shape::Suffix => and(vec![leaf(v, g(&r)), or(vec![leaf(k, g(&l)), leaf(k, g(&key_then_any))])]),
        Shape::Contains => {
            or(vec![leaf(k, g(p)), and(vec![leaf(v, g(&r)), or(vec![leaf(k, g(&l)), leaf(k, g(&key_then_any))])])])
        }
        Shape::Other => {
            notes.lossy("the pattern is split at its last backslash into key and value name; matches where a wildcard spans the separator may be missed");
            or(vec![leaf(k, g(p)), and(vec![leaf(k, g(&l)), leaf(v, g(&r))])])
        }
    }
}

pub(super) fn parse_dword(text: &str) -> Option<u64> {
    let t = text.trim();
    let inner = t.strip_prefix("DWORD (").or_else(|| t.strip_prefix("dword ("))?.strip_suffix(')')?;
    let hex = inner.strip_prefix("0x").or_else(|| inner.strip_prefix("0X")).unwrap_or(inner);
    u64::from_str_radix(hex, 16).ok()
}

pub(super) fn details(test: &Test, data: &str, kind: &str, asim: bool, notes: &mut ItemNotes<'_>) -> ColumnExpr {
    let Test::Glob { pattern, cased } = test else { return leaf(data, test.clone()) };
    // `DWORD (0x1)` is the whole Details text of a DWORD value, so contains/startswith/endswith
    // forms of the complete text mean the same as equality.
    let core: Vec<Part> = pattern.parts.iter().filter(|p| !matches!(p, Part::Star)).cloned().collect();
    let core_text = from_parts(core.clone()).as_plain();
    let (dword_kind, binary_kind) = if asim { ("Reg_DWord", "Reg_Binary") } else { ("Dword", "Binary") };
    let converted = match core_text.as_deref() {
        Some(t) if no_wild(&core) => match parse_dword(t) {
            Some(n) => Some(and(vec![leaf(kind, lit(dword_kind)), leaf(data, lit(&n.to_string()))])),
            None if t.eq_ignore_ascii_case("Binary Data") => Some(leaf(kind, lit(binary_kind))),
            None => None,
        },
        _ => None,
    };
    match converted {
        Some(c) if asim => or(vec![leaf(data, glob(pattern.clone(), *cased)), c]),
        Some(c) => c,
        None => {
            let upper = ascii_upper(&pattern.to_sigma());
            if upper.contains("DWORD") || upper.contains("QWORD") {
                if asim {
                    notes.lossy("a partial DWORD/QWORD pattern matches only sources that keep Sysmon's 'DWORD (0x...)' text; Defender-sourced rows hold the number in decimal");
                } else {
                    notes.lossy("Defender records DWORD/QWORD data as a decimal number, so a partial 'DWORD (0x...)' pattern cannot be translated; it is kept as written and will not match");
                }
            }
            leaf(data, test.clone())
        }
    }
}

pub(super) fn expand_hive(text: &str, hives: Hives) -> String {
    let lower = crate::base::case::to_lowercase(text);
    let table: &[(&str, &str)] = match hives {
        Hives::Xdr => {
            &[("hklm\\", "HKEY_LOCAL_MACHINE\\"), ("hku\\", "HKEY_CURRENT_USER\\"), ("hkcr\\", "HKEY_CLASSES_ROOT\\")]
        }
        Hives::Asim => {
            &[("hklm\\", "HKEY_LOCAL_MACHINE\\"), ("hku\\", "HKEY_USERS\\"), ("hkcr\\", "HKEY_CLASSES_ROOT\\")]
        }
    };
    for (prefix, full) in table {
        if lower.starts_with(prefix) {
            return format!("{full}{}", text.get(prefix.len()..).unwrap_or(""));
        }
    }
    text.to_string()
}
