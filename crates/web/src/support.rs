//! The support inbox for customer admins (`/support`) and the agents' queue
//! (`/agent`): lists, the request page, filing, replying and status changes.
use crate::ctx::{Ctx, Viewer};
use crate::error::{AppError, AppResult};
use crate::extract::FormBody;
use crate::i18n::{Tr, format_time};
use crate::page::{Page, render};
use crate::requests::{self, NewRequestInput, Update};
use crate::state::AppState;
use crate::uploads;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, Decision, DenyReason, Priority, Role, TicketStatus};
use serde::Deserialize;
use store::{Request, RequestFilter, Scope};

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
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
        .route("/agent", get(queue))
        .route("/agent/requests/{id}", get(request_page))
        .route("/agent/requests/{id}/update", post(agent_update))
        .merge(uploads)
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
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", crate::urlencode(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[derive(Template)]
#[template(path = "support_blocked.html")]
struct BlockedPage {
    page: Page,
    message: String,
}

/// The customer side needs direct support; explain when it is not there.
fn require_direct_support(ctx: &Ctx) -> Result<&Viewer, Box<Response>> {
    match ctx.decide(Action::UseDirectSupport) {
        Decision::Allow => ctx
            .viewer
            .as_ref()
            .ok_or_else(|| Box::new(AppError::Unauthorized.into_response())),
        Decision::Forbidden(DenyReason::CustomersOnly)
            if ctx.viewer.as_ref().is_some_and(|v| v.actor.is_staff()) =>
        {
            Err(Box::new(Redirect::to("/agent").into_response()))
        }
        Decision::Forbidden(reason) => Err(Box::new(blocked(ctx, reason))),
        other => Err(Box::new(AppError::from(other).into_response())),
    }
}

fn blocked(ctx: &Ctx, reason: DenyReason) -> Response {
    let page = ctx.page("support-unavailable-title");
    let message = page.t(&format!("deny-{}", reason.code().replace('_', "-")));
    match render(&BlockedPage { page, message }) {
        Ok(html) => (StatusCode::FORBIDDEN, html).into_response(),
        Err(e) => e.into_response(),
    }
}

// ---- inbox ---------------------------------------------------------------------

struct Tab {
    href: String,
    label: String,
    count: i64,
    current: bool,
}

/// An unresolved incident, as support pages show it.
pub(crate) struct KnownIssue {
    id: String,
    name: String,
    impact: String,
    status: String,
    components: Vec<String>,
    component_names: String,
}

/// The unresolved incidents of the status page, for the inbox and the form.
pub(crate) async fn known_issues(state: &AppState, tr: Tr) -> AppResult<Vec<KnownIssue>> {
    let open: Vec<store::Incident> = state
        .store
        .open_incidents()
        .await?
        .into_iter()
        .filter(|i| i.kind == "incident")
        .collect();
    let ids: Vec<String> = open.iter().map(|i| i.id.clone()).collect();
    let affected = state.store.incident_components(&ids).await?;
    let components = state.store.component_refs().await?;
    Ok(open
        .into_iter()
        .map(|i| {
            let mine: Vec<String> = affected
                .iter()
                .filter(|a| a.incident_id == i.id)
                .map(|a| a.component_id.clone())
                .collect();
            let names: Vec<String> = mine
                .iter()
                .filter_map(|c| {
                    components
                        .iter()
                        .find(|r| &r.id == c)
                        .map(|r| r.name.clone())
                })
                .collect();
            KnownIssue {
                status: tr.t(&format!("incident-{}", i.status)),
                id: i.id,
                name: i.name,
                impact: i.impact,
                components: mine,
                component_names: names.join(", "),
            }
        })
        .collect())
}

struct Row {
    id: String,
    subject: String,
    requester: String,
    updated: String,
    priority: String,
    priority_code: &'static str,
    status: String,
    status_code: &'static str,
}

#[derive(Template)]
#[template(path = "inbox.html")]
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
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub component: Option<String>,
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub view: Option<String>,
}

impl ListQuery {
    pub(crate) fn filter(&self, limit: i64) -> AppResult<RequestFilter> {
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
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
            limit,
        })
    }
}

