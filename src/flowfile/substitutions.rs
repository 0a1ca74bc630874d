//! The values for a flow file's `{{key}}` placeholders, per environment (the `substitutions`
//! input): a YAML or JSON mapping from a file, or `key: value` lines given inline.
//!
//! Values are scalars, taken as the text written: `port: 08` is `08`, `phone: +442079460000`
//! is `+442079460000` (a YAML reader would make both numbers and lose the text), `on: true`
//! is `true`. A missing value (`key:`, `key: ~`), a list or a mapping is an error naming the
//! key and its line; so is a key given twice, or one that no placeholder could name.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

use super::error::FileError;
use super::placeholders::{KEY_CHARACTERS, is_key};
use super::yaml;

/// Words that make a key secret-looking ([`is_secret_looking`]), compared without case.
pub const SECRET_KEY_WORDS: [&str; 9] = [
    "secret",
    "password",
    "passwd",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "private",
];

/// What a dry-run plan shows instead of a secret-looking value.
pub const HIDDEN_VALUE: &str = "***";

/// Whether a key's value should be hidden in plans and logs: the key contains one of
/// [`SECRET_KEY_WORDS`], in any case (`db_password`, `ApiKey`, `PRIVATE_NOTE`).
pub fn is_secret_looking(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEY_WORDS.iter().any(|word| key.contains(word))
}

/// Where substitutions came from, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file, named as the `substitutions` input gave it (`substitutions/prod.yml`).
    File(String),
    /// `key: value` lines given in the `substitutions` input itself.
    Input,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(name) => f.write_str(name),
            Source::Input => f.write_str("the substitutions input"),
        }
    }
}

/// What the `substitutions` input holds: a path to read, or the substitutions themselves.
///
/// The rule ([`SubstitutionsInput::classify`]): after trimming, one line that has no `: `
/// (nor a colon and a tab), does not end with `:` and does not start with `{` or `#` is a path
/// (`substitutions/prod.yml`, `C:\cfg\prod.yml`, and also `key:value`, which YAML itself would
/// read as one word, not a mapping); anything else is inline (`queue_name: Appointments`,
/// several lines, `{"a": "b"}`, a comment). A path containing `: ` cannot be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutionsInput {
    /// A workspace-relative path to a YAML or JSON mapping, trimmed.
    Path(String),
    /// Inline mapping text, as given (so that line numbers are the user's).
    Inline(String),
}

impl SubstitutionsInput {
    /// Tells a path from inline text (the rule is on the type).
    pub fn classify(raw: &str) -> SubstitutionsInput {
        let text = raw.trim();
        let one_line = !text.contains('\n');
        let mapping_like = text.is_empty()
            || text.contains(": ")
            || text.contains(":\t")
            || text.ends_with(':')
            || text.starts_with('{')
            || text.starts_with('#');
        if one_line && !mapping_like {
            SubstitutionsInput::Path(text.to_owned())
        } else {
            SubstitutionsInput::Inline(raw.to_owned())
        }
    }

    /// How messages name the substitutions this input gives.
    pub fn source(&self) -> Source {
        match self {
            SubstitutionsInput::Path(path) => Source::File(path.clone()),
            SubstitutionsInput::Inline(_) => Source::Input,
        }
    }
}

/// One key and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    /// The key, as `{{key}}` names it.
    pub key: String,
    /// The value, inserted verbatim.
    pub value: String,
    /// The key's 1-based line in its source.
    pub line: Option<usize>,
}

/// The substitutions for one environment, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitutions {
    source: Option<Source>,
    entries: Vec<Substitution>,
}

impl Substitutions {
    /// No substitutions: the `substitutions` input was not given.
    pub fn none() -> Substitutions {
        Substitutions {
            source: None,
            entries: Vec::new(),
        }
    }

