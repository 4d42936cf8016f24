//! Who is asking and in which language: the session cookie, bearer tokens,
//! the form token (CSRF), the client's address behind trusted proxies.
use crate::http::error::{AppResult, Error, WebError};
use crate::http::state::AppState;
use crate::i18n::Tr;
use app::Caller;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::{Action, Decision, Language};
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "sd_session";
/// Marks a browser that has signed in to an account before (sign-in throttling).
pub const DEVICE_COOKIE: &str = "sd_device";
pub const PRE_SESSION_COOKIE: &str = "sd_csrf";
pub const LANG_COOKIE: &str = "sd_lang";

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when the
/// site is served over HTTPS. `max_age` of 0 deletes the cookie.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    cookie_header(state, name, value, max_age_secs, true)
}

fn cookie_header(
    state: &AppState,
    name: &str,
    value: &str,
    max_age_secs: i64,
    http_only: bool,
) -> HeaderValue {
    let c = Cookie::build((name.to_string(), value.to_string()))
        .path("/")
        .http_only(http_only)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age_secs))
        .secure(state.web.secure_cookies)
        .build();
    HeaderValue::from_str(&c.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// A cookie scripts may read (no secret in it): `sd_signed_in=1` tells the
/// one cached status page's script to ask `/nav` for the person's own
/// navigation.
pub fn set_script_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age_secs: i64,
) -> HeaderValue {
    cookie_header(state, name, value, max_age_secs, false)
}

/// Set while a browser is signed in (readable by scripts, holds nothing).
pub const SIGNED_IN_COOKIE: &str = "sd_signed_in";

/// Paths whose answers are the same for everybody (the status documents,
/// feeds, assets, health): they never set a cookie.
pub fn is_public_document(path: &str) -> bool {
    path == "/status"
        || path.starts_with("/status/events")
        || path.starts_with("/api/")
        || path.starts_with("/assets/")
        || path.starts_with("/help/images/")
        || path.starts_with("/history.")
        || path.starts_with("/favicon.")
        || path == "/brand.css"
        || matches!(
            path,
            "/sw.js" | "/healthz" | "/readyz" | "/metrics" | "/sitemap.xml"
        )
}

/// The CSRF token of a visitor without a session (double-submit cookie).
#[derive(Clone)]
pub struct PreSession(pub String);

/// Gives every visitor of a page a pre-session CSRF cookie, so forms used
/// before signing in (sign-in, password reset) are protected too.
pub async fn pre_session(
    state: axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if is_public_document(req.uri().path()) {
        return next.run(req).await;
    }
    let existing = cookie(req.headers(), PRE_SESSION_COOKIE)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (store_secret(), true),
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

/// The browser's time zone, as the page's script stores it (an IANA name).
pub const ZONE_COOKIE: &str = "sd_tz";

/// Pages show times in the viewer's time zone: the browser's (its cookie)
/// unless the signed-in person chose one (set by [`Ctx`]); UTC without
/// either. The documents cached for everybody stay in UTC.
pub async fn viewer_zone(req: Request, next: Next) -> Response {
    if is_public_document(req.uri().path()) {
        return next.run(req).await;
    }
    let zone = cookie(req.headers(), ZONE_COOKIE).and_then(|z| app::i18n::time_zone(&z));
    app::i18n::in_zone(zone, next.run(req)).await
}

/// 32 random bytes as hex.
fn store_secret() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// A signed-in user of the web pages.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub caller: Caller,
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
    /// The operator's branding, for the page frame.
    pub brand: std::sync::Arc<app::branding::Branding>,
}

impl Ctx {
    pub fn tr(&self) -> Tr {
        Tr(self.lang)
    }

    pub fn app(&self) -> &app::App {
        &self.state.app
    }

    pub fn caller(&self) -> Option<&Caller> {
        self.viewer.as_ref().map(|v| &v.caller)
    }

    /// What the policy says of `action` for this viewer (for what a page
    /// offers; the use case asks again when it acts).
    pub fn decide(&self, action: Action<'_>) -> Decision {
        domain::decide(self.caller().map(|c| &c.actor), action)
    }

    /// The signed-in viewer, or the sign-in page.
    pub fn viewer(&self) -> AppResult<&Viewer> {
        self.viewer.as_ref().ok_or(WebError(Error::Unauthorized))
    }

    /// The signed-in caller, or the sign-in page.
    pub fn signed_in(&self) -> AppResult<&Caller> {
        Ok(&self.viewer()?.caller)
    }

    /// Refuses a state-changing form whose token does not match.
    pub fn check_csrf(&self, token: &str) -> AppResult<()> {
        use subtle::ConstantTimeEq;
        if !token.is_empty() && bool::from(token.as_bytes().ct_eq(self.csrf.as_bytes())) {
            Ok(())
        } else {
            Err(WebError(Error::FormExpired))
        }
    }

    pub fn now(&self) -> i64 {
        self.state.app.now()
    }
}

