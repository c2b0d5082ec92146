//! The person's data document.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::activity::service::ActivityItem;
use crate::ai::dto::Conversation;
use crate::contacts::dto::Contact;
use crate::deals::dto::Deal;
use crate::interactions::dto::Interaction;
use crate::payments::dto::Payment;
use crate::proposals::dto::Proposal;
use crate::reminders::dto::Reminder;

/// Everything held about one person, as the API shows each thing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalData {
    /// When this document was put together.
    pub exported_at: DateTime<Utc>,
    /// The workspace it comes from.
    pub workspace_id: uuid::Uuid,
    pub contact: Contact,
    /// Every logged call, email, meeting, message and note, newest first.
    pub interactions: Vec<Interaction>,
    /// Deals with this person (in the trash too).
    pub deals: Vec<Deal>,
    pub reminders: Vec<Reminder>,
    pub payments: Vec<Payment>,
    /// Proposals of this person's deals.
    pub proposals: Vec<Proposal>,
    /// Conversations with the assistant about this person, with their messages.
    pub ai_conversations: Vec<Conversation>,
    /// The record's history: changes to it, its interactions and reminders, newest first.
    pub history: Vec<ActivityItem>,
}

/// The confirmation of an erasure: the person's name as shown (any case).
#[derive(Debug, serde::Deserialize, validator::Validate, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm_name": "Ada Lovelace"}))]
pub struct EraseContact {
    /// The contact's display name, typed by the person who erases it.
    #[validate(length(min = 1, max = 201))]
    #[schema(min_length = 1, max_length = 201)]
    pub confirm_name: String,
}

/// What an erasure removed and what it kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct Erasure {
    pub erased_at: chrono::DateTime<chrono::Utc>,
    /// Interactions, reminders and assistant conversations deleted with the person.
    pub interactions: i64,
    pub reminders: i64,
    pub conversations: i64,
    /// The assistant's stored answers about them, deleted.
    pub ai_answers: i64,
    /// History entries rewritten to "Erased on request".
    pub history_entries: i64,
    /// Other copies deleted: stored answers of retried requests and records of imported files.
    pub other_copies: i64,
    /// Payments and deals kept for the books, no longer linked to anyone.
    pub payments_kept: i64,
    pub deals_kept: i64,
}
