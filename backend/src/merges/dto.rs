//! Shapes of the merge API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::companies::dto::Company;
use crate::contacts::dto::Contact;
use crate::text_enum;

text_enum!(
    /// What kind of records a merge joined.
    MergeType {
        Contact => "contact",
        Company => "company",
    }
);

text_enum!(
    /// Whose value a field of the merged record takes: the survivor's, the merged record's, or
    /// both together (lists — emails, phones, tags —, notes and custom fields only).
    MergeChoice {
        Survivor => "survivor",
        Merged => "merged",
        Both => "both",
    }
);

/// Two records to merge into one: `survivor_id` stays, `merged_id` joins it and then resolves
/// to it. Without `dry_run`, the merge is made; with it, only shown.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "survivor_id": "0190f0a0-0000-7000-8000-000000000001",
    "merged_id": "0190f0a0-0000-7000-8000-000000000002",
    "fields": {"job_title": "merged"},
    "dry_run": true
}))]
pub struct MergeRequest {
    /// The record that stays.
    pub survivor_id: Uuid,
    /// The record merged into it.
    pub merged_id: Uuid,
    /// Per field, whose value wins (see `fields` in the answer for the field names). A field left
    /// out takes the survivor's value unless that is empty; lists, notes and custom fields are
    /// combined when both have one.
    #[serde(default)]
    #[schema(example = json!({"job_title": "merged", "notes": "both"}))]
    pub fields: BTreeMap<String, MergeChoice>,
    /// Only show the merged record, changing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// One field of the merged record: both records' values and the one it takes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeField {
    #[schema(example = "job_title")]
    pub field: String,
    /// The survivor's value.
    #[schema(example = "Engineer")]
    pub survivor: serde_json::Value,
    /// The merged record's value.
    #[schema(example = "Lead engineer")]
    pub merged: serde_json::Value,
    /// The merged record's value for this field.
    #[schema(example = "Lead engineer")]
    pub value: serde_json::Value,
    /// Where `value` comes from.
    pub source: MergeChoice,
    /// Whether the two records disagree on this field.
    pub differs: bool,
}

/// What a contact merge moves (or would move) to the survivor.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactMoves {
    #[schema(minimum = 0)]
    pub interactions: i64,
    #[schema(minimum = 0)]
    pub reminders: i64,
    #[schema(minimum = 0)]
    pub deals: i64,
    #[schema(minimum = 0)]
    pub payments: i64,
    /// AI conversations.
    #[schema(minimum = 0)]
    pub conversations: i64,
}

/// What a company merge moves (or would move) to the survivor.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompanyMoves {
    #[schema(minimum = 0)]
    pub contacts: i64,
    #[schema(minimum = 0)]
    pub deals: i64,
}

/// The merged contact, field by field, and what moved to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactMerge {
    /// The merge, to undo it; `null` for a dry run.
    pub merge_id: Option<Uuid>,
    pub dry_run: bool,
    /// The survivor as it is (or would be) after the merge.
    pub record: Contact,
    pub fields: Vec<MergeField>,
    pub moved: ContactMoves,
    /// Until when the merge can be undone; `null` for a dry run.
    pub undo_until: Option<DateTime<Utc>>,
}

/// The merged company, field by field, and what moved to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyMerge {
    /// The merge, to undo it; `null` for a dry run.
    pub merge_id: Option<Uuid>,
    pub dry_run: bool,
    /// The survivor as it is (or would be) after the merge.
    pub record: Company,
    pub fields: Vec<MergeField>,
    pub moved: CompanyMoves,
    /// Until when the merge can be undone; `null` for a dry run.
    pub undo_until: Option<DateTime<Utc>>,
}

/// An undone merge.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeUndo {
    pub merge_id: Uuid,
    #[serde(rename = "type")]
    pub kind: MergeType,
    /// The record that stayed; its fields are back as they were before the merge, except those
    /// changed since (listed in `kept`).
    pub survivor_id: Uuid,
    /// The merged record, back with what it had.
    pub restored_id: Uuid,
    /// Fields of the survivor changed since the merge, whose current value was kept.
    #[schema(example = json!(["job_title"]))]
    pub kept: Vec<String>,
    /// Records moved back to the restored record (those added to the survivor since stay).
    #[schema(minimum = 0)]
    pub moved_back: i64,
    pub undone_at: DateTime<Utc>,
}
