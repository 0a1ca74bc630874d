//! Whether one answer of the bot is what a turn expects. Pure, so every rule is unit-tested.

use super::format::{EndKind, Expectation};

/// How a session ended, as a turn's answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// Exit or disconnect (never `Any`).
    pub kind: EndKind,
    /// The reason the platform gave.
    pub reason: Option<String>,
}

/// The bot's whole answer to one turn, NoOp continuations included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// The text segments, one per line.
    pub text: String,
    /// The quick replies offered.
    pub quick_replies: Vec<String>,
    /// Set when the session ended with this answer.
    pub ended: Option<Ending>,
}

impl EndKind {
    /// The file's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EndKind::Exit => "exit",
            EndKind::Disconnect => "disconnect",
            EndKind::Any => "any",
        }
    }
}

impl Ending {
    /// `exit (AgentRequestedByUser)`.
    pub(crate) fn describe(&self) -> String {
        match &self.reason {
            Some(reason) => format!("{} ({reason})", self.kind.as_str()),
            None => self.kind.as_str().to_string(),
        }
    }
}

impl Reply {
    /// The answer as the summary shows it.
    pub(crate) fn describe(&self) -> String {
        // Quoted as said: a line break stays one (the summary shows it as one), where a
        // Debug rendering would print a literal `\n`.
        let mut parts = vec![if self.text.is_empty() {
            "(no text)".to_string()
        } else {
            format!("\"{}\"", self.text)
        }];
        if !self.quick_replies.is_empty() {
            parts.push(format!("quick replies {}", quoted(&self.quick_replies)));
        }
        if let Some(ended) = &self.ended {
            parts.push(format!("session ended: {}", ended.describe()));
        }
        parts.join("; ")
    }
}

