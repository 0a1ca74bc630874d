//! The flow actions: publish (which starts an operation) and unlock.

use std::time::Duration;

use axum::http::StatusCode;

use crate::architect::operations::{Operation, Plan};
use crate::http::errors::{ApiError, ApiResult};
use crate::scenario::{EntityRef, UnknownVersion};
use crate::state::{FlowState, State};

impl State {
    /// A flow that exists and is not deleted, or the 404 envelope.
    pub fn live_flow(&self, flow_id: &str) -> ApiResult<&FlowState> {
        self.flows
            .get(flow_id)
            .filter(|f| !f.deleted)
            .ok_or_else(|| ApiError::not_found(format!("Flow {flow_id} not found")))
    }

    /// `POST /api/v2/flows/actions/publish?flow=&version=`: starts an operation and returns
    /// its index in `operations`.
    pub fn publish(
        &mut self,
        flow_id: Option<&str>,
        version: Option<&str>,
        caller: &EntityRef,
        now: Duration,
    ) -> ApiResult<usize> {
        let flow_id =
            flow_id.ok_or_else(|| ApiError::bad_request("The query parameter flow is required"))?;
        let flow = self.live_flow(flow_id)?;
        check_lock(flow, caller)?;
        if let Some(op) = flow.current_operation.and_then(|i| self.operations.get(i))
            && !op.complete_at(now)
        {
            // GUESS: the platform's answer to a second publish while one runs is not
            // documented; 409 mirrors its other "busy" conflicts (genesys-api.md [VERIFY] item 2).
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "flow.operation.in.progress",
                format!(
                    "Flow {} already has a {} operation in progress ({})",
                    flow.name, "PUBLISH", op.id
                ),
            ));
        }
        let Some(version) = version
            .map(str::to_owned)
            .or_else(|| flow.checked_in.clone())
        else {
            // GUESS: publishing a flow with nothing checked in (genesys-api.md [VERIFY] item 1).
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "flow.version.not.found",
                format!("Flow {} has no checked-in version to publish", flow.name),
            ));
        };
        let Some(spec) = flow.version(&version) else {
            // GUESS: genesys-api.md [VERIFY] item 1 — a practitioner saw 200 and nothing
            // happening; the scenario picks that or a 400.
            return match self.settings.unknown_version {
                UnknownVersion::Reject => Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "flow.version.not.found",
                    format!("Version {version} of flow {} was not found", flow.name),
                )),
                UnknownVersion::Ignore => {
                    let op = Operation::new(
                        flow_id,
                        &version,
                        caller.clone(),
                        now,
                        Duration::ZERO,
                        Plan::Ignored,
                    );
                    self.operations.push(op);
                    Ok(self.operations.len() - 1)
                }
            };
        };
        let attempt = flow.attempts.get(&version).copied().unwrap_or(0);
        let behaviour = spec
            .outcomes
            .get(attempt)
            .or(spec
                .republish
                .as_ref()
                .filter(|_| flow.ever_live.contains(&version)))
            .unwrap_or(&spec.publish);
        // GUESS: publishing an older version makes it the published one again, which is what the
        // Action's rollback relies on (genesys-api.md [VERIFY] item 1).
        let plan = Plan::from_behaviour(behaviour, &version);
        let duration = spec
            .duration_ms
            .map_or(self.settings.publish_duration, Duration::from_millis);
        let op = Operation::new(flow_id, &version, caller.clone(), now, duration, plan);
        self.operations.push(op);
        let index = self.operations.len() - 1;
        if let Some(flow) = self.flows.get_mut(flow_id) {
            *flow.attempts.entry(version).or_insert(0) += 1;
            // GUESS: currentOperation is replaced by the new one and kept after it completes
            // (genesys-api.md [VERIFY] item 3).
            flow.current_operation = Some(index);
        }
        Ok(index)
    }

    /// `POST /api/v2/flows/actions/unlock?flow=`: clears the lock.
    pub fn unlock(&mut self, flow_id: Option<&str>) -> ApiResult<String> {
        let flow_id =
            flow_id.ok_or_else(|| ApiError::bad_request("The query parameter flow is required"))?;
        self.live_flow(flow_id)?;
        if let Some(flow) = self.flows.get_mut(flow_id) {
            flow.locked_user = None;
            flow.locked_client = None;
        }
        Ok(flow_id.to_owned())
    }
}

