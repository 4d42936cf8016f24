//! "Chat with us": live chat between a customer admin and support.
//!
//! The rules that make it lose and repeat nothing live here and in the
//! store: a message is acknowledged only once it is stored; every stored
//! message has the next `seq` of its chat; a message resent with a client
//! id already stored is the same message. Connections never pass messages
//! to each other: a [`Signal`] only says "there are messages up to seq N",
//! and every connection reads what it has not sent yet from the database,
//! in order. So a reconnect, a second instance or a lost signal can delay a
//! message, never lose or repeat it. Typing, read receipts, presence, the
//! queue and the chat's state are signals too; on PostgreSQL they travel to
//! the other instances by `NOTIFY`.
use crate::changes::Topic;
use crate::i18n::{Tr, format_time};
use crate::{App, Caller, Error, Result};
use domain::chat::{ChatEvent, ChatState, chat_transition};
use domain::text::{self, limits};
use domain::{Action, Priority, Scope};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use store::{AgentLoad, Chat, ChatMessage, NewChat, NewRequest, Stored};
use tokio::sync::broadcast;

/// The largest message, in bytes (the WebSocket refuses more with
/// `too_large`).
pub const MESSAGE_MAX_BYTES: usize = 8 * 1024;
/// An agent is offline when their console has not been seen for this long.
pub const PRESENCE_FRESH_MS: i64 = 60_000;
/// A customer who has not read an answer for this long gets it by e-mail.
pub const ANSWER_MAIL_AFTER_MS: i64 = 120_000;
/// How chats reach agents: by hand from the queue, or to the least busy.
pub const ROUTING_KEY: &str = "chat_routing";

/// Something that happened, for the connections that care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// Messages are stored up to `seq`. Here (not to other instances) the
    /// signal carries the message stored, so a connection that has sent
    /// everything before it can send it without reading it back.
    Messages {
        chat: String,
        seq: i64,
        #[serde(skip)]
        message: Option<Arc<ChatMessage>>,
    },
    Typing {
        chat: String,
        user: String,
        name: String,
        on: bool,
    },
    Read {
        chat: String,
        user: String,
        seq: i64,
    },
    /// The chat's state or agent changed.
    State { chat: String },
    /// The queue moved: waiting chats recompute their place.
    Queue,
    /// An agent's presence changed.
    Presence {
        user: String,
        name: String,
        state: String,
    },
}

impl Signal {
    pub fn chat(&self) -> Option<&str> {
        match self {
            Signal::Messages { chat, .. }
            | Signal::Typing { chat, .. }
            | Signal::Read { chat, .. }
            | Signal::State { chat } => Some(chat),
            Signal::Queue | Signal::Presence { .. } => None,
        }
    }
}

/// The in-process side of signals. Each chat has a channel of its own, so a
/// connection wakes only for its chat; the queue, presence and state
/// changes also go on one general channel for the agents' console. All are
/// bounded; a connection that lags re-reads from the database.
pub struct Hub {
    general: broadcast::Sender<Signal>,
    chats: Mutex<ChatChannels>,
    /// Presence as last announced, so only changes are sent.
    presence: Mutex<HashMap<String, String>>,
    /// Signals for the other instances, sent together by whoever holds
    /// `flushing` (one `NOTIFY` for many, as messages are committed).
    outbound: Mutex<Vec<String>>,
    flushing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct ChatChannels {
    by_chat: HashMap<String, broadcast::Sender<Signal>>,
    /// The size after the last sweep of channels nobody listens to.
    swept_at: usize,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            general: broadcast::channel(4096).0,
            chats: Mutex::new(ChatChannels::default()),
            presence: Mutex::new(HashMap::new()),
            outbound: Mutex::new(Vec::new()),
            flushing: tokio::sync::Mutex::new(()),
        }
    }
}

impl Hub {
    fn publish(&self, s: Signal) {
        if matches!(
            s,
            Signal::Queue | Signal::Presence { .. } | Signal::State { .. }
        ) {
            let _ = self.general.send(s.clone());
        }
        let Some(chat) = s.chat() else {
            return;
        };
        let Ok(mut channels) = self.chats.lock() else {
            return;
        };
        let listened = match channels.by_chat.get(chat) {
            Some(tx) if tx.receiver_count() > 0 => {
                let _ = tx.send(s.clone());
                true
            }
            Some(_) => false,
            None => true,
        };
        if !listened {
            channels.by_chat.remove(chat);
        }
    }

    fn subscribe(&self, chat: &str) -> broadcast::Receiver<Signal> {
        let mut channels = match self.chats.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Now and then, forget the channels of chats nobody watches.
        if channels.by_chat.len() > 2 * channels.swept_at.max(512) {
            channels.by_chat.retain(|_, tx| tx.receiver_count() > 0);
            channels.swept_at = channels.by_chat.len();
        }
        channels
            .by_chat
            .entry(chat.to_string())
            .or_insert_with(|| broadcast::channel(256).0)
            .subscribe()
    }
}

