//! Bot flow sessions (genesys-api.md §10): the scenario's bot scripts and the sessions that
//! run them.

pub(crate) mod script;
pub(crate) mod session;
pub(crate) mod turn;
