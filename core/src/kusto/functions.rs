//! Scalar functions, constant folding and regex compilation.

use std::net::IpAddr;

use base64::Engine as _;
use serde_json::Value as Json;

use super::ast::{Expr, Kind};
use super::value::{self, Value};

/// Name, fewest and most arguments. `not`, `datetime(...)`, `dynamic(...)` and
/// typed literals are parsed as syntax, not here.
pub const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("isempty", 1, 1),
    ("isnotempty", 1, 1),
    ("isnull", 1, 1),
    ("isnotnull", 1, 1),
    ("tolower", 1, 1),
    ("toupper", 1, 1),
    ("strlen", 1, 1),
    ("tostring", 1, 1),
    ("toint", 1, 1),
    ("tolong", 1, 1),
    ("toreal", 1, 1),
    ("todouble", 1, 1),
    ("todecimal", 1, 1),
    ("tobool", 1, 1),
    ("toboolean", 1, 1),
    ("todatetime", 1, 1),
    ("todynamic", 1, 1),
    ("parse_json", 1, 1),
    ("datetime_part", 2, 2),
    ("hourofday", 1, 1),
    ("dayofmonth", 1, 1),
    ("dayofyear", 1, 1),
    ("getmonth", 1, 1),
    ("monthofyear", 1, 1),
    ("getyear", 1, 1),
    ("week_of_year", 1, 1),
    ("column_ifexists", 2, 2),
    ("ipv4_is_in_range", 2, 2),
    ("ipv6_is_in_range", 2, 2),
    ("ipv4_is_in_any_range", 2, usize::MAX),
    ("ipv4_is_private", 1, 1),
    ("coalesce", 1, usize::MAX),
    ("iff", 3, 3),
    ("iif", 3, 3),
    ("strcat", 1, usize::MAX),
    ("substring", 2, 3),
    ("indexof", 2, 2),
    ("replace_string", 3, 3),
    ("trim", 2, 2),
    ("array_length", 1, 1),
    ("base64_decode_tostring", 1, 1),
    ("abs", 1, 1),
    ("extract", 3, 3),
];

/// The value of an expression that reads no column (literals, `let` values,
/// arithmetic and functions over them); None otherwise.
pub fn constant(e: &Expr) -> Option<Value> {
    match &e.kind {
        Kind::Lit(v) => Some(v.clone()),
        Kind::Neg(x) => super::arith::negate(constant(x)?),
        Kind::Arith(op, a, b) => Some(super::arith::arith(*op, constant(a)?, constant(b)?)),
        Kind::Call(name, args) if *name != "column_ifexists" => {
            let vals: Option<Vec<Value>> = args.iter().map(constant).collect();
            Some(call(name, vals?))
        }
        _ => None,
    }
}

/// RE2 syntax: case-sensitive, `.` stops at `\n`, `\d \w \s \b` in their
/// ASCII meaning, as in Kusto (see [`crate::re`]); the engine's size limit keeps
/// hostile patterns from eating memory.
pub fn compile_regex(pattern: &str) -> Result<crate::re::Regex, String> {
    crate::re::check::validate(pattern).map_err(|m| format!("invalid regular expression: {m}"))?;
    crate::re::Regex::new(pattern).map_err(|e| format!("invalid regular expression: {e}"))
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Null).unwrap_dynamic()
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
    v.map_or(Value::Null, f)
}

