//! Response targets and business hours: `/staff/targets` for support
//! admins, and `GET|PUT /api/v1/response-targets`.
use crate::http::ctx::{ApiCaller, Ctx};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::{FormBody, JsonBody};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::support::pages::priority_name;
use app::Error;
use app::targets::{HoursInput, TargetSettings, parse_minutes};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::hours::{BusinessHours, DAY_NAMES, clock_text};
use domain::targets::ResponseTargets;
use domain::{Plan, Priority};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/staff/targets", get(page).post(save))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TargetRow {
    /// `advanced` or `enterprise` (Core has no direct support).
    pub plan: String,
    /// `high`, `normal` or `low`.
    pub priority: String,
    /// Business minutes to the first answer; null: no target.
    pub first_response_minutes: Option<i64>,
    /// Business minutes to each next answer after the customer writes.
    pub next_response_minutes: Option<i64>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct HoursOut {
    /// IANA time zone, e.g. `Europe/Stockholm`.
    pub time_zone: String,
    /// Working days: `mon` … `sun`.
    pub days: Vec<String>,
    /// `HH:MM`, local time.
    pub start: String,
    pub end: String,
}

#[derive(Serialize, ToSchema)]
pub struct TargetsOut {
    pub targets: Vec<TargetRow>,
    pub business_hours: HoursOut,
}

#[derive(Deserialize, ToSchema)]
pub struct TargetsIn {
    /// Every target; plans and priorities left out have none.
    pub targets: Vec<TargetRow>,
    /// Left out: unchanged.
    pub business_hours: Option<HoursOut>,
}

fn out(s: &TargetSettings) -> TargetsOut {
    TargetsOut {
        targets: s
            .targets
            .iter()
            .map(|(plan, prio, t)| TargetRow {
                plan: plan.as_str().into(),
                priority: prio.as_str().into(),
                first_response_minutes: t.first_response,
                next_response_minutes: t.next_response,
            })
            .collect(),
        business_hours: hours_out(&s.hours),
    }
}

/// Business hours as the API writes them.
pub fn hours_out(h: &BusinessHours) -> HoursOut {
    HoursOut {
        time_zone: h.time_zone.clone(),
        days: h.day_names().iter().map(|d| d.to_string()).collect(),
        start: clock_text(h.start),
        end: clock_text(h.end),
    }
}

/// The weekday checkboxes of an hours form: (code, name, ticked).
pub fn day_choices(tr: Tr, h: &BusinessHours) -> Vec<(&'static str, String, bool)> {
    DAY_NAMES
        .iter()
        .zip(h.days)
        .map(|(d, on)| (*d, tr.t(&format!("day-{d}")), on))
        .collect()
}

fn check_minutes(field: &str, v: Option<i64>) -> app::Result<Option<i64>> {
    match v {
        Some(n) => parse_minutes(field, &n.to_string()),
        None => Ok(None),
    }
}

/// The response targets and the business hours they count in (staff).
#[utoipa::path(
    get, path = "/api/v1/response-targets", tag = "requests",
    security(("bearer" = [])),
    responses((status = 200, body = TargetsOut), (status = 403, body = ErrorBody))
)]
pub async fn get_targets(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<TargetsOut>> {
    let s = state.app.response_targets(&caller).await?;
    Ok(Json(out(&s)))
}

/// Replace the response targets, and optionally the business hours
/// (support admins). Targets are internal; customers are only told what
/// usually happens.
#[utoipa::path(
    put, path = "/api/v1/response-targets", tag = "requests",
    security(("bearer" = [])),
    request_body = TargetsIn,
    responses((status = 200, body = TargetsOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn put_targets(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(body): JsonBody<TargetsIn>,
) -> AppResult<Json<TargetsOut>> {
    let mut rows = Vec::new();
    for r in body.targets {
        let plan = Plan::parse(&r.plan)?;
        if !plan.includes_direct_support() {
            return Err(
                Error::invalid_with("plan", "plan_without_support", &[("value", &r.plan)]).into(),
            );
        }
        rows.push((
            plan,
            Priority::parse(&r.priority)?,
            ResponseTargets {
                first_response: check_minutes("first_response_minutes", r.first_response_minutes)?,
                next_response: check_minutes("next_response_minutes", r.next_response_minutes)?,
            },
        ));
    }
    let hours = body.business_hours.map(|h| HoursInput {
        time_zone: h.time_zone,
        days: h.days,
        start: h.start,
        end: h.end,
    });
    let s = state.app.set_response_targets(&caller, rows, hours).await?;
    Ok(Json(out(&s)))
}

struct Cell {
    plan: String,
    plan_code: &'static str,
    priority: String,
    key: String,
    first: String,
    next: String,
}

#[derive(Template)]
#[template(path = "support/targets.html")]
struct TargetsPage {
    page: Page,
    cells: Vec<Cell>,
    time_zone: String,
    days: Vec<(&'static str, String, bool)>,
    start: String,
    end: String,
    error: Option<String>,
}

fn targets_page(ctx: &Ctx, s: &TargetSettings, error: Option<String>) -> TargetsPage {
    let tr = ctx.tr();
    let mut cells = Vec::new();
    for plan in [Plan::Enterprise, Plan::Advanced] {
        for prio in Priority::ALL {
            let t = s.for_request(plan, *prio);
            let text = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
            cells.push(Cell {
                plan: tr.t(&format!("plan-{}", plan.as_str())),
                plan_code: plan.as_str(),
                priority: priority_name(tr, *prio),
                key: format!("{}-{}", plan.as_str(), prio.as_str()),
                first: text(t.first_response),
                next: text(t.next_response),
            });
        }
    }
    TargetsPage {
        page: ctx.page("targets-title"),
        cells,
        time_zone: s.hours.time_zone.clone(),
        days: day_choices(tr, &s.hours),
        start: clock_text(s.hours.start),
        end: clock_text(s.hours.end),
        error,
    }
}

async fn page(ctx: Ctx) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.app()
        .permit(caller, domain::Action::ManageSupportSettings)?;
    let s = ctx.app().response_targets(caller).await?;
    Ok(render(&targets_page(&ctx, &s, None))?.into_response())
}

async fn save(ctx: Ctx, FormBody(fields): FormBody<Vec<(String, String)>>) -> AppResult<Response> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ctx.check_csrf(&field("csrf"))?;
    let caller = ctx.signed_in()?;
    let result = async {
        let mut rows = Vec::new();
        for plan in [Plan::Enterprise, Plan::Advanced] {
            for prio in Priority::ALL {
                let key = format!("{}-{}", plan.as_str(), prio.as_str());
                rows.push((
                    plan,
                    *prio,
                    ResponseTargets {
                        first_response: parse_minutes(
                            "first_response_minutes",
                            &field(&format!("first-{key}")),
                        )?,
                        next_response: parse_minutes(
                            "next_response_minutes",
                            &field(&format!("next-{key}")),
                        )?,
                    },
                ));
            }
        }
        let days = fields
            .iter()
            .filter(|(k, _)| k == "days")
            .map(|(_, v)| v.clone())
            .collect();
        let hours = HoursInput {
            time_zone: field("time_zone"),
            days,
            start: field("start"),
            end: field("end"),
        };
        ctx.app()
            .set_response_targets(caller, rows, Some(hours))
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/staff/targets?done=targets-saved").into_response()),
        Err(e @ Error::Invalid(_)) => {
            let s = ctx.app().response_targets(caller).await?;
            let p = targets_page(&ctx, &s, Some(e.message(ctx.lang)));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
