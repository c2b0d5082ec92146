//! Shapes of the search API.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::text_enum;

text_enum!(
    /// What kind of record a search hit is.
    SearchType {
        Contact => "contact",
        Company => "company",
        Deal => "deal",
        Interaction => "interaction",
        Template => "template",
        Product => "product",
    }
);

/// A piece of a snippet: the matched words are the pieces with `highlight` true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SnippetPart {
    #[schema(example = "ada@")]
    pub text: String,
    pub highlight: bool,
}

/// One record that matches the query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(rename = "type")]
    pub kind: SearchType,
    pub id: Uuid,
    /// The record's name: a contact's or company's name, a deal's title, an interaction's subject
    /// (or its kind and contact), a template's or product's name.
    #[schema(example = "Ada Lovelace")]
    pub title: String,
    /// What tells it apart: job title and company, website and industry, the deal's company,
    /// contact and status, the interaction's contact and date, the template's subject, the
    /// product's SKU and category.
    #[schema(example = "Mathematician · Analytical Engines")]
    pub subtitle: Option<String>,
    /// The text around the first match (emails and phones, notes, the body, the description),
    /// in pieces; empty when the record has no such text.
    pub snippet: Vec<SnippetPart>,
    /// Where the web app shows the record.
    #[schema(example = "/contacts/0192f1c4-8c5e-7a31-b1d2-6f0a4e8b9c10")]
    pub link: String,
    /// The contact an interaction belongs to.
    pub contact_id: Option<Uuid>,
    /// The ranking score: exact and prefix name matches first, then how well the words match,
    /// then how recently the record was touched. Only its order means something.
    #[schema(minimum = 0.0, example = 3.72)]
    pub score: f64,
}

/// Search results, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
}
