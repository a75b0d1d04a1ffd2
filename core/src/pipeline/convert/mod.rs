//! Value conversions between a Sigma field's vocabulary and a target's: the
//! kinds of conversion ([`ValueConversion`]) that a target's field list names,
//! and the pieces both directions share.
//!
//! Each conversion has two directions that must agree: [`convert_test`]
//! (`query.rs`) turns one test of a rule into conditions on target columns,
//! and [`forward`] (`row.rs`) turns an event value into target column values,
//! so that the query can be run over mapped events. `registry.rs` holds the
//! registry paths and values of both directions, `pattern.rs` the shape of a
//! Sigma string. Wildcards of a Sigma string are kept as wildcards (parts are
//! rewritten, never the text re-parsed), which is where pySigma's registry
//! rewrite loses them.

mod pattern;
mod query;
mod registry;
mod row;

use crate::base::diag::{Diagnostic, Span};
use crate::sigma::compiled::Test;
use crate::sigma::expr::Expr;
use crate::sigma::string::SigmaString;

#[cfg(test)]
pub(crate) use pattern::glob_match;
pub(crate) use query::{audit_needs_hex, convert_test};
pub(crate) use row::{forward, read_back, typed, TargetRow};

/// One condition on one target column: what a conversion produces before the
/// conditions on one column are gathered back into detection items.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColumnTest {
    pub col: String,
    pub test: Test,
}

/// The conditions on target columns that one rule test becomes.
pub(crate) type ColumnExpr = Expr<ColumnTest>;

/// A value vocabulary: each source value (as a rule or an event writes it)
/// with the values a target writes for it.
pub(crate) type Vocabulary = &'static [(&'static str, &'static [&'static str])];

/// A tree of one condition on one column.
fn leaf(col: &str, test: Test) -> ColumnExpr {
    Expr::Leaf(ColumnTest { col: col.to_string(), test })
}

fn glob(pattern: SigmaString, cased: bool) -> Test {
    Test::Glob { pattern, cased }
}

/// A target's own word, matched as KQL's `=~` would.
pub(crate) fn lit(text: &str) -> Test {
    Test::Glob { pattern: SigmaString::literal(text), cased: false }
}

/// Alternatives, without an `Or` around a single one.
fn or(xs: Vec<ColumnExpr>) -> ColumnExpr {
    if xs.len() == 1 {
        xs.into_iter().next().unwrap_or(Expr::Const(false))
    } else {
        Expr::Or(xs)
    }
}

