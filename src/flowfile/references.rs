//! The org objects a flow file names. Archy YAML refers to queues, data actions, knowledge
//! bases and other flows by name, never by id (flow-artifacts.md §2), so each can be looked up
//! in the target org before the import, and a missing one can block the deployment with a
//! list of what is missing instead of an Archy failure after the upload.
//!
//! The shapes read, anywhere in the document, and the evidence for each:
//!
//! | kind | shape | evidence |
//! |---|---|---|
//! | queue | `transferToAcd.targetQueue.lit.name` | SEEN: scheduling-bot blueprint `SchedulingBot.yaml`; the sandbox's demo bot |
//! | data action | `callData.category.<integration>.dataAction.<action>` | SEEN: the same |
//! | knowledge base | `settingsKnowledge.<knowledge base>: {…settings}` | SEEN: web-messaging knowledge blueprint `DevOpsKnowledgeChatBot_v2-0.yaml` |
//! | knowledge base | `settingsKnowledge.knowledgeBase.lit.name` | GUESS: the sandbox (its README guess 37) |
//! | bot flow | `callBotFlow.botFlow.<flow>.<version>` | SEEN: scheduling-bot blueprint `SchedulerBotInboundMessageFlow.yaml` |
//! | digital bot flow | `callDigitalBotFlow.digitalBotFlow.<flow>` (or `.botFlow.<flow>`) | 3RD-PARTY: a public Archy YAML reader accepts both keys |
//! | common module | `callCommonModule.commonModule.<module>.<version>` | 3RD-PARTY: two public Archy YAML generators and readers |
//! | data table | `dataTableLookup.dataTable.<table>` | 3RD-PARTY: the same |
//!
//! `settingsKnowledge: {none: true}` names no knowledge base. A target given by expression
//! (`targetQueue: {exp: FindQueue(Flow.queue)}`) names nothing until the flow runs and is not
//! listed. Read references from the substituted document: before substitution a name may
//! still be a placeholder.

use serde_json::{Map, Value};
use std::fmt;

use super::document::FlowDocument;
use super::path::{TreePath, element_steps};

/// What kind of org object a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReferenceKind {
    /// A routing queue (`transferToAcd`).
    Queue,
    /// A data action of an integration (`callData`).
    DataAction,
    /// A knowledge base (`settingsKnowledge`).
    KnowledgeBase,
    /// A bot flow (Architect type `BOT`) the flow calls.
    BotFlow,
    /// A digital bot flow (`DIGITALBOT`) the flow calls.
    DigitalBotFlow,
    /// A common module the flow calls.
    CommonModule,
    /// A data table the flow looks up.
    DataTable,
}

impl fmt::Display for ReferenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReferenceKind::Queue => "queue",
            ReferenceKind::DataAction => "data action",
            ReferenceKind::KnowledgeBase => "knowledge base",
            ReferenceKind::BotFlow => "bot flow",
            ReferenceKind::DigitalBotFlow => "digital bot flow",
            ReferenceKind::CommonModule => "common module",
            ReferenceKind::DataTable => "data table",
        })
    }
}

/// One org object the flow names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// What it is.
    pub kind: ReferenceKind,
    /// Its name, as written.
    pub name: String,
    /// For a data action: the integration (Archy's `category`) it belongs to.
    pub integration: Option<String>,
    /// Where the first mention is, in the path format of [`super::first_difference`].
    pub path: String,
}

impl fmt::Display for Reference {
    /// `queue "Appointments"`, `data action "Get Booking Slots" of integration "Scheduling Lambda"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \"{}\"", self.kind, self.name)?;
        if let Some(integration) = &self.integration {
            write!(f, " of integration \"{integration}\"")?;
        }
        Ok(())
    }
}

