//! The agents' queue (`/agent`): views with counts, search, filters, any
//! column's order, saved views, bulk actions and live counts.
use crate::http::ctx::Ctx;
use crate::http::error::AppResult;
use crate::http::extract::{CsrfForm, FormBody, QueryOf};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::{Tr, format_time};
use crate::support::pages::{incident_options, priority_name, status_name};
use app::requests::{ListInput, QUEUE_VIEWS, parse_sort};
use app::workspace::BulkInput;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Plan, Priority, TicketStatus};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent", get(queue))
        .route("/agent/counts", get(counts))
        .route("/agent/bulk", post(bulk))
        .route("/agent/views", post(save_view))
        .route("/agent/views/{id}/delete", post(delete_view))
}

/// The queue's query string: every filter, the view and the order.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct QueueQuery {
    pub view: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub component: Option<String>,
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub organisation: Option<String>,
    pub plan: Option<String>,
    pub team: Option<String>,
    pub assignee: Option<String>,
    pub incident: Option<String>,
    pub sort: Option<String>,
    /// After a bulk action: how many changed and how many could not.
    pub changed: Option<u32>,
    pub failed: Option<u32>,
}

fn val(v: &Option<String>) -> &str {
    v.as_deref().map(str::trim).unwrap_or("")
}

impl QueueQuery {
    fn view(&self) -> &str {
        match val(&self.view) {
            "" => "unassigned",
            v => v,
        }
    }

    /// The query string of this list with some parts replaced (`None`
    /// drops a part).
    fn href(&self, view: &str, sort: Option<&str>, cursor: Option<&str>) -> String {
        let pairs = [
            ("view", Some(view)),
            ("q", Some(val(&self.q))),
            ("status", Some(val(&self.status))),
            ("priority", Some(val(&self.priority))),
            ("component", Some(val(&self.component))),
            ("organisation", Some(val(&self.organisation))),
            ("plan", Some(val(&self.plan))),
            ("team", Some(val(&self.team))),
            ("assignee", Some(val(&self.assignee))),
            ("incident", Some(val(&self.incident))),
            ("sort", sort),
            ("cursor", cursor),
        ];
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        format!("/agent?{}", q.finish())
    }

    fn input(&self) -> ListInput {
        let s = |v: &Option<String>| Some(val(v).to_string()).filter(|v| !v.is_empty());
        ListInput {
            status: s(&self.status),
            priority: s(&self.priority),
            component: s(&self.component),
            q: s(&self.q),
            cursor: s(&self.cursor),
            limit: 50,
            view: Some(self.view().to_string()),
            organisation: s(&self.organisation),
            plan: s(&self.plan),
            team: s(&self.team),
            assignee: s(&self.assignee),
            incident: s(&self.incident),
            sort: s(&self.sort),
        }
    }
}

struct QueueRow {
    id: String,
    number: i64,
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
    updated_ago: String,
    assignee: String,
    due: String,
    overdue: bool,
}

struct ViewTab {
    href: String,
    label: String,
    count: Option<String>,
    current: bool,
    code: &'static str,
}

/// A sortable column heading: its link and whether (and which way) the
/// list is sorted by it.
struct Heading {
    label: String,
    href: String,
    /// `ascending`, `descending` or `none` (for `aria-sort`).
    aria: &'static str,
}

struct SavedLink {
    id: String,
    name: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "support/queue.html")]
