//! Support requests as the pages and the API both use them: filing,
//! replying, changing status, priority and assignee. Every change goes
//! through the domain state machine, and every notification is written to the
//! outbox in the same transaction as the change.
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::state::AppState;
use domain::{Language, Priority, TicketEvent, TicketStatus, transition};
use store::{
    Change, NewAttachment, NewEvent, NewOutboxMessage, NewRequest, Principal, Request, Scope,
};

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;

pub fn check_subject(s: &str) -> AppResult<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AppError::bad("subject", "subject: must not be empty"));
    }
    if s.chars().count() > SUBJECT_MAX {
        return Err(AppError::bad(
            "subject",
            format!("subject: must be at most {SUBJECT_MAX} characters"),
        ));
    }
    Ok(s.to_string())
}

pub fn check_body(field: &str, s: &str) -> AppResult<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AppError::bad(field, format!("{field}: must not be empty")));
    }
    if s.chars().count() > BODY_MAX {
        return Err(AppError::bad(
            field,
            format!("{field}: must be at most {BODY_MAX} characters"),
        ));
    }
    Ok(s.to_string())
}

fn refused(e: domain::Refused) -> AppError {
    AppError::Conflict {
        message: e.to_string(),
        field: Some("status".into()),
    }
}

/// What a new request needs.
pub struct NewRequestInput {
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub component: Option<String>,
    pub follow_up_of: Option<String>,
}

/// Files a request for `who`, an admin whose organisation has direct
/// support (the caller has asked the policy).
pub async fn create(
    state: &AppState,
    who: &Principal,
    input: NewRequestInput,
    attachments: Vec<NewAttachment>,
) -> AppResult<String> {
    let org = who.org.as_ref().ok_or(AppError::NotFound)?;
    let subject = check_subject(&input.subject)?;
    let description = check_body("description", &input.description)?;
    if let Some(c) = &input.component
        && !state.store.component_exists(c).await?
    {
        return Err(AppError::bad(
            "component",
            format!("component: no listed feature has the id '{c}'"),
        ));
    }
    if let Some(prev) = &input.follow_up_of {
        let found = state.store.request(Scope::Org(&org.id), prev).await?;
        if found.is_none() {
            return Err(AppError::bad(
                "follow_up_of",
                "follow_up_of: no such request of your organisation",
            ));
        }
    }
    let id = state
        .store
        .create_request(
            &NewRequest {
                org_id: &org.id,
                requester_id: &who.user.id,
                subject: &subject,
                description: &description,
                priority: input.priority,
                component: input.component.as_deref(),
                follow_up_of: input.follow_up_of.as_deref(),
            },
            &attachments,
            &[],
            state.clock.now_ms(),
        )
        .await?;
    Ok(id)
}

/// A reply (or, for agents, an internal note) to a request.
pub async fn reply(
    state: &AppState,
    who: &Principal,
    request: &Request,
    body: &str,
    internal: bool,
    attachments: Vec<NewAttachment>,
) -> AppResult<()> {
    let staff = who.user.role.is_staff();
    if internal && !staff {
        return Err(AppError::Forbidden(domain::DenyReason::StaffOnly));
    }
    let body = check_body("body", body)?;
    let event = match (staff, internal) {
        (true, true) => TicketEvent::AgentNoted,
        (true, false) => TicketEvent::AgentReplied,
        (false, _) => TicketEvent::CustomerReplied,
    };
    let to = transition(request.status, event).map_err(refused)?;
    let mut events = vec![NewEvent {
        kind: if internal { "note" } else { "replied" },
        detail: "{}".into(),
        internal,
    }];
    if to != request.status {
        events.push(status_event(request.status, to, false));
    }
    let mut outbox = Vec::new();
    if staff && !internal {
        outbox = mails(
            state,
            request,
            &MailKind::Replied {
                author: &who.user.name,
                body: &body,
            },
            to,
        )
        .await?;
    }
    apply(
        state,
        Change {
            request_id: &request.id,
            actor_id: Some(&who.user.id),
            expected_status: request.status,
            new_status: to,
            message: Some((&body, internal)),
            priority: None,
            assignee: None,
            events,
            attachments,
            outbox,
            follow: (!staff).then_some(true),
        },
    )
    .await
}

