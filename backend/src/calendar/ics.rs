//! Writing the feed: one event per follow-up, per open reminder and per open deal's expected
//! close date. Pure code.

use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use uuid::Uuid;

/// Something to put on the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: EntryKind,
    /// The follow-up's contact, the reminder or the deal.
    pub id: Uuid,
    /// The page it opens in the app, e.g. `/contacts/{id}`.
    pub link: String,
    /// Who it is about (a deal may have no contact: empty).
    pub contact_name: String,
    pub company: Option<String>,
    /// The reminder's or the deal's title.
    pub title: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    FollowUp,
    Reminder,
    /// An all-day event on the deal's expected close date.
    CloseDate,
}

/// The feed as iCalendar text. `base_url` (e.g. `https://crm.example.com`) makes links to contacts.
pub fn feed(entries: &[Entry], base_url: &str, generated_at: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar
        .name("Rapport follow-ups")
        .description("Follow-ups, reminders and expected close dates from Rapport");
    for e in entries {
        let who = match (&e.company, e.contact_name.is_empty()) {
            (Some(c), false) => format!("{} ({c})", e.contact_name),
            (Some(c), true) => c.clone(),
            (None, _) => e.contact_name.clone(),
        };
        let (uid, summary) = match e.kind {
            // One event per contact, so a moved follow-up updates instead of duplicating.
            EntryKind::FollowUp => (format!("follow-up-{}@rapport", e.id), format!("Follow up: {who}")),
            EntryKind::Reminder => (
                format!("reminder-{}@rapport", e.id),
                format!("{} — {who}", e.title.as_deref().unwrap_or("Reminder")),
            ),
            EntryKind::CloseDate => (
                format!("close-{}@rapport", e.id),
                match who.is_empty() {
                    true => format!("Expected close: {}", e.title.as_deref().unwrap_or("Deal")),
                    false => format!("Expected close: {} — {who}", e.title.as_deref().unwrap_or("Deal")),
                },
            ),
        };
        let link = format!("{}{}", base_url.trim_end_matches('/'), e.link);
        let mut event = Event::new();
        event
            .uid(&uid)
            .summary(&summary)
            .description(&format!("Open in Rapport: {link}"))
            .url(&link)
            .timestamp(generated_at);
        match e.kind {
            EntryKind::CloseDate => event.all_day(e.at.date_naive()),
            _ => event.starts(e.at).ends(e.at + Duration::minutes(15)),
        };
        calendar.push(event.done());
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
                link: format!("/contacts/{contact}"),
                contact_name: "Ada Lovelace".into(),
                company: Some("Engines; Ltd".into()),
                title: None,
                at,
            },
            Entry {
                kind: EntryKind::Reminder,
                id: Uuid::now_v7(),
                link: format!("/contacts/{contact}"),
                contact_name: "Ada Lovelace".into(),
                company: None,
                title: Some("Send the quote, finally".into()),
                at,
            },
            Entry {
                kind: EntryKind::CloseDate,
                id: contact,
                link: format!("/deals/{contact}"),
                contact_name: String::new(),
                company: Some("Engines".into()),
                title: Some("Website redesign".into()),
                at,
            },
        ];
        let text = feed(&entries, "http://localhost:8080/", at);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 3);
        assert!(
            text.contains("SUMMARY:Expected close: Website redesign — Engines"),
            "{text}"
        );
        assert!(text.contains("DTSTART;VALUE=DATE:20261201"), "{text}");
        assert!(text.contains(&format!("URL:http://localhost:8080/deals/{contact}")));
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
