//! Body extractors whose rejections are our own clear 4xx errors, naming
//! the field where serde can tell.
use crate::http::error::{Error, WebError};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// The request body limit of JSON and form bodies (axum's default).
pub const BODY_LIMIT_BYTES: u64 = 2 * 1024 * 1024;

/// A body axum could not take, as our error: too large (413), or
/// unreadable, naming the field where serde can tell.
fn rejected(status: StatusCode, text: String) -> WebError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return WebError(Error::TooLarge {
            max_bytes: BODY_LIMIT_BYTES,
        });
    }
    let field = field_of(&text).unwrap_or_else(|| "input".to_string());
    WebError(Error::invalid_with(
        &field,
        "malformed",
        &[("detail", &text)],
    ))
}

/// Finds the field name in a serde message such as "missing field `email`".
fn field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    let name = &message[start..end];
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| name.to_string())
}

/// JSON body; malformed input is a 400/422 with a message and field.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // As a JSON value first, to refuse a NUL character anywhere (no
        // field may hold one, and PostgreSQL cannot store it), then as T.
        let v = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(r) => return Err(rejected(r.status(), r.body_text())),
        };
        if let Some(field) = nul_in(&v, "input") {
            return Err(WebError(Error::invalid(&field, "control_chars")));
        }
        serde_json::from_value::<T>(v)
            .map(JsonBody)
            .map_err(|e| rejected(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))
    }
}

/// A form that carries nothing but its token (a button).
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// A good-or-bad rating with a comment (chats and solved requests).
#[derive(serde::Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub good: String,
    #[serde(default)]
    pub comment: String,
}

/// URL-encoded form body.
pub struct FormBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormBody<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, BODY_LIMIT_BYTES as usize).await {
            Ok(b) => b,
            Err(_) => {
                return Err(WebError(Error::TooLarge {
                    max_bytes: BODY_LIMIT_BYTES,
                }));
            }
        };
        if let Some(field) = nul_in_pairs(&bytes) {
            return Err(WebError(Error::invalid(&field, "control_chars")));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(FormBody(v)),
            Err(r) => Err(rejected(r.status(), r.body_text())),
        }
    }
}

/// A query string; a malformed one is our JSON or page error, not plain
/// text.
pub struct QueryOf<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for QueryOf<T> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        if let Some(field) = nul_in_pairs(parts.uri.query().unwrap_or("").as_bytes()) {
            return Err(WebError(Error::invalid(&field, "control_chars")));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(QueryOf(v)),
            Err(r) => Err(rejected(r.status(), r.body_text())),
        }
    }
}

/// The field of the first string (or key) in `v` with a NUL character.
fn nul_in(v: &serde_json::Value, at: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) => s.contains('\0').then(|| at.to_string()),
        serde_json::Value::Array(items) => items.iter().find_map(|i| nul_in(i, at)),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some("input".to_string())
            } else {
                nul_in(v, k)
            }
        }),
        _ => None,
    }
}

/// The field of the first URL-encoded pair with a NUL character.
fn nul_in_pairs(encoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(encoded).find_map(|(k, v)| {
        if k.contains('\0') {
            Some("input".to_string())
        } else {
            v.contains('\0').then(|| k.into_owned())
        }
    })
}

/// Tells a field given as `null` (Some(Null)) from a field left out (None).
pub fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    <serde_json::Value as serde::Deserialize>::deserialize(d).map(Some)
}

/// A field read with [`present`] that names something by id: left out (no
/// change), `null` (none) or an id; anything else is refused on `field`
/// with `code`.
pub fn id_or_null(
    v: Option<serde_json::Value>,
    field: &str,
    code: &'static str,
) -> app::Result<Option<Option<String>>> {
    match v {
        None => Ok(None),
        Some(serde_json::Value::Null) => Ok(Some(None)),
        Some(serde_json::Value::String(s)) => Ok(Some(Some(s))),
        Some(_) => Err(app::Error::invalid(field, code)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_field_names() {
        assert_eq!(
            super::field_of("missing field `email` at line 1").as_deref(),
            Some("email")
        );
        assert_eq!(super::field_of("expected value at line 1"), None);
    }

    #[test]
    fn finds_nul_characters_and_their_field() {
        let v = serde_json::json!({"subject": "ok", "tags": ["a", "b\u{0}"]});
        assert_eq!(super::nul_in(&v, "input").as_deref(), Some("tags"));
        assert_eq!(
            super::nul_in(&serde_json::json!({"a": "fine"}), "input"),
            None
        );
        assert_eq!(
            super::nul_in_pairs(b"csrf=x&email=a%00b").as_deref(),
            Some("email")
        );
        assert_eq!(super::nul_in_pairs(b"q=a%20b"), None);
    }
}
