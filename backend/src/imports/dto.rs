//! Shapes of the imports API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::text_enum;

text_enum!(
    /// What the uploaded file holds.
    ImportKind {
        ContactsCsv => "contacts_csv",
        Vcard => "vcard",
        /// Email files (`.eml`, one message each; several may be sent at once).
        Eml => "eml",
        /// A mailbox of many messages (`mbox`: Thunderbird, Apple Mail, Google Takeout).
        Mbox => "mbox",
        /// Calendar files (`.ics`): each event becomes a meeting.
        Ics => "ics",
        /// A full workspace export (.zip), restored as a whole into an empty workspace.
        WorkspaceZip => "workspace_zip",
    }
);

impl ImportKind {
    /// Email or calendar files: their records become interactions, not contacts.
    pub fn is_messages(self) -> bool {
        matches!(self, ImportKind::Eml | ImportKind::Mbox | ImportKind::Ics)
    }
}

text_enum!(
    /// Where an import is: `uploaded` (read, waiting for a mapping), `previewed` (planned),
    /// `queued`/`running` (committing), `committed`, `failed` (nothing was written; commit
    /// again to retry), `rolled_back`.
    ImportStatus {
        Uploaded => "uploaded",
        Previewed => "previewed",
        Queued => "queued",
        Running => "running",
        Committed => "committed",
        Failed => "failed",
        RolledBack => "rolled_back",
    }
);

text_enum!(
    /// What to do with a record that matches an existing contact: fill its empty fields
    /// (`fill_empty`, the default), replace its fields with the file's non-empty values
    /// (`overwrite`) — both add new emails, phones and tags — or leave it alone (`skip_existing`).
    ImportPolicy {
        FillEmpty => "fill_empty",
        Overwrite => "overwrite",
        SkipExisting => "skip_existing",
    }
);

text_enum!(
    /// A record's outcome.
    RowOutcome {
        Create => "create",
        Update => "update",
        Skip => "skip",
        Error => "error",
    }
);

/// The multipart form of an upload: these two parts and no other.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The file: a CSV (UTF-8 with or without BOM, UTF-16 or a legacy encoding such as
    /// Windows-1252; `,` `;` or tab separated), a vCard file (3.0 or 4.0), email (`.eml`, an
    /// `mbox`) or calendar (`.ics`) files, at most 50 MB in all; an mbox or a Rapport workspace
    /// export (.zip) may be up to 2 GiB. `.eml` and `.ics` files may be sent as several `file`
    /// parts.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the file holds; guessed from its name and content when left out.
    pub kind: Option<ImportKind>,
}

/// Records per outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportCounts {
    pub create: i64,
    pub update: i64,
    pub skip: i64,
    pub error: i64,
}

/// How far the commit is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportProgress {
    /// Records written so far.
    pub done: i64,
    /// Records to write.
    pub total: i64,
}

/// An address of an email or calendar import that no contact has.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnmatchedAddress {
    #[schema(example = "jose@cafe-munoz.es")]
    pub email: String,
    /// The name mail clients showed with it.
    #[schema(example = "José Muñoz")]
    pub name: Option<String>,
    /// Messages or events it is on.
    pub messages: i64,
}

/// What a rollback did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RollbackResult {
    /// Contacts the import created, moved to the trash.
    pub removed: i64,
    /// Contacts the import updated, given their previous values back.
    pub reverted: i64,
    /// Contacts edited after the import: left as they are.
    pub kept_changed: i64,
    /// Contacts deleted or trashed since the import: nothing to undo.
    pub kept_missing: i64,
    /// Companies the import created that nothing else uses, moved to the trash.
    pub companies_removed: i64,
    /// An email or calendar import: the interactions it added, deleted (those edited since are
    /// kept and counted in `kept_changed`).
    #[serde(default)]
    pub interactions_removed: i64,
}

