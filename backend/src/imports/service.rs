//! Imports of contacts: upload (read and store the records), preview (plan every record),
//! commit (a background job that re-plans under a lock if the data changed and applies the plan:
//! a short file in one transaction, a long one a batch at a time, resumable — see
//! [`run_commit`]), rollback and the failed records.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::*;
use super::mapping;
use super::plan::{self, Candidate, Existing, Kind, Outcome, Policy, RowError};
use super::store::{self, ImportChange, ImportRow, NewImportRow};
use crate::contacts::store::ContactRow;
use crate::custom_fields::dto::FieldEntity;
use crate::custom_fields::values::Def;
use crate::db::WorkspaceId;
use crate::db::cursor::Cursor;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::params::{self, ParamErrors};

const NOT_FOUND: &str = "import";
const PARTLY_WRITTEN: &str =
    "part of this import was written before its commit failed: commit it again to write the rest, or roll it back";
/// Uploads larger than this are refused with 413.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// The largest workspace export an upload may carry.
pub const MAX_ARCHIVE_BYTES: usize = 2 * 1024 * 1024 * 1024;
/// Records shown next to the mapping.
const SAMPLES: i64 = 5;

fn parse_enum<T: std::str::FromStr>(s: &str) -> AppResult<T> {
    s.parse()
        .map_err(|_| AppError::internal(anyhow::anyhow!("unexpected stored value {s:?}")))
}

