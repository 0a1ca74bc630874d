//! The smoke-test file, format version 1: conversations the new version must pass once live.
//! YAML or JSON by extension. Everything that is wrong with a file is found here, before
//! anything is published, and reported with the file, line and column.
//!
//! ```yaml
//! version: 1
//! conversations:
//!   - name: Pays a bill
//!     timeout_seconds: 20          # optional, default 30
//!     turns:
//!       - bot: { contains: "Welcome" }             # the opening: no `user`
//!       - user: I want to pay my bill
//!         bot:
//!           matches: "(?i)pay(ment)?"
//!           quick_replies: [Pay now]
//!       - user: Talk to an agent
//!         bot: { ends: exit, reason: AgentRequestedByUser }
//! ```
//!
//! A `reason` is one the platform sends (genesys-api-verified.md finding B), compared without
//! regard to case: for `ends: exit` one of [`EXIT_REASONS`], for `ends: disconnect` one of
//! [`DISCONNECT_REASONS`], for `ends: any` either. Any other could never match a real bot, so it
//! is a bad input, found here with the rest.

use super::reasons::check_reason;
pub use super::reasons::{DISCONNECT_REASONS, EXIT_REASONS};
use regex::Regex;
use serde::{Deserialize, Deserializer};
use std::path::Path;
use std::time::Duration;

/// The only format version this Action reads.
pub(crate) const FORMAT_VERSION: u64 = 1;
/// How long a conversation may take when the file does not say.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest conversation timeout accepted: a smoke test must not hold a deploy for long.
pub(crate) const MAX_TIMEOUT_SECONDS: f64 = 600.0;

/// A loaded, valid smoke-test file.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The file as the `smoke-test` input named it.
    pub file: String,
    /// The conversations, in file order.
    pub conversations: Vec<Conversation>,
}

/// One conversation with the bot.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// Its name, unique in the file.
    pub name: String,
    /// How long the whole conversation may take.
    pub timeout: Duration,
    /// The turns, in order.
    pub turns: Vec<Turn>,
}

/// What the user says (nothing for the bot's opening) and what the bot must answer.
#[derive(Debug, Clone)]
pub struct Turn {
    /// `None` only for a first turn: the bot's opening, answered to the session's start.
    pub user: Option<String>,
    /// What the answer must be.
    pub expect: Expectation,
}

/// How the session must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EndKind {
    /// `nextActionExit`: the bot hands the conversation back (e.g. to an agent).
    Exit,
    /// `nextActionDisconnect`: the bot hangs up.
    Disconnect,
    /// Either.
    Any,
}

/// Everything a turn's answer must satisfy; every check that is set must hold.
#[derive(Debug, Clone, Default)]
pub struct Expectation {
    /// The whole answer, exactly (surrounding whitespace aside).
    pub text: Option<String>,
    /// Text the answer must contain (case-sensitive).
    pub contains: Option<String>,
    /// A regular expression the answer must match somewhere.
    pub matches: Option<Regex>,
    /// Quick replies that must be offered (others may be too).
    pub quick_replies: Vec<String>,
    /// The session must end with this turn.
    pub ends: Option<EndKind>,
    /// With `ends`: the exit or disconnect reason, compared without regard to case.
    pub reason: Option<String>,
}

/// Why a file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", location(*.line, *.column))]
pub struct FormatError {
    /// The file as the input named it.
    pub file: String,
    /// 1-based line, when the parser knew it.
    pub line: Option<usize>,
    /// 1-based column, when the parser knew it.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(" line {line}, column {column}"),
        (Some(line), None) => format!(" line {line}"),
        _ => String::new(),
    }
}

/// Reads and checks a smoke-test file. `shown` is the path as the user wrote it.
pub(crate) fn load(path: &Path, shown: &str) -> Result<Suite, FormatError> {
    let error = |message: String| FormatError {
        file: shown.to_string(),
        line: None,
        column: None,
        message,
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| error(format!("cannot read the file: {e}")))?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("yml" | "yaml") => parse_yaml(&text, shown),
        Some("json") => parse_json(&text, shown),
        _ => Err(error(
            "the file must end in .yml, .yaml or .json, which says how to read it".into(),
        )),
    }
}

/// Parses YAML text.
pub(crate) fn parse_yaml(text: &str, shown: &str) -> Result<Suite, FormatError> {
    let raw: RawFile = serde_norway::from_str(text).map_err(|e| {
        let at = e.location();
        FormatError {
            file: shown.to_string(),
            line: at.as_ref().map(|l| l.line()),
            column: at.as_ref().map(|l| l.column()),
            message: without_position(&e.to_string()),
        }
    })?;
    Ok(raw.into_suite(shown))
}

/// Parses JSON text.
pub(crate) fn parse_json(text: &str, shown: &str) -> Result<Suite, FormatError> {
    let raw: RawFile = serde_json::from_str(text).map_err(|e| FormatError {
        file: shown.to_string(),
        line: (e.line() > 0).then_some(e.line()),
        column: (e.column() > 0).then_some(e.column()),
        message: without_position(&e.to_string()),
    })?;
    Ok(raw.into_suite(shown))
}

