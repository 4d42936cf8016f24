//! The status page's use cases: features (components), incidents and their
//! updates, scheduled maintenance, what support pages show of ongoing
//! problems, and everything the public snapshot is made from. The status
//! desk page and `POST /api/v1/incidents` (and their siblings) call the same
//! functions here, with the same checks. Every change publishes
//! [`Topic::Status`].
use crate::changes::Topic;
use crate::i18n::{Tr, parse_time};
use crate::subscriptions::{SubscriberNotice, subscriber_notice};
use crate::{App, Caller, Error, Result};
use domain::Action;
use domain::status::{
    ComponentStatus, DAY_MS, Impact, IncidentStatus, MaintenanceStatus, incident_transition,
    maintenance_transition,
};
use domain::text::{self, limits};
use std::collections::{BTreeMap, HashMap};
use store::{
    Component, ComponentChange, ComponentRef, Incident, IncidentComponent, IncidentUpdate,
    NewIncident, NewIncidentUpdate,
};

/// A new feature, as typed.
#[derive(Debug, Default, Clone)]
pub struct ComponentInput {
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    pub position: Option<i64>,
    pub status: Option<String>,
}

/// A change to a feature; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct ComponentPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    /// `Some(None)` takes the feature out of its group.
    pub group: Option<Option<String>>,
    pub position: Option<i64>,
    pub status: Option<String>,
}

/// A new incident, as typed: affected features with each one's status.
#[derive(Debug, Default, Clone)]
pub struct IncidentInput {
    pub name: String,
    pub status: String,
    pub impact: String,
    pub body: String,
    pub components: BTreeMap<String, String>,
}

/// An update on an incident or maintenance.
#[derive(Debug, Default, Clone)]
pub struct UpdateInput {
    pub status: String,
    pub body: String,
    /// Features whose status changes with this update.
    pub components: BTreeMap<String, String>,
}

/// Scheduled maintenance, as typed (RFC 3339 or a form's local time, UTC).
#[derive(Debug, Default, Clone)]
pub struct MaintenanceInput {
    pub name: String,
    pub body: String,
    pub scheduled_for: String,
    pub scheduled_until: String,
    pub components: Vec<String>,
}

/// An incident with what its pages show.
pub struct IncidentDetail {
    pub incident: Incident,
    /// Newest first.
    pub updates: Vec<IncidentUpdate>,
    /// (id, name) of the affected features.
    pub components: Vec<(String, String)>,
    /// How many support requests are linked to it.
    pub linked: usize,
}

/// Everything the public page, the v2 documents and the feeds are made of.
pub struct StatusData {
    pub now: i64,
    pub page_id: String,
    pub components: Vec<Component>,
    pub history: HashMap<String, Vec<(i64, ComponentStatus)>>,
    /// The latest incidents and maintenances, newest first.
    pub incidents: Vec<Incident>,
    pub maintenances: Vec<Incident>,
    /// Unresolved incidents and maintenance not yet completed.
    pub open: Vec<Incident>,
    pub updates: HashMap<String, Vec<IncidentUpdate>>,
    pub affected: HashMap<String, Vec<IncidentComponent>>,
    /// The Web Push public key, for the page's "notify me" button.
    pub vapid_key: String,
}

/// Days of uptime bars on the public page.
pub const UPTIME_DAYS: i64 = 90;

fn parse_component_status(field: &str, s: &str) -> Result<ComponentStatus> {
    ComponentStatus::parse(s).map_err(|e| Error::from(e).in_field(field))
}

impl App {
    /// Checks that every id names a listed feature (`field` at fault).
    pub(crate) async fn check_components(&self, field: &str, ids: &[String]) -> Result<()> {
        let known = self.store().component_refs().await?;
        for id in ids {
            if !known.iter().any(|c| &c.id == id) {
                return Err(Error::invalid_with(
                    field,
                    "unknown_component",
                    &[("value", id)],
                ));
            }
        }
        Ok(())
    }

