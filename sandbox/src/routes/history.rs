//! Flow history: `POST /api/v2/flows/{flowId}/history` and
//! `GET /api/v2/flows/{flowId}/history/{historyId}` (`architect:flow:view`; see
//! `architect/history.rs`).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use serde_json::Value;

use crate::http::errors::ApiResult;
use crate::http::middleware::Caller;
use crate::http::query::QueryParams;
use crate::state::Shared;

/// Starts a history request: the `HISTORY` operation, whose id is the history id.
// GUESS: 200.
pub(super) async fn request(
    State(shared): State<Arc<Shared>>,
    Extension(Caller(caller)): Extension<Caller>,
    Path(flow_id): Path<String>,
) -> ApiResult<Json<Value>> {
    shared
        .with(|state, now| state.request_history(&flow_id, &caller, now))
        .map(Json)
}

/// The `HistoryListing`, paged and filtered by `action`.
pub(super) async fn listing(
    State(shared): State<Arc<Shared>>,
    Path((flow_id, history_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    shared
        .with(|state, now| state.history_listing(&flow_id, &history_id, &q, now))
        .map(Json)
}
