//! Reading YAML (or JSON, which is YAML) into a `serde_json::Value` tree, strictly enough that
//! every problem has a line: a key given twice in one mapping, a list or mapping used as a
//! key, a tag. The checks run inside the deserializer because serde_norway attaches the
//! position only to errors raised while it reads, not to the values it hands over.
//!
//! Keys are read as the text written (`1:` is the key `"1"`, `"yes":` the key `"yes"`): JSON
//! keys are text, and Archy quotes keys such as `"yes"` itself. Anchors and aliases are
//! serde_norway's; a `<<` key merges a mapping (or a list of mappings) the way YAML 1.1 does:
//! the mapping's own keys win, then the earlier merged mapping.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

use super::error::FileError;

/// The key that merges another mapping into this one.
const MERGE_KEY: &str = "<<";

/// Reads `text` with `seed`; the error names `file` and the place serde_norway found.
pub(crate) fn read<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    file: &str,
    seed: S,
) -> Result<S::Value, FileError> {
    seed.deserialize(serde_norway::Deserializer::from_str(text))
        .map_err(|e| file_error(file, &e))
}

/// Where an error happened, 1-based.
pub(crate) fn location(error: &serde_norway::Error) -> Option<(usize, usize)> {
    error.location().map(|at| (at.line(), at.column()))
}

/// serde_norway's error as a [`FileError`]: its place moved out of the message, which keeps
/// the rest (the path inside the document, and libyaml's "while parsing ..." context).
pub(crate) fn file_error(file: &str, error: &serde_norway::Error) -> FileError {
    let at = location(error);
    let mut message = error.to_string();
    if let Some((line, column)) = at {
        let own = format!(" at line {line} column {column}");
        if let Some(start) = message.find(&own) {
            message.replace_range(start..start + own.len(), "");
        }
    }
    FileError::at(
        file,
        at.map(|(line, _)| line),
        at.map(|(_, column)| column),
        message,
    )
}

/// Any YAML value, as a JSON tree.
pub(crate) struct Tree;

impl<'de> DeserializeSeed<'de> for Tree {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            E::custom(format!(
                "the number {v} has no JSON form: write a finite number, or quote it as text"
            ))
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Tree)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        read_mapping(map, |_, map| map.next_value_seed(Tree)).map(Value::Object)
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        Err(de::Error::custom(
            "YAML tags (`!name`) are not part of Archy YAML: remove the tag",
        ))
    }
}

/// Reads a mapping's entries in order, each key once, `<<` merged. `value_of` reads the value
/// of a key (it may check it, so that its error carries the value's place).
pub(crate) fn read_mapping<'de, A, F>(
    mut map: A,
    mut value_of: F,
) -> Result<Map<String, Value>, A::Error>
where
    A: MapAccess<'de>,
    F: FnMut(&str, &mut A) -> Result<Value, A::Error>,
{
    let mut entries = Map::new();
    let mut merged = Vec::new();
    while let Some(key) = map.next_key_seed(Key { taken: &entries })? {
        if key == MERGE_KEY {
            merged.extend(map.next_value_seed(Merge)?);
            continue;
        }
        let value = value_of(&key, &mut map)?;
        entries.insert(key, value);
    }
    for source in merged {
        for (key, value) in source {
            entries.entry(key).or_insert(value);
        }
    }
    Ok(entries)
}

/// A mapping key: the text written, not yet in the mapping.
struct Key<'a> {
    taken: &'a Map<String, Value>,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        // `deserialize_str` gives any scalar's text as written, so `1:` is the key "1".
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key written as text (a list or a mapping cannot be a key)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        if v != MERGE_KEY && self.taken.contains_key(v) {
            return Err(E::custom(format!(
                "the key `{v}` is given twice in this mapping: keep one"
            )));
        }
        Ok(v.to_owned())
    }
}

/// The value of `<<`: the mappings to merge.
struct Merge;

