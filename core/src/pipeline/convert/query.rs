//! The query side of each conversion: one test of a rule becomes conditions
//! on the target's columns, with a note wherever the result is not exact.

use super::pattern::{
    concat, from_parts, glob_match, lit_count, no_wild, shape, split_first, split_last, starts_with_backslash, Shape,
};
use super::registry::{details, hive_alternatives, reg_path};
use super::{
    and, ascii_upper, dns_code, glob, leaf, lit, or, parse_int, ColumnExpr, ItemNotes, SidColumns, Spelling,
    ValueConversion,
};
use crate::sigma::compiled::Test;
use crate::sigma::expr::Expr;
use crate::sigma::string::{Part, SigmaString};

/// One rule test → conditions on target columns. `None`: the test has no
/// equivalent on the target (a note says so).
pub(crate) fn convert_test(conv: &ValueConversion, test: &Test, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    match *conv {
        ValueConversion::RegPath { pairs, mode, hives } => Some(reg_path(test, pairs, mode, hives, notes)),
        ValueConversion::RegKey { col, hives } => Some(match test {
            Test::Glob { pattern, cased } => {
                or(hive_alternatives(pattern, hives, notes).into_iter().map(|p| leaf(col, glob(p, *cased))).collect())
            }
            other => leaf(col, other.clone()),
        }),
        ValueConversion::Details { data, kind, asim } => Some(details(test, data, kind, asim, notes)),
        ValueConversion::Vocab { col, words } => vocab(test, col, words, notes),
        ValueConversion::UserSplit { domain, name, fallback } => {
            let main = user_split(test, domain, name, notes);
            Some(match fallback {
                None => main,
                Some((fd, fname)) => {
                    or(vec![main, and(vec![leaf(name, lit("-")), user_split(test, fd, fname, notes)])])
                }
            })
        }
        ValueConversion::NamePart { col, .. } => Some(name_part(test, col, notes)),
        ValueConversion::Basename { col } => basename(test, col, notes),
        ValueConversion::Hashes { cols } => hashes(test, cols, notes),
        ValueConversion::HexToNumber { col } => hex_to_number(test, col, notes),
        ValueConversion::NumberToHex { col } => number_to_hex(test, col, notes),
        ValueConversion::PipeName { col } => Some(match test {
            Test::Glob { pattern, cased } if starts_with_backslash(pattern) => {
                notes.lossy("an anchored pipe name is matched as a suffix, since the target records pipes with a device prefix (e.g. \\Device\\NamedPipe\\)");
                leaf(col, glob(pattern.clone().endswith(), *cased))
            }
            other => leaf(col, other.clone()),
        }),
        ValueConversion::ProtocolPrefix { col } => Some(match test {
            Test::Glob { pattern, cased } if !pattern.has_wildcards() => {
                leaf(col, glob(pattern.clone().startswith(), *cased))
            }
            other => leaf(col, other.clone()),
        }),
        ValueConversion::HostFqdn { fqdn, host } => Some(host_fqdn(test, fqdn, host, notes)),
        ValueConversion::DnsStatus { col } => dns_status(test, col, notes),
        ValueConversion::Outcome { col, success, details } => outcome(test, col, success, details, notes),
        ValueConversion::UrlPart { col, part } => {
            notes.lossy(&format!(
                "the {part} is matched against the whole URL ({col}), which can match other parts of it"
            ));
            Some(leaf(col, test.clone()))
        }
        ValueConversion::Where { cond, values, then, otherwise, why } => {
            notes.info("source-mapping", why);
            let is = || or(values.iter().map(|v| leaf(cond, lit(v))).collect());
            Some(or(vec![
                and(vec![is(), leaf(then, test.clone())]),
                and(vec![Expr::Not(Box::new(is())), leaf(otherwise, test.clone())]),
            ]))
        }
        ValueConversion::ProcessPath { cols, why } => Some(process_path(test, cols, why, notes)),
        ValueConversion::AsimDirection => asim_direction(test, notes),
        ValueConversion::Account { base, sid } => {
            let mut named = convert_test(base, test, notes)?;
            if sid == SidColumns::AsimTarget && !emptiness(test) {
                // SecurityEvent 4688 without a separate target: the process runs
                // as its creator, whom that parser writes to ActorUsername only
                // (TargetUsername gets a label, TargetUserId the null SID).
                named = or(vec![
                    named,
                    and(vec![leaf("TargetUserId", lit("S-1-0-0")), leaf("ActorUsername", test.clone())]),
                ]);
            }
            let sids = well_known_sids(test);
            if sids.is_empty() {
                return Some(named);
            }
            notes.info(
                "source-mapping",
                "the Security log names the service accounts by the computer account (HOST$) or a label, not NT AUTHORITY: they are also matched by SID",
            );
            let mut alts = vec![named];
            alts.extend(sids.iter().map(|s| sid.test(s)));
            Some(or(alts))
        }
        ValueConversion::Spellings { col, kind } => Some(spellings(test, col, kind)),
        ValueConversion::Column { col } => Some(leaf(col, test.clone())),
        ValueConversion::XmlData { col } => xml_data(test, col, notes),
        ValueConversion::AuditValue { col } => audit_value(test, col, notes),
        ValueConversion::XmlDataAt { col, index } => xml_data_at(test, col, index, notes),
        ValueConversion::RepeatedName { col, why } => Some(match test {
            Test::Glob { pattern, cased } => match repeated_name(pattern) {
                Some(alt) => {
                    notes.info("source-mapping", why);
                    or(vec![leaf(col, test.clone()), leaf(col, glob(alt, *cased))])
                }
                None => leaf(col, test.clone()),
            },
            other => leaf(col, other.clone()),
        }),
    }
}

