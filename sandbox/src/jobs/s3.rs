//! The presigned URLs of the jobs, served by the sandbox itself on loopback under
//! `/presigned/...`: no bearer token, the URL (its `X-Amz-Signature`) is the credential, as for
//! the real "Presigned URL to upload the file in S3" (PY-SDK `RegisterArchitectJobResponse`).
//!
//! GUESS: the header values, the query, the statuses and the S3-like XML error bodies; S3
//! answers a signed header that is missing or different with `SignatureDoesNotMatch`, which is
//! what the sandbox answers too. URLs do not expire here.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::jobs::Job;
use crate::state::State;

/// The headers an upload must carry, exactly (`RegisterArchitectJobResponse.headers`).
pub const UPLOAD_HEADERS: [(&str, &str); 2] = [
    ("Content-Type", "application/octet-stream"),
    ("x-amz-server-side-encryption", "AES256"),
];

/// Where the sandbox serves uploads and downloads.
pub(crate) const UPLOAD_PATH: &str = "/presigned/architect-jobs";
pub(crate) const DOWNLOAD_PATH: &str = "/presigned/architect-exports";

fn base_url(state: &State) -> String {
    state.push.addr.map_or_else(
        || "http://127.0.0.1".to_owned(),
        |addr| format!("http://{addr}"),
    )
}

fn query(job: &Job, signed: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-SignedHeaders={signed}&X-Amz-Signature={}",
        job.signature
    )
}

/// The import job's `presignedUrl`.
pub(crate) fn upload_url(state: &State, job: &Job) -> String {
    let signed = "content-type%3Bhost%3Bx-amz-server-side-encryption";
    format!(
        "{}{UPLOAD_PATH}/{}?{}",
        base_url(state),
        job.id,
        query(job, signed)
    )
}

/// The export job's `downloadUrl`.
pub(crate) fn download_url(state: &State, job: &Job) -> String {
    format!(
        "{}{DOWNLOAD_PATH}/{}?{}",
        base_url(state),
        job.id,
        query(job, "host")
    )
}

/// An S3-like refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct S3Error {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: &'static str,
    /// What the sandbox records as the reason.
    pub reason: String,
}

impl S3Error {
    pub fn signature(reason: String) -> S3Error {
        S3Error {
            status: StatusCode::FORBIDDEN,
            code: "SignatureDoesNotMatch",
            message: "The request signature we calculated does not match the signature you \
                      provided. Check your key and signing method.",
            reason,
        }
    }

    pub fn denied(reason: &str) -> S3Error {
        S3Error {
            status: StatusCode::FORBIDDEN,
            code: "AccessDenied",
            message: "Access Denied",
            reason: reason.to_owned(),
        }
    }

    pub fn no_such_key(reason: &str) -> S3Error {
        S3Error {
            status: StatusCode::NOT_FOUND,
            code: "NoSuchKey",
            message: "The specified key does not exist.",
            reason: reason.to_owned(),
        }
    }
}

impl IntoResponse for S3Error {
    fn into_response(self) -> Response {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message><RequestId>{}</RequestId></Error>",
            self.code,
            self.message,
            uuid::Uuid::new_v4().simple()
        );
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
        response
    }
}
