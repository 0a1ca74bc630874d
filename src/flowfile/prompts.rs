//! The texts a bot says, found in its flow: every expression that builds a communication
//! (`exp: "MakeCommunication(\n  \"Hi! What would you like to do?\")"`, as Archy writes
//! prompts in the scheduling-bot blueprint and the sandbox's demo bot), and literal texts
//! (`lit: "..."`) under the prompt fields of [`PROMPT_FIELDS`].
//!
//! A prompt's site is where it is: the names of the flow elements around it (bot, action,
//! intent — anything with a `name`, and the knowledge base a `settingsKnowledge` entry is
//! for), the `settings…` section and the `outputs` branch (`"yes"`, `success`, `intents`) it
//! is in, and its field (`question`, `noMatch`,
//! `communication`, ...). Sites pair a prompt of one version with the same prompt of another.

use serde_json::{Map, Value};

/// The fields whose literal text (`lit`) is said to the user, besides any
/// `MakeCommunication(...)` expression anywhere.
pub(crate) const PROMPT_FIELDS: [&str; 7] = [
    "communication",
    "question",
    "noMatch",
    "noInput",
    "preTransferCommunication",
    "failureTransferCommunication",
    "confirmation",
];

/// The section whose keys are knowledge base names (web-messaging knowledge blueprint).
const KNOWLEDGE: &str = "settingsKnowledge";

/// The field that holds what a `communicate` action says: not repeated in labels.
const PLAIN_FIELD: &str = "communication";

/// One text the bot says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prompt {
    /// The names and section around it, outermost first.
    pub around: Vec<Around>,
    /// The field that holds it.
    pub field: String,
    /// What the user reads: literal parts as text, other parts as `{expression}`.
    pub text: String,
}

/// One element around a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Around {
    /// A flow element with this name.
    Named(String),
    /// A `settings…` section.
    Section(String),
    /// A branch of an action's `outputs`.
    Branch(String),
}

impl Prompt {
    /// Where it is, in full: `"Default Bot" › "Ask for Intent" › question`.
    pub fn site(&self) -> String {
        let mut parts: Vec<String> = self.around.iter().map(Around::shown).collect();
        parts.push(self.field.clone());
        parts.join(" › ")
    }

    /// Where it is, briefly: the innermost name and the field (`"Ask for Intent" (question)`,
    /// `"Offer a slot"`), or the section and field (`settingsUserInput.noMatchApology`).
    pub fn label(&self) -> String {
        match self.around.last() {
            Some(Around::Named(name)) if self.field == PLAIN_FIELD => format!("\"{name}\""),
            Some(Around::Named(name)) => format!("\"{name}\" ({})", self.field),
            Some(Around::Section(section) | Around::Branch(section)) => {
                format!("{section}.{}", self.field)
            }
            None => self.field.clone(),
        }
    }
}

impl Around {
    fn shown(&self) -> String {
        match self {
            Around::Named(name) => format!("\"{name}\""),
            Around::Section(section) | Around::Branch(section) => section.clone(),
        }
    }
}

/// Every prompt of a flow (the mapping under its top-level key), in the tree's order: keys
/// sorted, list elements in order. The flow's own name is not part of the sites, so that a
/// rename does not move every prompt.
pub(crate) fn prompts(flow: &Value) -> Vec<Prompt> {
    let mut found = Vec::new();
    if let Value::Object(map) = flow {
        entries(map, &mut Vec::new(), &mut found);
    }
    found
}

fn walk(value: &Value, around: &mut Vec<Around>, found: &mut Vec<Prompt>) {
    match value {
        Value::Object(map) => {
            let named = map.get("name").and_then(Value::as_str);
            if let Some(name) = named {
                around.push(Around::Named(name.to_owned()));
            }
            entries(map, around, found);
            if named.is_some() {
                around.pop();
            }
        }
        Value::Array(items) => items.iter().for_each(|item| walk(item, around, found)),
        _ => {}
    }
}

fn entries(map: &Map<String, Value>, around: &mut Vec<Around>, found: &mut Vec<Prompt>) {
    for (key, inner) in map {
        if let Some(text) = said(key, inner) {
            found.push(Prompt {
                around: around.clone(),
                field: key.clone(),
                text,
            });
            continue;
        }
        if key == "outputs" {
            // Branches (`"yes"`, `success`, `intents`) tell apart the actions of one action.
            for (branch, actions) in inner.as_object().into_iter().flatten() {
                around.push(Around::Branch(branch.clone()));
                walk(actions, around, found);
                around.pop();
            }
            continue;
        }
        if key == KNOWLEDGE {
            // Knowledge settings are keyed by the knowledge base's name, not named inside.
            around.push(Around::Section(key.clone()));
            for (knowledge_base, settings) in inner.as_object().into_iter().flatten() {
                around.push(Around::Named(knowledge_base.clone()));
                walk(settings, around, found);
                around.pop();
            }
            around.pop();
            continue;
        }
        let section = key.starts_with("settings");
        if section {
            around.push(Around::Section(key.clone()));
        }
        walk(inner, around, found);
        if section {
            around.pop();
        }
    }
}

/// The text of `key: value` when it is a prompt.
fn said(key: &str, value: &Value) -> Option<String> {
    if let Some(exp) = value.get("exp").and_then(Value::as_str) {
        return exp
            .contains("MakeCommunication(")
            .then(|| expression_text(exp));
    }
    let lit = value.get("lit").and_then(Value::as_str)?;
    PROMPT_FIELDS.contains(&key).then(|| lit.to_owned())
}

