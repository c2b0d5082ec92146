//! Reading a pasted email thread (or an .eml file): is the sender a potential client, who are
//! they, which messages to log, which deal it suggests. Nothing is created until the user
//! applies the reviewed reading, which goes through the normal create paths.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use uuid::Uuid;
use validator::Validate;

use super::cache::{self, Question};
use super::dto::{
    AppliedEmail, ApplyParsedEmail, ParseEmailResponse, ParsedContact, ParsedDeal, ParsedEmail, ParsedMessage,
};
use super::phrases::{Phrases, Say};
use super::provider::{ChatRequest, Message};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult, FieldError};
use crate::interactions::dto::{CreateInteraction, Direction, InteractionKind};
use crate::state::AppState;

pub const PROMPT_VERSION: &str = "email-parse-2";
/// Pasted threads and .eml files up to this size are read; larger ones are a 413.
pub const MAX_BYTES: usize = 1024 * 1024;

const CLIENT_WORDS: &[&str] = &[
    "quote",
    "proposal",
    "budget",
    "project",
    "pricing",
    "price",
    "rates",
    "rate",
    "hire",
    "help with",
    "interested",
    "timeline",
    "estimate",
    "website",
    "redesign",
    "contract",
    "available",
    "availability",
    "work with",
    "need",
    // Spanish and French.
    "presupuesto",
    "propuesta",
    "proyecto",
    "precio",
    "tarifas",
    "contratar",
    "interesad",
    "plazo",
    "disponib",
    "necesit",
    "devis",
    "proposition",
    "projet",
    "prix",
    "tarifs",
    "intéress",
    "besoin",
];
const NOT_CLIENT_WORDS: &[&str] = &[
    "unsubscribe",
    "newsletter",
    "no-reply",
    "noreply",
    "do not reply",
    "receipt",
    "invoice paid",
];
const TITLE_WORDS: &[&str] = &[
    "ceo",
    "cto",
    "cfo",
    "coo",
    "founder",
    "co-founder",
    "director",
    "manager",
    "head of",
    "lead",
    "owner",
    "partner",
    "engineer",
    "designer",
    "consultant",
    "president",
    "vp",
    "officer",
    "recruiter",
];

fn header(block: &str, name: &str) -> Option<String> {
    block.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().to_owned())
    })
}

/// `Ada Lovelace <ada@x.example>` → (Some("Ada Lovelace"), Some("ada@x.example")).
fn address(value: &str) -> (Option<String>, Option<String>) {
    match (value.find('<'), value.find('>')) {
        (Some(a), Some(b)) if b > a => {
            let name = value[..a].trim().trim_matches('"').trim();
            (
                (!name.is_empty()).then(|| name.to_owned()),
                Some(value[a + 1..b].trim().to_lowercase()),
            )
        }
        _ if value.contains('@') => (None, Some(value.trim().to_lowercase())),
        _ => (Some(value.trim().to_owned()).filter(|s| !s.is_empty()), None),
    }
}

fn emails_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Message ids look like addresses but name no one.
    let ids = ["message-id:", "in-reply-to:", "references:", "return-path:"];
    let text: String = text
        .lines()
        .filter(|l| !ids.iter().any(|h| l.trim_start().to_ascii_lowercase().starts_with(h)))
        .collect::<Vec<_>>()
        .join("\n");
    for word in text.split(|c: char| c.is_whitespace() || "<>,;:()[]\"'".contains(c)) {
        let w = word.trim_matches(|c: char| c == '.' || c == '"');
        if let Some((user, host)) = w.split_once('@')
            && !user.is_empty()
            && host.contains('.')
            && !out.contains(&w.to_lowercase())
        {
            out.push(w.to_lowercase());
        }
    }
    out
}

fn phones_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let cleaned = line
            .trim()
            .trim_start_matches(|c: char| c.is_alphabetic() || c == ':' || c == '.' || c == ' ');
        let digits = cleaned.chars().filter(char::is_ascii_digit).count();
        if (7..=15).contains(&digits) && cleaned.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
            out.push(cleaned.trim().to_owned());
        }
    }
    out.truncate(3);
    out
}

