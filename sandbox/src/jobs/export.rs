//! The export job: `POST /api/v2/flows/export/jobs` with
//! `{"flows": [{"flow": {"id", "version"}, "fileName"?, "exportType"?}]}` registers it; it is
//! `Started` a quarter of `export_duration_ms` later and ends `Success` (with a `downloadUrl`)
//! or `Failure` at the full duration (SEEN: PY-SDK `RegisterArchitectExportJob`, TF
//! `createExportJobFn`). The text is fixed at registration: the version's stored YAML (an
//! imported or scenario `yaml` version) or one generated from its bot script (`generate.rs`),
//! written as `document.rs` says.
//!
//! GUESS: the quarter; that a missing `version` exports the highest version; the failure
//! messages for an unknown flow or version (the first is TF#2061's exit-107 message); the
//! default file name. Sandbox limits (400): one flow per job (a real job zips several) and
//! `exportType: Yaml` only.

use std::time::Duration;

use serde_json::{Value, json};

use crate::architect::configuration::effective_script;
use crate::archy::document::{ArchyDocument, BotKind};
use crate::archy::generate;
use crate::http::errors::{ApiError, ApiResult};
use crate::jobs::{Job, JobKind, JobStatus};
use crate::scenario::jobs::Counted;
use crate::scenario::{EntityRef, JobFaultKind};
use crate::state::{State, version_order};

/// TF#2061's messages of an export that "could not find the flow with id" (Archy exit 107,
/// rate-limit induced per TF PR#2214); `{flow_id}` is the flow asked for.
fn exit_107(flow_id: &str) -> Vec<String> {
    vec![
        "setting the Archy exit code to 107".to_owned(),
        "Error during program export execution:".to_owned(),
        crate::jobs::import::archy_exception(&format!(
            "could not find the flow with id '{flow_id}'. (correlationId: {})",
            uuid::Uuid::new_v4()
        )),
    ]
}

fn export_failure(reason: &str) -> Vec<String> {
    vec![
        "setting the Archy exit code to 107".to_owned(),
        "Error during program export execution:".to_owned(),
        crate::jobs::import::archy_exception(reason),
    ]
}

fn sandbox_limit(message: &str) -> ApiError {
    ApiError::bad_request(format!("Sandbox limit: {message}"))
}

/// One flow asked for.
struct Asked {
    flow_id: String,
    version: Option<String>,
    file_name: Option<String>,
}

fn read_request(body: &Value) -> ApiResult<Asked> {
    let flows = body["flows"]
        .as_array()
        .filter(|f| !f.is_empty())
        .ok_or_else(|| ApiError::bad_request("flows must be a non-empty array"))?;
    if flows.len() > 1 {
        return Err(sandbox_limit(
            "one flow per export job (a real job answers a zip for several)",
        ));
    }
    let item = &flows[0];
    match item["exportType"].as_str() {
        None | Some("Yaml") => {}
        Some("Architect") => return Err(sandbox_limit("exportType Yaml only")),
        Some(other) => {
            return Err(ApiError::invalid_value(
                other,
                "flows[0].exportType",
                &["Architect", "Yaml"],
            ));
        }
    }
    let flow_id = item["flow"]["id"]
        .as_str()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| sandbox_limit("flows[0].flow.id is required (no name and type lookup)"))?;
    Ok(Asked {
        flow_id: flow_id.to_owned(),
        version: item["flow"]["version"].as_str().map(str::to_owned),
        file_name: item["fileName"].as_str().map(str::to_owned),
    })
}

impl State {
    /// `POST /api/v2/flows/export/jobs`: `{id, status: "Registered", totalFlows}`.
    pub fn register_export(
        &mut self,
        caller: &EntityRef,
        body: &Value,
        now: Duration,
    ) -> ApiResult<Value> {
        let asked = read_request(body)?;
        let fault = self.job_fault(Counted::ExportRegistered);
        let duration = fault
            .as_ref()
            .and_then(|f| f.duration_ms)
            .map_or(self.settings.export_duration, Duration::from_millis);
        let end = now + duration;
        let mut job = Job::new(JobKind::Export, caller, "Export", now);
        job.steps.push((JobStatus::Started, now + duration / 4));
        job.version = asked.version.clone();
        match fault {
            Some(fault) => {
                job.fault = Some(fault.kind.name().to_owned());
                if let JobFaultKind::ExportFailure { messages } = fault.kind {
                    let texts = messages.map_or_else(
                        || exit_107(&asked.flow_id),
                        |m| {
                            m.iter()
                                .map(|t| t.replace("{flow_id}", &asked.flow_id))
                                .collect()
                        },
                    );
                    job.fail(end, Some(texts));
                }
            }
            None => match self.export_text(&asked) {
                Ok((flow, version, file_name, text)) => {
                    job.flow = Some(flow);
                    job.version = Some(version);
                    job.export = Some((file_name, text));
                    job.steps.push((JobStatus::Success, end));
                }
                Err(messages) => job.fail(end, Some(messages)),
            },
        }
        let answer = json!({"id": job.id, "status": "Registered", "totalFlows": 1});
        self.jobs.push(job);
        Ok(answer)
    }

    /// The flow `(id, name)`, version, file name and text of an export, or its failure
    /// messages.
    #[allow(clippy::type_complexity)]
    fn export_text(
        &mut self,
        asked: &Asked,
    ) -> Result<((String, String), String, String, String), Vec<String>> {
        let queue = self.default_queue_name();
        let flow = self
            .flows
            .get_mut(&asked.flow_id)
            .filter(|f| !f.deleted)
            .ok_or_else(|| exit_107(&asked.flow_id))?;
        let version = match &asked.version {
            Some(v) => v.clone(),
            None => flow
                .versions
                .iter()
                .map(|v| v.id.clone())
                .max_by_key(|id| version_order(id))
                .ok_or_else(|| exit_107(&asked.flow_id))?,
        };
        let Some(spec) = flow.version(&version).cloned() else {
            return Err(export_failure(&format!(
                "could not find version '{version}' of the flow with id '{}'",
                flow.id
            )));
        };
        let Some(kind) = BotKind::of_flow_type(&flow.flow_type) else {
            return Err(export_failure(&format!(
                "the sandbox exports bot flows only (BOT, DIGITALBOT), not {}",
                flow.flow_type
            )));
        };
        if !flow.documents.contains_key(&version) {
            let script = effective_script(flow, &spec);
            let doc: ArchyDocument = generate::from_script(
                kind,
                &flow.name,
                flow.description.as_deref(),
                &script,
                &queue,
            );
            flow.documents.insert(version.clone(), doc);
        }
        let text = flow
            .documents
            .get(&version)
            .map(ArchyDocument::export_text)
            .unwrap_or_default();
        let file_name = asked
            .file_name
            .clone()
            .unwrap_or_else(|| format!("{}_v{}.yaml", flow.name.replace(' ', "_"), version));
        Ok((
            (flow.id.clone(), flow.name.clone()),
            version,
            file_name,
            text,
        ))
    }
}
