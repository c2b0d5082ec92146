//! What the live event stream sends.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::activity::service::{Action, ActivityMessage, Entity};
use crate::webhooks::dto::EventActor;
use crate::webhooks::events::EventType;
use crate::webhooks::store::OutboxEntry;

/// One change in the workspace, as a `data:` line of the event stream (its `id:` line is the
/// same `id`). Every change that the history records is sent, including those of the client's
/// own user (compare `actor.id`).
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveEvent {
    /// Send it back as `Last-Event-ID` to resume after it.
    #[schema(example = "88213.0193a6c2e1b87c40a5b1d2e3f4a5b6c7")]
    pub id: String,
    /// The webhook event type of the change, when it has one.
    #[serde(rename = "type")]
    pub event_type: Option<EventType>,
    pub entity: Entity,
    pub entity_id: Uuid,
    pub action: Action,
    /// The history's sentence, e.g. "Moved Website redesign to Proposal".
    #[schema(example = "Moved Website redesign to Proposal")]
    pub summary: String,
    /// The sentence as a code with parameters, for wording it in another language.
    pub message: Option<ActivityMessage>,
    /// The contact it concerns, if any (to refresh that contact's page).
    pub contact_id: Option<Uuid>,
    /// For updates: the fields that changed.
    pub changed_fields: Vec<String>,
    pub actor: Option<EventActor>,
    pub occurred_at: DateTime<Utc>,
}

impl LiveEvent {
    pub fn of(entry: &OutboxEntry) -> LiveEvent {
        LiveEvent {
            id: super::event_id((entry.txid, entry.id)),
            event_type: EventType::of(entry.entity, entry.action, entry.survivor_id == Some(entry.entity_id)),
            entity: entry.entity,
            entity_id: entry.entity_id,
            action: entry.action,
            summary: entry.summary.clone(),
            message: ActivityMessage::of(entry.message, &entry.params),
            contact_id: entry.contact_id,
            changed_fields: entry.fields.clone(),
            actor: entry.actor_id.map(|id| EventActor {
                id,
                name: entry.actor_name.clone().unwrap_or_default(),
            }),
            occurred_at: entry.occurred_at,
        }
    }
}
