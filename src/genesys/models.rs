//! The JSON the Action reads from Genesys Cloud, with the platform's field names
//! (genesys-api.md §1.4, §2, §3, §4). Fields the Action does not use are left out; every
//! field is optional or defaulted where the platform may omit it.

use super::vocabulary::{ActionName, FlowType, OperationStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A reference to a user, client or other entity.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct EntityRef {
    /// Its id.
    pub id: Option<String>,
    /// Its display name.
    pub name: Option<String>,
}

impl EntityRef {
    /// The best name to show a person: name, else id.
    pub fn label(&self) -> String {
        match (&self.name, &self.id) {
            (Some(name), Some(id)) => format!("{name} ({id})"),
            (Some(name), None) => name.clone(),
            (None, Some(id)) => id.clone(),
            (None, None) => "unknown".into(),
        }
    }
}

/// A flow version as the flow references it (`publishedVersion`, `checkedInVersion`): a
/// `FlowVersion` in the PY-SDK's `Flow`, so it says who made it too, for drift detection.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VersionRef {
    /// The version id, e.g. `"3.0"`.
    pub id: String,
    /// Its name, often the same as the id.
    pub name: Option<String>,
    /// The user who made the version (PY-SDK `FlowVersion.createdBy`, a `User`).
    #[serde(default)]
    pub created_by: Option<EntityRef>,
    /// The OAuth client that made it (`FlowVersion.createdByClient`, a `DomainEntityRef`).
    #[serde(default)]
    pub created_by_client: Option<EntityRef>,
    /// When it was made, in epoch milliseconds (see [`FlowVersion::date_created`]).
    #[serde(default, deserialize_with = "epoch_millis")]
    pub date_created: Option<i64>,
    /// When it became the published version (ISO-8601).
    #[serde(default)]
    pub date_published: Option<String>,
}

/// One entry of an operation's `errorDetails`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OperationErrorDetail {
    /// Machine-readable code.
    pub error_code: Option<String>,
    /// The field at fault.
    pub field_name: Option<String>,
    /// The entity at fault.
    pub entity_id: Option<String>,
    /// Its name.
    pub entity_name: Option<String>,
}

impl OperationErrorDetail {
    /// One readable line.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(code) = &self.error_code {
            parts.push(code.clone());
        }
        match (&self.entity_name, &self.entity_id) {
            (Some(name), Some(id)) => parts.push(format!("{name} ({id})")),
            (Some(name), None) => parts.push(name.clone()),
            (None, Some(id)) => parts.push(id.clone()),
            (None, None) => {}
        }
        if let Some(field) = &self.field_name {
            parts.push(format!("field {field}"));
        }
        if parts.is_empty() {
            "(no detail)".into()
        } else {
            parts.join(": ")
        }
    }
}

/// An Architect operation: what `actions/publish` returns and `currentOperation` holds.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Operation id.
    pub id: Option<String>,
    /// Whether it has finished.
    #[serde(default)]
    pub complete: bool,
    /// `PUBLISH`, `CHECKIN`, …
    pub action_name: Option<ActionName>,
    /// `STARTED`, `PENDING_GENERATION`, `PENDING_BACKEND_NOTIFICATION`, `SUCCESS`, `FAILURE`, …
    pub action_status: Option<OperationStatus>,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Machine-readable failure code.
    pub error_code: Option<String>,
    /// Per-entity failures (validation and dependency errors).
    #[serde(default)]
    pub error_details: Vec<OperationErrorDetail>,
    /// Parameters of the message.
    pub error_message_params: Option<BTreeMap<String, String>>,
    /// Who started it.
    pub user: Option<EntityRef>,
    /// Which OAuth client started it.
    pub client: Option<EntityRef>,
}

impl Operation {
    /// Whether this is a publish.
    pub fn is_publish(&self) -> bool {
        self.action_name == Some(ActionName::Publish)
    }

    /// The status, or `UNKNOWN` when the platform sent none.
    pub fn status(&self) -> &str {
        self.action_status
            .as_ref()
            .map_or("UNKNOWN", OperationStatus::as_str)
    }

    /// Ended with `FAILURE`.
    pub fn failed(&self) -> bool {
        self.action_status == Some(OperationStatus::Failure)
    }

    /// Finished with `SUCCESS`.
    pub fn succeeded(&self) -> bool {
        self.complete && self.action_status == Some(OperationStatus::Success)
    }
}

