//! Whether two versions of a flow have the same content: their configurations compared
//! after dropping what differs between copies of the same content (finding F: a republish
//! may come back under a new version id).
//!
//! Which fields a real configuration changes from one copy to the next is not documented.
//! The assumption, to confirm on a real org: the version's own identity and bookkeeping at
//! the top level — [`VOLATILE_KEYS`] — and nothing below it, since a nested `version` can be
//! content (the version of a module the flow calls).

use serde_json::Value;

/// Top-level configuration keys that differ between copies of the same content (an
/// assumption; see the module docs).
pub const VOLATILE_KEYS: [&str; 5] = [
    "version",
    "dateSaved",
    "dateCreated",
    "createdBy",
    "selfUri",
];

/// The configuration without its volatile keys.
pub(crate) fn content_of(configuration: &Value) -> Value {
    match configuration {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !VOLATILE_KEYS.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The first place where the content of two configurations differs, as a JSON pointer
/// (`/intents/2/name`), or `None` when they are the same.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    difference_at(&content_of(a), &content_of(b), String::new())
}

fn difference_at(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|key| {
                let here = format!("{path}/{}", escape(key));
                match (x.get(key), y.get(key)) {
                    (Some(a), Some(b)) => difference_at(a, b, here),
                    _ => Some(here),
                }
            })
        }
        (Value::Array(x), Value::Array(y)) => {
            let shared = x.len().min(y.len());
            (0..shared)
                .find_map(|i| difference_at(&x[i], &y[i], format!("{path}/{i}")))
                .or_else(|| (x.len() != y.len()).then(|| format!("{path}/{shared}")))
        }
        _ if a == b => None,
        _ => Some(if path.is_empty() { "/".into() } else { path }),
    }
}

/// JSON pointer escaping (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn copies_of_the_same_content_are_the_same() {
        let original = json!({ "version": "1.0", "dateSaved": "2026-01-01T00:00:00Z",
            "createdBy": { "id": "u1" }, "selfUri": "/a", "name": "Bot",
            "intents": [{ "name": "pay", "utterances": ["pay"] }] });
        let copy = json!({ "version": "4.0", "dateSaved": "2026-05-01T00:00:00Z",
            "createdBy": { "id": "ci" }, "selfUri": "/b", "name": "Bot",
            "intents": [{ "name": "pay", "utterances": ["pay"] }] });
        assert_eq!(first_difference(&original, &copy), None);
    }

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let base = json!({ "name": "Bot", "intents": [{ "name": "pay" }, { "name": "help" }],
            "module": { "version": "2.0" } });
        let cases = [
            (
                json!({ "name": "Bot", "intents": [{ "name": "pay" }, { "name": "agent" }], "module": { "version": "2.0" } }),
                Some("/intents/1/name"),
            ),
            (
                json!({ "name": "Bot", "intents": [{ "name": "pay" }], "module": { "version": "2.0" } }),
                Some("/intents/1"),
            ),
            // A nested version is content: the module the bot calls.
            (
                json!({ "name": "Bot", "intents": [{ "name": "pay" }, { "name": "help" }], "module": { "version": "3.0" } }),
                Some("/module/version"),
            ),
            (
                json!({ "name": "Bot", "intents": [{ "name": "pay" }, { "name": "help" }], "module": { "version": "2.0" }, "extra/key": 1 }),
                Some("/extra~1key"),
            ),
            (base.clone(), None),
            (json!("not an object"), Some("/")),
        ];
        for (other, expected) in cases {
            assert_eq!(
                first_difference(&base, &other).as_deref(),
                expected,
                "{other}"
            );
        }
    }
}
