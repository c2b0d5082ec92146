//! Helpers shared by the API's request types: `null`-aware optional fields and the validation
//! and normalisation of common kinds of text (emails, phones, URLs, tags); and for responses,
//! times written in one piece.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
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

/// A time as its RFC 3339 text, exactly as chrono's own `Serialize` writes it (UTC as `Z`, the
/// fraction in 0, 3, 6 or 9 digits as needed), formatted into a buffer and handed over in one
/// piece. Chrono's writes each part through `fmt`, and a JSON serializer escapes each part on
/// its own: for a page of contacts, a tenth of the response's work.
struct Rfc3339<'a>(&'a DateTime<Utc>);

impl Serialize for Rfc3339<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 30];
        match rfc3339(self.0, &mut buf) {
            Some(text) => serializer.serialize_str(text),
            None => self.0.serialize(serializer),
        }
    }
}

/// `#[serde(serialize_with = "crate::dto::timestamp")]`: see [`Rfc3339`].
pub fn timestamp<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    Rfc3339(at).serialize(serializer)
}

/// `#[serde(serialize_with = "crate::dto::timestamp_opt")]`: see [`Rfc3339`].
pub fn timestamp_opt<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_some(&Rfc3339(at)),
        None => serializer.serialize_none(),
    }
}

/// The RFC 3339 text of `at` in `buf`; `None` for a year outside 0–9999 (chrono then writes it).
fn rfc3339<'b>(at: &DateTime<Utc>, buf: &'b mut [u8; 30]) -> Option<&'b str> {
    let year = at.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    let mut second = at.second();
    let mut nanos = at.nanosecond();
    // A leap second: chrono writes it as the 60th second.
    if nanos >= 1_000_000_000 {
        second += 1;
        nanos -= 1_000_000_000;
    }
    fn digits(buf: &mut [u8], value: u32) {
        let mut value = value;
        for b in buf.iter_mut().rev() {
            *b = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    digits(&mut buf[0..4], year.unsigned_abs());
    buf[4] = b'-';
    digits(&mut buf[5..7], at.month());
    buf[7] = b'-';
    digits(&mut buf[8..10], at.day());
    buf[10] = b'T';
    digits(&mut buf[11..13], at.hour());
    buf[13] = b':';
    digits(&mut buf[14..16], at.minute());
    buf[16] = b':';
    digits(&mut buf[17..19], second);
    let (fraction, places) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    let mut end = 19;
    if places > 0 {
        buf[19] = b'.';
        digits(&mut buf[20..20 + places], fraction);
        end = 20 + places;
    }
    buf[end] = b'Z';
    std::str::from_utf8(&buf[..=end]).ok()
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

    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let check = |at: DateTime<Utc>| {
            let ours = serde_json::to_string(&Rfc3339(&at)).unwrap();
            assert_eq!(ours, serde_json::to_string(&at).unwrap(), "{at:?}");
        };
        for text in [
            "2026-12-07T10:39:14Z",
            "2026-12-07T10:39:14.5Z",
            "2026-12-07T10:39:14.123Z",
            "2026-12-07T10:39:14.123456Z",
            "2026-12-07T10:39:14.000001Z",
            "2026-12-07T10:39:14.123456789Z",
            "2026-12-07T10:39:14.000000001Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "1970-01-01T00:00:00Z",
        ] {
            check(text.parse().unwrap());
        }
        // A leap second, and years chrono writes with a sign.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        check(leap);
        check("+10000-01-01T00:00:00Z".parse().unwrap());
        check("-0001-06-01T12:00:00.25Z".parse().unwrap());
        // Times across the years PostgreSQL stores, at microseconds, millis and whole seconds.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let seconds = (x % 253_402_300_799) as i64;
            let nanos = match x % 4 {
                0 => 0,
                1 => ((x >> 20) % 1_000) as u32 * 1_000_000,
                2 => ((x >> 20) % 1_000_000) as u32 * 1_000,
                _ => ((x >> 20) % 1_000_000_000) as u32,
            };
            check(DateTime::from_timestamp(seconds, nanos).unwrap());
        }
        let none: Option<DateTime<Utc>> = None;
        let mut out = serde_json::Serializer::new(Vec::new());
        timestamp_opt(&none, &mut out).unwrap();
        assert_eq!(out.into_inner(), b"null");
    }
}
