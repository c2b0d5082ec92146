//! Sparse fieldsets: `fields=id,display_name,emails` on a list answers each item with only those
//! fields (and always `id`), for clients that show a few columns of a wide record. The items are
//! the usual DTOs, serialised through a filter that skips the other fields as they are written —
//! no intermediate JSON tree.
//!
//! In OpenAPI ([`crate::openapi`]) such a list's answer is `anyOf` its usual page and a page of
//! `…Fields` items (the record's schema with only `id` required), and `fields` has a pattern that
//! names every field, so generated clients and the fuzzer see what the server does.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::error::FieldError;

/// The longest `fields` value taken.
pub const MAX_LEN: usize = 1000;

/// The fields a client asked for: always a subset of the record's, always with `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSet(Vec<&'static str>);

impl FieldSet {
    /// Parses `fields` (comma-separated names of `known`); `None` when absent (every field).
    pub fn parse(raw: Option<&str>, known: &[&'static str]) -> Result<Option<FieldSet>, FieldError> {
        let Some(raw) = raw else {
            return Ok(None);
        };
        if raw.len() > MAX_LEN {
            return Err(FieldError::new(
                "fields",
                format!("must be at most {MAX_LEN} characters"),
            ));
        }
        let mut chosen = vec!["id"];
        let mut unknown = Vec::new();
        for name in raw.split(',').map(str::trim) {
            match known.iter().find(|k| **k == name) {
                Some(k) if !chosen.contains(k) => chosen.push(k),
                Some(_) => {}
                None => unknown.push(name),
            }
        }
        if !unknown.is_empty() {
            let shown: Vec<String> = unknown
                .iter()
                .map(|u| {
                    if u.is_empty() {
                        "an empty name".to_owned()
                    } else {
                        format!("{:?}", u.chars().take(40).collect::<String>())
                    }
                })
                .collect();
            return Err(FieldError::new(
                "fields",
                format!("unknown field {}; fields are: {}", shown.join(", "), known.join(", ")),
            ));
        }
        Ok(Some(FieldSet(chosen)))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(&name)
    }

    /// `^(id|name|…)(,(id|name|…))*$`: the syntax of `fields` for these names.
    pub fn pattern(known: &[&str]) -> String {
        let one = format!("({})", known.join("|"));
        format!("^{one}(,{one})*$")
    }
}

/// The outcome of a list and of its `fields`, as one answer: a 422 names every bad parameter
/// (the list's and `fields`) at once.
pub fn together<T>(
    list: crate::error::AppResult<T>,
    fields: Result<Option<FieldSet>, FieldError>,
) -> crate::error::AppResult<(T, Option<FieldSet>)> {
    match (list, fields) {
        (Ok(list), Ok(fields)) => Ok((list, fields)),
        (Ok(_), Err(e)) => Err(crate::error::AppError::validation(vec![e])),
        (Err(e), Ok(_)) => Err(e),
        (Err(e), Err(more)) if e.status() == actix_web::http::StatusCode::UNPROCESSABLE_ENTITY => {
            Err(e.and_invalid(more))
        }
        (Err(e), Err(_)) => Err(e),
    }
}

/// `value` serialised with only the fields of `fields` (all of them when `None`).
pub struct Only<'a, T> {
    pub value: &'a T,
    pub fields: Option<&'a FieldSet>,
}

impl<T: Serialize> Serialize for Only<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.fields {
            None => self.value.serialize(serializer),
            Some(fields) => self.value.serialize(Filter {
                inner: serializer,
                fields,
            }),
        }
    }
}

/// Passes everything through but a struct's fields that are not asked for.
struct Filter<'a, S> {
    inner: S,
    fields: &'a FieldSet,
}

struct FilteredStruct<'a, S> {
    inner: S,
    fields: &'a FieldSet,
}

impl<S: SerializeStruct> SerializeStruct for FilteredStruct<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), S::Error> {
        if self.fields.contains(key) {
            self.inner.serialize_field(key, value)
        } else {
            self.inner.skip_field(key)
        }
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
        self.inner.skip_field(key)
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.inner.$method($($arg),*)
        })*
    };
}

impl<'a, S: Serializer> Serializer for Filter<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = FilteredStruct<'a, S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.serialize_some(value)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_struct(name, value)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_variant(name, index, variant, value)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<S::SerializeSeq, S::Error> {
        self.inner.serialize_seq(len)
    }

    fn serialize_tuple(self, len: usize) -> Result<S::SerializeTuple, S::Error> {
        self.inner.serialize_tuple(len)
    }

    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<S::SerializeTupleStruct, S::Error> {
        self.inner.serialize_tuple_struct(name, len)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<S::SerializeTupleVariant, S::Error> {
        self.inner.serialize_tuple_variant(name, index, variant, len)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<S::SerializeMap, S::Error> {
        self.inner.serialize_map(len)
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeStruct, S::Error> {
        Ok(FilteredStruct {
            inner: self.inner.serialize_struct(name, len)?,
            fields: self.fields,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<S::SerializeStructVariant, S::Error> {
        self.inner.serialize_struct_variant(name, index, variant, len)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A list's answer, `{items, next_cursor, total}`, each item written with only the fields of
/// `fields` (every field when `None`).
pub fn page<T: Serialize>(
    items: &[T],
    next_cursor: Option<&str>,
    total: Option<i64>,
    fields: Option<&FieldSet>,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(Page {
        items: Items { items, fields },
        next_cursor,
        total,
    })
}

#[derive(serde::Serialize)]
struct Page<'a, T> {
    items: Items<'a, T>,
    next_cursor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<i64>,
}

struct Items<'a, T> {
    items: &'a [T],
    fields: Option<&'a FieldSet>,
}

impl<T: Serialize> Serialize for Items<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.items.iter().map(|value| Only {
            value,
            fields: self.fields,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::{FieldSet, Only};

    #[derive(serde::Serialize)]
    struct Row {
        id: u32,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        tags: Vec<String>,
    }

    const KNOWN: &[&str] = &["id", "name", "note", "tags"];

    #[test]
    fn only_the_fields_asked_for_are_written_with_the_id_always() {
        let row = Row {
            id: 7,
            name: "Ada".into(),
            note: None,
            tags: vec!["vip".into()],
        };
        let json = |raw: Option<&str>| {
            let fields = FieldSet::parse(raw, KNOWN).unwrap_or_else(|e| panic!("{}", e.message));
            serde_json::to_string(&Only {
                value: &row,
                fields: fields.as_ref(),
            })
            .unwrap_or_default()
        };
        assert_eq!(json(None), r#"{"id":7,"name":"Ada","tags":["vip"]}"#);
        assert_eq!(json(Some("tags")), r#"{"id":7,"tags":["vip"]}"#);
        assert_eq!(json(Some("name, id,name")), r#"{"id":7,"name":"Ada"}"#);
        assert_eq!(
            json(Some("note")),
            r#"{"id":7}"#,
            "a field left out when empty stays out"
        );
    }

    #[test]
    fn unknown_or_empty_names_are_refused_naming_the_known_ones() {
        for bad in ["nope", "id,,name", "", "name,Id"] {
            let err = FieldSet::parse(Some(bad), KNOWN).expect_err(bad);
            assert_eq!(err.field, "fields");
            assert!(
                err.message.contains("fields are: id, name, note, tags"),
                "{}",
                err.message
            );
        }
        assert_eq!(FieldSet::pattern(KNOWN), "^(id|name|note|tags)(,(id|name|note|tags))*$");
    }
}