/// `*\\dir\\a.dll` → `*\\dir\\a.dll\\a.dll` (`/etc/x` → `/etc/x/x`), for a
/// value that ends in a literal file name after a separator and is anchored
/// at its end.
fn repeated_name(p: &SigmaString) -> Option<SigmaString> {
    let Some(Part::Lit(last)) = p.parts.last() else { return None };
    // A Windows or a Unix path: the parser joins with the path's own separator.
    let at = last.rfind(['\\', '/'])?;
    let name = last.get(at..)?;
    if name.len() < 2 {
        return None;
    }
    let mut parts = p.parts.clone();
    parts.push(Part::Lit(name.to_string()));
    Some(from_parts(parts))
}

impl SidColumns {
    /// The rows whose process runs as the account with SID `sid`.
    fn test(self, sid: &str) -> ColumnExpr {
        match self {
            SidColumns::AsimTarget => or(vec![
                leaf("TargetUserId", lit(sid)),
                and(vec![leaf("ActorUserId", lit(sid)), leaf("TargetUserId", lit("S-1-0-0"))]),
            ]),
            SidColumns::AsimActor => leaf("ActorUserId", lit(sid)),
            SidColumns::SecurityEvent => or(vec![
                leaf("TargetUserSid", lit(sid)),
                and(vec![leaf("TargetUserName", lit("-")), leaf("SubjectUserSid", lit(sid))]),
            ]),
        }
    }
}

/// Names of the well-known service accounts as Sysmon writes them (English,
/// German, French, Spanish, Italian systems), with their SIDs.
const WELL_KNOWN_NAMES: &[(&str, &[&str])] = &[
    ("S-1-5-18", &["SYSTEM", "Système", "SISTEMA"]),
    ("S-1-5-19", &["LOCAL SERVICE", "LOKALER DIENST", "SERVICE LOCAL", "SERVICIO LOCAL"]),
    ("S-1-5-20", &["NETWORK SERVICE", "NETZWERKDIENST", "SERVICE RÉSEAU", "SERVICIO DE RED"]),
];
const NT_AUTHORITY: &[&str] = &["NT AUTHORITY", "NT-AUTORITÄT", "AUTORITE NT", "AUTORIDAD NT", "AUTORITÀ NT"];

