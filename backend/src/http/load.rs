//! How many requests this instance is answering right now. Background work that can go at two
//! speeds (an import writing two batches at once) takes the slower one while requests are being
//! answered, so that they keep the cores they need; on an idle server it takes the faster one.
//!
//! A request counts from its arrival until its response starts: a streamed body (an export's
//! download, a live event stream) no longer counts once it flows.

use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Default)]
pub struct Load {
    in_flight: AtomicUsize,
}

/// A request being answered; it stops counting when dropped.
#[derive(Debug)]
pub struct InFlight<'a>(&'a Load);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Load {
    /// Counts a request until the returned guard is dropped.
    pub fn request(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Whether any request is being answered.
    pub fn in_use(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_use_while_a_request_is_answered() {
        let load = Load::default();
        assert!(!load.in_use());
        let first = load.request();
        let second = load.request();
        assert!(load.in_use());
        drop(first);
        assert!(load.in_use());
        drop(second);
        assert!(!load.in_use());
    }
}
