//! Architect jobs run to their end (SPEC rule 15): an export of one version, downloaded; an
//! import of a YAML text, uploaded. Reads follow [`super::rules::jobs::next_job_read`]; with
//! the flow's notification socket open, any event on the flow (an import's publish shows
//! there) is answered by a read of the job at once. One audit line per status change; never
//! past the deadline; cancellable at any point.

use super::Deployment;
use super::bounds::{Bounds, Raced};
use super::rules::jobs::next_job_read;
use super::wait::{Wake, next_wake};
use crate::audit::{Entry, Event};
use crate::genesys::jobs::{ExportJob, ImportJob, JobMessage};
use crate::genesys::notifications::Signal;
use crate::genesys::vocabulary::JobStatus;
use crate::genesys::{ApiError, GenesysClient};
use serde_json::json;
use tokio::time::Instant;

/// Export jobs tried for one version when Archy fails the known transient way (exit code 107,
/// "could not find the flow with id"). The Terraform provider tries up to five; three keep a
/// real failure from eating the deadline.
pub const EXPORT_ATTEMPTS: usize = 3;

/// How waiting for a job ended.
#[derive(Debug)]
pub enum JobEnd<J> {
    /// The job reached `Success` or `Failure`: as last read.
    Ended(J),
    /// The deadline passed first.
    TimedOut,
    /// SIGINT/SIGTERM arrived.
    Cancelled,
    /// The job was uploaded, then reading it was refused (401/403/404): it runs on, unseen.
    Unreadable(ApiError),
}

/// A version exported as YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The file, as downloaded.
    pub yaml: String,
    /// The export job that made it.
    pub job_id: String,
}

/// Why an export gave no file.
#[derive(Debug)]
pub enum ExportProblem {
    /// A request failed (refused, or its retries spent).
    Api(ApiError),
    /// The job ended `Failure`; its messages verbatim.
    Failed {
        /// The job.
        job_id: String,
        /// What Archy said, one line each.
        messages: Vec<String>,
    },
    /// The job succeeded without a download URL.
    NoDownload {
        /// The job.
        job_id: String,
    },
    /// The deadline passed first.
    TimedOut,
    /// SIGINT/SIGTERM arrived.
    Cancelled,
}

impl std::fmt::Display for ExportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportProblem::Api(error) => write!(f, "{error}"),
            ExportProblem::Failed { job_id, messages } if messages.is_empty() => {
                write!(f, "export job {job_id} failed and gave no message")
            }
            ExportProblem::Failed { job_id, messages } => {
                write!(f, "export job {job_id} failed: {}", messages.join(" / "))
            }
            ExportProblem::NoDownload { job_id } => {
                write!(f, "export job {job_id} succeeded without a download URL")
            }
            ExportProblem::TimedOut => f.write_str("the deadline passed during the export"),
            ExportProblem::Cancelled => f.write_str("the run was cancelled during the export"),
        }
    }
}

/// The messages of a job, verbatim, one line each (empty lines left out).
pub fn message_lines(messages: Option<&[JobMessage]>) -> Vec<String> {
    messages
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            let text = m.text.as_deref()?.trim();
            (!text.is_empty()).then(|| match &m.kind {
                Some(kind) => format!("{}: {text}", kind.as_str()),
                None => text.to_string(),
            })
        })
        .collect()
}

