//! Architect flows: read one, bulk read, read a version and its configuration, publish, unlock
//! (genesys-api.md §1.3; statuses and codes from genesys-api-verified.md findings D and E).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::Value;

use crate::architect::configuration;
use crate::scenario::PublishAnswer;

use crate::architect::model;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::middleware::Caller;
use crate::http::paging::{Page, listing};
use crate::http::query::QueryParams;
use crate::state::{FlowState, Shared, version_order};

fn flag(q: &QueryParams, name: &str) -> bool {
    q.get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// `GET /api/v2/flows`: by `id` (repeated or comma-joined), or filtered by `type`, `name`,
/// `deleted`; sorted by `sortBy` (`id` or `name`) and `sortOrder`; paged.
pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    shared.with(|state, now| {
        let page = Page::from_query(&q, state.settings.max_page_size)?;
        let ids = q.list("id");
        let types: Vec<String> = q
            .list("type")
            .iter()
            .map(|t| t.to_ascii_uppercase())
            .collect();
        let name = q.get("name").map(str::to_lowercase);
        let deleted = flag(&q, "deleted");
        let keep = |f: &&FlowState| {
            if !ids.is_empty() {
                // "If one or more IDs are specified, the search will fetch flows that match the
                // given ID(s) and not use any additional supplied query parameters".
                // GUESS: so deleted flows are included, with deleted:true (genesys-api.md
                // [VERIFY] item 4 asks the same for single reads).
                return ids.contains(&f.id);
            }
            (deleted || !f.deleted)
                && (types.is_empty() || types.contains(&f.flow_type))
                && name
                    .as_ref()
                    .is_none_or(|n| f.name.to_lowercase().contains(n))
        };
        let mut flows: Vec<&FlowState> = state.flows.values().filter(keep).collect();
        if q.get("sortBy") == Some("name") {
            flows.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        }
        if q.get("sortOrder")
            .is_some_and(|o| o.eq_ignore_ascii_case("desc"))
        {
            flows.reverse();
        }
        let all = flows
            .into_iter()
            .map(|f| model::flow(state, f, now))
            .collect();
        Ok(Json(listing(all, page, "/api/v2/flows", &q)))
    })
}

/// `GET /api/v2/flows/{flowId}[?deleted=true]`.
pub(super) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Path(flow_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    shared.with(|state, now| {
        // A deleted flow is 410 `architect.flow.deleted` unless `deleted=true` ("Include
        // deleted flows") asks for it (SWAGGER-2018, finding E).
        let flow = state
            .flows
            .get(&flow_id)
            .ok_or_else(|| ApiError::not_found(format!("Flow {flow_id} not found")))?;
        if flow.deleted && !flag(&q, "deleted") {
            return Err(ApiError::flow_deleted());
        }
        Ok(Json(model::flow(state, flow, now)))
    })
}

/// `GET /api/v2/flows/{flowId}/versions`: every version, newest first, paged.
// GUESS: the order (SWAGGER-2018 documents paging, not an order).
pub(super) async fn list_versions(
    State(shared): State<Arc<Shared>>,
    Path(flow_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    shared.with(|state, _| {
        let page = Page::from_query(&q, state.settings.max_page_size)?;
        let flow = state.architect_flow(&flow_id)?;
        let mut ids: Vec<&str> = flow.versions.iter().map(|v| v.id.as_str()).collect();
        ids.sort_by_key(|id| std::cmp::Reverse(version_order(id)));
        let all = ids
            .into_iter()
            .map(|id| model::version(state, flow, id))
            .collect();
        let path = format!("/api/v2/flows/{flow_id}/versions");
        Ok(Json(listing(all, page, &path, &q)))
    })
}

/// `GET /api/v2/flows/{flowId}/versions/{versionId}`: 410 for a deleted flow, 404
/// `architect.flow.version.missing` for an unknown version (SWAGGER-2018).
pub(super) async fn get_version(
    State(shared): State<Arc<Shared>>,
    Path((flow_id, version_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    shared.with(|state, _| {
        let flow = state.architect_flow(&flow_id)?;
        if flow.version(&version_id).is_none() {
            return Err(ApiError::version_missing());
        }
        Ok(Json(model::version(state, flow, &version_id)))
    })
}

/// `GET /api/v2/flows/{flowId}/versions/{versionId}/configuration[?deleted=true]`: the
/// version's configuration object.
// GUESS: SWAGGER-2018 lists only the generic 404 for this endpoint; a deleted flow (without
// `deleted=true`) and an unknown version answer as `GET .../versions/{versionId}` does.
pub(super) async fn get_configuration(
    State(shared): State<Arc<Shared>>,
    Path((flow_id, version_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    shared.with(|state, _| {
        let flow = state
            .flows
            .get(&flow_id)
            .ok_or_else(|| ApiError::not_found(format!("Flow {flow_id} not found")))?;
        if flow.deleted && !flag(&q, "deleted") {
            return Err(ApiError::flow_deleted());
        }
        let spec = flow
            .version(&version_id)
            .ok_or_else(ApiError::version_missing)?;
        Ok(Json(configuration::configuration(state, flow, spec)))
    })
}

/// `POST /api/v2/flows/actions/publish?flow=&version=` (no body): 200 with the `Operation`
/// (the SDKs' return type), or, with `publish_answer: accepted_empty`, SWAGGER-2018's other
/// success `202 "Accepted - the publish has begun"` with an empty body.
// GUESS: the returned id is the one `currentOperation` then shows.
pub(super) async fn publish(
    State(shared): State<Arc<Shared>>,
    Extension(Caller(caller)): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let q = QueryParams::parse(raw.as_deref());
    let (index, body, answer) = shared.with(|state, now| {
        let index = state.publish(q.get("flow"), q.get("version"), &caller, now)?;
        let op = state
            .operations
            .get(index)
            .ok_or_else(|| ApiError::not_found("operation vanished"))?;
        Ok::<_, ApiError>((index, op.to_json(now), state.settings.publish_answer))
    })?;
    // Pushes each status transition to subscribed notification sockets at its time.
    crate::push::events::schedule(&shared, index);
    Ok(match answer {
        PublishAnswer::Operation => Json(body).into_response(),
        PublishAnswer::AcceptedEmpty => StatusCode::ACCEPTED.into_response(),
    })
}

/// `POST /api/v2/flows/actions/unlock?flow=`: clears the lock, returns the `Flow`.
pub(super) async fn unlock(
    State(shared): State<Arc<Shared>>,
    Extension(Caller(caller)): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    shared.with(|state, now| {
        let id = state.unlock(q.get("flow"), &caller, now)?;
        let flow = state.architect_flow(&id)?;
        Ok(Json(model::flow(state, flow, now)))
    })
}
