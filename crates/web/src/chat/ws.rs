//! `GET /api/v1/chats/{id}/ws`: the chat's WebSocket (the frames are
//! specified in `docs/chat-protocol.md`).
//!
//! A connection never forwards another's messages: it keeps `sent`, the
//! last seq it has sent, and whenever it hears that messages exist beyond
//! it (a signal from this or another instance, its own ack, a lagged
//! channel, a resume), it reads them from the database in order. That is
//! what makes a reconnect, a second instance or a lost signal harmless: a
//! message can be late, never lost or sent twice on one connection.
use crate::chat::api::ChatMessageOut;
use crate::http::ctx::{self, SESSION_COOKIE};
use crate::http::error::{AppResult, Error, WebError};
use crate::http::state::AppState;
use app::Caller;
use app::chat::Signal;
use app::model::ChatMessage;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use domain::chat::ChatState;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

/// The largest frame read at all; larger ones close with 1009.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;
/// The read buffer a socket starts with (it grows for a larger frame).
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// What may wait for a client that does not read before writes fail.
const MAX_WRITE_BUFFER_BYTES: usize = 1024 * 1024;
/// Messages a connection may send: a burst, then this many a second.
const BURST: f64 = 20.0;
const PER_SECOND: f64 = 5.0;
/// Refused frames in a row before the connection is closed (1008).
const MAX_REFUSED: u32 = 20;
const HEARTBEAT: Duration = Duration::from_secs(20);
const IDLE: Duration = Duration::from_secs(60);
/// How long a connection without `?after=` waits for a `resume` frame
/// before it sends the transcript from the start.
const RESUME_WAIT: Duration = Duration::from_millis(300);

#[derive(Deserialize)]
pub struct WsQuery {
    after: Option<i64>,
}

/// Who opens the socket: a bearer token, or the page's session cookie from
/// this site's own pages (the `Origin` must be ours).
async fn authenticate(state: &AppState, headers: &HeaderMap) -> AppResult<Caller> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string());
    if let Some(token) = bearer {
        return state
            .app
            .token_caller(&token)
            .await?
            .ok_or(WebError(Error::Unauthorized));
    }
    let raw = ctx::cookie(headers, SESSION_COOKIE).ok_or(WebError(Error::Unauthorized))?;
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ours = origin == state.app.config.base_url
        || origin == format!("http://{host}")
        || origin == format!("https://{host}");
    if !ours {
        // A page of another site must not chat in a signed-in user's name.
        return Err(WebError(Error::FormExpired));
    }
    match state.app.session(&raw).await? {
        Some((caller, _)) => Ok(caller),
        None => Err(WebError(Error::Unauthorized)),
    }
}

/// The upgrade: refused (as JSON, before any upgrade) exactly like the REST
/// API refuses the same caller.
pub async fn upgrade(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<WsQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> AppResult<Response> {
    let caller = authenticate(&state, &headers).await?;
    let chat = state.app.chat(&caller, &id).await?;
    let closing = state.status.closing();
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        // Chat frames are small and most sockets idle: small buffers (the
        // defaults are 128 KiB each), written out at once, and a bound on
        // what may pile up for a client that stopped reading.
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            let mut c = Connection {
                state,
                caller,
                chat_id: chat.id,
                sent: q.after.unwrap_or(-1),
                started: q.after.is_some(),
                tokens: BURST,
                refill_at: Instant::now(),
                refused: 0,
                waiting: chat.state == ChatState::Waiting,
            };
            c.run(socket, closing).await;
        }))
}

