//! Every Genesys Cloud endpoint the Action calls, described once: its method and path, how a
//! failed request to it may be retried, and the permission it needs. The client builds
//! requests from these, an error names the permission of the endpoint that refused, and the
//! README's permission table is checked against [`ALL`].

use crate::retry::RetryPolicy;
use reqwest::Method;

/// One endpoint of the Platform API.
#[derive(Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `GET`, `POST`.
    pub method: Method,
    /// The path, with `{name}` placeholders filled in order by [`Endpoint::path_with`].
    pub path: &'static str,
    /// How a failed request may be retried.
    pub retry: RetryPolicy,
    /// The permission the OAuth client's role needs; `None` for endpoints that need none.
    pub permission: Option<&'static str>,
    /// What the Action uses it for, in the words of the README's permission table.
    pub purpose: &'static str,
}

impl Endpoint {
    /// The path with each placeholder replaced by the next of `args`, percent-encoded.
    pub fn path_with(&self, args: &[&str]) -> String {
        let mut path = String::with_capacity(self.path.len() + 40);
        let mut args = args.iter();
        let mut rest = self.path;
        while let Some(open) = rest.find('{') {
            path.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            if let Some(arg) = args.next() {
                // Form encoding escapes everything a path segment must escape, but writes a
                // space as `+`, which a path reads as a plus: a literal `+` is already `%2B`,
                // so every `+` left is a space.
                for piece in url::form_urlencoded::byte_serialize(arg.as_bytes()) {
                    path.push_str(&piece.replace('+', "%20"));
                }
            }
            rest = &rest[close..];
        }
        path.push_str(rest);
        path
    }
}

const fn endpoint(
    method: Method,
    path: &'static str,
    retry: RetryPolicy,
    permission: Option<&'static str>,
    purpose: &'static str,
) -> Endpoint {
    Endpoint {
        method,
        path,
        retry,
        permission,
        purpose,
    }
}

use RetryPolicy::{Idempotent, NotProcessedOnly};

const FLOW_VIEW: Option<&str> = Some("architect:flow:view");

/// `GET /api/v2/flows/{flowId}`.
pub static FLOW: Endpoint = endpoint(
    Method::GET,
    "/api/v2/flows/{flowId}",
    Idempotent,
    FLOW_VIEW,
    "reading the bot, its versions and the dependency flows",
);
/// `GET /api/v2/flows?id=…`, in bulk.
pub static FLOWS: Endpoint = endpoint(
    Method::GET,
    "/api/v2/flows",
    Idempotent,
    FLOW_VIEW,
    "reading the bot, its versions and the dependency flows",
);
/// `GET /api/v2/flows/{flowId}/versions`.
pub static FLOW_VERSIONS: Endpoint = endpoint(
    Method::GET,
    "/api/v2/flows/{flowId}/versions",
    Idempotent,
    FLOW_VIEW,
    "reading the bot, its versions and the dependency flows",
);
/// `GET /api/v2/flows/{flowId}/versions/{versionId}`.
pub static FLOW_VERSION: Endpoint = endpoint(
    Method::GET,
    "/api/v2/flows/{flowId}/versions/{versionId}",
    Idempotent,
    FLOW_VIEW,
    "reading the bot, its versions and the dependency flows",
);
/// `GET /api/v2/flows/{flowId}/versions/{versionId}/configuration`.
pub static FLOW_VERSION_CONFIGURATION: Endpoint = endpoint(
    Method::GET,
    "/api/v2/flows/{flowId}/versions/{versionId}/configuration",
    Idempotent,
    FLOW_VIEW,
    "reading the bot, its versions and the dependency flows",
);
/// `POST /api/v2/flows/actions/publish?flow=&version=`: never re-sent once it may have been
/// processed (SPEC rule 4).
pub static PUBLISH: Endpoint = endpoint(
    Method::POST,
    "/api/v2/flows/actions/publish",
    NotProcessedOnly,
    Some("architect:flow:publish"),
    "publishing and rolling back",
);
/// `POST /api/v2/flows/actions/unlock?flow=`: unlocking twice is harmless.
pub static UNLOCK: Endpoint = endpoint(
    Method::POST,
    "/api/v2/flows/actions/unlock",
    Idempotent,
    Some("architect:flow:unlock"),
    "only with `force-unlock: true`",
);
/// `GET /api/v2/routing/skills?id=…`.
pub static SKILLS: Endpoint = endpoint(
    Method::GET,
    "/api/v2/routing/skills",
    Idempotent,
    Some("routing:skill:view"),
    "checking skills",
);
/// `GET /api/v2/architect/dependencytracking/consumedresources`.
pub static CONSUMED_RESOURCES: Endpoint = endpoint(
    Method::GET,
    "/api/v2/architect/dependencytracking/consumedresources",
    Idempotent,
    Some("architect:dependencyTracking:view"),
    "`discover-dependencies` (on by default)",
);
/// `GET /api/v2/tokens/me`: needs no permission.
pub static TOKEN_INFO: Endpoint = endpoint(
    Method::GET,
    "/api/v2/tokens/me",
    Idempotent,
    None,
    "naming the token's org and OAuth client",
);
/// `GET /api/v2/organizations/me`: needs no permission.
pub static ORGANIZATION: Endpoint = endpoint(
    Method::GET,
    "/api/v2/organizations/me",
    Idempotent,
    None,
    "`expected-org` given as a short name",
);
/// `POST /api/v2/notifications/channels`: a second channel is harmless (the oldest of more
/// than 20 is removed); needs no permission.
pub static CHANNELS: Endpoint = endpoint(
    Method::POST,
    "/api/v2/notifications/channels",
    Idempotent,
    None,
    "waiting by push",
);
/// `POST /api/v2/notifications/channels/{channelId}/subscriptions`: subscribing again is
/// harmless. The `v2.flows.{id}` topic itself needs `architect:flow:view`.
pub static SUBSCRIPTIONS: Endpoint = endpoint(
    Method::POST,
    "/api/v2/notifications/channels/{channelId}/subscriptions",
    Idempotent,
    None,
    "waiting by push",
);
/// `POST /api/v2/textbots/botflows/sessions`: a session is harmless to start again.
pub static BOT_SESSIONS: Endpoint = endpoint(
    Method::POST,
    "/api/v2/textbots/botflows/sessions",
    Idempotent,
    Some("textbots:botFlowSession:execute"),
    "only with `smoke-test`",
);
/// `POST /api/v2/textbots/botflows/sessions/{sessionId}/turns`, retried like a read
/// (issue 11: one 503 must not fail a good version's smoke test).
pub static BOT_TURNS: Endpoint = endpoint(
    Method::POST,
    "/api/v2/textbots/botflows/sessions/{sessionId}/turns",
    Idempotent,
    Some("textbots:botFlowSession:execute"),
    "only with `smoke-test`",
);

