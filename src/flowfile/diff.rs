//! The plan of a change: what a new version of a bot flow changes in the bot, compared with
//! the live one, in the terms a reviewer of the pull request thinks in (flow-artifacts.md §3:
//! "everything in a bot is in the YAML … a semantic diff is local work").
//!
//! Compared: the flow's name and type (a change the pipeline refuses: Archy would create a
//! new flow, TF#1160); intents by name — utterances added and removed as texts, the
//! description; entities by name; the confidence thresholds of `settingsUserInput`
//! ([`CONFIDENCE_THRESHOLDS`]); the texts the bot says (the module `prompts`), paired by where
//! they are; knowledge bases and their settings; and the other org objects the flow names
//! ([`super::references`]). Formatting, key order and the NLU ids an import regenerates never
//! show: everything is compared as values, intents and entities by name.
//!
//! Strings from the files are kept as data in [`Change`] and [`FlowDiff::lines`] (quoted, line
//! breaks shown as `\n`): the caller escapes them for Markdown.

use serde_json::Value;
use std::collections::HashMap;

use super::change::Change;
use super::difference::first_difference;
use super::document::FlowDocument;
use super::nlu::{self, Entity, Intent};
use super::prompts::{self, Prompt};
use super::references::{Reference, ReferenceKind, references};

/// The confidence thresholds compared, under `settingsUserInput`, each `{lit: <number>}`
/// (scheduling-bot blueprint; the sandbox's demo bot).
pub const CONFIDENCE_THRESHOLDS: [&str; 3] = [
    "collectionLowConfidenceThreshold",
    "collectionHighConfidenceThreshold",
    "confirmationLowConfidenceThreshold",
];

/// What a new version changes, compared with the live one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowDiff {
    changes: Vec<Change>,
}

impl FlowDiff {
    /// The changes from `live` (the live version's export) to `file` (the substituted flow
    /// file), in this order: name and type, intents, entities, thresholds, prompts, knowledge,
    /// references; within each, the new version's order, then what it no longer has.
    pub fn between(live: &FlowDocument, file: &FlowDocument) -> FlowDiff {
        let mut changes = Vec::new();
        if live.name() != file.name() {
            changes.push(Change::FlowRenamed {
                from: live.name().to_owned(),
                to: file.name().to_owned(),
            });
        }
        if live.kind() != file.kind() {
            changes.push(Change::FlowTypeChanged {
                from: live.kind(),
                to: file.kind(),
            });
        }
        let (old, new) = (live.body(), file.body());
        intent_changes(&nlu::intents(old), &nlu::intents(new), &mut changes);
        entity_changes(&nlu::entities(old), &nlu::entities(new), &mut changes);
        threshold_changes(old, new, &mut changes);
        prompt_changes(&prompts::prompts(old), &prompts::prompts(new), &mut changes);
        let (old_refs, new_refs) = (references(live), references(file));
        knowledge_changes(&old_refs, old, &new_refs, new, &mut changes);
        reference_changes(&old_refs, &new_refs, &mut changes);
        FlowDiff { changes }
    }

    /// The changes.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether the new version changes nothing compared.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Whether the name or the type changed: a deployment the pipeline refuses.
    pub fn changes_identity(&self) -> bool {
        self.changes.iter().any(Change::changes_identity)
    }

    /// One line per change, for a summary or a pull request comment.
    pub fn lines(&self) -> Vec<String> {
        self.changes.iter().map(Change::line).collect()
    }
}

/// The elements of `a` that `b` does not have, counting repeats.
fn minus(a: &[String], b: &[String]) -> Vec<String> {
    let mut unmatched: Vec<&String> = b.iter().collect();
    a.iter()
        .filter(
            |item| match unmatched.iter().position(|other| other == item) {
                Some(index) => {
                    unmatched.swap_remove(index);
                    false
                }
                None => true,
            },
        )
        .cloned()
        .collect()
}

fn intent_changes(old: &[Intent], new: &[Intent], changes: &mut Vec<Change>) {
    for intent in new {
        let Some(before) = old.iter().find(|i| i.name == intent.name) else {
            changes.push(Change::IntentAdded {
                name: intent.name.clone(),
                utterances: intent.utterances.clone(),
            });
            continue;
        };
        let added = minus(&intent.utterances, &before.utterances);
        let removed = minus(&before.utterances, &intent.utterances);
        let description = (before.description != intent.description)
            .then(|| (before.description.clone(), intent.description.clone()));
        if !added.is_empty() || !removed.is_empty() || description.is_some() {
            changes.push(Change::IntentChanged {
                name: intent.name.clone(),
                utterances_before: before.utterances.len(),
                utterances_after: intent.utterances.len(),
                added,
                removed,
                description,
            });
        }
    }
    for intent in old.iter().filter(|i| !new.iter().any(|n| n.name == i.name)) {
        changes.push(Change::IntentRemoved {
            name: intent.name.clone(),
            utterances: intent.utterances.len(),
        });
    }
}

fn entity_changes(old: &[Entity], new: &[Entity], changes: &mut Vec<Change>) {
    for entity in new {
        match old.iter().find(|e| e.name == entity.name) {
            None => changes.push(Change::EntityAdded {
                name: entity.name.clone(),
                entity_type: entity.entity_type.clone(),
            }),
            Some(before) if before.entity_type != entity.entity_type => {
                changes.push(Change::EntityTypeChanged {
                    name: entity.name.clone(),
                    from: before.entity_type.clone(),
                    to: entity.entity_type.clone(),
                });
            }
            Some(_) => {}
        }
    }
    for entity in old.iter().filter(|e| !new.iter().any(|n| n.name == e.name)) {
        changes.push(Change::EntityRemoved {
            name: entity.name.clone(),
        });
    }
}

