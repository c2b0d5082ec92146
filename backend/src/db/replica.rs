//! A read replica: with `DATABASE_REPLICA_URL`, heavy reads (lists, searches, the dashboard,
//! exports) may run on a PostgreSQL hot standby instead of the primary, and every write stays on
//! the primary.
//!
//! A read goes to the replica only when both hold:
//! - **it is not too far behind**: every second the server notes the primary's WAL position and
//!   the position the replica has replayed; the replica holds everything the primary had at the
//!   newest noted moment whose position it has replayed, so it is at most that old. Past
//!   `REPLICA_MAX_LAG_SECS` (or when it cannot be reached, or was promoted and no longer
//!   replays), reads go to the primary;
//! - **it has the caller's own writes** (read-your-writes): a successful write answers with the
//!   primary's position after it (`Rapport-LSN`, also kept in a cookie for the web app), this
//!   instance remembers the newest one per workspace, and a read that brings a position (header or
//!   cookie) is served by the replica only once it has replayed that far — asked at once when the
//!   last observation is older — else by the primary.
//!
//! Everything falls back to the primary, never to an error: a replica that is down, lags or was
//! promoted only costs the primary the reads it would have taken.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::statement::Prepare;
use super::{DbConn, DbPool, WorkspaceId};

/// The request and response header carrying a WAL position (`16/B374D848`).
pub const HEADER: &str = "rapport-lsn";
/// The cookie that carries it for the web app.
pub const COOKIE: &str = "rapport_lsn";

/// A position in the primary's write-ahead log (`pg_lsn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lsn(pub u64);

impl FromStr for Lsn {
    type Err = ();
    fn from_str(s: &str) -> Result<Lsn, ()> {
        let (hi, lo) = s.split_once('/').ok_or(())?;
        let part = |p: &str| {
            if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(());
            }
            u32::from_str_radix(p, 16).map_err(|_| ())
        };
        Ok(Lsn((u64::from(part(hi)?) << 32) | u64::from(part(lo)?)))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// Which server a read goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Replica,
    /// The replica, if it has replayed this far by now (ask it first).
    ReplicaIfCaughtUp(Lsn),
    Primary,
}

/// What the server last saw of both servers.
#[derive(Default)]
struct Seen {
    /// The primary's position at recent observations, oldest first.
    primary: VecDeque<(DateTime<Utc>, Lsn)>,
    /// What the replica had replayed at the last observation; none when it could not be reached
    /// or is no longer a standby.
    replayed: Option<Lsn>,
}

/// Reads served by each server since the start.
#[derive(Default)]
pub struct Served {
    pub replica: AtomicU64,
    pub primary: AtomicU64,
}

impl Served {
    /// Reads served so far: (by the replica, by the primary).
    pub fn counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            AtomicU64::load(&self.replica, Relaxed),
            AtomicU64::load(&self.primary, Relaxed),
        )
    }
}

impl Seen {
    fn lag(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        let replayed = self.replayed?;
        self.primary
            .iter()
            .rev()
            .find(|(_, at_primary)| *at_primary <= replayed)
            .map(|(at, _)| (now - *at).max(chrono::Duration::zero()))
    }
}

pub struct Replica {
    pool: DbPool,
    max_lag: chrono::Duration,
    seen: Mutex<Seen>,
    /// The newest write made through this instance, per workspace.
    written: Mutex<HashMap<WorkspaceId, Lsn>>,
    pub served: Served,
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    lsn: Option<String>,
}

#[derive(QueryableByName)]
struct Standby {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    recovering: bool,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    lsn: Option<String>,
}

