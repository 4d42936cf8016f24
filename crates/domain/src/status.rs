//! The status page: component statuses, incidents and maintenance with their
//! state machines, the page's overall indicator, and uptime.
use crate::types::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

crate::types::string_enum!(
    /// A feature's status, with Atlassian Statuspage's names.
    ComponentStatus, "component status", {
        Operational => "operational",
        DegradedPerformance => "degraded_performance",
        PartialOutage => "partial_outage",
        MajorOutage => "major_outage",
        UnderMaintenance => "under_maintenance",
    }
);

impl ComponentStatus {
    /// How bad it is, for picking the worst: maintenance ranks below any
    /// problem, above operational.
    pub fn severity(self) -> u8 {
        match self {
            ComponentStatus::Operational => 0,
            ComponentStatus::UnderMaintenance => 1,
            ComponentStatus::DegradedPerformance => 2,
            ComponentStatus::PartialOutage => 3,
            ComponentStatus::MajorOutage => 4,
        }
    }

    /// The share of a period in this status that counts as downtime:
    /// a major outage fully, a partial outage for 30 %, nothing else.
    pub fn downtime_weight(self) -> f64 {
        match self {
            ComponentStatus::MajorOutage => 1.0,
            ComponentStatus::PartialOutage => 0.3,
            _ => 0.0,
        }
    }
}

crate::types::string_enum!(
    /// How much an incident hurts.
    Impact, "impact", { None => "none", Minor => "minor", Major => "major", Critical => "critical" }
);

crate::types::string_enum!(
    /// An incident's progress.
    IncidentStatus, "incident status", {
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Resolved => "resolved",
    }
);

crate::types::string_enum!(
    /// Scheduled maintenance's progress.
    MaintenanceStatus, "maintenance status", {
        Scheduled => "scheduled",
        InProgress => "in_progress",
        Verifying => "verifying",
        Completed => "completed",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot move {what} from {from} to {to}: {why}")]
pub struct StatusRefused {
    pub what: &'static str,
    /// A stable code for the reason, for messages in the reader's language.
    pub code: &'static str,
    pub from: String,
    pub to: String,
    pub why: &'static str,
}

/// Incidents move freely between investigating, identified and monitoring
/// (a fix that did not hold goes back to investigating); resolved is final,
/// and a problem that returns is a new incident.
pub fn incident_transition(
    from: IncidentStatus,
    to: IncidentStatus,
) -> Result<IncidentStatus, StatusRefused> {
    if from == IncidentStatus::Resolved {
        return Err(StatusRefused {
            what: "an incident",
            code: "incident_resolved",
            from: from.to_string(),
            to: to.to_string(),
            why: "resolved incidents are final; post a new incident if the problem returns",
        });
    }
    Ok(to)
}

/// Maintenance runs scheduled → in progress → verifying → completed;
/// verifying may go back to in progress, and scheduled maintenance may be
/// completed at once (cancelled). Completed is final.
pub fn maintenance_transition(
    from: MaintenanceStatus,
    to: MaintenanceStatus,
) -> Result<MaintenanceStatus, StatusRefused> {
    use MaintenanceStatus::*;
    let ok = matches!(
        (from, to),
        (Scheduled, InProgress)
            | (Scheduled, Completed)
            | (InProgress, Verifying)
            | (InProgress, Completed)
            | (Verifying, InProgress)
            | (Verifying, Completed)
    ) || (from == to && from != Completed);
    if ok {
        Ok(to)
    } else {
        Err(StatusRefused {
            what: "maintenance",
            code: if from == Completed {
                "maintenance_completed"
            } else {
                "maintenance_order"
            },
            from: from.to_string(),
            to: to.to_string(),
            why: if from == Completed {
                "completed maintenance is final"
            } else {
                "maintenance runs scheduled, in progress, verifying, completed"
            },
        })
    }
}

/// What the clock does to maintenance on its own: it starts at
/// `scheduled_for` and completes at `scheduled_until`.
pub fn maintenance_due(
    status: MaintenanceStatus,
    starts: i64,
    ends: i64,
    now: i64,
) -> Option<MaintenanceStatus> {
    match status {
        MaintenanceStatus::Scheduled if now >= ends => Some(MaintenanceStatus::Completed),
        MaintenanceStatus::Scheduled if now >= starts => Some(MaintenanceStatus::InProgress),
        MaintenanceStatus::InProgress | MaintenanceStatus::Verifying if now >= ends => {
            Some(MaintenanceStatus::Completed)
        }
        _ => None,
    }
}

/// The page's overall state, Statuspage-style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overall {
    /// `none`, `minor`, `major` or `critical`.
    pub indicator: Impact,
    /// A stable key for the human description (`all_operational`,
    /// `degraded`, `partial_outage`, `major_outage`, `maintenance`, `minor_outage`).
    pub key: &'static str,
}

impl Overall {
    /// Atlassian Statuspage's English wording for `status.description`.
    pub fn description(self) -> &'static str {
        match self.key {
            "all_operational" => "All Systems Operational",
            "maintenance" => "Service Under Maintenance",
            "degraded" => "Partially Degraded Service",
            "minor_outage" => "Minor Service Outage",
            "partial_outage" => "Partial System Outage",
            _ => "Major Service Outage",
        }
    }
}

