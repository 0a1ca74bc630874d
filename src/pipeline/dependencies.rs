//! The dependency check: the flows and skills the workflow lists, plus what dependency
//! tracking says the target version consumes, looked up in bulk. A dependency is usable
//! only when it is present and active (skills) or present, not deleted and published
//! (flows); a 401/403/429/5xx is an error, never a pass.

use super::report::{DependencyCheck, DependencyKind, Failure};
use super::{Deployment, Plan, Step, Verdict};
use crate::audit::{Entry, Event};
use crate::genesys::ApiError;
use crate::genesys::models::{Dependency, Flow, Skill};
use serde_json::json;

/// Resource types asked of dependency tracking: skills and the flow types a bot can call.
pub(crate) const TRACKED_RESOURCE_TYPES: &[&str] =
    &["ACDSKILL", "BOTFLOW", "DIGITALBOTFLOW", "COMMONMODULEFLOW"];

/// An id to check, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The id.
    pub id: String,
    /// Found by dependency tracking rather than listed by the workflow.
    pub discovered: bool,
}

/// Splits discovered resources into flows and skills, leaving out the bot itself.
pub(crate) fn split_discovered(found: &[Dependency], bot_id: &str) -> (Vec<String>, Vec<String>) {
    let mut flows = Vec::new();
    let mut skills = Vec::new();
    for dep in found.iter().filter(|d| !d.id.eq_ignore_ascii_case(bot_id)) {
        match dep
            .resource_type
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("ACDSKILL") => skills.push(dep.id.to_ascii_lowercase()),
            Some(t) if t.ends_with("FLOW") => flows.push(dep.id.to_ascii_lowercase()),
            _ => {}
        }
    }
    (flows, skills)
}

/// Merges listed and discovered ids, listed first, without duplicates.
pub(crate) fn merge(listed: &[String], discovered: &[String]) -> Vec<Wanted> {
    let mut all: Vec<Wanted> = listed
        .iter()
        .map(|id| Wanted {
            id: id.clone(),
            discovered: false,
        })
        .collect();
    for id in discovered {
        if !all.iter().any(|w| &w.id == id) {
            all.push(Wanted {
                id: id.clone(),
                discovered: true,
            });
        }
    }
    all
}

/// Judges every wanted flow against what the platform returned.
pub(crate) fn judge_flows(wanted: &[Wanted], found: &[Flow]) -> Vec<DependencyCheck> {
    wanted
        .iter()
        .map(|w| {
            let flow = found.iter().find(|f| f.id.eq_ignore_ascii_case(&w.id));
            let (state, problem) = match flow {
                None => ("missing".to_string(), Some("not found".to_string())),
                Some(f) if f.deleted => ("deleted".into(), Some("deleted".into())),
                Some(f) => match f.published_id() {
                    None => (
                        "unpublished".into(),
                        Some("has no published version".into()),
                    ),
                    Some(v) => (format!("published {v}"), None),
                },
            };
            DependencyCheck {
                id: w.id.clone(),
                name: flow.and_then(|f| f.name.clone()),
                kind: DependencyKind::Flow,
                state,
                problem,
                discovered: w.discovered,
            }
        })
        .collect()
}

/// Judges every wanted skill: only `active` passes.
pub(crate) fn judge_skills(wanted: &[Wanted], found: &[Skill]) -> Vec<DependencyCheck> {
    wanted
        .iter()
        .map(|w| {
            let skill = found.iter().find(|s| s.id.eq_ignore_ascii_case(&w.id));
            let state = match skill {
                None => "missing".to_string(),
                Some(s) => s
                    .state
                    .clone()
                    .unwrap_or_else(|| "unknown".into())
                    .to_ascii_lowercase(),
            };
            let problem = match state.as_str() {
                "active" => None,
                "missing" => Some("not found".to_string()),
                other => Some(format!("is {other}, not active")),
            };
            DependencyCheck {
                id: w.id.clone(),
                name: skill.and_then(|s| s.name.clone()),
                kind: DependencyKind::Skill,
                state,
                problem,
                discovered: w.discovered,
            }
        })
        .collect()
}

