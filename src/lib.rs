//! genesys-bot-deploy
pub mod config;
pub mod genesys;
pub mod github;
pub mod redact;
pub mod retry;
