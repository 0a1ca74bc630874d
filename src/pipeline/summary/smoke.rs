//! The smoke test's section: failing conversations first, each with its turns; passing ones
//! folded.

use super::markdown::{cell, code};
use crate::smoke::SmokeReport;
use crate::smoke::report::{ConversationResult, Outcome, Verdict};
use std::fmt::Write;

/// The section.
pub fn render(report: &SmokeReport) -> String {
    let mut md = String::new();
    let total = report.conversations.len();
    let failed: Vec<&ConversationResult> = report.failures().collect();
    let passed: Vec<&ConversationResult> =
        report.conversations.iter().filter(|c| c.passed()).collect();
    let title = match (failed.len(), report.broken().is_some()) {
        (0, _) => format!("✅ all {total} conversation(s) passed"),
        (n, true) => format!("❌ {n} of {total} conversation(s) failed or could not run"),
        (n, false) => format!("❌ {n} of {total} conversation(s) failed"),
    };
    let _ = writeln!(md, "### Smoke test: {title}\n");
    let _ = writeln!(md, "From {}.\n", code(&report.file));
    for conversation in &failed {
        let _ = writeln!(
            md,
            "#### ❌ {} ({} ms)\n",
            cell(&conversation.name),
            conversation.duration_ms
        );
        if let Outcome::Broken { error, .. } = &conversation.outcome {
            let _ = writeln!(md, "**Could not run:** {}\n", cell(&error.error));
            if let Some(hint) = &error.hint {
                let _ = writeln!(md, "{}\n", cell(hint));
            }
        }
        turns(&mut md, conversation);
    }
    if !passed.is_empty() {
        let names: Vec<String> = passed.iter().map(|c| cell(&c.name)).collect();
        let _ = writeln!(
            md,
            "<details><summary>✅ {} passed: {}</summary>\n",
            passed.len(),
            names.join(", ")
        );
        for conversation in &passed {
            let _ = writeln!(
                md,
                "#### {} ({} ms)\n",
                cell(&conversation.name),
                conversation.duration_ms
            );
            turns(&mut md, conversation);
        }
        md.push_str("</details>\n\n");
    }
    md
}

/// A conversation's turns as a table.
fn turns(md: &mut String, conversation: &ConversationResult) {
    let _ = writeln!(
        md,
        "| Turn | User said | Expected | Bot answered | Verdict |\n|---|---|---|---|---|"
    );
    for (i, turn) in conversation.turns.iter().enumerate() {
        let verdict = match &turn.verdict {
            Verdict::Passed => "✅".to_string(),
            Verdict::Failed(why) => format!("❌ {}", cell(why)),
            Verdict::NotRun => "not run".to_string(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {verdict} |",
            i + 1,
            cell(turn.said.as_deref().unwrap_or("(opening)")),
            cell(&turn.expected),
            cell(turn.answer.as_deref().unwrap_or("(no answer)")),
        );
    }
    md.push('\n');
}
