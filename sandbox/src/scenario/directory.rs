//! What a flow YAML names (flow-artifacts.md §2, "References inside YAML are by name"): the
//! queues, data actions and knowledge bases of the org, and which bot flows a flow calls (§3,
//! `callBotFlow` / `callDigitalBotFlow` with `ver_latestPublished` or a fixed version).

use serde::{Deserialize, Serialize};

/// A routing queue (`GET /api/v2/routing/queues?name=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// Queue id.
    pub id: String,
    /// Queue name, as `transferToAcd.targetQueue.lit.name` names it.
    pub name: String,
}

/// A data action (`GET /api/v2/integrations/actions?name=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataActionSpec {
    /// Action id.
    pub id: String,
    /// Action name, as `callData.category.<integration>.dataAction.<name>` names it.
    pub name: String,
    /// The integration's name (the action's `category`); when set, a YAML must name it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration: Option<String>,
}

/// A knowledge base (`GET /api/v2/knowledge/knowledgebases?name=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeBaseSpec {
    /// Knowledge base id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A call of a bot flow from another flow (an inbound message flow, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSpec {
    /// The id of the bot flow called.
    pub bot: String,
    /// `"latest"` (the latest published version, `ver_latestPublished`) or a version id, pinned.
    #[serde(default = "latest")]
    pub version: String,
}

fn latest() -> String {
    LATEST.to_owned()
}

/// `CallSpec::version` of a call that takes the latest published version.
pub const LATEST: &str = "latest";

impl CallSpec {
    /// The pinned version, if any.
    pub fn pinned(&self) -> Option<&str> {
        (self.version != LATEST).then_some(self.version.as_str())
    }
}
