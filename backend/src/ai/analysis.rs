//! Interaction analysis: a summary, sentiment (saved on the interaction), action items and a
//! suggested follow-up date, from what was written down about a touchpoint.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use uuid::Uuid;
use validator::Validate;

use super::cache::{self, Question};
use super::dto::{AnalysisResponse, InteractionAnalysis};
use super::provider::{ChatRequest, Message};
use crate::db::WorkspaceId;
use crate::error::AppResult;
use crate::interactions::dto::{Interaction, Sentiment, SentimentLabel, UpdateInteraction};
use crate::state::AppState;

pub const PROMPT_VERSION: &str = "interaction-analysis-1";

const POSITIVE: &[&str] = &[
    "great",
    "good",
    "happy",
    "glad",
    "love",
    "excited",
    "interested",
    "agreed",
    "agree",
    "yes",
    "thanks",
    "thank",
    "perfect",
    "keen",
    "impressed",
    "approved",
    "signed",
    "accepted",
    "liked",
    "positive",
    "helpful",
    "works",
];
const NEGATIVE: &[&str] = &[
    "not",
    "no",
    "unhappy",
    "disappointed",
    "expensive",
    "budget",
    "cancel",
    "cancelled",
    "delay",
    "delayed",
    "problem",
    "issue",
    "concern",
    "worried",
    "declined",
    "reject",
    "rejected",
    "frustrated",
    "late",
    "pause",
    "paused",
    "cut",
];
const ACTION_MARKERS: &[&str] = &[
    "will ",
    "send",
    "follow up",
    "follow-up",
    "next step",
    "need to",
    "needs to",
    "please",
    "todo",
    "to do",
    "by monday",
    "by tuesday",
    "by wednesday",
    "by thursday",
    "by friday",
    "deadline",
    "schedule",
    "prepare",
    "share",
];

pub fn parse(text: &str) -> Result<InteractionAnalysis, String> {
    let analysis: InteractionAnalysis = super::cache::json_answer(text)?;
    analysis
        .sentiment
        .validate()
        .map_err(|_| "the sentiment score is outside -1..1".to_owned())?;
    if analysis.summary.trim().is_empty() {
        return Err("the summary is empty".into());
    }
    Ok(analysis)
}

fn text_of(i: &Interaction) -> String {
    [i.subject.as_deref(), i.body.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(". ")
}

fn sentences(text: &str) -> Vec<String> {
    text.split(['.', '!', '?', '\n'])
        .map(str::trim)
        .filter(|s| s.len() > 2)
        .map(str::to_owned)
        .collect()
}

fn next_weekday(from: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (7 + day.num_days_from_monday() as i64 - from.weekday().num_days_from_monday() as i64) % 7;
    from + Duration::days(if ahead == 0 { 7 } else { ahead })
}

/// The built-in analysis: a word list for sentiment (the logged outcome counts double), sentences
/// with commitments as action items, and a date from the text ("Friday", "next week", "tomorrow")
/// or one set by the sentiment. Everything is relative to when the interaction happened, so the
/// answer does not change from day to day.
pub fn local(i: &Interaction) -> InteractionAnalysis {
    let text = text_of(i);
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let pos = words.iter().filter(|w| POSITIVE.contains(w)).count() as f64;
    let neg = words.iter().filter(|w| NEGATIVE.contains(w)).count() as f64;
    let outcome = i.outcome.map(|o| o.to_string());
    let (pos, neg) = match outcome.as_deref() {
        Some("positive") => (pos + 2.0, neg),
        Some("negative") => (pos, neg + 2.0),
        Some("no_response") => (pos, neg + 1.0),
        _ => (pos, neg),
    };
    let score = if pos + neg == 0.0 {
        0.0
    } else {
        ((pos - neg) / (pos + neg)).clamp(-1.0, 1.0)
    };
    let score = (score * 100.0).round() / 100.0;
    let label = if score > 0.2 {
        SentimentLabel::Positive
    } else if score < -0.2 {
        SentimentLabel::Negative
    } else {
        SentimentLabel::Neutral
    };
    let all = sentences(&text);
    let summary = match all.first() {
        Some(first) => {
            let mut s = format!(
                "{} ({}): {first}",
                i.kind.to_string().replace('_', " "),
                i.occurred_at.format("%-d %b %Y")
            );
            if all.len() > 1 {
                s.push_str(&format!(". {}", all[1]));
            }
            s.push('.');
            s
        }
        None => format!(
            "A {} on {} with nothing written down.",
            i.kind,
            i.occurred_at.format("%-d %b %Y")
        ),
    };
    let action_items: Vec<String> = all
        .iter()
        .filter(|s| {
            let l = s.to_lowercase();
            ACTION_MARKERS.iter().any(|m| l.contains(m))
        })
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .take(5)
        .collect();
    let day = i.occurred_at.date_naive();
    let weekdays = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
    ];
    let mentioned = weekdays
        .iter()
        .find(|(name, _)| words.contains(name))
        .map(|(_, d)| next_weekday(day, *d));
    let suggested_follow_up = mentioned
        .or_else(|| words.contains(&"tomorrow").then(|| day + Duration::days(1)))
        .or_else(|| lower.contains("next week").then(|| next_weekday(day, Weekday::Mon)))
        .or_else(|| lower.contains("next month").then(|| day + Duration::days(30)))
        .or(Some(
            day + Duration::days(match label {
                SentimentLabel::Positive => 3,
                SentimentLabel::Neutral => 7,
                SentimentLabel::Negative => 14,
            }),
        ));
    InteractionAnalysis {
        summary,
        sentiment: Sentiment { label, score },
        action_items,
        suggested_follow_up,
    }
}

