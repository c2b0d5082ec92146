//! HTTP endpoints of the AI assistant under `/api/v1/ai` and on contacts.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use uuid::Uuid;

use super::dto::{
    AiStatus, AnalysisResponse, AppliedEmail, ApplyParsedEmail, CacheStats, EmailDraftRequest, EmailDraftResponse,
    InsightsResponse, LeadScore, ParseEmailRequest, ParseEmailResponse, ProposalDraftRequest, ProposalDraftResponse,
    RefreshParams,
};
use super::dto::{ChatReply, ChatRequestBody, Conversation, ConversationList};
use super::language::{self, AnswerLanguage, AnswerLanguageParams};
use super::{analysis, cache, chat, email, insights, parse, proposal, provider, score};
use crate::config::LlmProvider;
use crate::error::{AppError, AppResult};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::params;
use crate::http::params::{IncludeTrashed, IncludeTrashedParams};
use crate::state::AppState;

fn refresh(p: &RefreshParams) -> AppResult<bool> {
    params::boolean("refresh", p.refresh.as_deref()).map_err(|e| AppError::validation(vec![e]))
}

/// Which language model is active, and whether it answers.
#[utoipa::path(tag = "ai", responses((status = 200, description = "The provider's status", body = AiStatus)))]
#[get("/ai/status")]
pub async fn get_ai_status(state: web::Data<AppState>) -> AppResult<web::Json<AiStatus>> {
    let llm = &state.config.llm;
    let (base_url, reachable, detail) = match llm.provider {
        LlmProvider::Local => (None, true, None),
        LlmProvider::OpenAi => {
            let check = provider::reachable(&state.ai.http, llm).await;
            (Some(llm.base_url.to_string()), check.is_ok(), check.err())
        }
    };
    Ok(web::Json(AiStatus {
        provider: llm.provider.as_str().into(),
        model: llm.model.clone(),
        base_url,
        reachable,
        detail,
    }))
}

/// Entries, hits, misses, failures and what the cache saved.
#[utoipa::path(tag = "ai", responses((status = 200, description = "The cache's figures", body = CacheStats)))]
#[get("/ai/cache/stats")]
pub async fn get_ai_cache_stats(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<CacheStats>> {
    Ok(web::Json(cache::stats(&state, auth.workspace()).await?))
}

/// Forget every stored answer (the next questions call the model again).
#[utoipa::path(tag = "ai", responses((status = 204, description = "The cache is empty")))]
#[delete("/ai/cache")]
pub async fn clear_ai_cache(state: web::Data<AppState>, auth: Auth) -> AppResult<HttpResponse> {
    cache::clear(&state, auth.workspace()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What to know about a contact before getting in touch: summary, communication style,
/// preferences, things to know before the next meeting, risks and next steps. Answers are
/// cached until the contact's facts change or `refresh=true`.
#[utoipa::path(tag = "ai", params(("id" = Uuid, Path, description = "The contact's id"), RefreshParams, AnswerLanguageParams),
    responses((status = 200, description = "The insights", body = InsightsResponse)))]
#[post("/contacts/{id}/insights")]
pub async fn create_contact_insights(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    params: web::Query<RefreshParams>,
    lang: AnswerLanguage,
) -> AppResult<web::Json<InsightsResponse>> {
    let refresh = refresh(&params)?;
    let answer = insights::insights(&state, auth.workspace(), *id, refresh);
    Ok(web::Json(language::scope(lang.0, answer).await?))
}

/// Draft an email to a contact for a scenario and tone, optionally from a template and with
/// extra instructions; the facts of the contact (timeline, deals) shape it.
#[utoipa::path(tag = "ai", params(("id" = Uuid, Path, description = "The contact's id"), RefreshParams, AnswerLanguageParams),
    request_body = EmailDraftRequest,
    responses((status = 200, description = "The draft", body = EmailDraftResponse)))]
#[post("/contacts/{id}/email-draft")]
pub async fn create_email_draft(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    params: web::Query<RefreshParams>,
    lang: AnswerLanguage,
    body: ApiJson<EmailDraftRequest>,
) -> AppResult<web::Json<EmailDraftResponse>> {
    let refresh = refresh(&params)?;
    let answer = email::draft(&state, auth.workspace(), *id, body.0, refresh);
    Ok(web::Json(language::scope(lang.0, answer).await?))
}

/// Analyse a logged interaction: a summary, its sentiment (saved on the interaction), action
/// items and a suggested follow-up date.
#[utoipa::path(tag = "ai", params(("id" = Uuid, Path, description = "The interaction's id"), RefreshParams, AnswerLanguageParams),
    responses((status = 200, description = "The analysis and the updated interaction", body = AnalysisResponse)))]
#[post("/interactions/{id}/analysis")]
pub async fn create_interaction_analysis(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    params: web::Query<RefreshParams>,
    lang: AnswerLanguage,
) -> AppResult<web::Json<AnalysisResponse>> {
    let refresh = refresh(&params)?;
    let answer = analysis::analyse(&state, auth.workspace(), *id, refresh);
    Ok(web::Json(language::scope(lang.0, answer).await?))
}

/// A contact's lead score, 0 to 100, with each factor's contribution and an explanation.
#[utoipa::path(tag = "ai", params(("id" = Uuid, Path, description = "The contact's id"), RefreshParams, IncludeTrashedParams, AnswerLanguageParams),
    responses((status = 200, description = "The score", body = LeadScore)))]
