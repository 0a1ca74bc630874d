//! action.yml, the code and the README agree, both ways: every input the config reads is
//! declared with the same required flag and default, every declared input is read, every
//! output written is declared, and the README's tables say the same.

use genesys_bot_deploy::config::{INPUTS, RawInputs};
use genesys_bot_deploy::pipeline::report::OUTPUT_NAMES;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct Manifest {
    name: String,
    description: String,
    branding: Branding,
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, Output>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
struct Branding {
    icon: String,
    color: String,
}

#[derive(Debug, Deserialize)]
struct Input {
    description: String,
    #[serde(default)]
    required: bool,
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Output {
    description: String,
}

#[derive(Debug, Deserialize)]
struct Runs {
    using: String,
    image: String,
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml"))
        .expect("action.yml");
    serde_norway::from_str(&text).expect("action.yml parses")
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

#[test]
fn every_input_the_code_reads_is_declared_alike_and_nothing_else() {
    let manifest = manifest();
    for spec in INPUTS {
        let declared = manifest
            .inputs
            .get(spec.name)
            .unwrap_or_else(|| panic!("input {} not in action.yml", spec.name));
        assert_eq!(
            declared.required, spec.required,
            "required flag of {}",
            spec.name
        );
        assert_eq!(
            declared.default.as_deref(),
            spec.default,
            "default of {}",
            spec.name
        );
        assert!(
            !declared.description.trim().is_empty(),
            "description of {}",
            spec.name
        );
    }
    let read: Vec<&str> = RawInputs::field_names().to_vec();
    for name in manifest.inputs.keys() {
        assert!(
            read.contains(&name.as_str()),
            "action.yml declares {name}, which the code never reads"
        );
    }
    assert_eq!(manifest.inputs.len(), INPUTS.len());
}

#[test]
fn every_output_written_is_declared_and_nothing_else() {
    let manifest = manifest();
    let declared: Vec<&str> = manifest.outputs.keys().map(String::as_str).collect();
    let mut written = OUTPUT_NAMES.to_vec();
    written.sort_unstable();
    assert_eq!(declared, written);
    assert!(
        manifest
            .outputs
            .values()
            .all(|o| !o.description.trim().is_empty())
    );
}

#[test]
fn the_action_is_a_container_action_fit_for_the_marketplace() {
    let manifest = manifest();
    assert_eq!(manifest.runs.using, "docker");
    assert!(manifest.runs.image == "Dockerfile" || manifest.runs.image.starts_with("docker://"));
    assert!(!manifest.name.is_empty());
    assert!(
        manifest.description.chars().count() < 125,
        "Marketplace rejects descriptions of 125 characters or more"
    );
    assert!(!manifest.branding.icon.is_empty() && !manifest.branding.color.is_empty());
}

/// `| \`name\` | … |` rows of the README, cells trimmed.
fn table_rows(readme: &str) -> BTreeMap<String, Vec<String>> {
    readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            (cells[0].trim_matches('`').to_string(), cells)
        })
        .collect()
}

/// The text of a `## heading` section.
fn section<'a>(readme: &'a str, heading: &str) -> &'a str {
    let start = readme
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("README has no {heading} section"));
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

#[test]
fn the_readme_tables_match_action_yml() {
    let manifest = manifest();
    let readme = readme();
    let rows = table_rows(section(&readme, "Inputs"));
    for (name, input) in &manifest.inputs {
        let row = rows
            .get(name)
            .unwrap_or_else(|| panic!("README has no row for input {name}"));
        assert_eq!(
            row[1],
            if input.required { "yes" } else { "no" },
            "README required of {name}"
        );
        let default = input
            .default
            .as_deref()
            .map(|d| format!("`{d}`"))
            .unwrap_or_default();
        assert_eq!(row[2], default, "README default of {name}");
        assert_eq!(
            row[3],
            input.description.trim(),
            "README description of {name}"
        );
    }
    assert_eq!(
        rows.len(),
        manifest.inputs.len(),
        "README lists inputs action.yml does not declare"
    );
    let rows = table_rows(section(&readme, "Outputs"));
    assert_eq!(
        rows.len(),
        manifest.outputs.len(),
        "README lists outputs action.yml does not declare"
    );
    for (name, output) in &manifest.outputs {
        let row = rows
            .get(name)
            .unwrap_or_else(|| panic!("README has no row for output {name}"));
        assert_eq!(
            row[1],
            output.description.trim(),
            "README description of output {name}"
        );
    }
}

#[test]
fn the_readme_permission_table_is_the_endpoints_permissions() {
    use genesys_bot_deploy::genesys::endpoint::ALL;
    let readme = readme();
    let rows = table_rows(section(&readme, "Genesys Cloud permissions"));
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for endpoint in ALL {
        if let Some(permission) = endpoint.permission {
            let purpose = wanted.entry(permission.to_string()).or_default();
            assert!(
                purpose.is_empty() || purpose == endpoint.purpose,
                "{permission}: one purpose per permission ({purpose} vs {})",
                endpoint.purpose
            );
            *purpose = endpoint.purpose.to_string();
        }
    }
    let listed: BTreeMap<String, String> = rows
        .into_iter()
        .map(|(permission, cells)| (permission, cells[1].clone()))
        .collect();
    assert_eq!(
        listed, wanted,
        "README permission rows vs the endpoints' permissions"
    );
}
