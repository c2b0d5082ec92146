//! Reading email files (`.eml`, one message each, or an `mbox` of many) and calendar files
//! (`.ics`) into the same table every import is stored as: one record per message or event,
//! in the fixed columns below. Headers are decoded by `mail-parser` (encoded words, any
//! charset, quoted-printable and base64 parts; the HTML part as text when there is no text
//! part); events by `calcard` (time zones resolved, folded lines). Who the message concerns
//! and whether it is new is decided later, when the import is planned. Pure code.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarParameterName, ICalendarProperty, ICalendarStatus,
    ICalendarValue,
};
use chrono::{DateTime, SecondsFormat, Utc};

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::file::{FileError, MAX_ROWS, Table};
use super::plan::{Kind, Outcome, params};

/// The columns of a message or event record.
pub const COLUMNS: [&str; 10] = [
    "Type",
    "Message ID",
    "Date",
    "From",
    "To",
    "Cc",
    "Subject",
    "Body",
    "Duration",
    "File",
];
pub const TYPE: usize = 0;
pub const ID: usize = 1;
pub const DATE: usize = 2;
pub const FROM: usize = 3;
pub const TO: usize = 4;
pub const CC: usize = 5;
pub const SUBJECT: usize = 6;
pub const BODY: usize = 7;
pub const DURATION: usize = 8;

/// An interaction's subject and body are at most this long (in characters).
pub const MAX_SUBJECT: usize = 300;
pub const MAX_BODY: usize = 50_000;

fn columns() -> Vec<String> {
    COLUMNS.iter().map(|c| (*c).to_owned()).collect()
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => text[..at].to_owned(),
        None => text.to_owned(),
    }
}

fn mailbox(name: Option<&str>, address: Option<&str>) -> Option<String> {
    let address = address.map(str::trim).filter(|a| a.contains('@'))?;
    let name = name
        .map(|n| n.replace(['"', '<', '>', ',', '\r', '\n'], " "))
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(address));
    Some(match name {
        Some(n) => format!("{n} <{}>", address.to_lowercase()),
        None => address.to_lowercase(),
    })
}

fn mailboxes(list: Option<&mail_parser::Address<'_>>) -> String {
    list.map(|l| {
        l.iter()
            .filter_map(|m| mailbox(m.name(), m.address()))
            .collect::<Vec<_>>()
            .join(", ")
    })
    .unwrap_or_default()
}

/// One mailbox of a `To`/`Cc`/`From` cell (`Name <address>` or `address`): (name, address).
pub fn split_mailbox(text: &str) -> (Option<String>, String) {
    let text = text.trim();
    match text.rsplit_once('<') {
        Some((name, rest)) => {
            let name = name.trim();
            (
                (!name.is_empty()).then(|| name.to_owned()),
                rest.trim_end_matches('>').trim().to_lowercase(),
            )
        }
        None => (None, text.to_lowercase()),
    }
}

/// The mailboxes of a `To`/`Cc`/`From` cell.
pub fn split_mailboxes(cell: &str) -> Vec<(Option<String>, String)> {
    cell.split(", ")
        .map(split_mailbox)
        .filter(|(_, a)| a.contains('@'))
        .collect()
}

/// The message's own words: what follows a reply's "On … wrote:" (or Outlook's "-----Original
/// Message-----" / "From:" block) and a trailing run of `>` lines is the earlier thread, which is
/// imported from its own messages.
pub fn own_text(body: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let lines: Vec<&str> = body.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let l = line.trim();
        let quote_intro = (l.starts_with("On ") || l.starts_with("Le ") || l.starts_with("El "))
            && (l.ends_with("wrote:") || l.ends_with("a écrit :") || l.ends_with("escribió:"));
        let outlook = l.starts_with("-----Original Message-----")
            || (l.starts_with("From:")
                && i > 0
                && lines[..i]
                    .iter()
                    .rev()
                    .take(2)
                    .any(|p| p.trim().starts_with("________")));
        if (quote_intro || outlook) && !out.is_empty() {
            break;
        }
        out.push(line);
    }
    while out
        .last()
        .is_some_and(|l| l.trim().is_empty() || l.starts_with('>') || l.trim().starts_with("________"))
    {
        out.pop();
    }
    let own = out.join("\n").trim().to_owned();
    // A message that is all quote (a bare forward) keeps it.
    if own.is_empty() { body.trim().to_owned() } else { own }
}

