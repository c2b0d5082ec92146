//! The AI assistant: language-model providers behind one call, the PostgreSQL answer cache that
//! every call goes through, and the features built on them.

pub mod analysis;
pub mod cache;
pub mod chat;
pub mod dto;
pub mod email;
pub mod insights;
pub mod language;
pub mod parse;
pub mod phrases;
pub mod proposal;
pub mod provider;
pub mod routes;
pub mod score;
pub mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Hits on one cache key not yet written: how many, and the latest.
pub(crate) type PendingHits = (i64, chrono::DateTime<chrono::Utc>);

/// What the AI features share across requests: the HTTP client and the in-process half of
/// single flight (one lock per cache key being computed).
pub struct Runtime {
    pub http: reqwest::Client,
    in_flight: Mutex<HashMap<Vec<u8>, Arc<tokio::sync::Mutex<()>>>>,
    /// Cache hits not yet written: key → (count, last hit).
    hits: Mutex<HashMap<Vec<u8>, PendingHits>>,
}

impl Runtime {
    pub fn new() -> Runtime {
        Runtime {
            http: reqwest::Client::builder()
                .user_agent(concat!("rapport/", env!("CARGO_PKG_VERSION")))
                .build()
                .unwrap_or_default(),
            in_flight: Mutex::new(HashMap::new()),
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// The lock for one cache key; callers for the same key queue on it.
    fn key_lock(&self, key: &[u8]) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        // Forget locks nobody holds any more, so the map stays small.
        map.retain(|_, lock| Arc::strong_count(lock) > 1);
        map.entry(key.to_vec()).or_default().clone()
    }
}

impl Runtime {
    pub(crate) fn count_hit(&self, key: &[u8]) {
        self.count_hits(key, 1, chrono::Utc::now());
    }

    pub(crate) fn count_hits(&self, key: &[u8], n: i64, at: chrono::DateTime<chrono::Utc>) {
        let mut map = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(key.to_vec()).or_insert((0, at));
        entry.0 += n;
        entry.1 = entry.1.max(at);
    }

    pub(crate) fn take_hits(&self) -> Vec<(Vec<u8>, PendingHits)> {
        let mut map = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        map.drain().collect()
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}
