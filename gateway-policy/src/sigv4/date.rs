//! SigV4 timestamps: the ISO 8601 basic form `20150830T123600Z`, as Unix seconds.
//!
//! The hot path parses and formats these by hand (no allocation, no time zone database); the
//! extended ISO 8601 form (`2015-08-30T12:36:00Z`) is accepted where people type times (the CLI).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix seconds of `SystemTime`, negative before 1970.
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// `SystemTime` of Unix seconds.
pub(crate) fn system_time(secs: i64) -> SystemTime {
    // Callers pass times of years 0000..=9999, which every platform's `SystemTime` holds.
    let d = Duration::from_secs(secs.unsigned_abs());
    let t = if secs >= 0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    };
    debug_assert!(t.is_some(), "time out of range: {secs}");
    t.unwrap_or(UNIX_EPOCH)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    let mut n = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(c - b'0');
    }
    Some(n)
}

fn from_fields(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'` into Unix seconds; `None` unless exactly that shape and a real
/// calendar time.
pub(crate) fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    from_fields(
        digits(&b[0..4])?,
        digits(&b[4..6])?,
        digits(&b[6..8])?,
        digits(&b[9..11])?,
        digits(&b[11..13])?,
        digits(&b[13..15])?,
    )
}

/// Formats Unix seconds as `YYYYMMDD'T'HHMMSS'Z'`; `None` outside years 0000..=9999.
pub(crate) fn format_amz_date(secs: i64) -> Option<String> {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return None;
    }
    Some(format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Like [`format_amz_date`], falling back to the raw number for times no SigV4 date can express
/// (used only in error messages).
pub(crate) fn display_amz_date(secs: i64) -> String {
    format_amz_date(secs).unwrap_or_else(|| secs.to_string())
}

/// Parses a time as typed by a person: the SigV4 form `20150830T123600Z`, or ISO 8601 / RFC 3339
/// extended form with a zone (`2015-08-30T12:36:00Z`, `2015-08-30T14:36:00+02:00`; fractional
/// seconds are dropped). Returns `None` for anything else.
pub fn parse_time(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    if let Some(secs) = parse_amz_date(s) {
        return Some(system_time(secs));
    }
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some(system_time(t.unix_timestamp()))
}

/// Formats a time in the SigV4 basic form, `None` outside years 0000..=9999.
pub fn format_time(t: SystemTime) -> Option<String> {
    format_amz_date(unix_seconds(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_date_round_trips_the_test_suite_timestamp() {
        let secs = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(secs, 1_440_938_160);
        assert_eq!(format_amz_date(secs).unwrap(), "20150830T123600Z");
    }

    #[test]
    fn amz_date_rejects_impossible_and_misshapen_dates() {
        for bad in [
            "20150230T123600Z",
            "20151301T000000Z",
            "20150830T246000Z",
            "20150830T123600",
            "2015-08-30T12:36:00Z",
            "2015083OT123600Z",
            "",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
        assert!(parse_amz_date("20160229T000000Z").is_some());
    }

    #[test]
    fn parse_time_accepts_basic_and_extended_iso_8601() {
        let a = parse_time("20150830T123600Z").unwrap();
        assert_eq!(parse_time("2015-08-30T12:36:00Z"), Some(a));
        assert_eq!(parse_time("2015-08-30T14:36:00+02:00"), Some(a));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn dates_before_1970_and_after_9999_do_not_panic() {
        assert_eq!(format_amz_date(-86_400).unwrap(), "19691231T000000Z");
        assert_eq!(format_amz_date(i64::MAX / 2), None);
        assert_eq!(format_amz_date(i64::MIN / 2), None);
    }
}
