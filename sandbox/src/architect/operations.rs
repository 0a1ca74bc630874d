//! Architect operations: publishes, with their planned outcome and status schedule, and the
//! completed operations of other kinds a user's work leaves in `currentOperation`.
//!
//! A publish's transitions are fixed when it starts (`STARTED` at 0, `PENDING_GENERATION` at
//! 30 %, `PENDING_BACKEND_NOTIFICATION` at 70 %, the terminal status at 100 % of its duration), so
//! every status change is an event with a known time: reads compute the status as of "now", the
//! state applies a finished operation's effect the first time it is observed at or after its end,
//! and `completed_at` is exactly the scheduled end. A notification feed sleeps until each
//! transition time and pushes it.
//!
//! GUESS: the platform documents the statuses, not how long each lasts; the 30/70 % split only
//! makes every status observable (genesys-api.md §1.4).

use std::time::Duration;

use serde_json::{Value, json};

use crate::http::records::{
    ActionStatus, Actor, OperationOutcome, OperationRecord, OperationSnapshot,
};
use crate::scenario::{EntityRef, PublishBehaviour, PublishFailure};

/// `actionName` of a publish.
pub(crate) const PUBLISH: &str = "PUBLISH";

/// How an operation will end.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Plan {
    /// `SUCCESS`; `live` becomes the published version.
    Success { live: String },
    /// `FAILURE` with these fields.
    Failure(PublishFailure),
    /// Stops at `PENDING_BACKEND_NOTIFICATION`.
    NeverFinishes,
    /// Stays `STARTED`, changes nothing (unknown version, `unknown_version: ignore`).
    Ignored,
    /// A user's completed operation of another kind (`touch_after_publish`): at its time it
    /// becomes the flow's `currentOperation`, if the publish `after` (an index into the
    /// operations) still is.
    Touch { after: usize },
}

impl Plan {
    /// The plan for publishing `version` with behaviour `behaviour`; a plain success makes
    /// `live` the published version (the version itself, or its copy in `new_version` mode).
    pub fn from_behaviour(behaviour: &PublishBehaviour, live: &str) -> Plan {
        match behaviour {
            PublishBehaviour::Success => Plan::Success {
                live: live.to_owned(),
            },
            PublishBehaviour::Failure(f) => Plan::Failure(f.clone()),
            PublishBehaviour::NeverFinishes => Plan::NeverFinishes,
            PublishBehaviour::LeavesOtherVersionLive { version } => Plan::Success {
                live: version.clone(),
            },
        }
    }
}

/// One operation on a flow.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub id: String,
    pub flow_id: String,
    /// The version asked for (a publish), or the one live (a touch).
    pub version: String,
    /// `actionName`: `PUBLISH`, or a touch's action.
    pub action: String,
    /// The OAuth client that started it (publishes).
    pub client: Option<EntityRef>,
    /// The user who did it (touches).
    pub user: Option<EntityRef>,
    pub started_at: Duration,
    pub plan: Plan,
    /// Every status the operation will reach, in order, with its time.
    pub steps: Vec<(ActionStatus, Duration)>,
    /// Whether the terminal effect has been applied to the flow.
    pub applied: bool,
    /// A republish in `new_version` mode: the version whose content the new live one copies.
    pub copy_of: Option<String>,
    /// The touch that follows this publish, as an index into the operations.
    pub touch: Option<usize>,
}

impl Operation {
    /// A publish of `version`.
    pub fn new(
        flow_id: &str,
        version: &str,
        client: EntityRef,
        started_at: Duration,
        duration: Duration,
        plan: Plan,
    ) -> Operation {
        let at = |fraction: u32| started_at + duration * fraction / 10;
        let mut steps = vec![(ActionStatus::Started, started_at)];
        if plan != Plan::Ignored {
            steps.push((ActionStatus::PendingGeneration, at(3)));
            steps.push((ActionStatus::PendingBackendNotification, at(7)));
        }
        match plan {
            Plan::Success { .. } => steps.push((ActionStatus::Success, at(10))),
            Plan::Failure(_) => steps.push((ActionStatus::Failure, at(10))),
            Plan::NeverFinishes | Plan::Ignored | Plan::Touch { .. } => {}
        }
        Operation {
            id: uuid::Uuid::new_v4().to_string(),
            flow_id: flow_id.to_owned(),
            version: version.to_owned(),
            action: PUBLISH.to_owned(),
            client: Some(client),
            user: None,
            started_at,
            plan,
            steps,
            applied: false,
            copy_of: None,
            touch: None,
        }
    }

