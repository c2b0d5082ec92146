//! Request budgets, in process: each credential (session or API token) — or, for requests
//! without one, each client address — has a token bucket per kind of request, refilled
//! continuously. Every answer states the budget in `RateLimit-Limit`, `RateLimit-Remaining`
//! and `RateLimit-Reset`; past it the answer is 429 with `Retry-After`. With several server
//! processes each has its own buckets (failed sign-ins, by contrast, are counted in the
//! database and hold across processes).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// The kinds of request with budgets of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Everything else.
    General,
    /// Questions to the AI assistant (a miss calls the model).
    Ai,
    /// Signing in, signing up, accepting an invitation, setting a password from a link.
    SignIn,
}

/// Requests per minute for each kind; 0 means unlimited.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    pub general: u32,
    pub ai: u32,
    pub sign_in: u32,
}

impl Budgets {
    pub const OFF: Budgets = Budgets {
        general: 0,
        ai: 0,
        sign_in: 0,
    };

    pub fn per_minute(&self, kind: Kind) -> u32 {
        match kind {
            Kind::General => self.general,
            Kind::Ai => self.ai,
            Kind::SignIn => self.sign_in,
        }
    }
}

/// What one request's budget looks like after it was counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset: u64,
    /// Seconds until one more request is allowed (0 when allowed).
    pub retry_after: u64,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Entries kept before idle (full) buckets are dropped.
const MAX_ENTRIES: usize = 50_000;

#[derive(Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<(Kind, String), Bucket>>,
}

impl Limiter {
    /// Counts one request of `kind` by `who` against a budget of `per_minute`.
    pub fn take(&self, kind: Kind, who: &str, per_minute: u32, now: Instant) -> Decision {
        let capacity = f64::from(per_minute);
        let rate = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_ENTRIES {
            buckets.retain(|_, b| b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * rate < capacity);
        }
        let bucket = buckets.entry((kind, who.to_owned())).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let missing = |target: f64| ((target - bucket.tokens).max(0.0) / rate).ceil() as u64;
        Decision {
            allowed,
            limit: per_minute,
            remaining: bucket.tokens.floor() as u32,
            reset: missing(capacity),
            retry_after: if allowed { 0 } else { missing(1.0).max(1) },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_budget_is_spent_refilled_and_kept_apart_per_caller_and_kind() {
        let limiter = Limiter::default();
        let t0 = Instant::now();
        for i in 0..60 {
            let d = limiter.take(Kind::General, "a", 60, t0);
            assert!(d.allowed, "request {i}");
            assert_eq!(d.remaining, 59 - i);
        }
        let refused = limiter.take(Kind::General, "a", 60, t0);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, 1);
        assert_eq!(refused.reset, 60);
        // Someone else, or another kind, has a budget of its own.
        assert!(limiter.take(Kind::General, "b", 60, t0).allowed);
        assert!(limiter.take(Kind::Ai, "a", 10, t0).allowed);
        // One request per second comes back.
        let later = limiter.take(Kind::General, "a", 60, t0 + Duration::from_millis(1500));
        assert!(later.allowed);
        assert!(
            !limiter
                .take(Kind::General, "a", 60, t0 + Duration::from_millis(1500))
                .allowed
        );
    }
}
