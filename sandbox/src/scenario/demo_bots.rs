//! What the demo bots say in bot flow sessions, and the demo's smoke-test bot: the
//! conversations `examples/smoke/*.yml` hold with them.

use crate::bots::script::{BotEnd, BotReply, BotScript, EndKind, QuickReplyForm, ReplyRule};
use crate::scenario::{FlowSpec, PublishBehaviour, VersionSpec};

/// DIGITALBOT "Order Status Bot": `1.0` published and answers well; `2.0` checked in
/// publishes fine but answers a billing question with order talk, so its smoke test fails
/// and it is rolled back.
pub const DEMO_SMOKE_BOT_ID: &str = "b7777777-3c4d-4e5f-8a6b-0000000000b7";

fn rule(utterance: &str, reply: BotReply) -> ReplyRule {
    ReplyRule {
        utterance: utterance.to_owned(),
        exact: false,
        reply,
    }
}

fn hand_over(text: &str, reason: &str) -> BotReply {
    BotReply {
        ends: Some(BotEnd {
            kind: EndKind::Exit,
            reason: reason.to_owned(),
            reason_extended_info: None,
        }),
        ..BotReply::says(text)
    }
}

/// The Billing Assistant (`DEMO_BOT_ID`): both versions answer what
/// `examples/smoke/billing.yml` expects; `2.0` splits its payment answer over a `NoOp`
/// continuation.
pub(crate) fn billing_assistant(version: &str) -> BotScript {
    let mut payment = BotReply {
        quick_replies: vec!["Pay now".to_owned(), "Talk to an agent".to_owned()],
        ..BotReply::says("You can pay your bill online.")
    };
    if version == "2.0" {
        payment.continued = vec!["Or pay by phone, any time.".to_owned()];
    } else {
        payment.text = "You can pay your bill online or by phone.".to_owned();
    }
    BotScript {
        greeting: Some(BotReply::says(
            "Hi, I'm the Billing Assistant. How can I help?",
        )),
        replies: vec![
            rule("pay", payment),
            rule(
                "agent",
                hand_over("Connecting you to a billing agent.", "AgentRequestedByUser"),
            ),
        ],
        fallback: Some(BotReply::says("Sorry, I can help with bills and payments.")),
        quick_reply_form: QuickReplyForm::V1,
    }
}

fn order_status(version: &str) -> BotScript {
    let billing = if version == "1.0" {
        hand_over(
            "Billing questions go to our billing team. Transferring you now.",
            "AgentRequestedByUser",
        )
    } else {
        // The regression the demo's smoke test catches.
        BotReply::says("I can only help with orders. What is your order number?")
    };
    BotScript {
        greeting: Some(BotReply::says(
            "Welcome to Order Status. Where can I find your order?",
        )),
        replies: vec![
            rule(
                "where is my order",
                BotReply::says("Please tell me your order number."),
            ),
            rule("bill", billing),
        ],
        fallback: None,
        quick_reply_form: QuickReplyForm::V1,
    }
}

/// The Order Status Bot's flow.
pub(crate) fn order_status_bot() -> FlowSpec {
    let version = |id: &str| VersionSpec {
        id: id.to_owned(),
        name: None,
        duration_ms: Some(500),
        publish: PublishBehaviour::Success,
        republish: None,
        outcomes: Vec::new(),
        consumes: Vec::new(),
        bot: Some(order_status(id)),
        refuse: None,
        configuration: None,
        yaml: None,
        created_by: None,
        created_by_client: None,
        calls: None,
    };
    FlowSpec {
        id: DEMO_SMOKE_BOT_ID.to_owned(),
        name: "Order Status Bot".to_owned(),
        flow_type: "DIGITALBOT".to_owned(),
        description: Some("Tells customers where their order is".to_owned()),
        deleted: false,
        locked_user: None,
        locked_client: None,
        published_version: Some("1.0".to_owned()),
        checked_in_version: Some("2.0".to_owned()),
        saved_version: None,
        republish_mode: None,
        touch_after_publish: None,
        calls: Vec::new(),
        versions: vec![version("1.0"), version("2.0")],
    }
}
