//! A change made "in the UI" between two runs of a pipeline (flow-artifacts.md §4, drift): a
//! person checks out the flow, saves and checks in a new version, and publishes it at once.
//! The version is created by the user (`createdBy`), the flow's `publishedBy` becomes the user,
//! the history records `CHECKOUT`, `SAVE`, `CHECKIN` and, when the publish succeeds,
//! `PUBLISH`, and the publish operation (with `user`, no `client`) is pushed on
//! `v2.flows.{id}` like any publish. It takes the scenario's `publish_duration_ms`.
//! GUESS: no `touch_after_publish` follows it; a YAML change gets fresh NLU ids like an import.

use std::sync::Arc;
use std::time::Duration;

use crate::architect::configuration::VersionOrigin;
use crate::architect::operations::{Operation, Plan};
use crate::archy::document;
use crate::archy::play::ArchyBot;
use crate::bots::script::BotScript;
use crate::http::records::Actor;
use crate::scenario::{EntityRef, PublishBehaviour, VersionSpec};
use crate::state::State;

/// What the person puts in the new version.
// Built once per call and moved in: the size of the script variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum VersionContent {
    /// Archy YAML of the flow (its type and name).
    Yaml(String),
    /// A bot script.
    Bot(BotScript),
}

/// What a change in the UI did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiPublish {
    /// The version checked in and published.
    pub version: String,
    /// The publish operation's id.
    pub operation_id: String,
    /// When the check-in happened and the publish started, since the sandbox's epoch.
    pub started_at: Duration,
    /// Exactly when the publish succeeded.
    pub completed_at: Duration,
}

impl State {
    /// Checks in `content` as a new version by `user` and starts its publish: the operation's
    /// index and what happened. Refused (with why) for an unknown or deleted flow, a flow
    /// locked by someone else or busy, and content that does not fit the flow.
    pub(crate) fn ui_publish(
        &mut self,
        flow_id: &str,
        user: &EntityRef,
        content: VersionContent,
        now: Duration,
    ) -> Result<(usize, UiPublish), String> {
        let flow = self
            .flows
            .get(flow_id)
            .filter(|f| !f.deleted)
            .ok_or_else(|| format!("no flow {flow_id}"))?;
        let someone_else = flow.locked_user.as_ref().is_some_and(|u| u.id != user.id)
            || flow.locked_client.is_some();
        if someone_else {
            return Err(format!("{} is locked by someone else", flow.name));
        }
        let running = flow
            .current_operation
            .and_then(|i| self.operations.get(i))
            .is_some_and(|op| !op.complete_at(now));
        if running || self.import_busy(flow_id, now) {
            return Err(format!("an operation is in progress on {}", flow.name));
        }
        let (yaml, bot, doc) = match content {
            VersionContent::Yaml(text) => {
                if let Some(left) = document::placeholders(&text).first() {
                    return Err(format!("the placeholder {left} is left in the YAML"));
                }
                let doc = document::parse(&text)?;
                if doc.kind.flow_type() != flow.flow_type || doc.name != flow.name {
                    return Err(format!(
                        "the YAML describes the {} {:?}, not this {} {:?}",
                        doc.kind.top_key(),
                        doc.name,
                        flow.flow_type,
                        flow.name
                    ));
                }
                (Some(text), None, Some(doc.with_fresh_ids()))
            }
            VersionContent::Bot(script) => {
                script.validate()?;
                (None, Some(script), None)
            }
        };
        let version = flow.next_version_id();
        let duration = self.settings.publish_duration;
        let op = Operation::new(
            flow_id,
            &version,
            user.clone(),
            now,
            duration,
            Plan::Success {
                live: version.clone(),
            },
        )
        .by_user(user.clone());
        let operation_id = op.id.clone();
        self.operations.push(op);
        let index = self.operations.len() - 1;
        let Some(flow) = self.flows.get_mut(flow_id) else {
            return Err(format!("no flow {flow_id}"));
        };
        flow.versions.push(VersionSpec {
            id: version.clone(),
            name: None,
            duration_ms: None,
            publish: PublishBehaviour::Success,
            republish: None,
            outcomes: Vec::new(),
            consumes: Vec::new(),
            bot,
            refuse: None,
            configuration: None,
            yaml,
            created_by: None,
            created_by_client: None,
            calls: None,
        });
        let by = Actor::User(user.clone());
        flow.origins.insert(
            version.clone(),
            VersionOrigin {
                at: now,
                by: by.clone(),
            },
        );
        if let Some(doc) = doc {
            let played = ArchyBot::from_document(&doc);
            flow.archy_bots.insert(version.clone(), Arc::new(played));
            flow.documents.insert(version.clone(), doc);
        }
        flow.checked_in = Some(version.clone());
        flow.current_operation = Some(index);
        *flow.attempts.entry(version.clone()).or_insert(0) += 1;
        self.record_history(flow_id, "CHECKOUT", by.clone(), None, now);
        self.record_history(flow_id, "SAVE", by.clone(), Some(&version), now);
        self.record_history(flow_id, "CHECKIN", by, Some(&version), now);
        let done = UiPublish {
            version,
            operation_id,
            started_at: now,
            completed_at: now + duration,
        };
        Ok((index, done))
    }
}