/// An Architect flow (`GET /api/v2/flows/{id}`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    /// Flow id.
    pub id: String,
    /// Flow name.
    pub name: Option<String>,
    /// `BOT`, `DIGITALBOT`, `INBOUNDCALL`, …
    #[serde(rename = "type")]
    pub flow_type: Option<FlowType>,
    /// Deleted flows can still be returned.
    #[serde(default)]
    pub deleted: bool,
    /// The user holding the edit lock.
    pub locked_user: Option<EntityRef>,
    /// The OAuth client holding the edit lock.
    pub locked_client: Option<EntityRef>,
    /// The live version: the rollback anchor.
    pub published_version: Option<VersionRef>,
    /// The candidate.
    pub checked_in_version: Option<VersionRef>,
    /// The last operation on the flow.
    pub current_operation: Option<Operation>,
    /// The user who published the live version (PY-SDK `Flow.publishedBy`, a `User`). The
    /// sandbox leaves it out when an OAuth client published (its guess 32).
    #[serde(default)]
    pub published_by: Option<EntityRef>,
}

impl Flow {
    /// The live version's id.
    pub fn published_id(&self) -> Option<&str> {
        self.published_version.as_ref().map(|v| v.id.as_str())
    }

    /// Bot Flow or Digital Bot Flow.
    pub fn is_bot(&self) -> bool {
        self.flow_type.as_ref().is_some_and(FlowType::is_bot)
    }

    /// The dependency-tracking object type of this flow.
    pub fn object_type(&self) -> &'static str {
        self.flow_type
            .as_ref()
            .map_or("BOTFLOW", FlowType::object_type)
    }

    /// Who holds the lock, if anyone.
    pub fn lock_holder(&self) -> Option<String> {
        match (&self.locked_user, &self.locked_client) {
            (Some(user), _) => Some(format!("user {}", user.label())),
            (None, Some(client)) => Some(format!("OAuth client {}", client.label())),
            (None, None) => None,
        }
    }
}

/// `GET /api/v2/organizations/me`: the org the token acts in.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Org id.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// "The short name for the organization. This field is globally unique and cannot be
    /// changed."
    pub third_party_org_name: Option<String>,
}

/// `GET /api/v2/tokens/me`, the parts the Action reads.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct TokenInfo {
    /// The org the token acts in.
    #[serde(default)]
    pub organization: Option<EntityRef>,
    /// The OAuth client the token was issued to.
    #[serde(rename = "OAuthClient", default)]
    pub oauth_client: Option<EntityRef>,
}

impl TokenInfo {
    /// The id of the token's OAuth client (PY-SDK `TokenInfo.OAuthClient.id`): what a
    /// version's `createdByClient.id` is compared with to tell the Action's own versions
    /// from others'.
    pub fn client_id(&self) -> Option<&str> {
        self.oauth_client.as_ref().and_then(|c| c.id.as_deref())
    }
}

/// A flow version as the versions listing gives it (`FlowVersion`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FlowVersion {
    /// The version id, e.g. `"3.0"`.
    pub id: String,
    /// Its name, often the same as the id.
    #[serde(default)]
    pub name: Option<String>,
    /// When it became the published version (ISO-8601).
    pub date_published: Option<String>,
    /// When it stopped being the published version (ISO-8601).
    pub date_published_end: Option<String>,
    /// The user who made the version (PY-SDK `FlowVersion.createdBy`, a `User`); the
    /// sandbox sets exactly one of this and `createdByClient` (its guess 32).
    #[serde(default)]
    pub created_by: Option<EntityRef>,
    /// The OAuth client that made it (`createdByClient`, a `DomainEntityRef`).
    #[serde(default)]
    pub created_by_client: Option<EntityRef>,
    /// When it was made. The PY-SDK declares it `int` (epoch milliseconds), unlike the
    /// ISO-8601 `datePublished`; a value of another shape reads as `None` rather than failing
    /// the whole answer.
    #[serde(default, deserialize_with = "epoch_millis")]
    pub date_created: Option<i64>,
}

/// Reads an epoch-milliseconds date (a number, or digits in a string); anything else is
/// `None`, so an unexpected shape never fails a read of the flow.
fn epoch_millis<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A routing skill.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Skill {
    /// Skill id.
    pub id: String,
    /// Skill name.
    pub name: Option<String>,
    /// `active`, `inactive` or `deleted`.
    pub state: Option<String>,
}

/// One resource a flow version consumes, from dependency tracking.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// Resource id.
    pub id: String,
    /// Resource name.
    pub name: Option<String>,
    /// `ACDSKILL`, `BOTFLOW`, `COMMONMODULEFLOW`, …
    #[serde(rename = "type")]
    pub resource_type: Option<String>,
    /// The version of the resource: for a caller (`consumingresources`), the version of the
    /// calling flow that calls the bot.
    #[serde(default)]
    pub version: Option<String>,
    /// Whether the resource is deleted.
    #[serde(default)]
    pub deleted: bool,
}

/// A page of a listing.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listing<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub entities: Vec<T>,
    /// This page's number, from 1.
    pub page_number: Option<u32>,
    /// How many pages there are.
    pub page_count: Option<u32>,
}