fn request(i: &Interaction, contact_name: &str) -> ChatRequest {
    ChatRequest {
        messages: vec![
            Message::system(
                "You analyse one logged touchpoint of a CRM. Answer with one JSON object: \
                 {\"summary\": string (one or two sentences), \"sentiment\": {\"label\": \"positive\"|\"neutral\"|\"negative\", \
                 \"score\": number from -1 to 1}, \"action_items\": array of strings (commitments and next steps, \
                 empty if none), \"suggested_follow_up\": \"YYYY-MM-DD\" or null}. Dates are relative to when it happened.",
            ),
            Message::user(format!(
                "Contact: {contact_name}\nKind: {}\nDirection: {}\nHappened on: {}\nOutcome: {}\nSubject: {}\nNotes: {}",
                i.kind,
                i.direction.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into()),
                i.occurred_at.format("%Y-%m-%d (%A)"),
                i.outcome.map(|o| o.to_string()).unwrap_or_else(|| "unknown".into()),
                i.subject.as_deref().unwrap_or("-"),
                i.body.as_deref().unwrap_or("-"),
            )),
        ],
        temperature: 0.0,
        max_tokens: 400,
        json: true,
    }
}

pub async fn analyse(state: &AppState, workspace: WorkspaceId, id: Uuid, refresh: bool) -> AppResult<AnalysisResponse> {
    let (interaction, name) = {
        let mut conn = state.conn().await?;
        let i = crate::interactions::service::get(&mut conn, workspace, id).await?;
        let name = crate::contacts::service::require(&mut conn, workspace, i.contact_id, false).await?;
        (i, name)
    };
    let request = request(&interaction, &name);
    let question = Question {
        feature: "interaction_analysis",
        prompt_version: PROMPT_VERSION,
        request: &request,
        refresh,
        contact: Some(interaction.contact_id),
    };
    let (analysis, answer) = cache::ask_json(state, workspace, question, || local(&interaction), parse).await?;
    // The sentiment is kept on the interaction, where timelines and lists show it.
    let mut conn = state.conn().await?;
    let update = UpdateInteraction {
        sentiment: Some(Some(analysis.sentiment.clone())),
        ..Default::default()
    };
    let interaction = crate::interactions::service::update(&mut conn, workspace, id, update, None).await?;
    Ok(AnalysisResponse {
        analysis,
        interaction,
        source: answer.source(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_are_the_next_one_after_the_day() {
        let thu = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap();
        assert_eq!(
            next_weekday(thu, Weekday::Fri),
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
        );
        assert_eq!(
            next_weekday(thu, Weekday::Thu),
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
        );
        assert_eq!(
            next_weekday(thu, Weekday::Mon),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }
}
