//! A flow as the sandbox keeps it: its versions, who made and published them, what it calls,
//! and the Archy YAML of its versions.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::architect::configuration::{VersionOrigin, effective_script};
use crate::archy::document::{self, ArchyDocument};
use crate::archy::play::ArchyBot;
use crate::http::records::{Actor, HistoryRecord};
use crate::scenario::{
    CallSpec, EntityRef, PublishBehaviour, RepublishMode, TouchAfterPublish, VersionSpec,
};

/// `3.0` → (3, 0), for ordering version ids; other ids sort first.
pub(crate) fn version_order(id: &str) -> (u64, u64) {
    let mut parts = id.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// A flow as it is now.
#[derive(Debug, Clone)]
pub(crate) struct FlowState {
    pub id: String,
    pub name: String,
    pub flow_type: String,
    pub description: Option<String>,
    pub deleted: bool,
    pub locked_user: Option<EntityRef>,
    pub locked_client: Option<EntityRef>,
    pub published: Option<String>,
    pub checked_in: Option<String>,
    pub saved: Option<String>,
    pub versions: Vec<VersionSpec>,
    /// What publishing a version that was live before does.
    pub republish_mode: RepublishMode,
    /// Someone else's operation after every publish.
    pub touch: Option<TouchAfterPublish>,
    /// When and by whom versions created while the sandbox runs were made (the scenario's
    /// own are absent: made at the epoch by the scenario's author).
    pub origins: HashMap<String, VersionOrigin>,
    /// Index into `State::operations`.
    pub current_operation: Option<usize>,
    /// Publishes asked for, per version (selects `outcomes[n]`).
    pub attempts: HashMap<String, usize>,
    /// Versions that have been live at some time (selects `republish`).
    pub ever_live: HashSet<String>,
    /// When each version last went live / stopped being live (for `datePublished[End]`).
    pub date_published: HashMap<String, Duration>,
    pub date_published_end: HashMap<String, Duration>,
    /// Versions' Archy YAML as the platform keeps it: `yaml` versions (the scenario's and
    /// imports') and, once exported, the YAML generated for the others.
    pub documents: HashMap<String, ArchyDocument>,
    /// The bots `yaml` versions play in sessions.
    pub archy_bots: HashMap<String, Arc<ArchyBot>>,
    /// Who published the live version.
    pub published_by: Option<Actor>,
    /// The bot flows the flow's versions call, unless a version says otherwise.
    pub calls: Vec<CallSpec>,
}

impl FlowState {
    /// A flow with no versions, unlocked, not deleted.
    pub fn blank(id: &str, name: &str, flow_type: &str, republish_mode: RepublishMode) -> Self {
        FlowState {
            id: id.to_owned(),
            name: name.to_owned(),
            flow_type: flow_type.to_ascii_uppercase(),
            description: None,
            deleted: false,
            locked_user: None,
            locked_client: None,
            published: None,
            checked_in: None,
            saved: None,
            versions: Vec::new(),
            republish_mode,
            touch: None,
            origins: HashMap::new(),
            current_operation: None,
            attempts: HashMap::new(),
            ever_live: HashSet::new(),
            date_published: HashMap::new(),
            date_published_end: HashMap::new(),
            documents: HashMap::new(),
            archy_bots: HashMap::new(),
            published_by: None,
            calls: Vec::new(),
        }
    }

    /// When and by whom a version was made.
    pub fn origin(&self, spec: &VersionSpec) -> VersionOrigin {
        self.origins
            .get(&spec.id)
            .cloned()
            .unwrap_or_else(|| VersionOrigin::scenario(spec))
    }

    /// The calls a version makes.
    pub fn calls_of<'a>(&'a self, spec: &'a VersionSpec) -> &'a [CallSpec] {
        spec.calls.as_deref().unwrap_or(&self.calls)
    }

    /// The history a scenario's flow starts with, at the epoch: `CREATE`, a `CHECKIN` per
    /// version, `PUBLISH` of the live one, `DELETE` of a deleted flow.
    pub(super) fn initial_history(&self) -> Vec<HistoryRecord> {
        let entry = |action: &str, actor: Actor, version: Option<&str>| HistoryRecord {
            flow_id: self.id.clone(),
            action: action.to_owned(),
            actor,
            version: version.map(str::to_owned),
            at: Duration::ZERO,
        };
        let author = Actor::User(crate::architect::configuration::scenario_author());
        let creator = self
            .versions
            .first()
            .map_or_else(|| author.clone(), |v| self.origin(v).by);
        let mut all = vec![entry("CREATE", creator, None)];
        all.extend(
            self.versions
                .iter()
                .map(|v| entry("CHECKIN", self.origin(v).by, Some(&v.id))),
        );
        if let (Some(live), Some(by)) = (&self.published, &self.published_by) {
            all.push(entry("PUBLISH", by.clone(), Some(live)));
        }
        if self.deleted {
            all.push(entry("DELETE", author, None));
        }
        all
    }

    /// Reads the `yaml` of every version that has one (the scenario checked them).
    pub(super) fn read_documents(&mut self) {
        for spec in &self.versions {
            let Some(doc) = spec.yaml.as_deref().and_then(|y| document::parse(y).ok()) else {
                continue;
            };
            let bot = ArchyBot::from_document(&doc);
            self.archy_bots.insert(spec.id.clone(), Arc::new(bot));
            self.documents.insert(spec.id.clone(), doc);
        }
    }

    pub fn version(&self, id: &str) -> Option<&VersionSpec> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// Makes `version` the published one, stamping the publish dates and the publisher.
    pub fn go_live(&mut self, version: &str, at: Duration, by: Actor) {
        self.published_by = Some(by);
        if let Some(old) = self.published.take()
            && old != version
        {
            self.date_published_end.insert(old, at);
        }
        self.date_published.insert(version.to_owned(), at);
        self.date_published_end.remove(version);
        self.ever_live.insert(version.to_owned());
        self.published = Some(version.to_owned());
    }

    /// The id a republish in `new_version` mode gives its copy: the next whole number after
    /// the highest numeric major version (`"4.0"` after `"3.0"`), as version numbers grow on the
    /// real platform (genesys-api-verified.md finding F).
    pub fn next_version_id(&self) -> String {
        let top = self
            .versions
            .iter()
            .filter_map(|v| v.id.split('.').next()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let mut n = top + 1;
        while self.version(&format!("{n}.0")).is_some() {
            n += 1;
        }
        format!("{n}.0")
    }

    /// Adds `id`, a copy of version `source` with the same content (bot script, consumed
    /// resources, configuration and publish time) that publishes plainly.
    pub fn add_copy(&mut self, source: &str, id: &str, origin: VersionOrigin) {
        let Some(spec) = self.version(source) else {
            return;
        };
        if self.version(id).is_some() {
            return;
        }
        let copy = VersionSpec {
            id: id.to_owned(),
            name: None,
            duration_ms: spec.duration_ms,
            publish: PublishBehaviour::Success,
            republish: None,
            outcomes: Vec::new(),
            consumes: spec.consumes.clone(),
            // The generic script names its version: the copy keeps the source's words. A YAML
            // version's copy keeps its YAML.
            bot: spec.yaml.is_none().then(|| effective_script(self, spec)),
            refuse: None,
            configuration: spec.configuration.clone(),
            yaml: spec.yaml.clone(),
            created_by: None,
            created_by_client: None,
            calls: spec.calls.clone(),
        };
        if let Some(doc) = self.documents.get(source).cloned()
            && copy.yaml.is_some()
        {
            self.documents.insert(id.to_owned(), doc);
        }
        if let Some(bot) = self.archy_bots.get(source).cloned() {
            self.archy_bots.insert(id.to_owned(), bot);
        }
        self.versions.push(copy);
        self.origins.insert(id.to_owned(), origin);
    }
}