async fn inbox(ctx: Ctx, Query(query): Query<ListQuery>) -> AppResult<Response> {
    let viewer = match require_direct_support(&ctx) {
        Ok(v) => v,
        Err(r) => return Ok(*r),
    };
    let org = viewer.principal.org.clone().ok_or(AppError::NotFound)?;
    let filter = query.filter(25)?;
    let (requests, next) = ctx
        .state
        .store
        .list_requests(Scope::Org(&org.id), &filter)
        .await?;
    let counts = ctx.state.store.status_counts(&org.id).await?;
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
            id: r.id,
            subject: r.subject,
            requester: r.requester_name,
        })
        .collect();
    let components = ctx
        .state
        .store
        .component_refs()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
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
        issues: known_issues(&ctx.state, tr).await?,
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
#[template(path = "request_new.html")]
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
}

async fn new_form(ctx: Ctx, Query(q): Query<NewQuery>) -> AppResult<Response> {
    if let Err(r) = require_direct_support(&ctx) {
        return Ok(*r);
    }
    new_page(
        &ctx,
        StatusCode::OK,
        None,
        Default::default(),
        q.follow_up_of,
    )
    .await
}

#[derive(Default)]
struct Draft {
    subject: String,
    description: String,
    priority: String,
    component: String,
}

async fn new_page(
    ctx: &Ctx,
    status: StatusCode,
    error: Option<String>,
    draft: Draft,
    follow_up_of: Option<String>,
) -> AppResult<Response> {
    let components = ctx
        .state
        .store
        .component_refs()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let html = render(&NewRequestPage {
        page: ctx.page("ask-question"),
        phone: is_phone(&ctx.headers),
        error,
        subject: draft.subject,
        description: draft.description,
        priority: draft.priority,
        component: draft.component,
        components,
        priority_cards: priority_cards(ctx.tr()),
        follow_up_of: follow_up_of.filter(|f| !f.is_empty()),
        issues: known_issues(&ctx.state, ctx.tr()).await?,
        script: crate::assets::support_js_path(),
    })?;
    Ok((status, html).into_response())
}

/// The translated message for a validation error on a support form.
fn form_message(ctx: &Ctx, e: &AppError) -> String {
    let field = e.field().unwrap_or("input");
    ctx.tr()
        .try_t(&format!("invalid-{field}"))
        .map(|m| {
            if field == "attachments" {
                format!("{m} ({e})")
            } else {
                m
            }
        })
        .unwrap_or_else(|| e.to_string())
}

