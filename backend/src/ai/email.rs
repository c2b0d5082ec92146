//! Email drafts for a contact: a scenario, a tone, optionally a template and instructions →
//! a subject and a body to edit, copy or send from the mail app.

use std::fmt::Write;

use uuid::Uuid;

use super::cache::{self, Question};
use super::dto::{EmailDraft, EmailDraftRequest, EmailDraftResponse, Tone};
use super::insights::{self, Context};
use super::provider::{ChatRequest, Message};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::dto::Scenario;

pub const PROMPT_VERSION: &str = "email-draft-1";

pub fn parse(text: &str) -> Result<EmailDraft, String> {
    let draft: EmailDraft = super::cache::json_answer(text)?;
    if draft.subject.trim().is_empty() || draft.body.trim().is_empty() {
        return Err("the subject or the body is empty".into());
    }
    Ok(draft)
}

fn greeting(tone: Tone, first: &str) -> String {
    match tone {
        Tone::Formal => format!("Dear {first},"),
        Tone::Concise => format!("Hi {first},"),
        Tone::Friendly => format!("Hi {first},"),
        Tone::Enthusiastic => format!("Hi {first}!"),
    }
}

fn sign_off(tone: Tone) -> &'static str {
    match tone {
        Tone::Formal => "Kind regards,",
        Tone::Concise => "Best,",
        Tone::Friendly => "Best wishes,",
        Tone::Enthusiastic => "Looking forward to it,",
    }
}

/// The built-in draft: the template (already filled) or a scenario text using the facts; a
/// template whose subject or body fills in blank keeps the scenario's for that part.
pub fn local(c: &Context, input: &EmailDraftRequest, template: Option<&EmailDraft>) -> EmailDraft {
    let scenario = from_scenario(c, input);
    let Some(t) = template else {
        return scenario;
    };
    let subject = if t.subject.trim().is_empty() {
        scenario.subject
    } else {
        t.subject.clone()
    };
    if t.body.trim().is_empty() {
        return EmailDraft {
            subject,
            body: scenario.body,
        };
    }
    let mut body = t.body.clone();
    if let Some(extra) = input.instructions.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = write!(body, "\n\nP.S. {}", extra.trim());
    }
    EmailDraft { subject, body }
}

/// The scenario's text, using the facts.
fn from_scenario(c: &Context, input: &EmailDraftRequest) -> EmailDraft {
    let first = c.contact.first_name.as_str();
    let company = c.contact.company.as_ref().map(|co| co.name.clone());
    let last_topic = c
        .interactions
        .first()
        .and_then(|i| i.subject.clone())
        .map(|s| s.to_lowercase());
    let deal = c.deals.iter().find(|d| d.status.as_str() == "open");
    let about = last_topic
        .clone()
        .or_else(|| deal.map(|d| d.title.to_lowercase()))
        .unwrap_or_else(|| "what we discussed".into());
    let (subject, core): (String, String) = match input.scenario {
        Scenario::FollowUp => (
            format!("Following up on {about}"),
            format!("I wanted to follow up on {about}. Is this still a priority{}? I would be glad to help with the next step.",
                company.as_ref().map(|c| format!(" for {c}")).unwrap_or_default()),
        ),
        Scenario::Intro => (
            format!("Introduction{}", company.as_ref().map(|c| format!(": helping {c}")).unwrap_or_default()),
            "I help teams like yours with projects of this kind, from the first workshop to delivery. Would a 20-minute call next week be useful?".into(),
        ),
        Scenario::MeetingRequest => (
            format!("Time to talk about {about}?"),
            format!("Could we find 30 minutes this week or next to talk about {about}? Tell me what suits you and I will send an invitation."),
        ),
        Scenario::Proposal => (
            deal.map(|d| format!("Proposal: {}", d.title)).unwrap_or_else(|| "My proposal".into()),
            deal.map(|d| format!("As promised, here is my proposal for {}. It sets out the scope, the timeline and the investment. I am happy to walk you through it.", d.title.to_lowercase()))
                .unwrap_or_else(|| "As promised, here is my proposal. It sets out the scope, the timeline and the investment. I am happy to walk you through it.".into()),
        ),
        Scenario::ThankYou => (
            format!("Thank you, {first}"),
            format!("Thank you for your time{}. It was good to talk about {about}; I will send the next steps shortly.",
                c.interactions.first().map(|_| " the other day").unwrap_or_default()),
        ),
        Scenario::ReEngage => (
            format!("It has been a while, {first}"),
            format!("It has been a while since we last spoke{}. How are things{}? I would love to hear what you are working on.",
                c.interactions.first().map(|i| format!(" (about {})", i.subject.clone().unwrap_or_else(|| i.kind.to_string()).to_lowercase())).unwrap_or_default(),
                company.as_ref().map(|c| format!(" at {c}")).unwrap_or_default()),
        ),
        Scenario::CheckIn => (
            "Checking in".into(),
            "Just checking in to see how everything is going. Is there anything I can help with this month?".into(),
        ),
        Scenario::Other => (
            format!("About {about}"),
            format!("I am writing about {about}."),
        ),
    };
    let core = match input.tone {
        Tone::Concise => core
            .split(". ")
            .next()
            .map(|s| format!("{}.", s.trim_end_matches('.')))
            .unwrap_or(core),
        Tone::Enthusiastic => core.replacen('.', "!", 1),
        _ => core,
    };
    let mut body = format!("{}\n\n{core}", greeting(input.tone, first));
    if let Some(extra) = input.instructions.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = write!(body, "\n\n{}", extra.trim());
    }
    let _ = write!(body, "\n\n{}", sign_off(input.tone));
    EmailDraft { subject, body }
}

