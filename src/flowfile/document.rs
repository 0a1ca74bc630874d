//! The flow document: one bot flow in Archy YAML, as an export gives it and an import takes it
//! (flow-artifacts.md §2). The top-level key is the flow type — `botFlow` (Architect type
//! `BOT`) or `digitalBotFlow` (`DIGITALBOT`) — and holds the flow, which must have a `name`:
//! Archy finds the flow to update by that name (a renamed file is a new flow, TF#1160).
//!
//! Shapes from the scheduling-bot blueprint's `SchedulingBot.yaml` (a `botFlow`) and the
//! web-messaging knowledge blueprint's `DevOpsKnowledgeChatBot_v2-0.yaml`
//! (GenesysCloudBlueprints), and the sandbox's `demo_appointment_bot.yaml` (a
//! `digitalBotFlow`).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

use super::error::FileError;
use super::yaml::{self, Tree};

/// What a flow file may hold, for messages.
const ALLOWED: &str = "a flow file holds one bot flow, under `botFlow:` (Architect type BOT) or \
     `digitalBotFlow:` (DIGITALBOT)";

/// The two bot flow types a flow file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowKind {
    /// `botFlow:`, Architect flow type `BOT`.
    Bot,
    /// `digitalBotFlow:`, Architect flow type `DIGITALBOT`.
    DigitalBot,
}

impl FlowKind {
    /// Both kinds.
    pub const ALL: [FlowKind; 2] = [FlowKind::Bot, FlowKind::DigitalBot];

    /// The Architect flow type the API names (`BOT`, `DIGITALBOT`).
    pub fn flow_type(&self) -> &'static str {
        match self {
            FlowKind::Bot => "BOT",
            FlowKind::DigitalBot => "DIGITALBOT",
        }
    }

    /// The document's top-level key (`botFlow`, `digitalBotFlow`).
    pub fn yaml_key(&self) -> &'static str {
        match self {
            FlowKind::Bot => "botFlow",
            FlowKind::DigitalBot => "digitalBotFlow",
        }
    }

    /// The kind of an Architect flow type as the API gives it (any case), if it is a bot flow.
    pub fn from_flow_type(flow_type: &str) -> Option<FlowKind> {
        FlowKind::ALL
            .into_iter()
            .find(|k| k.flow_type().eq_ignore_ascii_case(flow_type))
    }

    /// The kind whose top-level key is `key`.
    pub fn from_yaml_key(key: &str) -> Option<FlowKind> {
        FlowKind::ALL.into_iter().find(|k| k.yaml_key() == key)
    }
}

impl fmt::Display for FlowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flow_type())
    }
}

/// A parsed bot flow file.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowDocument {
    kind: FlowKind,
    name: String,
    value: Value,
}

impl FlowDocument {
    /// Parses a flow file's text; `file` is how messages name it. The text must be the file
    /// after substitution (an unquoted `name: {{flow_name}}` is not YAML before it): see
    /// [`super::apply`].
    pub fn parse(text: &str, file: &str) -> Result<FlowDocument, FileError> {
        let (kind, body) = yaml::read(text, file, Root)?;
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut top = Map::new();
        top.insert(kind.yaml_key().to_owned(), Value::Object(body));
        Ok(FlowDocument {
            kind,
            name,
            value: Value::Object(top),
        })
    }

    /// The flow's type.
    pub fn kind(&self) -> FlowKind {
        self.kind
    }

    /// The flow's name (`<top key>.name`), never empty.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The flow itself: the mapping under the top-level key.
    pub fn body(&self) -> &Value {
        &self.value[self.kind.yaml_key()]
    }

    /// The whole document, top-level key included.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// The whole document: exactly one top-level key, a bot flow type.
struct Root;

impl<'de> DeserializeSeed<'de> for Root {
    type Value = (FlowKind, Map<String, Value>);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root {
    type Value = (FlowKind, Map<String, Value>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a mapping: {ALLOWED}")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(E::custom(format!("the file is empty: {ALLOWED}")))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(kind) = map.next_key_seed(TopKey { first: None })? else {
            return Err(de::Error::custom(format!("the file is empty: {ALLOWED}")));
        };
        let body = map.next_value_seed(Body)?;
        // A second key is refused by the seed itself, so that the error points at it.
        map.next_key_seed(TopKey { first: Some(kind) })?;
        Ok((kind, body))
    }
}

/// A top-level key: the first must be a bot flow type; there is no second.
struct TopKey {
    first: Option<FlowKind>,
}

impl<'de> DeserializeSeed<'de> for TopKey {
    type Value = FlowKind;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<FlowKind, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TopKey {
    type Value = FlowKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the flow type as the top-level key: {ALLOWED}")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<FlowKind, E> {
        if let Some(first) = self.first {
            return Err(E::custom(format!(
                "a second top-level key `{key}`: {ALLOWED}, and this one has `{}:` already",
                first.yaml_key()
            )));
        }
        FlowKind::from_yaml_key(key)
            .ok_or_else(|| E::custom(format!("`{key}` is not a bot flow type: {ALLOWED}")))
    }
}

/// The flow's mapping, whose `name` must be non-empty text.
struct Body;

impl<'de> DeserializeSeed<'de> for Body {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Body {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the flow as a mapping, with at least its `name`")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let body = yaml::read_mapping(map, |key, map| match key {
            "name" => map.next_value_seed(Name),
            _ => map.next_value_seed(Tree),
        })?;
        if !body.contains_key("name") {
            return Err(de::Error::custom(
                "the flow has no `name`: give the flow's name, which says which flow to update",
            ));
        }
        Ok(body)
    }
}

