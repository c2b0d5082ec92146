//! Live updates: a server-sent event stream per signed-in client (`GET /api/v1/events/stream`)
//! of its workspace's changes, read from the same outbox as webhooks (the history). One hub per
//! server process reads the outbox (entries of transactions that have all ended, in transaction
//! order) and broadcasts each entry once to every open stream, which keeps those of its
//! workspace. A client that reconnects with `Last-Event-ID` first gets what it missed from the
//! database, so nothing is lost between connections; a client too slow to keep up is
//! disconnected (its browser reconnects and catches up the same way).

pub mod dto;
pub mod routes;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{RwLock, broadcast};
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::state::AppState;
use crate::webhooks::store::{self as outbox, OutboxEntry};
use dto::LiveEvent;

/// How often the hub reads the outbox.
const POLL: Duration = Duration::from_millis(250);
/// Entries read per look.
const BATCH: i64 = 500;
/// Events a stream may fall behind before it is disconnected (it catches up on reconnecting).
const CAPACITY: usize = 1024;
/// At most this many missed events are replayed on reconnecting; beyond, the client is told to
/// reload (`event: reset`).
pub const MAX_REPLAY: i64 = 1000;
/// Streams one user may hold open in one server process by default (a browser opens one per
/// tab; `LIVE_STREAMS_PER_USER` changes it); more are refused with 429 until one closes, so a
/// runaway client cannot pile them up.
pub const MAX_STREAMS_PER_USER: usize = 20;

/// A position in the outbox: (transaction id, entry id).
pub type Position = (i64, Uuid);

/// One event as every stream of its workspace sends it.
#[derive(Debug)]
pub struct Item {
    pub workspace: WorkspaceId,
    pub position: Position,
    /// The whole SSE frame (`id:`, `data:` and the blank line).
    pub frame: actix_web::web::Bytes,
}

/// The SSE id of a position, as `Last-Event-ID` sends it back.
pub fn event_id(p: Position) -> String {
    format!("{}.{}", p.0, p.1.simple())
}

pub fn parse_event_id(raw: &str) -> Option<Position> {
    let (txid, id) = raw.trim().split_once('.')?;
    Some((txid.parse().ok().filter(|t: &i64| *t >= 0)?, id.parse().ok()?))
}

/// The frame of one history entry.
pub fn frame(entry: &OutboxEntry) -> actix_web::web::Bytes {
    let event = LiveEvent::of(entry);
    let json = serde_json::to_string(&event).unwrap_or_else(|_| "{}".to_owned());
    actix_web::web::Bytes::from(format!("id: {}\ndata: {json}\n\n", event.id))
}

/// The process's reader of the outbox and its broadcast.
pub struct Hub {
    tx: broadcast::Sender<Arc<Item>>,
    /// The last position broadcast.
    head: RwLock<Position>,
    /// Open streams per user.
    open: Arc<std::sync::Mutex<HashMap<Uuid, usize>>>,
}

/// A user's place among their open streams, given back when the stream ends (the client went
/// away or fell behind).
pub struct Slot {
    open: Arc<std::sync::Mutex<HashMap<Uuid, usize>>>,
    user: Uuid,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.user);
            }
        }
    }
}

impl Hub {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Item>> {
        self.tx.subscribe()
    }

    pub async fn head(&self) -> Position {
        *self.head.read().await
    }

    /// How many streams are open in this process.
    pub fn streams(&self) -> usize {
        self.tx.receiver_count()
    }

    /// A slot for one more stream of `user`, or `None` when they already hold `max` (0: no
    /// limit).
    pub fn take_slot(&self, user: Uuid, max: usize) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(user).or_insert(0);
        if max > 0 && *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot {
            open: self.open.clone(),
            user,
        })
    }
}

/// The process's hub, started by the first stream.
pub async fn hub(state: &AppState) -> crate::error::AppResult<&Hub> {
    state
        .live
        .get_or_try_init(|| async {
            let start = {
                let mut conn = state.conn().await?;
                outbox::outbox_head(&mut conn).await?.unwrap_or((0, Uuid::nil()))
            };
            let (tx, _) = broadcast::channel(CAPACITY);
            let hub = Hub {
                tx,
                head: RwLock::new(start),
                open: Arc::default(),
            };
            run(state.clone());
            Ok::<_, crate::error::AppError>(hub)
        })
        .await
}

/// Reads the outbox and broadcasts, for as long as the process runs.
fn run(state: AppState) {
    actix_web::rt::spawn(async move {
        loop {
            tokio::time::sleep(POLL).await;
            let Some(hub) = state.live.get() else { continue };
            if let Err(e) = read_once(&state, hub).await {
                tracing::debug!(error = %e, "the live event hub could not read the outbox");
            }
        }
    });
}

async fn read_once(state: &AppState, hub: &Hub) -> crate::error::AppResult<()> {
    let mut conn = state.background_conn().await?;
    loop {
        let after = hub.head().await;
        let entries = outbox::outbox_after(&mut conn, None, after, BATCH).await?;
        let Some(last) = entries.last().map(|e| (e.txid, e.id)) else {
            return Ok(());
        };
        for entry in &entries {
            // No open stream is not an error: the event is simply not wanted here.
            let _ = hub.tx.send(Arc::new(Item {
                workspace: entry.workspace_id,
                position: (entry.txid, entry.id),
                frame: frame(entry),
            }));
        }
        *hub.head.write().await = last;
        if (entries.len() as i64) < BATCH {
            return Ok(());
        }
    }
}
