//! The bot subset a YAML version plays, on a cut-down scheduling bot.

use super::*;
use crate::archy::document::parse;

/// Shaped like the scheduling-bot blueprint, cut down.
pub(crate) const SCHEDULING: &str = r#"
botFlow:
  name: Scheduling Bot
  startUpRef: "/botFlow/bots/bot[Default Bot_10]"
  bots:
    - bot:
        name: Other Bot
        refId: Other_1
        actions:
          - exitBotFlow:
              name: Exit
    - bot:
        name: Default Bot
        refId: Default Bot_10
        actions:
          - communicate:
              communication:
                exp: "MakeCommunication(\n  \"Welcome to the clinic.\")"
          - askForIntent:
              question:
                exp: "MakeCommunication(\n  \"Hi! What would you like to do?\")"
              noMatch:
                exp: "MakeCommunication(\n  \"I'm sorry I didn't catch that.\")"
              outputs:
                intents:
                  - intent:
                      name: Book an Appointment
                      actions:
                        - loop:
                            name: Appointment Loop
                        - communicate:
                            communication:
                              exp: "MakeCommunication(\n  \"Which day suits you?\")"
                  - intent:
                      name: Chat with an agent
                      actions:
                        - transferToAcd:
                            targetQueue:
                              lit:
                                name: Appointments
                            preTransferCommunication:
                              exp: "MakeCommunication(\n  \"Putting you through.\")"
                  - intent:
                      name: Goodbye
                      actions:
                        - disconnect:
                            name: Disconnect
          - exitBotFlow:
              name: Exit Bot Flow
  settingsNaturalLanguageUnderstanding:
    nluDomainVersion:
      intents:
        - name: Book an Appointment
          utterances:
            - segments:
                - text: I'd like to schedule an appointment.
            - segments:
                - text: Can you help me book a visit?
        - name: Chat with an agent
          utterances:
            - segments:
                - text: Can I get in touch with an agent?
            - segments:
                - text: I want to talk to someone, an agent or a person
        - name: Goodbye
          utterances:
            - segments:
                - text: bye
"#;

fn bot() -> ArchyBot {
    ArchyBot::from_document(&parse(SCHEDULING).expect("parses"))
}

fn reason(answer: &Answer) -> Option<(EndKind, &str)> {
    answer.ends.as_ref().map(|e| (e.kind, e.reason.as_str()))
}

#[test]
fn the_greeting_is_the_opening_then_the_question() {
    let greeting = bot().greeting();
    assert_eq!(
        greeting.parts,
        [["Welcome to the clinic.", "Hi! What would you like to do?"]]
    );
    assert_eq!(greeting.ends, None);
}

#[test]
fn inputs_go_to_the_intent_sharing_most_words() {
    let bot = bot();
    assert_eq!(
        bot.classify("BOOK an appointment, please!"),
        Some("Book an Appointment")
    );
    assert_eq!(bot.classify("talk to an agent"), Some("Chat with an agent"));
    // "someone" and "agent" (2) beat "appointment" (1).
    assert_eq!(
        bot.classify("someone who is an agent about my appointment"),
        Some("Chat with an agent")
    );
    // A tie goes to the first intent: "visit" (Book) and "person" (Chat) one each.
    assert_eq!(
        bot.classify("a visit or a person"),
        Some("Book an Appointment")
    );
    // Stop words and short words do not count.
    assert_eq!(bot.classify("can you help me with that?"), None);
}

#[test]
fn an_intent_runs_its_actions_then_the_ones_after_the_question() {
    let bot = bot();
    let book = bot.answer("book an appointment");
    assert_eq!(
        book.parts,
        [["Which day suits you?"]],
        "the loop is skipped"
    );
    assert_eq!(reason(&book), Some((EndKind::Exit, "TriggeredByFlow")));
    let agent = bot.answer("an agent please");
    assert_eq!(agent.parts, [["Putting you through."]]);
    assert_eq!(
        reason(&agent),
        Some((EndKind::Exit, "AgentRequestedByUser"))
    );
    let bye = bot.answer("bye");
    assert_eq!(bye.parts, [Vec::<String>::new()]);
    assert_eq!(reason(&bye), Some((EndKind::Disconnect, "TriggeredByFlow")));
    let lost = bot.answer("the weather in Paris");
    assert_eq!(lost.parts, [["I'm sorry I didn't catch that."]]);
    assert_eq!(lost.ends, None);
}

#[test]
fn without_an_ending_the_bot_waits_or_exits() {
    let yaml = SCHEDULING.replace(
        "          - exitBotFlow:\n              name: Exit Bot Flow\n",
        "",
    );
    let bot = ArchyBot::from_document(&parse(&yaml).expect("parses"));
    assert_eq!(bot.answer("book a visit").ends, None, "waits for more");
    let plain = "digitalBotFlow:\n  name: Plain\n  bots:\n    - bot:\n        actions:\n          - communicate:\n              communication:\n                lit: Closed today.\n";
    let plain = ArchyBot::from_document(&parse(plain).expect("parses"));
    let greeting = plain.greeting();
    assert_eq!(greeting.parts, [["Closed today."]]);
    assert_eq!(reason(&greeting), Some((EndKind::Exit, "TriggeredByFlow")));
}