    /// A user's `action`, complete with `SUCCESS` at `at`, following the publish `after`.
    pub fn touch(
        flow_id: &str,
        version: &str,
        after: usize,
        action: &str,
        user: EntityRef,
        at: Duration,
    ) -> Operation {
        Operation {
            id: uuid::Uuid::new_v4().to_string(),
            flow_id: flow_id.to_owned(),
            version: version.to_owned(),
            action: action.to_owned(),
            client: None,
            user: Some(user),
            started_at: at,
            plan: Plan::Touch { after },
            steps: vec![(ActionStatus::Success, at)],
            applied: false,
            copy_of: None,
            touch: None,
        }
    }

    /// The same operation done by a user (in Architect) instead of a client.
    pub fn by_user(mut self, user: EntityRef) -> Operation {
        self.client = None;
        self.user = Some(user);
        self
    }

    /// Who did it.
    pub fn actor(&self) -> Option<Actor> {
        match (&self.client, &self.user) {
            (Some(client), _) => Some(Actor::Client(client.clone())),
            (None, Some(user)) => Some(Actor::User(user.clone())),
            (None, None) => None,
        }
    }

    /// When the terminal status is (or will be) reached.
    pub fn terminal_at(&self) -> Option<Duration> {
        self.steps
            .last()
            .filter(|(s, _)| s.is_terminal())
            .map(|(_, at)| *at)
    }

    /// The status as of `now`.
    pub fn status_at(&self, now: Duration) -> ActionStatus {
        self.steps
            .iter()
            .take_while(|(_, at)| *at <= now)
            .last()
            .map_or(ActionStatus::Started, |(s, _)| *s)
    }

    pub fn complete_at(&self, now: Duration) -> bool {
        self.terminal_at().is_some_and(|t| t <= now)
    }

    fn failure_at(&self, now: Duration) -> Option<&PublishFailure> {
        match &self.plan {
            Plan::Failure(f) if self.complete_at(now) => Some(f),
            _ => None,
        }
    }

    /// The `Operation` model as of `now`; the error fields appear once it has failed. A
    /// touch carries `user` and an empty `errorDetails`, as the captured answer of finding G.
    pub fn to_json(&self, now: Duration) -> Value {
        let mut op = json!({
            "id": self.id,
            "complete": self.complete_at(now),
            "actionName": self.action,
            "actionStatus": self.status_at(now).as_str(),
        });
        let Some(obj) = op.as_object_mut() else {
            return op;
        };
        if let Some(user) = &self.user {
            obj.insert(
                "user".into(),
                json!({"id": user.id, "name": user.name, "selfUri": format!("/api/v2/users/{}", user.id)}),
            );
        }
        if let Some(client) = &self.client {
            obj.insert(
                "client".into(),
                json!({
                    "id": client.id,
                    "name": client.name,
                    "selfUri": format!("/api/v2/oauth/clients/{}", client.id),
                }),
            );
        }
        if let Plan::Touch { .. } = self.plan {
            obj.insert("errorDetails".into(), json!([]));
        }
        if let Some(f) = self.failure_at(now) {
            obj.insert("errorCode".into(), json!(f.error_code));
            obj.insert("errorMessage".into(), json!(f.error_message));
            obj.insert("errorDetails".into(), json!(f.error_details));
            obj.insert("errorMessageParams".into(), json!(f.error_message_params));
        }
        op
    }

    pub fn snapshot(&self, now: Duration) -> OperationSnapshot {
        OperationSnapshot {
            id: self.id.clone(),
            action_name: self.action.clone(),
            action_status: self.status_at(now),
            complete: self.complete_at(now),
            error_code: self.failure_at(now).map(|f| f.error_code.clone()),
        }
    }

