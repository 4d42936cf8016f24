//! The chat pages: "Chat with us" and the chat window for customer admins,
//! the chats of the organisation in the support inbox, and the agents'
//! chat console. The window works without JavaScript (the transcript and
//! a form); `assets/chat.js` makes it live over the WebSocket.
use crate::chat::api::ChatMessageOut;
use crate::http::ctx::{Ctx, Viewer};
use crate::http::error::{AppResult, Error};
use crate::http::extract::{CsrfForm, FormBody};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::{Tr, format_time};
use crate::support::pages::{KnownIssue, is_phone, known_issues};
use app::chat::OpenChat;
use app::model::Chat;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::chat::ChatState;
use domain::{Action, DenyReason};
use serde::Deserialize;
use std::convert::Infallible;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support/chat", get(start_page).post(open))
        .route("/support/chats", get(org_chats))
        .route("/support/chats/{id}", get(window))
        .route("/support/chats/{id}/end", post(end))
        .route("/support/chats/{id}/rating", post(rate))
        .route("/support/chats/{id}/transcript", post(transcript))
        .route("/support/chats/{id}/request", post(to_request))
        .route("/agent/chats", get(console))
        .route("/agent/chats/events", get(console_events))
        .route("/agent/chats/{id}", get(window))
        .route("/agent/chats/{id}/accept", post(accept))
        .route("/agent/chats/{id}/transfer", post(transfer))
        .route("/agent/chats/{id}/end", post(end))
        .route("/agent/chats/{id}/link", post(link))
        .route("/agent/chats/{id}/request", post(to_request))
        .route("/agent/presence", post(presence))
        .route("/staff/chat-settings", post(settings))
}

fn state_name(tr: Tr, s: ChatState) -> String {
    tr.t(&format!("chat-state-{}", s.as_str()))
}

/// The page of a refusal: staff go to their console, customers are told
/// why (plan, role, rollout); other errors go on.
fn explain(ctx: &Ctx, e: Error) -> AppResult<Response> {
    #[derive(Template)]
    #[template(path = "support/support_blocked.html")]
    struct BlockedPage {
        page: Page,
        message: String,
        admins: String,
        upgrade: bool,
    }
    match e {
        Error::Denied(DenyReason::CustomersOnly) if ctx.caller().is_some_and(|c| c.is_staff()) => {
            Ok(Redirect::to("/agent/chats").into_response())
        }
        Error::Denied(reason) => {
            let page = ctx.page("support-unavailable-title");
            let message = ctx
                .tr()
                .t(&format!("deny-{}", reason.code().replace('_', "-")));
            Ok((
                StatusCode::FORBIDDEN,
                render(&BlockedPage {
                    page,
                    message,
                    admins: String::new(),
                    upgrade: reason == DenyReason::PlanExcludesDirectSupport,
                })?,
            )
                .into_response())
        }
        other => Err(other.into()),
    }
}

// ---- "Chat with us" ------------------------------------------------------------

#[derive(Template)]
#[template(path = "chat/start.html")]
struct StartPage {
    page: Page,
    phone: bool,
    available: bool,
    online: i64,
    components: Vec<(String, String)>,
    issues: Vec<KnownIssue>,
    error: Option<String>,
    subject: String,
    body: String,
    component: String,
}

async fn start_view(
    ctx: &Ctx,
    status: StatusCode,
    error: Option<String>,
    draft: OpenChat,
) -> AppResult<Response> {
    let availability = ctx.app().availability().await?;
    let html = render(&StartPage {
        page: ctx.page("chat-title"),
        phone: is_phone(&ctx.headers),
        available: availability.free > 0,
        online: i64::try_from(availability.online).unwrap_or(0),
        components: ctx.app().component_choices().await?,
        issues: known_issues(ctx.tr(), ctx.app().known_problems(ctx.lang).await?),
        error,
        subject: draft.subject.unwrap_or_default(),
        body: draft.body,
        component: draft.component.unwrap_or_default(),
    })?;
    Ok((status, html).into_response())
}

async fn start_page(ctx: Ctx) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    if let Err(e) = ctx.app().permit(caller, Action::UseChat) {
        return explain(&ctx, e);
    }
    start_view(&ctx, StatusCode::OK, None, OpenChat::default()).await
}

#[derive(Deserialize)]
struct OpenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    component: String,
    #[serde(default)]
    action: String,
}

