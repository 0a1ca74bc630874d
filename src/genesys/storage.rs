//! Transfers to and from the presigned URLs of Architect jobs: the flow file `PUT` to an import
//! job's `presignedUrl` ("Presigned URL to upload the file in S3", PY-SDK
//! `RegisterArchitectJobResponse`) and the `GET` of an export job's `downloadUrl`.
//!
//! These go to a storage host, not to the API, so they never carry the bearer token: the URL's
//! query (its signature) is the credential, as in the Terraform provider, whose `S3Uploader`
//! and `downloadExportFile` send no `Authorization`. For the same reason the query never
//! reaches a message: errors, debug lines and `Debug` output name the URL as
//! `scheme://host/path` only, the client's own errors are stripped of the URL, and the query is
//! handed to the console's redactor the moment the API answers it. Only `https` is used, or
//! `http` to a loopback host (the sandbox serves its presigned URLs on loopback).
//!
//! Both transfers are retried like reads: a connection that fails, a 429, a 5xx. A 403 with
//! S3's XML body is final and reported with S3's `Code` and `Message`, never the body itself
//! (S3's `SignatureDoesNotMatch` body quotes the signature it was given).

use super::client::GenesysClient;
use super::endpoint::{self, Endpoint};
use super::error::{ApiError, StorageError};
use super::jobs::RegisteredImport;
use super::presigned::PresignedUrl;
use super::presigned::scrub;
use super::response::{NotReceived, Received, receive};
use crate::retry::{self, AttemptFailure, Decision};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use tokio::time::Instant;

/// The largest export the Action downloads. A bot's YAML is well under a megabyte; 16 MiB
/// leaves room for large NLU models while a runaway answer still costs no memory.
pub const MAX_DOWNLOAD_BYTES: usize = 16 * 1024 * 1024;

/// S3's error body, `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`:
/// those three elements only. Everything else in it (`SignatureProvided`, `StringToSign`,
/// `CanonicalRequest`) may quote the credential.
fn s3_error(body: &[u8]) -> (Option<String>, Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(body);
    let element = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = text.find(&open)? + open.len();
        let end = start + text[start..].find(&close)?;
        let value = unescape_xml(text[start..end].trim());
        (!value.is_empty()).then(|| value.chars().take(300).collect::<String>())
    };
    (element("Code"), element("Message"), element("RequestId"))
}

fn unescape_xml(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The headers a registration asked for, as HTTP headers. A name or value that is not valid
/// HTTP is an error naming the header, never its value.
pub fn upload_headers(
    headers: &BTreeMap<String, String>,
    url: &PresignedUrl,
) -> Result<HeaderMap, ApiError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let parsed = HeaderName::from_bytes(name.trim().as_bytes())
            .ok()
            .zip(HeaderValue::from_str(value).ok());
        let Some((name_ok, value_ok)) = parsed else {
            return Err(ApiError::Transfer {
                method: "PUT".into(),
                url: url.redacted(),
                problem: format!(
                    "refusing to send: the job registration's header {name:?} is not a valid HTTP header"
                ),
            });
        };
        map.insert(name_ok, value_ok);
    }
    Ok(map)
}

impl GenesysClient {
    /// Hands a presigned URL's credential to the console's redactor (and the runner's
    /// masker), so that it is hidden wherever it might be printed.
    pub(super) fn hide_presigned(&self, url: &PresignedUrl) {
        for secret in url.secrets() {
            self.inner.console.mask(&secret);
        }
    }

    /// `PUT <presignedUrl>` of a flow file: exactly the headers the job registration
    /// returned (a missing or different signed header is S3's `SignatureDoesNotMatch`), the
    /// YAML as the body, and no bearer token.
    ///
    /// Retried on a failed connection, a timeout, 429 and 5xx, within `deadline`: a `PUT` of
    /// the same bytes is idempotent, and the Terraform provider retries this upload for 20 s.
    /// Should an upload whose answer was lost have landed, the repeated `PUT` may be refused
    /// (the sandbox answers `AccessDenied` to a second upload, its guess 25): the import job
    /// then shows `Started`, which is how a caller tells the two apart.
    pub async fn upload_flow_file(
        &self,
        job: &RegisteredImport,
        yaml: &str,
        deadline: Option<Instant>,
    ) -> Result<(), ApiError> {
        let url = &job.presigned_url;
        let headers = upload_headers(&job.headers, url)?;
        let body = Some(yaml);
        let cap = self.inner.max_body;
        self.transfer(
            &endpoint::PRESIGNED_UPLOAD,
            url,
            &headers,
            body,
            cap,
            deadline,
        )
        .await
        .map(|_| ())
    }

