//! `GET /api/v2/flows/{flowId}/versions/{versionId}/configuration`: a version's configuration
//! JSON object (PY-SDK: "Returns `object`", `architect:flow:view`). Its content is the
//! scenario's `versions[].configuration`; for a version with Archy YAML (the scenario's `yaml`,
//! or an import), that YAML as JSON as the platform keeps it (with its NLU ids); else one
//! generated from what the version is (its flow's name and type, what it consumes, how it
//! answers in bot sessions).
//!
//! GUESS: the shape of a real configuration, and which of its fields differ between two
//! versions with equal content. The sandbox stamps exactly [`VOLATILE_CONFIGURATION_KEYS`] at the
//! top level, so a client comparing content drops exactly those.

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::architect::model::iso8601;
use crate::bots::script::BotScript;
use crate::bots::turn::Behaviour;
use crate::http::records::Actor;
use crate::scenario::{EntityRef, VersionSpec};
use crate::state::{FlowState, State};

/// The top-level keys of a configuration that differ between versions of equal content.
pub const VOLATILE_CONFIGURATION_KEYS: [&str; 5] = [
    "version",
    "dateSaved",
    "dateCreated",
    "createdBy",
    "selfUri",
];

/// Who is named as the author of the scenario's own versions.
pub(crate) fn scenario_author() -> EntityRef {
    EntityRef {
        id: "5ce0a210-0000-4000-8000-00000000a0e0".to_owned(),
        name: "Scenario author".to_owned(),
    }
}

/// When and by whom a version was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionOrigin {
    /// Since the sandbox's epoch.
    pub at: Duration,
    pub by: Actor,
}

impl VersionOrigin {
    /// A version the scenario starts with, made by the scenario's author (a user) unless the
    /// scenario names its creator.
    pub fn scenario(spec: &VersionSpec) -> VersionOrigin {
        let by = match (&spec.created_by, &spec.created_by_client) {
            (_, Some(client)) => Actor::Client(client.clone()),
            (Some(user), None) => Actor::User(user.clone()),
            (None, None) => Actor::User(scenario_author()),
        };
        VersionOrigin {
            at: Duration::ZERO,
            by,
        }
    }
}

/// A scenario's `configuration` must be an object without the volatile keys, so that the
/// content the scenario gives and what the sandbox stamps never mix.
pub(crate) fn check_scenario_content(configuration: &Value) -> Result<(), String> {
    let Some(obj) = configuration.as_object() else {
        return Err("configuration must be a JSON object".to_owned());
    };
    match VOLATILE_CONFIGURATION_KEYS
        .iter()
        .find(|k| obj.contains_key(**k))
    {
        Some(key) => Err(format!(
            "configuration must not hold {key:?}: the sandbox sets {} itself",
            VOLATILE_CONFIGURATION_KEYS.join(", ")
        )),
        None => Ok(()),
    }
}

/// The script a version answers with in bot flow sessions.
pub(crate) fn effective_script(flow: &FlowState, spec: &VersionSpec) -> BotScript {
    spec.bot
        .clone()
        .unwrap_or_else(|| BotScript::generic(&flow.name, &spec.id))
}

/// How a version behaves in bot flow sessions: its YAML's bot, else its script.
pub(crate) fn effective_behaviour(flow: &FlowState, spec: &VersionSpec) -> Behaviour {
    match flow.archy_bots.get(&spec.id) {
        Some(bot) if spec.yaml.is_some() => Behaviour::Archy(bot.clone()),
        _ => Behaviour::Script(Box::new(effective_script(flow, spec))),
    }
}

/// A version's content: the scenario's, its YAML's, or one generated from the version.
fn content(flow: &FlowState, spec: &VersionSpec) -> Map<String, Value> {
    if let Some(Value::Object(given)) = &spec.configuration {
        return given.clone();
    }
    if spec.yaml.is_some()
        && let Some(Value::Object(yaml)) = flow.documents.get(&spec.id).map(|d| d.to_json())
    {
        return yaml;
    }
    let mut obj = Map::new();
    obj.insert("name".into(), json!(flow.name));
    obj.insert("type".into(), json!(flow.flow_type));
    if let Some(d) = &flow.description {
        obj.insert("description".into(), json!(d));
    }
    let consumes: Vec<Value> = spec
        .consumes
        .iter()
        .map(|c| json!({"id": c.id, "type": c.resource_type}))
        .collect();
    obj.insert("consumes".into(), Value::Array(consumes));
    obj.insert(
        "bot".into(),
        serde_json::to_value(effective_script(flow, spec)).unwrap_or(Value::Null),
    );
    obj
}

/// The bot flows a version calls, as configuration actions.
///
/// GUESS (flow-artifacts.md §3: the YAML form `callBotFlow`/`callDigitalBotFlow: botFlow:
/// <name>: ver_latestPublished:` is SEEN in blueprints, the JSON form is not): one object per
/// call, `{"callDigitalBotFlow"|"callBotFlow": {"name": "Call <bot name>", "botFlow": {"id",
/// "name", "version": "latest" | "<pinned version id>"}}}`.
fn call_actions(state: &State, flow: &FlowState, spec: &VersionSpec) -> Vec<Value> {
    flow.calls_of(spec)
        .iter()
        .filter_map(|call| {
            let bot = state.flows.get(&call.bot)?;
            let action = if bot.flow_type == "BOT" {
                "callBotFlow"
            } else {
                "callDigitalBotFlow"
            };
            Some(json!({ action: {
                "name": format!("Call {}", bot.name),
                "botFlow": {"id": bot.id, "name": bot.name, "version": call.version},
            }}))
        })
        .collect()
}

/// The configuration of version `id` of `flow`: its content plus the volatile keys.
pub(crate) fn configuration(state: &State, flow: &FlowState, spec: &VersionSpec) -> Value {
    let mut obj = content(flow, spec);
    let calls = call_actions(state, flow, spec);
    if !calls.is_empty() {
        obj.insert("actions".into(), Value::Array(calls));
    }
    let origin = flow.origin(spec);
    let when = iso8601(state.wall(origin.at));
    obj.insert("version".into(), json!(spec.id));
    obj.insert("dateSaved".into(), json!(when));
    obj.insert("dateCreated".into(), json!(when));
    let by = origin.by.entity();
    obj.insert("createdBy".into(), json!({"id": by.id, "name": by.name}));
    obj.insert(
        "selfUri".into(),
        json!(format!(
            "/api/v2/flows/{}/versions/{}/configuration",
            flow.id, spec.id
        )),
    );
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_content_is_an_object_without_volatile_keys() {
        check_scenario_content(&json!({"flow": {"name": "x"}})).expect("fine");
        assert!(check_scenario_content(&json!([1])).is_err());
        let err = check_scenario_content(&json!({"dateSaved": "x"})).expect_err("volatile");
        assert!(err.contains("dateSaved"), "{err}");
    }
}
