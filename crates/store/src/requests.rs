//! Support requests. Reads take a [`Scope`]: a customer's scope puts their
//! organisation into every query, so another organisation's request cannot
//! be read by id. Writes check the status they expect (optimistic
//! concurrency), so two people acting at once cannot skip the state machine.
use crate::outbox::insert as insert_outbox;
use crate::sql::Sql;
use crate::{NewOutboxMessage, Result, Scope, Store, StoreError, new_id};
use domain::targets::{ResponseTargets, TargetClock, TargetKind};
use domain::{Plan, Priority, TicketStatus};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: String,
    /// Human-friendly, unique per installation, in filing order (`#1042`).
    pub number: i64,
    pub org_id: String,
    pub org_name: String,
    pub org_plan: Plan,
    pub requester_id: String,
    pub requester_name: String,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub status: TicketStatus,
    pub component: Option<String>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub follow_up_of: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub solved_at: Option<i64>,
    /// When the next response is due (response targets), if anything is.
    pub due_at: Option<i64>,
    /// The response target running or paused, if any.
    pub target: TargetClock,
    pub first_response_at: Option<i64>,
    pub targets_missed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    pub author_is_staff: bool,
    pub body: String,
    pub internal: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub actor_name: Option<String>,
    pub kind: String,
    /// JSON object with what changed (e.g. `{"from":"new","to":"open"}`).
    pub detail: String,
    pub internal: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: String,
    pub request_id: String,
    pub message_id: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub org_id: &'a str,
    pub requester_id: &'a str,
    pub subject: &'a str,
    pub description: &'a str,
    pub priority: Priority,
    pub component: Option<&'a str>,
    pub follow_up_of: Option<&'a str>,
    /// The first response target, started at filing, and when it is due.
    pub target: TargetClock,
    pub due_at: Option<i64>,
}

/// A new event for a request's activity log.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: &'static str,
    pub detail: String,
    pub internal: bool,
}

/// A file to attach: its bytes are already stored under its id.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// One change to a request, applied in one transaction together with its
/// message, events, attachments and outgoing notifications.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub request_id: &'a str,
    /// `None` for changes the system makes (closing solved requests).
    pub actor_id: Option<&'a str>,
    /// The status the change was computed from; if it changed meanwhile,
    /// nothing is written.
    pub expected_status: TicketStatus,
    pub new_status: TicketStatus,
    pub message: Option<(&'a str, bool)>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<&'a str>>,
    pub events: Vec<NewEvent>,
    pub attachments: Vec<NewAttachment>,
    pub outbox: Vec<NewOutboxMessage>,
    /// Make the actor a follower (customers who reply follow).
    pub follow: Option<bool>,
    /// The response target after the change (`None`: left as it is).
    pub target: Option<TargetUpdate>,
}

/// A request's target clock after a change.
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetUpdate {
    pub clock: TargetClock,
    pub due_at: Option<i64>,
    /// Support answered in public for the first time.
    pub first_response: bool,
    /// The target that just ended was missed.
    pub missed: bool,
}

/// The organisation a scope is limited to ("" for staff, which no row has).
fn scope_org<'a>(scope: Scope<'a>) -> &'a str {
    match scope {
        Scope::Staff => "",
        Scope::Org(org) => org,
    }
}

#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub component: Option<String>,
    /// Free text, matched against subject, description and public
    /// messages; `#1042` (or `1042`) also finds request number 1042.
    pub q: Option<String>,
    /// Staff only (ignored in an organisation's scope): one queue view.
    pub view: Option<QueueView>,
    pub org: Option<String>,
    pub plan: Option<Plan>,
    /// Requests of the organisations a support team serves.
    pub team: Option<String>,
    pub assignee: Option<AssigneeFilter>,
    /// Requests linked to this incident.
    pub incident: Option<String>,
    /// Staff only; `None` is the view's own order (priority for a queue
    /// view, newest activity first otherwise).
    pub sort: Option<Sort>,
    pub cursor: Option<String>,
    pub limit: i64,
}

/// The agents' queue views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueView {
    /// New or open, nobody assigned.
    Unassigned,
    /// Assigned to this agent and not yet solved.
    Mine(String),
    /// New or open.
    AllOpen,
    Waiting,
    Solved,
    /// New or open with the response target past due at this instant.
    Overdue(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    Nobody,
    User(String),
}

/// What a staff list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Most urgent first, then oldest.
    Priority,
    /// Filing order (oldest first).
    Created,
    /// Least recent activity first.
    Updated,
    /// Soonest due first; requests with nothing due last.
    Due,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    /// The whole order reversed.
    pub desc: bool,
}

