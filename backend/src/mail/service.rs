//! Mail rules: settings are the workspace's (admins change them; the password is sealed with
//! SECRETS_KEY), every email to a contact is logged as an outbound email interaction with its
//! Message-ID in the transaction that queues it, and a job sends it with retries. A workspace
//! sends at most `daily_limit` emails in 24 hours.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{
    DigestSettings, MailSender, MailSettings, PutDigest, PutMailSettings, SendEmail, SmtpSecurity, TestMail,
    TestMailResult,
};
use super::smtp::{self, Outgoing, SendError, Server};
use super::store::{self, MailSettingsRow};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::config::OutboundConfig;
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult, FieldError};
use crate::interactions;
use crate::interactions::dto::{CreateInteraction, DeliveryState, Direction, Interaction, InteractionKind};
use crate::jobs::store as queue;
use crate::state::AppState;

/// The job kind of one email.
pub const JOB_KIND: &str = "email";
/// Attempts of one email before it is marked failed (the last one about 3 hours after the first).
const MAX_ATTEMPTS: i32 = 6;

fn not_configured() -> AppError {
    AppError::conflict(
        "mail_not_configured",
        "this workspace has no mail server yet: an admin sets one in Settings → Email",
    )
}

async fn sent_last_24h(conn: &mut AsyncPgConnection, workspace: WorkspaceId, now: DateTime<Utc>) -> AppResult<i64> {
    Ok(queue::count_since(conn, workspace, JOB_KIND, now - chrono::Duration::hours(24)).await?)
}

fn to_dto(row: MailSettingsRow, sent: i64) -> MailSettings {
    MailSettings {
        host: row.host,
        port: row.port,
        security: row.security,
        username: row.username,
        password_set: row.password.is_some(),
        from_address: row.from_address,
        from_name: row.from_name,
        reply_to: row.reply_to,
        daily_limit: row.daily_limit,
        sent_last_24h: sent,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
        version: row.version,
    }
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, now: DateTime<Utc>) -> AppResult<MailSettings> {
    let row = store::find(conn, workspace)
        .await?
        .ok_or_else(|| AppError::not_found("the mail settings"))?;
    let sent = sent_last_24h(conn, workspace, now).await?;
    Ok(to_dto(row, sent))
}