/// What a communication expression says: for one `MakeCommunication(...)` call, its string
/// arguments unescaped and its other arguments as `{expression}`; for anything else, the
/// expression as written.
pub(crate) fn expression_text(exp: &str) -> String {
    let trimmed = exp.trim();
    let arguments = trimmed
        .strip_prefix("MakeCommunication(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(split_arguments);
    match arguments {
        Some(arguments) => arguments
            .iter()
            .map(|argument| string_literal(argument).unwrap_or_else(|| format!("{{{argument}}}")))
            .collect(),
        None => trimmed.to_owned(),
    }
}

/// The top-level, comma-separated arguments, trimmed; `None` when the brackets or quotes do
/// not balance (then the text is not one call).
fn split_arguments(inside: &str) -> Option<Vec<&str>> {
    let mut arguments = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in inside.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            ',' if depth == 0 => {
                arguments.push(inside[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_string || depth != 0 {
        return None;
    }
    arguments.push(inside[start..].trim());
    Some(arguments.into_iter().filter(|a| !a.is_empty()).collect())
}

/// The text of an argument that is exactly one string literal (`\"`, `\\`, `\n`, `\t`
/// unescaped, as Architect writes them).
fn string_literal(argument: &str) -> Option<String> {
    let inner = argument.strip_prefix('"')?.strip_suffix('"')?;
    let mut text = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => text.push('\n'),
                't' => text.push('\t'),
                other => text.push(other),
            },
            // An unescaped quote: two literals joined, not one.
            '"' => return None,
            other => text.push(other),
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flowfile::FlowDocument;

    const DEMO: &str = include_str!("../../sandbox/src/scenario/demo_appointment_bot.yaml");

    #[test]
    fn the_demo_bot_says_four_things_in_key_order() {
        let doc = FlowDocument::parse(DEMO, "demo.yaml").expect("parses");
        let said: Vec<(String, String)> = prompts(doc.body())
            .iter()
            .map(|p| (p.label(), p.text.clone()))
            .collect();
        assert_eq!(
            said,
            [
                (
                    "\"Ask for Intent\" (noMatch)".to_owned(),
                    "Sorry, I didn't catch that. You can say \"book an appointment\" or \"talk to someone\".".to_owned()
                ),
                (
                    "\"Offer a slot\"".to_owned(),
                    "The next free appointment is tomorrow at 9:00, and I have booked it for you.".to_owned()
                ),
                (
                    "\"Transfer to ACD\" (preTransferCommunication)".to_owned(),
                    "One moment, I'm putting you through to our appointments team.".to_owned()
                ),
                (
                    "\"Ask for Intent\" (question)".to_owned(),
                    "Hi! I can book an appointment or put you through to our team. What would you like to do?".to_owned()
                ),
            ]
        );
        let offer = &prompts(doc.body())[1];
        assert_eq!(
            offer.site(),
            "\"Default Bot\" › \"Ask for Intent\" › intents › \"Book an Appointment\" › \"Offer a slot\" › communication"
        );
    }

    #[test]
    fn expressions_show_literals_as_text_and_the_rest_in_braces() {
        let exp = "MakeCommunication(\n  \"Here are the slots on \", \n  ToCommunication(ResolveSlot(Slot.AppointmentDate), Format.Date.shortYear), \n  \": \", \n  ToCommunication(ToDisplayString(Flow.time)))";
        assert_eq!(
            expression_text(exp),
            "Here are the slots on {ToCommunication(ResolveSlot(Slot.AppointmentDate), Format.Date.shortYear)}: {ToCommunication(ToDisplayString(Flow.time))}"
        );
        assert_eq!(
            expression_text(r#"MakeCommunication("Say \"yes\", \\ or \"no\".\nThanks")"#),
            "Say \"yes\", \\ or \"no\".\nThanks"
        );
        let conditional = r#"If(Flow.x, MakeCommunication("a"), MakeCommunication("b"))"#;
        assert_eq!(expression_text(conditional), conditional);
        assert_eq!(
            expression_text("MakeCommunication(\"open)"),
            "MakeCommunication(\"open)"
        );
        assert_eq!(expression_text("MakeCommunication(\n  \"\")"), "");
    }

    #[test]
    fn settings_prompts_and_literals_are_found() {
        let doc = FlowDocument::parse(
            r#"
botFlow:
  name: B
  settingsUserInput:
    noMatchApology:
      exp: "MakeCommunication(\n  \"Sorry.\")"
    collectionLowConfidenceThreshold:
      lit: 20
  bots:
    - bot:
        name: Default Bot
        actions:
          - communicate:
              name: Hello
              communication:
                lit: Hello there
          - updateData:
              name: Set
              statements:
                - string:
                    variable: Flow.x
                    value:
                      lit: not said
"#,
            "b.yaml",
        )
        .expect("parses");
        let found: Vec<(String, String)> = prompts(doc.body())
            .iter()
            .map(|p| (p.label(), p.text.clone()))
            .collect();
        assert_eq!(
            found,
            [
                ("\"Hello\"".to_owned(), "Hello there".to_owned()),
                (
                    "settingsUserInput.noMatchApology".to_owned(),
                    "Sorry.".to_owned()
                ),
            ]
        );
    }
}
