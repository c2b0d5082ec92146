//! Shapes of the saved-views API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::validate_not_blank;
use crate::text_enum;

text_enum!(
    /// Which list a view is of.
    ViewKind {
        Contact => "contact",
        Company => "company",
        Deal => "deal",
    }
);

/// A saved view.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedView {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: ViewKind,
    #[schema(example = "Leads from conferences")]
    pub name: String,
    /// The list's query string (filters and sort), as `GET /api/v1/contacts?…` takes it.
    #[schema(example = "lifecycle=lead&tag=conference&sort=-last_interaction_at")]
    pub query: String,
    /// The list's columns, in order (empty: the list's default).
    #[schema(example = json!(["name", "company", "lifecycle", "next_follow_up_at"]))]
    pub columns: Vec<String>,
    /// Seen by everyone in the workspace; otherwise by its owner only.
    pub shared: bool,
    /// Who made it.
    pub owner_id: Option<Uuid>,
    /// How many records it matches now; `null` when its filters no longer work (see `notice`).
    pub count: Option<i64>,
    /// Why the view cannot be counted, e.g. a custom field it filters on was deleted; the view
    /// still opens.
    pub notice: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedViewList {
    pub items: Vec<SavedView>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"type": "contact", "name": "Leads from conferences", "query": "lifecycle=lead&tag=conference", "shared": true}))]
pub struct CreateView {
    #[serde(rename = "type")]
    pub kind: ViewKind,
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// The list's query string; checked as the list would check it.
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub query: String,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateView {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: Option<String>,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub query: Option<String>,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub columns: Option<Vec<String>>,
    pub shared: Option<bool>,
    /// The version edited, to refuse overwriting a newer edit.
    pub version: Option<i32>,
}

impl crate::http::idempotency::Resource for SavedView {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
