//! The flow file's part of the summary (SPEC rules 15 and 16): the release's identity, the
//! backup, the import, drift; and for a dry run the plan — what the file changes in the
//! bot, whom a publish reaches, what blocks it — which is also the plan file a workflow
//! posts on the pull request.

use super::markdown::{cell, code, prose};
use crate::pipeline::report::{Caller, Facts, ReleaseFacts};
use std::fmt::Write;

/// The hidden first line of a plan file: a workflow finds its own comment by it, one per bot
/// and environment, and updates it on every push.
pub fn plan_marker(bot_id: &str, environment: &str) -> String {
    format!(
        "<!-- genesys-bot-deploy plan: bot={bot_id} environment={} -->",
        cell(environment)
    )
}

/// The release section of the job summary; `None` without a flow file.
pub fn section(facts: &Facts) -> Option<String> {
    let release = facts.release.as_ref()?;
    let mut md = String::new();
    let _ = writeln!(md, "### Release\n");
    identity_lines(&mut md, facts, release);
    if let Some((state, detail)) = &release.identity {
        let line = match (state.as_str(), detail) {
            ("verified", _) => {
                "✅ verified: the live version's export is what was imported".to_string()
            }
            ("differs", Some(path)) => format!("⚠️ differs from the file, first at {}", code(path)),
            (_, Some(why)) => format!("❔ unverifiable: {}", prose(why)),
            (state, None) => cell(state),
        };
        let _ = writeln!(md, "- **Identity:** {line}");
    }
    if let Some(backup) = &release.backup {
        let _ = writeln!(
            md,
            "- **Backup:** version {} in {} (export job {})",
            code(&backup.version),
            code(&backup.file),
            code(&backup.job_id)
        );
    }
    if let Some(job) = &release.import_job {
        let _ = writeln!(md, "- **Import job:** {}", code(job));
    }
    md.push('\n');
    if !release.import_messages.is_empty() {
        let _ = writeln!(md, "**What the import job said:**\n");
        for message in &release.import_messages {
            let _ = writeln!(md, "- {}", cell(message));
        }
        md.push('\n');
    }
    plan_sections(&mut md, facts, release);
    Some(md)
}

/// File, digests, drift and substitutions, one bullet each.
fn identity_lines(md: &mut String, facts: &Facts, release: &ReleaseFacts) {
    let _ = writeln!(
        md,
        "- **File:** {} · file digest {} (the same in every environment) · release digest {}",
        code(&release.file),
        code(short(&release.file_digest)),
        code(short(&release.release_digest))
    );
    if !release.substitutions.is_empty() {
        let shown: Vec<String> = release
            .substitutions
            .iter()
            .map(|(key, value)| format!("{} = {}", code(key), code(value)))
            .collect();
        let _ = writeln!(md, "- **Substitutions:** {}", shown.join(", "));
    }
    if let Some((state, detail)) = &release.drift {
        let line = match (state.as_str(), detail) {
            ("none", _) if facts.previous_version.is_none() => {
                "none: nothing was live before this run".to_string()
            }
            ("none", _) => {
                "none: the live version was made by this pipeline, or is this release".to_string()
            }
            ("detected", Some(by)) => format!("⚠️ detected: {}", prose(by)),
            (_, Some(why)) => format!("❔ unknown: {}", prose(why)),
            (state, None) => cell(state),
        };
        let _ = writeln!(md, "- **Drift:** {line}");
    }
}

