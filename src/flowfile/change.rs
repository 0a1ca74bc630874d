//! One change a new version of a bot flow makes, and how it reads in one line. Strings from
//! the files are kept as data: quoted, line breaks shown as `\n`, not escaped for Markdown
//! (the caller does that where it writes Markdown).

use super::document::FlowKind;
use super::references::Reference;

/// One change a new version makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The flow's name changed: Archy would create another flow (refused).
    FlowRenamed {
        /// The live name.
        from: String,
        /// The file's name.
        to: String,
    },
    /// The flow's type changed (refused).
    FlowTypeChanged {
        /// The live type.
        from: FlowKind,
        /// The file's type.
        to: FlowKind,
    },
    /// An intent only the new version has.
    IntentAdded {
        /// Its name.
        name: String,
        /// Its utterances.
        utterances: Vec<String>,
    },
    /// An intent only the live version has.
    IntentRemoved {
        /// Its name.
        name: String,
        /// How many utterances it had.
        utterances: usize,
    },
    /// An intent both have, with other utterances or another description.
    IntentChanged {
        /// Its name.
        name: String,
        /// How many utterances it had.
        utterances_before: usize,
        /// How many it has.
        utterances_after: usize,
        /// Utterances only the new version has.
        added: Vec<String>,
        /// Utterances only the live version has.
        removed: Vec<String>,
        /// `(live, new)` when the description changed (`None` for no description).
        description: Option<(Option<String>, Option<String>)>,
    },
    /// An entity only the new version has.
    EntityAdded {
        /// Its name.
        name: String,
        /// Its type.
        entity_type: Option<String>,
    },
    /// An entity only the live version has.
    EntityRemoved {
        /// Its name.
        name: String,
    },
    /// An entity both have, with another type.
    EntityTypeChanged {
        /// Its name.
        name: String,
        /// The live type.
        from: Option<String>,
        /// The new type.
        to: Option<String>,
    },
    /// A confidence threshold changed (`None`: not set).
    ThresholdChanged {
        /// The setting, one of [`super::CONFIDENCE_THRESHOLDS`].
        setting: String,
        /// The live value.
        from: Option<String>,
        /// The new value.
        to: Option<String>,
    },
    /// A text the bot says changed.
    PromptChanged {
        /// Which prompt: `"Offer a slot"`, `"Ask for Intent" (question)`.
        prompt: String,
        /// The live text.
        from: String,
        /// The new text.
        to: String,
    },
    /// A text only the new version says.
    PromptAdded {
        /// Which prompt.
        prompt: String,
        /// Its text.
        text: String,
    },
    /// A text only the live version says.
    PromptRemoved {
        /// Which prompt.
        prompt: String,
        /// Its text.
        text: String,
    },
    /// A knowledge base only the new version uses.
    KnowledgeBaseAdded {
        /// Its name.
        name: String,
    },
    /// A knowledge base only the live version uses.
    KnowledgeBaseRemoved {
        /// Its name.
        name: String,
    },
    /// A knowledge base both use, with other settings.
    KnowledgeSettingsChanged {
        /// Its name.
        name: String,
        /// Where its settings first differ (`maxNumOfAnswersReturned.lit`).
        at: String,
    },
    /// An org object (queue, data action, called flow, ...) only the new version names.
    ReferenceAdded(Reference),
    /// An org object only the live version names.
    ReferenceRemoved(Reference),
}

impl Change {
    /// Whether this is a change of the flow's name or type.
    pub fn changes_identity(&self) -> bool {
        matches!(
            self,
            Change::FlowRenamed { .. } | Change::FlowTypeChanged { .. }
        )
    }

    /// The change in one line: `Intent "Book an Appointment": 3 → 5 utterances (+ "…")`.
    pub fn line(&self) -> String {
        match self {
            Change::FlowRenamed { from, to } => {
                format!("Flow name: {} → {}", quote(from), quote(to))
            }
            Change::FlowTypeChanged { from, to } => format!("Flow type: {from} → {to}"),
            Change::IntentAdded { name, utterances } => format!(
                "Intent {} added with {} ({})",
                quote(name),
                count(utterances.len()),
                listed(utterances, &[])
            ),
            Change::IntentRemoved { name, utterances } => {
                format!(
                    "Intent {} removed (had {})",
                    quote(name),
                    count(*utterances)
                )
            }
            Change::IntentChanged {
                name,
                utterances_before,
                utterances_after,
                added,
                removed,
                description,
            } => {
                let mut parts = Vec::new();
                if !added.is_empty() || !removed.is_empty() {
                    parts.push(format!(
                        "{utterances_before} → {} ({})",
                        count(*utterances_after),
                        listed(added, removed)
                    ));
                }
                if let Some((from, to)) = description {
                    parts.push(format!(
                        "description {} → {}",
                        optional(from.as_deref()),
                        optional(to.as_deref())
                    ));
                }
                format!("Intent {}: {}", quote(name), parts.join("; "))
            }
            Change::EntityAdded { name, entity_type } => match entity_type {
                Some(t) => format!("Entity {} added ({t})", quote(name)),
                None => format!("Entity {} added", quote(name)),
            },
            Change::EntityRemoved { name } => format!("Entity {} removed", quote(name)),
            Change::EntityTypeChanged { name, from, to } => format!(
                "Entity {}: type {} → {}",
                quote(name),
                from.as_deref().unwrap_or("(none)"),
                to.as_deref().unwrap_or("(none)")
            ),
            Change::ThresholdChanged { setting, from, to } => format!(
                "Threshold {setting}: {} → {}",
                from.as_deref().unwrap_or("(not set)"),
                to.as_deref().unwrap_or("(not set)")
            ),
            Change::PromptChanged { prompt, from, to } => {
                format!("Prompt {prompt}: {} → {}", quote(from), quote(to))
            }
            Change::PromptAdded { prompt, text } => {
                format!("Prompt {prompt} added: {}", quote(text))
            }
            Change::PromptRemoved { prompt, text } => {
                format!("Prompt {prompt} removed: {}", quote(text))
            }
            Change::KnowledgeBaseAdded { name } => {
                format!("Knowledge base {} added", quote(name))
            }
            Change::KnowledgeBaseRemoved { name } => {
                format!("Knowledge base {} removed", quote(name))
            }
            Change::KnowledgeSettingsChanged { name, at } => {
                format!("Knowledge base {}: settings changed at {at}", quote(name))
            }
            Change::ReferenceAdded(reference) => format!("Reference added: {reference}"),
            Change::ReferenceRemoved(reference) => format!("Reference removed: {reference}"),
        }
    }
}

/// A text from a file, quoted, on one line: a line break is written `\n`, and a backslash
/// `\\` so that a `\n` the text really holds is not read back as a break.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('\n', "\\n"))
}

fn optional(text: Option<&str>) -> String {
    text.map_or_else(|| "(none)".to_owned(), quote)
}

fn count(utterances: usize) -> String {
    match utterances {
        1 => "1 utterance".to_owned(),
        n => format!("{n} utterances"),
    }
}

fn listed(added: &[String], removed: &[String]) -> String {
    let added = added.iter().map(|u| format!("+ {}", quote(u)));
    let removed = removed.iter().map(|u| format!("- {}", quote(u)));
    added.chain(removed).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_keeps_one_line_and_tells_a_break_from_a_backslash_n() {
        assert_eq!(quote("Bye\nfor now"), r#""Bye\nfor now""#);
        assert_eq!(quote(r"C:\new"), r#""C:\\new""#);
    }
}
