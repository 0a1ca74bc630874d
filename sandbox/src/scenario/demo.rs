//! The built-in demo scenario (`Scenario::default()`), used by the README demo and by the binary
//! when no `--scenario` is given. Its ids are fixed so docs and tests can name them.

use std::collections::BTreeMap;

use crate::scenario::demo_artifacts;
use crate::scenario::{
    ClientSpec, ConsumedSpec, EntityRef, ErrorDetail, FlowSpec, OrganizationSpec, PublishAnswer,
    PublishBehaviour, PublishFailure, RepublishMode, Scenario, SkillSpec, SkillState,
    UnknownVersion, VersionSpec,
};

/// OAuth client id of the demo client.
pub const DEMO_CLIENT_ID: &str = "c0ffee00-5a4d-4b0c-9e11-5a4db0c9e110";
/// Its secret (a sandbox-only value).
pub const DEMO_CLIENT_SECRET: &str = "sandbox-demo-secret";
/// Name of the demo client.
pub const DEMO_CLIENT_NAME: &str = "genesys-bot-deploy demo";

/// DIGITALBOT "Billing Assistant": `1.0` published, `2.0` checked in and publishes fine;
/// republishing `1.0` (a rollback) works too.
pub const DEMO_BOT_ID: &str = "b1111111-3c4d-4e5f-8a6b-0000000000b1";
/// BOT "Returns Assistant": `2.0` published, `3.0` checked in and fails to publish.
pub const DEMO_FAILING_BOT_ID: &str = "b2222222-3c4d-4e5f-8a6b-0000000000b2";
/// DIGITALBOT "Store Hours Bot", locked by the user `DEMO_LOCK_USER_*` (`1.0` published,
/// `2.0` checked in).
pub const DEMO_LOCKED_BOT_ID: &str = "b3333333-3c4d-4e5f-8a6b-0000000000b3";
/// BOT "Retired Survey Bot", deleted.
pub const DEMO_DELETED_BOT_ID: &str = "b4444444-3c4d-4e5f-8a6b-0000000000b4";
/// COMMONMODULE "Shared Greeting", published (`4.0`); both bots consume it.
pub const DEMO_COMMON_MODULE_ID: &str = "c5555555-3c4d-4e5f-8a6b-0000000000c5";
/// User holding the lock on `DEMO_LOCKED_BOT_ID`.
pub const DEMO_LOCK_USER_ID: &str = "a6666666-3c4d-4e5f-8a6b-0000000000a6";
/// Name of that user.
pub const DEMO_LOCK_USER_NAME: &str = "Jane Doe";

/// Active skill "Billing".
pub const DEMO_SKILL_BILLING_ID: &str = "5a000001-7e1d-4d2c-9b3a-000000000001";
/// Active skill "Payments".
pub const DEMO_SKILL_PAYMENTS_ID: &str = "5a000002-7e1d-4d2c-9b3a-000000000002";
/// Inactive skill "Loyalty Rewards".
pub const DEMO_SKILL_INACTIVE_ID: &str = "5a000003-7e1d-4d2c-9b3a-000000000003";
/// Deleted skill "Legacy Refunds"; `Returns Assistant` `1.0` still consumes it.
pub const DEMO_SKILL_DELETED_ID: &str = "5a000004-7e1d-4d2c-9b3a-000000000004";

fn version(id: &str, duration_ms: u64, consumes: Vec<ConsumedSpec>) -> VersionSpec {
    VersionSpec {
        id: id.to_owned(),
        name: None,
        duration_ms: Some(duration_ms),
        publish: PublishBehaviour::Success,
        republish: None,
        outcomes: Vec::new(),
        consumes,
        bot: None,
        refuse: None,
        configuration: None,
        yaml: None,
        created_by: None,
        created_by_client: None,
        calls: None,
    }
}

fn uses(id: &str, resource_type: &str) -> ConsumedSpec {
    ConsumedSpec {
        id: id.to_owned(),
        resource_type: resource_type.to_owned(),
        name: None,
        version: None,
    }
}

fn flow(id: &str, name: &str, flow_type: &str, published: &str, checked_in: &str) -> FlowSpec {
    FlowSpec {
        id: id.to_owned(),
        name: name.to_owned(),
        flow_type: flow_type.to_owned(),
        description: None,
        deleted: false,
        locked_user: None,
        locked_client: None,
        published_version: Some(published.to_owned()),
        checked_in_version: Some(checked_in.to_owned()),
        saved_version: None,
        republish_mode: None,
        touch_after_publish: None,
        calls: Vec::new(),
        versions: Vec::new(),
    }
}

fn skill(id: &str, name: &str, state: SkillState) -> SkillSpec {
    SkillSpec {
        id: id.to_owned(),
        name: name.to_owned(),
        state,
    }
}

