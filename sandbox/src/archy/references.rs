//! The org objects a flow YAML names (flow-artifacts.md §2: "References inside YAML are by
//! name"): queues (`transferToAcd.targetQueue.lit.name`), data actions
//! (`callData.category.<integration>.dataAction.<action name>`, both SEEN in the scheduling-bot
//! blueprint) and knowledge bases (`settingsKnowledge.knowledgeBase.lit.name`, GUESS: the
//! blueprint only shows `settingsKnowledge: none: true`). Found anywhere in the document.

use serde_norway::Value;

use crate::archy::document::ArchyDocument;

/// The names a document refers to, each once, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct References {
    pub queues: Vec<String>,
    /// `(integration, action)`.
    pub data_actions: Vec<(String, String)>,
    pub knowledge_bases: Vec<String>,
}

fn push<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn lit_name(value: &Value) -> Option<String> {
    Some(value.get("lit")?.get("name")?.as_str()?.to_owned())
}

fn walk(value: &Value, found: &mut References) {
    match value {
        Value::Mapping(map) => {
            for (key, inner) in map {
                match key.as_str() {
                    Some("transferToAcd") => {
                        if let Some(q) = inner.get("targetQueue").and_then(lit_name) {
                            push(&mut found.queues, q);
                        }
                    }
                    Some("callData") => {
                        let categories = inner.get("category").and_then(Value::as_mapping);
                        for (integration, body) in categories.into_iter().flatten() {
                            let actions = body.get("dataAction").and_then(Value::as_mapping);
                            for action in actions.into_iter().flatten().map(|(k, _)| k) {
                                if let (Some(i), Some(a)) = (integration.as_str(), action.as_str())
                                {
                                    push(&mut found.data_actions, (i.to_owned(), a.to_owned()));
                                }
                            }
                        }
                    }
                    Some("settingsKnowledge") => {
                        if let Some(k) = inner.get("knowledgeBase").and_then(lit_name) {
                            push(&mut found.knowledge_bases, k);
                        }
                    }
                    _ => {}
                }
                walk(inner, found);
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| walk(v, found)),
        _ => {}
    }
}

/// Every name the document refers to.
pub(crate) fn references(doc: &ArchyDocument) -> References {
    let mut found = References::default();
    walk(&doc.root, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archy::document::parse;

    #[test]
    fn references_are_found_at_any_depth_once() {
        let yaml = r#"
botFlow:
  name: B
  settingsKnowledge:
    knowledgeBase:
      lit:
        name: Clinic FAQ
  bots:
    - bot:
        actions:
          - loop:
              outputs:
                loop:
                  actions:
                    - callData:
                        category:
                          Scheduling:
                            dataAction:
                              Get Slots:
                                inputs: {}
                              Book Slot: {}
                    - transferToAcd:
                        targetQueue:
                          lit:
                            name: Front Desk
          - transferToAcd:
              targetQueue:
                lit:
                  name: Front Desk
"#;
        let found = references(&parse(yaml).expect("parses"));
        assert_eq!(found.queues, ["Front Desk"]);
        assert_eq!(
            found.data_actions,
            [
                ("Scheduling".to_owned(), "Get Slots".to_owned()),
                ("Scheduling".to_owned(), "Book Slot".to_owned())
            ]
        );
        assert_eq!(found.knowledge_bases, ["Clinic FAQ"]);
    }
}
