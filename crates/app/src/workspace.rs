//! The agents' workspace beyond one request: queue counts, bulk actions,
//! canned replies with placeholders, saved views, and the ratings
//! customers give solved requests. As everywhere, each use case asks the
//! policy first.
use crate::{App, Caller, Error, Result};
use domain::text::{self, limits};
use domain::{Action, Priority, TicketStatus};
pub use store::COUNT_CAP;
use store::{Macro, QueueCounts, Request, SavedView};

/// How long an agent counts as having a request open after the page last
/// said so (the page says so every 10 seconds).
pub const PRESENCE_WINDOW_MS: i64 = 30_000;

/// The most requests one bulk action changes.
pub const BULK_MAX: usize = 200;

/// The placeholders a canned reply may use, filled from the request and
/// the agent who uses it.
pub const PLACEHOLDERS: [&str; 7] = [
    "requester.name",
    "requester.first_name",
    "organisation.name",
    "request.number",
    "request.subject",
    "agent.name",
    "agent.first_name",
];

/// One change for many requests; every field is optional.
#[derive(Debug, Default, Clone)]
pub struct BulkInput {
    pub ids: Vec<String>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<String>>,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    /// Link every request to this incident.
    pub incident: Option<String>,
}

/// What a bulk action did: the requests it changed and, for the others,
/// why not (another organisation's request does not exist for staff
/// either way; a request whose state does not allow the change says so).
#[derive(Debug, Default)]
pub struct BulkOutcome {
    pub updated: Vec<String>,
    pub failed: Vec<(String, Error)>,
}

/// A canned reply as typed.
#[derive(Debug, Default, Clone)]
pub struct MacroInput {
    pub name: Option<String>,
    pub body: Option<String>,
    pub shared: Option<bool>,
}

/// The first word of a name.
fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// The placeholders of a text (`{{ requester.name }}`), in order; an
/// unclosed `{{` is an error.
fn placeholders(body: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(Error::invalid("body", "unclosed_placeholder"));
        };
        out.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    Ok(out)
}

/// Checks that a canned reply only uses known placeholders.
pub fn check_placeholders(body: &str) -> Result<()> {
    for p in placeholders(body)? {
        if !PLACEHOLDERS.contains(&p.as_str()) {
            return Err(Error::invalid_with(
                "body",
                "unknown_placeholder",
                &[("value", &p), ("allowed", &PLACEHOLDERS.join(", "))],
            ));
        }
    }
    Ok(())
}

