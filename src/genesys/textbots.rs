//! Bot flow sessions (genesys-api.md §10): talk to the published bot flow as a messaging
//! client would, for the smoke test. Both calls are retried like reads (429, 5xx, broken
//! connections): a session is harmless to start again, and a turn whose answer was lost is
//! better sent again than counted as the new version failing. A failed smoke test rolls back
//! the live version, so one transient 503 must not fail it. Should the platform have processed
//! a turn whose answer was lost, the repeated turn may be refused or answered out of step; that
//! fails the conversation as a wrong answer would, which is no worse than failing on the 503.

use super::client::{Answer, GenesysClient, Request};
use super::endpoint;
use super::error::ApiError;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

/// `TextBotFlowLaunchResponse`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct BotSession {
    /// The session id, to post turns to.
    pub id: String,
}

/// What a turn sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnInput<'a> {
    /// Start the session, or fetch more output after `nextActionType: NoOp`.
    NoOp,
    /// What the user types.
    UserInput(&'a str),
}

/// `TextBotFlowTurnResponse`, the parts the smoke test reads.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BotTurn {
    /// The turn id, sent back as `previousTurn` next time.
    pub id: String,
    /// What the bot says.
    #[serde(default)]
    pub prompts: Option<BotPrompts>,
    /// `NoOp` (send a NoOp turn for the rest), `WaitForInput`, `Exit`, `Disconnect`.
    #[serde(default)]
    pub next_action_type: Option<String>,
    /// Set when the bot hung up.
    #[serde(default)]
    pub next_action_disconnect: Option<BotEnding>,
    /// Set when the bot handed the conversation back.
    #[serde(default)]
    pub next_action_exit: Option<BotEnding>,
}

/// `prompts`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BotPrompts {
    /// `textPrompts`.
    #[serde(default)]
    pub text_prompts: Option<TextPrompts>,
}

/// `textPrompts`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct TextPrompts {
    /// Text and rich-media segments, in order.
    #[serde(default)]
    pub segments: Vec<Segment>,
}

/// One segment: `{type: Text, text}` or `{type: RichMedia, content: [...]}`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Segment {
    /// `Text` or `RichMedia`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The text of a `Text` segment.
    #[serde(default)]
    pub text: Option<String>,
    /// The items of a `RichMedia` segment.
    #[serde(default)]
    pub content: Vec<RichContent>,
}

/// One rich-media item.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RichContent {
    /// `QuickReply`, `QuickReplyV2`, `Attachment`, …
    #[serde(default)]
    pub content_type: Option<String>,
    /// Set for `QuickReply`.
    #[serde(default)]
    pub quick_reply: Option<QuickReply>,
    /// Set for `QuickReplyV2`: several quick replies under a title (PY-SDK
    /// `ConversationContentQuickReplyV2`, genesys-api-verified.md finding J).
    #[serde(default, rename = "quickReplyV2")]
    pub quick_reply_v2: Option<QuickReplyV2>,
}

/// `ConversationContentQuickReplyV2`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct QuickReplyV2 {
    /// Text shown as the title of the quick replies.
    #[serde(default)]
    pub title: Option<String>,
    /// The quick replies.
    #[serde(default)]
    pub actions: Vec<QuickReply>,
}

/// A quick reply the bot offers.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct QuickReply {
    /// The button's text.
    #[serde(default)]
    pub text: Option<String>,
    /// What choosing it sends.
    #[serde(default)]
    pub payload: Option<String>,
}

/// `nextActionExit` / `nextActionDisconnect`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BotEnding {
    /// Why the session ends.
    #[serde(default)]
    pub reason: Option<String>,
    /// More about why.
    #[serde(default)]
    pub reason_extended_info: Option<String>,
}

impl BotTurn {
    /// The text segments, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.segments()
            .filter(|s| s.kind.as_deref().is_none_or(|k| k == "Text"))
            .filter_map(|s| s.text.as_deref())
    }

    /// The quick replies offered, by their text (their payload when they have none), in
    /// either form: `quickReply` items and the actions of `quickReplyV2` items.
    pub fn quick_replies(&self) -> impl Iterator<Item = &str> {
        self.segments()
            .flat_map(|s| s.content.iter())
            .flat_map(|c| {
                let v2 = c.quick_reply_v2.iter().flat_map(|q| q.actions.iter());
                c.quick_reply.iter().chain(v2)
            })
            .filter_map(|q| q.text.as_deref().or(q.payload.as_deref()))
    }

    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.prompts
            .iter()
            .filter_map(|p| p.text_prompts.as_ref())
            .flat_map(|t| t.segments.iter())
    }

    /// Whether the bot wants a NoOp turn to send the rest of its answer.
    pub fn continues(&self) -> bool {
        self.next_action_type.as_deref() == Some("NoOp")
    }
}

