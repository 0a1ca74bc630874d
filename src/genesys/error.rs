//! What can go wrong talking to Genesys Cloud, with the platform's own words and the
//! correlation id support needs.

use std::time::Duration;

/// An error and its causes on one line (`outer: inner: innermost`), for messages that must
/// say everything once.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        if !text.ends_with(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    text
}

/// An HTTP answer the Action could not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusError {
    /// `GET`, `POST`.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// HTTP status.
    pub status: u16,
    /// The platform's `code`, e.g. `not.found`.
    pub code: Option<String>,
    /// The platform's message.
    pub message: String,
    /// `ININ-Correlation-Id` (or the body's `contextId`).
    pub correlation_id: Option<String>,
    /// The platform's `details[]`, one line each.
    pub details: Vec<String>,
    /// How many times the request was sent.
    pub attempts: u32,
    /// The last `Retry-After`, on 429.
    pub retry_after: Option<Duration>,
    /// The permission the endpoint needs, from its description.
    pub permission: Option<&'static str>,
}

/// A transfer to or from a presigned URL (the storage host, S3) that was refused. It names the
/// URL without its query: the query is the URL's credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    /// `PUT`, `GET`.
    pub method: String,
    /// `scheme://host/path` of the presigned URL, never its query.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// S3's `<Code>`, e.g. `AccessDenied`, `SignatureDoesNotMatch`.
    pub code: Option<String>,
    /// S3's `<Message>`, else the status's reason.
    pub message: String,
    /// S3's `<RequestId>`, for the storage provider's support.
    pub request_id: Option<String>,
    /// How many times the request was sent.
    pub attempts: u32,
    /// The last `Retry-After`, if the storage host gave one.
    pub retry_after: Option<Duration>,
}

/// How a request failed before an HTTP answer arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// No connection could be made: the request never left.
    Connect,
    /// The request timed out: it may or may not have been processed.
    Timeout,
    /// The connection broke while sending or reading: it may have been processed.
    Broken,
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "could not connect",
            TransportKind::Timeout => "timed out",
            TransportKind::Broken => "connection broken",
        })
    }
}

/// Errors of the Genesys client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The platform answered with an error status.
    #[error("{} {} answered HTTP {}{}: {}{}", .0.method, .0.path, .0.status,
        .0.code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(), .0.message,
        .0.correlation_id.as_deref().map(|c| format!(" [correlation id {c}]")).unwrap_or_default())]
    Status(Box<StatusError>),
    /// No HTTP answer.
    #[error("{method} {path} {kind} after {attempts} attempt(s)")]
    Transport {
        /// Method.
        method: String,
        /// Path and query.
        path: String,
        /// What happened.
        kind: TransportKind,
        /// How many times the request was sent.
        attempts: u32,
        /// The client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not the JSON expected.
    #[error("{method} {path}: cannot read the answer as {what}: {excerpt}{}",
        correlation_id.as_deref().map(|c| format!(" [correlation id {c}]")).unwrap_or_default())]
    Decode {
        /// Method.
        method: String,
        /// Path and query.
        path: String,
        /// The type expected.
        what: &'static str,
        /// The start of the body.
        excerpt: String,
        /// `ININ-Correlation-Id`.
        correlation_id: Option<String>,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The answer was larger than the Action reads.
    #[error("{method} {path}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// Method.
        method: String,
        /// Path and query.
        path: String,
        /// The cap.
        limit: usize,
    },
    /// The storage host behind a presigned URL refused the upload or the download.
    #[error("{} {} answered HTTP {}{}: {}{}", .0.method, .0.url, .0.status,
        .0.code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(), .0.message,
        .0.request_id.as_deref().map(|r| format!(" [request id {r}]")).unwrap_or_default())]
    Storage(Box<StorageError>),
    /// A transfer to or from a presigned URL that the Action will not make, or whose answer it
    /// cannot use: a URL that is not `https` (nor loopback), headers that are not HTTP
    /// headers, a download that is not text.
    #[error("{method} {url}: {problem}")]
    Transfer {
        /// Method.
        method: String,
        /// `scheme://host/path` of the presigned URL, never its query.
        url: String,
        /// What is wrong.
        problem: String,
    },
    /// The OAuth server refused the client credentials.
    #[error("authentication failed: HTTP {status}: {error}{}{}",
        description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(),
        correlation_id.as_deref().map(|c| format!(" [correlation id {c}]")).unwrap_or_default())]
    Auth {
        /// HTTP status.
        status: u16,
        /// OAuth error code, e.g. `invalid_client`.
        error: String,
        /// Its description.
        description: Option<String>,
        /// `ININ-Correlation-Id`.
        correlation_id: Option<String>,
    },
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client")]
    Setup(#[source] reqwest::Error),
}

