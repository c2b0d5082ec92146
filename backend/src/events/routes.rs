//! `GET /api/v1/events/stream`: the workspace's changes as server-sent events.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use tokio::sync::broadcast::{self, error::RecvError};

use super::{Item, MAX_REPLAY, Position};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult, Problem};
use crate::http::auth::Auth;
use crate::state::AppState;
use crate::webhooks::store as outbox;

/// A comment line every so often keeps proxies from closing a quiet stream and finds clients
/// that are gone.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Live updates: every change in the workspace as it happens, as server-sent events
/// (`text/event-stream`, one `LiveEvent` per `data:` line, its `id` in the `id:` line). Send
/// `Last-Event-ID` (browsers' EventSource does on reconnecting) to get first what was missed;
/// when more than 1,000 events were missed, an `event: reset` frame says to reload instead. A
/// `: ping` comment comes every 15 s. Only clients that accept `text/event-stream` get the
/// stream; a user holds at most 20 open streams per server process by default (the 21st is
/// refused with 429 until one closes).
#[utoipa::path(
    tag = "events",
    params(("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received",
        pattern = "^[0-9]+\\.[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The stream (never ends by itself); each `data:` line is a `LiveEvent`",
            content_type = "text/event-stream", body = String),
        (status = 406, description = "The request does not accept `text/event-stream` (`not_acceptable`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`Last-Event-ID` is not an id this stream sent (`validation_failed`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "This user already holds 20 open streams (`too_many_streams`); \
            `Retry-After` says when to try again", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
)]
#[get("/events/stream")]
pub async fn event_stream(state: web::Data<AppState>, auth: Auth, req: HttpRequest) -> AppResult<HttpResponse> {
    let accepts = req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|m| m.trim().starts_with("text/event-stream")));
    if !accepts {
        return Err(AppError::bad_request(
            "not_acceptable",
            "this is a server-sent event stream: send `Accept: text/event-stream` (EventSource does)",
        )
        .with_status(actix_web::http::StatusCode::NOT_ACCEPTABLE));
    }
    let resume =
        match req.headers().get("last-event-id").map(|v| v.to_str().unwrap_or("")) {
            None => None,
            Some(raw) => Some(super::parse_event_id(raw).ok_or_else(|| {
                AppError::invalid_field("Last-Event-ID", "must be the id of an event this stream sent")
            })?),
        };
    let workspace = auth.workspace();
    let hub = super::hub(&state).await?;
    let max = state.config.live_streams_per_user;
    let slot = hub.take_slot(auth.user_id(), max).ok_or_else(|| {
        AppError::too_many_requests(
            30,
            format!("you already have {max} live update streams open; close a tab (or a client) first"),
        )
        .with_code("too_many_streams")
    })?;
    let rx = hub.subscribe();
    let head = hub.head().await;
    let mut backlog: VecDeque<Bytes> = VecDeque::new();
    // What the client has seen may be ahead of this process's hub (another instance sent it):
    // nothing up to there is sent again.
    let mut last = resume.map_or(head, |r| r.max(head));
    if let Some(from) = resume.filter(|from| *from < head) {
        let mut conn = state.conn().await?;
        let missed = outbox::outbox_after(&mut conn, Some(workspace), from, MAX_REPLAY + 1).await?;
        if missed.len() as i64 > MAX_REPLAY {
            backlog.push_back(Bytes::from(format!(
                "event: reset\nid: {}\ndata: {{}}\n\n",
                super::event_id(head)
            )));
        } else {
            for entry in &missed {
                backlog.push_back(super::frame(entry));
                last = last.max((entry.txid, entry.id));
            }
        }
        last = last.max(head);
    }
    // Tell the browser how soon to reconnect, and that the stream is open.
    backlog.push_front(Bytes::from_static(b"retry: 3000\n: connected\n\n"));
    let stream = futures_util::stream::unfold(
        Stream {
            _slot: slot,
            rx,
            workspace,
            last,
            backlog,
            heartbeat: tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT),
            done: false,
        },
        next,
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache, no-transform"))
        // Compression would hold events back until a buffer fills.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream))
}

struct Stream {
    /// Held while the stream is open.
    _slot: super::Slot,
    rx: broadcast::Receiver<Arc<Item>>,
    workspace: WorkspaceId,
    /// The last position sent (or skipped as already sent).
    last: Position,
    backlog: VecDeque<Bytes>,
    heartbeat: tokio::time::Interval,
    done: bool,
}

async fn next(mut s: Stream) -> Option<(Result<Bytes, std::convert::Infallible>, Stream)> {
    if s.done {
        return None;
    }
    if let Some(frame) = s.backlog.pop_front() {
        return Some((Ok(frame), s));
    }
    loop {
        tokio::select! {
            got = s.rx.recv() => match got {
                Ok(item) => {
                    if item.workspace != s.workspace || item.position <= s.last {
                        continue;
                    }
                    s.last = item.position;
                    let frame = item.frame.clone();
                    return Some((Ok(frame), s));
                }
                // Too far behind: end the stream; the client reconnects with Last-Event-ID and
                // catches up from the database.
                Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => {
                    s.done = true;
                    return Some((Ok(Bytes::from_static(b": behind, reconnect\n\n")), s));
                }
            },
            _ = s.heartbeat.tick() => return Some((Ok(Bytes::from_static(b": ping\n\n")), s)),
        }
    }
}
