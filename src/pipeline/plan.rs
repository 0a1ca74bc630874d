//! What the checks decided: the version to publish, the one to roll back to, and what the
//! flow looked like before anything was sent.

use crate::flowfile::FlowDocument;
use crate::ids::VersionId;

/// With a flow file: the export of the version live before the run, which a rollback
/// imports again (SPEC rule 15).
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    /// The version exported.
    pub version: VersionId,
    /// Its YAML, as downloaded.
    pub yaml: String,
    /// Its YAML, parsed: what a rollback must make live again; `None` when the export
    /// could not be read as a bot flow (a rollback imports it all the same, unverified).
    pub document: Option<FlowDocument>,
}

/// The decisions of the preflight, on which every later rule works.
#[derive(Debug, Clone, PartialEq)]
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
    /// With a flow file: the backup a rollback imports again; `None` rolls back by
    /// publishing `previous` again.
    pub backup: Option<Backup>,
}
