//! Markdown that renders as meant on GitHub: text from outside the Action kept literal in
//! table cells and code spans, newlines as line breaks, never an empty code span.

/// Text for a table cell: Markdown and HTML characters escaped so outside text shows as
/// written, newlines as `<br>`.
pub(crate) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '`' => out.push_str("\\`"),
            // `_` inside a word is literal in GitHub's Markdown, and error codes are full of
            // it; `*` is emphasis anywhere.
            '*' => out.push_str("\\*"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            other => out.push(other),
        }
    }
    out
}

/// Text on its own line of prose: like [`cell`], with line breaks kept as Markdown hard
/// breaks rather than table-safe `<br>`.
pub(crate) fn prose(text: &str) -> String {
    cell(text).replace("<br>", "  \n")
}

/// A code span of `text`; `—` when there is nothing to show (an empty span renders as two
/// literal backticks). Backticks inside get a longer fence.
pub fn code(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return "—".into();
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!(
        "{fence}{pad}{}{pad}{fence}",
        text.replace(['\r', '\n'], " ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_outside_text_literal() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("two\nlines"), "two<br>lines");
        assert_eq!(cell("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
        assert_eq!(
            cell("*bold* SKILL_NOT_FOUND `code`"),
            "\\*bold\\* SKILL_NOT_FOUND \\`code\\`"
        );
    }

    #[test]
    fn code_spans_are_never_empty_and_survive_backticks() {
        assert_eq!(code("2.0"), "`2.0`");
        assert_eq!(code(""), "—");
        assert_eq!(code("  "), "—");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
    }
}
