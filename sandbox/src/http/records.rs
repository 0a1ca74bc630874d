//! What the sandbox lets tests and benchmarks read back: the request log, publish operations
//! and flow snapshots. All times are `Duration`s since `Sandbox::epoch()`.

use std::time::Duration;

use serde::Serialize;

use crate::scenario::EntityRef;

/// Who did something: a person in Architect (a user) or a pipeline (an OAuth client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// A user (`createdBy`, `publishedBy`, a history entry's `user`).
    User(EntityRef),
    /// An OAuth client (`createdByClient`, a history entry's `client`).
    Client(EntityRef),
}

impl Actor {
    /// The user or client.
    pub fn entity(&self) -> &EntityRef {
        match self {
            Actor::User(e) | Actor::Client(e) => e,
        }
    }

    /// `{id, name, selfUri}` under `/api/v2/users` or `/api/v2/oauth/clients`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let (e, base) = match self {
            Actor::User(e) => (e, "/api/v2/users"),
            Actor::Client(e) => (e, "/api/v2/oauth/clients"),
        };
        serde_json::json!({"id": e.id, "name": e.name, "selfUri": format!("{base}/{}", e.id)})
    }
}

/// One entry of a flow's history, as the sandbox recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRecord {
    /// The flow.
    pub flow_id: String,
    /// `action`: `CHECKIN`, `CHECKOUT`, `CREATE`, `DEACTIVATE`, `DEBUG`, `DELETE`, `PUBLISH`,
    /// `REVERT`, `SAVE`, `TRANSCODE`, `UPDATE` or `UPLOAD`.
    pub action: String,
    /// Who did it.
    pub actor: Actor,
    /// The version it concerns, if any.
    pub version: Option<String>,
    /// When, since the sandbox's epoch.
    pub at: Duration,
}

/// One request the sandbox saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// HTTP method, upper-case.
    pub method: String,
    /// Path only, without the query.
    pub path: String,
    /// Raw query string (empty when there was none).
    pub query: String,
    /// Status answered; 0 when the connection was dropped without a response.
    pub status: u16,
    /// When the request arrived.
    pub at: Duration,
    /// Which injected fault(s) answered or delayed it (`rate_limit`, `slow+server_error`...).
    pub fault: Option<String>,
    /// Whether an `Authorization` header was sent (its value is never stored).
    pub authorization_present: bool,
}

/// `Operation.actionStatus` values a publish moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionStatus {
    /// Accepted.
    Started,
    /// Generating the flow.
    PendingGeneration,
    /// Notifying the back end.
    PendingBackendNotification,
    /// Finished; the version is live (or, with `leaves_other_version_live`, another one is).
    Success,
    /// Finished; nothing changed.
    Failure,
}

impl ActionStatus {
    /// The enum value as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Started => "STARTED",
            ActionStatus::PendingGeneration => "PENDING_GENERATION",
            ActionStatus::PendingBackendNotification => "PENDING_BACKEND_NOTIFICATION",
            ActionStatus::Success => "SUCCESS",
            ActionStatus::Failure => "FAILURE",
        }
    }

    /// Whether this status ends an operation.
    pub fn is_terminal(self) -> bool {
        matches!(self, ActionStatus::Success | ActionStatus::Failure)
    }
}

/// How a publish operation has turned out so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationOutcome {
    /// Not finished (yet, or ever: `never_finishes`).
    Running,
    /// Reached `SUCCESS`; `live_version` is what became the published version.
    Succeeded {
        /// The version live after the operation.
        live_version: String,
    },
    /// Reached `FAILURE` with this `errorCode`.
    Failed {
        /// The operation's `errorCode`.
        error_code: String,
    },
    /// A publish of an unknown version answered 200 and did nothing (`unknown_version: ignore`).
    Ignored,
}

/// One publish operation (a rollback is a publish too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationRecord {
    /// The flow published.
    pub flow_id: String,
    /// The version asked for.
    pub version: String,
    /// `Operation.id`, as returned by `actions/publish` and shown in `currentOperation`.
    pub operation_id: String,
    /// When the publish request was accepted.
    pub started_at: Duration,
    /// Exactly when the terminal status was reached, once it has been.
    pub completed_at: Option<Duration>,
    /// The status now.
    pub status: ActionStatus,
    /// Every status reached so far, with when it was reached.
    pub transitions: Vec<(ActionStatus, Duration)>,
    /// How it turned out.
    pub outcome: OperationOutcome,
}

/// The `currentOperation` of a flow, as seen now: a publish, or a user's operation of another
/// kind (`touch_after_publish`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationSnapshot {
    /// `Operation.id`.
    pub id: String,
    /// `actionName`: `PUBLISH`, or another action a `touch_after_publish` put there.
    pub action_name: String,
    /// `actionStatus`.
    pub action_status: ActionStatus,
    /// `complete`.
    pub complete: bool,
    /// `errorCode`, on failure.
    pub error_code: Option<String>,
}

/// A flow's state now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowSnapshot {
    /// Flow id.
    pub id: String,
    /// Flow name.
    pub name: String,
    /// `type`, upper-case.
    pub flow_type: String,
    /// `deleted`.
    pub deleted: bool,
    /// `publishedVersion.id`.
    pub published_version: Option<String>,
    /// `checkedInVersion.id`.
    pub checked_in_version: Option<String>,
    /// `savedVersion.id`.
    pub saved_version: Option<String>,
    /// `lockedUser`.
    pub locked_user: Option<EntityRef>,
    /// `lockedClient`.
    pub locked_client: Option<EntityRef>,
    /// `currentOperation`.
    pub current_operation: Option<OperationSnapshot>,
    /// Who published the live version (`publishedBy` shows only a user).
    pub published_by: Option<Actor>,
}
