//! A Mermaid timeline where it helps: a failed run that put the new version live for a
//! while (about ten seconds or more) shows how long customers had it.

use crate::pipeline::report::Report;
use crate::pipeline::verdict::Verdict;
use std::fmt::Write;

/// Runs shorter than this get no chart: a table says it as well.
const WORTH_A_CHART_MS: u64 = 10_000;

/// The chart, for a rolled-back (or not rolled-back) run whose target went live.
pub fn render(report: &Report) -> Option<String> {
    if !matches!(
        report.verdict,
        Verdict::RolledBack { .. } | Verdict::RollbackFailed { .. }
    ) || report.facts.duration_ms < WORTH_A_CHART_MS
    {
        return None;
    }
    let facts = &report.facts;
    let phase = |name: &str| facts.phases.iter().find(|p| p.name == name);
    let live_from = phase("wait").map(|p| p.started_ms + p.duration_ms)?;
    let rollback = phase("rollback")?;
    let live_until = rollback.started_ms + rollback.duration_ms;
    let target = facts.target_version.as_deref().unwrap_or("target");
    let previous = facts.previous_version.as_deref().unwrap_or("previous");
    let back = matches!(report.verdict, Verdict::RolledBack { .. });
    let mut md = String::new();
    let _ = writeln!(
        md,
        "### Customers had {target} for {:.1} s\n",
        live_until.saturating_sub(live_from) as f64 / 1000.0
    );
    md.push_str("```mermaid\ngantt\n  dateFormat x\n  axisFormat %M:%S\n  section Live version\n");
    let _ = writeln!(md, "  {previous} : done, 0, {live_from}");
    let _ = writeln!(md, "  {target} : crit, {live_from}, {live_until}");
    if back {
        let _ = writeln!(
            md,
            "  {previous} again : done, {live_until}, {}",
            facts.duration_ms.max(live_until + 1)
        );
    }
    md.push_str("```\n\n");
    Some(md)
}
