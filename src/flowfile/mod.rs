//! Flow files: a bot flow kept as Archy YAML in git and deployed from it (SPEC rules 15–16).
//!
//! Pure functions on text and values, no I/O: callers pass the text they read and the name
//! to show in messages. Every error is for the user (an invalid input): it names the file,
//! the line and what is wrong.
//!
//! - [`FlowDocument::parse`] reads a flow file: one `botFlow` or `digitalBotFlow`, named.

mod document;
mod error;
mod yaml;

pub use document::{FlowDocument, FlowKind};
pub use error::FileError;
