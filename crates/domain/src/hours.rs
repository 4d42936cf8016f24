//! Business hours: when the support team works, in its own time zone, and
//! how response targets count time in them (a target of 60 minutes filed
//! at 16:30 on a Friday, with hours 08–17 on weekdays, is due 08:30 on
//! Monday). Daylight saving time is the time zone's: a working day is
//! always its wall-clock hours.
use crate::ParseError;

/// Minutes in a day.
const DAY_MINUTES: u16 = 24 * 60;
/// How far ahead a deadline is looked for (a target longer than this many
/// days of business hours is treated as never due).
const HORIZON_DAYS: i64 = 3 * 366;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    /// IANA name, e.g. `Europe/Stockholm`.
    pub time_zone: String,
    tz: jiff::tz::TimeZone,
    /// Monday first.
    pub days: [bool; 7],
    /// Minutes after local midnight the working day starts and ends.
    pub start: u16,
    pub end: u16,
}

impl BusinessHours {
    /// Every hour of every day (targets count calendar time).
    pub fn always() -> Self {
        Self {
            time_zone: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
            days: [true; 7],
            start: 0,
            end: DAY_MINUTES,
        }
    }

    /// Hours from their parts as typed: a time zone name, the working days
    /// (`mon`…`sun`) and `HH:MM` start and end.
    pub fn new(time_zone: &str, days: &[&str], start: &str, end: &str) -> Result<Self, ParseError> {
        let name = time_zone.trim();
        let tz = jiff::tz::db().get(name).map_err(|_| {
            ParseError::new("time_zone", "unknown_time_zone", "is not a known time zone")
                .with("value", name)
        })?;
        let mut set = [false; 7];
        for d in days {
            let i = DAY_NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(d.trim()))
                .ok_or_else(|| {
                    ParseError::new("days", "not_one_of", "is not a weekday")
                        .with("value", d.trim())
                        .with("allowed", DAY_NAMES.join(", "))
                })?;
            set[i] = true;
        }
        if !set.iter().any(|d| *d) {
            return Err(ParseError::new(
                "days",
                "required",
                "needs at least one day",
            ));
        }
        let start = clock_minutes("start", start)?;
        let end = clock_minutes("end", end)?;
        if end <= start {
            return Err(ParseError::new(
                "end",
                "end_before_start",
                "must be after the start",
            ));
        }
        Ok(Self {
            time_zone: name.to_string(),
            tz,
            days: set,
            start,
            end,
        })
    }

    pub fn is_always(&self) -> bool {
        self.days.iter().all(|d| *d) && self.start == 0 && self.end == DAY_MINUTES
    }

    /// The working days by name, Monday first.
    pub fn day_names(&self) -> Vec<&'static str> {
        DAY_NAMES
            .iter()
            .zip(self.days)
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect()
    }

    /// The working hours of one local date as UTC milliseconds; none on a
    /// day off.
    fn window(&self, date: jiff::civil::Date) -> Option<(i64, i64)> {
        let weekday = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
        if !self.days[weekday] {
            return None;
        }
        let at = |minutes: u16| -> Option<i64> {
            let (d, m) = if minutes >= DAY_MINUTES {
                (date.tomorrow().ok()?, 0)
            } else {
                (date, minutes)
            };
            let t = jiff::civil::Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).ok()?;
            let zoned = d.to_datetime(t).to_zoned_datetime(self.tz.clone()).ok()?;
            Some(zoned.timestamp().as_millisecond())
        };
        Some((at(self.start)?, at(self.end)?))
    }

    fn local_date(&self, ms: i64) -> Option<jiff::civil::Date> {
        let ts = jiff::Timestamp::from_millisecond(ms).ok()?;
        Some(ts.to_zoned_datetime(self.tz.clone()).date())
    }

    /// Business milliseconds between two instants (0 if `to <= from`).
    pub fn between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        if self.is_always() {
            return to - from;
        }
        let Some(mut date) = self.local_date(from) else {
            return 0;
        };
        let mut total = 0;
        for _ in 0..(HORIZON_DAYS * 2) {
            if let Some((open, close)) = self.window(date) {
                if open >= to {
                    break;
                }
                let a = open.max(from);
                let b = close.min(to);
                if b > a {
                    total += b - a;
                }
            }
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => break,
            }
            if self.window_start_of(date).is_some_and(|s| s >= to) {
                break;
            }
        }
        total
    }

    fn window_start_of(&self, date: jiff::civil::Date) -> Option<i64> {
        let t = jiff::civil::Time::midnight();
        date.to_datetime(t)
            .to_zoned_datetime(self.tz.clone())
            .ok()
            .map(|z| z.timestamp().as_millisecond())
    }

    /// The instant `ms` business milliseconds after `from`; `None` if that
    /// is beyond the horizon.
    pub fn add(&self, from: i64, ms: i64) -> Option<i64> {
        if ms <= 0 {
            return Some(from);
        }
        if self.is_always() {
            return from.checked_add(ms);
        }
        let mut date = self.local_date(from)?;
        let mut left = ms;
        for _ in 0..HORIZON_DAYS {
            if let Some((open, close)) = self.window(date) {
                let a = open.max(from);
                if close > a {
                    let here = close - a;
                    if left <= here {
                        return Some(a + left);
                    }
                    left -= here;
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }
}

pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `HH:MM` as minutes after midnight; `24:00` is the end of the day.
fn clock_minutes(what: &'static str, s: &str) -> Result<u16, ParseError> {
    let bad = || {
        ParseError::new(what, "clock_time", "is not a time of day (HH:MM)").with("value", s.trim())
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// `HH:MM` of minutes after midnight.
pub fn clock_text(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn utc(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>()
            .expect("timestamp")
            .as_millisecond()
    }

    fn office() -> BusinessHours {
        BusinessHours::new(
            "Europe/Stockholm",
            &["mon", "tue", "wed", "thu", "fri"],
            "08:00",
            "17:00",
        )
        .expect("hours")
    }

    #[test]
    fn deadlines_skip_evenings_and_weekends() {
        let h = office();
        // Monday 14 Sep 2026, 08:30 in Stockholm (CEST, UTC+2).
        let monday = utc("2026-09-14T06:30:00Z");
        assert_eq!(h.add(monday, 60 * MIN), Some(utc("2026-09-14T07:30:00Z")));
        // Friday 16:30: the last 30 minutes, then Monday from 08:00.
        let friday = utc("2026-09-18T14:30:00Z");
        assert_eq!(h.add(friday, 60 * MIN), Some(utc("2026-09-21T06:30:00Z")));
        // Saturday counts nothing; Monday morning starts the clock.
        let saturday = utc("2026-09-19T10:00:00Z");
        assert_eq!(h.add(saturday, 15 * MIN), Some(utc("2026-09-21T06:15:00Z")));
        assert_eq!(h.between(saturday, utc("2026-09-21T06:15:00Z")), 15 * MIN);
        assert_eq!(h.between(friday, utc("2026-09-21T06:30:00Z")), 60 * MIN);
    }

    #[test]
    fn working_days_keep_their_wall_clock_hours_across_daylight_saving() {
        let h = office();
        // Friday 23 Oct 2026 16:00 CEST (14:00 UTC); summer time ends on
        // Sunday 25 Oct, so Monday 08:00 is 07:00 UTC.
        let friday = utc("2026-10-23T14:00:00Z");
        assert_eq!(h.add(friday, 90 * MIN), Some(utc("2026-10-26T07:30:00Z")));
    }

    #[test]
    fn always_is_calendar_time() {
        let h = BusinessHours::always();
        assert_eq!(h.add(1_000, 5 * MIN), Some(1_000 + 5 * MIN));
        assert_eq!(h.between(0, 7 * MIN), 7 * MIN);
    }

    #[test]
    fn bad_hours_are_refused_with_the_field() {
        let e = BusinessHours::new("Mars/Olympus", &["mon"], "08:00", "17:00").expect_err("tz");
        assert_eq!((e.what, e.code), ("time_zone", "unknown_time_zone"));
        let e = BusinessHours::new("UTC", &["funday"], "08:00", "17:00").expect_err("day");
        assert_eq!(e.what, "days");
        let e = BusinessHours::new("UTC", &["mon"], "17:00", "08:00").expect_err("order");
        assert_eq!(e.code, "end_before_start");
        let e = BusinessHours::new("UTC", &["mon"], "8h", "17:00").expect_err("clock");
        assert_eq!((e.what, e.code), ("start", "clock_time"));
        assert_eq!(clock_text(8 * 60 + 5), "08:05");
    }

    use proptest::prelude::*;

    proptest! {
        /// Adding business time and measuring it back agree, wherever the
        /// clock starts.
        #[test]
        fn add_and_between_agree(start in 1_780_000_000_000i64..1_800_000_000_000, minutes in 1i64..5_000) {
            let h = office();
            let due = h.add(start, minutes * MIN).expect("due");
            prop_assert_eq!(h.between(start, due), minutes * MIN);
            prop_assert!(due > start);
        }
    }
}
