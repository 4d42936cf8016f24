//! Support requests, as the inbox pages, the agents' queue, the REST API
//! and the jobs all use them: filing, reading, replying, status, priority,
//! assignee, following, files, closing solved requests. Every decision
//! (who may see, note, triage, move or follow a request) is the policy's;
//! every lifecycle step is the state machine's; every notification is
//! written to the outbox in the transaction of the change.
use crate::i18n::Tr;
use crate::{App, Caller, Error, Result};
use domain::targets::TargetEvent;
use domain::text::{self, limits};
use domain::{Action, Priority, Scope, TicketEvent, TicketStatus, transition};
use store::{
    AssigneeFilter, Attachment, Change, Event, LinkedIncident, Message, NewAttachment, NewEvent,
    NewOutboxMessage, NewRequest, QueueView, Rating, Request, RequestFilter, Sort, SortKey,
};

/// What a new request needs, as typed.
#[derive(Debug, Default, Clone)]
pub struct NewRequestInput {
    pub subject: String,
    pub description: String,
    pub priority: String,
    pub component: Option<String>,
    pub follow_up_of: Option<String>,
}

/// A request with everything its page shows, as the caller may see it.
pub struct RequestView {
    pub request: Request,
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    pub files: Vec<Attachment>,
    /// Whether the caller follows it.
    pub following: bool,
    /// The incidents it is linked to.
    pub incidents: Vec<LinkedIncident>,
    /// The requester organisation's rating, once given.
    pub rating: Option<Rating>,
}

/// The filters of a request list, as typed (page query or API).
#[derive(Debug, Default, Clone)]
pub struct ListInput {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub component: Option<String>,
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: i64,
    /// Staff only from here on: a queue view (see [`QUEUE_VIEWS`], or
    /// `all`).
    pub view: Option<String>,
    /// An organisation's id.
    pub organisation: Option<String>,
    pub plan: Option<String>,
    /// A support team's id: the requests of the organisations it serves.
    pub team: Option<String>,
    /// `me`, `none` or an agent's id.
    pub assignee: Option<String>,
    /// An incident's id: the requests linked to it.
    pub incident: Option<String>,
    /// See [`SORTS`]; `-` in front reverses.
    pub sort: Option<String>,
}

/// What an agent or a customer changes at once.
#[derive(Debug, Default, Clone)]
pub struct Update {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<String>>,
}

/// The agents' queue views, by name.
pub const QUEUE_VIEWS: [&str; 7] = [
    "unassigned",
    "mine",
    "open",
    "overdue",
    "waiting",
    "solved",
    "all",
];

/// The orders of a staff list, by name (each also with `-` in front).
pub const SORTS: [&str; 4] = ["priority", "created", "updated", "due"];

/// Parses a sort as typed (`priority`, `-updated`, …).
pub fn parse_sort(s: &str) -> Result<Sort> {
    let (desc, name) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let key = match name {
        "priority" => SortKey::Priority,
        "created" => SortKey::Created,
        "updated" => SortKey::Updated,
        "due" => SortKey::Due,
        _ => {
            let allowed: Vec<String> = SORTS
                .iter()
                .flat_map(|k| [k.to_string(), format!("-{k}")])
                .collect();
            return Err(Error::invalid_with(
                "sort",
                "not_one_of",
                &[("value", s), ("allowed", &allowed.join(", "))],
            ));
        }
    };
    Ok(Sort { key, desc })
}

