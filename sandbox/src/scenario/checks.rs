//! Whether a scenario holds together: unique ids, versions that exist, valid scripts, YAML
//! and calls.

use std::collections::HashSet;

use crate::scenario::{CallSpec, FlowSpec, PublishBehaviour, Scenario, ScenarioError, VersionSpec};

impl Scenario {
    /// Checks that ids are unique and every version a scenario names exists.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let invalid = |msg: String| Err(ScenarioError::Invalid(msg));
        unique("client", self.clients.iter().map(|c| c.id.as_str()))?;
        unique("flow", self.flows.iter().map(|f| f.id.as_str()))?;
        unique("skill", self.skills.iter().map(|s| s.id.as_str()))?;
        unique("queue", self.queues.iter().map(|q| q.id.as_str()))?;
        unique(
            "data action",
            self.data_actions.iter().map(|a| a.id.as_str()),
        )?;
        unique(
            "knowledge base",
            self.knowledge_bases.iter().map(|k| k.id.as_str()),
        )?;
        for client in &self.clients {
            if !(client.token_ttl_secs.is_finite() && client.token_ttl_secs > 0.0) {
                return invalid(format!("client {}: token_ttl_secs must be > 0", client.id));
            }
        }
        self.organization
            .validate()
            .map_err(ScenarioError::Invalid)?;
        for flow in &self.flows {
            unique("version", flow.versions.iter().map(|v| v.id.as_str()))?;
            if let Some(touch) = &flow.touch_after_publish {
                touch
                    .validate()
                    .map_err(|e| ScenarioError::Invalid(format!("flow {}: {e}", flow.id)))?;
            }
            let has = |v: &str| flow.versions.iter().any(|x| x.id == v);
            let named = [
                &flow.published_version,
                &flow.checked_in_version,
                &flow.saved_version,
            ];
            for v in named.into_iter().flatten() {
                if !has(v) {
                    return invalid(format!(
                        "flow {}: version {v:?} is not in versions",
                        flow.id
                    ));
                }
            }
            self.check_calls(flow)
                .map_err(|e| ScenarioError::Invalid(format!("flow {}: {e}", flow.id)))?;
            for version in &flow.versions {
                version
                    .validate()
                    .and_then(|()| version.check_yaml(flow))
                    .map_err(|e| {
                        ScenarioError::Invalid(format!(
                            "flow {} version {}: {e}",
                            flow.id, version.id
                        ))
                    })?;
                let behaviours = std::iter::once(&version.publish)
                    .chain(version.republish.iter())
                    .chain(version.outcomes.iter());
                for b in behaviours {
                    if let PublishBehaviour::LeavesOtherVersionLive { version: other } = b
                        && !has(other)
                    {
                        return invalid(format!(
                            "flow {} version {}: leaves_other_version_live names unknown \
                                 version {other:?}",
                            flow.id, version.id
                        ));
                    }
                }
            }
        }
        for (i, fault) in self.faults.iter().enumerate() {
            fault
                .validate()
                .map_err(|e| ScenarioError::Invalid(format!("faults[{i}]: {e}")))?;
        }
        self.notifications
            .validate()
            .map_err(|e| ScenarioError::Invalid(format!("notifications: {e}")))?;
        for (i, fault) in self.job_faults.iter().enumerate() {
            fault
                .validate()
                .map_err(|e| ScenarioError::Invalid(format!("job_faults[{i}]: {e}")))?;
        }
        Ok(())
    }
}

impl Scenario {
    /// A flow's calls (its own and its versions'): only a flow other than a bot flow calls
    /// bots, each a bot flow of the scenario, pinned to one of its versions or `latest`; a
    /// version with calls has no `actions` in its own configuration.
    fn check_calls(&self, flow: &FlowSpec) -> Result<(), String> {
        let per_version = flow.versions.iter().filter_map(|v| v.calls.as_ref());
        let all: Vec<&CallSpec> = flow.calls.iter().chain(per_version.flatten()).collect();
        if all.is_empty() {
            return Ok(());
        }
        if crate::archy::document::BotKind::of_flow_type(&flow.flow_type).is_some() {
            return Err("a bot flow calls no bot flows here".to_owned());
        }
        for call in all {
            let bot = self
                .flows
                .iter()
                .find(|f| f.id == call.bot)
                .filter(|f| crate::archy::document::BotKind::of_flow_type(&f.flow_type).is_some())
                .ok_or_else(|| format!("calls bot {:?}, which is no bot flow here", call.bot))?;
            if let Some(v) = call.pinned()
                && !bot.versions.iter().any(|x| x.id == v)
            {
                return Err(format!(
                    "calls version {v:?} of bot {:?}, which has no such version (or say \"latest\")",
                    call.bot
                ));
            }
        }
        for version in &flow.versions {
            let calls = version.calls.as_ref().unwrap_or(&flow.calls);
            let has_actions = version
                .configuration
                .as_ref()
                .is_some_and(|c| c.get("actions").is_some());
            if !calls.is_empty() && has_actions {
                return Err(format!(
                    "version {}: its configuration holds \"actions\", where the sandbox shows \
                     its calls",
                    version.id
                ));
            }
        }
        Ok(())
    }
}

impl VersionSpec {
    /// Checks the bot script's reasons, the refusal and the configuration.
    pub fn validate(&self) -> Result<(), String> {
        if self.created_by.is_some() && self.created_by_client.is_some() {
            return Err("give created_by or created_by_client, not both".to_owned());
        }
        if let Some(bot) = &self.bot {
            bot.validate().map_err(|e| format!("bot: {e}"))?;
        }
        if let Some(refuse) = &self.refuse {
            refuse.validate()?;
        }
        if let Some(configuration) = &self.configuration {
            crate::architect::configuration::check_scenario_content(configuration)?;
        }
        Ok(())
    }

    /// A `yaml` must be a bot flow document of the flow's type and name, with no `{{...}}`
    /// left in it, and excludes `bot`.
    fn check_yaml(&self, flow: &FlowSpec) -> Result<(), String> {
        let Some(text) = &self.yaml else {
            return Ok(());
        };
        if self.bot.is_some() {
            return Err("give either bot or yaml, not both".to_owned());
        }
        if let Some(left) = crate::archy::document::placeholders(text).first() {
            return Err(format!("yaml: the placeholder {left} is left in it"));
        }
        let doc = crate::archy::document::parse(text).map_err(|e| format!("yaml: {e}"))?;
        if !doc.kind.flow_type().eq_ignore_ascii_case(&flow.flow_type) {
            return Err(format!(
                "yaml: a {} document cannot be a version of a {} flow",
                doc.kind.top_key(),
                flow.flow_type
            ));
        }
        if doc.name != flow.name {
            return Err(format!(
                "yaml: the document names {:?}, the flow is {:?}",
                doc.name, flow.name
            ));
        }
        Ok(())
    }
}

fn unique<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), ScenarioError> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(ScenarioError::Invalid(format!(
                "duplicate {what} id {id:?}"
            )));
        }
    }
    Ok(())
}
