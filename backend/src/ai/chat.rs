//! The sales assistant: a conversation about one contact with its full context (record,
//! timeline, deals, reminders). Conversations are stored and can be listed and continued.

use uuid::Uuid;

use super::cache::{self, Question};
use super::dto::{ChatMessage, ChatReply, ChatRequestBody, Conversation, ConversationList, ConversationSummary};
use super::insights::{self, Context};
use super::phrases::{KindForm, Phrases, Say};
use super::provider::{ChatRequest, Message};
use super::store::{self, ConversationRow, MessageRow};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const PROMPT_VERSION: &str = "sales-chat-2";
/// Earlier turns sent along with a question.
const HISTORY: usize = 20;

fn to_message(r: MessageRow) -> ChatMessage {
    ChatMessage {
        id: r.id,
        role: r.role,
        content: r.content,
        created_at: r.created_at,
    }
}

/// What a question is about, by the words it uses (English, Spanish or French).
const ABOUT_DEALS: &[&str] = &[
    "deal",
    "pipeline",
    "worth",
    "value",
    "money",
    "budget",
    "revenue",
    "oportunidad",
    "negocio",
    "valor",
    "dinero",
    "presupuesto",
    "ingreso",
    "affaire",
    "valeur",
    "argent",
    "chiffre",
];
const ABOUT_LAST: &[&str] = &[
    "last",
    "agreed",
    "recent",
    "latest",
    "spoke",
    "talk",
    "último",
    "última",
    "acordamos",
    "reciente",
    "hablamos",
    "dernier",
    "dernière",
    "récent",
    "convenu",
    "parlé",
];
const ABOUT_NEXT: &[&str] = &[
    "next",
    "should",
    "what do",
    "todo",
    "to do",
    "follow",
    "siguiente",
    "próximo",
    "debería",
    "qué hago",
    "seguimiento",
    "prochain",
    "devrais",
    "que faire",
    "relance",
    "suite",
];
const ABOUT_RISKS: &[&str] = &[
    "risk",
    "worry",
    "problem",
    "concern",
    "riesgo",
    "preocupa",
    "problema",
    "risque",
    "inquiét",
    "problème",
];
const ABOUT_REACHING: &[&str] = &[
    "email",
    "phone",
    "contact",
    "reach",
    "call",
    "correo",
    "teléfono",
    "llamar",
    "mail",
    "téléphone",
    "joindre",
    "appeler",
];

/// The built-in assistant: answers the common questions from the facts, in the language of `t`.
pub fn local(c: &Context, question: &str, t: Phrases) -> String {
    let q = question.to_lowercase();
    let p = &c.contact;
    let first = &p.first_name;
    let open: Vec<_> = c.deals.iter().filter(|d| d.status.as_str() == "open").collect();
    let has = |words: &[&str]| words.iter().any(|w| q.contains(w));
    let listed = |head: String, items: &[String]| format!("{head}\n- {}", items.join("\n- "));
    if has(ABOUT_DEALS) {
        if c.deals.is_empty() {
            return t.say(Say::ChatNoDeal, &[("first", first)]);
        }
        let lines: Vec<String> = c
            .deals
            .iter()
            .map(|d| {
                let expected = d
                    .expected_close_date
                    .map(|x| t.say(Say::ChatExpected, &[("date", &t.date(x))]))
                    .unwrap_or_default();
                t.say(
                    Say::ChatDealLine,
                    &[
                        ("title", &d.title),
                        ("status", &t.deal_status(d.status.as_str())),
                        ("stage", &d.stage_name),
                        ("value", &t.money(d.total_value_minor, &d.currency)),
                        ("expected", &expected),
                    ],
                )
            })
            .collect();
        return listed(t.say(Say::ChatDealsWith, &[("first", first)]), &lines);
    }
    if has(ABOUT_LAST) {
        return match c.interactions.first() {
            Some(i) => {
                let subject = i
                    .subject
                    .as_deref()
                    .map(|s| t.say(Say::ChatSubject, &[("subject", &s)]))
                    .unwrap_or_default();
                let body = i
                    .body
                    .as_deref()
                    .map(|b| format!(" — {}", b.chars().take(300).collect::<String>()))
                    .unwrap_or_default();
                t.say(
                    Say::ChatLastTouchpoint,
                    &[
                        ("kind", &t.kind(i.kind, KindForm::WithArticle)),
                        ("date", &t.date(i.occurred_at.date_naive())),
                        ("subject", &subject),
                        ("body", &body),
                    ],
                )
            }
            None => t.say(Say::ChatNothingLogged, &[("first", first)]),
        };
    }
    if has(ABOUT_NEXT) {
        let insights = insights::local(c, t);
        return listed(t.say(Say::ChatNextSteps, &[("first", first)]), &insights.next_steps);
    }
    if has(ABOUT_RISKS) {
        let insights = insights::local(c, t);
        return if insights.risks.is_empty() {
            t.say(Say::ChatNothingWorrying, &[("first", first)])
        } else {
            listed(t.say(Say::ChatThingsToWatch, &[]), &insights.risks)
        };
    }
    if has(ABOUT_REACHING) {
        let mut ways = Vec::new();
        if let Some(e) = p.emails.first() {
            ways.push(t.say(Say::ChatEmailWay, &[("email", e)]));
        }
        if let Some(ph) = p.phones.first() {
            ways.push(t.say(Say::ChatPhoneWay, &[("phone", ph)]));
        }
        return if ways.is_empty() {
            t.say(Say::ChatNoWays, &[("first", first)])
        } else {
            let ways = ways.join(&t.say(Say::ChatOr, &[]));
            t.say(Say::ChatReach, &[("first", first), ("ways", &ways)])
        };
    }
    let insights = insights::local(c, t);
    let mut answer = insights.summary;
    if !open.is_empty() || !insights.next_steps.is_empty() {
        let step = insights.next_steps.first().cloned().unwrap_or_default();
        answer.push_str(&t.say(Say::ChatSuggestedNext, &[("step", &step)]));
    }
    answer.push_str(&t.say(Say::ChatAskMe, &[]));
    answer
}

