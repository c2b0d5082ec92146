//! Lead scores: 0–100 from factors anyone can check (stage, recency and volume of contact,
//! outcomes, inbound interest, open deals, source, connection strength, overdue follow-ups).
//! The model only writes the explanation.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::cache::{self, Question};
use super::dto::{LeadScore, ScoreFactor};
use super::insights::{self, Context};
use super::phrases::{Phrases, Say, capitalized};
use super::provider::{ChatRequest, Message};
use crate::contacts::dto::{ContactSource, Lifecycle};
use crate::db::WorkspaceId;
use crate::error::AppResult;
use crate::interactions::dto::{Direction, Outcome};
use crate::state::AppState;

pub const PROMPT_VERSION: &str = "lead-score-explanation-2";

fn factor(t: Phrases, name: &str, label: Say, points: i32, detail: String) -> ScoreFactor {
    ScoreFactor {
        name: name.into(),
        label: t.say(label, &[]),
        points,
        detail,
    }
}

/// The factors of a score, as of `now`, their labels and details in the language of `t`.
pub fn factors(c: &Context, now: DateTime<Utc>, t: Phrases) -> Vec<ScoreFactor> {
    let p = &c.contact;
    let mut out = Vec::new();
    let stage_points = match p.lifecycle {
        Lifecycle::Client => 30,
        Lifecycle::Prospect => 20,
        Lifecycle::Lead => 10,
        Lifecycle::Inactive => 0,
    };
    out.push(factor(
        t,
        "lifecycle",
        Say::LabelStage,
        stage_points,
        capitalized(t.lifecycle(p.lifecycle)),
    ));
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
            let detail = if days < 1 {
                t.say(Say::LastTouchpointToday, &[])
            } else {
                let ago = t.count(days as usize, Say::DayOne, Say::DayMany);
                t.say(Say::LastTouchpointAgo, &[("days", &ago)])
            };
            out.push(factor(t, "recent_contact", Say::LabelRecentContact, points, detail));
        }
        None => out.push(factor(
            t,
            "recent_contact",
            Say::LabelRecentContact,
            0,
            t.say(Say::NoTouchpointDetail, &[]),
        )),
    }
    out.push(factor(
        t,
        "engagement",
        Say::LabelEngagement,
        (recent.len() as i32 * 3).min(15),
        t.say(
            Say::TouchpointsIn90,
            &[(
                "touchpoints",
                &t.count(recent.len(), Say::TouchpointOne, Say::TouchpointMany),
            )],
        ),
    ));
    let judged: Vec<_> = recent.iter().filter(|i| i.outcome.is_some()).collect();
    if !judged.is_empty() {
        let positive = judged.iter().filter(|i| i.outcome == Some(Outcome::Positive)).count();
        let silent = judged.iter().filter(|i| i.outcome == Some(Outcome::NoResponse)).count();
        let points = ((positive as f64 / judged.len() as f64) * 10.0).round() as i32 - (silent as i32 * 3).min(9);
        out.push(factor(
            t,
            "outcomes",
            Say::LabelOutcomes,
            points,
            t.say(
                Say::OutcomesDetail,
                &[("positive", &positive), ("silent", &silent), ("judged", &judged.len())],
            ),
        ));
    }
    if recent.iter().any(|i| i.direction == Some(Direction::Inbound)) {
        out.push(factor(
            t,
            "inbound_interest",
            Say::LabelReachesOut,
            5,
            t.say(Say::ReachesOutDetail, &[]),
        ));
    }
    let open: Vec<_> = c.deals.iter().filter(|d| d.status.as_str() == "open").collect();
    if let Some(best) = open.iter().max_by_key(|d| d.probability) {
        let points = if best.probability >= 50 { 15 } else { 10 };
        out.push(factor(
            t,
            "open_deal",
            Say::LabelOpenDeal,
            points,
            t.say(
                Say::OpenDealDetail,
                &[
                    ("title", &best.title),
                    ("stage", &best.stage_name),
                    ("probability", &t.percent(best.probability)),
                ],
            ),
        ));
    }
    if let Some(source) = p.source {
        let points = match source {
            ContactSource::Referral => 10,
            ContactSource::Partner => 8,
            ContactSource::InboundEmail | ContactSource::Website | ContactSource::Event => 5,
            ContactSource::Linkedin | ContactSource::SocialMedia => 3,
            _ => 0,
        };
        out.push(factor(
            t,
            "source",
            Say::LabelSource,
            points,
            t.say(Say::CameThroughDetail, &[("source", &t.source(source))]),
        ));
    }
    if let Some(strength) = p.connection_strength {
        out.push(factor(
            t,
            "connection",
            Say::LabelConnection,
            (i32::from(strength) - 1) * 2,
            t.say(Say::StrengthDetail, &[("n", &strength)]),
        ));
    }
    if let Some(next) = p.next_follow_up_at.filter(|n| (now - *n).num_days() > 2) {
        let late = t.count((now - next).num_days() as usize, Say::DayOne, Say::DayMany);
        out.push(factor(
            t,
            "overdue_follow_up",
            Say::LabelOverdue,
            -10,
            t.say(Say::DaysLate, &[("days", &late)]),
        ));
    }
    out
}

pub fn total(factors: &[ScoreFactor]) -> i32 {
    factors.iter().map(|f| f.points).sum::<i32>().clamp(0, 100)
}

/// The built-in explanation, in the language of `t`: the strongest reasons for and against, in a
/// sentence each.
pub fn local(name: &str, score: i32, factors: &[ScoreFactor], t: Phrases) -> String {
    let mut up: Vec<&ScoreFactor> = factors.iter().filter(|f| f.points > 0).collect();
    up.sort_by(|a, b| b.points.cmp(&a.points).then(a.name.cmp(&b.name)));
    let down: Vec<&ScoreFactor> = factors.iter().filter(|f| f.points < 0).collect();
    let band = t.say(
        match score {
            70.. => Say::BandStrong,
            45..=69 => Say::BandPromising,
            20..=44 => Say::BandLukewarm,
            _ => Say::BandCold,
        },
        &[],
    );
    let reasons = |list: &[&ScoreFactor]| {
        list.iter()
            .map(|f| format!("{} ({})", f.label.to_lowercase(), f.detail.to_lowercase()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = t.say(Say::ScoreIntro, &[("name", &name), ("score", &score), ("band", &band)]);
    if !up.is_empty() {
        text.push_str(&t.say(Say::MostlyThanksTo, &[("list", &reasons(&up[..up.len().min(3)]))]));
    }
    if !down.is_empty() {
        text.push_str(&t.say(Say::HeldBackBy, &[("list", &reasons(&down))]));
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
    let t = Phrases::current();
    let factors = factors(&context, context.now, t);
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
        || local(&name, score, &factors, t),
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
