use super::*;

const DEMO: &str = include_str!("../../sandbox/src/scenario/demo_appointment_bot.yaml");

fn doc(text: &str) -> FlowDocument {
    FlowDocument::parse(text, "f.yaml").expect("parses")
}

fn lines(live: &str, file: &str) -> Vec<String> {
    FlowDiff::between(&doc(live), &doc(file)).lines()
}

/// A small bot with one of everything compared.
const BASE: &str = r#"
digitalBotFlow:
  name: Clinic Bot
  settingsUserInput:
    collectionLowConfidenceThreshold:
      lit: 20
    collectionHighConfidenceThreshold:
      lit: 70
  settingsKnowledge:
    Clinic FAQ:
      maxNumOfAnswersReturned:
        lit: 3
  bots:
    - bot:
        name: Default Bot
        actions:
          - communicate:
              name: Greeting
              communication:
                exp: "MakeCommunication(\n  \"Welcome!\")"
          - transferToAcd:
              name: Transfer
              targetQueue:
                lit:
                  name: Appointments
  settingsNaturalLanguageUnderstanding:
    nluDomainVersion:
      intents:
        - name: Book
          id: a1
          description: Books a visit.
          utterances:
            - segments:
                - text: book a visit
              id: u1
            - segments:
                - text: make an appointment
              id: u2
        - name: Cancel
          id: a2
          utterances:
            - segments:
                - text: cancel my visit
              id: u3
      entities:
        - name: When
          type: builtin:date
"#;

#[test]
fn the_same_flow_written_otherwise_changes_nothing() {
    let reformatted = BASE
        .replace("id: a1", "id: zz1")
        .replace("id: u2", "id: zz2")
        .replace("name: Clinic Bot", "name: \"Clinic Bot\"");
    let diff = FlowDiff::between(&doc(BASE), &doc(&reformatted));
    assert!(diff.is_empty(), "{:?}", diff.lines());
    assert!(!diff.changes_identity());
    assert!(FlowDiff::between(&doc(DEMO), &doc(DEMO)).is_empty());
}

#[test]
fn a_renamed_or_retyped_flow_changes_its_identity() {
    let renamed = BASE.replace("name: Clinic Bot", "name: Clinic Bot 2");
    let diff = FlowDiff::between(&doc(BASE), &doc(&renamed));
    assert!(diff.changes_identity());
    assert_eq!(
        diff.lines(),
        ["Flow name: \"Clinic Bot\" → \"Clinic Bot 2\""]
    );
    let retyped = BASE.replace("digitalBotFlow:", "botFlow:");
    let diff = FlowDiff::between(&doc(BASE), &doc(&retyped));
    assert!(diff.changes_identity());
    assert_eq!(diff.lines(), ["Flow type: DIGITALBOT → BOT"]);
}

#[test]
fn intents_are_compared_by_name() {
    let edited = BASE
        .replace(
            "            - segments:\n                - text: make an appointment\n",
            "            - segments:\n                - text: book me in for Friday\n            - segments:\n                - text: I need a check-up\n",
        )
        .replace("description: Books a visit.", "description: Books a clinic visit.")
        .replace("        - name: Cancel\n", "        - name: Reschedule\n");
    assert_eq!(
        lines(BASE, &edited),
        [
            "Intent \"Book\": 2 → 3 utterances (+ \"book me in for Friday\", + \"I need a check-up\", - \"make an appointment\"); description \"Books a visit.\" → \"Books a clinic visit.\"",
            "Intent \"Reschedule\" added with 1 utterance (+ \"cancel my visit\")",
            "Intent \"Cancel\" removed (had 1 utterance)",
        ]
    );
}

#[test]
fn a_description_alone_or_reordered_utterances() {
    let described = BASE.replace(
        "        - name: Cancel\n",
        "        - name: Cancel\n          description: Cancels.\n",
    );
    assert_eq!(
        lines(BASE, &described),
        ["Intent \"Cancel\": description (none) → \"Cancels.\""]
    );
    let swapped = BASE
        .replace("text: book a visit", "text: SWAP")
        .replace("text: make an appointment", "text: book a visit")
        .replace("text: SWAP", "text: make an appointment");
    assert!(
        lines(BASE, &swapped).is_empty(),
        "the same utterances in another order"
    );
}

#[test]
fn entities_are_compared_by_name() {
    let edited = BASE.replace(
        "        - name: When\n          type: builtin:date\n",
        "        - name: When\n          type: builtin:time\n        - name: Doctor\n          type: Doctors\n",
    );
    assert_eq!(
        lines(BASE, &edited),
        [
            "Entity \"When\": type builtin:date → builtin:time",
            "Entity \"Doctor\" added (Doctors)",
        ]
    );
    assert_eq!(lines(&edited, BASE)[1], "Entity \"Doctor\" removed");
}

#[test]
fn thresholds_show_their_values() {
    let edited = BASE.replace("lit: 20", "lit: 30").replace(
        "    collectionHighConfidenceThreshold:\n      lit: 70\n",
        "    confirmationLowConfidenceThreshold:\n      lit: 40\n",
    );
    assert_eq!(
        lines(BASE, &edited),
        [
            "Threshold collectionLowConfidenceThreshold: 20 → 30",
            "Threshold collectionHighConfidenceThreshold: 70 → (not set)",
            "Threshold confirmationLowConfidenceThreshold: (not set) → 40",
        ]
    );
}

