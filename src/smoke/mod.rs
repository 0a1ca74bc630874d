//! The smoke-test gate's own parts: the conversations file, matching answers against
//! expectations, holding the conversations with the live bot, and what they found. The
//! pipeline decides what a result means for the deployment.

pub mod format;
pub mod matching;
pub mod reasons;
pub mod report;
pub mod runner;

pub(crate) use format::load;
pub use format::{FormatError, Suite};
pub use report::SmokeReport;
