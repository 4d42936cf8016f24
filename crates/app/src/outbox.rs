//! What the delivery outbox holds: counts by state, what was given up, and
//! sending a given-up message again (support admins).
use crate::{App, Caller, Error, Result};
use domain::Action;
use store::OutboxMessage;

/// What the outbox holds, for support admins.
#[derive(Debug, Clone)]
pub struct OutboxView {
    /// (state, how many).
    pub counts: Vec<(String, i64)>,
    /// Given up, newest first.
    pub dead: Vec<OutboxMessage>,
    /// Waiting to be sent, newest first (at most 50).
    pub pending: Vec<OutboxMessage>,
    /// Whether an SMTP relay is configured; without one e-mail waits.
    pub mail_relay: bool,
}

/// Webhook and push URLs carry their secret in the path (a Slack hook's
/// token, a browser's endpoint): staff see the host.
fn shown(mut m: OutboxMessage) -> OutboxMessage {
    if matches!(m.channel.as_str(), "webhook" | "push") {
        m.target = format!("{}/…", notify::webhook::host_of(&m.target));
    }
    m
}

impl App {
    /// Messages by state, what is waiting and what was given up.
    pub async fn outbox(&self, caller: &Caller) -> Result<OutboxView> {
        self.permit(caller, Action::ManageOutbox)?;
        let dead = self.store().outbox_in_state("dead", 200).await?;
        let pending = self.store().outbox_in_state("pending", 50).await?;
        Ok(OutboxView {
            counts: self.store().outbox_counts().await?,
            dead: dead.into_iter().map(shown).collect(),
            pending: pending.into_iter().map(shown).collect(),
            mail_relay: self.config.mail_relay,
        })
    }

    /// How many e-mails wait because no SMTP relay is configured (`None`
    /// when one is, or when nothing waits): staff pages say so.
    pub async fn mail_waiting_without_relay(&self) -> Result<Option<i64>> {
        if self.config.mail_relay {
            return Ok(None);
        }
        let n = self.store().pending_count("email").await?;
        Ok((n > 0).then_some(n))
    }

    /// Sends a given-up message again.
    pub async fn retry_outbox(&self, caller: &Caller, id: &str) -> Result<()> {
        self.permit(caller, Action::ManageOutbox)?;
        if self.store().retry_outbox(id, self.now()).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }
}
