//! Finding `{{key}}` placeholders in a text, where they are, and replacing them.
//!
//! A placeholder is `{{`, optional spaces or tabs, a key of [`KEY_CHARACTERS`], optional
//! spaces or tabs, `}}`, all on one line: `{{queue_name}}`, `{{ substitutions.flow_name }}`
//! (the dotted form of TF#1068). Substitution is textual, like CX as Code's
//! (`util_files.go` `substituteValues`): a placeholder counts wherever it is, in a quoted or
//! unquoted scalar, in a key, in a comment.
//!
//! Any other `{{` is left as it is: YAML flow mappings (`{{a: 1}}`) and Architect
//! expressions are not placeholders. One exception: `{{` and `}}` around text that only a
//! wrong key explains (`{{queue name}}`, `{{ café }}`) is reported as malformed, because Archy's
//! own pre-processor would stop on it at import ("pre-processor substitution key of '...' was
//! found in the flow YAML", TF#1068) and the sandbox does the same.

use std::ops::Range;

/// The characters of a placeholder key, for messages.
pub(crate) const KEY_CHARACTERS: &str = "letters A–Z and a–z, digits, `_`, `.` and `-`";

/// Whether `key` can be a placeholder's key: one or more of [`KEY_CHARACTERS`].
pub(crate) fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// What was found between `{{` and `}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    /// A placeholder and its key.
    Placeholder(&'a str),
    /// Text that looks meant as a placeholder but whose key is not one.
    Malformed,
}

/// One placeholder (or malformed one) in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    /// What it is.
    pub kind: Kind<'a>,
    /// Its bytes in the text, braces included.
    pub span: Range<usize>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl<'a> Found<'a> {
    /// The placeholder as written, braces included.
    pub fn text(&self, source: &'a str) -> &'a str {
        &source[self.span.clone()]
    }
}

fn kind_of(inner: &str) -> Option<Kind<'_>> {
    let key = inner.trim_matches([' ', '\t']);
    if is_key(key) {
        return Some(Kind::Placeholder(key));
    }
    let looks_meant = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ' ' | '\t'));
    looks_meant.then_some(Kind::Malformed)
}

/// Every placeholder and malformed placeholder in `text`, in order.
pub(crate) fn scan(text: &str) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    let mut cursor = Cursor::default();
    let mut from = 0;
    while let Some(offset) = text[from..].find("{{") {
        let open = from + offset;
        let inner_start = open + 2;
        let line_end = text[inner_start..]
            .find('\n')
            .map_or(text.len(), |n| inner_start + n);
        let closed = text[inner_start..line_end].find("}}").and_then(|len| {
            let inner = &text[inner_start..inner_start + len];
            Some((kind_of(inner)?, inner_start + len + 2))
        });
        match closed {
            Some((kind, close)) => {
                let (line, column) = cursor.advance_to(text, open);
                found.push(Found {
                    kind,
                    span: open..close,
                    line,
                    column,
                });
                from = close;
            }
            // `{{{key}}}` is `{` around a placeholder: look again one brace further.
            None => from = open + 1,
        }
    }
    found
}

/// `text` with each placeholder in `found` (from [`scan`] on the same text) replaced by what
/// `with` gives for its key; `None` keeps it as written. Malformed ones are kept.
pub(crate) fn replace<'t, F>(text: &'t str, found: &[Found<'t>], mut with: F) -> String
where
    F: FnMut(&'t str) -> Option<String>,
{
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for one in found {
        let Kind::Placeholder(key) = one.kind else {
            continue;
        };
        if let Some(replacement) = with(key) {
            out.push_str(&text[copied..one.span.start]);
            out.push_str(&replacement);
            copied = one.span.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Line and column of byte offsets met in increasing order, without rescanning the text.
#[derive(Default)]
struct Cursor {
    offset: usize,
    line: usize,
    column: usize,
}

impl Cursor {
    fn advance_to(&mut self, text: &str, offset: usize) -> (usize, usize) {
        for c in text[self.offset..offset].chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 0;
            } else {
                self.column += 1;
            }
        }
        self.offset = offset;
        (self.line + 1, self.column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<(Kind<'_>, usize, usize)> {
        scan(text)
            .into_iter()
            .map(|f| (f.kind, f.line, f.column))
            .collect()
    }

    #[test]
    fn placeholders_are_found_with_their_place() {
        let text = "a:\n  name: {{flow_name}}\n  q: \"Call {{ support.phone }} now\" # {{x-1}}\n";
        assert_eq!(
            keys(text),
            [
                (Kind::Placeholder("flow_name"), 2, 9),
                (Kind::Placeholder("support.phone"), 3, 12),
                (Kind::Placeholder("x-1"), 3, 39),
            ]
        );
        let found = scan(text);
        assert_eq!(found[1].text(text), "{{ support.phone }}");
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(keys("é: {{a}}"), [(Kind::Placeholder("a"), 1, 4)]);
    }

    #[test]
    fn other_braces_are_left_alone() {
        for text in [
            "a: {{b: 1}}",
            "x: {}",
            "{{",
            "{{ }}",
            "{{a\n}}",
            "exp: \"MakeCommunication(\\\"{{\\\")\"",
        ] {
            assert_eq!(keys(text), [], "{text:?}");
        }
    }

    #[test]
    fn triple_braces_hold_a_placeholder() {
        assert_eq!(keys("{{{a}}}"), [(Kind::Placeholder("a"), 1, 2)]);
    }

    #[test]
    fn text_meant_as_a_placeholder_is_malformed() {
        assert_eq!(keys("q: {{queue name}}"), [(Kind::Malformed, 1, 4)]);
        assert_eq!(keys("q: {{ café }}"), [(Kind::Malformed, 1, 4)]);
    }

    #[test]
    fn replacing_keeps_everything_else() {
        let text = "a: {{x}} b: {{ y }} c: {{z}} d: {{bad key}}";
        let found = scan(text);
        let out = replace(text, &found, |key| (key != "z").then(|| key.to_uppercase()));
        assert_eq!(out, "a: X b: Y c: {{z}} d: {{bad key}}");
        assert_eq!(replace("plain", &scan("plain"), |_| None), "plain");
    }

    #[test]
    fn keys_are_ascii_words_with_dots_and_dashes() {
        for key in ["a", "queue_name", "substitutions.flow_name", "x-1", "2024"] {
            assert!(is_key(key), "{key}");
        }
        for key in ["", "a b", "café", "a:b", "a/b", "{a}"] {
            assert!(!is_key(key), "{key}");
        }
    }
}
