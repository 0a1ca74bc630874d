//! What a smoke test found, per conversation and turn.

/// How one turn went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The answer was as expected.
    Passed,
    /// It was not, or no answer came: why.
    Failed(String),
    /// An earlier turn failed.
    NotRun,
}

/// One turn as it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnRecord {
    /// What the user said; `None` for the bot's opening.
    pub said: Option<String>,
    /// What was expected, described.
    pub expected: String,
    /// What the bot answered, described; `None` when no answer came.
    pub answer: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
}

/// A conversation that could not be held: the platform refused or failed a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The platform's error, as text.
    pub error: String,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// The platform's error code.
    pub code: Option<String>,
    /// `ININ-Correlation-Id`.
    pub correlation_id: Option<String>,
    /// What to do about it (e.g. the missing permission).
    pub hint: Option<String>,
}

/// How one conversation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every turn answered as expected.
    Passed,
    /// Turn `turn` (1-based) answered wrongly, ended early or timed out.
    Failed {
        /// The turn.
        turn: usize,
        /// Why.
        reason: String,
    },
    /// The conversation could not be held at turn `turn` (0 = creating the session).
    Broken {
        /// The turn.
        turn: usize,
        /// The platform's error.
        error: Broken,
    },
}

/// One conversation's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationResult {
    /// Its name.
    pub name: String,
    /// Every turn of the file, in order.
    pub turns: Vec<TurnRecord>,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took.
    pub duration_ms: u64,
}

/// The smoke test of one run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SmokeReport {
    /// The file, as the input named it.
    pub file: String,
    /// Results in file order.
    pub conversations: Vec<ConversationResult>,
}

impl ConversationResult {
    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// One line saying what went wrong, for annotations and the failure's details.
    pub fn problem(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Passed => None,
            Outcome::Failed { turn, reason } => {
                let record = self.turns.get(turn.saturating_sub(1));
                let said = record
                    .and_then(|t| t.said.as_deref())
                    .map_or("(the opening)".to_string(), |s| format!("{s:?}"));
                let expected = record.map_or("", |t| t.expected.as_str());
                let answer = record
                    .and_then(|t| t.answer.as_deref())
                    .unwrap_or("no answer");
                Some(format!(
                    "conversation {:?} failed at turn {turn}: user said {said}; expected {expected}; bot answered {answer} ({reason})",
                    self.name
                ))
            }
            Outcome::Broken { turn, error } => {
                let at = if *turn == 0 {
                    "starting the session".to_string()
                } else {
                    format!("turn {turn}")
                };
                Some(format!(
                    "conversation {:?} could not run ({at}): {}",
                    self.name, error.error
                ))
            }
        }
    }
}

impl SmokeReport {
    /// Whether every conversation passed.
    pub fn passed(&self) -> bool {
        self.conversations.iter().all(ConversationResult::passed)
    }

    /// The conversations that did not pass.
    pub fn failures(&self) -> impl Iterator<Item = &ConversationResult> {
        self.conversations.iter().filter(|c| !c.passed())
    }

    /// The first platform refusal, if a conversation could not run at all.
    pub fn broken(&self) -> Option<&Broken> {
        self.conversations.iter().find_map(|c| match &c.outcome {
            Outcome::Broken { error, .. } => Some(error),
            _ => None,
        })
    }
}
