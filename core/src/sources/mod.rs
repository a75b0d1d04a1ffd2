//! Source adapters: how a real log source appears in a target table.
//!
//! A query is right only if it returns the rows that Microsoft's own
//! connectors and parsers produce from real sources. The rule mapping
//! (`pipeline`) says what a query should test; this module says, separately
//! and from Microsoft's own code and documentation, what the rows hold. The
//! two can then disagree, which is the point: a wrong mapping no longer
//! agrees with itself.
//!
//! Flow, per pasted event and target table:
//! 1. [`record::lift`] reads what was pasted: a Sysmon record (evtx-JSON or
//!    flat fields), a Windows Security record (4688, 4624, ...), a Defender
//!    row, or a row of the target table itself.
//! 2. Each [`Feed`] of the table (every source its parser unions for Windows
//!    endpoint data) builds the native record it writes (an `Event` row with
//!    XML `EventData`, a `WindowsEvent` row, a `SecurityEvent` row, a Defender
//!    row): [`windows`], [`security`], [`defender`].
//! 3. For ASIM tables, [`asim`] reads that native record as the ASIM parser of
//!    that source does (file and version in `docs/sources.md`), parser
//!    faults included.
//!
//! Each feed also gives the event as the source records it, in Sigma's field
//! names (its "view"): the fields the source cannot record are absent. A
//! query is compared with the rule on that view, so a field that a source
//! never records is the source's blind spot, not a mapping error; blind spots
//! are reported apart.

mod asim;
mod defender;
pub mod record;
mod security;
mod windows;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::event::Event;
pub use record::Kind;
use record::Record;

/// A real source as it reaches a target table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feed {
    /// Sysmon through the `Event` table (Azure Monitor Agent / Log Analytics
    /// agent; `EventData` is XML text).
    SysmonEvent,
    /// Sysmon through the `WindowsEvent` table (Windows Event Forwarding or
    /// the agent's WindowsEvent stream; `EventData` is dynamic).
    SysmonWindowsEvent,
    /// Windows Security events through the `SecurityEvent` table.
    SecurityEvent,
    /// Windows Security events through the `WindowsEvent` table.
    SecurityWindowsEvent,
    /// Microsoft Defender for Endpoint rows (`Device*` tables).
    Defender,
    /// Sysmon for Linux through the `Syslog` table (the event's XML in `SyslogMessage`).
    LinuxSysmon,
    /// Rows of the target table, pasted as they are.
    Rows,
}

impl Feed {
    pub fn label(self) -> &'static str {
        match self {
            Feed::SysmonEvent => "Sysmon via Event",
            Feed::SysmonWindowsEvent => "Sysmon via WindowsEvent",
            Feed::SecurityEvent => "Security log via SecurityEvent",
            Feed::SecurityWindowsEvent => "Security log via WindowsEvent",
            Feed::Defender => "Defender for Endpoint",
            Feed::LinuxSysmon => "Sysmon for Linux via Syslog",
            Feed::Rows => "pasted rows",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Feed::SysmonEvent => "sysmon-event",
            Feed::SysmonWindowsEvent => "sysmon-windows-event",
            Feed::SecurityEvent => "security-event",
            Feed::SecurityWindowsEvent => "security-windows-event",
            Feed::Defender => "defender",
            Feed::LinuxSysmon => "linux-sysmon",
            Feed::Rows => "rows",
        }
    }
}

/// The ASIM schema a parser function belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schema {
    ProcessCreate,
    NetworkSession,
    FileEvent,
    Registry,
    Dns,
    Authentication,
}

impl Schema {
    /// The parser function a schema is queried through.
    pub(crate) fn function(self) -> &'static str {
        match self {
            Schema::ProcessCreate => "imProcessCreate",
            Schema::NetworkSession => "imNetworkSession",
            Schema::FileEvent => "imFileEvent",
            Schema::Registry => "imRegistry",
            Schema::Dns => "imDns",
            Schema::Authentication => "imAuthentication",
        }
    }
}

/// What a target table is, for the adapters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableKind {
    Asim(Schema),
    /// A Defender advanced-hunting table.
    Defender(&'static str),
    SecurityEvent,
    /// Windows events with their named values as a dynamic `EventData`, read
    /// by the query as they are (no parser between).
    WindowsEvent,
}

