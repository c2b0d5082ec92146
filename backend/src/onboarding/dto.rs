use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

crate::text_enum!(
    /// A first-run step.
    Step {
        /// Contacts brought in from a file (an import committed).
        ImportContacts => "import_contacts",
        /// The follow-up cadences changed in Settings.
        SetCadences => "set_cadences",
        /// A calendar subscribed to Rapport's feed.
        ConnectCalendar => "connect_calendar",
        /// A stage added to a pipeline.
        AddPipelineStage => "add_pipeline_stage",
        /// A colleague invited (or a second member).
        InviteColleague => "invite_colleague",
        /// The AI assistant asked something.
        TryAssistant => "try_assistant",
    }
);

#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistItem {
    pub step: Step,
    pub done: bool,
}

/// Demo data in the workspace.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemoState {
    /// Demo records are in the workspace ("Remove demo data" takes them out).
    pub loaded: bool,
    /// The workspace has no records yet, so demo data can be loaded.
    pub can_load: bool,
}

/// The first-run checklist of the signed-in member in this workspace.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "items": [{"step": "import_contacts", "done": true}, {"step": "set_cadences", "done": false}],
    "done": 1, "total": 6, "dismissed": false, "demo": {"loaded": false, "can_load": false}
}))]
pub struct Onboarding {
    pub items: Vec<ChecklistItem>,
    #[schema(minimum = 0)]
    pub done: i32,
    #[schema(minimum = 0)]
    pub total: i32,
    /// The member put the checklist away.
    pub dismissed: bool,
    pub demo: DemoState,
}

/// Demo records added or removed, by kind.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"contacts": 12, "companies": 5, "deals": 6, "products": 4, "proposals": 2, "payments": 3}))]
pub struct DemoCounts {
    pub contacts: i64,
    pub companies: i64,
    pub deals: i64,
    pub products: i64,
    pub proposals: i64,
    pub payments: i64,
}

/// Whether the checklist is put away.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dismissed": true}))]
pub struct DismissOnboarding {
    pub dismissed: bool,
}
