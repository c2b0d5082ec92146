//! Reading and changing workspace settings, stored as JSON on the workspace row.

use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::dto::{CadenceDefaults, Settings, UpdateSettings};
use super::store;
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};

/// The workspace's settings, with defaults for anything not stored.
pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<Settings> {
    Ok(from_json(&store::stored(conn, workspace).await?))
}

/// The stored default cadence (days) of a stage of life, as the follow-up computation in SQL
/// reads it (`settings -> 'follow_up_cadence_days' ->> stage`): `None` when none is stored.
pub async fn stage_cadence(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    stage: &str,
) -> AppResult<Option<i32>> {
    let stored = store::stored(conn, workspace).await?;
    Ok(stored
        .get("follow_up_cadence_days")
        .and_then(|c| c.get(stage))
        .and_then(|d| d.as_i64().or_else(|| d.as_str().and_then(|s| s.trim().parse().ok())))
        .and_then(|d| i32::try_from(d).ok()))
}

/// Settings from their stored JSON, with defaults for anything missing.
pub fn from_json(stored: &serde_json::Value) -> Settings {
    let defaults = Settings::default();
    Settings {
        timezone: stored
            .get("timezone")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .unwrap_or(defaults.timezone),
        overdue_after_days: stored
            .get("overdue_after_days")
            .and_then(|v| v.as_i64())
            .map(|v| v as i32)
            .unwrap_or(defaults.overdue_after_days),
        follow_up_cadence_days: stored
            .get("follow_up_cadence_days")
            .and_then(|v| serde_json::from_value::<CadenceDefaults>(v.clone()).ok())
            .unwrap_or(defaults.follow_up_cadence_days),
        currency: stored
            .get("currency")
            .and_then(|v| v.as_str())
            .filter(|c| crate::money::is_currency(c))
            .map(str::to_owned)
            .unwrap_or(defaults.currency),
        stale_deal_days: stored
            .get("stale_deal_days")
            .and_then(|v| v.as_i64())
            .map(|v| v as i32)
            .unwrap_or(defaults.stale_deal_days),
        default_country: stored
            .get("default_country")
            .and_then(|v| v.as_str())
            .filter(|c| super::dto::country(c).is_some())
            .map(str::to_owned),
    }
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: UpdateSettings,
) -> AppResult<Settings> {
    let mut settings = get(conn, workspace).await?;
    let before = settings.clone();
    if let Some(tz) = input.timezone {
        let tz = tz.trim().to_owned();
        if !is_time_zone(conn, &tz).await? {
            return Err(AppError::invalid_field(
                "timezone",
                format!("'{tz}' is not a time zone name such as Europe/Paris"),
            ));
        }
        settings.timezone = tz;
    }
    if let Some(days) = input.overdue_after_days {
        settings.overdue_after_days = days;
    }
    if let Some(currency) = input.currency {
        settings.currency = currency;
    }
    if let Some(days) = input.stale_deal_days {
        settings.stale_deal_days = days;
    }
    if let Some(country) = input.default_country {
        settings.default_country = country;
    }
    if let Some(cadences) = input.follow_up_cadence_days {
        settings.follow_up_cadence_days = cadences.unwrap_or_default();
    }
    let json = serde_json::to_value(&settings).map_err(AppError::internal)?;
    let cadences_changed = before.follow_up_cadence_days != settings.follow_up_cadence_days;
    let fields: Vec<&str> = [
        ("timezone", before.timezone != settings.timezone),
        (
            "overdue_after_days",
            before.overdue_after_days != settings.overdue_after_days,
        ),
        ("follow_up_cadence_days", cadences_changed),
        ("currency", before.currency != settings.currency),
        ("stale_deal_days", before.stale_deal_days != settings.stale_deal_days),
        ("default_country", before.default_country != settings.default_country),
    ]
    .into_iter()
    .filter_map(|(f, changed)| changed.then_some(f))
    .collect();
    conn.transaction::<_, AppError, _>(async move |conn| {
        store::merge(conn, workspace, json, chrono::Utc::now()).await?;
        if cadences_changed {
            crate::contacts::service::reschedule_defaults(conn, workspace).await?;
        }
        if !fields.is_empty() {
            let change = Change {
                entity: Entity::Settings,
                entity_id: workspace.uuid(),
                action: Action::Updated,
                summary: crate::summary!(SettingsChanged, fields = fields.join(",")),
                contact_id: None,
                fields: &fields,
            };
            activity::service::record(conn, workspace, change).await?;
        }
        Ok(())
    })
    .await?;
    Ok(settings)
}

/// Whether `name` is a time zone PostgreSQL knows (IANA names such as Europe/Paris).
/// True when PostgreSQL knows this time zone name (e.g. `Europe/Paris`). The names are read
/// once per process: they are the database server's time zone files, which change only with its
/// installation, and reading them takes longer than the write that checks one.
pub async fn is_time_zone(conn: &mut AsyncPgConnection, name: &str) -> AppResult<bool> {
    static NAMES: tokio::sync::OnceCell<std::collections::HashSet<String>> = tokio::sync::OnceCell::const_new();
    let names = NAMES
        .get_or_try_init(|| async { store::time_zone_names(conn).await.map(|n| n.into_iter().collect()) })
        .await?;
    Ok(names.contains(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_settings_fall_back_to_defaults() {
        assert_eq!(from_json(&serde_json::json!({})), Settings::default());
        let s = from_json(
            &serde_json::json!({"timezone": "Asia/Tokyo", "follow_up_cadence_days": {"lead": 1, "prospect": 2, "client": 3, "inactive": 4}}),
        );
        assert_eq!(s.timezone, "Asia/Tokyo");
        assert_eq!(s.follow_up_cadence_days.inactive, Some(4));
        assert_eq!(s.overdue_after_days, 2);
    }
}
