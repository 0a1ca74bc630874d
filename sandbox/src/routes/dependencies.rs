//! `GET /api/v2/architect/dependencytracking/consumedresources` (genesys-api.md §2), with the
//! statuses and codes of SWAGGER-2018 (genesys-api-verified.md finding H): `id`, `version` and
//! `objectType` are required ("Only versioned types are allowed here", PY-SDK).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::Value;

use crate::architect::model;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::paging::{Page, listing};
use crate::http::query::QueryParams;
use crate::state::{FlowState, Shared};

/// The flow object types of the `objectType` enum (PY-SDK `ArchitectApi.md`): the versioned
/// objects the sandbox has.
const FLOW_OBJECT_TYPES: [&str; 18] = [
    "BOTFLOW",
    "COMMONMODULEFLOW",
    "DIGITALBOTFLOW",
    "EMAILSENDFLOW",
    "INBOUNDCALLFLOW",
    "INBOUNDCHATFLOW",
    "INBOUNDEMAILFLOW",
    "INBOUNDSHORTMESSAGEFLOW",
    "INQUEUECALLFLOW",
    "INQUEUEEMAILFLOW",
    "INQUEUESHORTMESSAGEFLOW",
    "OUTBOUNDCALLFLOW",
    "SECURECALLFLOW",
    "SURVEYINVITEFLOW",
    "VOICEFLOW",
    "VOICEMAILFLOW",
    "VOICESURVEYFLOW",
    "WORKITEMFLOW",
];

fn bad_request(code: &str, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

fn object_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "architect.dependency.object.not.found",
        "Could not find the dependency object with specified ID and version.",
    )
}

/// What a flow version consumes, filtered by `resourceType` (repeated; none = all), paged.
pub(super) async fn consumed(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    let given = |name: &str| q.get(name).filter(|v| !v.trim().is_empty());
    shared.with(|state, _| {
        let page = Page::from_query(&q, state.settings.max_page_size)?;
        // GUESS: which of SWAGGER-2018's 400s answers a missing `id` or `objectType`; its
        // `architect.query.parameter.missing` says what happened.
        let (Some(id), Some(object_type)) = (given("id"), given("objectType")) else {
            return Err(bad_request(
                "architect.query.parameter.missing",
                "A required query parameter is missing or empty.",
            ));
        };
        let Some(version) = given("version") else {
            return Err(bad_request(
                "architect.dependency.object.version.not.specified",
                "A version was not specified for the dependency object.",
            ));
        };
        let object_type = object_type.to_ascii_uppercase();
        // GUESS: every type but the flow types counts as invalid here (the sandbox has no
        // other versioned objects).
        if !FLOW_OBJECT_TYPES.contains(&object_type.as_str()) {
            return Err(bad_request(
                "architect.dependency.object.invalid.type",
                "An invalid dependency object type was specified.",
            ));
        }
        let flow = state.flows.get(id).ok_or_else(object_not_found)?;
        if flow.deleted {
            return Err(ApiError::flow_deleted());
        }
        // Dependency tracking names a flow type with a FLOW suffix: DIGITALBOT -> DIGITALBOTFLOW.
        // GUESS: objects are found by id and type, so another flow type finds no object.
        if object_type != format!("{}FLOW", flow.flow_type) {
            return Err(object_not_found());
        }
        // Checked-in versions are tracked too (genesys-api-verified.md [VERIFY] open q. 6).
        let spec = flow
            .version(version)
            .ok_or_else(ApiError::version_missing)?;
        let resource_types: Vec<String> = q
            .list("resourceType")
            .iter()
            .map(|t| t.to_ascii_uppercase())
            .collect();
        let all = model::consumed_of(state, flow, spec)
            .iter()
            .filter(|c| resource_types.is_empty() || resource_types.contains(&c.resource_type))
            .map(|c| model::dependency(state, c))
            .collect();
        let path = "/api/v2/architect/dependencytracking/consumedresources";
        Ok(Json(listing(all, page, path, &q)))
    })
}

/// `GET /api/v2/architect/dependencytracking/consumingresources?id=&objectType=[&version=]
/// [&flowFilter=published|checkedIn][&resourceType=...]` (`architect:dependencyTracking:view`,
/// flow-artifacts.md §3): the flow versions that call a bot flow, from the scenario's `calls`.
// GUESS: without `flowFilter` both the published and the checked-in version of each caller are
// looked at (one entry per caller version); `version` keeps the callers of that bot version,
// where a `latest` call consumes the bot's published version; the errors mirror
// consumedresources'.
pub(super) async fn consuming(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = QueryParams::parse(raw.as_deref());
    let given = |name: &str| q.get(name).filter(|v| !v.trim().is_empty());
    shared.with(|state, _| {
        let page = Page::from_query(&q, state.settings.max_page_size)?;
        let (Some(id), Some(object_type)) = (given("id"), given("objectType")) else {
            return Err(bad_request(
                "architect.query.parameter.missing",
                "A required query parameter is missing or empty.",
            ));
        };
        let object_type = object_type.to_ascii_uppercase();
        if !FLOW_OBJECT_TYPES.contains(&object_type.as_str()) {
            return Err(bad_request(
                "architect.dependency.object.invalid.type",
                "An invalid dependency object type was specified.",
            ));
        }
        let filter = given("flowFilter");
        let (published, checked_in) = match filter {
            None => (true, true),
            Some("published") => (true, false),
            Some("checkedIn") => (false, true),
            Some(other) => {
                let allowed = ["checkedIn", "published"];
                return Err(ApiError::invalid_value(other, "flowFilter", &allowed));
            }
        };
        let bot = state.flows.get(id).ok_or_else(object_not_found)?;
        if bot.deleted {
            return Err(ApiError::flow_deleted());
        }
        if object_type != format!("{}FLOW", bot.flow_type) {
            return Err(object_not_found());
        }
        let wanted = given("version");
        let live = bot.published.as_deref();
        let resource_types: Vec<String> = q
            .list("resourceType")
            .iter()
            .map(|t| t.to_ascii_uppercase())
            .collect();
        let mut callers: Vec<&FlowState> = state
            .flows
            .values()
            .filter(|f| !f.deleted && f.id != bot.id)
            .filter(|f| {
                resource_types.is_empty()
                    || resource_types.contains(&format!("{}FLOW", f.flow_type))
            })
            .collect();
        callers.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        let mut all = Vec::new();
        for caller in callers {
            let mut versions: Vec<&String> = Vec::new();
            for (wanted_kind, v) in [
                (published, &caller.published),
                (checked_in, &caller.checked_in),
            ] {
                if let (true, Some(v)) = (wanted_kind, v)
                    && !versions.contains(&v)
                {
                    versions.push(v);
                }
            }
            for v in versions {
                let Some(spec) = caller.version(v) else {
                    continue;
                };
                let calls = caller.calls_of(spec).iter().filter(|c| c.bot == bot.id);
                let matching = calls
                    .filter(|c| wanted.is_none_or(|w| c.pinned().or(live) == Some(w)))
                    .count();
                if matching > 0 {
                    all.push(model::consumer(caller, v));
                }
            }
        }
        let path = "/api/v2/architect/dependencytracking/consumingresources";
        Ok(Json(listing(all, page, path, &q)))
    })
}