async fn new_request(ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    let form = uploads::read(multipart).await?;
    ctx.check_csrf(form.field("csrf"))?;
    let viewer = match require_direct_support(&ctx) {
        Ok(v) => v,
        Err(r) => return Ok(*r),
    };
    if is_phone(&ctx.headers) {
        return new_page(&ctx, StatusCode::FORBIDDEN, None, Draft::default(), None).await;
    }
    let draft = Draft {
        subject: form.field("subject").to_string(),
        description: form.field("description").to_string(),
        priority: form.field("priority").to_string(),
        component: form.field("component").to_string(),
    };
    let follow_up_of = Some(form.field("follow_up_of").to_string()).filter(|s| !s.is_empty());
    let result = async {
        let priority = Priority::parse(&draft.priority)?;
        let files = uploads::store_files(&ctx.state.config.data_dir, &form.files)?;
        let input = NewRequestInput {
            subject: draft.subject.clone(),
            description: draft.description.clone(),
            priority,
            component: Some(draft.component.clone()).filter(|c| !c.is_empty()),
            follow_up_of: follow_up_of.clone(),
        };
        match requests::create(&ctx.state, &viewer.principal, input, files.clone()).await {
            Ok(id) => Ok(id),
            Err(e) => {
                uploads::remove(&ctx.state.config.data_dir, &files);
                Err(e)
            }
        }
    }
    .await;
    match result {
        Ok(id) => {
            Ok(Redirect::to(&format!("/support/requests/{id}?done=request-sent")).into_response())
        }
        Err(e @ AppError::BadRequest { .. }) => {
            let message = form_message(&ctx, &e);
            new_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                draft,
                follow_up_of,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

// ---- one request ------------------------------------------------------------------

struct RequestView {
    id: String,
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

#[derive(Template)]
#[template(path = "request.html")]
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
}

/// Loads a request the viewer may see: 404 for another organisation's, an
/// explanation when the plan or role has no direct support.
async fn load(ctx: &Ctx, id: &str) -> Result<(Viewer, Request), Box<Response>> {
    let viewer = ctx
        .viewer
        .clone()
        .ok_or_else(|| Box::new(AppError::Unauthorized.into_response()))?;
    let scope =
        Scope::of(&viewer.actor).ok_or_else(|| Box::new(AppError::NotFound.into_response()))?;
    let request = match ctx.state.store.request(scope, id).await {
        Ok(Some(r)) => r,
        Ok(None) => return Err(Box::new(AppError::NotFound.into_response())),
        Err(e) => return Err(Box::new(AppError::from(e).into_response())),
    };
    match ctx.decide(Action::ViewRequest {
        org_id: &request.org_id,
    }) {
        Decision::Allow => Ok((viewer, request)),
        Decision::Forbidden(reason) => Err(Box::new(blocked(ctx, reason))),
        other => Err(Box::new(AppError::from(other).into_response())),
    }
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

fn event_text(tr: Tr, e: &store::Event, auto_close_days: i64) -> String {
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
    request: Request,
    error: Option<String>,
) -> AppResult<RequestPage> {
    let staff = viewer.actor.is_staff();
    let tr = ctx.tr();
    let store = &ctx.state.store;
    let messages = store.messages(&request.id, staff).await?;
    let events = store.events(&request.id, staff).await?;
    let files = store.attachments(&request.id).await?;
    let prefix = if staff { "/agent" } else { "/support" };
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
        html: crate::markdown::render(&request.description),
        staff: false,
        internal: false,
        files: file_views(None),
    }];
    for m in &messages {
        message_views.push(MessageView {
            author: m.author_name.clone(),
            at: format_time(m.created_at, ctx.lang),
            html: crate::markdown::render(&m.body),
            staff: m.author_is_staff,
            internal: m.internal,
            files: file_views(Some(&m.id)),
        });
    }
    let days = ctx.state.config.auto_close_ms / (24 * 3600 * 1000);
    let event_views = events
        .iter()
        .map(|e| EventView {
            text: event_text(tr, e, days),
            at: format_time(e.created_at, ctx.lang),
            internal: e.internal,
        })
        .collect();
    let component = match &request.component {
        Some(c) => store
            .component_refs()
            .await?
            .into_iter()
            .find(|r| &r.id == c)
            .map(|r| r.name),
        None => None,
    };
    let following = store
        .is_following(&request.id, &viewer.principal.user.id)
        .await?;
    let agents = if staff {
        store.agents().await?
    } else {
        Vec::new()
    };
    let incidents = if staff {
        store
            .open_incidents()
            .await?
            .into_iter()
            .filter(|i| i.kind == "incident")
            .map(|i| (i.id, i.name))
            .collect()
    } else {
        Vec::new()
    };
    let page = ctx.page("request-title");
    Ok(RequestPage {
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
            id: request.id,
            subject: request.subject,
            org: request.org_name,
            requester: request.requester_name,
        },
        page,
    })
}

async fn request_page(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (viewer, request) = match load(&ctx, &id).await {
        Ok(v) => v,
        Err(r) => return Ok(*r),
    };
    // Staff and customers each have their own address for a request.
    let staff_path = ctx.here.starts_with("/agent/");
    if viewer.actor.is_staff() != staff_path {
        let prefix = if viewer.actor.is_staff() {
            "/agent"
        } else {
            "/support"
        };
        return Ok(Redirect::to(&format!("{prefix}/requests/{id}")).into_response());
    }
    let mut page = request_view(&ctx, &viewer, request, None).await?;
    page.page.title = page.r.subject.clone();
    Ok(render(&page)?.into_response())
}

/// Re-renders the request page with an error (422/409) after a refused action.
async fn request_error(ctx: &Ctx, viewer: &Viewer, id: &str, e: AppError) -> AppResult<Response> {
    let status = e.status();
    let message = match &e {
        AppError::BadRequest { .. } => form_message(ctx, &e),
        AppError::Conflict { .. } => ctx.tr().t("error-transition"),
        _ => return Err(e),
    };
    let scope = Scope::of(&viewer.actor).ok_or(AppError::NotFound)?;
    let request = ctx
        .state
        .store
        .request(scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut page = request_view(ctx, viewer, request, Some(format!("{message} ({e})"))).await?;
    page.page.title = page.r.subject.clone();
    Ok((status, render(&page)?).into_response())
}

fn back_to(viewer: &Viewer, id: &str, done: &str) -> Response {
    let prefix = if viewer.actor.is_staff() {
        "/agent"
    } else {
        "/support"
    };
    Redirect::to(&format!("{prefix}/requests/{id}?done={done}")).into_response()
}

async fn reply(ctx: Ctx, Path(id): Path<String>, multipart: Multipart) -> AppResult<Response> {
    let form = uploads::read(multipart).await?;
    ctx.check_csrf(form.field("csrf"))?;
    let (viewer, request) = match load(&ctx, &id).await {
        Ok(v) => v,
        Err(r) => return Ok(*r),
    };
    if !viewer.actor.is_staff() && is_phone(&ctx.headers) {
        return Ok(blocked_phone(&ctx));
    }
    let internal = form.field("internal") == "1";
    let result = async {
        let files = uploads::store_files(&ctx.state.config.data_dir, &form.files)?;
        match requests::reply(
            &ctx.state,
            &viewer.principal,
            &request,
            form.field("body"),
            internal,
            files.clone(),
        )
        .await
        {
            Ok(()) => Ok(()),
            Err(e) => {
                uploads::remove(&ctx.state.config.data_dir, &files);
                Err(e)
            }
        }
    }
    .await;
    match result {
        Ok(()) => Ok(back_to(
            &viewer,
            &id,
            if internal { "note-added" } else { "reply-sent" },
        )),
        Err(e) => request_error(&ctx, &viewer, &id, e).await,
    }
}

fn blocked_phone(ctx: &Ctx) -> Response {
    let page = ctx.page("support-unavailable-title");
    let message = page.t("computer-only");
    match render(&BlockedPage { page, message }) {
        Ok(html) => (StatusCode::FORBIDDEN, html).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn customer_status(
    ctx: Ctx,
    id: String,
    csrf: &str,
    to: TicketStatus,
    done: &str,
) -> AppResult<Response> {
    ctx.check_csrf(csrf)?;
    let (viewer, request) = match load(&ctx, &id).await {
        Ok(v) => v,
        Err(r) => return Ok(*r),
    };
    if !viewer.actor.is_staff() && is_phone(&ctx.headers) {
        return Ok(blocked_phone(&ctx));
    }
    let update = Update {
        status: Some(to),
        ..Default::default()
    };
    match requests::update(&ctx.state, &viewer.principal, &request, update).await {
        Ok(()) => Ok(back_to(&viewer, &id, done)),
        Err(e) => request_error(&ctx, &viewer, &id, e).await,
    }
}

async fn solve(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfOnly>,
) -> AppResult<Response> {
    customer_status(ctx, id, &f.csrf, TicketStatus::Solved, "solved").await
}

async fn reopen(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfOnly>,
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
    let (viewer, request) = match load(&ctx, &id).await {
        Ok(v) => v,
        Err(r) => return Ok(*r),
    };
    if viewer.principal.user.role != Role::Admin {
        return Err(AppError::Forbidden(DenyReason::CustomersOnly));
    }
    let on = f.follow == "1";
    ctx.state
        .store
        .set_following(&request.id, &viewer.principal.user.id, on)
        .await?;
    Ok(back_to(
        &viewer,
        &id,
        if on { "following" } else { "not-following" },
    ))
}

async fn attachment(ctx: Ctx, Path((id, file)): Path<(String, String)>) -> AppResult<Response> {
    let (viewer, request) = match load(&ctx, &id).await {
        Ok(v) => v,
        Err(r) => return Ok(*r),
    };
    let staff = viewer.actor.is_staff();
    let files = ctx.state.store.attachments(&request.id).await?;
    let Some(f) = files.into_iter().find(|f| f.id == file) else {
        return Err(AppError::NotFound);
    };
    // A file on an internal note is as internal as the note.
    if let Some(message_id) = &f.message_id {
        let visible = ctx.state.store.messages(&request.id, staff).await?;
        if !visible.iter().any(|m| &m.id == message_id) {
            return Err(AppError::NotFound);
        }
    }
    let bytes = tokio::fs::read(uploads::path_of(&ctx.state.config.data_dir, &f.id))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("attachment {} unreadable: {e}", f.id)))?;
    let inline = f.content_type.starts_with("image/") || f.content_type == "application/pdf";
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        f.filename.replace(['"', '\\'], "_")
    );
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

// ---- the agents' queue --------------------------------------------------------------

struct QueueRow {
    id: String,
    subject: String,
    org: String,
    plan: String,
    plan_code: &'static str,
    priority: String,
    priority_code: &'static str,
    status: String,
    status_code: &'static str,
    age: String,
    updated: String,
    assignee: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    page: Page,
    tabs: Vec<Tab>,
    rows: Vec<QueueRow>,
    next_href: Option<String>,
}

pub(crate) const VIEWS: [&str; 5] = ["unassigned", "mine", "open", "waiting", "solved"];

pub(crate) fn queue_view<'a>(name: &str, me: &'a str) -> AppResult<store::QueueView<'a>> {
    Ok(match name {
        "unassigned" => store::QueueView::Unassigned,
        "mine" => store::QueueView::Mine(me),
        "open" => store::QueueView::AllOpen,
        "waiting" => store::QueueView::Waiting,
        "solved" => store::QueueView::Solved,
        other => {
            return Err(AppError::bad(
                "view",
                format!("view: '{other}' is not one of {}", VIEWS.join(", ")),
            ));
        }
    })
}