/// The SIDs of the well-known accounts a test matches by one of their names.
fn well_known_sids(test: &Test) -> Vec<&'static str> {
    let Test::Glob { pattern, cased } = test else { return Vec::new() };
    WELL_KNOWN_NAMES
        .iter()
        .filter(|(_, names)| {
            names.iter().any(|n| NT_AUTHORITY.iter().any(|d| glob_match(pattern, &format!("{d}\\{n}"), *cased)))
        })
        .map(|(sid, _)| *sid)
        .collect()
}

/// Whether a test holds for an absent or empty value.
fn emptiness(test: &Test) -> bool {
    match test {
        Test::Null | Test::Exists(false) => true,
        Test::Glob { pattern, .. } => pattern.parts.is_empty(),
        _ => false,
    }
}

/// `*\name...` → `name...`: the same test on a column that holds the bare
/// file name. Only when no later literal holds a backslash.
fn bare_name(pattern: &SigmaString) -> Option<SigmaString> {
    let mut parts = pattern.parts.iter();
    if parts.next() != Some(&Part::Star) {
        return None;
    }
    let Some(Part::Lit(first)) = parts.next() else { return None };
    let rest = first.strip_prefix('\\')?;
    if rest.contains('\\') {
        return None;
    }
    let mut out = Vec::new();
    if !rest.is_empty() {
        out.push(Part::Lit(rest.to_string()));
    }
    for p in parts {
        if matches!(p, Part::Lit(t) if t.contains('\\')) {
            return None;
        }
        out.push(p.clone());
    }
    (!out.is_empty()).then(|| from_parts(out))
}

fn process_path(test: &Test, cols: &[&str], why: Option<&str>, notes: &mut ItemNotes<'_>) -> ColumnExpr {
    if emptiness(test) {
        // Each row fills one of the columns: the field is empty when all are.
        return and(cols.iter().map(|c| leaf(c, test.clone())).collect());
    }
    let mut alts: Vec<ColumnExpr> = cols.iter().map(|c| leaf(c, test.clone())).collect();
    if let Test::Glob { pattern, cased } = test {
        match bare_name(pattern) {
            Some(bare) => alts.extend(cols.iter().map(|c| leaf(c, glob(bare.clone(), *cased)))),
            None => {
                if let Some(w) = why {
                    if pattern.parts.iter().any(|p| matches!(p, Part::Lit(t) if t.contains('\\'))) {
                        notes.info("source-mapping", w);
                    }
                }
            }
        }
    }
    or(alts)
}

fn asim_direction(test: &Test, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let outbound = match test {
        Test::Bool(b) => *b,
        Test::Glob { pattern, .. } => match pattern.as_plain()?.to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => return None,
        },
        _ => return None,
    };
    notes.info(
        "source-mapping",
        "Sysmon rows carry no direction (vimNetworkSessionMicrosoftSysmon 0.1.1 sets no NetworkDirection): on them the query uses the process columns instead (the parser puts the process of an initiated connection in Dst*, of an accepted one in Src*)",
    );
    let (word, side) = if outbound { ("Outbound", "DstProcessName") } else { ("Inbound", "SrcProcessName") };
    Some(or(vec![
        leaf("NetworkDirection", lit(word)),
        and(vec![leaf("NetworkDirection", Test::Null), Expr::Not(Box::new(leaf(side, Test::Null)))]),
    ]))
}

