use super::*;

fn prod() -> Source {
    Source::File("substitutions/prod.yml".to_owned())
}

fn parse(text: &str) -> Substitutions {
    Substitutions::parse(text, prod()).expect("parses")
}

fn refused(text: &str) -> FileError {
    Substitutions::parse(text, prod()).expect_err("must be refused")
}

fn pairs(subs: &Substitutions) -> Vec<(&str, &str, Option<usize>)> {
    subs.entries()
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str(), e.line))
        .collect()
}

#[test]
fn a_yaml_mapping_gives_keys_in_order_with_their_lines() {
    let subs = parse(
        "# prod\nqueue_name: Appointments\n\nclinic.name: \"Riverside Clinic\"\nretries: 3\n",
    );
    assert_eq!(
        pairs(&subs),
        [
            ("queue_name", "Appointments", Some(2)),
            ("clinic.name", "Riverside Clinic", Some(4)),
            ("retries", "3", Some(5)),
        ]
    );
    assert_eq!(subs.get("retries"), Some("3"));
    assert_eq!(subs.get("missing"), None);
    assert_eq!(subs.len(), 3);
    assert_eq!(subs.source(), Some(&prod()));
}

#[test]
fn a_json_mapping_works_too_even_on_one_line() {
    let subs = parse(r#"{"queue_name": "Appointments", "flag": true, "n": 1.50}"#);
    assert_eq!(
        pairs(&subs),
        [
            ("queue_name", "Appointments", Some(1)),
            ("flag", "true", Some(1)),
            ("n", "1.50", Some(1)),
        ]
    );
    let multi = parse("{\n  \"a\": \"1\",\n  \"b\": \"2\"\n}\n");
    assert_eq!(pairs(&multi), [("a", "1", Some(2)), ("b", "2", Some(3))]);
}

#[test]
fn scalars_keep_the_text_written() {
    let subs = parse("zero: 08\nphone: +442079460000\nyes_no: yes\nempty: \"\"\nf: 1e3\n");
    let values: Vec<&str> = subs.entries().iter().map(|e| e.value.as_str()).collect();
    assert_eq!(values, ["08", "+442079460000", "yes", "", "1e3"]);
    let block = parse("greeting: |\n  Hello\n  there\n");
    assert_eq!(block.get("greeting"), Some("Hello\nthere\n"));
}

#[test]
fn empty_text_or_only_comments_gives_no_substitutions() {
    for text in ["", "\n\n", "# nothing yet\n"] {
        assert!(parse(text).is_empty(), "{text:?}");
    }
}

#[test]
fn values_must_be_scalars() {
    let e = refused("a: 1\nqueue:\n  - one\n");
    assert_eq!((e.line, e.column), (Some(3), Some(3)), "{e}");
    assert!(
        e.message
            .contains("a list or a mapping cannot replace a placeholder"),
        "{e}"
    );
    let e = refused("a: 1\nqueue: {name: x}\n");
    assert_eq!(e.line, Some(2), "{e}");
    for text in ["a: 1\nqueue:\n", "a: 1\nqueue: ~\n", "a: 1\nqueue: null\n"] {
        let e = refused(text);
        assert_eq!(
            e.to_string(),
            "substitutions/prod.yml line 2, column 1: `queue` has no value: give text, a \
             number or true/false (`\"\"` for empty text)",
            "{text:?}"
        );
    }
}

#[test]
fn a_key_given_twice_is_refused_at_the_second() {
    let e = refused("a: 1\nb: 2\na: 3\n");
    assert_eq!(
        e.to_string(),
        "substitutions/prod.yml line 3, column 1: the key `a` is given twice: keep one"
    );
}

#[test]
fn keys_no_placeholder_could_name_are_refused() {
    let e = refused("queue name: x\n");
    assert_eq!(e.line, Some(1), "{e}");
    assert!(
        e.message
            .contains("`queue name` cannot be a placeholder key"),
        "{e}"
    );
    let e = refused("[a]: x\n");
    assert!(e.message.contains("a key of letters"), "{e}");
}

#[test]
fn the_text_must_be_a_mapping() {
    let e = refused("- a\n- b\n");
    assert!(e.message.contains("a mapping of `key: value` lines"), "{e}");
    let e = Substitutions::parse("a: [1", Source::Input).expect_err("syntax");
    assert!(
        e.to_string().starts_with("the substitutions input line 1"),
        "{e}"
    );
}

#[test]
fn classify_tells_paths_from_inline_text() {
    use SubstitutionsInput::{Inline, Path};
    let cases = [
        (
            "substitutions/prod.yml",
            Path("substitutions/prod.yml".into()),
        ),
        ("  envs/dev.json \n", Path("envs/dev.json".into())),
        (r"C:\cfg\prod.yml", Path(r"C:\cfg\prod.yml".into())),
        ("C:/cfg/prod.yml", Path("C:/cfg/prod.yml".into())),
        // YAML reads `key:value` as one word: it cannot be a mapping, so it is a path.
        ("key:value", Path("key:value".into())),
        (
            "queue_name: Appointments",
            Inline("queue_name: Appointments".into()),
        ),
        (
            "queue_name:\tAppointments",
            Inline("queue_name:\tAppointments".into()),
        ),
        ("queue_name:", Inline("queue_name:".into())),
        ("a: 1\nb: 2\n", Inline("a: 1\nb: 2\n".into())),
        ("file.yml\nother.yml", Inline("file.yml\nother.yml".into())),
        (r#"{"a":"b"}"#, Inline(r#"{"a":"b"}"#.into())),
        ("# none yet", Inline("# none yet".into())),
        ("", Inline(String::new())),
    ];
    for (raw, expected) in cases {
        assert_eq!(SubstitutionsInput::classify(raw), expected, "{raw:?}");
    }
    assert_eq!(
        SubstitutionsInput::classify("substitutions/prod.yml").source(),
        prod()
    );
    assert_eq!(SubstitutionsInput::classify("a: 1").source(), Source::Input);
}

#[test]
fn inline_lines_are_yaml_with_blank_lines_and_comments() {
    let raw =
        "# per environment\nqueue_name: Appointments\n\nclinic_name: Riverside Clinic  # shown\n";
    let SubstitutionsInput::Inline(text) = SubstitutionsInput::classify(raw) else {
        panic!("inline expected");
    };
    let subs = Substitutions::parse(&text, Source::Input).expect("parses");
    assert_eq!(
        pairs(&subs),
        [
            ("queue_name", "Appointments", Some(2)),
            ("clinic_name", "Riverside Clinic", Some(4)),
        ]
    );
}

#[test]
fn secret_looking_keys_are_hidden_in_plans() {
    for key in [
        "db_password",
        "ApiKey",
        "api_key",
        "API-KEY",
        "client.secret",
        "PRIVATE_NOTE",
        "auth_token",
        "passwd",
        "credentials",
    ] {
        assert!(is_secret_looking(key), "{key}");
    }
    for key in ["queue_name", "support_phone", "clinic.name"] {
        assert!(!is_secret_looking(key), "{key}");
    }
    let subs = parse("queue_name: Appointments\nlambda_token: abc123\n");
    assert_eq!(
        subs.shown(),
        [
            ("queue_name".to_owned(), "Appointments".to_owned()),
            ("lambda_token".to_owned(), HIDDEN_VALUE.to_owned()),
        ]
    );
}

#[test]
fn none_has_no_source_and_no_keys() {
    let none = Substitutions::none();
    assert!(none.is_empty());
    assert_eq!(none.source(), None);
    assert!(none.shown().is_empty());
}

#[test]
fn sources_are_named_for_messages() {
    assert_eq!(prod().to_string(), "substitutions/prod.yml");
    assert_eq!(Source::Input.to_string(), "the substitutions input");
}
