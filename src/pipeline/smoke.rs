//! The smoke-test gate: once the target is confirmed live, hold the `smoke-test` file's
//! conversations with it. A failing conversation — or a smoke test that cannot run at all —
//! fails the run with the target live, so SPEC rule 8 rolls it back.

use super::bounds::{Bounds, Raced};
use super::report::Failure;
use super::{Deployment, Interruption, Plan, Step};
use crate::audit::{Entry, Event};
use crate::genesys::models::Flow;
use crate::smoke::report::{ConversationResult, Outcome};
use crate::smoke::{SmokeReport, runner};
use serde_json::{Value, json};
use tokio::time::Instant;

/// How a smoke test ended.
pub(super) enum SmokeEnd {
    /// No smoke test, or every conversation passed.
    Passed,
    /// A conversation failed, or the smoke test could not run.
    Failed(Failure),
    /// SIGINT/SIGTERM came first.
    Cancelled,
}

impl Deployment<'_> {
    /// Runs the smoke test, when the run has one. `confirmed` is the flow as read when the
    /// publish was confirmed: what a rollback starts from.
    pub(super) async fn smoke_gate(&mut self, plan: &Plan, confirmed: &Flow) -> Step<()> {
        match self.hold_conversations(&plan.target).await {
            SmokeEnd::Passed => Ok(()),
            SmokeEnd::Cancelled => Err(self.on_cancel(plan).await),
            SmokeEnd::Failed(failure) => {
                let rollback = Bounds::from_now(self.config.timeout, &self.ctx.cancel);
                let stale = confirmed
                    .current_operation
                    .as_ref()
                    .and_then(|op| op.id.clone());
                Err(self
                    .after_failure(
                        plan,
                        confirmed.published_id(),
                        stale,
                        Interruption::Failed,
                        failure,
                        &rollback,
                    )
                    .await)
            }
        }
    }

    /// Before anything is published, proves the smoke test will be allowed to run: starts
    /// one bot flow session with the version live now (no turns are sent). A 401/403 stops
    /// the run, so neither a dry run nor a real one finds the missing permission only after
    /// customers have the new version. Any other failure is a warning: the gate itself
    /// decides later. A bot never published has nothing to start a session with.
    pub(super) async fn check_smoke_test_access(&mut self, something_live: bool) -> Step<()> {
        if self.smoke.is_none() || !something_live {
            return Ok(());
        }
        let Err(error) = self
            .client
            .start_bot_session(&self.config.bot_id, Some(self.deadline))
            .await
        else {
            return Ok(());
        };
        if matches!(error.status(), Some(401 | 403)) {
            return Err(self.fail_before_publish(Failure::from_api(
                "Smoke test not permitted",
                "the smoke test could not start a bot flow session, so it could never pass; nothing was published",
                &error,
                "Give the OAuth client's role textbots:botFlowSession:execute.",
            )));
        }
        self.warn(
            "Smoke test access not checked",
            &format!("a bot flow session could not be started before publishing ({error}); the smoke test will tell after the publish"),
        );
        Ok(())
    }

    /// Holds the `smoke-test` conversations with `version`, live now, recording what they
    /// found in the audit trail and the facts.
    pub(super) async fn hold_conversations(&mut self, version: &str) -> SmokeEnd {
        let Some(suite) = self.smoke.clone() else {
            return SmokeEnd::Passed;
        };
        let started = Instant::now();
        let names: Vec<&str> = suite
            .conversations
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        self.audit.record(Entry {
            event: Event::SmokeTestStarted,
            version: Some(version),
            status: "started",
            details: Some(json!({
                "file": suite.file,
                "conversations": names,
                "concurrency": runner::CONCURRENCY,
            })),
            correlation_id: None,
        });
        let conversations = runner::run_all(&self.client, &self.config.bot_id, &suite);
        let report = match Bounds::cancel_only(&self.ctx.cancel)
            .race(conversations)
            .await
        {
            Raced::Done(report) => report,
            Raced::Cancelled | Raced::TimedOut => {
                self.phase("smoke test", started, "cancelled");
                return SmokeEnd::Cancelled;
            }
        };
        let results: Vec<Value> = report.conversations.iter().map(conversation_json).collect();
        if report.passed() {
            self.phase("smoke test", started, "passed");
            self.audit.record(Entry {
                event: Event::SmokeTestPassed,
                version: Some(version),
                status: "passed",
                details: Some(json!({ "file": report.file, "conversations": results })),
                correlation_id: None,
            });
            self.facts.smoke = Some(report);
            return SmokeEnd::Passed;
        }
        self.phase("smoke test", started, "failed");
        let failure = smoke_failure(&report, version, self.config.flow_file.is_some());
        self.audit.record(Entry {
            event: Event::SmokeTestFailed,
            version: Some(version),
            status: "failed",
            details: Some(json!({
                "file": report.file,
                "failed": failure.details,
                "conversations": results,
            })),
            correlation_id: failure.correlation_id.as_deref(),
        });
        self.facts.smoke = Some(report);
        SmokeEnd::Failed(failure)
    }

    /// The dry run's line for the smoke test, when the run has one.
    pub(super) fn smoke_plan_step(&self) -> Option<String> {
        let suite = self.smoke.as_ref()?;
        let names: Vec<String> = suite
            .conversations
            .iter()
            .map(|c| {
                let turns = c.turns.len();
                format!(
                    "\"{}\" ({turns} turn{})",
                    c.name,
                    if turns == 1 { "" } else { "s" }
                )
            })
            .collect();
        Some(format!(
            "Once it is live, hold {} smoke-test conversation(s) from {} with it: {}. Any that fails (or cannot run) fails the deployment.",
            names.len(),
            suite.file,
            names.join(", ")
        ))
    }
}

