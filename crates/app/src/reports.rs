//! The support reports for support admins: requests by status, priority,
//! feature and organisation, week by week, first-response and resolution
//! times, ratings and missed targets, over a period.
use crate::{App, Caller, Error, Result};
use domain::{Action, Priority, TicketStatus};

const DAY: i64 = 86_400_000;
const WEEK: i64 = 7 * DAY;
/// 1970-01-05, the first Monday after the epoch: weeks start on Mondays.
const MONDAY: i64 = 4 * DAY;

/// Median and 90th percentile of a set of durations, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Times {
    pub count: usize,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}

impl Times {
    /// From durations in milliseconds. The median of an even count is the
    /// mean of the middle two; the 90th percentile is the nearest rank.
    pub fn of(mut ms: Vec<i64>) -> Self {
        ms.sort_unstable();
        let n = ms.len();
        if n == 0 {
            return Self::default();
        }
        let minutes = |v: i64| v as f64 / 60_000.0;
        let median = if n % 2 == 1 {
            minutes(ms[n / 2])
        } else {
            (minutes(ms[n / 2 - 1]) + minutes(ms[n / 2])) / 2.0
        };
        let rank = (n * 9).div_ceil(10).max(1);
        Self {
            count: n,
            median_minutes: Some(median),
            p90_minutes: Some(minutes(ms[rank - 1])),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Week {
    /// Monday 00:00 UTC.
    pub start: i64,
    pub created: i64,
    pub solved: i64,
}

#[derive(Debug, Clone, Default)]
pub struct SupportReport {
    pub from: i64,
    pub to: i64,
    /// Requests filed in the period, and solved in it.
    pub created: i64,
    pub solved: i64,
    /// Of the requests filed in the period: by their status now, priority,
    /// feature (`None`: none named) and organisation (name, plan).
    pub by_status: Vec<(TicketStatus, i64)>,
    pub by_priority: Vec<(Priority, i64)>,
    pub by_feature: Vec<(Option<String>, i64)>,
    pub by_organisation: Vec<(String, String, i64)>,
    pub weeks: Vec<Week>,
    /// Filed in the period and answered: time to the first public answer.
    pub first_response: Times,
    /// Solved in the period: time from filing to solved.
    pub resolution: Times,
    pub ratings_good: i64,
    pub ratings_bad: i64,
    /// (request number, good, comment, when), newest first.
    pub comments: Vec<(i64, bool, String, i64)>,
    pub targets_missed: i64,
}

/// Counts of `key` over rows, most first, then by key.
fn tally<K: Ord + Clone>(keys: impl Iterator<Item = K>) -> Vec<(K, i64)> {
    let mut map = std::collections::BTreeMap::new();
    for k in keys {
        *map.entry(k).or_insert(0) += 1;
    }
    let mut out: Vec<(K, i64)> = map.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The week (Monday 00:00 UTC) of an instant.
pub fn week_of(ms: i64) -> i64 {
    (ms - MONDAY).div_euclid(WEEK) * WEEK + MONDAY
}

/// Reads a report bound: a date (`2026-09-14`, UTC midnight; the end
/// date counts whole) or a time as [`crate::i18n::parse_time`] reads it.
fn bound(field: &str, s: &str, end: bool) -> Result<i64> {
    let s = s.trim();
    let is_date = s.len() == 10 && s.as_bytes().get(4) == Some(&b'-');
    if is_date {
        let t = crate::i18n::parse_time(field, &format!("{s}T00:00"))?;
        return Ok(if end { t + DAY } else { t });
    }
    crate::i18n::parse_time(field, s)
}

impl App {
    /// The support report for `[from, to)` (support admins); by default
    /// the last 30 days.
    pub async fn support_report(
        &self,
        caller: &Caller,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<SupportReport> {
        self.permit(caller, Action::ViewSupportReports)?;
        let now = self.now();
        let to = match to.filter(|s| !s.trim().is_empty()) {
            Some(s) => bound("to", s, true)?,
            None => now,
        };
        let from = match from.filter(|s| !s.trim().is_empty()) {
            Some(s) => bound("from", s, false)?,
            None => to - 30 * DAY,
        };
        if from >= to {
            return Err(Error::invalid("to", "end_before_start"));
        }
        if to - from > 366 * DAY {
            return Err(Error::invalid_with(
                "from",
                "period_too_long",
                &[("max", "366")],
            ));
        }
        let rows = self.store().report_rows(from, to).await?;
        let filed: Vec<_> = rows
            .iter()
            .filter(|r| r.created_at >= from && r.created_at < to)
            .collect();
        let solved: Vec<_> = rows
            .iter()
            .filter(|r| {
                matches!(r.status.as_str(), "solved" | "closed")
                    && r.solved_at.is_some_and(|s| s >= from && s < to)
            })
            .collect();
        let mut weeks: Vec<Week> = Vec::new();
        let mut week = week_of(from);
        while week < to && weeks.len() < 60 {
            weeks.push(Week {
                start: week,
                ..Week::default()
            });
            week += WEEK;
        }
        for r in &filed {
            if let Some(w) = weeks.iter_mut().find(|w| w.start == week_of(r.created_at)) {
                w.created += 1;
            }
        }
        for r in &solved {
            let at = r.solved_at.unwrap_or_default();
            if let Some(w) = weeks.iter_mut().find(|w| w.start == week_of(at)) {
                w.solved += 1;
            }
        }
        let ratings = self.store().ratings_between(from, to).await?;
        Ok(SupportReport {
            from,
            to,
            created: filed.len() as i64,
            solved: solved.len() as i64,
            by_status: tally(
                filed
                    .iter()
                    .filter_map(|r| TicketStatus::parse(&r.status).ok()),
            ),
            by_priority: tally(filed.iter().filter_map(|r| Priority::from_rank(r.priority))),
            by_feature: tally(filed.iter().map(|r| r.component.clone())),
            by_organisation: tally(
                filed
                    .iter()
                    .map(|r| (r.org_name.clone(), r.org_plan.clone())),
            )
            .into_iter()
            .map(|((name, plan), n)| (name, plan, n))
            .collect(),
            weeks,
            first_response: Times::of(
                filed
                    .iter()
                    .filter_map(|r| r.first_response_at.map(|f| f - r.created_at))
                    .collect(),
            ),
            resolution: Times::of(
                solved
                    .iter()
                    .filter_map(|r| r.solved_at.map(|s| s - r.created_at))
                    .collect(),
            ),
            ratings_good: ratings.iter().filter(|r| r.1).count() as i64,
            ratings_bad: ratings.iter().filter(|r| !r.1).count() as i64,
            comments: ratings.into_iter().filter(|r| !r.2.is_empty()).collect(),
            targets_missed: filed.iter().map(|r| r.targets_missed).sum(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles_by_hand() {
        let m = 60_000;
        let t = Times::of(vec![30 * m, 10 * m, 20 * m]);
        assert_eq!(
            (t.count, t.median_minutes, t.p90_minutes),
            (3, Some(20.0), Some(30.0))
        );
        let t = Times::of(vec![10 * m, 20 * m, 40 * m, 30 * m]);
        assert_eq!(t.median_minutes, Some(25.0));
        assert_eq!(t.p90_minutes, Some(40.0));
        let ten: Vec<i64> = (1..=10).map(|i| i * m).collect();
        assert_eq!(Times::of(ten).p90_minutes, Some(9.0));
        assert_eq!(Times::of(Vec::new()), Times::default());
    }

    #[test]
    fn weeks_start_on_monday() {
        // Monday 14 Sep 2026 00:00 UTC.
        let monday = 1_789_344_000_000;
        assert_eq!(week_of(monday), monday);
        assert_eq!(week_of(monday + 6 * DAY + 1), monday);
        assert_eq!(week_of(monday - 1), monday - WEEK);
    }

    #[test]
    fn bounds_read_dates_and_times() {
        assert_eq!(
            bound("from", "2026-09-14", false).ok(),
            Some(1_789_344_000_000)
        );
        assert_eq!(
            bound("to", "2026-09-14", true).ok(),
            Some(1_789_344_000_000 + DAY)
        );
        assert!(bound("from", "yesterday", false).is_err());
    }
}
