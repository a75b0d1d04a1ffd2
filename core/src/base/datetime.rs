//! Dates and times: the one reader of timestamps in core ([`parse_timestamp`]),
//! the calendar, and ISO weeks.
//!
//! The spec says the time-part modifiers (`hour`, `week`, ...) do no timezone
//! or format conversion, so [`parse`] gives the parts as written:
//! `2024-03-05T23:10:00+02:00` has hour 23.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

/// A date and time as written, with its UTC offset (0 when none was written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub date: DateTime,
    pub second: u32,
    /// The fraction of a second, in microseconds (digits past the sixth are dropped).
    pub micros: u32,
    pub offset_minutes: i32,
}

impl Timestamp {
    /// Microseconds since 1970-01-01T00:00:00Z.
    pub fn unix_micros(&self) -> i64 {
        let d = &self.date;
        let days = days_from_civil(i64::from(d.year), i64::from(d.month), i64::from(d.day));
        let minutes = (days * 24 + i64::from(d.hour)) * 60 + i64::from(d.minute) - i64::from(self.offset_minutes);
        (minutes * 60 + i64::from(self.second)) * 1_000_000 + i64::from(self.micros)
    }
}

/// The one date-time reader of core, for time-part modifiers, correlation
/// timestamps and the KQL evaluator's datetimes, so that all three accept the
/// same texts: `YYYY-MM-DD` or `YYYY/MM/DD` (a real calendar date), then
/// optionally `T`, `t` or a space and `HH:MM[:SS[.fraction]]` (`,` also
/// separates the fraction), then optionally `Z` or an offset `±HH[:MM]` /
/// `±HHMM`. Surrounding whitespace is ignored; anything else is `None`.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let t = text.trim().as_bytes();
    let digits = |from: usize, len: usize| -> Option<u32> {
        let s = t.get(from..from + len)?;
        s.iter().all(u8::is_ascii_digit).then(|| s.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0')))
    };
    let sep = *t.get(4)?;
    if !(sep == b'-' || sep == b'/') || t.get(7) != Some(&sep) {
        return None;
    }
    let (year, month, day) = (digits(0, 4)? as i32, digits(5, 2)?, digits(8, 2)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut stamp =
        Timestamp { date: DateTime { year, month, day, hour: 0, minute: 0 }, second: 0, micros: 0, offset_minutes: 0 };
    let mut pos = 10;
    if matches!(t.get(pos), Some(b'T' | b't' | b' ')) && pos + 1 < t.len() {
        stamp.date.hour = digits(pos + 1, 2)?;
        if t.get(pos + 3) != Some(&b':') {
            return None;
        }
        stamp.date.minute = digits(pos + 4, 2)?;
        pos += 6;
        if t.get(pos) == Some(&b':') {
            stamp.second = digits(pos + 1, 2)?;
            pos += 3;
            if matches!(t.get(pos), Some(b'.' | b',')) {
                pos += 1;
                let mut scale = 100_000;
                while let Some(d) = t.get(pos).filter(|d| d.is_ascii_digit()) {
                    stamp.micros += u32::from(d - b'0') * scale;
                    scale /= 10;
                    pos += 1;
                }
            }
        }
        if stamp.date.hour > 23 || stamp.date.minute > 59 || stamp.second > 60 {
            return None;
        }
    }
    stamp.offset_minutes = match t.get(pos) {
        None => 0,
        Some(b'Z' | b'z') if pos + 1 == t.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let h = digits(pos + 1, 2)?;
            let (m, end) = match t.get(pos + 3) {
                None => (0, pos + 3),
                Some(b':') => (digits(pos + 4, 2)?, pos + 6),
                Some(_) => (digits(pos + 3, 2)?, pos + 5),
            };
            if end != t.len() || h > 23 || m > 59 {
                return None;
            }
            let minutes = (h * 60 + m) as i32;
            if sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        Some(_) => return None,
    };
    Some(stamp)
}

/// The date and time as written (no offset applied): time-part modifiers
/// read the parts as the event wrote them.
pub fn parse(text: &str) -> Option<DateTime> {
    parse_timestamp(text).map(|t| t.date)
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
    fn one_reader_for_every_timestamp() {
        let us = |s: &str| parse_timestamp(s).map(|t| t.unix_micros());
        assert_eq!(us("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(us("1970/01/02"), Some(86_400_000_000));
        assert_eq!(us("2024-05-01T10:00:00+02:00"), us("2024-05-01T08:00:00Z"));
        assert_eq!(us("2024-05-01T10:00:00+0200"), us("2024-05-01 08:00:00"));
        assert_eq!(us("2024-05-01T05:30-02:30"), us("2024-05-01t08:00z"));
        assert_eq!(us("2024-05-01T08:00:00,25"), us("2024-05-01T08:00:00Z").map(|t| t + 250_000));
        assert_eq!(us("2024-05-01T08:00:00.1234567Z"), us("2024-05-01T08:00:00Z").map(|t| t + 123_456));
        for bad in [
            "2024-02-31",
            "2024-05-01T24:00",
            "2024-05-01T08:00:00Q",
            "2024-05-01T08:00Zx",
            "2024-05-01T08",
            "2024-05-01+02:00:00",
            "2024-05-01T08:00+2",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert_eq!(parse("2024-03-05T23:10:00+02:00").map(|d| d.hour), Some(23));
    }

    #[test]
    fn iso_weeks() {
        let w = |s: &str| parse(s).map(|d| iso_week(&d));
        assert_eq!(w("2021-01-01"), Some(53)); // Friday, belongs to 2020-W53
        assert_eq!(w("2024-12-30"), Some(1)); // Monday of 2025-W01
        assert_eq!(w("2025-11-28"), Some(48));
    }
}