/// Every org object the flow names, each once (kind, name and integration), with the place
/// it is first named; in the tree's order (mapping keys sorted, list elements in order).
pub fn references(document: &FlowDocument) -> Vec<Reference> {
    let mut found = Found::default();
    found.walk(document.value(), &TreePath::default());
    found.0
}

#[derive(Default)]
struct Found(Vec<Reference>);

impl Found {
    fn add(&mut self, kind: ReferenceKind, name: &str, integration: Option<&str>, at: &TreePath) {
        let integration = integration.map(str::to_owned);
        let known = self
            .0
            .iter()
            .any(|r| r.kind == kind && r.name == name && r.integration == integration);
        if !known && !name.is_empty() {
            self.0.push(Reference {
                kind,
                name: name.to_owned(),
                integration,
                path: at.to_string(),
            });
        }
    }

    /// Adds every key of the mapping at `body.<field>` as a name of `kind`.
    fn add_keys(&mut self, kind: ReferenceKind, body: &Value, field: &str, at: &TreePath) {
        let at = at.key(field);
        for name in keys(body.get(field)) {
            self.add(kind, name, None, &at.key(name));
        }
    }

    fn walk(&mut self, value: &Value, at: &TreePath) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    let here = at.key(key);
                    self.action(key, inner, &here);
                    self.walk(inner, &here);
                }
            }
            Value::Array(items) => {
                for (item, step) in items.iter().zip(element_steps(items)) {
                    self.walk(item, &at.then(step));
                }
            }
            _ => {}
        }
    }

    /// The names in one entry `key: body` of a mapping.
    fn action(&mut self, key: &str, body: &Value, at: &TreePath) {
        match key {
            "transferToAcd" => {
                let name = body
                    .pointer("/targetQueue/lit/name")
                    .and_then(Value::as_str);
                if let Some(name) = name {
                    let at = at.key("targetQueue").key("lit").key("name");
                    self.add(ReferenceKind::Queue, name, None, &at);
                }
            }
            "callData" => {
                let category = at.key("category");
                for (integration, actions) in entries(body.get("category")) {
                    let at = category.key(integration).key("dataAction");
                    for action in keys(actions.get("dataAction")) {
                        let kind = ReferenceKind::DataAction;
                        self.add(kind, action, Some(integration), &at.key(action));
                    }
                }
            }
            "settingsKnowledge" => self.knowledge(body, at),
            "callBotFlow" => self.add_keys(ReferenceKind::BotFlow, body, "botFlow", at),
            "callDigitalBotFlow" => {
                let kind = ReferenceKind::DigitalBotFlow;
                self.add_keys(kind, body, "digitalBotFlow", at);
                self.add_keys(kind, body, "botFlow", at);
            }
            "callCommonModule" => {
                self.add_keys(ReferenceKind::CommonModule, body, "commonModule", at);
            }
            "dataTableLookup" => self.add_keys(ReferenceKind::DataTable, body, "dataTable", at),
            _ => {}
        }
    }

    fn knowledge(&mut self, settings: &Value, at: &TreePath) {
        let kind = ReferenceKind::KnowledgeBase;
        if let Some(name) = settings
            .pointer("/knowledgeBase/lit/name")
            .and_then(Value::as_str)
        {
            let at = at.key("knowledgeBase").key("lit").key("name");
            self.add(kind, name, None, &at);
            return;
        }
        for (name, kb_settings) in entries(Some(settings)) {
            if name != "none" && kb_settings.is_object() {
                self.add(kind, name, None, &at.key(name));
            }
        }
    }
}

fn entries(value: Option<&Value>) -> impl Iterator<Item = (&str, &Value)> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::iter)
        .map(|(k, v)| (k.as_str(), v))
}