fn spellings(test: &Test, col: &str, kind: Spelling) -> ColumnExpr {
    let Test::Glob { pattern, cased } = test else { return leaf(col, test.clone()) };
    let Some(text) = pattern.as_plain() else { return leaf(col, test.clone()) };
    let t = text.trim();
    let alt = match kind {
        Spelling::HexOrDecimal => match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(h) => u64::from_str_radix(h, 16).ok().map(|n| n.to_string()),
            None => t.parse::<u64>().ok().map(|n| format!("0x{n:x}")),
        },
        Spelling::Braces => match t.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            Some(inner) => Some(inner.to_string()),
            None if !t.is_empty() => Some(format!("{{{t}}}")),
            None => None,
        },
    };
    match alt {
        Some(a) => or(vec![leaf(col, test.clone()), leaf(col, glob(SigmaString::literal(&a), *cased))]),
        None => leaf(col, test.clone()),
    }
}

fn vocab(test: &Test, col: &str, words: &[(&str, &[&str])], notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let matches = |f: &dyn Fn(&str) -> bool| -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (src, targets) in words {
            if f(src) {
                for t in *targets {
                    if !out.contains(t) {
                        out.push(t);
                    }
                }
            }
        }
        out
    };
    let targets = match test {
        Test::Glob { pattern, cased } => matches(&|s| glob_match(pattern, s, *cased)),
        Test::Number { value, .. } => matches(&|s| crate::base::float::parse_f64(s).is_some_and(|n| n == *value)),
        Test::Bool(b) => matches(&|s| s.eq_ignore_ascii_case(if *b { "true" } else { "false" })),
        Test::Regex { pattern, i, .. } => {
            let re = crate::re::Regex::with_case(pattern, *i).ok();
            match re {
                Some(re) => matches(&|s| re.is_match(s)),
                None => Vec::new(),
            }
        }
        Test::Exists(_) | Test::Null => return Some(leaf(col, test.clone())),
        _ => {
            notes.error("unmapped-value", &format!("this kind of value cannot be translated to {col}"));
            return None;
        }
    };
    if targets.is_empty() {
        let known: Vec<&str> = words.iter().map(|(s, _)| *s).collect();
        notes.lossy(&format!(
            "'{}' is none of the known values ({}), so it can never match",
            test.describe(),
            known.join(", ")
        ));
        return Some(Expr::Const(false));
    }
    Some(or(targets.into_iter().map(|t| leaf(col, lit(t))).collect()))
}

fn user_split(test: &Test, domain: &str, name: &str, notes: &mut ItemNotes<'_>) -> ColumnExpr {
    let Test::Glob { pattern, cased } = test else {
        if let Test::Regex { .. } = test {
            notes.lossy(&format!("a regular expression on DOMAIN\\user is applied to {name} alone"));
        }
        return leaf(name, test.clone());
    };
    let g = |s: SigmaString| glob(s, *cased);
    let backslashes = lit_count(&pattern.parts, '\\');
    if backslashes >= 1 {
        if backslashes > 1 {
            notes
                .lossy("the value has more than one backslash; it is split at the first one into domain and user name");
        }
        let Some((d, u)) = split_first(pattern, '\\') else { return leaf(name, test.clone()) };
        let mut parts = Vec::new();
        if shape(&d.parts) != Shape::Any {
            parts.push(leaf(domain, g(d)));
        }
        if shape(&u.parts) != Shape::Any {
            parts.push(leaf(name, g(u)));
        }
        return if parts.is_empty() { leaf(name, Test::Exists(true)) } else { and(parts) };
    }
    match shape(&pattern.parts) {
        Shape::Plain => {
            notes.lossy(&format!("a value without DOMAIN\\ is matched against the user name ({name}) alone"));
            leaf(name, test.clone())
        }
        Shape::Suffix => leaf(name, test.clone()),
        // `DOMAIN\user` starts with a backslash-free prefix through its domain,
        // or through the name when there is no domain.
        Shape::Prefix => {
            or(vec![leaf(domain, test.clone()), and(vec![leaf(domain, Test::Null), leaf(name, test.clone())])])
        }
        Shape::Contains | Shape::Any => or(vec![leaf(domain, test.clone()), leaf(name, test.clone())]),
        Shape::Other => {
            notes.lossy("the pattern is matched against the domain and the user name separately");
            or(vec![leaf(domain, test.clone()), leaf(name, test.clone())])
        }
    }
}

