//! A stateful, fault-injecting simulation of the Genesys Cloud API subset `genesys-bot-deploy`
//! uses: OAuth client credentials, Architect flows and their publish operations, routing skills
//! and dependency tracking, with the platform's error envelope and headers. It serves on
//! loopback only.
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

mod behaviour;
mod bot_script;
mod bot_session;
mod default_scenario;
mod demo_bots;
mod errors;
mod faults;
mod middleware;
mod model;
mod notification_spec;
mod operations;
mod paging;
mod publish;
mod push;
mod push_events;
mod push_socket;
mod query;
mod records;
mod routes;
mod scenario;
mod server;
mod state;

pub use bot_session::BotSessionRecord;
pub use default_scenario::{
    DEMO_BOT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_NAME, DEMO_CLIENT_SECRET, DEMO_COMMON_MODULE_ID,
    DEMO_DELETED_BOT_ID, DEMO_FAILING_BOT_ID, DEMO_LOCK_USER_ID, DEMO_LOCK_USER_NAME,
    DEMO_LOCKED_BOT_ID, DEMO_SKILL_BILLING_ID, DEMO_SKILL_DELETED_ID, DEMO_SKILL_INACTIVE_ID,
    DEMO_SKILL_PAYMENTS_ID,
};
pub use demo_bots::DEMO_SMOKE_BOT_ID;
pub use faults::{FaultKind, FaultSpec, RouteMatcher, Trigger};
pub use middleware::CORRELATION_HEADER;
pub use notification_spec::{
    NotificationsSpec, RefuseChannels, SlowHandshake, SocketFault, SuppressEvents, TopicRejection,
};
pub use push::PushRecord;
pub use push_socket::CHANNEL_FAILURE_TOPIC;
pub use records::{
    ActionStatus, FlowSnapshot, OperationOutcome, OperationRecord, OperationSnapshot, RequestRecord,
};
pub use scenario::{
    BotEnd, BotReply, BotScript, ClientSpec, ConsumedSpec, EndKind, EntityRef, ErrorDetail,
    FlowSpec, PublishBehaviour, PublishFailure, ReplyRule, Scenario, ScenarioError, SkillSpec,
    SkillState, UnknownVersion, VersionSpec,
};
pub use server::{Options, Sandbox};