/// Fills a canned reply's placeholders. Unknown ones (there are none in a
/// saved reply) are left as typed.
pub fn fill(body: &str, request: &Request, agent_name: &str) -> String {
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "requester.name" => request.requester_name.clone(),
            "requester.first_name" => first_name(&request.requester_name).to_string(),
            "organisation.name" => request.org_name.clone(),
            "request.number" => format!("#{}", request.number),
            "request.subject" => request.subject.clone(),
            "agent.name" => agent_name.to_string(),
            "agent.first_name" => first_name(agent_name).to_string(),
            _ => return None,
        })
    };
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                match value(name) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl App {
    /// How many requests each queue view holds, for the agent asking.
    pub async fn queue_counts(&self, caller: &Caller) -> Result<QueueCounts> {
        self.permit(caller, Action::WorkSupportQueue)?;
        Ok(self
            .store()
            .queue_counts(caller.user_id(), self.now())
            .await?)
    }

    /// Applies one change to many requests, each on its own (one request
    /// that cannot take the change does not hold up the others) and each
    /// through the same use case, policy and state machine as one at a time.
    pub async fn bulk_update(&self, caller: &Caller, input: BulkInput) -> Result<BulkOutcome> {
        self.permit(caller, Action::TriageRequest)?;
        let mut ids: Vec<String> = Vec::with_capacity(input.ids.len());
        for id in input.ids.iter().map(|s| s.trim()) {
            if !id.is_empty() && !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        }
        if ids.is_empty() {
            return Err(Error::invalid("ids", "required"));
        }
        if ids.len() > BULK_MAX {
            return Err(Error::invalid_with(
                "ids",
                "too_many_items",
                &[("max", &BULK_MAX.to_string())],
            ));
        }
        if input.assignee.is_none()
            && input.status.is_none()
            && input.priority.is_none()
            && input.incident.is_none()
        {
            return Err(Error::invalid("ids", "nothing_to_change"));
        }
        if let Some(incident) = &input.incident
            && self.store().incident(incident).await?.is_none()
        {
            return Err(Error::invalid("incident", "unknown_incident"));
        }
        let mut outcome = BulkOutcome::default();
        for id in ids {
            let result = async {
                let update = crate::requests::Update {
                    status: input.status,
                    priority: input.priority,
                    assignee: input.assignee.clone(),
                };
                if update.status.is_some() || update.priority.is_some() || update.assignee.is_some()
                {
                    self.update_request(caller, &id, update).await?;
                }
                if let Some(incident) = &input.incident {
                    self.link_request(caller, incident, &id).await?;
                }
                Ok::<(), Error>(())
            }
            .await;
            match result {
                Ok(()) => outcome.updated.push(id),
                Err(Error::Internal(e)) => return Err(Error::Internal(e)),
                Err(e) => outcome.failed.push((id, e)),
            }
        }
        Ok(outcome)
    }

    /// The canned replies an agent may use: shared ones and their own.
    pub async fn macros(&self, caller: &Caller) -> Result<Vec<Macro>> {
        self.permit(caller, Action::WorkSupportQueue)?;
        Ok(self.store().macros_for(caller.user_id()).await?)
    }

    /// One canned reply the agent may use; someone else's personal one
    /// does not exist for them.
    pub async fn macro_for(&self, caller: &Caller, id: &str) -> Result<Macro> {
        self.permit(caller, Action::WorkSupportQueue)?;
        let m = self.store().macro_by_id(id).await?.ok_or(Error::NotFound)?;
        if !m.shared.0 && m.owner_id != caller.user_id() {
            return Err(Error::NotFound);
        }
        Ok(m)
    }

    /// A canned reply the caller may change or delete.
    async fn editable_macro(&self, caller: &Caller, id: &str) -> Result<Macro> {
        let m = self.macro_for(caller, id).await?;
        self.permit(
            caller,
            Action::EditMacro {
                owner: &m.owner_id,
                shared: m.shared.0,
            },
        )?;
        Ok(m)
    }

    pub async fn create_macro(&self, caller: &Caller, input: MacroInput) -> Result<Macro> {
        self.permit(caller, Action::WorkSupportQueue)?;
        let name = text::line("name", input.name.as_deref().unwrap_or(""), limits::NAME)?;
        let body = text::block("body", input.body.as_deref().unwrap_or(""), limits::MESSAGE)?;
        check_placeholders(&body)?;
        let id = self
            .store()
            .create_macro(
                caller.user_id(),
                &name,
                &body,
                input.shared.unwrap_or(false),
                self.now(),
            )
            .await?;
        self.macro_for(caller, &id).await
    }

    /// Changes a canned reply: its owner; a shared one also support admins.
    pub async fn update_macro(
        &self,
        caller: &Caller,
        id: &str,
        input: MacroInput,
    ) -> Result<Macro> {
        let m = self.editable_macro(caller, id).await?;
        let name = match &input.name {
            Some(n) => text::line("name", n, limits::NAME)?,
            None => m.name.clone(),
        };
        let body = match &input.body {
            Some(b) => text::block("body", b, limits::MESSAGE)?,
            None => m.body.clone(),
        };
        check_placeholders(&body)?;
        let shared = input.shared.unwrap_or(m.shared.0);
        if !self
            .store()
            .update_macro(&m.id, &name, &body, shared, self.now())
            .await?
        {
            return Err(Error::NotFound);
        }
        self.macro_for(caller, id).await
    }

    pub async fn delete_macro(&self, caller: &Caller, id: &str) -> Result<()> {
        let m = self.editable_macro(caller, id).await?;
        if !self.store().delete_macro(&m.id).await? {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// A canned reply filled in for one request, as the agent would send it.
    pub async fn fill_macro(
        &self,
        caller: &Caller,
        macro_id: &str,
        request_id: &str,
    ) -> Result<String> {
        let m = self.macro_for(caller, macro_id).await?;
        let request = self.request(caller, request_id).await?;
        Ok(fill(&m.body, &request, &caller.principal.user.name))
    }

    /// Notes that the agent has the request open (typing or not) and tells
    /// who else has: the other agents seen on it in the last 30 seconds,
    /// (name, typing).
    pub async fn request_presence(
        &self,
        caller: &Caller,
        request_id: &str,
        typing: Option<bool>,
    ) -> Result<Vec<(String, bool)>> {
        self.permit(caller, Action::WorkSupportQueue)?;
        let request = self.request(caller, request_id).await?;
        let now = self.now();
        let since = now - PRESENCE_WINDOW_MS;
        Ok(self
            .store()
            .touch_presence(
                &request.id,
                caller.user_id(),
                typing.unwrap_or(false),
                now,
                since,
            )
            .await?)
    }

    /// The agent's saved queue views.
    pub async fn saved_views(&self, caller: &Caller) -> Result<Vec<SavedView>> {
        self.permit(caller, Action::WorkSupportQueue)?;
        Ok(self.store().saved_views(caller.user_id()).await?)
    }

    /// Saves the queue's current filters and order under a name. `query`
    /// is checked by listing with it, so a saved view always opens.
    pub async fn save_view(&self, caller: &Caller, name: &str, query: &str) -> Result<String> {
        self.permit(caller, Action::WorkSupportQueue)?;
        let name = text::line("name", name, limits::NAME)?;
        let query = text::line("query", query, limits::URL)?;
        if self.store().saved_views(caller.user_id()).await?.len() >= 50 {
            return Err(Error::invalid_with(
                "name",
                "too_many_items",
                &[("max", "50")],
            ));
        }
        Ok(self
            .store()
            .save_view(caller.user_id(), &name, &query, self.now())
            .await?)
    }

    pub async fn delete_view(&self, caller: &Caller, id: &str) -> Result<()> {
        self.permit(caller, Action::WorkSupportQueue)?;
        if self.store().delete_view(caller.user_id(), id).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// The requester's organisation rates a solved (or closed) request:
    /// good or bad and an optional comment; rating again replaces it.
    pub async fn rate_request(
        &self,
        caller: &Caller,
        id: &str,
        good: bool,
        comment: Option<&str>,
    ) -> Result<()> {
        let request = self.request(caller, id).await?;
        self.permit(
            caller,
            Action::RateRequest {
                org_id: &request.org_id,
            },
        )?;
        if !matches!(request.status, TicketStatus::Solved | TicketStatus::Closed) {
            return Err(Error::conflict("good", "not_solved"));
        }
        let comment =
            text::optional_block("comment", comment.unwrap_or(""), limits::FEEDBACK_COMMENT)?
                .unwrap_or_default();
        self.store()
            .rate_request(&request.id, caller.user_id(), good, &comment, self.now())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Plan;

    fn request() -> Request {
        Request {
            id: "r".into(),
            number: 1042,
            org_id: "o".into(),
            org_name: "Acme AB".into(),
            org_plan: Plan::Advanced,
            requester_id: "u".into(),
            requester_name: "Ada Lovelace".into(),
            subject: "Live broadcasts fail".into(),
            description: String::new(),
            priority: Priority::High,
            status: TicketStatus::Open,
            component: None,
            assignee_id: None,
            assignee_name: None,
            follow_up_of: None,
            created_at: 0,
            updated_at: 0,
            solved_at: None,
            due_at: None,
            target: Default::default(),
            first_response_at: None,
            targets_missed: 0,
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let body = "Hi {{requester.first_name}}, about {{ request.number }} ({{request.subject}}) \
                    at {{organisation.name}}: {{agent.first_name}} / {{agent.name}}.";
        assert_eq!(
            fill(body, &request(), "Sam Agent"),
            "Hi Ada, about #1042 (Live broadcasts fail) at Acme AB: Sam / Sam Agent."
        );
        assert_eq!(fill("{{nope}} and {{", &request(), "S"), "{{nope}} and {{");
    }

    #[test]
    fn only_known_placeholders_may_be_saved() {
        assert!(check_placeholders("Hello {{ requester.name }}").is_ok());
        let e = check_placeholders("Hello {{requester.phone}}").expect_err("unknown");
        assert_eq!((e.code(), e.field()), ("unknown_placeholder", Some("body")));
        let e = check_placeholders("Hello {{requester.name").expect_err("unclosed");
        assert_eq!(e.code(), "unclosed_placeholder");
    }
}