/// The rule gives `TargetUserName` (no domain), the column holds `DOMAIN\user`
/// or, when the domain is empty, the bare name.
fn name_part(test: &Test, col: &str, notes: &mut ItemNotes<'_>) -> ColumnExpr {
    let Test::Glob { pattern, cased } = test else {
        if let Test::Regex { .. } = test {
            notes
                .lossy(&format!("a regular expression on the user name is applied to {col}, which holds DOMAIN\\user"));
        }
        return leaf(col, test.clone());
    };
    if lit_count(&pattern.parts, '\\') > 0 || pattern.starts_with_star() {
        return leaf(col, test.clone());
    }
    let with_domain = concat(&from_parts(vec![Part::Star, Part::Lit("\\".to_string())]), &pattern.parts);
    or(vec![leaf(col, test.clone()), leaf(col, glob(with_domain, *cased))])
}

fn basename(test: &Test, col: &str, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let Test::Glob { pattern, cased } = test else {
        return match test {
            Test::Exists(_) | Test::Null => Some(leaf(col, test.clone())),
            _ => {
                notes.error(
                    "unmapped-value",
                    &format!("{col} holds only the file name; this kind of value cannot be translated"),
                );
                None
            }
        };
    };
    match split_last(pattern, '\\') {
        None => {
            if shape(&pattern.parts) == Shape::Plain || !pattern.starts_with_star() {
                notes.lossy(&format!("{col} holds only the file name; the value is matched against it"));
            }
            Some(leaf(col, test.clone()))
        }
        Some((l, r)) => {
            if r.parts.is_empty() {
                notes.lossy(&format!(
                    "{col} holds only the file name, so a folder condition cannot be checked; dropped"
                ));
                return Some(Expr::Const(true));
            }
            let exact = shape(&l.parts) == Shape::Any && !r.parts.iter().any(|p| matches!(p, Part::Star));
            if !exact {
                notes.lossy(&format!("{col} holds only the file name; the folder part of the value is not checked"));
            }
            Some(leaf(col, glob(r, *cased)))
        }
    }
}

fn hash_len(algo: &str) -> usize {
    match algo {
        "MD5" | "IMPHASH" => 32,
        "SHA1" => 40,
        "SHA256" => 64,
        "SHA512" => 128,
        _ => 0,
    }
}

fn hashes(test: &Test, cols: &[(&str, &str)], notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let Test::Glob { pattern, cased } = test else {
        notes.error("unmapped-value", "only ALGO=value strings can be split per hash algorithm");
        return None;
    };
    let parts = &pattern.parts;
    let lead = pattern.starts_with_star();
    let trail = pattern.ends_with_star() && parts.len() > 1;
    let inner = parts.get(usize::from(lead)..parts.len().saturating_sub(usize::from(trail))).unwrap_or(&[]);
    let Some(text) =
        (if no_wild(inner) { from_parts(inner.to_vec()).as_plain() } else { None }).filter(|t| !t.trim().is_empty())
    else {
        notes.error("unmapped-value", "only ALGO=value strings can be split per hash algorithm");
        return None;
    };
    let (algo, value) = match text.split_once(['=', '|']) {
        Some((a, v)) => (ascii_upper(a.trim()), v.trim().to_string()),
        None => {
            let v = text.trim().to_string();
            let algo = match v.len() {
                32 => "MD5",
                40 => "SHA1",
                64 => "SHA256",
                128 => "SHA512",
                _ => "",
            };
            if v.len() == 32 {
                notes.lossy("a 32-digit hash without ALGO= is taken as MD5 (it could be an IMPHASH)");
            }
            (algo.to_string(), v)
        }
    };
    let Some((_, col)) = cols.iter().find(|(a, _)| *a == algo) else {
        notes.lossy(&format!("{} has no column for {algo} hashes; those values are dropped", notes.table));
        return None;
    };
    if !lead {
        notes.lossy("a Hashes value without a leading wildcard is matched as that one hash");
    }
    let full = hash_len(&algo) == value.len();
    let mut p = SigmaString::literal(&value);
    if trail && !full {
        p = p.startswith();
    }
    Some(leaf(col, glob(p, *cased)))
}

