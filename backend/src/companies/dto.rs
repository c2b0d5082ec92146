//! What the companies API speaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::{non_null, nullable, validate_not_blank, validate_web_url};

impl Company {
    /// Every field, for `fields=` (a unit test checks it against the schema).
    pub const FIELDS: &[&'static str] = &[
        "id",
        "name",
        "domain",
        "industry",
        "size",
        "location",
        "notes",
        "custom_fields",
        "contact_count",
        "created_at",
        "updated_at",
        "deleted_at",
        "version",
        "possible_duplicates",
    ];
}

/// An organisation your contacts work at.
#[derive(Debug, Serialize, ToSchema)]
pub struct Company {
    pub id: Uuid,
    #[schema(example = "Analytical Engines Ltd")]
    pub name: String,
    /// Web domain, without scheme or path.
    #[schema(example = "engines.example")]
    pub domain: Option<String>,
    #[schema(example = "Manufacturing")]
    pub industry: Option<String>,
    /// Head count as people say it, e.g. `11-50`.
    #[schema(example = "11-50")]
    pub size: Option<String>,
    #[schema(example = "London, UK")]
    pub location: Option<String>,
    pub notes: Option<String>,
    /// Values of the workspace's company custom fields, by key.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, example = json!({}))]
    pub custom_fields: serde_json::Value,
    /// Live contacts who work here.
    #[schema(example = 3)]
    pub contact_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when the company is in the trash.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Increases with every change; send it back (or as `If-Match`) to avoid overwriting someone else's edit.
    #[schema(example = 1)]
    pub version: i32,
    /// Only in the answer to a creation, and only when there are some: existing companies this
    /// one looks like (same website domain, or the same name once case, punctuation and legal
    /// forms are set aside), best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub possible_duplicates: Option<Vec<crate::duplicates::dto::PossibleDuplicate>>,
}

/// A new company. Names are unique in a workspace, ignoring case.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Analytical Engines Ltd",
    "domain": "engines.example",
    "industry": "Manufacturing",
    "size": "11-50",
    "location": "London, UK"
}))]
pub struct CreateCompany {
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// A domain or a web address; stored as the bare domain.
    #[serde(default)]
    #[validate(length(max = 253), custom(function = "validate_web_url"))]
    #[schema(max_length = 253)]
    pub domain: Option<String>,
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub industry: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_length = 50)]
    pub size: Option<String>,
    #[serde(default)]
    #[validate(length(max = 150))]
    #[schema(max_length = 150)]
    pub location: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub notes: Option<String>,
    /// Values of company custom fields, by key.
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, example = json!({}))]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// A partial update: only the fields present change; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"industry": "Software", "version": 1}))]
pub struct UpdateCompany {
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 253), custom(function = "validate_web_url"))]
    #[schema(value_type = Option<String>, max_length = 253)]
    pub domain: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 100))]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 50))]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub size: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 150))]
    #[schema(value_type = Option<String>, max_length = 150)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 20000))]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub notes: Option<Option<String>>,
    /// Custom field values to set, by key; `null` removes a value.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, nullable = false)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// The version you edited; a mismatch answers 409 instead of overwriting a newer change (412 when the version comes as If-Match).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// A page of companies.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyPage {
    pub items: Vec<Company>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Number of companies matching the filters; only with `include_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

impl crate::http::idempotency::Resource for Company {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
