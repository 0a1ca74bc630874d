//! The Genesys Cloud Platform API: client, auth, models, errors, regions.

pub mod auth;
pub mod calls;
pub mod client;
pub mod endpoint;
pub mod error;
pub mod history;
pub mod jobs;
pub mod models;
pub mod names;
pub mod notifications;
pub mod presigned;
pub mod regions;
mod response;
pub mod storage;
pub mod textbots;
pub mod vocabulary;

pub use client::{Answer, GenesysClient, Request, RequestStats, RetryPolicy};
pub use error::ApiError;
