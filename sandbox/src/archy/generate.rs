//! An Archy YAML for a version the scenario describes with a bot script (or not at all), so that
//! every bot flow version can be exported. It is written in the subset `play.rs` reads:
//!
//! * the greeting's first part is the `askForIntent` question (a greeting that ends the
//!   session becomes `communicate` actions and the ending instead);
//! * each reply rule is an intent named after its utterance, with that utterance as its only
//!   utterance; its parts are `communicate` actions, and its ending `transferToAcd` (exit
//!   `AgentRequestedByUser`, to the scenario's first queue, else "General"), `disconnect` (any
//!   disconnect) or `exitBotFlow` (any other exit reason);
//! * the fallback's first part is the `noMatch` text.
//!
//! What the subset cannot hold is left out: quick replies, a greeting's later parts, a
//! fallback's ending, `exact` matching and the exit reasons other than `AgentRequestedByUser`
//! (they come back as `TriggeredByFlow`). A re-import of the export plays by the YAML rules
//! (classification by shared words, one turn per answer), not by the script's.

use serde_json::{Value, json};

use crate::archy::document::{ArchyDocument, BotKind};
use crate::archy::expression::make_communication;
use crate::bots::script::{BotEnd, BotReply, BotScript, EndKind};

const BOT_REF: &str = "Default Bot_10";

fn communicate(text: &str) -> Value {
    json!({"communicate": {"name": "Communicate", "communication": {"exp": make_communication(text)}}})
}

fn ending(end: &BotEnd, queue: &str) -> Value {
    match (end.kind, end.reason.as_str()) {
        (EndKind::Exit, "AgentRequestedByUser") => json!({"transferToAcd": {
            "name": "Transfer to ACD",
            "targetQueue": {"lit": {"name": queue}},
            "preTransferCommunication": {"exp": make_communication("")},
        }}),
        (EndKind::Exit, _) => json!({"exitBotFlow": {"name": "Exit Bot Flow"}}),
        (EndKind::Disconnect, _) => json!({"disconnect": {"name": "Disconnect"}}),
    }
}

/// A reply as actions: one `communicate` per part, then its ending.
fn reply_actions(reply: &BotReply, queue: &str) -> Vec<Value> {
    std::iter::once(&reply.text)
        .chain(&reply.continued)
        .filter(|t| !t.is_empty())
        .map(|t| communicate(t))
        .chain(reply.ends.iter().map(|e| ending(e, queue)))
        .collect()
}

fn fresh_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The generated document of a bot flow version that answers with `script`.
pub(crate) fn from_script(
    kind: BotKind,
    name: &str,
    description: Option<&str>,
    script: &BotScript,
    queue: &str,
) -> ArchyDocument {
    let mut names: Vec<String> = Vec::new();
    let mut outputs = Vec::new();
    let mut nlu = Vec::new();
    for rule in &script.replies {
        let base = rule.utterance.trim();
        let mut intent = base.to_owned();
        let mut n = 1;
        while names.contains(&intent) {
            n += 1;
            intent = format!("{base} ({n})");
        }
        names.push(intent.clone());
        outputs.push(json!({"intent": {
            "name": intent, "actions": reply_actions(&rule.reply, queue), "enabled": true,
        }}));
        nlu.push(json!({
            "name": intent,
            "id": fresh_id(),
            "utterances": [{"segments": [{"text": rule.utterance}], "id": fresh_id(), "source": "User"}],
        }));
    }
    let no_match = script
        .fallback
        .as_ref()
        .map_or("Sorry, I didn't understand that.", |f| f.text.as_str());
    let actions = match &script.greeting {
        Some(greeting) if greeting.ends.is_some() => reply_actions(greeting, queue),
        greeting => vec![json!({"askForIntent": {
            "name": "Ask for Intent",
            "question": {"exp": make_communication(greeting.as_ref().map_or("", |g| g.text.as_str()))},
            "noMatch": {"exp": make_communication(no_match)},
            "outputs": {"intents": outputs},
        }})],
    };
    let top = kind.top_key();
    let mut flow = json!({
        "name": name,
        "startUpRef": format!("/{top}/bots/bot[{BOT_REF}]"),
        "defaultLanguage": "en-us",
        "bots": [{"bot": {"name": "Default Bot", "refId": BOT_REF, "actions": actions}}],
        "settingsNaturalLanguageUnderstanding": {"nluDomainVersion": {
            "intents": nlu, "entities": [], "language": "en-us",
        }},
    });
    if let (Some(d), Some(obj)) = (description, flow.as_object_mut()) {
        obj.insert("description".into(), json!(d));
    }
    let root = serde_norway::to_value(json!({ top: flow })).unwrap_or(serde_norway::Value::Null);
    ArchyDocument {
        kind,
        name: name.to_owned(),
        description: description.map(str::to_owned),
        root,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archy::document::parse;
    use crate::archy::play::ArchyBot;
    use crate::scenario::demo_bots::billing_assistant;

    #[test]
    fn a_script_becomes_a_yaml_that_plays_alike() {
        let script = billing_assistant("2.0");
        let doc = from_script(
            BotKind::DigitalBot,
            "Billing Assistant",
            Some("Answers billing questions"),
            &script,
            "Billing",
        );
        let text = doc.export_text();
        let again = parse(&text).expect("the generated YAML parses");
        assert_eq!(
            (again.kind, again.name.as_str()),
            (BotKind::DigitalBot, "Billing Assistant")
        );
        let bot = ArchyBot::from_document(&again);
        assert_eq!(
            bot.greeting().parts,
            [["Hi, I'm the Billing Assistant. How can I help?"]]
        );
        let pay = bot.answer("how do I pay?");
        assert_eq!(
            pay.parts,
            [[
                "You can pay your bill online.",
                "Or pay by phone, any time."
            ]]
        );
        assert_eq!(pay.ends, None);
        let agent = bot.answer("agent");
        assert_eq!(agent.parts, [["Connecting you to a billing agent."]]);
        assert_eq!(
            agent.ends.map(|e| e.reason),
            Some("AgentRequestedByUser".to_owned())
        );
        assert!(text.contains("name: Billing"), "{text}");
        assert_eq!(
            bot.answer("weather").parts,
            [["Sorry, I can help with bills and payments."]]
        );
    }

    #[test]
    fn duplicate_utterances_get_distinct_intents() {
        let script: BotScript = serde_json::from_str(
            r#"{"greeting": {"text": "Bye", "ends": {"kind": "disconnect", "reason": "TriggeredByUser"}},
                "replies": [{"utterance": "a", "reply": {"text": "1"}}, {"utterance": "a", "reply": {"text": "2"}}]}"#,
        )
        .expect("script");
        let doc = from_script(BotKind::Bot, "B", None, &script, "Q");
        let flow = &doc.root["botFlow"];
        let actions = flow["bots"][0]["bot"]["actions"]
            .as_sequence()
            .expect("actions");
        assert!(actions[0].get("communicate").is_some());
        assert!(actions[1].get("disconnect").is_some());
        let names: Vec<&str> =
            flow["settingsNaturalLanguageUnderstanding"]["nluDomainVersion"]["intents"]
                .as_sequence()
                .expect("intents")
                .iter()
                .filter_map(|i| i["name"].as_str())
                .collect();
        assert_eq!(names, ["a", "a (2)"]);
    }
}
