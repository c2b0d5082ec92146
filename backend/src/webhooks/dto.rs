//! Shapes of the webhooks API and of what is delivered.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::events::EventType;
use crate::text_enum;

/// An endpoint that receives the workspace's events.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    #[schema(example = "https://hooks.example.com/rapport")]
    pub url: String,
    #[schema(example = "Sync to the invoicing tool")]
    pub description: String,
    /// The events sent to it.
    #[schema(example = json!(["contact.created", "deal.won"]))]
    pub events: Vec<EventType>,
    /// Deliveries go out only while it is enabled.
    pub enabled: bool,
    /// Why Rapport turned it off (its deliveries failed for 3 days); `null` when enabled or
    /// turned off by a person. Enabling it again clears this.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A new webhook, with its signing secret — shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// Verifies the `webhook-signature` header of each delivery (Standard Webhooks): keep it
    /// secret; it is not shown again (rotate it to get a new one).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwQ0kQ3zb1dE4=")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://hooks.example.com/rapport", "events": ["contact.created", "deal.won"], "description": "Sync to the invoicing tool"}))]
pub struct CreateWebhook {
    /// An `https://` URL on a public address.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub description: String,
    /// One or more events, each once (`webhook.test` is not one to subscribe to).
    #[validate(length(min = 1, max = 30))]
    #[schema(min_items = 1, max_items = 30)]
    pub events: Vec<EventType>,
    /// Send events to it from now on (the default); `false` saves it turned off.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true}))]
pub struct UpdateWebhook {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[validate(length(min = 1, max = 30))]
    #[schema(min_items = 1, max_items = 30)]
    pub events: Option<Vec<EventType>>,
    /// Turning it on again clears `disabled_reason`; deliveries that failed meanwhile can be
    /// sent again one by one.
    pub enabled: Option<bool>,
    /// The version you edited (or send `If-Match`).
    #[schema(minimum = 1)]
    pub version: Option<i32>,
}

text_enum!(
    /// Where a delivery stands.
    DeliveryStatus {
        /// Waiting for its first attempt or its next retry.
        Pending => "pending",
        /// The endpoint answered 2xx.
        Delivered => "delivered",
        /// Retries ran out (3 days), or a test or redelivery attempt failed.
        Failed => "failed",
    }
);

/// One event sent (or to be sent) to one webhook, and how its attempts went.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The event's id (the same in every webhook's delivery of it).
    pub event_id: Uuid,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The HTTP status of the last answer; `null` when none came (see `error`).
    #[schema(example = 200)]
    pub response_status: Option<i32>,
    /// The first 1,000 characters of the last answer's body.
    pub response_excerpt: Option<String>,
    /// Why the last attempt failed without an answer (timeout, refused address, …).
    #[schema(example = "timed out after 10 s")]
    pub error: Option<String>,
    /// How long the last attempt took.
    pub duration_ms: Option<i32>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the next retry is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body sent, byte for byte the same on every attempt.
    pub payload: WebhookEvent,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

/// Who made a change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventActor {
    /// A member's user id.
    pub id: Uuid,
    /// Their name then (with the API token's name for API clients).
    #[schema(example = "Ada Lovelace")]
    pub name: String,
}

/// What the event is about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventData {
    /// The record's kind: `contact`, `company`, `deal`, `interaction`, `reminder`, `import`.
    #[schema(example = "contact")]
    pub kind: String,
    /// The record's id.
    pub id: Option<Uuid>,
    /// The record as `GET` on it answers, read when the event was dispatched (within moments of
    /// the change); `null` when it no longer exists (erased, merged away, deleted for good).
    #[schema(value_type = Option<Object>)]
    pub object: Option<serde_json::Value>,
    /// The fields an update changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(example = json!(["lifecycle", "tags"]))]
    pub changed_fields: Vec<String>,
    /// For `*.merged`: the record merged into `id` (its `GET` now redirects to `id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_id: Option<Uuid>,
}

/// The body of every delivery (`POST`, `application/json`), signed in the `webhook-signature`
/// header: `v1,` and the base64 HMAC-SHA256, keyed with the secret (the base64 after `whsec_`),
/// of `{webhook-id}.{webhook-timestamp}.{body}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "01938f5e-7c1a-7b3e-9a51-2f0c4d8e6b10",
    "type": "contact.updated",
    "occurred_at": "2026-12-03T10:15:00Z",
    "workspace_id": "00000000-0000-0000-0000-000000000001",
    "actor": {"id": "01938f5e-0000-7000-8000-000000000001", "name": "Ada Lovelace"},
    "summary": "Updated Grace Hopper",
    "data": {"kind": "contact", "id": "01938f5e-7c1a-7000-8000-00000000abcd", "object": {"id": "01938f5e-7c1a-7000-8000-00000000abcd", "display_name": "Grace Hopper", "lifecycle": "customer"}, "changed_fields": ["lifecycle"]}
}))]
pub struct WebhookEvent {
    /// The event's id; a receiver that stores it can drop repeats (delivery is at least once).
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    pub workspace_id: Uuid,
    /// `null` for changes Rapport made itself.
    pub actor: Option<EventActor>,
    /// What happened, for people.
    pub summary: String,
    pub data: EventData,
}

impl crate::http::idempotency::Resource for Webhook {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
