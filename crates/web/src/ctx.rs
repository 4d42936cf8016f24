//! Who is asking and in which language: sessions, bearer tokens, CSRF
//! tokens, cookies and password hashing.
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use domain::{Action, Actor, Decision, Language};
use std::net::SocketAddr;
use store::Principal;

pub const SESSION_COOKIE: &str = "sd_session";
pub const PRE_SESSION_COOKIE: &str = "sd_csrf";
pub const LANG_COOKIE: &str = "sd_lang";

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when the
/// site is served over HTTPS. `max_age` of 0 deletes the cookie.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The CSRF token of a visitor without a session (double-submit cookie).
#[derive(Clone)]
pub struct PreSession(pub String);

/// Gives every visitor a pre-session CSRF cookie, so forms used before
/// signing in (sign-in, password reset) are protected too.
pub async fn pre_session(
    state: axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    // The public documents are the same for everybody: no cookie there.
    let path = req.uri().path();
    if path == "/status"
        || path.starts_with("/status/events")
        || path.starts_with("/api/")
        || path.starts_with("/assets/")
    {
        return next.run(req).await;
    }
    let existing = cookie(req.headers(), PRE_SESSION_COOKIE)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string);
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (store::new_secret("").0, true),
    };
    req.extensions_mut().insert(PreSession(token.clone()));
    let mut response = next.run(req).await;
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, PRE_SESSION_COOKIE, &token, 60 * 60 * 24 * 30),
        );
    }
    response
}

/// A signed-in user of the web pages.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Principal,
    pub actor: Actor,
    /// The raw session id from the cookie.
    pub session: String,
    pub csrf: String,
}

/// Everything a page handler needs to know about the request.
pub struct Ctx {
    pub state: AppState,
    pub viewer: Option<Viewer>,
    pub lang: Language,
    pub csrf: String,
    /// Path and query of this request, for "come back here" links.
    pub here: String,
    /// The client address, for throttling.
    pub client: String,
    pub headers: HeaderMap,
}

impl Ctx {
    pub fn tr(&self) -> Tr {
        Tr(self.lang)
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.viewer.as_ref().map(|v| &v.actor)
    }

    pub fn decide(&self, action: Action<'_>) -> Decision {
        domain::decide(self.actor(), action)
    }

    /// Asks the policy; a refusal becomes the matching error.
    pub fn require(&self, action: Action<'_>) -> AppResult<&Viewer> {
        crate::error::ensure(self.decide(action))?;
        self.viewer.as_ref().ok_or(AppError::Unauthorized)
    }

    pub fn viewer(&self) -> AppResult<&Viewer> {
        self.viewer.as_ref().ok_or(AppError::Unauthorized)
    }

    /// Refuses a state-changing form whose token does not match.
    pub fn check_csrf(&self, token: &str) -> AppResult<()> {
        if !token.is_empty() && constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }

    pub fn now(&self) -> i64 {
        self.state.clock.now_ms()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The language for a request: the user's setting, then the language
/// cookie, then `Accept-Language`, then the configured default.
pub fn negotiate_language(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<Language>,
) -> Language {
    user.or_else(|| cookie(headers, LANG_COOKIE).and_then(|v| Language::parse(v).ok()))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or(state.config.default_language)
}

pub fn client_address(state: &AppState, parts: &Parts) -> String {
    if state.config.behind_proxy
        && let Some(forwarded) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return forwarded.trim().to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let now = state.clock.now_ms();
        let mut viewer = None;
        if let Some(raw) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some((principal, csrf)) = state.store.session(raw, now).await?
        {
            let actor = principal.actor(state.chat_percent().await);
            viewer = Some(Viewer {
                principal,
                actor,
                session: raw.to_string(),
                csrf,
            });
        }
        let lang = negotiate_language(
            state,
            &parts.headers,
            viewer.as_ref().and_then(|v| v.principal.user.language),
        );
        let csrf = match &viewer {
            Some(v) => v.csrf.clone(),
            None => parts
                .extensions
                .get::<PreSession>()
                .map(|p| p.0.clone())
                .unwrap_or_default(),
        };
        Ok(Ctx {
            state: state.clone(),
            lang,
            csrf,
            here: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
            client: client_address(state, parts),
            headers: parts.headers.clone(),
            viewer,
        })
    }
}

/// Counts a use of a public form or endpoint by a client address and
/// refuses more than 30 an hour (kept in the database, so it holds across
/// instances).
pub async fn throttle_public(state: &AppState, what: &str, client: &str) -> AppResult<()> {
    let used = state
        .store
        .record_failure(&format!("{what}:{client}"), state.clock.now_ms(), 3_600_000)
        .await?;
    if used > 30 {
        return Err(AppError::TooManyRequests {
            retry_after_secs: 3600,
        });
    }
    Ok(())
}

/// The client's address, for throttling.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_address(state, parts)))
    }
}

/// A caller of the REST API, identified by a bearer token.
pub struct ApiCaller {
    pub principal: Principal,
    pub actor: Actor,
}

