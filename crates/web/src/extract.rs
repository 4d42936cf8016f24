//! Body extractors whose rejections are our own clear 4xx errors, naming
//! the field where serde can tell.
use crate::error::AppError;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

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
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => {
                let text = rejection.body_text();
                let field = field_of(&text);
                Err(AppError::BadRequest {
                    message: text,
                    field,
                })
            }
        }
    }
}

/// URL-encoded form body.
pub struct FormBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(FormBody(v)),
            Err(rejection) => {
                let text = rejection.body_text();
                let field = field_of(&text);
                Err(AppError::BadRequest {
                    message: text,
                    field,
                })
            }
        }
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
}
