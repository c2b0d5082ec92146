//! Shapes of the trash API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::text_enum;

text_enum!(
    /// What kind of record is in the trash.
    TrashType {
        Contact => "contact",
        Company => "company",
        Deal => "deal",
    }
);

/// A record in the trash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrashItem {
    #[serde(rename = "type")]
    pub kind: TrashType,
    pub id: Uuid,
    #[schema(example = "Ada Lovelace")]
    pub title: String,
    /// A contact's email and company, a company's website, a deal's company or contact.
    #[schema(example = "ada@example.com · Analytical Engines")]
    pub subtitle: Option<String>,
    pub deleted_at: DateTime<Utc>,
    /// When it will be deleted for good unless restored.
    pub purge_at: DateTime<Utc>,
}

/// A page of the trash, most recently trashed first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrashPage {
    pub items: Vec<TrashItem>,
    /// Pass back as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// Records of one type to delete for good; they must be in the trash.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurgeTrash {
    #[serde(rename = "type")]
    pub kind: TrashType,
    /// 1 to 200 ids of records in the trash.
    #[validate(length(min = 1, max = 200, message = "must name 1 to 200 records"))]
    #[schema(min_items = 1, max_items = 200)]
    pub ids: Vec<Uuid>,
}

/// What deleting for good removed and what it kept.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct PurgeResult {
    /// Records deleted for good.
    pub purged: i64,
    /// Payments kept, without their contact or deal.
    pub payments_kept: i64,
    /// Accepted proposals kept, without their deal.
    pub proposals_kept: i64,
}
