//! What the contacts API speaks: request bodies (validated, unknown fields rejected) and the
//! response object.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::{
    non_null, nullable, validate_emails, validate_not_blank, validate_phones, validate_tags, validate_web_url,
};
use crate::text_enum;

text_enum!(
    /// Where the contact is in the customer lifecycle.
    Lifecycle {
        Lead => "lead",
        Prospect => "prospect",
        Client => "client",
        Inactive => "inactive",
    }
);

text_enum!(
    /// How the contact first came to you.
    ContactSource {
        Referral => "referral",
        Website => "website",
        Linkedin => "linkedin",
        Event => "event",
        ColdOutreach => "cold_outreach",
        SocialMedia => "social_media",
        Partner => "partner",
        Advertising => "advertising",
        InboundEmail => "inbound_email",
        Other => "other",
    }
);

text_enum!(
    /// What the person is to you (useful when managing a network, not only customers).
    RelationshipType {
        Client => "client",
        Prospect => "prospect",
        Colleague => "colleague",
        Friend => "friend",
        Family => "family",
        Mentor => "mentor",
        Recruiter => "recruiter",
        Investor => "investor",
        Partner => "partner",
        Vendor => "vendor",
        Other => "other",
    }
);

/// The company a contact works at.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompanyRef {
    pub id: Uuid,
    #[schema(example = "Northwind Studio")]
    pub name: String,
}

impl Contact {
    /// Every field, for `fields=` (a unit test checks it against the schema).
    pub const FIELDS: &[&'static str] = &[
        "id",
        "first_name",
        "last_name",
        "display_name",
        "emails",
        "phones",
        "company",
        "job_title",
        "website",
        "linkedin_url",
        "twitter_url",
        "location",
        "source",
        "lifecycle",
        "relationship_type",
        "connection_strength",
        "notes",
        "tags",
        "custom_fields",
        "follow_up_cadence_days",
        "last_interaction_at",
        "last_sentiment",
        "next_follow_up_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "owner_id",
        "time_zone",
        "version",
        "possible_duplicates",
    ];
}

/// A person in the CRM.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: Uuid,
    #[schema(example = "Ada")]
    pub first_name: String,
    #[schema(example = "Lovelace")]
    pub last_name: String,
    /// First and last name together, as shown in lists.
    #[schema(example = "Ada Lovelace")]
    pub display_name: String,
    /// Email addresses, the primary one first (stored lower-cased).
    #[schema(example = json!(["ada@example.com"]))]
    pub emails: Vec<String>,
    /// Phone numbers, the primary one first.
    #[schema(example = json!(["+44 20 7946 0958"]))]
    pub phones: Vec<String>,
    pub company: Option<CompanyRef>,
    #[schema(example = "Head of Engineering")]
    pub job_title: Option<String>,
    #[schema(example = "https://ada.example.com")]
    pub website: Option<String>,
    #[schema(example = "https://www.linkedin.com/in/ada")]
    pub linkedin_url: Option<String>,
    pub twitter_url: Option<String>,
    #[schema(example = "London, UK")]
    pub location: Option<String>,
    pub source: Option<ContactSource>,
    pub lifecycle: Lifecycle,
    pub relationship_type: Option<RelationshipType>,
    /// How strong the relationship is, 1 (weak) to 5 (strong).
    #[schema(example = 3, minimum = 1, maximum = 5)]
    pub connection_strength: Option<i16>,
    pub notes: Option<String>,
    /// Lower-case labels, e.g. `vip`, `design`.
    #[schema(example = json!(["vip", "design"]))]
    pub tags: Vec<String>,
    /// Values of the workspace's custom fields, by field key.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, example = json!({}))]
    pub custom_fields: serde_json::Value,
    /// Days between touchpoints for this contact; when empty, the lifecycle's default applies.
    #[schema(example = 14)]
    pub follow_up_cadence_days: Option<i32>,
    /// When you last interacted with the contact.
    #[serde(serialize_with = "crate::dto::timestamp_opt")]
    pub last_interaction_at: Option<DateTime<Utc>>,
    /// Sentiment of the most recent interaction that has one (set by hand or by the AI analysis).
    pub last_sentiment: Option<crate::interactions::dto::SentimentLabel>,
    /// When the contact is due for a follow-up.
    #[serde(serialize_with = "crate::dto::timestamp_opt")]
    pub next_follow_up_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::dto::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::dto::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Set when the contact is in the trash.
    #[serde(serialize_with = "crate::dto::timestamp_opt")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The member responsible for the contact (a user id; see `/api/v1/members`).
    pub owner_id: Option<Uuid>,
    /// The contact's IANA time zone (sequence emails go out in their working hours); the
    /// workspace's when `null`.
    #[schema(example = "America/New_York")]
    pub time_zone: Option<String>,
    /// Increases with every change; send it back (or as `If-Match`) to avoid overwriting someone else's edit.
    #[schema(example = 1)]
    pub version: i32,
    /// Only in the answer to a creation, and only when there are some: existing contacts this one
    /// looks like (same email, phone or LinkedIn profile, or a similar name at the same company),
    /// best first — the person may already be there.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub possible_duplicates: Option<Vec<crate::duplicates::dto::PossibleDuplicate>>,
}

