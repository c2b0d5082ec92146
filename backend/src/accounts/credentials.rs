//! A bounded in-process cache of what session cookies and API tokens stand for, so that most
//! requests are authenticated without a database round trip.
//!
//! Revocation stays immediate on every instance:
//! - the database announces every change that can alter what a credential stands for (a session
//!   or token deleted, revoked, expired or moved to another workspace; a membership added,
//!   changed or removed; a user renamed, deleted or given a new password) with
//!   `NOTIFY rapport_credentials` from triggers (migration `2026-12-02-000005`), and each
//!   instance empties its cache when it hears one;
//! - an instance empties its own cache as soon as one of its own account operations succeeds,
//!   before the response leaves, without waiting for the notification;
//! - while the listening connection is down (database restart, network), the cache is bypassed:
//!   every request is looked up in the database as if there were no cache;
//! - an entry fetched before an invalidation is never stored after it (a generation counter),
//!   and no entry is used for longer than [`MAX_AGE`].

use std::collections::HashMap;
use std::pin::pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::StreamExt;

use super::store::{SessionPrincipal, TokenPrincipal};

/// The channel the triggers notify.
pub const CHANNEL: &str = "rapport_credentials";
/// The longest an entry is used before it is looked up again.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// The most credentials kept; past it the cache starts over.
pub const CAPACITY: usize = 10_000;

#[derive(Debug, Clone)]
pub enum Cached {
    Session(SessionPrincipal),
    Token(TokenPrincipal),
}

struct Entry {
    value: Cached,
    fetched: Instant,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<Vec<u8>, Entry>,
}

/// See the module docs.
#[derive(Default)]
pub struct CredentialCache {
    inner: Mutex<Inner>,
    listening: AtomicBool,
}

impl CredentialCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The credential with this secret hash, when cached, fresh, and the cache is trusted.
    pub fn get(&self, hash: &[u8]) -> Option<Cached> {
        if !self.listening.load(Ordering::Acquire) {
            return None;
        }
        let inner = self.lock();
        inner
            .entries
            .get(hash)
            .filter(|e| e.fetched.elapsed() < MAX_AGE)
            .map(|e| e.value.clone())
    }

    /// The generation to pass to [`CredentialCache::put`]: read it before the database lookup.
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Stores a credential looked up at `generation`, unless something was invalidated since.
    pub fn put(&self, hash: Vec<u8>, value: Cached, generation: u64) {
        if !self.listening.load(Ordering::Acquire) {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= CAPACITY && !inner.entries.contains_key(&hash) {
            inner.entries.clear();
        }
        inner.entries.insert(
            hash,
            Entry {
                value,
                fetched: Instant::now(),
            },
        );
    }

    /// Records a last use written to the database, so the next requests do not write it again.
    pub fn touched(&self, hash: &[u8], at: DateTime<Utc>) {
        if let Some(entry) = self.lock().entries.get_mut(hash) {
            match &mut entry.value {
                Cached::Session(s) => s.last_seen_at = at,
                Cached::Token(t) => t.last_used_at = Some(at),
            }
        }
    }

    /// Forgets one credential (for instance one found expired here).
    pub fn forget(&self, hash: &[u8]) {
        self.lock().entries.remove(hash);
    }

    /// Forgets everything; entries being looked up right now will not be stored.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True while the cache hears the database's notifications (and may be used).
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    fn set_listening(&self, on: bool) {
        self.clear();
        self.listening.store(on, Ordering::Release);
        self.clear();
    }
}

/// Keeps a connection listening on [`CHANNEL`] for as long as the process runs, reconnecting
/// with a growing pause (up to 30 s) when it drops; the cache is used only while it listens.
pub fn listen(cache: std::sync::Arc<CredentialCache>, database_url: String) {
    actix_web::rt::spawn(async move {
        let mut pause = Duration::from_millis(250);
        loop {
            match AsyncPgConnection::establish(&database_url).await {
                Ok(mut conn) => match super::store::listen_for_credential_changes(&mut conn).await {
                    Ok(_) => {
                        pause = Duration::from_millis(250);
                        cache.set_listening(true);
                        tracing::debug!("listening for credential changes");
                        let mut stream = pin!(conn.notifications_stream());
                        while let Some(note) = stream.next().await {
                            match note {
                                Ok(_) => cache.clear(),
                                Err(e) => {
                                    tracing::warn!(error = %e, "stopped hearing credential changes");
                                    break;
                                }
                            }
                        }
                        cache.set_listening(false);
                    }
                    Err(e) => tracing::warn!(error = %e, "could not listen for credential changes"),
                },
                Err(e) => tracing::debug!(error = %e, "could not connect to listen for credential changes"),
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(30));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::dto::TokenScope;
    use crate::db::WorkspaceId;

    fn token(name: &str) -> Cached {
        Cached::Token(TokenPrincipal {
            id: uuid::Uuid::now_v7(),
            user_id: uuid::Uuid::now_v7(),
            workspace_id: WorkspaceId::checked(uuid::Uuid::now_v7()),
            name: name.to_owned(),
            scope: TokenScope::Read,
            expires_at: None,
            last_used_at: None,
            display_name: "Ada".to_owned(),
            role: "member".to_owned(),
        })
    }

    fn name(c: Option<Cached>) -> Option<String> {
        match c? {
            Cached::Token(t) => Some(t.name),
            Cached::Session(_) => None,
        }
    }

    #[test]
    fn nothing_is_cached_while_not_listening() {
        let cache = CredentialCache::default();
        cache.put(b"k".to_vec(), token("a"), cache.generation());
        assert!(cache.get(b"k").is_none());
        cache.set_listening(true);
        cache.put(b"k".to_vec(), token("a"), cache.generation());
        assert_eq!(name(cache.get(b"k")), Some("a".into()));
        // Losing the connection forgets everything and stops serving from memory.
        cache.set_listening(false);
        assert!(cache.get(b"k").is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn a_lookup_that_raced_an_invalidation_is_not_stored() {
        let cache = CredentialCache::default();
        cache.set_listening(true);
        let before = cache.generation();
        cache.clear(); // a revocation lands while the lookup runs
        cache.put(b"k".to_vec(), token("stale"), before);
        assert!(cache.get(b"k").is_none());
        cache.put(b"k".to_vec(), token("fresh"), cache.generation());
        assert_eq!(name(cache.get(b"k")), Some("fresh".into()));
    }

    #[test]
    fn a_use_is_remembered_and_the_size_is_bounded() {
        let cache = CredentialCache::default();
        cache.set_listening(true);
        cache.put(b"k".to_vec(), token("a"), cache.generation());
        let at = Utc::now();
        cache.touched(b"k", at);
        match cache.get(b"k") {
            Some(Cached::Token(t)) => assert_eq!(t.last_used_at, Some(at)),
            other => panic!("{other:?}"),
        }
        for i in 0..CAPACITY + 5 {
            cache.put(i.to_le_bytes().to_vec(), token("x"), cache.generation());
        }
        assert!(cache.len() <= CAPACITY);
        cache.forget(&(CAPACITY + 4).to_le_bytes());
        assert!(cache.get(&(CAPACITY + 4).to_le_bytes()).is_none());
    }
}