impl<'de> DeserializeSeed<'de> for Merge {
    type Value = Vec<Map<String, Value>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Merge {
    type Value = Vec<Map<String, Value>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping or a list of mappings to merge (`<<`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(vec![read_mapping(map, |_, map| map.next_value_seed(Tree))?])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut all = Vec::new();
        while let Some(one) = seq.next_element_seed(MergeOne)? {
            all.push(one);
        }
        Ok(all)
    }
}

/// One mapping of a list to merge.
struct MergeOne;

impl<'de> DeserializeSeed<'de> for MergeOne {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MergeOne {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping to merge (`<<`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        read_mapping(map, |_, map| map.next_value_seed(Tree))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(text: &str) -> Result<Value, FileError> {
        read(text, "f.yaml", Tree)
    }

    #[test]
    fn yaml_and_json_become_the_same_tree() {
        let yaml = "a:\n  b: [1, -2, 2.5, true, ~, text]\n  'c d': \"x\"\n";
        let json_text = r#"{"a": {"b": [1, -2, 2.5, true, null, "text"], "c d": "x"}}"#;
        let expected = json!({"a": {"b": [1, -2, 2.5, true, null, "text"], "c d": "x"}});
        assert_eq!(tree(yaml).expect("yaml"), expected);
        assert_eq!(tree(json_text).expect("json"), expected);
        assert_eq!(tree("").expect("empty"), Value::Null);
    }

    #[test]
    fn keys_are_the_text_written() {
        let value = tree("1: a\n\"yes\": b\ntrue: c\n").expect("parses");
        assert_eq!(value, json!({"1": "a", "yes": "b", "true": "c"}));
    }

    #[test]
    fn a_key_given_twice_is_an_error_at_the_second() {
        let error = tree("flow:\n  name: A\n  other: 1\n  name: B\n").expect_err("twice");
        assert_eq!((error.line, error.column), (Some(4), Some(3)), "{error}");
        assert!(
            error.message.contains("the key `name` is given twice"),
            "{error}"
        );
        assert!(error.message.starts_with("flow: "), "the path: {error}");
        assert!(
            !error.message.contains("line 4"),
            "the place is not repeated: {error}"
        );
    }

    #[test]
    fn complex_keys_and_tags_are_errors_with_a_place() {
        let error = tree("a:\n  ? [1, 2]\n  : x\n").expect_err("list key");
        assert_eq!(error.line, Some(2), "{error}");
        assert!(
            error
                .message
                .contains("a list or a mapping cannot be a key"),
            "{error}"
        );
        let error = tree("a:\n  b: !Ref c\n").expect_err("tag");
        assert_eq!(error.line, Some(2), "{error}");
        assert!(error.message.contains("YAML tags"), "{error}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let error = tree("a:\n  b: 1\n c: 2\n").expect_err("bad indentation");
        assert_eq!(error.line, Some(3), "{error}");
        assert_eq!(error.file, "f.yaml");
    }

    #[test]
    fn anchors_and_merge_keys_are_resolved() {
        let text = "\
base: &base
  greeting: Hello
  farewell: Bye
other: &other
  farewell: Later
  extra: 1
flow:
  <<: [*base, *other]
  farewell: See you
  copy: *base
";
        let value = tree(text).expect("parses");
        assert_eq!(
            value["flow"],
            json!({
                "greeting": "Hello",
                "farewell": "See you",
                "extra": 1,
                "copy": {"greeting": "Hello", "farewell": "Bye"}
            })
        );
        let error = tree("a: &a 1\nb:\n  <<: *a\n").expect_err("merging a scalar");
        assert!(error.message.contains("to merge"), "{error}");
    }

    #[test]
    fn numbers_without_a_json_form_are_refused() {
        let error = tree("a: .inf\n").expect_err("infinite");
        assert!(error.message.contains("no JSON form"), "{error}");
        assert_eq!(error.line, Some(1));
    }
}
