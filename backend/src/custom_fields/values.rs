//! Checking custom-field values against their definitions, and building filters. Pure code.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::dto::FieldType;
use crate::error::FieldError;

/// What the checks need to know about a definition.
#[derive(Debug, Clone)]
pub struct Def {
    pub key: String,
    pub field_type: FieldType,
    pub options: Vec<String>,
}

fn field(key: &str) -> String {
    format!("custom_fields.{key}")
}

/// Checks and normalises one value; `Ok(None)` means "remove" (null or empty).
fn check_value(def: &Def, value: &Value) -> Result<Option<Value>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let text = || value.as_str().map(str::trim).ok_or_else(|| "must be text".to_owned());
    match def.field_type {
        FieldType::Text => {
            let t = text()?;
            if t.chars().count() > 2000 {
                return Err("must be at most 2000 characters long".into());
            }
            Ok((!t.is_empty()).then(|| Value::String(t.to_owned())))
        }
        FieldType::Url => {
            let t = text()?;
            if t.is_empty() {
                return Ok(None);
            }
            crate::dto::normalize_url(t)
                .map(|u| Some(Value::String(u)))
                .ok_or_else(|| format!("'{t}' is not a web address"))
        }
        FieldType::Number => match value {
            Value::Number(n) if n.as_f64().is_some_and(f64::is_finite) => Ok(Some(value.clone())),
            _ => Err("must be a number".into()),
        },
        FieldType::Boolean => match value {
            Value::Bool(_) => Ok(Some(value.clone())),
            _ => Err("must be true or false".into()),
        },
        FieldType::Date => {
            let t = text().map_err(|_| "must be a date like 2026-12-31".to_owned())?;
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map(|d| Some(Value::String(d.format("%Y-%m-%d").to_string())))
                .map_err(|_| format!("'{t}' is not a date like 2026-12-31"))
        }
        FieldType::Select => {
            let t = text()?;
            if def.options.iter().any(|o| o == t) {
                Ok(Some(Value::String(t.to_owned())))
            } else {
                Err(format!("'{t}' is not one of: {}", def.options.join(", ")))
            }
        }
        FieldType::MultiSelect => {
            let items = value.as_array().ok_or_else(|| "must be a list of options".to_owned())?;
            let mut chosen: Vec<Value> = Vec::new();
            for item in items {
                let t = item.as_str().ok_or_else(|| "must be a list of options".to_owned())?;
                if !def.options.iter().any(|o| o == t) {
                    return Err(format!("'{t}' is not one of: {}", def.options.join(", ")));
                }
                if !chosen.iter().any(|c| c.as_str() == Some(t)) {
                    chosen.push(Value::String(t.to_owned()));
                }
            }
            Ok((!chosen.is_empty()).then_some(Value::Array(chosen)))
        }
    }
}

/// A record's custom-field values as a change leaves them, applied in SQL to the values as they
/// are when the change is written (`(values || set) - cleared`, or `set` alone when it replaces
/// them all), so two edits of different fields at the same time both land.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuesChange {
    /// Every value is replaced by `set` (a merge writes the survivor's values whole).
    pub replace: bool,
    /// Values to set, checked and normalised: a JSON object.
    pub set: Value,
    /// Keys to remove.
    pub cleared: Vec<String>,
}

impl ValuesChange {
    /// A change that writes `values` in place of every value.
    pub fn replace(values: Value) -> Self {
        Self {
            replace: true,
            set: values,
            cleared: Vec::new(),
        }
    }

    /// What `Statement::assign_merged` writes: whether it replaces every value, the values to
    /// set and the keys to clear.
    pub fn merged(&self) -> (bool, &Value, &[String]) {
        (self.replace, &self.set, &self.cleared)
    }

