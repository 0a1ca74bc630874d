//! The Markdown job summary, leading with what matters: the end state in one headline; the
//! live and tried versions, status, duration and the Architect link on one line; why and
//! what next; warnings. Then the smoke test (failing conversations first), and folded: the
//! dependencies and the run's details. Every fact once, and nothing said about the live
//! version that was not read.

pub mod markdown;
pub mod release;
mod smoke;
mod timeline;

use super::report::{DependencyKind, Facts, Report};
use super::verdict::{Serving, Verdict};
use markdown::{cell, code, prose};
use std::fmt::Write;

/// The bot as a person names it: its name, else its id, else "the bot".
fn bot(facts: &Facts) -> String {
    facts
        .bot_name
        .clone()
        .or_else(|| (!facts.bot_id.is_empty()).then(|| facts.bot_id.clone()))
        .unwrap_or_else(|| "the bot".into())
}

/// What was live at the end, in a clause — only when the flow was read.
fn still_live(facts: &Facts) -> String {
    match &facts.published_version {
        Some(live) => format!("version {live} is live"),
        None => "nothing was published".into(),
    }
}

/// The end state in one line, its first word capitalised ("The bot was not deployed").
pub(crate) fn headline(report: &Report) -> String {
    let line = headline_text(report);
    match line.split_once(' ') {
        Some((emoji, rest)) => {
            let mut chars = rest.chars();
            let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
            format!("{emoji} {}{}", first.unwrap_or_default(), chars.as_str())
        }
        None => line,
    }
}

fn headline_text(report: &Report) -> String {
    let facts = &report.facts;
    let bot = bot(facts);
    let env = &facts.environment;
    let target = facts.target_version.as_deref();
    // "Billing 3.0", or just "Billing" when no version was ever chosen.
    let what = match target {
        Some(v) => format!("{bot} {v}"),
        None => bot.clone(),
    };
    let live = still_live(facts);
    match &report.verdict {
        Verdict::Published => format!(
            "✅ {bot} version {} is live in {env}",
            target.unwrap_or("?")
        ),
        Verdict::Unchanged => format!(
            "✅ {bot} version {} was already live in {env}: nothing published",
            target.unwrap_or("?")
        ),
        Verdict::DryRun => {
            format!("🧪 Dry run for {bot} in {env}: every check passed, nothing published")
        }
        Verdict::Failed {
            serving: Serving::AsBefore,
            ..
        } => format!("❌ {what} was not deployed to {env}; {live}"),
        Verdict::Failed { .. } => {
            format!(
                "🚨 Deployment of {what} to {env} failed, and the live version changed or is unknown"
            )
        }
        Verdict::RolledBack { .. } => {
            format!("↩️ {what} failed in {env} and was rolled back; {live}")
        }
        Verdict::RollbackFailed { .. } => {
            format!("🚨 {what} failed in {env} and the rollback failed")
        }
        Verdict::TimedOut {
            serving: Serving::AsBefore,
            ..
        } => format!("⏱️ {what} timed out in {env}; {live}"),
        Verdict::TimedOut { .. } => {
            format!("⏱️ Publish of {what} to {env} timed out; its outcome is unknown")
        }
        Verdict::Cancelled {
            serving: Serving::AsBefore,
            ..
        } => format!("🛑 Deployment of {what} to {env} was cancelled; {live}"),
        Verdict::Cancelled { .. } => {
            format!("🛑 Deployment of {what} to {env} was cancelled; the live version is unknown")
        }
    }
}

/// The one line under the headline: live and tried versions, status and exit, duration,
/// the Architect link.
fn at_a_glance(report: &Report) -> String {
    let facts = &report.facts;
    let mut parts = Vec::new();
    if let Some(live) = &facts.published_version {
        parts.push(format!("**Live:** {}", code(live)));
    }
    if let Some(target) = &facts.target_version {
        parts.push(format!("**Tried:** {}", code(target)));
    }
    parts.push(format!(
        "**Status:** {} (exit {})",
        code(report.status().as_str()),
        report.exit_code()
    ));
    parts.push(format!(
        "**Took:** {:.1} s",
        facts.duration_ms as f64 / 1000.0
    ));
    if let Some(url) = &facts.flow_url {
        parts.push(format!("[Open in Architect]({url})"));
    }
    parts.join(" · ")
}

