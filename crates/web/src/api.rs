//! The REST API under `/api/v1/`. Every handler is annotated for OpenAPI and
//! registered through `utoipa_axum::routes!`, so the document at
//! `/api/v1/openapi.json` is generated from the same code that routes.
use crate::ctx::{ApiCaller, ClientAddr};
use crate::error::{AppError, AppResult};
use crate::extract::JsonBody;
use crate::i18n::rfc3339;
use crate::pages::{SignIn, check_credentials, create_user};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{Action, ChatRollout, Plan, Role};
use serde::{Deserialize, Serialize};
use store::Scope;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "statusdesk API",
        description = "Support requests, organisations and the status page of statusdesk. \
                       Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/tokens`.",
        version = "1"
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
        .routes(routes!(me))
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(get_organisation, update_organisation))
        .routes(routes!(organisation_users))
        .routes(routes!(create_user_api))
        .routes(routes!(
            crate::api_requests::create_request,
            crate::api_requests::list_requests
        ))
        .routes(routes!(
            crate::api_requests::get_request,
            crate::api_requests::patch_request
        ))
        .routes(routes!(crate::api_requests::post_message))
        .routes(routes!(
            crate::status_routes::list_components,
            crate::status_routes::create_component
        ))
        .routes(routes!(crate::status_routes::patch_component))
        .routes(routes!(crate::status_routes::create_incident))
        .routes(routes!(crate::status_routes::post_update))
        .routes(routes!(crate::status_routes::create_maintenance))
        .routes(routes!(crate::status_routes::link_request))
        .routes(routes!(crate::status_routes::reply_linked))
        .routes(routes!(crate::subscriptions::api_subscribe))
        .routes(routes!(
            crate::integrations::api_create,
            crate::integrations::api_list
        ))
        .routes(routes!(crate::integrations::api_delete))
        .routes(routes!(crate::integrations::api_test))
        .routes(routes!(crate::push::api_key))
        .routes(routes!(
            crate::push::api_subscribe,
            crate::push::api_unsubscribe
        ))
}

/// Every error of the API.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in words.
    pub error: String,
    /// The request field at fault, when there is one.
    pub field: Option<String>,
    /// A stable code for refusals by the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

// ---- tokens ------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// A name to recognise the token by on the settings page.
    pub label: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    /// The bearer token. It is shown only this once; only its hash is kept.
    pub token: String,
    pub id: String,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

pub(crate) fn token_label(label: Option<&str>) -> AppResult<String> {
    let label = label.map(str::trim).unwrap_or("");
    if label.chars().count() > 100 {
        return Err(AppError::bad("label", "must be at most 100 characters"));
    }
    Ok(if label.is_empty() {
        "API".to_string()
    } else {
        label.to_string()
    })
}

/// Exchange an e-mail address and password for a bearer token.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "tokens",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "Token issued", body = TokenCreated),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 422, description = "Malformed request", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody),
    )
)]
async fn create_token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(req): JsonBody<TokenRequest>,
) -> AppResult<(StatusCode, Json<TokenCreated>)> {
    let label = token_label(req.label.as_deref())?;
    match check_credentials(&state, &client, &req.email, &req.password).await? {
        SignIn::Ok(principal) => {
            let (raw, token) = state
                .store
                .create_token(&principal.user.id, &label, state.clock.now_ms())
                .await?;
            Ok((
                StatusCode::CREATED,
                Json(TokenCreated {
                    token: raw,
                    id: token.id,
                    label: token.label,
                }),
            ))
        }
        SignIn::Wrong => Err(AppError::BadCredentials),
        SignIn::Throttled(secs) => Err(AppError::TooManyRequests {
            retry_after_secs: secs,
        }),
    }
}

/// The caller's own tokens.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "tokens",
    security(("bearer" = [])),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody))
)]
async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<TokenList>> {
    caller.require(Action::ManageOwnAccount)?;
    let tokens = state
        .store
        .tokens(&caller.principal.user.id)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            label: t.label,
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
        })
        .collect();
    Ok(Json(TokenList { tokens }))
}

/// Revoke one of the caller's tokens (it may be the one in use).
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody))
)]
async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    caller.require(Action::ManageOwnAccount)?;
    if state
        .store
        .revoke_token(&caller.principal.user.id, &id, state.clock.now_ms())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

// ---- me ------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    /// `core`, `advanced` or `enterprise`.
    pub plan: String,
    /// `default` (follows the percentage rollout), `on` or `off`.
    pub chat_rollout: String,
    pub created_at: String,
}