/// One line per unusable dependency, for `validation-errors` and the annotation.
pub fn problems(checks: &[DependencyCheck]) -> Vec<String> {
    checks
        .iter()
        .filter_map(|c| {
            let kind = c.kind.as_str();
            let who = match &c.name {
                // A reference missing from the org has a name and no id.
                Some(name) if c.id.is_empty() => format!("{kind} \"{name}\""),
                Some(name) => format!("{kind} \"{name}\" ({})", c.id),
                None => format!("{kind} {}", c.id),
            };
            c.problem.as_ref().map(|p| format!("{who} {p}"))
        })
        .collect()
}

impl Deployment<'_> {
    /// Runs the dependency check for the plan's target version.
    pub(super) async fn check_dependencies(&mut self, plan: &Plan) -> Step<()> {
        let (mut found_flows, mut found_skills) = (Vec::new(), Vec::new());
        if self.config.discover_dependencies {
            let discovered = self
                .client
                .consumed_resources(
                    &self.config.bot_id,
                    &plan.target,
                    plan.object_type,
                    TRACKED_RESOURCE_TYPES,
                )
                .await;
            match discovered {
                Ok(deps) => {
                    (found_flows, found_skills) = split_discovered(&deps, &self.config.bot_id)
                }
                Err(error) => {
                    return Err(self.dependency_error(&plan.target, "dependency tracking", &error));
                }
            }
        }
        self.check_listed(&found_flows, &found_skills, Vec::new(), &plan.target)
            .await
    }

    /// Checks the workflow's `flow-ids` and `skill-ids` with the discovered ones, in bulk,
    /// and records the verdict on them and on `more` (checked by the caller) for `version`.
    pub(super) async fn check_listed(
        &mut self,
        found_flows: &[String],
        found_skills: &[String],
        more: Vec<DependencyCheck>,
        version: &str,
    ) -> Step<()> {
        let flows = merge(&self.config.flow_ids, found_flows);
        let skills = merge(&self.config.skill_ids, found_skills);
        let flow_ids: Vec<String> = flows.iter().map(|w| w.id.clone()).collect();
        let skill_ids: Vec<String> = skills.iter().map(|w| w.id.clone()).collect();
        let client = self.client.clone();
        let (flow_answer, skill_answer) = tokio::join!(
            async {
                if flow_ids.is_empty() {
                    Ok(Vec::new())
                } else {
                    client.get_flows(&flow_ids).await
                }
            },
            async {
                if skill_ids.is_empty() {
                    Ok(Vec::new())
                } else {
                    client.get_skills(&skill_ids).await
                }
            },
        );
        let found_flows = match flow_answer {
            Ok(found) => found,
            Err(error) => return Err(self.dependency_error(version, "flows", &error)),
        };
        let found_skills = match skill_answer {
            Ok(found) => found,
            Err(error) => return Err(self.dependency_error(version, "skills", &error)),
        };
        let mut checks = judge_flows(&flows, &found_flows);
        checks.extend(judge_skills(&skills, &found_skills));
        let named = more.len();
        checks.extend(more);
        let problems = problems(&checks);
        let counts = json!({
            "flows": flows.len(),
            "skills": skills.len(),
            "discovered": flows.iter().chain(&skills).filter(|w| w.discovered).count(),
            "named_in_flow_file": named,
        });
        self.facts.dependencies = checks;
        if problems.is_empty() {
            self.audit.record(Entry {
                event: Event::DependencyValidationPassed,
                version: Some(version),
                status: "passed",
                details: Some(counts),
                correlation_id: None,
            });
            return Ok(());
        }
        self.audit.record(Entry {
            event: Event::DependencyValidationFailed,
            version: Some(version),
            status: "failed",
            details: Some(json!({ "checked": counts, "problems": problems })),
            correlation_id: None,
        });
        self.facts.validation_errors = problems.clone();
        let failure = Failure {
            title: "Dependency check failed".into(),
            message: format!("{} of the bot's dependencies cannot be used: {}", problems.len(), problems.join("; ")),
            details: problems,
            next_step: "Activate or restore the skills and publish the flows listed, create what the flow file names in this org (or fix its substitutions), or fix flow-ids/skill-ids; nothing was published.".into(),
            ..Failure::default()
        };
        Err(Verdict::failed_before_publish(failure))
    }

    pub(super) fn dependency_error(
        &mut self,
        version: &str,
        what: &str,
        error: &ApiError,
    ) -> Verdict {
        // 404 from dependency tracking: it does not know this flow or version (yet) —
        // `architect.dependency.object.not.found` / `architect.flow.version.missing`.
        let unknown_version = what == "dependency tracking" && error.status() == Some(404);
        self.audit.record(Entry {
            event: Event::DependencyValidationError,
            version: Some(version),
            status: "error",
            details: Some(json!({ "lookup": what, "error": error.to_string() })),
            correlation_id: error.correlation_id(),
        });
        if unknown_version {
            return Verdict::failed_before_publish(Failure {
                next_step: "Dependency tracking indexes a version some time after it is checked in: run again in a few minutes, or set discover-dependencies: false and list flow-ids and skill-ids yourself. Nothing was published.".into(),
                ..Failure::from_api(
                    "Dependency check could not run",
                    &format!(
                        "dependency tracking has no record of version {version} of the bot, so what it uses is unproven",
                    ),
                    error,
                    "",
                )
            });
        }
        Verdict::failed_before_publish(Failure::from_api(
            "Dependency check could not run",
            &format!("looking up {what} failed, so the dependencies are unproven"),
            error,
            "Retry the workflow; nothing was published.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::models::VersionRef;

    fn wanted(ids: &[&str]) -> Vec<Wanted> {
        ids.iter()
            .map(|id| Wanted {
                id: id.to_string(),
                discovered: false,
            })
            .collect()
    }

    #[test]
    fn a_reference_missing_from_the_org_is_named_without_an_empty_id() {
        let checks = [DependencyCheck {
            id: String::new(),
            name: Some("Appointments".into()),
            kind: DependencyKind::Queue,
            state: "missing".into(),
            problem: Some("does not exist in this org".into()),
            discovered: true,
        }];
        assert_eq!(
            problems(&checks),
            ["queue \"Appointments\" does not exist in this org"]
        );
    }

    #[test]
    fn skills_must_be_present_and_active() {
        let found = vec![
            Skill {
                id: "a".into(),
                name: Some("Billing".into()),
                state: Some("active".into()),
            },
            Skill {
                id: "b".into(),
                name: Some("Old".into()),
                state: Some("inactive".into()),
            },
            Skill {
                id: "c".into(),
                name: Some("Gone".into()),
                state: Some("deleted".into()),
            },
        ];
        let checks = judge_skills(&wanted(&["a", "b", "c", "d"]), &found);
        assert_eq!(
            problems(&checks),
            [
                "skill \"Old\" (b) is inactive, not active",
                "skill \"Gone\" (c) is deleted, not active",
                "skill d not found",
            ]
        );
        assert_eq!(checks[0].state, "active");
    }

    #[test]
    fn flows_must_be_present_undeleted_and_published() {
        let published = Some(VersionRef {
            id: "4.0".into(),
            name: None,
            ..Default::default()
        });
        let found = vec![
            Flow {
                id: "a".into(),
                name: Some("Common".into()),
                published_version: published.clone(),
                ..Flow::default()
            },
            Flow {
                id: "b".into(),
                name: Some("Draft".into()),
                ..Flow::default()
            },
            Flow {
                id: "c".into(),
                name: Some("Old".into()),
                deleted: true,
                published_version: published,
                ..Flow::default()
            },
        ];
        let checks = judge_flows(&wanted(&["a", "b", "c", "d"]), &found);
        assert_eq!(
            problems(&checks),
            [
                "flow \"Draft\" (b) has no published version",
                "flow \"Old\" (c) deleted",
                "flow d not found",
            ]
        );
        assert_eq!(checks[0].state, "published 4.0");
    }

    #[test]
    fn discovered_resources_split_by_type_without_the_bot() {
        let dep = |id: &str, t: &str| Dependency {
            id: id.into(),
            resource_type: Some(t.into()),
            ..Dependency::default()
        };
        let found = [
            dep("S1", "ACDSKILL"),
            dep("f1", "COMMONMODULEFLOW"),
            dep("bot", "DIGITALBOTFLOW"),
            dep("q", "QUEUE"),
        ];
        let (flows, skills) = split_discovered(&found, "BOT");
        assert_eq!(flows, ["f1"]);
        assert_eq!(skills, ["s1"]);
    }

    #[test]
    fn merging_keeps_listed_first_and_drops_duplicates() {
        let merged = merge(&["a".into(), "b".into()], &["b".into(), "c".into()]);
        let shown: Vec<(&str, bool)> = merged
            .iter()
            .map(|w| (w.id.as_str(), w.discovered))
            .collect();
        assert_eq!(shown, [("a", false), ("b", false), ("c", true)]);
    }
}