    async fn parse_components(
        &self,
        map: &BTreeMap<String, String>,
    ) -> Result<Vec<(String, ComponentStatus)>> {
        let ids: Vec<String> = map.keys().cloned().collect();
        self.check_components("components", &ids).await?;
        map.iter()
            .map(|(id, s)| Ok((id.clone(), parse_component_status("components", s)?)))
            .collect()
    }

    // ---- reads (public) ----------------------------------------------------------

    /// The features, in display order.
    pub async fn components(&self) -> Result<Vec<Component>> {
        Ok(self.store().components().await?)
    }

    /// Ids and names of the features, for choosers.
    pub async fn component_refs(&self) -> Result<Vec<ComponentRef>> {
        Ok(self.store().component_refs().await?)
    }

    /// The features as (id, name) pairs, for a form's choices.
    pub async fn component_choices(&self) -> Result<Vec<(String, String)>> {
        Ok(self
            .component_refs()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect())
    }

    /// Unresolved incidents (not maintenance), with their features: what
    /// support pages show as known problems.
    pub async fn known_problems(&self) -> Result<Vec<IncidentDetail>> {
        let open: Vec<Incident> = self
            .store()
            .open_incidents()
            .await?
            .into_iter()
            .filter(|i| i.kind == "incident")
            .collect();
        self.details(open, false).await
    }

    /// Unresolved incidents and maintenance with updates and linked
    /// requests: the status desk (staff).
    pub async fn open_for_desk(&self, caller: &Caller) -> Result<Vec<IncidentDetail>> {
        self.permit(caller, Action::ManageStatusPage)?;
        let open = self.store().open_incidents().await?;
        self.details(open, true).await
    }

    /// One incident or maintenance with its whole timeline (public).
    pub async fn incident(&self, id: &str) -> Result<IncidentDetail> {
        let incident = self.store().incident(id).await?.ok_or(Error::NotFound)?;
        let mut list = self.details(vec![incident], false).await?;
        list.pop().ok_or(Error::NotFound)
    }

    async fn details(&self, list: Vec<Incident>, linked: bool) -> Result<Vec<IncidentDetail>> {
        let ids: Vec<String> = list.iter().map(|i| i.id.clone()).collect();
        let store = self.store();
        let updates = store.incident_updates(&ids).await?;
        let affected = store.incident_components(&ids).await?;
        let components = store.component_refs().await?;
        let mut out = Vec::with_capacity(list.len());
        for incident in list {
            out.push(IncidentDetail {
                updates: updates
                    .iter()
                    .filter(|u| u.incident_id == incident.id)
                    .cloned()
                    .collect(),
                components: affected
                    .iter()
                    .filter(|a| a.incident_id == incident.id)
                    .filter_map(|a| {
                        components
                            .iter()
                            .find(|c| c.id == a.component_id)
                            .map(|c| (c.id.clone(), c.name.clone()))
                    })
                    .collect(),
                linked: if linked {
                    store.linked_requests(&incident.id).await?.len()
                } else {
                    0
                },
                incident,
            });
        }
        Ok(out)
    }

