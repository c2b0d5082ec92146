//! Proposal drafts for a deal: title, introduction, lines from the chosen products (or the
//! deal's value) and terms, written from the deal and the contact's history. Nothing is saved:
//! the draft goes to the normal proposal endpoint once reviewed.

use std::fmt::Write;

use uuid::Uuid;

use super::cache::{self, Question};
use super::dto::{DraftLine, ProposalDraft, ProposalDraftRequest, ProposalDraftResponse};
use super::insights;
use super::phrases::{Phrases, Say};
use super::provider::{ChatRequest, Message};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};
use crate::money;
use crate::products::store::ProductRow;
use crate::state::AppState;

pub const PROMPT_VERSION: &str = "proposal-draft-2";

pub fn parse(text: &str, products: &[ProductRow]) -> Result<ProposalDraft, String> {
    let draft: ProposalDraft = super::cache::json_answer(text)?;
    if draft.title.trim().is_empty() || draft.lines.is_empty() {
        return Err("the draft has no title or no lines".into());
    }
    for line in &draft.lines {
        if !(line.quantity > 0.0 && line.quantity <= 1_000_000.0) || line.unit_price_minor < 0 {
            return Err(format!(
                "the line '{}' has an impossible quantity or price",
                line.description
            ));
        }
        if let Some(id) = line.product_id
            && !products.iter().any(|p| p.id == id)
        {
            return Err(format!(
                "the line '{}' names a product that was not offered",
                line.description
            ));
        }
    }
    Ok(draft)
}

pub async fn draft(
    state: &AppState,
    workspace: WorkspaceId,
    deal_id: Uuid,
    input: ProposalDraftRequest,
    refresh: bool,
) -> AppResult<ProposalDraftResponse> {
    let (deal, products) = {
        let mut conn = state.conn().await?;
        let deal = crate::deals::service::get(&mut conn, workspace, deal_id, false).await?;
        let products = crate::products::service::find_many(&mut conn, workspace, &input.product_ids).await?;
        (deal, products)
    };
    if let Some(missing) = input
        .product_ids
        .iter()
        .find(|id| !products.iter().any(|p| p.id == **id))
    {
        return Err(AppError::invalid_field(
            "product_ids",
            format!("no product has the id {missing}"),
        ));
    }
    let context = match deal.contact_id {
        Some(contact) => Some(insights::load(state, workspace, contact, true).await?),
        None => None,
    };
    let first_name = context.as_ref().map(|c| c.contact.first_name.clone());
    let mut facts = context.as_ref().map(insights::describe).unwrap_or_default();
    let _ = write!(
        facts,
        "\nDeal: {} ({}, {} in {}, value {}{})",
        deal.title,
        deal.pipeline_name,
        deal.status,
        deal.stage_name,
        money::format(deal.total_value_minor, &deal.currency),
        deal.recurring_months
            .map(|m| format!(", a retainer of {m} months"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        facts,
        "\nProducts to include (price in minor units of {}):",
        deal.currency
    );
    for p in &products {
        let _ = writeln!(
            facts,
            "- id {}: {} — {} {}{}",
            p.id,
            p.name,
            p.price_minor,
            p.currency,
            p.description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
        );
    }
    if let Some(extra) = input.instructions.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = write!(facts, "\nAlso: {}", extra.trim());
    }
    let request = ChatRequest {
        messages: vec![
            Message::system(
                "You draft a proposal for a freelancer or consultant. Answer with one JSON object: \
                 {\"title\": string, \"introduction\": string (a short personal paragraph), \"terms\": string, \
                 \"lines\": [{\"product_id\": id of an offered product or null, \"description\": string, \
                 \"quantity\": number, \"unit_price_minor\": integer}]}. Use the offered products with their prices; \
                 without products, one line for the deal's value.",
            ),
            Message::user(facts),
        ],
        temperature: 0.3,
        max_tokens: 900,
        json: true,
    };
    // The built-in draft, in the request's language.
    let t = Phrases::current();
    let local = || {
        let mut lines: Vec<DraftLine> = products
            .iter()
            .filter(|p| p.currency == deal.currency)
            .map(|p| DraftLine {
                product_id: Some(p.id),
                description: p.name.clone(),
                quantity: 1.0,
                unit_price_minor: p.price_minor,
            })
            .collect();
        if lines.is_empty() {
            lines.push(DraftLine {
                product_id: None,
                description: match deal.recurring_months {
                    Some(_) => t.say(Say::ProposalPerMonth, &[("title", &deal.title)]),
                    None => deal.title.clone(),
                },
                quantity: f64::from(deal.recurring_months.unwrap_or(1)),
                unit_price_minor: deal.value_minor,
            });
        }
        let mut introduction = match &first_name {
            Some(first) => t.say(Say::ProposalGreeting, &[("first", first)]),
            None => t.say(Say::ProposalThanks, &[]),
        };
        let title = deal.title.to_lowercase();
        let topic = context
            .as_ref()
            .and_then(|c| c.interactions.first())
            .and_then(|i| i.subject.as_deref())
            .map(str::to_lowercase);
        introduction.push_str(&match topic {
            Some(topic) => t.say(Say::ProposalIntroTopic, &[("topic", &topic), ("title", &title)]),
            None => t.say(Say::ProposalIntro, &[("title", &title)]),
        });
        if let Some(extra) = input.instructions.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = write!(introduction, " {}", extra.trim());
        }
        ProposalDraft {
            title: t.say(Say::ProposalTitle, &[("title", &deal.title)]),
            introduction,
            terms: t.say(Say::ProposalTerms, &[]),
            lines,
        }
    };
    let question = Question {
        feature: "proposal_draft",
        prompt_version: PROMPT_VERSION,
        request: &request,
        refresh,
        contact: deal.contact_id,
    };
    let (draft, answer) = cache::ask_json(state, workspace, question, local, |text| parse(text, &products)).await?;
    Ok(ProposalDraftResponse {
        deal_id: deal.id,
        currency: deal.currency,
        draft,
        source: answer.source(),
    })
}