/// An amount such as `€8,000`, `$5000`, `8k EUR` or `12.500 EUR`, in minor units.
fn amount_in(text: &str) -> Option<(i64, String)> {
    let symbols = [("€", "EUR"), ("$", "USD"), ("£", "GBP")];
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let (currency, number) = if let Some((sym, code)) = symbols.iter().find(|(s, _)| w.starts_with(s)) {
            match w.trim_start_matches(sym) {
                // "€ 12,000": the number is the next word.
                "" => (
                    code.to_string(),
                    words.get(i + 1).map(|n| (*n).to_owned()).unwrap_or_default(),
                ),
                rest => (code.to_string(), rest.to_owned()),
            }
        } else if let Some(next) = words.get(i + 1) {
            let code = next.trim_matches(|c: char| !c.is_ascii_alphabetic()).to_uppercase();
            if code.len() == 3
                && crate::money::is_currency(&code)
                && w.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                (code, (*w).to_owned())
            } else {
                continue;
            }
        } else {
            continue;
        };
        let number = number.trim_end_matches(|c: char| ".,;:!?)".contains(c));
        let (number, scale) = match number.strip_suffix(['k', 'K']) {
            Some(n) => (n, 1000.0),
            None => (number, 1.0),
        };
        let normalized: String = number.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
        // "8,000" and "12.500" are thousands, "99.50" is decimals.
        let value: f64 =
            if normalized.matches('.').count() == 1 && normalized.rsplit('.').next().is_some_and(|d| d.len() == 3) {
                normalized.replace('.', "").parse().ok()?
            } else {
                normalized.parse().ok()?
            };
        if value > 0.0 {
            let digits = crate::money::minor_digits(&currency).unwrap_or(2);
            return Some(((value * scale * 10f64.powi(i32::from(digits))).round() as i64, currency));
        }
    }
    None
}

/// Splits a pasted thread into messages: at `From:` header lines and "On … wrote:" quotes.
fn messages(text: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let l = line.trim_start_matches('>').trim();
        let starts = (l.to_lowercase().starts_with("from:") && !current.trim().is_empty())
            || (l.starts_with("On ") && l.ends_with("wrote:"))
            || l.starts_with("-----Original Message-----");
        if starts && !current.trim().is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        current.push_str(l);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts
}

fn body_of(message: &str) -> String {
    // Headers stop at the first blank line when the message starts with them.
    let has_headers = message.lines().next().is_some_and(|l| {
        l.contains(':')
            && l.split(':')
                .next()
                .is_some_and(|k| !k.contains(' ') || k.eq_ignore_ascii_case("reply-to"))
    });
    let body = if has_headers {
        message.split_once("\n\n").map(|(_, b)| b).unwrap_or("")
    } else {
        message
    };
    body.lines()
        .filter(|l| !(l.starts_with("On ") && l.ends_with("wrote:")))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

fn title_case_domain(email: &str) -> Option<String> {
    let host = email.split_once('@')?.1;
    let generic = [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "icloud.com",
        "proton.me",
        "protonmail.com",
        "gmx.net",
        "web.de",
    ];
    if generic.contains(&host) {
        return None;
    }
    let name = host.split('.').next()?;
    // "cafe-munoz" → "Cafe Munoz".
    let words: Vec<String> = name
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Whether `raw` starts like a MIME message: a header block (`Name: value` lines, folded lines
/// allowed) with a `From:` field and something to decode (a `Content-Type`, `MIME-Version` or
/// `Content-Transfer-Encoding` field, or an encoded word), then a blank line. Pasted text with
/// plain headers is read as it is.
fn looks_like_message(raw: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&raw[..raw.len().min(64 * 1024)]);
    let mut lines = head.lines().skip_while(|l| l.trim().is_empty());
    let mut has_from = false;
    let mut has_mime = false;
    let mut first = true;
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            return has_from && has_mime;
        }
        has_mime |= line.contains("=?");
        if line.starts_with([' ', '\t']) && !first {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        has_from |= name.eq_ignore_ascii_case("from");
        has_mime |= ["content-type", "mime-version", "content-transfer-encoding"]
            .iter()
            .any(|m| name.eq_ignore_ascii_case(m));
        first = false;
    }
    false
}

fn mailbox_text(name: Option<&str>, address: Option<&str>) -> Option<String> {
    let address = address.map(str::trim).filter(|a| a.contains('@'))?;
    Some(match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) if n.contains([',', '<', '>', '"']) => format!("\"{}\" <{address}>", n.replace('"', "")),
        Some(n) => format!("{n} <{address}>"),
        None => address.to_owned(),
    })
}

