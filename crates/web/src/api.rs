//! The REST API under `/api/v1/`, assembled from the areas. Every handler
//! is annotated for OpenAPI and registered through `utoipa_axum::routes!`,
//! so the document at `/api/v1/openapi.json` is generated from the same
//! code that routes.
use crate::http::error::ErrorBody;
use crate::http::state::AppState;
use crate::{account, chat, community, help, integrations, orgs, status, subscriptions, support};
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
    modifiers(&BearerAuth, &ChatSocket)
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

/// The chat WebSocket in the document: a GET that upgrades (101), with
/// its frames described (they are specified in docs/chat-protocol.md).
struct ChatSocket;

impl utoipa::Modify for ChatSocket {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{
            HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
        };
        use utoipa::openapi::{Required, ResponseBuilder};
        let op = OperationBuilder::new()
            .tag("chat")
            .summary(Some("The chat's WebSocket"))
            .description(Some(
                "Upgrades to a WebSocket (session cookie from this site's pages, with an Origin check, or a bearer token). \
                 JSON text frames, each with a \"type\". Client to server: `message` {client_id, body}, `resume` {after}, \
                 `typing` {on}, `read` {seq}, `ping`. Server to client: `ack` {client_id, seq} once stored, `message` \
                 {seq, client_id, author, body, html, at} for every stored message in seq order, `typing`, `presence`, \
                 `read`, `queue` {position, estimate_secs}, `state` {state, agent}, `pong`, `error` {code, message} \
                 (then a close 1008 or 1009 for bad or too large frames). A resent client_id gets the same ack and \
                 stores nothing; resuming after seq N gives exactly the messages after N. See docs/chat-protocol.md.",
            ))
            .parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some("Chat id")),
            )
            .parameter(
                ParameterBuilder::new()
                    .name("after")
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some("Resume after this seq: only later messages are sent")),
            )
            .response("101", ResponseBuilder::new().description("Switching to the WebSocket protocol"))
            .response("401", ResponseBuilder::new().description("Sign-in required"))
            .response("403", ResponseBuilder::new().description("No chat for this caller (reason given)"))
            .response("404", ResponseBuilder::new().description("No such chat for this caller"))
            .build();
        openapi.paths.paths.insert(
            "/api/v1/chats/{id}/ws".into(),
            PathItem::new(HttpMethod::Get, op),
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
        .routes(routes!(help::api::list, help::api::create))
        .routes(routes!(help::api::get, help::api::patch))
        .routes(routes!(help::api::feedback))
        .routes(routes!(help::api::search))
        .routes(routes!(help::api::feedback_report))
        .routes(routes!(help::api::suggestion_opened))
        .routes(routes!(community::api::list, community::api::create))
        .routes(routes!(community::api::get))
        .routes(routes!(community::api::answer))
        .routes(routes!(community::api::vote))
        .routes(routes!(community::api::accept))
        .routes(routes!(community::api::moderate))
        .routes(routes!(community::api::to_request))
        .routes(routes!(community::api::to_article))
        .routes(routes!(community::api::moderate_post))
        .routes(routes!(community::api::report))
        .routes(routes!(community::api::review))
        .routes(routes!(community::api::queue))
        .routes(routes!(community::api::move_thread))
        .routes(routes!(community::api::merge))
        .routes(routes!(
            community::api::settings,
            community::api::set_settings
        ))
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
        .routes(routes!(orgs::api::revoke_access))
        .routes(routes!(orgs::people::list, orgs::people::invite))
        .routes(routes!(orgs::people::patch, orgs::people::delete))
        .routes(routes!(
            support::api::create_request,
            support::api::list_requests
        ))
        .routes(routes!(
            support::api::get_request,
            support::api::patch_request
        ))
        .routes(routes!(support::api::post_message))
        .routes(routes!(support::api::get_attachment))
        .routes(routes!(support::workspace::bulk))
        .routes(routes!(support::workspace::counts))
        .routes(routes!(support::workspace::rate))
        .routes(routes!(support::reports::support_report))
        .routes(routes!(
            support::targets::get_targets,
            support::targets::put_targets
        ))
        .routes(routes!(
            support::teams::list_teams,
            support::teams::create_team
        ))
        .routes(routes!(
            support::teams::get_team,
            support::teams::patch_team,
            support::teams::delete_team
        ))
        .routes(routes!(
            support::workspace::list_macros,
            support::workspace::create_macro
        ))
        .routes(routes!(
            support::workspace::get_macro,
            support::workspace::patch_macro,
            support::workspace::delete_macro
        ))
        .routes(routes!(
            status::api::list_components,
            status::api::create_component
        ))
        .routes(routes!(status::api::patch_component))
        .routes(routes!(status::api::create_incident))
        .routes(routes!(status::api::post_update))
        .routes(routes!(
            status::api::get_incident,
            status::api::patch_incident
        ))
        .routes(routes!(status::api::patch_update))
        .routes(routes!(status::api::list_edits))
        .routes(routes!(
            status::branding::get_branding,
            status::branding::put_branding
        ))
        .routes(routes!(status::api::create_maintenance))
        .routes(routes!(status::api::link_request))
        .routes(routes!(status::api::reply_linked))
        .routes(routes!(subscriptions::api::subscribe))
        .routes(routes!(integrations::api::create, integrations::api::list))
        .routes(routes!(integrations::api::delete))
        .routes(routes!(integrations::api::test))
        .routes(routes!(chat::api::create, chat::api::list))
        .routes(routes!(chat::api::availability))
        .routes(routes!(chat::api::get))
        .routes(routes!(chat::api::end))
        .routes(routes!(chat::api::to_request))
        .routes(routes!(chat::api::accept))
        .routes(routes!(chat::api::transfer))
        .routes(routes!(chat::api::rate))
        .routes(routes!(chat::api::transcript))
        .routes(routes!(chat::api::link))
        .routes(routes!(integrations::push::api_key))
        .routes(routes!(
            integrations::push::api_subscribe,
            integrations::push::api_unsubscribe
        ))
}
