//! Release identity (SPEC rule 16): is an exported version the content of a flow document?
//! Both are normalised (`crate::flowfile::normalise`: formatting, key order and the
//! fields an export or import changes do not count) and compared. The same comparison tells
//! a re-run that the live version already is this release (`unchanged`), proves after a
//! publish that what went live is what was imported, and proves a rollback by re-import.

use crate::flowfile::{FlowDocument, first_difference, normalise};

/// What an export says about a version's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The export is the document's content.
    Verified,
    /// It is not: the first place where they differ.
    Differs {
        /// A path in the file's terms (`digitalBotFlow.…intents["Book"].utterances[2]`).
        path: String,
    },
    /// No export could be read or compared: why.
    Unverifiable {
        /// In a clause.
        why: String,
    },
}

impl Identity {
    /// The summary's and audit trail's word for it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Identity::Verified => "verified",
            Identity::Differs { .. } => "differs",
            Identity::Unverifiable { .. } => "unverifiable",
        }
    }
}

/// Compares an exported version (`exported`, the YAML text a download gave; `what` names it
/// in messages) with `document`.
pub fn compare(exported: &str, what: &str, document: &FlowDocument) -> Identity {
    let live = match FlowDocument::parse(exported, what) {
        Ok(live) => live,
        Err(error) => {
            return Identity::Unverifiable {
                why: format!("the export could not be read as a bot flow ({error})"),
            };
        }
    };
    compare_documents(&live, document)
}

/// Like [`compare`], for an export already parsed.
pub fn compare_documents(live: &FlowDocument, document: &FlowDocument) -> Identity {
    match first_difference(&normalise(live.value()), &normalise(document.value())) {
        None => Identity::Verified,
        Some(path) => Identity::Differs { path },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "digitalBotFlow:
  name: Appointment Bot
  settingsUserInput:
    collectionLowConfidenceThreshold:
      lit: 20
  settingsNaturalLanguageUnderstanding:
    nluDomainVersion:
      intents:
        - name: Book
          utterances:
            - segments:
                - text: Book me in
";

    fn document() -> FlowDocument {
        FlowDocument::parse(FILE, "bot.yaml").expect("a bot flow")
    }

    #[test]
    fn an_export_with_new_ids_and_sorted_keys_is_the_same_release() {
        let export = "digitalBotFlow:
  settingsNaturalLanguageUnderstanding:
    nluDomainVersion:
      intents:
        - id: 00000000-0000-4000-8000-000000000001
          name: Book
          utterances:
            - id: 00000000-0000-4000-8000-000000000002
              segments:
                - text: 'Book me in'
  name: Appointment Bot
  settingsUserInput:
    collectionLowConfidenceThreshold: {lit: 20}
";
        assert_eq!(compare(export, "export", &document()), Identity::Verified);
    }

    #[test]
    fn a_changed_threshold_is_found_where_it_is() {
        let export = FILE.replace("lit: 20", "lit: 30");
        assert_eq!(
            compare(&export, "export", &document()),
            Identity::Differs {
                path: "digitalBotFlow.settingsUserInput.collectionLowConfidenceThreshold.lit"
                    .into()
            }
        );
    }

    #[test]
    fn an_unreadable_export_is_unverifiable() {
        let Identity::Unverifiable { why } =
            compare("inboundCall:\n  name: x\n", "export", &document())
        else {
            panic!("an inbound call flow is no bot flow");
        };
        assert!(
            why.starts_with("the export could not be read as a bot flow (export"),
            "{why}"
        );
    }
}