struct QueuePage {
    page: Page,
    tabs: Vec<ViewTab>,
    rows: Vec<QueueRow>,
    next_href: Option<String>,
    first_href: Option<String>,
    view: String,
    query: String,
    q: String,
    priority: String,
    status: String,
    component: String,
    organisation: String,
    plan: String,
    team: String,
    assignee: String,
    incident: String,
    sort: String,
    filtered: bool,
    statuses: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    plans: Vec<(&'static str, String)>,
    components: Vec<(String, String)>,
    organisations: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    agents: Vec<(String, String)>,
    incidents: Vec<(String, String)>,
    headings: Vec<Heading>,
    saved: Vec<SavedLink>,
    bulk_notice: Option<String>,
    support_admin: bool,
    script: &'static str,
}

pub(crate) fn age(tr: Tr, ms: i64) -> String {
    let minutes = (ms / 60_000).max(0);
    if minutes < 60 {
        tr.ta("age-minutes", &[("n", &minutes.to_string())])
    } else if minutes < 48 * 60 {
        tr.ta("age-hours", &[("n", &(minutes / 60).to_string())])
    } else {
        tr.ta("age-days", &[("n", &(minutes / 1440).to_string())])
    }
}

/// Time left until `due` (negative: overdue), as an agent reads it.
pub(crate) fn time_left(tr: Tr, due: i64, now: i64) -> String {
    let left = due - now;
    if left >= 0 {
        tr.ta("due-in", &[("time", &age(tr, left))])
    } else {
        // Under a minute late still reads as late.
        tr.ta("due-overdue", &[("time", &age(tr, (-left).max(60_000)))])
    }
}

async fn queue(ctx: Ctx, QueryOf(q): QueryOf<QueueQuery>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let app = ctx.app();
    let tr = ctx.tr();
    let (requests, next) = app.list_requests(caller, &q.input()).await?;
    let counts = app.queue_counts(caller).await?;
    let now = ctx.now();
    let view = q.view().to_string();
    let rows = requests
        .into_iter()
        .map(|r| QueueRow {
            number: r.number,
            plan: tr.t(&format!("plan-{}", r.org_plan.as_str())),
            plan_code: r.org_plan.as_str(),
            priority: priority_name(tr, r.priority),
            priority_code: r.priority.as_str(),
            status: status_name(tr, r.status),
            status_code: r.status.as_str(),
            age: tr.ta("queue-filed", &[("time", &age(tr, now - r.created_at))]),
            updated: format_time(r.updated_at, ctx.lang),
            updated_ago: tr.ta("time-ago", &[("time", &age(tr, now - r.updated_at))]),
            assignee: r.assignee_name.unwrap_or_else(|| tr.t("unassigned")),
            due: r.due_at.map(|d| time_left(tr, d, now)).unwrap_or_default(),
            overdue: r.due_at.is_some_and(|d| d < now),
            id: r.id,
            subject: r.subject,
            org: r.org_name,
        })
        .collect();
    let sort = val(&q.sort).to_string();
    let tabs = QUEUE_VIEWS
        .iter()
        .map(|v| ViewTab {
            href: q.href(v, Some(&sort), None),
            label: tr.t(&format!("view-{v}")),
            count: match *v {
                "unassigned" => Some(counts.unassigned),
                "mine" => Some(counts.mine),
                "open" => Some(counts.open),
                "waiting" => Some(counts.waiting),
                "solved" => Some(counts.solved),
                "overdue" => Some(counts.overdue),
                _ => None,
            }
            .map(|n| {
                if n > app::workspace::COUNT_CAP {
                    format!("{}+", app::workspace::COUNT_CAP)
                } else {
                    n.to_string()
                }
            }),
            current: *v == view,
            code: v,
        })
        .collect();
    let current_sort = parse_sort(if sort.is_empty() { "priority" } else { &sort }).ok();
    let headings = [
        ("field-request", "created"),
        ("field-priority", "priority"),
        ("last-activity", "updated"),
        ("field-due", "due"),
    ]
    .iter()
    .map(|(label, key)| {
        let this = parse_sort(key).ok();
        let (aria, next_sort) = match (current_sort, this) {
            (Some(c), Some(t)) if c.key == t.key && !c.desc => ("ascending", format!("-{key}")),
            (Some(c), Some(t)) if c.key == t.key => ("descending", key.to_string()),
            _ => ("none", key.to_string()),
        };
        Heading {
            label: tr.t(label),
            href: q.href(&view, Some(&next_sort), None),
            aria,
        }
    })
    .collect();
    let query = q.href(&view, Some(&sort), None);
    let saved = app
        .saved_views(caller)
        .await?
        .into_iter()
        .map(|s| SavedLink {
            current: s.query == query,
            href: s.query,
            id: s.id,
            name: s.name,
        })
        .collect();
    let organisations = app
        .organisations(caller)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let bulk_notice = q.changed.map(|n| {
        let changed = tr.tn("bulk-changed", "n", i64::from(n));
        match q.failed.filter(|f| *f > 0) {
            Some(f) => format!("{changed} {}", tr.tn("bulk-failed", "n", i64::from(f))),
            None => changed,
        }
    });
    let filtered = [
        &q.q,
        &q.status,
        &q.priority,
        &q.component,
        &q.organisation,
        &q.plan,
        &q.team,
        &q.assignee,
        &q.incident,
    ]
    .iter()
    .any(|v| !val(v).is_empty());
    let mut frame = ctx.page("queue-title");
    frame.body_class = "wide-page";
    let page = QueuePage {
        page: frame,
        tabs,
        rows,
        next_href: next.map(|c| q.href(&view, Some(&sort), Some(&c))),
        first_href: q.cursor.as_ref().map(|_| q.href(&view, Some(&sort), None)),
        query,
        q: val(&q.q).to_string(),
        priority: val(&q.priority).to_string(),
        status: val(&q.status).to_string(),
        component: val(&q.component).to_string(),
        organisation: val(&q.organisation).to_string(),
        plan: val(&q.plan).to_string(),
        team: val(&q.team).to_string(),
        assignee: val(&q.assignee).to_string(),
        incident: val(&q.incident).to_string(),
        sort,
        filtered,
        view,
        statuses: TicketStatus::ALL
            .iter()
            .map(|s| (s.as_str(), status_name(tr, *s)))
            .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| (p.as_str(), priority_name(tr, *p)))
            .collect(),
        plans: Plan::ALL
            .iter()
            .map(|p| (p.as_str(), tr.t(&format!("plan-{}", p.as_str()))))
            .collect(),
        components: app.component_choices().await?,
        organisations,
        teams: app
            .support_teams(caller)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect(),
        agents: app.agents(caller).await?,
        incidents: incident_options(&ctx).await?,
        headings,
        saved,
        bulk_notice,
        support_admin: caller.may(domain::Action::ManageSupportSettings),
        script: crate::http::assets::agent_js_path(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(serde::Serialize)]
struct Counts {
    overdue: i64,
    unassigned: i64,
    mine: i64,
    open: i64,
    waiting: i64,
    solved: i64,
}

/// The queue's counts for the page's live updates.
async fn counts(ctx: Ctx) -> AppResult<Response> {
    let c = ctx.app().queue_counts(ctx.signed_in()?).await?;
    Ok(Json(Counts {
        overdue: c.overdue,
        unassigned: c.unassigned,
        mine: c.mine,
        open: c.open,
        waiting: c.waiting,
        solved: c.solved,
    })
    .into_response())
}

/// Only the queue's own addresses go back: a saved or returned query must
/// stay on `/agent`.
fn queue_href(back: &str) -> String {
    if back.starts_with("/agent?") || back == "/agent" {
        back.to_string()
    } else {
        "/agent".to_string()
    }
}

fn with_params(href: &str, extra: &str) -> String {
    let sep = if href.contains('?') { '&' } else { '?' };
    format!("{href}{sep}{extra}")
}

/// The bulk form: the checked requests and the change (an empty field
/// leaves that part alone).
async fn bulk(ctx: Ctx, FormBody(fields): FormBody<Vec<(String, String)>>) -> AppResult<Response> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    ctx.check_csrf(&field("csrf"))?;
    let caller = ctx.signed_in()?;
    let back = queue_href(&field("back"));
    let ids: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.clone())
        .collect();
    let assignee = match field("assignee").as_str() {
        "" => None,
        "none" => Some(None),
        "me" => Some(Some(caller.user_id().to_string())),
        id => Some(Some(id.to_string())),
    };
    let opt = |name: &str| Some(field(name)).filter(|v| !v.is_empty());
    let input = BulkInput {
        ids,
        assignee,
        status: opt("status").map(|s| TicketStatus::parse(&s)).transpose()?,
        priority: opt("priority").map(|s| Priority::parse(&s)).transpose()?,
        incident: opt("incident"),
    };
    let outcome = ctx.app().bulk_update(caller, input).await?;
    Ok(Redirect::to(&with_params(
        &back,
        &format!(
            "changed={}&failed={}",
            outcome.updated.len(),
            outcome.failed.len()
        ),
    ))
    .into_response())
}

#[derive(Deserialize)]
struct SaveViewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

async fn save_view(ctx: Ctx, FormBody(f): FormBody<SaveViewForm>) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let query = queue_href(&f.query);
    ctx.app()
        .save_view(ctx.signed_in()?, &f.name, &query)
        .await?;
    Ok(Redirect::to(&with_params(&query, "done=view-saved")).into_response())
}

async fn delete_view(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    ctx.app().delete_view(ctx.signed_in()?, &id).await?;
    Ok(Redirect::to("/agent?done=view-deleted").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_queue_addresses_are_returned_to() {
        assert_eq!(queue_href("/agent?view=open"), "/agent?view=open");
        assert_eq!(queue_href("https://evil.test/"), "/agent");
        assert_eq!(queue_href("//evil.test/agent?"), "/agent");
        assert_eq!(queue_href("/agentx"), "/agent");
    }
}
