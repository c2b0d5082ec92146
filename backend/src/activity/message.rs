//! What a history entry says, as a code with parameters: the web app words it in the reader's
//! language, and [`Summary::english`] gives the English `summary` API clients read.

use crate::text_enum;

text_enum!(
    /// What a history entry says; its parameters (`params`) fill the sentence in.
    Message {
        ContactAdded => "contact_added",
        ContactImported => "contact_imported",
        ContactUpdated => "contact_updated",
        ContactImportUpdated => "contact_import_updated",
        ContactImportReverted => "contact_import_reverted",
        ContactImportRemoved => "contact_import_removed",
        ContactErased => "contact_erased",
        /// An entry about a person who was erased, rewritten without what it said.
        ErasedEntry => "erased_entry",
        ContactUnsubscribed => "contact_unsubscribed",
        CompanyAdded => "company_added",
        CompanyImported => "company_imported",
        CompanyUpdated => "company_updated",
        CompanyTrashed => "company_trashed",
        CompanyRestored => "company_restored",
        CompanyImportRemoved => "company_import_removed",
        /// A contact, or a record changed in bulk.
        Trashed => "trashed",
        Restored => "restored",
        /// A record changed in bulk.
        Updated => "updated",
        Merged => "merged",
        Unmerged => "unmerged",
        Purged => "purged",
        PurgedExpired => "purged_expired",
        InteractionLogged => "interaction_logged",
        InteractionLoggedSubject => "interaction_logged_subject",
        InteractionSent => "interaction_sent",
        InteractionSentSubject => "interaction_sent_subject",
        InteractionEdited => "interaction_edited",
        InteractionDeleted => "interaction_deleted",
        InteractionImported => "interaction_imported",
        InteractionImportedSubject => "interaction_imported_subject",
        InteractionImportRemoved => "interaction_import_removed",
        ReminderCreated => "reminder_created",
        ReminderCompleted => "reminder_completed",
        ReminderReopened => "reminder_reopened",
        ReminderSnoozed => "reminder_snoozed",
        ReminderEdited => "reminder_edited",
        ReminderDeleted => "reminder_deleted",
        ReminderDue => "reminder_due",
        DealCreated => "deal_created",
        DealWon => "deal_won",
        DealLost => "deal_lost",
        DealLostReason => "deal_lost_reason",
        DealMoved => "deal_moved",
        DealEdited => "deal_edited",
        DealTrashed => "deal_trashed",
        DealRestored => "deal_restored",
        PipelineCreated => "pipeline_created",
        PipelineEdited => "pipeline_edited",
        PipelineDeleted => "pipeline_deleted",
        StageAdded => "stage_added",
        StageEdited => "stage_edited",
        StagesReordered => "stages_reordered",
        StageDeleted => "stage_deleted",
        TemplateAdded => "template_added",
        TemplateEdited => "template_edited",
        TemplateDeleted => "template_deleted",
        ProductAdded => "product_added",
        ProductEdited => "product_edited",
        ProductDeleted => "product_deleted",
        ProposalDrafted => "proposal_drafted",
        ProposalMarked => "proposal_marked",
        ProposalEdited => "proposal_edited",
        ProposalDeleted => "proposal_deleted",
        PaymentReceived => "payment_received",
        PaymentEdited => "payment_edited",
        PaymentDeleted => "payment_deleted",
        SettingsChanged => "settings_changed",
        MailServerSet => "mail_server_set",
        MailServerRemoved => "mail_server_removed",
        WebhookDisabled => "webhook_disabled",
        WebhookTest => "webhook_test",
        ImportFinished => "import_finished",
        BulkTagsAdded => "bulk_tags_added",
        BulkTagsRemoved => "bulk_tags_removed",
        BulkLifecycleSet => "bulk_lifecycle_set",
        BulkStageSet => "bulk_stage_set",
        BulkOwnerSet => "bulk_owner_set",
        BulkOwnerCleared => "bulk_owner_cleared",
        BulkFieldSet => "bulk_field_set",
        BulkFieldCleared => "bulk_field_cleared",
        BulkTrashed => "bulk_trashed",
        BulkRestored => "bulk_restored",
        BulkUndone => "bulk_undone",
        /// One record's part of a bulk change's undo.
        BulkRecordUndone => "bulk_record_undone",
    }
);

