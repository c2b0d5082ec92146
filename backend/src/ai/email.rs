//! Email drafts for a contact: a scenario, a tone, optionally a template and instructions →
//! a subject and a body to edit, copy or send from the mail app.

use std::fmt::Write;

use uuid::Uuid;

use super::cache::{self, Question};
use super::dto::{EmailDraft, EmailDraftRequest, EmailDraftResponse, Tone};
use super::insights::{self, Context};
use super::phrases::{KindForm, Phrases, Say};
use super::provider::{ChatRequest, Message};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::dto::Scenario;

pub const PROMPT_VERSION: &str = "email-draft-2";

pub fn parse(text: &str) -> Result<EmailDraft, String> {
    let draft: EmailDraft = super::cache::json_answer(text)?;
    if draft.subject.trim().is_empty() || draft.body.trim().is_empty() {
        return Err("the subject or the body is empty".into());
    }
    Ok(draft)
}

fn greeting(t: Phrases, tone: Tone, first: &str) -> String {
    let key = match tone {
        Tone::Formal => Say::GreetFormal,
        Tone::Concise => Say::GreetConcise,
        Tone::Friendly => Say::GreetFriendly,
        Tone::Enthusiastic => Say::GreetEnthusiastic,
    };
    t.say(key, &[("first", &first)])
}

fn sign_off(t: Phrases, tone: Tone) -> String {
    let key = match tone {
        Tone::Formal => Say::SignOffFormal,
        Tone::Concise => Say::SignOffConcise,
        Tone::Friendly => Say::SignOffFriendly,
        Tone::Enthusiastic => Say::SignOffEnthusiastic,
    };
    t.say(key, &[])
}

/// The built-in draft, in the language of `t`: the template (already filled) or a scenario text
/// using the facts; a template whose subject or body fills in blank keeps the scenario's for that
/// part.
pub fn local(c: &Context, input: &EmailDraftRequest, template: Option<&EmailDraft>, t: Phrases) -> EmailDraft {
    let scenario = from_scenario(c, input, t);
    let Some(template) = template else {
        return scenario;
    };
    let subject = if template.subject.trim().is_empty() {
        scenario.subject
    } else {
        template.subject.clone()
    };
    if template.body.trim().is_empty() {
        return EmailDraft {
            subject,
            body: scenario.body,
        };
    }
    let mut body = template.body.clone();
    if let Some(extra) = input.instructions.as_deref().filter(|s| !s.trim().is_empty()) {
        body.push_str("\n\n");
        body.push_str(&t.say(Say::PostScript, &[("text", &extra.trim())]));
    }
    EmailDraft { subject, body }
}

/// The scenario's text, using the facts.
fn from_scenario(c: &Context, input: &EmailDraftRequest, t: Phrases) -> EmailDraft {
    let first = c.contact.first_name.as_str();
    let company = c.contact.company.as_ref().map(|co| co.name.as_str());
    let last_topic = c
        .interactions
        .first()
        .and_then(|i| i.subject.clone())
        .map(|s| s.to_lowercase());
    let deal = c.deals.iter().find(|d| d.status.as_str() == "open");
    let about = last_topic
        .clone()
        .or_else(|| deal.map(|d| d.title.to_lowercase()))
        .unwrap_or_else(|| t.say(Say::WhatWeDiscussed, &[]));
    let fragment =
        |key: Say, name: &str, value: Option<&str>| value.map(|v| t.say(key, &[(name, &v)])).unwrap_or_default();
    let say = |key: Say, args: &[(&str, &dyn std::fmt::Display)]| t.say(key, args);
    let (subject, core): (String, String) = match input.scenario {
        Scenario::FollowUp => (
            say(Say::FollowUpSubject, &[("about", &about)]),
            say(
                Say::FollowUpBody,
                &[
                    ("about", &about),
                    ("for_company", &fragment(Say::ForCompany, "company", company)),
                ],
            ),
        ),
        Scenario::Intro => (
            say(
                Say::IntroSubject,
                &[("helping", &fragment(Say::HelpingCompany, "company", company))],
            ),
            say(Say::IntroBody, &[]),
        ),
        Scenario::MeetingRequest => (
            say(Say::MeetingSubject, &[("about", &about)]),
            say(Say::MeetingBody, &[("about", &about)]),
        ),
        Scenario::Proposal => match deal {
            Some(d) => (
                say(Say::ProposalSubject, &[("title", &d.title)]),
                say(Say::ProposalBody, &[("title", &d.title.to_lowercase())]),
            ),
            None => (say(Say::ProposalSubjectPlain, &[]), say(Say::ProposalBodyPlain, &[])),
        },
        Scenario::ThankYou => (
            say(Say::ThankYouSubject, &[("first", &first)]),
            say(
                if c.interactions.is_empty() {
                    Say::ThankYouBody
                } else {
                    Say::ThankYouBodyRecent
                },
                &[("about", &about)],
            ),
        ),
        Scenario::ReEngage => {
            let topic = c.interactions.first().map(|i| {
                i.subject
                    .clone()
                    .unwrap_or_else(|| t.kind(i.kind, KindForm::Name).to_owned())
                    .to_lowercase()
            });
            (
                say(Say::ReEngageSubject, &[("first", &first)]),
                say(
                    Say::ReEngageBody,
                    &[
                        ("about_last", &fragment(Say::AboutLast, "topic", topic.as_deref())),
                        ("at_company", &fragment(Say::AtCompany, "company", company)),
                    ],
                ),
            )
        }
        Scenario::CheckIn => (say(Say::CheckInSubject, &[]), say(Say::CheckInBody, &[])),
        Scenario::Other => (
            say(Say::OtherSubject, &[("about", &about)]),
            say(Say::OtherBody, &[("about", &about)]),
        ),
    };
    let core = match input.tone {
        Tone::Concise => core
            .split(". ")
            .next()
            .map(|s| format!("{}.", s.trim_end_matches('.')))
            .unwrap_or(core),
        Tone::Enthusiastic => t.exclaim(&core),
        _ => core,
    };
    let mut body = format!("{}\n\n{core}", greeting(t, input.tone, first));
    if let Some(extra) = input.instructions.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = write!(body, "\n\n{}", extra.trim());
    }
    let _ = write!(body, "\n\n{}", sign_off(t, input.tone));
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
    let t = Phrases::current();
    let (draft, answer) = cache::ask_json(
        state,
        workspace,
        question,
        || local(&context, &input, template.as_ref(), t),
        parse,
    )
    .await?;
    Ok(EmailDraftResponse {
        draft,
        source: answer.source(),
    })
}