/// A message's record, or `None` when the bytes are not a message at all.
pub fn message_record(raw: &[u8], file: &str, fallback_date: Option<DateTime<Utc>>) -> Option<Vec<String>> {
    let message = mail_parser::MessageParser::default().parse(raw)?;
    if message.headers().is_empty() {
        return None;
    }
    let id = match message.message_id().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => m.trim_matches(['<', '>']).to_owned(),
        // Without a Message-ID the message's own bytes tell it apart.
        None => format!("blake3:{}", blake3::hash(raw).to_hex()),
    };
    let date = message
        .date()
        .and_then(|d| DateTime::parse_from_rfc3339(&d.to_rfc3339()).ok())
        .map(|d| d.with_timezone(&Utc))
        .or(fallback_date)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default();
    let subject = message
        .subject()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let body = message
        .body_text(0)
        .map(|b| b.replace("\r\n", "\n"))
        .unwrap_or_default();
    Some(vec![
        "email".into(),
        id,
        date,
        mailboxes(message.from()),
        mailboxes(message.to()),
        mailboxes(message.cc()),
        clip(&subject, MAX_SUBJECT),
        clip(&own_text(&body), MAX_BODY),
        String::new(),
        file.to_owned(),
    ])
}

fn unreadable(file: &str, what: &str) -> Vec<String> {
    let mut row = vec![String::new(); COLUMNS.len()];
    row[TYPE] = "email".into();
    row[BODY] = what.to_owned();
    row[COLUMNS.len() - 1] = file.to_owned();
    row
}

/// Email files, one message each. A file that is not a message becomes a record without a
/// sender (reported as an error when planned), so the others still import.
pub fn eml(files: &[(String, Vec<u8>)]) -> Result<(Table, Vec<String>), FileError> {
    if files.iter().all(|(_, b)| b.iter().all(u8::is_ascii_whitespace)) {
        return Err(FileError::Empty);
    }
    if files.len() > MAX_ROWS {
        return Err(FileError::TooManyRows);
    }
    let rows = files
        .iter()
        .map(|(name, bytes)| {
            message_record(bytes, name, None).unwrap_or_else(|| unreadable(name, "(not an email message)"))
        })
        .collect::<Vec<_>>();
    if rows.iter().all(|r| r[FROM].is_empty()) && rows.iter().all(|r| r[ID].is_empty()) {
        return Err(FileError::NotText);
    }
    Ok((
        Table {
            columns: columns(),
            rows,
        },
        Vec::new(),
    ))
}

/// An mbox (Thunderbird, Apple Mail, Google Takeout): every message, in order; a message that
/// cannot be read stays a record of its own (an error when planned) and the rest import.
pub fn mbox(file: &str, bytes: &[u8]) -> Result<(Table, Vec<String>), FileError> {
    let mut rows = Vec::new();
    mbox_stream(file, bytes, 1000, |batch| {
        rows.extend(batch);
        true
    })?;
    Ok((
        Table {
            columns: columns(),
            rows,
        },
        Vec::new(),
    ))
}

/// Reads an mbox from `reader` a message at a time and hands the records to `emit` in batches
/// of `batch` (a mailbox of gigabytes never sits in memory); `emit` answers false to stop.
/// Returns the number of records.
pub fn mbox_stream(
    file: &str,
    mut reader: impl std::io::BufRead,
    batch: usize,
    mut emit: impl FnMut(Vec<Vec<String>>) -> bool,
) -> Result<usize, FileError> {
    let head = reader.fill_buf().map_err(|_| FileError::NotText)?;
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty);
    }
    if !head.starts_with(b"From ") {
        return Err(FileError::NotText);
    }
    let mut rows = Vec::with_capacity(batch);
    let mut total = 0usize;
    for (i, message) in mail_parser::mailbox::mbox::MessageIterator::new(reader).enumerate() {
        if total == MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let label = format!("{file} #{}", i + 1);
        let row = match message {
            Ok(m) => {
                let envelope = i64::try_from(m.internal_date())
                    .ok()
                    .filter(|t| *t > 0)
                    .and_then(|t| DateTime::from_timestamp(t, 0));
                message_record(m.contents(), &label, envelope)
                    .unwrap_or_else(|| unreadable(&label, "(not an email message)"))
            }
            Err(_) => unreadable(&label, "(the message could not be read)"),
        };
        rows.push(row);
        total += 1;
        if rows.len() == batch && !emit(std::mem::replace(&mut rows, Vec::with_capacity(batch))) {
            return Ok(total);
        }
    }
    if total == 0 {
        return Err(FileError::NoRows);
    }
    if !rows.is_empty() {
        emit(rows);
    }
    Ok(total)
}