impl Expectation {
    /// What is expected, as the summary shows it.
    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(text) = &self.text {
            parts.push(format!("text \"{text}\""));
        }
        if let Some(contains) = &self.contains {
            parts.push(format!("contains \"{contains}\""));
        }
        if let Some(pattern) = &self.matches {
            parts.push(format!("matches /{}/", pattern.as_str()));
        }
        if !self.quick_replies.is_empty() {
            parts.push(format!("quick replies {}", quoted(&self.quick_replies)));
        }
        if let Some(kind) = self.ends {
            let how = match &self.reason {
                Some(reason) => format!("session ends: {} ({reason})", kind.as_str()),
                None => format!("session ends: {}", kind.as_str()),
            };
            parts.push(how);
        }
        parts.join("; ")
    }
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Ok` when the reply satisfies every check of the expectation, else what is wrong, one
/// sentence per failed check.
pub fn check(expect: &Expectation, reply: &Reply) -> Result<(), String> {
    let mut wrong = Vec::new();
    let text = reply.text.trim();
    if let Some(exact) = &expect.text
        && text != exact.trim()
    {
        wrong.push(format!("the answer is not exactly \"{exact}\""));
    }
    if let Some(part) = &expect.contains
        && !text.contains(part.as_str())
    {
        wrong.push(format!("the answer does not contain \"{part}\""));
    }
    if let Some(pattern) = &expect.matches
        && !pattern.is_match(text)
    {
        wrong.push(format!("the answer does not match /{}/", pattern.as_str()));
    }
    let missing: Vec<String> = expect
        .quick_replies
        .iter()
        .filter(|q| !reply.quick_replies.iter().any(|offered| offered == *q))
        .cloned()
        .collect();
    if !missing.is_empty() {
        wrong.push(format!("quick replies {} not offered", quoted(&missing)));
    }
    if let Some(kind) = expect.ends {
        match &reply.ended {
            None => wrong.push("the session did not end".to_string()),
            Some(ended) if kind != EndKind::Any && ended.kind != kind => wrong.push(format!(
                "the session ended by {}, not {}",
                ended.kind.as_str(),
                kind.as_str()
            )),
            Some(ended) => {
                if let Some(reason) = &expect.reason
                    && !ended
                        .reason
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case(reason))
                {
                    wrong.push(format!(
                        "the session ended with reason {}, not {reason:?}",
                        ended.reason.as_deref().unwrap_or("(none)")
                    ));
                }
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn reply(text: &str) -> Reply {
        Reply {
            text: text.into(),
            ..Reply::default()
        }
    }

    #[test]
    fn text_is_exact_apart_from_surrounding_whitespace() {
        let expect = Expectation {
            text: Some("Hello!".into()),
            ..Expectation::default()
        };
        assert_eq!(check(&expect, &reply("  Hello!\n")), Ok(()));
        assert_eq!(
            check(&expect, &reply("Hello! How can I help?")),
            Err("the answer is not exactly \"Hello!\"".into())
        );
    }

    #[test]
    fn contains_is_case_sensitive_and_matches_is_a_regex_search() {
        let expect = Expectation {
            contains: Some("bill".into()),
            matches: Some(Regex::new("(?i)^you can pay").expect("regex")),
            ..Expectation::default()
        };
        assert_eq!(
            check(&expect, &reply("You can pay your bill online")),
            Ok(())
        );
        assert_eq!(
            check(&expect, &reply("Your Bill is due")),
            Err("the answer does not contain \"bill\"; the answer does not match /(?i)^you can pay/".into())
        );
    }

    #[test]
    fn expected_quick_replies_must_all_be_offered() {
        let expect = Expectation {
            quick_replies: vec!["Pay now".into(), "Agent".into()],
            ..Expectation::default()
        };
        let mut offered = reply("Choose");
        offered.quick_replies = vec!["Agent".into(), "Pay now".into(), "Later".into()];
        assert_eq!(check(&expect, &offered), Ok(()));
        offered.quick_replies = vec!["Later".into()];
        assert_eq!(
            check(&expect, &offered),
            Err("quick replies \"Pay now\", \"Agent\" not offered".into())
        );
    }

    #[test]
    fn endings_compare_kind_and_reason() {
        let ends = |kind, reason: Option<&str>| Expectation {
            ends: Some(kind),
            reason: reason.map(str::to_string),
            ..Expectation::default()
        };
        let mut exit = reply("Bye");
        exit.ended = Some(Ending {
            kind: EndKind::Exit,
            reason: Some("AgentRequestedByUser".into()),
        });
        assert_eq!(
            check(&ends(EndKind::Exit, Some("agentrequestedbyuser")), &exit),
            Ok(())
        );
        assert_eq!(check(&ends(EndKind::Any, None), &exit), Ok(()));
        assert_eq!(
            check(&ends(EndKind::Disconnect, None), &exit),
            Err("the session ended by exit, not disconnect".into())
        );
        assert_eq!(
            check(&ends(EndKind::Exit, Some("Error")), &exit),
            Err("the session ended with reason AgentRequestedByUser, not \"Error\"".into())
        );
        assert_eq!(
            check(&ends(EndKind::Any, None), &reply("still here")),
            Err("the session did not end".into())
        );
    }

    #[test]
    fn describes_expectations_and_replies_for_the_summary() {
        let expect = Expectation {
            contains: Some("pay".into()),
            quick_replies: vec!["Pay now".into()],
            ends: Some(EndKind::Exit),
            reason: Some("TriggeredByUser".into()),
            ..Expectation::default()
        };
        assert_eq!(
            expect.describe(),
            "contains \"pay\"; quick replies \"Pay now\"; session ends: exit (TriggeredByUser)"
        );
        let mut answer = reply("Pay here");
        answer.quick_replies = vec!["Pay now".into()];
        answer.ended = Some(Ending {
            kind: EndKind::Disconnect,
            reason: None,
        });
        assert_eq!(
            answer.describe(),
            "\"Pay here\"; quick replies \"Pay now\"; session ended: disconnect"
        );
        assert_eq!(Reply::default().describe(), "(no text)");
    }
}
