//! Flow events: one timer task per publish operation sleeps until each scheduled status
//! transition (the publish fixed them all) and pushes the flow as `GET /api/v2/flows/{id}`
//! answers it at that instant, on topic `v2.flows.<flowId>` (genesys-api.md §6). A
//! `touch_after_publish` operation that follows the publish is pushed by the same task, after
//! the publish's terminal event.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::architect::operations::Plan;
use crate::http::records::ActionStatus;
use crate::push::Frame;
use crate::push::spec::SuppressEvents;
use crate::state::{Shared, State};

/// The topic carrying a flow's changes.
pub(crate) fn flow_topic(flow_id: &str) -> String {
    format!("v2.flows.{flow_id}")
}

/// Starts the task that pushes every transition of operation `index` at its time, then the
/// operation that follows it, if any. An ignored publish (unknown version, `unknown_version:
/// ignore`) changes nothing, so it pushes nothing.
pub(crate) fn schedule(shared: &Arc<Shared>, index: usize) {
    let planned = shared.with(|state, _| {
        let op = state.operations.get(index)?;
        let stop = state.push.stop.clone();
        let mut steps: Vec<(usize, ActionStatus, Duration)> =
            op.steps.iter().map(|(s, at)| (index, *s, *at)).collect();
        if let Some(touch) = op
            .touch
            .and_then(|t| state.operations.get(t).map(|o| (t, o)))
        {
            steps.extend(touch.1.steps.iter().map(|(s, at)| (touch.0, *s, *at)));
        }
        (op.plan != Plan::Ignored).then_some((steps, stop))
    });
    let Some((steps, mut stop)) = planned else {
        return;
    };
    let shared = shared.clone();
    tokio::spawn(async move {
        let epoch = shared.epoch();
        for (op, status, at) in steps {
            let due = tokio::time::Instant::from_std(epoch + at);
            tokio::select! {
                () = tokio::time::sleep_until(due) => {}
                () = crate::push::stopped(&mut stop) => return,
            }
            shared.with(|state, _| emit(state, op, status, at));
        }
    });
}

/// Queues the event of one transition for every subscribed socket, unless suppressed.
fn emit(state: &mut State, index: usize, status: ActionStatus, at: Duration) {
    let suppressed = match state.push.spec.suppress_events {
        SuppressEvents::Off => false,
        SuppressEvents::All => true,
        SuppressEvents::Terminal => status.is_terminal(),
    };
    if suppressed {
        return;
    }
    let Some(op) = state.operations.get(index) else {
        return;
    };
    if let Plan::Touch { .. } = op.plan {
        // GUESS: the topic carries the flow's change when someone else's operation replaces
        // `currentOperation`; a touch a newer publish overtook changed nothing.
        let current = state
            .flows
            .get(&op.flow_id)
            .and_then(|f| f.current_operation);
        if current != Some(index) {
            return;
        }
    }
    let Some(body) = flow_event_body(state, index, at) else {
        return;
    };
    let topic = flow_topic(&op.flow_id);
    let text = json!({
        "topicName": topic,
        "version": "2",
        "eventBody": body,
        // GUESS: the metadata of a real flow event is not documented beyond its name.
        "metadata": {"CorrelationId": uuid::Uuid::new_v4().to_string()},
    })
    .to_string();
    let frame = Frame {
        topic,
        action_status: Some(status),
        operation_id: Some(op.id.clone()),
        text,
    };
    state.push.deliver(&frame);
}

/// `ArchitectFlowNotificationFlowNotification` of the operation's flow as of `at`: the fields
/// of `GET /api/v2/flows/{id}` the notification model has, with version objects reduced to
/// `{id}`. Absent values are left out, as in the `Flow` answer.
fn flow_event_body(state: &State, index: usize, at: Duration) -> Option<Value> {
    let op = state.operations.get(index)?;
    let flow = state.flows.get(&op.flow_id)?;
    let mut body = Map::new();
    body.insert("id".into(), json!(flow.id));
    body.insert("name".into(), json!(flow.name));
    if let Some(d) = &flow.description {
        body.insert("description".into(), json!(d));
    }
    body.insert("deleted".into(), json!(flow.deleted));
    for (key, id) in [
        ("checkedInVersion", &flow.checked_in),
        ("savedVersion", &flow.saved),
        ("publishedVersion", &flow.published),
    ] {
        if let Some(id) = id {
            body.insert(key.into(), json!({ "id": id }));
        }
    }
    let mut operation = op.to_json(at);
    if let Some(obj) = operation.as_object_mut() {
        // The notification model's client is `{id, name}` ("name, if available") and its user
        // `{id, name, homeOrg}` (PY-SDK `ArchitectFlowNotificationClient`, `...User`).
        // GUESS: `user` is left out of a publish, as a client-credentials publish has no user.
        if let Some(client) = &op.client {
            obj.insert(
                "client".into(),
                json!({ "id": client.id, "name": client.name }),
            );
        }
        if let Some(user) = &op.user {
            let org = &state.organization;
            obj.insert(
                "user".into(),
                json!({ "id": user.id, "name": user.name, "homeOrg": {
                    "id": org.id, "name": org.name, "thirdPartyOrgName": org.third_party_org_name,
                } }),
            );
        }
    }
    body.insert("currentOperation".into(), operation);
    Some(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{EntityRef, Scenario};

    #[test]
    fn event_body_follows_the_flow_and_operation() {
        let json = r#"{"publish_duration_ms": 100, "flows": [{"id": "f", "name": "F",
            "type": "bot", "published_version": "1.0", "checked_in_version": "2.0",
            "versions": [{"id": "1.0"}, {"id": "2.0"}]}]}"#;
        let scenario = Scenario::from_json_str(json).expect("scenario");
        let mut state = State::new(scenario, false).expect("state");
        let me = EntityRef {
            id: "me".into(),
            name: "Me".into(),
        };
        let index = state
            .publish(Some("f"), None, &me, Duration::ZERO)
            .expect("publishes");
        let started = flow_event_body(&state, index, Duration::ZERO).expect("body");
        assert_eq!(started["publishedVersion"], json!({"id": "1.0"}));
        assert_eq!(started["checkedInVersion"], json!({"id": "2.0"}));
        assert_eq!(started["currentOperation"]["actionStatus"], "STARTED");
        assert_eq!(
            started["currentOperation"]["client"],
            json!({"id": "me", "name": "Me"})
        );
        state.advance(Duration::from_millis(100));
        let done = flow_event_body(&state, index, Duration::from_millis(100)).expect("body");
        assert_eq!(done["publishedVersion"], json!({"id": "2.0"}));
        assert_eq!(done["currentOperation"]["complete"], true);
        assert!(done.get("savedVersion").is_none());
    }
}
