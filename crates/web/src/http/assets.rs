//! Static assets, embedded in the binary and served with a content hash in
//! their path so browsers may cache them forever.
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

const CSS: &str = include_str!("../../assets/app.css");
const STATUS_JS: &str = include_str!("../../assets/status.js");
const SUPPORT_JS: &str = include_str!("../../assets/support.js");
const CHAT_JS: &str = include_str!("../../assets/chat.js");

static CSS_PATH: LazyLock<String> = LazyLock::new(|| {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(CSS.as_bytes()));
    format!("/assets/app-{}.css", &hash[..12])
});

pub fn css_path() -> &'static str {
    CSS_PATH.as_str()
}

static STATUS_JS_PATH: LazyLock<String> = LazyLock::new(|| {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(STATUS_JS.as_bytes()));
    format!("/assets/status-{}.js", &hash[..12])
});

pub fn status_js_path() -> &'static str {
    STATUS_JS_PATH.as_str()
}

static SUPPORT_JS_PATH: LazyLock<String> = LazyLock::new(|| {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(SUPPORT_JS.as_bytes()));
    format!("/assets/support-{}.js", &hash[..12])
});

pub fn support_js_path() -> &'static str {
    SUPPORT_JS_PATH.as_str()
}

static CHAT_JS_PATH: LazyLock<String> = LazyLock::new(|| {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(CHAT_JS.as_bytes()));
    format!("/assets/chat-{}.js", &hash[..12])
});

pub fn chat_js_path() -> &'static str {
    CHAT_JS_PATH.as_str()
}

pub async fn asset(Path(file): Path<String>) -> Response {
    let path = format!("/assets/{file}");
    let found = if path == *CSS_PATH {
        Some((CSS, "text/css; charset=utf-8"))
    } else if path == *STATUS_JS_PATH {
        Some((STATUS_JS, "text/javascript; charset=utf-8"))
    } else if path == *SUPPORT_JS_PATH {
        Some((SUPPORT_JS, "text/javascript; charset=utf-8"))
    } else if path == *CHAT_JS_PATH {
        Some((CHAT_JS, "text/javascript; charset=utf-8"))
    } else {
        None
    };
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
