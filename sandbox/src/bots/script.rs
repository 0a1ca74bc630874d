//! How a flow version answers in bot flow sessions (genesys-api.md §10): a greeting, replies
//! chosen by what the user says, a fallback, exits with a reason, and answers split over
//! `NoOp` continuations. Part of the scenario (`versions[].bot`), snake_case like the rest.

use serde::{Deserialize, Serialize};

/// A version's conversational behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotScript {
    /// The answer to the session's first (NoOp) turn; none = an empty answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<BotReply>,
    /// Replies by utterance, first match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<ReplyRule>,
    /// The answer when no rule matches; none = "Sorry, I didn't understand that."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<BotReply>,
    /// How quick replies are rendered.
    #[serde(default, skip_serializing_if = "QuickReplyForm::is_default")]
    pub quick_reply_form: QuickReplyForm,
}

/// The content type quick replies come in (genesys-api-verified.md finding J).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuickReplyForm {
    /// One `{contentType: "QuickReply", quickReply: {text, payload, action}}` per reply.
    #[default]
    V1,
    /// One `{contentType: "QuickReplyV2", quickReplyV2: {title, actions: [{text, payload,
    /// action}]}}` holding them all (PY-SDK `ConversationContentQuickReplyV2`).
    V2,
}

impl QuickReplyForm {
    fn is_default(&self) -> bool {
        *self == QuickReplyForm::V1
    }
}

/// `TextBotExitAction.reason` (PY-SDK `models/text_bot_exit_action.py`).
pub const EXIT_REASONS: [&str; 5] = [
    "TriggeredByUser",
    "AgentRequestedByUser",
    "TriggeredByFlow",
    "Error",
    "RecognitionFailure",
];

/// `TextBotDisconnectAction.reason` (PY-SDK `models/text_bot_disconnect_action.py`).
pub const DISCONNECT_REASONS: [&str; 5] = [
    "TriggeredByUser",
    "TriggeredByFlow",
    "SessionExpired",
    "Error",
    "RecognitionFailure",
];

/// A reply chosen by what the user says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRule {
    /// What the user says; compared without regard to case.
    pub utterance: String,
    /// `true`: the whole utterance must be this; `false` (default): it must contain it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exact: bool,
    /// The answer.
    pub reply: BotReply,
}

/// One answer of the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotReply {
    /// The first part of the answer.
    pub text: String,
    /// Further parts, each sent after a `NoOp` turn (`nextActionType: NoOp` until the last).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub continued: Vec<String>,
    /// Quick replies offered with the last part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<String>,
    /// The session ends with the last part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<BotEnd>,
}

/// How a session ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotEnd {
    /// `exit` (`nextActionExit`, handed back) or `disconnect` (`nextActionDisconnect`).
    pub kind: EndKind,
    /// The `reason` sent.
    pub reason: String,
    /// The `reasonExtendedInfo` sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_extended_info: Option<String>,
}

/// `exit` or `disconnect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    /// `nextActionExit`.
    Exit,
    /// `nextActionDisconnect`.
    Disconnect,
}

impl BotEnd {
    /// The reasons the platform allows for this kind of ending.
    pub fn allowed_reasons(&self) -> &'static [&'static str] {
        match self.kind {
            EndKind::Exit => &EXIT_REASONS,
            EndKind::Disconnect => &DISCONNECT_REASONS,
        }
    }

    /// Checks the reason against the platform's enum: a real bot can send no other.
    pub fn validate(&self) -> Result<(), String> {
        let allowed = self.allowed_reasons();
        if allowed.contains(&self.reason.as_str()) {
            return Ok(());
        }
        let kind = match self.kind {
            EndKind::Exit => "exit",
            EndKind::Disconnect => "disconnect",
        };
        Err(format!(
            "{kind} reason {:?} is not one the platform sends; allowed: {}",
            self.reason,
            allowed.join(", ")
        ))
    }
}