    /// Reads a YAML or JSON mapping (a file's text, or the inline input). Empty text, or only
    /// comments, gives no substitutions.
    pub fn parse(text: &str, source: Source) -> Result<Substitutions, FileError> {
        let shown = source.to_string();
        let read = yaml::read(text, &shown, Root)?;
        let mut entries = Vec::with_capacity(read.len());
        for (index, (key, value)) in read.into_iter().enumerate() {
            let place = key_place(text, index);
            let line = place.map(|(line, _)| line);
            let Some(value) = value else {
                return Err(FileError::at(
                    &shown,
                    line,
                    place.map(|(_, column)| column),
                    format!(
                        "`{key}` has no value: give text, a number or true/false \
                         (`\"\"` for empty text)"
                    ),
                ));
            };
            entries.push(Substitution { key, value, line });
        }
        Ok(Substitutions {
            source: Some(source),
            entries,
        })
    }

    /// Where they came from; `None` for [`Substitutions::none`].
    pub fn source(&self) -> Option<&Source> {
        self.source.as_ref()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.value.as_str())
    }

    /// The entry of `key`.
    pub fn entry(&self, key: &str) -> Option<&Substitution> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// All entries, in the order given.
    pub fn entries(&self) -> &[Substitution] {
        &self.entries
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(key, value)` in the order given, for a plan: the value of a secret-looking key
    /// ([`is_secret_looking`]) is [`HIDDEN_VALUE`].
    pub fn shown(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|e| {
                let value = if is_secret_looking(&e.key) {
                    HIDDEN_VALUE.to_owned()
                } else {
                    e.value.clone()
                };
                (e.key.clone(), value)
            })
            .collect()
    }
}

/// The whole text: a mapping, or nothing.
struct Root;

type Read = Vec<(String, Option<String>)>;

impl<'de> DeserializeSeed<'de> for Root {
    type Value = Read;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Read, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root {
    type Value = Read;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of `key: value` lines")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Read, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Read, E> {
        Ok(Vec::new())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        let mut read: Read = Vec::new();
        while let Some(key) = map.next_key_seed(Key { taken: &read })? {
            let value = map.next_value_seed(Scalar)?;
            read.push((key, value));
        }
        Ok(read)
    }
}

/// A key: one a placeholder can name, given once.
struct Key<'a> {
    taken: &'a Read,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a key of {KEY_CHARACTERS}")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<String, E> {
        if !is_key(key) {
            return Err(E::custom(format!(
                "`{key}` cannot be a placeholder key: keys are {KEY_CHARACTERS}"
            )));
        }
        if self.taken.iter().any(|(k, _)| k == key) {
            return Err(E::custom(format!(
                "the key `{key}` is given twice: keep one"
            )));
        }
        Ok(key.to_owned())
    }
}

/// A value: a scalar's text as written, `None` for a missing one.
struct Scalar;

impl<'de> DeserializeSeed<'de> for Scalar {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        // `deserialize_option` tells a null from text; its error would carry no place, so a
        // null is reported after reading, at its key's line.
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Scalar {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value: text, a number or true/false")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(Text).map(Some)
    }
}

/// Any scalar's text as written.
struct Text;

impl<'de> Visitor<'de> for Text {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "text, a number or true/false (a list or a mapping cannot replace a placeholder)",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
}

/// The line and column of the `index`-th key of the mapping in `text` (already read once).
///
/// serde_norway gives a place only with an error, so this reads the text again and stops at
/// that key with one: a read per key, which costs nothing at the size of a substitutions file.
fn key_place(text: &str, index: usize) -> Option<(usize, usize)> {
    let stopped = serde_norway::Deserializer::from_str(text).deserialize_any(StopAtKey { index });
    stopped.err().as_ref().and_then(yaml::location)
}

struct StopAtKey {
    index: usize,
}

impl<'de> Visitor<'de> for StopAtKey {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        for _ in 0..self.index {
            if map.next_key::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
            map.next_value::<IgnoredAny>()?;
        }
        map.next_key_seed(Stop).map(drop)
    }
}

/// Refuses whatever it is given, so that the error carries the place of the key.
struct Stop;

impl<'de> DeserializeSeed<'de> for Stop {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for Stop {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nothing: this read only finds a key's place")
    }
}

#[cfg(test)]
#[path = "substitutions_tests.rs"]
mod tests;