async fn messages(state: &AppState, workspace: WorkspaceId, conversation: Uuid) -> AppResult<Vec<ChatMessage>> {
    let mut conn = state.conn().await?;
    let rows = store::messages(&mut conn, workspace, conversation).await?;
    Ok(rows.into_iter().map(to_message).collect())
}

async fn conversation_row(state: &AppState, workspace: WorkspaceId, id: Uuid) -> AppResult<ConversationRow> {
    let mut conn = state.conn().await?;
    store::conversation(&mut conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found("the conversation"))
}

pub async fn get(state: &AppState, workspace: WorkspaceId, id: Uuid) -> AppResult<Conversation> {
    let row = conversation_row(state, workspace, id).await?;
    Ok(Conversation {
        messages: messages(state, workspace, id).await?,
        id: row.id,
        contact_id: row.contact_id,
        title: row.title,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub async fn list(
    state: &AppState,
    workspace: WorkspaceId,
    contact: Uuid,
    include_trashed: bool,
) -> AppResult<ConversationList> {
    let mut conn = state.conn().await?;
    crate::contacts::service::require(&mut conn, workspace, contact, !include_trashed).await?;
    let rows = store::conversations_of(&mut conn, workspace, contact).await?;
    Ok(ConversationList {
        items: rows
            .into_iter()
            .map(|r| ConversationSummary {
                id: r.id,
                title: r.title,
                messages: r.messages,
                updated_at: r.updated_at,
            })
            .collect(),
    })
}

async fn save(
    state: &AppState,
    workspace: WorkspaceId,
    conversation: Uuid,
    role: &str,
    content: &str,
    cached: bool,
) -> AppResult<()> {
    let mut conn = state.conn().await?;
    store::add_message(&mut conn, workspace, conversation, role, content, cached).await?;
    Ok(())
}

pub async fn ask(
    state: &AppState,
    workspace: WorkspaceId,
    contact: Uuid,
    input: ChatRequestBody,
) -> AppResult<ChatReply> {
    let context = insights::load(state, workspace, contact, false).await?;
    let question = input.message.trim().to_owned();
    let conversation = match input.conversation_id {
        Some(id) => {
            let row = conversation_row(state, workspace, id)
                .await
                .map_err(|_| AppError::invalid_field("conversation_id", "no conversation has this id"))?;
            if row.contact_id != contact {
                return Err(AppError::invalid_field(
                    "conversation_id",
                    "the conversation is about another contact",
                ));
            }
            id
        }
        None => {
            let id = Uuid::now_v7();
            let title: String = question.chars().take(80).collect();
            let mut conn = state.conn().await?;
            store::insert_conversation(&mut conn, id, workspace, contact, &title).await?;
            id
        }
    };
    let earlier = messages(state, workspace, conversation).await?;
    let mut turns = vec![Message::system(format!(
        "You are the sales assistant inside a CRM. You help the user with one contact; here is everything \
             recorded about them. Answer briefly and concretely from these facts; say when something is not recorded.\n\n{}",
        insights::describe(&context)
    ))];
    for m in earlier.iter().rev().take(HISTORY).rev() {
        turns.push(Message {
            role: m.role.clone(),
            content: m.content.clone(),
        });
    }
    turns.push(Message::user(question.clone()));
    let request = ChatRequest {
        messages: turns,
        temperature: 0.3,
        max_tokens: 500,
        json: false,
    };
    let q = Question {
        feature: "sales_chat",
        prompt_version: PROMPT_VERSION,
        request: &request,
        refresh: false,
        contact: Some(contact),
    };
    // The question is stored even if the model fails, so the conversation shows what was asked.
    save(state, workspace, conversation, "user", &question, false).await?;
    let t = Phrases::current();
    let answer = cache::ask(
        state,
        workspace,
        q,
        || local(&context, &question, t),
        |t| {
            if t.trim().is_empty() {
                Err("empty reply".into())
            } else {
                Ok(())
            }
        },
    )
    .await?;
    let reply = answer.content.trim().to_owned();
    save(state, workspace, conversation, "assistant", &reply, answer.cached).await?;
    let conversation = get(state, workspace, conversation).await?;
    let last = conversation
        .messages
        .last()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the reply was not stored")))?;
    Ok(ChatReply {
        reply: last,
        conversation,
        source: answer.source(),
    })
}