fn text<'a>(event: &'a ICalendarComponent, property: &ICalendarProperty) -> Option<&'a str> {
    event
        .property(property)
        .and_then(|e| e.values.first())
        .and_then(ICalendarValue::as_text)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn person(entry: &calcard::icalendar::ICalendarEntry) -> Option<String> {
    let address = entry.calendar_address()?;
    let name = entry.parameter(&ICalendarParameterName::Cn).and_then(|v| v.as_text());
    mailbox(name, Some(address))
}

/// Calendar files: one record per event (a recurring event once, at its first date; cancelled
/// events are left out). The organizer is the sender, the attendees the recipients.
pub fn ics(files: &[(String, String)]) -> Result<(Table, Vec<String>), FileError> {
    if files.iter().all(|(_, t)| t.trim().is_empty()) {
        return Err(FileError::Empty);
    }
    let mut rows = Vec::new();
    let (mut recurring, mut cancelled, mut unreadable_events) = (0, 0, 0);
    let mut calendars = 0;
    for (name, text) in files {
        let mut parser = calcard::Parser::new(text);
        loop {
            match parser.entry() {
                calcard::Entry::ICalendar(cal) => {
                    calendars += 1;
                    let read = events(&cal, name, &mut rows)?;
                    recurring += read.0;
                    cancelled += read.1;
                    unreadable_events += read.2;
                }
                calcard::Entry::Eof => break,
                calcard::Entry::TooManyComponents => return Err(FileError::TooManyRows),
                _ => {}
            }
        }
    }
    if calendars == 0 {
        return Err(FileError::NotText);
    }
    if rows.is_empty() {
        return Err(FileError::NoRows);
    }
    let mut notices = Vec::new();
    if recurring > 0 {
        notices.push(format!(
            "{recurring} recurring event(s) are imported once, at their first date."
        ));
    }
    if cancelled > 0 {
        notices.push(format!("{cancelled} cancelled event(s) were left out."));
    }
    if unreadable_events > 0 {
        notices.push(format!(
            "{unreadable_events} event(s) without a readable start were left out."
        ));
    }
    Ok((
        Table {
            columns: columns(),
            rows,
        },
        notices,
    ))
}