impl ApiError {
    /// The same error, knowing the permission its endpoint needs (for the 403 hint).
    pub fn needing(self, permission: Option<&'static str>) -> Self {
        match self {
            ApiError::Status(mut s) => {
                s.permission = permission;
                ApiError::Status(s)
            }
            other => other,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status(s) => Some(s.status),
            ApiError::Storage(s) => Some(s.status),
            ApiError::Auth { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The correlation id, when the platform gave one.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            ApiError::Status(s) => s.correlation_id.as_deref(),
            ApiError::Decode { correlation_id, .. } | ApiError::Auth { correlation_id, .. } => {
                correlation_id.as_deref()
            }
            _ => None,
        }
    }

    /// The platform's error code, when it gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status(s) => s.code.as_deref(),
            ApiError::Storage(s) => s.code.as_deref(),
            ApiError::Auth { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The platform's details, one line each.
    pub fn details(&self) -> &[String] {
        match self {
            ApiError::Status(s) => &s.details,
            _ => &[],
        }
    }

    /// Whether the request may have been processed although no success came back: a
    /// timeout, a broken connection or a 5xx. Such a publish must not be re-sent blindly.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            ApiError::Transport { kind, .. } => *kind != TransportKind::Connect,
            ApiError::Status(s) => s.status >= 500,
            ApiError::Storage(s) => s.status >= 500,
            ApiError::Decode { .. } | ApiError::TooLarge { .. } => true,
            _ => false,
        }
    }

    /// What the user should do next, where the answer says: by the platform's error code
    /// first (genesys-api-verified.md finding D), then by the status.
    pub fn hint(&self) -> Option<String> {
        if let Some(hint) = self.code().and_then(hint_for_code) {
            return Some(hint.to_string());
        }
        match self {
            ApiError::Auth { .. } => Some(
                "Check the client-id and client-secret secrets, that the OAuth client uses the Client Credentials grant, and that region (or login-url) is the org's region.".into(),
            ),
            ApiError::Status(s) if s.status == 401 => Some(
                "The token was refused. Check that the OAuth client still exists and that api-url and login-url belong to the same region.".into(),
            ),
            ApiError::Status(s) if s.status == 403 => Some(match s.permission {
                Some(permission) => format!(
                    "Give the OAuth client's role the permission {permission} (Admin > Roles/Permissions), in the division that holds the object."
                ),
                None => "The OAuth client's role lacks a permission for this call; see the README's permission table.".into(),
            }),
            ApiError::Status(s) if s.status == 429 => Some(
                "The org's API rate limit was hit (300 requests per minute per client-credentials token by default). Retry later, raise max-retries, or spread deployments out.".into(),
            ),
            ApiError::Status(s) if s.status >= 500 => Some(
                "Genesys Cloud had a server error. Retry the workflow; if it persists, give the correlation id to Genesys support.".into(),
            ),
            ApiError::Storage(s) => Some(storage_hint(s)),
            // A presigned URL is named whole (`https://host/path`), an API path is not.
            ApiError::Transport { path, .. } if path.contains("://") => Some(
                "The storage host of the job's presigned URL could not be reached. Check the runner's network and any HTTPS_PROXY setting; run again to register a new job.".into(),
            ),
            ApiError::Transport { .. } => Some(
                "Genesys Cloud could not be reached. Check region/api-url, the runner's network and any HTTPS_PROXY setting.".into(),
            ),
            _ => None,
        }
    }
}