pub(crate) fn table_kind(table: &str) -> Option<TableKind> {
    let t = table.trim_end_matches("()");
    let t =
        t.strip_prefix("_Im_").map(|s| s.to_string()).unwrap_or_else(|| t.strip_prefix("im").unwrap_or(t).to_string());
    Some(match t.as_str() {
        "ProcessCreate" | "ProcessEvent" => TableKind::Asim(Schema::ProcessCreate),
        "NetworkSession" => TableKind::Asim(Schema::NetworkSession),
        "FileEvent" => TableKind::Asim(Schema::FileEvent),
        "Registry" | "RegistryEvent" => TableKind::Asim(Schema::Registry),
        "Dns" => TableKind::Asim(Schema::Dns),
        "Authentication" => TableKind::Asim(Schema::Authentication),
        "SecurityEvent" => TableKind::SecurityEvent,
        "WindowsEvent" => TableKind::WindowsEvent,
        _ => return record::DEFENDER_TABLES.iter().find(|d| **d == table).map(|d| TableKind::Defender(d)),
    })
}

/// The feeds of a target table, in the order the parity panel lists them.
pub fn feeds(table: &str) -> &'static [Feed] {
    match table_kind(table) {
        Some(TableKind::Asim(Schema::ProcessCreate)) => &[
            Feed::SysmonEvent,
            Feed::SysmonWindowsEvent,
            Feed::SecurityEvent,
            Feed::SecurityWindowsEvent,
            Feed::Defender,
            Feed::LinuxSysmon,
        ],
        Some(TableKind::Asim(Schema::Authentication)) => {
            &[Feed::SecurityEvent, Feed::SecurityWindowsEvent, Feed::Defender]
        }
        Some(TableKind::Asim(Schema::Dns)) => &[Feed::SysmonEvent, Feed::SysmonWindowsEvent],
        Some(TableKind::Asim(Schema::Registry)) => &[Feed::SysmonEvent, Feed::SysmonWindowsEvent, Feed::Defender],
        Some(TableKind::Asim(_)) => &[Feed::SysmonEvent, Feed::SysmonWindowsEvent, Feed::Defender, Feed::LinuxSysmon],
        Some(TableKind::Defender(_)) => &[Feed::Defender],
        Some(TableKind::SecurityEvent) => &[Feed::SecurityEvent],
        // The queries on WindowsEvent read one channel; the Security log is
        // read from SecurityEvent, so only Sysmon's rows are this table's feed.
        Some(TableKind::WindowsEvent) => &[Feed::SysmonWindowsEvent],
        None => &[],
    }
}

/// One feed's rows for a batch of pasted events.
#[derive(Debug, Clone)]
pub struct FeedRows {
    pub feed: Feed,
    /// Per pasted event: the target-table row this source gives, if any.
    pub rows: Vec<Option<Value>>,
    /// Per pasted event: the event as this source records it, in Sigma's
    /// field names (what the rule is matched on for this source).
    pub views: Vec<Option<Event>>,
    /// Per pasted event: the native record the source writes before the
    /// parser reads it (`Event`, `WindowsEvent`, `SecurityEvent`, Defender row).
    pub native: Vec<Option<Value>>,
    /// Per pasted event: the Sigma fields the source records but its parser
    /// loses (absent from the view; docs/sources.md says why).
    pub lost: Vec<Vec<&'static str>>,
}

/// What the pasted events are, and each feed's rows for `table`.
#[derive(Debug, Clone)]
pub struct SourceRows {
    /// Per pasted event: what it was read as.
    pub kinds: Vec<Kind>,
    pub feeds: Vec<FeedRows>,
}

/// Build the rows every source of `table` gives for `events`. `category` is
/// the rule's logsource category: it names the Sysmon event of flat events
/// that carry no `EventID`.
pub fn rows_for(table: &str, events: &[Event], category: Option<&str>) -> SourceRows {
    let Some(kind) = table_kind(table) else {
        return SourceRows { kinds: vec![Kind::Unknown; events.len()], feeds: Vec::new() };
    };
    let records: Vec<Record> = events.iter().map(|e| record::lift(e, kind, category)).collect();
    let kinds: Vec<Kind> = records.iter().map(Record::kind).collect();
    let mut feeds_out = Vec::new();
    let all_rows = kinds.iter().all(|k| *k == Kind::Rows);
    let list: &[Feed] = if all_rows { &[Feed::Rows] } else { feeds(table) };
    for &feed in list {
        let mut fr = FeedRows { feed, rows: Vec::new(), views: Vec::new(), native: Vec::new(), lost: Vec::new() };
        let mut any = false;
        for (rec, e) in records.iter().zip(events) {
            let out = produce(feed, kind, rec, e);
            any |= out.is_some();
            let (native, row, view, lost) = match out {
                Some(p) => (Some(p.native), Some(p.row), Some(p.view), p.lost),
                None => (None, None, None, Vec::new()),
            };
            fr.lost.push(lost);
            fr.native.push(native);
            fr.rows.push(row);
            fr.views.push(view);
        }
        if any {
            feeds_out.push(fr);
        }
    }
    SourceRows { kinds, feeds: feeds_out }
}