async fn defs(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<(Vec<Def>, Vec<(String, String)>)> {
    let fields = crate::custom_fields::service::list(conn, workspace, Some(FieldEntity::Contact)).await?;
    let labels = fields.items.iter().map(|f| (f.key.clone(), f.label.clone())).collect();
    let defs = fields
        .items
        .into_iter()
        .map(|f| Def {
            key: f.key,
            field_type: f.field_type,
            options: f.options,
        })
        .collect();
    Ok((defs, labels))
}

fn counts_of(rows: Vec<store::OutcomeCount>) -> ImportCounts {
    let mut c = ImportCounts::default();
    for r in rows {
        match r.outcome.as_deref() {
            Some("create") => c.create = r.n,
            Some("update") => c.update = r.n,
            Some("skip") => c.skip = r.n,
            Some("error") => c.error = r.n,
            _ => {}
        }
    }
    c
}

fn mapping_of(value: &serde_json::Value) -> BTreeMap<String, String> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

async fn to_dto(conn: &mut AsyncPgConnection, workspace: WorkspaceId, row: ImportRow) -> AppResult<Import> {
    let (_, labels) = defs(conn, workspace).await?;
    let samples = store::planned(conn, workspace, row.id, None, 0, SAMPLES)
        .await?
        .into_iter()
        .map(|r| r.cells)
        .collect();
    let kind: ImportKind = parse_enum(&row.kind)?;
    // Email and calendar files have fixed columns: nothing to map.
    let suggested_mapping = if kind.is_messages() {
        BTreeMap::new()
    } else {
        match store::mapping_for_header(conn, workspace, &row.header_key).await? {
            Some(m) => mapping_of(&m),
            None => mapping::suggest(&row.column_names, &labels),
        }
    };
    let mut fields: Vec<String> = Vec::new();
    if !kind.is_messages() {
        fields.extend(mapping::FIELDS.iter().map(|f| (*f).to_owned()));
        fields.extend(labels.iter().map(|(k, _)| format!("custom.{k}")));
    }
    let status: ImportStatus = parse_enum(&row.status)?;
    let job_done = match status {
        ImportStatus::Running | ImportStatus::Queued => match row.job_id {
            Some(job) => crate::jobs::store::progress(conn, workspace, job)
                .await?
                .map(|(d, _)| d),
            None => None,
        },
        _ => None,
    };
    let progress = progress_of(status, row.row_count, job_done);
    let records_written = match status {
        ImportStatus::Failed => store::written_batches(conn, workspace, row.id)
            .await?
            .iter()
            .map(store::WrittenBatch::records)
            .sum(),
        _ => 0,
    };
    Ok(Import {
        id: row.id,
        kind,
        status,
        file_name: row.file_name,
        file_bytes: row.file_bytes,
        encoding: row.encoding,
        delimiter: row.delimiter,
        detected_format: if kind.is_messages() {
            None
        } else {
            mapping::detect_format(&row.column_names).map(str::to_owned)
        },
        columns: row.column_names,
        samples,
        suggested_mapping,
        fields,
        row_count: row.row_count,
        notices: row.notices,
        mapping: row.mapping.as_ref().map(mapping_of),
        policy: row.policy.as_deref().map(parse_enum).transpose()?,
        counts: row.counts.and_then(|c| serde_json::from_value(c).ok()),
        unmatched: row.unmatched.and_then(|u| serde_json::from_value(u).ok()),
        create_contacts: row.create_contacts,
        progress,
        result: row.result.and_then(|r| serde_json::from_value(r).ok()),
        error: row.error,
        records_written,
        created_by: row.created_by,
        created_by_name: row.created_by_name,
        created_at: row.created_at,
        updated_at: row.updated_at,
        committed_at: row.committed_at,
        rolled_back_at: row.rolled_back_at,
    })
}

/// Records committed of the file's: the job's count while it runs, all once committed.
fn progress_of(status: ImportStatus, row_count: i32, job_done: Option<i64>) -> ImportProgress {
    let total = i64::from(row_count);
    let done = match status {
        ImportStatus::Running | ImportStatus::Queued => job_done.unwrap_or(0),
        ImportStatus::Committed | ImportStatus::RolledBack => total,
        _ => 0,
    };
    ImportProgress { done, total }
}

fn summary(row: ImportRow, job_done: Option<i64>) -> AppResult<ImportSummary> {
    let status: ImportStatus = parse_enum(&row.status)?;
    Ok(ImportSummary {
        id: row.id,
        kind: parse_enum(&row.kind)?,
        status,
        progress: progress_of(status, row.row_count, job_done),
        file_name: row.file_name,
        file_bytes: row.file_bytes,
        row_count: row.row_count,
        counts: row.counts.and_then(|c| serde_json::from_value(c).ok()),
        result: row.result.and_then(|r| serde_json::from_value(r).ok()),
        error: row.error,
        created_by: row.created_by,
        created_by_name: row.created_by_name,
        created_at: row.created_at,
        updated_at: row.updated_at,
        committed_at: row.committed_at,
        rolled_back_at: row.rolled_back_at,
    })
}

/// A file as read: its table, and how it was read.
pub struct ReadFile {
    pub kind: ImportKind,
    pub encoding: String,
    pub delimiter: Option<String>,
    /// The header, and the records of a vCard file or of email and calendar files.
    pub table: super::file::Table,
    /// A CSV's records (its `table` holds only the header).
    pub csv: Option<super::file::CsvRecords>,
    pub notices: Vec<String>,
}

fn file_error(e: super::file::FileError) -> AppError {
    AppError::unprocessable(e.code(), e.message())
}

/// Reads an upload as a CSV or a vCard file (by `kind`, else by its name and content).
pub fn read_file(file_name: &str, bytes: &[u8], kind: Option<ImportKind>) -> AppResult<ReadFile> {
    let decoded = super::file::decode(bytes).map_err(file_error)?;
    let looks_vcard = decoded
        .text
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("BEGIN:VCARD");
    let kind = kind.unwrap_or(
        if looks_vcard || file_name.to_lowercase().ends_with(".vcf") || file_name.to_lowercase().ends_with(".vcard") {
            ImportKind::Vcard
        } else {
            ImportKind::ContactsCsv
        },
    );
    let mut notices = Vec::new();
    if decoded.had_errors {
        notices.push(format!(
            "Some bytes are not valid {}; the records that hold them are reported as errors.",
            decoded.encoding
        ));
    }
    let (table, csv, delimiter) = match kind {
        ImportKind::Eml | ImportKind::Mbox | ImportKind::Ics => {
            return read_messages(vec![(file_name.to_owned(), bytes.to_vec())], kind);
        }
        ImportKind::WorkspaceZip => {
            return Err(AppError::unprocessable(
                "wrong_kind",
                "a workspace export is a .zip; this file is not one",
            ));
        }
        ImportKind::ContactsCsv => {
            if looks_vcard {
                return Err(AppError::unprocessable(
                    "wrong_kind",
                    "this is a vCard file; import it with kind=vcard",
                ));
            }
            let d = super::file::sniff_delimiter(&decoded.text);
            let (columns, records) = super::file::read_csv(decoded.text, d).map_err(file_error)?;
            let shown = if d == b'\t' {
                "\t".to_owned()
            } else {
                (d as char).to_string()
            };
            let table = super::file::Table {
                columns,
                rows: Vec::new(),
            };
            (table, Some(records), Some(shown))
        }
        ImportKind::Vcard => {
            let (table, more) = super::vcard::table(&decoded.text).map_err(file_error)?;
            notices.extend(more);
            (table, None, None)
        }
    };
    Ok(ReadFile {
        kind,
        encoding: decoded.encoding.to_owned(),
        delimiter,
        table,
        csv,
        notices,
    })
}

/// The kind of email or calendar file an upload is, by its name or its first bytes.
pub fn sniff_messages(file_name: &str, bytes: &[u8]) -> Option<ImportKind> {
    let name = file_name.to_lowercase();
    if name.ends_with(".eml") {
        return Some(ImportKind::Eml);
    }
    if name.ends_with(".mbox") || name.ends_with(".mbx") {
        return Some(ImportKind::Mbox);
    }
    if name.ends_with(".ics") || name.ends_with(".ical") || name.ends_with(".ifb") {
        return Some(ImportKind::Ics);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start().replace("\r\n", "\n");
    if head.starts_with("begin:vcalendar") {
        return Some(ImportKind::Ics);
    }
    let headers = head.split("\n\n").next().unwrap_or("");
    let has = |h: &str| headers.starts_with(h) || headers.contains(&format!("\n{h}"));
    if head.starts_with("from ") && has("from:") {
        return Some(ImportKind::Mbox);
    }
    let first_is_header = headers.lines().next().is_some_and(|l| {
        l.split_once(':')
            .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    });
    (first_is_header && has("from:") && (has("date:") || has("message-id:") || has("subject:")))
        .then_some(ImportKind::Eml)
}

/// Reads email or calendar files (several `.eml` or `.ics` files at once) into records.
pub fn read_messages(files: Vec<(String, Vec<u8>)>, kind: ImportKind) -> AppResult<ReadFile> {
    use super::messages;
    if files.len() > 1 && kind == ImportKind::Mbox {
        return Err(form_error("file", "send one mbox file at a time"));
    }
    let (table, notices, encoding) = match kind {
        ImportKind::Eml => {
            let (t, n) = messages::eml(&files).map_err(file_error)?;
            (t, n, "MIME")
        }
        ImportKind::Mbox => {
            let (name, bytes) = files.first().ok_or_else(|| form_error("file", "is required"))?;
            let (t, n) = messages::mbox(name, bytes).map_err(file_error)?;
            (t, n, "MIME")
        }
        _ => {
            let mut texts = Vec::with_capacity(files.len());
            let mut encoding = "UTF-8";
            for (name, bytes) in files {
                let decoded = super::file::decode(&bytes).map_err(file_error)?;
                encoding = decoded.encoding;
                texts.push((name, decoded.text));
            }
            let (t, n) = messages::ics(&texts).map_err(file_error)?;
            (t, n, encoding)
        }
    };
    Ok(ReadFile {
        kind,
        encoding: encoding.to_owned(),
        delimiter: None,
        table,
        csv: None,
        notices,
    })
}

/// NUL cannot be stored in text: a record keeps a marker the plan reports.
fn nul_free(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    for cell in rows.iter_mut().flatten().filter(|c| c.contains('\0')) {
        *cell = cell.replace('\0', "\u{2400}");
    }
    rows
}

/// Stores an import's records a batch at a time, numbered from 1.
async fn store_records(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    records: impl Iterator<Item = Vec<String>>,
) -> AppResult<()> {
    let mut batch: Vec<Vec<String>> = Vec::with_capacity(store::BATCH);
    let mut first = 1;
    let mut records = records.peekable();
    while let Some(record) = records.next() {
        batch.push(record);
        if batch.len() == store::BATCH || records.peek().is_none() {
            let full = nul_free(std::mem::take(&mut batch));
            store::insert_rows(conn, workspace, id, first, &full).await?;
            first += full.len() as i32;
        }
    }
    Ok(())
}

/// The import's own row, for a file as read (its records are stored apart).
async fn insert_import(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    file_name: &str,
    file_bytes: usize,
    read: ReadFile,
    row_count: i32,
    now: DateTime<Utc>,
) -> AppResult<ImportRow> {
    let actor = crate::accounts::actor::current();
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect::<String>()
        .trim()
        .to_owned();
    let new = NewImportRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        kind: read.kind.as_str().to_owned(),
        file_name: if file_name.is_empty() {
            "upload".into()
        } else {
            file_name
        },
        file_bytes: file_bytes as i64,
        encoding: read.encoding,
        delimiter: read.delimiter,
        header_key: mapping::header_key(&read.table.columns),
        column_names: read.table.columns,
        row_count,
        notices: read.notices,
        created_by: actor.as_ref().map(|a| a.user_id),
        created_by_name: actor.map(|a| a.name),
        created_at: now,
        updated_at: now,
        file_id: None,
    };
    Ok(store::insert(conn, &new).await?)
}

/// Stores an uploaded file's records as a new import.
pub async fn upload(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    file_name: &str,
    file_bytes: usize,
    mut read: ReadFile,
    now: DateTime<Utc>,
) -> AppResult<Import> {
    let rows = std::mem::take(&mut read.table.rows);
    let csv = read.csv.take();
    let row_count = csv.as_ref().map_or(rows.len(), |c| c.len()) as i32;
    let row = conn
        .transaction::<_, AppError, _>(async move |conn| {
            let row = insert_import(conn, workspace, file_name, file_bytes, read, row_count, now).await?;
            match &csv {
                Some(csv) => store_records(conn, workspace, row.id, csv.iter()).await?,
                None => store_records(conn, workspace, row.id, rows.into_iter()).await?,
            }
            Ok(row)
        })
        .await?;
    to_dto(conn, workspace, row).await
}

/// Stores an mbox too large to hold in memory (it was written to a temporary file as it
/// arrived): read a message at a time on the blocking pool, its records stored a batch at a time
/// in one transaction (a file that turns out unreadable leaves nothing).
pub async fn upload_mbox_file(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    file_name: &str,
    file: std::fs::File,
    file_bytes: usize,
    now: DateTime<Utc>,
) -> AppResult<Import> {
    use std::io::Seek;
    let mut file = file;
    file.rewind().map_err(AppError::internal)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<String>>>(2);
    let label = file_name.to_owned();
    let reading = tokio::task::spawn_blocking(move || {
        let reader = std::io::BufReader::with_capacity(1 << 20, file);
        super::messages::mbox_stream(&label, reader, store::BATCH, |batch| tx.blocking_send(batch).is_ok())
    });
    let empty = ReadFile {
        kind: ImportKind::Mbox,
        encoding: "MIME".into(),
        delimiter: None,
        table: super::file::Table {
            columns: super::messages::COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
        },
        csv: None,
        notices: Vec::new(),
    };
    let row = conn
        .transaction::<_, AppError, _>(async move |conn| {
            let row = insert_import(conn, workspace, file_name, file_bytes, empty, 0, now).await?;
            let mut stored = 0usize;
            while let Some(batch) = rx.recv().await {
                let batch = nul_free(batch);
                store::insert_rows(conn, workspace, row.id, stored as i32 + 1, &batch).await?;
                stored += batch.len();
            }
            let total = reading.await.map_err(AppError::internal)?.map_err(file_error)?;
            if total != stored {
                return Err(AppError::internal(anyhow::anyhow!(
                    "{total} records read, {stored} stored"
                )));
            }
            store::change(
                conn,
                workspace,
                row.id,
                &ImportChange {
                    row_count: Some(total as i32),
                    ..Default::default()
                },
            )
            .await?;
            store::find(conn, workspace, row.id)
                .await?
                .ok_or_else(|| AppError::not_found(NOT_FOUND))
        })
        .await?;
    to_dto(conn, workspace, row).await
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Import> {
    let row = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    to_dto(conn, workspace, row).await
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> AppResult<ImportPage> {
    let mut errors = ParamErrors::default();
    let limit = errors.take(params::limit(limit)).unwrap_or(params::DEFAULT_LIMIT);
    let before = match cursor {
        None => None,
        Some(raw) => {
            let parsed = Cursor::decode(raw)
                .filter(|c| c.sort == "-created_at")
                .and_then(|c| Some((DateTime::parse_from_rfc3339(&c.value).ok()?.with_timezone(&Utc), c.id)));
            if parsed.is_none() {
                errors.push("cursor", "is not a cursor of this list");
            }
            parsed
        }
    };
    errors.finish()?;
    let mut rows = store::list(conn, workspace, before, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|(r, _)| {
            Cursor {
                sort: "-created_at".into(),
                value: r.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                id: r.id,
            }
            .encode()
        })
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|(r, done)| summary(r, done))
        .collect::<AppResult<_>>()?;
    Ok(ImportPage { items, next_cursor })
}

fn existing(row: ContactRow) -> Existing {
    let mut fields = BTreeMap::new();
    for (k, v) in [
        ("job_title", row.job_title),
        ("website", row.website),
        ("linkedin_url", row.linkedin_url),
        ("twitter_url", row.twitter_url),
        ("location", row.location),
        ("notes", row.notes),
        ("source", row.source.map(|s| s.as_str().to_owned())),
        ("lifecycle", Some(row.lifecycle.as_str().to_owned())),
    ] {
        if let Some(v) = v {
            fields.insert(k, v);
        }
    }
    Existing {
        id: row.id,
        version: row.version,
        first_name: row.first_name,
        last_name: row.last_name,
        emails: row.emails,
        phones: row.phones,
        company_id: row.company_id,
        company_name: row.company_name,
        fields,
        tags: row.tags,
        custom: row.custom_fields.as_object().cloned().unwrap_or_default(),
    }
}

/// What a record read with the mapping is, by its number.
type Read = Vec<(i32, Result<Candidate, RowError>)>;

/// The mapping, the import's columns and the custom fields, shared by the reading tasks.
type Reading = std::sync::Arc<(Vec<String>, plan::Resolved, Vec<Def>)>;

/// Reads records with the mapping: CPU work, off the threads that answer requests, in two
/// halves at once (the records are independent).
async fn read_records(
    shared: &Reading,
    country: Option<phonenumber::country::Id>,
    mut cells: Vec<(i32, Vec<String>)>,
) -> AppResult<Read> {
    let part = |part: Vec<(i32, Vec<String>)>| {
        let shared = shared.clone();
        crate::jobs::cpu::run(move || {
            let (columns, resolved, defs) = &*shared;
            part.into_iter()
                .map(|(n, cells)| {
                    let cells: Vec<String> = cells.into_iter().map(|c| c.replace('\u{2400}', "\0")).collect();
                    (n, plan::read(columns, &cells, resolved, defs, country))
                })
                .collect::<Read>()
        })
    };
    let first: Vec<(i32, Vec<String>)> = cells.drain(..cells.len().div_ceil(2)).collect();
    let (first, second) = tokio::join!(part(first), part(cells));
    let mut read = first?;
    read.extend(second?);
    Ok(read)
}

/// Records planned at a time: two batches are in memory at once (one decided while the
/// previous one's outcomes are written), about 5 KB a record with its outcome.
const PLAN_BATCH: usize = 2_000;

/// The record numbers of an import of `rows` records, `size` at a time.
fn batches(rows: i32, size: usize) -> impl Iterator<Item = (i32, i32)> {
    (1..=rows)
        .step_by(size)
        .map(move |from| (from, from.saturating_add(size as i32 - 1).min(rows)))
}

/// Plans every record of the import — read with the mapping, matched, decided — and stores
/// each outcome; returns the counts. Memory holds one batch of records at a time: a first pass
/// collects the keys records match by (emails, phones, LinkedIn URLs), one statement finds the
/// contacts that hold them, and a second pass reads the records again, decides them and writes
/// their outcomes, the next batch decided while the previous one's plan is written.
async fn plan_rows(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    raw_mapping: &BTreeMap<String, String>,
    policy: Policy,
    lock: bool,
) -> AppResult<ImportCounts> {
    let (defs, _) = defs(conn, workspace).await?;
    let resolved = plan::resolve(&import.column_names, raw_mapping, &defs).map_err(AppError::validation)?;
    let settings = crate::settings::service::get(conn, workspace).await?;
    let country = settings
        .default_country
        .as_deref()
        .and_then(crate::settings::dto::country);
    let shared: Reading = std::sync::Arc::new((import.column_names.clone(), resolved, defs));
    let id = import.id;
    let started = std::time::Instant::now();

    // First pass: the keys, the next batch's records read from the database while the
    // previous batch is read with the mapping.
    let mut keys = plan::Keys::default();
    let mut ranges = batches(import.row_count, PLAN_BATCH);
    let mut cells = match ranges.next() {
        Some(range) => Some(store::cells(conn, workspace, id, range).await?),
        None => None,
    };
    while let Some(batch) = cells.take() {
        let next = ranges.next();
        let (read, fetched) = tokio::join!(read_records(&shared, country, batch), async {
            match next {
                Some(range) => store::cells(conn, workspace, id, range).await.map(Some),
                None => Ok(None),
            }
        });
        keys.add(&read?);
        cells = fetched?;
    }
    let keyed = started.elapsed();
    let matches = {
        let (emails, phones, linkedin) = keys.finish();
        let phone_keys: Vec<String> = phones.iter().flat_map(|p| store::phone_keys(p)).collect();
        drop(phones);
        store::matching_contacts(conn, workspace, &emails, &phone_keys, &linkedin, lock).await?
    };
    let matches: Vec<Existing> = matches.into_iter().map(existing).collect();
    let looked_up = started.elapsed();

    // Second pass: read and decide a batch while the previous batch's outcomes are written.
    let mut decider = plan::Decider::new(matches, policy, country);
    let mut counts = ImportCounts::default();
    let mut decided: Option<Vec<Outcome>> = None;
    for range in batches(import.row_count, PLAN_BATCH) {
        let cells = store::cells(conn, workspace, id, range).await?;
        let shared = &shared;
        let work = async move {
            let read = read_records(shared, country, cells).await?;
            crate::jobs::cpu::run(move || {
                let mut d = decider;
                let outcomes: Vec<Outcome> = read.into_iter().map(|(n, c)| d.next(n, c, Uuid::now_v7)).collect();
                (d, outcomes)
            })
            .await
        };
        let previous = decided.take();
        let (worked, saved) = tokio::join!(work, async {
            match previous {
                Some(outcomes) => save_plan(conn, workspace, id, outcomes).await,
                None => Ok(()),
            }
        });
        saved?;
        let (d, outcomes) = worked?;
        add_counts(&mut counts, &outcomes);
        decider = d;
        decided = Some(outcomes);
    }
    if let Some(outcomes) = decided {
        save_plan(conn, workspace, id, outcomes).await?;
    }
    tracing::debug!(
        import = %id,
        records = import.row_count,
        keys_ms = keyed.as_millis() as u64,
        lookup_ms = (looked_up - keyed).as_millis() as u64,
        decide_and_write_ms = (started.elapsed() - looked_up).as_millis() as u64,
        "import planned"
    );
    Ok(counts)
}

async fn save_plan(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    outcomes: Vec<Outcome>,
) -> AppResult<()> {
    let planned = crate::jobs::cpu::run(move || planned_outcomes(outcomes)).await?;
    store::save_outcomes(conn, workspace, id, &planned).await?;
    Ok(())
}

/// The outcomes as their statement binds them, the JSON written out.
fn planned_outcomes(outcomes: Vec<Outcome>) -> store::PlannedOutcomes {
    let json = |v: &serde_json::Value| v.to_string();
    let mut p = store::PlannedOutcomes::default();
    for o in outcomes {
        p.row_no.push(o.row_no);
        p.outcome.push(o.kind.as_str());
        p.params
            .push((!o.params.is_empty()).then(|| json(&serde_json::Value::Object(o.params))));
        p.reason.push(o.reason);
        p.code.push(o.code);
        p.column.push(o.column);
        p.contact_id.push(o.contact_id);
        p.payload.push(o.payload.as_ref().map(json));
        p.before.push(o.before.as_ref().map(json));
        p.version.push(o.version);
    }
    p
}

/// The addresses a preview is asked to create contacts for, checked and in lower case.
fn addresses_to_create(raw: Vec<String>) -> AppResult<Vec<String>> {
    let mut errors = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for (i, a) in raw.iter().enumerate() {
        let a = a.trim().to_lowercase();
        if !validator::ValidateEmail::validate_email(&a) || a.len() > 254 {
            errors.push(FieldError::new(
                format!("create_contacts[{i}]"),
                "must be an email address",
            ));
        } else if !out.contains(&a) {
            out.push(a);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::validation(errors))
    }
}

/// Plans every record of an email or calendar import and stores each outcome: the counts, the
/// addresses no contact has (at most 1,000) and the contacts to create.
async fn plan_messages(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    create: &[String],
) -> AppResult<(ImportCounts, Vec<UnmatchedAddress>, Vec<super::messages::NewPerson>)> {
    use super::messages;
    let records = store::message_heads(conn, workspace, import.id).await?;
    let mut emails: HashSet<String> = HashSet::new();
    let mut refs: HashSet<String> = HashSet::new();
    for (_, cells) in &records {
        for column in [messages::FROM, messages::TO, messages::CC] {
            if let Some(cell) = cells.get(column) {
                emails.extend(messages::split_mailboxes(cell).into_iter().map(|(_, e)| e));
            }
        }
        if let Some(r) = cells.get(messages::ID).filter(|r| !r.is_empty()) {
            refs.insert(r.clone());
        }
    }
    let emails: Vec<String> = emails.into_iter().collect();
    let refs: Vec<String> = refs.into_iter().collect();
    let known = messages::Known {
        own: store::member_emails(conn, workspace).await?.into_iter().collect(),
        contacts: store::contacts_by_email(conn, workspace, &emails)
            .await?
            .into_iter()
            .map(|o| (o.email, (o.id, o.name)))
            .collect(),
        imported: store::imported_refs(conn, workspace, &refs)
            .await?
            .into_iter()
            .map(|r| (r.contact_id, r.external_ref))
            .collect(),
        create: create.iter().cloned().collect(),
    };
    let (outcomes, people, unmatched) =
        crate::jobs::cpu::run(move || messages::plan(&records, &known, Uuid::now_v7)).await?;
    let mut counts = ImportCounts::default();
    add_counts(&mut counts, &outcomes);
    let mut outcomes = outcomes.into_iter().peekable();
    while outcomes.peek().is_some() {
        let chunk: Vec<Outcome> = outcomes.by_ref().take(store::BATCH).collect();
        save_plan(conn, workspace, import.id, chunk).await?;
    }
    let unmatched = unmatched
        .into_iter()
        .take(1000)
        .map(|u| UnmatchedAddress {
            email: u.email,
            name: u.name,
            messages: u.messages,
        })
        .collect();
    Ok((counts, unmatched, people))
}

/// The commit of an email or calendar import, inside the caller's transaction: planned again
/// (messages imported since are not added twice), the contacts for chosen addresses created,
/// the interactions added a batch at a time, follow-ups rescheduled.
async fn commit_messages(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    progress: &mut impl Progress,
    now: DateTime<Utc>,
    started: std::time::Instant,
) -> AppResult<(Option<ImportCounts>, ImportResult)> {
    let create = import.create_contacts.clone().unwrap_or_default();
    let (counts, unmatched, people) = plan_messages(conn, workspace, import, &create).await?;
    let contacts_created = if people.is_empty() {
        0
    } else {
        store::insert_address_contacts(conn, workspace, &people, &import.file_name, now).await? as i64
    };
    let last = import.row_count;
    let mut added = 0i64;
    let mut from = 1;
    while from <= last {
        let to = from.saturating_add(store::BATCH as i32 - 1);
        added +=
            store::insert_interactions(conn, workspace, import.id, (from, to), &import.file_name, now).await? as i64;
        progress.report(i64::from(to.min(last)), i64::from(last)).await;
        from = to.saturating_add(1);
    }
    let touched = store::interaction_contacts(conn, workspace, import.id).await?;
    crate::contacts::store::refresh_follow_ups(conn, workspace, &touched).await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    store::record_import_contacts(conn, workspace, import.id, &ids).await?;
    store::change(
        conn,
        workspace,
        import.id,
        &ImportChange {
            unmatched: Some(Some(serde_json::json!(unmatched))),
            ..Default::default()
        },
    )
    .await?;
    let result = ImportResult {
        created: added,
        skipped: counts.skip,
        errors: counts.error,
        contacts_created,
        seconds: (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        ..Default::default()
    };
    Ok((Some(counts), result))
}

fn add_counts(c: &mut ImportCounts, outcomes: &[Outcome]) {
    for o in outcomes {
        match o.kind {
            Kind::Create => c.create += 1,
            Kind::Update => c.update += 1,
            Kind::Skip => c.skip += 1,
            Kind::Error => c.error += 1,
        }
    }
}

fn policy_of(p: Option<ImportPolicy>) -> Policy {
    match p {
        Some(ImportPolicy::Overwrite) => Policy::Overwrite,
        Some(ImportPolicy::SkipExisting) => Policy::SkipExisting,
        Some(ImportPolicy::FillEmpty) | None => Policy::FillEmpty,
    }
}

fn plan_dto(r: store::PlannedRow) -> ImportRowPlan {
    let mut changes = Vec::new();
    if r.outcome.as_deref() == Some("update")
        && let (Some(serde_json::Value::Object(new)), Some(serde_json::Value::Object(old))) = (&r.payload, &r.before)
    {
        for (field, value) in new {
            let before = old.get(field).cloned().unwrap_or(serde_json::Value::Null);
            if let (serde_json::Value::Object(nv), "custom_fields") = (value, field.as_str()) {
                for (k, v) in nv {
                    changes.push(FieldChange {
                        field: format!("custom.{k}"),
                        old: before.get(k).cloned().unwrap_or(serde_json::Value::Null),
                        new: v.clone(),
                    });
                }
            } else {
                changes.push(FieldChange {
                    field: field.clone(),
                    old: before,
                    new: value.clone(),
                });
            }
        }
    }
    let contact_ids = r
        .payload
        .as_ref()
        .and_then(|p| p.get("targets"))
        .and_then(serde_json::Value::as_array)
        .map(|targets| {
            targets
                .iter()
                .filter_map(|t| t.get("contact_id")?.as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    ImportRowPlan {
        row: r.row_no,
        contact_ids,
        outcome: r.outcome.as_deref().and_then(|o| o.parse().ok()),
        reason: r.reason,
        reason_code: r.reason_code,
        reason_params: match r.reason_params {
            Some(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        },
        column: r.error_column,
        contact_id: r.contact_id,
        changes,
        cells: r.cells.into_iter().map(|c| c.replace('\u{2400}', "\u{FFFD}")).collect(),
        rollback: r.rollback,
    }
}

/// A page of planned records after record `after`, of one outcome when given.
pub async fn rows(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    outcome: Option<RowOutcome>,
    after: i32,
    limit: i64,
) -> AppResult<ImportPreview> {
    let import = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    let counts = counts_of(store::outcome_counts(conn, workspace, import.id).await?);
    let mut page = store::planned(conn, workspace, id, outcome.map(RowOutcome::as_str), after, limit + 1).await?;
    let next_after = if page.len() as i64 > limit {
        page.truncate(limit as usize);
        page.last().map(|r| r.row_no)
    } else {
        None
    };
    let unmatched = if parse_enum::<ImportKind>(&import.kind)?.is_messages() {
        import.unmatched.and_then(|u| serde_json::from_value(u).ok())
    } else {
        None
    };
    Ok(ImportPreview {
        counts,
        unmatched,
        rows: page.into_iter().map(plan_dto).collect(),
        next_after,
    })
}

fn refuse_status(import: &ImportRow, allowed: &[&str], doing: &str) -> AppResult<()> {
    if allowed.contains(&import.status.as_str()) {
        return Ok(());
    }
    Err(AppError::conflict(
        "import_state",
        format!(
            "this import is {}; it cannot be {doing}",
            import.status.replace('_', " ")
        ),
    ))
}

/// Plans every record with a mapping and policy, and returns the counts and the first page.
pub async fn preview(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: PreviewImport,
) -> AppResult<ImportPreview> {
    let policy = input.policy.unwrap_or(ImportPolicy::FillEmpty);
    let mapping = input.mapping;
    conn.transaction::<_, AppError, _>(async move |conn| {
        let import = store::lock(conn, workspace, id)
            .await?
            .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
        if import.kind == ImportKind::WorkspaceZip.as_str() {
            return Err(AppError::conflict(
                "import_state",
                "a workspace export is restored as a whole: commit it without a preview",
            ));
        }
        refuse_status(&import, &["uploaded", "previewed", "failed"], "previewed again")?;
        if !store::written_batches(conn, workspace, id).await?.is_empty() {
            return Err(AppError::conflict("import_state", PARTLY_WRITTEN));
        }
        if parse_enum::<ImportKind>(&import.kind)?.is_messages() {
            if !mapping.is_empty() {
                return Err(AppError::validation(vec![FieldError::new(
                    "mapping",
                    "an email or calendar file has fixed columns: leave the mapping out",
                )]));
            }
            let create = addresses_to_create(input.create_contacts.unwrap_or_default())?;
            let (counts, unmatched, _) = plan_messages(conn, workspace, &import, &create).await?;
            store::change(
                conn,
                workspace,
                id,
                &ImportChange {
                    status: Some("previewed".into()),
                    counts: Some(serde_json::json!(counts)),
                    unmatched: Some(Some(serde_json::json!(unmatched))),
                    create_contacts: Some(Some(create)),
                    error: Some(None),
                    updated_at: Some(Utc::now()),
                    ..Default::default()
                },
            )
            .await?;
            return Ok(());
        }
        if input.create_contacts.is_some() {
            return Err(AppError::validation(vec![FieldError::new(
                "create_contacts",
                "is for email and calendar imports; a contact file creates its contacts from its records",
            )]));
        }
        let counts = plan_rows(conn, workspace, &import, &mapping, policy_of(Some(policy)), false).await?;
        let stamp = crate::db::fresh::stamp(conn, workspace).await?;
        store::change(
            conn,
            workspace,
            id,
            &ImportChange {
                status: Some("previewed".into()),
                mapping: Some(serde_json::json!(mapping)),
                policy: Some(policy.as_str().into()),
                counts: Some(serde_json::json!(counts)),
                error: Some(None),
                updated_at: Some(Utc::now()),
                planned_stamp: Some(stamp),
                ..Default::default()
            },
        )
        .await?;
        Ok(())
    })
    .await?;
    rows(conn, workspace, id, None, 0, params::DEFAULT_LIMIT).await
}

/// Queues the commit of a previewed import.
pub async fn commit(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Import> {
    let row = conn
        .transaction::<_, AppError, _>(async move |conn| {
            let import = store::lock(conn, workspace, id)
                .await?
                .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
            let archive = import.kind == ImportKind::WorkspaceZip.as_str();
            if import.status == "uploaded" && !archive {
                return Err(AppError::conflict(
                    "import_state",
                    "preview the import with a mapping before committing it",
                ));
            }
            if archive && store::workspace_has_records(conn, workspace).await? {
                return Err(AppError::conflict("workspace_not_empty", NOT_EMPTY));
            }
            refuse_status(&import, &["uploaded", "previewed", "failed"], "committed")?;
            let mut job = crate::jobs::new_job(crate::jobs::IMPORT, now, now);
            job.workspace_id = Some(workspace);
            job.payload = serde_json::json!({ "import_id": id });
            job.max_attempts = 1;
            job.created_by = crate::accounts::actor::current().map(|a| a.user_id);
            job.dedupe_key = Some(format!("import:{id}:{}", now.timestamp_micros()));
            crate::jobs::store::enqueue(conn, &job).await?;
            store::change(
                conn,
                workspace,
                id,
                &ImportChange {
                    status: Some("queued".into()),
                    job_id: Some(job.id),
                    error: Some(None),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )
            .await?;
            store::find(conn, workspace, id)
                .await?
                .ok_or_else(|| AppError::not_found(NOT_FOUND))
        })
        .await?;
    to_dto(conn, workspace, row).await
}

pub use crate::jobs::Progress;

/// Writes a stored plan: the companies, then the new and the changed contacts a batch at a
/// time; returns how many companies were created. An update whose contact moved since the plan
/// is a `import_stale` problem (the caller plans again).
async fn apply(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    counts: &ImportCounts,
    progress: &mut impl Progress,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let id = import.id;
    // The contacts' and companies' search index entries are merged once, at the end.
    crate::search::service::defer_index_merges(conn).await?;
    let companies = store::create_companies(conn, workspace, id, now).await? as i64;
    let total = (counts.create + counts.update).max(1);
    let last = import.row_count;
    let (mut done, mut updated) = (0i64, 0i64);
    let mut from = 1;
    while from <= last {
        let to = from.saturating_add(store::BATCH as i32 - 1);
        done += store::insert_contacts(conn, workspace, id, (from, to), &import.file_name, now).await? as i64;
        let n = store::update_contacts(conn, workspace, id, (from, to), &import.file_name, now).await? as i64;
        done += n;
        updated += n;
        progress.report(done, total).await;
        from = to.saturating_add(1);
    }
    if updated != counts.update {
        return Err(AppError::conflict(
            "import_stale",
            "contacts changed while the import was planned; plan it again",
        ));
    }
    crate::search::service::merge_pending(conn, "contacts").await?;
    crate::search::service::merge_pending(conn, "companies").await?;
    Ok(companies)
}

/// The commit itself, run by the job worker. A file of one batch (up to 5,000 records) is
/// written in one transaction — all of it or nothing — after planning it again under a lock if
/// the data changed since the preview. A longer file is written a batch at a time, two batches
/// at once when `helper` (a second connection) is given: see [`commit_in_batches`].
pub async fn run_commit(
    conn: &mut AsyncPgConnection,
    helper: Option<Helper<'_>>,
    workspace: WorkspaceId,
    id: Uuid,
    progress: &mut impl Progress,
    now: DateTime<Utc>,
) -> AppResult<ImportResult> {
    let started = std::time::Instant::now();
    let import = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    if import.status == "committed" {
        // A repeated run of a finished commit.
        return Ok(import
            .result
            .and_then(|r| serde_json::from_value(r).ok())
            .unwrap_or_default());
    }
    store::change(
        conn,
        workspace,
        id,
        &ImportChange {
            status: Some("running".into()),
            updated_at: Some(now),
            ..Default::default()
        },
    )
    .await?;
    if writes_in_batches(&import) {
        return commit_in_batches(conn, helper, workspace, &import, progress, now, started).await;
    }
    let outcome = conn
        .transaction::<_, AppError, _>(async |conn| {
            let import = store::lock(conn, workspace, id)
                .await?
                .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
            let (counts, result) = if import.kind == ImportKind::WorkspaceZip.as_str() {
                let restored = restore_archive(conn, workspace, &import, progress).await?;
                let result = ImportResult {
                    created: restored.values().sum(),
                    seconds: (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
                    restored: Some(restored),
                    ..Default::default()
                };
                (None, result)
            } else if parse_enum::<ImportKind>(&import.kind)?.is_messages() {
                commit_messages(conn, workspace, &import, progress, now, started).await?
            } else {
                commit_records(conn, workspace, &import, progress, now, started).await?
            };
            store::change(
                conn,
                workspace,
                id,
                &ImportChange {
                    status: Some("committed".into()),
                    counts: counts.map(|c| serde_json::json!(c)),
                    result: Some(serde_json::json!(result)),
                    committed_at: Some(now),
                    updated_at: Some(Utc::now()),
                    ..Default::default()
                },
            )
            .await?;
            // In the history (and to webhooks as `import.finished`), with the import's author;
            // a restored workspace's history is the one it was exported with.
            if import.kind != ImportKind::WorkspaceZip.as_str() {
                record_finished(conn, workspace, &import, &result).await?;
            }
            Ok(result)
        })
        .await;
    if let Err(e) = &outcome {
        let message = e.detail().to_owned();
        store::change(
            conn,
            workspace,
            id,
            &ImportChange {
                status: Some("failed".into()),
                error: Some(Some(format!("Nothing was imported: {message}"))),
                updated_at: Some(Utc::now()),
                ..Default::default()
            },
        )
        .await?;
    }
    outcome
}

/// Records a long file's commit writes per transaction. On the 100,000-record benchmark the
/// commit took 10.9–11.3 s with 5,000, 13.6 s with 2,500 and 11.7 s with 10,000.
const COMMIT_BATCH: usize = 5_000;

/// Whether the import's commit writes its records a batch per transaction: a CSV or vCard file
/// longer than one batch.
pub fn writes_in_batches(import: &ImportRow) -> bool {
    let records = matches!(
        import.kind.parse::<ImportKind>(),
        Ok(kind) if kind != ImportKind::WorkspaceZip && !kind.is_messages()
    );
    records && import.row_count as usize > COMMIT_BATCH
}

/// A second connection for a long file's commit, and what says when it should step aside: while
/// `in_use()` (requests are being answered) it takes no new batch, and the commit goes on one
/// batch at a time on the first connection, leaving requests a core.
pub struct Helper<'a> {
    pub conn: &'a mut AsyncPgConnection,
    pub in_use: &'a (dyn Fn() -> bool + Sync),
}

/// How long the second connection waits before it looks again whether requests are being
/// answered.
const STEP_ASIDE: std::time::Duration = std::time::Duration::from_millis(100);

/// What the workers writing an import's batches share.
struct Batches<'a, P> {
    workspace: WorkspaceId,
    import: &'a ImportRow,
    now: DateTime<Utc>,
    /// The batches still to write, taken in record order.
    queue: std::sync::Mutex<std::collections::VecDeque<(i32, i32)>>,
    /// Set when a batch failed: the other worker stops after the batch it is writing.
    stop: std::sync::atomic::AtomicBool,
    /// Records written so far (creates and updates), of `total`.
    done: std::sync::atomic::AtomicI64,
    total: i64,
    progress: tokio::sync::Mutex<&'a mut P>,
}

/// Writes one batch of records in its own transaction: the planned creates, then the planned
/// updates whose contact has not moved since the plan (the others become errors), and the
/// record that the batch was written. Returns (created, updated).
async fn write_batch(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    range: (i32, i32),
    now: DateTime<Utc>,
) -> AppResult<(i32, i32)> {
    let id = import.id;
    conn.transaction::<_, AppError, _>(async |conn| {
        crate::search::service::defer_index_merges(conn).await?;
        let created = store::insert_contacts(conn, workspace, id, range, &import.file_name, now).await?;
        let mut updated = 0;
        let planned = store::planned_updates(conn, workspace, id, range).await?;
        if planned > 0 {
            let planned = planned - store::set_aside_moved_updates(conn, workspace, id, range).await? as i64;
            updated = store::update_contacts(conn, workspace, id, range, &import.file_name, now).await?;
            if updated as i64 != planned {
                return Err(AppError::conflict(
                    "import_stale",
                    "contacts changed while the import was written; commit again",
                ));
            }
            store::record_versions(conn, workspace, id, range).await?;
        }
        let counts = (
            i32::try_from(created).map_err(AppError::internal)?,
            i32::try_from(updated).map_err(AppError::internal)?,
        );
        store::record_batch(conn, workspace, id, range, counts, now).await?;
        crate::search::service::merge_pending(conn, "contacts").await?;
        Ok(counts)
    })
    .await
}

/// One worker: takes the next batch and writes it until none is left or a batch failed. A worker
/// given `in_use` takes no batch while it says so.
async fn batch_worker<P: Progress>(
    conn: &mut AsyncPgConnection,
    shared: &Batches<'_, P>,
    in_use: Option<&(dyn Fn() -> bool + Sync)>,
) -> AppResult<()> {
    use std::sync::atomic::Ordering;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        if in_use.is_some_and(|in_use| in_use()) {
            let empty = shared
                .queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .is_empty();
            if empty {
                return Ok(());
            }
            tokio::time::sleep(STEP_ASIDE).await;
            continue;
        }
        let next = shared
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front();
        let Some(range) = next else {
            return Ok(());
        };
        match write_batch(conn, shared.workspace, shared.import, range, shared.now).await {
            Ok((created, updated)) => {
                let done = shared
                    .done
                    .fetch_add(i64::from(created) + i64::from(updated), Ordering::SeqCst)
                    + i64::from(created)
                    + i64::from(updated);
                shared.progress.lock().await.report(done, shared.total).await;
            }
            Err(e) => {
                shared.stop.store(true, Ordering::SeqCst);
                return Err(e);
            }
        }
    }
}

/// The commit of a file longer than one batch. A single transaction would keep one core busy
/// for the whole file; instead each batch of 5,000 records is written in its own transaction,
/// two at once, and recorded in `import_batches` as it commits. The stored plan is used (planned
/// again first if the data changed since the preview, as for a short file); an update whose
/// contact was edited meanwhile becomes an error rather than overwrite the edit.
///
/// A commit that stops part way is never silently half-done: a failure marks the import
/// `failed`, says how many records were written, and leaves two ways out — commit again, which
/// writes only the batches not yet written (the plan is kept), or roll back what was written.
/// A server that dies mid-commit leaves the job to another worker once its lease lapses, and
/// that run resumes the same way.
async fn commit_in_batches(
    conn: &mut AsyncPgConnection,
    helper: Option<Helper<'_>>,
    workspace: WorkspaceId,
    import: &ImportRow,
    progress: &mut impl Progress,
    now: DateTime<Utc>,
    started: std::time::Instant,
) -> AppResult<ImportResult> {
    let id = import.id;
    let written = write_batches(conn, helper, workspace, import, progress, now).await;
    let batches = store::written_batches(conn, workspace, id).await?;
    let created: i64 = batches.iter().map(|b| i64::from(b.created)).sum();
    let updated: i64 = batches.iter().map(|b| i64::from(b.updated)).sum();
    if let Err(e) = written {
        let message = e.detail().to_owned();
        let error = if batches.is_empty() {
            format!("Nothing was imported: {message}")
        } else {
            let records: i64 = batches.iter().map(store::WrittenBatch::records).sum();
            format!(
                "Partly imported: {records} of {} records were written ({created} contacts created, {updated} updated) \
                 before this failure: {message}. Commit again to write the rest, or roll back what was written.",
                import.row_count
            )
        };
        store::change(
            conn,
            workspace,
            id,
            &ImportChange {
                status: Some("failed".into()),
                error: Some(Some(error)),
                updated_at: Some(Utc::now()),
                ..Default::default()
            },
        )
        .await?;
        return Err(e);
    }
    let counts = counts_of(store::outcome_counts(conn, workspace, id).await?);
    let result = ImportResult {
        created,
        updated,
        skipped: counts.skip,
        errors: counts.error,
        companies_created: store::created_companies(conn, workspace, id).await?,
        seconds: (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        ..Default::default()
    };
    conn.transaction::<_, AppError, _>(async |conn| {
        // Each batch recorded its contacts' versions as it wrote them.
        store::refresh_updated_follow_ups(conn, workspace, id).await?;
        store::change(
            conn,
            workspace,
            id,
            &ImportChange {
                status: Some("committed".into()),
                counts: Some(serde_json::json!(counts)),
                result: Some(serde_json::json!(result)),
                committed_at: Some(now),
                updated_at: Some(Utc::now()),
                ..Default::default()
            },
        )
        .await?;
        record_finished(conn, workspace, import, &result).await
    })
    .await?;
    Ok(result)
}

/// Plans again if needed, creates the companies, then writes the batches not yet written.
async fn write_batches(
    conn: &mut AsyncPgConnection,
    helper: Option<Helper<'_>>,
    workspace: WorkspaceId,
    import: &ImportRow,
    progress: &mut impl Progress,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let id = import.id;
    let written = store::written_batches(conn, workspace, id).await?;
    if written.is_empty() {
        // A first run: the records are planned again (under locks, as for a short file) unless
        // the preview's plan still holds.
        if stored_plan(conn, workspace, import).await?.is_none() {
            let (mapping, policy) = mapping_and_policy(import);
            conn.transaction::<_, AppError, _>(async |conn| {
                plan_rows(conn, workspace, import, &mapping, policy, true)
                    .await
                    .map(|_| ())
            })
            .await?;
        }
    }
    // Only the companies not there yet are created, so a resumed commit creates none twice.
    conn.transaction::<_, AppError, _>(async |conn| {
        store::create_companies(conn, workspace, id, now)
            .await
            .map_err(AppError::from)
    })
    .await?;
    let counts = counts_of(store::outcome_counts(conn, workspace, id).await?);
    let done: i64 = written
        .iter()
        .map(|b| i64::from(b.created) + i64::from(b.updated))
        .sum();
    let queue: std::collections::VecDeque<(i32, i32)> = batches(import.row_count, COMMIT_BATCH)
        .filter(|(from, _)| !written.iter().any(|b| b.first_row == *from))
        .collect();
    let shared = Batches {
        workspace,
        import,
        now,
        queue: std::sync::Mutex::new(queue),
        stop: std::sync::atomic::AtomicBool::new(false),
        done: std::sync::atomic::AtomicI64::new(done),
        // The plan's creates and updates cover the whole file, the written batches included.
        total: (counts.create + counts.update).max(1),
        progress: tokio::sync::Mutex::new(progress),
    };
    match helper {
        Some(helper) => {
            let (a, b) = tokio::join!(
                batch_worker(conn, &shared, None),
                batch_worker(helper.conn, &shared, Some(helper.in_use))
            );
            a.and(b)
        }
        None => batch_worker(conn, &shared, None).await,
    }
}

/// Records the finished import in the history (and to webhooks as `import.finished`), with the
/// import's author.
async fn record_finished(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    result: &ImportResult,
) -> AppResult<()> {
    crate::activity::service::record(
        conn,
        workspace,
        crate::activity::service::Change {
            entity: crate::activity::service::Entity::Import,
            entity_id: import.id,
            action: crate::activity::service::Action::Completed,
            summary: crate::summary!(
                ImportFinished,
                file = import.file_name,
                created = result.created,
                updated = result.updated,
                skipped = result.skipped,
                errors = result.errors
            ),
            contact_id: None,
            fields: &[],
        },
    )
    .await?;
    Ok(())
}

/// The mapping and the policy the import was previewed with.
fn mapping_and_policy(import: &ImportRow) -> (BTreeMap<String, String>, Policy) {
    let mapping = import.mapping.as_ref().map(mapping_of).unwrap_or_default();
    let policy = import
        .policy
        .as_deref()
        .and_then(Policy::parse)
        .unwrap_or(Policy::FillEmpty);
    (mapping, policy)
}

/// The preview's counts while its stored plan holds: nothing was written to the workspace since
/// it was made (the updates also check each contact's version as they are applied).
async fn stored_plan(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
) -> AppResult<Option<ImportCounts>> {
    let stamp = crate::db::fresh::stamp(conn, workspace).await?;
    if import.planned_stamp.is_none() || import.planned_stamp != stamp {
        return Ok(None);
    }
    Ok(import.counts.clone().and_then(|c| serde_json::from_value(c).ok()))
}

/// Plans (or reuses the preview's plan) and writes the records of a CSV or vCard import, inside
/// the caller's transaction; the counts and the result.
async fn commit_records(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    progress: &mut impl Progress,
    now: DateTime<Utc>,
    started: std::time::Instant,
) -> AppResult<(Option<ImportCounts>, ImportResult)> {
    let (mapping, policy) = mapping_and_policy(import);
    let fresh_plan = stored_plan(conn, workspace, import).await?;
    let reused = fresh_plan.is_some();
    let counts = match fresh_plan {
        Some(c) => c,
        None => plan_rows(conn, workspace, import, &mapping, policy, true).await?,
    };
    let applied = conn
        .transaction::<_, AppError, _>(async |conn| apply(conn, workspace, import, &counts, progress, now).await)
        .await;
    let (counts, companies_created) = match applied {
        Ok(companies) => (counts, companies),
        Err(e) if reused && e.code() == "import_stale" => {
            // A contact moved under the stored plan: plan again, under locks this time.
            let counts = plan_rows(conn, workspace, import, &mapping, policy, true).await?;
            let companies = apply(conn, workspace, import, &counts, progress, now).await?;
            (counts, companies)
        }
        Err(e) => return Err(e),
    };
    store::finish_commit(conn, workspace, import.id).await?;
    let result = ImportResult {
        created: counts.create,
        updated: counts.update,
        skipped: counts.skip,
        errors: counts.error,
        companies_created,
        seconds: (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        ..Default::default()
    };
    Ok((Some(counts), result))
}

/// The rollback of a CSV or vCard import, inside the caller's transaction.
async fn undo_records(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    now: DateTime<Utc>,
) -> AppResult<RollbackResult> {
    let id = import.id;
    store::plan_rollback(conn, workspace, id).await?;
    // A batch of records per statement, as the commit wrote them: every statement stays short
    // whatever the file's length (one statement for a 100,000-record import took 12.5 s, and the
    // longest file allowed would pass the statement time limit), and the search indexes merge
    // each batch's entries once.
    for range in batches(import.row_count, COMMIT_BATCH) {
        crate::search::service::defer_index_merges(conn).await?;
        store::remove_created(conn, workspace, id, range, &import.file_name, now).await?;
        store::revert_updated(conn, workspace, id, range, &import.file_name, now).await?;
        crate::search::service::merge_pending(conn, "contacts").await?;
    }
    let companies_removed = store::remove_created_companies(conn, workspace, id, now).await? as i64;
    let mut rb = RollbackResult {
        companies_removed,
        ..Default::default()
    };
    for c in store::rollback_counts(conn, workspace, id).await? {
        match c.outcome.as_deref() {
            Some("removed") => rb.removed = c.n,
            Some("reverted") => rb.reverted = c.n,
            Some("kept_changed") => rb.kept_changed = c.n,
            Some("kept_missing") => rb.kept_missing = c.n,
            _ => {}
        }
    }
    store::refresh_updated_follow_ups(conn, workspace, id).await?;
    Ok(rb)
}

/// The rollback of an email or calendar import, inside the caller's transaction.
async fn undo_messages(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    now: DateTime<Utc>,
) -> AppResult<RollbackResult> {
    let id = import.id;
    let touched = store::interaction_contacts(conn, workspace, id).await?;
    let interactions = store::remove_imported_interactions(conn, workspace, id, &import.file_name, now).await?;
    let contacts = store::remove_import_contacts(conn, workspace, id, &import.file_name, now).await?;
    crate::contacts::store::refresh_follow_ups(conn, workspace, &touched).await?;
    Ok(RollbackResult {
        removed: contacts.removed,
        kept_changed: interactions.kept + contacts.kept,
        interactions_removed: interactions.removed,
        ..Default::default()
    })
}

/// Undoes a committed import: the contacts it created go to the trash, the fields it updated
/// get their previous values back; a contact edited since is kept as it is and reported.
pub async fn rollback(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Import> {
    let row = conn
        .transaction::<_, AppError, _>(async move |conn| {
            let import = store::lock(conn, workspace, id)
                .await?
                .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
            if import.status == "rolled_back" {
                return Err(AppError::conflict("import_state", "this import is already rolled back"));
            }
            // A commit that failed part way can be rolled back too: what it wrote is undone.
            let partly = import.status == "failed" && !store::written_batches(conn, workspace, id).await?.is_empty();
            if !partly {
                refuse_status(&import, &["committed"], "rolled back (only a committed import can be)")?;
            }
            if import.kind == ImportKind::WorkspaceZip.as_str() {
                return Err(AppError::conflict(
                    "import_state",
                    "a restored workspace export is not rolled back record by record",
                ));
            }
            let rb = if parse_enum::<ImportKind>(&import.kind)?.is_messages() {
                undo_messages(conn, workspace, &import, now).await?
            } else {
                undo_records(conn, workspace, &import, now).await?
            };
            let mut result: ImportResult = import
                .result
                .and_then(|r| serde_json::from_value(r).ok())
                .unwrap_or_default();
            result.rollback = Some(rb);
            store::change(
                conn,
                workspace,
                id,
                &ImportChange {
                    status: Some("rolled_back".into()),
                    result: Some(serde_json::json!(result)),
                    rolled_back_at: Some(now),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )
            .await?;
            store::find(conn, workspace, id)
                .await?
                .ok_or_else(|| AppError::not_found(NOT_FOUND))
        })
        .await?;
    to_dto(conn, workspace, row).await
}

/// The records in error as a CSV: the file's columns plus `Error` (column and reason), ready
/// to fix and import again.
pub async fn errors_csv(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<(String, String)> {
    let import = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let mut header = import.column_names.clone();
    header.push("Error".into());
    let write = |w: &mut csv::Writer<Vec<u8>>, rec: &[String]| {
        let neutral: Vec<String> = rec.iter().map(|c| crate::exports::neutralise(c).into_owned()).collect();
        w.write_record(&neutral).map_err(AppError::internal)
    };
    write(&mut out, &header)?;
    let mut after = 0;
    loop {
        let page = store::planned(conn, workspace, id, Some("error"), after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.row_no;
        for r in page {
            let mut rec: Vec<String> = r.cells.iter().map(|c| c.replace('\u{2400}', "")).collect();
            rec.resize(import.column_names.len(), String::new());
            let reason = r.reason.unwrap_or_default();
            rec.push(match r.error_column {
                Some(c) => format!("Row {}, {c}: {reason}", r.row_no),
                None => format!("Row {}: {reason}", r.row_no),
            });
            write(&mut out, &rec)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    let stem = import
        .file_name
        .rsplit_once('.')
        .map_or(import.file_name.as_str(), |(s, _)| s);
    Ok((
        format!("{stem}-errors.csv"),
        String::from_utf8(bytes).map_err(AppError::internal)?,
    ))
}

/// Maps a field error of the upload form.
pub fn form_error(field: &str, message: impl Into<String>) -> AppError {
    AppError::validation(vec![FieldError::new(field, message)])
}

const NOT_EMPTY: &str = "a workspace export can only be imported into an empty workspace (no contacts, companies, \
     deals, products, payments or custom fields): create a new workspace and import it there";

/// Checks an uploaded workspace archive (blocking: it reads the zip's directory and manifest);
/// returns its manifest, the file read from its start, and its size.
pub fn inspect_archive(mut file: std::fs::File) -> AppResult<(super::restore::Manifest, std::fs::File, i64)> {
    use std::io::Seek;
    let manifest = super::restore::inspect(&mut file)?;
    let size = file.seek(std::io::SeekFrom::End(0)).map_err(AppError::internal)?;
    file.seek(std::io::SeekFrom::Start(0)).map_err(AppError::internal)?;
    Ok((manifest, file, size as i64))
}

/// Keeps an uploaded workspace archive for its restore, after checking that the workspace is
/// empty (the restore checks again).
pub async fn upload_archive(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    file_name: &str,
    file: std::fs::File,
    file_bytes: i64,
    manifest: super::restore::Manifest,
    now: DateTime<Utc>,
) -> AppResult<Import> {
    if store::workspace_has_records(conn, workspace).await? {
        return Err(AppError::conflict("workspace_not_empty", NOT_EMPTY));
    }
    let actor = crate::accounts::actor::current();
    let count = |name: &str| manifest.counts.get(name).copied().unwrap_or(0);
    let total: i64 = crate::exports::store::DUMPS.iter().map(|d| count(d.name)).sum();
    let made = manifest
        .exported_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| format!(" made {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    let notices = vec![format!(
        "A Rapport workspace export{made}: {} contacts, {} companies, {} deals, {} interactions, {} reminders and {} history entries. \
         Restoring it brings every record in with a new id; this workspace's starter pipelines and templates are replaced by the archive's.",
        count("contacts"),
        count("companies"),
        count("deals"),
        count("interactions"),
        count("reminders"),
        count("history"),
    )];
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect::<String>()
        .trim()
        .to_owned();
    let file_name = if file_name.is_empty() {
        "workspace.zip".to_owned()
    } else {
        file_name
    };
    let row = conn
        .transaction::<_, AppError, _>(async move |conn| {
            let (file_id, _) = crate::files::save(
                conn,
                workspace,
                &file_name,
                crate::exports::service::ZIP_TYPE,
                std::io::BufReader::new(file),
                now,
                // An archive not restored within a week is removed by the hourly purge.
                Some(now + chrono::Duration::days(crate::exports::service::KEEP_DAYS)),
            )
            .await
            .map_err(AppError::internal)?;
            let new = NewImportRow {
                id: Uuid::now_v7(),
                workspace_id: workspace,
                kind: ImportKind::WorkspaceZip.as_str().to_owned(),
                file_name,
                file_bytes,
                encoding: "zip".into(),
                delimiter: None,
                column_names: Vec::new(),
                header_key: String::new(),
                row_count: i32::try_from(total).unwrap_or(i32::MAX),
                notices,
                created_by: actor.as_ref().map(|a| a.user_id),
                created_by_name: actor.map(|a| a.name),
                created_at: now,
                updated_at: now,
                file_id: Some(file_id),
            };
            Ok(store::insert(conn, &new).await?)
        })
        .await?;
    to_dto(conn, workspace, row).await
}

/// Fields naming a member rather than a record: kept when that person is a member here.
const PEOPLE: [&str; 5] = ["owner_id", "assignee_id", "actor_id", "created_by", "enrolled_by"];

/// Gives an id its new id (the same one wherever the old one is met).
fn remap_id(value: &mut serde_json::Value, ids: &mut HashMap<Uuid, Uuid>) {
    if let Some(old) = value.as_str().and_then(|s| s.parse::<Uuid>().ok()) {
        let new = *ids.entry(old).or_insert_with(Uuid::now_v7);
        *value = serde_json::Value::String(new.to_string());
    }
}

/// A record with new ids: its own and every reference (`…_id`) through `ids`, which gives each
/// old id one new id wherever it is met first; members who are not in this workspace are left
/// out.
fn remap(
    mut record: super::restore::Record,
    table: &str,
    ids: &mut HashMap<Uuid, Uuid>,
    members: &HashSet<Uuid>,
) -> serde_json::Value {
    for (key, value) in record.iter_mut() {
        if PEOPLE.contains(&key.as_str()) {
            let member = value
                .as_str()
                .and_then(|s| s.parse::<Uuid>().ok())
                .is_some_and(|u| members.contains(&u));
            if !member {
                *value = serde_json::Value::Null;
            }
        } else if key == "id" || key.ends_with("_id") {
            remap_id(value, ids);
        }
    }
    // A sequence's steps name their templates inside its JSON.
    if table == "sequences"
        && let Some(serde_json::Value::Array(steps)) = record.get_mut("steps")
    {
        for step in steps {
            if let Some(template) = step.get_mut("template_id") {
                remap_id(template, ids);
            }
        }
    }
    serde_json::Value::Object(record)
}

/// Records read from the archive per statement.
const RESTORE_BATCH: usize = 1000;

/// Restores a workspace archive into this (empty) workspace inside the caller's transaction:
/// every record gets a new id and the references between them follow. Returns the records
/// written per file.
async fn restore_archive(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    import: &ImportRow,
    progress: &mut impl Progress,
) -> AppResult<BTreeMap<String, i64>> {
    use crate::exports::store::DUMPS;
    if store::workspace_has_records(conn, workspace).await? {
        return Err(AppError::conflict("workspace_not_empty", NOT_EMPTY));
    }
    let gone = || {
        AppError::conflict(
            "import_state",
            "this import's archive is no longer kept; upload it again",
        )
    };
    let file_id = import.file_id.ok_or_else(gone)?;
    let file = crate::files::load(conn, workspace, file_id)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(gone)?;
    store::clear_starter_records(conn, workspace).await?;
    let members: HashSet<Uuid> = crate::accounts::service::list_members(conn, workspace)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();

    // Every table's search index entries are merged once, at the end.
    crate::search::service::defer_index_merges(conn).await?;
    // A thread unpacks the tables a batch at a time; this task writes them.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Vec<super::restore::Record>)>(2);
    let reader = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<serde_json::Value>> {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(file)?;
        for (i, dump) in DUMPS.iter().enumerate() {
            super::restore::read_table(&mut zip, dump.name, RESTORE_BATCH, |batch| {
                tx.blocking_send((i, batch))
                    .map_err(|_| anyhow::anyhow!("the restore stopped"))
            })?;
        }
        let mut text = String::new();
        if let Ok(entry) = zip.by_name("json/workspace.json") {
            entry.take(1024 * 1024).read_to_string(&mut text)?;
            let workspace: serde_json::Value = serde_json::from_str(&text)?;
            return Ok(workspace.get("settings").cloned());
        }
        Ok(None)
    });

    let total = i64::from(import.row_count);
    let mut ids = HashMap::new();
    let mut columns: HashMap<usize, Vec<String>> = HashMap::new();
    let mut counts: BTreeMap<String, i64> = DUMPS.iter().map(|d| (d.name.to_owned(), 0)).collect();
    let mut done = 0_i64;
    let mut failure = None;
    while let Some((i, batch)) = rx.recv().await {
        let dump = &DUMPS[i];
        if let std::collections::hash_map::Entry::Vacant(e) = columns.entry(i) {
            e.insert(crate::exports::store::columns(conn, dump.table).await?);
        }
        // The table's columns that the archive's records carry.
        let present: Vec<String> = columns[&i]
            .iter()
            .filter(|c| batch.first().is_some_and(|r| r.contains_key(c.as_str())))
            .cloned()
            .collect();
        let n = batch.len() as i64;
        let rows: Vec<serde_json::Value> = batch
            .into_iter()
            .map(|r| remap(r, dump.table, &mut ids, &members))
            .collect();
        if let Err(e) = store::restore_rows(
            conn,
            workspace,
            dump.table,
            &present,
            dump.through.is_none(),
            &serde_json::Value::Array(rows),
        )
        .await
        {
            failure = Some(AppError::unprocessable(
                "archive_invalid",
                format!("the archive's {} could not be restored: {e}", dump.name),
            ));
            break;
        }
        *counts.entry(dump.name.to_owned()).or_default() += n;
        done += n;
        progress.report(done, total.max(done)).await;
    }
    drop(rx);
    let read = reader.await.map_err(AppError::internal)?;
    if let Some(e) = failure {
        return Err(e);
    }
    let settings = read.map_err(|e| AppError::unprocessable("archive_invalid", format!("{e:#}")))?;
    if let Some(settings) = settings.filter(|s| s.is_object()) {
        store::restore_settings(conn, workspace, &settings).await?;
    }
    for dump in DUMPS {
        crate::search::service::merge_pending(conn, dump.table).await?;
    }
    // The archive's workspace may still be mailing the same people: restored sequences wait
    // paused until an admin turns them on here.
    crate::sequences::service::pause_all(conn, workspace).await?;
    // Restored: the archive is not kept (the workspace's own export can be made any time).
    crate::files::store::delete(conn, workspace, file_id).await?;
    Ok(counts)
}

fn saved_dto(row: store::MappingRow) -> AppResult<SavedMapping> {
    Ok(SavedMapping {
        id: row.id,
        name: row.name,
        mapping: mapping_of(&row.mapping),
        policy: row.policy.as_deref().map(parse_enum).transpose()?,
        created_by: row.created_by,
        created_at: row.created_at,
    })
}

pub async fn saved_mappings(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<SavedMappingList> {
    let items = store::mappings(conn, workspace)
        .await?
        .into_iter()
        .map(saved_dto)
        .collect::<AppResult<_>>()?;
    Ok(SavedMappingList { items })
}

/// Saves a mapping under a name (unique in the workspace, whatever the case); every field must
/// be one an import can fill.
pub async fn save_mapping(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: NewSavedMapping,
    now: DateTime<Utc>,
) -> AppResult<SavedMapping> {
    let mut errors = Vec::new();
    for (column, field) in &input.mapping {
        if !field.is_empty() && mapping::Target::parse(field).is_none() {
            errors.push(crate::error::FieldError::new(
                format!("mapping.{column}"),
                format!("'{field}' is not a field an import can fill"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let name = input.name.trim().to_owned();
    let row = store::MappingRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        name: name.clone(),
        mapping: serde_json::json!(input.mapping),
        policy: input.policy.map(|p| p.as_str().to_owned()),
        created_by: crate::accounts::actor::current().map(|a| a.user_id),
        created_at: now,
        updated_at: now,
    };
    match store::insert_mapping(conn, workspace, &row).await? {
        Some(saved) => saved_dto(saved),
        None => Err(AppError::conflict(
            "duplicate_name",
            format!("a mapping named '{name}' exists already; choose another name or delete it first"),
        )),
    }
}

pub async fn delete_mapping(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<()> {
    match store::delete_mapping(conn, workspace, id).await? {
        0 => Err(AppError::not_found("the saved mapping")),
        _ => Ok(()),
    }
}