/// `POST /api/v2/flows/jobs` (no body): registers an import job and answers its presigned
/// upload URL. Retried like a read, also after an answer that may have been lost: a second
/// registration only makes another presigned URL and another job that stays `Registered`,
/// since "a file ... can be PUT which will then initiate the job" (PY-SDK `post_flows_jobs`);
/// nothing runs until a file is uploaded to it.
pub static IMPORT_JOBS: Endpoint = endpoint(
    Method::POST,
    "/api/v2/flows/jobs",
    Idempotent,
    Some("architect:job:create"),
    "importing a flow file (YAML)",
);
/// `GET /api/v2/flows/jobs/{jobId}?expand=messages`.
pub static IMPORT_JOB: Endpoint = endpoint(
    Method::GET,
    "/api/v2/flows/jobs/{jobId}",
    Idempotent,
    Some("architect:job:view"),
    "importing a flow file (YAML)",
);
/// `PUT <presignedUrl>`: the flow file, to the storage host (S3), never with the bearer
/// token. Retried like a read: a `PUT` of the same bytes is idempotent, and the Terraform
/// provider retries this upload for 20 s (`UploadWithRetries`). Not an API path: the client
/// sends it by [`crate::genesys::storage`], which needs no permission.
pub static PRESIGNED_UPLOAD: Endpoint = endpoint(
    Method::PUT,
    "(presigned upload URL)",
    Idempotent,
    None,
    "importing a flow file (YAML)",
);
/// `POST /api/v2/flows/export/jobs`: a second export job is harmless (it only reads), so it is
/// retried like a read. Answers 429 with `Retry-After` up to 58 s under load (TF PR#2214),
/// which the client honours (up to [`crate::config::Tuning::max_retry_after`], within the
/// request's deadline).
pub static EXPORT_JOBS: Endpoint = endpoint(
    Method::POST,
    "/api/v2/flows/export/jobs",
    Idempotent,
    Some("architect:jobExport:create"),
    "exporting a version as YAML",
);
/// `GET /api/v2/flows/export/jobs/{jobId}?expand=messages`.
pub static EXPORT_JOB: Endpoint = endpoint(
    Method::GET,
    "/api/v2/flows/export/jobs/{jobId}",
    Idempotent,
    Some("architect:jobExport:view"),
    "exporting a version as YAML",
);
/// `GET <downloadUrl>`: the exported file, from the storage host, never with the bearer token.
pub static PRESIGNED_DOWNLOAD: Endpoint = endpoint(
    Method::GET,
    "(presigned download URL)",
    Idempotent,
    None,
    "exporting a version as YAML",
);
/// `POST /api/v2/flows/{flowId}/history`: starts generating the flow's history (an
/// asynchronous `Operation`, PY-SDK `post_flow_history`). Asking twice is harmless.
pub static FLOW_HISTORY_REQUEST: Endpoint = endpoint(
    Method::POST,
    "/api/v2/flows/{flowId}/history",
    Idempotent,
    FLOW_VIEW,
    "reading the bot, its versions and the dependency flows",
);
/// `GET /api/v2/flows/{flowId}/history/{historyId}`: the generated `HistoryListing`.
pub static FLOW_HISTORY: Endpoint = endpoint(
    Method::GET,
    "/api/v2/flows/{flowId}/history/{historyId}",
    Idempotent,
    FLOW_VIEW,
    "reading the bot, its versions and the dependency flows",
);
/// `GET /api/v2/architect/dependencytracking/consumingresources`: the flows that call the bot.
/// The permission is the one `consumedresources` needs, so the README's row is shared.
pub static CONSUMING_RESOURCES: Endpoint = endpoint(
    Method::GET,
    "/api/v2/architect/dependencytracking/consumingresources",
    Idempotent,
    Some("architect:dependencyTracking:view"),
    "`discover-dependencies` (on by default)",
);
/// `GET /api/v2/routing/queues?name=`.
pub static QUEUES: Endpoint = endpoint(
    Method::GET,
    "/api/v2/routing/queues",
    Idempotent,
    Some("routing:queue:view"),
    "checking the queues a flow file names",
);
/// `GET /api/v2/integrations/actions?name=`. The PY-SDK accepts `integrations:action:view`
/// or `bridge:actions:view`; the README names the first.
pub static DATA_ACTIONS: Endpoint = endpoint(
    Method::GET,
    "/api/v2/integrations/actions",
    Idempotent,
    Some("integrations:action:view"),
    "checking the data actions a flow file names",
);
/// `GET /api/v2/knowledge/knowledgebases?name=`.
pub static KNOWLEDGE_BASES: Endpoint = endpoint(
    Method::GET,
    "/api/v2/knowledge/knowledgebases",
    Idempotent,
    Some("knowledge:knowledgebase:view"),
    "checking the knowledge bases a flow file names",
);

