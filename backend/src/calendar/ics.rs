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
    fold(&calendar.done().to_string())
}

/// A feed written in pieces (every date of a workspace, in constant memory): the calendar's
/// opening lines and its closing line; the events in between come from [`events`], a batch at a
/// time. `head + events(all) + tail` is `feed(all)`.
pub fn feed_parts(base_url: &str, generated_at: DateTime<Utc>) -> (String, String) {
    let empty = feed(&[], base_url, generated_at);
    let end = empty.find("END:VCALENDAR").unwrap_or(empty.len());
    (empty[..end].to_owned(), empty[end..].to_owned())
}

/// The events of these entries alone (see [`feed_parts`]).
pub fn events(entries: &[Entry], base_url: &str, generated_at: DateTime<Utc>) -> String {
    let whole = feed(entries, base_url, generated_at);
    match (whole.find("BEGIN:VEVENT"), whole.rfind("END:VCALENDAR")) {
        (Some(start), Some(end)) if start < end => whole[start..end].to_owned(),
        _ => String::new(),
    }
}

/// Folds content lines at 75 octets, never inside a character (RFC 5545 §3.1). The writer folds
/// at 75 characters, which is up to four times that in UTF-8: names in Cyrillic, Greek or CJK
/// made lines some calendar apps refuse.
fn fold(text: &str) -> String {
    const MAX: usize = 75;
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 32);
    for line in unfolded.split_inclusive("\r\n") {
        let (content, end) = match line.strip_suffix("\r\n") {
            Some(c) => (c, "\r\n"),
            None => (line, ""),
        };
        let mut rest = content;
        // The first piece may use 75 octets; each continuation line starts with a space.
        let mut room = MAX;
        while rest.len() > room {
            let mut cut = room;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&rest[..cut]);
            out.push_str("\r\n ");
            rest = &rest[cut..];
            room = MAX - 1;
        }
        out.push_str(rest);
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_written_in_batches_is_the_same_feed() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let entries: Vec<Entry> = (0..5)
            .map(|i| Entry {
                kind: if i % 2 == 0 {
                    EntryKind::FollowUp
                } else {
                    EntryKind::CloseDate
                },
                id: Uuid::now_v7(),
                link: format!("/contacts/{i}"),
                contact_name: format!("Žofie Nováková {i}"),
                company: None,
                title: Some("Website".into()),
                at: at + Duration::days(i),
            })
            .collect();
        let (head, tail) = feed_parts("https://crm.example.com", at);
        let batched: String = entries
            .chunks(2)
            .map(|b| events(b, "https://crm.example.com", at))
            .collect();
        assert_eq!(
            format!("{head}{batched}{tail}"),
            feed(&entries, "https://crm.example.com", at)
        );
        assert_eq!(events(&[], "https://crm.example.com", at), "");
    }

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

#[cfg(test)]
mod properties {
    use super::*;
    use icalendar::CalendarComponent;
    use proptest::prelude::*;

    fn kind() -> impl Strategy<Value = EntryKind> {
        prop_oneof![
            Just(EntryKind::FollowUp),
            Just(EntryKind::Reminder),
            Just(EntryKind::CloseDate)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn any_names_make_a_feed_that_reads_back(
            entries in proptest::collection::vec((kind(), "\\PC{0,40}", proptest::option::of("\\PC{0,30}"), proptest::option::of(".{0,60}"), 0_i64..4_000_000_000), 0..5),
        ) {
            let entries: Vec<Entry> = entries
                .into_iter()
                .map(|(kind, contact_name, company, title, secs)| Entry {
                    kind,
                    id: Uuid::now_v7(),
                    link: "/contacts/x".into(),
                    contact_name,
                    company,
                    title,
                    at: DateTime::from_timestamp(secs, 0).unwrap(),
                })
                .collect();
            let generated = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
            let text = feed(&entries, "https://crm.example.com", generated);
            for line in text.split("\r\n") {
                prop_assert!(line.len() <= 75, "a line over 75 octets: {:?}", line);
            }
            let calendar: Calendar = text.parse().map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
            let summaries: Vec<String> = calendar
                .components
                .iter()
                .filter_map(|c| match c {
                    CalendarComponent::Event(e) => e.get_summary().map(str::to_owned),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(summaries.len(), entries.len());
            for (summary, e) in summaries.iter().zip(&entries) {
                if let (Some(t), EntryKind::Reminder | EntryKind::CloseDate) = (&e.title, e.kind) {
                    prop_assert!(summary.contains(t.as_str()), "{:?} lost {:?}", summary, t);
                }
                prop_assert!(summary.contains(e.contact_name.as_str()), "{:?} lost {:?}", summary, e.contact_name);
            }
        }
    }
}