/// Whether the workspace can send email, and as whom.
pub async fn sender_of(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<MailSender> {
    let row = store::find(conn, workspace).await?;
    Ok(MailSender {
        configured: row.is_some(),
        from_address: row.as_ref().map(|r| r.from_address.clone()),
        from_name: row.and_then(|r| r.from_name),
    })
}

fn host(raw: &str, outbound: &OutboundConfig) -> Result<String, FieldError> {
    let raw = raw.trim().trim_end_matches('.');
    let parsed = url::Host::parse(raw)
        .ok()
        .filter(|_| !raw.contains([':', '/', '@', ' ']) || raw.starts_with('['))
        .ok_or_else(|| FieldError::new("host", "must be a host name such as smtp.example.com, or an address"))?;
    let borrowed = match &parsed {
        url::Host::Domain(d) => url::Host::Domain(d.as_str()),
        url::Host::Ipv4(a) => url::Host::Ipv4(*a),
        url::Host::Ipv6(a) => url::Host::Ipv6(*a),
    };
    crate::net::check_host(&borrowed, outbound.allow_private).map_err(|m| FieldError::new("host", m))?;
    Ok(match parsed {
        url::Host::Ipv6(a) => a.to_string(),
        _ => raw.to_ascii_lowercase(),
    })
}

/// Saves the settings (creating them, or replacing them at the version given).
pub async fn put(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: PutMailSettings,
    expected: Option<i32>,
    outbound: &OutboundConfig,
    author: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<MailSettings> {
    let host = host(&input.host, outbound).map_err(|e| AppError::validation(vec![e]))?;
    smtp::mailbox(&input.from_address, input.from_name.as_deref())
        .map_err(|m| AppError::invalid_field("from_address", m))?;
    if input.security == SmtpSecurity::None && input.username.is_some() && !outbound.allow_private {
        return Err(AppError::invalid_field(
            "security",
            "a password is never sent unencrypted: use starttls or tls",
        ));
    }
    let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    conn.transaction::<_, AppError, _>(async move |conn| {
        let current = store::lock(conn, workspace).await?;
        match (&current, expected) {
            (Some(row), Some(v)) if row.version != v => return Err(AppError::version_conflict(row.version)),
            (None, Some(_)) => return Err(AppError::not_found("the mail settings")),
            _ => {}
        }
        let password = match input.password {
            // Left out: the kept one stays (sealed to this workspace).
            None => current.as_ref().and_then(|r| r.password.clone()),
            Some(None) => None,
            Some(Some(p)) => {
                let key = crate::crypto::require_key(outbound)?;
                Some(key.seal(p.as_bytes(), workspace.uuid().as_bytes()))
            }
        };
        let row = store::upsert(
            conn,
            &MailSettingsRow {
                workspace_id: workspace,
                host,
                port: input.port,
                security: input.security,
                username: clean(input.username),
                password,
                from_address: input.from_address.trim().to_owned(),
                from_name: clean(input.from_name),
                reply_to: clean(input.reply_to),
                daily_limit: input.daily_limit.unwrap_or(500),
                updated_by: author,
                updated_at: now,
                version: 1,
            },
        )
        .await?;
        let summary = crate::summary!(MailServerSet, host = row.host, port = row.port);
        record(conn, workspace, summary).await?;
        let sent = sent_last_24h(conn, workspace, now).await?;
        Ok(to_dto(row, sent))
    })
    .await
}

async fn record(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    summary: crate::activity::message::Summary,
) -> AppResult<()> {
    activity::service::record(
        conn,
        workspace,
        Change {
            entity: Entity::Settings,
            entity_id: workspace.uuid(),
            action: Action::Updated,
            summary,
            contact_id: None,
            fields: &[],
        },
    )
    .await?;
    Ok(())
}

/// Removes the settings: nothing more is sent (queued emails fail when their turn comes).
pub async fn delete(conn: &mut AsyncPgConnection, workspace: WorkspaceId, expected: Option<i32>) -> AppResult<()> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let current = store::lock(conn, workspace)
            .await?
            .ok_or_else(|| AppError::not_found("the mail settings"))?;
        if expected.is_some_and(|v| v != current.version) {
            return Err(AppError::version_conflict(current.version));
        }
        store::delete(conn, workspace).await?;
        record(conn, workspace, crate::summary!(MailServerRemoved)).await
    })
    .await
}

/// The server to connect to, with the password opened.
fn server(row: &MailSettingsRow, state: &AppState) -> Result<Server, SendError> {
    let password = match &row.password {
        None => None,
        Some(sealed) => {
            let key = state.config.outbound.secrets_key.as_ref().ok_or_else(|| {
                SendError::Transient("the server has no SECRETS_KEY to open the mail password with".to_owned())
            })?;
            let plain = key
                .open(sealed, row.workspace_id.uuid().as_bytes())
                .map_err(|e| SendError::Transient(e.to_string()))?;
            Some(String::from_utf8_lossy(&plain).into_owned())
        }
    };
    let hello = state
        .config
        .accounts
        .public_url
        .host_str()
        .filter(|h| h.contains('.'))
        .unwrap_or("localhost")
        .to_owned();
    Ok(Server {
        host: row.host.clone(),
        port: u16::try_from(row.port).unwrap_or(25),
        security: row.security,
        username: row.username.clone(),
        password,
        hello,
        allow_private: state.config.outbound.allow_private,
        timeout: state.config.outbound.timeout.max(std::time::Duration::from_secs(5)),
    })
}

fn sender(row: &MailSettingsRow) -> Result<(lettre::message::Mailbox, Option<lettre::message::Mailbox>), String> {
    let from = smtp::mailbox(&row.from_address, row.from_name.as_deref())?;
    let reply_to = row.reply_to.as_deref().map(|r| smtp::mailbox(r, None)).transpose()?;
    Ok((from, reply_to))
}

fn new_message_id(from_address: &str) -> String {
    format!("{}@{}", Uuid::now_v7().simple(), smtp::domain_of(from_address))
}