fn mailboxes(list: Option<&mail_parser::Address<'_>>) -> Vec<String> {
    list.map(|l| l.iter().filter_map(|m| mailbox_text(m.name(), m.address())).collect())
        .unwrap_or_default()
}

/// An email file as the reader (and the model) should see it: an RFC 5322 message — MIME parts,
/// encoded words (`=?UTF-8?Q?Jos=C3=A9?=`), quoted-printable and base64 bodies, any charset the
/// mail library knows — decoded into its From, To, Cc, Date and Subject and its text (the text
/// part, or the HTML part as text). Message ids, routing headers and attachments are left out,
/// so they are never taken for the contact. `None` when `raw` is not such a message (a pasted
/// thread is read as it is).
pub fn normalise(raw: &[u8]) -> Option<String> {
    if !looks_like_message(raw) {
        return None;
    }
    let message = mail_parser::MessageParser::default().parse(raw)?;
    let from = mailboxes(message.from());
    if from.is_empty() {
        return None;
    }
    let mut out = format!("From: {}\n", from.join(", "));
    let to = mailboxes(message.to());
    if !to.is_empty() {
        let _ = writeln!(out, "To: {}", to.join(", "));
    }
    let cc = mailboxes(message.cc());
    if !cc.is_empty() {
        let _ = writeln!(out, "Cc: {}", cc.join(", "));
    }
    if let Some(date) = message
        .date()
        .and_then(|d| DateTime::parse_from_rfc3339(&d.to_rfc3339()).ok())
    {
        let _ = writeln!(out, "Date: {}", date.to_rfc2822());
    }
    if let Some(subject) = message.subject().map(str::trim).filter(|s| !s.is_empty()) {
        let _ = writeln!(out, "Subject: {}", subject.replace(['\r', '\n'], " "));
    }
    out.push('\n');
    let body = message
        .body_text(0)
        .map(|b| b.replace("\r\n", "\n"))
        .unwrap_or_default();
    out.push_str(body.trim());
    out.push('\n');
    Some(out)
}