/// What a commit did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ImportResult {
    /// Contacts created; for an email or calendar import, interactions added.
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub errors: i64,
    pub companies_created: i64,
    /// An email or calendar import: contacts created for addresses that had none.
    #[serde(default)]
    pub contacts_created: i64,
    /// Seconds the commit took.
    pub seconds: f64,
    pub rollback: Option<RollbackResult>,
    /// A restored workspace archive: records written per file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<BTreeMap<String, i64>>,
}

/// An import: the file as read, the mapping and its plan, and what the commit did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Import {
    pub id: Uuid,
    pub kind: ImportKind,
    pub status: ImportStatus,
    #[schema(example = "contacts.csv")]
    pub file_name: String,
    pub file_bytes: i64,
    /// The encoding the file was read in, e.g. `UTF-8`, `UTF-16LE`, `windows-1252`.
    #[schema(example = "UTF-8")]
    pub encoding: String,
    /// `,`, `;` or a tab; none for vCards.
    pub delimiter: Option<String>,
    /// The header's column names (made unique), in file order.
    pub columns: Vec<String>,
    /// The first records, for showing sample values next to the mapping.
    pub samples: Vec<Vec<String>>,
    /// The application that wrote the file, when its header says so.
    #[schema(example = "Google Contacts")]
    pub detected_format: Option<String>,
    /// Column → field suggested from the header (or the mapping last used with this header).
    pub suggested_mapping: BTreeMap<String, String>,
    /// The fields a column can map to: the contact's fields and `custom.<key>` for each custom field.
    pub fields: Vec<String>,
    pub row_count: i32,
    /// Things the reading noticed (photos ignored, invalid bytes replaced, …).
    pub notices: Vec<String>,
    /// The mapping of the last preview or commit.
    pub mapping: Option<BTreeMap<String, String>>,
    pub policy: Option<ImportPolicy>,
    /// Records per outcome, after a preview.
    pub counts: Option<ImportCounts>,
    /// An email or calendar import, after a preview: the addresses no contact has, most frequent
    /// first (at most 1,000).
    pub unmatched: Option<Vec<UnmatchedAddress>>,
    /// An email or calendar import: the addresses the preview was asked to create contacts for.
    pub create_contacts: Option<Vec<String>>,
    pub progress: ImportProgress,
    pub result: Option<ImportResult>,
    /// Why the last commit failed.
    pub error: Option<String>,
    /// Records that a commit which stopped part way has already written (a long file is written
    /// 5,000 records at a time); then `status` is `failed`, and the import is either committed
    /// again, which writes only the rest, or rolled back, which undoes what was written. 0
    /// otherwise.
    #[schema(minimum = 0, example = 0)]
    pub records_written: i64,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
    pub rolled_back_at: Option<DateTime<Utc>>,
}

/// An import as the history lists it (`GET /imports/{id}` has the file's columns, samples and
/// mapping).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummary {
    pub id: Uuid,
    pub kind: ImportKind,
    pub status: ImportStatus,
    #[schema(example = "contacts.csv")]
    pub file_name: String,
    pub file_bytes: i64,
    pub row_count: i32,
    pub counts: Option<ImportCounts>,
    pub progress: ImportProgress,
    pub result: Option<ImportResult>,
    pub error: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
    pub rolled_back_at: Option<DateTime<Utc>>,
}

/// A page of imports, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPage {
    pub items: Vec<ImportSummary>,
    pub next_cursor: Option<String>,
}

/// How to read the file: which column goes to which field, and what to do with matches.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mapping": {"First Name": "first_name", "Last Name": "last_name", "E-mail Address": "email", "Company": "company", "Tags": "tags"}, "policy": "fill_empty"}))]
pub struct PreviewImport {
    /// Column name → field (`first_name`, `last_name`, `full_name`, `email`, `phone`,
    /// `company`, `job_title`, `website`, `linkedin_url`, `twitter_url`, `location`, `notes`,
    /// `tags`, `lifecycle`, `source` or `custom.<key>`); an empty field or a missing column is
    /// left out. Several columns may map to `email`, `phone`, `tags`, `location` and `notes`.
    /// Required for a CSV or vCard import; an email or calendar import has fixed columns and
    /// takes none.
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    #[serde(default)]
    pub policy: Option<ImportPolicy>,
    /// An email or calendar import: addresses among the preview's `unmatched` to create a
    /// contact for (named as the messages name them), so their messages are imported too.
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_items = 1000)]
    pub create_contacts: Option<Vec<String>>,
}