    /// The values this change leaves on a record holding `current`.
    pub fn applied_to(&self, current: &Map<String, Value>) -> Map<String, Value> {
        let mut out = if self.replace { Map::new() } else { current.clone() };
        if let Value::Object(set) = &self.set {
            out.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for key in &self.cleared {
            out.remove(key);
        }
        out
    }
}

/// Checks `changes` (key → value, `null` or empty removes) against `defs`, every key and value;
/// all problems are reported together.
pub fn change(defs: &[Def], changes: &Map<String, Value>) -> Result<ValuesChange, Vec<FieldError>> {
    let by_key: BTreeMap<&str, &Def> = defs.iter().map(|d| (d.key.as_str(), d)).collect();
    let mut set = Map::new();
    let mut cleared = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in changes {
        let Some(def) = by_key.get(key.as_str()) else {
            errors.push(FieldError::new(
                field(key),
                "is not a custom field here; define it in Settings first",
            ));
            continue;
        };
        match check_value(def, value) {
            Ok(Some(v)) => {
                set.insert(key.clone(), v);
            }
            Ok(None) => cleared.push(key.clone()),
            Err(message) => errors.push(FieldError::new(field(key), message)),
        }
    }
    if errors.is_empty() {
        Ok(ValuesChange {
            replace: false,
            set: Value::Object(set),
            cleared,
        })
    } else {
        Err(errors)
    }
}

/// Applies `changes` (key → value, `null` removes) to `current`, checking every key and value
/// against `defs`; all problems are reported together.
pub fn apply(
    defs: &[Def],
    current: &Map<String, Value>,
    changes: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    change(defs, changes).map(|c| c.applied_to(current))
}

/// The JSON a record must contain to match `key:value` (for a `@>` containment filter).
pub fn filter(defs: &[Def], raw: &str) -> Result<Value, FieldError> {
    let bad = |m: String| FieldError::new("custom_field", m);
    let (key, text) = raw
        .split_once(':')
        .ok_or_else(|| bad("must look like key:value".into()))?;
    let def = defs
        .iter()
        .find(|d| d.key == key.trim())
        .ok_or_else(|| bad(format!("'{}' is not a custom field", key.trim())))?;
    let text = text.trim();
    let value = match def.field_type {
        FieldType::Number => text
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number)),
        FieldType::Boolean => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        FieldType::MultiSelect => Some(Value::Array(vec![Value::String(text.to_owned())])),
        _ => Some(Value::String(text.to_owned())),
    }
    .ok_or_else(|| bad(format!("'{text}' does not fit the {} field {key}", def.field_type)))?;
    let mut object = Map::new();
    object.insert(def.key.clone(), value);
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs() -> Vec<Def> {
        let d = |key: &str, field_type, options: &[&str]| Def {
            key: key.into(),
            field_type,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
        };
        vec![
            d("budget", FieldType::Number, &[]),
            d("renewal", FieldType::Date, &[]),
            d("tier", FieldType::Select, &["gold", "silver"]),
            d("channels", FieldType::MultiSelect, &["email", "phone"]),
            d("nda", FieldType::Boolean, &[]),
            d("portfolio", FieldType::Url, &[]),
        ]
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn valid_values_are_normalised_and_null_removes() {
        let current = obj(json!({"tier": "gold", "nda": true}));
        let out = apply(
            &defs(),
            &current,
            &obj(json!({"budget": 1200.5, "renewal": "2027-01-31", "channels": ["phone", "phone"], "portfolio": "ada.example", "nda": null})),
        )
        .unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"tier": "gold", "budget": 1200.5, "renewal": "2027-01-31", "channels": ["phone"], "portfolio": "https://ada.example"})
        );
    }

    #[test]
    fn every_wrong_value_is_named() {
        let errors = apply(
            &defs(),
            &Map::new(),
            &obj(json!({"budget": "lots", "renewal": "soon", "tier": "bronze", "channels": ["fax"], "nda": "yes", "colour": "red"})),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "custom_fields.budget",
                "custom_fields.channels",
                "custom_fields.colour",
                "custom_fields.nda",
                "custom_fields.renewal",
                "custom_fields.tier"
            ]
        );
    }

    #[test]
    fn filters() {
        assert_eq!(filter(&defs(), "tier:gold").unwrap(), json!({"tier": "gold"}));
        assert_eq!(
            filter(&defs(), "channels:email").unwrap(),
            json!({"channels": ["email"]})
        );
        assert_eq!(filter(&defs(), "nda:true").unwrap(), json!({"nda": true}));
        assert!(filter(&defs(), "budget:lots").is_err());
        assert!(filter(&defs(), "nope:1").is_err());
        assert!(filter(&defs(), "tier").is_err());
    }
}
