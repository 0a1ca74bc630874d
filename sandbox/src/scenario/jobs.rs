//! Scenario knobs of the Architect import and export jobs (flow-artifacts.md §2,
//! genesys-api-verified.md Q5): how long they take, whether an import publishes, and the
//! faults they can be made to show. Every fault counts its own kind of event (1-based, in
//! order), so "the first K" means the same in every run.

use serde::{Deserialize, Serialize};

/// Default time from an import's upload to its end (ms).
pub(crate) const DEFAULT_IMPORT_DURATION_MS: u64 = 800;
/// Default time from an export's registration to its end (ms).
pub(crate) const DEFAULT_EXPORT_DURATION_MS: u64 = 400;

/// What a job fault does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobFaultKind {
    /// The import ends in `Failure` with these Error messages (default: the ones TF#596
    /// quotes). Counts accepted uploads.
    ImportFailure {
        /// The messages' texts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        messages: Option<Vec<String>>,
    },
    /// The import ends in `Failure` with no `messages` at all, even with `expand=messages`
    /// ("no tracing message availble", TF#1806). Counts accepted uploads.
    ImportFailureWithoutMessages,
    /// The import never ends: `Started` for ever. Counts accepted uploads.
    ImportNeverEnds,
    /// The import succeeds, but the version it makes holds the file with the first `from`
    /// replaced by `to`: the platform changed something on import that a comparison of
    /// normalised exports does not know (GUESS, README guess 39: which fields a real
    /// import or export changes is flow-artifacts.md §3's open question 3). Counts accepted
    /// uploads.
    ImportAltersText {
        /// The text the platform changes.
        from: String,
        /// What it becomes.
        to: String,
    },
    /// The presigned `PUT` is refused with 403 `AccessDenied`, and the job stays `Registered`
    /// (a retried `PUT` may go through). Counts `PUT`s that would otherwise be accepted.
    UploadRefused,
    /// The export ends in `Failure` with these Error messages (default: the exit-107 ones of
    /// TF#2061, naming the flow). Counts export jobs registered.
    ExportFailure {
        /// The messages' texts; `{flow_id}` is replaced with the flow asked for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        messages: Option<Vec<String>>,
    },
    /// The export never ends: `Started` for ever. Counts export jobs registered.
    ExportNeverEnds,
}

/// One job fault with its trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFaultSpec {
    /// What happens.
    #[serde(flatten)]
    pub kind: JobFaultKind,
    /// First counted event that may fire (1-based; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_nth: Option<u64>,
    /// How many events from `after_nth` on fire (default: all). Alias `count`.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "count")]
    pub first: Option<u64>,
    /// How long the faulty job takes to end (ms), instead of the scenario's duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

/// The events a fault counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Counted {
    AcceptedUpload,
    UploadAttempt,
    ExportRegistered,
}

impl JobFaultKind {
    pub(crate) fn counts(&self) -> Counted {
        match self {
            JobFaultKind::ImportFailure { .. }
            | JobFaultKind::ImportFailureWithoutMessages
            | JobFaultKind::ImportNeverEnds
            | JobFaultKind::ImportAltersText { .. } => Counted::AcceptedUpload,
            JobFaultKind::UploadRefused => Counted::UploadAttempt,
            JobFaultKind::ExportFailure { .. } | JobFaultKind::ExportNeverEnds => {
                Counted::ExportRegistered
            }
        }
    }

    /// The name the job records carry.
    pub fn name(&self) -> &'static str {
        match self {
            JobFaultKind::ImportFailure { .. } => "import_failure",
            JobFaultKind::ImportFailureWithoutMessages => "import_failure_without_messages",
            JobFaultKind::ImportNeverEnds => "import_never_ends",
            JobFaultKind::ImportAltersText { .. } => "import_alters_text",
            JobFaultKind::UploadRefused => "upload_refused",
            JobFaultKind::ExportFailure { .. } => "export_failure",
            JobFaultKind::ExportNeverEnds => "export_never_ends",
        }
    }
}

impl JobFaultSpec {
    /// Checks the counters.
    pub fn validate(&self) -> Result<(), String> {
        if self.after_nth == Some(0) {
            return Err("after_nth starts at 1".to_owned());
        }
        Ok(())
    }

    /// Whether the n-th counted event (1-based) fires.
    pub(crate) fn fires(&self, n: u64) -> bool {
        let after = self.after_nth.unwrap_or(1);
        n >= after && self.first.is_none_or(|k| n < after.saturating_add(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_and_count_the_first_k() {
        let f: JobFaultSpec = serde_json::from_str(
            r#"{"kind": "import_failure", "messages": ["boom"], "first": 1, "duration_ms": 50}"#,
        )
        .expect("parses");
        assert_eq!(
            f.kind,
            JobFaultKind::ImportFailure {
                messages: Some(vec!["boom".into()])
            }
        );
        assert_eq!((f.fires(1), f.fires(2)), (true, false));
        let g: JobFaultSpec =
            serde_json::from_str(r#"{"kind": "upload_refused", "after_nth": 2, "count": 2}"#)
                .expect("parses");
        assert_eq!(
            (1..=4).map(|n| g.fires(n)).collect::<Vec<_>>(),
            [false, true, true, false]
        );
        assert_eq!(g.kind.counts(), Counted::UploadAttempt);
        let bad: JobFaultSpec =
            serde_json::from_str(r#"{"kind": "export_never_ends", "after_nth": 0}"#)
                .expect("parses");
        assert!(bad.validate().is_err());
        assert!(serde_json::from_str::<JobFaultSpec>(r#"{"kind": "explode"}"#).is_err());
    }
}