/// Renders the summary.
pub fn render(report: &Report) -> String {
    let facts = &report.facts;
    let mut md = String::new();
    let _ = writeln!(md, "## {}\n", headline(report));
    let _ = writeln!(md, "{}\n", at_a_glance(report));
    if let Some(failure) = report.failure() {
        let _ = writeln!(
            md,
            "**Why:** {} — {}\n",
            cell(&failure.title),
            prose(&failure.message)
        );
        if !failure.details.is_empty() {
            for detail in &failure.details {
                let _ = writeln!(md, "- {}", cell(detail));
            }
            md.push('\n');
        }
        let mut ids = Vec::new();
        if let Some(code_) = &failure.code {
            ids.push(format!("error code {}", code(code_)));
        }
        if let Some(id) = &failure.correlation_id {
            ids.push(format!("correlation id {}", code(id)));
        }
        if !ids.is_empty() {
            let _ = writeln!(md, "Platform {}.\n", ids.join(", "));
        }
        let _ = writeln!(md, "**Next:** {}\n", prose(&failure.next_step));
    }
    if !facts.warnings.is_empty() {
        let _ = writeln!(md, "> [!WARNING]");
        for warning in &facts.warnings {
            let _ = writeln!(md, "> - {}", cell(warning));
        }
        md.push('\n');
    }
    if let Some(section) = release::section(facts) {
        md.push_str(&section);
    }
    if !facts.plan.is_empty() {
        let _ = writeln!(md, "### What a real run would do\n");
        for (i, step) in facts.plan.iter().enumerate() {
            let _ = writeln!(md, "{}. {}", i + 1, prose(step));
        }
        md.push('\n');
    }
    if let Some(report) = &facts.smoke {
        md.push_str(&smoke::render(report));
    }
    if let Some(chart) = timeline::render(report) {
        md.push_str(&chart);
    }
    render_dependencies(&mut md, facts);
    render_details(&mut md, report);
    md
}

/// The dependency table, folded; open when one of them cannot be used.
fn render_dependencies(md: &mut String, facts: &Facts) {
    if facts.dependencies.is_empty() {
        return;
    }
    let problems = facts
        .dependencies
        .iter()
        .filter(|d| d.problem.is_some())
        .count();
    let (open, verdict) = if problems == 0 {
        ("", "all usable".to_string())
    } else {
        (" open", format!("{problems} cannot be used"))
    };
    let _ = writeln!(
        md,
        "<details{open}><summary>Dependencies: {} checked, {verdict}</summary>\n",
        facts.dependencies.len()
    );
    let _ = writeln!(
        md,
        "| Name | Kind | State | Verdict | Id |\n|---|---|---|---|---|"
    );
    for dep in &facts.dependencies {
        let kind = dep.kind.as_str();
        let source = match (dep.discovered, dep.kind) {
            (false, _) => "",
            (true, DependencyKind::Flow | DependencyKind::Skill) => " (discovered)",
            (true, _) => " (in the flow file)",
        };
        let verdict = match &dep.problem {
            None => "✅ usable".to_string(),
            Some(problem) => format!("❌ {}", cell(problem)),
        };
        let _ = writeln!(
            md,
            "| {} | {kind}{source} | {} | {verdict} | {} |",
            cell(dep.name.as_deref().unwrap_or("(not found)")),
            cell(&dep.state),
            code(&dep.id),
        );
    }
    md.push_str("\n</details>\n\n");
}

/// Everything else, folded: ids, org, versions, timings and counters.
fn render_details(md: &mut String, report: &Report) {
    let facts = &report.facts;
    let mut rows: Vec<(&str, String)> = Vec::new();
    if !facts.bot_id.is_empty() {
        rows.push((
            "Bot",
            format!("{} {}", cell(&bot(facts)), code(&facts.bot_id)),
        ));
    }
    rows.push(("Environment", cell(&facts.environment)));
    if let Some(org) = &facts.org {
        let short = org
            .short_name
            .as_deref()
            .map(|s| format!(", short name {}", code(s)))
            .unwrap_or_default();
        rows.push((
            "Org",
            format!(
                "{} {}{short}",
                cell(org.name.as_deref().unwrap_or("(no name)")),
                code(&org.id)
            ),
        ));
    }
    if let Some(client) = facts.oauth_client.as_ref().and_then(|c| c.name.as_deref()) {
        rows.push(("OAuth client", cell(client)));
    }
    if let Some(previous) = &facts.previous_version {
        rows.push(("Rollback target", code(previous)));
    }
    if let Some(op) = &facts.operation_id {
        rows.push(("Publish operation", code(op)));
    }
    if let Some(channel) = &facts.wait_channel {
        let seen = match facts.decided_by {
            Some("push") => "; the outcome came by push and was confirmed by one read",
            Some(_) => "; the outcome was seen by a status read",
            None => "",
        };
        rows.push(("Waited by", format!("{}{seen}", cell(channel))));
    }
    let requests = &facts.requests;
    rows.push((
        "Requests",
        format!(
            "{} ({} retried, {} rate-limited), {} status read(s){}",
            requests.requests,
            requests.retries,
            requests.rate_limited,
            facts.wait.polls,
            match facts.wait.job_reads {
                0 => String::new(),
                reads => format!(", {reads} job read(s)"),
            }
        ),
    ));
    let phases: Vec<String> = facts
        .phases
        .iter()
        .map(|p| {
            format!(
                "{} {:.1} s ({})",
                p.name,
                p.duration_ms as f64 / 1000.0,
                cell(&p.result)
            )
        })
        .collect();
    if !phases.is_empty() {
        rows.push(("Phases", phases.join(" → ")));
    }
    rows.push(("Deployment id", code(&facts.deployment_id)));
    if let Some(path) = &facts.audit_log {
        rows.push(("Audit trail", code(path)));
    }
    let _ = writeln!(md, "<details><summary>Run details</summary>\n");
    let _ = writeln!(md, "| Detail | Value |\n|---|---|");
    for (name, value) in rows {
        let _ = writeln!(md, "| {name} | {value} |");
    }
    md.push_str("\n</details>\n");
}

#[cfg(test)]
mod tests;
