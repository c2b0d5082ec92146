//! Shapes of the bulk-change API.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::contacts::dto::Lifecycle;
use crate::text_enum;

/// At most this many records per bulk change.
pub const MAX_RECORDS: usize = 10_000;

/// The body limit of the bulk endpoints: 10,000 ids do not fit the usual 64 KiB.
pub const BODY_LIMIT: usize = 1024 * 1024;

text_enum!(
    /// What kind of records a batch changed.
    BulkKind {
        Contact => "contact",
        Company => "company",
        Deal => "deal",
    }
);

/// The one change applied to every selected record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkAction {
    /// Contacts: add these tags (kept once each).
    AddTags {
        #[schema(min_items = 1, max_items = 30, example = json!(["vip"]))]
        tags: Vec<String>,
    },
    /// Contacts: remove these tags.
    RemoveTags {
        #[schema(min_items = 1, max_items = 30, example = json!(["cold"]))]
        tags: Vec<String>,
    },
    /// Contacts: set the stage of life (the follow-up is rescheduled as for one contact).
    SetLifecycle { lifecycle: Lifecycle },
    /// Deals: move to this stage (of their pipeline or another one); its kind sets the deal's
    /// status (open, won, lost) as a move on the board does, and the move is in each deal's stage
    /// history.
    SetStage { stage_id: Uuid },
    /// Contacts and deals: set the owner (a member's user id), or `null` for nobody.
    SetOwner { owner_id: Option<Uuid> },
    /// Contacts, companies and deals: set one custom field (checked against its definition), or
    /// clear it with `null`.
    SetCustomField {
        #[schema(min_length = 1, max_length = 64, example = "budget")]
        key: String,
        #[schema(example = 5000)]
        value: serde_json::Value,
    },
    /// Move to the trash.
    Trash,
    /// Bring back from the trash.
    Restore,
}

/// Which records to change — `ids`, `filter` (the list endpoint's query string: the same
/// filters as `GET /api/v1/contacts?…`; contacts and companies) or `view_id` (a saved view's
/// filters) — and how.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ids": ["0190f0a0-0000-7000-8000-000000000001"], "action": {"type": "add_tags", "tags": ["vip"]}}))]
pub struct BulkRequest {
    /// The records, at most 10,000.
    #[validate(length(min = 1, max = 10000, message = "name 1 to 10,000 records"))]
    #[schema(min_items = 1, max_items = 10000)]
    pub ids: Option<Vec<Uuid>>,
    /// The list's filters as a query string, e.g. `lifecycle=lead&tag=conference`; at most
    /// 10,000 records may match.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000, example = "lifecycle=lead&tag=conference")]
    pub filter: Option<String>,
    /// A saved view of this kind of records: the records its filters match.
    pub view_id: Option<Uuid>,
    pub action: BulkAction,
}

text_enum!(
    /// What a bulk change did to one record.
    BulkOutcome {
        /// Changed.
        Updated => "updated",
        /// Already as asked: left alone.
        Unchanged => "unchanged",
        /// In the trash (or merged): left alone. (For `restore`: not in the trash.)
        Trashed => "trashed",
        /// Not a record of this workspace.
        NotFound => "not_found",
        /// The change would break a rule for this record (`error` says which).
        Refused => "refused",
    }
);

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkItem {
    pub id: Uuid,
    pub outcome: BulkOutcome,
    /// Why it was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What a bulk change did, record by record.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    /// The batch, to undo it; `null` when nothing changed.
    pub batch_id: Option<Uuid>,
    #[schema(example = "Added the tag vip to 120 contacts")]
    pub summary: String,
    /// The summary as a code with parameters, as history entries have it.
    pub message: crate::activity::service::ActivityMessage,
    #[schema(minimum = 0)]
    pub updated: i64,
    #[schema(minimum = 0)]
    pub unchanged: i64,
    /// Records left alone for another reason (in the trash, not found, refused).
    #[schema(minimum = 0)]
    pub skipped: i64,
    pub items: Vec<BulkItem>,
}

/// An undone batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkUndo {
    pub batch_id: Uuid,
    /// Records put back as they were.
    #[schema(minimum = 0)]
    pub restored: i64,
    /// Records changed since the batch, left as they are.
    #[schema(minimum = 0)]
    pub kept: i64,
}