/// The built-in reading; what it writes (the reason, a missing name or title) is in the language
/// of `t`.
pub fn local(text: &str, my_emails: &[String], t: Phrases) -> ParsedEmail {
    let parts = messages(text);
    let first = parts.first().map(String::as_str).unwrap_or(text);
    let subject = header(first, "subject");
    // The sender is the first From: that is not one of our own addresses.
    let mut sender: (Option<String>, Option<String>) = (None, None);
    for part in &parts {
        if let Some(from) = header(part, "from") {
            let (name, email) = address(&from);
            if !email.as_ref().is_some_and(|e| my_emails.contains(e)) {
                sender = (name, email);
                break;
            }
        }
    }
    let sender_body = parts
        .iter()
        .find(|p| header(p, "from").map(|f| address(&f).1) == Some(sender.1.clone()))
        .map(|p| body_of(p))
        .unwrap_or_else(|| body_of(first));
    // More addresses only from the sender's own words (a signature, "write to …"): the thread's
    // other recipients are not the contact.
    let mut emails: Vec<String> = sender.1.clone().into_iter().collect();
    let found = if sender.1.is_some() {
        emails_in(&sender_body)
    } else {
        emails_in(text)
    };
    for e in found {
        if !emails.contains(&e) && !my_emails.contains(&e) && emails.len() < 3 {
            emails.push(e);
        }
    }
    // The signature: the last lines of the sender's message.
    let tail: Vec<&str> = sender_body.lines().rev().take(6).collect();
    let name = sender.0.clone().or_else(|| {
        tail.iter()
            .rev()
            .find(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                (2..=3).contains(&w.len()) && w.iter().all(|x| x.chars().next().is_some_and(char::is_uppercase))
            })
            .map(|l| l.trim().to_owned())
    });
    // Outlook writes "Smith, John".
    let name = name.map(|n| match n.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() && !last.trim().is_empty() && !first.contains(',') => {
            format!("{} {}", first.trim(), last.trim())
        }
        _ => n,
    });
    let (first_name, last_name) = match name.as_deref().map(|n| n.split_whitespace().collect::<Vec<_>>()) {
        Some(words) if !words.is_empty() => (words[0].to_owned(), (words.len() > 1).then(|| words[1..].join(" "))),
        _ => (
            emails
                .first()
                .and_then(|e| e.split('@').next())
                .map(|u| u.split(['.', '_']).next().unwrap_or(u).to_owned())
                .map(|u| {
                    let mut c = u.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                // An address such as `_@example.com` names nobody.
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| t.say(Say::ParseUnknownName, &[])),
            None,
        ),
    };
    let mut job_title = None;
    let mut company = None;
    for line in tail.iter().rev() {
        let l = line.trim();
        let lower = l.to_lowercase();
        if job_title.is_none()
            && TITLE_WORDS
                .iter()
                .any(|t| lower.split([' ', ',']).any(|w| w == *t) || lower.contains(t))
            && l.len() < 80
        {
            match l.split_once([',', '|']).or_else(|| l.split_once(" at ")) {
                Some((t, c)) => {
                    job_title = Some(t.trim().to_owned());
                    company = Some(c.trim().to_owned()).filter(|c| !c.is_empty());
                }
                None => job_title = Some(l.to_owned()),
            }
        }
    }
    let company = company.or_else(|| emails.first().and_then(|e| title_case_domain(e)));
    let lower = text.to_lowercase();
    let hits = CLIENT_WORDS.iter().filter(|w| lower.contains(*w)).count();
    let against = NOT_CLIENT_WORDS.iter().filter(|w| lower.contains(*w)).count();
    let amount = amount_in(&sender_body).or_else(|| amount_in(text));
    let score = (hits as f64 * 0.15 + if amount.is_some() { 0.2 } else { 0.0 } - against as f64 * 0.4).clamp(0.0, 0.95);
    let potential_client = score >= 0.3;
    let found: Vec<&str> = CLIENT_WORDS
        .iter()
        .filter(|w| lower.contains(*w))
        .copied()
        .take(4)
        .collect();
    let reason = if against > 0 {
        t.say(Say::ParseAutomated, &[])
    } else if potential_client {
        let amount = amount
            .as_ref()
            .map(|(v, c)| t.say(Say::ParseNamesAmount, &[("amount", &t.money(*v, c))]))
            .unwrap_or_default();
        t.say(
            Say::ParseAsksAboutWork,
            &[("words", &found.join(", ")), ("amount", &amount)],
        )
    } else if found.is_empty() {
        t.say(Say::ParseNoSign, &[])
    } else {
        t.say(Say::ParseWeakSign, &[("words", &found.join(", "))])
    };
    let clean_subject = subject.as_deref().map(|s| {
        let mut s = s.trim();
        loop {
            let l = s.to_lowercase();
            if l.starts_with("re:") || l.starts_with("fw:") {
                s = s[3..].trim();
            } else if l.starts_with("fwd:") {
                s = s[4..].trim();
            } else {
                break s.to_owned();
            }
        }
    });
    let messages: Vec<ParsedMessage> = parts
        .iter()
        .rev()
        .map(|p| {
            let from = header(p, "from").map(|f| address(&f).1).unwrap_or(None);
            ParsedMessage {
                direction: if from.as_ref().is_some_and(|e| my_emails.contains(e)) {
                    Direction::Outbound
                } else {
                    Direction::Inbound
                },
                occurred_at: header(p, "date")
                    .and_then(|d| DateTime::parse_from_rfc2822(&d).ok())
                    .map(|d| d.with_timezone(&Utc)),
                subject: header(p, "subject").or_else(|| subject.clone()),
                body: body_of(p).chars().take(5000).collect(),
            }
        })
        .filter(|m| !m.body.is_empty())
        .collect();
    ParsedEmail {
        potential_client,
        confidence: (score * 100.0).round() / 100.0,
        reason,
        contact: ParsedContact {
            first_name,
            last_name,
            emails,
            phones: phones_in(&sender_body),
            company_name: company,
            job_title,
        },
        messages,
        deal: potential_client.then(|| ParsedDeal {
            title: clean_subject.unwrap_or_else(|| t.say(Say::ParseNewProject, &[])),
            value_minor: amount.as_ref().map(|a| a.0),
            currency: amount.map(|a| a.1),
        }),
    }
}

