//! The import job: `POST /api/v2/flows/jobs` registers it, a `PUT` of the YAML to its presigned
//! URL starts it, and it ends `Success` or `Failure` `import_duration_ms` after the upload
//! (SEEN: PY-SDK, TF `resource_genesyscloud_flow.go` `updateFlow`).
//!
//! The YAML is read at the upload. Its flow is found by `name` and type: an existing flow gets
//! a new version (the next whole number), a name matching no flow creates a flow (what the real
//! job does when a file is renamed, TF#1160). With `command: Publish` (the default, GUESS:
//! following the Terraform provider, which creates, updates and publishes with this job) the
//! first half of the job is the check-in and the second half a publish operation, pushed on
//! `v2.flows.{id}` like any publish, whose `SUCCESS` is the job's `Success`; with
//! `import_publishes: false` (`command: Update`) the version is checked in when the job ends.
//! GUESS: the half-and-half schedule; that a lock, a running operation or another import on
//! the flow fails the job; the Archy-like wording of the sandbox's own failure messages.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::architect::configuration::VersionOrigin;
use crate::architect::operations::{Operation, Plan};
use crate::archy::document::{self, ArchyDocument};
use crate::archy::play::ArchyBot;
use crate::http::records::Actor;
use crate::jobs::s3::{S3Error, UPLOAD_HEADERS, upload_url};
use crate::jobs::{Checkin, Job, JobKind, JobStatus, TransferRecord};
use crate::scenario::jobs::Counted;
use crate::scenario::{EntityRef, JobFaultKind, PublishBehaviour, VersionSpec};
use crate::state::{FlowState, State};

/// The last message of a failed import (TF#596 quotes it after the exception).
pub(crate) const ARCHY_EXIT_100: &str = "setting the Archy exit code to 100";

/// Archy's exception line (TF#596, TF#2061), around the sandbox's reason.
pub(crate) fn archy_exception(info: &str) -> String {
    format!(
        "ArchSession.startWithAuthToken - Caught unhandled exception during callback function \
         execution.  Ending session.  Exception info: {info}"
    )
}

/// The messages of an `import_failure` fault without its own: TF#596's.
fn default_failure_messages() -> Vec<String> {
    vec![
        archy_exception(
            "the property 'speechToTextSpeechDetectionSensitivity' cannot be assigned a value. \
             Please be sure that this property can be assigned a value in this context.",
        ),
        ARCHY_EXIT_100.to_owned(),
    ]
}

fn failure(reason: &str) -> Vec<String> {
    vec![archy_exception(reason), ARCHY_EXIT_100.to_owned()]
}

/// Where an upload lands.
struct Target {
    flow_id: String,
    flow_name: String,
    new_flow: bool,
    version: String,
    document: ArchyDocument,
}

impl State {
    /// `POST /api/v2/flows/jobs`: `RegisterArchitectJobResponse`.
    pub fn register_import(&mut self, caller: &EntityRef, now: Duration) -> Value {
        let command = if self.settings.import_publishes {
            "Publish"
        } else {
            "Update"
        };
        let job = Job::new(JobKind::Import, caller, command, now);
        let headers: serde_json::Map<String, Value> = UPLOAD_HEADERS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        let answer = json!({
            "id": job.id,
            "presignedUrl": upload_url(self, &job),
            "headers": headers,
            "selfUri": job.self_uri(),
        });
        self.jobs.push(job);
        answer
    }

    /// Whether an accepted import is still working on the flow.
    pub fn import_busy(&self, flow_id: &str, now: Duration) -> bool {
        self.jobs.iter().any(|j| {
            j.checkin.as_ref().is_some_and(|c| c.flow_id == flow_id)
                && j.terminal_at().is_some_and(|t| t > now)
        })
    }

    /// The presigned `PUT`: starts the job. `Ok` holds the publish operation it schedules.
    pub fn upload(
        &mut self,
        job_id: &str,
        signature: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
        now: Duration,
    ) -> Result<Option<usize>, S3Error> {
        let index = self
            .jobs
            .iter()
            .position(|j| j.kind == JobKind::Import && j.id == job_id)
            .ok_or_else(|| S3Error::no_such_key("no such import job"))?;
        let result = self.accept_upload(index, signature, headers, body, now);
        let (status, refused) = match &result {
            Ok(_) => (200, None),
            Err(e) => (e.status.as_u16(), Some(e.reason.clone())),
        };
        self.jobs[index].uploads.push(TransferRecord {
            at: now,
            status,
            bytes: body.len(),
            refused,
        });
        result
    }