impl SortKey {
    /// The columns of the order, the request number last (it is unique, so
    /// it makes the order total and the cursor exact).
    fn columns(self) -> &'static [&'static str] {
        match self {
            SortKey::Priority => &["r.priority", "r.number"],
            SortKey::Created => &["r.number"],
            SortKey::Updated => &["r.updated_at", "r.number"],
            SortKey::Due => &["r.due_key", "r.number"],
        }
    }

    fn values(self, r: &Request) -> Vec<i64> {
        match self {
            SortKey::Priority => vec![r.priority.rank(), r.number],
            SortKey::Created => vec![r.number],
            SortKey::Updated => vec![r.updated_at, r.number],
            SortKey::Due => vec![r.due_at.unwrap_or(NOTHING_DUE), r.number],
        }
    }
}

/// The due key of a request with nothing due (the schema's `due_key`).
const NOTHING_DUE: i64 = 9_000_000_000_000_000;

/// One request as the support reports count it.
#[derive(Debug, Clone, FromRow)]
pub struct ReportRow {
    pub number: i64,
    pub org_name: String,
    pub org_plan: String,
    pub priority: i64,
    pub status: String,
    /// The feature's name.
    pub component: Option<String>,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub solved_at: Option<i64>,
    pub targets_missed: i64,
}

/// The "mine" and "overdue" counts stop here: more is reported as one
/// more (`COUNT_CAP + 1`, shown as "1000+").
pub const COUNT_CAP: i64 = 1000;

/// How many requests each queue view holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub unassigned: i64,
    pub mine: i64,
    pub open: i64,
    pub waiting: i64,
    pub solved: i64,
    pub overdue: i64,
    /// Every status, for reports.
    pub by_status: Vec<(TicketStatus, i64)>,
}

#[derive(FromRow)]
struct RequestRow {
    id: String,
    org_id: String,
    org_name: String,
    org_plan: String,
    requester_id: String,
    requester_name: String,
    subject: String,
    description: String,
    priority: i64,
    status: String,
    component: Option<String>,
    assignee_id: Option<String>,
    assignee_name: Option<String>,
    follow_up_of: Option<String>,
    created_at: i64,
    updated_at: i64,
    solved_at: Option<i64>,
    number: Option<i64>,
    due_at: Option<i64>,
    target_kind: Option<String>,
    target_minutes: i64,
    target_started_at: Option<i64>,
    target_spent_ms: i64,
    first_response_at: Option<i64>,
    targets_missed: i64,
}

impl TryFrom<RequestRow> for Request {
    type Error = StoreError;
    fn try_from(r: RequestRow) -> Result<Self> {
        Ok(Request {
            org_plan: Plan::parse(&r.org_plan).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            priority: Priority::from_rank(r.priority)
                .ok_or_else(|| StoreError::Corrupt(format!("priority {}", r.priority)))?,
            status: TicketStatus::parse(&r.status)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            org_id: r.org_id,
            org_name: r.org_name,
            requester_id: r.requester_id,
            requester_name: r.requester_name,
            subject: r.subject,
            description: r.description,
            component: r.component,
            assignee_id: r.assignee_id,
            assignee_name: r.assignee_name,
            follow_up_of: r.follow_up_of,
            created_at: r.created_at,
            updated_at: r.updated_at,
            solved_at: r.solved_at,
            number: r
                .number
                .ok_or_else(|| StoreError::Corrupt(format!("request {} has no number", r.id)))?,
            id: r.id,
            due_at: r.due_at,
            target: TargetClock {
                kind: r.target_kind.as_deref().and_then(TargetKind::parse),
                minutes: r.target_minutes,
                started_at: r.target_started_at,
                spent_ms: r.target_spent_ms,
            },
            first_response_at: r.first_response_at,
            targets_missed: r.targets_missed,
        })
    }
}

const REQUEST_SELECT: &str = "SELECT r.id, r.org_id, o.name AS org_name, o.plan AS org_plan, \
     r.requester_id, ru.name AS requester_name, r.subject, r.description, r.priority, r.status, \
     r.component, r.assignee_id, au.name AS assignee_name, r.follow_up_of, r.created_at, \
     r.updated_at, r.solved_at, r.number, r.due_at, r.target_kind, r.target_minutes, \
     r.target_started_at, r.target_spent_ms, r.first_response_at, r.targets_missed \
     FROM requests r JOIN organisations o ON o.id = r.org_id \
     JOIN users ru ON ru.id = r.requester_id LEFT JOIN users au ON au.id = r.assignee_id";

/// Text that free-text search looks in: lower-cased here, not in SQL,
/// because SQLite's `lower()` only knows ASCII.
pub fn search_text(parts: &[&str]) -> String {
    let mut s = String::new();
    for p in parts {
        s.push('\n');
        s.push_str(&p.to_lowercase());
    }
    s
}

fn like_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Splits a cursor of the form `a_b_…_id` into its integer parts and the id.
fn parse_cursor(cursor: &str, ints: usize) -> Option<(Vec<i64>, String)> {
    let mut parts = cursor.splitn(ints + 1, '_');
    let mut nums = Vec::with_capacity(ints);
    for _ in 0..ints {
        nums.push(parts.next()?.parse().ok()?);
    }
    let id = parts.next()?.to_string();
    (!id.is_empty()).then_some((nums, id))
}