pub fn parse_answer(text: &str) -> Result<ParsedEmail, String> {
    let parsed: ParsedEmail = super::cache::json_answer(text)?;
    if !(0.0..=1.0).contains(&parsed.confidence) || parsed.contact.first_name.trim().is_empty() {
        return Err("confidence outside 0..1 or no first name".into());
    }
    Ok(parsed)
}

async fn match_contact(state: &AppState, workspace: WorkspaceId, emails: &[String]) -> AppResult<Option<Uuid>> {
    if emails.is_empty() {
        return Ok(None);
    }
    let mut conn = state.conn().await?;
    crate::contacts::service::find_by_email(&mut conn, workspace, emails).await
}

/// Reads a pasted thread or an email file for `user` (whose own address is never the contact).
pub async fn read(
    state: &AppState,
    workspace: WorkspaceId,
    user: Uuid,
    text: String,
    refresh: bool,
) -> AppResult<ParseEmailResponse> {
    let text = normalise(text.as_bytes()).unwrap_or(text).replace("\r\n", "\n");
    if text.trim().is_empty() {
        return Err(AppError::invalid_field(
            "text",
            "paste an email (headers and body) or upload an .eml file",
        ));
    }
    if text.contains('\0') {
        return Err(AppError::invalid_field("text", "must not contain NUL characters"));
    }
    let mine: Vec<String> = {
        let mut conn = state.conn().await?;
        crate::accounts::service::email_of(&mut conn, user)
            .await?
            .into_iter()
            .collect()
    };
    let request = ChatRequest {
        messages: vec![
            Message::system(
                "You read an email thread pasted into a CRM by a freelancer. Answer with one JSON object: \
                 {\"potential_client\": bool, \"confidence\": number 0..1, \"reason\": string, \
                 \"contact\": {\"first_name\": string, \"last_name\": string|null, \"emails\": [string], \
                 \"phones\": [string], \"company_name\": string|null, \"job_title\": string|null}, \
                 \"messages\": [{\"direction\": \"inbound\"|\"outbound\", \"occurred_at\": RFC 3339 or null, \
                 \"subject\": string|null, \"body\": string}], \"deal\": {\"title\": string, \"value_minor\": integer|null, \
                 \"currency\": ISO code|null} or null}. The contact is the other party, not the freelancer.",
            ),
            Message::system(format!("The freelancer's own addresses: {}.", mine.join(", "))),
            Message::user(text.clone()),
        ],
        temperature: 0.0,
        max_tokens: 1200,
        json: true,
    };
    let question = Question {
        feature: "email_parse",
        prompt_version: PROMPT_VERSION,
        request: &request,
        refresh,
        contact: None,
    };
    let t = Phrases::current();
    let (parsed, answer) = cache::ask_json(state, workspace, question, || local(&text, &mine, t), parse_answer).await?;
    let existing_contact_id = match_contact(state, workspace, &parsed.contact.emails).await?;
    Ok(ParseEmailResponse {
        parsed,
        existing_contact_id,
        source: answer.source(),
    })
}