/// What a refusal by the storage host asks the user to do.
fn storage_hint(error: &StorageError) -> String {
    match (error.status, error.code.as_deref()) {
        (500.., _) => "The storage host behind the presigned URL had a server error. Retry the workflow.".into(),
        (_, Some("SignatureDoesNotMatch")) => "The storage host did not accept the presigned URL's signature: the upload must carry exactly the headers the job registration returned. Run again to register a new job.".into(),
        (403, _) => "The storage host refused the presigned URL: it may have expired or been used already. Run again to register a new job.".into(),
        _ => "The storage host refused the transfer. Run again to register a new job.".into(),
    }
}

/// What an error code of the Architect API asks the user to do.
fn hint_for_code(code: &str) -> Option<&'static str> {
    Some(match code {
        "architect.flow.cannot.publish.missing.dependencies" => {
            "Dependencies of the version (the details list them) are missing or unpublished in this org: create or publish them, or fix the flow, then run again."
        }
        "architect.flow.variable.missing" => {
            "The flow uses a variable that is not defined: fix it in Architect, check in a new version and run again."
        }
        "architect.operation.already.in.progress" => {
            "Another operation is running on the flow (a publish, check-in or save): wait for it to finish, then run again."
        }
        "architect.flow.locked.by.user" => {
            "Another user has the flow locked: ask them to check in or discard their draft, or set force-unlock: true."
        }
        "architect.flow.deleted" => {
            "The flow is deleted: check bot-id, or restore the flow in Architect."
        }
        "architect.flow.version.missing" => {
            "The flow has no such version: check the version inputs against the flow's version history in Architect."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(method: &str, path: &str, code: u16) -> ApiError {
        ApiError::Status(Box::new(StatusError {
            method: method.into(),
            path: path.into(),
            status: code,
            code: Some("missing.permissions".into()),
            message: "You are not authorized".into(),
            correlation_id: Some("corr-1".into()),
            details: vec![],
            attempts: 1,
            retry_after: None,
            permission: None,
        }))
    }

    #[test]
    fn a_403_names_the_permission_of_the_endpoint_that_refused() {
        for endpoint in crate::genesys::endpoint::ALL {
            let error =
                status(endpoint.method.as_str(), endpoint.path, 403).needing(endpoint.permission);
            let hint = error.hint().expect("a hint");
            match endpoint.permission {
                Some(permission) => {
                    assert!(
                        hint.contains(&format!("permission {permission} ")),
                        "{}: {hint}",
                        endpoint.path
                    )
                }
                None => assert!(
                    hint.contains("permission table"),
                    "{}: {hint}",
                    endpoint.path
                ),
            }
        }
    }

    #[test]
    fn causes_are_said_once_on_one_line() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let error = Outer(std::io::Error::other("inner"));
        assert_eq!(with_causes(&error), "outer: inner");
        let plain = std::io::Error::other("alone");
        assert_eq!(with_causes(&plain), "alone");
    }

    #[test]
    fn displays_code_message_and_correlation_id() {
        assert_eq!(
            status("GET", "/api/v2/flows/x", 403).to_string(),
            "GET /api/v2/flows/x answered HTTP 403 (missing.permissions): You are not authorized [correlation id corr-1]"
        );
    }

    #[test]
    fn server_errors_and_timeouts_are_ambiguous_client_errors_are_not() {
        assert!(status("POST", "/p", 503).is_ambiguous());
        assert!(!status("POST", "/p", 400).is_ambiguous());
        assert!(!status("POST", "/p", 429).is_ambiguous());
    }
}
