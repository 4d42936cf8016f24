//! The support inbox for customer admins (`/support`) and the agents' queue
//! (`/agent`): lists, the request page, filing, replying and status
//! changes. Handlers parse the form, call the use case, and render.
use crate::http::ctx::{Ctx, Viewer};
use crate::http::error::{AppResult, Error};
use crate::http::extract::{CsrfForm, FormBody, QueryOf};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::http::uploads;
use crate::i18n::{Tr, format_time};
use app::requests::{ListInput, NewRequestInput, RequestView as Loaded, Update};
use app::status::IncidentDetail;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, DenyReason, Priority, TicketStatus};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    let with_files = Router::new()
        .route("/support/new", post(new_request))
        .route("/support/requests/{id}/reply", post(reply))
        .route("/agent/requests/{id}/reply", post(reply))
        .layer(DefaultBodyLimit::max(uploads::MAX_BODY_BYTES));
    Router::new()
        .route("/support", get(inbox))
        .route("/support/new", get(new_form))
        .route("/support/requests/{id}", get(request_page))
        .route("/support/requests/{id}/solve", post(solve))
        .route("/support/requests/{id}/reopen", post(reopen))
        .route("/support/requests/{id}/follow", post(follow))
        .route("/support/requests/{id}/attachments/{file}", get(attachment))
        .route("/agent/requests/{id}", get(request_page))
        .route("/agent/requests/{id}/update", post(agent_update))
        .route("/agent/requests/{id}/link", post(link_request))
        .route("/agent/requests/{id}/macros/{macro_id}", get(fill_macro))
        .route("/agent/requests/{id}/presence", post(presence))
        .route("/support/requests/{id}/rate", post(rate))
        .route("/support/requests/{id}/cc", post(cc))
        .merge(with_files)
}

/// Direct support is offered from a computer only.
pub fn is_phone(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| {
            ["Mobi", "Android", "iPhone", "iPad", "iPod"]
                .iter()
                .any(|m| ua.contains(m))
        })
}

pub fn priority_name(tr: Tr, p: Priority) -> String {
    tr.t(&format!("priority-{}", p.as_str()))
}

pub fn status_name(tr: Tr, s: TicketStatus) -> String {
    tr.t(&format!("status-{}", s.as_str()))
}

fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            q.append_pair(k, v);
        }
    }
    let q = q.finish();
    if q.is_empty() { q } else { format!("?{q}") }
}

#[derive(Template)]
#[template(path = "support/support_blocked.html")]
struct BlockedPage {
    page: Page,
    message: String,
    /// The organisation's admins, for a member to ask.
    admins: String,
    /// What Advanced and Enterprise include, for a Core organisation.
    upgrade: bool,
}

fn blocked_page(ctx: &Ctx, message: String) -> AppResult<Response> {
    blocked_page_with(ctx, message, String::new(), false)
}

fn blocked_page_with(
    ctx: &Ctx,
    message: String,
    admins: String,
    upgrade: bool,
) -> AppResult<Response> {
    let page = ctx.page("support-unavailable-title");
    Ok((
        StatusCode::FORBIDDEN,
        render(&BlockedPage {
            page,
            message,
            admins,
            upgrade,
        })?,
    )
        .into_response())
}

/// A refusal on a support page: staff go to their queue, customers whose
/// plan or role has no direct support are told why; the rest is an error.
async fn explain(ctx: &Ctx, e: Error) -> AppResult<Response> {
    match e {
        Error::Denied(DenyReason::CustomersOnly) if ctx.caller().is_some_and(|c| c.is_staff()) => {
            Ok(Redirect::to("/agent").into_response())
        }
        Error::Denied(reason) => {
            let message = ctx
                .tr()
                .t(&format!("deny-{}", reason.code().replace('_', "-")));
            // Members learn whom to ask; a Core organisation what the
            // other plans include.
            let admins = match ctx.caller() {
                Some(c) => ctx.app().admin_names_for_member(c).await?,
                None => String::new(),
            };
            let upgrade = reason == DenyReason::PlanExcludesDirectSupport;
            blocked_page_with(ctx, message, admins, upgrade)
        }
        other => Err(other.into()),
    }
}

/// The customer side needs direct support: the viewer, or the page that
/// explains why not.
async fn direct_support(ctx: &Ctx) -> AppResult<Result<&Viewer, Box<Response>>> {
    let viewer = ctx.viewer()?;
    match ctx.app().permit(&viewer.caller, Action::UseDirectSupport) {
        Ok(_) => Ok(Ok(viewer)),
        Err(e) => Ok(Err(Box::new(explain(ctx, e).await?))),
    }
}