/// A new contact. Only `first_name` is required.
#[derive(Debug, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "first_name": "Ada",
    "last_name": "Lovelace",
    "emails": ["ada@example.com"],
    "phones": ["+44 20 7946 0958"],
    "company_name": "Analytical Engines Ltd",
    "job_title": "Head of Engineering",
    "lifecycle": "prospect",
    "source": "referral",
    "tags": ["vip"]
}))]
pub struct CreateContact {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub first_name: String,
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub last_name: Option<String>,
    /// Up to 10 email addresses, the primary one first.
    #[serde(default)]
    #[validate(
        length(max = 10, message = "at most 10 email addresses"),
        custom(function = "validate_emails")
    )]
    pub emails: Vec<String>,
    /// Up to 10 phone numbers, the primary one first.
    #[serde(default)]
    #[validate(
        length(max = 10, message = "at most 10 phone numbers"),
        custom(function = "validate_phones")
    )]
    pub phones: Vec<String>,
    /// The company's name: links to the company with that name, creating it when new.
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub company_name: Option<String>,
    /// Links to an existing company by id (instead of `company_name`).
    #[serde(default)]
    pub company_id: Option<Uuid>,
    /// The member responsible for the contact (a user id); defaults to you, `null` for nobody.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default)]
    #[validate(length(max = 150))]
    #[schema(max_length = 150)]
    pub job_title: Option<String>,
    /// A web address; `https://` is added when missing.
    #[serde(default)]
    #[validate(length(max = 500), custom(function = "validate_web_url"))]
    #[schema(max_length = 500)]
    pub website: Option<String>,
    #[serde(default)]
    #[validate(length(max = 500), custom(function = "validate_web_url"))]
    #[schema(max_length = 500)]
    pub linkedin_url: Option<String>,
    #[serde(default)]
    #[validate(length(max = 500), custom(function = "validate_web_url"))]
    #[schema(max_length = 500)]
    pub twitter_url: Option<String>,
    #[serde(default)]
    #[validate(length(max = 150))]
    #[schema(max_length = 150)]
    pub location: Option<String>,
    #[serde(default)]
    pub source: Option<ContactSource>,
    /// Defaults to `lead`.
    #[serde(default)]
    pub lifecycle: Option<Lifecycle>,
    #[serde(default)]
    pub relationship_type: Option<RelationshipType>,
    #[serde(default)]
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub connection_strength: Option<i16>,
    #[serde(default)]
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub notes: Option<String>,
    /// Up to 30 tags of at most 50 characters; stored lower-case.
    #[serde(default)]
    #[validate(length(max = 30, message = "at most 30 tags"), custom(function = "validate_tags"))]
    #[schema(max_items = 30)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[validate(range(min = 1, max = 3650))]
    #[schema(minimum = 1, maximum = 3650)]
    pub follow_up_cadence_days: Option<i32>,
    #[serde(default)]
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// Values of the workspace's contact custom fields, by key (see /api/v1/custom-fields).
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, example = json!({}))]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    /// An IANA time zone such as `America/New_York`; the workspace's when left out.
    #[serde(default)]
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub time_zone: Option<String>,
}

/// A partial update: only the fields present change; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lifecycle": "client", "tags": ["vip", "retainer"], "version": 1}))]
pub struct UpdateContact {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 100, pattern = "\\S")]
    pub first_name: Option<String>,
    #[validate(length(max = 100))]
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, max_length = 100)]
    pub last_name: Option<String>,
    #[validate(
        length(max = 10, message = "at most 10 email addresses"),
        custom(function = "validate_emails")
    )]
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub emails: Option<Vec<String>>,
    #[validate(
        length(max = 10, message = "at most 10 phone numbers"),
        custom(function = "validate_phones")
    )]
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub phones: Option<Vec<String>>,
    /// Links to the company with this name (created when new); `null` or `""` unlinks.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub company_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub company_id: Option<Option<Uuid>>,
    /// Another member to be responsible for the contact; `null` for nobody.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 150))]
    #[schema(value_type = Option<String>, max_length = 150)]
    pub job_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 500), custom(function = "validate_web_url"))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 500), custom(function = "validate_web_url"))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub linkedin_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 500), custom(function = "validate_web_url"))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub twitter_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 150))]
    #[schema(value_type = Option<String>, max_length = 150)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ContactSource>)]
    pub source: Option<Option<ContactSource>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub lifecycle: Option<Lifecycle>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<RelationshipType>)]
    pub relationship_type: Option<Option<RelationshipType>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(range(min = 1, max = 5))]
    #[schema(value_type = Option<i16>, minimum = 1, maximum = 5)]
    pub connection_strength: Option<Option<i16>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 20000))]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub notes: Option<Option<String>>,
    #[validate(length(max = 30, message = "at most 30 tags"), custom(function = "validate_tags"))]
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, max_items = 30)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(range(min = 1, max = 3650))]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 3650)]
    pub follow_up_cadence_days: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub next_follow_up_at: Option<Option<DateTime<Utc>>>,
    /// Custom field values to set, by key; `null` removes a value. Keys not sent are kept.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, nullable = false)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// An IANA time zone such as `America/New_York`; `null` for the workspace's.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 64))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 64)]
    pub time_zone: Option<Option<String>>,
    /// The version you edited; a mismatch answers 409 instead of overwriting a newer change (412 when the version comes as If-Match).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// A page of contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<Contact>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Number of contacts matching the filters; only with `include_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// A tag in use, with how many live contacts carry it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagCount {
    #[schema(example = "vip")]
    pub tag: String,
    #[schema(example = 4)]
    pub count: i64,
}

/// Every tag in use on contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub items: Vec<TagCount>,
}

impl crate::http::idempotency::Resource for Contact {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
