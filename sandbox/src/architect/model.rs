//! JSON for the API's models (`Flow`, `FlowVersion`, `RoutingSkill`, `Dependency`), with the
//! field names of the Go SDK's struct tags (genesys-api.md §1.4, §2). Absent values are left out,
//! as the platform does, rather than sent as `null`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::http::records::Actor;
use crate::scenario::{ConsumedSpec, EntityRef, SkillSpec, SkillState, VersionSpec};
use crate::state::{FlowState, State};

fn insert(obj: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        obj.insert(key.to_owned(), v);
    }
}

fn entity(e: &EntityRef, uri_prefix: &str) -> Value {
    json!({"id": e.id, "name": e.name, "selfUri": format!("{uri_prefix}/{}", e.id)})
}

/// The `Flow` model as of `now`.
pub(crate) fn flow(state: &State, flow: &FlowState, now: Duration) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), json!(flow.id));
    obj.insert("name".into(), json!(flow.name));
    insert(
        &mut obj,
        "description",
        flow.description.as_ref().map(|d| json!(d)),
    );
    obj.insert("type".into(), json!(flow.flow_type));
    insert(
        &mut obj,
        "lockedUser",
        flow.locked_user
            .as_ref()
            .map(|u| entity(u, "/api/v2/users")),
    );
    let client = flow
        .locked_client
        .as_ref()
        .map(|c| entity(c, "/api/v2/oauth/clients"));
    insert(&mut obj, "lockedClient", client);
    obj.insert("active".into(), json!(flow.published.is_some()));
    obj.insert("system".into(), json!(false));
    obj.insert("deleted".into(), json!(flow.deleted));
    for (key, id) in [
        ("publishedVersion", &flow.published),
        ("checkedInVersion", &flow.checked_in),
        ("savedVersion", &flow.saved),
    ] {
        insert(&mut obj, key, id.as_ref().map(|v| version(state, flow, v)));
    }
    let op = flow.current_operation.and_then(|i| state.operations.get(i));
    insert(&mut obj, "currentOperation", op.map(|op| op.to_json(now)));
    // `publishedBy` is a User (PY-SDK `Flow.publishedBy`).
    // GUESS: a version published by an OAuth client leaves it out.
    let publisher = match &flow.published_by {
        Some(by @ Actor::User(_)) => Some(by.to_json()),
        _ => None,
    };
    insert(&mut obj, "publishedBy", publisher);
    obj.insert(
        "selfUri".into(),
        json!(format!("/api/v2/flows/{}", flow.id)),
    );
    Value::Object(obj)
}

/// The `FlowVersion` model of version `id` of `flow`.
pub(crate) fn version(state: &State, flow: &FlowState, id: &str) -> Value {
    let spec = flow.version(id);
    let name = spec
        .and_then(|v| v.name.clone())
        .unwrap_or_else(|| id.to_owned());
    let kind = if flow.ever_live.contains(id) {
        "PUBLISH"
    } else if flow.saved.as_deref() == Some(id) {
        "SAVE"
    } else {
        "CHECKIN"
    };
    // The scenario's versions were made at the epoch; a republished copy when it was made.
    let origin = spec.map(|v| flow.origin(v));
    let origin_at = origin.as_ref().map_or(Duration::ZERO, |o| o.at);
    let created = epoch_millis(state.wall(origin_at));
    let mut obj = Map::new();
    obj.insert("id".into(), json!(id));
    obj.insert("name".into(), json!(name));
    obj.insert("commitVersion".into(), json!(id));
    obj.insert("configurationVersion".into(), json!(id));
    obj.insert("type".into(), json!(kind));
    obj.insert("secure".into(), json!(false));
    obj.insert("debug".into(), json!(false));
    obj.insert("dateCreated".into(), json!(created));
    obj.insert("dateCheckedIn".into(), json!(created));
    // `createdBy` (User) or `createdByClient` (DomainEntityRef), PY-SDK `FlowVersion`.
    // GUESS: exactly one of them, after who made the version.
    match origin.map(|o| o.by) {
        Some(by @ Actor::User(_)) => {
            obj.insert("createdBy".into(), by.to_json());
        }
        Some(by @ Actor::Client(_)) => {
            obj.insert("createdByClient".into(), by.to_json());
        }
        None => {}
    }
    let published = flow
        .date_published
        .get(id)
        .map(|at| json!(iso8601(state.wall(*at))));
    insert(&mut obj, "datePublished", published);
    let ended = flow
        .date_published_end
        .get(id)
        .map(|at| json!(iso8601(state.wall(*at))));
    insert(&mut obj, "datePublishedEnd", ended);
    obj.insert(
        "selfUri".into(),
        json!(format!("/api/v2/flows/{}/versions/{id}", flow.id)),
    );
    Value::Object(obj)
}

