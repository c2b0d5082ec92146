//! Full workspace exports: queued as a job, built by [`run`] from one consistent snapshot of the
//! workspace into a .zip (see [`super::archive`]), kept in PostgreSQL for 7 days.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

use super::archive::{self, Piece};
use super::dto::{Export, ExportList, ExportProgress, ExportStatus};
use super::store::{self, DUMPS, ExportChange, ExportRow, NewExportRow};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};
use crate::jobs::Progress;

const NOT_FOUND: &str = "the export";
/// How long a finished export can be downloaded.
pub const KEEP_DAYS: i64 = 7;
/// Records read per statement.
const PAGE: i64 = 2000;
pub const ZIP_TYPE: &str = "application/zip";
/// The version of the archive's layout, in `manifest.json`.
pub const FORMAT_VERSION: u32 = 1;

fn to_dto(row: ExportRow, progress: Option<(i64, Option<i64>)>) -> AppResult<Export> {
    let status: ExportStatus = row
        .status
        .parse()
        .map_err(|e: String| AppError::internal(anyhow::anyhow!("export status: {e}")))?;
    let counts: Option<BTreeMap<String, i64>> = row.counts.and_then(|c| serde_json::from_value(c).ok());
    let written = counts.as_ref().map(|c| c.values().sum::<i64>());
    let progress = match (status, progress) {
        (ExportStatus::Ready | ExportStatus::Expired, _) => ExportProgress {
            done: written.unwrap_or(0),
            total: written,
        },
        (_, Some((done, total))) => ExportProgress { done, total },
        (_, None) => ExportProgress { done: 0, total: None },
    };
    Ok(Export {
        id: row.id,
        status,
        progress,
        download_url: (status == ExportStatus::Ready).then(|| format!("/api/v1/exports/{}/download", row.id)),
        file_name: row.file_name,
        bytes: row.bytes,
        counts,
        error: row.error,
        created_by: row.created_by,
        created_by_name: row.created_by_name,
        created_at: row.created_at,
        finished_at: row.finished_at,
        expires_at: row.expires_at,
    })
}