/// Evaluate a function of [`FUNCTIONS`] on evaluated arguments.
pub fn call(name: &str, args: Vec<Value>) -> Value {
    let a0 = || args.first().cloned().unwrap_or(Value::Null);
    match name {
        "isempty" | "isnotempty" => {
            let empty = match a0() {
                Value::Str(s) | Value::Dynamic(Json::String(s)) => s.is_empty(),
                v => v.is_null(),
            };
            Value::Bool(empty == (name == "isempty"))
        }
        // extract(regex, group, text): the group's text of the first match; a
        // string is never null in Kusto, so no match (or no such group) is "".
        "extract" => {
            let group = arg(&args, 1).as_long().and_then(|g| usize::try_from(g).ok());
            let found = match (compile_regex(&arg(&args, 0).to_text()), group) {
                (Ok(re), Some(g)) => re.capture(&arg(&args, 2).to_text(), g).map(str::to_string),
                _ => None,
            };
            Value::Str(found.unwrap_or_default())
        }
        "isnull" => Value::Bool(a0().is_null()),
        "isnotnull" => Value::Bool(!a0().is_null()),
        "tolower" => Value::Str(crate::base::case::to_lowercase(&a0().to_text())),
        "toupper" => Value::Str(crate::base::case::to_uppercase(&a0().to_text())),
        "strlen" => Value::Long(a0().to_text().chars().count() as i64),
        "tostring" => Value::Str(a0().to_text()),
        "toint" | "tolong" => opt(arg(&args, 0).as_long(), Value::Long),
        "toreal" | "todouble" | "todecimal" => opt(arg(&args, 0).as_real(), Value::Real),
        "tobool" | "toboolean" => opt(arg(&args, 0).as_bool(), Value::Bool),
        "todatetime" => opt(arg(&args, 0).as_datetime(), Value::DateTime),
        "todynamic" | "parse_json" => match a0() {
            Value::Str(s) => Value::Dynamic(serde_json::from_str(&s).unwrap_or(Json::String(s))),
            v => Value::Dynamic(v.to_json()),
        },
        "datetime_part" => {
            let part = arg(&args, 0).to_text();
            opt(arg(&args, 1).as_datetime().and_then(|us| value::datetime_part(&part, us)), Value::Long)
        }
        "hourofday" | "dayofmonth" | "dayofyear" | "getmonth" | "monthofyear" | "getyear" | "week_of_year" => {
            let part = match name {
                "hourofday" => "hour",
                "dayofmonth" => "day",
                "dayofyear" => "dayofyear",
                "getmonth" | "monthofyear" => "month",
                "getyear" => "year",
                _ => "week_of_year",
            };
            opt(arg(&args, 0).as_datetime().and_then(|us| value::datetime_part(part, us)), Value::Long)
        }
        "ipv4_is_in_range" => opt(ip_in_range(&arg(&args, 0).to_text(), &arg(&args, 1).to_text(), true), Value::Bool),
        "ipv6_is_in_range" => opt(ip_in_range(&arg(&args, 0).to_text(), &arg(&args, 1).to_text(), false), Value::Bool),
        "ipv4_is_in_any_range" => {
            let ip = arg(&args, 0).to_text();
            let mut ranges = Vec::new();
            for v in args.iter().skip(1) {
                match v {
                    Value::Dynamic(Json::Array(items)) => {
                        ranges.extend(items.iter().map(|j| Value::Dynamic(j.clone()).to_text()))
                    }
                    v => ranges.push(v.to_text()),
                }
            }
            let mut any = Some(false);
            for r in ranges {
                match ip_in_range(&ip, &r, true) {
                    Some(true) => return Value::Bool(true),
                    Some(false) => {}
                    None => any = None,
                }
            }
            opt(any, Value::Bool)
        }
        "ipv4_is_private" => {
            let ip = a0().to_text();
            let private = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
                .iter()
                .map(|r| ip_in_range(&ip, r, true))
                .collect::<Option<Vec<bool>>>();
            opt(private, |v| Value::Bool(v.contains(&true)))
        }
        "coalesce" => {
            // Kusto skips nulls and, for strings, empty strings.
            for v in &args {
                let empty = match v {
                    Value::Str(s) => s.is_empty(),
                    v => v.is_null(),
                };
                if !empty {
                    return v.clone();
                }
            }
            args.last().cloned().unwrap_or(Value::Null)
        }
        "iff" | "iif" => {
            if matches!(arg(&args, 0), Value::Bool(true)) {
                args.get(1).cloned().unwrap_or(Value::Null)
            } else {
                args.get(2).cloned().unwrap_or(Value::Null)
            }
        }
        "strcat" => Value::Str(args.iter().map(Value::to_text).collect()),
        "substring" => {
            let s: Vec<char> = a0().to_text().chars().collect();
            let start = arg(&args, 1).as_long().unwrap_or(0).clamp(0, s.len() as i64) as usize;
            let len = match args.get(2) {
                Some(v) => v.as_long().unwrap_or(0).max(0) as usize,
                None => s.len(),
            };
            Value::Str(s[start..].iter().take(len).collect())
        }
        "indexof" => {
            let s = a0().to_text();
            let n = arg(&args, 1).to_text();
            Value::Long(s.find(&n).map_or(-1, |b| s[..b].chars().count() as i64))
        }
        "replace_string" => Value::Str(a0().to_text().replace(&arg(&args, 1).to_text(), &arg(&args, 2).to_text())),
        "trim" => {
            // trim(regex, text): the pattern is compiled per call; fine for pasted events.
            let pat = a0().to_text();
            let s = arg(&args, 1).to_text();
            match compile_regex(&format!("^(?:{pat})+|(?:{pat})+$")) {
                Ok(re) => Value::Str(re.replace_all(&s, "").into_owned()),
                Err(_) => Value::Null,
            }
        }
        "array_length" => match a0() {
            Value::Dynamic(Json::Array(a)) => Value::Long(a.len() as i64),
            _ => Value::Null,
        },
        "base64_decode_tostring" => {
            let s = a0().to_text();
            match base64::engine::general_purpose::STANDARD.decode(s.trim()) {
                Ok(bytes) => String::from_utf8(bytes).map_or(Value::Str(String::new()), Value::Str),
                Err(_) => Value::Str(String::new()),
            }
        }
        "abs" => match arg(&args, 0) {
            Value::Long(n) => opt(n.checked_abs(), Value::Long),
            Value::Real(f) => Value::Real(f.abs()),
            Value::Timespan(t) => opt(t.checked_abs(), Value::Timespan),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// `ip` in `range` (CIDR or single address). IPv4 mode: both must be IPv4,
/// else null (as Kusto returns for a range it cannot read). IPv6 mode accepts
/// IPv4 on either side as IPv4-mapped addresses.
fn ip_in_range(ip: &str, range: &str, v4: bool) -> Option<bool> {
    let ip_text = ip.trim().split('/').next().unwrap_or("");
    let ip: IpAddr = ip_text.parse().ok()?;
    let (net_text, prefix) = match range.trim().split_once('/') {
        Some((a, p)) => (a, Some(p.trim().parse::<u32>().ok()?)),
        None => (range.trim(), None),
    };
    let net: IpAddr = net_text.parse().ok()?;
    if v4 {
        let (IpAddr::V4(ip), IpAddr::V4(net)) = (ip, net) else { return None };
        let p = prefix.unwrap_or(32);
        if p > 32 {
            return None;
        }
        let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
        return Some(u32::from(ip) & mask == u32::from(net) & mask);
    }
    let widen = |a: IpAddr| match a {
        IpAddr::V4(x) => (u128::from(x.to_ipv6_mapped()), 96),
        IpAddr::V6(x) => (u128::from(x), 0),
    };
    let (ip, _) = widen(ip);
    let (net, extra) = widen(net);
    let p = prefix.map_or(128, |p| p + extra);
    if p > 128 {
        return None;
    }
    let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
    Some(ip & mask == net & mask)
}
