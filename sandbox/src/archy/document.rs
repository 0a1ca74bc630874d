//! An Archy flow YAML document: which bot flow it describes, its name, and the forms the
//! platform keeps and gives back (flow-artifacts.md §2, the scheduling-bot blueprint's
//! `SchedulingBot.yaml`). The sandbox reads bot flows only: the top-level key is `botFlow`
//! (`BOT`) or `digitalBotFlow` (`DIGITALBOT`).
//!
//! GUESS (flow-artifacts.md §3 open question 3, "which keys are volatile"): what an import
//! stores and an export gives back. An import gives every intent, utterance and entity of
//! `settingsNaturalLanguageUnderstanding.nluDomainVersion` a new `id` (`VOLATILE_YAML_IDS`);
//! an export writes the stored document again with every mapping's keys in alphabetical order
//! and the YAML library's own quoting (a string with a line break becomes a `|-` block).

use serde_norway::{Mapping, Value};

/// Where the ids an import regenerates live, relative to the flow's top-level mapping.
pub const VOLATILE_YAML_IDS: [&str; 3] = [
    "settingsNaturalLanguageUnderstanding.nluDomainVersion.intents[].id",
    "settingsNaturalLanguageUnderstanding.nluDomainVersion.intents[].utterances[].id",
    "settingsNaturalLanguageUnderstanding.nluDomainVersion.entities[].id",
];

/// The two bot flow types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BotKind {
    /// `botFlow:`, flow type `BOT`.
    Bot,
    /// `digitalBotFlow:`, flow type `DIGITALBOT`.
    DigitalBot,
}

impl BotKind {
    /// The document's top-level key.
    pub fn top_key(self) -> &'static str {
        match self {
            BotKind::Bot => "botFlow",
            BotKind::DigitalBot => "digitalBotFlow",
        }
    }

    /// The flow type the API names.
    pub fn flow_type(self) -> &'static str {
        match self {
            BotKind::Bot => "BOT",
            BotKind::DigitalBot => "DIGITALBOT",
        }
    }

    /// The kind of a flow type (`BOT`, `DIGITALBOT`), if it is a bot flow.
    pub fn of_flow_type(flow_type: &str) -> Option<BotKind> {
        match flow_type.to_ascii_uppercase().as_str() {
            "BOT" => Some(BotKind::Bot),
            "DIGITALBOT" => Some(BotKind::DigitalBot),
            _ => None,
        }
    }

    fn of_top_key(key: &str) -> Option<BotKind> {
        [BotKind::Bot, BotKind::DigitalBot]
            .into_iter()
            .find(|k| k.top_key() == key)
    }
}

/// A parsed bot flow document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArchyDocument {
    pub kind: BotKind,
    pub name: String,
    pub description: Option<String>,
    /// The whole document: one top-level key holding the flow.
    pub root: Value,
}

/// Every `{{...}}` left in a text (a substitution key nobody replaced), in order.
pub(crate) fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let inner = &rest[start + 2..start + 2 + len];
        let key_like = !inner.trim().is_empty()
            && inner
                .trim()
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ' '));
        if key_like {
            found.push(rest[start..start + 2 + len + 2].to_owned());
        }
        rest = &rest[start + 2 + len + 2..];
    }
    found
}

/// Parses a bot flow YAML. The error is the reason, in a sentence.
pub(crate) fn parse(text: &str) -> Result<ArchyDocument, String> {
    let root: Value = serde_norway::from_str(text)
        .map_err(|e| format!("the flow YAML could not be parsed: {e}"))?;
    let Value::Mapping(top) = &root else {
        return Err("the flow YAML is not a mapping with the flow type as its key".to_owned());
    };
    let mut keys = top.keys();
    let (Some(Value::String(key)), None) = (keys.next(), keys.next()) else {
        return Err("the flow YAML must hold exactly one top-level key, the flow type".to_owned());
    };
    let kind = BotKind::of_top_key(key).ok_or_else(|| {
        format!("the flow type '{key}' is not a bot flow type (botFlow, digitalBotFlow)")
    })?;
    let flow = top
        .get(key)
        .and_then(Value::as_mapping)
        .ok_or_else(|| format!("'{key}' must be a mapping"))?;
    let name = match flow.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        _ => return Err(format!("'{key}.name' is required")),
    };
    let description = flow
        .get("description")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    Ok(ArchyDocument {
        kind,
        name,
        description,
        root,
    })
}

impl ArchyDocument {
    /// The flow's own mapping (under the top-level key).
    pub fn flow(&self) -> Option<&Mapping> {
        self.root.get(self.kind.top_key())?.as_mapping()
    }

