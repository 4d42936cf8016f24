//! Static assets, embedded in the binary and served with a content hash in
//! their path so browsers may cache them forever.
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

const CSS: &str = include_str!("../assets/app.css");

static CSS_PATH: LazyLock<String> = LazyLock::new(|| {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(CSS.as_bytes()));
    format!("/assets/app-{}.css", &hash[..12])
});

pub fn css_path() -> &'static str {
    CSS_PATH.as_str()
}

pub async fn asset(Path(file): Path<String>) -> Response {
    if format!("/assets/{file}") == *CSS_PATH {
        let mut r = CSS.into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        );
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        r
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