/// A job as the waiting loop needs it.
trait Job: Sized {
    /// Its audit event.
    const EVENT: Event;
    /// Reads it.
    async fn read(
        client: &GenesysClient,
        job_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Self, ApiError>;
    /// Its status.
    fn status(&self) -> &JobStatus;
    /// What Archy said, verbatim ([`message_lines`]).
    fn messages(&self) -> Vec<String>;
}

impl Job for ImportJob {
    const EVENT: Event = Event::ImportStatus;
    async fn read(
        client: &GenesysClient,
        job_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Self, ApiError> {
        let answer = client.import_job(job_id, deadline).await?;
        Ok(ImportJob {
            correlation_id: answer.correlation_id,
            ..answer.body
        })
    }
    fn status(&self) -> &JobStatus {
        &self.status
    }
    fn messages(&self) -> Vec<String> {
        message_lines(self.messages.as_deref())
    }
}

impl Job for ExportJob {
    const EVENT: Event = Event::ExportStatus;
    async fn read(
        client: &GenesysClient,
        job_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Self, ApiError> {
        client.export_job(job_id, deadline).await.map(|a| a.body)
    }
    fn status(&self) -> &JobStatus {
        &self.status
    }
    fn messages(&self) -> Vec<String> {
        message_lines(self.messages.as_deref())
    }
}

impl Deployment<'_> {
    /// Exports `version` of the bot as YAML and downloads it, with a new job after a
    /// transient failure (up to [`EXPORT_ATTEMPTS`]).
    pub(super) async fn export_version(
        &mut self,
        version: &str,
        bounds: &Bounds,
    ) -> Result<Exported, ExportProblem> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let start =
                self.client
                    .start_export_job(&self.config.bot_id, version, bounds.deadline());
            let job_id = match bounds.ignoring_deadline().race(start).await {
                Raced::Done(Ok(answer)) => answer.body.id,
                Raced::Done(Err(error)) => return Err(ExportProblem::Api(error)),
                Raced::Cancelled | Raced::TimedOut => return Err(ExportProblem::Cancelled),
            };
            let job: ExportJob = match self.wait_for_job(&job_id, version, bounds).await {
                Ok(JobEnd::Ended(job)) => job,
                Ok(JobEnd::TimedOut) => return Err(ExportProblem::TimedOut),
                Ok(JobEnd::Cancelled) => return Err(ExportProblem::Cancelled),
                Ok(JobEnd::Unreadable(error)) | Err(error) => {
                    return Err(ExportProblem::Api(error));
                }
            };
            if job.status == JobStatus::Success {
                let Some(url) = &job.download_url else {
                    return Err(ExportProblem::NoDownload { job_id });
                };
                let download = self.client.download_export(url, bounds.deadline());
                return match bounds.ignoring_deadline().race(download).await {
                    Raced::Done(Ok(yaml)) => Ok(Exported { yaml, job_id }),
                    Raced::Done(Err(error)) => Err(ExportProblem::Api(error)),
                    Raced::Cancelled | Raced::TimedOut => Err(ExportProblem::Cancelled),
                };
            }
            if !(job.failed_transiently() && attempt < EXPORT_ATTEMPTS) {
                return Err(ExportProblem::Failed {
                    job_id,
                    messages: message_lines(job.messages.as_deref()),
                });
            }
            tracing::warn!("export job {job_id} failed the transient way; exporting again");
        }
    }

    /// Registers an import job, uploads `yaml` to it and waits for its end. `shown` names the
    /// file in the audit trail.
    pub(super) async fn run_import(
        &mut self,
        yaml: &str,
        shown: &str,
        version_label: &str,
        bounds: &Bounds,
    ) -> Result<(String, JobEnd<ImportJob>), ApiError> {
        let register = self.client.register_import_job(bounds.deadline());
        let registered = match bounds.ignoring_deadline().race(register).await {
            Raced::Done(registered) => registered?.body,
            Raced::Cancelled | Raced::TimedOut => {
                return Ok((String::new(), JobEnd::Cancelled));
            }
        };
        let upload = self
            .client
            .upload_flow_file(&registered, yaml, bounds.deadline());
        match bounds.ignoring_deadline().race(upload).await {
            Raced::Done(uploaded) => uploaded?,
            Raced::Cancelled | Raced::TimedOut => {
                return Ok((registered.id, JobEnd::Cancelled));
            }
        }
        self.audit.record(Entry {
            event: Event::ImportStatus,
            version: Some(version_label),
            status: "Registered",
            details: Some(json!({ "job_id": registered.id, "file": shown, "uploaded": true })),
            correlation_id: None,
        });
        // From here the file is uploaded: a refused read must not read as "not started".
        let end = self
            .wait_for_job::<ImportJob>(&registered.id, version_label, bounds)
            .await
            .unwrap_or_else(JobEnd::Unreadable);
        Ok((registered.id, end))
    }

