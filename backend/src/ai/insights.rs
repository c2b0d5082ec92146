//! Contact insights: a summary, communication style, things to know before the next meeting,
//! risks and next steps — from the contact's record, timeline, deals and reminders.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::cache::{self, Question};
use super::dto::{ContactInsights, InsightsResponse};
use super::phrases::{KindForm, Phrases, Say, capitalized};
use super::provider::{ChatRequest, Message};
use crate::contacts::dto::{Contact, Lifecycle};
use crate::db::WorkspaceId;
use crate::deals::dto::{Deal, ListDealsParams};
use crate::error::AppResult;
use crate::interactions::dto::{Direction, Interaction, InteractionKind, Outcome};
use crate::interactions::service::TimelineQuery;
use crate::money;
use crate::reminders::dto::{ListRemindersParams, Reminder};
use crate::state::AppState;

/// Bump when the prompt or the offline rules change: old answers then miss the cache.
pub const PROMPT_VERSION: &str = "contact-insights-2";
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

/// The offline answer: rules over the same facts, deterministic for a given context, in the
/// language of `t`.
pub fn local(c: &Context, t: Phrases) -> ContactInsights {
    let p = &c.contact;
    let first = &p.first_name;
    // Dates in the answer's language (`day` writes the model's prompt in English).
    let date_of = |d: DateTime<Utc>| t.date(d.date_naive());
    let name = &p.display_name;
    let lifecycle = t.lifecycle(p.lifecycle);
    // A job title is an aside set off by commas ("Ada, CTO at Engines, is a client"); otherwise
    // no comma ("Ines Ruiz is a lead", "Ada from Engines is a client").
    let mut summary = match (&p.job_title, &p.company) {
        (Some(title), Some(co)) => t.say(
            Say::IntroTitleCompany,
            &[
                ("name", name),
                ("title", title),
                ("company", &co.name),
                ("lifecycle", &lifecycle),
            ],
        ),
        (Some(title), None) => t.say(
            Say::IntroTitle,
            &[("name", name), ("title", title), ("lifecycle", &lifecycle)],
        ),
        (None, Some(co)) => t.say(
            Say::IntroCompany,
            &[("name", name), ("company", &co.name), ("lifecycle", &lifecycle)],
        ),
        (None, None) => t.say(Say::Intro, &[("name", name), ("lifecycle", &lifecycle)]),
    };
    if let Some(source) = p.source {
        summary.push_str(&t.say(Say::CameThrough, &[("source", &t.source(source))]));
    }
    summary.push('.');
    summary.push(' ');
    match (c.interactions.last(), c.interactions.first()) {
        (Some(oldest), Some(latest)) => summary.push_str(&t.say(
            Say::SinceLatest,
            &[
                (
                    "touchpoints",
                    &t.count(c.interactions.len(), Say::TouchpointOne, Say::TouchpointMany),
                ),
                ("since", &date_of(oldest.occurred_at)),
                ("kind", &t.kind(latest.kind, KindForm::WithArticle)),
                ("date", &date_of(latest.occurred_at)),
            ],
        )),
        _ => summary.push_str(&t.say(Say::NoTouchpointYet, &[])),
    }
    let open: Vec<&Deal> = c.deals.iter().filter(|d| d.status.as_str() == "open").collect();
    if !open.is_empty() {
        let list = open
            .iter()
            .map(|d| t.say(Say::DealInStage, &[("title", &d.title), ("stage", &d.stage_name)]))
            .collect::<Vec<_>>()
            .join(", ");
        summary.push(' ');
        summary.push_str(&t.say(
            Say::OpenDeals,
            &[
                ("deals", &t.count(open.len(), Say::OpenDealOne, Say::OpenDealMany)),
                ("list", &list),
            ],
        ));
    }

    // Style: which channels, who reaches out, how it goes.
    let total = c.interactions.len();
    let communication_style = if total == 0 {
        t.say(Say::StyleUnknown, &[("first", first)])
    } else {
        let mut kinds: Vec<(InteractionKind, usize)> = Vec::new();
        for i in &c.interactions {
            match kinds.iter_mut().find(|(kind, _)| *kind == i.kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((i.kind, 1)),
            }
        }
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
        let inbound = c
            .interactions
            .iter()
            .filter(|i| i.direction == Some(Direction::Inbound))
            .count();
        let outbound = c
            .interactions
            .iter()
            .filter(|i| i.direction == Some(Direction::Outbound))
            .count();
        let positive = c
            .interactions
            .iter()
            .filter(|i| i.outcome == Some(Outcome::Positive))
            .count();
        let silent = c
            .interactions
            .iter()
            .filter(|i| i.outcome == Some(Outcome::NoResponse))
            .count();
        let (top, n) = kinds[0];
        let mut s = t.say(
            Say::StyleMostly,
            &[
                ("kinds", &t.kind(top, KindForm::Plural)),
                ("n", &n),
                ("total", &t.count(total, Say::TouchpointOne, Say::TouchpointMany)),
            ],
        );
        if inbound + outbound > 0 {
            let key = if inbound > outbound {
                Say::StyleTheyReachOut
            } else {
                Say::StyleYouReachOut
            };
            s.push_str(&t.say(key, &[("first", first), ("inbound", &inbound), ("outbound", &outbound)]));
        }
        if positive > 0 || silent > 0 {
            s.push_str(&t.say(
                Say::StyleOutcomes,
                &[
                    ("positive", &t.count(positive, Say::PositiveOne, Say::PositiveMany)),
                    ("silent", &silent),
                ],
            ));
        }
        s.push('.');
        s
    };

    let mut preferences: Vec<String> = Vec::new();
    if !p.tags.is_empty() {
        preferences.push(t.say(Say::InterestedIn, &[("tags", &p.tags.join(", "))]));
    }
    if let Some(location) = &p.location {
        preferences.push(t.say(Say::BasedIn, &[("location", location)]));
    }
    if let Some(notes) = &p.notes {
        let notes: String = notes.chars().take(200).collect();
        preferences.push(t.say(Say::FromNotes, &[("notes", &notes)]));
    }
    if preferences.is_empty() {
        preferences.push(t.say(Say::NothingRecorded, &[]));
    }

    let mut before_next_meeting: Vec<String> = Vec::new();
    if let Some(latest) = c.interactions.first() {
        let what = latest
            .subject
            .clone()
            .unwrap_or_else(|| capitalized(t.kind(latest.kind, KindForm::Name)));
        before_next_meeting.push(t.say(
            Say::LastTime,
            &[("date", &date_of(latest.occurred_at)), ("what", &what)],
        ));
        if let Some(body) = &latest.body {
            let notes: String = body.chars().take(200).collect();
            before_next_meeting.push(t.say(Say::NotesFromThen, &[("notes", &notes)]));
        }
    }
    for d in &open {
        before_next_meeting.push(t.say(
            Say::DealStanding,
            &[
                ("title", &d.title),
                ("stage", &d.stage_name),
                ("value", &t.money(d.total_value_minor, &d.currency)),
                ("probability", &t.percent(d.probability)),
            ],
        ));
    }
    for r in &c.reminders {
        before_next_meeting.push(t.say(Say::OpenTodo, &[("title", &r.title), ("date", &date_of(r.due_at))]));
    }
    if before_next_meeting.is_empty() {
        before_next_meeting.push(t.say(Say::FirstConversation, &[("first", first)]));
    }

    let mut risks: Vec<String> = Vec::new();
    if let Some(next) = p.next_follow_up_at.filter(|n| *n < c.now) {
        let late = (c.now - next).num_days().max(1) as usize;
        risks.push(t.say(
            Say::FollowUpOverdue,
            &[("days", &t.count(late, Say::DayOne, Say::DayMany))],
        ));
    }
    let silent_streak = c
        .interactions
        .iter()
        .take_while(|i| i.outcome == Some(Outcome::NoResponse))
        .count();
    if silent_streak >= 2 {
        risks.push(t.say(Say::NoReplyStreak, &[("n", &silent_streak)]));
    }
    if let Some(latest) = c.interactions.first() {
        if latest.outcome == Some(Outcome::Negative) {
            risks.push(t.say(Say::WentBadly, &[]));
        }
        let quiet = (c.now - latest.occurred_at).num_days();
        if quiet > 60 {
            risks.push(t.say(Say::QuietFor, &[("n", &quiet)]));
        }
    }
    for d in &open {
        if let Some(close) = d.expected_close_date.filter(|x| *x < c.now.date_naive()) {
            risks.push(t.say(Say::ExpectedClose, &[("title", &d.title), ("date", &t.date(close))]));
        }
        let waiting = (c.now - d.stage_changed_at).num_days();
        if waiting > 21 {
            risks.push(t.say(
                Say::SatInStage,
                &[("title", &d.title), ("stage", &d.stage_name), ("n", &waiting)],
            ));
        }
    }

    let mut next_steps: Vec<String> = Vec::new();
    if let Some(next) = p.next_follow_up_at {
        if next <= c.now {
            next_steps.push(t.say(Say::GetInTouchToday, &[("first", first)]));
        } else {
            next_steps.push(t.say(Say::GetInTouchBy, &[("first", first), ("date", &date_of(next))]));
        }
    }
    for d in &open {
        // Stage names are the user's, in their language: "Proposal", "Propuesta", "Proposition".
        let stage = d.stage_name.to_lowercase();
        let key = if stage.contains("propos") || stage.contains("propuesta") || stage.contains("devis") {
            Say::FollowUpProposal
        } else if stage.contains("lead") || stage.contains("piste") {
            Say::Qualify
        } else {
            Say::AgreeNextStep
        };
        next_steps.push(t.say(key, &[("title", &d.title)]));
    }
    if open.is_empty() && matches!(p.lifecycle, Lifecycle::Lead | Lifecycle::Prospect) {
        next_steps.push(t.say(Say::FindNeeds, &[("first", first)]));
    }
    if silent_streak >= 2 {
        next_steps.push(t.say(Say::TryAnotherChannel, &[]));
    }
    if next_steps.is_empty() {
        next_steps.push(t.say(Say::CheckIn, &[("first", first)]));
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
    let t = Phrases::current();
    let (insights, answer) = cache::ask_json(state, workspace, question, || local(&context, t), parse).await?;
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
