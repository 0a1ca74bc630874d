//! The identifiers a deployment is about, parsed once at the edge: a [`BotId`] is always a
//! lower-case hyphenated UUID and a [`VersionId`] always a version label like `3.0`, so
//! neither needs checking again before it goes into a URL or a comparison.

use std::fmt;

/// The bot flow's id: a lower-case hyphenated UUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct BotId(String);

/// A flow version id as Genesys writes it: `3.0`, `14.0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct VersionId(String);

/// Whether `value` has the shape of a hyphenated UUID.
pub(crate) fn is_uuid(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

impl BotId {
    /// Parses a UUID (surrounding whitespace ignored, any case); the error says what is
    /// allowed.
    pub fn parse(value: &str) -> Result<Self, String> {
        let v = value.trim();
        if is_uuid(v) {
            Ok(BotId(v.to_ascii_lowercase()))
        } else {
            Err("a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6".into())
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl VersionId {
    /// Parses `major.minor`, both whole numbers of at most nine digits.
    pub fn parse(value: &str) -> Result<Self, String> {
        let v = value.trim();
        let allowed = || "a flow version id as Genesys writes it, like \"3.0\"".to_string();
        let (major, minor) = v.split_once('.').ok_or_else(allowed)?;
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
        if digits(major) && digits(minor) {
            Ok(VersionId(v.to_string()))
        } else {
            Err(allowed())
        }
    }

    /// A version id the platform gave (the flow's `checkedInVersion.id`, say): taken as it
    /// is, since the platform's word is what later requests must repeat.
    pub(crate) fn from_platform(value: &str) -> Self {
        VersionId(value.to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_like {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Read-only access as text: the invariant cannot be broken through `&str`, and the
        // client and the messages take text.
        impl std::ops::Deref for $t {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.0
            }
        }
    )*};
}

text_like!(BotId, VersionId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_ids_are_lower_case_uuids() {
        let id = BotId::parse(" 3FA85F64-5717-4562-B3FC-2C963F66AFA6 ").expect("uuid");
        assert_eq!(id, "3fa85f64-5717-4562-b3fc-2c963f66afa6");
        assert_eq!(id.to_string(), id.as_str());
        for bad in [
            "",
            "3fa85f64",
            "3fa85f64-5717-4562-b3fc-2c963f66afa",
            "{3fa85f64-5717-4562-b3fc-2c963f66afa6}",
            "../etc/passwd",
        ] {
            assert!(BotId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn version_ids_are_major_dot_minor() {
        assert_eq!(VersionId::parse(" 14.0 ").expect("version"), "14.0");
        for bad in [
            "",
            "3",
            "v3.0",
            "3.",
            ".0",
            "a.b",
            "3.0.1",
            "3.0?flow=x",
            "1234567890.0",
            "3.0/../x",
        ] {
            assert!(VersionId::parse(bad).is_err(), "{bad}");
        }
    }
}
