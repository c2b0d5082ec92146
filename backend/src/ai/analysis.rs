//! Interaction analysis: a summary, sentiment (saved on the interaction), action items and a
//! suggested follow-up date, from what was written down about a touchpoint.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use uuid::Uuid;
use validator::Validate;

use super::cache::{self, Question};
use super::dto::{AnalysisResponse, InteractionAnalysis};
use super::phrases::{KindForm, Phrases, Say, capitalized};
use super::provider::{ChatRequest, Message};
use crate::db::WorkspaceId;
use crate::error::AppResult;
use crate::interactions::dto::{Interaction, Sentiment, SentimentLabel, UpdateInteraction};
use crate::state::AppState;

pub const PROMPT_VERSION: &str = "interaction-analysis-2";

// Notes are written in the user's language: the word lists hold English, Spanish and French.
#[rustfmt::skip]
const POSITIVE: &[&str] = &[
    "great", "good", "happy", "glad", "love", "excited", "interested", "agreed", "agree", "yes",
    "thanks", "thank", "perfect", "keen", "impressed", "approved", "signed", "accepted", "liked",
    "positive", "helpful", "works",
    "genial", "bien", "contento", "contenta", "encantado", "encantada", "interesado", "interesada",
    "acuerdo", "sí", "gracias", "perfecto", "aprobado", "aprobada", "firmado", "firmada", "aceptado",
    "aceptada", "positivo", "útil", "funciona",
    "super", "contente", "ravi", "ravie", "intéressé", "intéressée", "accord", "oui",
    "merci", "parfait", "approuvé", "signé", "accepté", "positif", "utile", "fonctionne",
];
#[rustfmt::skip]
const NEGATIVE: &[&str] = &[
    "not", "no", "unhappy", "disappointed", "expensive", "budget", "cancel", "cancelled", "delay",
    "delayed", "problem", "issue", "concern", "worried", "declined", "reject", "rejected",
    "frustrated", "late", "pause", "paused", "cut",
    "descontento", "decepcionado", "decepcionada", "caro", "presupuesto", "cancelar", "cancelado",
    "retraso", "problema", "preocupa", "preocupado", "rechazado", "rechaza", "tarde", "pausa",
    "ne", "pas", "non", "déçu", "déçue", "cher", "annuler", "annulé", "retard", "problème",
    "inquiet", "inquiète", "refusé", "refuse", "frustré", "suspendu",
];
#[rustfmt::skip]
const ACTION_MARKERS: &[&str] = &[
    "will ", "send", "follow up", "follow-up", "next step", "need to", "needs to", "please", "todo",
    "to do", "by monday", "by tuesday", "by wednesday", "by thursday", "by friday", "deadline",
    "schedule", "prepare", "share",
    "enviar", "enviaré", "mandar", "seguimiento", "siguiente paso", "hay que", "tengo que",
    "por favor", "pendiente", "antes del", "plazo", "preparar", "compartir", "agendar",
    "envoyer", "enverrai", "relancer", "prochaine étape", "il faut", "je dois", "merci de",
    "à faire", "avant le", "échéance", "préparer", "partager", "planifier",
];
/// The days a note may name, in English, Spanish and French.
#[rustfmt::skip]
const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon), ("tuesday", Weekday::Tue), ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu), ("friday", Weekday::Fri),
    ("lunes", Weekday::Mon), ("martes", Weekday::Tue), ("miércoles", Weekday::Wed),
    ("jueves", Weekday::Thu), ("viernes", Weekday::Fri),
    ("lundi", Weekday::Mon), ("mardi", Weekday::Tue), ("mercredi", Weekday::Wed),
    ("jeudi", Weekday::Thu), ("vendredi", Weekday::Fri),
];
const TOMORROW: &[&str] = &["tomorrow", "demain"];
const NEXT_WEEK: &[&str] = &["next week", "semana que viene", "próxima semana", "semaine prochaine"];
const NEXT_MONTH: &[&str] = &["next month", "mes que viene", "próximo mes", "mois prochain"];

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

/// «mañana» is tomorrow, except in «esta mañana» or «por la mañana» (the morning).
fn spanish_tomorrow(lower: &str) -> bool {
    lower.contains("mañana") && !lower.contains("la mañana") && !lower.contains("esta mañana")
}

fn next_weekday(from: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (7 + day.num_days_from_monday() as i64 - from.weekday().num_days_from_monday() as i64) % 7;
    from + Duration::days(if ahead == 0 { 7 } else { ahead })
}

/// The built-in analysis: a word list for sentiment (the logged outcome counts double), sentences
/// with commitments as action items, and a date from the text ("Friday", "next week", "tomorrow")
/// or one set by the sentiment. Everything is relative to when the interaction happened, so the
/// answer does not change from day to day. The summary is written in the language of `t`.
pub fn local(i: &Interaction, t: Phrases) -> InteractionAnalysis {
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
    let date = t.date(i.occurred_at.date_naive());
    let summary = match all.first() {
        Some(first) => {
            let mut said = first.clone();
            if all.len() > 1 {
                said.push_str(". ");
                said.push_str(&all[1]);
            }
            t.say(
                Say::AnalysisSummary,
                &[
                    ("kind", &capitalized(t.kind(i.kind, KindForm::Name))),
                    ("date", &date),
                    ("text", &said),
                ],
            )
        }
        None => capitalized(&t.say(
            Say::AnalysisEmpty,
            &[("kind", &t.kind(i.kind, KindForm::WithArticle)), ("date", &date)],
        )),
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
    let mentioned = WEEKDAYS
        .iter()
        .find(|(name, _)| words.contains(name))
        .map(|(_, d)| next_weekday(day, *d));
    let said = |phrases: &[&str]| phrases.iter().any(|p| lower.contains(p));
    let suggested_follow_up = mentioned
        .or_else(|| {
            (TOMORROW.iter().any(|w| words.contains(w)) || spanish_tomorrow(&lower)).then(|| day + Duration::days(1))
        })
        .or_else(|| said(NEXT_WEEK).then(|| next_weekday(day, Weekday::Mon)))
        .or_else(|| said(NEXT_MONTH).then(|| day + Duration::days(30)))
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
    let t = Phrases::current();
    let (analysis, answer) = cache::ask_json(state, workspace, question, || local(&interaction, t), parse).await?;
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
