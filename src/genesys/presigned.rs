//! Presigned URLs: the `presignedUrl` of an import job and the `downloadUrl` of an export job.
//! Their query (the signature) is their credential, so they show only
//! `scheme://host[:port]/path`, cannot be serialized, and say which of their parts a redactor
//! must hide.

use super::error::ApiError;
use serde::{Deserialize, Deserializer};
use url::Url;

/// A presigned URL. Its query is its credential: [`Debug`] and [`std::fmt::Display`] show
/// only `scheme://host[:port]/path`, and it cannot be serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedUrl(Url);

impl PresignedUrl {
    /// Reads a URL as the API gives it.
    pub fn parse(text: &str) -> Option<Self> {
        Url::parse(text.trim()).ok().map(PresignedUrl)
    }

    /// `scheme://host[:port]/path`: what messages may show.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!(
            "{}://{}{port}{}",
            url.scheme(),
            url.host_str().unwrap_or(""),
            url.path()
        )
    }

    /// The whole URL, credential included: for sending only.
    pub fn expose(&self) -> &Url {
        &self.0
    }

    /// The parts a redactor must hide: the raw query, and each value of a parameter that is a
    /// signature, credential or token.
    pub fn secrets(&self) -> Vec<String> {
        let Some(query) = self.0.query().filter(|q| !q.is_empty()) else {
            return Vec::new();
        };
        let mut secrets = vec![query.to_string()];
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = name.to_ascii_lowercase();
            let secret = ["signature", "credential", "token"]
                .iter()
                .any(|s| name.contains(s))
                || name == "sig";
            if secret && !value.is_empty() {
                secrets.push(value.to_string());
            }
        }
        secrets
    }

    /// `https`, or `http` to a loopback host; no user name or password in it.
    pub(super) fn check(&self, method: &str) -> Result<(), ApiError> {
        let url = &self.0;
        let loopback = crate::config::parse::is_loopback(url);
        let problem = if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
            "refusing to send: the presigned URL is not https:// (http:// only to a loopback host)"
        } else if url.host().is_none() {
            "refusing to send: the presigned URL has no host"
        } else if !url.username().is_empty() || url.password().is_some() {
            "refusing to send: the presigned URL carries a user name or password"
        } else {
            return Ok(());
        };
        Err(ApiError::Transfer {
            method: method.to_string(),
            url: self.redacted(),
            problem: problem.into(),
        })
    }
}

impl std::fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PresignedUrl")
            .field(&self.redacted())
            .finish()
    }
}

impl std::fmt::Display for PresignedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for PresignedUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        // The parser's message would not quote the text, but say nothing of it at all.
        PresignedUrl::parse(&text).ok_or_else(|| serde::de::Error::custom("not a URL"))
    }
}

/// `text` with any part of the URL's credential replaced, should S3 ever quote it.
pub(super) fn scrub(text: &str, url: &PresignedUrl) -> String {
    url.secrets()
        .iter()
        .filter(|s| s.len() >= 4)
        .fold(text.to_string(), |t, s| {
            t.replace(s.as_str(), crate::redact::MASK)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &str = "https://bucket.s3.amazonaws.com/imports/job-1.yaml?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101&X-Amz-Signature=0123456789abcdef";

    fn url(text: &str) -> PresignedUrl {
        PresignedUrl::parse(text).expect("a URL")
    }

    #[test]
    fn a_presigned_url_shows_only_scheme_host_and_path() {
        let signed = url(SIGNED);
        assert_eq!(
            signed.redacted(),
            "https://bucket.s3.amazonaws.com/imports/job-1.yaml"
        );
        assert_eq!(signed.to_string(), signed.redacted());
        let debug = format!("{signed:?}");
        assert!(
            !debug.contains("X-Amz") && !debug.contains("0123456789abcdef"),
            "{debug}"
        );
        assert_eq!(
            url("http://127.0.0.1:8080/presigned/x?sig=abc").redacted(),
            "http://127.0.0.1:8080/presigned/x"
        );
    }

    #[test]
    fn the_secrets_are_the_query_and_its_signature_credential_and_token() {
        let secrets = url(SIGNED).secrets();
        assert_eq!(
            secrets,
            [
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101&X-Amz-Signature=0123456789abcdef",
                "AKIAEXAMPLE%2F20260101",
                "0123456789abcdef",
            ]
        );
        assert!(url("https://h/p").secrets().is_empty());
    }

    #[test]
    fn only_https_or_loopback_http_without_credentials_is_sent_to() {
        let cases = [
            ("https://bucket.s3.amazonaws.com/k?s=1", true),
            ("http://127.0.0.1:9000/k?s=1", true),
            ("http://localhost/k", true),
            ("http://[::1]:9000/k", true),
            ("http://bucket.s3.amazonaws.com/k?s=1", false),
            ("ftp://bucket/k", false),
            ("https://user:pw@bucket.s3.amazonaws.com/k", false),
        ];
        for (text, allowed) in cases {
            let checked = url(text).check("PUT");
            assert_eq!(checked.is_ok(), allowed, "{text}");
            if let Err(error) = checked {
                let message = error.to_string();
                assert!(message.starts_with("PUT "), "{message}");
                assert!(
                    !message.contains("s=1") && !message.contains("pw"),
                    "{message}"
                );
            }
        }
    }

    #[test]
    fn a_quoted_credential_is_scrubbed() {
        let signed = url(SIGNED);
        assert_eq!(
            scrub("bad signature 0123456789abcdef", &signed),
            "bad signature ***"
        );
    }
}