fn keys(value: Option<&Value>) -> impl Iterator<Item = &str> {
    entries(value).map(|(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../sandbox/src/scenario/demo_appointment_bot.yaml");

    fn refs(text: &str) -> Vec<Reference> {
        references(&FlowDocument::parse(text, "f.yaml").expect("parses"))
    }

    fn named(found: &[Reference]) -> Vec<String> {
        found.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_demo_bot_names_its_queue_and_data_action() {
        let found = refs(DEMO);
        assert_eq!(
            named(&found),
            [
                r#"data action "Get Booking Slots" of integration "Scheduling Lambda""#,
                r#"queue "Appointments""#,
            ]
        );
        assert_eq!(
            found[1].path,
            r#"digitalBotFlow.bots["Default Bot"].bot.actions["Ask for Intent"].askForIntent.outputs.intents["Chat with an agent"].intent.actions["Transfer to ACD"].transferToAcd.targetQueue.lit.name"#
        );
        assert_eq!(found[0].integration.as_deref(), Some("Scheduling Lambda"));
        assert!(
            found[0].path.ends_with(
                r#".callData.category["Scheduling Lambda"].dataAction["Get Booking Slots"]"#
            ),
            "{}",
            found[0].path
        );
    }

    #[test]
    fn knowledge_bases_in_both_shapes_and_none() {
        let seen = "botFlow:\n  name: B\n  settingsKnowledge:\n    DevOpsKnowledgeBase:\n      maxNumOfAnswersReturned:\n        lit: 3\n";
        assert_eq!(
            named(&refs(seen)),
            [r#"knowledge base "DevOpsKnowledgeBase""#]
        );
        assert_eq!(
            refs(seen)[0].path,
            "botFlow.settingsKnowledge.DevOpsKnowledgeBase"
        );
        let sandbox = "botFlow:\n  name: B\n  settingsKnowledge:\n    knowledgeBase:\n      lit:\n        name: Clinic FAQ\n";
        assert_eq!(named(&refs(sandbox)), [r#"knowledge base "Clinic FAQ""#]);
        let none = "botFlow:\n  name: B\n  settingsKnowledge:\n    none: true\n";
        assert!(refs(none).is_empty());
    }

    #[test]
    fn called_flows_modules_and_tables_are_named_by_their_keys() {
        let text = r#"
botFlow:
  name: B
  bots:
    - bot:
        name: Default Bot
        actions:
          - callBotFlow:
              name: Call Bot Flow
              botFlow:
                Scheduling Bot:
                  ver_latestPublished:
                    inputs: {}
          - callDigitalBotFlow:
              name: Call Digital
              digitalBotFlow:
                Appointment Bot:
                  ver_latestPublished: {}
          - callCommonModule:
              name: Log
              commonModule:
                CM - Logging:
                  ver_latestPublished: true
          - dataTableLookup:
              name: Hours
              dataTable:
                Opening Hours:
                  foundOutputs: {}
"#;
        assert_eq!(
            named(&refs(text)),
            [
                r#"bot flow "Scheduling Bot""#,
                r#"digital bot flow "Appointment Bot""#,
                r#"common module "CM - Logging""#,
                r#"data table "Opening Hours""#,
            ]
        );
    }

    #[test]
    fn each_object_is_listed_once_at_its_first_mention() {
        let text = r#"
botFlow:
  name: B
  a:
    - transferToAcd: {targetQueue: {lit: {name: Front Desk}}}
    - transferToAcd: {targetQueue: {lit: {name: Front Desk}}}
    - transferToAcd: {targetQueue: {exp: "FindQueue(Flow.q)"}}
    - callData:
        category:
          Lambda A: {dataAction: {Get Slots: {}}}
          Lambda B: {dataAction: {Get Slots: {}}}
"#;
        let found = refs(text);
        assert_eq!(
            named(&found),
            [
                r#"queue "Front Desk""#,
                r#"data action "Get Slots" of integration "Lambda A""#,
                r#"data action "Get Slots" of integration "Lambda B""#,
            ]
        );
        assert_eq!(
            found[0].path,
            "botFlow.a[0].transferToAcd.targetQueue.lit.name"
        );
    }
}
