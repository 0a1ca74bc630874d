use super::*;

const GOOD_YAML: &str = "\
version: 1
conversations:
  - name: Pays a bill
    timeout_seconds: 12.5
    turns:
      - bot: { contains: Welcome }
      - user: I want to pay my bill
        bot:
          matches: \"(?i)payment\"
          quick_replies: [Pay now, Talk to an agent]
      - user: Talk to an agent
        bot: { ends: exit, reason: AgentRequestedByUser }
  - name: Greets
    turns:
      - bot: { text: Hello! }
";

const GOOD_JSON: &str = r#"{
  "version": 1,
  "conversations": [
    { "name": "Asks for an order",
      "turns": [
        { "user": "Where is my order?", "bot": { "contains": "order number", "ends": "any" } }
      ] }
  ]
}"#;

fn yaml_error(text: &str) -> String {
    parse_yaml(text, "smoke/bot.yml")
        .expect_err("malformed")
        .to_string()
}

fn json_error(text: &str) -> String {
    parse_json(text, "smoke/bot.json")
        .expect_err("malformed")
        .to_string()
}

#[test]
fn reads_a_good_yaml_file() {
    let suite = parse_yaml(GOOD_YAML, "smoke/bot.yml").expect("valid");
    assert_eq!(suite.file, "smoke/bot.yml");
    assert_eq!(suite.conversations.len(), 2);
    let pays = &suite.conversations[0];
    assert_eq!(pays.name, "Pays a bill");
    assert_eq!(pays.timeout, Duration::from_millis(12_500));
    assert_eq!(pays.turns.len(), 3);
    assert_eq!(pays.turns[0].user, None);
    assert_eq!(pays.turns[0].expect.contains.as_deref(), Some("Welcome"));
    assert_eq!(pays.turns[1].user.as_deref(), Some("I want to pay my bill"));
    let matches = pays.turns[1].expect.matches.as_ref().expect("regex");
    assert_eq!(matches.as_str(), "(?i)payment");
    assert_eq!(
        pays.turns[1].expect.quick_replies,
        ["Pay now", "Talk to an agent"]
    );
    assert_eq!(pays.turns[2].expect.ends, Some(EndKind::Exit));
    assert_eq!(
        pays.turns[2].expect.reason.as_deref(),
        Some("AgentRequestedByUser")
    );
    let greets = &suite.conversations[1];
    assert_eq!(greets.timeout, DEFAULT_TIMEOUT);
    assert_eq!(greets.turns[0].expect.text.as_deref(), Some("Hello!"));
}

#[test]
fn reads_a_good_json_file() {
    let suite = parse_json(GOOD_JSON, "smoke/bot.json").expect("valid");
    let turn = &suite.conversations[0].turns[0];
    assert_eq!(turn.user.as_deref(), Some("Where is my order?"));
    assert_eq!(turn.expect.contains.as_deref(), Some("order number"));
    assert_eq!(turn.expect.ends, Some(EndKind::Any));
}

#[test]
fn loads_by_extension_and_names_unreadable_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let yml = dir.path().join("a.yml");
    std::fs::write(&yml, GOOD_YAML).expect("write");
    assert_eq!(load(&yml, "a.yml").expect("yaml").conversations.len(), 2);
    let json = dir.path().join("a.JSON");
    std::fs::write(&json, GOOD_JSON).expect("write");
    assert_eq!(load(&json, "a.JSON").expect("json").conversations.len(), 1);
    let txt = dir.path().join("a.txt");
    std::fs::write(&txt, GOOD_YAML).expect("write");
    assert_eq!(
        load(&txt, "a.txt").expect_err("txt").to_string(),
        "a.txt: the file must end in .yml, .yaml or .json, which says how to read it"
    );
    let missing = load(&dir.path().join("none.yml"), "none.yml").expect_err("missing");
    assert!(
        missing
            .to_string()
            .starts_with("none.yml: cannot read the file: "),
        "{missing}"
    );
}

/// A one-conversation YAML file whose first turn is `turn`.
fn one_turn(turn: &str) -> String {
    format!("version: 1\nconversations:\n  - name: A\n    turns:\n{turn}")
}

