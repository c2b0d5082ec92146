//! The calendar feed: a private, tokenized iCalendar (RFC 5545) URL with follow-ups and
//! reminders that any calendar app can subscribe to.

pub mod ics;
pub mod routes;
pub mod service;
pub mod store;
