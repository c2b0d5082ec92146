//! Lead scores: 0–100 from factors anyone can check (stage, recency and volume of contact,
//! outcomes, inbound interest, open deals, source, connection strength, overdue follow-ups).
//! The model only writes the explanation.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::cache::{self, Question};
use super::dto::{LeadScore, ScoreFactor};
use super::insights::{self, Context};
use super::provider::{ChatRequest, Message};
use crate::db::WorkspaceId;
use crate::error::AppResult;
use crate::state::AppState;

pub const PROMPT_VERSION: &str = "lead-score-explanation-1";

fn factor(name: &str, label: &str, points: i32, detail: String) -> ScoreFactor {
    ScoreFactor {
        name: name.into(),
        label: label.into(),
        points,
        detail,
    }
}

/// The factors of a score, as of `now`.
pub fn factors(c: &Context, now: DateTime<Utc>) -> Vec<ScoreFactor> {
    let p = &c.contact;
    let mut out = Vec::new();
    let stage = p.lifecycle.to_string();
    let stage_points = match stage.as_str() {
        "client" => 30,
        "prospect" => 20,
        "lead" => 10,
        _ => 0,
    };
    out.push(factor("lifecycle", "Stage", stage_points, format!("A {stage}")));
    let recent: Vec<_> = c
        .interactions
        .iter()
        .filter(|i| i.occurred_at <= now && (now - i.occurred_at).num_days() <= 90)
        .collect();
    match c.interactions.iter().find(|i| i.occurred_at <= now) {
        Some(last) => {
            let days = (now - last.occurred_at).num_days();
            let points = match days {
                0..=7 => 20,
                8..=30 => 12,
                31..=90 => 5,
                _ => 0,
            };
            out.push(factor(
                "recent_contact",
                "Recent contact",
                points,
                format!("Last touchpoint {days} days ago"),
            ));
        }
        None => out.push(factor(
            "recent_contact",
            "Recent contact",
            0,
            "No touchpoint yet".into(),
        )),
    }
    out.push(factor(
        "engagement",
        "Engagement",
        (recent.len() as i32 * 3).min(15),
        format!("{} touchpoints in 90 days", recent.len()),
    ));
    let judged: Vec<_> = recent.iter().filter(|i| i.outcome.is_some()).collect();
    if !judged.is_empty() {
        let positive = judged
            .iter()
            .filter(|i| i.outcome.map(|o| o.to_string()) == Some("positive".into()))
            .count();
        let silent = judged
            .iter()
            .filter(|i| i.outcome.map(|o| o.to_string()) == Some("no_response".into()))
            .count();
        let points = ((positive as f64 / judged.len() as f64) * 10.0).round() as i32 - (silent as i32 * 3).min(9);
        out.push(factor(
            "outcomes",
            "Outcomes",
            points,
            format!("{positive} positive and {silent} unanswered of {}", judged.len()),
        ));
    }
    if recent
        .iter()
        .any(|i| i.direction.map(|d| d.to_string()) == Some("inbound".into()))
    {
        out.push(factor(
            "inbound_interest",
            "Reaches out",
            5,
            "Got in touch first at least once in 90 days".into(),
        ));
    }
    let open: Vec<_> = c.deals.iter().filter(|d| d.status.as_str() == "open").collect();
    if let Some(best) = open.iter().max_by_key(|d| d.probability) {
        let points = if best.probability >= 50 { 15 } else { 10 };
        out.push(factor(
            "open_deal",
            "Open deal",
            points,
            format!("{} in {} ({}%)", best.title, best.stage_name, best.probability),
        ));
    }
    if let Some(source) = p.source {
        let s = source.to_string();
        let points = match s.as_str() {
            "referral" => 10,
            "partner" => 8,
            "inbound_email" | "website" | "event" => 5,
            "linkedin" | "social_media" => 3,
            _ => 0,
        };
        out.push(factor(
            "source",
            "Source",
            points,
            format!("Came through {}", s.replace('_', " ")),
        ));
    }
    if let Some(strength) = p.connection_strength {
        out.push(factor(
            "connection",
            "Connection strength",
            (i32::from(strength) - 1) * 2,
            format!("{strength} of 5"),
        ));
    }
    if let Some(next) = p.next_follow_up_at.filter(|n| (now - *n).num_days() > 2) {
        out.push(factor(
            "overdue_follow_up",
            "Overdue follow-up",
            -10,
            format!("{} days late", (now - next).num_days()),
        ));
    }
    out
}

pub fn total(factors: &[ScoreFactor]) -> i32 {
    factors.iter().map(|f| f.points).sum::<i32>().clamp(0, 100)
}

/// The built-in explanation: the strongest reasons for and against, in a sentence each.
pub fn local(name: &str, score: i32, factors: &[ScoreFactor]) -> String {
    let mut up: Vec<&ScoreFactor> = factors.iter().filter(|f| f.points > 0).collect();
    up.sort_by(|a, b| b.points.cmp(&a.points).then(a.name.cmp(&b.name)));
    let down: Vec<&ScoreFactor> = factors.iter().filter(|f| f.points < 0).collect();
    let band = match score {
        70.. => "a strong lead",
        45..=69 => "a promising lead",
        20..=44 => "a lukewarm lead",
        _ => "a cold lead",
    };
    let mut text = format!("{name} scores {score}/100, {band}.");
    if !up.is_empty() {
        text.push_str(&format!(
            " Mostly thanks to {}.",
            up.iter()
                .take(3)
                .map(|f| format!("{} ({})", f.label.to_lowercase(), f.detail.to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !down.is_empty() {
        text.push_str(&format!(
            " Held back by {}.",
            down.iter()
                .map(|f| format!("{} ({})", f.label.to_lowercase(), f.detail.to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    text
}

pub async fn score(
    state: &AppState,
    workspace: WorkspaceId,
    contact: Uuid,
    refresh: bool,
    include_trashed: bool,
) -> AppResult<LeadScore> {
    let context: Context = insights::load(state, workspace, contact, include_trashed).await?;
    let factors = factors(&context, context.now);
    let score = total(&factors);
    let name = context.contact.display_name.clone();
    let listed: String = factors
        .iter()
        .map(|f| format!("- {}: {:+} ({})\n", f.label, f.points, f.detail))
        .collect();
    let request = ChatRequest {
        messages: vec![
            Message::system(
                "You explain a CRM lead score to its user in two or three plain sentences: what drives it up, \
                 what holds it back, and the one thing that would raise it most. Do not change the score. \
                 Answer with the explanation text only.",
            ),
            Message::user(format!("Contact: {name}\nScore: {score}/100\nFactors:\n{listed}")),
        ],
        temperature: 0.2,
        max_tokens: 200,
        json: false,
    };
    let question = Question {
        feature: "lead_score",
        prompt_version: PROMPT_VERSION,
        request: &request,
        refresh,
        contact: Some(contact),
    };
    let answer = cache::ask(
        state,
        workspace,
        question,
        || local(&name, score, &factors),
        |text| {
            if text.trim().len() < 10 {
                Err("the explanation is empty".into())
            } else {
                Ok(())
            }
        },
    )
    .await?;
    Ok(LeadScore {
        score,
        factors,
        explanation: answer.content.trim().to_owned(),
        source: answer.source(),
    })
}
