//! What the checks decided: the version to publish, the one to roll back to, and what the
//! flow looked like before anything was sent.

use crate::ids::VersionId;

/// The decisions of the preflight, on which every later rule works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The version to publish.
    pub target: VersionId,
    /// The version to roll back to (the `previous-version` input, else `was_live`).
    pub previous: Option<VersionId>,
    /// The version live before the run.
    pub was_live: Option<VersionId>,
    /// `BOTFLOW` or `DIGITALBOTFLOW`, for dependency tracking.
    pub object_type: &'static str,
    /// The operation the flow showed before publishing: never ours.
    pub stale_operation_id: Option<String>,
}
