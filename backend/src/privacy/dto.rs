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