    fn accept_upload(
        &mut self,
        index: usize,
        signature: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
        now: Duration,
    ) -> Result<Option<usize>, S3Error> {
        let job = &self.jobs[index];
        if signature != Some(job.signature.as_str()) {
            return Err(S3Error::signature(
                "the X-Amz-Signature is wrong".to_owned(),
            ));
        }
        for (name, want) in UPLOAD_HEADERS {
            match headers
                .get(name)
                .map(|v| v.to_str().unwrap_or("<not text>"))
            {
                None => return Err(S3Error::signature(format!("header {name} is missing"))),
                Some(got) if got != want => {
                    return Err(S3Error::signature(format!(
                        "header {name} is {got:?}, not {want:?}"
                    )));
                }
                Some(_) => {}
            }
        }
        if job.status_at(now) != JobStatus::Registered {
            return Err(S3Error::denied("the job's file was uploaded already"));
        }
        if self.job_fault(Counted::UploadAttempt).is_some() {
            return Err(S3Error::denied("the upload_refused fault"));
        }
        let fault = self.job_fault(Counted::AcceptedUpload);
        let duration = fault
            .as_ref()
            .and_then(|f| f.duration_ms)
            .map_or(self.settings.import_duration, Duration::from_millis);
        let end = now + duration;
        let job = &mut self.jobs[index];
        job.steps.push((JobStatus::Started, now));
        if let Some(fault) = fault {
            job.fault = Some(fault.kind.name().to_owned());
            match fault.kind {
                JobFaultKind::ImportAltersText { from, to } => {
                    let stored = String::from_utf8_lossy(body).replacen(&from, &to, 1);
                    return Ok(self.plan_import(index, stored.as_bytes(), now, duration));
                }
                JobFaultKind::ImportFailure { messages } => {
                    job.fail(end, Some(messages.unwrap_or_else(default_failure_messages)));
                }
                JobFaultKind::ImportFailureWithoutMessages => job.fail(end, None),
                // Started for ever.
                _ => {}
            }
            return Ok(None);
        }
        Ok(self.plan_import(index, body, now, duration))
    }

    /// Reads the upload and fixes the job's schedule and effect.
    fn plan_import(
        &mut self,
        index: usize,
        body: &[u8],
        now: Duration,
        duration: Duration,
    ) -> Option<usize> {
        let publishes = self.settings.import_publishes;
        let checkin_at = if publishes {
            now + duration / 2
        } else {
            now + duration
        };
        let end = now + duration;
        let client = self.jobs[index].client.clone();
        let text = String::from_utf8_lossy(body).into_owned();
        let target = match self.import_target(&text, &client, checkin_at, now) {
            Ok(target) => target,
            Err((flow, messages)) => {
                let job = &mut self.jobs[index];
                job.flow = flow;
                job.fail(end, Some(messages));
                return None;
            }
        };
        let publish = publishes.then(|| {
            let op = Operation::new(
                &target.flow_id,
                &target.version,
                client,
                checkin_at,
                duration - duration / 2,
                Plan::Success {
                    live: target.version.clone(),
                },
            );
            self.operations.push(op);
            self.operations.len() - 1
        });
        let job = &mut self.jobs[index];
        job.flow = Some((target.flow_id.clone(), target.flow_name));
        job.version = Some(target.version.clone());
        job.created_flow = target.new_flow;
        job.checkin = Some(Checkin {
            at: checkin_at,
            flow_id: target.flow_id,
            new_flow: target.new_flow,
            version: target.version,
            yaml: text,
            document: target.document,
            publish,
            applied: false,
        });
        job.steps.push((JobStatus::Success, end));
        publish
    }

