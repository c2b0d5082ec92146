//! Web-to-lead forms: their design (admins), the embed snippets, and submissions from the public.
//!
//! A submission never overwrites what the workspace holds — anyone can type anyone's email: when
//! the email belongs to a contact, the submission is logged on it and only its empty fields are
//! filled. The answer is the same either way, so a form does not reveal who is a contact.
//! Defences, cheapest first: the page's origin, a per-address limit, a honeypot field, a minimum
//! time between showing the page and sending it (a signed page token), and optionally a small
//! proof-of-work puzzle solved by the browser.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use ring::digest;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::dto::{
    CreateForm, EmbedSnippets, Form, FormField, FormList, Submission, SubmissionOutcome, SubmissionPage,
    SubmissionReceipt, UpdateForm,
};
use super::store::{self, FormChangeset, FormRow, SubmissionRow};
use crate::contacts::dto::{CreateContact, UpdateContact};
use crate::custom_fields::dto::{CustomField, FieldEntity, FieldType};
use crate::db::WorkspaceId;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::dto::{normalize_url, validate_emails, validate_phones};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::params::{self, ParamErrors};
use crate::interactions::dto::{CreateInteraction, Direction, InteractionKind};

const NOT_FOUND: &str = "the form";
/// Forms per workspace.
pub const MAX_PER_WORKSPACE: i64 = 50;
/// Submissions one address may send to one form within `RATE_WINDOW` (spam included).
pub const RATE_MAX: usize = 5;
pub const RATE_WINDOW: Duration = Duration::minutes(10);
/// How long a page token stays good: a form left open longer is shown again to be re-sent.
pub const TOKEN_TTL: Duration = Duration::hours(24);
/// Leading zero bits the proof-of-work hash needs (about 65,000 hashes in the browser).
pub const POW_BITS: u32 = 16;
/// The honeypot: a field people never see (hidden from view and from screen readers) and bots
/// fill in.
pub const HONEYPOT: &str = "homepage";
/// The page token's field.
pub const TOKEN_FIELD: &str = "_token";
/// The proof-of-work answer's field.
pub const POW_FIELD: &str = "_pow";
/// The largest submission body.
pub const MAX_BODY: usize = 64 * 1024;

/// The contact fields a form field can fill, with the longest value each takes.
const STANDARD_TARGETS: &[(&str, usize)] = &[
    ("first_name", 100),
    ("last_name", 100),
    ("email", 254),
    ("phone", 40),
    ("company_name", 200),
    ("job_title", 150),
    ("website", 500),
    ("location", 150),
    ("notes", 5000),
    ("message", 5000),
];
const CUSTOM_TEXT_MAX: usize = 1000;

/// Human labels of the targets, for the form editor's defaults and the interaction's body.
pub fn default_label(target: &str) -> &str {
    match target {
        "first_name" => "First name",
        "last_name" => "Last name",
        "email" => "Email",
        "phone" => "Phone",
        "company_name" => "Company",
        "job_title" => "Job title",
        "website" => "Website",
        "location" => "Location",
        "notes" => "Notes",
        "message" => "Message",
        _ => "Field",
    }
}

fn default_fields() -> Vec<FormField> {
    let field = |target: &str, label: &str, required: bool| FormField {
        target: target.into(),
        label: label.into(),
        required,
        placeholder: None,
    };
    vec![
        field("first_name", "Your name", true),
        field("email", "Email", true),
        field("message", "How can we help?", false),
    ]
}

/// The custom field a target names (`custom:<key>`).
fn custom_key(target: &str) -> Option<&str> {
    target.strip_prefix("custom:")
}

fn max_len(target: &str) -> usize {
    STANDARD_TARGETS
        .iter()
        .find(|(t, _)| *t == target)
        .map_or(CUSTOM_TEXT_MAX, |(_, n)| *n)
}

// --- Design -------------------------------------------------------------------------------------

pub fn fields_of(row: &FormRow) -> Vec<FormField> {
    serde_json::from_value(row.fields.clone()).unwrap_or_default()
}

fn escape(text: &str) -> String {
    super::page::escape(text)
}