fn blocked_phone(ctx: &Ctx) -> AppResult<Response> {
    blocked_page(ctx, ctx.tr().t("computer-only"))
}

/// An unresolved incident, as support pages show it.
pub(crate) struct KnownIssue {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) impact: String,
    pub(crate) status: String,
    pub(crate) components: Vec<String>,
    pub(crate) component_names: String,
}

impl KnownIssue {
    /// Whether the incident affects the feature `component`.
    pub(crate) fn affects(&self, component: &str) -> bool {
        self.components.iter().any(|c| c == component)
    }
}

/// The unresolved incidents of the status page, for the inbox and the form.
pub(crate) fn known_issues(tr: Tr, list: Vec<IncidentDetail>) -> Vec<KnownIssue> {
    list.into_iter()
        .map(|d| KnownIssue {
            status: tr.t(&format!("incident-{}", d.incident.status)),
            components: d.components.iter().map(|(id, _)| id.clone()).collect(),
            component_names: d
                .components
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            id: d.incident.id,
            name: d.incident.name,
            impact: d.incident.impact,
        })
        .collect()
}

// ---- inbox ---------------------------------------------------------------------

struct Tab {
    href: String,
    label: String,
    count: i64,
    current: bool,
}

struct Row {
    id: String,
    number: i64,
    subject: String,
    requester: String,
    updated: String,
    priority: String,
    priority_code: &'static str,
    status: String,
    status_code: &'static str,
}

