//! The events a webhook can ask for, and which history entry makes which event.

use crate::activity::service::{Action, Entity};
use crate::text_enum;

text_enum!(
    /// What happened. `*.deleted` is sent when a record goes to the trash (or is erased);
    /// `*.merged` names the record that remains.
    EventType {
        #[serde(rename = "contact.created")]
        ContactCreated => "contact.created",
        #[serde(rename = "contact.updated")]
        ContactUpdated => "contact.updated",
        #[serde(rename = "contact.deleted")]
        ContactDeleted => "contact.deleted",
        #[serde(rename = "contact.restored")]
        ContactRestored => "contact.restored",
        #[serde(rename = "contact.merged")]
        ContactMerged => "contact.merged",
        #[serde(rename = "company.created")]
        CompanyCreated => "company.created",
        #[serde(rename = "company.updated")]
        CompanyUpdated => "company.updated",
        #[serde(rename = "company.deleted")]
        CompanyDeleted => "company.deleted",
        #[serde(rename = "company.restored")]
        CompanyRestored => "company.restored",
        #[serde(rename = "company.merged")]
        CompanyMerged => "company.merged",
        #[serde(rename = "deal.created")]
        DealCreated => "deal.created",
        #[serde(rename = "deal.updated")]
        DealUpdated => "deal.updated",
        #[serde(rename = "deal.stage_changed")]
        DealStageChanged => "deal.stage_changed",
        #[serde(rename = "deal.won")]
        DealWon => "deal.won",
        #[serde(rename = "deal.lost")]
        DealLost => "deal.lost",
        #[serde(rename = "deal.deleted")]
        DealDeleted => "deal.deleted",
        #[serde(rename = "deal.restored")]
        DealRestored => "deal.restored",
        #[serde(rename = "interaction.created")]
        InteractionCreated => "interaction.created",
        #[serde(rename = "interaction.updated")]
        InteractionUpdated => "interaction.updated",
        #[serde(rename = "interaction.deleted")]
        InteractionDeleted => "interaction.deleted",
        #[serde(rename = "reminder.created")]
        ReminderCreated => "reminder.created",
        #[serde(rename = "reminder.completed")]
        ReminderCompleted => "reminder.completed",
        /// A reminder's due time came (once; again after it is moved to another time).
        #[serde(rename = "reminder.due")]
        ReminderDue => "reminder.due",
        #[serde(rename = "import.finished")]
        ImportFinished => "import.finished",
        /// Sent by "Send test event" only.
        #[serde(rename = "webhook.test")]
        WebhookTest => "webhook.test",
    }
);

impl EventType {
    /// The event a history entry makes, if any. A merge is announced once, from the entry of the
    /// record that remains (`survivor` tells whether this entry is that one).
    pub fn of(entity: Entity, action: Action, survivor: bool) -> Option<EventType> {
        use Action as A;
        use EventType as E;
        Some(match (entity, action) {
            (Entity::Contact, A::Created) => E::ContactCreated,
            (Entity::Contact, A::Updated | A::Unmerged) if survivor => E::ContactUpdated,
            (Entity::Contact, A::Updated) => E::ContactUpdated,
            (Entity::Contact, A::Trashed | A::Deleted | A::Erased) => E::ContactDeleted,
            (Entity::Contact, A::Restored | A::Unmerged) => E::ContactRestored,
            (Entity::Contact, A::Merged) if survivor => E::ContactMerged,
            (Entity::Company, A::Created) => E::CompanyCreated,
            (Entity::Company, A::Updated | A::Unmerged) if survivor => E::CompanyUpdated,
            (Entity::Company, A::Updated) => E::CompanyUpdated,
            (Entity::Company, A::Trashed | A::Deleted | A::Erased) => E::CompanyDeleted,
            (Entity::Company, A::Restored | A::Unmerged) => E::CompanyRestored,
            (Entity::Company, A::Merged) if survivor => E::CompanyMerged,
            (Entity::Deal, A::Created) => E::DealCreated,
            (Entity::Deal, A::Updated | A::Reopened) => E::DealUpdated,
            (Entity::Deal, A::Moved) => E::DealStageChanged,
            (Entity::Deal, A::Won) => E::DealWon,
            (Entity::Deal, A::Lost) => E::DealLost,
            (Entity::Deal, A::Trashed | A::Deleted | A::Erased) => E::DealDeleted,
            (Entity::Deal, A::Restored) => E::DealRestored,
            (Entity::Interaction, A::Created) => E::InteractionCreated,
            (Entity::Interaction, A::Updated) => E::InteractionUpdated,
            (Entity::Interaction, A::Trashed | A::Deleted | A::Erased) => E::InteractionDeleted,
            (Entity::Reminder, A::Created) => E::ReminderCreated,
            (Entity::Reminder, A::Completed) => E::ReminderCompleted,
            (Entity::Reminder, A::Due) => E::ReminderDue,
            (Entity::Import, A::Completed) => E::ImportFinished,
            _ => return None,
        })
    }

    /// The events a webhook may subscribe to (all but the test event).
    pub fn subscribable() -> impl Iterator<Item = EventType> {
        EventType::ALL.iter().copied().filter(|e| *e != EventType::WebhookTest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_entries_make_events() {
        assert_eq!(
            EventType::of(Entity::Contact, Action::Created, false),
            Some(EventType::ContactCreated)
        );
        assert_eq!(
            EventType::of(Entity::Deal, Action::Moved, false),
            Some(EventType::DealStageChanged)
        );
        // A merge is one event, from the record that remains.
        assert_eq!(
            EventType::of(Entity::Contact, Action::Merged, true),
            Some(EventType::ContactMerged)
        );
        assert_eq!(EventType::of(Entity::Contact, Action::Merged, false), None);
        // Its undo brings the merged record back and changes the one that remained.
        assert_eq!(
            EventType::of(Entity::Contact, Action::Unmerged, false),
            Some(EventType::ContactRestored)
        );
        assert_eq!(
            EventType::of(Entity::Contact, Action::Unmerged, true),
            Some(EventType::ContactUpdated)
        );
        assert_eq!(EventType::of(Entity::Template, Action::Created, false), None);
        assert_eq!(EventType::of(Entity::Bulk, Action::Updated, false), None);
        let json = serde_json::to_string(&EventType::DealStageChanged).unwrap();
        assert_eq!(json, "\"deal.stage_changed\"");
        assert!(EventType::subscribable().all(|e| e != EventType::WebhookTest));
    }
}