pub fn snippets(base: &str, row: &FormRow) -> EmbedSnippets {
    let id = row.id;
    let mut html = format!("<form action=\"{base}/f/{id}\" method=\"post\" accept-charset=\"UTF-8\">\n");
    for f in fields_of(row) {
        let name = escape(&f.target);
        let label = escape(&f.label);
        let required = if f.required { " required" } else { "" };
        let input = match f.target.as_str() {
            "message" | "notes" => format!("<textarea name=\"{name}\" rows=\"4\"{required}></textarea>"),
            "email" => format!("<input type=\"email\" name=\"{name}\"{required}>"),
            "phone" => format!("<input type=\"tel\" name=\"{name}\"{required}>"),
            _ => format!("<input name=\"{name}\"{required}>"),
        };
        html.push_str(&format!("  <p><label>{label}<br>{input}</label></p>\n"));
    }
    html.push_str(&format!(
        "  <div style=\"position:absolute;left:-10000px\" aria-hidden=\"true\"><input name=\"{HONEYPOT}\" tabindex=\"-1\" autocomplete=\"off\"></div>\n  <p><button type=\"submit\">{}</button></p>\n</form>",
        escape(&row.submit_label)
    ));
    EmbedSnippets {
        script: format!("<script src=\"{base}/embed/form.js\" data-rapport-form=\"{id}\" async></script>"),
        iframe: format!(
            "<iframe src=\"{base}/f/{id}?embed=1\" title=\"{}\" style=\"width:100%;max-width:560px;height:640px;border:0\" loading=\"lazy\"></iframe>",
            escape(&row.name)
        ),
        html,
    }
}

