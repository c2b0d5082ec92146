//! Shapes of the mail API: the workspace's SMTP server, test emails and emails to contacts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::nullable;
use crate::text_enum;

text_enum!(
    /// How the connection to the mail server is protected.
    SmtpSecurity {
        /// Plain connection upgraded with STARTTLS, which the server must offer (usually port 587).
        Starttls => "starttls",
        /// TLS from the first byte (usually port 465).
        Tls => "tls",
        /// No encryption: only for a relay on the same machine or network.
        None => "none",
    }
);

/// The workspace's mail server. The password is never shown: `password_set` says whether one is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailSettings {
    #[schema(example = "smtp.example.com")]
    pub host: String,
    #[schema(example = 587, minimum = 1, maximum = 65535)]
    pub port: i32,
    pub security: SmtpSecurity,
    #[schema(example = "ada@example.com")]
    pub username: Option<String>,
    /// Whether a password is kept (sealed with the server's SECRETS_KEY).
    pub password_set: bool,
    /// The sender of every email: the address the server lets you send as.
    #[schema(example = "ada@example.com")]
    pub from_address: String,
    #[schema(example = "Ada Lovelace")]
    pub from_name: Option<String>,
    /// Where replies go, when not to `from_address`.
    pub reply_to: Option<String>,
    /// At most this many emails leave the workspace in 24 hours.
    #[schema(example = 500, minimum = 1, maximum = 100000)]
    pub daily_limit: i32,
    /// Emails queued or sent in the last 24 hours (counted against `daily_limit`).
    #[schema(example = 12, minimum = 0)]
    pub sent_last_24h: i64,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1, minimum = 1)]
    pub version: i32,
}

/// The mail server to send through. Replaces the settings as a whole, except `password`: left
/// out, the kept one stays; `null` removes it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"host": "smtp.example.com", "port": 587, "security": "starttls",
    "username": "ada@example.com", "password": "app-password", "from_address": "ada@example.com",
    "from_name": "Ada Lovelace"}))]
pub struct PutMailSettings {
    /// A host name or address (public, unless the server allows private addresses).
    #[validate(length(min = 1, max = 253))]
    #[schema(min_length = 1, max_length = 253)]
    pub host: String,
    #[validate(range(min = 1, max = 65535))]
    #[schema(minimum = 1, maximum = 65535)]
    pub port: i32,
    pub security: SmtpSecurity,
    #[serde(default)]
    #[validate(length(min = 1, max = 320))]
    #[schema(min_length = 1, max_length = 320)]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 500))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub password: Option<Option<String>>,
    #[validate(email, length(max = 320))]
    #[schema(format = Email, max_length = 320)]
    pub from_address: String,
    #[serde(default)]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub from_name: Option<String>,
    #[serde(default)]
    #[validate(email, length(max = 320))]
    #[schema(format = Email, max_length = 320)]
    pub reply_to: Option<String>,
    /// 500 when left out.
    #[serde(default)]
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000)]
    pub daily_limit: Option<i32>,
    /// The version you edited (or send `If-Match`); leave out when creating the settings.
    #[schema(minimum = 1)]
    pub version: Option<i32>,
}

/// Where to send a test email.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "ada@example.com"}))]
pub struct TestMail {
    /// Your own address when left out.
    #[serde(default)]
    #[validate(email, length(max = 320))]
    #[schema(format = Email, max_length = 320)]
    pub to: Option<String>,
}

/// How a test email went: sent right away, never queued or retried.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestMailResult {
    /// Whether the server accepted the message.
    pub delivered: bool,
    #[schema(example = "ada@example.com")]
    pub to: String,
    /// How long the exchange with the server took.
    #[schema(example = 180, minimum = 0)]
    pub duration_ms: i64,
    /// The server's last answer when it accepted the message.
    #[schema(example = "250 2.0.0 Ok: queued as 4B1F")]
    pub response: Option<String>,
    /// Why it was not sent (connection, TLS, login or the server's refusal).
    pub error: Option<String>,
}

/// An email to a contact, sent through the workspace's mail server and logged as an outbound
/// email interaction. Give a template (rendered for the contact), or a subject and a body, or
/// both (the subject and body then replace the template's).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"template_id": "01936000-0000-7000-8000-000000000007"}))]
pub struct SendEmail {
    /// One of the contact's addresses; the first one when left out.
    #[serde(default)]
    #[validate(email, length(max = 320))]
    #[schema(format = Email, max_length = 320)]
    pub to: Option<String>,
    #[serde(default)]
    pub template_id: Option<Uuid>,
    #[serde(default)]
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub subject: Option<String>,
    /// Plain text; the HTML part is made from it (paragraphs, line breaks and links).
    #[serde(default)]
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub body: Option<String>,
    /// A deal of this contact the email is about.
    #[serde(default)]
    pub deal_id: Option<Uuid>,
}

/// Whether this workspace can send email, and as whom (every member may read it).
#[derive(Debug, Serialize, ToSchema)]
pub struct MailSender {
    /// An admin has set a mail server.
    pub configured: bool,
    #[schema(example = "ada@example.com")]
    pub from_address: Option<String>,
    #[schema(example = "Ada Lovelace")]
    pub from_name: Option<String>,
}

/// Your daily email of due follow-ups in this workspace.
#[derive(Debug, Serialize, ToSchema)]
pub struct DigestSettings {
    /// Whether you get it.
    pub enabled: bool,
    /// The hour of the day (in `time_zone`) it is sent from.
    #[schema(example = 8, minimum = 0, maximum = 23)]
    pub hour: i16,
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    /// The last day it was sent (in `time_zone`).
    pub last_sent_on: Option<chrono::NaiveDate>,
    /// Whether the workspace can send email at all (an admin sets the mail server).
    pub mail_configured: bool,
}

/// Turn the daily email on or off, and choose when it comes.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true, "hour": 8, "time_zone": "Europe/Paris"}))]
pub struct PutDigest {
    pub enabled: bool,
    /// 8 when left out.
    #[serde(default)]
    #[validate(range(min = 0, max = 23))]
    #[schema(minimum = 0, maximum = 23)]
    pub hour: Option<i16>,
    /// An IANA time zone; the workspace's when left out.
    #[serde(default)]
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64, example = "Europe/Paris")]
    pub time_zone: Option<String>,
}
