//! Flow files: a bot flow kept as Archy YAML in git and deployed from it (SPEC rules 15–16).
//!
//! Pure functions on text and values, no I/O: callers pass the text they read and the name
//! to show in messages. Every error is for the user (an invalid input): it names the file,
//! the line and what is wrong.
//!
//! The order a deployment uses them in:
//!
//! 1. [`SubstitutionsInput::classify`] tells whether the `substitutions` input is a path (the
//!    caller reads the file) or inline lines; [`Substitutions::parse`] reads either, or the
//!    caller takes [`Substitutions::none`] when the input is not given.
//! 2. [`apply`] puts the values into the flow file's `{{key}}` placeholders and reports every
//!    placeholder without a value and every key without a placeholder.
//! 3. [`FlowDocument::parse`] reads the substituted text: one `botFlow` or `digitalBotFlow`,
//!    named.
//! 4. [`file_digest`] (of the file before substitution, the same in every environment) and
//!    [`release_digest`] (with this environment's substitutions) identify the release;
//!    [`normalise`] says what does not count, [`first_difference`] where two flows differ.
//! 5. [`references`] lists the queues, data actions, knowledge bases and flows the document
//!    names, to look up in the target org before importing.
//! 6. [`FlowDiff::between`] the live version and the file is the plan of the change: intents,
//!    thresholds, prompts, knowledge and references added, removed or changed.

mod apply;
mod change;
mod diff;
mod difference;
mod digest;
mod document;
mod error;
mod nlu;
mod normalise;
mod path;
mod placeholders;
mod prompts;
mod references;
mod substitutions;
mod yaml;

pub use apply::{Substituted, SubstitutionError, apply};
pub use change::Change;
pub use diff::{CONFIDENCE_THRESHOLDS, FlowDiff};
pub use difference::first_difference;
pub use digest::{Digest, InvalidDigest, file_digest, release_digest};
pub use document::{FlowDocument, FlowKind};
pub use error::FileError;
pub use normalise::{VOLATILE_FIELDS, normalise};
pub use references::{Reference, ReferenceKind, references};
pub use substitutions::{
    HIDDEN_VALUE, SECRET_KEY_WORDS, Source, Substitution, Substitutions, SubstitutionsInput,
    is_secret_looking,
};

#[cfg(test)]
mod examples_tests;
