//! What the AI API speaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which model answers and whether it can be reached.
#[derive(Debug, Serialize, ToSchema)]
pub struct AiStatus {
    /// `local` (built in, offline, deterministic) or `openai` (any OpenAI-compatible server).
    #[schema(example = "local")]
    pub provider: String,
    #[schema(example = "rapport-local-1")]
    pub model: String,
    /// The API's base URL (`null` for the built-in model).
    pub base_url: Option<String>,
    pub reachable: bool,
    /// Why it is not reachable, in words.
    pub detail: Option<String>,
}

/// How much the answer cache saves.
#[derive(Debug, Serialize, ToSchema)]
pub struct CacheStats {
    /// Stored answers.
    pub entries: i64,
    /// Requests answered from the cache.
    pub hits: i64,
    /// Requests that called the model (and stored its answer).
    pub misses: i64,
    /// Calls that failed and were not stored.
    pub failures: i64,
    /// Prompt and completion tokens the hits did not pay for.
    pub tokens_saved: i64,
    /// `tokens_saved` at the configured price (LLM_PRICE_PER_MILLION_TOKENS).
    pub estimated_cost_saved_usd: f64,
    pub generated_at: DateTime<Utc>,
}

/// Where an AI answer came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct AiSource {
    #[schema(example = "local")]
    pub provider: String,
    #[schema(example = "rapport-local-1")]
    pub model: String,
    /// True when the answer came from the cache without calling the model.
    pub cached: bool,
}

/// What to know about a contact before getting in touch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInsights {
    #[schema(example = "Ada Lovelace, CTO at Analytical Engines, is a client since March; 12 touchpoints.")]
    pub summary: String,
    #[schema(example = "Prefers calls; replies quickly and positively.")]
    pub communication_style: String,
    pub preferences: Vec<String>,
    pub before_next_meeting: Vec<String>,
    pub risks: Vec<String>,
    pub next_steps: Vec<String>,
}

/// Contact insights and where they came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct InsightsResponse {
    pub insights: ContactInsights,
    pub source: AiSource,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RefreshParams {
    /// `true` asks the model again instead of using the cached answer (the new one is stored).
    #[param(value_type = Option<bool>)]
    pub refresh: Option<String>,
}

crate::text_enum!(
    /// How an email should sound.
    Tone {
        Friendly => "friendly",
        Formal => "formal",
        Concise => "concise",
        Enthusiastic => "enthusiastic",
    }
);

/// What email to draft for a contact.
#[derive(Debug, Clone, Serialize, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scenario": "follow_up", "tone": "friendly", "instructions": "Mention the workshop on Thursday"}))]
pub struct EmailDraftRequest {
    pub scenario: crate::templates::dto::Scenario,
    #[serde(default = "default_tone")]
    pub tone: Tone,
    /// A template to start from; its variables are filled for the contact.
    #[serde(default)]
    pub template_id: Option<uuid::Uuid>,
    /// Anything else the email should say or do (used by language models; the built-in
    /// assistant adds it as a line of its own).
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub instructions: Option<String>,
}

fn default_tone() -> Tone {
    Tone::Friendly
}

/// A ready-to-edit email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailDraft {
    #[schema(example = "Following up on our call, Ada")]
    pub subject: String,
    pub body: String,
}

/// An email draft and where it came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailDraftResponse {
    pub draft: EmailDraft,
    pub source: AiSource,
}

/// What an interaction says: a summary, its sentiment, what was promised, when to follow up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionAnalysis {
    #[schema(example = "Ada liked the plan and asked for a revised quote.")]
    pub summary: String,
    pub sentiment: crate::interactions::dto::Sentiment,
    #[schema(example = json!(["Send the revised quote by Friday"]))]
    pub action_items: Vec<String>,
    /// When to get back in touch, if the conversation says.
    pub suggested_follow_up: Option<chrono::NaiveDate>,
}

/// An interaction's analysis (its sentiment is saved on the interaction) and where it came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisResponse {
    pub analysis: InteractionAnalysis,
    pub interaction: crate::interactions::dto::Interaction,
    pub source: AiSource,
}

/// One reason behind a lead score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ScoreFactor {
    /// Stable name, e.g. `recent_contact`.
    #[schema(example = "recent_contact")]
    pub name: String,
    /// The factor's name for people, in the request's language (`Accept-Language`).
    #[schema(example = "Recent contact")]
    pub label: String,
    /// What it adds to (or takes from) the score.
    #[schema(example = 20)]
    pub points: i32,
    /// The fact behind the points, in the request's language.
    #[schema(example = "Last touchpoint 3 days ago")]
    pub detail: String,
}

