//! The REST API under `/api/v1/`, assembled from the areas. Every handler
//! is annotated for OpenAPI and registered through `utoipa_axum::routes!`,
//! so the document at `/api/v1/openapi.json` is generated from the same
//! code that routes.
use crate::http::error::ErrorBody;
use crate::http::state::AppState;
use crate::{account, integrations, orgs, status, subscriptions, support};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "statusdesk API",
        description = "Support requests, organisations and the status page of statusdesk. \
                       Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/tokens`. \
                       Every error is `{\"error\", \"field\", \"code\"}`: `error` in the caller's \
                       language (`Accept-Language`), `code` stable for programs.",
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
        .routes(routes!(
            account::api::create_token,
            account::api::list_tokens
        ))
        .routes(routes!(account::api::revoke_token))
        .routes(routes!(account::api::me))
        .routes(routes!(
            orgs::api::list_organisations,
            orgs::api::create_organisation
        ))
        .routes(routes!(
            orgs::api::get_organisation,
            orgs::api::update_organisation
        ))
        .routes(routes!(orgs::api::organisation_users))
        .routes(routes!(orgs::api::create_user))
        .routes(routes!(
            support::api::create_request,
            support::api::list_requests
        ))
        .routes(routes!(
            support::api::get_request,
            support::api::patch_request
        ))
        .routes(routes!(support::api::post_message))
        .routes(routes!(
            status::api::list_components,
            status::api::create_component
        ))
        .routes(routes!(status::api::patch_component))
        .routes(routes!(status::api::create_incident))
        .routes(routes!(status::api::post_update))
        .routes(routes!(status::api::create_maintenance))
        .routes(routes!(status::api::link_request))
        .routes(routes!(status::api::reply_linked))
        .routes(routes!(subscriptions::api::subscribe))
        .routes(routes!(integrations::api::create, integrations::api::list))
        .routes(routes!(integrations::api::delete))
        .routes(routes!(integrations::api::test))
        .routes(routes!(integrations::push::api_key))
        .routes(routes!(
            integrations::push::api_subscribe,
            integrations::push::api_unsubscribe
        ))
}
