//! Objects a flow file refers to by name, looked up in the target org before an import
//! (flow-artifacts.md §2: Archy YAML names queues, data actions, knowledge bases and flows,
//! never their ids). Each lookup answers the object whose name is exactly the one asked for:
//! the API's `name` filters may match more (queues: "leading and trailing asterisks allowed";
//! data actions: "partial or complete action name"), so the answers are compared here, with
//! case, as written.

use super::calls::query;
use super::client::{GenesysClient, Request};
use super::endpoint;
use super::error::ApiError;
use super::models::Flow;
use super::vocabulary::FlowType;
use serde::Deserialize;

/// Pages of a cursor listing read at most: 100 knowledge bases a page.
const MAX_CURSOR_PAGES: usize = 50;
/// The knowledge listing's largest page ("Maximum of 100").
const KNOWLEDGE_PAGE_SIZE: &str = "100";

/// An object found by name (`Queue`, `KnowledgeBase`: the parts the Action reads).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct NamedEntity {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A data action (PY-SDK `Action`): `category` is "Category of Action" (the sandbox fills it
/// with the integration's name, its guess 36) and `integrationId` its integration.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DataAction {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its category.
    #[serde(default)]
    pub category: Option<String>,
    /// The integration it belongs to.
    #[serde(default)]
    pub integration_id: Option<String>,
}

/// A page of a cursor listing (`KnowledgeBaseListing`: `entities`, `nextUri`, no page count).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CursorListing<T> {
    #[serde(default = "Vec::new")]
    entities: Vec<T>,
    #[serde(default)]
    next_uri: Option<String>,
}

/// The query of the next page, from a listing's `nextUri`, when it points at the same path:
/// the cursor (`after=…`) or page number in it is used as given.
fn next_query(next_uri: Option<&str>, path: &str) -> Option<String> {
    let (uri_path, query) = next_uri?.split_once('?')?;
    let uri_path = uri_path.split_once("://").map_or(uri_path, |(_, rest)| {
        rest.find('/').map_or("", |i| &rest[i..])
    });
    (uri_path == path && !query.is_empty()).then(|| query.to_string())
}

fn named<'a>(name: &str) -> impl Fn(&Option<String>) -> bool + 'a {
    let name = name.to_string();
    move |candidate| candidate.as_deref() == Some(name.as_str())
}

impl GenesysClient {
    /// The queue named exactly `name` (`GET /api/v2/routing/queues?name=`, all pages).
    pub async fn queue_named(&self, name: &str) -> Result<Option<NamedEntity>, ApiError> {
        let found: Vec<NamedEntity> = self
            .all_pages(&endpoint::QUEUES, &[], &query(&[("name", name)]))
            .await?;
        let is_it = named(name);
        Ok(found.into_iter().find(|q| is_it(&q.name)))
    }

    /// The data action named exactly `name`, and in `category` when one is given
    /// (`GET /api/v2/integrations/actions?name=[&category=]`, all pages).
    pub async fn data_action_named(
        &self,
        name: &str,
        category: Option<&str>,
    ) -> Result<Option<DataAction>, ApiError> {
        let mut pairs = vec![("name", name)];
        pairs.extend(category.map(|c| ("category", c)));
        let found: Vec<DataAction> = self
            .all_pages(&endpoint::DATA_ACTIONS, &[], &query(&pairs))
            .await?;
        let is_it = named(name);
        Ok(found
            .into_iter()
            .find(|a| is_it(&a.name) && category.is_none_or(|c| a.category.as_deref() == Some(c))))
    }

    /// The knowledge base named exactly `name` (`GET /api/v2/knowledge/knowledgebases?name=`).
    /// The listing pages by cursor (`after`, `nextUri`; PY-SDK `KnowledgeBaseListing`), which is
    /// followed until the name is found or the pages end.
    pub async fn knowledge_base_named(&self, name: &str) -> Result<Option<NamedEntity>, ApiError> {
        let endpoint = &endpoint::KNOWLEDGE_BASES;
        let is_it = named(name);
        let mut page_query = query(&[("name", name), ("pageSize", KNOWLEDGE_PAGE_SIZE)]);
        for _ in 0..MAX_CURSOR_PAGES {
            let request = Request::to(endpoint, &[]).query(&page_query);
            let page: CursorListing<NamedEntity> = self.send(&request).await?.body;
            if page.entities.is_empty() {
                return Ok(None);
            }
            let next = next_query(page.next_uri.as_deref(), endpoint.path);
            if let Some(found) = page.entities.into_iter().find(|k| is_it(&k.name)) {
                return Ok(Some(found));
            }
            match next {
                Some(next) if next != page_query => page_query = next,
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// The flow of `flow_type` named exactly `name` (`GET /api/v2/flows?name=&type=`, all
    /// pages; the filter takes the type in lower case).
    pub async fn flow_named(
        &self,
        name: &str,
        flow_type: &FlowType,
    ) -> Result<Option<Flow>, ApiError> {
        let flow_type = flow_type.as_str().to_ascii_lowercase();
        let pairs = [("name", name), ("type", flow_type.as_str())];
        let found: Vec<Flow> = self
            .all_pages(&endpoint::FLOWS, &[], &query(&pairs))
            .await?;
        let is_it = named(name);
        Ok(found.into_iter().find(|f| is_it(&f.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_the_next_uris_query_on_the_same_path_only() {
        let path = "/api/v2/knowledge/knowledgebases";
        let cases = [
            (
                Some("/api/v2/knowledge/knowledgebases?after=abc&pageSize=100"),
                Some("after=abc&pageSize=100"),
            ),
            (
                Some("https://api.mypurecloud.com/api/v2/knowledge/knowledgebases?after=x"),
                Some("after=x"),
            ),
            (
                Some("/api/v2/knowledge/knowledgebases?pageNumber=2&pageSize=25"),
                Some("pageNumber=2&pageSize=25"),
            ),
            (Some("/api/v2/elsewhere?after=abc"), None),
            (Some("/api/v2/knowledge/knowledgebases"), None),
            (None, None),
        ];
        for (next_uri, expected) in cases {
            assert_eq!(
                next_query(next_uri, path).as_deref(),
                expected,
                "{next_uri:?}"
            );
        }
    }

    #[test]
    fn names_are_compared_exactly() {
        let is_it = named("Front Desk");
        assert!(is_it(&Some("Front Desk".into())));
        assert!(!is_it(&Some("front desk".into())));
        assert!(!is_it(&Some("Front Desk 2".into())));
        assert!(!is_it(&None));
    }
}
