//! Readable places in a flow tree, for messages:
//! `digitalBotFlow.settingsNaturalLanguageUnderstanding.nluDomainVersion.intents["Book an Appointment"].utterances[2]`.
//!
//! A list element is named by its `name` — or by the `name` inside it when it is one of
//! Archy's one-key wrappers (`- bot: {name: Default Bot}`, `- intent: {name: ...}`,
//! `- askForIntent: {name: Ask for Intent}`) — when no other element of the list has that
//! name; otherwise by its index. A key that is not a plain word is quoted:
//! `category["Scheduling Lambda"]`.

use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

/// One step down a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A mapping's key.
    Key(String),
    /// A list element by position.
    Index(usize),
    /// A list element by its unique name.
    Named(String),
}

/// A place in a tree: the steps from the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TreePath(Vec<Step>);

impl TreePath {
    /// The path one step further.
    pub fn then(&self, step: Step) -> TreePath {
        let mut steps = self.0.clone();
        steps.push(step);
        TreePath(steps)
    }

    /// The path to a mapping's `key`.
    pub fn key(&self, key: &str) -> TreePath {
        self.then(Step::Key(key.to_owned()))
    }
}

fn is_word(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

impl fmt::Display for TreePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(the whole document)");
        }
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) if is_word(key) && i == 0 => f.write_str(key)?,
                Step::Key(key) if is_word(key) => write!(f, ".{key}")?,
                Step::Key(key) | Step::Named(key) => write!(f, "[{}]", quoted(key))?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// The name of a list element: its own `name`, or that of the one mapping it wraps.
pub(crate) fn element_name(item: &Value) -> Option<&str> {
    let map = item.as_object()?;
    if let Some(name) = map.get("name").and_then(Value::as_str) {
        return Some(name);
    }
    let mut values = map.values();
    match (values.next(), values.next()) {
        (Some(inner), None) => inner.get("name").and_then(Value::as_str),
        _ => None,
    }
}

/// How to step to each element of `list`: by name where the name is unique, else by index.
pub(crate) fn element_steps(list: &[Value]) -> Vec<Step> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for name in list.iter().filter_map(element_name) {
        *counts.entry(name).or_default() += 1;
    }
    list.iter()
        .enumerate()
        .map(|(index, item)| match element_name(item) {
            Some(name) if counts.get(name) == Some(&1) => Step::Named(name.to_owned()),
            _ => Step::Index(index),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_read_like_the_document() {
        let path = TreePath::default()
            .key("digitalBotFlow")
            .key("nluDomainVersion")
            .key("intents")
            .then(Step::Named("Book an Appointment".into()))
            .key("utterances")
            .then(Step::Index(2))
            .key("category")
            .key("Scheduling Lambda")
            .key("userParams.key");
        assert_eq!(
            path.to_string(),
            r#"digitalBotFlow.nluDomainVersion.intents["Book an Appointment"].utterances[2].category["Scheduling Lambda"]["userParams.key"]"#
        );
        assert_eq!(TreePath::default().to_string(), "(the whole document)");
        assert_eq!(TreePath::default().key("a b").to_string(), r#"["a b"]"#);
    }

    #[test]
    fn elements_are_named_when_their_name_is_unique() {
        let list = [
            json!({"name": "Book"}),
            json!({"bot": {"name": "Default Bot"}}),
            json!({"communicate": {"name": "Communicate"}}),
            json!({"communicate": {"name": "Communicate"}}),
            json!({"segments": []}),
            json!("text"),
        ];
        assert_eq!(
            element_steps(&list),
            [
                Step::Named("Book".into()),
                Step::Named("Default Bot".into()),
                Step::Index(2),
                Step::Index(3),
                Step::Index(4),
                Step::Index(5),
            ]
        );
    }
}