async fn open(ctx: Ctx, FormBody(f): FormBody<OpenForm>) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let caller = ctx.signed_in()?;
    if f.action == "ask" {
        // Nobody to chat with (or the admin prefers it): the same words as
        // a support request.
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("subject", &f.subject)
            .append_pair("body", &f.body)
            .append_pair("component", &f.component)
            .finish();
        return Ok(Redirect::to(&format!("/support/new?{query}")).into_response());
    }
    let draft = OpenChat {
        subject: Some(f.subject),
        body: f.body,
        component: Some(f.component),
        client_id: None,
    };
    if is_phone(&ctx.headers) {
        return start_view(&ctx, StatusCode::FORBIDDEN, None, draft).await;
    }
    match ctx.app().open_chat(caller, draft.clone()).await {
        Ok(chat) => Ok(Redirect::to(&format!("/support/chats/{}", chat.id)).into_response()),
        Err(e @ (Error::Invalid(_) | Error::TooLarge { .. })) => {
            start_view(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.message(ctx.lang)),
                draft,
            )
            .await
        }
        Err(e) => explain(&ctx, e),
    }
}

// ---- lists ------------------------------------------------------------------

struct ChatRow {
    href: String,
    subject: String,
    who: String,
    when: String,
    state: String,
    state_code: &'static str,
    rating: Option<String>,
}

fn rows(ctx: &Ctx, chats: Vec<Chat>, prefix: &str) -> Vec<ChatRow> {
    let tr = ctx.tr();
    chats
        .into_iter()
        .map(|c| ChatRow {
            href: format!("{prefix}/chats/{}", c.id),
            who: match &c.agent_name {
                Some(a) => format!("{} · {a}", c.requester_name),
                None => c.requester_name.clone(),
            },
            when: format_time(c.created_at, ctx.lang),
            state: state_name(tr, c.state),
            state_code: c.state.as_str(),
            rating: c
                .rating
                .as_deref()
                .map(|r| tr.t(&format!("chat-rating-{r}"))),
            subject: c.subject,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "chat/list.html")]
struct ListPage {
    page: Page,
    org_name: String,
    chat: bool,
    rows: Vec<ChatRow>,
}

async fn org_chats(ctx: Ctx) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let chats = match ctx.app().chats(caller).await {
        Ok(c) => c,
        Err(e) => return explain(&ctx, e),
    };
    Ok(render(&ListPage {
        page: ctx.page("chats-title"),
        org_name: caller
            .principal
            .org
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        chat: caller.may(Action::UseChat),
        rows: rows(&ctx, chats, "/support"),
    })?
    .into_response())
}

// ---- the chat window ----------------------------------------------------------

struct MessageView {
    seq: i64,
    author: String,
    staff: bool,
    mine: bool,
    html: String,
    at: String,
    /// `at` for people, in the page's language.
    when: String,
}

#[derive(Template)]
#[template(path = "chat/window.html")]
struct WindowPage {
    page: Page,
    agent: bool,
    phone: bool,
    id: String,
    subject: String,
    state: String,
    state_code: &'static str,
    agent_name: Option<String>,
    requester: String,
    org: String,
    base: String,
    messages: Vec<MessageView>,
    last_seq: i64,
    ended: bool,
    rating: Option<String>,
    request_id: Option<String>,
    issues: Vec<KnownIssue>,
    agents: Vec<(String, String)>,
    incidents: Vec<(String, String)>,
    mine: bool,
    waiting: bool,
    script: &'static str,
    me: String,
}

async fn window(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let chat = match ctx.app().chat(&viewer.caller, &id).await {
        Ok(c) => c,
        Err(e) => return explain(&ctx, e),
    };
    let staff = viewer.caller.is_staff();
    if staff != ctx.here.starts_with("/agent/") {
        let prefix = if staff { "/agent" } else { "/support" };
        return Ok(Redirect::to(&format!("{prefix}/chats/{id}")).into_response());
    }
    Ok(render(&window_view(&ctx, viewer, chat).await?)?.into_response())
}