impl Message {
    /// The English sentence, with `{param}` for each parameter. Parameters the web app formats
    /// itself travel raw (`kind`, `fields`, `amount_minor` and `currency`, `n`); the English
    /// words for them are derived here (`a_kind`, `amount`, `records`).
    pub fn english(self) -> &'static str {
        use Message::*;
        match self {
            ContactAdded => "Added {name}",
            ContactImported => "Added {name} (import of {file})",
            ContactUpdated => "Updated {name}: {fields}",
            ContactImportUpdated => "Updated {name} (import of {file})",
            ContactImportReverted => "Updated {name} (rollback of the import of {file})",
            ContactImportRemoved => "Removed {name} (rollback of the import of {file})",
            ContactErased => "Erased a contact on request",
            ErasedEntry => "Erased on request",
            ContactUnsubscribed => "Unsubscribed from sequence emails (from “{sequence}”)",
            CompanyAdded => "Added company {name}",
            CompanyImported => "Added {name} (import)",
            CompanyUpdated => "Updated company {name}: {fields}",
            CompanyTrashed => "Moved company {name} to the trash",
            CompanyRestored => "Restored company {name} from the trash",
            CompanyImportRemoved => "Removed {name} (import rollback)",
            Trashed => "Moved {name} to the trash",
            Restored => "Restored {name} from the trash",
            Updated => "Updated {name} ({fields})",
            Merged => "Merged {merged} into {survivor}",
            Unmerged => "Undid the merge of {merged} into {survivor}",
            Purged => "Deleted {name} for good",
            PurgedExpired => "Deleted {name} for good after 30 days in the trash",
            InteractionLogged => "Logged {a_kind} with {name}",
            InteractionLoggedSubject => "Logged {a_kind} with {name}: {subject}",
            InteractionSent => "Sent an email to {name}",
            InteractionSentSubject => "Sent an email to {name}: {subject}",
            InteractionEdited => "Edited {a_kind} with {name}: {fields}",
            InteractionDeleted => "Deleted {a_kind} with {name}",
            InteractionImported => "Logged {a_kind} with {name} (import of {file})",
            InteractionImportedSubject => "Logged {a_kind} with {name}: {subject} (import of {file})",
            InteractionImportRemoved => "Deleted {a_kind} with {name} (rollback of the import of {file})",
            ReminderCreated => "Reminder for {name}: {title}",
            ReminderCompleted => "Completed the reminder for {name}: {title}",
            ReminderReopened => "Reopened the reminder for {name}: {title}",
            ReminderSnoozed => "Snoozed the reminder for {name}: {title}",
            ReminderEdited => "Edited the reminder for {name}: {title}",
            ReminderDeleted => "Deleted the reminder for {name}: {title}",
            ReminderDue => "Reminder due: {title}",
            DealCreated => "Created the deal {title} in {stage}",
            DealWon => "Won the deal {title}",
            DealLost => "Lost the deal {title}",
            DealLostReason => "Lost the deal {title}: {reason}",
            DealMoved => "Moved the deal {title} from {from} to {to}",
            DealEdited => "Edited the deal {title}",
            DealTrashed => "Moved the deal {title} to the trash",
            DealRestored => "Restored the deal {title}",
            PipelineCreated => "Created the pipeline {name}",
            PipelineEdited => "Edited the pipeline {name}",
            PipelineDeleted => "Deleted the pipeline {name}",
            StageAdded => "Added the stage {stage} to {name}",
            StageEdited => "Edited the stage {stage} of {name}",
            StagesReordered => "Reordered the stages of {name}",
            StageDeleted => "Deleted the stage {stage} of {name}",
            TemplateAdded => "Added the template {name}",
            TemplateEdited => "Edited the template {name}: {fields}",
            TemplateDeleted => "Deleted the template {name}",
            ProductAdded => "Added the product {name}",
            ProductEdited => "Edited the product {name}",
            ProductDeleted => "Deleted the product {name}",
            ProposalDrafted => "Drafted proposal #{number} for {title}",
            ProposalMarked => "Marked proposal #{number} for {title} as {status}",
            ProposalEdited => "Edited proposal #{number} for {title}",
            ProposalDeleted => "Deleted proposal #{number} for {title}",
            PaymentReceived => "Received {amount} from {name}",
            PaymentEdited => "Edited the payment of {amount} from {name}",
            PaymentDeleted => "Deleted the payment of {amount} from {name}",
            SettingsChanged => "Changed settings: {fields}",
            MailServerSet => "Set the mail server to {host}:{port}",
            MailServerRemoved => "Removed the mail server",
            WebhookDisabled => "Turned off the webhook to {url}: {reason}",
            WebhookTest => "A test event sent from Rapport",
            ImportFinished => {
                "Imported {file}: {created} created, {updated} updated, {skipped} skipped, {errors} with errors"
            }
            BulkTagsAdded => "Added {the_tags} to {records}",
            BulkTagsRemoved => "Removed {the_tags} from {records}",
            BulkLifecycleSet => "Set the stage of {records} to {lifecycle}",
            BulkStageSet => "Moved {records} to {stage}",
            BulkOwnerSet => "Gave {records} a new owner",
            BulkOwnerCleared => "Took the owner off {records}",
            BulkFieldSet => "Set {key} on {records}",
            BulkFieldCleared => "Cleared {key} on {records}",
            BulkTrashed => "Moved {records} to the trash",
            BulkRestored => "Restored {records} from the trash",
            BulkUndone => "Undid: {change}",
            BulkRecordUndone => "Undid a bulk change to {name}",
        }
    }
}

