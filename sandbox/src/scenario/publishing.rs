//! Scenario knobs for how `actions/publish` answers and what it leaves behind, each traced to
//! genesys-api-verified.md: the 202 answer (GUESS 3), synchronous refusals (finding D),
//! republishing as a new version (finding F) and someone else's operation replacing
//! `currentOperation` after a publish (finding G).

use serde::{Deserialize, Serialize};

use crate::scenario::EntityRef;

/// What a publish that starts an operation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishAnswer {
    /// 200 with the `Operation` (`STARTED`), as the SDKs' return type says.
    #[default]
    Operation,
    /// 202 with an empty body: SWAGGER-2018 also declares `202 "Accepted - the publish has
    /// begun"` without a schema. The operation starts all the same.
    AcceptedEmpty,
}

impl PublishAnswer {
    /// Whether this is the default (left out when a scenario is written back).
    pub fn is_default(&self) -> bool {
        *self == PublishAnswer::Operation
    }
}

/// What publishing a version that has been live before does (the rollback case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepublishMode {
    /// That very version becomes the published one again (GUESS 1: nothing public says so).
    #[default]
    SameVersion,
    /// A new version with the old content is created and published: what the documented
    /// route to "republish an earlier version" (export, import, publish) produces, and what a
    /// third-party tool expects of every publish (finding F). Its id is the next whole number
    /// after the highest numeric major version (`"4.0"`), its name equal to the id.
    NewVersion,
}

impl RepublishMode {
    /// Whether this is the default (left out when a scenario is written back).
    pub fn is_default(&self) -> bool {
        *self == RepublishMode::SameVersion
    }
}

/// A publish of a version refused at once with an error envelope: no operation starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// HTTP status, 400-599 (default 409, the status of SWAGGER-2018's publish conflicts).
    #[serde(default = "default_refusal_status")]
    pub status: u16,
    /// The envelope's `code`, e.g. `architect.flow.cannot.publish.missing.dependencies`.
    pub code: String,
    /// The envelope's `message`; defaults to SWAGGER-2018's message for the codes of the
    /// publish endpoint, and is required for any other code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn default_refusal_status() -> u16 {
    409
}

/// SWAGGER-2018's messages for the publish endpoint's refusals (`x-inin-error-codes`).
const KNOWN_REFUSALS: [(&str, &str); 7] = [
    (
        "architect.flow.cannot.publish.missing.dependencies",
        "Flow version cannot be published due to having one or more missing dependencies.",
    ),
    (
        "architect.flow.variable.missing",
        "Flow cannot be published because one or more variables are missing.",
    ),
    (
        "architect.flow.cannot.publish.default",
        "Cannot publish default version of flow.",
    ),
    (
        "architect.flow.data.missing",
        "Flow version data content is missing.",
    ),
    (
        "architect.flow.cannot.checkin.missing.config",
        "Flow cannot be checked in because there is no saved configuration.",
    ),
    (
        "architect.external.publish.error",
        "A backend service error occurred while publishing the flow.",
    ),
    (
        "architect.database.throughput.exceeded",
        "Database too busy.  Please try again.",
    ),
];

impl Refusal {
    /// The message to answer.
    pub fn message(&self) -> String {
        self.message.clone().unwrap_or_else(|| {
            KNOWN_REFUSALS
                .iter()
                .find(|(code, _)| *code == self.code)
                .map_or_else(String::new, |(_, message)| (*message).to_owned())
        })
    }

    /// Checks the status and that a message is known.
    pub fn validate(&self) -> Result<(), String> {
        if !(400..=599).contains(&self.status) {
            return Err(format!("refuse.status {} is not 400-599", self.status));
        }
        if self.code.trim().is_empty() {
            return Err("refuse.code must not be empty".to_owned());
        }
        if self.message.is_none() && self.message().is_empty() {
            let known: Vec<&str> = KNOWN_REFUSALS.iter().map(|(code, _)| *code).collect();
            return Err(format!(
                "refuse.message is required for code {:?} (it defaults only for {})",
                self.code,
                known.join(", ")
            ));
        }
        Ok(())
    }
}

/// `Operation.actionName` values (PY-SDK `models/operation.py`) a user's operation may have
/// here: every one but `PUBLISH`, which is the sandbox's own.
pub const TOUCH_ACTIONS: [&str; 11] = [
    "CREATE",
    "CHECKIN",
    "CHECKOUT",
    "DEBUG",
    "DELETE",
    "HISTORY",
    "REVERT",
    "SAVE",
    "STATE_CHANGE",
    "UPDATE",
    "VALIDATE",
];

/// After every publish of the flow completes (`SUCCESS` or `FAILURE`), a user's completed
/// operation of another kind replaces `currentOperation` (finding G: a captured answer shows
/// `{"complete": true, "actionName": "VALIDATE", "actionStatus": "SUCCESS", "errorDetails": []}`).
/// `publishedVersion` is not touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TouchAfterPublish {
    /// `actionName` of the operation (default `VALIDATE`); any `Operation.actionName` but
    /// `PUBLISH`, any case.
    #[serde(default = "default_touch_action")]
    pub action: String,
    /// How long after the publish completed (ms, default 0).
    #[serde(default)]
    pub after_ms: u64,
    /// The user who did it.
    pub user: EntityRef,
}

fn default_touch_action() -> String {
    "VALIDATE".to_owned()
}

impl TouchAfterPublish {
    /// The action, upper-case.
    pub fn action_name(&self) -> String {
        self.action.to_ascii_uppercase()
    }

    /// Checks the action name.
    pub fn validate(&self) -> Result<(), String> {
        if TOUCH_ACTIONS.contains(&self.action_name().as_str()) {
            Ok(())
        } else {
            Err(format!(
                "touch_after_publish.action {:?} is not one of {}",
                self.action,
                TOUCH_ACTIONS.join(", ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_default_their_status_and_known_messages() {
        let r: Refusal =
            serde_json::from_str(r#"{"code": "architect.flow.variable.missing"}"#).expect("parses");
        assert_eq!(r.status, 409);
        assert_eq!(
            r.message(),
            "Flow cannot be published because one or more variables are missing."
        );
        r.validate().expect("valid");
        let unknown: Refusal = serde_json::from_str(r#"{"code": "x.y"}"#).expect("parses");
        assert!(
            unknown.validate().is_err(),
            "an unknown code needs a message"
        );
        let bad: Refusal = serde_json::from_str(r#"{"status": 200, "code": "x", "message": "m"}"#)
            .expect("parses");
        assert!(bad.validate().is_err());
    }

    #[test]
    fn touches_take_any_action_but_publish() {
        let t: TouchAfterPublish =
            serde_json::from_str(r#"{"user": {"id": "u", "name": "U"}}"#).expect("parses");
        assert_eq!((t.action_name().as_str(), t.after_ms), ("VALIDATE", 0));
        t.validate().expect("valid");
        let checkout: TouchAfterPublish =
            serde_json::from_str(r#"{"action": "checkout", "user": {"id": "u", "name": "U"}}"#)
                .expect("parses");
        checkout.validate().expect("any case");
        let publish: TouchAfterPublish =
            serde_json::from_str(r#"{"action": "PUBLISH", "user": {"id": "u", "name": "U"}}"#)
                .expect("parses");
        let err = publish
            .validate()
            .expect_err("PUBLISH is the sandbox's own");
        assert!(err.contains("VALIDATE"), "{err}");
    }
}