/// Both parsers put the position in their messages, which the error shows its own way.
fn without_position(message: &str) -> String {
    let Some(start) = message.find(" at line ") else {
        return message.to_string();
    };
    let rest = &message[start..];
    let Some(column) = rest.find(" column ") else {
        return message.to_string();
    };
    let after = &rest[column + " column ".len()..];
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let end = start + column + " column ".len() + digits;
    format!("{}{}", &message[..start], &message[end..])
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    // Read only to be checked: a file of another version must not be half-understood.
    #[serde(deserialize_with = "format_version")]
    #[allow(dead_code)]
    version: u64,
    #[serde(deserialize_with = "conversations")]
    conversations: Vec<Conversation>,
}

/// The list, checked here rather than after parsing so the error carries a position.
fn conversations<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Conversation>, D::Error> {
    let list = Vec::<Conversation>::deserialize(d)?;
    if list.is_empty() {
        return Err(serde::de::Error::custom(
            "`conversations` is empty: give at least one",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for c in &list {
        if !seen.insert(c.name.as_str()) {
            return Err(serde::de::Error::custom(format!(
                "two conversations are named {:?}: names must be unique",
                c.name
            )));
        }
    }
    Ok(list)
}

impl RawFile {
    fn into_suite(self, shown: &str) -> Suite {
        Suite {
            file: shown.to_string(),
            conversations: self.conversations,
        }
    }
}

fn format_version<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let version = u64::deserialize(d)?;
    if version != FORMAT_VERSION {
        return Err(serde::de::Error::custom(format!(
            "version {version} is not supported: this Action reads version {FORMAT_VERSION}"
        )));
    }
    Ok(version)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConversation {
    name: String,
    #[serde(default)]
    timeout_seconds: Option<f64>,
    turns: Vec<Turn>,
}

impl<'de> Deserialize<'de> for Conversation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawConversation::deserialize(d)?;
        raw.check().map_err(serde::de::Error::custom)
    }
}

impl RawConversation {
    fn check(self) -> Result<Conversation, String> {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            return Err("a conversation has an empty `name`".into());
        }
        let timeout = match self.timeout_seconds {
            None => DEFAULT_TIMEOUT,
            Some(s) if s > 0.0 && s <= MAX_TIMEOUT_SECONDS => Duration::from_secs_f64(s),
            Some(s) => {
                return Err(format!(
                    "conversation {name:?}: `timeout_seconds` is {s}, expected more than 0 and at most {MAX_TIMEOUT_SECONDS}"
                ));
            }
        };
        if self.turns.is_empty() {
            return Err(format!("conversation {name:?} has no turns"));
        }
        if let Some(n) = self.turns.iter().skip(1).position(|t| t.user.is_none()) {
            return Err(format!(
                "conversation {name:?}: turn {} has no `user`; only the first turn may be the bot's opening",
                n + 2
            ));
        }
        Ok(Conversation {
            name,
            timeout,
            turns: self.turns,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTurn {
    #[serde(default)]
    user: Option<String>,
    bot: Expectation,
}

impl<'de> Deserialize<'de> for Turn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawTurn::deserialize(d)?;
        if raw.user.as_deref().is_some_and(|u| u.trim().is_empty()) {
            return Err(serde::de::Error::custom(
                "`user` is empty: leave it out for the bot's opening, or say something",
            ));
        }
        Ok(Turn {
            user: raw.user,
            expect: raw.bot,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpectation {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    contains: Option<String>,
    #[serde(default, deserialize_with = "pattern")]
    matches: Option<Regex>,
    #[serde(default)]
    quick_replies: Vec<String>,
    #[serde(default)]
    ends: Option<EndKind>,
    #[serde(default)]
    reason: Option<String>,
}

impl<'de> Deserialize<'de> for Expectation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawExpectation::deserialize(d)?;
        if raw.reason.is_some() && raw.ends.is_none() {
            return Err(serde::de::Error::custom(
                "`reason` needs `ends` (exit, disconnect or any)",
            ));
        }
        if let (Some(ends), Some(reason)) = (raw.ends, &raw.reason) {
            check_reason(ends, reason).map_err(serde::de::Error::custom)?;
        }
        let nothing = raw.text.is_none()
            && raw.contains.is_none()
            && raw.matches.is_none()
            && raw.quick_replies.is_empty()
            && raw.ends.is_none();
        if nothing {
            return Err(serde::de::Error::custom(
                "`bot` expects nothing: give text, contains, matches, quick_replies or ends",
            ));
        }
        Ok(Expectation {
            text: raw.text,
            contains: raw.contains,
            matches: raw.matches,
            quick_replies: raw.quick_replies,
            ends: raw.ends,
            reason: raw.reason,
        })
    }
}

fn pattern<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Regex>, D::Error> {
    let source = String::deserialize(d)?;
    Regex::new(&source).map(Some).map_err(|e| {
        // The regex crate's message spans lines (it draws a caret); one line reads better.
        let why = e.to_string();
        let last = why.lines().last().unwrap_or("invalid").trim();
        let last = last.strip_prefix("error: ").unwrap_or(last);
        serde::de::Error::custom(format!(
            "`matches` is not a valid regular expression ({source:?}): {last}"
        ))
    })
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
