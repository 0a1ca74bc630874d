//! The platform's words for what an operation is doing and what a flow is: typed, so the
//! pipeline matches on variants rather than comparing strings. Values this Action does not
//! know are kept as [`Other`](OperationStatus::Other), never an error: the platform adds
//! enum values, and an unknown one must not break a deployment.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A closed set of known words plus `Other`, read without regard to case and written in the
/// platform's spelling.
macro_rules! platform_words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this Action does not know, as the platform wrote it.
            Other(String),
        }

        impl $name {
            /// Reads the platform's word, in any case.
            pub fn parse(text: &str) -> Self {
                $(if text.eq_ignore_ascii_case($text) {
                    return $name::$variant;
                })*
                $name::Other(text.to_string())
            }

            /// The platform's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name::parse(text)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(|text| $name::parse(&text))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

platform_words! {
    /// `Operation.actionStatus`.
    OperationStatus {
        /// The flow was locked.
        Locked => "LOCKED",
        /// The flow was unlocked.
        Unlocked => "UNLOCKED",
        /// The operation began.
        Started => "STARTED",
        /// A publish is generating the flow.
        PendingGeneration => "PENDING_GENERATION",
        /// A publish is telling the backend.
        PendingBackendNotification => "PENDING_BACKEND_NOTIFICATION",
        /// It worked.
        Success => "SUCCESS",
        /// It failed.
        Failure => "FAILURE",
    }
}

platform_words! {
    /// `Operation.actionName`: what the operation does.
    ActionName {
        /// Create a flow.
        Create => "CREATE",
        /// Check a flow in.
        Checkin => "CHECKIN",
        /// Check a flow out (lock it for editing).
        Checkout => "CHECKOUT",
        /// Debug a flow.
        Debug => "DEBUG",
        /// Delete a flow.
        Delete => "DELETE",
        /// Build the flow's history.
        History => "HISTORY",
        /// Publish a version.
        Publish => "PUBLISH",
        /// Revert a draft.
        Revert => "REVERT",
        /// Save a draft.
        Save => "SAVE",
        /// Change the flow's state.
        StateChange => "STATE_CHANGE",
        /// Update the flow.
        Update => "UPDATE",
        /// Validate the flow.
        Validate => "VALIDATE",
        /// Deactivate the flow (notifications only).
        Deactivate => "DEACTIVATE",
    }
}

platform_words! {
    /// `Flow.type`. The list filter spells it in lower case, the model in upper case.
    FlowType {
        /// A Bot Flow.
        Bot => "BOT",
        /// A Digital Bot Flow.
        DigitalBot => "DIGITALBOT",
        /// A common module.
        CommonModule => "COMMONMODULE",
        /// An inbound call flow.
        InboundCall => "INBOUNDCALL",
    }
}

platform_words! {
    /// The status of an Architect import or export job (PY-SDK `ArchitectJobStateResponse` and
    /// `ArchitectExportJobStateResponse`: `Registered, Started, Success, Failure`).
    JobStatus {
        /// Registered: an import waits for its file to be uploaded.
        Registered => "Registered",
        /// Running.
        Started => "Started",
        /// It worked.
        Success => "Success",
        /// It failed; `messages` may say why, or be missing (TF#1806).
        Failure => "Failure",
    }
}

impl JobStatus {
    /// `Success` or `Failure`: the job will not change again.
    pub fn is_terminal(&self) -> bool {
        matches!(self, JobStatus::Success | JobStatus::Failure)
    }
}

platform_words! {
    /// What an Architect job does (PY-SDK `ArchitectJobStateResponse.command`).
    JobCommand {
        /// Create, update and publish the flow (what the Terraform provider's imports do).
        Publish => "Publish",
        /// Create the flow.
        Create => "Create",
        /// Update (check in) the flow.
        Update => "Update",
        /// Export flows.
        Export => "Export",
    }
}

platform_words! {
    /// The kind of a job's message (PY-SDK `ArchitectJobMessage.type`).
    JobMessageType {
        /// Why the job failed.
        Error => "Error",
        /// Something the job noticed but went on with.
        Warning => "Warning",
    }
}

platform_words! {
    /// What a flow history entry records (PY-SDK `HistoryEntry.action`).
    HistoryAction {
        /// A version was checked in.
        Checkin => "CHECKIN",
        /// The flow was checked out (locked for editing).
        Checkout => "CHECKOUT",
        /// The flow was created.
        Create => "CREATE",
        /// The flow was deactivated.
        Deactivate => "DEACTIVATE",
        /// The flow was debugged.
        Debug => "DEBUG",
        /// The flow was deleted.
        Delete => "DELETE",
        /// A version was published.
        Publish => "PUBLISH",
        /// A draft was reverted.
        Revert => "REVERT",
        /// A draft was saved.
        Save => "SAVE",
        /// The flow was transcoded.
        Transcode => "TRANSCODE",
        /// The flow was updated.
        Update => "UPDATE",
        /// A file was uploaded.
        Upload => "UPLOAD",
    }
}

impl FlowType {
    /// Bot Flow or Digital Bot Flow: what this Action deploys.
    pub fn is_bot(&self) -> bool {
        matches!(self, FlowType::Bot | FlowType::DigitalBot)
    }

    /// The dependency-tracking object type of a flow of this type.
    pub fn object_type(&self) -> &'static str {
        match self {
            FlowType::DigitalBot => "DIGITALBOTFLOW",
            _ => "BOTFLOW",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_read_in_any_case_and_written_as_the_platform_does() {
        let cases = [
            ("SUCCESS", OperationStatus::Success, "SUCCESS"),
            ("failure", OperationStatus::Failure, "FAILURE"),
            (
                "Pending_Generation",
                OperationStatus::PendingGeneration,
                "PENDING_GENERATION",
            ),
            ("QUEUED", OperationStatus::Other("QUEUED".into()), "QUEUED"),
        ];
        for (read, expected, written) in cases {
            let parsed: OperationStatus =
                serde_json::from_value(serde_json::json!(read)).expect("a string");
            assert_eq!(parsed, expected);
            assert_eq!(serde_json::to_value(&parsed).expect("json"), written);
        }
        assert_eq!(ActionName::parse("validate"), ActionName::Validate);
        assert_eq!(FlowType::parse("digitalbot"), FlowType::DigitalBot);
    }

    #[test]
    fn job_words_are_the_sdks_and_only_success_and_failure_end_a_job() {
        let read = |s: &str| -> JobStatus {
            serde_json::from_value(serde_json::json!(s)).expect("a string")
        };
        assert_eq!(read("Success"), JobStatus::Success);
        assert_eq!(read("FAILURE"), JobStatus::Failure);
        assert_eq!(read("Queued"), JobStatus::Other("Queued".into()));
        let terminal: Vec<bool> = ["Registered", "Started", "Success", "Failure", "Queued"]
            .into_iter()
            .map(|s| read(s).is_terminal())
            .collect();
        assert_eq!(terminal, [false, false, true, true, false]);
        assert_eq!(JobCommand::parse("publish"), JobCommand::Publish);
        assert_eq!(JobMessageType::parse("Warning").as_str(), "Warning");
        assert_eq!(HistoryAction::parse("upload"), HistoryAction::Upload);
    }

    #[test]
    fn only_bot_flows_are_bots() {
        assert!(FlowType::Bot.is_bot() && FlowType::DigitalBot.is_bot());
        assert!(!FlowType::InboundCall.is_bot() && !FlowType::Other("SURVEY".into()).is_bot());
        assert_eq!(FlowType::DigitalBot.object_type(), "DIGITALBOTFLOW");
        assert_eq!(FlowType::Bot.object_type(), "BOTFLOW");
        assert_eq!(FlowType::Other("X".into()).object_type(), "BOTFLOW");
    }
}
