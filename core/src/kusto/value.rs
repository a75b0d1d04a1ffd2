//! Kusto scalar values and the conversions between them.
//!
//! Strings are never null in Kusto (a missing string is `""`); every other
//! type has a null. Datetimes are kept as microseconds since the Unix epoch
//! (UTC): fine enough for event timestamps and cheap to compare.

use crate::base::datetime::{civil_from_days, days_from_civil};
use serde_json::Value as Json;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Long(i64),
    Real(f64),
    Str(String),
    /// Microseconds since 1970-01-01T00:00:00Z.
    DateTime(i64),
    /// Microseconds.
    Timespan(i64),
    /// Arrays and objects (and JSON values read through a path).
    Dynamic(Json),
}

/// Column types, as Kusto declares them (int and long share `Long`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Long,
    Real,
    Bool,
    DateTime,
    Timespan,
    Dynamic,
}

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null | Value::Dynamic(Json::Null))
    }

    /// The scalar inside a dynamic value, so that `Nested.a.b == "x"` compares strings.
    pub fn unwrap_dynamic(self) -> Value {
        match self {
            Value::Dynamic(j) => match j {
                Json::Null => Value::Null,
                Json::Bool(b) => Value::Bool(b),
                Json::Number(n) => n.as_i64().map_or_else(|| n.as_f64().map_or(Value::Null, Value::Real), Value::Long),
                Json::String(s) => Value::Str(s),
                other => Value::Dynamic(other),
            },
            v => v,
        }
    }

    /// `tostring()`: null becomes `""`, dynamic strings lose their quotes.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Long(n) => n.to_string(),
            Value::Real(f) => real_text(*f),
            Value::Str(s) => s.clone(),
            Value::DateTime(us) => datetime_text(*us),
            Value::Timespan(us) => timespan_text(*us),
            Value::Dynamic(Json::String(s)) => s.clone(),
            Value::Dynamic(Json::Null) => String::new(),
            Value::Dynamic(j) => j.to_string(),
        }
    }

    pub fn as_real(&self) -> Option<f64> {
        match self {
            Value::Long(n) => Some(*n as f64),
            Value::Real(f) => Some(*f),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Str(s) => parse_number(s).and_then(|v| v.as_real()),
            Value::Dynamic(_) => self
                .clone()
                .unwrap_dynamic()
                .as_real()
                .filter(|_| !matches!(self, Value::Dynamic(Json::Array(_) | Json::Object(_)))),
            _ => None,
        }
    }

    pub fn as_long(&self) -> Option<i64> {
        match self {
            Value::Long(n) => Some(*n),
            Value::Real(f) if f.is_finite() && f.abs() < 9.2e18 => Some(f.trunc() as i64),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Str(s) => match parse_number(s)? {
                Value::Long(n) => Some(n),
                v => v.as_long(),
            },
            Value::Dynamic(Json::Number(_) | Json::String(_) | Json::Bool(_)) => {
                self.clone().unwrap_dynamic().as_long()
            }
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Long(n) => Some(*n != 0),
            Value::Real(f) => Some(*f != 0.0),
            Value::Str(s) => {
                let t = s.trim();
                if t.eq_ignore_ascii_case("true") {
                    Some(true)
                } else if t.eq_ignore_ascii_case("false") {
                    Some(false)
                } else {
                    t.parse::<i64>().ok().map(|n| n != 0)
                }
            }
            Value::Dynamic(Json::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn as_datetime(&self) -> Option<i64> {
        match self {
            Value::DateTime(us) => Some(*us),
            Value::Str(s) => parse_datetime(s),
            Value::Dynamic(Json::String(s)) => parse_datetime(s),
            _ => None,
        }
    }

    /// The value as JSON, for displaying result rows.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Long(n) => Json::from(*n),
            Value::Real(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::Str(s) => Json::String(s.clone()),
            Value::DateTime(_) | Value::Timespan(_) => Json::String(self.to_text()),
            Value::Dynamic(j) => j.clone(),
        }
    }

    /// Convert a JSON event value to a column of type `ty`; what does not convert is null
    /// (or `""` for strings), as ingestion into a typed table does.
    pub fn from_json(j: &Json, ty: Type) -> Value {
        match ty {
            Type::String => match j {
                Json::Null => Value::Str(String::new()),
                Json::String(s) => Value::Str(s.clone()),
                other => Value::Str(other.to_string()),
            },
            Type::Dynamic => Value::Dynamic(j.clone()),
            _ if j.is_null() => Value::Null,
            Type::Long => Value::Dynamic(j.clone()).as_long().map_or(Value::Null, Value::Long),
            Type::Real => Value::Dynamic(j.clone()).as_real().map_or(Value::Null, Value::Real),
            Type::Bool => match j {
                Json::Bool(b) => Value::Bool(*b),
                Json::String(s) => Value::Str(s.clone()).as_bool().map_or(Value::Null, Value::Bool),
                Json::Number(n) => n.as_f64().map_or(Value::Null, |f| Value::Bool(f != 0.0)),
                _ => Value::Null,
            },
            Type::DateTime => match j {
                Json::String(s) => parse_datetime(s).map_or(Value::Null, Value::DateTime),
                _ => Value::Null,
            },
            Type::Timespan => match j {
                Json::String(s) => parse_timespan_text(s).map_or(Value::Null, Value::Timespan),
                _ => Value::Null,
            },
        }
    }

    /// The type a JSON event value suggests, for tables without a schema.
    pub fn json_type(j: &Json) -> Option<Type> {
        match j {
            Json::Null => None,
            Json::Bool(_) => Some(Type::Bool),
            Json::Number(n) if n.is_i64() || n.is_u64() => Some(Type::Long),
            Json::Number(_) => Some(Type::Real),
            Json::String(_) => Some(Type::String),
            _ => Some(Type::Dynamic),
        }
    }

    /// A typed null: strings are `""`.
    pub fn null_of(ty: Type) -> Value {
        match ty {
            Type::String => Value::Str(String::new()),
            _ => Value::Null,
        }
    }
}

fn real_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        format!("{f}")
    }
}