    /// The document as an import stores it: every intent, utterance and entity of the NLU
    /// domain gets a new `id` (added where it had none).
    pub fn with_fresh_ids(mut self) -> ArchyDocument {
        let key = self.kind.top_key();
        let domain = self
            .root
            .get_mut(key)
            .and_then(|f| f.get_mut("settingsNaturalLanguageUnderstanding"))
            .and_then(|s| s.get_mut("nluDomainVersion"));
        if let Some(domain) = domain {
            for intent in items_mut(domain, "intents") {
                set_fresh_id(intent);
                for utterance in items_mut(intent, "utterances") {
                    set_fresh_id(utterance);
                }
            }
            for entity in items_mut(domain, "entities") {
                set_fresh_id(entity);
            }
        }
        self
    }

    /// The text an export job answers: the document with sorted keys, written again.
    pub fn export_text(&self) -> String {
        serde_norway::to_string(&sorted(&self.root)).unwrap_or_default()
    }

    /// The document as JSON (for the version configuration).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.root).unwrap_or(serde_json::Value::Null)
    }
}

fn items_mut<'a>(value: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    value
        .get_mut(key)
        .and_then(Value::as_sequence_mut)
        .into_iter()
        .flatten()
}

fn set_fresh_id(item: &mut Value) {
    if let Value::Mapping(map) = item {
        let id = uuid::Uuid::new_v4().to_string();
        map.insert(Value::String("id".into()), Value::String(id));
    }
}

/// A copy with every mapping's keys in alphabetical order (by their YAML text).
fn sorted(value: &Value) -> Value {
    match value {
        Value::Mapping(map) => {
            let mut entries: Vec<(&Value, &Value)> = map.iter().collect();
            entries.sort_by_key(|(k, _)| key_text(k));
            Value::Mapping(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Sequence(items) => Value::Sequence(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => serde_norway::to_string(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"
digitalBotFlow:
  name: Test Bot
  description: ""
  bots:
    - bot:
        name: Default Bot
        actions:
          - askForIntent:
              question:
                exp: "MakeCommunication(\n  \"Hi!\")"
  settingsNaturalLanguageUnderstanding:
    nluDomainVersion:
      intents:
        - name: Greet
          id: 11111111-0000-4000-8000-000000000000
          utterances:
            - segments:
                - text: hello there
              source: User
      entities:
        - name: When
          type: "builtin:date"
"#;

    #[test]
    fn parses_bot_flows_only() {
        let doc = parse(YAML).expect("parses");
        assert_eq!(
            (doc.kind, doc.name.as_str(), doc.description),
            (BotKind::DigitalBot, "Test Bot", None)
        );
        let inbound = "inboundShortMessage:\n  name: SMS\n";
        assert_eq!(
            parse(inbound).expect_err("not a bot"),
            "the flow type 'inboundShortMessage' is not a bot flow type (botFlow, digitalBotFlow)"
        );
        assert!(
            parse("botFlow: [1")
                .expect_err("bad")
                .starts_with("the flow YAML could not")
        );
        assert!(parse("botFlow:\n  description: x\n").is_err(), "no name");
        assert!(parse("a: 1\nb: 2\n").is_err(), "two keys");
    }

    #[test]
    fn placeholders_are_found_by_their_braces() {
        let text = "name: {{bot_name}}\nq: \"{{ substitutions.greeting }}\"\nx: {a: {b: 1}}\n{{}}";
        assert_eq!(
            placeholders(text),
            ["{{bot_name}}", "{{ substitutions.greeting }}"]
        );
        assert!(placeholders("no braces here").is_empty());
    }

    #[test]
    fn an_import_regenerates_ids_and_an_export_sorts_keys() {
        let doc = parse(YAML).expect("parses").with_fresh_ids();
        let domain =
            &doc.root["digitalBotFlow"]["settingsNaturalLanguageUnderstanding"]["nluDomainVersion"];
        let intent_id = domain["intents"][0]["id"].as_str().expect("id");
        assert_ne!(intent_id, "11111111-0000-4000-8000-000000000000");
        assert!(domain["intents"][0]["utterances"][0]["id"].is_string());
        assert!(domain["entities"][0]["id"].is_string());
        let text = doc.export_text();
        let back = parse(&text).expect("the export parses");
        assert_eq!(back.root, doc.root, "same content");
        // Keys sorted: bots before description before name; the line break makes a block.
        let bots = text.find("bots:").expect("bots");
        assert!(bots < text.find("description:").expect("d"));
        assert!(text.find("description:") < text.find("name: Test Bot"));
        assert!(text.contains("exp: |-"), "{text}");
        assert_eq!(doc.to_json()["digitalBotFlow"]["name"], "Test Bot");
    }
}
