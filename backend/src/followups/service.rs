//! The follow-up queue: contacts due in a window, oldest first, each with the reason it is due.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::contacts::dto::Contact;
use crate::contacts::query::{ContactFilter, ContactQuery, SORTS};
use crate::db::WorkspaceId;
use crate::db::keyset::Sort;
use crate::error::{AppError, AppResult};
use crate::http::params::{self, ParamErrors};
use crate::reminders;
use crate::reminders::dto::Reminder;
use crate::settings;
use crate::settings::dto::Settings;
use crate::{contacts, text_enum};

text_enum!(
    /// Where a follow-up stands today.
    FollowUpState {
        /// Past its date by more than the grace period.
        Overdue => "overdue",
        /// Due today, or late within the grace period.
        Due => "due",
        /// Due later in the window.
        Upcoming => "upcoming",
    }
);

text_enum!(
    /// Which follow-ups to list.
    Window {
        Overdue => "overdue",
        Today => "today",
        Week => "week",
    }
);

/// A contact due for a follow-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUp {
    pub contact: Contact,
    /// When the follow-up is due.
    pub due_at: DateTime<Utc>,
    pub state: FollowUpState,
    /// Whole days past the due date (0 when due today or later).
    #[schema(example = 3)]
    pub days_late: i64,
    /// Why it is due, for people.
    #[schema(example = "Last contact 10 days ago; prospects every 7 days")]
    pub reason: String,
    /// The open reminder that set this date, if one did.
    pub reminder: Option<Reminder>,
}

/// How many follow-ups each window holds (each includes the ones before it).
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpCounts {
    #[schema(example = 2)]
    pub overdue: i64,
    /// Due by the end of today, overdue included.
    #[schema(example = 5)]
    pub today: i64,
    /// Due by the end of the coming 7 days, today included.
    #[schema(example = 9)]
    pub week: i64,
}

/// A page of follow-ups, most pressing first.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpPage {
    pub items: Vec<FollowUp>,
    pub next_cursor: Option<String>,
    pub counts: FollowUpCounts,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListFollowUpsParams {
    /// `overdue`, `today` (default: due by the end of today, overdue included) or `week`.
    #[param(example = "today")]
    pub window: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Whose contacts: `me`, `none` (nobody's) or a member's user id; counts follow it too.
    #[param(example = "me")]
    pub owner: Option<String>,
}

fn plural_stage(stage: &str) -> String {
    format!("{stage}s")
}

fn days_ago(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "yesterday".into(),
        n => format!("{n} days ago"),
    }
}

/// Why a contact is due, from its schedule.
pub fn reason(contact: &Contact, settings: &Settings, now: DateTime<Utc>) -> String {
    let own = contact.follow_up_cadence_days;
    let cadence = own.or_else(|| settings.follow_up_cadence_days.for_stage(contact.lifecycle));
    let (base, touched) = match contact.last_interaction_at {
        Some(t) => (t, true),
        None => (contact.created_at, false),
    };
    let expected = cadence.map(|d| base + Duration::days(i64::from(d)));
    if expected.is_none() || expected != contact.next_follow_up_at {
        return "Follow-up date set by hand".into();
    }
    let every = |d: i32| {
        if d == 1 {
            "every day".to_owned()
        } else {
            format!("every {d} days")
        }
    };
    let rule = match (own, cadence) {
        (Some(d), _) => format!("{} for this contact", every(d)),
        (None, Some(d)) => format!("{} {}", plural_stage(contact.lifecycle.as_str()), every(d)),
        _ => String::new(),
    };
    let since = (now - base).num_days().max(0);
    if touched {
        format!("Last contact {}; {rule}", days_ago(since))
    } else {
        format!("Added {} and never contacted; {rule}", days_ago(since))
    }
}

/// The queue; `me` is the caller (for `owner=me`).
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &ListFollowUpsParams,
    me: Uuid,
) -> AppResult<FollowUpPage> {
    let mut errors = ParamErrors::default();
    let owner = errors.take(params::owner("owner", p.owner.as_deref(), me)).flatten();
    let window = match p.window.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(Window::Today),
        Some(w) => errors.take(
            w.parse::<Window>()
                .map_err(|e| crate::error::FieldError::new("window", e)),
        ),
    };
    let limit = errors.take(params::limit(p.limit.as_deref()));
    let sort = Sort {
        key: SORTS[4],
        descending: false,
    };
    let after = errors.take(sort.after(p.cursor.as_deref())).flatten();
    errors.finish()?;
    let (Some(window), Some(limit)) = (window, limit) else {
        return Err(AppError::internal(anyhow::anyhow!(
            "parameters parsed without errors but without values"
        )));
    };

    let counts = contacts::service::follow_up_counts(conn, workspace, owner).await?;
    let settings = settings::service::from_json(&counts.settings);
    // The windows end at midnights in the workspace's time zone, as the counts' days do.
    let start_of_today = counts.start_of_today;
    let (overdue_before, today_before) = (counts.overdue_before, counts.today_before);
    let due_before = match window {
        Window::Overdue => overdue_before,
        Window::Today => today_before,
        Window::Week => counts.week_before,
    };
    let query = ContactQuery {
        filter: ContactFilter {
            due_before: Some(due_before),
            owner,
            ..ContactFilter::default()
        },
        sort,
        after,
        limit,
        include_total: false,
    };
    let page = contacts::service::list(conn, workspace, query).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|c| c.id).collect();
    let mut reminders = reminders::service::earliest_open(conn, workspace, &ids).await?;
    let now = Utc::now();
    let items = page
        .items
        .into_iter()
        .filter_map(|contact| {
            let due_at = contact.next_follow_up_at?;
            let state = if due_at < overdue_before {
                FollowUpState::Overdue
            } else if due_at < today_before {
                FollowUpState::Due
            } else {
                FollowUpState::Upcoming
            };
            // Calendar days between the due date and today, rounding part-days up.
            let days_late = ((start_of_today - due_at).num_seconds().max(0) + 86_399) / 86_400;
            // The follow-up comes from a reminder when that reminder is what set its date.
            let reminder = reminders.remove(&contact.id).filter(|r| r.due_at <= due_at);
            let reason = match &reminder {
                Some(r) => format!("Reminder: {}", r.title),
                None => reason(&contact, &settings, now),
            };
            Some(FollowUp {
                contact,
                due_at,
                state,
                days_late,
                reason,
                reminder,
            })
        })
        .collect();
    Ok(FollowUpPage {
        items,
        next_cursor: page.next_cursor,
        counts: FollowUpCounts {
            overdue: counts.overdue,
            today: counts.today,
            week: counts.week,
        },
    })
}