/// What one chat connection listens to: its chat's signals, and the queue
/// and presence.
pub struct ChatSignals {
    chat: broadcast::Receiver<Signal>,
    general: broadcast::Receiver<Signal>,
}

impl ChatSignals {
    /// The next signal; `Lagged` when some were missed (re-read the
    /// database), `Closed` when the app is gone.
    pub async fn recv(&mut self) -> std::result::Result<Signal, broadcast::error::RecvError> {
        loop {
            tokio::select! {
                s = self.chat.recv() => return s,
                s = self.general.recv() => match s {
                    // The chat's own channel carries its state changes.
                    Ok(Signal::State { .. }) => continue,
                    other => return other,
                },
            }
        }
    }
}

/// The largest notification body sent (PostgreSQL's limit is 8000 bytes,
/// with room for the instance and topic in front).
const NOTIFY_BODY_BYTES: usize = 7_000;

/// Signals (each JSON) as JSON arrays of at most [`NOTIFY_BODY_BYTES`]
/// (a signal larger than that alone goes alone).
fn notification_bodies(signals: &[String]) -> Vec<String> {
    let mut bodies = Vec::new();
    let mut body = String::new();
    for s in signals {
        if !body.is_empty() && body.len() + s.len() + 2 > NOTIFY_BODY_BYTES {
            body.push(']');
            bodies.push(std::mem::take(&mut body));
        }
        body.push(if body.is_empty() { '[' } else { ',' });
        body.push_str(s);
    }
    if !body.is_empty() {
        body.push(']');
        bodies.push(body);
    }
    bodies
}

/// A new chat, as typed.
#[derive(Debug, Default, Clone)]
pub struct OpenChat {
    pub subject: Option<String>,
    pub body: String,
    pub component: Option<String>,
    /// The client's id for the first message (one is made when absent).
    pub client_id: Option<String>,
}

/// Whether anyone can answer now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    /// Agents online.
    pub online: usize,
    /// Of them, with room for another chat.
    pub free: usize,
}

/// A waiting chat's place in line (1: next), and the estimated wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuePlace {
    pub position: i64,
    pub estimate_secs: i64,
}

/// Checks a message's text: a block of at most [`MESSAGE_MAX_BYTES`].
pub fn check_message(body: &str) -> Result<String> {
    if body.len() > MESSAGE_MAX_BYTES {
        return Err(Error::TooLarge {
            max_bytes: MESSAGE_MAX_BYTES as u64,
        });
    }
    Ok(text::block("body", body, limits::MESSAGE)?)
}

/// Checks a client's message id: 1 to 100 printable ASCII characters.
pub fn check_client_id(id: &str) -> Result<String> {
    let ok = !id.is_empty() && id.len() <= 100 && id.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(id.to_string())
    } else {
        Err(Error::invalid("client_id", "client_id"))
    }
}

impl App {
    fn hub(&self) -> &Hub {
        &self.chat_hub
    }

    /// One chat's signals from now on, with the queue's and presence.
    pub fn chat_signals(&self, chat_id: &str) -> ChatSignals {
        ChatSignals {
            chat: self.hub().subscribe(chat_id),
            general: self.hub().general.subscribe(),
        }
    }

    /// What the agents' desk follows: the queue, presence and every chat's
    /// state changes.
    pub fn desk_signals(&self) -> broadcast::Receiver<Signal> {
        self.hub().general.subscribe()
    }

    /// Sends a signal here and to the other instances.
    pub(crate) async fn signal(&self, s: Signal) {
        self.hub().publish(s.clone());
        if !self.changes.shared() {
            return;
        }
        let Ok(json) = serde_json::to_string(&s) else {
            return;
        };
        if let Ok(mut out) = self.hub().outbound.lock() {
            out.push(json);
        }
        // Whoever gets here first sends what has gathered meanwhile, as
        // JSON arrays that fit a notification. (Sending beside the caller
        // instead, not waited for, measured slower: the callers no longer
        // pace the notifications.)
        let _flushing = self.hub().flushing.lock().await;
        let waiting = match self.hub().outbound.lock() {
            Ok(mut out) => std::mem::take(&mut *out),
            Err(_) => return,
        };
        for body in notification_bodies(&waiting) {
            self.tell_others(Topic::Chat, &body).await;
        }
    }

    /// Signals another instance sent (an array of them).
    pub(crate) fn chat_signal_from_elsewhere(&self, json: &str) {
        if let Ok(signals) = serde_json::from_str::<Vec<Signal>>(json) {
            for s in signals {
                self.hub().publish(s);
            }
        }
    }

