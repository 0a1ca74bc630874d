//! What the sandbox lets tests read back about jobs: every job with its exact transition times,
//! its messages, and every upload and download of its presigned URLs.

use std::time::Duration;

use serde::Serialize;

/// Import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// `POST /api/v2/flows/jobs`.
    Import,
    /// `POST /api/v2/flows/export/jobs`.
    Export,
}

/// A job's `status` (PY-SDK: `Registered, Started, Success, Failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum JobStatus {
    /// Registered; an import waits for its upload.
    Registered,
    /// Working.
    Started,
    /// Done.
    Success,
    /// Failed; the messages say why (when there are any).
    Failure,
}

impl JobStatus {
    /// The value as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Registered => "Registered",
            JobStatus::Started => "Started",
            JobStatus::Success => "Success",
            JobStatus::Failure => "Failure",
        }
    }

    /// Whether the job has ended.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobStatus::Success | JobStatus::Failure)
    }
}

/// A message's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MessageType {
    /// `Error`.
    Error,
    /// `Warning`.
    Warning,
}

impl MessageType {
    /// The value as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Error => "Error",
            MessageType::Warning => "Warning",
        }
    }
}

/// One of a job's `messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobMessage {
    /// `type`.
    pub message_type: MessageType,
    /// `text`.
    pub text: String,
    /// `dateTime`, since the sandbox's epoch.
    pub at: Duration,
}

/// One request to a presigned URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferRecord {
    /// When it arrived.
    pub at: Duration,
    /// The status answered.
    pub status: u16,
    /// Bytes received (upload) or sent (download).
    pub bytes: usize,
    /// Why it was refused, when it was.
    pub refused: Option<String>,
}

/// One job, as of when it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRecord {
    /// Import or export.
    pub kind: JobKind,
    /// The job id.
    pub id: String,
    /// The OAuth client that registered it.
    pub client_id: String,
    /// `command`: `Publish` or `Update` (imports), `Export`.
    pub command: String,
    /// The status now.
    pub status: JobStatus,
    /// When it was registered.
    pub registered_at: Duration,
    /// When its upload was accepted (imports).
    pub uploaded_at: Option<Duration>,
    /// Exactly when it reached `Success` or `Failure`, once it has.
    pub completed_at: Option<Duration>,
    /// Every status reached so far, with when it was reached.
    pub transitions: Vec<(JobStatus, Duration)>,
    /// The flow it works on, once known (an import: from the uploaded YAML's name).
    pub flow_id: Option<String>,
    /// That flow's name.
    pub flow_name: Option<String>,
    /// The version imported (checked in) or exported.
    pub version: Option<String>,
    /// Whether the import created the flow (the YAML's name matched no flow).
    pub created_flow: bool,
    /// The messages it ended with, once ended; `None` also for a job that ended without any.
    pub messages: Option<Vec<JobMessage>>,
    /// The job fault that shaped it.
    pub fault: Option<String>,
    /// Every `PUT` to its presigned upload URL.
    pub uploads: Vec<TransferRecord>,
    /// Every `GET` of its download URL.
    pub downloads: Vec<TransferRecord>,
}
