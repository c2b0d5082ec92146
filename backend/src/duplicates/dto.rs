//! Shapes of the duplicates API.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::text_enum;

text_enum!(
    /// What kind of records a duplicate pair is.
    DuplicateType {
        Contact => "contact",
        Company => "company",
    }
);

/// One record of a pair, as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicateRecord {
    pub id: Uuid,
    #[schema(example = "Ada Lovelace")]
    pub name: String,
    /// A contact's first email and company; a company's website.
    #[schema(example = "ada@example.com · Analytical Engines")]
    pub subtitle: Option<String>,
}

/// Two records that look like the same person or company.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicatePair {
    #[serde(rename = "type")]
    pub kind: DuplicateType,
    /// The pair's ids, the smaller first.
    #[schema(min_items = 2, max_items = 2)]
    pub ids: Vec<Uuid>,
    /// 0 to 1: how sure the match is (an equal email or profile near 1, a similar name lower).
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.95)]
    pub score: f64,
    /// Why they look alike: `same email`, `same phone`, `same LinkedIn URL`, `similar name at the
    /// same company`; for companies `same website domain`, `same name` (ignoring case,
    /// punctuation and legal forms such as Ltd or Inc).
    #[schema(example = json!(["same email", "similar name at the same company"]))]
    pub reasons: Vec<String>,
    /// The two records, in the order of `ids`.
    #[schema(min_items = 2, max_items = 2)]
    pub records: Vec<DuplicateRecord>,
}

/// An existing record that a record just created looks like.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PossibleDuplicate {
    pub id: Uuid,
    #[schema(example = "Ada Lovelace")]
    pub name: String,
    /// A contact's first email and company; a company's website.
    #[schema(example = "ada@example.com · Analytical Engines")]
    pub subtitle: Option<String>,
    /// Why it looks alike, as in the duplicate list.
    #[schema(example = json!(["same email"]))]
    pub reasons: Vec<String>,
    /// 0 to 1: how sure the match is.
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.95)]
    pub score: f64,
}

/// A page of the likeliest duplicate pairs, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateList {
    pub items: Vec<DuplicatePair>,
    /// Pass back as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// A pair that is not a duplicate.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"type": "contact", "ids": ["0190f0a0-0000-7000-8000-000000000001", "0190f0a0-0000-7000-8000-000000000002"]}))]
pub struct DismissDuplicate {
    #[serde(rename = "type")]
    pub kind: DuplicateType,
    /// The two records, in any order.
    #[validate(length(min = 2, max = 2, message = "name exactly two records"))]
    #[schema(min_items = 2, max_items = 2)]
    pub ids: Vec<Uuid>,
}
