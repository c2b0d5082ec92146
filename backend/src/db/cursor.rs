//! Opaque keyset-pagination cursors: base64url of a small JSON document naming the sort, the
//! last row's sort value and its id. Clients treat them as opaque strings.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a cursor looks like (base64url without padding), as the OpenAPI document states it.
pub const PATTERN: &str = "^[A-Za-z0-9_-]+$";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort the cursor was issued for (e.g. `-created_at`); reusing it with another is an error.
    #[serde(rename = "s")]
    pub sort: String,
    /// The last row's sort value, as text.
    #[serde(rename = "v")]
    pub value: String,
    /// The last row's id: the tie-breaker.
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        // Serializing a struct of strings and a UUID cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Cursors are base64url without padding; the OpenAPI document states it as their pattern.
    pub fn decode(text: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let c = Cursor {
            sort: "-created_at".into(),
            value: "2026-01-02T03:04:05.123456Z".into(),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(Cursor::decode("not a cursor"), None);
        assert_eq!(Cursor::decode(""), None);
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode(b"{\"x\":1}")), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_decodes_or_is_refused_without_panicking(text in any::<String>()) {
            let _ = Cursor::decode(&text);
        }

        #[test]
        fn any_base64url_decodes_or_is_refused(text in "[A-Za-z0-9_-]{0,200}") {
            let _ = Cursor::decode(&text);
        }

        #[test]
        fn every_cursor_round_trips_and_matches_the_documented_pattern(
            sort in any::<String>(),
            value in any::<String>(),
            id in any::<u128>(),
        ) {
            let c = Cursor { sort, value, id: Uuid::from_u128(id) };
            let text = c.encode();
            prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
            prop_assert_eq!(Cursor::decode(&text), Some(c));
        }
    }
}
