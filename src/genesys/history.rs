//! A flow's history (flow-artifacts.md §4; PY-SDK `post_flow_history`,
//! `get_flow_history_history_id`): who checked in, published, saved or deleted what, user or
//! OAuth client. It is generated asynchronously: [`GenesysClient::request_flow_history`] starts
//! it, and [`GenesysClient::flow_history`] reads it until `complete`.

use super::client::{Answer, GenesysClient, Request};
use super::endpoint;
use super::error::ApiError;
use super::models::{EntityRef, Operation};
use super::vocabulary::{HistoryAction, OperationStatus};
use serde::Deserialize;
use tokio::time::Instant;
use url::form_urlencoded::Serializer;

/// `HistoryListing`: the history operation's state and one page of its entries.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HistoryListing {
    /// The history id.
    #[serde(default)]
    pub id: Option<String>,
    /// Whether the history has been generated; until then there are no entries.
    #[serde(default)]
    pub complete: bool,
    /// `STARTED`, `SUCCESS`, `FAILURE`, …
    #[serde(default)]
    pub action_status: Option<OperationStatus>,
    /// Why generating it failed.
    #[serde(default)]
    pub error_message: Option<String>,
    /// The entries of this page.
    #[serde(default)]
    pub entities: Vec<HistoryEntry>,
    /// This page's number, from 1.
    #[serde(default)]
    pub page_number: Option<u32>,
    /// How many pages there are.
    #[serde(default)]
    pub page_count: Option<u32>,
    /// How many entries there are in all.
    #[serde(default)]
    pub total: Option<u64>,
}

impl HistoryListing {
    /// Generating the history failed.
    pub fn failed(&self) -> bool {
        self.action_status == Some(OperationStatus::Failure)
    }
}

/// `HistoryEntry`: one thing done to the flow.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// `CHECKIN`, `PUBLISH`, `SAVE`, …
    #[serde(default)]
    pub action: Option<HistoryAction>,
    /// The sub-item acted on (a prompt resource's name), when not the flow itself.
    #[serde(default)]
    pub resource: Option<String>,
    /// When (ISO-8601).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The user who did it (a `User`).
    #[serde(default)]
    pub user: Option<EntityRef>,
    /// The OAuth client that did it (a `DomainEntityRef`).
    #[serde(default)]
    pub client: Option<EntityRef>,
    /// The flow version concerned.
    #[serde(default)]
    pub version: Option<String>,
}

impl HistoryEntry {
    /// Who did it, for a person to read: `user Ana (u1)`, `OAuth client CI (c1)`.
    pub fn actor(&self) -> Option<String> {
        match (&self.user, &self.client) {
            (Some(user), _) => Some(format!("user {}", user.label())),
            (None, Some(client)) => Some(format!("OAuth client {}", client.label())),
            (None, None) => None,
        }
    }
}

/// The query of a history page: newest first, by timestamp (the PY-SDK's defaults, written
/// out), `pageSize` entries.
fn newest_first(page_size: usize) -> String {
    Serializer::new(String::new())
        .append_pair("sortOrder", "desc")
        .append_pair("sortBy", "timestamp")
        .append_pair("pageSize", &page_size.to_string())
        .append_pair("pageNumber", "1")
        .finish()
}

impl GenesysClient {
    /// `POST /api/v2/flows/{flowId}/history`: starts generating the flow's history. The answer
    /// is an `Operation` (`actionName: HISTORY`) whose `id` is the history id to read.
    pub async fn request_flow_history(
        &self,
        flow_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Answer<Operation>, ApiError> {
        let request = Request::to(&endpoint::FLOW_HISTORY_REQUEST, &[flow_id]).until(deadline);
        self.send(&request).await
    }

    /// `GET /api/v2/flows/{flowId}/history/{historyId}?sortOrder=desc&sortBy=timestamp&pageSize=…`:
    /// the newest `page_size` entries, once `complete`; before that, no entries.
    pub async fn flow_history(
        &self,
        flow_id: &str,
        history_id: &str,
        page_size: usize,
        deadline: Option<Instant>,
    ) -> Result<Answer<HistoryListing>, ApiError> {
        let request = Request::to(&endpoint::FLOW_HISTORY, &[flow_id, history_id])
            .query(&newest_first(page_size))
            .until(deadline);
        self.send(&request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_history_as_the_platform_writes_it() {
        let listing: HistoryListing = serde_json::from_str(
            r#"{"id":"h1","complete":true,"actionName":"HISTORY","actionStatus":"SUCCESS",
                "entities":[
                  {"action":"PUBLISH","timestamp":"2026-01-02T00:00:00.000Z",
                   "client":{"id":"c1","name":"CI"},"version":"3.0"},
                  {"action":"CHECKIN","timestamp":"2026-01-01T00:00:00.000Z",
                   "user":{"id":"u1","name":"Ana"},"version":"3.0","secure":false}],
                "pageSize":25,"pageNumber":1,"total":2,"pageCount":1}"#,
        )
        .expect("a listing");
        assert!(listing.complete && !listing.failed());
        let actors: Vec<_> = listing.entities.iter().filter_map(|e| e.actor()).collect();
        assert_eq!(actors, ["OAuth client CI (c1)", "user Ana (u1)"]);
        assert_eq!(listing.entities[0].action, Some(HistoryAction::Publish));
    }

    #[test]
    fn a_pending_history_has_no_entries() {
        let listing: HistoryListing =
            serde_json::from_str(r#"{"id":"h1","complete":false,"actionStatus":"STARTED"}"#)
                .expect("a listing");
        assert!(!listing.complete && listing.entities.is_empty());
    }

    #[test]
    fn pages_are_asked_newest_first() {
        assert_eq!(
            newest_first(50),
            "sortOrder=desc&sortBy=timestamp&pageSize=50&pageNumber=1"
        );
    }
}