/// Creates what the reviewed reading describes, through the normal create paths, in one
/// transaction: the contact (unless it exists), one email interaction per message, the deal.
pub async fn apply(state: &AppState, workspace: WorkspaceId, input: ApplyParsedEmail) -> AppResult<AppliedEmail> {
    input
        .validate()
        .map_err(|_| AppError::invalid_field("messages", "at most 50 messages"))?;
    let matched = match input.existing_contact_id {
        Some(id) => Some(id),
        None => match_contact(state, workspace, &input.contact.emails).await?,
    };
    let mut conn = state.conn().await?;
    conn.transaction::<_, AppError, _>(async move |conn| {
        let (contact_id, created) = match matched {
            Some(id) => {
                crate::contacts::service::require(conn, workspace, id, true)
                    .await
                    .map_err(|_| {
                        AppError::invalid_field("existing_contact_id", "no contact (outside the trash) has this id")
                    })?;
                (id, false)
            }
            None => {
                let c = &input.contact;
                let create: crate::contacts::dto::CreateContact = serde_json::from_value(serde_json::json!({
                    "first_name": c.first_name,
                    "last_name": c.last_name,
                    "emails": c.emails,
                    "phones": c.phones,
                    "company_name": c.company_name,
                    "job_title": c.job_title,
                    "source": "inbound_email",
                }))
                .map_err(|e| AppError::invalid_field("contact", e.to_string()))?;
                create.validate().map_err(|e| {
                    AppError::validation(
                        e.field_errors()
                            .keys()
                            .map(|k| FieldError::new(format!("contact.{k}"), "is not valid"))
                            .collect(),
                    )
                })?;
                (
                    crate::contacts::service::create(conn, workspace, create).await?.id,
                    true,
                )
            }
        };
        let mut interaction_ids = Vec::new();
        for m in input.messages {
            let created = crate::interactions::service::create(
                conn,
                workspace,
                CreateInteraction {
                    contact_id,
                    deal_id: None,
                    kind: InteractionKind::Email,
                    direction: Some(m.direction),
                    occurred_at: m.occurred_at.filter(|t| *t <= Utc::now()),
                    subject: m.subject.map(|s| s.chars().take(300).collect()),
                    body: Some(m.body.chars().take(50_000).collect()),
                    outcome: None,
                    duration_minutes: None,
                    sentiment: None,
                },
            )
            .await?;
            interaction_ids.push(created.id);
        }
        let deal_id = match input.deal {
            Some(d) => {
                let create = crate::deals::dto::CreateDeal {
                    owner_id: None,
                    title: d.title.chars().take(200).collect(),
                    contact_id: Some(contact_id),
                    company_id: None,
                    pipeline_id: None,
                    stage_id: None,
                    value_minor: d.value_minor,
                    currency: d.currency.filter(|c| crate::money::is_currency(c)),
                    recurring_months: None,
                    probability: None,
                    expected_close_date: None,
                    lost_reason: None,
                    notes: Some("From an email thread.".into()),
                    custom_fields: Default::default(),
                };
                create
                    .validate()
                    .map_err(|_| AppError::invalid_field("deal", "the suggested deal is not valid"))?;
                Some(crate::deals::service::create(conn, workspace, create).await?.id)
            }
            None => None,
        };
        Ok(AppliedEmail {
            contact_id,
            contact_created: created,
            interaction_ids,
            deal_id,
        })
    })
    .await
}

/// The English sentences, for the tests.
#[cfg(test)]
const EN: Phrases = Phrases(crate::accounts::dto::Locale::En);

#[cfg(test)]
mod tests {
    use super::*;

    const THREAD: &str = "From: Ada Lovelace <ada@engines.example>\nDate: Thu, 19 Nov 2026 10:00:00 +0000\nSubject: Re: Website project\n\nHi,\n\nCould you send a quote for a new website? Our budget is around €8,000 and we would like to launch in March.\n\nBest,\nAda Lovelace\nCTO, Analytical Engines\n+44 20 7946 0000\n";

