//! Response targets and the support team's business hours: support admins
//! set them; every change to a request moves its target clock (see
//! [`domain::targets`]). Targets are internal: customers are told what
//! usually happens where a target exists, and nothing is promised.
use crate::{App, Caller, Error, Result};
use domain::hours::{BusinessHours, DAY_NAMES, clock_text};
use domain::targets::{ResponseTargets, TargetClock, TargetEvent};
use domain::{Action, Plan, Priority, TicketStatus};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
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

/// Every target and the hours they count in: the default hours, and each
/// support team's for the organisations it serves. Read once per process
/// and kept until a support admin changes something (here, or on another
/// instance, which says so by `NOTIFY`).
#[derive(Debug, Clone)]
pub struct TargetSettings {
    pub targets: Vec<(Plan, Priority, ResponseTargets)>,
    /// The hours of organisations without a team.
    pub hours: BusinessHours,
    /// Every support team, by name.
    pub teams: Vec<Team>,
    /// Organisation id → index in `teams`.
    org_teams: HashMap<String, usize>,
}

/// A support team: its hours and its agents.
#[derive(Debug, Clone)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub hours: BusinessHours,
    /// Agents' user ids.
    pub members: Vec<String>,
    /// How many organisations it serves.
    pub organisations: usize,
    pub created_at: i64,
}

impl TargetSettings {
    pub fn for_request(&self, plan: Plan, priority: Priority) -> ResponseTargets {
        self.targets
            .iter()
            .find(|(p, q, _)| *p == plan && *q == priority)
            .map(|(_, _, t)| *t)
            .unwrap_or_default()
    }

    /// The team serving an organisation, if any.
    pub fn team_of(&self, org_id: &str) -> Option<&Team> {
        self.org_teams.get(org_id).and_then(|i| self.teams.get(*i))
    }

    /// The hours an organisation's targets count in.
    pub fn hours_for(&self, org_id: &str) -> &BusinessHours {
        self.team_of(org_id).map_or(&self.hours, |t| &t.hours)
    }

    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.id == id)
    }
}

/// The cached [`TargetSettings`], with a generation so that a read that
/// raced a change does not put the old settings back.
#[derive(Default)]
pub(crate) struct TargetCache {
    settings: RwLock<Option<Arc<TargetSettings>>>,
    generation: AtomicU64,
}

impl TargetCache {
    fn get(&self) -> Option<Arc<TargetSettings>> {
        self.settings.read().ok().and_then(|s| s.clone())
    }

    fn put(&self, generation: u64, settings: Arc<TargetSettings>) {
        if let Ok(mut s) = self.settings.write()
            && self.generation.load(Ordering::SeqCst) == generation
        {
            *s = Some(settings);
        }
    }

    /// Drops the cached settings: the next use reads them again.
    pub(crate) fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut s) = self.settings.write() {
            *s = None;
        }
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

/// Business hours from their parts as typed.
pub(crate) fn parse_hours(h: &HoursInput) -> Result<BusinessHours> {
    let days: Vec<&str> = h.days.iter().map(String::as_str).collect();
    Ok(BusinessHours::new(&h.time_zone, &days, &h.start, &h.end)?)
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
    pub(crate) async fn target_settings(&self) -> Result<Arc<TargetSettings>> {
        if let Some(s) = self.targets.get() {
            return Ok(s);
        }
        let generation = self.targets.generation.load(Ordering::SeqCst);
        let settings = Arc::new(self.read_target_settings().await?);
        self.targets.put(generation, settings.clone());
        Ok(settings)
    }

    async fn read_target_settings(&self) -> Result<TargetSettings> {
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
        let members = self.store().support_team_members().await?;
        let mut teams: Vec<Team> = self
            .store()
            .support_teams()
            .await?
            .into_iter()
            .map(|t| {
                let days: Vec<&str> = t.days.split(',').filter(|d| !d.is_empty()).collect();
                Team {
                    hours: BusinessHours::new(&t.time_zone, &days, &t.opens, &t.closes)
                        .unwrap_or_else(|_| default_hours()),
                    members: members
                        .iter()
                        .filter(|(team, _)| *team == t.id)
                        .map(|(_, user)| user.clone())
                        .collect(),
                    organisations: 0,
                    id: t.id,
                    name: t.name,
                    created_at: t.created_at,
                }
            })
            .collect();
        let index: HashMap<String, usize> = teams
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let mut org_teams = HashMap::new();
        for (org, team) in self.store().org_teams().await? {
            if let Some(i) = index.get(&team) {
                teams[*i].organisations += 1;
                org_teams.insert(org, *i);
            }
        }
        Ok(TargetSettings {
            targets: self.store().response_targets().await?,
            hours,
            teams,
            org_teams,
        })
    }

    /// After a support admin changed targets, hours or teams: forgets the
    /// cached settings here and tells the other instances to.
    pub(crate) async fn targets_changed(&self) {
        self.targets.forget();
        self.tell_others(crate::changes::Topic::Targets, "").await;
    }

    /// The targets and hours, for the support admins' settings.
    pub async fn response_targets(&self, caller: &Caller) -> Result<Arc<TargetSettings>> {
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
    ) -> Result<Arc<TargetSettings>> {
        self.permit(caller, Action::ManageSupportSettings)?;
        if let Some(h) = hours {
            let parsed = parse_hours(&h)?;
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
        self.targets_changed().await;
        self.target_settings().await
    }

    /// The target clock of a request about to be filed.
    pub(crate) async fn first_target(
        &self,
        org_id: &str,
        plan: Plan,
        priority: Priority,
        now: i64,
    ) -> Result<(TargetClock, Option<i64>)> {
        let settings = self.target_settings().await?;
        let clock = TargetClock::default().after(
            TargetEvent::Filed,
            TicketStatus::New,
            &settings.for_request(plan, priority),
            settings.hours_for(org_id),
            now,
        );
        Ok((clock, clock.due_at(settings.hours_for(org_id))))
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
        let hours = settings.hours_for(&request.org_id);
        let now = self.now();
        let clock = request.target.after(
            event,
            status,
            &settings.for_request(request.org_plan, priority),
            hours,
            now,
        );
        let ended = request.target.kind.is_some() && clock.kind != request.target.kind;
        Ok(TargetUpdate {
            due_at: clock.due_at(hours),
            clock,
            first_response: event == TargetEvent::AgentResponded,
            missed: ended && request.target.missed_at(hours, now),
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
        Ok(Some((
            request.target.minutes,
            settings.hours_for(&request.org_id).clone(),
        )))
    }

    /// Time left on a request's target (negative: overdue), if one runs or
    /// is paused, and whether it is paused.
    pub async fn target_left(&self, request: &Request) -> Result<Option<(i64, bool)>> {
        let settings = self.target_settings().await?;
        Ok(request
            .target
            .left_ms(settings.hours_for(&request.org_id), self.now())
            .map(|left| (left, request.target.paused())))
    }
}