/// Why the source (or its parser) gives `table` no `field`, when a parser
/// loses it; `None` when the source itself does not record it.
pub fn lost_reason(table: &str, feed: Feed, field: &str) -> Option<&'static str> {
    match table_kind(table)? {
        TableKind::Asim(schema) => asim::lost_reason(schema, feed, field),
        _ => None,
    }
}

/// One source's output for one event.
pub(crate) struct Produced {
    pub native: Value,
    pub row: Value,
    pub view: Event,
    /// Sigma fields the source records but its parser loses.
    pub lost: Vec<&'static str>,
}

/// An event without some fields.
fn without(e: Event, lost: &[&str]) -> Event {
    if lost.is_empty() {
        return e;
    }
    let mut m = Map::new();
    for (k, v) in e.fields().filter(|(k, _)| !lost.contains(k)) {
        m.insert(k.to_string(), v.clone());
    }
    Event::from_json(Value::Object(m))
}

fn produce(feed: Feed, kind: TableKind, rec: &Record, pasted: &Event) -> Option<Produced> {
    if let Record::Rows(row) = rec {
        // Rows of the table are run as they are; the rule sees them through
        // the inverse mapping (done by the caller), so the view is the row.
        return (feed == Feed::Rows).then(|| Produced {
            native: Value::Object(row.clone()),
            row: Value::Object(row.clone()),
            view: pasted.clone(),
            lost: Vec::new(),
        });
    }
    match feed {
        Feed::Rows => None,
        Feed::LinuxSysmon => {
            let Record::Sysmon(r) = rec else { return None };
            let TableKind::Asim(schema) = kind else { return None };
            if !r.linux() {
                return None;
            }
            let native = windows::syslog_row(r);
            let (row, lost) = asim::parse_linux(schema, r.event_id, &native)?;
            let view = without(record::sysmon_view(r), &lost);
            Some(Produced { native: Value::Object(native), row: Value::Object(row), view, lost })
        }
        Feed::SysmonEvent | Feed::SysmonWindowsEvent => {
            let Record::Sysmon(r) = rec else { return None };
            if r.linux() {
                return None;
            }
            let native = if feed == Feed::SysmonEvent { windows::event_row(r) } else { windows::windows_event_row(r) };
            if kind == TableKind::WindowsEvent {
                let view = record::sysmon_view(r);
                return Some(Produced {
                    native: Value::Object(native.clone()),
                    row: Value::Object(native),
                    view,
                    lost: Vec::new(),
                });
            }
            let TableKind::Asim(schema) = kind else { return None };
            let (row, lost) = asim::parse(schema, feed, &native)?;
            let view = without(record::sysmon_view(r), &lost);
            Some(Produced { native: Value::Object(native), row: Value::Object(row), view, lost })
        }
        Feed::SecurityEvent | Feed::SecurityWindowsEvent => {
            let sec = match rec {
                Record::Security(s) => s.clone(),
                Record::Sysmon(r) => security::from_sysmon(r)?,
                _ => return None,
            };
            let native = if feed == Feed::SecurityEvent {
                security::security_event_row(&sec)
            } else {
                windows::windows_event_row(&sec)
            };
            let view = security::sigma_view(&sec, rec);
            match kind {
                TableKind::SecurityEvent | TableKind::WindowsEvent
                    if (kind == TableKind::SecurityEvent) == (feed == Feed::SecurityEvent) =>
                {
                    Some(Produced {
                        native: Value::Object(native.clone()),
                        row: Value::Object(native),
                        view,
                        lost: Vec::new(),
                    })
                }
                TableKind::SecurityEvent | TableKind::WindowsEvent => None,
                TableKind::Asim(schema) => {
                    let (row, lost) = asim::parse(schema, feed, &native)?;
                    Some(Produced {
                        native: Value::Object(native),
                        row: Value::Object(row),
                        view: without(view, &lost),
                        lost,
                    })
                }
                TableKind::Defender(_) => None,
            }
        }
        Feed::Defender => {
            let (table, native, view) = match rec {
                Record::Defender(table, row) => (*table, row.clone(), defender::sigma_view(table, row)),
                Record::Sysmon(r) => {
                    let (table, row) = defender::from_sysmon(r)?;
                    (table, row, defender::sysmon_view(r))
                }
                Record::Security(s) => {
                    let (table, row) = defender::from_security(s)?;
                    (table, row, security::sigma_view(s, rec))
                }
                Record::Rows(_) | Record::Unknown => return None,
            };
            match kind {
                TableKind::Defender(t) => (t == table).then(|| Produced {
                    native: Value::Object(native.clone()),
                    row: Value::Object(native),
                    view,
                    lost: Vec::new(),
                }),
                TableKind::Asim(schema) => {
                    let (row, lost) = asim::parse_defender(schema, table, &native)?;
                    Some(Produced {
                        native: Value::Object(native),
                        row: Value::Object(row),
                        view: without(view, &lost),
                        lost,
                    })
                }
                TableKind::SecurityEvent | TableKind::WindowsEvent => None,
            }
        }
    }
}

