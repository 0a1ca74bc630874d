//! Publish operations: their planned outcome and status schedule.
//!
//! An operation's transitions are fixed when it starts (`STARTED` at 0, `PENDING_GENERATION` at
//! 30 %, `PENDING_BACKEND_NOTIFICATION` at 70 %, the terminal status at 100 % of its duration), so
//! every status change is an event with a known time: reads compute the status as of "now", the
//! state applies a finished operation's effect the first time it is observed at or after its end,
//! and `completed_at` is exactly the scheduled end. A notification feed can later sleep until each
//! transition time and push it.
//!
//! GUESS: the platform documents the statuses, not how long each lasts; the 30/70 % split only
//! makes every status observable (genesys-api.md §1.4).

use std::time::Duration;

use serde_json::{Value, json};

use crate::http::records::{ActionStatus, OperationOutcome, OperationRecord, OperationSnapshot};
use crate::scenario::{EntityRef, PublishBehaviour, PublishFailure};

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
}

impl Plan {
    /// The plan for publishing `version` with behaviour `behaviour`.
    pub fn from_behaviour(behaviour: &PublishBehaviour, version: &str) -> Plan {
        match behaviour {
            PublishBehaviour::Success => Plan::Success {
                live: version.to_owned(),
            },
            PublishBehaviour::Failure(f) => Plan::Failure(f.clone()),
            PublishBehaviour::NeverFinishes => Plan::NeverFinishes,
            PublishBehaviour::LeavesOtherVersionLive { version } => Plan::Success {
                live: version.clone(),
            },
        }
    }
}

/// One publish operation.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub id: String,
    pub flow_id: String,
    pub version: String,
    pub client: EntityRef,
    pub started_at: Duration,
    pub plan: Plan,
    /// Every status the operation will reach, in order, with its time.
    pub steps: Vec<(ActionStatus, Duration)>,
    /// Whether the terminal effect has been applied to the flow.
    pub applied: bool,
}

impl Operation {
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
            Plan::NeverFinishes | Plan::Ignored => {}
        }
        Operation {
            id: uuid::Uuid::new_v4().to_string(),
            flow_id: flow_id.to_owned(),
            version: version.to_owned(),
            client,
            started_at,
            plan,
            steps,
            applied: false,
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

    /// The `Operation` model as of `now`; the error fields appear once it has failed.
    pub fn to_json(&self, now: Duration) -> Value {
        let mut op = json!({
            "id": self.id,
            "complete": self.complete_at(now),
            "client": {
                "id": self.client.id,
                "name": self.client.name,
                "selfUri": format!("/api/v2/oauth/clients/{}", self.client.id),
            },
            "actionName": "PUBLISH",
            "actionStatus": self.status_at(now).as_str(),
        });
        if let (Some(f), Some(obj)) = (self.failure_at(now), op.as_object_mut()) {
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
            action_status: self.status_at(now),
            complete: self.complete_at(now),
            error_code: self.failure_at(now).map(|f| f.error_code.clone()),
        }
    }

    pub fn record(&self, now: Duration) -> OperationRecord {
        let completed_at = self.terminal_at().filter(|t| *t <= now);
        let outcome = match (&self.plan, completed_at) {
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
        OperationRecord {
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
        }
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
        let rec = o.record(ms(5000));
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
        assert_eq!(o.record(ms(99_999)).outcome, OperationOutcome::Running);
        let o = op(Plan::Ignored);
        assert_eq!(o.status_at(ms(99_999)), ActionStatus::Started);
        assert_eq!(o.record(ms(99_999)).outcome, OperationOutcome::Ignored);
    }
}
