//! The HTTP surface: one module per API family.

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, put};

use crate::http::middleware::{auth_layer, not_found, request_layer};
use crate::state::Shared;

mod auth;
mod dependencies;
mod directory;
mod flows;
mod history;
mod jobs;
mod notifications;
mod org;
mod skills;
mod textbots;

/// Every route, behind the auth layer (`/api/v2/...`) and the request layer (all).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/v2/flows", get(flows::list))
        .route("/api/v2/flows/{flow_id}", get(flows::get_one))
        .route(
            "/api/v2/flows/{flow_id}/versions",
            get(flows::list_versions),
        )
        .route(
            "/api/v2/flows/{flow_id}/versions/{version_id}",
            get(flows::get_version),
        )
        .route(
            "/api/v2/flows/{flow_id}/versions/{version_id}/configuration",
            get(flows::get_configuration),
        )
        .route("/api/v2/flows/actions/publish", post(flows::publish))
        .route("/api/v2/flows/actions/unlock", post(flows::unlock))
        .route("/api/v2/flows/{flow_id}/history", post(history::request))
        .route(
            "/api/v2/flows/{flow_id}/history/{history_id}",
            get(history::listing),
        )
        .route("/api/v2/routing/queues", get(directory::queues))
        .route("/api/v2/integrations/actions", get(directory::data_actions))
        .route(
            "/api/v2/knowledge/knowledgebases",
            get(directory::knowledge_bases),
        )
        .route(
            "/api/v2/architect/dependencytracking/consumingresources",
            get(dependencies::consuming),
        )
        .route("/api/v2/flows/jobs", post(jobs::register_import))
        .route("/api/v2/flows/jobs/{job_id}", get(jobs::import_status))
        .route("/api/v2/flows/export/jobs", post(jobs::register_export))
        .route(
            "/api/v2/flows/export/jobs/{job_id}",
            get(jobs::export_status),
        )
        .route("/api/v2/organizations/me", get(org::organization))
        .route("/api/v2/tokens/me", get(org::token))
        .route("/api/v2/routing/skills", get(skills::list))
        .route("/api/v2/routing/skills/{skill_id}", get(skills::get_one))
        .route(
            "/api/v2/architect/dependencytracking/consumedresources",
            get(dependencies::consumed),
        )
        .route(
            "/api/v2/textbots/botflows/sessions",
            post(textbots::create_session),
        )
        .route(
            "/api/v2/textbots/botflows/sessions/{session_id}/turns",
            post(textbots::turn),
        )
        .merge(notifications::api_routes())
        .route_layer(from_fn_with_state(shared.clone(), auth_layer));
    let presigned = Router::new()
        .route(
            &format!("{}/{{job_id}}", crate::jobs::s3::UPLOAD_PATH),
            put(jobs::upload),
        )
        .route(
            &format!("{}/{{job_id}}", crate::jobs::s3::DOWNLOAD_PATH),
            get(jobs::download),
        );
    api.route("/oauth/token", post(auth::token))
        .merge(presigned)
        .merge(notifications::streaming_routes())
        .fallback(not_found)
        .layer(from_fn_with_state(shared.clone(), request_layer))
        .with_state(shared)
}