impl From<store::Organisation> for Organisation {
    fn from(o: store::Organisation) -> Self {
        Self {
            id: o.id,
            name: o.name,
            plan: o.plan.as_str().into(),
            chat_rollout: o.chat_rollout.as_str().into(),
            created_at: rfc3339(o.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    /// `member`, `admin`, `agent` or `support_admin`.
    pub role: String,
    /// `sv`, `en`, or null to follow the browser.
    pub language: Option<String>,
    pub organisation_id: Option<String>,
    pub created_at: String,
}

impl From<store::User> for User {
    fn from(u: store::User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.as_str().into(),
            language: u.language.map(|l| l.as_str().to_string()),
            organisation_id: u.org_id,
            created_at: rfc3339(u.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub organisation: Option<Organisation>,
    /// Whether the caller may use direct support (support requests).
    pub direct_support: bool,
    /// Whether chat support is available to the caller.
    pub chat: bool,
}

/// Who the token belongs to, and what they may use.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody))
)]
async fn me(caller: ApiCaller) -> AppResult<Json<Me>> {
    let direct_support = domain::decide(Some(&caller.actor), Action::UseDirectSupport).is_allowed();
    let chat = domain::decide(Some(&caller.actor), Action::UseChat).is_allowed();
    Ok(Json(Me {
        user: caller.principal.user.into(),
        organisation: caller.principal.org.map(Into::into),
        direct_support,
        chat,
    }))
}

// ---- organisations -------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct OrganisationList {
    pub organisations: Vec<Organisation>,
}

/// Organisations the caller can see: all for staff, their own for customers.
#[utoipa::path(
    get, path = "/api/v1/organisations", tag = "organisations",
    security(("bearer" = [])),
    responses((status = 200, body = OrganisationList), (status = 401, body = ErrorBody))
)]
async fn list_organisations(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<OrganisationList>> {
    let organisations = match Scope::of(&caller.actor) {
        Some(Scope::Staff) => state
            .store
            .list_orgs()
            .await?
            .into_iter()
            .map(|s| s.org.into())
            .collect(),
        Some(scope @ Scope::Org(id)) => state
            .store
            .org(scope, id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
        None => Vec::new(),
    };
    Ok(Json(OrganisationList { organisations }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrganisation {
    pub name: String,
    /// `core`, `advanced` or `enterprise`.
    pub plan: String,
}

/// Create an organisation (support admins).
#[utoipa::path(
    post, path = "/api/v1/organisations", tag = "organisations",
    security(("bearer" = [])),
    request_body = NewOrganisation,
    responses(
        (status = 201, body = Organisation),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
async fn create_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewOrganisation>,
) -> AppResult<(StatusCode, Json<Organisation>)> {
    caller.require(Action::ManageOrganisations)?;
    let name = domain::parse_display_name(&req.name)?;
    let plan = Plan::parse(&req.plan)?;
    let org = state
        .store
        .create_org(&name, plan, state.clock.now_ms())
        .await
        .map_err(|e| match e {
            store::StoreError::Duplicate(what) => AppError::Conflict {
                message: format!("{what} already exists"),
                field: Some("name".into()),
            },
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

/// One organisation; another organisation's is a 404 for customers.
#[utoipa::path(
    get, path = "/api/v1/organisations/{id}", tag = "organisations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody))
)]
async fn get_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<Organisation>> {
    caller.require(Action::ViewOrganisation { org_id: &id })?;
    let scope = Scope::of(&caller.actor).ok_or(AppError::NotFound)?;
    let org = state
        .store
        .org(scope, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(org.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct OrganisationUpdate {
    pub plan: Option<String>,
    pub chat_rollout: Option<String>,
}

/// Change an organisation's plan or chat rollout (support admins).
#[utoipa::path(
    patch, path = "/api/v1/organisations/{id}", tag = "organisations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Organisation id")),
    request_body = OrganisationUpdate,
    responses((status = 200, body = Organisation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn update_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<OrganisationUpdate>,
) -> AppResult<Json<Organisation>> {
    // Customers learn nothing about other organisations, not even that
    // they exist; for their own they are told they may not change it.
    caller.require(Action::ViewOrganisation { org_id: &id })?;
    caller.require(Action::ManageOrganisations)?;
    let plan = req.plan.as_deref().map(Plan::parse).transpose()?;
    let chat = req
        .chat_rollout
        .as_deref()
        .map(ChatRollout::parse)
        .transpose()?;
    if state.store.org(Scope::Staff, &id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if let Some(plan) = plan {
        state.store.set_org_plan(&id, plan).await?;
    }
    if let Some(chat) = chat {
        state.store.set_org_chat_rollout(&id, chat).await?;
    }
    let org = state
        .store
        .org(Scope::Staff, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(org.into()))
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<User>,
}

/// The people of an organisation (its admins and staff).
#[utoipa::path(
    get, path = "/api/v1/organisations/{id}/users", tag = "organisations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn organisation_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<UserList>> {
    caller.require(Action::ListOrganisationUsers { org_id: &id })?;
    let scope = Scope::of(&caller.actor).ok_or(AppError::NotFound)?;
    if state.store.org(scope, &id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let users = state
        .store
        .org_users(scope, &id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(UserList { users }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    pub email: String,
    pub name: String,
    /// `member`, `admin`, `agent` or `support_admin`.
    pub role: String,
    /// Required for `member` and `admin`; absent for staff.
    pub organisation_id: Option<String>,
    pub password: String,
}

/// Create a user (support admins).
#[utoipa::path(
    post, path = "/api/v1/users", tag = "accounts",
    security(("bearer" = [])),
    request_body = NewUserRequest,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn create_user_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewUserRequest>,
) -> AppResult<(StatusCode, Json<User>)> {
    caller.require(Action::ManageUsers)?;
    let role = Role::parse(&req.role)?;
    if let Some(org) = &req.organisation_id
        && state.store.org(Scope::Staff, org).await?.is_none()
    {
        return Err(AppError::bad("organisation_id", "no such organisation"));
    }
    let user = create_user(
        &state,
        &req.name,
        &req.email,
        role,
        req.organisation_id.as_deref(),
        &req.password,
    )
    .await
    .map_err(|e| match e {
        AppError::Conflict { message, .. } => AppError::Conflict {
            message,
            field: Some("email".into()),
        },
        other => other,
    })?;
    Ok((StatusCode::CREATED, Json(user.into())))
}
