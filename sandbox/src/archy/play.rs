//! How a version given as Archy YAML behaves in bot flow sessions: a documented subset of the
//! bot flow actions (the scheduling-bot blueprint's `SchedulingBot.yaml` is the model).
//!
//! The bot is the one `startUpRef` names (`/botFlow/bots/bot[<refId>]`), else the first of
//! `bots[]`. Its top-level `actions` run in order; the first `askForIntent` splits them:
//!
//! * the actions before it, then its `question`, are the greeting;
//! * a user input is classified to an intent of `outputs.intents[]` (see [`ArchyBot::answer`]);
//!   that intent's `actions` run, then the top-level actions after the `askForIntent`; an input
//!   matching no intent gets the `noMatch` text;
//! * `communicate` says its `communication`; `transferToAcd` says its non-empty
//!   `preTransferCommunication`, then exits with `AgentRequestedByUser`; `disconnect`
//!   disconnects with `TriggeredByFlow`; `exitBotFlow` exits with `TriggeredByFlow`. Every other
//!   action (`callData`, `loop`, `askForSlot`, `decision`, ...) is skipped with what it holds;
//! * a text is the first string literal of its `MakeCommunication(...)` (or a `lit` string);
//!   everything one input makes the bot say comes as segments of one turn.
//!
//! GUESS: when the actions run out without an ending, a bot with an `askForIntent` waits for
//! the next input (as if it looped back, without asking again) and one without exits with
//! `TriggeredByFlow`; Architect itself wants every path to end in a terminating action.

use std::collections::{BTreeSet, HashMap};

use serde_norway::{Mapping, Value};

use crate::archy::document::ArchyDocument;
use crate::archy::expression::communication_text;
use crate::bots::script::{BotEnd, EndKind};
use crate::bots::turn::Answer;

/// Words the intent classifier ignores, besides every word shorter than three letters.
pub const CLASSIFIER_STOP_WORDS: [&str; 30] = [
    "about", "and", "are", "can", "could", "for", "from", "get", "have", "help", "how", "into",
    "just", "like", "need", "please", "some", "that", "the", "there", "this", "want", "was",
    "what", "when", "will", "with", "would", "you", "your",
];

/// What an input must share with an utterance (in words) to match its intent.
pub const MIN_SHARED_WORDS: usize = 1;

/// What the bot says to an input matching no intent when the YAML has no `noMatch` text.
const DEFAULT_NO_MATCH: &str = "Sorry, I didn't understand that.";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Say(String),
    End(BotEnd),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Intent {
    name: String,
    utterances: Vec<BTreeSet<String>>,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Ask {
    question: Option<String>,
    no_match: Option<String>,
    intents: Vec<Intent>,
}

/// The playable part of a bot flow YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchyBot {
    opening: Vec<Step>,
    ask: Option<Ask>,
    after: Vec<Step>,
}

/// The words of a text the classifier compares: lower-case runs of letters and digits of at
/// least three characters, stop words left out.
pub(crate) fn words(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !CLASSIFIER_STOP_WORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

fn end(kind: EndKind, reason: &str) -> Step {
    Step::End(BotEnd {
        kind,
        reason: reason.to_owned(),
        reason_extended_info: None,
    })
}

/// The steps of one action (`{communicate: {...}}`); unknown actions give none.
fn action_steps(action: &Value) -> Vec<Step> {
    let Some((Value::String(kind), body)) = action.as_mapping().and_then(|m| m.iter().next())
    else {
        return Vec::new();
    };
    match kind.as_str() {
        "communicate" => communication_text(body.get("communication"))
            .map(Step::Say)
            .into_iter()
            .collect(),
        "transferToAcd" => communication_text(body.get("preTransferCommunication"))
            .map(Step::Say)
            .into_iter()
            .chain([end(EndKind::Exit, "AgentRequestedByUser")])
            .collect(),
        "disconnect" => vec![end(EndKind::Disconnect, "TriggeredByFlow")],
        "exitBotFlow" => vec![end(EndKind::Exit, "TriggeredByFlow")],
        _ => Vec::new(),
    }
}

fn steps(actions: &[Value]) -> Vec<Step> {
    actions.iter().flat_map(action_steps).collect()
}

fn sequence<'a>(value: Option<&'a Value>, key: &str) -> &'a [Value] {
    value
        .and_then(|v| v.get(key))
        .and_then(Value::as_sequence)
        .map_or(&[], Vec::as_slice)
}

/// The bot `startUpRef` names, else the first one.
fn start_bot(flow: &Mapping) -> Option<&Value> {
    let bots: Vec<&Value> = flow
        .get("bots")?
        .as_sequence()?
        .iter()
        .filter_map(|b| b.get("bot"))
        .collect();
    let wanted = flow
        .get("startUpRef")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit_once("bot[")?.1.strip_suffix(']'));
    let index = wanted
        .and_then(|w| {
            bots.iter()
                .position(|b| b.get("refId").and_then(Value::as_str) == Some(w))
        })
        .unwrap_or(0);
    bots.get(index).copied()
}

