use super::*;

#[test]
fn escapes_data_like_the_toolkit() {
    assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
    assert_eq!(escape_data("%0A literal"), "%250A literal");
}

#[test]
fn escapes_properties_like_the_toolkit() {
    assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
}

#[test]
fn formats_annotations() {
    assert_eq!(
        annotation(
            Level::Error,
            "Invalid input 'timeout-seconds'",
            "expected 1..3600,\ngot \"x\""
        ),
        "::error title=Invalid input 'timeout-seconds'::expected 1..3600,%0Agot \"x\""
    );
    assert_eq!(
        annotation(Level::Warning, "Lock: a,b", "m"),
        "::warning title=Lock%3A a%2Cb::m"
    );
}

#[test]
fn truncates_long_annotation_messages() {
    let line = annotation(Level::Notice, "t", &"é".repeat(5000));
    let data = line.split("::").nth(2).expect("data part");
    assert_eq!(data.chars().count(), ANNOTATION_MAX_CHARS);
}

#[test]
fn heredoc_entries_round_trip_through_the_runner_rules() {
    let entry = heredoc_entry("validation-errors", "[\"a\",\n\"b\"]").expect("valid");
    let mut lines = entry.lines();
    let header = lines.next().expect("header");
    let (name, delimiter) = header.split_once("<<").expect("heredoc header");
    assert_eq!(name, "validation-errors");
    assert!(delimiter.starts_with("ghadelimiter_"));
    let body: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
    assert_eq!(body.join("\n"), "[\"a\",\n\"b\"]");
    assert!(entry.ends_with(&format!("\n{delimiter}\n")));
}

#[test]
fn heredoc_delimiters_are_fresh_each_time() {
    let a = heredoc_entry("x", "1").expect("valid");
    let b = heredoc_entry("x", "1").expect("valid");
    assert_ne!(a, b);
}

#[test]
fn heredoc_rejects_names_the_runner_would_misread() {
    for bad in ["", "a\nb", "a=b", "a<<b"] {
        assert!(heredoc_entry(bad, "v").is_err(), "{bad:?}");
    }
}

#[test]
fn outputs_are_appended_and_redacted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out");
    std::fs::write(&path, "earlier=1\n").expect("write");
    let redactor = Redactor::new();
    redactor.add("token-abcdef");
    write_outputs(
        &path,
        &[
            ("status", "published".into()),
            ("x", "has token-abcdef".into()),
        ],
        &redactor,
    )
    .expect("written");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.starts_with("earlier=1\nstatus<<ghadelimiter_"));
    assert!(text.contains("\npublished\n"));
    assert!(text.contains("\nhas ***\n"));
    assert!(!text.contains("token-abcdef"));
}

#[test]
fn summaries_over_the_limit_are_cut_with_a_note() {
    let big = "a".repeat(SUMMARY_MAX_BYTES + 10);
    let fitted = fit_summary(&big);
    assert!(fitted.len() <= SUMMARY_MAX_BYTES);
    assert!(fitted.ends_with("_Summary truncated: the runner accepts at most 1 MiB per step._\n"));
    assert_eq!(fit_summary("small"), "small");
}

#[test]
fn console_masks_then_redacts() {
    let buffer = Buffer::default();
    let console = Console::new(buffer.writer(), Redactor::new());
    console.mask("tok-secret-1");
    console.mask("tok-secret-1");
    console.line("Authorization: Bearer tok-secret-1");
    assert_eq!(
        buffer.contents(),
        "::add-mask::tok-secret-1\nAuthorization: Bearer ***\n"
    );
}

#[test]
fn console_caps_annotations_per_kind_but_keeps_the_lines() {
    let buffer = Buffer::default();
    let console = Console::new(buffer.writer(), Redactor::new());
    for i in 0..12 {
        console.annotate(Level::Error, "T", &format!("m{i}"));
    }
    console.annotate(Level::Warning, "W", "w");
    let text = buffer.contents();
    assert_eq!(text.matches("::error ").count(), ANNOTATIONS_PER_KIND);
    assert!(text.contains("error: T: m11\n"));
    assert!(text.contains("::warning title=W::w\n"));
}

#[test]
fn outside_text_cannot_start_a_command_or_carry_the_legacy_form() {
    let cases = [
        ("plain text", "plain text"),
        ("::set-output name=a::b", ":\u{200B}:set-output name=a::b"),
        ("  ::error::x", "  :\u{200B}:error::x"),
        ("a\n::add-mask::b\nc", "a\n:\u{200B}:add-mask::b\nc"),
        ("x ##[error]y", "x #\u{200B}#[error]y"),
        (
            "::warning::##[group]",
            ":\u{200B}:warning::#\u{200B}#[group]",
        ),
        ("not :: a command", "not :: a command"),
    ];
    for (text, safe) in cases {
        assert_eq!(neutralize(text), safe, "{text:?}");
    }
}

#[test]
fn our_own_commands_are_printed_as_commands_and_other_lines_neutralized() {
    let buffer = Buffer::default();
    let console = Console::new(buffer.writer(), Redactor::new());
    console.group("::title");
    console.endgroup();
    console.line("::set-output name=x::y");
    assert_eq!(
        buffer.contents(),
        "::group::::title\n::endgroup::\n:\u{200B}:set-output name=x::y\n"
    );
}

#[test]
fn outside_the_runner_a_mask_prints_nothing_but_still_redacts() {
    let buffer = Buffer::default();
    let console = Console::new(buffer.writer(), Redactor::new()).in_actions(false);
    console.mask("s3cret-value");
    console.line("the secret is s3cret-value");
    assert_eq!(buffer.contents(), "the secret is ***\n");
}

#[test]
fn debug_lines_print_only_with_step_debug_logging() {
    let quiet = Buffer::default();
    Console::new(quiet.writer(), Redactor::new()).debug_line("GET /x -> 200");
    assert_eq!(quiet.contents(), "");
    let loud = Buffer::default();
    Console::new(loud.writer(), Redactor::new())
        .debug(true)
        .debug_line("GET /x -> 200\nnext");
    assert_eq!(loud.contents(), "::debug::GET /x -> 200%0Anext\n");
}