    /// Everything the public status documents are made from.
    pub async fn status_data(&self) -> Result<StatusData> {
        let store = self.store();
        let now = self.now();
        let page_id = store
            .setting_or_insert("page_id", &store::new_secret("").0[..12])
            .await?;
        let components = store.components().await?;
        let window = (now.div_euclid(DAY_MS) - UPTIME_DAYS) * DAY_MS;
        let mut history: HashMap<String, Vec<(i64, ComponentStatus)>> = HashMap::new();
        for (id, since, s) in store.component_history(window).await? {
            let s = ComponentStatus::parse(&s).unwrap_or(ComponentStatus::Operational);
            history.entry(id).or_default().push((since, s));
        }
        let incidents = store.incidents("incident", 50).await?;
        let maintenances = store.incidents("maintenance", 50).await?;
        let open = store.open_incidents().await?;
        let mut ids: Vec<String> = incidents
            .iter()
            .chain(&maintenances)
            .chain(&open)
            .map(|i| i.id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let mut updates: HashMap<String, Vec<IncidentUpdate>> = HashMap::new();
        for u in store.incident_updates(&ids).await? {
            updates.entry(u.incident_id.clone()).or_default().push(u);
        }
        let mut affected: HashMap<String, Vec<IncidentComponent>> = HashMap::new();
        for c in store.incident_components(&ids).await? {
            affected.entry(c.incident_id.clone()).or_default().push(c);
        }
        Ok(StatusData {
            now,
            page_id,
            components,
            history,
            incidents,
            maintenances,
            open,
            updates,
            affected,
            vapid_key: self.vapid_public_key().to_string(),
        })
    }

    // ---- features ----------------------------------------------------------------

    pub async fn create_component(
        &self,
        caller: &Caller,
        input: ComponentInput,
    ) -> Result<Component> {
        self.permit(caller, Action::ManageStatusPage)?;
        let name = text::line("name", &input.name, limits::COMPONENT_NAME)?;
        let description = text::optional_block(
            "description",
            input.description.as_deref().unwrap_or(""),
            limits::COMPONENT_DESCRIPTION,
        )?;
        let group = text::optional_line(
            "group",
            input.group.as_deref().unwrap_or(""),
            limits::COMPONENT_NAME,
        )?;
        let status = input
            .status
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_component_status("status", s))
            .transpose()?;
        let now = self.now();
        let position = match input.position {
            Some(p) => p,
            None => i64::try_from(self.store().components().await?.len()).unwrap_or(0),
        };
        let id = self
            .store()
            .create_component(
                &name,
                description.as_deref().unwrap_or(""),
                group.as_deref(),
                position,
                now,
            )
            .await?;
        if let Some(s) = status.filter(|s| *s != ComponentStatus::Operational) {
            let change = ComponentChange {
                status: Some(s),
                ..Default::default()
            };
            self.store().update_component(&id, &change, now).await?;
        }
        self.publish(Topic::Status).await;
        self.store().component(&id).await?.ok_or(Error::NotFound)
    }

    pub async fn update_component(
        &self,
        caller: &Caller,
        id: &str,
        patch: ComponentPatch,
    ) -> Result<Component> {
        self.permit(caller, Action::ManageStatusPage)?;
        let name = patch
            .name
            .as_deref()
            .map(|n| text::line("name", n, limits::COMPONENT_NAME))
            .transpose()?;
        let description = patch
            .description
            .as_deref()
            .map(|d| {
                text::optional_block("description", d, limits::COMPONENT_DESCRIPTION)
                    .map(Option::unwrap_or_default)
            })
            .transpose()?;
        let group = match &patch.group {
            None => None,
            Some(None) => Some(None),
            Some(Some(g)) => Some(text::optional_line("group", g, limits::COMPONENT_NAME)?),
        };
        let status = patch
            .status
            .as_deref()
            .map(|s| parse_component_status("status", s))
            .transpose()?;
        let change = ComponentChange {
            name: name.as_deref(),
            description: description.as_deref(),
            group: group.as_ref().map(|g| g.as_deref()),
            position: patch.position,
            status,
        };
        if !self
            .store()
            .update_component(id, &change, self.now())
            .await?
        {
            return Err(Error::NotFound);
        }
        self.publish(Topic::Status).await;
        self.store().component(id).await?.ok_or(Error::NotFound)
    }

    // ---- incidents ---------------------------------------------------------------

    /// Checks a new incident without posting it (the desk's preview).
    pub async fn check_incident(&self, input: &IncidentInput) -> Result<CheckedIncident> {
        let name = text::line("name", &input.name, limits::INCIDENT_NAME)?;
        let status = IncidentStatus::parse(&input.status)?;
        let impact = Impact::parse(&input.impact)?;
        let body = text::block("body", &input.body, limits::INCIDENT_BODY)?;
        if input.components.is_empty() {
            return Err(Error::invalid("components", "components_required"));
        }
        let components = self.parse_components(&input.components).await?;
        Ok(CheckedIncident {
            name,
            status,
            impact,
            body,
            components,
        })
    }