/// The flow's name: non-empty text.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the flow's name as text")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Value, E> {
        if name.trim().is_empty() {
            return Err(E::custom("`name` is empty: give the flow's name"));
        }
        Ok(Value::String(name.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Err(E::custom("`name` is empty: give the flow's name"))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        // What an unquoted `name: {{flow_name}}` reads as, before substitution.
        Err(de::Error::custom(
            "`name` is a mapping, not text: an unquoted `{{placeholder}}` reads as one, so \
             substitute the file before parsing it",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../sandbox/src/scenario/demo_appointment_bot.yaml");

    fn error(text: &str) -> FileError {
        FlowDocument::parse(text, "bots/billing.yml").expect_err("must be refused")
    }

    #[test]
    fn the_sandbox_demo_bot_is_a_digital_bot() {
        let doc = FlowDocument::parse(DEMO, "demo.yaml").expect("parses");
        assert_eq!(doc.kind(), FlowKind::DigitalBot);
        assert_eq!(doc.kind().flow_type(), "DIGITALBOT");
        assert_eq!(doc.name(), "Appointment Bot");
        assert_eq!(doc.body()["defaultLanguage"], "en-us");
        assert_eq!(doc.value()["digitalBotFlow"]["name"], "Appointment Bot");
    }

    #[test]
    fn both_bot_kinds_are_read() {
        let doc = FlowDocument::parse("botFlow:\n  name: Voice Bot\n", "b.yaml").expect("bot");
        assert_eq!((doc.kind(), doc.name()), (FlowKind::Bot, "Voice Bot"));
        assert_eq!(FlowKind::Bot.yaml_key(), "botFlow");
        assert_eq!(
            FlowKind::from_flow_type("digitalbot"),
            Some(FlowKind::DigitalBot)
        );
        assert_eq!(FlowKind::from_flow_type("INBOUNDCALL"), None);
        assert_eq!(
            FlowKind::from_yaml_key("digitalBotFlow"),
            Some(FlowKind::DigitalBot)
        );
        assert_eq!(FlowKind::DigitalBot.to_string(), "DIGITALBOT");
    }

    #[test]
    fn other_flow_types_are_refused_at_their_key() {
        let e = error("# an IVR\ninboundCall:\n  name: Main IVR\n");
        assert_eq!(e.line, Some(2), "{e}");
        assert_eq!(
            e.to_string(),
            "bots/billing.yml line 2, column 1: `inboundCall` is not a bot flow type: a flow \
             file holds one bot flow, under `botFlow:` (Architect type BOT) or \
             `digitalBotFlow:` (DIGITALBOT)"
        );
    }

    #[test]
    fn a_second_top_level_key_is_refused_at_its_line() {
        let e = error("botFlow:\n  name: A\ndigitalBotFlow:\n  name: B\n");
        assert_eq!(e.line, Some(3), "{e}");
        assert!(
            e.message
                .contains("a second top-level key `digitalBotFlow`"),
            "{e}"
        );
    }

    #[test]
    fn the_document_must_be_a_mapping() {
        for text in ["", "# nothing\n", "- botFlow\n", "just text\n"] {
            let e = error(text);
            assert!(e.message.contains("botFlow:"), "{text:?}: {e}");
        }
        assert!(
            error("botFlow: [a]\n")
                .message
                .contains("the flow as a mapping")
        );
    }

    #[test]
    fn the_name_is_required_and_not_empty() {
        let missing = error("digitalBotFlow:\n  description: x\n");
        assert!(
            missing.message.contains("the flow has no `name`"),
            "{missing}"
        );
        assert_eq!(missing.line, Some(2), "{missing}");
        for text in [
            "botFlow:\n  name: \"  \"\n",
            "botFlow:\n  name:\n  division: Home\n",
            "botFlow:\n  description: x\n  name: [a]\n",
        ] {
            let e = error(text);
            assert!(e.message.contains("name"), "{text:?}: {e}");
            assert!(e.line.is_some(), "{text:?}: {e}");
        }
    }

    #[test]
    fn a_syntax_error_names_the_file_and_line() {
        let e = error("digitalBotFlow:\n  name: A\n  bots:\n    - bot: {name: x\n");
        assert_eq!(e.file, "bots/billing.yml");
        assert!(e.line.is_some(), "{e}");
        // The placeholder TF#1068 shows, unquoted: not YAML before substitution.
        let e = error("botFlow:\n  name: {{flow_name}}\n  division: Home\n");
        assert_eq!(e.line, Some(2), "{e}");
    }
}
