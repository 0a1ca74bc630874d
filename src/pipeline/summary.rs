//! The Markdown job summary: outcome, versions, dependencies, timeline, metrics, and on
//! failure the platform's words and what to do next.

use super::report::{DependencyKind, Report};
use super::verdict::Status;
use std::fmt::Write;

/// Escapes text for a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// The end state in one line.
pub(crate) fn headline(report: &Report) -> String {
    let facts = &report.facts;
    let bot = facts
        .bot_name
        .clone()
        .or_else(|| (!facts.bot_id.is_empty()).then(|| facts.bot_id.clone()))
        .unwrap_or_else(|| "the bot".into());
    let target = facts.target_version.as_deref().unwrap_or("?");
    // "Billing 3.0", or just "the bot" when no version was ever chosen.
    let what = match &facts.target_version {
        Some(v) => format!("{bot} {v}"),
        None => bot.clone(),
    };
    let env = &facts.environment;
    let unknown = report.verdict.needs_a_person();
    match report.status() {
        Status::Published => format!("✅ {bot} version {target} is live in {env}"),
        Status::Unchanged => {
            format!("✅ {bot} version {target} was already live in {env}: nothing published")
        }
        Status::DryRun => {
            format!("🧪 Dry run for {bot} in {env}: every check passed, nothing published")
        }
        Status::Failed if unknown => format!(
            "🚨 Deployment of {what} to {env} failed and the live version changed or is unknown"
        ),
        Status::Failed => {
            format!("❌ Deployment of {what} to {env} failed; the previous version is still live")
        }
        Status::RolledBack => format!("↩️ {what} failed in {env} and was rolled back"),
        Status::RollbackFailed => format!("🚨 {what} failed in {env} and the rollback failed"),
        Status::TimedOut if unknown => {
            format!("⏱️ Publish of {what} to {env} timed out; its outcome is unknown")
        }
        Status::TimedOut => {
            format!("⏱️ Publish of {what} to {env} timed out; the previous version is still live")
        }
        Status::Cancelled if unknown => {
            format!("🛑 Deployment of {what} to {env} was cancelled; the live version is unknown")
        }
        Status::Cancelled => {
            format!("🛑 Deployment of {what} to {env} was cancelled; the previous version is live")
        }
    }
}