/// Sends a test email now and says how it went (never queued, never retried).
pub async fn send_test(
    state: &AppState,
    workspace: WorkspaceId,
    input: TestMail,
    caller: Uuid,
) -> AppResult<TestMailResult> {
    let (row, to) = {
        let mut conn = state.conn().await?;
        let row = store::find(&mut conn, workspace).await?.ok_or_else(not_configured)?;
        let to = match input.to {
            Some(to) => to.trim().to_owned(),
            None => crate::accounts::service::email_of(&mut conn, caller)
                .await?
                .ok_or_else(|| AppError::invalid_field("to", "give an address to send the test to"))?,
        };
        (row, to)
    };
    let outcome = async {
        let (from, reply_to) = sender(&row).map_err(SendError::Permanent)?;
        let to = smtp::mailbox(&to, None).map_err(SendError::Permanent)?;
        let mail = Outgoing {
            from,
            reply_to,
            to,
            subject: "Rapport test email".to_owned(),
            text: format!(
                "This is a test email from Rapport.\n\nIt was sent through {}:{} as {}: \
                 emails to your contacts will go out the same way.\n",
                row.host, row.port, row.from_address
            ),
            message_id: new_message_id(&row.from_address),
            list_unsubscribe: None,
        };
        let server = server(&row, state)?;
        Ok::<_, SendError>(smtp::send_timed(&server, &mail).await)
    }
    .await;
    let (result, took) = match outcome {
        Ok((result, took)) => (result, took),
        Err(e) => (Err(e), std::time::Duration::ZERO),
    };
    Ok(TestMailResult {
        delivered: result.is_ok(),
        to,
        duration_ms: i64::try_from(took.as_millis()).unwrap_or(i64::MAX),
        response: result.as_ref().ok().cloned(),
        error: result.err().map(|e| e.message().to_owned()),
    })
}

