//! The organization the sandbox stands for: what `GET /api/v2/organizations/me` and
//! `GET /api/v2/tokens/me` name (genesys-api-verified.md finding K, Q7).

use serde::{Deserialize, Serialize};

/// Id of the organization of the built-in scenario (and of any scenario that names none).
pub const DEMO_ORG_ID: &str = "0a5e0000-5a4d-4b0c-9e11-5a4db0c90a5e";
/// Its name.
pub const DEMO_ORG_NAME: &str = "Sandbox Org";
/// Its short name, `thirdPartyOrgName` ("globally unique and cannot be changed").
pub const DEMO_ORG_SHORT_NAME: &str = "sandbox-org";

/// The organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSpec {
    /// `Organization.id`.
    pub id: String,
    /// `Organization.name`.
    pub name: String,
    /// `Organization.thirdPartyOrgName`, the short name.
    pub third_party_org_name: String,
}

impl Default for OrganizationSpec {
    fn default() -> Self {
        OrganizationSpec {
            id: DEMO_ORG_ID.to_owned(),
            name: DEMO_ORG_NAME.to_owned(),
            third_party_org_name: DEMO_ORG_SHORT_NAME.to_owned(),
        }
    }
}

impl OrganizationSpec {
    /// Checks that nothing is empty.
    pub fn validate(&self) -> Result<(), String> {
        for (field, value) in [
            ("id", &self.id),
            ("name", &self.name),
            ("third_party_org_name", &self.third_party_org_name),
        ] {
            if value.trim().is_empty() {
                return Err(format!("organization.{field} must not be empty"));
            }
        }
        Ok(())
    }
}
