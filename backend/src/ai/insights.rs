//! Contact insights: a summary, communication style, things to know before the next meeting,
//! risks and next steps — from the contact's record, timeline, deals and reminders.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::cache::{self, Question};
use super::dto::{ContactInsights, InsightsResponse};
use super::provider::{ChatRequest, Message};
use crate::contacts::dto::Contact;
use crate::db::WorkspaceId;
use crate::deals::dto::{Deal, ListDealsParams};
use crate::error::AppResult;
use crate::interactions::dto::Interaction;
use crate::interactions::service::TimelineQuery;
use crate::money;
use crate::reminders::dto::{ListRemindersParams, Reminder};
use crate::state::AppState;

/// Bump when the prompt or the offline rules change: old answers then miss the cache.
pub const PROMPT_VERSION: &str = "contact-insights-1";
const FEATURE: &str = "contact_insights";

/// Everything the insights are drawn from.
pub struct Context {
    pub contact: Contact,
    /// Newest first.
    pub interactions: Vec<Interaction>,
    pub deals: Vec<Deal>,
    pub reminders: Vec<Reminder>,
    pub now: DateTime<Utc>,
}

/// The facts about a contact; one in the trash answers 404 `trashed` unless `include_trashed`.
pub async fn load(
    state: &AppState,
    workspace: WorkspaceId,
    contact: Uuid,
    include_trashed: bool,
) -> AppResult<Context> {
    let mut conn = state.conn().await?;
    let contact = crate::contacts::service::get(&mut conn, workspace, contact, include_trashed).await?;
    let query = TimelineQuery::parse(Some("30"), None, None)?;
    let interactions = crate::interactions::service::timeline(&mut conn, workspace, contact.id, &query, true)
        .await?
        .items;
    let deals = crate::deals::service::list(
        &mut conn,
        workspace,
        &ListDealsParams {
            contact_id: Some(contact.id.to_string()),
            limit: Some("20".into()),
            ..Default::default()
        },
        Uuid::nil(),
    )
    .await?
    .items;
    let reminders = crate::reminders::service::list(
        &mut conn,
        workspace,
        &ListRemindersParams {
            contact_id: Some(contact.id.to_string()),
            limit: Some("10".into()),
            ..Default::default()
        },
        Uuid::nil(),
    )
    .await?
    .items;
    Ok(Context {
        contact,
        interactions,
        deals,
        reminders,
        now: Utc::now(),
    })
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

/// The context as text for the model. Dates are absolute so the prompt (and its cache key) does
/// not change from one minute to the next.
pub fn describe(c: &Context) -> String {
    let p = &c.contact;
    let mut out = String::new();
    let _ = writeln!(out, "Contact: {}", p.display_name);
    if let Some(title) = &p.job_title {
        let _ = writeln!(out, "Job title: {title}");
    }
    if let Some(company) = &p.company {
        let _ = writeln!(out, "Company: {}", company.name);
    }
    let _ = writeln!(out, "Lifecycle: {}", p.lifecycle);
    if let Some(source) = p.source {
        let _ = writeln!(out, "Source: {source}");
    }
    if let Some(location) = &p.location {
        let _ = writeln!(out, "Location: {location}");
    }
    if !p.tags.is_empty() {
        let _ = writeln!(out, "Tags: {}", p.tags.join(", "));
    }
    if let Some(notes) = &p.notes {
        let _ = writeln!(out, "Notes: {notes}");
    }
    if let Some(next) = p.next_follow_up_at {
        let _ = writeln!(out, "Next follow-up due: {}", day(next));
    }
    let _ = writeln!(out, "\nInteractions (newest first):");
    for i in &c.interactions {
        let _ = writeln!(
            out,
            "- {} {}{}{}{}{}",
            day(i.occurred_at),
            i.kind,
            i.direction.map(|d| format!(" ({d})")).unwrap_or_default(),
            i.subject.as_deref().map(|s| format!(": {s}")).unwrap_or_default(),
            i.outcome.map(|o| format!(" [outcome {o}]")).unwrap_or_default(),
            i.body
                .as_deref()
                .map(|b| format!(" — {}", b.chars().take(300).collect::<String>()))
                .unwrap_or_default(),
        );
    }
    let _ = writeln!(out, "\nDeals:");
    for d in &c.deals {
        let _ = writeln!(
            out,
            "- {} ({}, stage {}, {}, {}% likely{})",
            d.title,
            d.status,
            d.stage_name,
            money::format(d.total_value_minor, &d.currency),
            d.probability,
            d.expected_close_date
                .map(|x| format!(", expected to close {x}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\nOpen reminders:");
    for r in &c.reminders {
        let _ = writeln!(out, "- {} (due {})", r.title, day(r.due_at));
    }
    out
}

pub fn request(c: &Context) -> ChatRequest {
    ChatRequest {
        messages: vec![
            Message::system(
                "You are the sales assistant inside a CRM used by freelancers and consultants. \
                 From the facts given, answer with one JSON object with exactly these keys: \
                 summary (string, two sentences at most), communication_style (string), \
                 preferences (array of strings), before_next_meeting (array of strings), \
                 risks (array of strings), next_steps (array of strings, concrete actions). \
                 Use only the facts given; say so when something is unknown.",
            ),
            Message::user(describe(c)),
        ],
        temperature: 0.2,
        max_tokens: 700,
        json: true,
    }
}

/// Parses a model answer, tolerating a fenced code block around the JSON.
pub fn parse(text: &str) -> Result<ContactInsights, String> {
    let insights: ContactInsights = super::cache::json_answer(text)?;
    if insights.summary.trim().is_empty() {
        return Err("the summary is empty".into());
    }
    Ok(insights)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The offline answer: rules over the same facts, deterministic for a given context.
pub fn local(c: &Context) -> ContactInsights {
    let p = &c.contact;
    let first = &p.first_name;
    let mut summary = p.display_name.clone();
    match (&p.job_title, &p.company) {
        (Some(t), Some(co)) => {
            let _ = write!(summary, ", {t} at {}", co.name);
        }
        (Some(t), None) => {
            let _ = write!(summary, ", {t}");
        }
        (None, Some(co)) => {
            let _ = write!(summary, " from {}", co.name);
        }
        (None, None) => {}
    }
    // A job title is an aside set off by commas ("Ada, CTO at Engines, is a client"); otherwise
    // no comma ("Ines Ruiz is a lead", "Ada from Engines is a client").
    let aside = if p.job_title.is_some() { "," } else { "" };
    let _ = write!(summary, "{aside} is a {}", p.lifecycle);
    if let Some(source) = p.source {
        let _ = write!(summary, " who came through {}", source.to_string().replace('_', " "));
    }
    summary.push('.');
    match c.interactions.last() {
        Some(oldest) => {
            let _ = write!(
                summary,
                " {} since {}",
                plural(c.interactions.len(), "touchpoint", "touchpoints"),
                day(oldest.occurred_at)
            );
            if let Some(latest) = c.interactions.first() {
                let _ = write!(
                    summary,
                    ", the latest a {} on {}.",
                    latest.kind,
                    day(latest.occurred_at)
                );
            }
        }
        None => summary.push_str(" No touchpoint logged yet."),
    }
    let open: Vec<&Deal> = c.deals.iter().filter(|d| d.status.as_str() == "open").collect();
    if !open.is_empty() {
        let _ = write!(
            summary,
            " {} open ({}).",
            plural(open.len(), "deal", "deals"),
            open.iter()
                .map(|d| format!("{} in {}", d.title, d.stage_name))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    // Style: which channels, who reaches out, how it goes.
    let total = c.interactions.len();
    let communication_style = if total == 0 {
        format!("Unknown yet: log a first touchpoint with {first} to learn how they like to talk.")
    } else {
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for i in &c.interactions {
            let k = i.kind.to_string();
            match kinds.iter_mut().find(|(name, _)| *name == k) {
                Some((_, n)) => *n += 1,
                None => kinds.push((k, 1)),
            }
        }
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let inbound = c
            .interactions
            .iter()
            .filter(|i| i.direction.map(|d| d.to_string()) == Some("inbound".into()))
            .count();
        let outbound = c
            .interactions
            .iter()
            .filter(|i| i.direction.map(|d| d.to_string()) == Some("outbound".into()))
            .count();
        let positive = c
            .interactions
            .iter()
            .filter(|i| i.outcome.map(|o| o.to_string()) == Some("positive".into()))
            .count();
        let silent = c
            .interactions
            .iter()
            .filter(|i| i.outcome.map(|o| o.to_string()) == Some("no_response".into()))
            .count();
        let (top, n) = &kinds[0];
        let mut s = format!("Mostly {top}s ({n} of {total} touchpoints)");
        if inbound + outbound > 0 {
            if inbound > outbound {
                let _ = write!(
                    s,
                    "; {first} often reaches out first ({inbound} inbound, {outbound} outbound)"
                );
            } else {
                let _ = write!(s, "; you usually reach out ({outbound} outbound, {inbound} inbound)");
            }
        }
        if positive > 0 || silent > 0 {
            let _ = write!(
                s,
                "; {}, {} without a reply",
                plural(positive, "positive outcome", "positive outcomes"),
                silent
            );
        }
        s.push('.');
        s
    };

    let mut preferences: Vec<String> = Vec::new();
    if !p.tags.is_empty() {
        preferences.push(format!("Interested in: {}", p.tags.join(", ")));
    }
    if let Some(location) = &p.location {
        preferences.push(format!("Based in {location}: mind the time zone when proposing a slot"));
    }
    if let Some(notes) = &p.notes {
        preferences.push(format!(
            "From your notes: {}",
            notes.chars().take(200).collect::<String>()
        ));
    }
    if preferences.is_empty() {
        preferences.push("Nothing recorded yet: add tags or notes after the next conversation".into());
    }

    let mut before_next_meeting: Vec<String> = Vec::new();
    if let Some(latest) = c.interactions.first() {
        let what = latest.subject.clone().unwrap_or_else(|| latest.kind.to_string());
        before_next_meeting.push(format!("Last time ({}): {what}", day(latest.occurred_at)));
        if let Some(body) = &latest.body {
            before_next_meeting.push(format!(
                "Notes from then: {}",
                body.chars().take(200).collect::<String>()
            ));
        }
    }
    for d in &open {
        before_next_meeting.push(format!(
            "{} is in {} at {} ({}% likely)",
            d.title,
            d.stage_name,
            money::format(d.total_value_minor, &d.currency),
            d.probability
        ));
    }
    for r in &c.reminders {
        before_next_meeting.push(format!("Open to-do: {} (due {})", r.title, day(r.due_at)));
    }
    if before_next_meeting.is_empty() {
        before_next_meeting.push(format!("This would be your first conversation with {first}"));
    }

    let mut risks: Vec<String> = Vec::new();
    if let Some(next) = p.next_follow_up_at.filter(|n| *n < c.now) {
        risks.push(format!(
            "The follow-up is {} overdue",
            plural((c.now - next).num_days().max(1) as usize, "day", "days")
        ));
    }
    let silent_streak = c
        .interactions
        .iter()
        .take_while(|i| i.outcome.map(|o| o.to_string()) == Some("no_response".into()))
        .count();
    if silent_streak >= 2 {
        risks.push(format!("The last {silent_streak} touchpoints got no reply"));
    }
    if let Some(latest) = c.interactions.first() {
        if latest.outcome.map(|o| o.to_string()) == Some("negative".into()) {
            risks.push("The last conversation went badly".into());
        }
        let quiet = (c.now - latest.occurred_at).num_days();
        if quiet > 60 {
            risks.push(format!("No touchpoint for {quiet} days"));
        }
    }
    for d in &open {
        if let Some(close) = d.expected_close_date.filter(|x| *x < c.now.date_naive()) {
            risks.push(format!("{} was expected to close on {close}", d.title));
        }
        let waiting = (c.now - d.stage_changed_at).num_days();
        if waiting > 21 {
            risks.push(format!("{} has sat in {} for {waiting} days", d.title, d.stage_name));
        }
    }

    let mut next_steps: Vec<String> = Vec::new();
    if let Some(next) = p.next_follow_up_at {
        if next <= c.now {
            next_steps.push(format!("Get in touch with {first} today"));
        } else {
            next_steps.push(format!("Get in touch with {first} by {}", day(next)));
        }
    }
    for d in &open {
        let step = match d.stage_name.to_lowercase().as_str() {
            s if s.contains("proposal") => format!("Follow up on the proposal for {}", d.title),
            s if s.contains("lead") => format!("Qualify {}: budget, timing, who decides", d.title),
            _ => format!("Agree the next step that moves {} forward", d.title),
        };
        next_steps.push(step);
    }
    if open.is_empty() && matches!(p.lifecycle.to_string().as_str(), "lead" | "prospect") {
        next_steps.push(format!("Find out what {first} needs and open a deal if there is one"));
    }
    if silent_streak >= 2 {
        next_steps.push("Try another channel than the last ones".into());
    }
    if next_steps.is_empty() {
        next_steps.push(format!("Check in with {first} and log how it went"));
    }

    ContactInsights {
        summary,
        communication_style,
        preferences,
        before_next_meeting,
        risks,
        next_steps,
    }
}

pub async fn insights(
    state: &AppState,
    workspace: WorkspaceId,
    contact: Uuid,
    refresh: bool,
) -> AppResult<InsightsResponse> {
    let shortcut = cache::Shortcut::find(state, workspace, FEATURE, contact, refresh).await?;
    if let Some(answer) = &shortcut.answer
        && let Ok(insights) = parse(&answer.content)
    {
        return Ok(InsightsResponse {
            insights,
            source: answer.source(),
        });
    }
    let context = load(state, workspace, contact, false).await?;
    let request = request(&context);
    let question = Question {
        feature: FEATURE,
        prompt_version: PROMPT_VERSION,
        request: &request,
        refresh,
        contact: Some(contact),
    };
    let (insights, answer) = cache::ask_json(state, workspace, question, || local(&context), parse).await?;
    shortcut.remember(state, &answer);
    Ok(InsightsResponse {
        insights,
        source: answer.source(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_answers_are_parsed_strictly() {
        let ok = r#"```json
{"summary":"S","communication_style":"C","preferences":[],"before_next_meeting":[],"risks":["r"],"next_steps":["n"]}
```"#;
        assert_eq!(parse(ok).unwrap().risks, vec!["r".to_owned()]);
        assert!(parse("Sure! Here are some insights.").is_err());
        assert!(parse(r#"{"summary":"S"}"#).is_err());
        assert!(parse(r#"{"summary":" ","communication_style":"C","preferences":[],"before_next_meeting":[],"risks":[],"next_steps":[]}"#).is_err());
    }
}
