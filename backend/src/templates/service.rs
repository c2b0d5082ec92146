//! Template rules: templates must parse when saved; rendering fills them from a contact.

use std::collections::BTreeMap;

use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{
    CreateTemplate, ListTemplatesParams, RenderedTemplate, Scenario, Template, TemplatePage, TemplateVariable,
    UpdateTemplate, VARIABLES,
};
use super::render::{self, Part};
use super::store::{self, NewTemplateRow, TemplateChangeset, TemplateRow};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::contacts;
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::params::{self, ParamErrors};

const NOT_FOUND: &str = "the template";
const BY_NAME: Sort = Sort {
    key: SortKey {
        name: "name",
        sql: "email_templates.sort_name",
        kind: KeyKind::Text,
    },
    descending: false,
};

fn to_dto(row: TemplateRow) -> Template {
    Template {
        id: row.id,
        name: row.name,
        scenario: row.scenario,
        subject: row.subject,
        body: row.body,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn written(outcome: WriteOutcome<TemplateRow>) -> AppResult<TemplateRow> {
    outcome.into_result(NOT_FOUND)
}

/// Parses subject and body, naming the field (and position) of any mistake.
fn check(subject: Option<&str>, body: Option<&str>) -> AppResult<(Vec<Part>, Vec<Part>)> {
    let mut errors = Vec::new();
    let mut parse = |field: &str, text: Option<&str>| match text.map(render::parse) {
        Some(Ok(parts)) => parts,
        Some(Err(e)) => {
            errors.push(FieldError::new(
                field,
                format!("{} (at character {})", e.message, e.position + 1),
            ));
            Vec::new()
        }
        None => Vec::new(),
    };
    let s = parse("subject", subject);
    let b = parse("body", body);
    if errors.is_empty() {
        Ok((s, b))
    } else {
        Err(AppError::validation(errors))
    }
}

fn name_taken(e: AppError, name: &str) -> AppError {
    if e.code() == "already_exists" {
        AppError::conflict("already_exists", format!("a template named '{name}' already exists"))
    } else {
        e
    }
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &ListTemplatesParams,
) -> AppResult<TemplatePage> {
    let mut errors = ParamErrors::default();
    let scenario = errors
        .take(params::choice::<Scenario>("scenario", p.scenario.as_deref()))
        .flatten();
    let limit = errors.take(params::limit(p.limit.as_deref()));
    let after = errors.take(BY_NAME.after(p.cursor.as_deref())).flatten();
    errors.finish()?;
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let rows = store::list(conn, workspace, scenario, &BY_NAME, after.as_ref(), limit).await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &BY_NAME, |r| (SortValue::Text(r.sort_name.clone()), r.id));
    Ok(TemplatePage {
        items: rows.into_iter().map(to_dto).collect(),
        next_cursor,
        variables: VARIABLES
            .iter()
            .map(|(n, d)| TemplateVariable {
                name: (*n).to_owned(),
                description: (*d).to_owned(),
            })
            .collect(),
    })
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Template> {
    store::find(conn, workspace, id)
        .await?
        .map(to_dto)
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateTemplate,
) -> AppResult<Template> {
    check(Some(&input.subject), Some(&input.body))?;
    let now = chrono::Utc::now();
    let name = input.name.trim().to_owned();
    let row = NewTemplateRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        name: name.clone(),
        scenario: input.scenario,
        subject: input.subject,
        body: input.body,
        created_at: now,
        updated_at: now,
    };
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = store::insert(conn, &row)
            .await
            .map_err(|e| name_taken(e.into(), &name))?;
        let summary = crate::summary!(TemplateAdded, name = row.name);
        activity::service::record(conn, workspace, record(row.id, Action::Created, summary, &[])).await?;
        Ok(to_dto(row))
    })
    .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateTemplate,
    expected: Option<i32>,
) -> AppResult<Template> {
    check(input.subject.as_deref(), input.body.as_deref())?;
    let name = input.name.map(|n| n.trim().to_owned());
    let changes = TemplateChangeset {
        name: name.clone(),
        scenario: input.scenario,
        subject: input.subject,
        body: input.body,
    };
    let fields: Vec<&str> = [
        ("name", changes.name.is_some()),
        ("scenario", changes.scenario.is_some()),
        ("subject", changes.subject.is_some()),
        ("body", changes.body.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect();
    conn.transaction::<_, AppError, _>(async move |conn| {
        let outcome = store::update(conn, workspace, id, &changes, expected)
            .await
            .map_err(|e| name_taken(e.into(), name.as_deref().unwrap_or("")))?;
        let row = written(outcome)?;
        let summary = crate::summary!(TemplateEdited, name = row.name, fields = fields.join(","));
        activity::service::record(conn, workspace, record(id, Action::Updated, summary, &fields)).await?;
        Ok(to_dto(row))
    })
    .await
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = written(store::delete(conn, workspace, id, expected).await?)?;
        let summary = crate::summary!(TemplateDeleted, name = row.name);
        activity::service::record(conn, workspace, record(id, Action::Deleted, summary, &[])).await?;
        Ok(())
    })
    .await
}

fn record<'a>(
    id: Uuid,
    action: Action,
    summary: crate::activity::message::Summary,
    fields: &'a [&'a str],
) -> Change<'a> {
    Change {
        entity: Entity::Template,
        entity_id: id,
        action,
        summary,
        contact_id: None,
        fields,
    }
}

/// Every known variable's value for a contact ("" when it has none).
async fn values(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact_id: Uuid,
) -> AppResult<BTreeMap<&'static str, String>> {
    let contact = contacts::service::get(conn, workspace, contact_id, false)
        .await
        .map_err(|_| AppError::invalid_field("contact_id", "no contact (outside the trash) has this id"))?;
    let or_empty = |v: Option<&String>| v.cloned().unwrap_or_default();
    Ok(BTreeMap::from([
        ("contact.first_name", contact.first_name.clone()),
        ("contact.last_name", contact.last_name.clone()),
        ("contact.full_name", contact.display_name.clone()),
        ("contact.email", or_empty(contact.emails.first())),
        ("contact.phone", or_empty(contact.phones.first())),
        ("contact.job_title", or_empty(contact.job_title.as_ref())),
        ("contact.location", or_empty(contact.location.as_ref())),
        ("company.name", contact.company.map(|c| c.name).unwrap_or_default()),
        ("deal.title", String::new()),
        ("today", chrono::Utc::now().format("%-d %B %Y").to_string()),
    ]))
}

fn rendered(subject: &[Part], body: &[Part], values: &BTreeMap<&str, String>) -> RenderedTemplate {
    let s = render::fill(subject, values);
    let b = render::fill(body, values);
    let merge = |mut a: Vec<String>, b: Vec<String>| {
        for x in b {
            if !a.contains(&x) {
                a.push(x);
            }
        }
        a
    };
    RenderedTemplate {
        subject: s.text,
        body: b.text,
        unknown_variables: merge(s.unknown, b.unknown),
        empty_variables: merge(s.empty, b.empty),
    }
}

pub async fn render(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    contact: Uuid,
) -> AppResult<RenderedTemplate> {
    let template = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    let (subject, body) = check(Some(&template.subject), Some(&template.body))?;
    let values = values(conn, workspace, contact).await?;
    Ok(rendered(&subject, &body, &values))
}

pub async fn preview(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Uuid,
    subject: &str,
    body: &str,
) -> AppResult<RenderedTemplate> {
    let (subject, body) = check(Some(subject), Some(body))?;
    let values = values(conn, workspace, contact).await?;
    Ok(rendered(&subject, &body, &values))
}
