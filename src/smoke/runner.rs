//! Holds the conversations with the live bot: a session each, the opening NoOp turn, then
//! the user's turns, following `NoOp` continuations. A few run at once, so a long file does
//! not hold the deploy, but few enough to stay far inside the org's rate budget.

use super::format::{Conversation, EndKind, Suite, Turn};
use super::matching::{self, Ending, Reply};
use super::report::{Broken, ConversationResult, Outcome, SmokeReport, TurnRecord, Verdict};
use crate::genesys::textbots::{BotTurn, TurnInput};
use crate::genesys::{ApiError, GenesysClient};
use futures_util::{StreamExt, stream};
use tokio::time::Instant;

/// Conversations held at once: each sends one request at a time, so this bounds the gate's
/// share of the 300 requests a minute.
pub(crate) const CONCURRENCY: usize = 4;
/// NoOp continuations followed for one answer; a bot that keeps asking for more is broken.
pub(crate) const MAX_CONTINUATIONS: usize = 20;

/// Runs every conversation of `suite` against the bot flow `bot_id` as published now, a few
/// at once, and reports them in file order.
pub(crate) async fn run_all(client: &GenesysClient, bot_id: &str, suite: &Suite) -> SmokeReport {
    // The conversations are built first: a stream whose closure borrows would make the
    // run's future lose `Send`.
    let conversations: Vec<_> = suite
        .conversations
        .iter()
        .map(|conversation| run_one(client, bot_id, conversation))
        .collect();
    let conversations = stream::iter(conversations)
        .buffered(CONCURRENCY)
        .collect()
        .await;
    SmokeReport {
        file: suite.file.clone(),
        conversations,
    }
}

/// Holds one conversation within its timeout.
pub(crate) async fn run_one(
    client: &GenesysClient,
    bot_id: &str,
    conversation: &Conversation,
) -> ConversationResult {
    let started = Instant::now();
    let deadline = started + conversation.timeout;
    let mut records = Vec::new();
    let talked = tokio::time::timeout_at(
        deadline,
        talk(client, bot_id, conversation, deadline, &mut records),
    )
    .await;
    let outcome = match talked {
        Ok(outcome) => outcome,
        Err(_) => {
            let turn = records.len() + 1;
            let reason = format!(
                "no complete answer within the conversation's {} s",
                conversation.timeout.as_secs_f64()
            );
            if let Some(t) = conversation.turns.get(turn - 1) {
                records.push(record(t, None, Verdict::Failed(reason.clone())));
            }
            Outcome::Failed { turn, reason }
        }
    };
    for turn in conversation.turns.iter().skip(records.len()) {
        records.push(record(turn, None, Verdict::NotRun));
    }
    ConversationResult {
        name: conversation.name.clone(),
        turns: records,
        outcome,
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

fn record(turn: &Turn, answer: Option<&Reply>, verdict: Verdict) -> TurnRecord {
    TurnRecord {
        said: turn.user.clone(),
        expected: turn.expect.describe(),
        answer: answer.map(Reply::describe),
        verdict,
    }
}

fn broken(turn: usize, error: &ApiError) -> Outcome {
    Outcome::Broken {
        turn,
        error: Broken {
            error: error.to_string(),
            status: error.status(),
            code: error.code().map(str::to_string),
            correlation_id: error.correlation_id().map(str::to_string),
            hint: error.hint(),
        },
    }
}

/// The conversation itself; `records` gets each turn as it is judged, so a timeout still
/// knows how far it got.
async fn talk(
    client: &GenesysClient,
    bot_id: &str,
    conversation: &Conversation,
    deadline: Instant,
    records: &mut Vec<TurnRecord>,
) -> Outcome {
    let session = match client.start_bot_session(bot_id, Some(deadline)).await {
        Ok(answer) => answer.body.id,
        Err(error) => return broken(0, &error),
    };
    let mut exchange = Exchange {
        client,
        session: &session,
        previous: None,
        deadline,
    };
    // The first turn starts the session; what it answers is the bot's opening.
    let mut reply = match exchange.send(TurnInput::NoOp).await {
        Ok(reply) => reply,
        Err(error) => return broken(1, &error),
    };
    for (index, turn) in conversation.turns.iter().enumerate() {
        let number = index + 1;
        if let Some(said) = &turn.user {
            if let Some(ended) = &reply.ended {
                let reason = format!("the session ended ({}) before this turn", ended.describe());
                records.push(record(turn, None, Verdict::Failed(reason.clone())));
                return Outcome::Failed {
                    turn: number,
                    reason,
                };
            }
            reply = match exchange.send(TurnInput::UserInput(said)).await {
                Ok(reply) => reply,
                Err(error) => {
                    let outcome = broken(number, &error);
                    let why = format!("no answer: {error}");
                    records.push(record(turn, None, Verdict::Failed(why)));
                    return outcome;
                }
            };
        }
        match matching::check(&turn.expect, &reply) {
            Ok(()) => records.push(record(turn, Some(&reply), Verdict::Passed)),
            Err(reason) => {
                records.push(record(turn, Some(&reply), Verdict::Failed(reason.clone())));
                return Outcome::Failed {
                    turn: number,
                    reason,
                };
            }
        }
    }
    Outcome::Passed
}

/// One session's turns, chained by `previousTurn`.
struct Exchange<'a> {
    client: &'a GenesysClient,
    session: &'a str,
    previous: Option<String>,
    deadline: Instant,
}

impl Exchange<'_> {
    /// Sends one turn and follows `NoOp` continuations, joining the answer's parts.
    async fn send(&mut self, input: TurnInput<'_>) -> Result<Reply, ApiError> {
        let mut reply = Reply::default();
        let mut texts: Vec<String> = Vec::new();
        let mut input = input;
        for _ in 0..=MAX_CONTINUATIONS {
            let turn = self
                .client
                .send_bot_turn(
                    self.session,
                    self.previous.as_deref(),
                    input,
                    Some(self.deadline),
                )
                .await?
                .body;
            self.previous = Some(turn.id.clone());
            texts.extend(turn.texts().map(|t| t.trim().to_string()));
            reply
                .quick_replies
                .extend(turn.quick_replies().map(str::to_string));
            reply.ended = ending(&turn);
            if !turn.continues() || reply.ended.is_some() {
                break;
            }
            input = TurnInput::NoOp;
        }
        reply.text = texts
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        Ok(reply)
    }
}

/// How the turn ended the session, if it did.
fn ending(turn: &BotTurn) -> Option<Ending> {
    let action = turn.next_action_type.as_deref().unwrap_or("");
    if let Some(exit) = &turn.next_action_exit {
        return Some(Ending {
            kind: EndKind::Exit,
            reason: exit.reason.clone(),
        });
    }
    if let Some(disconnect) = &turn.next_action_disconnect {
        return Some(Ending {
            kind: EndKind::Disconnect,
            reason: disconnect.reason.clone(),
        });
    }
    match action {
        "Exit" => Some(Ending {
            kind: EndKind::Exit,
            reason: None,
        }),
        "Disconnect" => Some(Ending {
            kind: EndKind::Disconnect,
            reason: None,
        }),
        _ => None,
    }
}
