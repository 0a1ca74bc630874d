//! Putting one environment's values into a flow file's placeholders, and refusing the file
//! when they do not fit (SPEC rule 15: an unresolved placeholder or an unused key is a bad
//! input).
//!
//! CX as Code replaces `{{key}}` literally and says nothing about a placeholder left without
//! a value or a key no placeholder uses (`genesyscloud/util/files/util_files.go`
//! `substituteValues`); the first then fails late inside Archy (TF#1068) and the second
//! silently deploys the wrong thing. [`apply`] keeps the literal replacement — the same
//! files work with both — and reports every such problem at once, with its place.
//!
//! Values go in verbatim, as in CX as Code. The caller parses the result
//! ([`super::FlowDocument::parse`]), which is why substitution comes first: an unquoted
//! `name: {{flow_name}}` is not the text it stands for until then. The YAML caveat that
//! follows from verbatim values: a value inserted into an unquoted scalar is read as YAML, so
//! `Riverside: East` there becomes a mapping and `#1` a comment. Quote such placeholders in
//! the flow file (`name: "{{clinic_name}}"`); a value holding `"` then needs the other
//! quotes. A value that breaks the YAML is reported by the parse, at its line.

use std::fmt;

use super::placeholders::{self, KEY_CHARACTERS, Kind};
use super::substitutions::{Source, Substitutions};

/// A flow file with every placeholder replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substituted {
    text: String,
    replacements: usize,
}

impl Substituted {
    /// The substituted text, to parse and to import.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The substituted text, owned.
    pub fn into_text(self) -> String {
        self.text
    }

    /// How many placeholders were replaced.
    pub fn replacements(&self) -> usize {
        self.replacements
    }
}

/// Why a flow file and its substitutions do not fit together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubstitutionError {
    /// A placeholder whose key has no value.
    Unresolved {
        /// The flow file.
        file: String,
        /// 1-based line of the placeholder.
        line: usize,
        /// 1-based column of its `{{`.
        column: usize,
        /// Its key.
        key: String,
        /// Where values were looked for; `None` when no substitutions were given.
        source: Option<Source>,
    },
    /// `{{ ... }}` that reads as a placeholder with a key no substitution can have.
    Malformed {
        /// The flow file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column of its `{{`.
        column: usize,
        /// The text as written, braces included.
        text: String,
    },
    /// A key that no placeholder of the flow file uses.
    Unused {
        /// Where the key is.
        source: Source,
        /// Its 1-based line there.
        line: Option<usize>,
        /// The key.
        key: String,
        /// The flow file.
        file: String,
    },
}

impl fmt::Display for SubstitutionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubstitutionError::Unresolved {
                file,
                line,
                column,
                key,
                source,
            } => {
                write!(
                    f,
                    "{file} line {line}, column {column}: placeholder {{{{{key}}}}} has no value"
                )?;
                match source {
                    Some(source) => write!(f, " in {source}"),
                    None => f.write_str(": no substitutions were given"),
                }
            }
            SubstitutionError::Malformed {
                file,
                line,
                column,
                text,
            } => write!(
                f,
                "{file} line {line}, column {column}: {text} is not a valid placeholder: the key \
                 between {{{{ and }}}} is one word of {KEY_CHARACTERS}"
            ),
            SubstitutionError::Unused {
                source,
                line,
                key,
                file,
            } => {
                write!(f, "{source}")?;
                if let Some(line) = line {
                    write!(f, " line {line}")?;
                }
                write!(f, ": key {key} is used by no placeholder in {file}")
            }
        }
    }
}

impl std::error::Error for SubstitutionError {}

