//! Every background job, in one place, sharing the outbox settings and
//! one stop signal: the fan-out of incident updates, the delivery workers
//! (SMTP, webhooks, Web Push), the periodic work (maintenance that is due,
//! closing solved requests, refreshing the status page as days pass), and
//! on PostgreSQL the `LISTEN` loop that hears other instances' changes.
use crate::App;
use crate::changes::CHANNEL;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How messages leave the building.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// No relay: e-mail waits in the outbox.
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    pub smtp_connections: usize,
}

/// The running jobs; [`Jobs::stop`] ends them.
pub struct Jobs {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Tells every job to stop and waits for them (each finishes the batch
    /// it is delivering; what it has not marked done is delivered again
    /// after a restart, never lost).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for h in self.handles {
            match tokio::time::timeout(Duration::from_secs(10), h).await {
                Ok(_) => {}
                Err(_) => tracing::warn!("a background job did not stop within 10 s"),
            }
        }
    }
}

/// Sleeps for `d` unless told to stop first; `true` when it is time to stop.
async fn pause(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = stop.changed() => {}
    }
    *stop.borrow()
}

impl App {
    /// Starts every background job.
    pub fn start_jobs(&self, delivery: Delivery, vapid: notify::push::Vapid) -> Jobs {
        let (stop, stop_rx) = watch::channel(false);
        let mut handles = Vec::new();
        let workers = notify::worker::WorkerConfig {
            max_attempts: self.config.outbox_max_attempts,
            lease_ms: self.config.outbox_lease_ms,
            ..notify::worker::WorkerConfig::default()
        };
        let clock = self.clock.clone();
        let now = move || clock.now_ms();
        handles.push(tokio::spawn(self.clone().run_fanout(stop_rx.clone())));
        handles.push(tokio::spawn(self.clone().run_periodic(stop_rx.clone())));
        handles.push(tokio::spawn(self.clone().run_chat_jobs(stop_rx.clone())));
        handles.push(tokio::spawn(notify::webhook::run(
            self.store().clone(),
            workers.clone(),
            self.config.allow_private_targets,
            now.clone(),
            stop_rx.clone(),
        )));
        handles.push(tokio::spawn(notify::push::run(
            self.store().clone(),
            workers,
            vapid,
            vapid_contact(&delivery.smtp_from),
            self.config.allow_private_targets,
            now.clone(),
            stop_rx.clone(),
        )));
        match &delivery.smtp_url {
            Some(url) => {
                let config = notify::mail::MailConfig {
                    smtp_url: url.clone(),
                    from: delivery.smtp_from.clone(),
                    max_attempts: self.config.outbox_max_attempts,
                    lease_ms: self.config.outbox_lease_ms,
                    connections: delivery.smtp_connections,
                };
                handles.push(tokio::spawn(notify::mail::run(
                    self.store().clone(),
                    config,
                    now,
                    stop_rx.clone(),
                )));
            }
            None => tracing::info!("no smtp_url configured: e-mail waits in the outbox"),
        }
        if self.backend() == store::Backend::Postgres {
            handles.push(tokio::spawn(self.clone().listen_for_changes(stop_rx)));
        } else {
            handles.push(tokio::spawn(self.clone().run_checkpoints(stop_rx)));
        }
        Jobs { stop, handles }
    }

