//! End-to-end tests: the compiled Action, started as the GitHub runner starts it, against the
//! sandbox running in-process with a scenario built per test. Every fault kind the sandbox
//! offers and SIGTERM are covered; `soak` (ignored by default) throws random combinations at
//! it: `cargo test --test e2e -- --ignored soak`.

mod cancel;
mod client_jobs;
mod flow_file;
mod flow_file_failures;
mod flow_file_review;
mod guards;
mod outcomes;
mod platform;
mod push;
mod ran;
mod release_world;
mod rollback;
mod runner;
#[path = "../shared/mod.rs"]
mod shared;
mod smoke;
mod soak;
mod soak_case;
mod transport;
mod world;
