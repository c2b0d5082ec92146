//! `ApiJson<T>`: the JSON body extractor every write endpoint uses. It enforces the content type
//! (415), the size limit (413), well-formed JSON (400), no NUL characters in text (422), the
//! shape of `T` including unknown fields (422 naming the field) and `T`'s validation rules (422
//! naming each field).

use std::collections::BTreeMap;

use actix_web::dev::Payload;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, http::header};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{AppError, FieldError};

/// Default JSON body limit (SPEC §7); endpoints that need more set their own `JsonLimit`.
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// Maximum accepted body size for `ApiJson`, as app or resource data.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimit(pub usize);

pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<JsonLimit>().map_or(DEFAULT_LIMIT, |l| l.0);
        let extracted = extract::<T>(req, payload, limit);
        Box::pin(async move { extracted.await.map(ApiJson) })
    }
}

/// [`ApiJson`] with its own body limit of `LIMIT` bytes, for the endpoints that take more than
/// the usual 64 KiB (a bulk change naming 10,000 records).
pub struct LargeJson<T, const LIMIT: usize>(pub T);

impl<T: DeserializeOwned + Validate + 'static, const LIMIT: usize> FromRequest for LargeJson<T, LIMIT> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let extracted = extract::<T>(req, payload, LIMIT);
        Box::pin(async move { extracted.await.map(LargeJson) })
    }
}

fn extract<T: DeserializeOwned + Validate + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> LocalBoxFuture<'static, Result<T, AppError>> {
    let content_type = check_content_type(req);
    let declared_len = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let timeout = body_timeout(req);
    let payload = payload.take();
    Box::pin(async move {
        content_type?;
        if declared_len.is_some_and(|len| len > limit) {
            return Err(AppError::payload_too_large(limit));
        }
        let body = read_body(payload, limit, timeout).await?;
        let value: T = parse(&body)?;
        value
            .validate()
            .map_err(|e| AppError::validation(validation_errors(&e)))?;
        Ok(value)
    })
}

/// How long the body of this request may take to arrive.
pub fn body_timeout(req: &HttpRequest) -> std::time::Duration {
    req.app_data::<crate::config::Timeouts>()
        .map_or(crate::config::Timeouts::DEFAULT.body, |t| t.body)
}

/// Reads a request body of at most `limit` bytes (413 past it) that must arrive within
/// `timeout` (408 after it, so that a client sending a byte a second cannot hold a connection).
pub async fn read_body(mut payload: Payload, limit: usize, timeout: std::time::Duration) -> Result<BytesMut, AppError> {
    let read = async move {
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|_| AppError::bad_request("unreadable_body", "the request body could not be read"))?;
            if body.len() + chunk.len() > limit {
                return Err(AppError::payload_too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| Err(AppError::request_timeout(timeout)))
}

fn check_content_type(req: &HttpRequest) -> Result<(), AppError> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(AppError::unsupported_media_type(
            "send the body as JSON with Content-Type: application/json",
        ));
    };
    let mime = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json")) {
        Ok(())
    } else {
        Err(AppError::unsupported_media_type(format!(
            "Content-Type '{mime}' is not accepted here; send application/json"
        )))
    }
}

/// Parses a JSON body into `T`, turning every failure into a problem a client can act on.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_request(
            "malformed_json",
            "the request body is empty; send a JSON object",
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        let detail = match e.classify() {
            serde_json::error::Category::Io | serde_json::error::Category::Eof => {
                "the JSON body ends too early".to_owned()
            }
            _ => format!("the body is not valid JSON: {e}"),
        };
        AppError::bad_request("malformed_json", detail)
    })?;
    if let Some(path) = find_nul(&value, String::new()) {
        let field = if path.is_empty() { "body".to_owned() } else { path };
        return Err(AppError::invalid_field(
            field,
            "must not contain NUL (\\u0000) characters",
        ));
    }
    if !value.is_object() {
        return Err(AppError::invalid_field("body", "must be a JSON object"));
    }
    let mut value = value;
    integral_numbers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.into_inner().to_string();
        AppError::validation(vec![describe_serde_error(&path, &message)])
    })
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn backticked_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

fn describe_serde_error(path: &str, message: &str) -> FieldError {
    if let Some(name) = backticked_after(message, "unknown field `") {
        // serde_path_to_error already includes the unknown key in the path.
        let field = if path.ends_with(name) {
            path.to_owned()
        } else {
            join(path, name)
        };
        return FieldError::coded(field, "unknown_field", "is not a known field");
    }
    if let Some(name) = backticked_after(message, "missing field `") {
        return FieldError::coded(join(path, name), "required", "is required");
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let choices: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let field = if path.is_empty() { "body" } else { path };
        return FieldError::coded(field, "one_of", format!("must be one of: {}", choices.join(", ")))
            .with_param("choices", choices);
    }
    let field = if path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    match message.strip_prefix("invalid type: ") {
        Some(rest) => FieldError::coded(field, "wrong_type", format!("wrong type: {rest}")),
        None => FieldError::new(field, message),
    }
}