    /// Loads a chat the caller may read: another organisation's is not found.
    async fn load_chat(&self, caller: &Caller, id: &str) -> Result<Chat> {
        let scope = Scope::of(&caller.actor).ok_or(Error::NotFound)?;
        let chat = self.store().chat(scope, id).await?.ok_or(Error::NotFound)?;
        self.permit(
            caller,
            Action::ViewChat {
                org_id: &chat.org_id,
            },
        )?;
        Ok(chat)
    }

    /// A chat the caller may read.
    pub async fn chat(&self, caller: &Caller, id: &str) -> Result<Chat> {
        self.load_chat(caller, id).await
    }

    /// Messages of a chat the caller may read, after `after`, in order.
    pub async fn chat_messages(
        &self,
        caller: &Caller,
        id: &str,
        after: i64,
    ) -> Result<Vec<ChatMessage>> {
        let chat = self.load_chat(caller, id).await?;
        self.all_messages_after(&chat.id, after).await
    }

    /// Every message after `after`, read in batches: a transcript has no
    /// cut-off (the socket's catch-up sends batch after batch itself).
    async fn all_messages_after(&self, chat_id: &str, after: i64) -> Result<Vec<ChatMessage>> {
        let mut all: Vec<ChatMessage> = Vec::new();
        let mut from = after;
        loop {
            let batch = self.messages_after(chat_id, from).await?;
            let Some(last) = batch.last() else {
                return Ok(all);
            };
            from = last.seq;
            all.extend(batch);
        }
    }

    /// Messages after `after` (for a connection already allowed in).
    pub async fn messages_after(&self, chat_id: &str, after: i64) -> Result<Vec<ChatMessage>> {
        Ok(self
            .store()
            .chat_messages_after(chat_id, after.max(0), 500)
            .await?)
    }