fn hex_to_number(test: &Test, col: &str, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    match test {
        Test::Glob { pattern, .. } => match pattern.as_plain().as_deref().and_then(parse_int) {
            Some(n) => Some(leaf(col, Test::Number { value: n as f64, text: n.to_string() })),
            None => {
                notes.error(
                    "unmapped-value",
                    &format!("{col} is a number; only a whole hex or decimal value can be translated"),
                );
                None
            }
        },
        other => Some(leaf(col, other.clone())),
    }
}

fn number_to_hex(test: &Test, col: &str, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let n = match test {
        Test::Number { value, .. } if value.fract() == 0.0 && *value >= 0.0 => Some(*value as i64),
        Test::Glob { pattern, .. } => pattern.as_plain().as_deref().and_then(parse_int),
        Test::Exists(_) | Test::Null => return Some(leaf(col, test.clone())),
        _ => None,
    };
    match n {
        Some(n) => Some(leaf(col, lit(&format!("0x{n:x}")))),
        None => {
            notes.error(
                "unmapped-value",
                &format!("{col} holds the number in hex; only a whole number can be translated"),
            );
            None
        }
    }
}

fn host_fqdn(test: &Test, fqdn: &str, host: &str, notes: &mut ItemNotes<'_>) -> ColumnExpr {
    let Test::Glob { pattern, .. } = test else {
        return or(vec![leaf(fqdn, test.clone()), leaf(host, test.clone())]);
    };
    // A value with a dot can only be a full name. The ASIM schema keeps it in
    // the FQDN column and only the first label in the host name column, but
    // several real parsers put the full name in the host name column too, so
    // both are searched: on conformant data the second test is simply false.
    if lit_count(&pattern.parts, '.') > 0 {
        return or(vec![leaf(fqdn, test.clone()), leaf(host, test.clone())]);
    }
    if !pattern.ends_with_star() {
        notes.lossy(&format!(
            "a name without a dot is also matched against {host}, which holds the first label of a full name"
        ));
    }
    or(vec![leaf(fqdn, test.clone()), leaf(host, test.clone())])
}

/// `Success` is the success code; `Failure` any other code (a failure has
/// many codes, none of which the outcome names).
fn outcome(test: &Test, col: &str, success: &str, details: &str, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let word = match test {
        Test::Glob { pattern, .. } => pattern.as_plain().map(|w| w.trim().to_ascii_lowercase()),
        Test::Exists(_) | Test::Null => return Some(leaf(col, test.clone())),
        _ => None,
    };
    match word.as_deref() {
        Some("success") => Some(leaf(col, lit(success))),
        Some("failure") => Some(Expr::Not(Box::new(leaf(col, lit(success))))),
        _ => match test {
            // A failure's own words (`MFA denied`) are in the details' text.
            Test::Glob { .. } | Test::Regex { .. } if !details.is_empty() => {
                notes.lossy(&format!("a status other than Success or Failure is looked for in the text of {details} (error code, failure reason, details), not in one field"));
                Some(leaf(details, test.clone()))
            }
            _ if details.is_empty() => {
                notes.error(
                    "unmapped-value",
                    &format!("{col} is a result code: only Success or Failure can be told from it"),
                );
                None
            }
            _ => {
                notes.error(
                    "unmapped-value",
                    &format!("only Success, Failure or a text in {details} can be told from {col}"),
                );
                None
            }
        },
    }
}

