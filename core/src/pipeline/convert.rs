//! Value conversions between a Sigma field's vocabulary and a target's.
//!
//! Each conversion has two directions that must agree: [`convert_test`] turns
//! one test of a rule into conditions on target columns (query side), and
//! [`forward`] turns an event value into target column values (so that the
//! query can be run over mapped events). Wildcards of a Sigma string are
//! kept as wildcards (parts are rewritten, never the text re-parsed), which is
//! where pySigma's registry rewrite loses them.

use serde_json::{Map, Number, Value};

use super::insert_path;
use crate::base::diag::{Diagnostic, Span};
use crate::kusto::schema::{column_type, ColumnType};
use crate::sigma::compiled::Test;
use crate::sigma::expr::Expr;
use crate::sigma::string::{Part, SigmaString, WINDASH_CHARS};

/// One condition on one target column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Leaf {
    pub col: String,
    pub test: Test,
}

pub(crate) type LExpr = Expr<Leaf>;

pub(crate) fn leaf(col: &str, test: Test) -> LExpr {
    Expr::Leaf(Leaf { col: col.to_string(), test })
}

fn glob(pattern: SigmaString, cased: bool) -> Test {
    Test::Glob { pattern, cased }
}

pub(crate) fn lit(text: &str) -> Test {
    Test::Glob { pattern: SigmaString::literal(text), cased: false }
}

fn or(xs: Vec<LExpr>) -> LExpr {
    if xs.len() == 1 {
        xs.into_iter().next().unwrap_or(Expr::Const(false))
    } else {
        Expr::Or(xs)
    }
}

fn and(xs: Vec<LExpr>) -> LExpr {
    if xs.len() == 1 {
        xs.into_iter().next().unwrap_or(Expr::Const(true))
    } else {
        Expr::And(xs)
    }
}

/// How the registry hive names of Sysmon (`HKLM\`, `HKU\`) are spelled by a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hives {
    /// Defender: `HKEY_LOCAL_MACHINE\`, user hives as `HKEY_CURRENT_USER\<SID>\`.
    Xdr,
    /// ASIM: as the Sysmon parser writes them (`HKEY_USERS\`, `HKEY_LOCAL_MACHINE\Classes\`)
    /// or as Defender does, depending on the source.
    Asim,
}

