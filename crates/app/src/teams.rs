//! Support teams: support admins name teams, give each its business hours
//! and its agents, and put organisations in them; the response targets of
//! an organisation's requests then count in its team's hours (see
//! [`crate::targets`]). Agents see the teams, to filter the queue by one.
use crate::targets::{HoursInput, Team, parse_hours};
use crate::{App, Caller, Error, Result};
use domain::Action;
use domain::hours::{BusinessHours, clock_text};
use domain::text::{self, limits};
use store::{Organisation, Scope, StoreError, TeamFields, User};

/// A team as typed (page or API); on a change, what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    pub name: Option<String>,
    pub hours: Option<HoursInput>,
    /// Agents' user ids.
    pub members: Option<Vec<String>>,
}

fn duplicate(e: StoreError) -> Error {
    match e {
        StoreError::Duplicate(_) => Error::conflict("name", "duplicate_team"),
        other => other.into(),
    }
}

impl App {
    /// Every support team, by name (staff).
    pub async fn support_teams(&self, caller: &Caller) -> Result<Vec<Team>> {
        self.permit(caller, Action::WorkSupportQueue)?;
        Ok(self.target_settings().await?.teams.clone())
    }

    pub async fn support_team(&self, caller: &Caller, id: &str) -> Result<Team> {
        self.permit(caller, Action::WorkSupportQueue)?;
        self.target_settings()
            .await?
            .team(id)
            .cloned()
            .ok_or(Error::NotFound)
    }

    /// The team serving an organisation, if any (staff).
    pub async fn team_of_org(&self, caller: &Caller, org_id: &str) -> Result<Option<Team>> {
        self.permit(caller, Action::WorkSupportQueue)?;
        Ok(self.target_settings().await?.team_of(org_id).cloned())
    }

    /// The agents who can be put in a team.
    pub async fn team_candidates(&self, caller: &Caller) -> Result<Vec<User>> {
        self.permit(caller, Action::WorkSupportQueue)?;
        Ok(self.store().staff_users().await?)
    }

    async fn checked_members(&self, ids: &[String]) -> Result<Vec<String>> {
        let staff = self.store().staff_users().await?;
        let mut out: Vec<String> = Vec::new();
        for id in ids {
            let id = id.trim();
            if id.is_empty() || out.iter().any(|o| o == id) {
                continue;
            }
            if !staff.iter().any(|u| u.id == id) {
                return Err(Error::invalid_with(
                    "members",
                    "unknown_agent",
                    &[("value", id)],
                ));
            }
            out.push(id.to_string());
        }
        Ok(out)
    }

    /// Creates a team (support admins); hours left out are the default
    /// hours.
    pub async fn create_support_team(&self, caller: &Caller, input: TeamInput) -> Result<Team> {
        self.permit(caller, Action::ManageSupportSettings)?;
        let name = text::line("name", input.name.as_deref().unwrap_or(""), limits::NAME)?;
        let hours = match &input.hours {
            Some(h) => parse_hours(h)?,
            None => self.target_settings().await?.hours.clone(),
        };
        let members = self
            .checked_members(input.members.as_deref().unwrap_or(&[]))
            .await?;
        let stored = StoredTeam::of(&hours);
        let id = self
            .store()
            .create_support_team(&stored.fields(&name), &members, self.now())
            .await
            .map_err(duplicate)?;
        self.targets_changed().await;
        self.support_team(caller, &id).await
    }

    /// Renames a team, changes its hours or its agents (support admins).
    /// Requests already filed keep their clock until their next change.
    pub async fn update_support_team(
        &self,
        caller: &Caller,
        id: &str,
        input: TeamInput,
    ) -> Result<Team> {
        self.permit(caller, Action::ManageSupportSettings)?;
        let team = self.support_team(caller, id).await?;
        let name = match &input.name {
            Some(n) => text::line("name", n, limits::NAME)?,
            None => team.name.clone(),
        };
        let hours = match &input.hours {
            Some(h) => parse_hours(h)?,
            None => team.hours.clone(),
        };
        let members = match &input.members {
            Some(m) => Some(self.checked_members(m).await?),
            None => None,
        };
        let stored = StoredTeam::of(&hours);
        let found = self
            .store()
            .update_support_team(id, &stored.fields(&name), members.as_deref())
            .await
            .map_err(duplicate)?;
        self.targets_changed().await;
        if !found {
            return Err(Error::NotFound);
        }
        self.support_team(caller, id).await
    }

    /// Deletes a team (support admins): its organisations count in the
    /// default hours from their requests' next change.
    pub async fn delete_support_team(&self, caller: &Caller, id: &str) -> Result<()> {
        self.permit(caller, Action::ManageSupportSettings)?;
        let found = self.store().delete_support_team(id).await?;
        self.targets_changed().await;
        if found { Ok(()) } else { Err(Error::NotFound) }
    }

    /// Puts an organisation in a team, or in none (`None`: the default
    /// hours). Support admins.
    pub async fn set_org_team(
        &self,
        caller: &Caller,
        org_id: &str,
        team_id: Option<&str>,
    ) -> Result<Organisation> {
        self.permit(caller, Action::ViewOrganisation { org_id })?;
        self.permit(caller, Action::ManageSupportSettings)?;
        let team_id = team_id.map(str::trim).filter(|t| !t.is_empty());
        if let Some(t) = team_id
            && self.target_settings().await?.team(t).is_none()
        {
            return Err(Error::invalid_with(
                "support_team",
                "unknown_team",
                &[("value", t)],
            ));
        }
        if !self.store().set_org_team(org_id, team_id).await? {
            return Err(Error::NotFound);
        }
        self.targets_changed().await;
        self.store()
            .org(Scope::Staff, org_id)
            .await?
            .ok_or(Error::NotFound)
    }
}

/// Hours in the columns of `support_teams`.
struct StoredTeam {
    time_zone: String,
    days: String,
    opens: String,
    closes: String,
}

impl StoredTeam {
    fn of(h: &BusinessHours) -> Self {
        Self {
            time_zone: h.time_zone.clone(),
            days: h.day_names().join(","),
            opens: clock_text(h.start),
            closes: clock_text(h.end),
        }
    }

    fn fields<'a>(&'a self, name: &'a str) -> TeamFields<'a> {
        TeamFields {
            name,
            time_zone: &self.time_zone,
            days: &self.days,
            opens: &self.opens,
            closes: &self.closes,
        }
    }
}
