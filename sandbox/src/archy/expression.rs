//! The little of Architect's expression language the sandbox reads: the string literals of a
//! `MakeCommunication(...)` expression, as Archy YAML writes prompts
//! (`exp: "MakeCommunication(\n  \"Hi! What would you like to do?\")"`, scheduling-bot
//! blueprint `SchedulingBot.yaml`). Literals are double-quoted; `\"` and `\\` escape a quote and
//! a backslash inside them (the blueprint's `\"Book an appointment\"`).

use serde_norway::Value;

/// The first string literal of an expression, unescaped; `None` when it has none.
pub(crate) fn first_literal(exp: &str) -> Option<String> {
    let mut chars = exp.chars();
    chars.by_ref().find(|c| *c == '"')?;
    let mut text = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(text),
            '\\' => match chars.next() {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some(other) => text.push(other),
                None => return None,
            },
            other => text.push(other),
        }
    }
    // An unterminated literal is no literal.
    None
}

/// `MakeCommunication("<text>")` in the layout Architect writes, with `"` and `\` escaped.
pub(crate) fn make_communication(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("MakeCommunication(\n  \"{escaped}\")")
}

/// The text of a communication value: `{exp: "MakeCommunication(...)"}` gives its first string
/// literal, `{lit: "..."}` the literal itself. Empty texts count as none.
pub(crate) fn communication_text(value: Option<&Value>) -> Option<String> {
    let value = value?;
    let text = match (value.get("exp"), value.get("lit")) {
        (Some(Value::String(exp)), _) => first_literal(exp)?,
        (_, Some(Value::String(lit))) => lit.clone(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_read_with_their_escapes() {
        let greeting = "MakeCommunication(\n  \"Hi! What would you like to do?\")";
        assert_eq!(
            first_literal(greeting).as_deref(),
            Some("Hi! What would you like to do?")
        );
        let quoted = r#"MakeCommunication("Say \"Book an appointment\" or \\ back", "more")"#;
        assert_eq!(
            first_literal(quoted).as_deref(),
            Some(r#"Say "Book an appointment" or \ back"#)
        );
        assert_eq!(first_literal("Flow.slot_index != -1"), None);
        assert_eq!(first_literal("MakeCommunication(\"open"), None);
    }

    #[test]
    fn make_communication_round_trips() {
        let text = r#"He said "hi" \o/"#;
        assert_eq!(
            first_literal(&make_communication(text)).as_deref(),
            Some(text)
        );
        let exp: Value =
            serde_norway::from_str("exp: \"MakeCommunication(\\n  \\\"\\\")\"").expect("yaml");
        assert_eq!(communication_text(Some(&exp)), None, "empty is none");
        let lit: Value = serde_norway::from_str("lit: Hello").expect("yaml");
        assert_eq!(communication_text(Some(&lit)).as_deref(), Some("Hello"));
        assert_eq!(communication_text(None), None);
    }
}