    /// Opens a chat (customer admins whose organisation has chat).
    pub async fn open_chat(&self, caller: &Caller, input: OpenChat) -> Result<Chat> {
        let permit = self.permit(caller, Action::UseChat)?;
        let Some(Scope::Org(org_id)) = permit.scope() else {
            return Err(Error::NotFound);
        };
        let body = check_message(&input.body)?;
        let subject = match text::optional_line(
            "subject",
            input.subject.as_deref().unwrap_or(""),
            limits::SUBJECT,
        )? {
            Some(s) => s,
            None => first_line(&body),
        };
        let component = input
            .component
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if let Some(c) = &component {
            self.check_components("component", std::slice::from_ref(c))
                .await?;
        }
        let client_id = match &input.client_id {
            Some(c) => check_client_id(c)?,
            None => store::new_id(),
        };
        let id = self
            .store()
            .create_chat(
                &NewChat {
                    org_id,
                    requester_id: caller.user_id(),
                    subject: &subject,
                    component: component.as_deref(),
                    body: &body,
                    client_id: &client_id,
                },
                self.now(),
            )
            .await?;
        self.signal(Signal::Queue).await;
        self.route_waiting().await?;
        self.store()
            .chat(Scope::Staff, &id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The caller's chats: an organisation's for its admins; for agents
    /// the queue and their own active chats.
    pub async fn chats(&self, caller: &Caller) -> Result<Vec<Chat>> {
        self.filtered_chats(caller, None, None).await
    }

    /// The caller's chats, narrowed: `state` picks one state (agents see
    /// every chat in it; with `mine` only theirs), `mine` alone gives an
    /// agent's own active chats.
    pub async fn filtered_chats(
        &self,
        caller: &Caller,
        state: Option<&str>,
        mine: Option<bool>,
    ) -> Result<Vec<Chat>> {
        let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(ChatState::parse(s)?),
            None => None,
        };
        if caller.is_staff()
            && let Some(state) = state
        {
            return self.staff_chats(caller, state, mine.unwrap_or(false)).await;
        }
        if caller.is_staff() && mine == Some(true) {
            return self.staff_chats(caller, ChatState::Active, true).await;
        }
        let mut list = self.unfiltered_chats(caller).await?;
        if let Some(state) = state {
            list.retain(|c| c.state == state);
        }
        Ok(list)
    }

    async fn unfiltered_chats(&self, caller: &Caller) -> Result<Vec<Chat>> {
        if caller.is_staff() {
            self.permit(caller, Action::WorkSupportQueue)?;
            let mut list = self
                .store()
                .chats_in_state(ChatState::Waiting, None, 200)
                .await?;
            list.extend(
                self.store()
                    .chats_in_state(ChatState::Active, Some(caller.user_id()), 200)
                    .await?,
            );
            return Ok(list);
        }
        let permit = self.permit(caller, Action::UseDirectSupport)?;
        let Some(Scope::Org(org_id)) = permit.scope() else {
            return Err(Error::NotFound);
        };
        Ok(self.store().org_chats(org_id, 200).await?)
    }

    /// Chats in one state, for staff views (the queue, every active one, the
    /// history).
    pub async fn staff_chats(
        &self,
        caller: &Caller,
        state: ChatState,
        mine: bool,
    ) -> Result<Vec<Chat>> {
        self.permit(caller, Action::WorkSupportQueue)?;
        Ok(match (state, mine) {
            (ChatState::Ended, _) => self.store().ended_chats(100).await?,
            (s, true) => {
                self.store()
                    .chats_in_state(s, Some(caller.user_id()), 200)
                    .await?
            }
            (s, false) => self.store().chats_in_state(s, None, 200).await?,
        })
    }

    /// Whether the caller may write in this chat now: the customer side
    /// (admins of its organisation) while it lasts; staff once it is theirs.
    fn may_write(caller: &Caller, chat: &Chat) -> Result<()> {
        if chat.state == ChatState::Ended {
            return Err(Error::conflict("chat", "chat_ended"));
        }
        if caller.is_staff() && chat.agent_id.as_deref() != Some(caller.user_id()) {
            return Err(Error::conflict("chat", "chat_not_yours"));
        }
        Ok(())
    }

    /// Stores a message; the same client id again gives back the message
    /// stored before. The caller acknowledges only what this returns.
    pub async fn post_chat_message(
        &self,
        caller: &Caller,
        chat_id: &str,
        client_id: &str,
        body: &str,
    ) -> Result<(ChatMessage, bool)> {
        let chat = self.load_chat(caller, chat_id).await?;
        let client_id = check_client_id(client_id)?;
        let body = check_message(body)?;
        // A resend of a stored message is answered even after the end.
        let stored = if chat.state == ChatState::Ended {
            Stored::Ended
        } else {
            Self::may_write(caller, &chat)?;
            self.store()
                .add_chat_message(
                    &chat.id,
                    &client_id,
                    Some(&caller.principal.user),
                    &body,
                    self.now(),
                )
                .await?
        };
        match stored {
            Stored::New(m) => {
                self.signal(Signal::Messages {
                    chat: chat.id.clone(),
                    seq: m.seq,
                    message: Some(Arc::new(m.clone())),
                })
                .await;
                Ok((m, true))
            }
            Stored::Again(m) => Ok((m, false)),
            Stored::Ended => {
                // Only a resend of what was stored before the end.
                let before = self
                    .all_messages_after(&chat.id, 0)
                    .await?
                    .into_iter()
                    .find(|m| m.client_id == client_id);
                match before {
                    Some(m) => Ok((m, false)),
                    None => Err(Error::conflict("chat", "chat_ended")),
                }
            }
        }
    }

    /// Tells the others in a chat that the caller is typing (or stopped).
    pub async fn chat_typing(&self, caller: &Caller, chat_id: &str, on: bool) -> Result<()> {
        let chat = self.load_chat(caller, chat_id).await?;
        self.signal(Signal::Typing {
            chat: chat.id,
            user: caller.user_id().to_string(),
            name: caller.principal.user.name.clone(),
            on,
        })
        .await;
        Ok(())
    }

    /// Records how far the caller has read, and tells the others.
    pub async fn chat_read(&self, caller: &Caller, chat_id: &str, seq: i64) -> Result<()> {
        let chat = self.load_chat(caller, chat_id).await?;
        let seq = seq.clamp(0, chat.last_seq);
        self.store()
            .mark_chat_read(&chat.id, caller.user_id(), seq)
            .await?;
        self.signal(Signal::Read {
            chat: chat.id,
            user: caller.user_id().to_string(),
            seq,
        })
        .await;
        Ok(())
    }

    /// How far each participant has read: (user id, seq).
    pub async fn chat_reads(&self, chat_id: &str) -> Result<Vec<(String, i64)>> {
        Ok(self.store().chat_reads(chat_id).await?)
    }

    async fn change_state(
        &self,
        chat: &Chat,
        event: ChatEvent,
        agent: Option<&str>,
        by: Option<&str>,
    ) -> Result<()> {
        let to = chat_transition(chat.state, event).map_err(|e| Error::conflict("chat", e.code))?;
        let expect_agent = match event {
            ChatEvent::Transfer => chat.agent_id.as_deref(),
            _ => None,
        };
        let moved = self
            .store()
            .move_chat(
                &chat.id,
                chat.state,
                expect_agent,
                to,
                agent,
                by,
                self.now(),
            )
            .await?;
        if !moved {
            return Err(Error::conflict("chat", "changed_meanwhile"));
        }
        self.signal(Signal::State {
            chat: chat.id.clone(),
        })
        .await;
        self.signal(Signal::Queue).await;
        Ok(())
    }

    /// An agent takes a waiting chat, if they have room for it.
    pub async fn accept_chat(&self, caller: &Caller, chat_id: &str) -> Result<Chat> {
        self.permit(caller, Action::WorkSupportQueue)?;
        let chat = self.load_chat(caller, chat_id).await?;
        let load = self.agent_load(caller.user_id()).await?;
        if load.is_some_and(|l| l.active >= l.capacity) {
            return Err(Error::conflict("chat", "at_capacity"));
        }
        self.change_state(&chat, ChatEvent::Accept, Some(caller.user_id()), None)
            .await?;
        self.load_chat(caller, chat_id).await
    }

    /// Hands an active chat to another agent (its agent, or a support admin).
    pub async fn transfer_chat(&self, caller: &Caller, chat_id: &str, to: &str) -> Result<Chat> {
        self.permit(caller, Action::WorkSupportQueue)?;
        let chat = self.load_chat(caller, chat_id).await?;
        if chat.agent_id.as_deref() != Some(caller.user_id())
            && !caller.may(Action::ManageChatSettings)
        {
            return Err(Error::conflict("chat", "chat_not_yours"));
        }
        let agents = self.store().agent_loads(0).await?;
        if !agents.iter().any(|a| a.user_id == to) {
            return Err(Error::invalid("agent", "unknown_agent"));
        }
        self.change_state(&chat, ChatEvent::Transfer, Some(to), None)
            .await?;
        self.load_chat(caller, chat_id).await
    }

    /// Ends a chat: the customer side, or its agent.
    pub async fn end_chat(&self, caller: &Caller, chat_id: &str) -> Result<Chat> {
        let chat = self.load_chat(caller, chat_id).await?;
        if caller.is_staff()
            && chat.agent_id.as_deref() != Some(caller.user_id())
            && !caller.may(Action::ManageChatSettings)
        {
            return Err(Error::conflict("chat", "chat_not_yours"));
        }
        self.change_state(&chat, ChatEvent::End, None, Some(caller.user_id()))
            .await?;
        // An agent with room again may take the next one.
        self.route_waiting().await?;
        self.load_chat(caller, chat_id).await
    }

    /// The customer's verdict on an ended chat.
    pub async fn rate_chat(
        &self,
        caller: &Caller,
        chat_id: &str,
        good: bool,
        comment: Option<&str>,
    ) -> Result<()> {
        let chat = self.load_chat(caller, chat_id).await?;
        if caller.is_staff() {
            return Err(Error::Denied(domain::DenyReason::CustomersOnly));
        }
        let comment = text::optional_block("comment", comment.unwrap_or(""), 2_000)?;
        if chat.state != ChatState::Ended {
            return Err(Error::conflict("chat", "chat_not_ended"));
        }
        self.store()
            .rate_chat(
                &chat.id,
                domain::chat::parse_rating(good),
                comment.as_deref(),
            )
            .await?;
        Ok(())
    }

    /// A chat's transcript as plain text, in `lang`.
    /// Its times are in UTC: it goes into e-mails and requests that people
    /// in other zones read.
    pub async fn transcript(&self, chat: &Chat, lang: domain::Language) -> Result<String> {
        let tr = Tr(lang);
        let messages = self.all_messages_after(&chat.id, 0).await?;
        let lines = crate::i18n::in_zone(None, async {
            let mut out = String::new();
            for m in messages {
                let who = m.author_name.clone().unwrap_or_else(|| tr.t("brand"));
                out.push_str(&format!(
                    "[{}] {who}:\n{}\n\n",
                    format_time(m.created_at, lang),
                    m.body
                ));
            }
            out
        })
        .await;
        Ok(lines.trim_end().to_string())
    }

    /// E-mails the transcript to the caller (through the outbox).
    pub async fn email_transcript(&self, caller: &Caller, chat_id: &str) -> Result<()> {
        let chat = self.load_chat(caller, chat_id).await?;
        let lang = caller.language().unwrap_or(self.config.default_language);
        let tr = Tr(lang);
        let body = tr.ta(
            "mail-chat-transcript-body",
            &[
                ("name", &caller.principal.user.name),
                ("subject", &chat.subject),
                ("transcript", &self.transcript(&chat, lang).await?),
            ],
        );
        let mail = crate::mail::message(
            &*self.branding().await?,
            lang,
            &caller.principal.user.email,
            tr.ta(
                "mail-chat-transcript-subject",
                &[("subject", &chat.subject)],
            ),
            body,
            format!(
                "chat:{}:transcript:{}:{}",
                chat.id,
                caller.user_id(),
                chat.last_seq
            ),
        );
        self.store().enqueue(&[mail], self.now()).await?;
        Ok(())
    }

    /// Turns a chat into a support request carrying the transcript (once);
    /// returns the request's id.
    pub async fn chat_to_request(&self, caller: &Caller, chat_id: &str) -> Result<String> {
        let chat = self.load_chat(caller, chat_id).await?;
        if let Some(r) = &chat.request_id {
            return Ok(r.clone());
        }
        if !caller.is_staff() {
            self.permit(caller, Action::UseDirectSupport)?;
        }
        let lang = self.config.default_language;
        let transcript = self.transcript(&chat, lang).await?;
        let full = format!("{}\n\n{transcript}", Tr(lang).t("chat-request-lead"));
        // A transcript longer than a message goes whole into an attached text
        // file; the description keeps its beginning and says so.
        let (description, attachments) = if full.chars().count() <= limits::MESSAGE {
            (full, Vec::new())
        } else {
            let note = Tr(lang).t("chat-request-attached");
            let keep = limits::MESSAGE.saturating_sub(note.chars().count() + 4);
            let head: String = full.chars().take(keep).collect();
            let mut upload = self.begin_upload("chat-transcript.txt").await?;
            if let Err(e) = upload.write(transcript.as_bytes()).await {
                upload.abort().await;
                return Err(e);
            }
            let file = upload.finish().await?;
            (format!("{head}\n…\n\n{note}"), file.into_iter().collect())
        };
        let now = self.now();
        let plan = self
            .store()
            .org(store::Scope::Staff, &chat.org_id)
            .await?
            .map(|o| o.plan)
            .ok_or(Error::NotFound)?;
        let (target, due_at) = self
            .first_target(&chat.org_id, plan, Priority::Normal, now)
            .await?;
        let id = self
            .store()
            .create_request(
                &NewRequest {
                    org_id: &chat.org_id,
                    requester_id: &chat.requester_id,
                    subject: &chat.subject,
                    description: &description,
                    priority: Priority::Normal,
                    component: chat.component.as_deref(),
                    follow_up_of: None,
                    target,
                    due_at,
                },
                &attachments,
                &[],
                now,
            )
            .await;
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                self.discard_files(&attachments).await;
                return Err(e.into());
            }
        };
        if !self.store().set_chat_request(&chat.id, &id).await? {
            // Someone else turned it into a request a moment earlier.
            let again = self.load_chat(caller, chat_id).await?;
            return Ok(again.request_id.unwrap_or(id));
        }
        self.signal(Signal::State { chat: chat.id }).await;
        Ok(id)
    }

    /// Links a chat to an incident (staff).
    pub async fn link_chat(&self, caller: &Caller, chat_id: &str, incident_id: &str) -> Result<()> {
        self.permit(caller, Action::TriageRequest)?;
        let chat = self.load_chat(caller, chat_id).await?;
        self.store()
            .incident(incident_id)
            .await?
            .ok_or_else(|| Error::invalid("incident", "unknown_incident"))?;
        self.store()
            .link_chat_incident(&chat.id, incident_id)
            .await?;
        self.signal(Signal::State { chat: chat.id }).await;
        Ok(())
    }

    /// A waiting chat's place in the queue and the estimated wait.
    pub async fn queue_place(&self, chat: &Chat) -> Result<Option<QueuePlace>> {
        if chat.state != ChatState::Waiting {
            return Ok(None);
        }
        // 1: next in line.
        let position = self.store().chats_ahead(chat.created_at, &chat.id).await? + 1;
        let per_chat = self
            .store()
            .recent_wait_ms()
            .await?
            .unwrap_or(120_000)
            .max(30_000);
        let free = self.availability().await?.online.max(1) as i64;
        Ok(Some(QueuePlace {
            position,
            estimate_secs: position * per_chat / 1000 / free,
        }))
    }

    /// Agents online, and how many of them have room.
    pub async fn availability(&self) -> Result<Availability> {
        let loads = self.agent_loads().await?;
        let online: Vec<&AgentLoad> = loads.iter().filter(|a| a.state == "online").collect();
        Ok(Availability {
            online: online.len(),
            free: online.iter().filter(|a| a.active < a.capacity).count(),
        })
    }

    /// Every agent with presence, capacity and load.
    pub async fn agent_loads(&self) -> Result<Vec<AgentLoad>> {
        Ok(self
            .store()
            .agent_loads(self.now() - PRESENCE_FRESH_MS)
            .await?)
    }

    async fn agent_load(&self, user_id: &str) -> Result<Option<AgentLoad>> {
        Ok(self
            .agent_loads()
            .await?
            .into_iter()
            .find(|a| a.user_id == user_id))
    }

    /// Renews (or sets) the caller's presence: `online`, `away` or
    /// `offline`. A change is announced to open chats.
    pub async fn set_presence(&self, caller: &Caller, state: &str) -> Result<()> {
        self.permit(caller, Action::WorkSupportQueue)?;
        if !matches!(state, "online" | "away" | "offline") {
            return Err(Error::invalid_with(
                "state",
                "not_one_of",
                &[("value", state), ("allowed", "online, away, offline")],
            ));
        }
        self.store()
            .set_presence(caller.user_id(), state, self.now())
            .await?;
        self.announce_presence().await?;
        if state == "online" {
            self.route_waiting().await?;
        }
        Ok(())
    }

    /// Sends presence that changed since last announced (a job calls this
    /// too, so agents whose console closed go offline for everyone).
    pub async fn announce_presence(&self) -> Result<()> {
        let loads = self.agent_loads().await?;
        let changed: Vec<AgentLoad> = {
            let Ok(mut known) = self.hub().presence.lock() else {
                return Ok(());
            };
            loads
                .into_iter()
                .filter(|a| {
                    known.insert(a.user_id.clone(), a.state.clone()).as_deref()
                        != Some(a.state.as_str())
                })
                .collect()
        };
        for a in changed {
            self.signal(Signal::Presence {
                user: a.user_id,
                name: a.name,
                state: a.state,
            })
            .await;
        }
        Ok(())
    }

    /// Sets an agent's limit of concurrent chats (support admins).
    pub async fn set_chat_capacity(
        &self,
        caller: &Caller,
        user_id: &str,
        capacity: &str,
    ) -> Result<()> {
        self.permit(caller, Action::ManageChatSettings)?;
        let n = match capacity.trim().parse::<i64>() {
            Ok(n) if (0..=50).contains(&n) => n,
            _ => {
                return Err(Error::invalid_with(
                    "capacity",
                    "capacity",
                    &[("value", capacity)],
                ));
            }
        };
        if !self.store().set_chat_capacity(user_id, n).await? {
            return Err(Error::NotFound);
        }
        self.route_waiting().await
    }

    /// `manual` (agents take chats from the queue) or `auto` (the least busy
    /// available agent gets the oldest waiting chat).
    pub async fn chat_routing(&self) -> Result<String> {
        Ok(self
            .store()
            .setting(ROUTING_KEY)
            .await?
            .unwrap_or_else(|| "manual".into()))
    }

    pub async fn set_chat_routing(&self, caller: &Caller, mode: &str) -> Result<()> {
        self.permit(caller, Action::ManageChatSettings)?;
        if !matches!(mode, "manual" | "auto") {
            return Err(Error::invalid_with(
                "routing",
                "not_one_of",
                &[("value", mode), ("allowed", "manual, auto")],
            ));
        }
        self.store().set_setting(ROUTING_KEY, mode).await?;
        self.route_waiting().await
    }

    /// With automatic routing: gives waiting chats, oldest first, to the
    /// least busy online agent with room, while there is one.
    pub(crate) async fn route_waiting(&self) -> Result<()> {
        if self.chat_routing().await? != "auto" {
            return Ok(());
        }
        for chat in self
            .store()
            .chats_in_state(ChatState::Waiting, None, 50)
            .await?
        {
            let loads = self.agent_loads().await?;
            let Some(agent) = loads
                .iter()
                .filter(|a| a.state == "online" && a.active < a.capacity)
                .min_by_key(|a| {
                    (
                        a.active * 1000 / a.capacity.max(1),
                        a.active,
                        a.user_id.clone(),
                    )
                })
            else {
                break;
            };
            match self
                .change_state(&chat, ChatEvent::Accept, Some(&agent.user_id), None)
                .await
            {
                Ok(()) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// E-mails customers who left before an answer came: the agent's
    /// messages after their last read, once each (a job).
    pub async fn mail_unread_answers(&self) -> Result<usize> {
        let now = self.now();
        let mut sent = 0;
        for chat in self
            .store()
            .chats_to_notify(now - 7 * 24 * 3_600_000, now - ANSWER_MAIL_AFTER_MS, 200)
            .await?
        {
            let reads = self.store().chat_reads(&chat.id).await?;
            let read = reads
                .iter()
                .find(|(u, _)| *u == chat.requester_id)
                .map_or(0, |(_, s)| *s);
            let after = read.max(chat.notified_seq);
            let unread: Vec<ChatMessage> = self
                .messages_after(&chat.id, after)
                .await?
                .into_iter()
                .filter(|m| m.from_staff())
                .collect();
            let Some(last) = unread.last() else {
                continue;
            };
            if now - last.created_at < ANSWER_MAIL_AFTER_MS {
                continue;
            }
            let Some(principal) = self.store().principal(&chat.requester_id).await? else {
                continue;
            };
            let lang = principal
                .user
                .language
                .unwrap_or(self.config.default_language);
            let tr = Tr(lang);
            let answers: Vec<String> = unread.iter().map(|m| m.body.clone()).collect();
            let link = self.link(&format!("/support/chats/{}", chat.id));
            let mail = crate::mail::message(
                &*self.branding().await?,
                lang,
                &principal.user.email,
                tr.ta("mail-chat-answer-subject", &[("subject", &chat.subject)]),
                tr.ta(
                    "mail-chat-answer-body",
                    &[
                        ("name", &principal.user.name),
                        ("agent", chat.agent_name.as_deref().unwrap_or("")),
                        ("answer", &answers.join("\n\n")),
                        ("link", &link),
                    ],
                ),
                format!("chat:{}:answer:{}", chat.id, last.seq),
            );
            if self
                .store()
                .notify_chat_answer(&chat.id, last.seq, &mail, now)
                .await?
            {
                sent += 1;
            }
        }
        Ok(sent)
    }
}

impl App {
    /// The demo's agent is online with room whenever the demo runs, so a
    /// newcomer can try the chat at once.
    pub(crate) async fn keep_demo_agent_online(&self) -> Result<()> {
        if let Some((p, _)) = self.store().principal_by_email(DEMO_AGENT).await?
            && p.user.role.is_staff()
        {
            self.store()
                .set_presence(&p.user.id, "online", self.now())
                .await?;
        }
        Ok(())
    }
}

/// The demo's agent.
pub const DEMO_AGENT: &str = "agent@statusdesk.test";

fn first_line(body: &str) -> String {
    let line = body.lines().next().unwrap_or("").trim();
    let mut s: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        s.push('…');
    }
    if s.is_empty() { "Chat".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_client_ids_are_checked() {
        assert_eq!(check_message(" hej ").ok().as_deref(), Some("hej"));
        assert!(matches!(
            check_message(&"x".repeat(MESSAGE_MAX_BYTES + 1)),
            Err(Error::TooLarge { .. })
        ));
        assert!(check_message("a\0b").is_err());
        assert!(check_client_id("c-1").is_ok());
        assert!(check_client_id("").is_err());
        assert!(check_client_id("has space").is_err());
        assert!(check_client_id(&"x".repeat(101)).is_err());
    }

    #[test]
    fn signals_round_trip_as_json() {
        let s = Signal::Typing {
            chat: "c".into(),
            user: "u".into(),
            name: "Ada".into(),
            on: true,
        };
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(serde_json::from_str::<Signal>(&json).expect("parse"), s);
        assert_eq!(s.chat(), Some("c"));
        assert_eq!(Signal::Queue.chat(), None);
    }

    #[test]
    fn subjects_come_from_the_first_line() {
        assert_eq!(first_line("Login fails\nsince 9"), "Login fails");
        assert_eq!(first_line(&"a".repeat(90)).chars().count(), 81);
    }

    #[test]
    fn signals_for_other_instances_go_as_arrays_that_fit_a_notification() {
        let one = serde_json::to_string(&Signal::Messages {
            chat: "c".repeat(40),
            seq: 12,
            message: None,
        })
        .expect("json");
        let many = vec![one.clone(); 400];
        let bodies = notification_bodies(&many);
        assert!(bodies.len() > 1, "{} bodies", bodies.len());
        let mut back = Vec::new();
        for b in &bodies {
            assert!(b.len() <= NOTIFY_BODY_BYTES, "{} bytes", b.len());
            back.extend(serde_json::from_str::<Vec<Signal>>(b).expect("an array of signals"));
        }
        assert_eq!(back.len(), 400);
        assert!(matches!(
            &back[399],
            Signal::Messages {
                seq: 12,
                message: None,
                ..
            }
        ));
        assert!(notification_bodies(&[]).is_empty());
    }

    #[tokio::test]
    async fn a_connection_hears_its_chat_and_the_queue_only() {
        let hub = Hub::default();
        let mut a = ChatSignals {
            chat: hub.subscribe("a"),
            general: hub.general.subscribe(),
        };
        let mut desk = hub.general.subscribe();
        hub.publish(Signal::Messages {
            chat: "b".into(),
            seq: 7,
            message: None,
        });
        hub.publish(Signal::State { chat: "b".into() });
        hub.publish(Signal::Messages {
            chat: "a".into(),
            seq: 3,
            message: None,
        });
        hub.publish(Signal::State { chat: "a".into() });
        hub.publish(Signal::Queue);
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(a.recv().await.expect("signal"));
        }
        // The chat's own signals in order; the queue's (another channel)
        // may come before, between or after them.
        let own: Vec<&Signal> = got.iter().filter(|s| !matches!(s, Signal::Queue)).collect();
        assert!(
            matches!(own.as_slice(), [Signal::Messages { chat, seq: 3, .. }, Signal::State { chat: c2 }] if chat == "a" && c2 == "a"),
            "{got:?}"
        );
        assert_eq!(
            got.iter().filter(|s| matches!(s, Signal::Queue)).count(),
            1,
            "{got:?}"
        );
        assert!(
            a.chat.try_recv().is_err() && a.general.try_recv().is_err(),
            "nothing else"
        );
        // The desk hears every state change and the queue, no messages.
        let mut desk_got = Vec::new();
        while let Ok(s) = desk.try_recv() {
            desk_got.push(s);
        }
        assert_eq!(desk_got.len(), 3, "{desk_got:?}");
        assert!(
            desk_got
                .iter()
                .all(|s| !matches!(s, Signal::Messages { .. }))
        );
        // A chat nobody listens to any more loses its channel.
        drop(a);
        hub.publish(Signal::Messages {
            chat: "a".into(),
            seq: 4,
            message: None,
        });
        assert!(hub.chats.lock().expect("lock").by_chat.is_empty());
    }
}