/// The `RoutingSkill` model.
pub(crate) fn skill(state: &State, skill: &SkillSpec) -> Value {
    json!({
        "id": skill.id,
        "name": skill.name,
        "dateModified": iso8601(state.epoch_wall),
        "state": skill_state(skill.state),
        "version": "1",
        "selfUri": format!("/api/v2/routing/skills/{}", skill.id),
    })
}

fn skill_state(state: SkillState) -> &'static str {
    match state {
        SkillState::Active => "active",
        SkillState::Inactive => "inactive",
        SkillState::Deleted => "deleted",
    }
}

/// The `Dependency` model of a consumed resource, named and marked deleted from what the
/// scenario knows about the skill or flow it points at.
pub(crate) fn dependency(state: &State, c: &ConsumedSpec) -> Value {
    let skill = state
        .skills
        .get(&c.id)
        .filter(|_| c.resource_type == "ACDSKILL");
    let flow = state
        .flows
        .get(&c.id)
        .filter(|_| c.resource_type.ends_with("FLOW"));
    let name = c
        .name
        .clone()
        .or_else(|| skill.map(|s| s.name.clone()))
        .or_else(|| flow.map(|f| f.name.clone()))
        .unwrap_or_else(|| c.id.clone());
    let deleted =
        skill.is_some_and(|s| s.state == SkillState::Deleted) || flow.is_some_and(|f| f.deleted);
    let self_uri = match (
        skill.is_some() || c.resource_type == "ACDSKILL",
        flow.is_some(),
    ) {
        (true, _) => format!("/api/v2/routing/skills/{}", c.id),
        (false, true) => format!("/api/v2/flows/{}", c.id),
        _ => format!("/api/v2/architect/dependencytracking/object?id={}", c.id),
    };
    let mut obj = Map::new();
    obj.insert("id".into(), json!(c.id));
    obj.insert("name".into(), json!(name));
    let version = c
        .version
        .clone()
        .or_else(|| flow.and_then(|f| f.published.clone()));
    insert(&mut obj, "version", version.map(|v| json!(v)));
    obj.insert("type".into(), json!(c.resource_type));
    obj.insert("deleted".into(), json!(deleted));
    obj.insert("updated".into(), json!(false));
    obj.insert("stateUnknown".into(), json!(false));
    obj.insert("selfUri".into(), json!(self_uri));
    Value::Object(obj)
}

/// The `Dependency` model of a flow version that consumes something (consumingresources).
pub(crate) fn consumer(flow: &FlowState, version: &str) -> Value {
    json!({
        "id": flow.id,
        "name": flow.name,
        "version": version,
        "type": format!("{}FLOW", flow.flow_type),
        "deleted": flow.deleted,
        "updated": false,
        "stateUnknown": false,
        "selfUri": format!("/api/v2/flows/{}", flow.id),
    })
}

/// What a version consumes: the scenario's `consumes`, then the bot flows it calls (a pinned
/// call names its version; a `latest` one the bot's published version).
pub(crate) fn consumed_of(
    state: &State,
    flow: &FlowState,
    spec: &VersionSpec,
) -> Vec<ConsumedSpec> {
    let calls = flow.calls_of(spec).iter().filter_map(|call| {
        let bot = state.flows.get(&call.bot)?;
        Some(ConsumedSpec {
            id: call.bot.clone(),
            resource_type: format!("{}FLOW", bot.flow_type),
            name: None,
            version: call.pinned().map(str::to_owned),
        })
    });
    spec.consumes.iter().cloned().chain(calls).collect()
}

fn epoch_millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0))
}

/// `2026-05-14T09:30:00.123Z`, the platform's ISO-8601 form.
pub(crate) fn iso8601(t: SystemTime) -> String {
    let ms = epoch_millis(t);
    let (secs, millis) = (ms / 1000, ms % 1000);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_709_251_199_999);
        assert_eq!(iso8601(t), "2024-02-29T23:59:59.999Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(iso8601(t), "2000-02-29T00:00:00.000Z");
    }
}
