//! Architect import and export jobs (flow-artifacts.md §2; genesys-api-verified.md Q5): the
//! server-side Archy that the Terraform provider deploys flow files with.
//!
//! - Import: [`GenesysClient::register_import_job`] (`POST /api/v2/flows/jobs`), then
//!   [`GenesysClient::upload_flow_file`] (`PUT` the YAML to the presigned URL with exactly the
//!   returned headers), then [`GenesysClient::import_job`] until the status is terminal.
//! - Export: [`GenesysClient::start_export_job`] (`POST /api/v2/flows/export/jobs`, by flow id
//!   **and** version), then [`GenesysClient::export_job`] until terminal, then
//!   [`GenesysClient::download_export`] of its `downloadUrl`.
//!
//! Every answer that may hold a presigned URL is read as a secret answer (an unreadable one is
//! reported without an excerpt) and its URL's credential is handed to the redactor at once.

use super::client::{Answer, GenesysClient, Request};
use super::endpoint;
use super::error::ApiError;
use super::models::EntityRef;
use super::presigned::PresignedUrl;
use super::vocabulary::{JobCommand, JobMessageType, JobStatus};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use tokio::time::Instant;

/// `RegisterArchitectJobResponse`: where to upload the flow file.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredImport {
    /// The job id, to read its status with.
    pub id: String,
    /// "Presigned URL to upload the file in S3".
    pub presigned_url: PresignedUrl,
    /// "Required headers when uploading a file through PUT request to the URL": sent exactly
    /// as given by [`GenesysClient::upload_flow_file`].
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl std::fmt::Debug for RegisteredImport {
    /// The URL without its query and the header names without their values: either may be a
    /// credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredImport")
            .field("id", &self.id)
            .field("presigned_url", &self.presigned_url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `ArchitectJobMessage`: one line of what a job said.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct JobMessage {
    /// When (ISO-8601).
    #[serde(default)]
    pub date_time: Option<String>,
    /// `Error` or `Warning`.
    #[serde(rename = "type", default)]
    pub kind: Option<JobMessageType>,
    /// Archy's words, to be shown verbatim (TF#596).
    #[serde(default)]
    pub text: Option<String>,
}

/// `ArchitectJobStateResponse`: an import job as `GET /api/v2/flows/jobs/{id}?expand=messages`
/// answers it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImportJob {
    /// The job id.
    pub id: String,
    /// `Registered` (waiting for the file), `Started`, `Success`, `Failure`.
    pub status: JobStatus,
    /// `Publish`, `Create`, `Update`.
    #[serde(default)]
    pub command: Option<JobCommand>,
    /// "Flow created from the Architect Job": the target flow. The Terraform provider reads
    /// it whenever present (the sandbox gives it only on `Success`).
    #[serde(default)]
    pub flow: Option<EntityRef>,
    /// Warnings and errors; `None` when the answer has none at all, which a `Failure` can be
    /// (TF#1806: "no tracing messages available").
    #[serde(default)]
    pub messages: Option<Vec<JobMessage>>,
    /// The `ININ-Correlation-Id` of the answer this was read from: with no messages, the
    /// one thing support can trace the job by (TF#1806).
    #[serde(skip)]
    pub correlation_id: Option<String>,
}

/// `RegisterArchitectExportJobResponse`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredExport {
    /// The job id, to read its status with.
    pub id: String,
    /// Its status, `Registered` at first.
    #[serde(default)]
    pub status: Option<JobStatus>,
    /// "The number of flows submitted for export".
    #[serde(default)]
    pub total_flows: Option<u32>,
}

/// `ArchitectExportJobStateResponse`: an export job as
/// `GET /api/v2/flows/export/jobs/{id}?expand=messages` answers it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExportJob {
    /// The job id.
    pub id: String,
    /// `Registered`, `Started`, `Success`, `Failure`.
    pub status: JobStatus,
    /// `Export`.
    #[serde(default)]
    pub command: Option<JobCommand>,
    /// "The signed URL for downloading exported Architect data"; a zip when the job exported
    /// more than one flow (the Action exports one).
    #[serde(default)]
    pub download_url: Option<PresignedUrl>,
    /// Warnings and errors.
    #[serde(default)]
    pub messages: Option<Vec<JobMessage>>,
}

impl ExportJob {
    /// Whether this is a failed export of the known transient kind, worth a new export job:
    /// see [`is_transient_export_failure`].
    pub fn failed_transiently(&self) -> bool {
        self.status == JobStatus::Failure
            && is_transient_export_failure(self.messages.as_deref().unwrap_or_default())
    }
}

/// Whether a failed export's messages are Archy's rate-limit symptom rather than a flow that
/// does not exist: "could not find the flow with id" together with exit code 107 (or "Archy
/// failed"). The Terraform provider's `isRetryableJobFailure` (PR #2214) retries exactly
/// these, with a new job and a 15 s longer wait each time, up to five jobs; a "flow not found"
/// without those markers fails at once. Exports asked for by id only failed this way at
/// random; asking by id and version (as [`GenesysClient::start_export_job`] does) avoided it,
/// per the maintainers. Archy's own line says "setting the Archy exit code to 107" (TF#2061,
/// the sandbox) while the provider matches "exit code: 107": either wording counts.
pub fn is_transient_export_failure(messages: &[JobMessage]) -> bool {
    let text = messages
        .iter()
        .filter_map(|m| m.text.as_deref())
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    let not_found = text.contains("could not find the flow with id");
    let exit_107 = ["exit code: 107", "exit code to 107", "exit code 107"]
        .iter()
        .any(|marker| text.contains(marker));
    not_found && (exit_107 || text.contains("archy failed"))
}

