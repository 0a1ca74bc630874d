//! The dry run of a flow file (SPEC rule 15's plan, rule 16's plan on the pull request):
//! what the file changes in the live bot, whom a publish reaches (callers taking the latest
//! version, or pinning one), the steps a real run would take, and all of it as a Markdown
//! file (`plan-file`) a workflow can post on the pull request. Nothing is registered,
//! imported or published.

use super::plan::Backup;
use super::release::Release;
use super::report::Caller;
use super::rules::callers::{Pin, pin_of};
use super::rules::identity::{Identity, compare_documents};
use super::{Deployment, Verdict};
use crate::flowfile::FlowDiff;

impl Deployment<'_> {
    /// Ends a dry run of `release`: the plan in the summary and in the plan file.
    pub(super) async fn finish_release_dry_run(
        &mut self,
        release: &Release,
        backup: &Option<Backup>,
        object_type: &'static str,
        blocked: Option<Verdict>,
    ) -> Verdict {
        let changes = match backup.as_ref().and_then(|b| b.document.as_ref()) {
            Some(live) => {
                let diff = FlowDiff::between(live, &release.document);
                // The diff details intents, entities, thresholds, prompts, knowledge and
                // references; identity's comparison covers the rest of the file.
                match (diff.is_empty(), compare_documents(live, &release.document)) {
                    (true, Identity::Differs { path }) => vec![format!(
                        "Other content differs from the live version, first at {path}."
                    )],
                    (true, _) => vec!["No change to the bot's content: only formatting or fields Genesys Cloud sets itself differ.".to_string()],
                    (false, _) => diff.lines(),
                }
            }
            None if backup.is_some() => {
                vec![
                    "The live version's export could not be read as a bot flow: no comparison."
                        .to_string(),
                ]
            }
            None => vec!["Nothing is live yet: the whole file is new.".to_string()],
        };
        let callers = self.callers(object_type).await;
        let live = backup.as_ref().map(|b| b.version.to_string());
        let mut steps = vec![match &live {
            Some(live) => format!(
                "Keep the export of version {live}, live now, as the backup (done: {})",
                self.facts
                    .release
                    .as_ref()
                    .and_then(|r| r.backup.as_ref())
                    .map_or("-", |b| b.file.as_str())
            ),
            None => "Nothing is live: no backup, and nothing to roll back to.".to_string(),
        }];
        steps.push(format!(
            "Import {} with {} substitution(s) as a new version of bot {} (an Architect import job), and publish it.",
            release.file.shown,
            release.substitutions.len(),
            self.config.bot_id
        ));
        steps.push(self.wait_plan_step("the import job and its publish"));
        steps.push("Export the new live version and compare it with the file (identity).".into());
        steps.extend(self.smoke_plan_step());
        steps.push(match (&live, self.config.rollback) {
            (Some(live), true) => format!(
                "On failure, import the backup of version {live} again and prove its content is live."
            ),
            (None, true) => "On failure there is no earlier version to roll back to.".into(),
            (_, false) => "On failure, do not roll back (rollback: false).".into(),
        });
        self.facts.plan = steps;
        let plan_file = self.write_plan_file(release, &changes, &callers);
        if let Some(facts) = self.facts.release.as_mut() {
            facts.changes = changes;
            facts.callers = callers;
            facts.plan_file = plan_file;
        }
        // A real run would have stopped: the plan is written all the same, for the review.
        blocked.unwrap_or(Verdict::DryRun)
    }

    /// The flows that call the bot, each with the version it calls. Dependency tracking
    /// lists them; each one's configuration says whether it pins a version. A lookup that
    /// fails is a warning: the plan is still worth having.
    async fn callers(&mut self, object_type: &str) -> Vec<Caller> {
        let found = match self.client.callers(&self.config.bot_id, object_type).await {
            Ok(found) => found,
            Err(error) => {
                self.warn(
                    "Callers unknown",
                    &format!("the flows that call the bot could not be listed ({error})"),
                );
                return Vec::new();
            }
        };
        let mut callers = Vec::new();
        for dependency in found
            .into_iter()
            .filter(|d| !d.id.eq_ignore_ascii_case(&self.config.bot_id))
        {
            let pins = match &dependency.version {
                Some(version) => match self
                    .client
                    .version_configuration(&dependency.id, version)
                    .await
                {
                    Ok(answer) => match pin_of(&answer.body, &self.config.bot_id) {
                        Pin::Latest => None,
                        Pin::Version(v) => Some(v),
                        Pin::Unknown => Some("unknown".into()),
                    },
                    Err(_) => Some("unknown".into()),
                },
                None => Some("unknown".into()),
            };
            callers.push(Caller {
                name: dependency.name.unwrap_or_else(|| dependency.id.clone()),
                id: dependency.id,
                flow_type: dependency.resource_type.unwrap_or_default(),
                pins,
            });
        }
        callers
    }

    /// Writes the plan as Markdown for the job's next steps (a pull request comment);
    /// `None`, with a warning, when it cannot be written.
    fn write_plan_file(
        &mut self,
        release: &Release,
        changes: &[String],
        callers: &[Caller],
    ) -> Option<String> {
        let name = format!("genesys-bot-deploy-{}.plan.md", self.facts.deployment_id);
        let file = self.ctx.temp_file(&name);
        let markdown = super::summary::release::plan_file(
            &self.facts,
            &self.config.bot_id,
            &release.file.shown,
            changes,
            callers,
        );
        match file.write(&markdown) {
            Ok(()) => Some(file.shown),
            Err(error) => {
                self.warn(
                    "Plan file not written",
                    &format!("{} could not be written: {error}", file.shown),
                );
                None
            }
        }
    }
}
