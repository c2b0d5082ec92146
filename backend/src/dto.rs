//! Helpers shared by the API's request types: `null`-aware optional fields and the validation
//! and normalisation of common kinds of text (emails, phones, URLs, tags).

use serde::{Deserialize, Deserializer};
use validator::{ValidateEmail, ValidationError};

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// For PATCH bodies: a field that may be left out but not set to `null`.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

fn invalid(code: &'static str, message: String) -> ValidationError {
    ValidationError::new(code).with_message(message.into())
}

pub fn validate_not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(invalid("blank", "must not be blank".into()))
    } else {
        Ok(())
    }
}

pub fn validate_emails(emails: &[String]) -> Result<(), ValidationError> {
    for e in emails {
        if !e.trim().validate_email() {
            return Err(invalid("email", format!("'{}' is not a valid email address", e.trim())));
        }
    }
    Ok(())
}

pub fn validate_phones(phones: &[String]) -> Result<(), ValidationError> {
    for p in phones {
        let p = p.trim();
        let digits = p.chars().filter(char::is_ascii_digit).count();
        let allowed = p.chars().all(|c| c.is_ascii_digit() || " +-().x/".contains(c));
        if !(allowed && (3..=20).contains(&digits) && p.len() <= 40) {
            return Err(invalid(
                "phone",
                format!("'{p}' is not a phone number (digits, spaces, + - ( ) . only)"),
            ));
        }
    }
    Ok(())
}

pub fn validate_tags(tags: &[String]) -> Result<(), ValidationError> {
    for t in tags {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > 50 || t.contains(',') {
            return Err(invalid(
                "tag",
                format!("'{t}' is not a valid tag (1 to 50 characters, no commas)"),
            ));
        }
    }
    Ok(())
}

pub fn validate_web_url(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() || normalize_url(value).is_some() {
        Ok(())
    } else {
        Err(invalid("url", format!("'{}' is not a web address", value.trim())))
    }
}

/// Trims; empty becomes `None`.
pub fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Adds `https://` when the scheme is missing; `None` for anything that is not an http(s) URL
/// with a dotted host.
pub fn normalize_url(value: &str) -> Option<String> {
    let v = value.trim();
    let with_scheme = if v.contains("://") {
        v.to_owned()
    } else {
        format!("https://{v}")
    };
    let url = url::Url::parse(&with_scheme).ok()?;
    let host_ok = url.host_str().is_some_and(|h| h.contains('.') || h == "localhost");
    (matches!(url.scheme(), "http" | "https") && host_ok).then_some(with_scheme)
}

/// Trimmed, lower-cased, duplicates removed, order kept.
pub fn normalize_emails(emails: Vec<String>) -> Vec<String> {
    dedupe(emails.into_iter().map(|e| e.trim().to_lowercase()))
}

pub fn normalize_phones(phones: Vec<String>) -> Vec<String> {
    dedupe(
        phones
            .into_iter()
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")),
    )
}

pub fn normalize_tags(tags: Vec<String>) -> Vec<String> {
    dedupe(
        tags.into_iter()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()),
    )
}

fn dedupe(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_gain_a_scheme_and_must_have_a_host() {
        assert_eq!(normalize_url("example.com").as_deref(), Some("https://example.com"));
        assert_eq!(normalize_url("http://a.b/c").as_deref(), Some("http://a.b/c"));
        assert_eq!(normalize_url("not a url"), None);
        assert_eq!(normalize_url("ftp://files.example.com"), None);
        assert_eq!(normalize_url("javascript:alert(1)"), None);
    }

    #[test]
    fn lists_are_normalised() {
        assert_eq!(
            normalize_emails(vec![" A@B.com ".into(), "a@b.com".into()]),
            vec!["a@b.com"]
        );
        assert_eq!(
            normalize_tags(vec!["VIP".into(), " vip ".into(), "Big  Fish".into()]),
            vec!["vip", "big fish"]
        );
        assert_eq!(normalize_phones(vec!["+1  555 0100".into()]), vec!["+1 555 0100"]);
    }

    #[test]
    fn validators() {
        assert!(validate_emails(&["ok@example.com".into()]).is_ok());
        assert!(validate_emails(&["nope".into()]).is_err());
        assert!(validate_phones(&["+1 (555) 010-0100".into()]).is_ok());
        assert!(validate_phones(&["call me".into()]).is_err());
        assert!(validate_tags(&["a,b".into()]).is_err());
        assert!(validate_not_blank("  ").is_err());
    }
}