/// Undoes the one-line quoting of a change (`flowfile::change`): `\n` is a line break and
/// `\\` a backslash.
fn with_line_breaks(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push('\\');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// `sha256:` and the first 12 hex digits.
fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

/// What the file changes, who gets it, and what blocks it (a dry run's plan).
fn plan_sections(md: &mut String, facts: &Facts, release: &ReleaseFacts) {
    if !release.changes.is_empty() {
        let _ = writeln!(md, "#### What the file changes in the live bot\n");
        for change in &release.changes {
            // The plan quotes file text on one line: show its line breaks as breaks.
            let _ = writeln!(md, "- {}", cell(&with_line_breaks(change)));
        }
        md.push('\n');
    }
    if facts.plan.is_empty() {
        return;
    }
    callers_table(md, &release.callers);
    let blocking: Vec<String> = facts
        .dependencies
        .iter()
        .filter_map(|d| {
            let problem = d.problem.as_ref()?;
            Some(format!(
                "{} {} {}",
                d.kind.as_str(),
                cell(d.name.as_deref().unwrap_or(&d.id)),
                cell(problem)
            ))
        })
        .chain(
            release
                .drift
                .iter()
                .filter(|(state, _)| state == "detected")
                .map(|(_, by)| {
                    format!(
                        "drift: {} (set accept-drift: true to replace it)",
                        cell(
                            by.as_deref()
                                .unwrap_or("the live version was changed outside this pipeline")
                        )
                    )
                }),
        )
        .collect();
    if !blocking.is_empty() {
        let _ = writeln!(md, "#### ⛔ Blocking: a real run would stop here\n");
        for line in blocking {
            let _ = writeln!(md, "- {line}");
        }
        md.push('\n');
    }
}

/// The flows that call the bot: the ones taking the latest version get this publish.
fn callers_table(md: &mut String, callers: &[Caller]) {
    let _ = writeln!(md, "#### Who gets this version\n");
    if callers.is_empty() {
        let _ = writeln!(
            md,
            "No published flow calls the bot (dependency tracking lists none): it is reached directly, e.g. from a messaging deployment.\n"
        );
        return;
    }
    let _ = writeln!(
        md,
        "| Calling flow | Type | Calls | Gets this publish |\n|---|---|---|---|"
    );
    for caller in callers {
        let (calls, gets) = match caller.pins.as_deref() {
            None => ("the latest version".to_string(), "✅ yes"),
            Some("unknown") => ("unknown".to_string(), "❔ its configuration does not say"),
            Some(version) => (format!("version {}", code(version)), "❌ no: pinned"),
        };
        let _ = writeln!(
            md,
            "| {} {} | {} | {calls} | {gets} |",
            cell(&caller.name),
            code(&caller.id),
            cell(&caller.flow_type)
        );
    }
    md.push('\n');
}

/// The plan file: a marker for the pull request comment, a headline, the release, the plan
/// sections and the steps a real run would take.
pub fn plan_file(
    facts: &Facts,
    bot_id: &str,
    file: &str,
    changes: &[String],
    callers: &[Caller],
) -> String {
    let mut release = facts.release.clone().unwrap_or_default();
    release.changes = changes.to_vec();
    release.callers = callers.to_vec();
    let bot = facts.bot_name.clone().unwrap_or_else(|| bot_id.to_string());
    let mut md = String::new();
    let _ = writeln!(md, "{}", plan_marker(bot_id, &facts.environment));
    let _ = writeln!(
        md,
        "## Plan: {} in {} from {}\n",
        cell(&bot),
        cell(&facts.environment),
        code(file)
    );
    if let Some(live) = &facts.published_version {
        let _ = writeln!(md, "Live now: version {}.\n", code(live));
    }
    identity_lines(&mut md, facts, &release);
    md.push('\n');
    plan_sections(&mut md, facts, &release);
    let _ = writeln!(md, "#### What a real run would do\n");
    for (i, step) in facts.plan.iter().enumerate() {
        let _ = writeln!(md, "{}. {}", i + 1, prose(step));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_line_breaks_become_breaks_and_a_real_backslash_n_stays() {
        assert_eq!(
            with_line_breaks(r#"added: "Bye\nfor now""#),
            "added: \"Bye\nfor now\""
        );
        assert_eq!(
            with_line_breaks(r#"added: "C:\\new\nline""#),
            "added: \"C:\\new\nline\""
        );
    }

    #[test]
    fn drift_none_says_whether_anything_was_live() {
        let facts = |previous: Option<&str>| Facts {
            previous_version: previous.map(str::to_string),
            release: Some(ReleaseFacts {
                drift: Some(("none".into(), None)),
                ..ReleaseFacts::default()
            }),
            ..Facts::new("d".into(), "b".into(), "prod".into())
        };
        let first = section(&facts(None)).expect("a release section");
        assert!(
            first.contains("- **Drift:** none: nothing was live before this run\n"),
            "{first}"
        );
        let later = section(&facts(Some("1.0"))).expect("a release section");
        assert!(
            later.contains(
                "- **Drift:** none: the live version was made by this pipeline, or is this release\n"
            ),
            "{later}"
        );
    }
}