/// A queue view by name for an agent at `now` (`all` is none).
pub fn parse_view(name: &str, agent_id: &str, now: i64) -> Result<Option<QueueView>> {
    Ok(Some(match name {
        "overdue" => QueueView::Overdue(now),
        "unassigned" => QueueView::Unassigned,
        "mine" => QueueView::Mine(agent_id.to_string()),
        "open" => QueueView::AllOpen,
        "waiting" => QueueView::Waiting,
        "solved" => QueueView::Solved,
        "all" => return Ok(None),
        other => {
            return Err(Error::invalid_with(
                "view",
                "not_one_of",
                &[("value", other), ("allowed", &QUEUE_VIEWS.join(", "))],
            ));
        }
    }))
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl ListInput {
    /// The store's filter for `caller`: staff may use every filter; a
    /// customer's list is their organisation's, newest activity first, and
    /// the staff filters (the queue's) are refused as staff-only rather
    /// than ignored.
    pub fn filter_for(&self, caller: &Caller, now: i64) -> Result<RequestFilter> {
        let mut f = self.filter()?;
        let staff_only = [
            ("view", &self.view),
            ("organisation", &self.organisation),
            ("plan", &self.plan),
            ("team", &self.team),
            ("assignee", &self.assignee),
            ("incident", &self.incident),
            ("sort", &self.sort),
        ];
        if !caller.is_staff() {
            if staff_only.iter().any(|(_, v)| nonempty(v).is_some()) {
                return Err(Error::Denied(domain::DenyReason::StaffOnly));
            }
            return Ok(f);
        }
        f.view = match nonempty(&self.view) {
            Some(v) => parse_view(&v, caller.user_id(), now)?,
            None => None,
        };
        f.org = nonempty(&self.organisation);
        f.plan = nonempty(&self.plan)
            .map(|p| domain::Plan::parse(&p))
            .transpose()?;
        f.team = nonempty(&self.team);
        f.assignee = nonempty(&self.assignee).map(|a| match a.as_str() {
            "me" => AssigneeFilter::User(caller.user_id().to_string()),
            "none" => AssigneeFilter::Nobody,
            _ => AssigneeFilter::User(a),
        });
        f.incident = nonempty(&self.incident);
        f.sort = nonempty(&self.sort).map(|s| parse_sort(&s)).transpose()?;
        Ok(f)
    }

    pub fn filter(&self) -> Result<RequestFilter> {
        Ok(RequestFilter {
            status: nonempty(&self.status)
                .map(|s| TicketStatus::parse(&s))
                .transpose()?,
            priority: nonempty(&self.priority)
                .map(|s| Priority::parse(&s))
                .transpose()?,
            component: nonempty(&self.component),
            q: nonempty(&self.q),
            cursor: nonempty(&self.cursor),
            limit: self.limit,
            ..RequestFilter::default()
        })
    }
}

/// Checks a page size from a query (`limit`), 1 to 200, default 50.
pub fn page_size(limit: Option<&str>) -> Result<i64> {
    match limit.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(50),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=200).contains(&n) => Ok(n),
            _ => Err(Error::invalid_with("limit", "limit", &[("value", s)])),
        },
    }
}

fn status_event(from: TicketStatus, to: TicketStatus, auto: bool) -> NewEvent {
    NewEvent {
        kind: "status",
        detail: serde_json::json!({"from": from.as_str(), "to": to.as_str(), "auto": auto})
            .to_string(),
        internal: false,
    }
}

enum MailKind<'a> {
    Replied { author: &'a str, body: &'a str },
    Status,
}