/// A number written in a string (`"4688"`, `" 1.5"`): Long when integral text.
pub fn parse_number(s: &str) -> Option<Value> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<i64>() {
        return Some(Value::Long(n));
    }
    // Rust accepts "inf"/"nan" spellings that Kusto does not read as numbers.
    if t.bytes().any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') {
        return None;
    }
    crate::base::float::parse_f64(t).map(Value::Real)
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A Kusto datetime (microseconds since the epoch, UTC) from text, read as
/// every date in core is ([`crate::base::datetime::parse_timestamp`]).
pub fn parse_datetime(text: &str) -> Option<i64> {
    crate::base::datetime::parse_timestamp(text).map(|t| t.unix_micros())
}

pub fn datetime_text(us: i64) -> String {
    let days = us.div_euclid(MICROS_PER_DAY);
    let rem = us.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rem / 1_000_000;
    let frac = rem % 1_000_000;
    let base = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac == 0 {
        format!("{base}Z")
    } else {
        format!("{base}.{frac:06}Z")
    }
}

pub fn timespan_text(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let a = us.unsigned_abs();
    let days = a / 86_400_000_000;
    let secs = a / 1_000_000 % 86_400;
    let frac = a % 1_000_000;
    let mut s = String::from(sign);
    if days > 0 {
        s.push_str(&format!("{days}."));
    }
    s.push_str(&format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60));
    if frac > 0 {
        s.push_str(&format!(".{frac:06}"));
    }
    s
}

/// `[d.]hh:mm:ss[.frac]`, as `tostring(timespan)` prints it.
fn parse_timespan_text(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let (days, clock) = match t.split_once(':') {
        Some((head, _)) => match head.split_once('.') {
            Some((d, _)) => (digits(d)?, &t[d.len() + 1..]),
            None => (0, t),
        },
        None => return None,
    };
    let mut parts = clock.splitn(3, ':');
    let h = digits(parts.next()?)?;
    let m = digits(parts.next()?)?;
    let sec = parts.next().unwrap_or("0");
    let (s, f) = sec.split_once('.').unwrap_or((sec, ""));
    let mut us = ((days * 24 + h) * 60 + m) * 60_000_000 + digits(s)? * 1_000_000;
    for (i, c) in f.bytes().take(6).enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        us += i64::from(c - b'0') * 10i64.pow(5 - i as u32);
    }
    Some(if neg { -us } else { us })
}

/// Parts of a datetime for `datetime_part` and friends; None for an unknown part.
pub fn datetime_part(part: &str, us: i64) -> Option<i64> {
    let days = us.div_euclid(MICROS_PER_DAY);
    let rem = us.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let p = part.to_ascii_lowercase();
    Some(match p.as_str() {
        "year" => y,
        "quarter" => (m - 1) / 3 + 1,
        "month" => m,
        "week_of_year" | "weekofyear" => iso_week(days),
        "day" => d,
        "dayofyear" => days - days_from_civil(y, 1, 1) + 1,
        "hour" => rem / 3_600_000_000,
        "minute" => rem / 60_000_000 % 60,
        "second" => rem / 1_000_000 % 60,
        "millisecond" => rem / 1000 % 1000,
        "microsecond" => rem % 1_000_000,
        "nanosecond" => rem % 1_000_000 * 1000,
        _ => return None,
    })
}

/// ISO 8601 week number (weeks start on Monday; week 1 holds the first Thursday).
fn iso_week(days: i64) -> i64 {
    // 1970-01-01 was a Thursday: weekday 0 = Monday.
    let weekday = (days + 3).rem_euclid(7);
    let thursday = days - weekday + 3;
    let (y, _, _) = civil_from_days(thursday);
    (thursday - days_from_civil(y, 1, 1)) / 7 + 1
}
