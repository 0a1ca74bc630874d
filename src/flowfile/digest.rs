//! Release identity (SPEC rule 16): the file digest, the same in every environment a commit
//! goes to, and the release digest, which adds the substitutions of one environment.
//!
//! **File digest** ([`file_digest`]): SHA-256 of the canonical serialisation of the normalised
//! flow file *before* substitution. A file with unquoted placeholders is not the YAML it
//! stands for (`name: {{flow_name}}` reads as a mapping, `{{integration}}:` as a mapping key),
//! so every placeholder is first replaced by a sentinel scalar, `__substitution__<key>__`,
//! which reads as plain text wherever a placeholder can stand (a value, a key, inside quotes,
//! inside a longer scalar); `{{ key }}` and `{{key}}` give the same sentinel. The text is then
//! parsed as a flow document, normalised ([`super::normalise`]) and written as compact JSON:
//! no whitespace, keys sorted, serde_json's escaping — the canonical serialisation.
//!
//! Limits of the sentinel: it stands for the placeholder's place, not its value, so a value
//! that brings YAML structure (`{none: true}`, a `: `) is seen only in the release digest; a
//! file that writes the sentinel text itself could match a file with the placeholder; a
//! column in an error message is off after a placeholder on the same line (lines are exact).
//!
//! On a text without placeholders — a substituted file, an export of the live version — the
//! file digest is the digest of that content: how the pipeline tells whether the live
//! version is what a release produced.
//!
//! **Release digest** ([`release_digest`]): SHA-256 of the file digest's text
//! (`sha256:<hex>`), a line break, then one line per substitution sorted by key, `key=`
//! followed by the value as a JSON string: `queue_name="Appointments"\n`. The JSON string
//! keeps a value holding a line break or `=` from passing for another key.

use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::str::FromStr;

use super::document::FlowDocument;
use super::error::FileError;
use super::normalise::normalise;
use super::placeholders;
use super::substitutions::Substitutions;

/// What stands for the placeholder of `key` while the file digest is computed.
fn sentinel(key: &str) -> String {
    format!("__substitution__{key}__")
}

/// A SHA-256 digest, shown as `sha256:<64 lowercase hex digits>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest([u8; 32]);

impl Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The first 12 hex digits, for summaries.
    pub fn short(&self) -> String {
        self.hex()[..12].to_owned()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.hex())
    }
}

/// Why a text is not a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a digest: expected `sha256:` and 64 hex digits")]
pub struct InvalidDigest(String);

impl FromStr for Digest {
    type Err = InvalidDigest;

    /// Reads a digest as [`Digest`] shows it (hex digits in either case).
    fn from_str(text: &str) -> Result<Digest, InvalidDigest> {
        let invalid = || InvalidDigest(text.to_owned());
        let hex = text.strip_prefix("sha256:").ok_or_else(invalid)?;
        // `from_str_radix` alone would take a sign: `+f` is not two hex digits.
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| invalid())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
        }
        Ok(Digest(bytes))
    }
}

/// The file digest of a flow file's text before substitution (`file` names it in errors).
/// The error is the flow document's: a file that is not a valid flow with its placeholders
/// standing in has no digest.
pub fn file_digest(template_text: &str, file: &str) -> Result<Digest, FileError> {
    let found = placeholders::scan(template_text);
    let text = placeholders::replace(template_text, &found, |key| Some(sentinel(key)));
    let document = FlowDocument::parse(&text, file)?;
    Ok(Digest::of(
        canonical_json(&normalise(document.value())).as_bytes(),
    ))
}

/// The release digest: the file digest with one environment's substitutions.
pub fn release_digest(file_digest: &Digest, substitutions: &Substitutions) -> Digest {
    let mut entries: Vec<(&str, &str)> = substitutions
        .entries()
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    entries.sort_unstable();
    let mut canonical = format!("{file_digest}\n");
    for (key, value) in entries {
        let value = Value::String(value.to_owned());
        canonical.push_str(&format!("{key}={value}\n"));
    }
    Digest::of(canonical.as_bytes())
}

/// Compact JSON; a normalised tree's keys are in sorted order already.
fn canonical_json(value: &Value) -> String {
    value.to_string()
}

#[cfg(test)]
#[path = "digest_tests.rs"]
mod tests;