/// The language for a request: the user's setting, then the language
/// cookie, then `Accept-Language`, then the configured default.
pub fn negotiate_language(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<Language>,
) -> Language {
    user.or_else(|| cookie(headers, LANG_COOKIE).and_then(|v| Language::parse(&v).ok()))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or(state.app.config.default_language)
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the rightmost address in `X-Forwarded-For` that is not one of the
/// trusted proxies (every hop left of it could have been written by the
/// client itself).
pub fn client_address(state: &AppState, parts: &Parts) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let Some(peer) = peer else {
        return "unknown".into();
    };
    client_behind_proxies(
        peer,
        parts.headers.get_all("x-forwarded-for").iter(),
        &state.web.trusted_proxies,
    )
    .to_string()
}

fn client_behind_proxies<'a>(
    peer: IpAddr,
    forwarded: impl DoubleEndedIterator<Item = &'a HeaderValue>,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse::<IpAddr>().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut viewer = None;
        if let Some(raw) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some((caller, csrf)) = state.app.session(&raw).await?
        {
            viewer = Some(Viewer {
                caller,
                session: raw,
                csrf,
            });
        }
        let lang = negotiate_language(
            state,
            &parts.headers,
            viewer.as_ref().and_then(|v| v.caller.language()),
        );
        // A zone the person chose beats the browser's (see `viewer_zone`).
        if let Some(zone) = viewer
            .as_ref()
            .and_then(|v| v.caller.principal.user.time_zone.as_deref())
            .and_then(app::i18n::time_zone)
        {
            app::i18n::set_viewer_zone(Some(zone));
        }
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
            brand: state.app.branding().await?,
            viewer,
        })
    }
}

/// The client's address, for throttling.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_address(state, parts)))
    }
}

/// The language an API caller reads: `Accept-Language`, else the default.
pub struct ApiLanguage(pub Language);

impl FromRequestParts<AppState> for ApiLanguage {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ApiLanguage(negotiate_language(state, &parts.headers, None)))
    }
}

/// The token of an `Authorization: Bearer …` header; the scheme is
/// case-insensitive (RFC 7235).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// A caller of the REST API, identified by a bearer token.
pub struct ApiCaller(pub Caller);

impl std::ops::Deref for ApiCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or(WebError(Error::Unauthorized))?;
        let caller = state
            .app
            .token_caller(token)
            .await?
            .ok_or(WebError(Error::Unauthorized))?;
        Ok(ApiCaller(caller))
    }
}

/// A reader of public things that show more to some: a bearer token, else
/// the session cookie (for this site's own scripts; reads only), else an
/// anonymous visitor. A bearer token that is not valid is a 401, not a
/// silent downgrade.
pub struct Reader(pub Option<Caller>);

impl Reader {
    pub fn caller(&self) -> Option<&Caller> {
        self.0.as_ref()
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(Reader(Some(
                ApiCaller::from_request_parts(parts, state).await?.0,
            )));
        }
        if let Some(raw) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some((caller, _)) = state.app.session(&raw).await?
        {
            return Ok(Reader(Some(caller)));
        }
        Ok(Reader(None))
    }
}

/// The cookie that makes an anonymous reader's vote their own (one vote
/// per reader per article, changeable).
pub const READER_COOKIE: &str = "sd_reader";

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

    #[test]
    fn cookies_parse() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sd_session=abc ; b="),
        );
        assert_eq!(cookie(&h, "sd_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "a").as_deref(), Some("1"));
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

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        for v in ["Bearer sd_x", "bearer sd_x", "BEARER sd_x"] {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_static(v));
            assert_eq!(bearer(&h), Some("sd_x"), "{v}");
        }
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic eA=="),
        );
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec![
            "127.0.0.1/32".parse().expect("net"),
            "10.0.0.0/8".parse().expect("net"),
        ];
        let peer: IpAddr = "127.0.0.1".parse().expect("ip");
        let stranger: IpAddr = "203.0.113.9".parse().expect("ip");
        let h = |s: &'static str| HeaderValue::from_static(s);
        // A direct client cannot claim another address.
        let spoof = [h("198.51.100.1")];
        assert_eq!(
            client_behind_proxies(stranger, spoof.iter(), &trusted),
            stranger
        );
        // Behind our proxies: the rightmost hop that is not ours; what the
        // client wrote further left does not count.
        let chain = [h("6.6.6.6, 198.51.100.7"), h("10.1.2.3")];
        assert_eq!(
            client_behind_proxies(peer, chain.iter(), &trusted),
            "198.51.100.7".parse::<IpAddr>().expect("ip")
        );
        // Only our own hops: the peer.
        let ours = [h("10.0.0.5")];
        assert_eq!(client_behind_proxies(peer, ours.iter(), &trusted), peer);
        // No proxies configured: always the peer.
        assert_eq!(client_behind_proxies(peer, chain.iter(), &[]), peer);
    }
}
