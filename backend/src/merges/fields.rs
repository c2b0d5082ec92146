//! Which value each field of a merged record takes, and how an undo puts the survivor's fields
//! back: the same rules for contacts and companies, over their fields as JSON.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::dto::{MergeChoice, MergeField};
use crate::error::{AppError, AppResult, FieldError};

/// How the values of both records can be combined.
#[derive(Clone, Copy)]
pub enum Combine {
    /// One value or the other.
    No,
    /// A list: both lists' items, the survivor's first, without repeats (compared by `key`), at
    /// most `max`.
    List {
        max: usize,
        what: &'static str,
        key: fn(&str) -> String,
    },
    /// Text: both, the survivor's first, a blank line between; at most `max` characters.
    Text { max: usize },
    /// An object: every key of both, the survivor's value where both have one.
    Map,
}

pub struct Spec {
    pub name: &'static str,
    pub combine: Combine,
}

pub fn lowercase(s: &str) -> String {
    s.to_lowercase()
}

/// A phone number's digits: "+44 20 7946 0000" and "+442079460000" are the same number.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn filled(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn combine(how: Combine, s: &Value, m: &Value) -> Option<Value> {
    match how {
        Combine::No => None,
        Combine::List { key, .. } => {
            let mut seen = std::collections::HashSet::new();
            let items = [s, m]
                .into_iter()
                .filter_map(Value::as_array)
                .flatten()
                .filter(|v| seen.insert(v.as_str().map(key).unwrap_or_else(|| v.to_string())))
                .cloned()
                .collect();
            Some(Value::Array(items))
        }
        Combine::Text { .. } => {
            let parts: Vec<&str> = [s, m]
                .into_iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect();
            Some(match parts.as_slice() {
                [] => s.clone(),
                [one] => Value::String((*one).to_owned()),
                [a, b] if a == b => Value::String((*a).to_owned()),
                [a, b] => Value::String(format!("{a}\n\n{b}")),
                _ => unreachable!("two values at most"),
            })
        }
        Combine::Map => {
            let mut out = m.as_object().cloned().unwrap_or_default();
            for (k, v) in s.as_object().into_iter().flatten() {
                out.insert(k.clone(), v.clone());
            }
            Some(Value::Object(out))
        }
    }
}

/// Why the value is too big for the record, if it is.
fn too_big(how: Combine, v: &Value) -> Option<String> {
    match how {
        Combine::List { max, what, .. } => v.as_array().filter(|a| a.len() > max).map(|a| {
            format!(
                "together they have {} {what}, more than the {max} a record can have: choose survivor or merged",
                a.len()
            )
        }),
        Combine::Text { max } => v
            .as_str()
            .filter(|t| t.chars().count() > max)
            .map(|_| format!("together they are longer than {max} characters: choose survivor or merged")),
        _ => None,
    }
}