enum Next {
    Continue,
    Close(u16, &'static str),
}

struct Connection {
    state: AppState,
    caller: Caller,
    chat_id: String,
    /// The last seq sent on this connection (-1: nothing yet).
    sent: i64,
    /// Whether the transcript has started to flow.
    started: bool,
    tokens: f64,
    refill_at: Instant,
    refused: u32,
    /// Whether the chat waits in the queue, as last sent: only then does a
    /// move of the queue concern this connection.
    waiting: bool,
}

fn frame(v: Value) -> Message {
    Message::Text(Utf8Bytes::from(v.to_string()))
}

fn error_frame(code: &str, message: &str) -> Message {
    frame(json!({"type": "error", "code": code, "message": message}))
}

impl Connection {
    async fn run(
        &mut self,
        mut socket: WebSocket,
        mut closing: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut signals = self.state.app.chat_signals(&self.chat_id);
        // The first ping at a random point of the second half of the
        // period: sockets that opened together (after a restart, say) do
        // not all ping together ever after.
        let half = HEARTBEAT / 2;
        let first = half + half.mul_f64(rand::random::<f64>());
        let mut heartbeat =
            tokio::time::interval_at(tokio::time::Instant::now() + first, HEARTBEAT);
        let mut last_heard = Instant::now();
        let resume_deadline = tokio::time::sleep(RESUME_WAIT);
        tokio::pin!(resume_deadline);
        if self.started && self.start(&mut socket).await.is_err() {
            return;
        }
        loop {
            let next = tokio::select! {
                incoming = socket.recv() => {
                    last_heard = Instant::now();
                    match incoming {
                        Some(Ok(Message::Text(t))) => self.on_text(&mut socket, t.as_str()).await,
                        Some(Ok(Message::Binary(_))) => self.refuse(&mut socket, "bad_frame", "frames are JSON text").await,
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(Next::Continue),
                        Some(Ok(Message::Close(_))) | None => return,
                        Some(Err(e)) => {
                            // Larger than the limit, or broken.
                            tracing::debug!(error = %e, "chat socket error");
                            let _ = socket.send(error_frame("too_large", "the frame is too large")).await;
                            Ok(Next::Close(1009, "too large"))
                        }
                    }
                }
                signal = signals.recv() => match signal {
                    Ok(s) => self.on_signal(&mut socket, s).await,
                    // Fell behind: whatever was missed is in the database
                    // (the messages, and the chat's state and place).
                    Err(RecvError::Lagged(_)) => match self.catch_up(&mut socket).await {
                        Ok(()) if self.started => self.send_state(&mut socket).await.map(|_| Next::Continue),
                        other => other.map(|_| Next::Continue),
                    },
                    Err(RecvError::Closed) => return,
                },
                _ = &mut resume_deadline, if !self.started => {
                    self.sent = 0;
                    self.start(&mut socket).await.map(|_| Next::Continue)
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > IDLE {
                        let _ = socket.send(error_frame("idle", "nothing heard for a minute")).await;
                        Ok(Next::Close(1001, "idle"))
                    } else {
                        socket.send(Message::Ping(Default::default())).await.map(|_| Next::Continue).map_err(|_| ())
                    }
                }
                _ = closing.changed() => Ok(Next::Close(1001, "server shutting down")),
            };
            match next {
                Ok(Next::Continue) => {}
                Ok(Next::Close(code, reason)) => {
                    let _ = socket
                        .send(Message::Close(Some(CloseFrame {
                            code,
                            reason: Utf8Bytes::from(reason),
                        })))
                        .await;
                    return;
                }
                Err(()) => return,
            }
        }
    }

    /// The first frames: the transcript after `sent`, the state, the queue.
    async fn start(&mut self, socket: &mut WebSocket) -> Result<(), ()> {
        self.started = true;
        if self.sent < 0 {
            self.sent = 0;
        }
        self.catch_up(socket).await?;
        self.send_state(socket).await
    }

    async fn send(&self, socket: &mut WebSocket, m: Message) -> Result<(), ()> {
        socket.send(m).await.map_err(|_| ())
    }