/// The platform's error body (genesys-api.md §4).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Human-readable message.
    pub message: Option<String>,
    /// Machine-readable code, e.g. `too.many.requests.retry.after`.
    pub code: Option<String>,
    /// The correlation id.
    pub context_id: Option<String>,
    /// Details.
    #[serde(default)]
    pub details: Vec<OperationErrorDetail>,
    /// Nested errors.
    #[serde(default)]
    pub errors: Vec<ErrorBody>,
}

/// The OAuth server's error body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthErrorBody {
    /// e.g. `invalid_client`.
    pub error: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Description, OAuth spelling.
    pub error_description: Option<String>,
}

/// A successful token answer. No `Debug`: it holds the token.
#[derive(Deserialize)]
pub struct TokenGrant {
    /// The bearer token.
    pub access_token: String,
    /// `bearer`.
    pub token_type: Option<String>,
    /// Lifetime in seconds.
    pub expires_in: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_flow_as_the_platform_writes_it() {
        let flow: Flow = serde_json::from_str(
            r#"{"id":"f1","name":"Billing","type":"DIGITALBOT","deleted":false,
                "lockedUser":{"id":"u1","name":"Ana"},
                "publishedVersion":{"id":"2.0","name":"2.0","commitVersion":"x"},
                "checkedInVersion":{"id":"3.0"},
                "currentOperation":{"id":"op","complete":true,"actionName":"PUBLISH","actionStatus":"FAILURE",
                  "errorMessage":"bad","errorCode":"FLOW_INVALID",
                  "errorDetails":[{"errorCode":"MISSING","entityName":"Billing skill","entityId":"s1","fieldName":"skill"}]},
                "selfUri":"/api/v2/flows/f1"}"#,
        )
        .expect("valid flow");
        assert!(flow.is_bot());
        assert_eq!(flow.object_type(), "DIGITALBOTFLOW");
        assert_eq!(flow.published_id(), Some("2.0"));
        assert_eq!(flow.lock_holder().as_deref(), Some("user Ana (u1)"));
        let op = flow.current_operation.expect("operation");
        assert!(op.is_publish() && op.complete && !op.succeeded());
        assert_eq!(
            op.error_details[0].describe(),
            "MISSING: Billing skill (s1): field skill"
        );
    }

    #[test]
    fn reads_who_made_and_published_a_version() {
        let flow: Flow = serde_json::from_str(
            r#"{"id":"f1","publishedBy":{"id":"u1","name":"Ana"},
                "publishedVersion":{"id":"2.0","name":"2.0","dateCreated":1767225600000,
                  "datePublished":"2026-01-01T00:00:00.000Z",
                  "createdByClient":{"id":"c1","name":"CI","selfUri":"/api/v2/oauth/clients/c1"}},
                "checkedInVersion":{"id":"3.0","createdBy":{"id":"u2"},"dateCreated":"oops"}}"#,
        )
        .expect("valid flow");
        let live = flow.published_version.expect("live");
        assert_eq!(
            live.created_by_client.and_then(|c| c.id).as_deref(),
            Some("c1")
        );
        assert_eq!(live.date_created, Some(1_767_225_600_000));
        assert_eq!(
            live.date_published.as_deref(),
            Some("2026-01-01T00:00:00.000Z")
        );
        assert_eq!(
            flow.published_by.and_then(|u| u.name).as_deref(),
            Some("Ana")
        );
        let candidate = flow.checked_in_version.expect("candidate");
        assert_eq!(
            candidate.created_by.and_then(|u| u.id).as_deref(),
            Some("u2")
        );
        assert_eq!(
            candidate.date_created, None,
            "a date of another shape is not fatal"
        );
        let version: FlowVersion = serde_json::from_str(
            r#"{"id":"3.0","dateCreated":"1767225600000","createdBy":{"id":"u2","name":"Bo"}}"#,
        )
        .expect("valid version");
        assert_eq!(version.date_created, Some(1_767_225_600_000));
        assert_eq!(
            version.created_by.map(|u| u.label()).as_deref(),
            Some("Bo (u2)")
        );
        let token: TokenInfo =
            serde_json::from_str(r#"{"OAuthClient":{"id":"c1","name":"CI"}}"#).expect("token");
        assert_eq!(token.client_id(), Some("c1"));
    }

    #[test]
    fn tolerates_sparse_flows() {
        let flow: Flow = serde_json::from_str(r#"{"id":"f1"}"#).expect("valid");
        assert!(!flow.is_bot() && !flow.deleted);
        assert_eq!(flow.lock_holder(), None);
        assert_eq!(flow.object_type(), "BOTFLOW");
    }

    #[test]
    fn lock_by_client_is_named() {
        let flow: Flow =
            serde_json::from_str(r#"{"id":"f","lockedClient":{"id":"c9","name":"CI"}}"#)
                .expect("valid");
        assert_eq!(flow.lock_holder().as_deref(), Some("OAuth client CI (c9)"));
    }
}