/// A flow locked by a user, or by a client other than the caller, cannot be published.
fn check_lock(flow: &FlowState, caller: &EntityRef) -> ApiResult<()> {
    let holder = match (&flow.locked_user, &flow.locked_client) {
        (Some(user), _) => Some(("user", user)),
        (None, Some(client)) if client.id != caller.id => Some(("client", client)),
        _ => None,
    };
    match holder {
        // GUESS: status and code of publishing a flow locked by someone else are undocumented;
        // Archy says "... is locked by another entity" (genesys-api.md §7). 409 names the holder.
        Some((kind, who)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "flow.locked",
            format!(
                "Flow {} is locked by another entity: {kind} {} ({})",
                flow.name, who.name, who.id
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::records::{ActionStatus, OperationOutcome};
    use crate::scenario::Scenario;

    const FLOW: &str = "f";

    fn state(versions: &str, extra: &str) -> State {
        let json = format!(
            r#"{{"publish_duration_ms": 100, "flows": [{{"id": "{FLOW}", "name": "F",
                "type": "digitalbot", "published_version": "1.0", "checked_in_version": "2.0"
                {extra}, "versions": {versions}}}]}}"#
        );
        State::new(Scenario::from_json_str(&json).expect("scenario"), false).expect("state")
    }

    fn me() -> EntityRef {
        EntityRef {
            id: "me".into(),
            name: "Me".into(),
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn success_moves_published_version_at_the_end_only() {
        let mut s = state(r#"[{"id": "1.0"}, {"id": "2.0"}]"#, "");
        let i = s
            .publish(Some(FLOW), None, &me(), ms(0))
            .expect("publishes");
        s.advance(ms(99));
        assert_eq!(s.flows[FLOW].published.as_deref(), Some("1.0"));
        let busy = s
            .publish(Some(FLOW), Some("1.0"), &me(), ms(99))
            .expect_err("busy");
        assert_eq!(busy.status, StatusCode::CONFLICT);
        s.advance(ms(100));
        assert_eq!(s.flows[FLOW].published.as_deref(), Some("2.0"));
        assert_eq!(s.flows[FLOW].date_published_end.get("1.0"), Some(&ms(100)));
        assert_eq!(s.operations[i].status_at(ms(100)), ActionStatus::Success);
    }

    #[test]
    fn outcomes_and_republish_pick_behaviours() {
        let versions = r#"[{"id": "1.0", "republish": "failure"},
            {"id": "2.0", "outcomes": ["failure", {"leaves_other_version_live": {"version": "1.0"}}]}]"#;
        let mut s = state(versions, "");
        let a = s
            .publish(Some(FLOW), Some("2.0"), &me(), ms(0))
            .expect("first");
        let b = s
            .publish(Some(FLOW), Some("2.0"), &me(), ms(200))
            .expect("second");
        let c = s
            .publish(Some(FLOW), Some("2.0"), &me(), ms(400))
            .expect("third");
        let d = s
            .publish(Some(FLOW), Some("1.0"), &me(), ms(600))
            .expect("rollback");
        s.advance(ms(1000));
        let outcome = |i: usize| s.operations[i].record(ms(1000)).outcome;
        assert!(matches!(outcome(a), OperationOutcome::Failed { .. }));
        assert_eq!(
            outcome(b),
            OperationOutcome::Succeeded {
                live_version: "1.0".into()
            }
        );
        assert_eq!(
            outcome(c),
            OperationOutcome::Succeeded {
                live_version: "2.0".into()
            }
        );
        assert!(
            matches!(outcome(d), OperationOutcome::Failed { .. }),
            "rollback fails"
        );
        assert_eq!(s.flows[FLOW].published.as_deref(), Some("2.0"));
    }

    #[test]
    fn locks_unknown_versions_and_unlock() {
        let locked = r#", "locked_user": {"id": "u1", "name": "Jane Doe"}"#;
        let mut s = state(r#"[{"id": "1.0"}, {"id": "2.0"}]"#, locked);
        let err = s
            .publish(Some(FLOW), None, &me(), ms(0))
            .expect_err("locked");
        assert_eq!(err.status, StatusCode::CONFLICT);
        assert!(err.message.contains("Jane Doe"), "{}", err.message);
        s.unlock(Some(FLOW)).expect("unlocks");
        let err = s
            .publish(Some(FLOW), Some("9.9"), &me(), ms(0))
            .expect_err("unknown");
        assert_eq!(
            (err.status, err.code.as_str()),
            (StatusCode::BAD_REQUEST, "flow.version.not.found")
        );
        s.settings.unknown_version = UnknownVersion::Ignore;
        let i = s
            .publish(Some(FLOW), Some("9.9"), &me(), ms(0))
            .expect("ignored");
        assert_eq!(
            s.operations[i].record(ms(10)).outcome,
            OperationOutcome::Ignored
        );
        assert_eq!(s.flows[FLOW].current_operation, None);
        let err = s
            .publish(Some("nope"), None, &me(), ms(0))
            .expect_err("404");
        assert_eq!(err.status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn own_client_lock_does_not_block() {
        let locked = r#", "locked_client": {"id": "me", "name": "Me"}"#;
        let mut s = state(r#"[{"id": "1.0"}, {"id": "2.0"}]"#, locked);
        s.publish(Some(FLOW), None, &me(), ms(0))
            .expect("own lock is fine");
    }
}
