//! What a bot says in one answer, whatever describes the bot: a scenario's `BotScript` or a
//! version's Archy YAML (`ArchyBot`).

use std::sync::Arc;

use crate::archy::play::ArchyBot;
use crate::bots::script::{BotEnd, BotReply, BotScript, QuickReplyForm};

/// One answer: its parts (each part is one turn's text segments; parts after the first
/// each follow a `NoOp` turn), the quick replies and the ending that go with the last part.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Answer {
    pub parts: Vec<Vec<String>>,
    pub quick_replies: Vec<String>,
    pub ends: Option<BotEnd>,
}

impl From<BotReply> for Answer {
    fn from(reply: BotReply) -> Answer {
        let parts = std::iter::once(reply.text)
            .chain(reply.continued)
            .map(|text| vec![text])
            .collect();
        Answer {
            parts,
            quick_replies: reply.quick_replies,
            ends: reply.ends,
        }
    }
}

/// How a version behaves in bot flow sessions.
#[derive(Debug, Clone)]
pub(crate) enum Behaviour {
    /// A scenario's script (or the generic one).
    Script(Box<BotScript>),
    /// The bot a version's Archy YAML describes.
    Archy(Arc<ArchyBot>),
}

impl Behaviour {
    /// The answer to the session's first (`NoOp`) turn; `None` = an empty answer.
    pub fn greeting(&self) -> Option<Answer> {
        match self {
            Behaviour::Script(script) => script.greeting.clone().map(Answer::from),
            Behaviour::Archy(bot) => Some(bot.greeting()),
        }
    }

    /// The answer to what the user said.
    pub fn answer(&self, said: &str) -> Answer {
        match self {
            Behaviour::Script(script) => script.answer(said).into(),
            Behaviour::Archy(bot) => bot.answer(said),
        }
    }

    /// How quick replies are rendered (Archy bots offer none).
    pub fn quick_reply_form(&self) -> QuickReplyForm {
        match self {
            Behaviour::Script(script) => script.quick_reply_form,
            Behaviour::Archy(_) => QuickReplyForm::V1,
        }
    }
}