/// Renders the summary.
pub fn render(report: &Report) -> String {
    let facts = &report.facts;
    let mut md = String::new();
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(|s| format!("`{}`", cell(s)))
            .unwrap_or_else(|| "—".into())
    };
    let _ = writeln!(md, "## {}\n", headline(report));
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(
        md,
        "| Status | **{}** (exit code {}) |",
        report.status().as_str(),
        report.exit_code()
    );
    let bot = match &facts.bot_name {
        Some(name) => format!("{} (`{}`)", cell(name), facts.bot_id),
        None => format!("`{}`", facts.bot_id),
    };
    let _ = writeln!(md, "| Bot | {bot} |");
    let _ = writeln!(md, "| Environment | {} |", cell(&facts.environment));
    if let Some(org) = &facts.org {
        let client = facts
            .oauth_client
            .as_ref()
            .and_then(|c| c.name.as_deref())
            .map(|name| format!(", OAuth client {}", cell(name)))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "| Org | {} (`{}`){client} |",
            cell(org.name.as_deref().unwrap_or("—")),
            org.id
        );
    }
    let _ = writeln!(md, "| Target version | {} |", opt(&facts.target_version));
    let _ = writeln!(
        md,
        "| Previous version | {} |",
        opt(&facts.previous_version)
    );
    let _ = writeln!(
        md,
        "| Live version now | {} |",
        opt(&facts.published_version)
    );
    let _ = writeln!(md, "| Operation | {} |", opt(&facts.operation_id));
    let _ = writeln!(md, "| Rollout | {}% |", facts.rollout_percentage);
    let _ = writeln!(md, "| Deployment id | `{}` |", facts.deployment_id);

    if let Some(failure) = report.failure() {
        let _ = writeln!(md, "\n### What went wrong: {}\n", cell(&failure.title));
        let _ = writeln!(md, "{}\n", failure.message);
        if let Some(code) = &failure.code {
            let _ = writeln!(md, "- **Error code:** `{}`", cell(code));
        }
        if let Some(id) = &failure.correlation_id {
            let _ = writeln!(md, "- **Correlation id:** `{}`", cell(id));
        }
        for detail in &failure.details {
            let _ = writeln!(md, "- {}", detail.replace('\n', " "));
        }
        let _ = writeln!(md, "\n**Next step:** {}", failure.next_step);
    }

    if !facts.plan.is_empty() {
        let _ = writeln!(md, "\n### Plan (dry run)\n");
        for (i, step) in facts.plan.iter().enumerate() {
            let _ = writeln!(md, "{}. {}", i + 1, step);
        }
    }

    if !facts.dependencies.is_empty() {
        let _ = writeln!(md, "\n### Dependencies\n");
        let _ = writeln!(
            md,
            "| Name | Id | Kind | State | Verdict |\n|---|---|---|---|---|"
        );
        for dep in &facts.dependencies {
            let kind = match dep.kind {
                DependencyKind::Flow => "flow",
                DependencyKind::Skill => "skill",
            };
            let source = if dep.discovered { " (discovered)" } else { "" };
            let verdict = match &dep.problem {
                None => "✅ ok".to_string(),
                Some(problem) => format!("❌ {}", cell(problem)),
            };
            let _ = writeln!(
                md,
                "| {} | `{}` | {kind}{source} | {} | {verdict} |",
                cell(dep.name.as_deref().unwrap_or("—")),
                dep.id,
                cell(&dep.state)
            );
        }
    }

    if let Some(smoke) = &facts.smoke {
        md.push_str(&smoke.render());
    }

    if !facts.phases.is_empty() {
        let _ = writeln!(md, "\n### Timeline\n");
        let _ = writeln!(
            md,
            "| Phase | Started at | Took | Result |\n|---|---|---|---|"
        );
        for phase in &facts.phases {
            let _ = writeln!(
                md,
                "| {} | +{} ms | {} ms | {} |",
                phase.name,
                phase.started_ms,
                phase.duration_ms,
                cell(&phase.result)
            );
        }
    }

    let _ = writeln!(md, "\n### Metrics\n");
    let _ = writeln!(
        md,
        "| Duration | API requests | Retries | Rate-limited (429) | Status reads | Waiting |\n|---|---|---|---|---|---|"
    );
    let _ = writeln!(
        md,
        "| {} ms | {} | {} | {} | {} | {} ms |",
        facts.duration_ms,
        facts.requests.requests,
        facts.requests.retries,
        facts.requests.rate_limited,
        facts.wait.polls,
        facts.wait.wait_ms
    );

    if let Some(channel) = &facts.wait_channel {
        let seen = match facts.decided_by {
            Some("push") => {
                " — the outcome arrived by push notification and was confirmed by one read"
            }
            Some(_) => " — the outcome was seen by a status read",
            None => "",
        };
        let _ = writeln!(md, "\nWaited by {}{seen}.", cell(channel));
    }

    if !facts.warnings.is_empty() {
        let _ = writeln!(md, "\n### Warnings\n");
        for warning in &facts.warnings {
            let _ = writeln!(md, "- ⚠️ {}", warning.replace('\n', " "));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::report::{DependencyCheck, Facts, Failure};
    use crate::pipeline::verdict::Verdict;

    #[test]
    fn escapes_table_cells() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }

    #[test]
    fn renders_a_failure_with_the_platform_details() {
        let mut facts = Facts::new("dep".into(), "bot".into(), "prod".into());
        facts.bot_name = Some("Billing".into());
        facts.target_version = Some("3.0".into());
        facts.previous_version = Some("2.0".into());
        facts.published_version = Some("2.0".into());
        facts.dependencies = vec![DependencyCheck {
            id: "s1".into(),
            name: Some("Billing | VIP".into()),
            kind: DependencyKind::Skill,
            state: "inactive".into(),
            problem: Some("is inactive, not active".into()),
            discovered: true,
        }];
        let report = Report {
            verdict: Verdict::failed_before_publish(Failure {
                title: "Publish failed".into(),
                message: "Genesys Cloud could not publish version 3.0: bad".into(),
                code: Some("FLOW_INVALID".into()),
                details: vec!["MISSING: skill (s1)".into()],
                correlation_id: Some("corr-1".into()),
                next_step: "Fix it.".into(),
            }),
            facts,
        };
        let md = render(&report);
        let nothing_chosen = Report {
            verdict: Verdict::failed_before_publish(Failure::default()),
            facts: Facts::new("dep".into(), String::new(), "prod".into()),
        };
        assert!(render(&nothing_chosen).starts_with("## ❌ Deployment of the bot to prod failed;"));
        assert!(md.starts_with("## ❌ Deployment of Billing 3.0 to prod failed; the previous version is still live\n"), "{md}");
        assert!(md.contains("| Status | **failed** (exit code 1) |"));
        assert!(md.contains("| Live version now | `2.0` |"));
        assert!(md.contains("- **Error code:** `FLOW_INVALID`"));
        assert!(md.contains("- **Correlation id:** `corr-1`"));
        assert!(md.contains("- MISSING: skill (s1)"));
        assert!(md.contains("**Next step:** Fix it."));
        assert!(md.contains("| Billing \\| VIP | `s1` | skill (discovered) | inactive | ❌ is inactive, not active |"));
    }
}
