//! Architect flows: the `Flow` / `FlowVersion` / `Dependency` JSON models, publish operations
//! and their schedule, and the flow actions (publish, unlock).

pub(crate) mod configuration;
pub(crate) mod history;
pub(crate) mod model;
pub(crate) mod operations;
mod publish;
pub(crate) mod ui;
