//! The status page's use cases: features (components), incidents and their
//! updates, scheduled maintenance, what support pages show of ongoing
//! problems, and everything the public snapshot is made from. The status
//! desk page and `POST /api/v1/incidents` (and their siblings) call the same
//! functions here, with the same checks. Every change publishes
//! [`Topic::Status`].
use crate::changes::Topic;
use crate::content::{Shape, Translations, TranslationsInput};
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
    Component, ComponentChange, ComponentRef, Incident, IncidentComponent, IncidentEdit,
    IncidentTexts, IncidentUpdate, NewIncident, NewIncidentUpdate,
};

/// The texts of a feature in other languages.
const COMPONENT_SHAPE: &[Shape] = &[
    Shape::Line("name", limits::COMPONENT_NAME),
    Shape::Block("description", limits::COMPONENT_DESCRIPTION),
];
/// The texts of a new incident or maintenance (its name, its first update).
const INCIDENT_SHAPE: &[Shape] = &[
    Shape::Line("name", limits::INCIDENT_NAME),
    Shape::Block("body", limits::INCIDENT_BODY),
];
/// The texts of an incident once posted: its name and postmortem.
const EDIT_SHAPE: &[Shape] = &[
    Shape::Line("name", limits::INCIDENT_NAME),
    Shape::Block("postmortem", limits::INCIDENT_BODY),
];
const UPDATE_SHAPE: &[Shape] = &[Shape::Block("body", limits::INCIDENT_BODY)];

/// A component's description may also be sent as `body`.
fn description_as_body(input: &TranslationsInput) -> TranslationsInput {
    let mut input = input.clone();
    for t in input.values_mut() {
        if t.description.is_none() {
            t.description = t.body.take();
        }
    }
    input
}

fn component_translations(input: &TranslationsInput) -> Result<Translations> {
    Translations::parse(&description_as_body(input), COMPONENT_SHAPE)
}

/// A new feature, as typed.
#[derive(Debug, Default, Clone)]
pub struct ComponentInput {
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    pub position: Option<i64>,
    pub status: Option<String>,
    pub translations: TranslationsInput,
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
    /// Laid over the feature's translations, field by field.
    pub translations: Option<TranslationsInput>,
}

/// A new incident, as typed: affected features with each one's status.
#[derive(Debug, Default, Clone)]
pub struct IncidentInput {
    pub name: String,
    pub status: String,
    pub impact: String,
    pub body: String,
    pub components: BTreeMap<String, String>,
    /// `name` and `body` in other languages.
    pub translations: TranslationsInput,
}

/// An update on an incident or maintenance.
#[derive(Debug, Default, Clone)]
pub struct UpdateInput {
    pub status: String,
    pub body: String,
    /// Features whose status changes with this update.
    pub components: BTreeMap<String, String>,
    /// `body` in other languages.
    pub translations: TranslationsInput,
}

/// A correction of a posted incident's texts, or its postmortem.
#[derive(Debug, Default, Clone)]
pub struct IncidentEditInput {
    pub name: Option<String>,
    /// Markdown; an empty text takes the postmortem down.
    pub postmortem: Option<String>,
    /// `name` and `postmortem` in other languages, laid over what is there.
    pub translations: Option<TranslationsInput>,
}

/// A correction of a posted update.
#[derive(Debug, Default, Clone)]
pub struct UpdateEditInput {
    pub body: Option<String>,
    pub translations: Option<TranslationsInput>,
}

/// Scheduled maintenance, as typed (RFC 3339 or a form's local time, UTC).
#[derive(Debug, Default, Clone)]
pub struct MaintenanceInput {
    pub name: String,
    pub body: String,
    pub scheduled_for: String,
    pub scheduled_until: String,
    pub components: Vec<String>,
    /// `name` and `body` in other languages.
    pub translations: TranslationsInput,
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
#[derive(Debug, Clone)]
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
    /// Ids of the incidents and updates whose text a reader gets in the
    /// primary language because it was not written in theirs (after
    /// [`StatusData::in_language`]).
    pub fell_back: std::collections::HashSet<String>,
}