    /// Posts an incident (staff). Only problems that affect a listed
    /// feature are posted: at least one is required.
    pub async fn create_incident(&self, caller: &Caller, input: IncidentInput) -> Result<Incident> {
        self.permit(caller, Action::ManageStatusPage)?;
        let c = self.check_incident(&input).await?;
        let id = self
            .store()
            .create_incident(
                &NewIncident {
                    kind: "incident",
                    name: &c.name,
                    status: c.status.as_str(),
                    impact: c.impact.as_str(),
                    body: &c.body,
                    scheduled_for: None,
                    scheduled_until: None,
                    components: c.components,
                    apply_statuses: true,
                },
                self.now(),
            )
            .await?;
        self.publish(Topic::Status).await;
        self.store().incident(&id).await?.ok_or(Error::NotFound)
    }

    /// Posts an update on an incident or maintenance (staff). Resolving an
    /// incident sets its features back to operational unless told otherwise.
    pub async fn post_incident_update(
        &self,
        caller: &Caller,
        id: &str,
        input: UpdateInput,
    ) -> Result<Incident> {
        self.permit(caller, Action::ManageStatusPage)?;
        let incident = self.store().incident(id).await?.ok_or(Error::NotFound)?;
        let body = text::block("body", &input.body, limits::INCIDENT_BODY)?;
        let mut components = self.parse_components(&input.components).await?;
        self.advance(&incident, &input.status, &body, &mut components)
            .await?;
        self.store().incident(id).await?.ok_or(Error::NotFound)
    }

    /// Validates a status change by the incident's or maintenance's state
    /// machine, fills in what the change implies for features, and posts it.
    async fn advance(
        &self,
        incident: &Incident,
        status: &str,
        body: &str,
        components: &mut Vec<(String, ComponentStatus)>,
    ) -> Result<()> {
        let affected = self
            .store()
            .incident_components(std::slice::from_ref(&incident.id))
            .await?;
        let (status, resolved, back_to_normal, under_maintenance) =
            if incident.kind == "maintenance" {
                let from = MaintenanceStatus::parse(&incident.status)?;
                let to = maintenance_transition(from, MaintenanceStatus::parse(status)?)?;
                (
                    to.as_str(),
                    to == MaintenanceStatus::Completed,
                    to == MaintenanceStatus::Completed,
                    to == MaintenanceStatus::InProgress && from == MaintenanceStatus::Scheduled,
                )
            } else {
                let from = IncidentStatus::parse(&incident.status)?;
                let to = incident_transition(from, IncidentStatus::parse(status)?)?;
                (
                    to.as_str(),
                    to == IncidentStatus::Resolved,
                    to == IncidentStatus::Resolved,
                    false,
                )
            };
        for a in &affected {
            if components.iter().any(|(id, _)| id == &a.component_id) {
                continue;
            }
            if back_to_normal {
                components.push((a.component_id.clone(), ComponentStatus::Operational));
            } else if under_maintenance {
                components.push((a.component_id.clone(), ComponentStatus::UnderMaintenance));
            }
        }
        let ok = self
            .store()
            .post_incident_update(
                &NewIncidentUpdate {
                    incident_id: &incident.id,
                    expected_status: &incident.status,
                    status,
                    body,
                    components: components.clone(),
                    resolved,
                },
                self.now(),
            )
            .await?;
        if !ok {
            return Err(Error::conflict("status", "changed_meanwhile"));
        }
        self.publish(Topic::Status).await;
        Ok(())
    }

    /// Schedules maintenance (staff). It starts and completes itself on
    /// time unless someone does it first.
    pub async fn create_maintenance(
        &self,
        caller: &Caller,
        input: MaintenanceInput,
    ) -> Result<Incident> {
        self.permit(caller, Action::ManageStatusPage)?;
        let name = text::line("name", &input.name, limits::INCIDENT_NAME)?;
        let body = text::block("body", &input.body, limits::INCIDENT_BODY)?;
        let starts = parse_time("scheduled_for", &input.scheduled_for)?;
        let ends = parse_time("scheduled_until", &input.scheduled_until)?;
        if ends <= starts {
            return Err(Error::invalid("scheduled_until", "time_order"));
        }
        if input.components.is_empty() {
            return Err(Error::invalid("components", "components_required"));
        }
        let map: BTreeMap<String, String> = input
            .components
            .iter()
            .map(|c| (c.clone(), "under_maintenance".to_string()))
            .collect();
        let components = self.parse_components(&map).await?;
        let id = self
            .store()
            .create_incident(
                &NewIncident {
                    kind: "maintenance",
                    name: &name,
                    status: "scheduled",
                    impact: "maintenance",
                    body: &body,
                    scheduled_for: Some(starts),
                    scheduled_until: Some(ends),
                    components,
                    apply_statuses: false,
                },
                self.now(),
            )
            .await?;
        self.run_due_maintenance().await?;
        self.publish(Topic::Status).await;
        self.store().incident(&id).await?.ok_or(Error::NotFound)
    }