    /// Reads the job until it ends, the deadline passes or the run is cancelled. A read that
    /// fails transiently is skipped (the deadline ends the wait); a refusal ends it.
    async fn wait_for_job<J: Job>(
        &mut self,
        job_id: &str,
        version_label: &str,
        bounds: &Bounds,
    ) -> Result<JobEnd<J>, ApiError> {
        // Events queued before this job began (an import's publish, while waiting for the
        // import) are not about it: reading the job for each would spend reads and push its
        // schedule back (the identity export was seen up to 2 s late).
        if let Some(events) = self.push.as_mut()
            && !events.discard_queued()
        {
            self.push = None;
        }
        let client = self.client.clone();
        let mut reads = 0usize;
        let mut next_read = Instant::now() + next_job_read(reads);
        let mut last_status = Some("Registered".to_string());
        loop {
            match bounds.race(next_wake(next_read, &mut self.push)).await {
                Raced::Cancelled => return Ok(JobEnd::Cancelled),
                Raced::TimedOut => return Ok(JobEnd::TimedOut),
                Raced::Done(Wake::Push(Some(Signal::Flow(_) | Signal::Reconnected))) => {
                    // Something happened on the flow (an import publishes there): look now.
                    self.facts.wait.push_events += 1;
                }
                Raced::Done(Wake::Push(_)) => {
                    // The socket is gone; the reads carry on as scheduled.
                    self.push = None;
                    continue;
                }
                Raced::Done(Wake::Read) => {}
            }
            let read = J::read(&client, job_id, bounds.deadline());
            let read = match bounds.ignoring_deadline().race(read).await {
                Raced::Done(read) => read,
                Raced::Cancelled => return Ok(JobEnd::Cancelled),
                Raced::TimedOut => return Ok(JobEnd::TimedOut),
            };
            reads += 1;
            self.facts.wait.job_reads += 1;
            next_read = Instant::now() + next_job_read(reads);
            let job = match read {
                Ok(job) => job,
                Err(error) if matches!(error.status(), Some(401 | 403 | 404)) => {
                    return Err(error);
                }
                Err(error) => {
                    tracing::warn!("job {job_id} could not be read, will read again: {error}");
                    continue;
                }
            };
            let status = job.status().as_str().to_string();
            if last_status.as_deref() != Some(status.as_str()) {
                let mut details = json!({ "job_id": job_id, "reads": reads });
                // The end of a job carries what Archy said, on its one status line.
                if job.status().is_terminal() {
                    details["messages"] = json!(job.messages());
                }
                self.audit.record(Entry {
                    event: J::EVENT,
                    version: Some(version_label),
                    status: &status,
                    details: Some(details),
                    correlation_id: None,
                });
                last_status = Some(status);
            }
            if job.status().is_terminal() {
                return Ok(JobEnd::Ended(job));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::vocabulary::JobMessageType;

    #[test]
    fn messages_are_kept_verbatim_with_their_kind() {
        let messages = [
            JobMessage {
                kind: Some(JobMessageType::Error),
                text: Some("setting the Archy exit code to 100".into()),
                ..JobMessage::default()
            },
            JobMessage {
                text: Some("  ".into()),
                ..JobMessage::default()
            },
            JobMessage {
                text: Some("no kind".into()),
                ..JobMessage::default()
            },
        ];
        assert_eq!(
            message_lines(Some(&messages)),
            ["Error: setting the Archy exit code to 100", "no kind"]
        );
        assert_eq!(message_lines(None), Vec::<String>::new());
    }
}