/// The user agent the smoke test presents (see [`GenesysClient::start_bot_session`]).
pub const USER_AGENT: &str = "GenesysWebWidget";

/// `TextBotFlowLaunchRequest` for a smoke-test session.
fn launch_request(flow_id: &str, external_session_id: &str) -> Value {
    json!({
        "channel": {
            "inputModes": ["Text"],
            "outputModes": ["Text"],
            "name": "Messaging",
            "userAgent": { "name": USER_AGENT },
        },
        "externalSessionId": external_session_id,
        "flow": { "id": flow_id },
        "inputData": { "variables": {} },
    })
}

impl GenesysClient {
    /// `POST /api/v2/textbots/botflows/sessions`: starts a session on the bot flow as
    /// published now.
    ///
    /// `channel.name` and `channel.userAgent.name` are enums on the platform (PY-SDK
    /// `TextBotChannel`, `TextBotUserAgent`; genesys-api-verified.md finding A): a value outside
    /// them is refused, so the session would never start. The smoke test talks to the bot as a
    /// web-messaging customer does: channel `Messaging` with the user agent `GenesysWebWidget`,
    /// which is also what a public bot tester sends (`Other` would be accepted too, but tells a
    /// flow that branches on the user agent nothing about the path real customers take).
    /// `language` is left out: "if the value is omitted or is invalid, the default language will
    /// be used", and an empty string is not a language.
    pub async fn start_bot_session(
        &self,
        flow_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Answer<BotSession>, ApiError> {
        let body = launch_request(flow_id, &uuid::Uuid::new_v4().to_string());
        let request = Request::to(&endpoint::BOT_SESSIONS, &[])
            .json(body)
            .until(deadline);
        self.send(&request).await
    }

    /// `POST /api/v2/textbots/botflows/sessions/{id}/turns`.
    pub async fn send_bot_turn(
        &self,
        session_id: &str,
        previous_turn: Option<&str>,
        input: TurnInput<'_>,
        deadline: Option<Instant>,
    ) -> Result<Answer<BotTurn>, ApiError> {
        let previous = previous_turn.map_or(Value::Null, |id| json!({ "id": id }));
        let body = match input {
            TurnInput::NoOp => json!({ "inputEventType": "NoOp", "previousTurn": previous }),
            TurnInput::UserInput(text) => json!({
                "inputEventType": "UserInput",
                "previousTurn": previous,
                "inputEventUserInput": {
                    "mode": "Text",
                    "alternatives": [{ "transcript": { "text": text } }],
                },
            }),
        };
        let request = Request::to(&endpoint::BOT_TURNS, &[session_id])
            .json(body)
            .until(deadline);
        self.send(&request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launch_request_uses_the_platforms_enums_and_sends_no_empty_language() {
        let body = launch_request("flow-1", "ext-1");
        // `TextBotUserAgent.name` and `TextBotChannel.name` (PY-SDK models), as the sandbox
        // (which stands for the platform) keeps them.
        let user_agents = genesys_sandbox::USER_AGENT_NAMES;
        let agent = body["channel"]["userAgent"]["name"].as_str();
        assert!(agent.is_some_and(|a| user_agents.contains(&a)), "{body}");
        let channel = body["channel"]["name"].as_str();
        assert!(
            channel.is_some_and(|c| genesys_sandbox::CHANNEL_NAMES.contains(&c)),
            "{body}"
        );
        assert!(body.get("language").is_none(), "{body}");
        assert_eq!(body["flow"]["id"], "flow-1");
        assert_eq!(body["externalSessionId"], "ext-1");
    }

    #[test]
    fn quick_replies_are_read_in_both_forms() {
        let turn: BotTurn = serde_json::from_value(json!({
            "id": "t1",
            "prompts": { "textPrompts": { "segments": [
                { "type": "Text", "text": "Choose" },
                { "type": "RichMedia", "content": [
                    { "contentType": "QuickReply", "quickReply": { "text": "Pay now", "payload": "pay" } },
                    { "contentType": "QuickReplyV2", "quickReplyV2": { "title": "Or", "actions": [
                        { "text": "Agent", "payload": "agent" },
                        { "payload": "later" }
                    ] } },
                    { "contentType": "Attachment", "attachment": { "url": "https://x" } }
                ] }
            ] } },
            "nextActionType": "WaitForInput"
        }))
        .expect("a turn");
        assert_eq!(
            turn.quick_replies().collect::<Vec<_>>(),
            ["Pay now", "Agent", "later"]
        );
        assert_eq!(turn.texts().collect::<Vec<_>>(), ["Choose"]);
    }
}
