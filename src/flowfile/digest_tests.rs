use super::*;
use crate::flowfile::substitutions::Source;

/// A flow file as a team keeps it: placeholders unquoted, in a key, inside a prompt.
const TEMPLATE: &str = r#"# Appointment bot, all environments.
digitalBotFlow:
  name: {{flow_name}}
  description: Books clinic appointments
  defaultLanguage: en-us
  settingsUserInput:
    collectionLowConfidenceThreshold:
      lit: 20
  bots:
    - bot:
        name: Default Bot
        refId: Default Bot_10
        actions:
          - callData:
              name: Get Booking Slots
              category:
                {{integration}}:
                  dataAction:
                    Get Booking Slots:
                      inputs: {}
          - communicate:
              name: Greeting
              communication:
                exp: "MakeCommunication(\n  \"Welcome to {{ clinic_name }}.\")"
  settingsNaturalLanguageUnderstanding:
    nluDomainVersion:
      intents:
        - name: Book an Appointment
          id: 4b1c2d3e-0a1b-4c2d-8e3f-000000000a01
          utterances:
            - segments:
                - text: I'd like to book an appointment.
              id: 4b1c2d3e-0a1b-4c2d-8e3f-000000000b01
              source: User
"#;

/// The same flow written another way: key order, indentation, quoting, a `|-` block for the
/// prompt, flow style, comments, `{{key}}` spacing, and the NLU ids an import regenerates.
const REFORMATTED: &str = r#"digitalBotFlow:
    settingsNaturalLanguageUnderstanding:
        nluDomainVersion:
            intents:
            -   utterances:
                -   source: "User"
                    id: 99999999-0000-4000-8000-000000000001   # new on import
                    segments: [{text: "I'd like to book an appointment."}]
                id: 99999999-0000-4000-8000-000000000002
                name: 'Book an Appointment'
    bots:
    -   bot:
            refId: "Default Bot_10"
            name: Default Bot
            actions:
            -   callData:
                    category:
                        {{ integration }}:
                            dataAction:
                                "Get Booking Slots":
                                    inputs: {}
                    name: Get Booking Slots
            -   communicate:
                    communication:
                        exp: |-
                          MakeCommunication(
                            "Welcome to {{clinic_name}}.")
                    name: Greeting
    settingsUserInput: {collectionLowConfidenceThreshold: {lit: 20}}
    defaultLanguage: "en-us"
    description: 'Books clinic appointments'
    name: {{ flow_name }}
"#;

fn subs(text: &str) -> Substitutions {
    Substitutions::parse(text, Source::File("substitutions/env.yml".to_owned())).expect("parses")
}

fn digest(text: &str) -> Digest {
    file_digest(text, "bots/appointment-bot.yaml").expect("a digest")
}

#[test]
fn reformatting_keeps_the_file_digest() {
    assert_eq!(digest(TEMPLATE), digest(REFORMATTED));
    let crlf = TEMPLATE.replace('\n', "\r\n");
    assert_eq!(digest(TEMPLATE), digest(&crlf), "Windows line endings");
}

#[test]
fn a_changed_utterance_or_threshold_changes_it() {
    let utterance = TEMPLATE.replace("I'd like to book", "I want to book");
    assert_ne!(digest(TEMPLATE), digest(&utterance));
    let threshold = TEMPLATE.replace("lit: 20", "lit: 30");
    assert_ne!(digest(TEMPLATE), digest(&threshold));
    let placeholder = TEMPLATE.replace("{{ clinic_name }}", "{{clinic}}");
    assert_ne!(
        digest(TEMPLATE),
        digest(&placeholder),
        "another key is another file"
    );
}

#[test]
fn substitutions_change_the_release_digest_only() {
    let dev = subs(
        "flow_name: Appointment Bot\nintegration: Scheduling Lambda\nclinic_name: Dev Clinic\n",
    );
    let prod = subs(
        "clinic_name: Riverside Clinic\nflow_name: Appointment Bot\nintegration: Scheduling Lambda\n",
    );
    let file = digest(TEMPLATE);
    assert_ne!(release_digest(&file, &dev), release_digest(&file, &prod));
    assert_ne!(release_digest(&file, &dev), file);
    // The order the keys are given in does not matter.
    let prod_reordered = subs(
        "integration: Scheduling Lambda\nflow_name: Appointment Bot\nclinic_name: Riverside Clinic\n",
    );
    assert_eq!(
        release_digest(&file, &prod),
        release_digest(&file, &prod_reordered)
    );
    assert_eq!(
        release_digest(&file, &Substitutions::none()),
        release_digest(&file, &Substitutions::none())
    );
}

#[test]
fn the_release_form_keeps_values_apart() {
    let file = digest(TEMPLATE);
    let joined = subs("a: \"1\\nb=\\\"2\\\"\"\n");
    let split = subs("a: \"1\"\nb: \"2\"\n");
    assert_eq!(joined.get("a"), Some("1\nb=\"2\""));
    assert_ne!(
        release_digest(&file, &joined),
        release_digest(&file, &split)
    );
}

#[test]
fn the_release_form_is_the_documented_one() {
    let file = Digest::of(b"file");
    let env = subs("queue_name: Appointments\nclinic: \"Riverside\"\n");
    let expected = format!("{file}\nclinic=\"Riverside\"\nqueue_name=\"Appointments\"\n");
    assert_eq!(release_digest(&file, &env), Digest::of(expected.as_bytes()));
}

#[test]
fn the_file_digest_is_of_the_canonical_json() {
    let text = "botFlow:\n  name: B\n  z: 1\n  a: [x]\n";
    assert_eq!(
        digest(text),
        Digest::of(br#"{"botFlow":{"a":["x"],"name":"B","z":1}}"#)
    );
}

#[test]
fn a_substituted_file_is_digested_as_its_content() {
    let text = "botFlow:\n  name: Appointment Bot\n";
    let template = "botFlow:\n  name: {{flow_name}}\n";
    assert_ne!(digest(text), digest(template));
    let done =
        crate::flowfile::apply(template, "t", &subs("flow_name: Appointment Bot\n")).expect("fits");
    assert_eq!(digest(done.text()), digest(text));
}

#[test]
fn a_file_that_is_no_flow_has_no_digest() {
    let e = file_digest("inboundCall:\n  name: {{x}}\n", "ivr.yaml").expect_err("not a bot");
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.contains("not a bot flow type"), "{e}");
}

#[test]
fn digests_show_and_read_back() {
    let abc = Digest::of(b"abc");
    let shown = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert_eq!(abc.to_string(), shown);
    assert_eq!(abc.short(), "ba7816bf8f01");
    assert_eq!(shown.parse::<Digest>(), Ok(abc));
    assert_eq!(
        shown
            .to_uppercase()
            .replace("SHA256", "sha256")
            .parse::<Digest>(),
        Ok(abc)
    );
    for bad in [
        "",
        "ba7816bf",
        "sha256:",
        "md5:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "sha256:+a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
    ] {
        assert!(bad.parse::<Digest>().is_err(), "{bad:?}");
    }
    assert_eq!(
        "x".parse::<Digest>().expect_err("bad").to_string(),
        "`x` is not a digest: expected `sha256:` and 64 hex digits"
    );
}
