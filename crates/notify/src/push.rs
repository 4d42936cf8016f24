//! Web Push (RFC 8030): the payload is encrypted for the browser's keys
//! (RFC 8291, `aes128gcm`) and the request carries a VAPID signature
//! (RFC 8292) with the server's key pair, which is generated once and kept
//! in the database.
use crate::worker::{Channel, Outcome, WorkerConfig};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use store::{OutboxMessage, Store};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};
use web_push_native::{Auth, WebPushBuilder};

/// A push message as stored in the outbox payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPayload {
    pub subscription_id: String,
    /// The notification as JSON text (`title`, `body`, `url`, `tag`), which
    /// the service worker on the status page shows.
    pub body: String,
}

impl PushPayload {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }
}

/// The server's VAPID key pair.
#[derive(Clone)]
pub struct Vapid {
    key: std::sync::Arc<ES256KeyPair>,
    /// The public key as browsers want it for `applicationServerKey`:
    /// the uncompressed point, base64url without padding.
    pub public_key: String,
}

impl Vapid {
    /// Loads the key pair from the settings, generating and storing it on
    /// first start.
    pub async fn load_or_create(store: &Store) -> Result<Vapid, String> {
        let fresh = URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes());
        let stored = store
            .setting_or_insert("vapid_private_key", &fresh)
            .await
            .map_err(|e| e.to_string())?;
        let bytes = URL_SAFE_NO_PAD
            .decode(stored.as_bytes())
            .map_err(|e| format!("the stored VAPID key is not base64url: {e}"))?;
        let key = ES256KeyPair::from_bytes(&bytes)
            .map_err(|e| format!("the stored VAPID key is not a P-256 key: {e}"))?;
        let public_key =
            URL_SAFE_NO_PAD.encode(key.public_key().public_key().to_bytes_uncompressed());
        Ok(Vapid {
            key: std::sync::Arc::new(key),
            public_key,
        })
    }
}

/// Why a browser's keys cannot be used, or the parsed keys.
pub fn parse_keys(
    p256dh: &str,
    auth: &str,
) -> Result<(web_push_native::p256::PublicKey, Auth), String> {
    let public = URL_SAFE_NO_PAD
        .decode(p256dh.trim_end_matches('=').as_bytes())
        .ok()
        .and_then(|b| web_push_native::p256::PublicKey::from_sec1_bytes(&b).ok())
        .ok_or("keys.p256dh is not a base64url P-256 public key")?;
    let auth = URL_SAFE_NO_PAD
        .decode(auth.trim_end_matches('=').as_bytes())
        .ok()
        .filter(|b| b.len() == 16)
        .ok_or("keys.auth is not 16 bytes of base64url")?;
    Ok((public, Auth::clone_from_slice(&auth)))
}

struct Push {
    store: Store,
    client: reqwest::Client,
    vapid: Vapid,
    contact: String,
    allow_private: bool,
}

impl Channel for Push {
    fn name(&self) -> &'static str {
        "push"
    }

    /// The push service (one host serves a browser vendor's users).
    fn target_key(&self, m: &OutboxMessage) -> String {
        crate::webhook::host_of(&m.target)
    }

    async fn deliver(&self, m: &OutboxMessage) -> Outcome {
        let payload: PushPayload = match serde_json::from_str(&m.payload) {
            Ok(p) => p,
            Err(e) => return Outcome::Retry(format!("bad payload: {e}")),
        };
        let sub = match self.store.push_subscription(&payload.subscription_id).await {
            Ok(Some(s)) => s,
            Ok(None) => return Outcome::Gone("the browser unsubscribed".into()),
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        let url = match crate::http::check_url_shape(&sub.endpoint)
            .and_then(|u| crate::http::check_literal(&u, self.allow_private).map(|()| u))
        {
            Ok(u) => u,
            Err(e) => return Outcome::Retry(e.detail),
        };
        let (public, auth) = match parse_keys(&sub.p256dh, &sub.auth) {
            Ok(k) => k,
            Err(e) => return Outcome::Gone(e),
        };
        let Ok(uri) = sub.endpoint.parse() else {
            return Outcome::Gone("the endpoint is not a URI".into());
        };
        let request = match WebPushBuilder::new(uri, public, auth)
            .with_valid_duration(Duration::from_secs(24 * 3600))
            .with_vapid(&self.vapid.key, &self.contact)
            .build(payload.body.into_bytes())
        {
            Ok(r) => r,
            Err(e) => return Outcome::Retry(format!("cannot encrypt: {e}")),
        };
        let (parts, body) = request.into_parts();
        let sent = self
            .client
            .post(url)
            .headers(parts.headers)
            .header("Urgency", "high")
            .header(crate::http::IDEMPOTENCY_HEADER, &m.idempotency_key)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => Outcome::Delivered,
            Ok(r) if matches!(r.status().as_u16(), 404 | 410) => {
                // RFC 8030 §7.3: the subscription has expired.
                let _ = self.store.remove_push_subscription(&sub.id).await;
                Outcome::Gone("the push service says the subscription has expired".into())
            }
            Ok(r) if r.status().is_server_error() || r.status().as_u16() == 429 => Outcome::Retry(
                format!("the push service answered HTTP {}", r.status().as_u16()),
            ),
            // The service is up and refused this message (too large, a bad
            // signature): no reason to hold back the others.
            Ok(r) => Outcome::RetryMessage(format!(
                "the push service answered HTTP {}",
                r.status().as_u16()
            )),
            Err(e) => Outcome::Retry(format!(
                "cannot reach the push service: {}",
                crate::webhook::error_chain(&e)
            )),
        }
    }
}

/// Delivers push messages until `stop` turns true. `contact` is the
/// `sub` of the VAPID claims: a mailto: or https: address of the operator.
pub async fn run(
    store: Store,
    config: WorkerConfig,
    vapid: Vapid,
    contact: String,
    allow_private: bool,
    now: impl Fn() -> i64 + Send + Sync,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let channel = Push {
        store: store.clone(),
        client: crate::http::client(allow_private),
        vapid,
        contact,
        allow_private,
    };
    crate::worker::run(store, channel, config, now, stop).await;
}
