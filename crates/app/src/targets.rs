//! Response targets and the support team's business hours: support admins
//! set them; every change to a request moves its target clock (see
//! [`domain::targets`]). Targets are internal: customers are told what
//! usually happens where a target exists, and nothing is promised.
use crate::{App, Caller, Error, Result};
use domain::hours::{BusinessHours, DAY_NAMES, clock_text};
use domain::targets::{ResponseTargets, TargetClock, TargetEvent};
use domain::{Action, Plan, Priority, TicketStatus};
use store::{Request, TargetUpdate};

const HOURS_KEY: &str = "business_hours";

/// The business hours as stored (JSON in the settings table).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredHours {
    time_zone: String,
    days: Vec<String>,
    start: String,
    end: String,
}

/// Every target and the hours they count in.
#[derive(Debug, Clone)]
pub struct TargetSettings {
    pub targets: Vec<(Plan, Priority, ResponseTargets)>,
    pub hours: BusinessHours,
}

impl TargetSettings {
    pub fn for_request(&self, plan: Plan, priority: Priority) -> ResponseTargets {
        self.targets
            .iter()
            .find(|(p, q, _)| *p == plan && *q == priority)
            .map(|(_, _, t)| *t)
            .unwrap_or_default()
    }
}

/// Business hours as typed (page or API).
#[derive(Debug, Clone, Default)]
pub struct HoursInput {
    pub time_zone: String,
    pub days: Vec<String>,
    pub start: String,
    pub end: String,
}

/// The default: weekdays 08:00–17:00, Swedish time.
pub fn default_hours() -> BusinessHours {
    BusinessHours::new("Europe/Stockholm", &DAY_NAMES[..5], "08:00", "17:00")
        .unwrap_or_else(|_| BusinessHours::always())
}

/// Parses a target length in minutes (empty: no target).
pub fn parse_minutes(field: &str, s: &str) -> Result<Option<i64>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(n) if (1..=60 * 24 * 30).contains(&n) => Ok(Some(n)),
        _ => Err(Error::invalid_with(
            field,
            "target_minutes",
            &[("value", s)],
        )),
    }
}

impl App {
    /// The targets and hours as every change uses them.
    pub(crate) async fn target_settings(&self) -> Result<TargetSettings> {
        let hours = match self.store().setting(HOURS_KEY).await? {
            Some(json) => match serde_json::from_str::<StoredHours>(&json) {
                Ok(h) => {
                    let days: Vec<&str> = h.days.iter().map(String::as_str).collect();
                    BusinessHours::new(&h.time_zone, &days, &h.start, &h.end)
                        .unwrap_or_else(|_| default_hours())
                }
                Err(_) => default_hours(),
            },
            None => default_hours(),
        };
        Ok(TargetSettings {
            targets: self.store().response_targets().await?,
            hours,
        })
    }

    /// The targets and hours, for the support admins' settings.
    pub async fn response_targets(&self, caller: &Caller) -> Result<TargetSettings> {
        self.permit(caller, Action::WorkSupportQueue)?;
        self.target_settings().await
    }

    /// Replaces the targets and the business hours (support admins).
    /// Requests already filed keep the clock they have until their next
    /// change.
    pub async fn set_response_targets(
        &self,
        caller: &Caller,
        targets: Vec<(Plan, Priority, ResponseTargets)>,
        hours: Option<HoursInput>,
    ) -> Result<TargetSettings> {
        self.permit(caller, Action::ManageSupportSettings)?;
        if let Some(h) = hours {
            let days: Vec<&str> = h.days.iter().map(String::as_str).collect();
            let parsed = BusinessHours::new(&h.time_zone, &days, &h.start, &h.end)?;
            let stored = StoredHours {
                time_zone: parsed.time_zone.clone(),
                days: parsed.day_names().iter().map(|d| d.to_string()).collect(),
                start: clock_text(parsed.start),
                end: clock_text(parsed.end),
            };
            let json = serde_json::to_string(&stored).map_err(Error::internal)?;
            self.store().set_setting(HOURS_KEY, &json).await?;
        }
        let kept: Vec<_> = targets
            .into_iter()
            .filter(|(plan, _, t)| {
                plan.includes_direct_support()
                    && (t.first_response.is_some() || t.next_response.is_some())
            })
            .collect();
        self.store().set_response_targets(&kept).await?;
        self.target_settings().await
    }

    /// The target clock of a request about to be filed.
    pub(crate) async fn first_target(
        &self,
        plan: Plan,
        priority: Priority,
        now: i64,
    ) -> Result<(TargetClock, Option<i64>)> {
        let settings = self.target_settings().await?;
        let clock = TargetClock::default().after(
            TargetEvent::Filed,
            TicketStatus::New,
            &settings.for_request(plan, priority),
            &settings.hours,
            now,
        );
        Ok((clock, clock.due_at(&settings.hours)))
    }

    /// A request's target clock after `event`, with its new status and
    /// priority.
    pub(crate) async fn next_target(
        &self,
        request: &Request,
        event: TargetEvent,
        status: TicketStatus,
        priority: Priority,
    ) -> Result<TargetUpdate> {
        let settings = self.target_settings().await?;
        let now = self.now();
        let clock = request.target.after(
            event,
            status,
            &settings.for_request(request.org_plan, priority),
            &settings.hours,
            now,
        );
        let ended = request.target.kind.is_some() && clock.kind != request.target.kind;
        Ok(TargetUpdate {
            due_at: clock.due_at(&settings.hours),
            clock,
            first_response: event == TargetEvent::AgentResponded,
            missed: ended && request.target.missed_at(&settings.hours, now),
        })
    }

    /// What a customer may be told about when support usually answers:
    /// the target now awaited (in business minutes) and the hours it counts
    /// in, only where a target exists and runs.
    pub async fn usual_answer(&self, request: &Request) -> Result<Option<(i64, BusinessHours)>> {
        if !request.target.running() {
            return Ok(None);
        }
        let settings = self.target_settings().await?;
        Ok(Some((request.target.minutes, settings.hours)))
    }

    /// Time left on a request's target (negative: overdue), if one runs or
    /// is paused, and whether it is paused.
    pub async fn target_left(&self, request: &Request) -> Result<Option<(i64, bool)>> {
        let settings = self.target_settings().await?;
        Ok(request
            .target
            .left_ms(&settings.hours, self.now())
            .map(|left| (left, request.target.paused())))
    }
}
