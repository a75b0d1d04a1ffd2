//! Just enough date parsing for the time-part modifiers (`hour`, `week`, ...).
//!
//! The spec says these modifiers do no timezone or format conversion, so the
//! parts are read as written: `2024-03-05T23:10:00+02:00` has hour 23.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parse `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.frac]]`
/// and an offset; also `YYYY/MM/DD`. Returns `None` for anything else.
pub fn parse(text: &str) -> Option<DateTime> {
    let t = text.trim();
    let date = t.get(..10)?;
    let sep = date.as_bytes().get(4).copied()?;
    if !(sep == b'-' || sep == b'/') || date.as_bytes().get(7).copied() != Some(sep) {
        return None;
    }
    let year = num(date.get(..4)?)? as i32;
    let month = num(date.get(5..7)?)?;
    let day = num(date.get(8..10)?)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let (mut hour, mut minute) = (0, 0);
    let rest = t.get(10..).unwrap_or("");
    if let Some(time) = rest.strip_prefix(['T', 't', ' ']) {
        hour = num(time.get(..2)?)?;
        if time.as_bytes().get(2).copied() != Some(b':') {
            return None;
        }
        minute = num(time.get(3..5)?)?;
        if hour > 23 || minute > 59 {
            return None;
        }
    } else if !rest.is_empty() {
        return None;
    }
    Some(DateTime { year, month, day, hour, minute })
}

fn days_in_month(y: i32, m: u32) -> u32 {
    month_days(i64::from(y), i64::from(m)) as u32
}

/// Days in month `m` (1–12) of year `y` (proleptic Gregorian); 0 for no month.
/// The one calendar check of every date parser in core (time-part
/// modifiers, correlation timestamps, the KQL evaluator's datetimes).
pub(crate) fn month_days(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn day_of_year(d: &DateTime) -> u32 {
    (1..d.month).map(|m| days_in_month(d.year, m)).sum::<u32>() + d.day
}

/// 1 = Monday ... 7 = Sunday (Zeller-style, proleptic Gregorian).
fn weekday(y: i32, m: u32, d: u32) -> u32 {
    let t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let idx = (m as usize).saturating_sub(1).min(11);
    let w = (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + t[idx] + d as i32).rem_euclid(7);
    if w == 0 {
        7
    } else {
        w as u32
    }
}

fn iso_weeks_in_year(y: i32) -> u32 {
    let jan1 = weekday(y, 1, 1);
    if jan1 == 4 || (jan1 == 3 && month_days(i64::from(y), 2) == 29) {
        53
    } else {
        52
    }
}

/// ISO 8601 week number (1..=53).
pub fn iso_week(d: &DateTime) -> u32 {
    let wd = weekday(d.year, d.month, d.day) as i32;
    let w = (day_of_year(d) as i32 - wd + 10) / 7;
    if w < 1 {
        iso_weeks_in_year(d.year - 1)
    } else if w as u32 > iso_weeks_in_year(d.year) {
        1
    } else {
        w as u32
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_shapes() {
        let d = parse("2025-11-28T06:43:04.582969Z").unwrap_or_else(|| panic!("parse"));
        assert_eq!((d.year, d.month, d.day, d.hour, d.minute), (2025, 11, 28, 6, 43));
        assert!(parse("2025-11-28 06:43:04.579").is_some());
        assert!(parse("2024-02-30").is_none());
        assert!(parse("nonsense").is_none());
        assert!(parse("").is_none());
        assert!(parse("2025-11-28Tx").is_none());
    }

    #[test]
    fn iso_weeks() {
        let w = |s: &str| parse(s).map(|d| iso_week(&d));
        assert_eq!(w("2021-01-01"), Some(53)); // Friday, belongs to 2020-W53
        assert_eq!(w("2024-12-30"), Some(1)); // Monday of 2025-W01
        assert_eq!(w("2025-11-28"), Some(48));
    }
}