/// A setting's value as text: its `lit`, its `exp`, or `None` when not set (`noValue`).
fn setting_text(setting: Option<&Value>) -> Option<String> {
    let setting = setting?;
    if let Some(lit) = setting.get("lit") {
        return Some(match lit {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        });
    }
    if let Some(exp) = setting.get("exp").and_then(Value::as_str) {
        return Some(exp.to_owned());
    }
    (setting.get("noValue") != Some(&Value::Bool(true))).then(|| setting.to_string())
}

fn threshold_changes(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    for setting in CONFIDENCE_THRESHOLDS {
        let value = |flow: &Value| setting_text(flow.get("settingsUserInput")?.get(setting));
        let (from, to) = (value(old), value(new));
        if from != to {
            changes.push(Change::ThresholdChanged {
                setting: setting.to_owned(),
                from,
                to,
            });
        }
    }
}

/// Prompts keyed by site and, for prompts sharing a site, by their order there.
fn keyed(prompts: &[Prompt]) -> Vec<((String, usize), &Prompt)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    prompts
        .iter()
        .map(|prompt| {
            let site = prompt.site();
            let occurrence = seen.entry(site.clone()).or_default();
            *occurrence += 1;
            ((site, *occurrence), prompt)
        })
        .collect()
}

fn prompt_changes(old: &[Prompt], new: &[Prompt], changes: &mut Vec<Change>) {
    let (old, new) = (keyed(old), keyed(new));
    // The brief label where it names one prompt only, else the full site (and which one).
    let mut keys_by_label: HashMap<String, Vec<&(String, usize)>> = HashMap::new();
    for (key, prompt) in old.iter().chain(&new) {
        let keys = keys_by_label.entry(prompt.label()).or_default();
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let shown = |(site, occurrence): &(String, usize), prompt: &Prompt| {
        let label = prompt.label();
        match (keys_by_label.get(&label).map(Vec::len), occurrence) {
            (Some(1), _) => label,
            (_, 1) => site.clone(),
            (_, n) => format!("{site} #{n}"),
        }
    };
    for (key, prompt) in &new {
        match old.iter().find(|(k, _)| k == key) {
            None => changes.push(Change::PromptAdded {
                prompt: shown(key, prompt),
                text: prompt.text.clone(),
            }),
            Some((_, before)) if before.text != prompt.text => {
                changes.push(Change::PromptChanged {
                    prompt: shown(key, prompt),
                    from: before.text.clone(),
                    to: prompt.text.clone(),
                });
            }
            Some(_) => {}
        }
    }
    for (key, prompt) in &old {
        if !new.iter().any(|(k, _)| k == key) {
            changes.push(Change::PromptRemoved {
                prompt: shown(key, prompt),
                text: prompt.text.clone(),
            });
        }
    }
}

/// The knowledge bases a flow uses, with their settings where the flow gives them.
fn knowledge<'a>(refs: &'a [Reference], flow: &'a Value) -> Vec<(&'a str, Option<&'a Value>)> {
    refs.iter()
        .filter(|r| r.kind == ReferenceKind::KnowledgeBase)
        .map(|r| {
            let settings = flow.get("settingsKnowledge").and_then(|s| s.get(&r.name));
            (r.name.as_str(), settings)
        })
        .collect()
}

fn knowledge_changes(
    old_refs: &[Reference],
    old: &Value,
    new_refs: &[Reference],
    new: &Value,
    changes: &mut Vec<Change>,
) {
    let (old, new) = (knowledge(old_refs, old), knowledge(new_refs, new));
    for (name, settings) in &new {
        match old.iter().find(|(n, _)| n == name) {
            None => changes.push(Change::KnowledgeBaseAdded {
                name: (*name).to_owned(),
            }),
            Some((_, before)) => {
                let at = match (before, settings) {
                    (Some(a), Some(b)) => first_difference(a, b),
                    (None, None) => None,
                    _ => Some("settingsKnowledge".to_owned()),
                };
                if let Some(at) = at {
                    changes.push(Change::KnowledgeSettingsChanged {
                        name: (*name).to_owned(),
                        at,
                    });
                }
            }
        }
    }
    for (name, _) in old.iter().filter(|(n, _)| !new.iter().any(|(m, _)| m == n)) {
        changes.push(Change::KnowledgeBaseRemoved {
            name: (*name).to_owned(),
        });
    }
}

fn reference_changes(old: &[Reference], new: &[Reference], changes: &mut Vec<Change>) {
    let same = |a: &Reference, b: &Reference| {
        a.kind == b.kind && a.name == b.name && a.integration == b.integration
    };
    let others = |r: &&Reference| r.kind != ReferenceKind::KnowledgeBase;
    for reference in new.iter().filter(others) {
        if !old.iter().any(|r| same(r, reference)) {
            changes.push(Change::ReferenceAdded(reference.clone()));
        }
    }
    for reference in old.iter().filter(others) {
        if !new.iter().any(|r| same(r, reference)) {
            changes.push(Change::ReferenceRemoved(reference.clone()));
        }
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