/// Utterance word sets by intent name, from the NLU domain.
fn utterances(flow: &Mapping) -> HashMap<String, Vec<BTreeSet<String>>> {
    let domain = flow
        .get("settingsNaturalLanguageUnderstanding")
        .and_then(|s| s.get("nluDomainVersion"));
    sequence(domain, "intents")
        .iter()
        .filter_map(|intent| {
            let name = intent.get("name")?.as_str()?.to_owned();
            let sets = sequence(Some(intent), "utterances")
                .iter()
                .map(|u| {
                    let text: Vec<&str> = sequence(Some(u), "segments")
                        .iter()
                        .filter_map(|s| s.get("text")?.as_str())
                        .collect();
                    words(&text.join(" "))
                })
                .collect();
            Some((name, sets))
        })
        .collect()
}

fn ask(body: &Value, known: &HashMap<String, Vec<BTreeSet<String>>>) -> Ask {
    let intents = sequence(body.get("outputs"), "intents")
        .iter()
        .filter_map(|i| i.get("intent"))
        .filter_map(|intent| {
            let name = intent.get("name")?.as_str()?.to_owned();
            Some(Intent {
                utterances: known.get(&name).cloned().unwrap_or_default(),
                steps: steps(sequence(Some(intent), "actions")),
                name,
            })
        })
        .collect();
    Ask {
        question: communication_text(body.get("question")),
        no_match: communication_text(body.get("noMatch")),
        intents,
    }
}

impl ArchyBot {
    /// The bot a document describes (an empty one when it has no bots).
    pub fn from_document(doc: &ArchyDocument) -> ArchyBot {
        let empty = ArchyBot {
            opening: Vec::new(),
            ask: None,
            after: Vec::new(),
        };
        let Some(flow) = doc.flow() else {
            return empty;
        };
        let actions = sequence(start_bot(flow), "actions");
        let split = actions.iter().position(|a| a.get("askForIntent").is_some());
        match split {
            None => ArchyBot {
                opening: steps(actions),
                ..empty
            },
            Some(i) => ArchyBot {
                opening: steps(&actions[..i]),
                ask: actions[i]
                    .get("askForIntent")
                    .map(|body| ask(body, &utterances(flow))),
                after: steps(&actions[i + 1..]),
            },
        }
    }

    /// The answer to the session's first turn.
    pub fn greeting(&self) -> Answer {
        let mut said = Vec::new();
        let mut ends = run(&self.opening, &mut said);
        match (&ends, &self.ask) {
            (Some(_), _) => {}
            (None, Some(ask)) => said.extend(ask.question.clone()),
            (None, None) => ends = end_of_actions(),
        }
        Answer {
            parts: vec![said],
            quick_replies: Vec::new(),
            ends,
        }
    }

    /// The intent an input is classified to: the one with an utterance sharing the most
    /// [`words`] with it (at least [`MIN_SHARED_WORDS`]); ties go to the intent listed first.
    #[cfg(test)]
    pub fn classify(&self, said: &str) -> Option<&str> {
        self.intent(said).map(|i| i.name.as_str())
    }

    fn intent(&self, said: &str) -> Option<&Intent> {
        let said = words(said);
        let mut best: Option<(usize, &Intent)> = None;
        for intent in self.ask.iter().flat_map(|a| &a.intents) {
            let score = intent
                .utterances
                .iter()
                .map(|u| u.intersection(&said).count())
                .max()
                .unwrap_or(0);
            if score >= MIN_SHARED_WORDS && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, intent));
            }
        }
        best.map(|(_, intent)| intent)
    }

    /// The answer to an input: the intent's actions and the ones after `askForIntent`, or the
    /// `noMatch` text.
    pub fn answer(&self, said: &str) -> Answer {
        let mut texts = Vec::new();
        let ends = match self.intent(said) {
            Some(intent) => {
                let all: Vec<Step> = intent.steps.iter().chain(&self.after).cloned().collect();
                run(&all, &mut texts)
            }
            None => {
                let no_match = self.ask.as_ref().and_then(|a| a.no_match.clone());
                texts.push(no_match.unwrap_or_else(|| DEFAULT_NO_MATCH.to_owned()));
                None
            }
        };
        Answer {
            parts: vec![texts],
            quick_replies: Vec::new(),
            ends,
        }
    }
}

/// Runs steps until one ends the session; what they say goes to `said`.
fn run(steps: &[Step], said: &mut Vec<String>) -> Option<BotEnd> {
    for step in steps {
        match step {
            Step::Say(text) => said.push(text.clone()),
            Step::End(end) => return Some(end.clone()),
        }
    }
    None
}

fn end_of_actions() -> Option<BotEnd> {
    match end(EndKind::Exit, "TriggeredByFlow") {
        Step::End(e) => Some(e),
        Step::Say(_) => None,
    }
}

#[cfg(test)]
#[path = "play_tests.rs"]
mod tests;