async fn window_view(ctx: &Ctx, viewer: &Viewer, chat: Chat) -> AppResult<WindowPage> {
    let caller = &viewer.caller;
    let tr = ctx.tr();
    let staff = caller.is_staff();
    let messages = ctx
        .app()
        .chat_messages(caller, &chat.id, 0)
        .await?
        .into_iter()
        .map(|m| {
            let mine = m.author_id.as_deref() == Some(caller.user_id());
            let when = app::i18n::format_time(m.created_at, ctx.lang);
            let out = ChatMessageOut::from(m);
            MessageView {
                seq: out.seq,
                author: out.author.name.unwrap_or_else(|| tr.t("brand")),
                staff: out.author.staff,
                mine,
                html: out.html,
                at: out.at,
                when,
            }
        })
        .collect();
    // During an incident: the active ones for the feature the chat is about.
    let issues = known_issues(tr, ctx.app().known_problems(ctx.lang).await?)
        .into_iter()
        .filter(|i| chat.component.as_ref().is_none_or(|c| i.affects(c)))
        .collect();
    let (agents, incidents) = if staff {
        (
            ctx.app()
                .agent_loads()
                .await?
                .into_iter()
                .filter(|a| a.user_id != caller.user_id())
                .map(|a| (a.user_id, a.name))
                .collect(),
            crate::support::pages::incident_options(ctx).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let prefix = if staff { "/agent" } else { "/support" };
    let mut page = ctx.page("chat-title");
    page.title = chat.subject.clone();
    Ok(WindowPage {
        agent: staff,
        phone: is_phone(&ctx.headers),
        base: format!("{prefix}/chats/{}", chat.id),
        state: state_name(tr, chat.state),
        state_code: chat.state.as_str(),
        agent_name: chat.agent_name.clone(),
        requester: chat.requester_name.clone(),
        org: chat.org_name.clone(),
        messages,
        last_seq: chat.last_seq,
        ended: chat.state == ChatState::Ended,
        waiting: chat.state == ChatState::Waiting,
        mine: chat.agent_id.as_deref() == Some(caller.user_id()),
        rating: chat
            .rating
            .as_deref()
            .map(|r| tr.t(&format!("chat-rated-{r}"))),
        request_id: chat.request_id.clone(),
        issues,
        agents,
        incidents,
        script: crate::http::assets::chat_js_path(),
        me: caller.user_id().to_string(),
        subject: chat.subject,
        id: chat.id,
        page,
    })
}

/// Back to the chat window, or the window again with the refusal.
async fn after(ctx: &Ctx, id: &str, result: Result<(), Error>, done: &str) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let prefix = if viewer.caller.is_staff() {
        "/agent"
    } else {
        "/support"
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{prefix}/chats/{id}?done={done}")).into_response()),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            let status = crate::http::error::status_of(&e);
            let chat = ctx.app().chat(&viewer.caller, id).await?;
            let mut page = window_view(ctx, viewer, chat).await?;
            page.page.notice = Some(e.message(ctx.lang));
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => explain(ctx, e),
    }
}

async fn end(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx.app().end_chat(ctx.signed_in()?, &id).await.map(|_| ());
    after(&ctx, &id, result, "chat-ended").await
}

async fn rate(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<crate::http::extract::RatingForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let good = match f.good.as_str() {
        "1" | "true" | "good" => true,
        "0" | "false" | "bad" => false,
        other => {
            let e = Error::invalid_with(
                "rating",
                "not_one_of",
                &[("value", other), ("allowed", "good, bad")],
            );
            return after(&ctx, &id, Err(e), "").await;
        }
    };
    let result = ctx
        .app()
        .rate_chat(ctx.signed_in()?, &id, good, Some(&f.comment))
        .await;
    after(&ctx, &id, result, "chat-rated").await
}

async fn transcript(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx.app().email_transcript(ctx.signed_in()?, &id).await;
    after(&ctx, &id, result, "transcript-sent").await
}

async fn to_request(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let caller = ctx.signed_in()?;
    match ctx.app().chat_to_request(caller, &id).await {
        Ok(request) => {
            let prefix = if caller.is_staff() {
                "/agent"
            } else {
                "/support"
            };
            Ok(Redirect::to(&format!(
                "{prefix}/requests/{request}?done=chat-became-request"
            ))
            .into_response())
        }
        Err(e) => after(&ctx, &id, Err(e), "").await,
    }
}

// ---- the agents' console -------------------------------------------------------

struct AgentRow {
    name: String,
    state: String,
    state_code: String,
    active: i64,
    capacity: i64,
}

#[derive(Template)]
#[template(path = "chat/console.html")]
struct ConsolePage {
    page: Page,
    waiting: Vec<ChatRow>,
    mine: Vec<ChatRow>,
    others: Vec<ChatRow>,
    ended: Vec<ChatRow>,
    agents: Vec<AgentRow>,
    my_state: String,
    presences: Vec<(&'static str, String)>,
    routing: String,
    script: &'static str,
}

async fn console(ctx: Ctx) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let app = ctx.app();
    let waiting = app.staff_chats(caller, ChatState::Waiting, false).await?;
    let active = app.staff_chats(caller, ChatState::Active, false).await?;
    let (mine, others): (Vec<Chat>, Vec<Chat>) = active
        .into_iter()
        .partition(|c| c.agent_id.as_deref() == Some(caller.user_id()));
    let ended = app.staff_chats(caller, ChatState::Ended, false).await?;
    let tr = ctx.tr();
    let loads = app.agent_loads().await?;
    let my_state = loads
        .iter()
        .find(|a| a.user_id == caller.user_id())
        .map(|a| a.state.clone())
        .unwrap_or_else(|| "offline".into());
    Ok(render(&ConsolePage {
        page: ctx.page("chat-console-title"),
        waiting: rows(&ctx, waiting, "/agent"),
        mine: rows(&ctx, mine, "/agent"),
        others: rows(&ctx, others, "/agent"),
        ended: rows(&ctx, ended.into_iter().take(20).collect(), "/agent"),
        agents: loads
            .into_iter()
            .map(|a| AgentRow {
                state: tr.t(&format!("presence-{}", a.state)),
                state_code: a.state,
                name: a.name,
                active: a.active,
                capacity: a.capacity,
            })
            .collect(),
        my_state,
        presences: ["online", "away", "offline"]
            .iter()
            .map(|s| (*s, tr.t(&format!("presence-{s}"))))
            .collect(),
        routing: tr.t(&format!("chat-routing-{}", app.chat_routing().await?)),
        script: crate::http::assets::chat_js_path(),
    })?
    .into_response())
}

/// The console's live line: while it is open the agent is present (their
/// chosen state is renewed), and it says "changed" whenever the queue or a
/// chat moves, so the page reloads its lists.
async fn console_events(ctx: Ctx) -> AppResult<Response> {
    let caller = ctx.signed_in()?.clone();
    ctx.app().permit(&caller, Action::WorkSupportQueue)?;
    let app = ctx.app().clone();
    let current = app
        .agent_loads()
        .await?
        .into_iter()
        .find(|a| a.user_id == caller.user_id())
        .map(|a| a.state)
        .filter(|s| s != "offline")
        .unwrap_or_else(|| "online".into());
    app.set_presence(&caller, &current).await?;
    let signals = app.desk_signals();
    let closing = ctx.state.status.closing();
    let renew = tokio::time::interval(std::time::Duration::from_secs(20));
    let stream = futures_util::stream::unfold(
        (signals, closing, renew, app, caller, current),
        |(mut signals, mut closing, mut renew, app, caller, state)| async move {
            loop {
                tokio::select! {
                    s = signals.recv() => match s {
                        Ok(app::chat::Signal::Queue | app::chat::Signal::State { .. } | app::chat::Signal::Presence { .. })
                        | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            let e = Event::default().event("changed").data("1");
                            return Some((Ok::<_, Infallible>(e), (signals, closing, renew, app, caller, state)));
                        }
                        Ok(_) => continue,
                        Err(_) => return None,
                    },
                    _ = renew.tick() => {
                        // Still here: the presence stays fresh (a chosen
                        // "away" is kept).
                        let now_state = app
                            .agent_loads()
                            .await
                            .ok()
                            .and_then(|l| l.into_iter().find(|a| a.user_id == caller.user_id()))
                            .map(|a| a.state)
                            .filter(|s| s != "offline")
                            .unwrap_or_else(|| state.clone());
                        let _ = app.set_presence(&caller, &now_state).await;
                    }
                    _ = closing.changed() => return None,
                }
            }
        },
    );
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

async fn accept(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx
        .app()
        .accept_chat(ctx.signed_in()?, &id)
        .await
        .map(|_| ());
    after(&ctx, &id, result, "chat-accepted").await
}

#[derive(Deserialize)]
struct TransferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agent: String,
}