/// Every endpoint above.
pub static ALL: &[&Endpoint] = &[
    &FLOW,
    &FLOWS,
    &FLOW_VERSIONS,
    &FLOW_VERSION,
    &FLOW_VERSION_CONFIGURATION,
    &PUBLISH,
    &UNLOCK,
    &SKILLS,
    &CONSUMED_RESOURCES,
    &TOKEN_INFO,
    &ORGANIZATION,
    &CHANNELS,
    &SUBSCRIPTIONS,
    &BOT_SESSIONS,
    &BOT_TURNS,
    &IMPORT_JOBS,
    &IMPORT_JOB,
    &PRESIGNED_UPLOAD,
    &EXPORT_JOBS,
    &EXPORT_JOB,
    &PRESIGNED_DOWNLOAD,
    &FLOW_HISTORY_REQUEST,
    &FLOW_HISTORY,
    &CONSUMING_RESOURCES,
    &QUEUES,
    &DATA_ACTIONS,
    &KNOWLEDGE_BASES,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_order_and_encoded() {
        assert_eq!(
            FLOW_VERSION.path_with(&["f 1", "3.0"]),
            "/api/v2/flows/f%201/versions/3.0"
        );
        // In a path `+` is a plus, not a space: both are escaped.
        assert_eq!(
            FLOW_VERSION.path_with(&["f", "1.0+hotfix"]),
            "/api/v2/flows/f/versions/1.0%2Bhotfix"
        );
        assert_eq!(
            BOT_TURNS.path_with(&["s/../x"]),
            "/api/v2/textbots/botflows/sessions/s%2F..%2Fx/turns"
        );
        assert_eq!(FLOWS.path_with(&[]), "/api/v2/flows");
    }

    #[test]
    fn every_endpoint_is_listed_once_and_only_publish_is_never_resent() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert!(a.path != b.path || a.method != b.method, "{a:?} twice");
            }
        }
        let never_resent: Vec<&str> = ALL
            .iter()
            .filter(|e| e.retry == NotProcessedOnly)
            .map(|e| e.path)
            .collect();
        assert_eq!(never_resent, ["/api/v2/flows/actions/publish"]);
    }
}