#[test]
fn every_malformed_yaml_file_names_line_column_and_fault() {
    let cases: &[(String, &str)] = &[
        (
            "conversations: []\n".into(),
            "smoke/bot.yml line 1, column 1: `conversations` is empty: give at least one",
        ),
        (
            "version: 1\n".into(),
            "smoke/bot.yml line 1, column 1: missing field `conversations`",
        ),
        (
            "version: 2\nconversations: []\n".into(),
            "smoke/bot.yml line 1, column 1: version 2 is not supported: this Action reads version 1",
        ),
        (
            "- version: 1\n".into(),
            "smoke/bot.yml line 1, column 1: invalid type: sequence, expected struct RawFile",
        ),
        (
            one_turn("      - bot: { contains: x }\n        expct: y\n"),
            "smoke/bot.yml line 6, column 9: conversations[0].turns[0]: unknown field `expct`, expected `user` or `bot`",
        ),
        (
            one_turn("      - bot: { matches: \"(unclosed\" }\n"),
            "smoke/bot.yml line 5, column 14: conversations[0].turns[0].bot: `matches` is not a valid regular expression (\"(unclosed\"): unclosed group",
        ),
        (
            one_turn("      - bot: { contains: x }\n      - bot: { contains: y }\n"),
            "smoke/bot.yml line 3, column 3: conversations: conversation \"A\": turn 2 has no `user`; only the first turn may be the bot's opening",
        ),
        (
            one_turn("      - user: hi\n        bot: {}\n"),
            "smoke/bot.yml line 5, column 9: conversations[0].turns[0]: `bot` expects nothing: give text, contains, matches, quick_replies or ends",
        ),
        (
            one_turn("      - user: hi\n        bot: { reason: TriggeredByUser }\n"),
            "smoke/bot.yml line 5, column 9: conversations[0].turns[0]: `reason` needs `ends` (exit, disconnect or any)",
        ),
        (
            one_turn("      - user: hi\n        bot: { ends: exit, reason: UserExit }\n"),
            "smoke/bot.yml line 5, column 9: conversations[0].turns[0]: `reason` \"UserExit\" is not a reason the platform sends for `ends: exit`; allowed: TriggeredByUser, AgentRequestedByUser, TriggeredByFlow, Error, RecognitionFailure",
        ),
        (
            one_turn("      - user: hi\n        bot: { ends: disconnect, reason: AgentRequestedByUser }\n"),
            "smoke/bot.yml line 5, column 9: conversations[0].turns[0]: `reason` \"AgentRequestedByUser\" is not a reason the platform sends for `ends: disconnect`; allowed: TriggeredByUser, TriggeredByFlow, SessionExpired, Error, RecognitionFailure",
        ),
        (
            one_turn("      - user: hi\n        bot: { ends: any, reason: UserEscalation }\n"),
            "smoke/bot.yml line 5, column 9: conversations[0].turns[0]: `reason` \"UserEscalation\" is not a reason the platform sends for `ends: any`; allowed: TriggeredByUser, AgentRequestedByUser, TriggeredByFlow, Error, RecognitionFailure, SessionExpired",
        ),
        (
            one_turn("      - user: hi\n        bot: { ends: hangup }\n"),
            "smoke/bot.yml line 6, column 22: conversations[0].turns[0].bot.ends: unknown variant `hangup`, expected one of `exit`, `disconnect`, `any`",
        ),
        (
            one_turn("      - user: hi\n").replace("    turns:", "    turns:\n      - {}"),
            "smoke/bot.yml line 5, column 9: conversations[0].turns[0]: missing field `bot`",
        ),
        (
            one_turn("      - user: \"  \"\n        bot: { contains: x }\n"),
            "smoke/bot.yml line 5, column 7: conversations[0].turns: `user` is empty: leave it out for the bot's opening, or say something",
        ),
        (
            "version: 1\nconversations:\n  - name: A\n    timeout_seconds: 0\n    turns:\n      - user: hi\n        bot: { contains: x }\n".into(),
            "smoke/bot.yml line 3, column 3: conversations: conversation \"A\": `timeout_seconds` is 0, expected more than 0 and at most 600",
        ),
        (
            "version: 1\nconversations:\n  - name: A\n    turns: []\n".into(),
            "smoke/bot.yml line 3, column 3: conversations: conversation \"A\" has no turns",
        ),
        (
            "version: 1\nconversations:\n  - turns:\n      - user: hi\n        bot: { contains: x }\n".into(),
            "smoke/bot.yml line 3, column 5: conversations[0]: missing field `name`",
        ),
        (
            format!("{}{}", one_turn("      - user: hi\n        bot: { contains: x }\n"), "  - name: A\n    turns:\n      - user: hi\n        bot: { contains: x }\n"),
            "smoke/bot.yml line 1, column 1: two conversations are named \"A\": names must be unique",
        ),
        (
            one_turn("      - user: hi\n        bot: { contains: x\n"),
            "smoke/bot.yml line 7, column 1: did not find expected ',' or '}', while parsing a flow mapping at line 6 column 14",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(&yaml_error(text), expected, "for:\n{text}");
    }
}

#[test]
fn every_malformed_json_file_names_line_column_and_fault() {
    let cases = [
        (
            r#"{"version": 1, "conversations": [{"name": "A", "turns": [{"user": "hi", "bot": {"contain": "x"}}]}]}"#,
            "smoke/bot.json line 1, column 89: unknown field `contain`, expected one of `text`, `contains`, `matches`, `quick_replies`, `ends`, `reason`",
        ),
        (
            "{\"version\": 1,\n \"conversations\": [\n {\"name\": \"A\", \"turns\": [\n  {\"user\": \"hi\", \"bot\": {\"matches\": \"(x\"}}]}]}",
            "smoke/bot.json line 4, column 41: `matches` is not a valid regular expression (\"(x\"): unclosed group",
        ),
        (
            r#"{"version": 1, "conversations": ["#,
            "smoke/bot.json line 1, column 33: EOF while parsing a list",
        ),
        (
            r#"{"version": 3, "conversations": []}"#,
            "smoke/bot.json line 1, column 13: version 3 is not supported: this Action reads version 1",
        ),
        ("", "smoke/bot.json line 1: EOF while parsing a value"),
    ];
    for (text, expected) in cases {
        assert_eq!(json_error(text), expected, "for:\n{text}");
    }
}

#[test]
fn reasons_are_checked_against_the_ending_kind_without_regard_to_case() {
    let turn = |ends: &str, reason: &str| {
        one_turn(&format!(
            "      - user: hi\n        bot: {{ ends: {ends}, reason: {reason} }}\n"
        ))
    };
    for (ends, reason) in [
        ("exit", "AgentRequestedByUser"),
        ("exit", "triggeredbyflow"),
        ("disconnect", "SessionExpired"),
        ("any", "SessionExpired"),
        ("any", "AgentRequestedByUser"),
        ("disconnect", "Error"),
    ] {
        let suite = parse_yaml(&turn(ends, reason), "smoke/bot.yml")
            .unwrap_or_else(|e| panic!("{ends} {reason}: {e}"));
        assert_eq!(
            suite.conversations[0].turns[0].expect.reason.as_deref(),
            Some(reason)
        );
    }
    for (ends, reason) in [
        ("exit", "SessionExpired"),
        ("disconnect", "AgentRequestedByUser"),
        ("any", "UserExit"),
    ] {
        assert!(
            parse_yaml(&turn(ends, reason), "smoke/bot.yml").is_err(),
            "{ends} {reason}"
        );
    }
    let json = r#"{"version": 1, "conversations": [{"name": "A", "turns": [
        {"user": "hi", "bot": {"ends": "exit", "reason": "UserEscalation"}}]}]}"#;
    assert_eq!(
        json_error(json),
        "smoke/bot.json line 2, column 75: `reason` \"UserEscalation\" is not a reason the platform sends for `ends: exit`; allowed: TriggeredByUser, AgentRequestedByUser, TriggeredByFlow, Error, RecognitionFailure"
    );
}

#[test]
fn the_example_files_are_valid() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/smoke");
    for (name, conversations) in [("billing.yml", 2), ("orders.yml", 2)] {
        let suite = load(&examples.join(name), name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(suite.conversations.len(), conversations, "{name}");
    }
}
