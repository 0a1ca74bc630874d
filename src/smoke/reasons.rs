//! The reasons a bot flow session can end with: enums on the platform
//! (genesys-api-verified.md finding B), so a smoke test that expects any other reason could
//! never pass against a real bot.

use super::format::EndKind;

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

impl EndKind {
    /// The reasons a session ending this way can carry, in the platform's order.
    pub(crate) fn reasons(self) -> Vec<&'static str> {
        match self {
            EndKind::Exit => EXIT_REASONS.to_vec(),
            EndKind::Disconnect => DISCONNECT_REASONS.to_vec(),
            EndKind::Any => {
                let mut all = EXIT_REASONS.to_vec();
                all.extend(
                    DISCONNECT_REASONS
                        .iter()
                        .filter(|r| !EXIT_REASONS.contains(r)),
                );
                all
            }
        }
    }
}

/// Whether `reason` is one the platform sends for `ends` (without regard to case, as the
/// answer is compared); otherwise what to tell the user.
pub(super) fn check_reason(ends: EndKind, reason: &str) -> Result<(), String> {
    let allowed = ends.reasons();
    if allowed
        .iter()
        .any(|r| r.eq_ignore_ascii_case(reason.trim()))
    {
        return Ok(());
    }
    Err(format!(
        "`reason` {reason:?} is not a reason the platform sends for `ends: {}`; allowed: {}",
        ends.as_str(),
        allowed.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_allows_the_union_once_each() {
        assert_eq!(
            EndKind::Any.reasons(),
            [
                "TriggeredByUser",
                "AgentRequestedByUser",
                "TriggeredByFlow",
                "Error",
                "RecognitionFailure",
                "SessionExpired"
            ]
        );
        assert_eq!(
            check_reason(EndKind::Exit, " agentRequestedByUser "),
            Ok(())
        );
        assert!(check_reason(EndKind::Exit, "SessionExpired").is_err());
    }
}