fn dns_status(test: &Test, col: &str, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let n = match test {
        Test::Number { value, .. } if value.fract() == 0.0 => Some(*value as i64),
        Test::Glob { pattern, .. } => pattern.as_plain().as_deref().and_then(parse_int),
        Test::Exists(_) | Test::Null => return Some(leaf(col, test.clone())),
        _ => None,
    };
    match n {
        Some(n) => {
            let code = dns_code(n);
            Some(leaf(col, Test::Number { value: code as f64, text: code.to_string() }))
        }
        None => {
            notes.error("unmapped-value", &format!("{col} is a number; only a whole status code can be translated"));
            None
        }
    }
}

/// A test on a classic event's unnamed values, against the XML text that
/// keeps each as `<Data>value</Data>`: the value's text escaped as XML, and
/// tied to an element's start or end where the test is anchored there.
fn xml_data(test: &Test, col: &str, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let (pattern, cased) = match test {
        Test::Glob { pattern, cased } => (pattern.clone(), *cased),
        Test::Number { text, .. } => (SigmaString { parts: vec![Part::Lit(text.clone())] }, false),
        Test::Regex { pattern, .. } => {
            if pattern.starts_with('^') || pattern.ends_with('$') || pattern.contains("\\A") || pattern.contains("\\z")
            {
                notes.error(
                    "unmapped-value",
                    &format!("an anchored regular expression cannot be tested against the XML text of {col}, which holds all the values with markup around them"),
                );
                return None;
            }
            notes.lossy(&format!(
                "the regular expression is matched against the XML text of {col}: the values with '&', '<', '>' escaped and `<Data>` markup between them"
            ));
            return Some(leaf(col, test.clone()));
        }
        _ => {
            notes
                .error("unmapped-value", &format!("this kind of value cannot be tested against the XML text of {col}"));
            return None;
        }
    };
    let open_start = !matches!(pattern.parts.first(), Some(Part::Star));
    let open_end = !matches!(pattern.parts.last(), Some(Part::Star));
    let markup =
        format!("{}<Data></Data>{}", crate::kusto::schema::EVENT_DATA_OPEN, crate::kusto::schema::EVENT_DATA_CLOSE)
            .to_ascii_lowercase();
    let mut parts = vec![Part::Star];
    if open_start {
        parts.push(Part::Lit("<Data>".to_string()));
    }
    let mut inner_star = false;
    let last = pattern.parts.len().saturating_sub(1);
    for (k, p) in pattern.parts.into_iter().enumerate() {
        match p {
            Part::Lit(t) => {
                let unanchored = (k != 0 || !open_start) && (k != last || !open_end);
                if unanchored && markup.contains(&t.to_ascii_lowercase()) {
                    notes.lossy(&format!("'{t}' also occurs in the XML markup of {col}, where it matches too"));
                }
                parts.push(Part::Lit(crate::kusto::schema::xml_escape(&t)));
            }
            Part::Star if k != 0 && k != last => {
                inner_star = true;
                parts.push(Part::Star);
            }
            other => parts.push(other),
        }
    }
    if open_end {
        parts.push(Part::Lit("</Data>".to_string()));
    }
    parts.push(Part::Star);
    if inner_star {
        notes.lossy(&format!("a wildcard inside the value can also span two of the event's values in {col}"));
    }
    Some(leaf(col, glob(from_parts(parts), cased)))
}

/// Whether auditd writes a value in hex rather than quoted: it holds a double
/// quote, a space or control byte, or a byte above 0x7e (the kernel's
/// `audit_string_contains_control`, also used by the user-space library).
pub(crate) fn audit_needs_hex(text: &str) -> bool {
    text.bytes().any(|b| b == b'"' || !(0x21..=0x7e).contains(&b))
}

