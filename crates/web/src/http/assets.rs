//! Static assets, embedded in the binary and served with a content hash in
//! their path so browsers may cache them forever.
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// One embedded asset: its text, its content type, and its path with
/// the first 12 hex digits of its SHA-256.
struct Asset {
    body: &'static str,
    content_type: &'static str,
    path: LazyLock<String>,
}

macro_rules! asset {
    ($name:ident, $file:literal, $stem:literal, $ext:literal, $type:literal) => {
        static $name: Asset = Asset {
            body: include_str!(concat!("../../assets/", $file)),
            content_type: $type,
            path: LazyLock::new(|| {
                use sha2::Digest;
                let body = include_str!(concat!("../../assets/", $file));
                let hash = hex::encode(sha2::Sha256::digest(body.as_bytes()));
                format!("/assets/{}-{}.{}", $stem, &hash[..12], $ext)
            }),
        };
    };
}

asset!(CSS, "app.css", "app", "css", "text/css; charset=utf-8");
asset!(
    STATUS_JS,
    "status.js",
    "status",
    "js",
    "text/javascript; charset=utf-8"
);
asset!(
    SUPPORT_JS,
    "support.js",
    "support",
    "js",
    "text/javascript; charset=utf-8"
);
asset!(
    AGENT_JS,
    "agent.js",
    "agent",
    "js",
    "text/javascript; charset=utf-8"
);
asset!(
    CHAT_JS,
    "chat.js",
    "chat",
    "js",
    "text/javascript; charset=utf-8"
);
asset!(
    HELP_JS,
    "help.js",
    "help",
    "js",
    "text/javascript; charset=utf-8"
);

asset!(
    PAGE_JS,
    "page.js",
    "page",
    "js",
    "text/javascript; charset=utf-8"
);

static ALL: [&Asset; 7] = [
    &CSS,
    &STATUS_JS,
    &SUPPORT_JS,
    &AGENT_JS,
    &CHAT_JS,
    &HELP_JS,
    &PAGE_JS,
];

pub fn css_path() -> &'static str {
    CSS.path.as_str()
}

pub fn status_js_path() -> &'static str {
    STATUS_JS.path.as_str()
}

pub fn support_js_path() -> &'static str {
    SUPPORT_JS.path.as_str()
}

pub fn agent_js_path() -> &'static str {
    AGENT_JS.path.as_str()
}

pub fn chat_js_path() -> &'static str {
    CHAT_JS.path.as_str()
}

/// The script every page carries.
pub fn page_js_path() -> &'static str {
    PAGE_JS.path.as_str()
}

pub fn help_js_path() -> &'static str {
    HELP_JS.path.as_str()
}

pub async fn asset(Path(file): Path<String>) -> Response {
    let path = format!("/assets/{file}");
    let found = ALL
        .iter()
        .find(|a| *a.path == path)
        .map(|a| (a.body, a.content_type));
    let Some((body, content_type)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}
