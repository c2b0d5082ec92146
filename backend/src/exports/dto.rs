//! Shapes of the workspace exports API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::text_enum;

text_enum!(
    /// Where a workspace export is: `queued`, `running`, `ready` (download it until
    /// `expires_at`), `failed` (see `error`; ask for a new one), `expired` (the file is gone).
    ExportStatus {
        Queued => "queued",
        Running => "running",
        Ready => "ready",
        Failed => "failed",
        Expired => "expired",
    }
);

/// Records written so far, of how many.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportProgress {
    #[schema(minimum = 0, example = 1200)]
    pub done: i64,
    #[schema(minimum = 0, example = 5000)]
    pub total: Option<i64>,
}

/// A full export of the workspace: one .zip with every record as JSON and CSV, the contacts as
/// vCards, follow-ups, reminders and expected close dates as iCalendar, and a README.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Export {
    pub id: Uuid,
    pub status: ExportStatus,
    pub progress: ExportProgress,
    /// The archive's name, once ready.
    #[schema(example = "rapport-export-2026-12-02.zip")]
    pub file_name: Option<String>,
    /// The archive's size in bytes, once ready.
    #[schema(minimum = 0)]
    pub bytes: Option<i64>,
    /// Records written per file, once ready.
    #[schema(example = json!({"contacts": 120, "companies": 30, "interactions": 950}))]
    pub counts: Option<BTreeMap<String, i64>>,
    /// Where to download the archive while it is `ready`.
    #[schema(example = "/api/v1/exports/0192f0c4-6a1e-7cc3-b7a5-8e1f3b2a9d10/download")]
    pub download_url: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The download is kept until then (7 days after it was made).
    pub expires_at: Option<DateTime<Utc>>,
}

/// The workspace's latest exports, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportList {
    pub items: Vec<Export>,
}
