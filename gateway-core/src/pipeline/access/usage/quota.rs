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
            Period::Month => month_of(day),
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

/// The first day of `day`'s month and of the next month, as days since 1970-01-01 (`time`'s
/// calendar; days outside its range, ±9999 years, fall back to 30-day months).
fn month_of(day: i64) -> (i64, i64) {
    const EPOCH_JULIAN_DAY: i64 = 2_440_588;
    let first = i32::try_from(day + EPOCH_JULIAN_DAY)
        .ok()
        .and_then(|jd| time::Date::from_julian_day(jd).ok())
        .and_then(|d| {
            let start = d.replace_day(1).ok()?;
            let (y, m) = match d.month() {
                time::Month::December => (d.year() + 1, time::Month::January),
                m => (d.year(), m.next()),
            };
            let end = time::Date::from_calendar_date(y, m, 1).ok()?;
            Some((
                i64::from(start.to_julian_day()) - EPOCH_JULIAN_DAY,
                i64::from(end.to_julian_day()) - EPOCH_JULIAN_DAY,
            ))
        });
    first.unwrap_or_else(|| {
        let start = day - day.rem_euclid(30);
        (start, start + 30)
    })
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

    fn at(y: i32, m: u8, d: u8) -> i64 {
        let month = time::Month::try_from(m).unwrap();
        let date = time::Date::from_calendar_date(y, month, d).unwrap();
        date.midnight().assume_utc().unix_timestamp() * 1000
    }

    #[test]
    fn month_windows_far_from_the_epoch() {
        assert_eq!(at(2026, 3, 4), 1_772_582_400_000);
        let q = quota(Period::Month);
        assert_eq!(q.window(at(1969, 12, 31)).start, at(1969, 12, 1));
        assert_eq!(q.window(at(1970, 1, 1)).end, at(1970, 2, 1));
        // Outside the calendar's range: 30-day windows, no panic.
        let w = q.window(i64::MAX / 2);
        assert_eq!(w.end - w.start, 30 * DAY_MILLIS);
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
