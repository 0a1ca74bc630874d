//! Who the caller is: `GET /api/v2/organizations/me` and `GET /api/v2/tokens/me`, both
//! "Requires no permissions" (PY-SDK `OrganizationApi.md`, `TokensApi.md`;
//! genesys-api-verified.md finding K), so a valid bearer token is all they need.

use std::sync::Arc;

use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{Value, json};

use crate::http::middleware::Caller;
use crate::state::Shared;

/// `Organization`.
// GUESS: the values of the fields the scenario does not set (`defaultLanguage`,
// `defaultCountryCode`, `domain`, `version`); `state` is one of the documented examples.
pub(super) async fn organization(State(shared): State<Arc<Shared>>) -> Json<Value> {
    shared.with(|state, _| {
        let org = &state.organization;
        Json(json!({
            "id": org.id,
            "name": org.name,
            "defaultLanguage": "en-us",
            "defaultCountryCode": "US",
            "thirdPartyOrgName": org.third_party_org_name,
            "domain": org.third_party_org_name,
            "version": 1,
            "state": "active",
            "selfUri": format!("/api/v2/organizations/{}", org.id),
        }))
    })
}

/// `TokenInfo` of the calling client's token.
// GUESS: `authorizedScope` is empty for a client-credentials token ("Scopes only apply to
// clients not using the client_credential grant", `OrgOAuthClient.scope`), and the home
// organization is the organization itself (no cloned user).
pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    Extension(Caller(caller)): Extension<Caller>,
) -> Json<Value> {
    shared.with(|state, _| {
        let org = &state.organization;
        let named = json!({"id": org.id, "name": org.name});
        Json(json!({
            "organization": named,
            "homeOrganization": named,
            "authorizedScope": [],
            "OAuthClient": {
                "id": caller.id,
                "name": caller.name,
                "organization": named,
            },
        }))
    })
}