/// The primary's current WAL position: where its next record goes, so it covers every transaction
/// committed before, even one whose commit record is not yet written out (asynchronous commit).
pub async fn primary_position(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Option<Lsn>> {
    let p: Position = diesel::sql_query("SELECT pg_current_wal_insert_lsn()::text AS lsn")
        .prepared()
        .get_result(conn)
        .await?;
    Ok(p.lsn.and_then(|l| l.parse().ok()))
}

/// What a standby has replayed; none when the server is not (or no longer) a standby.
async fn replayed_position(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Option<Lsn>> {
    let s: Standby =
        diesel::sql_query("SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS lsn")
            .prepared()
            .get_result(conn)
            .await?;
    Ok(s.lsn.filter(|_| s.recovering).and_then(|l| l.parse().ok()))
}

impl Replica {
    pub fn new(
        config: &crate::config::ReplicaConfig,
        size: usize,
        statement_timeout: Duration,
    ) -> anyhow::Result<Self> {
        Ok(Replica {
            pool: super::replica_pool(&config.url, size, statement_timeout)?,
            max_lag: chrono::Duration::from_std(config.max_lag)?,
            seen: Mutex::default(),
            written: Mutex::default(),
            served: Served::default(),
        })
    }

    /// Notes both servers' positions at `now`. Run every second by [`spawn`]; tests call it with
    /// the clock they want.
    pub async fn observe(&self, primary: &DbPool, now: DateTime<Utc>) {
        let at_primary = match primary.get().await {
            Ok(mut conn) => match primary_position(&mut conn).await {
                Ok(Some(at)) => at,
                _ => return,
            },
            Err(_) => return,
        };
        let replayed = match self.pool.get().await {
            Ok(mut conn) => replayed_position(&mut conn).await.ok().flatten(),
            Err(_) => None,
        };
        self.note(now, at_primary, replayed);
    }

    /// Records one observation: the primary at `at_primary`, the replica at `replayed`.
    pub fn note(&self, now: DateTime<Utc>, at_primary: Lsn, replayed: Option<Lsn>) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.primary.push_back((now, at_primary));
        seen.replayed = replayed;
        // Older positions can only prove a lag past the limit, which the newest kept one also
        // proves: keep what spans twice the limit.
        let horizon = now - self.max_lag * 2;
        while seen.primary.len() > 1 && seen.primary.front().is_some_and(|(at, _)| *at < horizon) {
            seen.primary.pop_front();
        }
    }

    /// How old the replica's data may be at `now`, at most; none when it cannot be told (down,
    /// promoted, or behind every noted position).
    pub fn lag(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).lag(now)
    }

    /// Whether reads may use the replica at `now` (it is within the lag limit).
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.lag(now).is_some_and(|lag| lag <= self.max_lag)
    }

    /// How long a caller's position is worth keeping (the web app's cookie): past the lag limit
    /// (and an observation), the replica is either past it or not used.
    pub fn position_lifetime(&self) -> chrono::Duration {
        self.max_lag + chrono::Duration::seconds(5)
    }

    /// Remembers a write of the workspace at this position.
    pub fn wrote(&self, workspace: WorkspaceId, at: Lsn) {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let newest = written.entry(workspace).or_insert(at);
        *newest = (*newest).max(at);
    }

    /// Where a read of the workspace goes that must see the writes up to `after` (the caller's,
    /// if it brought one) and those made through this instance.
    pub fn route(&self, workspace: WorkspaceId, after: Option<Lsn>, now: DateTime<Utc>) -> Route {
        let ours = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&workspace)
            .copied();
        let needed = after.max(ours);
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        match (seen.lag(now), seen.replayed) {
            (Some(lag), Some(replayed)) if lag <= self.max_lag => match needed {
                Some(n) if n > replayed => Route::ReplicaIfCaughtUp(n),
                _ => Route::Replica,
            },
            _ => Route::Primary,
        }
    }

    /// A connection to the replica for this route, or none (use the primary).
    pub async fn conn(&self, route: Route) -> Option<DbConn> {
        let caught_up_to = match route {
            Route::Primary => return None,
            Route::Replica => None,
            Route::ReplicaIfCaughtUp(needed) => Some(needed),
        };
        let Ok(mut conn) = self.pool.get().await else {
            // Down: no reads until an observation finds it again.
            self.seen.lock().unwrap_or_else(|e| e.into_inner()).replayed = None;
            return None;
        };
        if let Some(needed) = caught_up_to {
            let now = replayed_position(&mut conn).await.ok().flatten()?;
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.replayed.is_some_and(|r| r < now) {
                seen.replayed = Some(now);
            }
            if now < needed {
                return None;
            }
        }
        Some(conn)
    }
}