/// JSON Schema counts `3.0` as an integer: numbers with no fraction are made integers before
/// the body meets the request types, so `{"price_minor": 1200.0}` means 1200 as the document
/// says (fractions still fail on integer fields).
fn integral_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9_007_199_254_740_992.0
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn find_nul(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_nul(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(join(&path, &k.replace('\0', "")))
            } else {
                find_nul(v, join(&path, k))
            }
        }),
        _ => None,
    }
}

/// Flattens validator's nested errors into `field` paths with readable messages.
pub fn validation_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    flatten(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn flatten(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = join(prefix, field);
        match kind {
            ValidationErrorsKind::Field(list) => {
                // One message per field: the first rule it breaks.
                if let Some(e) = list.first() {
                    out.push(field_error(path.clone(), e));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                let items: &BTreeMap<usize, Box<ValidationErrors>> = items;
                for (i, inner) in items {
                    flatten(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

/// A rule's failure as a field error: validator's code (`length`, `range`, `email`, or a custom
/// rule's own), its bounds as parameters, and the message.
fn field_error(path: String, e: &validator::ValidationError) -> FieldError {
    let mut out = FieldError::coded(path, e.code.to_string(), message_for(e));
    for (name, value) in &e.params {
        // `value` is the input itself, which the client has; the rest says what the rule wants.
        if name != "value" {
            out.params.insert(name.to_string(), value.clone());
        }
    }
    out
}

fn message_for(e: &validator::ValidationError) -> String {
    if let Some(m) = &e.message {
        return m.to_string();
    }
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            _ => "has the wrong length".to_owned(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            _ => "is out of range".to_owned(),
        },
        "email" => "must be a valid email address".to_owned(),
        "url" => "must be a valid URL".to_owned(),
        other => format!("is invalid ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn an_unknown_choice_lists_the_known_ones() {
        for (message, expected) in [
            (
                "unknown variant `customer`, expected one of `lead`, `prospect`, `client`",
                "must be one of: lead, prospect, client",
            ),
            ("unknown variant `x`, expected `a` or `b`", "must be one of: a, b"),
            ("unknown variant `x`, expected `a`", "must be one of: a"),
        ] {
            let e = describe_serde_error("lifecycle", message);
            assert_eq!(e.message, expected);
            assert_eq!(e.code, "one_of");
            assert!(e.params["choices"].as_array().is_some_and(|c| !c.is_empty()));
        }
    }

    #[derive(Debug, validator::Validate)]
    #[allow(dead_code)]
    struct Checked {
        #[validate(length(min = 1, max = 5))]
        name: String,
        #[validate(range(max = 10))]
        n: i32,
        #[validate(custom(function = "crate::dto::validate_emails"))]
        emails: Vec<String>,
    }

    #[test]
    fn a_broken_rule_carries_its_code_and_bounds_but_not_the_input() {
        use validator::Validate;
        let checked = Checked {
            name: "too long".into(),
            n: 11,
            emails: vec!["nope".into()],
        };
        let errors = validation_errors(&checked.validate().unwrap_err());
        let by_field = |f: &str| errors.iter().find(|e| e.field == f).cloned().unwrap();
        let name = by_field("name");
        assert_eq!(name.code, "length");
        assert_eq!(name.params.get("min"), Some(&serde_json::json!(1)));
        assert_eq!(name.params.get("max"), Some(&serde_json::json!(5)));
        assert!(!name.params.contains_key("value"));
        assert_eq!(name.message, "must be between 1 and 5 characters long");
        let n = by_field("n");
        assert_eq!(
            (n.code.as_str(), n.params.get("max")),
            ("range", Some(&serde_json::json!(10)))
        );
        assert_eq!(by_field("emails").code, "email");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: i32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        #[serde(default)]
        items: Vec<Inner>,
    }

    fn field_of(body: &str) -> (u16, Vec<FieldError>) {
        match parse::<Body>(body.as_bytes()) {
            Ok(_) => (200, vec![]),
            Err(e) => (e.to_problem().status, e.field_errors().to_vec()),
        }
    }

    #[test]
    fn malformed_json_is_400() {
        assert_eq!(field_of("{\"name\": ").0, 400);
        assert_eq!(field_of("").0, 400);
        assert_eq!(field_of("nope").0, 400);
    }

    #[test]
    fn unknown_fields_are_named() {
        let (status, errors) = field_of(r#"{"name":"a","colour":"red"}"#);
        assert_eq!(status, 422);
        assert_eq!(
            errors,
            vec![FieldError::coded("colour", "unknown_field", "is not a known field")]
        );
        let (_, errors) = field_of(r#"{"name":"a","items":[{"n":1,"x":2}]}"#);
        assert_eq!(errors[0].field, "items[0].x");
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        assert_eq!(
            field_of("{}").1,
            vec![FieldError::coded("name", "required", "is required")]
        );
        let (_, errors) = field_of(r#"{"name":"a","items":[{"n":"one"}]}"#);
        assert_eq!(errors[0].field, "items[0].n");
        assert!(errors[0].message.contains("wrong type"), "{}", errors[0].message);
        assert_eq!(errors[0].code, "wrong_type");
    }

    #[test]
    fn nul_characters_are_rejected_with_their_path() {
        let (status, errors) = field_of(r#"{"name":"a\u0000b"}"#);
        assert_eq!(status, 422);
        assert_eq!(errors[0].field, "name");
    }
}