/// The events of one calendar as records; (recurring, cancelled, unreadable) counts.
fn events(cal: &ICalendar, file: &str, rows: &mut Vec<Vec<String>>) -> Result<(usize, usize, usize), FileError> {
    // Recurrences are not expanded: each event is read at its own start.
    let mut flat = cal.clone();
    let mut recurring = 0;
    for c in &mut flat.components {
        let before = c.entries.len();
        c.entries.retain(|e| {
            !matches!(
                e.name,
                ICalendarProperty::Rrule | ICalendarProperty::Rdate | ICalendarProperty::Exdate
            )
        });
        if c.component_type == ICalendarComponentType::VEvent && c.entries.len() != before {
            recurring += 1;
        }
        c.entries.retain(|e| e.name != ICalendarProperty::RecurrenceId);
    }
    let expanded = flat.expand_dates(calcard::common::timezone::Tz::UTC, MAX_ROWS);
    let mut starts: HashMap<u32, (DateTime<Utc>, i64)> = HashMap::new();
    for e in expanded.events {
        let (start, end) = e.timestamps();
        if let Some(at) = DateTime::from_timestamp(start, 0) {
            starts
                .entry(e.comp_id)
                .or_insert((at, ((end - start) / 60).clamp(0, 1440)));
        }
    }
    let (mut cancelled, mut unreadable) = (0, 0);
    for (comp_id, (event, original)) in flat.components.iter().zip(&cal.components).enumerate() {
        if event.component_type != ICalendarComponentType::VEvent {
            continue;
        }
        if event
            .property(&ICalendarProperty::Status)
            .and_then(|s| s.values.first())
            .is_some_and(|v| matches!(v, ICalendarValue::Status(ICalendarStatus::Cancelled)))
        {
            cancelled += 1;
            continue;
        }
        let Some((start, minutes)) = starts.get(&(comp_id as u32)) else {
            unreadable += 1;
            continue;
        };
        if rows.len() == MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let uid = text(event, &ICalendarProperty::Uid).map(str::to_owned);
        // A changed occurrence of a recurring event shares its UID: its date tells it apart.
        let id = match (uid, original.property(&ICalendarProperty::RecurrenceId).is_some()) {
            (Some(u), false) => u,
            (Some(u), true) => format!("{u}/{}", start.to_rfc3339_opts(SecondsFormat::Secs, true)),
            (None, _) => format!(
                "blake3:{}",
                blake3::hash(format!("{file}/{comp_id}/{start}").as_bytes()).to_hex()
            ),
        };
        let organizer = event
            .property(&ICalendarProperty::Organizer)
            .and_then(person)
            .unwrap_or_default();
        let attendees: Vec<String> = event
            .properties(&ICalendarProperty::Attendee)
            .filter_map(person)
            .collect();
        let mut body = String::new();
        if let Some(location) = text(event, &ICalendarProperty::Location) {
            let _ = writeln!(body, "Location: {location}\n");
        }
        if let Some(description) = text(event, &ICalendarProperty::Description) {
            body.push_str(description);
        }
        rows.push(vec![
            "meeting".into(),
            id,
            start.to_rfc3339_opts(SecondsFormat::Secs, true),
            organizer,
            attendees.join(", "),
            String::new(),
            clip(text(event, &ICalendarProperty::Summary).unwrap_or(""), MAX_SUBJECT),
            clip(body.trim(), MAX_BODY),
            if *minutes > 0 {
                minutes.to_string()
            } else {
                String::new()
            },
            file.to_owned(),
        ]);
    }
    Ok((recurring, cancelled, unreadable))
}

// ---- Planning: which contacts each record concerns, and whether it is new to them ----

/// A contact a record's address belongs to: an existing one, or one the import creates.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub created: bool,
}

/// A contact the import creates for an address the user chose.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPerson {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// An address no contact has, and in how many records it appears.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmatched {
    pub email: String,
    pub name: Option<String>,
    pub messages: i64,
}

/// What planning knows of the workspace.
pub struct Known {
    /// The members' own addresses (lower case): never a contact, and they say the direction.
    pub own: HashSet<String>,
    /// Address (lower case) → the contact that has it.
    pub contacts: HashMap<String, (Uuid, String)>,
    /// (contact, Message-ID/UID) pairs already on the timeline.
    pub imported: HashSet<(Uuid, String)>,
    /// Addresses to create contacts for.
    pub create: HashSet<String>,
}

/// A name for a contact created from an address: the name mail clients showed with it
/// ("Smith, John" read as John Smith), else the address's local part.
pub fn names_for(name: Option<&str>, email: &str) -> (String, String) {
    let name = name.map(str::trim).filter(|n| !n.is_empty() && !n.contains('@'));
    let words: Vec<String> = match name {
        Some(n) => match n.split_once(',') {
            Some((last, first)) if !first.trim().is_empty() && !last.trim().is_empty() => {
                format!("{} {}", first.trim(), last.trim())
            }
            _ => n.to_owned(),
        }
        .split_whitespace()
        .map(str::to_owned)
        .collect(),
        None => email
            .split('@')
            .next()
            .unwrap_or("")
            .split(['.', '_', '-', '+'])
            .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            })
            .collect(),
    };
    match words.split_first() {
        Some((first, rest)) => (clip(first, 100), clip(&rest.join(" "), 100)),
        None => (clip(email, 100), String::new()),
    }
}

