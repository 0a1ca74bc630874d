//! The names flow YAML refers to (flow-artifacts.md §2): `GET /api/v2/routing/queues?name=`
//! (`routing:queue:view`), `GET /api/v2/integrations/actions?name=`
//! (`integrations:action:view`) and `GET /api/v2/knowledge/knowledgebases?name=`
//! (`knowledge:knowledgebase:view`), as paged listings.
//!
//! GUESS: the docs say "name filter" (queues: asterisks allowed). Here `name` matches the whole
//! name without regard to case; for queues a `*` in it matches any run of characters. The
//! knowledge listing is paged like the others (the real one may page by cursor).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

use crate::http::errors::ApiResult;
use crate::http::paging::{Page, listing};
use crate::http::query::QueryParams;
use crate::state::Shared;

/// Whether `name` matches `pattern`, without regard to case; `*` matches any run when
/// `wildcards` is set.
pub(crate) fn name_matches(pattern: &str, name: &str, wildcards: bool) -> bool {
    let (pattern, name) = (pattern.to_lowercase(), name.to_lowercase());
    if !wildcards || !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || !name[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

fn respond(
    shared: &Shared,
    raw: Option<&str>,
    path: &str,
    entities: impl FnOnce(&crate::state::State, Option<&str>) -> Vec<Value>,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw);
    shared.with(|state, _| {
        let page = Page::from_query(&q, state.settings.max_page_size)?;
        let all = entities(state, q.get("name"));
        Ok(Json(listing(all, page, path, &q)))
    })
}

/// `GET /api/v2/routing/queues[?name=]`: `{id, name, selfUri}` per queue.
pub(super) async fn queues(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let path = "/api/v2/routing/queues";
    respond(&shared, raw.as_deref(), path, |state, name| {
        state
            .queues
            .iter()
            .filter(|q| name.is_none_or(|n| name_matches(n, &q.name, true)))
            .map(|q| json!({"id": q.id, "name": q.name, "selfUri": format!("{path}/{}", q.id)}))
            .collect()
    })
}

/// `GET /api/v2/integrations/actions[?name=]`: `{id, name, category?, selfUri}` per action;
/// `category` is the integration's name.
pub(super) async fn data_actions(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let path = "/api/v2/integrations/actions";
    respond(&shared, raw.as_deref(), path, |state, name| {
        state
            .data_actions
            .iter()
            .filter(|a| name.is_none_or(|n| name_matches(n, &a.name, false)))
            .map(|a| {
                let mut obj =
                    json!({"id": a.id, "name": a.name, "selfUri": format!("{path}/{}", a.id)});
                if let (Some(i), Some(o)) = (&a.integration, obj.as_object_mut()) {
                    o.insert("category".into(), json!(i));
                }
                obj
            })
            .collect()
    })
}

/// `GET /api/v2/knowledge/knowledgebases[?name=]`: `{id, name, selfUri}` per knowledge base.
pub(super) async fn knowledge_bases(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let path = "/api/v2/knowledge/knowledgebases";
    respond(&shared, raw.as_deref(), path, |state, name| {
        state
            .knowledge_bases
            .iter()
            .filter(|k| name.is_none_or(|n| name_matches(n, &k.name, false)))
            .map(|k| json!({"id": k.id, "name": k.name, "selfUri": format!("{path}/{}", k.id)}))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whole_and_queues_take_asterisks() {
        assert!(name_matches("front desk", "Front Desk", false));
        assert!(!name_matches("Front", "Front Desk", false));
        assert!(!name_matches("Front*", "Front Desk", false), "no wildcards");
        assert!(name_matches("Front*", "Front Desk", true));
        assert!(name_matches("*desk", "Front Desk", true));
        assert!(name_matches("f*n*k", "Front Desk", true));
        assert!(!name_matches("f*x*k", "Front Desk", true));
        assert!(name_matches("*", "anything", true));
        assert!(!name_matches("ab*ab", "ab", true), "parts must not overlap");
    }
}
