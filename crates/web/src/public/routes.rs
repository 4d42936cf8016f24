//! The public status routes: the page, its live updates (SSE), incident
//! permalinks, the Statuspage-compatible `/api/v2/` documents and the
//! feeds. All but the permalink are served from the snapshot.
use crate::http::cache::serve;
use crate::http::ctx::{Ctx, negotiate_language};
use crate::http::error::{AppResult, Error, WebError};
use crate::http::extract::QueryOf;
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::format_time;
use crate::public::snapshot;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::Language;
use std::convert::Infallible;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/status", get(status_page))
        .route("/status/events", get(status_events))
        .route("/status/incidents/{id}", get(incident_permalink))
        .route("/api/v2/{*doc}", get(v2_document))
        .route(
            "/history.rss",
            get(|s: State<AppState>, q: QueryOf<LangQuery>, h: HeaderMap| {
                feed(s, q, h, "history.rss")
            }),
        )
        .route(
            "/history.atom",
            get(|s: State<AppState>, q: QueryOf<LangQuery>, h: HeaderMap| {
                feed(s, q, h, "history.atom")
            }),
        )
}

fn not_found() -> WebError {
    WebError(Error::NotFound)
}

/// `/status`: the snapshot in the visitor's language.
pub async fn status_page(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let lang = negotiate_language(&state, &headers, None);
    let key = format!("page.{}", lang.as_str());
    let doc = match state.status.doc(&key) {
        Some(d) => d,
        None => {
            snapshot::rebuild(&state).await?;
            state.status.doc(&key).ok_or_else(not_found)?
        }
    };
    Ok(serve(&doc, &headers, true))
}

/// The language of a document for machines: `?lang=`, else
/// `Accept-Language`, else the installation's default (no cookie: feed
/// readers and scripts have none, and the answer is cached by URL and
/// `Accept-Language` only).
fn document_language(state: &AppState, query: &LangQuery, headers: &HeaderMap) -> Language {
    query
        .lang
        .as_deref()
        .and_then(|l| Language::parse(l.trim()).ok())
        .or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or(state.app.config.default_language)
}

#[derive(serde::Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

/// `/api/v2/…`: the Statuspage-compatible documents, in the reader's
/// language.
pub async fn v2_document(
    State(state): State<AppState>,
    Path(path): Path<String>,
    QueryOf(query): QueryOf<LangQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if state.status.version() == 0 {
        snapshot::rebuild(&state).await?;
    }
    let lang = document_language(&state, &query, &headers);
    let doc = state
        .status
        .doc(&snapshot::doc_key(&path, lang))
        .ok_or_else(not_found)?;
    Ok(serve(&doc, &headers, false))
}

/// `/history.rss` and `/history.atom`: the incident history as feeds, in
/// the reader's language.
pub async fn feed(
    State(state): State<AppState>,
    QueryOf(query): QueryOf<LangQuery>,
    headers: HeaderMap,
    name: &'static str,
) -> AppResult<Response> {
    if state.status.version() == 0 {
        snapshot::rebuild(&state).await?;
    }
    let lang = document_language(&state, &query, &headers);
    let doc = state
        .status
        .doc(&snapshot::doc_key(name, lang))
        .ok_or_else(not_found)?;
    Ok(serve(&doc, &headers, false))
}

/// `/status/events`: a server-sent event `update` with the snapshot version,
/// once on connecting and then on every change.
pub async fn status_events(State(state): State<AppState>) -> Response {
    let rx = state.status.events.subscribe();
    let closing = state.status.closing();
    let first = state.status.version();
    // State: the receiver, the shutdown signal, the last version sent, and
    // whether the first event (the current version) is still to be sent.
    let stream = futures_util::stream::unfold(
        (rx, closing, first, true),
        |(mut rx, mut closing, last, start)| async move {
            if start {
                let event = Event::default().event("update").data(last.to_string());
                return Some((Ok::<_, Infallible>(event), (rx, closing, last, false)));
            }
            loop {
                tokio::select! {
                    received = rx.recv() => match received {
                        // A version announced before we read the current one.
                        Ok(v) if v <= last => continue,
                        Ok(v) => {
                            let event = Event::default().event("update").data(v.to_string());
                            return Some((Ok(event), (rx, closing, v, false)));
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = closing.changed() => return None,
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

struct UpdateRow {
    status: String,
    /// The update's Markdown, rendered and sanitised.
    html: String,
    at: String,
    edited: Option<String>,
}

#[derive(Template)]
#[template(path = "public/incident_page.html")]
struct IncidentPage {
    page: Page,
    name: String,
    impact: String,
    status: String,
    window: Option<String>,
    components: String,
    updates: Vec<UpdateRow>,
    lasted: Option<String>,
    /// "Only available in English", when a text is not in the page's language.
    note: Option<String>,
    /// The postmortem's Markdown, rendered and sanitised; empty when none.
    postmortem: String,
    postmortem_at: Option<String>,
    edited: Option<String>,
    /// Staff get a link to correct it.
    edit_link: Option<String>,
}

/// `/status/incidents/{id}`: one incident's whole timeline.
pub async fn incident_permalink(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let d = ctx.app().incident(&id).await?;
    let (d, fell_back) = ctx.app().detail_in(d, ctx.lang).await?;
    let tr = ctx.tr();
    let incident = d.incident;
    let prefix = if incident.kind == "maintenance" {
        "maintenance"
    } else {
        "incident"
    };
    let updates = d
        .updates
        .into_iter()
        .map(|u| UpdateRow {
            status: tr.t(&format!("{prefix}-{}", u.status)),
            html: app::markdown::render(&u.body),
            at: format_time(u.created_at, ctx.lang),
            edited: snapshot::edited(u.edited_at, ctx.lang),
        })
        .collect();
    let affected: Vec<String> = d.components.into_iter().map(|(_, n)| n).collect();
    let mut page = ctx.page("status-title");
    page.title = incident.name.clone();
    Ok(render(&IncidentPage {
        page,
        status: tr.t(&format!("{prefix}-{}", incident.status)),
        impact: incident.impact.clone(),
        window: snapshot::window(&incident, ctx.lang),
        lasted: snapshot::lasted(&incident, ctx.lang),
        components: affected.join(", "),
        note: fell_back.then(|| snapshot::only_in(tr, ctx.app().content_language())),
        postmortem: if incident.postmortem.trim().is_empty() {
            String::new()
        } else {
            app::markdown::render(&incident.postmortem)
        },
        postmortem_at: incident.postmortem_at.map(|t| format_time(t, ctx.lang)),
        edited: snapshot::edited(incident.edited_at, ctx.lang),
        edit_link: ctx
            .decide(domain::Action::ManageStatusPage)
            .is_allowed()
            .then(|| format!("/staff/status/incidents/{}", incident.id)),
        name: incident.name,
        updates,
    })?
    .into_response())
}
