//! The delivery loop every channel shares: claim due rows of one channel
//! from the outbox with a lease, deliver a batch concurrently, and record
//! the outcome. Failures are retried with exponential backoff and jitter
//! and given up ("dead") after a number of attempts; a per-target circuit
//! breaker stops hammering a target that keeps failing and holds its
//! messages back, without spending their attempts, until it may recover.
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;
use store::{OutboxMessage, Settle, Store};

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again later; the target may be down (counts toward its breaker).
    Retry(String),
    /// This message failed, but the target answered and is up: try the
    /// message again later without holding back others to the target.
    RetryMessage(String),
    /// Nothing left to deliver to (the integration or subscription is
    /// gone): done, without sending.
    Gone(String),
}

/// A delivery channel: e-mail, webhooks, Web Push.
pub trait Channel: Send + Sync {
    /// The outbox `channel` column this worker serves.
    fn name(&self) -> &'static str;
    /// What the circuit breaker counts failures by (a relay, a host).
    fn target_key(&self, m: &OutboxMessage) -> String;
    fn deliver(&self, m: &OutboxMessage) -> impl Future<Output = Outcome> + Send;
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Attempts before a message is given up.
    pub max_attempts: i64,
    /// How long a claimed batch is held before others may take it.
    pub lease_ms: i64,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// Consecutive failures that open a target's breaker.
    pub breaker_threshold: u32,
    /// How long an open breaker holds its target's messages back.
    pub breaker_cooldown_ms: i64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            lease_ms: 120_000,
            concurrency: 8,
            breaker_threshold: 5,
            breaker_cooldown_ms: 60_000,
        }
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

/// Consecutive failures per target; open after `threshold` of them for
/// `cooldown_ms`. After the cool-down one round goes through ("half
/// open"): a success closes the breaker, a failure opens it again.
pub struct Breaker {
    threshold: u32,
    cooldown_ms: i64,
    targets: Mutex<HashMap<String, (u32, i64)>>,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown_ms: i64) -> Self {
        Self {
            threshold: threshold.max(1),
            cooldown_ms,
            targets: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(until)` while the target's breaker is open.
    pub fn open_until(&self, key: &str, now: i64) -> Option<i64> {
        let targets = self.targets.lock().ok()?;
        match targets.get(key) {
            Some((_, until)) if *until > now => Some(*until),
            _ => None,
        }
    }

    pub fn record(&self, key: &str, ok: bool, now: i64) {
        let Ok(mut targets) = self.targets.lock() else {
            return;
        };
        if ok {
            targets.remove(key);
            return;
        }
        let entry = targets.entry(key.to_string()).or_insert((0, 0));
        entry.0 = entry.0.saturating_add(1);
        if entry.0 >= self.threshold {
            entry.1 = now + self.cooldown_ms;
        }
    }
}

/// Delivers messages of `channel` until `stop` turns true. `now` reads the
/// clock (tests drive it by hand).
pub async fn run<C: Channel>(
    store: Store,
    channel: C,
    config: WorkerConfig,
    now: impl Fn() -> i64 + Send + Sync,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use futures_util::StreamExt;
    let breaker = Breaker::new(config.breaker_threshold, config.breaker_cooldown_ms);
    let name = channel.name();
    loop {
        let batch = match store
            .claim_outbox(
                name,
                now(),
                config.lease_ms,
                i64::try_from(config.concurrency * 8).unwrap_or(64),
            )
            .await
        {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(channel = name, error = %e, "cannot claim from the outbox");
                Vec::new()
            }
        };
        let idle = batch.is_empty();
        let outcomes: Vec<Settle> = futures_util::stream::iter(batch)
            .map(|m| {
                let (channel, breaker, config, now) = (&channel, &breaker, &config, &now);
                async move {
                    let key = channel.target_key(&m);
                    if let Some(until) = breaker.open_until(&key, now()) {
                        return Settle::Defer {
                            id: m.id,
                            until,
                            why: "circuit open: the target keeps failing".into(),
                        };
                    }
                    let (error, target_up) = match channel.deliver(&m).await {
                        Outcome::Delivered => {
                            breaker.record(&key, true, now());
                            return Settle::Done { id: m.id };
                        }
                        Outcome::Gone(why) => {
                            tracing::info!(channel = name, id = %m.id, why, "nothing to deliver to");
                            return Settle::Done { id: m.id };
                        }
                        Outcome::Retry(e) => (e, false),
                        Outcome::RetryMessage(e) => (e, true),
                    };
                    breaker.record(&key, target_up, now());
                    let dead = m.attempts + 1 >= config.max_attempts;
                    tracing::warn!(channel = name, id = %m.id, attempts = m.attempts + 1, dead, error = %error, "delivery failed");
                    Settle::Failed {
                        id: m.id,
                        error,
                        next_attempt_at: now() + backoff_ms(m.attempts),
                        dead,
                    }
                }
            })
            .buffer_unordered(config.concurrency.max(1))
            .collect()
            .await;
        if let Err(e) = store.outbox_settle(&outcomes).await {
            tracing::warn!(channel = name, error = %e, "cannot record deliveries; they will be retried");
        }
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(300)) => {}
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
    fn breaker_opens_after_the_threshold_and_recovers() {
        let b = Breaker::new(3, 1_000);
        for _ in 0..2 {
            b.record("a", false, 0);
        }
        assert_eq!(b.open_until("a", 0), None, "two failures are not enough");
        b.record("a", false, 10);
        assert_eq!(b.open_until("a", 10), Some(1_010));
        assert_eq!(b.open_until("b", 10), None, "per target");
        assert_eq!(
            b.open_until("a", 1_010),
            None,
            "half open after the cool-down"
        );
        b.record("a", false, 1_010);
        assert_eq!(
            b.open_until("a", 1_011),
            Some(2_010),
            "a failed trial reopens"
        );
        b.record("a", true, 2_020);
        b.record("a", false, 2_030);
        assert_eq!(
            b.open_until("a", 2_030),
            None,
            "a success starts the count again"
        );
    }
}
