//! Flow history, the bot's callers and their configuration, and the name lookups.

use super::*;
use genesys_bot_deploy::genesys::vocabulary::{FlowType, HistoryAction};

#[tokio::test]
async fn a_flow_history_is_requested_then_read_newest_first() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let request = api
        .server
        .mock("POST", format!("/api/v2/flows/{BOT}/history").as_str())
        .with_body(
            json!({ "id": "h-1", "complete": false, "actionName": "HISTORY",
                    "actionStatus": "STARTED", "client": { "id": CLIENT } })
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let read = api
        .server
        .mock("GET", format!("/api/v2/flows/{BOT}/history/h-1").as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("sortOrder".into(), "desc".into()),
            Matcher::UrlEncoded("sortBy".into(), "timestamp".into()),
            Matcher::UrlEncoded("pageSize".into(), "50".into()),
            Matcher::UrlEncoded("pageNumber".into(), "1".into()),
        ]))
        .with_body(
            json!({
                "id": "h-1", "complete": true, "actionName": "HISTORY", "actionStatus": "SUCCESS",
                "entities": [
                    { "action": "PUBLISH", "timestamp": "2026-02-01T10:00:00.000Z",
                      "user": { "id": "u-1", "name": "Ana" }, "version": "4.0" },
                    { "action": "CHECKIN", "timestamp": "2026-02-01T09:59:00.000Z",
                      "user": { "id": "u-1", "name": "Ana" }, "version": "4.0" },
                    { "action": "PUBLISH", "timestamp": "2026-01-01T00:00:00.000Z",
                      "client": { "id": CLIENT, "name": "CI pipeline" }, "version": "3.0" },
                ],
                "pageSize": 50, "pageNumber": 1, "total": 3, "pageCount": 1,
            })
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let (client, _, _) = client(&api);

    let operation = client
        .request_flow_history(BOT, None)
        .await
        .expect("requested");
    let history_id = operation.body.id.expect("the history id");
    let listing = client
        .flow_history(BOT, &history_id, 50, None)
        .await
        .expect("read");

    request.assert_async().await;
    read.assert_async().await;
    assert!(listing.body.complete);
    let entries: Vec<_> = listing
        .body
        .entities
        .iter()
        .map(|e| (e.action.clone(), e.actor(), e.version.clone()))
        .collect();
    assert_eq!(
        entries[0],
        (
            Some(HistoryAction::Publish),
            Some("user Ana (u-1)".to_string()),
            Some("4.0".to_string())
        )
    );
    assert_eq!(
        entries[2].1.as_deref(),
        Some("OAuth client CI pipeline (ci-client-id)")
    );
}

#[tokio::test]
async fn callers_are_the_published_flows_that_consume_the_bot_over_every_page() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let page = |n: &str, entities: serde_json::Value| {
        json!({ "entities": entities, "pageSize": 100, "pageNumber": n.parse::<u32>().ok(),
                "total": 2, "pageCount": 2 })
        .to_string()
    };
    let mut pages = Vec::new();
    for (n, id, name) in [("1", FLOW_A, "Main IVR"), ("2", "f-2", "Chat entry")] {
        let entity = json!([{ "id": id, "name": name, "version": "7.0",
                              "type": "INBOUNDCALLFLOW", "deleted": false }]);
        pages.push(
            api.server
                .mock(
                    "GET",
                    "/api/v2/architect/dependencytracking/consumingresources",
                )
                .match_query(Matcher::AllOf(vec![
                    Matcher::UrlEncoded("id".into(), BOT.into()),
                    Matcher::UrlEncoded("objectType".into(), "DIGITALBOTFLOW".into()),
                    Matcher::UrlEncoded("flowFilter".into(), "published".into()),
                    Matcher::UrlEncoded("pageNumber".into(), n.into()),
                ]))
                .with_body(page(n, entity))
                .expect(1)
                .create_async()
                .await,
        );
    }
    let (client, _, _) = client(&api);

    let callers = client
        .callers(BOT, "DIGITALBOTFLOW")
        .await
        .expect("callers");

    for page in pages {
        page.assert_async().await;
    }
    let found: Vec<_> = callers
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.version.as_deref(),
                c.resource_type.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (FLOW_A, Some("7.0"), Some("INBOUNDCALLFLOW")),
            ("f-2", Some("7.0"), Some("INBOUNDCALLFLOW"))
        ]
    );
}