/// Queues a full export of the workspace.
pub async fn create(conn: &mut AsyncPgConnection, workspace: WorkspaceId, now: DateTime<Utc>) -> AppResult<Export> {
    let actor = crate::accounts::actor::current();
    let id = Uuid::now_v7();
    let mut job = crate::jobs::new_job(crate::jobs::EXPORT, now, now);
    job.workspace_id = Some(workspace);
    job.payload = serde_json::json!({ "export_id": id });
    job.max_attempts = 3;
    job.created_by = actor.as_ref().map(|a| a.user_id);
    let row = NewExportRow {
        id,
        workspace_id: workspace,
        job_id: Some(job.id),
        created_by: actor.as_ref().map(|a| a.user_id),
        created_by_name: actor.map(|a| a.name),
        created_at: now,
        updated_at: now,
    };
    conn.transaction::<_, AppError, _>(async move |conn| {
        crate::jobs::store::enqueue(conn, &job).await?;
        store::insert(conn, &row).await?;
        Ok(())
    })
    .await?;
    get(conn, workspace, id).await
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Export> {
    let row = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    let progress = match row.status.as_str() {
        "queued" | "running" => match row.job_id {
            Some(job) => crate::jobs::store::progress(conn, workspace, job).await?,
            None => None,
        },
        _ => None,
    };
    to_dto(row, progress)
}

/// How many exports the list shows.
const LIST: i64 = 20;

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<ExportList> {
    let items = store::list(conn, workspace, LIST)
        .await?
        .into_iter()
        .map(|(row, progress)| to_dto(row, progress))
        .collect::<AppResult<_>>()?;
    Ok(ExportList { items })
}

/// The archive of a ready export: (file name, size, stored file).
pub async fn download(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> AppResult<(String, i64, Uuid)> {
    let row = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    match (row.status.as_str(), row.file_id) {
        ("ready", Some(file)) => {
            let stored = crate::files::store::find(conn, workspace, file).await?.ok_or_else(|| {
                AppError::gone("export_expired", "this export's download has expired; make a new one")
            })?;
            Ok((stored.name, stored.bytes, file))
        }
        ("expired", _) | ("ready", None) => Err(AppError::gone(
            "export_expired",
            "this export's download has expired; make a new one",
        )),
        _ => Err(AppError::conflict(
            "export_not_ready",
            "the export is not ready yet; follow its progress and download it when it is ready",
        )),
    }
}

/// Removes the downloads whose 7 days are over (the hourly purge; `now` from the caller).
pub async fn purge(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> AppResult<usize> {
    let n = store::expire(conn, now).await?;
    crate::files::store::purge_expired(conn, now).await?;
    Ok(n)
}

/// Builds the export's archive and keeps it for 7 days (the job's work). A failure leaves the
/// export `failed` with the reason, after the job's last attempt.
pub async fn run<P: Progress>(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    progress: &mut P,
    base_url: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<serde_json::Value> {
    let row = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("export {id} does not exist"))?;
    if !matches!(row.status.as_str(), "queued" | "running" | "failed") {
        return Ok(serde_json::json!({ "skipped": row.status }));
    }
    store::change(
        conn,
        workspace,
        id,
        &ExportChange {
            status: Some("running".into()),
            error: Some(None),
            updated_at: Some(now),
            ..Default::default()
        },
    )
    .await?;
    match build(conn, workspace, progress, base_url, now).await {
        Ok((file, counts)) => {
            let name = format!("rapport-export-{}.zip", now.format("%Y-%m-%d"));
            let finished = Utc::now();
            let expires = finished + Duration::days(KEEP_DAYS);
            let counts_json = serde_json::json!(counts);
            let bytes = conn
                .transaction::<_, anyhow::Error, _>(async |conn| {
                    let (file_id, bytes) =
                        crate::files::save(conn, workspace, &name, ZIP_TYPE, file, finished, Some(expires)).await?;
                    store::change(
                        conn,
                        workspace,
                        id,
                        &ExportChange {
                            status: Some("ready".into()),
                            file_id: Some(Some(file_id)),
                            file_name: Some(name.clone()),
                            bytes: Some(bytes),
                            counts: Some(counts_json.clone()),
                            updated_at: Some(finished),
                            finished_at: Some(finished),
                            expires_at: Some(expires),
                            ..Default::default()
                        },
                    )
                    .await?;
                    Ok(bytes)
                })
                .await?;
            Ok(serde_json::json!({ "file": name, "bytes": bytes, "counts": counts }))
        }
        Err(e) => {
            store::change(
                conn,
                workspace,
                id,
                &ExportChange {
                    status: Some("failed".into()),
                    error: Some(Some(format!("The export could not be made: {e:#}"))),
                    updated_at: Some(Utc::now()),
                    ..Default::default()
                },
            )
            .await?;
            Err(e)
        }
    }
}

async fn send(tx: &Sender<Piece>, piece: Piece) -> anyhow::Result<()> {
    tx.send(piece)
        .await
        .map_err(|_| anyhow::anyhow!("the archive writer stopped"))
}

/// Reads the workspace in one snapshot and writes the archive; returns it with the counts.
async fn build<P: Progress>(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    progress: &mut P,
    base_url: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<(std::fs::File, BTreeMap<String, i64>)> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Piece>(4);
    let writer = tokio::task::spawn_blocking(move || archive::write(rx));
    let fed = conn
        .transaction::<_, anyhow::Error, _>(async |conn| {
            store::snapshot(conn).await?;
            feed(conn, workspace, &tx, progress, base_url, now).await
        })
        .await;
    drop(tx);
    let written = writer.await?;
    // The writer's own error explains a feed that stopped because the writer did.
    let file = written?;
    Ok((file, fed?))
}

async fn feed<P: Progress>(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    tx: &Sender<Piece>,
    progress: &mut P,
    base_url: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<String, i64>> {
    let total = store::dump_total(conn, workspace).await?;
    progress.report(0, total).await;
    send(tx, Piece::Begin("README.md".into())).await?;
    send(tx, Piece::Data(readme(now).into_bytes())).await?;

    let mut counts = BTreeMap::new();
    let mut done = 0_i64;
    for dump in DUMPS {
        let columns = store::columns(conn, dump.table).await?;
        send(
            tx,
            Piece::Table {
                name: dump.name.to_owned(),
                columns: columns.clone(),
            },
        )
        .await?;
        let mut after = None;
        let mut n = 0_i64;
        loop {
            let rows = store::dump_page(conn, workspace, dump, &columns, after, PAGE).await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id);
            let len = rows.len() as i64;
            n += len;
            done += len;
            send(tx, Piece::Rows(rows.into_iter().map(|r| r.json).collect())).await?;
            progress.report(done, total.max(done)).await;
            if len < PAGE {
                break;
            }
        }
        counts.insert(dump.name.to_owned(), n);
    }

    let members = crate::accounts::service::list_members(conn, workspace)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    counts.insert("members".into(), members.len() as i64);
    send(tx, Piece::Begin("json/members.json".into())).await?;
    send(tx, Piece::Data(serde_json::to_vec_pretty(&members)?)).await?;
    send(tx, Piece::Begin("json/workspace.json".into())).await?;
    send(
        tx,
        Piece::Data(store::workspace_json(conn, workspace).await?.into_bytes()),
    )
    .await?;

    // Contacts as vCards, a page at a time in name order.
    send(tx, Piece::Begin("contacts.vcf".into())).await?;
    // `me` only matters to an "owner = me" filter, which this query has not.
    let mut query = crate::contacts::query::ContactQuery::from_params(&Default::default(), Uuid::nil())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    while let Some(cards) = crate::contacts::service::export_vcard_page(conn, workspace, &mut query)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        send(tx, Piece::Data(cards.into_bytes())).await?;
    }

    let entries = crate::calendar::service::entries(conn, workspace, None, true)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    counts.insert("calendar".into(), entries.len() as i64);
    // Written a batch of events at a time: a whole workspace's calendar as one document would
    // hold every event several times over in memory.
    let (head, tail) = crate::calendar::ics::feed_parts(base_url, now);
    send(tx, Piece::Begin("calendar.ics".into())).await?;
    send(tx, Piece::Data(head.into_bytes())).await?;
    for batch in entries.chunks(1000) {
        send(
            tx,
            Piece::Data(crate::calendar::ics::events(batch, base_url, now).into_bytes()),
        )
        .await?;
    }
    send(tx, Piece::Data(tail.into_bytes())).await?;

    let manifest = serde_json::json!({
        "format": "rapport-workspace-export",
        "version": FORMAT_VERSION,
        "schema_version": crate::db::schema_version(conn).await?,
        "workspace": workspace,
        "exported_at": now,
        "counts": counts,
        "files": DUMPS.iter().map(|d| d.name).collect::<Vec<_>>(),
    });
    send(tx, Piece::Begin("manifest.json".into())).await?;
    send(tx, Piece::Data(serde_json::to_vec_pretty(&manifest)?)).await?;
    Ok(counts)
}

fn readme(now: DateTime<Utc>) -> String {
    let mut tables = String::new();
    for d in DUMPS {
        tables.push_str(&format!("- `json/{0}.json`, `csv/{0}.csv`\n", d.name));
    }
    format!(
        "# Rapport workspace export\n\n\
         Made {when}. Everything the workspace holds, in open formats:\n\n\
         - `json/<name>.json` — every record of one kind as a JSON array, one record per line, \
         with every stored field under the API's field names (references to other records are \
         their `…_id` fields; times in UTC, RFC 3339; money in minor units with its currency).\n\
         - `csv/<name>.csv` — the same records and columns as CSV (UTF-8 with a byte-order mark; \
         lists and objects as JSON text; text a spreadsheet would run as a formula starts with `'`).\n\
         - `json/members.json` — the workspace's members (name, email, role); no passwords or tokens.\n\
         - `json/workspace.json` — the workspace's name and settings.\n\
         - `contacts.vcf` — the contacts as vCard 3.0 (Apple Contacts, Google Contacts, Outlook).\n\
         - `calendar.ics` — follow-ups, open reminders and open deals' expected close dates (iCalendar).\n\
         - `manifest.json` — the format's version, the database schema's version and the record counts.\n\n\
         The records:\n\n{tables}\n\
         `history` is the workspace's activity log. Deleted records that are still in the trash are \
         included, with their `deleted_at` time.\n\n\
         To restore this archive into a new, empty workspace, upload it on the Import page (or \
         `POST /api/v1/imports` with `kind=workspace_zip`): every record gets a new id and the \
         references between them follow.\n",
        when = now.format("%Y-%m-%d %H:%M UTC"),
    )
}
