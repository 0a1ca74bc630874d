//! The flow actions: publish (which starts an operation) and unlock. Statuses and codes are
//! SWAGGER-2018's `x-inin-error-codes` of `POST /api/v2/flows/actions/publish`
//! (genesys-api-verified.md finding D).

use std::time::Duration;

use axum::http::StatusCode;

use crate::architect::configuration::VersionOrigin;
use crate::architect::operations::{Operation, Plan};
use crate::http::errors::{ApiError, ApiResult};
use crate::http::records::Actor;
use crate::scenario::{EntityRef, PublishBehaviour, RepublishMode, UnknownVersion};
use crate::state::{FlowState, State};

impl State {
    /// A flow that exists and is not deleted, or the 404 envelope (bot flow sessions).
    // GUESS: what the textbots endpoints answer for a deleted flow is not documented.
    pub fn live_flow(&self, flow_id: &str) -> ApiResult<&FlowState> {
        self.flows
            .get(flow_id)
            .filter(|f| !f.deleted)
            .ok_or_else(|| ApiError::not_found(format!("Flow {flow_id} not found")))
    }

    /// A flow as the Architect endpoints find it: the 404 envelope when unknown, 410
    /// `architect.flow.deleted` when deleted (finding E).
    pub fn architect_flow(&self, flow_id: &str) -> ApiResult<&FlowState> {
        let flow = self
            .flows
            .get(flow_id)
            .ok_or_else(|| ApiError::not_found(format!("Flow {flow_id} not found")))?;
        if flow.deleted {
            return Err(ApiError::flow_deleted());
        }
        Ok(flow)
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
        let flow = self.architect_flow(flow_id)?;
        check_lock(flow, caller)?;
        // GUESS: an import job working on the flow counts as an operation in progress.
        let running = flow
            .current_operation
            .and_then(|i| self.operations.get(i))
            .is_some_and(|op| !op.complete_at(now));
        if running || self.import_busy(flow_id, now) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "architect.operation.already.in.progress",
                "An operation is already in progress on the object.",
            ));
        }
        // GUESS: publishing a flow with nothing checked in and no `version` answers as an
        // unknown version does.
        let Some(version) = version
            .map(str::to_owned)
            .or_else(|| flow.checked_in.clone())
        else {
            return Err(ApiError::version_missing());
        };
        let Some(spec) = flow.version(&version) else {
            // SWAGGER-2018 answers 404; a practitioner saw 200 and nothing happening
            // (genesys-api-verified.md Q1): the scenario picks.
            return match self.settings.unknown_version {
                UnknownVersion::Reject => Err(ApiError::version_missing()),
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
        if let Some(refusal) = &spec.refuse {
            let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::CONFLICT);
            return Err(ApiError::new(status, &refusal.code, refusal.message()));
        }
        let attempt = flow.attempts.get(&version).copied().unwrap_or(0);
        let republish = flow.ever_live.contains(&version);
        let behaviour = spec
            .outcomes
            .get(attempt)
            .or(spec.republish.as_ref().filter(|_| republish))
            .unwrap_or(&spec.publish);
        // GUESS 1 (`same_version`): publishing an older version makes it the published one
        // again, which the Action's rollback relies on. `new_version` (finding F): a plain
        // success publishes a copy instead. GUESS: the copy is made when the publish succeeds,
        // its id is the next whole number, and `checkedInVersion` does not move.
        let copy = (republish
            && flow.republish_mode == RepublishMode::NewVersion
            && *behaviour == PublishBehaviour::Success)
            .then(|| flow.next_version_id());
        let plan = Plan::from_behaviour(behaviour, copy.as_deref().unwrap_or(&version));
        let copy_of = copy.map(|_| version.clone());
        let duration = spec
            .duration_ms
            .map_or(self.settings.publish_duration, Duration::from_millis);
        let touch = flow.touch.clone();
        let live_before = flow.published.clone().unwrap_or_default();
        let mut op = Operation::new(flow_id, &version, caller.clone(), now, duration, plan);
        op.copy_of = copy_of;
        let ends_at = op.terminal_at();
        self.operations.push(op);
        let index = self.operations.len() - 1;
        // Someone else's operation after the publish completes (finding G).
        // GUESS: after a FAILURE too, and only if no newer publish started before it is due.
        if let (Some(touch), Some(ends_at)) = (touch, ends_at) {
            let at = ends_at + Duration::from_millis(touch.after_ms);
            let user_op = Operation::touch(
                flow_id,
                &live_before,
                index,
                &touch.action_name(),
                touch.user,
                at,
            );
            self.operations.push(user_op);
            let touch_index = self.operations.len() - 1;
            self.operations[index].touch = Some(touch_index);
        }
        if let Some(flow) = self.flows.get_mut(flow_id) {
            *flow.attempts.entry(version).or_insert(0) += 1;
            // Confirmed (genesys-api-verified.md GUESS 5): currentOperation is replaced by the
            // new one and kept after it completes.
            flow.current_operation = Some(index);
        }
        Ok(index)
    }

    /// `POST /api/v2/flows/actions/unlock?flow=`: clears the lock.
    // GUESS: SWAGGER-2018 lists no 410 for unlock; a deleted flow answers 410 as on the other
    // flow endpoints.
    /// "Unlocking a flow checks in the currently saved changes and creates a new version of
    /// the flow" (help.mypurecloud.com, "Unlock a flow"): a saved draft becomes the checked-in
    /// version, numbered after the highest one, authored by the lock holder.
    // GUESS: the check-in is done by the time the unlock answers (no CHECKIN operation shows),
    // and a flow locked without a saved draft checks nothing in.
    // GUESS: the draft's version names the lock holder as its creator; the history's CHECKIN
    // names the client that unlocked.
    pub fn unlock(
        &mut self,
        flow_id: Option<&str>,
        caller: &EntityRef,
        now: Duration,
    ) -> ApiResult<String> {
        let flow_id =
            flow_id.ok_or_else(|| ApiError::bad_request("The query parameter flow is required"))?;
        self.architect_flow(flow_id)?;
        let mut checked_in = None;
        if let Some(flow) = self.flows.get_mut(flow_id) {
            let holder = match (flow.locked_user.take(), flow.locked_client.take()) {
                (Some(user), _) => Some(Actor::User(user)),
                (None, Some(client)) => Some(Actor::Client(client)),
                (None, None) => None,
            };
            if let (Some(draft), Some(by)) = (flow.saved.take(), holder) {
                let id = flow.next_version_id();
                flow.add_copy(&draft, &id, VersionOrigin { at: now, by });
                flow.checked_in = Some(id.clone());
                checked_in = Some(id);
            }
        }
        if let Some(version) = checked_in {
            let by = Actor::Client(caller.clone());
            self.record_history(flow_id, "CHECKIN", by, Some(&version), now);
        }
        Ok(flow_id.to_owned())
    }
}

