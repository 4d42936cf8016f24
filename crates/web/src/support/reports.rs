//! The support reports: `/staff/reports` and `GET /api/v1/reports/support`
//! (JSON, or CSV with `?format=csv`), for support admins.
use crate::http::csv::csv_field;
use crate::http::ctx::{ApiCaller, Ctx};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::QueryOf;
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use crate::support::pages::{priority_name, status_name};
use app::reports::{SupportReport, Times};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new().route("/staff/reports", get(page))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct ReportParams {
    /// First day (`2026-09-01`) or instant (RFC 3339); default 30 days
    /// before `to`.
    pub from: Option<String>,
    /// Last day, counted whole, or instant; default now.
    pub to: Option<String>,
    /// `csv` for a spreadsheet; JSON otherwise.
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Count {
    pub key: Option<String>,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OrgCount {
    pub organisation: String,
    pub plan: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct WeekOut {
    /// The Monday the week starts (UTC).
    pub week: String,
    pub created: i64,
    pub solved: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TimesOut {
    pub count: usize,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct RatingComment {
    pub number: i64,
    pub good: bool,
    pub comment: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RatingsOut {
    pub good: i64,
    pub bad: i64,
    pub comments: Vec<RatingComment>,
}

#[derive(Serialize, ToSchema)]
pub struct SupportReportOut {
    pub from: String,
    pub to: String,
    /// Requests filed in the period.
    pub created: i64,
    /// Requests solved in the period.
    pub solved: i64,
    /// The requests filed in the period, by status now.
    pub by_status: Vec<Count>,
    pub by_priority: Vec<Count>,
    /// By feature name; `key` null: no feature named.
    pub by_feature: Vec<Count>,
    pub by_organisation: Vec<OrgCount>,
    pub weeks: Vec<WeekOut>,
    /// Time from filing to the first public answer (requests filed in the
    /// period and answered).
    pub first_response: TimesOut,
    /// Time from filing to solved (requests solved in the period).
    pub resolution: TimesOut,
    pub ratings: RatingsOut,
    /// Response targets missed by the requests filed in the period.
    pub targets_missed: i64,
}

fn times(t: Times) -> TimesOut {
    TimesOut {
        count: t.count,
        median_minutes: t.median_minutes,
        p90_minutes: t.p90_minutes,
    }
}

fn day(ms: i64) -> String {
    rfc3339(ms).chars().take(10).collect()
}

fn out(r: SupportReport) -> SupportReportOut {
    SupportReportOut {
        from: rfc3339(r.from),
        to: rfc3339(r.to),
        created: r.created,
        solved: r.solved,
        by_status: r
            .by_status
            .iter()
            .map(|(s, n)| Count {
                key: Some(s.as_str().into()),
                count: *n,
            })
            .collect(),
        by_priority: r
            .by_priority
            .iter()
            .map(|(p, n)| Count {
                key: Some(p.as_str().into()),
                count: *n,
            })
            .collect(),
        by_feature: r
            .by_feature
            .into_iter()
            .map(|(f, n)| Count { key: f, count: n })
            .collect(),
        by_organisation: r
            .by_organisation
            .into_iter()
            .map(|(organisation, plan, count)| OrgCount {
                organisation,
                plan,
                count,
            })
            .collect(),
        weeks: r
            .weeks
            .iter()
            .map(|w| WeekOut {
                week: day(w.start),
                created: w.created,
                solved: w.solved,
            })
            .collect(),
        first_response: times(r.first_response),
        resolution: times(r.resolution),
        ratings: RatingsOut {
            good: r.ratings_good,
            bad: r.ratings_bad,
            comments: r
                .comments
                .into_iter()
                .map(|(number, good, comment, at)| RatingComment {
                    number,
                    good,
                    comment,
                    at: rfc3339(at),
                })
                .collect(),
        },
        targets_missed: r.targets_missed,
    }
}

/// The report as CSV: `section,key,value,extra` rows.
fn csv(r: &SupportReportOut) -> String {
    let mut out = String::from("section,key,value,extra\n");
    let mut row = |section: &str, key: &str, value: &str, extra: &str| {
        out.push_str(&format!(
            "{section},{},{},{}\n",
            csv_field(key),
            csv_field(value),
            csv_field(extra)
        ));
    };
    row("period", &r.from, &r.to, "");
    row("total", "created", &r.created.to_string(), "");
    row("total", "solved", &r.solved.to_string(), "");
    for (section, list) in [
        ("status", &r.by_status),
        ("priority", &r.by_priority),
        ("feature", &r.by_feature),
    ] {
        for c in list {
            row(
                section,
                c.key.as_deref().unwrap_or(""),
                &c.count.to_string(),
                "",
            );
        }
    }
    for o in &r.by_organisation {
        row(
            "organisation",
            &o.organisation,
            &o.count.to_string(),
            &o.plan,
        );
    }
    for w in &r.weeks {
        row(
            "week",
            &w.week,
            &w.created.to_string(),
            &w.solved.to_string(),
        );
    }
    for (section, t) in [
        ("first_response", &r.first_response),
        ("resolution", &r.resolution),
    ] {
        let f = |v: Option<f64>| v.map(|m| format!("{m:.1}")).unwrap_or_default();
        row(section, "count", &t.count.to_string(), "");
        row(section, "median_minutes", &f(t.median_minutes), "");
        row(section, "p90_minutes", &f(t.p90_minutes), "");
    }
    row("ratings", "good", &r.ratings.good.to_string(), "");
    row("ratings", "bad", &r.ratings.bad.to_string(), "");
    for c in &r.ratings.comments {
        row(
            "rating",
            &format!("#{}", c.number),
            if c.good { "good" } else { "bad" },
            &c.comment,
        );
    }
    row("targets", "missed", &r.targets_missed.to_string(), "");
    out
}

/// Requests by status, priority, feature and organisation, week by week;
/// first-response and resolution times; ratings (support admins). Also as
/// CSV (`?format=csv` or `Accept: text/csv`).
#[utoipa::path(
    get, path = "/api/v1/reports/support", tag = "requests",
    security(("bearer" = [])),
    params(ReportParams),
    responses((status = 200, body = SupportReportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn support_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    QueryOf(p): QueryOf<ReportParams>,
) -> AppResult<Response> {
    let report = out(state
        .app
        .support_report(&caller, p.from.as_deref(), p.to.as_deref())
        .await?);
    let wants_csv = p.format.as_deref() == Some("csv")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"support-report.csv\"",
                ),
            ],
            csv(&report),
        )
            .into_response());
    }
    Ok(Json(report).into_response())
}

struct Bar {
    label: String,
    count: i64,
    /// Percent of the largest, for the bar's width.
    width: i64,
}

fn bars(items: Vec<(String, i64)>) -> Vec<Bar> {
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    items
        .into_iter()
        .map(|(label, count)| Bar {
            width: (count * 100 / max).max(2),
            label,
            count,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "support/reports.html")]
struct ReportsPage {
    page: Page,
    from: String,
    to: String,
    csv_href: String,
    created: i64,
    solved: i64,
    first_median: String,
    first_p90: String,
    resolution_median: String,
    resolution_p90: String,
    good: i64,
    bad: i64,
    missed: i64,
    /// (heading, bars): by status, priority, feature and organisation.
    groups: Vec<(String, Vec<Bar>)>,
    weeks: Vec<(String, i64, i64)>,
    comments: Vec<(i64, bool, String)>,
    error: Option<String>,
}

async fn page(ctx: Ctx, QueryOf(p): QueryOf<ReportParams>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let tr = ctx.tr();
    let (report, error) = match ctx
        .app()
        .support_report(caller, p.from.as_deref(), p.to.as_deref())
        .await
    {
        Ok(r) => (r, None),
        Err(e @ app::Error::Invalid(_)) => (
            ctx.app().support_report(caller, None, None).await?,
            Some(e.message(ctx.lang)),
        ),
        Err(e) => return Err(e.into()),
    };
    let minutes = |v: Option<f64>| {
        v.map(|m| app::i18n::format_duration((m * 60_000.0) as i64, ctx.lang))
            .unwrap_or_else(|| "—".into())
    };
    let from = day(report.from);
    // The form's "to" is the last day counted.
    let to = day(report.to - 1);
    let page = ReportsPage {
        page: ctx.page("reports-title"),
        csv_href: format!("/api/v1/reports/support?from={from}&to={to}&format=csv"),
        created: report.created,
        solved: report.solved,
        first_median: minutes(report.first_response.median_minutes),
        first_p90: minutes(report.first_response.p90_minutes),
        resolution_median: minutes(report.resolution.median_minutes),
        resolution_p90: minutes(report.resolution.p90_minutes),
        good: report.ratings_good,
        bad: report.ratings_bad,
        missed: report.targets_missed,
        groups: vec![
            (
                tr.t("report-by-status"),
                bars(
                    report
                        .by_status
                        .iter()
                        .map(|(s, n)| (status_name(tr, *s), *n))
                        .collect(),
                ),
            ),
            (
                tr.t("report-by-priority"),
                bars(
                    report
                        .by_priority
                        .iter()
                        .map(|(p, n)| (priority_name(tr, *p), *n))
                        .collect(),
                ),
            ),
            (
                tr.t("report-by-feature"),
                bars(
                    report
                        .by_feature
                        .iter()
                        .map(|(f, n)| (f.clone().unwrap_or_else(|| tr.t("report-no-feature")), *n))
                        .collect(),
                ),
            ),
            (
                tr.t("report-by-organisation"),
                bars(
                    report
                        .by_organisation
                        .iter()
                        .map(|(o, _, n)| (o.clone(), *n))
                        .collect(),
                ),
            ),
        ],
        weeks: report
            .weeks
            .iter()
            .map(|w| (day(w.start), w.created, w.solved))
            .collect(),
        comments: report
            .comments
            .iter()
            .map(|(n, g, c, _)| (*n, *g, c.clone()))
            .collect(),
        from,
        to,
        error,
    };
    Ok(render(&page)?.into_response())
}