#[tokio::test]
async fn a_callers_configuration_is_read_as_json() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.server
        .mock(
            "GET",
            format!("/api/v2/flows/{FLOW_A}/versions/7.0/configuration").as_str(),
        )
        .with_body(
            json!({ "actions": [{ "callDigitalBotFlow": {
                "botFlow": { "id": BOT, "name": "Billing Assistant", "version": "latest" } } }] })
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let (client, _, _) = client(&api);

    let configuration = client
        .version_configuration(FLOW_A, "7.0")
        .await
        .expect("read")
        .body;

    assert_eq!(
        configuration["actions"][0]["callDigitalBotFlow"]["botFlow"]["version"],
        "latest"
    );
}

#[tokio::test]
async fn names_are_found_only_when_they_match_exactly() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let entity = |id: &str, name: &str| json!({ "id": id, "name": name });
    api.server
        .mock("GET", "/api/v2/routing/queues")
        .match_query(Matcher::UrlEncoded("name".into(), "Front Desk".into()))
        .with_body(
            listing(vec![
                entity("q-2", "Front Desk 2"),
                entity("q-3", "front desk"),
                entity("q-1", "Front Desk"),
            ])
            .to_string(),
        )
        .create_async()
        .await;
    api.server
        .mock("GET", "/api/v2/routing/queues")
        .match_query(Matcher::UrlEncoded("name".into(), "Back Office".into()))
        .with_body(listing(vec![entity("q-4", "Back Office Overflow")]).to_string())
        .create_async()
        .await;
    api.server
        .mock("GET", "/api/v2/integrations/actions")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("name".into(), "Get Account".into()),
            Matcher::UrlEncoded("category".into(), "CRM".into()),
        ]))
        .with_body(
            listing(vec![
                json!({ "id": "a-2", "name": "Get Account Details", "category": "CRM" }),
                json!({ "id": "a-1", "name": "Get Account", "category": "CRM",
                        "integrationId": "i-1" }),
            ])
            .to_string(),
        )
        .create_async()
        .await;
    api.server
        .mock("GET", "/api/v2/flows")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("name".into(), "Billing Assistant".into()),
            Matcher::UrlEncoded("type".into(), "digitalbot".into()),
        ]))
        .with_body(listing(vec![flow(Some("3.0"), None, None)]).to_string())
        .create_async()
        .await;
    let (client, _, _) = client(&api);

    let queue = client.queue_named("Front Desk").await.expect("looked up");
    let absent = client.queue_named("Back Office").await.expect("looked up");
    let action = client
        .data_action_named("Get Account", Some("CRM"))
        .await
        .expect("looked up");
    let bot = client
        .flow_named("Billing Assistant", &FlowType::DigitalBot)
        .await
        .expect("looked up");

    assert_eq!(queue.map(|q| q.id).as_deref(), Some("q-1"));
    assert_eq!(absent, None);
    let action = action.expect("the action");
    assert_eq!(
        (action.id.as_str(), action.integration_id.as_deref()),
        ("a-1", Some("i-1"))
    );
    assert_eq!(bot.map(|f| f.id).as_deref(), Some(BOT));
}

#[tokio::test]
async fn knowledge_bases_are_looked_up_page_by_cursor() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let first = api
        .server
        .mock("GET", "/api/v2/knowledge/knowledgebases")
        .match_query(Matcher::Regex(r"^name=Billing\+FAQ&pageSize=100$".into()))
        .with_body(
            json!({
                "entities": [{ "id": "k-2", "name": "Billing FAQ (old)" }],
                "nextUri": "/api/v2/knowledge/knowledgebases?name=Billing%20FAQ&pageSize=100&after=cursor-1",
                "selfUri": "/api/v2/knowledge/knowledgebases?name=Billing%20FAQ&pageSize=100",
            })
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let second = api
        .server
        .mock("GET", "/api/v2/knowledge/knowledgebases")
        .match_query(Matcher::UrlEncoded("after".into(), "cursor-1".into()))
        .with_body(
            json!({ "entities": [{ "id": "k-1", "name": "Billing FAQ" }],
                    "selfUri": "/api/v2/knowledge/knowledgebases?after=cursor-1" })
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let (client, _, _) = client(&api);

    let found = client
        .knowledge_base_named("Billing FAQ")
        .await
        .expect("looked up");

    first.assert_async().await;
    second.assert_async().await;
    assert_eq!(found.map(|k| k.id).as_deref(), Some("k-1"));
}