/// How promising a contact is, 0 to 100, computed from explainable factors; the model only
/// writes the explanation.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadScore {
    #[schema(example = 72)]
    pub score: i32,
    pub factors: Vec<ScoreFactor>,
    pub explanation: String,
    pub source: AiSource,
}

/// What to draft a proposal from: the deal (and its contact's history) and chosen products.
#[derive(Debug, Clone, Serialize, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product_ids": [], "instructions": "Phase the work in two steps"}))]
pub struct ProposalDraftRequest {
    /// Catalogue products to include.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub product_ids: Vec<uuid::Uuid>,
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub instructions: Option<String>,
}

/// A line of a drafted proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftLine {
    pub product_id: Option<uuid::Uuid>,
    pub description: String,
    pub quantity: f64,
    pub unit_price_minor: i64,
}

/// A proposal to review before saving it (`POST /api/v1/proposals` takes it as it is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalDraft {
    pub title: String,
    pub introduction: String,
    pub terms: String,
    pub lines: Vec<DraftLine>,
}

/// A proposal draft and where it came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalDraftResponse {
    pub deal_id: uuid::Uuid,
    pub currency: String,
    pub draft: ProposalDraft,
    pub source: AiSource,
}

/// A pasted email thread to read.
#[derive(Debug, Clone, Serialize, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "From: Ada Lovelace <ada@engines.example>\nSubject: Website project\n\nHi, could you send a quote for a new website? Budget around €8,000.\n\nAda Lovelace\nCTO, Analytical Engines\n+44 20 7946 0000"}))]
pub struct ParseEmailRequest {
    /// The raw text (headers welcome) or the content of an .eml file.
    #[validate(length(min = 1))]
    #[schema(min_length = 1)]
    pub text: String,
}

/// Contact fields found in an email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParsedContact {
    pub first_name: String,
    pub last_name: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company_name: Option<String>,
    pub job_title: Option<String>,
}

/// One message of the thread, to log as an interaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParsedMessage {
    /// `inbound` (from the contact) or `outbound` (from you).
    pub direction: crate::interactions::dto::Direction,
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    pub subject: Option<String>,
    pub body: String,
}

/// A deal the thread suggests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParsedDeal {
    pub title: String,
    pub value_minor: Option<i64>,
    pub currency: Option<String>,
}

/// What an email thread says, for review before anything is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParsedEmail {
    pub potential_client: bool,
    /// 0 to 1.
    pub confidence: f64,
    pub reason: String,
    pub contact: ParsedContact,
    pub messages: Vec<ParsedMessage>,
    pub deal: Option<ParsedDeal>,
}

/// The reading, and the contact it matches (by email) if there is one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParseEmailResponse {
    pub parsed: ParsedEmail,
    /// An existing contact with one of the found email addresses: applying adds to it.
    pub existing_contact_id: Option<uuid::Uuid>,
    pub source: AiSource,
}

/// What to create from a reviewed reading.
#[derive(Debug, Clone, Serialize, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyParsedEmail {
    /// Add to this contact instead of creating one.
    #[serde(default)]
    pub existing_contact_id: Option<uuid::Uuid>,
    pub contact: ParsedContact,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub messages: Vec<ParsedMessage>,
    #[serde(default)]
    pub deal: Option<ParsedDeal>,
}

/// What applying created.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedEmail {
    pub contact_id: uuid::Uuid,
    /// False when the email matched an existing contact.
    pub contact_created: bool,
    pub interaction_ids: Vec<uuid::Uuid>,
    pub deal_id: Option<uuid::Uuid>,
}

/// A question to the sales assistant about a contact.
#[derive(Debug, Clone, Serialize, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"message": "What did we agree last time?"}))]
pub struct ChatRequestBody {
    /// Continue this conversation (of the same contact); a new one starts without it.
    #[serde(default)]
    pub conversation_id: Option<uuid::Uuid>,
    #[validate(length(min = 1, max = 4000), custom(function = "crate::dto::validate_not_blank"))]
    #[schema(min_length = 1, max_length = 4000, pattern = "\\S")]
    pub message: String,
}

/// One message of a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatMessage {
    pub id: uuid::Uuid,
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    pub created_at: DateTime<Utc>,
}

/// A conversation with the assistant about one contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conversation {
    pub id: uuid::Uuid,
    pub contact_id: uuid::Uuid,
    pub title: String,
    pub messages: Vec<ChatMessage>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contact's conversations, latest first (without their messages).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub id: uuid::Uuid,
    pub title: String,
    pub messages: i64,
    pub updated_at: DateTime<Utc>,
}

/// The assistant's reply and the whole conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatReply {
    pub reply: ChatMessage,
    pub conversation: Conversation,
    pub source: AiSource,
}