    /// Expands posted incident updates into deliveries, until told to stop.
    async fn run_fanout(self, mut stop: watch::Receiver<bool>) {
        loop {
            let now = self.now();
            let batch = self
                .store()
                .claim_outbox("fanout", now, self.config.outbox_lease_ms, 5)
                .await
                .unwrap_or_default();
            let idle = batch.is_empty();
            for row in batch {
                let outcome = match self.expand_fanout(&row.payload).await {
                    Ok(n) => {
                        tracing::info!(queued = n, "incident update fanned out");
                        self.store().outbox_done(&row.id).await
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "fan-out failed; will retry");
                        let next = now + notify::worker::backoff_ms(row.attempts);
                        let give_up = row.attempts + 1 >= self.config.outbox_max_attempts;
                        self.store()
                            .outbox_failed(&row.id, &format!("{e:#}"), next, give_up)
                            .await
                    }
                };
                if let Err(e) = outcome {
                    tracing::warn!(error = %e, "cannot record a fan-out");
                }
            }
            let wait = if idle { 300 } else { 0 };
            if pause(&mut stop, Duration::from_millis(wait)).await {
                return;
            }
        }
    }

    /// Every 30 seconds: maintenance that is due, solved requests old
    /// enough to close, and the status page (uptime bars move on at
    /// midnight).
    async fn run_periodic(self, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.run_due_maintenance().await {
                tracing::warn!(error = %e, "scheduled maintenance could not be advanced");
            }
            self.refresh_status().await;
            match self.close_solved().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(closed = n, "closed solved requests"),
                Err(e) => tracing::warn!(error = %e, "closing solved requests failed"),
            }
            if pause(&mut stop, Duration::from_secs(30)).await {
                return;
            }
        }
    }

    /// SQLite, every second: the write-ahead log is copied into the
    /// database file here, beside the writers, so that no commit (a chat
    /// message waiting for its ack) pays for a checkpoint itself.
    async fn run_checkpoints(self, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.store().checkpoint().await {
                tracing::warn!(error = %e, "the write-ahead log could not be checkpointed");
            }
            if pause(&mut stop, Duration::from_secs(1)).await {
                return;
            }
        }
    }

    /// Every 10 seconds: chat presence that lapsed (an agent's console
    /// closed) is announced, answers a customer left before reading are
    /// e-mailed, and in the demo the demo agent stays online.
    async fn run_chat_jobs(self, mut stop: watch::Receiver<bool>) {
        loop {
            if self.config.demo
                && let Err(e) = self.keep_demo_agent_online().await
            {
                tracing::warn!(error = ?e, "the demo agent could not be kept online");
            }
            if let Err(e) = self.announce_presence().await {
                tracing::warn!(error = ?e, "chat presence could not be announced");
            }
            match self.mail_unread_answers().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(mailed = n, "chat answers e-mailed to customers who left"),
                Err(e) => tracing::warn!(error = ?e, "chat answers could not be e-mailed"),
            }
            if pause(&mut stop, Duration::from_secs(10)).await {
                return;
            }
        }
    }

    /// With several instances on one PostgreSQL database: runs the change
    /// listeners when another instance announces a change.
    async fn listen_for_changes(self, mut stop: watch::Receiver<bool>) {
        loop {
            match self.store().listen(CHANNEL).await {
                Ok(mut listener) => {
                    // A change may have been missed while not listening.
                    self.targets.forget();
                    self.refresh_status().await;
                    if let Err(e) = self.build_help_index().await {
                        tracing::warn!(error = ?e, "the help center's search index could not be rebuilt");
                    }
                    loop {
                        tokio::select! {
                            got = listener.recv() => match got {
                                Ok(payload) => match self.changes.foreign(&payload) {
                                    Some((crate::changes::Topic::Chat, body)) => self.chat_signal_from_elsewhere(body),
                                    Some((crate::changes::Topic::Help, id)) => {
                                        if let Err(e) = self.reindex_from_elsewhere(id).await {
                                            tracing::warn!(error = ?e, "an article written elsewhere could not be reindexed");
                                        }
                                    }
                                    Some((crate::changes::Topic::Targets, _)) => self.targets.forget(),
                                    Some((topic, _)) => self.run_listeners(topic).await,
                                    None => {}
                                },
                                Err(e) => {
                                    tracing::warn!(error = %e, "the change listener lost its connection");
                                    break;
                                }
                            },
                            _ = stop.changed() => return,
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot LISTEN for changes"),
            }
            if pause(&mut stop, Duration::from_secs(1)).await {
                return;
            }
        }
    }
}

/// The VAPID `sub` claim (RFC 8292): how a push service reaches the
/// operator, from the e-mail sender's address.
fn vapid_contact(smtp_from: &str) -> String {
    let address = match (smtp_from.rfind('<'), smtp_from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &smtp_from[a + 1..b],
        _ => smtp_from.trim(),
    };
    format!("mailto:{address}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn vapid_contact_is_the_sender_address() {
        assert_eq!(
            super::vapid_contact("Status <status@example.com>"),
            "mailto:status@example.com"
        );
        assert_eq!(super::vapid_contact("a@b.test"), "mailto:a@b.test");
    }
}
