//! The web side of the one error type: [`app::Error`] carried through axum
//! as [`WebError`], its HTTP status, and the JSON body of the API. The
//! `observe` middleware renders it (it knows the language, the path and the
//! request id): JSON under `/api/`, a page elsewhere.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

pub use app::Error;

/// An [`app::Error`] on its way to becoming a response.
#[derive(Debug)]
pub struct WebError(pub Error);

pub type AppResult<T> = Result<T, WebError>;

impl<E: Into<Error>> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError(e.into())
    }
}

/// The HTTP status of an error.
pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Unauthorized | Error::BadCredentials | Error::SecondFactor(_) => {
            StatusCode::UNAUTHORIZED
        }
        Error::Denied(_) | Error::FormExpired => StatusCode::FORBIDDEN,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Every error of the API.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do, in the caller's language
    /// (`Accept-Language`, else the server's default).
    pub error: String,
    /// The request field at fault, when there is one.
    pub field: Option<String>,
    /// A stable machine-readable code, e.g. `too_long`, `not_found`.
    pub code: String,
    /// For refusals by the policy, the reason (the same as `code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Carried in the response extensions so the error-rendering middleware,
/// which knows the request (path, language, request id), can render it.
#[derive(Clone)]
pub struct RenderableError(pub Arc<Error>);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let mut response = status.into_response();
        if let Error::TooMany { retry_after_secs } = &self.0
            && let Ok(v) = retry_after_secs.to_string().parse()
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
            .extensions_mut()
            .insert(RenderableError(Arc::new(self.0)));
        response
    }
}

/// Asks the policy and turns a refusal into the matching error, for the
/// places that only decide what to show.
pub fn ensure(decision: domain::Decision) -> AppResult<()> {
    if decision.is_allowed() {
        Ok(())
    } else {
        Err(decision.into())
    }
}
