//! `GET /api/v2/routing/skills[?id=...]` and `GET /api/v2/routing/skills/{id}` (genesys-api.md §2).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::Value;

use crate::architect::model;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::paging::{Page, listing};
use crate::http::query::QueryParams;
use crate::scenario::SkillState;
use crate::state::Shared;

pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    shared.with(|state, _| {
        let page = Page::from_query(&q, state.settings.max_page_size)?;
        let ids = q.list("id");
        let name = q.get("name").map(str::to_lowercase);
        let all = state
            .skills
            .values()
            // Asked for by id, deleted skills come back with state "deleted" (genesys-api.md §2).
            // GUESS: an unfiltered listing leaves deleted skills out.
            .filter(|s| {
                if ids.is_empty() {
                    s.state != SkillState::Deleted
                } else {
                    ids.contains(&s.id)
                }
            })
            // `name` is "Filter for results that start with this value".
            .filter(|s| {
                name.as_ref()
                    .is_none_or(|n| s.name.to_lowercase().starts_with(n))
            })
            .map(|s| model::skill(state, s))
            .collect();
        Ok(Json(listing(all, page, "/api/v2/routing/skills", &q)))
    })
}

pub(super) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Path(skill_id): Path<String>,
) -> ApiResult<Json<Value>> {
    shared.with(|state, _| {
        let skill = state
            .skills
            .get(&skill_id)
            .ok_or_else(|| ApiError::not_found(format!("Skill {skill_id} not found")))?;
        Ok(Json(model::skill(state, skill)))
    })
}
