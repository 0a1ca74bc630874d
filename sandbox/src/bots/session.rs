//! Bot flow sessions (genesys-api.md §10): a session runs the version that was published
//! when it was created, turn by turn, chained by `previousTurn`.

use std::collections::VecDeque;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::bots::script::{BotReply, BotScript, EndKind};
use crate::http::errors::{ApiError, ApiResult};
use crate::state::State;

/// A session as the library reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotSessionRecord {
    /// The session id.
    pub id: String,
    /// The bot flow.
    pub flow_id: String,
    /// The version that answered: the one live when the session was created.
    pub version: String,
    /// Turns posted.
    pub turns: usize,
    /// Whether the bot ended it.
    pub ended: bool,
    /// When it was created, since the sandbox's epoch.
    pub created_at: Duration,
}

/// One session.
#[derive(Debug, Clone)]
pub(crate) struct BotSession {
    /// The bot flow.
    pub flow_id: String,
    /// The version live when the session was created: the one that answers.
    pub version: String,
    script: BotScript,
    created_at: Duration,
    turns: usize,
    started: bool,
    ended: bool,
    last_turn: Option<String>,
    /// Parts of the current answer still to send, one per `NoOp` turn.
    pending: VecDeque<String>,
    /// The current answer, for what its last part carries (quick replies, the ending).
    current: Option<BotReply>,
}

fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

impl State {
    /// `POST /api/v2/textbots/botflows/sessions`: the session id.
    pub fn start_bot_session(&mut self, body: &Value, now: Duration) -> ApiResult<String> {
        let flow_id = body["flow"]["id"]
            .as_str()
            .ok_or_else(|| ApiError::bad_request("flow.id is required"))?;
        let flow = self.live_flow(flow_id)?;
        // GUESS: a session on a bot flow with nothing published is refused with a 400.
        let version = flow.published.clone().ok_or_else(|| {
            bad_request(
                "flow.not.published",
                format!("Flow {} has no published version", flow.name),
            )
        })?;
        let script = flow
            .version(&version)
            .and_then(|v| v.bot.clone())
            .unwrap_or_else(|| BotScript::generic(&flow.name, &version));
        let id = uuid::Uuid::new_v4().to_string();
        let session = BotSession {
            flow_id: flow_id.to_owned(),
            version,
            script,
            created_at: now,
            turns: 0,
            started: false,
            ended: false,
            last_turn: None,
            pending: VecDeque::new(),
            current: None,
        };
        self.bot_sessions.insert(id.clone(), session);
        Ok(id)
    }

    /// `POST /api/v2/textbots/botflows/sessions/{id}/turns`: the `TextBotFlowTurnResponse`.
    pub fn bot_turn(&mut self, session_id: &str, body: &Value) -> ApiResult<Value> {
        let session = self
            .bot_sessions
            .get_mut(session_id)
            .ok_or_else(|| ApiError::not_found(format!("Session {session_id} not found")))?;
        // GUESS: the platform's answers to a turn on an ended session or out of sequence.
        if session.ended {
            return Err(bad_request(
                "session.ended",
                format!("Session {session_id} has ended"),
            ));
        }
        let previous = body["previousTurn"]["id"].as_str();
        if previous != session.last_turn.as_deref() {
            return Err(bad_request(
                "turn.out.of.sequence",
                format!(
                    "previousTurn is {}, but the last turn of the session is {}",
                    previous.unwrap_or("null"),
                    session.last_turn.as_deref().unwrap_or("null")
                ),
            ));
        }
        let turn_id = uuid::Uuid::new_v4().to_string();
        session.turns += 1;
        let answer = match body["inputEventType"].as_str() {
            Some("NoOp") if !session.started => {
                session.started = true;
                let greeting = session.script.greeting.clone();
                match greeting {
                    Some(reply) => session.begin(reply),
                    None => session.part(None),
                }
            }
            Some("NoOp") => match session.pending.pop_front() {
                Some(text) => session.part(Some(text)),
                None => session.part(None),
            },
            Some("UserInput") if !session.started => {
                return Err(ApiError::bad_request(
                    "The first turn of a session must be a NoOp turn",
                ));
            }
            Some("UserInput") => {
                let text = body["inputEventUserInput"]["alternatives"][0]["transcript"]["text"]
                    .as_str()
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "inputEventUserInput.alternatives[0].transcript.text is required",
                        )
                    })?;
                // The user spoke over the rest of the previous answer: it is dropped.
                session.pending.clear();
                let reply = session.script.answer(text);
                session.begin(reply)
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "inputEventType must be NoOp or UserInput, not {}",
                    other.unwrap_or("null")
                )));
            }
        };
        session.last_turn = Some(turn_id.clone());
        let mut response = Map::new();
        response.insert("id".into(), json!(turn_id));
        if let Value::Object(fields) = answer {
            response.extend(fields);
        }
        Ok(Value::Object(response))
    }
}

impl State {
    /// Every session, oldest first.
    pub fn bot_session_records(&self) -> Vec<BotSessionRecord> {
        let mut records: Vec<BotSessionRecord> = self
            .bot_sessions
            .iter()
            .map(|(id, s)| BotSessionRecord {
                id: id.clone(),
                flow_id: s.flow_id.clone(),
                version: s.version.clone(),
                turns: s.turns,
                ended: s.ended,
                created_at: s.created_at,
            })
            .collect();
        records.sort_by_key(|r| r.created_at);
        records
    }
}

impl BotSession {
    /// Starts an answer: its first part now, the rest after `NoOp` turns.
    fn begin(&mut self, reply: BotReply) -> Value {
        self.pending = reply.continued.iter().cloned().collect();
        let first = reply.text.clone();
        self.current = Some(reply);
        self.part(Some(first))
    }

    /// One part of the current answer (or an empty answer), with what comes next.
    fn part(&mut self, text: Option<String>) -> Value {
        let mut segments = Vec::new();
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            segments.push(json!({ "type": "Text", "text": text }));
        }
        let mut answer = Map::new();
        if !self.pending.is_empty() {
            answer.insert("nextActionType".into(), json!("NoOp"));
        } else {
            let last = self.current.take();
            let quick: Vec<Value> = last
                .iter()
                .flat_map(|r| r.quick_replies.iter())
                .map(|q| {
                    json!({
                        "contentType": "QuickReply",
                        "quickReply": { "text": q, "payload": q, "action": "Message" },
                    })
                })
                .collect();
            if !quick.is_empty() {
                segments.push(json!({ "type": "RichMedia", "content": quick }));
            }
            match last.and_then(|r| r.ends) {
                Some(end) => {
                    self.ended = true;
                    let (action, field) = match end.kind {
                        EndKind::Exit => ("Exit", "nextActionExit"),
                        EndKind::Disconnect => ("Disconnect", "nextActionDisconnect"),
                    };
                    answer.insert("nextActionType".into(), json!(action));
                    answer.insert(
                        field.into(),
                        json!({
                            "reason": end.reason,
                            "reasonExtendedInfo": end.reason_extended_info.unwrap_or_default(),
                            "flowLocation": {
                                "sequenceName": "Main",
                                "actionNumber": 1,
                                "actionName": action,
                            },
                        }),
                    );
                }
                None => {
                    answer.insert("nextActionType".into(), json!("WaitForInput"));
                }
            }
        }
        answer.insert(
            "prompts".into(),
            json!({ "textPrompts": { "segments": segments } }),
        );
        Value::Object(answer)
    }
}
