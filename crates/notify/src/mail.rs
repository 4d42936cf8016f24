//! The e-mail delivery worker: claims due e-mail rows from the outbox with a
//! lease, sends them over SMTP, and marks them done; failures are retried
//! with exponential backoff and jitter, and given up ("dead") after a number
//! of attempts, for staff to see. Each mail's Message-ID comes from the
//! row's idempotency key, so a retry after a crash is recognisable.
use crate::Email;
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
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &store::redact_url(&self.smtp_url))
            .field("from", &self.from)
            .field("max_attempts", &self.max_attempts)
            .field("lease_ms", &self.lease_ms)
            .finish()
    }
}

/// Backoff before attempt `n + 1`: 30 s doubling per attempt up to 6 h,
/// with up to 20 % random jitter so retries of many messages spread out.
pub fn backoff_ms(attempts: i64) -> i64 {
    use rand::Rng;
    let base = 30_000i64
        .saturating_mul(1i64 << attempts.clamp(0, 20))
        .min(6 * 3_600_000);
    base + rand::rng().random_range(0..=base / 5)
}

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
    builder
        .from(
            from.parse()
                .map_err(|e| format!("bad sender {from}: {e}"))?,
        )
        .to(email
            .to
            .parse()
            .map_err(|e| format!("bad recipient {}: {e}", email.to))?)
        .subject(email.subject)
        .message_id(Some(message_id(&m.idempotency_key)))
        .header(ContentType::TEXT_PLAIN)
        .body(email.text)
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// Delivers e-mail until `stop` turns true. `now` reads the clock.
pub async fn run(
    store: Store,
    config: MailConfig,
    now: impl Fn() -> i64 + Send,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url) {
        Ok(b) => b.timeout(Some(Duration::from_secs(20))).build(),
        Err(e) => {
            tracing::error!(error = %e, "smtp_url is not usable; e-mail stays in the outbox");
            return;
        }
    };
    loop {
        let batch = match store
            .claim_outbox("email", now(), config.lease_ms, 20)
            .await
        {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim e-mail from the outbox");
                Vec::new()
            }
        };
        let idle = batch.is_empty();
        for m in batch {
            let result = match build(&config.from, &m) {
                Ok(msg) => transport
                    .send(msg)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            let outcome = match result {
                Ok(()) => store.outbox_done(&m.id).await,
                Err(e) => {
                    let dead = m.attempts + 1 >= config.max_attempts;
                    tracing::warn!(id = %m.id, attempts = m.attempts + 1, dead, error = %e, "e-mail delivery failed");
                    store
                        .outbox_failed(&m.id, &e, now() + backoff_ms(m.attempts), dead)
                        .await
                }
            };
            if let Err(e) = outcome {
                tracing::warn!(error = %e, "cannot record an e-mail delivery");
            }
        }
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = stop.changed() => {}
            }
        }
        if *stop.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for n in 0..30 {
            let b = backoff_ms(n);
            let base = (30_000i64 << n.min(20)).min(6 * 3_600_000);
            assert!(b >= base && b <= base + base / 5, "attempt {n}: {b}");
        }
        assert!(backoff_ms(0) < backoff_ms(3));
    }

    #[test]
    fn message_ids_are_stable_per_delivery() {
        assert_eq!(message_id("k1"), message_id("k1"));
        assert_ne!(message_id("k1"), message_id("k2"));
        assert!(message_id("k1").starts_with('<') && message_id("k1").ends_with("@statusdesk>"));
    }
}