/// A piece of a message's English sentence.
pub enum Piece {
    Text(&'static str),
    /// `{name}`: a parameter's place.
    Param(&'static str),
}

impl Message {
    /// The English sentence in pieces: text, and the parameters' places.
    pub fn pieces(self) -> impl Iterator<Item = Piece> {
        let mut rest = self.english();
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let piece = match (rest.find('{'), rest.find('}')) {
                (Some(0), Some(close)) => Piece::Param(&rest[1..close]),
                (Some(open), Some(_)) => Piece::Text(&rest[..open]),
                _ => Piece::Text(rest),
            };
            let len = match piece {
                Piece::Param(key) => key.len() + 2,
                Piece::Text(text) => text.len(),
            };
            rest = &rest[len..];
            Some(piece)
        })
    }

    /// The English sentence as a SQL expression, each parameter's place filled by the SQL given
    /// for it (for history entries written by a statement; only fixed SQL is spliced in).
    pub fn english_sql(self, params: &[(&str, &str)]) -> String {
        self.pieces()
            .map(|piece| match piece {
                Piece::Text(text) => format!("'{}'", text.replace('\'', "''")),
                Piece::Param(key) => {
                    let sql = params.iter().find(|(k, _)| *k == key).map_or("''", |(_, v)| v);
                    format!("coalesce({sql}, '')")
                }
            })
            .collect::<Vec<_>>()
            .join(" || ")
    }
}

/// A history entry's words: its message and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub message: Message,
    pub params: Vec<(String, String)>,
}

/// `summary!(ContactAdded, name = display_name(&row))`.
#[macro_export]
macro_rules! summary {
    ($message:ident $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::activity::message::Summary {
            message: $crate::activity::message::Message::$message,
            params: vec![$((stringify!($key).to_owned(), ($value).to_string())),*],
        }
    };
}

impl Summary {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Adds a parameter (or replaces it).
    pub fn with(mut self, key: &str, value: impl ToString) -> Summary {
        self.params.retain(|(k, _)| k != key);
        self.params.push((key.to_owned(), value.to_string()));
        self
    }

    /// The words as the API shows them.
    pub fn message(&self) -> crate::activity::service::ActivityMessage {
        crate::activity::service::ActivityMessage {
            code: self.message,
            params: self.params.iter().cloned().collect(),
        }
    }

    /// The parameters as a JSON object of strings.
    pub fn params_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.params
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        )
    }

    /// The English sentence as a template for PostgreSQL's `format()`, for an entry whose
    /// statement reads some of its values itself (a contact's name, a reminder's title as an edit
    /// leaves it): the place of `keys[n]` is `%{n+1}$s`, every other parameter is filled in, and
    /// a `%` of the words or of a value is written `%%`. Formatted with the values of `keys` in
    /// that order, it reads as [`Summary::english`].
    pub fn english_template(&self, keys: &[&str]) -> String {
        let mut template = String::new();
        for piece in self.message.pieces() {
            match piece {
                Piece::Param(k) => match keys.iter().position(|key| *key == k) {
                    Some(n) => template.push_str(&format!("%{}$s", n + 1)),
                    None => template.push_str(&self.english_param(k).replace('%', "%%")),
                },
                Piece::Text(text) => template.push_str(&text.replace('%', "%%")),
            }
        }
        template
    }

    /// The sentence in English.
    pub fn english(&self) -> String {
        self.message
            .pieces()
            .map(|piece| match piece {
                Piece::Text(text) => text.to_owned(),
                Piece::Param(key) => self.english_param(key),
            })
            .collect()
    }

    fn english_param(&self, key: &str) -> String {
        match key {
            "a_kind" => a_kind(self.param("kind").unwrap_or("other")).to_owned(),
            "amount" => {
                let minor = self.param("amount_minor").and_then(|m| m.parse().ok()).unwrap_or(0);
                crate::money::format(minor, self.param("currency").unwrap_or(""))
            }
            "records" => {
                let n: i64 = self.param("n").and_then(|n| n.parse().ok()).unwrap_or(0);
                records(self.param("kind").unwrap_or("contact"), n)
            }
            "the_tags" => {
                let tags: Vec<&str> = self.param("tags").unwrap_or("").split(',').collect();
                match tags.len() {
                    1 => format!("the tag {}", tags[0]),
                    2..=3 => format!("the tags {}", tags.join(", ")),
                    n => format!("the tags {} and {} more", tags[..3].join(", "), n - 3),
                }
            }
            "fields" => self.param("fields").unwrap_or("").replace(',', ", ").replace('_', " "),
            key => self.param(key).unwrap_or("").to_owned(),
        }
    }
}

