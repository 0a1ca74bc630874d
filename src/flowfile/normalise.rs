//! The normal form of a flow document: what stays the same when the same flow is written
//! differently, so that a digest identifies the flow and not its formatting (SPEC rule 16).
//!
//! Rules, in the order applied:
//!
//! 1. **Volatile fields are removed** ([`VOLATILE_FIELDS`], relative to the flow under its
//!    top-level key). These are ASSUMPTIONS until an export → import → export round trip is
//!    checked on a real org (flow-artifacts.md §3, open question 3):
//!    - the `id` of every intent and utterance of the NLU domain: exports carry them (the
//!      scheduling-bot blueprint's `SchedulingBot.yaml` has one on each) and an import is
//!      taken to give new ones (the sandbox's `VOLATILE_YAML_IDS`, its README guess 29);
//!    - the `id` of every entity: the sandbox's guess too (the blueprint's entities carry none);
//!    - `referencedObjects`: a copy of the referenced flows' interfaces that newer Archy
//!      exports add (seen only in a third-party test of an Archy reader, `inboundCall`
//!      `referencedObjects.flows[].flow`); it describes other objects, not this flow.
//! 2. **Empty lists and mappings are removed**, with their keys, at any depth (a mapping
//!    emptied that way goes too). ASSUMPTION: Archy treats `inputs: {}` or
//!    `entityNameReferences: []` like an absent key; and exports of different Archy versions
//!    differ in exactly such keys (the scheduling-bot export has `languageVersions: {}` and
//!    `mutedUtterances: []`, the knowledge blueprint's export neither), so without this rule a
//!    newer export of an unchanged flow would look changed. Empty elements of a list stay:
//!    their position is content.
//! 3. **Line breaks in text are `\n`**: a `\r\n` a Windows checkout or editor left in a
//!    quoted string is the same text. Other whitespace inside text is content and stays (a
//!    `|` block's trailing spaces, two spaces in a prompt): an edit there is an edit the
//!    platform keeps.
//! 4. **Keys are sorted** (by their UTF-8 bytes). serde_json's map is sorted already unless
//!    its `preserve_order` feature is on (it is not in this crate); the normal form inserts
//!    keys in sorted order anyway, so its serialisation does not depend on that feature.
//!
//! What YAML parsing already makes equal: indentation, flow or block style, quoting (`a`,
//! `'a'`, `"a"`), `|-` versus a quoted string with `\n`, comments, anchors. What stays
//! different: a number and the same digits quoted (`lit: 20` is a number, `lit: "20"` text),
//! `20` and `20.0`, the order of list elements.

use serde_json::{Map, Value};

/// Fields an export or an import changes without the flow changing, relative to the flow's
/// mapping (`[]` is every element of a list). See the module documentation for the evidence.
pub const VOLATILE_FIELDS: [&str; 4] = [
    "settingsNaturalLanguageUnderstanding.nluDomainVersion.intents[].id",
    "settingsNaturalLanguageUnderstanding.nluDomainVersion.intents[].utterances[].id",
    "settingsNaturalLanguageUnderstanding.nluDomainVersion.entities[].id",
    "referencedObjects",
];

/// The normal form of a whole flow document (top-level key included).
pub fn normalise(value: &Value) -> Value {
    let mut tree = value.clone();
    if let Value::Object(top) = &mut tree {
        for flow in top.values_mut() {
            for field in VOLATILE_FIELDS {
                let steps: Vec<&str> = field.split('.').collect();
                remove_field(flow, &steps);
            }
        }
    }
    canonical(tree)
}

fn remove_field(value: &mut Value, steps: &[&str]) {
    let (Some((first, rest)), Value::Object(map)) = (steps.split_first(), value) else {
        return;
    };
    let (key, each) = match first.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (*first, false),
    };
    if rest.is_empty() {
        map.remove(key);
        return;
    }
    match map.get_mut(key) {
        Some(Value::Array(items)) if each => {
            items.iter_mut().for_each(|item| remove_field(item, rest));
        }
        Some(child) if !each => remove_field(child, rest),
        _ => {}
    }
}

/// The value with rules 2–4 applied.
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map
                .into_iter()
                .map(|(key, value)| (key, canonical(value)))
                .filter(|(_, value)| !is_empty_container(value))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect::<Map<_, _>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        Value::String(text) => Value::String(text.replace("\r\n", "\n")),
        other => other,
    }
}

fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volatile_nlu_ids_and_referenced_objects_are_removed() {
        let doc = json!({"digitalBotFlow": {
            "name": "B",
            "referencedObjects": {"flows": [{"flow": {"name": "CM"}}]},
            "settingsNaturalLanguageUnderstanding": {"nluDomainVersion": {
                "intents": [{"name": "Book", "id": "i1", "utterances": [
                    {"id": "u1", "source": "User", "segments": [{"text": "book"}]}
                ]}],
                "entities": [{"name": "When", "id": "e1", "type": "builtin:date"}]
            }},
            "bots": [{"bot": {"name": "Default Bot", "id": "kept: not an NLU id"}}]
        }});
        assert_eq!(
            normalise(&doc),
            json!({"digitalBotFlow": {
                "bots": [{"bot": {"id": "kept: not an NLU id", "name": "Default Bot"}}],
                "name": "B",
                "settingsNaturalLanguageUnderstanding": {"nluDomainVersion": {
                    "entities": [{"name": "When", "type": "builtin:date"}],
                    "intents": [{"name": "Book", "utterances": [
                        {"segments": [{"text": "book"}], "source": "User"}
                    ]}]
                }}
            }})
        );
    }

    #[test]
    fn the_sandbox_volatile_ids_are_all_covered() {
        for field in genesys_sandbox::VOLATILE_YAML_IDS {
            assert!(VOLATILE_FIELDS.contains(&field), "{field}");
        }
    }

    #[test]
    fn empty_lists_and_mappings_count_as_absent() {
        let a = json!({"botFlow": {"name": "B", "inputs": {}, "x": {"y": [], "z": {}},
            "list": [{}, [], 1]}});
        assert_eq!(
            normalise(&a),
            json!({"botFlow": {"list": [{}, [], 1], "name": "B"}})
        );
    }

    #[test]
    fn line_breaks_are_normal_and_other_whitespace_is_content() {
        let doc = json!({"botFlow": {"name": "B", "a": "one\r\ntwo", "b": "trailing  \nkept "}});
        let normal = normalise(&doc);
        assert_eq!(normal["botFlow"]["a"], "one\ntwo");
        assert_eq!(normal["botFlow"]["b"], "trailing  \nkept ");
    }

    #[test]
    fn keys_come_out_sorted_whatever_the_input_order() {
        let text = serde_json::to_string(&normalise(
            &json!({"botFlow": {"zeta": 1, "name": "B", "alpha": {"b": 1, "a": 2}}}),
        ))
        .expect("serialises");
        assert_eq!(
            text,
            r#"{"botFlow":{"alpha":{"a":2,"b":1},"name":"B","zeta":1}}"#
        );
    }

    #[test]
    fn types_and_list_order_stay_significant() {
        let n = |v: Value| normalise(&json!({"botFlow": {"name": "B", "v": v}}));
        assert_ne!(n(json!(20)), n(json!("20")));
        assert_ne!(n(json!(20)), n(json!(20.0)));
        assert_ne!(n(json!([1, 2])), n(json!([2, 1])));
    }
}
