//! Archy flow YAML: the documents imports take and exports give, the subset of bot flow actions
//! the sandbox plays in bot flow sessions, and the YAML generated for versions the scenario
//! describes otherwise.

pub(crate) mod document;
pub(crate) mod expression;
pub(crate) mod generate;
pub(crate) mod play;
pub(crate) mod references;