#[derive(Template)]
#[template(path = "support/inbox.html")]
struct InboxPage {
    page: Page,
    org_name: String,
    phone: bool,
    tabs: Vec<Tab>,
    status: Option<&'static str>,
    q: String,
    priority: String,
    priorities: Vec<(&'static str, String)>,
    component: String,
    components: Vec<(String, String)>,
    rows: Vec<Row>,
    paged: bool,
    first_href: String,
    next_href: Option<String>,
    issues: Vec<KnownIssue>,
    chat: bool,
    chats: usize,
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub component: Option<String>,
    pub q: Option<String>,
    pub cursor: Option<String>,
}

impl ListQuery {
    fn input(&self, limit: i64) -> ListInput {
        ListInput {
            status: self.status.clone(),
            priority: self.priority.clone(),
            component: self.component.clone(),
            q: self.q.clone(),
            cursor: self.cursor.clone(),
            limit,
            ..ListInput::default()
        }
    }
}

async fn inbox(ctx: Ctx, QueryOf(query): QueryOf<ListQuery>) -> AppResult<Response> {
    let viewer = match direct_support(&ctx).await? {
        Ok(v) => v,
        Err(r) => return Ok(*r),
    };
    let caller = &viewer.caller;
    let org = caller.principal.org.clone().ok_or(Error::NotFound)?;
    let input = query.input(25);
    let filter = input.filter()?;
    let (requests, next) = ctx.app().list_requests(caller, &input).await?;
    let counts = ctx.app().status_counts(caller).await?;
    let tr = ctx.tr();
    let status = filter.status.map(TicketStatus::as_str);
    let priority = filter
        .priority
        .map(Priority::as_str)
        .unwrap_or("")
        .to_string();
    let component = filter.component.clone().unwrap_or_default();
    let q = filter.q.clone().unwrap_or_default();
    let keep = |status: Option<&str>, cursor: Option<&str>| {
        format!(
            "/support{}",
            query_string(&[
                ("status", status),
                ("priority", Some(&priority)),
                ("component", Some(&component)),
                ("q", Some(&q)),
                ("cursor", cursor),
            ])
        )
    };
    let mut tabs = vec![Tab {
        href: keep(None, None),
        label: tr.t("status-all"),
        count: counts.iter().map(|(_, n)| n).sum(),
        current: status.is_none(),
    }];
    for (s, n) in &counts {
        tabs.push(Tab {
            href: keep(Some(s.as_str()), None),
            label: status_name(tr, *s),
            count: *n,
            current: status == Some(s.as_str()),
        });
    }
    let rows = requests
        .into_iter()
        .map(|r| Row {
            updated: format_time(r.updated_at, ctx.lang),
            priority: priority_name(tr, r.priority),
            priority_code: r.priority.as_str(),
            status: status_name(tr, r.status),
            status_code: r.status.as_str(),
            number: r.number,
            id: r.id,
            subject: r.subject,
            requester: r.requester_name,
        })
        .collect();
    let components = ctx.app().component_choices().await?;
    let html = render(&InboxPage {
        page: ctx.page("inbox-title"),
        org_name: org.name,
        phone: is_phone(&ctx.headers),
        tabs,
        status,
        priorities: Priority::ALL
            .iter()
            .map(|p| (p.as_str(), priority_name(tr, *p)))
            .collect(),
        components,
        rows,
        paged: filter.cursor.is_some(),
        first_href: keep(status, None),
        next_href: next.as_deref().map(|c| keep(status, Some(c))),
        issues: known_issues(tr, ctx.app().known_problems(ctx.lang).await?),
        chat: caller.may(Action::UseChat),
        chats: ctx.app().chats(caller).await?.len(),
        q: q.clone(),
        priority: priority.clone(),
        component: component.clone(),
    })?;
    Ok(html.into_response())
}

// ---- filing a request ------------------------------------------------------------

struct PriorityCard {
    code: &'static str,
    title: String,
    description: String,
    examples: Vec<String>,
}

#[derive(Template)]
#[template(path = "support/request_new.html")]
struct NewRequestPage {
    page: Page,
    phone: bool,
    error: Option<String>,
    subject: String,
    description: String,
    priority: String,
    component: String,
    components: Vec<(String, String)>,
    priority_cards: Vec<PriorityCard>,
    follow_up_of: Option<String>,
    issues: Vec<KnownIssue>,
    script: &'static str,
}

fn priority_cards(tr: Tr) -> Vec<PriorityCard> {
    Priority::ALL
        .iter()
        .map(|p| {
            let code = p.as_str();
            PriorityCard {
                code,
                title: tr.t(&format!("priority-{code}-title")),
                description: tr.t(&format!("priority-{code}-desc")),
                examples: (1..=3)
                    .filter_map(|i| tr.try_t(&format!("priority-{code}-ex{i}")))
                    .collect(),
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct NewQuery {
    follow_up_of: Option<String>,
    /// Carried over from "Chat with us" when nobody can chat.
    subject: Option<String>,
    body: Option<String>,
    component: Option<String>,
}

async fn new_form(ctx: Ctx, QueryOf(q): QueryOf<NewQuery>) -> AppResult<Response> {
    if let Err(r) = direct_support(&ctx).await? {
        return Ok(*r);
    }
    let draft = NewRequestInput {
        follow_up_of: q.follow_up_of,
        subject: q.subject.unwrap_or_default(),
        description: q.body.unwrap_or_default(),
        component: q.component,
        ..NewRequestInput::default()
    };
    new_page(&ctx, StatusCode::OK, None, draft).await
}

async fn new_page(
    ctx: &Ctx,
    status: StatusCode,
    error: Option<String>,
    draft: NewRequestInput,
) -> AppResult<Response> {
    let components = ctx.app().component_choices().await?;
    let html = render(&NewRequestPage {
        page: ctx.page("ask-question"),
        phone: is_phone(&ctx.headers),
        error,
        subject: draft.subject,
        description: draft.description,
        priority: draft.priority,
        component: draft.component.unwrap_or_default(),
        components,
        priority_cards: priority_cards(ctx.tr()),
        follow_up_of: draft.follow_up_of.filter(|f| !f.is_empty()),
        issues: known_issues(ctx.tr(), ctx.app().known_problems(ctx.lang).await?),
        script: crate::http::assets::support_js_path(),
    })?;
    Ok((status, html).into_response())
}

async fn new_request(ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    let form = uploads::read(&ctx.state, multipart).await?;
    let outcome = file_from_form(&ctx, &form).await;
    // Only a filed request keeps the files it carried.
    if !matches!(outcome, Ok((_, true))) {
        ctx.app().discard_files(&form.files).await;
    }
    outcome.map(|(r, _)| r)
}

/// Files the request of a form; the response, and whether it was filed.
async fn file_from_form(ctx: &Ctx, form: &uploads::UploadForm) -> AppResult<(Response, bool)> {
    ctx.check_csrf(form.field("csrf"))?;
    let viewer = match direct_support(ctx).await? {
        Ok(v) => v,
        Err(r) => return Ok((*r, false)),
    };
    if is_phone(&ctx.headers) {
        let r = new_page(ctx, StatusCode::FORBIDDEN, None, NewRequestInput::default()).await?;
        return Ok((r, false));
    }
    let input = NewRequestInput {
        subject: form.field("subject").to_string(),
        description: form.field("description").to_string(),
        priority: form.field("priority").to_string(),
        component: Some(form.field("component").to_string()),
        follow_up_of: Some(form.field("follow_up_of").to_string()),
    };
    let filed = match &form.refused {
        Some(e) => Err(Error::Invalid(match e {
            Error::Invalid(i) => i.clone(),
            _ => app::Invalid::new("attachments", "form"),
        })),
        None => {
            ctx.app()
                .file_request(&viewer.caller, input.clone(), form.files.clone())
                .await
        }
    };
    match filed {
        Ok(id) => Ok((
            Redirect::to(&format!("/support/requests/{id}?done=request-sent")).into_response(),
            true,
        )),
        Err(e @ Error::Invalid(_)) => {
            let message = e.message(ctx.lang);
            let r = new_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(message), input).await?;
            Ok((r, false))
        }
        Err(e) => Ok((explain(ctx, e).await?, false)),
    }
}

// ---- one request ------------------------------------------------------------------

struct RequestView {
    id: String,
    number: i64,
    subject: String,
    status: String,
    status_code: &'static str,
    priority: String,
    priority_code: &'static str,
    component: Option<String>,
    org: String,
    plan: String,
    plan_code: &'static str,
    requester: String,
    created: String,
    assignee: String,
    assignee_id: String,
}

struct FileView {
    href: String,
    name: String,
    size: String,
}

struct MessageView {
    author: String,
    at: String,
    html: String,
    staff: bool,
    internal: bool,
    files: Vec<FileView>,
}

struct EventView {
    text: String,
    at: String,
    internal: bool,
}

/// An incident the request is linked to, as its page shows it.
struct LinkView {
    id: String,
    name: String,
    resolved: Option<String>,
}

/// The rating of a solved request, as its page shows it.
struct RatingView {
    good: bool,
    comment: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "support/request.html")]
struct RequestPage {
    page: Page,
    r: RequestView,
    agent: bool,
    base: String,
    phone: bool,
    closed: bool,
    solved: bool,
    following: bool,
    error: Option<String>,
    messages: Vec<MessageView>,
    events: Vec<EventView>,
    statuses: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    agents: Vec<(String, String)>,
    incidents: Vec<(String, String)>,
    links: Vec<LinkView>,
    rating: Option<RatingView>,
    /// Solved or closed, and the viewer may rate it.
    may_rate: bool,
    /// Canned replies the agent may insert: (id, name).
    macros: Vec<(String, String)>,
    /// The reply box's text (a canned reply inserted without JavaScript).
    draft: String,
    chosen_macro: String,
    /// The statuses a reply can set at once: (code, button label).
    reply_then: Vec<(&'static str, String)>,
    /// Staff: the response target's state, and its badge class.
    target_note: Option<(String, &'static str)>,
    /// Customers: what happens next.
    next_note: Option<String>,
    /// Staff: the collision notice (other agents on it), if any.
    collision: Option<String>,
    /// The admins who follow it, and the other admins who could be added.
    followers: Vec<String>,
    cc_choices: Vec<(String, String)>,
    script: &'static str,
}

fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

fn event_text(tr: Tr, e: &app::model::Event, auto_close_days: i64) -> String {
    let actor = e.actor_name.clone().unwrap_or_else(|| tr.t("brand"));
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
    let word = |key: &str, field: &str| {
        detail[field]
            .as_str()
            .map(|v| tr.t(&format!("{key}-{v}")))
            .unwrap_or_default()
    };
    match e.kind.as_str() {
        "created" => tr.ta("event-created", &[("actor", &actor)]),
        "replied" => tr.ta("event-replied", &[("actor", &actor)]),
        "note" => tr.ta("event-note", &[("actor", &actor)]),
        "status" if detail["auto"] == true => tr.ta(
            "event-auto-closed",
            &[("days", &auto_close_days.to_string())],
        ),
        "status" => tr.ta(
            "event-status",
            &[
                ("actor", &actor),
                ("from", &word("status", "from")),
                ("to", &word("status", "to")),
            ],
        ),
        "priority" => tr.ta(
            "event-priority",
            &[
                ("actor", &actor),
                ("from", &word("priority", "from")),
                ("to", &word("priority", "to")),
            ],
        ),
        "assigned" => match detail["name"].as_str() {
            Some(name) => tr.ta("event-assigned", &[("actor", &actor), ("name", name)]),
            None => tr.ta("event-unassigned", &[("actor", &actor)]),
        },
        other => other.to_string(),
    }
}

async fn request_view(
    ctx: &Ctx,
    viewer: &Viewer,
    loaded: Loaded,
    error: Option<String>,
) -> AppResult<RequestPage> {
    request_view_with(ctx, viewer, loaded, error, None).await
}

/// The request page; `chosen` is a canned reply to put in the reply box
/// (`?macro=ID`, for agents without JavaScript).
async fn request_view_with(
    ctx: &Ctx,
    viewer: &Viewer,
    loaded: Loaded,
    error: Option<String>,
    chosen: Option<&str>,
) -> AppResult<RequestPage> {
    let caller = &viewer.caller;
    let staff = caller.is_staff();
    let tr = ctx.tr();
    let Loaded {
        request,
        messages,
        events,
        files,
        following,
        incidents: linked,
        rating,
    } = loaded;
    let file_views = |message_id: Option<&str>| -> Vec<FileView> {
        files
            .iter()
            .filter(|f| f.message_id.as_deref() == message_id)
            .map(|f| FileView {
                href: format!("/support/requests/{}/attachments/{}", request.id, f.id),
                name: f.filename.clone(),
                size: human_size(f.size),
            })
            .collect()
    };
    let mut message_views = vec![MessageView {
        author: request.requester_name.clone(),
        at: format_time(request.created_at, ctx.lang),
        html: app::markdown::render(&request.description),
        staff: false,
        internal: false,
        files: file_views(None),
    }];
    for m in &messages {
        message_views.push(MessageView {
            author: m.author_name.clone(),
            at: format_time(m.created_at, ctx.lang),
            html: app::markdown::render(&m.body),
            staff: m.author_is_staff,
            internal: m.internal,
            files: file_views(Some(&m.id)),
        });
    }
    let days = ctx.app().config.auto_close_ms / (24 * 3600 * 1000);
    let event_views = events
        .iter()
        .map(|e| EventView {
            text: event_text(tr, e, days),
            at: format_time(e.created_at, ctx.lang),
            internal: e.internal,
        })
        .collect();
    let component = match &request.component {
        Some(c) => ctx
            .app()
            .component_refs()
            .await?
            .into_iter()
            .find(|r| &r.id == c)
            .map(|r| r.name),
        None => None,
    };
    let (agents, incidents) = if caller.may(Action::TriageRequest) {
        (
            ctx.app().agents(caller).await?,
            incident_options(ctx).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let prefix = if staff { "/agent" } else { "/support" };
    let (macros, draft, chosen_macro) = if staff {
        let list: Vec<(String, String)> = ctx
            .app()
            .macros(caller)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
        let draft = match chosen.filter(|c| !c.is_empty()) {
            Some(id) => ctx.app().fill_macro(caller, id, &request.id).await?,
            None => String::new(),
        };
        (list, draft, chosen.unwrap_or_default().to_string())
    } else {
        (Vec::new(), String::new(), String::new())
    };
    let links = linked
        .into_iter()
        .map(|i| LinkView {
            resolved: i.resolved_at.map(|t| format_time(t, ctx.lang)),
            id: i.id,
            name: i.name,
        })
        .collect();
    let rated = matches!(request.status, TicketStatus::Solved | TicketStatus::Closed);
    let may_rate = rated
        && caller.may(Action::RateRequest {
            org_id: &request.org_id,
        });
    let rating = rating.map(|r| RatingView {
        good: r.good,
        comment: r.comment,
        by: r.rater_name,
        at: format_time(r.updated_at, ctx.lang),
    });
    let reply_then = if staff {
        vec![
            (
                TicketStatus::WaitingOnCustomer.as_str(),
                tr.t("reply-and-wait"),
            ),
            (TicketStatus::Solved.as_str(), tr.t("reply-and-solve")),
        ]
    } else {
        Vec::new()
    };
    let target_note = if staff {
        target_note(ctx, &request).await?
    } else {
        None
    };
    let next_note = if staff {
        None
    } else {
        next_note(ctx, &request).await?
    };
    let collision = if staff {
        let others = ctx
            .app()
            .request_presence(caller, &request.id, None)
            .await?;
        collision_text(tr, &others)
    } else {
        None
    };
    let followed_by = ctx.app().request_followers(caller, &request.id).await?;
    let cc_choices = if !staff
        && caller.may(Action::FollowRequest {
            org_id: &request.org_id,
        }) {
        ctx.app()
            .own_admins(caller)
            .await?
            .into_iter()
            .filter(|u| !followed_by.iter().any(|(id, _)| *id == u.id))
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        Vec::new()
    };
    let mut page = ctx.page("request-title");
    page.title = format!("#{} {}", request.number, request.subject);
    Ok(RequestPage {
        collision,
        followers: followed_by.into_iter().map(|(_, n)| n).collect(),
        cc_choices,
        target_note,
        next_note,
        links,
        rating,
        may_rate,
        macros,
        draft,
        chosen_macro,
        reply_then,
        script: crate::http::assets::agent_js_path(),
        agent: staff,
        base: format!("{prefix}/requests/{}", request.id),
        phone: is_phone(&ctx.headers),
        closed: request.status == TicketStatus::Closed,
        solved: request.status == TicketStatus::Solved,
        following,
        error,
        messages: message_views,
        events: event_views,
        statuses: [
            TicketStatus::Open,
            TicketStatus::WaitingOnCustomer,
            TicketStatus::Solved,
            TicketStatus::Closed,
        ]
        .iter()
        .chain(std::iter::once(&request.status).filter(|s| **s == TicketStatus::New))
        .map(|s| (s.as_str(), status_name(tr, *s)))
        .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| (p.as_str(), priority_name(tr, *p)))
            .collect(),
        agents,
        incidents,
        r: RequestView {
            status: status_name(tr, request.status),
            status_code: request.status.as_str(),
            priority: priority_name(tr, request.priority),
            priority_code: request.priority.as_str(),
            component,
            plan: page.t(&format!("plan-{}", request.org_plan.as_str())),
            plan_code: request.org_plan.as_str(),
            created: format_time(request.created_at, ctx.lang),
            assignee: request
                .assignee_name
                .clone()
                .unwrap_or_else(|| tr.t("unassigned")),
            assignee_id: request.assignee_id.clone().unwrap_or_default(),
            number: request.number,
            id: request.id,
            subject: request.subject,
            org: request.org_name,
            requester: request.requester_name,
        },
        page,
    })
}

/// For agents: "First response due in 40 min", "… paused", "… overdue".
async fn target_note(
    ctx: &Ctx,
    request: &app::model::Request,
) -> AppResult<Option<(String, &'static str)>> {
    let Some(kind) = request.target.kind else {
        return Ok(None);
    };
    let Some((left, paused)) = ctx.app().target_left(request).await? else {
        return Ok(None);
    };
    let tr = ctx.tr();
    let what = tr.t(&format!("target-{}", kind.as_str()));
    let time = app::i18n::format_duration(left.abs(), ctx.lang);
    Ok(Some(if paused {
        (
            tr.ta("target-paused", &[("what", &what), ("time", &time)]),
            "muted",
        )
    } else if left < 0 {
        (
            tr.ta("target-overdue", &[("what", &what), ("time", &time)]),
            "danger",
        )
    } else {
        (
            tr.ta("target-due", &[("what", &what), ("time", &time)]),
            if left < 30 * 60_000 { "warn" } else { "ok" },
        )
    }))
}

/// For customers: what happens next, promising nothing where no target
/// exists ("Support usually answers High requests within 1 h, weekdays
/// 08:00–17:00 Europe/Stockholm").
async fn next_note(ctx: &Ctx, request: &app::model::Request) -> AppResult<Option<String>> {
    let tr = ctx.tr();
    if request.status == TicketStatus::WaitingOnCustomer {
        return Ok(Some(tr.t("next-waiting-on-you")));
    }
    let Some((minutes, hours)) = ctx.app().usual_answer(request).await? else {
        return Ok(None);
    };
    let within = app::i18n::format_duration(minutes * 60_000, ctx.lang);
    let priority = priority_name(tr, request.priority);
    Ok(Some(if hours.is_always() {
        tr.ta(
            "next-usual-answer-always",
            &[("priority", &priority), ("time", &within)],
        )
    } else {
        let days = hours
            .day_names()
            .iter()
            .map(|d| tr.t(&format!("day-{d}")))
            .collect::<Vec<_>>()
            .join(", ");
        tr.ta(
            "next-usual-answer",
            &[
                ("priority", &priority),
                ("time", &within),
                ("days", &days),
                ("start", &domain::hours::clock_text(hours.start)),
                ("end", &domain::hours::clock_text(hours.end)),
                ("zone", &hours.time_zone),
            ],
        )
    }))
}

#[derive(Deserialize, Default)]
struct RequestQuery {
    #[serde(rename = "macro")]
    chosen: Option<String>,
}

async fn request_page(
    ctx: Ctx,
    Path(id): Path<String>,
    QueryOf(query): QueryOf<RequestQuery>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let loaded = match ctx.app().request_view(&viewer.caller, &id).await {
        Ok(l) => l,
        Err(e) => return explain(&ctx, e).await,
    };
    // Staff and customers each have their own address for a request.
    let staff = viewer.caller.is_staff();
    if staff != ctx.here.starts_with("/agent/") {
        let prefix = if staff { "/agent" } else { "/support" };
        return Ok(Redirect::to(&format!("{prefix}/requests/{id}")).into_response());
    }
    let chosen = query.chosen.as_deref().filter(|_| staff);
    let page = request_view_with(&ctx, viewer, loaded, None, chosen).await?;
    Ok(render(&page)?.into_response())
}

/// "Kim is typing a reply" / "Kim also has this request open".
fn collision_text(tr: Tr, others: &[(String, bool)]) -> Option<String> {
    if others.is_empty() {
        return None;
    }
    let typing: Vec<&str> = others
        .iter()
        .filter(|(_, t)| *t)
        .map(|(n, _)| n.as_str())
        .collect();
    Some(if typing.is_empty() {
        let names: Vec<&str> = others.iter().map(|(n, _)| n.as_str()).collect();
        tr.ta("collision-viewing", &[("names", &names.join(", "))])
    } else {
        tr.ta("collision-typing", &[("names", &typing.join(", "))])
    })
}

#[derive(Deserialize, Default)]
struct PresenceBody {
    #[serde(default)]
    typing: bool,
}

/// The agent's page says it is open (and whether they type); the answer
/// is who else has it open.
async fn presence(
    ctx: Ctx,
    Path(id): Path<String>,
    crate::http::extract::JsonBody(b): crate::http::extract::JsonBody<PresenceBody>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(
        ctx.headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    )?;
    let others = ctx
        .app()
        .request_presence(caller, &id, Some(b.typing))
        .await?;
    let list: Vec<serde_json::Value> = others
        .iter()
        .map(|(name, typing)| serde_json::json!({"name": name, "typing": typing}))
        .collect();
    Ok(axum::Json(serde_json::json!({
        "others": list,
        "notice": collision_text(ctx.tr(), &others),
    }))
    .into_response())
}

#[derive(Deserialize)]
struct CcForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
}

/// CC: another admin of the organisation follows the request.
async fn cc(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CcForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx.app().cc_request(ctx.signed_in()?, &id, &f.user).await;
    after(&ctx, &id, result, "cc-added").await
}

/// A canned reply filled in for this request (the request page inserts it
/// where the cursor is).
async fn fill_macro(ctx: Ctx, Path((id, macro_id)): Path<(String, String)>) -> AppResult<Response> {
    let body = ctx
        .app()
        .fill_macro(ctx.signed_in()?, &macro_id, &id)
        .await?;
    Ok(axum::Json(serde_json::json!({ "body": body })).into_response())
}

/// "Was this solved well?": the rating of a solved request, by form post.
async fn rate(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<crate::http::extract::RatingForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let caller = ctx.signed_in()?;
    let result = match f.good.as_str() {
        "1" | "0" => {
            ctx.app()
                .rate_request(caller, &id, f.good == "1", Some(&f.comment))
                .await
        }
        _ => Err(Error::invalid("good", "required")),
    };
    after(&ctx, &id, result, "rated").await
}

/// After an action: back to the request with its confirmation, or the
/// request page again with the refusal (422/409), or the explanation.
async fn after(ctx: &Ctx, id: &str, result: Result<(), Error>, done: &str) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let e = match result {
        Ok(()) => {
            let prefix = if viewer.caller.is_staff() {
                "/agent"
            } else {
                "/support"
            };
            return Ok(Redirect::to(&format!("{prefix}/requests/{id}?done={done}")).into_response());
        }
        Err(e) => e,
    };
    let status = crate::http::error::status_of(&e);
    if !matches!(e, Error::Invalid(_) | Error::Conflict(_)) {
        return explain(ctx, e).await;
    }
    let loaded = ctx.app().request_view(&viewer.caller, id).await?;
    let page = request_view(ctx, viewer, loaded, Some(e.message(ctx.lang))).await?;
    Ok((status, render(&page)?).into_response())
}

async fn reply(ctx: Ctx, Path(id): Path<String>, multipart: Multipart) -> AppResult<Response> {
    let form = uploads::read(&ctx.state, multipart).await?;
    let outcome = reply_from_form(&ctx, &id, &form).await;
    if !matches!(outcome, Ok((_, true))) {
        ctx.app().discard_files(&form.files).await;
    }
    outcome.map(|(r, _)| r)
}

/// Posts the reply of a form; the response, and whether it was posted.
async fn reply_from_form(
    ctx: &Ctx,
    id: &str,
    form: &uploads::UploadForm,
) -> AppResult<(Response, bool)> {
    ctx.check_csrf(form.field("csrf"))?;
    let caller = ctx.signed_in()?;
    if !caller.is_staff() && is_phone(&ctx.headers) {
        return Ok((blocked_phone(ctx)?, false));
    }
    let internal = form.field("internal") == "1";
    let then = match form.field("then") {
        "" => None,
        s => match TicketStatus::parse(s) {
            Ok(s) => Some(s),
            Err(e) => return Ok((after(ctx, id, Err(e.into()), "").await?, false)),
        },
    };
    let result = match &form.refused {
        Some(Error::Invalid(i)) => Err(Error::Invalid(i.clone())),
        Some(_) => Err(Error::invalid("attachments", "form")),
        None => {
            ctx.app()
                .reply_and_set(
                    caller,
                    id,
                    form.field("body"),
                    internal,
                    form.files.clone(),
                    then,
                )
                .await
        }
    };
    let posted = result.is_ok();
    let done = if internal { "note-added" } else { "reply-sent" };
    Ok((after(ctx, id, result, done).await?, posted))
}

async fn customer_status(
    ctx: Ctx,
    id: String,
    csrf: &str,
    to: TicketStatus,
    done: &str,
) -> AppResult<Response> {
    ctx.check_csrf(csrf)?;
    let caller = ctx.signed_in()?;
    if !caller.is_staff() && is_phone(&ctx.headers) {
        return blocked_phone(&ctx);
    }
    let update = Update {
        status: Some(to),
        ..Default::default()
    };
    let result = ctx.app().update_request(caller, &id, update).await;
    after(&ctx, &id, result, done).await
}

async fn solve(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    customer_status(ctx, id, &f.csrf, TicketStatus::Solved, "solved").await
}

async fn reopen(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    customer_status(ctx, id, &f.csrf, TicketStatus::Open, "reopened").await
}

#[derive(Deserialize)]
struct FollowForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    follow: String,
}

async fn follow(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<FollowForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let on = f.follow == "1";
    let result = ctx.app().set_following(ctx.signed_in()?, &id, on).await;
    after(
        &ctx,
        &id,
        result,
        if on { "following" } else { "not-following" },
    )
    .await
}

/// `Content-Disposition` for a file name (RFC 6266): an ASCII fallback in
/// `filename` and the exact name, UTF-8 and percent-encoded, in `filename*`.
fn content_disposition(inline: bool, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "{}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    )
}

async fn attachment(ctx: Ctx, Path((id, file)): Path<(String, String)>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let (f, path) = match ctx.app().attachment(caller, &id, &file).await {
        Ok(v) => v,
        Err(e) => return explain(&ctx, e).await,
    };
    file_response(&f, &path).await
}

/// An attachment's bytes with its type, name and length, never cached.
pub(crate) async fn file_response(
    f: &app::model::Attachment,
    path: &std::path::Path,
) -> AppResult<Response> {
    let opened = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("attachment {} unreadable: {e}", f.id)))?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(opened));
    let inline = f.content_type.starts_with("image/") || f.content_type == "application/pdf";
    let mut response = body.into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&content_disposition(inline, &f.filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(f.size.max(0) as u64),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct AgentUpdateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    assignee: String,
}

async fn agent_update(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<AgentUpdateForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let caller = ctx.signed_in()?;
    ctx.app().permit(caller, Action::TriageRequest)?;
    let result = async {
        let current = ctx.app().request(caller, &id).await?;
        let status = TicketStatus::parse(&f.status)?;
        let update = Update {
            // The form always sends the current status; only a change counts.
            status: (status != current.status).then_some(status),
            priority: Some(Priority::parse(&f.priority)?),
            assignee: Some(Some(f.assignee.clone()).filter(|a| !a.is_empty())),
        };
        ctx.app().update_request(caller, &id, update).await
    }
    .await;
    after(&ctx, &id, result, "saved").await
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    incident: String,
}

async fn link_request(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<LinkForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    ctx.app()
        .link_request(ctx.signed_in()?, &f.incident, &id)
        .await?;
    Ok(Redirect::to(&format!("/agent/requests/{id}?done=linked")).into_response())
}

/// The ongoing incidents as (id, name) choices, for linking a request or a
/// chat to one.
pub(crate) async fn incident_options(ctx: &Ctx) -> AppResult<Vec<(String, String)>> {
    Ok(ctx
        .app()
        .known_problems(ctx.lang)
        .await?
        .into_iter()
        .map(|d| (d.incident.id, d.incident.name))
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_encoded_for_content_disposition() {
        assert_eq!(
            super::content_disposition(false, "räkning \"mars\".pdf"),
            "attachment; filename=\"r_kning _mars_.pdf\"; filename*=UTF-8''r%C3%A4kning%20%22mars%22.pdf"
        );
        assert_eq!(
            super::content_disposition(true, "a.png"),
            "inline; filename=\"a.png\"; filename*=UTF-8''a.png"
        );
    }
}
