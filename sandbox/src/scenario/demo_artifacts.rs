//! The demo's flow-file pieces: a Digital Bot Flow deployed from Archy YAML ("Appointment
//! Bot", its live version created by the demo client, as if an earlier run of the pipeline had
//! imported it), the queue, data action and knowledge base such YAML names, and two inbound
//! message flows that call the bot, one pinned to `1.0` and one taking the latest version.

use crate::scenario::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_NAME};
use crate::scenario::{
    CallSpec, DataActionSpec, EntityRef, FlowSpec, KnowledgeBaseSpec, PublishBehaviour, QueueSpec,
    VersionSpec,
};

/// DIGITALBOT "Appointment Bot": `1.0`, from [`DEMO_YAML_BOT_YAML`], published and checked in,
/// created by the demo client.
pub const DEMO_YAML_BOT_ID: &str = "b8888888-3c4d-4e5f-8a6b-0000000000b8";
/// The Archy YAML of the Appointment Bot's `1.0` (a `digitalBotFlow`): it names the queue
/// "Appointments" and the data action "Get Booking Slots" of the integration "Scheduling Lambda".
pub const DEMO_YAML_BOT_YAML: &str = include_str!("demo_appointment_bot.yaml");
/// Queue "Appointments", which the Appointment Bot hands over to.
pub const DEMO_QUEUE_ID: &str = "9a000001-7e1d-4d2c-9b3a-000000000011";
/// Data action "Get Booking Slots" of the integration "Scheduling Lambda".
pub const DEMO_DATA_ACTION_ID: &str = "da000001-7e1d-4d2c-9b3a-000000000021";
/// Knowledge base "Clinic FAQ".
pub const DEMO_KNOWLEDGE_BASE_ID: &str = "cb000001-7e1d-4d2c-9b3a-000000000031";
/// INBOUNDSHORTMESSAGE "SMS Appointments": calls the Appointment Bot pinned to `1.0`.
pub const DEMO_CALLER_PINNED_ID: &str = "e1111111-3c4d-4e5f-8a6b-0000000000e1";
/// INBOUNDSHORTMESSAGE "Web Messaging Appointments": calls the latest published Appointment Bot.
pub const DEMO_CALLER_LATEST_ID: &str = "e2222222-3c4d-4e5f-8a6b-0000000000e2";

fn version(id: &str) -> VersionSpec {
    VersionSpec {
        id: id.to_owned(),
        name: None,
        duration_ms: Some(500),
        publish: PublishBehaviour::Success,
        republish: None,
        outcomes: Vec::new(),
        consumes: Vec::new(),
        bot: None,
        refuse: None,
        configuration: None,
        yaml: None,
        created_by: None,
        created_by_client: None,
        calls: None,
    }
}

fn flow(id: &str, name: &str, flow_type: &str, versions: Vec<VersionSpec>) -> FlowSpec {
    FlowSpec {
        id: id.to_owned(),
        name: name.to_owned(),
        flow_type: flow_type.to_owned(),
        description: None,
        deleted: false,
        locked_user: None,
        locked_client: None,
        published_version: Some("1.0".to_owned()),
        checked_in_version: Some("1.0".to_owned()),
        saved_version: None,
        republish_mode: None,
        touch_after_publish: None,
        calls: Vec::new(),
        versions,
    }
}

/// The Appointment Bot and its two callers.
pub(crate) fn flows() -> Vec<FlowSpec> {
    let mut live = version("1.0");
    live.yaml = Some(DEMO_YAML_BOT_YAML.to_owned());
    live.created_by_client = Some(EntityRef {
        id: DEMO_CLIENT_ID.to_owned(),
        name: DEMO_CLIENT_NAME.to_owned(),
    });
    let mut bot = flow(
        DEMO_YAML_BOT_ID,
        "Appointment Bot",
        "DIGITALBOT",
        vec![live],
    );
    bot.description =
        Some("Books clinic appointments and hands over to the appointments team".to_owned());
    let caller = |id: &str, name: &str, pinned: &str| {
        let mut f = flow(id, name, "INBOUNDSHORTMESSAGE", vec![version("1.0")]);
        f.calls = vec![CallSpec {
            bot: DEMO_YAML_BOT_ID.to_owned(),
            version: pinned.to_owned(),
        }];
        f
    };
    vec![
        bot,
        caller(DEMO_CALLER_PINNED_ID, "SMS Appointments", "1.0"),
        caller(
            DEMO_CALLER_LATEST_ID,
            "Web Messaging Appointments",
            "latest",
        ),
    ]
}

/// The queue the Appointment Bot's YAML names.
pub(crate) fn queues() -> Vec<QueueSpec> {
    vec![QueueSpec {
        id: DEMO_QUEUE_ID.to_owned(),
        name: "Appointments".to_owned(),
    }]
}

/// The data action the Appointment Bot's YAML names.
pub(crate) fn data_actions() -> Vec<DataActionSpec> {
    vec![DataActionSpec {
        id: DEMO_DATA_ACTION_ID.to_owned(),
        name: "Get Booking Slots".to_owned(),
        integration: Some("Scheduling Lambda".to_owned()),
    }]
}

/// A knowledge base, for name lookups.
pub(crate) fn knowledge_bases() -> Vec<KnowledgeBaseSpec> {
    vec![KnowledgeBaseSpec {
        id: DEMO_KNOWLEDGE_BASE_ID.to_owned(),
        name: "Clinic FAQ".to_owned(),
    }]
}