    /// `GET <downloadUrl>` of an export: the file's text (the YAML), at most
    /// [`MAX_DOWNLOAD_BYTES`], without the bearer token, retried like a read.
    pub async fn download_export(
        &self,
        url: &PresignedUrl,
        deadline: Option<Instant>,
    ) -> Result<String, ApiError> {
        let endpoint = &endpoint::PRESIGNED_DOWNLOAD;
        let body = self
            .transfer(
                endpoint,
                url,
                &HeaderMap::new(),
                None,
                MAX_DOWNLOAD_BYTES,
                deadline,
            )
            .await?;
        String::from_utf8(body).map_err(|_| ApiError::Transfer {
            method: endpoint.method.to_string(),
            url: url.redacted(),
            problem: "the download is not UTF-8 text (an export of several flows is a zip)".into(),
        })
    }

    /// Sends one transfer to a presigned URL, retrying as `endpoint.retry` allows, and answers
    /// the body of its success.
    async fn transfer(
        &self,
        endpoint: &'static Endpoint,
        url: &PresignedUrl,
        headers: &HeaderMap,
        body: Option<&str>,
        cap: usize,
        deadline: Option<Instant>,
    ) -> Result<Vec<u8>, ApiError> {
        let method = endpoint.method.as_str();
        url.check(method)?;
        let shown = url.redacted();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            self.inner.counters.requests.fetch_add(1, Ordering::Relaxed);
            let mut builder = self
                .inner
                .http
                .request(endpoint.method.clone(), url.expose().clone())
                .headers(headers.clone());
            if let Some(body) = body {
                builder = builder.body(body.to_string());
            }
            let sent_at = Instant::now();
            let sent = builder.send().await.map_err(reqwest::Error::without_url);
            let received = receive(sent, cap).await.map_err(NotReceived::without_url);
            self.trace(method, &shown, attempts, sent_at, &received);
            let (failure, error) = match received {
                Ok(Received { status, body, .. }) if status.is_success() => return Ok(body),
                Ok(Received {
                    status,
                    retry_after,
                    body,
                    ..
                }) => {
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        self.inner
                            .counters
                            .rate_limited
                            .fetch_add(1, Ordering::Relaxed);
                    }
                    let (code, message, request_id) = s3_error(&body);
                    let message = message.unwrap_or_else(|| {
                        status.canonical_reason().unwrap_or("no message").into()
                    });
                    let error = ApiError::Storage(Box::new(StorageError {
                        method: method.to_string(),
                        url: shown.clone(),
                        status: status.as_u16(),
                        code,
                        message: scrub(&message, url),
                        request_id,
                        attempts,
                        retry_after,
                    }));
                    let failure = AttemptFailure::Status {
                        status: status.as_u16(),
                        retry_after,
                    };
                    (failure, error)
                }
                Err(failed) => {
                    let failure = failed.attempt_failure();
                    (failure, failed.into_error(method, &shown, attempts, cap))
                }
            };
            match retry::decide(endpoint.retry, failure) {
                Decision::Retry { retry_after } => {
                    self.pause_before_retry(attempts, retry_after, deadline, error)
                        .await?;
                }
                // No token goes to a storage host, so a 401 there is final.
                Decision::RefreshToken | Decision::GiveUp => return Err(error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &str = "https://bucket.s3.amazonaws.com/imports/job-1.yaml?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101&X-Amz-Signature=0123456789abcdef";

    fn url(text: &str) -> PresignedUrl {
        PresignedUrl::parse(text).expect("a URL")
    }

    #[test]
    fn s3_errors_give_code_message_and_request_id_only() {
        let body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key &amp; signing method.</Message><SignatureProvided>0123456789abcdef</SignatureProvided><RequestId>R1</RequestId></Error>";
        let (code, message, request_id) = s3_error(body);
        assert_eq!(code.as_deref(), Some("SignatureDoesNotMatch"));
        assert!(
            message
                .as_deref()
                .is_some_and(|m| m.ends_with("key & signing method."))
        );
        assert_eq!(request_id.as_deref(), Some("R1"));
        assert_eq!(s3_error(b"not xml"), (None, None, None));
        assert_eq!(
            s3_error(b"<Error><Code></Code></Error>"),
            (None, None, None)
        );
    }

    #[test]
    fn registration_headers_become_http_headers_or_an_error_naming_the_header() {
        let signed = url(SIGNED);
        let mut headers = BTreeMap::new();
        headers.insert(
            "Content-Type".to_string(),
            "application/octet-stream".into(),
        );
        headers.insert("x-amz-server-side-encryption".to_string(), "AES256".into());
        let map = upload_headers(&headers, &signed).expect("valid headers");
        assert_eq!(map.len(), 2);
        assert_eq!(map["content-type"], "application/octet-stream");
        headers.insert("bad header".to_string(), "v".into());
        let error = upload_headers(&headers, &signed).expect_err("a bad name");
        assert!(error.to_string().contains("\"bad header\""), "{error}");
        let mut headers = BTreeMap::new();
        headers.insert("x-amz-meta".to_string(), "line\nbreak-secret".into());
        let error = upload_headers(&headers, &signed).expect_err("a bad value");
        assert!(!error.to_string().contains("break-secret"), "{error}");
    }
}