/// A field an update changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldChange {
    #[schema(example = "job_title")]
    pub field: String,
    #[schema(value_type = Object)]
    pub old: serde_json::Value,
    #[schema(value_type = Object)]
    pub new: serde_json::Value,
}

/// One record of the file and what the import does with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportRowPlan {
    /// 1 for the first record after the header.
    pub row: i32,
    pub outcome: Option<RowOutcome>,
    /// Why it is skipped or in error; which fields an update changes (English words).
    pub reason: Option<String>,
    /// The reason as a stable code, for programs to put in their own words: an error's code as
    /// in a problem's `errors` (`email`, `phone`, `one_of`, `length`, `number`, `boolean`,
    /// `linkedin_url`, `no_name`, `field_count`, `nul`, `encoding`, `invalid` …), or
    /// `duplicate_in_file`, `same_contact_in_file`, `existing`, `unchanged`, `changes`,
    /// `changed_during_import` (an update not written: its contact was edited while a long file
    /// was being written); for an
    /// email or calendar import also `unreadable_message`, `no_sender`, `no_date`,
    /// `own_addresses`, `no_contact`, `already_imported` and `for_contacts`. Absent on records
    /// planned by an older version.
    #[schema(example = "duplicate_in_file")]
    pub reason_code: Option<String>,
    /// The values the code needs (`row`, `key`, `fields`, `value`, `choices`, `max`, `names` …).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, required = false)]
    pub reason_params: serde_json::Map<String, serde_json::Value>,
    /// The column at fault, for an error.
    pub column: Option<String>,
    /// The contact it creates (after the commit), updates or matches; for an email or calendar
    /// import, the first contact the interaction is added to.
    pub contact_id: Option<Uuid>,
    /// An email or calendar import: every contact the interaction is added to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_ids: Vec<Uuid>,
    /// For an update, each changed field's old and new value.
    pub changes: Vec<FieldChange>,
    /// The record's cells, in the header's order.
    pub cells: Vec<String>,
    /// What the rollback did with it: `removed`, `reverted`, `kept_changed` or `kept_missing`.
    pub rollback: Option<String>,
}

/// Records per outcome for the whole file, and a page of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPreview {
    pub counts: ImportCounts,
    /// An email or calendar import: the addresses no contact has (see `Import.unmatched`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmatched: Option<Vec<UnmatchedAddress>>,
    pub rows: Vec<ImportRowPlan>,
    /// Pass as `after` to `GET /imports/{id}/rows` for the next page.
    pub next_after: Option<i32>,
}

/// A named column mapping, to start an import from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedMapping {
    pub id: Uuid,
    #[schema(example = "Trade show list")]
    pub name: String,
    /// Column name → field, as `POST /imports/{id}/preview` takes it.
    pub mapping: BTreeMap<String, String>,
    pub policy: Option<ImportPolicy>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// The workspace's saved mappings, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedMappingList {
    pub items: Vec<SavedMapping>,
}

/// A mapping to save under a name.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Trade show list", "mapping": {"Name": "full_name", "E-mail": "email", "Firm": "company"}, "policy": "fill_empty"}))]
pub struct NewSavedMapping {
    #[validate(length(min = 1, max = 100), custom(function = "crate::dto::validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// Column name → field (see `PreviewImport.mapping`).
    pub mapping: BTreeMap<String, String>,
    #[serde(default)]
    pub policy: Option<ImportPolicy>,
}
