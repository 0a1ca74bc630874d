//! The job summary as GitHub shows it: rendered by comrak, a port of cmark-gfm (GitHub's own
//! Markdown engine) with GitHub's extensions, and checked for the defects a person would see.
//! Shared by the summary's unit tests and the demo, which renders every summary it writes.

/// GitHub's dialect for job summaries: tables, alerts, autolinks, strikethrough, and raw HTML
/// (`<details>`) passed through.
pub fn to_html(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.alerts = true;
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(markdown, &options)
}

/// What a person would see wrong in the rendered summary, one line each; empty when none.
pub fn defects(markdown: &str) -> Vec<String> {
    let html = to_html(markdown);
    let mut found = Vec::new();
    let mut check = |bad: bool, what: &str| {
        if bad {
            found.push(what.to_string());
        }
    };
    // An empty span (`` `` ``) is no code span in CommonMark: its backticks show as typed.
    check(
        html.contains("<code></code>") || outside_code(&html).contains("``"),
        "an empty code span (two literal backticks)",
    );
    check(html.contains("\\n"), "a literal \\n");
    check(html.contains("<th></th>"), "an empty table header");
    check(
        html.contains("<script"),
        "text from outside the Action taken as markup",
    );
    check(
        !html.starts_with("<h2>"),
        "the headline does not lead the summary",
    );
    // Every table in the Markdown became a table: a stray `|` or a missing line break turns
    // one into a paragraph of pipes.
    let tables = markdown.matches("\n|---").count();
    check(
        html.matches("<table>").count() != tables,
        "a table fell apart into text",
    );
    check(
        html.contains("<p>|"),
        "a table row shown as a paragraph of pipes",
    );
    // `<details>` blocks must close, or everything after one folds into it.
    check(
        html.matches("<details").count() != html.matches("</details>").count(),
        "a <details> block that never closes",
    );
    found
}

/// The HTML with the contents of `<code>` elements left out.
fn outside_code(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<code>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</code>") {
            Some(end) => rest = &rest[start + end + "</code>".len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// A page showing the summary as github.com does: GitHub's Markdown CSS (the
/// `github-markdown-css` package) linked from `css`, the body in `markdown-body`.
pub fn page(title: &str, markdown: &str, css: &str) -> String {
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"{css}\">\n\
         <style>.markdown-body {{ box-sizing: border-box; max-width: 1012px; margin: 0 auto; \
         padding: 32px; }}</style>\n</head>\n<body>\n<article class=\"markdown-body\">\n{}\
         </article>\n</body>\n</html>\n",
        to_html(markdown)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_defect() {
        let clean = "## Head\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        assert_eq!(defects(clean), Vec::<String>::new());
        assert_eq!(
            defects("## Head\n\nlive ``\n"),
            ["an empty code span (two literal backticks)"]
        );
        assert_eq!(defects("## Head\n\nsaid: a\\nb\n"), ["a literal \\n"]);
        assert_eq!(
            defects("## Head\n\n| | |\n|---|---|\n| 1 | 2 |\n"),
            ["an empty table header"]
        );
        assert_eq!(
            defects("## Head\n\n<script>x</script>\n"),
            ["text from outside the Action taken as markup"]
        );
        assert_eq!(
            defects("Head\n\n## x\n"),
            ["the headline does not lead the summary"]
        );
        assert_eq!(
            defects("## Head\n\n| a | b |\n|---|\n| 1 | 2 |\n"),
            [
                "a table fell apart into text",
                "a table row shown as a paragraph of pipes"
            ]
        );
        assert_eq!(
            defects("## Head\n<details><summary>x</summary>\n\nbody\n"),
            ["a <details> block that never closes"]
        );
    }

    #[test]
    fn a_page_is_styled_as_github_styles_markdown() {
        let page = page("A <b> demo", "## ✅ Live\n", "css/github-markdown.css");
        assert!(page.contains("<title>A &lt;b&gt; demo</title>"), "{page}");
        assert!(
            page.contains("<link rel=\"stylesheet\" href=\"css/github-markdown.css\">"),
            "{page}"
        );
        assert!(
            page.contains("<article class=\"markdown-body\">\n<h2>✅ Live</h2>\n</article>"),
            "{page}"
        );
    }
}