/// The plan of every record, the contacts to create, and the addresses no contact has. The
/// records' bodies are not needed (nor read): the commit takes them from the stored records.
pub fn plan(
    records: &[(i32, Vec<String>)],
    known: &Known,
    mut new_id: impl FnMut() -> Uuid,
) -> (Vec<Outcome>, Vec<NewPerson>, Vec<Unmatched>) {
    let mut outcomes = Vec::with_capacity(records.len());
    let mut created: HashMap<String, NewPerson> = HashMap::new();
    let mut created_order: Vec<String> = Vec::new();
    let mut unmatched: HashMap<String, Unmatched> = HashMap::new();
    let mut seen: HashMap<String, i32> = HashMap::new();
    let error = |row_no: i32, column: &str, code: &str, reason: &str| Outcome {
        row_no,
        kind: Kind::Error,
        reason: Some(reason.to_owned()),
        code: Some(code.to_owned()),
        params: Map::new(),
        column: Some(column.to_owned()),
        contact_id: None,
        payload: None,
        before: None,
        version: None,
    };
    let skip = |row_no: i32, code: &str, params: Map<String, Value>, reason: String| Outcome {
        row_no,
        kind: Kind::Skip,
        reason: Some(reason),
        code: Some(code.to_owned()),
        params,
        column: None,
        contact_id: None,
        payload: None,
        before: None,
        version: None,
    };
    for (row_no, cells) in records {
        let row_no = *row_no;
        let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("").trim();
        let meeting = cell(TYPE) == "meeting";
        if cell(ID).is_empty() {
            outcomes.push(error(
                row_no,
                "File",
                "unreadable_message",
                "is not an email message that can be read",
            ));
            continue;
        }
        let from = split_mailboxes(cell(FROM));
        if from.is_empty() && !meeting {
            outcomes.push(error(row_no, "From", "no_sender", "has no sender (From) address"));
            continue;
        }
        let Some(at) = DateTime::parse_from_rfc3339(cell(DATE)).ok() else {
            outcomes.push(error(row_no, "Date", "no_date", "has no date"));
            continue;
        };
        let reference = clip(cell(ID), 1000);
        if let Some(first) = seen.get(&reference) {
            outcomes.push(skip(
                row_no,
                "duplicate_in_file",
                params(&[("row", (*first).into()), ("key", "message".into())]),
                format!("the same message is record {first} of the file"),
            ));
            continue;
        }
        seen.insert(reference.clone(), row_no);
        let mut everyone: Vec<(Option<String>, String)> = Vec::new();
        for m in from
            .iter()
            .cloned()
            .chain(split_mailboxes(cell(TO)))
            .chain(split_mailboxes(cell(CC)))
        {
            if !known.own.contains(&m.1) && !everyone.iter().any(|(_, e)| *e == m.1) {
                everyone.push(m);
            }
        }
        let outbound = from.first().is_some_and(|(_, e)| known.own.contains(e));
        let mut people: Vec<Person> = Vec::new();
        for (name, email) in &everyone {
            if let Some((id, display)) = known.contacts.get(email) {
                if !people.iter().any(|p| p.id == *id) {
                    people.push(Person {
                        id: *id,
                        name: display.clone(),
                        created: false,
                    });
                }
                continue;
            }
            let entry = unmatched.entry(email.clone()).or_insert_with(|| Unmatched {
                email: email.clone(),
                name: None,
                messages: 0,
            });
            entry.messages += 1;
            if entry.name.is_none() {
                entry.name.clone_from(name);
            }
            if known.create.contains(email) {
                let person = created.entry(email.clone()).or_insert_with(|| {
                    created_order.push(email.clone());
                    let (first_name, last_name) = names_for(name.as_deref(), email);
                    NewPerson {
                        id: new_id(),
                        email: email.clone(),
                        first_name,
                        last_name,
                    }
                });
                people.push(Person {
                    id: person.id,
                    name: format!("{} {}", person.first_name, person.last_name).trim().to_owned(),
                    created: true,
                });
            }
        }
        if people.is_empty() {
            outcomes.push(if everyone.is_empty() {
                skip(
                    row_no,
                    "own_addresses",
                    Map::new(),
                    "only your own addresses are on it".to_owned(),
                )
            } else {
                skip(
                    row_no,
                    "no_contact",
                    Map::new(),
                    "no contact has any of its addresses".to_owned(),
                )
            });
            continue;
        }
        let fresh: Vec<&Person> = people
            .iter()
            .filter(|p| !known.imported.contains(&(p.id, reference.clone())))
            .collect();
        if fresh.is_empty() {
            outcomes.push(skip(
                row_no,
                "already_imported",
                Map::new(),
                "already imported".to_owned(),
            ));
            continue;
        }
        let targets: Vec<Value> = fresh
            .iter()
            .map(|p| json!({"contact_id": p.id, "interaction_id": new_id()}))
            .collect();
        let names: Vec<String> = fresh
            .iter()
            .map(|p| {
                if p.created {
                    format!("{} (new)", p.name)
                } else {
                    p.name.clone()
                }
            })
            .collect();
        let direction = (!meeting).then_some(if outbound { "outbound" } else { "inbound" });
        let payload = json!({
            "kind": if meeting { "meeting" } else { "email" },
            "direction": direction,
            "occurred_at": at.with_timezone(&Utc),
            "subject": Some(cell(SUBJECT)).filter(|s| !s.is_empty()),
            "external_ref": reference,
            "targets": targets,
        });
        outcomes.push(Outcome {
            row_no,
            kind: Kind::Create,
            reason: Some(format!("for {}", names.join(", "))),
            code: Some("for_contacts".into()),
            params: params(&[("names", names.clone().into())]),
            column: None,
            contact_id: fresh.first().map(|p| p.id),
            payload: Some(payload),
            before: None,
            version: None,
        });
    }
    let created = created_order.into_iter().filter_map(|e| created.remove(&e)).collect();
    let mut unmatched: Vec<Unmatched> = unmatched.into_values().collect();
    unmatched.sort_by(|a, b| b.messages.cmp(&a.messages).then_with(|| a.email.cmp(&b.email)));
    (outcomes, created, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GMAIL: &[u8] = include_bytes!("../../tests/fixtures/email/gmail.eml");
    const OUTLOOK: &[u8] = include_bytes!("../../tests/fixtures/email/outlook.eml");
    const APPLE: &[u8] = include_bytes!("../../tests/fixtures/email/apple.eml");

    #[test]
    fn mail_clients_messages_are_decoded() {
        let (table, _) = eml(&[
            ("gmail.eml".into(), GMAIL.to_vec()),
            ("outlook.eml".into(), OUTLOOK.to_vec()),
            ("apple.eml".into(), APPLE.to_vec()),
        ])
        .unwrap();
        assert_eq!(table.rows.len(), 3);
        let gmail = &table.rows[0];
        assert_eq!(gmail[FROM], "José Muñoz <jose@cafe-munoz.es>");
        assert_eq!(gmail[SUBJECT], "Presupuesto para la web de la cafetería");
        assert!(!gmail[ID].is_empty() && !gmail[ID].starts_with('<'));
        assert!(gmail[DATE].ends_with('Z'), "{}", gmail[DATE]);
        assert!(!gmail[BODY].contains("Content-Type"), "{}", gmail[BODY]);
        let outlook = &table.rows[1];
        assert!(outlook[BODY].contains("We would like to go ahead"), "{}", outlook[BODY]);
        assert!(!outlook[BODY].contains("<p>"));
        assert!(table.rows[2][BODY].contains("Olá Fiona"));
    }

    #[test]
    fn replies_lose_the_quoted_thread() {
        let body = "Sounds good, Thursday works.\n\nBest,\nAna\n\nOn Tue, 3 Mar 2026 at 10:00, Fiona <f@x.example> wrote:\n> Shall we meet?\n> F";
        assert_eq!(own_text(body), "Sounds good, Thursday works.\n\nBest,\nAna");
        let outlook = "Yes please.\n\n________________________________\nFrom: Fiona\nSent: Monday\n\nOld text";
        assert_eq!(own_text(outlook), "Yes please.");
        assert_eq!(own_text("> only a quote"), "> only a quote");
    }

    #[test]
    fn an_mbox_with_a_broken_message_keeps_the_others() {
        let mbox_text = "From ana@x.example Tue Mar  3 10:00:00 2026\n\
            From: Ana <ana@x.example>\nTo: me@studio.example\nSubject: One\nMessage-ID: <1@x>\nDate: Tue, 3 Mar 2026 10:00:00 +0000\n\nFirst\n\
            From garbage Tue Mar  3 10:00:00 2026\n\
            \u{1}\u{2}not headers at all\n\n\
            From bob@y.example Wed Mar  4 10:00:00 2026\n\
            From: Bob <bob@y.example>\nTo: me@studio.example\nSubject: Three\n\n>From the start\n";
        let (table, _) = mbox("mail.mbox", mbox_text.as_bytes()).unwrap();
        assert_eq!(table.rows.len(), 3);
        assert_eq!(table.rows[0][ID], "1@x");
        assert_eq!(table.rows[1][FROM], "");
        assert_eq!(table.rows[2][FROM], "Bob <bob@y.example>");
        assert!(table.rows[2][ID].starts_with("blake3:"), "no Message-ID: its bytes");
        assert_eq!(table.rows[2][DATE], "2026-03-04T10:00:00Z", "the envelope's date");
        assert_eq!(table.rows[2][BODY], "From the start");
        assert_eq!(mbox("x", b"Subject: no envelope\n\nx").unwrap_err(), FileError::NotText);
    }

    #[test]
    fn calendar_events_become_meetings() {
        let ics_text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS//EN\r\n\
            BEGIN:VTIMEZONE\r\nTZID:Europe/Madrid\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
            BEGIN:VEVENT\r\nUID:kickoff-1@studio.example\r\nDTSTART;TZID=Europe/Madrid:20260310T100000\r\nDTEND;TZID=Europe/Madrid:20260310T113000\r\n\
            SUMMARY:Kick-off\r\nLOCATION:Café Muñoz\r\nDESCRIPTION:Agenda: scope\\, budget\r\n\
            ORGANIZER;CN=Fiona:mailto:fiona@studio.example\r\nATTENDEE;CN=\"José Muñoz\":mailto:jose@cafe-munoz.es\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:weekly@studio.example\r\nDTSTART:20260301T090000Z\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:off@studio.example\r\nDTSTART:20260302T090000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:Off\r\nEND:VEVENT\r\n\
            END:VCALENDAR\r\n";
        let (table, notices) = ics(&[("invite.ics".into(), ics_text.into())]).unwrap();
        assert_eq!(table.rows.len(), 2, "{:?}", table.rows);
        let kickoff = &table.rows[0];
        assert_eq!(kickoff[TYPE], "meeting");
        assert_eq!(kickoff[ID], "kickoff-1@studio.example");
        assert_eq!(kickoff[DATE], "2026-03-10T09:00:00Z", "Madrid in winter is UTC+1");
        assert_eq!(kickoff[DURATION], "90");
        assert_eq!(kickoff[FROM], "Fiona <fiona@studio.example>");
        assert_eq!(kickoff[TO], "José Muñoz <jose@cafe-munoz.es>");
        assert_eq!(kickoff[BODY], "Location: Café Muñoz\n\nAgenda: scope, budget");
        assert_eq!(table.rows[1][DATE], "2026-03-01T09:00:00Z");
        assert_eq!(table.rows[1][DURATION], "30");
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert_eq!(
            ics(&[("x.ics".into(), "not a calendar".into())]).unwrap_err(),
            FileError::NotText
        );
    }

    #[test]
    fn contacts_from_addresses_are_named_as_mail_clients_name_them() {
        assert_eq!(
            names_for(Some("Smith, John"), "j@x.example"),
            ("John".into(), "Smith".into())
        );
        assert_eq!(
            names_for(Some("José María Muñoz"), "j@x.example"),
            ("José".into(), "María Muñoz".into())
        );
        assert_eq!(names_for(None, "ana.lima-2@x.example"), ("Ana".into(), "Lima".into()));
        assert_eq!(
            names_for(Some("ana@x.example"), "ana@x.example"),
            ("Ana".into(), String::new())
        );
        assert_eq!(names_for(None, "42@x.example"), ("42@x.example".into(), String::new()));
    }

    #[test]
    fn mailbox_cells_split_back() {
        assert_eq!(
            split_mailboxes("José Muñoz <jose@cafe-munoz.es>, ana@x.example"),
            vec![
                (Some("José Muñoz".to_owned()), "jose@cafe-munoz.es".to_owned()),
                (None, "ana@x.example".to_owned())
            ]
        );
    }
}
