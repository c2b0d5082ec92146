//! What the custom-fields API speaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::dto::{non_null, validate_not_blank};
use crate::text_enum;

text_enum!(
    /// The kind of record a field belongs to.
    FieldEntity {
        Contact => "contact",
        Company => "company",
        Deal => "deal",
    }
);

text_enum!(
    /// What a field holds. Values are JSON: text, url, date (`YYYY-MM-DD`) and select as strings,
    /// number as a number, boolean as true/false, multi_select as a list of strings.
    FieldType {
        Text => "text",
        Number => "number",
        Date => "date",
        Boolean => "boolean",
        Url => "url",
        Select => "select",
        MultiSelect => "multi_select",
    }
);

/// A custom field definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomField {
    pub id: Uuid,
    pub entity: FieldEntity,
    /// The key values are stored under, e.g. `budget`.
    #[schema(example = "budget")]
    pub key: String,
    #[schema(example = "Budget (EUR)")]
    pub label: String,
    pub field_type: FieldType,
    /// The choices of a select or multi_select field.
    #[schema(example = json!([]))]
    pub options: Vec<String>,
    /// Order on forms (lowest first).
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

fn validate_key(key: &str) -> Result<(), ValidationError> {
    let ok = key.len() <= 40
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("key")
            .with_message("must start with a letter and use only a-z, 0-9 and _ (at most 40)".into()))
    }
}

fn validate_options(options: &[String]) -> Result<(), ValidationError> {
    if options.iter().any(|o| o.trim().is_empty() || o.chars().count() > 80) {
        return Err(ValidationError::new("options").with_message("each option must be 1 to 80 characters".into()));
    }
    Ok(())
}

/// A new custom field.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"entity": "contact", "key": "tier", "label": "Tier", "field_type": "select", "options": ["gold", "silver", "bronze"]}))]
pub struct CreateCustomField {
    pub entity: FieldEntity,
    #[validate(custom(function = "validate_key"))]
    pub key: String,
    #[validate(length(min = 1, max = 80), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 80, pattern = "\\S")]
    pub label: String,
    pub field_type: FieldType,
    /// Required (at least one) for select and multi_select; not allowed otherwise.
    #[serde(default)]
    #[validate(length(max = 100), custom(function = "validate_options"))]
    #[schema(max_items = 100)]
    pub options: Vec<String>,
    #[serde(default)]
    pub position: Option<i32>,
}

/// A change to a custom field. Its entity, key and type are fixed once created.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomField {
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 80), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 80, pattern = "\\S")]
    pub label: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(max = 100), custom(function = "validate_options"))]
    #[schema(nullable = false, max_items = 100)]
    pub options: Option<Vec<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub position: Option<i32>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// Custom fields, by entity and position.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldList {
    pub items: Vec<CustomField>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCustomFieldsParams {
    /// Only this entity's fields.
    #[param(example = "contact")]
    pub entity: Option<String>,
}
