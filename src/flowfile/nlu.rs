//! The natural language understanding part of a bot flow:
//! `settingsNaturalLanguageUnderstanding.nluDomainVersion` with its `intents` (each with
//! `utterances` made of text `segments`) and `entities` (scheduling-bot blueprint
//! `SchedulingBot.yaml`; the sandbox's demo bot).

use serde_json::Value;

/// An intent, as the NLU domain defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Intent {
    /// Its name (what `askForIntent` outputs refer to).
    pub name: String,
    /// Its description, when it has one.
    pub description: Option<String>,
    /// The text of each utterance: its segments joined.
    pub utterances: Vec<String>,
}

/// An entity (a slot) of the NLU domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entity {
    /// Its name.
    pub name: String,
    /// Its type (`builtin:date`, or a custom slot type's name).
    pub entity_type: Option<String>,
}

fn domain_list<'a>(flow: &'a Value, list: &str) -> &'a [Value] {
    flow.pointer("/settingsNaturalLanguageUnderstanding/nluDomainVersion")
        .and_then(|domain| domain.get(list))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The intents of a flow (the mapping under its top-level key) that have a name, in order.
pub(crate) fn intents(flow: &Value) -> Vec<Intent> {
    domain_list(flow, "intents")
        .iter()
        .filter_map(|intent| {
            let utterances = intent
                .get("utterances")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|utterance| {
                    let segments = utterance.get("segments").and_then(Value::as_array);
                    segments
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s.get("text").and_then(Value::as_str))
                        .collect::<String>()
                })
                .collect();
            Some(Intent {
                name: text(intent, "name")?,
                description: text(intent, "description").filter(|d| !d.is_empty()),
                utterances,
            })
        })
        .collect()
}

/// The entities of a flow that have a name, in order.
pub(crate) fn entities(flow: &Value) -> Vec<Entity> {
    domain_list(flow, "entities")
        .iter()
        .filter_map(|entity| {
            Some(Entity {
                name: text(entity, "name")?,
                entity_type: text(entity, "type"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn intents_and_entities_are_read_from_the_domain() {
        let flow = json!({"settingsNaturalLanguageUnderstanding": {"nluDomainVersion": {
            "intents": [
                {"name": "Book", "description": "", "utterances": [
                    {"segments": [{"text": "book me in on "}, {"text": "Friday", "entity": {"name": "When"}}]},
                    {"segments": []}
                ]},
                {"description": "no name: skipped"}
            ],
            "entities": [{"name": "When", "type": "builtin:date"}, {"name": "Free"}]
        }}});
        assert_eq!(
            intents(&flow),
            [Intent {
                name: "Book".into(),
                description: None,
                utterances: vec!["book me in on Friday".into(), String::new()],
            }]
        );
        assert_eq!(
            entities(&flow),
            [
                Entity {
                    name: "When".into(),
                    entity_type: Some("builtin:date".into())
                },
                Entity {
                    name: "Free".into(),
                    entity_type: None
                },
            ]
        );
        assert!(intents(&json!({})).is_empty());
    }
}
