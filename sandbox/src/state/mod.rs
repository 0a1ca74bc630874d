//! The sandbox's mutable state, shared by every connection behind one mutex.
//!
//! Every access goes through `Shared::with`, which first applies the effect of any operation
//! whose end time has passed, so all readers (HTTP handlers and the library accessors) see the
//! same, time-consistent world.

mod flow;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

pub(crate) use flow::{FlowState, version_order};

use crate::architect::configuration::VersionOrigin;
use crate::architect::history::{HISTORY_ACTIONS, HistoryRequest};
use crate::architect::operations::{Operation, Plan};
use crate::faults::FaultState;
use crate::http::records::{FlowSnapshot, HistoryRecord, RequestRecord};
use crate::jobs::Job;
use crate::push::PushHub;
use crate::scenario::jobs::Counted;
use crate::scenario::{
    ClientSpec, DataActionSpec, EntityRef, JobFaultSpec, KnowledgeBaseSpec, OrganizationSpec,
    PublishAnswer, QueueSpec, RepublishMode, Scenario, ScenarioError, SkillSpec, UnknownVersion,
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
    pub history_duration: Duration,
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
    /// Every flow's history entries, in the order they were recorded.
    pub history: Vec<HistoryRecord>,
    /// History requests (the `HISTORY` operations).
    pub history_requests: Vec<HistoryRequest>,
    /// The names flow YAML refers to.
    pub queues: Vec<QueueSpec>,
    pub data_actions: Vec<DataActionSpec>,
    pub knowledge_bases: Vec<KnowledgeBaseSpec>,
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
        let flows: BTreeMap<String, FlowState> = scenario
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
                flow.calls = f.calls;
                flow.read_documents();
                // GUESS: the scenario's live version was published by whoever made it.
                let live = f.published_version.and_then(|v| flow.version(&v).cloned());
                if let Some(spec) = live {
                    let by = flow.origin(&spec).by;
                    flow.go_live(&spec.id, Duration::ZERO, by);
                }
                (f.id, flow)
            })
            .collect();
        let history = flows
            .values()
            .flat_map(FlowState::initial_history)
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
                history_duration: Duration::from_millis(scenario.history_duration_ms),
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
            history,
            history_requests: Vec::new(),
            queues: scenario.queues,
            data_actions: scenario.data_actions,
            knowledge_bases: scenario.knowledge_bases,
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
        let Some(by) = op.actor() else {
            return;
        };
        let Some(flow) = self.flows.get_mut(&op.flow_id) else {
            return;
        };
        let flow_id = flow.id.clone();
        match &op.plan {
            Plan::Success { live } => {
                if let Some(source) = &op.copy_of {
                    let origin = VersionOrigin { at, by: by.clone() };
                    flow.add_copy(source, live, origin);
                }
                flow.go_live(live, at, by.clone());
                let live = live.clone();
                self.record_history(&flow_id, "PUBLISH", by, Some(&live), at);
            }
            // Someone else's operation replaces the publish it follows, unless a newer
            // one already has.
            Plan::Touch { after } if flow.current_operation == Some(*after) => {
                flow.current_operation = Some(i);
                let action = op.action.clone();
                if HISTORY_ACTIONS.contains(&action.as_str()) {
                    let version = op.version.clone();
                    self.record_history(&flow_id, &action, by, Some(&version), at);
                }
            }
            _ => {}
        }
    }

    /// The queue a generated export's `transferToAcd` names: the scenario's first, else
    /// "General".
    pub fn default_queue_name(&self) -> String {
        self.queues
            .first()
            .map_or_else(|| "General".to_owned(), |q| q.name.clone())
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
            published_by: flow.published_by.clone(),
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
