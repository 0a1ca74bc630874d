//! The flow file of a run (SPEC rules 15 and 16), read, substituted and parsed before any
//! request: a file that does not parse, a placeholder without a value or a key no
//! placeholder uses is a bad input, like any other, and nothing is sent.

use super::RunContext;
use super::context::RunFile;
use crate::config::{Config, ConfigError, InputError};
use crate::flowfile::{
    Digest, FlowDocument, SubstitutionError, Substitutions, SubstitutionsInput, apply, file_digest,
    release_digest,
};

/// What a run deploys from a flow file.
#[derive(Debug, Clone)]
pub struct Release {
    /// The flow file, as the workspace and the job's steps name it.
    pub file: RunFile,
    /// The substituted file, parsed: what the import makes live.
    pub document: FlowDocument,
    /// The substituted text, uploaded as is.
    pub yaml: String,
    /// This environment's values for the file's placeholders.
    pub substitutions: Substitutions,
    /// The digest of the file before substitution: the same in every environment.
    pub file_digest: Digest,
    /// The file digest with this environment's substitutions: the release's identity.
    pub release_digest: Digest,
}

/// Reads the `flow-file` and its `substitutions`; `Ok(None)` without a flow file.
pub fn load(config: &Config, ctx: &RunContext) -> Result<Option<Release>, ConfigError> {
    let Some(path) = &config.flow_file else {
        return Ok(None);
    };
    let file = ctx
        .input_file("flow-file", path)
        .map_err(|e| ConfigError(vec![e]))?;
    let template = read("flow-file", &file)?;
    let substitutions = match config.substitutions.as_deref() {
        None => Substitutions::none(),
        Some(raw) => load_substitutions(raw, ctx)?,
    };
    let substituted = apply(&template, &file.shown, &substitutions)
        .map_err(|errors| substitution_errors(&file, &substitutions, errors))?;
    let yaml = substituted.into_text();
    let document = FlowDocument::parse(&yaml, &file.shown).map_err(|error| {
        invalid(
            "flow-file",
            &file.shown,
            format!("a bot or digital bot flow as Archy YAML ({error})"),
        )
    })?;
    let file_digest = file_digest(&template, &file.shown).map_err(|error| {
        invalid(
            "flow-file",
            &file.shown,
            format!("a bot or digital bot flow as Archy YAML ({error})"),
        )
    })?;
    let release_digest = release_digest(&file_digest, &substitutions);
    Ok(Some(Release {
        file,
        document,
        yaml,
        substitutions,
        file_digest,
        release_digest,
    }))
}

/// The substitutions: a file's (YAML or JSON) or the input's own `key: value` lines.
fn load_substitutions(raw: &str, ctx: &RunContext) -> Result<Substitutions, ConfigError> {
    let given = SubstitutionsInput::classify(raw);
    let text = match &given {
        SubstitutionsInput::Path(path) => {
            let file = ctx
                .input_file("substitutions", std::path::Path::new(path))
                .map_err(|e| ConfigError(vec![e]))?;
            read("substitutions", &file)?
        }
        SubstitutionsInput::Inline(text) => text.clone(),
    };
    Substitutions::parse(&text, given.source()).map_err(|error| {
        let shown = match &given {
            SubstitutionsInput::Path(path) => path.clone(),
            SubstitutionsInput::Inline(_) => "(inline key: value lines)".into(),
        };
        invalid(
            "substitutions",
            &shown,
            format!("a mapping of keys to text, numbers or true/false ({error})"),
        )
    })
}

fn read(input: &'static str, file: &RunFile) -> Result<String, ConfigError> {
    std::fs::read_to_string(&file.path).map_err(|error| {
        invalid(
            input,
            &file.shown,
            format!("a readable UTF-8 file in the workspace ({error})"),
        )
    })
}

/// One bad input per problem: a placeholder without a value names the flow file (or the
/// substitutions, when some were given and lack the key); a key nobody uses names the
/// substitutions.
fn substitution_errors(
    file: &RunFile,
    substitutions: &Substitutions,
    errors: Vec<SubstitutionError>,
) -> ConfigError {
    let substitutions_shown = substitutions
        .source()
        .map_or_else(String::new, ToString::to_string);
    ConfigError(
        errors
            .into_iter()
            .map(|error| match &error {
                SubstitutionError::Unresolved {
                    source: Some(_), ..
                } => bad(
                    "substitutions",
                    &substitutions_shown,
                    format!("a value for every placeholder of the flow file ({error})"),
                ),
                SubstitutionError::Unresolved { source: None, .. } => bad(
                    "flow-file",
                    &file.shown,
                    format!(
                        "a flow file whose placeholders all have values: give them in substitutions ({error})"
                    ),
                ),
                SubstitutionError::Malformed { .. } => bad(
                    "flow-file",
                    &file.shown,
                    format!("placeholders written {{{{key}}}} ({error})"),
                ),
                SubstitutionError::Unused { .. } => bad(
                    "substitutions",
                    &substitutions_shown,
                    format!("only keys the flow file uses ({error})"),
                ),
            })
            .collect(),
    )
}

fn bad(input: &'static str, value: &str, allowed: String) -> InputError {
    InputError {
        input,
        value: Some(value.to_string()),
        allowed,
    }
}

fn invalid(input: &'static str, value: &str, allowed: String) -> ConfigError {
    ConfigError(vec![bad(input, value, allowed)])
}
