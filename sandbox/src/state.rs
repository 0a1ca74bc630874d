//! The sandbox's mutable state, shared by every connection behind one mutex.
//!
//! Every access goes through `Shared::with`, which first applies the effect of any operation
//! whose end time has passed, so all readers (HTTP handlers and the library accessors) see the
//! same, time-consistent world.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::architect::configuration::{VersionOrigin, effective_script};
use crate::architect::operations::{Operation, Plan};
use crate::archy::document::{self, ArchyDocument};
use crate::archy::play::ArchyBot;
use crate::faults::FaultState;
use crate::http::records::{FlowSnapshot, RequestRecord};
use crate::jobs::Job;
use crate::push::PushHub;
use crate::scenario::jobs::Counted;
use crate::scenario::{
    ClientSpec, EntityRef, JobFaultSpec, OrganizationSpec, PublishAnswer, PublishBehaviour,
    RepublishMode, Scenario, ScenarioError, SkillSpec, TouchAfterPublish, UnknownVersion,
    VersionSpec,
};

/// Scenario-wide settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub publish_duration: Duration,
    pub unknown_version: UnknownVersion,
    pub publish_answer: PublishAnswer,
    pub max_page_size: u32,
    /// The scenario's `republish_mode`, for flows an import creates.
    pub republish_mode: RepublishMode,
    pub import_duration: Duration,
    pub export_duration: Duration,
    pub import_publishes: bool,
    pub job_faults: Vec<JobFaultSpec>,
}

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
        }
    }

    /// Reads the `yaml` of every version that has one (the scenario checked them).
    fn read_documents(&mut self) {
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

    /// Makes `version` the published one, stamping the publish dates.
    pub fn go_live(&mut self, version: &str, at: Duration) {
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

/// An issued bearer token.
#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub client_id: String,
    pub expires_at: Duration,
}

/// Everything the sandbox knows.
#[derive(Debug)]
pub(crate) struct State {
    pub epoch: Instant,
    pub epoch_wall: SystemTime,
    pub settings: Settings,
    pub flows: BTreeMap<String, FlowState>,
    pub skills: BTreeMap<String, SkillSpec>,
    pub clients: HashMap<String, ClientSpec>,
    pub tokens: HashMap<String, TokenInfo>,
    pub operations: Vec<Operation>,
    pub requests: Vec<RequestRecord>,
    pub faults: Vec<FaultState>,
    pub log_requests: bool,
    /// Notification channels, sockets and the push log.
    pub push: PushHub,
    /// The organization the sandbox stands for.
    pub organization: OrganizationSpec,
    /// Bot flow sessions, by id.
    pub bot_sessions: HashMap<String, crate::bots::session::BotSession>,
    /// Import and export jobs, in registration order.
    pub jobs: Vec<Job>,
    /// How many events of each kind the job faults have counted.
    pub job_counts: HashMap<Counted, u64>,
}

impl State {
    pub fn new(scenario: Scenario, log_requests: bool) -> Result<State, ScenarioError> {
        scenario.validate()?;
        let faults = scenario
            .faults
            .into_iter()
            .map(FaultState::new)
            .collect::<Result<Vec<_>, _>>()
            .map_err(ScenarioError::Invalid)?;
        let republish_mode = scenario.republish_mode;
        let flows = scenario
            .flows
            .into_iter()
            .map(|f| {
                let mode = f.republish_mode.unwrap_or(republish_mode);
                let mut flow = FlowState::blank(&f.id, &f.name, &f.flow_type, mode);
                flow.description = f.description;
                flow.deleted = f.deleted;
                flow.locked_user = f.locked_user;
                flow.locked_client = f.locked_client;
                flow.checked_in = f.checked_in_version;
                flow.saved = f.saved_version;
                flow.versions = f.versions;
                flow.touch = f.touch_after_publish;
                flow.read_documents();
                if let Some(v) = f.published_version {
                    flow.go_live(&v, Duration::ZERO);
                }
                (f.id, flow)
            })
            .collect();
        Ok(State {
            epoch: Instant::now(),
            epoch_wall: SystemTime::now(),
            settings: Settings {
                publish_duration: Duration::from_millis(scenario.publish_duration_ms),
                unknown_version: scenario.unknown_version,
                publish_answer: scenario.publish_answer,
                max_page_size: scenario.max_page_size,
                republish_mode,
                import_duration: Duration::from_millis(scenario.import_duration_ms),
                export_duration: Duration::from_millis(scenario.export_duration_ms),
                import_publishes: scenario.import_publishes,
                job_faults: scenario.job_faults,
            },
            flows,
            skills: scenario
                .skills
                .into_iter()
                .map(|s| (s.id.clone(), s))
                .collect(),
            clients: scenario
                .clients
                .into_iter()
                .map(|c| (c.id.clone(), c))
                .collect(),
            tokens: HashMap::new(),
            operations: Vec::new(),
            requests: Vec::new(),
            faults,
            log_requests,
            push: PushHub::new(scenario.notifications),
            organization: scenario.organization,
            bot_sessions: HashMap::new(),
            jobs: Vec::new(),
            job_counts: HashMap::new(),
        })
    }

    /// Applies, in time order, every effect due by `now`: an import's check-in, then a
    /// finished operation's effect (at equal times, in that order).
    pub fn advance(&mut self, now: Duration) {
        let checkins = self.jobs.iter().enumerate().filter_map(|(i, job)| {
            let c = job.checkin.as_ref().filter(|c| !c.applied && c.at <= now)?;
            Some((c.at, 0, i))
        });
        let finished = self
            .operations
            .iter()
            .enumerate()
            .filter(|(_, op)| !op.applied)
            .filter_map(|(i, op)| op.terminal_at().filter(|t| *t <= now).map(|t| (t, 1, i)));
        let mut due: Vec<(Duration, u8, usize)> = checkins.chain(finished).collect();
        due.sort();
        for (at, class, i) in due {
            match class {
                0 => self.apply_checkin(i),
                _ => self.finish_operation(i, at),
            }
        }
    }

    /// Applies the effect of operation `i`, finished at `at`.
    fn finish_operation(&mut self, i: usize, at: Duration) {
        let op = &mut self.operations[i];
        op.applied = true;
        let Some(flow) = self.flows.get_mut(&op.flow_id) else {
            return;
        };
        match &op.plan {
            Plan::Success { live } => {
                if let (Some(source), Some(client)) = (&op.copy_of, &op.client) {
                    let origin = VersionOrigin {
                        at,
                        by: client.clone(),
                    };
                    flow.add_copy(source, live, origin);
                }
                flow.go_live(live, at);
            }
            // Someone else's operation replaces the publish it follows, unless a newer
            // one already has.
            Plan::Touch { after } if flow.current_operation == Some(*after) => {
                flow.current_operation = Some(i);
            }
            _ => {}
        }
    }

    /// The queue a generated export's `transferToAcd` names.
    pub fn default_queue_name(&self) -> String {
        "General".to_owned()
    }

    /// Wall-clock time of a moment since the epoch (for `date*` fields).
    pub fn wall(&self, at: Duration) -> SystemTime {
        self.epoch_wall + at
    }

    /// Issues a token for `client_id`; returns it with its lifetime in seconds.
    pub fn issue_token(&mut self, client_id: &str, now: Duration) -> Option<(String, f64)> {
        let ttl = self.clients.get(client_id)?.token_ttl_secs;
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let expires_at = now + Duration::from_secs_f64(ttl);
        self.tokens.insert(
            token.clone(),
            TokenInfo {
                client_id: client_id.to_owned(),
                expires_at,
            },
        );
        Some((token, ttl))
    }

    /// The client a token belongs to, if it is known and not expired.
    pub fn check_token(&self, token: &str, now: Duration) -> Option<EntityRef> {
        let info = self.tokens.get(token).filter(|t| now < t.expires_at)?;
        let name = self
            .clients
            .get(&info.client_id)
            .map_or_else(String::new, |c| c.name.clone());
        Some(EntityRef {
            id: info.client_id.clone(),
            name,
        })
    }

    /// Makes a token expire now (the `expire_token` fault).
    pub fn expire_token(&mut self, token: &str, now: Duration) {
        if let Some(info) = self.tokens.get_mut(token) {
            info.expires_at = info.expires_at.min(now);
        }
    }

    pub fn snapshot(&self, id: &str, now: Duration) -> Option<FlowSnapshot> {
        let flow = self.flows.get(id)?;
        Some(FlowSnapshot {
            id: flow.id.clone(),
            name: flow.name.clone(),
            flow_type: flow.flow_type.clone(),
            deleted: flow.deleted,
            published_version: flow.published.clone(),
            checked_in_version: flow.checked_in.clone(),
            saved_version: flow.saved.clone(),
            locked_user: flow.locked_user.clone(),
            locked_client: flow.locked_client.clone(),
            current_operation: flow
                .current_operation
                .and_then(|i| self.operations.get(i))
                .map(|op| op.snapshot(now)),
        })
    }
}

/// The state behind its lock, with the clock.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    epoch: Instant,
}

impl Shared {
    pub fn new(state: State) -> Shared {
        let epoch = state.epoch;
        Shared {
            state: Mutex::new(state),
            epoch,
        }
    }

    pub fn epoch(&self) -> Instant {
        self.epoch
    }

    /// Time since the epoch.
    pub fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the state brought up to date, with the current time.
    pub fn with<R>(&self, f: impl FnOnce(&mut State, Duration) -> R) -> R {
        let mut state = self.lock();
        let now = self.now();
        state.advance(now);
        f(&mut state, now)
    }
}
