//! Writing the feed: one event per follow-up and per open reminder. Pure code.

use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use uuid::Uuid;

/// Something to put on the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: EntryKind,
    /// The follow-up's contact, or the reminder.
    pub id: Uuid,
    pub contact_id: Uuid,
    pub contact_name: String,
    pub company: Option<String>,
    /// The reminder's title.
    pub title: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    FollowUp,
    Reminder,
}

/// The feed as iCalendar text. `base_url` (e.g. `https://crm.example.com`) makes links to contacts.
pub fn feed(entries: &[Entry], base_url: &str, generated_at: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar
        .name("Rapport follow-ups")
        .description("Follow-ups and reminders from Rapport");
    for e in entries {
        let who = match &e.company {
            Some(c) => format!("{} ({c})", e.contact_name),
            None => e.contact_name.clone(),
        };
        let (uid, summary) = match e.kind {
            // One event per contact, so a moved follow-up updates instead of duplicating.
            EntryKind::FollowUp => (format!("follow-up-{}@rapport", e.id), format!("Follow up: {who}")),
            EntryKind::Reminder => (
                format!("reminder-{}@rapport", e.id),
                format!("{} — {who}", e.title.as_deref().unwrap_or("Reminder")),
            ),
        };
        let link = format!("{}/contacts/{}", base_url.trim_end_matches('/'), e.contact_id);
        calendar.push(
            Event::new()
                .uid(&uid)
                .summary(&summary)
                .description(&format!("Open in Rapport: {link}"))
                .url(&link)
                .timestamp(generated_at)
                .starts(e.at)
                .ends(e.at + Duration::minutes(15))
                .done(),
        );
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_event_per_entry_with_stable_uids() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let contact = Uuid::now_v7();
        let entries = vec![
            Entry {
                kind: EntryKind::FollowUp,
                id: contact,
                contact_id: contact,
                contact_name: "Ada Lovelace".into(),
                company: Some("Engines; Ltd".into()),
                title: None,
                at,
            },
            Entry {
                kind: EntryKind::Reminder,
                id: Uuid::now_v7(),
                contact_id: contact,
                contact_name: "Ada Lovelace".into(),
                company: None,
                title: Some("Send the quote, finally".into()),
                at,
            },
        ];
        let text = feed(&entries, "http://localhost:8080/", at);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
        assert!(text.contains(&format!("UID:follow-up-{contact}@rapport")));
        assert!(text.contains("DTSTART:20261201T090000Z"));
        assert!(
            text.contains("SUMMARY:Follow up: Ada Lovelace (Engines\\; Ltd)"),
            "{text}"
        );
        assert!(text.contains("Send the quote\\, finally"), "{text}");
        assert!(text.contains(&format!("URL:http://localhost:8080/contacts/{contact}")));
    }
}
