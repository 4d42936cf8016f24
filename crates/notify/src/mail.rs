//! The e-mail delivery worker: claims due e-mail rows from the outbox with a
//! lease, sends them over SMTP, and marks them done; failures are retried
//! with exponential backoff and jitter, and given up ("dead") after a number
//! of attempts, for staff to see. Each mail's Message-ID comes from the
//! row's idempotency key, so a retry after a crash is recognisable.
use crate::Email;
use crate::worker::{Channel, Outcome, WorkerConfig};
use lettre::message::MultiPart;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use store::{OutboxMessage, Store};

#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://host:port`, `smtp://host:port?tls=required` (STARTTLS) or
    /// `smtps://user:password@host` (TLS).
    pub smtp_url: String,
    pub from: String,
    /// Attempts before a message is given up.
    pub max_attempts: i64,
    /// How long a claimed batch is held before others may take it.
    pub lease_ms: i64,
    /// Messages in flight to the relay at once, each on its own pooled
    /// connection.
    pub connections: usize,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &store::redact_url(&self.smtp_url))
            .field("from", &self.from)
            .field("max_attempts", &self.max_attempts)
            .field("lease_ms", &self.lease_ms)
            .field("connections", &self.connections)
            .finish()
    }
}

pub use crate::worker::backoff_ms;

/// The Message-ID of a delivery: the same for every attempt of it.
pub fn message_id(key: &str) -> String {
    format!(
        "<{}@statusdesk>",
        store::hash_secret(key).get(..32).unwrap_or("")
    )
}

fn build(from: &str, m: &OutboxMessage) -> Result<Message, String> {
    let email = Email::from_json(&m.payload).map_err(|e| format!("bad payload: {e}"))?;
    let mut builder = Message::builder();
    for (name, value) in &email.headers {
        let name = match name.as_str() {
            "List-Unsubscribe" => HeaderName::new_from_ascii_str("List-Unsubscribe"),
            "List-Unsubscribe-Post" => HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            _ => continue,
        };
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    let builder = builder
        .from(
            from.parse()
                .map_err(|e| format!("bad sender {from}: {e}"))?,
        )
        .to(email
            .to
            .parse()
            .map_err(|e| format!("bad recipient {}: {e}", email.to))?)
        .subject(email.subject)
        .message_id(Some(message_id(&m.idempotency_key)));
    match email.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(email.text, html)),
        None => builder.header(ContentType::TEXT_PLAIN).body(email.text),
    }
    .map_err(|e| format!("cannot build the message: {e}"))
}

/// A message as it goes over the wire: the envelope's sender and
/// recipients, and the message's bytes (for benchmarks that send the same
/// bytes by other means).
pub fn wire(from: &str, m: &OutboxMessage) -> Result<(String, Vec<String>, Vec<u8>), String> {
    let msg = build(from, m)?;
    let (sender, to) = envelope(&msg);
    Ok((sender, to, msg.formatted()))
}

/// The envelope's sender and recipients, as SMTP names them.
fn envelope(msg: &Message) -> (String, Vec<String>) {
    let envelope = msg.envelope();
    let sender = envelope.from().map(|a| a.to_string()).unwrap_or_default();
    (
        sender,
        envelope.to().iter().map(|a| a.to_string()).collect(),
    )
}

/// How mail reaches the relay.
enum Transport {
    /// A plain relay: our own pipelining client ([`crate::smtp`]).
    Plain(crate::smtp::Relay),
    /// TLS or a password: lettre's.
    Lettre(AsyncSmtpTransport<Tokio1Executor>),
}

struct Mail {
    transport: Transport,
    from: String,
}

impl Channel for Mail {
    fn name(&self) -> &'static str {
        "email"
    }

    /// One relay for every message: when it is down, it is down for all.
    fn target_key(&self, _m: &OutboxMessage) -> String {
        "smtp".into()
    }

    async fn deliver(&self, m: &OutboxMessage) -> Outcome {
        let msg = match build(&self.from, m) {
            Ok(msg) => msg,
            // A message that cannot be built will not build next time either.
            Err(e) => return Outcome::RetryMessage(e),
        };
        match &self.transport {
            Transport::Plain(relay) => {
                let (from, to) = envelope(&msg);
                match relay.send(&from, &to, &msg.formatted()).await {
                    Ok(()) => Outcome::Delivered,
                    // The relay answered and refused this message (a bad
                    // mailbox): the relay itself is fine.
                    Err(crate::smtp::SendError::Permanent(e)) => Outcome::RetryMessage(e),
                    Err(crate::smtp::SendError::Transient(e)) => Outcome::Retry(e),
                }
            }
            Transport::Lettre(transport) => match transport.send(msg).await {
                Ok(_) => Outcome::Delivered,
                Err(e) if e.is_permanent() => Outcome::RetryMessage(e.to_string()),
                Err(e) => Outcome::Retry(e.to_string()),
            },
        }
    }
}

/// Delivers e-mail until `stop` turns true. `now` reads the clock.
pub async fn run(
    store: Store,
    config: MailConfig,
    now: impl Fn() -> i64 + Send + Sync,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let transport = if let Some(relay) =
        crate::smtp::Relay::plain(&config.smtp_url, config.connections)
    {
        Transport::Plain(relay)
    } else {
        match AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url) {
            Ok(b) => Transport::Lettre(
                b.timeout(Some(Duration::from_secs(20)))
                    .pool_config(
                        lettre::transport::smtp::PoolConfig::new()
                            .max_size(u32::try_from(config.connections.max(1)).unwrap_or(32)),
                    )
                    .build(),
            ),
            Err(e) => {
                tracing::error!(error = %e, "smtp_url is not usable; e-mail stays in the outbox");
                return;
            }
        }
    };
    let worker = WorkerConfig {
        max_attempts: config.max_attempts,
        lease_ms: config.lease_ms,
        concurrency: config.connections.max(1),
        ..WorkerConfig::default()
    };
    let channel = Mail {
        transport,
        from: config.from,
    };
    crate::worker::run(store, channel, worker, now, stop).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_stable_per_delivery() {
        assert_eq!(message_id("k1"), message_id("k1"));
        assert_ne!(message_id("k1"), message_id("k2"));
        assert!(message_id("k1").starts_with('<') && message_id("k1").ends_with("@statusdesk>"));
    }
}