/// Notes both servers' positions every second, for as long as the server runs, and says in the
/// log when reads stop or start going to the replica.
pub fn spawn(replica: std::sync::Arc<Replica>, primary: DbPool) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut was_usable = None;
        loop {
            tick.tick().await;
            let now = Utc::now();
            replica.observe(&primary, now).await;
            let usable = replica.usable(now);
            if was_usable != Some(usable) {
                let (to_replica, to_primary) = replica.served.counts();
                if usable {
                    tracing::info!(to_replica, to_primary, "heavy reads go to the read replica");
                } else {
                    tracing::warn!(
                        lag_ms = replica.lag(now).map(|l| l.num_milliseconds()),
                        to_replica,
                        to_primary,
                        "heavy reads go to the primary: the read replica is unreachable, promoted or too far behind"
                    );
                }
                was_usable = Some(usable);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{Lsn, Replica, Route};
    use crate::db::DEFAULT_WORKSPACE;
    use chrono::{Duration, TimeZone, Utc};

    fn replica() -> Replica {
        let config = crate::config::ReplicaConfig {
            url: "postgres://nobody@127.0.0.1:1/none".into(),
            max_lag: std::time::Duration::from_secs(5),
        };
        Replica::new(&config, 1, std::time::Duration::from_secs(1)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_go_to_a_replica_that_is_close_behind_and_has_the_writes_they_must_see() {
        let r = replica();
        let t0 = Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).single().unwrap_or_default();
        let ws = DEFAULT_WORKSPACE;
        // Nothing observed yet: the primary.
        assert_eq!(r.route(ws, None, t0), Route::Primary);
        r.note(t0, Lsn(100), Some(Lsn(100)));
        assert_eq!(r.lag(t0 + Duration::seconds(1)), Some(Duration::seconds(1)));
        assert_eq!(r.route(ws, None, t0 + Duration::seconds(1)), Route::Replica);
        assert!(r.usable(t0 + Duration::seconds(5)) && !r.usable(t0 + Duration::seconds(6)));
        assert_eq!(r.position_lifetime(), Duration::seconds(10));
        assert_eq!(r.route(ws, Some(Lsn(90)), t0), Route::Replica);
        // A caller's newer write: only once the replica has replayed it.
        assert_eq!(r.route(ws, Some(Lsn(150)), t0), Route::ReplicaIfCaughtUp(Lsn(150)));
        // This instance's own write of the workspace counts without the caller bringing it.
        r.wrote(ws, Lsn(160));
        assert_eq!(r.route(ws, None, t0), Route::ReplicaIfCaughtUp(Lsn(160)));
        assert_eq!(r.route(ws, Some(Lsn(170)), t0), Route::ReplicaIfCaughtUp(Lsn(170)));
        let other = crate::db::WorkspaceId::checked(uuid::Uuid::now_v7());
        assert_eq!(r.route(other, None, t0), Route::Replica);
        // The replica stops replaying while the primary moves on: it is as old as the newest
        // primary position it has, and past the limit nobody reads from it.
        r.note(t0 + Duration::seconds(3), Lsn(200), Some(Lsn(100)));
        assert_eq!(r.lag(t0 + Duration::seconds(4)), Some(Duration::seconds(4)));
        assert_eq!(r.route(other, None, t0 + Duration::seconds(4)), Route::Replica);
        r.note(t0 + Duration::seconds(31), Lsn(300), Some(Lsn(100)));
        assert_eq!(r.lag(t0 + Duration::seconds(31)), None, "older positions are forgotten");
        assert_eq!(r.route(other, None, t0 + Duration::seconds(31)), Route::Primary);
        // It catches up: back to it.
        r.note(t0 + Duration::seconds(32), Lsn(300), Some(Lsn(300)));
        assert_eq!(r.route(other, None, t0 + Duration::seconds(32)), Route::Replica);
        // Down or promoted (no replayed position): the primary.
        r.note(t0 + Duration::seconds(33), Lsn(310), None);
        assert_eq!(r.route(other, None, t0 + Duration::seconds(33)), Route::Primary);
    }

    #[test]
    fn positions_read_and_print_as_postgresql_writes_them() {
        let lsn: Lsn = "16/B374D848".parse().unwrap_or(Lsn(0));
        assert_eq!(lsn, Lsn((0x16 << 32) | 0xB374_D848));
        assert_eq!(lsn.to_string(), "16/B374D848");
        assert_eq!("0/0".parse::<Lsn>(), Ok(Lsn(0)));
        assert!("0/3000148".parse::<Lsn>() < "1/0".parse::<Lsn>());
        for bad in ["", "16", "/1", "1/", "G/0", "123456789/0", "1/2/3", "-1/0", "+1/0"] {
            assert!(bad.parse::<Lsn>().is_err(), "{bad}");
        }
    }
}