impl App {
    /// Loads a request the caller may act on, with the permit that says so:
    /// another organisation's is not found.
    async fn load_request<'a>(&self, caller: &'a Caller, id: &str) -> Result<(Request, Scope<'a>)> {
        let scope = Scope::of(&caller.actor).ok_or(Error::NotFound)?;
        let request = self
            .store()
            .request(scope, id)
            .await?
            .ok_or(Error::NotFound)?;
        self.permit(
            caller,
            Action::ViewRequest {
                org_id: &request.org_id,
            },
        )?;
        Ok((request, scope))
    }

    /// Files a request (admins of organisations with direct support).
    pub async fn file_request(
        &self,
        caller: &Caller,
        input: NewRequestInput,
        files: Vec<NewAttachment>,
    ) -> Result<String> {
        let permit = self.permit(caller, Action::UseDirectSupport)?;
        let Some(Scope::Org(org_id)) = permit.scope() else {
            return Err(Error::NotFound);
        };
        let subject = text::line("subject", &input.subject, limits::SUBJECT)?;
        let description = text::block("description", &input.description, limits::MESSAGE)?;
        let priority = Priority::parse(&input.priority)?;
        let component = nonempty(&input.component);
        if let Some(c) = &component {
            self.check_components("component", std::slice::from_ref(c))
                .await?;
        }
        let follow_up_of = nonempty(&input.follow_up_of);
        if let Some(prev) = &follow_up_of
            && self
                .store()
                .request(Scope::Org(org_id), prev)
                .await?
                .is_none()
        {
            return Err(Error::invalid("follow_up_of", "unknown_request"));
        }
        let plan = caller
            .actor
            .org
            .as_ref()
            .map(|o| o.plan)
            .ok_or(Error::NotFound)?;
        let now = self.now();
        let (target, due_at) = self.first_target(org_id, plan, priority, now).await?;
        Ok(self
            .store()
            .create_request(
                &NewRequest {
                    org_id,
                    requester_id: caller.user_id(),
                    subject: &subject,
                    description: &description,
                    priority,
                    component: component.as_deref(),
                    follow_up_of: follow_up_of.as_deref(),
                    target,
                    due_at,
                },
                &files,
                &[],
                now,
            )
            .await?)
    }

    /// One request with its conversation, activity and files, as the
    /// caller may see them (internal notes only for staff).
    pub async fn request_view(&self, caller: &Caller, id: &str) -> Result<RequestView> {
        let (request, scope) = self.load_request(caller, id).await?;
        let store = self.store();
        Ok(RequestView {
            messages: store.messages(scope, &request.id).await?,
            events: store.events(scope, &request.id).await?,
            files: store.attachments(scope, &request.id).await?,
            following: store.is_following(&request.id, caller.user_id()).await?,
            incidents: {
                // "Linked to: …" in the reader's language.
                let lang = caller.language().unwrap_or(self.config.default_language);
                let mut list = store.incidents_of_request(&request.id).await?;
                for i in &mut list {
                    i.name = self.localised(&i.translations, lang, "name", &i.name);
                }
                list
            },
            rating: store.rating(&request.id).await?,
            request,
        })
    }

    /// Just the request (for redirects and the API's short answers).
    pub async fn request(&self, caller: &Caller, id: &str) -> Result<Request> {
        Ok(self.load_request(caller, id).await?.0)
    }

    /// The requests the caller may see, newest activity first, paged.
    pub async fn list_requests(
        &self,
        caller: &Caller,
        input: &ListInput,
    ) -> Result<(Vec<Request>, Option<String>)> {
        let scope = if caller.is_staff() {
            self.permit(caller, Action::WorkSupportQueue)?.scope()
        } else {
            self.permit(caller, Action::UseDirectSupport)?.scope()
        };
        let scope = scope.ok_or(Error::NotFound)?;
        Ok(self
            .store()
            .list_requests(scope, &input.filter_for(caller, self.now())?)
            .await?)
    }

    /// How many of the caller's organisation's requests are in each status.
    pub async fn status_counts(&self, caller: &Caller) -> Result<Vec<(TicketStatus, i64)>> {
        let permit = self.permit(caller, Action::UseDirectSupport)?;
        let Some(Scope::Org(org_id)) = permit.scope() else {
            return Err(Error::NotFound);
        };
        Ok(self.store().status_counts(org_id).await?)
    }

    /// Support staff who can be assigned requests: (id, name).
    pub async fn agents(&self, caller: &Caller) -> Result<Vec<(String, String)>> {
        self.permit(caller, Action::TriageRequest)?;
        Ok(self.store().agents().await?)
    }

    /// A reply, or for staff an internal note.
    pub async fn reply(
        &self,
        caller: &Caller,
        id: &str,
        body: &str,
        internal: bool,
        files: Vec<NewAttachment>,
    ) -> Result<()> {
        let (request, _) = self.load_request(caller, id).await?;
        self.reply_to(caller, &request, body, internal, files, None)
            .await
    }

    /// A reply (or note) and a status change in one action ("Reply and set
    /// to waiting"): one transaction, one notification with the new status.
    pub async fn reply_and_set(
        &self,
        caller: &Caller,
        id: &str,
        body: &str,
        internal: bool,
        files: Vec<NewAttachment>,
        status: Option<TicketStatus>,
    ) -> Result<()> {
        let (request, _) = self.load_request(caller, id).await?;
        self.reply_to(caller, &request, body, internal, files, status)
            .await
    }

    async fn reply_to(
        &self,
        caller: &Caller,
        request: &Request,
        body: &str,
        internal: bool,
        files: Vec<NewAttachment>,
        then: Option<TicketStatus>,
    ) -> Result<()> {
        if internal {
            self.permit(caller, Action::AddInternalNote)?;
        }
        let body = text::block("body", body, limits::MESSAGE)?;
        let staff = caller.is_staff();
        let event = match (staff, internal) {
            (true, true) => TicketEvent::AgentNoted,
            (true, false) => TicketEvent::AgentReplied,
            (false, _) => TicketEvent::CustomerReplied,
        };
        let mut to = transition(request.status, event)?;
        if let Some(wanted) = then.filter(|w| *w != to) {
            to = self.status_step(caller, request, to, wanted)?;
        }
        let mut events = vec![NewEvent {
            kind: if internal { "note" } else { "replied" },
            detail: "{}".into(),
            internal,
        }];
        if to != request.status {
            events.push(status_event(request.status, to, false));
        }
        let outbox = if staff && !internal {
            self.request_mails(
                request,
                &MailKind::Replied {
                    author: &caller.principal.user.name,
                    body: &body,
                },
                to,
            )
            .await?
        } else {
            Vec::new()
        };
        let target_event = match (staff, internal) {
            (true, false) => TargetEvent::AgentResponded,
            (true, true) => TargetEvent::Changed,
            (false, _) => TargetEvent::CustomerResponded,
        };
        let target = self
            .next_target(request, target_event, to, request.priority)
            .await?;
        self.apply(Change {
            request_id: &request.id,
            actor_id: Some(caller.user_id()),
            expected_status: request.status,
            new_status: to,
            message: Some((&body, internal)),
            priority: None,
            assignee: None,
            events,
            attachments: files,
            outbox,
            follow: (!staff).then_some(true),
            target: Some(target),
        })
        .await
    }

    /// The status a request moves to when the caller sets `wanted` while
    /// it is `from`: the policy says whether they may set it at all (a
    /// customer only solves or reopens), the state machine whether it can
    /// be reached from there.
    fn status_step(
        &self,
        caller: &Caller,
        request: &Request,
        from: TicketStatus,
        wanted: TicketStatus,
    ) -> Result<TicketStatus> {
        self.permit(
            caller,
            Action::SetRequestStatus {
                org_id: &request.org_id,
                to: wanted,
            },
        )
        .map_err(|e| match e {
            Error::Denied(_) => {
                Error::invalid_with("status", "customer_status", &[("value", wanted.as_str())])
            }
            other => other,
        })?;
        let event = if caller.is_staff() {
            TicketEvent::AgentSetStatus(wanted)
        } else if wanted == TicketStatus::Solved {
            TicketEvent::CustomerSolved
        } else {
            TicketEvent::CustomerReopened
        };
        Ok(transition(from, event)?)
    }

    /// Changes status, priority or assignee. Customers may mark a request
    /// solved or reopen it; the rest is support's (the policy says so).
    pub async fn update_request(&self, caller: &Caller, id: &str, u: Update) -> Result<()> {
        let (request, _) = self.load_request(caller, id).await?;
        if u.priority.is_some() || u.assignee.is_some() {
            self.permit(caller, Action::TriageRequest)?;
        }
        let staff = caller.is_staff();
        let mut to = request.status;
        let mut events = Vec::new();
        if let Some(wanted) = u.status {
            to = self.status_step(caller, &request, request.status, wanted)?;
            events.push(status_event(request.status, to, false));
        } else if request.status == TicketStatus::Closed {
            return Err(Error::conflict("status", "closed_final"));
        }
        let priority = u.priority.filter(|p| *p != request.priority);
        if let Some(p) = priority {
            events.push(NewEvent {
                kind: "priority",
                detail: serde_json::json!({"from": request.priority.as_str(), "to": p.as_str()})
                    .to_string(),
                internal: false,
            });
        }
        let mut assignee_name = None;
        let assignee = match &u.assignee {
            Some(Some(who)) if Some(who) != request.assignee_id.as_ref() => {
                let agents = self.store().agents().await?;
                let Some((_, name)) = agents.into_iter().find(|(a, _)| a == who) else {
                    return Err(Error::invalid("assignee", "unknown_agent"));
                };
                assignee_name = Some(name);
                Some(Some(who.as_str()))
            }
            Some(None) if request.assignee_id.is_some() => Some(None),
            _ => None,
        };
        if let Some(a) = assignee {
            events.push(NewEvent {
                kind: "assigned",
                detail: serde_json::json!({"to": a, "name": assignee_name}).to_string(),
                internal: false,
            });
        }
        if events.is_empty() {
            return Ok(());
        }
        let outbox = if staff && to != request.status {
            self.request_mails(&request, &MailKind::Status, to).await?
        } else {
            Vec::new()
        };
        let target = self
            .next_target(
                &request,
                TargetEvent::Changed,
                to,
                priority.unwrap_or(request.priority),
            )
            .await?;
        self.apply(Change {
            request_id: &request.id,
            actor_id: Some(caller.user_id()),
            expected_status: request.status,
            new_status: to,
            message: None,
            priority,
            assignee,
            events,
            attachments: Vec::new(),
            outbox,
            follow: None,
            target: Some(target),
        })
        .await
    }

    /// Follows (or stops following) a request: its organisation's admins.
    pub async fn set_following(&self, caller: &Caller, id: &str, on: bool) -> Result<()> {
        let (request, _) = self.load_request(caller, id).await?;
        self.permit(
            caller,
            Action::FollowRequest {
                org_id: &request.org_id,
            },
        )?;
        Ok(self
            .store()
            .set_following(&request.id, caller.user_id(), on)
            .await?)
    }

    /// Adds another admin of the request's organisation to it (CC): they
    /// follow it and get its e-mails from now on.
    pub async fn cc_request(&self, caller: &Caller, id: &str, user_id: &str) -> Result<()> {
        let (request, _) = self.load_request(caller, id).await?;
        self.permit(
            caller,
            Action::FollowRequest {
                org_id: &request.org_id,
            },
        )?;
        let admins = self.own_admins(caller).await?;
        if !admins.iter().any(|u| u.id == user_id) {
            return Err(Error::invalid("user", "not_an_admin"));
        }
        Ok(self
            .store()
            .set_following(&request.id, user_id, true)
            .await?)
    }

    /// The admins who follow a request: (id, name).
    pub async fn request_followers(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Vec<(String, String)>> {
        let (request, _) = self.load_request(caller, id).await?;
        Ok(self
            .store()
            .admin_followers(&request.id)
            .await?
            .into_iter()
            .map(|(id, _, name, _)| (id, name))
            .collect())
    }

    /// One file of a request, if the caller may see it (a file on an
    /// internal note is as internal as the note), and where its bytes are.
    pub async fn attachment(
        &self,
        caller: &Caller,
        request_id: &str,
        file_id: &str,
    ) -> Result<(Attachment, std::path::PathBuf)> {
        let (request, scope) = self.load_request(caller, request_id).await?;
        let file = self
            .store()
            .attachments(scope, &request.id)
            .await?
            .into_iter()
            .find(|f| f.id == file_id)
            .ok_or(Error::NotFound)?;
        let path = self.file_path(&file.id);
        Ok((file, path))
    }

    async fn apply(&self, change: Change<'_>) -> Result<()> {
        if self.store().apply_change(&change, self.now()).await? {
            Ok(())
        } else {
            Err(Error::conflict("status", "changed_meanwhile"))
        }
    }

    /// Links a request to an incident (staff), so it can be answered
    /// together with the others.
    pub async fn link_request(
        &self,
        caller: &Caller,
        incident_id: &str,
        request_id: &str,
    ) -> Result<()> {
        self.permit(caller, Action::TriageRequest)?;
        self.store()
            .incident(incident_id)
            .await?
            .ok_or(Error::NotFound)?;
        if self
            .store()
            .request(Scope::Staff, request_id)
            .await?
            .is_none()
        {
            return Err(Error::invalid("request_id", "unknown_request"));
        }
        self.store().link_request(incident_id, request_id).await?;
        Ok(())
    }

    /// Replies to every open request linked to an incident (staff).
    /// Returns how many got the reply.
    pub async fn reply_linked(
        &self,
        caller: &Caller,
        incident_id: &str,
        body: &str,
    ) -> Result<usize> {
        self.permit(caller, Action::WorkSupportQueue)?;
        self.store()
            .incident(incident_id)
            .await?
            .ok_or(Error::NotFound)?;
        text::block("body", body, limits::MESSAGE)?;
        let mut replied = 0;
        for request_id in self.store().linked_requests(incident_id).await? {
            let Some(request) = self.store().request(Scope::Staff, &request_id).await? else {
                continue;
            };
            if request.status == TicketStatus::Closed {
                continue;
            }
            self.reply_to(caller, &request, body, false, Vec::new(), None)
                .await?;
            replied += 1;
        }
        Ok(replied)
    }

    /// Closes requests solved longer ago than the configured time (a job).
    /// Returns how many were closed.
    pub async fn close_solved(&self) -> Result<usize> {
        let now = self.now();
        let cutoff = now - self.config.auto_close_ms;
        let mut closed = 0;
        loop {
            let ids = self.store().solved_before(cutoff, 100).await?;
            if ids.is_empty() {
                break;
            }
            let mut progressed = false;
            for id in ids {
                let to = transition(TicketStatus::Solved, TicketEvent::AutoClose)?;
                let change = Change {
                    request_id: &id,
                    actor_id: None,
                    expected_status: TicketStatus::Solved,
                    new_status: to,
                    message: None,
                    priority: None,
                    assignee: None,
                    events: vec![status_event(TicketStatus::Solved, to, true)],
                    attachments: Vec::new(),
                    outbox: Vec::new(),
                    follow: None,
                    target: None,
                };
                if self.store().apply_change(&change, now).await? {
                    closed += 1;
                    progressed = true;
                }
            }
            if !progressed {
                break;
            }
        }
        Ok(closed)
    }

    /// E-mails to the organisation's admins who follow the request, each in
    /// their own language.
    async fn request_mails(
        &self,
        request: &Request,
        kind: &MailKind<'_>,
        to: TicketStatus,
    ) -> Result<Vec<NewOutboxMessage>> {
        let followers = self.store().admin_followers(&request.id).await?;
        let change_id = store::new_id();
        let link = self.link(&format!("/support/requests/{}", request.id));
        let brand = self.branding().await?;
        Ok(followers
            .into_iter()
            .map(|(user_id, email, name, language)| {
                let lang = self.language_or_default(language.as_deref());
                let tr = Tr(lang);
                let status = tr.t(&format!("status-{}", to.as_str()));
                let (subject, text) = match kind {
                    MailKind::Replied { author, body } => (
                        tr.ta("mail-reply-subject", &[("subject", &request.subject)]),
                        tr.ta(
                            "mail-reply-body",
                            &[
                                ("name", &name),
                                ("author", author),
                                ("body", body),
                                ("status", &status),
                                ("link", &link),
                            ],
                        ),
                    ),
                    MailKind::Status => (
                        tr.ta(
                            "mail-status-subject",
                            &[("subject", &request.subject), ("status", &status)],
                        ),
                        tr.ta(
                            "mail-status-body",
                            &[("name", &name), ("status", &status), ("link", &link)],
                        ),
                    ),
                };
                crate::mail::message(
                    &brand,
                    lang,
                    &email,
                    subject,
                    text,
                    format!("request:{}:{change_id}:{user_id}", request.id),
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_are_checked() {
        assert_eq!(page_size(None).ok(), Some(50));
        assert_eq!(page_size(Some("200")).ok(), Some(200));
        for bad in ["0", "201", "abc", "-1"] {
            assert_eq!(
                page_size(Some(bad)).map_err(|e| e.code().to_string()),
                Err("limit".to_string())
            );
        }
    }

    #[test]
    fn list_filters_parse_enums() {
        let bad = ListInput {
            status: Some("bogus".into()),
            ..ListInput::default()
        };
        let e = bad.filter().expect_err("refused");
        assert_eq!((e.code(), e.field()), ("not_one_of", Some("status")));
        let good = ListInput {
            status: Some("open".into()),
            q: Some("  ".into()),
            ..ListInput::default()
        };
        assert_eq!(
            parse_sort("-due").ok(),
            Some(Sort {
                key: SortKey::Due,
                desc: true
            })
        );
        assert_eq!(
            parse_sort("size").map_err(|e| (e.code().to_string(), e.field().map(str::to_string))),
            Err(("not_one_of".to_string(), Some("sort".to_string())))
        );
        assert_eq!(parse_view("all", "a", 0).ok(), Some(None));
        assert_eq!(
            parse_view("mine", "a", 0).ok(),
            Some(Some(QueueView::Mine("a".into())))
        );
        assert_eq!(
            parse_view("overdue", "a", 7).ok(),
            Some(Some(QueueView::Overdue(7)))
        );
        let f = good.filter().expect("filter");
        assert_eq!(f.status, Some(TicketStatus::Open));
        assert_eq!(f.q, None);
    }
}