/// An interaction kind with its article: "a call".
fn a_kind(kind: &str) -> &'static str {
    match kind {
        "email" => "an email",
        "call" => "a call",
        "meeting" => "a meeting",
        "video_call" => "a video call",
        "message" => "a message",
        "social" => "a social touchpoint",
        "note" => "a note",
        _ => "an interaction",
    }
}

/// "1 contact", "3 deals".
fn records(kind: &str, n: i64) -> String {
    let word = match (kind, n) {
        ("company", 1) => "company",
        ("company", _) => "companies",
        ("deal", 1) => "deal",
        ("deal", _) => "deals",
        (_, 1) => "contact",
        _ => "contacts",
    };
    format!("{n} {word}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL's `format()` with positional `%n$s` arguments and `%%`, as the entries'
    /// statements use it.
    fn format(template: &str, values: &[&str]) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            rest = &rest[at + 1..];
            if let Some(after) = rest.strip_prefix('%') {
                out.push('%');
                rest = after;
                continue;
            }
            let dollar = rest.find("$s").unwrap();
            let n: usize = rest[..dollar].parse().unwrap();
            out.push_str(values[n - 1]);
            rest = &rest[dollar + 2..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn the_english_template_formats_back_into_the_sentence() {
        let summary = crate::summary!(
            InteractionLoggedSubject,
            kind = "call",
            name = "Ann Lee",
            subject = "100% Ann's {name}"
        );
        let template = summary.english_template(&["name"]);
        assert_eq!(template, "Logged a call with %1$s: 100%% Ann's {name}");
        assert_eq!(format(&template, &["Ann Lee"]), summary.english());
        let reminder = crate::summary!(ReminderEdited, name = "Ann Lee", title = "Send 50% off");
        let template = reminder.english_template(&["name", "title"]);
        assert_eq!(template, "Edited the reminder for %1$s: %2$s");
        assert_eq!(format(&template, &["Ann Lee", "Send 50% off"]), reminder.english());
        // Keys in another order than the sentence's.
        let template = reminder.english_template(&["title", "name"]);
        assert_eq!(format(&template, &["Send 50% off", "Ann Lee"]), reminder.english());
        let merged = crate::summary!(Merged, merged = "A", survivor = "B");
        assert_eq!(merged.english_template(&["name"]), merged.english());
        let two = crate::summary!(Merged, merged = "A", survivor = "A");
        assert_eq!(format(&two.english_template(&["merged"]), &["A"]), two.english());
    }

    #[test]
    fn every_message_has_english_words() {
        for m in Message::ALL {
            let words = m.english();
            assert!(!words.is_empty(), "{m}");
            assert_eq!(words.matches('{').count(), words.matches('}').count(), "{m}");
        }
    }

    #[test]
    fn parameters_fill_the_sentence() {
        let s = crate::summary!(
            InteractionLoggedSubject,
            kind = "call",
            name = "Ada Lovelace",
            subject = "Intro"
        );
        assert_eq!(s.english(), "Logged a call with Ada Lovelace: Intro");
        let s = crate::summary!(PaymentReceived, amount_minor = 120050, currency = "EUR", name = "Ada");
        assert_eq!(
            s.english(),
            format!("Received {} from Ada", crate::money::format(120050, "EUR"))
        );
        let s = crate::summary!(BulkTagsAdded, tags = "vip,conference", kind = "contact", n = 3);
        assert_eq!(s.english(), "Added the tags vip, conference to 3 contacts");
        let s = crate::summary!(ContactUpdated, name = "Ada", fields = "job_title,tags");
        assert_eq!(s.english(), "Updated Ada: job title, tags");
        assert_eq!(
            s.params_json(),
            serde_json::json!({"name": "Ada", "fields": "job_title,tags"})
        );
    }

    #[test]
    fn the_sentence_becomes_sql_with_each_parameter_in_its_place() {
        assert_eq!(
            Message::ContactImportRemoved.english_sql(&[("name", "c.name"), ("file", "$4")]),
            "'Removed ' || coalesce(c.name, '') || ' (rollback of the import of ' || coalesce($4, '') || ')'"
        );
        assert_eq!(Message::MailServerRemoved.english_sql(&[]), "'Removed the mail server'");
    }

    #[test]
    fn a_name_with_braces_is_kept_as_written() {
        let s = crate::summary!(ContactAdded, name = "{odd} name");
        assert_eq!(s.english(), "Added {odd} name");
    }
}
