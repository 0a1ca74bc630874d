//! `GET /api/v2/architect/dependencytracking/consumedresources` (genesys-api.md §2).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::Value;

use crate::architect::model;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::paging::{Page, listing};
use crate::http::query::QueryParams;
use crate::state::Shared;

/// What a flow version consumes, filtered by `resourceType` (repeated; none = all), paged.
pub(super) async fn consumed(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    shared.with(|state, _| {
        let page = Page::from_query(&q, state.settings.max_page_size)?;
        // GUESS: missing required parameters answer 400 like other validation errors.
        let (Some(id), Some(object_type)) = (q.get("id"), q.get("objectType")) else {
            return Err(ApiError::bad_request(
                "The query parameters id and objectType are required",
            ));
        };
        let flow = state
            .flows
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("Object {id} not found")))?;
        let resource_types: Vec<String> = q
            .list("resourceType")
            .iter()
            .map(|t| t.to_ascii_uppercase())
            .collect();
        // Dependency tracking names a flow type with a FLOW suffix: DIGITALBOT -> DIGITALBOTFLOW.
        // GUESS: an objectType that does not match the flow finds nothing rather than an error.
        let type_matches = object_type.eq_ignore_ascii_case(&format!("{}FLOW", flow.flow_type));
        // GUESS: without `version` the published version is meant, else the checked-in one; an
        // unknown version consumes nothing (genesys-api.md [VERIFY] item 6: checked-in version
        // ids are accepted here).
        let version = q
            .get("version")
            .map(str::to_owned)
            .or_else(|| flow.published.clone())
            .or_else(|| flow.checked_in.clone());
        let consumed = version
            .and_then(|v| flow.version(&v))
            .filter(|_| type_matches)
            .map(|v| v.consumes.as_slice())
            .unwrap_or_default();
        let all = consumed
            .iter()
            .filter(|c| resource_types.is_empty() || resource_types.contains(&c.resource_type))
            .map(|c| model::dependency(state, c))
            .collect();
        let path = "/api/v2/architect/dependencytracking/consumedresources";
        Ok(Json(listing(all, page, path, &q)))
    })
}
