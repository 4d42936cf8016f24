//! What the delivery outbox holds: counts by state, what was given up, and
//! sending a given-up message again (support admins).
use crate::{App, Caller, Error, Result};
use domain::Action;
use store::OutboxMessage;

impl App {
    /// Messages by (channel and) state, and the given-up ones, newest first.
    pub async fn outbox(
        &self,
        caller: &Caller,
    ) -> Result<(Vec<(String, i64)>, Vec<OutboxMessage>)> {
        self.permit(caller, Action::ManageOutbox)?;
        let dead = self
            .store()
            .outbox_in_state("dead", 200)
            .await?
            .into_iter()
            .map(|mut m| {
                // Webhook and push URLs carry their secret in the path (a
                // Slack hook's token, a browser's endpoint): staff see the host.
                if matches!(m.channel.as_str(), "webhook" | "push") {
                    m.target = format!("{}/…", notify::webhook::host_of(&m.target));
                }
                m
            })
            .collect();
        Ok((self.store().outbox_counts().await?, dead))
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
