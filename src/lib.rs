//! # genesys-bot-deploy
//!
//! A GitHub container Action that publishes a Genesys Cloud bot flow version safely: it
//! checks the bot and everything it depends on, publishes, waits for the asynchronous
//! publish, proves the target went live, and rolls back to the previous version when
//! anything fails — writing an audit trail, metrics, step outputs, a job summary and
//! annotations on every exit path.
//!
//! `main` is thin: [`telemetry::init`], [`pipeline::run_inputs`] (inputs, then
//! [`pipeline::run`]), then the report's exit code.

pub mod audit;
pub mod config;
pub mod flowfile;
pub mod genesys;
pub mod github;
pub mod ids;
pub mod pipeline;
pub mod redact;
pub mod retry;
pub mod shutdown;
pub mod smoke;
pub mod telemetry;

pub use config::Config;
pub use pipeline::{Report, RunContext, Status, Verdict, run};