/// Why the gate failed: wrong answers, or a smoke test that could not run at all.
fn smoke_failure(report: &SmokeReport, target: &str, from_a_flow_file: bool) -> Failure {
    let details: Vec<String> = report
        .failures()
        .filter_map(ConversationResult::problem)
        .collect();
    let failed = report.failures().count();
    let total = report.conversations.len();
    match report.broken() {
        Some(broken) => Failure {
            title: "Smoke test could not run".into(),
            message: format!(
                "the smoke test of version {target} could not run ({failed} of {total} conversation(s) failed or could not be held); a smoke test that cannot run fails the gate, so version {target} is not trusted"
            ),
            code: broken.code.clone(),
            details,
            correlation_id: broken.correlation_id.clone(),
            next_step: broken.hint.clone().unwrap_or_else(|| {
                "Check that the bot flow can be reached through bot flow sessions, then run again.".into()
            }),
        },
        None => Failure {
            title: "Smoke test failed".into(),
            message: format!(
                "version {target} went live but {failed} of {total} smoke-test conversation(s) failed"
            ),
            details,
            next_step: if from_a_flow_file {
                format!(
                    "Fix the flow file so the bot answers as {} expects (or fix that file), commit and run again.",
                    report.file
                )
            } else {
                format!(
                    "Fix the bot flow so it answers as {} expects (or fix the file), check in a new version and run again.",
                    report.file
                )
            },
            ..Failure::default()
        },
    }
}

/// One conversation in the audit trail.
fn conversation_json(c: &ConversationResult) -> Value {
    let mut value = json!({
        "name": c.name,
        "passed": c.passed(),
        "duration_ms": c.duration_ms,
    });
    match &c.outcome {
        Outcome::Passed => {}
        Outcome::Failed { turn, reason } => {
            let record = c.turns.get(turn.saturating_sub(1));
            value["turn"] = json!(turn);
            value["reason"] = json!(reason);
            value["said"] = json!(record.and_then(|t| t.said.as_deref()));
            value["expected"] = json!(record.map(|t| t.expected.as_str()));
            value["actual"] = json!(record.and_then(|t| t.answer.as_deref()));
        }
        Outcome::Broken { turn, error } => {
            value["turn"] = json!(turn);
            value["error"] = json!(error.error);
            value["status"] = json!(error.status);
        }
    }
    value
}