async fn transfer(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<TransferForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx
        .app()
        .transfer_chat(ctx.signed_in()?, &id, &f.agent)
        .await
        .map(|_| ());
    match result {
        Ok(()) => Ok(Redirect::to("/agent/chats?done=chat-transferred").into_response()),
        Err(e) => after(&ctx, &id, Err(e), "").await,
    }
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    incident: String,
}

async fn link(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<LinkForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx
        .app()
        .link_chat(ctx.signed_in()?, &id, &f.incident)
        .await;
    after(&ctx, &id, result, "linked").await
}

#[derive(Deserialize)]
struct PresenceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    state: String,
}

async fn presence(ctx: Ctx, FormBody(f): FormBody<PresenceForm>) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    ctx.app().set_presence(ctx.signed_in()?, &f.state).await?;
    Ok(Redirect::to("/agent/chats?done=saved").into_response())
}

async fn settings(ctx: Ctx, FormBody(f): FormBody<Vec<(String, String)>>) -> AppResult<Response> {
    let field = |n: &str| {
        f.iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    ctx.check_csrf(field("csrf"))?;
    let caller = ctx.signed_in()?;
    ctx.app().set_chat_routing(caller, field("routing")).await?;
    for (k, v) in &f {
        if let Some(user) = k.strip_prefix("capacity:") {
            ctx.app().set_chat_capacity(caller, user, v).await?;
        }
    }
    Ok(Redirect::to("/staff?done=saved").into_response())
}