pub fn to_dto(base: &str, row: FormRow, stats: Option<(i64, Option<DateTime<Utc>>)>) -> Form {
    let (submission_count, last_submission_at) = stats.unwrap_or((0, None));
    Form {
        id: row.id,
        hosted_url: format!("{base}/f/{}", row.id),
        embed: snippets(base, &row),
        fields: fields_of(&row),
        name: row.name,
        enabled: row.enabled,
        tags: row.tags,
        owner_id: row.owner_id,
        pipeline_id: row.pipeline_id,
        stage_id: row.stage_id,
        deal_title: row.deal_title,
        submit_label: row.submit_label,
        thank_you_message: row.thank_you_message,
        redirect_url: row.redirect_url,
        allowed_origins: row.allowed_origins,
        min_fill_seconds: row.min_fill_seconds,
        proof_of_work: row.proof_of_work,
        submission_count,
        last_submission_at,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

async fn contact_fields(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<Vec<CustomField>> {
    Ok(
        crate::custom_fields::service::list(conn, workspace, Some(FieldEntity::Contact))
            .await?
            .items,
    )
}

/// The fields as stored: known targets, each once, `email` among them and required.
fn check_fields(fields: Vec<FormField>, custom: &[CustomField], errors: &mut ParamErrors) -> Vec<FormField> {
    let mut out: Vec<FormField> = Vec::new();
    for (i, mut f) in fields.into_iter().enumerate() {
        f.target = f.target.trim().to_owned();
        let known = match custom_key(&f.target) {
            Some(key) => custom.iter().any(|c| c.key == key),
            None => STANDARD_TARGETS.iter().any(|(t, _)| *t == f.target),
        };
        if !known {
            let message = match custom_key(&f.target) {
                Some(key) => format!("the workspace has no contact custom field with the key {key:?}"),
                None => format!(
                    "{:?} is not a field a form can fill: use one of {}, or custom:<key>",
                    f.target,
                    STANDARD_TARGETS.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
                ),
            };
            errors.push(&format!("fields[{i}].target"), message);
            continue;
        }
        if out.iter().any(|o| o.target == f.target) {
            errors.push(
                &format!("fields[{i}].target"),
                format!("{} is in the form twice", f.target),
            );
            continue;
        }
        f.label = f.label.trim().to_owned();
        f.placeholder = f.placeholder.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
        if f.target == "email" {
            f.required = true;
        }
        out.push(f);
    }
    if out.is_empty() && errors.is_empty() {
        errors.push("fields", "a form needs at least one field");
    } else if !out.iter().any(|f| f.target == "email") && errors.is_empty() {
        errors.push(
            "fields",
            "a form needs a field with the target email (it is how leads are told apart)",
        );
    }
    out
}

/// `scheme://host[:port]`, from an origin or a URL without a path.
fn check_origin(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|_| format!("{:?} is not an origin such as https://www.example.com", raw.trim()))?;
    let plain = url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none()
        && matches!(url.path(), "" | "/");
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || !plain {
        return Err(format!(
            "{:?} is not an origin: give the scheme and host only, such as https://www.example.com",
            raw.trim()
        ));
    }
    Ok(url.origin().ascii_serialization())
}

fn check_origins(list: Vec<String>, errors: &mut ParamErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, o) in list.iter().enumerate() {
        match check_origin(o) {
            Ok(o) if !out.contains(&o) => out.push(o),
            Ok(_) => {}
            Err(m) => errors.push(&format!("allowed_origins[{i}]"), m),
        }
    }
    out
}

fn check_redirect(raw: &str) -> Result<String, FieldError> {
    url::Url::parse(raw.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .map(|u| u.to_string())
        .ok_or_else(|| FieldError::new("redirect_url", "must be an http:// or https:// address"))
}

/// The pipeline and stage a deal opens in: the stage must be one of the pipeline's.
async fn check_pipeline(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Option<Uuid>,
    stage: Option<Uuid>,
    errors: &mut ParamErrors,
) -> AppResult<(Option<Uuid>, Option<Uuid>)> {
    use crate::pipelines::service as pipelines;
    let stage_row = match stage {
        Some(id) => match pipelines::stage(conn, workspace, id).await? {
            Some(s) => Some(s),
            None => {
                errors.push("stage_id", "no stage of this workspace has this id");
                return Ok((pipeline, stage));
            }
        },
        None => None,
    };
    let pipeline = pipeline.or(stage_row.as_ref().map(|s| s.pipeline_id));
    if let Some(p) = pipeline {
        if pipelines::get(conn, workspace, p).await.is_err() {
            errors.push("pipeline_id", "no pipeline of this workspace has this id");
        } else if stage_row.as_ref().is_some_and(|s| s.pipeline_id != p) {
            errors.push("stage_id", "is a stage of another pipeline");
        }
    }
    Ok((pipeline, stage))
}

async fn check_owner(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    owner: Option<Uuid>,
    errors: &mut ParamErrors,
) -> AppResult<()> {
    if let Some(owner) = owner {
        let members = crate::accounts::service::list_members(conn, workspace).await?;
        if !members.iter().any(|m| m.user_id == owner) {
            errors.push("owner_id", "is not a member of this workspace");
        }
    }
    Ok(())
}

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId, base: &str) -> AppResult<FormList> {
    let rows = store::list(conn, workspace).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let stats: HashMap<Uuid, (i64, Option<DateTime<Utc>>)> = store::submission_stats(conn, workspace, &ids)
        .await?
        .into_iter()
        .map(|(id, n, last)| (id, (n, last)))
        .collect();
    Ok(FormList {
        items: rows
            .into_iter()
            .map(|r| {
                let s = stats.get(&r.id).copied();
                to_dto(base, r, s)
            })
            .collect(),
    })
}

async fn row(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<FormRow> {
    store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

async fn with_stats(conn: &mut AsyncPgConnection, workspace: WorkspaceId, base: &str, row: FormRow) -> AppResult<Form> {
    let stats = store::submission_stats(conn, workspace, &[row.id])
        .await?
        .into_iter()
        .next()
        .map(|(_, n, last)| (n, last));
    Ok(to_dto(base, row, stats))
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, base: &str, id: Uuid) -> AppResult<Form> {
    let row = row(conn, workspace, id).await?;
    with_stats(conn, workspace, base, row).await
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    base: &str,
    input: CreateForm,
    author: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Form> {
    let custom = contact_fields(conn, workspace).await?;
    let mut errors = ParamErrors::default();
    let fields = check_fields(input.fields.unwrap_or_else(default_fields), &custom, &mut errors);
    let origins = check_origins(input.allowed_origins, &mut errors);
    let redirect = input
        .redirect_url
        .as_deref()
        .and_then(|r| errors.take(check_redirect(r)));
    let owner = input.owner_id.unwrap_or(author);
    check_owner(conn, workspace, owner, &mut errors).await?;
    let (pipeline, stage) = check_pipeline(conn, workspace, input.pipeline_id, input.stage_id, &mut errors).await?;
    errors.finish()?;
    if store::count(conn, workspace).await? >= MAX_PER_WORKSPACE {
        return Err(AppError::conflict(
            "too_many_forms",
            format!("a workspace has at most {MAX_PER_WORKSPACE} forms; delete one first"),
        ));
    }
    let row = FormRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        name: input.name.trim().to_owned(),
        enabled: input.enabled,
        fields: serde_json::to_value(fields).map_err(AppError::internal)?,
        tags: crate::dto::normalize_tags(input.tags),
        owner_id: owner,
        pipeline_id: pipeline,
        stage_id: stage,
        deal_title: input.deal_title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
        submit_label: input
            .submit_label
            .map_or_else(|| "Send".to_owned(), |s| s.trim().to_owned()),
        thank_you_message: input.thank_you_message.map_or_else(
            || "Thank you! We have your message and will be in touch soon.".to_owned(),
            |s| s.trim().to_owned(),
        ),
        redirect_url: redirect,
        allowed_origins: origins,
        min_fill_seconds: input.min_fill_seconds.unwrap_or(3),
        proof_of_work: input.proof_of_work,
        token_key: crate::crypto::new_signing_key(),
        created_by: author,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let row = store::insert(conn, &row).await?;
    Ok(to_dto(base, row, None))
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    base: &str,
    id: Uuid,
    input: UpdateForm,
    expected: Option<i32>,
) -> AppResult<Form> {
    let current = row(conn, workspace, id).await?;
    let mut errors = ParamErrors::default();
    let fields = match input.fields {
        Some(f) => {
            let custom = contact_fields(conn, workspace).await?;
            Some(check_fields(f, &custom, &mut errors))
        }
        None => None,
    };
    let origins = input.allowed_origins.map(|o| check_origins(o, &mut errors));
    let redirect = match input.redirect_url {
        Some(Some(r)) => errors.take(check_redirect(&r)).map(Some),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(owner) = input.owner_id {
        check_owner(conn, workspace, owner, &mut errors).await?;
    }
    // The pipeline and stage are checked together, as they will be after the change.
    let (pipeline, stage) = if input.pipeline_id.is_some() || input.stage_id.is_some() {
        let p = input.pipeline_id.unwrap_or(current.pipeline_id);
        // A new pipeline without a stage starts at its first stage.
        let s = match (input.pipeline_id, input.stage_id) {
            (_, Some(s)) => s,
            (Some(_), None) => None,
            (None, None) => current.stage_id,
        };
        let (p, s) = check_pipeline(conn, workspace, p, s, &mut errors).await?;
        (Some(p), Some(s))
    } else {
        (None, None)
    };
    errors.finish()?;
    let changes = FormChangeset {
        name: input.name.map(|n| n.trim().to_owned()),
        enabled: input.enabled,
        fields: fields.map(|f| serde_json::to_value(f).unwrap_or(Value::Array(Vec::new()))),
        tags: input.tags.map(crate::dto::normalize_tags),
        owner_id: input.owner_id,
        pipeline_id: pipeline,
        stage_id: stage,
        deal_title: input
            .deal_title
            .map(|t| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())),
        submit_label: input.submit_label.map(|s| s.trim().to_owned()),
        thank_you_message: input.thank_you_message.map(|s| s.trim().to_owned()),
        redirect_url: redirect,
        allowed_origins: origins,
        min_fill_seconds: input.min_fill_seconds,
        proof_of_work: input.proof_of_work,
    };
    let row = store::update(conn, workspace, id, &changes, expected)
        .await?
        .into_result(NOT_FOUND)?;
    with_stats(conn, workspace, base, row).await
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    store::delete(conn, workspace, id, expected)
        .await?
        .into_result(NOT_FOUND)?;
    Ok(())
}

// --- Submissions list ---------------------------------------------------------------------------

const NEWEST_FIRST: Sort = Sort {
    key: SortKey {
        name: "created_at",
        sql: "form_submissions.created_at",
        kind: KeyKind::Time,
    },
    descending: true,
};

fn submission_dto(row: SubmissionRow) -> Submission {
    Submission {
        id: row.id,
        form_id: row.form_id,
        outcome: row.outcome,
        spam_reason: row.spam_reason,
        contact_id: row.contact_id,
        deal_id: row.deal_id,
        interaction_id: row.interaction_id,
        data: row.data,
        filled_fields: row.filled_fields,
        address: row.address,
        origin: row.origin,
        user_agent: row.user_agent,
        created_at: row.created_at,
    }
}

pub async fn submissions(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    form: Uuid,
    outcome: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> AppResult<SubmissionPage> {
    let mut errors = ParamErrors::default();
    let limit = errors.take(params::limit(limit));
    let after = errors.take(NEWEST_FIRST.after(cursor)).flatten();
    let outcome = errors
        .take(params::choice::<SubmissionOutcome>("outcome", outcome))
        .flatten();
    errors.finish()?;
    row(conn, workspace, form).await?;
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let after = match after {
        Some((SortValue::Time(t), id)) => Some((t, id)),
        _ => None,
    };
    let rows = store::submissions(conn, workspace, form, outcome, after, limit + 1).await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &NEWEST_FIRST, |r| (SortValue::Time(r.created_at), r.id));
    Ok(SubmissionPage {
        items: rows.into_iter().map(submission_dto).collect(),
        next_cursor,
    })
}

// --- The public side ----------------------------------------------------------------------------

/// A form by its id, for its public page; 404 when there is none, 410 when it is turned off.
pub async fn public(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<FormRow> {
    let row = store::find_public(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    if !row.enabled {
        return Err(AppError::gone(
            "form_closed",
            "this form is not accepting submissions at the moment",
        ));
    }
    Ok(row)
}

/// The contact custom fields a form's page shows (labels come from the form; types and options
/// from here).
pub async fn page_fields(conn: &mut AsyncPgConnection, row: &FormRow) -> AppResult<Vec<CustomField>> {
    if !fields_of(row).iter().any(|f| custom_key(&f.target).is_some()) {
        return Ok(Vec::new());
    }
    contact_fields(conn, row.workspace_id).await
}

/// A page token: when the page was shown, signed with the form's key. It is also the
/// proof-of-work puzzle.
pub fn issue_token(row: &FormRow, now: DateTime<Utc>) -> String {
    let mut salt = [0u8; 8];
    getrandom::fill(&mut salt).unwrap_or_else(|e| panic!("the system has no randomness: {e}"));
    crate::crypto::sign_token(&row.token_key, &format!("{}.{}", now.timestamp(), B64.encode(salt)))
}

#[derive(Debug, PartialEq)]
enum TokenCheck {
    Shown(DateTime<Utc>),
    Expired,
    Forged,
}

fn check_token(row: &FormRow, token: &str, now: DateTime<Utc>) -> TokenCheck {
    let Some(message) = crate::crypto::open_token(&row.token_key, token) else {
        return TokenCheck::Forged;
    };
    let shown = message
        .split('.')
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| DateTime::from_timestamp(s, 0));
    match shown {
        Some(t) if now - t > TOKEN_TTL => TokenCheck::Expired,
        Some(t) => TokenCheck::Shown(t),
        None => TokenCheck::Forged,
    }
}

/// True when SHA-256(`token:answer`) starts with `POW_BITS` zero bits.
pub fn proof_holds(token: &str, answer: &str) -> bool {
    if answer.is_empty() || answer.len() > 20 || !answer.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let hash = digest::digest(&digest::SHA256, format!("{token}:{answer}").as_bytes());
    let mut zeros = 0;
    for byte in hash.as_ref() {
        if *byte == 0 {
            zeros += 8;
            continue;
        }
        zeros += byte.leading_zeros();
        break;
    }
    zeros >= POW_BITS
}

/// What was posted: each name's values (a multi-select sends several).
#[derive(Debug, Default, Clone)]
pub struct Posted(pub HashMap<String, Vec<String>>);

impl Posted {
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(|v| v.iter().map(|s| s.trim()).find(|s| !s.is_empty()))
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .get(name)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Who sent it.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub address: String,
    pub origin: Option<String>,
    pub user_agent: Option<String>,
}

/// The values of the form's fields, checked: text by target (for the record and the
/// interaction) and the custom-field values as JSON.
struct Values {
    text: Vec<(FormField, String)>,
    custom: Map<String, Value>,
}

impl Values {
    fn get(&self, target: &str) -> Option<&str> {
        self.text
            .iter()
            .find(|(f, _)| f.target == target)
            .map(|(_, v)| v.as_str())
    }
}

fn truthy(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn read_values(fields: &[FormField], custom: &[CustomField], posted: &Posted) -> Result<Values, AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut text = Vec::new();
    let mut custom_values = Map::new();
    for f in fields {
        let target = f.target.as_str();
        let def = custom_key(target).and_then(|k| custom.iter().find(|c| c.key == k));
        let values = if def.is_some_and(|d| d.field_type == FieldType::MultiSelect) {
            posted.all(target)
        } else {
            posted.first(target).map(str::to_owned).into_iter().collect()
        };
        let joined = values.join(", ");
        if joined.is_empty() {
            if f.required {
                errors.push(FieldError::new(target, format!("{} is required", f.label)));
            }
            continue;
        }
        let limit = max_len(target);
        if joined.chars().count() > limit {
            errors.push(FieldError::new(target, format!("is longer than {limit} characters")));
            continue;
        }
        let problem = match (target, def) {
            ("email", _) => validate_emails(std::slice::from_ref(&joined))
                .err()
                .map(|_| "is not an email address".to_owned()),
            ("phone", _) => validate_phones(std::slice::from_ref(&joined))
                .err()
                .map(|_| "is not a phone number (digits, spaces, + - ( ) . only)".to_owned()),
            ("website", _) => normalize_url(&joined)
                .is_none()
                .then(|| "is not a web address".to_owned()),
            (_, Some(def)) => {
                let value = match def.field_type {
                    FieldType::Text => Ok(Value::String(joined.clone())),
                    FieldType::Number => joined
                        .replace(',', ".")
                        .parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                        .ok_or("is not a number"),
                    FieldType::Boolean => truthy(&joined).map(Value::Bool).ok_or("is not yes or no"),
                    FieldType::Date => NaiveDate::parse_from_str(&joined, "%Y-%m-%d")
                        .map(|d| Value::String(d.to_string()))
                        .map_err(|_| "is not a date (YYYY-MM-DD)"),
                    FieldType::Url => normalize_url(&joined).map(Value::String).ok_or("is not a web address"),
                    FieldType::Select if def.options.contains(&joined) => Ok(Value::String(joined.clone())),
                    FieldType::Select => Err("is not one of the choices"),
                    FieldType::MultiSelect if values.iter().all(|v| def.options.contains(v)) => {
                        Ok(Value::Array(values.iter().cloned().map(Value::String).collect()))
                    }
                    FieldType::MultiSelect => Err("is not one of the choices"),
                };
                match value {
                    Ok(v) => {
                        custom_values.insert(def.key.clone(), v);
                        None
                    }
                    Err(m) => Some(m.to_owned()),
                }
            }
            _ => None,
        };
        match problem {
            Some(m) => errors.push(FieldError::new(target, m)),
            None => text.push((f.clone(), joined)),
        }
    }
    if errors.is_empty() {
        Ok(Values {
            text,
            custom: custom_values,
        })
    } else {
        Err(AppError::validation(errors))
    }
}

/// A problem with a submission that the page shows next to the form (the values stay).
pub fn expired() -> AppError {
    AppError::invalid_field(
        TOKEN_FIELD,
        "the form was open for more than a day; check it and send it again",
    )
    .with_code("form_expired")
}

/// Takes a submission: checks it, then creates or updates the contact, opens the deal, logs the
/// interaction and records the submission, in one transaction. Spam is recorded and answered
/// like a success, so a bot learns nothing.
pub async fn submit(
    conn: &mut AsyncPgConnection,
    form: &FormRow,
    own_origin: &str,
    posted: Posted,
    visitor: Visitor,
    now: DateTime<Utc>,
) -> AppResult<SubmissionReceipt> {
    let workspace = form.workspace_id;
    if let Some(origin) = visitor.origin.as_deref()
        && origin != own_origin
        && !form.allowed_origins.iter().any(|o| o == origin)
    {
        return Err(AppError::refused(
            "origin_not_allowed",
            format!(
                "this form does not accept submissions from pages on {origin}; an admin can add it to the form's allowed origins"
            ),
        ));
    }
    let recent = store::recent_from(conn, workspace, form.id, &visitor.address, now - RATE_WINDOW).await?;
    if recent.len() >= RATE_MAX {
        let wait = (recent[recent.len() - RATE_MAX] + RATE_WINDOW - now)
            .num_seconds()
            .max(1);
        return Err(AppError::too_many_requests(
            wait as u64,
            format!(
                "too many submissions from your address; try again in {} minutes",
                (wait + 59) / 60
            ),
        )
        .with_code("too_many_submissions"));
    }
    let token = posted.first(TOKEN_FIELD).map(str::to_owned);
    let shown = match token.as_deref().map(|t| check_token(form, t, now)) {
        Some(TokenCheck::Expired) => return Err(expired()),
        Some(TokenCheck::Shown(t)) => Some(Ok(t)),
        Some(TokenCheck::Forged) => Some(Err(())),
        None => None,
    };
    if form.proof_of_work {
        let solved = match (&token, &shown) {
            (Some(t), Some(Ok(_))) => proof_holds(t, posted.first(POW_FIELD).unwrap_or_default()),
            _ => false,
        };
        if !solved {
            return Err(AppError::invalid_field(
                POW_FIELD,
                "the browser's answer to the form's puzzle is missing or wrong; send the form from its page, with JavaScript on",
            )
            .with_code("proof_of_work_failed"));
        }
    }
    let fields = fields_of(form);
    let spam = if posted.first(HONEYPOT).is_some() {
        Some("honeypot")
    } else if matches!(shown, Some(Err(()))) {
        Some("forged_token")
    } else if matches!(shown, Some(Ok(t)) if now - t < Duration::seconds(form.min_fill_seconds.into())) {
        Some("too_fast")
    } else {
        None
    };
    let receipt = SubmissionReceipt {
        message: form.thank_you_message.clone(),
        redirect_url: form.redirect_url.clone(),
    };
    let mut record = SubmissionRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        form_id: form.id,
        outcome: SubmissionOutcome::Spam,
        spam_reason: None,
        contact_id: None,
        deal_id: None,
        interaction_id: None,
        data: Value::Object(Map::new()),
        filled_fields: Vec::new(),
        address: visitor.address.chars().take(100).collect(),
        origin: visitor.origin.map(|o| o.chars().take(300).collect()),
        user_agent: visitor.user_agent.map(|o| o.chars().take(500).collect()),
        created_at: now,
    };
    if let Some(reason) = spam {
        // Keep what the known fields held (cut short), to let an admin spot a false alarm.
        let data: Map<String, Value> = fields
            .iter()
            .filter_map(|f| {
                posted.first(&f.target).map(|v| {
                    (
                        f.target.clone(),
                        Value::String(v.chars().take(max_len(&f.target)).collect()),
                    )
                })
            })
            .collect();
        record.spam_reason = Some(reason.to_owned());
        record.data = Value::Object(data);
        store::insert_submission(conn, &record).await?;
        return Ok(receipt);
    }
    let custom = page_fields(conn, form).await?;
    let values = read_values(&fields, &custom, &posted)?;
    record.data = Value::Object(
        values
            .text
            .iter()
            .map(|(f, v)| (f.target.clone(), Value::String(v.clone())))
            .collect(),
    );
    let form = form.clone();
    conn.transaction::<_, AppError, _>(async move |conn| {
        let email = values.get("email").unwrap_or_default().to_lowercase();
        let existing = crate::contacts::service::find_by_email(conn, workspace, std::slice::from_ref(&email)).await?;
        let (contact_id, name) = match existing {
            Some(id) => {
                let contact = crate::contacts::service::get(conn, workspace, id, false).await?;
                let (changes, filled) = fill_empty(&contact, &values, &form.tags);
                if let Some(changes) = changes {
                    crate::contacts::service::update(conn, workspace, id, changes, Some(contact.version)).await?;
                }
                record.outcome = SubmissionOutcome::Matched;
                record.filled_fields = filled;
                (id, contact.display_name)
            }
            None => {
                let contact =
                    crate::contacts::service::create(conn, workspace, new_contact(&form, &values, &email)).await?;
                record.outcome = SubmissionOutcome::Created;
                (contact.id, contact.display_name)
            }
        };
        record.contact_id = Some(contact_id);
        if let Some(pipeline) = form.pipeline_id {
            let title = match form.deal_title.as_deref() {
                Some(t) => t.to_owned(),
                None => format!("{} – {name}", form.name),
            };
            let deal = crate::deals::service::create(
                conn,
                workspace,
                crate::deals::dto::CreateDeal {
                    title: title.chars().take(200).collect(),
                    contact_id: Some(contact_id),
                    owner_id: Some(form.owner_id),
                    pipeline_id: Some(pipeline),
                    stage_id: form.stage_id,
                    ..Default::default()
                },
            )
            .await?;
            record.deal_id = Some(deal.id);
        }
        let body: String = values
            .text
            .iter()
            .map(|(f, v)| format!("{}: {v}", f.label))
            .collect::<Vec<_>>()
            .join("\n");
        let interaction = crate::interactions::service::create(
            conn,
            workspace,
            CreateInteraction {
                contact_id,
                deal_id: record.deal_id,
                kind: InteractionKind::Other,
                direction: Some(Direction::Inbound),
                occurred_at: Some(now),
                subject: Some(format!("Submitted the website form “{}”", form.name)),
                body: Some(body),
                outcome: None,
                duration_minutes: None,
                sentiment: None,
            },
        )
        .await?;
        record.interaction_id = Some(interaction.id);
        store::insert_submission(conn, &record).await?;
        Ok(())
    })
    .await?;
    Ok(receipt)
}

/// A new contact from a submission: a lead from the website, named by the email when the form
/// asks for no name.
fn new_contact(form: &FormRow, values: &Values, email: &str) -> CreateContact {
    let text = |t: &str| values.get(t).map(str::to_owned);
    CreateContact {
        first_name: text("first_name").unwrap_or_else(|| email.to_owned()),
        last_name: text("last_name"),
        emails: vec![email.to_owned()],
        phones: text("phone").into_iter().collect(),
        company_name: text("company_name"),
        owner_id: Some(form.owner_id),
        job_title: text("job_title"),
        website: text("website"),
        location: text("location"),
        notes: text("notes"),
        source: Some(crate::contacts::dto::ContactSource::Website),
        tags: form.tags.clone(),
        custom_fields: values.custom.clone(),
        ..Default::default()
    }
}

/// The changes that fill a known contact's empty fields (and add the form's tags); `None` when
/// there is nothing to change. A name that is only the email address counts as empty.
fn fill_empty(
    contact: &crate::contacts::dto::Contact,
    values: &Values,
    tags: &[String],
) -> (Option<UpdateContact>, Vec<String>) {
    let mut changes = UpdateContact::default();
    let mut filled: Vec<String> = Vec::new();
    let text = |t: &str| values.get(t).map(str::to_owned);
    let empty = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let name_is_email = contact
        .emails
        .iter()
        .any(|e| e.eq_ignore_ascii_case(&contact.first_name));
    if let Some(v) = text("first_name").filter(|_| contact.first_name.trim().is_empty() || name_is_email) {
        changes.first_name = Some(v);
        filled.push("first_name".into());
    }
    if let Some(v) = text("last_name").filter(|_| contact.last_name.trim().is_empty()) {
        changes.last_name = Some(v);
        filled.push("last_name".into());
    }
    if let Some(v) = text("phone").filter(|_| contact.phones.is_empty()) {
        changes.phones = Some(vec![v]);
        filled.push("phone".into());
    }
    if let Some(v) = text("company_name").filter(|_| contact.company.is_none()) {
        changes.company_name = Some(Some(v));
        filled.push("company_name".into());
    }
    let mut optional = |target: &str, current: &Option<String>, slot: &mut Option<Option<String>>| {
        if let Some(v) = text(target).filter(|_| empty(current)) {
            *slot = Some(Some(v));
            filled.push(target.to_owned());
        }
    };
    optional("job_title", &contact.job_title, &mut changes.job_title);
    optional("website", &contact.website, &mut changes.website);
    optional("location", &contact.location, &mut changes.location);
    optional("notes", &contact.notes, &mut changes.notes);
    let mut custom = Map::new();
    for (key, value) in &values.custom {
        if contact.custom_fields.get(key).is_none_or(Value::is_null) {
            custom.insert(key.clone(), value.clone());
            filled.push(format!("custom:{key}"));
        }
    }
    if !custom.is_empty() {
        changes.custom_fields = Some(custom);
    }
    let new_tags: Vec<String> = tags.iter().filter(|t| !contact.tags.contains(t)).cloned().collect();
    if !new_tags.is_empty() {
        changes.tags = Some(contact.tags.iter().cloned().chain(new_tags).collect());
    }
    let any = !filled.is_empty() || changes.tags.is_some();
    (any.then_some(changes), filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> FormRow {
        let now = Utc::now();
        FormRow {
            id: Uuid::now_v7(),
            workspace_id: WorkspaceId::checked(Uuid::now_v7()),
            name: "Contact us".into(),
            enabled: true,
            fields: serde_json::to_value(default_fields()).unwrap(),
            tags: vec![],
            owner_id: None,
            pipeline_id: None,
            stage_id: None,
            deal_title: None,
            submit_label: "Send".into(),
            thank_you_message: "Thanks".into(),
            redirect_url: None,
            allowed_origins: vec![],
            min_fill_seconds: 3,
            proof_of_work: false,
            token_key: crate::crypto::new_signing_key(),
            created_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn a_page_token_tells_when_the_page_was_shown_and_cannot_be_forged() {
        let f = form();
        let shown = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let token = issue_token(&f, shown);
        assert_eq!(
            check_token(&f, &token, shown + Duration::seconds(5)),
            TokenCheck::Shown(shown)
        );
        assert_eq!(
            check_token(&f, &token, shown + Duration::hours(25)),
            TokenCheck::Expired
        );
        // Another form's key, or a changed time, breaks the signature.
        assert_eq!(check_token(&form(), &token, shown), TokenCheck::Forged);
        let moved = token.replacen("1800000000", "1799999000", 1);
        assert_eq!(check_token(&f, &moved, shown), TokenCheck::Forged);
        assert_eq!(check_token(&f, "nonsense", shown), TokenCheck::Forged);
    }

    #[test]
    fn a_proof_of_work_answer_is_checked() {
        let token = "1800000000.abc.def";
        let answer = (0..2_000_000u32)
            .map(|n| n.to_string())
            .find(|n| proof_holds(token, n))
            .expect("an answer exists");
        assert!(proof_holds(token, &answer));
        assert!(!proof_holds(token, ""));
        assert!(!proof_holds(token, "12a"));
    }

    #[test]
    fn origins_are_scheme_and_host_only() {
        assert_eq!(
            check_origin("https://www.example.com/").unwrap(),
            "https://www.example.com"
        );
        assert_eq!(check_origin("http://localhost:8080").unwrap(), "http://localhost:8080");
        assert!(check_origin("https://www.example.com/contact").is_err());
        assert!(check_origin("ftp://example.com").is_err());
        assert!(check_origin("example.com").is_err());
    }

    #[test]
    fn values_are_checked_against_the_fields() {
        let fields = default_fields();
        let mut posted = Posted::default();
        posted.0.insert("email".into(), vec!["not an email".into()]);
        let err = read_values(&fields, &[], &posted).err().unwrap();
        let names: Vec<&str> = err.field_errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["first_name", "email"]);
        posted.0.insert("email".into(), vec![" ada@example.com ".into()]);
        posted
            .0
            .insert("first_name".into(), vec!["<script>alert(1)</script>".into()]);
        posted.0.insert("unknown".into(), vec!["ignored".into()]);
        let values = read_values(&fields, &[], &posted).unwrap();
        assert_eq!(values.get("email"), Some("ada@example.com"));
        assert_eq!(values.get("first_name"), Some("<script>alert(1)</script>"));
        assert_eq!(values.text.len(), 2);
    }
}