    /// Starts and completes maintenance whose time has come (a job, and
    /// after scheduling). Returns how many changed.
    pub async fn run_due_maintenance(&self) -> Result<usize> {
        let now = self.now();
        let tr = Tr(self.config.default_language);
        let mut changed = 0;
        for m in self.store().open_incidents().await? {
            if m.kind != "maintenance" {
                continue;
            }
            let (Some(starts), Some(ends)) = (m.scheduled_for, m.scheduled_until) else {
                continue;
            };
            let Ok(status) = MaintenanceStatus::parse(&m.status) else {
                continue;
            };
            let Some(to) = domain::status::maintenance_due(status, starts, ends, now) else {
                continue;
            };
            let body = tr.t(if to == MaintenanceStatus::Completed {
                "maintenance-auto-completed"
            } else {
                "maintenance-auto-started"
            });
            match self.advance(&m, to.as_str(), &body, &mut Vec::new()).await {
                Ok(()) => changed += 1,
                Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(changed)
    }

    /// What e-mail subscribers in `lang` would get for a new incident: the
    /// desk's preview, made by the function the fan-out uses.
    pub async fn preview_incident(
        &self,
        caller: &Caller,
        input: &IncidentInput,
        lang: domain::Language,
    ) -> Result<SubscriberNotice> {
        self.permit(caller, Action::ManageStatusPage)?;
        let c = self.check_incident(input).await?;
        let refs = self.store().component_refs().await?;
        let names: Vec<String> = c
            .components
            .iter()
            .filter_map(|(id, _)| refs.iter().find(|r| &r.id == id).map(|r| r.name.clone()))
            .collect();
        Ok(subscriber_notice(
            lang,
            "incident",
            &c.name,
            c.status.as_str(),
            &c.body,
            &names,
            &self.link("/status"),
        ))
    }

    /// What e-mail subscribers in `lang` would get for an update on an
    /// existing incident or maintenance.
    pub async fn preview_update(
        &self,
        caller: &Caller,
        id: &str,
        input: &UpdateInput,
        lang: domain::Language,
    ) -> Result<SubscriberNotice> {
        self.permit(caller, Action::ManageStatusPage)?;
        let detail = self.incident(id).await?;
        let i = &detail.incident;
        let body = text::block("body", &input.body, limits::INCIDENT_BODY)?;
        let status = if i.kind == "maintenance" {
            maintenance_transition(
                MaintenanceStatus::parse(&i.status)?,
                MaintenanceStatus::parse(&input.status)?,
            )?
            .as_str()
        } else {
            incident_transition(
                IncidentStatus::parse(&i.status)?,
                IncidentStatus::parse(&input.status)?,
            )?
            .as_str()
        };
        let names: Vec<String> = detail.components.iter().map(|(_, n)| n.clone()).collect();
        Ok(subscriber_notice(
            lang,
            &i.kind,
            &i.name,
            status,
            &body,
            &names,
            &self.link(&format!("/status/incidents/{}", i.id)),
        ))
    }

    /// Rebuilds what follows from the public status (the periodic refresh:
    /// uptime bars move on at midnight).
    pub async fn refresh_status(&self) {
        self.run_listeners(Topic::Status).await;
    }
}

/// A new incident that passed every check.
pub struct CheckedIncident {
    pub name: String,
    pub status: IncidentStatus,
    pub impact: Impact,
    pub body: String,
    pub components: Vec<(String, ComponentStatus)>,
}
