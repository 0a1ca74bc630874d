//! Flow history (flow-artifacts.md §4, PY-SDK `ArchitectApi`): `POST /api/v2/flows/{flowId}/history`
//! starts an asynchronous `HISTORY` operation whose id is the history id;
//! `GET /api/v2/flows/{flowId}/history/{historyId}` answers a `HistoryListing` (SEEN: its
//! operation fields `id, complete, client, actionName, actionStatus, started, completed` and
//! the paged `entities[] {action, timestamp, user, client, version}`; `pageNumber` 1, `pageSize`
//! 25, `sortOrder` `desc`, `sortBy` `timestamp` and an `action` filter by default).
//!
//! The sandbox records an entry as its own actions happen: the scenario's flows (`CREATE`, a
//! `CHECKIN` per version, `PUBLISH` of the live one, `DELETE` of a deleted flow, at the
//! epoch), every successful publish (`PUBLISH`, by its client or user, when it succeeds), an
//! unlock that checks a draft in (`CHECKIN`, by the unlocking client), an import's check-in
//! (`CREATE` for a new flow, `CHECKIN`, by the importing client), a change in the UI
//! (`CHECKOUT`, `SAVE`, `CHECKIN`, then `PUBLISH`, by the user) and a `touch_after_publish`
//! whose action is a history action.
//!
//! GUESS: the timing rule. The listing is generated `history_duration_ms` after the request and
//! holds the entries up to the request; before that the GET answers the same listing with
//! `complete: false`, `actionStatus: "STARTED"` and no entities. The operation is not pushed
//! and never becomes the flow's `currentOperation`. Failed publishes leave no entry.

use std::time::Duration;

use serde_json::{Value, json};

use crate::architect::model::iso8601;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::paging::{Page, listing};
use crate::http::query::QueryParams;
use crate::http::records::{Actor, HistoryRecord};
use crate::scenario::EntityRef;
use crate::state::State;

/// The `action` values of a history entry (PY-SDK `HistoryEntry`).
pub const HISTORY_ACTIONS: [&str; 12] = [
    "CHECKIN",
    "CHECKOUT",
    "CREATE",
    "DEACTIVATE",
    "DEBUG",
    "DELETE",
    "PUBLISH",
    "REVERT",
    "SAVE",
    "TRANSCODE",
    "UPDATE",
    "UPLOAD",
];

/// A history request: the `HISTORY` operation.
#[derive(Debug, Clone)]
pub(crate) struct HistoryRequest {
    pub id: String,
    pub flow_id: String,
    pub client: EntityRef,
    pub requested_at: Duration,
    pub ready_at: Duration,
}

impl State {
    /// Records that `actor` did `action` to the flow at `at`.
    pub fn record_history(
        &mut self,
        flow_id: &str,
        action: &str,
        actor: Actor,
        version: Option<&str>,
        at: Duration,
    ) {
        self.history.push(HistoryRecord {
            flow_id: flow_id.to_owned(),
            action: action.to_owned(),
            actor,
            version: version.map(str::to_owned),
            at,
        });
    }

    /// `POST /api/v2/flows/{flowId}/history`: the `HISTORY` operation.
    pub fn request_history(
        &mut self,
        flow_id: &str,
        caller: &EntityRef,
        now: Duration,
    ) -> ApiResult<Value> {
        self.architect_flow(flow_id)?;
        let request = HistoryRequest {
            id: uuid::Uuid::new_v4().to_string(),
            flow_id: flow_id.to_owned(),
            client: caller.clone(),
            requested_at: now,
            ready_at: now + self.settings.history_duration,
        };
        let answer = operation(&request, now);
        self.history_requests.push(request);
        Ok(answer)
    }

    /// `GET /api/v2/flows/{flowId}/history/{historyId}`: the `HistoryListing`.
    pub fn history_listing(
        &self,
        flow_id: &str,
        history_id: &str,
        q: &QueryParams,
        now: Duration,
    ) -> ApiResult<Value> {
        self.architect_flow(flow_id)?;
        let page = Page::from_query(q, self.settings.max_page_size)?;
        let request = self
            .history_requests
            .iter()
            .find(|r| r.id == history_id && r.flow_id == flow_id)
            .ok_or_else(|| ApiError::not_found(format!("History {history_id} not found")))?;
        let ready = request.ready_at <= now;
        let actions: Vec<String> = q.list("action").iter().map(|a| a.to_uppercase()).collect();
        let mut entries: Vec<&HistoryRecord> = self
            .history
            .iter()
            .filter(|e| ready && e.flow_id == flow_id && e.at <= request.requested_at)
            .filter(|e| actions.is_empty() || actions.contains(&e.action))
            .collect();
        // Oldest first by time, then in the order they happened.
        entries.sort_by_key(|e| e.at);
        if !q
            .get("sortOrder")
            .is_some_and(|o| o.eq_ignore_ascii_case("asc"))
        {
            entries.reverse();
        }
        let all = entries.into_iter().map(|e| entry(self, e)).collect();
        let path = format!("/api/v2/flows/{flow_id}/history/{history_id}");
        let mut answer = listing(all, page, &path, q);
        if let (Some(obj), Value::Object(op)) = (answer.as_object_mut(), operation(request, now)) {
            obj.extend(op);
            obj.insert(
                "started".into(),
                json!(iso8601(self.wall(request.requested_at))),
            );
            if ready {
                obj.insert(
                    "completed".into(),
                    json!(iso8601(self.wall(request.ready_at))),
                );
            }
        }
        Ok(answer)
    }

    /// Every history entry of a flow, oldest first.
    pub fn history_of(&self, flow_id: &str) -> Vec<HistoryRecord> {
        let mut all: Vec<HistoryRecord> = self
            .history
            .iter()
            .filter(|e| e.flow_id == flow_id)
            .cloned()
            .collect();
        all.sort_by_key(|e| e.at);
        all
    }
}

/// The `HISTORY` operation as of `now`.
fn operation(request: &HistoryRequest, now: Duration) -> Value {
    let ready = request.ready_at <= now;
    json!({
        "id": request.id,
        "complete": ready,
        "actionName": "HISTORY",
        "actionStatus": if ready { "SUCCESS" } else { "STARTED" },
        "client": Actor::Client(request.client.clone()).to_json(),
    })
}

/// One `HistoryEntry`.
fn entry(state: &State, e: &HistoryRecord) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("action".into(), json!(e.action));
    obj.insert("timestamp".into(), json!(iso8601(state.wall(e.at))));
    let key = match e.actor {
        Actor::User(_) => "user",
        Actor::Client(_) => "client",
    };
    obj.insert(key.into(), e.actor.to_json());
    if let Some(v) = &e.version {
        obj.insert("version".into(), json!(v));
    }
    Value::Object(obj)
}