/// Which registry events a logsource holds: Sysmon's `TargetObject` is the key
/// for key events and `key\value name` for value events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegMode {
    Key,
    Value,
    Mixed,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Conv {
    /// Sysmon `TargetObject` → (key column, value-name column) pairs.
    RegPath { pairs: &'static [(&'static str, &'static str)], mode: RegMode, hives: Hives },
    /// A key path (`NewName`): hives rewritten, no value split.
    RegKey { col: &'static str, hives: Hives },
    /// Sysmon `Details` (`DWORD (0x00000001)`) → value data (and type) columns.
    Details { data: &'static str, kind: &'static str, asim: bool },
    /// A finite vocabulary: each source value has target values in `col`.
    Vocab { col: &'static str, table: &'static [(&'static str, &'static [&'static str])] },
    /// `DOMAIN\user` → domain and name columns; `fallback` is used when the
    /// name column holds `-` (event 4688 leaves the target account empty then).
    UserSplit { domain: &'static str, name: &'static str, fallback: Option<(&'static str, &'static str)> },
    /// The rule gives the user name alone, the column holds `DOMAIN\user`.
    NamePart { col: &'static str, domain_field: Option<&'static str> },
    /// A full path → a column holding only the file name.
    Basename { col: &'static str },
    /// Sysmon `Hashes` (`MD5=..,SHA256=..`) → one column per algorithm.
    Hashes { cols: &'static [(&'static str, &'static str)] },
    /// `0x3e7` → 999 in a numeric column.
    HexToNumber { col: &'static str },
    /// 999 → `0x3e7` in a text column.
    NumberToHex { col: &'static str },
    /// Sysmon pipe names are relative (`\srvsvc`); the target's carry a device prefix.
    PipeName { col: &'static str },
    /// `tcp` → `Tcp*` (Defender writes `Tcp`, `TcpV4`, ...).
    ProtocolPrefix { col: &'static str },
    /// A host name that may be an FQDN → ASIM's FQDN and short host name columns.
    HostFqdn { fqdn: &'static str, host: &'static str },
    /// Sysmon DNS status (Win32 error 9003) → DNS response code (3).
    DnsStatus { col: &'static str },
    /// A part of a URL (query, path) matched against the whole URL.
    UrlPart { col: &'static str, part: &'static str },
    /// The field is in `then` on rows whose `cond` column holds one of
    /// `values`, and in `otherwise` on the others: one source writes it to
    /// another column than the rest (`why` says which, for the note).
    Where {
        cond: &'static str,
        values: &'static [&'static str],
        then: &'static str,
        otherwise: &'static str,
        why: &'static str,
    },
    /// A process image that some sources record as a full path and others as
    /// the bare file name, in one of several alternative columns (a row fills
    /// one of them): `endswith \name` also matches the bare name, and
    /// emptiness means every column is empty.
    ProcessPath { cols: &'static [&'static str], why: Option<&'static str> },
    /// Sysmon's `Initiated` on ASIM: `NetworkDirection`, or on rows that have
    /// none (Sysmon's parser sets none) the side that holds the process.
    AsimDirection,
    /// An account: `base` for the name, and for the well-known service
    /// accounts also their SID, since the Security log names SYSTEM by the
    /// computer account (`HOST$`) rather than `NT AUTHORITY\SYSTEM`.
    Account { base: &'static Conv, sid: SidColumns },
    /// A value that sources spell differently: the alternatives are tested too.
    Spellings { col: &'static str, kind: Spelling },
    /// Renamed, as a conversion (the base of [`Conv::Account`]).
    Column { col: &'static str },
    /// A full path that one source's parser writes with the file name twice
    /// (`C:\\dir\\a.dll\\a.dll`): a value ending in a file name also
    /// matches that spelling.
    RepeatedName { col: &'static str, why: &'static str },
}

/// Where a table keeps the SID of the account a process runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SidColumns {
    /// imProcessCreate's target: `TargetUserId`, or the actor's SID when the
    /// 4688 record names no separate target (`TargetUserId` is the null SID).
    AsimTarget,
    /// imProcessCreate's actor: `ActorUserId`.
    AsimActor,
    /// SecurityEvent 4688: `TargetUserSid`, or `SubjectUserSid` when the target is `-`.
    SecurityEvent,
}

/// Spellings that differ between the sources of one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spelling {
    /// A logon id as hex (`0x3e7`: Sysmon, SecurityEvent) or decimal (`999`: Defender, WindowsEvent).
    HexOrDecimal,
    /// A GUID with braces (WindowsEvent) or without (the Event table's parser).
    Braces,
}

impl Conv {
    /// Every target column, for the schema test.
    #[cfg(test)]
    pub fn columns(&self) -> Vec<&'static str> {
        match *self {
            Conv::RegPath { pairs, .. } => pairs.iter().flat_map(|(k, v)| [*k, *v]).collect(),
            Conv::RegKey { col, .. }
            | Conv::Vocab { col, .. }
            | Conv::Basename { col }
            | Conv::HexToNumber { col }
            | Conv::NumberToHex { col }
            | Conv::PipeName { col }
            | Conv::ProtocolPrefix { col }
            | Conv::DnsStatus { col }
            | Conv::UrlPart { col, .. }
            | Conv::NamePart { col, .. } => vec![col],
            Conv::Details { data, kind, .. } => vec![data, kind],
            Conv::UserSplit { domain, name, fallback } => {
                let mut v = vec![domain, name];
                if let Some((d, n)) = fallback {
                    v.push(d);
                    v.push(n);
                }
                v
            }
            Conv::Hashes { cols } => cols.iter().map(|(_, c)| *c).collect(),
            Conv::HostFqdn { fqdn, host } => vec![fqdn, host],
            Conv::Where { cond, then, otherwise, .. } => vec![cond, then, otherwise],
            Conv::ProcessPath { cols, .. } => cols.to_vec(),
            Conv::AsimDirection => vec!["NetworkDirection", "SrcProcessName", "DstProcessName"],
            Conv::Account { base, sid } => {
                let mut v = base.columns();
                v.extend(sid.columns());
                v
            }
            Conv::Spellings { col, .. } | Conv::Column { col } | Conv::RepeatedName { col, .. } => vec![col],
        }
    }
}

impl SidColumns {
    #[cfg(test)]
    fn columns(self) -> Vec<&'static str> {
        match self {
            SidColumns::AsimTarget => vec!["TargetUserId", "ActorUserId"],
            SidColumns::AsimActor => vec!["ActorUserId"],
            SidColumns::SecurityEvent => vec!["TargetUserSid", "TargetUserName", "SubjectUserSid"],
        }
    }
}

/// Context of one item's mapping: where notes go and what they name.
pub(crate) struct Cx<'a> {
    pub notes: &'a mut Vec<Diagnostic>,
    pub span: Span,
    pub field: &'a str,
    pub table: &'a str,
    /// Set when a lossy-mapping warning was given for this item.
    pub lossy: bool,
    /// Set when the item has no translation (an error was given for it).
    pub failed: bool,
}

impl Cx<'_> {
    pub fn lossy(&mut self, what: &str) {
        self.lossy = true;
        let msg = format!("{} on {}: {what}", self.field, self.table);
        if !self.notes.iter().any(|n| n.message == msg && n.span == Some(self.span)) {
            self.notes.push(Diagnostic::warning("lossy-mapping", msg, Some(self.span)));
        }
    }
    pub fn info(&mut self, code: &str, what: &str) {
        let msg = format!("{} on {}: {what}", self.field, self.table);
        if !self.notes.iter().any(|n| n.message == msg && n.span == Some(self.span)) {
            self.notes.push(Diagnostic::info(code, msg, Some(self.span)));
        }
    }
    pub fn error(&mut self, code: &str, what: &str) {
        self.failed = true;
        let msg = format!("{} on {}: {what}", self.field, self.table);
        if !self.notes.iter().any(|n| n.message == msg && n.span == Some(self.span)) {
            self.notes.push(Diagnostic::error(code, msg, Some(self.span)));
        }
    }
}

/// One rule test → conditions on target columns. `None`: the test has no
/// equivalent on the target (a note says so).
pub(crate) fn convert_test(conv: &Conv, test: &Test, cx: &mut Cx<'_>) -> Option<LExpr> {
    match *conv {
        Conv::RegPath { pairs, mode, hives } => Some(reg_path(test, pairs, mode, hives, cx)),
        Conv::RegKey { col, hives } => Some(match test {
            Test::Glob { pattern, cased } => {
                or(hive_alternatives(pattern, hives, cx).into_iter().map(|p| leaf(col, glob(p, *cased))).collect())
            }
            other => leaf(col, other.clone()),
        }),
        Conv::Details { data, kind, asim } => Some(details(test, data, kind, asim, cx)),
        Conv::Vocab { col, table } => vocab(test, col, table, cx),
        Conv::UserSplit { domain, name, fallback } => {
            let main = user_split(test, domain, name, cx);
            Some(match fallback {
                None => main,
                Some((fd, fname)) => or(vec![main, and(vec![leaf(name, lit("-")), user_split(test, fd, fname, cx)])]),
            })
        }
        Conv::NamePart { col, .. } => Some(name_part(test, col, cx)),
        Conv::Basename { col } => basename(test, col, cx),
        Conv::Hashes { cols } => hashes(test, cols, cx),
        Conv::HexToNumber { col } => hex_to_number(test, col, cx),
        Conv::NumberToHex { col } => number_to_hex(test, col, cx),
        Conv::PipeName { col } => Some(match test {
            Test::Glob { pattern, cased } if starts_with_backslash(pattern) => {
                cx.lossy("an anchored pipe name is matched as a suffix, since the target records pipes with a device prefix (e.g. \\Device\\NamedPipe\\)");
                leaf(col, glob(pattern.clone().endswith(), *cased))
            }
            other => leaf(col, other.clone()),
        }),
        Conv::ProtocolPrefix { col } => Some(match test {
            Test::Glob { pattern, cased } if !pattern.has_wildcards() => {
                leaf(col, glob(pattern.clone().startswith(), *cased))
            }
            other => leaf(col, other.clone()),
        }),
        Conv::HostFqdn { fqdn, host } => Some(host_fqdn(test, fqdn, host, cx)),
        Conv::DnsStatus { col } => dns_status(test, col, cx),
        Conv::UrlPart { col, part } => {
            cx.lossy(&format!(
                "the {part} is matched against the whole URL ({col}), which can match other parts of it"
            ));
            Some(leaf(col, test.clone()))
        }
        Conv::Where { cond, values, then, otherwise, why } => {
            cx.info("source-mapping", why);
            let is = || or(values.iter().map(|v| leaf(cond, lit(v))).collect());
            Some(or(vec![
                and(vec![is(), leaf(then, test.clone())]),
                and(vec![Expr::Not(Box::new(is())), leaf(otherwise, test.clone())]),
            ]))
        }
        Conv::ProcessPath { cols, why } => Some(process_path(test, cols, why, cx)),
        Conv::AsimDirection => asim_direction(test, cx),
        Conv::Account { base, sid } => {
            let mut named = convert_test(base, test, cx)?;
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
            cx.info(
                "source-mapping",
                "the Security log names the service accounts by the computer account (HOST$) or a label, not NT AUTHORITY: they are also matched by SID",
            );
            let mut alts = vec![named];
            alts.extend(sids.iter().map(|s| sid.test(s)));
            Some(or(alts))
        }
        Conv::Spellings { col, kind } => Some(spellings(test, col, kind)),
        Conv::Column { col } => Some(leaf(col, test.clone())),
        Conv::RepeatedName { col, why } => Some(match test {
            Test::Glob { pattern, cased } => match repeated_name(pattern) {
                Some(alt) => {
                    cx.info("source-mapping", why);
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
    fn test(self, sid: &str) -> LExpr {
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

fn process_path(test: &Test, cols: &[&str], why: Option<&str>, cx: &mut Cx<'_>) -> LExpr {
    if emptiness(test) {
        // Each row fills one of the columns: the field is empty when all are.
        return and(cols.iter().map(|c| leaf(c, test.clone())).collect());
    }
    let mut alts: Vec<LExpr> = cols.iter().map(|c| leaf(c, test.clone())).collect();
    if let Test::Glob { pattern, cased } = test {
        match bare_name(pattern) {
            Some(bare) => alts.extend(cols.iter().map(|c| leaf(c, glob(bare.clone(), *cased)))),
            None => {
                if let Some(w) = why {
                    if pattern.parts.iter().any(|p| matches!(p, Part::Lit(t) if t.contains('\\'))) {
                        cx.info("source-mapping", w);
                    }
                }
            }
        }
    }
    or(alts)
}

fn asim_direction(test: &Test, cx: &mut Cx<'_>) -> Option<LExpr> {
    let outbound = match test {
        Test::Bool(b) => *b,
        Test::Glob { pattern, .. } => match pattern.as_plain()?.to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => return None,
        },
        _ => return None,
    };
    cx.info(
        "source-mapping",
        "Sysmon rows carry no direction (vimNetworkSessionMicrosoftSysmon 0.1.1 sets no NetworkDirection): on them the query uses the process columns instead (the parser puts the process of an initiated connection in Dst*, of an accepted one in Src*)",
    );
    let (word, side) = if outbound { ("Outbound", "DstProcessName") } else { ("Inbound", "SrcProcessName") };
    Some(or(vec![
        leaf("NetworkDirection", lit(word)),
        and(vec![leaf("NetworkDirection", Test::Null), Expr::Not(Box::new(leaf(side, Test::Null)))]),
    ]))
}

fn spellings(test: &Test, col: &str, kind: Spelling) -> LExpr {
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

// ---------------------------------------------------------------------------
// Pattern shape helpers

fn is_lit(p: &Part) -> bool {
    matches!(p, Part::Lit(_) | Part::Dash)
}

fn no_wild(parts: &[Part]) -> bool {
    parts.iter().all(is_lit)
}

#[derive(Debug, PartialEq, Eq)]
enum Shape {
    /// No wildcard at all.
    Plain,
    /// `X*`
    Prefix,
    /// `*X`
    Suffix,
    /// `*X*`
    Contains,
    /// `*`
    Any,
    Other,
}

fn shape(parts: &[Part]) -> Shape {
    let n = parts.len();
    let star = |i: usize| matches!(parts.get(i), Some(Part::Star));
    if n == 0 || no_wild(parts) {
        return Shape::Plain;
    }
    if n == 1 && star(0) {
        return Shape::Any;
    }
    let inner = |a: usize, b: usize| parts.get(a..b).is_some_and(no_wild);
    if star(0) && star(n - 1) && n >= 3 && inner(1, n - 1) {
        return Shape::Contains;
    }
    if star(0) && inner(1, n) {
        return Shape::Suffix;
    }
    if star(n - 1) && inner(0, n - 1) {
        return Shape::Prefix;
    }
    Shape::Other
}

fn lit_count(parts: &[Part], c: char) -> usize {
    parts.iter().map(|p| if let Part::Lit(t) = p { t.matches(c).count() } else { 0 }).sum()
}

fn starts_with_backslash(p: &SigmaString) -> bool {
    matches!(p.parts.first(), Some(Part::Lit(t)) if t.starts_with('\\'))
}

fn from_parts(parts: Vec<Part>) -> SigmaString {
    let mut s = SigmaString::default();
    for p in parts {
        match p {
            Part::Lit(t) => s.push_str(&t),
            other => s.parts.push(other),
        }
    }
    s
}

/// Split at the last literal occurrence of `sep`: (before, after), both without it.
fn split_last(p: &SigmaString, sep: char) -> Option<(SigmaString, SigmaString)> {
    let (i, pos) = p.parts.iter().enumerate().rev().find_map(|(i, part)| match part {
        Part::Lit(t) => t.rfind(sep).map(|pos| (i, pos)),
        _ => None,
    })?;
    let Some(Part::Lit(t)) = p.parts.get(i) else { return None };
    let mut left: Vec<Part> = p.parts.get(..i).map(<[Part]>::to_vec).unwrap_or_default();
    let mut right: Vec<Part> = Vec::new();
    let (before, after) = (t.get(..pos).unwrap_or(""), t.get(pos + sep.len_utf8()..).unwrap_or(""));
    if !before.is_empty() {
        left.push(Part::Lit(before.to_string()));
    }
    if !after.is_empty() {
        right.push(Part::Lit(after.to_string()));
    }
    right.extend(p.parts.get(i + 1..).map(<[Part]>::to_vec).unwrap_or_default());
    Some((from_parts(left), from_parts(right)))
}

fn split_first(p: &SigmaString, sep: char) -> Option<(SigmaString, SigmaString)> {
    let (i, pos) = p.parts.iter().enumerate().find_map(|(i, part)| match part {
        Part::Lit(t) => t.find(sep).map(|pos| (i, pos)),
        _ => None,
    })?;
    let Some(Part::Lit(t)) = p.parts.get(i) else { return None };
    let mut left: Vec<Part> = p.parts.get(..i).map(<[Part]>::to_vec).unwrap_or_default();
    let mut right: Vec<Part> = Vec::new();
    let (before, after) = (t.get(..pos).unwrap_or(""), t.get(pos + sep.len_utf8()..).unwrap_or(""));
    if !before.is_empty() {
        left.push(Part::Lit(before.to_string()));
    }
    if !after.is_empty() {
        right.push(Part::Lit(after.to_string()));
    }
    right.extend(p.parts.get(i + 1..).map(<[Part]>::to_vec).unwrap_or_default());
    Some((from_parts(left), from_parts(right)))
}

fn concat(a: &SigmaString, b: &[Part]) -> SigmaString {
    let mut parts = a.parts.clone();
    parts.extend(b.iter().cloned());
    from_parts(parts)
}

/// Whole-value glob match (for finite vocabularies).
pub(crate) fn glob_match(p: &SigmaString, text: &str, cased: bool) -> bool {
    #[derive(Clone, Copy)]
    enum T {
        C(char),
        Star,
        Quest,
        Dash,
    }
    let fold = |c: char| if cased { c } else { c.to_lowercase().next().unwrap_or(c) };
    let mut toks = Vec::new();
    for part in &p.parts {
        match part {
            Part::Lit(t) => toks.extend(t.chars().map(|c| T::C(fold(c)))),
            Part::Star => toks.push(T::Star),
            Part::Quest => toks.push(T::Quest),
            Part::Dash => toks.push(T::Dash),
        }
    }
    let chars: Vec<char> = text.chars().map(fold).collect();
    let (mut ti, mut ci) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    while ci < chars.len() {
        let c = chars.get(ci).copied().unwrap_or('\0');
        match toks.get(ti).copied() {
            Some(T::Star) => {
                back = Some((ti, ci));
                ti += 1;
                continue;
            }
            Some(T::Quest) => {
                ti += 1;
                ci += 1;
                continue;
            }
            Some(T::Dash) if WINDASH_CHARS.contains(&c) => {
                ti += 1;
                ci += 1;
                continue;
            }
            Some(T::C(x)) if x == c => {
                ti += 1;
                ci += 1;
                continue;
            }
            _ => {}
        }
        match back {
            Some((bt, bc)) => {
                ti = bt + 1;
                ci = bc + 1;
                back = Some((bt, bc + 1));
            }
            None => return false,
        }
    }
    toks.get(ti..).is_some_and(|rest| rest.iter().all(|t| matches!(t, T::Star)))
}

// ---------------------------------------------------------------------------
// Registry

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
pub(crate) fn hive_alternatives(p: &SigmaString, hives: Hives, cx: &mut Cx<'_>) -> Vec<SigmaString> {
    let mut alts = vec![p.clone()];
    // The hive is the start of the value, or (in `contains` forms such as `*HKU\*`) the
    // start of the first literal after a leading wildcard; the wildcard is kept.
    let lead = usize::from(p.starts_with_star());
    if let Some(Part::Lit(first)) = p.parts.get(lead) {
        let lower = first.to_lowercase();
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
                    cx.lossy(note);
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
        cx.info(
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
                let lower = t.to_lowercase();
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

fn reg_path(test: &Test, pairs: &[(&str, &str)], mode: RegMode, hives: Hives, cx: &mut Cx<'_>) -> LExpr {
    let Test::Glob { pattern, cased } = test else {
        return match test {
            Test::Regex { .. } => {
                cx.lossy("a regular expression is applied to the key column only; the value name is not part of it");
                or(pairs.iter().map(|(k, _)| leaf(k, test.clone())).collect())
            }
            other => or(pairs.iter().map(|(k, _)| leaf(k, other.clone())).collect()),
        };
    };
    let mut per_pair = Vec::new();
    for (k, v) in pairs {
        let mut alts = Vec::new();
        for p in hive_alternatives(pattern, hives, cx) {
            alts.push(match mode {
                RegMode::Key => leaf(k, glob(p, *cased)),
                RegMode::Value => value_path(&p, *cased, k, v, cx),
                RegMode::Mixed => or(vec![
                    and(vec![leaf(v, Test::Exists(false)), leaf(k, glob(p.clone(), *cased))]),
                    and(vec![leaf(v, Test::Exists(true)), value_path(&p, *cased, k, v, cx)]),
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
fn value_path(p: &SigmaString, cased: bool, k: &str, v: &str, cx: &mut Cx<'_>) -> LExpr {
    let g = |s: &SigmaString| glob(s.clone(), cased);
    let Some((l, r)) = split_last(p, '\\') else {
        // No literal backslash: the separator can only be inside a wildcard.
        return match shape(&p.parts) {
            Shape::Plain | Shape::Prefix | Shape::Any => leaf(k, g(p)),
            Shape::Suffix => leaf(v, g(p)),
            Shape::Contains => or(vec![leaf(k, g(p)), leaf(v, g(p))]),
            Shape::Other => {
                cx.lossy(
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
            cx.lossy("the pattern is split at its last backslash into key and value name; matches where a wildcard spans the separator may be missed");
            or(vec![leaf(k, g(p)), and(vec![leaf(k, g(&l)), leaf(v, g(&r))])])
        }
    }
}

fn parse_dword(text: &str) -> Option<u64> {
    let t = text.trim();
    let inner = t.strip_prefix("DWORD (").or_else(|| t.strip_prefix("dword ("))?.strip_suffix(')')?;
    let hex = inner.strip_prefix("0x").or_else(|| inner.strip_prefix("0X")).unwrap_or(inner);
    u64::from_str_radix(hex, 16).ok()
}

fn details(test: &Test, data: &str, kind: &str, asim: bool, cx: &mut Cx<'_>) -> LExpr {
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
                    cx.lossy("a partial DWORD/QWORD pattern matches only sources that keep Sysmon's 'DWORD (0x...)' text; Defender-sourced rows hold the number in decimal");
                } else {
                    cx.lossy("Defender records DWORD/QWORD data as a decimal number, so a partial 'DWORD (0x...)' pattern cannot be translated; it is kept as written and will not match");
                }
            }
            leaf(data, test.clone())
        }
    }
}

fn vocab(test: &Test, col: &str, table: &[(&str, &[&str])], cx: &mut Cx<'_>) -> Option<LExpr> {
    let matches = |f: &dyn Fn(&str) -> bool| -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (src, targets) in table {
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
        Test::Number { value, .. } => matches(&|s| s.parse::<f64>().is_ok_and(|n| n == *value)),
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
            cx.error("unmapped-value", &format!("this kind of value cannot be translated to {col}"));
            return None;
        }
    };
    if targets.is_empty() {
        let known: Vec<&str> = table.iter().map(|(s, _)| *s).collect();
        cx.lossy(&format!(
            "'{}' is none of the known values ({}), so it can never match",
            test.describe(),
            known.join(", ")
        ));
        return Some(Expr::Const(false));
    }
    Some(or(targets.into_iter().map(|t| leaf(col, lit(t))).collect()))
}

fn user_split(test: &Test, domain: &str, name: &str, cx: &mut Cx<'_>) -> LExpr {
    let Test::Glob { pattern, cased } = test else {
        if let Test::Regex { .. } = test {
            cx.lossy(&format!("a regular expression on DOMAIN\\user is applied to {name} alone"));
        }
        return leaf(name, test.clone());
    };
    let g = |s: SigmaString| glob(s, *cased);
    let backslashes = lit_count(&pattern.parts, '\\');
    if backslashes >= 1 {
        if backslashes > 1 {
            cx.lossy("the value has more than one backslash; it is split at the first one into domain and user name");
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
            cx.lossy(&format!("a value without DOMAIN\\ is matched against the user name ({name}) alone"));
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
            cx.lossy("the pattern is matched against the domain and the user name separately");
            or(vec![leaf(domain, test.clone()), leaf(name, test.clone())])
        }
    }
}

/// The rule gives `TargetUserName` (no domain), the column holds `DOMAIN\user`
/// or, when the domain is empty, the bare name.
fn name_part(test: &Test, col: &str, cx: &mut Cx<'_>) -> LExpr {
    let Test::Glob { pattern, cased } = test else {
        if let Test::Regex { .. } = test {
            cx.lossy(&format!("a regular expression on the user name is applied to {col}, which holds DOMAIN\\user"));
        }
        return leaf(col, test.clone());
    };
    if lit_count(&pattern.parts, '\\') > 0 || pattern.starts_with_star() {
        return leaf(col, test.clone());
    }
    let with_domain = concat(&from_parts(vec![Part::Star, Part::Lit("\\".to_string())]), &pattern.parts);
    or(vec![leaf(col, test.clone()), leaf(col, glob(with_domain, *cased))])
}

fn basename(test: &Test, col: &str, cx: &mut Cx<'_>) -> Option<LExpr> {
    let Test::Glob { pattern, cased } = test else {
        return match test {
            Test::Exists(_) | Test::Null => Some(leaf(col, test.clone())),
            _ => {
                cx.error(
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
                cx.lossy(&format!("{col} holds only the file name; the value is matched against it"));
            }
            Some(leaf(col, test.clone()))
        }
        Some((l, r)) => {
            if r.parts.is_empty() {
                cx.lossy(&format!("{col} holds only the file name, so a folder condition cannot be checked; dropped"));
                return Some(Expr::Const(true));
            }
            let exact = shape(&l.parts) == Shape::Any && !r.parts.iter().any(|p| matches!(p, Part::Star));
            if !exact {
                cx.lossy(&format!("{col} holds only the file name; the folder part of the value is not checked"));
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

fn hashes(test: &Test, cols: &[(&str, &str)], cx: &mut Cx<'_>) -> Option<LExpr> {
    let Test::Glob { pattern, cased } = test else {
        cx.error("unmapped-value", "only ALGO=value strings can be split per hash algorithm");
        return None;
    };
    let parts = &pattern.parts;
    let lead = pattern.starts_with_star();
    let trail = pattern.ends_with_star() && parts.len() > 1;
    let inner = parts.get(usize::from(lead)..parts.len().saturating_sub(usize::from(trail))).unwrap_or(&[]);
    let Some(text) =
        (if no_wild(inner) { from_parts(inner.to_vec()).as_plain() } else { None }).filter(|t| !t.trim().is_empty())
    else {
        cx.error("unmapped-value", "only ALGO=value strings can be split per hash algorithm");
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
                cx.lossy("a 32-digit hash without ALGO= is taken as MD5 (it could be an IMPHASH)");
            }
            (algo.to_string(), v)
        }
    };
    let Some((_, col)) = cols.iter().find(|(a, _)| *a == algo) else {
        cx.lossy(&format!("{} has no column for {algo} hashes; those values are dropped", cx.table));
        return None;
    };
    if !lead {
        cx.lossy("a Hashes value without a leading wildcard is matched as that one hash");
    }
    let full = hash_len(&algo) == value.len();
    let mut p = SigmaString::literal(&value);
    if trail && !full {
        p = p.startswith();
    }
    Some(leaf(col, glob(p, *cased)))
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => t.parse::<i64>().ok(),
    }
}

fn hex_to_number(test: &Test, col: &str, cx: &mut Cx<'_>) -> Option<LExpr> {
    match test {
        Test::Glob { pattern, .. } => match pattern.as_plain().as_deref().and_then(parse_int) {
            Some(n) => Some(leaf(col, Test::Number { value: n as f64, text: n.to_string() })),
            None => {
                cx.error(
                    "unmapped-value",
                    &format!("{col} is a number; only a whole hex or decimal value can be translated"),
                );
                None
            }
        },
        other => Some(leaf(col, other.clone())),
    }
}

fn number_to_hex(test: &Test, col: &str, cx: &mut Cx<'_>) -> Option<LExpr> {
    let n = match test {
        Test::Number { value, .. } if value.fract() == 0.0 && *value >= 0.0 => Some(*value as i64),
        Test::Glob { pattern, .. } => pattern.as_plain().as_deref().and_then(parse_int),
        Test::Exists(_) | Test::Null => return Some(leaf(col, test.clone())),
        _ => None,
    };
    match n {
        Some(n) => Some(leaf(col, lit(&format!("0x{n:x}")))),
        None => {
            cx.error(
                "unmapped-value",
                &format!("{col} holds the number in hex; only a whole number can be translated"),
            );
            None
        }
    }
}

fn host_fqdn(test: &Test, fqdn: &str, host: &str, cx: &mut Cx<'_>) -> LExpr {
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
        cx.lossy(&format!(
            "a name without a dot is also matched against {host}, which holds the first label of a full name"
        ));
    }
    or(vec![leaf(fqdn, test.clone()), leaf(host, test.clone())])
}

fn dns_status(test: &Test, col: &str, cx: &mut Cx<'_>) -> Option<LExpr> {
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
            cx.error("unmapped-value", &format!("{col} is a number; only a whole status code can be translated"));
            None
        }
    }
}

fn dns_code(n: i64) -> i64 {
    // Sysmon reports DNS RCODEs as Win32 errors 9001..9099 (DNS_ERROR_RCODE_*).
    if n > 9000 && n < 9100 {
        n - 9000
    } else {
        n
    }
}

// ---------------------------------------------------------------------------
// Forward: event values to target columns

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value as the column's type; values that do not convert are kept as they are.
pub(crate) fn typed(value: Value, ty: ColumnType) -> Value {
    match ty {
        ColumnType::String | ColumnType::Guid | ColumnType::Datetime | ColumnType::Timespan => match &value {
            Value::Number(_) | Value::Bool(_) => Value::String(text_of(&value).unwrap_or_default()),
            _ => value,
        },
        ColumnType::Int | ColumnType::Long => {
            let v = match &value {
                Value::String(s) => parse_int(s).map_or(value.clone(), |n| Value::Number(Number::from(n))),
                Value::Number(n) if n.as_i64().is_none() => n
                    .as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .map_or(value.clone(), |f| Value::Number(Number::from(f as i64))),
                _ => value,
            };
            if ty == ColumnType::Int {
                fit_int32(v)
            } else {
                v
            }
        }
        ColumnType::Real | ColumnType::Decimal => match &value {
            Value::String(s) => {
                s.trim().parse::<f64>().ok().and_then(Number::from_f64).map_or(value.clone(), Value::Number)
            }
            _ => value,
        },
        ColumnType::Bool => match &value {
            Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => value,
        },
        ColumnType::Dynamic | ColumnType::Unknown => value,
    }
}

/// Kusto's `int` is 32 bits. Windows writes status and error codes
/// (`0x80070020`) as unsigned text of a signed 32-bit value, which is what
/// the column holds; anything else out of range cannot be stored (null).
fn fit_int32(v: Value) -> Value {
    let Some(n) = v.as_i64() else { return v };
    if i32::try_from(n).is_ok() {
        return v;
    }
    match u32::try_from(n) {
        Ok(u) => Value::Number(Number::from(u as i32)),
        Err(_) => Value::Null,
    }
}

/// Everything a forward conversion may look at.
pub(crate) struct Fwd<'a> {
    pub table: &'a str,
    pub fields: &'a [(String, Value)],
    pub out: &'a mut Map<String, Value>,
}

impl Fwd<'_> {
    pub fn set(&mut self, col: &str, value: Value) {
        let v = typed(value, column_type(self.table, col));
        insert_path(self.out, col, v);
    }
    fn set_text(&mut self, col: &str, text: &str) {
        self.set(col, Value::String(text.to_string()));
    }
    fn field(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

fn expand_hive(text: &str, hives: Hives) -> String {
    let lower = text.to_lowercase();
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

/// One event field → target columns.
pub(crate) fn forward(conv: &Conv, value: &Value, fwd: &mut Fwd<'_>) {
    let text = text_of(value);
    match *conv {
        Conv::RegPath { pairs, mode, hives } => {
            let Some(t) = text else { return };
            let path = expand_hive(&t, hives);
            let event_type = fwd.field("EventType").and_then(text_of).unwrap_or_default().to_lowercase();
            let value_event = match event_type.as_str() {
                "setvalue" | "deletevalue" => true,
                "createkey" | "deletekey" | "renamekey" => false,
                _ => mode != RegMode::Key,
            };
            // Defender puts deleted and renamed keys in the Previous* columns: use the last pair then.
            let previous = matches!(event_type.as_str(), "deletekey" | "deletevalue" | "renamekey");
            let pair = if previous { pairs.last() } else { pairs.first() };
            let Some((k, v)) = pair else { return };
            match (value_event, path.rsplit_once('\\')) {
                (true, Some((key, name))) => {
                    fwd.set_text(k, key);
                    if !name.is_empty() {
                        fwd.set_text(v, name);
                    }
                }
                _ => fwd.set_text(k, &path),
            }
        }
        Conv::RegKey { col, hives } => {
            if let Some(t) = text {
                fwd.set_text(col, &expand_hive(&t, hives));
            }
        }
        Conv::Details { data, kind, asim } => {
            let Some(t) = text else { return };
            if asim {
                fwd.set_text(data, &t);
            } else if let Some(n) = parse_dword(&t) {
                fwd.set_text(data, &n.to_string());
                fwd.set_text(kind, "Dword");
            } else if t.eq_ignore_ascii_case("Binary Data") {
                fwd.set_text(kind, "Binary");
            } else {
                fwd.set_text(data, &t);
            }
        }
        Conv::Vocab { col, table } => {
            let Some(t) = text else { return };
            let hit = table.iter().find(|(s, _)| {
                s.eq_ignore_ascii_case(&t) || (s.parse::<f64>().ok().is_some_and(|a| t.parse::<f64>().ok() == Some(a)))
            });
            match hit.and_then(|(_, targets)| targets.first()) {
                Some(target) => fwd.set_text(col, target),
                None => fwd.set(col, value.clone()),
            }
        }
        Conv::UserSplit { domain, name, .. } => {
            let Some(t) = text else { return };
            match t.split_once('\\') {
                Some((d, u)) => {
                    fwd.set_text(domain, d);
                    fwd.set_text(name, u);
                }
                None => fwd.set_text(name, &t),
            }
        }
        Conv::NamePart { col, domain_field } => {
            let Some(t) = text else { return };
            let dom = domain_field.and_then(|f| fwd.field(f)).and_then(text_of).filter(|d| !d.is_empty() && d != "-");
            match dom {
                Some(d) => fwd.set_text(col, &format!("{d}\\{t}")),
                None => fwd.set_text(col, &t),
            }
        }
        Conv::Basename { col } => {
            if let Some(t) = text {
                let base = t.rsplit(['\\', '/']).next().unwrap_or(&t).to_string();
                fwd.set_text(col, &base);
            }
        }
        Conv::Hashes { cols } => {
            let Some(t) = text else { return };
            for piece in t.split(',') {
                let Some((algo, v)) = piece.split_once('=') else { continue };
                let algo = ascii_upper(algo.trim());
                if let Some((_, col)) = cols.iter().find(|(a, _)| *a == algo) {
                    fwd.set_text(col, v.trim());
                }
            }
        }
        Conv::HexToNumber { col } => match text.as_deref().and_then(parse_int) {
            Some(n) => fwd.set(col, Value::Number(Number::from(n))),
            None => fwd.set(col, value.clone()),
        },
        Conv::NumberToHex { col } => match text.as_deref().and_then(parse_int) {
            Some(n) => fwd.set_text(col, &format!("0x{n:x}")),
            None => fwd.set(col, value.clone()),
        },
        Conv::PipeName { col } | Conv::ProtocolPrefix { col } | Conv::UrlPart { col, .. } => {
            fwd.set(col, value.clone())
        }
        Conv::HostFqdn { fqdn, host } => {
            let Some(t) = text else { return };
            match t.split_once('.') {
                Some((first, _)) => {
                    fwd.set_text(fqdn, &t);
                    fwd.set_text(host, first);
                }
                None => fwd.set_text(host, &t),
            }
        }
        Conv::DnsStatus { col } => match text.as_deref().and_then(parse_int) {
            Some(n) => fwd.set(col, Value::Number(Number::from(dns_code(n)))),
            None => fwd.set(col, value.clone()),
        },
        // Decided once every other field is set (see `targets::map_event_fields`).
        Conv::Where { .. } => {}
        Conv::ProcessPath { cols, .. } => {
            if let Some(c) = cols.first() {
                fwd.set(c, value.clone());
            }
        }
        Conv::AsimDirection => match text.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("true") => fwd.set_text("NetworkDirection", "Outbound"),
            Some("false") => fwd.set_text("NetworkDirection", "Inbound"),
            _ => {}
        },
        Conv::Account { base, .. } => forward(base, value, fwd),
        Conv::Spellings { col, .. } | Conv::Column { col } | Conv::RepeatedName { col, .. } => {
            fwd.set(col, value.clone())
        }
    }
}

/// `to_uppercase` for comparing with ASCII names (`MD5`, `DWORD`): the
/// characters whose uppercase form is ASCII are mapped as `to_uppercase` maps
/// them, any other non-ASCII character is kept (its uppercase form could not
/// equal or complete an ASCII name either). Spares the WebAssembly the
/// Unicode uppercase table.
fn ascii_upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ı' => out.push('I'),
            'ſ' => out.push('S'),
            'ß' => out.push_str("SS"),
            'ﬀ' => out.push_str("FF"),
            'ﬁ' => out.push_str("FI"),
            'ﬂ' => out.push_str("FL"),
            'ﬃ' => out.push_str("FFI"),
            'ﬄ' => out.push_str("FFL"),
            'ﬅ' | 'ﬆ' => out.push_str("ST"),
            c => out.push(c.to_ascii_uppercase()),
        }
    }
    out
}

#[cfg(test)]
mod ascii_upper_tests {
    use super::ascii_upper;

    #[test]
    fn agrees_with_to_uppercase_on_ascii_results() {
        for s in ["md5", "Sha256", "ımphash", "ſha1", "dword (0x1)", "straße", "ﬁle", "ḋword", "ẘord"] {
            let full = s.to_uppercase();
            let ours = ascii_upper(s);
            assert_eq!(full.is_ascii(), ours.is_ascii(), "{s}");
            if full.is_ascii() {
                assert_eq!(ours, full, "{s}");
            }
            assert_eq!(full.contains("DWORD"), ours.contains("DWORD"), "{s}");
        }
    }
}
