//! Duplicate candidates and dismissals.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::dto::{DismissDuplicate, DuplicateList, DuplicatePair, DuplicateRecord, DuplicateType, PossibleDuplicate};
use super::store::{self, PairRow};
use crate::db::WorkspaceId;
use crate::db::cursor::Cursor;
use crate::error::{AppError, AppResult, FieldError};

fn pair(kind: DuplicateType, r: PairRow) -> DuplicatePair {
    DuplicatePair {
        kind,
        ids: vec![r.first_id, r.second_id],
        score: (r.score * 100.0).round() / 100.0,
        reasons: r.reasons,
        records: vec![
            DuplicateRecord {
                id: r.first_id,
                name: r.first_name,
                subtitle: r.first_subtitle,
            },
            DuplicateRecord {
                id: r.second_id,
                name: r.second_name,
                subtitle: r.second_subtitle,
            },
        ],
    }
}

const SORT: &str = "-score";

/// Reads a cursor of this list: the last pair's score and ids.
pub fn after(raw: &str) -> Option<store::After> {
    let c = Cursor::decode(raw).filter(|c| c.sort == SORT)?;
    let (score, first) = c.value.split_once('|')?;
    Some((score.parse().ok()?, first.parse().ok()?, c.id))
}

/// The likeliest duplicate pairs of one type, best first, a page at a time.
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: DuplicateType,
    after: Option<store::After>,
    limit: i64,
) -> AppResult<DuplicateList> {
    let mut rows = match kind {
        DuplicateType::Contact => store::contact_pairs(conn, workspace, after, limit + 1).await?,
        DuplicateType::Company => store::company_pairs(conn, workspace, after, limit + 1).await?,
    };
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| {
            Cursor {
                sort: SORT.into(),
                value: format!("{}|{}", r.score, r.first_id),
                id: r.second_id,
            }
            .encode()
        })
    } else {
        None
    };
    Ok(DuplicateList {
        items: rows.into_iter().map(|r| pair(kind, r)).collect(),
        next_cursor,
    })
}

/// Records that two records are not duplicates: the pair is not proposed again.
pub async fn dismiss(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: DismissDuplicate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (a, b) = (input.ids[0], input.ids[1]);
    if a == b {
        return Err(AppError::validation(vec![FieldError::new(
            "ids",
            "name two different records",
        )]));
    }
    let entity = input.kind.as_str();
    if store::live_count(conn, workspace, entity, &[a, b]).await? != 2 {
        return Err(AppError::validation(vec![FieldError::new(
            "ids",
            format!("both must be {entity} ids of this workspace, outside the trash"),
        )]));
    }
    let by: Option<Uuid> = crate::accounts::actor::current().map(|a| a.user_id);
    store::dismiss(conn, workspace, entity, (a.min(b), a.max(b)), by, now).await?;
    Ok(())
}

/// The existing companies that company `id`, just created, looks like, best first (at most
/// `store::POSSIBLE`). A contact's are found by the statement that creates it
/// (`store::created_contact_matches`).
pub async fn possible_companies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> AppResult<Vec<PossibleDuplicate>> {
    Ok(possible_from(store::company_matches(conn, workspace, id).await?))
}

/// Matches as a create answers them, scores rounded to two decimals.
pub fn possible_from(rows: Vec<store::MatchRow>) -> Vec<PossibleDuplicate> {
    rows.into_iter()
        .map(|r| PossibleDuplicate {
            id: r.id,
            name: r.name,
            subtitle: r.subtitle,
            reasons: r.reasons,
            score: (r.score * 100.0).round() / 100.0,
        })
        .collect()
}