    /// Sends every stored message after `sent`, in order.
    async fn catch_up(&mut self, socket: &mut WebSocket) -> Result<(), ()> {
        if !self.started {
            return Ok(());
        }
        loop {
            let Ok(batch) = self
                .state
                .app
                .messages_after(&self.chat_id, self.sent)
                .await
            else {
                return Err(());
            };
            let full = batch.len() >= 500;
            for m in batch {
                self.send_message(socket, m).await?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// Sends the message after the last one sent, or reads from the
    /// database whatever lies between.
    async fn deliver(&mut self, socket: &mut WebSocket, m: &ChatMessage) -> Result<(), ()> {
        if !self.started || m.seq <= self.sent {
            Ok(())
        } else if m.seq == self.sent + 1 {
            self.send_message(socket, m.clone()).await
        } else {
            self.catch_up(socket).await
        }
    }

    async fn send_message(&mut self, socket: &mut WebSocket, m: ChatMessage) -> Result<(), ()> {
        let seq = m.seq;
        let out = ChatMessageOut::from(m);
        let mut v = serde_json::to_value(&out).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert("type".into(), json!("message"));
        }
        self.send(socket, frame(v)).await?;
        self.sent = seq;
        Ok(())
    }

    async fn send_state(&mut self, socket: &mut WebSocket) -> Result<(), ()> {
        let Ok(chat) = self.state.app.chat(&self.caller, &self.chat_id).await else {
            return Err(());
        };
        self.waiting = chat.state == ChatState::Waiting;
        let agent = chat
            .agent_id
            .clone()
            .zip(chat.agent_name.clone())
            .map(|(id, name)| json!({"id": id, "name": name}));
        self.send(
            socket,
            frame(
                json!({"type": "state", "state": chat.state.as_str(), "agent": agent,
                         "request_id": chat.request_id, "incident_id": chat.incident_id}),
            ),
        )
        .await?;
        if chat.state == ChatState::Waiting
            && let Ok(Some(q)) = self.state.app.queue_place(&chat).await
        {
            self.send(
                socket,
                frame(json!({"type": "queue", "position": q.position, "estimate_secs": q.estimate_secs})),
            )
            .await?;
        }
        Ok(())
    }

    async fn refuse(
        &mut self,
        socket: &mut WebSocket,
        code: &str,
        message: &str,
    ) -> Result<Next, ()> {
        self.refused += 1;
        self.send(socket, error_frame(code, message)).await?;
        Ok(if self.refused > MAX_REFUSED {
            Next::Close(1008, "too many refused frames")
        } else {
            Next::Continue
        })
    }

    fn take_token(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.refill_at).as_secs_f64();
        self.refill_at = now;
        self.tokens = (self.tokens + elapsed * PER_SECOND).min(BURST);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    async fn on_text(&mut self, socket: &mut WebSocket, text: &str) -> Result<Next, ()> {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            self.send(
                socket,
                error_frame("bad_frame", "a frame is a JSON object with a \"type\""),
            )
            .await?;
            return Ok(Next::Close(1008, "bad frame"));
        };
        let kind = v["type"].as_str().unwrap_or("");
        let app = self.state.app.clone();
        match kind {
            "message" => {
                let (Some(client_id), Some(body)) = (v["client_id"].as_str(), v["body"].as_str())
                else {
                    self.send(
                        socket,
                        error_frame("bad_frame", "a message needs \"client_id\" and \"body\""),
                    )
                    .await?;
                    return Ok(Next::Close(1008, "bad frame"));
                };
                if body.len() > app::chat::MESSAGE_MAX_BYTES {
                    self.send(
                        socket,
                        error_frame("too_large", "a message is at most 8 KiB"),
                    )
                    .await?;
                    return Ok(Next::Close(1009, "too large"));
                }
                if !self.take_token() {
                    return self
                        .refuse(
                            socket,
                            "rate_limited",
                            "too many messages; wait a moment and send again",
                        )
                        .await;
                }
                match app
                    .post_chat_message(&self.caller, &self.chat_id, client_id, body)
                    .await
                {
                    Ok((m, _)) => {
                        self.refused = 0;
                        // Acknowledged only now that it is stored.
                        self.send(
                            socket,
                            frame(json!({"type": "ack", "client_id": m.client_id, "seq": m.seq})),
                        )
                        .await?;
                        if !self.started {
                            self.sent = 0;
                            self.started = true;
                        }
                        self.deliver(socket, &m).await?;
                        Ok(Next::Continue)
                    }
                    Err(e) => {
                        let lang = self
                            .caller
                            .language()
                            .unwrap_or(app.config.default_language);
                        let code = e.code().to_string();
                        self.refuse(socket, &code, &e.message(lang)).await
                    }
                }
            }
            "resume" => {
                let after = v["after"].as_i64().unwrap_or(0).max(0);
                self.sent = after;
                self.started = true;
                self.catch_up(socket).await?;
                self.send_state(socket).await?;
                Ok(Next::Continue)
            }
            "typing" => {
                let on = v["on"].as_bool().unwrap_or(false);
                if self.take_token() {
                    let _ = app.chat_typing(&self.caller, &self.chat_id, on).await;
                }
                Ok(Next::Continue)
            }
            "read" => {
                let seq = v["seq"].as_i64().unwrap_or(0);
                let _ = app.chat_read(&self.caller, &self.chat_id, seq).await;
                Ok(Next::Continue)
            }
            "ping" => {
                self.send(socket, frame(json!({"type": "pong"}))).await?;
                Ok(Next::Continue)
            }
            _ => {
                self.send(socket, error_frame("bad_frame", "unknown frame type"))
                    .await?;
                Ok(Next::Close(1008, "bad frame"))
            }
        }
    }

    async fn on_signal(&mut self, socket: &mut WebSocket, s: Signal) -> Result<Next, ()> {
        if let Some(chat) = s.chat()
            && chat != self.chat_id
        {
            return Ok(Next::Continue);
        }
        match s {
            Signal::Messages {
                message: Some(m), ..
            } => self.deliver(socket, &m).await?,
            Signal::Messages { seq, .. } => {
                if seq > self.sent {
                    self.catch_up(socket).await?;
                }
            }
            Signal::Typing { user, name, on, .. } if user != self.caller.user_id() => {
                self.send(
                    socket,
                    frame(json!({"type": "typing", "user": {"id": user, "name": name}, "on": on})),
                )
                .await?;
            }
            Signal::Typing { .. } => {}
            Signal::Read { user, seq, .. } => {
                self.send(
                    socket,
                    frame(json!({"type": "read", "user": {"id": user}, "seq": seq})),
                )
                .await?;
            }
            Signal::State { .. } => self.send_state(socket).await?,
            Signal::Queue if !self.waiting => {}
            Signal::Queue => {
                if let Ok(chat) = self.state.app.chat(&self.caller, &self.chat_id).await
                    && let Ok(Some(q)) = self.state.app.queue_place(&chat).await
                {
                    self.send(
                        socket,
                        frame(json!({"type": "queue", "position": q.position, "estimate_secs": q.estimate_secs})),
                    )
                    .await?;
                }
            }
            Signal::Presence { user, name, state } => {
                self.send(socket, frame(json!({"type": "presence", "agent": {"id": user, "name": name}, "state": state}))).await?;
            }
        }
        Ok(Next::Continue)
    }
}