#[get("/contacts/{id}/lead-score")]
pub async fn get_lead_score(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    params: web::Query<RefreshParams>,
    include_trashed: IncludeTrashed,
    lang: AnswerLanguage,
) -> AppResult<web::Json<LeadScore>> {
    let refresh = refresh(&params)?;
    let answer = score::score(&state, auth.workspace(), *id, refresh, include_trashed.0);
    Ok(web::Json(language::scope(lang.0, answer).await?))
}

/// Draft a proposal for a deal from the deal, its contact's history and chosen products.
/// Nothing is saved: review it, then create it with `POST /api/v1/proposals`.
#[utoipa::path(tag = "ai", params(("id" = Uuid, Path, description = "The deal's id"), RefreshParams, AnswerLanguageParams),
    request_body = ProposalDraftRequest,
    responses((status = 200, description = "The draft", body = ProposalDraftResponse)))]
#[post("/deals/{id}/proposal-draft")]
pub async fn create_proposal_draft(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    params: web::Query<RefreshParams>,
    lang: AnswerLanguage,
    body: ApiJson<ProposalDraftRequest>,
) -> AppResult<web::Json<ProposalDraftResponse>> {
    let refresh = refresh(&params)?;
    let answer = proposal::draft(&state, auth.workspace(), *id, body.0, refresh);
    Ok(web::Json(language::scope(lang.0, answer).await?))
}

/// Read an email thread: pasted text as JSON `{"text": …}`, or an .eml file sent as
/// `message/rfc822` (or `text/plain`), up to 1 MiB. Says whether the sender is a potential
/// client and why, the contact fields found, the messages to log and a suggested deal, plus an
/// existing contact with the same email. Nothing is created: see `/ai/parse-email/apply`.
#[utoipa::path(tag = "ai", params(RefreshParams, AnswerLanguageParams),
    request_body(content = ParseEmailRequest, description = "JSON, or the raw .eml as message/rfc822"),
    responses((status = 200, description = "The reading", body = ParseEmailResponse)))]
#[post("/ai/parse-email")]
pub async fn parse_email(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    params: web::Query<RefreshParams>,
    lang: AnswerLanguage,
    payload: web::Payload,
) -> AppResult<web::Json<ParseEmailResponse>> {
    let refresh = refresh(&params)?;
    let mime = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !matches!(mime.as_str(), "application/json" | "message/rfc822" | "text/plain") {
        return Err(AppError::unsupported_media_type(
            "send {\"text\": …} as application/json, or the .eml file as message/rfc822",
        ));
    }
    let timeout = crate::http::json::body_timeout(&req);
    let body = crate::http::json::read_body(payload.into_inner(), parse::MAX_BYTES, timeout).await?;
    let text = if mime == "application/json" {
        let input: ParseEmailRequest = crate::http::json::parse(&body)?;
        input.text
    } else {
        // An .eml in any charset the mail library knows; other text must be UTF-8.
        match parse::normalise(&body) {
            Some(text) => text,
            None => {
                String::from_utf8(body.to_vec()).map_err(|_| AppError::invalid_field("text", "is not UTF-8 text"))?
            }
        }
    };
    let answer = parse::read(&state, auth.workspace(), auth.user_id(), text, refresh);
    Ok(web::Json(language::scope(lang.0, answer).await?))
}

/// Create what a reviewed reading describes, through the normal create paths and in one
/// transaction: the contact (or add to `existing_contact_id`), an email interaction per message,
/// and the deal.
#[utoipa::path(tag = "ai", request_body = ApplyParsedEmail,
    responses((status = 201, description = "What was created", body = AppliedEmail)))]
#[post("/ai/parse-email/apply")]
pub async fn apply_parsed_email(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<ApplyParsedEmail>,
) -> AppResult<HttpResponse> {
    let applied = parse::apply(&state, auth.workspace(), body.0).await?;
    Ok(HttpResponse::Created().json(applied))
}

/// Ask the sales assistant about a contact. Starts a conversation, or continues one with
/// `conversation_id`; the contact's record, timeline, deals and reminders are its context.
#[utoipa::path(tag = "ai", params(("id" = Uuid, Path, description = "The contact's id"), AnswerLanguageParams),
    request_body = ChatRequestBody,
    responses((status = 200, description = "The reply and the conversation", body = ChatReply)))]
#[post("/contacts/{id}/chat")]
pub async fn chat_about_contact(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    lang: AnswerLanguage,
    body: ApiJson<ChatRequestBody>,
) -> AppResult<web::Json<ChatReply>> {
    let answer = chat::ask(&state, auth.workspace(), *id, body.0);
    Ok(web::Json(language::scope(lang.0, answer).await?))
}

/// A contact's conversations with the assistant, latest first.
#[utoipa::path(tag = "ai", params(("id" = Uuid, Path, description = "The contact's id"), IncludeTrashedParams),
    responses((status = 200, description = "The conversations", body = ConversationList)))]
#[get("/contacts/{id}/conversations")]
pub async fn list_conversations(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    include_trashed: IncludeTrashed,
) -> AppResult<web::Json<ConversationList>> {
    Ok(web::Json(
        chat::list(&state, auth.workspace(), *id, include_trashed.0).await?,
    ))
}

/// One conversation with all its messages.
#[utoipa::path(tag = "ai", params(("id" = Uuid, Path, description = "The conversation's id")),
    responses((status = 200, description = "The conversation", body = Conversation)))]
#[get("/ai/conversations/{id}")]
pub async fn get_conversation(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Conversation>> {
    Ok(web::Json(chat::get(&state, auth.workspace(), *id).await?))
}