/// Renders, checks, logs and queues an email to a contact; the answer is its interaction,
/// `delivery.status` `queued`.
pub async fn send_to_contact(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact_id: Uuid,
    input: SendEmail,
    author: Option<Uuid>,
    list_unsubscribe: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<Interaction> {
    let contact = crate::contacts::service::get(conn, workspace, contact_id, false).await?;
    let settings = store::find(conn, workspace).await?.ok_or_else(not_configured)?;
    let to = match input.to {
        Some(to) => {
            let to = to.trim().to_lowercase();
            if !contact.emails.iter().any(|e| e.eq_ignore_ascii_case(&to)) {
                return Err(AppError::invalid_field(
                    "to",
                    "must be one of the contact's email addresses",
                ));
            }
            to
        }
        None => contact
            .emails
            .first()
            .cloned()
            .ok_or_else(|| AppError::invalid_field("to", "the contact has no email address"))?,
    };
    let (mut subject, mut body) = (None, None);
    if let Some(template) = input.template_id {
        let rendered = crate::templates::service::render(conn, workspace, template, contact_id)
            .await
            .map_err(|e| match e.code() {
                "not_found" => AppError::invalid_field("template_id", "no template has this id"),
                _ => e,
            })?;
        subject = Some(rendered.subject);
        body = Some(rendered.body);
    }
    let subject = input
        .subject
        .or(subject)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let body = input.body.or(body).map(|b| b.trim_end().to_owned()).unwrap_or_default();
    let mut errors = Vec::new();
    if subject.is_empty() {
        errors.push(FieldError::new(
            "subject",
            "the email has no subject (give one, or a template whose subject is not empty for this contact)",
        ));
    } else if subject.contains(['\r', '\n']) {
        errors.push(FieldError::new("subject", "must be one line"));
    }
    if body.trim().is_empty() {
        errors.push(FieldError::new("body", "the email has no text"));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    sender(&settings).map_err(|m| {
        AppError::conflict(
            "mail_not_configured",
            format!("the mail settings' sender is unusable: {m}"),
        )
    })?;
    let recipient = smtp::mailbox(&to, Some(&contact.display_name)).map_err(|m| AppError::invalid_field("to", m))?;
    let message_id = new_message_id(&settings.from_address);
    conn.transaction::<_, AppError, _>(async move |conn| {
        let sent = sent_last_24h(conn, workspace, now).await?;
        if sent >= i64::from(settings.daily_limit) {
            return Err(AppError::too_many_requests(
                3600,
                format!(
                    "this workspace sent {sent} emails in the last 24 hours, its daily limit; \
                     an admin can raise it in Settings → Email"
                ),
            )
            .with_code("daily_send_limit"));
        }
        let interaction = interactions::service::create_sent_email(
            conn,
            workspace,
            CreateInteraction {
                contact_id,
                deal_id: input.deal_id,
                kind: InteractionKind::Email,
                direction: Some(Direction::Outbound),
                occurred_at: Some(now),
                subject: Some(subject.clone()),
                body: Some(body.clone()),
                outcome: None,
                duration_minutes: None,
                sentiment: None,
            },
            message_id.clone(),
        )
        .await?;
        let mut job = crate::jobs::new_job(JOB_KIND, now, now);
        job.workspace_id = Some(workspace);
        job.max_attempts = MAX_ATTEMPTS;
        job.created_by = author;
        job.payload = serde_json::json!({
            "interaction_id": interaction.id,
            "contact_id": contact_id,
            "to": to,
            "to_name": recipient.name,
            "subject": subject,
            "text": body,
            "message_id": message_id,
            "list_unsubscribe": list_unsubscribe,
        });
        queue::enqueue(conn, &job).await?;
        Ok(interaction)
    })
    .await
}

/// Queues an email that is not about a contact (an invitation); `false` when the workspace has
/// no mail server.
pub async fn queue_notice(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    to: &str,
    subject: &str,
    text: &str,
    author: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(settings) = store::find(conn, workspace).await? else {
        return Ok(false);
    };
    let mut job = crate::jobs::new_job(JOB_KIND, now, now);
    job.workspace_id = Some(workspace);
    job.max_attempts = MAX_ATTEMPTS;
    job.created_by = author;
    job.payload = serde_json::json!({
        "to": to,
        "subject": subject,
        "text": text,
        "message_id": new_message_id(&settings.from_address),
    });
    queue::enqueue(conn, &job).await?;
    Ok(true)
}

/// What became of one attempt.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Sent(String),
    /// Try again at this time.
    Retry(DateTime<Utc>, String),
    Failed(String),
}

/// Sends the email a claimed job holds, and records the outcome on its interaction.
pub async fn run_job(state: &AppState, job: &queue::JobRow, now: DateTime<Utc>) -> AppResult<Outcome> {
    let workspace = job
        .workspace_id
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("an email job names no workspace")))?;
    let p = &job.payload;
    let text = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let interaction: Option<Uuid> = p
        .get("interaction_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok());
    let settings = {
        let mut conn = state.background_conn().await?;
        store::find(&mut conn, workspace).await?
    };
    let result = match &settings {
        None => Err(SendError::Transient(
            "the workspace has no mail server any more (an admin can set one in Settings → Email)".to_owned(),
        )),
        Some(row) => {
            let mail = sender(row).map_err(SendError::Transient).and_then(|(from, reply_to)| {
                let to_name = p.get("to_name").and_then(|v| v.as_str());
                Ok(Outgoing {
                    from,
                    reply_to,
                    to: smtp::mailbox(&text("to"), to_name).map_err(SendError::Permanent)?,
                    subject: text("subject"),
                    text: text("text"),
                    message_id: text("message_id"),
                    list_unsubscribe: p.get("list_unsubscribe").and_then(|v| v.as_str()).map(str::to_owned),
                })
            });
            match (mail, server(row, state)) {
                (Ok(mail), Ok(server)) => smtp::send(&server, &mail).await,
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
    };
    let outcome = match result {
        Ok(response) => Outcome::Sent(response),
        Err(SendError::Transient(e)) if job.attempts < job.max_attempts => {
            Outcome::Retry(now + crate::jobs::backoff(job.attempts), e)
        }
        Err(e) => Outcome::Failed(e.message().to_owned()),
    };
    if let Some(id) = interaction {
        let mut conn = state.background_conn().await?;
        let (status, error) = match &outcome {
            Outcome::Sent(_) => (DeliveryState::Sent, None),
            Outcome::Retry(at, e) => (
                DeliveryState::Queued,
                Some(format!(
                    "attempt {} failed ({e}); trying again at {} UTC",
                    job.attempts,
                    at.format("%Y-%m-%d %H:%M")
                )),
            ),
            Outcome::Failed(e) => (DeliveryState::Failed, Some(e.clone())),
        };
        let mut error = error;
        if let Some(e) = error.as_mut() {
            smtp::clip(e, 1000);
        }
        interactions::store::set_delivery(&mut conn, workspace, id, status, error.as_deref(), now).await?;
    }
    Ok(outcome)
}

// --- The daily digest -----------------------------------------------------------------------

/// Your digest settings in this workspace (off, at 8:00 in the workspace's time zone, until set).
pub async fn digest(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> AppResult<DigestSettings> {
    let mail_configured = store::find(conn, workspace).await?.is_some();
    Ok(match store::digest(conn, workspace, user).await? {
        Some(row) => DigestSettings {
            enabled: true,
            hour: row.hour,
            time_zone: row.time_zone,
            last_sent_on: row.last_sent_on,
            mail_configured,
        },
        None => DigestSettings {
            enabled: false,
            hour: 8,
            time_zone: crate::settings::service::get(conn, workspace).await?.timezone,
            last_sent_on: None,
            mail_configured,
        },
    })
}

pub async fn put_digest(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    input: PutDigest,
    now: DateTime<Utc>,
) -> AppResult<DigestSettings> {
    if !input.enabled {
        store::delete_digest(conn, workspace, user).await?;
        return digest(conn, workspace, user).await;
    }
    let time_zone = match input.time_zone.map(|t| t.trim().to_owned()) {
        Some(tz) => {
            if !crate::settings::service::is_time_zone(conn, &tz).await? {
                return Err(AppError::invalid_field(
                    "time_zone",
                    format!("'{tz}' is not a time zone name such as Europe/Paris"),
                ));
            }
            tz
        }
        None => crate::settings::service::get(conn, workspace).await?.timezone,
    };
    store::put_digest(
        conn,
        &store::DigestRow {
            workspace_id: workspace,
            user_id: user,
            hour: input.hour.unwrap_or(8),
            time_zone,
            last_sent_on: None,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    digest(conn, workspace, user).await
}

/// The digest's text: the member's follow-ups due today and overdue, with links into the app.
fn digest_text(name: &str, page: &crate::followups::service::FollowUpPage, base: &str) -> (String, String) {
    use crate::followups::service::FollowUpState;
    let overdue = page.counts.overdue;
    let due = page.counts.today;
    let subject = match (due, overdue) {
        (1, 0) => "1 follow-up due today".to_owned(),
        (n, 0) => format!("{n} follow-ups due today"),
        (n, o) => format!("{n} follow-ups due today ({o} overdue)"),
    };
    let first = name.split_whitespace().next().unwrap_or(name);
    let mut text = format!("Good morning {first},\n\n{subject}:\n\n");
    for f in &page.items {
        let when = match f.state {
            FollowUpState::Overdue => format!("overdue {} days", f.days_late),
            _ if f.days_late > 0 => format!("{} days late", f.days_late),
            _ => "due today".to_owned(),
        };
        let company = f
            .contact
            .company
            .as_ref()
            .map(|c| format!(" ({})", c.name))
            .unwrap_or_default();
        text.push_str(&format!(
            "- {}{company}: {when}. {}\n",
            f.contact.display_name, f.reason
        ));
        if let Some(r) = &f.reminder {
            text.push_str(&format!("  Reminder: {}\n", r.title));
        }
        text.push_str(&format!("  {base}/contacts/{}\n", f.contact.id));
    }
    if due > page.items.len() as i64 {
        text.push_str(&format!("\n…and {} more.\n", due - page.items.len() as i64));
    }
    text.push_str(&format!(
        "\nWork through them: {base}/follow-ups\n\nYou get this email because you asked for it in Rapport; \
         turn it off on your account page: {base}/account\n"
    ));
    (subject, text)
}

/// Queues the daily digests whose hour has come (in every workspace with a mail server): one
/// email per member with something due, none for a day with nothing due. Returns how many
/// emails were queued.
pub async fn send_digests(conn: &mut AsyncPgConnection, base: &str, now: DateTime<Utc>) -> AppResult<usize> {
    let base = base.to_owned();
    conn.transaction::<_, AppError, _>(async move |conn| {
        let due = store::due_digests(conn, now, 100).await?;
        let mut queued = 0;
        for d in due {
            let Some((name, email)) = crate::accounts::service::member_address(conn, d.workspace_id, d.user_id).await?
            else {
                store::delete_digest(conn, d.workspace_id, d.user_id).await?;
                continue;
            };
            let params = crate::followups::service::ListFollowUpsParams {
                window: Some("today".to_owned()),
                limit: Some("50".to_owned()),
                cursor: None,
                owner: Some("me".to_owned()),
            };
            let page = crate::followups::service::list(conn, d.workspace_id, &params, d.user_id).await?;
            if !page.items.is_empty() {
                let (subject, text) = digest_text(&name, &page, &base);
                if queue_notice(conn, d.workspace_id, &email, &subject, &text, None, now).await? {
                    queued += 1;
                }
            }
            store::digest_sent(conn, d.workspace_id, d.user_id, d.local_date).await?;
        }
        Ok(queued)
    })
    .await
}