impl GenesysClient {
    /// `POST /api/v2/flows/jobs` (no body): registers an import job and answers where to
    /// upload the flow file. Its presigned URL's credential goes to the redactor at once.
    pub async fn register_import_job(
        &self,
        deadline: Option<Instant>,
    ) -> Result<Answer<RegisteredImport>, ApiError> {
        let request = Request::to(&endpoint::IMPORT_JOBS, &[])
            .until(deadline)
            .with_secret_answer();
        let answer: Answer<RegisteredImport> = self.send(&request).await?;
        self.hide_presigned(&answer.body.presigned_url);
        Ok(answer)
    }

    /// `GET /api/v2/flows/jobs/{jobId}?expand=messages`: the import job's status, its flow and
    /// its messages.
    pub async fn import_job(
        &self,
        job_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Answer<ImportJob>, ApiError> {
        let request = Request::to(&endpoint::IMPORT_JOB, &[job_id])
            .query("expand=messages")
            .until(deadline);
        self.send(&request).await
    }

    /// `POST /api/v2/flows/export/jobs` with
    /// `{"flows":[{"flow":{"id","version"},"exportType":"Yaml"}]}`: always by id **and**
    /// version, since exports asked by id only failed at random (TF PR#2214). A 429 is
    /// retried after its full `Retry-After` (58 s seen there).
    pub async fn start_export_job(
        &self,
        flow_id: &str,
        version: &str,
        deadline: Option<Instant>,
    ) -> Result<Answer<RegisteredExport>, ApiError> {
        let request = Request::to(&endpoint::EXPORT_JOBS, &[])
            .json(export_request(flow_id, version))
            .until(deadline);
        self.send(&request).await
    }

    /// `GET /api/v2/flows/export/jobs/{jobId}?expand=messages`: the export job's status, and
    /// its `downloadUrl` once it succeeded (whose credential goes to the redactor at once).
    pub async fn export_job(
        &self,
        job_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Answer<ExportJob>, ApiError> {
        let request = Request::to(&endpoint::EXPORT_JOB, &[job_id])
            .query("expand=messages")
            .until(deadline)
            .with_secret_answer();
        let answer: Answer<ExportJob> = self.send(&request).await?;
        if let Some(url) = &answer.body.download_url {
            self.hide_presigned(url);
        }
        Ok(answer)
    }
}

/// `RegisterArchitectExportJob` for one flow version as YAML (PY-SDK `ExportDetails`,
/// `ArchitectFlowReference`); no `fileName`, which only names the download.
fn export_request(flow_id: &str, version: &str) -> serde_json::Value {
    json!({
        "flows": [{
            "flow": { "id": flow_id, "version": version },
            "exportType": "Yaml",
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(texts: &[&str]) -> Vec<JobMessage> {
        texts
            .iter()
            .map(|t| JobMessage {
                kind: Some(JobMessageType::Error),
                text: Some((*t).to_string()),
                ..JobMessage::default()
            })
            .collect()
    }

    const NOT_FOUND: &str = "ArchSession.startWithAuthToken - Caught unhandled exception during callback function execution.  Ending session.  Exception info: could not find the flow with id 'f1'. (correlationId: c1)";

    #[test]
    fn only_exit_107_not_found_exports_are_transient() {
        let cases: [(&[&str], bool); 7] = [
            // TF#2061's lines, as the sandbox writes them.
            (
                &[
                    "setting the Archy exit code to 107",
                    "Error during program export execution:",
                    NOT_FOUND,
                ],
                true,
            ),
            // The provider's own wordings.
            (&["Archy exit code: 107", NOT_FOUND], true),
            (&["Archy failed", NOT_FOUND], true),
            // A flow that is not there, without Archy's markers: fails at once.
            (&[NOT_FOUND], false),
            // Exit 107 for another reason.
            (
                &[
                    "setting the Archy exit code to 107",
                    "could not find version '9.0' of the flow with id 'f1'",
                ],
                false,
            ),
            (&["setting the Archy exit code to 100", NOT_FOUND], false),
            (&[], false),
        ];
        for (texts, transient) in cases {
            assert_eq!(
                is_transient_export_failure(&messages(texts)),
                transient,
                "{texts:?}"
            );
        }
    }

    #[test]
    fn only_a_failed_job_fails_transiently() {
        let job = |status: JobStatus| ExportJob {
            id: "j".into(),
            status,
            command: None,
            download_url: None,
            messages: Some(messages(&["setting the Archy exit code to 107", NOT_FOUND])),
        };
        assert!(job(JobStatus::Failure).failed_transiently());
        assert!(!job(JobStatus::Started).failed_transiently());
        let without_messages = ExportJob {
            messages: None,
            ..job(JobStatus::Failure)
        };
        assert!(!without_messages.failed_transiently());
    }

    #[test]
    fn the_export_request_names_id_version_and_yaml() {
        assert_eq!(
            export_request("f1", "3.0"),
            json!({"flows":[{"flow":{"id":"f1","version":"3.0"},"exportType":"Yaml"}]})
        );
    }

    #[test]
    fn a_registration_shows_neither_signature_nor_header_values() {
        let job: RegisteredImport = serde_json::from_value(json!({
            "id": "job-1",
            "presignedUrl": "https://b.s3.amazonaws.com/k?X-Amz-Signature=0123456789abcdef",
            "headers": { "x-amz-security-token": "tok-secret-value" },
            "selfUri": "/api/v2/flows/jobs/job-1",
        }))
        .expect("a registration");
        let shown = format!("{job:?}");
        assert!(shown.contains("x-amz-security-token"), "{shown}");
        assert!(
            !shown.contains("0123456789abcdef") && !shown.contains("tok-secret-value"),
            "{shown}"
        );
    }
}
