//! The example flow file and its substitutions (`examples/flows/`), as the demo and users
//! deploy them: one file, three environments, the names of the sandbox's demo org.

use super::*;

const FLOW_FILE: &str = "examples/flows/appointment-bot.yaml";
const TEMPLATE: &str = include_str!("../../examples/flows/appointment-bot.yaml");
const ENVIRONMENTS: [(&str, &str); 3] = [
    (
        "examples/flows/substitutions/dev.yml",
        include_str!("../../examples/flows/substitutions/dev.yml"),
    ),
    (
        "examples/flows/substitutions/test.yml",
        include_str!("../../examples/flows/substitutions/test.yml"),
    ),
    (
        "examples/flows/substitutions/prod.yml",
        include_str!("../../examples/flows/substitutions/prod.yml"),
    ),
];

fn substitutions(file: &str, text: &str) -> Substitutions {
    Substitutions::parse(text, Source::File(file.to_owned()))
        .expect("the example substitutions parse")
}

fn deployed(file: &str, text: &str) -> (Substitutions, FlowDocument) {
    let subs = substitutions(file, text);
    let done = apply(TEMPLATE, FLOW_FILE, &subs).expect("the example substitutions fit the file");
    let doc = FlowDocument::parse(done.text(), FLOW_FILE).expect("the substituted example parses");
    (subs, doc)
}

#[test]
fn every_environment_gets_the_digital_appointment_bot() {
    for (file, text) in ENVIRONMENTS {
        let (_, doc) = deployed(file, text);
        assert_eq!(doc.kind(), FlowKind::DigitalBot, "{file}");
        assert_eq!(doc.name(), "Appointment Bot", "{file}");
        let names: Vec<String> = references(&doc).iter().map(ToString::to_string).collect();
        // The names the sandbox's demo org has (its demo_artifacts.rs), in every environment.
        assert_eq!(
            names,
            [
                r#"data action "Get Booking Slots" of integration "Scheduling Lambda""#,
                r#"queue "Appointments""#,
                r#"knowledge base "Clinic FAQ""#,
            ],
            "{file}"
        );
    }
}

#[test]
fn one_file_digest_and_three_release_digests() {
    let file_digest = file_digest(TEMPLATE, FLOW_FILE).expect("the example has a digest");
    let releases: Vec<Digest> = ENVIRONMENTS
        .iter()
        .map(|(file, text)| release_digest(&file_digest, &substitutions(file, text)))
        .collect();
    assert_ne!(releases[0], releases[1]);
    assert_ne!(releases[1], releases[2]);
    assert_ne!(releases[0], releases[2]);
    assert!(!releases.contains(&file_digest));
    // What each environment runs differs too: the texts name the environment.
    let contents: Vec<Digest> = ENVIRONMENTS
        .iter()
        .map(|(file, text)| {
            let done = apply(TEMPLATE, FLOW_FILE, &substitutions(file, text)).expect("fits");
            super::file_digest(done.text(), FLOW_FILE).expect("a digest")
        })
        .collect();
    assert_ne!(contents[0], contents[2]);
}

#[test]
fn the_plan_from_the_live_demo_bot_to_version_two() {
    let live = FlowDocument::parse(genesys_sandbox::DEMO_YAML_BOT_YAML, "live export")
        .expect("the sandbox's live version parses");
    let (file, text) = ENVIRONMENTS[2];
    let (_, prod) = deployed(file, text);
    let diff = FlowDiff::between(&live, &prod);
    assert!(!diff.changes_identity());
    assert_eq!(
        diff.lines(),
        [
            r#"Intent "Book an Appointment": 3 → 5 utterances (+ "Book me in for Friday.", + "Do you have a free slot tomorrow?")"#,
            r#"Intent "Opening Hours" added with 3 utterances (+ "What are your opening hours?", + "When are you open?", + "Are you open on Saturday?")"#,
            r#"Intent "Chat with an agent": 3 → 4 utterances (+ "I want to speak to the receptionist.")"#,
            "Threshold collectionLowConfidenceThreshold: 20 → 30",
            r#"Prompt "Ask for Intent" (noMatch): "Sorry, I didn't catch that. You can say "book an appointment" or "talk to someone"." → "Sorry, I didn't catch that. You can say "book an appointment", "opening hours" or "talk to someone".""#,
            r#"Prompt "Tell the opening hours" added: "Riverside Clinic is open Monday to Friday, 8:00 to 18:00. You can also call us on 020 7946 0000.""#,
            r#"Prompt "Answer from the FAQ" added: "{ToCommunication(Session.LastKnowledgeAnswer)}""#,
            r#"Prompt "Ask for Intent" (question): "Hi! I can book an appointment or put you through to our team. What would you like to do?" → "Hi! Welcome to Riverside Clinic. I can book an appointment, tell you our opening hours or put you through to our team. What would you like to do?""#,
            r#"Prompt "Clinic FAQ" (knowledgeConfirmation) added: "Did this answer your question?""#,
            r#"Prompt "Clinic FAQ" (knowledgeInitialResponseMulti) added: "These answers may help:""#,
            r#"Prompt "Clinic FAQ" (knowledgeNoMatch) added: "None of these""#,
            r#"Knowledge base "Clinic FAQ" added"#,
        ]
    );
}