fn request(c: &Context, input: &EmailDraftRequest, template: Option<&EmailDraft>) -> ChatRequest {
    let mut user = insights::describe(c);
    let _ = write!(
        user,
        "\nWrite an email. Scenario: {}. Tone: {}.",
        input.scenario.as_str().replace('_', " "),
        input.tone
    );
    if let Some(t) = template {
        let _ = write!(
            user,
            "\nStart from this template (keep its intent):\nSubject: {}\n{}",
            t.subject, t.body
        );
    }
    if let Some(extra) = input.instructions.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = write!(user, "\nAlso: {}", extra.trim());
    }
    ChatRequest {
        messages: vec![
            Message::system(
                "You write short, personal business emails for a freelancer or consultant. \
                 Answer with one JSON object: {\"subject\": string, \"body\": string}. \
                 The body starts with a greeting using the contact's first name, has no placeholders, \
                 and ends with a sign-off without a name.",
            ),
            Message::user(user),
        ],
        temperature: 0.4,
        max_tokens: 600,
        json: true,
    }
}

pub async fn draft(
    state: &AppState,
    workspace: WorkspaceId,
    contact: Uuid,
    input: EmailDraftRequest,
    refresh: bool,
) -> AppResult<EmailDraftResponse> {
    let context = insights::load(state, workspace, contact, false).await?;
    let template = match input.template_id {
        Some(id) => {
            let mut conn = state.conn().await?;
            let rendered = crate::templates::service::render(&mut conn, workspace, id, contact)
                .await
                .map_err(|e| match e.code() {
                    "not_found" => AppError::invalid_field("template_id", "no template has this id"),
                    _ => e,
                })?;
            Some(EmailDraft {
                subject: rendered.subject,
                body: rendered.body,
            })
        }
        None => None,
    };
    let request = request(&context, &input, template.as_ref());
    let question = Question {
        feature: "email_draft",
        prompt_version: PROMPT_VERSION,
        request: &request,
        refresh,
        contact: Some(contact),
    };
    let (draft, answer) = cache::ask_json(
        state,
        workspace,
        question,
        || local(&context, &input, template.as_ref()),
        parse,
    )
    .await?;
    Ok(EmailDraftResponse {
        draft,
        source: answer.source(),
    })
}