/// Conjuncts, without an `And` around a single one.
fn and(xs: Vec<ColumnExpr>) -> ColumnExpr {
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

/// How a Sigma field's values become a target's when a rename is not enough
/// (a target's field list names one per field); both directions of each are
/// in `query.rs` and `row.rs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ValueConversion {
    /// Sysmon `TargetObject` → (key column, value-name column) pairs.
    RegPath { pairs: &'static [(&'static str, &'static str)], mode: RegMode, hives: Hives },
    /// A key path (`NewName`): hives rewritten, no value split.
    RegKey { col: &'static str, hives: Hives },
    /// Sysmon `Details` (`DWORD (0x00000001)`) → value data (and type) columns.
    Details { data: &'static str, kind: &'static str, asim: bool },
    /// A finite vocabulary: each source value has target values in `col`.
    Vocab { col: &'static str, words: Vocabulary },
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
    /// A Success/Failure outcome → a result-code column where `success` is
    /// the one success code and every other code is a failure (SigninLogs'
    /// ResultType, `0`); another value is looked for in the text of `details`
    /// (SigninLogs' Status object: error code, failure reason, details), or
    /// refused when `details` is empty (the table keeps the code alone).
    Outcome { col: &'static str, success: &'static str, details: &'static str },
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
    Account { base: &'static ValueConversion, sid: SidColumns },
    /// A value that sources spell differently: the alternatives are tested too.
    Spellings { col: &'static str, kind: Spelling },
    /// The unnamed values of a classic Windows event (Sigma's `Data`), read
    /// in the XML text of the `Event` table's `EventData`, which keeps each as
    /// a `<Data>` element with `&`, `<`, `>` escaped.
    XmlData { col: &'static str },
    /// The `index`-th (from 1) unnamed value of a classic Windows event, in
    /// the XML text of the `Event` table's `EventData` (`<Data>` elements in
    /// the order the writer passed them).
    XmlDataAt { col: &'static str, index: usize },
    /// An untrusted string of an auditd record (`a0`, `exe`, `name`, ...):
    /// the record writes it `"quoted"`, or as upper-case hex of its bytes
    /// when it holds a double quote, a space, a control or a non-ASCII byte;
    /// `col` holds the value as spelled (an `AuditField` column).
    AuditValue { col: &'static str },
    /// Renamed, as a conversion (the base of [`ValueConversion::Account`]).
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

impl ValueConversion {
    /// Every target column, for the schema test.
    #[cfg(test)]
    pub fn columns(&self) -> Vec<&'static str> {
        match *self {
            ValueConversion::RegPath { pairs, .. } => pairs.iter().flat_map(|(k, v)| [*k, *v]).collect(),
            ValueConversion::RegKey { col, .. }
            | ValueConversion::Vocab { col, .. }
            | ValueConversion::Basename { col }
            | ValueConversion::HexToNumber { col }
            | ValueConversion::NumberToHex { col }
            | ValueConversion::PipeName { col }
            | ValueConversion::ProtocolPrefix { col }
            | ValueConversion::DnsStatus { col }
            | ValueConversion::UrlPart { col, .. }
            | ValueConversion::XmlData { col }
            | ValueConversion::AuditValue { col }
            | ValueConversion::XmlDataAt { col, .. }
            | ValueConversion::NamePart { col, .. } => vec![col],
            ValueConversion::Details { data, kind, .. } => vec![data, kind],
            ValueConversion::Outcome { col, details, .. } => {
                [col, details].into_iter().filter(|c| !c.is_empty()).collect()
            }
            ValueConversion::UserSplit { domain, name, fallback } => {
                let mut v = vec![domain, name];
                if let Some((d, n)) = fallback {
                    v.push(d);
                    v.push(n);
                }
                v
            }
            ValueConversion::Hashes { cols } => cols.iter().map(|(_, c)| *c).collect(),
            ValueConversion::HostFqdn { fqdn, host } => vec![fqdn, host],
            ValueConversion::Where { cond, then, otherwise, .. } => vec![cond, then, otherwise],
            ValueConversion::ProcessPath { cols, .. } => cols.to_vec(),
            ValueConversion::AsimDirection => vec!["NetworkDirection", "SrcProcessName", "DstProcessName"],
            ValueConversion::Account { base, sid } => {
                let mut v = base.columns();
                v.extend(sid.columns());
                v
            }
            ValueConversion::Spellings { col, .. }
            | ValueConversion::Column { col }
            | ValueConversion::RepeatedName { col, .. } => vec![col],
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

/// The notes of one detection item's mapping: every conversion reports
/// through it, so that each note names the field and table at the item's span,
/// is given once, and leaves behind whether the item was approximated or failed.
pub(crate) struct ItemNotes<'a> {
    /// The rule's notes, which these are added to.
    pub out: &'a mut Vec<Diagnostic>,
    pub span: Span,
    pub field: &'a str,
    pub table: &'a str,
    /// Set when a lossy-mapping warning was given for this item.
    pub lossy: bool,
    /// Set when the item has no translation (an error was given for it).
    pub failed: bool,
}

impl ItemNotes<'_> {
    pub fn lossy(&mut self, what: &str) {
        self.lossy = true;
        let msg = format!("{} on {}: {what}", self.field, self.table);
        if !self.out.iter().any(|n| n.message == msg && n.span == Some(self.span)) {
            self.out.push(Diagnostic::warning("lossy-mapping", msg, Some(self.span)));
        }
    }
    pub fn info(&mut self, code: &str, what: &str) {
        let msg = format!("{} on {}: {what}", self.field, self.table);
        if !self.out.iter().any(|n| n.message == msg && n.span == Some(self.span)) {
            self.out.push(Diagnostic::info(code, msg, Some(self.span)));
        }
    }
    pub fn error(&mut self, code: &str, what: &str) {
        self.failed = true;
        let msg = format!("{} on {}: {what}", self.field, self.table);
        if !self.out.iter().any(|n| n.message == msg && n.span == Some(self.span)) {
            self.out.push(Diagnostic::error(code, msg, Some(self.span)));
        }
    }
}

/// A whole number written in decimal or as `0x` hex, as Windows writes ids.
fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => t.parse::<i64>().ok(),
    }
}

/// Sysmon's DNS status as the DNS response code a target records.
fn dns_code(n: i64) -> i64 {
    // Sysmon reports DNS RCODEs as Win32 errors 9001..9099 (DNS_ERROR_RCODE_*).
    if n > 9000 && n < 9100 {
        n - 9000
    } else {
        n
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