/// The queue stage of a status (the schema's generated `stage` column).
fn stage_of(status: TicketStatus) -> i64 {
    match status {
        TicketStatus::New | TicketStatus::Open => 0,
        TicketStatus::WaitingOnCustomer => 1,
        TicketStatus::Solved => 2,
        TicketStatus::Closed => 3,
    }
}

/// A request number as typed in a search: `#1042` or `1042`.
pub fn number_in(q: &str) -> Option<i64> {
    let digits = q.trim().strip_prefix('#').unwrap_or(q.trim());
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The filters every scope has: status is the caller's (staff add the
/// stage), priority, feature and free text.
fn push_common_filters(sql: &mut Sql, filter: &RequestFilter) {
    if let Some(p) = filter.priority {
        sql.push(" AND r.priority = ").bind(p.rank());
    }
    if let Some(c) = &filter.component {
        sql.push(" AND r.component = ").bind(c.as_str());
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        match number_in(q) {
            // "#1042" is that request; "1042" is it or any text with 1042.
            Some(n) if q.starts_with('#') => {
                sql.push(" AND r.number = ").bind(n);
            }
            Some(n) => {
                sql.push(" AND (r.number = ")
                    .bind(n)
                    .push(" OR r.search_text LIKE ")
                    .bind(like_pattern(q))
                    .push(" ESCAPE '\\')");
            }
            None => {
                sql.push(" AND r.search_text LIKE ")
                    .bind(like_pattern(q))
                    .push(" ESCAPE '\\'");
            }
        }
    }
}

/// Counts per status from (key, count) rows, every status present.
fn counts_by_status(
    rows: &[(String, i64)],
    key: impl Fn(&str) -> String,
) -> Vec<(TicketStatus, i64)> {
    TicketStatus::ALL
        .iter()
        .map(|s| {
            let k = key(s.as_str());
            (
                *s,
                rows.iter()
                    .find(|(t, _)| *t == k)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect()
}

impl Store {
    /// Files a request: the request, its "created" event, the requester as
    /// follower and any notifications, in one transaction.
    pub async fn create_request(
        &self,
        new: &NewRequest<'_>,
        attachments: &[NewAttachment],
        outbox: &[NewOutboxMessage],
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO requests (id, org_id, requester_id, subject, description, priority, status, \
             component, follow_up_of, search_text, created_at, updated_at, target_kind, \
             target_minutes, target_started_at, due_at, number) \
             VALUES ($1, $2, $3, $4, $5, $6, 'new', $7, $8, $9, $10, $10, $11, $12, $13, $14, {})",
            self.next_number_sql()
        ))
        .bind(&id)
        .bind(new.org_id)
        .bind(new.requester_id)
        .bind(new.subject)
        .bind(new.description)
        .bind(new.priority.rank())
        .bind(new.component)
        .bind(new.follow_up_of)
        .bind(search_text(&[new.subject, new.description]))
        .bind(now)
        .bind(new.target.kind.map(TargetKind::as_str))
        .bind(new.target.minutes)
        .bind(new.target.started_at)
        .bind(new.due_at)
        .execute(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            &id,
            Some(new.requester_id),
            &NewEvent {
                kind: "created",
                detail: format!("{{\"priority\":\"{}\"}}", new.priority),
                internal: false,
            },
            now,
        )
        .await?;
        sqlx::query("INSERT INTO request_followers (request_id, user_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(new.requester_id)
            .execute(&mut *tx)
            .await?;
        for a in attachments {
            insert_attachment(&mut tx, &id, None, a, now).await?;
        }
        for m in outbox {
            insert_outbox(&mut tx, m, now).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// One request, if `scope` may see it.
    pub async fn request(&self, scope: Scope<'_>, id: &str) -> Result<Option<Request>> {
        let row: Option<RequestRow> = match scope {
            Scope::Staff => {
                sqlx::query_as(&format!("{REQUEST_SELECT} WHERE r.id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
            }
            Scope::Org(org) => {
                sqlx::query_as(&format!(
                    "{REQUEST_SELECT} WHERE r.id = $1 AND r.org_id = $2"
                ))
                .bind(id)
                .bind(org)
                .fetch_optional(&self.pool)
                .await?
            }
        };
        row.map(Request::try_from).transpose()
    }

    /// A request's conversation as `scope` may see it, oldest first: staff
    /// see internal notes; a customer sees the public messages of their own
    /// organisation's request, and nothing of another's.
    pub async fn messages(&self, scope: Scope<'_>, request_id: &str) -> Result<Vec<Message>> {
        #[derive(FromRow)]
        struct Row {
            id: String,
            author_id: String,
            author_name: String,
            author_role: String,
            body: String,
            internal: i64,
            created_at: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT m.id, m.author_id, u.name AS author_name, u.role AS author_role, m.body, m.internal, m.created_at \
             FROM request_messages m JOIN users u ON u.id = m.author_id \
             JOIN requests r ON r.id = m.request_id \
             WHERE m.request_id = $1 AND ($2 = 1 OR (m.internal = 0 AND r.org_id = $3)) \
             ORDER BY m.created_at, m.id",
        )
        .bind(request_id)
        .bind(i64::from(scope == Scope::Staff))
        .bind(scope_org(scope))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Message {
                author_is_staff: matches!(r.author_role.as_str(), "agent" | "support_admin"),
                id: r.id,
                author_id: r.author_id,
                author_name: r.author_name,
                body: r.body,
                internal: r.internal != 0,
                created_at: r.created_at,
            })
            .collect())
    }

    /// A request's activity log as `scope` may see it, oldest first.
    pub async fn events(&self, scope: Scope<'_>, request_id: &str) -> Result<Vec<Event>> {
        #[derive(FromRow)]
        struct Row {
            id: String,
            actor_name: Option<String>,
            kind: String,
            detail: String,
            internal: i64,
            created_at: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT e.id, u.name AS actor_name, e.kind, e.detail, e.internal, e.created_at \
             FROM request_events e LEFT JOIN users u ON u.id = e.actor_id \
             JOIN requests r ON r.id = e.request_id \
             WHERE e.request_id = $1 AND ($2 = 1 OR (e.internal = 0 AND r.org_id = $3)) \
             ORDER BY e.created_at, e.id",
        )
        .bind(request_id)
        .bind(i64::from(scope == Scope::Staff))
        .bind(scope_org(scope))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Event {
                id: r.id,
                actor_name: r.actor_name,
                kind: r.kind,
                detail: r.detail,
                internal: r.internal != 0,
                created_at: r.created_at,
            })
            .collect())
    }

    /// A request's files as `scope` may see them: a file on an internal
    /// note is as internal as the note.
    pub async fn attachments(&self, scope: Scope<'_>, request_id: &str) -> Result<Vec<Attachment>> {
        #[derive(FromRow)]
        struct Row {
            id: String,
            request_id: String,
            message_id: Option<String>,
            filename: String,
            content_type: String,
            size: i64,
            created_at: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT a.id, a.request_id, a.message_id, a.filename, a.content_type, a.size, a.created_at \
             FROM attachments a JOIN requests r ON r.id = a.request_id \
             LEFT JOIN request_messages m ON m.id = a.message_id \
             WHERE a.request_id = $1 AND ($2 = 1 OR (r.org_id = $3 AND COALESCE(m.internal, 0) = 0)) \
             ORDER BY a.created_at, a.id",
        )
        .bind(request_id)
        .bind(i64::from(scope == Scope::Staff))
        .bind(scope_org(scope))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Attachment {
                id: r.id,
                request_id: r.request_id,
                message_id: r.message_id,
                filename: r.filename,
                content_type: r.content_type,
                size: r.size,
                created_at: r.created_at,
            })
            .collect())
    }

    /// The requests `scope` may see (one organisation's, or all for staff),
    /// newest activity first (staff: in the filter's order), one page at a
    /// time (keyset pagination). Returns the page and the next cursor.
    pub async fn list_requests(
        &self,
        scope: Scope<'_>,
        filter: &RequestFilter,
    ) -> Result<(Vec<Request>, Option<String>)> {
        let org_id = match scope {
            Scope::Org(org_id) => org_id,
            Scope::Staff => return self.staff_list(filter).await,
        };
        let mut sql = Sql::new(REQUEST_SELECT);
        sql.push(" WHERE r.org_id = ").bind(org_id);
        if let Some(s) = filter.status {
            sql.push(" AND r.status = ").bind(s.as_str());
        }
        push_common_filters(&mut sql, filter);
        if let Some(cursor) = &filter.cursor {
            let Some((nums, id)) = parse_cursor(cursor, 1) else {
                return Err(StoreError::BadCursor);
            };
            sql.push(" AND (r.updated_at < ")
                .bind(nums[0])
                .push(" OR (r.updated_at = ")
                .bind(nums[0])
                .push(" AND r.id < ")
                .bind(id)
                .push("))");
        }
        let limit = filter.limit.clamp(1, 200);
        sql.push(&format!(
            " ORDER BY r.updated_at DESC, r.id DESC LIMIT {}",
            limit + 1
        ));
        let rows: Vec<RequestRow> = sql.query_as().fetch_all(&self.pool).await?;
        let mut page = rows
            .into_iter()
            .map(Request::try_from)
            .collect::<Result<Vec<_>>>()?;
        let more = page.len() as i64 > limit;
        page.truncate(usize::try_from(limit).unwrap_or(0));
        let cursor = more
            .then(|| page.last().map(|r| format!("{}_{}", r.updated_at, r.id)))
            .flatten();
        Ok((page, cursor))
    }

    /// Staff's list across organisations: a queue view or all requests,
    /// filtered, in any order. Each view and order is one index range (see
    /// the `requests_stage_*` and `requests_unassigned_*` indexes).
    async fn staff_list(&self, filter: &RequestFilter) -> Result<(Vec<Request>, Option<String>)> {
        let sort = filter.sort.unwrap_or(match filter.view {
            Some(_) => Sort {
                key: SortKey::Priority,
                desc: false,
            },
            None => Sort {
                key: SortKey::Updated,
                desc: true,
            },
        });
        // On PostgreSQL a one-stage view is ordered with the stage in front
        // and bounded by two inequalities, never `stage = N`: beside an
        // equality the planner drops the stage from the order and may take
        // the bare order index (`requests_due_idx` on a run of equal due
        // keys), filtering every row before the stage's first; with the
        // stage in the order only the stage's own index gives it. A later
        // page starts at the cursor as `(stage, key…, number) > (N, …)`:
        // PostgreSQL positions the index scan on a row comparison only when
        // it leads (beside `stage = N` it walked every page before the
        // cursor). The overdue view ordered by due keeps `stage = 0` for its
        // `due_key <= now` end.
        // SQLite places its scan well with `stage = N` and would walk the
        // stage's index from the start with the leading form, so it is
        // PostgreSQL's only.
        let lead = match &filter.view {
            _ if self.backend() != crate::Backend::Postgres => None,
            Some(QueueView::Unassigned | QueueView::AllOpen) => Some(0),
            Some(QueueView::Overdue(_)) if sort.key != SortKey::Due => Some(0),
            Some(QueueView::Waiting) => Some(1),
            Some(QueueView::Solved) => Some(2),
            _ => None,
        };
        let stage_is = |n: i64| match lead {
            None => format!("r.stage = {n}"),
            Some(_) if filter.cursor.is_none() => format!("r.stage >= {n} AND r.stage <= {n}"),
            Some(_) if sort.desc => format!("r.stage >= {n}"),
            Some(_) => format!("r.stage <= {n}"),
        };
        let mut sql = Sql::new(REQUEST_SELECT);
        sql.push(" WHERE ");
        match &filter.view {
            None => sql.push("1 = 1"),
            Some(QueueView::Unassigned) => {
                sql.push(&format!("{} AND r.assignee_id IS NULL", stage_is(0)))
            }
            Some(QueueView::AllOpen) => sql.push(&stage_is(0)),
            Some(QueueView::Waiting) => sql.push(&stage_is(1)),
            Some(QueueView::Solved) => sql.push(&stage_is(2)),
            // Ordered by due, the due range is the index range; in any
            // other order the order's index is walked and the due time
            // checked on the way (unary `+` keeps the planner off the due
            // index, which would mean sorting every overdue request).
            Some(QueueView::Overdue(now)) if sort.key == SortKey::Due => {
                sql.push("r.stage = 0 AND r.due_key <= ").bind(*now)
            }
            Some(QueueView::Overdue(now)) => sql
                .push(&format!("{} AND +r.due_key <= ", stage_is(0)))
                .bind(*now),
            Some(QueueView::Mine(user)) => sql
                .push("r.assignee_id = ")
                .bind(user.as_str())
                .push(" AND r.stage IN (0, 1)"),
        };
        if let Some(status) = filter.status {
            sql.push(" AND r.stage = ")
                .bind(stage_of(status))
                .push(" AND r.status = ")
                .bind(status.as_str());
        }
        push_common_filters(&mut sql, filter);
        if let Some(org) = &filter.org {
            sql.push(" AND r.org_id = ").bind(org.as_str());
        }
        if let Some(plan) = filter.plan {
            sql.push(" AND o.plan = ").bind(plan.as_str());
        }
        if let Some(team) = &filter.team {
            sql.push(" AND o.team_id = ").bind(team.as_str());
        }
        match &filter.assignee {
            None => {}
            Some(AssigneeFilter::Nobody) => {
                sql.push(" AND r.assignee_id IS NULL");
            }
            Some(AssigneeFilter::User(u)) => {
                sql.push(" AND r.assignee_id = ").bind(u.as_str());
            }
        }
        if let Some(incident) = &filter.incident {
            sql.push(
                " AND EXISTS (SELECT 1 FROM incident_requests ir WHERE ir.request_id = r.id AND ir.incident_id = ",
            )
            .bind(incident.as_str())
            .push(")");
        }
        let mut cols: Vec<&str> = sort.key.columns().to_vec();
        if lead.is_some() {
            cols.insert(0, "r.stage");
        }
        if let Some(cursor) = &filter.cursor {
            let values: Option<Vec<i64>> = lead
                .into_iter()
                .map(Some)
                .chain(cursor.split('_').map(|v| v.parse().ok()))
                .collect();
            let Some(values) = values.filter(|v| v.len() == cols.len()) else {
                return Err(StoreError::BadCursor);
            };
            sql.push(&format!(
                " AND ({}) {} (",
                cols.join(", "),
                if sort.desc { "<" } else { ">" }
            ));
            for (k, v) in values.into_iter().enumerate() {
                if k > 0 {
                    sql.push(", ");
                }
                sql.bind(v);
            }
            sql.push(")");
        }
        let dir = if sort.desc { " DESC" } else { "" };
        let order: Vec<String> = cols.iter().map(|c| format!("{c}{dir}")).collect();
        let limit = filter.limit.clamp(1, 200);
        sql.push(&format!(
            " ORDER BY {} LIMIT {}",
            order.join(", "),
            limit + 1
        ));
        let rows: Vec<RequestRow> = sql.query_as().fetch_all(&self.pool).await?;
        let mut page = rows
            .into_iter()
            .map(Request::try_from)
            .collect::<Result<Vec<_>>>()?;
        let more = page.len() as i64 > limit;
        page.truncate(usize::try_from(limit).unwrap_or(0));
        let cursor = more
            .then(|| {
                page.last().map(|r| {
                    sort.key
                        .values(r)
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join("_")
                })
            })
            .flatten();
        Ok((page, cursor))
    }

    /// How many of the organisation's requests are in each status.
    pub async fn status_counts(&self, org_id: &str) -> Result<Vec<(TicketStatus, i64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM requests WHERE org_id = $1 GROUP BY status",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(counts_by_status(&rows, |s| s.to_string()))
    }

    /// How many requests each queue view holds: from the counts the
    /// triggers keep, and the agent's own from their index.
    pub async fn queue_counts(&self, agent_id: &str, now: i64) -> Result<QueueCounts> {
        // One round trip: the kept counts, and the two counted here up to a
        // cap, so a count costs an index range of at most that many entries
        // however many there are.
        let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT bucket, n FROM request_counts \
             UNION ALL SELECT 'mine', (SELECT COUNT(*) FROM (SELECT 1 FROM requests \
               WHERE assignee_id = $1 AND stage IN (0, 1) LIMIT {cap}) AS capped) \
             UNION ALL SELECT 'overdue', (SELECT COUNT(*) FROM (SELECT 1 FROM requests \
               WHERE stage = 0 AND due_key <= $2 LIMIT {cap}) AS capped)",
            cap = COUNT_CAP + 1
        ))
        .bind(agent_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let bucket = |name: &str| {
            rows.iter()
                .find(|(b, _)| b == name)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        let (mine, overdue) = (bucket("mine"), bucket("overdue"));
        let by_status = counts_by_status(&rows, |s| format!("status:{s}"));
        let of = |s: TicketStatus| {
            by_status
                .iter()
                .find(|(t, _)| *t == s)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        Ok(QueueCounts {
            unassigned: bucket("unassigned"),
            mine,
            open: of(TicketStatus::New) + of(TicketStatus::Open),
            waiting: of(TicketStatus::WaitingOnCustomer),
            solved: of(TicketStatus::Solved),
            overdue,
            by_status,
        })
    }

    /// Applies one change in one transaction. Returns false, writing
    /// nothing, when the request's status is no longer `expected_status`.
    pub async fn apply_change(&self, change: &Change<'_>, now: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let public_text = change
            .message
            .filter(|(_, internal)| !internal)
            .map(|(body, _)| search_text(&[body]))
            .unwrap_or_default();
        let solved_at = (change.new_status == TicketStatus::Solved).then_some(now);
        let (set_assignee, assignee) = match change.assignee {
            Some(a) => (1i64, a),
            None => (0i64, None),
        };
        let done = sqlx::query(
            "UPDATE requests SET status = $1, updated_at = $2, \
             solved_at = CASE WHEN $1 = 'solved' THEN COALESCE($3, solved_at) \
               WHEN $1 = 'closed' THEN solved_at ELSE NULL END, \
             priority = COALESCE($4, priority), \
             assignee_id = CASE WHEN $5 = 1 THEN $6 ELSE assignee_id END, \
             search_text = search_text || $7 \
             WHERE id = $8 AND status = $9",
        )
        .bind(change.new_status.as_str())
        .bind(now)
        .bind(solved_at)
        .bind(change.priority.map(Priority::rank))
        .bind(set_assignee)
        .bind(assignee)
        .bind(public_text)
        .bind(change.request_id)
        .bind(change.expected_status.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some(t) = &change.target {
            sqlx::query(
                "UPDATE requests SET target_kind = $1, target_minutes = $2, target_started_at = $3, \
                 target_spent_ms = $4, due_at = $5, \
                 first_response_at = CASE WHEN $6 = 1 THEN COALESCE(first_response_at, $7) ELSE first_response_at END, \
                 targets_missed = targets_missed + $8 WHERE id = $9",
            )
            .bind(t.clock.kind.map(TargetKind::as_str))
            .bind(t.clock.minutes)
            .bind(t.clock.started_at)
            .bind(t.clock.spent_ms)
            .bind(t.due_at)
            .bind(i64::from(t.first_response))
            .bind(now)
            .bind(i64::from(t.missed))
            .bind(change.request_id)
            .execute(&mut *tx)
            .await?;
        }
        let mut message_id = None;
        if let Some((body, internal)) = change.message {
            let Some(author) = change.actor_id else {
                return Err(StoreError::Corrupt("a message needs an author".into()));
            };
            let id = new_id();
            sqlx::query(
                "INSERT INTO request_messages (id, request_id, author_id, body, internal, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(change.request_id)
            .bind(author)
            .bind(body)
            .bind(i64::from(internal))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            message_id = Some(id);
        }
        for e in &change.events {
            insert_event(&mut tx, change.request_id, change.actor_id, e, now).await?;
        }
        for a in &change.attachments {
            insert_attachment(&mut tx, change.request_id, message_id.as_deref(), a, now).await?;
        }
        match change.follow.zip(change.actor_id) {
            Some((true, actor)) => {
                sqlx::query(
                    "INSERT INTO request_followers (request_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(change.request_id)
                .bind(actor)
                .execute(&mut *tx)
                .await?;
            }
            Some((false, actor)) => {
                sqlx::query("DELETE FROM request_followers WHERE request_id = $1 AND user_id = $2")
                    .bind(change.request_id)
                    .bind(actor)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {}
        }
        for m in &change.outbox {
            insert_outbox(&mut tx, m, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The requests filed in `[from, to)` and those solved in it, for the
    /// support reports.
    pub async fn report_rows(&self, from: i64, to: i64) -> Result<Vec<ReportRow>> {
        let select = "SELECT r.number, o.name AS org_name, o.plan AS org_plan, r.priority, r.status, \
             c.name AS component, r.created_at, r.first_response_at, r.solved_at, r.targets_missed \
             FROM requests r JOIN organisations o ON o.id = r.org_id \
             LEFT JOIN components c ON c.id = r.component";
        let rows: Vec<ReportRow> = sqlx::query_as(&format!(
            "{select} WHERE (r.created_at >= $1 AND r.created_at < $2) \
             OR (r.status IN ('solved', 'closed') AND r.solved_at >= $1 AND r.solved_at < $2) \
             ORDER BY r.number"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Ratings given in `[from, to)`: (request number, good, comment, when).
    pub async fn ratings_between(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, bool, String, i64)>> {
        let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT r.number, t.good, t.comment, t.updated_at FROM request_ratings t \
             JOIN requests r ON r.id = t.request_id \
             WHERE t.updated_at >= $1 AND t.updated_at < $2 ORDER BY t.updated_at DESC, r.number DESC",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(n, g, c, at)| (n, g != 0, c, at))
            .collect())
    }

    /// The response targets of every plan and priority that has one.
    pub async fn response_targets(&self) -> Result<Vec<(Plan, Priority, ResponseTargets)>> {
        let rows: Vec<(String, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT plan, priority, first_response_minutes, next_response_minutes FROM response_targets \
             ORDER BY plan, priority",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(plan, prio, first, next)| {
                Ok((
                    Plan::parse(&plan).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    Priority::from_rank(prio)
                        .ok_or_else(|| StoreError::Corrupt(format!("priority {prio}")))?,
                    ResponseTargets {
                        first_response: first,
                        next_response: next,
                    },
                ))
            })
            .collect()
    }

    /// Replaces every response target at once.
    pub async fn set_response_targets(
        &self,
        rows: &[(Plan, Priority, ResponseTargets)],
    ) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM response_targets")
            .execute(&mut *tx)
            .await?;
        for (plan, prio, t) in rows {
            sqlx::query(
                "INSERT INTO response_targets (plan, priority, first_response_minutes, next_response_minutes) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(plan.as_str())
            .bind(prio.rank())
            .bind(t.first_response)
            .bind(t.next_response)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// SQL for the next request number: PostgreSQL's sequence (several
    /// instances never share a number; a rolled-back filing leaves a gap);
    /// on SQLite, whose one writer holds the write lock, one past the
    /// largest (an index lookup).
    fn next_number_sql(&self) -> &'static str {
        match self.backend() {
            crate::Backend::Postgres => "nextval('request_number_seq')",
            crate::Backend::Sqlite => "(SELECT COALESCE(MAX(number), 1000) + 1 FROM requests)",
        }
    }

    /// Takes `n` request numbers (for bulk inserts), in increasing order.
    async fn reserve_numbers(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        n: i64,
    ) -> Result<Vec<i64>> {
        Ok(match self.backend() {
            crate::Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT nextval('request_number_seq') FROM generate_series(1, $1::bigint) ORDER BY 1",
                )
                .bind(n)
                .fetch_all(&mut **tx)
                .await?
            }
            crate::Backend::Sqlite => {
                let first: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(number), 1000) + 1 FROM requests")
                        .fetch_one(&mut **tx)
                        .await?;
                (first..first + n).collect()
            }
        })
    }

    /// Sets whether a user follows a request (no status change, no event).
    pub async fn set_following(&self, request_id: &str, user_id: &str, follow: bool) -> Result<()> {
        let _w = self.write_guard().await;
        let sql = if follow {
            "INSERT INTO request_followers (request_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM request_followers WHERE request_id = $1 AND user_id = $2"
        };
        sqlx::query(sql)
            .bind(request_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The followers of a request who are still admins of its organisation:
    /// (user id, e-mail, name, language).
    pub async fn admin_followers(
        &self,
        request_id: &str,
    ) -> Result<Vec<(String, String, String, Option<String>)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.language FROM request_followers f \
             JOIN users u ON u.id = f.user_id JOIN requests r ON r.id = f.request_id \
             WHERE f.request_id = $1 AND u.role = 'admin' AND u.org_id = r.org_id \
             AND u.removed_at IS NULL ORDER BY u.email",
        )
        .bind(request_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn is_following(&self, request_id: &str, user_id: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM request_followers WHERE request_id = $1 AND user_id = $2",
        )
        .bind(request_id)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// Solved requests whose solution is older than `after_ms`, for closing.
    pub async fn solved_before(&self, cutoff: i64, limit: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM requests WHERE status = 'solved' AND solved_at <= $1 ORDER BY solved_at LIMIT $2",
        )
        .bind(cutoff)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Support staff who can be assigned requests.
    pub async fn agents(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, name FROM users WHERE role IN ('agent', 'support_admin') ORDER BY lower(name)",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// For benchmarks: gives every `every`-th request to `agent` and a due
    /// time to every third new or open one, so each queue view has rows.
    pub async fn bench_shape(&self, agent: &str, every: i64) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query("UPDATE requests SET assignee_id = $1 WHERE number % $2 = 0")
            .bind(agent)
            .bind(every)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "UPDATE requests SET due_at = created_at + 3600000 WHERE status IN ('new', 'open') AND number % 3 = 0",
        )
        .execute(&self.pool)
        .await?;
        // Two bulk UPDATEs of 150,000 rows leave as many dead row versions
        // and a visibility map to redo, which autovacuum clears within a
        // minute or so in a running installation: measure that state, not
        // the minute after a bulk change no agent makes.
        if self.backend() == crate::Backend::Postgres {
            sqlx::query("VACUUM (ANALYZE) requests")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Bulk-inserts requests for benchmarks: (org id, requester id, status,
    /// priority rank, created_at) each.
    pub async fn insert_requests_bulk(
        &self,
        rows: &[(String, String, TicketStatus, i64, i64)],
    ) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for chunk in rows.chunks(50) {
            let mut sql = Sql::new(
                "INSERT INTO requests (id, org_id, requester_id, subject, description, priority, status, search_text, created_at, updated_at, number) VALUES ",
            );
            let numbers = self.reserve_numbers(&mut tx, chunk.len() as i64).await?;
            for (k, (org, user, status, prio, at)) in chunk.iter().enumerate() {
                let subject = format!("Benchmark request {k}");
                sql.push(if k > 0 { ",(" } else { "(" })
                    .bind(new_id())
                    .push(", ")
                    .bind(org.as_str())
                    .push(", ")
                    .bind(user.as_str())
                    .push(", ")
                    .bind(subject.as_str())
                    .push(", ")
                    .bind("Generated for a benchmark.")
                    .push(", ")
                    .bind(*prio)
                    .push(", ")
                    .bind(status.as_str())
                    .push(", ")
                    .bind(search_text(&[&subject]))
                    .push(", ")
                    .bind(*at)
                    .push(", ")
                    .bind(*at)
                    .push(", ")
                    .bind(numbers.get(k).copied().unwrap_or_default())
                    .push(")");
            }
            let q = sql.query();
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request_id: &str,
    actor_id: Option<&str>,
    e: &NewEvent,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO request_events (id, request_id, actor_id, kind, detail, internal, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(request_id)
    .bind(actor_id)
    .bind(e.kind)
    .bind(&e.detail)
    .bind(i64::from(e.internal))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_attachment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request_id: &str,
    message_id: Option<&str>,
    a: &NewAttachment,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO attachments (id, request_id, message_id, filename, content_type, size, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&a.id)
    .bind(request_id)
    .bind(message_id)
    .bind(&a.filename)
    .bind(&a.content_type)
    .bind(a.size)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50% Off_x"), "%50\\% off\\_x%");
        assert_eq!(like_pattern("ÅÄÖ"), "%åäö%");
    }

    #[test]
    fn cursors_parse() {
        assert_eq!(
            parse_cursor("12_abc-def", 1),
            Some((vec![12], "abc-def".into()))
        );
        assert_eq!(
            parse_cursor("1_12_abc_def", 2),
            Some((vec![1, 12], "abc_def".into()))
        );
        assert_eq!(parse_cursor("x_abc", 1), None);
        assert_eq!(parse_cursor("12_", 1), None);
        assert_eq!(parse_cursor("12", 1), None);
    }
}
