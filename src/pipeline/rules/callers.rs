//! Whom a publish reaches (SPEC rule 16's plan): a flow that calls the bot either takes the
//! latest published version — it gets this publish — or pins an earlier one, and does not
//! ("Select to use the most recently published version, or use a previously published
//! version", help "Call Digital Bot Flow action"; flow-artifacts.md §3).
//!
//! Where a caller's configuration (`GET /api/v2/flows/{id}/versions/{v}/configuration`)
//! says which is a GUESS, shared with the sandbox (its guess 34): the call action holds a
//! reference to the bot, `{"id": <bot id>, "name": …, "version": "latest" | <version>}`.
//! Archy YAML spells the latest `ver_latestPublished`; both spellings count as the latest.

use serde_json::Value;

/// Which version of the bot a caller calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pin {
    /// The latest published one: it gets this publish.
    Latest,
    /// This one, whatever is published.
    Version(String),
    /// The configuration does not say (no reference to the bot with a version in it).
    Unknown,
}

/// The version `configuration` (a caller's) calls of the bot `bot_id`.
pub fn pin_of(configuration: &Value, bot_id: &str) -> Pin {
    match configuration {
        Value::Object(map) => {
            let names_the_bot = map
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.eq_ignore_ascii_case(bot_id));
            if names_the_bot && let Some(version) = map.get("version").and_then(Value::as_str) {
                return match version.trim() {
                    "latest" | "ver_latestPublished" => Pin::Latest,
                    pinned => Pin::Version(pinned.to_string()),
                };
            }
            first_known(map.values(), bot_id)
        }
        Value::Array(items) => first_known(items.iter(), bot_id),
        _ => Pin::Unknown,
    }
}

fn first_known<'a>(values: impl Iterator<Item = &'a Value>, bot_id: &str) -> Pin {
    values
        .map(|v| pin_of(v, bot_id))
        .find(|pin| *pin != Pin::Unknown)
        .unwrap_or(Pin::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caller(version: &str) -> Value {
        json!({ "name": "SMS", "actions": [
            { "communicate": { "name": "Hello" } },
            { "callDigitalBotFlow": { "name": "Call Appointment Bot",
                "botFlow": { "id": "BOT-1", "name": "Appointment Bot", "version": version } } }
        ]})
    }

    #[test]
    fn a_caller_takes_the_latest_or_pins_a_version() {
        assert_eq!(pin_of(&caller("latest"), "bot-1"), Pin::Latest);
        assert_eq!(pin_of(&caller("ver_latestPublished"), "bot-1"), Pin::Latest);
        assert_eq!(pin_of(&caller("1.0"), "bot-1"), Pin::Version("1.0".into()));
        assert_eq!(pin_of(&caller("1.0"), "another-bot"), Pin::Unknown);
        assert_eq!(
            pin_of(&json!({ "botFlow": { "id": "bot-1" } }), "bot-1"),
            Pin::Unknown
        );
    }
}