impl BotReply {
    /// A plain one-part answer.
    pub fn says(text: &str) -> BotReply {
        BotReply {
            text: text.to_owned(),
            continued: Vec::new(),
            quick_replies: Vec::new(),
            ends: None,
        }
    }
}

impl BotScript {
    /// What a version without a script says: enough for a session to work.
    pub fn generic(flow_name: &str, version: &str) -> BotScript {
        BotScript {
            greeting: Some(BotReply::says(&format!(
                "Hello, this is {flow_name} (version {version})."
            ))),
            replies: Vec::new(),
            fallback: None,
            quick_reply_form: QuickReplyForm::V1,
        }
    }

    /// Checks every ending's reason.
    pub fn validate(&self) -> Result<(), String> {
        let replies = self.replies.iter().map(|r| &r.reply);
        let all = self
            .greeting
            .iter()
            .chain(replies)
            .chain(self.fallback.iter());
        all.filter_map(|reply| reply.ends.as_ref())
            .try_for_each(BotEnd::validate)
    }

    /// The answer to `utterance`.
    pub fn answer(&self, utterance: &str) -> BotReply {
        let said = utterance.trim().to_lowercase();
        self.replies
            .iter()
            .find(|rule| {
                let wanted = rule.utterance.trim().to_lowercase();
                if rule.exact {
                    said == wanted
                } else {
                    said.contains(&wanted)
                }
            })
            .map(|rule| rule.reply.clone())
            .or_else(|| self.fallback.clone())
            .unwrap_or_else(|| BotReply::says("Sorry, I didn't understand that."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_exactly_or_by_containment_then_fall_back() {
        let script: BotScript = serde_json::from_str(
            r#"{"replies": [
                {"utterance": "hi", "exact": true, "reply": {"text": "Hello"}},
                {"utterance": "bill", "reply": {"text": "Billing", "quick_replies": ["Pay"]}}
            ], "fallback": {"text": "Pardon?", "ends": {"kind": "exit", "reason": "RecognitionFailure"}}}"#,
        )
        .expect("script");
        assert_eq!(script.answer(" HI ").text, "Hello");
        assert_eq!(script.answer("hi there").text, "Pardon?");
        assert_eq!(script.answer("My BILL please").quick_replies, ["Pay"]);
        let fallback = script.answer("weather");
        assert_eq!(fallback.ends.map(|e| e.kind), Some(EndKind::Exit));
        assert_eq!(
            BotScript::default().answer("x").text,
            "Sorry, I didn't understand that."
        );
        script
            .validate()
            .expect("RecognitionFailure is an exit reason");
    }

    #[test]
    fn endings_take_only_the_platforms_reasons() {
        let end = |kind, reason: &str| BotEnd {
            kind,
            reason: reason.to_owned(),
            reason_extended_info: None,
        };
        end(EndKind::Exit, "AgentRequestedByUser")
            .validate()
            .expect("an exit reason");
        end(EndKind::Disconnect, "SessionExpired")
            .validate()
            .expect("a disconnect reason");
        assert_eq!(
            end(EndKind::Exit, "UserEscalation").validate(),
            Err(
                "exit reason \"UserEscalation\" is not one the platform sends; allowed: \
                 TriggeredByUser, AgentRequestedByUser, TriggeredByFlow, Error, RecognitionFailure"
                    .to_owned()
            )
        );
        assert_eq!(
            end(EndKind::Disconnect, "AgentRequestedByUser").validate(),
            Err("disconnect reason \"AgentRequestedByUser\" is not one the platform sends; \
                 allowed: TriggeredByUser, TriggeredByFlow, SessionExpired, Error, RecognitionFailure"
                .to_owned())
        );
        let script = BotScript {
            replies: vec![ReplyRule {
                utterance: "bye".into(),
                exact: false,
                reply: BotReply {
                    ends: Some(end(EndKind::Exit, "UserExit")),
                    ..BotReply::says("Bye")
                },
            }],
            ..BotScript::default()
        };
        assert!(script.validate().is_err());
    }
}