/// A flow locked by a user, or by a client other than the caller, cannot be published: 409
/// `architect.flow.locked.by.user` "Flow is locked by another user." (SWAGGER-2018).
// GUESS: that a lock held by another client answers the same, that the caller's own lock does
// not block, and the sentence naming the holder after the documented message.
fn check_lock(flow: &FlowState, caller: &EntityRef) -> ApiResult<()> {
    let holder = match (&flow.locked_user, &flow.locked_client) {
        (Some(user), _) => Some(("user", user)),
        (None, Some(client)) if client.id != caller.id => Some(("client", client)),
        _ => None,
    };
    match holder {
        Some((kind, who)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "architect.flow.locked.by.user",
            format!(
                "Flow is locked by another user. Lock holder: {kind} {} ({}).",
                who.name, who.id
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
        assert_eq!(
            (busy.status, busy.code.as_str(), busy.message.as_str()),
            (
                StatusCode::CONFLICT,
                "architect.operation.already.in.progress",
                "An operation is already in progress on the object."
            )
        );
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
        let outcome = |i: usize| s.operations[i].record(ms(1000)).expect("a publish").outcome;
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
    fn an_unlock_checks_the_saved_draft_in_as_a_new_version() {
        let locked =
            r#", "locked_user": {"id": "u1", "name": "Jane Doe"}, "saved_version": "draft""#;
        let mut s = state(r#"[{"id": "1.0"}, {"id": "2.0"}, {"id": "draft"}]"#, locked);
        s.unlock(Some(FLOW), &me(), ms(5)).expect("unlocks");
        let flow = &s.flows[FLOW];
        assert_eq!(flow.checked_in.as_deref(), Some("3.0"));
        assert_eq!(flow.saved, None);
        assert_eq!(
            (flow.locked_user.clone(), flow.locked_client.clone()),
            (None, None)
        );
        assert!(flow.version("3.0").is_some(), "the draft is a version now");
        assert_eq!(flow.origins["3.0"].by.entity().name, "Jane Doe");
        let checkin = s.history.last().expect("an entry");
        assert_eq!(
            (
                checkin.action.as_str(),
                checkin.actor.clone(),
                checkin.version.as_deref()
            ),
            ("CHECKIN", Actor::Client(me()), Some("3.0"))
        );
        // Nothing else moves, and a second unlock checks nothing in.
        assert_eq!(flow.published.as_deref(), Some("1.0"));
        s.unlock(Some(FLOW), &me(), ms(6)).expect("unlocks again");
        assert_eq!(s.flows[FLOW].checked_in.as_deref(), Some("3.0"));
    }

    #[test]
    fn locks_unknown_versions_and_unlock() {
        let locked = r#", "locked_user": {"id": "u1", "name": "Jane Doe"}"#;
        let mut s = state(r#"[{"id": "1.0"}, {"id": "2.0"}]"#, locked);
        let err = s
            .publish(Some(FLOW), None, &me(), ms(0))
            .expect_err("locked");
        assert_eq!(
            (err.status, err.code.as_str()),
            (StatusCode::CONFLICT, "architect.flow.locked.by.user")
        );
        assert_eq!(
            err.message,
            "Flow is locked by another user. Lock holder: user Jane Doe (u1)."
        );
        s.unlock(Some(FLOW), &me(), ms(0)).expect("unlocks");
        let err = s
            .publish(Some(FLOW), Some("9.9"), &me(), ms(0))
            .expect_err("unknown");
        assert_eq!(err, ApiError::version_missing());
        s.settings.unknown_version = UnknownVersion::Ignore;
        let i = s
            .publish(Some(FLOW), Some("9.9"), &me(), ms(0))
            .expect("ignored");
        assert_eq!(
            s.operations[i].record(ms(10)).expect("a publish").outcome,
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

    #[test]
    fn a_refused_version_starts_nothing() {
        let versions = r#"[{"id": "1.0"}, {"id": "2.0", "refuse": {"code": "architect.flow.cannot.publish.missing.dependencies"}}]"#;
        let mut s = state(versions, "");
        let err = s
            .publish(Some(FLOW), None, &me(), ms(0))
            .expect_err("refused");
        assert_eq!(
            (err.status, err.code.as_str(), err.message.as_str()),
            (
                StatusCode::CONFLICT,
                "architect.flow.cannot.publish.missing.dependencies",
                "Flow version cannot be published due to having one or more missing dependencies."
            )
        );
        assert!(s.operations.is_empty());
        assert_eq!(s.flows[FLOW].current_operation, None);
        assert!(s.flows[FLOW].attempts.is_empty());
    }

    #[test]
    fn deleted_flows_are_gone_for_publish_and_unlock() {
        let mut s = state(r#"[{"id": "1.0"}, {"id": "2.0"}]"#, r#", "deleted": true"#);
        let gone = ApiError::flow_deleted();
        assert_eq!(s.publish(Some(FLOW), None, &me(), ms(0)), Err(gone.clone()));
        assert_eq!(s.unlock(Some(FLOW), &me(), ms(0)), Err(gone));
        assert_eq!(
            (
                gone_status(&s),
                s.live_flow(FLOW).map(|_| ()).map_err(|e| e.status)
            ),
            (StatusCode::GONE, Err(StatusCode::NOT_FOUND))
        );
    }

    fn gone_status(s: &State) -> StatusCode {
        s.architect_flow(FLOW)
            .map_or_else(|e| e.status, |_| StatusCode::OK)
    }

    #[test]
    fn new_version_mode_publishes_a_copy_of_a_version_live_before() {
        let versions = r#"[{"id": "1.0", "consumes": [{"id": "s", "type": "ACDSKILL"}],
            "bot": {"greeting": {"text": "Old hello"}}, "configuration": {"k": "v"}},
            {"id": "2.0"}, {"id": "3.0"}]"#;
        let mut s = state(versions, r#", "republish_mode": "new_version""#);
        s.publish(Some(FLOW), None, &me(), ms(0)).expect("2.0");
        s.advance(ms(100));
        // 2.0 was never live: it is published as itself.
        assert_eq!(s.flows[FLOW].published.as_deref(), Some("2.0"));
        let i = s
            .publish(Some(FLOW), Some("1.0"), &me(), ms(200))
            .expect("rollback");
        s.advance(ms(299));
        assert!(
            s.flows[FLOW].version("4.0").is_none(),
            "made when it succeeds"
        );
        s.advance(ms(300));
        let flow = &s.flows[FLOW];
        assert_eq!(flow.published.as_deref(), Some("4.0"));
        let (old, copy) = (
            flow.version("1.0").expect("old"),
            flow.version("4.0").expect("copy"),
        );
        assert_eq!((&copy.consumes, &copy.bot), (&old.consumes, &old.bot));
        assert_eq!(copy.configuration, old.configuration);
        assert_eq!(
            flow.origins["4.0"],
            crate::architect::configuration::VersionOrigin {
                at: ms(300),
                by: Actor::Client(me())
            }
        );
        let rec = s.operations[i].record(ms(300)).expect("a publish");
        assert_eq!(rec.version, "1.0", "the version asked for");
        assert_eq!(
            rec.outcome,
            OperationOutcome::Succeeded {
                live_version: "4.0".into()
            }
        );
        // A failing republish makes no copy.
        s.flows.get_mut(FLOW).expect("flow").versions[1].republish = Some(
            crate::scenario::PublishBehaviour::Failure(Default::default()),
        );
        s.publish(Some(FLOW), Some("2.0"), &me(), ms(400))
            .expect("again");
        s.advance(ms(500));
        assert!(s.flows[FLOW].version("5.0").is_none());
        assert_eq!(s.flows[FLOW].published.as_deref(), Some("4.0"));
    }

    #[test]
    fn a_touch_replaces_the_finished_publish_but_not_a_newer_one() {
        let touch = r#", "touch_after_publish": {"action": "checkout", "after_ms": 50,
            "user": {"id": "u1", "name": "Jane Doe"}}"#;
        let mut s = state(r#"[{"id": "1.0"}, {"id": "2.0"}]"#, touch);
        let i = s
            .publish(Some(FLOW), None, &me(), ms(0))
            .expect("publishes");
        let t = s.operations[i].touch.expect("a touch follows");
        s.advance(ms(149));
        assert_eq!(s.flows[FLOW].current_operation, Some(i));
        s.advance(ms(150));
        assert_eq!(s.flows[FLOW].current_operation, Some(t));
        assert_eq!(s.flows[FLOW].published.as_deref(), Some("2.0"));
        let op = s.operations[t].to_json(ms(150));
        assert_eq!(
            (&op["actionName"], &op["actionStatus"], &op["complete"]),
            (
                &serde_json::json!("CHECKOUT"),
                &serde_json::json!("SUCCESS"),
                &serde_json::json!(true)
            )
        );
        assert_eq!(op["user"]["name"], "Jane Doe");
        // A publish started before the touch's time keeps currentOperation.
        let j = s
            .publish(Some(FLOW), Some("1.0"), &me(), ms(250))
            .expect("rollback");
        s.advance(ms(349));
        let j_touch = s.operations[j].touch.expect("a touch follows");
        let k = s
            .publish(Some(FLOW), Some("2.0"), &me(), ms(360))
            .expect("another, before the touch at 400 ms");
        s.advance(ms(1000));
        assert_ne!(s.flows[FLOW].current_operation, Some(j_touch));
        assert_eq!(
            s.flows[FLOW].current_operation, s.operations[k].touch,
            "the newest publish's touch"
        );
    }
}
