//! Bot flow sessions: create one, post turns to it (genesys-api.md §10).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::http::errors::{ApiError, ApiResult};
use crate::state::Shared;

/// The JSON body, or the 400 envelope (axum's own rejection has no envelope).
fn body(bytes: &Bytes) -> ApiResult<Value> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}")))
}

/// `POST /api/v2/textbots/botflows/sessions`: `TextBotFlowLaunchResponse {id}`.
// GUESS: 200 rather than 201 or 202.
pub(super) async fn create_session(
    State(shared): State<Arc<Shared>>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let request = body(&bytes)?;
    shared.with(|state, now| {
        let id = state.start_bot_session(&request, now)?;
        Ok(Json(json!({ "id": id })))
    })
}

/// `POST /api/v2/textbots/botflows/sessions/{sessionId}/turns`: `TextBotFlowTurnResponse`.
pub(super) async fn turn(
    State(shared): State<Arc<Shared>>,
    Path(session_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let request = body(&bytes)?;
    shared.with(|state, _| state.bot_turn(&session_id, &request).map(Json))
}