impl StatusData {
    /// The same data with every text in `lang` where staff wrote it there
    /// (names, descriptions, update bodies, postmortems), else in `primary`;
    /// what fell back is listed in `fell_back`.
    pub fn in_language(&self, lang: domain::Language, primary: domain::Language) -> StatusData {
        let mut out = self.clone();
        let mut fell_back = std::collections::HashSet::new();
        for c in &mut out.components {
            let t = Translations::stored(&c.translations);
            c.name = t.pick(lang, "name", &c.name, primary).text.to_string();
            c.description = t
                .pick(lang, "description", &c.description, primary)
                .text
                .to_string();
        }
        let mut incident = |i: &mut Incident| {
            let t = Translations::stored(&i.translations);
            let name = t.pick(lang, "name", &i.name, primary);
            if name.fallback.is_some() {
                fell_back.insert(i.id.clone());
            }
            i.name = name.text.to_string();
            i.postmortem = t
                .pick(lang, "postmortem", &i.postmortem, primary)
                .text
                .to_string();
        };
        out.incidents.iter_mut().for_each(&mut incident);
        out.maintenances.iter_mut().for_each(&mut incident);
        out.open.iter_mut().for_each(&mut incident);
        for list in out.updates.values_mut() {
            for u in list {
                let t = Translations::stored(&u.translations);
                let body = t.pick(lang, "body", &u.body, primary);
                if body.fallback.is_some() {
                    fell_back.insert(u.id.clone());
                }
                u.body = body.text.to_string();
            }
        }
        out.fell_back = fell_back;
        out
    }
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
    /// In the reader's language.
    pub async fn known_problems(&self, lang: domain::Language) -> Result<Vec<IncidentDetail>> {
        let open: Vec<Incident> = self
            .store()
            .open_incidents()
            .await?
            .into_iter()
            .filter(|i| i.kind == "incident")
            .collect();
        let mut out = Vec::new();
        for d in self.details(open, false).await? {
            out.push(self.detail_in(d, lang).await?.0);
        }
        Ok(out)
    }

    /// Unresolved incidents and maintenance with updates and linked
    /// requests: the status desk (staff).
    pub async fn open_for_desk(&self, caller: &Caller) -> Result<Vec<IncidentDetail>> {
        self.permit(caller, Action::ManageStatusPage)?;
        let open = self.store().open_incidents().await?;
        self.details(open, true).await
    }