    /// The record of a publish as of `now`; `None` for other operations.
    pub fn record(&self, now: Duration) -> Option<OperationRecord> {
        let completed_at = self.terminal_at().filter(|t| *t <= now);
        let outcome = match (&self.plan, completed_at) {
            (Plan::Touch { .. }, _) => return None,
            (Plan::Ignored, _) => OperationOutcome::Ignored,
            (_, None) => OperationOutcome::Running,
            (Plan::Success { live }, Some(_)) => OperationOutcome::Succeeded {
                live_version: live.clone(),
            },
            (Plan::Failure(f), Some(_)) => OperationOutcome::Failed {
                error_code: f.error_code.clone(),
            },
            (Plan::NeverFinishes, Some(_)) => OperationOutcome::Running,
        };
        Some(OperationRecord {
            flow_id: self.flow_id.clone(),
            version: self.version.clone(),
            operation_id: self.id.clone(),
            started_at: self.started_at,
            completed_at,
            status: self.status_at(now),
            transitions: self
                .steps
                .iter()
                .filter(|(_, at)| *at <= now)
                .copied()
                .collect(),
            outcome,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(plan: Plan) -> Operation {
        let client = EntityRef {
            id: "c".into(),
            name: "C".into(),
        };
        let ms = Duration::from_millis;
        Operation::new("f", "2.0", client, ms(1000), ms(100), plan)
    }

    #[test]
    fn statuses_follow_the_schedule() {
        let o = op(Plan::Success { live: "2.0".into() });
        let ms = Duration::from_millis;
        assert_eq!(o.status_at(ms(1000)), ActionStatus::Started);
        assert_eq!(o.status_at(ms(1029)), ActionStatus::Started);
        assert_eq!(o.status_at(ms(1030)), ActionStatus::PendingGeneration);
        assert_eq!(
            o.status_at(ms(1070)),
            ActionStatus::PendingBackendNotification
        );
        assert!(!o.complete_at(ms(1099)));
        assert_eq!(o.status_at(ms(1100)), ActionStatus::Success);
        let rec = o.record(ms(5000)).expect("a publish");
        assert_eq!(rec.completed_at, Some(ms(1100)));
        assert_eq!(rec.transitions.len(), 4);
        assert_eq!(
            rec.outcome,
            OperationOutcome::Succeeded {
                live_version: "2.0".into()
            }
        );
        assert_eq!(o.to_json(ms(1100))["complete"], true);
    }

    #[test]
    fn failure_fields_appear_only_once_failed() {
        let o = op(Plan::Failure(PublishFailure::default()));
        let ms = Duration::from_millis;
        assert!(o.to_json(ms(1050)).get("errorCode").is_none());
        let done = o.to_json(ms(1100));
        assert_eq!(done["actionStatus"], "FAILURE");
        assert_eq!(done["errorCode"], "flow.publish.validation.failed");
        assert!(done["errorDetails"].is_array());
    }

    #[test]
    fn never_finishing_and_ignored_operations_never_complete() {
        let ms = Duration::from_millis;
        let o = op(Plan::NeverFinishes);
        assert_eq!(
            o.status_at(ms(99_999)),
            ActionStatus::PendingBackendNotification
        );
        assert_eq!(
            o.record(ms(99_999)).expect("a publish").outcome,
            OperationOutcome::Running
        );
        let o = op(Plan::Ignored);
        assert_eq!(o.status_at(ms(99_999)), ActionStatus::Started);
        assert_eq!(
            o.record(ms(99_999)).expect("a publish").outcome,
            OperationOutcome::Ignored
        );
    }

    #[test]
    fn a_touch_is_complete_at_once_names_its_user_and_is_no_publish() {
        let ms = Duration::from_millis;
        let user = EntityRef {
            id: "u1".into(),
            name: "Jane Doe".into(),
        };
        let t = Operation::touch("f", "2.0", 0, "VALIDATE", user, ms(500));
        assert!(t.complete_at(ms(500)) && !t.complete_at(ms(499)));
        assert_eq!(
            t.to_json(ms(500)),
            json!({"id": t.id, "complete": true, "actionName": "VALIDATE", "actionStatus": "SUCCESS",
                   "user": {"id": "u1", "name": "Jane Doe", "selfUri": "/api/v2/users/u1"},
                   "errorDetails": []})
        );
        assert_eq!(t.record(ms(500)), None);
        assert_eq!(t.snapshot(ms(500)).action_name, "VALIDATE");
    }
}
