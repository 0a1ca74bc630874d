//! The calls the Action makes, typed, each on its [`super::endpoint`]. Ids reach a
//! URL only after config validation, and are still percent-encoded there.

use super::client::{Answer, GenesysClient, Request};
use super::endpoint::{self, Endpoint};
use super::error::ApiError;
use super::models::{
    Dependency, Flow, FlowVersion, Listing, Operation, Organization, Skill, TokenInfo,
};
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use url::form_urlencoded::Serializer;

/// Ids per bulk request: 100 UUIDs keep the URL near 4 KB, well under common limits, and
/// 200 flows + 200 skills take four requests.
pub const IDS_PER_REQUEST: usize = 100;
/// Page size for listings; the CX as Code provider pages at 500, the SDK default is 25.
pub const PAGE_SIZE: usize = 100;
/// Bulk lookups in flight at once: 200 flows and 200 skills take their four requests together.
const BULK_CONCURRENCY: usize = 4;

/// `pairs` as an encoded query string.
pub(super) fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

impl GenesysClient {
    /// `GET /api/v2/flows/{id}`.
    pub async fn get_flow(
        &self,
        flow_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Answer<Flow>, ApiError> {
        self.send(&Request::to(&endpoint::FLOW, &[flow_id]).until(deadline))
            .await
    }

    /// `GET /api/v2/flows/{id}/versions/{versionId}`: proves a version exists before it is
    /// published, since a publish of an unknown version may answer 200 and do nothing
    /// (genesys-api.md §1.3).
    pub async fn get_flow_version(
        &self,
        flow_id: &str,
        version: &str,
    ) -> Result<Answer<serde_json::Value>, ApiError> {
        self.send(&Request::to(&endpoint::FLOW_VERSION, &[flow_id, version]))
            .await
    }

    /// `GET /api/v2/tokens/me`: the token's org and OAuth client. Needs no permission.
    pub async fn token_info(&self) -> Result<Answer<TokenInfo>, ApiError> {
        self.send(&Request::to(&endpoint::TOKEN_INFO, &[])).await
    }

    /// `GET /api/v2/organizations/me`: the token's org, with its unchangeable short name.
    /// Needs no permission.
    pub async fn organization(&self) -> Result<Answer<Organization>, ApiError> {
        self.send(&Request::to(&endpoint::ORGANIZATION, &[])).await
    }

    /// A version's configuration (`GET /api/v2/flows/{id}/versions/{v}/configuration`): the
    /// flow's content as JSON, to compare two versions.
    pub async fn version_configuration(
        &self,
        flow_id: &str,
        version: &str,
    ) -> Result<Answer<serde_json::Value>, ApiError> {
        let request = Request::to(&endpoint::FLOW_VERSION_CONFIGURATION, &[flow_id, version]);
        self.send(&request).await
    }

    /// Every version of a flow (`GET /api/v2/flows/{id}/versions`, all pages).
    pub async fn flow_versions(&self, flow_id: &str) -> Result<Vec<FlowVersion>, ApiError> {
        self.all_pages(&endpoint::FLOW_VERSIONS, &[flow_id], "")
            .await
    }

    /// `POST /api/v2/flows/actions/publish?flow=&version=` (no body). Never retried once
    /// it may have been processed. The answer is the started `Operation` (200), or nothing
    /// (202 "Accepted - the publish has begun", declared by the swagger with no body).
    pub async fn publish(
        &self,
        flow_id: &str,
        version: &str,
    ) -> Result<Answer<Option<Operation>>, ApiError> {
        let q = query(&[("flow", flow_id), ("version", version)]);
        self.send(&Request::to(&endpoint::PUBLISH, &[]).query(&q))
            .await
    }

    /// `POST /api/v2/flows/actions/unlock?flow=`. Unlocking twice is harmless, so it is
    /// retried like a read.
    pub async fn unlock(&self, flow_id: &str) -> Result<Answer<Flow>, ApiError> {
        let q = query(&[("flow", flow_id)]);
        self.send(&Request::to(&endpoint::UNLOCK, &[]).query(&q))
            .await
    }

    /// Flows by id, in bulk (`GET /api/v2/flows?id=…`). Missing ids are simply absent.
    pub async fn get_flows(&self, ids: &[String]) -> Result<Vec<Flow>, ApiError> {
        self.bulk(&endpoint::FLOWS, ids).await
    }

    /// Skills by id, in bulk (`GET /api/v2/routing/skills?id=…`). Missing ids are absent.
    pub async fn get_skills(&self, ids: &[String]) -> Result<Vec<Skill>, ApiError> {
        self.bulk(&endpoint::SKILLS, ids).await
    }

    /// What a flow version consumes, by dependency tracking, all pages.
    pub async fn consumed_resources(
        &self,
        flow_id: &str,
        version: &str,
        object_type: &str,
        resource_types: &[&str],
    ) -> Result<Vec<Dependency>, ApiError> {
        let mut pairs = vec![
            ("id", flow_id),
            ("version", version),
            ("objectType", object_type),
        ];
        pairs.extend(resource_types.iter().map(|t| ("resourceType", *t)));
        self.all_pages(&endpoint::CONSUMED_RESOURCES, &[], &query(&pairs))
            .await
    }

    /// The published flows that call the bot: `GET /api/v2/architect/dependencytracking/
    /// consumingresources?id=&objectType=&flowFilter=published`, all pages (PY-SDK
    /// `get_architect_dependencytracking_consumingresources`; `objectType` is the bot's
    /// dependency type, [`Flow::object_type`]). Each entry is a caller's `{id, name, version,
    /// type}`: the version of the calling flow that calls the bot.
    pub async fn callers(
        &self,
        bot_id: &str,
        object_type: &str,
    ) -> Result<Vec<Dependency>, ApiError> {
        let pairs = [
            ("id", bot_id),
            ("objectType", object_type),
            ("flowFilter", "published"),
        ];
        self.all_pages(&endpoint::CONSUMING_RESOURCES, &[], &query(&pairs))
            .await
    }

    /// Looks ids up in batches, a few at once, each batch with all its pages; the result
    /// keeps the batches' order.
    async fn bulk<T: DeserializeOwned>(
        &self,
        endpoint: &'static Endpoint,
        ids: &[String],
    ) -> Result<Vec<T>, ApiError> {
        // The requests are built first: a stream whose closure borrows would make the run's
        // future lose `Send`.
        let requests: Vec<_> = ids
            .chunks(IDS_PER_REQUEST)
            .map(|chunk| {
                let pairs: Vec<(&str, &str)> = chunk.iter().map(|id| ("id", id.as_str())).collect();
                self.all_pages_with(endpoint, query(&pairs))
            })
            .collect();
        let batches: Vec<Vec<T>> = stream::iter(requests)
            .buffered(BULK_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(batches.into_iter().flatten().collect())
    }

    async fn all_pages_with<T: DeserializeOwned>(
        &self,
        endpoint: &'static Endpoint,
        query: String,
    ) -> Result<Vec<T>, ApiError> {
        self.all_pages(endpoint, &[], &query).await
    }

    /// Every item of a paged listing, page after page while the page count (or a full page)
    /// says there is more.
    pub(super) async fn all_pages<T: DeserializeOwned>(
        &self,
        endpoint: &'static Endpoint,
        args: &[&str],
        base_query: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut page = 1u32;
        loop {
            let paging = format!("pageSize={PAGE_SIZE}&pageNumber={page}");
            let request = Request::to(endpoint, args).query(base_query).query(&paging);
            let listing: Listing<T> = self.send(&request).await?.body;
            let count = listing.entities.len();
            items.extend(listing.entities);
            let more_pages = listing.page_count.is_some_and(|pages| page < pages);
            // Without a page count, a full page may be followed by another.
            let maybe_more = listing.page_count.is_none() && count == PAGE_SIZE;
            if !(more_pages || maybe_more) || page >= 1000 {
                return Ok(items);
            }
            page += 1;
        }
    }
}
