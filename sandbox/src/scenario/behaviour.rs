//! How a publish of a version behaves in a scenario: succeed, fail with the `Operation` model's
//! error fields, never finish, or leave another version live.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What one publish of a version does.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "RawBehaviour")]
pub enum PublishBehaviour {
    /// Ends in `SUCCESS` and the version becomes the published one.
    #[default]
    Success,
    /// Ends in `FAILURE` with these error fields; the published version does not change.
    Failure(PublishFailure),
    /// Stays in `PENDING_BACKEND_NOTIFICATION` forever.
    NeverFinishes,
    /// Ends in `SUCCESS`, but `version` becomes the published one instead.
    LeavesOtherVersionLive {
        /// The version left live.
        version: String,
    },
}

/// The error fields of a failed publish, as the `Operation` model carries them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishFailure {
    /// `errorCode` of the operation.
    #[serde(default = "default_error_code", alias = "errorCode")]
    pub error_code: String,
    /// `errorMessage` of the operation.
    #[serde(default = "default_error_message", alias = "errorMessage")]
    pub error_message: String,
    /// `errorDetails[]` of the operation.
    #[serde(default, alias = "errorDetails")]
    pub error_details: Vec<ErrorDetail>,
    /// `errorMessageParams` of the operation.
    #[serde(default, alias = "errorMessageParams")]
    pub error_message_params: BTreeMap<String, String>,
}

impl Default for PublishFailure {
    fn default() -> Self {
        PublishFailure {
            error_code: default_error_code(),
            error_message: default_error_message(),
            error_details: Vec::new(),
            error_message_params: BTreeMap::new(),
        }
    }
}

// GUESS: the real errorCode values of a failed publish are not documented
// (genesys-api.md §1.4 lists only the field names).
fn default_error_code() -> String {
    "flow.publish.validation.failed".to_owned()
}

fn default_error_message() -> String {
    "The flow failed validation and was not published.".to_owned()
}

/// One entry of `errorDetails[]` (the API's `Detail` model; camelCase on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorDetail {
    /// Error code of this detail.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "error_code")]
    pub error_code: Option<String>,
    /// Field the detail is about.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "field_name")]
    pub field_name: Option<String>,
    /// Id of the entity the detail is about.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "entity_id")]
    pub entity_id: Option<String>,
    /// Name of the entity the detail is about.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "entity_name"
    )]
    pub entity_name: Option<String>,
}

/// Accepts `"success"`, `"failure"`, `"never_finishes"` as plain strings as well as the tagged
/// forms (`{"failure": {...}}`, `{"leaves_other_version_live": {"version": "1.0"}}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawBehaviour {
    Name(String),
    Tagged(TaggedBehaviour),
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum TaggedBehaviour {
    Success,
    Failure(PublishFailure),
    NeverFinishes,
    LeavesOtherVersionLive { version: String },
}

impl TryFrom<RawBehaviour> for PublishBehaviour {
    type Error = String;

    fn try_from(raw: RawBehaviour) -> Result<Self, String> {
        Ok(match raw {
            RawBehaviour::Name(name) => match name.as_str() {
                "success" => PublishBehaviour::Success,
                "failure" => PublishBehaviour::Failure(PublishFailure::default()),
                "never_finishes" => PublishBehaviour::NeverFinishes,
                other => {
                    return Err(format!(
                        "unknown publish behaviour {other:?} (expected success, failure, \
                         never_finishes or {{leaves_other_version_live = {{version}}}})"
                    ));
                }
            },
            RawBehaviour::Tagged(TaggedBehaviour::Success) => PublishBehaviour::Success,
            RawBehaviour::Tagged(TaggedBehaviour::Failure(f)) => PublishBehaviour::Failure(f),
            RawBehaviour::Tagged(TaggedBehaviour::NeverFinishes) => PublishBehaviour::NeverFinishes,
            RawBehaviour::Tagged(TaggedBehaviour::LeavesOtherVersionLive { version }) => {
                PublishBehaviour::LeavesOtherVersionLive { version }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviours_parse_from_strings_and_tables() {
        let json = r#"["success", "failure", "never_finishes",
            {"failure": {"errorCode": "X", "error_message": "m"}},
            {"leaves_other_version_live": {"version": "1.0"}}]"#;
        let parsed: Vec<PublishBehaviour> = serde_json::from_str(json).expect("parses");
        assert_eq!(parsed[0], PublishBehaviour::Success);
        assert_eq!(
            parsed[1],
            PublishBehaviour::Failure(PublishFailure::default())
        );
        assert_eq!(parsed[2], PublishBehaviour::NeverFinishes);
        match &parsed[3] {
            PublishBehaviour::Failure(f) => {
                assert_eq!(
                    (f.error_code.as_str(), f.error_message.as_str()),
                    ("X", "m")
                )
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(serde_json::from_str::<PublishBehaviour>(r#""explode""#).is_err());
    }
}