/// The merged record's fields from the survivor's (`s`) and the merged record's (`m`), with
/// `choices` overriding the default per field; and the field-by-field account of it.
pub fn merge(
    specs: &[Spec],
    what: &str,
    s: &Map<String, Value>,
    m: &Map<String, Value>,
    choices: &BTreeMap<String, MergeChoice>,
) -> AppResult<(Map<String, Value>, Vec<MergeField>)> {
    let mut errors: Vec<FieldError> = choices
        .keys()
        .filter(|k| !specs.iter().any(|spec| spec.name == k.as_str()))
        .map(|k| {
            FieldError::new(
                format!("fields.{k}"),
                format!("is not a field of a {what} that a merge chooses"),
            )
        })
        .collect();
    let mut out = s.clone();
    let mut report = Vec::with_capacity(specs.len());
    for spec in specs {
        let sv = s.get(spec.name).cloned().unwrap_or(Value::Null);
        let mv = m.get(spec.name).cloned().unwrap_or(Value::Null);
        let combined = || combine(spec.combine, &sv, &mv);
        let (value, source) = match choices.get(spec.name) {
            Some(MergeChoice::Survivor) => (sv.clone(), MergeChoice::Survivor),
            Some(MergeChoice::Merged) => (mv.clone(), MergeChoice::Merged),
            Some(MergeChoice::Both) => match combined() {
                Some(v) => (v, MergeChoice::Both),
                None => {
                    errors.push(FieldError::new(
                        format!("fields.{}", spec.name),
                        "takes one record's value: choose survivor or merged",
                    ));
                    (sv.clone(), MergeChoice::Survivor)
                }
            },
            None if filled(&sv) && filled(&mv) && sv != mv => match combined() {
                Some(v) => (v, MergeChoice::Both),
                None => (sv.clone(), MergeChoice::Survivor),
            },
            None if filled(&sv) || !filled(&mv) => (sv.clone(), MergeChoice::Survivor),
            None => (mv.clone(), MergeChoice::Merged),
        };
        if let Some(message) = too_big(spec.combine, &value) {
            errors.push(FieldError::new(format!("fields.{}", spec.name), message));
        }
        out.insert(spec.name.to_owned(), value.clone());
        report.push(MergeField {
            field: spec.name.to_owned(),
            differs: sv != mv,
            survivor: sv,
            merged: mv,
            value,
            source,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok((out, report))
}

/// The survivor's fields after an undo: a field still as the merge left it (`after`) goes back
/// to its value `before` the merge; one changed since keeps its current value. Also the names of
/// the fields kept that way.
pub fn revert(
    specs: &[Spec],
    current: &Map<String, Value>,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> (Map<String, Value>, Vec<String>) {
    let mut out = current.clone();
    let mut kept = Vec::new();
    for spec in specs {
        let (now, b, a) = (current.get(spec.name), before.get(spec.name), after.get(spec.name));
        if now == a {
            if let Some(b) = b {
                out.insert(spec.name.to_owned(), b.clone());
            }
        } else if a != b {
            kept.push(spec.name.to_owned());
        }
    }
    (out, kept)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SPECS: &[Spec] = &[
        Spec {
            name: "job_title",
            combine: Combine::No,
        },
        Spec {
            name: "emails",
            combine: Combine::List {
                max: 3,
                what: "email addresses",
                key: lowercase,
            },
        },
        Spec {
            name: "notes",
            combine: Combine::Text { max: 30 },
        },
        Spec {
            name: "custom_fields",
            combine: Combine::Map,
        },
    ];

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_survivor_wins_unless_empty_and_lists_notes_and_custom_fields_combine() {
        let s = obj(
            json!({"job_title": null, "emails": ["a@x.com"], "notes": "met at a fair",
                           "custom_fields": {"budget": 10}}),
        );
        let m = obj(
            json!({"job_title": "CTO", "emails": ["A@x.com", "b@x.com"], "notes": "likes tea",
                           "custom_fields": {"budget": 20, "tier": "gold"}}),
        );
        let (out, report) = merge(SPECS, "contact", &s, &m, &BTreeMap::new()).unwrap();
        assert_eq!(out["job_title"], json!("CTO"));
        assert_eq!(out["emails"], json!(["a@x.com", "b@x.com"]));
        assert_eq!(out["notes"], json!("met at a fair\n\nlikes tea"));
        assert_eq!(out["custom_fields"], json!({"budget": 10, "tier": "gold"}));
        let sources: Vec<_> = report.iter().map(|f| f.source).collect();
        assert_eq!(
            sources,
            [
                MergeChoice::Merged,
                MergeChoice::Both,
                MergeChoice::Both,
                MergeChoice::Both
            ]
        );
    }

    #[test]
    fn choices_override_and_bad_choices_are_named() {
        let s = obj(json!({"job_title": "CEO", "emails": ["a@x.com", "b@x.com"], "notes": "x", "custom_fields": {}}));
        let m = obj(json!({"job_title": "CTO", "emails": ["c@x.com", "d@x.com"], "notes": "y", "custom_fields": {}}));
        let choices = BTreeMap::from([
            ("job_title".to_owned(), MergeChoice::Merged),
            ("notes".to_owned(), MergeChoice::Survivor),
            ("emails".to_owned(), MergeChoice::Merged),
        ]);
        let (out, _) = merge(SPECS, "contact", &s, &m, &choices).unwrap();
        assert_eq!(out["job_title"], json!("CTO"));
        assert_eq!(out["notes"], json!("x"));
        assert_eq!(out["emails"], json!(["c@x.com", "d@x.com"]));
        // Four emails together are more than three; "both" for a single value; an unknown field.
        let bad = BTreeMap::from([
            ("job_title".to_owned(), MergeChoice::Both),
            ("colour".to_owned(), MergeChoice::Merged),
        ]);
        let err = merge(SPECS, "contact", &s, &m, &bad).unwrap_err();
        let fields: Vec<_> = err.field_errors().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["fields.colour", "fields.job_title", "fields.emails"]);
    }

    #[test]
    fn an_undo_restores_untouched_fields_and_keeps_edited_ones() {
        let before = obj(json!({"job_title": null, "emails": ["a@x.com"], "notes": "n", "custom_fields": {}}));
        let after =
            obj(json!({"job_title": "CTO", "emails": ["a@x.com", "b@x.com"], "notes": "n", "custom_fields": {}}));
        let current =
            obj(json!({"job_title": "CEO", "emails": ["a@x.com", "b@x.com"], "notes": "new", "custom_fields": {}}));
        let (out, kept) = revert(SPECS, &current, &before, &after);
        assert_eq!(out["job_title"], json!("CEO"), "changed since the merge: kept");
        assert_eq!(out["emails"], json!(["a@x.com"]), "as the merge left it: back");
        assert_eq!(
            out["notes"],
            json!("new"),
            "the merge did not change it; the later edit stays"
        );
        assert_eq!(kept, ["job_title"]);
    }
}