    /// The latest incidents and maintenance of both kinds, newest first:
    /// what the desk offers to correct or write a postmortem for (staff).
    pub async fn recent_for_desk(&self, caller: &Caller) -> Result<Vec<Incident>> {
        self.permit(caller, Action::ManageStatusPage)?;
        let mut list = self.store().incidents("incident", 10).await?;
        list.extend(self.store().incidents("maintenance", 5).await?);
        list.sort_by_key(|i| std::cmp::Reverse(i.created_at));
        Ok(list)
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

    /// An incident's texts for a reader in `lang` (see
    /// [`StatusData::in_language`]); the flag says whether any of them is
    /// only in the primary language.
    pub async fn detail_in(
        &self,
        mut d: IncidentDetail,
        lang: domain::Language,
    ) -> Result<(IncidentDetail, bool)> {
        let primary = self.config.default_language;
        let all = self.store().components().await?;
        for (id, name) in &mut d.components {
            if let Some(c) = all.iter().find(|c| &c.id == id) {
                *name = self.localised(&c.translations, lang, "name", &c.name);
            }
        }
        let t = Translations::stored(&d.incident.translations);
        let name = t.pick(lang, "name", &d.incident.name, primary);
        let mut fell_back = name.fallback.is_some();
        d.incident.name = name.text.to_string();
        d.incident.postmortem = t
            .pick(lang, "postmortem", &d.incident.postmortem, primary)
            .text
            .to_string();
        for u in &mut d.updates {
            let t = Translations::stored(&u.translations);
            let body = t.pick(lang, "body", &u.body, primary);
            fell_back |= body.fallback.is_some();
            u.body = body.text.to_string();
        }
        Ok((d, fell_back))
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
            fell_back: Default::default(),
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
        let translations = component_translations(&input.translations)?;
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
        let stored = translations.to_stored();
        let status = status.filter(|s| *s != ComponentStatus::Operational);
        if status.is_some() || !translations.is_empty() {
            let change = ComponentChange {
                status,
                translations: Some(&stored),
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
        let translations = match &patch.translations {
            None => None,
            Some(input) => {
                let current = self.store().component(id).await?.ok_or(Error::NotFound)?;
                let input = description_as_body(input);
                Translations::patched(&current.translations, Some(&input), COMPONENT_SHAPE)?
            }
        };
        let change = ComponentChange {
            name: name.as_deref(),
            description: description.as_deref(),
            group: group.as_ref().map(|g| g.as_deref()),
            position: patch.position,
            status,
            translations: translations.as_deref(),
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
        let translations = Translations::parse(&input.translations, INCIDENT_SHAPE)?;
        Ok(CheckedIncident {
            name,
            status,
            impact,
            body,
            components,
            translations,
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
                    translations: &c.translations.only(&["name"]).to_stored(),
                    body_translations: &c.translations.only(&["body"]).to_stored(),
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
        let translations = Translations::parse(&input.translations, UPDATE_SHAPE)?;
        let mut components = self.parse_components(&input.components).await?;
        self.advance(
            &incident,
            &input.status,
            (&body, &translations.to_stored()),
            &mut components,
        )
        .await?;
        self.store().incident(id).await?.ok_or(Error::NotFound)
    }

    /// Validates a status change by the incident's or maintenance's state
    /// machine, fills in what the change implies for features, and posts it.
    async fn advance(
        &self,
        incident: &Incident,
        status: &str,
        (body, translations): (&str, &str),
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
                    translations,
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
        let translations = Translations::parse(&input.translations, INCIDENT_SHAPE)?;
        let id = self
            .store()
            .create_incident(
                &NewIncident {
                    kind: "maintenance",
                    name: &name,
                    status: "scheduled",
                    impact: "maintenance",
                    body: &body,
                    translations: &translations.only(&["name"]).to_stored(),
                    body_translations: &translations.only(&["body"]).to_stored(),
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
            let key = if to == MaintenanceStatus::Completed {
                "maintenance-auto-completed"
            } else {
                "maintenance-auto-started"
            };
            let body = tr.t(key);
            // Said by the server, so said in every language.
            let others: TranslationsInput = domain::Language::ALL
                .iter()
                .filter(|l| **l != self.config.default_language)
                .map(|l| {
                    let texts = crate::content::Texts {
                        body: Some(Tr(*l).t(key)),
                        ..Default::default()
                    };
                    (l.as_str().to_string(), texts)
                })
                .collect();
            let translations = Translations::parse(&others, UPDATE_SHAPE)?.to_stored();
            match self
                .advance(&m, to.as_str(), (&body, &translations), &mut Vec::new())
                .await
            {
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
        let all = self.store().components().await?;
        let names: Vec<String> = c
            .components
            .iter()
            .filter_map(|(id, _)| all.iter().find(|r| &r.id == id))
            .map(|r| self.localised(&r.translations, lang, "name", &r.name))
            .collect();
        let primary = self.config.default_language;
        Ok(subscriber_notice(
            &*self.branding().await?,
            lang,
            "incident",
            c.translations.pick(lang, "name", &c.name, primary).text,
            c.status.as_str(),
            c.translations.pick(lang, "body", &c.body, primary).text,
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
        let translations = Translations::parse(&input.translations, UPDATE_SHAPE)?;
        let primary = self.config.default_language;
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
        let all = self.store().components().await?;
        let names: Vec<String> = detail
            .components
            .iter()
            .filter_map(|(id, _)| all.iter().find(|c| &c.id == id))
            .map(|c| self.localised(&c.translations, lang, "name", &c.name))
            .collect();
        Ok(subscriber_notice(
            &*self.branding().await?,
            lang,
            &i.kind,
            &self.localised(&i.translations, lang, "name", &i.name),
            status,
            translations.pick(lang, "body", &body, primary).text,
            &names,
            &self.link(&format!("/status/incidents/{}", i.id)),
        ))
    }

    /// Corrects a posted incident's or maintenance's name, writes or
    /// changes its postmortem, or its texts in other languages (staff). The
    /// texts before are kept in its edit history; subscribers are not told
    /// again (a correction is not news).
    pub async fn edit_incident(
        &self,
        caller: &Caller,
        id: &str,
        input: IncidentEditInput,
    ) -> Result<Incident> {
        self.permit(caller, Action::ManageStatusPage)?;
        let incident = self.store().incident(id).await?.ok_or(Error::NotFound)?;
        let name = input
            .name
            .as_deref()
            .map(|n| text::line("name", n, limits::INCIDENT_NAME))
            .transpose()?;
        let postmortem = input
            .postmortem
            .as_deref()
            .map(|p| {
                text::optional_block("postmortem", p, limits::INCIDENT_BODY)
                    .map(Option::unwrap_or_default)
            })
            .transpose()?;
        let translations = Translations::patched(
            &incident.translations,
            input.translations.as_ref(),
            EDIT_SHAPE,
        )?;
        if name.is_none() && postmortem.is_none() && translations.is_none() {
            return Err(Error::invalid("name", "no_edit"));
        }
        // A changed name (in any language) is a correction; a postmortem
        // is not.
        let before = Translations::stored(&incident.translations);
        let after = translations
            .as_deref()
            .map_or_else(|| before.clone(), Translations::stored);
        let correction = name.as_deref().is_some_and(|n| n != incident.name)
            || before.only(&["name"]) != after.only(&["name"]);
        let texts = IncidentTexts {
            name: name.as_deref(),
            postmortem: postmortem.as_deref(),
            translations: translations.as_deref(),
            correction,
        };
        if !self
            .store()
            .edit_incident(id, &texts, Some(caller.user_id()), self.now())
            .await?
        {
            return Err(Error::NotFound);
        }
        self.publish(Topic::Status).await;
        self.store().incident(id).await?.ok_or(Error::NotFound)
    }

    /// Corrects a posted update's text or its texts in other languages
    /// (staff), keeping the text before in the edit history.
    pub async fn edit_incident_update(
        &self,
        caller: &Caller,
        id: &str,
        update_id: &str,
        input: UpdateEditInput,
    ) -> Result<IncidentUpdate> {
        self.permit(caller, Action::ManageStatusPage)?;
        let body = input
            .body
            .as_deref()
            .map(|b| text::block("body", b, limits::INCIDENT_BODY))
            .transpose()?;
        let current = self
            .store()
            .incident_updates(&[id.to_string()])
            .await?
            .into_iter()
            .find(|u| u.id == update_id)
            .ok_or(Error::NotFound)?;
        let translations = Translations::patched(
            &current.translations,
            input.translations.as_ref(),
            UPDATE_SHAPE,
        )?;
        if body.is_none() && translations.is_none() {
            return Err(Error::invalid("body", "no_edit"));
        }
        if !self
            .store()
            .edit_incident_update(
                id,
                update_id,
                body.as_deref(),
                translations.as_deref(),
                Some(caller.user_id()),
                self.now(),
            )
            .await?
        {
            return Err(Error::NotFound);
        }
        self.publish(Topic::Status).await;
        self.store()
            .incident_updates(&[id.to_string()])
            .await?
            .into_iter()
            .find(|u| u.id == update_id)
            .ok_or(Error::NotFound)
    }

    /// An incident's edit history, newest first (staff).
    pub async fn incident_edits(&self, caller: &Caller, id: &str) -> Result<Vec<IncidentEdit>> {
        self.permit(caller, Action::ManageStatusPage)?;
        self.store().incident(id).await?.ok_or(Error::NotFound)?;
        Ok(self.store().incident_edits(id).await?)
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
    /// `name` and `body` in other languages.
    pub translations: Translations,
}
