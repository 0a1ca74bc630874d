//! Integration tests: the pipeline against mockito (one server per test) and the real
//! binary as the runner starts it.

mod binary;
mod force_unlock;
mod helpers;
mod jobs;
mod log;
mod manifest;
mod mock_auth;
mod mock_dependencies;
mod mock_publish;
mod mock_republish;
mod mock_rerun;
mod mock_resilience;
mod mock_rollback;
mod mock_smoke;
mod mock_smoke_file;
mod org_guard;
mod platform_answers;
mod real_causes;
mod runner_safety;
#[path = "../shared/mod.rs"]
mod shared;
