//! What the settings API speaks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::contacts::dto::Lifecycle;
use crate::dto::nullable;

/// Days between touchpoints for each lifecycle stage; `null` means no automatic follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadenceDefaults {
    #[validate(range(min = 1, max = 3650))]
    #[schema(example = 3, minimum = 1, maximum = 3650)]
    pub lead: Option<i32>,
    #[validate(range(min = 1, max = 3650))]
    #[schema(example = 7, minimum = 1, maximum = 3650)]
    pub prospect: Option<i32>,
    #[validate(range(min = 1, max = 3650))]
    #[schema(example = 30, minimum = 1, maximum = 3650)]
    pub client: Option<i32>,
    #[validate(range(min = 1, max = 3650))]
    #[schema(minimum = 1, maximum = 3650)]
    pub inactive: Option<i32>,
}

impl Default for CadenceDefaults {
    fn default() -> Self {
        CadenceDefaults {
            lead: Some(3),
            prospect: Some(7),
            client: Some(30),
            inactive: None,
        }
    }
}

impl CadenceDefaults {
    pub fn for_stage(&self, stage: Lifecycle) -> Option<i32> {
        match stage {
            Lifecycle::Lead => self.lead,
            Lifecycle::Prospect => self.prospect,
            Lifecycle::Client => self.client,
            Lifecycle::Inactive => self.inactive,
        }
    }
}

/// The workspace's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Settings {
    /// IANA time zone that decides what "today" is for follow-ups, e.g. `Europe/Paris`.
    #[schema(example = "Europe/Paris")]
    pub timezone: String,
    /// Days after its due date before a follow-up counts as overdue.
    #[schema(example = 2)]
    pub overdue_after_days: i32,
    /// Default follow-up cadence per lifecycle stage (a contact's own cadence wins).
    pub follow_up_cadence_days: CadenceDefaults,
    /// ISO 4217 currency of new deals, payments and products, and of the dashboard's figures.
    #[schema(example = "EUR")]
    pub currency: String,
    /// An open deal with no stage change for this many days counts as stalled.
    #[schema(example = 14)]
    pub stale_deal_days: i32,
    /// ISO 3166-1 country code that phone numbers written without `+` belong to (imports read
    /// and match them in this country's numbering plan), or none.
    #[schema(example = "FR", pattern = "^[A-Z]{2}$")]
    pub default_country: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timezone: "UTC".into(),
            overdue_after_days: 2,
            follow_up_cadence_days: CadenceDefaults::default(),
            currency: "EUR".into(),
            stale_deal_days: 14,
            default_country: None,
        }
    }
}

/// A partial change of the settings.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"timezone": "Europe/Paris", "follow_up_cadence_days": {"lead": 2, "prospect": 7, "client": 45, "inactive": null}}))]
pub struct UpdateSettings {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub timezone: Option<String>,
    #[validate(range(min = 0, max = 365))]
    #[schema(minimum = 0, maximum = 365)]
    pub overdue_after_days: Option<i32>,
    /// Replaces the whole table of defaults.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<CadenceDefaults>)]
    pub follow_up_cadence_days: Option<Option<CadenceDefaults>>,
    #[validate(custom(function = "crate::money::validate_currency"))]
    pub currency: Option<String>,
    #[validate(range(min = 1, max = 365))]
    #[schema(minimum = 1, maximum = 365)]
    pub stale_deal_days: Option<i32>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "validate_country"))]
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{2}$", example = "FR")]
    pub default_country: Option<Option<String>>,
}

/// A country phone numbers can belong to, as its ISO 3166-1 code.
pub fn country(code: &str) -> Option<phonenumber::country::Id> {
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    code.parse().ok()
}

fn validate_country(code: &str) -> Result<(), validator::ValidationError> {
    if country(code).is_some() {
        return Ok(());
    }
    let mut e = validator::ValidationError::new("country");
    e.message = Some(format!("'{code}' is not an ISO 3166-1 country code such as FR or US").into());
    Err(e)
}