/// A test on an untrusted string of an auditd record, which holds the value
/// either `"quoted"` or in hex: the quoted spelling where the pattern's text
/// can be quoted, and the hex spelling always (a value with a space
/// anywhere is hex), each tested on the value as the record spells it.
fn audit_value(test: &Test, col: &str, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let (pattern, cased) = match test {
        Test::Glob { pattern, cased } => (pattern.clone(), *cased),
        Test::Number { text, .. } => (SigmaString { parts: vec![Part::Lit(text.clone())] }, false),
        Test::Null | Test::Exists(_) => return Some(leaf(col, test.clone())),
        _ => {
            notes.error(
                "unmapped-value",
                &format!(
                    "this kind of value cannot be tested against both spellings auditd writes to {col}, quoted and hex"
                ),
            );
            return None;
        }
    };
    let mut alts = Vec::new();
    let quotable = pattern.parts.iter().all(|p| match p {
        Part::Lit(t) => !audit_needs_hex(t),
        _ => true,
    });
    if quotable {
        let mut parts = vec![Part::Lit("\"".to_string())];
        parts.extend(pattern.parts.iter().cloned());
        parts.push(Part::Lit("\"".to_string()));
        alts.push(leaf(col, glob(from_parts(parts), cased)));
    }
    if pattern.parts.iter().any(|p| matches!(p, Part::Quest)) {
        notes.lossy(&format!(
            "`?` stands for one byte of the hex spelling of {col}: a non-ASCII character there is not matched"
        ));
    }
    alts.push(leaf(col, Test::Regex { pattern: audit_hex_regex(&pattern, cased), i: false, m: false, s: false }));
    Some(or(alts))
}

/// The hex spelling of a pattern as an anchored regex on upper-case hex:
/// each byte of its text two digits (a letter's either case when the test
/// ignores case), `*` any whole number of bytes, `?` one byte.
fn audit_hex_regex(pattern: &SigmaString, cased: bool) -> String {
    const BYTE: &str = "[0-9A-F]{2}";
    let hex = |b: u8| format!("{b:02X}");
    let mut re = String::from("^");
    for p in &pattern.parts {
        match p {
            Part::Lit(t) => {
                for b in t.bytes() {
                    if !cased && b.is_ascii_alphabetic() {
                        re.push_str(&format!("(?:{}|{})", hex(b.to_ascii_uppercase()), hex(b.to_ascii_lowercase())));
                    } else {
                        re.push_str(&hex(b));
                    }
                }
            }
            Part::Star => re.push_str(&format!("(?:{BYTE})*")),
            Part::Quest => re.push_str(BYTE),
            Part::Dash => {
                let alts: Vec<String> = crate::sigma::string::WINDASH_CHARS
                    .iter()
                    .map(|c| c.to_string().bytes().map(hex).collect::<String>())
                    .collect();
                re.push_str(&format!("(?:{})", alts.join("|")));
            }
        }
    }
    re.push('$');
    re
}

/// A test on the `index`-th unnamed value of a classic event, as a regex on
/// the XML text that keeps the values as consecutive `<Data>` elements: the
/// value's text escaped as XML, `*` and `?` standing for element text.
fn xml_data_at(test: &Test, col: &str, index: usize, notes: &mut ItemNotes<'_>) -> Option<ColumnExpr> {
    let (pattern, cased) = match test {
        Test::Glob { pattern, cased } => (pattern.clone(), *cased),
        Test::Number { text, .. } => (SigmaString { parts: vec![Part::Lit(text.clone())] }, false),
        _ => {
            notes.error(
                "unmapped-value",
                &format!("this kind of value cannot be tested against one value of the XML text of {col}"),
            );
            return None;
        }
    };
    let mut value = String::new();
    for p in &pattern.parts {
        match p {
            Part::Lit(t) => value.push_str(&crate::sigma::string::regex_escape(&crate::kusto::schema::xml_escape(t))),
            Part::Star => value.push_str("[^<]*"),
            Part::Quest => value.push_str("[^<]"),
            Part::Dash => value.push_str("[-/\u{2013}\u{2014}\u{2015}]"),
        }
    }
    let before = index.saturating_sub(1);
    let regex = format!("<EventData[^>]*>(?:<Data>[^<]*</Data>|<Data\\s*/>){{{before}}}<Data>{value}</Data>");
    Some(leaf(col, Test::Regex { pattern: regex, i: !cased, m: false, s: false }))
}
