//! What other domains may ask of companies.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::store;
use crate::error::{AppError, AppResult};

/// Resolves a company given by name (found or created) or by id (must exist).
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    id: Option<Uuid>,
    name: Option<&str>,
) -> AppResult<Option<Uuid>> {
    match (id, name) {
        (Some(_), Some(_)) => Err(AppError::invalid_field(
            "company_id",
            "give company_id or company_name, not both",
        )),
        (Some(id), None) => {
            if store::exists(conn, workspace, id).await? {
                Ok(Some(id))
            } else {
                Err(AppError::invalid_field(
                    "company_id",
                    "no company has this id",
                ))
            }
        }
        (None, Some(name)) => Ok(Some(
            store::find_or_create_by_name(conn, workspace, name).await?,
        )),
        (None, None) => Ok(None),
    }
}

/// Company names by id, for showing a page of records that link to companies.
pub async fn names(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    ids: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    Ok(store::names(conn, workspace, &ids)
        .await?
        .into_iter()
        .collect())
}
