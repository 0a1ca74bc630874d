//! Architect jobs: import (`/api/v2/flows/jobs`) and export (`/api/v2/flows/export/jobs`), and
//! their presigned URLs, which need no bearer token (genesys-api-verified.md Q5; permissions
//! `architect:job:create`/`view` and `architect:jobExport:create`/`view`, which the sandbox
//! does not check: use a `forbidden` fault for a role without them).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, ETAG};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::Value;

use crate::http::errors::{ApiError, ApiResult};
use crate::http::middleware::Caller;
use crate::http::query::QueryParams;
use crate::jobs::s3::S3Error;
use crate::jobs::{JobKind, JobStatus, TransferRecord};
use crate::state::Shared;

/// `POST /api/v2/flows/jobs` (no body): `{id, presignedUrl, headers, selfUri}`.
// GUESS: 200.
pub(super) async fn register_import(
    State(shared): State<Arc<Shared>>,
    Extension(Caller(caller)): Extension<Caller>,
) -> Json<Value> {
    Json(shared.with(|state, now| state.register_import(&caller, now)))
}

fn status(shared: &Shared, kind: JobKind, job_id: &str, raw: Option<&str>) -> ApiResult<Value> {
    let q = QueryParams::parse(raw);
    let expand = q.list("expand").iter().any(|e| e == "messages");
    shared.with(|state, now| {
        let job = state
            .job(kind, job_id)
            .ok_or_else(|| ApiError::not_found(format!("Job {job_id} not found")))?;
        Ok(job.to_json(state, now, expand))
    })
}

/// `GET /api/v2/flows/jobs/{jobId}[?expand=messages]`.
pub(super) async fn import_status(
    State(shared): State<Arc<Shared>>,
    Path(job_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    status(&shared, JobKind::Import, &job_id, raw.as_deref()).map(Json)
}

/// `POST /api/v2/flows/export/jobs`: `{id, status: "Registered", totalFlows}`.
pub(super) async fn register_export(
    State(shared): State<Arc<Shared>>,
    Extension(Caller(caller)): Extension<Caller>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}")))?;
    shared
        .with(|state, now| state.register_export(&caller, &body, now))
        .map(Json)
}

/// `GET /api/v2/flows/export/jobs/{jobId}[?expand=messages]`.
pub(super) async fn export_status(
    State(shared): State<Arc<Shared>>,
    Path(job_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    status(&shared, JobKind::Export, &job_id, raw.as_deref()).map(Json)
}

fn signature(raw: Option<&str>) -> Option<String> {
    QueryParams::parse(raw)
        .get("X-Amz-Signature")
        .map(str::to_owned)
}

/// `PUT /presigned/architect-jobs/{jobId}?...X-Amz-Signature=...`: the YAML of an import.
pub(super) async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(job_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = signature(raw.as_deref());
    let accepted =
        shared.with(|state, now| state.upload(&job_id, signature.as_deref(), &headers, &body, now));
    match accepted {
        Ok(publish) => {
            if let Some(index) = publish {
                crate::push::events::schedule(&shared, index);
            }
            let mut response = StatusCode::OK.into_response();
            let etag = format!("\"{}\"", uuid::Uuid::new_v4().simple());
            if let Ok(value) = HeaderValue::from_str(&etag) {
                response.headers_mut().insert(ETAG, value);
            }
            response
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// `GET /presigned/architect-exports/{jobId}?...X-Amz-Signature=...`: the exported YAML, once
/// the job has succeeded.
// GUESS: `text/yaml` and a `Content-Disposition` naming the file; 404 `NoSuchKey` before the
// job's success.
pub(super) async fn download(
    State(shared): State<Arc<Shared>>,
    Path(job_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let signature = signature(raw.as_deref());
    let answer = shared.with(|state, now| {
        let index = state
            .jobs
            .iter()
            .position(|j| j.kind == JobKind::Export && j.id == job_id)
            .ok_or_else(|| S3Error::no_such_key("no such export job"))?;
        let job = &state.jobs[index];
        let result = if signature.as_deref() != Some(job.signature.as_str()) {
            Err(S3Error::signature(
                "the X-Amz-Signature is wrong".to_owned(),
            ))
        } else if job.status_at(now) != JobStatus::Success {
            Err(S3Error::no_such_key("the export has not succeeded"))
        } else {
            Ok(job.export.clone().unwrap_or_default())
        };
        let (status, bytes, refused) = match &result {
            Ok((_, text)) => (200, text.len(), None),
            Err(e) => (e.status.as_u16(), 0, Some(e.reason.clone())),
        };
        state.jobs[index].downloads.push(TransferRecord {
            at: now,
            status,
            bytes,
            refused,
        });
        result
    });
    match answer {
        Ok((file_name, text)) => {
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/yaml; charset=utf-8"),
            );
            let disposition = format!("attachment; filename=\"{}\"", file_name.replace('"', ""));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(refusal) => refusal.into_response(),
    }
}