/// A table of columns and where their values come from, one column a line:
/// the column name, an operator, its argument. Text rather than an array of
/// structs: in the WebAssembly build pointers compress badly and text well.
///
/// | op | value |
/// |---|---|
/// | `=F` | the named value `F` of the record, as text |
/// | `:C` | the constant `C` |
/// | `@` | the record's computer |
/// | `^` | the record's time |
/// | `{F` | the text between the braces of the GUID `F` (empty without braces) |
/// | `/F` | the file name of the path `F` |
/// | `#F` | `F` as a number (hex with `0x`), or null |
/// | `$F` | the hex number `F` (`0x1a2c`) in decimal, or "" |
/// | `~F` | `F` lowercased |
pub(crate) type Cols = &'static str;

/// A record the tables read: named values, the computer and the time.
pub(crate) trait Lookup {
    fn field(&self, name: &str) -> String;
    fn computer(&self) -> String;
    fn time(&self) -> String;
}

/// The value of one table operator.
pub(crate) fn value_of(src: &dyn Lookup, op: char, arg: &str) -> Value {
    let text = match op {
        '=' => src.field(arg),
        '@' => src.computer(),
        '^' => src.time(),
        '{' => src.field(arg).split('{').nth(1).and_then(|x| x.split('}').next()).unwrap_or("").to_string(),
        '/' => basename(&src.field(arg)).to_string(),
        '#' => {
            let t = src.field(arg);
            let t = t.trim();
            let n = match t.strip_prefix("0x") {
                Some(h) => i64::from_str_radix(h, 16).ok(),
                None => t.parse::<i64>().ok(),
            };
            return n.map(Value::from).unwrap_or(Value::Null);
        }
        '$' => u64::from_str_radix(src.field(arg).trim().trim_start_matches("0x"), 16)
            .map(|n| n.to_string())
            .unwrap_or_default(),
        '~' => crate::base::case::to_lowercase(&src.field(arg)),
        _ => arg.to_string(),
    };
    Value::String(text)
}

/// Set the columns of a table (`prefix` before each column name).
pub(crate) fn fill(out: &mut Map<String, Value>, src: &dyn Lookup, prefix: &str, cols: Cols) {
    for line in cols.lines() {
        let Some(at) = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) else { continue };
        let (col, rest) = line.split_at(at);
        let mut chars = rest.chars();
        let Some(op) = chars.next() else { continue };
        out.insert(format!("{prefix}{col}"), value_of(src, op, chars.as_str()));
    }
}

/// Set one column. Not inlined: rows are built with many of these, and one
/// call is less WebAssembly than the key's allocation and the map insert.
#[inline(never)]
pub(crate) fn set(m: &mut Map<String, Value>, key: &str, value: impl Into<Value>) {
    m.insert(key.to_string(), value.into());
}

/// Text of a field of a JSON object (numbers and booleans as Kusto's
/// `tostring` writes them; absent and null as "").
pub(crate) fn text(m: &Map<String, Value>, key: &str) -> String {
    match m.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// Sysmon's `Hashes` (`SHA1=..,MD5=..,IMPHASH=..`) as (algorithm in upper
/// case, value) pairs.
pub(crate) fn hash_pairs(hashes: &str) -> impl Iterator<Item = (String, &str)> {
    hashes.split(',').filter_map(|part| part.split_once('=')).map(|(a, h)| (a.trim().to_ascii_uppercase(), h.trim()))
}

/// The last path segment after `\` or `/`.
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}