fn status_event(from: TicketStatus, to: TicketStatus, auto: bool) -> NewEvent {
    NewEvent {
        kind: "status",
        detail: serde_json::json!({"from": from.as_str(), "to": to.as_str(), "auto": auto})
            .to_string(),
        internal: false,
    }
}

/// What an agent or a customer may change at once.
#[derive(Default)]
pub struct Update {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<String>>,
}

pub async fn update(
    state: &AppState,
    who: &Principal,
    request: &Request,
    u: Update,
) -> AppResult<()> {
    let staff = who.user.role.is_staff();
    if !staff && (u.priority.is_some() || u.assignee.is_some()) {
        return Err(AppError::Forbidden(domain::DenyReason::StaffOnly));
    }
    let mut to = request.status;
    let mut events = Vec::new();
    if let Some(wanted) = u.status {
        let event = if staff {
            TicketEvent::AgentSetStatus(wanted)
        } else {
            match wanted {
                TicketStatus::Solved => TicketEvent::CustomerSolved,
                TicketStatus::Open => TicketEvent::CustomerReopened,
                other => {
                    return Err(AppError::bad(
                        "status",
                        format!(
                            "status: customers can mark a request solved or reopen it, not set it to {other}"
                        ),
                    ));
                }
            }
        };
        to = transition(request.status, event).map_err(refused)?;
        events.push(status_event(request.status, to, false));
    } else if request.status == TicketStatus::Closed {
        return Err(refused(domain::Refused {
            from: TicketStatus::Closed,
            what: "change",
            why: "closed requests are final; start a follow-up request instead",
        }));
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
        Some(Some(id)) if Some(id) != request.assignee_id.as_ref() => {
            let agents = state.store.agents().await?;
            let Some((_, name)) = agents.into_iter().find(|(a, _)| a == id) else {
                return Err(AppError::bad(
                    "assignee",
                    "assignee: no support staff member has this id",
                ));
            };
            assignee_name = Some(name);
            Some(Some(id.as_str()))
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
        mails(state, request, &MailKind::Status, to).await?
    } else {
        Vec::new()
    };
    apply(
        state,
        Change {
            request_id: &request.id,
            actor_id: Some(&who.user.id),
            expected_status: request.status,
            new_status: to,
            message: None,
            priority,
            assignee,
            events,
            attachments: Vec::new(),
            outbox,
            follow: None,
        },
    )
    .await
}

async fn apply(state: &AppState, change: Change<'_>) -> AppResult<()> {
    if state
        .store
        .apply_change(&change, state.clock.now_ms())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::Conflict {
            message: "the request changed while you were working on it; reload it and try again"
                .into(),
            field: Some("status".into()),
        })
    }
}

/// Closes requests that have been solved for longer than the configured
/// time. Returns how many were closed.
pub async fn close_solved(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now_ms();
    let cutoff = now - state.config.auto_close_ms;
    let mut closed = 0;
    loop {
        let ids = state.store.solved_before(cutoff, 100).await?;
        if ids.is_empty() {
            break;
        }
        let mut progressed = false;
        for id in ids {
            let to = transition(TicketStatus::Solved, TicketEvent::AutoClose).map_err(refused)?;
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
            };
            if state.store.apply_change(&change, now).await? {
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

enum MailKind<'a> {
    Replied { author: &'a str, body: &'a str },
    Status,
}

/// E-mails to the organisation's admins who follow the request, each in
/// their own language.
async fn mails(
    state: &AppState,
    request: &Request,
    kind: &MailKind<'_>,
    to: TicketStatus,
) -> AppResult<Vec<NewOutboxMessage>> {
    let followers = state.store.admin_followers(&request.id).await?;
    let change_id = store::new_id();
    let link = format!("{}/support/requests/{}", state.config.base_url, request.id);
    Ok(followers
        .into_iter()
        .map(|(user_id, email, name, language)| {
            let lang = language
                .and_then(|l| Language::parse(&l).ok())
                .unwrap_or(state.config.default_language);
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
            NewOutboxMessage {
                channel: "email".into(),
                target: email.clone(),
                payload: notify::Email {
                    to: email,
                    html: crate::mail_html::render(tr.0, &subject, &text, None),
                    subject,
                    text,
                    headers: Vec::new(),
                }
                .to_json(),
                idempotency_key: format!("request:{}:{change_id}:{user_id}", request.id),
            }
        })
        .collect())
}
