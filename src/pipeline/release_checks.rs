//! Before a flow file is imported (SPEC rules 1, 15 and 16): the file is this bot's, the
//! live version is exported and kept as the backup, a live version that already is this
//! release ends the run `unchanged`, drift stops it, and every org object the file names
//! must exist.

use super::bounds::{Bounds, Raced};
use super::jobs::ExportProblem;
use super::plan::Backup;
use super::release::Release;
use super::report::{BackupFacts, DependencyCheck, DependencyKind, Failure};
use super::rules::drift::{Drift, judge};
use super::rules::identity::{Identity, compare_documents};
use super::{Deployment, Step};
use crate::audit::{Entry, Event};
use crate::flowfile::{FlowDocument, ReferenceKind, references};
use crate::genesys::ApiError;
use crate::genesys::models::{Flow, FlowVersion};
use crate::genesys::vocabulary::FlowType;
use crate::ids::VersionId;
use serde_json::json;

/// History entries read to name who changed the bot, newest first.
const HISTORY_ENTRIES: usize = 5;

impl Deployment<'_> {
    /// Rule 15: the file must land on `bot-id`. Archy imports by name and type, so a file
    /// named otherwise would create a new flow or change another one. Why not, if it would.
    pub(super) fn not_the_bot(&self, release: &Release, flow: &Flow) -> Option<Failure> {
        let kind = release.document.kind();
        let flow_type = flow.flow_type.as_ref().map_or("unknown", FlowType::as_str);
        let name = flow.name.as_deref().unwrap_or_default();
        let problem = if !flow_type.eq_ignore_ascii_case(kind.flow_type()) {
            Some(format!(
                "{} is a {kind} ({}), but bot {} is of type {flow_type}",
                release.file.shown,
                kind.yaml_key(),
                self.config.bot_id
            ))
        } else if release.document.name() != name {
            Some(format!(
                "{} names the flow \"{}\", but bot {} is \"{name}\": Archy imports by name, so this file would create or change another flow",
                release.file.shown,
                release.document.name(),
                self.config.bot_id
            ))
        } else {
            None
        };
        problem.map(|message| Failure {
            title: "Flow file is not this bot".into(),
            message,
            next_step: "Give the file the bot's name and type (a rename is done in Architect first), or point bot-id at the flow the file describes.".into(),
            ..Failure::default()
        })
    }

    /// Exports `version` (live now) and keeps it as a file for the job's next steps: the
    /// backup a rollback imports again. No backup, no import.
    pub(super) async fn back_up(&mut self, version: &VersionId) -> Step<Backup> {
        let bounds = Bounds::deadline_only(self.deadline);
        let exported = match self.export_version(version, &bounds).await {
            Ok(exported) => exported,
            Err(problem) => return Err(self.cannot_back_up(version, &problem)),
        };
        let name = format!(
            "genesys-bot-deploy-{}.backup-{version}.yaml",
            self.facts.deployment_id
        );
        let file = self.ctx.temp_file(&name);
        if let Err(error) = file.write(&exported.yaml) {
            return Err(self.fail_before_publish(Failure {
                title: "Cannot keep the backup".into(),
                message: format!(
                    "version {version} was exported, but {} could not be written: {error}; nothing was imported",
                    file.shown
                ),
                next_step: "Check the runner's temp directory (RUNNER_TEMP) is writable.".into(),
                ..Failure::default()
            }));
        }
        self.audit.record(Entry {
            event: Event::BackupExported,
            version: Some(version),
            status: "exported",
            details: Some(json!({ "file": file.shown, "job_id": exported.job_id, "bytes": exported.yaml.len() })),
            correlation_id: None,
        });
        let what = format!("the export of version {version}");
        let document = match FlowDocument::parse(&exported.yaml, &what) {
            Ok(document) => Some(document),
            Err(error) => {
                self.warn(
                    "Backup not readable",
                    &format!("{what} could not be read as a bot flow ({error}); a rollback would import it without proving its content"),
                );
                None
            }
        };
        if let Some(release) = self.facts.release.as_mut() {
            release.backup = Some(BackupFacts {
                version: version.to_string(),
                file: file.shown,
                job_id: exported.job_id,
            });
        }
        Ok(Backup {
            version: version.clone(),
            yaml: exported.yaml,
            document,
        })
    }

    fn cannot_back_up(&mut self, version: &VersionId, problem: &ExportProblem) -> super::Verdict {
        if matches!(problem, ExportProblem::Cancelled) {
            return self.cancelled_before_publish();
        }
        let base = Failure {
            title: "Cannot back up the live version".into(),
            message: format!(
                "exporting version {version} failed ({problem}), so it could not be restored after a failed import; nothing was imported"
            ),
            next_step: "Retry the workflow. Exports need the role permissions architect:jobExport:create and architect:jobExport:view.".into(),
            ..Failure::default()
        };
        let failure = match problem {
            ExportProblem::Api(error) => Failure {
                code: error.code().map(str::to_string),
                correlation_id: error.correlation_id().map(str::to_string),
                next_step: error.hint().unwrap_or(base.next_step.clone()),
                ..base
            },
            ExportProblem::Failed { messages, .. } => Failure {
                details: messages.clone(),
                ..base
            },
            _ => base,
        };
        self.fail_before_publish(failure)
    }

    /// Whether the live version (exported as `backup`, parsed when it was taken) already is
    /// this release. An export that is no bot flow is not.
    pub(super) fn is_this_release(&self, backup: &Backup, release: &Release) -> bool {
        backup
            .document
            .as_ref()
            .is_some_and(|live| compare_documents(live, &release.document) == Identity::Verified)
    }

    /// Rule 16: stops the run when the live version was made outside this pipeline, unless
    /// `accept-drift`; names who and when from the flow's history.
    pub(super) async fn check_drift(&mut self, flow: &Flow) -> Step<()> {
        let mut live = flow.published_version.clone();
        // The flow may give its published version without its maker: read the version.
        if let Some(version) = live.as_mut()
            && version.created_by.is_none()
            && version.created_by_client.is_none()
            && let Ok(answer) = self
                .client
                .get_flow_version(&self.config.bot_id, &version.id)
                .await
            && let Ok(read) = serde_json::from_value::<FlowVersion>(answer.body)
        {
            version.created_by = read.created_by;
            version.created_by_client = read.created_by_client;
        }
        let drift = judge(
            live.as_ref(),
            flow.published_by.as_ref(),
            &self.config.client_id,
        );
        let (detail, latest) = match &drift {
            Drift::Detected { by } => {
                // The history only names who changed what: a deadline or a cancel ends the
                // wait for it like any other, and the run goes on without the names.
                let bounds = self.bounds();
                let latest = match bounds.race(self.latest_changes()).await {
                    Raced::Done(latest) => latest,
                    Raced::Cancelled | Raced::TimedOut => Vec::new(),
                };
                (Some(by.clone()), latest)
            }
            Drift::Unknown { why } => (Some(why.clone()), Vec::new()),
            Drift::None => (None, Vec::new()),
        };
        let what = match (&detail, latest.is_empty()) {
            (Some(by), false) => Some(format!("{by}; latest changes: {}", latest.join("; "))),
            (detail, _) => detail.clone(),
        };
        self.audit.record(Entry {
            event: Event::DriftChecked,
            version: live.as_ref().map(|v| v.id.as_str()),
            status: drift.as_str(),
            details: Some(
                json!({ "what": what, "why": what, "accept_drift": self.config.accept_drift }),
            ),
            correlation_id: None,
        });
        if let Some(release) = self.facts.release.as_mut() {
            release.drift = Some((drift.as_str().to_string(), what.clone()));
        }
        match drift {
            Drift::None => Ok(()),
            Drift::Unknown { why } => {
                self.warn(
                    "Drift unknown",
                    &format!("{why}; deploying, since the platform gives nothing to judge by"),
                );
                Ok(())
            }
            Drift::Detected { .. } if self.config.accept_drift => {
                self.warn(
                    "Drift accepted",
                    &format!(
                        "{}; accept-drift: true, so this run replaces it (the backup keeps it)",
                        what.unwrap_or_default()
                    ),
                );
                Ok(())
            }
            Drift::Detected { .. } => Err(self.fail_before_publish(Failure {
                title: "The live version was changed outside this pipeline".into(),
                message: format!(
                    "{}; deploying would replace it, and a rollback could not bring back anything this pipeline did not make",
                    what.unwrap_or_default()
                ),
                next_step: "Bring the change into the flow file (export the live version, commit it), then run again; or set accept-drift: true to replace it. A bot this pipeline deploys for the first time needs accept-drift once.".into(),
                ..Failure::default()
            })),
        }
    }

    /// The newest entries of the flow's history, one line each: what, which version, who and
    /// when. Empty when the history cannot be had (it only names; it decides nothing).
    async fn latest_changes(&mut self) -> Vec<String> {
        let bot = self.config.bot_id.to_string();
        let deadline = Some(self.deadline);
        let Ok(started) = self.client.request_flow_history(&bot, deadline).await else {
            return Vec::new();
        };
        let Some(history_id) = started.body.id else {
            return Vec::new();
        };
        // History is made asynchronously: a few reads, a little apart, within the deadline.
        for pause_ms in [200, 400, 800, 1600] {
            tokio::time::sleep(std::time::Duration::from_millis(pause_ms)).await;
            let Ok(page) = self
                .client
                .flow_history(&bot, &history_id, HISTORY_ENTRIES, deadline)
                .await
            else {
                return Vec::new();
            };
            if page.body.failed() {
                return Vec::new();
            }
            if page.body.complete {
                return page
                    .body
                    .entities
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}by {} at {}",
                            e.action.as_ref().map_or("change", |a| a.as_str()),
                            e.version
                                .as_deref()
                                .map(|v| format!("of {v} "))
                                .unwrap_or_default(),
                            e.actor().unwrap_or_else(|| "someone".into()),
                            e.timestamp.as_deref().unwrap_or("an unknown time")
                        )
                    })
                    .collect();
            }
        }
        Vec::new()
    }

    /// Looks up every org object the file names (Archy resolves them by name at import):
    /// one dependency row each; a missing one blocks the import.
    pub(super) async fn check_references(
        &mut self,
        release: &Release,
    ) -> Result<Vec<DependencyCheck>, (String, ApiError)> {
        let mut checks = Vec::new();
        for reference in references(&release.document) {
            let name = reference.name.as_str();
            let found: Result<Option<String>, ApiError> = match reference.kind {
                ReferenceKind::Queue => {
                    self.client.queue_named(name).await.map(|q| q.map(|q| q.id))
                }
                ReferenceKind::DataAction => self
                    .client
                    .data_action_named(name, reference.integration.as_deref())
                    .await
                    .map(|a| a.map(|a| a.id)),
                ReferenceKind::KnowledgeBase => self
                    .client
                    .knowledge_base_named(name)
                    .await
                    .map(|k| k.map(|k| k.id)),
                ReferenceKind::BotFlow
                | ReferenceKind::DigitalBotFlow
                | ReferenceKind::CommonModule => {
                    let flow_type = match reference.kind {
                        ReferenceKind::BotFlow => FlowType::Bot,
                        ReferenceKind::DigitalBotFlow => FlowType::DigitalBot,
                        _ => FlowType::CommonModule,
                    };
                    self.client
                        .flow_named(name, &flow_type)
                        .await
                        .map(|f| f.map(|f| f.id))
                }
                // No lookup by name is used for data tables: Archy tells at import.
                ReferenceKind::DataTable => continue,
            };
            let found = found.map_err(|error| (reference.kind.to_string(), error))?;
            let kind = match reference.kind {
                ReferenceKind::Queue => DependencyKind::Queue,
                ReferenceKind::DataAction => DependencyKind::DataAction,
                ReferenceKind::KnowledgeBase => DependencyKind::KnowledgeBase,
                _ => DependencyKind::Flow,
            };
            let shown = match &reference.integration {
                Some(integration) => format!("{name} ({integration})"),
                None => name.to_string(),
            };
            checks.push(DependencyCheck {
                id: found.clone().unwrap_or_default(),
                name: Some(shown),
                kind,
                state: if found.is_some() {
                    "present"
                } else {
                    "missing"
                }
                .into(),
                problem: found.is_none().then(|| {
                    format!(
                        "is named in the flow file at {} but does not exist in this org",
                        reference.path
                    )
                }),
                discovered: true,
            });
        }
        Ok(checks)
    }
}