fn age(tr: Tr, ms: i64) -> String {
    let minutes = (ms / 60_000).max(0);
    if minutes < 60 {
        tr.ta("age-minutes", &[("n", &minutes.to_string())])
    } else if minutes < 48 * 60 {
        tr.ta("age-hours", &[("n", &(minutes / 60).to_string())])
    } else {
        tr.ta("age-days", &[("n", &(minutes / 1440).to_string())])
    }
}

async fn queue(ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let viewer = ctx.require(Action::WorkSupportQueue)?;
    let view_name = q.view.clone().unwrap_or_else(|| "unassigned".into());
    let view = queue_view(&view_name, &viewer.principal.user.id)?;
    let (requests, next) = ctx.state.store.queue(view, q.cursor.as_deref(), 50).await?;
    let tr = ctx.tr();
    let now = ctx.now();
    let rows = requests
        .into_iter()
        .map(|r| QueueRow {
            plan: tr.t(&format!("plan-{}", r.org_plan.as_str())),
            plan_code: r.org_plan.as_str(),
            priority: priority_name(tr, r.priority),
            priority_code: r.priority.as_str(),
            status: status_name(tr, r.status),
            status_code: r.status.as_str(),
            age: age(tr, now - r.created_at),
            updated: format_time(r.updated_at, ctx.lang),
            assignee: r.assignee_name.unwrap_or_else(|| tr.t("unassigned")),
            id: r.id,
            subject: r.subject,
            org: r.org_name,
        })
        .collect();
    let tabs = VIEWS
        .iter()
        .map(|v| Tab {
            href: format!("/agent?view={v}"),
            label: tr.t(&format!("view-{v}")),
            count: 0,
            current: *v == view_name,
        })
        .collect();
    Ok(render(&QueuePage {
        page: ctx.page("queue-title"),
        tabs,
        rows,
        next_href: next.map(|c| format!("/agent?view={view_name}&cursor={}", crate::urlencode(&c))),
    })?
    .into_response())
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
    let viewer = ctx.require(Action::WorkSupportQueue)?.clone();
    let request = ctx
        .state
        .store
        .request(Scope::Staff, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let result = async {
        let status = TicketStatus::parse(&f.status)?;
        let update = Update {
            // The form always sends the current status; only a change counts.
            status: (status != request.status).then_some(status),
            priority: Some(Priority::parse(&f.priority)?),
            assignee: Some(Some(f.assignee.clone()).filter(|a| !a.is_empty())),
        };
        requests::update(&ctx.state, &viewer.principal, &request, update).await
    }
    .await;
    match result {
        Ok(()) => Ok(back_to(&viewer, &id, "saved")),
        Err(e) => request_error(&ctx, &viewer, &id, e).await,
    }
}