/// The worst of the components' statuses and the unresolved incidents'
/// impacts.
pub fn overall(components: &[ComponentStatus], open_incidents: &[Impact]) -> Overall {
    let worst = components
        .iter()
        .copied()
        .max_by_key(|c| c.severity())
        .unwrap_or(ComponentStatus::Operational);
    let worst_impact = open_incidents
        .iter()
        .copied()
        .max_by_key(|i| i.rank())
        .unwrap_or(Impact::None);
    let from_components = match worst {
        ComponentStatus::MajorOutage => (Impact::Critical, "major_outage"),
        ComponentStatus::PartialOutage => (Impact::Major, "partial_outage"),
        ComponentStatus::DegradedPerformance => (Impact::Minor, "degraded"),
        ComponentStatus::UnderMaintenance => (Impact::None, "maintenance"),
        ComponentStatus::Operational => (Impact::None, "all_operational"),
    };
    let from_incidents = match worst_impact {
        Impact::Critical => (Impact::Critical, "major_outage"),
        Impact::Major => (Impact::Major, "partial_outage"),
        Impact::Minor => (Impact::Minor, "minor_outage"),
        Impact::None => (Impact::None, "all_operational"),
    };
    let (indicator, key) = if from_incidents.0.rank() > from_components.0.rank() {
        from_incidents
    } else {
        from_components
    };
    Overall { indicator, key }
}

impl Impact {
    pub fn rank(self) -> u8 {
        match self {
            Impact::None => 0,
            Impact::Minor => 1,
            Impact::Major => 2,
            Impact::Critical => 3,
        }
    }
}

pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// One day of a component's uptime.
#[derive(Debug, Clone, PartialEq)]
pub struct UptimeDay {
    /// Start of the UTC day, in ms.
    pub day_start: i64,
    /// 0.0 to 1.0, or `None` for days before the component existed or in
    /// the future.
    pub uptime: Option<f64>,
    /// The worst status seen that day.
    pub worst: ComponentStatus,
    /// Minutes of major and partial outage.
    pub major_minutes: i64,
    pub partial_minutes: i64,
}

/// Per-day uptime over the `days` UTC days ending with today, from a
/// component's status history: `(since, status)` changes in time order,
/// the first being when the component was created.
pub fn uptime_days(history: &[(i64, ComponentStatus)], now: i64, days: i64) -> Vec<UptimeDay> {
    let today = now.div_euclid(DAY_MS) * DAY_MS;
    let first_day = today - (days - 1) * DAY_MS;
    let created = history.first().map(|(t, _)| *t).unwrap_or(now);
    (0..days)
        .map(|i| {
            let start = first_day + i * DAY_MS;
            let end = (start + DAY_MS).min(now);
            let from = start.max(created);
            if from >= end {
                return UptimeDay {
                    day_start: start,
                    uptime: None,
                    worst: ComponentStatus::Operational,
                    major_minutes: 0,
                    partial_minutes: 0,
                };
            }
            let mut down = 0.0;
            let mut worst = ComponentStatus::Operational;
            let (mut major, mut partial) = (0i64, 0i64);
            for (k, (since, status)) in history.iter().enumerate() {
                let until = history.get(k + 1).map(|(t, _)| *t).unwrap_or(i64::MAX);
                let a = (*since).max(from);
                let b = until.min(end);
                if b <= a {
                    continue;
                }
                let span = (b - a) as f64;
                down += span * status.downtime_weight();
                if status.severity() > worst.severity() {
                    worst = *status;
                }
                match status {
                    ComponentStatus::MajorOutage => major += (b - a) / 60_000,
                    ComponentStatus::PartialOutage => partial += (b - a) / 60_000,
                    _ => {}
                }
            }
            let total = (end - from) as f64;
            UptimeDay {
                day_start: start,
                uptime: Some(1.0 - down / total),
                worst,
                major_minutes: major,
                partial_minutes: partial,
            }
        })
        .collect()
}