    #[test]
    fn a_request_for_work_is_read() {
        let p = local(THREAD, &[], EN);
        assert!(p.potential_client, "{p:?}");
        assert_eq!(p.contact.first_name, "Ada");
        assert_eq!(p.contact.last_name.as_deref(), Some("Lovelace"));
        assert_eq!(p.contact.emails, vec!["ada@engines.example".to_owned()]);
        assert_eq!(p.contact.job_title.as_deref(), Some("CTO"));
        assert_eq!(p.contact.company_name.as_deref(), Some("Analytical Engines"));
        assert_eq!(p.contact.phones, vec!["+44 20 7946 0000".to_owned()]);
        let deal = p.deal.unwrap();
        assert_eq!(deal.title, "Website project");
        assert_eq!(
            (deal.value_minor, deal.currency.as_deref()),
            (Some(800_000), Some("EUR"))
        );
        assert_eq!(p.messages.len(), 1);
        assert_eq!(p.messages[0].direction, Direction::Inbound);
        assert!(p.messages[0].occurred_at.is_some());
    }

    #[test]
    fn newsletters_are_not_clients_and_amounts_are_read() {
        let p = local(
            "From: news@shop.example\nSubject: Our newsletter\n\nBig sale! Unsubscribe here.",
            &[],
            EN,
        );
        assert!(!p.potential_client);
        assert!(p.deal.is_none());
        assert_eq!(amount_in("about 5k EUR"), Some((500_000, "EUR".into())));
        assert_eq!(amount_in("$1,200.50 total"), Some((120_050, "USD".into())));
        assert_eq!(amount_in("12.500 EUR"), Some((1_250_000, "EUR".into())));
        assert_eq!(amount_in("no money here"), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// An email as clients write them: headers, a body, a signature, quoted replies.
    fn email() -> impl Strategy<Value = String> {
        (
            "\\PC{0,20}",
            "[a-z0-9._%+-]{1,12}@[a-z0-9-]{1,10}\\.[a-z]{2,4}",
            "\\PC{0,40}",
            proptest::collection::vec("\\PC{0,60}", 0..6),
            proptest::option::of("(€|\\$|£)?[0-9]{1,6}([.,][0-9]{1,3})?[kK]?( EUR| USD| JPY)?"),
            any::<bool>(),
        )
            .prop_map(|(name, address, subject, lines, amount, quoted)| {
                let mut text = format!("From: {name} <{address}>\nSubject: {subject}\n\n");
                for l in lines {
                    text.push_str(&l);
                    text.push('\n');
                }
                if let Some(a) = amount {
                    text.push_str(&format!("Budget: {a}\n"));
                }
                if quoted {
                    text.push_str("\nOn Mon, 1 Dec 2026, Me <me@example.com> wrote:\n> earlier\n");
                }
                text
            })
    }

    proptest! {
        #[test]
        fn any_text_is_read_without_panicking_and_the_reading_is_a_valid_answer(text in any::<String>()) {
            let reading = local(&text, &[], EN);
            let json = serde_json::to_string(&reading).unwrap();
            prop_assert!(parse_answer(&json).is_ok(), "{}", json);
        }

        #[test]
        fn any_email_is_read_into_a_valid_answer(text in email(), mine in proptest::option::of("[a-z]{1,5}@example\\.com")) {
            let reading = local(&text, &mine.into_iter().collect::<Vec<_>>(), EN);
            let json = serde_json::to_string(&reading).unwrap();
            prop_assert!(parse_answer(&json).is_ok(), "{}", json);
            if let Some(v) = reading.deal.as_ref().and_then(|d| d.value_minor) {
                prop_assert!(v > 0);
            }
        }

        #[test]
        fn amounts_are_positive_or_absent(text in "\\PC{0,80}") {
            if let Some((minor, currency)) = amount_in(&text) {
                prop_assert!(minor > 0);
                prop_assert!(crate::money::is_currency(&currency));
            }
        }
    }
}

#[cfg(test)]
mod mail_files {
    use super::*;

    const GMAIL: &[u8] = include_bytes!("../../tests/fixtures/email/gmail.eml");
    const OUTLOOK: &[u8] = include_bytes!("../../tests/fixtures/email/outlook.eml");
    const APPLE: &[u8] = include_bytes!("../../tests/fixtures/email/apple.eml");
    const FORWARDED: &[u8] = include_bytes!("../../tests/fixtures/email/forwarded.eml");

    fn mine() -> Vec<String> {
        vec!["fiona@studio.example".to_owned()]
    }

    fn read(raw: &[u8]) -> (String, ParsedEmail) {
        let text = normalise(raw).expect("read as an email message");
        let reading = local(&text, &mine(), EN);
        (text, reading)
    }

    #[test]
    fn gmail_multipart_with_encoded_words_is_decoded() {
        let (text, r) = read(GMAIL);
        assert!(text.starts_with("From: José Muñoz <jose@cafe-munoz.es>\n"), "{text}");
        assert!(
            text.contains("Subject: Presupuesto para la web de la cafetería\n"),
            "{text}"
        );
        assert!(
            text.contains("Nos gustaría una web nueva para la cafetería. Nuestro presupuesto es de unos 4000 EUR.")
        );
        assert!(!text.contains("--000000000000a1b2c3") && !text.contains("Message-ID") && !text.contains("gmail.com"));
        assert_eq!(r.contact.first_name, "José");
        assert_eq!(r.contact.last_name.as_deref(), Some("Muñoz"));
        assert_eq!(r.contact.emails, ["jose@cafe-munoz.es"]);
        assert_eq!(r.contact.company_name.as_deref(), Some("Cafe Munoz"));
        assert_eq!(
            r.messages[0].subject.as_deref(),
            Some("Presupuesto para la web de la cafetería")
        );
        assert!(r.messages[0].occurred_at.is_some());
        assert!(!r.messages[0].body.contains("Content-Type"), "{}", r.messages[0].body);
        // The built-in reader knows Spanish and French wording of a request for work too.
        assert_eq!(amount_in(&text), Some((400_000, "EUR".to_owned())));
        assert!(r.potential_client, "{}", r.reason);
        assert!(r.reason.contains("presupuesto"), "{}", r.reason);
    }

    #[test]
    fn outlook_html_only_in_windows_1252_reads_as_text() {
        let (text, r) = read(OUTLOOK);
        assert!(
            text.contains("We would like to go ahead. Could you send the contract?"),
            "{text}"
        );
        assert!(text.contains("€12,000"), "{text}");
        assert!(!text.contains("<p>") && !text.contains("exchangelabs"), "{text}");
        assert_eq!(
            (r.contact.first_name.as_str(), r.contact.last_name.as_deref()),
            ("John", Some("Smith"))
        );
        assert_eq!(r.contact.emails, ["john.smith@contoso.com"]);
        assert!(r.potential_client, "{}", r.reason);
        assert_eq!(r.deal.as_ref().and_then(|d| d.value_minor), Some(1_200_000));
    }

    #[test]
    fn apple_mail_quoted_printable_with_folded_headers() {
        let (text, r) = read(APPLE);
        assert!(text.contains("Olá Fiona,"), "{text}");
        assert!(text.contains("We can spend €2,500."), "{text}");
        assert_eq!(r.contact.first_name, "Ana");
        assert_eq!(
            r.contact.emails,
            ["ana@lima-design.example"],
            "the Message-Id is not an address"
        );
        assert_eq!(r.contact.job_title.as_deref(), Some("Founder"));
        assert_eq!(r.contact.company_name.as_deref(), Some("Lima Design"));
        assert_eq!(r.deal.as_ref().and_then(|d| d.value_minor), Some(250_000));
    }

    #[test]
    fn a_forwarded_thread_names_the_original_sender_not_the_user() {
        let (_, r) = read(FORWARDED);
        assert_eq!(r.contact.first_name, "Carla");
        assert_eq!(r.contact.last_name.as_deref(), Some("Díaz"));
        assert_eq!(r.contact.emails, ["carla@diaz-consulting.example"]);
        assert!(!r.contact.emails.iter().any(|e| e.ends_with("@studio.example")));
    }

    #[test]
    fn pasted_text_is_not_taken_for_a_message() {
        assert!(normalise(b"Hi, could you send me a quote?\n\nThanks").is_none());
        assert!(normalise(b"Subject: only a subject\n\nbody").is_none(), "no From");
        assert!(
            normalise("From: Ada <ada@example.com>\nSubject: Hi\n\nCafé".as_bytes()).is_none(),
            "plain headers: nothing to decode"
        );
        assert!(normalise(b"").is_none());
    }
}