    /// The flow and version an uploaded YAML lands on, or why the job fails (with the flow,
    /// when one was found).
    #[allow(clippy::type_complexity)]
    fn import_target(
        &self,
        text: &str,
        client: &EntityRef,
        checkin_at: Duration,
        now: Duration,
    ) -> Result<Target, (Option<(String, String)>, Vec<String>)> {
        if let Some(left) = document::placeholders(text).first() {
            // Archy's own words for a key nobody substituted (TF#1068).
            let message = format!(
                "pre-processor substitution key of '{left}' was found in the flow YAML, but was \
                 not found in the options file."
            );
            return Err((None, vec![message, ARCHY_EXIT_100.to_owned()]));
        }
        let doc = document::parse(text).map_err(|reason| (None, failure(&reason)))?;
        let missing = self.missing_references(&doc);
        if !missing.is_empty() {
            let mut messages = vec![archy_exception(
                "the flow refers to objects this organization does not have",
            )];
            messages.extend(missing);
            messages.push(ARCHY_EXIT_100.to_owned());
            return Err((None, messages));
        }
        let existing = self
            .flows
            .values()
            .find(|f| !f.deleted && f.name == doc.name);
        let Some(flow) = existing else {
            return Ok(Target {
                flow_id: uuid::Uuid::new_v4().to_string(),
                flow_name: doc.name.clone(),
                new_flow: true,
                version: "1.0".to_owned(),
                document: doc.with_fresh_ids(),
            });
        };
        let found = Some((flow.id.clone(), flow.name.clone()));
        if flow.flow_type != doc.kind.flow_type() {
            let reason = format!(
                "a flow named '{}' exists with type {}, but the YAML describes a {}",
                flow.name,
                flow.flow_type,
                doc.kind.top_key()
            );
            return Err((found, failure(&reason)));
        }
        let locked = flow.locked_user.is_some()
            || flow
                .locked_client
                .as_ref()
                .is_some_and(|c| c.id != client.id);
        if locked {
            return Err((found, failure("Flow is locked by another user.")));
        }
        let running = flow
            .current_operation
            .and_then(|i| self.operations.get(i))
            .is_some_and(|op| op.terminal_at().is_none_or(|t| t > checkin_at));
        if running || self.import_busy(&flow.id, now) {
            let reason = "An operation is already in progress on the object.";
            return Err((found, failure(reason)));
        }
        Ok(Target {
            flow_id: flow.id.clone(),
            flow_name: flow.name.clone(),
            new_flow: false,
            version: flow.next_version_id(),
            document: doc.with_fresh_ids(),
        })
    }

    /// What a document names that the org does not have, one sentence each.
    // GUESS: an import fails on a name the org does not have (Archy resolves names when it
    // publishes); names compare without regard to case; the wording.
    fn missing_references(&self, doc: &ArchyDocument) -> Vec<String> {
        let refs = crate::archy::references::references(doc);
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let queues = refs
            .queues
            .iter()
            .filter(|q| !self.queues.iter().any(|x| same(&x.name, q)))
            .map(|q| format!("could not find a queue named '{q}'"));
        let actions = refs
            .data_actions
            .iter()
            .filter(|(integration, action)| {
                !self.data_actions.iter().any(|x| {
                    same(&x.name, action)
                        && x.integration
                            .as_deref()
                            .is_none_or(|i| same(i, integration))
                })
            })
            .map(|(i, a)| {
                format!("could not find a data action named '{a}' in the integration '{i}'")
            });
        let bases = refs
            .knowledge_bases
            .iter()
            .filter(|k| !self.knowledge_bases.iter().any(|x| same(&x.name, k)))
            .map(|k| format!("could not find a knowledge base named '{k}'"));
        queues.chain(actions).chain(bases).collect()
    }

    /// Checks in the version of import job `index` (creating its flow if need be), and makes its
    /// publish, if any, the flow's `currentOperation`.
    pub(crate) fn apply_checkin(&mut self, index: usize) {
        let Some(job) = self.jobs.get_mut(index) else {
            return;
        };
        let client = job.client.clone();
        let Some(checkin) = job.checkin.as_mut().filter(|c| !c.applied) else {
            return;
        };
        checkin.applied = true;
        let checkin = checkin.clone();
        let republish_mode = self.settings.republish_mode;
        let flow = self
            .flows
            .entry(checkin.flow_id.clone())
            .or_insert_with(|| {
                let doc = &checkin.document;
                let mut flow = FlowState::blank(
                    &checkin.flow_id,
                    &doc.name,
                    doc.kind.flow_type(),
                    republish_mode,
                );
                flow.description = doc.description.clone();
                flow
            });
        flow.versions.push(VersionSpec {
            id: checkin.version.clone(),
            name: None,
            duration_ms: None,
            publish: PublishBehaviour::Success,
            republish: None,
            outcomes: Vec::new(),
            consumes: Vec::new(),
            bot: None,
            refuse: None,
            configuration: None,
            yaml: Some(checkin.yaml.clone()),
            created_by: None,
            created_by_client: None,
            calls: None,
        });
        flow.origins.insert(
            checkin.version.clone(),
            VersionOrigin {
                at: checkin.at,
                by: Actor::Client(client.clone()),
            },
        );
        let bot = ArchyBot::from_document(&checkin.document);
        flow.archy_bots
            .insert(checkin.version.clone(), Arc::new(bot));
        flow.documents
            .insert(checkin.version.clone(), checkin.document);
        flow.checked_in = Some(checkin.version.clone());
        if checkin.publish.is_some() {
            flow.current_operation = checkin.publish;
        }
        let by = Actor::Client(client);
        if checkin.new_flow {
            self.record_history(&checkin.flow_id, "CREATE", by.clone(), None, checkin.at);
        }
        let version = Some(checkin.version.as_str());
        self.record_history(&checkin.flow_id, "CHECKIN", by, version, checkin.at);
    }
}
