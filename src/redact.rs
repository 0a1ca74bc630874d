//! The last line of defence for secrets: every text the Action writes (stdout, stderr,
//! outputs, summary, audit file) passes through a [`Redactor`] that knows the client secret
//! and every token, so a secret that slips into an error message still never leaves.

use std::sync::{Arc, RwLock};

/// Replacement for a secret, as the runner's own masker writes it.
pub const MASK: &str = "***";

/// Shared list of values never to print. Cheap to clone.
#[derive(Clone, Default, Debug)]
pub struct Redactor {
    secrets: Arc<RwLock<Vec<String>>>,
}

impl Redactor {
    /// An empty redactor.
    pub fn new() -> Self {
        Redactor::default()
    }

    /// Adds a value to hide. Values shorter than 4 characters are not added: hiding every
    /// `a` in the log would make it unreadable and protect nothing.
    pub fn add(&self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        let mut secrets = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        if !secrets.iter().any(|s| s == secret) {
            secrets.push(secret.to_string());
            // Longest first, so a secret that contains another is replaced whole.
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// Whether this value is already hidden.
    pub fn knows(&self, secret: &str) -> bool {
        self.secrets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|s| s == secret)
    }

    /// The text with every known secret replaced by [`MASK`].
    pub fn redact(&self, text: &str) -> String {
        let secrets = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_known_secret() {
        let r = Redactor::new();
        r.add("s3cr3t-value");
        r.add("tok-123456");
        assert_eq!(
            r.redact("a s3cr3t-value b tok-123456 c s3cr3t-value"),
            "a *** b *** c ***"
        );
    }

    #[test]
    fn longer_secrets_win_over_their_substrings() {
        let r = Redactor::new();
        r.add("abcd");
        r.add("abcdefgh");
        assert_eq!(r.redact("xabcdefghx"), "x***x");
    }

    #[test]
    fn ignores_tiny_values() {
        let r = Redactor::new();
        r.add("ab");
        assert_eq!(r.redact("abc"), "abc");
    }

    #[test]
    fn clones_share_the_list() {
        let r = Redactor::new();
        let c = r.clone();
        r.add("shared-secret");
        assert_eq!(c.redact("shared-secret"), "***");
    }
}