impl ApiCaller {
    pub fn require(&self, action: Action<'_>) -> AppResult<()> {
        crate::error::ensure(domain::decide(Some(&self.actor), action))
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(AppError::Unauthorized)?;
        let principal = state
            .store
            .token_principal(token, state.clock.now_ms())
            .await?
            .ok_or(AppError::Unauthorized)?;
        let actor = principal.actor(state.chat_percent().await);
        Ok(ApiCaller { principal, actor })
    }
}

/// Password hashes at once. Each Argon2id hash needs 19 MiB; letting every
/// sign-in allocate its own left glibc holding the peak of a burst of
/// sign-ins (8 at once: 214 MiB resident). Two lanes with reused memory keep
/// it at 38 MiB, and two cores cannot hash faster than two at a time anyway.
const HASH_LANES: usize = 2;
static HASH_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASH_LANES);
static HASH_MEMORY: std::sync::Mutex<Vec<Vec<argon2::Block>>> = std::sync::Mutex::new(Vec::new());

/// Runs `f` on the blocking pool with a lane's Argon2 memory of `blocks`.
async fn in_hash_lane<R: Send + 'static>(
    blocks: usize,
    f: impl FnOnce(&mut [argon2::Block]) -> R + Send + 'static,
) -> Option<R> {
    let _permit = HASH_PERMITS.acquire().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let mut memory = HASH_MEMORY
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        let result = f(&mut memory[..blocks]);
        if let Ok(mut pool) = HASH_MEMORY.lock() {
            pool.push(memory);
        }
        result
    })
    .await
    .ok()
}

/// Hashes a password with Argon2id (the library's defaults: m = 19 MiB,
/// t = 2, p = 1) off the async runtime, as a PHC string.
pub async fn hash_password(password: String) -> AppResult<String> {
    use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
    use rand::RngCore;
    let params = argon2::Params::default();
    let hashed = in_hash_lane(params.block_count(), move |memory| {
        let argon = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params.clone(),
        );
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let mut out = [0u8; 32];
        argon
            .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
            .map_err(|e| e.to_string())?;
        let phc = PasswordHash {
            algorithm: argon2::Algorithm::Argon2id.ident(),
            version: Some(argon2::Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
            salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
            hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
        };
        Ok::<String, String>(phc.to_string())
    })
    .await
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("hashing was interrupted")))?;
    hashed.map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// Checks a password against a stored hash off the async runtime. A
/// missing user is checked against a fixed hash so timing does not tell.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    use argon2::password_hash::phc::PasswordHash;
    const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3RhdHVzZGVza2RlY295$5cBxvH3M2m0bDkA5wmG3cT9l9g1YQ0ZpKZ9uQm3q8lQ";
    let found = hash.is_some();
    let hash = hash.unwrap_or_else(|| DECOY.to_string());
    let Ok(parsed) = PasswordHash::new(&hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        argon2::Params::try_from(&parsed),
        argon2::Algorithm::try_from(parsed.algorithm.as_str()),
    ) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| argon2::Version::try_from(v).ok())
        .unwrap_or(argon2::Version::V0x13);
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let same = in_hash_lane(params.block_count(), move |memory| {
        let argon = argon2::Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.as_bytes().len()];
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), &mut out, memory)
            .is_ok()
            && out.len() == expected.as_bytes().len()
            && out
                .iter()
                .zip(expected.as_bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
    .await
    .unwrap_or(false);
    same && found
}

/// Only same-site relative paths are followed after sign-in.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("://") =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_and_verify_in_the_lanes() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
        let ours = hash_password("correct horse".into()).await.expect("hash");
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(verify_password("correct horse".into(), Some(ours.clone())).await);
        assert!(!verify_password("wrong horse".into(), Some(ours.clone())).await);
        assert!(!verify_password("correct horse".into(), None).await);
        assert!(!verify_password("x".into(), Some("not a hash".into())).await);
        // Hashes made by the library's own hasher (every stored one so far)
        // verify, and ours verify with the library.
        let theirs = argon2::Argon2::default()
            .hash_password(b"correct horse")
            .expect("library hash")
            .to_string();
        assert!(verify_password("correct horse".into(), Some(theirs)).await);
        let parsed = PasswordHash::new(&ours).expect("parse");
        assert!(
            argon2::Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        // Many at once: all correct, and no more lane memory than lanes.
        let many: Vec<_> = (0..6)
            .map(|i| tokio::spawn(verify_password(format!("p{i}"), Some(ours.clone()))))
            .collect();
        for h in many {
            assert!(!h.await.expect("join"));
        }
        assert!(HASH_MEMORY.lock().map(|p| p.len()).unwrap_or(0) <= HASH_LANES);
    }

    #[test]
    fn cookies_parse() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sd_session=abc ; b="),
        );
        assert_eq!(cookie(&h, "sd_session"), Some("abc"));
        assert_eq!(cookie(&h, "a"), Some("1"));
        assert_eq!(cookie(&h, "b"), None);
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn next_is_same_site_only() {
        assert_eq!(safe_next(Some("/admin")), "/admin");
        assert_eq!(safe_next(Some("//evil.test")), "/");
        assert_eq!(safe_next(Some("https://evil.test")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let h = hash_password("correct horse".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), Some(h.clone())).await);
        assert!(!verify_password("wrong horse".into(), Some(h)).await);
        assert!(!verify_password("anything".into(), None).await);
    }
}
