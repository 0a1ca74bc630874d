//! Where two flow trees first differ, as a place a user can find in the file: what a run
//! shows when the live version is not what was imported, or not what a release produced.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

use super::path::{Step, TreePath, element_name, element_steps};

/// The first place where `a` and `b` differ, or `None` when they are equal; give it
/// normalised trees ([`super::normalise`]) so that formatting and volatile fields do not
/// count.
///
/// Mappings are compared key by key in sorted order; a key only one side has is the place.
/// Lists whose elements all have unique names (see the path format in the module `path`)
/// are compared by name — an element only one side has is the place
/// (`intents["Cancel an Appointment"]`), then each pair, then the order; other lists are
/// compared by position (`utterances[3]`).
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    difference(a, b, &TreePath::default()).map(|at| at.to_string())
}

fn difference(a: &Value, b: &Value, at: &TreePath) -> Option<TreePath> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => mappings(x, y, at),
        (Value::Array(x), Value::Array(y)) => match (unique_names(x), unique_names(y)) {
            (Some(x_names), Some(y_names)) => named_lists(x, &x_names, y, &y_names, at),
            _ => lists(x, y, at),
        },
        _ => (a != b).then(|| at.clone()),
    }
}

fn mappings(x: &Map<String, Value>, y: &Map<String, Value>, at: &TreePath) -> Option<TreePath> {
    let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
    keys.into_iter()
        .find_map(|key| match (x.get(key), y.get(key)) {
            (Some(p), Some(q)) => difference(p, q, &at.key(key)),
            _ => Some(at.key(key)),
        })
}

fn lists(x: &[Value], y: &[Value], at: &TreePath) -> Option<TreePath> {
    (0..x.len().max(y.len())).find_map(|i| match (x.get(i), y.get(i)) {
        (Some(p), Some(q)) => difference(p, q, &at.then(Step::Index(i))),
        _ => Some(at.then(Step::Index(i))),
    })
}

/// The names of a list's elements when every element has one and no two share it.
fn unique_names(list: &[Value]) -> Option<Vec<&str>> {
    let steps = element_steps(list);
    let all_named = steps.iter().all(|s| matches!(s, Step::Named(_)));
    (all_named && !list.is_empty()).then(|| list.iter().filter_map(element_name).collect())
}

fn named_lists(
    x: &[Value],
    x_names: &[&str],
    y: &[Value],
    y_names: &[&str],
    at: &TreePath,
) -> Option<TreePath> {
    let named = |name: &str| at.then(Step::Named(name.to_owned()));
    let only_x = x_names.iter().find(|n| !y_names.contains(n));
    let only_y = y_names.iter().find(|n| !x_names.contains(n));
    if let Some(name) = only_x.or(only_y) {
        return Some(named(name));
    }
    let paired = x_names.iter().zip(x).find_map(|(name, p)| {
        let q = y_names
            .iter()
            .position(|n| n == name)
            .and_then(|i| y.get(i))?;
        difference(p, q, &named(name))
    });
    paired.or_else(|| {
        let moved = x_names.iter().zip(y_names).position(|(m, n)| m != n)?;
        Some(at.then(Step::Index(moved)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flowfile::{FlowDocument, normalise};
    use serde_json::json;

    const DEMO: &str = include_str!("../../sandbox/src/scenario/demo_appointment_bot.yaml");

    fn demo() -> Value {
        normalise(
            FlowDocument::parse(DEMO, "demo.yaml")
                .expect("parses")
                .value(),
        )
    }

    #[test]
    fn equal_trees_have_no_difference() {
        assert_eq!(first_difference(&demo(), &demo()), None);
    }

    #[test]
    fn a_changed_utterance_is_named_by_intent_and_position() {
        let edited = DEMO.replace("Can you schedule a visit for me?", "Can you book me in?");
        let b = normalise(FlowDocument::parse(&edited, "x").expect("parses").value());
        assert_eq!(
            first_difference(&demo(), &b).as_deref(),
            Some(
                r#"digitalBotFlow.settingsNaturalLanguageUnderstanding.nluDomainVersion.intents["Book an Appointment"].utterances[1].segments[0].text"#
            )
        );
    }

    #[test]
    fn a_changed_queue_is_named_through_the_actions() {
        let edited = DEMO.replace("name: Appointments", "name: Front Desk");
        let b = normalise(FlowDocument::parse(&edited, "x").expect("parses").value());
        assert_eq!(
            first_difference(&demo(), &b).as_deref(),
            Some(
                r#"digitalBotFlow.bots["Default Bot"].bot.actions["Ask for Intent"].askForIntent.outputs.intents["Chat with an agent"].intent.actions["Transfer to ACD"].transferToAcd.targetQueue.lit.name"#
            )
        );
    }

    #[test]
    fn an_element_only_one_side_has_is_the_place() {
        let a = json!({"intents": [{"name": "Book"}, {"name": "Chat"}]});
        let b = json!({"intents": [{"name": "Book"}, {"name": "Cancel"}, {"name": "Chat"}]});
        assert_eq!(
            first_difference(&a, &b).as_deref(),
            Some(r#"intents["Cancel"]"#)
        );
        assert_eq!(
            first_difference(&b, &a).as_deref(),
            Some(r#"intents["Cancel"]"#)
        );
    }

    #[test]
    fn a_reordered_named_list_is_the_first_moved_position() {
        let a = json!({"intents": [{"name": "Book"}, {"name": "Chat"}]});
        let b = json!({"intents": [{"name": "Chat"}, {"name": "Book"}]});
        assert_eq!(first_difference(&a, &b).as_deref(), Some("intents[0]"));
    }

    #[test]
    fn unnamed_lists_and_keys_compare_by_position_and_presence() {
        let a = json!({"a": [1, 2], "b": 1});
        assert_eq!(
            first_difference(&a, &json!({"a": [1, 2, 3], "b": 1})).as_deref(),
            Some("a[2]")
        );
        assert_eq!(
            first_difference(&a, &json!({"a": [1, 2]})).as_deref(),
            Some("b")
        );
        assert_eq!(
            first_difference(&json!(1), &json!(2)).as_deref(),
            Some("(the whole document)")
        );
    }
}
