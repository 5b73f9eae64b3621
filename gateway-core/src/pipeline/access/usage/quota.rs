//! Quotas: at most `limit` requests per API key in each calendar period (`DAY`, `WEEK`,
//! `MONTH`), in UTC.
//!
//! - Periods are calendar windows in UTC (research pipeline-access.md 8.3: "DAY =
//!   00:00-23:59 UTC"): a day starts at midnight UTC, a month on its first day. A week starts
//!   on Sunday 00:00 UTC: the older SDK documentation of `offset` numbered the week's days
//!   from Sunday (0 = Sunday), the only anchor any source gives.
//! - `offset` is what API Gateway's API reference says it is (QuotaSettings: "The number of
//!   requests subtracted from the given limit in the initial time period"): the period in
//!   which the gateway started allows `limit - offset` requests, every later one `limit`.
//!   Gateways sharing counters agree as long as they started in the same period.
//! - A request the quota refuses does not count (research 8.3: rejected 429s do not count).

use serde::Deserialize;

/// Milliseconds in a day.
const DAY_MILLIS: i64 = 86_400_000;

/// A quota's period (`QuotaSettings.period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Period {
    /// A calendar day in UTC.
    Day,
    /// A week from Sunday 00:00 UTC.
    Week,
    /// A calendar month in UTC.
    Month,
}

/// One period's window: `[start, end)` in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first millisecond in the window.
    pub start: i64,
    /// The first millisecond after it.
    pub end: i64,
}

/// A usage plan's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed per period.
    pub limit: u64,
    /// Requests taken off the limit in the initial period.
    pub offset: u64,
    /// The period.
    pub period: Period,
}

impl Quota {
    /// The window holding `now_millis`.
    pub fn window(&self, now_millis: i64) -> Window {
        let day = now_millis.div_euclid(DAY_MILLIS);
        let (start_day, end_day) = match self.period {
            Period::Day => (day, day + 1),
            Period::Week => {
                // 1970-01-01 was a Thursday: day 0 is weekday 4 counted from Sunday.
                let start = day - (day + 4).rem_euclid(7);
                (start, start + 7)
            }
            Period::Month => {
                let (y, m, _) = civil_from_days(day);
                let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                (days_from_civil(y, m, 1), days_from_civil(next.0, next.1, 1))
            }
        };
        Window {
            start: start_day.saturating_mul(DAY_MILLIS),
            end: end_day.saturating_mul(DAY_MILLIS),
        }
    }

    /// Requests allowed in `window`, when the gateway started at `started_millis`: the
    /// initial period's limit less `offset`.
    pub fn limit_in(&self, window: Window, started_millis: i64) -> u64 {
        if window == self.window(started_millis) {
            self.limit.saturating_sub(self.offset)
        } else {
            self.limit
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-04T10:20:30Z, a Wednesday.
    const WED: i64 = 1_772_619_630_000;

    fn quota(period: Period) -> Quota {
        Quota {
            limit: 10,
            offset: 3,
            period,
        }
    }

    fn at(y: i64, m: u32, d: u32) -> i64 {
        days_from_civil(y, m, d) * DAY_MILLIS
    }

    #[test]
    fn dates_round_trip() {
        for day in [-800_000, -1, 0, 59, 10_957, 20_516, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(at(2026, 3, 4), 1_772_582_400_000);
    }

    #[test]
    fn a_day_is_a_utc_calendar_day() {
        // research pipeline-access.md 8.3: DAY = 00:00-23:59 UTC.
        let w = quota(Period::Day).window(WED);
        assert_eq!(
            w,
            Window {
                start: at(2026, 3, 4),
                end: at(2026, 3, 5)
            }
        );
        assert_eq!(quota(Period::Day).window(w.end - 1), w);
        assert_ne!(quota(Period::Day).window(w.end), w);
    }

    #[test]
    fn a_week_starts_on_sunday_utc() {
        let w = quota(Period::Week).window(WED);
        assert_eq!(
            w,
            Window {
                start: at(2026, 3, 1),
                end: at(2026, 3, 8)
            }
        );
        // Saturday 23:59:59.999 is still that week; Sunday midnight starts the next.
        assert_eq!(quota(Period::Week).window(at(2026, 3, 8) - 1), w);
        assert_eq!(
            quota(Period::Week).window(at(2026, 3, 8)).start,
            at(2026, 3, 8)
        );
    }

    #[test]
    fn a_month_is_a_utc_calendar_month() {
        let w = quota(Period::Month).window(WED);
        assert_eq!(
            w,
            Window {
                start: at(2026, 3, 1),
                end: at(2026, 4, 1)
            }
        );
        let dec = quota(Period::Month).window(at(2025, 12, 31));
        assert_eq!(
            dec,
            Window {
                start: at(2025, 12, 1),
                end: at(2026, 1, 1)
            }
        );
        let feb = quota(Period::Month).window(at(2024, 2, 29));
        assert_eq!(feb.end, at(2024, 3, 1));
    }

    #[test]
    fn the_offset_is_subtracted_in_the_initial_period_only() {
        // API reference, QuotaSettings.offset: "The number of requests subtracted from the
        // given limit in the initial time period".
        let q = quota(Period::Day);
        let first = q.window(WED);
        assert_eq!(q.limit_in(first, WED), 7);
        assert_eq!(q.limit_in(q.window(first.end), WED), 10);
        let over = Quota { offset: 50, ..q };
        assert_eq!(over.limit_in(first, WED), 0);
    }
}
