//! A stateful, fault-injecting simulation of the Genesys Cloud API subset `genesys-bot-deploy`
//! uses: OAuth client credentials, Architect flows and their publish operations, import and
//! export jobs with versions as Archy YAML, flow history, routing skills and dependency
//! tracking, with the platform's error envelope and headers. It serves on loopback only.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use genesys_sandbox::{Sandbox, Scenario};
//! let sandbox = Sandbox::start(Scenario::default()).await?;
//! println!("api-url={} login-url={}", sandbox.api_url(), sandbox.login_url());
//! // ... run the Action against it, then inspect:
//! let _requests = sandbox.requests();
//! let _operations = sandbox.operations();
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod architect;
mod archy;
mod bots;
mod faults;
mod http;
mod jobs;
mod push;
mod routes;
mod scenario;
mod server;
mod state;

pub use architect::configuration::VOLATILE_CONFIGURATION_KEYS;
pub use architect::history::HISTORY_ACTIONS;
pub use architect::ui::{UiPublish, VersionContent};
pub use archy::document::VOLATILE_YAML_IDS;
pub use archy::play::{CLASSIFIER_STOP_WORDS, MIN_SHARED_WORDS};
pub use bots::script::{DISCONNECT_REASONS, EXIT_REASONS};
pub use bots::session::{BotSessionRecord, CHANNEL_NAMES, INPUT_EVENT_TYPES, USER_AGENT_NAMES};
pub use faults::{FaultKind, FaultSpec, RouteMatcher, Trigger};
pub use http::middleware::CORRELATION_HEADER;
pub use http::records::{
    ActionStatus, Actor, FlowSnapshot, HistoryRecord, OperationOutcome, OperationRecord,
    OperationSnapshot, RequestRecord,
};
pub use jobs::s3::UPLOAD_HEADERS;
pub use jobs::{JobKind, JobMessage, JobRecord, JobStatus, MessageType, TransferRecord};
pub use push::socket::{CHANNEL_FAILURE_TOPIC, SOCKET_CLOSING_TOPIC};
pub use push::spec::{
    CloseSocket, NotificationsSpec, RefuseChannels, SlowHandshake, SocketFault, SuppressEvents,
    TopicRejection,
};
pub use push::{PushRecord, ReceivedFrame};
pub use scenario::demo::{
    DEMO_BOT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_NAME, DEMO_CLIENT_SECRET, DEMO_COMMON_MODULE_ID,
    DEMO_DELETED_BOT_ID, DEMO_FAILING_BOT_ID, DEMO_LOCK_USER_ID, DEMO_LOCK_USER_NAME,
    DEMO_LOCKED_BOT_ID, DEMO_SKILL_BILLING_ID, DEMO_SKILL_DELETED_ID, DEMO_SKILL_INACTIVE_ID,
    DEMO_SKILL_PAYMENTS_ID,
};
pub use scenario::demo_artifacts::{
    DEMO_CALLER_LATEST_ID, DEMO_CALLER_PINNED_ID, DEMO_DATA_ACTION_ID, DEMO_KNOWLEDGE_BASE_ID,
    DEMO_QUEUE_ID, DEMO_YAML_BOT_ID, DEMO_YAML_BOT_YAML,
};
pub use scenario::demo_bots::DEMO_SMOKE_BOT_ID;
pub use scenario::org::{DEMO_ORG_ID, DEMO_ORG_NAME, DEMO_ORG_SHORT_NAME};
pub use scenario::{
    BotEnd, BotReply, BotScript, CallSpec, ClientSpec, ConsumedSpec, DataActionSpec, EndKind,
    EntityRef, ErrorDetail, FlowSpec, JobFaultKind, JobFaultSpec, KnowledgeBaseSpec,
    OrganizationSpec, PublishAnswer, PublishBehaviour, PublishFailure, QueueSpec, QuickReplyForm,
    Refusal, ReplyRule, RepublishMode, Scenario, ScenarioError, SkillSpec, SkillState,
    TouchAfterPublish, UnknownVersion, VersionSpec,
};
pub use server::{Options, Sandbox};