/// Replaces every placeholder of `template` (the flow file's text; `template_file` names it)
/// by its value in `substitutions`. Every problem is reported, in this order: the
/// placeholders without a value and the malformed ones, in file order, then the keys no
/// placeholder uses, in the order given. No substitutions and no placeholders is fine.
pub fn apply(
    template: &str,
    template_file: &str,
    substitutions: &Substitutions,
) -> Result<Substituted, Vec<SubstitutionError>> {
    let found = placeholders::scan(template);
    let mut errors = Vec::new();
    let mut used = vec![false; substitutions.len()];
    for one in &found {
        match one.kind {
            Kind::Placeholder(key) => {
                let position = substitutions.entries().iter().position(|e| e.key == key);
                match position {
                    Some(index) => used[index] = true,
                    None => errors.push(SubstitutionError::Unresolved {
                        file: template_file.to_owned(),
                        line: one.line,
                        column: one.column,
                        key: key.to_owned(),
                        source: substitutions.source().cloned(),
                    }),
                }
            }
            Kind::Malformed => errors.push(SubstitutionError::Malformed {
                file: template_file.to_owned(),
                line: one.line,
                column: one.column,
                text: one.text(template).to_owned(),
            }),
        }
    }
    let source = substitutions.source();
    let unused = substitutions.entries().iter().zip(&used);
    for (entry, _) in unused.filter(|(_, used)| !**used) {
        if let Some(source) = source {
            errors.push(SubstitutionError::Unused {
                source: source.clone(),
                line: entry.line,
                key: entry.key.clone(),
                file: template_file.to_owned(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = placeholders::replace(template, &found, |key| {
        substitutions.get(key).map(str::to_owned)
    });
    let replacements = found
        .iter()
        .filter(|f| matches!(f.kind, Kind::Placeholder(_)))
        .count();
    Ok(Substituted { text, replacements })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flowfile::FlowDocument;

    const FILE: &str = "bots/appointment-bot.yaml";

    fn prod(text: &str) -> Substitutions {
        Substitutions::parse(text, Source::File("substitutions/prod.yml".to_owned()))
            .expect("substitutions parse")
    }

    fn messages(errors: Vec<SubstitutionError>) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn values_replace_placeholders_verbatim() {
        let template = "digitalBotFlow:\n  name: {{flow_name}}\n  description: \"For {{ clinic }}, {{clinic}}\"\n";
        let subs = prod("flow_name: Appointment Bot\nclinic: Riverside\n");
        let done = apply(template, FILE, &subs).expect("fits");
        assert_eq!(
            done.text(),
            "digitalBotFlow:\n  name: Appointment Bot\n  description: \"For Riverside, Riverside\"\n"
        );
        assert_eq!(done.replacements(), 3);
        let doc = FlowDocument::parse(done.text(), FILE).expect("parses after substitution");
        assert_eq!(doc.name(), "Appointment Bot");
        let text = done.text().to_owned();
        assert_eq!(done.into_text(), text);
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let template = "a:\n  q: {{queue_name}}\n  p: \"{{ phone }}\"\n  x: {{queue_name}}\n  y: {{queue name}}\n";
        let subs = prod("phone: 555\nqueue_nmae: Appointments\n\nunused.too: x\n");
        let errors = apply(template, FILE, &subs).expect_err("does not fit");
        assert_eq!(
            messages(errors),
            [
                "bots/appointment-bot.yaml line 2, column 6: placeholder {{queue_name}} has no value in substitutions/prod.yml",
                "bots/appointment-bot.yaml line 4, column 6: placeholder {{queue_name}} has no value in substitutions/prod.yml",
                "bots/appointment-bot.yaml line 5, column 6: {{queue name}} is not a valid placeholder: the key between {{ and }} is one word of letters A–Z and a–z, digits, `_`, `.` and `-`",
                "substitutions/prod.yml line 2: key queue_nmae is used by no placeholder in bots/appointment-bot.yaml",
                "substitutions/prod.yml line 4: key unused.too is used by no placeholder in bots/appointment-bot.yaml",
            ]
        );
    }

    #[test]
    fn placeholders_without_substitutions_are_each_an_error() {
        let errors =
            apply("a: {{x}}\nb: {{y}}\n", FILE, &Substitutions::none()).expect_err("no values");
        assert_eq!(
            messages(errors),
            [
                "bots/appointment-bot.yaml line 1, column 4: placeholder {{x}} has no value: no substitutions were given",
                "bots/appointment-bot.yaml line 2, column 4: placeholder {{y}} has no value: no substitutions were given",
            ]
        );
    }

    #[test]
    fn no_placeholders_and_no_substitutions_is_fine() {
        let text = "botFlow:\n  name: Plain\n  x: \"{{ }} and {a: {b: 1}}\"\n";
        let done = apply(text, FILE, &Substitutions::none()).expect("fits");
        assert_eq!((done.text(), done.replacements()), (text, 0));
    }

    #[test]
    fn keys_without_placeholders_are_unused() {
        let errors = apply("botFlow:\n  name: Plain\n", FILE, &prod("a: 1\n")).expect_err("unused");
        assert_eq!(
            messages(errors),
            [
                "substitutions/prod.yml line 1: key a is used by no placeholder in bots/appointment-bot.yaml"
            ]
        );
        let inline = Substitutions::parse("a: 1", Source::Input).expect("parses");
        let errors = apply("x: 1\n", FILE, &inline).expect_err("unused");
        assert_eq!(
            messages(errors),
            [
                "the substitutions input line 1: key a is used by no placeholder in bots/appointment-bot.yaml"
            ]
        );
    }

    #[test]
    fn an_unquoted_value_can_change_the_yaml() {
        // The documented caveat: quote placeholders whose values may hold `: ` or `#`.
        let template = "botFlow:\n  name: Bot\n  description: {{d}}\n";
        let done = apply(template, FILE, &prod("d: \"Riverside: East\"\n")).expect("fits");
        let doc = FlowDocument::parse(done.text(), FILE);
        assert!(
            doc.is_err(),
            "a `: ` in an unquoted scalar is YAML structure"
        );
        let quoted = "botFlow:\n  name: Bot\n  description: \"{{d}}\"\n";
        let done = apply(quoted, FILE, &prod("d: \"Riverside: East\"\n")).expect("fits");
        let doc = FlowDocument::parse(done.text(), FILE).expect("quoted is safe");
        assert_eq!(doc.body()["description"], "Riverside: East");
    }
}