/// Uptime over all measured days (time-weighted), or `None` if none.
pub fn uptime_total(history: &[(i64, ComponentStatus)], now: i64, days: i64) -> Option<f64> {
    let today = now.div_euclid(DAY_MS) * DAY_MS;
    let window_start =
        (today - (days - 1) * DAY_MS).max(history.first().map(|(t, _)| *t).unwrap_or(now));
    if window_start >= now {
        return None;
    }
    let mut down = 0.0;
    for (k, (since, status)) in history.iter().enumerate() {
        let until = history.get(k + 1).map(|(t, _)| *t).unwrap_or(i64::MAX);
        let a = (*since).max(window_start);
        let b = until.min(now);
        if b > a {
            down += (b - a) as f64 * status.downtime_weight();
        }
    }
    Some(1.0 - down / (now - window_start) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComponentStatus::*;

    #[test]
    fn incidents_are_final_once_resolved() {
        for from in IncidentStatus::ALL {
            for to in IncidentStatus::ALL {
                let r = incident_transition(*from, *to);
                assert_eq!(
                    r.is_ok(),
                    *from != IncidentStatus::Resolved,
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn maintenance_table() {
        use MaintenanceStatus::*;
        let allowed = [
            (Scheduled, Scheduled),
            (Scheduled, InProgress),
            (Scheduled, Completed),
            (InProgress, InProgress),
            (InProgress, Verifying),
            (InProgress, Completed),
            (Verifying, Verifying),
            (Verifying, InProgress),
            (Verifying, Completed),
        ];
        for from in MaintenanceStatus::ALL {
            for to in MaintenanceStatus::ALL {
                assert_eq!(
                    maintenance_transition(*from, *to).is_ok(),
                    allowed.contains(&(*from, *to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn maintenance_runs_on_the_clock() {
        use MaintenanceStatus::*;
        assert_eq!(maintenance_due(Scheduled, 100, 200, 99), None);
        assert_eq!(maintenance_due(Scheduled, 100, 200, 100), Some(InProgress));
        assert_eq!(maintenance_due(InProgress, 100, 200, 150), None);
        assert_eq!(maintenance_due(Verifying, 100, 200, 200), Some(Completed));
        assert_eq!(maintenance_due(Scheduled, 100, 200, 250), Some(Completed));
        assert_eq!(maintenance_due(Completed, 100, 200, 250), None);
    }

    #[test]
    fn overall_is_the_worst() {
        assert_eq!(
            overall(&[Operational, Operational], &[]).description(),
            "All Systems Operational"
        );
        assert_eq!(
            overall(&[Operational, DegradedPerformance], &[]).indicator,
            Impact::Minor
        );
        assert_eq!(
            overall(&[PartialOutage, DegradedPerformance], &[]).description(),
            "Partial System Outage"
        );
        assert_eq!(
            overall(&[MajorOutage], &[Impact::Minor]).indicator,
            Impact::Critical
        );
        assert_eq!(
            overall(&[Operational], &[Impact::Major]).indicator,
            Impact::Major
        );
        assert_eq!(
            overall(&[Operational], &[Impact::Minor]).description(),
            "Minor Service Outage"
        );
        assert_eq!(
            overall(&[UnderMaintenance], &[]).description(),
            "Service Under Maintenance"
        );
        assert_eq!(overall(&[], &[]).indicator, Impact::None);
    }

    const H: i64 = 3_600_000;
    const M: i64 = 60_000;

    #[test]
    fn uptime_against_a_hand_computed_history() {
        // Day 0 starts at 0. The component exists from 06:00 on day 0.
        // Day 0: 06:00-24:00 operational except a major outage 12:00-13:00.
        //   measured 18 h, down 1 h -> 17/18.
        // Day 1: partial outage 00:00-10:00 (weight 0.3 -> 3 h down),
        //   degraded 10:00-12:00 (not downtime), operational after -> 21/24.
        // Day 2 (today, now = 12:00): under maintenance 00:00-06:00 (not
        //   downtime), major 06:00-06:30 -> 0.5 h of 12 h down -> 11.5/12.
        let history = vec![
            (6 * H, Operational),
            (12 * H, MajorOutage),
            (13 * H, Operational),
            (24 * H, PartialOutage),
            (34 * H, DegradedPerformance),
            (36 * H, Operational),
            (48 * H, UnderMaintenance),
            (54 * H, MajorOutage),
            (54 * H + 30 * M, Operational),
        ];
        let now = 60 * H;
        let days = uptime_days(&history, now, 4);
        assert_eq!(days.len(), 4);
        assert_eq!(days[0].uptime, None, "before the component existed");
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
        assert!(close(days[1].uptime, 17.0 / 18.0), "{:?}", days[1]);
        assert!(close(days[2].uptime, 21.0 / 24.0), "{:?}", days[2]);
        assert!(close(days[3].uptime, 11.5 / 12.0), "{:?}", days[3]);
        assert_eq!(days[1].worst, MajorOutage);
        assert_eq!(days[1].major_minutes, 60);
        assert_eq!(days[2].worst, PartialOutage);
        assert_eq!(days[2].partial_minutes, 600);
        assert_eq!(days[3].major_minutes, 30);
        // Over the whole window: 54 h measured, 1 + 3 + 0.5 = 4.5 h down.
        let total = uptime_total(&history, now, 4).expect("total");
        assert!((total - (1.0 - 4.5 / 54.0)).abs() < 1e-9, "{total}");
    }

    #[test]
    fn uptime_window_starts_ninety_days_back() {
        let history = vec![(0, Operational)];
        let now = 200 * DAY_MS + 5 * H;
        let days = uptime_days(&history, now, 90);
        assert_eq!(days.first().map(|d| d.day_start), Some(111 * DAY_MS));
        assert_eq!(days.last().map(|d| d.day_start), Some(200 * DAY_MS));
        assert!(days.iter().all(|d| d.uptime == Some(1.0)));
    }
}
