//! One error type for every handler. It renders as JSON
//! (`{"error": …, "field": …}`) under `/api/` and as a friendly HTML page
//! elsewhere; internal errors show a generic message and log the cause with
//! the request id.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::DenyReason;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed or invalid input; `field` names the offending field.
    #[error("{message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    #[error("sign-in required")]
    Unauthorized,
    #[error("wrong e-mail address or password")]
    BadCredentials,
    #[error("{}", deny_message(*.0))]
    Forbidden(DenyReason),
    #[error("the form has expired or did not come from this site; reload the page and try again")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict {
        message: String,
        field: Option<String>,
    },
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub fn deny_message(reason: DenyReason) -> &'static str {
    match reason {
        DenyReason::AdminsOnly => "only administrators of the organisation may do this",
        DenyReason::PlanExcludesDirectSupport => {
            "direct support is included in the Advanced and Enterprise plans; your organisation's plan includes the help center, the help community and the customer resource center"
        }
        DenyReason::ChatNotEnabled => {
            "chat support has not been rolled out to your organisation yet"
        }
        DenyReason::StaffOnly => "only support staff may do this",
        DenyReason::SupportAdminsOnly => "only support admins may do this",
        DenyReason::CustomersOnly => "this is for customer organisations",
    }
}

impl AppError {
    pub fn bad(field: &str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::BadRequest { field, .. } | AppError::Conflict { field, .. } => {
                field.as_deref()
            }
            _ => None,
        }
    }

    /// The key of the translated HTML message for this error.
    pub fn message_key(&self) -> String {
        match self {
            AppError::BadRequest { .. } => "error-bad-request".into(),
            AppError::Unauthorized => "error-unauthorized".into(),
            AppError::BadCredentials => "error-bad-credentials".into(),
            AppError::Forbidden(reason) => format!("deny-{}", reason.code().replace('_', "-")),
            AppError::Csrf => "error-csrf".into(),
            AppError::NotFound => "error-not-found".into(),
            AppError::Conflict { .. } => "error-conflict".into(),
            AppError::TooManyRequests { .. } => "error-too-many".into(),
            AppError::Internal(_) => "error-internal".into(),
        }
    }
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Duplicate(what) => AppError::Conflict {
                message: format!("{what} already exists"),
                field: None,
            },
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<domain::ParseError> for AppError {
    fn from(e: domain::ParseError) -> Self {
        AppError::bad(e.what, e.to_string())
    }
}

impl From<domain::Decision> for AppError {
    fn from(d: domain::Decision) -> Self {
        match d {
            domain::Decision::Allow => {
                AppError::Internal(anyhow::anyhow!("an allowed decision used as an error"))
            }
            domain::Decision::SignInRequired => AppError::Unauthorized,
            domain::Decision::Forbidden(r) => AppError::Forbidden(r),
            domain::Decision::NotFound => AppError::NotFound,
        }
    }
}

/// Carried in the response extensions so the error-rendering middleware,
/// which knows the request (path, language, request id), can render it.
#[derive(Clone)]
pub struct RenderableError(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = status.into_response();
        if let AppError::TooManyRequests { retry_after_secs } = &self
            && let Ok(v) = retry_after_secs.to_string().parse()
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
            .extensions_mut()
            .insert(RenderableError(Arc::new(self)));
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Asks the policy and turns a refusal into the matching error.
pub fn ensure(decision: domain::Decision) -> AppResult<()> {
    if decision.is_allowed() {
        Ok(())
    } else {
        Err(decision.into())
    }
}
