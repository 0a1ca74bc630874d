//! Architect import and export jobs (flow-artifacts.md §2, genesys-api-verified.md Q5):
//! `POST /api/v2/flows/jobs` with its presigned upload, and `POST /api/v2/flows/export/jobs`
//! with its download. Like publish operations, a job's whole schedule is fixed when it can be
//! (an import at its upload, an export at its registration): reads compute its status as of
//! "now", the state applies its effect the first time it is observed at or after its time,
//! and the record carries the exact transition times.

pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod records;
pub(crate) mod s3;

use std::time::Duration;

use serde_json::{Value, json};

use crate::architect::model::iso8601;
use crate::archy::document::ArchyDocument;
use crate::scenario::EntityRef;
use crate::state::State;

pub use records::{JobKind, JobMessage, JobRecord, JobStatus, MessageType, TransferRecord};

/// The version an import checks in, applied at its time.
#[derive(Debug, Clone)]
pub(crate) struct Checkin {
    pub at: Duration,
    pub flow_id: String,
    /// Whether the import creates the flow (its name matched none).
    pub new_flow: bool,
    pub version: String,
    /// The uploaded text.
    pub yaml: String,
    /// The document as stored (fresh NLU ids).
    pub document: ArchyDocument,
    /// The publish operation that follows the check-in (`command: Publish`).
    pub publish: Option<usize>,
    pub applied: bool,
}

/// One job.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub id: String,
    pub kind: JobKind,
    pub client: EntityRef,
    /// The presigned URL's signature, and so its only credential.
    pub signature: String,
    pub command: &'static str,
    pub registered_at: Duration,
    /// Every status the job reaches, in order, with its time.
    pub steps: Vec<(JobStatus, Duration)>,
    /// The messages the job ends with; `None` = no `messages` at all.
    pub messages: Option<Vec<JobMessage>>,
    /// The flow the job works on, once known: `(id, name)`.
    pub flow: Option<(String, String)>,
    /// The version imported or exported.
    pub version: Option<String>,
    pub created_flow: bool,
    pub fault: Option<String>,
    pub uploads: Vec<TransferRecord>,
    pub downloads: Vec<TransferRecord>,
    pub checkin: Option<Checkin>,
    /// What an export gives: the file name and the text.
    pub export: Option<(String, String)>,
}

impl Job {
    pub fn new(kind: JobKind, client: &EntityRef, command: &'static str, now: Duration) -> Job {
        Job {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            client: client.clone(),
            signature: uuid::Uuid::new_v4().simple().to_string(),
            command,
            registered_at: now,
            steps: vec![(JobStatus::Registered, now)],
            messages: Some(Vec::new()),
            flow: None,
            version: None,
            created_flow: false,
            fault: None,
            uploads: Vec::new(),
            downloads: Vec::new(),
            checkin: None,
            export: None,
        }
    }

    /// The status as of `now`.
    pub fn status_at(&self, now: Duration) -> JobStatus {
        self.steps
            .iter()
            .take_while(|(_, at)| *at <= now)
            .last()
            .map_or(JobStatus::Registered, |(s, _)| *s)
    }

    /// When the terminal status is (or will be) reached.
    pub fn terminal_at(&self) -> Option<Duration> {
        self.steps
            .last()
            .filter(|(s, _)| s.is_terminal())
            .map(|(_, at)| *at)
    }

    /// Ends the job in `Failure` at `at` with these Error messages (`None`: no messages).
    pub fn fail(&mut self, at: Duration, texts: Option<Vec<String>>) {
        self.steps.push((JobStatus::Failure, at));
        self.messages = texts.map(|texts| {
            texts
                .into_iter()
                .map(|text| JobMessage {
                    message_type: MessageType::Error,
                    text,
                    at,
                })
                .collect()
        });
    }

    /// The path of the job's status endpoint.
    pub fn self_uri(&self) -> String {
        match self.kind {
            JobKind::Import => format!("/api/v2/flows/jobs/{}", self.id),
            JobKind::Export => format!("/api/v2/flows/export/jobs/{}", self.id),
        }
    }

    /// The `messages` array, when the job has one to show as of `now`: the terminal messages
    /// once it has ended, none before.
    fn messages_json(&self, state: &State, now: Duration) -> Option<Value> {
        let ended = self.terminal_at().is_some_and(|t| t <= now);
        let messages = self.messages.as_ref()?;
        let shown: Vec<Value> = messages
            .iter()
            .filter(|_| ended)
            .map(|m| {
                json!({
                    "dateTime": iso8601(state.wall(m.at)),
                    "type": m.message_type.as_str(),
                    "text": m.text,
                })
            })
            .collect();
        Some(Value::Array(shown))
    }

    /// `ArchitectJobStateResponse` (import) or `ArchitectExportJobStateResponse` as of `now`;
    /// `messages` only with `expand=messages`.
    pub fn to_json(&self, state: &State, now: Duration, expand_messages: bool) -> Value {
        let status = self.status_at(now);
        let mut obj = serde_json::Map::new();
        obj.insert("id".into(), json!(self.id));
        obj.insert("status".into(), json!(status.as_str()));
        obj.insert("command".into(), json!(self.command));
        if status == JobStatus::Success {
            match self.kind {
                JobKind::Import => {
                    if let Some((id, name)) = &self.flow {
                        obj.insert(
                            "flow".into(),
                            json!({"id": id, "name": name, "selfUri": format!("/api/v2/flows/{id}")}),
                        );
                    }
                }
                JobKind::Export => {
                    obj.insert("downloadUrl".into(), json!(s3::download_url(state, self)));
                }
            }
        }
        if expand_messages && let Some(messages) = self.messages_json(state, now) {
            obj.insert("messages".into(), messages);
        }
        obj.insert("selfUri".into(), json!(self.self_uri()));
        Value::Object(obj)
    }

    /// The record tests read, as of `now`.
    pub fn record(&self, now: Duration) -> JobRecord {
        let completed_at = self.terminal_at().filter(|t| *t <= now);
        JobRecord {
            kind: self.kind,
            id: self.id.clone(),
            client_id: self.client.id.clone(),
            command: self.command.to_owned(),
            status: self.status_at(now),
            registered_at: self.registered_at,
            uploaded_at: self
                .steps
                .iter()
                .find(|(s, _)| *s == JobStatus::Started && self.kind == JobKind::Import)
                .map(|(_, at)| *at),
            completed_at,
            transitions: self
                .steps
                .iter()
                .filter(|(_, at)| *at <= now)
                .copied()
                .collect(),
            flow_id: self.flow.as_ref().map(|(id, _)| id.clone()),
            flow_name: self.flow.as_ref().map(|(_, name)| name.clone()),
            version: self.version.clone(),
            created_flow: self.created_flow,
            messages: if completed_at.is_some() {
                self.messages.clone()
            } else {
                None
            },
            fault: self.fault.clone(),
            uploads: self.uploads.clone(),
            downloads: self.downloads.clone(),
        }
    }
}

impl State {
    /// A job of `kind` by id.
    pub fn job(&self, kind: JobKind, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.kind == kind && j.id == id)
    }

    /// The first job fault of the counted kind that fires on this event, counting it.
    pub(crate) fn job_fault(
        &mut self,
        counted: crate::scenario::jobs::Counted,
    ) -> Option<crate::scenario::JobFaultSpec> {
        let n = {
            let count = self.job_counts.entry(counted).or_insert(0);
            *count += 1;
            *count
        };
        self.settings
            .job_faults
            .iter()
            .find(|f| f.kind.counts() == counted && f.fires(n))
            .cloned()
    }
}

#[cfg(test)]
mod tests;