#[test]
fn prompts_show_old_and_new_text() {
    let edited = BASE
        .replace("\\\"Welcome!\\\"", "\\\"Welcome to\\\", Flow.clinic, \\\"!\\\"")
        .replace(
            "          - transferToAcd:\n              name: Transfer\n",
            "          - communicate:\n              name: Goodbye\n              communication:\n                lit: \"Bye\\nfor now\"\n          - transferToAcd:\n              name: Transfer\n",
        );
    assert_eq!(
        lines(BASE, &edited),
        [
            "Prompt \"Greeting\": \"Welcome!\" → \"Welcome to{Flow.clinic}!\"",
            "Prompt \"Goodbye\" added: \"Bye\\nfor now\"",
        ]
    );
    assert_eq!(
        lines(&edited, BASE)[1],
        "Prompt \"Goodbye\" removed: \"Bye\\nfor now\""
    );
}

#[test]
fn prompts_sharing_a_label_are_shown_with_their_site() {
    let two = |first: &str| {
        format!(
            r#"
botFlow:
  name: B
  bots:
    - bot:
        name: Default Bot
        actions:
          - decision:
              name: Open?
              outputs:
                "yes":
                  actions:
                    - communicate:
                        name: Communicate
                        communication:
                          lit: {first}
                "no":
                  actions:
                    - communicate:
                        name: Communicate
                        communication:
                          lit: We are closed.
"#
        )
    };
    assert_eq!(
        lines(&two("We are open."), &two("Come in, we are open.")),
        [
            "Prompt \"Default Bot\" › \"Open?\" › yes › \"Communicate\" › communication: \"We are open.\" → \"Come in, we are open.\""
        ]
    );
}

#[test]
fn knowledge_bases_and_their_settings() {
    let more = BASE.replace("        lit: 3\n", "        lit: 5\n");
    assert_eq!(
        lines(BASE, &more),
        ["Knowledge base \"Clinic FAQ\": settings changed at maxNumOfAnswersReturned.lit"]
    );
    let other = BASE.replace("    Clinic FAQ:\n", "    Billing FAQ:\n");
    assert_eq!(
        lines(BASE, &other),
        [
            "Knowledge base \"Billing FAQ\" added",
            "Knowledge base \"Clinic FAQ\" removed",
        ]
    );
}

#[test]
fn named_org_objects_added_and_removed() {
    let edited = BASE.replace("name: Appointments", "name: Front Desk").replace(
        "          - transferToAcd:\n",
        "          - callData:\n              name: Slots\n              category:\n                Scheduling Lambda:\n                  dataAction:\n                    Get Booking Slots: {}\n          - transferToAcd:\n",
    );
    assert_eq!(
        lines(BASE, &edited),
        [
            "Reference added: data action \"Get Booking Slots\" of integration \"Scheduling Lambda\"",
            "Reference added: queue \"Front Desk\"",
            "Reference removed: queue \"Appointments\"",
        ]
    );
}

#[test]
fn the_demo_bot_and_an_edited_copy() {
    let edited = DEMO
        .replace(
            "            - segments:\n                - text: I need to see a doctor next week.\n              id: 4b1c2d3e-0a1b-4c2d-8e3f-000000000b03\n              source: User\n",
            "            - segments:\n                - text: I need to see a doctor next week.\n              id: 4b1c2d3e-0a1b-4c2d-8e3f-000000000b03\n              source: User\n            - segments:\n                - text: Book me in for Friday.\n              source: User\n",
        )
        .replace("collectionLowConfidenceThreshold:\n      lit: 20", "collectionLowConfidenceThreshold:\n      lit: 30")
        .replace("tomorrow at 9:00", "tomorrow at 10:30")
        .replace("name: Appointments", "name: Front Desk")
        // An import's new NLU ids are no change.
        .replace("000000000a01", "0000000fff01")
        .replace("000000000b05", "0000000fff05");
    let diff = FlowDiff::between(&doc(DEMO), &doc(&edited));
    assert!(!diff.changes_identity());
    assert_eq!(
        diff.lines(),
        [
            "Intent \"Book an Appointment\": 3 → 4 utterances (+ \"Book me in for Friday.\")",
            "Threshold collectionLowConfidenceThreshold: 20 → 30",
            "Prompt \"Offer a slot\": \"The next free appointment is tomorrow at 9:00, and I have booked it for you.\" → \"The next free appointment is tomorrow at 10:30, and I have booked it for you.\"",
            "Reference added: queue \"Front Desk\"",
            "Reference removed: queue \"Appointments\"",
        ]
    );
    assert!(matches!(
        diff.changes()[0],
        Change::IntentChanged {
            utterances_before: 3,
            utterances_after: 4,
            ..
        }
    ));
}

#[test]
fn prompts_at_the_same_site_are_told_apart_by_their_order() {
    let cases = |second: &str| {
        format!(
            r#"
botFlow:
  name: B
  bots:
    - bot:
        name: Default Bot
        actions:
          - switch:
              name: Which
              evaluate:
                firstTrue:
                  cases:
                    - case:
                        actions:
                          - communicate:
                              name: Communicate
                              communication:
                                lit: First.
                    - case:
                        actions:
                          - communicate:
                              name: Communicate
                              communication:
                                lit: {second}
"#
        )
    };
    assert_eq!(
        lines(&cases("Second."), &cases("Later.")),
        [
            "Prompt \"Default Bot\" › \"Which\" › \"Communicate\" › communication #2: \"Second.\" → \"Later.\""
        ]
    );
}