/// The failure of `Returns Assistant` `3.0`, shaped like the `Operation` model's error fields.
fn returns_failure() -> PublishFailure {
    let detail = |code: &str, field: &str, id: Option<&str>, name: &str| ErrorDetail {
        error_code: Some(code.to_owned()),
        field_name: Some(field.to_owned()),
        entity_id: id.map(str::to_owned),
        entity_name: Some(name.to_owned()),
    };
    PublishFailure {
        error_code: "flow.publish.validation.failed".to_owned(),
        error_message: "Flow 'Returns Assistant' version 3.0 failed validation with 2 errors"
            .to_owned(),
        error_details: vec![
            detail(
                "reference.not.found",
                "Main.TransferToAcd.skill",
                Some("5a0000ff-7e1d-4d2c-9b3a-0000000000ff"),
                "Returns Escalations",
            ),
            detail(
                "expression.invalid",
                "Main.SetRefundAmount.expression",
                None,
                "Set Refund Amount",
            ),
        ],
        error_message_params: BTreeMap::from([
            ("flowName".to_owned(), "Returns Assistant".to_owned()),
            ("version".to_owned(), "3.0".to_owned()),
        ]),
    }
}

pub(crate) fn demo() -> Scenario {
    let module = || uses(DEMO_COMMON_MODULE_ID, "COMMONMODULEFLOW");
    let billing = || uses(DEMO_SKILL_BILLING_ID, "ACDSKILL");
    let payments = || uses(DEMO_SKILL_PAYMENTS_ID, "ACDSKILL");

    let mut bot = flow(DEMO_BOT_ID, "Billing Assistant", "DIGITALBOT", "1.0", "2.0");
    bot.description = Some("Answers billing questions and takes payments".to_owned());
    bot.versions = vec![
        version("1.0", 400, vec![billing(), module()]),
        version("2.0", 600, vec![billing(), payments(), module()]),
    ];
    for v in &mut bot.versions {
        v.bot = Some(crate::scenario::demo_bots::billing_assistant(&v.id));
    }

    let mut failing = flow(
        DEMO_FAILING_BOT_ID,
        "Returns Assistant",
        "BOT",
        "2.0",
        "3.0",
    );
    let mut v3 = version("3.0", 500, vec![billing(), module()]);
    v3.publish = PublishBehaviour::Failure(returns_failure());
    failing.versions = vec![
        version(
            "1.0",
            400,
            vec![uses(DEMO_SKILL_DELETED_ID, "ACDSKILL"), module()],
        ),
        version("2.0", 400, vec![billing(), module()]),
        v3,
    ];

    let mut locked = flow(
        DEMO_LOCKED_BOT_ID,
        "Store Hours Bot",
        "DIGITALBOT",
        "1.0",
        "2.0",
    );
    locked.locked_user = Some(EntityRef {
        id: DEMO_LOCK_USER_ID.to_owned(),
        name: DEMO_LOCK_USER_NAME.to_owned(),
    });
    locked.versions = vec![
        version("1.0", 300, vec![module()]),
        version("2.0", 300, vec![module()]),
    ];

    let mut deleted = flow(
        DEMO_DELETED_BOT_ID,
        "Retired Survey Bot",
        "BOT",
        "1.0",
        "1.0",
    );
    deleted.deleted = true;
    deleted.versions = vec![version("1.0", 300, Vec::new())];

    let mut common = flow(
        DEMO_COMMON_MODULE_ID,
        "Shared Greeting",
        "COMMONMODULE",
        "4.0",
        "4.0",
    );
    common.versions = vec![version("4.0", 300, Vec::new())];

    Scenario {
        publish_duration_ms: 500,
        unknown_version: UnknownVersion::Reject,
        publish_answer: PublishAnswer::Operation,
        republish_mode: RepublishMode::SameVersion,
        organization: OrganizationSpec::default(),
        max_page_size: 500,
        clients: vec![ClientSpec {
            id: DEMO_CLIENT_ID.to_owned(),
            secret: DEMO_CLIENT_SECRET.to_owned(),
            name: DEMO_CLIENT_NAME.to_owned(),
            token_ttl_secs: 86_400.0,
        }],
        flows: vec![
            bot,
            failing,
            locked,
            deleted,
            common,
            crate::scenario::demo_bots::order_status_bot(),
        ]
        .into_iter()
        .chain(demo_artifacts::flows())
        .collect(),
        skills: vec![
            skill(DEMO_SKILL_BILLING_ID, "Billing", SkillState::Active),
            skill(DEMO_SKILL_PAYMENTS_ID, "Payments", SkillState::Active),
            skill(
                DEMO_SKILL_INACTIVE_ID,
                "Loyalty Rewards",
                SkillState::Inactive,
            ),
            skill(DEMO_SKILL_DELETED_ID, "Legacy Refunds", SkillState::Deleted),
        ],
        faults: Vec::new(),
        notifications: Default::default(),
        import_duration_ms: crate::scenario::jobs::DEFAULT_IMPORT_DURATION_MS,
        export_duration_ms: crate::scenario::jobs::DEFAULT_EXPORT_DURATION_MS,
        import_publishes: true,
        job_faults: Vec::new(),
        history_duration_ms: 300,
        queues: demo_artifacts::queues(),
        data_actions: demo_artifacts::data_actions(),
        knowledge_bases: demo_artifacts::knowledge_bases(),
    }
}

impl Default for Scenario {
    /// The built-in demo data (see the `DEMO_*` consts).
    fn default() -> Self {
        demo()
    }
}
